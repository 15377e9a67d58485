/* SPDX-License-Identifier: GPL-2.0 */
/* bpf_maps.h - the pinned maps of xdp_filter as BPF map definitions, with
 * the two counting helpers every program over them uses. Included by
 * xdp_filter.c, by its benchmark twin (bench/hash_variant.c) and by the
 * stand-in programs of the tests, so the definitions exist once; the layout
 * itself (names, key and value types, sizes) is xdp_filter.h's.
 */
#ifndef XF_BPF_MAPS_H
#define XF_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdp_filter.h"
#include "parsing.h"

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

/* Only the stand-in program of tests/50-verdicts.bats defines
 * XF_TEST_NO_STATS: an object without xf_stats (and so without verdict())
 * that the verdict runner must refuse. */
#ifndef XF_TEST_NO_STATS
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XF_R_MAX);
	__type(key, __u32);
	__type(value, struct xf_count);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xf_stats SEC(".maps");
#endif /* XF_TEST_NO_STATS */

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

static __always_inline void count(struct xf_count *c, __u64 bytes)
{
	if (c) {			/* per-CPU slot: no atomics needed */
		c->packets++;
		c->bytes += bytes;
	}
}

#ifndef XF_TEST_NO_STATS
static __always_inline int verdict(__u32 reason, __u64 bytes, int action)
{
	count(bpf_map_lookup_elem(&xf_stats, &reason), bytes);
	return action;
}
#endif /* XF_TEST_NO_STATS */

/* The trie entry of the longest prefix with rules that holds the packet's
 * source in rule set nset (whose settings are set), or NULL; the trie of a
 * family without prefix rules is not looked at, and the key is made only
 * when it is. */
static __always_inline struct xf_pfx *
prefix_lookup(const struct xf_pkt *pkt, const struct xf_set *set, __u32 nset,
	      void *data_end)
{
	struct xf_lpm4 key4;
	struct xf_lpm6 key6;

	if (pkt->family == 4 && set->nprefix4 &&
	    !src_key(pkt, nset, data_end, &key4, &key6))
		return bpf_map_lookup_elem(&xf_pfx4, &key4);
	if (pkt->family == 6 && set->nprefix6 &&
	    !src_key(pkt, nset, data_end, &key4, &key6))
		return bpf_map_lookup_elem(&xf_pfx6, &key6);
	return NULL;
}

#endif /* XF_BPF_MAPS_H */
