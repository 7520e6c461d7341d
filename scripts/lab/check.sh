#!/bin/bash
# make check: the selftests in the VM, on each tier.
#
# Usage: [WD_TESTS="t1 t2"] check.sh [stock|debug|k72|all]   (default all)
# Ends with "N passed, N failed" over all tiers; non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/common.sh"
tiers=${1:-all}
[ "$tiers" = all ] && tiers="stock debug k72"
# WD_TESTS="edu unload" runs only those (while working on them).
tests=${WD_TESTS:-$(make -s -C "$WD_ROOT/selftests" print-tests)}

deps=()
case " $tiers " in *" debug "*) deps+=(--debug-tier) ;; esac
# The k72 build root is made by its tier (prepare.sh): a forky mirror
# that is down then fails that tier alone, loudly, not the 6.12 ones.
"$WD_ROOT/scripts/install-deps.sh" "${deps[@]}" || die "dependencies missing"

total_pass=0 total_fail=0 rc=0

# Show a TAP file of checks run on the host, and count its results.
tally() {
	local p f
	cat "$1"
	p=$(grep -c '^ok' "$1")
	f=$(grep -c '^not ok' "$1")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$f" -eq 0 ] || rc=1
}

# Build outputs never enter git: a tracked ELF object fails the run.
elves=$(cd "$WD_ROOT" && git ls-files -z 2>/dev/null |
	xargs -0 -r file --mime-type 2>/dev/null |
	grep -E 'application/x-(executable|sharedlib|pie-executable|object)' |
	cut -d: -f1)
if [ -n "$elves" ]; then
	echo "not ok - compiled files tracked in git: $(echo $elves)"
	total_fail=$((total_fail + 1)); rc=1
else
	echo "ok - no compiled files tracked in git"
	total_pass=$((total_pass + 1))
fi
for tier in $tiers; do
	start=$(date +%s)
	echo "== $tier tier: building"
	read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" "$tier") ||
		true
	if [ -z "${initrd:-}" ]; then
		echo "not ok - $tier: build failed"
		total_fail=$((total_fail + 1)); rc=1
		continue
	fi
	echo "== $tier tier: booting $kernel"
	out=$WD_BUILD/$tier/run
	# The debug kernel is several times slower (KASAN, lockdep, TCG).
	limit=300; [ "$tier" = debug ] && limit=900
	"$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" check "$out" "$limit"
	"$WD_ROOT/scripts/lab/report.sh" "$tier" "$out" $tests | tee "$out/summary.txt"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	read -r p f < <(tail -n 1 "$out/summary.txt" |
		sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-1}))
	echo "== $tier tier: $(( $(date +%s) - start ))s (console: $out/console.log)"

	# Packaging is checked on the host, once (not when WD_TESTS narrows);
	# so is the bench's deterministic mode (a boot of its own).
	if [ "$tier" = stock ] && [ -z "${WD_TESTS:-}" ]; then
		"$WD_ROOT/scripts/test-install.sh" > "$WD_BUILD/install.tap" 2>&1
		tally "$WD_BUILD/install.tap"
		"$WD_ROOT/scripts/bench/count-check.sh" > "$WD_BUILD/count.tap" 2>&1 ||
			grep -q '^not ok' "$WD_BUILD/count.tap" ||
			echo "not ok - count: count-check.sh failed" >> "$WD_BUILD/count.tap"
		tally "$WD_BUILD/count.tap"
	fi

	# Packaging against 7.2 too: DKMS in the k72 build root.
	if [ "$tier" = k72 ] && [ -z "${WD_TESTS:-}" ]; then
		"$WD_ROOT/scripts/k72/test-dkms.sh" > "$WD_BUILD/k72/install.tap" 2>&1 ||
			echo "not ok - k72: install: test-dkms.sh exited $?" >> "$WD_BUILD/k72/install.tap"
		tally "$WD_BUILD/k72/install.tap"
	fi

	# The debug tier brings the kernel's source, and with it checkpatch.
	if [ "$tier" = debug ]; then
		if "$WD_ROOT/scripts/checkpatch.sh"; then
			echo "ok - checkpatch: kernel/ and uapi/ are clean"
			total_pass=$((total_pass + 1))
		else
			echo "not ok - checkpatch: kernel/ and uapi/"
			total_fail=$((total_fail + 1)); rc=1
		fi
	fi
done
echo "$total_pass passed, $total_fail failed"
[ $rc -eq 0 ] && [ $total_fail -eq 0 ]
