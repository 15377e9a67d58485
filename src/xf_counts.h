/* SPDX-License-Identifier: GPL-2.0 */
/* xf_counts.h - the counters of the store's rules, and the totals by
 * verdict reason as users see them. Each packet moves one counter, its
 * rule's or its reason's, so "dropped" is derived (xdp_filter.h, struct
 * xf_count): a freed rule's counts are kept as retired in the
 * XF_R_DROPPED slot, which the program never moves.
 */
#ifndef XF_COUNTS_H
#define XF_COUNTS_H

#include "xf_pins.h"

/* Rules ids[0..n) start counting from zero, with their drop log bucket
 * and, for limit rules, their limited count; whatever their ids still
 * counted is retired first (xf_stats[XF_R_LIMITED] keeps the limited
 * ones). */
int xf_counts_fresh(struct xf_maps *m, const __u32 *ids, __u32 n);
/* Freed rules: their counts are retired, their counters zeroed. */
int xf_counts_retire(struct xf_maps *m, const __u32 *ids, __u32 n);
/* Packets and bytes by verdict reason, with XF_R_DROPPED derived: the
 * retired counts, plus every rule's, minus those the allow policy let
 * through. Under the lock (shared or not), with m->rules read. */
int xf_read_reasons(const struct xf_maps *m, struct xf_count out[XF_R_MAX]);

#endif /* XF_COUNTS_H */
