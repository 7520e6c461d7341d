#!/bin/bash
# make check-install: packaging, checked on the host in a scratch
# directory. `make install DESTDIR=...` must lay out every file, a program
# must build and run against the installed header, library and pkg-config
# file, the man pages must format cleanly, `make uninstall` must remove
# everything, and DKMS must build the three modules from the tree
# `make install-dkms` lays out. Prints TAP-style "ok -"/"not ok -" lines.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/dest
fails=0

ok() {
	if [ "$1" -eq 0 ]; then echo "ok - install: $2"
	else echo "not ok - install: $2"; fails=$((fails + 1)); fi
}

kver=$(make -s -C "$root" --no-print-directory print-kver 2>/dev/null)
make -C "$root" install DESTDIR="$dest" PREFIX=/usr > "$work/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr (log: see below on failure)" ||
	true
[ $fails -eq 0 ] || tail -n 20 "$work/install.log"

# Every file install promises, and nothing else.
expected=(
	"lib/modules/$kver/updates/warpdrive/warpdrive.ko"
	"lib/modules/$kver/updates/warpdrive/warpdrive_soft.ko"
	"lib/modules/$kver/updates/warpdrive/warpdrive_edu.ko"
	"lib/modules/$kver/updates/warpdrive/warpdrive_crypto.ko"
	"lib/udev/rules.d/60-warpdrive.rules"
	usr/bin/accelctl
	usr/include/linux/warpdrive.h
	usr/include/liburing-accel.h
	usr/lib/liburing-accel.a
	usr/lib/liburing-accel.so
	usr/lib/liburing-accel.so.0
	usr/lib/liburing-accel.so.0.1
	usr/lib/pkgconfig/liburing-accel.pc
	usr/share/man/man1/accelctl.1
)
for m in "$root"/liburing-accel/man/*.3; do
	expected+=("usr/share/man/man3/$(basename "$m")")
done
missing=0
for f in "${expected[@]}"; do
	[ -e "$dest/$f" ] || { echo "    missing: /$f"; missing=$((missing + 1)); }
done
ok $missing "all ${#expected[@]} files installed"
extra=$(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort |
	comm -23 - <(printf '%s\n' "${expected[@]}" | sort))
[ -z "$extra" ] || echo "    not in the list: $extra"
ok "$([ -z "$extra" ]; echo $?)" "nothing installed beyond them"

modinfo -F name "$dest/lib/modules/$kver/updates/warpdrive/warpdrive.ko" |
	grep -qx warpdrive && [ "$(modinfo -F vermagic \
	"$dest/lib/modules/$kver/updates/warpdrive/warpdrive.ko" | cut -d' ' -f1)" = "$kver" ]
ok $? "the modules are built for $kver"
[ "$(stat -c %a "$dest/usr/bin/accelctl")" = 755 ] &&
	[ "$(stat -c %a "$dest/usr/include/linux/warpdrive.h")" = 644 ]
ok $? "modes: 755 for the tool, 644 for headers"

# A program built only from what was installed.
cat > "$work/hello.c" <<'EOF'
#include <stdio.h>
#include <liburing-accel.h>

int main(void)
{
	struct io_uring_sqe sqe;

	io_uring_prep_accel_copy(&sqe, 3, NULL, NULL, 64);
	printf("%s %s %u\n", io_uring_accel_op_name(WD_OP_COPY),
	       io_uring_accel_op_name(WD_OP_COMPRESS), sqe.cmd_op >> 16);
	return 0;
}
EOF
export PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig
flags=$(pkg-config --cflags --libs liburing-accel 2>&1)
ok $? "pkg-config --cflags --libs liburing-accel: $flags"
# -I and -L from the .pc come first: the scratch tree wins over anything
# installed system-wide.
# shellcheck disable=SC2086
gcc -Wall -Werror -o "$work/hello" "$work/hello.c" $flags > "$work/cc.log" 2>&1
ok $? "a program builds against the installed header and library"
out=$(LD_LIBRARY_PATH=$dest/usr/lib "$work/hello" 2>&1)
ok "$([ "$out" = "copy compress 22340" ]; echo $?)" \
	"and runs against liburing-accel.so.0: \"$out\""
# grep reads to the end: with pipefail, grep -q closing the pipe early
# would fail the line by ldd's SIGPIPE
LD_LIBRARY_PATH=$dest/usr/lib ldd "$work/hello" | grep "liburing-accel.so.0 => $dest" > /dev/null
ok $? "it links to liburing-accel.so.0 by its soname"

"$dest/usr/bin/accelctl" --version | grep "accelctl $(make -s -C "$root" --no-print-directory print-version)" > /dev/null
ok $? "the installed accelctl runs: $("$dest/usr/bin/accelctl" --version)"

bad=0
# from the man tree's top, where man(1) resolves ".so man3/..." links
for m in $(cd "$dest/usr/share/man" && ls man*/*); do
	w=$(cd "$dest/usr/share/man" && LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$m" 2>&1)
	[ -z "$w" ] || { echo "    $m: $w"; bad=$((bad + 1)); }
done
ok $bad "every man page formats without warnings"

make -C "$root" uninstall DESTDIR="$dest" PREFIX=/usr > "$work/uninstall.log" 2>&1
ok $? "make uninstall"
left=$(cd "$dest" && find . -mindepth 1 | head -n 5)
[ -z "$left" ] || echo "    left behind: $left"
ok "$([ -z "$left" ]; echo $?)" "uninstall removed every file and directory it made"

# DKMS, in its own scratch trees: build against the stock headers.
if command -v dkms >/dev/null; then
	mkdir -p "$work/dkmstree"
	make -C "$root" install-dkms DESTDIR="$work/dkms" > "$work/dkms.log" 2>&1 &&
	dkms build -m warpdrive -v "$(make -s -C "$root" --no-print-directory print-version)" \
		-k "$kver" --sourcetree "$work/dkms/usr/src" \
		--dkmstree "$work/dkmstree" \
		--kernelsourcedir "$(make -s -C "$root" --no-print-directory print-kdir)" \
		>> "$work/dkms.log" 2>&1
	rc=$?
	built=$(find "$work/dkmstree" -name '*.ko*' -path "*/$kver/*" 2>/dev/null |
		xargs -r -n1 basename | sed -E 's/\.(xz|zst|gz)$//' | sort | tr '\n' ' ')
	[ $rc -eq 0 ] || tail -n 20 "$work/dkms.log"
	ok "$([ $rc -eq 0 ] && [ "$built" = "warpdrive.ko warpdrive_crypto.ko warpdrive_edu.ko warpdrive_soft.ko " ]; echo $?)" \
		"dkms build from /usr/src/warpdrive-*: $built"
	make -C "$root" uninstall-dkms DESTDIR="$work/dkms" >> "$work/dkms.log" 2>&1
	left=$(cd "$work/dkms" && find . -mindepth 1 | head -n 3)
	ok "$([ -z "$left" ]; echo $?)" "make uninstall-dkms removed the sources${left:+: left $left}"
else
	echo "ok - install: dkms build # SKIP dkms is not installed"
fi
[ $fails -eq 0 ]
