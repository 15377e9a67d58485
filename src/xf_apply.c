// SPDX-License-Identifier: GPL-2.0
/* xf_apply.c - whole rule sets: apply a rules file atomically, confirm it
 * or roll it back; see xf_apply.h.
 *
 * Atomicity comes from the two rule sets of the maps (xdp_filter.h): the
 * store writes the new set into the set packets do not use, then switches
 * xf_config.set with one write. Each packet reads xf_config.set once, so it
 * sees the old set or the new one. Before the old set is cleared, we wait
 * until no packet can still be reading it (xf_store_wait_readers()).
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
#include <sys/syscall.h>
#include <sys/types.h>

#include "xf_apply.h"
#include "xf_store.h"
#include "xf_tiers.h"

struct ref {
	const struct xf_rule *r;
	__u32 idx;			/* file order, or rule id */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = xf_cmp_rule(x->r, y->r);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The plan of an apply: for each rule of the file, the id it keeps (0: a
 * new rule), and the ids of the active set that are not in the file. */
struct plan {
	__u32	*keep;			/* rs->n */
	__u32	*gone;			/* ids */
	__u32	ngone, nkeep, nadd;
	bool	policy_changed;
};

static void free_plan(struct plan *pl)
{
	free(pl->keep);
	free(pl->gone);
	memset(pl, 0, sizeof(*pl));
}

/* The active set's rules and the file's, sorted, merged. */
static void merge(struct plan *pl, const struct ref *old, __u32 nold,
		  const struct ref *new, __u32 nnew)
{
	__u32 i = 0, j = 0;

	while (i < nold || j < nnew) {
		int c = i == nold ? 1 : j == nnew ? -1 :
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
}

static int make_plan(const struct xf_maps *m, const struct xf_ruleset *rs,
		     const struct xf_set *cur, struct plan *pl)
{
	struct ref *old = calloc(XF_MAX_RULES, sizeof(*old));
	struct ref *new = calloc(rs->n ? rs->n : 1, sizeof(*new));
	__u32 nold = 0;
	int err = 0;

	memset(pl, 0, sizeof(*pl));
	pl->keep = calloc(rs->n ? rs->n : 1, sizeof(*pl->keep));
	pl->gone = calloc(XF_MAX_RULES, sizeof(*pl->gone));
	if (!old || !new || !pl->keep || !pl->gone) {
		free_plan(pl);
		err = xf_diag(-ENOMEM, NULL, "%s", strerror(ENOMEM));
		goto out;
	}
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, m->set))
			old[nold++] = (struct ref){ &m->rules[id], id };
	for (__u32 k = 0; k < rs->n; k++)
		new[k] = (struct ref){ &rs->r[k], k };
	qsort(old, nold, sizeof(*old), cmp_ref);
	qsort(new, rs->n, sizeof(*new), cmp_ref);
	merge(pl, old, nold, new, rs->n);
	pl->policy_changed = !xf_same_policy(cur, &rs->policy);
out:
	free(old);
	free(new);
	return err;
}

/* apply --dry-run: what would change, "- RULE" and "+ RULE" lines in list
 * order, then the policy, then a summary comment. */
static int print_diff(const struct xf_maps *m, const struct xf_ruleset *rs,
		      const struct plan *pl, const struct xf_set *cur)
{
	struct ref *lines = calloc(pl->ngone + pl->nadd + 1, sizeof(*lines));
	char text[XF_RULE_TEXT];
	__u32 n = 0;

	if (!lines)
		return xf_diag(-ENOMEM, NULL, "%s", strerror(ENOMEM));
	for (__u32 k = 0; k < pl->ngone; k++)
		lines[n++] = (struct ref){ &m->rules[pl->gone[k]], 0 };
	for (__u32 k = 0; k < rs->n; k++)
		if (!pl->keep[k])
			lines[n++] = (struct ref){ &rs->r[k], 1 };
	qsort(lines, n, sizeof(*lines), cmp_ref);
	for (__u32 k = 0; k < n; k++) {
		xf_format_rule(lines[k].r, text, sizeof(text));
		printf("%c %s\n", lines[k].idx ? '+' : '-', text);
	}
	if (pl->policy_changed) {
		xf_format_policy(cur, text, sizeof(text));
		printf("- %s\n", text);
		xf_format_policy(&rs->policy, text, sizeof(text));
		printf("+ %s\n", text);
	}
	printf("# %u to add, %u to delete, %u unchanged; policy %s\n",
	       pl->nadd, pl->ngone, pl->nkeep,
	       pl->policy_changed ? "changes" : "unchanged");
	free(lines);
	return 0;
}

static void clock_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/* Is pid our rollback timer (a forked rulectl), so kill() hits nothing
 * else even if the timer is gone and its pid reused? */
static bool is_timer(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
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
static int settle(struct xf_maps *m, const struct xf_config *cfg, bool keep)
{
	__u32 drop = keep ? !(cfg->set & 1) : cfg->set & 1;
	int err = keep ? xf_store_confirmed(m) :
			 xf_store_switch(m, !drop, 0, 0);

	if (!err)
		err = xf_store_wait_readers();
	return err ? err : xf_store_clear(m, drop, true);
}

/* The rollback, by the timer (by_timer: only if this process is still the
 * timer of record; 1 when it is not) or by hand. Under the lock. */
static int rollback(struct xf_maps *m, bool by_timer)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	if (by_timer && (!cfg.confirm_by ||
			 cfg.confirm_pid != (__u32)getpid()))
		return 1;		/* confirmed or rolled back already */
	if (!cfg.confirm_by)
		return xf_diag(-ENOENT, NULL, "rollback: no apply is waiting for"
			       " confirmation (see '%s save')", xf_prog);
	if (!by_timer)
		stop_timer(cfg.confirm_pid);
	return settle(m, &cfg, false);
}

int xf_rollback(struct xf_maps *m)
{
	int err = rollback(m, false);

	if (!err)
		printf("rolled back to the rule set the last apply replaced\n");
	return err;
}

int xf_confirm(struct xf_maps *m)
{
	struct xf_config cfg;
	int err = xf_read_config(m, &cfg);

	if (err)
		return err;
	if (!cfg.confirm_by)
		return xf_diag(-ENOENT, NULL, "confirm: no apply is waiting for"
			       " confirmation (it was confirmed, or rolled back:"
			       " see '%s save')", xf_prog);
	stop_timer(cfg.confirm_pid);
	err = settle(m, &cfg, true);
	if (!err)
		printf("confirmed: the applied rule set stays\n");
	return err;
}

/* The timer's own life: detached from the caller, it sleeps until the
 * deadline and rolls back unless confirm ran. Never returns. */
static void timer_main(time_t deadline)
{
	struct timespec until = { .tv_sec = deadline };
	struct xf_maps t;
	int fd, ret;

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
	if (xf_open_maps(&t, true))
		_exit(0);		/* the filter is gone */
	ret = xf_lock(&t, true);
	if (!ret)
		ret = rollback(&t, true);
	if (ret < 0)
		syslog(LOG_ERR, "apply --confirm: the rollback failed");
	else if (!ret)
		syslog(LOG_WARNING, "apply --confirm: not confirmed in time,"
		       " rolled back to the previous rule set");
	xf_close_maps(&t);
	_exit(ret < 0);
}

/* The rollback timer: a child in its own session (it outlives the shell
 * and the ssh session that ran apply). Returns its pid, or -1. */
static pid_t start_timer(time_t deadline)
{
	pid_t pid = fork();

	if (!pid)
		timer_main(deadline);
	return pid;
}

/* Writes the file's rules and policy into rule set `next`, which no packet
 * uses; a set left behind by a failed run is cleared first. */
static int build_set(struct xf_maps *m, const struct xf_ruleset *rs,
		     __u32 next)
{
	int err = 0;

	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, next)) {
			err = xf_store_clear(m, next, true);
			break;
		}
	if (err)
		return err;
	err = xf_store_insert(m, next, rs->r, rs->n, NULL);
	if (err == -ENOSPC)
		xf_diag(err, NULL, "apply: the rule table is full: the old and"
			" the new set share %d ids while they switch",
			XF_MAX_RULES - 1);
	else if (err)
		xf_diag(err, NULL, "apply: %s%s", strerror(-err),
			err == -E2BIG || err == -ENOMEM ?
			" (prefix or prefix-port table full)" : "");
	if (!err)
		err = xf_store_policy(m, next, &rs->policy);
	return err;
}

/* Switches packets to rule set `next`, with the rollback timer started
 * first when confirm_secs > 0; the new set goes again on failure. */
static int switch_to(struct xf_maps *m, __u32 next, int confirm_secs,
		     time_t *deadline)
{
	pid_t timer = 0;
	int err;

	*deadline = 0;
	if (confirm_secs) {
		*deadline = time(NULL) + confirm_secs;
		timer = start_timer(*deadline);
		if (timer < 0)
			return xf_diag(-errno, NULL, "apply: fork: %s",
				       strerror(errno));
	}
	err = xf_store_switch(m, next, *deadline, timer);	/* one write */
	if (err && timer > 0)
		kill(timer, SIGTERM);
	return err;
}

static int refuse_pending(const struct xf_config *cfg)
{
	char at[16];

	clock_text(cfg->confirm_by, at, sizeof(at));
	return xf_diag(-EBUSY, NULL, "apply: the last apply waits for"
		       " confirmation until %s: run '%s confirm' (or rollback)"
		       " first", at, xf_prog);
}

static void say_applied(const struct xf_ruleset *rs, const struct plan *pl,
			int confirm_secs, time_t deadline)
{
	char pol[XF_RULE_TEXT], at[16];

	xf_format_policy(&rs->policy, pol, sizeof(pol));
	printf("%s: applied: %u added, %u deleted, %u unchanged; %s\n",
	       rs->name, pl->nadd, pl->ngone, pl->nkeep, pol);
	if (confirm_secs) {
		clock_text(deadline, at, sizeof(at));
		printf("rolls back at %s (in %d s) unless '%s confirm' runs\n",
		       at, confirm_secs, xf_prog);
	}
}

int xf_apply(struct xf_maps *m, const struct xf_ruleset *rs, bool dry_run,
	     int confirm_secs)
{
	__u32 old = m->set, next = !m->set;
	struct xf_config cfg;
	struct plan pl = {};
	time_t deadline;
	int err = xf_read_config(m, &cfg);

	if (!err)
		err = make_plan(m, rs, &cfg.sets[old], &pl);
	if (!err)
		err = xf_policy_check(m, &rs->policy);
	if (err || dry_run) {
		err = err ? err : print_diff(m, rs, &pl, &cfg.sets[old]);
		goto out;
	}
	if (cfg.confirm_by) {
		err = refuse_pending(&cfg);
		goto out;
	}
	if (!pl.nadd && !pl.ngone && !pl.policy_changed) {
		printf("%s: no changes (%u rule%s)\n", rs->name, pl.nkeep,
		       pl.nkeep == 1 ? "" : "s");
		goto out;
	}
	err = build_set(m, rs, next);
	if (!err)
		err = switch_to(m, next, confirm_secs, &deadline);
	if (err) {
		xf_store_clear(m, next, true);
		goto out;
	}
	/* Packets use the new set now, whatever happens next: a failure to
	 * clear the old one is said, and the next apply clears it. */
	if (!confirm_secs && (xf_store_wait_readers() ||
			      xf_store_clear(m, old, true)))
		xf_diag(0, NULL, "apply: the new set is active, but the old one"
			" was not cleared; the next apply clears it");
	say_applied(rs, &pl, confirm_secs, deadline);
out:
	free_plan(&pl);
	return err;
}
