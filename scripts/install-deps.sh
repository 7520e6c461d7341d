#!/bin/bash
# Install everything the WarpDrive lab needs on Debian 12 (bookworm).
# Idempotent: packages already present are skipped by apt-get itself, and
# the index is only refreshed when a package is actually missing.
#
# Usage: scripts/install-deps.sh [--debug-tier] [--k72-tier]
#   --debug-tier  also install what building the debug kernel needs
#   --k72-tier    also debootstrap, and make the k72 tier's forky build
#                 root with the newest 7.2 kernel (scripts/k72/root.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
debug='' k72=''
for arg; do
	case $arg in
	--debug-tier) debug=1 ;;
	--k72-tier) k72=1 ;;
	*) echo "usage: $0 [--debug-tier] [--k72-tier]" >&2; exit 2 ;;
	esac
done

pkgs=(
	make gcc libc6-dev dwarves
	qemu-system-x86 busybox-static cpio kmod
	liburing-dev zlib1g-dev libzstd-dev liblz4-dev xz-utils
	libssl-dev
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	gnuplot-nox
	dkms pkg-config groff-base file
)
if [ -n "$debug" ]; then
	pkgs+=(linux-source-6.12 ccache flex bison bc libelf-dev
	       xz-utils rsync python3)
fi
[ -z "$k72" ] || pkgs+=(debootstrap)
# the k72 root comes after the host's packages (debootstrap is one)
k72_root() {
	[ -z "$k72" ] ||
		"$here/k72/root.sh" ${WD_K72_REFRESH:+--refresh} > /dev/null
}

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	k72_root
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root (or install them yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
k72_root
