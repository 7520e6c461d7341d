#!/bin/bash
# make install / uninstall / install-dkms / uninstall-dkms: one list of what goes
# where, so that uninstall removes exactly what install put down.
#
# Usage: scripts/install.sh install|uninstall|install-dkms|uninstall-dkms
# Environment (the Makefile passes them): DESTDIR PREFIX BINDIR LIBDIR
#   INCLUDEDIR MANDIR UDEVRULESDIR KVER MODDIR WD_BUILD VERSION
#
# With DESTDIR set (packaging, tests) nothing outside it is touched: no
# depmod, no udev reload, no dkms. Without it, install runs depmod for
# KVER and asks udev to apply the new rule.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
action=$1
: "${DESTDIR:=}" "${PREFIX:=/usr/local}" "${VERSION:=0.1}"
: "${BINDIR:=$PREFIX/bin}" "${LIBDIR:=$PREFIX/lib}"
: "${INCLUDEDIR:=$PREFIX/include}" "${MANDIR:=$PREFIX/share/man}"
: "${UDEVRULESDIR:=/lib/udev/rules.d}" "${WD_BUILD:=$root/build}"
: "${KVER:?KVER (the kernel release the modules are built for) is not set}"
: "${MODDIR:=/lib/modules/$KVER/updates/warpdrive}"
lib=$WD_BUILD/lib
mods=$WD_BUILD/modules/kernel/accel

# source | destination directory | mode  (lib/ files via their own make)
manifest() {
	echo "$mods/warpdrive.ko|$MODDIR|644"
	echo "$mods/soft/warpdrive_soft.ko|$MODDIR|644"
	echo "$mods/edu/warpdrive_edu.ko|$MODDIR|644"
	echo "$mods/crypto/warpdrive_crypto.ko|$MODDIR|644"
	echo "$WD_BUILD/host/accelctl|$BINDIR|755"
	echo "$root/tools/accelctl.1|$MANDIR/man1|644"
	echo "$root/scripts/udev/60-warpdrive.rules|$UDEVRULESDIR|644"
}

# What liburing-accel's make install writes, for uninstall.
lib_files() {
	local v=$VERSION
	echo "$LIBDIR/liburing-accel.a"
	echo "$LIBDIR/liburing-accel.so.$v"
	echo "$LIBDIR/liburing-accel.so.0"
	echo "$LIBDIR/liburing-accel.so"
	echo "$LIBDIR/pkgconfig/liburing-accel.pc"
	echo "$INCLUDEDIR/liburing-accel.h"
	echo "$INCLUDEDIR/linux/warpdrive.h"
	for m in "$root"/liburing-accel/man/*.3; do
		echo "$MANDIR/man3/$(basename "$m")"
	done
}

lib_make() {
	make -s -C "$root/liburing-accel" O="$lib" DESTDIR="$DESTDIR" \
		PREFIX="$PREFIX" LIBDIR="$LIBDIR" INCLUDEDIR="$INCLUDEDIR" \
		MANDIR="$MANDIR" "$@"
}

# In a DESTDIR tree, remove @dir and its parents while they are empty, up
# to DESTDIR. On a live system only our own directories go (see callers):
# an empty /usr/local/bin is not ours to remove.
prune() {
	local dir=$1
	[ -n "$DESTDIR" ] || return 0
	while [ "$dir" != / ] && [ "$dir" != . ] &&
	      [ "$dir" != "${DESTDIR:-/}" ] && rmdir "$dir" 2>/dev/null; do
		dir=$(dirname "$dir")
	done
}

case $action in
install)
	manifest | while IFS='|' read -r src dir mode; do
		[ -f "$src" ] || { echo "install: $src is not built" >&2; exit 1; }
		install -d "$DESTDIR$dir"
		install -m "$mode" "$src" "$DESTDIR$dir/"
		echo "  $dir/$(basename "$src")"
	done
	lib_make install
	lib_files | sed 's/^/  /'
	if [ -z "$DESTDIR" ]; then
		depmod -a "$KVER"
		command -v udevadm >/dev/null &&
			udevadm control --reload && udevadm trigger -s warpdrive || true
		getent group accel >/dev/null ||
			echo "install: create the group the udev rule names: groupadd --system accel"
	fi
	;;
uninstall)
	manifest | while IFS='|' read -r src dir mode; do
		rm -f "$DESTDIR$dir/$(basename "$src")"
		prune "$DESTDIR$dir"
	done
	lib_files | while read -r f; do
		rm -f "$DESTDIR$f"
		prune "$(dirname "$DESTDIR$f")"
	done
	if [ -z "$DESTDIR" ]; then
		rmdir "$MODDIR" 2>/dev/null || true
		depmod -a "$KVER"
	fi
	;;
install-dkms)
	# The module's sources as DKMS wants them: /usr/src/warpdrive-VERSION
	src=$DESTDIR/usr/src/warpdrive-$VERSION
	rm -rf "$src"
	install -d "$src"
	cp -r "$root/kernel" "$root/uapi" "$root/Kconfig" "$src/"
	find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o \
		-name '.*.cmd' -o -name Module.symvers -o -name modules.order \) \
		-delete
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$root/dkms.conf" ||
		{ echo "install-dkms: dkms.conf is not version $VERSION" >&2; exit 1; }
	install -m 644 "$root/dkms.conf" "$src/"
	echo "  /usr/src/warpdrive-$VERSION"
	if [ -z "$DESTDIR" ]; then
		dkms add -m warpdrive -v "$VERSION"
		dkms install -m warpdrive -v "$VERSION"
	fi
	;;
uninstall-dkms)
	if [ -z "$DESTDIR" ] && dkms status -m warpdrive -v "$VERSION" | grep . > /dev/null; then
		dkms remove -m warpdrive -v "$VERSION" --all
	fi
	rm -rf "$DESTDIR/usr/src/warpdrive-$VERSION"
	prune "$DESTDIR/usr/src"
	;;
*)
	echo "usage: $0 install|uninstall|install-dkms|uninstall-dkms" >&2
	exit 2
	;;
esac
