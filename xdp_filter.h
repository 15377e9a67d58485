/* SPDX-License-Identifier: GPL-2.0 */
/* xdp_filter.h - the ABI shared by the BPF program (xdp_filter.c) and user
 * space (rulectl.c, tests, benchmarks): map names, pin path, key and value
 * layouts, counter reasons and limits. One source of truth: change a layout
 * here, bump XF_ABI_VERSION, and every side follows.
 *
 * Maps (all pinned by name under XF_PIN_DIR by ip(8)):
 *   xf_rules   ARRAY        XF_RULE_SLOTS x struct xf_rule   the verdict table
 *   xf_rcount  PERCPU_ARRAY XF_RULE_SLOTS x struct xf_count  per rule counters
 *   xf_stats   PERCPU_ARRAY XF_R_MAX      x struct xf_count  per reason counters
 *   xf_config  ARRAY        1             x struct xf_config ABI stamp
 *
 * A rule is (protocol, destination port). Its slot, in both xf_rules and
 * xf_rcount, is xf_slot(proto index, port): one array element per rule, so
 * the packet path does one O(1) array lookup whatever the number of rules,
 * and two editors touching different rules never write the same element.
 */
#ifndef XDP_FILTER_H
#define XDP_FILTER_H

#include <linux/types.h>

#ifndef XF_PIN_DIR			/* the Makefile may pass -D */
#define XF_PIN_DIR "/sys/fs/bpf/tc/globals"
#endif

/* Bumped whenever a map layout or the meaning of a value changes. */
#define XF_ABI_VERSION	1

#define XF_MAP_RULES	"xf_rules"
#define XF_MAP_RCOUNT	"xf_rcount"
#define XF_MAP_STATS	"xf_stats"
#define XF_MAP_CONFIG	"xf_config"

/* Protocol index of a rule slot. */
enum xf_proto {
	XF_P_TCP = 0,
	XF_P_UDP = 1,
	XF_P_MAX,
};

#define XF_PORTS	65536
#define XF_RULE_SLOTS	(XF_P_MAX * XF_PORTS)

/* Slot of the rule (protocol index, destination port in host order). */
static inline __u32 xf_slot(__u32 proto_idx, __u32 port)
{
	return proto_idx * XF_PORTS + port;
}

/* xf_rules value. flags == 0: no rule in this slot. */
#define XF_RULE_DROP	(1U << 0)	/* drop packets that match */

struct xf_rule {
	__u32	flags;
};

/* xf_rcount and xf_stats value, one per CPU; user space sums them. */
struct xf_count {
	__u64	packets;
	__u64	bytes;		/* frame bytes as XDP saw them, L2 included */
};

/* xf_stats key: why a packet got its verdict. Every packet is counted under
 * exactly one reason. Keep xf_reason_names[] in rulectl.c in this order. */
enum xf_reason {
	XF_R_PASSED = 0,	/* TCP/UDP, no rule matched: pass */
	XF_R_DROPPED,		/* matched a rule: drop */
	XF_R_MALFORMED,		/* truncated or invalid header: drop */
	XF_R_FRAGMENT,		/* later fragment, no ports in it: pass */
	XF_R_NON_IP,		/* not IPv4/IPv6 (ARP, ...): pass */
	XF_R_OTHER_L4,		/* IP but not TCP/UDP (ICMP, ...): pass */
	XF_R_MAX,
};

/* xf_config value (key 0). rulectl stamps abi = XF_ABI_VERSION when the
 * filter is attached, and refuses to edit pins that carry another stamp. */
struct xf_config {
	__u32	abi;
	__u32	flags;		/* reserved, 0 */
};

#endif /* XDP_FILTER_H */
