// SPDX-License-Identifier: GPL-2.0
/* xf_limits.c - rate limits in the maps; see xf_limits.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_limits.h"

#define LSRC_INNER_NAME	"xf_lsrc_table"	/* what bpftool map shows */
#define LSRC_BATCH	4096		/* keys read a syscall */

/* The coarse clock's step (bpf_ktime_get_coarse_ns(),
 * CLOCK_MONOTONIC_COARSE): the kernel's tick. */
static __u64 tick_ns(void)
{
	struct timespec t;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &t))
		return 10000000;		/* HZ 100, the coarsest */
	return (__u64)t.tv_sec * 1000000000ULL + (__u64)t.tv_nsec;
}

static __u64 interval_ns(const struct xf_rule *r)
{
	__u64 interval = 1000000000ULL / r->limit_rate;

	return interval ? interval : 1;
}

bool xf_limit_coarse(const struct xf_rule *r)
{
	return r->limit_burst * interval_ns(r) >=
	       XF_LIMIT_COARSE_TICKS * tick_ns();
}

void xf_limit_entry(const struct xf_rule *r, __u32 gen, struct xf_limit *l)
{
	memset(l, 0, sizeof(*l));
	l->interval_ns = interval_ns(r);
	l->burst_ns = (__u64)r->limit_burst * l->interval_ns;
	l->gen = gen;
	l->per_source = r->per_source;
	l->plen4 = r->plen4;
	l->plen6 = r->plen6;
	l->coarse = xf_limit_coarse(r);
}

int xf_limits_fresh(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	int fd = m->fd[XF_M_LIMIT];

	for (__u32 k = 0; k < n; k++) {
		const struct xf_rule *r = &m->rules[ids[k]];
		struct xf_limit old, l;

		if (!r->limit_rate)
			continue;
		if (bpf_map_lookup_elem(fd, &ids[k], &old))
			return -errno;
		xf_limit_entry(r, old.gen + 1, &l);
		if (bpf_map_update_elem(fd, &ids[k], &l, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The per-source table in xf_lsrc[0], if there is none: an LRU hash of the
 * inner map template's shape (the kernel refuses any other). */
static int lsrc_make(struct xf_maps *m)
{
	__u32 key = 0, val;
	int fd, err = 0;

	if (!bpf_map_lookup_elem(m->fd[XF_M_LSRC], &key, &val))
		return 0;
	if (errno != ENOENT)
		return -errno;
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, LSRC_INNER_NAME,
			    sizeof(struct xf_lsrc_key), sizeof(struct xf_lsrc),
			    XF_LSRC_ENTRIES, NULL);
	if (fd < 0)
		return -errno;
	val = fd;
	if (bpf_map_update_elem(m->fd[XF_M_LSRC], &key, &val, BPF_ANY))
		err = -errno;
	close(fd);			/* xf_lsrc holds it now */
	return err;
}

int xf_lsrc_need(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	for (__u32 k = 0; k < n; k++)
		if (m->rules[ids[k]].limit_rate && m->rules[ids[k]].per_source)
			return lsrc_make(m);
	return 0;
}

int xf_lsrc_release(struct xf_maps *m, const struct xf_rule *gone, __u32 n)
{
	bool had = false;
	__u32 key = 0;

	for (__u32 k = 0; k < n; k++)
		had |= gone[k].limit_rate && gone[k].per_source;
	if (!had)
		return 0;
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (m->rules[id].sets && m->rules[id].limit_rate &&
		    m->rules[id].per_source)
			return 0;	/* a rule still uses it */
	if (bpf_map_delete_elem(m->fd[XF_M_LSRC], &key) && errno != ENOENT)
		return -errno;
	return 0;
}

/* The number of entries of hash map fd, read in batches. */
static int count_entries(int fd, __u32 *n)
{
	struct xf_lsrc_key *keys = calloc(LSRC_BATCH, sizeof(*keys));
	struct xf_lsrc *vals = calloc(LSRC_BATCH, sizeof(*vals));
	struct xf_lsrc_key in, out;	/* batch tokens: room for a key */
	bool first = true, end = false;
	int err = keys && vals ? 0 : -ENOMEM;

	*n = 0;
	while (!err && !end) {
		__u32 count = LSRC_BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					   vals, &count, NULL) ? -errno : 0;
		*n += count;
		end = err == -ENOENT;	/* count may be short before it */
		if (end)
			err = 0;
		memcpy(&in, &out, sizeof(in));
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

int xf_lsrc_read(const struct xf_maps *m, struct xf_lsrc_info *info)
{
	__u32 key = 0;
	int fd, err;

	memset(info, 0, sizeof(*info));
	if (bpf_map_lookup_elem(m->fd[XF_M_LSRC], &key, &info->map_id))
		return errno == ENOENT ? 0 : -errno;
	fd = bpf_map_get_fd_by_id(info->map_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* removed since */
	info->exists = true;
	err = count_entries(fd, &info->entries);
	info->memory = xf_map_memory(fd);
	close(fd);
	return err;
}
