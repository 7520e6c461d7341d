# Shared by the lab scripts (sourced, not run).
#
# The lab's two tiers:
#   stock  Debian's 6.12 cloud kernel (newest installed), modules built
#          against its headers package
#   debug  a 6.12 kernel built from Debian's linux-source-6.12 with KASAN,
#          lockdep, kmemleak, UBSAN and friends (scripts/debug-kernel/)

WD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WD_BUILD=${WD_BUILD:-$WD_ROOT/build}

die() { echo "lab: $*" >&2; exit 1; }

# The newest installed linux-headers-6.12.*-cloud-amd64, never a fixed
# point release: Debian rotates them.
wd_stock_kdir() {
	local d
	d=$(ls -d /usr/src/linux-headers-6.12.*-cloud-amd64 2>/dev/null |
		sort -V | tail -n 1)
	[ -n "$d" ] || d=/lib/modules/$(uname -r)/build
	[ -f "$d/Makefile" ] || die "no kernel headers (run scripts/install-deps.sh)"
	echo "$d"
}

# The kernel image that goes with a headers tree.
wd_stock_kernel() {
	local kdir=$1 kver
	case $kdir in
	*/linux-headers-*) kver=${kdir##*/linux-headers-} ;;
	/lib/modules/*/build) kver=${kdir#/lib/modules/}; kver=${kver%/build} ;;
	*) die "cannot tell the kernel version of $kdir" ;;
	esac
	[ -r "/boot/vmlinuz-$kver" ] || die "/boot/vmlinuz-$kver missing or unreadable"
	echo "/boot/vmlinuz-$kver"
}
