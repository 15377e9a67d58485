// SPDX-License-Identifier: GPL-2.0
/* buckets.c - the rate limits' buckets of a conformance run; see
 * buckets.h. The xf_limit entries' parameters (interval, burst, grouping)
 * are the store's and are left alone: only tat, the program's state, is
 * written here, and the per-source entries, whose keys carry the rule's
 * generation as the store gave it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "../../xdp_filter.h"
#include "../lib/note.h"
#include "buckets.h"

#define SLACK_NS	1000000ULL	/* clock reads of the two sides */
#define NS		1000000000ULL

const char *const bk_kind_names[BK_KINDS] = {
	"full", "past", "room", "empty", "far",
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
}

uint64_t bk_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void bk_init(struct bk *b, int limit_fd, int lsrc_fd)
{
	memset(b, 0, sizeof(*b));
	b->limit_fd = limit_fd;
	b->lsrc_fd = lsrc_fd;
	b->inner_fd = -1;
}

void bk_close(struct bk *b)
{
	if (b->inner_fd >= 0)
		close(b->inner_fd);
	b->inner_fd = -1;
}

/* Empties the per-source table; with diff, notes every bucket there but
 * the frame's. */
static int drain(struct bk *b, char *diff, size_t size);

/* xf_limit's first BK_IDS entries, in one call. */
static int read_limits(const struct bk *b, struct xf_limit *out)
{
	__u32 keys[BK_IDS], count = BK_IDS, outb;

	if (bpf_map_lookup_batch(b->limit_fd, NULL, &outb, keys, out, &count,
				 NULL) && errno != ENOENT)
		return -errno;
	return count == BK_IDS ? 0 : -EIO;
}

int bk_enter(struct bk *b, const struct xm_rule *rules, size_t n)
{
	__u32 zero = 0, id;
	int err = read_limits(b, b->seen);

	b->n = 0;
	for (size_t i = 0; i < n && b->n < BK_MAX_LIMITS; i++)
		if (rules[i].rate && rules[i].id < BK_IDS)
			b->ids[b->n++] = rules[i].id;
	bk_close(b);
	if (err)
		return err;
	if (bpf_map_lookup_elem(b->lsrc_fd, &zero, &id))
		return errno == ENOENT ? 0 : -errno;	/* no table */
	b->inner_fd = bpf_map_get_fd_by_id(id);
	if (b->inner_fd < 0)
		return -errno;
	b->hit = 0;
	return drain(b, NULL, 0);
}

static enum bk_kind draw(struct rng *r)
{
	uint32_t x = rng_below(r, 20);

	return x < 4 ? BK_FULL : x < 7 ? BK_PAST : x < 12 ? BK_ROOM :
	       x < 17 ? BK_EMPTY : BK_FAR;
}

/* The tat of state b->kind at b->t0 (0: none). */
static uint64_t state_tat(const struct bk *b)
{
	uint64_t edge = b->t0 + b->burst - b->interval;

	switch (b->kind) {
	case BK_PAST:
		return b->t0 > NS ? b->t0 - NS : 1;
	case BK_ROOM:
		return edge > BK_MARGIN_NS ? edge - BK_MARGIN_NS : 1;
	case BK_EMPTY:
		return edge + BK_MARGIN_NS;
	case BK_FAR:
		return edge + 10 * NS;
	}
	return 0;
}

static void lsrc_key(const struct bk *b, struct xf_lsrc_key *k)
{
	memset(k, 0, sizeof(*k));
	k->rule = b->key.rule;
	k->gen = b->gen;
	k->family = b->key.family;
	memcpy(k->addr, b->key.addr, sizeof(k->addr));
}

/* The state into the frame's bucket: the rule's tat, or its source's
 * entry (none for BK_FULL). */
static int write_state(struct bk *b)
{
	struct xf_limit *l = &b->seen[b->key.rule % BK_IDS];
	struct xf_lsrc_key k;
	struct xf_lsrc v = { .tat = b->set };

	if (!b->key.family) {
		l->tat = b->set;
		return bpf_map_update_elem(b->limit_fd, &b->key.rule, l,
					   BPF_EXIST) ? -errno : 0;
	}
	if (b->inner_fd < 0)
		return 0;	/* no table: the program must refuse */
	b->gen = l->gen;
	lsrc_key(b, &k);
	if (b->set)
		return bpf_map_update_elem(b->inner_fd, &k, &v, BPF_ANY) ?
		       -errno : 0;
	return bpf_map_delete_elem(b->inner_fd, &k) && errno != ENOENT ?
	       -errno : 0;
}

int bk_prime(struct bk *b, struct rng *rng, int hit,
	     const struct xm_bucket *key, const struct xm_rule *r,
	     struct xm_limits *lim)
{
	b->hit = hit && r ? hit : 0;
	b->set = 0;
	b->kind = BK_FULL;
	lim->n = 0;
	if (b->hit) {
		b->key = *key;
		b->interval = xm_interval(r);
		b->burst = xm_burst_ns(r);
		b->kind = draw(rng);
	}
	b->c0 = clock_ns(CLOCK_MONOTONIC_COARSE);
	b->t0 = bk_now();
	lim->now = b->t0;
	if (!b->hit)
		return 0;
	b->set = state_tat(b);
	if (b->set) {
		lim->b[0] = *key;
		lim->b[0].tat = b->set;
		lim->n = 1;
	}
	return write_state(b);
}

bool bk_slow(struct bk *b)
{
	b->t1 = bk_now();
	return b->hit && b->t1 - b->c0 >= BK_MARGIN_NS;
}

/* The tat the program left in the frame's bucket (0: none) against the
 * model's: after a token, the model's time (its now: t0) up to the one of
 * a program that read the clock at t1; else untouched. */
static void check_tat(const struct bk *b, const struct xm_verdict *want,
		      uint64_t got, char *diff, size_t size)
{
	uint64_t lo = b->set, hi = b->set, start;

	if (want->token && want->reason != XM_LIMITED) {
		lo = want->bucket.tat;
		start = b->set > b->t1 ? b->set : b->t1;
		hi = start + b->interval;
		if (b->set < b->t0)	/* the coarse clock lags: c0 */
			lo -= SLACK_NS + (b->t0 - b->c0);
		if (b->set < b->t1)
			hi += SLACK_NS;
	}
	if (got >= lo && got <= hi)
		return;
	if (!got)
		note(diff, size, "bucket: none, want tat %+lld ns from now",
		     (long long)(lo - b->t0));
	else if (lo == hi)
		note(diff, size, "bucket tat %+lld ns from now, want %+lld"
		     " (untouched)", (long long)(got - b->t0),
		     (long long)(lo - b->t0));
	else
		note(diff, size, "bucket tat %+lld ns from now, want %+lld.."
		     "%+lld (moved by one interval, %llu ns)",
		     (long long)(got - b->t0), (long long)(lo - b->t0),
		     (long long)(hi - b->t0),
		     (unsigned long long)b->interval);
}

static int drain(struct bk *b, char *diff, size_t size)
{
	struct xf_lsrc_key k, mine;
	int n = 0;

	if (b->inner_fd < 0)
		return 0;
	lsrc_key(b, &mine);
	while (!bpf_map_get_next_key(b->inner_fd, NULL, &k)) {
		if (diff && !(b->hit && b->key.family &&
			      !memcmp(&k, &mine, sizeof(k))))
			note(diff, size, "a bucket of rule #%u (generation %u)"
			     " for another source group appeared", k.rule,
			     k.gen);
		if (bpf_map_delete_elem(b->inner_fd, &k) || ++n > 1000)
			return -EIO;
	}
	return errno == ENOENT ? 0 : -errno;
}

int bk_drain(struct bk *b)
{
	return drain(b, NULL, 0);
}

int bk_check(struct bk *b, const struct xm_verdict *want, char *diff,
	     size_t size)
{
	struct xf_lsrc_key k;
	struct xf_lsrc v = { 0 };
	int err = b->n ? read_limits(b, b->buf) : 0;
	__u32 id;

	if (err)
		return err;
	b->by_kind[b->kind] += b->hit != 0;
	b->no_token += b->hit == 2;
	for (int i = 0; i < b->n; i++) {
		id = b->ids[i];
		if (b->hit && !b->key.family && id == b->key.rule)
			check_tat(b, want, b->buf[id].tat, diff, size);
		else if (b->buf[id].tat != b->seen[id].tat)
			note(diff, size, "rule #%u's bucket moved (tat %+lld"
			     " ns from now)", id,
			     (long long)(b->buf[id].tat - b->t0));
		b->seen[id] = b->buf[id];	/* what the next frame finds */
	}
	if (b->hit && b->key.family && b->inner_fd >= 0) {
		lsrc_key(b, &k);
		if (bpf_map_lookup_elem(b->inner_fd, &k, &v))
			v.tat = 0;
		check_tat(b, want, v.tat, diff, size);
	}
	return drain(b, diff, size);
}

void bk_describe(const struct bk *b, char *buf, size_t size)
{
	char src[48] = "";

	if (!b->hit) {
		snprintf(buf, size, "no limit rule's bucket");
		return;
	}
	if (b->key.family)
		note_addr(b->key.family, b->key.addr, src, sizeof(src));
	snprintf(buf, size, "bucket of rule #%u%s%s%s, %s (interval %llu ns,"
		 " burst %llu ns): tat %s%+lld ns from now%s",
		 b->key.rule, b->key.family ? " for source group " : "", src,
		 b->key.family ? (b->gen ? "" : " (generation 0)") : "",
		 bk_kind_names[b->kind], (unsigned long long)b->interval,
		 (unsigned long long)b->burst, b->set ? "" : "0, i.e. ",
		 b->set ? (long long)(b->set - b->t0) : 0LL,
		 b->hit == 2 ? "; the frame asks no token" : "");
}
