// SPDX-License-Identifier: GPL-2.0
/* hash_variant.c - xdp_filter.c with the rule table as a hash, for the
 * map-layout measurement in DESIGN.md ("Maps"). Benchmark only, never
 * attached.
 *
 * Everything but the rule lookup is the product's: parsing.h, the verdict
 * order and the xf_stats counting. The rule table is what a hash design
 * would naturally be: one BPF_MAP_TYPE_PERCPU_HASH keyed by
 * {port, proto}, whose per-CPU value is the rule's own counter. A key's
 * presence is the drop rule, so one lookup gives both the verdict and the
 * counter slot (the product needs an ARRAY lookup plus a PERCPU_ARRAY
 * lookup for the same). Sized like the ARRAY, one entry per possible rule.
 */
#include <linux/bpf.h>
#include "../xdp_filter.h"
#include "../parsing.h"
#include "hash_key.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XF_RULE_SLOTS);
	__type(key, struct xf_hkey);
	__type(value, struct xf_count);
} xf_hrules SEC(".maps");		/* not pinned: bench loads its own copy */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_R_MAX);
	__type(key, __u32);
	__type(value, struct xf_count);
} xf_stats SEC(".maps");

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
	return action;
}

SEC("xdp")
int xdp_filter_hash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xf_hkey key = {};	/* zeroed: pad is hashed too */
	struct xf_count *rule;
	int reason, l4;

	reason = parse_frame(data, data_end, &l4, &key.port);
	if (reason != XF_R_PASSED)
		return verdict(reason, bytes,
			       xf_reason_drops(reason) ? XDP_DROP : XDP_PASS);

	key.proto = l4;
	rule = bpf_map_lookup_elem(&xf_hrules, &key);
	if (!rule)
		return verdict(XF_R_PASSED, bytes, XDP_PASS);	/* no rule: pass */

	count(rule, bytes);		/* the rule's own per-CPU counter */
	return verdict(XF_R_DROPPED, bytes, XDP_DROP);		/* rule matched */
}

char LICENSE[] SEC("license") = "GPL";
