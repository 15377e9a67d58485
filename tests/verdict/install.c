// SPDX-License-Identifier: GPL-2.0
/* install.c - a case's rules and policies into the maps, through the store
 * (src/xf_store.h), exactly as rulectl writes them: ids, records, port
 * slots, trie entries, prefix-port slots, counts, policies and the switch
 * between the two rule sets are the store's work, and the checks use the
 * ids it gave. What a case asks for that the store never writes is
 * injected here, and only here (a case's source sets are made through the
 * store too, before its rules, and stay until a case with other sets): a token bucket's state (xf_rlog),
 * prefix counts of 0 with prefixes in the tries (conf.uncounted), which
 * proves the program honours the counts, and a stateful policy where no
 * state tier is loaded (the store refuses it, as rulectl does; the
 * programs must gate it as the stateless policy, which is what runs such a
 * set until user space has moved the interfaces to the state tier).
 */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "../../src/xf_rule.h"
#include "../../src/xf_srcsets.h"
#include "../../src/xf_store.h"
#include "../../src/xf_tiers.h"
#include "verdict.h"

/* Ballast rules added before a case's rules and removed before its frame
 * runs: the case's rules get ids above ID_SHIFT while prefix ids start at
 * 1, so a program that mixes up rule ids and prefix ids fails. */
#define ID_SHIFT	8
#define BALLAST_PORT	30000

uint16_t rule_hi(const struct rule *r)
{
	return r->hi ? r->hi : r->lo;
}

/* A logged rule's rate 0 (a bucket that never fills) is primed after the
 * store wrote XF_LOG_RATE's. */
void case_rule(const struct rule *r, struct xf_rule *x)
{
	memset(x, 0, sizeof(*x));
	x->sets = 1;			/* "a rule", as xf_parse_rule() */
	x->dir = r->dir;
	x->family = r->family;
	x->prefixlen = r->plen;
	memcpy(x->addr, r->addr, sizeof(x->addr));
	if (r->from_set) {
		x->family = XF_FAMILY_SET;
		x->addr[0] = r->from_set - 1;	/* made in order: its number */
	}
	x->anyport = r->anyport;
	x->protos = r->anyport ? XF_PM_TCP | XF_PM_UDP : r->protos;
	x->port_lo = r->anyport ? 1 : r->lo;
	x->port_hi = r->anyport ? 65535 : rule_hi(r);
	x->log_rate = r->logged ? (r->rate ? r->rate : XF_LOG_RATE) : 0;
	x->limit_rate = r->limit;
	x->limit_burst = r->limit ? (r->burst ? r->burst : r->limit) : 0;
	x->per_source = r->per_source;
	if (r->per_source) {
		x->plen4 = r->plen4 ? r->plen4 : 32;
		x->plen6 = r->plen6 ? r->plen6 : XF_LSRC_PLEN6;
	}
}

static struct xf_set policy(const struct conf *c)
{
	struct xf_set s = {
		.flags = (c->allow ? XF_CFG_ALLOW : 0) |
			 (c->nodhcp ? XF_CFG_NO_DHCP : 0) |
			 (c->allow && c->stateful ? XF_CFG_STATEFUL : 0),
		.eph_lo = c->eph_lo,
		.eph_hi = c->eph_hi,
	};

	return s;
}

/* ID_SHIFT rules "PORT tcp" that overlap none of the case's rules. */
static void ballast(const struct tcase *c, struct xf_rule *b)
{
	struct xf_rule x;
	__u16 port = BALLAST_PORT;
	int n = 0, i;

	while (n < ID_SHIFT) {
		memset(&b[n], 0, sizeof(b[n]));
		b[n].sets = 1;
		b[n].protos = XF_PM_TCP;
		b[n].port_lo = b[n].port_hi = port++;
		for (i = 0; i < MAX_RULES && c->rules[i].on; i++) {
			case_rule(&c->rules[i], &x);
			if (xf_overlaps(&x, &b[n]))
				break;
		}
		if (i == MAX_RULES || !c->rules[i].on)
			n++;
	}
}

/* Adds n rules to rule set `set`, one by one as rulectl add does (from
 * the last with last_first), and notes their ids. */
static int add_rules(struct xf_maps *m, __u32 set, const struct rule *r,
		     int n, bool last_first, __u32 *ids)
{
	struct xf_rule x;
	int i, k, err, max = n;

	for (n = 0; n < max && r[n].on; n++)
		;
	for (k = 0; k < n; k++) {
		i = last_first ? n - 1 - k : k;
		case_rule(&r[i], &x);
		err = xf_store_add(m, set, &x, &ids[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The case's source sets, in order: set k gets number k. */
static int make_srcsets(struct xf_maps *m, const struct tcase *c)
{
	struct xf_plist l;
	int err = 0;

	for (int k = 0; k < MAX_SRCSETS && c->srcsets[k].name && !err; k++) {
		memset(&l, 0, sizeof(l));
		for (int i = 0; i < MAX_SPFX && c->srcsets[k].pfx[i] && !err;
		     i++)
			err = xf_plist_word(&l, c->srcsets[k].pfx[i], NULL);
		if (!err)
			err = xf_set_replace(m, c->srcsets[k].name, &l, true);
		if (!err && xf_set_number(m, c->srcsets[k].name) != k)
			err = -EEXIST;		/* a set left from before */
		xf_plist_free(&l);
	}
	return err;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_srcsets(const struct srcset *a, const struct srcset *b)
{
	for (int k = 0; k < MAX_SRCSETS; k++) {
		if (!same_text(a[k].name, b[k].name))
			return false;
		for (int i = 0; i < MAX_SPFX; i++)
			if (!same_text(a[k].pfx[i], b[k].pfx[i]))
				return false;
	}
	return true;
}

/* Deletes every source set (no rule names one any more). */
static int delete_srcsets(struct xf_maps *m)
{
	int err = xf_read_sets(m);

	for (int k = 0; k < XF_MAX_SETS && !err; k++)
		if (m->sdesc[k].name[0])
			err = xf_set_delete(m, m->sdesc[k].name);
	return err;
}

/* The case's source sets, when they differ from those in the maps (those
 * of the case before: building a set's bitmap whole for each of a run of
 * cases with the same sets would be most of their time). */
static int case_srcsets(struct xf_maps *m, const struct tcase *c)
{
	static struct srcset made[MAX_SRCSETS];
	static bool known;
	int err;

	if (known && same_srcsets(made, c->srcsets))
		return 0;
	known = false;
	err = delete_srcsets(m);
	if (!err)
		err = make_srcsets(m, c);
	if (!err) {
		memcpy(made, c->srcsets, sizeof(made));
		known = true;
	}
	return err;
}

/* The buckets a case primes: a rate the store would not write (a rate
 * without the log bit, a logged rule's rate 0), and rule 0's bucket full
 * at old_rate, as if its rate had been lowered. */
static int prime_buckets(struct xf_maps *m, const struct tcase *c,
			 const struct placed *p)
{
	struct xf_rlog b;
	struct xf_rule x;
	int i;

	for (i = 0; i < MAX_RULES && c->rules[i].on; i++) {
		case_rule(&c->rules[i], &x);
		if (x.log_rate == c->rules[i].rate && (i || !c->old_rate))
			continue;
		b = (struct xf_rlog){ .rate = c->rules[i].rate };
		if (!i)
			b.credit = c->old_rate * 1000000000ULL;
		if (bpf_map_update_elem(m->fd[XF_M_RLOG], &p->id[i], &b,
					BPF_ANY))
			return -errno;
	}
	return 0;
}

/* conf.uncounted: the set's prefixes stay in its tries, its counts say
 * there are none. */
static int uncount(struct xf_maps *m, __u32 set)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	cfg.sets[set].nprefix4 = 0;
	cfg.sets[set].nprefix6 = 0;
	return xf_write_config(m, &cfg);
}

/* The policy of rule set `set`, through the store; a stateful one the
 * store refuses (no state tier loaded) written stateless, its flag
 * injected after. */
static int store_policy(struct xf_maps *m, __u32 set,
			const struct xf_set *pol)
{
	struct xf_set s = *pol;
	struct xf_config cfg;
	int err;

	if (!(s.flags & XF_CFG_STATEFUL) || xf_tier_loaded(m, XF_TIER_STATE, 0))
		return xf_store_policy(m, set, &s);
	s.flags &= ~XF_CFG_STATEFUL;
	err = xf_store_policy(m, set, &s);
	if (!err)
		err = xf_read_config(m, &cfg);
	if (!err) {
		cfg.sets[set].flags |= XF_CFG_STATEFUL;
		err = xf_write_config(m, &cfg);
	}
	m->uses_known &= ~XF_SET_BIT(set);
	return err;
}

int case_install(struct xf_maps *m, const struct tcase *c, size_t nth,
		 struct placed *p)
{
	struct xf_set pol = policy(&c->cfg), opol = policy(&c->ocfg);
	struct xf_rule b[ID_SHIFT];
	__u32 bids[ID_SHIFT];
	int err;

	memset(p, 0, sizeof(*p));
	p->set = c->set ? c->set - 1 : (int)(nth & 1);
	p->active = c->active ? c->active - 1 : p->set;
	ballast(c, b);
	err = store_policy(m, p->set, &pol);
	if (!err)
		err = store_policy(m, !p->set, &opol);
	if (!err)
		err = xf_store_insert(m, p->set, b, ID_SHIFT, bids);
	if (!err)
		err = case_srcsets(m, c);
	if (!err)
		err = add_rules(m, p->set, c->rules, MAX_RULES, c->last_first,
				p->id);
	if (!err)
		err = add_rules(m, !p->set, c->orules, MAX_ORULES, false,
				p->oid);
	if (!err)
		err = xf_store_remove(m, p->set, bids, ID_SHIFT);
	if (!err)
		err = xf_store_switch(m, p->active, 0, 0);
	if (!err)
		err = prime_buckets(m, c, p);
	if (!err && c->cfg.uncounted)
		err = uncount(m, p->set);
	return err ? err : xf_store_done(m);	/* the lightest tier */
}

int case_clear(struct xf_maps *m)
{
	int err = xf_store_clear(m, 0, true), err1 = xf_store_clear(m, 1, true);

	return err ? err : err1;	/* the sets stay: case_srcsets() */
}
