#!/bin/bash
# Build everything one tier's VM needs and print "KERNEL INITRD".
#
# Usage: prepare.sh stock|debug|k72
# The user-space programs (static) are shared by the 6.12 tiers; the
# modules are built against each tier's kernel. The k72 tier builds both
# inside its forky build root (scripts/k72/), with forky's compiler and
# liburing, so its programs also have what liburing 2.15 brings.
set -euo pipefail
source "$(dirname "$0")/common.sh"
tier=$1

[ "$tier" = k72 ] || make -s -C "$WD_ROOT" user >&2
userdir=$WD_BUILD/user
case $tier in
stock)
	kdir=$(wd_stock_kdir)
	kernel=$(wd_stock_kernel "$kdir")
	kmoddir=/lib/modules/${kernel#/boot/vmlinuz-}
	;;
debug)
	kdir=$("$WD_ROOT/scripts/debug-kernel/build.sh")
	kernel=$kdir/arch/x86/boot/bzImage
	# nearly everything is built in; the rest (virtio_crypto, a module
	# as distributions build it) is installed beside the build
	kmoddir=$(ls -d "$kdir"/modroot/lib/modules/* 2>/dev/null | head -n 1)
	;;
k72)
	read -r root kver < <("$WD_ROOT/scripts/k72/root.sh") ||
		die "no k72 build root"
	userdir=$WD_BUILD/k72/user
	WD_BUILD=$WD_BUILD "$WD_ROOT/scripts/k72/run.sh" "$root" \
		make -s user WD_BUILD="$WD_BUILD/k72" >&2 ||
		die "user programs for k72 failed to build"
	kmoddir=$root/usr/lib/modules/$kver
	kernel=$kmoddir/vmlinuz
	mkdir -p "$WD_BUILD/k72"
	"$WD_ROOT/scripts/k72/run.sh" "$root" scripts/build-modules.sh \
		"/usr/src/linux-headers-$kver" "$WD_BUILD/k72/modules" \
		> "$WD_BUILD/k72/modules.log" 2>&1 ||
		{ cat "$WD_BUILD/k72/modules.log" >&2; die "module build for k72 failed"; }
	"$WD_ROOT/scripts/lab/mkinitramfs.sh" "$WD_BUILD/k72/modules" \
		"$userdir" "$WD_BUILD/k72/initramfs.cpio.gz" "$kmoddir"
	echo "$kernel $WD_BUILD/k72/initramfs.cpio.gz"
	exit 0
	;;
*)
	die "unknown tier $tier"
	;;
esac
mkdir -p "$WD_BUILD/$tier"
"$WD_ROOT/scripts/build-modules.sh" "$kdir" "$WD_BUILD/$tier/modules" > "$WD_BUILD/$tier/modules.log" 2>&1 ||
	{ cat "$WD_BUILD/$tier/modules.log" >&2; die "module build for $tier failed"; }
"$WD_ROOT/scripts/lab/mkinitramfs.sh" "$WD_BUILD/$tier/modules" \
	"$userdir" "$WD_BUILD/$tier/initramfs.cpio.gz" $kmoddir
echo "$kernel $WD_BUILD/$tier/initramfs.cpio.gz"
