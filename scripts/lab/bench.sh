#!/bin/bash
# make bench: run wd-bench in the lab VM (stock tier), keep its figures and
# draw the chart.
#
# Usage: [WD_BENCH_SECTION=name] bench.sh [stock|debug]
#   (default stock; the debug kernel's detectors make its figures
#   meaningless). WD_BENCH_SECTION runs one section of wd-bench (its
#   --section), without the targets and the chart.
# Writes build/bench/bench.txt (the tables), bench.json (every figure) and
# bench.png (the chart); exits non-zero if the bench did not finish or the
# kernel reported a problem (oops, panic, BUG, WARNING, ...).
set -euo pipefail
source "$(dirname "$0")/common.sh"
tier=${1:-stock}
out=$WD_BUILD/bench

"$WD_ROOT/scripts/install-deps.sh" $([ "$tier" = debug ] && echo --debug-tier)
read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" "$tier")
[ -n "${initrd:-}" ] || die "build failed"
mkdir -p "$out"
# qemu.sh fails, and says why, if the kernel oopsed, panicked or warned, or
# the bench did not finish
"$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" bench "$out" 900 |
	tee "$out/bench.txt" ||
	die "the bench run failed (tables: $out/bench.txt, console: $out/console.log)"

# A finished run ends its JSON array and prints the targets.
tail -c 3 "$out/bench.json" 2>/dev/null | grep -q ']' ||
	die "wd-bench did not finish (see $out/bench.txt)"
if [ -n "${WD_BENCH_SECTION:-}" ]; then
	echo "tables: $out/bench.txt (section $WD_BENCH_SECTION)"
	exit 0
fi
grep -q '^Targets' "$out/bench.txt" || die "wd-bench printed no targets"
gnuplot -e "datafile='$out/bench.dat'; outfile='$out/bench.png'" \
	"$WD_ROOT/scripts/bench/chart.gp"
echo
echo "tables: $out/bench.txt"
echo "JSON:   $out/bench.json"
echo "chart:  $out/bench.png"
