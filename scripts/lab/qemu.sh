#!/bin/bash
# Boot the lab VM: q35 with an emulated Intel IOMMU (translating, not
# passthrough) and QEMU's edu PCI device, 2 vCPUs, under TCG.
#
# Usage: qemu.sh KERNEL INITRD MODE [OUTDIR] [TIMEOUT]
#   MODE check|boot  kernel console to OUTDIR/console.log, test TAP to
#                    OUTDIR/tap.log (report.sh and boot-loop.sh judge them)
#   MODE demo|bench  kernel console (quiet) on the terminal and in
#                    OUTDIR/console.log, the whole kernel log in
#                    OUTDIR/kernel.log, the bench's files in
#                    OUTDIR/bench.{json,dat}; exits non-zero, showing the
#                    report, if the kernel oopsed, panicked or warned, or
#                    /init did not say "lab: MODE finished"
#   MODE shell       interactive: console on this terminal (Ctrl-A X quits)
#                    and in OUTDIR/console.log; exits non-zero if the kernel
#                    reported a problem or the shell was never reached
#   QEMU is killed after TIMEOUT seconds (default 600; not in shell mode).
#
# WD_COUNT_PLUGIN (bench mode): the path of the instruction-count plugin
# (scripts/bench/plugin.sh). The VM then runs wd-bench's deterministic
# mode: the guest clock driven by the instruction count (-icount, one TCG
# thread), the plugin loaded, and a fifth serial port (PCI, the guest's
# ttyS4) on which the plugin answers.
#
# For experiments (scripts/lab/boot-loop.sh): WD_QEMU is the QEMU binary,
# WD_QEMU_ARGS extra QEMU arguments, WD_ACCEL replaces the -accel value,
# WD_APPEND is added to the kernel command line.
set -euo pipefail
kernel=$1
initrd=$2
mode=$3
outdir=${4:-.}
limit=${5:-600}

cmdline="console=ttyS0 wd.mode=$mode intel_iommu=on iommu.passthrough=0"
# make bench SECTION=name: one section of wd-bench
[ -n "${WD_BENCH_SECTION:-}" ] && cmdline+=" wd.bench=$WD_BENCH_SECTION"
# make bench ENGINE_DELAY_US=N: soft0's engine slowed (an experiment)
[ -n "${WD_ENGINE_DELAY_US:-}" ] && cmdline+=" wd.delay=$WD_ENGINE_DELAY_US"
# A kernel oops or panic ends the run at once instead of at the timeout.
cmdline+=" oops=panic panic=-1 printk.devkmsg=on"
# The IO-APIC timer check counts timer ticks in a fixed TSC interval: on a
# loaded host the emulated PIT can miss it and the kernel panics ("timer
# doesn't work through Interrupt-remapped IO-APIC"); KVM guests skip it too.
cmdline+=" no_timer_check"
# Multi-threaded TCG (one host thread per vCPU, QEMU's default) crashed a few
# percent of boots: the kernel patching its own code on one vCPU while the
# other runs it (int3 static-key flips: "Oops: int3"), and once a #DB with
# corrupted EFLAGS after a cmpxchg16b. One host thread for both vCPUs cannot
# race (see docs/lab.md, "Known emulator flake"); the guest still has 2
# CPUs. The bench alone keeps a thread per vCPU: it measures engine threads
# working in parallel.
count=()
if [ "$mode" = bench ] && [ -n "${WD_COUNT_PLUGIN:-}" ]; then
	# 1 ns of guest time per instruction, and no time passes while every
	# vCPU is idle: the guest's clock, timer ticks and polling deadlines
	# follow the instructions executed, not the host's load.
	accel=tcg,thread=single
	fifo=$outdir/count.pipe
	rm -f "$fifo.in" "$fifo.out"
	mkfifo "$fifo.in" "$fifo.out"
	# WD_COUNT_PROFILE=FILE,window=N: scripts/bench/profile.sh
	count=(-icount shift=0,sleep=off
	       -plugin "file=$WD_COUNT_PLUGIN,out=$fifo.in${WD_COUNT_PROFILE:+,profile=$WD_COUNT_PROFILE}"
	       -chardev "pipe,id=wdcount,path=$fifo"
	       -device pci-serial,chardev=wdcount)
	# the same addresses every boot: kernel and user layouts not
	# randomised, so that code paths and profiles repeat
	cmdline+=" wd.count=/dev/ttyS4 8250.nr_uarts=5 nokaslr norandmaps"
	[ -z "${WD_COUNT_PROFILE:-}" ] || cmdline+=" wd.kallsyms=1"
elif [ "$mode" = bench ]; then
	accel=${WD_ACCEL:-tcg}
else
	accel=${WD_ACCEL:-tcg,thread=single}
fi
cmdline+=${WD_APPEND:+ $WD_APPEND}

# virtio-crypto-pci with QEMU's built-in backend: a real asynchronous
# crypto device (virtqueue doorbell, interrupt completions) for crypto0,
# where the guest kernel has the virtio_crypto driver.
qemu=(${WD_QEMU:-qemu-system-x86_64} ${WD_QEMU_ARGS:-}
	-machine q35,kernel-irqchip=split -accel "$accel" -cpu max
	-smp 2 -m 2G
	-device intel-iommu,intremap=on
	-device edu
	-object cryptodev-backend-builtin,id=cryptodev0
	-device virtio-crypto-pci,cryptodev=cryptodev0
	-kernel "$kernel" -initrd "$initrd"
	-display none -no-reboot -nic none "${count[@]}")

# Kernel reports that fail a run (as report.sh's list).
reports_re='BUG:|WARNING:|Oops|general protection fault|Kernel panic'
reports_re+='|KASAN|UBSAN|kernel BUG at|Call Trace:|DEBUG_LOCKS_WARN_ON'
reports_re+='|possible (circular|recursive) locking|inconsistent lock state'
reports_re+='|blocked for more than|rcu.*detected stall|soft lockup'
reports_re+='|refcount_t:|list_(add|del) corruption|trying to register non-static key'

# report_from FILE: the first kernel report in FILE, from a few lines
# before it on, indented; nothing if there is none.
report_from() {
	local clean first
	clean=$(tr -d '\r' < "$1" 2>/dev/null || true)
	first=$(grep -n -E -m 1 "$reports_re" <<< "$clean" | cut -d: -f1 || true)
	[ -n "$first" ] || return 0
	sed -n "$((first > 3 ? first - 3 : 1)),$((first + 60))p" <<< "$clean" |
		sed 's/^/    /'
}

# judge RC DONE_MARKER LOG...: after a run on the terminal, say what went
# wrong (on stderr, with the console lines that show it) and fail. The
# first LOG is the console, where the marker must be.
judge() {
	local rc=$1 marker=$2 console=$3 f report bad=0 clean
	shift 2
	clean=$(tr -d '\r' < "$console" 2>/dev/null || true)
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "lab: TIMEOUT: the VM was killed after ${limit}s" >&2
		bad=1
	elif [ "$rc" -ne 0 ]; then
		echo "lab: QEMU exited with $rc" >&2
		bad=1
	fi
	for f in "$@"; do
		report=$(report_from "$f")
		[ -n "$report" ] || continue
		echo "lab: the kernel reported a problem ($f):" >&2
		echo "$report" >&2
		bad=1
		break
	done
	if ! grep -q -F "$marker" <<< "$clean"; then
		if grep -q '^lab: .*FAILED' <<< "$clean"; then
			echo "lab: $(grep -m 1 '^lab: .*FAILED' <<< "$clean" | cut -c6-)" >&2
		elif [ $bad -eq 0 ]; then
			echo "lab: the console's last lines ($console):" >&2
			tail -n 15 <<< "$clean" | sed 's/^/    /' >&2
		fi
		echo "lab: the VM stopped before \"$marker\"" >&2
		bad=1
	fi
	if [ $bad -ne 0 ]; then
		echo "lab: make $([ "$mode" = shell ] && echo vm || echo "$mode") FAILED" >&2
		return 1
	fi
	return 0
}

mkdir -p "$outdir"
log=$outdir/console.log
case $mode in
shell)
	# The console is multiplexed with QEMU's monitor on this terminal, as
	# -serial mon:stdio, and also logged, to be judged at the end.
	rm -f "$log"
	rc=0
	"${qemu[@]}" -append "$cmdline" \
		-chardev "stdio,id=con,mux=on,signal=off,logfile=$log" \
		-serial chardev:con -mon chardev=con,mode=readline \
		-serial "file:$outdir/tap.log" || rc=$?
	judge $rc "WarpDrive lab VM: modules loaded" "$log"
	;;
demo|bench)
	# The console is quiet (no boot chatter on the terminal; oopses and
	# panics still show): /init copies the whole kernel log to the second
	# serial port, kernel.log, at the end.
	serials=(-serial stdio -serial "file:$outdir/kernel.log")
	if [ "$mode" = bench ]; then
		# the bench's JSON and chart data come out on the third and
		# fourth serial ports
		rm -f "$outdir/bench.json" "$outdir/bench.dat"
		serials+=(-serial "file:$outdir/bench.json"
			  -serial "file:$outdir/bench.dat")
	fi
	rm -f "$log" "$outdir/kernel.log"
	set +e
	timeout -k 5 "$limit" "${qemu[@]}" -append "$cmdline quiet" \
		"${serials[@]}" | tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	judge "$rc" "lab: $mode finished" "$log" "$outdir/kernel.log"
	;;
check|boot)
	rm -f "$log" "$outdir/tap.log"
	rc=0
	# QEMU's own messages (the emulated IOMMU reports the faults the edu
	# test provokes) go to qemu.log, out of the way of the results.
	timeout -k 5 "$limit" "${qemu[@]}" -append "$cmdline" \
		-serial "file:$log" \
		-serial "file:$outdir/tap.log" < /dev/null \
		2> "$outdir/qemu.log" || rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "# lab: TIMEOUT: the VM was killed after ${limit}s" >> "$outdir/tap.log"
	elif [ $rc -ne 0 ]; then
		echo "# lab: QEMU died (exit $rc): $(grep -v '^[A-Z0-9]* *=' "$outdir/qemu.log" | head -n 1)" >> "$outdir/tap.log"
	fi
	exit $rc
	;;
*)
	echo "qemu.sh: unknown mode $mode" >&2
	exit 2
	;;
esac
