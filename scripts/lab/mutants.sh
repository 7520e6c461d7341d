#!/bin/bash
# Prove the lab can fail: build deliberately broken copies of the module
# and check that `check.sh` rejects each of them.
#
# Usage: mutants.sh [stock|debug|k72 [NAME...]]
#   tier: default stock; the leak mutant always runs on the debug tier,
#   where kmemleak is. NAMEs pick mutants (default all); WD_TESTS="..."
#   narrows the suite each runs, as for check.sh.
# Each mutant is one sed expression applied to a copy of the tree; the
# script fails if any mutant passes the suite.
set -uo pipefail
source "$(dirname "$0")/common.sh"
tier=${1:-stock}
only=" ${*:2} "

# name | file | sed expression | tier
mutants=(
	"nop-wrong-result|kernel/accel/wd_internal.h|s/^\trq->res = 0;$/\trq->res = 1;/|$tier"
	"warn-in-issue-path|kernel/accel/uring.c|/^static int wd_uring_op(/,/^{/ s/^{/{\n\tWARN_ON(1);/|$tier"
	"no-slicing|kernel/accel/soft/soft.c|s/^#define WD_SOFT_SLICE\t\t(1U << 20)/#define WD_SOFT_SLICE\t\tU32_MAX/|$tier"
	"crc-off-by-one|kernel/accel/cpu.c|s/r->value = wd_crc32c(r->value, ctx->bounce, got);/r->value = wd_crc32c(r->value, ctx->bounce, got ? got - 1 : 0);/|$tier"
	"no-doorbell-coalescing|kernel/accel/doorbell.c|s/^\tif (!wdev->ops->commit .*coalesce))$/\tif (1)/|$tier"
	"cancel-unmarked|kernel/accel/uring.c|s/io_uring_cmd_mark_cancelable(cmd, issue_flags);/(void)cmd;/g|$tier"
	"engine-takes-faults|kernel/accel/soft/soft.c|s/^\tpagefault_disable();$/\t;/|$tier"
	"issue-path-takes-faults|kernel/accel/wd_internal.h|s/^\t\tpagefault_disable();$/\t\tbarrier();/|$tier"
	"pinned-issue-path-takes-faults|kernel/accel/dma.c|s/^\tbool may_fault = !(issue_flags \& IO_URING_F_NONBLOCK);$/\tbool may_fault = true;/|$tier"
	"streams-on-the-engine|kernel/accel/soft/soft.c|s/^\tq->cpu.stream_max = WD_SOFT_STREAM_MIN;$/\t;/|$tier"
	"eagain-after-side-effects|kernel/accel/uring.c|s/^\t\t\tsflags .= WD_SUBMIT_FORCE;$/\t\t\tbarrier();/|$tier"
	"cqe32-result-dropped|kernel/accel/wd_compat.h|s/^\t\tio_uring_cmd_done32(cmd, ret, res2, issue_flags);$/\t\tio_uring_cmd_done(cmd, ret, issue_flags);/|k72"
	"crypto-out-pin-faults|kernel/accel/crypto/crypto.c|s/(nowait ? FOLL_NOFAULT : 0)/0/|$tier"
	"crypto-unverified-plaintext|kernel/accel/crypto/crypto.c|s/^\tif (deliver \&\& rq->res >= 0) {$/\tif (deliver) {/|$tier"
	"acomp-failures-unexplained|kernel/accel/crypto/comp.c|s/^\ts.workspace = kvmalloc(zlib_inflate_workspacesize(),$/\treturn -EBADMSG;\n&/|$tier"
	"acomp-zlib-trailer-unchecked|kernel/accel/crypto/comp.c|s/^\t    get_unaligned_be32(trailer) != sum)$/\t    0)/|$tier"
	"copy-in-place-wrong-offset|kernel/accel/cpu.c|s/struct wd_copy_walk w = { .ctx = ctx, .dst = a->addr2 + r->done };/struct wd_copy_walk w = { .ctx = ctx, .dst = a->addr2 };/|$tier"
	"copy-in-place-overlapping|kernel/accel/cpu.c|s/n >= PAGE_SIZE \&\& wd_copy_one_pass(a)) {/n >= PAGE_SIZE \&\& (wd_copy_one_pass(a) + 1)) {/|$tier"
	"crc-seed-unchecked|kernel/accel/ops.c|s/return a->arg > U32_MAX ? -EINVAL : 0;/return 0;/|debug"
	"leak-per-open|kernel/accel/core.c|s/^\tget_device(&wdev->dev);/\tWARN_ON(!kmalloc(64, GFP_KERNEL));\n&/|debug"
)

work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
survived=0
for m in "${mutants[@]}"; do
	IFS='|' read -r name file expr mtier <<< "$m"
	[ "$only" = "  " ] || [[ "$only" == *" $name "* ]] || continue
	rm -rf "$work/tree"
	mkdir -p "$work/tree"
	(cd "$WD_ROOT" && git ls-files -z | xargs -0 cp --parents -t "$work/tree")
	sed -i -e "$expr" "$work/tree/$file"
	if cmp -s "$WD_ROOT/$file" "$work/tree/$file"; then
		echo "mutant $name: the expression changed nothing (stale mutant)"
		survived=$((survived + 1))
		continue
	fi
	echo "== mutant $name ($mtier tier)"
	if WD_BUILD=$work/build "$work/tree/scripts/lab/check.sh" "$mtier" \
		> "$work/$name.log" 2>&1; then
		echo "mutant $name SURVIVED: the suite passed a broken module"
		survived=$((survived + 1))
	elif grep -q 'build failed' "$work/$name.log"; then
		# Not a kill: the suite never ran against the mutant.
		echo "mutant $name did not build ($work/$name.log)"
		survived=$((survived + 1))
	else
		echo "mutant $name killed:"
		grep -E '^not ok|failed' "$work/$name.log" | head -n 6 | sed 's/^/    /'
	fi
done
[ $survived -eq 0 ] && echo "all mutants killed"
[ $survived -eq 0 ]
