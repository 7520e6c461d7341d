// SPDX-License-Identifier: GPL-2.0
/*
 * The WarpDrive op table: one entry per WD_OP_*, giving each op its name,
 * the flags it accepts and how its SQE fields are read and validated.
 * Adding an op is one entry here plus the engines that execute it.
 */
#include <linux/bug.h>
#include "wd_internal.h"

static int wd_nop_prep(struct wd_req *rq, const struct io_uring_sqe *sqe,
		       u32 flags)
{
	const struct wd_sqe_cmd *c = io_uring_sqe_cmd(sqe);
	u64 addr = READ_ONCE(sqe->addr);
	u32 len = READ_ONCE(sqe->len);

	if (addr || READ_ONCE(c->addr2))
		return -EINVAL;
	if (!(flags & WD_NOP_F_INJECT_RESULT) && len)
		return -EINVAL;

	rq->res = (flags & WD_NOP_F_INJECT_RESULT) ? (s32)len : 0;
	rq->res2 = READ_ONCE(c->arg);
	return 0;
}

const struct wd_op_desc wd_op_table[WD_OP_END] = {
	[WD_OP_NOP] = {
		.name	= "nop",
		.flags	= WD_NOP_F_INJECT_RESULT | WD_NOP_F_INLINE,
		.prep	= wd_nop_prep,
	},
};

/* Every op flag some op accepts, for WD_CMD_GET_FEATURES. */
u64 wd_all_op_flags(void)
{
	u64 mask = 0;
	int i;

	/* the op number is a bit index in wd_features.ops */
	BUILD_BUG_ON(WD_OP_END > 64);

	for (i = 0; i < WD_OP_END; i++)
		mask |= wd_op_table[i].flags;
	return mask;
}
