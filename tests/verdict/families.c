// SPDX-License-Identifier: GPL-2.0
/* families.c - xf_verdict's generated cases: families a loop covers better
 * than a table (every IPv4 ihl and TCP doff, every truncation length, the
 * edges of every port range, every kind of packet from inside and outside
 * a prefix, the allow policy's ephemeral range and DHCP ports), added to
 * the same list as the table's (cases.c).
 */
#include <stdio.h>
#include <string.h>

#include "../../src/xf_rule.h"
#include "cases.h"

/* Representative frames for the truncation sweep, each with a rule on its
 * own port, so a truncated frame that slipped through as "parsed" would show
 * up as DROPPED, not as the MALFORMED the contract asks for. */
static const struct tcase cut_bases[] = {
	{ "ipv4-tcp", { V4_TCP(8080), .plen = 16 }, { TCP_RULE(8080) },
	  DROPPED },
	{ "ipv4-udp", { V4_UDP(53), .plen = 16 }, { UDP_RULE(53) }, DROPPED },
	{ "ipv6-hbh-tcp", { V6_TCP(8080), EXTS(HBH(1)), .plen = 16 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "qinq-ipv4-udp", { .tags = { TPID_AD, TPID_Q }, V4_UDP(53),
	  .plen = 16 }, { UDP_RULE(53) }, DROPPED },
};

/* Rules swept by add_sweeps(): each drops its first, middle and last port
 * for each of its protocols, and passes the ports just outside, the same
 * port on the other side of the packet, and its ports in a protocol it
 * does not have. */
static const struct sweep {
	const char	*group;
	struct rule	r;
} sweeps[] = {
	{ "range", RULE(XF_PM_TCP, 6000, 6100) },
	{ "range", RULE(XF_PM_UDP, 1000, 1999) },
	{ "range", RULE(PM_ANY, 53, 53) },
	{ "range", RULE(PM_ANY, 7000, 7010) },
	{ "range", RULE(XF_PM_TCP, 0, 10) },
	{ "range", RULE(XF_PM_UDP, 65000, 65535) },
	{ "src", RULE(XF_PM_UDP, 53, 53, SRC_PORT) },
	{ "src", RULE(XF_PM_TCP, 1000, 1999, SRC_PORT) },
	{ "src", RULE(PM_ANY, 5000, 5010, SRC_PORT) },
};

/* The port a sweep does not look at: outside every swept rule. */
#define NEUTRAL_PORT	40001

/* "6000-6100 any src" -> "6000-6100-any-src", for case names. */
static void rule_slug(const struct rule *r, char *buf, size_t size)
{
	struct xf_rule x;
	char *p;

	case_rule(r, &x);
	xf_format_rule(&x, buf, size);
	for (p = buf; *p; p++)
		if (*p == ' ' || *p == '/')
			*p = '-';
}

static void add_sweep_case(struct cases *cs, const struct sweep *w,
			   const char *slug, int fam, __u32 pidx,
			   bool other_side, uint16_t port)
{
	const struct rule *r = &w->r;
	bool src = (r->dir == XF_DIR_SRC) != other_side;
	bool hit = !other_side && (r->protos & (1U << pidx)) &&
		   port >= r->lo && port <= rule_hi(r);
	struct tcase c = { .rules = { *r } };

	c.f.l3 = fam == 4 ? L3_IPV4 : L3_IPV6;
	c.f.l4 = pidx == XF_P_TCP ? L4_TCP : L4_UDP;
	c.f.sport = src ? port : 40000;
	c.f.dport = src ? NEUTRAL_PORT : port;
	c.act = hit ? XDP_DROP : XDP_PASS;
	c.why = hit ? XF_R_DROPPED : XF_R_PASSED;
	snprintf(c.name, sizeof(c.name), "%s/%s/ipv%d-%s-%s-%u-%s", w->group,
		 slug, fam, pidx == XF_P_TCP ? "tcp" : "udp",
		 src ? "sport" : "dport", port, hit ? "blocked" : "passes");
	add_case(cs, &c);
}

static void add_sweeps(struct cases *cs)
{
	const struct sweep *w;
	const struct rule *r;
	char slug[48];
	int fam;
	__u32 pidx;
	uint16_t mid;

	for (w = sweeps; w < sweeps + sizeof(sweeps) / sizeof(sweeps[0]);
	     w++) {
		r = &w->r;
		mid = (r->lo + rule_hi(r)) / 2;
		rule_slug(r, slug, sizeof(slug));
		for (fam = 4; fam <= 6; fam += 2) {
			for (pidx = 0; pidx < XF_P_MAX; pidx++) {
				add_sweep_case(cs, w, slug, fam, pidx, false,
					       r->lo);
				if (mid != r->lo && mid != rule_hi(r))
					add_sweep_case(cs, w, slug, fam, pidx,
						       false, mid);
				if (rule_hi(r) != r->lo)
					add_sweep_case(cs, w, slug, fam, pidx,
						       false, rule_hi(r));
				if (!(r->protos & (1U << pidx)))
					continue;
				if (r->lo > 0)
					add_sweep_case(cs, w, slug, fam, pidx,
						       false, r->lo - 1);
				if (rule_hi(r) < 65535)
					add_sweep_case(cs, w, slug, fam, pidx,
						       false, rule_hi(r) + 1);
				add_sweep_case(cs, w, slug, fam, pidx, true,
					       mid);
			}
		}
	}
}

/* Kinds of packet a prefix rule sees: add_prefixes() sends each from
 * inside and from outside the prefix. */
enum kind { K_TCP, K_UDP, K_ICMP, K_FRAG, K_MAX };

static const char *const kind_names[K_MAX] = {
	[K_TCP] = "tcp", [K_UDP] = "udp", [K_ICMP] = "icmp",
	[K_FRAG] = "later-fragment",
};

/* Fills a frame of kind k; returns the reason it gets when no rule
 * decides. */
static int kind_frame(struct fspec *f, int fam, enum kind k)
{
	f->l3 = fam == 4 ? L3_IPV4 : L3_IPV6;
	switch (k) {
	case K_TCP:
		f->l4 = L4_TCP;
		f->dport = 80;
		return XF_R_PASSED;
	case K_UDP:
		f->l4 = L4_UDP;
		f->dport = 53;
		return XF_R_PASSED;
	case K_ICMP:
		f->l4 = L4_ICMP;
		f->plen = 8;
		return XF_R_OTHER_L4;
	default:
		f->l4 = L4_UDP;			/* the tail of a datagram */
		f->dport = 53;
		if (fam == 4) {
			f->frag = LATER;
		} else {
			f->ext[0] = (struct ext)FRAG(LATER, false);
			f->n_ext = 1;
		}
		return XF_R_FRAGMENT;
	}
}

struct src_addr {
	const char	*tag;		/* NULL ends a list */
	int		fam;
	uint8_t		a[16];
};

/* "any from PREFIX" rules with sources inside (dropped) and outside
 * (passed) them, the edges of the prefix among them. */
static const struct pfx_sweep {
	const char	*name;
	struct rule	r;
	struct src_addr	in[3];
	struct src_addr	out[4];
} pfx_sweeps[] = {
	{ "any-from-p4", ANY_FROM4(P4),
	  { { "in-first", 4, { 198, 18, 0, 0 } }, { "in-last", 4,
	      { 198, 19, 255, 255 } }, { "in", 4, { P4_IN } } },
	  { { "above", 4, { P4_OUT } }, { "below", 4, { P4_BELOW } },
	    { "ipv6", 6, { 0xc6, 0x12, [15] = 1 } } } },
	{ "any-from-p6", ANY_FROM6(P6),
	  { { "in-first", 6, { 0x20, 0x01, 0x0d, 0xb8 } },
	    { "in", 6, { P6_IN } } },
	  { { "above", 6, { P6_OUT } }, { "below", 6, { P6_BELOW } },
	    { "ipv4", 4, { 32, 1, 13, 184 } } } },
	{ "host4", ANY_FROM4(32, 203, 0, 113, 7),
	  { { "in", 4, { 203, 0, 113, 7 } } },
	  { { "above", 4, { 203, 0, 113, 8 } },
	    { "below", 4, { 203, 0, 113, 6 } },
	    { "other-byte", 4, { 203, 0, 112, 7 } } } },
	{ "host6", ANY_FROM6(128, 0x20, 0x01, 0x0d, 0xb8, [15] = 7),
	  { { "in", 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } } },
	  { { "above", 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 8 } },
	    { "below", 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 6 } },
	    { "other-byte", 6, { 0x20, 0x01, 0x0d, 0xb8, [14] = 1,
				 [15] = 7 } } } },
	{ "all4", ANY_FROM4(0, 0, 0, 0, 0),
	  { { "in-high", 4, { 255, 255, 255, 255 } },
	    { "in-low", 4, { 0, 0, 0, 1 } }, { "in", 4, { P4_IN } } },
	  { { "ipv6", 6, { 0xfd, [15] = 1 } } } },
	{ "all6", ANY_FROM6(0),
	  { { "in-high", 6, { [0 ... 15] = 0xff } },
	    { "in-low", 6, { [15] = 1 } }, { "in", 6, { P6_IN } } },
	  { { "ipv4", 4, { 198, 18, 0, 1 } } } },
};

static void add_pfx_case(struct cases *cs, const struct pfx_sweep *p,
			 const struct src_addr *a, bool in, enum kind k)
{
	struct tcase c = { .rules = { p->r } };
	int why = kind_frame(&c.f, a->fam, k);

	memcpy(c.f.src, a->a, sizeof(c.f.src));
	c.act = in ? XDP_DROP : XDP_PASS;
	c.why = in ? XF_R_DROPPED : why;
	snprintf(c.name, sizeof(c.name), "prefix/%s/%s-%s-%s", p->name,
		 a->tag, kind_names[k], in ? "blocked" : "passes");
	add_case(cs, &c);
}

static void add_prefixes(struct cases *cs)
{
	const struct pfx_sweep *p;
	const struct src_addr *a;
	int k;

	for (p = pfx_sweeps;
	     p < pfx_sweeps + sizeof(pfx_sweeps) / sizeof(pfx_sweeps[0]);
	     p++) {
		for (k = 0; k < K_MAX; k++) {
			for (a = p->in; a < p->in + 3 && a->tag; a++)
				add_pfx_case(cs, p, a, true, k);
			for (a = p->out; a < p->out + 4 && a->tag; a++)
				add_pfx_case(cs, p, a, false, k);
		}
	}
}

/* Allow policy: UDP to the ephemeral range and to DHCP passes unlisted. */
static void add_allow_udp(struct cases *cs, int fam, uint16_t port,
			  const struct conf *cfg, const char *what, bool pass)
{
	struct tcase c = { .f = { .l4 = L4_UDP, .dport = port },
			   .rules = { UDP_RULE(53) }, .cfg = *cfg };

	c.f.l3 = fam == 4 ? L3_IPV4 : L3_IPV6;
	c.act = pass ? XDP_PASS : XDP_DROP;
	c.why = pass ? XF_R_PASSED : XF_R_POLICY;
	snprintf(c.name, sizeof(c.name), "allow/ipv%d-udp-%u-%s-%s", fam, port,
		 what, pass ? "passes" : "blocked");
	add_case(cs, &c);
}

static void add_allow(struct cases *cs)
{
	static const struct conf eph = { .allow = true, EPH },
		nodhcp = { .allow = true, .nodhcp = true, EPH },
		low = { .allow = true, .eph_lo = 1024, .eph_hi = 2047 };
	static const uint16_t eph_ports[] = {
		1024, 32767, 32768, 45000, 60999, 61000, 65535,
	};
	static const uint16_t low_ports[] = { 1023, 1024, 2047, 2048, 40000 };
	static const uint16_t dhcp_ports[] = { 67, 68, 546, 547 };
	static const uint16_t near_dhcp[] = { 66, 69, 545, 548 };
	struct tcase c;
	size_t i;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < sizeof(eph_ports) / sizeof(eph_ports[0]); i++)
			add_allow_udp(cs, fam, eph_ports[i], &eph, "eph",
				      eph_ports[i] >= 32768 &&
				      eph_ports[i] <= 60999);
		for (i = 0; i < sizeof(dhcp_ports) / sizeof(dhcp_ports[0]);
		     i++) {
			add_allow_udp(cs, fam, dhcp_ports[i], &eph, "dhcp",
				      true);
			add_allow_udp(cs, fam, dhcp_ports[i], &nodhcp,
				      "nodhcp", false);
			add_allow_udp(cs, fam, near_dhcp[i], &eph, "dhcp",
				      false);
			/* DHCP is UDP: a SYN to its port is gated. */
			c = (struct tcase){ .f = { .l4 = L4_TCP,
						   .dport = dhcp_ports[i] },
					    .rules = { UDP_RULE(53) },
					    POLICY, .cfg = eph };
			c.f.l3 = fam == 4 ? L3_IPV4 : L3_IPV6;
			snprintf(c.name, sizeof(c.name),
				 "allow/ipv%d-tcp-syn-%u-dhcp-blocked", fam,
				 dhcp_ports[i]);
			add_case(cs, &c);
		}
	}
	/* The range is the config's, not a constant. */
	for (i = 0; i < sizeof(low_ports) / sizeof(low_ports[0]); i++)
		add_allow_udp(cs, 4, low_ports[i], &low, "eph-1024-2047",
			      low_ports[i] >= 1024 && low_ports[i] <= 2047);
}

void add_generated(struct cases *cs)
{
	struct tcase c;
	struct frame f;
	size_t i, n;
	int v;

	/* ihl 6..15: options from 4 to 40 bytes, parsed past. */
	for (v = 6; v <= 15; v++) {
		c = (struct tcase){ .f = { V4_TCP(8080), .ihl = v, .plen = 4 },
				    .rules = { TCP_RULE(8080) }, DROPPED };
		snprintf(c.name, sizeof(c.name),
			 "ipv4/options-ihl%d-tcp-blocked", v);
		add_case(cs, &c);
	}
	/* ihl 0..4: the 20 fixed bytes are there, the field is wrong. */
	for (v = 0; v <= 4; v++) {
		c = (struct tcase){ .f = { V4_TCP(8081), .ihl = v,
					   .opt_len = -1 },
				    .rules = { TCP_RULE(8080) }, MALFORMED };
		c.f.ihl = v ? v : 0x10;	/* 0x10 & 0xf: a real ihl of 0 */
		snprintf(c.name, sizeof(c.name), "ipv4/ihl-%d", v);
		add_case(cs, &c);
	}
	/* doff 0..4 with enough bytes behind it for any reading of doff. */
	for (v = 0; v <= 4; v++) {
		c = (struct tcase){ .f = { V4_TCP(8080), .plen = 40 },
				    .rules = { TCP_RULE(8080) }, MALFORMED };
		c.f.doff = v ? v : 0x10;	/* 0x10 & 0xf: doff 0 */
		snprintf(c.name, sizeof(c.name), "ipv4/tcp-doff-%d", v);
		add_case(cs, &c);
	}

	/* Every cut from 0 bytes to the whole frame. Any cut leaves the IP
	 * length claiming more than the frame holds, and before the end of
	 * the L4 header some header is incomplete as well: malformed, as the
	 * kernel would drop it. Only the whole frame reaches the rule. */
	for (i = 0; i < sizeof(cut_bases) / sizeof(cut_bases[0]); i++) {
		build_frame(&cut_bases[i].f, &f);
		for (n = 0; n <= f.len; n++) {
			c = cut_bases[i];
			c.f.cut = CUT_AT(n);
			if (n < f.len)
				c.why = XF_R_MALFORMED;
			snprintf(c.name, sizeof(c.name), "truncation/%.32s/%zu",
				 cut_bases[i].name, n);
			add_case(cs, &c);
		}
	}

	add_sweeps(cs);
	add_prefixes(cs);
	add_allow(cs);
}
