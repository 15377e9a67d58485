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

#include "xf_rule.h"
#include "xf_store.h"
#include "xf_tiers.h"

static const __u32 tier_uses[XF_TIERS] = XF_TIER_USES;
static const char *const tier_names[XF_TIERS] = XF_TIER_NAMES;
static const char *const prog_names[XF_TIERS][XF_SETS] = XF_PROG_NAMES;

__u32 xf_rule_uses(const struct xf_rule *r)
{
	__u32 uses = r->log_rate ? XF_USES_LOG : 0;

	if (r->family)
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
	if (policy && (policy->flags & XF_CFG_ALLOW))
		uses |= XF_USES_ALLOW;
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
		"the allow policy",
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

/* The prog id in slot, 0 if it is empty. */
static int slot_prog(const struct xf_maps *m, __u32 slot, __u32 *id)
{
	*id = 0;
	if (!bpf_map_lookup_elem(m->fd[XF_M_PROGS], &slot, id))
		return 0;
	return errno == ENOENT ? 0 : -errno;
}

int xf_tier_active(const struct xf_maps *m, int *tier, __u32 *set)
{
	__u32 active, id;
	int err = slot_prog(m, XF_PROG_ACTIVE, &active);

	*tier = XF_TIER_FULL;
	*set = 0;
	if (err || !active)
		return err;
	*tier = -1;
	for (int t = 0; t < XF_TIER_FULL; t++)
		for (__u32 s = 0; s < XF_SETS; s++)
			if (!slot_prog(m, xf_prog_slot(t, s), &id) &&
			    id == active) {
				*tier = t;
				*set = s;
			}
	return 0;
}

bool xf_tier_loaded(const struct xf_maps *m, int tier, __u32 set)
{
	__u32 id = 0;

	return tier == XF_TIER_FULL ||
	       (!slot_prog(m, xf_prog_slot(tier, set), &id) && id);
}

int xf_tier_activate(struct xf_maps *m, int tier, __u32 set)
{
	__u32 key = XF_PROG_ACTIVE, id = 0;
	int fd, err = 0;

	if (tier != XF_TIER_FULL)
		err = slot_prog(m, xf_prog_slot(tier, set), &id);
	if (!err && !id) {		/* the full filter serves it */
		if (bpf_map_delete_elem(m->fd[XF_M_PROGS], &key) &&
		    errno != ENOENT)
			err = -errno;
	} else if (!err) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0 ||
		    bpf_map_update_elem(m->fd[XF_M_PROGS], &key, &fd, BPF_ANY))
			err = -errno;
		if (fd >= 0)
			close(fd);
	}
	if (err)
		return xf_diag(err, NULL, "switching to the %s tier: %s",
			       xf_tier_name(tier), strerror(-err));
	return 0;
}

int xf_tier_sync(struct xf_maps *m, __u32 set, __u32 uses, bool before)
{
	struct xf_config cfg;
	__u32 cur_set;
	int cur, need, err = xf_read_config(m, &cfg);

	if (err || (cfg.set & 1) != set)
		return err;		/* not the set packets use */
	need = xf_tier_for(xf_set_uses(m, set, NULL) | uses);
	if (!xf_tier_loaded(m, need, set))
		need = XF_TIER_FULL;
	err = xf_tier_active(m, &cur, &cur_set);
	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_PROGS,
			       strerror(-err));
	if (cur == need && (need == XF_TIER_FULL || cur_set == set))
		return 0;
	if (before && cur >= 0 && need <= cur)
		return 0;		/* lighter: once the change is made */
	return xf_tier_activate(m, need, set);
}

int xf_tiers_fill(struct xf_maps *m, struct bpf_object *obj)
{
	int err = 0;

	for (int t = 0; t < XF_TIER_FULL && !err; t++) {
		for (__u32 s = 0; s < XF_SETS && !err; s++) {
			struct bpf_program *p = bpf_object__find_program_by_name(
				obj, prog_names[t][s]);
			__u32 slot = xf_prog_slot(t, s);
			int fd = p ? bpf_program__fd(p) : -1;

			if (fd >= 0)
				err = bpf_map_update_elem(m->fd[XF_M_PROGS],
							  &slot, &fd, BPF_ANY);
			else
				err = bpf_map_delete_elem(m->fd[XF_M_PROGS],
							  &slot) &&
				      errno != ENOENT;
			err = err ? -errno : 0;
		}
	}
	if (err)
		return xf_diag(err, NULL, "filling %s: %s", XF_MAP_PROGS,
			       strerror(-err));
	return 0;
}

/* Only the tier programs are loaded: xdp_filter is ip(8)'s to load. */
static void tiers_only(struct bpf_object *obj)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		bool tier = false;

		for (int t = 0; t < XF_TIER_FULL; t++)
			for (__u32 s = 0; s < XF_SETS; s++)
				tier |= !strcmp(bpf_program__name(p),
						prog_names[t][s]);
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

int xf_tiers_load(struct xf_maps *m, const char *path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = xf_pin_dir);
	struct bpf_object *obj;
	int err;

	libbpf_set_print(quiet_print);
	obj = bpf_object__open_file(path, &opts);
	if (!obj)
		return xf_diag(-errno, NULL, "%s: %s", path, strerror(errno));
	tiers_only(obj);
	err = bpf_object__load(obj);
	if (err)
		xf_diag(err, NULL, "loading the tiers of %s: %s", path,
			strerror(-err));
	else
		err = xf_tiers_fill(m, obj);
	bpf_object__close(obj);		/* xf_progs keeps them loaded */
	return err;
}
