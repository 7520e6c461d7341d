// SPDX-License-Identifier: GPL-2.0
/*
 * The wd-gzip example end to end: its READ -> COMPRESS chains and ordered
 * WRITEs on one ring turn files of several sizes (empty, one chunk, many
 * chunks with a short last one) into gzip files that user-space zlib
 * decodes, member by member, back to the original bytes, and that
 * busybox's gunzip accepts.
 *
 * Needs the tool: WD_BIN_DIR names the directory holding wd-gzip.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>
#include "wd_ref.h"
#include "wd_uring.h"

/* Decode every gzip member of @gz; returns the bytes out or -1. */
static long gunzip_all(const uint8_t *gz, size_t len, uint8_t *out, size_t cap)
{
	z_stream s = { 0 };
	long total = 0;
	int ret;

	if (inflateInit2(&s, 31) != Z_OK)
		return -1;
	s.next_in = (Bytef *)gz;
	s.avail_in = len;
	do {
		s.next_out = out + total;
		s.avail_out = cap - total;
		ret = inflate(&s, Z_FINISH);
		total = s.total_out;
		if (ret != Z_STREAM_END)
			break;
		if (s.avail_in)
			inflateReset(&s);
		s.total_out = total;
	} while (s.avail_in);
	inflateEnd(&s);
	return ret == Z_STREAM_END ? total : -1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int f = open(path, O_RDONLY);

	if (f < 0 || fstat(f, &st))
		return NULL;
	buf = malloc(st.st_size + 1);
	if (buf && read(f, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(f);
	*len = st.st_size;
	return buf;
}

static void test_file(const char *tool, size_t size, const char *chunk_kib)
{
	char src[] = "/tmp/wd-gzip-XXXXXX", gz[64], cmd[512];
	uint8_t *data = malloc(size + 1), *zdata, *back;
	size_t zlen = 0, i;
	long n;
	int f = mkstemp(src), rc;

	/* text-like, so there is something to compress */
	for (i = 0; i < size; i++)
		data[i] = "warpdrive offload ring\n"[(i * 7 + i / 91) % 23];
	if (f < 0 || write(f, data, size) != (ssize_t)size) {
		wd_ok(0, "write the test file");
		return;
	}
	close(f);
	snprintf(gz, sizeof(gz), "%s.gz", src);
	snprintf(cmd, sizeof(cmd), "%s -c %s %s %s > /dev/null", tool,
		 chunk_kib, src, gz);
	rc = system(cmd);
	zdata = slurp(gz, &zlen);
	back = malloc(size + 1);
	n = zdata ? gunzip_all(zdata, zlen, back, size + 1) : -1;
	wd_ok(rc == 0 && n == (long)size && !memcmp(back, data, size),
	      "%zu bytes in %s KiB chunks: %zu-byte .gz decodes back (%ld)",
	      size, chunk_kib, zlen, n);

	snprintf(cmd, sizeof(cmd), "gunzip -c %s | cmp -s - %s", gz, src);
	rc = system(cmd);
	wd_ok(rc == 0, "... and gunzip agrees");
	unlink(src);
	unlink(gz);
	free(data);
	free(zdata);
	free(back);
}

int main(void)
{
	const char *dir = getenv("WD_BIN_DIR");
	char tool[256];
	struct stat st;
	int fd = wd_open_or_skip();

	close(fd);
	if (!dir || !*dir)
		wd_skip_all("WD_BIN_DIR not set");
	snprintf(tool, sizeof(tool), "%s/wd-gzip", dir);
	if (stat(tool, &st))
		wd_skip_all("wd-gzip not found");

	wd_plan(8);
	test_file(tool, 0, "64");
	test_file(tool, 1000, "64");
	test_file(tool, 1 << 20, "64");
	test_file(tool, 3 * (1 << 20) + 12345, "256");
	return wd_exit();
}
