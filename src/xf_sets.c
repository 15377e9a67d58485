// SPDX-License-Identifier: GPL-2.0
/* xf_sets.c - the store's half for the settings of the rule sets in
 * xf_config: each set's policy, the switch between the sets with a pending
 * confirmation, the ABI stamp, and the wait for packets in flight before a
 * set no packet uses is cleared. See xf_store.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_ct.h"
#include "xf_store.h"
#include "xf_tiers.h"

int xf_write_config(struct xf_maps *m, const struct xf_config *cfg)
{
	__u32 zero = 0;

	if (!bpf_map_update_elem(m->fd[XF_M_CONFIG], &zero, cfg, BPF_ANY))
		return 0;
	return xf_diag(-errno, NULL, "write %s: %s", XF_MAP_CONFIG,
		       strerror(errno));
}

int xf_store_policy(struct xf_maps *m, __u32 set, const struct xf_set *policy)
{
	__u32 uses = xf_policy_uses(policy);
	struct xf_config cfg;
	int err = xf_policy_check(m, policy);

	if (!err)
		err = xf_tier_sync(m, set, uses, XF_TIER_BEFORE);

	if (!err)
		err = xf_read_config(m, &cfg);
	if (err)
		return err;
	cfg.sets[set].flags = policy->flags;
	cfg.sets[set].eph_lo = policy->eph_lo;
	cfg.sets[set].eph_hi = policy->eph_hi;
	err = xf_write_config(m, &cfg);
	m->uses_known &= ~XF_SET_BIT(set);	/* its ALLOW bit changed */
	if (!err)
		err = xf_tier_sync(m, set, 0, XF_TIER_AFTER);
	return err || set != m->set || !m->pinned ? err :
	       xf_store_tracking(m);
}

int xf_store_tracking(struct xf_maps *m)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);
	const struct xf_set *s = &cfg.sets[cfg.set & 1];

	if (err)
		return err;
	return xf_ct_tracking((xf_policy_uses(s) & XF_USES_STATE) &&
			      xf_tier_loaded(m, XF_TIER_STATE, 0));
}

int xf_store_switch(struct xf_maps *m, __u32 to, __u64 confirm_by,
		    __u32 confirm_pid)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	if (cfg.set != to)
		cfg.serial++;
	cfg.set = to;
	cfg.confirm_by = confirm_by;
	cfg.confirm_pid = confirm_pid;
	/* The full tier reads xf_config.set, a lighter one has its set built
	 * in: switching the set first and the tier second, each packet sees
	 * the old set or the new one, whichever tier it runs. */
	err = xf_write_config(m, &cfg);
	if (!err)
		m->set = to;
	return err ? err : xf_tier_sync(m, to, 0, XF_TIER_AFTER);
}

int xf_store_confirmed(struct xf_maps *m)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	return err ? err : xf_store_switch(m, cfg.set, 0, 0);
}

int xf_store_stamp(struct xf_maps *m)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	cfg.abi = XF_ABI_VERSION;
	return xf_write_config(m, &cfg);
}

/* Every XDP run is an RCU read-side section, and replacing an entry of a
 * map-in-map makes the kernel wait for a grace period (synchronize_rcu()),
 * so one such update of a scratch map is the wait. */
int xf_store_wait_readers(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int inner, outer = -1, err = 0;
	__u32 key = 0, val;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xf_sync_inner", 4, 4, 1,
			       NULL);
	if (inner < 0)
		err = -errno;
	opts.inner_map_fd = inner;
	if (!err && (outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS,
					    "xf_sync", 4, 4, 1, &opts)) < 0)
		err = -errno;
	val = inner;
	if (!err && bpf_map_update_elem(outer, &key, &val, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	if (inner >= 0)
		close(inner);
	if (err)
		return xf_diag(err, NULL, "waiting for packets in flight: %s",
			       strerror(-err));
	return 0;
}

int xf_store_done(struct xf_maps *m)
{
	if (!m->tier_heavy)
		return 0;
	m->tier_heavy = false;
	return xf_tier_sync(m, m->set, 0, XF_TIER_EXACT);
}
