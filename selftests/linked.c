// SPDX-License-Identifier: GPL-2.0
/*
 * A WarpDrive SQE that io_uring issues after io_uring_submit() has
 * returned (a link member, or one held behind a drain) must run with its
 * own operands, even though the application reuses the SQ slot at once.
 *
 * Each case holds a COPY A -> B behind a READ of a pipe (a request that
 * completes only when the test writes to the pipe: no timing involved),
 * overwrites the COPY's SQE in the SQ ring right after submitting, with a
 * COPY C -> D of another length, then lets the READ complete. The COPY
 * must copy A to B, whole, and leave D alone. With
 * io_uring_accel_sqe_deferred() (what wd-gzip and wd-httpd do) that holds
 * on every kernel; without it, kernels 6.10 to 6.13.3 run the overwritten
 * SQE, which the last case reports.
 */
#include "wd_uring.h"

#define LEN_A	4096
#define LEN_C	2048

static unsigned char a[LEN_A], b[LEN_A], c[LEN_C], d[LEN_C];

enum { LINK, DRAIN };

/*
 * One case: returns 1 when the COPY used its own operands, 0 when it
 * used the overwritten SQE's, -1 on a setup error.
 */
static int run(int fd, int how, bool mark)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe, *copy;
	struct io_uring ring;
	int pfd[2], i, res = -1000, read_res = -1000;
	char byte = 'x', sink;

	memset(a, 0xa1, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(c, 0xc3, sizeof(c));
	memset(d, 0, sizeof(d));
	if (pipe(pfd) || io_uring_queue_init(4, &ring, 0))
		return -1;

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read(sqe, pfd[0], &sink, 1, 0);
	sqe->flags |= how == LINK ? IOSQE_IO_LINK : IOSQE_IO_DRAIN;
	sqe->user_data = 1;
	copy = io_uring_get_sqe(&ring);
	io_uring_prep_accel_copy(copy, fd, b, a, LEN_A);
	if (mark)
		io_uring_accel_sqe_deferred(copy);
	copy->user_data = 2;
	if (io_uring_submit(&ring) != 2) {
		io_uring_queue_exit(&ring);
		return -1;
	}
	/* the slot is the application's again: liburing reuses it at once */
	io_uring_prep_accel_copy(copy, fd, d, c, LEN_C);
	copy->user_data = 3;

	if (write(pfd[1], &byte, 1) != 1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (io_uring_wait_cqe(&ring, &cqe))
			break;
		if (cqe->user_data == 1)
			read_res = cqe->res;
		else
			res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	close(pfd[0]);
	close(pfd[1]);
	if (read_res != 1)
		wd_diag("the READ gave %d", read_res);
	if (res == LEN_A && !memcmp(a, b, LEN_A) &&
	    d[0] == 0 && !memcmp(d, d + 1, LEN_C - 1))
		return 1;
	wd_diag("the COPY gave %d; B %s, D %s", res,
		!memcmp(a, b, LEN_A) ? "holds A" : "does not hold A",
		d[0] == 0xc3 ? "holds C" : "untouched");
	return 0;
}

int main(void)
{
	int fd = wd_open_or_skip();
	int late = io_uring_accel_sqe_copied_late();
	int ret;

	wd_plan(3);
	ret = run(fd, LINK, true);
	wd_ok(ret == 1, "a COPY linked behind a pending READ runs with its own operands after its slot is reused");
	ret = run(fd, DRAIN, true);
	wd_ok(ret == 1, "a COPY held behind a drained READ runs with its own operands after its slot is reused");

	/* what the helper protects against, on this kernel */
	ret = run(fd, LINK, false);
	if (ret < 0)
		wd_ok(0, "unmarked linked COPY: setup");
	else if (ret == !late)
		wd_skip(late ? "this kernel reads a deferred SQE late" :
			       "this kernel copies deferred SQEs",
			"unmarked linked COPY: ran with %s operands, as io_uring_accel_sqe_copied_late() (%d) predicts",
			ret ? "its own" : "the reused slot's", late);
	else
		wd_ok(0, "unmarked linked COPY ran with %s operands, but io_uring_accel_sqe_copied_late() says %d",
		      ret ? "its own" : "the reused slot's", late);
	close(fd);
	return wd_exit();
}
