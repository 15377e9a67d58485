// SPDX-License-Identifier: GPL-2.0
/* conform.c - xf_conform: differential verdict conformance (issue 6, item
 * 1). Every frame the generator makes (gen.c: structured cases, then seeded
 * random specs and mutations) goes through the filter with
 * BPF_PROG_TEST_RUN and through the reference model (model.c); the XDP
 * action, the xf_stats reason that counted it and the xf_rcount slot that
 * counted it (the deciding rule, or none) must all be the model's.
 *
 * The object is loaded privately (pins cleared: no bpffs, no attached
 * filter touched). Rules go into its maps through rulectl's own code
 * (the store: xf_store_add / xf_store_remove, so ids, prefix ids, xf_pports,
 * the tries, the nprefix and nsrc counts and the drop log buckets are
 * exactly what rulectl writes), the policy into xf_config. The structured
 * cases run against a fixed rule set under the deny and the allow policy;
 * the random frames against a new random rule set and config every BLOCK
 * frames.
 *
 * Rule sets (xdp_filter.h) are switched the way rulectl apply switches
 * them: each new rule set is written into the set packets do not use, then
 * xf_config.set names it with one write. The set it replaced stays in the
 * maps while the new one is checked (as during apply --confirm), and is
 * cleared just before the next set is written into its place. So the
 * structured set runs in set 1, random block b in set b & 1, and every
 * comparison has the previous rule set, unused, in the other set; the model
 * gets the active set's rules only. Some rules log their drops (log N/s):
 * XF_ID_LOG in the maps must not change a verdict or a counter.
 *
 * Replay: a mismatch prints the seed and the frame's index; --seed S
 * --frame I runs that one frame again, with its rule set and config (and
 * the maps as they were: every rule set before it is installed in turn).
 *
 * Rate limits (issue 15): some port rules of the random sets have a limit,
 * on the rule's own bucket or per source. Before each frame the bucket the
 * model says it hits is set to a drawn state relative to the kernel's
 * clock, far enough from the verdict's edge that the time between the
 * write and the program's own clock read cannot matter (buckets.h); the
 * model gets the same state and time. The limited drops' counter
 * (xf_rlimited) and the bucket afterwards are compared too.
 *
 * Source sets (issue 16): the tool makes NSRC sets (numbers 0 .. NSRC - 1)
 * of random prefixes of every length, both families, overlapping (rarely
 * /0), through the store (xf_set_replace(): the two-level bitmap and the
 * trie), and loads one of them with new ones every SET_RELOAD blocks; in
 * half the random blocks some set rules ("any from @S", "PORTS PROTO
 * [dst|src] from @S", a limit or a log now and then) join the drawn rules.
 * The model gets the same prefixes as a plain list. Frames' sources are
 * drawn inside the prefixes of the sets the rules name, at their first and
 * last addresses and just outside (gen.c).
 *
 * The stateful allow policy (issue 14): random rule sets have it too, and
 * their frames are often aimed at the flows of tests/lib/flows.h, or just
 * miss them (gen.c). The model is told those flows, and whether the program
 * that runs is the state tier, the one that asks the host (any other gates
 * a stateful set as the stateless policy would). When it can be (--prog
 * xf_state, or --tiers with the state tier loaded), the flows are made for
 * real: the tool makes a network namespace of its own, opens the TCP
 * connections and UDP exchanges over its loopback, and runs every frame
 * there, where BPF_PROG_TEST_RUN's conntrack and socket lookups look.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../xdp_filter.h"
#include "../../src/xf_store.h"
#include "../../src/xf_tiers.h"
#include "../../src/xf_rule.h"
#include "../../src/xf_srcsets.h"
#include "model.h"
#include "gen.h"
#include "buckets.h"
#include "../lib/xf_load.h"
#include "../lib/flows.h"

#define PROG		"xf_conform"
#define DEFAULT_OBJ	"build/xdp_filter.o"
#define FULL_FRAMES	100000
#define QUICK_FRAMES	40000
#define BLOCK		250		/* random frames per rule set */
#define MAX_SET		24		/* rules in one set */
#define RC_N		64		/* xf_rcount ids read back */
#define NSRC		4		/* source sets made, numbers 0 .. 3 */
#define SET_RELOAD	8		/* a set reloaded every 8 blocks */
#define MAX_SPFX	24		/* prefixes drawn into one set */

#define SAME(a, b)	((int)(a) == (int)(b))
_Static_assert(SAME(XM_PASSED, XF_R_PASSED) && SAME(XM_DROPPED, XF_R_DROPPED) &&
	       SAME(XM_MALFORMED, XF_R_MALFORMED) &&
	       SAME(XM_FRAGMENT, XF_R_FRAGMENT) && SAME(XM_NON_IP, XF_R_NON_IP) &&
	       SAME(XM_OTHER_L4, XF_R_OTHER_L4) &&
	       SAME(XM_ALLOWED, XF_R_ALLOWED) && SAME(XM_POLICY, XF_R_POLICY) &&
	       SAME(XM_TRACKED, XF_R_TRACKED) && SAME(XM_STATE, XF_R_STATE) &&
	       SAME(XM_LIMITED, XF_R_LIMITED) && SAME(XM_NREASONS, XF_R_MAX),
	       "model reasons follow enum xf_reason");

struct env {
	const char	*obj_path;
	const char	*prog;		/* the XDP program to run */
	bool		tiers;		/* --tiers: the tier programs loaded */
	long		in_tier[XF_TIERS + 1];	/* frames per tier run;
						 * [XF_TIERS]: xdp_filter's */
	struct xf_obj	o;		/* its object, and the maps */
	int		ncpus;
	struct xf_count	*buf;		/* batch lookups, RC_N x CPUs */
	struct xf_count	stats[XF_R_MAX];	/* last seen sums */
	struct xf_count	rc[RC_N];
	struct xf_count	rl[RC_N];	/* xf_rlimited */
	struct bk	bk;		/* the rate limits' buckets */
	struct xm_limits lim;		/* ... as the model has them */
	struct xf_flows	fl;		/* the flows the host knows */
	struct xm_flow	xfl[XF_NFLOWS];	/* ... as the model takes them */
	struct xm_prefix spfx[NSRC][MAX_SPFX];	/* the source sets' prefixes */
	struct xm_srcset xs[XM_MAX_SETS];	/* ... as the model takes them */
};

/* A rule set as installed: the rules with the ids rulectl gave them. */
struct rset {
	struct xf_rule	r[MAX_SET];
	__u32		id[MAX_SET];
	int		n;
	struct xm_config cfg;
	struct xm_rule	xm[MAX_SET];
	struct gen_hints hints;
	bool		loads[NSRC];	/* the source sets its rules name */
};

struct opts {
	uint64_t	seed;
	long		frames;
	long		only;		/* --frame I, or -1 */
	long		show;		/* mismatches printed in full */
	bool		verbose;
	bool		seeded;		/* --seed given */
};

/* ----------------------------------------------------------- setup */

/* The flows: made, in the tool's own network namespace, where it then
 * stays (every frame runs there), when a program that asks the host can
 * run; else only their tuples, to aim frames at. */
static int make_flows(struct env *e, bool make)
{
	if (make && xf_flows_make(&e->fl, PROG))
		return -1;
	if (!make)
		xf_flows_table(&e->fl, PROG);
	for (int i = 0; i < XF_NFLOWS; i++) {
		const struct xf_flow *f = &e->fl.f[i];
		struct xm_flow *x = &e->xfl[i];

		memset(x, 0, sizeof(*x));
		x->family = (uint8_t)f->family;
		x->proto = f->proto;
		memcpy(x->a, f->cli, 16);
		memcpy(x->b, f->srv, 16);
		x->pa = f->cport;
		x->pb = f->sport;
	}
	return 0;
}

static const char *srcset_name(int k)
{
	static const char *const names[NSRC] = { "s0", "s1", "s2", "s3" };

	return names[k];
}

static int env_open(struct env *e)
{
	libbpf_set_print(xf_libbpf_print);
	xf_prog = PROG;
	if (xf_init() ||
	    xf_obj_open(&e->o, PROG, e->obj_path, e->prog, e->tiers) ||
	    make_flows(e, xf_obj_may_run_state(&e->o, e->prog, e->tiers)))
		return -1;
	e->ncpus = e->o.m.ncpus;
	bk_init(&e->bk, e->o.m.fd[XF_M_LIMIT], e->o.m.fd[XF_M_LSRC]);
	e->buf = calloc((size_t)RC_N * e->ncpus, sizeof(*e->buf));
	if (!e->buf)
		return xf_load_err(PROG, e->obj_path, NULL, ENOMEM);
	return 0;
}

static void env_close(struct env *e)
{
	bk_close(&e->bk);
	xf_obj_close(&e->o);
	free(e->buf);
}

/* Sums n per-CPU xf_count slots from key 0 into out[]. */
static int read_counts(struct env *e, int fd, __u32 n, struct xf_count *out)
{
	__u32 keys[RC_N], count = n, outb;
	int err;

	err = bpf_map_lookup_batch(fd, NULL, &outb, keys, e->buf, &count,
				   NULL);
	if (err && errno != ENOENT)
		return -errno;
	if (count != n)
		return -EIO;
	for (__u32 i = 0; i < n; i++) {
		out[i].packets = out[i].bytes = 0;
		for (int c = 0; c < e->ncpus; c++) {
			out[i].packets += e->buf[i * e->ncpus + c].packets;
			out[i].bytes += e->buf[i * e->ncpus + c].bytes;
		}
	}
	return 0;
}

static int baseline(struct env *e)
{
	int err = read_counts(e, e->o.m.fd[XF_M_STATS], XF_R_MAX, e->stats);

	if (!err)
		err = read_counts(e, e->o.m.fd[XF_M_RCOUNT], RC_N, e->rc);
	return err ? err : read_counts(e, e->o.m.fd[XF_M_RLIMITED], RC_N,
				       e->rl);
}

/* ------------------------------------------------------------ rule sets */

static void to_model(const struct xf_rule *r, __u32 id, struct xm_rule *x)
{
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->protos = (r->protos & XF_PM_TCP ? XM_TCP : 0) |
		    (r->protos & XF_PM_UDP ? XM_UDP : 0);
	x->dir = r->dir == XF_DIR_SRC ? XM_SRC : XM_DST;
	x->lo = r->port_lo;
	x->hi = r->port_hi;
	x->anyport = r->anyport;
	x->family = r->family;
	x->plen = r->prefixlen;
	memcpy(x->addr, r->addr, sizeof(x->addr));
	if (r->family == XF_FAMILY_SET) {	/* from @NAME */
		x->family = 0;
		x->plen = 0;
		memset(x->addr, 0, sizeof(x->addr));
		x->set = (uint8_t)(r->addr[0] + 1);
	}
	x->rate = r->limit_rate;
	x->burst = r->limit_burst;
	x->per_source = r->per_source;
	x->plen4 = r->plen4;
	x->plen6 = r->plen6;
}

static void add_hint_port(struct gen_hints *h, unsigned p)
{
	if (h->nports < (int)(sizeof(h->ports) / sizeof(h->ports[0])))
		h->ports[h->nports++] = (uint16_t)p;
}

/* The prefixes of the source sets the rules name, to aim sources at. */
static void set_hints(const struct env *e, struct rset *rs)
{
	struct gen_hints *h = &rs->hints;

	h->nspfx = 0;
	for (int k = 0; k < NSRC; k++)
		for (size_t i = 0; rs->loads[k] && i < e->xs[k].n &&
				   h->nspfx < GEN_SPFX; i++) {
			h->spfx[h->nspfx].family = e->xs[k].p[i].family;
			h->spfx[h->nspfx].plen = e->xs[k].p[i].len;
			memcpy(h->spfx[h->nspfx].addr, e->xs[k].p[i].addr, 16);
			h->nspfx++;
		}
}

static void make_hints(struct rset *rs)
{
	struct gen_hints *h = &rs->hints;
	int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < rs->n; i++) {
		const struct xf_rule *r = &rs->r[i];

		for (int k = 0; !r->anyport && k < (r->limit_rate ? 3 : 1);
		     k++) {		/* limit rules: their buckets hit more */
			add_hint_port(h, r->port_lo - 1u);
			add_hint_port(h, r->port_lo);
			add_hint_port(h, r->port_hi);
			add_hint_port(h, r->port_hi + 1u);
		}
		if (r->limit_rate && h->nlimits < GEN_LIMITS) {
			h->limit[h->nlimits].tcp = r->protos & XF_PM_TCP;
			h->limit[h->nlimits].udp = r->protos & XF_PM_UDP;
			h->limit[h->nlimits].src = r->dir == XF_DIR_SRC;
			h->limit[h->nlimits].lo = r->port_lo;
			h->limit[h->nlimits].hi = r->port_hi;
			h->limit[h->nlimits].family =
				r->family == XF_FAMILY_SET ? 0 : r->family;
			h->limit[h->nlimits].plen =
				r->family == XF_FAMILY_SET ? 0 : r->prefixlen;
			memcpy(h->limit[h->nlimits].addr, r->addr, 16);
			h->nlimits++;
		}
		if ((r->family == 4 || r->family == 6) && h->npfx < 64) {
			h->pfx[h->npfx].family = r->family;
			h->pfx[h->npfx].plen = r->prefixlen;
			memcpy(h->pfx[h->npfx].addr, r->addr, 16);
			h->npfx++;
		}
	}
	add_hint_port(h, rs->cfg.eph_lo - 1u);
	add_hint_port(h, rs->cfg.eph_lo);
	add_hint_port(h, rs->cfg.eph_hi);
	add_hint_port(h, rs->cfg.eph_hi + 1u);
}

/* Under the stateful policy, the frames are aimed at the flows too. */
static void flow_hints(const struct env *e, struct rset *rs)
{
	struct gen_hints *h = &rs->hints;

	h->nflows = 0;
	for (int i = 0; rs->cfg.stateful && i < XF_NFLOWS &&
			i < GEN_FLOWS; i++) {
		const struct xm_flow *x = &e->xfl[i];

		h->flow[i].family = x->family;
		h->flow[i].proto = x->proto;
		memcpy(h->flow[i].a, x->a, 16);
		memcpy(h->flow[i].b, x->b, 16);
		h->flow[i].pa = x->pa;
		h->flow[i].pb = x->pb;
		h->nflows++;
	}
}

/* The addresses random prefixes and sources start from: near the test
 * networks (198.18.0.0/15, 203.0.113.0/24, 2001:db8::/32, fd00::/8). */
static const uint8_t base4[][4] = {
	{ 198, 18, 5, 9 }, { 198, 19, 200, 1 }, { 203, 0, 113, 7 },
	{ 10, 1, 2, 3 },
};
static const uint8_t base6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xef, [15] = 1 },
	{ 0xfd, 0x00, [15] = 2 },
};

/* rulectl's overlap rule, so a random set is one rulectl accepts. */
static bool clash(const struct xf_rule *a, const struct xf_rule *b)
{
	if (a->family != b->family || a->prefixlen != b->prefixlen ||
	    memcmp(a->addr, b->addr, 16) || a->anyport != b->anyport)
		return false;
	return a->anyport || (a->dir == b->dir && (a->protos & b->protos) &&
			      a->port_lo <= b->port_hi &&
			      b->port_lo <= a->port_hi);
}

static void random_prefix(struct rng *r, struct xf_rule *d)
{
	static const uint8_t plen4[] = { 0, 1, 8, 12, 15, 16, 17, 23, 24, 25,
					 31, 32 };
	static const uint8_t plen6[] = { 0, 8, 16, 32, 33, 48, 56, 64, 96,
					 127, 128 };
	int max, b;

	memset(d->addr, 0, sizeof(d->addr));
	if (rng_below(r, 2)) {
		d->family = 4;
		max = 32;
		d->prefixlen = plen4[rng_below(r, sizeof(plen4))];
		if (rng_below(r, 5))
			memcpy(d->addr, base4[rng_below(r, 4)], 4);
		else
			for (b = 0; b < 4; b++)
				d->addr[b] = (uint8_t)rng_next(r);
	} else {
		d->family = 6;
		max = 128;
		d->prefixlen = plen6[rng_below(r, sizeof(plen6))];
		if (rng_below(r, 5))
			memcpy(d->addr, base6[rng_below(r, 3)], 16);
		else
			for (b = 0; b < 16; b++)
				d->addr[b] = (uint8_t)rng_next(r);
	}
	for (b = d->prefixlen; b < max; b++)		/* no host bits */
		d->addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

static void random_ports(struct rng *r, struct xf_rule *d)
{
	static const uint16_t near[] = { 1, 22, 53, 67, 80, 443, 547, 5353,
					 8080, 32768, 60999, 65535 };
	uint32_t x = rng_below(r, 10), w;

	d->port_lo = x < 4 ? near[rng_below(r, 12)] :
			     (uint16_t)(1 + rng_below(r, 65535));
	x = rng_below(r, 10);
	w = x < 6 ? 0 : x < 9 ? rng_below(r, 100) : rng_below(r, 3000);
	d->port_hi = (uint16_t)(d->port_lo + w > 65535 ? 65535 :
				d->port_lo + w);
	x = rng_below(r, 3);
	d->protos = x == 0 ? XF_PM_TCP : x == 1 ? XF_PM_UDP :
			     XF_PM_TCP | XF_PM_UDP;
	d->dir = rng_below(r, 10) < 3 ? XF_DIR_SRC : XF_DIR_DST;
}

static void random_set(struct rng *r, struct rset *rs)
{
	int want = (int)rng_below(r, 15), i, tries;
	struct xf_rule d;
	uint32_t x;

	memset(rs, 0, sizeof(*rs));
	for (tries = 0; rs->n < want && tries < 4 * want; tries++) {
		memset(&d, 0, sizeof(d));
		d.sets = 1;		/* "a rule", as xf_parse_rule() */
		x = rng_below(r, 10);
		if (x < 4) {
			random_ports(r, &d);
		} else if (x < 7) {
			random_ports(r, &d);
			random_prefix(r, &d);
		} else {
			random_prefix(r, &d);
			d.anyport = 1;
			d.protos = XF_PM_TCP | XF_PM_UDP;
			d.port_lo = 1;
			d.port_hi = 65535;
		}
		if (!rng_below(r, 4)) {		/* log [N/s] */
			static const __u32 rates[] = { 1, XF_LOG_RATE, 1000,
						       XF_LOG_RATE_MAX };

			d.log_rate = rates[rng_below(r, 4)];
		}
		for (i = 0; i < rs->n && !clash(&rs->r[i], &d); i++)
			;
		if (i == rs->n)
			rs->r[rs->n++] = d;
	}
	rs->cfg.allow = rng_below(r, 2);
	rs->cfg.nodhcp = rng_below(r, 4) == 0;
	x = rng_below(r, 5);
	if (x < 2) {
		rs->cfg.eph_lo = 32768;
		rs->cfg.eph_hi = 60999;
	} else if (x == 2) {
		rs->cfg.eph_lo = rs->cfg.eph_hi = 0;
	} else if (x == 3) {
		rs->cfg.eph_lo = (uint16_t)rng_next(r);
		rs->cfg.eph_hi = (uint16_t)(rs->cfg.eph_lo +
					    rng_below(r, 20000));
		if (rs->cfg.eph_hi < rs->cfg.eph_lo)
			rs->cfg.eph_hi = 65535;
	} else {
		rs->cfg.eph_lo = 1024;
		rs->cfg.eph_hi = 65535;
	}
	/* Half the allow sets are stateful, with no ephemeral range (0-0),
	 * as the store writes them; drawn last, so the rest of a set is
	 * what the seed drew before the stateful policy existed. */
	if (rs->cfg.allow && rng_below(r, 2)) {
		rs->cfg.stateful = 1;
		rs->cfg.eph_lo = rs->cfg.eph_hi = 0;
	}
}

/* Rate limits on some of a random set's port rules, drawn from a stream
 * of their own (so a seed's sets are otherwise what they were before
 * limits existed): rates and bursts at the ends of their ranges and
 * between, the rule's own bucket or one per source, grouped as rulectl
 * lets one write it (LEN for IPv6 only on a rule from an IPv6 prefix). */
static void random_limits(struct rng *r, struct rset *rs)
{
	static const __u32 rates[] = { 1, 3, 10, 1000, 1000000,
				       XF_LIMIT_RATE_MAX };
	static const __u32 bursts[] = { 1, 2, 5, 100, XF_LIMIT_BURST_MAX };
	static const __u8 plen4[] = { 32, 24, 16, 8, 1 };
	static const __u8 plen6[] = { 128, 64, 56, 48, 1 };
	struct xf_rule *d;
	uint32_t x;

	for (int i = 0; i < rs->n; i++) {
		d = &rs->r[i];
		if (d->anyport || rng_below(r, 2))
			continue;
		d->limit_rate = rates[rng_below(r, 6)];
		x = rng_below(r, 6);
		d->limit_burst = x < 5 ? bursts[x] : d->limit_rate;
		if (rng_below(r, 2))
			continue;
		d->per_source = 1;
		d->plen4 = 32;
		d->plen6 = XF_LSRC_PLEN6;
		x = rng_below(r, 2);
		if (x && d->family == 6)
			d->plen6 = plen6[rng_below(r, 5)];
		else if (x)
			d->plen4 = plen4[rng_below(r, 5)];
	}
}

/* A random source set: none to MAX_SPFX prefixes (an empty set one time
 * in ten), both families, of every length (/0 rarely), near the rules'
 * prefixes, inside each other's or anywhere; the host bits clear. */
static void random_srcset(struct rng *r, struct xm_prefix *p, size_t *n)
{
	size_t want = rng_below(r, 10) ? 1 + rng_below(r, MAX_SPFX) : 0;
	uint32_t x;
	int max, b;

	for (*n = 0; *n < want; (*n)++) {
		struct xm_prefix *d = &p[*n];

		memset(d, 0, sizeof(*d));
		d->family = rng_below(r, 2) ? 4 : 6;
		max = d->family == 4 ? 32 : 128;
		d->len = (uint8_t)(rng_below(r, 100) ? 1 + rng_below(r, max) :
					0);
		for (b = 0; b < 16; b++)
			d->addr[b] = (uint8_t)rng_next(r);
		x = rng_below(r, 10);
		if (x < 3 && *n && p[*n - 1].family == d->family)
			memcpy(d->addr, p[*n - 1].addr, 16); /* overlapping */
		else if (x < 8 && d->family == 4)
			memcpy(d->addr, base4[rng_below(r, 4)], 4);
		else if (x < 8)
			memcpy(d->addr, base6[rng_below(r, 3)], 16);
		if (d->family == 4)
			memset(d->addr + 4, 0, 12);
		for (b = d->len; b < max; b++)		/* no host bits */
			d->addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
}

/* Rules from the source sets in half the blocks, drawn from a stream of
 * their own (the rest of a seed's sets is what it drew before sets
 * existed): "any from @S" or port rules from @S, now and then with a
 * limit or a log, put among the drawn rules. */
static void random_set_rules(struct rng *r, struct rset *rs)
{
	static const __u32 rates[] = { 1, 10, 1000, XF_LIMIT_RATE_MAX };
	int want = rng_below(r, 2) ? 1 + (int)rng_below(r, 5) : 0, i, at;
	struct xf_rule d;

	for (int tries = 0; want && tries < 20 && rs->n < MAX_SET - 1;
	     tries++) {
		memset(&d, 0, sizeof(d));
		d.sets = 1;
		if (rng_below(r, 3)) {
			random_ports(r, &d);
		} else {
			d.anyport = 1;
			d.protos = XF_PM_TCP | XF_PM_UDP;
			d.port_lo = 1;
			d.port_hi = 65535;
		}
		d.family = XF_FAMILY_SET;
		d.addr[0] = (__u8)rng_below(r, NSRC);
		if (!d.anyport && !rng_below(r, 5)) {
			d.limit_rate = rates[rng_below(r, 4)];
			d.limit_burst = 1 + rng_below(r, 5);
		}
		if (!rng_below(r, 6))
			d.log_rate = XF_LOG_RATE;
		for (i = 0; i < rs->n && !clash(&rs->r[i], &d); i++)
			;
		if (i < rs->n)
			continue;
		at = (int)rng_below(r, (uint32_t)rs->n + 1);
		memmove(&rs->r[at + 1], &rs->r[at],
			(size_t)(rs->n - at) * sizeof(rs->r[0]));
		rs->r[at] = d;
		rs->n++;
		want--;
	}
}

/* Source set k loaded with new random prefixes (from r), through the
 * store (created when create), and noted for the model. */
static int load_srcset(struct env *e, struct rng *r, int k, bool create)
{
	struct xf_plist l = { 0 };
	int err;

	random_srcset(r, e->spfx[k], &e->xs[k].n);
	e->xs[k].p = e->spfx[k];
	l.v4 = calloc(MAX_SPFX, sizeof(*l.v4));
	l.v6 = calloc(MAX_SPFX, sizeof(*l.v6));
	l.cap4 = l.cap6 = l.v4 && l.v6 ? MAX_SPFX : 0;
	for (size_t i = 0; l.cap4 && i < e->xs[k].n; i++) {
		const struct xm_prefix *p = &e->spfx[k][i];

		if (p->family == 4) {
			l.v4[l.n4].addr = (__u32)p->addr[0] << 24 |
					  (__u32)p->addr[1] << 16 |
					  (__u32)p->addr[2] << 8 | p->addr[3];
			l.v4[l.n4++].len = p->len;
		} else {
			memcpy(l.v6[l.n6].addr, p->addr, 16);
			l.v6[l.n6++].len = p->len;
		}
	}
	err = l.cap4 ? xf_set_replace(&e->o.m, srcset_name(k), &l, create) :
		       -ENOMEM;
	xf_plist_free(&l);
	if (!err && create && xf_set_number(&e->o.m, srcset_name(k)) != k)
		err = -EEXIST;
	if (err)
		fprintf(stderr, PROG ": loading source set %s: %s\n",
			srcset_name(k), strerror(err < 0 ? -err : EINVAL));
	return err ? -1 : 0;
}

/* The source sets, numbers 0 .. NSRC - 1 in the new object, each with
 * random prefixes. Loading a set waits for a grace period, so the sets
 * are loaded once, then one of them again every SET_RELOAD blocks
 * (reload_srcsets()): a run of N frames sees NSRC + N / 2000 contents. */
static int make_srcsets(struct env *e, const struct opts *o)
{
	int err = xf_read_sets(&e->o.m);

	for (int k = 0; k < NSRC && !err; k++) {
		struct rng r = rng_for(o->seed, 7, (uint64_t)k);

		err = load_srcset(e, &r, k, true);
	}
	return err ? -1 : 0;
}

static int reload_srcsets(struct env *e, const struct opts *o, long block)
{
	struct rng r = rng_for(o->seed, 6, (uint64_t)block);

	if (!block || block % SET_RELOAD)
		return 0;
	return load_srcset(e, &r, (int)(block / SET_RELOAD % NSRC), false);
}

/* Which sets the rules of rs name. */
static void named_srcsets(struct rset *rs)
{
	memset(rs->loads, 0, sizeof(rs->loads));
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i].family == XF_FAMILY_SET)
			rs->loads[rs->r[i].addr[0]] = true;
}

/* With --tiers, each random block is fitted to one tier in turn, so every
 * tier gets frames: block % 5 == 0 keeps only what the dst tier serves
 * (destination-port rules and the deny policy), 1 what the ports tier
 * serves (source-port rules too, one at least), 2 what the set tier serves
 * (rules from source sets too; no prefix, log or limit rules in any of
 * these), 3 all but the stateful policy (the full tier), 4 all, the policy
 * made stateful allow (the state tier). The rules are dropped after they
 * were drawn: a seed draws the same. A block fitted to the set tier that
 * draws no set rule runs a lighter tier. */
static void fit_tier(struct rset *rs, long block)
{
	static const struct xf_rule src53 = {
		.sets = 1, .protos = XF_PM_UDP, .dir = XF_DIR_SRC,
		.port_lo = 5353, .port_hi = 5353,
	};
	static const __u32 tier_uses[XF_TIERS] = XF_TIER_USES;
	int n = 0, tier = (int)(block % XF_TIERS);
	bool src = false;

	if (tier == XF_TIER_FULL) {
		rs->cfg.stateful = 0;
		return;
	}
	if (tier == XF_TIER_STATE) {
		rs->cfg.allow = rs->cfg.stateful = 1;
		rs->cfg.eph_lo = rs->cfg.eph_hi = 0;
		return;
	}
	for (int i = 0; i < rs->n; i++) {
		const struct xf_rule *r = &rs->r[i];

		if (xf_rule_uses(r) & ~tier_uses[tier])
			continue;		/* the tier does not serve it */
		src |= r->dir == XF_DIR_SRC;
		rs->r[n++] = *r;
	}
	if (tier == XF_TIER_PORTS && !src)
		rs->r[n++] = src53;	/* clashes with no rule left */
	rs->n = n;
	rs->cfg.allow = rs->cfg.stateful = 0;
}

/* The structured set: gen_srules[] through rulectl's parser. */
static int structured_set(struct rset *rs)
{
	char buf[128], *argv[16], *save = NULL, *w;
	int i, argc;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; gen_srules[i]; i++) {
		snprintf(buf, sizeof(buf), "%s", gen_srules[i]);
		argc = 0;
		for (w = strtok_r(buf, " ", &save); w && argc < 16;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		if (xf_parse_rule(argc, argv, NULL, &rs->r[rs->n]))
			return -1;
		rs->n++;
	}
	rs->cfg.eph_lo = 32768;
	rs->cfg.eph_hi = 60999;
	return 0;
}

/* The policy of a rule set into xf_config.sets[set], as 'policy' writes
 * it (for the active set) and apply (for the one it builds). Where no state
 * tier is loaded the store refuses a stateful policy (rulectl then says to
 * use the stateless one); the set is then written stateless and the flag
 * injected, since every program must gate such a set as the stateless
 * policy would (the full tier runs it until the interfaces move to the
 * state tier). */
static int write_cfg(struct env *e, const struct xm_config *c, __u32 set)
{
	struct xf_set pol = {
		.flags = (c->allow ? XF_CFG_ALLOW : 0) |
			 (c->nodhcp ? XF_CFG_NO_DHCP : 0) |
			 (c->allow && c->stateful ? XF_CFG_STATEFUL : 0),
		.eph_lo = c->eph_lo,
		.eph_hi = c->eph_hi,
	};
	struct xf_config cfg;
	int err;

	if (xf_store_stamp(&e->o.m))
		return -1;
	if (!(pol.flags & XF_CFG_STATEFUL) ||
	    xf_tier_loaded(&e->o.m, XF_TIER_STATE, 0))
		return xf_store_policy(&e->o.m, set, &pol);
	pol.flags &= ~XF_CFG_STATEFUL;
	err = xf_store_policy(&e->o.m, set, &pol);
	if (!err)
		err = xf_read_config(&e->o.m, &cfg);
	if (!err) {
		cfg.sets[set].flags |= XF_CFG_STATEFUL;
		err = xf_write_config(&e->o.m, &cfg);
	}
	e->o.m.uses_known &= ~XF_SET_BIT(set);
	return err;
}

/* Adds the rules into rule set `set` the way rulectl does, and notes the
 * ids it gave (a rule the other set holds too keeps its id there). */
static int install(struct env *e, struct rset *rs, __u32 set)
{
	__u32 id;
	int i;

	for (i = 0; i < rs->n; i++) {
		if (xf_store_add(&e->o.m, set, &rs->r[i], &id)) {
			fprintf(stderr, PROG ": could not install rule %d\n", i);
			return -1;
		}
		if (id >= RC_N) {
			fprintf(stderr, PROG ": rule %d: no id below %d in rule"
				" set %u\n", i, RC_N, set);
			return -1;
		}
		rs->id[i] = id;
		rs->r[i] = e->o.m.rules[id];		/* with its prefix id */
		to_model(&rs->r[i], id, &rs->xm[i]);
	}
	make_hints(rs);
	set_hints(e, rs);
	flow_hints(e, rs);
	return write_cfg(e, &rs->cfg, set);
}

/* Takes them out of rule set `set` again the way rulectl does; the set's
 * prefix and source-rule counts must come back to 0 (rulectl's bookkeeping
 * is part of what the verdicts rely on). */
static int uninstall(struct env *e, struct rset *rs, __u32 set)
{
	struct xf_config cfg;
	struct xf_set *c = &cfg.sets[set];
	int i;

	for (i = rs->n - 1; i >= 0; i--)
		if (xf_store_remove(&e->o.m, set, &rs->id[i], 1))
			return -1;
	if (xf_read_config(&e->o.m, &cfg))
		return -1;
	if (c->nprefix4 || c->nprefix6 || c->nsrc || c->setmask) {
		fprintf(stderr, PROG ": after deleting every rule of rule set"
			" %u, xf_config still counts %u IPv4 and %u IPv6"
			" prefixes and %u source-port rules, source sets"
			" %#x\n", set, c->nprefix4, c->nprefix6, c->nsrc,
			c->setmask);
		return -1;
	}
	return 0;
}

/* What each rule set of the maps holds (NULL: nothing), and the one packets
 * use. */
struct sets {
	struct rset	*in[XF_SETS];
	__u32		active;
};

/* Makes rs the rules packets use, in rule set `set` (not the active one),
 * as apply does: whatever the set still held goes first, then rs is
 * written into it, then one write of xf_config switches packets to it. */
static int enter(struct env *e, struct sets *st, struct rset *rs, __u32 set)
{
	int err;

	if (st->in[set] && uninstall(e, st->in[set], set))
		return -1;
	st->in[set] = NULL;
	if (install(e, rs, set))
		return -1;
	st->in[set] = rs;
	if (xf_store_switch(&e->o.m, set, 0, 0) || xf_store_done(&e->o.m))
		return -1;
	st->active = set;
	err = bk_enter(&e->bk, rs->xm, (size_t)rs->n);
	if (err) {
		fprintf(stderr, PROG ": the per-source buckets of rule set %u:"
			" %s\n", set, strerror(-err));
		return -1;
	}
	return baseline(e);
}

/* -------------------------------------------------------------- checking */

struct result {
	long		frames, mismatches, shown;
	long		skipped;
	long		by_reason[XM_NREASONS];	/* the model's */
	long		by_rule;		/* a rule decided */
	long		by_set;			/* ... from a source set */
};

static const char *act_name(int a)
{
	return a == XDP_PASS ? "XDP_PASS" : a == XDP_DROP ? "XDP_DROP" :
	       a == XDP_ABORTED ? "XDP_ABORTED" : a == XDP_TX ? "XDP_TX" :
	       a == XDP_REDIRECT ? "XDP_REDIRECT" : "?";
}

static void print_prefix(const struct xm_prefix *p)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, buf,
		  sizeof(buf));
	printf(" %s/%u", buf, p->len);
}

static void print_set(const struct rset *rs, const struct sets *st)
{
	const struct rset *other = st->in[!st->active];
	char buf[128];
	int i;

	printf("  rule set %u (the other holds %d rules)\n", st->active,
	       other ? other->n : 0);
	printf("  config: policy %s%s, ephemeral %u-%u, dhcp %s\n",
	       rs->cfg.allow ? "allow" : "deny",
	       !rs->cfg.allow || !rs->cfg.stateful ? "" :
	       rs->cfg.ct ? " stateful (the state tier asks the host)" :
	       " stateful (no state tier: gated as stateless)",
	       rs->cfg.eph_lo, rs->cfg.eph_hi,
	       rs->cfg.nodhcp ? "cut" : "open");
	printf("  rules (%d):", rs->n);
	for (i = 0; i < rs->n; i++) {
		xf_format_rule(&rs->r[i], buf, sizeof(buf));
		printf("%s #%u %s", i ? ";" : "", rs->id[i], buf);
	}
	putchar('\n');
	for (int k = 0; k < NSRC; k++) {
		if (!rs->loads[k])
			continue;
		printf("  source set %s (number %d, %zu prefixes):",
		       srcset_name(k), k, rs->cfg.srcsets[k].n);
		for (size_t j = 0; j < rs->cfg.srcsets[k].n; j++)
			print_prefix(&rs->cfg.srcsets[k].p[j]);
		putchar('\n');
	}
	if (!rs->cfg.allow || !rs->cfg.stateful || !rs->cfg.ct)
		return;
	printf("  flows the host knows (client and server port, loopback):");
	for (i = 0; i < (int)rs->cfg.nflows; i++)
		printf("%s %s %u-%u", i ? "," : "",
		       rs->cfg.flows[i].proto == 6 ? "tcp" : "udp",
		       rs->cfg.flows[i].pa, rs->cfg.flows[i].pb);
	putchar('\n');
}

static void print_hex(const uint8_t *b, size_t len)
{
	printf("  frame %zu bytes:", len);
	for (size_t i = 0; i < len; i++)
		printf("%s%02x", i % 4 ? "" : " ", b[i]);
	putchar('\n');
}

static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* The tier the frame ran in, counted. */
static void count_tier(struct env *e)
{
	__u32 set;
	int tier;

	if (!e->tiers || strcmp(e->prog, XF_DEFAULT_PROG) ||
	    xf_tier_active(&e->o.m, &tier, &set))
		return;			/* the program named runs itself */
	if (tier < 0 || !e->o.m.slot_ids[XF_PROG_ACTIVE])
		tier = XF_TIERS;	/* xdp_filter's own full filter */
	e->in_tier[tier]++;
}

/* What a frame's run left: the action and the counters' sums. */
struct ran {
	__u32		retval;
	struct xf_count	st[XF_R_MAX], rc[RC_N], rl[RC_N];
};

static const struct xm_rule *rule_by_id(const struct rset *rs, __u32 id)
{
	for (int i = 0; i < rs->n; i++)
		if (rs->xm[i].id == id)
			return &rs->xm[i];
	return NULL;
}

/* The frame through the model and the program, the bucket it hits (if
 * any) set to the same drawn state for both first; run again (up to
 * three times) when the run took longer than the states' margin. 0 or
 * -1. */
static int run_both(struct env *e, const struct opts *o, struct rset *rs,
		    long idx, const struct frame *f, struct xm_verdict *want,
		    struct ran *got)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .repeat = 1);
	struct xm_bucket key;
	int hit = xm_bucket_of(f->b, f->len, rs->xm, rs->n, &rs->cfg, &key),
	    err = 0;
	const struct xm_rule *r = hit ? rule_by_id(rs, key.rule) : NULL;

	rs->cfg.limits = &e->lim;
	t.data_in = f->b;
	t.data_size_in = f->len;
	for (int tries = 0; !err; tries++) {
		struct rng br = rng_for(o->seed, 3, (uint64_t)idx);

		err = bk_prime(&e->bk, &br, hit, &key, r, &e->lim);
		if (err)
			break;
		xm_verdict(f->b, f->len, rs->xm, rs->n, &rs->cfg, want);
		if (bpf_prog_test_run_opts(e->o.prog_fd, &t)) {
			fprintf(stderr, PROG ": BPF_PROG_TEST_RUN (frame %ld,"
				" %zu bytes): %s\n", idx, f->len,
				strerror(errno));
			return -1;
		}
		if (!bk_slow(&e->bk) || tries == 2)
			break;
		e->bk.slow++;			/* again, from the start */
		err = bk_drain(&e->bk);
		if (!err)
			err = baseline(e);
	}
	got->retval = t.retval;
	if (!err)
		err = read_counts(e, e->o.m.fd[XF_M_STATS], XF_R_MAX, got->st);
	if (!err)
		err = read_counts(e, e->o.m.fd[XF_M_RCOUNT], RC_N, got->rc);
	if (!err)
		err = read_counts(e, e->o.m.fd[XF_M_RLIMITED], RC_N, got->rl);
	if (err) {
		fprintf(stderr, PROG ": frame %ld: reading counters and"
			" buckets: %s\n", idx, strerror(-err));
		return -1;
	}
	return 0;
}

/* The reason counters moved as the model says, one counter a packet (a
 * rule's drop moves no reason); what moved goes into got. */
static bool reasons_differ(struct env *e, const struct ran *r,
			   const struct xm_verdict *want, size_t len,
			   char *got, size_t size)
{
	int moved = 0;
	bool bad = false;
	__u64 dp, db;

	for (int i = 0; i < XF_R_MAX; i++) {
		dp = r->st[i].packets - e->stats[i].packets;
		db = r->st[i].bytes - e->stats[i].bytes;
		if (dp || db) {
			append(got, size, " %s", xm_reason_names[i]);
			if (dp != 1 || db != len)
				append(got, size, "(+%llu pkt +%llu B)",
				       (unsigned long long)dp,
				       (unsigned long long)db);
			moved++;
		}
		if (dp != (i == want->reason && i != XM_DROPPED) ||
		    db != (i == want->reason && i != XM_DROPPED ? len : 0))
			bad = true;
	}
	if (!moved)
		append(got, size, " (no reason)");
	return bad;
}

/* One rule counter (xf_rcount, or with rl xf_rlimited) moved as the
 * model says: the deciding rule's, or the limit rule's whose bucket was
 * empty, and no other (want 0: none). */
static bool rules_differ(const struct xf_count *now, const struct xf_count *was,
			 __u32 want, size_t len, bool rl, char *got,
			 size_t size)
{
	char ids[128] = "";
	bool bad = false;
	__u64 dp, db;

	for (int i = 0; i < RC_N; i++) {
		dp = now[i].packets - was[i].packets;
		db = now[i].bytes - was[i].bytes;
		if (dp || db)
			append(ids, sizeof(ids), " #%d", i);
		if (dp != ((__u32)i == want && i) ||
		    db != ((__u32)i == want && i ? len : 0))
			bad = true;
	}
	if (!rl)
		append(got, size, " rule%s", ids[0] ? ids : " none");
	else if (ids[0])
		append(got, size, " limited%s", ids);
	return bad;
}

static void print_mismatch(struct env *e, const struct opts *o,
			   const struct sets *sets, const struct rset *rs,
			   long idx, const char *origin, const struct frame *f,
			   const char *got, const char *want, bool bad)
{
	char bucket[256];

	printf("%s frame %ld (%s): program %s; model %s\n",
	       bad ? "MISMATCH" : "same", idx, origin, got, want);
	print_hex(f->b, f->len);
	print_set(rs, sets);
	if (e->bk.hit || e->bk.n) {
		bk_describe(&e->bk, bucket, sizeof(bucket));
		printf("  %s\n", bucket);
	}
	printf("  replay: " PROG " --obj %s%s%s%s --seed %llu --frame %ld\n",
	       e->obj_path, strcmp(e->prog, XF_DEFAULT_PROG) ? " --prog " : "",
	       strcmp(e->prog, XF_DEFAULT_PROG) ? e->prog : "",
	       e->tiers ? " --tiers" : "", (unsigned long long)o->seed, idx);
}

/* Runs one frame through both and compares; 0 same, 1 differs, -1 error. */
static int check(struct env *e, const struct opts *o, struct result *res,
		 const struct sets *sets, long idx, const char *origin,
		 const struct frame *f)
{
	struct rset *rs = sets->in[sets->active];
	char got[512] = "", diff[512] = "", buckets[512] = "";
	struct xm_verdict want;
	struct ran r;
	int want_act, err;
	bool bad, limited;

	if (f->len < 14) {		/* BPF_PROG_TEST_RUN refuses them */
		res->skipped++;
		return 0;
	}
	rs->cfg.ct = xf_obj_runs_state(&e->o, e->prog, e->tiers);
	rs->cfg.flows = e->xfl;
	rs->cfg.nflows = XF_NFLOWS;
	rs->cfg.srcsets = e->xs;
	if (run_both(e, o, rs, idx, f, &want, &r))
		return -1;
	err = bk_check(&e->bk, &want, buckets, sizeof(buckets));
	if (err) {
		fprintf(stderr, PROG ": frame %ld: the buckets: %s\n", idx,
			strerror(-err));
		return -1;
	}
	res->frames++;
	count_tier(e);
	res->by_reason[want.reason]++;
	res->by_rule += want.rule != 0;
	res->by_set += want.rule && rule_by_id(rs, want.rule) &&
		       rule_by_id(rs, want.rule)->set;
	want_act = want.pass ? XDP_PASS : XDP_DROP;
	limited = want.reason == XM_LIMITED;

	append(got, sizeof(got), "%s", act_name((int)r.retval));
	bad = (int)r.retval != want_act;
	bad |= reasons_differ(e, &r, &want, f->len, got, sizeof(got));
	bad |= rules_differ(r.rc, e->rc, limited ? 0 : want.rule, f->len,
			    false, got, sizeof(got));
	bad |= rules_differ(r.rl, e->rl, limited ? want.rule : 0, f->len,
			    true, got, sizeof(got));
	bad |= buckets[0] != '\0';
	if (buckets[0])
		append(got, sizeof(got), "; %s", buckets);
	memcpy(e->stats, r.st, sizeof(r.st));
	memcpy(e->rc, r.rc, sizeof(r.rc));
	memcpy(e->rl, r.rl, sizeof(r.rl));

	snprintf(diff, sizeof(diff), "%s %s rule %s%u", act_name(want_act),
		 xm_reason_names[want.reason], want.rule && !limited ? "#" : "",
		 limited ? 0 : want.rule);
	if (limited)
		append(diff, sizeof(diff), " limited #%u", want.rule);
	if (!bad && !o->verbose)
		return 0;
	if (bad)
		res->mismatches++;
	if (bad && res->shown++ >= o->show)
		return 1;
	print_mismatch(e, o, sets, rs, idx, origin, f, got, diff, bad);
	return bad;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [--obj PATH] [--prog NAME] [--tiers]"
		" [--frames N | --quick]\n"
		"       [--seed N] [--frame I] [--show N] [-v]\n"
		"Differential verdict conformance: structured and seeded random\n"
		"frames through an xdp_filter object (BPF_PROG_TEST_RUN) and\n"
		"through the reference model (tests/model/model.c); action,\n"
		"reason counter and rule counter must agree.\n"
		"  --obj PATH   object to load (default " DEFAULT_OBJ ")\n"
		"  --tiers      load the feature tiers' programs too, and fit\n"
		"               the random blocks to each tier in turn (dst,\n"
		"               ports, full, state): xdp_filter runs each tier\n"
		"  --prog NAME  its XDP program to run (default "
		XF_DEFAULT_PROG "; xf_state\n"
		"               asks the host about the flows the tool makes)\n"
		"  --frames N   frames to check (default %d; the structured\n"
		"               cases always run, random frames fill up to N)\n"
		"  --quick      --frames %d\n"
		"  --seed N     seed of the random part (default: from the clock,\n"
		"               printed)\n"
		"  --frame I    replay frame I of that seed only, and print it\n"
		"  --show N     print the first N mismatches in full (10)\n"
		"  -v           print every frame\n"
		"Exit: 0 no mismatch, 1 mismatches or setup failure, 2 usage.\n",
		FULL_FRAMES, QUICK_FRAMES);
}

static int parse_num(const char *opt, const char *s, unsigned long long max,
		     unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *v > max || *s == '-') {
		fprintf(stderr, PROG ": bad %s '%s'\n", opt, s);
		return -1;
	}
	return 0;
}

/* What the options say together: a replay of a random frame needs its
 * seed; without one, the clock gives it. */
static int check_args(int argc, char **argv, struct opts *o)
{
	struct timespec t;

	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (o->only >= 0 && !o->seeded &&
	    o->only >= (long)gen_structured_count()) {
		fprintf(stderr, PROG ": --frame needs the run's --seed\n");
		return 2;
	}
	if (!o->seeded) {
		clock_gettime(CLOCK_REALTIME, &t);
		o->seed = (uint64_t)t.tv_sec * 1000003u + t.tv_nsec % 1000003;
	}
	if (o->only >= 0)
		o->verbose = true;
	return 0;
}

/* -1: --help was printed; 0: go on; 2: bad usage (said). */
static int parse_args(int argc, char **argv, struct opts *o, struct env *e)
{
	static const struct option longopts[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "prog", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "frame", required_argument, NULL, 'f' },
		{ "quick", no_argument, NULL, 'q' },
		{ "tiers", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "show", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	unsigned long long v;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			e->obj_path = optarg;
			break;
		case 'p':
			if (!*optarg) {
				fprintf(stderr, PROG ": bad --prog ''\n");
				return 2;
			}
			e->prog = optarg;
			break;
		case 'n':
			if (parse_num("--frames", optarg, 100000000, &v))
				return 2;
			o->frames = (long)v;
			break;
		case 'q':
			o->frames = QUICK_FRAMES;
			break;
		case 't':
			e->tiers = true;
			break;
		case 's':
			if (parse_num("--seed", optarg, UINT64_MAX, &v))
				return 2;
			o->seed = v;
			o->seeded = true;
			break;
		case 'f':
			if (parse_num("--frame", optarg, 100000000, &v))
				return 2;
			o->only = (long)v;
			break;
		case 'S':
			if (parse_num("--show", optarg, 100000000, &v))
				return 2;
			o->show = (long)v;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			fprintf(stderr, PROG ": %s needs an argument\n",
				argv[optind - 1]);
			return 2;
		default:
			if (optopt)
				fprintf(stderr, PROG ": unknown option -%c\n",
					optopt);
			else
				fprintf(stderr, PROG ": unknown option %s\n",
					argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	return check_args(argc, argv, o);
}

/* What a run carries from frame to frame. */
struct run {
	struct sets	st;
	struct rset	srs;		/* the structured set, in set 1 */
	struct rset	rrs[XF_SETS];	/* the random blocks' sets */
	long		structured, total;
	long		cur_block;	/* -2: the structured set */
	int		cur_cfg;	/* the structured set's policy */
	struct result	res;
};

/* Structured frame i, against the structured set: 0 same, 1 differs,
 * -1 error. */
static int structured_frame(struct env *e, const struct opts *o,
			    struct run *rn, long i)
{
	char origin[160] = "structured";
	struct gen_spec s;
	struct frame f;
	int iplen, cfg;
	size_t cut;

	gen_structured((size_t)i, &s, &cut, &iplen, &cfg);
	if (cfg != rn->cur_cfg) {
		rn->srs.cfg.allow = cfg;
		if (write_cfg(e, &rn->srs.cfg, rn->st.active))
			return -1;
		rn->cur_cfg = cfg;
	}
	gen_build(&s, &f);
	if (cut && cut < f.len) {
		f.len = cut;
		snprintf(origin, sizeof(origin),
			 "structured, cut to %zu bytes", cut);
	}
	if (iplen >= 0) {
		fr_set_iplen(&f, (unsigned)iplen);
		snprintf(origin, sizeof(origin),
			 "structured, IP length field %d", iplen);
	}
	return check(e, o, &rn->res, &rn->st, i, origin, &f);
}

/* Random block `block`'s rule set, made in set block & 1: what the set
 * holds goes before the new rule set is made in its place. */
static int enter_block(struct env *e, const struct opts *o, struct run *rn,
		       long block)
{
	struct rng rr = rng_for(o->seed, 1, block);
	struct rng lr = rng_for(o->seed, 4, block);
	struct rng sr = rng_for(o->seed, 5, block);
	__u32 set = block & 1;

	if (rn->st.in[set] && uninstall(e, rn->st.in[set], set))
		return -1;
	rn->st.in[set] = NULL;
	random_set(&rr, &rn->rrs[set]);
	random_limits(&lr, &rn->rrs[set]);
	random_set_rules(&sr, &rn->rrs[set]);
	if (e->tiers)
		fit_tier(&rn->rrs[set], block);
	named_srcsets(&rn->rrs[set]);
	if (reload_srcsets(e, o, block) ||
	    enter(e, &rn->st, &rn->rrs[set], set))
		return -1;
	rn->cur_block = block;
	return 0;
}

/* Random frame i of block `block`: 0 same, 1 differs, -1 error. */
static int random_frame(struct env *e, const struct opts *o, struct run *rn,
			long i, long block)
{
	struct rng fr = rng_for(o->seed, 2, i);
	char what[96] = "", origin[160];
	struct gen_spec s;
	struct frame f;

	gen_random(&fr, &rn->rrs[rn->st.active].hints, &s);
	gen_build(&s, &f);
	if (rng_below(&fr, 10) < (s.aimed ? 2u : 7u))	/* keep flows whole */
		gen_mutate(&fr, &f, what, sizeof(what));
	snprintf(origin, sizeof(origin), "random, block %ld in rule set %u%s%s",
		 block, rn->st.active, what[0] ? ", " : "", what);
	return check(e, o, &rn->res, &rn->st, i, origin, &f);
}

/* Every frame in turn. A replay (--frame) goes through the rule sets
 * before its frame too, checking none of their frames: the maps are then
 * as the full run had them, ids and prefix ids included. 0, or -1 when
 * the setup failed. */
static int run_frames(struct env *e, const struct opts *o, struct run *rn)
{
	long i, block, next;
	int r;

	if (structured_set(&rn->srs) || make_srcsets(e, o))
		return -1;
	for (i = 0; i < rn->total; i++) {
		if (i < rn->structured) {
			if (rn->cur_block != -2 &&
			    enter(e, &rn->st, &rn->srs, 1))
				return -1;
			rn->cur_block = -2;
			if (o->only >= 0 && i != o->only) {
				i = (o->only < rn->structured ? o->only :
						rn->structured) - 1;
				continue;
			}
			r = structured_frame(e, o, rn, i);
		} else {
			block = (i - rn->structured) / BLOCK;
			if (block != rn->cur_block &&
			    enter_block(e, o, rn, block))
				return -1;
			if (o->only >= 0 && i != o->only) {
				next = rn->structured + (block + 1) * BLOCK;
				i = (o->only < next ? o->only : next) - 1;
				continue;
			}
			r = random_frame(e, o, rn, i, block);
		}
		if (r < 0)
			return -1;
		if (o->only >= 0)
			break;
	}
	return 0;
}

static void print_summary(const struct env *e, const struct opts *o,
			  const struct result *res, const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (res->mismatches > o->show)
		printf("(%ld more mismatches not shown)\n",
		       res->mismatches - o->show);
	printf("seed %llu, %.2f s\n", (unsigned long long)o->seed,
	       (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
	printf("verdicts:");
	for (int i = 0; i < XM_NREASONS; i++)
		printf(" %s %ld", xm_reason_names[i], res->by_reason[i]);
	printf("; a rule decided %ld, a source set's %ld\n", res->by_rule,
	       res->by_set);
	if (e->tiers && !strcmp(e->prog, XF_DEFAULT_PROG))
		printf("tiers: dst %ld, ports %ld, sets %ld, full %ld, state %ld,"
		       " xdp_filter %ld\n",
		       e->in_tier[XF_TIER_DST], e->in_tier[XF_TIER_PORTS],
		       e->in_tier[XF_TIER_SETS], e->in_tier[XF_TIER_FULL],
		       e->in_tier[XF_TIER_STATE], e->in_tier[XF_TIERS]);
	printf("limit buckets hit: full %ld, past %ld, room %ld, empty %ld,"
	       " far %ld (%ld asking no token); slow runs retried %ld\n",
	       e->bk.by_kind[BK_FULL], e->bk.by_kind[BK_PAST],
	       e->bk.by_kind[BK_ROOM], e->bk.by_kind[BK_EMPTY],
	       e->bk.by_kind[BK_FAR], e->bk.no_token, e->bk.slow);
	printf("frames %ld, mismatches %ld\n", res->frames, res->mismatches);
	printf("%ld passed, %ld failed\n", res->frames - res->mismatches,
	       res->mismatches);
}

int main(int argc, char **argv)
{
	struct opts o = { .frames = FULL_FRAMES, .only = -1, .show = 10 };
	struct env e = { .obj_path = DEFAULT_OBJ, .prog = XF_DEFAULT_PROG };
	static struct run rn = { .cur_block = -1, .cur_cfg = -1 };
	int ret = parse_args(argc, argv, &o, &e);
	struct timespec t0;

	if (ret)
		return ret < 0 ? 0 : ret;
	rn.structured = (long)gen_structured_count();
	rn.total = o.frames > rn.structured ? o.frames : rn.structured;
	printf(PROG ": %s, seed %llu: %ld structured + %ld random frames\n",
	       e.obj_path, (unsigned long long)o.seed, rn.structured,
	       rn.total - rn.structured);
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (env_open(&e)) {
		env_close(&e);
		return 1;
	}
	if (run_frames(&e, &o, &rn)) {
		fprintf(stderr, PROG ": %s: setup failed (seed %llu)\n",
			e.obj_path, (unsigned long long)o.seed);
		env_close(&e);
		return 1;
	}
	print_summary(&e, &o, &rn.res, &t0);
	env_close(&e);
	return rn.res.mismatches ? 1 : 0;
}
