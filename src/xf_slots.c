// SPDX-License-Identifier: GPL-2.0
/* xf_slots.c - the store's writes of the packet path's entries; see
 * xf_slots.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_slots.h"

/* Port slots to write in one syscall: xf_ports keys, or xf_pports keys
 * (the same slots under the rule's prefix id), and their values. */
struct slots {
	__u32		*keys;
	struct xf_pport	*pkeys;
	struct xf_port	*vals;
	__u32		n, cap;
};

static void slots_free(struct slots *b)
{
	free(b->keys);
	free(b->pkeys);
	free(b->vals);
	memset(b, 0, sizeof(*b));
}

static int slots_grow(struct slots *b, __u32 need)
{
	__u32 cap = (b->n + need) * 2;
	void *k, *pk, *v;

	if (b->n + need <= b->cap)
		return 0;
	k = realloc(b->keys, cap * sizeof(*b->keys));
	if (k)
		b->keys = k;
	pk = k ? realloc(b->pkeys, cap * sizeof(*b->pkeys)) : NULL;
	if (pk)
		b->pkeys = pk;
	v = pk ? realloc(b->vals, cap * sizeof(*b->vals)) : NULL;
	if (!v)
		return -ENOMEM;
	b->vals = v;
	b->cap = cap;
	return 0;
}

/* Appends the port slots of r in rule set `set`, with value val. */
static int slots_add(struct slots *b, const struct xf_rule *r, __u32 set,
		     __u32 val)
{
	int err = slots_grow(b, (r->port_hi - r->port_lo + 1) * XF_P_MAX);

	for (__u32 p = 0; !err && p < XF_P_MAX; p++) {
		if (!(r->protos & (1U << p)))
			continue;
		for (__u32 port = r->port_lo; port <= r->port_hi; port++) {
			__u32 n = b->n++;

			b->keys[n] = xf_set_slot(set, xf_slot(r->dir, p, port));
			b->pkeys[n].prefix_id = r->prefix_id;
			b->pkeys[n].slot = b->keys[n];
			b->vals[n].id = val;
		}
	}
	return err;
}

/* Writes the slots: into xf_ports (plain rules) or xf_pports (prefix
 * rules); a zero value removes xf_pports entries. */
static int slots_write(struct xf_maps *m, struct slots *b, bool prefix,
		       bool clear)
{
	int fd = m->fd[prefix ? XF_M_PPORTS : XF_M_PORTS];
	__u32 count = b->n;

	if (!b->n)
		return 0;
	if (!prefix || !clear)
		return bpf_map_update_batch(fd, prefix ? (void *)b->pkeys :
					    (void *)b->keys, b->vals, &count,
					    NULL) ? -errno : 0;
	if (!bpf_map_delete_batch(fd, b->pkeys, &count, NULL))
		return 0;
	if (errno != ENOENT)
		return -errno;
	/* Some were never written (a half-written add): one by one. */
	for (__u32 i = 0; i < b->n; i++)
		if (bpf_map_delete_elem(fd, &b->pkeys[i]) && errno != ENOENT)
			return -errno;
	return 0;
}

/* The slots of the batch's rules in `set`: written with their ids, or
 * cleared. */
int xf_write_slots(struct xf_maps *m, __u32 set, const __u32 *ids,
		       __u32 n, bool clear)
{
	struct slots plain = {}, pfx = {};
	int err = 0;

	for (__u32 k = 0; k < n && !err; k++) {
		const struct xf_rule *r = &m->rules[ids[k]];

		if (!r->anyport)
			err = slots_add(r->family ? &pfx : &plain, r, set,
					clear ? 0 : xf_path_id(r, ids[k]));
	}
	if (!err)
		err = slots_write(m, &plain, false, clear);
	if (!err)
		err = slots_write(m, &pfx, true, clear);
	slots_free(&plain);
	slots_free(&pfx);
	return err;
}

/* The trie key of r's prefix in rule set `set`; returns the trie's fd. */
static int prefix_key(const struct xf_maps *m, const struct xf_rule *r,
		      __u32 set, struct xf_lpm6 *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = XF_LPM_SET_BITS + r->prefixlen;
	key->set = set;
	if (r->family == 4) {
		struct xf_lpm4 *k4 = (struct xf_lpm4 *)key;

		memcpy(k4->addr, r->addr, sizeof(k4->addr));
		return m->fd[XF_M_PFX4];
	}
	memcpy(key->addr, r->addr, sizeof(key->addr));
	return m->fd[XF_M_PFX6];
}

/* Writes r's prefix entry in `set` ({any, r's prefix id}), or deletes it:
 * a trie entry, or for a rule from a source set its xf_sref entry (an
 * ARRAY's: zeroed). */
int xf_write_prefix(struct xf_maps *m, __u32 set, const struct xf_rule *r,
			__u32 any, bool remove)
{
	struct xf_pfx val = { .any_id = any, .prefix_id = r->prefix_id };
	__u32 ref = set * XF_MAX_SETS + r->addr[0] % XF_MAX_SETS;
	struct xf_lpm6 key;
	int fd;

	if (r->family == XF_FAMILY_SET) {
		if (remove)
			memset(&val, 0, sizeof(val));
		return bpf_map_update_elem(m->fd[XF_M_SREF], &ref, &val,
					   BPF_ANY) ? -errno : 0;
	}
	fd = prefix_key(m, r, set, &key);

	if (remove)
		return bpf_map_delete_elem(fd, &key) && errno != ENOENT ?
		       -errno : 0;
	return bpf_map_update_elem(fd, &key, &val, BPF_ANY) ? -errno : 0;
}

