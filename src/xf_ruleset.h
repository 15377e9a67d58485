/* SPDX-License-Identifier: GPL-2.0 */
/* xf_ruleset.h - rules files: one rule per line as 'add' takes it, at most
 * one policy line, '#' comments, blank lines. Reading one checks every line
 * and every pair of rules before anything is touched.
 */
#ifndef XF_RULESET_H
#define XF_RULESET_H

#include "xf_rule.h"

struct xf_ruleset {
	struct xf_rule	*r;		/* file order, repeated rules dropped */
	unsigned int	*line;		/* the line of each rule */
	__u32		n;
	struct xf_set	policy;		/* deny when the file has no policy */
	unsigned int	policy_line;
	const char	*name;		/* the path, or "<stdin>" for "-" */
};

/* Reads path ("-": standard input) and checks every line and every pair of
 * rules: 0, or XF_EINPUT after a "FILE:LINE: why" per bad line (a negative
 * errno when the file cannot be read for another reason than its
 * contents). */
int xf_read_ruleset(const char *path, struct xf_ruleset *rs);
void xf_free_ruleset(struct xf_ruleset *rs);
/* Once the sets' records are read (xf_read_sets()): the set of each rule
 * "from @NAME", by number; 0, or XF_EINPUT after a "FILE:LINE: no set
 * 'NAME'" for each rule naming a set that does not exist. */
int xf_resolve_ruleset(struct xf_ruleset *rs);

#endif /* XF_RULESET_H */
