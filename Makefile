# SPDX-License-Identifier: GPL-2.0
#
# egressk top-level build.
#
#   make                 build kmod/egressk.ko and userspace/egresskctl
#   make deps            install every Debian package the build, demo and tests need
#   make check           unit tests + KUnit + the VM integration suite; ends "N passed, N failed"
#   make demo            boot the VM and show a policed "agent" namespace
#   make bench           the benchmark suite in one VM boot (bench/results/, docs/performance.md)
#   make bench-quick     a reduced benchmark run (about 15-20 minutes under emulation)
#   make fuzz            run the libFuzzer harnesses of the parsers (FUZZ_SECONDS each, default 60)
#   make dkms-install    build and install the module through DKMS
#   make dkms-remove     remove it again
#
# KDIR: the kernel build tree.  It defaults to the running kernel's; when that
# has no headers (development machines and CI run a kernel without them), the
# newest installed Debian kernel headers are used, and the choice is printed.

KVER_RUNNING := $(shell uname -r)
ifeq ($(origin KDIR),undefined)
  ifneq ($(wildcard /lib/modules/$(KVER_RUNNING)/build/Makefile),)
    KDIR := /lib/modules/$(KVER_RUNNING)/build
  else
    KDIR := $(lastword $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V))
    ifneq ($(KDIR),)
      ifeq ($(filter deps clean dkms-% help fuzz test-unit test-parsers,$(MAKECMDGOALS)),)
        $(info egressk: no headers for the running kernel $(KVER_RUNNING); using KDIR=$(KDIR))
      endif
    endif
  endif
endif
export KDIR

PACKAGE_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

.PHONY: all module userspace deps check test-unit test-parsers test-kunit \
	test-integration fuzz bench bench-quick demo dkms-install dkms-remove clean help

all: module userspace

module:
	@if [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "egressk: no kernel headers found; run 'make deps' (or set KDIR)" >&2; exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace:
	$(MAKE) -C userspace

deps:
	@bash scripts/deps.sh

check: all
	@bash tests/run-all.sh

test-unit: userspace
	@bash tests/run-all.sh unit

test-parsers:
	@bash tests/run-all.sh parsers

fuzz:
	@bash tests/parsers/fuzz.sh $(FUZZ_SECONDS)

test-kunit:
	@bash tests/run-all.sh kunit

test-integration: all
	@bash tests/run-all.sh integration

bench: all
	@bash bench/run.sh

bench-quick: all
	@bash bench/run.sh --quick

demo: all
	@bash tests/integration/demo.sh

# DKMS builds for KVER, by default the kernel whose headers KDIR points at
# (dkms itself would pick the running kernel, which may have no headers).
DKMS_KVER := $(or $(KVER),$(patsubst /lib/modules/%/build,%,$(KDIR)))

dkms-install:
	dkms remove -m egressk -v $(PACKAGE_VERSION) --all >/dev/null 2>&1 || true
	rm -rf /usr/src/egressk-$(PACKAGE_VERSION)
	mkdir -p /usr/src/egressk-$(PACKAGE_VERSION)
	cp -r Kbuild dkms.conf kmod uapi /usr/src/egressk-$(PACKAGE_VERSION)/
	find /usr/src/egressk-$(PACKAGE_VERSION) \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '*.order' -o -name Module.symvers \) -delete
	dkms add -m egressk -v $(PACKAGE_VERSION)
	dkms build -m egressk -v $(PACKAGE_VERSION) $(if $(DKMS_KVER),-k $(DKMS_KVER))
	dkms install -m egressk -v $(PACKAGE_VERSION) $(if $(DKMS_KVER),-k $(DKMS_KVER))

dkms-remove:
	dkms remove -m egressk -v $(PACKAGE_VERSION) --all
	rm -rf /usr/src/egressk-$(PACKAGE_VERSION)

clean:
	@if [ -n "$(KDIR)" ] && [ -e "$(KDIR)/Makefile" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean

help:
	@sed -n 's/^#   //p' Makefile
