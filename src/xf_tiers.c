// SPDX-License-Identifier: GPL-2.0
/* xf_tiers.c - the feature tiers: the program packets run; see xf_tiers.h.
 * The only file of the store that needs libbpf's object loader.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xf_ct.h"
#include "xf_links.h"
#include "xf_rule.h"
#include "xf_store.h"
#include "xf_tiers.h"

static const __u32 tier_uses[XF_TIERS] = XF_TIER_USES;
static const char *const tier_names[XF_TIERS] = XF_TIER_NAMES;
static const char *const prog_names[2][XF_TIERS][XF_SETS] = {
	XF_PROG_NAMES, XF_PROG_NAMES_SB
};

__u32 xf_policy_uses(const struct xf_set *policy)
{
	if (!(policy->flags & XF_CFG_ALLOW))
		return 0;
	return XF_USES_ALLOW |
	       (policy->flags & XF_CFG_STATEFUL ? XF_USES_STATE : 0);
}

__u32 xf_rule_uses(const struct xf_rule *r)
{
	__u32 uses = (r->log_rate ? XF_USES_LOG : 0) |
		     (r->limit_rate ? XF_USES_LIMIT : 0);

	if (r->family == XF_FAMILY_SET)
		uses |= XF_USES_SET;
	else if (r->family)
		uses |= XF_USES_PREFIX;
	else if (!r->anyport && r->dir == XF_DIR_SRC)
		uses |= XF_USES_SRC;
	return uses;
}

__u32 xf_set_uses(const struct xf_maps *m, __u32 set,
		  const struct xf_set *policy)
{
	struct xf_config cfg;
	__u32 uses = 0;

	if (!policy && !xf_read_config(m, &cfg))
		policy = &cfg.sets[set];
	if (policy)
		uses |= xf_policy_uses(policy);
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, set))
			uses |= xf_rule_uses(&m->rules[id]);
	return uses;
}

int xf_tier_for(__u32 uses)
{
	for (int t = 0; t < XF_TIERS; t++)
		if (!(uses & ~tier_uses[t]))
			return t;
	return XF_TIER_FULL;
}

const char *xf_tier_name(int tier)
{
	return tier >= 0 && tier < XF_TIERS ? tier_names[tier] : "unknown";
}

void xf_uses_text(__u32 uses, char *buf, size_t len)
{
	static const char *const what[] = {
		"source-port rules", "prefix rules", "rules with log",
		"the allow policy", "its conntrack lookups (stateful)",
		"rules with limit", "rules from a source set",
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		if (uses & (1U << i) && n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
				      what[i]);
	if (!uses)
		snprintf(buf, len, "destination-port rules only");
}

/* The program ids in the slots of array map (fd), in ids. */
static int read_slots(int fd, __u32 *ids)
{
	for (__u32 slot = 0; slot < XF_PROG_SLOTS; slot++) {
		ids[slot] = 0;
		if (bpf_map_lookup_elem(fd, &slot, &ids[slot]) &&
		    errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* The program ids in both arrays' slots, in m->slot_ids and
 * m->slot_ids_sb, read once a lock. */
static int know_slots(struct xf_maps *m)
{
	int err;

	if (m->slots_known)
		return 0;
	err = read_slots(m->fd[XF_M_PROGS], m->slot_ids);
	if (!err)
		err = read_slots(m->fd[XF_M_PROGS_SB], m->slot_ids_sb);
	m->slots_known = !err;
	return err;
}

/* The program of tier for `set` that slot 0 of the array whose slots are
 * ids would hold: 0 for the full tier when xf_full is not loaded there
 * (the dispatcher is the full filter itself); a lighter tier needs the
 * full tier's program loaded too (it hands it the frames it does not
 * parse), and is 0 otherwise. */
static __u32 tier_prog(const __u32 *ids, int tier, __u32 set)
{
	if (tier != XF_TIER_FULL && !ids[XF_PROG_FULL_SLOT])
		return 0;
	return ids[xf_prog_slot(tier, set)];
}

int xf_tier_active(struct xf_maps *m, int *tier, __u32 *set)
{
	__u32 active;
	int err = know_slots(m);

	*tier = XF_TIER_FULL;
	*set = 0;
	active = m->slot_ids[XF_PROG_ACTIVE];
	if (err || !active)
		return err;
	*tier = -1;
	for (int t = 0; t < XF_TIERS; t++)
		for (__u32 s = 0; s < XF_SETS; s++)
			if (m->slot_ids[xf_prog_slot(t, s)] == active) {
				*tier = t;
				*set = t >= XF_TIER_FULL ? 0 : s;
			}
	return 0;
}

bool xf_tier_loaded(struct xf_maps *m, int tier, __u32 set)
{
	return tier == XF_TIER_FULL ||
	       (!know_slots(m) && tier_prog(m->slot_ids, tier, set));
}

/* Puts program id into slot 0 of the array map fd, or empties it (0). */
static int put_active(int fd, __u32 id)
{
	__u32 key = XF_PROG_ACTIVE;
	int prog, err = 0;

	if (!id)
		return bpf_map_delete_elem(fd, &key) && errno != ENOENT ?
		       -errno : 0;
	prog = bpf_prog_get_fd_by_id(id);
	if (prog < 0 || bpf_map_update_elem(fd, &key, &prog, BPF_ANY))
		err = -errno;
	if (prog >= 0)
		close(prog);
	return err;
}

/* Is tier's program for `set` the active one in both arrays? */
static bool is_active(const struct xf_maps *m, int tier, __u32 set)
{
	return m->slot_ids[XF_PROG_ACTIVE] ==
	       tier_prog(m->slot_ids, tier, set) &&
	       m->slot_ids_sb[XF_PROG_ACTIVE] ==
	       tier_prog(m->slot_ids_sb, tier, set);
}

int xf_tier_running(struct xf_maps *m, bool sb, __u32 *id)
{
	const __u32 *ids = sb ? m->slot_ids_sb : m->slot_ids;
	int err = know_slots(m);

	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_PROGS,
			       strerror(-err));
	*id = ids[XF_PROG_ACTIVE] ? ids[XF_PROG_ACTIVE] :
	      ids[XF_PROG_FULL_SLOT];
	if (!*id)
		return xf_diag(-ENOENT, NULL, "the tier programs are not"
			       " loaded (rulectl init OBJ)");
	return 0;
}

/* Makes tier's program for `set` active in both arrays (native and generic
 * dispatchers switch together, each in one write), then moves every
 * interface's link to it (the full tier's program when the slot is
 * emptied). For the pinned maps, connection tracking is on before the
 * state tier runs, and off once it no longer does. */
static int set_active(struct xf_maps *m, int tier, __u32 set)
{
	__u32 id = tier_prog(m->slot_ids, tier, set);
	__u32 id_sb = tier_prog(m->slot_ids_sb, tier, set);
	__u32 state = m->slot_ids[xf_prog_slot(XF_TIER_STATE, 0)];
	bool was_state = state && m->slot_ids[XF_PROG_ACTIVE] == state;
	int err = 0;

	if (m->pinned && id && id == state)
		err = xf_ct_tracking(true);
	if (!err)
		err = put_active(m->fd[XF_M_PROGS], id);

	if (!err)
		m->slot_ids[XF_PROG_ACTIVE] = id;
	if (!err)
		err = put_active(m->fd[XF_M_PROGS_SB], id_sb);
	if (!err)
		m->slot_ids_sb[XF_PROG_ACTIVE] = id_sb;
	if (!err && m->pinned)
		err = xf_links_switch(id ? id : m->slot_ids[XF_PROG_FULL_SLOT],
				      id_sb ? id_sb :
				      m->slot_ids_sb[XF_PROG_FULL_SLOT]);
	if (!err && m->pinned && was_state && id != state)
		err = xf_ct_tracking(false);
	return err;
}

int xf_policy_check(struct xf_maps *m, const struct xf_set *policy)
{
	if (!(policy->flags & XF_CFG_ALLOW) ||
	    !(policy->flags & XF_CFG_STATEFUL) ||
	    xf_tier_loaded(m, XF_TIER_STATE, 0))
		return 0;
	return xf_diag(-EOPNOTSUPP, NULL, "the stateful allow policy needs"
		       " the kernel's connection tracking from XDP (Linux"
		       " 6.0+ with nf_conntrack), and the loaded tiers have"
		       " no state tier: use 'policy allow stateless', or load"
		       " nf_conntrack and attach again");
}

int xf_tier_activate(struct xf_maps *m, int tier, __u32 set)
{
	int err = know_slots(m);

	if (!err && !tier_prog(m->slot_ids, tier, set))
		tier = XF_TIER_FULL;	/* not loaded: the full filter */
	if (!err)
		err = set_active(m, tier, set);
	if (err)
		return xf_diag(err, NULL, "switching to the %s tier: %s",
			       xf_tier_name(tier), strerror(-err));
	return 0;
}

int xf_tier_sync(struct xf_maps *m, __u32 set, __u32 uses,
		 enum xf_tier_when when)
{
	__u32 cur_set;
	int cur, need, err;

	if (set != m->set)
		return 0;		/* not the set packets use */
	if (!(m->uses_known & XF_SET_BIT(set))) {
		m->uses[set] = xf_set_uses(m, set, NULL);
		m->uses_known |= XF_SET_BIT(set);
	}
	err = xf_tier_active(m, &cur, &cur_set);
	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_PROGS,
			       strerror(-err));
	need = xf_tier_for(m->uses[set] | uses);
	if (!tier_prog(m->slot_ids, need, set))
		need = XF_TIER_FULL;
	if (is_active(m, need, set)) {
		m->tier_heavy = false;
		return 0;
	}
	/* A heavier tier than needed serves the set too: lighter once the
	 * edits are done (xf_store_done()), not after each one. */
	if (when != XF_TIER_EXACT && cur > need &&
	    (cur >= XF_TIER_FULL || cur_set == set)) {
		m->tier_heavy = when == XF_TIER_AFTER;
		return 0;
	}
	return xf_tier_activate(m, need, set);
}

int xf_tiers_fill(struct xf_maps *m, struct bpf_object *obj, bool sb)
{
	int map = sb ? XF_M_PROGS_SB : XF_M_PROGS, err = 0;

	m->slots_known = false;
	for (int t = XF_TIERS - 1; t >= 0 && !err; t--) {	/* full first */
		for (__u32 s = 0; s < XF_SETS && !err; s++) {
			struct bpf_program *p = bpf_object__find_program_by_name(
				obj, prog_names[sb][t][s]);
			__u32 slot = xf_prog_slot(t, s);
			int fd = p ? bpf_program__fd(p) : -1;

			if (fd >= 0)
				err = bpf_map_update_elem(m->fd[map], &slot,
							  &fd, BPF_ANY);
			else
				err = bpf_map_delete_elem(m->fd[map], &slot) &&
				      errno != ENOENT;
			err = err ? -errno : 0;
		}
	}
	if (err)
		return xf_diag(err, NULL, "filling %s: %s",
			       xf_map_specs[map].name, strerror(-err));
	return 0;
}

/* Only the tier programs are loaded (the dispatchers are ip(8)'s to load):
 * the multi-buffer ones for xf_progs and their single-buffer twins; the
 * state tier's only where its conntrack kfuncs are (ct). */
static void tiers_only(struct bpf_object *obj, bool ct)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		bool tier = false;

		for (int sb = 0; sb < 2; sb++)
			for (int t = 0; t < XF_TIERS; t++)
				for (__u32 s = 0; s < XF_SETS; s++)
					tier |= (ct || t != XF_TIER_STATE) &&
						!strcmp(bpf_program__name(p),
							prog_names[sb][t][s]);
		bpf_program__set_autoload(p, tier);
	}
}

static int quiet_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);	/* the verifier log, on failure */
}

int xf_tiers_load(const char *path, struct bpf_object **obj)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = xf_pin_dir);
	int err;

	libbpf_set_print(NULL);		/* a bad file: our one line says why */
	*obj = bpf_object__open_file(path, &opts);
	if (!*obj) {
		char why[128];

		libbpf_strerror(-errno, why, sizeof(why));
		return xf_diag(XF_EINPUT, NULL, "%s: %s", path, why);
	}
	libbpf_set_print(quiet_print);
	tiers_only(*obj, xf_ct_available());
	err = bpf_object__load(*obj);
	if (err) {
		bpf_object__close(*obj);
		*obj = NULL;
		return xf_diag(err, NULL, "loading the tiers of %s: %s", path,
			       strerror(-err));
	}
	return 0;
}
