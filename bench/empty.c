// SPDX-License-Identifier: GPL-2.0
/* empty.c - the benchmark floor: an XDP program that does nothing. Its
 * ns/packet is what BPF_PROG_TEST_RUN itself costs per repetition (loop,
 * timer, dispatch), so every other program is reported over it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
