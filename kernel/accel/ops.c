// SPDX-License-Identifier: GPL-2.0
/*
 * The WarpDrive op table: one entry per WD_OP_*, giving each op its name,
 * the operands and flags it takes and any check of its own. Every request,
 * whatever form it came in (SQE, batch descriptor, ioctl), is validated
 * here, so the rules cannot drift apart between forms.
 * Adding an op is one entry here plus its executor.
 */
#include <linux/bug.h>
#include <linux/nospec.h>
#include <kunit/visibility.h>
#include "wd_internal.h"

/* NOP: the core decides its result up front; the device only completes. */
static int wd_nop_check(const struct wd_device *wdev, struct wd_args *a)
{
	if (a->addr || a->addr2)
		return -EINVAL;
	if (!(a->flags & WD_NOP_F_INJECT_RESULT) && a->len)
		return -EINVAL;
	return 0;
}

/* The CRC32C seed is 32 bits wide. */
static int wd_crc_check(const struct wd_device *wdev, struct wd_args *a)
{
	return a->arg > U32_MAX ? -EINVAL : 0;
}

/*
 * A pinned-mode device moves data front to back through its own buffer,
 * and has no way to copy back to front: a COPY whose destination starts
 * inside its source (which memmove does from the end) is refused there.
 * A destination below the source is a plain front-to-back copy.
 */
static int wd_copy_check(const struct wd_device *wdev, struct wd_args *a)
{
	if (wd_dev_pinned(wdev) && a->addr2 > a->addr &&
	    a->addr2 < a->addr + a->len)
		return -EINVAL;
	return 0;
}

/* The CRC is of the source as read: the copy must not change it first. */
static int wd_copy_crc_check(const struct wd_device *wdev,
			     struct wd_args *a)
{
	if (wd_ranges_overlap(a->addr, a->addr2, a->len))
		return -EINVAL;
	return wd_crc_check(wdev, a);
}

/* Both destinations are written from one read: nothing may overlap. */
static int wd_dualcast_check(const struct wd_device *wdev,
			     struct wd_args *a)
{
	if (wd_ranges_overlap(a->addr, a->addr2, a->len) ||
	    wd_ranges_overlap(a->addr, a->arg, a->len) ||
	    wd_ranges_overlap(a->addr2, a->arg, a->len))
		return -EINVAL;
	return 0;
}

/*
 * COMPRESS and DECOMPRESS: a known format the device has, a zlib level
 * (compression only), reserved bits clear, and buffers apart.
 */
static int wd_comp_check(const struct wd_device *wdev, struct wd_args *a)
{
	u32 format = WD_COMP_ARG_FORMAT(a->arg);
	u32 level = WD_COMP_ARG_LEVEL(a->arg);
	u32 dst_len = WD_COMP_ARG_DST_LEN(a->arg);

	if (a->arg >> 48 || format >= WD_COMP_FORMAT_END)
		return -EINVAL;
	if (a->op == WD_OP_COMPRESS ? level > WD_COMP_LEVEL_MAX : level)
		return -EINVAL;
	if (dst_len > wdev->max_len)
		return -EINVAL;
	/* the device's own limit on what one request may compress */
	if (wdev->comp_max_len && a->len > wdev->comp_max_len)
		return -EINVAL;
	if (a->len && dst_len && a->addr < a->addr2 + dst_len &&
	    a->addr2 < a->addr + a->len)
		return -EINVAL;
	if (!(wdev->comp_formats & BIT_ULL(format)))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * Crypto ops: their parameters are in memory (arg points to them), and
 * they work in place or between buffers apart, never half overlapping.
 */
static int wd_crypt_check(const struct wd_device *wdev, struct wd_args *a)
{
	if (!a->arg)
		return -EINVAL;
	if (a->addr != a->addr2 && wd_ranges_overlap(a->addr, a->addr2, a->len))
		return -EINVAL;
	return 0;
}

const struct wd_op_desc wd_op_table[WD_OP_END] = {
	[WD_OP_NOP] = {
		.name		= "nop",
		.value		= true,
		.flags		= WD_NOP_F_INJECT_RESULT | WD_NOP_F_INLINE,
		.operands	= WD_OPND_ARG,
		.check		= wd_nop_check,
	},
	[WD_OP_COPY] = {
		.name		= "copy",
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_MEM,
		.pin		= { WD_PIN_IN, WD_PIN_OUT },
		.check		= wd_copy_check,
	},
	[WD_OP_FILL] = {
		.name		= "fill",
		.operands	= WD_OPND_ADDR | WD_OPND_ARG | WD_OPND_MEM,
		.pin		= { WD_PIN_OUT },
	},
	[WD_OP_COMPARE] = {
		.name		= "compare",
		.value		= true,
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_MEM,
		.pin		= { WD_PIN_IN, WD_PIN_IN },
	},
	[WD_OP_COMPARE_PATTERN] = {
		.name		= "compare_pattern",
		.value		= true,
		.operands	= WD_OPND_ADDR | WD_OPND_ARG | WD_OPND_MEM,
		.pin		= { WD_PIN_IN },
	},
	[WD_OP_CRC32C] = {
		.name		= "crc32c",
		.value		= true,
		.operands	= WD_OPND_ADDR | WD_OPND_ARG | WD_OPND_MEM,
		.pin		= { WD_PIN_IN },
		.check		= wd_crc_check,
	},
	[WD_OP_COPY_CRC32C] = {
		.name		= "copy_crc32c",
		.value		= true,
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_ARG |
				  WD_OPND_MEM,
		.pin		= { WD_PIN_IN, WD_PIN_OUT },
		.check		= wd_copy_crc_check,
	},
	[WD_OP_DUALCAST] = {
		.name		= "dualcast",
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_ARG |
				  WD_OPND_MEM,
		.check		= wd_dualcast_check,
	},
	[WD_OP_COMPRESS] = {
		.name		= "compress",
		.value		= true,
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_ARG |
				  WD_OPND_MEM | WD_OPND_ENGINE |
				  WD_OPND_DST_ARG,
		.pin		= { WD_PIN_IN, WD_PIN_OUT },
		.check		= wd_comp_check,
	},
	[WD_OP_DECOMPRESS] = {
		.name		= "decompress",
		.value		= true,
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_ARG |
				  WD_OPND_MEM | WD_OPND_ENGINE |
				  WD_OPND_DST_ARG,
		.pin		= { WD_PIN_IN, WD_PIN_OUT },
		.check		= wd_comp_check,
	},
	[WD_OP_ENCRYPT] = {
		.name		= "encrypt",
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_ARG |
				  WD_OPND_MEM,
		.pin		= { WD_PIN_IN, WD_PIN_OUT },
		.check		= wd_crypt_check,
	},
	[WD_OP_DECRYPT] = {
		.name		= "decrypt",
		.operands	= WD_OPND_ADDR | WD_OPND_ADDR2 | WD_OPND_ARG |
				  WD_OPND_MEM,
		.pin		= { WD_PIN_IN, WD_PIN_OUT },
		.check		= wd_crypt_check,
	},
	[WD_OP_DIGEST] = {
		.name		= "digest",
		.flags		= WD_DIGEST_F_MORE,
		.operands	= WD_OPND_ADDR | WD_OPND_ARG | WD_OPND_MEM,
		.pin		= { WD_PIN_IN },
		.check		= wd_crypt_check,
	},
};
/* The KUnit tests (tests/) see the table and the checks; no one else. */
EXPORT_SYMBOL_IF_KUNIT(wd_op_table);

/**
 * wd_args_check() - validate a decoded request against the op table
 * @wdev: the device it is for
 * @a: the request; @a->op must already be below WD_OP_END
 *
 * Return: 0, -EINVAL (unknown flag, non-zero unused operand, op-specific
 * rule, too long), or -EOPNOTSUPP (the device lacks the op).
 */
int wd_args_check(const struct wd_device *wdev, struct wd_args *a)
{
	const struct wd_op_desc *desc;
	int ret;

	/* the op number is a bit index in wd_features.ops */
	BUILD_BUG_ON(WD_OP_END > 64);

	a->op = array_index_nospec(a->op, WD_OP_END);
	desc = &wd_op_table[a->op];

	if (a->flags & ~desc->flags)
		return -EINVAL;
	if ((!(desc->operands & WD_OPND_ADDR) && a->addr) ||
	    (!(desc->operands & WD_OPND_ADDR2) && a->addr2) ||
	    (!(desc->operands & WD_OPND_ARG) && a->arg))
		return -EINVAL;
	if (desc->check) {
		ret = desc->check(wdev, a);
		if (ret)
			return ret;
	}
	if (!(wdev->ops_mask & BIT_ULL(a->op)))
		return -EOPNOTSUPP;
	if ((desc->operands & WD_OPND_MEM) && a->len > wdev->max_len)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(wd_args_check);

/**
 * wd_desc_to_args() - validate one batch or ioctl descriptor
 * @wdev: the device it is for
 * @d: the descriptor, already copied from user memory
 * @a: filled with its operands on success
 *
 * A NOP in a descriptor completes with 0 (or its injected result).
 *
 * Return: 0 or a negative errno, as wd_args_check().
 */
int wd_desc_to_args(const struct wd_device *wdev, const struct wd_desc *d,
		    struct wd_args *a)
{
	if (d->op >= WD_OP_END)
		return -EINVAL;
	if (d->__resv0[0] || d->__resv0[1] || d->__resv0[2] ||
	    d->__resv1 || d->__resv2)
		return -EINVAL;
	/* Inline NOPs exist to bypass the device; a batch cannot. */
	if (d->op == WD_OP_NOP && (d->flags & WD_NOP_F_INLINE))
		return -EINVAL;

	a->op = d->op;
	a->flags = d->flags;
	a->len = d->len;
	a->addr = d->addr;
	a->addr2 = d->addr2;
	a->arg = d->arg;
	return wd_args_check(wdev, a);
}
EXPORT_SYMBOL_GPL(wd_desc_to_args);

/* Every op flag some op accepts, for WD_CMD_GET_FEATURES. */
u64 wd_all_op_flags(void)
{
	u64 mask = 0;
	int i;

	for (i = 0; i < WD_OP_END; i++)
		mask |= wd_op_table[i].flags;
	return mask;
}
EXPORT_SYMBOL_IF_KUNIT(wd_all_op_flags);
