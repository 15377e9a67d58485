/* SPDX-License-Identifier: GPL-2.0 */
/* xf_state.h - read the whole pinned state of xdp_filter for the tests:
 * a hash of everything a command may change (rule records, port slots,
 * prefix tries and their port slots, config, rule counters), and a check of
 * the invariants that tie the maps together. Used by tests/tools/xfstate.c
 * and tests/tools/argvfuzz.c; needs xf_maps.c (xf_open_maps() first).
 */
#ifndef XF_STATE_H
#define XF_STATE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "../../xf_maps.h"

#define FNV_OFF	0xcbf29ce484222325ULL
#define FNV_MUL	0x100000001b3ULL

static inline __u64 fnv(__u64 h, const void *p, size_t n)
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
static inline int st_map_sum(int fd, __u32 ksz, __u32 vsz, __u32 max,
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
		__u64 h = fnv(FNV_OFF, keys + i * ksz, ksz);

		*sum += fnv(h, vals + i * vsz, vsz);
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

/* Hash of every map a command may change (xf_stats is left out: no command
 * writes it). -1 on error, with a message. */
static inline int st_hash(struct xf_maps *m, __u64 *hash)
{
	static const int which[] = { SPEC_PORTS, SPEC_PFX4, SPEC_PFX6,
				     SPEC_PPORTS, SPEC_RCOUNT, SPEC_CONFIG,
				     SPEC_RDESC };
	__u64 h = FNV_OFF, s;
	__u32 n;

	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct map_spec *sp = &xf_specs[which[i]];
		__u32 vsz = sp->value_size;

		if (sp->type == BPF_MAP_TYPE_PERCPU_ARRAY)
			vsz = ((vsz + 7) & ~7U) * xf_ncpus;
		if (st_map_sum(m->fd[which[i]], sp->key_size, vsz,
			       sp->max_entries,
			       sp->type == BPF_MAP_TYPE_ARRAY ||
			       sp->type == BPF_MAP_TYPE_PERCPU_ARRAY, &s, &n)) {
			fprintf(stderr, "xf_state: read %s: %s\n", sp->name,
				strerror(errno));
			return -1;
		}
		h = fnv(h, &s, sizeof(s));
		h = fnv(h, &n, sizeof(n));
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

static inline int st_same_prefix(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Does rule r cover slot (dir, proto, port)? */
static inline int st_covers(const struct xf_rdesc *r, __u32 slot)
{
	__u32 port = slot % XF_PORTS, rest = slot / XF_PORTS;
	__u32 p = rest % XF_P_MAX, dir = rest / XF_P_MAX;

	return !r->anyport && r->dir == dir && (r->protos & (1U << p)) &&
	       port >= r->port_lo && port <= r->port_hi;
}

/* Checks that the maps agree with each other. Returns the number of
 * problems found (each printed, the first 20), and the rule count. */
static inline int st_check(struct xf_maps *m, __u32 *nrules)
{
	static struct xf_port ports[XF_PORT_SLOTS];
	static __u32 pkeys_n;
	static unsigned char in_trie[XF_MAX_RULES];
	struct xf_config cfg;
	__u32 zero = 0, n = 0, n4 = 0, n6 = 0, id;

	st_errors = 0;
	if (xf_read_rdesc(m))
		return 1;
	if (bpf_map_lookup_elem(m->fd[SPEC_CONFIG], &zero, &cfg))
		return 1;
	if (cfg.abi != XF_ABI_VERSION)
		BAD("config abi %u, expected %u", cfg.abi, XF_ABI_VERSION);
	if (m->rd[0].used)
		BAD("rule id 0 is in use");
	for (id = 1; id < XF_MAX_RULES; id++) {
		const struct xf_rdesc *r = &m->rd[id];

		if (!r->used) {
			static const struct xf_rdesc none;

			if (memcmp(r, &none, sizeof(none)))
				BAD("id %u: unused record is not zero", id);
			continue;
		}
		n++;
		if (r->used != 1 || !r->protos || r->protos > 3 ||
		    r->dir > 1 || (r->family != 0 && r->family != 4 &&
				    r->family != 6) ||
		    r->port_lo < 1 || r->port_lo > r->port_hi ||
		    (r->anyport && !r->family) ||
		    (r->family == 4 && r->prefixlen > 32) ||
		    (r->family == 6 && r->prefixlen > 128))
			BAD("id %u: malformed record", id);
		for (__u32 j = 1; j < id; j++) {
			const struct xf_rdesc *o = &m->rd[j];

			if (!o->used || !st_same_prefix(o, r))
				continue;
			if (r->family && o->pid != r->pid)
				BAD("ids %u and %u: same prefix, pids %u/%u",
				    j, id, o->pid, r->pid);
			if (o->anyport && r->anyport)
				BAD("ids %u and %u: two 'any from' rules", j,
				    id);
			if (!o->anyport && !r->anyport && o->dir == r->dir &&
			    (o->protos & r->protos) &&
			    o->port_lo <= r->port_hi && r->port_lo <= o->port_hi)
				BAD("ids %u and %u overlap", j, id);
		}
	}
	/* every port slot points at a rule that covers it, and back */
	{
		static __u32 keys[XF_PORT_SLOTS];
		__u32 out, count, done = 0;
		void *in = NULL;
		int err;

		memset(ports, 0, sizeof(ports));
		while (done < XF_PORT_SLOTS) {
			count = XF_PORT_SLOTS - done;
			err = bpf_map_lookup_batch(m->fd[SPEC_PORTS], in, &out,
						   keys + done, ports + done,
						   &count, NULL);
			if (err && errno != ENOENT)
				return st_errors + 1;
			done += count;
			if (err)
				break;
			in = &out;
		}
		for (__u32 s = 0; s < XF_PORT_SLOTS; s++) {
			__u32 rid = ports[s].id;

			if (!rid)
				continue;
			if (rid >= XF_MAX_RULES || !m->rd[rid].used ||
			    m->rd[rid].family || !st_covers(&m->rd[rid], s))
				BAD("xf_ports slot %u -> id %u, which does not"
				    " cover it", s, rid);
		}
		for (id = 1; id < XF_MAX_RULES; id++) {
			const struct xf_rdesc *r = &m->rd[id];

			if (!r->used || r->family)
				continue;
			for (__u32 p = 0; p < XF_P_MAX; p++) {
				if (!(r->protos & (1U << p)))
					continue;
				for (__u32 port = r->port_lo;
				     port <= r->port_hi; port++)
					if (ports[xf_slot(r->dir, p, port)].id
					    != id)
						BAD("id %u: slot of port %u"
						    " proto %u missing", id,
						    port, p);
			}
		}
	}
	/* prefix port slots */
	{
		__u32 max = XF_MAX_PPORTS, done = 0;
		struct xf_pport *k = calloc(max, sizeof(*k));
		struct xf_port *v = calloc(max, sizeof(*v));

		if (!k || !v)
			return st_errors + 1;
		/* key by key: a batch walks all XF_MAX_PPORTS buckets */
		while (done < max &&
		       !bpf_map_get_next_key(m->fd[SPEC_PPORTS],
					     done ? &k[done - 1] : NULL,
					     &k[done])) {
			if (bpf_map_lookup_elem(m->fd[SPEC_PPORTS], &k[done],
						&v[done]))
				continue;
			done++;
		}
		pkeys_n = done;
		for (__u32 i = 0; i < done; i++) {
			__u32 rid = v[i].id;
			const struct xf_rdesc *r = rid < XF_MAX_RULES ?
						   &m->rd[rid] : NULL;

			if (!r || !r->used || !r->family ||
			    r->pid != k[i].pid || !st_covers(r, k[i].slot))
				BAD("xf_pports {pid %u slot %u} -> id %u, which"
				    " does not cover it", k[i].pid, k[i].slot,
				    rid);
		}
		{
			__u64 want = 0;

			for (id = 1; id < XF_MAX_RULES; id++) {
				const struct xf_rdesc *r = &m->rd[id];

				if (r->used && r->family && !r->anyport)
					want += (__u64)(r->port_hi - r->port_lo
							+ 1) *
						__builtin_popcount(r->protos);
			}
			if (want != pkeys_n)
				BAD("xf_pports holds %u slots, the prefix rules"
				    " cover %llu", pkeys_n,
				    (unsigned long long)want);
		}
		free(k);
		free(v);
	}
	/* prefixes: one trie entry per prefix in use, none other */
	memset(in_trie, 0, sizeof(in_trie));
	for (int fam = 4; fam <= 6; fam += 2) {
		int fd = m->fd[fam == 4 ? SPEC_PFX4 : SPEC_PFX6];
		struct xf_lpm6 key, prev;
		struct xf_pfx val;
		int first = 1;

		while (!bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
			struct xf_rdesc probe = { .family = fam };
			__u32 any = 0, found = 0;

			first = 0;
			prev = key;
			if (bpf_map_lookup_elem(fd, &key, &val))
				continue;
			(fam == 4 ? &n4 : &n6)[0]++;
			probe.prefixlen = key.prefixlen;
			memcpy(probe.addr, key.addr, fam == 4 ? 4 : 16);
			for (id = 1; id < XF_MAX_RULES; id++) {
				const struct xf_rdesc *r = &m->rd[id];

				if (!r->used || !st_same_prefix(r, &probe))
					continue;
				found++;
				in_trie[id] = 1;
				if (r->pid != val.pid)
					BAD("id %u: pid %u, its prefix entry"
					    " says %u", id, r->pid, val.pid);
				if (r->anyport)
					any = id;
			}
			if (!found)
				BAD("IPv%d prefix /%u in the trie without a"
				    " rule", fam, key.prefixlen);
			if (val.any_id != any)
				BAD("IPv%d prefix /%u: any_id %u, expected %u",
				    fam, key.prefixlen, val.any_id, any);
		}
	}
	for (id = 1; id < XF_MAX_RULES; id++)
		if (m->rd[id].used && m->rd[id].family && !in_trie[id])
			BAD("id %u: its prefix is not in the trie", id);
	if (cfg.nprefix4 != n4 || cfg.nprefix6 != n6)
		BAD("config counts %u/%u prefixes, the tries hold %u/%u",
		    cfg.nprefix4, cfg.nprefix6, n4, n6);
	*nrules = n;
	return st_errors;
}

#endif /* XF_STATE_H */
