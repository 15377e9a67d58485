/* SPDX-License-Identifier: GPL-2.0 */
/* cases.h - the words xf_verdict's case tables are written in (cases.c,
 * families.c): rules, prefixes and sources, policies, expected verdicts,
 * frame shapes and IPv6 extension headers, so a table entry reads like the
 * contract it checks.
 */
#ifndef XF_VERDICT_CASES_H
#define XF_VERDICT_CASES_H

#include <linux/bpf.h>

#include "verdict.h"

#define ICMP6_NS	135		/* NDP neighbour solicitation */
#define ICMP6_NA	136		/* NDP neighbour advertisement */

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
/* limit N/s burst B (B 0: N), and per-source [LEN]: PER_SOURCE(24, 0) is
 * "per-source 24" on an IPv4 or a plain rule, PER_SOURCE(0, 48) "per-source
 * 48" on a rule from an IPv6 prefix; 0 keeps the default (32, 64). */
#define LIMIT(n, b)	.limit = (n), .burst = (b)
#define PER_SOURCE(l4, l6) .per_source = true, .plen4 = (l4), .plen6 = (l6)

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

/* The other rule set's rule (struct tcase.orules): one that counts a
 * source-port rule (ORULE_SRC) or a prefix (ORULE_PFX4/6) there, away from
 * every frame of the sets/ cases (192.0.2.0/24, fd00:ffff::/32), or any
 * rule r (ORULE). */
#define ORULE(r)		.orules = { r }
#define ORULE_SRC		ORULE(RULE(XF_PM_UDP, 1, 1, SRC_PORT))
#define ORULE_PFX4		ORULE(ANY_FROM4(24, 192, 0, 2, 0))
#define ORULE_PFX6		ORULE(ANY_FROM6(32, 0xfd, 0x00, 0xff, 0xff))

/* Source sets (struct srcset): SETS(SRCSET("S", "198.51.100.0/24"), ...)
 * makes the case's sets in order (numbers 0, 1, ...); FROM_SET(k) puts a
 * rule "from @" the case's set k, ANY_FROM_SET(k) is "any from @" it. */
#define SRCSET(n, ...)	{ .name = (n), .pfx = { __VA_ARGS__ } }
#define SETS(...)	.srcsets = { __VA_ARGS__ }
#define FROM_SET(k)	.from_set = (k) + 1
#define ANY_FROM_SET(k)	{ .on = true, .anyport = true, FROM_SET(k) }

/* Policies. EPH is the range of Linux's default ip_local_port_range. */
#define EPH			.eph_lo = 32768, .eph_hi = 60999
#define ALLOW			.cfg = { .allow = true, EPH }
#define ALLOW_NODHCP		.cfg = { .allow = true, .nodhcp = true, EPH }
/* The stateful allow policy, as the store writes it: no ephemeral range. */
#define STATEFUL		.cfg = { .allow = true, .stateful = true }

#define DROPPED		.act = XDP_DROP, .why = XF_R_DROPPED
#define PASSED		.act = XDP_PASS, .why = XF_R_PASSED
#define MALFORMED	.act = XDP_DROP, .why = XF_R_MALFORMED
#define FRAGMENT	.act = XDP_PASS, .why = XF_R_FRAGMENT
#define NON_IP		.act = XDP_PASS, .why = XF_R_NON_IP
#define OTHER_L4	.act = XDP_PASS, .why = XF_R_OTHER_L4
#define ALLOWED		.act = XDP_PASS, .why = XF_R_ALLOWED
#define POLICY		.act = XDP_DROP, .why = XF_R_POLICY
#define TRACKED		.act = XDP_PASS, .why = XF_R_TRACKED
#define STATE		.act = XDP_DROP, .why = XF_R_STATE
/* A limit rule's frames, n of them (the last ones) beyond its rate. */
#define LIMITED(n)	.act = XDP_DROP, .why = XF_R_ALLOWED, .limited = (n)
/* First n frames like this one (an fspec's fields), in the same rule set. */
#define PRE(n, ...)	.pre = { __VA_ARGS__ }, .pre_repeat = (n)

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
#define EXTS(...)	.ext = { __VA_ARGS__ },				\
			.n_ext = sizeof((struct ext[]){ __VA_ARGS__ }) / \
				 sizeof(struct ext)

/* 1480 bytes into the datagram: where the second fragment of a
 * 1500-byte-MTU IPv4 packet starts. */
#define LATER		185

#endif /* XF_VERDICT_CASES_H */
