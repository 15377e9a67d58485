/* SPDX-License-Identifier: GPL-2.0 */
/* model.h - a plain user-space reference model of xdp_filter's rule
 * contract: one function from (frame bytes, rule set, config) to (action,
 * reason, id of the rule that decided). Written from the contract
 * (DESIGN.md "Rule semantics", issue 3's rule forms and allow policy,
 * issue 14's stateful allow policy, issue 15's rate limits, issue 16's
 * source sets, the comments of xdp_filter.h), not from parsing.h: it walks
 * the frame with plain byte offsets and decides by scanning the rule list,
 * with no maps, slots or tries, with the flows the host knows (conntrack,
 * sockets) given as a list, the source sets as plain lists of prefixes
 * (no bitmap), and the rate limits' buckets and clock given as a table it
 * reads and updates. tests/model/conform.c holds the BPF program to it.
 *
 * Deliberately independent of xdp_filter.h: the reasons below have the
 * values of enum xf_reason, and conform.c checks that they agree.
 */
#ifndef XF_MODEL_H
#define XF_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum xm_reason {
	XM_PASSED = 0,		/* TCP/UDP, no rule decided: pass */
	XM_DROPPED,		/* a rule matched (deny policy): drop */
	XM_MALFORMED,		/* truncated or invalid header: drop */
	XM_FRAGMENT,		/* a later fragment: pass */
	XM_NON_IP,		/* not IPv4/IPv6, or a third VLAN tag: pass */
	XM_OTHER_L4,		/* IP, neither TCP nor UDP: pass */
	XM_ALLOWED,		/* a rule matched (allow policy): pass */
	XM_POLICY,		/* allow policy, new flow, no rule: drop */
	XM_TRACKED,		/* stateful allow policy, no rule, a flow the
				 * host knows: pass */
	XM_STATE,		/* stateful allow policy, no rule, TCP past
				 * its SYN of no flow the host knows: drop */
	XM_LIMITED,		/* a limit rule matched, its bucket had no
				 * token: drop */
	XM_NREASONS,
};

#define XM_TCP		1	/* struct xm_rule.protos bits */
#define XM_UDP		2
#define XM_DST		0	/* struct xm_rule.dir */
#define XM_SRC		1

/* One rule, as the user writes it:
 *   PORTS PROTO [dst|src] [from PREFIX]   (anyport 0)
 *     [limit RATE/s [burst BURST] [per-source [LEN]]]
 *   any from PREFIX                      (anyport 1, family != 0)
 *   PORTS PROTO [dst|src] from @NAME      (set != 0, family 0)
 *   any from @NAME                       (anyport 1, set != 0) */
struct xm_rule {
	uint32_t	id;		/* the counter it moves */
	uint8_t		protos;		/* XM_TCP | XM_UDP */
	uint8_t		dir;		/* XM_DST or XM_SRC */
	uint16_t	lo, hi;		/* ports, inclusive */
	uint8_t		anyport;
	uint8_t		family;		/* 0: no prefix, 4 or 6 */
	uint8_t		plen;		/* prefix length */
	uint8_t		addr[16];	/* network order, IPv4 in the first 4 */
	uint8_t		set;		/* from source set number set - 1;
					 * 0: from no set */
	uint32_t	rate;		/* limit: tokens a second; 0: none */
	uint32_t	burst;		/* ... tokens the bucket holds */
	uint8_t		per_source;	/* a bucket per source group */
	uint8_t		plen4, plen6;	/* ... sources grouped by these
					 * prefix lengths */
};

/* A rate limit's bucket: a limit rule's own (family 0), or with
 * per_source one source group's (the family, the source masked to the
 * rule's length for it). tat is GCRA's theoretical arrival time, in ns of
 * the clock of struct xm_limits; 0: full. */
struct xm_bucket {
	uint32_t	rule;		/* the rule's id */
	uint8_t		family;		/* 0, 4 or 6 */
	uint8_t		addr[16];	/* network order, masked */
	uint64_t	tat;
};

#define XM_BUCKETS	64

/* The buckets and the time: a bucket not in the table is full (a rule's
 * own bucket before its first packet, a new source). The model updates
 * the table as the contract says: a packet that takes a token moves its
 * bucket's tat, adding the bucket when it was not there; b[] is kept in
 * order of use, the last used last, and when it is full the least
 * recently used bucket (b[0]) goes. */
struct xm_limits {
	uint64_t	now;		/* ns */
	struct xm_bucket b[XM_BUCKETS];
	size_t		n;
};

/* A flow the host knows (a conntrack entry, or for TCP a socket that is
 * not listening): its two ends. A packet is of the flow when its protocol
 * and family are the flow's and its source and destination are the two
 * ends, either way round. */
struct xm_flow {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		proto;		/* 6 TCP, 17 UDP */
	uint8_t		a[16], b[16];	/* network order, IPv4 in the first 4 */
	uint16_t	pa, pb;		/* the ports of a and b */
};

/* A source set's content: a plain list of prefixes of both families, as
 * loaded (overlaps and all); an address is in the set when a prefix of
 * its family holds it. */
struct xm_prefix {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		len;		/* 0 .. 32 or 128 */
	uint8_t		addr[16];	/* network order, host bits clear */
};

#define XM_MAX_SETS	32

struct xm_srcset {
	const struct xm_prefix *p;
	size_t		n;
};

struct xm_config {
	int		allow;		/* allow-list policy */
	int		nodhcp;		/* allow policy cuts DHCP too */
	uint16_t	eph_lo, eph_hi;	/* stateless allow policy: UDP to these
					 * passes */
	int		stateful;	/* the allow policy is stateful */
	int		ct;		/* the program that runs is the one that
					 * asks the host (the state tier); any
					 * other gates a stateful set as the
					 * stateless policy would */
	const struct xm_flow *flows;	/* what the host knows */
	size_t		nflows;
	struct xm_limits *limits;	/* the buckets; NULL: every bucket is
					 * full and none is kept */
	const struct xm_srcset *srcsets;	/* XM_MAX_SETS, by number;
						 * NULL: all empty */
};

struct xm_verdict {
	int		pass;		/* 1 pass, 0 drop */
	int		reason;		/* enum xm_reason */
	uint32_t	rule;		/* id of the deciding rule, 0: none;
					 * with XM_LIMITED the limit rule
					 * whose bucket was empty */
	int		token;		/* the packet asked a bucket for a
					 * token (bucket), and got it or not */
	struct xm_bucket bucket;	/* ... the bucket, as it is after */
};

/* The verdict of the contract for one frame; updates cfg->limits. */
void xm_verdict(const uint8_t *frame, size_t len, const struct xm_rule *rules,
		size_t nrules, const struct xm_config *cfg,
		struct xm_verdict *out);

/* The bucket of the limit rule that decides the frame (its key: rule,
 * family, addr; tat 0): 1 when the frame asks it for a token, 2 when it
 * would not (TCP past its SYN), 0 when no limit rule decides it. Reads no
 * bucket, changes nothing; of cfg only the source sets. */
int xm_bucket_of(const uint8_t *frame, size_t len, const struct xm_rule *rules,
		 size_t nrules, const struct xm_config *cfg,
		 struct xm_bucket *key);

/* Does prefix p hold address addr (of family p->family)? */
int xm_prefix_has(const struct xm_prefix *p, const uint8_t *addr);

/* A limit rule's bucket times (DESIGN.md "Rate limits"): interval
 * 1e9 / rate ns (at least 1), and the burst, burst intervals. */
uint64_t xm_interval(const struct xm_rule *r);
uint64_t xm_burst_ns(const struct xm_rule *r);

extern const char *const xm_reason_names[XM_NREASONS];

#endif /* XF_MODEL_H */
