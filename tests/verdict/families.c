// SPDX-License-Identifier: GPL-2.0
/* families.c - xf_verdict's generated cases: families a loop covers better
 * than a table (every IPv4 ihl and TCP doff, every truncation length, the
 * edges of every port range, every kind of packet from inside and outside
 * a prefix, the allow policy's ephemeral range and DHCP ports, the
 * stateful policy's flows and near misses of them), added to the same list
 * as the table's (cases.c).
 */
#include <stdio.h>
#include <string.h>

#include "../../src/xf_rule.h"
#include "../lib/flows.h"
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

/* ------------------------------------------------------------- stateful */

/* The stateful allow policy (issue 14). The frames carry the tuples of the
 * flows tests/lib/flows.h makes for real, between loopback's addresses
 * (127.0.0.1 or ::1 both ways), or near misses of them. An end is a port:
 * a number, or a flow's client or server port (CLI, SRV), or those of the
 * other family's flow (OCLI, OSRV). */
#define CLI(k)		(0x10000 | (k))
#define SRV(k)		(0x20000 | (k))
#define OCLI(k)		(0x30000 | (k))
#define OSRV(k)		(0x40000 | (k))
#define NONE		FLOW_NONE_PORT

enum st_tweak {
	ST_SRC2 = 1 << 0,	/* the source address's last byte + 1 */
	ST_DST2 = 1 << 1,	/* the destination's */
	ST_NODHCP = 1 << 2,	/* policy allow nodhcp */
	ST_OPTS = 1 << 3,	/* IPv4 options, IPv6 extension headers */
	ST_MB = 1 << 4,		/* 8000 bytes of payload: multi-buffer */
	ST_LATER = 1 << 5,	/* a later fragment */
	ST_DOFF4 = 1 << 6,	/* TCP doff 4: malformed */
	ST_ANY_LO = 1 << 7,	/* rule: any from loopback's address */
	ST_VLAN = 1 << 8,	/* also behind 802.1Q and QinQ tags */
	ST_ICMP = 1 << 9,	/* ICMP echo instead */
};

struct st_shape {
	const char	*name;
	enum l4		l4;
	uint8_t		flags;		/* TCP flags; 0: SYN */
	int		from, to;	/* sport, dport: ends */
	int		act, why;
	unsigned	tweak;		/* enum st_tweak */
	struct rule	r;		/* a rule of the set, if on */
	int		rport;		/* its port, an end (0: r's own) */
	int		repeat;		/* frames (0: 1) */
	int		limited;	/* ... beyond r's limit */
};

#define ST_TCP(n, fl, a, b, v, ...)					\
	{ n, L4_TCP, fl, a, b, v, __VA_ARGS__ }
#define ST_UDP(n, a, b, v, ...)	{ n, L4_UDP, 0, a, b, v, __VA_ARGS__ }
#define ACK_		TH_ACK
#define FIN_ACK		(TH_FIN | TH_ACK)
#define SYN_ACK		(TH_SYN | TH_ACK)
#define PSH_ACK		(TH_PSH | TH_ACK)
#define RULE_ON(e)	.r = TCP_RULE(0), .rport = (e)
#define K_TCP		XF_FLOW_TCP
#define K_SK		XF_FLOW_TCP_SK
#define K_CT		XF_FLOW_TCP_CT
#define K_UDP		XF_FLOW_UDP
#define K_UDP_CT	XF_FLOW_UDP_CT

static const struct st_shape st_shapes[] = {
	/* A new connection drops without a lookup, known or not. */
	ST_TCP("tcp-syn-to-listener", TH_SYN, NONE, SRV(K_TCP), POLICY,
	       .tweak = ST_VLAN),
	ST_TCP("tcp-syn-of-known-flow", TH_SYN, CLI(K_TCP), SRV(K_TCP),
	       POLICY),
	ST_TCP("tcp-syn-to-closed-port", TH_SYN, NONE, 6000, POLICY),
	/* Segments of no flow: a listener is no flow. */
	ST_TCP("tcp-ack-unknown-to-listener", ACK_, NONE, SRV(K_TCP), STATE,
	       .tweak = ST_VLAN),
	ST_TCP("tcp-ack-unknown-no-socket", ACK_, NONE, 6000, STATE),
	ST_TCP("tcp-fin-unknown", TH_FIN, NONE, SRV(K_SK), STATE),
	ST_TCP("tcp-rst-unknown", TH_RST, NONE, SRV(K_TCP), STATE),
	ST_TCP("tcp-syn-ack-unknown", SYN_ACK, SRV(K_TCP), NONE, STATE),
	/* Segments of a connection conntrack and both sockets know. */
	ST_TCP("tcp-ack-known-to-server", ACK_, CLI(K_TCP), SRV(K_TCP),
	       TRACKED, .tweak = ST_VLAN),
	ST_TCP("tcp-ack-known-to-client", ACK_, SRV(K_TCP), CLI(K_TCP),
	       TRACKED, .tweak = ST_VLAN),
	ST_TCP("tcp-fin-ack-known-to-server", FIN_ACK, CLI(K_TCP), SRV(K_TCP),
	       TRACKED),
	ST_TCP("tcp-fin-ack-known-to-client", FIN_ACK, SRV(K_TCP), CLI(K_TCP),
	       TRACKED),
	ST_TCP("tcp-syn-ack-known-to-client", SYN_ACK, SRV(K_TCP), CLI(K_TCP),
	       TRACKED),
	ST_TCP("tcp-rst-known-to-server", TH_RST, CLI(K_TCP), SRV(K_TCP),
	       TRACKED),
	ST_TCP("tcp-psh-ack-known-to-client", PSH_ACK, SRV(K_TCP),
	       CLI(K_TCP), TRACKED),
	ST_TCP("tcp-ack-known-ip-options", ACK_, CLI(K_TCP), SRV(K_TCP),
	       TRACKED, .tweak = ST_OPTS),
	ST_TCP("tcp-ack-known-8000-bytes", ACK_, SRV(K_TCP), CLI(K_TCP),
	       TRACKED, .tweak = ST_MB),
	/* A connection made before tracking was on: its sockets only. */
	ST_TCP("tcp-sockets-only-ack-to-server", ACK_, CLI(K_SK), SRV(K_SK),
	       TRACKED),
	ST_TCP("tcp-sockets-only-ack-to-client", ACK_, SRV(K_SK), CLI(K_SK),
	       TRACKED),
	ST_TCP("tcp-sockets-only-fin-ack-to-server", FIN_ACK, CLI(K_SK),
	       SRV(K_SK), TRACKED),
	/* A closed connection: conntrack only toward its server (the
	 * listener is gone too), conntrack and a TIME_WAIT socket toward
	 * its client. */
	ST_TCP("tcp-conntrack-only-ack-to-server", ACK_, CLI(K_CT), SRV(K_CT),
	       TRACKED),
	ST_TCP("tcp-conntrack-only-fin-ack-to-server", FIN_ACK, CLI(K_CT),
	       SRV(K_CT), TRACKED),
	ST_TCP("tcp-closed-ack-to-client-time-wait", ACK_, SRV(K_CT),
	       CLI(K_CT), TRACKED),
	/* Near misses: a lookup must match the whole tuple. */
	ST_TCP("tcp-ack-ports-of-two-flows", ACK_, CLI(K_TCP), SRV(K_SK),
	       STATE),
	ST_TCP("tcp-ack-server-port-both-ends", ACK_, SRV(K_TCP), SRV(K_TCP),
	       STATE),
	ST_TCP("tcp-ack-other-source-address", ACK_, CLI(K_TCP), SRV(K_TCP),
	       STATE, .tweak = ST_SRC2),
	ST_TCP("tcp-ack-other-destination-address", ACK_, SRV(K_TCP),
	       CLI(K_TCP), STATE, .tweak = ST_DST2),
	ST_TCP("tcp-ack-ports-of-udp-flow", ACK_, CLI(K_UDP), SRV(K_UDP),
	       STATE),
	ST_TCP("tcp-ack-ports-of-other-family-flow", ACK_, OCLI(K_TCP),
	       OSRV(K_TCP), STATE),
	/* UDP: conntrack only, a reply seen or not. */
	ST_UDP("udp-known-to-server", CLI(K_UDP), SRV(K_UDP), TRACKED),
	ST_UDP("udp-known-to-client", SRV(K_UDP), CLI(K_UDP), TRACKED,
	       .tweak = ST_VLAN),
	ST_UDP("udp-conntrack-only-to-server", CLI(K_UDP_CT), SRV(K_UDP_CT),
	       TRACKED),
	ST_UDP("udp-conntrack-only-to-client", SRV(K_UDP_CT), CLI(K_UDP_CT),
	       TRACKED, .tweak = ST_OPTS),
	ST_UDP("udp-unknown", NONE, SRV(K_UDP), POLICY, .tweak = ST_VLAN),
	ST_UDP("udp-unknown-ephemeral-port", 53, 40000, POLICY),
	ST_UDP("udp-ports-of-tcp-flow", CLI(K_TCP), SRV(K_TCP), POLICY),
	ST_UDP("udp-ports-of-other-family-flow", OSRV(K_UDP), OCLI(K_UDP),
	       POLICY),
	ST_UDP("udp-other-source-address", SRV(K_UDP), CLI(K_UDP), POLICY,
	       .tweak = ST_SRC2),
	/* DHCP passes without a lookup, unless nodhcp; it is UDP only. */
	ST_UDP("udp-dhcp-67", 68, 67, PASSED),
	ST_UDP("udp-dhcp-68", 67, 68, PASSED),
	ST_UDP("udp-dhcp-546", 547, 546, PASSED),
	ST_UDP("udp-dhcp-547", 546, 547, PASSED),
	ST_UDP("udp-nodhcp-67", 68, 67, POLICY, .tweak = ST_NODHCP),
	ST_UDP("udp-nodhcp-547", 546, 547, POLICY, .tweak = ST_NODHCP),
	ST_TCP("tcp-ack-dhcp-port", ACK_, 68, 67, STATE),
	/* Rules decide first, known flow or not. */
	ST_TCP("rule/tcp-syn-listed", TH_SYN, NONE, SRV(K_TCP), ALLOWED,
	       RULE_ON(SRV(K_TCP))),
	ST_TCP("rule/tcp-ack-unknown-listed", ACK_, NONE, SRV(K_TCP), ALLOWED,
	       RULE_ON(SRV(K_TCP))),
	ST_TCP("rule/tcp-ack-known-listed", ACK_, CLI(K_TCP), SRV(K_TCP),
	       ALLOWED, RULE_ON(SRV(K_TCP))),
	ST_TCP("rule/tcp-ack-known-source-port-listed", ACK_, SRV(K_TCP),
	       CLI(K_TCP), ALLOWED, .r = RULE(XF_PM_TCP, 0, 0, SRC_PORT),
	       .rport = SRV(K_TCP)),
	ST_UDP("rule/udp-listed", 40000, 53, ALLOWED, .r = UDP_RULE(53)),
	ST_TCP("rule/tcp-ack-known-other-port-listed", ACK_, CLI(K_TCP),
	       SRV(K_TCP), TRACKED, .r = TCP_RULE(22)),
	ST_TCP("rule/tcp-ack-unknown-other-port-listed", ACK_, NONE,
	       SRV(K_TCP), STATE, .r = TCP_RULE(22)),
	ST_TCP("rule/tcp-ack-unknown-any-from-loopback", ACK_, NONE, 6000,
	       ALLOWED, .tweak = ST_ANY_LO),
	/* What the policy does not gate. */
	ST_TCP("icmp", 0, 0, 0, OTHER_L4, .tweak = ST_ICMP),
	ST_TCP("tcp-later-fragment-unknown", ACK_, NONE, SRV(K_TCP), FRAGMENT,
	       .tweak = ST_LATER),
	ST_TCP("tcp-doff-4-known", ACK_, CLI(K_TCP), SRV(K_TCP), MALFORMED,
	       .tweak = ST_DOFF4),
};

static uint16_t st_port(int fam, int end)
{
	int k = end & 0xffff, other = fam == 4 ? 6 : 4;

	switch (end >> 16) {
	case 1:
		return (uint16_t)FLOW_CLI(fam, k);
	case 2:
		return (uint16_t)FLOW_SRV(fam, k);
	case 3:
		return (uint16_t)FLOW_CLI(other, k);
	case 4:
		return (uint16_t)FLOW_SRV(other, k);
	}
	return (uint16_t)end;
}

static void add_st_case(struct cases *cs, const char *group,
			const struct st_shape *sh, int fam,
			const uint16_t *tags, const char *tag_name)
{
	static const uint8_t lo4[4] = { FLOW_LO4 }, lo6[16] = { FLOW_LO6 };
	struct tcase c = { STATEFUL, .act = sh->act, .why = sh->why,
			   .repeat = sh->repeat, .limited = sh->limited };
	struct fspec *f = &c.f;
	int n = fam == 4 ? 4 : 16, i;

	f->l3 = fam == 4 ? L3_IPV4 : L3_IPV6;
	f->l4 = sh->tweak & ST_ICMP ? L4_ICMP : sh->l4;
	f->tflags = sh->flags;
	f->sport = st_port(fam, sh->from);
	f->dport = st_port(fam, sh->to);
	memcpy(f->src, fam == 4 ? lo4 : lo6, n);
	memcpy(f->dst, fam == 4 ? lo4 : lo6, n);
	for (i = 0; tags && i < MAX_TAGS && tags[i]; i++)
		f->tags[i] = tags[i];
	if (sh->tweak & ST_SRC2)
		f->src[n - 1]++;
	if (sh->tweak & ST_DST2)
		f->dst[n - 1]++;
	c.cfg.nodhcp = sh->tweak & ST_NODHCP;
	if (sh->tweak & ST_OPTS) {
		if (fam == 4) {
			f->ihl = 8;
		} else {
			f->ext[0] = (struct ext)HBH(0);
			f->ext[1] = (struct ext)DST(1);
			f->n_ext = 2;
		}
	}
	if (sh->tweak & ST_MB)
		f->plen = 8000;
	if (sh->tweak & ST_LATER) {
		f->plen = 40;
		if (fam == 4) {
			f->frag = LATER;
		} else {
			f->ext[0] = (struct ext)FRAG(LATER, false);
			f->n_ext = 1;
		}
	}
	if (sh->tweak & ST_DOFF4) {
		f->doff = 4;
		f->plen = 40;
	}
	if (sh->tweak & ST_ANY_LO) {
		c.rules[0] = (struct rule){ .on = true, .anyport = true,
					    .family = (uint8_t)fam,
					    .plen = (uint8_t)(n * 8) };
		memcpy(c.rules[0].addr, f->src, n);
	} else if (sh->r.on) {
		c.rules[0] = sh->r;
		if (sh->rport)
			c.rules[0].lo = c.rules[0].hi = st_port(fam,
								sh->rport);
	}
	/* TCP past its SYN that a limit rule matches */
	c.limit_ack = c.rules[0].limit && f->l4 == L4_TCP &&
		      !(f->tflags == 0 || ((f->tflags & TH_SYN) &&
					   !(f->tflags & TH_ACK)));
	snprintf(c.name, sizeof(c.name), "%s/%sipv%d/%s-%s", group, tag_name,
		 fam, sh->name, reason_name(sh->why));
	add_case(cs, &c);
}

/* Rate limits under the stateful allow policy (issue 15): a new flow
 * (a SYN, any UDP datagram) that a limit rule matches takes a token,
 * known flow or not; any other TCP segment of the rule's port is judged as
 * if no rule matched: tracked when the host knows its flow, else state.
 * So no segment past the SYN gets through a limit rule's port unless the
 * host knows its flow (without the state tier's lookups the rule takes it:
 * limit_ack). Rule r has limit 1/s burst 1 for the ACKs (which must never
 * take a token), burst 2 for the new flows. */
#define LIM_ON(pm, b, e)	.r = RULE(pm, 0, 0, LIMIT(1, b)), .rport = (e)

static const struct st_shape lim_shapes[] = {
	ST_TCP("tcp-ack-unknown-to-listener", ACK_, NONE, SRV(K_TCP), STATE,
	       LIM_ON(XF_PM_TCP, 1, SRV(K_TCP)), .repeat = 5,
	       .tweak = ST_VLAN),
	ST_TCP("tcp-rst-unknown", TH_RST, NONE, SRV(K_TCP), STATE,
	       LIM_ON(XF_PM_TCP, 1, SRV(K_TCP)), .repeat = 5),
	ST_TCP("tcp-syn-ack-unknown", SYN_ACK, SRV(K_TCP), NONE, STATE,
	       LIM_ON(XF_PM_TCP, 1, NONE), .repeat = 5),
	ST_TCP("tcp-ack-known-to-server", ACK_, CLI(K_TCP), SRV(K_TCP),
	       TRACKED, LIM_ON(XF_PM_TCP, 1, SRV(K_TCP)), .repeat = 5,
	       .tweak = ST_VLAN),
	ST_TCP("tcp-ack-known-to-client", ACK_, SRV(K_TCP), CLI(K_TCP),
	       TRACKED, LIM_ON(XF_PM_TCP, 1, CLI(K_TCP)), .repeat = 5),
	ST_TCP("tcp-fin-ack-sockets-only-to-server", FIN_ACK, CLI(K_SK),
	       SRV(K_SK), TRACKED, LIM_ON(PM_ANY, 1, SRV(K_SK)), .repeat = 5),
	ST_TCP("tcp-syn-to-listener", TH_SYN, NONE, SRV(K_TCP), LIMITED(1),
	       LIM_ON(XF_PM_TCP, 2, SRV(K_TCP)), .repeat = 3,
	       .tweak = ST_VLAN),
	ST_TCP("tcp-syn-of-known-flow", TH_SYN, CLI(K_TCP), SRV(K_TCP),
	       LIMITED(1), LIM_ON(XF_PM_TCP, 2, SRV(K_TCP)), .repeat = 3),
	ST_UDP("udp-known-to-server", CLI(K_UDP), SRV(K_UDP), LIMITED(1),
	       LIM_ON(XF_PM_UDP, 2, SRV(K_UDP)), .repeat = 3),
	ST_UDP("udp-unknown", NONE, SRV(K_UDP), LIMITED(1),
	       LIM_ON(XF_PM_UDP, 2, SRV(K_UDP)), .repeat = 3,
	       .tweak = ST_VLAN),
};

static void add_shapes(struct cases *cs, const char *group,
		       const struct st_shape *shapes, size_t n)
{
	static const uint16_t q[] = { TPID_Q, 0 }, qinq[] = { TPID_AD,
							       TPID_Q, 0 };
	const struct st_shape *sh;
	int fam;

	for (fam = 4; fam <= 6; fam += 2) {
		for (sh = shapes; sh < shapes + n; sh++) {
			add_st_case(cs, group, sh, fam, NULL, "");
			if (!(sh->tweak & ST_VLAN))
				continue;
			add_st_case(cs, group, sh, fam, q, "8021q-");
			add_st_case(cs, group, sh, fam, qinq, "qinq-");
		}
	}
}

static void add_state(struct cases *cs)
{
	add_shapes(cs, "state", st_shapes,
		   sizeof(st_shapes) / sizeof(st_shapes[0]));
	add_shapes(cs, "limit/state", lim_shapes,
		   sizeof(lim_shapes) / sizeof(lim_shapes[0]));
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
	add_state(cs);
}
