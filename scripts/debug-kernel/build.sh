#!/bin/bash
# Build the debug-kernel tier's kernel from Debian's linux-source-6.12.
#
# The source is unpacked once and the build kept out of the source tree
# (make O=...), both under a cache directory keyed by the source version and
# a hash of the config fragment, so every clone of the repository shares one
# build and a changed fragment starts a fresh one. ccache makes a rebuild of
# an unchanged file free.
#
# Prints the build directory (usable as KDIR for our modules) on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${WD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warpdrive}

[ -r "$tarball" ] || { echo "debug-kernel: $tarball missing (apt-get install linux-source-6.12)" >&2; exit 1; }

# Debian's package version names the exact source; keying on it means an
# upgraded linux-source package gets its own tree rather than a stale one.
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
cfghash=$(cat "$here/debug.config" | sha1sum | cut -c1-10)
src=$cache/src-$srcver
out=$cache/debug-$srcver-$cfghash

mkdir -p "$cache"
if [ ! -f "$src/.wd-unpacked" ]; then
	echo "debug-kernel: unpacking $tarball" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.wd-unpacked"
fi

jobs=$(nproc)
mk() { make -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc" -j"$jobs" "$@"; }

if [ ! -f "$out/.config" ]; then
	mkdir -p "$out"
	mk tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$here/debug.config" >&2
	mk olddefconfig >&2
	# A symbol we asked for that Kconfig dropped (a missing dependency)
	# would silently weaken the tier: refuse to build it.
	bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=n|CONFIG_*=y) ;; *) continue ;; esac
		sym=${line%%=*}; want=${line#*=}
		if [ "$want" = n ]; then
			grep -qx "$sym=y" "$out/.config" && { echo "debug-kernel: $sym still set" >&2; bad=1; }
		else
			grep -qx "$line" "$out/.config" || { echo "debug-kernel: $line did not stick" >&2; bad=1; }
		fi
	done < "$here/debug.config"
	if [ $bad -ne 0 ]; then
		mv "$out/.config" "$out/.config.rejected"
		exit 1
	fi
fi

if [ ! -f "$out/.wd-built" ] || [ "$out/.config" -nt "$out/.wd-built" ]; then
	echo "debug-kernel: building in $out ($jobs jobs)" >&2
	export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}
	mk bzImage modules >&2
	# the few drivers built as modules, where the lab's initramfs
	# finds them (as it finds a distribution kernel's)
	rm -rf "$out/modroot"
	mk INSTALL_MOD_PATH="$out/modroot" modules_install >&2
	touch "$out/.wd-built"
fi
echo "$out"
