// SPDX-License-Identifier: GPL-2.0
/* xf_srcsets.c - the store's writes of source sets; see xf_srcsets.h.
 *
 * A set's content lives in the inner maps of its two slots (number * 2 +
 * version) of xf_set4 (level 1) and xf_set4x (level 2), mmap()able ARRAYs
 * written whole through their memory, and xf_set6 (an LPM trie). A change builds
 * the whole new content in fresh maps in the slots packets do not use,
 * flips the set's bit of xf_config.setver (one write: a packet reads it
 * once), waits until no packet can still be in the old slots and empties
 * them. A failure before the flip empties the new slots again: nothing
 * changed. Level 2 and the trie are made the size of their content (the
 * kernel compares inner tries, and arrays with BPF_F_INNER_MAP, by type,
 * sizes and flags, not max_entries).
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
	return xf_set_find(m->sdesc, name);
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

/* An mmap()able ARRAY of n values of vsize bytes (flags besides
 * BPF_F_MMAPABLE), mapped writable at *mem (len bytes): its fd, or -errno. */
static int mapped_array(const char *name, __u32 vsize, __u32 n, __u32 flags,
			void **mem, size_t *len)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE | flags);
	long page = sysconf(_SC_PAGESIZE);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32), vsize,
				n, &o), err;

	if (fd < 0)
		return -errno;
	*len = ((size_t)vsize * n + page - 1) / page * page;
	*mem = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*mem != MAP_FAILED)
		return fd;
	err = -errno;
	close(fd);
	return err;
}

/* The bitmap words' (xf_plist.h: 32 /24s, whole | part << 32) half that
 * holds level 1 entry i's /24s. */
#define L1_HALF(words, i)	((words)[(i) / 2] >> ((i) % 2 * XF_SET4_SPAN))
_Static_assert(XF_SET4_WORDS * XF_SET4_SPAN == XF_PLIST_WORDS * 32,
	       "level 1 and the bitmap words cover the same /24s");

/* Level 1 entry i from the bitmap words, its level 2 base given: the part
 * bits below each of its /24s, a nibble each. */
static void l1_entry(struct xf_set4w *e, const __u64 *words, __u32 i,
		     __u32 base)
{
	__u32 below = 0;

	e->whole = (__u16)L1_HALF(words, i);
	e->part = (__u16)(L1_HALF(words, i) >> 32);
	e->base = base;
	e->below = 0;
	for (__u32 b = 0; b < XF_SET4_SPAN; b++) {
		e->below |= (__u64)below << (4 * b);
		below += (e->part >> b) & 1;
	}
}

/* Level 1 into slot, from the bitmap words: each entry with its level 2
 * base, the parts before it. */
static int write_v4_l1(struct xf_maps *m, const __u64 *words, __u32 slot)
{
	struct xf_set4w *e;
	__u32 base = 0;
	size_t len;
	int fd = mapped_array("xf_set4_l1", sizeof(*e), XF_SET4_WORDS, 0,
			      (void **)&e, &len);

	if (fd < 0)
		return fd;
	for (__u32 i = 0; i < XF_SET4_WORDS; i++) {
		l1_entry(&e[i], words, i, base);
		base += __builtin_popcount(e[i].part);
	}
	munmap(e, len);
	return slot_put(m, XF_M_SET4, slot, fd);
}

/* Level 2, parts[0..n) in address order, into slot: an array as long as
 * its content. */
static int write_v4_l2(struct xf_maps *m, const struct xf_set4x_ent *parts,
		       size_t n, __u32 slot)
{
	struct xf_set4x *v;
	size_t len;
	int fd = mapped_array("xf_set4_l2", sizeof(*v), n, BPF_F_INNER_MAP,
			      (void **)&v, &len);

	if (fd < 0)
		return fd;
	for (size_t i = 0; i < n; i++)
		v[i] = parts[i].bits;
	munmap(v, len);
	return slot_put(m, XF_M_SET4X, slot, fd);
}

/* Level 1 and level 2 of the merged IPv4 prefixes l, into slot. */
static int write_v4(struct xf_maps *m, const struct xf_plist *l, __u32 slot,
		    __u32 *partial)
{
	struct xf_set4x_ent *parts = NULL;
	__u64 *words;
	size_t nparts = 0;
	int err;

	*partial = 0;
	if (!l->n4)
		return 0;
	words = xf_set4_words();
	err = words ? xf_set4_build(l->v4, l->n4, words, &parts, &nparts) :
		      -ENOMEM;
	if (!err && nparts > XF_SET4X_MAX)
		err = -E2BIG;
	if (!err)
		err = write_v4_l1(m, words, slot);
	if (!err && nparts)
		err = write_v4_l2(m, parts, nparts, slot);
	*partial = nparts;
	free(words);
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

/* Level 2's entries with their /24s, taken from level 1's part bits in
 * order; level 1 (e) as bitmap words (whole | part << 32, 32 /24s). */
static int read_parts(const struct xf_set4w *e, int fd2, __u64 *words,
		      struct xf_set4x_ent **parts, size_t *n)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	struct xf_set4x *v;
	size_t k = 0, len;

	*n = 0;
	memset(words, 0, XF_PLIST_WORDS * sizeof(*words));
	for (__u32 i = 0; i < XF_SET4_WORDS; i++) {
		words[i / 2] |= ((__u64)e[i].whole |
				 (__u64)e[i].part << 32) << (i % 2 * XF_SET4_SPAN);
		*n += __builtin_popcount(e[i].part);
	}
	if (!*n)
		return 0;
	if (fd2 < 0 || bpf_obj_get_info_by_fd(fd2, &info, &ilen) ||
	    info.max_entries < *n)
		return -EIO;			/* level 2 lost or short */
	len = *n * sizeof(*v);
	v = mmap(NULL, len, PROT_READ, MAP_SHARED, fd2, 0);
	if (v == MAP_FAILED)
		return -errno;
	*parts = malloc(*n * sizeof(**parts));
	for (__u32 i = 0; *parts && i < XF_SET4_WORDS; i++)
		for (__u32 b = 0; b < XF_SET4_SPAN && e[i].part >> b; b++)
			if ((e[i].part >> b) & 1) {
				(*parts)[k].n24 = i * XF_SET4_SPAN + b;
				(*parts)[k].bits = v[k];
				k++;
			}
	munmap(v, len);
	return *parts ? 0 : -ENOMEM;
}

static int read_v4(const struct xf_maps *m, __u32 slot, struct xf_plist *l)
{
	size_t len = (size_t)XF_SET4_WORDS * sizeof(struct xf_set4w), n = 0;
	int fd1 = inner_fd(m, XF_M_SET4, slot), fd2, err;
	struct xf_set4x_ent *parts = NULL;
	struct xf_set4w *e;
	__u64 *words;

	if (fd1 < 0)
		return 0;			/* no IPv4 */
	fd2 = inner_fd(m, XF_M_SET4X, slot);
	e = mmap(NULL, len, PROT_READ, MAP_SHARED, fd1, 0);
	words = xf_set4_words();
	err = e == MAP_FAILED ? -errno : words ? 0 : -ENOMEM;
	if (!err)
		err = read_parts(e, fd2, words, &parts, &n);
	if (!err)
		err = xf_set4_read(words, parts, n, l);
	if (e != MAP_FAILED)
		munmap(e, len);
	if (fd2 >= 0)
		close(fd2);
	close(fd1);
	free(words);
	free(parts);
	return err;
}

static int read_v6(const struct xf_maps *m, __u32 slot, struct xf_plist *l)
{
	int fd = inner_fd(m, XF_M_SET6, slot), err = 0;
	struct xf_set6_key key, next;
	bool first = true;

	if (fd < 0)
		return 0;
	while (!err && !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		err = xf_plist_put6(l, next.addr, next.prefixlen);
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

		if (!r->sets || !xf_rule_names_set(r, number))
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
