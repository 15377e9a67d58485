// SPDX-License-Identifier: GPL-2.0
/* setlookup.c - bench_setlookup.o, the source-set lookup loops of
 * xf_setbench (bench/setbench.c). BPF_PROG_TEST_RUN repeats one frame, so
 * to look up a different source each time, each program here walks
 * sl_cfg.n pseudo-random addresses in one run (bpf_loop, xorshift64) and
 * asks, for each, one question:
 *
 *   sl_loop4/6  nothing: the loop's own cost (the draw of the address)
 *   sl_set4/6   xf_set_has() of bpf_maps.h on the source set in slot
 *               sl_cfg.slot of xf_set4/xf_set4x/xf_set6: the product's
 *               lookup, on maps the store filled (the maps are bpf_maps.h's
 *               own definitions, so they are the product's shapes)
 *   sl_lpm4/6   a kernel BPF_MAP_TYPE_LPM_TRIE holding the same prefixes
 *               (sl_trie4/sl_trie6)
 *
 * An address is, with probability sl_cfg.thr / 256, one of the sl_cfg.nsamp
 * addresses of samp4/samp6 (user space puts one address of each prefix
 * there: a member), else uniform (IPv4: 32 random bits; IPv6: 2000::/12
 * and 116 random bits, where the generated prefixes live). The draw is the
 * same in all three, so the loop's cost cancels. Hits and a checksum of the
 * addresses go back into sl_cfg: both lookups must find the same members.
 * Benchmark only, never attached.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include "../xdp_filter.h"
#include "../bpf_maps.h"	/* xf_set_has() and the set maps */

struct sl_cfg {
	__u32	n;		/* lookups per run */
	__u32	nsamp;		/* members in samp4/samp6 */
	__u32	thr;		/* members: thr in 256 draws */
	__u32	slot;		/* the set's slot in xf_set4/... */
	__u64	seed;		/* xorshift64 state, never 0 */
	__u64	hits;		/* out: lookups that found the address */
	__u64	sum;		/* out: the addresses, summed */
};

struct sl_lpm4_key {
	__u32	prefixlen;
	__u8	addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_cfg);
} sl_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1U << 21);
	__type(key, struct sl_lpm4_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} sl_trie4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1U << 20);
	__type(key, struct xf_set6_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} sl_trie6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1U << 21);
	__type(key, __u32);
	__type(value, __u32);		/* network order */
} sl_samp4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1U << 20);
	__type(key, __u32);
	__type(value, struct xf_set6_key);	/* addr only */
} sl_samp6 SEC(".maps");

enum sl_how { SL_LOOP, SL_SET, SL_LPM };

struct sl_ctx {
	__u64	x, hits, sum;
	__u32	nsamp, thr, slot;
};

static __always_inline __u64 xorshift(struct sl_ctx *c)
{
	__u64 x = c->x;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	c->x = x;
	return x;
}

static __always_inline long step4(struct sl_ctx *c, enum sl_how how)
{
	struct sl_lpm4_key k = { .prefixlen = 32 };
	__u64 x = xorshift(c);
	__u32 a = (__u32)(x >> 32), i, *s;

	if ((x & 0xff) < c->thr && c->nsamp) {
		i = (__u32)((x >> 8) % c->nsamp);
		s = bpf_map_lookup_elem(&sl_samp4, &i);
		a = s ? *s : 0;
	}
	c->sum += a;
	if (how == SL_SET)
		c->hits += xf_set_has(c->slot, 4, &a, (void *)(&a + 1));
	else if (how == SL_LPM) {
		__builtin_memcpy(k.addr, &a, 4);
		c->hits += bpf_map_lookup_elem(&sl_trie4, &k) != NULL;
	}
	return 0;
}

static __always_inline long step6(struct sl_ctx *c, enum sl_how how)
{
	struct xf_set6_key k = { .prefixlen = 128 }, *s;
	__u64 x = xorshift(c), y = xorshift(c);
	__u32 i;

	__builtin_memcpy(k.addr, &x, 8);
	__builtin_memcpy(k.addr + 8, &y, 8);
	k.addr[0] = 0x20;
	k.addr[1] &= 0x0f;			/* 2000::/12 */
	if ((x & 0xff) < c->thr && c->nsamp) {
		i = (__u32)((x >> 8) % c->nsamp);
		s = bpf_map_lookup_elem(&sl_samp6, &i);
		if (s)
			__builtin_memcpy(k.addr, s->addr, 16);
	}
	c->sum += k.addr[15];
	if (how == SL_SET)
		c->hits += xf_set_has(c->slot, 6, k.addr, k.addr + 16);
	else if (how == SL_LPM)
		c->hits += bpf_map_lookup_elem(&sl_trie6, &k) != NULL;
	return 0;
}

static long loop4(__u64 i, void *c) { return step4(c, SL_LOOP); }
static long set4(__u64 i, void *c) { return step4(c, SL_SET); }
static long lpm4(__u64 i, void *c) { return step4(c, SL_LPM); }
static long loop6(__u64 i, void *c) { return step6(c, SL_LOOP); }
static long set6(__u64 i, void *c) { return step6(c, SL_SET); }
static long lpm6(__u64 i, void *c) { return step6(c, SL_LPM); }

/* One run: cfg in, sl_cfg.n steps of cb, hits and sum out. */
static __always_inline int run(void *cb)
{
	__u32 zero = 0;
	struct sl_cfg *cfg = bpf_map_lookup_elem(&sl_cfg, &zero);
	struct sl_ctx c = {};

	if (!cfg)
		return XDP_ABORTED;
	c.x = cfg->seed | 1;
	c.nsamp = cfg->nsamp;
	c.thr = cfg->thr;
	c.slot = cfg->slot;
	bpf_loop(cfg->n, cb, &c, 0);
	cfg->hits = c.hits;
	cfg->sum = c.sum;
	return XDP_PASS;
}

SEC("xdp") int sl_loop4(struct xdp_md *ctx) { return run(loop4); }
SEC("xdp") int sl_set4(struct xdp_md *ctx) { return run(set4); }
SEC("xdp") int sl_lpm4(struct xdp_md *ctx) { return run(lpm4); }
SEC("xdp") int sl_loop6(struct xdp_md *ctx) { return run(loop6); }
SEC("xdp") int sl_set6(struct xdp_md *ctx) { return run(set6); }
SEC("xdp") int sl_lpm6(struct xdp_md *ctx) { return run(lpm6); }

char LICENSE[] SEC("license") = "GPL";
