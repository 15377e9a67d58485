/* SPDX-License-Identifier: GPL-2.0 */
/* verdict.h - xf_verdict's cases: what a case is (a frame spec, rules in
 * rule sets, policies, the verdict the contract in DESIGN.md asks for), and
 * the functions of its parts:
 *   frames.c    a case's frame spec -> frame (tests/lib/frame.h builds it)
 *   cases.c     the table of cases
 *   families.c  generated families of cases (every ihl, every cut, the
 *               edges of every port range and prefix, the allow policy)
 *   install.c   a case's rules and policies into the maps, through the store
 *   check.c     counters and drop log before and after, compared
 *   runner.c    loading, running each case, output (main)
 */
#ifndef XF_VERDICT_H
#define XF_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>

#include "../../xdp_filter.h"
#include "../lib/frame.h"
#include "../lib/note.h"

#define PROG		"xf_verdict"

#define MAX_TAGS	3
#define MAX_EXT		10
#define MAX_RULES	4	/* rules of a case, in its rule set */
#define MAX_ORULES	1	/* rules of a case in the other set */
#define MAX_SRCSETS	3	/* source sets of a case */
#define MAX_SPFX	5	/* ... prefixes in one */

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
	int		pay_len;	/* IPv6 payload_len + 1; 0: the real
					 * one */
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
	uint8_t		dst[16];	/* destination address, the same way;
					 * all zero: 198.18.0.2 or fd00::2 */
	uint8_t		tflags;		/* TCP flags; 0: SYN */
	uint8_t		icmp_type;	/* 0: echo request */
	int		doff;		/* TCP doff field; 0: 5 + topt / 4 */
	int		topt;		/* TCP option bytes written */
	int		plen;		/* payload bytes after the L4 header */
	int		cut;		/* > 0: keep the first cut - 1 bytes */
};

#define CUT_AT(n)	((n) + 1)

/* A rule as rulectl takes it (xdp_filter.h): PORTS PROTO [dst|src]
 * [from PREFIX] [log [N/s]] [limit N/s [burst B] [per-source [LEN]]], or
 * "any from PREFIX". install.c hands it to the store,
 * which gives it its id (and rules of one prefix one prefix id). Ports 0
 * and rates that rulectl refuses are fine here: the store takes a filled
 * struct xf_rule as it is. */
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
	uint32_t	rate;		/* its xf_rlog bucket's rate, events/s
					 * (primed even without XF_ID_LOG, and
					 * 0 with it) */
	uint32_t	limit;		/* limit N/s, 0: none */
	uint32_t	burst;		/* burst B, 0: N */
	bool		per_source;	/* a bucket per source group */
	uint8_t		plen4, plen6;	/* ... by these lengths; 0: 32, 64 */
	uint8_t		from_set;	/* "from @NAME": the case's source set
					 * from_set - 1 (struct srcset) */
};

/* A source set of a case: its name and its prefixes, as words of "set NAME
 * add". The sets of a case are made in order before its rules, so set k
 * gets number k (the store gives the lowest free one); they stay for the
 * cases after it that have the same sets, and go before one that has
 * others (or none). */
struct srcset {
	const char	*name;		/* NULL: none */
	const char	*pfx[MAX_SPFX];
};

/* One rule set's policy (struct xf_set) in a case. Zero is the deny
 * policy. */
struct conf {
	bool		allow;		/* XF_CFG_ALLOW */
	bool		nodhcp;		/* XF_CFG_NO_DHCP */
	bool		stateful;	/* XF_CFG_STATEFUL: the case runs in the
					 * flows' network namespace (flows.h),
					 * and its verdict is the state tier's;
					 * a program without the state tier's
					 * lookups gates the set as the
					 * stateless policy (runner.c) */
	uint16_t	eph_lo;		/* ephemeral range, inclusive */
	uint16_t	eph_hi;
	bool		uncounted;	/* the rules' prefixes are in the tries
					 * but nprefix4/6 read 0 (a state the
					 * store never leaves: install.c
					 * injects it) */
};

/* When a case expects XF_R_DROPPED or XF_R_ALLOWED, rules[0] is the rule
 * that must have counted it; every other rule of the case (orules too)
 * must not move. A case runs its frame repeat times in one
 * BPF_PROG_TEST_RUN; with again, once more after its rule 0's drop log had
 * time for one more token.
 *
 * Rate limits: limited of the runs are rule 0's drops beyond its rate
 * (XF_R_LIMITED and rule 0's xf_rlimited, never its xf_rcount), the
 * others are as why says, and act is the last run's. Before them, in the
 * same rule set (the same buckets), pre_repeat runs of the frame pre, of
 * which pre_limited are limited, the others again as why says: a case
 * with per-source buckets fills one source's bucket with them, then
 * sends from another. The drop log of a case's limited drops is checked
 * as a deny rule's drops are (no pre_limited then). */
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
	struct rule	orules[MAX_ORULES];	/* rules of the other set */
	struct srcset	srcsets[MAX_SRCSETS];
	bool		last_first;	/* rules[] added from the last */
	int		repeat;		/* 0: 1 */
	bool		again;
	uint32_t	old_rate;	/* rule 0's bucket starts full at this
					 * rate, as if its rate was lowered */
	int		limited;
	struct fspec	pre;
	int		pre_repeat;
	int		pre_limited;
	bool		limit_ack;	/* stateful: the frame is TCP past its
					 * SYN that limit rule 0 matches; a
					 * program without the state tier's
					 * lookups passes it as the rule's */
};

struct cases {
	struct tcase	*v;
	size_t		n, cap;
};

/* frames.c */
void build_frame(const struct fspec *s, struct frame *f);
bool spec_has_dst(const struct fspec *s);
/* The protocol the parser ends on, and whether it reads the frame's ports
 * (not in a later fragment, whose protocol is the next header of its
 * fragment header). */
int spec_l4(const struct fspec *s, bool *ports);
bool spec_has_src(const struct fspec *s);

/* cases.c */
struct tcase *add_case(struct cases *cs, const struct tcase *c);
void add_table(struct cases *cs);

/* families.c */
void add_generated(struct cases *cs);

/* install.c */
struct xf_maps;
struct xf_rule;

/* Where a case's rules went, and the ids the store gave them. */
struct placed {
	int		set;		/* the rules' rule set */
	int		active;		/* the set packets use */
	__u32		id[MAX_RULES];	/* of rules[] */
	__u32		oid[MAX_ORULES];	/* of orules[] (other set) */
};

uint16_t rule_hi(const struct rule *r);
/* The rule as the store takes it. */
void case_rule(const struct rule *r, struct xf_rule *x);
/* Case number nth (its place in the list) picks the rule set of a case
 * that does not name one. 0 or a negative errno (after a message). */
int case_install(struct xf_maps *m, const struct tcase *c, size_t nth,
		 struct placed *p);
/* Empties both rule sets and their policies, whatever is in them. */
int case_clear(struct xf_maps *m);

/* check.c */
#define MAX_EVENTS	256		/* drop log records kept per case */
#define NR		(MAX_RULES + MAX_ORULES)

/* The drop log records of a case (xf_log), as the ring buffer gave them. */
struct drop_log {
	struct xf_event	ev[MAX_EVENTS];
	int		nev;		/* all of them, even past ev[] */
	size_t		bad_size;	/* a record not of struct xf_event */
	__u32		ifindex;	/* the test runs' ingress_ifindex */
};

/* The counters a case may move. rule[], rlimited[] and rlog[] follow
 * rule_at(). */
struct snapshot {
	struct xf_count	stats[XF_R_MAX];
	struct xf_count	rule[NR];
	struct xf_count	rlimited[NR];
	struct xf_rlog	rlog[NR];
};

/* The timing of a case's test runs, for the drop log checks. */
struct logrun {
	struct timespec	t[4];		/* around the run, and around the
					 * run after the wait (again) */
	int		n1;		/* events of the first run */
	struct xf_rlog	mid;		/* rule 0's bucket after it */
	int		repeat;		/* frames of the first run */
	int		drops;		/* ... rule 0's drops among them */
};

/* "PASSED", "TRACKED", ...: enum xf_reason in words. */
const char *reason_name(int r);
/* Rule k of a case: rules[] then orules[], with its id; NULL past them. */
const struct rule *rule_at(const struct tcase *c, const struct placed *p,
			   int k, __u32 *id);
int snap(const struct xf_maps *m, const struct tcase *c,
	 const struct placed *p, struct snapshot *s);
/* The reason counters and the rule counters moved by runs frames of len
 * bytes (and the case's pre frames of pre_len) as the case says. */
void check_counts(const struct tcase *c, const struct placed *p,
		  const struct snapshot *b, const struct snapshot *a,
		  __u64 runs, size_t len, size_t pre_len, char *diff,
		  size_t size);
/* The drop log: the events of rule 0's drops, and nothing else. */
void check_log(const struct drop_log *l, const struct tcase *c,
	       const struct placed *p, const struct frame *f,
	       const struct snapshot *b, const struct snapshot *a,
	       const struct logrun *lr, char *diff, size_t size);

#endif /* XF_VERDICT_H */
