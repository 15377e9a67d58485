/* SPDX-License-Identifier: GPL-2.0 */
/* xf_plist.h - the content of a source set as text and as numbers: read
 * prefixes from words or a blocklist file, merge them into the fewest
 * prefixes that cover the same addresses (Python's
 * ipaddress.collapse_addresses() gives the same list), union and
 * difference, and the IPv4 two-level bitmap of xdp_filter.h ("Source
 * sets") built from such a list and read back into it. Pure: no maps, no
 * libbpf.
 *
 * A set is a set of addresses: overlapping prefixes are fine, adding what
 * is there already changes nothing, deleting a prefix removes its
 * addresses (a /24 deleted from a /16 leaves the /16's other 255 /24s).
 */
#ifndef XF_PLIST_H
#define XF_PLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "../xdp_filter.h"
#include "xf_diag.h"

struct xf_p4 {
	__u32	addr;		/* host order, host bits clear */
	__u8	len;		/* 0 .. 32 */
};

struct xf_p6 {
	__u8	addr[16];	/* network order, host bits clear */
	__u8	len;		/* 0 .. 128 */
};

/* Both families' prefixes; merged (xf_plist_merge()) or as read. */
struct xf_plist {
	struct xf_p4	*v4;
	size_t		n4, cap4;
	struct xf_p6	*v6;
	size_t		n6, cap6;
};

void xf_plist_free(struct xf_plist *l);

/* One word: "ADDR/LEN" or an address alone (/32, /128). Bad: XF_EINPUT
 * after "bad prefix 'W' (...)" at `at`; host bits set: "host bits are set
 * (did you mean NET/LEN?)", the wording of the rules' prefixes. Appends to
 * l: 0, or -ENOMEM. */
int xf_plist_word(struct xf_plist *l, const char *word,
		  const struct xf_loc *at);
/* A blocklist: one prefix per line; blank lines; comments from '#' or ';'
 * to the end of the line (also after a prefix: "1.2.3.0/24 ; SBL123");
 * more than one word on a line is an error. Each bad line is reported as
 * "FILE:LINE: why" (name: how to call the file in messages, "-" for
 * standard input is "<stdin>"); returns XF_EINPUT after all of them (at
 * most 20 printed, then "FILE: ... and N more bad lines"; l as it was),
 * -errno on a read error, 0. */
int xf_plist_read(struct xf_plist *l, FILE *f, const char *name);

/* Sorts and merges l in place: the fewest prefixes covering exactly the
 * same addresses, in address order (IPv4 then IPv6). */
void xf_plist_merge(struct xf_plist *l);
/* out = a + b, merged; a and b merged. out is overwritten (not freed
 * first) and is neither a nor b; on -ENOMEM it is left empty. 0 or
 * -ENOMEM. */
int xf_plist_union(const struct xf_plist *a, const struct xf_plist *b,
		   struct xf_plist *out);
/* out = a - b (a's addresses that are not in b), merged; a and b merged.
 * out as for xf_plist_union(). 0 or -ENOMEM. */
int xf_plist_minus(const struct xf_plist *a, const struct xf_plist *b,
		   struct xf_plist *out);
/* Appends an IPv6 prefix as it is (host bits clear): 0 or -ENOMEM. */
int xf_plist_put6(struct xf_plist *l, const __u8 addr[16], unsigned int len);
/* The same prefixes (both merged: the same addresses). */
bool xf_plist_equal(const struct xf_plist *a, const struct xf_plist *b);

/* "ADDR/LEN" of one prefix. */
void xf_p4_text(const struct xf_p4 *p, char *buf, size_t len);
void xf_p6_text(const struct xf_p6 *p, char *buf, size_t len);

/* The IPv4 level 2 entries: one /24 partly in the set. */
struct xf_set4x_ent {
	__u32		n24;	/* the /24: address >> 8 */
	struct xf_set4x	bits;
};

/* The bitmap words of xf_set4_build() and xf_set4_read(): 32 /24s each,
 * whole | part << 32 (level 1 entries hold 16: xf_srcsets.c converts). */
#define XF_PLIST_WORDS	(1U << 19)

/* XF_PLIST_WORDS words for xf_set4_build() and xf_set4_read(), on huge
 * pages where there are some (free() them), or NULL. */
__u64 *xf_set4_words(void);
/* Level 1 (words: XF_PLIST_WORDS __u64, all written) and level 2 (*parts,
 * malloc()ed, *nparts of them, by n24) of the merged IPv4 prefixes v4[n]
 * (unmerged ones give the same bitmap, a little slower). A /24 whose 256
 * addresses are all in gets its whole bit, never an entry. 0 or -ENOMEM.
 * Touching fresh memory is most of the cost at a million prefixes: words
 * is best from xf_set4_words(), on huge pages; *parts is already. */
int xf_set4_build(const struct xf_p4 *v4, size_t n, __u64 *words,
		  struct xf_set4x_ent **parts, size_t *nparts);
/* The merged IPv4 prefixes that level 1 and level 2 hold, appended to l
 * (as xf_plist_merge() would give them). parts need not be sorted.
 * 0 or -ENOMEM. */
int xf_set4_read(const __u64 *words, const struct xf_set4x_ent *parts,
		 size_t nparts, struct xf_plist *l);

#endif /* XF_PLIST_H */
