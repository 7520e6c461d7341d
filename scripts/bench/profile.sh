#!/bin/bash
# Where one deterministic-mode case spends its instructions, by function.
#
# Usage: scripts/bench/profile.sh WINDOW [TOP]
#   WINDOW  which of wd-bench's counted cases (its counting windows, in
#           the order the tables print them, from 1) to profile
#   TOP     how many functions to list (default 40)
# Boots the deterministic mode once with the plugin's profile on for that
# window, then names every translated block by the guest's own kallsyms
# (kernel and modules) and prints the functions with the most
# instructions: all vCPUs, then the submitting CPU (0) alone. The raw
# files stay in build/bench/profile/.
set -euo pipefail
source "$(dirname "$0")/../lab/common.sh"
window=${1:?usage: profile.sh WINDOW [TOP]}
top=${2:-40}
out=$WD_BUILD/bench/profile

read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" stock)
plugin=$("$WD_ROOT/scripts/bench/plugin.sh")
mkdir -p "$out"
rm -f "$out/profile.raw"
WD_COUNT_PLUGIN=$plugin WD_COUNT_PROFILE="$out/profile.raw,window=$window" \
	"$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" bench "$out" 1800 \
	> "$out/bench.txt" || die "the profiled run failed ($out/bench.txt)"
[ -s "$out/profile.raw" ] || die "no profile: is there a window $window?"
# /init wrote the guest's kallsyms to the chart-data port
[ -s "$out/bench.dat" ] || die "no kallsyms from the guest"

# by_function COLUMNS: the blocks' instructions (profile columns: 2, vCPU
# 0; 3, the others; 23, both) by the nearest symbol at or below their
# address (user space: "[user]")
by_function() {
	{
		awk '{ print $1, "S", $3, $4 }' "$out/bench.dat"
		awk '{ print $1, "P", $2, $3 }' "$out/profile.raw"
	} | sort -k1,1 -k2,2r | awk -v cols="$1" '
		$2 == "S" { sym = $3 " " $4; next }
		{
			n = (cols ~ /2/ ? $3 : 0) + (cols ~ /3/ ? $4 : 0)
			if (!n)
				next
			name = substr($1, 1, 1) == "f" ? sym : "[user]"
			# the padding before a function (call depth tracking
			# enters there) belongs to the function
			sub(/^__pfx_/, "", name)
			insns[name] += n
			total += n
		}
		END {
			for (f in insns)
				printf "%12d %5.1f%%  %s\n", insns[f], 100 * insns[f] / total, f
		}' | sort -rn | awk -v top="$top" 'NR <= top'
}
echo "window $window, vCPU 0 (the submitting thread's):"
by_function 2
echo
echo "window $window, the other vCPUs:"
by_function 3
