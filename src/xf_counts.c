// SPDX-License-Identifier: GPL-2.0
/* xf_counts.c - rule counters and reason totals; see xf_counts.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_counts.h"

/* Adds what rules ids[0..n) counted to the retired counts, and zeroes
 * their counters. */
static int fold(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	struct xf_count *v = calloc((size_t)n * m->ncpus + 1, sizeof(*v));
	struct xf_count sum = {};
	__u32 key = XF_R_DROPPED, count = n;
	int err = v ? 0 : -ENOMEM;

	for (__u32 k = 0; !err && k < n; k++) {
		struct xf_count *c = v + (size_t)k * m->ncpus;

		if (bpf_map_lookup_elem(m->fd[XF_M_RCOUNT], &ids[k], c))
			err = -errno;
		for (int cpu = 0; !err && cpu < m->ncpus; cpu++) {
			sum.packets += c[cpu].packets;
			sum.bytes += c[cpu].bytes;
		}
	}
	if (!err && (sum.packets || sum.bytes)) {
		memset(v, 0, (size_t)n * m->ncpus * sizeof(*v));
		if (bpf_map_lookup_elem(m->fd[XF_M_STATS], &key, v))
			err = -errno;
		v[0].packets += sum.packets;	/* CPU 0's: only we write it */
		v[0].bytes += sum.bytes;
		if (!err &&
		    bpf_map_update_elem(m->fd[XF_M_STATS], &key, v, BPF_ANY))
			err = -errno;
	}
	if (!err && (sum.packets || sum.bytes)) {	/* else all zero */
		memset(v, 0, (size_t)n * m->ncpus * sizeof(*v));
		if (bpf_map_update_batch(m->fd[XF_M_RCOUNT], ids, v, &count,
					 NULL))
			err = -errno;
	}
	free(v);
	return err;
}

int xf_counts_retire(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	return fold(m, ids, n);
}

/* The limited counts of the limit rules among ids[0..n) start from zero
 * (xf_stats[XF_R_LIMITED] keeps what their ids counted before). */
static int zero_limited(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	struct xf_count *zero = calloc(m->ncpus, sizeof(*zero));
	int err = zero ? 0 : -ENOMEM;

	for (__u32 k = 0; !err && k < n; k++)
		if (m->rules[ids[k]].limit_rate &&
		    bpf_map_update_elem(m->fd[XF_M_RLIMITED], &ids[k], zero,
					BPF_ANY))
			err = -errno;
	free(zero);
	return err;
}

int xf_counts_fresh(struct xf_maps *m, const __u32 *ids, __u32 n)
{
	struct xf_rlog *buckets = calloc(n + 1, sizeof(*buckets));
	__u32 count = n;
	int err = buckets ? fold(m, ids, n) : -ENOMEM;

	for (__u32 k = 0; !err && k < n; k++)
		buckets[k].rate = m->rules[ids[k]].log_rate;
	if (!err && n &&
	    bpf_map_update_batch(m->fd[XF_M_RLOG], ids, buckets, &count, NULL))
		err = -errno;
	if (!err)
		err = zero_limited(m, ids, n);
	free(buckets);
	return err;
}

int xf_read_reasons(const struct xf_maps *m, struct xf_count out[XF_R_MAX])
{
	struct xf_count rules = {}, c;
	int err = 0;

	for (__u32 r = 0; !err && r < XF_R_MAX; r++)
		err = xf_read_count(m, XF_M_STATS, r, &out[r]);
	for (__u32 id = 1; !err && id < XF_MAX_RULES; id++) {
		if (!m->rules[id].sets)
			continue;
		err = xf_read_count(m, XF_M_RCOUNT, id, &c);
		rules.packets += c.packets;
		rules.bytes += c.bytes;
	}
	if (err)
		return err;
	rules.packets += out[XF_R_DROPPED].packets;
	rules.bytes += out[XF_R_DROPPED].bytes;
	/* Never below 0, even if a count were torn mid-read. */
	out[XF_R_DROPPED].packets = rules.packets > out[XF_R_ALLOWED].packets ?
		rules.packets - out[XF_R_ALLOWED].packets : 0;
	out[XF_R_DROPPED].bytes = rules.bytes > out[XF_R_ALLOWED].bytes ?
		rules.bytes - out[XF_R_ALLOWED].bytes : 0;
	return 0;
}
