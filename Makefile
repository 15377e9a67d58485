# SPDX-License-Identifier: GPL-2.0
# xdp_filter - targets are the user interface; anything with logic lives in
# scripts/. `make help` lists them.
CLANG      ?= clang
B          ?= build
DEBUG      ?=
MODE       ?=
DEV        ?=
IMPL       ?= c
PREFIX     ?= /usr/local
# The version, from one place: rulectl prints it (rulectl version, status),
# debian/changelog must say the same (scripts/deb.sh checks).
VERSION    := $(shell cat VERSION)
CPPFLAGS   += -DXF_VERSION='"$(VERSION)"'
MULTIARCH  := $(shell $(CC) -dumpmachine 2>/dev/null)
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror
LDLIBS     += -lbpf
# -g is mandatory for BPF: it emits the BTF that SEC(".maps") relies on.
BPF_CFLAGS ?= -O2 -g -Wall -Werror
BPF_CFLAGS += -I/usr/include/$(MULTIARCH) $(if $(DEBUG),-DXF_DEBUG)

.PHONY: all help deps attach detach status demo test test-tools bench clean rust check-abi conformance install deb FORCE
.DELETE_ON_ERROR:

all: $(B)/xdp_filter.o $(B)/rulectl $(B)/entry

help:
	@scripts/help.sh

# The flags file changes when DEBUG= does, so the object is rebuilt.
$(B)/bpf.flags: FORCE | $(B)
	@echo '$(CLANG) $(BPF_CFLAGS)' | cmp -s - $@ || echo '$(CLANG) $(BPF_CFLAGS)' > $@

$(B)/xdp_filter.o: xdp_filter.c xdp_filter.h bpf_maps.h parsing.h $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

RULECTL_SRCS := rulectl.c xf_maps.c xf_apply.c xf_monitor.c
RULECTL_DEPS := $(RULECTL_SRCS) xf_maps.h xf_apply.h xf_monitor.h xdp_filter.h VERSION

$(B)/rulectl: $(RULECTL_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(RULECTL_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# The Rex example's loader shape: load + attach an object, add_rule.
$(B)/entry: entry.c xf_maps.c xf_maps.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) entry.c xf_maps.c -o $@ $(LDFLAGS) $(LDLIBS)

# Test tools: crafted frames through BPF_PROG_TEST_RUN, and the tc program
# that puts VLAN tags on the wire for the traffic tests.
$(B)/xf_verdict: tests/verdict.c tests/xf_load.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS) $(LDLIBS)

$(B)/vlan_tc.o: tests/vlan_tc.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

# Issue 6 test tools (tests/tools/): the sequence-numbered UDP stream, the
# state checker and table filler and the argv fuzzer (both link xf_maps.c,
# the code rulectl uses), and rulectl under AddressSanitizer and
# UndefinedBehaviorSanitizer for the fuzzer (tests/67-abuse.bats).
TEST_TOOLS := $(B)/sequdp $(B)/xfstate $(B)/argvfuzz $(B)/asan/rulectl \
	      $(B)/xf_verdict $(B)/xf_conform $(B)/vlan_tc.o $(B)/entry
test-tools: $(TEST_TOOLS)
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined

$(B)/sequdp: tests/tools/sequdp.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS)

$(B)/xfstate: tests/tools/xfstate.c tests/tools/xf_state.h xf_maps.c xf_maps.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) tests/tools/xfstate.c xf_maps.c -o $@ $(LDFLAGS) $(LDLIBS)

$(B)/argvfuzz: tests/tools/argvfuzz.c tests/tools/xf_state.h xf_maps.c xf_maps.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) tests/tools/argvfuzz.c xf_maps.c -o $@ $(LDFLAGS) $(LDLIBS)

$(B)/asan/rulectl: $(RULECTL_DEPS) | $(B)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(RULECTL_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# Benchmarks (make bench): the floor, the hash variant the map choice was
# measured against, and the BPF_PROG_TEST_RUN driver.
$(B)/bench_empty.o: bench/empty.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

$(B)/bench_hash.o: bench/hash_variant.c bench/hash_key.h bpf_maps.h parsing.h xdp_filter.h $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

$(B)/xf_bench: bench/micro.c bench/hash_key.h bench/libbpf_last.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS) $(LDLIBS)

# Differential verdict conformance (issue 6): frames from tests/model/gen.c
# through BPF_PROG_TEST_RUN and the reference model tests/model/model.c;
# rules go into the maps through xf_maps.c, as rulectl writes them.
XF_CONFORM_SRCS := tests/model/conform.c tests/model/model.c tests/model/gen.c xf_maps.c
$(B)/xf_conform: $(XF_CONFORM_SRCS) tests/model/model.h tests/model/gen.h \
		tests/xf_load.h xf_maps.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XF_CONFORM_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# The long run, both implementations, one seed (SEED=N replays a run).
CONFORM_FRAMES ?= 300000
conformance: $(B)/xf_conform $(B)/xdp_filter.o $(B)/xdp_filter_rs.o
	scripts/conformance.sh $(B) $(CONFORM_FRAMES) "$(SEED)"

# The safe-Rust implementation: core for bpfel-unknown-none from Debian's
# rust-web-src, the crates as LLVM bitcode, lowered with llc-22.
RUST_SRCS := $(wildcard rust/rt/src/*.rs rust/filter/src/*.rs)
rust: $(B)/xdp_filter_rs.o
$(B)/xdp_filter_rs.o: $(RUST_SRCS) rust/build.sh | $(B)
	rust/build.sh -f -B $(B) -o $@
check-abi: $(B)/xdp_filter.o $(B)/xdp_filter_rs.o
	rust/check-abi.sh $^

$(B):
	mkdir -p $@

deps:
	scripts/deps.sh

# IMPL=rust attaches the safe-Rust build of the same filter (rust/).
OBJ_c    := $(B)/xdp_filter.o
OBJ_rust := $(B)/xdp_filter_rs.o
OBJ      := $(OBJ_$(IMPL))

attach: $(B)/rulectl $(OBJ)
	@test -n "$(OBJ)" || { echo "bad IMPL '$(IMPL)' (expected c or rust)" >&2; exit 2; }
	OBJ=$(OBJ) scripts/attach.sh attach "$(DEV)" "$(MODE)"

detach: $(B)/rulectl
	scripts/attach.sh detach "$(DEV)"

status: $(B)/rulectl
	scripts/attach.sh status $(if $(JSON),--json)

demo: deps all
	scripts/demo.sh

test: deps
	tests/run.sh

bench:
	scripts/deps.sh --bench
	bench/run.sh $(if $(QUICK),--quick)

install: $(B)/xdp_filter.o $(B)/rulectl
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" B="$(B)" scripts/install.sh

# The Debian package: build/xdp-filter_VERSION_ARCH.deb, checked by lintian.
deb:
	B="$(B)" scripts/deb.sh

clean:
	rm -rf $(B)

include bench/e2e.mk
include tests/kernels/kernels.mk
