// SPDX-License-Identifier: GPL-2.0
/* verdict.c - xf_verdict: feed crafted frames straight to the filter with
 * BPF_PROG_TEST_RUN and compare each verdict with the contract in DESIGN.md
 * ("Rule semantics"): the XDP action, the one xf_stats reason that counted
 * the frame, and the xf_rcount slot of the rule that decided it (dropped it,
 * or let it through under the allow policy), no other rule's.
 *
 * Any object with the xdp_filter.h ABI works (--obj), so the C and the Rust
 * implementations are held to the same table. Maps are never pinned: the
 * object is loaded privately, and thrown away on exit, so the tool needs no
 * bpffs and never touches an attached filter.
 *
 * Cases are data: one table of {name, frame spec, rules, config, expected
 * action, expected reason}, plus a few loops that generate families of cases
 * (every IPv4 ihl, every truncation length, the edges of every port range,
 * every kind of packet from inside and outside a prefix) into the same list.
 * A case's rules are every form xdp_filter.h describes (ports N or N-M, tcp,
 * udp or both, dst or src, with or without "from PREFIX", "any from
 * PREFIX"), written into the maps the way rulectl writes them (xf_maps.c:
 * xf_rule_add), and its config (policy, ephemeral range, DHCP) into
 * xf_config; all of it is taken out again after the case.
 *
 * Rule sets (ABI v4): a case's rules and policy go into one of the two rule
 * sets and xf_config.set names the active one. The table's cases alternate
 * between set 0 and set 1 (by their place in the list), so every group runs
 * in both; the sets/ cases put rules in one set and make the other active.
 * Drop log: a rule may log its drops (XF_ID_LOG on its id, a rate in
 * xf_rlog); every case reads the xf_log ring buffer afterwards, and only a
 * drop by a logging rule within its rate may have left an event there.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../xdp_filter.h"
#include "xf_load.h"

#define PROG		"xf_verdict"
#define DEFAULT_OBJ	"build/xdp_filter.o"

#define FRAME_MAX	1024
#define ETH_LEN		14
#define TCP_MIN		20

/* Wire values, spelled out here rather than mixing the linux/ headers with
 * <netinet/in.h>, whose definitions collide. */
#define ET_IPV4		0x0800
#define ET_ARP		0x0806
#define ET_IPV6		0x86dd
#define ET_LLDP		0x88cc
#define TPID_Q		0x8100		/* 802.1Q */
#define TPID_AD		0x88a8		/* 802.1ad, QinQ outer tag */

#define P_HOPOPTS	0
#define P_ICMP		1
#define P_TCP		6
#define P_UDP		17
#define P_ROUTING	43
#define P_FRAGMENT	44
#define P_GRE		47
#define P_ESP		50
#define P_AH		51
#define P_ICMPV6	58
#define P_NONE		59
#define P_DSTOPTS	60
#define P_SCTP		132

#define IPV4_MF		0x2000
#define IPV4_DF		0x4000

#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_ACK		0x10
#define TH_FIN		0x01

#define ICMP6_NS	135		/* NDP neighbour solicitation */
#define ICMP6_NA	136		/* NDP neighbour advertisement */

#define MAX_TAGS	3
#define MAX_EXT		10
#define MAX_RULES	4
#define MAX_EVENTS	256		/* drop log records kept per case */

enum l3 {
	L3_IPV4 = 1,
	L3_IPV6,
	L3_ARP,
	L3_LLDP,
};

enum l4 {
	L4_NONE = 0,	/* only the protocol number, then the payload */
	L4_TCP,
	L4_UDP,
	L4_ICMP,	/* ICMP echo for IPv4, ICMPv6 echo for IPv6 */
};

/* One IPv6 extension header. len is the raw length field: 8-octet units
 * beyond the first 8 for hop-by-hop/routing/dest options, 4-octet units
 * minus 2 for AH; ignored for the fragment header. */
struct ext {
	uint8_t		type;
	uint8_t		len;
	uint16_t	frag;		/* fragment offset, 8-octet units */
	bool		more;		/* fragment M flag */
};

/* What to build. Zero is the ordinary value of every field, so a table
 * entry only names what makes the case special. */
struct fspec {
	uint16_t	tags[MAX_TAGS];	/* TPIDs, outermost first; 0 ends */
	enum l3		l3;
	int		ver;		/* IP version field; 0: the right one */
	int		ihl;		/* IPv4 ihl field; 0: 5 */
	int		opt_len;	/* IPv4 option bytes; 0: as ihl says,
					 * -1: none whatever ihl says */
	int		tot_len;	/* IPv4 tot_len; 0: the real length */
	int		pay_len;	/* IPv6 payload_len + 1; 0: the real one */
	uint16_t	frag;		/* IPv4 frag_off field, host order */
	struct ext	ext[MAX_EXT];	/* IPv6 extension headers, in order */
	int		n_ext;
	int		proto;		/* L4 protocol number; 0: from l4 */
	enum l4		l4;
	uint16_t	sport;		/* 0: 40000 */
	uint16_t	dport;
	uint8_t		src[16];	/* source address, network order, IPv4
					 * in the first 4; all zero: 198.18.0.1
					 * or fd00::1 */
	uint8_t		tflags;		/* TCP flags; 0: SYN */
	uint8_t		icmp_type;	/* 0: echo request */
	int		doff;		/* TCP doff field; 0: 5 + topt / 4 */
	int		topt;		/* TCP option bytes written */
	int		plen;		/* payload bytes after the L4 header */
	int		cut;		/* > 0: keep only the first cut - 1 bytes */
};

#define CUT_AT(n)	((n) + 1)

/* A rule as rulectl takes it (xdp_filter.h): PORTS PROTO [dst|src]
 * [from PREFIX], or "any from PREFIX". Rule i of a case gets id i + 1; rules
 * with the same prefix share one prefix id, as rulectl shares them. */
struct rule {
	bool		on;
	uint8_t		protos;		/* XF_PM_* bits; both for "any" */
	uint8_t		dir;		/* enum xf_dir */
	uint16_t	lo;		/* ports, host order, inclusive */
	uint16_t	hi;		/* 0: lo */
	bool		anyport;	/* "any from PREFIX" */
	uint8_t		family;		/* 0: no prefix, 4 or 6 */
	uint8_t		plen;		/* prefix length */
	uint8_t		addr[16];	/* network order, IPv4 in the first 4 */
	bool		logged;		/* XF_ID_LOG on its id: logs drops */
	uint32_t	rate;		/* xf_rlog rate, events/s (it is
					 * written even without XF_ID_LOG) */
};

/* One rule set of xf_config (struct xf_set) in a case. Zero is the deny
 * policy. */
struct conf {
	bool		allow;		/* XF_CFG_ALLOW */
	bool		nodhcp;		/* XF_CFG_NO_DHCP */
	uint16_t	eph_lo;		/* ephemeral range, inclusive */
	uint16_t	eph_hi;
	bool		uncounted;	/* prefixes go in the tries but
					 * nprefix4/6 stay 0 */
};

/* What the set that does not hold the rules holds (struct tcase.other). */
enum other {
	O_EMPTY = 0,		/* nothing: no rules, zero counts */
	O_COUNTS,		/* the rules' counts (nprefix4/6, nsrc), so
				 * its tries and source slots are looked at */
	O_PREFIXES,		/* those, and the rules' prefixes in its
				 * tries under the same prefix ids, without
				 * any rule: no any_id, no port slots */
};

/* When a case expects XF_R_DROPPED or XF_R_ALLOWED, rules[0] is the rule
 * that must have counted it; every other rule of the case must not move.
 * A case runs its frame repeat times in one BPF_PROG_TEST_RUN; with again,
 * once more after its rule 0's drop log had time for one more token. */
struct tcase {
	char		name[64];
	struct fspec	f;
	struct rule	rules[MAX_RULES];
	int		act;		/* XDP_PASS or XDP_DROP */
	int		why;		/* enum xf_reason */
	struct conf	cfg;		/* the policy of the rules' set */
	int		set;		/* the rules' set + 1; 0: by the case's
					 * place in the list */
	int		active;		/* xf_config.set + 1; 0: the rules' */
	struct conf	ocfg;		/* the policy of the other set */
	enum other	other;
	int		repeat;		/* 0: 1 */
	bool		again;
	uint32_t	old_rate;	/* rule 0's bucket starts full at this
					 * rate, as if its rate was lowered */
};

struct frame {
	uint8_t		b[FRAME_MAX];
	size_t		len;
	size_t		l4_end;		/* offset just past the L4 header */
};

/* ---------------------------------------------------------------- frames */

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Reserves n zeroed bytes at the end of the frame. The table is static and
 * reviewed, so running past FRAME_MAX is a bug in this file: abort loudly. */
static uint8_t *put(struct frame *f, size_t n)
{
	uint8_t *p = f->b + f->len;

	if (f->len + n > sizeof(f->b)) {
		fprintf(stderr, PROG ": frame spec larger than %d bytes\n",
			FRAME_MAX);
		abort();
	}
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void put_eth(struct frame *f, uint16_t type)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 0x02,		/* dst */
		0x02, 0, 0, 0, 0, 0x01,		/* src */
	};
	uint8_t *p = put(f, ETH_LEN);

	memcpy(p, macs, sizeof(macs));
	w16(p + 12, type);
}

static void put_vlan(struct frame *f, uint16_t vid, uint16_t next)
{
	uint8_t *p = put(f, 4);

	w16(p, vid & 0x0fff);
	w16(p + 2, next);
}

static void put_arp(struct frame *f)
{
	uint8_t *p = put(f, 28);

	w16(p, 1);			/* Ethernet */
	w16(p + 2, ET_IPV4);
	p[4] = 6;
	p[5] = 4;
	w16(p + 6, 1);			/* request */
}

static void put_lldp(struct frame *f)
{
	uint8_t *p = put(f, 4);

	w16(p, 0x0207);			/* chassis id TLV, 7 bytes */
	p[2] = 4;
}

static bool has_src(const struct fspec *s)
{
	static const uint8_t zero[sizeof(s->src)];

	return memcmp(s->src, zero, sizeof(zero)) != 0;
}

/* IPv4 header with ihl and option bytes as asked, however wrong. Returns its
 * offset so ipv4_finish() can fill tot_len and the checksum. */
static size_t put_ipv4(struct frame *f, const struct fspec *s, int proto)
{
	int ihl = s->ihl ? s->ihl : 5;
	int opt = s->opt_len < 0 ? 0 : s->opt_len;
	size_t off = f->len;
	uint8_t *p;

	if (!s->opt_len && ihl > 5)
		opt = (ihl - 5) * 4;
	p = put(f, 20 + opt);
	p[0] = (s->ver ? s->ver : 4) << 4 | (ihl & 0xf);
	w16(p + 4, 0x1234);		/* id */
	w16(p + 6, s->frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, (uint8_t[]){ 198, 18, 0, 1, 198, 18, 0, 2 }, 8);
	if (has_src(s))
		memcpy(p + 12, s->src, 4);
	if (opt) {
		/* NOPs then End of Options: a valid list of any length. */
		memset(p + 20, 1, opt);
		p[20 + opt - 1] = 0;
	}
	return off;
}

static void ipv4_finish(struct frame *f, size_t off, const struct fspec *s)
{
	uint8_t *p = f->b + off;
	int hlen = (p[0] & 0xf) * 4;
	uint32_t sum = 0;
	int i;

	w16(p + 2, s->tot_len ? s->tot_len : (int)(f->len - off));
	if (hlen < 20)
		hlen = 20;
	for (i = 0; i < hlen; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	w16(p + 10, ~sum & 0xffff);
}

static size_t put_ipv6(struct frame *f, const struct fspec *s, int next)
{
	size_t off = f->len;
	uint8_t *p = put(f, 40);

	p[0] = (s->ver ? s->ver : 6) << 4;
	p[6] = next;
	p[7] = 64;
	p[8] = 0xfd;			/* fd00::1 -> fd00::2 */
	p[23] = 1;
	p[24] = 0xfd;
	p[39] = 2;
	if (has_src(s))
		memcpy(p + 8, s->src, 16);
	return off;
}

static void ipv6_finish(struct frame *f, size_t off, const struct fspec *s)
{
	w16(f->b + off + 4, s->pay_len ? s->pay_len - 1 : (int)(f->len - off - 40));
}

static void put_ext(struct frame *f, const struct ext *e, int next)
{
	uint8_t *p;
	int n;

	switch (e->type) {
	case P_HOPOPTS:
	case P_DSTOPTS:
		n = (e->len + 1) * 8;
		p = put(f, n);
		p[2] = 1;		/* one PadN filling the header */
		p[3] = n - 4;
		break;
	case P_ROUTING:
		n = (e->len + 1) * 8;
		p = put(f, n);
		p[2] = 253;		/* experimental type, segments left 0 */
		break;
	case P_FRAGMENT:
		p = put(f, 8);
		w16(p + 2, e->frag << 3 | e->more);
		w16(p + 6, 0x4242);	/* identification */
		break;
	case P_AH:
		p = put(f, (e->len + 2) * 4);
		w16(p + 6, 0x100);	/* SPI */
		p[11] = 1;		/* sequence number */
		break;
	default:
		fprintf(stderr, PROG ": no builder for extension %u\n",
			e->type);
		abort();
	}
	p[0] = next;
	p[1] = e->len;
}

static void put_tcp(struct frame *f, const struct fspec *s, uint16_t sport)
{
	int doff = s->doff ? s->doff : 5 + s->topt / 4;
	uint8_t *p = put(f, TCP_MIN + s->topt);

	w16(p, sport);
	w16(p + 2, s->dport);
	w16(p + 4, 0x0102);		/* seq */
	p[12] = (doff & 0xf) << 4;
	p[13] = s->tflags ? s->tflags : TH_SYN;
	w16(p + 14, 0xffff);		/* window */
	memset(p + TCP_MIN, 1, s->topt);	/* NOPs */
}

static size_t put_udp(struct frame *f, const struct fspec *s, uint16_t sport)
{
	size_t off = f->len;
	uint8_t *p = put(f, 8);

	w16(p, sport);
	w16(p + 2, s->dport);
	return off;
}

static void put_icmp(struct frame *f, const struct fspec *s, bool v6)
{
	uint8_t *p = put(f, 8);

	p[0] = v6 ? 128 : 8;		/* echo request */
	if (s->icmp_type)
		p[0] = s->icmp_type;
	w16(p + 4, 1);
}

static void put_payload(struct frame *f, int n)
{
	uint8_t *p = put(f, n);
	int i;

	for (i = 0; i < n; i++)
		p[i] = 0xa0 + (i & 0xf);
}

static void frame_cut(struct frame *f, size_t n)
{
	if (n < f->len)
		f->len = n;
}

static int l4_proto(const struct fspec *s)
{
	if (s->proto)
		return s->proto;
	switch (s->l4) {
	case L4_TCP:
		return P_TCP;
	case L4_UDP:
		return P_UDP;
	case L4_ICMP:
		return s->l3 == L3_IPV6 ? P_ICMPV6 : P_ICMP;
	default:
		return P_NONE;
	}
}

static uint16_t l3_type(const struct fspec *s)
{
	switch (s->l3) {
	case L3_IPV4:
		return ET_IPV4;
	case L3_IPV6:
		return ET_IPV6;
	case L3_ARP:
		return ET_ARP;
	default:
		return ET_LLDP;
	}
}

static void build_frame(const struct fspec *s, struct frame *f)
{
	uint16_t sport = s->sport ? s->sport : 40000;
	size_t l3 = 0, udp = 0;
	int i, ntags = 0;

	f->len = 0;
	while (ntags < MAX_TAGS && s->tags[ntags])
		ntags++;
	put_eth(f, ntags ? s->tags[0] : l3_type(s));
	for (i = 0; i < ntags; i++)
		put_vlan(f, 100 + i, i + 1 < ntags ? s->tags[i + 1] :
						      l3_type(s));

	switch (s->l3) {
	case L3_IPV4:
		l3 = put_ipv4(f, s, l4_proto(s));
		break;
	case L3_IPV6:
		l3 = put_ipv6(f, s, s->n_ext ? s->ext[0].type : l4_proto(s));
		for (i = 0; i < s->n_ext; i++)
			put_ext(f, &s->ext[i], i + 1 < s->n_ext ?
					       s->ext[i + 1].type :
					       l4_proto(s));
		break;
	case L3_ARP:
		put_arp(f);
		break;
	case L3_LLDP:
		put_lldp(f);
		break;
	}

	if (s->l3 == L3_IPV4 || s->l3 == L3_IPV6) {
		switch (s->l4) {
		case L4_TCP:
			put_tcp(f, s, sport);
			break;
		case L4_UDP:
			udp = put_udp(f, s, sport);
			break;
		case L4_ICMP:
			put_icmp(f, s, s->l3 == L3_IPV6);
			break;
		case L4_NONE:
			break;
		}
	}
	f->l4_end = f->len;
	put_payload(f, s->plen);

	/* Lengths describe the whole datagram; a cut afterwards leaves them
	 * claiming more than the frame holds, as a real truncation does. */
	if (udp)
		w16(f->b + udp + 4, f->len - udp);
	if (s->l3 == L3_IPV4)
		ipv4_finish(f, l3, s);
	else if (s->l3 == L3_IPV6)
		ipv6_finish(f, l3, s);
	if (s->cut)
		frame_cut(f, s->cut - 1);
}

/* ----------------------------------------------------------------- cases */

#define PM_ANY		(XF_PM_TCP | XF_PM_UDP)

/* PORTS PROTO [src] [from PREFIX]: RULE(PM_ANY, 6000, 6100, SRC_PORT,
 * FROM4(15, 198, 18, 0, 0)) is "6000-6100 any src from 198.18.0.0/15". */
#define RULE(pm, l, h, ...)						\
	{ .on = true, .protos = (pm), .lo = (l), .hi = (h), __VA_ARGS__ }
#define TCP_RULE(p)	RULE(XF_PM_TCP, p, p)
#define UDP_RULE(p)	RULE(XF_PM_UDP, p, p)
#define SRC_PORT	.dir = XF_DIR_SRC
/* FROM4(len, a, b, c, d), FROM6(len, bytes...): the extra level lets a
 * macro such as P4 below stand for all the arguments. */
#define FROM4(...)	FROM_(4, __VA_ARGS__)
#define FROM6(...)	FROM_(6, __VA_ARGS__)
#define FROM_(fam, len, ...)						\
	.family = (fam), .plen = (len), .addr = { __VA_ARGS__ }
#define ANY_FROM4(...)	{ .on = true, .anyport = true, FROM4(__VA_ARGS__) }
#define ANY_FROM6(...)	{ .on = true, .anyport = true, FROM6(__VA_ARGS__) }
/* A rule that logs its drops at r events/s: RULE(..., LOGGED(5)). */
#define LOGGED(r)	.logged = true, .rate = (r)

/* Rule sets: the case's rules (and .cfg) in set n, set n active. */
#define IN_SET(n)	.set = (n) + 1
#define ACTIVE(n)	.active = (n) + 1

/* Source address of a frame: SRC4(a, b, c, d), SRC6(bytes...). */
#define SRC4(...)	.src = { __VA_ARGS__ }
#define SRC6(...)	.src = { __VA_ARGS__ }

/* The prefixes of the prefix/ and allow/ cases, and addresses around
 * their edges. P4 holds the frames' default source 198.18.0.1, so every
 * outside case names its source. */
#define P4			15, 198, 18, 0, 0	/* 198.18.0.0/15 */
#define P4_IN			198, 19, 255, 254
#define P4_OUT			198, 20, 0, 1
#define P4_BELOW		198, 17, 255, 255
#define P6			32, 0x20, 0x01, 0x0d, 0xb8 /* 2001:db8::/32 */
#define P6_IN			0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1
#define P6_OUT			0x20, 0x01, 0x0d, 0xb9, [15] = 1
#define P6_BELOW		0x20, 0x01, 0x0d, 0xb7, 0xff, 0xff, [15] = 1

/* Policies. EPH is the range of Linux's default ip_local_port_range. */
#define EPH			.eph_lo = 32768, .eph_hi = 60999
#define ALLOW			.cfg = { .allow = true, EPH }
#define ALLOW_NODHCP		.cfg = { .allow = true, .nodhcp = true, EPH }

#define DROPPED		.act = XDP_DROP, .why = XF_R_DROPPED
#define PASSED		.act = XDP_PASS, .why = XF_R_PASSED
#define MALFORMED	.act = XDP_DROP, .why = XF_R_MALFORMED
#define FRAGMENT	.act = XDP_PASS, .why = XF_R_FRAGMENT
#define NON_IP		.act = XDP_PASS, .why = XF_R_NON_IP
#define OTHER_L4	.act = XDP_PASS, .why = XF_R_OTHER_L4
#define ALLOWED		.act = XDP_PASS, .why = XF_R_ALLOWED
#define POLICY		.act = XDP_DROP, .why = XF_R_POLICY

#define V4_TCP(p)	.l3 = L3_IPV4, .l4 = L4_TCP, .dport = (p)
#define V4_UDP(p)	.l3 = L3_IPV4, .l4 = L4_UDP, .dport = (p)
#define V6_TCP(p)	.l3 = L3_IPV6, .l4 = L4_TCP, .dport = (p)
#define V6_UDP(p)	.l3 = L3_IPV6, .l4 = L4_UDP, .dport = (p)

#define HBH(l)		{ .type = P_HOPOPTS, .len = (l) }
#define RT(l)		{ .type = P_ROUTING, .len = (l) }
#define DST(l)		{ .type = P_DSTOPTS, .len = (l) }
/* len 4: 24 bytes. (4 + 2) * 4 differs from the (len + 1) * 8 of the other
 * options headers, so a parser that treats AH like them lands elsewhere. */
#define AH		{ .type = P_AH, .len = 4 }
#define FRAG(off, m)	{ .type = P_FRAGMENT, .frag = (off), .more = (m) }
#define EXTS(...)	.ext = { __VA_ARGS__ },					\
			.n_ext = sizeof((struct ext[]){ __VA_ARGS__ }) /	\
				 sizeof(struct ext)

/* 1480 bytes into the datagram: where the second fragment of a
 * 1500-byte-MTU IPv4 packet starts. */
#define LATER		185

static const struct tcase table[] = {
	/* Each blocked case is followed by its controls: the neighbouring
	 * ports and the other protocol on the same port pass. */
	{ "basic/ipv4-tcp-blocked", { V4_TCP(8080), .plen = 10 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "basic/ipv4-tcp-port-above", { V4_TCP(8081), .plen = 10 },
	  { TCP_RULE(8080) }, PASSED },
	{ "basic/ipv4-tcp-port-below", { V4_TCP(8079), .plen = 10 },
	  { TCP_RULE(8080) }, PASSED },
	{ "basic/ipv4-udp-same-port-as-tcp-rule", { V4_UDP(8080), .plen = 10 },
	  { TCP_RULE(8080) }, PASSED },
	{ "basic/ipv4-udp-blocked", { V4_UDP(53), .plen = 10 },
	  { UDP_RULE(53) }, DROPPED },
	{ "basic/ipv4-udp-port-above", { V4_UDP(54), .plen = 10 },
	  { UDP_RULE(53) }, PASSED },
	{ "basic/ipv4-tcp-same-port-as-udp-rule", { V4_TCP(53), .plen = 10 },
	  { UDP_RULE(53) }, PASSED },
	{ "basic/ipv6-tcp-blocked", { V6_TCP(8080), .plen = 10 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "basic/ipv6-tcp-port-above", { V6_TCP(8081), .plen = 10 },
	  { TCP_RULE(8080) }, PASSED },
	{ "basic/ipv6-udp-same-port-as-tcp-rule", { V6_UDP(8080), .plen = 10 },
	  { TCP_RULE(8080) }, PASSED },
	{ "basic/ipv6-udp-blocked", { V6_UDP(53), .plen = 10 },
	  { UDP_RULE(53) }, DROPPED },
	{ "basic/ipv6-udp-port-above", { V6_UDP(54), .plen = 10 },
	  { UDP_RULE(53) }, PASSED },
	{ "basic/ipv6-tcp-same-port-as-udp-rule", { V6_TCP(53), .plen = 10 },
	  { UDP_RULE(53) }, PASSED },
	{ "basic/ipv4-tcp-no-rules", { V4_TCP(8080) }, { }, PASSED },
	{ "basic/ipv6-udp-no-rules", { V6_UDP(53) }, { }, PASSED },
	/* A rule is about the destination port only. */
	{ "basic/ipv4-tcp-source-port-has-rule",
	  { V4_TCP(9000), .sport = 8080 }, { TCP_RULE(8080) }, PASSED },
	{ "basic/ipv6-udp-source-port-has-rule",
	  { V6_UDP(9000), .sport = 53 }, { UDP_RULE(53) }, PASSED },
	/* First and last slot of each protocol's half of the table. */
	{ "basic/ipv4-tcp-port-0-blocked", { V4_TCP(0) },
	  { TCP_RULE(0) }, DROPPED },
	{ "basic/ipv4-tcp-port-65535-blocked", { V4_TCP(65535) },
	  { TCP_RULE(65535) }, DROPPED },
	{ "basic/ipv4-udp-port-0-blocked", { V4_UDP(0) },
	  { UDP_RULE(0) }, DROPPED },
	{ "basic/ipv4-udp-port-65535-blocked", { V4_UDP(65535) },
	  { UDP_RULE(65535) }, DROPPED },
	{ "basic/ipv4-tcp-65535-udp-rule-only", { V4_TCP(65535) },
	  { UDP_RULE(65535) }, PASSED },
	/* Both protocols blocked on one port: only the matching rule counts. */
	{ "basic/ipv4-tcp-both-rules", { V4_TCP(443) },
	  { TCP_RULE(443), UDP_RULE(443) }, DROPPED },
	{ "basic/ipv4-udp-both-rules", { V4_UDP(443) },
	  { UDP_RULE(443), TCP_RULE(443) }, DROPPED },
	{ "basic/ipv6-tcp-other-rules-only", { V6_TCP(443) },
	  { TCP_RULE(442), TCP_RULE(444), UDP_RULE(443) }, PASSED },

	{ "vlan/8021q-ipv4-tcp-blocked",
	  { .tags = { TPID_Q }, V4_TCP(8080) }, { TCP_RULE(8080) }, DROPPED },
	{ "vlan/8021q-ipv4-tcp-port-above",
	  { .tags = { TPID_Q }, V4_TCP(8081) }, { TCP_RULE(8080) }, PASSED },
	{ "vlan/8021q-ipv4-udp-same-port",
	  { .tags = { TPID_Q }, V4_UDP(8080) }, { TCP_RULE(8080) }, PASSED },
	{ "vlan/8021q-ipv6-udp-blocked",
	  { .tags = { TPID_Q }, V6_UDP(53) }, { UDP_RULE(53) }, DROPPED },
	{ "vlan/8021q-ipv6-udp-port-above",
	  { .tags = { TPID_Q }, V6_UDP(54) }, { UDP_RULE(53) }, PASSED },
	{ "vlan/8021ad-ipv4-tcp-blocked",
	  { .tags = { TPID_AD }, V4_TCP(8080) }, { TCP_RULE(8080) }, DROPPED },
	{ "vlan/qinq-ipv4-tcp-blocked",
	  { .tags = { TPID_AD, TPID_Q }, V4_TCP(8080) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "vlan/qinq-ipv4-tcp-port-above",
	  { .tags = { TPID_AD, TPID_Q }, V4_TCP(8081) },
	  { TCP_RULE(8080) }, PASSED },
	{ "vlan/qinq-ipv4-udp-same-port",
	  { .tags = { TPID_AD, TPID_Q }, V4_UDP(8080) },
	  { TCP_RULE(8080) }, PASSED },
	{ "vlan/qinq-ipv6-udp-blocked",
	  { .tags = { TPID_AD, TPID_Q }, V6_UDP(53) },
	  { UDP_RULE(53) }, DROPPED },
	{ "vlan/qinq-ipv6-tcp-same-port",
	  { .tags = { TPID_AD, TPID_Q }, V6_TCP(53) },
	  { UDP_RULE(53) }, PASSED },
	{ "vlan/double-8021q-ipv4-tcp-blocked",
	  { .tags = { TPID_Q, TPID_Q }, V4_TCP(8080) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "vlan/double-8021q-ipv4-tcp-port-above",
	  { .tags = { TPID_Q, TPID_Q }, V4_TCP(8081) },
	  { TCP_RULE(8080) }, PASSED },
	{ "vlan/double-8021q-ipv6-udp-blocked",
	  { .tags = { TPID_Q, TPID_Q }, V6_UDP(53) },
	  { UDP_RULE(53) }, DROPPED },
	{ "vlan/reversed-qinq-ipv4-udp-blocked",
	  { .tags = { TPID_Q, TPID_AD }, V4_UDP(53) },
	  { UDP_RULE(53) }, DROPPED },
	{ "vlan/double-8021ad-ipv4-tcp-blocked",
	  { .tags = { TPID_AD, TPID_AD }, V4_TCP(8080) },
	  { TCP_RULE(8080) }, DROPPED },
	/* The walk stops after two tags: a third is not looked into. */
	{ "vlan/three-tags-ipv4-tcp-blocked-port",
	  { .tags = { TPID_AD, TPID_Q, TPID_Q }, V4_TCP(8080) },
	  { TCP_RULE(8080) }, NON_IP },
	{ "vlan/three-8021q-ipv6-udp-blocked-port",
	  { .tags = { TPID_Q, TPID_Q, TPID_Q }, V6_UDP(53) },
	  { UDP_RULE(53) }, NON_IP },
	{ "vlan/8021q-arp", { .tags = { TPID_Q }, .l3 = L3_ARP },
	  { TCP_RULE(2054) }, NON_IP },
	{ "vlan/qinq-icmp", { .tags = { TPID_AD, TPID_Q }, .l3 = L3_IPV4,
	  .l4 = L4_ICMP }, { }, OTHER_L4 },

	/* ihl 6..15 (options), ihl 0..4 and TCP doff 0..4 come from loops
	 * in add_generated(). */
	{ "ipv4/options-ihl15-port-above", { V4_TCP(8081), .ihl = 15 },
	  { TCP_RULE(8080) }, PASSED },
	{ "ipv4/options-ihl10-udp-blocked", { V4_UDP(53), .ihl = 10 },
	  { UDP_RULE(53) }, DROPPED },
	/* ihl claims options the frame does not hold; tot_len agrees with
	 * ihl, so only the frame bound can catch it. */
	{ "ipv4/ihl-beyond-frame", { V4_TCP(8080), .ihl = 15, .opt_len = -1,
	  .tot_len = 100 }, { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/version-6-in-ipv4-frame", { V4_TCP(8080), .ver = 6 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/version-15", { V4_TCP(8081), .ver = 15 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/version-5-port-above", { V4_UDP(54), .ver = 5 },
	  { UDP_RULE(53) }, MALFORMED },
	{ "ipv4/tot-len-19", { V4_TCP(8080), .tot_len = 19 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tot-len-1-port-above", { V4_TCP(8081), .tot_len = 1 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tot-len-20-below-ihl6", { V4_TCP(8080), .ihl = 6,
	  .tot_len = 20 }, { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tot-len-59-below-ihl15", { V4_UDP(8080), .ihl = 15,
	  .tot_len = 59 }, { TCP_RULE(8080) }, MALFORMED },
	/* The IP length, not the frame, bounds the L4 header: bytes after
	 * tot_len are Ethernet padding, and a length past the frame is a
	 * truncated packet the kernel would drop. */
	{ "ipv4/tot-len-20-tcp-outside-ip", { V4_TCP(8080), .plen = 8,
	  .tot_len = 20 }, { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tot-len-30-cuts-tcp", { V4_TCP(8080), .tot_len = 30 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tot-len-beyond-frame", { V4_UDP(53), .plen = 4,
	  .tot_len = 60 }, { UDP_RULE(53) }, MALFORMED },
	{ "ipv4/padding-after-tot-len-blocked", { V4_UDP(53), .plen = 18,
	  .tot_len = 28 }, { UDP_RULE(53) }, DROPPED },
	{ "ipv4/padding-after-tot-len-port-above", { V4_UDP(54), .plen = 18,
	  .tot_len = 28 }, { UDP_RULE(53) }, PASSED },
	{ "ipv6/payload-len-0-udp", { V6_UDP(53), .plen = 8, .pay_len = 1 },
	  { UDP_RULE(53) }, MALFORMED },
	{ "ipv6/payload-len-beyond-frame", { V6_UDP(53), .plen = 8,
	  .pay_len = 101 }, { UDP_RULE(53) }, MALFORMED },
	{ "ipv6/padding-after-payload-len-blocked", { V6_UDP(53), .plen = 8,
	  .pay_len = 9 }, { UDP_RULE(53) }, DROPPED },
	{ "ipv6/hbh-past-payload-len", { V6_TCP(8080), EXTS(HBH(1)), .plen = 30,
	  .pay_len = 9 }, { TCP_RULE(8080) }, MALFORMED },
	/* found by the conformance run: a later fragment's header past
	 * payload_len is malformed too, not a fragment that passes */
	{ "ipv6/later-frag-header-past-payload-len", { V6_UDP(53),
	  EXTS(FRAG(185, false)), .plen = 8, .pay_len = 1 }, { UDP_RULE(53) },
	  MALFORMED },
	{ "ipv4/tcp-doff-15-blocked", { V4_TCP(8080), .doff = 15, .topt = 40 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv4/tcp-doff-8-port-above", { V4_TCP(8081), .doff = 8, .topt = 12,
	  .plen = 5 }, { TCP_RULE(8080) }, PASSED },
	{ "ipv4/tcp-doff-15-beyond-frame", { V4_TCP(8080), .doff = 15 },
	  { TCP_RULE(8080) }, MALFORMED },
	/* Options run past the frame even though payload follows. */
	{ "ipv4/tcp-doff-15-beyond-frame-payload", { V4_TCP(8081), .doff = 15,
	  .plen = 39 }, { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tcp-doff-6-beyond-frame", { V4_TCP(8081), .doff = 6 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv4/tcp-doff-6-just-fits", { V4_TCP(8080), .doff = 6, .plen = 4 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv4/udp-no-payload-blocked", { V4_UDP(53) },
	  { UDP_RULE(53) }, DROPPED },

	{ "ipv6/version-4-in-ipv6-frame", { V6_TCP(8080), .ver = 4 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv6/version-4-port-above", { V6_UDP(54), .ver = 4 },
	  { UDP_RULE(53) }, MALFORMED },
	{ "ipv6/tcp-doff-4", { V6_TCP(8080), .doff = 4, .plen = 20 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv6/tcp-doff-15-beyond-frame", { V6_TCP(8081), .doff = 15 },
	  { TCP_RULE(8080) }, MALFORMED },
	{ "ipv6/hbh-tcp-blocked", { V6_TCP(8080), EXTS(HBH(0)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/hbh-tcp-port-above", { V6_TCP(8081), EXTS(HBH(0)) },
	  { TCP_RULE(8080) }, PASSED },
	{ "ipv6/hbh-udp-same-port", { V6_UDP(8080), EXTS(HBH(0)) },
	  { TCP_RULE(8080) }, PASSED },
	/* Longer headers: the walk must use the length field. */
	{ "ipv6/hbh-24-bytes-tcp-blocked", { V6_TCP(8080), EXTS(HBH(2)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/hbh-24-bytes-tcp-port-above", { V6_TCP(8081), EXTS(HBH(2)) },
	  { TCP_RULE(8080) }, PASSED },
	{ "ipv6/routing-udp-blocked", { V6_UDP(53), EXTS(RT(0)) },
	  { UDP_RULE(53) }, DROPPED },
	{ "ipv6/routing-udp-port-above", { V6_UDP(54), EXTS(RT(0)) },
	  { UDP_RULE(53) }, PASSED },
	{ "ipv6/routing-40-bytes-tcp-blocked", { V6_TCP(8080), EXTS(RT(4)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/dstopts-tcp-blocked", { V6_TCP(8080), EXTS(DST(0)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/dstopts-tcp-port-above", { V6_TCP(8081), EXTS(DST(0)) },
	  { TCP_RULE(8080) }, PASSED },
	{ "ipv6/dstopts-16-bytes-udp-blocked", { V6_UDP(53), EXTS(DST(1)) },
	  { UDP_RULE(53) }, DROPPED },
	{ "ipv6/ah-tcp-blocked", { V6_TCP(8080), EXTS(AH) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/ah-tcp-port-above", { V6_TCP(8081), EXTS(AH) },
	  { TCP_RULE(8080) }, PASSED },
	{ "ipv6/ah-udp-blocked", { V6_UDP(53), EXTS(AH) },
	  { UDP_RULE(53) }, DROPPED },
	{ "ipv6/chain-hbh-dst-rt-ah-dst-tcp-blocked",
	  { V6_TCP(8080), EXTS(HBH(0), DST(1), RT(2), AH, DST(0)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/chain-hbh-dst-rt-ah-dst-tcp-port-above",
	  { V6_TCP(8081), EXTS(HBH(0), DST(1), RT(2), AH, DST(0)) },
	  { TCP_RULE(8080) }, PASSED },
	{ "ipv6/chain-hbh-rt-frag-ah-udp-blocked",
	  { V6_UDP(53), EXTS(HBH(0), RT(0), FRAG(0, true), AH) },
	  { UDP_RULE(53) }, DROPPED },
	{ "ipv6/chain-hbh-rt-frag-ah-udp-port-above",
	  { V6_UDP(54), EXTS(HBH(0), RT(0), FRAG(0, true), AH) },
	  { UDP_RULE(53) }, PASSED },
	/* XF_IPV6_EXT_MAX is 8: 8 headers are walked, a 9th fails closed
	 * (parsing.h: "A chain longer than the bound returns -1"). */
	{ "ipv6/chain-8-ext-udp-blocked",
	  { V6_UDP(53), EXTS(HBH(0), DST(0), RT(0), AH, DST(0), DST(0),
			     DST(0), DST(0)) },
	  { UDP_RULE(53) }, DROPPED },
	{ "ipv6/chain-8-ext-udp-port-above",
	  { V6_UDP(54), EXTS(HBH(0), DST(0), RT(0), AH, DST(0), DST(0),
			     DST(0), DST(0)) },
	  { UDP_RULE(53) }, PASSED },
	{ "ipv6/chain-8-ext-with-frag-tcp-blocked",
	  { V6_TCP(8080), EXTS(HBH(0), DST(0), RT(0), FRAG(0, true), AH,
			       DST(0), DST(0), DST(0)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "ipv6/chain-9-ext-udp-blocked",
	  { V6_UDP(53), EXTS(HBH(0), DST(0), RT(0), AH, DST(0), DST(0),
			     DST(0), DST(0), DST(0)) },
	  { UDP_RULE(53) }, MALFORMED },
	{ "ipv6/chain-9-ext-udp-port-above",
	  { V6_UDP(54), EXTS(HBH(0), DST(0), RT(0), AH, DST(0), DST(0),
			     DST(0), DST(0), DST(0)) },
	  { UDP_RULE(53) }, MALFORMED },
	{ "ipv6/chain-7-ext-tcp-blocked",
	  { V6_TCP(8080), EXTS(HBH(0), DST(0), RT(0), AH, DST(0), DST(0),
			       DST(0)) },
	  { TCP_RULE(8080) }, DROPPED },
	/* A chain that ends in a non-TCP/UDP header is other L4. */
	{ "ipv6/hbh-no-next-header", { .l3 = L3_IPV6, .proto = P_NONE,
	  EXTS(HBH(0)), .plen = 8 }, { TCP_RULE(8080) }, OTHER_L4 },
	{ "ipv6/esp", { .l3 = L3_IPV6, .proto = P_ESP, .plen = 24 },
	  { UDP_RULE(53) }, OTHER_L4 },
	{ "ipv6/dstopts-icmpv6", { .l3 = L3_IPV6, .l4 = L4_ICMP,
	  EXTS(DST(0)) }, { }, OTHER_L4 },

	/* IPv4: only frag_off's offset bits make a later fragment. */
	{ "fragment/ipv4-first-tcp-blocked",
	  { V4_TCP(8080), .frag = IPV4_MF, .plen = 100 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "fragment/ipv4-first-tcp-port-above",
	  { V4_TCP(8081), .frag = IPV4_MF, .plen = 100 },
	  { TCP_RULE(8080) }, PASSED },
	{ "fragment/ipv4-first-udp-blocked",
	  { V4_UDP(53), .frag = IPV4_MF, .plen = 100 },
	  { UDP_RULE(53) }, DROPPED },
	{ "fragment/ipv4-df-tcp-blocked", { V4_TCP(8080), .frag = IPV4_DF },
	  { TCP_RULE(8080) }, DROPPED },
	/* Later fragments: the bytes where ports would be say 8080/53, and
	 * they must not be read as ports. */
	{ "fragment/ipv4-later-tcp-lookalike",
	  { V4_TCP(8080), .frag = IPV4_MF | LATER, .plen = 100 },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv4-last-tcp-lookalike",
	  { V4_TCP(8080), .frag = LATER, .plen = 10 },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv4-later-offset-1-udp-lookalike",
	  { V4_UDP(53), .frag = IPV4_MF | 1, .plen = 10 },
	  { UDP_RULE(53) }, FRAGMENT },
	{ "fragment/ipv4-later-max-offset-udp-lookalike",
	  { V4_UDP(53), .frag = 0x1fff },
	  { UDP_RULE(53) }, FRAGMENT },
	/* Too short to hold a TCP header: still a fragment, not malformed. */
	{ "fragment/ipv4-later-4-bytes",
	  { .l3 = L3_IPV4, .proto = P_TCP, .frag = LATER, .plen = 4 },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv4-later-no-payload",
	  { .l3 = L3_IPV4, .proto = P_UDP, .frag = LATER },
	  { UDP_RULE(53) }, FRAGMENT },
	{ "fragment/ipv4-later-icmp", { .l3 = L3_IPV4, .l4 = L4_ICMP,
	  .frag = LATER }, { }, FRAGMENT },
	{ "fragment/ipv4-later-options-tcp-lookalike",
	  { V4_TCP(8080), .ihl = 8, .frag = LATER, .plen = 10 },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/qinq-ipv4-later-tcp-lookalike",
	  { .tags = { TPID_AD, TPID_Q }, V4_TCP(8080), .frag = LATER },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv6-first-tcp-blocked",
	  { V6_TCP(8080), EXTS(FRAG(0, true)), .plen = 100 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "fragment/ipv6-first-tcp-port-above",
	  { V6_TCP(8081), EXTS(FRAG(0, true)), .plen = 100 },
	  { TCP_RULE(8080) }, PASSED },
	{ "fragment/ipv6-first-udp-blocked",
	  { V6_UDP(53), EXTS(FRAG(0, true)), .plen = 100 },
	  { UDP_RULE(53) }, DROPPED },
	{ "fragment/ipv6-atomic-tcp-blocked",
	  { V6_TCP(8080), EXTS(FRAG(0, false)) },
	  { TCP_RULE(8080) }, DROPPED },
	{ "fragment/ipv6-later-tcp-lookalike",
	  { V6_TCP(8080), EXTS(FRAG(LATER, true)), .plen = 100 },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv6-last-tcp-lookalike",
	  { V6_TCP(8080), EXTS(FRAG(LATER, false)), .plen = 10 },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv6-later-offset-1-udp-lookalike",
	  { V6_UDP(53), EXTS(FRAG(1, true)) },
	  { UDP_RULE(53) }, FRAGMENT },
	{ "fragment/ipv6-later-max-offset-udp-lookalike",
	  { V6_UDP(53), EXTS(FRAG(0x1fff, false)) },
	  { UDP_RULE(53) }, FRAGMENT },
	{ "fragment/ipv6-later-no-payload",
	  { .l3 = L3_IPV6, .proto = P_TCP, EXTS(FRAG(LATER, true)) },
	  { TCP_RULE(8080) }, FRAGMENT },
	{ "fragment/ipv6-hbh-first-tcp-blocked",
	  { V6_TCP(8080), EXTS(HBH(0), FRAG(0, true)), .plen = 50 },
	  { TCP_RULE(8080) }, DROPPED },
	{ "fragment/ipv6-hbh-later-tcp-lookalike",
	  { V6_TCP(8080), EXTS(HBH(0), FRAG(LATER, true)), .plen = 50 },
	  { TCP_RULE(8080) }, FRAGMENT },
	/* What follows a later fragment header is payload, even when it looks
	 * like another extension header. */
	{ "fragment/ipv6-later-then-dstopts-lookalike",
	  { V6_UDP(53), EXTS(FRAG(LATER, true), DST(0)) },
	  { UDP_RULE(53) }, FRAGMENT },
	{ "fragment/ipv6-first-then-dstopts-udp-blocked",
	  { V6_UDP(53), EXTS(FRAG(0, true), DST(0)) },
	  { UDP_RULE(53) }, DROPPED },
	{ "fragment/qinq-ipv6-later-udp-lookalike",
	  { .tags = { TPID_AD, TPID_Q }, V6_UDP(53),
	    EXTS(FRAG(LATER, true)) }, { UDP_RULE(53) }, FRAGMENT },

	{ "non-ip/arp", { .l3 = L3_ARP }, { TCP_RULE(2054) }, NON_IP },
	{ "non-ip/arp-qinq", { .tags = { TPID_AD, TPID_Q }, .l3 = L3_ARP },
	  { }, NON_IP },
	{ "non-ip/lldp", { .l3 = L3_LLDP }, { }, NON_IP },
	{ "other-l4/ipv4-icmp", { .l3 = L3_IPV4, .l4 = L4_ICMP, .plen = 8 },
	  { TCP_RULE(8080) }, OTHER_L4 },
	{ "other-l4/ipv6-icmpv6", { .l3 = L3_IPV6, .l4 = L4_ICMP, .plen = 8 },
	  { TCP_RULE(8080) }, OTHER_L4 },
	{ "other-l4/ipv4-gre", { .l3 = L3_IPV4, .proto = P_GRE, .plen = 4 },
	  { }, OTHER_L4 },
	/* SCTP also has its destination port at offset 2. */
	{ "other-l4/ipv4-sctp-port-lookalike",
	  { V4_TCP(8080), .proto = P_SCTP }, { TCP_RULE(8080) }, OTHER_L4 },
	{ "other-l4/ipv6-sctp-port-lookalike",
	  { V6_UDP(53), .proto = P_SCTP }, { UDP_RULE(53) }, OTHER_L4 },

	/* Ranges: the edges and the ports just outside each come from
	 * add_sweeps(); these are the cases a sweep of one rule cannot
	 * make. Two ranges that touch: each port counts for its own rule. */
	{ "range/adjacent-ipv4-tcp-6100-first-range", { V4_TCP(6100) },
	  { RULE(XF_PM_TCP, 6000, 6100), RULE(XF_PM_TCP, 6101, 6200) },
	  DROPPED },
	{ "range/adjacent-ipv4-tcp-6101-second-range", { V4_TCP(6101) },
	  { RULE(XF_PM_TCP, 6101, 6200), RULE(XF_PM_TCP, 6000, 6100) },
	  DROPPED },
	{ "range/adjacent-ipv6-udp-6101-tcp-ranges", { V6_UDP(6101) },
	  { RULE(XF_PM_TCP, 6101, 6200), RULE(XF_PM_TCP, 6000, 6100) },
	  PASSED },
	/* "any" is tcp and udp, not every protocol. */
	{ "range/53-any/ipv4-icmp", { .l3 = L3_IPV4, .l4 = L4_ICMP },
	  { RULE(PM_ANY, 53, 53) }, OTHER_L4 },
	{ "range/53-any/ipv6-sctp-port-lookalike",
	  { V6_UDP(53), .proto = P_SCTP }, { RULE(PM_ANY, 53, 53) },
	  OTHER_L4 },
	{ "range/6000-6100-tcp/ipv4-later-fragment",
	  { V4_TCP(6050), .frag = LATER }, { RULE(XF_PM_TCP, 6000, 6100) },
	  FRAGMENT },
	{ "range/6000-6100-tcp/ipv6-first-fragment-blocked",
	  { V6_TCP(6050), EXTS(FRAG(0, true)) },
	  { RULE(XF_PM_TCP, 6000, 6100) }, DROPPED },

	/* Source ports: single ports and ranges are swept by add_sweeps().
	 * xdp-filter ORs flag bits per port, so there "udp dst 53" plus
	 * "tcp src 53" also matches tcp dst 53. Here the four (protocol,
	 * direction) pairs stay apart. */
	{ "src/quirk-ipv4-tcp-dport-53-passes", { V4_TCP(53) },
	  { UDP_RULE(53), RULE(XF_PM_TCP, 53, 53, SRC_PORT) }, PASSED },
	{ "src/quirk-ipv4-udp-sport-53-passes", { V4_UDP(40001), .sport = 53 },
	  { UDP_RULE(53), RULE(XF_PM_TCP, 53, 53, SRC_PORT) }, PASSED },
	{ "src/quirk-ipv4-tcp-sport-53-blocked", { V4_TCP(40001), .sport = 53 },
	  { RULE(XF_PM_TCP, 53, 53, SRC_PORT), UDP_RULE(53) }, DROPPED },
	{ "src/quirk-ipv4-udp-dport-53-blocked", { V4_UDP(53) },
	  { UDP_RULE(53), RULE(XF_PM_TCP, 53, 53, SRC_PORT) }, DROPPED },
	{ "src/quirk-ipv4-tcp-both-ports-53-blocked",
	  { V4_TCP(53), .sport = 53 },
	  { RULE(XF_PM_TCP, 53, 53, SRC_PORT), UDP_RULE(53) }, DROPPED },
	{ "src/quirk-ipv6-tcp-dport-53-passes", { V6_TCP(53) },
	  { UDP_RULE(53), RULE(XF_PM_TCP, 53, 53, SRC_PORT) }, PASSED },
	{ "src/quirk-ipv6-udp-sport-53-passes", { V6_UDP(40001), .sport = 53 },
	  { UDP_RULE(53), RULE(XF_PM_TCP, 53, 53, SRC_PORT) }, PASSED },
	{ "src/quirk-ipv6-tcp-sport-53-blocked", { V6_TCP(40001), .sport = 53 },
	  { RULE(XF_PM_TCP, 53, 53, SRC_PORT), UDP_RULE(53) }, DROPPED },
	{ "src/quirk-ipv6-udp-dport-53-blocked", { V6_UDP(53) },
	  { UDP_RULE(53), RULE(XF_PM_TCP, 53, 53, SRC_PORT) }, DROPPED },
	/* The other order of the same pairs. */
	{ "src/quirk-reversed-ipv4-udp-dport-53-passes", { V4_UDP(53) },
	  { TCP_RULE(53), RULE(XF_PM_UDP, 53, 53, SRC_PORT) }, PASSED },
	{ "src/quirk-reversed-ipv4-tcp-sport-53-passes",
	  { V4_TCP(40001), .sport = 53 },
	  { TCP_RULE(53), RULE(XF_PM_UDP, 53, 53, SRC_PORT) }, PASSED },
	{ "src/later-fragment-ipv4-udp-sport-53",
	  { V4_UDP(40001), .sport = 53, .frag = LATER },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT) }, FRAGMENT },

	/* Prefix and port: both must match. "any from PREFIX" and host and
	 * /0 prefixes are swept by add_prefixes(). */
	{ "prefix/22-tcp-from-p4/in-tcp-22-blocked",
	  { V4_TCP(22), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  DROPPED },
	{ "prefix/22-tcp-from-p4/in-tcp-23-passes",
	  { V4_TCP(23), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  PASSED },
	{ "prefix/22-tcp-from-p4/in-tcp-21-passes",
	  { V4_TCP(21), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  PASSED },
	{ "prefix/22-tcp-from-p4/above-tcp-22-passes",
	  { V4_TCP(22), SRC4(P4_OUT) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  PASSED },
	{ "prefix/22-tcp-from-p4/below-tcp-22-passes",
	  { V4_TCP(22), SRC4(P4_BELOW) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, PASSED },
	{ "prefix/22-tcp-from-p4/in-udp-22-passes",
	  { V4_UDP(22), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  PASSED },
	{ "prefix/22-tcp-from-p4/in-tcp-sport-22-passes",
	  { V4_TCP(40001), .sport = 22, SRC4(P4_IN) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, PASSED },
	{ "prefix/22-tcp-from-p4/in-icmp",
	  { .l3 = L3_IPV4, .l4 = L4_ICMP, SRC4(P4_IN) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, OTHER_L4 },
	{ "prefix/22-tcp-from-p4/in-later-fragment",
	  { V4_TCP(22), .frag = LATER, SRC4(P4_IN) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, FRAGMENT },
	{ "prefix/22-tcp-from-p4/ipv6-tcp-22-passes", { V6_TCP(22) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, PASSED },
	{ "prefix/22-tcp-from-p6/in-tcp-22-blocked",
	  { V6_TCP(22), SRC6(P6_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) },
	  DROPPED },
	{ "prefix/22-tcp-from-p6/in-tcp-23-passes",
	  { V6_TCP(23), SRC6(P6_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) },
	  PASSED },
	{ "prefix/22-tcp-from-p6/above-tcp-22-passes",
	  { V6_TCP(22), SRC6(P6_OUT) }, { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) },
	  PASSED },
	{ "prefix/22-tcp-from-p6/below-tcp-22-passes",
	  { V6_TCP(22), SRC6(P6_BELOW) },
	  { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) }, PASSED },
	{ "prefix/22-tcp-from-p6/in-udp-22-passes",
	  { V6_UDP(22), SRC6(P6_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) },
	  PASSED },
	{ "prefix/22-tcp-from-p6/in-later-fragment",
	  { V6_TCP(22), EXTS(FRAG(LATER, false)), SRC6(P6_IN) },
	  { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) }, FRAGMENT },
	{ "prefix/22-tcp-from-p6/ipv4-tcp-22-passes", { V4_TCP(22) },
	  { RULE(XF_PM_TCP, 22, 22, FROM6(P6)) }, PASSED },
	/* Ranges, both protocols and source ports under a prefix. */
	{ "prefix/6000-6100-any-from-p4/in-tcp-6000-blocked",
	  { V4_TCP(6000), SRC4(P4_IN) },
	  { RULE(PM_ANY, 6000, 6100, FROM4(P4)) }, DROPPED },
	{ "prefix/6000-6100-any-from-p4/in-udp-6100-blocked",
	  { V4_UDP(6100), SRC4(P4_IN) },
	  { RULE(PM_ANY, 6000, 6100, FROM4(P4)) }, DROPPED },
	{ "prefix/6000-6100-any-from-p4/in-udp-6101-passes",
	  { V4_UDP(6101), SRC4(P4_IN) },
	  { RULE(PM_ANY, 6000, 6100, FROM4(P4)) }, PASSED },
	{ "prefix/6000-6100-any-from-p4/above-tcp-6050-passes",
	  { V4_TCP(6050), SRC4(P4_OUT) },
	  { RULE(PM_ANY, 6000, 6100, FROM4(P4)) }, PASSED },
	{ "prefix/53-udp-src-from-p6/in-udp-sport-53-blocked",
	  { V6_UDP(40001), .sport = 53, SRC6(P6_IN) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, FROM6(P6)) }, DROPPED },
	{ "prefix/53-udp-src-from-p6/in-udp-dport-53-passes",
	  { V6_UDP(53), SRC6(P6_IN) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, FROM6(P6)) }, PASSED },
	{ "prefix/53-udp-src-from-p6/in-tcp-sport-53-passes",
	  { V6_TCP(40001), .sport = 53, SRC6(P6_IN) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, FROM6(P6)) }, PASSED },
	{ "prefix/53-udp-src-from-p6/above-udp-sport-53-passes",
	  { V6_UDP(40001), .sport = 53, SRC6(P6_OUT) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, FROM6(P6)) }, PASSED },
	/* Two port rules on one prefix share its trie entry. */
	{ "prefix/two-rules-one-prefix/in-tcp-443-blocked",
	  { V4_TCP(443), SRC4(P4_IN) },
	  { RULE(XF_PM_TCP, 443, 443, FROM4(P4)),
	    RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, DROPPED },
	{ "prefix/two-rules-one-prefix/in-tcp-22-blocked",
	  { V4_TCP(22), SRC4(P4_IN) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)),
	    RULE(XF_PM_TCP, 443, 443, FROM4(P4)) }, DROPPED },
	/* Longest prefix wins: from inside the /24 only its rules count, a
	 * port rule of the /15 does not; outside the /24 the /15 decides. */
	{ "prefix/longest/v4-in-24-tcp-80-blocked",
	  { V4_TCP(80), SRC4(198, 18, 1, 5) },
	  { RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)),
	    RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, DROPPED },
	{ "prefix/longest/v4-in-24-tcp-22-passes",
	  { V4_TCP(22), SRC4(198, 18, 1, 5) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)),
	    RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)) }, PASSED },
	{ "prefix/longest/v4-in-15-tcp-22-blocked",
	  { V4_TCP(22), SRC4(198, 18, 2, 5) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)),
	    RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)) }, DROPPED },
	{ "prefix/longest/v4-in-15-tcp-80-passes",
	  { V4_TCP(80), SRC4(198, 18, 2, 5) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4)),
	    RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)) }, PASSED },
	{ "prefix/longest/v6-in-48-tcp-80-blocked",
	  { V6_TCP(80), SRC6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5) },
	  { RULE(XF_PM_TCP, 80, 80, FROM6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1)),
	    RULE(XF_PM_TCP, 22, 22, FROM6(P6)) }, DROPPED },
	{ "prefix/longest/v6-in-48-tcp-22-passes",
	  { V6_TCP(22), SRC6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5) },
	  { RULE(XF_PM_TCP, 22, 22, FROM6(P6)),
	    RULE(XF_PM_TCP, 80, 80, FROM6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1)) },
	  PASSED },
	{ "prefix/longest/v6-in-32-tcp-22-blocked",
	  { V6_TCP(22), SRC6(0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 5) },
	  { RULE(XF_PM_TCP, 22, 22, FROM6(P6)),
	    RULE(XF_PM_TCP, 80, 80, FROM6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1)) },
	  DROPPED },
	/* The same with "any from" on the shorter prefix (xdp_filter.h: the
	 * longest prefix that has rules decides). */
	{ "prefix/longest/any-15-in-24-tcp-80-blocked",
	  { V4_TCP(80), SRC4(198, 18, 1, 5) },
	  { RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)), ANY_FROM4(P4) },
	  DROPPED },
	{ "prefix/longest/any-15-in-24-tcp-22-passes",
	  { V4_TCP(22), SRC4(198, 18, 1, 5) },
	  { ANY_FROM4(P4), RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)) },
	  PASSED },
	{ "prefix/longest/any-15-in-15-tcp-22-blocked",
	  { V4_TCP(22), SRC4(198, 18, 2, 5) },
	  { ANY_FROM4(P4), RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)) },
	  DROPPED },
	/* "any from P" and "22 tcp from P" on one prefix: one trie entry
	 * with both, and "any" takes everything. */
	{ "prefix/any-and-port-one-prefix/in-tcp-80-blocked-by-any",
	  { V4_TCP(80), SRC4(P4_IN) },
	  { ANY_FROM4(P4), RULE(XF_PM_TCP, 22, 22, FROM4(P4)) }, DROPPED },
	/* Port rules without a prefix still apply inside one. */
	{ "prefix/port-rule-inside-prefix/in-24-tcp-22-blocked",
	  { V4_TCP(22), SRC4(198, 18, 1, 5) },
	  { TCP_RULE(22), RULE(XF_PM_TCP, 80, 80, FROM4(24, 198, 18, 1, 0)) },
	  DROPPED },
	{ "prefix/port-rule-inside-prefix/in-48-udp-53-blocked",
	  { V6_UDP(53), SRC6(0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5) },
	  { UDP_RULE(53),
	    RULE(XF_PM_TCP, 80, 80, FROM6(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1)) },
	  DROPPED },
	/* A truncated header still drops as malformed: the prefix rule
	 * does not count it. Non-IP is not looked at. */
	{ "prefix/any-from-p4/in-tcp-doff-4-malformed",
	  { V4_TCP(80), .doff = 4, .plen = 40, SRC4(P4_IN) },
	  { ANY_FROM4(P4) }, MALFORMED },
	{ "prefix/any-from-p6/in-udp-cut-malformed",
	  { V6_UDP(53), .pay_len = 5, SRC6(P6_IN) }, { ANY_FROM6(P6) },
	  MALFORMED },
	{ "prefix/all4/arp", { .l3 = L3_ARP }, { ANY_FROM4(0, 0, 0, 0, 0) },
	  NON_IP },
	/* The fast path: a prefix in the trie that xf_config does not
	 * count is never looked up, so no trie lookup happens while there
	 * are no prefix rules. add_prefixes() has the same frames with the
	 * prefix counted, dropped. */
	{ "prefix/fast-path/ipv4-uncounted-prefix-not-consulted",
	  { V4_TCP(80), SRC4(P4_IN) }, { ANY_FROM4(P4) }, PASSED,
	  .cfg = { .uncounted = true } },
	{ "prefix/fast-path/ipv4-uncounted-prefix-port-not-consulted",
	  { V4_TCP(22), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  PASSED, .cfg = { .uncounted = true } },
	{ "prefix/fast-path/ipv6-uncounted-prefix-not-consulted",
	  { V6_UDP(53), SRC6(P6_IN) }, { ANY_FROM6(P6) }, PASSED,
	  .cfg = { .uncounted = true } },
	{ "prefix/fast-path/ipv4-icmp-uncounted-prefix-not-consulted",
	  { .l3 = L3_IPV4, .l4 = L4_ICMP, SRC4(P4_IN) }, { ANY_FROM4(P4) },
	  OTHER_L4, .cfg = { .uncounted = true } },

	/* Allow policy (ephemeral range and DHCP are swept by
	 * add_allow()). TCP: only a SYN without ACK is a new flow. */
	{ "allow/ipv4-tcp-syn-listed", { V4_TCP(22) }, { TCP_RULE(22) },
	  ALLOWED, ALLOW },
	{ "allow/ipv6-tcp-syn-listed", { V6_TCP(22) }, { TCP_RULE(22) },
	  ALLOWED, ALLOW },
	{ "allow/ipv4-tcp-syn-unlisted", { V4_TCP(23) }, { TCP_RULE(22) },
	  POLICY, ALLOW },
	{ "allow/ipv6-tcp-syn-unlisted", { V6_TCP(23) }, { TCP_RULE(22) },
	  POLICY, ALLOW },
	{ "allow/ipv4-tcp-syn-no-rules", { V4_TCP(22) }, { }, POLICY, ALLOW },
	{ "allow/ipv4-tcp-syn-udp-listed-port", { V4_TCP(53) },
	  { UDP_RULE(53) }, POLICY, ALLOW },
	{ "allow/ipv4-tcp-syn-ephemeral-port", { V4_TCP(40001) },
	  { TCP_RULE(22) }, POLICY, ALLOW },
	{ "allow/ipv4-tcp-synack-unlisted",
	  { V4_TCP(40001), .sport = 80, .tflags = TH_SYN | TH_ACK },
	  { TCP_RULE(22) }, PASSED, ALLOW },
	{ "allow/ipv6-tcp-synack-unlisted",
	  { V6_TCP(40001), .sport = 80, .tflags = TH_SYN | TH_ACK },
	  { TCP_RULE(22) }, PASSED, ALLOW },
	{ "allow/ipv4-tcp-ack-unlisted",
	  { V4_TCP(40001), .sport = 80, .tflags = TH_ACK, .plen = 100 },
	  { TCP_RULE(22) }, PASSED, ALLOW },
	{ "allow/ipv6-tcp-ack-unlisted",
	  { V6_TCP(40001), .sport = 80, .tflags = TH_ACK, .plen = 100 },
	  { TCP_RULE(22) }, PASSED, ALLOW },
	{ "allow/ipv4-tcp-ack-unlisted-low-port",
	  { V4_TCP(23), .tflags = TH_ACK }, { TCP_RULE(22) }, PASSED, ALLOW },
	{ "allow/ipv4-tcp-fin-ack-unlisted",
	  { V4_TCP(40001), .sport = 80, .tflags = TH_FIN | TH_ACK },
	  { TCP_RULE(22) }, PASSED, ALLOW },
	{ "allow/ipv4-tcp-rst-unlisted",
	  { V4_TCP(40001), .sport = 80, .tflags = TH_RST },
	  { TCP_RULE(22) }, PASSED, ALLOW },
	/* UDP: every datagram is a new flow. */
	{ "allow/ipv4-udp-listed", { V4_UDP(53) }, { UDP_RULE(53) },
	  ALLOWED, ALLOW },
	{ "allow/ipv6-udp-listed", { V6_UDP(53) }, { UDP_RULE(53) },
	  ALLOWED, ALLOW },
	{ "allow/ipv4-udp-tcp-listed-port", { V4_UDP(22) }, { TCP_RULE(22) },
	  POLICY, ALLOW },
	{ "allow/ipv4-udp-range-listed", { V4_UDP(6100) },
	  { RULE(XF_PM_UDP, 6000, 6100) }, ALLOWED, ALLOW },
	{ "allow/ipv4-udp-range-unlisted", { V4_UDP(6101) },
	  { RULE(XF_PM_UDP, 6000, 6100) }, POLICY, ALLOW },
	{ "allow/ipv4-tcp-any-listed", { V4_TCP(443) },
	  { RULE(PM_ANY, 443, 443) }, ALLOWED, ALLOW },
	{ "allow/ipv6-udp-any-listed", { V6_UDP(443) },
	  { RULE(PM_ANY, 443, 443) }, ALLOWED, ALLOW },
	/* DNS replies by source port, to a port below the ephemeral range. */
	{ "allow/ipv4-udp-src-rule-listed", { V4_UDP(5353), .sport = 53 },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT) }, ALLOWED, ALLOW },
	{ "allow/ipv4-udp-src-rule-dport-unlisted", { V4_UDP(53) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT) }, POLICY, ALLOW },
	/* A listed DHCP port counts for its rule, with or without DHCP. */
	{ "allow/ipv4-udp-67-listed-nodhcp", { V4_UDP(67) }, { UDP_RULE(67) },
	  ALLOWED, ALLOW_NODHCP },
	/* Never cut: ICMP, ICMPv6 with NDP, ARP, later fragments. */
	{ "allow/ipv4-icmp", { .l3 = L3_IPV4, .l4 = L4_ICMP, .plen = 8 },
	  { TCP_RULE(22) }, OTHER_L4, ALLOW },
	{ "allow/ipv6-icmpv6-echo", { .l3 = L3_IPV6, .l4 = L4_ICMP, .plen = 8 },
	  { TCP_RULE(22) }, OTHER_L4, ALLOW },
	{ "allow/ipv6-ndp-ns", { .l3 = L3_IPV6, .l4 = L4_ICMP,
	  .icmp_type = ICMP6_NS, .plen = 16 }, { }, OTHER_L4, ALLOW },
	{ "allow/ipv6-ndp-na", { .l3 = L3_IPV6, .l4 = L4_ICMP,
	  .icmp_type = ICMP6_NA, .plen = 16 }, { }, OTHER_L4, ALLOW },
	{ "allow/ipv6-ndp-ns-nodhcp", { .l3 = L3_IPV6, .l4 = L4_ICMP,
	  .icmp_type = ICMP6_NS, .plen = 16 }, { }, OTHER_L4, ALLOW_NODHCP },
	{ "allow/ipv6-ndp-na-nodhcp", { .l3 = L3_IPV6, .l4 = L4_ICMP,
	  .icmp_type = ICMP6_NA, .plen = 16 }, { }, OTHER_L4, ALLOW_NODHCP },
	{ "allow/ipv4-icmp-nodhcp", { .l3 = L3_IPV4, .l4 = L4_ICMP },
	  { }, OTHER_L4, ALLOW_NODHCP },
	{ "allow/ipv4-gre", { .l3 = L3_IPV4, .proto = P_GRE, .plen = 4 },
	  { }, OTHER_L4, ALLOW },
	{ "allow/arp", { .l3 = L3_ARP }, { }, NON_IP, ALLOW },
	{ "allow/arp-8021q-nodhcp", { .tags = { TPID_Q }, .l3 = L3_ARP },
	  { }, NON_IP, ALLOW_NODHCP },
	{ "allow/ipv4-later-fragment-udp-unlisted",
	  { V4_UDP(5353), .frag = LATER }, { UDP_RULE(53) }, FRAGMENT, ALLOW },
	{ "allow/ipv4-later-fragment-tcp-syn-unlisted",
	  { V4_TCP(23), .frag = LATER | IPV4_MF }, { TCP_RULE(22) }, FRAGMENT,
	  ALLOW },
	{ "allow/ipv6-later-fragment-udp-unlisted",
	  { V6_UDP(5353), EXTS(FRAG(LATER, false)) }, { UDP_RULE(53) },
	  FRAGMENT, ALLOW },
	/* A first fragment has the ports: it is gated like a whole one. */
	{ "allow/ipv4-first-fragment-udp-unlisted",
	  { V4_UDP(5353), .frag = IPV4_MF }, { UDP_RULE(53) }, POLICY, ALLOW },
	{ "allow/ipv6-first-fragment-udp-listed",
	  { V6_UDP(53), EXTS(FRAG(0, true)) }, { UDP_RULE(53) }, ALLOWED,
	  ALLOW },
	/* "any from P" lists everything from P. */
	{ "allow/any-from-p4/in-tcp-syn-unlisted",
	  { V4_TCP(23), SRC4(P4_IN) }, { ANY_FROM4(P4) }, ALLOWED, ALLOW },
	{ "allow/any-from-p4/in-udp-unlisted",
	  { V4_UDP(5353), SRC4(P4_IN) }, { ANY_FROM4(P4) }, ALLOWED, ALLOW },
	{ "allow/any-from-p4/above-tcp-syn-unlisted",
	  { V4_TCP(23), SRC4(P4_OUT) }, { ANY_FROM4(P4) }, POLICY, ALLOW },
	{ "allow/any-from-p6/in-tcp-syn-unlisted",
	  { V6_TCP(23), SRC6(P6_IN) }, { ANY_FROM6(P6) }, ALLOWED, ALLOW },
	{ "allow/any-from-p6/above-tcp-syn-unlisted",
	  { V6_TCP(23), SRC6(P6_OUT) }, { ANY_FROM6(P6) }, POLICY, ALLOW },
	{ "allow/22-tcp-from-p4/in-tcp-syn-22",
	  { V4_TCP(22), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  ALLOWED, ALLOW },
	{ "allow/22-tcp-from-p4/above-tcp-syn-22",
	  { V4_TCP(22), SRC4(P4_OUT) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  POLICY, ALLOW },
	{ "allow/22-tcp-from-p4/in-tcp-syn-23",
	  { V4_TCP(23), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  POLICY, ALLOW },
	/* Malformed still drops, listed or not. */
	{ "allow/ipv4-tcp-doff-4-listed-malformed",
	  { V4_TCP(22), .doff = 4, .plen = 40 }, { TCP_RULE(22) }, MALFORMED,
	  ALLOW },
	{ "allow/ipv4-tot-len-19-malformed", { V4_TCP(22), .tot_len = 19 },
	  { TCP_RULE(22) }, MALFORMED, ALLOW },
	{ "allow/ipv6-udp-cut-ephemeral-malformed",
	  { V6_UDP(40001), .pay_len = 5 }, { UDP_RULE(53) }, MALFORMED, ALLOW },
	{ "allow/any-from-p4/in-tcp-doff-4-malformed",
	  { V4_TCP(23), .doff = 4, .plen = 40, SRC4(P4_IN) },
	  { ANY_FROM4(P4) }, MALFORMED, ALLOW },

	/* Rule sets: packets use only the active set's port slots, trie
	 * entries, prefix port slots, counts and policy. Each case with its
	 * rules in the inactive set has a twin with that set active. With
	 * O_COUNTS the active set counts the other's prefixes and source
	 * rules, so its tries and source slots are looked at; with
	 * O_PREFIXES its tries hold the same prefixes (same prefix ids)
	 * without their rules, so only the set part of an xf_pports key
	 * tells the sets apart. */
	{ "sets/tcp-8080-in-1/set-0-active-passes", { V4_TCP(8080) },
	  { TCP_RULE(8080) }, PASSED, IN_SET(1), ACTIVE(0) },
	{ "sets/tcp-8080-in-1/set-1-active-blocked", { V4_TCP(8080) },
	  { TCP_RULE(8080) }, DROPPED, IN_SET(1), ACTIVE(1) },
	{ "sets/udp-53-in-0/set-1-active-passes", { V6_UDP(53) },
	  { UDP_RULE(53) }, PASSED, IN_SET(0), ACTIVE(1) },
	{ "sets/udp-53-in-0/set-0-active-blocked", { V6_UDP(53) },
	  { UDP_RULE(53) }, DROPPED, IN_SET(0), ACTIVE(0) },
	/* The first and the last slot of set 1: xf_ports' two ends. */
	{ "sets/tcp-0-in-1/set-0-active-passes", { V4_TCP(0) },
	  { TCP_RULE(0) }, PASSED, IN_SET(1), ACTIVE(0) },
	{ "sets/tcp-0-in-1/set-1-active-blocked", { V4_TCP(0) },
	  { TCP_RULE(0) }, DROPPED, IN_SET(1), ACTIVE(1) },
	{ "sets/udp-65535-src-in-1/set-0-active-passes",
	  { V4_UDP(40001), .sport = 65535 },
	  { RULE(XF_PM_UDP, 65535, 65535, SRC_PORT) }, PASSED, IN_SET(1),
	  ACTIVE(0), .other = O_COUNTS },
	{ "sets/udp-65535-src-in-1/set-1-active-blocked",
	  { V4_UDP(40001), .sport = 65535 },
	  { RULE(XF_PM_UDP, 65535, 65535, SRC_PORT) }, DROPPED, IN_SET(1),
	  ACTIVE(1) },
	{ "sets/udp-65535-src-in-0/set-1-active-passes",
	  { V6_UDP(40001), .sport = 65535 },
	  { RULE(XF_PM_UDP, 65535, 65535, SRC_PORT) }, PASSED, IN_SET(0),
	  ACTIVE(1), .other = O_COUNTS },
	{ "sets/any-from-p4-in-1/set-0-active-passes",
	  { V4_TCP(80), SRC4(P4_IN) }, { ANY_FROM4(P4) }, PASSED, IN_SET(1),
	  ACTIVE(0), .other = O_COUNTS },
	{ "sets/any-from-p4-in-1/set-1-active-blocked",
	  { V4_TCP(80), SRC4(P4_IN) }, { ANY_FROM4(P4) }, DROPPED, IN_SET(1),
	  ACTIVE(1), .other = O_COUNTS },
	{ "sets/any-from-p6-in-0/set-1-active-passes",
	  { V6_UDP(53), SRC6(P6_IN) }, { ANY_FROM6(P6) }, PASSED, IN_SET(0),
	  ACTIVE(1), .other = O_COUNTS },
	{ "sets/any-from-p6-in-0/set-0-active-blocked",
	  { V6_UDP(53), SRC6(P6_IN) }, { ANY_FROM6(P6) }, DROPPED, IN_SET(0),
	  ACTIVE(0), .other = O_COUNTS },
	/* /0 of set 1 is {8, 1}: it holds no address of set 0. */
	{ "sets/all4-in-1/set-0-active-passes", { V4_UDP(53) },
	  { ANY_FROM4(0, 0, 0, 0, 0) }, PASSED, IN_SET(1), ACTIVE(0),
	  .other = O_COUNTS },
	{ "sets/all4-in-1/set-1-active-blocked", { V4_UDP(53) },
	  { ANY_FROM4(0, 0, 0, 0, 0) }, DROPPED, IN_SET(1), ACTIVE(1) },
	{ "sets/all6-in-0/set-1-active-passes", { V6_TCP(22) },
	  { ANY_FROM6(0) }, PASSED, IN_SET(0), ACTIVE(1), .other = O_COUNTS },
	{ "sets/all6-in-0/set-0-active-blocked", { V6_TCP(22) },
	  { ANY_FROM6(0) }, DROPPED, IN_SET(0), ACTIVE(0) },
	/* The prefix is in both sets, its port rule in one. */
	{ "sets/22-tcp-from-p4-in-1/set-0-active-passes",
	  { V4_TCP(22), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  PASSED, IN_SET(1), ACTIVE(0), .other = O_PREFIXES },
	{ "sets/22-tcp-from-p4-in-1/set-1-active-blocked",
	  { V4_TCP(22), SRC4(P4_IN) }, { RULE(XF_PM_TCP, 22, 22, FROM4(P4)) },
	  DROPPED, IN_SET(1), ACTIVE(1), .other = O_PREFIXES },
	{ "sets/53-udp-src-from-p6-in-0/set-1-active-passes",
	  { V6_UDP(40001), .sport = 53, SRC6(P6_IN) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, FROM6(P6)) }, PASSED, IN_SET(0),
	  ACTIVE(1), .other = O_PREFIXES },
	{ "sets/53-udp-src-from-p6-in-0/set-0-active-blocked",
	  { V6_UDP(40001), .sport = 53, SRC6(P6_IN) },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, FROM6(P6)) }, DROPPED, IN_SET(0),
	  ACTIVE(0), .other = O_PREFIXES },
	{ "sets/any-from-p4-in-0/set-1-has-prefix-passes",
	  { V4_TCP(80), SRC4(P4_IN) }, { ANY_FROM4(P4) }, PASSED, IN_SET(0),
	  ACTIVE(1), .other = O_PREFIXES },
	/* Policies: the active set's, with its ephemeral range and DHCP. */
	{ "sets/policy/allow-in-1/set-0-active-tcp-syn-passes", { V4_TCP(23) },
	  { }, PASSED, ALLOW, IN_SET(1), ACTIVE(0) },
	{ "sets/policy/allow-in-1/set-1-active-tcp-syn-blocked", { V4_TCP(23) },
	  { }, POLICY, ALLOW, IN_SET(1), ACTIVE(1) },
	{ "sets/policy/allow-in-0/set-1-active-tcp-syn-passes", { V6_TCP(23) },
	  { }, PASSED, ALLOW, IN_SET(0), ACTIVE(1) },
	{ "sets/policy/allow-in-0/set-0-active-tcp-syn-blocked", { V6_TCP(23) },
	  { }, POLICY, ALLOW, IN_SET(0), ACTIVE(0) },
	{ "sets/policy/22-listed-in-1/set-0-active-blocked", { V4_TCP(22) },
	  { TCP_RULE(22) }, POLICY, ALLOW, IN_SET(1), ACTIVE(0),
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/22-listed-in-1/set-1-active-allowed", { V4_TCP(22) },
	  { TCP_RULE(22) }, ALLOWED, ALLOW, IN_SET(1), ACTIVE(1),
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/eph-1024-2047-in-1/set-1-active-udp-40000-blocked",
	  { V4_UDP(40000) }, { UDP_RULE(53) }, POLICY, IN_SET(1), ACTIVE(1),
	  .cfg = { .allow = true, .eph_lo = 1024, .eph_hi = 2047 },
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/eph-1024-2047-in-1/set-1-active-udp-1500-passes",
	  { V4_UDP(1500) }, { UDP_RULE(53) }, PASSED, IN_SET(1), ACTIVE(1),
	  .cfg = { .allow = true, .eph_lo = 1024, .eph_hi = 2047 },
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/eph-1024-2047-in-1/set-0-active-udp-40000-passes",
	  { V4_UDP(40000) }, { UDP_RULE(53) }, PASSED, IN_SET(1), ACTIVE(0),
	  .cfg = { .allow = true, .eph_lo = 1024, .eph_hi = 2047 },
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/eph-1024-2047-in-1/set-0-active-udp-1500-blocked",
	  { V4_UDP(1500) }, { UDP_RULE(53) }, POLICY, IN_SET(1), ACTIVE(0),
	  .cfg = { .allow = true, .eph_lo = 1024, .eph_hi = 2047 },
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/nodhcp-in-0/set-1-active-udp-547-passes",
	  { V6_UDP(547) }, { }, PASSED, ALLOW_NODHCP, IN_SET(0), ACTIVE(1),
	  .ocfg = { .allow = true, EPH } },
	{ "sets/policy/nodhcp-in-0/set-0-active-udp-547-blocked",
	  { V6_UDP(547) }, { }, POLICY, ALLOW_NODHCP, IN_SET(0), ACTIVE(0),
	  .ocfg = { .allow = true, EPH } },

	/* Drop log (struct xf_event): a drop by a rule with XF_ID_LOG and a
	 * rate leaves one event per packet within the rate; check_log()
	 * says what is checked. Every other case checks that the log stays
	 * empty. */
	{ "log/ipv4-tcp-port-rule",
	  { V4_TCP(8080), .sport = 41234, SRC4(203, 0, 113, 9), .plen = 10 },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(5)) }, DROPPED },
	{ "log/ipv6-udp-port-rule", { V6_UDP(53), .sport = 5353, SRC6(P6_IN) },
	  { RULE(XF_PM_UDP, 53, 53, LOGGED(5)) }, DROPPED },
	{ "log/ipv4-udp-src-rule", { V4_UDP(40001), .sport = 53, .plen = 3 },
	  { RULE(XF_PM_UDP, 53, 53, SRC_PORT, LOGGED(5)) }, DROPPED },
	{ "log/qinq-ipv4-udp-range",
	  { .tags = { TPID_AD, TPID_Q }, V4_UDP(6050), .plen = 20 },
	  { RULE(PM_ANY, 6000, 6100, LOGGED(5)) }, DROPPED },
	{ "log/ipv6-ext-chain-tcp",
	  { V6_TCP(443), EXTS(HBH(0), RT(2), AH), .sport = 1024 },
	  { RULE(XF_PM_TCP, 443, 443, LOGGED(5)) }, DROPPED },
	{ "log/22-tcp-from-p4",
	  { V4_TCP(22), .sport = 65535, SRC4(P4_IN) },
	  { RULE(XF_PM_TCP, 22, 22, FROM4(P4), LOGGED(5)) }, DROPPED },
	{ "log/any-from-p6",
	  { V6_UDP(5353), .sport = 5353, SRC6(P6_IN) },
	  { { .on = true, .anyport = true, FROM6(P6), LOGGED(5) } }, DROPPED },
	/* "any from" drops what has no ports too: l4 as parsed, ports 0. */
	{ "log/any-from-p4-icmp",
	  { .l3 = L3_IPV4, .l4 = L4_ICMP, .plen = 8, SRC4(P4_IN) },
	  { { .on = true, .anyport = true, FROM4(P4), LOGGED(5) } }, DROPPED },
	{ "log/any-from-p6-later-fragment",
	  { V6_UDP(53), EXTS(FRAG(LATER, false)), .plen = 16, SRC6(P6_IN) },
	  { { .on = true, .anyport = true, FROM6(P6), LOGGED(5) } }, DROPPED },
	/* Only the rule's own rate, and its own bucket. */
	{ "log/two-logged-rules-the-deciding-one-logs", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(3)),
	    RULE(XF_PM_TCP, 8081, 8081, LOGGED(7)) }, DROPPED },
	/* No event: a rule without XF_ID_LOG, rate 0, a logging rule that
	 * did not decide, and every verdict but a rule's drop. */
	{ "log/silent/rule-without-log", { V4_TCP(8080) },
	  { TCP_RULE(8080), RULE(XF_PM_TCP, 8081, 8081, LOGGED(5)) },
	  DROPPED },
	{ "log/silent/rate-without-log-bit", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, .rate = 5) }, DROPPED },
	{ "log/silent/rate-0", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(0)) }, DROPPED },
	{ "log/silent/rate-0-any-from-p4", { V4_UDP(53), SRC4(P4_IN) },
	  { { .on = true, .anyport = true, FROM4(P4), LOGGED(0) } }, DROPPED },
	{ "log/silent/port-above", { V4_TCP(8081) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(5)) }, PASSED },
	{ "log/silent/allow-listed", { V4_TCP(22) },
	  { RULE(XF_PM_TCP, 22, 22, LOGGED(5)) }, ALLOWED, ALLOW },
	{ "log/silent/allow-listed-any-from-p6", { V6_TCP(23), SRC6(P6_IN) },
	  { { .on = true, .anyport = true, FROM6(P6), LOGGED(5) } }, ALLOWED,
	  ALLOW },
	{ "log/silent/allow-policy-drop", { V4_TCP(23) },
	  { RULE(XF_PM_TCP, 22, 22, LOGGED(5)) }, POLICY, ALLOW },
	{ "log/silent/malformed-from-logged-prefix",
	  { V4_TCP(80), .doff = 4, .plen = 40, SRC4(P4_IN) },
	  { { .on = true, .anyport = true, FROM4(P4), LOGGED(5) } },
	  MALFORMED },
	{ "log/silent/later-fragment-logged-port",
	  { V4_TCP(8080), .frag = LATER },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(5)) }, FRAGMENT },
	{ "log/silent/rule-in-inactive-set", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(5)) }, PASSED, IN_SET(1),
	  ACTIVE(0) },
	{ "log/in-set-1", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(5)) }, DROPPED, IN_SET(1),
	  ACTIVE(1) },
	/* Rate limit: a burst far above the rate from a fresh bucket gives
	 * the rate's events (a second of tokens) and counts the rest as
	 * suppressed; one drop a token's time later is logged and carries
	 * the count. */
	{ "log/burst/ipv4-tcp-2000-drops-at-4-per-s", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(4)) }, DROPPED,
	  .repeat = 2000, .again = true },
	{ "log/burst/ipv6-any-from-5000-drops-at-20-per-s",
	  { V6_UDP(53), SRC6(P6_IN) },
	  { { .on = true, .anyport = true, FROM6(P6), LOGGED(20) } }, DROPPED,
	  .repeat = 5000 },
	{ "log/burst/rate-lowered-from-1000-to-4-per-s", { V4_TCP(8080) },
	  { RULE(XF_PM_TCP, 8080, 8080, LOGGED(4)) }, DROPPED,
	  .repeat = 2000, .old_rate = 1000 },
	{ "log/burst/ipv4-udp-10-drops-at-100-per-s", { V4_UDP(53) },
	  { RULE(XF_PM_UDP, 53, 53, LOGGED(100)) }, DROPPED, .repeat = 10 },
	{ "log/burst/silent/ipv4-tcp-2000-drops-no-log", { V4_TCP(8080) },
	  { TCP_RULE(8080) }, DROPPED, .repeat = 2000 },
	{ "log/burst/silent/allow-2000-listed", { V4_UDP(53) },
	  { RULE(XF_PM_UDP, 53, 53, LOGGED(4)) }, ALLOWED, ALLOW,
	  .repeat = 2000 },
};

struct cases {
	struct tcase	*v;
	size_t		n, cap;
};

static struct tcase *add_case(struct cases *cs, const struct tcase *c)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 256;
		struct tcase *v = realloc(cs->v, cap * sizeof(*v));

		if (!v) {
			perror(PROG);
			exit(1);
		}
		cs->v = v;
		cs->cap = cap;
	}
	cs->v[cs->n] = *c;
	return &cs->v[cs->n++];
}

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

static uint16_t rule_hi(const struct rule *r)
{
	return r->hi ? r->hi : r->lo;
}

/* "6000-6100 any src from 198.18.0.0/15", as rulectl lists it. */
static void rule_text(const struct rule *r, char *buf, size_t size)
{
	const char *proto = r->protos == XF_PM_TCP ? "tcp" :
			    r->protos == XF_PM_UDP ? "udp" : "any";
	char pfx[64] = "";
	size_t n = 0;
	int i;

	if (r->family == 4) {
		snprintf(pfx, sizeof(pfx), "%u.%u.%u.%u/%u", r->addr[0],
			 r->addr[1], r->addr[2], r->addr[3], r->plen);
	} else if (r->family == 6) {
		/* Uncompressed: good enough to name a rule. */
		for (i = 0; i < 16; i += 2)
			n += snprintf(pfx + n, sizeof(pfx) - n, "%s%x",
				      i ? ":" : "",
				      r->addr[i] << 8 | r->addr[i + 1]);
		snprintf(pfx + n, sizeof(pfx) - n, "/%u", r->plen);
	}
	if (r->anyport) {
		snprintf(buf, size, "any from %s", pfx);
		return;
	}
	n = r->lo == rule_hi(r) ?
	    (size_t)snprintf(buf, size, "%u %s", r->lo, proto) :
	    (size_t)snprintf(buf, size, "%u-%u %s", r->lo, rule_hi(r), proto);
	if (n < size && r->dir == XF_DIR_SRC)
		n += snprintf(buf + n, size - n, " src");
	if (n < size && r->family)
		snprintf(buf + n, size - n, " from %s", pfx);
}

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
	char *p;

	rule_text(r, buf, size);
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

static void add_generated(struct cases *cs)
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

/* --------------------------------------------------------------- running */

struct env {
	const char	*obj_path;
	struct bpf_object *obj;
	int		prog_fd;
	int		ports_fd;
	int		pfx4_fd;
	int		pfx6_fd;
	int		pports_fd;
	int		rcount_fd;
	int		stats_fd;
	int		config_fd;
	int		rlog_fd;
	int		log_fd;
	struct ring_buffer *rb;		/* on xf_log */
	__u32		ifindex;	/* ingress_ifindex of the logging
					 * cases' test runs (--ifindex) */
	int		ncpus;
	struct xf_count	*pcpu;		/* lookup buffer, one per CPU */
	struct xf_event	ev[MAX_EVENTS];	/* drop log records of a case */
	int		nev;		/* ... all of them, even past ev[] */
	size_t		bad_size;	/* a record not of struct xf_event */
};

static const char *const reason_names[XF_R_MAX] = {
	[XF_R_PASSED] = "PASSED",
	[XF_R_DROPPED] = "DROPPED",
	[XF_R_MALFORMED] = "MALFORMED",
	[XF_R_FRAGMENT] = "FRAGMENT",
	[XF_R_NON_IP] = "NON_IP",
	[XF_R_OTHER_L4] = "OTHER_L4",
	[XF_R_ALLOWED] = "ALLOWED",
	[XF_R_POLICY] = "POLICY",
};

static const char *action_name(int act)
{
	static char buf[16];

	switch (act) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	}
	snprintf(buf, sizeof(buf), "%d", act);
	return buf;
}

static int setup_err(const struct env *e, const char *what, int err)
{
	return xf_load_err(PROG, e->obj_path, what, err);
}

/* One xf_log record: kept in e->ev for the case's checks. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct env *e = ctx;

	if (size != sizeof(struct xf_event))
		e->bad_size = size;
	else if (e->nev < MAX_EVENTS)
		memcpy(&e->ev[e->nev], data, sizeof(struct xf_event));
	e->nev++;
	return 0;
}

/* Finds a map and checks it has the layout xdp_filter.h describes: an
 * implementation built from another ABI would fail every case for reasons
 * that have nothing to do with verdicts. */
static int find_map(struct env *e, const char *name, enum bpf_map_type type,
		    __u32 key_size, __u32 value_size, __u32 min_entries,
		    int *fd)
{
	struct bpf_map *map = bpf_object__find_map_by_name(e->obj, name);
	char what[96];

	if (!map) {
		snprintf(what, sizeof(what), "map %s", name);
		return setup_err(e, what, ENOENT);
	}
	if (bpf_map__type(map) != type ||
	    bpf_map__key_size(map) != key_size ||
	    bpf_map__value_size(map) != value_size ||
	    bpf_map__max_entries(map) < min_entries) {
		fprintf(stderr, PROG ": %s: map %s: type %d key %u value %u"
			" entries %u, xdp_filter.h wants type %d key %u value"
			" %u entries >= %u\n", e->obj_path, name,
			bpf_map__type(map), bpf_map__key_size(map),
			bpf_map__value_size(map), bpf_map__max_entries(map),
			type, key_size, value_size, min_entries);
		return -1;
	}
	*fd = bpf_map__fd(map);
	return 0;
}

static int env_open(struct env *e)
{
	libbpf_set_print(xf_libbpf_print);
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0)
		return setup_err(e, "possible CPUs", -e->ncpus);
	e->pcpu = calloc(e->ncpus, sizeof(*e->pcpu));
	if (!e->pcpu)
		return setup_err(e, NULL, ENOMEM);

	e->obj = xf_load_object(PROG, e->obj_path, &e->prog_fd);
	if (!e->obj)
		return -1;

	if (find_map(e, XF_MAP_PORTS, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
		     sizeof(struct xf_port), XF_SETS * XF_PORT_SLOTS,
		     &e->ports_fd) ||
	    find_map(e, XF_MAP_RCOUNT, BPF_MAP_TYPE_PERCPU_ARRAY,
		     sizeof(__u32), sizeof(struct xf_count), XF_MAX_RULES,
		     &e->rcount_fd) ||
	    find_map(e, XF_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
		     sizeof(__u32), sizeof(struct xf_count), XF_R_MAX,
		     &e->stats_fd) ||
	    find_map(e, XF_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
		     sizeof(struct xf_config), 1, &e->config_fd) ||
	    find_map(e, XF_MAP_PFX4, BPF_MAP_TYPE_LPM_TRIE,
		     sizeof(struct xf_lpm4), sizeof(struct xf_pfx),
		     XF_MAX_PREFIXES, &e->pfx4_fd) ||
	    find_map(e, XF_MAP_PFX6, BPF_MAP_TYPE_LPM_TRIE,
		     sizeof(struct xf_lpm6), sizeof(struct xf_pfx),
		     XF_MAX_PREFIXES, &e->pfx6_fd) ||
	    find_map(e, XF_MAP_PPORTS, BPF_MAP_TYPE_HASH,
		     sizeof(struct xf_pport), sizeof(struct xf_port),
		     XF_MAX_PPORTS, &e->pports_fd) ||
	    find_map(e, XF_MAP_RLOG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
		     sizeof(struct xf_rlog), XF_MAX_RULES, &e->rlog_fd) ||
	    find_map(e, XF_MAP_LOG, BPF_MAP_TYPE_RINGBUF, 0, 0, XF_LOG_BYTES,
		     &e->log_fd))
		return -1;
	e->rb = ring_buffer__new(e->log_fd, on_event, e, NULL);
	if (!e->rb)
		return setup_err(e, "ring buffer " XF_MAP_LOG, errno);
	return 0;
}

static int read_count(struct env *e, int fd, __u32 key, struct xf_count *sum)
{
	int i;

	if (bpf_map_lookup_elem(fd, &key, e->pcpu))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < e->ncpus; i++) {
		sum->packets += e->pcpu[i].packets;
		sum->bytes += e->pcpu[i].bytes;
	}
	return 0;
}

struct snapshot {
	struct xf_count	stats[XF_R_MAX];
	struct xf_count	rule[MAX_RULES];
	struct xf_rlog	rlog[MAX_RULES];
};

static int snap(struct env *e, const struct tcase *c, struct snapshot *s)
{
	__u32 r, id;
	int err;

	for (r = 0; r < XF_R_MAX; r++) {
		err = read_count(e, e->stats_fd, r, &s->stats[r]);
		if (err)
			return err;
	}
	for (r = 0; r < MAX_RULES && c->rules[r].on; r++) {
		err = read_count(e, e->rcount_fd, r + 1, &s->rule[r]);
		if (err)
			return err;
		id = r + 1;
		if (bpf_map_lookup_elem(e->rlog_fd, &id, &s->rlog[r]))
			return -errno;
	}
	return 0;
}

static bool same_prefix(const struct rule *a, const struct rule *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

/* Index of the first rule of c with rule i's prefix: the one that "adds"
 * the prefix, as the first rulectl add of a prefix does. */
static int prefix_owner(const struct tcase *c, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (c->rules[j].family && same_prefix(&c->rules[j],
						      &c->rules[i]))
			break;
	return j;
}

/* Prefix id of rule i. Not the rule id, nor 1, 2, ... as rulectl hands
 * them out: an implementation that mixes up the two fails. */
static __u32 rule_pid(const struct tcase *c, int i)
{
	return 1000 + prefix_owner(c, i);
}

/* Rule i's id as the packet path stores it: i + 1, with XF_ID_LOG when
 * the rule logs its drops. */
static __u32 rule_id(const struct tcase *c, int i)
{
	return (i + 1) | (c->rules[i].logged ? XF_ID_LOG : 0);
}

/* Writes id into every port slot of rule i in rule set `set` (id 0 clears
 * them): xf_ports for a plain rule, xf_pports under the prefix id for a
 * prefix rule. */
static int write_slots(struct env *e, const struct tcase *c, int i, int set,
		       __u32 id)
{
	const struct rule *r = &c->rules[i];
	struct xf_port val = { .id = id };
	struct xf_pport pkey = { .prefix_id = rule_pid(c, i) };
	__u32 p, port, slot;
	int err = 0;

	for (p = 0; p < XF_P_MAX; p++) {
		if (!(r->protos & (1U << p)))
			continue;
		for (port = r->lo; port <= rule_hi(r); port++) {
			slot = xf_set_slot(set, xf_slot(r->dir, p, port));
			pkey.slot = slot;
			if (!r->family)
				err = bpf_map_update_elem(e->ports_fd, &slot,
							  &val, BPF_ANY);
			else if (id)
				err = bpf_map_update_elem(e->pports_fd, &pkey,
							  &val, BPF_ANY);
			else if (bpf_map_delete_elem(e->pports_fd, &pkey) &&
				 errno != ENOENT)
				err = -1;
			if (err)
				return -errno;
		}
	}
	return 0;
}

/* Puts rule i's prefix in its trie under rule set `set`, with the id of
 * the case's "any from" rule for it (unless !any: the prefix alone), or
 * takes it out (!on). */
static int write_prefix(struct env *e, const struct tcase *c, int i, int set,
			bool on, bool any)
{
	const struct rule *r = &c->rules[i];
	struct xf_pfx val = { .prefix_id = rule_pid(c, i) };
	struct xf_lpm4 key4 = { .prefixlen = XF_LPM_SET_BITS + r->plen,
				.set = set };
	struct xf_lpm6 key6 = { .prefixlen = XF_LPM_SET_BITS + r->plen,
				.set = set };
	int fd = r->family == 4 ? e->pfx4_fd : e->pfx6_fd;
	void *key = r->family == 4 ? (void *)&key4 : (void *)&key6;
	int j;

	memcpy(key4.addr, r->addr, sizeof(key4.addr));
	memcpy(key6.addr, r->addr, sizeof(key6.addr));
	if (!on)
		return bpf_map_delete_elem(fd, key) && errno != ENOENT ?
		       -errno : 0;
	for (j = 0; any && j < MAX_RULES && c->rules[j].on; j++)
		if (c->rules[j].anyport && same_prefix(&c->rules[j], r))
			val.any_id = rule_id(c, j);
	return bpf_map_update_elem(fd, key, &val, BPF_ANY) ? -errno : 0;
}

static void put_set(struct xf_set *s, const struct conf *c)
{
	s->flags = (c->allow ? XF_CFG_ALLOW : 0) |
		   (c->nodhcp ? XF_CFG_NO_DHCP : 0);
	s->eph_lo = c->eph_lo;
	s->eph_hi = c->eph_hi;
}

/* Rule i of a case gets id i + 1, in rule set `set`: its port slots first,
 * then its prefix, its drop log bucket, then xf_config with the case's
 * policy and the prefix counts in that set, the other set's (c->ocfg,
 * c->other) and `active` as the set packets use, as rulectl orders them.
 * !on takes all of it out again and zeroes xf_config, carrying on past
 * errors: whatever stayed would leak into later cases. */
static int set_rules(struct env *e, const struct tcase *c, int set,
		     int active, bool on)
{
	struct xf_config cfg = { 0 };
	struct xf_set *rs = &cfg.sets[set], *os = &cfg.sets[!set];
	struct xf_rlog rlog;
	__u32 zero = 0, id;
	int i, err, ret = 0;

	if (on) {
		cfg.abi = XF_ABI_VERSION;
		cfg.set = active;
		put_set(rs, &c->cfg);
		put_set(os, &c->ocfg);
	}
	for (i = 0; i < MAX_RULES && c->rules[i].on; i++) {
		if (c->rules[i].anyport)
			continue;
		err = write_slots(e, c, i, set, on ? rule_id(c, i) : 0);
		if (err && !ret)
			ret = err;
		if (err && on)
			return ret;
		/* as rulectl keeps it: source-port slots are only looked
		 * at while xf_config counts some */
		if (on && !c->rules[i].family && c->rules[i].dir == XF_DIR_SRC)
			rs->nsrc++;
	}
	for (i = 0; i < MAX_RULES && c->rules[i].on; i++) {
		if (!c->rules[i].family || prefix_owner(c, i) != i)
			continue;
		err = write_prefix(e, c, i, set, on, true);
		if (!err && c->other == O_PREFIXES)
			err = write_prefix(e, c, i, !set, on, false);
		if (err && !ret)
			ret = err;
		if (err && on)
			return ret;
		if (on && !c->cfg.uncounted)
			(*(c->rules[i].family == 4 ? &rs->nprefix4 :
						     &rs->nprefix6))++;
	}
	for (i = 0; i < MAX_RULES && c->rules[i].on; i++) {
		if (!c->rules[i].logged && !c->rules[i].rate)
			continue;
		rlog = (struct xf_rlog){ .rate = on ? c->rules[i].rate : 0 };
		if (on && !i)
			rlog.credit = c->old_rate * 1000000000ULL;
		id = i + 1;
		if (bpf_map_update_elem(e->rlog_fd, &id, &rlog, BPF_ANY) &&
		    !ret) {
			ret = -errno;
			if (on)
				return ret;
		}
	}
	if (c->other >= O_COUNTS) {
		os->nprefix4 = rs->nprefix4;
		os->nprefix6 = rs->nprefix6;
		os->nsrc = rs->nsrc;
	}
	if (bpf_map_update_elem(e->config_fd, &zero, &cfg, BPF_ANY) && !ret)
		ret = -errno;
	return ret;
}

/* Appends "; "-separated differences to a fixed buffer; a long report is
 * cut, which is fine: the frame is printed next. */
static void note(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 3 >= size)
		return;
	if (len) {
		strcpy(buf + len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

static void check_count(char *buf, size_t size, const char *what,
			const struct xf_count *before,
			const struct xf_count *after, __u64 want_pkts,
			__u64 want_bytes)
{
	__u64 pkts = after->packets - before->packets;
	__u64 bytes = after->bytes - before->bytes;

	if (pkts == want_pkts && bytes == want_bytes)
		return;
	note(buf, size, "%s +%llu pkt +%llu B, want +%llu pkt +%llu B", what,
	     (unsigned long long)pkts, (unsigned long long)bytes,
	     (unsigned long long)want_pkts, (unsigned long long)want_bytes);
}

enum outcome { PASS, FAIL, SKIP };

static void print_hex(const struct frame *f)
{
	size_t i;

	printf("  frame %zu bytes:", f->len);
	for (i = 0; i < f->len; i++)
		printf("%s%02x", i % 4 ? "" : " ", f->b[i]);
	putchar('\n');
}

/* ------------------------------------------------------------- drop log */

static __u64 ts_ns(const struct timespec *t)
{
	return (__u64)t->tv_sec * 1000000000ULL + t->tv_nsec;
}

static __be16 be16(uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };
	__be16 r;

	memcpy(&r, b, sizeof(r));
	return r;
}

static uint16_t host16(__be16 v)
{
	uint8_t b[2];

	memcpy(b, &v, sizeof(b));
	return b[0] << 8 | b[1];
}

/* Does any rule of c log its drops? Its test runs then pass an xdp_md
 * with ingress_ifindex, which the events must carry. */
static bool case_logs(const struct tcase *c)
{
	int i;

	for (i = 0; i < MAX_RULES && c->rules[i].on; i++)
		if (c->rules[i].logged)
			return true;
	return false;
}

/* The protocol the parser ends on (struct xf_event.l4), and whether the
 * frame's ports were read: not in a later fragment, whose L4 protocol is
 * the next header of its fragment header. */
static int event_l4(const struct fspec *s, bool *ports)
{
	int i, l4 = l4_proto(s);

	*ports = true;
	if (s->l3 == L3_IPV4 && (s->frag & 0x1fff))
		*ports = false;
	for (i = 0; s->l3 == L3_IPV6 && i < s->n_ext; i++) {
		if (s->ext[i].type == P_FRAGMENT && s->ext[i].frag) {
			*ports = false;
			if (i + 1 < s->n_ext)
				l4 = s->ext[i + 1].type;
			break;
		}
	}
	if (l4 != P_TCP && l4 != P_UDP)
		*ports = false;
	return l4;
}

/* The xf_log record of a drop of frame f by rule 0 (id 1) of c, but for
 * ts_ns and suppressed. */
static void want_event(const struct env *e, const struct tcase *c,
		       const struct frame *f, struct xf_event *w)
{
	static const uint8_t src4[4] = { 198, 18, 0, 1 },
		dst4[4] = { 198, 18, 0, 2 },
		src6[16] = { 0xfd, [15] = 1 }, dst6[16] = { 0xfd, [15] = 2 };
	const struct fspec *s = &c->f;
	bool v6 = s->l3 == L3_IPV6, ports;

	memset(w, 0, sizeof(*w));
	w->ifindex = e->ifindex;
	w->rule = 1;
	w->len = f->len;
	w->family = v6 ? 6 : 4;
	w->l4 = event_l4(s, &ports);
	if (ports) {
		w->sport = be16(s->sport ? s->sport : 40000);
		w->dport = be16(s->dport);
	}
	memcpy(w->saddr, has_src(s) ? s->src : v6 ? src6 : src4,
	       v6 ? 16 : 4);
	memcpy(w->daddr, v6 ? dst6 : dst4, v6 ? 16 : 4);
}

static void addr_text(int family, const uint8_t *a, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	if (family != 6) {
		snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	for (i = 0; i < 16 && n < size; i += 2)	/* uncompressed */
		n += snprintf(buf + n, size - n, "%s%x", i ? ":" : "",
			      a[i] << 8 | a[i + 1]);
}

static void event_text(const struct xf_event *v, char *buf, size_t size)
{
	char sa[48], da[48];

	addr_text(v->family, v->saddr, sa, sizeof(sa));
	addr_text(v->family, v->daddr, da, sizeof(da));
	snprintf(buf, size, "{rule %u ifindex %u len %u ipv%u l4 %u %s.%u >"
		 " %s.%u suppressed %u}", v->rule, v->ifindex, v->len,
		 v->family, v->l4, sa, host16(v->sport), da, host16(v->dport),
		 v->suppressed);
}

/* Reads what the program wrote to xf_log since the last call into e->ev. */
static int read_log(struct env *e)
{
	int n = ring_buffer__consume(e->rb);

	return n < 0 ? n : 0;
}

/* The timing of a case's test runs, for the drop log checks. */
struct logrun {
	struct timespec	t[4];		/* around the run, and around the
					 * run after the wait (again) */
	int		n1;		/* events of the first run */
	struct xf_rlog	mid;		/* rule 0's bucket after it */
};

/* Only a drop by rule 0 that logs (XF_ID_LOG, a rate) writes to xf_log,
 * and only its bucket moves. From a bucket never used (last_ns 0: the
 * first refill fills it; a bucket never holds more than a second's
 * tokens, whatever rate filled it) a burst of repeat drops at rate R
 * gives R events,
 * plus at most what the run's own duration refills, and counts the rest
 * as suppressed; the events and the rule's unreported count account for
 * every suppressed drop, and the first event after the burst carries the
 * unreported count. Each event describes the frame. */
static void check_log(const struct env *e, const struct tcase *c,
		      const struct frame *f, const struct snapshot *b,
		      const struct snapshot *a, const struct logrun *lr,
		      int repeat, char *diff, size_t size)
{
	const struct rule *r0 = &c->rules[0];
	bool logs = c->why == XF_R_DROPPED && r0->logged && r0->rate;
	__u64 supp, sum = 0, lo, hi, elapsed, max1, min1, ts;
	struct xf_event want, got;
	char text[192], wtext[192];
	int i, n = e->nev < MAX_EVENTS ? e->nev : MAX_EVENTS;

	if (e->bad_size)
		note(diff, size, "drop log: a record of %zu bytes, want %zu",
		     e->bad_size, sizeof(struct xf_event));
	for (i = logs; i < MAX_RULES && c->rules[i].on; i++)
		if (memcmp(&b->rlog[i], &a->rlog[i], sizeof(b->rlog[i])))
			note(diff, size, "rule %d's drop log bucket moved"
			     " (suppressed +%llu)", i + 1,
			     (unsigned long long)(a->rlog[i].suppressed -
						  b->rlog[i].suppressed));
	if (!logs) {
		if (e->nev) {
			event_text(&e->ev[0], text, sizeof(text));
			note(diff, size, "drop log: %d events, want none"
			     " (first %s)", e->nev, text);
		}
		return;
	}

	elapsed = ts_ns(&lr->t[1]) - ts_ns(&lr->t[0]);
	min1 = (__u64)repeat < r0->rate ? (__u64)repeat : r0->rate;
	max1 = r0->rate + (r0->rate * elapsed + 999999999) / 1000000000;
	if (max1 > (__u64)repeat)
		max1 = repeat;
	if ((__u64)lr->n1 < min1 || (__u64)lr->n1 > max1)
		note(diff, size, "drop log: %d events of %d drops at %u/s,"
		     " want %llu..%llu", lr->n1, repeat, r0->rate,
		     (unsigned long long)min1, (unsigned long long)max1);
	supp = lr->mid.suppressed - b->rlog[0].suppressed;
	if (supp != (__u64)(repeat - lr->n1))
		note(diff, size, "drop log: %llu suppressed, want %d (%d drops,"
		     " %d events)", (unsigned long long)supp,
		     repeat - lr->n1, repeat, lr->n1);
	want_event(e, c, f, &want);
	for (i = 0; i < n; i++) {
		got = e->ev[i];
		want.ts_ns = got.ts_ns;
		want.suppressed = got.suppressed;
		if (memcmp(&got, &want, sizeof(got))) {
			event_text(&got, text, sizeof(text));
			event_text(&want, wtext, sizeof(wtext));
			note(diff, size, "event %d: %s, want %s", i, text,
			     wtext);
		}
		/* 1 ms of slack: bpf_ktime_get_ns() is the fast NMI-safe
		 * read of CLOCK_MONOTONIC */
		lo = ts_ns(&lr->t[i < lr->n1 ? 0 : 2]) - 1000000;
		hi = ts_ns(&lr->t[i < lr->n1 ? 1 : 3]) + 1000000;
		ts = got.ts_ns;
		if (ts < lo || ts > hi)
			note(diff, size, "event %d: ts_ns %llu outside its"
			     " run [%llu, %llu]", i, (unsigned long long)ts,
			     (unsigned long long)lo, (unsigned long long)hi);
		if (i < lr->n1)
			sum += got.suppressed;
	}
	if (lr->n1 && e->ev[0].suppressed)
		note(diff, size, "first event: suppressed %u, want 0",
		     e->ev[0].suppressed);
	if (sum + lr->mid.unreported != supp)
		note(diff, size, "drop log: events report %llu suppressed and"
		     " %llu are unreported, want %llu in all",
		     (unsigned long long)sum,
		     (unsigned long long)lr->mid.unreported,
		     (unsigned long long)supp);
	if (!c->again)
		return;
	if (e->nev - lr->n1 != 1) {
		note(diff, size, "drop log: %d events from one drop after a"
		     " token's time, want 1", e->nev - lr->n1);
		return;
	}
	if (lr->n1 < MAX_EVENTS &&
	    e->ev[lr->n1].suppressed != lr->mid.unreported)
		note(diff, size, "event after the burst: suppressed %u, want"
		     " %llu (the unreported drops)", e->ev[lr->n1].suppressed,
		     (unsigned long long)lr->mid.unreported);
	if (a->rlog[0].unreported || a->rlog[0].suppressed !=
				      lr->mid.suppressed)
		note(diff, size, "after the event: suppressed %llu unreported"
		     " %llu, want %llu and 0",
		     (unsigned long long)a->rlog[0].suppressed,
		     (unsigned long long)a->rlog[0].unreported,
		     (unsigned long long)lr->mid.suppressed);
}

/* ------------------------------------------------------------- a case */

/* Returns the outcome, or -1 when the maps cannot be used at all. Case
 * number nth (its place in the list) picks the rule set of a case that
 * does not name one. */
static int run_case(struct env *e, const struct tcase *c, size_t nth)
{
	int set = c->set ? c->set - 1 : (int)(nth & 1);
	int active = c->active ? c->active - 1 : set;
	int repeat = c->repeat ? c->repeat : 1;
	struct snapshot before, after;
	struct logrun lr = { 0 };
	char diff[1024] = "";
	struct frame f;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = repeat);
	struct xdp_md ctx = { .ingress_ifindex = e->ifindex };
	struct timespec wait = { 0 };
	char what[128], text[96];
	int err, ret, i, run_err = 0;
	__u32 id = 1;
	__u64 want, runs = repeat + c->again;

	build_frame(&c->f, &f);
	opts.data_in = f.b;
	opts.data_size_in = f.len;
	if (case_logs(c)) {
		ctx.data_end = f.len;
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}

	err = set_rules(e, c, set, active, true);
	if (!err)
		err = read_log(e);		/* nothing should be there */
	e->nev = 0;
	e->bad_size = 0;
	if (!err)
		err = snap(e, c, &before);
	if (!err) {
		clock_gettime(CLOCK_MONOTONIC, &lr.t[0]);
		if (bpf_prog_test_run_opts(e->prog_fd, &opts))
			run_err = errno;
		clock_gettime(CLOCK_MONOTONIC, &lr.t[1]);
		err = read_log(e);
		lr.n1 = e->nev;
	}
	if (!err && c->again && !run_err && c->rules[0].rate) {
		/* one token's time, and some */
		wait.tv_nsec = 1000000000 / c->rules[0].rate + 50000000;
		wait.tv_sec = wait.tv_nsec / 1000000000;
		wait.tv_nsec %= 1000000000;
		if (bpf_map_lookup_elem(e->rlog_fd, &id, &lr.mid))
			err = -errno;
		nanosleep(&wait, NULL);
		opts.repeat = 1;
		clock_gettime(CLOCK_MONOTONIC, &lr.t[2]);
		if (!err && bpf_prog_test_run_opts(e->prog_fd, &opts))
			run_err = errno;
		clock_gettime(CLOCK_MONOTONIC, &lr.t[3]);
		if (!err)
			err = read_log(e);
	}
	if (!err)
		err = snap(e, c, &after);
	if (!err && !c->again)
		lr.mid = after.rlog[0];
	/* Always clear, even after an error: rules leak into later cases. */
	ret = set_rules(e, c, set, active, false);
	if (ret && !err)
		err = ret;
	if (err) {
		fprintf(stderr, PROG ": %s: maps: %s\n", e->obj_path,
			strerror(-err));
		return -1;
	}

	if (run_err == EINVAL && f.len < ETH_LEN) {
		printf("skip %s: kernel refuses frames < %d bytes\n", c->name,
		       ETH_LEN);
		return SKIP;
	}
	if (run_err) {
		note(diff, sizeof(diff), "BPF_PROG_TEST_RUN: %s",
		     strerror(run_err));
	} else {
		if ((int)opts.retval != c->act)
			note(diff, sizeof(diff), "verdict %s, want %s",
			     action_name(opts.retval), action_name(c->act));
		for (i = 0; i < XF_R_MAX; i++) {
			want = i == c->why ? runs : 0;
			check_count(diff, sizeof(diff), reason_names[i],
				    &before.stats[i], &after.stats[i], want,
				    want * f.len);
		}
		for (i = 0; i < MAX_RULES && c->rules[i].on; i++) {
			want = i == 0 && (c->why == XF_R_DROPPED ||
					  c->why == XF_R_ALLOWED) ? runs : 0;
			rule_text(&c->rules[i], text, sizeof(text));
			snprintf(what, sizeof(what), "rule %d (%s)", i + 1,
				 text);
			check_count(diff, sizeof(diff), what, &before.rule[i],
				    &after.rule[i], want, want * f.len);
		}
		check_log(e, c, &f, &before, &after, &lr, repeat, diff,
			  sizeof(diff));
	}
	if (!diff[0]) {
		printf("ok %s\n", c->name);
		return PASS;
	}
	printf("FAIL %s: %s\n", c->name, diff);
	print_hex(&f);
	printf("  rules in set %d, set %d active\n", set, active);
	return FAIL;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [--obj PATH] [PREFIX...]\n"
		"       " PROG " --list [PREFIX...]\n"
		"Run crafted frames through an xdp_filter object with\n"
		"BPF_PROG_TEST_RUN and check verdicts and counters against the\n"
		"contract in DESIGN.md. PREFIXes select cases by name (e.g.\n"
		"vlan, ipv6/ah, prefix/longest/); default all.\n"
		"  --obj PATH  object to load (default " DEFAULT_OBJ ")\n"
		"  --ifindex N|IFNAME\n"
		"              ingress_ifindex of the drop log cases' test\n"
		"              runs: an existing interface (default 1, lo)\n"
		"  --list      print the selected case names and exit\n"
		"  -h, --help  this text\n"
		"Exit: 0 all passed, 1 a case failed or setup failed,"
		" 2 usage.\n");
}

static bool selected(const char *name, char **prefixes, int n)
{
	int i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "ifindex", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static struct env e = { .obj_path = DEFAULT_OBJ, .ifindex = 1 };
	int npass = 0, nfail = 0, nskip = 0;
	struct cases cs = { };
	bool list = false;
	unsigned long v;
	size_t i, j;
	char *end;
	int opt, ret;

	opterr = 0;			/* our prefix, not argv[0]'s path */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			e.obj_path = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'i':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || *optarg == '-')
				v = if_nametoindex(optarg);	/* a name */
			else if (errno || v > UINT32_MAX)
				v = 0;
			if (!v) {
				fprintf(stderr, PROG ": bad --ifindex '%s'\n",
					optarg);
				return 2;
			}
			e.ifindex = v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, PROG ": %s needs an argument\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		default:
			/* optopt is 0 for an unknown long option. */
			if (optopt)
				fprintf(stderr, PROG ": unknown option -%c\n",
					optopt);
			else
				fprintf(stderr, PROG ": unknown option %s\n",
					argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		add_case(&cs, &table[i]);
	add_generated(&cs);

	/* Usage is checked before touching the kernel, so a typo in a
	 * prefix is reported the same way with or without root. */
	for (opt = optind; opt < argc; opt++) {
		for (j = 0; j < cs.n; j++)
			if (selected(cs.v[j].name, &argv[opt], 1))
				break;
		if (j == cs.n) {
			fprintf(stderr, PROG ": no case matches '%s'"
				" (see --list)\n", argv[opt]);
			return 2;
		}
	}

	if (list) {
		for (j = 0; j < cs.n; j++)
			if (selected(cs.v[j].name, argv + optind,
				     argc - optind))
				puts(cs.v[j].name);
		return 0;
	}

	if (env_open(&e)) {
		ring_buffer__free(e.rb);
		bpf_object__close(e.obj);
		return 1;
	}
	for (j = 0; j < cs.n; j++) {
		if (!selected(cs.v[j].name, argv + optind, argc - optind))
			continue;
		ret = run_case(&e, &cs.v[j], j);
		if (ret < 0) {
			nfail++;
			break;
		}
		npass += ret == PASS;
		nfail += ret == FAIL;
		nskip += ret == SKIP;
	}
	if (nskip)
		printf("%d passed, %d failed, %d skipped\n", npass, nfail,
		       nskip);
	else
		printf("%d passed, %d failed\n", npass, nfail);

	ring_buffer__free(e.rb);
	bpf_object__close(e.obj);
	free(e.pcpu);
	free(cs.v);
	return nfail ? 1 : 0;
}
