/* SPDX-License-Identifier: GPL-2.0 */
/* xf_tiers.h - the store's part that picks the program packets run: which
 * feature tier a rule set needs, which one xf_progs makes active, the
 * switch between them, and the tier programs of an object loaded into
 * xf_progs and xf_progs_sb (xdp_filter.h, "Feature tiers").
 */
#ifndef XF_TIERS_H
#define XF_TIERS_H

#include "xf_pins.h"

struct bpf_object;

/* What rule set `set` uses (XF_USES_*), with the policy given (NULL: the
 * set's own, from xf_config). */
__u32 xf_set_uses(const struct xf_maps *m, __u32 set,
		  const struct xf_set *policy);
/* What a set's policy uses (XF_USES_ALLOW, XF_USES_STATE). */
__u32 xf_policy_uses(const struct xf_set *policy);
/* The same for one rule. */
__u32 xf_rule_uses(const struct xf_rule *r);
/* The lightest tier that serves uses. */
int xf_tier_for(__u32 uses);
const char *xf_tier_name(int tier);
/* Why a set with these uses needs its tier, in words. */
void xf_uses_text(__u32 uses, char *buf, size_t len);

/* The tier and rule set of the program in the active slot: XF_TIER_FULL
 * when it is empty, -1 (and *set unknown) for a program not in the tier
 * slots. 0 or -errno. */
int xf_tier_active(struct xf_maps *m, int *tier, __u32 *set);
/* The program id an interface's link runs, of the single-buffer array when
 * sb: the active slot's, or the full tier's when it is empty. 0 or -errno
 * after a message (-ENOENT: no tier program is loaded). */
int xf_tier_running(struct xf_maps *m, bool sb, __u32 *id);
/* Is tier's program for `set` loaded (always, for the full tier)? */
bool xf_tier_loaded(struct xf_maps *m, int tier, __u32 set);
/* Can the tiers loaded serve policy (a stateful allow policy needs the
 * state tier)? 0, or -EOPNOTSUPP after a message naming the stateless one. */
int xf_policy_check(struct xf_maps *m, const struct xf_set *policy);
/* Makes tier's program for `set` the active one (the full tier, or a tier
 * whose program is not loaded: the slot is emptied, and xdp_filter runs the
 * full filter), in both arrays and on every pinned link (xf_links.h). 0 or
 * -errno after a message. */
int xf_tier_activate(struct xf_maps *m, int tier, __u32 set);
/* Makes a tier that serves rule set `set` active, if `set` is the one
 * packets use, counting uses (of a change about to be written) in: the one
 * it needs, unless a heavier one that serves it runs already (then
 * m->tier_heavy notes, after the change, that a lighter one would do). */
enum xf_tier_when {
	XF_TIER_BEFORE,		/* before a change that will use uses */
	XF_TIER_AFTER,		/* after a change */
	XF_TIER_EXACT,		/* the lightest one, now (xf_store_done()) */
};

int xf_tier_sync(struct xf_maps *m, __u32 set, __u32 uses,
		 enum xf_tier_when when);

/* The tier programs of an object (loaded, with the pins' maps) into their
 * slots of xf_progs, or of xf_progs_sb (sb: loaded single-buffer); a slot
 * whose program the object lacks is emptied. */
int xf_tiers_fill(struct xf_maps *m, struct bpf_object *obj, bool sb);
/* Opens the object at path with the pinned maps and loads its tier
 * programs and their single-buffer twins (no lock needed: nothing runs
 * them yet): *obj, to fill both arrays' slots from and to
 * bpf_object__close() after. */
int xf_tiers_load(const char *path, struct bpf_object **obj);

#endif /* XF_TIERS_H */
