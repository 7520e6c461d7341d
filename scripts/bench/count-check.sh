#!/bin/bash
# The deterministic mode's self-check, as TAP on stdout (make check runs it
# on the stock tier): the counting plugin builds for this QEMU, a guest
# loop of known length counts as exactly that, system calls are counted
# one by one, a thread's instructions land on its CPU, and the same ring
# case measured thrice in one boot repeats (wd-bench --count --section
# check). Exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/../lab/common.sh"
out=$WD_BUILD/bench/count-check
mkdir -p "$out"

fail() { echo "not ok - count: $*"; exit 1; }

plugin=$("$WD_ROOT/scripts/bench/plugin.sh" 2> "$out/plugin.log") ||
	{ sed 's/^/# /' "$out/plugin.log"; fail "the counting plugin did not build"; }
echo "ok - count: the counting plugin builds against this QEMU's plugin API"
read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" stock 2> "$out/prepare.log") ||
	fail "the stock tier did not build"
WD_COUNT_PLUGIN=$plugin WD_BENCH_SECTION=check \
	"$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" bench "$out" 600 \
	> "$out/bench.txt" 2>&1
rc=$?
# the guest's TAP, numbers dropped (make check numbers nothing)
tap=$(tr -d '\r' < "$out/bench.txt" | grep -E '^(not )?ok [0-9]+ - count:' |
	sed -E 's/^(not )?ok [0-9]+ - /\1ok - /')
[ -z "$tap" ] || echo "$tap"
want=$(tr -d '\r' < "$out/bench.txt" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
[ -n "$want" ] || fail "the self-check did not finish (see $out/bench.txt)"
[ "$(grep -c . <<< "$tap")" -eq "$want" ] ||
	fail "the self-check planned $want checks and reported $(grep -c . <<< "$tap")"
[ "$rc" -eq 0 ] || fail "the counting VM failed (see $out/bench.txt)"
! grep -q '^not ok' <<< "$tap"
