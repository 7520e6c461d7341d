// SPDX-License-Identifier: GPL-2.0
/*
 * WD_OP_NOP through io_uring: single requests, injected results, the
 * asynchronous completion path, batches of thousands, linked SQEs (and a
 * failing link), SQPOLL and fixed-file rings, and value results in CQE32.
 */
#include <poll.h>
#include "wd_uring.h"

#define BATCH_TOTAL	4096
#define RING_DEPTH	256

static int fd;
static const char *dev;

static void test_single(void)
{
	struct io_uring ring;
	__u64 ud = 0;
	int res;

	io_uring_queue_init(8, &ring, 0);
	io_uring_sqe_set_data64(wd_nop_sqe(&ring, fd, 0, 0, 0), 0x1234);
	res = wd_submit_wait1(&ring, &ud, NULL);
	if (res || ud != 0x1234)
		wd_diag("res %d user_data %#llx", res, (unsigned long long)ud);
	wd_ok(res == 0 && ud == 0x1234, "one NOP completes with 0");

	wd_nop_sqe(&ring, fd, WD_NOP_F_INJECT_RESULT, 12345, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	if (res != 12345)
		wd_diag("res %d", res);
	wd_ok(res == 12345, "NOP with an injected positive result");

	wd_nop_sqe(&ring, fd, WD_NOP_F_INJECT_RESULT, -EIO, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	if (res != -EIO)
		wd_diag("res %d", res);
	wd_ok(res == -EIO, "NOP with an injected error");

	wd_nop_sqe(&ring, fd, WD_NOP_F_INLINE, 0, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == 0, "inline NOP completes with 0");
	io_uring_queue_exit(&ring);
}

/*
 * With the engine slowed down, a NOP's CQE must not be there right after
 * submission, but must arrive later: it was completed by the engine, not
 * in the issue path. An inline NOP must be there at once and must not
 * reach the device at all.
 */
static void test_async(void)
{
	long long sub0, comp0, sub1, comp1;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int early, res = -1;

	if (wd_sysfs_write(dev, "delay_us", 50000)) {
		wd_skip("no delay_us knob", "NOP completes asynchronously");
		wd_skip("no delay_us knob", "inline NOP bypasses the device");
		return;
	}
	io_uring_queue_init(8, &ring, 0);
	sub0 = wd_sysfs_read(dev, "submitted");
	comp0 = wd_sysfs_read(dev, "completed");

	wd_nop_sqe(&ring, fd, 0, 0, 0);
	io_uring_submit(&ring);
	early = io_uring_peek_cqe(&ring, &cqe) == 0;
	if (!io_uring_wait_cqe(&ring, &cqe)) {
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	sub1 = wd_sysfs_read(dev, "submitted");
	comp1 = wd_sysfs_read(dev, "completed");
	if (early || res || sub1 - sub0 != 1 || comp1 - comp0 != 1)
		wd_diag("early %d res %d submitted +%lld completed +%lld",
			early, res, sub1 - sub0, comp1 - comp0);
	wd_ok(!early && !res && sub1 - sub0 == 1 && comp1 - comp0 == 1,
	      "NOP completes asynchronously, from the engine");

	wd_nop_sqe(&ring, fd, WD_NOP_F_INLINE, 0, 0);
	io_uring_submit(&ring);
	early = io_uring_peek_cqe(&ring, &cqe) == 0;
	res = early ? cqe->res : -1;
	if (early)
		io_uring_cqe_seen(&ring, cqe);
	sub0 = wd_sysfs_read(dev, "submitted");
	if (!early || res || sub0 != sub1)
		wd_diag("early %d res %d submitted +%lld", early, res,
			sub0 - sub1);
	wd_ok(early && !res && sub0 == sub1,
	      "inline NOP completes in the issue path, bypassing the device");

	wd_sysfs_write(dev, "delay_us", 0);
	io_uring_queue_exit(&ring);
}

/* Keep the ring full until BATCH_TOTAL NOPs are through; each seen once. */
static void test_batch(unsigned int setup_flags, const char *what)
{
	static unsigned char seen[BATCH_TOTAL];
	unsigned int submitted = 0, reaped = 0, bad = 0, dup = 0;
	long long comp0 = wd_sysfs_read(dev, "completed");
	struct io_uring_params p = { .flags = setup_flags };
	struct io_uring ring;
	int ret;

	p.sq_thread_idle = 100;
	ret = io_uring_queue_init_params(RING_DEPTH, &ring, &p);
	if (ret) {
		wd_ok(0, "%s: ring setup: %s", what, strerror(-ret));
		return;
	}
	memset(seen, 0, sizeof(seen));
	while (reaped < BATCH_TOTAL) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		while (submitted < BATCH_TOTAL &&
		       submitted - reaped < RING_DEPTH) {
			struct io_uring_sqe *sqe = wd_nop_sqe(&ring, fd, 0, 0,
							      0);
			if (!sqe)
				break;
			io_uring_sqe_set_data64(sqe, submitted++);
		}
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0) {
			wd_diag("submit: %s", strerror(-ret));
			break;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			__u64 i = cqe->user_data;

			if (cqe->res || i >= BATCH_TOTAL)
				bad++;
			else if (seen[i]++)
				dup++;
			n++;
		}
		io_uring_cq_advance(&ring, n);
		reaped += n;
	}
	io_uring_queue_exit(&ring);
	if (bad || dup || reaped != BATCH_TOTAL)
		wd_diag("reaped %u of %u, %u bad, %u duplicate", reaped,
			BATCH_TOTAL, bad, dup);
	wd_ok(!bad && !dup && reaped == BATCH_TOTAL &&
	      wd_sysfs_read(dev, "completed") - comp0 >= BATCH_TOTAL,
	      "%s: %d NOPs, each completed once with 0", what, BATCH_TOTAL);
}

/*
 * A chain runs in order; a failing member cancels the rest of the chain
 * (io_uring's link semantics hold for WarpDrive commands too).
 */
static void test_links(void)
{
	const int n = 16, fail_at = 10;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int i, k, ordered = 1, canceled_ok = 1;

	io_uring_queue_init(32, &ring, 0);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = wd_nop_sqe(&ring, fd, 0, 0, 0);

		io_uring_sqe_set_data64(sqe, i);
		if (i < n - 1)
			sqe->flags |= IOSQE_IO_LINK;
	}
	io_uring_submit_and_wait(&ring, n);
	for (i = 0; i < n; i++) {
		if (io_uring_wait_cqe(&ring, &cqe)) {
			ordered = 0;
			break;
		}
		if (cqe->user_data != (__u64)i || cqe->res)
			ordered = 0;
		io_uring_cqe_seen(&ring, cqe);
	}
	wd_ok(ordered, "16 linked NOPs complete in order with 0");

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;

		sqe = wd_nop_sqe(&ring, fd,
				 i == fail_at ? WD_NOP_F_INJECT_RESULT : 0,
				 i == fail_at ? -EINVAL : 0, 0);
		io_uring_sqe_set_data64(sqe, i);
		if (i < n - 1)
			sqe->flags |= IOSQE_IO_LINK;
	}
	io_uring_submit_and_wait(&ring, n);
	for (k = 0; k < n; k++) {
		int want;

		if (io_uring_wait_cqe(&ring, &cqe)) {
			canceled_ok = 0;
			break;
		}
		i = (int)cqe->user_data;
		want = i < fail_at ? 0 : i == fail_at ? -EINVAL : -ECANCELED;
		if (cqe->res != want) {
			wd_diag("link member %d: res %d, want %d", i, cqe->res,
				want);
			canceled_ok = 0;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	wd_ok(canceled_ok, "a failing NOP cancels the rest of its chain");
	io_uring_queue_exit(&ring);
}

static void test_cqe32(void)
{
	const __u64 arg = 0xdeadbeefcafef00dULL;
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int flags[2] = { 0, WD_NOP_F_INLINE };
	int i, ok;

	if (io_uring_queue_init_params(8, &ring, &p)) {
		wd_skip("no CQE32 rings", "CQE32: NOP value result");
		wd_skip("no CQE32 rings", "CQE32: inline NOP value result");
		return;
	}
	for (i = 0; i < 2; i++) {
		wd_nop_sqe(&ring, fd, flags[i], 0, arg + i);
		io_uring_submit_and_wait(&ring, 1);
		ok = !io_uring_wait_cqe(&ring, &cqe);
		if (ok) {
			ok = cqe->res == 0 && cqe->big_cqe[0] == arg + i &&
			     cqe->big_cqe[1] == 0;
			if (!ok)
				wd_diag("res %d big_cqe %#llx %#llx", cqe->res,
					(unsigned long long)cqe->big_cqe[0],
					(unsigned long long)cqe->big_cqe[1]);
			io_uring_cqe_seen(&ring, cqe);
		}
		wd_ok(ok, "CQE32: %sNOP returns its argument in big_cqe[0]",
		      i ? "inline " : "");
	}
	io_uring_queue_exit(&ring);
}

static void test_fixed_file(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int res;

	io_uring_queue_init(8, &ring, 0);
	if (io_uring_register_files(&ring, &fd, 1)) {
		wd_ok(0, "register the device fd");
		io_uring_queue_exit(&ring);
		return;
	}
	sqe = wd_nop_sqe(&ring, 0, 0, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == 0, "NOP on a registered (fixed) device file");
	io_uring_queue_exit(&ring);
}

int main(void)
{
	fd = wd_open_or_skip();
	dev = wd_test_device();

	wd_plan(13);
	test_single();
	test_async();
	test_batch(0, "plain ring");
	test_batch(IORING_SETUP_SQPOLL, "SQPOLL ring");
	test_links();
	test_cqe32();
	test_fixed_file();
	close(fd);
	return wd_exit();
}
