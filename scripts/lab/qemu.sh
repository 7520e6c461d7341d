#!/bin/bash
# Boot the lab VM: q35 with an emulated Intel IOMMU (translating, not
# passthrough) and QEMU's edu PCI device, 2 vCPUs, under TCG.
#
# Usage: qemu.sh KERNEL INITRD MODE [OUTDIR] [TIMEOUT]
#   MODE check|demo|bench  kernel console to OUTDIR/console.log (check) or
#                    the terminal (demo, bench); test TAP to OUTDIR/tap.log,
#                    the bench's files to OUTDIR/bench.{json,dat}; QEMU is
#                    killed after TIMEOUT seconds (default 600)
#   MODE shell       interactive: console on this terminal (Ctrl-A X quits)
set -euo pipefail
kernel=$1
initrd=$2
mode=$3
outdir=${4:-.}
limit=${5:-600}

cmdline="console=ttyS0 wd.mode=$mode intel_iommu=on iommu.passthrough=0"
# A kernel oops or panic ends the run at once instead of at the timeout.
cmdline+=" oops=panic panic=-1 printk.devkmsg=on"

qemu=(qemu-system-x86_64
	-machine q35,kernel-irqchip=split -accel tcg -cpu max
	-smp 2 -m 2G
	-device intel-iommu,intremap=on
	-device edu
	-kernel "$kernel" -initrd "$initrd"
	-display none -no-reboot -nic none)

mkdir -p "$outdir"
case $mode in
shell)
	exec "${qemu[@]}" -append "$cmdline" -serial mon:stdio \
		-serial "file:$outdir/tap.log"
	;;
demo)
	exec timeout -k 5 "$limit" "${qemu[@]}" -append "$cmdline quiet" \
		-serial stdio -serial "file:$outdir/tap.log"
	;;
bench)
	# the bench's JSON and chart data come out on the third and fourth
	# serial ports
	rm -f "$outdir/bench.json" "$outdir/bench.dat"
	exec timeout -k 5 "$limit" "${qemu[@]}" -append "$cmdline quiet" \
		-serial stdio -serial "file:$outdir/tap.log" \
		-serial "file:$outdir/bench.json" \
		-serial "file:$outdir/bench.dat"
	;;
check)
	rm -f "$outdir/console.log" "$outdir/tap.log"
	rc=0
	# QEMU's own messages (the emulated IOMMU reports the faults the edu
	# test provokes) go to qemu.log, out of the way of the results.
	timeout -k 5 "$limit" "${qemu[@]}" -append "$cmdline" \
		-serial "file:$outdir/console.log" \
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
