/* SPDX-License-Identifier: GPL-2.0 */
/* bpf_maps.h - the pinned maps of xdp_filter as BPF map definitions, and
 * the helpers that read and count through them. Included by xdp_filter.c,
 * by its benchmark twin (bench/hash_variant.c) and by the stand-in programs
 * of the tests, so the definitions exist once; the layout itself (names,
 * key and value types, sizes) is xdp_filter.h's. No packet parsing here
 * (parsing.h), no decisions (xdp_filter.c).
 */
#ifndef XF_BPF_MAPS_H
#define XF_BPF_MAPS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xdp_filter.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_SETS * XF_PORT_SLOTS);
	__type(key, __u32);
	__type(value, struct xf_port);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XF_MAX_PREFIXES);
	__type(key, struct xf_lpm4);
	__type(value, struct xf_pfx);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* LPM tries require it */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_pfx4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XF_MAX_PREFIXES);
	__type(key, struct xf_lpm6);
	__type(value, struct xf_pfx);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_pfx6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XF_MAX_PPORTS);
	__type(key, struct xf_pport);
	__type(value, struct xf_port);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* memory grows with rules */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_pports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xf_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_rcount SEC(".maps");

/* Per-reason counters. Only the tests' stand-in program leaves it out
 * (-DXF_TEST_NO_STATS), to show that the verdict suite notices. */
#ifndef XF_TEST_NO_STATS
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_R_MAX);
	__type(key, __u32);
	__type(value, struct xf_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_stats SEC(".maps");
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xf_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_config SEC(".maps");

/* User space's record of the rules; pinned with the rest, never read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xf_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_rdesc SEC(".maps");

/* Per-rule token buckets of the drop log. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xf_rlog);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_rlog SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XF_LOG_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_log SEC(".maps");

/* Limit rules: each one's parameters and aggregate bucket (struct
 * xf_limit), and its drops beyond the rate, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xf_limit);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_limit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xf_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_rlimited SEC(".maps");

/* The per-source buckets of all limit rules: an LRU hash that user space
 * creates with the first per-source rule and puts in slot 0 (the template
 * below only gives its shape; the slot starts empty). Sizes, not types:
 * clang emits the key's struct as a forward declaration here, which
 * libbpf cannot size, and the kernel compares inner maps by size alone. */
struct xf_lsrc_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XF_LSRC_ENTRIES);
	__uint(key_size, sizeof(struct xf_lsrc_key));
	__uint(value_size, sizeof(struct xf_lsrc));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xf_lsrc_map);
} xf_lsrc SEC(".maps");

/* Source sets (xdp_filter.h, "Source sets"): each set's record, the rules
 * of each rule set that name it, and its content in the inner maps user
 * space creates and swaps in (the templates give their shapes only; every
 * slot starts empty). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_MAX_SETS);
	__type(key, __u32);
	__type(value, struct xf_sdesc);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_SETS * XF_MAX_SETS);
	__type(key, __u32);
	__type(value, struct xf_pfx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_sref SEC(".maps");

struct xf_set4_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XF_SET4_WORDS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct xf_set4w));
	__uint(map_flags, BPF_F_MMAPABLE);	/* user space writes it whole */
};

/* Level 2 is as long as its content (BPF_F_INNER_MAP: each inner array
 * its own max_entries; the template's is never used). */
struct xf_set4x_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct xf_set4x));
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
};

struct xf_set6_map {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XF_SET6_MAX);
	__uint(key_size, sizeof(struct xf_set6_key));
	__uint(value_size, sizeof(__u8));
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2 * XF_MAX_SETS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xf_set4_map);
} xf_set4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2 * XF_MAX_SETS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xf_set4x_map);
} xf_set4x SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2 * XF_MAX_SETS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xf_set6_map);
} xf_set6 SEC(".maps");

/* The feature tiers: slot 0 is the one every interface's xdp_filter
 * tail-calls (none: xdp_filter runs the full filter itself). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XF_PROG_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_progs SEC(".maps");

/* The same slots, for xdp_filter_sb: the tiers loaded single-buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XF_PROG_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_progs_sb SEC(".maps");

static __always_inline void xf_count_add(struct xf_count *c, __u64 bytes)
{
	if (c) {			/* per-CPU slot: no atomics needed */
		c->packets++;
		c->bytes += bytes;
	}
}

/* Counts the packet under reason (the one counter a packet that no rule
 * decided moves) and returns action. */
static __always_inline int xf_reason(__u32 reason, __u64 bytes, int action)
{
#ifndef XF_TEST_NO_STATS
	xf_count_add(bpf_map_lookup_elem(&xf_stats, &reason), bytes);
#endif
	return action;
}

/* Counts the packet under rule id (its value as the packet path stores
 * it): the one counter a packet that a rule decided moves. */
static __always_inline void xf_count_rule(__u32 id, __u64 bytes)
{
	__u32 rid = id & XF_ID_MASK;

	xf_count_add(bpf_map_lookup_elem(&xf_rcount, &rid), bytes);
}

/* Rule id of the port slot (dir, proto index, port) of rule set set, or 0. */
static __always_inline __u32 xf_port_rule(__u32 set, __u32 dir, __u32 pidx,
					  __be16 port)
{
	__u32 slot = xf_set_slot(set, xf_slot(dir, pidx, bpf_ntohs(port)));
	struct xf_port *p = bpf_map_lookup_elem(&xf_ports, &slot);

	return p ? p->id : 0;
}

/* Rule id of a prefix's port slot in rule set set, or 0. */
static __always_inline __u32 xf_prefix_port_rule(__u32 prefix_id, __u32 set,
						 __u32 dir, __u32 pidx,
						 __be16 port)
{
	struct xf_pport key = {
		.prefix_id = prefix_id,
		.slot = xf_set_slot(set, xf_slot(dir, pidx, bpf_ntohs(port))),
	};
	struct xf_port *p = bpf_map_lookup_elem(&xf_pports, &key);

	return p ? p->id : 0;
}

/* The trie entry of the longest prefix with rules that holds the source
 * address saddr (of family 4 or 6, inside the packet: checked against
 * data_end again for the verifier) in rule set set, whose settings are s,
 * or NULL. The trie of a family without prefix rules is not looked at,
 * and the key is made only when it is. */
static __always_inline struct xf_pfx *
xf_prefix_lookup(int family, const void *saddr, const struct xf_set *s,
		 __u32 set, void *data_end)
{
	struct xf_lpm4 key4;
	struct xf_lpm6 key6;

	if (family == 4 && s->nprefix4 && saddr + 4 <= data_end) {
		key4 = (struct xf_lpm4){ .prefixlen = XF_LPM_SET_BITS + 32,
					 .set = set };
		__builtin_memcpy(key4.addr, saddr, sizeof(key4.addr));
		return bpf_map_lookup_elem(&xf_pfx4, &key4);
	}
	if (family == 6 && s->nprefix6 && saddr + 16 <= data_end) {
		key6 = (struct xf_lpm6){ .prefixlen = XF_LPM_SET_BITS + 128,
					 .set = set };
		__builtin_memcpy(key6.addr, saddr, sizeof(key6.addr));
		return bpf_map_lookup_elem(&xf_pfx6, &key6);
	}
	return NULL;
}

/* The level 2 index of /24 n24 of a level 1 entry w whose part bit is set:
 * w's base plus the part bits below n24's, which user space counted into
 * nibble n24 % 16 of `below` (a popcount here, a dozen dependent
 * instructions, cost more than a nanosecond a packet). */
static __always_inline __u32 xf_set4_rank(const struct xf_set4w *w, __u32 n24)
{
	return w->base +
	       (__u32)((w->below >> (n24 % XF_SET4_SPAN * 4)) & 15);
}

/* Is the source address saddr (family 4 or 6, inside the packet: checked
 * against data_end again for the verifier) in the source set whose
 * current slot is slot? IPv4: level 1, and level 2 only for a /24 that is
 * partly in the set; IPv6: the set's trie. */
static __always_inline bool xf_set_has(__u32 slot, int family,
				       const void *saddr, void *data_end)
{
	struct xf_set6_key k6;
	struct xf_set4w *word;
	struct xf_set4x *part;
	__u32 a, n24, w;
	void *inner;

	if (family == 4 && saddr + 4 <= data_end) {
		a = bpf_ntohl(*(const __u32 *)saddr);	/* one load */
		n24 = a >> 8;
		w = n24 / XF_SET4_SPAN;
		inner = bpf_map_lookup_elem(&xf_set4, &slot);
		word = inner ? bpf_map_lookup_elem(inner, &w) : NULL;
		if (!word)
			return false;			/* no IPv4 in the set */
		if ((word->whole >> (n24 % XF_SET4_SPAN)) & 1)
			return true;			/* all of the /24 */
		if (!((word->part >> (n24 % XF_SET4_SPAN)) & 1))
			return false;			/* none of it */
		w = xf_set4_rank(word, n24);
		inner = bpf_map_lookup_elem(&xf_set4x, &slot);
		part = inner ? bpf_map_lookup_elem(inner, &w) : NULL;
		return part && ((part->bits[(a >> 6) & 3] >> (a & 63)) & 1);
	}
	if (family == 6 && saddr + 16 <= data_end) {
		k6.prefixlen = 128;	/* here: IPv4 pays no store */
		__builtin_memcpy(k6.addr, saddr, 16);
		inner = bpf_map_lookup_elem(&xf_set6, &slot);
		return inner && bpf_map_lookup_elem(inner, &k6);
	}
	return false;
}

#endif /* XF_BPF_MAPS_H */
