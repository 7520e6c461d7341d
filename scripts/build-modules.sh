#!/bin/bash
# Build the WarpDrive modules out of tree against one kernel.
#
# Usage: scripts/build-modules.sh KDIR OUTDIR
#
# Kbuild (6.12) writes objects next to the sources of an external module,
# so each kernel gets its own copy of the sources under OUTDIR: the stock
# and the debug tier can then be built side by side without one's objects
# leaking into the other's build. Only changed files are copied, so make
# stays incremental.
set -euo pipefail
kdir=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)

[ -f "$kdir/Makefile" ] || { echo "build-modules: no kernel build tree at $kdir" >&2; exit 1; }
mkdir -p "$out"
# cp -u keeps mtimes of unchanged files; sources removed from the repo are
# removed from the copy too.
rm -rf "$out/.stage"
mkdir -p "$out/.stage"
cp -r "$root/kernel" "$root/uapi" "$out/.stage/"
for d in kernel uapi; do
	if [ -d "$out/$d" ]; then
		# Drop sources that no longer exist upstream.
		(cd "$out/$d" && find . -name '*.[ch]' -o -name Makefile) | while read -r f; do
			[ -e "$out/.stage/$d/$f" ] || rm -f "$out/$d/$f"
		done
	fi
	cp -ru "$out/.stage/$d" "$out/"
done
rm -rf "$out/.stage"

# The KUnit tests, where the kernel has KUnit (the debug tier).
kunit=
grep -qE '^CONFIG_KUNIT=(y|m)' "$kdir/.config" 2>/dev/null &&
	kunit=CONFIG_WARPDRIVE_KUNIT_TEST=m

make -C "$kdir" M="$out/kernel/accel" W=1 \
	CONFIG_WARPDRIVE=m CONFIG_WARPDRIVE_SOFT=m CONFIG_WARPDRIVE_EDU=m CONFIG_WARPDRIVE_CRYPTO=m \
	$kunit modules
