// SPDX-License-Identifier: GPL-2.0
/* xf_apply.c - whole rule sets: read a rules file, apply it atomically,
 * confirm it or roll it back. See xf_apply.h.
 *
 * Atomicity comes from the two rule sets of the maps (xdp_filter.h): the
 * new set is written into the set packets do not use, then xf_config.set
 * is switched with one write. Each packet reads xf_config.set once, so it
 * sees the old set or the new one. Before the old set is cleared (or
 * reused), we wait until no packet can still be reading it: every XDP run
 * is an RCU read-side section, and the kernel waits for those (a
 * synchronize_rcu()) when an entry of a map-in-map is replaced, so one
 * such update on a scratch map is our "wait for readers".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_apply.h"

#define MAX_WORDS	16

struct ref {
	const struct xf_rdesc *r;
	__u32 idx;			/* file order, or rule id */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = xf_cmp_rule(x->r, y->r);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Splits line into words, '#' starting a comment: the word count. */
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

/* The policy line's words into rs->policy (errors name xf_where). */
static int parse_policy_line(int argc, char **argv, struct xf_ruleset *rs)
{
	struct xf_policy_args pa;
	struct xf_set *p = &rs->policy;
	int ret = xf_parse_policy(argc, argv, &pa);

	if (ret)
		return ret;
	if (!pa.set)
		return xf_bad_usage("%s", "'policy' needs allow or deny");
	memset(p, 0, sizeof(*p));
	if (!pa.allow)
		return 0;
	p->flags = XF_CFG_ALLOW | (pa.dhcp == 0 ? XF_CFG_NO_DHCP : 0);
	if (pa.eph_given) {
		p->eph_lo = pa.eph_lo;
		p->eph_hi = pa.eph_hi;
	} else if (xf_local_port_range(&p->eph_lo, &p->eph_hi)) {
		return xf_bad_usage("%s", "cannot read this host's"
				" ip_local_port_range: give 'ephemeral LO-HI'");
	}
	return 0;
}

/* Drops repeated rules and reports overlapping ones (both lines named):
 * after sorting, a rule can only overlap the rule with the highest last
 * port so far in its prefix, kind and direction, per protocol. */
static int check_rules(struct xf_ruleset *rs, const char *name)
{
	struct ref *refs = calloc(rs->n ? rs->n : 1, sizeof(*refs));
	unsigned char *dup = calloc(rs->n ? rs->n : 1, 1);
	char a[128], b[128], where[PATH_MAX_WHERE];
	const struct ref *hi[XF_P_MAX];
	__u32 i, n = 0;
	int bad = 0;

	if (!refs || !dup) {
		free(refs);
		free(dup);
		fprintf(stderr, "%s: %s\n", xf_prog, strerror(ENOMEM));
		return 1;
	}
	for (i = 0; i < rs->n; i++)
		refs[i] = (struct ref){ &rs->r[i], i };
	qsort(refs, rs->n, sizeof(*refs), cmp_ref);
	for (i = 0; i < rs->n; i++) {
		const struct xf_rdesc *r = refs[i].r;

		if (i && xf_same_rule(refs[i - 1].r, r)) {
			dup[refs[i].idx] = 1;	/* said twice: once is enough */
			continue;
		}
		if (!i || xf_cmp_prefix(refs[i - 1].r, r) ||
		    refs[i - 1].r->anyport != r->anyport ||
		    refs[i - 1].r->dir != r->dir)
			memset(hi, 0, sizeof(hi));
		for (__u32 p = 0; p < XF_P_MAX; p++) {
			const struct ref *o = hi[p];

			if (!(r->protos & (1U << p)))
				continue;
			if (o && xf_overlaps(o->r, r)) {
				/* Named at the later line of the two. */
				const struct ref *x = &refs[i], *y = o;

				if (rs->line[x->idx] < rs->line[y->idx]) {
					x = o;
					y = &refs[i];
				}
				xf_format_rule(x->r, a, sizeof(a));
				xf_format_rule(y->r, b, sizeof(b));
				snprintf(where, sizeof(where), "%s:%d", name,
					 rs->line[x->idx]);
				fprintf(stderr, "%s: '%s' overlaps '%s' of line"
					" %d\n", where, a, b,
					rs->line[y->idx]);
				bad = 1;
				break;
			}
		}
		for (__u32 p = 0; p < XF_P_MAX; p++)
			if ((r->protos & (1U << p)) &&
			    (!hi[p] || r->port_hi > hi[p]->r->port_hi ||
			     r->anyport))
				hi[p] = &refs[i];
	}
	for (i = 0; i < rs->n; i++) {
		if (dup[i])
			continue;
		rs->r[n] = rs->r[i];
		rs->line[n++] = rs->line[i];
	}
	rs->n = n;
	free(refs);
	free(dup);
	return bad ? 2 : 0;
}

int xf_read_ruleset(const char *path, struct xf_ruleset *rs)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char *line = NULL, *words[MAX_WORDS], where[PATH_MAX_WHERE];
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	__u32 cap = 0;
	size_t len = 0;
	int n, lineno = 0, bad = 0, ret;
	struct stat st;
	ssize_t got;

	memset(rs, 0, sizeof(*rs));
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", xf_prog, path, strerror(errno));
		return errno == ENOENT || errno == EACCES ? 2 : 1;
	}
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s: is a directory, not a rules file\n",
			xf_prog, path);
		fclose(f);
		return 2;
	}
	while ((got = getline(&line, &len, f)) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", name, lineno);
		xf_where = where;	/* errors of this line say FILE:LINE */
		if (memchr(line, '\0', got)) {
			bad = xf_bad_usage("%s", "a NUL byte: not a rules"
				       " file");
			break;
		}
		n = split(line, words);
		if (n == 0)
			continue;
		if (n < 0) {
			bad = xf_bad_usage("more than %s words", "16");
			continue;
		}
		if (!strcmp(words[0], "policy")) {
			if (rs->policy_line) {
				snprintf(line, len, "%d", rs->policy_line);
				bad = xf_bad_usage("a second policy line (the"
					       " first is line %s)", line);
			} else if (!(ret = parse_policy_line(n - 1, words + 1,
							     rs))) {
				rs->policy_line = lineno;
			} else {
				bad = ret;
			}
			continue;
		}
		if (rs->n == cap) {
			void *r, *l;

			cap = cap ? cap * 2 : 64;
			r = realloc(rs->r, cap * sizeof(*rs->r));
			l = r ? realloc(rs->line, cap * sizeof(*rs->line)) : NULL;
			if (r)
				rs->r = r;
			if (!l) {
				fprintf(stderr, "%s: %s\n", xf_prog,
					strerror(ENOMEM));
				bad = 1;
				break;
			}
			rs->line = l;
		}
		ret = xf_parse_rule(n, words, &rs->r[rs->n]);
		if (ret) {
			bad = ret;
			continue;
		}
		if (rs->n == XF_MAX_RULES - 1) {
			bad = xf_bad_usage("more than %s rules", "32767");
			break;
		}
		rs->line[rs->n++] = lineno;
	}
	xf_where = NULL;
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", xf_prog, name, strerror(errno));
		bad = 1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	ret = check_rules(rs, name);	/* the good lines, even so */
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

int xf_wait_readers(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int inner, outer = -1, err = -1;
	__u32 key = 0, val;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xf_sync_inner", 4, 4, 1,
			       NULL);
	if (inner < 0)
		goto out;
	opts.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xf_sync", 4, 4, 1,
			       &opts);
	if (outer < 0)
		goto out;
	val = inner;
	err = bpf_map_update_elem(outer, &key, &val, BPF_ANY);
out:
	if (err)
		fprintf(stderr, "%s: waiting for packets in flight: %s\n",
			xf_prog, strerror(errno));
	if (outer >= 0)
		close(outer);
	if (inner >= 0)
		close(inner);
	return err ? -1 : 0;
}

/* Takes every rule of set `set` out of the maps and of the records, and
 * zeroes the set's settings. Only for a set no packet uses. */
int xf_clear_set(struct xf_maps *m, __u32 set)
{
	struct xf_batch ports = {}, pports = {};
	struct xf_config cfg;
	struct xf_lpm6 key;
	int err = 0;

	for (__u32 id = 1; id < XF_MAX_RULES && !err; id++) {
		const struct xf_rdesc *r = &m->rd[id];

		if (!xf_in_set(m, id, set))
			continue;
		if (!r->anyport)
			err = xf_batch_slots(r->family ? &pports : &ports, r,
					     set, 0);
	}
	if (!err)
		err = xf_batch_write(m, &ports, 0);
	if (!err)
		err = xf_batch_write(m, &pports, 1);
	for (__u32 id = 1; id < XF_MAX_RULES && !err; id++) {
		const struct xf_rdesc *r = &m->rd[id];
		int fd;

		if (!xf_in_set(m, id, set) || !r->family)
			continue;
		fd = xf_prefix_key(m, r, set, &key);
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			err = -1;
	}
	for (__u32 id = 1; id < XF_MAX_RULES && !err; id++) {
		if (!xf_in_set(m, id, set))
			continue;
		m->rd[id].sets &= ~XF_SET_BIT(set);
		if (!m->rd[id].sets)
			memset(&m->rd[id], 0, sizeof(m->rd[id]));
		err = bpf_map_update_elem(m->fd[SPEC_RDESC], &id, &m->rd[id],
					  BPF_ANY);
	}
	if (!err && !(err = xf_read_config(m, &cfg))) {
		memset(&cfg.sets[set], 0, sizeof(cfg.sets[set]));
		err = xf_write_config(m, &cfg);
	}
	xf_batch_free(&ports);
	xf_batch_free(&pports);
	if (err)
		fprintf(stderr, "%s: clearing rule set %u: %s\n", xf_prog, set,
			strerror(errno));
	return err ? 1 : 0;
}

static int same_policy(const struct xf_set *a, const struct xf_set *b)
{
	if ((a->flags & XF_CFG_ALLOW) != (b->flags & XF_CFG_ALLOW))
		return 0;
	return !(a->flags & XF_CFG_ALLOW) ||
	       (a->flags == b->flags && a->eph_lo == b->eph_lo &&
		a->eph_hi == b->eph_hi);
}

/* The plan of an apply: for each rule of the file, the id it keeps (0: a
 * new rule), and the ids of the active set that are not in the file. */
struct plan {
	__u32 *keep;			/* rs->n */
	__u32 *gone;			/* ids */
	__u32 ngone, nkeep, nadd;
	int policy_changed;
};

static int make_plan(const struct xf_maps *m, const struct xf_ruleset *rs,
		     const struct xf_set *cur, struct plan *pl)
{
	struct ref *old = calloc(XF_MAX_RULES, sizeof(*old));
	struct ref *new = calloc(rs->n ? rs->n : 1, sizeof(*new));
	__u32 nold = 0, i = 0, j = 0;

	memset(pl, 0, sizeof(*pl));
	pl->keep = calloc(rs->n ? rs->n : 1, sizeof(*pl->keep));
	pl->gone = calloc(XF_MAX_RULES, sizeof(*pl->gone));
	if (!old || !new || !pl->keep || !pl->gone) {
		free(old);
		free(new);
		fprintf(stderr, "%s: %s\n", xf_prog, strerror(ENOMEM));
		return 1;
	}
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, m->set))
			old[nold++] = (struct ref){ &m->rd[id], id };
	for (__u32 k = 0; k < rs->n; k++)
		new[k] = (struct ref){ &rs->r[k], k };
	qsort(old, nold, sizeof(*old), cmp_ref);
	qsort(new, rs->n, sizeof(*new), cmp_ref);
	while (i < nold || j < rs->n) {
		int c = i == nold ? 1 : j == rs->n ? -1 :
			xf_cmp_rule(old[i].r, new[j].r);

		if (c < 0) {
			pl->gone[pl->ngone++] = old[i++].idx;
		} else if (c > 0) {
			pl->nadd++;
			j++;
		} else {
			pl->keep[new[j++].idx] = old[i++].idx;
			pl->nkeep++;
		}
	}
	pl->policy_changed = !same_policy(cur, &rs->policy);
	free(old);
	free(new);
	return 0;
}

static void free_plan(struct plan *pl)
{
	free(pl->keep);
	free(pl->gone);
}

/* apply --dry-run: what would change, "- RULE" and "+ RULE" lines in list
 * order, then the policy, then a summary comment. */
static void print_diff(const struct xf_maps *m, const struct xf_ruleset *rs,
		       const struct plan *pl, const struct xf_set *cur)
{
	struct ref *lines = calloc(pl->ngone + pl->nadd + 1, sizeof(*lines));
	char text[160], pol[96];
	__u32 n = 0;

	if (!lines)
		return;
	for (__u32 k = 0; k < pl->ngone; k++)
		lines[n++] = (struct ref){ &m->rd[pl->gone[k]], 0 };
	for (__u32 k = 0; k < rs->n; k++)
		if (!pl->keep[k])
			lines[n++] = (struct ref){ &rs->r[k], 1 };
	qsort(lines, n, sizeof(*lines), cmp_ref);
	for (__u32 k = 0; k < n; k++) {
		xf_format_rule(lines[k].r, text, sizeof(text));
		printf("%c %s\n", lines[k].idx ? '+' : '-', text);
	}
	if (pl->policy_changed) {
		xf_format_policy(cur, pol, sizeof(pol));
		printf("- %s\n", pol);
		xf_format_policy(&rs->policy, pol, sizeof(pol));
		printf("+ %s\n", pol);
	}
	printf("# %u to add, %u to delete, %u unchanged; policy %s\n",
	       pl->nadd, pl->ngone, pl->nkeep,
	       pl->policy_changed ? "changes" : "unchanged");
	free(lines);
}

/* Writes the file's rules into set `set` (empty), with ids from the plan
 * or new ones, and its settings into cfg->sets[set]. On failure the caller
 * clears the set again. */
static int build_set(struct xf_maps *m, const struct xf_ruleset *rs,
		     const struct plan *pl, __u32 set, struct xf_config *cfg)
{
	static unsigned char taken[XF_MAX_RULES + 1];
	struct xf_batch ports = {}, pports = {};
	struct xf_set *s = &cfg->sets[set];
	__u32 *ids = calloc(rs->n ? rs->n : 1, sizeof(*ids));
	struct ref *byprefix = calloc(rs->n ? rs->n : 1, sizeof(*byprefix));
	__u32 next = 0, npfx = 0;
	int err = -1;

	if (!ids || !byprefix)
		goto out;
	memset(taken, 0, sizeof(taken));
	*s = rs->policy;
	s->nprefix4 = s->nprefix6 = s->nsrc = 0;
	/* Ids and records first: xf_clear_set() undoes from the records. */
	for (__u32 k = 0; k < rs->n; k++) {
		struct xf_rdesc r = rs->r[k];
		__u32 id = pl->keep[k];

		if (!id) {
			next = xf_free_id(m, next);
			if (!next) {
				fprintf(stderr, "%s: apply: the rule table is"
					" full: the old and the new set share"
					" %d ids while they switch\n", xf_prog,
					XF_MAX_RULES - 1);
				errno = ENOSPC;
				goto out;
			}
			id = next;
			r.sets = 0;
			if (xf_new_rule_state(m, id, &r))
				goto out;
		} else {
			r = m->rd[id];
		}
		r.sets |= XF_SET_BIT(set);
		m->rd[id] = r;		/* pid set below, record after */
		ids[k] = id;
		if (r.family)
			byprefix[npfx++] = (struct ref){ &rs->r[k], k };
		else if (r.dir == XF_DIR_SRC)
			s->nsrc++;
	}
	/* One pid per prefix: the one it has in the other set, or a new
	 * one; rules of a prefix are next to each other once sorted. */
	qsort(byprefix, npfx, sizeof(*byprefix), cmp_ref);
	for (__u32 k = 0, pid = 0; k < npfx; k++) {
		const struct xf_rdesc *r = byprefix[k].r;
		__u32 id = ids[byprefix[k].idx];

		/* The same prefix in the other set (a kept rule, or one
		 * going away) keeps its pid. */
		if (!k || xf_cmp_prefix(byprefix[k - 1].r, r)) {
			pid = 0;
			for (__u32 i = 1; i < XF_MAX_RULES && !pid; i++)
				if ((m->rd[i].sets & ~XF_SET_BIT(set)) &&
				    m->rd[i].family && !xf_cmp_prefix(&m->rd[i], r))
					pid = m->rd[i].pid;
			if (!pid) {
				/* Not counted by xf_free_pid() yet: the
				 * records of this set are not written. */
				pid = xf_free_pid(m, taken);
				taken[pid] = 1;
			}
			if (r->family == 4)
				s->nprefix4++;
			else
				s->nprefix6++;
		}
		m->rd[id].pid = pid;
	}
	for (__u32 k = 0; k < rs->n; k++)
		if (bpf_map_update_elem(m->fd[SPEC_RDESC], &ids[k],
					&m->rd[ids[k]], BPF_ANY))
			goto out;
	for (__u32 k = 0; k < rs->n; k++) {
		const struct xf_rdesc *r = &m->rd[ids[k]];

		if (!r->anyport &&
		    xf_batch_slots(r->family ? &pports : &ports, r, set,
				   xf_path_id(r, ids[k])))
			goto out;
	}
	if (xf_batch_write(m, &ports, 0) || xf_batch_write(m, &pports, 1))
		goto out;
	/* Trie entries last, one per prefix, with its "any" rule. */
	for (__u32 k = 0; k < npfx; k++) {
		const struct xf_rdesc *r = &m->rd[ids[byprefix[k].idx]];
		struct xf_pfx val = { .pid = r->pid };
		struct xf_lpm6 key;
		int fd;

		if (k && !xf_cmp_prefix(byprefix[k - 1].r, byprefix[k].r))
			continue;
		for (__u32 i = k; i < npfx &&
		     !xf_cmp_prefix(byprefix[i].r, byprefix[k].r); i++)
			if (byprefix[i].r->anyport)
				val.any_id = xf_path_id(byprefix[i].r,
							ids[byprefix[i].idx]);
		fd = xf_prefix_key(m, r, set, &key);
		if (bpf_map_update_elem(fd, &key, &val, BPF_ANY))
			goto out;
	}
	err = 0;
out:
	if (err && errno)
		fprintf(stderr, "%s: apply: %s%s\n", xf_prog, strerror(errno),
			errno == E2BIG || errno == ENOMEM ?
			" (prefix or prefix-port table full)" : "");
	xf_batch_free(&ports);
	xf_batch_free(&pports);
	free(ids);
	free(byprefix);
	return err ? 1 : 0;
}

static void clock_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/* Switches packets from the active set to the other one, after the
 * pending confirmation (if any) is settled by the caller. */
static int switch_set(struct xf_maps *m, struct xf_config *cfg, __u32 to)
{
	cfg->set = to;
	cfg->serial++;
	if (xf_write_config(m, cfg))
		return 1;
	m->set = to;
	return 0;
}

/* Is pid our rollback timer (a forked rulectl), so kill() hits nothing
 * else even if the timer is gone and its pid reused? */
static int is_timer(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "rulectl\n");
}

static void stop_timer(__u32 pid)
{
	if (pid && is_timer(pid))
		kill(pid, SIGTERM);
}

/* Ends a pending apply --confirm: packets stay on the applied set (keep),
 * or switch back to the set it replaced; then the other set is cleared. */
static int settle(struct xf_maps *m, struct xf_config *cfg, int keep)
{
	__u32 drop = keep ? !(cfg->set & 1) : cfg->set & 1;

	cfg->confirm_by = 0;
	cfg->confirm_pid = 0;
	if (keep ? xf_write_config(m, cfg) : switch_set(m, cfg, !drop))
		return 1;
	return xf_wait_readers() || xf_clear_set(m, drop) ? 1 : 0;
}

/* The rollback: back to the set kept since apply --confirm, then the set
 * that was not confirmed is cleared. Under the lock. */
int xf_rollback(struct xf_maps *m, int by_timer)
{
	struct xf_config cfg;

	if (xf_read_config(m, &cfg))
		return 1;
	if (by_timer && (!cfg.confirm_by ||
			 cfg.confirm_pid != (__u32)getpid()))
		return -1;		/* confirmed or rolled back already */
	if (!cfg.confirm_by) {
		fprintf(stderr, "%s: rollback: no apply is waiting for"
			" confirmation (see '%s save')\n", xf_prog, xf_prog);
		return 1;
	}
	if (!by_timer)
		stop_timer(cfg.confirm_pid);
	if (settle(m, &cfg, 0))
		return 1;
	if (!by_timer)
		printf("rolled back to the rule set the last apply replaced\n");
	return 0;
}

int xf_confirm(struct xf_maps *m)
{
	struct xf_config cfg;

	if (xf_read_config(m, &cfg))
		return 1;
	if (!cfg.confirm_by) {
		fprintf(stderr, "%s: confirm: no apply is waiting for"
			" confirmation (it was confirmed, or rolled back:"
			" see '%s save')\n", xf_prog, xf_prog);
		return 1;
	}
	stop_timer(cfg.confirm_pid);
	if (settle(m, &cfg, 1))
		return 1;
	printf("confirmed: the applied rule set stays\n");
	return 0;
}

/* The rollback timer: a child in its own session (it outlives the shell
 * and the ssh session that ran apply), with nothing open, that sleeps until
 * the deadline and rolls back unless confirm ran. Returns its pid. */
static pid_t start_timer(time_t deadline)
{
	pid_t pid = fork();
	struct timespec until = { .tv_sec = deadline };
	struct xf_maps t;
	int fd, ret;

	if (pid)
		return pid;		/* parent, or -1 */
	setsid();
	/* Nothing of the caller's stays open: a pipe that a shell or ssh
	 * waits on must not wait for the deadline. The parent's lock stays
	 * with the parent: closing our copy of the descriptor does not
	 * release a flock(). */
	if (syscall(SYS_close_range, 3U, ~0U, 0U))
		for (fd = 3; fd < 1024; fd++)
			close(fd);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL))
		;
	openlog("xdp_filter", LOG_PID, LOG_DAEMON);
	if (xf_open_maps(&t, 1))
		_exit(0);		/* the filter is gone */
	ret = xf_lock(&t) ? 1 : xf_rollback(&t, 1);
	if (ret > 0)
		syslog(LOG_ERR, "apply --confirm: the rollback failed");
	else if (!ret)
		syslog(LOG_WARNING, "apply --confirm: not confirmed in time,"
		       " rolled back to the previous rule set");
	xf_close_maps(&t);
	_exit(ret > 0);
}

int xf_apply(struct xf_maps *m, const struct xf_ruleset *rs, const char *name,
	     int dry_run, int confirm_secs)
{
	struct xf_config cfg;
	__u32 old = m->set, next = !m->set;
	char pol[96], at[16];
	struct plan pl;
	int ret = 1;

	if (xf_read_config(m, &cfg) || make_plan(m, rs, &cfg.sets[old], &pl))
		return 1;
	if (dry_run) {
		print_diff(m, rs, &pl, &cfg.sets[old]);
		ret = 0;
		goto out;
	}
	if (cfg.confirm_by) {
		clock_text(cfg.confirm_by, at, sizeof(at));
		fprintf(stderr, "%s: apply: the last apply waits for"
			" confirmation until %s: run '%s confirm' (or"
			" rollback) first\n", xf_prog, at, xf_prog);
		goto out;
	}
	if (!pl.nadd && !pl.ngone && !pl.policy_changed) {
		printf("%s: no changes (%u rule%s)\n", name, pl.nkeep,
		       pl.nkeep == 1 ? "" : "s");
		ret = 0;
		goto out;
	}
	/* A set left behind by a failed run is cleared first. */
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, next)) {
			if (xf_clear_set(m, next) || xf_read_config(m, &cfg))
				goto out;
			break;
		}
	if (build_set(m, rs, &pl, next, &cfg)) {
		xf_clear_set(m, next);
		goto out;
	}
	if (confirm_secs) {
		cfg.confirm_by = time(NULL) + confirm_secs;
		cfg.confirm_pid = start_timer(cfg.confirm_by);
		if ((pid_t)cfg.confirm_pid == (pid_t)-1) {
			fprintf(stderr, "%s: apply: fork: %s\n", xf_prog,
				strerror(errno));
			xf_clear_set(m, next);
			goto out;
		}
	}
	/* The switch: one write of xf_config. */
	if (switch_set(m, &cfg, next)) {
		if (confirm_secs)
			kill(cfg.confirm_pid, SIGTERM);
		xf_clear_set(m, next);
		goto out;
	}
	/* Packets use the new set now, whatever happens next: a failure to
	 * clear the old one is said, and the next apply clears it. */
	if (!confirm_secs && (xf_wait_readers() || xf_clear_set(m, old)))
		fprintf(stderr, "%s: apply: the new set is active, but the old"
			" one was not cleared; the next apply clears it\n",
			xf_prog);
	xf_format_policy(&rs->policy, pol, sizeof(pol));
	printf("%s: applied: %u added, %u deleted, %u unchanged; %s\n", name,
	       pl.nadd, pl.ngone, pl.nkeep, pol);
	if (confirm_secs) {
		clock_text(cfg.confirm_by, at, sizeof(at));
		printf("rolls back at %s (in %d s) unless '%s confirm' runs\n",
		       at, confirm_secs, xf_prog);
	}
	ret = 0;
out:
	free_plan(&pl);
	return ret;
}
