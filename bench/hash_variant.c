// SPDX-License-Identifier: GPL-2.0
/* hash_variant.c - xdp_filter.c with the port-rule table as a hash, for the
 * map-layout measurement in DESIGN.md ("Maps"). Benchmark only, never
 * attached.
 *
 * Everything but the port-rule lookup is the product's full tier (ABI v5):
 * parsing.h's xf_parse_frame(), the xf_config lookup and the read of the
 * active rule set, the prefix check (skipped, like the product's, when the
 * set counts no prefixes), destination then source port, and one counter
 * per packet (the rule's, or the reason's). Deny policy only: the bench
 * measures it with no other. The port-rule table is what a hash design would
 * naturally be: one BPF_MAP_TYPE_PERCPU_HASH keyed by {port, proto, dir},
 * whose per-CPU value is the rule's own counter. A key's presence is the
 * rule, so one lookup gives both the match and the counter slot (the
 * product needs an ARRAY lookup plus a PERCPU_ARRAY lookup for the same).
 * Sized like one rule set of the product's xf_ports, one entry per
 * possible port slot; it has no second set (the bench fills set 0 only),
 * and no drop log.
 */
#include <stdbool.h>		/* bpf_maps.h's xf_set_has() */
#include <linux/bpf.h>
#include "../xdp_filter.h"
#include "../bpf_maps.h"	/* the product's maps and counting */
#include "../parsing.h"
#include "hash_key.h"

/* The benchmark clears every pin path: it loads its own copy. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XF_PORT_SLOTS);
	__type(key, struct xf_hkey);
	__type(value, struct xf_count);
} xf_hrules SEC(".maps");

/* The rule's per-CPU counter for (dir, proto, port), or NULL. */
static __always_inline struct xf_count *port_rule(__u8 dir, int l4,
						  __be16 port)
{
	struct xf_hkey key = { .port = port, .proto = l4, .dir = dir };

	return bpf_map_lookup_elem(&xf_hrules, &key);
}

/* The product's prefix step with the trie value as the match (the bench
 * fills no prefixes into this object: only the "nothing to look up" branch
 * runs, as in the product with no prefix rules). */
static __always_inline int prefix_match(struct xf_pkt *pkt,
					const struct xf_set *set, __u32 nset,
					void *data_end)
{
	struct xf_pfx *pfx = xf_prefix_lookup(pkt->family, pkt->saddr, set,
					      nset, data_end);

	return pfx && pfx->any_id;
}

SEC("xdp")
int xdp_filter_hash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xf_frame fr = { .ctx = ctx, .data = data, .len = bytes };
	struct xf_count *rule = NULL;
	struct xf_pkt pkt = {};
	struct xf_config *cfg;
	struct xf_set *set;
	__u32 zero = 0, nset;
	int reason, match;

	reason = xf_parse_frame(&fr, data, data_end, &pkt);
	if (reason == XF_R_MALFORMED)
		return xf_reason(reason, bytes, XDP_DROP);
	if (reason == XF_R_NON_IP)
		return xf_reason(reason, bytes, XDP_PASS);
	cfg = bpf_map_lookup_elem(&xf_config, &zero);
	if (!cfg)
		return xf_reason(reason, bytes, XDP_PASS);
	nset = *(volatile __u32 *)&cfg->set & 1;	/* as the product */
	set = &cfg->sets[nset];

	match = prefix_match(&pkt, set, nset, data_end);
	if (!match && reason == XF_R_PASSED) {
		rule = port_rule(XF_DIR_DST, pkt.l4, pkt.dport);
		if (!rule && set->nsrc)	/* as the product: none, no lookup */
			rule = port_rule(XF_DIR_SRC, pkt.l4, pkt.sport);
		match = rule != NULL;
	}
	if (!match)
		return xf_reason(reason, bytes, XDP_PASS);
	xf_count_add(rule, bytes);	/* the rule's own per-CPU counter */
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
