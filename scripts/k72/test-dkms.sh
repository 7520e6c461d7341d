#!/bin/bash
# Packaging on the k72 tier: DKMS builds the three modules against the
# 7.2 headers, from the source tree `make install-dkms` lays out, inside
# the k72 build root (its dkms and gcc 16); `make uninstall-dkms` removes
# that tree again. Prints TAP-style "ok -"/"not ok -" lines.
set -uo pipefail
failed=0
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lab/common.sh"
read -r root kver < <("$here/root.sh") || die "no k72 build root"
scratch=$WD_BUILD/k72/dkms
rm -rf "$scratch"
mkdir -p "$scratch/tree"

ok() {
	if [ "$1" -eq 0 ]; then echo "ok - k72: install: $2"
	else echo "not ok - k72: install: $2"; failed=1; fi
}

# shellcheck disable=SC2016 # expanded by the shell in the root
WD_BUILD=$WD_BUILD "$here/run.sh" "$root" bash -c '
	make -s install-dkms KDIR="/usr/src/linux-headers-$2" DESTDIR="$1/src" \
		> "$1/log" 2>&1 &&
	dkms build -m warpdrive -v "$(make -s --no-print-directory print-version)" \
		-k "$2" --sourcetree "$1/src/usr/src" --dkmstree "$1/tree" \
		--kernelsourcedir "/usr/src/linux-headers-$2" >> "$1/log" 2>&1' \
	sh "$scratch" "$kver"
rc=$?
built=$(find "$scratch/tree" -name '*.ko*' -path "*/$kver/*" 2>/dev/null |
	xargs -r -n1 basename | sed -E 's/\.(xz|zst|gz)$//' | sort | tr '\n' ' ')
[ $rc -eq 0 ] || tail -n 20 "$scratch/log"
ok "$([ $rc -eq 0 ] && [ "$built" = "warpdrive.ko warpdrive_crypto.ko warpdrive_edu.ko warpdrive_soft.ko " ]; echo $?)" \
	"dkms build against $kver: $built"
WD_BUILD=$WD_BUILD "$here/run.sh" "$root" \
	make -s uninstall-dkms KDIR="/usr/src/linux-headers-$kver" \
	DESTDIR="$scratch/src" >> "$scratch/log" 2>&1
left=$(cd "$scratch/src" 2>/dev/null && find . -mindepth 1 | head -n 3)
# only a tree that was laid out can be shown to be gone
ok "$([ $rc -eq 0 ] && [ -d "$scratch/src" ] && [ -z "$left" ]; echo $?)" \
	"make uninstall-dkms removed the sources${left:+: left $left}"
exit $failed
