// SPDX-License-Identifier: GPL-2.0
/*
 * wd-bench: WarpDrive's figures, measured side by side in one run, so that
 * what is read is a ratio, never an absolute time on a shared machine.
 *
 *  1. ring floor: IORING_OP_NOP, a bare URING_CMD (/dev/null completes it
 *     at once), WarpDrive's NOP completed at issue and through the engine
 *     (plain, DEFER_TASKRUN and IOPOLL rings), batches of 1, 8, 32, 128;
 *  2. 64-byte COPYs: inline SQEs, descriptor batches, one ioctl per op;
 *  3. COPY, CRC32C and COMPRESS from 64 B to 4 MiB at queue depths 1, 8
 *     and 32 against the submitting thread doing the same (memcpy, an
 *     SSE4.2 CRC32C, zlib at the same level), and per engine thread count;
 *  4. the submitting thread's CPU time per op, offloaded against doing it;
 *  5. latency at queue depth 1 (p50, p99), and 5b. fairness: another
 *     process's 4 KiB COPY alone, while a third waits on a page nobody
 *     serves (userfaultfd), and while a third floods the engine;
 *  6. the hardware path: edu0 COPY with and without doorbell coalescing,
 *     interrupt-driven against IOPOLL;
 *  7. crypto0 against AF_ALG and OpenSSL;
 *  8. the peers: soft0 against a worker pool feeding the same ring, AF_ALG
 *     and the thread itself (wd-bench-peers.c).
 * Then the targets about time and bulk data with what was measured.
 * --count runs the deterministic mode instead (wd-bench-count.c): ring
 * paths, small ops and the peers' costs as instructions per op, in the
 * lab's counting VM. --json and --dat write the figures for scripts and
 * for the chart (scripts/bench/chart.gp).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <liburing.h>
#include <liburing-accel.h>
#include <zlib.h>
#include <linux/if_alg.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include "wd-tool.h"
#include "wd-bench.h"

double secs = 0.3;
const char *dev = "soft0";
int dfd, nullfd;
static FILE *json;
static int json_n;
uint8_t *src, *dst;	/* 32 MiB and 64 MiB, for the sized runs */

/* CPU time of this thread, in seconds. */
double thread_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* One JSON record: key/value pairs, values as printf formats. */
void record(const char *section, const char *fmt, ...)
{
	va_list ap;

	if (!json)
		return;
	fprintf(json, "%s\n  {\"section\": \"%s\", ", json_n++ ? "," : "",
		section);
	va_start(ap, fmt);
	vfprintf(json, fmt, ap);
	va_end(ap);
	fputc('}', json);
}

int sysfs_set(const char *d, const char *attr, long long v)
{
	char path[256];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", d, attr);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%lld", v) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

void die(const char *what, int err)
{
	fprintf(stderr, "wd-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

void ring_init(struct io_uring *ring, unsigned int entries,
		      unsigned int flags)
{
	struct io_uring_params p = { .flags = flags };
	int fds[2] = { dfd, nullfd };
	int ret;

	ret = io_uring_queue_init_params(entries, ring, &p);
	if (ret)
		die("io_uring_queue_init", ret);
	ret = io_uring_register_files(ring, fds, 2);
	if (ret)
		die("io_uring_register_files", ret);
}

/* ---- 1. ring floor ---------------------------------------------------- */

const char *const path_names[] = {
	[P_NOP]		= "IORING_OP_NOP",
	[P_NULL]	= "bare URING_CMD (/dev/null)",
	[P_WD_INLINE]	= "WarpDrive NOP, at issue",
	[P_WD_ENGINE]	= "WarpDrive NOP, engine",
	[P_WD_DEFER]	= "  ... DEFER_TASKRUN ring",
	[P_WD_IOPOLL]	= "  ... IOPOLL ring",
};

const char *const path_keys[] = {
	"ioring_nop", "uring_cmd_null", "wd_nop_inline", "wd_nop_engine",
	"wd_nop_engine_defer", "wd_nop_engine_iopoll",
};

unsigned int path_ring_flags(enum path p)
{
	if (p == P_WD_IOPOLL)
		return IORING_SETUP_IOPOLL;
	if (p == P_WD_DEFER)
		return IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	return 0;
}

void prep_path(struct io_uring_sqe *sqe, enum path p)
{
	switch (p) {
	case P_NOP:
		io_uring_prep_nop(sqe);
		return;
	case P_NULL:
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, 1, NULL, 0, 0);
		sqe->cmd_op = 0;
		break;
	default:
		io_uring_prep_accel_nop(sqe, 0,
					p == P_WD_INLINE ? WD_NOP_F_INLINE : 0,
					0, 0);
		break;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
}

/* Submit and reap @n already prepared SQEs; returns CQEs with res != 0. */
int submit_reap(struct io_uring *ring, unsigned int n, int want)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	int bad = 0, ret;

	ret = io_uring_submit_and_wait(ring, n);
	if (ret < 0)
		die("submit", ret);
	while (seen < n) {
		unsigned int got = 0;

		io_uring_for_each_cqe(ring, head, cqe) {
			if (cqe->res != want)
				bad++;
			got++;
		}
		io_uring_cq_advance(ring, got);
		seen += got;
		if (seen < n) {
			ret = io_uring_wait_cqe_nr(ring, &cqe, 1);
			if (ret)
				die("wait", ret);
		}
	}
	return bad;
}

/* NOP-like ops per second through path @p, @batch per submission. */
static double path_rate(enum path p, unsigned int batch)
{
	struct io_uring ring;
	unsigned long ops = 0;
	double t0, t;
	unsigned int i;
	int bad = 0;

	ring_init(&ring, 256, path_ring_flags(p));
	t0 = wd_now();
	do {
		for (i = 0; i < batch; i++)
			prep_path(io_uring_get_sqe(&ring), p);
		bad += submit_reap(&ring, batch, 0);
		ops += batch;
		t = wd_now();
	} while (t - t0 < secs);
	io_uring_queue_exit(&ring);
	if (bad)
		fprintf(stderr, "wd-bench: %s: %d completions failed\n",
			path_names[p], bad);
	return ops / (t - t0);
}

/*
 * Short measurements on a shared machine are disturbed from outside, never
 * helped: the best of a few is the figure least affected.
 */
#define TRIES	3

static const unsigned int batches[] = { 1, 8, 32, 128 };
#define NBATCH	4
static double ring_ns[P_END][NBATCH];

static void bench_ring(FILE *dat)
{
	double rate[P_END][NBATCH] = {};
	int b, p, t;

	printf("\n1. Ring floor: ns per op (ratio to IORING_OP_NOP at the same batch), best of %d\n",
	       TRIES);
	/*
	 * The paths take turns, try after try, so that a disturbance from
	 * outside hits them alike rather than one path's whole measurement.
	 */
	printf("   rounds:");
	for (t = 0; t < TRIES; t++) {
		printf(" %d", t + 1);
		fflush(stdout);
		for (b = 0; b < NBATCH; b++)
			for (p = 0; p < P_END; p++) {
				double r = path_rate(p, batches[b]);

				if (r > rate[p][b])
					rate[p][b] = r;
			}
	}
	printf("\n%-30s", "path \\ batch");
	for (b = 0; b < NBATCH; b++)
		printf(" %17u", batches[b]);
	printf("\n");
	for (p = 0; p < P_END; p++) {
		printf("%-30s", path_names[p]);
		for (b = 0; b < NBATCH; b++) {
			ring_ns[p][b] = 1e9 / rate[p][b];
			printf(" %9.0f (%5.2fx)", ring_ns[p][b],
			       ring_ns[p][b] / ring_ns[P_NOP][b]);
			record("ring", "\"path\": \"%s\", \"batch\": %u, "
			       "\"ops_per_s\": %.0f, \"ns_per_op\": %.1f, "
			       "\"vs_ioring_nop\": %.3f", path_keys[p],
			       batches[b], rate[p][b], ring_ns[p][b],
			       ring_ns[p][b] / ring_ns[P_NOP][b]);
		}
		printf("\n");
	}
	if (dat) {
		fprintf(dat, "# batch ns/op: ioring_nop uring_cmd_null wd_inline wd_engine wd_defer wd_iopoll\n");
		for (b = 0; b < NBATCH; b++) {
			fprintf(dat, "%u", batches[b]);
			for (p = 0; p < P_END; p++)
				fprintf(dat, " %.1f", ring_ns[p][b]);
			fprintf(dat, "\n");
		}
		fprintf(dat, "\n\n");
	}
}

/* ---- 2. 64-byte COPYs ------------------------------------------------- */

static double copy64_rate[CP_END];

static double small_copies(enum copy_path path)
{
	static uint8_t s[DESCS][64], d[DESCS][64];
	static struct wd_desc desc[DESCS];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	unsigned long ops = 0;
	double t0, t;
	int i, bad = 0;

	ring_init(&ring, 64, 0);
	t0 = wd_now();
	do {
		if (path == CP_IOCTL) {
			for (i = 0; i < 32; i++) {
				wd_desc_copy(&desc[i], d[i], s[i], 64);
				bad += io_uring_accel_submit_sync(dfd, &desc[i]) != 64;
			}
			ops += 32;
		} else if (path == CP_BATCH || path == CP_NOP_BATCH) {
			for (i = 0; i < DESCS; i++) {
				if (path == CP_BATCH)
					wd_desc_copy(&desc[i], d[i], s[i], 64);
				else
					wd_desc_prep(&desc[i], WD_OP_NOP, 0, 0,
						     0, 0, 0);
			}
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_accel_batch(sqe, 0, desc, DESCS);
			sqe->flags |= IOSQE_FIXED_FILE;
			bad += submit_reap(&ring, 1, DESCS);
			ops += DESCS;
			if (path == CP_NOP_BATCH)
				for (i = 0; i < DESCS; i++)
					bad += desc[i].status != 0;
		} else {
			for (i = 0; i < 32; i++) {
				sqe = io_uring_get_sqe(&ring);
				io_uring_prep_accel_copy(sqe, 0, d[i], s[i], 64);
				sqe->flags |= IOSQE_FIXED_FILE;
			}
			bad += submit_reap(&ring, 32, 64);
			ops += 32;
		}
		t = wd_now();
	} while (t - t0 < secs);
	io_uring_queue_exit(&ring);
	if (bad)
		die("64-byte COPY", EIO);
	return ops / (t - t0);
}

const char *const copy64_names[] = {
	"inline SQEs (32 per submit)",
	"descriptor batches (64 per SQE)",
	"one ioctl per op",
	"(NOP descriptors, 64 per SQE)",
};
const char *const copy64_keys[] = { "sqe", "batch", "ioctl", "nop_batch" };

static void bench_copy64(void)
{
	int p, i;

	printf("\n2. 64-byte COPY on %s, best of %d  ops/s      ns/op   vs ioctl\n", dev, TRIES);
	for (i = 0; i < TRIES; i++)
		for (p = CP_SQE; p < CP_END; p++) {
			double r = small_copies(p);

			if (r > copy64_rate[p])
				copy64_rate[p] = r;
		}
	for (p = CP_SQE; p < CP_END; p++) {
		printf("%-36s %10.0f %10.0f %9.2fx\n", copy64_names[p], copy64_rate[p],
		       1e9 / copy64_rate[p], copy64_rate[p] / copy64_rate[CP_IOCTL]);
		record("copy64", "\"path\": \"%s\", \"ops_per_s\": %.0f, "
		       "\"vs_ioctl\": %.3f", copy64_keys[p], copy64_rate[p],
		       copy64_rate[p] / copy64_rate[CP_IOCTL]);
	}
}

/* ---- 3. sizes, depths, engines ---------------------------------------- */

const char *const op_names[] = { "COPY", "CRC32C", "COMPRESS" };
const char *const op_keys[] = { "copy", "crc32c", "compress" };

static const unsigned int sizes[] = {
	64, 512, 4096, 65536, 1u << 20, 4u << 20,
};
#define NSIZE	6
static const unsigned int depths[] = { 1, 8, 32 };
#define NDEPTH	3

struct result {
	double mbps;
	double cpu_ns;		/* submitting thread's CPU per op */
	double ns;		/* wall time per op */
};

static struct result cpu_res[OP_END][NSIZE];
static struct result off_res[OP_END][NSIZE][NDEPTH];

__attribute__((target("sse4.2")))
uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		crc = __builtin_ia32_crc32di(crc, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}

static z_stream zs;

int cpu_compress_with(z_stream *z, uint8_t *d, const uint8_t *s,
		      unsigned int len)
{
	deflateReset(z);
	z->next_in = (uint8_t *)s;
	z->avail_in = len;
	z->next_out = d;
	z->avail_out = COMP_ROOM(len);
	return deflate(z, Z_FINISH) == Z_STREAM_END ? 0 : -1;
}

/* The op on the submitting thread, as fast as it goes. */
static struct result cpu_run(enum op op, unsigned int size)
{
	struct result r;
	unsigned long ops = 0;
	double t0, c0, t;

	t0 = wd_now();
	c0 = thread_cpu();
	do {
		if (bench_op(&zs, op, size, 0) < 0)
			die("zlib", EIO);
		ops++;
		t = wd_now();
	} while (t - t0 < secs);
	r.ns = (t - t0) * 1e9 / ops;
	r.cpu_ns = (thread_cpu() - c0) * 1e9 / ops;
	r.mbps = (double)size * ops / (t - t0) / 1e6;
	return r;
}

/* The CPU's figure is as exposed to disturbance as any: best of a few. */
static struct result cpu_best(enum op op, unsigned int size)
{
	struct result best = cpu_run(op, size);
	int i;

	for (i = 1; i < TRIES; i++) {
		struct result r = cpu_run(op, size);

		if (r.mbps > best.mbps) {
			best.mbps = r.mbps;
			best.ns = r.ns;
		}
		if (r.cpu_ns < best.cpu_ns)
			best.cpu_ns = r.cpu_ns;
	}
	return best;
}

void prep_op(struct io_uring_sqe *sqe, enum op op, unsigned int size,
		    unsigned int slot)
{
	uint8_t *s = src + (size_t)slot * size;
	uint8_t *d = dst + (size_t)slot * COMP_ROOM(size);

	switch (op) {
	case OP_COPY:
		io_uring_prep_accel_copy(sqe, 0, d, s, size);
		break;
	case OP_CRC:
		io_uring_prep_accel_crc32c(sqe, 0, s, size, 0);
		break;
	default:
		io_uring_prep_accel_compress(sqe, 0, d, COMP_ROOM(size),
					     s, size, WD_COMP_GZIP, 1);
		break;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = slot;
}

/* The op offloaded, @qd in flight, resubmitting as each completes. */
static struct result off_run(enum op op, unsigned int size, unsigned int qd)
{
	struct io_uring ring;
	struct result r;
	unsigned long ops = 0;
	unsigned int i, inflight = 0;
	double t0, c0, t;
	int stop = 0;

	/*
	 * How an application should wait for offloaded work: completions
	 * are posted lazily (io_uring_cmd_do_in_task_lazy()), so on a
	 * DEFER_TASKRUN ring the thread sleeps until half its queue is
	 * done instead of waking for each one.
	 */
	ring_init(&ring, 64, IORING_SETUP_SINGLE_ISSUER |
			     IORING_SETUP_DEFER_TASKRUN);
	t0 = wd_now();
	c0 = thread_cpu();
	for (i = 0; i < qd; i++)
		prep_op(io_uring_get_sqe(&ring), op, size, i);
	inflight = qd;
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, got = 0;
		int ret = io_uring_submit_and_wait(&ring, stop ? inflight :
						   (inflight + 1) / 2);

		if (ret < 0)
			die("submit", ret);
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (cqe->res <= 0 || (op != OP_COMP &&
					      cqe->res != (int)size))
				die(op_names[op], cqe->res < 0 ? cqe->res : EIO);
			got++;
			ops++;
			inflight--;
			if (!stop) {
				prep_op(io_uring_get_sqe(&ring), op, size,
					cqe->user_data);
				inflight++;
			}
		}
		io_uring_cq_advance(&ring, got);
		t = wd_now();
		if (t - t0 >= secs)
			stop = 1;
		if (stop && !inflight)
			break;
	}
	r.ns = (t - t0) * 1e9 / ops;
	r.cpu_ns = (thread_cpu() - c0) * 1e9 / ops;
	r.mbps = (double)size * ops / (t - t0) / 1e6;
	io_uring_queue_exit(&ring);
	return r;
}

void fill_text(uint8_t *p, size_t len)
{
	static const char *const words[] = {
		"offload ", "the ", "ring ", "kernel ", "device ", "copy ",
		"queue ", "doorbell ", "of ", "and ", "completion ", "page ",
		"address ", "engine ", "request ", "to ", "\n",
	};
	uint64_t x = 88172645463325252ull;
	size_t i = 0;

	while (i < len) {
		const char *w;
		size_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = words[x % 17];
		n = strlen(w);
		if (n > len - i)
			n = len - i;
		memcpy(p + i, w, n);
		i += n;
	}
}

static void bench_sizes(FILE *dat)
{
	int o, s, q;

	printf("\n3. Sizes and depths on %s: MB/s offloaded at queue depth 1 / 8 / 32 (DEFER_TASKRUN\n"
	       "   ring, reaping half the queue per wait), and the submitting CPU doing it\n", dev);
	printf("%-9s %8s %10s %10s %10s %12s %8s\n", "op", "size", "qd 1",
	       "qd 8", "qd 32", "CPU (this)", "best/CPU");
	for (o = 0; o < OP_END; o++) {
		for (s = 0; s < NSIZE; s++) {
			double best = 0;

			printf("%-9s %8u", op_names[o], sizes[s]);
			fflush(stdout);
			for (q = 0; q < NDEPTH; q++) {
				/* keep the data in flight within the buffers */
				if ((size_t)depths[q] * sizes[s] > 32u << 20) {
					off_res[o][s][q].mbps = 0;
					printf(" %10s", "-");
					continue;
				}
				off_res[o][s][q] = off_run(o, sizes[s], depths[q]);
				if (off_res[o][s][q].mbps > best)
					best = off_res[o][s][q].mbps;
				printf(" %10.1f", off_res[o][s][q].mbps);
				fflush(stdout);
				record("sizes", "\"op\": \"%s\", \"size\": %u, "
				       "\"qd\": %u, \"mb_per_s\": %.2f, "
				       "\"submitter_cpu_ns_per_op\": %.0f",
				       op_keys[o], sizes[s], depths[q],
				       off_res[o][s][q].mbps,
				       off_res[o][s][q].cpu_ns);
			}
			cpu_res[o][s] = cpu_best(o, sizes[s]);
			printf(" %12.1f %7.2fx\n", cpu_res[o][s].mbps,
			       best / cpu_res[o][s].mbps);
			record("sizes", "\"op\": \"%s\", \"size\": %u, "
			       "\"cpu_mb_per_s\": %.2f, \"cpu_ns_per_op\": %.0f",
			       op_keys[o], sizes[s], cpu_res[o][s].mbps,
			       cpu_res[o][s].cpu_ns);
		}
	}
	if (dat) {
		fprintf(dat, "# size MB/s at qd 8: copy_off copy_cpu crc_off crc_cpu comp_off comp_cpu\n");
		for (s = 0; s < NSIZE; s++) {
			fprintf(dat, "%u", sizes[s]);
			for (o = 0; o < OP_END; o++)
				fprintf(dat, " %.2f %.2f", off_res[o][s][1].mbps,
					cpu_res[o][s].mbps);
			/* qd 8 is always measured: 8 x 4 MiB fits */
			fprintf(dat, "\n");
		}
		fprintf(dat, "\n\n");
	}
}

static double engine_mbps[2][8];
static int max_engines;

static void bench_engines(void)
{
	long long queues = wd_sysfs_num(dev, "nr_queues");
	long long was = wd_sysfs_num(dev, "engines");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const unsigned int size = 1u << 20;
	int e, o;

	max_engines = queues < cpus ? queues : cpus;
	if (max_engines > 8)
		max_engines = 8;
	if (was < 0 || max_engines < 1) {
		printf("\n(no engines knob on %s: engine scaling skipped)\n", dev);
		max_engines = 0;
		return;
	}
	printf("\n3b. Engine threads on %s (1 MiB, queue depth 8): MB/s, and per thread against the CPU\n", dev);
	for (o = OP_CRC; o <= OP_COMP; o++) {
		double *mbps = engine_mbps[o - OP_CRC];
		int t;

		/* engine counts take turns, best of TRIES each */
		for (t = 0; t < TRIES; t++)
			for (e = 1; e <= max_engines; e++) {
				double r;

				if (sysfs_set(dev, "engines", e))
					die("engines", errno);
				r = off_run(o, size, 8).mbps;
				if (r > mbps[e - 1])
					mbps[e - 1] = r;
			}
		printf("%-9s", op_names[o]);
		for (e = 1; e <= max_engines; e++) {
			printf("   %d: %7.1f (%4.2fx/thread)", e,
			       engine_mbps[o - OP_CRC][e - 1],
			       engine_mbps[o - OP_CRC][e - 1] / e /
			       cpu_res[o][4].mbps);
			fflush(stdout);
			record("engines", "\"op\": \"%s\", \"engines\": %d, "
			       "\"mb_per_s\": %.2f, \"per_thread_vs_cpu\": %.3f",
			       op_keys[o], e, engine_mbps[o - OP_CRC][e - 1],
			       engine_mbps[o - OP_CRC][e - 1] / e /
			       cpu_res[o][4].mbps);
		}
		printf("\n");
	}
	sysfs_set(dev, "engines", was);
}

/* ---- 4. CPU freed ------------------------------------------------------ */

static double worst_cpu_share;	/* over sizes >= 64 KiB */

static void bench_cpu(void)
{
	int o, s;

	worst_cpu_share = 0;
	printf("\n4. Submitting thread's CPU per op (qd 8): offloaded / doing it itself\n");
	printf("%-9s", "op");
	for (s = 0; s < NSIZE; s++)
		printf(" %16u", sizes[s]);
	printf("\n");
	for (o = 0; o < OP_END; o++) {
		printf("%-9s", op_names[o]);
		for (s = 0; s < NSIZE; s++) {
			double share = off_res[o][s][1].cpu_ns /
				       cpu_res[o][s].cpu_ns;

			printf(" %7.0f/%-7.0f", off_res[o][s][1].cpu_ns,
			       cpu_res[o][s].cpu_ns);
			if (sizes[s] >= 65536 && share > worst_cpu_share)
				worst_cpu_share = share;
			record("cpu", "\"op\": \"%s\", \"size\": %u, "
			       "\"offloaded_ns\": %.0f, \"cpu_ns\": %.0f, "
			       "\"share\": %.4f", op_keys[o], sizes[s],
			       off_res[o][s][1].cpu_ns, cpu_res[o][s].cpu_ns,
			       share);
		}
		printf("\n");
	}
	printf("(ns of CPU; at 64 KiB and above the worst share is %.1f%%)\n",
	       worst_cpu_share * 100);
}

/* ---- 5. latency --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double lat_p50[4], lat_p99[4];

#define LAT_SAMPLES	1500	/* per path and round */

/* One round of queue-depth-1 samples of path @k, appended at @us. */
static int latency_round(int k, double *us)
{
	struct io_uring ring;
	double t0 = wd_now();
	int n;

	ring_init(&ring, 8, k == 2 ? IORING_SETUP_IOPOLL : 0);
	for (n = 0; n < LAT_SAMPLES && wd_now() - t0 < secs; n++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		double t;

		if (k == 3)
			prep_op(sqe, OP_COPY, 4096, 0);
		else
			prep_path(sqe, k == 0 ? P_NOP : P_WD_ENGINE);
		t = wd_now();
		submit_reap(&ring, 1, k == 3 ? 4096 : 0);
		us[n] = (wd_now() - t) * 1e6;
	}
	io_uring_queue_exit(&ring);
	return n;
}

static void bench_latency(void)
{
	static const char *const names[] = {
		"IORING_OP_NOP", "WarpDrive NOP, engine",
		"WarpDrive NOP, engine, IOPOLL ring", "COPY 4 KiB, engine",
	};
	static double us[4][TRIES * LAT_SAMPLES];
	int n[4] = {}, k, t;

	printf("\n5. Latency at queue depth 1 (us)          p50        p99\n");
	/* the paths take turns, so that a disturbance hits them alike */
	for (t = 0; t < TRIES; t++)
		for (k = 0; k < 4; k++)
			n[k] += latency_round(k, us[k] + n[k]);
	for (k = 0; k < 4; k++) {
		qsort(us[k], n[k], sizeof(us[k][0]), cmp_double);
		lat_p50[k] = us[k][n[k] / 2];
		lat_p99[k] = us[k][n[k] * 99 / 100];
		printf("%-36s %10.1f %10.1f\n", names[k], lat_p50[k],
		       lat_p99[k]);
		record("latency", "\"path\": \"%s\", \"samples\": %d, "
		       "\"p50_us\": %.2f, \"p99_us\": %.2f", names[k], n[k],
		       lat_p50[k], lat_p99[k]);
	}
}

/* ---- 5b. fairness ------------------------------------------------------ */

#define FAIR_SAMPLES	200
#define FLOOD_LEN	(64u << 20)
#define FLOOD_DESCS	1024
#define FLOOD_DESC_LEN	(1u << 20)

/* A child that stalls soft0's work in a userfaultfd range nobody serves. */
static void __attribute__((noreturn)) fair_stall(int ready)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	size_t len = 64 << 10;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	void *area = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *out = malloc(len);

	reg.range.start = (unsigned long)area;
	reg.range.len = len;
	if (uffd < 0 || area == MAP_FAILED || !out ||
	    ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    io_uring_queue_init(4, &ring, 0))
		_exit(2);
	io_uring_prep_accel_copy(io_uring_get_sqe(&ring), dfd, out, area, len);
	if (write(ready, "x", 1) != 1)
		_exit(2);
	io_uring_submit_and_wait(&ring, 1);	/* stalls here for good */
	io_uring_wait_cqe(&ring, &cqe);
	_exit(0);
}

#define STREAM_LEN	(32u << 20)
#define STREAM_DESC_LEN	(4u << 20)

/*
 * A child that floods soft0 with level-9 COMPRESSes of 32 MiB and a batch
 * of 4 MiB ones: streams, which cannot be sliced.
 */
static void __attribute__((noreturn)) fair_streams(int ready)
{
	uint8_t *s = mmap(NULL, 2 * (size_t)STREAM_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct wd_desc d[8];
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int i;

	if (s == MAP_FAILED || io_uring_queue_init(16, &ring, 0))
		_exit(2);
	fill_text(s, STREAM_LEN);
	for (i = 0; i < 8; i++)
		wd_desc_compress(&d[i], s + STREAM_LEN, STREAM_LEN,
				 s + (size_t)i * STREAM_DESC_LEN,
				 STREAM_DESC_LEN, WD_COMP_DEFLATE, 9);
	for (i = 0; i < 8; i++)
		io_uring_prep_accel_compress(io_uring_get_sqe(&ring), dfd,
					     s + STREAM_LEN, STREAM_LEN, s,
					     STREAM_LEN, WD_COMP_DEFLATE, 9);
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), dfd, d, 8);
	if (io_uring_submit(&ring) != 9 || write(ready, "x", 1) != 1)
		_exit(2);
	for (i = 0; i < 9; i++)
		if (!io_uring_wait_cqe(&ring, &cqe))
			io_uring_cqe_seen(&ring, cqe);
	_exit(0);
}

/* A child that floods soft0 with 64 MiB COPYs and 1024-descriptor batches. */
static void __attribute__((noreturn)) fair_flood(int ready)
{
	uint8_t *s = mmap(NULL, 2 * (size_t)FLOOD_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct wd_desc *d = calloc(2 * FLOOD_DESCS, sizeof(*d));
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int i;

	if (s == MAP_FAILED || !d || io_uring_queue_init(32, &ring, 0))
		_exit(2);
	for (i = 0; i < 2 * FLOOD_DESCS; i++) {
		size_t off = (size_t)(i % 64) * FLOOD_DESC_LEN;

		wd_desc_copy(&d[i], s + FLOOD_LEN + off, s + off,
			     FLOOD_DESC_LEN);
	}
	for (i = 0; i < 8; i++)
		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), dfd,
					 s + FLOOD_LEN, s, FLOOD_LEN);
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), dfd, d, FLOOD_DESCS);
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), dfd,
				  d + FLOOD_DESCS, FLOOD_DESCS);
	if (io_uring_submit(&ring) != 10 || write(ready, "x", 1) != 1)
		_exit(2);
	for (i = 0; i < 10; i++)
		if (!io_uring_wait_cqe(&ring, &cqe))
			io_uring_cqe_seen(&ring, cqe);
	_exit(0);
}

/*
 * @n 4 KiB COPYs at queue depth 1 on a ring of this process: latencies
 * in @us. A COPY that gets no CQE within @hang_s ends the run (the others
 * are then "stuck").
 */
static int fair_samples(int n, double *us, int hang_s)
{
	struct __kernel_timespec ts = { .tv_sec = hang_s };
	struct io_uring ring;
	int i;

	ring_init(&ring, 8, 0);
	for (i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		double t = wd_now();

		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), dfd, dst,
					 src, 4096);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
			break;
		io_uring_cqe_seen(&ring, cqe);
		us[i] = (wd_now() - t) * 1e6;
	}
	io_uring_queue_exit(&ring);
	return i;
}

static void bench_fairness(void)
{
	static const char *const names[] = {
		"alone", "beside an unserved userfaultfd page",
		"beside a flood (64 MiB COPYs, batches)",
		"beside a flood of level-9 COMPRESSes",
	};
	static double us[FAIR_SAMPLES];
	long long engines = wd_sysfs_num(dev, "engines");
	int k;

	if (strcmp(dev, "soft0") || engines < 1) {
		printf("\n5b. (fairness is measured on soft0)\n");
		return;
	}
	sysfs_set(dev, "engines", 1);
	printf("\n5b. Fairness on one engine: another process's 4 KiB COPY (us)  p50        p99\n");
	for (k = 0; k < 4; k++) {
		int pipefd[2], n;
		pid_t pid = 0;
		char c;

		if (k) {
			if (pipe(pipefd))
				die("pipe", errno);
			pid = fork();
			if (!pid) {
				if (k == 1)
					fair_stall(pipefd[1]);
				if (k == 3)
					fair_streams(pipefd[1]);
				fair_flood(pipefd[1]);
			}
			if (read(pipefd[0], &c, 1) != 1)
				die("fairness child", EIO);
			close(pipefd[0]);
			close(pipefd[1]);
			usleep(100000);	/* its requests reach the engine */
		}
		n = fair_samples(FAIR_SAMPLES, us, 30);
		if (pid) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		if (n < FAIR_SAMPLES) {
			printf("%-46s   stuck (%d of %d completed)\n", names[k],
			       n, FAIR_SAMPLES);
			record("fairness", "\"case\": \"%s\", \"stuck\": true",
			       names[k]);
			continue;
		}
		qsort(us, n, sizeof(us[0]), cmp_double);
		printf("%-46s %10.1f %10.1f\n", names[k], us[n / 2],
		       us[n * 99 / 100]);
		record("fairness", "\"case\": \"%s\", \"samples\": %d, "
		       "\"p50_us\": %.2f, \"p99_us\": %.2f", names[k], n,
		       us[n / 2], us[n * 99 / 100]);
	}
	sysfs_set(dev, "engines", engines);
}

/* ---- 6. the hardware path ----------------------------------------------- */

static void bench_edu(void)
{
	static uint8_t s[8][256], d[8][256];
	int efd = io_uring_accel_open("edu0", O_RDWR);
	int coalesce, poll, i;

	if (efd < 0) {
		printf("\n6. (no edu0: the hardware path is skipped)\n");
		return;
	}
	printf("\n6. edu0 (DMA via the IOMMU, 100 ms per transfer): 8 x 256 B COPY per submission\n");
	printf("%-12s %-10s %12s %10s %12s %11s\n", "coalescing", "ring",
	       "ms per copy", "doorbells", "transfers", "interrupts");
	for (coalesce = 1; coalesce >= 0; coalesce--) {
		sysfs_set("edu0", "coalesce", coalesce);
		for (poll = 0; poll <= 1; poll++) {
			struct io_uring ring;
			long long bells = wd_sysfs_num("edu0", "doorbells");
			long long dmas = wd_sysfs_num("edu0", "dmas");
			long long irqs = wd_irq_count("warpdrive_edu");
			double t;
			int bad;

			if (io_uring_queue_init(16, &ring,
						poll ? IORING_SETUP_IOPOLL : 0))
				die("edu ring", EINVAL);
			for (i = 0; i < 8; i++)
				io_uring_prep_accel_copy(io_uring_get_sqe(&ring),
							 efd, d[i], s[i], 256);
			t = wd_now();
			bad = submit_reap(&ring, 8, 256);
			t = (wd_now() - t) * 1e3 / 8;
			io_uring_queue_exit(&ring);
			printf("%-12s %-10s %12.1f %10lld %12lld %11lld%s\n",
			       coalesce ? "on" : "off",
			       poll ? "IOPOLL" : "interrupt", t,
			       wd_sysfs_num("edu0", "doorbells") - bells,
			       wd_sysfs_num("edu0", "dmas") - dmas,
			       wd_irq_count("warpdrive_edu") - irqs, bad ? "  FAILED" : "");
			record("edu", "\"coalesce\": %d, \"iopoll\": %d, "
			       "\"ms_per_copy\": %.2f, \"doorbells\": %lld, "
			       "\"interrupts\": %lld", coalesce, poll, t,
			       wd_sysfs_num("edu0", "doorbells") - bells,
			       wd_irq_count("warpdrive_edu") - irqs);
		}
	}
	sysfs_set("edu0", "coalesce", 1);
	close(efd);
}

/* ---- crypto: crypto0 against AF_ALG and OpenSSL ------------------------------ */

enum { CR_GCM, CR_SHA256 };

struct cr_result {
	double mbs;		/* MB/s */
	double cpu_per_mb;	/* submitting thread's CPU ms per MB */
	int bad;
};

static const uint8_t cr_key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae };
static const uint8_t cr_iv[12] = { 0xca, 0xfe, 0xba, 0xbe };

static struct cr_result cr_finish(double t, double cpu, long long bytes,
				  int bad)
{
	struct cr_result r;

	t = wd_now() - t;
	cpu = thread_cpu() - cpu;
	r.mbs = bytes / t / 1e6;
	r.cpu_per_mb = cpu * 1e3 / (bytes / 1e6);
	r.bad = bad;
	return r;
}

/*
 * crypto0, up to @qd requests in flight, each on its own key of @keys (a
 * digest key takes one request at a time).
 */
static struct cr_result cr_warpdrive(int cfd, const int *keys, int kind,
				     unsigned int size, unsigned int qd)
{
	struct wd_crypt p[8];
	uint8_t tags[8][64];
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	long long bytes = 0;
	unsigned int inflight = 0, busy = 0, i;
	double t, cpu, end;
	int bad = 0;

	ring_init(&ring, 16, 0);
	t = wd_now();
	cpu = thread_cpu();
	end = t + secs;
	for (;;) {
		while (inflight < qd && wd_now() < end) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			/* a free slot: its key, buffers and tag are unused */
			for (i = 0; busy & (1U << i); i++)
				;
			busy |= 1U << i;
			wd_crypt_prep(&p[i], keys[i], kind == CR_GCM ? cr_iv : NULL,
				      kind == CR_GCM ? 12 : 0, NULL, 0, tags[i]);
			if (kind == CR_GCM)
				io_uring_prep_accel_encrypt(sqe, cfd,
							    dst + (size_t)i * size,
							    src + (size_t)i * size,
							    size, &p[i]);
			else
				io_uring_prep_accel_digest(sqe, cfd,
							   src + (size_t)i * size,
							   size, &p[i], 0);
			sqe->user_data = i;
			inflight++;
		}
		if (!inflight)
			break;
		io_uring_submit_and_wait(&ring, 1);
		while (!io_uring_peek_cqe(&ring, &cqe)) {
			if (cqe->res < 0 ||
			    (kind == CR_GCM && cqe->res != (int)size))
				bad++;
			bytes += size;
			busy &= ~(1U << cqe->user_data);
			io_uring_cqe_seen(&ring, cqe);
			inflight--;
		}
	}
	io_uring_queue_exit(&ring);
	return cr_finish(t, cpu, bytes, bad);
}

/* AF_ALG, one operation at a time, as its users run it. */
static struct cr_result cr_afalg(int kind, unsigned int size)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 12) +
		  CMSG_SPACE(4)] = { 0 };
	struct cr_result r = { .bad = 1 };
	long long bytes = 0;
	int tfm, op, bad = 0, big = 8 << 20;
	double t, cpu, end;

	strcpy((char *)sa.salg_type, kind == CR_GCM ? "aead" : "hash");
	strcpy((char *)sa.salg_name, kind == CR_GCM ? "gcm(aes)" : "sha256");
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)))
		return r;
	if (kind == CR_GCM &&
	    (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, cr_key, 16) ||
	     setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, 16)))
		return r;
	op = accept(tfm, NULL, 0);
	if (op < 0)
		return r;
	/* a whole 1 MiB AEAD must fit in the socket's buffer (root may) */
	setsockopt(op, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(op, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	t = wd_now();
	cpu = thread_cpu();
	end = t + secs;
	while (wd_now() < end) {
		ssize_t n;

		if (kind == CR_GCM) {
			struct iovec iov = { src, size };
			struct msghdr msg = {
				.msg_control = cbuf,
				.msg_controllen = sizeof(cbuf),
				.msg_iov = &iov, .msg_iovlen = 1,
			};
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			struct af_alg_iv *aiv;

			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_OP;
			c->cmsg_len = CMSG_LEN(4);
			*(uint32_t *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
			c = CMSG_NXTHDR(&msg, c);
			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_IV;
			c->cmsg_len = CMSG_LEN(sizeof(*aiv) + 12);
			aiv = (struct af_alg_iv *)CMSG_DATA(c);
			aiv->ivlen = 12;
			memcpy(aiv->iv, cr_iv, 12);
			c = CMSG_NXTHDR(&msg, c);
			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
			c->cmsg_len = CMSG_LEN(4);
			*(uint32_t *)CMSG_DATA(c) = 0;
			n = sendmsg(op, &msg, 0);
			if (n == (ssize_t)size)
				n = read(op, dst, size + 16) - 16;
		} else {
			n = write(op, src, size);
			if (n == (ssize_t)size)
				n = read(op, dst, 32) == 32 ? (ssize_t)size : -1;
		}
		bad += n != (ssize_t)size;
		if (n != (ssize_t)size)
			break;
		bytes += size;
	}
	close(op);
	close(tfm);
	return cr_finish(t, cpu, bytes, bad);
}

/* OpenSSL on the submitting thread. */
static struct cr_result cr_openssl(int kind, unsigned int size)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	long long bytes = 0;
	double t = wd_now(), cpu = thread_cpu(), end = t + secs;
	unsigned char md[32], tag[16];
	int n, bad = 0;

	while (wd_now() < end) {
		if (kind == CR_GCM) {
			bad += !EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL,
						   cr_key, cr_iv) ||
			       !EVP_EncryptUpdate(c, dst, &n, src, size) ||
			       !EVP_EncryptFinal_ex(c, dst + n, &n) ||
			       !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
						    16, tag);
		} else {
			bad += !EVP_Digest(src, size, md, NULL, EVP_sha256(),
					   NULL);
		}
		bytes += size;
	}
	EVP_CIPHER_CTX_free(c);
	return cr_finish(t, cpu, bytes, bad);
}

static void bench_crypto(void)
{
	static const unsigned int sizes[] = { 4096, 65536, 1 << 20 };
	static const char *const names[] = { "AES-128-GCM encrypt", "SHA-256" };
	int cfd = io_uring_accel_open("crypto0", O_RDWR);
	unsigned int s, round;
	int kind;

	if (cfd < 0) {
		printf("\n7. (no crypto0: the crypto comparison is skipped)\n");
		return;
	}
	printf("\n7. crypto0 against AF_ALG and OpenSSL on the submitting thread (best of 3 interleaved rounds)\n");
	printf("%-20s %8s %-26s %9s %9s %9s %7s %7s %13s\n", "op", "size",
	       "crypto0 implementation", "crypto0", "AF_ALG", "OpenSSL",
	       "vs AF", "vs SSL", "CPU ms/MB");
	printf("%-20s %8s %-26s %9s %9s %9s %7s %7s %13s\n", "", "", "",
	       "MB/s", "MB/s", "MB/s", "", "", "wd/af/ssl");
	for (kind = CR_GCM; kind <= CR_SHA256; kind++) {
		struct wd_key_add info;
		int keys[4];

		for (s = 0; s < 4; s++) {
			keys[s] = io_uring_accel_key_add(cfd, kind == CR_GCM ?
							 "gcm(aes)" : "sha256",
							 kind == CR_GCM ? cr_key : NULL,
							 kind == CR_GCM ? 16 : 0, 0,
							 &info);
			if (keys[s] < 0)
				die("crypto0 key", keys[s]);
		}
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			struct cr_result w = { 0 }, a = { 0 }, o = { 0 }, x;

			for (round = 0; round < 3; round++) {
				x = cr_warpdrive(cfd, keys, kind, sizes[s], 4);
				if (x.mbs > w.mbs || x.bad)
					w = x;
				x = cr_afalg(kind, sizes[s]);
				if (x.mbs > a.mbs || x.bad)
					a = x;
				x = cr_openssl(kind, sizes[s]);
				if (x.mbs > o.mbs || x.bad)
					o = x;
			}
			printf("%-20s %8u %-26.26s %9.1f %9.1f %9.1f %6.2fx %6.2fx %4.1f/%4.1f/%4.1f%s\n",
			       names[kind], sizes[s], info.driver, w.mbs, a.mbs,
			       o.mbs, a.mbs > 0 ? w.mbs / a.mbs : 0,
			       o.mbs > 0 ? w.mbs / o.mbs : 0, w.cpu_per_mb,
			       a.cpu_per_mb, o.cpu_per_mb,
			       w.bad || a.bad || o.bad ? "  FAILED" : "");
			record("crypto", "\"op\": \"%s\", \"size\": %u, "
			       "\"driver\": \"%s\", \"wd_mbs\": %.2f, "
			       "\"afalg_mbs\": %.2f, \"openssl_mbs\": %.2f, "
			       "\"wd_cpu_ms_per_mb\": %.3f, "
			       "\"afalg_cpu_ms_per_mb\": %.3f, "
			       "\"openssl_cpu_ms_per_mb\": %.3f, \"failed\": %d",
			       names[kind], sizes[s], info.driver, w.mbs, a.mbs,
			       o.mbs, w.cpu_per_mb, a.cpu_per_mb, o.cpu_per_mb,
			       w.bad || a.bad || o.bad);
		}
		for (s = 0; s < 4; s++)
			io_uring_accel_key_remove(cfd, keys[s]);
	}
	close(cfd);
}

/* ---- the targets ---------------------------------------------------------- */

static void target(const char *what, double measured, const char *unit,
		   double goal, int at_most)
{
	int ok = at_most ? measured <= goal : measured >= goal;

	printf("%-62s %8.2f%s %s %5.2f%s  %s\n", what, measured, unit,
	       at_most ? "<=" : ">=", goal, unit, ok ? "holds" : "MISSED");
	record("targets", "\"target\": \"%s\", \"measured\": %.4f, "
	       "\"goal\": %.4f, \"holds\": %s", what, measured, goal,
	       ok ? "true" : "false");
}

static void bench_targets(void)
{
	double below = 0;
	int o, s, n;

	/*
	 * The ring paths' and small ops' targets are judged in the
	 * deterministic mode (wd-bench-count.c); these are the ones about
	 * time: latency, CPU time, throughput.
	 */
	printf("\nTargets, wall-clock mode (ratios from this run)\n");
	target("[wall] engine NOP on IOPOLL / IORING_OP_NOP, queue depth 1 (p50)",
	       lat_p50[2] / lat_p50[0], "x", 5, 1);
	target("[wall] submitter CPU offloaded / doing it, >= 64 KiB (worst)",
	       worst_cpu_share * 100, "%", 10, 1);
	if (max_engines) {
		target("[wall] CRC32C per engine thread / CPU (1 engine)",
		       engine_mbps[0][0] / cpu_res[OP_CRC][4].mbps, "x", 0.9, 0);
		target("[wall] COMPRESS per engine thread / CPU (1 engine)",
		       engine_mbps[1][0] / cpu_res[OP_COMP][4].mbps, "x", 0.9, 0);
		target("[wall] CRC32C scaling, most engines / 1 engine",
		       engine_mbps[0][max_engines - 1] / engine_mbps[0][0], "x",
		       max_engines * 0.8, 0);
		target("[wall] COMPRESS scaling, most engines / 1 engine",
		       engine_mbps[1][max_engines - 1] / engine_mbps[1][0], "x",
		       max_engines * 0.8, 0);
	}
	/*
	 * Inline sizes at qd 32: never slower than the ring (a URING_CMD's
	 * own floor) plus the CPU doing the work.
	 */
	for (o = OP_COPY; o <= OP_CRC; o++)
		for (s = 0; s < 2; s++) {
			double floor = ring_ns[P_NULL][2] + cpu_res[o][s].ns;
			double r = off_res[o][s][2].ns / floor;

			if (r > below)
				below = r;
		}
	target("[wall] inline-size ops (64, 512 B) / (bare URING_CMD + CPU), worst",
	       below, "x", 1, 1);

	/* soft0 against the worker pool, equal threads, 4 KiB to 1 MiB */
	for (o = 0; o < OP_END; o++) {
		double mbps = 1e9, cpu = 0;
		char what[96];

		for (s = 0; s < NPSIZE; s++)
			for (n = 0; n < peer_threads; n++) {
				const struct peer_result *w =
					&peer_res[o][s][n][PEER_SOFT0];
				const struct peer_result *p =
					&peer_res[o][s][n][PEER_POOL];

				if (!p->mbps)
					continue;
				if (w->mbps / p->mbps < mbps)
					mbps = w->mbps / p->mbps;
				if (w->cpu_ns / p->cpu_ns > cpu)
					cpu = w->cpu_ns / p->cpu_ns;
			}
		snprintf(what, sizeof(what),
			 "[wall] %s: soft0 / worker pool MB/s, 4K-1M, worst",
			 op_names[o]);
		target(what, mbps, "x", 1, 0);
		snprintf(what, sizeof(what),
			 "[wall] %s: soft0 / worker pool submitter CPU, worst",
			 op_names[o]);
		target(what, cpu, "x", 1, 1);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wd-bench [-d DEVICE] [-s SECONDS] [--section NAME] [--json FILE] [--dat FILE]\n"
		"       wd-bench --count TTY [-d DEVICE] [--section check] [--json FILE]\n"
		"Measure WarpDrive side by side with io_uring's own floor and with\n"
		"the CPU: ring paths, 64-byte COPYs, sizes and queue depths, engine\n"
		"threads, submitter CPU, latency, edu0 where present, and crypto0\n"
		"against AF_ALG and OpenSSL; then the performance targets with the\n"
		"ratios measured.\n"
		"  -d, --device NAME   a CPU-SVA device (default soft0)\n"
		"  -s, --seconds N     seconds per measurement (default 0.3)\n"
		"  -S, --section NAME  only that section, no targets: ring, copy64,\n"
		"                      sizes, engines, cpu, latency, fairness, edu,\n"
		"                      crypto, peers\n"
		"  -j, --json FILE     every figure as JSON\n"
		"  -D, --dat FILE      the chart's data (gnuplot, scripts/bench/chart.gp)\n"
		"  -c, --count TTY     deterministic mode, in the lab's counting VM (make\n"
		"                      bench): instructions, system calls and wake-ups\n"
		"                      per op, from the plugin answering on TTY; with\n"
		"                      --section check, the plugin's own self-check\n"
		"  -E, --engine-delay US  slow soft0's engine by US per request first\n"
		"                      (its delay_us): an experiment, not a figure\n"
		"  -h, --help          this text\n");
}

/* Each section as the table in main() runs it. */
static void section_copy64(FILE *dat __attribute__((unused)))
{
	bench_copy64();
}

static void section_engines(FILE *dat __attribute__((unused)))
{
	bench_engines();
}

static void section_cpu(FILE *dat __attribute__((unused)))
{
	bench_cpu();
}

static void section_latency(FILE *dat __attribute__((unused)))
{
	bench_latency();
}

static void section_fairness(FILE *dat __attribute__((unused)))
{
	bench_fairness();
}

static void section_edu(FILE *dat __attribute__((unused)))
{
	bench_edu();
}

static void section_crypto(FILE *dat __attribute__((unused)))
{
	bench_crypto();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "section", required_argument, NULL, 'S' },
		{ "json", required_argument, NULL, 'j' },
		{ "dat", required_argument, NULL, 'D' },
		{ "count", required_argument, NULL, 'c' },
		{ "engine-delay", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* the data in flight is capped at 32 MiB per side */
	size_t bytes = 32u << 20;
	static const struct {
		const char *name;
		void (*run)(FILE *dat);
	} sections[] = {
		{ "ring", bench_ring },
		{ "copy64", section_copy64 },
		{ "sizes", bench_sizes },
		{ "engines", section_engines },
		{ "cpu", section_cpu },
		{ "latency", section_latency },
		{ "fairness", section_fairness },
		{ "edu", section_edu },
		{ "crypto", section_crypto },
		{ "peers", bench_peers },
	};
	const char *only = NULL, *count_tty = NULL;
	int engine_delay = -1;
	FILE *dat = NULL;
	unsigned int i;
	int c;

	while ((c = getopt_long(argc, argv, "d:s:S:j:D:c:E:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 's':
			secs = atof(optarg);
			if (secs <= 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'S':
			only = optarg;
			break;
		case 'j':
			json = fopen(optarg, "w");
			if (!json)
				die(optarg, errno);
			break;
		case 'D':
			dat = fopen(optarg, "w");
			if (!dat)
				die(optarg, errno);
			break;
		case 'c':
			count_tty = optarg;
			break;
		case 'E':
			engine_delay = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	dfd = io_uring_accel_open(dev, O_RDWR);
	if (dfd < 0)
		die(dev, dfd);
	nullfd = open("/dev/null", O_RDWR);
	if (nullfd < 0)
		die("/dev/null", errno);
	src = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	dst = mmap(NULL, bytes * 2, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		die("mmap", errno);
	fill_text(src, bytes);
	if (deflateInit2(&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib", EINVAL);
	if (json)
		fprintf(json, "[");

	printf("wd-bench on %s, %ld CPUs; inline_max %lld\n", dev,
	       sysconf(_SC_NPROCESSORS_ONLN), wd_sysfs_num(dev, "inline_max"));
	/* an experiment: does a slower engine show in the figures? */
	if (engine_delay >= 0) {
		if (sysfs_set(dev, "delay_us", engine_delay))
			die("delay_us", errno);
		printf("soft0's engine slowed by %d us per request (delay_us)\n",
		       engine_delay);
	}
	if (count_tty) {
		c = only && !strcmp(only, "check") ? bench_count_check(count_tty) :
						     bench_count(count_tty);
		goto out;
	}
	printf("Wall-clock mode: %.1f s per measurement\n", secs);
	for (i = 0; only && i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!strcmp(only, sections[i].name))
			break;
	if (only && i == sizeof(sections) / sizeof(sections[0])) {
		fprintf(stderr, "wd-bench: no section %s\n", only);
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!only || !strcmp(only, sections[i].name))
			sections[i].run(dat);
	/* the targets need every section's figures */
	if (!only)
		bench_targets();
	c = 0;
out:
	if (json) {
		fprintf(json, "\n]\n");
		fclose(json);
	}
	if (dat)
		fclose(dat);
	deflateEnd(&zs);
	return c;
}
