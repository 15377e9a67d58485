// SPDX-License-Identifier: GPL-2.0
/* xf_srcsets.c - the store's writes of source sets; see xf_srcsets.h.
 *
 * A set's content lives in the inner maps of its two slots (number * 2 +
 * version) of xf_set4 (level 1, an mmap()able ARRAY written whole),
 * xf_set4x (level 2, a HASH) and xf_set6 (an LPM trie). A change builds
 * the whole new content in fresh maps in the slots packets do not use,
 * flips the set's bit of xf_config.setver (one write: a packet reads it
 * once), waits until no packet can still be in the old slots and empties
 * them. A failure before the flip empties the new slots again: nothing
 * changed. The inner maps are made the size of their content (a hash
 * allocates its buckets for max_entries up front; the kernel compares
 * inner hashes and tries by type, sizes and flags, not max_entries).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_rule.h"
#include "xf_srcsets.h"
#include "xf_store.h"

#define SET_BATCH	8192		/* entries written a syscall */

static const int outer[] = { XF_M_SET4, XF_M_SET4X, XF_M_SET6 };
#define NOUTER	(sizeof(outer) / sizeof(outer[0]))

int xf_set_number(const struct xf_maps *m, const char *name)
{
	for (int k = 0; k < XF_MAX_SETS; k++)
		if (m->sdesc[k].name[0] && !strcmp(m->sdesc[k].name, name))
			return k;
	return -1;
}

/* The fd of the inner map in slot of outer map idx, or -1 (none). */
static int inner_fd(const struct xf_maps *m, int idx, __u32 slot)
{
	__u32 id;

	if (bpf_map_lookup_elem(m->fd[idx], &slot, &id))
		return -1;
	return bpf_map_get_fd_by_id(id);
}

/* Empties slot of every outer map. */
static int slot_clear(struct xf_maps *m, __u32 slot)
{
	for (size_t i = 0; i < NOUTER; i++)
		if (bpf_map_delete_elem(m->fd[outer[i]], &slot) &&
		    errno != ENOENT)
			return -errno;
	return 0;
}

/* Puts inner map fd into slot of outer map idx, and closes fd. */
static int slot_put(struct xf_maps *m, int idx, __u32 slot, int fd)
{
	__u32 val = fd;
	int err = 0;

	if (bpf_map_update_elem(m->fd[idx], &slot, &val, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

/* Level 1 of the merged IPv4 prefixes l into slot, written through the
 * map's memory; level 2's entries in *parts (malloc()ed), *nparts. */
static int write_v4_l1(struct xf_maps *m, const struct xf_plist *l,
		       __u32 slot, struct xf_set4x_ent **parts, size_t *nparts)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	size_t bytes = (size_t)XF_SET4_WORDS * sizeof(__u64);
	int fd, err;
	void *words;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xf_set4_l1", sizeof(__u32),
			    sizeof(__u64), XF_SET4_WORDS, &o);
	if (fd < 0)
		return -errno;
	words = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (words == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	err = xf_set4_build(l->v4, l->n4, words, parts, nparts);
	munmap(words, bytes);
	if (!err && *nparts > XF_SET4X_MAX)
		err = -E2BIG;
	if (err) {
		close(fd);
		return err;
	}
	return slot_put(m, XF_M_SET4, slot, fd);
}

/* Level 2, parts[0..n), into slot: a hash the size of its content (a
 * hash allocates its buckets up front). */
static int write_v4_l2(struct xf_maps *m, const struct xf_set4x_ent *parts,
		       size_t n, __u32 slot)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	__u32 *keys = malloc(SET_BATCH * sizeof(*keys));
	struct xf_set4x *vals = malloc(SET_BATCH * sizeof(*vals));
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "xf_set4_l2", sizeof(__u32),
				sizeof(struct xf_set4x), n, &o);
	int err = fd < 0 ? -errno : keys && vals ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < n; i += SET_BATCH) {
		__u32 count = n - i < SET_BATCH ? n - i : SET_BATCH;

		for (__u32 k = 0; k < count; k++) {
			keys[k] = parts[i + k].n24;
			vals[k] = parts[i + k].bits;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL))
			err = -errno;
	}
	free(keys);
	free(vals);
	if (fd < 0)
		return err;
	if (err) {
		close(fd);
		return err;
	}
	return slot_put(m, XF_M_SET4X, slot, fd);
}

/* Level 1 and level 2 of the merged IPv4 prefixes l, into slot. */
static int write_v4(struct xf_maps *m, const struct xf_plist *l, __u32 slot,
		    __u32 *partial)
{
	struct xf_set4x_ent *parts = NULL;
	size_t nparts = 0;
	int err = l->n4 ? write_v4_l1(m, l, slot, &parts, &nparts) : 0;

	if (!err && nparts)
		err = write_v4_l2(m, parts, nparts, slot);
	*partial = nparts;
	free(parts);
	return err;
}

/* The merged IPv6 prefixes of l, into slot's trie. */
static int write_v6(struct xf_maps *m, const struct xf_plist *l, __u32 slot)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	struct xf_set6_key *keys;
	__u8 *vals;
	int fd, err;

	if (!l->n6)
		return 0;
	if (l->n6 > XF_SET6_MAX)
		return -E2BIG;
	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "xf_set6_trie",
			    sizeof(*keys), sizeof(*vals), l->n6, &o);
	if (fd < 0)
		return -errno;
	keys = calloc(SET_BATCH, sizeof(*keys));
	vals = malloc(SET_BATCH);
	err = keys && vals ? 0 : -ENOMEM;
	if (vals)
		memset(vals, 1, SET_BATCH);
	for (size_t i = 0; !err && i < l->n6; i += SET_BATCH) {
		__u32 n = l->n6 - i < SET_BATCH ? l->n6 - i : SET_BATCH;

		for (__u32 k = 0; k < n; k++) {
			keys[k].prefixlen = l->v6[i + k].len;
			memcpy(keys[k].addr, l->v6[i + k].addr, 16);
		}
		if (bpf_map_update_batch(fd, keys, vals, &n, NULL))
			err = -errno;
	}
	free(keys);
	free(vals);
	return err ? (close(fd), err) : slot_put(m, XF_M_SET6, slot, fd);
}

/* The lowest free number, or -1. */
static int free_number(const struct xf_maps *m)
{
	for (int k = 0; k < XF_MAX_SETS; k++)
		if (!m->sdesc[k].name[0])
			return k;
	return -1;
}

/* Makes the set's new content (merged l) current in number's other slot,
 * and the old slot empty. */
static int switch_content(struct xf_maps *m, int number,
			  const struct xf_plist *l, __u32 *partial)
{
	struct xf_config cfg;
	__u32 ver, slot;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	ver = (cfg.setver >> number) & 1;
	slot = xf_set_slot_of(number, ver ^ 1);
	err = slot_clear(m, slot);		/* left by a crash: stale */
	if (!err)
		err = write_v4(m, l, slot, partial);
	if (!err)
		err = write_v6(m, l, slot);
	if (!err) {
		cfg.setver ^= 1U << number;
		err = xf_write_config(m, &cfg);
	}
	if (err) {
		slot_clear(m, slot);
		return err;
	}
	err = xf_store_wait_readers();
	return err ? err : slot_clear(m, xf_set_slot_of(number, ver));
}

static int write_record(struct xf_maps *m, int number)
{
	__u32 key = number;

	if (!bpf_map_update_elem(m->fd[XF_M_SETS], &key, &m->sdesc[number],
				 BPF_ANY))
		return 0;
	return xf_diag(-errno, NULL, "write %s: %s", XF_MAP_SETS,
		       strerror(errno));
}

static int too_big(const char *name, const struct xf_plist *l)
{
	return xf_diag(XF_EINPUT, NULL, "set %s: too many prefixes (%zu IPv6"
		       " after merging, at most %u; or more than %u /24s partly"
		       " in it)", name, l->n6, XF_SET6_MAX, XF_SET4X_MAX);
}

int xf_set_replace(struct xf_maps *m, const char *name, struct xf_plist *l,
		   bool create)
{
	int number = xf_set_number(m, name), err;
	struct xf_sdesc *d;
	__u32 partial = 0;
	bool fresh;

	if (number < 0 && !create)
		return xf_diag(-ENOENT, NULL, "no set '%s'", name);
	if (number < 0 && (number = free_number(m)) < 0)
		return xf_diag(-ENOSPC, NULL, "set %s: there are %d sets"
			       " already, the most there can be", name,
			       XF_MAX_SETS);
	xf_plist_merge(l);
	d = &m->sdesc[number];
	fresh = !d->name[0];
	if (fresh) {			/* a new set: its record first */
		snprintf(d->name, sizeof(d->name), "%s", name);
		err = write_record(m, number);
		if (err)
			return err;
	}
	err = switch_content(m, number, l, &partial);
	if (err && fresh) {		/* no set after all */
		memset(d, 0, sizeof(*d));
		write_record(m, number);
	}
	if (err == -E2BIG)
		return too_big(name, l);
	if (err)
		return xf_diag(err, NULL, "set %s: %s", name, strerror(-err));
	d->n4 = l->n4;
	d->n6 = l->n6;
	d->partial4 = partial;
	d->changes++;
	d->changed = time(NULL);
	return write_record(m, number);
}

/* The current slot of set number. */
static int current_slot(const struct xf_maps *m, int number, __u32 *slot)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	*slot = xf_set_slot_of(number, cfg.setver >> number);
	return err;
}

/* Level 2 of a slot, all of it: *parts (malloc()ed), *n. */
static int read_parts(int fd, struct xf_set4x_ent **parts, size_t *n)
{
	__u32 *keys = malloc(SET_BATCH * sizeof(*keys)), in, out, count;
	struct xf_set4x *vals = malloc(SET_BATCH * sizeof(*vals));
	size_t cap = 0;
	bool first = true, end = false;
	int err = keys && vals ? 0 : -ENOMEM;

	*parts = NULL;
	*n = 0;
	while (!err && !end) {
		count = SET_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					   vals, &count, NULL) ? -errno : 0;
		end = err == -ENOENT;
		if (end)
			err = 0;
		if (!err && *n + count > cap) {
			void *p = realloc(*parts, (cap = (*n + count) * 2) *
					  sizeof(**parts));
			err = p ? 0 : -ENOMEM;
			if (p)
				*parts = p;
		}
		for (__u32 k = 0; !err && k < count; k++, (*n)++) {
			(*parts)[*n].n24 = keys[k];
			(*parts)[*n].bits = vals[k];
		}
		in = out;
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

static int read_v4(const struct xf_maps *m, __u32 slot, struct xf_plist *l)
{
	size_t bytes = (size_t)XF_SET4_WORDS * sizeof(__u64), nparts = 0;
	int fd1 = inner_fd(m, XF_M_SET4, slot), fd2, err = 0;
	struct xf_set4x_ent *parts = NULL;
	void *words;

	if (fd1 < 0)
		return 0;			/* no IPv4 */
	fd2 = inner_fd(m, XF_M_SET4X, slot);
	if (fd2 >= 0) {
		err = read_parts(fd2, &parts, &nparts);
		close(fd2);
	}
	words = err ? MAP_FAILED : mmap(NULL, bytes, PROT_READ, MAP_SHARED,
					fd1, 0);
	if (!err && words == MAP_FAILED)
		err = -errno;
	if (!err) {
		err = xf_set4_read(words, parts, nparts, l);
		munmap(words, bytes);
	}
	close(fd1);
	free(parts);
	return err;
}

/* Appends p to l's IPv6 prefixes. */
static int push_v6(struct xf_plist *l, const struct xf_p6 *p)
{
	if (l->n6 == l->cap6) {
		size_t cap = l->cap6 ? l->cap6 * 2 : 1024;
		void *v = realloc(l->v6, cap * sizeof(*l->v6));

		if (!v)
			return -ENOMEM;
		l->v6 = v;
		l->cap6 = cap;
	}
	l->v6[l->n6++] = *p;
	return 0;
}

static int read_v6(const struct xf_maps *m, __u32 slot, struct xf_plist *l)
{
	int fd = inner_fd(m, XF_M_SET6, slot), err = 0;
	struct xf_set6_key key, next;
	bool first = true;

	if (fd < 0)
		return 0;
	while (!err && !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		struct xf_p6 p = { .len = next.prefixlen };

		memcpy(p.addr, next.addr, 16);
		err = push_v6(l, &p);
		key = next;
		first = false;
	}
	if (!err && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}

int xf_set_content(const struct xf_maps *m, int number, struct xf_plist *l)
{
	__u32 slot;
	int err = current_slot(m, number, &slot);

	if (!err)
		err = read_v4(m, slot, l);
	if (!err)
		err = read_v6(m, slot, l);
	if (!err)
		xf_plist_merge(l);
	return err ? xf_diag(err, NULL, "read set %s: %s", m->sdesc[number].name,
			     strerror(-err)) : 0;
}

int xf_set_delete(struct xf_maps *m, const char *name)
{
	int number = xf_set_number(m, name), err;
	char text[XF_RULE_TEXT];
	struct xf_config cfg;

	if (number < 0)
		return xf_diag(-ENOENT, NULL, "no set '%s'", name);
	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		const struct xf_rule *r = &m->rules[id];

		if (!r->sets || r->family != XF_FAMILY_SET ||
		    r->addr[0] != number)
			continue;
		xf_format_rule(r, text, sizeof(text));
		return xf_diag(-EBUSY, NULL, "set %s is in use by rule '%s'%s:"
			       " delete the rule first", name, text,
			       xf_in_set(m, id, m->set) ? "" :
			       " (of the set a pending apply --confirm keeps)");
	}
	err = xf_read_config(m, &cfg);
	for (__u32 v = 0; !err && v < 2; v++)
		err = slot_clear(m, xf_set_slot_of(number, v));
	if (!err && (cfg.setver >> number) & 1) {
		cfg.setver &= ~(1U << number);
		err = xf_write_config(m, &cfg);
	}
	if (err)
		return xf_diag(err, NULL, "delete set %s: %s", name,
			       strerror(-err));
	memset(&m->sdesc[number], 0, sizeof(m->sdesc[number]));
	return write_record(m, number);
}

__u64 xf_set_memory(const struct xf_maps *m, int number)
{
	__u64 sum = 0;
	__u32 slot;
	int fd;

	if (current_slot(m, number, &slot))
		return 0;
	for (size_t i = 0; i < NOUTER; i++) {
		fd = inner_fd(m, outer[i], slot);
		if (fd >= 0) {
			sum += xf_map_memory(fd);
			close(fd);
		}
	}
	return sum;
}

__u32 xf_set_mask(const struct xf_maps *m, __u32 set)
{
	__u32 mask = 0;

	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, set) &&
		    m->rules[id].family == XF_FAMILY_SET)
			mask |= 1U << (m->rules[id].addr[0] % XF_MAX_SETS);
	return mask;
}
