/* SPDX-License-Identifier: GPL-2.0 */
/* xf_show.h - what rulectl prints of the maps: the rule list (text or
 * JSON), the rule set as a rules file (save), the counters by verdict
 * reason (text, JSON, or with every rule's in the Prometheus text format),
 * and the rate limits with their per-source table.
 */
#ifndef XF_SHOW_H
#define XF_SHOW_H

#include <stdbool.h>
#include "xf_pins.h"

enum xf_out { XF_OUT_TEXT, XF_OUT_JSON, XF_OUT_PROM };

/* One line (or JSON object) per rule of the active set, in list order. */
int xf_show_list(struct xf_maps *m, bool json);
/* The active rule set and policy as a file apply reads: save | apply -
 * changes nothing. */
int xf_show_save(struct xf_maps *m);
int xf_show_stats(struct xf_maps *m, enum xf_out out);
/* The limit rules with their limited counts, and the per-source table:
 * its buckets and memory, or none. */
int xf_show_limits(struct xf_maps *m, bool json);

#endif /* XF_SHOW_H */
