#!/bin/bash
# Run a command inside the k72 build root (scripts/k72/root.sh), with the
# repository and the build directory at the same paths as outside, so
# that what it builds lands where the host expects it.
#
# Usage: scripts/k72/run.sh ROOT COMMAND [ARG...]
# The mounts live in a private mount namespace and go when it exits.
set -euo pipefail
root=$1
shift
wd_root=$(cd "$(dirname "$0")/../.." && pwd)
wd_build=$(realpath -m "${WD_BUILD:-$wd_root/build}")
mkdir -p "$wd_build" "$root$wd_root" "$root$wd_build" "$root/proc"

# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare -m -- /bin/sh -c '
	root=$1 src=$2 build=$3
	shift 3
	mount --make-rprivate / &&
	mount --bind "$src" "$root$src" &&
	case "$build/" in
	"$src"/*) ;;
	*) mount --bind "$build" "$root$build" || exit 1 ;;
	esac &&
	mount -t proc proc "$root/proc" &&
	exec chroot "$root" /usr/bin/env -u LD_LIBRARY_PATH LC_ALL=C \
		WD_BUILD="$build" /bin/sh -c "cd \"\$1\" && shift && exec \"\$@\"" \
		sh "$src" "$@"
' sh "$root" "$wd_root" "$wd_build" "$@"
