/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels WarpDrive builds against (6.12 LTS and
 * later, 7.x included), in one place. compat.mk probes the headers and
 * passes -DWD_HAVE_<name> for each newer interface found; the rest of the
 * code calls the wd_ forms below and never tests a version itself.
 */
#ifndef _WD_COMPAT_H
#define _WD_COMPAT_H

#include <linux/crc32.h>
#include <linux/io_uring/cmd.h>
#include <linux/mm.h>
#include <linux/timer.h>

/*
 * The page @n after @page in one physically contiguous run (a scatterlist
 * entry). 7.x dropped nth_page(): a run's struct pages are contiguous on
 * every configuration it supports.
 */
#ifdef nth_page
#define wd_nth_page(page, n)	nth_page(page, n)
#else
#define wd_nth_page(page, n)	((page) + (n))
#endif

/* The command area of a 64-byte SQE, and of a 128-byte one. */
#ifdef WD_HAVE_SQE_CMD_TYPED
#define wd_sqe_cmd(sqe, type)		io_uring_sqe_cmd(sqe, type)
#define wd_sqe128_cmd(sqe, type)	io_uring_sqe128_cmd(sqe, type)
#else
#define wd_sqe_cmd(sqe, type)	({					\
	BUILD_BUG_ON(sizeof(type) > sizeof(struct io_uring_sqe) -	\
				    offsetof(struct io_uring_sqe, cmd));	\
	(const type *)io_uring_sqe_cmd(sqe);				\
})
#define wd_sqe128_cmd(sqe, type)	({				\
	BUILD_BUG_ON(sizeof(type) > 2 * sizeof(struct io_uring_sqe) -	\
				    offsetof(struct io_uring_sqe, cmd));	\
	(const type *)io_uring_sqe_cmd(sqe);				\
})
#endif

/*
 * Post a command's CQE. @cqe32: the ring takes 32-byte CQEs for this
 * request (IO_URING_F_CQE32 at issue), so @res2 goes in big_cqe[0]. 7.x
 * has a call of its own for that, and its task work no longer passes the
 * flag, so the caller records it at issue.
 */
static inline void wd_cmd_done(struct io_uring_cmd *cmd, s32 ret, u64 res2,
			       bool cqe32, unsigned int issue_flags)
{
#ifdef WD_HAVE_CMD_DONE32
	if (cqe32)
		io_uring_cmd_done32(cmd, ret, res2, issue_flags);
	else
		io_uring_cmd_done(cmd, ret, issue_flags);
#else
	/* the same bytes on both: no value where none was asked for */
	io_uring_cmd_done(cmd, ret, cqe32 ? res2 : 0, issue_flags);
#endif
}

/*
 * A completion task-work callback @name that calls
 * @fn(struct io_uring_cmd *cmd, unsigned int issue_flags), the flags to
 * pass on to wd_cmd_done(). 7.x hands callbacks the request and a token
 * instead.
 */
#ifdef WD_HAVE_IO_TW_REQ
#define WD_CMD_TASK_WORK(name, fn)					\
static void name(struct io_tw_req tw_req, io_tw_token_t tw)		\
{									\
	fn(io_uring_cmd_from_tw(tw_req),				\
	   IO_URING_CMD_TASK_WORK_ISSUE_FLAGS);				\
}
#else
#define WD_CMD_TASK_WORK(name, fn)					\
static void name(struct io_uring_cmd *cmd, unsigned int issue_flags)	\
{									\
	fn(cmd, issue_flags);						\
}
#endif

/*
 * An iov_iter over a registered buffer. Later kernels look the buffer up
 * here, under the ring's lock unless @issue_flags says it is held.
 */
static inline int wd_cmd_import_fixed(u64 ubuf, unsigned long len, int rw,
				      struct iov_iter *iter,
				      struct io_uring_cmd *cmd,
				      unsigned int issue_flags)
{
#ifdef WD_HAVE_IMPORT_FIXED_FLAGS
	return io_uring_cmd_import_fixed(ubuf, len, rw, iter, cmd, issue_flags);
#else
	return io_uring_cmd_import_fixed(ubuf, len, rw, iter, cmd);
#endif
}

/* CRC-32C (Castagnoli), no pre- or post-inversion. */
static inline u32 wd_crc32c_lib(u32 crc, const void *p, size_t len)
{
#ifdef WD_HAVE_CRC32C_LE
	return __crc32c_le(crc, p, len);
#else
	return crc32c(crc, p, len);
#endif
}

/* from_timer() became timer_container_of() (6.16). */
#ifndef timer_container_of
#define timer_container_of(var, t, field)	from_timer(var, t, field)
#endif

#endif /* _WD_COMPAT_H */
