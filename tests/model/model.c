// SPDX-License-Identifier: GPL-2.0
/* model.c - the rule contract as a plain function; see model.h.
 *
 * The contract, as this file reads it:
 *
 * Parsing (DESIGN.md "Rule semantics"):
 *  - Ethernet: fewer than 14 bytes is malformed. Up to two VLAN tags
 *    (TPID 0x8100 or 0x88a8) are walked, a cut tag is malformed; a third
 *    tag is not walked, the frame is non-IP.
 *  - EtherType 0x0800 IPv4: malformed when the 20 fixed bytes do not fit,
 *    version != 4, ihl < 5, the options run past the frame, tot_len <
 *    ihl * 4, or tot_len runs past the frame. Fragment offset != 0 is a
 *    later fragment.
 *  - EtherType 0x86dd IPv6: malformed when the 40 bytes do not fit,
 *    version != 6, or 40 + payload_len runs past the frame. Hop-by-hop (0),
 *    routing (43), destination options (60), fragment (44) and AH (51) are
 *    walked, at most 8; a ninth is malformed, and so is a header that runs
 *    past the frame or past payload_len. A fragment header with offset != 0
 *    makes a later fragment; nothing after it is read.
 *  - Anything else is non-IP.
 *  - The IP length (tot_len, 40 + payload_len) bounds L4: a later fragment
 *    passes unread; TCP is malformed when its 20 bytes or doff * 4 do not
 *    fit in the IP packet, or doff < 5; UDP when its 8 bytes do not fit;
 *    another protocol is other_l4.
 *
 * Rules (xdp_filter.h, issue 3):
 *  - A port rule matches TCP or UDP (its protos) by destination or source
 *    port (its dir) in [lo, hi]; never the other protocol or direction.
 *  - Prefix rules: of the prefixes that have rules and contain the source
 *    address, only the longest is consulted. "any from PREFIX" matches
 *    every IP packet from it (fragments and other L4 too); a prefix rule
 *    with ports needs the port to match as well. When the longest prefix
 *    does not match, the plain port rules still apply.
 *  - Which rule counts, when several match: the prefix's "any" rule, then
 *    its destination-port rule, then its source-port rule, then the plain
 *    destination-port rule, then the plain source-port rule.
 *
 * Source sets (issue 16, xdp_filter.h "Source sets"): a set is a set of
 * addresses, here the union of its prefixes (a plain list, scanned). Rules
 * "any from @NAME" and "PORTS PROTO [dst|src] from @NAME" come before all
 * of the above: the sets the rules name, in the order of their numbers;
 * the first set that holds the source and has a rule for the packet (its
 * "any" rule, then its destination-port rule, then its source-port rule,
 * the same order as a prefix's) decides. A set that holds the source but
 * has no rule for the packet does not stop the search: the next set, then
 * the prefix rules, then the plain port rules. "any from @NAME" takes every
 * IP packet from the set (later fragments and other L4 too). Rules that
 * name no set never look at the sets.
 *
 * Verdict:
 *  - malformed drops; non-IP passes; both ignore the rules.
 *  - deny policy: a matching rule drops (dropped), the rest passes under
 *    its reason (passed, fragment, other_l4).
 *  - allow policy: a matching rule passes (allowed). A TCP or UDP packet
 *    that no rule matched is gated only when it opens a flow (TCP with SYN
 *    set and ACK clear, or any UDP datagram): UDP to the ephemeral range
 *    and, unless nodhcp, UDP to the DHCP/DHCPv6 ports 67, 68, 546, 547
 *    pass; the rest drops (policy). Everything else passes (passed,
 *    fragment, other_l4): replies, ICMP, NDP.
 *  - stateful allow policy (issue 14), when the program that runs is the
 *    state tier: a matching rule passes (allowed), as above. A TCP or UDP
 *    packet whose ports were parsed and that no rule matched:
 *      1. TCP with SYN set and ACK clear drops (policy), whatever is known;
 *      2. UDP to 67, 68, 546 or 547 passes (passed), unless nodhcp;
 *      3. a packet of a flow the host knows (struct xm_flow: conntrack has
 *         its tuple, either way round, or for TCP a socket of the host
 *         that is not listening has its four-tuple) passes (tracked);
 *      4. the rest drops: TCP as state, UDP as policy.
 *    The ephemeral range plays no part (a stateful set has 0-0). Later
 *    fragments, other L4, non-IP and malformed frames are as above.
 *    Any other program (the full tier, xdp_filter's own filter) gates a
 *    stateful set as the stateless allow policy, ephemeral range included.
 *
 * Rate limits (issue 15, DESIGN.md "Rate limits"): a port rule may have
 * a limit (rate N/s, burst B, optionally per source). A packet such a
 * rule decides, under either policy:
 *  - opens a flow (UDP, or TCP with SYN set and ACK clear): it asks the
 *    rule's bucket for a token (with per_source, the bucket of its source
 *    group: its family and its source masked to plen4 or plen6). GCRA,
 *    one time per bucket (tat, 0 or absent: full), interval = 1e9 / N ns
 *    (at least 1), burst = B intervals: the packet conforms when
 *    max(tat, now) + interval <= now + burst, and only then tat becomes
 *    max(tat, now) + interval. A token: it passes (allowed, the rule's);
 *    none: it drops (limited, the rule's limited count, not its own).
 *  - is any other TCP segment: it takes no token and passes as the rule's
 *    (allowed), but under the stateful allow policy in the state tier it
 *    is judged as if no rule matched (the stateful verdict above).
 */
#include <string.h>

#include "model.h"

const char *const xm_reason_names[XM_NREASONS] = {
	"passed", "dropped", "malformed", "fragment", "non_ip", "other_l4",
	"allowed", "policy", "tracked", "state", "limited",
};

struct pkt {
	int		family;		/* 4 or 6 */
	const uint8_t	*src;		/* source address */
	const uint8_t	*dst;		/* destination address */
	int		proto;		/* L4 protocol number */
	int		ports;		/* TCP or UDP header parsed */
	unsigned	sport, dport;
	int		opens;		/* UDP, or TCP SYN without ACK */
};

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Walks the frame. Returns XM_PASSED when the ports are known, else the
 * reason that stands unless a rule decides. */
static int parse(const uint8_t *f, size_t len, struct pkt *p)
{
	size_t off = 14, l3, end, hlen;
	unsigned type, nh, fo;
	int tags, later = 0, n;

	if (len < 14)
		return XM_MALFORMED;
	type = be16(f + 12);
	for (tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
		if (off + 4 > len)
			return XM_MALFORMED;
		type = be16(f + off + 2);
		off += 4;
	}
	l3 = off;
	if (type == 0x0800) {
		if (l3 + 20 > len || f[l3] >> 4 != 4)
			return XM_MALFORMED;
		hlen = (size_t)(f[l3] & 0x0f) * 4;
		if (hlen < 20 || l3 + hlen > len)
			return XM_MALFORMED;
		if (be16(f + l3 + 2) < hlen || l3 + be16(f + l3 + 2) > len)
			return XM_MALFORMED;
		end = l3 + be16(f + l3 + 2);
		p->family = 4;
		p->src = f + l3 + 12;
		p->dst = f + l3 + 16;
		p->proto = f[l3 + 9];
		later = (be16(f + l3 + 6) & 0x1fff) != 0;
		off = l3 + hlen;
	} else if (type == 0x86dd) {
		if (l3 + 40 > len || f[l3] >> 4 != 6)
			return XM_MALFORMED;
		end = l3 + 40 + be16(f + l3 + 4);
		if (end > len)
			return XM_MALFORMED;
		p->family = 6;
		p->src = f + l3 + 8;
		p->dst = f + l3 + 24;
		nh = f[l3 + 6];
		off = l3 + 40;
		for (n = 0; nh == 0 || nh == 43 || nh == 60 || nh == 44 ||
			    nh == 51; n++) {
			if (n == 8)
				return XM_MALFORMED;	/* a ninth header */
			if (nh == 44) {
				if (off + 8 > end)
					return XM_MALFORMED;
				fo = be16(f + off + 2) & 0xfff8;
				nh = f[off];
				off += 8;
				if (fo) {
					later = 1;
					break;
				}
				continue;
			}
			if (off + 2 > end)
				return XM_MALFORMED;
			hlen = nh == 51 ? ((size_t)f[off + 1] + 2) * 4 :
					  ((size_t)f[off + 1] + 1) * 8;
			if (off + hlen > end)
				return XM_MALFORMED;
			nh = f[off];
			off += hlen;
		}
		p->proto = nh;
	} else {
		return XM_NON_IP;
	}

	if (later)
		return XM_FRAGMENT;
	if (p->proto == 6) {
		if (off + 20 > end || f[off + 12] >> 4 < 5 ||
		    off + (size_t)(f[off + 12] >> 4) * 4 > end)
			return XM_MALFORMED;
		p->opens = (f[off + 13] & 0x02) && !(f[off + 13] & 0x10);
	} else if (p->proto == 17) {
		if (off + 8 > end)
			return XM_MALFORMED;
		p->opens = 1;
	} else {
		return XM_OTHER_L4;
	}
	p->ports = 1;
	p->sport = be16(f + off);
	p->dport = be16(f + off + 2);
	return XM_PASSED;
}

static int bits_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	int i;

	for (i = 0; i < bits / 8; i++)
		if (a[i] != b[i])
			return 0;
	return !(bits % 8) ||
	       !((a[i] ^ b[i]) & (uint8_t)(0xff00 >> (bits % 8)));
}

int xm_prefix_has(const struct xm_prefix *p, const uint8_t *addr)
{
	return bits_equal(p->addr, addr, p->len);
}

static int in_prefix(const struct xm_rule *r, const struct pkt *p)
{
	return r->family == p->family && bits_equal(r->addr, p->src, r->plen);
}

/* Is the packet's source in set number n? A linear scan. */
static int in_set(const struct xm_config *cfg, int n, const struct pkt *p)
{
	const struct xm_srcset *s;

	if (!cfg || !cfg->srcsets || n < 0 || n >= XM_MAX_SETS)
		return 0;
	s = &cfg->srcsets[n];
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].family == p->family &&
		    xm_prefix_has(&s->p[i], p->src))
			return 1;
	return 0;
}

static int same_prefix(const struct xm_rule *a, const struct xm_rule *b)
{
	size_t n = a->family == 4 ? 4 : 16;

	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, n);
}

/* A port rule (of whatever prefix) that matches the packet's ports. */
static int port_match(const struct xm_rule *r, const struct pkt *p, int dir)
{
	unsigned port = dir == XM_DST ? p->dport : p->sport;
	int proto = p->proto == 6 ? XM_TCP : XM_UDP;

	return !r->anyport && r->dir == dir && (r->protos & proto) &&
	       port >= r->lo && port <= r->hi;
}

/* The rule of source set number `set` (any, then dst port, then src port)
 * for the packet, or NULL. */
static const struct xm_rule *set_rule(const struct xm_rule *rules, size_t n,
				      int set, const struct pkt *p)
{
	size_t i;
	int dir;

	for (i = 0; i < n; i++)
		if (rules[i].set == set + 1 && rules[i].anyport)
			return &rules[i];
	for (dir = XM_DST; p->ports && dir <= XM_SRC; dir++)
		for (i = 0; i < n; i++)
			if (rules[i].set == set + 1 &&
			    port_match(&rules[i], p, dir))
				return &rules[i];
	return NULL;
}

/* The rule of the first source set, by number, that holds the source and
 * has a rule for the packet, or NULL. Only the sets the rules name. */
static const struct xm_rule *sets_decide(const struct xm_rule *rules, size_t n,
					 const struct xm_config *cfg,
					 const struct pkt *p)
{
	const struct xm_rule *r;
	int named[XM_MAX_SETS] = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (rules[i].set && rules[i].set <= XM_MAX_SETS)
			named[rules[i].set - 1] = 1;
	for (int set = 0; set < XM_MAX_SETS; set++) {
		if (!named[set] || !in_set(cfg, set, p))
			continue;
		r = set_rule(rules, n, set, p);
		if (r)
			return r;
	}
	return NULL;
}

/* The rule that decides the packet, or NULL. */
static const struct xm_rule *decide(const struct xm_rule *rules, size_t n,
				    const struct xm_config *cfg,
				    const struct pkt *p)
{
	const struct xm_rule *best = sets_decide(rules, n, cfg, p);
	size_t i;
	int dir;

	if (best)
		return best;
	for (i = 0; i < n; i++)
		if (rules[i].family && in_prefix(&rules[i], p) &&
		    (!best || rules[i].plen > best->plen))
			best = &rules[i];
	if (best) {
		for (i = 0; i < n; i++)
			if (rules[i].anyport && same_prefix(&rules[i], best))
				return &rules[i];
		for (dir = XM_DST; p->ports && dir <= XM_SRC; dir++)
			for (i = 0; i < n; i++)
				if (rules[i].family &&
				    same_prefix(&rules[i], best) &&
				    port_match(&rules[i], p, dir))
					return &rules[i];
	}
	for (dir = XM_DST; p->ports && dir <= XM_SRC; dir++)
		for (i = 0; i < n; i++)
			if (!rules[i].family && !rules[i].set &&
			    port_match(&rules[i], p, dir))
				return &rules[i];
	return NULL;
}

static int unlisted_passes(const struct pkt *p, const struct xm_config *cfg)
{
	if (!p->opens)
		return 1;		/* TCP past its SYN */
	if (p->proto != 17)
		return 0;		/* a new TCP connection */
	if (p->dport >= cfg->eph_lo && p->dport <= cfg->eph_hi)
		return 1;
	if (!cfg->nodhcp && (p->dport == 67 || p->dport == 68 ||
			     p->dport == 546 || p->dport == 547))
		return 1;
	return 0;
}

/* Is the packet of a flow the host knows? */
static int known(const struct pkt *p, const struct xm_config *cfg)
{
	size_t n = p->family == 4 ? 4 : 16, i;

	for (i = 0; i < cfg->nflows; i++) {
		const struct xm_flow *fl = &cfg->flows[i];

		if (fl->family != p->family || fl->proto != p->proto)
			continue;
		if (!memcmp(p->src, fl->a, n) && !memcmp(p->dst, fl->b, n) &&
		    p->sport == fl->pa && p->dport == fl->pb)
			return 1;
		if (!memcmp(p->src, fl->b, n) && !memcmp(p->dst, fl->a, n) &&
		    p->sport == fl->pb && p->dport == fl->pa)
			return 1;
	}
	return 0;
}

/* The stateful allow policy's verdict on an unlisted TCP/UDP packet. */
static void stateful(const struct pkt *p, const struct xm_config *cfg,
		     struct xm_verdict *out)
{
	int tcp = p->proto == 6;

	out->pass = 1;
	if (tcp && p->opens) {
		out->pass = 0;
		out->reason = XM_POLICY;	/* a new connection */
	} else if (!tcp && !cfg->nodhcp &&
		   (p->dport == 67 || p->dport == 68 || p->dport == 546 ||
		    p->dport == 547)) {
		out->reason = XM_PASSED;	/* DHCP */
	} else if (known(p, cfg)) {
		out->reason = XM_TRACKED;
	} else {
		out->pass = 0;
		out->reason = tcp ? XM_STATE : XM_POLICY;
	}
}

uint64_t xm_interval(const struct xm_rule *r)
{
	uint64_t i = r->rate ? 1000000000ULL / r->rate : 1;

	return i ? i : 1;
}

uint64_t xm_burst_ns(const struct xm_rule *r)
{
	return (uint64_t)r->burst * xm_interval(r);
}

/* The bucket of limit rule r that packet p asks for a token. */
static void bucket_key(const struct xm_rule *r, const struct pkt *p,
		       struct xm_bucket *k)
{
	int n = p->family == 4 ? 4 : 16, i;
	int bits = p->family == 4 ? r->plen4 : r->plen6;

	memset(k, 0, sizeof(*k));
	k->rule = r->id;
	if (!r->per_source)
		return;			/* the rule's own bucket */
	k->family = (uint8_t)p->family;
	if (bits > n * 8)
		bits = n * 8;
	for (i = 0; i < n; i++) {
		int keep = bits - i * 8;

		if (keep >= 8)
			k->addr[i] = p->src[i];
		else if (keep > 0)
			k->addr[i] = p->src[i] & (uint8_t)(0xff00 >> keep);
	}
}

static int same_bucket(const struct xm_bucket *a, const struct xm_bucket *b)
{
	return a->rule == b->rule && a->family == b->family &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Puts bucket k last in the table (the most recently used), taking it
 * out of its place, or making room for it. */
static void keep_bucket(struct xm_limits *l, const struct xm_bucket *k)
{
	size_t i;

	for (i = 0; i < l->n && !same_bucket(&l->b[i], k); i++)
		;
	if (i == l->n && l->n == XM_BUCKETS)
		i = 0;			/* full: the least recently used goes */
	else if (i == l->n)
		l->n++;
	memmove(&l->b[i], &l->b[i + 1], (l->n - 1 - i) * sizeof(l->b[0]));
	l->b[l->n - 1] = *k;
}

/* GCRA: does the packet get a token from bucket k (rule r's)? k->tat
 * becomes the bucket's time after it. */
static int take_token(struct xm_limits *l, const struct xm_rule *r,
		      struct xm_bucket *k)
{
	uint64_t now = l ? l->now : 0, tat = 0, next;
	int found = 0;

	for (size_t i = 0; l && i < l->n; i++)
		if (same_bucket(&l->b[i], k)) {
			tat = l->b[i].tat;
			found = 1;
		}
	next = (tat > now ? tat : now) + xm_interval(r);
	if (next > now + xm_burst_ns(r)) {
		k->tat = tat;			/* no token */
		if (l && found)
			keep_bucket(l, k);	/* used all the same */
		return 0;
	}
	k->tat = next;
	if (l)
		keep_bucket(l, k);
	return 1;
}

/* A packet limit rule r decided: 1 when the rule decides it (out filled),
 * 0 when it is judged as if no rule matched. */
static int limit(const struct xm_rule *r, const struct pkt *p,
		 const struct xm_config *cfg, struct xm_verdict *out)
{
	out->pass = 1;
	out->reason = XM_ALLOWED;
	if (!p->opens)			/* TCP past its SYN: no token */
		return !(cfg->allow && cfg->stateful && cfg->ct);
	out->token = 1;
	bucket_key(r, p, &out->bucket);
	if (!take_token(cfg->limits, r, &out->bucket)) {
		out->pass = 0;
		out->reason = XM_LIMITED;
	}
	return 1;
}

int xm_bucket_of(const uint8_t *frame, size_t len, const struct xm_rule *rules,
		 size_t nrules, const struct xm_config *cfg,
		 struct xm_bucket *key)
{
	struct pkt p = { 0 };
	const struct xm_rule *r;
	int reason = parse(frame, len, &p);

	if (reason == XM_MALFORMED || reason == XM_NON_IP)
		return 0;
	r = decide(rules, nrules, cfg, &p);
	if (!r || !r->rate)
		return 0;
	bucket_key(r, &p, key);
	return p.opens ? 1 : 2;
}

void xm_verdict(const uint8_t *frame, size_t len, const struct xm_rule *rules,
		size_t nrules, const struct xm_config *cfg,
		struct xm_verdict *out)
{
	struct pkt p = { 0 };
	int reason = parse(frame, len, &p);
	const struct xm_rule *r;

	memset(out, 0, sizeof(*out));
	if (reason == XM_MALFORMED || reason == XM_NON_IP) {
		out->pass = reason == XM_NON_IP;
		out->reason = reason;
		return;
	}
	r = decide(rules, nrules, cfg, &p);
	if (r && r->rate && !limit(r, &p, cfg, out))
		r = NULL;		/* judged as if no rule matched */
	if (r) {
		out->rule = r->id;
		if (!r->rate) {
			out->pass = cfg->allow;
			out->reason = cfg->allow ? XM_ALLOWED : XM_DROPPED;
		}
		return;
	}
	out->reason = reason;
	out->pass = 1;
	if (cfg->allow && cfg->stateful && cfg->ct && reason == XM_PASSED) {
		stateful(&p, cfg, out);
		return;
	}
	if (cfg->allow && reason == XM_PASSED && !unlisted_passes(&p, cfg)) {
		out->pass = 0;
		out->reason = XM_POLICY;
	}
}
