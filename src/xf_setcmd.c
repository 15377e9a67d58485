// SPDX-License-Identifier: GPL-2.0
/* xf_setcmd.c - rulectl's "set" command; see xf_setcmd.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xf_rule.h"
#include "xf_setcmd.h"
#include "xf_srcsets.h"

static const char *const verbs[] = {
	[XF_SV_LOAD] = "load", [XF_SV_ADD] = "add", [XF_SV_DEL] = "del",
	[XF_SV_LIST] = "list", [XF_SV_SAVE] = "save",
	[XF_SV_DELETE] = "delete",
};

/* [--json] as the last words of a listing. */
static int parse_json(int argc, char **argv, struct xf_setcmd *c)
{
	if (argc > 1)
		return xf_diag(XF_EINPUT, NULL, "unexpected argument '%s'",
			       argv[1]);
	if (argc && strcmp(argv[0], "--json"))
		return xf_diag(XF_EINPUT, NULL, "bad argument '%s' (expected"
			       " --json)", argv[0]);
	c->json = argc == 1;
	return 0;
}

/* load's FILE ("-": standard input), read and checked whole. */
static int parse_load(int argc, char **argv, struct xf_setcmd *c)
{
	bool std = argc == 1 && !strcmp(argv[0], "-");
	FILE *f;
	int ret;

	if (argc != 1)
		return xf_diag(XF_EINPUT, NULL, argc ? "unexpected argument"
			       " '%s' (load takes one FILE)" :
			       "load needs a FILE (- for standard input)%s",
			       argc ? argv[1] : "");
	f = std ? stdin : fopen(argv[0], "r");
	if (!f)
		return xf_diag(XF_EINPUT, NULL, "%s: %s", argv[0],
			       strerror(errno));
	ret = xf_plist_read(&c->prefixes, f, std ? "<stdin>" : argv[0]);
	if (!std)
		fclose(f);
	return ret;
}

static int parse_words(int argc, char **argv, struct xf_setcmd *c)
{
	int ret = 0;

	if (!argc)
		return xf_diag(XF_EINPUT, NULL, "set %s %s needs a PREFIX",
			       c->name, verbs[c->verb]);
	for (int i = 0; !ret && i < argc; i++)
		ret = xf_plist_word(&c->prefixes, argv[i], NULL);
	return ret;
}

int xf_setcmd_parse(int argc, char **argv, struct xf_setcmd *c)
{
	int v, ret;

	memset(c, 0, sizeof(*c));
	if (!argc)
		return xf_diag(XF_EINPUT, NULL, "set needs 'list' or a NAME and"
			       " what to do (load, add, del, list, save,"
			       " delete)");
	if (!strcmp(argv[0], "list")) {
		c->verb = XF_SV_LIST_ALL;
		return parse_json(argc - 1, argv + 1, c);
	}
	ret = xf_set_name_check(argv[0], NULL);
	if (ret)
		return ret;
	c->name = argv[0];
	if (argc < 2)
		return xf_diag(XF_EINPUT, NULL, "set %s: what to do? (load, add,"
			       " del, list, save or delete)", c->name);
	for (v = XF_SV_LOAD; v <= XF_SV_DELETE; v++)
		if (!strcmp(argv[1], verbs[v]))
			break;
	if (v > XF_SV_DELETE)
		return xf_diag(XF_EINPUT, NULL, "set %s: unknown '%s' (expected"
			       " load, add, del, list, save or delete)",
			       c->name, argv[1]);
	c->verb = v;
	argc -= 2;
	argv += 2;
	switch (c->verb) {
	case XF_SV_LOAD:
		return parse_load(argc, argv, c);
	case XF_SV_ADD:
	case XF_SV_DEL:
		return parse_words(argc, argv, c);
	case XF_SV_LIST:
		return parse_json(argc, argv, c);
	default:
		return argc ? xf_diag(XF_EINPUT, NULL, "unexpected argument"
				      " '%s'", argv[0]) : 0;
	}
}

bool xf_setcmd_changes(const struct xf_setcmd *c)
{
	return c->verb == XF_SV_LOAD || c->verb == XF_SV_ADD ||
	       c->verb == XF_SV_DEL || c->verb == XF_SV_DELETE;
}

void xf_setcmd_free(struct xf_setcmd *c)
{
	xf_plist_free(&c->prefixes);
}

/* Rules of rule set `set` that name set number k. */
static __u32 rules_naming(const struct xf_maps *m, __u32 set, int k)
{
	__u32 n = 0;

	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		n += xf_in_set(m, id, set) &&
		     xf_rule_names_set(&m->rules[id], k);
	return n;
}

static void show_one(const struct xf_maps *m, int k, bool json, bool first)
{
	const struct xf_sdesc *d = &m->sdesc[k];
	unsigned long long mem = xf_set_memory(m, k);
	__u32 rules = rules_naming(m, m->set, k);
	char when[32] = "";
	time_t t = d->changed;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (json)
		printf("%s\n  {\"name\": \"%s\", \"number\": %d, \"ipv4\": %u,"
		       " \"ipv6\": %u, \"ipv4_partial_24s\": %u,"
		       " \"memory_bytes\": %llu, \"rules\": %u, \"changes\":"
		       " %u, \"changed\": \"%s\"}", first ? "" : ",", d->name,
		       k, d->n4, d->n6, d->partial4, mem, rules, d->changes,
		       when);
	else
		printf("%s: %u IPv4 and %u IPv6 prefixes, %llu bytes, %u"
		       " rule%s, changed %s\n", d->name, d->n4, d->n6, mem,
		       rules, rules == 1 ? "" : "s", when);
}

static int list_all(const struct xf_maps *m, bool json)
{
	bool first = true;

	if (json)
		printf("[");
	for (int k = 0; k < XF_MAX_SETS; k++) {
		if (!m->sdesc[k].name[0])
			continue;
		show_one(m, k, json, first);
		first = false;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	else if (first)
		printf("no sets (make one: set NAME load FILE)\n");
	return 0;
}

/* The prefixes of l, one a line, or as JSON arrays. */
static void print_prefixes(const struct xf_plist *l, const char *name,
			   bool json)
{
	char text[64];

	if (json)
		printf("{\"name\": \"%s\", \"ipv4\": [", name);
	for (size_t i = 0; i < l->n4; i++) {
		xf_p4_text(&l->v4[i], text, sizeof(text));
		printf(json ? "%s\"%s\"" : "%.0s%s\n",
		       i ? ", " : "", text);
	}
	if (json)
		printf("], \"ipv6\": [");
	for (size_t i = 0; i < l->n6; i++) {
		xf_p6_text(&l->v6[i], text, sizeof(text));
		printf(json ? "%s\"%s\"" : "%.0s%s\n",
		       i ? ", " : "", text);
	}
	if (json)
		printf("]}\n");
}

/* What a change left: the set's size, on standard output. */
static void changed(const struct xf_maps *m, const char *name)
{
	int k = xf_set_number(m, name);

	if (k >= 0)
		printf("set %s: %u IPv4 and %u IPv6 prefixes after merging,"
		       " %llu bytes\n", name, m->sdesc[k].n4, m->sdesc[k].n6,
		       (unsigned long long)xf_set_memory(m, k));
}

/* add and del: the set's content with the prefixes added or taken out.
 * del refuses a prefix none of whose addresses is in the set. */
static int add_del(struct xf_maps *m, struct xf_setcmd *c, int k)
{
	struct xf_plist cur = {}, next = {}, one = {};
	char text[64];
	int err = k >= 0 ? xf_set_content(m, k, &cur) : 0;

	xf_plist_merge(&c->prefixes);
	if (!err && c->verb == XF_SV_ADD)
		err = xf_plist_union(&cur, &c->prefixes, &next);
	for (size_t i = 0; !err && c->verb == XF_SV_DEL &&
	     i < c->prefixes.n4 + c->prefixes.n6; i++) {
		bool v4 = i < c->prefixes.n4;

		one.n4 = v4;
		one.v4 = v4 ? &c->prefixes.v4[i] : NULL;
		one.n6 = !v4;
		one.v6 = v4 ? NULL : &c->prefixes.v6[i - c->prefixes.n4];
		err = xf_plist_minus(&cur, &one, &next);
		if (!err && xf_plist_equal(&cur, &next)) {
			if (v4)
				xf_p4_text(one.v4, text, sizeof(text));
			else
				xf_p6_text(one.v6, text, sizeof(text));
			err = xf_diag(-ENOENT, NULL, "set %s: nothing of %s is"
				      " in it (nothing changed)", c->name,
				      text);
		}
		xf_plist_free(&next);
	}
	if (!err && c->verb == XF_SV_DEL)
		err = xf_plist_minus(&cur, &c->prefixes, &next);
	if (!err)
		err = xf_set_replace(m, c->name, &next, true);
	xf_plist_free(&cur);
	xf_plist_free(&next);
	return err;
}

/* save: a file for load. */
static void save(const struct xf_plist *l, const char *name)
{
	char stamp[32];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("# xdp_filter set %s: %zu IPv4 and %zu IPv6 prefixes, saved"
	       " %s\n# load it with: rule.sh set %s load FILE\n", name, l->n4,
	       l->n6, stamp, name);
	print_prefixes(l, name, false);
}

int xf_setcmd_run(struct xf_maps *m, struct xf_setcmd *c)
{
	struct xf_plist l = {};
	int k = c->name ? xf_set_number(m, c->name) : -1, err = 0;

	if (c->verb == XF_SV_LIST_ALL)
		return list_all(m, c->json);
	if (k < 0 && c->verb != XF_SV_LOAD && c->verb != XF_SV_ADD)
		return xf_diag(-ENOENT, NULL, "no set '%s' (set list shows"
			       " them)", c->name);
	switch (c->verb) {
	case XF_SV_LOAD:
		err = xf_set_replace(m, c->name, &c->prefixes, true);
		break;
	case XF_SV_ADD:
	case XF_SV_DEL:
		err = add_del(m, c, k);
		break;
	case XF_SV_DELETE:
		return xf_set_delete(m, c->name);
	default:
		err = xf_set_content(m, k, &l);
		if (!err && c->verb == XF_SV_SAVE)
			save(&l, c->name);
		else if (!err)
			print_prefixes(&l, c->name, c->json);
		xf_plist_free(&l);
		return err;
	}
	if (!err)
		changed(m, c->name);
	return err;
}

/* DIR/NAME.set -> NAME, or "" when the file is not a set file. */
static void set_file_name(const char *file, char *name)
{
	size_t n = strlen(file);

	name[0] = '\0';
	if (n > 4 && n - 4 < XF_SET_NAME && !strcmp(file + n - 4, ".set"))
		snprintf(name, XF_SET_NAME, "%.*s", (int)(n - 4), file);
}

/* One DIR/NAME.set into the next entry. */
static int setdir_one(struct xf_setdir *d, const char *file, const char *name)
{
	char path[4096];
	FILE *f;
	int ret = xf_set_name_check(name, NULL);

	if (ret)
		return ret;
	if (d->n == XF_MAX_SETS)
		return xf_diag(XF_EINPUT, NULL, "%s: more than %d sets", d->dir,
			       XF_MAX_SETS);
	snprintf(path, sizeof(path), "%s/%s", d->dir, file);
	f = fopen(path, "r");
	if (!f)
		return xf_diag(-errno, NULL, "%s: %s", path, strerror(errno));
	snprintf(d->e[d->n].name, XF_SET_NAME, "%s", name);
	snprintf(d->names[d->n].name, XF_SET_NAME, "%s", name);
	ret = xf_plist_read(&d->e[d->n].prefixes, f, path);
	fclose(f);
	d->n++;
	return ret;
}

int xf_setdir_read(const char *dir, struct xf_setdir *d)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char name[XF_SET_NAME];
	int ret = 0;

	memset(d, 0, sizeof(*d));
	d->dir = dir;
	if (!dh)
		return errno == ENOENT ? 0 : xf_diag(-errno, NULL, "%s: %s",
						     dir, strerror(errno));
	d->e = calloc(XF_MAX_SETS, sizeof(*d->e));
	if (!d->e)
		ret = -ENOMEM;
	while (d->e && (de = readdir(dh))) {
		set_file_name(de->d_name, name);
		if (name[0] && setdir_one(d, de->d_name, name))
			ret = XF_EINPUT;	/* every bad file said */
	}
	closedir(dh);
	return ret;
}

int xf_setdir_load(struct xf_maps *m, struct xf_setdir *d)
{
	int err = 0;

	for (int i = 0; !err && i < d->n; i++) {
		struct xf_plist cur = {};
		int k = xf_set_number(m, d->e[i].name);

		xf_plist_merge(&d->e[i].prefixes);
		if (k >= 0)
			err = xf_set_content(m, k, &cur);
		if (!err && (k < 0 || !xf_plist_equal(&cur, &d->e[i].prefixes)))
			err = xf_set_replace(m, d->e[i].name, &d->e[i].prefixes,
					     true);
		xf_plist_free(&cur);
	}
	return err;
}

void xf_setdir_free(struct xf_setdir *d)
{
	for (int i = 0; d->e && i < d->n; i++)
		xf_plist_free(&d->e[i].prefixes);
	free(d->e);
	d->e = NULL;
	d->n = 0;
}
