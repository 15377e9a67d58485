/* SPDX-License-Identifier: GPL-2.0 */
/* xf_store.h - the one writer of the rule layout of xdp_filter.h: rule ids
 * and records, port slots, prefix trie entries and prefix-port slots, a new
 * rule's counters and log bucket, each rule set's policy and counts, and the
 * switch between the two rule sets. Every change of the rules goes through
 * here: rulectl (add, del, flush, policy, apply, confirm, rollback), entry,
 * and the verdict and conformance tools, always under the editors' lock
 * (xf_lock()) and with m->rules read.
 *
 * Writes are ordered so that a packet never sees half a rule: a rule's
 * record first, then its slots, then its prefix entry; removal the other
 * way round. A set's counts (nprefix4, nprefix6, nsrc: the program skips a
 * lookup while its count is 0) are recomputed from the records after each
 * change. Functions return 0 or a negative errno after a message.
 */
#ifndef XF_STORE_H
#define XF_STORE_H

#include "xf_pins.h"

/* The id of rule r in rule set `set`, or 0. */
__u32 xf_store_find(const struct xf_maps *m, __u32 set, const struct xf_rule *r);
/* Adds r to rule set `set`, checked against the set's rules: 0 (also when
 * the set has r already: its counters stay), -EEXIST when r overlaps a rule
 * of the set (named in the message), -ENOSPC when a table is full. *id
 * (may be NULL) receives its id. */
int xf_store_add(struct xf_maps *m, __u32 set, const struct xf_rule *r,
		 __u32 *id);
/* Removes exactly r from rule set `set`: 0, or -ENOENT when it has none. */
int xf_store_del(struct xf_maps *m, __u32 set, const struct xf_rule *r);

/* Adds n rules that neither overlap each other nor the rules of the set
 * (the caller checked) in one batch. A rule that the other set holds keeps
 * its id and counters; the others get free ids and start from zero; a
 * prefix keeps its prefix id in both sets. ids (may be NULL) receives the
 * ids. On failure nothing of the batch stays. */
int xf_store_insert(struct xf_maps *m, __u32 set, const struct xf_rule *rules,
		    __u32 n, __u32 *ids);
/* Takes rules ids[0..n) out of rule set `set`; a record that no set holds
 * any more is freed. */
int xf_store_remove(struct xf_maps *m, __u32 set, const __u32 *ids, __u32 n);
/* Takes every rule out of rule set `set`; with reset, its policy too. */
int xf_store_clear(struct xf_maps *m, __u32 set, bool reset);

/* The policy of rule set `set` (flags and ephemeral range of policy; the
 * set's counts stay). */
int xf_store_policy(struct xf_maps *m, __u32 set, const struct xf_set *policy);
/* Connection tracking in this network namespace on when the set packets
 * use has the stateful allow policy (and the state tier is loaded), off
 * otherwise (xf_ct.h): after an attach, and after a policy is set, so a
 * table deleted by someone else comes back. */
int xf_store_tracking(struct xf_maps *m);
/* Makes rule set `to` the one packets use, with one write of xf_config
 * (serial + 1), recording a pending apply --confirm's deadline and timer
 * (0, 0: none). */
int xf_store_switch(struct xf_maps *m, __u32 to, __u64 confirm_by,
		    __u32 confirm_pid);
/* Ends a pending confirmation, keeping the active set. */
int xf_store_confirmed(struct xf_maps *m);
/* Stamps XF_ABI_VERSION into the pins (after an attach), keeping the rule
 * sets and the policy: re-attaching never flips them. */
int xf_store_stamp(struct xf_maps *m);
/* Writes xf_config whole: for the store's own functions only. */
int xf_write_config(struct xf_maps *m, const struct xf_config *cfg);
/* After the edits of a lock: the lightest tier for the active set, if a
 * heavier one was kept during them (the edits switch to a heavier tier at
 * once, when they need it, and to a lighter one only here). */
int xf_store_done(struct xf_maps *m);
/* Returns once no XDP run that started before the call is still running
 * (so a set no packet uses any more can be cleared). */
int xf_store_wait_readers(void);

#endif /* XF_STORE_H */
