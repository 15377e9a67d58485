/* SPDX-License-Identifier: GPL-2.0 */
/* buckets.h - xf_conform's hold on the rate limits' buckets (DESIGN.md
 * "Rate limits", xdp_filter.h): before a frame, the bucket the model says
 * the frame asks for a token (or would, were it a new flow) is set to a
 * drawn state relative to the kernel's clock, in the maps (xf_limit's tat,
 * or the source's entry in xf_lsrc's inner LRU map) and for the model
 * alike; after the frame, what the program made of the bucket is read back
 * and held to the model's, within the window of the program's own clock
 * read, and no other bucket may have moved.
 *
 * The clock: bpf_ktime_get_ns() is CLOCK_MONOTONIC, and
 * bpf_ktime_get_coarse_ns() (most rules) lags it by a tick or more. The
 * tool reads both, writes the bucket, then runs the frame: the program's
 * time is between the coarse read before (c0) and the precise one after
 * (t1). Every drawn state is at least BK_MARGIN_NS away from the time at
 * which the verdict would flip, so that window cannot change the verdict;
 * a run that took longer than that (a stalled CPU) is not judged but
 * retried (bk_slow()).
 */
#ifndef XF_CONFORM_BUCKETS_H
#define XF_CONFORM_BUCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../../xdp_filter.h"
#include "gen.h"
#include "model.h"

#define BK_MARGIN_NS	50000000ULL	/* 50 ms */
#define BK_IDS		64		/* rule ids the tool uses: 1 .. 63 */
#define BK_MAX_LIMITS	32		/* limit rules of one rule set */

/* The drawn states of a bucket, relative to now and to the edge (the
 * latest tat at which a packet still conforms: now + burst - interval). */
enum bk_kind {
	BK_FULL,	/* tat 0, or no per-source entry (a new source) */
	BK_PAST,	/* a second in the past: full as well */
	BK_ROOM,	/* BK_MARGIN_NS before the edge: one token left */
	BK_EMPTY,	/* BK_MARGIN_NS past the edge: no token */
	BK_FAR,		/* ten seconds past the edge */
	BK_KINDS,
};

struct bk {
	int		limit_fd;	/* xf_limit */
	int		lsrc_fd;	/* xf_lsrc, the outer map */
	int		inner_fd;	/* its entry 0, -1: none */
	/* The active rule set's limit rules, and xf_limit's entries as the
	 * last frame left them (or as primed), by id. */
	__u32		ids[BK_MAX_LIMITS];
	int		n;
	struct xf_limit	seen[BK_IDS], buf[BK_IDS];
	/* The frame's: the bucket (hit 0: none), its state, the times. */
	int		hit;		/* 0 none, 1 asks a token, 2 would not
					 * (TCP past its SYN) */
	struct xm_bucket key;
	uint64_t	interval, burst;
	__u32		gen;
	int		kind;		/* enum bk_kind */
	uint64_t	set;		/* the tat written, 0: none */
	uint64_t	t0, t1;		/* the clock before it, after the run */
	uint64_t	c0;		/* the coarse clock just before t0 */
	long		slow;		/* runs retried */
	long		by_kind[BK_KINDS];	/* frames judged, per state */
	long		no_token;	/* ... of them TCP past its SYN */
};

extern const char *const bk_kind_names[BK_KINDS];

/* CLOCK_MONOTONIC in ns: bpf_ktime_get_ns()'s clock. */
uint64_t bk_now(void);
/* The maps of the object (xf_limit, xf_lsrc), nothing held yet. */
void bk_init(struct bk *b, int limit_fd, int lsrc_fd);
/* A new rule set is active: its limit rules (the model's rules, with
 * their ids, all below BK_IDS), and the per-source table the store made
 * for them, if any. 0 or -errno. */
int bk_enter(struct bk *b, const struct xm_rule *rules, size_t n);
/* Before a frame that the model says hits bucket key (hit: as
 * xm_bucket_of(), 0 none) of rule r: draws its state with rng, writes it
 * into the maps and into lim, the model's table (which it empties), with
 * lim->now the clock read just before. 0 or -errno. */
int bk_prime(struct bk *b, struct rng *rng, int hit,
	     const struct xm_bucket *key, const struct xm_rule *r,
	     struct xm_limits *lim);
/* Empties the per-source table (before a frame is run again). 0 or
 * -errno. */
int bk_drain(struct bk *b);
/* After the frame's run: the clock; true when the run took so long that
 * the drawn margin may not have held (the frame must be run again). */
bool bk_slow(struct bk *b);
/* What the program left in the buckets against the model's verdict:
 * differences appended to diff ("; "-separated). Then empties the
 * per-source table, so the next frame finds only what it set. 0, or
 * -errno when a map cannot be read. */
int bk_check(struct bk *b, const struct xm_verdict *want, char *diff,
	     size_t size);
/* The frame's bucket and its drawn state, in words, for a mismatch. */
void bk_describe(const struct bk *b, char *buf, size_t size);
void bk_close(struct bk *b);

#endif /* XF_CONFORM_BUCKETS_H */
