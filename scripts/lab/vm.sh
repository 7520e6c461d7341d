#!/bin/bash
# make vm / make demo / make bench: boot the lab VM with the modules loaded.
#
# Usage: vm.sh shell|demo|bench [stock|debug]   (default tier: stock)
# Exits non-zero, showing the kernel's report, if the kernel oopsed,
# panicked or warned, or the VM stopped before the demo finished (or before
# the shell came up); the console is kept in build/TIER/MODE/console.log.
set -euo pipefail
source "$(dirname "$0")/common.sh"
mode=$1
tier=${2:-stock}

"$WD_ROOT/scripts/install-deps.sh" $([ "$tier" = debug ] && echo --debug-tier)
read -r kernel initrd < <("$WD_ROOT/scripts/lab/prepare.sh" "$tier")
[ -n "${initrd:-}" ] || die "build failed"
exec "$WD_ROOT/scripts/lab/qemu.sh" "$kernel" "$initrd" "$mode" \
	"$WD_BUILD/$tier/$mode" 300
