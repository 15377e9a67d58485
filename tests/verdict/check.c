// SPDX-License-Identifier: GPL-2.0
/* check.c - what a case's frame did to the maps, against what the case
 * says: the xf_stats reason that counted it (none for a rule's drop), the
 * xf_rcount slot of the rule that decided it (dropped it, or let it
 * through under the allow policy or within its rate limit) and no other
 * rule's, the xf_rlimited slot of a limit rule beyond its rate and no
 * other, and the drop log: only a drop by a logging rule (a deny rule's,
 * or a limit rule's beyond its rate) within the log's rate leaves an event
 * in xf_log, an event that describes the frame and why it dropped, and
 * only that rule's token bucket moves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "../../src/xf_pins.h"
#include "../../src/xf_rule.h"
#include "verdict.h"

static const char *const reason_names[XF_R_MAX] = XF_REASON_NAMES;

const char *reason_name(int r)
{
	return r >= 0 && r < XF_R_MAX && reason_names[r] ? reason_names[r] :
							     "?";
}

const struct rule *rule_at(const struct tcase *c, const struct placed *p,
			   int k, __u32 *id)
{
	const struct rule *r = k < MAX_RULES ? &c->rules[k] :
			       k < NR ? &c->orules[k - MAX_RULES] : NULL;

	if (!r || !r->on)
		return NULL;
	*id = k < MAX_RULES ? p->id[k] : p->oid[k - MAX_RULES];
	return r;
}

/* Rules of a case are not contiguous (rules[], then orules[]): callers
 * loop over every k and skip the ones rule_at() has nothing for. */
int snap(const struct xf_maps *m, const struct tcase *c,
	 const struct placed *p, struct snapshot *s)
{
	__u32 id;
	int k, err = 0;

	memset(s, 0, sizeof(*s));
	for (__u32 r = 0; r < XF_R_MAX && !err; r++)
		err = xf_read_count(m, XF_M_STATS, r, &s->stats[r]);
	for (k = 0; k < NR && !err; k++) {
		if (!rule_at(c, p, k, &id))
			continue;
		err = xf_read_count(m, XF_M_RCOUNT, id, &s->rule[k]);
		if (!err)
			err = xf_read_count(m, XF_M_RLIMITED, id,
					    &s->rlimited[k]);
		if (!err && bpf_map_lookup_elem(m->fd[XF_M_RLOG], &id,
						&s->rlog[k]))
			err = -errno;
	}
	return err;
}

static void check_count(char *diff, size_t size, const char *what,
			const struct xf_count *before,
			const struct xf_count *after, __u64 want_pkts,
			__u64 want_bytes)
{
	__u64 pkts = after->packets - before->packets;
	__u64 bytes = after->bytes - before->bytes;

	if (pkts == want_pkts && bytes == want_bytes)
		return;
	note(diff, size, "%s +%llu pkt +%llu B, want +%llu pkt +%llu B", what,
	     (unsigned long long)pkts, (unsigned long long)bytes,
	     (unsigned long long)want_pkts, (unsigned long long)want_bytes);
}

/* What the frames moved: packets (and bytes) counted as why and as
 * limited. */
struct moved {
	__u64	ok, ok_bytes;		/* as why */
	__u64	lim, lim_bytes;		/* limited */
};

static struct moved case_moved(const struct tcase *c, __u64 runs, size_t len,
			       size_t pre_len)
{
	__u64 pre = (__u64)c->pre_repeat, lim = (__u64)c->limited,
	      plim = (__u64)c->pre_limited;
	struct moved m = {
		.ok = runs - lim + pre - plim,
		.ok_bytes = (runs - lim) * len + (pre - plim) * pre_len,
		.lim = lim + plim,
		.lim_bytes = lim * len + plim * pre_len,
	};

	return m;
}

void check_counts(const struct tcase *c, const struct placed *p,
		  const struct snapshot *b, const struct snapshot *a,
		  __u64 runs, size_t len, size_t pre_len, char *diff,
		  size_t size)
{
	bool decides = c->why == XF_R_DROPPED || c->why == XF_R_ALLOWED;
	char what[XF_RULE_TEXT + 64], text[XF_RULE_TEXT];
	struct moved m = case_moved(c, runs, len, pre_len);
	const struct rule *r;
	struct xf_rule x;
	__u64 want, wantb;
	__u32 id;

	/* One counter a packet: a rule's drop moves the rule's alone (the
	 * "dropped" total is derived), an allow the rule's and "allowed",
	 * a limited drop "limited" and the rule's limited count. */
	for (int i = 0; i < XF_R_MAX; i++) {
		want = i == c->why && i != XF_R_DROPPED ? m.ok : 0;
		wantb = i == c->why && i != XF_R_DROPPED ? m.ok_bytes : 0;
		if (i == XF_R_LIMITED) {
			want += m.lim;
			wantb += m.lim_bytes;
		}
		check_count(diff, size, reason_names[i], &b->stats[i],
			    &a->stats[i], want, wantb);
	}
	for (int k = 0; k < NR; k++) {
		r = rule_at(c, p, k, &id);
		if (!r)
			continue;
		case_rule(r, &x);
		xf_format_rule(&x, text, sizeof(text));
		snprintf(what, sizeof(what), "rule #%u (%s%s)", id, text,
			 k < MAX_RULES ? "" : ", the other set");
		check_count(diff, size, what, &b->rule[k], &a->rule[k],
			    k == 0 && decides ? m.ok : 0,
			    k == 0 && decides ? m.ok_bytes : 0);
		snprintf(what, sizeof(what), "rule #%u's limited (%s%s)", id,
			 text, k < MAX_RULES ? "" : ", the other set");
		check_count(diff, size, what, &b->rlimited[k],
			    &a->rlimited[k], k == 0 ? m.lim : 0,
			    k == 0 ? m.lim_bytes : 0);
	}
}

/* ------------------------------------------------------------- drop log */

static __u64 ts_ns(const struct timespec *t)
{
	return (__u64)t->tv_sec * 1000000000ULL + t->tv_nsec;
}

static __be16 be16(uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };
	__be16 r;

	memcpy(&r, b, sizeof(r));
	return r;
}

static uint16_t host16(__be16 v)
{
	uint8_t b[2];

	memcpy(b, &v, sizeof(b));
	return b[0] << 8 | b[1];
}

/* The xf_log record of a drop of frame f by rule 0 of c, but for ts_ns
 * and suppressed. */
static void want_event(const struct drop_log *l, const struct tcase *c,
		       const struct placed *p, const struct frame *f,
		       struct xf_event *w)
{
	static const uint8_t src4[4] = { 198, 18, 0, 1 },
		dst4[4] = { 198, 18, 0, 2 },
		src6[16] = { 0xfd, [15] = 1 }, dst6[16] = { 0xfd, [15] = 2 };
	const struct fspec *s = &c->f;
	bool v6 = s->l3 == L3_IPV6, ports;

	memset(w, 0, sizeof(*w));
	w->ifindex = l->ifindex;
	w->rule = p->id[0];
	w->reason = c->limited ? XF_R_LIMITED : XF_R_DROPPED;
	w->len = f->len;
	w->family = v6 ? 6 : 4;
	w->l4 = spec_l4(s, &ports);
	if (ports) {
		w->sport = be16(s->sport ? s->sport : 40000);
		w->dport = be16(s->dport);
	}
	memcpy(w->saddr, spec_has_src(s) ? s->src : v6 ? src6 : src4,
	       v6 ? 16 : 4);
	memcpy(w->daddr, spec_has_dst(s) ? s->dst : v6 ? dst6 : dst4,
	       v6 ? 16 : 4);
}

static void event_text(const struct xf_event *v, char *buf, size_t size)
{
	char sa[48], da[48];

	note_addr(v->family, v->saddr, sa, sizeof(sa));
	note_addr(v->family, v->daddr, da, sizeof(da));
	snprintf(buf, size, "{rule %u %s ifindex %u len %u ipv%u l4 %u %s.%u >"
		 " %s.%u suppressed %u}", v->rule, reason_name(v->reason),
		 v->ifindex, v->len, v->family, v->l4, sa, host16(v->sport),
		 da, host16(v->dport), v->suppressed);
}

/* No bucket but the deciding rule's moved (from `from`: 0 or 1), and
 * nothing in xf_log unless the case logs. */
static void check_quiet(const struct drop_log *l, const struct tcase *c,
			const struct placed *p, const struct snapshot *b,
			const struct snapshot *a, int from, char *diff,
			size_t size)
{
	char text[192];
	__u32 id;

	if (l->bad_size)
		note(diff, size, "drop log: a record of %zu bytes, want %zu",
		     l->bad_size, sizeof(struct xf_event));
	for (int k = from; k < NR; k++)
		if (rule_at(c, p, k, &id) &&
		    memcmp(&b->rlog[k], &a->rlog[k], sizeof(b->rlog[k])))
			note(diff, size, "rule #%u's drop log bucket moved"
			     " (suppressed +%llu)", id,
			     (unsigned long long)(a->rlog[k].suppressed -
						  b->rlog[k].suppressed));
	if (!from && l->nev) {
		event_text(&l->ev[0], text, sizeof(text));
		note(diff, size, "drop log: %d events, want none (first %s)",
		     l->nev, text);
	}
}

/* From a bucket never used (last_ns 0: the first refill fills it; a
 * bucket never holds more than a second's tokens, whatever rate filled it)
 * a burst of drops at rate R gives R events, plus at most what the run's
 * own duration refills, and counts the rest as suppressed. Returns the
 * suppressed count. */
static __u64 check_burst(const struct tcase *c, const struct snapshot *b,
			 const struct logrun *lr, char *diff, size_t size)
{
	__u64 rate = c->rules[0].rate, drops = (__u64)lr->drops;
	__u64 elapsed = ts_ns(&lr->t[1]) - ts_ns(&lr->t[0]), supp;
	__u64 min1 = drops < rate ? drops : rate;
	__u64 max1 = rate + (rate * elapsed + 999999999) / 1000000000;

	if (max1 > drops)
		max1 = drops;
	if ((__u64)lr->n1 < min1 || (__u64)lr->n1 > max1)
		note(diff, size, "drop log: %d events of %d drops at %llu/s,"
		     " want %llu..%llu", lr->n1, lr->drops,
		     (unsigned long long)rate, (unsigned long long)min1,
		     (unsigned long long)max1);
	supp = lr->mid.suppressed - b->rlog[0].suppressed;
	if (supp != drops - lr->n1)
		note(diff, size, "drop log: %llu suppressed, want %llu (%d"
		     " drops, %d events)", (unsigned long long)supp,
		     (unsigned long long)(drops - lr->n1), lr->drops,
		     lr->n1);
	return supp;
}

/* Each event describes the frame and falls in its run's time; the first
 * run's events and the rule's unreported count account for every
 * suppressed drop, and the first event has nothing suppressed before it. */
static void check_events(const struct drop_log *l, const struct tcase *c,
			 const struct placed *p, const struct frame *f,
			 const struct logrun *lr, __u64 supp, char *diff,
			 size_t size)
{
	int n = l->nev < MAX_EVENTS ? l->nev : MAX_EVENTS;
	char text[192], wtext[192];
	struct xf_event want, got;
	__u64 sum = 0, lo, hi;

	want_event(l, c, p, f, &want);
	for (int i = 0; i < n; i++) {
		got = l->ev[i];
		want.ts_ns = got.ts_ns;
		want.suppressed = got.suppressed;
		if (memcmp(&got, &want, sizeof(got))) {
			event_text(&got, text, sizeof(text));
			event_text(&want, wtext, sizeof(wtext));
			note(diff, size, "event %d: %s, want %s", i, text,
			     wtext);
		}
		/* 1 ms of slack: bpf_ktime_get_ns() is the fast NMI-safe
		 * read of CLOCK_MONOTONIC */
		lo = ts_ns(&lr->t[i < lr->n1 ? 0 : 2]) - 1000000;
		hi = ts_ns(&lr->t[i < lr->n1 ? 1 : 3]) + 1000000;
		if (got.ts_ns < lo || got.ts_ns > hi)
			note(diff, size, "event %d: ts_ns %llu outside its"
			     " run [%llu, %llu]", i,
			     (unsigned long long)got.ts_ns,
			     (unsigned long long)lo, (unsigned long long)hi);
		if (i < lr->n1)
			sum += got.suppressed;
	}
	if (lr->n1 && l->ev[0].suppressed)
		note(diff, size, "first event: suppressed %u, want 0",
		     l->ev[0].suppressed);
	if (sum + lr->mid.unreported != supp)
		note(diff, size, "drop log: events report %llu suppressed and"
		     " %llu are unreported, want %llu in all",
		     (unsigned long long)sum,
		     (unsigned long long)lr->mid.unreported,
		     (unsigned long long)supp);
}

/* One drop a token's time after the burst is logged, and carries the
 * burst's unreported count. */
static void check_again(const struct drop_log *l, const struct snapshot *a,
			const struct logrun *lr, char *diff, size_t size)
{
	if (l->nev - lr->n1 != 1) {
		note(diff, size, "drop log: %d events from one drop after a"
		     " token's time, want 1", l->nev - lr->n1);
		return;
	}
	if (lr->n1 < MAX_EVENTS &&
	    l->ev[lr->n1].suppressed != lr->mid.unreported)
		note(diff, size, "event after the burst: suppressed %u, want"
		     " %llu (the unreported drops)", l->ev[lr->n1].suppressed,
		     (unsigned long long)lr->mid.unreported);
	if (a->rlog[0].unreported ||
	    a->rlog[0].suppressed != lr->mid.suppressed)
		note(diff, size, "after the event: suppressed %llu unreported"
		     " %llu, want %llu and 0",
		     (unsigned long long)a->rlog[0].suppressed,
		     (unsigned long long)a->rlog[0].unreported,
		     (unsigned long long)lr->mid.suppressed);
}

void check_log(const struct drop_log *l, const struct tcase *c,
	       const struct placed *p, const struct frame *f,
	       const struct snapshot *b, const struct snapshot *a,
	       const struct logrun *lr, char *diff, size_t size)
{
	const struct rule *r0 = &c->rules[0];
	bool logs = (c->why == XF_R_DROPPED || c->limited) && r0->logged &&
		    r0->rate;
	__u64 supp;

	check_quiet(l, c, p, b, a, logs, diff, size);
	if (!logs)
		return;
	supp = check_burst(c, b, lr, diff, size);
	check_events(l, c, p, f, lr, supp, diff, size);
	if (c->again)
		check_again(l, a, lr, diff, size);
}
