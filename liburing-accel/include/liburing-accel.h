/* SPDX-License-Identifier: MIT */
/*
 * liburing-accel: WarpDrive offload requests on a liburing ring.
 *
 * The io_uring_prep_accel_*() helpers fill an SQE for one WarpDrive
 * command, zeroing every field the kernel validates, in the manner of
 * liburing's own prep helpers. The rest finds, opens and probes devices.
 * Functions that can fail return a negative errno.
 *
 * On a ring set up with IORING_SETUP_SQE128, the second 64 bytes of each
 * SQE are reserved and must be zero: clear them before calling a helper
 * (io_uring_prep_accel_cmd() only writes the first 64).
 */
#ifndef LIBURING_ACCEL_H
#define LIBURING_ACCEL_H

#include <stddef.h>
#include <string.h>
#include <liburing.h>
#include <linux/warpdrive.h>

#ifdef __cplusplus
extern "C" {
#endif

_Static_assert(sizeof(struct wd_features) == WD_FEATURES_SIZE_V0,
	       "struct wd_features layout");
_Static_assert(sizeof(struct wd_sqe_cmd) == 16, "struct wd_sqe_cmd layout");

/* The 16 bytes of an SQE that carry struct wd_sqe_cmd. */
static inline struct wd_sqe_cmd *io_uring_sqe_accel_cmd(struct io_uring_sqe *sqe)
{
	return (struct wd_sqe_cmd *)&sqe->addr3;
}

/*
 * The base helper: every WarpDrive SQE is built by this one, so a field the
 * kernel checks is never left holding a previous request's value.
 */
static inline void io_uring_prep_accel_cmd(struct io_uring_sqe *sqe, int fd,
					   __u32 cmd_op, __u32 flags,
					   __u64 addr, __u32 len,
					   __u64 addr2, __u64 arg)
{
	struct wd_sqe_cmd *cmd = io_uring_sqe_accel_cmd(sqe);

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	sqe->file_index = flags;
	sqe->addr = addr;
	sqe->len = len;
	cmd->addr2 = addr2;
	cmd->arg = arg;
}

/*
 * WD_OP_NOP. @flags: WD_NOP_F_*. With WD_NOP_F_INJECT_RESULT the request
 * completes with @res; without it, @res must be 0. @arg comes back in
 * big_cqe[0] on a CQE32 ring.
 */
static inline void io_uring_prep_accel_nop(struct io_uring_sqe *sqe, int fd,
					   unsigned int flags, int res,
					   __u64 arg)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_NOP, flags, 0,
				(__u32)res, 0, arg);
}

/* WD_CTRL_GET_FEATURES into @f; completes with the bytes written. */
static inline void io_uring_prep_accel_get_features(struct io_uring_sqe *sqe,
						    int fd,
						    struct wd_features *f)
{
	io_uring_prep_accel_cmd(sqe, fd, WD_CMD_GET_FEATURES, 0,
				(__u64)(unsigned long)f, sizeof(*f), 0, 0);
}

/* Name of op @op ("nop", ...), or NULL for an op this library lacks. */
const char *io_uring_accel_op_name(unsigned int op);

/* Open /dev/warpdrive/@name with open(2) @oflags; fd or -errno. */
int io_uring_accel_open(const char *name, int oflags);

/*
 * Open the first device (in name order) whose sysfs "ops" lists @op, and
 * copy its name into @name (@size bytes) when @name is not NULL.
 */
int io_uring_accel_open_op(unsigned int op, int oflags, char *name,
			   size_t size);

/* Fill @f for the device open on @fd, through a private ring. */
int io_uring_accel_probe(int fd, struct wd_features *f);

#ifdef __cplusplus
}
#endif

#endif /* LIBURING_ACCEL_H */
