#!/bin/bash
# make bench: wd-bench in the lab VM (stock tier), in two boots.
#  1. The deterministic mode: the VM under -icount with the counting
#     plugin (scripts/bench/insn-count.c); ring paths, small ops and the
#     peers' costs as instructions, system calls and wake-ups per op,
#     which repeat from run to run.
#  2. The wall-clock mode: throughput, CPU time and latency, the peers,
#     fairness, edu0, crypto0, and the chart.
#
# Usage: [WD_BENCH_SECTION=name] bench.sh [stock|debug]
#   (default stock; the debug kernel's detectors make its figures
#   meaningless). WD_BENCH_SECTION=count runs the deterministic mode
#   alone; another name runs that wall-clock section of wd-bench alone
#   (its --section), without the targets and the chart.
# Writes build/bench/count/bench.{txt,json} (deterministic) and
# build/bench/bench.txt, bench.json, bench.png (wall clock); exits non-zero
# if a run did not finish or the kernel reported a problem (oops, panic,
# BUG, WARNING, ...).
set -euo pipefail
source "$(dirname "$0")/common.sh"
tier=${1:-stock}
out=$WD_BUILD/bench
section=${WD_BENCH_SECTION:-}

"$WD_ROOT/scripts/install-deps.sh" $([ "$tier" = debug ] && echo --debug-tier)
read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" "$tier")
[ -n "${initrd:-}" ] || die "build failed"
mkdir -p "$out/count"

# run_vm OUTDIR: one boot; qemu.sh fails, and says why, if the kernel
# oopsed, panicked or warned, or the bench did not finish.
run_vm() {
	"$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" bench "$1" 1800 |
		tee "$1/bench.txt" ||
		die "the bench run failed (tables: $1/bench.txt, console: $1/console.log)"
	# A finished run ends its JSON array.
	tail -c 3 "$1/bench.json" 2>/dev/null | grep -q ']' ||
		die "wd-bench did not finish (see $1/bench.txt)"
}

if [ -z "$section" ] || [ "$section" = count ]; then
	plugin=$("$WD_ROOT/scripts/bench/plugin.sh")
	WD_COUNT_PLUGIN=$plugin WD_BENCH_SECTION='' run_vm "$out/count"
	grep -q '^Targets, deterministic' "$out/count/bench.txt" ||
		die "wd-bench printed no deterministic targets"
	if [ "$section" = count ]; then
		echo "tables: $out/count/bench.txt"
		exit 0
	fi
fi
run_vm "$out"
if [ -n "$section" ]; then
	echo "tables: $out/bench.txt (section $section)"
	exit 0
fi
grep -q '^Targets' "$out/bench.txt" || die "wd-bench printed no targets"
gnuplot -e "datafile='$out/bench.dat'; outfile='$out/bench.png'" \
	"$WD_ROOT/scripts/bench/chart.gp"
echo
echo "deterministic: $out/count/bench.txt, $out/count/bench.json"
echo "wall clock:    $out/bench.txt, $out/bench.json"
echo "chart:         $out/bench.png"
