// SPDX-License-Identifier: GPL-2.0
/*
 * wd-gzip: compress a file to FILE.gz through a WarpDrive device, with the
 * file I/O and the compression on one io_uring ring.
 *
 * The file is cut into chunks; each chunk is a READ linked to a COMPRESS
 * (gzip), so the compression starts the moment its data is in, and
 * several chunks are in flight at once. Each chunk becomes one gzip
 * member; a file of several members is a valid gzip file (RFC 1952, 2.2),
 * which gzip -d and gzip -t accept. The WRITE of a chunk follows its
 * COMPRESS's completion rather than being linked to it: a write's length
 * is fixed when it is submitted, and only the completion knows how many
 * bytes the compressed chunk has. Writes go out in file order as soon as
 * every earlier chunk's size is known.
 *
 * --bench compresses the file in memory instead and compares, on the same
 * data and level, the device with 1 and with 2 engine threads against
 * user-space zlib on this thread: MB/s and this thread's CPU time per MB.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>
#include <liburing.h>
#include <liburing-accel.h>
#include "wd-tool.h"

#define MAX_INFLIGHT	8

enum stage { ST_FREE, ST_COMPRESSING, ST_COMPRESSED, ST_WRITING };

struct chunk {
	enum stage	stage;
	uint64_t	index;		/* which chunk of the file */
	uint32_t	in_len;
	int32_t		out_len;
	uint8_t		*in, *out;
};

static struct {
	int		dev, in, out;
	unsigned int	level;
	size_t		chunk;
	uint32_t	out_cap;
	int		progress;
} opt = { .level = 6, .chunk = 1 << 20 };

/* deflate's worst case for @n bytes, plus a gzip header and trailer */
static uint32_t gzip_bound(size_t n)
{
	return n + (n >> 12) + (n >> 14) + 64;
}

/* user_data: the chunk's slot in the low byte, the stage above it. */
#define UD(slot, what)	(((uint64_t)(what) << 8) | (slot))
enum { UD_READ = 1, UD_COMPRESS, UD_WRITE };

static int gzip_file(uint64_t size)
{
	struct chunk c[MAX_INFLIGHT];
	uint64_t next = 0, nr = (size + opt.chunk - 1) / opt.chunk;
	uint64_t written = 0, out_off = 0, next_write = 0;
	struct io_uring ring;
	double t0 = wd_now();
	int i, ret, busy = 0;

	if (!nr)
		nr = 1;	/* an empty file still becomes one gzip member */
	ret = io_uring_queue_init(4 * MAX_INFLIGHT, &ring, 0);
	if (ret)
		return ret;
	for (i = 0; i < MAX_INFLIGHT; i++) {
		c[i].stage = ST_FREE;
		c[i].in = malloc(opt.chunk);
		c[i].out = malloc(opt.out_cap);
		if (!c[i].in || !c[i].out)
			return -ENOMEM;
	}

	while (next_write < nr) {
		struct io_uring_cqe *cqe;
		struct io_uring_sqe *sqe;

		/* start chunks into free slots: READ -> COMPRESS, linked */
		for (i = 0; i < MAX_INFLIGHT && next < nr; i++) {
			if (c[i].stage != ST_FREE)
				continue;
			c[i].index = next++;
			c[i].in_len = size - c[i].index * opt.chunk < opt.chunk ?
				      size - c[i].index * opt.chunk : opt.chunk;
			c[i].stage = ST_COMPRESSING;
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, opt.in, c[i].in, c[i].in_len,
					   c[i].index * opt.chunk);
			sqe->flags |= IOSQE_IO_LINK;
			io_uring_sqe_set_data64(sqe, UD(i, UD_READ));
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_accel_compress(sqe, opt.dev, c[i].out,
						     opt.out_cap, c[i].in,
						     c[i].in_len, WD_COMP_GZIP,
						     opt.level);
			/* issued after the READ: its slot may be reused */
			io_uring_accel_sqe_deferred(sqe);
			io_uring_sqe_set_data64(sqe, UD(i, UD_COMPRESS));
			busy++;
		}
		/* writes in file order, once the sizes before them are known */
		for (i = 0; i < MAX_INFLIGHT; i++) {
			if (c[i].stage != ST_COMPRESSED ||
			    c[i].index != next_write)
				continue;
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_write(sqe, opt.out, c[i].out,
					    c[i].out_len, out_off);
			io_uring_sqe_set_data64(sqe, UD(i, UD_WRITE));
			out_off += c[i].out_len;
			c[i].stage = ST_WRITING;
			next_write++;
			i = -1;	/* the next one may be ready too */
		}
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0)
			return ret;
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			int slot = cqe->user_data & 0xff;
			int what = cqe->user_data >> 8;
			int res = cqe->res;

			io_uring_cqe_seen(&ring, cqe);
			if (what == UD_READ) {
				if (res != (int)c[slot].in_len) {
					fprintf(stderr, "wd-gzip: read: %s\n",
						strerror(res < 0 ? -res : EIO));
					return res < 0 ? res : -EIO;
				}
			} else if (what == UD_COMPRESS) {
				if (res < 0) {
					fprintf(stderr, "wd-gzip: compress: %s\n",
						strerror(-res));
					return res;
				}
				c[slot].out_len = res;
				c[slot].stage = ST_COMPRESSED;
			} else {
				if (res != c[slot].out_len) {
					fprintf(stderr, "wd-gzip: write: %s\n",
						strerror(res < 0 ? -res : EIO));
					return res < 0 ? res : -EIO;
				}
				written += c[slot].in_len;
				c[slot].stage = ST_FREE;
				busy--;
				if (opt.progress)
					fprintf(stderr, "\r%3.0f%%  %llu of %llu MiB  %.1f MB/s ",
						size ? 100.0 * written / size : 100.0,
						(unsigned long long)written >> 20,
						(unsigned long long)size >> 20,
						written / (wd_now() - t0) / 1e6);
			}
		}
	}
	/* the last writes */
	while (busy) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(&ring, &cqe))
			break;
		if ((cqe->user_data >> 8) == UD_WRITE)
			busy--;
		io_uring_cqe_seen(&ring, cqe);
	}
	if (opt.progress)
		fprintf(stderr, "\n");
	io_uring_queue_exit(&ring);
	for (i = 0; i < MAX_INFLIGHT; i++) {
		free(c[i].in);
		free(c[i].out);
	}
	printf("%llu bytes -> %llu bytes (%.1f%%) in %.2f s\n",
	       (unsigned long long)size, (unsigned long long)out_off,
	       size ? 100.0 * out_off / size : 0.0, wd_now() - t0);
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int set_engines(const char *dev, int n)
{
	char path[128], buf[16];
	int f, len, ret = 0;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/engines", dev);
	f = open(path, O_WRONLY);
	if (f < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d", n);
	if (write(f, buf, len) != len)
		ret = -errno;
	close(f);
	return ret;
}

/*
 * The file in memory, cut in chunks, compressed @rounds times: through the
 * device (all chunks of a round in flight at once) or with zlib here.
 */
static int bench_one(const char *label, const uint8_t *data, size_t size,
		     int engines, const char *dev)
{
	size_t nr = (size + opt.chunk - 1) / opt.chunk, i;
	uint8_t *out = malloc(nr * (size_t)opt.out_cap);
	double t0, c0, t, c;
	size_t total = 0;
	int rounds = 0;
	struct io_uring ring;

	if (!out || (engines && io_uring_queue_init(nr < 8 ? 8 : nr, &ring, 0)))
		return -ENOMEM;
	if (engines && set_engines(dev, engines)) {
		printf("%-34s (no engines knob)\n", label);
		io_uring_queue_exit(&ring);
		free(out);
		return 0;
	}
	t0 = wd_now();
	c0 = cpu_seconds();
	do {
		for (i = 0; i < nr; i++) {
			size_t n = size - i * opt.chunk < opt.chunk ?
				   size - i * opt.chunk : opt.chunk;

			if (engines) {
				io_uring_prep_accel_compress(io_uring_get_sqe(&ring),
					opt.dev, out + i * opt.out_cap,
					opt.out_cap, data + i * opt.chunk, n,
					WD_COMP_GZIP, opt.level);
			} else {
				z_stream s = { 0 };

				deflateInit2(&s, opt.level, Z_DEFLATED, 31, 8,
					     Z_DEFAULT_STRATEGY);
				s.next_in = (Bytef *)data + i * opt.chunk;
				s.avail_in = n;
				s.next_out = out + i * opt.out_cap;
				s.avail_out = opt.out_cap;
				deflate(&s, Z_FINISH);
				deflateEnd(&s);
			}
		}
		if (engines) {
			struct io_uring_cqe *cqe;

			io_uring_submit_and_wait(&ring, nr);
			for (i = 0; i < nr; i++) {
				io_uring_wait_cqe(&ring, &cqe);
				if (cqe->res < 0) {
					fprintf(stderr, "wd-gzip: %s\n",
						strerror(-cqe->res));
					return cqe->res;
				}
				io_uring_cqe_seen(&ring, cqe);
			}
		}
		total += size;
		rounds++;
		t = wd_now() - t0;
	} while (t < 2.0 || rounds < 2);
	c = cpu_seconds() - c0;
	printf("%-34s %8.1f MB/s %10.1f ms CPU/MB\n", label, total / t / 1e6,
	       c * 1e3 / (total / 1e6));
	if (engines)
		io_uring_queue_exit(&ring);
	free(out);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wd-gzip [-d DEVICE] [-l LEVEL] [-c CHUNK_KIB] [-p] FILE [OUT]\n"
		"       wd-gzip --bench [-d DEVICE] [-l LEVEL] [-c CHUNK_KIB] FILE\n"
		"Compress FILE to OUT (default FILE.gz) through a WarpDrive device:\n"
		"READ and gzip COMPRESS linked per chunk on one io_uring ring, each\n"
		"chunk a gzip member, writes following in file order.\n"
		"  -d, --device NAME   device (default: the first that compresses)\n"
		"  -l, --level N       zlib level 0..9 (default 6)\n"
		"  -c, --chunk KIB     chunk size in KiB (default 1024; less if the\n"
		"                      device compresses less in one request)\n"
		"  -p, --progress      show progress on stderr\n"
		"  -b, --bench         compare engines 1 and 2 with zlib here\n"
		"  -h, --help          this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "level", required_argument, NULL, 'l' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "progress", no_argument, NULL, 'p' },
		{ "bench", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char name[64] = "", outpath[4096];
	struct wd_features f;
	int c, bench = 0, ret;
	struct stat st;

	while ((c = getopt_long(argc, argv, "d:l:c:pbh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			snprintf(name, sizeof(name), "%s", optarg);
			break;
		case 'l':
			opt.level = atoi(optarg);
			break;
		case 'c':
			opt.chunk = (size_t)atoi(optarg) << 10;
			break;
		case 'p':
			opt.progress = 1;
			break;
		case 'b':
			bench = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || opt.level > 9 || !opt.chunk ||
	    opt.chunk > (64u << 20)) {
		usage(stderr);
		return 2;
	}
	opt.out_cap = gzip_bound(opt.chunk);
	opt.dev = name[0] ? io_uring_accel_open(name, O_RDWR) :
		  io_uring_accel_open_op(WD_OP_COMPRESS, O_RDWR, name,
					 sizeof(name));
	if (opt.dev < 0) {
		fprintf(stderr, "wd-gzip: no device: %s\n", strerror(-opt.dev));
		return 1;
	}
	/*
	 * A device that compresses less per request (crypto0 on the CPU's
	 * deflate: 128 KiB) gets chunks whose worst case fits its limit.
	 */
	if (!io_uring_accel_probe(opt.dev, &f) && f.comp_max_len &&
	    gzip_bound(opt.chunk) > f.comp_max_len) {
		opt.chunk = (f.comp_max_len - f.comp_max_len / 64) & ~1023u;
		opt.out_cap = gzip_bound(opt.chunk);
		fprintf(stderr, "wd-gzip: %s compresses at most %u bytes a request: %zu KiB chunks\n",
			name, f.comp_max_len,
			opt.chunk >> 10);
	}
	opt.in = open(argv[optind], O_RDONLY);
	if (opt.in < 0 || fstat(opt.in, &st)) {
		perror(argv[optind]);
		return 1;
	}

	if (bench) {
		uint8_t *data = mmap(NULL, st.st_size ? st.st_size : 1,
				     PROT_READ, MAP_PRIVATE, opt.in, 0);

		if (data == MAP_FAILED)
			return 1;
		printf("%s: %lld bytes, level %u, %zu KiB chunks, device %s\n",
		       argv[optind], (long long)st.st_size, opt.level,
		       opt.chunk >> 10, name);
		printf("%-34s %13s %18s\n", "", "throughput",
		       "submitter CPU");
		ret = bench_one("WarpDrive, 1 engine thread", data,
				st.st_size, 1, name) ||
		      bench_one("WarpDrive, 2 engine threads", data,
				st.st_size, 2, name) ||
		      bench_one("zlib on this thread", data, st.st_size, 0,
				name);
		set_engines(name, 1);
		return ret ? 1 : 0;
	}

	if (optind + 1 < argc)
		snprintf(outpath, sizeof(outpath), "%s", argv[optind + 1]);
	else
		snprintf(outpath, sizeof(outpath), "%s.gz", argv[optind]);
	opt.out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (opt.out < 0) {
		perror(outpath);
		return 1;
	}
	ret = gzip_file(st.st_size);
	if (ret) {
		fprintf(stderr, "wd-gzip: %s\n", strerror(-ret));
		unlink(outpath);
		return 1;
	}
	close(opt.out);
	return 0;
}
