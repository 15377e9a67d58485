/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_filter.h - the ABI shared by the BPF program (xdp_filter.c) and user
 * space (rulectl, entry, tests, benchmarks, the Rust build): map names, pin
 * path, key and value layouts, counter reasons and limits. One source of
 * truth: change a layout here, bump XF_ABI_VERSION, and every side follows.
 *
 * A rule is one of
 *   PORTS PROTO [dst|src] [from PREFIX]	PORTS: N or N-M, PROTO tcp|udp|any
 *   any from PREFIX				every packet from PREFIX
 * and gets an id (1 .. XF_MAX_RULES - 1) that indexes its counters and its
 * description. Maps (pinned by name under XF_PIN_DIR):
 *
 *   xf_ports  ARRAY        2*XF_PORT_SLOTS set, slot -> rule id (port rules)
 *   xf_pfx4   LPM_TRIE     XF_MAX_PREFIXES set, IPv4 prefix -> struct xf_pfx
 *   xf_pfx6   LPM_TRIE     XF_MAX_PREFIXES set, IPv6 prefix -> struct xf_pfx
 *   xf_pports HASH         XF_MAX_PPORTS   {prefix id, slot} -> rule id
 *   xf_rcount PERCPU_ARRAY XF_MAX_RULES    rule id -> struct xf_count
 *   xf_stats  PERCPU_ARRAY XF_R_MAX        reason -> struct xf_count
 *   xf_config ARRAY        1               struct xf_config (sets, policy)
 *   xf_rdesc  ARRAY        XF_MAX_RULES    rule id -> struct xf_rule
 *   xf_rlog   ARRAY        XF_MAX_RULES    rule id -> struct xf_rlog (drop log)
 *   xf_log    RINGBUF      XF_LOG_BYTES    struct xf_event per logged drop
 *   xf_progs  PROG_ARRAY   XF_PROG_SLOTS   the feature tiers' programs
 *   xf_limit  ARRAY        XF_MAX_RULES    rule id -> struct xf_limit (limit rules)
 *   xf_rlimited PERCPU_ARRAY XF_MAX_RULES  rule id -> struct xf_count (limited drops)
 *   xf_lsrc   ARRAY_OF_MAPS 1              0 -> the per-source buckets: an
 *             LRU_HASH of XF_LSRC_ENTRIES, struct xf_lsrc_key -> struct xf_lsrc,
 *             created by user space with the first per-source rule and
 *             removed with the last one (no memory while no rule uses it)
 *   xf_sets   ARRAY        XF_MAX_SETS     set number -> struct xf_sdesc (names)
 *   xf_sref   ARRAY        XF_SETS*XF_MAX_SETS set, set number -> struct xf_pfx
 *   xf_set4   ARRAY_OF_MAPS 2*XF_MAX_SETS  slot -> ARRAY of XF_SET4_WORDS xf_set4w
 *   xf_set4x  ARRAY_OF_MAPS 2*XF_MAX_SETS  slot -> ARRAY of struct xf_set4x
 *   xf_set6   ARRAY_OF_MAPS 2*XF_MAX_SETS  slot -> LPM_TRIE xf_set6_key -> __u8
 *             (source sets, "from @NAME": see "Source sets" below)
 *
 * Two rule sets (XF_SETS) live side by side: xf_config.set says which one
 * packets use, and each packet reads it once. `apply` writes a whole new
 * set into the other one and switches with that single 4-byte write, so a
 * packet sees the old set or the new one, never a mix. The port slots of
 * set S are xf_ports[xf_set_slot(S, slot)], and of xf_pports too; its
 * trie keys start with the byte S; a rule's record says which sets hold
 * it, and a rule in both keeps one id (its counters run on across apply).
 *
 * A port slot is xf_slot(dir, proto, port): one element per (direction,
 * protocol, port), so the packet path does one O(1) array lookup per
 * direction whatever the number of rules, a range is just the slots it
 * covers, and "tcp" never matches "udp". xf_rdesc is user space's record of
 * each rule (so list shows a range as one rule); the program never reads it.
 */
#ifndef XDP_FILTER_H
#define XDP_FILTER_H

#include <linux/types.h>

#ifndef XF_PIN_DIR			/* the Makefile may pass -D */
#define XF_PIN_DIR "/sys/fs/bpf/tc/globals"
#endif

/* Bumped whenever a map layout or the meaning of a value changes. */
#define XF_ABI_VERSION	10

#define XF_MAP_PORTS	"xf_ports"
#define XF_MAP_PFX4	"xf_pfx4"
#define XF_MAP_PFX6	"xf_pfx6"
#define XF_MAP_PPORTS	"xf_pports"
#define XF_MAP_RCOUNT	"xf_rcount"
#define XF_MAP_STATS	"xf_stats"
#define XF_MAP_CONFIG	"xf_config"
#define XF_MAP_RULES	"xf_rdesc"
#define XF_MAP_RLOG	"xf_rlog"
#define XF_MAP_LOG	"xf_log"
#define XF_MAP_PROGS	"xf_progs"
#define XF_MAP_PROGS_SB	"xf_progs_sb"
#define XF_MAP_LIMIT	"xf_limit"
#define XF_MAP_RLIMITED	"xf_rlimited"
#define XF_MAP_LSRC	"xf_lsrc"
#define XF_MAP_SETS	"xf_sets"
#define XF_MAP_SREF	"xf_sref"
#define XF_MAP_SET4	"xf_set4"
#define XF_MAP_SET4X	"xf_set4x"
#define XF_MAP_SET6	"xf_set6"

/* Protocol index of a port slot. */
enum xf_proto {
	XF_P_TCP = 0,
	XF_P_UDP = 1,
	XF_P_MAX,
};

/* Which port of the packet a rule looks at. */
enum xf_dir {
	XF_DIR_DST = 0,
	XF_DIR_SRC = 1,
	XF_DIR_MAX,
};

#define XF_SETS		2		/* rule sets: active and next */
#define XF_PORTS	65536
#define XF_PORT_SLOTS	(XF_DIR_MAX * XF_P_MAX * XF_PORTS)	/* per set */
#define XF_MAX_RULES	32768		/* ids 1 .. 32767; 0 is "no rule" */
#define XF_MAX_PREFIXES	16384		/* per address family */
#define XF_MAX_PPORTS	262144		/* port slots of prefix rules */
#define XF_LOG_BYTES	(256 * 1024)	/* drop log ring buffer */
#define XF_LOG_RATE	10		/* default events/s of a logged rule */
#define XF_LOG_RATE_MAX	100000

/* Slot of (direction, protocol index, port in host order). */
static inline __u32 xf_slot(__u32 dir, __u32 proto_idx, __u32 port)
{
	return (dir * XF_P_MAX + proto_idx) * XF_PORTS + port;
}

/* xf_ports key of slot in rule set `set`. */
static inline __u32 xf_set_slot(__u32 set, __u32 slot)
{
	return set * XF_PORT_SLOTS + slot;
}

/* A rule id as the packet path stores it (xf_ports, xf_pports, any_id):
 * the id, plus XF_ID_LOG when the rule logs its drops, plus XF_ID_LIMIT
 * when it has a rate limit (its xf_limit entry), so a packet of a rule
 * without them looks nothing more up. */
#define XF_ID_LOG	(1U << 31)
#define XF_ID_LIMIT	(1U << 30)
#define XF_ID_MASK	(XF_ID_LIMIT - 1)

/* xf_ports and xf_pports value. */
struct xf_port {
	__u32	id;		/* rule id | XF_ID_LOG, 0: none */
};

/* LPM trie keys: prefixlen first, then the rule set's number and the
 * address in network order. prefixlen counts the set byte too: a /24 of
 * set 1 is stored as {8 + 24, 1, addr}, so sets never match each other. */
#define XF_LPM_SET_BITS	8

struct xf_lpm4 {
	__u32	prefixlen;
	__u8	set;
	__u8	addr[4];
	__u8	pad[3];
};

struct xf_lpm6 {
	__u32	prefixlen;
	__u8	set;
	__u8	addr[16];
	__u8	pad[3];
};

/* xf_pfx4/xf_pfx6 value: the rules of one prefix. The longest prefix that
 * has rules decides; shorter prefixes are not consulted for that packet. */
struct xf_pfx {
	__u32	any_id;		/* rule "any from PREFIX" | XF_ID_LOG, 0: none */
	__u32	prefix_id;	/* key of its port slots in xf_pports */
};

/* xf_pports key. A prefix keeps its prefix id in both rule sets; the
 * slot says which set. */
struct xf_pport {
	__u32	prefix_id;
	__u32	slot;		/* xf_set_slot(set, xf_slot()) */
};

/* xf_rcount and xf_stats value, one per CPU; user space sums them.
 *
 * Each packet moves exactly one counter: the rule's (xf_rcount) when a rule
 * decided it, dropped or let through, else its reason's (xf_stats). A rule
 * that lets a packet through (under the allow policy, or a limit rule
 * within its rate under either) moves XF_R_ALLOWED as well; a limit rule's
 * packet beyond its rate moves xf_rlimited[id] and XF_R_LIMITED instead
 * (never xf_rcount; user space zeroes xf_rlimited[id] when it gives the id
 * a new rule). So the program never counts XF_R_DROPPED: user space keeps in that
 * slot (in CPU 0's value) the counts of rules it freed ("retired": a freed
 * id's counters go there before the id is reused), and
 *   dropped = xf_stats[XF_R_DROPPED] + the sum of the rules' xf_rcount
 *             - xf_stats[XF_R_ALLOWED]. */
struct xf_count {
	__u64	packets;
	__u64	bytes;		/* frame bytes as XDP saw them, L2 included */
};

/* xf_stats key: why a packet got its verdict. Every packet is counted under
 * exactly one reason; XF_REASON_NAMES below names each. */
enum xf_reason {
	XF_R_PASSED = 0,	/* TCP/UDP, no rule decided: pass */
	XF_R_DROPPED,		/* matched a rule (deny policy): drop; derived,
				 * see struct xf_count */
	XF_R_MALFORMED,		/* truncated or invalid header: drop */
	XF_R_FRAGMENT,		/* later fragment, no ports in it: pass */
	XF_R_NON_IP,		/* not IPv4/IPv6 (ARP, ...): pass */
	XF_R_OTHER_L4,		/* IP but not TCP/UDP (ICMP, ...): pass */
	XF_R_ALLOWED,		/* matched a rule that lets it through (allow
				 * policy, or a limit rule within its rate) */
	XF_R_POLICY,		/* new TCP/UDP flow, no rule (allow policy): drop */
	XF_R_TRACKED,		/* no rule, a flow conntrack knows (stateful
				 * allow policy): pass */
	XF_R_STATE,		/* TCP past its SYN, no rule, a flow conntrack
				 * does not know (stateful allow): drop */
	XF_R_LIMITED,		/* matched a limit rule beyond its rate: drop;
				 * its rule's xf_rlimited moves too */
	XF_R_MAX,
};

/* The reasons' names, as list, --json, the metrics and the tools print
 * them: the initializer of a const char *[XF_R_MAX]. */
#define XF_REASON_NAMES {						\
	[XF_R_PASSED] = "passed",	[XF_R_DROPPED] = "dropped",	\
	[XF_R_MALFORMED] = "malformed",	[XF_R_FRAGMENT] = "fragment",	\
	[XF_R_NON_IP] = "non_ip",	[XF_R_OTHER_L4] = "other_l4",	\
	[XF_R_ALLOWED] = "allowed",	[XF_R_POLICY] = "policy",	\
	[XF_R_TRACKED] = "tracked",	[XF_R_STATE] = "state",		\
	[XF_R_LIMITED] = "limited",					\
}

/* xf_config flags. */
#define XF_CFG_ALLOW	(1U << 0)	/* allow-list: only listed flows open */
#define XF_CFG_NO_DHCP	(1U << 1)	/* allow policy cuts DHCP too */
#define XF_CFG_STATEFUL	(1U << 2)	/* allow policy asks conntrack about
					 * what no rule lists */

/* The policy and counts of one rule set. */
struct xf_set {
	__u32	flags;		/* XF_CFG_* */
	__u16	eph_lo;		/* stateless allow policy: UDP to these */
	__u16	eph_hi;		/* ports passes (replies to the host's own
				 * requests); 0-0 when stateful */
	__u32	nprefix4;	/* the set's prefixes in xf_pfx4: 0 skips it */
	__u32	nprefix6;
	__u32	nsrc;		/* source-port rules in xf_ports: 0 skips them */
	__u32	setmask;	/* bit i: rules "from @NAME" of set number i;
				 * 0 skips the source sets */
	__u32	setfirst;	/* the number of setmask's lowest bit (0 when
				 * none): the set tier's one set */
	__u32	setany;		/* the "any" rule of set setfirst, as its
				 * xf_sref entry has it (0: none): the set
				 * tier's verdict without that lookup */
};

/* xf_config value (key 0). Written only by user space, under its lock.
 * The program reads abi..set[]; the rest is user space's. */
struct xf_config {
	__u32	abi;		/* XF_ABI_VERSION once attached */
	__u32	set;		/* the rule set packets use: 0 or 1 */
	__u32	setver;		/* bit i: which of source set i's two slots
				 * packets use (xf_set_slot_of()) */
	struct xf_set sets[XF_SETS];
	__u32	serial;		/* switches of set so far (apply, rollback) */
	__u32	confirm_pid;	/* apply --confirm: the rollback timer */
	__u32	pad;		/* 0: confirm_by 8-aligned, no hole */
	__u64	confirm_by;	/* ... its deadline (Unix seconds), 0: none */
};

/* Feature tiers. The object holds one program per tier (and rule set):
 * user space puts the lightest tier that serves the active rule set in
 * xf_progs[XF_PROG_ACTIVE] and moves each interface's pinned link to it
 * (src/xf_links.c); an interface attached with ip(8) runs xdp_filter,
 * which tail-calls that slot, and is the full filter itself while the
 * slot is empty. The lighter tiers have their rule set built in and only
 * the code their features need (the port tiers never read xf_config; the
 * set tier reads its set's part and the sets' versions): they parse
 * the common frames themselves (untagged IPv4 and IPv6 with TCP or UDP)
 * and hand every other frame to the full tier's program (xf_full, in
 * xf_prog_slot(XF_TIER_FULL, 0)). The slots after XF_PROG_ACTIVE keep each
 * tier's program loaded, so a switch is one write.
 *
 * Two dispatchers: xdp_filter (section xdp.frags, multi-buffer: native XDP
 * on a jumbo MTU) and xdp_filter_sb (section xdp, single-buffer: what
 * generic mode attaches, where the kernel linearizes the packet for it
 * instead of copying every packet for a multi-buffer program). A tail call
 * only reaches a program of its own kind, so xdp_filter_sb has its own
 * array, xf_progs_sb, with the same slots holding the single-buffer twins
 * of the tier programs (XF_PROG_NAMES_SB, the same code in section xdp);
 * user space switches both arrays together. */
enum xf_tier {
	XF_TIER_DST = 0,	/* deny policy, destination-port rules */
	XF_TIER_PORTS,		/* ... and source-port rules */
	XF_TIER_SETS,		/* ... and rules from source sets */
	XF_TIER_FULL,		/* prefixes, stateless allow policy, log */
	XF_TIER_STATE,		/* everything: the full tier, and the stateful
				 * allow policy's conntrack lookups */
	XF_TIERS,
};

/* What a rule set uses; a tier serves the sets whose uses it has. */
#define XF_USES_SRC	(1U << 0)	/* source-port rules without a prefix */
#define XF_USES_PREFIX	(1U << 1)	/* prefix rules */
#define XF_USES_LOG	(1U << 2)	/* rules with log */
#define XF_USES_ALLOW	(1U << 3)	/* the allow policy */
#define XF_USES_STATE	(1U << 4)	/* ... stateful */
#define XF_USES_LIMIT	(1U << 5)	/* rules with limit */
#define XF_USES_SET	(1U << 6)	/* rules from a source set */

#define XF_TIER_USES	{ 0, XF_USES_SRC, XF_USES_SRC | XF_USES_SET,	\
			  ~XF_USES_STATE, ~0U }
#define XF_TIER_NAMES	{ "dst", "ports", "sets", "full", "state" }
/* The program of each tier for rule sets 0 and 1. */
#define XF_PROG_NAMES	{ { "xf_dst_s0", "xf_dst_s1" },		\
			  { "xf_ports_s0", "xf_ports_s1" },	\
			  { "xf_sets_s0", "xf_sets_s1" },		\
			  { "xf_full", "xf_full" },		\
			  { "xf_state", "xf_state" } }
/* The same programs loaded single-buffer, for xf_progs_sb. */
#define XF_PROG_NAMES_SB { { "xf_dst_s0_sb", "xf_dst_s1_sb" },	\
			   { "xf_ports_s0_sb", "xf_ports_s1_sb" },	\
			   { "xf_sets_s0_sb", "xf_sets_s1_sb" },	\
			   { "xf_full_sb", "xf_full_sb" },	\
			   { "xf_state_sb", "xf_state_sb" } }
#define XF_PROG_DISPATCH "xdp_filter"	/* what ip link attaches (native) */
#define XF_PROG_DISPATCH_SB "xdp_filter_sb"	/* ... (generic) */

#define XF_PROG_ACTIVE	0
#define XF_PROG_FULL_SLOT 7	/* xf_prog_slot(XF_TIER_FULL, 0) */
#define XF_PROG_SLOTS	9

/* The xf_progs slot that keeps the program of tier for rule set set (the
 * full tier has one program, for both sets, in slot 7; the state tier in
 * slot 8). */
static inline __u32 xf_prog_slot(__u32 tier, __u32 set)
{
	return tier < XF_TIER_FULL ? 1 + tier * XF_SETS + set :
	       1 + XF_TIER_FULL * XF_SETS + (tier - XF_TIER_FULL);
}

/* xf_rdesc value, the rule record: a rule as the user wrote it, and the
 * rule sets that hold it. */
#define XF_PM_TCP	(1U << XF_P_TCP)	/* protos bits */
#define XF_PM_UDP	(1U << XF_P_UDP)

#define XF_SET_BIT(set)	(1U << (set))

struct xf_rule {
	__u8	sets;		/* XF_SET_BIT()s of the rule sets holding it */
	__u8	protos;		/* XF_PM_*; both for "any" */
	__u8	dir;		/* enum xf_dir */
	__u8	family;		/* 0: no prefix, 4 or 6, or XF_FAMILY_SET:
				 * "from @NAME", the set number in addr[0] */
	__u8	prefixlen;
	__u8	anyport;	/* 1: "any from PREFIX" */
	__u16	port_lo;	/* host order, inclusive */
	__u16	port_hi;
	__u16	pad;
	__u32	prefix_id;	/* when family != 0 */
	__u8	addr[16];	/* network order; IPv4 in the first 4 */
	__u32	log_rate;	/* drop log: events/s, 0: the rule does not log */
	__u32	limit_rate;	/* limit N/s, 0: the rule has no limit */
	__u32	limit_burst;	/* burst B (N when not given) */
	__u8	per_source;	/* 1: a bucket per source (per-source [LEN]) */
	__u8	plen4;		/* ... grouped by these prefix lengths */
	__u8	plen6;
	__u8	pad2;
};

/* Rate limits (limit N/s [burst B] [per-source [LEN]]), DESIGN.md "Rate
 * limits". Each bucket is one time, GCRA's theoretical arrival time: a
 * packet conforms when max(tat, now) + interval <= now + burst * interval,
 * and then (only then) tat becomes max(tat, now) + interval. CPUs share a
 * bucket without a lock: the update is a compare-and-swap, retried
 * XF_LIMIT_TRIES times; a packet that loses every race is limited, so a
 * flood over many CPUs never gets more than the rate plus the burst
 * through. The clock is bpf_ktime_get_coarse_ns() (updated each kernel
 * tick, 1/HZ; about 3 ns a read here against 24 for bpf_ktime_get_ns()
 * under kvm-clock) for a rule whose burst spans at least
 * XF_LIMIT_COARSE_TICKS ticks, and bpf_ktime_get_ns() for the others: the
 * coarse clock lags by a tick (a few when a CPU stalls), which can let at
 * most that much more of the rate through in a short window, a few 64ths
 * of the burst; over time nothing more. Both are CLOCK_MONOTONIC. */
#define XF_LIMIT_RATE_MAX	10000000	/* N/s */
#define XF_LIMIT_BURST_MAX	10000000
#define XF_LIMIT_TRIES		4
#define XF_LIMIT_COARSE_TICKS	64
#define XF_LSRC_ENTRIES		131072		/* per-source buckets, all rules */
#define XF_LSRC_PLEN6		64		/* IPv6 default grouping */

/* xf_limit value: a limit rule's parameters, written by user space when
 * the rule is created, and its aggregate bucket (tat), the program's. */
struct xf_limit {
	__u64	interval_ns;	/* 1e9 / rate, at least 1 */
	__u64	burst_ns;	/* burst * interval_ns */
	__u64	tat;		/* the rule's bucket (not per-source): ns,
				 * CLOCK_MONOTONIC; 0: full */
	__u32	gen;		/* bumped each time the id gets a new limit
				 * rule: part of the per-source keys, so a
				 * reused id never inherits buckets */
	__u8	per_source;
	__u8	plen4;		/* per-source grouping, IPv4 and IPv6 */
	__u8	plen6;
	__u8	coarse;		/* 1: the buckets run on the coarse clock */
};

/* Per-source bucket key: the rule, its generation, and the source masked
 * to the rule's prefix length for its family. */
struct xf_lsrc_key {
	__u32	rule;		/* rule id */
	__u32	gen;		/* xf_limit.gen */
	__u8	family;		/* 4 or 6 */
	__u8	pad[3];
	__u8	addr[16];	/* network order, masked; IPv4 in the first 4 */
};

struct xf_lsrc {
	__u64	tat;		/* as xf_limit.tat */
};

/* Source sets (DESIGN.md "Source sets"): named sets of IPv4 and IPv6
 * prefixes that rules name with "from @NAME". A set has a number (0 ..
 * XF_MAX_SETS - 1; its record in xf_sets) and two slots in each of
 * xf_set4, xf_set4x and xf_set6, number * 2 + version: packets use the
 * version that bit `number` of xf_config.setver names, and user space
 * builds a new content in the other slots, flips that bit (one write) and
 * then frees the old ones, so a packet sees the old set or the new one.
 *
 * IPv4 is a two-level bitmap (DIR-24-8 for membership): level 1 (xf_set4)
 * is an array of XF_SET4_WORDS struct xf_set4w, each for 16 /24s: for
 * n24 = the address in host order >> 8, entry n24 / 16, bit n24 % 16 of
 * `whole` when all of the /24 is in the set, of `part` when part of it is;
 * then level 2 (xf_set4x) holds that /24's 256 addresses as bits, at the
 * index base + the number of `part` bits below bit n24 % 16 (nibble
 * n24 % 16 of `below`, so the packet path counts no bits): the /24s
 * partly in the set, in address order, with no hashing on the packet
 * path. IPv6 is the kernel's LPM trie (xf_set6). A slot is empty while its
 * family has nothing in the set (no memory). Rules reach a set through
 * xf_sref[set * XF_MAX_SETS + number], the same {any, prefix id}
 * as a trie entry of a prefix (its port rules are xf_pports entries). */
#define XF_MAX_SETS	32
#define XF_SET_NAME	32		/* a name's bytes, NUL included */
#define XF_FAMILY_SET	1		/* xf_rule.family of "from @NAME" */
#define XF_SET4_SPAN	16U		/* /24s a level 1 entry covers */
#define XF_SET4_WORDS	((1U << 24) / XF_SET4_SPAN)	/* all 2^24 /24s */
#define XF_SET4X_MAX	(1U << 21)	/* /24s partly in one set */
#define XF_SET6_MAX	(1U << 20)	/* IPv6 prefixes in one set */

static inline __u32 xf_set_slot_of(__u32 number, __u32 ver)
{
	return number * 2 + (ver & 1);
}

/* xf_set4 value: 16 /24s of level 1. */
struct xf_set4w {
	__u16	whole;		/* bit i: /24 16 * entry + i all in the set */
	__u16	part;		/* ... partly in it: level 2 has it */
	__u32	base;		/* level 2 index of this entry's first part */
	__u64	below;		/* nibble i: the part bits below bit i */
};

/* xf_set4x value: the addresses of one /24 in the set. */
struct xf_set4x {
	__u64	bits[4];	/* bit (a & 255) % 64 of bits[(a & 255) / 64] */
};

/* xf_set6 key (value: __u8 1). */
struct xf_set6_key {
	__u32	prefixlen;
	__u8	addr[16];	/* network order */
};

/* xf_sets value: user space's record of a set; the program never reads it.
 * A number whose name is "" is free. */
struct xf_sdesc {
	char	name[XF_SET_NAME];
	__u32	n4;		/* IPv4 prefixes, merged (as set NAME list
				 * prints them) */
	__u32	n6;
	__u32	partial4;	/* level-2 entries: /24s partly in the set */
	__u32	changes;	/* loads, adds and dels so far */
	__u64	changed;	/* Unix seconds of the last one */
};

/* xf_rlog value: a logged rule's token bucket. rate is written by user
 * space when the rule is added; the rest is the program's. Buckets are
 * shared by all CPUs without a lock: under a flood on several CPUs a few
 * more events than the rate can pass, never fewer. */
struct xf_rlog {
	__u32	rate;		/* events/s; the bucket holds one second */
	__u32	pad;
	__u64	last_ns;	/* bpf_ktime_get_ns() of the last refill */
	__u64	credit;		/* tokens * 1e9 */
	__u64	suppressed;	/* events the limit dropped, in total */
	__u64	unreported;	/* ... since the rule's last event */
};

/* xf_log record: one dropped packet of a logged rule. */
struct xf_event {
	__u64	ts_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32	ifindex;	/* where it arrived */
	__u32	rule;		/* rule id */
	__u32	suppressed;	/* this rule's events the limit dropped just
				 * before this one */
	__u32	len;		/* frame bytes */
	__u8	family;		/* 4 or 6 */
	__u8	l4;		/* IP protocol as parsed: TCP, UDP, or any
				 * other for "any from PREFIX" (ports 0) */
	__be16	sport;
	__be16	dport;
	__u8	reason;		/* XF_R_DROPPED (a rule) or XF_R_LIMITED */
	__u8	pad;
	__u8	saddr[16];	/* network order; IPv4 in the first 4 */
	__u8	daddr[16];
};

#endif /* XDP_FILTER_H */
