# SPDX-License-Identifier: GPL-2.0
#
# cram - top-level Makefile.
#
#   make [KVER=<kernel>] [KDIR=<headers>]  build cram.ko into build/<kernel>/
#        [CRAM_TEST_HOOKS=y]               the VM tests' module, with its test hooks,
#                                          into build/<kernel>-testhooks/
#   make unit                              userspace unit tests of src/core and of
#                                          cramstat (ASan+UBSan)
#   make cramstat                          build/cramstat, the stats tool
#   make man                               build/man/cram.4 from docs/ABI.md (tool pages: man/)
#   make deb                               build/deb/cram-dkms_*.deb, cram-tools_*.deb (lintian-clean)
#   make install-tools [PREFIX=/usr/local] cramstat, cram-setup, man pages, cram.service,
#                                          cram-exporter.service
#   make check [KERNELS=all|LINE...]       everything: unit, lint, build matrix, fuzz, DKMS,
#              [STAGES=unit,lint,...]      .debs, VM suite with its soak on 6.1, 6.12 and
#                                          7.3, their RT flavours built, 6.12-rt booted
#                                          (all: + 6.12-trixie, 7.2, every VM test on
#                                          every line); STAGES: a subset (scripts/check)
#   make check-debug [DEBUG_LINE=7.3]      the VM suite on a 6.12 (or 7.3) kernel built with
#                                          lockdep, KASAN and friends (scripts/debug-kernel)
#   make soak [SOAK_SECS=600]              every workload at once, verified, per kernel
#                                          (make check runs 60 s at the end of each test boot)
#   make demo                              boot the emulated CXL machine and show cram
#   make fuzz [FUZZ_SECS=600]              libFuzzer targets of src/core (clang, ASan+UBSan),
#                                          each FUZZ_SECS from tests/fuzz/corpus/
#                                          (make check runs each for 20 s)
#   make bench-core                        the core's cost per page, natively, vs memcpy and
#                                          lz4 (build/bench/core.md, docs/PERFORMANCE.md)
#   make bench [KERNELS=...]               in-guest end to end, one boot per kernel: cram's
#                                          CXL tier, its pool, zswap, zram, disk, same boot
#                                          (build/bench/guest*.{md,png}; TCG: relative only)
#   make bench-host                        host benchmarks (copy: plain vs non-temporal;
#                                          device model scan cost)
#   make devmodel                          the emulated device (build/devmodel/cramdev)
#   make deps                              install host dependencies (root, Debian 12)
#   make clean
#
# KDIR defaults to the installed headers of KVER, else to the copy scripts/fetch-kernel
# unpacked into the cache. Each kernel builds in its own directory, so builds for
# several kernels never share objects.

KVER ?= $(shell uname -r)
CRAM_CACHE ?= /var/cache/cram
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
		    $(CRAM_CACHE)/kernels/$(KVER)/usr/src/linux-headers-$(KVER))
CRAM_TEST_HOOKS ?=
# trees per swap type; set only for the benchmark's one-tree build (include/cram/trees.h)
CRAM_TREES ?=
# kernel lines for make check, vmtest and fetch-kernel (scripts/lib.sh kernel_lines)
ifdef KERNELS
export CRAM_KERNELS := $(KERNELS)
endif
BUILD := build/$(KVER)$(if $(CRAM_TEST_HOOKS),-testhooks)$(if $(CRAM_TREES),-trees$(CRAM_TREES))
SOURCES := Kbuild dkms.conf include src $(wildcard examples)

CC ?= cc
UNIT_CFLAGS := -std=gnu11 -O1 -g -pthread -Wall -Wextra -Werror -Iinclude \
	       -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CORE_SRCS := $(wildcard src/core/*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))
# Tests of concurrent code also run under ThreadSanitizer (which excludes ASan).
TSAN_TESTS := build/unit/tsan/test_ralloc build/unit/tsan/test_ledger build/unit/tsan/test_pool_threads
GUEST_PROGS := $(patsubst tests/vm/bin/%.c,build/guest/%,$(wildcard tests/vm/bin/*.c))
# The host-side model of a compressing device (tests/devmodel/), run next to QEMU.
DEVMODEL_SRCS := tests/devmodel/footprint.c tests/devmodel/scan.c
DEVMODEL_DEPS := $(DEVMODEL_SRCS) $(wildcard tests/devmodel/*.h include/cram/*.h)

PREFIX ?= /usr/local
TOOL_CFLAGS := -O2 -g -Wall -Wextra -Werror

.PHONY: all module unit guest devmodel check check-debug soak demo bench bench-host bench-core deps clean cramstat man deb \
	install-tools fuzz fuzzers

all: module

module:
	@test -d "$(KDIR)" || { echo "no kernel headers for $(KVER) (looked in $(KDIR));" \
		"install linux-headers-$(KVER) or run scripts/fetch-kernel" >&2; exit 1; }
	@mkdir -p $(BUILD)/gen
	@cp -a $(SOURCES) $(BUILD)/
	@scripts/compat-probe $(KDIR) $(BUILD)/gen/compat_probes.h
	$(MAKE) -C $(KDIR) M=$(abspath $(BUILD)) CRAM_TEST_HOOKS=$(CRAM_TEST_HOOKS) CRAM_TREES=$(CRAM_TREES) modules

build/unit/%: tests/unit/%.c $(CORE_SRCS) $(wildcard include/cram/*.h tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) -llz4

# Guest programs are static: the initramfs carries no libc of its own.
build/guest/%: tests/vm/bin/%.c $(wildcard include/cram/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -Werror -Iinclude -o $@ $<

build/guest/cramstat: tools/cramstat.c
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -static -o $@ $<

# the telemetry agent: its source parser is the core's (src/core/telemetry.c)
AGENT_SRCS := tools/cram-agent.c src/core/telemetry.c
build/guest/cram-agent: $(AGENT_SRCS) $(wildcard include/cram/*.h)
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -Iinclude -static -o $@ $(AGENT_SRCS)

guest: $(GUEST_PROGS) build/guest/cramstat build/guest/cram-agent

build/cramstat: tools/cramstat.c
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -o $@ $<

build/cram-agent: $(AGENT_SRCS) $(wildcard include/cram/*.h)
	@mkdir -p $(@D)
	$(CC) $(TOOL_CFLAGS) -Iinclude -o $@ $(AGENT_SRCS)

cramstat: build/cramstat

install-tools: build/cramstat build/cram-agent build/man/cram.4
	install -D -m 0755 build/cramstat $(DESTDIR)$(PREFIX)/bin/cramstat
	install -D -m 0755 build/cram-agent $(DESTDIR)$(PREFIX)/sbin/cram-agent
	install -D -m 0755 scripts/cram-setup $(DESTDIR)$(PREFIX)/sbin/cram-setup
	install -D -m 0644 build/man/cram.4 $(DESTDIR)$(PREFIX)/share/man/man4/cram.4
	install -D -m 0644 man/cramstat.8 $(DESTDIR)$(PREFIX)/share/man/man8/cramstat.8
	install -D -m 0644 man/cram-setup.8 $(DESTDIR)$(PREFIX)/share/man/man8/cram-setup.8
	install -d $(DESTDIR)/etc/systemd/system $(DESTDIR)/etc/default
	sed 's|/usr/sbin/cram-setup|$(PREFIX)/sbin/cram-setup|' etc/systemd/cram.service \
		> $(DESTDIR)/etc/systemd/system/cram.service
	sed 's|/usr/bin/cramstat|$(PREFIX)/bin/cramstat|' etc/systemd/cram-exporter.service \
		> $(DESTDIR)/etc/systemd/system/cram-exporter.service
	sed 's|/usr/sbin/cram-agent|$(PREFIX)/sbin/cram-agent|' etc/systemd/cram-agent@.service \
		> $(DESTDIR)/etc/systemd/system/cram-agent@.service
	test -e $(DESTDIR)/etc/default/cram-agent || install -m 0644 etc/default/cram-agent $(DESTDIR)/etc/default/cram-agent
	test -e $(DESTDIR)/etc/default/cram || install -m 0644 etc/default/cram $(DESTDIR)/etc/default/cram

# cramstat under the sanitizers, for tests/unit/cramstat.sh (made-up /sys trees);
# uninitialised locals filled with a pattern, so a read of one shows (ASan cannot)
build/unit/cramstat: tools/cramstat.c
	@mkdir -p $(@D)
	$(CC) $(filter-out -Iinclude,$(UNIT_CFLAGS)) -ftrivial-auto-var-init=pattern -o $@ $<

# libFuzzer targets: the core built with the fuzzer's coverage and the sanitizers
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(CORE_SRCS) $(wildcard include/cram/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS)

fuzzers: $(FUZZERS)

FUZZ_SECS ?= 600
fuzz: fuzzers
	tests/fuzz/run $(FUZZ_SECS) $(FUZZERS)

build/unit/tsan/%: tests/unit/%.c $(CORE_SRCS) $(wildcard include/cram/*.h tests/unit/*.h)
	@mkdir -p $(@D)
	$(CC) $(filter-out -fsanitize=%,$(UNIT_CFLAGS)) -fsanitize=thread -o $@ $< $(CORE_SRCS)

build/devmodel/cramdev: tests/devmodel/cramdev.c $(DEVMODEL_DEPS)
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -Iinclude -o $@ $< $(DEVMODEL_SRCS) -llz4

devmodel: build/devmodel/cramdev

build/unit/test_devmodel: tests/devmodel/test_devmodel.c $(DEVMODEL_DEPS) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(DEVMODEL_SRCS) -llz4

# the trees' cursor also as the benchmark's one-tree build has it (make CRAM_TREES=1)
build/unit/test_trees_1tree: tests/unit/test_trees.c include/cram/trees.h include/cram/core_types.h tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -DCRAM_TREES_PER_TYPE=1 -o $@ $<

unit: $(UNIT_TESTS) $(TSAN_TESTS) build/unit/test_trees_1tree build/unit/test_devmodel build/unit/cramstat
	@set -e; for t in $(filter-out build/unit/cramstat,$^); do echo "# $$t"; $$t; done
	@echo "# tests/unit/cramstat.sh"; tests/unit/cramstat.sh build/unit/cramstat
	@echo "# tests/unit/man.sh"; tests/unit/man.sh build/unit/cramstat
	@echo "# tests/unit/service.sh"; tests/unit/service.sh

# cram-dkms and cram-tools .debs (debian/, dpkg-buildpackage, lintian) in build/deb/
deb:
	scripts/make-deb

# cram(4) from docs/ABI.md and docs/OPERATIONS.md; cramstat(8), cram-setup(8) in man/
man: build/man/cram.4
build/man/cram.4: scripts/gen-man docs/ABI.md docs/OPERATIONS.md dkms.conf
	@mkdir -p $(@D)
	scripts/gen-man $@

check:
	scripts/check

DEBUG_LINE ?= 6.12
check-debug:
	CRAM_DEBUG_LINE=$(DEBUG_LINE) scripts/check-debug

SOAK_SECS ?= 600
soak:
	scripts/soak $(SOAK_SECS)

demo:
	scripts/demo

build/bench/%: tests/bench/%.c tests/bench/ntcopy.h
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

build/bench/scanbench: tests/devmodel/test_devmodel.c $(DEVMODEL_DEPS)
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -Iinclude -o $@ $< $(DEVMODEL_SRCS) -llz4

# The portable core's per-page costs, natively (tests/bench/corebench.c)
build/bench/corebench: tests/bench/corebench.c tests/bench/ntcopy.h $(CORE_SRCS) $(wildcard include/cram/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -g -fno-inline-functions-called-once -Wall -Wextra -Werror -pthread -Iinclude \
		-o $@ $< $(CORE_SRCS) -llz4

bench-core: build/bench/corebench
	@mkdir -p build/bench
	build/bench/corebench | tee build/bench/core.md

# cram against zswap, zram and the disk, in a guest per kernel (scripts/bench)
bench:
	scripts/bench

# copy: plain vs non-temporal stores; scan: the device model's cost per GiB
bench-host: build/bench/copybench build/bench/scanbench
	build/bench/copybench
	build/bench/scanbench | grep '^#'

deps:
	scripts/deps

clean:
	rm -rf build
