# SPDX-License-Identifier: GPL-2.0
#
# WarpDrive: the one entry point.
#
#   make              modules (against KDIR), liburing-accel, tests, tools
#   make check        the selftests in the QEMU lab on all three tiers (stock
#                     Debian 6.12, the debug 6.12 kernel, Debian 7.2)
#   make check-stock  ... on the stock tier only
#   make check-debug  ... on the debug tier only
#   make check-k72    ... on the k72 tier only (Linux 7.2, built in a forky root)
#   make demo         boot the VM, load the modules, run wd-demo
#   make bench        run wd-bench in the VM, deterministic mode (-icount and
#                     an instruction-count plugin) then wall clock;
#                     build/bench/ gets the tables, JSON and a PNG chart
#                     (SECTION=count: the deterministic run only; SECTION=
#                     name: that wall-clock section; ENGINE_DELAY_US=N:
#                     soft0's engine slowed by N us per request)
#   make vm           an interactive shell in the VM, modules loaded
#   make checkpatch   the kernel's checkpatch.pl over kernel/ and uapi/
#   make install      modules, uAPI header, liburing-accel (library, header,
#                     pkg-config file, man pages), accelctl and its man page,
#                     the udev rule; DESTDIR and PREFIX (default /usr/local)
#                     as usual
#   make uninstall    removes exactly that
#   make install-dkms the module sources under /usr/src/warpdrive-VERSION
#                     with dkms.conf, registered with DKMS (without DESTDIR)
#   make uninstall-dkms  dkms remove, and the sources gone
#   make check-install  install, build against it, uninstall, and a DKMS
#                     build, all in a scratch directory (host only)
#   make clean
#
# KDIR defaults to the newest installed linux-headers-6.12.*-cloud-amd64,
# else /lib/modules/$(uname -r)/build.

WD_BUILD ?= $(CURDIR)/build
KDIR ?= $(shell bash -c 'source scripts/lab/common.sh && wd_stock_kdir' 2>/dev/null)
VERSION := 0.1

# make install
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /lib/udev/rules.d
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
MODDIR ?= /lib/modules/$(KVER)/updates/warpdrive
INSTALL_ENV = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" \
	LIBDIR="$(LIBDIR)" INCLUDEDIR="$(INCLUDEDIR)" MANDIR="$(MANDIR)" \
	UDEVRULESDIR="$(UDEVRULESDIR)" KVER="$(KVER)" MODDIR="$(MODDIR)" \
	WD_BUILD="$(WD_BUILD)" VERSION="$(VERSION)"

all: modules user

modules:
	@test -n "$(KDIR)" || { echo "no kernel headers: set KDIR or run scripts/install-deps.sh"; exit 1; }
	scripts/build-modules.sh $(KDIR) $(WD_BUILD)/modules

# Static programs: the VM's initramfs has no libc.
user:
	$(MAKE) -C liburing-accel O=$(WD_BUILD)/lib
	$(MAKE) -C selftests O=$(WD_BUILD)/user STATIC=1
	$(MAKE) -C tools O=$(WD_BUILD)/user STATIC=1

check:
	scripts/lab/check.sh all

check-stock:
	scripts/lab/check.sh stock

check-k72:
	scripts/lab/check.sh k72

check-debug:
	scripts/lab/check.sh debug

demo:
	scripts/lab/vm.sh demo

bench:
	WD_BENCH_SECTION=$(SECTION) WD_ENGINE_DELAY_US=$(ENGINE_DELAY_US) \
		scripts/lab/bench.sh

vm:
	scripts/lab/vm.sh shell

clean:
	rm -rf $(WD_BUILD)

.PHONY: all modules user check check-stock check-debug check-k72 demo bench vm clean

# Kernel coding style (needs the debug tier's kernel source).
checkpatch:
	scripts/checkpatch.sh

.PHONY: checkpatch

# Installed programs are ordinary dynamic executables, built apart from the
# VM's static ones.
host-tools:
	$(MAKE) -C tools O=$(WD_BUILD)/host $(WD_BUILD)/host/accelctl

install: modules host-tools
	$(INSTALL_ENV) scripts/install.sh install

uninstall:
	$(INSTALL_ENV) scripts/install.sh uninstall

install-dkms:
	$(INSTALL_ENV) scripts/install.sh install-dkms

uninstall-dkms:
	$(INSTALL_ENV) scripts/install.sh uninstall-dkms

check-install:
	scripts/test-install.sh

# For scripts: what this Makefile would use.
print-kver:
	@echo $(KVER)
print-kdir:
	@echo $(KDIR)
print-version:
	@echo $(VERSION)

.PHONY: host-tools install uninstall install-dkms uninstall-dkms check-install \
	print-kver \
	print-kdir print-version
