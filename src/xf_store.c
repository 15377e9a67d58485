// SPDX-License-Identifier: GPL-2.0
/* xf_store.c - the one writer of the rule layout; see xf_store.h. The batch
 * functions (insert, remove) do the work; add, del and clear are their
 * callers for one rule or a whole set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_counts.h"
#include "xf_limits.h"
#include "xf_rule.h"
#include "xf_slots.h"
#include "xf_store.h"
#include "xf_tiers.h"

/* A rule of a batch, and what the records say about it and its prefix. */
struct ref {
	const struct xf_rule *r;
	__u32	idx;		/* its place in the caller's array */
	__u32	id;		/* its id: kept or new (0: not yet) */
	__u32	group;		/* the first ref with its prefix */
	__u32	prefix_id;	/* group: the prefix's id, 0: none yet */
	__u32	any;		/* group: the set's "any from" rule (path id) */
	bool	present;	/* the set has this rule already */
	bool	pfx_in_set;	/* group: the set has the prefix already */
	bool	fresh;		/* a new id: counters start from zero */
};

static int cmp_ref_rule(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = xf_cmp_rule(x->r, y->r);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The batch's refs sorted by rule, each with its prefix group marked. */
static struct ref *sort_refs(const struct xf_rule *rules, const __u32 *ids,
			     __u32 n)
{
	struct ref *refs = calloc(n ? n : 1, sizeof(*refs));

	if (!refs)
		return NULL;
	for (__u32 k = 0; k < n; k++)
		refs[k] = (struct ref){ .r = &rules[k], .idx = k,
					.id = ids ? ids[k] : 0 };
	qsort(refs, n, sizeof(*refs), cmp_ref_rule);
	for (__u32 k = 0; k < n; k++)
		refs[k].group = k && !xf_cmp_prefix(refs[k - 1].r, refs[k].r) ?
				refs[k - 1].group : k;
	return refs;
}

/* The ref with rule r (exact) or, with prefix_only, any ref with r's
 * prefix; NULL if none. */
static struct ref *find_ref(struct ref *refs, __u32 n, const struct xf_rule *r,
			    bool prefix_only)
{
	__u32 lo = 0, hi = n;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		int c = prefix_only ? xf_cmp_prefix(refs[mid].r, r) :
				      xf_cmp_rule(refs[mid].r, r);

		if (!c)
			return &refs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The "any" rule of source set `number` in `set`, as its xf_sref entry
 * (written before the counts) has it; 0: none, or no set named. */
static int set_any(const struct xf_maps *m, __u32 set, __u32 mask,
		   __u32 number, __u32 *any)
{
	__u32 ref = set * XF_MAX_SETS + number;
	struct xf_pfx val;

	*any = 0;
	if (!mask)
		return 0;
	if (bpf_map_lookup_elem(m->fd[XF_M_SREF], &ref, &val))
		return -errno;
	*any = val.any_id;
	return 0;
}

/* s's counts as want has them, written into cfg (which holds s) and the
 * map. setany names a rule of set setfirst, and a packet reads setmask,
 * setfirst and setany one by one, maybe across a write: so setany is
 * never written nonzero in the write that changes setmask or setfirst
 * (it goes to 0 first, and back after), and no packet pairs one set's
 * membership with another set's rule; 0 sends it to xf_sref. */
static int write_counts(struct xf_maps *m, struct xf_config *cfg,
			struct xf_set *s, const struct xf_set *want)
{
	bool moved = s->setmask != want->setmask ||
		     s->setfirst != want->setfirst;
	int err = 0;

	if (moved && s->setany) {
		s->setany = 0;
		err = xf_write_config(m, cfg);
	}
	if (err)
		return err;
	s->nprefix4 = want->nprefix4;
	s->nprefix6 = want->nprefix6;
	s->nsrc = want->nsrc;
	s->setmask = want->setmask;
	s->setfirst = want->setfirst;
	s->setany = moved ? 0 : want->setany;
	err = xf_write_config(m, cfg);
	if (err || !moved || !want->setany)
		return err;
	s->setany = want->setany;
	return xf_write_config(m, cfg);
}

/* A set's counts from its records: its prefixes per family (the program
 * skips a trie while its count is 0), its source-port rules without a
 * prefix (it skips that lookup while nsrc is 0) and the source sets its
 * rules name (setmask: none, no set is looked at; setfirst, the lowest,
 * and setany, its "any" rule); and what the set uses. */
static int sync_counts(struct xf_maps *m, __u32 set)
{
	unsigned char *seen = calloc(XF_MAX_RULES + 2, 1);
	__u32 n4 = 0, n6 = 0, nsrc = 0, uses = 0, mask = 0, first, any;
	struct xf_set want;
	struct xf_config cfg;
	struct xf_set *s = &cfg.sets[set];
	int err = seen ? xf_read_config(m, &cfg) : -ENOMEM;

	for (__u32 id = 1; !err && id < XF_MAX_RULES; id++) {
		const struct xf_rule *r = &m->rules[id];

		if (!xf_in_set(m, id, set))
			continue;
		uses |= xf_rule_uses(r);
		if (!r->family) {
			nsrc += r->dir == XF_DIR_SRC;
		} else if (r->family == XF_FAMILY_SET) {
			mask |= 1U << (r->addr[0] % XF_MAX_SETS);
		} else if (r->prefix_id <= XF_MAX_RULES + 1 &&
			   !seen[r->prefix_id]) {
			seen[r->prefix_id] = 1;
			*(r->family == 4 ? &n4 : &n6) += 1;
		}
	}
	free(seen);
	if (err)
		return err;
	m->uses[set] = uses | xf_policy_uses(s);
	m->uses_known |= XF_SET_BIT(set);
	first = mask ? (__u32)__builtin_ctz(mask) : 0;
	err = set_any(m, set, mask, first, &any);
	if (err)
		return err;
	if (s->nprefix4 == n4 && s->nprefix6 == n6 && s->nsrc == nsrc &&
	    s->setmask == mask && s->setfirst == first && s->setany == any)
		return 0;
	want = (struct xf_set){ .nprefix4 = n4, .nprefix6 = n6, .nsrc = nsrc,
				.setmask = mask, .setfirst = first,
				.setany = any };
	return write_counts(m, &cfg, s, &want);
}

/* The records of ids[0..n) as m->rules holds them, in one syscall; a
 * record in no set is zeroed first. */
static int write_records(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	struct xf_rule *vals = calloc(n ? n : 1, sizeof(*vals));
	__u32 count = n;
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < n; k++) {
		if (!m->rules[ids[k]].sets)
			memset(&m->rules[ids[k]], 0, sizeof(*vals));
		vals[k] = m->rules[ids[k]];
	}
	if (n && bpf_map_update_batch(m->fd[XF_M_RULES], ids, vals, &count,
				      NULL))
		err = -errno;
	free(vals);
	return err;
}

/* What the records say about a sorted batch: each rule's id in either set
 * (and whether `set` has it), each prefix group's prefix id, whether `set`
 * has the prefix and its "any from" rule there; and the prefix ids in use. */
static void scan_records(const struct xf_maps *m, __u32 set, struct ref *refs,
			 __u32 n, unsigned char *pfx_used)
{
	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		const struct xf_rule *r = &m->rules[id];
		bool in = xf_in_set(m, id, set);
		struct ref *hit;

		if (!r->sets)
			continue;
		if (r->family && r->prefix_id <= XF_MAX_RULES + 1)
			pfx_used[r->prefix_id] = 1;
		hit = find_ref(refs, n, r, false);
		if (hit) {
			hit->id = id;
			hit->present = in;
		}
		hit = r->family ? find_ref(refs, n, r, true) : NULL;
		if (!hit)
			continue;
		hit = &refs[hit->group];
		hit->prefix_id = r->prefix_id;
		hit->pfx_in_set |= in;
		if (in && r->anyport)
			hit->any = xf_path_id(r, id);
	}
}

/* Gives each new rule of the batch an id and its record in m->rules (with
 * the set's bit); rules the other set has keep theirs. -ENOSPC when the
 * table is full. */
static int assign_ids(struct xf_maps *m, __u32 set, struct ref *refs,
		      __u32 n, unsigned char *pfx_used)
{
	__u32 next = 1, next_pfx = 1;

	for (__u32 k = 0; k < n; k++) {
		struct ref *ref = &refs[k], *g = &refs[ref->group];
		struct xf_rule rec = *ref->r;

		if (k && !xf_cmp_rule(refs[k - 1].r, ref->r)) {
			ref->id = refs[k - 1].id;	/* said twice */
			ref->present = true;
			continue;
		}
		if (ref->present)
			continue;
		if (ref->id) {
			rec = m->rules[ref->id];	/* kept: same record */
		} else {
			while (next < XF_MAX_RULES && m->rules[next].sets)
				next++;
			if (next == XF_MAX_RULES)
				return -ENOSPC;
			ref->id = next;
			ref->fresh = true;
			rec.sets = 0;
		}
		if (rec.family && !g->prefix_id) {
			while (pfx_used[next_pfx])
				next_pfx++;
			g->prefix_id = next_pfx;
			pfx_used[next_pfx] = 1;
		}
		if (rec.family)
			rec.prefix_id = g->prefix_id;
		rec.sets |= XF_SET_BIT(set);
		m->rules[ref->id] = rec;
	}
	return 0;
}

/* The prefix entries of the batch's groups: a prefix new to the set, or
 * one that gets its "any from" rule now. */
static int write_groups(struct xf_maps *m, __u32 set, const struct ref *refs,
			__u32 n)
{
	int err = 0;

	for (__u32 k = 0; k < n && !err; k++) {
		const struct ref *g = &refs[k];
		__u32 any = g->any;
		bool any_now = false;

		if (g->group != k || !g->r->family)
			continue;
		for (__u32 j = k; j < n && refs[j].group == k; j++)
			if (refs[j].r->anyport && !refs[j].present) {
				any = xf_path_id(refs[j].r, refs[j].id);
				any_now = true;
			}
		if (!g->pfx_in_set || any_now)
			err = xf_write_prefix(m, set, &m->rules[g->id], any, false);
	}
	return err;
}

/* The ids of the batch that are new to the set (fresh: only those with a
 * new id), in ids; their count. */
static __u32 new_ids(const struct ref *refs, __u32 n, bool fresh, __u32 *ids)
{
	__u32 c = 0;

	for (__u32 k = 0; k < n; k++)
		if (!refs[k].present && (!fresh || refs[k].fresh))
			ids[c++] = refs[k].id;
	return c;
}

/* What the rules of the batch that are new to the set use. */
static __u32 batch_uses(const struct ref *refs, __u32 n)
{
	__u32 uses = 0;

	for (__u32 k = 0; k < n; k++)
		if (!refs[k].present)
			uses |= xf_rule_uses(refs[k].r);
	return uses;
}

static int insert_refs(struct xf_maps *m, __u32 set, struct ref *refs,
		       __u32 n, __u32 *added, __u32 *nadded)
{
	unsigned char *pfx_used = calloc(XF_MAX_RULES + 2, 1);
	__u32 *fresh = calloc(n ? n : 1, sizeof(*fresh)), nfresh;
	int err = pfx_used && fresh ? 0 : -ENOMEM;

	*nadded = 0;
	if (!err) {
		scan_records(m, set, refs, n, pfx_used);
		err = assign_ids(m, set, refs, n, pfx_used);
		*nadded = new_ids(refs, n, false, added);
	}
	nfresh = err ? 0 : new_ids(refs, n, true, fresh);
	if (!err)		/* a heavier tier first, if the batch needs it */
		err = xf_tier_sync(m, set, batch_uses(refs, n),
				   XF_TIER_BEFORE);
	if (!err)
		err = xf_counts_fresh(m, fresh, nfresh);
	if (!err)		/* before a slot points at a limit rule */
		err = xf_limits_fresh(m, fresh, nfresh);
	if (!err)
		err = xf_lsrc_need(m, added, *nadded);
	if (!err)
		err = write_records(m, added, *nadded);
	if (!err)
		err = xf_write_slots(m, set, added, *nadded, false);
	if (!err)
		err = write_groups(m, set, refs, n);
	if (!err && (batch_uses(refs, n) || !(m->uses_known & XF_SET_BIT(set))))
		err = sync_counts(m, set);	/* else none of them changes */
	if (!err)
		err = xf_tier_sync(m, set, 0, XF_TIER_AFTER);
	free(pfx_used);
	free(fresh);
	return err;
}

int xf_store_insert(struct xf_maps *m, __u32 set, const struct xf_rule *rules,
		    __u32 n, __u32 *ids)
{
	struct ref *refs = sort_refs(rules, NULL, n);
	__u32 *added = calloc(n ? n : 1, sizeof(*added)), nadded = 0;
	int err = refs && added ? 0 : -ENOMEM;

	if (!err)
		err = insert_refs(m, set, refs, n, added, &nadded);
	if (err) {
		/* Nothing of the batch stays: what was marked goes again. */
		for (__u32 k = 0; k < nadded; k++)
			if (!xf_in_set(m, added[k], set))
				added[k] = 0;
		xf_store_remove(m, set, added, nadded);
	}
	for (__u32 k = 0; !err && ids && k < n; k++)
		ids[refs[k].idx] = refs[k].id;
	free(refs);
	free(added);
	return err;
}

/* After rules left the set: the prefix entries of their groups go when no
 * rule of the set has the prefix any more, or lose their "any from" rule
 * when it left. refs: the removed rules, sorted. */
static int drop_groups(struct xf_maps *m, __u32 set, struct ref *refs, __u32 n)
{
	int err = 0;

	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		const struct xf_rule *r = &m->rules[id];
		struct ref *hit;

		if (!r->family || !xf_in_set(m, id, set))
			continue;
		hit = find_ref(refs, n, r, true);
		if (!hit)
			continue;
		hit = &refs[hit->group];
		hit->pfx_in_set = true;
		if (r->anyport)
			hit->any = xf_path_id(r, id);
	}
	for (__u32 k = 0; k < n && !err; k++) {
		const struct ref *g = &refs[k];
		bool any_gone = false;

		if (g->group != k || !g->r->family)
			continue;
		for (__u32 j = k; j < n && refs[j].group == k; j++)
			any_gone |= refs[j].r->anyport;
		if (!g->pfx_in_set || any_gone)
			err = xf_write_prefix(m, set, g->r, g->any, !g->pfx_in_set);
	}
	return err;
}

/* What the records recs[0..n) use. */
static __u32 uses_of(const struct xf_rule *recs, __u32 n)
{
	__u32 uses = 0;

	for (__u32 k = 0; k < n; k++)
		uses |= xf_rule_uses(&recs[k]);
	return uses;
}

/* The counts of the rules in ids[0..n) that no set holds any more. */
static int retire(struct xf_maps *m, __u32 *ids, __u32 n)
{
	__u32 freed = 0;

	for (__u32 k = 0; k < n; k++)
		if (!m->rules[ids[k]].sets)
			ids[freed++] = ids[k];
	return xf_counts_retire(m, ids, freed);
}

int xf_store_remove(struct xf_maps *m, __u32 set, const __u32 *ids, __u32 n)
{
	__u32 *gone = calloc(n ? n : 1, sizeof(*gone)), ngone = 0;
	struct xf_rule *recs = calloc(n ? n : 1, sizeof(*recs));
	struct ref *refs = NULL;
	int err = gone && recs ? 0 : -ENOMEM;

	for (__u32 k = 0; !err && k < n; k++)
		if (ids[k] && ids[k] < XF_MAX_RULES && xf_in_set(m, ids[k], set))
			gone[ngone++] = ids[k];
	if (!err)
		err = xf_write_slots(m, set, gone, ngone, true);
	for (__u32 k = 0; !err && k < ngone; k++) {
		recs[k] = m->rules[gone[k]];
		m->rules[gone[k]].sets &= ~XF_SET_BIT(set);
	}
	if (!err && !(refs = sort_refs(recs, gone, ngone)))
		err = -ENOMEM;
	if (!err)
		err = drop_groups(m, set, refs, ngone);
	if (!err)
		err = write_records(m, gone, ngone);
	if (!err && (uses_of(recs, ngone) || !(m->uses_known & XF_SET_BIT(set))))
		err = sync_counts(m, set);	/* else none of them changes */
	if (!err)
		err = retire(m, gone, ngone);
	if (!err)
		err = xf_lsrc_release(m, recs, ngone);
	if (!err)		/* a lighter tier, if the set needs less now */
		err = xf_tier_sync(m, set, 0, XF_TIER_AFTER);
	free(gone);
	free(recs);
	free(refs);
	return err;
}

__u32 xf_store_find(const struct xf_maps *m, __u32 set, const struct xf_rule *r)
{
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, set) && xf_same_rule(&m->rules[id], r))
			return id;
	return 0;
}

int xf_store_add(struct xf_maps *m, __u32 set, const struct xf_rule *r,
		 __u32 *id)
{
	char name[XF_RULE_TEXT], other[XF_RULE_TEXT];
	__u32 clash = 0;
	int err;

	for (__u32 i = 1; i < XF_MAX_RULES; i++) {
		if (!xf_in_set(m, i, set))
			continue;
		if (xf_same_rule(&m->rules[i], r)) {
			if (id)
				*id = i;
			return 0;	/* re-adding keeps the old counters */
		}
		if (!clash && xf_overlaps(&m->rules[i], r))
			clash = i;
	}
	xf_format_rule(r, name, sizeof(name));
	if (clash) {
		xf_format_rule(&m->rules[clash], other, sizeof(other));
		return xf_diag(-EEXIST, NULL, "add %s: overlaps the rule '%s'"
			       " (delete it first, or add the rest as separate"
			       " ranges)", name, other);
	}
	err = xf_store_insert(m, set, r, 1, id);
	if (err == -ENOSPC)
		return xf_diag(err, NULL, "add %s: rule table full (%d rules)",
			       name, XF_MAX_RULES - 1);
	if (err)
		return xf_diag(err, NULL, "add %s: %s%s", name, strerror(-err),
			       err == -E2BIG || err == -ENOMEM ?
			       " (prefix or prefix-port table full)" : "");
	return 0;
}

int xf_store_del(struct xf_maps *m, __u32 set, const struct xf_rule *r)
{
	__u32 id = xf_store_find(m, set, r);
	char name[XF_RULE_TEXT];
	int err;

	xf_format_rule(r, name, sizeof(name));
	if (!id)
		return xf_diag(-ENOENT, NULL, "del %s: no such rule (see '%s"
			       " list')", name, xf_prog);
	err = xf_store_remove(m, set, &id, 1);
	if (err)
		return xf_diag(err, NULL, "del %s: %s", name, strerror(-err));
	return 0;
}

int xf_store_clear(struct xf_maps *m, __u32 set, bool reset)
{
	__u32 *ids = calloc(XF_MAX_RULES, sizeof(*ids)), n = 0;
	struct xf_set none = {};
	int err = ids ? 0 : -ENOMEM;

	for (__u32 id = 1; !err && id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, set))
			ids[n++] = id;
	if (!err)
		err = xf_store_remove(m, set, ids, n);
	free(ids);
	if (err)
		return xf_diag(err, NULL, "clearing rule set %u: %s", set,
			       strerror(-err));
	return reset ? xf_store_policy(m, set, &none) : 0;
}
