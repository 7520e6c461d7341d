// SPDX-License-Identifier: GPL-2.0
/*
 * What one open file may hold of a device: at most file_max_inflight
 * requests (sysfs) in flight at once; more complete with -EBUSY at once,
 * and other files are not affected.
 *
 * The engine is slowed (delay_us, a second per request) so that what is
 * accepted stays in flight while the rest is submitted, in the same
 * io_uring_enter(): nothing depends on timing.
 */
#include "wd_uring.h"

#define LIMIT	4
#define NOPS	8

int main(void)
{
	const char *dev = wd_test_device();
	long long limit, delay, engines;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int fd, fd2, i, busy = 0, ok = 0, other = -1000, ret;

	fd = wd_open_or_skip();
	fd2 = io_uring_accel_open(dev, O_RDWR);
	limit = wd_sysfs_read(dev, "file_max_inflight");
	delay = wd_sysfs_read(dev, "delay_us");
	engines = wd_sysfs_read(dev, "engines");
	if (fd2 < 0 || limit < 0)
		wd_skip_all("no file_max_inflight");
	if (delay < 0 || engines < 0)
		wd_skip_all("the device cannot be slowed (soft0's delay_us)");
	if (io_uring_queue_init(32, &ring, 0))
		wd_skip_all("no ring");

	wd_plan(3);
	ret = wd_sysfs_write(dev, "file_max_inflight", 0);
	wd_ok(ret == -EINVAL, "file_max_inflight refuses 0 (%d)", ret);

	wd_sysfs_write(dev, "file_max_inflight", LIMIT);
	wd_sysfs_write(dev, "engines", 1);
	wd_sysfs_write(dev, "delay_us", 1000000);
	for (i = 0; i < NOPS; i++)
		wd_nop_sqe(&ring, fd, 0, 0, 0)->user_data = 1;
	wd_nop_sqe(&ring, fd2, 0, 0, 0)->user_data = 2;
	if (io_uring_submit(&ring) != NOPS + 1)
		wd_diag("short submit");
	/* the refused ones are answered at once; then let the rest drain */
	for (i = 0; i < NOPS - LIMIT; i++) {
		if (io_uring_wait_cqe(&ring, &cqe))
			break;
		if (cqe->user_data == 1 && cqe->res == -EBUSY)
			busy++;
		io_uring_cqe_seen(&ring, cqe);
	}
	wd_sysfs_write(dev, "delay_us", 0);
	for (; i < NOPS + 1; i++) {
		if (io_uring_wait_cqe(&ring, &cqe))
			break;
		if (cqe->user_data == 2)
			other = cqe->res;
		else if (cqe->res == 0)
			ok++;
		else if (cqe->res == -EBUSY)
			busy++;
		io_uring_cqe_seen(&ring, cqe);
	}
	wd_ok(busy == NOPS - LIMIT && ok == LIMIT,
	      "%d NOPs on one file with a limit of %d: %d accepted, %d got -EBUSY at once",
	      NOPS, LIMIT, ok, busy);
	wd_ok(other == 0, "another file of the same device is not limited by it (%d)",
	      other);

	wd_sysfs_write(dev, "file_max_inflight", limit);
	wd_sysfs_write(dev, "delay_us", delay);
	wd_sysfs_write(dev, "engines", engines);
	io_uring_queue_exit(&ring);
	close(fd2);
	close(fd);
	return wd_exit();
}
