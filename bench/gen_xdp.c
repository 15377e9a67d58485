// SPDX-License-Identifier: GPL-2.0
/* gen_xdp.c - the transmit half of xf_gen (bench/gen.c), the end-to-end
 * benchmark's traffic generator. xf_gen runs this program through
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES and a repeat count: in
 * that mode the kernel honours the verdict, and XDP_TX becomes a redirect
 * out of ctx->ingress_ifindex (the sending veth), so each repetition puts
 * one copy of the crafted frame on the wire towards the receiver.
 *
 * The frame is never written, so the kernel's page pool hands the same
 * initialised page back without copying the data again.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xf_gen(struct xdp_md *ctx)
{
	return XDP_TX;			/* live frames: out of ingress_ifindex */
}

char LICENSE[] SEC("license") = "GPL";
