#!/bin/bash
# Build everything one tier's VM needs and print "KERNEL INITRD".
#
# Usage: prepare.sh stock|debug
# The user-space programs (static) are shared by both tiers; the modules
# are built against each tier's kernel.
set -euo pipefail
source "$(dirname "$0")/common.sh"
tier=$1

make -s -C "$WD_ROOT" user >&2
case $tier in
stock)
	kdir=$(wd_stock_kdir)
	kernel=$(wd_stock_kernel "$kdir")
	kmoddir=/lib/modules/${kernel#/boot/vmlinuz-}
	;;
debug)
	kdir=$("$WD_ROOT/scripts/debug-kernel/build.sh")
	kernel=$kdir/arch/x86/boot/bzImage
	kmoddir=		# everything we use is built in
	;;
*)
	die "unknown tier $tier"
	;;
esac
mkdir -p "$WD_BUILD/$tier"
"$WD_ROOT/scripts/build-modules.sh" "$kdir" "$WD_BUILD/$tier/modules" > "$WD_BUILD/$tier/modules.log" 2>&1 ||
	{ cat "$WD_BUILD/$tier/modules.log" >&2; die "module build for $tier failed"; }
"$WD_ROOT/scripts/lab/mkinitramfs.sh" "$WD_BUILD/$tier/modules" \
	"$WD_BUILD/user" "$WD_BUILD/$tier/initramfs.cpio.gz" $kmoddir
echo "$kernel $WD_BUILD/$tier/initramfs.cpio.gz"
