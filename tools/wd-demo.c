// SPDX-License-Identifier: GPL-2.0
/*
 * wd-demo: push NOPs through a WarpDrive device on an io_uring ring and
 * print what the device reports and how many operations per second each
 * path sustains, next to io_uring's own IORING_OP_NOP measured in the same
 * run. The main job of the README's first command (make demo).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <liburing-accel.h>

#define BATCH	32

enum path { PATH_IORING_NOP, PATH_WD_INLINE, PATH_WD_ENGINE };

static const char *const path_names[] = {
	[PATH_IORING_NOP] = "IORING_OP_NOP (io_uring alone)",
	[PATH_WD_INLINE]  = "WarpDrive NOP, completed at issue",
	[PATH_WD_ENGINE]  = "WarpDrive NOP, through the engine",
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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
	t0 = now();
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
		t = now();
	} while (t - t0 < secs);
	io_uring_queue_exit(&ring);
	return ops / (t - t0);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wd-demo [-d DEVICE] [-s SECONDS]\n"
		"Push NOPs through a WarpDrive device and print ops/s per path,\n"
		"next to io_uring's own IORING_OP_NOP, batch %d.\n"
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

	for (p = PATH_IORING_NOP; p <= PATH_WD_ENGINE; p++) {
		rate[p] = run(fd, p, secs, &errors);
		if (rate[p] <= 0)
			return 1;
		total_errors += errors;
	}
	printf("\n%-36s %12s %10s %9s\n", "path (batch 32, fixed file)",
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
