// SPDX-License-Identifier: GPL-2.0
/* xf_show.c - rule lists, saved rule sets and counters; see xf_show.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "xf_counts.h"
#include "xf_ct.h"
#include "xf_limits.h"
#include "xf_rule.h"
#include "xf_show.h"
#include "xf_srcsets.h"
#include "xf_tiers.h"

static const char *const reason_names[XF_R_MAX] = XF_REASON_NAMES;

static const char *const reason_actions[XF_R_MAX] = {
	[XF_R_PASSED] = "pass",		[XF_R_DROPPED] = "drop",
	[XF_R_MALFORMED] = "drop",	[XF_R_FRAGMENT] = "pass",
	[XF_R_NON_IP] = "pass",		[XF_R_OTHER_L4] = "pass",
	[XF_R_ALLOWED] = "pass",	[XF_R_POLICY] = "drop",
	[XF_R_TRACKED] = "pass",	[XF_R_STATE] = "drop",
	[XF_R_LIMITED] = "drop",
};

/* A rule of the active set, with its counters once read (limited: a
 * limit rule's packets beyond its rate). */
struct entry {
	struct xf_rule	r;
	__u32		id;
	struct xf_count	c, limited;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return xf_cmp_rule(&x->r, &y->r);
}

/* The rules of the active set in list order, with their counters when
 * counts: a calloc()ed array in *out. */
static int sorted_rules(struct xf_maps *m, bool counts, struct entry **out,
			__u32 *n)
{
	struct entry *e;
	int err = m->rules ? 0 : xf_read_rules(m);

	*n = 0;
	*out = NULL;
	if (err)
		return err;
	e = calloc(XF_MAX_RULES, sizeof(*e));
	if (!e)
		return xf_diag(-ENOMEM, NULL, "%s", strerror(ENOMEM));
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, m->set))
			e[(*n)++] = (struct entry){ .r = m->rules[id], .id = id };
	qsort(e, *n, sizeof(*e), cmp_entry);
	for (__u32 i = 0; counts && !err && i < *n; i++) {
		err = xf_read_count(m, XF_M_RCOUNT, e[i].id, &e[i].c);
		if (!err && e[i].r.limit_rate)
			err = xf_read_count(m, XF_M_RLIMITED, e[i].id,
					    &e[i].limited);
	}
	if (err)
		free(e);
	else
		*out = e;
	return err;
}

/* "limit", "burst", "per_source" (the prefix lengths that group sources,
 * of the families the rule matches) and "limited": null without a limit. */
static void json_limit(const struct entry *e)
{
	const struct xf_rule *r = &e->r;

	if (!r->limit_rate) {
		printf("\"limit\": null, \"burst\": null, \"per_source\":"
		       " null, \"limited\": null, ");
		return;
	}
	printf("\"limit\": %u, \"burst\": %u, \"per_source\": ",
	       r->limit_rate, r->limit_burst);
	if (!r->per_source)
		printf("null");
	else if (r->family == 4 || r->family == 6)
		printf("{\"ipv%u\": %u}", r->family,
		       r->family == 6 ? r->plen6 : r->plen4);
	else
		printf("{\"ipv4\": %u, \"ipv6\": %u}", r->plen4, r->plen6);
	printf(", \"limited\": %llu, ", (unsigned long long)e->limited.packets);
}

static void json_rule(const struct entry *e, bool first)
{
	const struct xf_rule *r = &e->r;
	char pfx[INET6_ADDRSTRLEN + 8];

	printf("%s\n  {\"id\": %u, ", first ? "" : ",", e->id);
	if (r->anyport)
		printf("\"port\": null, \"port_last\": null, ");
	else
		printf("\"port\": %u, \"port_last\": %u, ", r->port_lo,
		       r->port_hi);
	printf("\"proto\": \"%s\", \"dir\": %s, ", xf_proto_text(r),
	       r->anyport ? "null" : r->dir == XF_DIR_SRC ? "\"src\"" :
	       "\"dst\"");
	if (r->family)
		xf_prefix_text(r, pfx, sizeof(pfx));
	if (r->family == XF_FAMILY_SET)
		printf("\"prefix\": null, \"set\": \"%s\", ", pfx + 1);
	else if (r->family)
		printf("\"prefix\": \"%s\", \"set\": null, ", pfx);
	else
		printf("\"prefix\": null, \"set\": null, ");
	if (r->log_rate)
		printf("\"log\": %u, ", r->log_rate);
	else
		printf("\"log\": null, ");
	json_limit(e);
	printf("\"packets\": %llu, \"bytes\": %llu}",
	       (unsigned long long)e->c.packets, (unsigned long long)e->c.bytes);
}

static void text_rule(const struct entry *e)
{
	const struct xf_rule *r = &e->r;
	char pfx[INET6_ADDRSTRLEN + 8], text[XF_RULE_TEXT];

	if (r->anyport)
		printf("any any");
	else if (r->port_lo == r->port_hi)
		printf("%u %s", r->port_lo, xf_proto_text(r));
	else
		printf("%u-%u %s", r->port_lo, r->port_hi, xf_proto_text(r));
	printf(" %llu %llu", (unsigned long long)e->c.packets,
	       (unsigned long long)e->c.bytes);
	if (!r->anyport && r->dir == XF_DIR_SRC)
		printf(" src");
	if (r->family) {
		xf_prefix_text(r, pfx, sizeof(pfx));
		printf(" from %s", pfx);
	}
	if (r->log_rate)
		printf(" log %u/s", r->log_rate);
	if (r->limit_rate) {
		xf_format_limit(r, text, sizeof(text));
		printf(" %s limited %llu", text,
		       (unsigned long long)e->limited.packets);
	}
	putchar('\n');
}

int xf_show_list(struct xf_maps *m, bool json)
{
	struct entry *e;
	__u32 n;
	int err = sorted_rules(m, true, &e, &n);

	if (err)
		return err;
	if (json)
		printf("[");
	for (__u32 i = 0; i < n; i++) {
		if (json)
			json_rule(&e[i], i == 0);
		else
			text_rule(&e[i]);
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(e);
	return 0;
}

int xf_show_save(struct xf_maps *m)
{
	char text[XF_RULE_TEXT], stamp[32];
	time_t now = time(NULL);
	struct xf_config cfg;
	struct entry *e;
	__u32 n;
	int err = sorted_rules(m, false, &e, &n);

	if (!err)
		err = xf_read_config(m, &cfg);
	if (err) {
		free(e);
		return err;
	}
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("# xdp_filter rule set: %u rules, saved %s\n", n, stamp);
	xf_format_policy(&cfg.sets[cfg.set & 1], text, sizeof(text));
	printf("%s\n", text);
	for (__u32 i = 0; i < n; i++) {
		xf_format_rule(&e[i].r, text, sizeof(text));
		printf("%s\n", text);
	}
	free(e);
	return 0;
}

/* The per-source table: null or {...} in JSON, a line of text. */
static void show_lsrc(const struct xf_lsrc_info *t, bool json)
{
	if (json && !t->exists)
		printf("null");
	else if (json)
		printf("{\"map_id\": %u, \"entries\": %u, \"max_entries\":"
		       " %u, \"memory_bytes\": %llu}", t->map_id, t->entries,
		       XF_LSRC_ENTRIES, (unsigned long long)t->memory);
	else if (!t->exists)
		printf("per-source table: none (no per-source limit rule)\n");
	else
		printf("per-source table: %u of %u buckets, %llu bytes\n",
		       t->entries, XF_LSRC_ENTRIES,
		       (unsigned long long)t->memory);
}

int xf_show_limits(struct xf_maps *m, bool json)
{
	char text[XF_RULE_TEXT];
	struct xf_lsrc_info t;
	struct entry *e;
	__u32 n, k = 0;
	int err = sorted_rules(m, true, &e, &n);

	if (err)
		return err;
	err = xf_lsrc_read(m, &t);
	if (err) {
		free(e);
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_LSRC,
			       strerror(-err));
	}
	if (json)
		printf("{\"rules\": [");
	for (__u32 i = 0; i < n; i++) {
		const char *clock;

		if (!e[i].r.limit_rate)
			continue;
		xf_format_rule(&e[i].r, text, sizeof(text));
		clock = xf_limit_coarse(&e[i].r) ? "coarse" : "precise";
		if (json)
			printf("%s\n  {\"id\": %u, \"rule\": \"%s\", \"limited\":"
			       " %llu, \"clock\": \"%s\"}", k++ ? "," : "",
			       e[i].id, text,
			       (unsigned long long)e[i].limited.packets, clock);
		else
			printf("%s limited %llu clock %s\n", text,
			       (unsigned long long)e[i].limited.packets, clock);
	}
	if (json)
		printf("%s], \"per_source_table\": ", k ? "\n" : "");
	show_lsrc(&t, json);
	if (json)
		printf("}\n");
	free(e);
	return 0;
}

/* One sample of a rule's counter. Label values are our own formatting
 * (digits, letters, '.', ':', '/', '-', ' '), never '"', '\\' or a newline,
 * so they need no escaping. A label without a value is left out, which
 * Prometheus reads as the empty value. */
static void prom_rule(const char *metric, const struct xf_rule *r,
		      unsigned long long v)
{
	char text[XF_RULE_TEXT], pfx[INET6_ADDRSTRLEN + 8];

	xf_format_rule(r, text, sizeof(text));
	printf("%s{rule=\"%s\"", metric, text);
	if (!r->anyport) {
		if (r->port_lo == r->port_hi)
			printf(",port=\"%u\"", r->port_lo);
		else
			printf(",port=\"%u-%u\"", r->port_lo, r->port_hi);
	}
	printf(",proto=\"%s\"", xf_proto_text(r));
	if (!r->anyport)
		printf(",dir=\"%s\"", r->dir == XF_DIR_SRC ? "src" : "dst");
	if (r->family) {
		xf_prefix_text(r, pfx, sizeof(pfx));
		if (r->family == XF_FAMILY_SET)
			printf(",set=\"%s\"", pfx + 1);
		else
			printf(",prefix=\"%s\"", pfx);
	}
	printf("} %llu\n", v);
}

static void prom_reasons(const struct xf_count *c)
{
	for (int k = 0; k < 2; k++) {
		const char *what = k ? "bytes" : "packets";

		printf("# HELP xdp_filter_%s_total %s seen by xdp_filter, by"
		       " verdict reason; each packet counts under one.\n"
		       "# TYPE xdp_filter_%s_total counter\n", what,
		       k ? "Bytes of packets" : "Packets", what);
		for (__u32 r = 0; r < XF_R_MAX; r++)
			printf("xdp_filter_%s_total{reason=\"%s\","
			       "action=\"%s\"} %llu\n", what, reason_names[r],
			       reason_actions[r],
			       (unsigned long long)(k ? c[r].bytes :
						    c[r].packets));
	}
}

static void prom_rules(const struct xf_maps *m, const struct entry *e,
		       __u32 n)
{
	printf("# HELP xdp_filter_rules Rules in the pinned maps.\n"
	       "# TYPE xdp_filter_rules gauge\n"
	       "xdp_filter_rules %u\n", n);
	for (int k = 0; k < 2; k++) {
		const char *metric = k ? "xdp_filter_rule_bytes_total" :
					 "xdp_filter_rule_packets_total";

		printf("# HELP %s %s matched by a rule (dropped by it, or let"
		       " through by it under the allow policy or within its"
		       " limit).\n"
		       "# TYPE %s counter\n", metric,
		       k ? "Bytes of packets" : "Packets", metric);
		for (__u32 i = 0; i < n; i++)
			prom_rule(metric, &e[i].r, (unsigned long long)
				  (k ? e[i].c.bytes : e[i].c.packets));
	}
	printf("# HELP xdp_filter_rule_log_suppressed_total Drop-log events"
	       " of a rule with log that its rate limit suppressed.\n"
	       "# TYPE xdp_filter_rule_log_suppressed_total counter\n");
	for (__u32 i = 0; i < n; i++) {
		struct xf_rlog b;

		if (!e[i].r.log_rate)
			continue;
		if (bpf_map_lookup_elem(m->fd[XF_M_RLOG], &e[i].id, &b))
			memset(&b, 0, sizeof(b));
		prom_rule("xdp_filter_rule_log_suppressed_total", &e[i].r,
			  (unsigned long long)b.suppressed);
	}
	printf("# HELP xdp_filter_rule_limited_total Packets of a rule with"
	       " limit dropped beyond its rate.\n"
	       "# TYPE xdp_filter_rule_limited_total counter\n");
	for (__u32 i = 0; i < n; i++)
		if (e[i].r.limit_rate)
			prom_rule("xdp_filter_rule_limited_total", &e[i].r,
				  (unsigned long long)e[i].limited.packets);
}

/* Which feature tier packets run: 1 for the active one. */
static void prom_tier(struct xf_maps *m)
{
	__u32 set;
	int tier;

	if (xf_tier_active(m, &tier, &set))
		return;
	printf("# HELP xdp_filter_tier The feature tier packets run (1) and"
	       " the others (0).\n# TYPE xdp_filter_tier gauge\n");
	for (int t = 0; t < XF_TIERS; t++)
		printf("xdp_filter_tier{tier=\"%s\"} %d\n", xf_tier_name(t),
		       t == tier);
}

/* The active set's policy, and whether tracking is on here for it. */
static void prom_policy(struct xf_maps *m)
{
	static const char *const names[] = { "deny", "allow", "allow_stateless" };
	struct xf_config cfg;
	const struct xf_set *s;
	int cur;

	if (xf_read_config(m, &cfg))
		return;
	s = &cfg.sets[cfg.set & 1];
	cur = !(s->flags & XF_CFG_ALLOW) ? 0 : s->flags & XF_CFG_STATEFUL ? 1 : 2;
	printf("# HELP xdp_filter_policy The policy of the active rule set (1)"
	       " and the others (0).\n# TYPE xdp_filter_policy gauge\n");
	for (int i = 0; i < 3; i++)
		printf("xdp_filter_policy{policy=\"%s\"} %d\n", names[i],
		       i == cur);
	printf("# HELP xdp_filter_conntrack_tracking Connection tracking on"
	       " in this network namespace for the stateful allow policy (the"
	       " nftables table inet %s).\n"
	       "# TYPE xdp_filter_conntrack_tracking gauge\n"
	       "xdp_filter_conntrack_tracking %d\n", XF_CT_TABLE,
	       xf_ct_tracking_on());
}

/* The Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: no timestamps, each family's HELP,
 * TYPE and samples together. Counters are per-CPU sums, as in stats. */
/* Each source set's prefixes and memory, as gauges. */
static void prom_sets(const struct xf_maps *m)
{
	static const char *const what[] = { "prefixes", "memory_bytes" };

	for (int w = 0; w < 2; w++) {
		printf("# HELP xdp_filter_set_%s Source set %s%s.\n# TYPE"
		       " xdp_filter_set_%s gauge\n", what[w],
		       w ? "memory, as the kernel charges its maps" :
		       "prefixes, merged", w ? "" : ", by family", what[w]);
		for (int k = 0; k < XF_MAX_SETS; k++) {
			const struct xf_sdesc *d = &m->sdesc[k];

			if (!d->name[0])
				continue;
			if (w)
				printf("xdp_filter_set_memory_bytes{set=\"%s\"}"
				       " %llu\n", d->name, (unsigned long long)
				       xf_set_memory(m, k));
			else
				printf("xdp_filter_set_prefixes{set=\"%s\","
				       "family=\"ipv4\"} %u\nxdp_filter_set_"
				       "prefixes{set=\"%s\",family=\"ipv6\"}"
				       " %u\n", d->name, d->n4, d->name, d->n6);
		}
	}
}

static int show_prometheus(struct xf_maps *m, const struct xf_count *c)
{
	struct entry *e;
	__u32 n;
	int err = sorted_rules(m, true, &e, &n);

	if (err)
		return err;
	prom_reasons(c);
	prom_rules(m, e, n);
	prom_tier(m);
	prom_policy(m);
	prom_sets(m);
	free(e);
	return 0;
}

int xf_show_stats(struct xf_maps *m, enum xf_out out)
{
	struct xf_count c[XF_R_MAX];
	bool json = out == XF_OUT_JSON;
	int err = m->rules ? 0 : xf_read_rules(m);

	if (!err)
		err = xf_read_reasons(m, c);
	if (err)
		return err;
	if (out == XF_OUT_PROM)
		return show_prometheus(m, c);
	if (json)
		printf("{");
	else
		printf("%-10s %-6s %20s %20s\n", "reason", "action", "packets",
		       "bytes");
	for (__u32 r = 0; r < XF_R_MAX; r++) {
		if (json)
			printf("%s\n  \"%s\": {\"action\": \"%s\","
			       " \"packets\": %llu, \"bytes\": %llu}",
			       r ? "," : "", reason_names[r], reason_actions[r],
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes);
		else
			printf("%-10s %-6s %20llu %20llu\n", reason_names[r],
			       reason_actions[r],
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes);
	}
	if (json)
		printf("\n}\n");
	return 0;
}
