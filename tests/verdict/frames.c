// SPDX-License-Identifier: GPL-2.0
/* frames.c - a case's frame spec (struct fspec) as the frame it describes,
 * built by the shared builder (tests/lib/frame.h): 198.18.0.1 -> 198.18.0.2
 * or fd00::1 -> fd00::2 unless the spec names a source or a destination
 * (the stateful cases name loopback's, where their flows are), IPv4 with its
 * checksum, source port 40000, a TCP SYN unless flags are named, and a
 * payload of 0xa0, 0xa1, ... The spec can say anything, however wrong; a
 * cut comes last, so the lengths claim the whole datagram.
 */
#include <string.h>

#include "verdict.h"

bool spec_has_src(const struct fspec *s)
{
	static const uint8_t zero[sizeof(s->src)];

	return memcmp(s->src, zero, sizeof(zero)) != 0;
}

bool spec_has_dst(const struct fspec *s)
{
	static const uint8_t zero[sizeof(s->dst)];

	return memcmp(s->dst, zero, sizeof(zero)) != 0;
}

static int l4_proto(const struct fspec *s)
{
	if (s->proto)
		return s->proto;
	switch (s->l4) {
	case L4_TCP:
		return P_TCP;
	case L4_UDP:
		return P_UDP;
	case L4_ICMP:
		return s->l3 == L3_IPV6 ? P_ICMPV6 : P_ICMP;
	default:
		return P_NONE;
	}
}

int spec_l4(const struct fspec *s, bool *ports)
{
	int i, l4 = l4_proto(s);

	*ports = true;
	if (s->l3 == L3_IPV4 && (s->frag & 0x1fff))
		*ports = false;
	for (i = 0; s->l3 == L3_IPV6 && i < s->n_ext; i++) {
		if (s->ext[i].type == P_FRAGMENT && s->ext[i].frag) {
			*ports = false;
			if (i + 1 < s->n_ext)
				l4 = s->ext[i + 1].type;
			break;
		}
	}
	if (l4 != P_TCP && l4 != P_UDP)
		*ports = false;
	return l4;
}

static uint16_t l3_type(const struct fspec *s)
{
	switch (s->l3) {
	case L3_IPV4:
		return ET_IPV4;
	case L3_IPV6:
		return ET_IPV6;
	case L3_ARP:
		return ET_ARP;
	default:
		return ET_LLDP;
	}
}

/* The IPv4 header: ihl and option bytes as asked, however wrong. */
static void put_ipv4(struct frame *f, const struct fspec *s)
{
	struct fr_ipv4 h = {
		.ver = s->ver, .ihl = s->ihl ? s->ihl : 5, .opt = s->opt_len,
		.opt_end = true, .id = 0x1234, .frag = s->frag,
		.proto = (uint8_t)l4_proto(s),
		.src = spec_has_src(s) ? s->src : NULL,
		.dst = spec_has_dst(s) ? s->dst : NULL, .csum = true,
	};

	if (s->opt_len < 0)
		h.opt = 0;
	else if (!s->opt_len && h.ihl > 5)
		h.opt = (h.ihl - 5) * 4;
	fr_ipv4(f, &h);
}

/* The IPv6 header and its extension headers, each pointing at the next. */
static void put_ipv6(struct frame *f, const struct fspec *s)
{
	struct fr_ipv6 h = {
		.ver = s->ver,
		.next = (uint8_t)(s->n_ext ? s->ext[0].type : l4_proto(s)),
		.src = spec_has_src(s) ? s->src : NULL,
		.dst = spec_has_dst(s) ? s->dst : NULL,
	};
	int i;

	fr_ipv6(f, &h);
	for (i = 0; i < s->n_ext; i++) {
		const struct ext *e = &s->ext[i];
		struct fr_ext x = {
			.type = e->type, .len = e->len,
			.frag = (uint16_t)(e->frag << 3 | e->more),
			.ident = 0x4242,
		};

		fr_ext(f, &x, (uint8_t)(i + 1 < s->n_ext ? s->ext[i + 1].type :
					l4_proto(s)));
	}
}

static void put_l4(struct frame *f, const struct fspec *s)
{
	uint16_t sport = s->sport ? s->sport : 40000;
	struct fr_tcp t = {
		.sport = sport, .dport = s->dport, .seq = 0x01020000,
		.doff = s->doff, .flags = s->tflags ? s->tflags : TH_SYN,
		.win = 0xffff, .opt = s->topt,
	};

	switch (s->l4) {
	case L4_TCP:
		fr_tcp(f, &t);
		break;
	case L4_UDP:
		fr_udp(f, sport, s->dport);
		break;
	case L4_ICMP:
		fr_icmp(f, s->icmp_type ? s->icmp_type :
			   s->l3 == L3_IPV6 ? 128 : 8, 1, 0);
		break;
	case L4_NONE:
		break;
	}
}

void build_frame(const struct fspec *s, struct frame *f)
{
	static const uint8_t payload[16] = {
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	};
	bool ip = s->l3 == L3_IPV4 || s->l3 == L3_IPV6;
	int i, ntags = 0;

	fr_init_max(f, false, FRAME_JUMBO);
	while (ntags < MAX_TAGS && s->tags[ntags])
		ntags++;
	fr_eth(f, NULL, NULL, ntags ? s->tags[0] : l3_type(s));
	for (i = 0; i < ntags; i++)
		fr_vlan(f, (uint16_t)(100 + i),
			i + 1 < ntags ? s->tags[i + 1] : l3_type(s));
	if (s->l3 == L3_IPV4)
		put_ipv4(f, s);
	else if (s->l3 == L3_IPV6)
		put_ipv6(f, s);
	else if (s->l3 == L3_ARP)
		fr_arp(f, NULL, NULL, NULL);
	else
		fr_lldp(f);
	if (ip)
		put_l4(f, s);
	fr_fill(f, (size_t)s->plen, payload, sizeof(payload));
	if (ip)
		fr_end_ip(f, s->l3 == L3_IPV4 ? (s->tot_len ? s->tot_len : -1) :
			  (s->pay_len ? s->pay_len - 1 : -1));
	if (s->cut)
		fr_cut(f, (size_t)(s->cut - 1));
}
