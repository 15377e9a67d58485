// SPDX-License-Identifier: GPL-2.0
/* xf_state.c - read the whole pinned state of xdp_filter for the tests:
 * a hash of everything a command may change (rule records, port slots,
 * prefix tries and their port slots, config, rule counters, log rates), and
 * a check of the invariants that tie the maps together, for each of the two
 * rule sets (xdp_filter.h). See xf_state.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "../../src/xf_store.h"
#include "../../src/xf_limits.h"
#include "../../src/xf_rule.h"
#include "xf_state.h"

#define FNV_MUL	0x100000001b3ULL

__u64 st_fnv(__u64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * FNV_MUL;
	return h;
}

/* An order-independent hash of a map's entries (a hash map or a trie may
 * list the same content in another order): the sum of each entry's FNV.
 * Batched for arrays (batch set), else key by key: a hash map's batch walk
 * visits every bucket, slower than get_next_key on a nearly empty map.
 * -1 on error. */
int st_map_sum(int fd, __u32 ksz, __u32 vsz, __u32 max,
			     int batch, __u64 *sum, __u32 *entries)
{
	char *keys = calloc(max, ksz), *vals = calloc(max, vsz);
	__u32 out = 0, count, done = 0;
	void *in = NULL;
	int err = 0;

	*sum = 0;
	*entries = 0;
	if (!keys || !vals)
		goto fail;
	if (!batch)
		goto by_key;
	while (done < max) {
		count = max - done;
		err = bpf_map_lookup_batch(fd, in, &out, keys + done * ksz,
					   vals + done * vsz, &count, NULL);
		if (err && errno == EINVAL && !in && !done)
			goto by_key;	/* no batch ops (LPM trie) */
		if (err && errno != ENOENT)
			goto fail;
		done += count;
		if (err)
			break;
		in = &out;
	}
	goto sum;
by_key:
	done = 0;
	{
		char *prev = NULL;

		while (done < max &&
		       !bpf_map_get_next_key(fd, prev, keys + done * ksz)) {
			if (bpf_map_lookup_elem(fd, keys + done * ksz,
						vals + done * vsz)) {
				if (errno == ENOENT)
					continue;	/* deleted meanwhile */
				goto fail;
			}
			prev = keys + done * ksz;
			done++;
		}
	}
sum:
	for (__u32 i = 0; i < done; i++) {
		__u64 h = st_fnv(FNV_OFF, keys + i * ksz, ksz);

		*sum += st_fnv(h, vals + i * vsz, vsz);
	}
	*entries = done;
	free(keys);
	free(vals);
	return 0;
fail:
	free(keys);
	free(vals);
	return -1;
}

/* Hash of every map a command may change: both rule sets' slots, tries and
 * prefix slots, the counters, the config (both sets' settings, the active
 * set, the switch count, a pending confirmation), the records, and the log
 * rate of each rule in use (a free id's bucket is dead until an add sets
 * it again). Left out: xf_stats and the token buckets' state (only packets
 * change them) and the ring buffer. -1 on error, with a message. */
int st_hash(struct xf_maps *m, __u64 *hash)
{
	static const int which[] = { XF_M_PORTS, XF_M_PFX4, XF_M_PFX6,
				     XF_M_PPORTS, XF_M_RCOUNT, XF_M_CONFIG,
				     XF_M_RULES };
	static struct xf_rule rd[XF_MAX_RULES];
	static struct xf_rlog rl[XF_MAX_RULES];
	__u64 h = FNV_OFF, s;
	__u32 n;

	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct xf_map_spec *sp = &xf_map_specs[which[i]];
		__u32 vsz = sp->value_size;

		if (sp->type == BPF_MAP_TYPE_PERCPU_ARRAY)
			vsz = ((vsz + 7) & ~7U) * m->ncpus;
		if (st_map_sum(m->fd[which[i]], sp->key_size, vsz,
			       sp->max_entries,
			       sp->type == BPF_MAP_TYPE_ARRAY ||
			       sp->type == BPF_MAP_TYPE_PERCPU_ARRAY, &s, &n)) {
			fprintf(stderr, "xf_state: read %s: %s\n", sp->name,
				strerror(errno));
			return -1;
		}
		h = st_fnv(h, &s, sizeof(s));
		h = st_fnv(h, &n, sizeof(n));
	}
	if (xf_read_array(m->fd[XF_M_RULES], rd, sizeof(*rd), XF_MAX_RULES) ||
	    xf_read_array(m->fd[XF_M_RLOG], rl, sizeof(*rl), XF_MAX_RULES)) {
		fprintf(stderr, "xf_state: read %s: %s\n", XF_MAP_RLOG,
			strerror(errno));
		return -1;
	}
	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		if (!rd[id].sets)
			continue;
		h = st_fnv(h, &id, sizeof(id));
		h = st_fnv(h, &rl[id].rate, sizeof(rl[id].rate));
	}
	*hash = h;
	return 0;
}

static int st_errors;

#define BAD(...) do {							\
		if (st_errors++ < 20) {					\
			fprintf(stderr, "xf_state: ");			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	} while (0)

/* Does rule r cover slot (dir, proto, port) (a slot of one set)? */
static int st_covers(const struct xf_rule *r, __u32 slot)
{
	__u32 port = slot % XF_PORTS, rest = slot / XF_PORTS;
	__u32 p = rest % XF_P_MAX, dir = rest / XF_P_MAX;

	return !r->anyport && r->dir == dir && (r->protos & (1U << p)) &&
	       port >= r->port_lo && port <= r->port_hi;
}

static int st_in(const struct xf_rule *r, __u32 set)
{
	return (r->sets >> set) & 1;
}

/* The value the packet path must hold for rule id (xf_path_id()). */
static __u32 st_path_id(const struct xf_rule *r, __u32 id)
{
	return id | (r->log_rate ? XF_ID_LOG : 0) |
	       (r->limit_rate ? XF_ID_LIMIT : 0);
}

/* A slot value names rule id of set `set` (as value `want` exactly)? Says
 * what is wrong into why, or returns 1. */
static int st_points_ok(const struct xf_maps *m, __u32 val, __u32 set,
			       int prefix, const char **why)
{
	__u32 id = val & XF_ID_MASK;
	const struct xf_rule *r;

	if (!id || id >= XF_MAX_RULES) {
		*why = "no such rule id";
		return 0;
	}
	r = &m->rules[id];
	if (!st_in(r, set)) {
		*why = r->sets ? "a rule of the other set" : "an unused id";
		return 0;
	}
	if (!r->family != !prefix) {
		*why = prefix ? "a rule without a prefix" : "a prefix rule";
		return 0;
	}
	if ((val ^ st_path_id(r, id)) & XF_ID_LOG) {
		*why = r->log_rate ? "the rule logs, the log bit is clear" :
			"the log bit is set, the rule does not log";
		return 0;
	}
	if (val != st_path_id(r, id)) {
		*why = r->limit_rate ? "the rule has a limit, the limit bit is"
			" clear" : "the limit bit is set, the rule has no limit";
		return 0;
	}
	*why = "";
	return 1;
}

/* Sort order of the records for the pair checks: prefix, kind, direction,
 * ports, protocols, log, so rules of one prefix are next to each other and
 * identical rules are neighbours. */
static const struct xf_rule *st_rd;

static int st_cmp_id(const void *a, const void *b)
{
	const struct xf_rule *x = &st_rd[*(const __u32 *)a];
	const struct xf_rule *y = &st_rd[*(const __u32 *)b];
	int c = xf_cmp_rule(x, y);

	if (c)
		return c;
	return *(const __u32 *)a < *(const __u32 *)b ? -1 : 1;
}

/* Are a record's limit fields well formed? */
static const char *st_bad_limit(const struct xf_rule *r)
{
	if (r->pad2)
		return "pad2 is not zero";
	if (!r->limit_rate)
		return r->limit_burst || r->per_source || r->plen4 || r->plen6 ?
		       "limit fields set on a rule without a limit" : NULL;
	if (r->anyport)
		return "a limit on an 'any from' rule";
	if (r->limit_rate > XF_LIMIT_RATE_MAX || !r->limit_burst ||
	    r->limit_burst > XF_LIMIT_BURST_MAX)
		return "limit rate or burst out of range";
	if (r->per_source > 1 ||
	    (r->per_source && (r->plen4 < 1 || r->plen4 > 32 ||
			       r->plen6 < 1 || r->plen6 > 128)) ||
	    (!r->per_source && (r->plen4 || r->plen6)))
		return "bad per-source grouping";
	return NULL;
}

/* Is one record well formed (as xf_parse_rule() and the editors make
 * them)? */
static const char *st_malformed(const struct xf_rule *r)
{
	static const __u8 zero[16];
	int max = r->family == 4 ? 32 : 128;

	if (r->sets & ~((1U << XF_SETS) - 1))
		return "sets has bits of no rule set";
	if (!r->protos || r->protos > (XF_PM_TCP | XF_PM_UDP))
		return "bad protocols";
	if (r->dir >= XF_DIR_MAX)
		return "bad direction";
	if (r->port_lo < 1 || r->port_lo > r->port_hi)
		return "bad port range";
	if (r->pad)
		return "pad is not zero";
	if (r->log_rate > XF_LOG_RATE_MAX)
		return "log rate above the maximum";
	if (st_bad_limit(r))
		return st_bad_limit(r);
	if (r->anyport && (!r->family || r->protos != (XF_PM_TCP | XF_PM_UDP) ||
			   r->dir || r->port_lo != 1 || r->port_hi != 65535))
		return "bad 'any from' rule";
	if (!r->family) {
		if (r->prefixlen || r->prefix_id || memcmp(r->addr, zero, 16))
			return "prefix fields set on a rule without a prefix";
		return NULL;
	}
	if (r->family != 4 && r->family != 6)
		return "bad family";
	if (r->prefixlen > max)
		return "prefix too long";
	if (!r->prefix_id || r->prefix_id > XF_MAX_RULES)
		return "bad pid";
	for (int b = r->prefixlen; b < 128; b++)
		if (r->addr[b / 8] & (0x80 >> (b % 8)))
			return "address bits past the prefix length";
	return NULL;
}

/* The limit rules' xf_limit entries say what their records say, and the
 * per-source table exists exactly while a per-source rule does. */
static void st_check_limits(struct xf_maps *m)
{
	__u32 zero = 0, table;
	int want = 0, have;

	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		const struct xf_rule *r = &m->rules[id];
		struct xf_limit l, want_l;

		if (!r->sets || !r->limit_rate)
			continue;
		want |= r->per_source;
		if (bpf_map_lookup_elem(m->fd[XF_M_LIMIT], &id, &l)) {
			BAD("id %u: no xf_limit entry", id);
			continue;
		}
		xf_limit_entry(r, l.gen, &want_l);
		want_l.tat = l.tat;		/* the program's */
		if (!l.gen || memcmp(&l, &want_l, sizeof(l)))
			BAD("id %u: xf_limit {%llu, %llu, gen %u, %u/%u/%u,"
			    " coarse %u} is not its rule's", id,
			    (unsigned long long)l.interval_ns,
			    (unsigned long long)l.burst_ns, l.gen,
			    l.per_source, l.plen4, l.plen6, l.coarse);
	}
	have = !bpf_map_lookup_elem(m->fd[XF_M_LSRC], &zero, &table);
	if (have != want)
		BAD("the per-source table %s, %s per-source rule",
		    have ? "exists" : "is missing", want ? "with a" : "without");
}

/* Checks that the maps agree with each other, in both rule sets. Returns
 * the number of problems found (each printed, the first 20); nrules gets
 * the rule count of the active set, nkept (may be NULL) that of the other
 * one (the set an apply --confirm keeps for a rollback; 0 at rest). */
int st_check(struct xf_maps *m, __u32 *nrules, __u32 *nkept)
{
	static struct xf_port ports[XF_SETS * XF_PORT_SLOTS];
	static unsigned char in_trie[XF_SETS][XF_MAX_RULES];
	static __u32 order[XF_MAX_RULES];
	static __u32 pid_owner[XF_MAX_RULES + 1];
	static const struct xf_set noset;
	struct xf_config cfg;
	__u32 zero = 0, n[XF_SETS] = { 0 }, nsrc[XF_SETS] = { 0 };
	__u32 npfx[XF_SETS][2] = { { 0 } }, nused = 0, active, id;
	__u64 want_pp[XF_SETS] = { 0 }, got_pp[XF_SETS] = { 0 };

	st_errors = 0;
	if (xf_read_rules(m))
		return 1;
	if (bpf_map_lookup_elem(m->fd[XF_M_CONFIG], &zero, &cfg)) {
		fprintf(stderr, "xf_state: read %s: %s\n", XF_MAP_CONFIG,
			strerror(errno));
		return 1;
	}
	if (cfg.abi != XF_ABI_VERSION)
		BAD("config abi %u, expected %u", cfg.abi, XF_ABI_VERSION);
	if (cfg.set >= XF_SETS)
		BAD("config set %u: no such rule set", cfg.set);
	active = cfg.set & 1;
	if (!cfg.confirm_by && cfg.confirm_pid)
		BAD("config: no confirmation pending, yet confirm_pid %u",
		    cfg.confirm_pid);
	{
		static const struct xf_rule none;

		if (memcmp(&m->rules[0], &none, sizeof(none)))
			BAD("rule id 0 has a record");
	}

	/* records, one by one */
	for (id = 1; id < XF_MAX_RULES; id++) {
		const struct xf_rule *r = &m->rules[id];
		const char *why;

		if (!r->sets) {
			static const struct xf_rule none;

			if (memcmp(r, &none, sizeof(none)))
				BAD("id %u: unused record is not zero", id);
			continue;
		}
		order[nused++] = id;
		why = st_malformed(r);
		if (why)
			BAD("id %u: malformed record (%s)", id, why);
		for (__u32 s = 0; s < XF_SETS; s++) {
			if (!st_in(r, s))
				continue;
			n[s]++;
			if (!r->family && r->dir == XF_DIR_SRC)
				nsrc[s]++;
			if (r->family && !r->anyport)
				want_pp[s] += (__u64)(r->port_hi - r->port_lo +
						      1) *
					      __builtin_popcount(r->protos);
		}
		if (r->log_rate) {
			struct xf_rlog b;

			if (bpf_map_lookup_elem(m->fd[XF_M_RLOG], &id, &b))
				BAD("id %u: read %s: %s", id, XF_MAP_RLOG,
				    strerror(errno));
			else if (b.rate != r->log_rate)
				BAD("id %u: logs %u/s, its %s rate is %u", id,
				    r->log_rate, XF_MAP_RLOG, b.rate);
		}
	}

	/* pairs: sorted, a prefix's rules are neighbours. Same prefix, same
	 * pid (in both sets); another prefix, another pid; one id per rule;
	 * no two rules of a set claim one slot. */
	st_rd = m->rules;
	qsort(order, nused, sizeof(*order), st_cmp_id);
	memset(pid_owner, 0, sizeof(pid_owner));
	{
		/* per set and protocol: the rule of this prefix, kind and
		 * direction with the highest last port so far */
		__u32 hi[XF_SETS][XF_P_MAX];

		memset(hi, 0, sizeof(hi));
		for (__u32 i = 0; i < nused; i++) {
			const struct xf_rule *r = &m->rules[order[i]];
			const struct xf_rule *p = NULL;
			int newpfx;

			if (i)
				p = &m->rules[order[i - 1]];
			newpfx = !p || xf_cmp_prefix(p, r);

			if (r->family && newpfx && r->prefix_id <= XF_MAX_RULES) {
				if (pid_owner[r->prefix_id])
					BAD("ids %u and %u: other prefixes,"
					    " one pid %u", pid_owner[r->prefix_id],
					    order[i], r->prefix_id);
				else
					pid_owner[r->prefix_id] = order[i];
			} else if (r->family && !newpfx && p->prefix_id != r->prefix_id) {
				BAD("ids %u and %u: same prefix, pids %u/%u",
				    order[i - 1], order[i], p->prefix_id, r->prefix_id);
			}
			if (p && xf_same_rule(p, r))
				BAD("ids %u and %u: the same rule twice",
				    order[i - 1], order[i]);
			if (newpfx || p->anyport != r->anyport ||
			    p->dir != r->dir)
				memset(hi, 0, sizeof(hi));
			for (__u32 s = 0; s < XF_SETS; s++) {
				if (!st_in(r, s))
					continue;
				for (__u32 q = 0; q < XF_P_MAX; q++) {
					__u32 o = hi[s][q];

					if (!(r->protos & (1U << q)))
						continue;
					if (o && m->rules[o].port_hi >= r->port_lo)
						BAD("set %u: ids %u and %u"
						    " overlap", s, o,
						    order[i]);
					if (!o || r->port_hi > m->rules[o].port_hi)
						hi[s][q] = order[i];
				}
			}
		}
	}

	/* port slots: each points at a rule of its set that covers it, with
	 * the log bit when the rule logs; each slot of a rule is there */
	{
		__u32 max = XF_SETS * XF_PORT_SLOTS;

		if (xf_read_array(m->fd[XF_M_PORTS], ports, sizeof(*ports),
				  max)) {
			fprintf(stderr, "xf_state: read %s: %s\n",
				XF_MAP_PORTS, strerror(errno));
			return st_errors + 1;
		}
		for (__u32 k = 0; k < max; k++) {
			__u32 s = k / XF_PORT_SLOTS, slot = k % XF_PORT_SLOTS;
			__u32 val = ports[k].id;
			const char *why;

			if (!val)
				continue;
			if (!st_points_ok(m, val, s, 0, &why))
				BAD("set %u: xf_ports slot %u -> 0x%x: %s", s,
				    slot, val, why);
			else if (!st_covers(&m->rules[val & XF_ID_MASK], slot))
				BAD("set %u: xf_ports slot %u -> id %u, which"
				    " does not cover it", s, slot,
				    val & XF_ID_MASK);
		}
		for (__u32 i = 0; i < nused; i++) {
			const struct xf_rule *r = &m->rules[order[i]];
			__u32 want = st_path_id(r, order[i]), k;

			if (r->family)
				continue;
			for (__u32 s = 0; s < XF_SETS; s++) {
				if (!st_in(r, s))
					continue;
				for (__u32 q = 0; q < XF_P_MAX; q++) {
					if (!(r->protos & (1U << q)))
						continue;
					for (__u32 port = r->port_lo;
					     port <= r->port_hi; port++) {
						k = xf_set_slot(s, xf_slot(
							r->dir, q, port));
						if (ports[k].id != want)
							BAD("set %u: id %u:"
							    " slot of port %u"
							    " proto %u missing",
							    s, order[i], port,
							    q);
					}
				}
			}
		}
	}

	/* prefix port slots: each valid (so, as rules of a set do not
	 * overlap and pids are a prefix's, each is one slot of one rule),
	 * and as many per set as its prefix rules cover */
	{
		struct xf_pport k, prev;
		struct xf_port v;
		int first = 1;

		while (!bpf_map_get_next_key(m->fd[XF_M_PPORTS],
					     first ? NULL : &prev, &k)) {
			__u32 s = k.slot / XF_PORT_SLOTS;
			__u32 slot = k.slot % XF_PORT_SLOTS;
			const struct xf_rule *r;
			const char *why;

			first = 0;
			prev = k;
			if (bpf_map_lookup_elem(m->fd[XF_M_PPORTS], &k, &v))
				continue;
			if (s >= XF_SETS) {
				BAD("xf_pports {pid %u slot %u}: slot past"
				    " the last set", k.prefix_id, k.slot);
				continue;
			}
			got_pp[s]++;
			if (!st_points_ok(m, v.id, s, 1, &why)) {
				BAD("set %u: xf_pports {pid %u slot %u} ->"
				    " 0x%x: %s", s, k.prefix_id, slot, v.id, why);
				continue;
			}
			r = &m->rules[v.id & XF_ID_MASK];
			if (r->prefix_id != k.prefix_id || !st_covers(r, slot))
				BAD("set %u: xf_pports {pid %u slot %u} -> id"
				    " %u (pid %u), which does not cover it", s,
				    k.prefix_id, slot, v.id & XF_ID_MASK, r->prefix_id);
		}
		for (__u32 s = 0; s < XF_SETS; s++)
			if (want_pp[s] != got_pp[s])
				BAD("set %u: xf_pports holds %llu slots, the"
				    " set's prefix rules cover %llu", s,
				    (unsigned long long)got_pp[s],
				    (unsigned long long)want_pp[s]);
	}

	/* prefixes: one trie entry per prefix of a set, in that set, with
	 * the prefix's pid and its "any" rule, and none other */
	memset(in_trie, 0, sizeof(in_trie));
	for (int fam = 4; fam <= 6; fam += 2) {
		int fd = m->fd[fam == 4 ? XF_M_PFX4 : XF_M_PFX6];
		int alen = fam == 4 ? 4 : 16, max = fam == 4 ? 32 : 128;
		struct xf_lpm6 key, prev;
		struct xf_pfx val;
		int first = 1;

		memset(&key, 0, sizeof(key));
		while (!bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
			struct xf_rule probe = { .family = fam };
			__u32 any = 0, found = 0, s = key.set, lo, hi, mid;
			const __u8 *pad = fam == 4 ?
				((struct xf_lpm4 *)&key)->pad : key.pad;
			int plen = (int)key.prefixlen - XF_LPM_SET_BITS;

			first = 0;
			prev = key;
			if (bpf_map_lookup_elem(fd, &key, &val))
				continue;
			if (s >= XF_SETS || plen < 0 || plen > max) {
				BAD("IPv%d trie key set %u prefixlen %u: no"
				    " such set or length", fam, s,
				    key.prefixlen);
				continue;
			}
			if (pad[0] || pad[1] || pad[2])
				BAD("IPv%d trie key of set %u: pad not zero",
				    fam, s);
			npfx[s][fam == 6]++;
			probe.prefixlen = plen;
			memcpy(probe.addr, fam == 4 ?
			       ((struct xf_lpm4 *)&key)->addr : key.addr, alen);
			/* the first record of the prefix, by bisection */
			lo = 0;
			hi = nused;
			while (lo < hi) {
				mid = lo + (hi - lo) / 2;
				if (xf_cmp_prefix(&m->rules[order[mid]],
						  &probe) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (__u32 i = lo; i < nused &&
			     !xf_cmp_prefix(&m->rules[order[i]], &probe); i++) {
				const struct xf_rule *r = &m->rules[order[i]];

				if (r->prefix_id != val.prefix_id)
					BAD("set %u: id %u: pid %u, its prefix"
					    " entry says %u", s, order[i],
					    r->prefix_id, val.prefix_id);
				if (!st_in(r, s))
					continue;
				found++;
				in_trie[s][order[i]] = 1;
				if (r->anyport)
					any = st_path_id(r, order[i]);
			}
			if (!found)
				BAD("set %u: IPv%d prefix /%d in the trie"
				    " without a rule", s, fam, plen);
			if (val.any_id != any)
				BAD("set %u: IPv%d prefix /%d: any_id 0x%x,"
				    " expected 0x%x", s, fam, plen, val.any_id,
				    any);
			memset(&key, 0, sizeof(key));
		}
	}
	for (__u32 i = 0; i < nused; i++)
		for (__u32 s = 0; s < XF_SETS; s++)
			if (st_in(&m->rules[order[i]], s) &&
			    m->rules[order[i]].family && !in_trie[s][order[i]])
				BAD("set %u: id %u: its prefix is not in the"
				    " trie", s, order[i]);

	/* each set's settings: counts as the maps hold them */
	for (__u32 s = 0; s < XF_SETS; s++) {
		const struct xf_set *c = &cfg.sets[s];

		if (c->nprefix4 != npfx[s][0] || c->nprefix6 != npfx[s][1])
			BAD("set %u: config counts %u/%u prefixes, the tries"
			    " hold %u/%u", s, c->nprefix4, c->nprefix6,
			    npfx[s][0], npfx[s][1]);
		if (c->nsrc != nsrc[s])
			BAD("set %u: config nsrc %u, the set has %u"
			    " source-port rules without a prefix", s, c->nsrc,
			    nsrc[s]);
		if (c->flags & ~(XF_CFG_ALLOW | XF_CFG_NO_DHCP | XF_CFG_STATEFUL))
			BAD("set %u: unknown config flags 0x%x", s, c->flags);
	}
	/* at rest (no apply --confirm pending) the other set is empty */
	if (!cfg.confirm_by) {
		__u32 s = !active;

		if (n[s] || memcmp(&cfg.sets[s], &noset, sizeof(noset)))
			BAD("set %u is not in use, no confirmation is pending,"
			    " yet it holds %u rules (settings %s)", s, n[s],
			    memcmp(&cfg.sets[s], &noset, sizeof(noset)) ?
			    "not zero" : "zero");
	}
	st_check_limits(m);
	*nrules = n[active];
	if (nkept)
		*nkept = n[!active];
	return st_errors;
}
