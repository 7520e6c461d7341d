// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the WarpDrive core's pure logic: the op table, the one
 * validation every request goes through (SQE, batch descriptor, ioctl),
 * which ops a pinned-mode device may run, and the decisions made before a
 * request reaches a driver (what a NOP completes with, what runs inline).
 * Nothing here touches user memory or a device: a fake struct wd_device
 * carries just the capability fields the checks read.
 *
 * Run by loading warpdrive_kunit.ko (selftests/kunit.c does, in the debug
 * tier); results in /sys/kernel/debug/kunit/warpdrive_*.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include "../wd_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define ALL_OPS		GENMASK_ULL(WD_OP_END - 1, 0)
#define ALL_FORMATS	GENMASK_ULL(WD_COMP_FORMAT_END - 1, 0)

static u32 wd_test_execute(struct wd_device *wdev, struct wd_req *rq,
			   const struct wd_args *args)
{
	return 1;
}

static int wd_test_submit(struct wd_device *wdev, struct wd_req *rq,
			  const struct wd_args *args, unsigned int sflags)
{
	return -EIO;
}

static const struct wd_ops wd_test_ops = {
	.name		= "kunit",
	.submit		= wd_test_submit,
	.execute	= wd_test_execute,
};

/* A device that runs everything, up to 1 MiB, inline up to 512 bytes. */
static struct wd_device *wd_test_dev(struct kunit *test)
{
	struct wd_device *wdev = kunit_kzalloc(test, sizeof(*wdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, wdev);
	wdev->ops = &wd_test_ops;
	wdev->ops_mask = ALL_OPS;
	wdev->comp_formats = ALL_FORMATS;
	wdev->max_len = 1 << 20;
	wdev->inline_max = 512;
	wdev->dev_flags = WD_DEV_F_CPU_SVA;
	return wdev;
}

static int check(const struct wd_device *wdev, u8 op, u32 flags, u32 len,
		 u64 addr, u64 addr2, u64 arg)
{
	struct wd_args a = {
		.op = op, .flags = flags, .len = len,
		.addr = addr, .addr2 = addr2, .arg = arg,
	};

	return wd_args_check(wdev, &a);
}

/* ---- the op table ---------------------------------------------------- */

static void wd_test_table_complete(struct kunit *test)
{
	int op;

	for (op = 0; op < WD_OP_END; op++) {
		const struct wd_op_desc *d = &wd_op_table[op];

		KUNIT_EXPECT_NOT_NULL_MSG(test, d->name, "op %d", op);
		/* an op that touches memory names at least its source */
		if (d->operands & WD_OPND_MEM)
			KUNIT_EXPECT_TRUE_MSG(test, d->operands & WD_OPND_ADDR,
					      "op %s", d->name);
		/* pin entries only for operands the op has */
		if (d->pin[0])
			KUNIT_EXPECT_TRUE(test, d->operands & WD_OPND_ADDR);
		if (d->pin[1])
			KUNIT_EXPECT_TRUE(test, d->operands & WD_OPND_ADDR2);
		/* op flags live in the high half of the flags word */
		KUNIT_EXPECT_EQ(test, d->flags & 0xffff, 0);
	}
}

static void wd_test_all_op_flags(struct kunit *test)
{
	u64 mask = 0;
	int op;

	for (op = 0; op < WD_OP_END; op++)
		mask |= wd_op_table[op].flags;
	KUNIT_EXPECT_EQ(test, wd_all_op_flags(), mask);
	KUNIT_EXPECT_TRUE(test, wd_all_op_flags() & WD_NOP_F_INLINE);
}

static void wd_test_pinnable(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, wd_op_pinnable(WD_OP_NOP));
	KUNIT_EXPECT_TRUE(test, wd_op_pinnable(WD_OP_COPY));
	KUNIT_EXPECT_TRUE(test, wd_op_pinnable(WD_OP_FILL));
	KUNIT_EXPECT_TRUE(test, wd_op_pinnable(WD_OP_CRC32C));
	/* a third memory operand in arg */
	KUNIT_EXPECT_FALSE(test, wd_op_pinnable(WD_OP_DUALCAST));
	/* an output whose length is in arg */
	KUNIT_EXPECT_TRUE(test, wd_op_pinnable(WD_OP_COMPRESS));
	KUNIT_EXPECT_TRUE(test, wd_op_pinnable(WD_OP_DECOMPRESS));
	KUNIT_EXPECT_TRUE(test, wd_op_table[WD_OP_COMPRESS].operands &
				WD_OPND_DST_ARG);
	/* what COPY reads and writes */
	KUNIT_EXPECT_EQ(test, wd_op_table[WD_OP_COPY].pin[0], WD_PIN_IN);
	KUNIT_EXPECT_EQ(test, wd_op_table[WD_OP_COPY].pin[1], WD_PIN_OUT);
}

/* ---- validation ------------------------------------------------------- */

static void wd_test_nop_rules(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);

	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, 0, 0, 0, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, 0, 0, 0, 0, ~0ULL), 0);
	/* a result only with the flag that injects it */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, 0, 5, 0, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, WD_NOP_F_INJECT_RESULT,
				    5, 0, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, 0, 0, 1, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, 0, 0, 0, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_NOP, BIT(0), 0, 0, 0, 0),
			-EINVAL);
}

static void wd_test_flags_and_operands(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);

	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, 0, 64, 0x1000, 0x2000, 0),
			0);
	/* NOP's flags mean nothing to COPY; nor does an argument */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, WD_NOP_F_INLINE, 64,
				    0x1000, 0x2000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, 0, 64, 0x1000, 0x2000, 1),
			-EINVAL);
	/* FILL and CRC32C have no second operand */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_FILL, 0, 64, 0x1000, 8, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_CRC32C, 0, 64, 0x1000, 8, 0),
			-EINVAL);
}

static void wd_test_lengths(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);

	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, 0, 1 << 20, 0x1000,
				    0x200000, 0), 0);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, 0, (1 << 20) + 1, 0x1000,
				    0x200000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, 0, 0, 0, 0, 0), 0);
}

static void wd_test_missing_op(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);

	wdev->ops_mask = BIT_ULL(WD_OP_COPY);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_FILL, 0, 64, 0x1000, 0, 0),
			-EOPNOTSUPP);
	/* an invalid request is invalid whatever the device has */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_FILL, BIT(20), 64, 0x1000, 0, 0),
			-EINVAL);
}

static void wd_test_crc_and_overlaps(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);

	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_CRC32C, 0, 64, 0x1000, 0,
				    U32_MAX), 0);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_CRC32C, 0, 64, 0x1000, 0,
				    1ULL << 32), -EINVAL);
	/* COPY_CRC32C: the CRC is of the source as read */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY_CRC32C, 0, 64, 0x1000,
				    0x1020, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY_CRC32C, 0, 64, 0x1000,
				    0x1040, 0), 0);
	/* COPY is memmove: overlap is fine */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COPY, 0, 64, 0x1000, 0x1020, 0),
			0);
	/* DUALCAST: no two of the three may overlap */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_DUALCAST, 0, 64, 0x1000, 0x2000,
				    0x3000), 0);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_DUALCAST, 0, 64, 0x1000, 0x2000,
				    0x2010), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_DUALCAST, 0, 64, 0x1000, 0x2000,
				    0x0fc8), -EINVAL);
}

static void wd_test_compression(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);
	u64 ok = WD_COMP_ARG(4096, WD_COMP_GZIP, 6);

	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x20000, ok), 0);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x20000, WD_COMP_ARG(4096, WD_COMP_GZIP,
							 WD_COMP_LEVEL_MAX + 1)),
			-EINVAL);
	/* decompression takes no level */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_DECOMPRESS, 0, 4096, 0x10000,
				    0x20000, ok), -EINVAL);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x20000, WD_COMP_ARG(4096,
							 WD_COMP_FORMAT_END, 1)),
			-EINVAL);
	/* reserved bits above the argument's fields */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x20000, ok | (1ULL << 48)), -EINVAL);
	/* output longer than the device allows */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x20000, WD_COMP_ARG((1 << 20) + 1,
							 WD_COMP_GZIP, 1)),
			-EINVAL);
	/* buffers apart */
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x10800, ok), -EINVAL);
	/* a format the device lacks */
	wdev->comp_formats = BIT_ULL(WD_COMP_DEFLATE);
	KUNIT_EXPECT_EQ(test, check(wdev, WD_OP_COMPRESS, 0, 4096, 0x10000,
				    0x20000, ok), -EOPNOTSUPP);
}

static void wd_test_descriptors(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);
	struct wd_desc d = {
		.op = WD_OP_COPY, .addr = 0x1000, .addr2 = 0x2000, .len = 64,
	};
	struct wd_args a;

	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), 0);
	KUNIT_EXPECT_EQ(test, a.op, WD_OP_COPY);
	KUNIT_EXPECT_EQ(test, a.len, 64);
	KUNIT_EXPECT_EQ(test, a.addr, 0x1000);
	KUNIT_EXPECT_EQ(test, a.addr2, 0x2000);

	d.__resv0[1] = 1;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), -EINVAL);
	d.__resv0[1] = 0;
	d.__resv1 = 1;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), -EINVAL);
	d.__resv1 = 0;
	d.__resv2 = 1;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), -EINVAL);
	d.__resv2 = 0;
	d.op = WD_OP_END;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), -EINVAL);
	/* an inline NOP exists to bypass the device: not in a batch */
	memset(&d, 0, sizeof(d));
	d.op = WD_OP_NOP;
	d.flags = WD_NOP_F_INLINE;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), -EINVAL);
	d.flags = 0;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), 0);
	/* the completion record is not input: anything there is ignored */
	d.status = -1;
	d.done = 7;
	d.result = 9;
	KUNIT_EXPECT_EQ(test, wd_desc_to_args(wdev, &d, &a), 0);
}

/* ---- decisions before the driver ------------------------------------------ */

static void wd_test_nop_results(struct kunit *test)
{
	struct wd_args a = { .op = WD_OP_NOP, .arg = 0xfeed };
	struct wd_req rq;

	wd_req_init(&rq, WD_REQ_URING, &a);
	KUNIT_EXPECT_EQ(test, rq.res, 0);
	KUNIT_EXPECT_EQ(test, rq.res2, 0xfeed);
	KUNIT_EXPECT_NULL(test, rq.mm);

	a.flags = WD_NOP_F_INJECT_RESULT;
	a.len = (u32)-EAGAIN;
	wd_req_init(&rq, WD_REQ_URING, &a);
	KUNIT_EXPECT_EQ(test, rq.res, -EAGAIN);
	a.len = 12345;
	wd_req_init(&rq, WD_REQ_SYNC, &a);
	KUNIT_EXPECT_EQ(test, rq.res, 12345);
	KUNIT_EXPECT_EQ(test, rq.flags, WD_REQ_SYNC);
}

static void wd_test_inline_decision(struct kunit *test)
{
	struct wd_device *wdev = wd_test_dev(test);
	struct wd_args a = { .op = WD_OP_COPY, .len = 512 };

	KUNIT_EXPECT_TRUE(test, wd_should_execute(wdev, &a));
	a.len = 513;
	KUNIT_EXPECT_FALSE(test, wd_should_execute(wdev, &a));
	/* NOPs measure the device path: never inline */
	a.op = WD_OP_NOP;
	a.len = 0;
	KUNIT_EXPECT_FALSE(test, wd_should_execute(wdev, &a));
	/* compression needs the engine's workspaces */
	a.op = WD_OP_COMPRESS;
	a.len = 64;
	KUNIT_EXPECT_FALSE(test, wd_should_execute(wdev, &a));
	/* a batch always starts inline: its small head runs here */
	a.op = WD_OP_BATCH;
	a.len = 1000;
	KUNIT_EXPECT_TRUE(test, wd_should_execute(wdev, &a));
	/* 0 turns it off */
	wdev->inline_max = 0;
	a.op = WD_OP_COPY;
	a.len = 1;
	KUNIT_EXPECT_FALSE(test, wd_should_execute(wdev, &a));
}

static void wd_test_needs_mm(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, wd_op_needs_mm(WD_OP_NOP));
	KUNIT_EXPECT_TRUE(test, wd_op_needs_mm(WD_OP_COPY));
	KUNIT_EXPECT_TRUE(test, wd_op_needs_mm(WD_OP_COMPRESS));
	KUNIT_EXPECT_TRUE(test, wd_op_needs_mm(WD_OP_BATCH));
	KUNIT_EXPECT_FALSE(test, wd_op_needs_mm(WD_OP_END));
}

static struct kunit_case wd_ops_cases[] = {
	KUNIT_CASE(wd_test_table_complete),
	KUNIT_CASE(wd_test_all_op_flags),
	KUNIT_CASE(wd_test_pinnable),
	KUNIT_CASE(wd_test_nop_rules),
	KUNIT_CASE(wd_test_flags_and_operands),
	KUNIT_CASE(wd_test_lengths),
	KUNIT_CASE(wd_test_missing_op),
	KUNIT_CASE(wd_test_crc_and_overlaps),
	KUNIT_CASE(wd_test_compression),
	KUNIT_CASE(wd_test_descriptors),
	{}
};

static struct kunit_suite wd_ops_suite = {
	.name = "warpdrive_ops",
	.test_cases = wd_ops_cases,
};

static struct kunit_case wd_issue_cases[] = {
	KUNIT_CASE(wd_test_nop_results),
	KUNIT_CASE(wd_test_inline_decision),
	KUNIT_CASE(wd_test_needs_mm),
	{}
};

static struct kunit_suite wd_issue_suite = {
	.name = "warpdrive_issue",
	.test_cases = wd_issue_cases,
};

kunit_test_suites(&wd_ops_suite, &wd_issue_suite);

MODULE_DESCRIPTION("KUnit tests for the WarpDrive core");
MODULE_LICENSE("GPL");
