/* SPDX-License-Identifier: GPL-2.0 */
/* Ring helpers shared by the WarpDrive selftests. */
#ifndef WD_URING_H
#define WD_URING_H

#include <liburing.h>
#include <liburing-accel.h>
#include "wd_test.h"

/* Open the test device or skip the whole program. */
static inline int wd_open_or_skip(void)
{
	int fd = io_uring_accel_open(wd_test_device(), O_RDWR);

	if (fd < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot open /dev/warpdrive/%s: %s",
			 wd_test_device(), strerror(-fd));
		wd_skip_all(why);
	}
	return fd;
}

/*
 * Submit what is prepared on @ring, reap one CQE and return its res (or a
 * negative errno from the ring itself, reported via *ring_err when set).
 * @user_data, when not NULL, receives the CQE's user_data.
 */
static inline int wd_submit_wait1(struct io_uring *ring, __u64 *user_data,
				  int *ring_err)
{
	struct io_uring_cqe *cqe;
	int ret, res;

	if (ring_err)
		*ring_err = 0;
	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0)
		goto ring_fail;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0)
		goto ring_fail;
	res = cqe->res;
	if (user_data)
		*user_data = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;

ring_fail:
	wd_diag("ring error: %s", strerror(-ret));
	if (ring_err)
		*ring_err = ret;
	return ret;
}

/* Prepare a NOP on a fresh SQE of @ring. */
static inline struct io_uring_sqe *wd_nop_sqe(struct io_uring *ring, int fd,
					      unsigned int flags, int res,
					      __u64 arg)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (sqe)
		io_uring_prep_accel_nop(sqe, fd, flags, res, arg);
	return sqe;
}

/*
 * Wait (up to @ms) until the device has completed everything submitted to
 * it: its in-flight count is zero. Returns the last in-flight count seen.
 */
static inline long long wd_wait_idle(const char *dev, int ms)
{
	long long inflight = -1;

	for (; ms >= 0; ms -= 10) {
		long long s = wd_sysfs_read(dev, "submitted");
		long long c = wd_sysfs_read(dev, "completed");

		if (s < 0 || c < 0)
			return -1;
		inflight = s - c;
		if (!inflight)
			break;
		usleep(10000);
	}
	return inflight;
}

#endif /* WD_URING_H */
