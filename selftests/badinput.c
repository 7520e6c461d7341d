// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input is refused with the documented errno and never reaches the
 * device: unknown commands, classes, ops and flags; non-zero reserved
 * fields (including the second half of an SQE128 SQE); io_uring features
 * the device does not support; and WarpDrive commands sent to files that
 * are not WarpDrive devices.
 */
#include "wd_uring.h"

static int fd;
static const char *dev;

struct bad_case {
	const char	*what;
	__u32		cmd_op;
	__u32		flags;
	__u64		addr;
	__u32		len;
	__u64		addr2;
	__u64		arg;
	__u16		buf_index;
	int		want;
};

static const struct bad_case cases[] = {
	{ "wrong magic", 0x12340100, .want = -EINVAL },
	{ "unknown class", WD_CMD(0x7f, 0), .want = -EINVAL },
	{ "unknown op", WD_CMD(WD_CLASS_OP, WD_OP_END), .want = -EINVAL },
	{ "op number 255", WD_CMD(WD_CLASS_OP, 0xff), .want = -EINVAL },
	{ "unknown control command", WD_CMD(WD_CLASS_CTRL, 0x7f),
	  .want = -EINVAL },
	{ "control command 0", WD_CMD(WD_CLASS_CTRL, 0), .want = -EINVAL },
	{ "unknown op flag", WD_CMD_NOP, .flags = 1U << 31, .want = -EINVAL },
	{ "unknown common flag", WD_CMD_NOP, .flags = 1U << 0,
	  .want = -EINVAL },
	{ "NOP with an address", WD_CMD_NOP, .addr = 0x1000, .want = -EINVAL },
	{ "NOP with a second address", WD_CMD_NOP, .addr2 = 0x1000,
	  .want = -EINVAL },
	{ "NOP with a length", WD_CMD_NOP, .len = 1, .want = -EINVAL },
	{ "non-zero buf_index", WD_CMD_NOP, .buf_index = 1, .want = -EINVAL },
	{ "GET_FEATURES with flags", WD_CMD_GET_FEATURES, .flags = 1,
	  .len = sizeof(struct wd_features), .want = -EINVAL },
	{ "GET_FEATURES with an argument", WD_CMD_GET_FEATURES, .arg = 1,
	  .len = sizeof(struct wd_features), .want = -EINVAL },
	{ "GET_FEATURES with a second address", WD_CMD_GET_FEATURES,
	  .addr2 = 8, .len = sizeof(struct wd_features), .want = -EINVAL },
};

static void test_cases(void)
{
	long long sub0 = wd_sysfs_read(dev, "submitted");
	struct wd_features feat;
	struct io_uring ring;
	unsigned int i;

	io_uring_queue_init(8, &ring, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		__u64 addr = c->addr;
		int res;

		if (c->cmd_op == WD_CMD_GET_FEATURES)
			addr = (__u64)(unsigned long)&feat;
		io_uring_prep_accel_cmd(sqe, fd, c->cmd_op, c->flags, addr,
					c->len, c->addr2, c->arg);
		sqe->buf_index = c->buf_index;
		res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(res == c->want, "%s: %d (want %d)", c->what, res,
		      c->want);
	}
	io_uring_queue_exit(&ring);
	wd_ok(wd_sysfs_read(dev, "submitted") == sub0,
	      "no refused request reached the device");
}

/*
 * Clear a whole 128-byte SQE. Out of line: newer compilers take the
 * pointer for one 64-byte struct io_uring_sqe and refuse the memset.
 */
static void __attribute__((noinline)) wd_zero_sqe128(void *sqe)
{
	memset(sqe, 0, 128);
}

/* The second 64 bytes of an SQE128 SQE are reserved. */
static void test_sqe128(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int res;

	if (io_uring_queue_init_params(4, &ring, &p)) {
		wd_skip("no SQE128 rings", "SQE128: clean SQE accepted");
		wd_skip("no SQE128 rings", "SQE128: dirty second half refused");
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	wd_zero_sqe128(sqe);
	io_uring_prep_accel_nop(sqe, fd, 0, 0, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == 0, "SQE128: clean SQE accepted (%d)", res);

	sqe = io_uring_get_sqe(&ring);
	wd_zero_sqe128(sqe);
	io_uring_prep_accel_nop(sqe, fd, 0, 0, 0);
	((unsigned char *)sqe)[127] = 1;
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == -EINVAL, "SQE128: dirty second half refused (%d)", res);
	io_uring_queue_exit(&ring);
}

/* Registered buffers are not supported yet: say so, don't ignore them. */
static void test_fixed_buffer(void)
{
	static char buf[4096];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int res;

	io_uring_queue_init(4, &ring, 0);
	if (io_uring_register_buffers(&ring, &iov, 1)) {
		wd_skip("cannot register buffers", "IORING_URING_CMD_FIXED");
		io_uring_queue_exit(&ring);
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_nop(sqe, fd, 0, 0, 0);
	sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == -EOPNOTSUPP,
	      "IORING_URING_CMD_FIXED gives -EOPNOTSUPP (%d)", res);
	io_uring_queue_exit(&ring);
}

/* A WarpDrive command on a file that is not a WarpDrive device. */
static void test_wrong_fd(void)
{
	/* not /dev/null: it takes every URING_CMD, for io_uring's tests */
	const char *paths[] = { "/dev/zero", "/proc/self/status" };
	struct io_uring ring;
	int pipefd[2];
	unsigned int i;
	int other, res;

	io_uring_queue_init(4, &ring, 0);
	for (i = 0; i < 2; i++) {
		other = open(paths[i], O_RDONLY | O_CLOEXEC);
		io_uring_prep_accel_nop(io_uring_get_sqe(&ring), other, 0, 0,
					0);
		res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(other >= 0 && res == -EOPNOTSUPP,
		      "NOP on %s: %d (want %d)", paths[i], res, -EOPNOTSUPP);
		close(other);
	}
	if (pipe(pipefd)) {
		wd_ok(0, "pipe");
	} else {
		io_uring_prep_accel_nop(io_uring_get_sqe(&ring), pipefd[0], 0,
					0, 0);
		res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(res == -EOPNOTSUPP, "NOP on a pipe: %d", res);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	io_uring_prep_accel_nop(io_uring_get_sqe(&ring), 999, 0, 0, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(res == -EBADF, "NOP on a closed fd: %d", res);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	fd = wd_open_or_skip();
	dev = wd_test_device();

	wd_plan(sizeof(cases) / sizeof(cases[0]) + 1 + 2 + 1 + 4);
	test_cases();
	test_sqe128();
	test_fixed_buffer();
	test_wrong_fd();
	close(fd);
	return wd_exit();
}
