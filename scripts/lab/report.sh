#!/bin/bash
# Read one VM run's output and judge it.
#
# Usage: report.sh NAME OUTDIR TESTS...
#   NAME     label for the run (the tier)
#   OUTDIR   holds tap.log (test output) and console.log (kernel console)
#   TESTS    the programs that must have run, in order
#
# Prints every test result, then "NAME: N passed, N failed, N skipped".
# Exits non-zero on any failed case, a program that did not finish, a
# plan that does not match its results, a timeout, a kmemleak report that
# names WarpDrive, or any kernel report on the console (oops, BUG, WARNING,
# KASAN, UBSAN, lockdep, hung task, RCU stall, panic).
set -uo pipefail
name=$1
outdir=$2
shift 2
tap=$outdir/tap.log
console=$outdir/console.log

[ -f "$tap" ] || { echo "$name: no test output ($tap)"; echo "$name: 0 passed, 1 failed, 0 skipped"; exit 1; }

# --- the tests' own verdicts ---
tr -d '\r' < "$tap" | awk -v name="$name" -v want="$*" '
BEGIN { n = split(want, order, " "); pass = fail = skip = 0 }
/^# START / { prog = $3; started[prog] = 1; plan[prog] = -1; seen[prog] = 0; next }
/^# END / {
	split($4, rc, "="); ended[$3] = 1; status[$3] = rc[2]; prog = ""; next
}
/^# kmemleak begin/ { inleak = 1; next }
/^# kmemleak end/ { inleak = 0; next }
inleak {
	if ($0 ~ /^unreferenced object/) { obj = $0; ours = 0; objs++ }
	if ($0 ~ /warpdrive|wd_[a-z_]+\+0x/) ours = 1
	if (ours && !reported[obj]++) {
		printf "not ok - %s: kmemleak: %s\n", name, obj; leaks++
	}
	next
}
/^# lab: TIMEOUT/ { print "not ok - " name ": " substr($0, 8); timeout = 1; next }
/^# lab: done/ { done = 1; next }
/^# lab:/ { print "not ok - " name ": " substr($0, 3); labfail = 1; next }
prog == "" { next }
/^1\.\.[0-9]+/ {
	plan[prog] = substr($1, 4) + 0
	if ($0 ~ /# SKIP/) { printf "skip - %s: %s %s\n", name, prog, $0; skip++ }
	next
}
/^(not )?ok [0-9]+/ {
	seen[prog]++
	line = $0; sub(/^(not )?ok [0-9]+ /, "", line)
	if ($1 == "not") { printf "not ok - %s: %s: %s\n", name, prog, line; fail++ }
	else if (line ~ /# SKIP/) { printf "skip - %s: %s: %s\n", name, prog, line; skip++ }
	else { printf "ok - %s: %s: %s\n", name, prog, line; pass++ }
	next
}
/^# / && prog != "" { print "    " $0 }
END {
	for (i = 1; i <= n; i++) {
		p = order[i]
		if (!started[p]) { printf "not ok - %s: %s never ran\n", name, p; fail++; continue }
		if (!ended[p]) { printf "not ok - %s: %s did not finish\n", name, p; fail++; continue }
		if (status[p] != 0 && status[p] != 4) { printf "not ok - %s: %s exited with %s\n", name, p, status[p]; fail++ }
		if (plan[p] >= 0 && plan[p] != seen[p]) { printf "not ok - %s: %s planned %d results, gave %d\n", name, p, plan[p], seen[p]; fail++ }
	}
	if (!done && !timeout) { printf "not ok - %s: the VM did not finish the run\n", name; fail++ }
	if (timeout || labfail) fail++
	fail += leaks
	printf "#counts %d %d %d\n", pass, fail, skip
}' > "$outdir/report.txt"
grep -v '^#counts' "$outdir/report.txt"
read -r _ pass fail skip < <(grep '^#counts' "$outdir/report.txt")

# --- the kernel's verdict ---
if [ -f "$console" ]; then
	reports=$(tr -d '\r' < "$console" | grep -E -n \
		-e 'BUG:|WARNING:|Oops|general protection fault|Kernel panic' \
		-e 'KASAN|UBSAN|kernel BUG at|Call Trace:|DEBUG_LOCKS_WARN_ON' \
		-e 'possible (circular|recursive) locking|inconsistent lock state' \
		-e 'blocked for more than|rcu.*detected stall|soft lockup' \
		-e 'refcount_t:|list_(add|del) corruption|trying to register non-static key' |
		head -n 20)
	if [ -n "$reports" ]; then
		echo "not ok - $name: kernel reports on the console ($console):"
		echo "$reports" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
else
	echo "not ok - $name: no console log"
	fail=$((fail + 1))
fi
echo "$name: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
