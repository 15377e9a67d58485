// SPDX-License-Identifier: GPL-2.0
/* rulectl - edit and read the pinned maps of xdp_filter.
 *
 * Arguments are validated before the kernel is touched, so a usage error
 * (exit 2) never changes anything and can be tested without root. Runtime
 * failures exit 1 with "rulectl: <object>: <reason>" and, when the cause is
 * known, what to do about it. Data goes to stdout, diagnostics to stderr.
 * Every change is made under the editors' lock (xf_lock()), so concurrent
 * rulectl processes never interleave their edits. Only <bpf/bpf.h> is used:
 * ip(8) loads the object, we only edit its maps.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_apply.h"
#include "xf_maps.h"
#include "xf_monitor.h"

/* The top-level VERSION file, passed by the Makefile (one source of truth). */
#ifndef XF_VERSION
#error "XF_VERSION is not defined: build with make, which reads VERSION"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s add RULE            add a rule (add_rule is an alias)\n"
		"       %s del RULE            remove exactly that rule\n"
		"       %s flush               remove every rule\n"
		"       %s list [--json]       PORTS PROTO PACKETS BYTES [src] [from PREFIX] [log N/s]\n"
		"       %s stats [--json|--prometheus]\n"
		"                              packets and bytes per verdict reason;\n"
		"                              --prometheus adds every rule's counters,\n"
		"                              in the Prometheus text format\n"
		"       %s policy [--json]     show the policy\n"
		"       %s policy deny         listed flows drop, the rest passes (default)\n"
		"       %s policy allow [ephemeral LO-HI] [dhcp|nodhcp]\n"
		"                              only listed new TCP/UDP flows pass\n"
		"       %s apply FILE|- [--dry-run] [--confirm SECS] [--check]\n"
		"                              make the rule set and policy FILE's, in one\n"
		"                              atomic switch; --dry-run prints the\n"
		"                              difference; --confirm rolls back after SECS\n"
		"                              unless 'confirm' runs; --check parses only\n"
		"       %s save                print the rule set as a file apply reads\n"
		"       %s confirm             keep the set of the last apply --confirm\n"
		"       %s rollback            go back to the set it replaced, now\n"
		"       %s monitor [--json] [--count N] [--timeout SECS]\n"
		"                              print the drop log of rules with 'log'\n"
		"       %s check-rule RULE | check-rule policy ...\n"
		"                              parse only: print the canonical form\n"
		"       %s version             print the version (" XF_VERSION ")\n"
		"       %s check | init | unpin   (used by scripts/attach.sh)\n"
		"RULE:  PORTS tcp|udp|any [dst|src] [from PREFIX] [log [N/s]]\n"
		"       any from PREFIX [log [N/s]]\n"
		"       PORTS: 8080 or 6000-6100; log: each drop goes to the drop log,\n"
		"       at most N/s per rule (default %d/s, at most %d/s)\n"
		"Maps are read from %s (XF_PIN_DIR overrides).\n"
		"Exit status: 0 ok, 1 runtime failure, 2 bad usage or input.\n",
		xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog,
		xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog,
		xf_prog, xf_prog, XF_LOG_RATE, XF_LOG_RATE_MAX, XF_PIN_DIR);
}

static const char *proto_of(const struct xf_rdesc *r)
{
	return r->protos == XF_PM_TCP ? "tcp" :
	       r->protos == XF_PM_UDP ? "udp" : "any";
}

/* List order: xf_cmp_rule()'s (rules without a prefix first). */
static int cmp_rules(const void *a, const void *b)
{
	return xf_cmp_rule(a, b);
}

static void json_rule(const struct xf_rdesc *r, __u32 id,
		      const struct xf_count *c, int first)
{
	char addr[INET6_ADDRSTRLEN] = "";

	if (r->family)
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, addr,
			  sizeof(addr));
	printf("%s\n  {\"id\": %u, ", first ? "" : ",", id);
	if (r->anyport)
		printf("\"port\": null, \"port_last\": null, ");
	else
		printf("\"port\": %u, \"port_last\": %u, ", r->port_lo,
		       r->port_hi);
	printf("\"proto\": \"%s\", \"dir\": %s, ", proto_of(r),
	       r->anyport ? "null" : r->dir == XF_DIR_SRC ? "\"src\"" :
	       "\"dst\"");
	if (r->family)
		printf("\"prefix\": \"%s/%u\", ", addr, r->prefixlen);
	else
		printf("\"prefix\": null, ");
	if (r->log_rate)
		printf("\"log\": %u, ", r->log_rate);
	else
		printf("\"log\": null, ");
	printf("\"packets\": %llu, \"bytes\": %llu}",
	       (unsigned long long)c->packets, (unsigned long long)c->bytes);
}

static void text_rule(const struct xf_rdesc *r, const struct xf_count *c)
{
	char addr[INET6_ADDRSTRLEN] = "";

	if (r->family)
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, addr,
			  sizeof(addr));
	if (r->anyport)
		printf("any any");
	else if (r->port_lo == r->port_hi)
		printf("%u %s", r->port_lo, proto_of(r));
	else
		printf("%u-%u %s", r->port_lo, r->port_hi, proto_of(r));
	printf(" %llu %llu", (unsigned long long)c->packets,
	       (unsigned long long)c->bytes);
	if (!r->anyport && r->dir == XF_DIR_SRC)
		printf(" src");
	if (r->family)
		printf(" from %s/%u", addr, r->prefixlen);
	if (r->log_rate)
		printf(" log %u/s", r->log_rate);
	putchar('\n');
}

struct rule_entry {
	struct xf_rdesc r;	/* first: cmp_rules sees it */
	__u32 id;
};

/* The rules in list order, in a calloc()ed array: 0, or 1 after a message. */
static int sorted_rules(struct xf_maps *m, struct rule_entry **out, __u32 *n)
{
	struct rule_entry *rules;

	*n = 0;
	if (xf_read_rdesc(m))
		return 1;
	rules = calloc(XF_MAX_RULES, sizeof(*rules));
	if (!rules) {
		fprintf(stderr, "%s: %s\n", xf_prog, strerror(errno));
		return 1;
	}
	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		if (!xf_in_set(m, id, m->set))
			continue;
		rules[*n].r = m->rd[id];
		rules[(*n)++].id = id;
	}
	qsort(rules, *n, sizeof(*rules), cmp_rules);
	*out = rules;
	return 0;
}

static int read_rule_count(struct xf_maps *m, __u32 id, struct xf_count *c)
{
	if (!xf_read_count(m->fd[SPEC_RCOUNT], id, c))
		return 0;
	fprintf(stderr, "%s: read %s: %s\n", xf_prog, XF_MAP_RCOUNT,
		strerror(errno));
	return 1;
}

static int cmd_list(struct xf_maps *m, int json)
{
	struct rule_entry *rules;
	struct xf_count c;
	__u32 n;

	if (sorted_rules(m, &rules, &n))
		return 1;
	if (json)
		printf("[");
	for (__u32 i = 0; i < n; i++) {
		if (read_rule_count(m, rules[i].id, &c)) {
			free(rules);
			return 1;
		}
		if (json)
			json_rule(&rules[i].r, rules[i].id, &c, i == 0);
		else
			text_rule(&rules[i].r, &c);
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(rules);
	return 0;
}

/* The active rule set as a file apply reads: save | apply - changes
 * nothing. */
static int cmd_save(struct xf_maps *m)
{
	struct rule_entry *rules;
	struct xf_config cfg;
	char text[160], stamp[32];
	time_t now = time(NULL);
	__u32 n;

	if (sorted_rules(m, &rules, &n))
		return 1;
	if (xf_read_config(m, &cfg)) {
		free(rules);
		return 1;
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("# xdp_filter rule set: %u rules, saved %s\n", n, stamp);
	xf_format_policy(&cfg.sets[cfg.set & 1], text, sizeof(text));
	printf("%s\n", text);
	for (__u32 i = 0; i < n; i++) {
		xf_format_rule(&rules[i].r, text, sizeof(text));
		printf("%s\n", text);
	}
	free(rules);
	return 0;
}

struct apply_args {
	const char *file;
	int dry_run, check, confirm;
	struct xf_ruleset rs;
};

/* apply's arguments, and the whole file read and checked: 0 or 2. */
static int parse_apply(int argc, char **argv, struct apply_args *a)
{
	unsigned long secs;
	int ret;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run")) {
			a->dry_run = 1;
		} else if (!strcmp(argv[i], "--check")) {
			a->check = 1;
		} else if (!strcmp(argv[i], "--confirm")) {
			if (++i >= argc)
				return xf_bad_usage("%s", "--confirm needs"
						    " SECS (1-86400)");
			if (xf_parse_uint(argv[i], 86400, &secs))
				return xf_bad_usage("bad --confirm time '%s'"
						    " (expected seconds,"
						    " 1-86400)", argv[i]);
			a->confirm = secs;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return xf_bad_usage("unknown option '%s' (expected"
					    " --dry-run, --confirm SECS or"
					    " --check)", argv[i]);
		} else if (a->file) {
			return xf_bad_usage("unexpected argument '%s' (one FILE"
					    " only)", argv[i]);
		} else {
			a->file = argv[i];
		}
	}
	if (!a->file)
		return xf_bad_usage("%s", "apply needs a FILE (- for standard"
				    " input)");
	if (a->dry_run + a->check + !!a->confirm > 1)
		return xf_bad_usage("%s", "--dry-run, --check and --confirm"
				    " go one at a time");
	ret = xf_read_ruleset(a->file, &a->rs);
	if (ret)
		return ret;
	if (a->check) {
		char pol[96];

		xf_format_policy(&a->rs.policy, pol, sizeof(pol));
		printf("%s: %u rule%s, %s\n", strcmp(a->file, "-") ? a->file :
		       "<stdin>", a->rs.n, a->rs.n == 1 ? "" : "s", pol);
	}
	return 0;
}

static int cmd_flush(struct xf_maps *m)
{
	int ret = 0;

	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, m->set) && xf_rule_del_id(m, id))
			ret = 1;
	return ret;
}

/* One sample of a rule's counter. Label values are our own formatting
 * (digits, letters, '.', ':', '/', '-', ' '), never '"', '\\' or a newline,
 * so they need no escaping. A label without a value is left out, which
 * Prometheus reads as the empty value. */
static void prom_rule(const char *metric, const struct xf_rdesc *r,
		      unsigned long long v)
{
	char addr[INET6_ADDRSTRLEN] = "", text[128];

	xf_format_rule(r, text, sizeof(text));
	printf("%s{rule=\"%s\"", metric, text);
	if (!r->anyport) {
		if (r->port_lo == r->port_hi)
			printf(",port=\"%u\"", r->port_lo);
		else
			printf(",port=\"%u-%u\"", r->port_lo, r->port_hi);
	}
	printf(",proto=\"%s\"", proto_of(r));
	if (!r->anyport)
		printf(",dir=\"%s\"", r->dir == XF_DIR_SRC ? "src" : "dst");
	if (r->family) {
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, addr,
			  sizeof(addr));
		printf(",prefix=\"%s/%u\"", addr, r->prefixlen);
	}
	printf("} %llu\n", v);
}

/* The Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: no timestamps, each family's HELP,
 * TYPE and samples together. Counters are per-CPU sums, as in stats. */
static int cmd_prometheus(struct xf_maps *m, const struct xf_count *c)
{
	static const char *const what[2] = { "packets", "bytes" };
	struct rule_entry *rules;
	struct xf_count *rc;
	__u32 n;

	if (sorted_rules(m, &rules, &n))
		return 1;
	rc = calloc(n ? n : 1, sizeof(*rc));
	if (!rc) {
		fprintf(stderr, "%s: %s\n", xf_prog, strerror(errno));
		free(rules);
		return 1;
	}
	for (__u32 i = 0; i < n; i++) {
		if (read_rule_count(m, rules[i].id, &rc[i])) {
			free(rc);
			free(rules);
			return 1;
		}
	}
	for (int k = 0; k < 2; k++) {
		printf("# HELP xdp_filter_%s_total %s seen by xdp_filter, by"
		       " verdict reason; each packet counts under one.\n"
		       "# TYPE xdp_filter_%s_total counter\n", what[k],
		       k ? "Bytes of packets" : "Packets", what[k]);
		for (__u32 r = 0; r < XF_R_MAX; r++)
			printf("xdp_filter_%s_total{reason=\"%s\","
			       "action=\"%s\"} %llu\n", what[k],
			       xf_reason_names[r], xf_reason_actions[r],
			       (unsigned long long)(k ? c[r].bytes :
						    c[r].packets));
	}
	printf("# HELP xdp_filter_rules Rules in the pinned maps.\n"
	       "# TYPE xdp_filter_rules gauge\n"
	       "xdp_filter_rules %u\n", n);
	for (int k = 0; k < 2; k++) {
		char metric[64];

		snprintf(metric, sizeof(metric), "xdp_filter_rule_%s_total",
			 what[k]);
		printf("# HELP %s %s matched by a rule (dropped by it, or let"
		       " through by it under the allow policy).\n"
		       "# TYPE %s counter\n", metric,
		       k ? "Bytes of packets" : "Packets", metric);
		for (__u32 i = 0; i < n; i++)
			prom_rule(metric, &rules[i].r,
				  (unsigned long long)(k ? rc[i].bytes :
						       rc[i].packets));
	}
	printf("# HELP xdp_filter_rule_log_suppressed_total Drop-log events"
	       " of a rule with log that its rate limit suppressed.\n"
	       "# TYPE xdp_filter_rule_log_suppressed_total counter\n");
	for (__u32 i = 0; i < n; i++) {
		struct xf_rlog b;

		if (!rules[i].r.log_rate)
			continue;
		if (bpf_map_lookup_elem(m->fd[SPEC_RLOG], &rules[i].id, &b))
			memset(&b, 0, sizeof(b));
		prom_rule("xdp_filter_rule_log_suppressed_total", &rules[i].r,
			  (unsigned long long)b.suppressed);
	}
	free(rc);
	free(rules);
	return 0;
}

enum { OUT_TEXT, OUT_JSON, OUT_PROM };

static int cmd_stats(struct xf_maps *m, int out)
{
	int json = out == OUT_JSON;
	struct xf_count c[XF_R_MAX];

	for (__u32 r = 0; r < XF_R_MAX; r++) {
		if (xf_read_count(m->fd[SPEC_STATS], r, &c[r])) {
			fprintf(stderr, "%s: read %s: %s\n", xf_prog,
				XF_MAP_STATS, strerror(errno));
			return 1;
		}
	}
	if (out == OUT_PROM)
		return cmd_prometheus(m, c);
	if (!json)
		printf("%-10s %-6s %20s %20s\n", "reason", "action", "packets",
		       "bytes");
	else
		printf("{");
	for (__u32 r = 0; r < XF_R_MAX; r++) {
		if (json)
			printf("%s\n  \"%s\": {\"action\": \"%s\","
			       " \"packets\": %llu, \"bytes\": %llu}",
			       r ? "," : "", xf_reason_names[r],
			       xf_reason_actions[r],
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes);
		else
			printf("%-10s %-6s %20llu %20llu\n",
			       xf_reason_names[r], xf_reason_actions[r],
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes);
	}
	if (json)
		printf("\n}\n");
	return 0;
}

static int cmd_policy(struct xf_maps *m, const struct xf_policy_args *p)
{
	struct xf_config all;
	struct xf_set cfg;
	int allow;

	if (xf_read_config(m, &all))
		return 1;
	cfg = all.sets[all.set & 1];
	if (p->set) {
		if (p->allow) {
			cfg.flags |= XF_CFG_ALLOW;
			if (p->eph_given) {
				cfg.eph_lo = p->eph_lo;
				cfg.eph_hi = p->eph_hi;
			} else if (!cfg.eph_lo &&
				   xf_local_port_range(&cfg.eph_lo, &cfg.eph_hi)) {
				fprintf(stderr, "%s: cannot read"
					" ip_local_port_range: give"
					" 'ephemeral LO-HI'\n", xf_prog);
				return 1;
			}
			if (p->dhcp == 0)
				cfg.flags |= XF_CFG_NO_DHCP;
			else if (p->dhcp == 1)
				cfg.flags &= ~XF_CFG_NO_DHCP;
		} else {
			cfg.flags &= ~XF_CFG_ALLOW;
		}
		all.sets[all.set & 1] = cfg;
		return xf_write_config(m, &all) ? 1 : 0;
	}
	allow = !!(cfg.flags & XF_CFG_ALLOW);
	if (p->json)
		printf("{\"policy\": \"%s\", \"ephemeral\": [%u, %u],"
		       " \"dhcp\": %s}\n", allow ? "allow" : "deny",
		       cfg.eph_lo, cfg.eph_hi,
		       cfg.flags & XF_CFG_NO_DHCP ? "false" : "true");
	else if (allow)
		printf("allow ephemeral %u-%u %s\n", cfg.eph_lo, cfg.eph_hi,
		       cfg.flags & XF_CFG_NO_DHCP ? "nodhcp" : "dhcp");
	else
		printf("deny\n");
	return 0;
}

/* check-rule: parse one rule (or "policy ...") and print it in canonical
 * form (the syntax list, del and save use; "policy ..." as given, with
 * defaults left out): 0, or 2 after the parser's own message. Scripts use
 * it to check a rule without touching the maps. */
static int cmd_check_rule(int argc, char **argv)
{
	struct xf_policy_args pol;
	struct xf_rdesc rule;
	char text[128];
	int ret;

	if (argc > 0 && !strcmp(argv[0], "policy")) {
		ret = xf_parse_policy(argc - 1, argv + 1, &pol);
		if (ret)
			return ret;
		if (!pol.set)
			return xf_bad_usage("%s", "'policy' needs allow or"
					    " deny here");
		if (!pol.allow) {
			printf("policy deny\n");
			return 0;
		}
		printf("policy allow");
		if (pol.eph_given)
			printf(" ephemeral %u-%u", pol.eph_lo, pol.eph_hi);
		if (pol.dhcp >= 0)
			printf(" %s", pol.dhcp ? "dhcp" : "nodhcp");
		putchar('\n');
		return 0;
	}
	ret = xf_parse_rule(argc, argv, &rule);
	if (ret)
		return ret;
	xf_format_rule(&rule, text, sizeof(text));
	printf("%s\n", text);
	return 0;
}

static int map_id(int fd, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*id = info.id;
	return 0;
}

/* Returns the id of a loaded program that uses one of our maps, 0 if none,
 * or -1 on error. */
static int prog_using(const __u32 *ids, size_t nids, __u32 *prog_id)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info), nmaps, maps[64];
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* freed since get_next_id */
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		nmaps = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = nmaps;
		info.map_ids = (__u64)(unsigned long)maps;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		for (__u32 i = 0; i < nmaps; i++)
			for (size_t j = 0; j < nids; j++)
				if (maps[i] == ids[j]) {
					*prog_id = id;
					return 1;
				}
	}
	if (errno != ENOENT)
		return -1;
	return 0;
}

/* Removes our pins once no program uses the maps (detach calls this). */
static int cmd_unpin(void)
{
	__u32 ids[NSPECS], pid = 0;
	size_t n = 0;
	int ret = 0, used;

	for (size_t i = 0; i < NSPECS; i++) {
		char path[PATH_MAX];
		int fd;

		xf_pin_path(path, xf_specs[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!map_id(fd, &ids[n]))
			n++;
		close(fd);
	}
	if (!n) {
		printf("no pins under %s\n", xf_pin_dir);
		return 0;
	}
	used = prog_using(ids, n, &pid);
	if (used < 0) {
		fprintf(stderr, "%s: listing programs: %s\n", xf_prog,
			strerror(errno));
		return 1;
	}
	if (used) {
		printf("pins kept: program id %u still uses them\n", pid);
		return 0;
	}
	for (size_t i = 0; i < NSPECS; i++) {
		char path[PATH_MAX];

		xf_pin_path(path, xf_specs[i].name);
		if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "%s: %s: %s\n", xf_prog, path,
				strerror(errno));
			ret = 1;
		}
	}
	if (!ret)
		printf("pins removed from %s: the rules are gone\n", xf_pin_dir);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL, *slash;
	struct xf_policy_args pol;
	struct xf_monitor_args mon;
	struct apply_args app;
	struct xf_rdesc rule;
	int out = OUT_TEXT, ret;
	struct xf_maps m;

	slash = strrchr(argv[0], '/');
	xf_prog = slash ? slash + 1 : argv[0];
	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		if (argc > 2)
			return xf_bad_usage("unexpected argument '%s'", argv[2]);
		printf("%s\n", XF_VERSION);
		return 0;
	}

	/* Validate everything before touching the kernel. */
	if (!strcmp(cmd, "add") || !strcmp(cmd, "add_rule") ||
	    !strcmp(cmd, "del")) {
		ret = xf_parse_rule(argc - 2, argv + 2, &rule);
		if (ret)
			return ret;
	} else if (!strcmp(cmd, "list")) {
		if (argc > 3)
			return xf_bad_usage("unexpected argument '%s'", argv[3]);
		if (argc == 3 && strcmp(argv[2], "--json"))
			return xf_bad_usage("bad argument '%s' (expected --json)",
					    argv[2]);
		out = argc == 3 ? OUT_JSON : OUT_TEXT;
	} else if (!strcmp(cmd, "stats")) {
		if (argc > 3)
			return xf_bad_usage("unexpected argument '%s'", argv[3]);
		if (argc == 3 && !strcmp(argv[2], "--json"))
			out = OUT_JSON;
		else if (argc == 3 && !strcmp(argv[2], "--prometheus"))
			out = OUT_PROM;
		else if (argc == 3)
			return xf_bad_usage("bad argument '%s' (expected --json"
					    " or --prometheus)", argv[2]);
	} else if (!strcmp(cmd, "apply")) {
		ret = parse_apply(argc - 2, argv + 2, &app);
		if (ret || app.check) {
			xf_free_ruleset(&app.rs);
			return ret;
		}
	} else if (!strcmp(cmd, "monitor")) {
		ret = xf_parse_monitor(argc - 2, argv + 2, &mon);
		if (ret)
			return ret;
	} else if (!strcmp(cmd, "check-rule")) {
		/* Parse only: the kernel is never touched. */
		return cmd_check_rule(argc - 2, argv + 2);
	} else if (!strcmp(cmd, "policy")) {
		ret = xf_parse_policy(argc - 2, argv + 2, &pol);
		if (ret)
			return ret;
	} else if (!strcmp(cmd, "flush") || !strcmp(cmd, "check") ||
		   !strcmp(cmd, "save") || !strcmp(cmd, "confirm") ||
		   !strcmp(cmd, "rollback") ||
		   !strcmp(cmd, "init") || !strcmp(cmd, "unpin")) {
		if (argc != 2)
			return xf_bad_usage("unexpected argument '%s'", argv[2]);
	} else {
		return xf_bad_usage("unknown command '%s'", cmd);
	}

	ret = xf_init();
	if (ret)
		goto out;
	if (!strcmp(cmd, "unpin"))
		return cmd_unpin();
	if (!strcmp(cmd, "check")) {
		/* Before attach: no pins is fine, wrong pins are not. */
		if (xf_open_maps(&m, 1))
			return errno == ENOENT ? 0 : 1;
		xf_close_maps(&m);
		return 0;
	}
	if (xf_open_maps(&m, 0)) {
		ret = 1;
		goto out;
	}
	if (!strcmp(cmd, "list"))
		ret = cmd_list(&m, out == OUT_JSON);
	else if (!strcmp(cmd, "stats"))
		ret = cmd_stats(&m, out);
	else if (!strcmp(cmd, "policy") && !pol.set)
		ret = cmd_policy(&m, &pol);
	else if (!strcmp(cmd, "save"))
		ret = cmd_save(&m);
	else if (!strcmp(cmd, "monitor"))
		ret = xf_monitor(&m, &mon);
	else if (xf_lock(&m))		/* every change from here on */
		ret = 1;
	else if (!strcmp(cmd, "del"))
		ret = xf_rule_del(&m, &rule);
	else if (!strcmp(cmd, "flush"))
		ret = cmd_flush(&m);
	else if (!strcmp(cmd, "policy"))
		ret = cmd_policy(&m, &pol);
	else if (!strcmp(cmd, "init"))
		ret = xf_stamp_abi(&m);
	else if (!strcmp(cmd, "apply"))
		ret = xf_apply(&m, &app.rs, strcmp(app.file, "-") ? app.file :
			       "<stdin>", app.dry_run, app.confirm);
	else if (!strcmp(cmd, "confirm"))
		ret = xf_confirm(&m);
	else if (!strcmp(cmd, "rollback"))
		ret = xf_rollback(&m, 0);
	else
		ret = xf_rule_add(&m, &rule);
	xf_close_maps(&m);
out:
	if (!strcmp(cmd, "apply"))
		xf_free_ruleset(&app.rs);
	return ret;
}
