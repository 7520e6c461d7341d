// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing a request does may be seen before an -EAGAIN: io_uring answers
 * -EAGAIN from the issue path by issuing the whole SQE again, from its
 * workers, so anything that already ran would run twice.
 *
 * The case here is the one that did: a batch whose small head runs inline
 * in the issue path while its long tail finds soft0's queue full. The
 * batch's descriptors are chosen so that running the head twice shows:
 *   d0  COPY X -> Y (32 bytes)
 *   d1  FILL X with a pattern          (a second d0 copies the pattern)
 *   d2  COPY S -> S + 1 (100 bytes)    (a second run shifts S twice)
 *   d3  COPY of 64 KiB                 (the engine's: the queue is full)
 * The queue is held full by NOPs the engine takes one a second
 * (delay_us), all submitted in the same io_uring_enter() as the batch, so
 * the batch always meets a full queue; nothing depends on timing.
 *
 * The second case is why soft0 never answers a full queue with -EAGAIN at
 * all: on 6.12, io_uring issues such a request again with its SQE read
 * from the SQ ring, and the application has reused that slot by then. A
 * COPY A -> B meets the full queue, its slot is overwritten with a COPY
 * C -> D right after the submission, and it must still copy A to B.
 */
#include <sys/mman.h>
#include "wd_uring.h"

#define PATTERN		0x5a5a5a5a5a5a5a5aULL
#define BIG_LEN		(64U << 10)
#define SHIFT_LEN	100
#define EXTRA_NOPS	16
#define BATCH_TAG	0xba7c4ULL

int main(void)
{
	struct __kernel_timespec ts = { .tv_sec = 60 };
	unsigned char x[32], y[32], orig_x[32], s[SHIFT_LEN + 1];
	unsigned char orig_s[SHIFT_LEN + 1], *big_src, *big_dst;
	long long engines, delay, ring_size, inflight;
	struct wd_desc d[4] __attribute__((aligned(64)));
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	const char *dev;
	int fd, i, nops, res = -1, seen = 0, bad = 0;
	char buf[32];

	dev = wd_test_device();
	if (strcmp(dev, "soft0"))
		wd_skip_all("the queue-full case is soft0's");
	fd = wd_open_or_skip();
	if (wd_read_str("/sys/module/warpdrive_soft/parameters/ring_size",
			buf, sizeof(buf)))
		wd_skip_all("no soft0 ring_size parameter");
	ring_size = strtoll(buf, NULL, 0);
	engines = wd_sysfs_read(dev, "engines");
	delay = wd_sysfs_read(dev, "delay_us");
	if (engines < 0 || delay < 0)
		wd_skip_all("no soft0 knobs");

	big_src = mmap(NULL, 2 * BIG_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big_src == MAP_FAILED)
		wd_skip_all("no memory");
	big_dst = big_src + BIG_LEN;
	for (i = 0; i < (int)BIG_LEN; i++)
		big_src[i] = i * 7;
	memset(big_dst, 0, BIG_LEN);
	for (i = 0; i < 32; i++)
		x[i] = orig_x[i] = 0x10 + i;
	memset(y, 0, sizeof(y));
	for (i = 0; i <= SHIFT_LEN; i++)
		s[i] = orig_s[i] = 0x80 + i;

	nops = ring_size + 1 + EXTRA_NOPS;
	if (io_uring_queue_init(1024, &ring, 0))
		wd_skip_all("no ring");
	wd_plan(3);

	/* one engine, which takes a request a second */
	wd_sysfs_write(dev, "engines", 1);
	wd_sysfs_write(dev, "delay_us", 1000000);

	for (i = 0; i < nops; i++)
		wd_nop_sqe(&ring, fd, 0, 0, 0)->user_data = i;
	wd_desc_copy(&d[0], y, x, sizeof(y));
	wd_desc_fill(&d[1], x, PATTERN, sizeof(x));
	wd_desc_copy(&d[2], s + 1, s, SHIFT_LEN);
	wd_desc_copy(&d[3], big_dst, big_src, BIG_LEN);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_batch(sqe, fd, d, 4);
	sqe->user_data = BATCH_TAG;
	if (io_uring_submit(&ring) != nops + 1)
		wd_diag("short submit");
	inflight = wd_sysfs_read(dev, "submitted") -
		   wd_sysfs_read(dev, "completed");
	/* let it all drain */
	wd_sysfs_write(dev, "delay_us", 0);

	while (seen < nops + 1) {
		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
			break;
		if (cqe->user_data == BATCH_TAG)
			res = cqe->res;
		else if (cqe->res)
			bad++;
		seen++;
		io_uring_cqe_seen(&ring, cqe);
	}
	wd_sysfs_write(dev, "engines", engines);
	wd_sysfs_write(dev, "delay_us", delay);

	wd_ok(seen == nops + 1 && !bad && inflight >= ring_size,
	      "%d NOPs held soft0's %lld-slot queue full (%lld in flight) and completed",
	      nops, ring_size, inflight);

	/* each descriptor ran once, in order */
	{
		unsigned char want_s[SHIFT_LEN + 1];
		bool y_ok = !memcmp(y, orig_x, sizeof(y));
		bool x_ok = true, s_ok, big_ok;

		for (i = 0; i < 32; i++)
			x_ok &= x[i] == 0x5a;
		want_s[0] = orig_s[0];
		memcpy(want_s + 1, orig_s, SHIFT_LEN);
		s_ok = !memcmp(s, want_s, sizeof(s));
		big_ok = !memcmp(big_src, big_dst, BIG_LEN);
		if (res != 4 || !y_ok || !x_ok || !s_ok || !big_ok)
			wd_diag("res %d; Y %s; X %s; S %s; 64 KiB copy %s", res,
				y_ok ? "ok" : "holds the FILL pattern (d0 ran again)",
				x_ok ? "ok" : "wrong",
				s_ok ? "ok" : "shifted more than once",
				big_ok ? "ok" : "wrong");
		wd_ok(res == 4 && y_ok && x_ok && s_ok && big_ok,
		      "a batch whose inline head ran before the queue was found full runs each descriptor once");
	}

	/* a COPY that meets the full queue, its SQ slot reused at once */
	{
		static unsigned char ca[4096], cb[4096], cc[2048], cd[2048];
		int copy_res = -1000;

		memset(ca, 0xa1, sizeof(ca));
		memset(cc, 0xc3, sizeof(cc));
		wd_sysfs_write(dev, "engines", 1);
		wd_sysfs_write(dev, "delay_us", 1000000);
		for (i = 0; i < nops; i++)
			wd_nop_sqe(&ring, fd, 0, 0, 0)->user_data = i;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_accel_copy(sqe, fd, cb, ca, sizeof(ca));
		sqe->user_data = BATCH_TAG;
		io_uring_submit(&ring);
		io_uring_prep_accel_copy(sqe, fd, cd, cc, sizeof(cc));
		sqe->user_data = BATCH_TAG + 1;
		wd_sysfs_write(dev, "delay_us", 0);
		for (seen = 0; seen < nops + 1; seen++) {
			if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
				break;
			if (cqe->user_data == BATCH_TAG ||
			    cqe->user_data == BATCH_TAG + 1)
				copy_res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
		wd_sysfs_write(dev, "engines", engines);
		wd_sysfs_write(dev, "delay_us", delay);
		if (copy_res != sizeof(ca) || memcmp(ca, cb, sizeof(ca)) ||
		    cd[0])
			wd_diag("COPY res %d; B %s; D %s", copy_res,
				memcmp(ca, cb, sizeof(ca)) ? "wrong" : "holds A",
				cd[0] ? "holds C (the reused slot ran)" :
					"untouched");
		wd_ok(copy_res == sizeof(ca) && !memcmp(ca, cb, sizeof(ca)) &&
		      !cd[0],
		      "a COPY that meets a full queue runs with its own operands after its SQ slot is reused");
	}
	io_uring_queue_exit(&ring);
	close(fd);
	return wd_exit();
}
