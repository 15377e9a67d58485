/* SPDX-License-Identifier: GPL-2.0 */
/* xf_slots.h - the store's writes of the packet path's entries of rules:
 * port slots (xf_ports), prefix-port slots (xf_pports) and prefix trie
 * entries (xf_pfx4, xf_pfx6). Only xf_store.c calls these.
 */
#ifndef XF_SLOTS_H
#define XF_SLOTS_H

#include <stdbool.h>
#include "xf_pins.h"

/* What the packet path stores for rule id: the id, its log bit and its
 * limit bit. */
static inline __u32 xf_path_id(const struct xf_rule *r, __u32 id)
{
	return id | (r->log_rate ? XF_ID_LOG : 0) |
	       (r->limit_rate ? XF_ID_LIMIT : 0);
}

/* The port slots of rules ids[0..n) (their records in m->rules) in rule
 * set `set`: written with their ids, or cleared. 0 or -errno. */
int xf_write_slots(struct xf_maps *m, __u32 set, const __u32 *ids, __u32 n,
		   bool clear);
/* Writes r's prefix entry in `set` ({any, r's prefix id}), or deletes it. */
int xf_write_prefix(struct xf_maps *m, __u32 set, const struct xf_rule *r,
		    __u32 any, bool remove);

#endif /* XF_SLOTS_H */
