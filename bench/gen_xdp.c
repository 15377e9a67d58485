// SPDX-License-Identifier: GPL-2.0
/* gen_xdp.c - the transmit half of xf_gen (bench/gen.c), the end-to-end
 * benchmark's traffic generator. xf_gen runs this program through
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES and a repeat count: in
 * that mode the kernel honours the verdict, and XDP_TX becomes a redirect
 * out of ctx->ingress_ifindex (the sending veth), so each repetition puts
 * one copy of the crafted frame on the wire towards the receiver.
 *
 * xf_gen never writes the frame, so the kernel's page pool hands the same
 * initialised page back without copying the data again. xf_gen_src, the
 * program xf_gen --sources N runs instead, rewrites each frame's IPv4
 * source to base + (n mod nsrc) * step (gen_cfg; n counts the frames
 * sent): the page keeps what the last run wrote, so the source is
 * written whole and both checksums (IPv4's, and TCP's over its
 * pseudo-header) are updated from the page's old source to the new one
 * (RFC 1624), whatever that was. xf_gen runs on one CPU, so the counter needs no atomics.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct gen_cfg {
	__u32	nsrc;		/* sources to rotate over; 0, 1: leave it */
	__u32	base;		/* the first source, host byte order */
	__u64	n;		/* frames so far */
	__u32	step;		/* between sources; 0 means 1 */
	__u32	pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} gen_cfg SEC(".maps");

/* RFC 1624: the checksum *sum after a 32-bit word changed from old to
 * new (both in network order). */
static __always_inline void csum_replace4(__u16 *sum, __u32 old, __u32 new)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~old + (__u16)~(old >> 16);
	s += (__u16)new + (__u16)(new >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	*sum = (__u16)~s;
}

SEC("xdp")
int xf_gen(struct xdp_md *ctx)
{
	return XDP_TX;			/* live frames: out of ingress_ifindex */
}

SEC("xdp")
int xf_gen_src(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 zero = 0, old, new;
	struct gen_cfg *c;
	__u16 *l4sum;

	c = bpf_map_lookup_elem(&gen_cfg, &zero);
	if (!c || c->nsrc <= 1)
		return XDP_TX;
	if ((void *)(ip + 1) > data_end || ip->ihl != 5)
		return XDP_TX;
	new = bpf_htonl(c->base + (__u32)(c->n++ % c->nsrc) *
			(c->step ? c->step : 1));
	old = ip->saddr;
	ip->saddr = new;
	csum_replace4(&ip->check, old, new);
	if (ip->protocol == IPPROTO_TCP) {
		l4sum = (void *)(ip + 1) + 16;
		if ((void *)(l4sum + 1) > data_end)
			return XDP_TX;
		csum_replace4(l4sum, old, new);
	}
	/* UDP: xf_gen sends it with checksum 0 (none), which stays right */
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
