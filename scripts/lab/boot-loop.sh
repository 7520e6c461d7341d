#!/bin/bash
# Boot the lab VM over and over and count the boots that go wrong: the
# tool behind docs/lab.md's "Known emulator flake".
#
# Usage: boot-loop.sh [-n BOOTS] [-j PARALLEL] [-o OUTDIR] [-t TIMEOUT]
#                     stock|debug|k72|KERNEL:INITRD
#   -n  boots (default 20)   -j  VMs at once (default 1; 2 adds load)
#   -o  where each boot's console.log goes (default $WD_BUILD/boot-loop)
#   -t  seconds before a boot counts as hung (default 120, debug 600)
# Each boot runs /init with wd.mode=boot: it says "lab: /init reached",
# loads the modules, says "lab: boot done" and powers off. A boot fails on
# any kernel report on the console (oops, panic, BUG, WARNING, ...), or if
# it never reached /init or never finished.
# WD_ACCEL, WD_APPEND, WD_QEMU and WD_QEMU_ARGS reach qemu.sh (the -accel
# value, extra kernel command line, another QEMU and its arguments).
# Prints one line per boot, then a summary; exits non-zero if any failed.
set -uo pipefail
source "$(dirname "$0")/common.sh"
boots=20 jobs=1 out= limit=
while getopts n:j:o:t: opt; do
	case $opt in
	n) boots=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	t) limit=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '4,18p' "$0" >&2; exit 2; }
case $1 in
stock|debug|k72)
	read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" "$1")
	[ -n "${initrd:-}" ] || die "build failed"
	[ -z "$limit" ] && [ "$1" = debug ] && limit=600
	;;
*:*)
	kernel=${1%%:*} initrd=${1#*:}
	;;
*)
	die "boot-loop: stock, debug, k72 or KERNEL:INITRD"
	;;
esac
limit=${limit:-120}
out=${out:-$WD_BUILD/boot-loop}
rm -rf "$out"
mkdir -p "$out"
echo "boot-loop: $boots boots of $kernel, $jobs at a time," \
	"accel ${WD_ACCEL:-as in qemu.sh}, append '${WD_APPEND:-}'," \
	"$("${WD_QEMU:-qemu-system-x86_64}" --version | head -n 1)"

re='BUG:|WARNING:|Oops|general protection fault|Kernel panic|Call Trace:'
re+='|KASAN|UBSAN|blocked for more than|rcu.*detected stall|soft lockup'

# one boot: prints "N VERDICT INIT_S WALL_S DETAIL"
boot() {
	local i=$1 d=$out/$1 t0 t1 rc=0 log init verdict detail
	t0=$(date +%s.%N)
	"$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" boot "$d" "$limit" || rc=$?
	t1=$(date +%s.%N)
	log=$(tr -d '\r' < "$d/console.log" 2>/dev/null)
	init=$(sed -n -E 's/^\[ *([0-9.]+)\] Run .* as init process.*/\1/p' <<< "$log" | head -n 1)
	detail=$(grep -E -m 1 "$re" <<< "$log")
	if [ -n "$detail" ]; then
		verdict=REPORT
	elif ! grep -q '^lab: /init reached' <<< "$log"; then
		verdict=NO-INIT; detail="rc $rc; $(tail -n 1 <<< "$log")"
	elif ! grep -q '^lab: boot done' <<< "$log"; then
		verdict=NO-END; detail="rc $rc; $(tail -n 1 <<< "$log")"
	else
		verdict=ok
	fi
	echo "$i $verdict ${init:--} $(echo "$t1 - $t0" | bc) $detail"
}

for ((w = 0; w < jobs; w++)); do
	(for ((i = w + 1; i <= boots; i += jobs)); do boot $i; done) &
done | tee "$out/results.txt"
wait

median=$(awk '$3 != "-" { print $3 }' "$out/results.txt" | sort -n |
	awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
awk -v out="$out" -v median="${median:--}" '
{ n++; if ($2 != "ok") { bad++; kind[$2]++ }
  if ($3 != "-") { ni++; isum += $3; if ($3 > imax) imax = $3 }
  wall += $4 }
END {
	printf "boot-loop: %d boots, %d failed", n, bad
	for (k in kind) printf " (%s: %d)", k, kind[k]
	if (ni) printf "; /init at %.2f s mean, %s median, %.2f max (guest clock)",
		isum / ni, median, imax
	if (n) printf "; %.1f s wall per boot", wall / n
	printf "; consoles in %s\n", out
	exit bad > 0
}' "$out/results.txt"
