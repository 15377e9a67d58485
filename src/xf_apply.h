/* SPDX-License-Identifier: GPL-2.0 */
/* xf_apply.h - whole rule sets for rulectl: apply a rules file atomically
 * (the two rule sets of xdp_filter.h), or show what it would change; apply
 * --confirm's confirmation, rollback and rollback timer.
 */
#ifndef XF_APPLY_H
#define XF_APPLY_H

#include <stdbool.h>
#include "xf_pins.h"
#include "xf_ruleset.h"

/* Under xf_lock(). Makes the active set and policy the file's, in one
 * switch; dry_run prints the difference instead; confirm_secs > 0 keeps
 * the old set and rolls back to it after that many seconds unless
 * xf_confirm() runs first. 0 or a negative errno. */
int xf_apply(struct xf_maps *m, const struct xf_ruleset *rs, bool dry_run,
	     int confirm_secs);
int xf_confirm(struct xf_maps *m);
/* Back to the set apply --confirm replaced, now. */
int xf_rollback(struct xf_maps *m);

#endif /* XF_APPLY_H */
