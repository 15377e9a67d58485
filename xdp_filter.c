// SPDX-License-Identifier: GPL-2.0
/* xdp_filter.c - the decisions: drop or allow TCP/UDP packets by port,
 * protocol and source prefix, at the XDP hook, in each feature tier.
 *
 * Policy (DESIGN.md, "Rule semantics"): a packet matches when the longest
 * source prefix that has rules matches it (all of it, or its port), or when
 * a port rule matches its destination or source port. Deny policy (the
 * default): a match drops, the rest passes. Allow policy: for TCP and UDP,
 * only new flows (TCP SYN without ACK, UDP) are gated: a match passes, UDP
 * to the ephemeral range and DHCP pass, the rest drops; other TCP segments,
 * ICMP and everything not TCP/UDP pass. The stateful allow policy (the
 * state tier) asks the kernel's conntrack instead of passing TCP past its
 * SYN and UDP to the ephemeral range: an unlisted flow passes only when
 * conntrack knows it, in either direction. In all, non-IP frames pass and a
 * truncated or invalid header drops. Each packet moves one counter: its
 * rule's, or its reason's (struct xf_count in xdp_filter.h).
 *
 * Feature tiers (xdp_filter.h): each interface runs the tier user space
 * made active, through its pinned BPF link (src/xf_links.c); xdp_filter,
 * for an interface attached with ip(8), tail-calls that tier, or is the
 * full filter itself while no tier is. The lighter tiers are the same
 * decisions for what they serve, with their rule set built in.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include "xdp_filter.h"
#include "bpf_maps.h"
#include "parsing.h"
#include "conntrack.h"

#ifdef XF_DEBUG
/* make DEBUG=1: one trace_pipe line per dropped packet. */
#define xf_debug(fmt, ...) bpf_printk("xdp_filter: " fmt, ##__VA_ARGS__)
#define l4_name(l4) ((l4) == IPPROTO_TCP ? "tcp" : \
		     (l4) == IPPROTO_UDP ? "udp" : "ip")
#else
#define xf_debug(fmt, ...) do { } while (0)
#endif

/* Rule id that matches the packet's source prefix, or 0. Only the longest
 * prefix with rules is consulted: it wins outright. */
static __always_inline __u32 prefix_rule(const struct xf_pkt *pkt, bool ports,
					 __u32 pidx, const struct xf_set *s,
					 __u32 set, void *data_end)
{
	struct xf_pfx *pfx = xf_prefix_lookup(pkt->family, pkt->saddr, s, set,
					      data_end);
	__u32 id;

	if (!pfx)
		return 0;			/* no prefix rules: fast path */
	if (pfx->any_id)
		return pfx->any_id;
	if (!ports)
		return 0;
	id = xf_prefix_port_rule(pfx->prefix_id, set, XF_DIR_DST, pidx,
				 pkt->dport);
	if (!id)
		id = xf_prefix_port_rule(pfx->prefix_id, set, XF_DIR_SRC, pidx,
					 pkt->sport);
	return id;
}

/* What set_rule() needs of a packet, copied out of it: a global function
 * takes no packet pointers. */
struct xf_setq {
	__u8	addr[16];	/* the source, network order; IPv4 in the first 4 */
	__u32	family;		/* 4 or 6 */
	__u32	ports;		/* 1: TCP/UDP with ports parsed */
	__u32	pidx;		/* XF_P_TCP or XF_P_UDP */
	__u32	set;		/* the rule set */
	__u32	mask;		/* its setmask */
	__u32	setver;		/* xf_config.setver */
	__be16	dport;
	__be16	sport;
};

/* Rule id of source set number i's rules in rule set `set` for a packet
 * whose source is in set i: its "any" rule, or its rule for the packet's
 * port (ports: TCP/UDP with ports parsed), or 0. */
static __always_inline __u32 set_ref_rule(__u32 i, __u32 set, bool ports,
					  __u32 pidx, __be16 dport,
					  __be16 sport)
{
	__u32 key = (set & 1) * XF_MAX_SETS + i, id;
	struct xf_pfx *ref = bpf_map_lookup_elem(&xf_sref, &key);

	if (!ref)
		return 0;
	if (ref->any_id || !ports)
		return ref->any_id;
	id = xf_prefix_port_rule(ref->prefix_id, set & 1, XF_DIR_DST,
				 pidx & 1, dport);
	if (!id)
		id = xf_prefix_port_rule(ref->prefix_id, set & 1, XF_DIR_SRC,
					 pidx & 1, sport);
	return id;
}

/* Rule id of the source sets that match the packet q, or 0: the sets its
 * rule set's rules name (mask), in the order of their numbers; the first
 * set that holds the source and has a rule for the packet (all of it, or
 * its port) decides. A global function: the verifier checks its loop once,
 * not once for each way the caller reaches it. */
__noinline __u32 set_rule(const struct xf_setq *q)
{
	__u32 id;

	if (!q)
		return 0;
	/* up to the highest set named: most rule sets name one or two */
	for (__u32 i = 0; i < XF_MAX_SETS && q->mask >> i; i++) {
		if (!((q->mask >> i) & 1))
			continue;
		if (!xf_set_has(xf_set_slot_of(i, q->setver >> i), q->family,
				q->addr, (void *)q->addr + sizeof(q->addr)))
			continue;
		id = set_ref_rule(i, q->set, q->ports, q->pidx, q->dport,
				  q->sport);
		if (id)
			return id;
	}
	return 0;
}

/* The source sets' rule for the packet (set_rule()), or 0. */
static __always_inline __u32 source_set_rule(const struct xf_pkt *pkt,
					     bool ports, __u32 pidx,
					     const struct xf_set *s, __u32 set,
					     __u32 setver, void *data_end)
{
	struct xf_setq q = { .family = pkt->family, .ports = ports,
			     .pidx = pidx, .set = set, .mask = s->setmask,
			     .setver = setver, .dport = pkt->dport,
			     .sport = pkt->sport };

	if (pkt->family == 4 && pkt->saddr + 4 <= data_end)
		__builtin_memcpy(q.addr, pkt->saddr, 4);
	else if (pkt->family == 6 && pkt->saddr + 16 <= data_end)
		__builtin_memcpy(q.addr, pkt->saddr, 16);
	else
		return 0;
	return set_rule(&q);
}

/* The set tier's source_set_rule(): a rule set that names one set (the
 * common case: a blocklist) looks it up inline, straight from the packet,
 * by the number user space wrote (setfirst: computing it here costs more
 * than the lookup); several sets go through set_rule(), as in the full
 * tier, and so does a packet that read setmask and setfirst across a
 * change of both (the mask it read decides). */
static __always_inline __u32 tier_set_rule(const struct xf_pkt *pkt,
					   bool ports, __u32 pidx,
					   const struct xf_set *s, __u32 set,
					   __u32 setver, void *data_end)
{
	__u32 mask = s->setmask, i = s->setfirst & (XF_MAX_SETS - 1);

	if (mask != 1U << i)
		return source_set_rule(pkt, ports, pidx, s, set, setver,
				       data_end);
	if (!xf_set_has(xf_set_slot_of(i, setver >> i), pkt->family,
			pkt->saddr, data_end))
		return 0;
	if (s->setany)
		return s->setany;	/* a blocklist: no xf_sref lookup */
	return set_ref_rule(i, set, ports, pidx, pkt->dport, pkt->sport);
}

/* Allow policy, no rule matched a TCP/UDP packet: does it still pass? */
static __always_inline bool allow_unlisted(const struct xf_pkt *pkt,
					   const struct xf_set *s)
{
	__u16 dport = bpf_ntohs(pkt->dport);

	if (!pkt->new_flow)
		return true;		/* TCP past its SYN: replies, open flows */
	if (pkt->l4 != IPPROTO_UDP)
		return false;
	if (dport >= s->eph_lo && dport <= s->eph_hi)
		return true;		/* replies to the host's own requests */
	return !(s->flags & XF_CFG_NO_DHCP) &&
	       (dport == 67 || dport == 68 || dport == 546 || dport == 547);
}

/* The packet's flow as the kernel's lookups take it (source: the remote
 * end), in *t, and its size; 0 when the addresses are not in the frame
 * (cannot happen: the parser checked the IP header). */
static __always_inline __u32 flow_tuple(const struct xf_pkt *pkt,
					struct bpf_sock_tuple *t,
					void *data_end)
{
	if (pkt->family == 4 && pkt->saddr + 8 <= data_end) {
		__builtin_memcpy(&t->ipv4.saddr, pkt->saddr, 8);
		t->ipv4.sport = pkt->sport;
		t->ipv4.dport = pkt->dport;
		return sizeof(t->ipv4);
	}
	if (pkt->family == 6 && pkt->saddr + 32 <= data_end) {
		__builtin_memcpy(t->ipv6.saddr, pkt->saddr, 32);
		t->ipv6.sport = pkt->sport;
		t->ipv6.dport = pkt->dport;
		return sizeof(t->ipv6);
	}
	return 0;
}

/* Is a TCP socket of the host connected with this 4-tuple (any state but
 * listening)? What keeps a connection that conntrack never saw, opened
 * before tracking was on, working once the stateful policy is. */
static __always_inline bool sk_connected(struct xdp_md *ctx,
					 struct bpf_sock_tuple *t, __u32 sz)
{
	struct bpf_sock *sk = bpf_skc_lookup_tcp(ctx, t, sz,
						 BPF_F_CURRENT_NETNS, 0);
	bool known;

	if (!sk)
		return false;
	known = sk->state != BPF_TCP_LISTEN;
	bpf_sk_release(sk);
	return known;
}

/* Does conntrack know the flow, in either direction (the replies of the
 * host's own connections are its reply tuples)? */
static __always_inline bool ct_known(struct xdp_md *ctx, int l4,
				     struct bpf_sock_tuple *t, __u32 sz)
{
	struct bpf_ct_opts opts = { .netns_id = BPF_F_CURRENT_NETNS,
				    .l4proto = l4 };
	struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, t, sz, &opts,
					       XF_CT_OPTS_SZ);

	if (!ct)
		return false;
	bpf_ct_release(ct);
	return true;
}

/* The stateful allow policy, no rule matched a TCP/UDP packet: a new TCP
 * connection drops as policy without a lookup (a flow that a rule let in
 * still matches that rule), DHCP passes unless nodhcp, and the rest passes
 * when its flow is known: to conntrack, or for TCP to a connected socket
 * of the host. Unknown, UDP drops as policy, TCP as state. All lookups are
 * in the packet's network namespace. */
static __always_inline int stateful_verdict(struct xdp_md *ctx,
					    const struct xf_pkt *pkt,
					    const struct xf_set *s,
					    __u64 bytes, void *data_end)
{
	__u16 dport = bpf_ntohs(pkt->dport);
	bool tcp = pkt->l4 == IPPROTO_TCP;
	struct bpf_sock_tuple t = {};
	__u32 sz;

	if (pkt->new_flow && tcp)
		return xf_reason(XF_R_POLICY, bytes, XDP_DROP);
	if (!tcp && !(s->flags & XF_CFG_NO_DHCP) &&
	    (dport == 67 || dport == 68 || dport == 546 || dport == 547))
		return xf_reason(XF_R_PASSED, bytes, XDP_PASS);
	sz = flow_tuple(pkt, &t, data_end);
	if (sz && ((tcp && sk_connected(ctx, &t, sz)) ||
		   ct_known(ctx, pkt->l4, &t, sz)))
		return xf_reason(XF_R_TRACKED, bytes, XDP_PASS);
	xf_debug("drop %s dport %u %s", l4_name(pkt->l4), dport,
		 tcp ? "state" : "policy");
	return xf_reason(tcp ? XF_R_STATE : XF_R_POLICY, bytes, XDP_DROP);
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
				     __u32 id, __u64 bytes, void *data_end,
				     __u8 reason)
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
	ev->reason = reason;
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

/* GCRA (xdp_filter.h, "Rate limits"): may one more packet through the
 * bucket whose theoretical arrival time is *tat, at now? If so the packet
 * takes its token: *tat moves by one interval, by compare-and-swap against
 * the other CPUs; a packet that loses XF_LIMIT_TRIES races is refused, so
 * a bucket never lets more than its rate and burst through. */
static __always_inline bool bucket_take(__u64 *tat, __u64 now,
					const struct xf_limit *l)
{
	__u64 old = *(volatile __u64 *)tat, next, seen;

#pragma unroll
	for (int i = 0; i < XF_LIMIT_TRIES; i++) {
		next = (old > now ? old : now) + l->interval_ns;
		if (next > now + l->burst_ns)
			return false;			/* no token */
		seen = __sync_val_compare_and_swap(tat, old, next);
		if (seen == old)
			return true;
		old = seen;				/* another CPU took one */
	}
	return false;
}

/* The per-source bucket key of the packet: its source masked to the
 * rule's prefix length for its family; false when the address is not in
 * the frame (cannot happen: the parser checked the IP header). */
static __always_inline bool source_key(struct xf_lsrc_key *k,
				       const struct xf_pkt *pkt,
				       const struct xf_limit *l, void *data_end)
{
	__u64 a[2], m[2];
	__u32 a4, plen;

	if (pkt->family == 4 && pkt->saddr + 4 <= data_end) {
		plen = l->plen4 > 32 ? 32 : l->plen4;
		__builtin_memcpy(&a4, pkt->saddr, 4);
		a4 = plen ? a4 & bpf_htonl(~0U << (32 - plen)) : 0;
		__builtin_memcpy(k->addr, &a4, 4);
		return true;
	}
	if (pkt->family != 6 || pkt->saddr + 16 > data_end)
		return false;
	plen = l->plen6 > 128 ? 128 : l->plen6;
	m[0] = plen >= 64 ? ~0ULL : plen ? ~0ULL << (64 - plen) : 0;
	m[1] = plen <= 64 ? 0 : plen == 128 ? ~0ULL : ~0ULL << (128 - plen);
	__builtin_memcpy(a, pkt->saddr, 16);
	a[0] &= __builtin_bswap64(m[0]);		/* network order */
	a[1] &= __builtin_bswap64(m[1]);
	__builtin_memcpy(k->addr, a, 16);
	return true;
}

/* The per-source bucket of the packet for limit rule rid: takes a token
 * from it, making it (full, less this packet's token) when the source is
 * new. No per-source table (cannot happen: user space makes it before a
 * slot points at the rule): no token. */
static __always_inline bool source_take(const struct xf_pkt *pkt, __u32 rid,
					const struct xf_limit *l, __u64 now,
					void *data_end)
{
	struct xf_lsrc_key key = { .rule = rid, .gen = l->gen,
				   .family = pkt->family };
	struct xf_lsrc fresh = { .tat = now + l->interval_ns }, *b;
	__u32 zero = 0;
	void *table = bpf_map_lookup_elem(&xf_lsrc, &zero);

	if (!table || !source_key(&key, pkt, l, data_end))
		return false;
	b = bpf_map_lookup_elem(table, &key);
	if (b)
		return bucket_take(&b->tat, now, l);
	if (!bpf_map_update_elem(table, &key, &fresh, BPF_NOEXIST))
		return true;				/* a new source */
	b = bpf_map_lookup_elem(table, &key);	/* another CPU made it */
	return b && bucket_take(&b->tat, now, l);
}

/* A packet that limit rule id matched (DESIGN.md, "Rate limits"): a new
 * TCP flow or a UDP datagram passes as the rule's while its bucket has a
 * token, and drops as limited beyond; another TCP segment takes no token
 * and passes as the rule's, or with stateful (the stateful allow policy
 * in the state tier) is judged as if no rule matched: -1. */
static __always_inline int limit_verdict(struct xdp_md *ctx,
					 const struct xf_pkt *pkt, __u32 id,
					 __u64 bytes, bool stateful,
					 void *data_end)
{
	__u32 rid = id & XF_ID_MASK;
	struct xf_limit *l;
	bool ok = true;
	__u64 now;

	if (pkt->l4 == IPPROTO_TCP && !pkt->new_flow) {
		if (stateful)
			return -1;
	} else {
		ok = false;			/* no entry: cannot happen */
		l = bpf_map_lookup_elem(&xf_limit, &rid);
		if (l) {
			now = l->coarse ? bpf_ktime_get_coarse_ns() :
					  bpf_ktime_get_ns();
			ok = l->per_source ?
			     source_take(pkt, rid, l, now, data_end) :
			     bucket_take(&l->tat, now, l);
		}
	}
	if (ok) {
		xf_count_rule(id, bytes);
		return xf_reason(XF_R_ALLOWED, bytes, XDP_PASS);
	}
	xf_count_add(bpf_map_lookup_elem(&xf_rlimited, &rid), bytes);
	xf_debug("drop %s dport %u rule %u limited", l4_name(pkt->l4),
		 bpf_ntohs(pkt->dport), rid);
	if (id & XF_ID_LOG)
		log_drop(ctx, pkt, rid, bytes, data_end, XF_R_LIMITED);
	return xf_reason(XF_R_LIMITED, bytes, XDP_DROP);
}

/* The full tier: the rule set xf_config names (read once per packet:
 * apply switches it with one write, so the packet sees one whole set),
 * prefixes, the allow policy, the drop log. fast: the fast path for the
 * common frames before the strict parser (xf_full); xdp_filter's own copy,
 * which runs only while no tier is active, has the strict parser alone,
 * which the verifier checks in half the steps. ct: the state tier, which
 * asks conntrack when the set's allow policy is stateful; without it a
 * stateful set is gated as a stateless one (only until user space has
 * moved the interfaces to the state tier, see xf_tiers.c). */
static __always_inline int filter_full(struct xdp_md *ctx, const bool fast,
				       const bool ct)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct xf_frame fr = { .ctx = ctx, .data = data,
			       .len = data_end - data };
	struct xf_pkt pkt = {};
	struct xf_config *cfg;
	struct xf_set *s;
	__u32 zero = 0, id = 0, pidx, set;
	bool stateful;
	__u64 bytes;
	int reason, verdict;

	reason = fast ? xf_parse_frame(&fr, data, data_end, &pkt) :
			xf_parse_strict(&fr, data, data_end, &pkt);
	if (reason == XF_R_NON_IP)	/* the only frames whose length no */
		fr.len = bpf_xdp_get_buff_len(ctx);	/* header told */
	bytes = fr.len;
	if (reason == XF_R_MALFORMED) {
		xf_debug("drop malformed len %llu", bytes);
		return xf_reason(reason, bytes, XDP_DROP);	/* cut or invalid */
	}
	if (reason == XF_R_NON_IP)
		return xf_reason(reason, bytes, XDP_PASS);	/* ARP, 3rd tag, ... */
	cfg = bpf_map_lookup_elem(&xf_config, &zero);
	if (!cfg)
		return xf_reason(reason, bytes, XDP_PASS);	/* cannot happen */
	set = *(volatile __u32 *)&cfg->set & 1;
	s = &cfg->sets[set];

	pidx = pkt.l4 == IPPROTO_TCP ? XF_P_TCP : XF_P_UDP;
	if (s->setmask)				/* most rule sets have none */
		id = source_set_rule(&pkt, reason == XF_R_PASSED, pidx, s,
				     set, cfg->setver, data_end);
	if (!id)
		id = prefix_rule(&pkt, reason == XF_R_PASSED, pidx, s, set,
				 data_end);
	if (!id && reason == XF_R_PASSED) {
		id = xf_port_rule(set, XF_DIR_DST, pidx, pkt.dport);
		if (!id && s->nsrc)		/* most rule sets have none */
			id = xf_port_rule(set, XF_DIR_SRC, pidx, pkt.sport);
	}
	stateful = ct && (s->flags & XF_CFG_STATEFUL) &&
		   (s->flags & XF_CFG_ALLOW);
	if (id & XF_ID_LIMIT) {
		verdict = limit_verdict(ctx, &pkt, id, bytes, stateful,
					data_end);
		if (verdict >= 0)
			return verdict;
		id = 0;				/* judged as unlisted */
	}
	if (!(s->flags & XF_CFG_ALLOW)) {
		if (!id)
			return xf_reason(reason, bytes, XDP_PASS); /* no rule */
		xf_count_rule(id, bytes);
		xf_debug("drop %s dport %u rule %u", l4_name(pkt.l4),
			 bpf_ntohs(pkt.dport), id & XF_ID_MASK);
		if (id & XF_ID_LOG)
			log_drop(ctx, &pkt, id & XF_ID_MASK, bytes, data_end,
				 XF_R_DROPPED);
		return XDP_DROP;				/* deny rule */
	}
	if (id) {
		xf_count_rule(id, bytes);
		return xf_reason(XF_R_ALLOWED, bytes, XDP_PASS); /* allow rule */
	}
	if (reason != XF_R_PASSED)
		return xf_reason(reason, bytes, XDP_PASS);	/* not gated */
	if (stateful)
		return stateful_verdict(ctx, &pkt, s, bytes, data_end);
	if (allow_unlisted(&pkt, s))
		return xf_reason(reason, bytes, XDP_PASS);	/* stateless */
	xf_debug("drop %s dport %u policy", l4_name(pkt.l4),
		 bpf_ntohs(pkt.dport));
	return xf_reason(XF_R_POLICY, bytes, XDP_DROP);	/* unlisted flow */
}

/* The lighter tiers' parser: the common frames through the fast path;
 * every other frame goes to the full tier (of the single-buffer twins when
 * sb), and a return here cannot happen. */
static __always_inline int parse_light(struct xdp_md *ctx, void *data,
				       void *data_end, struct xf_pkt *pkt,
				       const bool sb)
{
	int reason = xf_parse_fast(data, data_end, pkt);

	if (reason >= 0)
		return reason;
	if (sb)
		bpf_tail_call(ctx, &xf_progs_sb, XF_PROG_FULL_SLOT);
	else
		bpf_tail_call(ctx, &xf_progs, XF_PROG_FULL_SLOT);
	return -1;		/* cannot happen: user space makes a lighter
				 * tier active only with the full tier's
				 * program loaded */
}

/* A lighter tier's verdict on a packet of rule id (0: none), deny policy. */
static __always_inline int deny_verdict(const struct xf_pkt *pkt, __u32 id,
					int reason, __u64 bytes)
{
	if (!id)
		return xf_reason(reason, bytes, XDP_PASS);	/* no rule */
	xf_count_rule(id, bytes);
	xf_debug("drop %s dport %u rule %u", l4_name(pkt->l4),
		 bpf_ntohs(pkt->dport), id & XF_ID_MASK);
	return XDP_DROP;					/* deny rule */
}

/* The port tiers: rule set `set`, built in; deny policy; destination
 * port rules, and source port rules when src. */
static __always_inline int filter_ports(struct xdp_md *ctx, const __u32 set,
					const bool src, const bool sb)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xf_pkt pkt = {};
	__u32 id, pidx;
	int reason;

	reason = parse_light(ctx, data, data_end, &pkt, sb);
	if (reason < 0)
		return XDP_ABORTED;
	if (reason == XF_R_MALFORMED) {
		xf_debug("drop malformed len %llu", bytes);
		return xf_reason(reason, bytes, XDP_DROP);	/* cut or invalid */
	}
	if (reason != XF_R_PASSED)
		return xf_reason(reason, bytes, XDP_PASS); /* no ports: pass */
	pidx = pkt.l4 == IPPROTO_TCP ? XF_P_TCP : XF_P_UDP;
	id = xf_port_rule(set, XF_DIR_DST, pidx, pkt.dport);
	if (!id && src)
		id = xf_port_rule(set, XF_DIR_SRC, pidx, pkt.sport);
	return deny_verdict(&pkt, id, reason, bytes);
}

/* The set tier: rule set `set`, built in; deny policy, port rules and
 * rules from source sets, consulted in the full tier's order (sets, then
 * ports). */
static __always_inline int filter_sets(struct xdp_md *ctx, const __u32 set,
				       const bool sb)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = data_end - data;
	struct xf_pkt pkt = {};
	struct xf_config *cfg;
	struct xf_set *s;
	__u32 zero = 0, id = 0, pidx;
	int reason;

	reason = parse_light(ctx, data, data_end, &pkt, sb);
	if (reason < 0)
		return XDP_ABORTED;
	if (reason == XF_R_MALFORMED) {
		xf_debug("drop malformed len %llu", bytes);
		return xf_reason(reason, bytes, XDP_DROP);	/* cut or invalid */
	}
	cfg = bpf_map_lookup_elem(&xf_config, &zero);
	if (!cfg)
		return xf_reason(reason, bytes, XDP_PASS);	/* cannot happen */
	s = &cfg->sets[set];
	pidx = pkt.l4 == IPPROTO_TCP ? XF_P_TCP : XF_P_UDP;
	if (s->setmask)
		id = tier_set_rule(&pkt, reason == XF_R_PASSED, pidx, s, set,
				   cfg->setver, data_end);
	if (!id && reason == XF_R_PASSED) {
		id = xf_port_rule(set, XF_DIR_DST, pidx, pkt.dport);
		if (!id && s->nsrc)
			id = xf_port_rule(set, XF_DIR_SRC, pidx, pkt.sport);
	}
	return deny_verdict(&pkt, id, reason, bytes);
}

/* What an interface attached with ip(8) runs in native mode: the active
 * tier, or else the full filter. It comes first, so "ip link ... obj xdp_filter.o sec
 * xdp.frags" picks it. The programs declare multi-buffer support
 * (xdp.frags: native XDP on a jumbo MTU), and all that tail-call each
 * other must; user space loads the tiers single-buffer a second time for
 * xdp_filter_sb. */
SEC("xdp.frags")
int xdp_filter(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &xf_progs, XF_PROG_ACTIVE);
	return filter_full(ctx, false, false);		/* no tier active: all of it */
}

/* The same, single-buffer, for generic mode (xdp_filter.h). */
SEC("xdp")
int xdp_filter_sb(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &xf_progs_sb, XF_PROG_ACTIVE);
	return filter_full(ctx, false, false);
}

/* A tier program in section xdp.frags, and its single-buffer twin NAME_sb
 * in section xdp (XF_PROG_NAMES, XF_PROG_NAMES_SB). */
#define XF_TIER(name, call, call_sb)					\
	SEC("xdp.frags")						\
	int name(struct xdp_md *ctx)					\
	{								\
		return call;						\
	}								\
	SEC("xdp")							\
	int name##_sb(struct xdp_md *ctx)				\
	{								\
		return call_sb;						\
	}

XF_TIER(xf_full, filter_full(ctx, true, false),
	filter_full(ctx, true, false))
XF_TIER(xf_state, filter_full(ctx, true, true), filter_full(ctx, true, true))
XF_TIER(xf_dst_s0, filter_ports(ctx, 0, false, false),
	filter_ports(ctx, 0, false, true))
XF_TIER(xf_dst_s1, filter_ports(ctx, 1, false, false),
	filter_ports(ctx, 1, false, true))
XF_TIER(xf_ports_s0, filter_ports(ctx, 0, true, false),
	filter_ports(ctx, 0, true, true))
XF_TIER(xf_ports_s1, filter_ports(ctx, 1, true, false),
	filter_ports(ctx, 1, true, true))
XF_TIER(xf_sets_s0, filter_sets(ctx, 0, false), filter_sets(ctx, 0, true))
XF_TIER(xf_sets_s1, filter_sets(ctx, 1, false), filter_sets(ctx, 1, true))

char LICENSE[] SEC("license") = "GPL";
