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

.PHONY: all help deps attach detach status demo test test-more test-tools fuzz bench bench-sets clean rust check-abi conformance install uninstall deb FORCE
.DELETE_ON_ERROR:

all: $(B)/xdp_filter.o $(B)/rulectl $(B)/entry

help:
	@scripts/help.sh

# The flags file changes when DEBUG= does, so the object is rebuilt.
$(B)/bpf.flags: FORCE | $(B)
	@echo '$(CLANG) $(BPF_CFLAGS)' | cmp -s - $@ || echo '$(CLANG) $(BPF_CFLAGS)' > $@

$(B)/xdp_filter.o: xdp_filter.c xdp_filter.h bpf_maps.h parsing.h conntrack.h $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

# The user-space helper (src/): the store and what it stands on are shared
# by rulectl, entry and the test tools that write rules.
STORE_SRCS   := src/xf_diag.c src/xf_rule.c src/xf_pins.c src/xf_store.c src/xf_sets.c src/xf_ct.c \
		src/xf_slots.c src/xf_counts.c src/xf_limits.c src/xf_tiers.c src/xf_links.c \
		src/xf_srcsets.c src/xf_plist.c
STORE_HDRS   := src/xf_diag.h src/xf_rule.h src/xf_pins.h src/xf_store.h src/xf_ct.h \
		src/xf_slots.h src/xf_counts.h src/xf_limits.h src/xf_tiers.h src/xf_links.h \
		src/xf_srcsets.h src/xf_plist.h xdp_filter.h
RULECTL_SRCS := src/rulectl.c src/xf_ruleset.c src/xf_apply.c src/xf_show.c src/xf_setcmd.c \
		src/xf_monitor.c $(STORE_SRCS)
RULECTL_DEPS := $(RULECTL_SRCS) $(STORE_HDRS) src/xf_ruleset.h src/xf_apply.h \
		src/xf_show.h src/xf_monitor.h src/xf_setcmd.h VERSION

$(B)/rulectl: $(RULECTL_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(RULECTL_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# The Rex example's loader shape: load + attach an object, add_rule.
$(B)/entry: src/entry.c $(STORE_SRCS) $(STORE_HDRS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) src/entry.c $(STORE_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# Test tools: crafted frames through BPF_PROG_TEST_RUN, and the tc program
# that puts VLAN tags on the wire for the traffic tests. tests/lib/ is what
# the test and benchmark tools share: the one frame builder, the private
# loading of an object whose maps the store then fills, and the line the
# checking tools write a frame's differences to.
FRAME_SRCS   := tests/lib/frame.c
LOAD_SRCS    := tests/lib/xf_load.c
NOTE_SRCS    := tests/lib/note.c
TESTLIB_HDRS := tests/lib/frame.h tests/lib/xf_load.h
VERDICT_SRCS := tests/verdict/runner.c tests/verdict/install.c \
		tests/verdict/check.c tests/verdict/frames.c \
		tests/verdict/cases.c tests/verdict/families.c \
		tests/lib/flows.c $(FRAME_SRCS) $(LOAD_SRCS) $(NOTE_SRCS) $(STORE_SRCS)
VERDICT_DEPS := $(VERDICT_SRCS) tests/verdict/verdict.h tests/verdict/cases.h \
		tests/lib/flows.h tests/lib/note.h $(TESTLIB_HDRS) $(STORE_HDRS)
$(B)/xf_verdict: $(VERDICT_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(VERDICT_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

$(B)/vlan_tc.o: tests/vlan_tc.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

# The filter and a pass-all program in one object, for the runners' --prog.
$(B)/two_progs.o: tests/two_progs.c xdp_filter.c xdp_filter.h bpf_maps.h \
		parsing.h $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

# Issue 6 test tools (tests/tools/): the sequence-numbered UDP stream, the
# state checker and table filler and the argv fuzzer (both link the store,
# the code rulectl uses), and rulectl under AddressSanitizer and
# UndefinedBehaviorSanitizer for the fuzzer (tests/67-abuse.bats).
TEST_TOOLS := $(B)/sequdp $(B)/xfspoof $(B)/xfstate $(B)/argvfuzz $(B)/asan/rulectl \
	      $(B)/xf_verdict $(B)/xf_conform $(B)/vlan_tc.o $(B)/entry \
	      $(B)/two_progs.o $(B)/xfplist
test-tools: $(TEST_TOOLS)
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined

$(B)/sequdp: tests/tools/sequdp.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS)

# Many-source traffic through raw sockets, and its per-source counter
# (tests/64-limits.bats).
$(B)/xfspoof: tests/tools/xfspoof.c $(FRAME_SRCS) tests/lib/frame.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) tests/tools/xfspoof.c $(FRAME_SRCS) -o $@ $(LDFLAGS)

# The prefix-list library against Python's ipaddress (tests/61-plist.bats).
$(B)/xfplist: tests/tools/xfplist.c src/xf_plist.c src/xf_diag.c src/xf_plist.h \
		src/xf_diag.h xdp_filter.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) tests/tools/xfplist.c src/xf_plist.c src/xf_diag.c \
		-o $@ $(LDFLAGS)

XF_STATE := tests/tools/xf_state.c $(STORE_SRCS)
$(B)/xfstate: tests/tools/xfstate.c $(XF_STATE) tests/tools/xf_state.h $(STORE_HDRS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) tests/tools/xfstate.c $(XF_STATE) -o $@ $(LDFLAGS) $(LDLIBS)

$(B)/argvfuzz: tests/tools/argvfuzz.c $(XF_STATE) tests/tools/xf_state.h $(STORE_HDRS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) tests/tools/argvfuzz.c $(XF_STATE) -o $@ $(LDFLAGS) $(LDLIBS)

$(B)/asan/rulectl: $(RULECTL_DEPS) | $(B)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) $(RULECTL_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# Benchmarks (make bench): the floor, the hash variant the map choice was
# measured against, and the BPF_PROG_TEST_RUN driver.
$(B)/bench_empty.o: bench/empty.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

# The new-source-each-packet wrapper of the rate-limit rows.
$(B)/bench_fresh.o: bench/fresh.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

$(B)/bench_hash.o: bench/hash_variant.c bench/hash_key.h bpf_maps.h parsing.h xdp_filter.h $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

XF_BENCH_SRCS := bench/micro.c bench/state_flows.c $(FRAME_SRCS) $(LOAD_SRCS) $(STORE_SRCS)
$(B)/xf_bench: $(XF_BENCH_SRCS) bench/hash_key.h bench/libbpf_last.h bench/state_flows.h \
		$(TESTLIB_HDRS) $(STORE_HDRS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XF_BENCH_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# Differential verdict conformance (issue 6): frames from tests/model/gen.c
# through BPF_PROG_TEST_RUN and the reference model tests/model/model.c;
# rules go into the maps through the store, as rulectl writes them.
XF_CONFORM_SRCS := tests/model/conform.c tests/model/model.c tests/model/gen.c \
		   tests/model/buckets.c \
		   tests/lib/flows.c $(FRAME_SRCS) $(LOAD_SRCS) $(NOTE_SRCS) $(STORE_SRCS)
XF_CONFORM_DEPS := $(XF_CONFORM_SRCS) tests/model/model.h tests/model/gen.h \
		   tests/model/buckets.h \
		   tests/lib/flows.h tests/lib/note.h $(TESTLIB_HDRS) $(STORE_HDRS)
$(B)/xf_conform: $(XF_CONFORM_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XF_CONFORM_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)

# The long run, both implementations, one seed (SEED=N replays a run).
CONFORM_FRAMES ?= 300000
conformance: $(B)/xf_conform $(B)/xdp_filter.o $(B)/xdp_filter_rs.o
	scripts/conformance.sh $(B) $(CONFORM_FRAMES) "$(SEED)"

# The safe-Rust implementation: core for bpfel-unknown-none from Debian's
# rust-web-src, the crates as LLVM bitcode, lowered with llc-22.
RUST_SRCS := $(wildcard rust/rt/src/*.rs rust/filter/src/*.rs)
rust: $(B)/xdp_filter_rs.o
$(B)/xdp_filter_rs.o: $(RUST_SRCS) rust/build.sh rust/kfuncs.c conntrack.h | $(B)
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

# What make test leaves out to stay under 40 minutes (CI runs both): the
# fleet suite and the Rust reruns of 25, 30, 40 and 45.
test-more: deps
	tests/run.sh --more

# The long argv fuzz run (make test runs 3,000 cases): FUZZ_CASES=N, SEED=N.
fuzz: deps
	XF_FUZZ_CASES=$(or $(FUZZ_CASES),10000) $(if $(SEED),XF_FUZZ_SEED=$(SEED)) \
		bats -f 'argv fuzzer' tests/67-abuse.bats

bench:
	scripts/deps.sh --bench
	bench/run.sh $(if $(QUICK),--quick)

# The source-set benchmarks alone (sets.md, micro.md, e2e-sets.md).
bench-sets:
	scripts/deps.sh --bench
	bench/run.sh --only sets $(if $(QUICK),--quick)

install: $(B)/xdp_filter.o $(B)/rulectl
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" B="$(B)" scripts/install.sh

uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install.sh --uninstall

# The Debian package: build/xdp-filter_VERSION_ARCH.deb, checked by lintian.
deb:
	B="$(B)" scripts/deb.sh

clean:
	rm -rf $(B)

include bench/e2e.mk
include tests/kernels/kernels.mk
