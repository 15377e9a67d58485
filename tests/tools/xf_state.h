/* SPDX-License-Identifier: GPL-2.0 */
/* xf_state.h - the whole pinned state of xdp_filter, for the tests: a hash
 * of everything a command may change, and a check of the invariants that
 * tie the maps together, in both rule sets (xf_state.c). Used by
 * tests/tools/xfstate.c and tests/tools/argvfuzz.c; the maps come from
 * xf_open_maps() (src/xf_pins.h).
 */
#ifndef XF_STATE_H
#define XF_STATE_H

#include <stddef.h>
#include <linux/types.h>

#include "../../src/xf_pins.h"

#define FNV_OFF	0xcbf29ce484222325ULL

/* FNV-1a of n bytes at p, continuing from h (FNV_OFF to start). */
__u64 st_fnv(__u64 h, const void *p, size_t n);

/* An order-independent hash of a map's entries (a hash map or a trie may
 * list the same content in another order): the sum of each entry's FNV,
 * into *sum, and the entry count. Batched for arrays (batch set), else key
 * by key. -1 on error (errno says why). */
int st_map_sum(int fd, __u32 ksz, __u32 vsz, __u32 max, int batch,
	       __u64 *sum, __u32 *entries);

/* Hash of every map a command may change (not xf_stats, the token
 * buckets' state or the ring buffer: only packets change them). -1 on
 * error, with a message. */
int st_hash(struct xf_maps *m, __u64 *hash);

/* Checks that the maps agree with each other, in both rule sets: the
 * number of problems found (each printed, the first 20). nrules gets the
 * rule count of the active set, nkept (may be NULL) that of the other one
 * (the set an apply --confirm keeps for a rollback; 0 at rest). */
int st_check(struct xf_maps *m, __u32 *nrules, __u32 *nkept);

#endif /* XF_STATE_H */
