#!/bin/bash
# Build the deterministic mode's QEMU plugin (scripts/bench/insn-count.c)
# for the QEMU installed here, and print the path of the shared object.
#
# A TCG plugin must be compiled against the qemu-plugin.h of the QEMU that
# loads it. Debian ships that header only in its qemu source package, so
# this fetches that source (the version of the installed qemu-system-x86,
# from bookworm's suites, through a sources list and state of its own: the
# machine's apt configuration is left alone), takes the one header out,
# and caches it under ~/.cache/warpdrive (WD_CACHE). Nothing of QEMU's is
# kept in the repository. The plugin uses the API of QEMU 7.2 (plugin API
# version 1); QEMU 9 changed qemu_plugin_insn_data(), so a newer QEMU
# needs the plugin adapted.
set -euo pipefail
source "$(dirname "$0")/../lab/common.sh"
out=$WD_BUILD/bench/plugin
cache=${WD_CACHE:-$HOME/.cache/warpdrive}/qemu-plugin-h
mkdir -p "$out" "$cache"

read -r srcpkg srcver < <(dpkg-query -W \
	-f='${source:Package} ${source:Version}\n' qemu-system-x86) ||
	die "qemu-system-x86 is not installed (scripts/install-deps.sh)"
hdr=$cache/qemu-plugin-$srcver.h
if [ ! -s "$hdr" ]; then
	apt=$cache/apt
	rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	# bookworm's suites, as deb-src
	cat > "$apt/sources.list" <<-EOF
	deb-src http://deb.debian.org/debian bookworm main
	deb-src http://deb.debian.org/debian bookworm-updates main
	deb-src http://deb.debian.org/debian-security bookworm-security main
	EOF
	opts=(-q -o Dir::Etc::SourceList="$apt/sources.list"
	      -o Dir::Etc::SourceParts=/dev/null
	      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	      -o APT::Sandbox::User=root
	      -o APT::Update::Post-Invoke::= -o APT::Update::Post-Invoke-Success::=)
	apt-get "${opts[@]}" update > "$apt/update.log" 2>&1 ||
		{ cat "$apt/update.log" >&2; die "apt-get update (deb-src) failed"; }
	(cd "$apt" && apt-get "${opts[@]}" source --download-only \
		"$srcpkg=$srcver" > "$apt/source.log" 2>&1) ||
		{ cat "$apt/source.log" >&2; die "could not fetch the source of $srcpkg $srcver"; }
	orig=$(ls "$apt"/"${srcpkg}"_*.orig.tar.* | head -n 1)
	tar -xOf "$orig" --wildcards '*/include/qemu/qemu-plugin.h' > "$hdr.tmp" ||
		die "no qemu-plugin.h in $orig"
	# Debian's patches do not touch the plugin API; say so if one does
	patches=$(tar -xOf "$apt"/"${srcpkg}"_*.debian.tar.* --wildcards \
		'debian/patches/*') || die "cannot read Debian's qemu patches"
	if grep -q '^+++ .*qemu-plugin.h' <<< "$patches"; then
		die "Debian's qemu patches change qemu-plugin.h: apply them first"
	fi
	mv "$hdr.tmp" "$hdr"
	rm -rf "$apt"
fi
mkdir -p "$out/include"
cp "$hdr" "$out/include/qemu-plugin.h"
so=$out/insn-count.so
src=$WD_ROOT/scripts/bench/insn-count.c
if [ ! -e "$so" ] || [ "$src" -nt "$so" ] || [ "$hdr" -nt "$so" ]; then
	gcc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$out/include" \
		-o "$so" "$src" || die "the counting plugin failed to build"
fi
echo "$so"
