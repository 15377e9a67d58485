/* SPDX-License-Identifier: GPL-2.0 */
/* xf_limits.h - the store's writes of rate limits (xdp_filter.h, "Rate
 * limits"): a new limit rule's xf_limit entry (its rate and burst as
 * times, a full bucket, the next generation of its id), and the
 * per-source table behind xf_lsrc, an LRU hash made with the first
 * per-source rule, before any slot points at it, and removed with the last
 * one of both rule sets; and what that table holds, for status. Only
 * xf_store.c writes through these.
 */
#ifndef XF_LIMITS_H
#define XF_LIMITS_H

#include <stdbool.h>
#include "xf_pins.h"

/* Does limit rule r's bucket run on the coarse clock: does its burst span
 * XF_LIMIT_COARSE_TICKS of the kernel's ticks? */
bool xf_limit_coarse(const struct xf_rule *r);
/* Rule r's xf_limit entry as the gen-th limit rule of its id: a full
 * bucket, its clock as xf_limit_coarse() says. */
void xf_limit_entry(const struct xf_rule *r, __u32 gen, struct xf_limit *l);
/* The xf_limit entries of rules ids[0..n) that have a limit (records in
 * m->rules): the id's generation moves on, its buckets start full. */
int xf_limits_fresh(struct xf_maps *m, const __u32 *ids, __u32 n);
/* Makes the per-source table if one of rules ids[0..n) is per-source and
 * xf_lsrc has none yet. */
int xf_lsrc_need(struct xf_maps *m, const __u32 *ids, __u32 n);
/* After rules left a set (gone[0..n): their records as they were): removes
 * the per-source table when one of them was per-source and no rule of
 * either set is any more. */
int xf_lsrc_release(struct xf_maps *m, const struct xf_rule *gone, __u32 n);

/* The per-source table, as status shows it. */
struct xf_lsrc_info {
	bool	exists;
	__u32	map_id;
	__u32	entries;	/* buckets in it now (sources x rules) */
	__u64	memory;		/* bytes the kernel charges for it */
};

int xf_lsrc_read(const struct xf_maps *m, struct xf_lsrc_info *info);

#endif /* XF_LIMITS_H */
