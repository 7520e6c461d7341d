#!/bin/bash
# Install everything the WarpDrive lab needs on Debian 12 (bookworm).
# Idempotent: packages already present are skipped by apt-get itself, and
# the index is only refreshed when a package is actually missing.
#
# Usage: scripts/install-deps.sh [--debug-tier]
#   --debug-tier  also install what building the debug kernel needs
set -euo pipefail

pkgs=(
	make gcc libc6-dev dwarves
	qemu-system-x86 busybox-static cpio kmod
	liburing-dev zlib1g-dev libzstd-dev liblz4-dev xz-utils
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	gnuplot-nox
	dkms pkg-config groff-base file
)
if [ "${1:-}" = "--debug-tier" ]; then
	pkgs+=(linux-source-6.12 ccache flex bison bc libelf-dev libssl-dev
	       xz-utils rsync python3)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root (or install them yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
