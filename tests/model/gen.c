// SPDX-License-Identifier: GPL-2.0
/* gen.c - frames for the conformance run; see gen.h.
 *
 * Structured cases are the product of these dimensions, each case run
 * against the structured rule set (conform.c, gen_srules[]) under the deny
 * and the allow policy:
 *   VLAN tags      none, 802.1Q, 802.1ad, 802.1ad + 802.1Q
 *   L3             IPv4 with 0, 4 or 40 option bytes x unfragmented, first
 *                  fragment, later fragment; IPv6 with no extension
 *                  header, each of hop-by-hop, routing, destination
 *                  options, AH and an atomic fragment header alone, a short
 *                  chain, the longest allowed chain (8) and one too long (9),
 *                  and first/later fragments with and without a chain
 *   L4             TCP SYN, SYN+ACK, ACK, RST, SYN with options; UDP;
 *                  ICMP/ICMPv6; GRE
 *   target         source address and ports inside and outside every kind
 *                  of rule of the structured set (gen_targets[])
 * then truncations: tags (none, 802.1Q, QinQ) x 12 L3 shapes x (TCP with
 * options, UDP, ICMP), each cut at every byte from 14 to its full length
 * (the kernel refuses XDP test frames under 14 bytes), and each with its
 * IP length (tot_len, payload_len) set to every value from 0 to the real
 * one, the frame whole (the tail is then Ethernet padding); and three tags.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"

/* ------------------------------------------------------------- building */

/* Payload and padding look like ports that rules match: nothing may read
 * ports from them. */
static void put_pattern(struct frame *f, int n, uint16_t port)
{
	const uint8_t pat[2] = { (uint8_t)(port >> 8), (uint8_t)port };

	fr_fill(f, n > 0 ? (size_t)n : 0, pat, sizeof(pat));
}

/* The fragment word of a fragment header. */
static unsigned frag6(const struct gen_spec *s)
{
	unsigned w = s->frag == GF_LATER ? (unsigned)(s->frag_units << 3) : 0;

	return s->frag == GF_FIRST ? w | 1 : w;	/* M */
}

static void put_ipv4(struct frame *f, const struct gen_spec *s)
{
	static const uint8_t dst4[4] = { 198, 18, 0, 1 };
	struct fr_ipv4 h = {
		.ver = s->ver, .opt = s->ipopt, .id = 0x1234, .proto = s->l4,
		.src = s->src, .dst = s->has_dst ? s->dst : dst4,
		.frag = s->frag == GF_FIRST ? IPV4_MF :
			s->frag == GF_LATER ? (s->frag_units & 0x1fff) :
					      IPV4_DF,
	};

	fr_ipv4(f, &h);
}

/* IPv6 and its chain, a fragment header added for a fragment without
 * one; bare headers (next header and length, zeros). */
static void put_ipv6(struct frame *f, const struct gen_spec *s)
{
	static const uint8_t dst6[16] = { 0xfd, 0, [15] = 1 };
	uint8_t chain[GEN_EXT_MAX + 1], lens[GEN_EXT_MAX + 1];
	struct fr_ipv6 h = { .ver = s->ver, .src = s->src,
			     .dst = s->has_dst ? s->dst : dst6 };
	int i, n = 0, has_frag = 0;

	for (i = 0; i < s->next_n && i < GEN_EXT_MAX; i++) {
		chain[n] = s->ext[i];
		lens[n++] = s->ext_len[i];
		has_frag |= s->ext[i] == P_FRAGMENT;
	}
	if (s->frag != GF_NONE && !has_frag) {
		chain[n] = P_FRAGMENT;
		lens[n++] = 0;
	}
	h.next = n ? chain[0] : s->l4;
	fr_ipv6(f, &h);
	for (i = 0; i < n; i++) {
		struct fr_ext e = {
			.type = chain[i], .frag = (uint16_t)frag6(s),
			.len = chain[i] == P_FRAGMENT ? 0 : lens[i],
			.ident = 0xabcd0000, .bare = true,
		};

		if (!fr_ext(f, &e, i + 1 < n ? chain[i + 1] : s->l4))
			break;			/* clipped */
	}
}

static void put_l4(struct frame *f, const struct gen_spec *s)
{
	struct fr_tcp t = {
		.sport = s->sport, .dport = s->dport, .seq = 0x11000000,
		.flags = s->tflags, .win = 8192, .opt = s->topt,
	};

	if (s->l4 == P_TCP)
		fr_tcp(f, &t);
	else if (s->l4 == P_UDP)
		fr_udp(f, s->sport, s->dport);
	else if (s->l4 == P_ICMP || s->l4 == P_ICMPV6)	/* echo request */
		fr_icmp(f, s->l4 == P_ICMP ? 8 : 128, s->sport, s->dport);
	else
		fr_ports(f, s->sport, s->dport);	/* GRE-ish */
}

void gen_build(const struct gen_spec *s, struct frame *f)
{
	int i;

	fr_init(f, true);
	fr_eth(f, NULL, NULL, s->ntags ? s->tpid[0] : s->ethertype);
	for (i = 0; i < s->ntags && i < 3; i++)
		fr_vlan(f, (uint16_t)(100 + i), i + 1 < s->ntags ?
						s->tpid[i + 1] : s->ethertype);
	if (s->ethertype == ET_IPV4) {
		put_ipv4(f, s);
	} else if (s->ethertype == ET_IPV6) {
		put_ipv6(f, s);
	} else {
		/* ARP, LLDP, ...: a body of 28 bytes. */
		put_pattern(f, 28, s->dport);
		fr_end_ip(f, -1);
		return;
	}
	put_l4(f, s);
	put_pattern(f, s->payload, s->dport);
	fr_end_ip(f, -1);
	put_pattern(f, s->pad, s->dport);
}

/* ----------------------------------------------------------- structured */

struct target {
	const char	*name;
	uint8_t		src4[4];
	uint8_t		src6[16];
	uint16_t	sport;
	uint16_t	dport;		/* 0: the protocol's own rule port */
	uint16_t	dport6;		/* IPv6, when it differs; 0: dport */
};

#define OUT4	{ 192, 0, 2, 1 }
#define OUT6	{ 0xfd, 0, [15] = 2 }
#define DB8(a, b, c)	{ 0x20, 0x01, 0x0d, 0xb8, a, b, [15] = c }

/* Aimed at gen_srules[] (conform.c lists the same rules):
 *   8080 tcp log; 53 udp; 6000-6100 any; 5353 udp src;
 *   22 tcp from 198.18.0.0/15 log 5/s; any from 203.0.113.0/24 log 1000/s;
 *   443 any from 2001:db8::/32; any from 2001:db8:dead::/48;
 *   7000 tcp src from 198.18.5.0/24;
 *   4000-4001 any log 100/s limit 10/s burst 3;
 *   4500 any from 198.18.0.0/15 limit 1000/s per-source 24;
 *   4500 any from 2001:db8::/32 limit 5/s burst 2 per-source 48
 * Three of them log their drops: XF_ID_LOG in an xf_ports slot, an
 * xf_pports slot and an any_id, which must not change a verdict. The
 * last three have rate limits (XF_ID_LIMIT in an xf_ports and two
 * xf_pports slots): the rule's own bucket, and one per source group;
 * conform.c sets the bucket's state before each frame. */
static const struct target targets[] = {
	{ "own-port", OUT4, OUT6, 40000, 0, 0 },
	{ "range", OUT4, OUT6, 40000, 6050, 0 },
	{ "src-port", OUT4, OUT6, 5353, 9999, 0 },
	{ "prefix-port", { 198, 18, 1, 1 }, DB8(0, 0, 5), 40000, 22, 443 },
	{ "prefix-any", { 203, 0, 113, 7 }, DB8(0xde, 0xad, 1), 40000, 9999, 0 },
	/* v4: the /24 inside the /15 wins, by its source port; v6: the /32
	 * has no rule for 8080, the plain "8080 tcp log" applies. */
	{ "longest", { 198, 18, 5, 9 }, DB8(0, 0, 1), 7000, 22, 8080 },
	{ "miss", OUT4, OUT6, 40000, 9999, 0 },
	{ "dhcp", OUT4, OUT6, 68, 67, 547 },
	{ "ephemeral", OUT4, OUT6, 53, 40000, 0 },
	{ "limit", OUT4, OUT6, 40000, 4001, 0 },
	{ "limit-source", { 198, 18, 1, 1 }, DB8(0, 0, 5), 40000, 4500, 0 },
};
#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))

const char *const gen_srules[] = {
	"8080 tcp log", "53 udp", "6000-6100 any", "5353 udp src",
	"22 tcp from 198.18.0.0/15 log 5/s",
	"any from 203.0.113.0/24 log 1000/s",
	"443 any from 2001:db8::/32", "any from 2001:db8:dead::/48",
	"7000 tcp src from 198.18.5.0/24",
	"4000-4001 any log 100/s limit 10/s burst 3",
	"4500 any from 198.18.0.0/15 limit 1000/s per-source 24",
	"4500 any from 2001:db8::/32 limit 5/s burst 2 per-source 48", NULL,
};

static const uint16_t tag_sets[][3] = {
	{ 0 }, { TPID_Q }, { TPID_AD }, { TPID_AD, TPID_Q },
};
#define NTAGS	(sizeof(tag_sets) / sizeof(tag_sets[0]))

struct l3v {
	uint16_t	type;
	int		ipopt;
	int		frag;
	int		n;
	uint8_t		ext[10];
	uint8_t		len[10];
};

static const struct l3v l3s[] = {
	{ ET_IPV4, 0, GF_NONE, 0, { 0 }, { 0 } },
	{ ET_IPV4, 0, GF_FIRST, 0, { 0 }, { 0 } },
	{ ET_IPV4, 0, GF_LATER, 0, { 0 }, { 0 } },
	{ ET_IPV4, 4, GF_NONE, 0, { 0 }, { 0 } },
	{ ET_IPV4, 4, GF_FIRST, 0, { 0 }, { 0 } },
	{ ET_IPV4, 4, GF_LATER, 0, { 0 }, { 0 } },
	{ ET_IPV4, 40, GF_NONE, 0, { 0 }, { 0 } },
	{ ET_IPV4, 40, GF_FIRST, 0, { 0 }, { 0 } },
	{ ET_IPV4, 40, GF_LATER, 0, { 0 }, { 0 } },
	{ ET_IPV6, 0, GF_NONE, 0, { 0 }, { 0 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_HOPOPTS }, { 0 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_ROUTING }, { 1 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_DSTOPTS }, { 2 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_AH }, { 4 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_FRAGMENT }, { 0 } },	/* atomic */
	{ ET_IPV6, 0, GF_NONE, 3, { P_HOPOPTS, P_ROUTING, P_DSTOPTS }, { 0 } },
	{ ET_IPV6, 0, GF_NONE, 8, { P_HOPOPTS, P_DSTOPTS, P_ROUTING, P_AH,
				    P_DSTOPTS, P_DSTOPTS, P_FRAGMENT, P_DSTOPTS },
	  { 0, 0, 0, 1, 0, 0, 0, 0 } },
	{ ET_IPV6, 0, GF_NONE, 9, { P_HOPOPTS, P_DSTOPTS, P_ROUTING, P_AH,
				    P_DSTOPTS, P_DSTOPTS, P_FRAGMENT, P_DSTOPTS,
				    P_DSTOPTS }, { 0 } },
	{ ET_IPV6, 0, GF_FIRST, 0, { 0 }, { 0 } },
	{ ET_IPV6, 0, GF_LATER, 0, { 0 }, { 0 } },
	{ ET_IPV6, 0, GF_FIRST, 2, { P_HOPOPTS, P_DSTOPTS }, { 0, 1 } },
	{ ET_IPV6, 0, GF_LATER, 3, { P_HOPOPTS, P_FRAGMENT, P_AH }, { 0, 0, 1 } },
};
#define NL3	(sizeof(l3s) / sizeof(l3s[0]))

struct l4v {
	uint8_t		proto;		/* 1: ICMP or ICMPv6 */
	uint8_t		flags;
	int		topt;
};

static const struct l4v l4s[] = {
	{ P_TCP, TH_SYN, 0 }, { P_TCP, TH_SYN | TH_ACK, 0 },
	{ P_TCP, TH_ACK, 0 }, { P_TCP, TH_RST, 0 }, { P_TCP, TH_SYN, 12 },
	{ P_UDP, 0, 0 }, { P_ICMP, 0, 0 }, { P_GRE, 0, 0 },
};
#define NL4	(sizeof(l4s) / sizeof(l4s[0]))

#define NCFG	2
#define NPRODUCT (NTAGS * NL3 * NL4 * NTARGETS * NCFG)

/* Truncation shapes: index into l3s[] and l4s[]. */
static const int cut_tags[] = { 0, 1, 3 };
static const int cut_l3[] = { 0, 3, 5, 9, 10, 11, 12, 13, 18, 19, 15, 21 };
static const int cut_l4[] = { 4, 5, 6 };
#define NCUT_L3		(sizeof(cut_l3) / sizeof(cut_l3[0]))
#define NCUT_SHAPES	(3 * NCUT_L3 * 3)

/* Three tags: non-IP whatever follows, even when cut inside the third. */
#define NTHREE		(2 * 2 * 5)

static void fill(struct gen_spec *s, int tags, int l3, int l4, int target)
{
	const struct l3v *v = &l3s[l3];
	const struct l4v *w = &l4s[l4];
	const struct target *t = &targets[target];
	int i, v6 = v->type == ET_IPV6;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 3 && tag_sets[tags][i]; i++)
		s->tpid[s->ntags++] = tag_sets[tags][i];
	s->ethertype = v->type;
	s->ipopt = v->ipopt;
	s->frag = v->frag;
	s->frag_units = 185;
	s->next_n = v->n;
	memcpy(s->ext, v->ext, sizeof(v->ext));
	memcpy(s->ext_len, v->len, sizeof(v->len));
	s->l4 = w->proto == P_ICMP && v6 ? P_ICMPV6 : w->proto;
	s->tflags = w->flags;
	s->topt = w->topt;
	s->sport = t->sport;
	s->dport = t->dport ? t->dport : w->proto == P_UDP ? 53 : 8080;
	if (v6 && t->dport6)
		s->dport = t->dport6;
	if (v6)
		memcpy(s->src, t->src6, 16);
	else
		memcpy(s->src, t->src4, 4);
	s->payload = 6;
}

/* Shape k: frame cuts at 14 .. len, then IP length field values 0 ..
 * the real one (the frame whole: the rest is Ethernet padding). */
static size_t cut_lens[NCUT_SHAPES], len_vals[NCUT_SHAPES];
static size_t ncut;

static void fill_shape(struct gen_spec *s, size_t k)
{
	fill(s, cut_tags[k / (NCUT_L3 * 3)], cut_l3[k / 3 % NCUT_L3],
	     cut_l4[k % 3], 0);
	s->payload = 0;
}

static void cut_init(void)
{
	struct frame f;
	struct gen_spec s;
	size_t i;

	if (ncut)
		return;
	for (i = 0; i < NCUT_SHAPES; i++) {
		fill_shape(&s, i);
		gen_build(&s, &f);
		cut_lens[i] = f.len - 14 + 1;
		len_vals[i] = f.ip_end - f.l3 -
			      (s.ethertype == ET_IPV6 ? 40 : 0) + 1;
		ncut += cut_lens[i] + len_vals[i];
	}
}

size_t gen_structured_count(void)
{
	cut_init();
	return NPRODUCT + ncut + NTHREE;
}

void gen_structured(size_t i, struct gen_spec *s, size_t *cut,
		    int *iplen, int *cfg)
{
	size_t k;

	cut_init();
	*cut = 0;
	*iplen = -1;
	*cfg = 0;
	if (i < NPRODUCT) {
		*cfg = (int)(i % NCFG);
		i /= NCFG;
		k = i % NTARGETS;
		i /= NTARGETS;
		fill(s, (int)(i / NL3 / NL4), (int)(i / NL4 % NL3),
		     (int)(i % NL4), (int)k);
		return;
	}
	i -= NPRODUCT;
	if (i < ncut) {
		for (k = 0; i >= cut_lens[k] + len_vals[k]; k++)
			i -= cut_lens[k] + len_vals[k];
		fill_shape(s, k);
		if (i < cut_lens[k])
			*cut = 14 + i;
		else
			*iplen = (int)(i - cut_lens[k]);
		return;
	}
	i -= ncut;			/* three tags */
	*cfg = (int)(i % 2);
	i /= 2;
	fill(s, 3, i % 2 ? 9 : 0, i % 2 ? 5 : 0, 0);
	s->tpid[0] = TPID_AD;
	s->tpid[1] = TPID_Q;
	s->tpid[2] = TPID_Q;
	s->ntags = 3;
	i /= 2;				/* 0-4: whole, cut in the third tag */
	if (i)
		*cut = 22 + i - 1;	/* 22 .. 25 */
}

/* --------------------------------------------------------------- random */

static const uint16_t special_ports[] = {
	0, 1, 22, 53, 67, 68, 80, 443, 546, 547, 1023, 1024, 5353, 8080,
	32767, 32768, 49152, 60999, 61000, 65534, 65535,
};

static uint16_t pick_port(struct rng *r, const struct gen_hints *h)
{
	uint32_t x = rng_below(r, 10);

	if (x < 5 && h->nports)
		return h->ports[rng_below(r, h->nports)];
	if (x < 7)
		return special_ports[rng_below(r, sizeof(special_ports) /
						  sizeof(special_ports[0]))];
	return (uint16_t)rng_next(r);
}

static void pick_src(struct rng *r, const struct gen_hints *h, int fam,
		     uint8_t *src)
{
	int i, n = fam == 4 ? 4 : 16, bits, cand[64], nc = 0;

	for (i = 0; i < n; i++)
		src[i] = (uint8_t)rng_next(r);
	if (fam == 4 && rng_below(r, 4) == 0) {
		memcpy(src, "\xc6\x12", 2);		/* 198.18/15 */
		src[1] |= rng_below(r, 2);
	}
	for (i = 0; i < h->npfx; i++)
		if (h->pfx[i].family == fam)
			cand[nc++] = i;
	if (!nc || rng_below(r, 10) < 3)
		return;
	i = cand[rng_below(r, nc)];
	bits = h->pfx[i].plen;
	/* Inside the prefix: its bits, random host bits. */
	for (int b = 0; b < bits; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		src[b / 8] = (uint8_t)((src[b / 8] & ~m) |
				       (h->pfx[i].addr[b / 8] & m));
	}
	/* Sometimes just outside: its last bit flipped. */
	if (bits && rng_below(r, 4) == 0)
		src[(bits - 1) / 8] ^= (uint8_t)(0x80 >> ((bits - 1) % 8));
}

/* addr += d (1 or -1) as an n-byte big-endian number, wrapping. */
static void addr_step(uint8_t *a, int n, int d)
{
	for (int i = n - 1; i >= 0; i--) {
		a[i] = (uint8_t)(a[i] + d);
		if (a[i] != (d > 0 ? 0 : 0xff))
			break;
	}
}

/* A source at a source set's prefix (gen.h): inside it, its first or
 * last address, or just outside either end. */
static void set_src(struct rng *r, const struct gen_hints *h, int fam,
		    uint8_t *src)
{
	int n = fam == 4 ? 4 : 16, cand[GEN_SPFX], nc = 0, i, bits;
	uint32_t x;

	for (i = 0; i < h->nspfx; i++)
		if (h->spfx[i].family == fam)
			cand[nc++] = i;
	if (!nc || rng_below(r, 10) >= 6)
		return;
	i = cand[rng_below(r, nc)];
	bits = h->spfx[i].plen;
	x = rng_below(r, 6);
	for (int b = 0; b < n * 8; b++) {
		uint8_t m = (uint8_t)(0x80 >> (b % 8));
		uint8_t v = b < bits ? h->spfx[i].addr[b / 8] & m :
			    x == 1 || x == 4 ? 0 : x == 2 || x == 5 ? m :
			    src[b / 8] & m;

		src[b / 8] = (uint8_t)((src[b / 8] & ~m) | v);
	}
	if (x == 4)			/* just before its first address */
		addr_step(src, n, -1);
	else if (x == 5)		/* just after its last */
		addr_step(src, n, 1);
}

static const uint8_t ext_types[] = { P_HOPOPTS, P_ROUTING, P_DSTOPTS, P_FRAGMENT,
				     P_AH };

/* The spec aimed at a flow of the hints: its tuple one way or the other,
 * or a near miss. The rest of the spec (tags, options, extension headers,
 * payload) stays as drawn, but for what would hide the ports. */
static void aim(struct rng *r, const struct gen_hints *h, struct gen_spec *s)
{
	static const uint8_t flags[] = {
		TH_SYN, TH_SYN | TH_ACK, TH_ACK, TH_FIN | TH_ACK, TH_FIN,
		TH_RST, TH_RST | TH_ACK, TH_PSH | TH_ACK, 0, TH_SYN | TH_FIN,
	};
	int i = (int)rng_below(r, h->nflows), j, rev = (int)rng_below(r, 2);
	uint32_t miss = rng_below(r, 20);
	int n;

	s->aimed = 1;
	s->ethertype = h->flow[i].family == 6 ? ET_IPV6 : ET_IPV4;
	s->ver = 0;
	if (rng_below(r, 5))
		s->frag = GF_NONE;
	if (rng_below(r, 2))
		s->next_n = 0;
	s->l4 = h->flow[i].proto;
	s->tflags = rng_below(r, 5) ? flags[rng_below(r, sizeof(flags))] :
				      (uint8_t)rng_next(r);
	memcpy(s->src, rev ? h->flow[i].b : h->flow[i].a, 16);
	memcpy(s->dst, rev ? h->flow[i].a : h->flow[i].b, 16);
	s->has_dst = 1;
	s->sport = rev ? h->flow[i].pb : h->flow[i].pa;
	s->dport = rev ? h->flow[i].pa : h->flow[i].pb;
	n = h->flow[i].family == 6 ? 16 : 4;
	j = (int)rng_below(r, h->nflows);	/* another flow, or the same */
	switch (miss) {
	case 12:		/* the port of no flow */
		s->sport = (uint16_t)rng_next(r);
		break;
	case 13:
		s->dport = rng_below(r, 2) ? (uint16_t)rng_next(r) :
					     (uint16_t)(s->dport + 1);
		break;
	case 14:		/* its ports with another flow's */
		s->sport = rng_below(r, 2) ? h->flow[j].pa : h->flow[j].pb;
		break;
	case 15:		/* another address */
		s->src[n - 1] ^= (uint8_t)(1 + rng_below(r, 255));
		break;
	case 16:
		s->dst[n - 1] ^= (uint8_t)(1 + rng_below(r, 255));
		break;
	case 17:		/* the other protocol */
		s->l4 = s->l4 == P_TCP ? P_UDP : P_TCP;
		break;
	case 18:		/* the other family: another flow's addresses */
		if (h->flow[j].family != h->flow[i].family) {
			s->ethertype = h->flow[j].family == 6 ? ET_IPV6 :
								ET_IPV4;
			memcpy(s->src, h->flow[j].a, 16);
			memcpy(s->dst, h->flow[j].b, 16);
		}
		break;
	case 19:		/* both ports the same, the one of an end */
		s->sport = s->dport;
		break;
	default:		/* 0-11: the flow itself */
		break;
	}
}

/* The spec aimed at a limit rule of the hints (gen.h). */
static void aim_limit(struct rng *r, const struct gen_hints *h,
		      struct gen_spec *s)
{
	static const uint8_t flags[] = {
		TH_SYN, TH_SYN, TH_SYN, TH_ACK, TH_SYN | TH_ACK,
		TH_PSH | TH_ACK, TH_RST, TH_SYN | TH_FIN,
	};
	int i = (int)rng_below(r, h->nlimits), b, fam;
	uint16_t port, lo = h->limit[i].lo, hi = h->limit[i].hi;
	uint32_t x = rng_below(r, 4);

	s->aimed = 1;
	s->ver = 0;
	s->frag = GF_NONE;
	if (rng_below(r, 2))
		s->next_n = 0;
	s->l4 = !h->limit[i].udp ? P_TCP : !h->limit[i].tcp ? P_UDP :
		rng_below(r, 2) ? P_TCP : P_UDP;
	s->tflags = flags[rng_below(r, sizeof(flags))];
	port = x == 0 ? lo : x == 1 ? hi :
	       (uint16_t)(lo + rng_below(r, (uint32_t)(hi - lo) + 1));
	*(h->limit[i].src ? &s->sport : &s->dport) = port;
	fam = h->limit[i].family ? h->limit[i].family :
	      s->ethertype == ET_IPV6 ? 6 : 4;
	s->ethertype = fam == 6 ? ET_IPV6 : ET_IPV4;
	if (!h->limit[i].family)
		return;
	for (b = 0; b < h->limit[i].plen; b++) {	/* inside the prefix */
		uint8_t m = (uint8_t)(0x80 >> (b % 8));

		s->src[b / 8] = (uint8_t)((s->src[b / 8] & ~m) |
					  (h->limit[i].addr[b / 8] & m));
	}
}

void gen_random(struct rng *r, const struct gen_hints *h, struct gen_spec *s)
{
	static const uint8_t flags[] = {
		TH_SYN, TH_SYN | TH_ACK, TH_ACK, TH_RST, TH_FIN | TH_ACK,
		TH_PSH | TH_ACK, TH_SYN | TH_FIN, 0,
	};
	static const uint8_t others[] = { P_ICMP, P_GRE, 50, 59, 132, 0, 43,
					  44, 51, 60, 58, 255 };
	uint32_t x;
	int i;

	memset(s, 0, sizeof(*s));
	x = rng_below(r, 40);
	s->ntags = x < 20 ? 0 : x < 30 ? 1 : x < 39 ? 2 : 3;
	for (i = 0; i < s->ntags; i++)
		s->tpid[i] = rng_below(r, 2) ? TPID_Q : TPID_AD;
	x = rng_below(r, 40);
	s->ethertype = x < 19 ? ET_IPV4 : x < 38 ? ET_IPV6 :
		       x < 39 ? 0x0806 : (uint16_t)rng_next(r);
	if (rng_below(r, 40) == 0)
		s->ver = (int)rng_below(r, 16);
	if (rng_below(r, 10) < 3)
		s->ipopt = 4 * (int)(1 + rng_below(r, 10));
	x = rng_below(r, 20);
	s->frag = x < 14 ? GF_NONE : x < 17 ? GF_FIRST : GF_LATER;
	{
		static const uint16_t edge[] = { 1, 2, 0x0800, 0x1000, 0x1fff };

		s->frag_units = rng_below(r, 2) ? edge[rng_below(r, 5)] :
				(uint16_t)(1 + rng_below(r, 0x1fff));
	}
	if (rng_below(r, 2)) {
		s->next_n = 1 + (int)rng_below(r, rng_below(r, 3) ? 3 : 10);
		for (i = 0; i < s->next_n; i++) {
			s->ext[i] = ext_types[rng_below(r, 5)];
			s->ext_len[i] = (uint8_t)(rng_below(r, 4) ? 0 :
						  rng_below(r, 5));
		}
	}
	x = rng_below(r, 20);
	s->l4 = x < 8 ? P_TCP : x < 16 ? P_UDP : others[rng_below(r, 12)];
	if (s->l4 == P_ICMP && s->ethertype == ET_IPV6 && rng_below(r, 2))
		s->l4 = P_ICMPV6;
	s->tflags = rng_below(r, 4) ? flags[rng_below(r, 8)] :
				      (uint8_t)rng_next(r);
	if (rng_below(r, 10) < 3)
		s->topt = 4 * (int)(1 + rng_below(r, 10));
	s->sport = pick_port(r, h);
	s->dport = pick_port(r, h);
	if (rng_below(r, 2))
		s->sport = (uint16_t)(32768 + rng_below(r, 28232));
	pick_src(r, h, s->ethertype == ET_IPV6 ? 6 : 4, s->src);
	if (h->nspfx)
		set_src(r, h, s->ethertype == ET_IPV6 ? 6 : 4, s->src);
	s->payload = (int)rng_below(r, 41);
	if (rng_below(r, 5) == 0)
		s->pad = 1 + (int)rng_below(r, 30);
	if (h->nflows && rng_below(r, 10) < 6)
		aim(r, h, s);
	else if (h->nlimits && rng_below(r, 4) == 0)
		aim_limit(r, h, s);
}

void gen_mutate(struct rng *r, struct frame *f, char *what, size_t size)
{
	int n = 1 + (int)rng_below(r, 3), used = 0, i;
	size_t off, k;
	unsigned v;

	what[0] = '\0';
	for (i = 0; i < n; i++) {
		uint32_t x = rng_below(r, 20);
		const char *sep = used ? ", " : "";
		int w = 0;

		if (x < 5 && f->len) {			/* byte flip */
			off = rng_below(r, (uint32_t)f->len);
			f->b[off] ^= (uint8_t)(1 + rng_below(r, 255));
			w = snprintf(what + used, size - used, "%sflip %zu",
				     sep, off);
		} else if (x < 12 && f->nfields) {	/* length/type field */
			const struct frame_field *fl =
				&f->fields[rng_below(r, f->nfields)];

			if (fl->off + fl->size > f->len)
				continue;
			v = fl->size == 1 ? f->b[fl->off] :
					    (unsigned)f->b[fl->off] << 8 |
					    f->b[fl->off + 1];
			if (rng_below(r, 2))
				v = (unsigned)rng_next(r);
			else
				v += rng_below(r, 2) ?
				     1 + rng_below(r, 8) :
				     0u - (1 + rng_below(r, 8));
			if (fl->size == 1 && rng_below(r, 3) == 0 &&
			    fl->off == f->l3)	/* ihl/version nibbles */
				v = (f->b[fl->off] & 0xf0) | (v & 0x0f);
			if (fl->size == 1)
				f->b[fl->off] = (uint8_t)v;
			else
				fr_w16(f->b + fl->off, v & 0xffff);
			w = snprintf(what + used, size - used, "%sfield %u",
				     sep, fl->off);
		} else if (x < 17 && f->len > 14) {	/* truncation */
			f->len = 14 + rng_below(r, (uint32_t)(f->len - 14));
			w = snprintf(what + used, size - used, "%scut %zu",
				     sep, f->len);
		} else {				/* padding */
			k = 1 + rng_below(r, 32);
			if (f->len + k > FRAME_MAX)
				continue;
			for (off = 0; off < k; off++)
				f->b[f->len + off] = (uint8_t)rng_next(r);
			f->len += k;
			w = snprintf(what + used, size - used, "%spad %zu",
				     sep, k);
		}
		if (w > 0 && (size_t)w < size - used)
			used += w;
	}
}
