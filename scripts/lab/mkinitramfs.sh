#!/bin/bash
# Build the lab VM's initramfs: busybox, our init, the modules of one tier
# and the statically linked test and demo programs.
#
# Usage: mkinitramfs.sh MODULE_DIR BIN_DIR OUTPUT [KMOD_DIR]
#   MODULE_DIR  holds warpdrive.ko and the driver modules (one tier's)
#   BIN_DIR     holds the static test programs and tools
#   KMOD_DIR    the tier kernel's /lib/modules/<version>, where the modules
#               ours depend on are found (a kernel with everything built in
#               needs none)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
moddir=$1
bindir=$2
output=$3
kmoddir=${4:-}

busybox=$(command -v busybox) || { echo "mkinitramfs: busybox-static missing" >&2; exit 1; }
ldd "$busybox" >/dev/null 2>&1 &&
	{ echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }

stage=$(mktemp -d)
# mktemp's 0700 would become the VM's root directory: no one but root
# could reach anything (selftests/perms runs as an unprivileged user).
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,wd/bin,wd/modules}
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$stage/bin/$applet"
done
# The kernel opens /dev/console for init before anything is mounted.
mknod -m 600 "$stage/dev/console" c 5 1
mknod -m 666 "$stage/dev/null" c 1 3

install -m 755 "$here/init" "$stage/init"
install -m 755 "$here/run-tests" "$stage/wd/run-tests"

# The kernel's own modules ours need (modinfo's "depends"), depth first,
# decompressed: busybox's insmod takes plain .ko files.
add_kernel_module() {
	local name=$1 path dep
	cat "$stage/wd/modules/order" "$stage/wd/modules/optional" 2>/dev/null |
		grep -qx "$name.ko" && return 0
	[ -n "$kmoddir" ] || { echo "mkinitramfs: $name needed but no KMOD_DIR" >&2; exit 1; }
	# a module's file may spell with '-' what its name spells with '_'
	path=$(awk -F: -v m="/$name.ko" -v d="/${name//_/-}.ko" '
		(index($1, m) && $1 ~ (m "(\\.xz|\\.zst|\\.gz)?$")) ||
		(index($1, d) && $1 ~ (d "(\\.xz|\\.zst|\\.gz)?$")) { print $1; exit }' \
		"$kmoddir/modules.dep")
	[ -n "$path" ] || { echo "mkinitramfs: module $name not in $kmoddir" >&2; exit 1; }
	for dep in $(modinfo -F depends "$kmoddir/$path" | tr ',' ' '); do
		add_kernel_module "$dep"
	done
	case $path in
	*.xz) xz -dc "$kmoddir/$path" > "$stage/wd/modules/$name.ko" ;;
	*.zst) zstd -qdc "$kmoddir/$path" > "$stage/wd/modules/$name.ko" ;;
	*.gz) gzip -dc "$kmoddir/$path" > "$stage/wd/modules/$name.ko" ;;
	*) cp "$kmoddir/$path" "$stage/wd/modules/$name.ko" ;;
	esac
	echo "$name.ko" >> "$stage/wd/modules/${WD_MODLIST:-order}"
}

# Modules, in load order: what they need, the core, then its drivers.
: > "$stage/wd/modules/order"
for m in warpdrive warpdrive_soft warpdrive_edu warpdrive_crypto; do
	ko=$(find "$moddir" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || { echo "mkinitramfs: $m.ko not found in $moddir" >&2; exit 1; }
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		case $dep in warpdrive|warpdrive_soft|warpdrive_edu|warpdrive_crypto) ;; *) add_kernel_module "$dep" ;; esac
	done
	cp "$ko" "$stage/wd/modules/"
	echo "$m.ko" >> "$stage/wd/modules/order"
done

# The crypto API's implementations crypto0's algorithms may use, where
# the kernel has them as modules (built in, or absent, they are skipped):
# the VM has no modprobe for the crypto API to load them on demand. The
# AF_ALG modules are for the benchmarks' comparison. A CPU without the
# instructions a module wants makes it refuse to load: /init loads these
# without failing on that (wd/modules/optional).
: > "$stage/wd/modules/optional"
for m in cryptd crypto_simd gcm ghash_generic xts ctr cbc \
	aesni_intel aes_generic sha256_generic sha512_generic hmac \
	sha256_ssse3 sha512_ssse3 ghash_clmulni_intel \
	virtio_crypto af_alg algif_hash algif_skcipher algif_aead deflate; do
	[ -n "$kmoddir" ] &&
		grep -qE "/($m|${m//_/-})\.ko" "$kmoddir/modules.dep" &&
		WD_MODLIST=optional add_kernel_module "$m"
done

# The KUnit tests, where built: not loaded at boot (selftests/kunit loads
# them, and unloads them so that the modules they test can go).
ko=$(find "$moddir" -name warpdrive_kunit.ko | head -n 1)
[ -z "$ko" ] || cp "$ko" "$stage/wd/modules/"

# Test programs, in the order selftests/Makefile lists them.
: > "$stage/wd/tests"
for t in ${WD_TESTS:-$(make -s -C "$here/../../selftests" print-tests)}; do
	[ -x "$bindir/$t" ] || { echo "mkinitramfs: test $t not built in $bindir" >&2; exit 1; }
	cp "$bindir/$t" "$stage/wd/bin/"
	echo "$t" >> "$stage/wd/tests"
done
for tool in accelctl wd-httpd wd-demo wd-gzip wd-edu-demo wd-bench; do
	[ -x "$bindir/$tool" ] || { echo "mkinitramfs: $tool not built in $bindir" >&2; exit 1; }
	cp "$bindir/$tool" "$stage/wd/bin/"
done

mkdir -p "$(dirname "$output")"
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) |
	gzip -1 > "$output.tmp"
mv "$output.tmp" "$output"
