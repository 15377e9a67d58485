/* SPDX-License-Identifier: GPL-2.0 */
/* gen.h - frames for the conformance run: a spec of what to build, its
 * frame (built by tests/lib/frame.h), the structured cases, and seeded
 * random specs and mutations.
 */
#ifndef XF_GEN_H
#define XF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/frame.h"

#define GEN_EXT_MAX	12

/* splitmix64: small, seedable, the same everywhere. */
struct rng {
	uint64_t	s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* An independent stream for (seed, what, index). */
static inline struct rng rng_for(uint64_t seed, uint64_t what, uint64_t i)
{
	struct rng r = { seed ^ (what * 0xd6e8feb86659fd93ULL) };

	r.s ^= rng_next(&r) + i * 0xa0761d6478bd642fULL;
	rng_next(&r);
	return r;
}

enum gen_frag { GF_NONE, GF_FIRST, GF_LATER };

struct gen_spec {
	int		ntags;		/* 0-3 VLAN tags */
	uint16_t	tpid[3];
	uint16_t	ethertype;	/* after the tags */
	int		ver;		/* IP version nibble; 0: the right one */
	int		ipopt;		/* IPv4 option bytes, multiple of 4 */
	int		frag;		/* enum gen_frag */
	uint16_t	frag_units;	/* later fragment offset, 8-byte units */
	int		next_n;		/* IPv6 extension headers */
	uint8_t		ext[GEN_EXT_MAX];
	uint8_t		ext_len[GEN_EXT_MAX];	/* their length fields */
	uint8_t		l4;		/* IP protocol number */
	uint8_t		tflags;		/* TCP flags */
	int		topt;		/* TCP option bytes, multiple of 4 */
	uint16_t	sport, dport;
	uint8_t		src[16];	/* source address, IPv4 in 4 bytes */
	uint8_t		dst[16];	/* destination address, when has_dst
					 * (else 198.18.0.1 or fd00::1) */
	int		has_dst;
	int		aimed;		/* gen_random aimed it at a flow */
	int		payload;	/* bytes after the L4 header */
	int		pad;		/* Ethernet padding after the IP packet */
};

/* The frame of spec s, with the offsets and fields (struct frame) a
 * mutation uses. */
void gen_build(const struct gen_spec *s, struct frame *f);

#define GEN_FLOWS	16
#define GEN_LIMITS	16
#define GEN_SPFX	160

/* What the generator aims ports and addresses at: the edges of the rules
 * of the current rule set, the prefixes of the source sets its rules
 * name, its rules with rate limits, and under the
 * stateful policy the flows the host knows (their ends a and b, either
 * way round). */
struct gen_hints {
	uint16_t	ports[256];
	int		nports;
	struct {
		uint8_t	family, plen, addr[16];
	} pfx[64];
	int		npfx;
	struct {
		uint8_t		family, proto, a[16], b[16];
		uint16_t	pa, pb;
	} flow[GEN_FLOWS];
	int		nflows;
	struct {			/* source sets' prefixes */
		uint8_t	family, plen, addr[16];
	} spfx[GEN_SPFX];
	int		nspfx;
	struct {
		uint8_t		tcp, udp;	/* its protocols */
		uint8_t		src;		/* a source-port rule */
		uint16_t	lo, hi;
		uint8_t		family, plen, addr[16];	/* family 0: none */
	} limit[GEN_LIMITS];
	int		nlimits;
};

/* Structured cases: every combination of the dimensions gen.c lists.
 * gen_structured() fills case i (0 <= i < gen_structured_count()) and
 * says which config it is for (cfg). A case is built whole, then cut to
 * cut bytes (when cut != 0) or given IP length field iplen (when >= 0:
 * fr_set_iplen()). */
size_t gen_structured_count(void);
/* The structured rule set, in rulectl's syntax, NULL-terminated. Config 0
 * is the deny policy, 1 the allow policy; both with ephemeral range
 * 32768-60999 and DHCP open. */
extern const char *const gen_srules[];
void gen_structured(size_t i, struct gen_spec *s, size_t *cut,
		    int *iplen, int *cfg);

/* A random spec aimed at the hints, and random mutations of its frame.
 * With flows in the hints, six specs in ten are aimed at one of them
 * (aimed): its tuple either way round, or a near miss of it (another port,
 * address, protocol or family), with TCP flags of every kind; a stream
 * without flows is what it was before flows existed. With limit rules in
 * the hints, one spec in four (of those not aimed at a flow) is aimed at
 * one of them: its protocol, a port in its range, a source in its prefix,
 * a SYN half the time (aimed as well). With source set prefixes in the
 * hints, six sources in ten (of families that have some) are drawn at one
 * of them: inside, its first or last address, or the address just before
 * or after it. */
void gen_random(struct rng *r, const struct gen_hints *h, struct gen_spec *s);
/* Returns a short description of what was done ("flip 23, cut 40"). */
void gen_mutate(struct rng *r, struct frame *f, char *what, size_t size);

#endif /* XF_GEN_H */
