// SPDX-License-Identifier: GPL-2.0
/*
 * Requests in flight when their owner goes away: the device fd closed and
 * the ring torn down under them, the submitting process exiting, and the
 * process killed while waiting. Every request must still complete inside
 * the kernel (the device's in-flight count returns to zero), nothing may
 * hang, and the device must keep working afterwards. Leaks and use-after-
 * free show up as kernel reports, which fail the run.
 */
#include <signal.h>
#include <sys/wait.h>
#include "wd_uring.h"

#define INFLIGHT	64
#define DELAY_US	2000

static const char *dev;

/* Fill a ring with slow NOPs; returns how many were submitted. */
static int submit_slow_nops(struct io_uring *ring, int fd)
{
	int i;

	for (i = 0; i < INFLIGHT; i++)
		wd_nop_sqe(ring, fd, 0, 0, 0);
	return io_uring_submit(ring);
}

static void test_close_fd_and_ring(void)
{
	struct io_uring ring;
	int fd, n;

	fd = wd_open_or_skip();
	io_uring_queue_init(INFLIGHT, &ring, 0);
	n = submit_slow_nops(&ring, fd);
	close(fd);
	io_uring_queue_exit(&ring);
	wd_ok(n == INFLIGHT && wd_wait_idle(dev, 10000) == 0,
	      "device fd and ring closed with %d NOPs in flight", n);
}

/* The child submits, then leaves in the way @how says. */
static void test_child(const char *what, int how)
{
	int status = 0;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		struct io_uring ring;
		struct io_uring_cqe *cqe;
		int fd = io_uring_accel_open(dev, O_RDWR);

		if (fd < 0 || io_uring_queue_init(INFLIGHT, &ring, 0))
			_exit(2);
		if (submit_slow_nops(&ring, fd) != INFLIGHT)
			_exit(3);
		if (how == SIGKILL)
			io_uring_wait_cqe_nr(&ring, &cqe, INFLIGHT);
		_exit(0);
	}
	if (how == SIGKILL) {
		usleep(20000);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	wd_ok(((how == SIGKILL && WIFSIGNALED(status)) ||
	       (how != SIGKILL && WIFEXITED(status) &&
		!WEXITSTATUS(status))) &&
	      wd_wait_idle(dev, 10000) == 0,
	      "%s with NOPs in flight", what);
}

static void test_still_works(void)
{
	struct io_uring ring;
	int fd, res;

	fd = wd_open_or_skip();
	io_uring_queue_init(4, &ring, 0);
	wd_nop_sqe(&ring, fd, 0, 0, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	io_uring_queue_exit(&ring);
	close(fd);
	wd_ok(res == 0, "the device still works afterwards");
}

int main(void)
{
	int fd = wd_open_or_skip();

	dev = wd_test_device();
	close(fd);
	if (wd_sysfs_write(dev, "delay_us", DELAY_US))
		wd_skip_all("the device has no delay_us knob");

	wd_plan(4);
	test_close_fd_and_ring();
	test_child("process exit", 0);
	test_child("process killed while waiting", SIGKILL);
	wd_sysfs_write(dev, "delay_us", 0);
	test_still_works();
	return wd_exit();
}
