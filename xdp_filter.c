// SPDX-License-Identifier: GPL-2.0
/* xdp_filter.c - drop TCP/UDP packets whose destination port has a rule.
 *
 * Policy (DESIGN.md, "Rule semantics"): a TCP or UDP packet whose
 * (protocol, destination port) has a rule is dropped, everything else
 * passes. Non-IP frames, other L4 protocols and later fragments pass; a
 * truncated or invalid Ethernet/VLAN/IP/TCP/UDP header is dropped. Every
 * packet is counted under one reason in xf_stats; a rule drop is also
 * counted in the rule's own slot of xf_rcount.
 */
#include <linux/bpf.h>
#include "xdp_filter.h"
#include "parsing.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_RULE_SLOTS);
	__type(key, __u32);
	__type(value, struct xf_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_RULE_SLOTS);
	__type(key, __u32);
	__type(value, struct xf_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_rcount SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_R_MAX);
	__type(key, __u32);
	__type(value, struct xf_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xf_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_config SEC(".maps");

#ifdef XF_DEBUG
/* make DEBUG=1: one trace_pipe line per dropped packet. */
#define xf_debug(fmt, ...) bpf_printk("xdp_filter: " fmt, ##__VA_ARGS__)
#else
#define xf_debug(fmt, ...) do { } while (0)
#endif

static __always_inline void count(struct xf_count *c, __u64 bytes)
{
	if (c) {			/* per-CPU slot: no atomics needed */
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int verdict(__u32 reason, __u64 bytes, int action)
{
	count(bpf_map_lookup_elem(&xf_stats, &reason), bytes);
	if (reason == XF_R_MALFORMED)
		xf_debug("drop malformed len %llu", bytes);
	return action;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xf_rule *rule;
	__u32 slot, pidx;
	int reason, l4;
	__be16 dport;

	reason = parse_frame(data, data_end, &l4, &dport);
	if (reason != XF_R_PASSED)			/* see parse_frame() */
		return verdict(reason, bytes,
			       xf_reason_drops(reason) ? XDP_DROP : XDP_PASS);

	pidx = l4 == IPPROTO_TCP ? XF_P_TCP : XF_P_UDP;
	slot = xf_slot(pidx, bpf_ntohs(dport));
	rule = bpf_map_lookup_elem(&xf_rules, &slot);
	if (!rule || !(rule->flags & XF_RULE_DROP))
		return verdict(XF_R_PASSED, bytes, XDP_PASS);	/* no rule: pass */

	count(bpf_map_lookup_elem(&xf_rcount, &slot), bytes);
	xf_debug("drop %s dport %u len %llu", pidx == XF_P_TCP ? "tcp" : "udp",
		 bpf_ntohs(dport), bytes);
	return verdict(XF_R_DROPPED, bytes, XDP_DROP);		/* rule matched */
}

char LICENSE[] SEC("license") = "GPL";
