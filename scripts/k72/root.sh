#!/bin/bash
# The k72 tier's build root: a Debian forky (testing) tree, made with
# debootstrap and kept in the cache, holding the newest Linux 7.2.x cloud
# kernel (image, modules, headers) and the compiler and libraries to build
# against it. forky's kernel headers are built with gcc 16, whose flags
# bookworm's gcc 12 rejects, so everything for this tier is built inside
# the root (scripts/k72/run.sh), never with the host's tools.
#
# Usage: scripts/k72/root.sh [--refresh]
#   Prints "ROOT KVER". Made once; --refresh looks for a newer 7.2.x and
#   installs it (scripts/install-deps.sh --k72-tier passes it when
#   WD_K72_REFRESH=1, so one run uses one kernel throughout). Making it
#   needs root, debootstrap and the network; building in it (run.sh)
#   needs root too (a mount namespace and chroot).
#
# forky's Release file carries a Valid-Until that its snapshot on the
# registry may be past: the root's own sources.list allows that for
# forky, and nothing on the host changes.
set -euo pipefail
cache=${WD_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/warpdrive}
root=$cache/k72-root
stamp=$root/.wd-k72
mirror=${WD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
refresh=
[ "${1:-}" = --refresh ] && refresh=1

# What the root holds besides the kernel; a root made with fewer gets the
# rest installed on its next use (its .wd-pkgs records what it has).
pkgs="make gcc libc6-dev pkg-config kmod file dkms liburing-dev zlib1g-dev
libzstd-dev liblz4-dev libssl-dev"
pkgs=$(echo $pkgs)
have_pkgs() { [ "$(cat "$root/.wd-pkgs" 2>/dev/null)" = "$pkgs" ]; }

die() { echo "k72-root: $*" >&2; exit 1; }
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }

if [ -s "$stamp" ] && [ -z "$refresh" ] && have_pkgs; then
	echo "$root $(cat "$stamp")"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "making the build root needs root"
command -v debootstrap >/dev/null || die "debootstrap missing (scripts/install-deps.sh --k72-tier)"
mkdir -p "$cache"
# one maker at a time; a second waits and then finds the root made
exec 9> "$cache/k72-root.lock"
flock 9
if [ -s "$stamp" ] && [ -z "$refresh" ] && have_pkgs; then
	echo "$root $(cat "$stamp")"
	exit 0
fi

if [ ! -x "$root/usr/bin/apt-get" ]; then
	rm -rf "$root.new"
	# bookworm's debootstrap has no forky script; sid's fits testing
	debootstrap --variant=minbase forky "$root.new" "$mirror" \
		/usr/share/debootstrap/scripts/sid >&2 ||
		die "debootstrap of forky failed (see $root.new/debootstrap/debootstrap.log)"
	rm -rf "$root"
	mv "$root.new" "$root"
fi
echo "deb [check-valid-until=no] $mirror forky main" > "$root/etc/apt/sources.list"
in_root apt-get update -q >&2 || die "apt-get update in the root failed"

# The newest 7.2.x cloud kernel the registry has, by version.
kver=$(in_root apt-cache search --names-only '^linux-headers-7\.2\.[0-9]+\+.*-cloud-amd64$' |
	awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1)
[ -n "$kver" ] || die "no linux-headers-7.2.*-cloud-amd64 in forky"

# shellcheck disable=SC2086
in_root apt-get install -y -q --no-install-recommends $pkgs \
	"linux-headers-$kver" "linux-binary-$kver" "linux-modules-$kver" >&2 ||
	die "installing the 7.2 kernel and tools in the root failed"
[ -r "$root/usr/lib/modules/$kver/vmlinuz" ] || die "no vmlinuz for $kver in the root"
echo "$kver" > "$stamp"
echo "$pkgs" > "$root/.wd-pkgs"
echo "$root $kver"
