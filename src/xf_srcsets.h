/* SPDX-License-Identifier: GPL-2.0 */
/* xf_srcsets.h - the store's writes of source sets (xdp_filter.h "Source
 * sets"): a set's number and record in xf_sets, its content in the inner
 * maps of xf_set4, xf_set4x and xf_set6 (built whole in the slots packets
 * do not use, then one write of xf_config.setver, then the old slots
 * freed), and reading it back. Rules that name a set are the store's
 * (xf_store.h), through xf_sref (xf_slots.c). Always under the editors'
 * lock, with m->rules read; functions return 0, -errno or XF_EINPUT after
 * a message.
 */
#ifndef XF_SRCSETS_H
#define XF_SRCSETS_H

#include "xf_pins.h"
#include "xf_plist.h"

/* The number of set `name` in m->sdesc, or -1. */
int xf_set_number(const struct xf_maps *m, const char *name);
/* Makes set `name` hold exactly the addresses of l (merged here),
 * creating the set (the lowest free number) when it does not exist and
 * create is true (else -ENOENT after a message). Packets see the old
 * content or the new one. */
int xf_set_replace(struct xf_maps *m, const char *name, struct xf_plist *l,
		   bool create);
/* Set `number`'s content, merged, appended to l. */
int xf_set_content(const struct xf_maps *m, int number, struct xf_plist *l);
/* Removes set `name`: -EBUSY (a message naming the rule) while a rule of
 * either rule set names it, -ENOENT when there is none. */
int xf_set_delete(struct xf_maps *m, const char *name);
/* Memory of set `number`'s inner maps, as the kernel reports it (memlock
 * of each), in bytes. */
__u64 xf_set_memory(const struct xf_maps *m, int number);

#endif /* XF_SRCSETS_H */
