// SPDX-License-Identifier: GPL-2.0
/*
 * wd-edu-demo: the hardware path, visibly. Copies a buffer through edu0
 * (QEMU's edu PCI device: DMA through the IOMMU, one engine, 100 ms per
 * transfer) on an interrupt-driven ring and on an IOPOLL ring, then a
 * batch of small copies, and prints what the device and the kernel
 * counted: transfers, interrupts, doorbell writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <liburing-accel.h>
#include "wd-tool.h"

#define BATCH	8

static const char *dev = "edu0";

/* The last part of what a sysfs link points to ("0000:00:02.0"). */
static void sysfs_link(const char *attr, char *buf, size_t size)
{
	char path[256], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	snprintf(buf, size, "%s", n > 0 ? basename(target) : "?");
}

/* The first line of a sysfs file. */
static void sysfs_line(const char *attr, char *buf, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/warpdrive/%s/%s", dev, attr);
	snprintf(buf, size, "?");
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Submit what is prepared on @ring, reap @n CQEs; -errno or bad CQEs. */
static int reap(struct io_uring *ring, int n, int want)
{
	struct io_uring_cqe *cqe;
	int i, bad = 0, ret;

	ret = io_uring_submit(ring);
	if (ret != n)
		return ret < 0 ? ret : -EIO;
	for (i = 0; i < n; i++) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			return ret;
		if (cqe->res != want) {
			fprintf(stderr, "wd-edu-demo: CQE res %d, expected %d\n",
				cqe->res, want);
			bad++;
		}
		io_uring_cqe_seen(ring, cqe);
	}
	return bad;
}

static int one_copy(int fd, unsigned int setup, size_t len, const char *what)
{
	unsigned char *src = malloc(len), *dst = calloc(1, len);
	long long dmas = wd_sysfs_num(dev, "dmas");
	long long irq0 = wd_irq_count("warpdrive_edu");
	struct io_uring ring;
	double t;
	size_t i;
	int ret, ok;

	for (i = 0; i < len; i++)
		src[i] = i * 7 + 3;
	ret = io_uring_queue_init(4, &ring, setup);
	if (ret) {
		fprintf(stderr, "wd-edu-demo: ring: %s\n", strerror(-ret));
		return 1;
	}
	t = wd_now();
	io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, dst, src, len);
	ret = reap(&ring, 1, len);
	t = wd_now() - t;
	ok = !ret && !memcmp(src, dst, len);
	printf("%-28s %7zu B %6.2f s %9lld %11lld   %s\n", what, len, t,
	       wd_sysfs_num(dev, "dmas") - dmas,
	       wd_irq_count("warpdrive_edu") - irq0,
	       ok ? "identical" : "WRONG");
	io_uring_queue_exit(&ring);
	free(src);
	free(dst);
	return !ok;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wd-edu-demo [-d DEVICE] [-l BYTES]\n"
		"Copy a buffer through QEMU's edu device (DMA via the IOMMU) on an\n"
		"interrupt-driven and on an IOPOLL ring, then %d small copies in one\n"
		"submission; print the device's transfers, interrupts and doorbell\n"
		"writes for each.\n"
		"  -d, --device NAME   an edu device (default edu0)\n"
		"  -l, --len BYTES     bytes per copy (default 32768; 200 ms per 4 KiB)\n"
		"  -h, --help          this text\n", BATCH);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "len", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char small[2][BATCH][256];
	long long bells, dmas;
	char bdf[64], group[64], type[32];
	struct io_uring ring;
	size_t len = 32768;
	int c, fd, i, bad;

	while ((c = getopt_long(argc, argv, "d:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'l':
			len = strtoul(optarg, NULL, 0);
			if (!len || len > (1 << 20)) {
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

	fd = io_uring_accel_open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "wd-edu-demo: %s: %s\n", dev, strerror(-fd));
		return 1;
	}
	sysfs_link("device", bdf, sizeof(bdf));
	sysfs_link("device/iommu_group", group, sizeof(group));
	sysfs_line("device/iommu_group/type", type, sizeof(type));
	printf("device %s: PCI %s, IOMMU group %s (domain type %s)\n", dev,
	       bdf, group, type);
	printf("\n%-28s %9s %8s %9s %11s\n", "COPY", "len", "time",
	       "transfers", "interrupts");
	if (one_copy(fd, 0, len, "interrupt-driven ring") ||
	    one_copy(fd, IORING_SETUP_IOPOLL, len, "IOPOLL ring"))
		return 1;

	if (io_uring_queue_init(2 * BATCH, &ring, 0))
		return 1;
	memset(small, 0, sizeof(small));
	for (i = 0; i < BATCH; i++) {
		memset(small[0][i], i + 1, sizeof(small[0][i]));
		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd,
					 small[1][i], small[0][i],
					 sizeof(small[0][i]));
	}
	bells = wd_sysfs_num(dev, "doorbells");
	dmas = wd_sysfs_num(dev, "dmas");
	bad = reap(&ring, BATCH, sizeof(small[0][0]));
	printf("\n%d copies of %zu B in one submission: %lld doorbell write(s), %lld transfers, %s\n",
	       BATCH, sizeof(small[0][0]), wd_sysfs_num(dev, "doorbells") - bells,
	       wd_sysfs_num(dev, "dmas") - dmas,
	       !bad && !memcmp(small[0], small[1], sizeof(small[0])) ?
	       "identical" : "WRONG");
	io_uring_queue_exit(&ring);
	close(fd);
	return bad != 0;
}
