/* SPDX-License-Identifier: GPL-2.0 */
/* xf_rule.h - rules and policies as text: parse what the user wrote, format
 * it back the same way, order and compare rules, and find overlaps. Pure
 * text and records: no maps, no libbpf.
 *
 * A rule is "PORTS PROTO [dst|src] [from PREFIX] [log [N/s]] [limit N/s
 * [burst B] [per-source [LEN]]]" or "any from PREFIX [log [N/s]]"
 * (xdp_filter.h, DESIGN.md "Rate limits"), a policy "deny" or "allow
 * [ephemeral LO-HI] [dhcp|nodhcp]". Parsers say what is wrong through xf_diag() at the
 * given location (NULL: the command line) and return XF_EINPUT.
 */
#ifndef XF_RULE_H
#define XF_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "../xdp_filter.h"
#include "xf_diag.h"

#define XF_RULE_TEXT	160	/* room for any rule or policy as text */

/* 1..max, digits only (at most 10): refuses "", "-1", "+1", " 1", "8080x",
 * "0x50". 0, or -1 without a message. */
int xf_parse_uint(const char *s, unsigned long max, unsigned long *v);
/* "N" or "N-M", 1 <= N <= M <= 65535: 0 or XF_EINPUT. */
int xf_parse_range(const char *s, const struct xf_loc *at, __u16 *lo,
		   __u16 *hi);
/* A rule from its words: 0 or XF_EINPUT after a message naming the bad
 * word. r->sets is 1 ("a rule"); the store sets the real bits. */
int xf_parse_rule(int argc, char **argv, const struct xf_loc *at,
		  struct xf_rule *r);
/* Source sets, "from @NAME": the records of xf_sets (XF_MAX_SETS, by
 * number) that names resolve through. Until they are registered, the
 * parser keeps a name aside, and xf_rule_resolve() turns it into its
 * number once they are: 0, or XF_EINPUT after "no set 'NAME'". */
void xf_rule_set_names(const struct xf_sdesc *sets);
/* The number of set `name` among sets[XF_MAX_SETS] (sets may be NULL),
 * or -1. */
int xf_set_find(const struct xf_sdesc *sets, const char *name);
/* Is r a rule "from @NAME" of set `number`? */
bool xf_rule_names_set(const struct xf_rule *r, int number);
int xf_rule_resolve(struct xf_rule *r, const struct xf_loc *at);
/* A set name: 1 to XF_SET_NAME - 1 of letters, digits, '_', '.', '-',
 * starting with a letter or digit: 0 or XF_EINPUT. */
int xf_set_name_check(const char *name, const struct xf_loc *at);
/* The rule in the syntax xf_parse_rule() reads. */
void xf_format_rule(const struct xf_rule *r, char *buf, size_t len);
/* "limit N/s [burst B] [per-source [LEN]]" as xf_format_rule() writes it
 * (burst and LEN only when not the default), or "" without a limit. */
void xf_format_limit(const struct xf_rule *r, char *buf, size_t len);
/* "tcp", "udp" or "any". */
const char *xf_proto_text(const struct xf_rule *r);
/* "ADDR/LEN" of a rule with a prefix, "@NAME" of a rule from a set. */
void xf_prefix_text(const struct xf_rule *r, char *buf, size_t len);

/* The words after "policy": nothing (show it), --json, deny, allow
 * [dhcp|nodhcp] (stateful) or allow stateless [ephemeral LO-HI]
 * [dhcp|nodhcp] ("ephemeral" implies stateless: rule files saved before
 * the stateful policy existed keep their meaning). */
struct xf_policy_args {
	bool	change;		/* false: show */
	bool	allow;
	bool	stateless;
	bool	json;
	bool	eph_given;
	__u16	eph_lo, eph_hi;
	int	dhcp;		/* -1: not given, 0: nodhcp, 1: dhcp */
};

int xf_parse_policy(int argc, char **argv, const struct xf_loc *at,
		    struct xf_policy_args *p);
/* The settings p makes of base (what is not given stays as in base; a
 * stateless allow policy without an ephemeral range in either takes the
 * host's ip_local_port_range; a stateful one has none): 0, or -ENOENT when
 * that cannot be read. */
int xf_policy_make(const struct xf_policy_args *p, const struct xf_set *base,
		   struct xf_set *out);
/* "policy deny", "policy allow dhcp|nodhcp" or "policy allow stateless
 * ephemeral LO-HI dhcp|nodhcp". */
void xf_format_policy(const struct xf_set *set, char *buf, size_t len);
bool xf_same_policy(const struct xf_set *a, const struct xf_set *b);

/* The order of list, save and apply's difference: prefix, kind, direction,
 * ports, protocols, log, limit. Identical rules end up next to each other, and so
 * do rules that could overlap. */
int xf_cmp_rule(const struct xf_rule *x, const struct xf_rule *y);
/* Its first key: family, address, length. */
int xf_cmp_prefix(const struct xf_rule *x, const struct xf_rule *y);
/* The same match and the same log and limit settings: a rule whose log or
 * limit changes is a new rule, with counters (and buckets) of its own. */
bool xf_same_rule(const struct xf_rule *a, const struct xf_rule *b);
/* Two rules that would claim the same slot. */
bool xf_overlaps(const struct xf_rule *a, const struct xf_rule *b);

#endif /* XF_RULE_H */
