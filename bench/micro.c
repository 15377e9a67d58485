// SPDX-License-Identifier: GPL-2.0
/* micro.c - xf_bench: ns/packet of XDP programs through BPF_PROG_TEST_RUN.
 *
 * Loads the floor (bench_empty.o), the product (xdp_filter.o, ABI v6) with
 * 1, 100 and 10,000 port rules (as attached: the program in xf_progs'
 * active slot after the store wrote the rules, the dst tier, which is what
 * an interface's link runs), the dispatcher xdp_filter with 100 rules
 * (what a plain 'ip link ... obj' attach runs: a tail call to that same
 * tier), its safe-Rust implementation
 * (xdp_filter_rs.o, same maps; skipped with a note while it is a build
 * for another ABI), its HASH twin (bench_hash.o) and xdp-tools' own
 * xdp-filter objects with the equivalent rule: the main table, every
 * program on the same seven packet kinds. Then the product again with the
 * rule forms (no rules, 10,000 IPv4 or IPv6 source prefixes, prefixes
 * with a port, the allow policy), each timed on the packets that take the
 * paths worth knowing: the "rule forms" table. Then the stateful allow
 * policy (the state tier, xf_state, which asks the kernel's sockets and
 * conntrack about flows no rule lists) beside the stateless one (the full
 * tier), on TCP and UDP frames of flows made for real in xf_bench's own
 * network namespace (state_flows.h): the "stateful" table. Its rows check
 * the xf_stats reason as well as the verdict, before the timing and over
 * all of it, since a pass by a lookup and a pass by a rule look alike.
 *
 * Every (program, packet) pair is timed for a number of rounds. Inside a
 * round every program runs once per packet kind, in an order rotated each
 * round, so drift and noise from the other core hit all programs alike.
 * The floor runs every packet kind, so each figure is over the floor on
 * the very same frame. Prints markdown to stdout; progress and diagnostics
 * go to stderr.
 *
 * Nothing is pinned or attached: the pin paths are cleared before load, so
 * the host's filter and its pins are never touched (tests/lib/xf_load.h);
 * for the stateful rows, xf_bench moves into a network namespace of its
 * own before loading anything, so the connection tracking it turns on, its
 * sockets and its conntrack entries never reach the host's. The maps are
 * filled by rulectl's own store (src/xf_store.h), all in rule set 0, the
 * active one: rule ids, records, slots, trie entries, prefix
 * port slots, counts and the policy exactly as rulectl writes them. No rule
 * logs its drops. The packets come from the frame builder the tests use
 * (tests/lib/frame.h).
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 usage.
 */
#define _GNU_SOURCE			/* sched_setaffinity, sched_getcpu */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../xdp_filter.h"
#include "../src/xf_ct.h"
#include "../src/xf_plist.h"
#include "../src/xf_rule.h"
#include "../src/xf_srcsets.h"
#include "../src/xf_store.h"
#include "../src/xf_tiers.h"
#include "../tests/lib/frame.h"
#include "../tests/lib/xf_load.h"
#include "hash_key.h"
#include "libbpf_last.h"
#include "state_flows.h"

#define PROG_NAME	"xf_bench"

#define REPEAT_FULL	1000000
#define ROUNDS_FULL	10
#define REPEAT_QUICK	100000
#define ROUNDS_QUICK	3
#define REPEAT_WARM	1000

#define PORT_BLOCKED	9999	/* the rule every rule set contains */
#define PORT_ALLOWED	9998	/* its neighbour: never a rule */
#define SPORT		40000	/* every packet's source port */

/* The prefix rule sets: NPFX distinct prefixes, 10.a.b.0/24 for IPv4 and
 * 2001:db8:N::/48 for IPv6, N = 0 .. NPFX - 1. PFX_IN is the one the
 * "inside" packets come from; NPFX itself (10.39.16.0/24, 2001:db8:2710::
 * /48) is the first one past the set, where the "outside" packets come
 * from: a near miss, which walks the trie as deep as a miss can. */
#define NPFX		10000
#define PFX_IN		42

/* xdp-tools xdp-filter/common_kern_user.h: filter_ports is a PERCPU_ARRAY
 * of 65536 __u64 keyed by the port in network byte order; the low bits
 * are flags (the counter lives above COUNTER_SHIFT), and a rule matches
 * when all of (direction | protocol) are set on the CPU that runs it. */
#define XDPT_FLAG_DST	(1U << 1)
#define XDPT_FLAG_TCP	(1U << 2)
#define XDPT_FLAG_UDP	(1U << 3)

#if defined(__x86_64__)
#define XDPT_DIR_DEFAULT "/usr/lib/x86_64-linux-gnu/bpf"
#elif defined(__aarch64__)
#define XDPT_DIR_DEFAULT "/usr/lib/aarch64-linux-gnu/bpf"
#else
#define XDPT_DIR_DEFAULT "/usr/lib/bpf"
#endif

enum pkt_kind {
	/* The main table's packets, timed on every program. */
	K_UDP4_BLOCK,
	K_UDP4_ALLOW,
	K_TCP4_ALLOW,
	K_UDP6_BLOCK,
	K_VLAN_UDP4,
	K_HBH_UDP6,
	K_ARP,
	K_MAIN,
	/* The rule-form packets: from inside or outside the prefix sets. */
	K_UDP4_PIN = K_MAIN,
	K_UDP4_PIN_OTHER,
	K_UDP4_POUT,
	K_UDP6_PIN,
	K_UDP6_PIN_OTHER,
	K_UDP6_POUT,
	K_TCP4_SYN_OTHER,
	/* The source-set packets (--set4 FILE; addresses picked from it). */
	K_SET_IN32,		/* a /32 of the set: its /24 partly in it */
	K_SET_IN24,		/* inside a /24 wholly in the set */
	K_SET_OUTP,		/* not in the set, its /24 partly in it */
	K_SET_OUT,		/* not in the set, nor any of its /24 */
	/* The stateful rows' packets (states[]), over 127.0.0.1 in
	 * xf_bench's own network namespace (state_flows.h). */
	K_ST_ACK_RULE,		/* TCP ACK to a listed port */
	K_ST_ACK_SK,		/* TCP ACK of a flow with sockets */
	K_ST_ACK_CT,		/* TCP ACK of a flow conntrack alone knows */
	K_ST_UDP_CT,		/* UDP of a flow conntrack knows (a reply) */
	K_ST_ACK_NONE,		/* bare TCP ACK of no flow, no socket */
	K_ST_ACK_LSN,		/* ... to a listening port */
	K_ST_UDP_NONE,		/* UDP of no flow, to an ephemeral port */
	K_MAX,
};

struct pkt {
	const char	*name;
	int		expect;		/* main table: verdict by the contract */
	struct frame	f;
};

enum prog_kind {
	P_EMPTY,
	P_ARRAY,	/* xdp_filter.o */
	P_RUST,		/* rust/: the same maps as P_ARRAY */
	P_HASH,
	P_XDPT_UDP,
	P_XDPT_ALL,
	P_FRESH,	/* bench_fresh.o tail-calling its own empty end: the
			 * floor of the new-source-each-packet row */
};

/* What an xdp_filter.o (or Rust) instance is filled with. */
enum rule_set {
	RS_PORTS,	/* `rules` port rules, deny policy */
	RS_SRC,		/* ... and "7777 udp src": the ports tier */
	RS_PFX6_ONE,	/* ... and "any from 2001:db8:ffff::/48": the full
			 * tier, the udp4 packets never walk the trie */
	RS_LOG,		/* ... and "7777 udp log": the full tier */
	RS_PFX4_ANY,	/* NPFX x "any from 10.a.b.0/24" */
	RS_PFX6_ANY,	/* NPFX x "any from 2001:db8:N::/48" */
	RS_PFX4_PORT,	/* NPFX x "9999 udp from 10.a.b.0/24" */
	RS_PFX6_PORT,	/* NPFX x "9999 udp from 2001:db8:N::/48" */
	RS_ALLOW,	/* `rules` port rules, rule 0 "9999 tcp", allow policy
			 * (stateless: policy allow stateless) */
	RS_STATE,	/* the same, policy allow (stateful): the state tier */
	RS_LIMIT,	/* `rules` port rules, rule 0 "9999 udp limit ..." as
			 * the prog's lrate, lburst, lper say: the full tier */
	RS_SET_ANY,	/* `rules` port rules and "any from @drop", set drop
			 * the --set4 file: the set tier */
};

struct prog {
	const char	*label;
	const char	*file;		/* basename, joined with a directory */
	enum prog_kind	kind;
	enum rule_set	set;
	int		rules;
	char		path[512];
	struct bpf_object *obj;
	int		fd;
	int		main;		/* a row of the main table */
	int		active_fd;	/* the active tier, when it is p->fd */
	bool		notiers;	/* xdp_filter without the tiers' programs:
					 * its own full filter decides */
	const char	*run;		/* the program timed, if not the first */
	unsigned int	want;		/* packet kinds timed: 1 << k */
	char		skip[256];	/* why it is not in the table, if so */
	int		expect[K_MAX];	/* -1: no contract for this pair */
	int		reason[K_MAX];	/* the xf_stats reason it must move,
					 * -1: not checked */
	const char	*tier;		/* the program the active slot must
					 * hold, if checked; its reasons are
					 * checked over the timed runs too
					 * (but with drain) */
	__u32		lrate, lburst;	/* RS_LIMIT: rule 0's limit */
	bool		lper;		/* ... per-source */
	bool		withset;	/* set drop loaded (--set4), named by
					 * a rule or not */
	bool		drain;		/* a bucket that must be empty: the
					 * warm-up takes its burst first */
	bool		wrap;		/* timed through bench_fresh.o: a new
					 * source each packet */
	struct bpf_object *wobj;	/* that bench_fresh.o */
	bool		rwant_any;
	__u64		rbefore[XF_R_MAX], rwant[XF_R_MAX];
	int		retval[K_MAX];
	double		*ns[K_MAX];	/* per round: CPU time / repeat */
	double		*kns[K_MAX];	/* per round: opts.duration */
};

#define PROG(l, f, k, s, n, m) \
	{ .label = (l), .file = (f), .kind = (k), .set = (s), .rules = (n), \
	  .main = (m) }
#define PROG_RUN(l, f, k, s, n, r) \
	{ .label = (l), .file = (f), .kind = (k), .set = (s), .rules = (n), \
	  .main = 1, .run = (r) }
#define PROG_TIER(l, f, k, s, n, t) \
	{ .label = (l), .file = (f), .kind = (k), .set = (s), .rules = (n), \
	  .tier = (t) }
#define PROG_LIMIT(l, rate, burst, per, dr, wr) \
	{ .label = (l), .file = "xdp_filter.o", .kind = P_ARRAY, \
	  .set = RS_LIMIT, .rules = 100, .tier = "xf_full", .lrate = (rate), \
	  .lburst = (burst), .lper = (per), .drain = (dr), .wrap = (wr) }
#define PROG_SET(l, s, n, t) \
	{ .label = (l), .file = "xdp_filter.o", .kind = P_ARRAY, .set = (s), \
	  .rules = (n), .tier = (t), .withset = true }
#define PROG_NOTIERS(l, f, k, s, n) \
	{ .label = (l), .file = (f), .kind = (k), .set = (s), .rules = (n), \
	  .notiers = true }

enum {
	PI_EMPTY,
	PI_ARR1, PI_ARR100, PI_ARR10K, PI_DIRECT,
	PI_RS1, PI_RS100, PI_RS10K,
	PI_H1, PI_H100, PI_H10K,
	PI_XUDP, PI_XALL,
	/* Rule forms: not in the main table. */
	PI_NONE, PI_PFX4, PI_PFX6, PI_PFX4P, PI_PFX6P, PI_ALLOW,
	PI_SRC, PI_FULL, PI_LOG, PI_NOTIER,
	/* The stateful allow policy, and the stateless one beside it. */
	PI_STATE, PI_STATELESS,
	/* Rate limits: per-source and aggregate, under and over; a new
	 * source each packet, and that row's floor. */
	PI_LPS_UNDER, PI_LPS_OVER, PI_LPS_FRESH, PI_LAGG_UNDER, PI_LAGG_OVER,
	PI_FRESH_FLOOR,
	/* Source sets: a rule naming one, and a set no rule names. */
	PI_SET_ANY, PI_SET_IDLE_DST, PI_SET_IDLE_FULL,
	NPROGS,
};

static struct prog progs[NPROGS] = {
	[PI_EMPTY] = PROG("empty XDP_PASS (floor)", "bench_empty.o", P_EMPTY,
			  RS_PORTS, 0, 1),
	[PI_ARR1] = PROG("xdp_filter (C), dst tier", "xdp_filter.o", P_ARRAY,
			 RS_PORTS, 1, 1),
	[PI_ARR100] = PROG("xdp_filter (C), dst tier", "xdp_filter.o", P_ARRAY,
			   RS_PORTS, 100, 1),
	[PI_ARR10K] = PROG("xdp_filter (C), dst tier", "xdp_filter.o", P_ARRAY,
			   RS_PORTS, 10000, 1),
	[PI_DIRECT] = PROG_RUN("through the dispatcher xdp_filter (plain ip"
			       " link attach)", "xdp_filter.o", P_ARRAY,
			       RS_PORTS, 100, "xdp_filter"),
	[PI_RS1] = PROG("xdp_filter (Rust), dst tier", "xdp_filter_rs.o",
			P_RUST, RS_PORTS, 1, 1),
	[PI_RS100] = PROG("xdp_filter (Rust), dst tier", "xdp_filter_rs.o",
			  P_RUST, RS_PORTS, 100, 1),
	[PI_RS10K] = PROG("xdp_filter (Rust), dst tier", "xdp_filter_rs.o",
			  P_RUST, RS_PORTS, 10000, 1),
	[PI_H1] = PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH,
		       RS_PORTS, 1, 1),
	[PI_H100] = PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH,
			 RS_PORTS, 100, 1),
	[PI_H10K] = PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH,
			 RS_PORTS, 10000, 1),
	[PI_XUDP] = PROG("xdp-tools xdpfilt_alw_udp.o (-f udp)",
			 "xdpfilt_alw_udp.o", P_XDPT_UDP, RS_PORTS, 1, 1),
	[PI_XALL] = PROG("xdp-tools xdpfilt_alw_all.o (-f tcp,udp)",
			 "xdpfilt_alw_all.o", P_XDPT_ALL, RS_PORTS, 1, 1),
	[PI_NONE] = PROG("xdp_filter, no rules", "xdp_filter.o", P_ARRAY,
			 RS_PORTS, 0, 0),
	[PI_PFX4] = PROG("xdp_filter, 10,000 IPv4 prefix rules (any from)",
			 "xdp_filter.o", P_ARRAY, RS_PFX4_ANY, NPFX, 0),
	[PI_PFX6] = PROG("xdp_filter, 10,000 IPv6 prefix rules (any from)",
			 "xdp_filter.o", P_ARRAY, RS_PFX6_ANY, NPFX, 0),
	[PI_PFX4P] = PROG("xdp_filter, 10,000 IPv4 prefix+port rules",
			  "xdp_filter.o", P_ARRAY, RS_PFX4_PORT, NPFX, 0),
	[PI_PFX6P] = PROG("xdp_filter, 10,000 IPv6 prefix+port rules",
			  "xdp_filter.o", P_ARRAY, RS_PFX6_PORT, NPFX, 0),
	[PI_ALLOW] = PROG("xdp_filter, policy allow stateless, 10,000 port rules",
			  "xdp_filter.o", P_ARRAY, RS_ALLOW, 10000, 0),
	[PI_SRC] = PROG("xdp_filter, 10,000 port rules + 1 source-port rule",
			"xdp_filter.o", P_ARRAY, RS_SRC, 10000, 0),
	[PI_FULL] = PROG("xdp_filter, 10,000 port rules + 1 IPv6 prefix rule",
			 "xdp_filter.o", P_ARRAY, RS_PFX6_ONE, 10000, 0),
	[PI_LOG] = PROG("xdp_filter, 10,000 port rules + 1 rule with log",
			"xdp_filter.o", P_ARRAY, RS_LOG, 10000, 0),
	[PI_NOTIER] = PROG_NOTIERS("xdp_filter, 10,000 port rules, no tier"
				   " loaded", "xdp_filter.o", P_ARRAY,
				   RS_PORTS, 10000),
	[PI_STATE] = PROG_TIER("xdp_filter, policy allow, 100 port rules:"
			       " state tier", "xdp_filter.o", P_ARRAY,
			       RS_STATE, 100, "xf_state"),
	[PI_STATELESS] = PROG_TIER("xdp_filter, policy allow stateless, 100"
				   " port rules: full tier", "xdp_filter.o",
				   P_ARRAY, RS_ALLOW, 100, "xf_full"),
	[PI_LPS_UNDER] = PROG_LIMIT("xdp_filter, per-source limit, under",
				    XF_LIMIT_RATE_MAX, XF_LIMIT_BURST_MAX, true,
				    false, false),
	[PI_LPS_OVER] = PROG_LIMIT("xdp_filter, per-source limit, over", 1, 1,
				   true, true, false),
	[PI_LPS_FRESH] = PROG_LIMIT("xdp_filter, per-source limit, a new"
				    " source each packet", XF_LIMIT_RATE_MAX,
				    XF_LIMIT_BURST_MAX, true, false, true),
	[PI_LAGG_UNDER] = PROG_LIMIT("xdp_filter, aggregate limit, under",
				     XF_LIMIT_RATE_MAX, XF_LIMIT_BURST_MAX,
				     false, false, false),
	[PI_LAGG_OVER] = PROG_LIMIT("xdp_filter, aggregate limit, over", 1, 1,
				    false, true, false),
	[PI_FRESH_FLOOR] = PROG("bench_fresh.o tail-calling an empty program",
				"bench_fresh.o", P_FRESH, RS_PORTS, 0, 0),
	[PI_SET_ANY] = PROG_SET("xdp_filter, 100 port rules + any from @drop",
				RS_SET_ANY, 100, "xf_sets_s0"),
	[PI_SET_IDLE_DST] = PROG_SET("xdp_filter, 10,000 port rules, set drop"
				     " loaded, no rule names it", RS_PORTS,
				     10000, "xf_dst_s0"),
	[PI_SET_IDLE_FULL] = PROG_SET("xdp_filter, 10,000 port rules + 1 IPv6"
				      " prefix rule, set drop loaded, no rule"
				      " names it", RS_PFX6_ONE, 10000,
				      "xf_full"),
};

/* The rule-forms table: one row per (program, packet), in this order. */
struct form {
	int		prog;
	enum pkt_kind	k;
	int		expect;
	const char	*rules;		/* the rule set, as rulectl spells it */
	const char	*packet;
	const char	*what;		/* the path it measures */
};

static const struct form forms[] = {
	{ PI_NONE, K_UDP4_BLOCK, XDP_PASS, "no rules",
	  "udp4 198.18.0.1 -> :9999",
	  "the floor of the filter: the dst tier, parse, a dst-slot miss,"
	  " xf_stats" },
	{ PI_NONE, K_UDP6_BLOCK, XDP_PASS, "no rules",
	  "udp6 fd00::1 -> :9999", "the same for IPv6" },
	{ PI_ARR10K, K_UDP4_BLOCK, XDP_DROP, "10,000 port rules (dst tier)",
	  "udp4 198.18.0.1 -> :9999 (listed)",
	  "blocked: dst slot hit, xf_rcount (main table's row)" },
	{ PI_ARR10K, K_UDP4_ALLOW, XDP_PASS, "10,000 port rules (dst tier)",
	  "udp4 198.18.0.1 -> :9998 (not listed)",
	  "allowed: a dst-slot miss, xf_stats (main table's row)" },
	{ PI_SRC, K_UDP4_BLOCK, XDP_DROP,
	  "+ 1 source-port rule (ports tier)",
	  "udp4 198.18.0.1 -> :9999 (listed)",
	  "the ports tier: blocked by a dst slot hit" },
	{ PI_SRC, K_UDP4_ALLOW, XDP_PASS,
	  "+ 1 source-port rule (ports tier)",
	  "udp4 198.18.0.1 -> :9998 (not listed)",
	  "the ports tier: a dst-slot miss, then a src-slot miss" },
	{ PI_FULL, K_UDP4_BLOCK, XDP_DROP,
	  "+ 1 IPv6 prefix rule (full tier)",
	  "udp4 198.18.0.1 -> :9999 (listed)",
	  "the full tier for a packet no prefix rule of its family touches:"
	  " xf_config read, set's counts, dst slot hit" },
	{ PI_FULL, K_UDP4_ALLOW, XDP_PASS,
	  "+ 1 IPv6 prefix rule (full tier)",
	  "udp4 198.18.0.1 -> :9998 (not listed)",
	  "the full tier: a dst-slot miss" },
	{ PI_LOG, K_UDP4_BLOCK, XDP_DROP,
	  "+ 1 rule with log, 7777 udp (full tier)",
	  "udp4 198.18.0.1 -> :9999 (listed, no log)",
	  "the full tier: a drop by a rule without log" },
	{ PI_NOTIER, K_UDP4_BLOCK, XDP_DROP,
	  "10,000 port rules, no tier loaded",
	  "udp4 198.18.0.1 -> :9999 (listed)",
	  "xdp_filter's own full filter (strict parser, xf_config): what runs"
	  " before an attach loads the tiers" },
	{ PI_PFX4, K_UDP4_PIN, XDP_DROP,
	  "10,000 IPv4 prefixes: any from 10.a.b.0/24",
	  "udp4 10.0.42.1 -> :9999 (inside one)",
	  "blocked: trie hit, its any_id decides" },
	{ PI_PFX4, K_UDP4_POUT, XDP_PASS,
	  "10,000 IPv4 prefixes: any from 10.a.b.0/24",
	  "udp4 10.39.16.1 -> :9999 (outside all)",
	  "allowed: prefix rules present, packet matches none; a near-miss"
	  " trie walk, then a dst-slot miss" },
	{ PI_PFX4, K_UDP6_BLOCK, XDP_PASS,
	  "10,000 IPv4 prefixes: any from 10.a.b.0/24",
	  "udp6 fd00::1 -> :9999",
	  "the other family: no IPv6 prefixes, so no trie lookup" },
	{ PI_PFX6, K_UDP6_PIN, XDP_DROP,
	  "10,000 IPv6 prefixes: any from 2001:db8:N::/48",
	  "udp6 2001:db8:2a::1 -> :9999 (inside one)",
	  "blocked: trie hit, its any_id decides" },
	{ PI_PFX6, K_UDP6_POUT, XDP_PASS,
	  "10,000 IPv6 prefixes: any from 2001:db8:N::/48",
	  "udp6 2001:db8:2710::1 -> :9999 (outside all)",
	  "allowed: prefix rules present, packet matches none; a near-miss"
	  " trie walk, then a dst-slot miss" },
	{ PI_PFX4P, K_UDP4_PIN, XDP_DROP,
	  "10,000 IPv4 prefixes: 9999 udp from 10.a.b.0/24",
	  "udp4 10.0.42.1 -> :9999 (inside one)",
	  "blocked: trie hit, xf_pports hit (dst)" },
	{ PI_PFX4P, K_UDP4_PIN_OTHER, XDP_PASS,
	  "10,000 IPv4 prefixes: 9999 udp from 10.a.b.0/24",
	  "udp4 10.0.42.1 -> :9998 (inside one, port not listed)",
	  "prefix rules present, packet matches none, the longest path: trie"
	  " hit, 2 xf_pports misses, a dst-slot miss" },
	{ PI_PFX6P, K_UDP6_PIN, XDP_DROP,
	  "10,000 IPv6 prefixes: 9999 udp from 2001:db8:N::/48",
	  "udp6 2001:db8:2a::1 -> :9999 (inside one)",
	  "blocked: trie hit, xf_pports hit (dst)" },
	{ PI_PFX6P, K_UDP6_PIN_OTHER, XDP_PASS,
	  "10,000 IPv6 prefixes: 9999 udp from 2001:db8:N::/48",
	  "udp6 2001:db8:2a::1 -> :9998 (inside one, port not listed)",
	  "prefix rules present, packet matches none, the longest path: trie"
	  " hit, 2 xf_pports misses, a dst-slot miss" },
	{ PI_ALLOW, K_TCP4_ALLOW, XDP_PASS,
	  "policy allow stateless; 10,000 port rules incl. 9999 tcp",
	  "TCP SYN 198.18.0.1 -> :9999 (listed)",
	  "allow mode, new flow to a listed port: dst slot hit, pass"
	  " (reason allowed)" },
	{ PI_ALLOW, K_TCP4_SYN_OTHER, XDP_DROP,
	  "policy allow stateless; 10,000 port rules incl. 9999 tcp",
	  "TCP SYN 198.18.0.1 -> :9998 (not listed)",
	  "allow mode, new flow to an unlisted port: 2 slot misses, policy"
	  " drop" },
};

#define NFORMS	(sizeof(forms) / sizeof(forms[0]))

/* The source-set table: one row per (program, packet); vs, when not -1,
 * the program of the same rules without the set. */
struct set_row {
	int		prog, vs;
	enum pkt_kind	k;
	int		expect;
	const char	*rules;
	const char	*packet;
	const char	*what;
};

static const struct set_row set_rows[] = {
	{ PI_SET_ANY, -1, K_SET_IN32, XDP_DROP,
	  "100 port rules + `any from @drop`", "udp4 from a /32 of the set"
	  " -> :9998", "blocked by the set: level 1 says partly, level 2 (an"
	  " array, at the /24's rank) holds the address" },
	{ PI_SET_ANY, -1, K_SET_IN24, XDP_DROP,
	  "100 port rules + `any from @drop`", "udp4 from a /24 wholly in the"
	  " set -> :9998", "blocked by the set: level 1 alone" },
	{ PI_SET_ANY, -1, K_SET_OUTP, XDP_PASS,
	  "100 port rules + `any from @drop`", "udp4 from beside that /32, not"
	  " in the set -> :9998", "passed: level 1 says partly, a level-2"
	  " miss, then a dst-slot miss" },
	{ PI_SET_ANY, -1, K_SET_OUT, XDP_PASS,
	  "100 port rules + `any from @drop`", "udp4 from a /24 no prefix"
	  " touches -> :9998", "passed: a level-1 miss, then a dst-slot miss" },
	{ PI_SET_IDLE_DST, PI_ARR10K, K_UDP4_BLOCK, XDP_DROP,
	  "10,000 port rules; set drop loaded, no rule names it",
	  "udp4 198.18.0.1 -> :9999 (listed)", "the dst tier: no set is"
	  " looked at" },
	{ PI_SET_IDLE_DST, PI_ARR10K, K_UDP4_ALLOW, XDP_PASS,
	  "10,000 port rules; set drop loaded, no rule names it",
	  "udp4 198.18.0.1 -> :9998", "the dst tier: a dst-slot miss" },
	{ PI_SET_IDLE_FULL, PI_FULL, K_UDP4_BLOCK, XDP_DROP,
	  "10,000 port rules + 1 IPv6 prefix rule; set drop loaded, no rule"
	  " names it", "udp4 198.18.0.1 -> :9999 (listed)", "the full tier:"
	  " setmask 0, so no set lookup" },
	{ PI_SET_IDLE_FULL, PI_FULL, K_UDP4_ALLOW, XDP_PASS,
	  "10,000 port rules + 1 IPv6 prefix rule; set drop loaded, no rule"
	  " names it", "udp4 198.18.0.1 -> :9998", "the full tier: a dst-slot"
	  " miss" },
};

#define NSET_ROWS	(sizeof(set_rows) / sizeof(set_rows[0]))

/* The stateful table: one row per packet, each through the state tier
 * (policy allow) and the full tier (policy allow stateless), with the
 * verdict and the xf_stats reason each must give; both are checked before
 * and after the timing. */
struct state_row {
	enum pkt_kind	k;
	int		expect, reason;		/* policy allow (stateful) */
	int		sl_expect, sl_reason;	/* policy allow stateless */
	const char	*packet;
	const char	*what;		/* the state tier's path */
};

static const struct state_row states[] = {
	{ K_ST_ACK_RULE, XDP_PASS, XF_R_ALLOWED, XDP_PASS, XF_R_ALLOWED,
	  "TCP ACK 127.0.0.1:40000 -> :9999 (listed: 9999 tcp)",
	  "a rule decides: dst slot hit, no lookup" },
	{ K_ST_ACK_SK, XDP_PASS, XF_R_TRACKED, XDP_PASS, XF_R_PASSED,
	  "TCP ACK :45001 -> :5001 (open connection, both sockets)",
	  "known flow, socket hit: bpf_skc_lookup_tcp finds the connected"
	  " socket, no conntrack lookup (a flow conntrack knows too takes"
	  " this same path)" },
	{ K_ST_ACK_CT, XDP_PASS, XF_R_TRACKED, XDP_PASS, XF_R_PASSED,
	  "TCP ACK :45002 -> :5002 (conntrack ESTABLISHED, no socket)",
	  "known flow, conntrack hit: socket lookup miss, then"
	  " bpf_xdp_ct_lookup hit" },
	{ K_ST_UDP_CT, XDP_PASS, XF_R_TRACKED, XDP_PASS, XF_R_PASSED,
	  "UDP :5004 -> :45004 (the reply of a tracked exchange)",
	  "known flow: bpf_xdp_ct_lookup hit (reply tuple)" },
	{ K_ST_ACK_NONE, XDP_DROP, XF_R_STATE, XDP_PASS, XF_R_PASSED,
	  "bare TCP ACK :40000 -> :9998 (no flow, no socket)",
	  "unknown flow: socket lookup miss, conntrack miss, drop (state)" },
	{ K_ST_ACK_LSN, XDP_DROP, XF_R_STATE, XDP_PASS, XF_R_PASSED,
	  "bare TCP ACK :40000 -> :5003 (no flow, a listener)",
	  "unknown flow to a listening port: the socket lookup finds the"
	  " listener (not a flow), conntrack miss, drop (state)" },
	{ K_ST_UDP_NONE, XDP_DROP, XF_R_POLICY, XDP_PASS, XF_R_PASSED,
	  "UDP :53 -> :45999 (no flow, ephemeral port)",
	  "unknown flow: conntrack miss, drop (policy); the stateless policy"
	  " lets UDP to the ephemeral range through" },
};

#define NSTATES	(sizeof(states) / sizeof(states[0]))

/* The rate-limit table: udp4 198.18.0.1 -> :9999 through rule 0 "9999 udp
 * limit ...", 100 port rules, the full tier; verdict and reason checked
 * before the timing (and over it, but for the drained buckets, which
 * refill at 1/s while the benchmark runs), the verdict every round. */
struct limit_row {
	int		prog;
	int		expect, reason;
	const char	*rule;
	const char	*packet;
	const char	*what;
};

static const struct limit_row limits[] = {
	{ PI_LPS_UNDER, XDP_PASS, XF_R_ALLOWED,
	  "9999 udp limit 10000000/s per-source", "the same source each time",
	  "a known source under its limit: per-source key, LRU hash hit, a"
	  " token by compare-and-swap, the rule's counters" },
	{ PI_LPS_OVER, XDP_DROP, XF_R_LIMITED,
	  "9999 udp limit 1/s burst 1 per-source", "the same source each time",
	  "a known source over its limit: LRU hash hit, no token, xf_rlimited" },
	{ PI_LPS_FRESH, XDP_PASS, XF_R_ALLOWED,
	  "9999 udp limit 10000000/s per-source",
	  "a new source each packet (bench_fresh.o)",
	  "a source never seen: LRU hash miss, insert (BPF_NOEXIST) of a"
	  " full bucket less one token; past 131,072 buckets each insert"
	  " evicts the least recently used (floor: bench_fresh.o tail-calling"
	  " an empty program)" },
	{ PI_LAGG_UNDER, XDP_PASS, XF_R_ALLOWED,
	  "9999 udp limit 10000000/s", "the same source each time",
	  "the rule's one bucket (xf_limit) under its limit: a token by"
	  " compare-and-swap" },
	{ PI_LAGG_OVER, XDP_DROP, XF_R_LIMITED, "9999 udp limit 1/s burst 1",
	  "the same source each time",
	  "the rule's one bucket over its limit: no token, xf_rlimited" },
};

#define NLIMITS	(sizeof(limits) / sizeof(limits[0]))

static const char *const reason_names[XF_R_MAX] = XF_REASON_NAMES;

/* Why the stateful rows cannot run, if so. */
static char flows_why[256];

static struct pkt pkts[K_MAX];
static int ncpus;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--quick] [--objdir DIR] [--xdp-tools DIR]"
		" [--set4 FILE]\n"
		"       %s --help\n"
		"Times XDP programs with BPF_PROG_TEST_RUN; prints markdown.\n"
		"  --quick          repeat %d, %d rounds (smoke run)\n"
		"  --objdir DIR     our BPF objects (default: build)\n"
		"  --xdp-tools DIR  xdp-filter objects (default: %s)\n"
		"  --set4 FILE      the source-set rows' set (xf_setgen mix4)\n"
		"  --sets-only      only those rows (and their floor)\n",
		PROG_NAME, PROG_NAME, REPEAT_QUICK, ROUNDS_QUICK,
		XDPT_DIR_DEFAULT);
}

static const char *action_name(int a)
{
	switch (a) {
	case XDP_ABORTED: return "ABORTED";
	case XDP_DROP: return "DROP";
	case XDP_PASS: return "PASS";
	case XDP_TX: return "TX";
	case XDP_REDIRECT: return "REDIRECT";
	default: return "?";
	}
}

static const char *reason_name(int r)
{
	return r >= 0 && r < XF_R_MAX && reason_names[r] ? reason_names[r] :
							     "?";
}

/* ---- packets ---------------------------------------------------------- */

#define PAYLOAD	18	/* makes the plain udp4 frame 60 bytes */

/* A packet of the benchmark: 198.18.0.1 -> 198.18.0.2 or fd00::1 ->
 * fd00::2 unless src and dst say otherwise, an optional 802.1Q tag or
 * hop-by-hop header (one PadN option), then UDP or a TCP SYN (a new flow,
 * which is what the allow policy gates; ack: a bare ACK instead) from
 * sport (0: SPORT) to dport with PAYLOAD zero bytes, padded to the
 * Ethernet minimum (60 bytes, FCS excluded). */
struct shape {
	int		v6, vlan, hbh, tcp, ack;
	const uint8_t	*src, *dst;
	uint16_t	sport, dport;
};

static void set_pkt(enum pkt_kind k, const char *name, int expect,
		    const struct shape *s)
{
	struct frame *f = &pkts[k].f;
	uint16_t type = s->v6 ? ET_IPV6 : ET_IPV4;
	uint8_t l4 = s->tcp ? P_TCP : P_UDP;
	uint16_t sport = s->sport ? s->sport : SPORT;
	struct fr_ipv4 h4 = { .proto = l4, .src = s->src, .dst = s->dst };
	struct fr_ipv6 h6 = { .next = s->hbh ? P_HOPOPTS : l4, .src = s->src,
			      .dst = s->dst };
	struct fr_ext hbh = { .type = P_HOPOPTS };
	struct fr_tcp syn = { .sport = sport, .dport = s->dport,
			      .flags = s->ack ? TH_ACK : TH_SYN,
			      .seq = s->ack ? 1000 : 0, .win = 64240 };

	pkts[k].name = name;
	pkts[k].expect = expect;
	fr_init(f, false);
	fr_eth(f, NULL, NULL, s->vlan ? TPID_Q : type);
	if (s->vlan)
		fr_vlan(f, 100, type);
	if (s->v6)
		fr_ipv6(f, &h6);
	else
		fr_ipv4(f, &h4);
	if (s->hbh)
		fr_ext(f, &hbh, l4);
	if (s->tcp)
		fr_tcp(f, &syn);
	else
		fr_udp(f, sport, s->dport);
	fr_fill(f, PAYLOAD, NULL, 0);
	fr_end_ip(f, -1);
	fr_pad_to(f, 60);
}

/* Request who-has 198.18.0.2 tell 198.18.0.1, Ethernet/IPv4. */
static void set_arp(void)
{
	static const uint8_t sha[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t spa[4] = { 198, 18, 0, 1 }, tpa[4] = { 198, 18, 0, 2 };
	struct frame *f = &pkts[K_ARP].f;

	pkts[K_ARP].name = "arp";
	pkts[K_ARP].expect = XDP_PASS;
	fr_init(f, false);
	fr_eth(f, NULL, NULL, ET_ARP);
	fr_arp(f, sha, spa, tpa);
	fr_pad_to(f, 60);
}

/* Prefix i of the IPv4 set: 10.a.b.0/24 with a.b = i. */
static void pfx4_addr(int i, uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = 10;
	a[1] = (uint8_t)(i >> 8);
	a[2] = (uint8_t)i;
}

/* Prefix i of the IPv6 set: 2001:db8:i::/48. */
static void pfx6_addr(int i, uint8_t *a)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = (uint8_t)(i >> 8);
	a[5] = (uint8_t)i;
}

static void build_set_pkts(void);

static void build_pkts(void)
{
	static const uint8_t lo[16] = { 127, 0, 0, 1 };
	uint8_t in4[16], out4[16], in6[16], out6[16];

	pfx4_addr(PFX_IN, in4);
	pfx4_addr(NPFX, out4);
	pfx6_addr(PFX_IN, in6);
	pfx6_addr(NPFX, out6);
	in4[3] = out4[3] = in6[15] = out6[15] = 1;

	set_pkt(K_UDP4_BLOCK, "udp4 blocked", XDP_DROP,
		&(struct shape){ .dport = PORT_BLOCKED });
	set_pkt(K_UDP4_ALLOW, "udp4 allowed", XDP_PASS,
		&(struct shape){ .dport = PORT_ALLOWED });
	/* Same port as the udp rule: a tcp packet must not match it. */
	set_pkt(K_TCP4_ALLOW, "tcp4 allowed", XDP_PASS,
		&(struct shape){ .tcp = 1, .dport = PORT_BLOCKED });
	set_pkt(K_UDP6_BLOCK, "udp6 blocked", XDP_DROP,
		&(struct shape){ .v6 = 1, .dport = PORT_BLOCKED });
	set_pkt(K_VLAN_UDP4, "vlan udp4 blocked", XDP_DROP,
		&(struct shape){ .vlan = 1, .dport = PORT_BLOCKED });
	set_pkt(K_HBH_UDP6, "udp6 hop-by-hop blocked", XDP_DROP,
		&(struct shape){ .v6 = 1, .hbh = 1, .dport = PORT_BLOCKED });
	set_arp();

	/* The rule-form packets; their verdicts are per rule set (forms[]). */
	set_pkt(K_UDP4_PIN, "udp4 from a prefix", -1,
		&(struct shape){ .src = in4, .dport = PORT_BLOCKED });
	set_pkt(K_UDP4_PIN_OTHER, "udp4 from a prefix, other port", -1,
		&(struct shape){ .src = in4, .dport = PORT_ALLOWED });
	set_pkt(K_UDP4_POUT, "udp4 from past the prefixes", -1,
		&(struct shape){ .src = out4, .dport = PORT_BLOCKED });
	set_pkt(K_UDP6_PIN, "udp6 from a prefix", -1,
		&(struct shape){ .v6 = 1, .src = in6, .dport = PORT_BLOCKED });
	set_pkt(K_UDP6_PIN_OTHER, "udp6 from a prefix, other port", -1,
		&(struct shape){ .v6 = 1, .src = in6, .dport = PORT_ALLOWED });
	set_pkt(K_UDP6_POUT, "udp6 from past the prefixes", -1,
		&(struct shape){ .v6 = 1, .src = out6, .dport = PORT_BLOCKED });
	set_pkt(K_TCP4_SYN_OTHER, "tcp4 SYN to another port", -1,
		&(struct shape){ .tcp = 1, .dport = PORT_ALLOWED });

	build_set_pkts();

	/* The stateful rows': 127.0.0.1 both ways, in xf_bench's namespace
	 * (state_flows.h); each as the remote end of its flow sends it. */
	set_pkt(K_ST_ACK_RULE, "tcp4 ACK, listed port", -1,
		&(struct shape){ .tcp = 1, .ack = 1, .src = lo, .dst = lo,
				 .dport = PORT_BLOCKED });
	set_pkt(K_ST_ACK_SK, "tcp4 ACK, flow with sockets", -1,
		&(struct shape){ .tcp = 1, .ack = 1, .src = lo, .dst = lo,
				 .sport = SF_CLI(SF_TCP_SK),
				 .dport = SF_SRV(SF_TCP_SK) });
	set_pkt(K_ST_ACK_CT, "tcp4 ACK, flow in conntrack", -1,
		&(struct shape){ .tcp = 1, .ack = 1, .src = lo, .dst = lo,
				 .sport = SF_CLI(SF_TCP_CT),
				 .dport = SF_SRV(SF_TCP_CT) });
	set_pkt(K_ST_UDP_CT, "udp4, flow in conntrack", -1,
		&(struct shape){ .src = lo, .dst = lo,
				 .sport = SF_SRV(SF_UDP_CT),
				 .dport = SF_CLI(SF_UDP_CT) });
	set_pkt(K_ST_ACK_NONE, "tcp4 bare ACK, no flow", -1,
		&(struct shape){ .tcp = 1, .ack = 1, .src = lo, .dst = lo,
				 .dport = SF_NONE_SRV });
	set_pkt(K_ST_ACK_LSN, "tcp4 bare ACK, no flow, listener", -1,
		&(struct shape){ .tcp = 1, .ack = 1, .src = lo, .dst = lo,
				 .dport = SF_SRV(SF_TCP_LSN) });
	set_pkt(K_ST_UDP_NONE, "udp4, no flow", -1,
		&(struct shape){ .src = lo, .dst = lo, .sport = 53,
				 .dport = SF_NONE_CLI });
}

/* ---- rules ------------------------------------------------------------ */

/* Rule j of a port rule set: rule 0 is PORT_BLOCKED with proto0; the
 * others alternate tcp and udp over ports 13 apart (13 is odd, so no port
 * repeats in 64k steps), skipping the ports the packets use. */
static int nth_rule(int j, __u8 proto0, __u8 *proto, __u16 *port)
{
	if (j == 0) {
		*proto = proto0;
		*port = PORT_BLOCKED;
		return 0;
	}
	*proto = (j & 1) ? P_TCP : P_UDP;
	*port = (1024 + j * 13) & 0xffff;
	if (*port == 0 || *port == PORT_BLOCKED || *port == PORT_ALLOWED ||
	    *port == SPORT)
		return -1;		/* reserved: the caller skips it */
	return 0;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/* Port rules "PORT PROTO" (dst), n of them, rule 0 PORT_BLOCKED proto0. */
static void port_rules(struct xf_rule *r, int n, __u8 proto0)
{
	__u16 port;
	__u8 proto;

	for (int j = 0, k = 0; k < n; j++) {
		if (nth_rule(j, proto0, &proto, &port))
			continue;
		r[k].sets = 1;
		r[k].protos = proto == P_TCP ? XF_PM_TCP : XF_PM_UDP;
		r[k].port_lo = r[k].port_hi = port;
		k++;
	}
}

/* NPFX prefix rules of one family: "any from P", or "9999 udp from P". */
static void prefix_rules(struct xf_rule *r, int family, int anyport)
{
	for (int i = 0; i < NPFX; i++) {
		r[i].sets = 1;
		r[i].family = family;
		r[i].prefixlen = family == 4 ? 24 : 48;
		if (family == 4)
			pfx4_addr(i, r[i].addr);
		else
			pfx6_addr(i, r[i].addr);
		r[i].anyport = anyport;
		r[i].protos = anyport ? XF_PM_TCP | XF_PM_UDP : XF_PM_UDP;
		r[i].port_lo = anyport ? 1 : PORT_BLOCKED;
		r[i].port_hi = anyport ? 65535 : PORT_BLOCKED;
	}
}

/* The one rule that puts a port rule set into a heavier tier. */
static void extra_rule(enum rule_set set, struct xf_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->sets = 1;
	r->protos = XF_PM_UDP;
	r->port_lo = r->port_hi = 7777;
	if (set == RS_SRC) {
		r->dir = XF_DIR_SRC;
	} else if (set == RS_LOG) {
		r->log_rate = XF_LOG_RATE;
	} else {
		pfx6_addr(0xffff, r->addr);
		r->family = 6;
		r->prefixlen = 48;
		r->anyport = 1;
		r->protos = XF_PM_TCP | XF_PM_UDP;
		r->port_lo = 1;
		r->port_hi = 65535;
	}
}

/* The rules of p's rule set, as rulectl would parse them; their count. */
static int make_rules(const struct prog *p, struct xf_rule *r)
{
	switch (p->set) {
	case RS_PORTS:
		port_rules(r, p->rules, P_UDP);
		return p->rules;
	case RS_SRC:
	case RS_PFX6_ONE:
	case RS_LOG:
		port_rules(r, p->rules, P_UDP);
		extra_rule(p->set, &r[p->rules]);
		return p->rules + 1;
	case RS_ALLOW:
	case RS_STATE:
		port_rules(r, p->rules, P_TCP);
		return p->rules;
	case RS_SET_ANY:
		port_rules(r, p->rules, P_UDP);
		return p->rules;	/* load_set() adds "any from @drop" */
	case RS_LIMIT:
		port_rules(r, p->rules, P_UDP);
		r[0].limit_rate = p->lrate;
		r[0].limit_burst = p->lburst;
		r[0].per_source = p->lper;
		r[0].plen4 = p->lper ? 32 : 0;		/* as rulectl parses it */
		r[0].plen6 = p->lper ? XF_LSRC_PLEN6 : 0;
		return p->rules;
	case RS_PFX4_ANY:
	case RS_PFX6_ANY:
	case RS_PFX4_PORT:
	case RS_PFX6_PORT:
		prefix_rules(r, p->set == RS_PFX4_ANY || p->set == RS_PFX4_PORT ?
				4 : 6,
			     p->set == RS_PFX4_ANY || p->set == RS_PFX6_ANY);
		return NPFX;
	}
	return 0;
}

/* ---- source sets ------------------------------------------------------ */

#define SET_NAME	"drop"

/* The --set4 file, merged, and why the set rows are skipped, if so. */
static struct xf_plist set4;
static char set4_why[256] = "no --set4 FILE (bench/run.sh gives one)";

/* Is host-order address a in the merged list, and is any of its /24? */
static bool set4_has(__u32 a)
{
	for (size_t i = 0; i < set4.n4; i++) {
		const struct xf_p4 *p = &set4.v4[i];
		__u32 mask = p->len ? ~0U << (32 - p->len) : 0;

		if ((a & mask) == p->addr)
			return true;
	}
	return false;
}

static bool set4_touches24(__u32 a)
{
	for (size_t i = 0; i < set4.n4; i++) {
		const struct xf_p4 *p = &set4.v4[i];
		__u32 m24 = ~0U << 8;
		__u32 mask = p->len ? ~0U << (32 - p->len) : 0;

		if ((p->addr & m24) == (a & m24) || ((a & mask) == p->addr))
			return true;
	}
	return false;
}

/* The set rows' sources, from the file: a /32 of it (so its /24 is partly
 * in the set), an address in a /24 wholly in it, a neighbour of that /32
 * not in the set, and 198.18.0.1 (or the next /24 up) that no prefix
 * touches. 0, or -1 with set4_why said. */
static int set4_pick(__u32 *in32, __u32 *in24, __u32 *outp, __u32 *out)
{
	bool f32 = false, f24 = false;

	for (size_t i = 0; i < set4.n4 && !(f32 && f24); i++) {
		const struct xf_p4 *p = &set4.v4[i];

		if (p->len == 32 && !f32 && !set4_has(p->addr ^ 1)) {
			*in32 = p->addr;
			*outp = p->addr ^ 1;
			f32 = true;
		} else if (p->len <= 24 && !f24) {
			*in24 = p->addr + 1;
			f24 = true;
		}
	}
	for (*out = 0xc6120001U; f32 && f24 && set4_touches24(*out);)
		*out += 256;
	if (f32 && f24)
		return 0;
	snprintf(set4_why, sizeof(set4_why), "the --set4 file has no lone /32"
		 " and /24 to take the packets' sources from");
	return -1;
}

/* Reads the --set4 file, merged, as rulectl does: 0 or -1 (the set rows
 * are then skipped, set4_why says why). */
static int set4_read(const char *path)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f) {
		snprintf(set4_why, sizeof(set4_why), "%s: %s", path,
			 strerror(errno));
		return -1;
	}
	err = xf_plist_read(&set4, f, path);
	fclose(f);
	if (err) {
		snprintf(set4_why, sizeof(set4_why), "%s: not a prefix list",
			 path);
		return -1;
	}
	xf_plist_merge(&set4);
	set4_why[0] = '\0';
	return 0;
}

/* Set drop := the --set4 file, through the store as `rule.sh set drop
 * load` writes it; for RS_SET_ANY, "any from @drop" parsed as rulectl
 * parses it, appended to r[*n]. */
static int load_set(const struct prog *p, struct xf_maps *m,
		    struct xf_rule *r, int *n)
{
	char *words[] = { "any", "from", "@" SET_NAME };
	int err = xf_set_replace(m, SET_NAME, &set4, true);

	if (!err)
		err = xf_read_sets(m);
	if (err || p->set != RS_SET_ANY)
		return err;
	memset(&r[*n], 0, sizeof(r[*n]));
	if (xf_parse_rule(3, words, NULL, &r[*n]) ||
	    xf_rule_resolve(&r[*n], NULL))
		return -EINVAL;
	(*n)++;
	return 0;
}

/* The source-set rows' packets: udp4 to PORT_ALLOWED (no port rule, so a
 * drop is the set's) from the addresses set4_pick() took from the file
 * (198.18.0.1 for all when there is none: those rows are skipped). */
static void build_set_pkts(void)
{
	static const char *const names[] = {
		"udp4 from a /32 of the set", "udp4 from a /24 of the set",
		"udp4 from beside a /32 of the set", "udp4 from outside the set",
	};
	__u32 a[4] = { 0xc6120001U, 0xc6120001U, 0xc6120001U, 0xc6120001U };
	uint8_t src[4][16] = { { 0 } };

	if (!set4_why[0] && set4_pick(&a[0], &a[1], &a[2], &a[3]))
		fprintf(stderr, PROG_NAME ": %s\n", set4_why);
	for (int i = 0; i < 4; i++) {
		__u32 be = htonl(a[i]);

		memcpy(src[i], &be, 4);
		set_pkt(K_SET_IN32 + i, names[i], -1,
			&(struct shape){ .src = src[i], .dport = PORT_ALLOWED });
	}
}

/* Rule set 0 of an object with the product's maps, the active one, as
 * rulectl leaves it: the ABI stamp, p's rules (none for the hash twin,
 * whose port rules live in its own map) and its policy, all written by the
 * store (src/xf_store.h). */
static int fill_store(struct prog *p)
{
	struct xf_obj o = { .tool = PROG_NAME, .path = p->path, .obj = p->obj };
	struct xf_set pol = {
		.flags = p->set == RS_ALLOW ? XF_CFG_ALLOW :
			 p->set == RS_STATE ? XF_CFG_ALLOW | XF_CFG_STATEFUL : 0,
		/* Linux's default ip_local_port_range; 0-0 when stateful,
		 * as xf_policy_make() writes it */
		.eph_lo = p->set == RS_STATE ? 0 : 32768,
		.eph_hi = p->set == RS_STATE ? 0 : 60999,
	};
	int n = p->kind == P_HASH ? 0 : p->rules > NPFX ? p->rules + 2 : NPFX;
	struct xf_rule *rules = calloc(n + 1, sizeof(*rules));
	int err = xf_maps_init(&o.m);

	o.m.rules = calloc(XF_MAX_RULES, sizeof(*o.m.rules));
	if (!err && (!rules || !o.m.rules))
		err = -ENOMEM;
	if (!err && xf_obj_maps(&o))
		err = -EPROTO;
	if (p->kind != P_HASH)
		n = make_rules(p, rules);
	if (!err && p->kind != P_HASH && !p->notiers &&
	    xf_tiers_fill(&o.m, p->obj, false))
		err = -EPROTO;
	if (!err)
		err = xf_store_stamp(&o.m);
	if (!err && p->withset)
		err = load_set(p, &o.m, rules, &n);
	if (!err)
		err = xf_store_insert(&o.m, 0, rules, n, NULL);
	if (!err)
		err = xf_store_policy(&o.m, 0, &pol);
	if (!err)
		err = xf_store_done(&o.m);	/* the lightest tier, as rulectl */
	if (o.own_rules)
		close(o.m.fd[XF_M_RULES]);
	free(o.m.rules);
	free(rules);
	return err;
}

/* The hash twin's rules: key {port, proto, dst}, a zero per-CPU counter,
 * in its own map (xf_hrules); xf_config as for the product. */
static int fill_hash(struct prog *p)
{
	struct xf_count *zero;
	int fd, j, n = 0, err = 0;
	__u16 port;
	__u8 proto;

	fd = map_fd(p->obj, "xf_hrules");
	if (fd < 0)
		return fd;
	zero = calloc(ncpus, sizeof(*zero));	/* one value per CPU */
	if (!zero)
		return -ENOMEM;
	for (j = 0; n < p->rules; j++) {
		struct xf_hkey key = { .dir = XF_DIR_DST };

		if (nth_rule(j, P_UDP, &proto, &port))
			continue;
		key.port = htons(port);
		key.proto = proto;
		if (bpf_map_update_elem(fd, &key, zero, BPF_NOEXIST)) {
			err = -errno;
			break;
		}
		n++;
	}
	free(zero);
	return err ? err : fill_store(p);
}

/* xdp-filter's "port 9999 -p udp" (or tcp,udp for the all object: its
 * default proto) with the default mode dst. The flags must be set on every
 * CPU, as xdp-filter's map_set_flags() does. */
static int fill_xdpt(struct bpf_object *obj, __u64 flags)
{
	__u32 key = htons(PORT_BLOCKED);
	__u64 *vals;
	int i, fd, err = 0;

	fd = map_fd(obj, "filter_ports");
	if (fd < 0)
		return fd;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < ncpus; i++)
		vals[i] = flags;
	if (bpf_map_update_elem(fd, &key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

/* As attached: an interface's link runs the program in the active slot of
 * xf_progs (the full tier's when it is empty), not the dispatcher. */
static int run_active(struct prog *p)
{
	struct bpf_map *map = bpf_object__find_map_by_name(p->obj,
							   XF_MAP_PROGS);
	__u32 key = XF_PROG_ACTIVE, id = 0;
	int fd;

	if (!map)
		return -ENOENT;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, &id) || !id) {
		key = XF_PROG_FULL_SLOT;
		if (bpf_map_lookup_elem(bpf_map__fd(map), &key, &id))
			return -errno;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	p->active_fd = fd;
	p->fd = fd;
	return 0;
}

static int fill(struct prog *p)
{
	switch (p->kind) {
	case P_ARRAY:
	case P_RUST:
		return fill_store(p);
	case P_HASH:
		return fill_hash(p);
	case P_XDPT_UDP:
		return fill_xdpt(p->obj, XDPT_FLAG_DST | XDPT_FLAG_UDP);
	case P_XDPT_ALL:
		/* The udp rule only, so the tcp4 packet is a miss in every
		 * program; xdp-filter's default would be tcp,udp. */
		return fill_xdpt(p->obj, XDPT_FLAG_DST | XDPT_FLAG_UDP);
	case P_EMPTY:
	case P_FRESH:
		break;
	}
	return 0;
}

/* ---- loading ---------------------------------------------------------- */

/* bench_fresh.o, for the new-source-each-packet row and its floor. */
static char fresh_path[512];

/* A private bench_fresh.o whose xf_fresh tail-calls next_fd (-1: its own
 * empty xf_fresh_end): xf_fresh's fd in *fd, the object in *obj. */
static int load_fresh(int next_fd, struct bpf_object **obj, int *fd)
{
	struct bpf_program *wrap, *end;
	__u32 zero = 0;
	int err, map;

	*obj = xf_open_private(fresh_path);
	if (!*obj)
		return -errno;
	err = bpf_object__load(*obj);
	wrap = bpf_object__find_program_by_name(*obj, "xf_fresh");
	end = bpf_object__find_program_by_name(*obj, "xf_fresh_end");
	map = map_fd(*obj, "fresh_next");
	if (!err && (!wrap || !end || map < 0))
		err = -ENOENT;
	if (!err && next_fd < 0)
		next_fd = bpf_program__fd(end);
	if (!err && bpf_map_update_elem(map, &zero, &next_fd, BPF_ANY))
		err = -errno;
	if (err) {
		bpf_object__close(*obj);
		*obj = NULL;
		return err;
	}
	*fd = bpf_program__fd(wrap);
	return 0;
}

/* The program an interface would run is the one the row names (the store
 * chose the tier from the rule set and policy). */
static int check_tier(struct prog *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(p->fd, &info, &len))
		return -errno;
	if (!strcmp(info.name, p->tier))
		return 0;
	snprintf(p->skip, sizeof(p->skip), "the store made %s active, not %s",
		 info.name, p->tier);
	return -EPROTO;
}

/* xf_stats' packets per reason, summed over the CPUs. */
static int read_reasons(const struct prog *p, __u64 *pkts)
{
	int fd = map_fd(p->obj, XF_MAP_STATS);
	struct xf_count v[ncpus];

	if (fd < 0)
		return fd;
	for (__u32 r = 0; r < XF_R_MAX; r++) {
		pkts[r] = 0;
		if (bpf_map_lookup_elem(fd, &r, v))
			return -errno;
		for (int c = 0; c < ncpus; c++)
			pkts[r] += v[c].packets;
	}
	return 0;
}

/* Did the runs between snapshots a and b move the reasons by want[]
 * exactly? Prints the first difference. */
static bool reasons_moved(const struct prog *p, const __u64 *a,
			  const __u64 *b, const __u64 *want, const char *when)
{
	for (int r = 0; r < XF_R_MAX; r++) {
		if (b[r] - a[r] == want[r])
			continue;
		fprintf(stderr, PROG_NAME ": %s (%d rules), %s: reason %s"
			" moved by %llu, expected %llu\n", p->label, p->rules,
			when, reason_name(r),
			(unsigned long long)(b[r] - a[r]),
			(unsigned long long)want[r]);
		return false;
	}
	return true;
}

/* Which packets each program runs, and the verdict it owes each. */
static void plan(void)
{
	size_t f;
	int i, k;

	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int checked = p->kind == P_ARRAY || p->kind == P_RUST ||
			      p->kind == P_HASH;

		for (k = 0; k < K_MAX; k++)
			p->expect[k] = p->reason[k] = -1;
		if (!p->main)
			continue;
		for (k = 0; k < K_MAIN; k++) {
			p->want |= 1U << k;
			if (checked)
				p->expect[k] = pkts[k].expect;
		}
	}
	for (f = 0; f < NFORMS; f++) {
		progs[forms[f].prog].want |= 1U << forms[f].k;
		progs[forms[f].prog].expect[forms[f].k] = forms[f].expect;
	}
	for (f = 0; f < NSTATES; f++) {
		const struct state_row *c = &states[f];

		progs[PI_STATE].want |= 1U << c->k;
		progs[PI_STATE].expect[c->k] = c->expect;
		progs[PI_STATE].reason[c->k] = c->reason;
		progs[PI_STATELESS].want |= 1U << c->k;
		progs[PI_STATELESS].expect[c->k] = c->sl_expect;
		progs[PI_STATELESS].reason[c->k] = c->sl_reason;
	}
	for (f = 0; f < NLIMITS; f++) {
		struct prog *p = &progs[limits[f].prog];

		p->want |= 1U << K_UDP4_BLOCK;
		p->expect[K_UDP4_BLOCK] = limits[f].expect;
		p->reason[K_UDP4_BLOCK] = limits[f].reason;
	}
	for (f = 0; f < NSET_ROWS; f++) {
		struct prog *p = &progs[set_rows[f].prog];

		p->want |= 1U << set_rows[f].k;
		p->expect[set_rows[f].k] = set_rows[f].expect;
		if (set_rows[f].vs >= 0)
			progs[set_rows[f].vs].want |= 1U << set_rows[f].k;
	}
	progs[PI_FRESH_FLOOR].want |= 1U << K_UDP4_BLOCK;
	for (i = 1; i < NPROGS; i++)		/* the floor runs them all */
		if (!progs[i].skip[0] || !strstr(progs[i].skip, "--sets-only"))
			progs[PI_EMPTY].want |= progs[i].want;
}

/* The object's ABI, by its maps: XF_ABI_VERSION (xf_ports for both rule
 * sets, xf_config of this size, the drop log's xf_rlog), 3 (xf_ports of
 * one set: v2 and v3), 1 (xf_rules, the v1 rule table), 0 none of them. */
static int obj_abi(struct bpf_object *obj)
{
	struct bpf_map *ports = bpf_object__find_map_by_name(obj, XF_MAP_PORTS);
	struct bpf_map *cfg = bpf_object__find_map_by_name(obj, XF_MAP_CONFIG);

	if (ports && cfg && bpf_object__find_map_by_name(obj, XF_MAP_RLOG) &&
	    bpf_map__max_entries(ports) == XF_SETS * XF_PORT_SLOTS &&
	    bpf_map__value_size(cfg) == sizeof(struct xf_config))
		return XF_ABI_VERSION;
	if (ports)
		return 3;
	if (bpf_object__find_map_by_name(obj, "xf_rules"))
		return 1;
	return 0;
}

/* Why an object of ours is not one this benchmark can fill. */
static void abi_skip(struct prog *p)
{
	if (obj_abi(p->obj) == 1)
		snprintf(p->skip, sizeof(p->skip),
			 "still an ABI v1 build (map xf_rules, no %s);"
			 " this benchmark fills ABI v%d maps",
			 XF_MAP_PORTS, XF_ABI_VERSION);
	else if (obj_abi(p->obj) == 3)
		snprintf(p->skip, sizeof(p->skip),
			 "an ABI v2/v3 build (one rule set, no %s);"
			 " this benchmark fills ABI v%d maps",
			 XF_MAP_RLOG, XF_ABI_VERSION);
	else
		snprintf(p->skip, sizeof(p->skip),
			 "no %s map: not an ABI v%d build",
			 XF_MAP_PORTS, XF_ABI_VERSION);
}

/* Loads p privately (our objects pin by name under the product's pin
 * dir: a private copy must not reuse, or create, the host's pins), its
 * first XDP program only, and fills its maps. */
static int load(struct prog *p)
{
	const char *step;
	int err;

	last_libbpf_msg[0] = '\0';
	if (p->kind == P_FRESH) {
		err = load_fresh(-1, &p->obj, &p->fd);
		if (err)
			snprintf(p->skip, sizeof(p->skip), "load: %s (%.160s)",
				 strerror(-err), last_libbpf_msg);
		return err;
	}
	p->obj = xf_open_private(p->path);
	if (!p->obj) {
		err = -errno;
		snprintf(p->skip, sizeof(p->skip), "open: %s", strerror(-err));
		return err;
	}
	err = -EPROTO;
	if ((p->kind == P_ARRAY || p->kind == P_RUST) &&
	    obj_abi(p->obj) != XF_ABI_VERSION) {
		abi_skip(p);
		goto fail;
	}
	err = xf_load_private(p->obj, p->run, (p->kind == P_ARRAY ||
					     p->kind == P_RUST) && !p->notiers,
			      &p->fd, &step);
	if (err == -ENOENT && !strcmp(step, "XDP program"))
		snprintf(p->skip, sizeof(p->skip), "no XDP program in it");
	else if (err)
		snprintf(p->skip, sizeof(p->skip), "%s: %s (%s)", step,
			 strerror(-err), last_libbpf_msg);
	if (!err)
		err = fill(p);
	if (!err && (p->kind == P_ARRAY || p->kind == P_RUST) &&
	    !p->notiers && !p->run)
		err = run_active(p);
	if (!err && p->tier)
		err = check_tier(p);
	if (!err && p->wrap && (err = load_fresh(p->fd, &p->wobj, &p->fd)))
		snprintf(p->skip, sizeof(p->skip), "bench_fresh.o: %s (%.160s)",
			 strerror(-err), last_libbpf_msg);
	if (err && !p->skip[0])
		snprintf(p->skip, sizeof(p->skip), "fill rules: %s",
			 strerror(-err));
	if (!err)
		return 0;
fail:
	bpf_object__close(p->obj);
	p->obj = NULL;
	return err;
}

/* ---- measuring -------------------------------------------------------- */

/* One BPF_PROG_TEST_RUN call. Two clocks: opts.duration is the kernel's
 * own (ns per repetition, but truncated to a whole ns, too coarse for
 * differences of a few ns), and this thread's CPU time over the call,
 * divided by repeat, which has sub-ns resolution and, like the kernel's
 * timer, excludes time spent preempted by the other load on the machine.
 * It also carries the per-call setup (frame copy, XDP dispatcher switch to
 * this program): measured ~0.2 ms here, i.e. ~0.2 ns a packet at 10^6
 * repetitions and ~2 ns with --quick. It is the same for every program,
 * so it cancels in "over floor". */
static int run(const struct prog *p, const struct pkt *k, __u32 repeat,
	       double *ns, double *kns, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = k->f.b,
		.data_size_in = k->f.len,
		.repeat = repeat,
	);
	struct timespec a, b;
	int err;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	err = bpf_prog_test_run_opts(p->fd, &o);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	if (err)
		return -errno;
	if (ns)
		*ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
		      repeat;
	if (kns)
		*kns = o.duration;
	*retval = o.retval;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stat3 {
	double min, med, max;
};

static struct stat3 stats(const double *v, int n)
{
	double s[n];
	struct stat3 r;

	memcpy(s, v, sizeof(s));
	qsort(s, n, sizeof(s[0]), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/* ---- map memory ------------------------------------------------------- */

/* The kernel's own accounting of a map (map_mem_usage), as bpftool shows. */
static long long map_memlock(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static const char *map_type_name(enum bpf_map_type t)
{
	const char *s = libbpf_bpf_map_type_str(t);

	return s ? s : "?";
}

static void print_memory(void)
{
	struct bpf_map *m;
	size_t i;

	printf("\n### Map memory (kernel accounting, `memlock` in fdinfo; %d possible CPUs)\n\n",
	       ncpus);
	printf("Main-table programs: every map. Prefix rule sets: the maps the"
	       " prefixes fill (the others are as with port rules).\n\n");
	printf("| program | rules | map | type | entries | value B | memlock B |\n");
	printf("| --- | ---: | --- | --- | ---: | ---: | ---: |\n");
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int pfx = p->set >= RS_PFX4_ANY && p->set <= RS_PFX6_PORT;

		if (!p->obj || (p->kind != P_ARRAY && p->kind != P_RUST &&
				p->kind != P_HASH))
			continue;
		if (!p->main && !pfx)
			continue;
		bpf_object__for_each_map(m, p->obj) {
			const char *n = bpf_map__name(m);

			if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY &&
			    bpf_map__max_entries(m) == 1 &&
			    strcmp(n, XF_MAP_CONFIG))
				continue;	/* .bss/.rodata, if any */
			if (pfx && strcmp(n, XF_MAP_PFX4) &&
			    strcmp(n, XF_MAP_PFX6) && strcmp(n, XF_MAP_PPORTS))
				continue;
			printf("| %s | %d | %s | %s | %u | %u | %lld |\n",
			       p->label, p->rules, n,
			       map_type_name(bpf_map__type(m)),
			       bpf_map__max_entries(m),
			       bpf_map__value_size(m),
			       map_memlock(bpf_map__fd(m)));
		}
	}
}

/* ---- report ----------------------------------------------------------- */

static int rounds, repeat;

/* A program that does not give the contract's verdict measured another
 * path; its cell is marked so nobody compares it blind. */
static const char *mark(const struct prog *p, enum pkt_kind k)
{
	if (p->expect[k] < 0 || p->retval[k] == p->expect[k])
		return "";
	return " †";
}

static void print_header(void)
{
	struct utsname u;
	char when[64];
	time_t now = time(NULL);

	uname(&u);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	printf("## Micro benchmark: ns/packet through BPF_PROG_TEST_RUN\n\n");
	printf("%s, Linux %s %s, %d CPUs, libbpf %u.%u, xdp_filter ABI v%d; "
	       "repeat %d, %d rounds, programs interleaved in each round.\n",
	       when, u.release, u.machine, ncpus, libbpf_major_version(),
	       libbpf_minor_version(), XF_ABI_VERSION, repeat, rounds);
	printf("ns/packet = this thread's CPU time over one test run / repeat "
	       "(`opts.duration`, whole ns, in the full table). "
	       "Over floor = median - median of the empty program on the "
	       "same packet; ratio = median / floor median.\n");
}

static void print_summary(void)
{
	const struct prog *floor = &progs[PI_EMPTY];
	size_t i;
	int k;

	printf("\n### Median ns/packet over the floor (ratio to the floor)\n\n");
	printf("Port rules, deny policy: rule 0 is `9999 udp`, the others "
	       "alternate tcp and udp on other ports. All packets come from "
	       "198.18.0.1 or fd00::1, source port %d; blocked = to :9999, "
	       "allowed = udp to :9998, or tcp to :9999 (a udp rule must not "
	       "match it).\n\n", SPORT);
	printf("| program | rules |");
	for (k = 0; k < K_MAIN; k++)
		printf(" %s |", pkts[k].name);
	printf("\n| --- | ---: |");
	for (k = 0; k < K_MAIN; k++)
		printf(" ---: |");
	printf("\n");

	for (i = 0; i < NPROGS; i++) {
		const struct prog *p = &progs[i];

		if (!p->main)
			continue;
		if (p->kind == P_EMPTY)
			printf("| %s | - |", p->label);
		else
			printf("| %s | %d |", p->label, p->rules);
		if (p->skip[0]) {
			printf(" skipped: %s |", p->skip);
			for (k = 1; k < K_MAIN; k++)
				printf(" |");
			printf("\n");
			continue;
		}
		for (k = 0; k < K_MAIN; k++) {
			struct stat3 s = stats(p->ns[k], rounds);
			struct stat3 f = stats(floor->ns[k], rounds);

			if (p == floor)
				printf(" %.1f ns |", s.med);
			else
				printf(" %+.1f (%.2f)%s |", s.med - f.med,
				       s.med / f.med, mark(p, k));
		}
		printf("\n");
	}
	printf("\nThe floor row is absolute ns/packet. † the verdict differs "
	       "from DESIGN.md's contract (see the full table): that program "
	       "took another path.\n");
}

static void print_forms(void)
{
	const struct prog *floor = &progs[PI_EMPTY];
	size_t f;

	printf("\n### Rule forms (ABI v%d): median ns/packet over the"
	       " floor\n\n", XF_ABI_VERSION);
	printf("xdp_filter.o alone, filled as rulectl fills the maps. "
	       "Prefix sets: %d distinct prefixes, one rule each: "
	       "10.a.b.0/24 (10.0.0.0 - 10.39.15.0) or 2001:db8:N::/48 "
	       "(N = 0 - 0x270f). \"inside one\" = source in prefix #%d; "
	       "\"outside all\" = source in the first /24 or /48 past the set "
	       "(10.39.16.1, 2001:db8:2710::1), a near miss that shares the "
	       "most bits with the set, so the trie miss is at its deepest. "
	       "`any from P` decides on the trie value alone; "
	       "`9999 udp from P` adds an xf_pports hash lookup. "
	       "Stateless allow policy: rule 0 is `9999 tcp`, the packets are "
	       "TCP SYNs (new flows, which that policy gates).\n\n", NPFX, PFX_IN);
	printf("| rules | packet | verdict | median ns | over floor | ratio | what it measures |\n");
	printf("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
	for (f = 0; f < NFORMS; f++) {
		const struct form *c = &forms[f];
		const struct prog *p = &progs[c->prog];
		struct stat3 s, fl;

		if (p->skip[0]) {
			printf("| %s | %s | skipped: %s | | | | %s |\n",
			       c->rules, c->packet, p->skip, c->what);
			continue;
		}
		s = stats(p->ns[c->k], rounds);
		fl = stats(floor->ns[c->k], rounds);
		printf("| %s | %s | %s%s | %.1f | %+.1f | %.2f | %s |\n",
		       c->rules, c->packet, action_name(p->retval[c->k]),
		       mark(p, c->k), s.med, s.med - fl.med, s.med / fl.med,
		       c->what);
	}
	printf("\nThe two \"10,000 port rules\" rows are the main table's "
	       "`xdp_filter (C), dst tier` 10000 measurements. The floor is the empty "
	       "program on the very same frame (its ns are in the full "
	       "table).\n");
}

/* One program's cells of a stateful row: verdict and reason, median ns
 * over the floor, ratio. */
static void state_cells(const struct prog *p, enum pkt_kind k)
{
	struct stat3 s, fl;

	if (p->skip[0]) {
		printf(" skipped: %s | | |", p->skip);
		return;
	}
	s = stats(p->ns[k], rounds);
	fl = stats(progs[PI_EMPTY].ns[k], rounds);
	printf(" %s, %s%s | %+.1f | %.2f |", action_name(p->retval[k]),
	       reason_name(p->reason[k]), mark(p, k), s.med - fl.med,
	       s.med / fl.med);
}

static void print_state(void)
{
	const struct prog *st = &progs[PI_STATE], *sl = &progs[PI_STATELESS];
	size_t f;

	printf("\n### Stateful allow policy: median ns/packet over the"
	       " floor\n\n");
	printf("xdp_filter.o with %d port rules (rule 0 `9999 tcp`, the others"
	       " alternate tcp and udp on ports 1037-%d), filled as rulectl"
	       " fills the maps: `policy allow` runs the state tier (`xf_state`),"
	       " `policy allow stateless` the full tier (`xf_full`); the store"
	       " picked each tier and the benchmark checked it. The frames are"
	       " 127.0.0.1 -> 127.0.0.1 over xf_bench's own network namespace,"
	       " where its flows are real (bench/state_flows.h): connection"
	       " tracking on as the store turns it on (nft table inet %s), a TCP"
	       " connection made before tracking was on (sockets, no conntrack"
	       " entry), one made after and closed in repair mode (conntrack"
	       " ESTABLISHED, no socket), a UDP exchange (conntrack), a"
	       " listener. Each row's verdict and xf_stats reason were checked"
	       " before the timing and over all of it.\n\n", st->rules,
	       1024 + (st->rules - 1) * 13, XF_CT_TABLE);
	printf("| packet | policy allow: verdict, reason | over floor | ratio "
	       "| policy allow stateless: verdict, reason | over floor | ratio "
	       "| stateful - stateless | what the state tier does |\n");
	printf("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |\n");
	for (f = 0; f < NSTATES; f++) {
		const struct state_row *c = &states[f];

		printf("| %s |", c->packet);
		state_cells(st, c->k);
		state_cells(sl, c->k);
		if (st->skip[0] || sl->skip[0])
			printf(" |");
		else
			printf(" %+.1f |", stats(st->ns[c->k], rounds).med -
			       stats(sl->ns[c->k], rounds).med);
		printf(" %s |\n", c->what);
	}
}

static void print_limits(void)
{
	const struct prog *full = &progs[PI_FULL];
	size_t f;

	printf("\n### Rate limits: median ns/packet over the floor\n\n");
	printf("xdp_filter.o with 100 port rules, rule 0 the limit rule of the"
	       " row (the others alternate tcp and udp on other ports), filled"
	       " as rulectl fills the maps: limit rules run the full tier"
	       " (checked). The packet is udp4 198.18.0.1 -> :9999. Under ="
	       " a bucket of 10,000,000/s and burst 10,000,000, which the"
	       " runs never empty; over = 1/s burst 1, emptied before the"
	       " timing. Each row's verdict and xf_stats reason were checked"
	       " before the timing, the verdict in every round (and the"
	       " reason over all of the timed runs, but for the over rows,"
	       " whose buckets let one packet a second through).\n\n");
	printf("| rule | packet | verdict, reason | median ns | over floor |"
	       " ratio | what it measures |\n");
	printf("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
	for (f = 0; f < NLIMITS; f++) {
		const struct limit_row *c = &limits[f];
		const struct prog *p = &progs[c->prog];
		const struct prog *floor = &progs[p->wrap ? PI_FRESH_FLOOR :
						       PI_EMPTY];
		struct stat3 st, fl;

		if (p->skip[0] || floor->skip[0]) {
			printf("| `%s` | %s | skipped: %s | | | | %s |\n",
			       c->rule, c->packet,
			       p->skip[0] ? p->skip : floor->skip, c->what);
			continue;
		}
		st = stats(p->ns[K_UDP4_BLOCK], rounds);
		fl = stats(floor->ns[K_UDP4_BLOCK], rounds);
		printf("| `%s` | %s | %s, %s%s | %.1f | %+.1f | %.2f | %s |\n",
		       c->rule, c->packet, action_name(p->retval[K_UDP4_BLOCK]),
		       reason_name(p->reason[K_UDP4_BLOCK]),
		       mark(p, K_UDP4_BLOCK), st.med, st.med - fl.med,
		       st.med / fl.med, c->what);
	}
	if (!full->skip[0])
		printf("\nFor comparison, a plain `9999 udp` drop in the full"
		       " tier (the rule forms table's `+ 1 IPv6 prefix rule`"
		       " row): %+.1f ns over the floor.\n",
		       stats(full->ns[K_UDP4_BLOCK], rounds).med -
		       stats(progs[PI_EMPTY].ns[K_UDP4_BLOCK], rounds).med);
}

static void print_sets(void)
{
	const struct prog *floor = &progs[PI_EMPTY];

	printf("\n### Source sets: median ns/packet over the floor\n\n");
	printf("xdp_filter.o filled as rulectl fills the maps, set `drop` loaded"
	       " through the store (`xf_set_replace()`, what `rule.sh set drop"
	       " load FILE` runs) with the --set4 file: %zu IPv4 prefixes"
	       " after merging (xf_setgen mix4). The same source every"
	       " repetition (BPF_PROG_TEST_RUN repeats one frame: its set words"
	       " stay in cache; xf_setbench's table has random sources). The"
	       " store picked each tier and the benchmark checked it. The"
	       " target for the set rule is at most +20 ns over the floor.\n\n",
	       set4.n4);
	printf("| rules | packet | verdict | median ns | over floor | without"
	       " the set | what it measures |\n");
	printf("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
	for (size_t f = 0; f < NSET_ROWS; f++) {
		const struct set_row *c = &set_rows[f];
		const struct prog *p = &progs[c->prog];
		double fl, med;

		if (p->skip[0]) {
			printf("| %s | %s | skipped: %s | | | | %s |\n",
			       c->rules, c->packet, p->skip, c->what);
			continue;
		}
		fl = stats(floor->ns[c->k], rounds).med;
		med = stats(p->ns[c->k], rounds).med;
		printf("| %s | %s | %s%s | %.1f | %+.1f%s |", c->rules,
		       c->packet, action_name(p->retval[c->k]), mark(p, c->k),
		       med, med - fl, c->vs < 0 ? (med - fl <= 20 ?
		       " (met)" : " (**not met**)") : "");
		if (c->vs >= 0 && !progs[c->vs].skip[0])
			printf(" %+.1f (%.2fx) |", stats(progs[c->vs].ns[c->k],
			       rounds).med - fl, med /
			       stats(progs[c->vs].ns[c->k], rounds).med);
		else
			printf(" |");
		printf(" %s |\n", c->what);
	}
}

static void print_scaling(void)
{
	size_t i, j;
	int k;

	printf("\n### Rule count: median ns/packet with 10,000 rules vs 1 rule\n\n");
	printf("| program |");
	for (k = 0; k < K_MAIN; k++)
		printf(" %s |", pkts[k].name);
	printf("\n| --- |");
	for (k = 0; k < K_MAIN; k++)
		printf(" ---: |");
	printf("\n");
	for (i = 0; i < NPROGS; i++) {
		const struct prog *one = &progs[i], *many = NULL;

		if (!one->main || one->rules != 1 || one->skip[0] ||
		    (one->kind != P_ARRAY && one->kind != P_RUST &&
		     one->kind != P_HASH))
			continue;
		for (j = 0; j < NPROGS; j++)
			if (progs[j].main && progs[j].kind == one->kind &&
			    progs[j].rules == 10000 && !progs[j].skip[0])
				many = &progs[j];
		if (!many)
			continue;
		printf("| %s |", one->label);
		for (k = 0; k < K_MAIN; k++) {
			double a = stats(one->ns[k], rounds).med;
			double b = stats(many->ns[k], rounds).med;

			printf(" %+.1f%% |", (b / a - 1) * 100);
		}
		printf("\n");
	}
}

static void print_full(void)
{
	const struct prog *floor = &progs[PI_EMPTY];
	size_t i;
	int k;

	printf("\n### All measurements (ns/packet over %d rounds)\n\n", rounds);
	printf("| packet | program | rules | verdict | min | median | max | "
	       "opts.duration median | over floor | ratio |\n");
	printf("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (k = 0; k < K_MAX; k++) {
		struct stat3 f = stats(floor->ns[k], rounds);

		for (i = 0; i < NPROGS; i++) {
			const struct prog *p = &progs[i];
			struct stat3 s, d;

			if (p->skip[0] || !(p->want & (1U << k)))
				continue;
			s = stats(p->ns[k], rounds);
			d = stats(p->kns[k], rounds);
			printf("| %s | %s | %d | %s%s | %.1f | %.1f | %.1f | "
			       "%.0f | %+.1f | %.2f |\n",
			       pkts[k].name, p->label, p->rules,
			       action_name(p->retval[k]), mark(p, k),
			       s.min, s.med, s.max, d.med, s.med - f.med,
			       s.med / f.med);
		}
	}
	for (i = 0; i < NPROGS; i++)
		if (progs[i].skip[0])
			printf("\nSkipped %s (%d rules): %s\n", progs[i].label,
			       progs[i].rules, progs[i].skip);
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "objdir", required_argument, NULL, 'o' },
		{ "xdp-tools", required_argument, NULL, 'x' },
		{ "set4", required_argument, NULL, 's' },
		{ "sets-only", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *objdir = "build", *xdptdir = XDPT_DIR_DEFAULT;
	const char *set4_path = NULL;
	bool sets_only = false;
	int quick = 0, c, k, r, cpu;
	struct timespec t0, t1;
	size_t i;
	cpu_set_t set;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = 1;
			break;
		case 'o':
			objdir = optarg;
			break;
		case 'x':
			xdptdir = optarg;
			break;
		case 's':
			set4_path = optarg;
			break;
		case 'S':
			sets_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	repeat = quick ? REPEAT_QUICK : REPEAT_FULL;
	rounds = quick ? ROUNDS_QUICK : ROUNDS_FULL;

	libbpf_set_print(libbpf_print);
	xf_prog = PROG_NAME;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, PROG_NAME ": possible CPUs: %s\n",
			strerror(-ncpus));
		return 1;
	}

	/* Stay on one CPU: a migration between calls would start the next
	 * program on cold caches, which is noise, not program cost. */
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, PROG_NAME ": pin to CPU %d: %s (continuing)\n",
			cpu, strerror(errno));

	snprintf(fresh_path, sizeof(fresh_path), "%s/bench_fresh.o", objdir);
	if (set4_path && set4_read(set4_path))
		fprintf(stderr, PROG_NAME ": the set rows: %s\n", set4_why);
	build_pkts();
	for (i = 0; i < NPROGS && sets_only; i++)
		if (!progs[i].withset && i != PI_EMPTY && i != PI_ARR10K &&
		    i != PI_FULL)
			snprintf(progs[i].skip, sizeof(progs[i].skip),
				 "not run (--sets-only)");
	for (i = 0; i < NPROGS; i++)
		if (progs[i].withset && set4_why[0])
			snprintf(progs[i].skip, sizeof(progs[i].skip), "%s",
				 set4_why);
	plan();
	/* The stateful rows need the kernel's conntrack kfuncs and real
	 * flows, in a network namespace of our own (state_flows.h); without
	 * them those rows say why they are empty. */
	if (!xf_ct_available())
		snprintf(flows_why, sizeof(flows_why), "no conntrack kfuncs"
			 " (bpf_xdp_ct_lookup: Linux 6.0+ with nf_conntrack)");
	else if (sf_make(flows_why, sizeof(flows_why)))
		fprintf(stderr, PROG_NAME ": the stateful rows' flows: %s\n",
			flows_why);
	if (flows_why[0])
		snprintf(progs[PI_STATE].skip, sizeof(progs[PI_STATE].skip),
			 "%s", flows_why);
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int ours = p->kind == P_EMPTY || p->kind == P_ARRAY ||
			   p->kind == P_RUST || p->kind == P_HASH ||
			   p->kind == P_FRESH;

		snprintf(p->path, sizeof(p->path), "%s/%s",
			 ours ? objdir : xdptdir, p->file);
		if (p->skip[0])
			continue;
		if (load(p)) {
			fprintf(stderr, PROG_NAME ": %s: %s\n", p->path,
				p->skip);
			/* Our own objects must load; the Rust one is ported
			 * on its own schedule, so its rows say why they are
			 * empty instead. */
			if (ours && p->kind != P_RUST)
				return 1;
			continue;
		}
		for (k = 0; k < K_MAX; k++) {
			if (!(p->want & (1U << k)))
				continue;
			p->ns[k] = calloc(rounds, sizeof(double));
			p->kns[k] = calloc(rounds, sizeof(double));
			if (!p->ns[k] || !p->kns[k]) {
				fprintf(stderr, PROG_NAME ": out of memory\n");
				return 1;
			}
		}
	}

	/* Warm-up, and the verdict each program gives each packet: a timing
	 * of our filter on the wrong path would be worthless, so a verdict
	 * against the contract stops the run (the Rust build's rows are
	 * skipped with the reason instead, see above). */
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];

		for (k = 0; k < K_MAX && !p->skip[0]; k++) {
			__u64 a[XF_R_MAX], b[XF_R_MAX], want[XF_R_MAX] = { 0 };
			int err = 0;

			if (!(p->want & (1U << k)))
				continue;
			/* a bucket meant to be empty: its burst goes first */
			if (p->drain)
				err = run(p, &pkts[k], p->lburst, NULL, NULL,
					  &p->retval[k]);
			if (!err && p->reason[k] >= 0)
				err = read_reasons(p, a);
			if (!err)
				err = run(p, &pkts[k], REPEAT_WARM, NULL, NULL,
					  &p->retval[k]);
			if (!err && p->reason[k] >= 0)
				err = read_reasons(p, b);
			if (err) {
				fprintf(stderr, PROG_NAME ": test run %s: %s\n",
					p->path, strerror(-err));
				return 1;
			}
			/* The reason too, where the row names one: a
			 * verdict alone does not tell a lookup's pass from a
			 * rule's. */
			want[p->reason[k] < 0 ? 0 : p->reason[k]] = REPEAT_WARM;
			if (p->reason[k] >= 0 &&
			    !reasons_moved(p, a, b, want, pkts[k].name))
				return 1;
			if (p->expect[k] < 0 || p->retval[k] == p->expect[k])
				continue;
			fprintf(stderr,
				PROG_NAME ": %s (%d rules) gives %s for %s, contract says %s\n",
				p->label, p->rules, action_name(p->retval[k]),
				pkts[k].name, action_name(p->expect[k]));
			if (p->kind != P_RUST)
				return 1;
			snprintf(p->skip, sizeof(p->skip),
				 "gives %s for %s, the contract says %s",
				 action_name(p->retval[k]), pkts[k].name,
				 action_name(p->expect[k]));
		}
	}

	/* The reasons the timed runs must move, to check after them. */
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];

		/* a drained bucket refills at 1/s while the benchmark
		 * runs: a few of its packets pass over the timed runs */
		p->rwant_any = !p->skip[0] && p->tier && !p->drain;
		for (k = 0; k < K_MAX && p->rwant_any; k++) {
			if (!(p->want & (1U << k)))
				continue;
			if (p->reason[k] < 0)
				p->rwant_any = false;	/* not all known */
			else
				p->rwant[p->reason[k]] += (__u64)rounds *
							  repeat;
		}
		if (p->rwant_any && read_reasons(p, p->rbefore)) {
			fprintf(stderr, PROG_NAME ": read %s of %s\n",
				XF_MAP_STATS, p->label);
			return 1;
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++) {
		fprintf(stderr, PROG_NAME ": round %d/%d\n", r + 1, rounds);
		for (k = 0; k < K_MAX; k++) {
			for (i = 0; i < NPROGS; i++) {
				/* Rotate the start each round, so no program
				 * always runs first (or after the same one). */
				struct prog *p = &progs[(i + r) % NPROGS];
				int ret, err;

				if (p->skip[0] || !(p->want & (1U << k)))
					continue;
				err = run(p, &pkts[k], repeat, &p->ns[k][r],
					  &p->kns[k][r], &ret);
				if (err) {
					fprintf(stderr,
						PROG_NAME ": test run %s: %s\n",
						p->path, strerror(-err));
					return 1;
				}
				if (p->expect[k] >= 0 && ret != p->expect[k]) {
					fprintf(stderr, PROG_NAME ": %s (%d"
						" rules) gave %s for %s in round"
						" %d, %s before\n", p->label,
						p->rules, action_name(ret),
						pkts[k].name, r + 1,
						action_name(p->expect[k]));
					return 1;
				}
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, PROG_NAME ": measured in %.0f s\n",
		(double)(t1.tv_sec - t0.tv_sec));
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		__u64 after[XF_R_MAX];

		if (!p->rwant_any)
			continue;
		if (read_reasons(p, after) ||
		    !reasons_moved(p, p->rbefore, after, p->rwant,
				   "over the timed runs"))
			return 1;
	}

	print_header();
	if (sets_only) {
		print_sets();
		goto out;
	}
	print_summary();
	print_forms();
	print_state();
	print_limits();
	print_sets();
	print_scaling();
	print_full();
	print_memory();
out:
	for (i = 0; i < NPROGS; i++) {
		for (k = 0; k < K_MAX; k++) {
			free(progs[i].ns[k]);
			free(progs[i].kns[k]);
		}
		if (progs[i].active_fd > 0)
			close(progs[i].active_fd);
		bpf_object__close(progs[i].wobj);
		bpf_object__close(progs[i].obj);
	}
	return 0;
}
