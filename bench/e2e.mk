# SPDX-License-Identifier: GPL-2.0
# e2e.mk - build rules for the end-to-end benchmark (bench/run.sh), included
# by the top-level Makefile, on its variables.
# The generator's XDP_TX program, the floor every e2e row is divided by,
# and the generator itself.
$(B)/bench_gen.o: bench/gen_xdp.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

$(B)/bench_drop.o: bench/drop.c $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

$(B)/xf_gen: bench/gen.c tests/lib/frame.c tests/lib/frame.h bench/libbpf_last.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) bench/gen.c tests/lib/frame.c -o $@ $(LDFLAGS) $(LDLIBS)

# The TCP throughput of one flow, through the filter and without it.
$(B)/xf_tput: bench/tput.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) bench/tput.c -o $@ $(LDFLAGS)

# The source-set benchmarks (bench/sets.sh): the prefix files' generator,
# the lookup loops (ours against a kernel LPM trie) and their driver.
$(B)/xf_setgen: bench/setgen.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS)

$(B)/bench_setlookup.o: bench/setlookup.c bpf_maps.h xdp_filter.h $(B)/bpf.flags | $(B)
	$(CLANG) -target bpf $(BPF_CFLAGS) -c $< -o $@

XF_SETBENCH_SRCS := bench/setbench.c $(LOAD_SRCS) $(STORE_SRCS)
$(B)/xf_setbench: $(XF_SETBENCH_SRCS) $(TESTLIB_HDRS) $(STORE_HDRS) src/xf_plist.h | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XF_SETBENCH_SRCS) -o $@ $(LDFLAGS) $(LDLIBS)
