// SPDX-License-Identifier: GPL-2.0
/* xfplist - the prefix-list library (src/xf_plist.c) from the command
 * line, for tests/61-plist.bats to hold against Python's ipaddress:
 *
 *   xfplist merge FILE          FILE's prefixes, merged
 *   xfplist roundtrip FILE      the same, through the IPv4 two-level bitmap
 *                               (levels 1 and 2 built, the level-2 entries
 *                               shuffled, read back; IPv6 as merged); exit
 *                               1 if that differs from the merged list, or
 *                               if the bitmap built from the prefixes as
 *                               read (unsorted, overlapping) reads back
 *                               otherwise
 *   xfplist union FILE1 FILE2   FILE1 + FILE2, merged
 *   xfplist minus FILE1 FILE2   FILE1 - FILE2, merged
 *   xfplist timing FILE         how long read, merge, build and read back
 *                               take, on stderr (by hand; tests time
 *                               nothing)
 *
 * Output: one prefix a line, IPv4 then IPv6. FILE "-" is standard input.
 * Exit status as rulectl's: 0, 1 runtime failure, 2 bad usage or input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "../../src/xf_plist.h"

/* FILE's prefixes as they are (merged: load()). */
static int read_file(const char *name, struct xf_plist *l)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	int ret;

	memset(l, 0, sizeof(*l));
	if (!f)
		return xf_diag(errno == ENOENT ? XF_EINPUT : -errno, NULL,
			       "%s: %s", name, strerror(errno));
	ret = xf_plist_read(l, f, name);
	if (f != stdin)
		fclose(f);
	if (ret)
		xf_plist_free(l);
	return ret;
}

static int load(const char *name, struct xf_plist *l)
{
	int ret = read_file(name, l);

	if (!ret)
		xf_plist_merge(l);
	return ret;
}

static void print(const struct xf_plist *l)
{
	char buf[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < l->n4; i++) {
		xf_p4_text(&l->v4[i], buf, sizeof(buf));
		puts(buf);
	}
	for (size_t i = 0; i < l->n6; i++) {
		xf_p6_text(&l->v6[i], buf, sizeof(buf));
		puts(buf);
	}
}

/* The level-2 entries in a fixed pseudo-random order. */
static void shuffle(struct xf_set4x_ent *v, size_t n)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = n; i > 1; i--) {
		struct xf_set4x_ent t;
		size_t j;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % i;
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* l's IPv4 through the bitmap into back (IPv6 copied). */
static int through_bitmap(const struct xf_plist *l, struct xf_plist *back)
{
	__u64 *words = xf_set4_words();
	struct xf_set4x_ent *parts = NULL;
	size_t nparts = 0;
	int ret = words ? 0 : -ENOMEM;

	memset(back, 0, sizeof(*back));
	if (!ret)
		ret = xf_set4_build(l->v4, l->n4, words, &parts, &nparts);
	if (!ret) {
		shuffle(parts, nparts);
		ret = xf_set4_read(words, parts, nparts, back);
	}
	if (!ret && l->n6) {
		back->v6 = malloc(l->n6 * sizeof(*back->v6));
		if (back->v6) {
			memcpy(back->v6, l->v6, l->n6 * sizeof(*l->v6));
			back->n6 = back->cap6 = l->n6;
		} else {
			ret = -ENOMEM;
		}
	}
	free(words);
	free(parts);
	return ret ? xf_diag(ret, NULL, "the bitmap: %s", strerror(-ret)) : 0;
}

/* The bitmap of l's IPv4 prefixes unmerged (unsorted, overlapping, a
 * /24 in 256 pieces) reads back as merged's. */
static int raw_bitmap(const struct xf_plist *l, const struct xf_plist *merged,
		      const char *name)
{
	struct xf_plist raw4 = { .v4 = l->v4, .n4 = l->n4 }, back;
	struct xf_plist merged4 = { .v4 = merged->v4, .n4 = merged->n4 };
	int ret = through_bitmap(&raw4, &back);

	if (!ret && !xf_plist_equal(&merged4, &back))
		ret = xf_diag(-EPROTO, NULL, "%s: the bitmap of the unmerged"
			      " list differs from the merged one", name);
	xf_plist_free(&back);
	return ret;
}

static int roundtrip(const char *name)
{
	struct xf_plist raw, none = { 0 }, l = { 0 }, back;
	int ret = read_file(name, &raw);

	if (!ret)	/* a merged copy */
		ret = xf_plist_union(&raw, &none, &l);
	if (!ret)
		ret = through_bitmap(&l, &back);
	if (!ret) {
		print(&back);
		if (!xf_plist_equal(&l, &back))
			ret = xf_diag(-EPROTO, NULL, "%s: the bitmap's list"
				      " differs from the merged one", name);
		xf_plist_free(&back);
	}
	if (!ret)
		ret = raw_bitmap(&raw, &l, name);
	xf_plist_free(&l);
	xf_plist_free(&raw);
	return ret;
}

static int two(const char *cmd, const char *f1, const char *f2)
{
	struct xf_plist a, b, out;
	int ret = load(f1, &a);

	if (!ret)
		ret = load(f2, &b);
	if (!ret) {
		ret = !strcmp(cmd, "union") ? xf_plist_union(&a, &b, &out) :
					      xf_plist_minus(&a, &b, &out);
		if (!ret)
			print(&out);
		xf_plist_free(&out);
		xf_plist_free(&b);
	}
	xf_plist_free(&a);
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int timing(const char *name)
{
	struct xf_plist l = { 0 }, back = { 0 };
	__u64 *words = xf_set4_words();
	struct xf_set4x_ent *parts = NULL;
	FILE *f = fopen(name, "r");
	double t[5];
	size_t nparts = 0, n;
	int ret;

	if (!f || !words)
		return xf_diag(-ENOMEM, NULL, "%s: %s", name, strerror(errno));
	t[0] = now();
	ret = xf_plist_read(&l, f, name);
	fclose(f);
	t[1] = now();
	n = l.n4 + l.n6;
	xf_plist_merge(&l);
	t[2] = now();
	if (!ret)
		ret = xf_set4_build(l.v4, l.n4, words, &parts, &nparts);
	t[3] = now();
	if (!ret)
		ret = xf_set4_read(words, parts, nparts, &back);
	t[4] = now();
	fprintf(stderr, "%zu prefixes, %zu + %zu merged, %zu level-2: read %.0f"
		" ms, merge %.0f ms, build %.0f ms, read back %.0f ms\n", n,
		l.n4, l.n6, nparts, (t[1] - t[0]) * 1e3, (t[2] - t[1]) * 1e3,
		(t[3] - t[2]) * 1e3, (t[4] - t[3]) * 1e3);
	free(words);
	free(parts);
	xf_plist_free(&back);
	xf_plist_free(&l);
	return ret;
}

static int usage(void)
{
	return xf_diag(XF_EINPUT, NULL, "usage: xfplist merge|roundtrip|timing"
		       " FILE, or xfplist union|minus FILE1 FILE2");
}

int main(int argc, char **argv)
{
	struct xf_plist l;
	int ret;

	xf_set_prog(argv[0]);
	if (argc == 3 && !strcmp(argv[1], "merge")) {
		ret = load(argv[2], &l);
		if (!ret)
			print(&l);
		xf_plist_free(&l);
	} else if (argc == 3 && !strcmp(argv[1], "roundtrip")) {
		ret = roundtrip(argv[2]);
	} else if (argc == 3 && !strcmp(argv[1], "timing")) {
		ret = timing(argv[2]);
	} else if (argc == 4 && (!strcmp(argv[1], "union") ||
				 !strcmp(argv[1], "minus"))) {
		ret = two(argv[1], argv[2], argv[3]);
	} else {
		ret = usage();
	}
	if (fflush(stdout) && !ret)
		ret = xf_diag(-EIO, NULL, "standard output: %s",
			      strerror(errno));
	return xf_exit_status(ret);
}
