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
 *   xf_ports  ARRAY        XF_PORT_SLOTS   slot -> rule id (port rules)
 *   xf_pfx4   LPM_TRIE     XF_MAX_PREFIXES IPv4 prefix -> struct xf_pfx
 *   xf_pfx6   LPM_TRIE     XF_MAX_PREFIXES IPv6 prefix -> struct xf_pfx
 *   xf_pports HASH         XF_MAX_PPORTS   {prefix id, slot} -> rule id
 *   xf_rcount PERCPU_ARRAY XF_MAX_RULES    rule id -> struct xf_count
 *   xf_stats  PERCPU_ARRAY XF_R_MAX        reason -> struct xf_count
 *   xf_config ARRAY        1               struct xf_config (policy, stamp)
 *   xf_rdesc  ARRAY        XF_MAX_RULES    rule id -> struct xf_rdesc
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
#define XF_ABI_VERSION	3

#define XF_MAP_PORTS	"xf_ports"
#define XF_MAP_PFX4	"xf_pfx4"
#define XF_MAP_PFX6	"xf_pfx6"
#define XF_MAP_PPORTS	"xf_pports"
#define XF_MAP_RCOUNT	"xf_rcount"
#define XF_MAP_STATS	"xf_stats"
#define XF_MAP_CONFIG	"xf_config"
#define XF_MAP_RDESC	"xf_rdesc"

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

#define XF_PORTS	65536
#define XF_PORT_SLOTS	(XF_DIR_MAX * XF_P_MAX * XF_PORTS)
#define XF_MAX_RULES	32768		/* ids 1 .. 32767; 0 is "no rule" */
#define XF_MAX_PREFIXES	16384		/* per address family */
#define XF_MAX_PPORTS	262144		/* port slots of prefix rules */

/* Slot of (direction, protocol index, port in host order). */
static inline __u32 xf_slot(__u32 dir, __u32 proto_idx, __u32 port)
{
	return (dir * XF_P_MAX + proto_idx) * XF_PORTS + port;
}

/* xf_ports and xf_pports value. */
struct xf_port {
	__u32	id;		/* rule id, 0: none */
};

/* LPM trie keys: prefixlen first, address in network order. */
struct xf_lpm4 {
	__u32	prefixlen;
	__u8	addr[4];
};

struct xf_lpm6 {
	__u32	prefixlen;
	__u8	addr[16];
};

/* xf_pfx4/xf_pfx6 value: the rules of one prefix. The longest prefix that
 * has rules decides; shorter prefixes are not consulted for that packet. */
struct xf_pfx {
	__u32	any_id;		/* rule "any from PREFIX", 0: none */
	__u32	pid;		/* prefix id: key of its port slots in xf_pports */
};

/* xf_pports key. */
struct xf_pport {
	__u32	pid;
	__u32	slot;		/* xf_slot() */
};

/* xf_rcount and xf_stats value, one per CPU; user space sums them. */
struct xf_count {
	__u64	packets;
	__u64	bytes;		/* frame bytes as XDP saw them, L2 included */
};

/* xf_stats key: why a packet got its verdict. Every packet is counted under
 * exactly one reason. Keep the names in xf_maps.c in this order. */
enum xf_reason {
	XF_R_PASSED = 0,	/* TCP/UDP, no rule decided: pass */
	XF_R_DROPPED,		/* matched a rule (deny policy): drop */
	XF_R_MALFORMED,		/* truncated or invalid header: drop */
	XF_R_FRAGMENT,		/* later fragment, no ports in it: pass */
	XF_R_NON_IP,		/* not IPv4/IPv6 (ARP, ...): pass */
	XF_R_OTHER_L4,		/* IP but not TCP/UDP (ICMP, ...): pass */
	XF_R_ALLOWED,		/* matched a rule (allow policy): pass */
	XF_R_POLICY,		/* new TCP/UDP flow, no rule (allow policy): drop */
	XF_R_MAX,
};

/* xf_config flags. */
#define XF_CFG_ALLOW	(1U << 0)	/* allow-list: only listed flows open */
#define XF_CFG_NO_DHCP	(1U << 1)	/* allow policy cuts DHCP too */

/* xf_config value (key 0). Written only by user space, under its lock. */
struct xf_config {
	__u32	abi;		/* XF_ABI_VERSION once attached */
	__u32	flags;		/* XF_CFG_* */
	__u16	eph_lo;		/* allow policy: UDP to these ports passes */
	__u16	eph_hi;		/* (replies to the host's own requests) */
	__u32	nprefix4;	/* prefixes in xf_pfx4: 0 skips the trie */
	__u32	nprefix6;
	__u32	nsrc;		/* source-port rules in xf_ports: 0 skips them */
};

/* xf_rdesc value: a rule as the user wrote it. */
#define XF_PM_TCP	(1U << XF_P_TCP)	/* protos bits */
#define XF_PM_UDP	(1U << XF_P_UDP)

struct xf_rdesc {
	__u8	used;		/* 1: this id holds a rule */
	__u8	protos;		/* XF_PM_*; both for "any" */
	__u8	dir;		/* enum xf_dir */
	__u8	family;		/* 0: no prefix, 4 or 6 */
	__u8	prefixlen;
	__u8	anyport;	/* 1: "any from PREFIX" */
	__u16	port_lo;	/* host order, inclusive */
	__u16	port_hi;
	__u16	pad;
	__u32	pid;		/* prefix id, when family != 0 */
	__u8	addr[16];	/* network order; IPv4 in the first 4 */
};

#endif /* XDP_FILTER_H */
