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

#define TPID_Q		0x8100
#define TPID_AD		0x88a8
#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd

#define P_HOP		0
#define P_ICMP		1
#define P_TCP		6
#define P_UDP		17
#define P_ROUTING	43
#define P_FRAG		44
#define P_GRE		47
#define P_AH		51
#define P_ICMP6		58
#define P_DSTOPTS	60

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PSH		0x08
#define TH_ACK		0x10

/* ------------------------------------------------------------- building */

static void w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint8_t *put(struct gen_frame *f, size_t n)
{
	uint8_t *p;

	if (f->len + n > GEN_FRAME_MAX)
		n = GEN_FRAME_MAX - f->len;	/* clipped: still a frame */
	p = f->b + f->len;
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void field(struct gen_frame *f, size_t off, int size)
{
	if (f->nfields < GEN_FIELDS && off + size <= GEN_FRAME_MAX) {
		f->fields[f->nfields].off = (uint16_t)off;
		f->fields[f->nfields].size = (uint8_t)size;
		f->nfields++;
	}
}

/* Payload and padding look like ports that rules match: nothing may read
 * ports from them. */
static void put_pattern(struct gen_frame *f, int n, uint16_t port)
{
	uint8_t *p = put(f, n > 0 ? (size_t)n : 0);
	int i;

	for (i = 0; i < n && p + i < f->b + GEN_FRAME_MAX; i++)
		p[i] = i % 2 ? (uint8_t)port : (uint8_t)(port >> 8);
}

static int ext_hlen(uint8_t type, uint8_t len)
{
	if (type == P_FRAG)
		return 8;
	if (type == P_AH)
		return (len + 2) * 4;
	return (len + 1) * 8;
}

void gen_build(const struct gen_spec *s, struct gen_frame *f)
{
	static const uint8_t dst4[4] = { 198, 18, 0, 1 };
	static const uint8_t dst6[16] = { 0xfd, 0, [15] = 1 };
	uint8_t *p, chain[GEN_EXT_MAX + 1], lens[GEN_EXT_MAX + 1];
	size_t l3, l4;
	int i, n = 0, has_frag = 0;
	unsigned fragw;

	f->len = 0;
	f->nfields = 0;
	p = put(f, 14);
	memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	w16(p + 12, s->ntags ? s->tpid[0] : s->ethertype);
	field(f, 12, 2);
	for (i = 0; i < s->ntags && i < 3; i++) {
		p = put(f, 4);
		w16(p, 100 + i);
		w16(p + 2, i + 1 < s->ntags ? s->tpid[i + 1] : s->ethertype);
		field(f, f->len - 2, 2);
	}
	l3 = f->l3 = f->len;

	if (s->ethertype == ET_IPV4) {
		p = put(f, 20 + s->ipopt);
		p[0] = (uint8_t)((s->ver ? s->ver : 4) << 4 |
				 ((5 + s->ipopt / 4) & 0x0f));
		w16(p + 4, 0x1234);
		fragw = s->frag == GF_FIRST ? 0x2000 :
			s->frag == GF_LATER ? (s->frag_units & 0x1fff) : 0x4000;
		w16(p + 6, fragw);
		p[8] = 64;
		p[9] = s->l4;
		memcpy(p + 12, s->src, 4);
		memcpy(p + 16, dst4, 4);
		memset(p + 20, 1, s->ipopt);		/* NOP options */
		field(f, l3, 1);
		field(f, l3 + 2, 2);
		field(f, l3 + 6, 2);
		field(f, l3 + 9, 1);
	} else if (s->ethertype == ET_IPV6) {
		for (i = 0; i < s->next_n && i < GEN_EXT_MAX; i++) {
			chain[n] = s->ext[i];
			lens[n++] = s->ext_len[i];
			has_frag |= s->ext[i] == P_FRAG;
		}
		if (s->frag != GF_NONE && !has_frag) {
			chain[n] = P_FRAG;
			lens[n++] = 0;
		}
		p = put(f, 40);
		p[0] = (uint8_t)((s->ver ? s->ver : 6) << 4);
		p[6] = n ? chain[0] : s->l4;
		p[7] = 64;
		memcpy(p + 8, s->src, 16);
		memcpy(p + 24, dst6, 16);
		field(f, l3, 1);
		field(f, l3 + 4, 2);
		field(f, l3 + 6, 1);
		for (i = 0; i < n; i++) {
			size_t off = f->len;

			p = put(f, ext_hlen(chain[i], lens[i]));
			if (f->len - off < 8)
				break;			/* clipped */
			p[0] = i + 1 < n ? chain[i + 1] : s->l4;
			field(f, off, 1);
			if (chain[i] == P_FRAG) {
				fragw = s->frag == GF_LATER ?
					(unsigned)(s->frag_units << 3) : 0;
				if (s->frag == GF_FIRST)
					fragw |= 1;	/* M */
				w16(p + 2, fragw);
				w16(p + 4, 0xabcd);
				field(f, off + 2, 2);
			} else {
				p[1] = lens[i];
				field(f, off + 1, 1);
			}
		}
	} else {
		/* ARP, LLDP, ...: a body of 28 bytes. */
		put_pattern(f, 28, s->dport);
		f->l4 = f->ip_end = f->len;
		f->iplen_off = 0;
		return;
	}

	l4 = f->l4 = f->len;
	if (s->l4 == P_TCP) {
		p = put(f, 20 + s->topt);
		w16(p, s->sport);
		w16(p + 2, s->dport);
		p[4] = 0x11;
		p[12] = (uint8_t)((5 + s->topt / 4) << 4);
		p[13] = s->tflags;
		w16(p + 14, 8192);
		memset(p + 20, 1, s->topt);		/* NOP options */
		field(f, l4 + 12, 1);
		field(f, l4 + 13, 1);
	} else if (s->l4 == P_UDP) {
		p = put(f, 8);
		w16(p, s->sport);
		w16(p + 2, s->dport);
		w16(p + 4, 8 + s->payload);
		field(f, l4 + 4, 2);
	} else if (s->l4 == P_ICMP || s->l4 == P_ICMP6) {
		p = put(f, 8);
		p[0] = s->l4 == P_ICMP ? 8 : 128;	/* echo request */
		w16(p + 4, s->sport);
		w16(p + 6, s->dport);
	} else {
		p = put(f, 4);				/* GRE-ish */
		w16(p, s->sport);
		w16(p + 2, s->dport);
	}
	put_pattern(f, s->payload, s->dport);
	f->ip_end = f->len;
	f->iplen_off = s->ethertype == ET_IPV4 ? l3 + 2 : l3 + 4;
	if (s->ethertype == ET_IPV4)
		w16(f->b + l3 + 2, (unsigned)(f->len - l3));
	else
		w16(f->b + l3 + 4, (unsigned)(f->len - l3 - 40));
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
 *   7000 tcp src from 198.18.5.0/24
 * Three of them log their drops: XF_ID_LOG in an xf_ports slot, an
 * xf_pports slot and an any_id, which must not change a verdict. */
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
};
#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))

const char *const gen_srules[] = {
	"8080 tcp log", "53 udp", "6000-6100 any", "5353 udp src",
	"22 tcp from 198.18.0.0/15 log 5/s",
	"any from 203.0.113.0/24 log 1000/s",
	"443 any from 2001:db8::/32", "any from 2001:db8:dead::/48",
	"7000 tcp src from 198.18.5.0/24", NULL,
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
	{ ET_IPV6, 0, GF_NONE, 1, { P_HOP }, { 0 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_ROUTING }, { 1 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_DSTOPTS }, { 2 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_AH }, { 4 } },
	{ ET_IPV6, 0, GF_NONE, 1, { P_FRAG }, { 0 } },	/* atomic */
	{ ET_IPV6, 0, GF_NONE, 3, { P_HOP, P_ROUTING, P_DSTOPTS }, { 0 } },
	{ ET_IPV6, 0, GF_NONE, 8, { P_HOP, P_DSTOPTS, P_ROUTING, P_AH,
				    P_DSTOPTS, P_DSTOPTS, P_FRAG, P_DSTOPTS },
	  { 0, 0, 0, 1, 0, 0, 0, 0 } },
	{ ET_IPV6, 0, GF_NONE, 9, { P_HOP, P_DSTOPTS, P_ROUTING, P_AH,
				    P_DSTOPTS, P_DSTOPTS, P_FRAG, P_DSTOPTS,
				    P_DSTOPTS }, { 0 } },
	{ ET_IPV6, 0, GF_FIRST, 0, { 0 }, { 0 } },
	{ ET_IPV6, 0, GF_LATER, 0, { 0 }, { 0 } },
	{ ET_IPV6, 0, GF_FIRST, 2, { P_HOP, P_DSTOPTS }, { 0, 1 } },
	{ ET_IPV6, 0, GF_LATER, 3, { P_HOP, P_FRAG, P_AH }, { 0, 0, 1 } },
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
	s->l4 = w->proto == P_ICMP && v6 ? P_ICMP6 : w->proto;
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
	struct gen_frame f;
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

void gen_set_iplen(struct gen_frame *f, unsigned v)
{
	if (f->iplen_off)
		w16(f->b + f->iplen_off, v);
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

static const uint8_t ext_types[] = { P_HOP, P_ROUTING, P_DSTOPTS, P_FRAG,
				     P_AH };

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
		s->l4 = P_ICMP6;
	s->tflags = rng_below(r, 4) ? flags[rng_below(r, 8)] :
				      (uint8_t)rng_next(r);
	if (rng_below(r, 10) < 3)
		s->topt = 4 * (int)(1 + rng_below(r, 10));
	s->sport = pick_port(r, h);
	s->dport = pick_port(r, h);
	if (rng_below(r, 2))
		s->sport = (uint16_t)(32768 + rng_below(r, 28232));
	pick_src(r, h, s->ethertype == ET_IPV6 ? 6 : 4, s->src);
	s->payload = (int)rng_below(r, 41);
	if (rng_below(r, 5) == 0)
		s->pad = 1 + (int)rng_below(r, 30);
}

void gen_mutate(struct rng *r, struct gen_frame *f, char *what, size_t size)
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
			const struct gen_field *fl =
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
				w16(f->b + fl->off, v & 0xffff);
			w = snprintf(what + used, size - used, "%sfield %u",
				     sep, fl->off);
		} else if (x < 17 && f->len > 14) {	/* truncation */
			f->len = 14 + rng_below(r, (uint32_t)(f->len - 14));
			w = snprintf(what + used, size - used, "%scut %zu",
				     sep, f->len);
		} else {				/* padding */
			k = 1 + rng_below(r, 32);
			if (f->len + k > GEN_FRAME_MAX)
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
