// SPDX-License-Identifier: GPL-2.0
/* xf_ruleset.c - reading and checking rules files; see xf_ruleset.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xf_ruleset.h"

#define MAX_WORDS	16

struct ref {
	const struct xf_rule *r;
	__u32 idx;			/* file order */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = xf_cmp_rule(x->r, y->r);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Splits line into words, '#' starting a comment: the word count, or -1
 * when there are too many. */
static int split(char *line, char **words)
{
	char *save = NULL, *w, *hash = strchr(line, '#');
	int n = 0;

	if (hash)
		*hash = '\0';
	for (w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_WORDS)
			return -1;
		words[n++] = w;
	}
	return n;
}

/* The policy line's words into rs->policy. */
static int policy_line(int argc, char **argv, const struct xf_loc *at,
		       struct xf_ruleset *rs)
{
	struct xf_policy_args pa;
	struct xf_set deny = {};
	int ret;

	if (rs->policy_line)
		return xf_diag(XF_EINPUT, at, "a second policy line (the first"
			       " is line %u)", rs->policy_line);
	ret = xf_parse_policy(argc, argv, at, &pa);
	if (ret)
		return ret;
	if (!pa.change)
		return xf_diag(XF_EINPUT, at, "'policy' needs allow or deny");
	if (xf_policy_make(&pa, &deny, &rs->policy))
		return xf_diag(XF_EINPUT, at, "cannot read this host's"
			       " ip_local_port_range: give 'ephemeral LO-HI'");
	rs->policy_line = at->line;
	return 0;
}

/* Says that rule x overlaps rule y, at the later line of the two. */
static void say_overlap(const struct xf_ruleset *rs, const struct ref *x,
			const struct ref *y)
{
	char a[XF_RULE_TEXT], b[XF_RULE_TEXT];
	struct xf_loc at = { rs->name, 0 };

	if (rs->line[x->idx] < rs->line[y->idx]) {
		const struct ref *t = x;

		x = y;
		y = t;
	}
	xf_format_rule(x->r, a, sizeof(a));
	xf_format_rule(y->r, b, sizeof(b));
	at.line = rs->line[x->idx];
	xf_diag(XF_EINPUT, &at, "'%s' overlaps '%s' of line %u", a, b,
		rs->line[y->idx]);
}

/* Marks repeated rules in dup[] and reports overlapping ones: after
 * sorting, a rule can only overlap the rule with the highest last port so
 * far in its prefix, kind and direction, per protocol. */
static bool find_overlaps(const struct xf_ruleset *rs, struct ref *refs,
			  unsigned char *dup)
{
	const struct ref *hi[XF_P_MAX] = {};
	bool bad = false;

	for (__u32 i = 0; i < rs->n; i++) {
		const struct xf_rule *r = refs[i].r, *q = i ? refs[i - 1].r : NULL;

		if (q && xf_same_rule(q, r)) {
			dup[refs[i].idx] = 1;	/* said twice: once is enough */
			continue;
		}
		if (!q || xf_cmp_prefix(q, r) || q->anyport != r->anyport ||
		    q->dir != r->dir)
			memset(hi, 0, sizeof(hi));
		for (__u32 p = 0; p < XF_P_MAX; p++) {
			if ((r->protos & (1U << p)) && hi[p] &&
			    xf_overlaps(hi[p]->r, r)) {
				say_overlap(rs, &refs[i], hi[p]);
				bad = true;
				break;
			}
		}
		for (__u32 p = 0; p < XF_P_MAX; p++)
			if ((r->protos & (1U << p)) &&
			    (!hi[p] || r->port_hi > hi[p]->r->port_hi ||
			     r->anyport))
				hi[p] = &refs[i];
	}
	return bad;
}

/* Drops repeated rules and reports overlapping ones: 0 or XF_EINPUT. */
static int check_rules(struct xf_ruleset *rs)
{
	struct ref *refs = calloc(rs->n ? rs->n : 1, sizeof(*refs));
	unsigned char *dup = calloc(rs->n ? rs->n : 1, 1);
	__u32 n = 0;
	bool bad;

	if (!refs || !dup) {
		free(refs);
		free(dup);
		return xf_diag(-ENOMEM, NULL, "%s", strerror(ENOMEM));
	}
	for (__u32 i = 0; i < rs->n; i++)
		refs[i] = (struct ref){ &rs->r[i], i };
	qsort(refs, rs->n, sizeof(*refs), cmp_ref);
	bad = find_overlaps(rs, refs, dup);
	for (__u32 i = 0; i < rs->n; i++) {
		if (dup[i])
			continue;
		rs->r[n] = rs->r[i];
		rs->line[n++] = rs->line[i];
	}
	rs->n = n;
	free(refs);
	free(dup);
	return bad ? XF_EINPUT : 0;
}

/* Room for one more rule: 0 or -ENOMEM. */
static int grow(struct xf_ruleset *rs, __u32 *cap)
{
	void *r, *l;

	if (rs->n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	r = realloc(rs->r, *cap * sizeof(*rs->r));
	if (r)
		rs->r = r;
	l = r ? realloc(rs->line, *cap * sizeof(*rs->line)) : NULL;
	if (!l)
		return xf_diag(-ENOMEM, NULL, "%s", strerror(ENOMEM));
	rs->line = l;
	return 0;
}

/* One line of the file: 0, or the error that stands (the reading goes on
 * after a bad line, so every bad line is said). *stop: read no further. */
static int read_line(struct xf_ruleset *rs, char *line, size_t got,
		     const struct xf_loc *at, __u32 *cap, bool *stop)
{
	char *words[MAX_WORDS];
	int n, ret;

	if (memchr(line, '\0', got)) {
		*stop = true;
		return xf_diag(XF_EINPUT, at, "a NUL byte: not a rules file");
	}
	n = split(line, words);
	if (n < 0)
		return xf_diag(XF_EINPUT, at, "more than %d words", MAX_WORDS);
	if (n == 0)
		return 0;
	if (!strcmp(words[0], "policy"))
		return policy_line(n - 1, words + 1, at, rs);
	ret = grow(rs, cap);
	if (!ret)
		ret = xf_parse_rule(n, words, at, &rs->r[rs->n]);
	if (ret) {
		*stop = ret != XF_EINPUT;
		return ret;
	}
	if (rs->n == XF_MAX_RULES - 1) {
		*stop = true;
		return xf_diag(XF_EINPUT, at, "more than %d rules",
			       XF_MAX_RULES - 1);
	}
	rs->line[rs->n++] = at->line;
	return 0;
}

/* Opens path for reading: the stream, or NULL after a message in *err. */
static FILE *open_rules(const char *path, int *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct stat st;

	if (!f) {
		*err = errno == ENOENT || errno == EACCES ? XF_EINPUT : -errno;
		xf_diag(*err, NULL, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		*err = xf_diag(XF_EINPUT, NULL, "%s: is a directory, not a"
			       " rules file", path);
		fclose(f);
		return NULL;
	}
	return f;
}

int xf_read_ruleset(const char *path, struct xf_ruleset *rs)
{
	struct xf_loc at = { strcmp(path, "-") ? path : "<stdin>", 0 };
	char *line = NULL;
	size_t len = 0;
	__u32 cap = 0;
	int bad = 0, ret;
	bool stop = false;
	ssize_t got;
	FILE *f;

	memset(rs, 0, sizeof(*rs));
	rs->name = at.file;
	f = open_rules(path, &bad);
	if (!f)
		return bad;
	while (!stop && (got = getline(&line, &len, f)) >= 0) {
		at.line++;
		ret = read_line(rs, line, got, &at, &cap, &stop);
		if (ret && (!bad || ret != XF_EINPUT))
			bad = ret;
	}
	if (ferror(f))
		bad = xf_diag(-EIO, NULL, "%s: %s", rs->name, strerror(errno));
	free(line);
	if (f != stdin)
		fclose(f);
	ret = check_rules(rs);		/* the good lines, even so */
	if (!bad)
		bad = ret;
	if (bad)
		xf_free_ruleset(rs);
	return bad;
}

void xf_free_ruleset(struct xf_ruleset *rs)
{
	free(rs->r);
	free(rs->line);
	rs->r = NULL;
	rs->line = NULL;
	rs->n = 0;
}

int xf_resolve_ruleset(struct xf_ruleset *rs)
{
	struct xf_loc at = { rs->name, 0 };
	int ret = 0;

	for (__u32 i = 0; i < rs->n; i++) {
		at.line = rs->line[i];
		if (xf_rule_resolve(&rs->r[i], &at))
			ret = XF_EINPUT;	/* every bad line said */
	}
	return ret;
}
