// SPDX-License-Identifier: GPL-2.0
/* rulectl - edit and read the pinned maps of xdp_filter: the command table
 * and main().
 *
 * One row per command: its name, arguments and help (the usage text is
 * made from the rows), the parser that checks its words before the kernel
 * is touched (so a usage error, exit 2, never changes anything and can be
 * tested without root), the runner, and what it needs of the maps: none,
 * read access, or the editors' lock (every change is made under it, so
 * concurrent rulectl processes never interleave). Parsers and runners
 * return 0 or a negative result (xf_diag.h); main() alone turns it into the
 * exit status. Data goes to stdout, diagnostics to stderr. Only
 * <bpf/bpf.h>: ip(8) loads the object, we only edit its maps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "xf_apply.h"
#include "xf_ct.h"
#include "xf_links.h"
#include "xf_monitor.h"
#include "xf_rule.h"
#include "xf_setcmd.h"
#include "xf_show.h"
#include "xf_store.h"
#include "xf_tiers.h"

#ifndef XF_VERSION
#error "XF_VERSION is not defined: build with make, which reads VERSION"
#endif

/* A parser's "nothing left to do": the command is done, successfully. */
#define DONE	1

/* What the parsers make of a command's words, for its runner. */
struct args {
	int			argc;	/* the words after the command */
	char			**argv;
	struct xf_rule		rule;
	struct xf_policy_args	policy;
	struct xf_monitor_args	monitor;
	struct xf_ruleset	rules;	/* apply's file */
	struct xf_setcmd	setcmd;
	struct xf_setdir	setdir;	/* apply --sets DIR */
	bool			change;	/* MAPS_LOCK_TO_CHANGE: the words
					 * change something */
	bool			dry_run;
	int			confirm;
	enum xf_out		out;
};

enum maps_use {
	MAPS_NONE,		/* the runner opens what it needs, if anything */
	MAPS_READ,		/* opened, the lock shared: no edit half-made */
	MAPS_LOCK,		/* opened and locked, rule records read */
	MAPS_LOCK_TO_CHANGE,	/* locked when the words change something */
	MAPS_OPEN,		/* opened, no lock (monitor: runs for long) */
};

struct cmd {
	const char	*name, *args, *help;
	int		(*parse)(struct args *a);
	int		(*run)(struct xf_maps *m, struct args *a);
	enum maps_use	maps;
	bool		hidden;	/* an alias, or for scripts: not in usage */
};

static const struct cmd *find_cmd(const char *name);
static void usage(FILE *f);

/* ------------------------------------------------------------- parsers */

static int parse_none(struct args *a)
{
	if (a->argc)
		return xf_diag(XF_EINPUT, NULL, "unexpected argument '%s'",
			       a->argv[0]);
	return 0;
}

static int parse_rule(struct args *a)
{
	return xf_parse_rule(a->argc, a->argv, NULL, &a->rule);
}

/* Nothing, or one of the options in opts[] (NULL-terminated, index =
 * enum xf_out), described by what. */
static int parse_out(struct args *a, const char *const *opts,
		     const char *what)
{
	a->out = XF_OUT_TEXT;
	if (a->argc > 1)
		return xf_diag(XF_EINPUT, NULL, "unexpected argument '%s'",
			       a->argv[1]);
	if (!a->argc)
		return 0;
	for (int i = 1; opts[i]; i++)
		if (!strcmp(a->argv[0], opts[i])) {
			a->out = i;
			return 0;
		}
	return xf_diag(XF_EINPUT, NULL, "bad argument '%s' (expected %s)",
		       a->argv[0], what);
}

static int parse_list(struct args *a)
{
	static const char *const opts[] = { "", "--json", NULL };

	return parse_out(a, opts, "--json");
}

static int parse_stats(struct args *a)
{
	static const char *const opts[] = { "", "--json", "--prometheus",
					    NULL };

	return parse_out(a, opts, "--json or --prometheus");
}

static int parse_policy(struct args *a)
{
	int ret = xf_parse_policy(a->argc, a->argv, NULL, &a->policy);

	a->change = a->policy.change;
	return ret;
}

static int parse_set(struct args *a)
{
	int ret = xf_setcmd_parse(a->argc, a->argv, &a->setcmd);

	a->change = xf_setcmd_changes(&a->setcmd);
	return ret;
}

static int parse_monitor(struct args *a)
{
	return xf_parse_monitor(a->argc, a->argv, &a->monitor);
}

/* One option of apply's; *file takes the one word that is not. */
static int apply_word(struct args *a, int *i, const char **file,
		      bool *check)
{
	const char *w = a->argv[*i];
	unsigned long secs;

	if (!strcmp(w, "--dry-run")) {
		a->dry_run = true;
	} else if (!strcmp(w, "--sets")) {
		if (++*i >= a->argc || a->setdir.dir)
			return xf_diag(XF_EINPUT, NULL, "--sets needs one DIR");
		a->setdir.dir = a->argv[*i];
	} else if (!strcmp(w, "--check")) {
		*check = true;
	} else if (!strcmp(w, "--confirm")) {
		if (++*i >= a->argc)
			return xf_diag(XF_EINPUT, NULL, "--confirm needs SECS"
				       " (1-86400)");
		if (xf_parse_uint(a->argv[*i], 86400, &secs))
			return xf_diag(XF_EINPUT, NULL, "bad --confirm time '%s'"
				       " (expected seconds, 1-86400)",
				       a->argv[*i]);
		a->confirm = secs;
	} else if (w[0] == '-' && w[1]) {
		return xf_diag(XF_EINPUT, NULL, "unknown option '%s' (expected"
			       " --dry-run, --confirm SECS, --check or --sets"
			       " DIR)", w);
	} else if (*file) {
		return xf_diag(XF_EINPUT, NULL, "unexpected argument '%s' (one"
			       " FILE only)", w);
	} else {
		*file = w;
	}
	return 0;
}

/* apply --check of a file whose rules name sets: do they exist? In DIR
 * with --sets DIR (its files are read already), else in the maps (the
 * only check that reads them). */
static int check_sets(struct args *a)
{
	struct xf_maps m;
	bool named = false;
	int ret;

	for (__u32 i = 0; i < a->rules.n; i++)
		named |= a->rules.r[i].family == XF_FAMILY_SET;
	if (!named)
		return 0;
	if (a->setdir.dir) {
		xf_rule_set_names(a->setdir.names);
		return xf_resolve_ruleset(&a->rules);
	}
	ret = xf_init();
	if (!ret)
		ret = xf_open_maps(&m, false);
	if (ret)
		return ret;
	ret = xf_read_sets(&m);
	if (!ret)
		ret = xf_resolve_ruleset(&a->rules);
	xf_close_maps(&m);
	return ret;
}

/* apply's words, and the whole file read and checked; --check is done
 * here. */
static int parse_apply(struct args *a)
{
	const char *file = NULL;
	bool check = false;
	char pol[XF_RULE_TEXT];
	int ret = 0;

	for (int i = 0; !ret && i < a->argc; i++)
		ret = apply_word(a, &i, &file, &check);
	if (ret)
		return ret;
	if (!file)
		return xf_diag(XF_EINPUT, NULL, "apply needs a FILE (- for"
			       " standard input)");
	if (a->dry_run + check + !!a->confirm > 1)
		return xf_diag(XF_EINPUT, NULL, "--dry-run, --check and"
			       " --confirm go one at a time");
	if (a->setdir.dir && (a->dry_run || a->confirm))
		return xf_diag(XF_EINPUT, NULL, "--sets goes with a plain apply"
			       " or --check (a dry run or a rollback would not"
			       " cover the sets)");
	ret = xf_read_ruleset(file, &a->rules);
	if (!ret && a->setdir.dir)
		ret = xf_setdir_read(a->setdir.dir, &a->setdir);
	if (ret || !check)
		return ret;
	ret = check_sets(a);
	if (ret)
		return ret;
	xf_format_policy(&a->rules.policy, pol, sizeof(pol));
	printf("%s: %u rule%s, %s\n", a->rules.name, a->rules.n,
	       a->rules.n == 1 ? "" : "s", pol);
	return DONE;
}

/* check-rule: one rule (or "policy ...") in canonical form: the syntax
 * list, del and save use; "policy ..." as given, defaults left out.
 * Scripts use it to check a rule without touching the maps. */
static int parse_check_rule(struct args *a)
{
	struct xf_policy_args *p = &a->policy;
	char text[XF_RULE_TEXT];
	int ret;

	if (a->argc && !strcmp(a->argv[0], "policy")) {
		ret = xf_parse_policy(a->argc - 1, a->argv + 1, NULL, p);
		if (!ret && !p->change)
			ret = xf_diag(XF_EINPUT, NULL, "'policy' needs allow or"
				      " deny here");
		if (ret)
			return ret;
		printf("policy %s%s", p->allow ? "allow" : "deny",
		       p->stateless ? " stateless" : "");
		if (p->eph_given)
			printf(" ephemeral %u-%u", p->eph_lo, p->eph_hi);
		if (p->allow && p->dhcp >= 0)
			printf(" %s", p->dhcp ? "dhcp" : "nodhcp");
		putchar('\n');
		return DONE;
	}
	ret = xf_parse_rule(a->argc, a->argv, NULL, &a->rule);
	if (ret)
		return ret;
	xf_format_rule(&a->rule, text, sizeof(text));
	printf("%s\n", text);
	return DONE;
}

static int parse_help(struct args *a)
{
	(void)a;
	usage(stdout);
	return DONE;
}

static int parse_version(struct args *a)
{
	int ret = parse_none(a);

	if (!ret)
		printf("%s\n", XF_VERSION);
	return ret ? ret : DONE;
}

static int parse_status(struct args *a)
{
	(void)a;
	return xf_diag(XF_EINPUT, NULL, "status is shown by scripts/rule.sh"
		       " status (make status), not by rulectl");
}

/* ------------------------------------------------------------- runners */

static int run_add(struct xf_maps *m, struct args *a)
{
	int err = xf_rule_resolve(&a->rule, NULL);

	return err ? err : xf_store_add(m, m->set, &a->rule, NULL);
}

static int run_del(struct xf_maps *m, struct args *a)
{
	int err = xf_rule_resolve(&a->rule, NULL);

	return err ? err : xf_store_del(m, m->set, &a->rule);
}

static int run_set(struct xf_maps *m, struct args *a)
{
	return xf_setcmd_run(m, &a->setcmd);
}

static int run_flush(struct xf_maps *m, struct args *a)
{
	(void)a;
	return xf_store_clear(m, m->set, false);
}

static int run_list(struct xf_maps *m, struct args *a)
{
	return xf_show_list(m, a->out == XF_OUT_JSON);
}

static int run_stats(struct xf_maps *m, struct args *a)
{
	return xf_show_stats(m, a->out);
}

static int run_limits(struct xf_maps *m, struct args *a)
{
	return xf_show_limits(m, a->out == XF_OUT_JSON);
}

static int run_save(struct xf_maps *m, struct args *a)
{
	(void)a;
	return xf_show_save(m);
}

/* "allow ..." or "deny"; in JSON, stateful says which allow policy,
 * tracking whether conntrack is on in this network namespace (xf_ct.h),
 * and ephemeral is null where it does not apply (deny keeps its range for
 * a later stateless allow). */
static void show_policy(const struct xf_set *s, bool json)
{
	bool allow = s->flags & XF_CFG_ALLOW;
	bool stateful = allow && (s->flags & XF_CFG_STATEFUL);
	char text[XF_RULE_TEXT];

	if (!json) {
		xf_format_policy(s, text, sizeof(text));
		printf("%s\n", text + strlen("policy "));
		return;
	}
	printf("{\"policy\": \"%s\", \"stateful\": %s, \"tracking\": %s,"
	       " \"ephemeral\": ", allow ? "allow" : "deny",
	       stateful ? "true" : "false",
	       xf_ct_tracking_on() ? "true" : "false");
	if (stateful)
		printf("null");
	else
		printf("[%u, %u]", s->eph_lo, s->eph_hi);
	printf(", \"dhcp\": %s}\n",
	       s->flags & XF_CFG_NO_DHCP ? "false" : "true");
}

static int run_policy(struct xf_maps *m, struct args *a)
{
	struct xf_config cfg;
	struct xf_set next;
	__u32 set;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	set = cfg.set & 1;
	if (!a->policy.change) {
		show_policy(&cfg.sets[set], a->policy.json);
		return 0;
	}
	if (xf_policy_make(&a->policy, &cfg.sets[set], &next))
		return xf_diag(-ENOENT, NULL, "cannot read ip_local_port_range:"
			       " give 'ephemeral LO-HI'");
	return xf_store_policy(m, set, &next);
}

static int run_apply(struct xf_maps *m, struct args *a)
{
	int err = a->setdir.dir ? xf_setdir_load(m, &a->setdir) : 0;

	if (!err)
		err = xf_resolve_ruleset(&a->rules);
	return err ? err : xf_apply(m, &a->rules, a->dry_run, a->confirm);
}

static int run_confirm(struct xf_maps *m, struct args *a)
{
	(void)a;
	return xf_confirm(m);
}

static int run_rollback(struct xf_maps *m, struct args *a)
{
	(void)a;
	return xf_rollback(m);
}

static int run_monitor(struct xf_maps *m, struct args *a)
{
	return xf_monitor(m, &a->monitor);
}

/* After an attach: the ABI stamp, the tier programs of the object just
 * attached, for native (multi-buffer) and generic (single-buffer)
 * interfaces (OBJ: loaded before the lock is taken, the verifier takes a
 * while), and the tier the active set needs. */
static int run_init(struct xf_maps *m, struct args *a)
{
	struct bpf_object *obj = NULL;
	int err = a->argc ? xf_tiers_load(a->argv[0], &obj) : 0;

	if (!err)
		err = xf_open_maps(m, false);
	if (!err)
		err = xf_lock(m, true);
	if (!err)
		err = xf_store_stamp(m);
	if (!err && obj)
		err = xf_tiers_fill(m, obj, false);
	if (!err && obj)
		err = xf_tiers_fill(m, obj, true);
	if (!err)
		err = xf_tier_sync(m, m->set, 0, XF_TIER_EXACT);
	xf_close_maps(m);
	bpf_object__close(obj);		/* the arrays keep the tiers loaded */
	return err;
}

static int parse_init(struct args *a)
{
	if (a->argc > 1)
		return xf_diag(XF_EINPUT, NULL, "unexpected argument '%s'",
			       a->argv[1]);
	return 0;
}

/* tier: the active tier, the one the rules need, and why. */
static int run_tier(struct xf_maps *m, struct args *a)
{
	char why[128];
	__u32 set, uses = xf_set_uses(m, m->set, NULL);
	int tier, need = xf_tier_for(uses);
	int err = xf_tier_active(m, &tier, &set);

	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_PROGS,
			       strerror(-err));
	xf_uses_text(uses, why, sizeof(why));
	if (a->out == XF_OUT_JSON)
		printf("{\"tier\": \"%s\", \"needed\": \"%s\", \"uses\":"
		       " \"%s\", \"loaded\": %s}\n", xf_tier_name(tier),
		       xf_tier_name(need), why,
		       xf_tier_loaded(m, need, m->set) ? "true" : "false");
	else
		printf("%s (rule set %u: %s)%s\n", xf_tier_name(tier), m->set,
		       why, xf_tier_loaded(m, need, m->set) ? "" :
		       "; the lighter tiers are not loaded: attach again");
	return 0;
}

/* Before attach: no pins is fine, pins of another layout are not. */
static int run_check(struct xf_maps *m, struct args *a)
{
	int err = xf_open_maps(m, true);

	(void)a;
	if (!err)
		xf_close_maps(m);
	return err == -ENOENT ? 0 : err;
}

static int parse_attach(struct args *a)
{
	if (!a->argc)
		return xf_diag(XF_EINPUT, NULL, "no interface given");
	if (a->argc > 2)
		return xf_diag(XF_EINPUT, NULL, "unexpected argument '%s'",
			       a->argv[2]);
	if (a->argc == 2 && strcmp(a->argv[1], "native") &&
	    strcmp(a->argv[1], "generic"))
		return xf_diag(XF_EINPUT, NULL, "bad mode '%s' (expected"
			       " native or generic)", a->argv[1]);
	return 0;
}

/* attach DEV [MODE]: DEV runs the active tier through its pinned link. */
static int run_attach(struct xf_maps *m, struct args *a)
{
	enum xf_link_mode mode = XF_LINK_AUTO;

	int err;

	if (a->argc == 2)
		mode = strcmp(a->argv[1], "native") ? XF_LINK_GENERIC :
		       XF_LINK_NATIVE;
	err = xf_link_attach(m, a->argv[0], mode);
	return err ? err : xf_store_tracking(m);
}

static int parse_dev(struct args *a)
{
	if (a->argc != 1)
		return xf_diag(XF_EINPUT, NULL, a->argc ?
			       "unexpected argument '%s'" :
			       "no interface given%s", a->argc ? a->argv[1] :
			       "");
	return 0;
}

/* detach DEV: DEV's link goes; says whether there was one. With the last
 * interface, connection tracking for the stateful policy goes too. */
static int run_detach(struct xf_maps *m, struct args *a)
{
	int err = xf_link_detach(a->argv[0]);

	(void)m;
	if (err == 1)
		printf("%s has no link of xdp_filter\n", a->argv[0]);
	else if (!err)
		printf("xdp_filter detached from %s\n", a->argv[0]);
	if (err == 1 || err)
		return err == 1 ? 0 : err;
	return xf_links_live() ? 0 : xf_ct_tracking(false);
}

static int run_unpin(struct xf_maps *m, struct args *a)
{
	(void)m;
	(void)a;
	return xf_unpin();
}

/* --------------------------------------------------------------- table */

static const struct cmd cmds[] = {
	{ "add", "RULE", "add a rule (add_rule is an alias)",
	  parse_rule, run_add, MAPS_LOCK, false },
	{ "add_rule", "RULE", "the Rex example's spelling of add",
	  parse_rule, run_add, MAPS_LOCK, true },
	{ "del", "RULE", "remove exactly that rule",
	  parse_rule, run_del, MAPS_LOCK, false },
	{ "flush", "", "remove every rule",
	  parse_none, run_flush, MAPS_LOCK, false },
	{ "list", "[--json]",
	  "one line per rule: PORTS PROTO PACKETS BYTES\n"
	  "[src] [from PREFIX] [log N/s] [limit N/s\n"
	  "[burst B] [per-source [LEN]] limited N];\n"
	  "--json: all",
	  parse_list, run_list, MAPS_READ, false },
	{ "stats", "[--json|--prometheus]",
	  "packets and bytes per verdict reason;\n"
	  "--prometheus adds every rule's counters, in\n"
	  "the Prometheus text format",
	  parse_stats, run_stats, MAPS_READ, false },
	{ "apply", "FILE|- [--dry-run | --confirm SECS | --check]\n"
	  "              [--sets DIR]",
	  "make the rule set and policy FILE's, in one\n"
	  "atomic switch; --dry-run prints the difference;\n"
	  "--confirm rolls back after SECS unless\n"
	  "'confirm' runs; --check only checks FILE;\n"
	  "--sets loads each DIR/NAME.set as set NAME\n"
	  "first (what the boot unit does)",
	  parse_apply, run_apply, MAPS_LOCK, false },
	{ "limits", "[--json]",
	  "the limit rules and their limited packets, and\n"
	  "the per-source table: buckets and memory",
	  parse_list, run_limits, MAPS_READ, false },
	{ "save", "", "the rule set and policy as a file for apply",
	  parse_none, run_save, MAPS_READ, false },
	{ "set", "list [--json]",
	  "the source sets: prefixes, memory, rules",
	  parse_set, run_set, MAPS_LOCK_TO_CHANGE, false },
	{ "set", "NAME load FILE|-",
	  "NAME holds exactly FILE's prefixes (a new set,\n"
	  "or all at once: packets see old or new)",
	  parse_set, run_set, MAPS_LOCK_TO_CHANGE, false },
	{ "set", "NAME add|del PREFIX...",
	  "add or remove addresses (add makes the set)",
	  parse_set, run_set, MAPS_LOCK_TO_CHANGE, false },
	{ "set", "NAME list [--json] | NAME save",
	  "its prefixes, merged; save: a file for load",
	  parse_set, run_set, MAPS_LOCK_TO_CHANGE, false },
	{ "set", "NAME delete", "remove it (no rule may name it)",
	  parse_set, run_set, MAPS_LOCK_TO_CHANGE, false },
	{ "confirm", "", "keep the set of the last apply --confirm",
	  parse_none, run_confirm, MAPS_LOCK, false },
	{ "rollback", "", "go back now to the set it replaced",
	  parse_none, run_rollback, MAPS_LOCK, false },
	{ "monitor", "[--json] [--count N] [--timeout SECS]",
	  "one line per packet dropped (or limited) by a\n"
	  "rule with 'log' (the drop log)",
	  parse_monitor, run_monitor, MAPS_OPEN, false },
	{ "policy", "[--json]", "show the policy",
	  parse_policy, run_policy, MAPS_LOCK_TO_CHANGE, false },
	{ "policy", "deny", "rules drop, the rest passes (the default)",
	  parse_policy, run_policy, MAPS_LOCK_TO_CHANGE, false },
	{ "policy", "allow [dhcp|nodhcp]",
	  "rules open; other TCP/UDP passes only in a flow\n"
	  "the kernel's conntrack knows (stateful)",
	  parse_policy, run_policy, MAPS_LOCK_TO_CHANGE, false },
	{ "policy", "allow stateless [ephemeral LO-HI] [dhcp|nodhcp]",
	  "rules open, other new TCP/UDP flows drop;\n"
	  "UDP to the ephemeral range passes",
	  parse_policy, run_policy, MAPS_LOCK_TO_CHANGE, false },
	{ "status", "[--json]",
	  "interfaces, program, rules, map memory, totals\n"
	  "(rule.sh and make status, not rulectl)",
	  parse_status, NULL, MAPS_NONE, false },
	{ "tier", "[--json]",
	  "the feature tier packets run, and what the rules\n"
	  "use that needs it",
	  parse_list, run_tier, MAPS_READ, false },
	{ "check-rule", "RULE | check-rule policy ...",
	  "parse only: print its canonical form",
	  parse_check_rule, NULL, MAPS_NONE, false },
	{ "version", "", "print the version (" XF_VERSION "); status prints it",
	  parse_version, NULL, MAPS_NONE, false },
	{ "--version", "", "", parse_version, NULL, MAPS_NONE, true },
	{ "check", "", "(attach.sh) are the pins of this build?",
	  parse_none, run_check, MAPS_NONE, false },
	{ "init", "[OBJ]",
	  "(attach.sh) stamp the ABI into the pins, load\n"
	  "OBJ's tiers, make the one the rules need active",
	  parse_init, run_init, MAPS_NONE, false },
	{ "attach", "DEV [native|generic]",
	  "(attach.sh) DEV runs the active tier, through\n"
	  "a BPF link pinned beside the maps",
	  parse_attach, run_attach, MAPS_LOCK, false },
	{ "detach", "DEV", "(attach.sh) detach DEV's link",
	  parse_dev, run_detach, MAPS_NONE, false },
	{ "unpin", "", "(attach.sh) unpin if no program uses them",
	  parse_none, run_unpin, MAPS_NONE, false },
	{ "--help", "", "this text (also -h, help)",
	  parse_help, NULL, MAPS_NONE, false },
	{ "-h", "", "", parse_help, NULL, MAPS_NONE, true },
	{ "help", "", "", parse_help, NULL, MAPS_NONE, true },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))
#define HELP_COL 32

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* "usage: PROG NAME ARGS   HELP" (first) or "       PROG NAME ...": the
 * help starts on the next line when the command is long, and its lines
 * align. */
static void usage_row(FILE *f, const struct cmd *c, bool first)
{
	const char *h = c->help, *nl;
	int col = fprintf(f, "%s%s %s%s%s", first ? "usage: " : "       ",
			  xf_prog, c->name, *c->args ? " " : "", c->args);

	if (col >= HELP_COL - 1) {
		fputc('\n', f);
		col = 0;
	}
	for (; h; h = nl ? nl + 1 : NULL) {
		nl = strchr(h, '\n');
		fprintf(f, "%*s%.*s\n", HELP_COL - col, "",
			nl ? (int)(nl - h) : (int)strlen(h), h);
		col = 0;
	}
}

/* COMMAND --help: that command's rows of the table. */
static int command_help(const char *name)
{
	bool first = true;

	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name) && !cmds[i].hidden) {
			usage_row(stdout, &cmds[i], first);
			first = false;
		}
	printf("%s --help: every command, rules and files.\n", xf_prog);
	return DONE;
}

/* Every visible row, then what the words mean. */
static void usage(FILE *f)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!cmds[i].hidden)
			usage_row(f, &cmds[i], !i);
	fprintf(f,
		"RULE:  PORTS tcp|udp|any [dst|src] [from PREFIX|@SET] [log [N/s]]\n"
		"             [limit N/s [burst B] [per-source [LEN]]]\n"
		"       any from PREFIX|@SET [log [N/s]]\n"
		"  PORTS is 8080 or a range 6000-6100; any = tcp and udp; src\n"
		"  matches the source port instead of the destination; from\n"
		"  limits it to a source prefix (198.18.0.0/15, 2001:db8::/32)\n"
		"  or to the sources in a set (@blocklist, see set); sets are\n"
		"  consulted first, then prefixes, then plain port rules;\n"
		"  log sends each drop to the drop log (see monitor), at most\n"
		"  N a second (default %d/s, up to %d/s).\n"
		"  limit lets the rule's new flows (TCP SYN, every UDP datagram)\n"
		"  through at N a second (1-%d), B at once (default N), under\n"
		"  either policy, and drops the rest as 'limited'; per-source\n"
		"  gives each source its own bucket: one per IPv4 address and\n"
		"  per IPv6 /%d, or per prefix of length LEN (1-32, or 1-128 on\n"
		"  a rule from an IPv6 prefix).\n"
		"  Examples: add 8080 tcp, add 6000-6100 udp, add 53 any,\n"
		"  add 53 udp src, add 22 tcp from 198.18.0.0/15 log,\n"
		"  add any from 2001:db8::/32, add 22 tcp limit 5/s per-source\n"
		"FILE (apply, save): one RULE per line, at most one 'policy ...'\n"
		"line, '#' comments, blank lines. A bad line changes nothing and\n"
		"is reported as FILE:LINE: why. save | apply - changes nothing.\n"
		"SET FILE (set NAME load): one address or prefix per line, IPv4\n"
		"and IPv6 mixed, '#' and ';' comments (also after the prefix),\n"
		"blank lines; overlaps are fine (a set is a set of addresses).\n"
		"Rules live in the maps pinned under %s (XF_PIN_DIR\n"
		"overrides): attach the filter first (make attach DEV=IF).\n"
		"Changes apply at once, no reload needed.\n"
		"Exit status: 0 ok, 1 runtime failure, 2 bad usage or input.\n",
		XF_LOG_RATE, XF_LOG_RATE_MAX, XF_LIMIT_RATE_MAX, XF_LSRC_PLEN6,
		XF_PIN_DIR);
}

/* Opens (and locks) the maps as the row says, and runs it. */
static int run(const struct cmd *c, struct args *a)
{
	enum maps_use use = c->maps;
	struct xf_maps m;
	int err = xf_init();

	if (use == MAPS_LOCK_TO_CHANGE)
		use = a->change ? MAPS_LOCK : MAPS_READ;
	if (!err && use == MAPS_NONE)
		return xf_maps_init(&m) ? -EINVAL : c->run(&m, a);
	if (!err)
		err = xf_open_maps(&m, false);
	if (err)
		return err;
	if (use == MAPS_LOCK || use == MAPS_READ)
		err = xf_lock(&m, use == MAPS_LOCK);
	if (!err)
		err = c->run(&m, a);
	if (!err && use == MAPS_LOCK)
		err = xf_store_done(&m);
	xf_close_maps(&m);
	return err;
}

int main(int argc, char **argv)
{
	struct args a = { .argc = argc > 2 ? argc - 2 : 0, .argv = argv + 2 };
	const struct cmd *c;
	int ret;

	xf_set_prog(argv[0]);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	c = find_cmd(argv[1]);
	if (!c)
		return xf_exit_status(xf_diag(XF_EINPUT, NULL, "unknown command"
					      " '%s'", argv[1]));
	if (a.argc && (!strcmp(a.argv[0], "--help") || !strcmp(a.argv[0], "-h")))
		ret = command_help(c->name);
	else
		ret = c->parse(&a);	/* before the kernel is touched */
	if (!ret && c->run)
		ret = run(c, &a);
	xf_free_ruleset(&a.rules);
	xf_setcmd_free(&a.setcmd);
	xf_setdir_free(&a.setdir);
	return ret == DONE ? 0 : xf_exit_status(ret);
}
