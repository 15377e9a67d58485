// SPDX-License-Identifier: GPL-2.0
/* xf_plist.c - the content of a source set: prefix words and blocklist
 * files, the merged form, union and difference, and the IPv4 two-level
 * bitmap; see xf_plist.h.
 *
 * Everything works on address ranges: a family's prefixes, in address
 * order, are the ranges they cover; touching or overlapping ranges join,
 * and each joined range is cut back into the largest aligned blocks, left
 * to right. That is the one fewest-prefix form of a set of addresses, the
 * list Python's ipaddress.collapse_addresses() gives. Addresses are
 * unsigned __int128 in both families (IPv4 in the low 32 bits).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xf_plist.h"

__extension__ typedef unsigned __int128 u128;

#define BAD_SHOWN	20	/* bad lines of a file printed, at most */
#define WORD_SHOWN	64	/* bytes of a bad word a message shows */
#define WHY_LEN		256
#define SPACE		" \t\r\n\v\f"
#define HUGE_PAGE	(2UL << 20)
#define HUGE_AT		(2 * HUGE_PAGE)	/* big_alloc() sizes that get them */

void xf_plist_free(struct xf_plist *l)
{
	free(l->v4);
	free(l->v6);
	memset(l, 0, sizeof(*l));
}

/* ---- numbers ---- */

/* The low `bits` bits set (bits 0 .. 128). */
static u128 ones(unsigned int bits)
{
	return bits >= 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
}

static unsigned int ctz128(u128 v)
{
	__u64 lo = (__u64)v;

	return lo ? (unsigned int)__builtin_ctzll(lo) :
		    64 + (unsigned int)__builtin_ctzll((__u64)(v >> 64));
}

/* The highest bit set of v != 0. */
static unsigned int log2_128(u128 v)
{
	__u64 hi = (__u64)(v >> 64);

	return hi ? 127 - (unsigned int)__builtin_clzll(hi) :
		    63 - (unsigned int)__builtin_clzll((__u64)v);
}

static u128 bytes_num(const __u8 a[16])
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

static void num_bytes(u128 v, __u8 a[16])
{
	for (int i = 15; i >= 0; i--, v >>= 8)
		a[i] = (__u8)v;
}

/* The range of prefix i of l's IPv4 (v6 false) or IPv6 list. */
static void span_at(const struct xf_plist *l, bool v6, size_t i, u128 *lo,
		    u128 *hi)
{
	unsigned int bits = v6 ? 128 : 32;
	unsigned int len = v6 ? l->v6[i].len : l->v4[i].len;
	u128 host = ones(bits - (len > bits ? bits : len));

	*lo = (v6 ? bytes_num(l->v6[i].addr) : l->v4[i].addr) & ~host;
	*hi = *lo | host;
}

static size_t count_of(const struct xf_plist *l, bool v6)
{
	return v6 ? l->n6 : l->n4;
}

/* ---- memory ---- */

/* malloc() for small sizes; large ones aligned to and advised to be
 * transparent huge pages, as free() takes them too. Touching fresh 4 KiB
 * pages one by one is most of the time a million prefixes take (in a VM,
 * ten times all the rest). */
static void *big_alloc(size_t size)
{
	void *p;

	if (size < HUGE_AT)
		return malloc(size ? size : 1);
	size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = aligned_alloc(HUGE_PAGE, size);
	if (p)
		madvise(p, size, MADV_HUGEPAGE);	/* only advice */
	return p;
}

__u64 *xf_set4_words(void)
{
	return big_alloc((size_t)XF_PLIST_WORDS * sizeof(__u64));
}

/* v (n used, *cap of elem bytes) twice as large, or NULL (v untouched). */
static void *grown(void *v, size_t n, size_t *cap, size_t elem)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (c * elem < HUGE_AT) {
		p = realloc(v, c * elem);
	} else {
		p = big_alloc(c * elem);
		if (p) {
			memcpy(p, v, n * elem);
			free(v);
		}
	}
	if (p)
		*cap = c;
	return p;
}

/* Room for n more IPv4 prefixes in l at once (growing one doubling at
 * a time copies and touches more). */
static int reserve4(struct xf_plist *l, size_t n)
{
	struct xf_p4 *v;
	size_t cap;

	if (l->cap4 - l->n4 >= n)
		return 0;
	cap = l->n4 + n;
	v = big_alloc(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (l->n4)
		memcpy(v, l->v4, l->n4 * sizeof(*v));
	free(l->v4);
	l->v4 = v;
	l->cap4 = cap;
	return 0;
}

/* ---- appending ---- */

static int put4(struct xf_plist *l, __u32 addr, unsigned int len)
{
	if (l->n4 == l->cap4) {
		struct xf_p4 *v = grown(l->v4, l->n4, &l->cap4, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v4 = v;
	}
	l->v4[l->n4++] = (struct xf_p4){ .addr = addr, .len = (__u8)len };
	return 0;
}

int xf_plist_put6(struct xf_plist *l, const __u8 addr[16], unsigned int len)
{
	if (l->n6 == l->cap6) {
		struct xf_p6 *v = grown(l->v6, l->n6, &l->cap6, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v6 = v;
	}
	memcpy(l->v6[l->n6].addr, addr, 16);
	l->v6[l->n6++].len = (__u8)len;
	return 0;
}

static int put(struct xf_plist *l, bool v6, u128 addr, unsigned int len)
{
	__u8 a[16];

	if (!v6)
		return put4(l, (__u32)addr, len);
	num_bytes(addr, a);
	return xf_plist_put6(l, a, len);
}

/* ---- ranges ---- */

/* Ranges coming in address order (lo never decreasing): the open one
 * grows while the next touches or overlaps it, and goes into l as
 * prefixes (of width bits) when one does not. */
struct ranges {
	struct xf_plist	*l;
	unsigned int	bits;	/* 32 or 128 */
	bool		open;
	u128		lo, hi;
	int		err;
};

/* The open range as the largest aligned blocks, left to right. */
static void cut(struct ranges *r)
{
	u128 lo = r->lo, hi = r->hi;

	for (;;) {
		unsigned int k = lo ? ctz128(lo) : r->bits;
		u128 span = hi - lo;	/* addresses - 1 */
		unsigned int fit = span == ones(r->bits) ? r->bits :
				   log2_128(span + 1);

		if (fit < k)
			k = fit;
		if (!r->err)
			r->err = put(r->l, r->bits == 128, lo, r->bits - k);
		if (ones(k) == span)
			break;
		lo += ones(k) + 1;
	}
}

static void add(struct ranges *r, u128 lo, u128 hi)
{
	if (r->open && (lo <= r->hi || lo - 1 <= r->hi)) {
		if (hi > r->hi)
			r->hi = hi;
		return;
	}
	if (r->open)
		cut(r);
	r->open = true;
	r->lo = lo;
	r->hi = hi;
}

static int finish(struct ranges *r)
{
	if (r->open)
		cut(r);
	r->open = false;
	return r->err;
}

/* ---- sorting ---- */

/* Sorts keys stably by their bits shift .. shift + nbits - 1; tmp holds
 * n more. */
static void radix(__u64 *keys, __u64 *tmp, size_t n, unsigned int shift,
		  unsigned int nbits)
{
	__u64 *from = keys, *to = tmp, *t;

	for (unsigned int d = shift; d < shift + nbits; d += 11) {
		size_t count[2048] = { 0 }, sum = 0;

		for (size_t i = 0; i < n; i++)
			count[from[i] >> d & 2047]++;
		for (size_t c = 0; c < 2048; c++) {
			size_t k = count[c];

			count[c] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			to[count[from[i] >> d & 2047]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != keys)
		memcpy(keys, from, n * sizeof(*keys));
}

/* The same for IPv4 prefixes, by address alone (what merging needs). */
static void radix4(struct xf_p4 *v, struct xf_p4 *tmp, size_t n)
{
	struct xf_p4 *from = v, *to = tmp, *t;

	for (unsigned int d = 0; d < 32; d += 11) {
		size_t count[2048] = { 0 }, sum = 0;

		for (size_t i = 0; i < n; i++)
			count[from[i].addr >> d & 2047]++;
		for (size_t c = 0; c < 2048; c++) {
			size_t k = count[c];

			count[c] = sum;
			sum += k;
		}
		for (size_t i = 0; i < n; i++)
			to[count[from[i].addr >> d & 2047]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
}

static int cmp4(const void *a, const void *b)
{
	const struct xf_p4 *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static int cmp6(const void *a, const void *b)
{
	const struct xf_p6 *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	return c ? c : (int)x->len - (int)y->len;
}

/* By address: a radix sort, or qsort() when small or short of memory. */
static void sort4(struct xf_p4 *v, size_t n)
{
	struct xf_p4 *tmp = n >= 1024 ? big_alloc(n * sizeof(*v)) : NULL;

	if (!tmp) {
		qsort(v, n, sizeof(*v), cmp4);
		return;
	}
	radix4(v, tmp, n);
	free(tmp);
}

/* ---- merging, union, difference ---- */

/* In place: the prefixes of one range come from at least as many input
 * prefixes, so what is written never passes what is still to be read. */
static void merge_family(struct xf_plist *l, bool v6)
{
	struct ranges r = { .l = l, .bits = v6 ? 128 : 32 };
	size_t n = count_of(l, v6);
	u128 lo, hi;

	if (v6) {
		qsort(l->v6, n, sizeof(*l->v6), cmp6);
		l->n6 = 0;
	} else {
		sort4(l->v4, n);
		l->n4 = 0;
	}
	for (size_t i = 0; i < n; i++) {
		span_at(l, v6, i, &lo, &hi);
		add(&r, lo, hi);
	}
	finish(&r);
}

void xf_plist_merge(struct xf_plist *l)
{
	merge_family(l, false);
	merge_family(l, true);
}

int xf_plist_union(const struct xf_plist *a, const struct xf_plist *b,
		   struct xf_plist *out)
{
	memset(out, 0, sizeof(*out));
	out->cap4 = a->n4 + b->n4;
	out->cap6 = a->n6 + b->n6;
	out->v4 = big_alloc(out->cap4 * sizeof(*out->v4));
	out->v6 = big_alloc(out->cap6 * sizeof(*out->v6));
	if (!out->v4 || !out->v6) {
		xf_plist_free(out);
		return -ENOMEM;
	}
	if (a->n4)
		memcpy(out->v4, a->v4, a->n4 * sizeof(*a->v4));
	if (b->n4)
		memcpy(out->v4 + a->n4, b->v4, b->n4 * sizeof(*b->v4));
	if (a->n6)
		memcpy(out->v6, a->v6, a->n6 * sizeof(*a->v6));
	if (b->n6)
		memcpy(out->v6 + a->n6, b->v6, b->n6 * sizeof(*b->v6));
	out->n4 = out->cap4;
	out->n6 = out->cap6;
	xf_plist_merge(out);
	return 0;
}

/* a - b of one family into out: both merged (sorted, disjoint). */
static int minus_family(const struct xf_plist *a, const struct xf_plist *b,
			bool v6, struct xf_plist *out)
{
	struct ranges r = { .l = out, .bits = v6 ? 128 : 32 };
	size_t na = count_of(a, v6), nb = count_of(b, v6), j = 0;
	u128 lo, hi, blo, bhi;

	for (size_t i = 0; i < na; i++) {
		bool gone = false;

		span_at(a, v6, i, &lo, &hi);
		for (; j < nb; j++) {
			span_at(b, v6, j, &blo, &bhi);
			if (bhi < lo)
				continue;
			if (blo > hi)
				break;
			if (blo > lo)
				add(&r, lo, blo - 1);
			if (bhi >= hi) {
				gone = true;
				break;
			}
			lo = bhi + 1;
		}
		if (!gone)
			add(&r, lo, hi);
	}
	return finish(&r);
}

int xf_plist_minus(const struct xf_plist *a, const struct xf_plist *b,
		   struct xf_plist *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = minus_family(a, b, false, out);
	if (!ret)
		ret = minus_family(a, b, true, out);
	if (ret)
		xf_plist_free(out);
	return ret;
}

bool xf_plist_equal(const struct xf_plist *a, const struct xf_plist *b)
{
	if (a->n4 != b->n4 || a->n6 != b->n6)
		return false;
	for (size_t i = 0; i < a->n4; i++)
		if (a->v4[i].addr != b->v4[i].addr ||
		    a->v4[i].len != b->v4[i].len)
			return false;
	for (size_t i = 0; i < a->n6; i++)
		if (memcmp(a->v6[i].addr, b->v6[i].addr, 16) ||
		    a->v6[i].len != b->v6[i].len)
			return false;
	return true;
}

void xf_p4_text(const struct xf_p4 *p, char *buf, size_t len)
{
	char addr[INET_ADDRSTRLEN] = "";
	__u32 net = htonl(p->addr);

	inet_ntop(AF_INET, &net, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, p->len);
}

void xf_p6_text(const struct xf_p6 *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "";

	inet_ntop(AF_INET6, p->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, p->len);
}

/* ---- words and files ---- */

/* Writes "bad prefix 'W'" and what follows into why, W cut short when
 * long. */
static int bad_word(char *why, size_t n, const char *w, const char *fmt,
		    const char *rest)
{
	int cut = strlen(w) > WORD_SHOWN;

	snprintf(why, n, fmt, WORD_SHOWN, w, cut ? "..." : "", rest);
	return 0;
}

/* The length after the slash (NULL: none), as the rules read it. */
static int parse_len(const char *slash, const char *w, int family,
		     unsigned int *len, char *why, size_t n)
{
	unsigned int max = family == 4 ? 32 : 128;
	unsigned long v;
	char *end;

	*len = max;
	if (!slash)
		return family;
	errno = 0;
	v = strtoul(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end || errno || v > max) {
		char rest[40];

		snprintf(rest, sizeof(rest), " (IPv%d allows /0 to /%u)",
			 family, max);
		return bad_word(why, n, w, "bad prefix length in '%.*s%s'%s",
				rest);
	}
	*len = (unsigned int)v;
	return family;
}

/* One word: 4 or 6 with the address (network order; IPv4 in the first 4
 * bytes) and length, or 0 with why it is bad. The rules' wording
 * (xf_rule.c). */
static int parse_word(const char *w, __u8 addr[16], unsigned int *len,
		      char *why, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 8], net[INET6_ADDRSTRLEN];
	const char *slash = strchr(w, '/');
	size_t alen = slash ? (size_t)(slash - w) : strlen(w);
	int family = 0;
	u128 v, host;

	memset(addr, 0, 16);
	if (strlen(w) < sizeof(buf)) {
		memcpy(buf, w, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET, buf, addr) == 1)
			family = 4;
		else if (inet_pton(AF_INET6, buf, addr) == 1)
			family = 6;
	}
	if (!family)
		return bad_word(why, n, w, "bad prefix '%.*s%s'%s",
				" (expected an IPv4 or IPv6 address/length,"
				" such as 198.18.0.0/15)");
	if (!parse_len(slash, w, family, len, why, n))
		return 0;
	v = family == 4 ? bytes_num(addr) >> 96 : bytes_num(addr);
	host = ones((family == 4 ? 32 : 128) - *len);
	if (!(v & host))
		return family;
	if (family == 4) {
		__u32 a = htonl((__u32)(v & ~host));

		inet_ntop(AF_INET, &a, net, sizeof(net));
	} else {
		__u8 a[16];

		num_bytes(v & ~host, a);
		inet_ntop(AF_INET6, a, net, sizeof(net));
	}
	snprintf(why, n, "bad prefix '%s': host bits are set (did you mean"
		 " %s/%u?)", w, net, *len);
	return 0;
}

static int put_parsed(struct xf_plist *l, int family, const __u8 a[16],
		      unsigned int len)
{
	if (family == 6)
		return xf_plist_put6(l, a, len);
	return put4(l, (__u32)a[0] << 24 | (__u32)a[1] << 16 |
		       (__u32)a[2] << 8 | a[3], len);
}

int xf_plist_word(struct xf_plist *l, const char *word,
		  const struct xf_loc *at)
{
	char why[WHY_LEN];
	unsigned int len;
	__u8 a[16];
	int family = parse_word(word, a, &len, why, sizeof(why));

	if (!family)
		return xf_diag(XF_EINPUT, at, "%s", why);
	return put_parsed(l, family, a, len);
}

/* One line of a blocklist (n bytes; it may hold a NUL): 1 when it held
 * nothing, 0 after appending its prefix, -ENOMEM, or XF_EINPUT with why. */
static int read_line(struct xf_plist *l, char *s, size_t n, char *why,
		     size_t wn)
{
	unsigned int len;
	char *w, *end;
	int family;
	__u8 a[16];

	if (strlen(s) != n) {
		snprintf(why, wn, "a NUL byte (not a text file?)");
		return XF_EINPUT;
	}
	s[strcspn(s, "#;")] = '\0';
	w = s + strspn(s, SPACE);
	if (!*w)
		return 1;
	end = w + strcspn(w, SPACE);
	if (*end) {
		*end++ = '\0';
		end += strspn(end, SPACE);
	}
	family = parse_word(w, a, &len, why, wn);
	if (!family)
		return XF_EINPUT;
	if (*end) {
		end[strcspn(end, SPACE)] = '\0';
		bad_word(why, wn, end, "expected one prefix, found '%.*s%s'"
			 " after it%s", "");
		return XF_EINPUT;
	}
	return put_parsed(l, family, a, len);
}

/* After the lines: the count of bad ones past those printed, and a read
 * error. */
static int read_end(FILE *f, const char *name, unsigned long bad)
{
	int err = errno;

	if (ferror(f))
		return xf_diag(-(err ? err : EIO), NULL, "%s: %s", name,
			       strerror(err ? err : EIO));
	if (bad > BAD_SHOWN)
		fprintf(stderr, "%s: ... and %lu more bad lines\n", name,
			bad - BAD_SHOWN);
	return bad ? XF_EINPUT : 0;
}

int xf_plist_read(struct xf_plist *l, FILE *f, const char *name)
{
	struct xf_loc at = { strcmp(name, "-") ? name : "<stdin>", 0 };
	size_t n4 = l->n4, n6 = l->n6, cap = 0;
	unsigned long bad = 0;
	char *line = NULL, why[WHY_LEN];
	ssize_t got;
	int ret = 0;

	errno = 0;
	while ((got = getline(&line, &cap, f)) >= 0) {
		at.line++;
		ret = read_line(l, line, (size_t)got, why, sizeof(why));
		if (ret == -ENOMEM)
			break;
		if (ret == XF_EINPUT && ++bad <= BAD_SHOWN)
			xf_diag(XF_EINPUT, &at, "%s", why);
		errno = 0;
	}
	free(line);
	if (ret == -ENOMEM)
		ret = xf_diag(-ENOMEM, NULL, "%s: out of memory", at.file);
	else
		ret = read_end(f, at.file, bad);
	if (ret) {
		l->n4 = n4;
		l->n6 = n6;
	}
	return ret;
}

/* ---- the IPv4 two-level bitmap ---- */

struct parts {
	struct xf_set4x_ent	*v;
	size_t			n;
	bool			unsorted;
};

/* How many level-2 entries part_of() makes for v4[n]: one each time a
 * prefix longer than /24 is in another /24 than the one before. */
static size_t parts_needed(const struct xf_p4 *v4, size_t n)
{
	size_t k = 0;
	__u32 last = 0;

	for (size_t i = 0; i < n; i++) {
		if (v4[i].len <= 24 || (k && v4[i].addr >> 8 == last))
			continue;
		last = v4[i].addr >> 8;
		k++;
	}
	return k;
}

/* The level-2 entry of n24: the last one, or a new one (room counted by
 * parts_needed()). */
static struct xf_set4x_ent *part_of(struct parts *p, __u32 n24)
{
	if (p->n && p->v[p->n - 1].n24 == n24)
		return &p->v[p->n - 1];
	if (p->n && p->v[p->n - 1].n24 > n24)
		p->unsorted = true;
	memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
	p->v[p->n].n24 = n24;
	return &p->v[p->n++];
}

/* Whole bits for count /24s from n24 (count a power of 2, n24 aligned). */
static void set_whole(__u64 *words, __u32 n24, __u32 count)
{
	if (count >= 32) {
		for (__u32 w = n24 >> 5; w < (n24 + count) >> 5; w++)
			words[w] |= 0xffffffffULL;
		return;
	}
	words[n24 >> 5] |= ((1ULL << count) - 1) << (n24 & 31);
}

/* The addresses of p (longer than /24) in its level-2 bits. */
static void set_part(__u64 bits[4], const struct xf_p4 *p)
{
	__u32 off = p->addr & 255, size = 1U << (32 - p->len);

	if (size >= 64) {
		for (__u32 i = 0; i < size / 64; i++)
			bits[off / 64 + i] = ~0ULL;
		return;
	}
	bits[off / 64] |= ((1ULL << size) - 1) << (off % 64);
}

static int cmp_part(const void *a, const void *b)
{
	const struct xf_set4x_ent *x = a, *y = b;

	return x->n24 < y->n24 ? -1 : x->n24 > y->n24;
}

static bool all_set(const __u64 b[4])
{
	return (b[0] & b[1] & b[2] & b[3]) == ~0ULL;
}

/* Sorted, one entry a /24; a /24 whole (or all 256 bits) gets its whole
 * bit instead of an entry; the partial bits of the rest. */
static void settle(__u64 *words, struct parts *p)
{
	size_t k = 0;

	if (p->unsorted)
		qsort(p->v, p->n, sizeof(*p->v), cmp_part);
	for (size_t i = 0; i < p->n; i++) {
		struct xf_set4x_ent *e = &p->v[i];
		__u64 *w = &words[e->n24 >> 5], bit = 1ULL << (e->n24 & 31);

		if (k && p->v[k - 1].n24 == e->n24) {	/* once more */
			for (int j = 0; j < 4; j++)
				p->v[k - 1].bits.bits[j] |= e->bits.bits[j];
			k--;
		} else {
			p->v[k] = *e;
		}
		if ((*w & bit) || all_set(p->v[k].bits.bits)) {
			*w = (*w & ~(bit << 32)) | bit;
		} else {
			*w |= bit << 32;
			k++;
		}
	}
	p->n = k;
}

int xf_set4_build(const struct xf_p4 *v4, size_t n, __u64 *words,
		  struct xf_set4x_ent **parts, size_t *nparts)
{
	struct parts p = { 0 };

	memset(words, 0, XF_PLIST_WORDS * sizeof(*words));
	*parts = NULL;
	*nparts = 0;
	p.v = big_alloc(parts_needed(v4, n) * sizeof(*p.v));
	if (!p.v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (v4[i].len <= 24)
			set_whole(words, v4[i].addr >> 8,
				  1U << (24 - v4[i].len));
		else
			set_part(part_of(&p, v4[i].addr >> 8)->bits.bits,
				 &v4[i]);
	}
	settle(words, &p);
	*parts = p.v;
	*nparts = p.n;
	return 0;
}

/* The first bit at or after from that is set (want) or clear, or 256. */
static unsigned int next_bit(const __u64 b[4], unsigned int from, bool want)
{
	for (unsigned int w = from / 64; w < 4; w++) {
		__u64 v = want ? b[w] : ~b[w];

		if (w == from / 64)
			v &= ~0ULL << (from % 64);
		if (v)
			return w * 64 + (unsigned int)__builtin_ctzll(v);
	}
	return 256;
}

/* The level-2 entries of n24 (parts in order[], or as they are when
 * NULL; *k the first not passed yet) as ranges. */
static void read_part(struct ranges *r, __u32 n24,
		      const struct xf_set4x_ent *parts, const __u64 *order,
		      size_t nparts, size_t *k)
{
	__u64 bits[4] = { 0 };
	unsigned int s = 0, e;

	for (; *k < nparts; ++*k) {
		const struct xf_set4x_ent *p =
			&parts[order ? (size_t)(__u32)order[*k] : *k];

		if (p->n24 > n24)
			break;
		for (int j = 0; p->n24 == n24 && j < 4; j++)
			bits[j] |= p->bits.bits[j];
	}
	while ((s = next_bit(bits, s, true)) < 256) {
		e = next_bit(bits, s, false);
		add(r, ((u128)n24 << 8) + s, ((u128)n24 << 8) + e - 1);
		s = e;
	}
}

/* One level-1 word (/24s w * 32 .. w * 32 + 31) as ranges. */
static void read_word(struct ranges *r, __u32 w, __u64 v,
		      const struct xf_set4x_ent *parts, const __u64 *order,
		      size_t nparts, size_t *k)
{
	__u32 whole = (__u32)v, part = (__u32)(v >> 32) & ~whole;

	if (whole == 0xffffffffU) {
		add(r, (u128)w << 13, ((u128)(w + 1) << 13) - 1);
		return;
	}
	while (whole | part) {
		unsigned int b = (unsigned int)__builtin_ctz(whole | part);
		__u32 n24 = w << 5 | b;

		if (whole >> b & 1)
			add(r, (u128)n24 << 8, (u128)n24 << 8 | 255);
		else
			read_part(r, n24, parts, order, nparts, k);
		whole &= ~(1U << b);
		part &= ~(1U << b);
	}
}

static bool parts_sorted(const struct xf_set4x_ent *parts, size_t nparts)
{
	for (size_t i = 1; i < nparts; i++)
		if (parts[i].n24 < parts[i - 1].n24)
			return false;
	return true;
}

/* parts' indexes by n24 (the low half; the n24 in the high half). NULL:
 * no memory. */
static __u64 *part_order(const struct xf_set4x_ent *parts, size_t nparts)
{
	__u64 *order = big_alloc(2 * nparts * sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < nparts; i++)
		order[i] = (__u64)parts[i].n24 << 32 | i;
	radix(order, order + nparts, nparts, 32, 24);
	return order;
}

int xf_set4_read(const __u64 *words, const struct xf_set4x_ent *parts,
		 size_t nparts, struct xf_plist *l)
{
	struct ranges r = { .l = l, .bits = 32 };
	__u64 *order = NULL;
	size_t k = 0;
	int ret;

	if (reserve4(l, nparts + 1024))
		return -ENOMEM;
	if (!parts_sorted(parts, nparts)) {
		order = part_order(parts, nparts);
		if (!order)
			return -ENOMEM;
	}
	for (__u32 w = 0; w < XF_PLIST_WORDS; w++)
		if (words[w])
			read_word(&r, w, words[w], parts, order, nparts, &k);
	ret = finish(&r);
	free(order);
	return ret;
}
