/* SPDX-License-Identifier: GPL-2.0 */
/* xf_apply.h - whole rule sets for rulectl: reading a rules file, applying
 * it atomically (the two rule sets of xdp_filter.h), and apply --confirm's
 * confirmation and rollback. Functions print their own diagnostics.
 */
#ifndef XF_APPLY_H
#define XF_APPLY_H

#include <limits.h>
#include "xf_maps.h"

#define PATH_MAX_WHERE	(PATH_MAX + 16)	/* "FILE:LINE" */

/* A rules file: one rule per line as 'add' takes it, at most one policy
 * line, '#' comments, blank lines. */
struct xf_ruleset {
	struct xf_rdesc *r;	/* file order, repeated rules dropped */
	int *line;		/* the line of each rule */
	__u32 n;
	struct xf_set policy;	/* deny when the file has no policy line */
	int policy_line;
};

/* Reads path ("-": standard input) and checks every line and every pair
 * of rules: 0, or 2 after a "FILE:LINE: why" per bad line (1 when the
 * file cannot be read for another reason than its contents). */
int xf_read_ruleset(const char *path, struct xf_ruleset *rs);
void xf_free_ruleset(struct xf_ruleset *rs);

/* Under xf_lock(). Makes the active set the file's, in one switch: 0 or
 * 1. dry_run prints the difference instead; confirm_secs > 0 keeps the old
 * set and rolls back to it after that many seconds unless xf_confirm()
 * runs first. */
int xf_apply(struct xf_maps *m, const struct xf_ruleset *rs, const char *name,
	     int dry_run, int confirm_secs);
int xf_confirm(struct xf_maps *m);
/* Back to the set apply --confirm replaced: 0, or 1 on failure. by_timer:
 * only if this process is still the timer of record (-1 when not). */
int xf_rollback(struct xf_maps *m, int by_timer);
/* Takes every rule of a set no packet uses out of the maps. */
int xf_clear_set(struct xf_maps *m, __u32 set);
/* Returns once no XDP run that started before the call is still running. */
int xf_wait_readers(void);

#endif /* XF_APPLY_H */
