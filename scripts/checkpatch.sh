#!/bin/bash
# Run the kernel's checkpatch.pl over WarpDrive's kernel sources and uAPI
# header, using the linux-source-6.12 tree the debug tier unpacks.
#
# Usage: checkpatch.sh [SRCDIR]   (default: the debug tier's unpacked tree)
# Exits non-zero on any error or warning. (--strict CHECKs are not
# enforced: the uAPI header cannot use BIT(), for one.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${WD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warpdrive}
src=${1:-}
if [ -z "$src" ]; then
	src=$(ls -d "$cache"/src-* 2>/dev/null | sort -V | tail -n 1)
fi
[ -n "$src" ] && [ -x "$src/scripts/checkpatch.pl" ] ||
	{ echo "checkpatch: no kernel source tree (build the debug kernel first)" >&2; exit 1; }

cd "$root"
files=$(git ls-files 'kernel/*.c' 'kernel/*.h' 'uapi/*.h' 2>/dev/null ||
	find kernel uapi -name '*.[ch]')
# shellcheck disable=SC2086
"$src/scripts/checkpatch.pl" --no-tree --quiet --show-types -f $files
