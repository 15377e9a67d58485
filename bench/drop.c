// SPDX-License-Identifier: GPL-2.0
/* drop.c - the end-to-end floor: an XDP program that drops every frame
 * without reading it. No filter can drop faster on the same hook, so the
 * end-to-end table reports every configuration as a ratio to this one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
