// SPDX-License-Identifier: GPL-2.0
/*
 * accelctl: see the WarpDrive devices of this machine, one in detail, and
 * check that one works.
 *
 *   accelctl [--json] [list]
 *   accelctl [--json] show NAME
 *   accelctl [--json] self-test NAME
 *
 * Everything shown comes from sysfs (/sys/class/warpdrive/NAME/), which
 * anyone may read; `show` adds what the device itself reports through
 * WD_CMD_GET_FEATURES when the caller may open it, and for a crypto
 * device (crypto0) its algorithms, who serves each and every provider the
 * kernel has (/proc/crypto). `self-test` runs every op the device lists
 * on a private ring and checks each result against the CPU's (the crypto
 * ops: against known answers from the standards).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <liburing.h>
#include <liburing-accel.h>
#include "wd-tool.h"
#include "../selftests/wd_ref.h"

#define ACCELCTL_VERSION	"0.1"
#define SYSFS_DIR		"/sys/class/warpdrive"
#define MAX_DEVS		64
#define NAME_LEN		64

static int json;

/* ---- sysfs ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Device names, sorted; returns how many (0 when there is no class). */
static int list_devices(char names[][NAME_LEN], int max)
{
	DIR *d = opendir(SYSFS_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= NAME_LEN)
			continue;
		strcpy(names[n++], e->d_name);
	}
	closedir(d);
	qsort(names, n, NAME_LEN, name_cmp);
	return n;
}

/* The address mode named by the device's flags. */
static const char *address_mode(const char *flags)
{
	if (strstr(flags, "pinned"))
		return "pinned";
	if (strstr(flags, "cpu_sva"))
		return "cpu_sva";
	if (strstr(flags, "sva"))
		return "sva";
	return "unknown";
}

/* The device's bus address (its parent in sysfs), or "" without one. */
static void parent_of(const char *dev, char *buf, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_DIR "/%s/device", dev);
	n = readlink(path, target, sizeof(target) - 1);
	buf[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (strlen(base) < size)
		strcpy(buf, base);
}

/* ---- output ---- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* A space-separated sysfs list as a JSON array of strings. */
static void json_list(const char *s)
{
	char buf[1024], *tok, *save;
	int first = 1;

	snprintf(buf, sizeof(buf), "%s", s);
	putchar('[');
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		printf("%s", first ? "" : ", ");
		json_str(tok);
		first = 0;
	}
	putchar(']');
}

/* What list and show both report, read once. */
struct dev_info {
	char name[NAME_LEN];
	char driver[64], ops[512], flags[128], formats[128], parent[128];
	long long max_len, comp_max_len, nr_queues, numa_node, inline_max;
	long long coalesce;
	long long submitted, completed, failed, canceled, doorbells;
};

static int read_info(const char *name, struct dev_info *di)
{
	memset(di, 0, sizeof(*di));
	snprintf(di->name, sizeof(di->name), "%s", name);
	if (wd_sysfs_str(name, "driver", di->driver, sizeof(di->driver)))
		return -ENODEV;
	wd_sysfs_str(name, "ops", di->ops, sizeof(di->ops));
	wd_sysfs_str(name, "flags", di->flags, sizeof(di->flags));
	wd_sysfs_str(name, "formats", di->formats, sizeof(di->formats));
	parent_of(name, di->parent, sizeof(di->parent));
	di->max_len = wd_sysfs_num(name, "max_len");
	/* a module older than the attribute: read as max_len */
	di->comp_max_len = wd_sysfs_num(name, "comp_max_len");
	if (di->comp_max_len < 0)
		di->comp_max_len = di->formats[0] ? di->max_len : 0;
	di->nr_queues = wd_sysfs_num(name, "nr_queues");
	di->numa_node = wd_sysfs_num(name, "numa_node");
	di->inline_max = wd_sysfs_num(name, "inline_max");
	di->coalesce = wd_sysfs_num(name, "coalesce");
	di->submitted = wd_sysfs_num(name, "submitted");
	di->completed = wd_sysfs_num(name, "completed");
	di->failed = wd_sysfs_num(name, "failed");
	di->canceled = wd_sysfs_num(name, "canceled");
	di->doorbells = wd_sysfs_num(name, "doorbells");
	return 0;
}

static void json_info(const struct dev_info *di)
{
	printf("{\"name\": ");
	json_str(di->name);
	printf(", \"node\": \"/dev/warpdrive/%s\", \"driver\": ", di->name);
	json_str(di->driver);
	printf(", \"parent\": ");
	if (di->parent[0])
		json_str(di->parent);
	else
		printf("null");
	printf(", \"address_mode\": \"%s\", \"flags\": ",
	       address_mode(di->flags));
	json_list(di->flags);
	printf(", \"ops\": ");
	json_list(di->ops);
	printf(", \"formats\": ");
	json_list(di->formats);
	printf(", \"max_len\": %lld, \"comp_max_len\": %lld, "
	       "\"queues\": %lld, \"numa_node\": %lld, "
	       "\"inline_max\": %lld, \"coalesce\": %lld, "
	       "\"counters\": {\"submitted\": %lld, \"completed\": %lld, "
	       "\"in_flight\": %lld, \"failed\": %lld, \"canceled\": %lld, "
	       "\"doorbells\": %lld}",
	       di->max_len, di->comp_max_len, di->nr_queues, di->numa_node,
	       di->inline_max, di->coalesce, di->submitted, di->completed,
	       di->submitted - di->completed, di->failed, di->canceled,
	       di->doorbells);
}

/* ---- list ---- */

/* A space-separated list as one column: "a,b,c" (in place). */
static char *commas(char *list)
{
	char *p;

	for (p = list; *p; p++)
		if (*p == ' ')
			*p = ',';
	return list;
}

static int cmd_list(void)
{
	char names[MAX_DEVS][NAME_LEN];
	int i, n = list_devices(names, MAX_DEVS);
	struct dev_info di;

	if (json) {
		printf("{\"devices\": [");
		for (i = 0; i < n; i++) {
			if (read_info(names[i], &di))
				continue;
			printf("%s", i ? ", " : "");
			json_info(&di);
			printf("}");
		}
		printf("]}\n");
		return 0;
	}
	if (!n) {
		printf("no WarpDrive devices (is the warpdrive module loaded?)\n");
		return 0;
	}
	printf("%-8s %-6s %-8s %-13s %6s %4s %9s %9s %6s  %-26s %s\n", "NAME",
	       "DRIVER", "MODE", "PARENT", "QUEUES", "NUMA", "SUBMITTED",
	       "IN-FLIGHT", "FAILED", "FORMATS", "OPS");
	for (i = 0; i < n; i++) {
		if (read_info(names[i], &di))
			continue;
		printf("%-8s %-6s %-8s %-13s %6lld %4lld %9lld %9lld %6lld  %-26s %s\n",
		       di.name, di.driver, address_mode(di.flags),
		       di.parent[0] ? di.parent : "-", di.nr_queues,
		       di.numa_node, di.submitted,
		       di.submitted - di.completed, di.failed,
		       di.formats[0] ? commas(di.formats) : "-", commas(di.ops));
	}
	return 0;
}

/* ---- show ---- */

/* sysfs entries every device has (the rest are its driver's). */
static const char *const core_attrs[] = {
	"driver", "ops", "flags", "formats", "max_len", "comp_max_len",
	"nr_queues",
	"numa_node", "inline_max", "coalesce", "submitted", "completed",
	"failed", "canceled", "doorbells", "dev", "uevent", NULL,
};

static int is_core_attr(const char *a)
{
	int i;

	for (i = 0; core_attrs[i]; i++)
		if (!strcmp(a, core_attrs[i]))
			return 1;
	return 0;
}

/*
 * The driver's own knobs and counters: the device directory's regular
 * files that are not the core's. Calls @fn for each readable one.
 */
static void driver_attrs(const char *dev,
			 void (*fn)(const char *attr, const char *val, int *n),
			 int *n)
{
	char path[PATH_MAX], val[256];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), SYSFS_DIR "/%s", dev);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		/* algorithms is a table: show prints it on its own */
		if (e->d_type != DT_REG || is_core_attr(e->d_name) ||
		    !strcmp(e->d_name, "algorithms"))
			continue;
		if (wd_sysfs_str(dev, e->d_name, val, sizeof(val)))
			continue;
		fn(e->d_name, val, n);
	}
	closedir(d);
}

static void print_attr(const char *attr, const char *val, int *n)
{
	(*n)++;
	printf("  %-18s %s\n", attr, val);
}

static void json_attr(const char *attr, const char *val, int *n)
{
	printf("%s", (*n)++ ? ", " : "");
	json_str(attr);
	printf(": ");
	json_str(val);
}

/*
 * A crypto device's algorithms: sysfs "algorithms" has a line per
 * algorithm (name, kind, the implementation the crypto API picks, hw or
 * cpu, sync or async); every implementation of each is in /proc/crypto.
 */
static void show_algorithms(const char *name)
{
	char path[PATH_MAX], line[256], alg[64], kind[16], impl[128];
	char hw[8], mode[8], pname[128] = "", pdrv[128] = "";
	char pmod[64] = "", prio[16] = "";
	FILE *f, *pc;
	int n = 0, m;

	snprintf(path, sizeof(path), SYSFS_DIR "/%s/algorithms", name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (json)
		printf(", \"algorithms\": [");
	else
		printf("  algorithms         (the crypto API's choice; every provider)\n");
	while (fgets(line, sizeof(line), f)) {
		m = sscanf(line, "%63s %15s %127s %7s %7s", alg, kind, impl, hw,
			   mode);
		if (m < 3)
			continue;
		if (m < 5)
			hw[0] = mode[0] = '\0';
		if (json) {
			printf("%s{\"name\": ", n++ ? ", " : "");
			json_str(alg);
			printf(", \"kind\": ");
			json_str(kind);
			printf(", \"driver\": ");
			json_str(impl);
			printf(", \"hardware\": %s, \"providers\": [",
			       strcmp(hw, "hw") ? "false" : "true");
		} else {
			printf("    %-14s %-9s %s%s%s%s%s\n", alg, kind, impl,
			       m == 5 ? " (" : "", m == 5 ? hw : "",
			       m == 5 ? ", " : "", m == 5 ? mode : "");
			if (m == 5)
				printf("    %-14s %-9s", "", "providers:");
		}
		pc = fopen("/proc/crypto", "r");
		m = 0;
		while (pc && fgets(line, sizeof(line), pc)) {
			if (sscanf(line, "name : %127s", pname) == 1 ||
			    sscanf(line, "driver : %127s", pdrv) == 1 ||
			    sscanf(line, "module : %63s", pmod) == 1 ||
			    sscanf(line, "priority : %15s", prio) == 1)
				continue;
			if (strncmp(line, "internal", 8) || !strstr(line, "no") ||
			    strcmp(pname, alg))
				continue;
			if (json) {
				printf("%s", m++ ? ", " : "");
				json_str(pdrv);
			} else {
				printf(" %s%s[%s, %s]", m++ ? "" : "", pdrv,
				       pmod, prio);
			}
		}
		if (pc)
			fclose(pc);
		if (json)
			printf("]}");
		else if (hw[0])
			printf("%s\n", m ? "" : " -");
	}
	fclose(f);
	if (json)
		printf("]");
}

static int cmd_show(const char *name)
{
	struct wd_features f;
	struct dev_info di;
	int fd, ret, n = 0;

	if (read_info(name, &di)) {
		fprintf(stderr, "accelctl: no device %s\n", name);
		return 1;
	}
	fd = io_uring_accel_open(name, O_RDWR);
	ret = fd < 0 ? fd : io_uring_accel_probe(fd, &f);
	if (fd >= 0)
		close(fd);

	if (json) {
		json_info(&di);
		printf(", \"driver_attrs\": {");
		driver_attrs(name, json_attr, &n);
		printf("}");
		show_algorithms(name);
		printf(", \"features\": ");
		if (ret < 0)
			printf("{\"error\": \"%s\"}", strerror(-ret));
		else
			printf("{\"abi_version\": %u, \"ops_mask\": \"0x%llx\", "
			       "\"op_flags\": \"0x%llx\", \"dev_flags\": \"0x%llx\", "
			       "\"comp_formats\": \"0x%llx\"}",
			       f.abi_version, (unsigned long long)f.ops,
			       (unsigned long long)f.op_flags,
			       (unsigned long long)f.dev_flags,
			       (unsigned long long)f.comp_formats);
		printf("}\n");
		return 0;
	}
	printf("%s\n", name);
	printf("  %-18s /dev/warpdrive/%s\n", "node", name);
	printf("  %-18s %s\n", "driver", di.driver);
	printf("  %-18s %s\n", "parent", di.parent[0] ? di.parent : "-");
	printf("  %-18s %s (%s)\n", "address mode", address_mode(di.flags),
	       di.flags);
	printf("  %-18s %s\n", "ops", di.ops);
	printf("  %-18s %s\n", "formats", di.formats[0] ? di.formats : "-");
	printf("  %-18s %lld bytes\n", "max_len", di.max_len);
	if (di.formats[0])
		printf("  %-18s %lld bytes\n", "comp_max_len",
		       di.comp_max_len);
	printf("  %-18s %lld\n", "queues", di.nr_queues);
	printf("  %-18s %lld\n", "numa node", di.numa_node);
	printf("  %-18s %lld bytes\n", "inline_max", di.inline_max);
	printf("  %-18s %s\n", "coalesce", di.coalesce ? "on" : "off");
	printf("  counters\n");
	printf("  %-18s %lld\n", "  submitted", di.submitted);
	printf("  %-18s %lld\n", "  completed", di.completed);
	printf("  %-18s %lld\n", "  in flight", di.submitted - di.completed);
	printf("  %-18s %lld\n", "  failed", di.failed);
	printf("  %-18s %lld\n", "  canceled", di.canceled);
	printf("  %-18s %lld\n", "  doorbells", di.doorbells);
	printf("  driver attributes\n");
	driver_attrs(name, print_attr, &n);
	if (!n)
		printf("    (none)\n");
	show_algorithms(name);
	if (ret < 0)
		printf("  %-18s cannot open the device: %s\n", "features",
		       strerror(-ret));
	else
		printf("  %-18s ABI %u, ops 0x%llx, op flags 0x%llx\n",
		       "features", f.abi_version, (unsigned long long)f.ops,
		       (unsigned long long)f.op_flags);
	return 0;
}

/* ---- self-test ---- */

struct selftest {
	struct io_uring ring;
	int fd;
	int passed, failed;
	unsigned int max;	/* bytes per buffer */
	uint8_t *a, *b, *c, *d;
};

static void report(struct selftest *t, int ok, const char *fmt, ...)
{
	va_list ap;

	ok ? t->passed++ : t->failed++;
	if (json) {
		char what[256];

		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		printf("%s{\"test\": ", t->passed + t->failed > 1 ? ", " : "");
		json_str(what);
		printf(", \"ok\": %s}", ok ? "true" : "false");
		return;
	}
	printf("%-6s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Submit the prepared SQE, wait for its CQE: res, value in *value. */
static int run1(struct selftest *t, uint64_t *value)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit_and_wait(&t->ring, 1);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(&t->ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	if (value)
		*value = io_uring_cqe_accel_value(cqe);
	io_uring_cqe_seen(&t->ring, cqe);
	return ret;
}

static struct io_uring_sqe *sqe_of(struct selftest *t)
{
	return io_uring_get_sqe(&t->ring);
}

static void test_copy(struct selftest *t, unsigned int len, unsigned int off)
{
	int res;

	ref_random_fill(t->a, len + off, len);
	memset(t->b, 0x5a, len + off + 1);
	io_uring_prep_accel_copy(sqe_of(t), t->fd, t->b + off, t->a + off, len);
	res = run1(t, NULL);
	report(t, res == (int)len && !memcmp(t->a + off, t->b + off, len) &&
	       t->b[off + len] == 0x5a,
	       "copy %u bytes at offset %u (%d)", len, off, res);
}

static void test_fill(struct selftest *t, unsigned int len)
{
	uint64_t pat = 0x0123456789abcdefULL;
	unsigned int i, bad = 0;
	int res;

	io_uring_prep_accel_fill(sqe_of(t), t->fd, t->b, pat, len);
	res = run1(t, NULL);
	for (i = 0; i < len; i++)
		bad += t->b[i] != ref_pattern_byte(pat, i);
	report(t, res == (int)len && !bad, "fill %u bytes (%d)", len, res);
}

static void test_compare(struct selftest *t, unsigned int len)
{
	int same, diff;

	ref_random_fill(t->a, len, 7);
	memcpy(t->b, t->a, len);
	io_uring_prep_accel_compare(sqe_of(t), t->fd, t->a, t->b, len);
	same = run1(t, NULL);
	t->b[len / 3] ^= 1;
	io_uring_prep_accel_compare(sqe_of(t), t->fd, t->a, t->b, len);
	diff = run1(t, NULL);
	report(t, same == (int)len && diff == (int)(len / 3),
	       "compare %u bytes: equal (%d), first difference (%d)", len,
	       same, diff);
}

static void test_compare_pattern(struct selftest *t, unsigned int len)
{
	uint64_t pat = 0xfeedfacecafebeefULL;
	int same, diff;

	ref_pattern_fill(t->a, len, pat);
	io_uring_prep_accel_compare_pattern(sqe_of(t), t->fd, t->a, pat, len);
	same = run1(t, NULL);
	t->a[len - 5] ^= 0x80;
	io_uring_prep_accel_compare_pattern(sqe_of(t), t->fd, t->a, pat, len);
	diff = run1(t, NULL);
	report(t, same == (int)len && diff == (int)(len - 5),
	       "compare_pattern %u bytes: equal (%d), first difference (%d)",
	       len, same, diff);
}

static void test_crc32c(struct selftest *t, unsigned int len, int copy)
{
	uint32_t want;
	uint64_t v = 0;
	int res;

	ref_random_fill(t->a, len, 3);
	want = ref_crc32c(0xffffffff, t->a, len);
	memset(t->b, 0, len);
	if (copy)
		io_uring_prep_accel_copy_crc32c(sqe_of(t), t->fd, t->b, t->a,
						len, 0xffffffff);
	else
		io_uring_prep_accel_crc32c(sqe_of(t), t->fd, t->a, len,
					   0xffffffff);
	res = run1(t, &v);
	report(t, res == (int)len && (uint32_t)v == want &&
	       (!copy || !memcmp(t->a, t->b, len)),
	       "%s %u bytes: 0x%08x, expected 0x%08x", copy ? "copy_crc32c" :
	       "crc32c", len, (uint32_t)v, want);
}

static void test_dualcast(struct selftest *t, unsigned int len)
{
	int res;

	ref_random_fill(t->a, len, 11);
	memset(t->b, 0, len);
	memset(t->c, 0, len);
	io_uring_prep_accel_dualcast(sqe_of(t), t->fd, t->b, t->c, t->a, len);
	res = run1(t, NULL);
	report(t, res == (int)len && !memcmp(t->a, t->b, len) &&
	       !memcmp(t->a, t->c, len), "dualcast %u bytes (%d)", len, res);
}

static const char *const format_names[WD_COMP_FORMAT_END] = {
	[WD_COMP_DEFLATE] = "deflate", [WD_COMP_ZLIB] = "zlib",
	[WD_COMP_GZIP] = "gzip", [WD_COMP_ZSTD] = "zstd", [WD_COMP_LZ4] = "lz4",
};

/*
 * Text-like input that compresses: a round trip on the device, and for
 * the zlib family, zlib itself must read what the device wrote.
 */
static void test_compression(struct selftest *t, unsigned int len,
			     unsigned int format, int can_decompress)
{
	static const int zlib_bits[] = {
		[WD_COMP_DEFLATE] = -15, [WD_COMP_ZLIB] = 15,
		[WD_COMP_GZIP] = 16 + 15,
	};
	unsigned int i;
	int clen, dlen = -1, zok = 1;

	for (i = 0; i < len; i++)
		t->a[i] = "the quick brown fox jumps over the lazy dog\n"[i % 44];
	/* level 1; LZ4 has level 0 only */
	io_uring_prep_accel_compress(sqe_of(t), t->fd, t->b, t->max, t->a, len,
				     format, format == WD_COMP_LZ4 ? 0 : 1);
	clen = run1(t, NULL);
	if (clen > 0 && can_decompress) {
		memset(t->c, 0, len);
		io_uring_prep_accel_decompress(sqe_of(t), t->fd, t->c, t->max,
					       t->b, clen, format);
		dlen = run1(t, NULL);
	}
	if (clen > 0 && format <= WD_COMP_GZIP) {
		z_stream z = { 0 };

		zok = inflateInit2(&z, zlib_bits[format]) == Z_OK;
		z.next_in = t->b;
		z.avail_in = clen;
		z.next_out = t->d;
		z.avail_out = t->max;
		zok = zok && inflate(&z, Z_FINISH) == Z_STREAM_END &&
		      z.total_out == len && !memcmp(t->d, t->a, len);
		inflateEnd(&z);
	}
	report(t, clen > 0 && clen < (int)len && zok &&
	       (!can_decompress || (dlen == (int)len &&
				    !memcmp(t->c, t->a, len))),
	       "%s %u bytes: compressed to %d%s%s", format_names[format], len,
	       clen, can_decompress ? ", decompressed on the device" : "",
	       format <= WD_COMP_GZIP ? ", zlib agrees" : "");
}

/* ---- self-test: crypto ---- */


/* One known answer per algorithm, from its standard (see selftests/crypto) */
static const struct crypto_kat {
	const char *alg, *key, *iv, *aad, *pt, *ct, *tag;
} crypto_kats[] = {
	/* NIST SP 800-38A F.2.1, F.5.1 */
	{ "cbc(aes)", "2b7e151628aed2a6abf7158809cf4f3c",
	  "000102030405060708090a0b0c0d0e0f", "",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
	  "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2",
	  "" },
	{ "ctr(aes)", "2b7e151628aed2a6abf7158809cf4f3c",
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
	  "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff",
	  "" },
	/* IEEE 1619 XTS-AES-128 vector 2 */
	{ "xts(aes)", "1111111111111111111111111111111122222222222222222222222222222222",
	  "33333333330000000000000000000000", "",
	  "4444444444444444444444444444444444444444444444444444444444444444",
	  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0",
	  "" },
	/* the GCM specification's test case 4 */
	{ "gcm(aes)", "feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	/* FIPS 180-4 "abc"; RFC 4231 test case 2 (ct: the digest) */
	{ "sha256", "", NULL, NULL, "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  NULL },
	{ "sha512", "", NULL, NULL, "abc",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	  NULL },
	{ "hmac(sha256)", "4a656665", NULL, NULL,
	  "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  NULL },
};

static void test_crypto(struct selftest *t, const struct crypto_kat *k)
{
	uint8_t key[64], iv[16], aad[64], pt[64], ct[64], tag[64], otag[64];
	size_t kl = ref_unhex(k->key, key), il, al, pl, tl, i;
	struct wd_key_add info;
	struct wd_crypt p;
	int h, r, r2, ok;

	h = io_uring_accel_key_add(t->fd, k->alg, kl ? key : NULL, kl, 0,
				   &info);
	if (h < 0) {
		report(t, h == -ENOENT, "%s: %s", k->alg, h == -ENOENT ?
		       "no implementation in this kernel" : strerror(-h));
		return;
	}
	if (!k->iv) {
		pl = strlen(k->pt);
		tl = ref_unhex(k->ct, tag);
		memcpy(t->a, k->pt, pl);
		wd_crypt_prep(&p, h, NULL, 0, NULL, 0, otag);
		io_uring_prep_accel_digest(sqe_of(t), t->fd, t->a, pl, &p, 0);
		r = run1(t, NULL);
		report(t, r == (int)tl && !memcmp(otag, tag, tl),
		       "%s on %s (%s): known answer (%d)", k->alg, info.driver,
		       info.flags & WD_KEY_F_HARDWARE ? "hw" : "cpu", r);
		io_uring_accel_key_remove(t->fd, h);
		return;
	}
	il = ref_unhex(k->iv, iv);
	al = ref_unhex(k->aad, aad);
	pl = ref_unhex(k->pt, pt);
	tl = ref_unhex(k->tag, tag);
	ref_unhex(k->ct, ct);
	memcpy(t->a, pt, pl);
	wd_crypt_prep(&p, h, iv, il, al ? aad : NULL, al, tl ? otag : NULL);
	io_uring_prep_accel_encrypt(sqe_of(t), t->fd, t->b, t->a, pl, &p);
	r = run1(t, NULL);
	ok = r == (int)pl && !memcmp(t->b, ct, pl) &&
	     (!tl || !memcmp(otag, tag, tl));
	memcpy(t->a, ct, pl);
	wd_crypt_prep(&p, h, iv, il, al ? aad : NULL, al, tl ? tag : NULL);
	io_uring_prep_accel_decrypt(sqe_of(t), t->fd, t->c, t->a, pl, &p);
	r2 = run1(t, NULL);
	ok &= r2 == (int)pl && !memcmp(t->c, pt, pl);
	if (tl) {
		/* a tag that does not verify releases nothing */
		tag[0] ^= 1;
		memset(t->d, 0, pl);
		io_uring_prep_accel_decrypt(sqe_of(t), t->fd, t->d, t->a, pl,
					    &p);
		ok &= run1(t, NULL) == -EBADMSG;
		for (i = 0; i < pl; i++)
			ok &= !t->d[i];
	}
	report(t, ok, "%s on %s (%s): known answer both ways%s (%d, %d)",
	       k->alg, info.driver,
	       info.flags & WD_KEY_F_HARDWARE ? "hw" : "cpu",
	       tl ? ", a bad tag refused" : "", r, r2);
	io_uring_accel_key_remove(t->fd, h);
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static int cmd_self_test(const char *name)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	struct selftest t = { .max = 256 * 1024 };
	struct wd_features f;
	struct dev_info di;
	unsigned int i, len;
	uint8_t *mem;
	int ret;

	if (read_info(name, &di)) {
		fprintf(stderr, "accelctl: no device %s\n", name);
		return 1;
	}
	t.fd = io_uring_accel_open(name, O_RDWR);
	if (t.fd < 0) {
		fprintf(stderr, "accelctl: cannot open /dev/warpdrive/%s: %s\n",
			name, strerror(-t.fd));
		return 1;
	}
	ret = io_uring_queue_init_params(8, &t.ring, &p);
	if (ret) {
		fprintf(stderr, "accelctl: io_uring: %s\n", strerror(-ret));
		return 1;
	}
	/* a pinned-mode device pins every page: keep its buffers small */
	if (!strcmp(address_mode(di.flags), "pinned"))
		t.max = 16 * 1024;
	if (di.max_len > 0 && t.max > di.max_len)
		t.max = di.max_len;
	mem = mmap(NULL, 4 * (size_t)t.max + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "accelctl: out of memory\n");
		return 1;
	}
	t.a = mem;
	t.b = t.a + t.max;
	t.c = t.b + t.max + 4096;	/* b's guard byte must not be c's */
	t.d = t.c + t.max;
	len = t.max - 64;

	if (json) {
		printf("{\"device\": ");
		json_str(name);
		printf(", \"tests\": [");
	} else {
		printf("self-test of %s (%s, %s)\n", name, di.driver,
		       address_mode(di.flags));
	}

	ret = io_uring_accel_probe(t.fd, &f);
	report(&t, !ret && f.abi_version == WD_ABI_VERSION &&
	       (int)f.nr_queues == di.nr_queues,
	       "features: ABI %u, %u queues", ret ? 0 : f.abi_version,
	       ret ? 0 : f.nr_queues);
	if (has_word(di.ops, "nop")) {
		io_uring_prep_accel_nop(sqe_of(&t), t.fd, 0, 0, 0);
		ret = run1(&t, NULL);
		report(&t, ret == 0, "nop (%d)", ret);
	}
	if (has_word(di.ops, "copy")) {
		test_copy(&t, 1, 0);
		test_copy(&t, 4096 + 7, 13);
		test_copy(&t, len, 64);
	}
	if (has_word(di.ops, "fill"))
		test_fill(&t, len);
	if (has_word(di.ops, "compare"))
		test_compare(&t, len);
	if (has_word(di.ops, "compare_pattern"))
		test_compare_pattern(&t, len);
	if (has_word(di.ops, "crc32c"))
		test_crc32c(&t, len, 0);
	if (has_word(di.ops, "copy_crc32c"))
		test_crc32c(&t, len, 1);
	if (has_word(di.ops, "dualcast"))
		test_dualcast(&t, len);
	if (has_word(di.ops, "compress"))
		for (i = 0; i < WD_COMP_FORMAT_END; i++)
			if (has_word(di.formats, format_names[i]))
				test_compression(&t, len / 2, i,
						 has_word(di.ops, "decompress"));
	if (has_word(di.ops, "encrypt"))
		for (i = 0; i < sizeof(crypto_kats) / sizeof(crypto_kats[0]);
		     i++)
			test_crypto(&t, &crypto_kats[i]);

	if (json)
		printf("], \"passed\": %d, \"failed\": %d}\n", t.passed,
		       t.failed);
	else
		printf("%s: %d passed, %d failed\n", name, t.passed, t.failed);
	io_uring_queue_exit(&t.ring);
	close(t.fd);
	munmap(mem, 4 * (size_t)t.max + 4096);
	return t.failed ? 1 : 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: accelctl [--json] [list]\n"
		"       accelctl [--json] show NAME\n"
		"       accelctl [--json] self-test NAME\n"
		"\n"
		"See and check WarpDrive accelerator devices (/dev/warpdrive/NAME).\n"
		"\n"
		"Commands:\n"
		"  list            every device: driver, address mode, parent, queues,\n"
		"                  NUMA node, requests submitted, in flight and failed,\n"
		"                  compression formats, ops\n"
		"  show NAME       one device in detail: capabilities, counters, the\n"
		"                  driver's own attributes, what the device reports;\n"
		"                  for crypto0 each algorithm, the implementation\n"
		"                  that serves it and every provider the kernel has\n"
		"  self-test NAME  run every op the device lists on a private ring and\n"
		"                  check each result against the CPU's (crypto ops:\n"
		"                  against the standards' known answers); exits 1 on\n"
		"                  any failure\n"
		"\n"
		"Options:\n"
		"  -j, --json      machine-readable output (one JSON object)\n"
		"  -h, --help      this text\n"
		"  -V, --version   the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("accelctl %s (WarpDrive ABI %d)\n",
			       ACCELCTL_VERSION, WD_ABI_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	cmd = optind < argc ? argv[optind++] : "list";
	if (!strcmp(cmd, "list") && optind == argc)
		return cmd_list();
	if (!strcmp(cmd, "show") && optind + 1 == argc)
		return cmd_show(argv[optind]);
	if (!strcmp(cmd, "self-test") && optind + 1 == argc)
		return cmd_self_test(argv[optind]);
	usage(stderr);
	return 2;
}
