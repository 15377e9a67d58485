// SPDX-License-Identifier: GPL-2.0
/* xdp_filter.c - drop or allow TCP/UDP packets by port, protocol and
 * source prefix, at the XDP hook.
 *
 * Policy (DESIGN.md, "Rule semantics"): a packet matches when the longest
 * source prefix that has rules matches it (all of it, or its port), or when
 * a port rule matches its destination or source port. Deny policy (the
 * default): a match drops, the rest passes. Allow policy: for TCP and UDP,
 * only new flows (TCP SYN without ACK, UDP) are gated: a match passes, UDP
 * to the ephemeral range and DHCP pass, the rest drops; other TCP segments,
 * ICMP and everything not TCP/UDP pass. In both, non-IP frames pass and a
 * truncated or invalid header drops. Every packet is counted under one
 * reason in xf_stats, and a matching rule also in its xf_rcount slot.
 */
#include <linux/bpf.h>
#include "xdp_filter.h"
#include "bpf_maps.h"
#include "parsing.h"

#ifdef XF_DEBUG
/* make DEBUG=1: one trace_pipe line per dropped packet. */
#define xf_debug(fmt, ...) bpf_printk("xdp_filter: " fmt, ##__VA_ARGS__)
#else
#define xf_debug(fmt, ...) do { } while (0)
#endif

/* Rule id of the port slot (dir, proto, port) of rule set nset, or 0. */
static __always_inline __u32 port_rule(__u32 nset, __u32 dir, __u32 pidx,
				       __be16 port)
{
	__u32 slot = xf_set_slot(nset, xf_slot(dir, pidx, bpf_ntohs(port)));
	struct xf_port *p = bpf_map_lookup_elem(&xf_ports, &slot);

	return p ? p->id : 0;
}

/* Rule id of a prefix's port slot in rule set nset, or 0. */
static __always_inline __u32 pport_rule(__u32 prefix_id, __u32 nset, __u32 dir,
					__u32 pidx, __be16 port)
{
	struct xf_pport key = {
		.prefix_id = prefix_id,
		.slot = xf_set_slot(nset, xf_slot(dir, pidx, bpf_ntohs(port))),
	};
	struct xf_port *p = bpf_map_lookup_elem(&xf_pports, &key);

	return p ? p->id : 0;
}

/* Rule id that matches the packet's source prefix, or 0. Only the longest
 * prefix with rules is consulted: it wins outright. */
static __always_inline __u32 prefix_rule(struct xf_pkt *pkt, int has_ports,
					 __u32 pidx, const struct xf_set *set,
					 __u32 nset, void *data_end)
{
	struct xf_pfx *pfx = prefix_lookup(pkt, set, nset, data_end);
	__u32 id;

	if (!pfx)
		return 0;			/* no prefix rules: fast path */
	if (pfx->any_id)
		return pfx->any_id;
	if (!has_ports)
		return 0;
	id = pport_rule(pfx->prefix_id, nset, XF_DIR_DST, pidx, pkt->dport);
	if (!id)
		id = pport_rule(pfx->prefix_id, nset, XF_DIR_SRC, pidx, pkt->sport);
	return id;
}

/* An event the drop log could not send: counted in total, and for the
 * rule's next event. */
static __always_inline void log_suppressed(struct xf_rlog *b)
{
	__sync_fetch_and_add(&b->suppressed, 1);
	__sync_fetch_and_add(&b->unreported, 1);
}

/* Drop log: does the token bucket of rule id let one more event out? One
 * second of tokens at most; refilled by the time since the last call. The
 * bucket is shared by the CPUs without a lock (see struct xf_rlog). */
static __always_inline int log_allowed(struct xf_rlog *b, __u64 now)
{
	__u64 full = (__u64)b->rate * 1000000000ULL, elapsed;

	elapsed = now - b->last_ns;
	if (elapsed > 1000000000ULL)
		elapsed = 1000000000ULL;	/* a full bucket at most */
	b->last_ns = now;
	b->credit += elapsed * b->rate;
	if (b->credit > full)
		b->credit = full;
	if (b->credit >= 1000000000ULL) {
		b->credit -= 1000000000ULL;
		return 1;
	}
	log_suppressed(b);
	return 0;
}

/* Sends a dropped packet of rule id to the drop log, within the rule's
 * rate; events beyond it are counted as suppressed instead. */
static __always_inline void log_drop(struct xdp_md *ctx, const struct xf_pkt *pkt,
				     __u32 id, __u64 bytes, void *data_end)
{
	struct xf_event *ev;
	struct xf_rlog *b;
	__u64 now;

	b = bpf_map_lookup_elem(&xf_rlog, &id);
	if (!b || !b->rate)
		return;
	now = bpf_ktime_get_ns();
	if (!log_allowed(b, now))
		return;
	ev = bpf_ringbuf_reserve(&xf_log, sizeof(*ev), 0);
	if (!ev) {
		log_suppressed(b);		/* the reader is too slow */
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = now;
	ev->ifindex = ctx->ingress_ifindex;
	ev->rule = id;
	ev->suppressed = __sync_lock_test_and_set(&b->unreported, 0);
	ev->len = bytes;
	ev->family = pkt->family;
	ev->l4 = pkt->l4;
	ev->sport = pkt->sport;
	ev->dport = pkt->dport;
	/* saddr and daddr are next to each other in both IP headers. */
	if (pkt->family == 4 && pkt->saddr + 8 <= data_end) {
		__builtin_memcpy(ev->saddr, pkt->saddr, 4);
		__builtin_memcpy(ev->daddr, pkt->saddr + 4, 4);
	} else if (pkt->family == 6 && pkt->saddr + 32 <= data_end) {
		__builtin_memcpy(ev->saddr, pkt->saddr, 16);
		__builtin_memcpy(ev->daddr, pkt->saddr + 16, 16);
	}
	bpf_ringbuf_submit(ev, 0);
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xf_pkt pkt = {};
	struct xf_config *cfg;
	struct xf_set *set;
	__u32 zero = 0, id = 0, pidx, nset;
	int reason;

	reason = parse_frame(data, data_end, &pkt);
	if (reason == XF_R_MALFORMED) {
		xf_debug("drop malformed len %llu", bytes);
		return verdict(reason, bytes, XDP_DROP);	/* cut or invalid */
	}
	if (reason == XF_R_NON_IP)
		return verdict(reason, bytes, XDP_PASS);	/* ARP, 3rd tag, ... */
	cfg = bpf_map_lookup_elem(&xf_config, &zero);
	if (!cfg)
		return verdict(reason, bytes, XDP_PASS);	/* cannot happen */
	/* The rule set this packet uses, read once: apply switches it with
	 * one write, so the packet sees one whole set. */
	nset = *(volatile __u32 *)&cfg->set & 1;
	set = &cfg->sets[nset];

	pidx = pkt.l4 == IPPROTO_TCP ? XF_P_TCP : XF_P_UDP;
	id = prefix_rule(&pkt, reason == XF_R_PASSED, pidx, set, nset,
			 data_end);
	if (!id && reason == XF_R_PASSED) {
		id = port_rule(nset, XF_DIR_DST, pidx, pkt.dport);
		if (!id && set->nsrc)		/* most rule sets have none */
			id = port_rule(nset, XF_DIR_SRC, pidx, pkt.sport);
	}
	if (id) {
		__u32 rid = id & XF_ID_MASK;

		count(bpf_map_lookup_elem(&xf_rcount, &rid), bytes);
	}

	if (!(set->flags & XF_CFG_ALLOW)) {
		if (!id)
			return verdict(reason, bytes, XDP_PASS); /* no rule */
		xf_debug("drop %s dport %u rule %u",
			 pkt.l4 == IPPROTO_TCP ? "tcp" :
			 pkt.l4 == IPPROTO_UDP ? "udp" : "ip",
			 bpf_ntohs(pkt.dport), id & XF_ID_MASK);
		if (id & XF_ID_LOG)
			log_drop(ctx, &pkt, id & XF_ID_MASK, bytes, data_end);
		return verdict(XF_R_DROPPED, bytes, XDP_DROP);	/* deny rule */
	}
	if (id)
		return verdict(XF_R_ALLOWED, bytes, XDP_PASS);	/* allow rule */
	if (reason != XF_R_PASSED || allow_unlisted(&pkt, set))
		return verdict(reason, bytes, XDP_PASS);	/* not gated */
	xf_debug("drop %s dport %u policy", pidx == XF_P_TCP ? "tcp" : "udp",
		 bpf_ntohs(pkt.dport));
	return verdict(XF_R_POLICY, bytes, XDP_DROP);		/* unlisted flow */
}

char LICENSE[] SEC("license") = "GPL";
