// SPDX-License-Identifier: GPL-2.0
/* frame.c - the one builder of test and benchmark frames; see frame.h. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

void fr_w16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void w32(uint8_t *p, uint32_t v)
{
	fr_w16(p, v >> 16);
	fr_w16(p + 2, v & 0xffff);
}

void fr_init_max(struct frame *f, bool clip, size_t max)
{
	/* b is last: only what a frame of max bytes can use is cleared */
	memset(f, 0, offsetof(struct frame, b) + max);
	f->clip = clip;
	f->max = max;
}

void fr_init(struct frame *f, bool clip)
{
	fr_init_max(f, clip, FRAME_MAX);
}

/* Reserves n zeroed bytes into *p; returns how many it got. */
static size_t reserve(struct frame *f, size_t n, uint8_t **p)
{
	if (f->len + n > f->max) {
		if (!f->clip) {
			fprintf(stderr, "frame: a header past %zu bytes\n",
				f->max);
			abort();
		}
		n = f->max - f->len;
	}
	*p = f->b + f->len;
	memset(*p, 0, n);
	f->len += n;
	return n;
}

uint8_t *fr_put(struct frame *f, size_t n)
{
	uint8_t *p;

	reserve(f, n, &p);
	return p;
}

/* Notes a field a mutation may rewrite. */
static void field(struct frame *f, size_t off, int size)
{
	if (f->nfields < FRAME_FIELDS && off + size <= f->max) {
		f->fields[f->nfields].off = (uint16_t)off;
		f->fields[f->nfields].size = (uint8_t)size;
		f->nfields++;
	}
}

void fr_fill(struct frame *f, size_t n, const void *pat, size_t plen)
{
	const uint8_t *b = pat;
	uint8_t *p;
	size_t got = reserve(f, n, &p);

	for (size_t i = 0; plen && i < got; i++)
		p[i] = b[i % plen];
}

void fr_pad_to(struct frame *f, size_t min)
{
	if (f->len < min)
		fr_put(f, min - f->len);
}

void fr_cut(struct frame *f, size_t n)
{
	if (n < f->len)
		f->len = n;
}

void fr_eth(struct frame *f, const uint8_t *dst, const uint8_t *src,
	    uint16_t type)
{
	static const uint8_t dst0[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t src0[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t *p;

	if (reserve(f, 14, &p) < 14)
		return;
	memcpy(p, dst ? dst : dst0, 6);
	memcpy(p + 6, src ? src : src0, 6);
	fr_w16(p + 12, type);
	field(f, f->len - 2, 2);
	f->l3 = f->l4 = f->len;
}

void fr_vlan(struct frame *f, uint16_t tci, uint16_t next)
{
	uint8_t *p;

	if (reserve(f, 4, &p) < 4)
		return;
	fr_w16(p, tci);
	fr_w16(p + 2, next);
	field(f, f->len - 2, 2);
	f->l3 = f->l4 = f->len;
}

void fr_arp(struct frame *f, const uint8_t *sha, const uint8_t *spa,
	    const uint8_t *tpa)
{
	uint8_t *p;

	if (reserve(f, 28, &p) < 28)
		return;
	fr_w16(p, 1);			/* Ethernet */
	fr_w16(p + 2, ET_IPV4);
	p[4] = 6;
	p[5] = 4;
	fr_w16(p + 6, 1);		/* request */
	if (sha)
		memcpy(p + 8, sha, 6);
	if (spa)
		memcpy(p + 14, spa, 4);
	if (tpa)
		memcpy(p + 24, tpa, 4);
}

void fr_lldp(struct frame *f)
{
	uint8_t *p;

	if (reserve(f, 4, &p) < 4)
		return;
	fr_w16(p, 0x0207);		/* chassis id TLV, 7 bytes */
	p[2] = 4;			/* subtype: MAC address */
}

void fr_ipv4(struct frame *f, const struct fr_ipv4 *h)
{
	static const uint8_t src0[4] = { 198, 18, 0, 1 };
	static const uint8_t dst0[4] = { 198, 18, 0, 2 };
	int ihl = h->ihl ? h->ihl : 5 + h->opt / 4;
	size_t off = f->len;
	uint8_t *p;

	if (reserve(f, 20 + h->opt, &p) < 20 + (size_t)h->opt)
		return;
	p[0] = (uint8_t)((h->ver ? h->ver : 4) << 4 | (ihl & 0xf));
	fr_w16(p + 4, h->id);
	fr_w16(p + 6, h->frag);
	p[8] = h->ttl ? h->ttl : 64;
	p[9] = h->proto;
	memcpy(p + 12, h->src ? h->src : src0, 4);
	memcpy(p + 16, h->dst ? h->dst : dst0, 4);
	if (h->opt) {
		memset(p + 20, 1, h->opt);	/* NOPs */
		if (h->opt_end)
			p[20 + h->opt - 1] = 0;	/* End of Options */
	}
	field(f, off, 1);
	field(f, off + 2, 2);
	field(f, off + 6, 2);
	field(f, off + 9, 1);
	f->l3 = off;
	f->l4 = f->len;
	f->ipver = 4;
	f->csum = h->csum;
}

void fr_ipv6(struct frame *f, const struct fr_ipv6 *h)
{
	static const uint8_t src0[16] = { 0xfd, [15] = 1 };
	static const uint8_t dst0[16] = { 0xfd, [15] = 2 };
	size_t off = f->len;
	uint8_t *p;

	if (reserve(f, 40, &p) < 40)
		return;
	p[0] = (uint8_t)((h->ver ? h->ver : 6) << 4);
	p[6] = h->next;
	p[7] = h->hlim ? h->hlim : 64;
	memcpy(p + 8, h->src ? h->src : src0, 16);
	memcpy(p + 24, h->dst ? h->dst : dst0, 16);
	field(f, off, 1);
	field(f, off + 4, 2);
	field(f, off + 6, 1);
	f->l3 = off;
	f->l4 = f->len;
	f->ipver = 6;
}

static size_t ext_size(const struct fr_ext *e)
{
	if (e->type == P_FRAGMENT)
		return 8;
	if (e->type == P_AH)
		return (e->len + 2) * 4;
	return (e->len + 1) * 8;
}

/* What a header holds past its first two bytes, unless bare: options
 * headers one PadN filling them, routing an experimental type with no
 * segments left, AH an SPI and a sequence number. */
static void ext_body(const struct fr_ext *e, uint8_t *p, size_t n)
{
	switch (e->type) {
	case P_HOPOPTS:
	case P_DSTOPTS:
		p[2] = 1;
		p[3] = (uint8_t)(n - 4);
		break;
	case P_ROUTING:
		p[2] = 253;
		break;
	case P_AH:
		w32(p + 4, 0x100);
		if (n >= 12)
			w32(p + 8, 1);
		break;
	}
}

bool fr_ext(struct frame *f, const struct fr_ext *e, uint8_t next)
{
	size_t off = f->len, want = ext_size(e), n;
	uint8_t *p;

	n = reserve(f, want, &p);
	if (n < 8)
		return false;
	p[0] = next;
	field(f, off, 1);
	if (e->type == P_FRAGMENT) {
		fr_w16(p + 2, e->frag);
		w32(p + 4, e->ident);
		field(f, off + 2, 2);
	} else {
		p[1] = e->len;
		field(f, off + 1, 1);
		if (!e->bare)
			ext_body(e, p, want);
	}
	f->l4 = f->len;
	return true;
}

/* Starts an L4 header of n bytes: its bytes, or NULL when clipped. */
static uint8_t *l4_header(struct frame *f, size_t n)
{
	size_t off = f->len;
	uint8_t *p;

	if (reserve(f, n, &p) < n)
		return NULL;
	f->l4 = off;
	return p;
}

void fr_tcp(struct frame *f, const struct fr_tcp *t)
{
	int doff = t->doff ? t->doff : 5 + t->opt / 4;
	uint8_t *p = l4_header(f, 20 + (size_t)t->opt);

	if (!p)
		return;
	fr_w16(p, t->sport);
	fr_w16(p + 2, t->dport);
	w32(p + 4, t->seq);
	p[12] = (uint8_t)((doff & 0xf) << 4);
	p[13] = t->flags;
	fr_w16(p + 14, t->win);
	memset(p + 20, 1, t->opt);		/* NOPs */
	field(f, f->l4 + 12, 1);
	field(f, f->l4 + 13, 1);
}

void fr_ports(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p = l4_header(f, 4);

	if (p) {
		fr_w16(p, sport);
		fr_w16(p + 2, dport);
	}
}

void fr_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p = l4_header(f, 8);

	if (!p)
		return;
	fr_w16(p, sport);
	fr_w16(p + 2, dport);
	field(f, f->l4 + 4, 2);			/* length, by fr_end_ip() */
	f->udp = f->l4 + 1;
}

void fr_icmp(struct frame *f, uint8_t type, uint16_t id, uint16_t seq)
{
	uint8_t *p = l4_header(f, 8);

	if (p) {
		p[0] = type;
		fr_w16(p + 4, id);
		fr_w16(p + 6, seq);
	}
}

/* The IPv4 header checksum, over the header as its ihl field says. */
static void ipv4_csum(struct frame *f)
{
	uint8_t *p = f->b + f->l3;
	size_t hlen = (size_t)(p[0] & 0xf) * 4;
	uint32_t sum = 0;

	if (hlen < 20)
		hlen = 20;
	if (f->l3 + hlen > f->max)
		hlen = (f->max - f->l3) & ~(size_t)1;
	fr_w16(p + 10, 0);
	for (size_t i = 0; i < hlen; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	fr_w16(p + 10, ~sum & 0xffff);
}

void fr_end_ip(struct frame *f, int iplen)
{
	f->ip_end = f->len;
	if (!f->ipver) {
		f->l4 = f->len;
		f->iplen_off = 0;
		return;
	}
	if (f->udp)
		fr_w16(f->b + f->udp - 1 + 4, (unsigned)(f->len - f->udp + 1));
	f->iplen_off = f->l3 + (f->ipver == 4 ? 2 : 4);
	if (iplen < 0)
		iplen = (int)(f->len - f->l3 - (f->ipver == 6 ? 40 : 0));
	fr_set_iplen(f, (unsigned)iplen);
	if (f->ipver == 4 && f->csum)
		ipv4_csum(f);
}

void fr_set_iplen(struct frame *f, unsigned v)
{
	if (f->iplen_off)
		fr_w16(f->b + f->iplen_off, v);
}

/* The ones' complement sum of n bytes (big-endian 16-bit words), added
 * to sum, not folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

void fr_l4_csum(struct frame *f, uint8_t proto)
{
	const uint8_t *ip = f->b + f->l3;
	size_t len = f->ip_end - f->l4, at = f->l4 + (proto == P_TCP ? 16 : 6);
	uint32_t sum = proto + (uint32_t)len;

	if (!f->ipver || f->l4 >= f->ip_end || at + 2 > f->ip_end)
		return;
	if (f->ipver == 4)
		sum = csum_add(sum, ip + 12, 8);	/* saddr, daddr */
	else
		sum = csum_add(sum, ip + 8, 32);
	fr_w16(f->b + at, 0);
	sum = csum_add(sum, f->b + f->l4, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	fr_w16(f->b + at, proto == P_UDP && !sum ? 0xffff : sum);
}
