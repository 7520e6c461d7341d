// SPDX-License-Identifier: GPL-2.0
/*
 * wd-demo: the main job of the README's first command (make demo).
 *  1. a real offload: COPY_CRC32C of a generated buffer through the ring,
 *     checked against the CPU (memcmp and a CRC32C computed here);
 *  2. 64-byte COPYs three ways, ops/s side by side: inline SQEs, descriptor
 *     batches, and one ioctl per op;
 *  3. NOPs through each path, next to io_uring's own IORING_OP_NOP.
 */
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <liburing.h>
#include <liburing-accel.h>
#include "wd-tool.h"

#define BATCH	32

enum path { PATH_IORING_NOP, PATH_WD_INLINE, PATH_WD_ENGINE };

static const char *const path_names[] = {
	[PATH_IORING_NOP] = "IORING_OP_NOP (io_uring alone)",
	[PATH_WD_INLINE]  = "WarpDrive NOP, completed at issue",
	[PATH_WD_ENGINE]  = "WarpDrive NOP, through the engine",
};

/* Ops per second over @secs, submitting and reaping BATCH at a time. */
static double run(int fd, enum path path, double secs, long *errors)
{
	struct io_uring ring;
	unsigned long ops = 0;
	double t0, t = 0;
	int i, ret;

	*errors = 0;
	ret = io_uring_queue_init(BATCH, &ring, 0);
	if (ret) {
		fprintf(stderr, "wd-demo: ring: %s\n", strerror(-ret));
		return -1;
	}
	ret = io_uring_register_files(&ring, &fd, 1);
	if (ret) {
		fprintf(stderr, "wd-demo: register fd: %s\n", strerror(-ret));
		io_uring_queue_exit(&ring);
		return -1;
	}
	t0 = wd_now();
	do {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		for (i = 0; i < BATCH; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (path == PATH_IORING_NOP) {
				io_uring_prep_nop(sqe);
				continue;
			}
			io_uring_prep_accel_nop(sqe, 0,
				path == PATH_WD_INLINE ? WD_NOP_F_INLINE : 0,
				0, 0);
			sqe->flags |= IOSQE_FIXED_FILE;
		}
		ret = io_uring_submit_and_wait(&ring, BATCH);
		if (ret < 0) {
			fprintf(stderr, "wd-demo: submit: %s\n", strerror(-ret));
			break;
		}
		while (n < BATCH) {
			io_uring_for_each_cqe(&ring, head, cqe) {
				if (cqe->res)
					(*errors)++;
				n++;
			}
			io_uring_cq_advance(&ring, n);
			if (n < BATCH)
				io_uring_wait_cqe_nr(&ring, &cqe, BATCH - n);
		}
		ops += BATCH;
		t = wd_now();
	} while (t - t0 < secs);
	io_uring_queue_exit(&ring);
	return ops / (t - t0);
}

/* CRC32C as the uAPI defines it (no inversions), a table at a time. */
static uint32_t cpu_crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
	static uint32_t table[256];
	int i, k;

	if (!table[1])
		for (i = 0; i < 256; i++) {
			uint32_t c = i;

			for (k = 0; k < 8; k++)
				c = (c >> 1) ^ (0x82F63B78U & -(c & 1));
			table[i] = c;
		}
	while (len--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
	return crc;
}

/* 1: one big COPY_CRC32C, checked against the CPU. */
static int demo_offload(int fd, size_t len)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	uint32_t want;
	uint8_t *src, *dst;
	double t0, t;
	size_t i;
	int res, ok;

	src = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED ||
	    io_uring_queue_init_params(4, &ring, &p)) {
		fprintf(stderr, "wd-demo: out of memory\n");
		return -1;
	}
	for (i = 0; i < len; i++)
		src[i] = (i * 2654435761u) >> 13;

	io_uring_prep_accel_copy_crc32c(io_uring_get_sqe(&ring), fd, dst, src,
					len, ~0u);
	t0 = wd_now();
	io_uring_submit_and_wait(&ring, 1);
	io_uring_wait_cqe(&ring, &cqe);
	t = wd_now() - t0;
	res = cqe->res;
	want = ~cpu_crc32c(~0u, src, len);
	ok = res == (int)len && !memcmp(dst, src, len) &&
	     (uint32_t)~io_uring_cqe_accel_value(cqe) == want;
	printf("COPY_CRC32C of %zu MiB through the ring: res %d, CRC32C %08x "
	       "(CPU: %08x), copy %s: %s, %.0f MB/s\n", len >> 20, res,
	       (uint32_t)~io_uring_cqe_accel_value(cqe), want,
	       memcmp(dst, src, len) ? "differs" : "identical",
	       ok ? "OK" : "WRONG", len / t / 1e6);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	munmap(src, len);
	munmap(dst, len);
	return ok ? 0 : -1;
}

enum copy_path { CP_SQE, CP_BATCH, CP_IOCTL };

/* 2: 64-byte COPYs per second, @batch per submission where it applies. */
static double small_copies(int fd, enum copy_path path, double secs)
{
	static uint8_t src[BATCH][64], dst[BATCH][64];
	static struct wd_desc d[BATCH];
	unsigned long ops = 0;
	struct io_uring ring;
	double t0, t;
	int i;

	if (io_uring_queue_init(BATCH, &ring, 0))
		return -1;
	t0 = wd_now();
	do {
		struct io_uring_cqe *cqe;

		if (path == CP_IOCTL) {
			for (i = 0; i < BATCH; i++) {
				wd_desc_copy(&d[i], dst[i], src[i], 64);
				if (io_uring_accel_submit_sync(fd, &d[i]) != 64)
					goto fail;
			}
		} else if (path == CP_BATCH) {
			for (i = 0; i < BATCH; i++)
				wd_desc_copy(&d[i], dst[i], src[i], 64);
			io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd,
						  d, BATCH);
			io_uring_submit_and_wait(&ring, 1);
			io_uring_wait_cqe(&ring, &cqe);
			if (cqe->res != BATCH)
				goto fail;
			io_uring_cqe_seen(&ring, cqe);
		} else {
			for (i = 0; i < BATCH; i++)
				io_uring_prep_accel_copy(io_uring_get_sqe(&ring),
							 fd, dst[i], src[i], 64);
			io_uring_submit_and_wait(&ring, BATCH);
			for (i = 0; i < BATCH; i++) {
				io_uring_wait_cqe(&ring, &cqe);
				if (cqe->res != 64)
					goto fail;
				io_uring_cqe_seen(&ring, cqe);
			}
		}
		ops += BATCH;
		t = wd_now();
	} while (t - t0 < secs);
	io_uring_queue_exit(&ring);
	return ops / (t - t0);
fail:
	fprintf(stderr, "wd-demo: a 64-byte COPY failed\n");
	io_uring_queue_exit(&ring);
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wd-demo [-d DEVICE] [-s SECONDS]\n"
		"Offload a COPY_CRC32C of a generated 16 MiB buffer and check it\n"
		"against the CPU; then print ops/s of 64-byte COPYs as inline SQEs,\n"
		"descriptor batches and one ioctl per op, and of NOPs per path next\n"
		"to io_uring's own IORING_OP_NOP (batch %d).\n"
		"  -d, --device NAME   device under /dev/warpdrive (default: the\n"
		"                      first one that runs NOP)\n"
		"  -s, --seconds N     seconds per path (default 1)\n"
		"  -h, --help          this text\n", BATCH);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char name[64] = "";
	double secs = 1, rate[3];
	struct wd_features f;
	long errors, total_errors = 0;
	int c, fd, ret, p;

	while ((c = getopt_long(argc, argv, "d:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			snprintf(name, sizeof(name), "%s", optarg);
			break;
		case 's':
			secs = atof(optarg);
			if (secs <= 0) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	fd = name[0] ? io_uring_accel_open(name, O_RDWR) :
		       io_uring_accel_open_op(WD_OP_NOP, O_RDWR, name,
					      sizeof(name));
	if (fd < 0) {
		fprintf(stderr, "wd-demo: no device%s%s: %s\n",
			name[0] ? " " : "", name, strerror(-fd));
		return 1;
	}
	ret = io_uring_accel_probe(fd, &f);
	if (ret) {
		fprintf(stderr, "wd-demo: probe: %s\n", strerror(-ret));
		return 1;
	}
	printf("device %s: ABI %u, ops %#llx, %u queue(s), NUMA node %d\n",
	       name, f.abi_version, (unsigned long long)f.ops, f.nr_queues,
	       f.numa_node);

	if ((f.ops & (1ULL << WD_OP_COPY_CRC32C)) &&
	    demo_offload(fd, 16 << 20))
		return 1;
	if (f.ops & (1ULL << WD_OP_COPY)) {
		static const char *const names[] = {
			"inline SQEs", "descriptor batches", "one ioctl per op",
		};
		double r[3];

		for (p = CP_SQE; p <= CP_IOCTL; p++) {
			r[p] = small_copies(fd, p, secs);
			if (r[p] <= 0)
				return 1;
		}
		printf("\n%-36s %12s %10s %9s\n", "64-byte COPY (32 per submit)",
		       "ops/s", "ns/op", "vs ioctl");
		for (p = CP_SQE; p <= CP_IOCTL; p++)
			printf("%-36s %12.0f %10.0f %8.2fx\n", names[p], r[p],
			       1e9 / r[p], r[p] / r[CP_IOCTL]);
	}

	for (p = PATH_IORING_NOP; p <= PATH_WD_ENGINE; p++) {
		rate[p] = run(fd, p, secs, &errors);
		if (rate[p] <= 0)
			return 1;
		total_errors += errors;
	}
	printf("\n%-36s %12s %10s %9s\n", "NOP path (32 per submit)",
	       "ops/s", "ns/op", "vs NOP");
	for (p = PATH_IORING_NOP; p <= PATH_WD_ENGINE; p++)
		printf("%-36s %12.0f %10.0f %8.2fx\n", path_names[p], rate[p],
		       1e9 / rate[p], rate[PATH_IORING_NOP] / rate[p]);
	if (total_errors) {
		printf("\n%ld operations failed\n", total_errors);
		return 1;
	}
	close(fd);
	return 0;
}
