/* SPDX-License-Identifier: GPL-2.0 */
/* parsing.h - bounds-checked header parsers for the XDP program: a frame
 * down to what the rules look at (struct xf_pkt). Parsing only: what the
 * program decides is xdp_filter.c's, the maps are bpf_maps.h's.
 *
 * xf_parse_frame() takes the common frames (untagged IPv4 without options
 * or fragment offset, IPv6 with TCP or UDP right after the fixed header)
 * through a fast path, and every other frame through the strict parser
 * (xf_parse_strict()); both give every frame the same reason and fields.
 *
 * Each xf_parse_*() step checks that its header lies inside [c->pos,
 * data_end), moves c->pos past it and returns the next protocol (an
 * EtherType in wire order, or an IP protocol number), or -1 if the header
 * is truncated or invalid. The verifier only accepts a packet read after a
 * comparison of the read's end against data_end, so every check has the
 * same shape: "if (ptr + size > data_end) return -1;" and it comes before
 * the read. Every loop has a constant bound.
 */
#ifndef XF_PARSING_H
#define XF_PARSING_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xdp_filter.h"

#define XF_VLAN_MAX	2	/* 802.1Q and 802.1ad (QinQ) tags walked */
#define XF_IPV6_EXT_MAX	8	/* IPv6 extension headers walked */

#ifndef ETH_P_8021AD
#define ETH_P_8021AD	0x88A8
#endif
#define XF_IP_OFFSET	0x1fff	/* IPv4 fragment offset mask */
#define XF_IP6_OFFSET	0xfff8	/* IPv6 fragment offset mask */

struct xf_cursor {
	void *pos;
};

/* A frame: its first buffer [data, data_end) is where headers are read (a
 * header that does not fit in it is malformed), and len the bytes the frame
 * counts. A multi-buffer frame (an xdp.frags program on a jumbo MTU) has
 * more buffers after the first: len is the first buffer's until an IP
 * length runs past it, then all of them (bpf_xdp_get_buff_len(), called
 * only then: a frame in one buffer never pays for it). */
struct xf_frame {
	struct xdp_md	*ctx;
	void		*data;
	__u32		len;
};

/* Does an IP packet of ip_len bytes at ip fit in the frame: in its first
 * buffer, or else in all of them? */
static __always_inline bool xf_ip_fits(struct xf_frame *fr, void *ip,
				       int ip_len, void *data_end)
{
	if (ip + ip_len <= data_end)
		return true;
	fr->len = bpf_xdp_get_buff_len(fr->ctx);
	return ip - fr->data + ip_len <= (long)fr->len;
}

struct xf_vlan_hdr {
	__be16	tci;
	__be16	encap_proto;
};

struct xf_frag_hdr {
	__u8	nexthdr;
	__u8	reserved;
	__be16	frag_off;	/* offset << 3 | M flag */
	__be32	identification;
};

static __always_inline int xf_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

/* Ethernet and up to XF_VLAN_MAX VLAN tags. Returns the EtherType after the
 * tags. A third tag is returned as is, so the caller treats it as non-IP. */
static __always_inline int xf_parse_eth(struct xf_cursor *c, void *data_end)
{
	struct ethhdr *eth = c->pos;
	struct xf_vlan_hdr *vh;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	c->pos = eth + 1;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < XF_VLAN_MAX; i++) {
		if (!xf_is_vlan(proto))
			break;
		vh = c->pos;
		if ((void *)(vh + 1) > data_end)
			return -1;
		proto = vh->encap_proto;
		c->pos = vh + 1;
	}
	return proto;
}

/* IPv4 with options. Invalid: version != 4, ihl < 5, tot_len < ihl * 4,
 * and truncated: tot_len beyond the frame (the kernel drops those too). Sets
 * *ip_len to tot_len: the L4 header must fit inside it, not just inside the
 * frame, whose tail may be Ethernet padding. */
static __always_inline int xf_parse_ipv4(struct xf_cursor *c, void *data_end,
					 struct xf_frame *fr,
					 struct iphdr **iphp, int *ip_len)
{
	struct iphdr *iph = c->pos;
	int len, tot_len;

	if ((void *)(iph + 1) > data_end)	/* fixed part first... */
		return -1;
	if (iph->version != 4)
		return -1;
	len = iph->ihl * 4;
	if (len < (int)sizeof(*iph) || c->pos + len > data_end)
		return -1;			/* ...then the options */
	tot_len = bpf_ntohs(iph->tot_len);
	/* The verifiers of 6.1 and 6.12 do not bound a byte swap's result,
	 * so "pos + tot_len" would be pointer math with an unbounded
	 * register, which they reject. The mask gives them the range;
	 * barrier_var() keeps clang from dropping a mask it knows is
	 * redundant. */
	barrier_var(tot_len);
	tot_len &= 0xffff;
	if (tot_len < len || !xf_ip_fits(fr, c->pos, tot_len, data_end))
		return -1;
	c->pos += len;
	*iphp = iph;
	*ip_len = tot_len;
	return iph->protocol;
}

/* IPv6 fixed header. Invalid: version != 6; truncated: payload_len beyond
 * the frame. Sets *ip_len to the header plus payload_len (no jumbograms:
 * an XDP frame is never that large). */
static __always_inline int xf_parse_ipv6(struct xf_cursor *c, void *data_end,
					 struct xf_frame *fr, int *ip_len)
{
	struct ipv6hdr *ip6h = c->pos;
	int len;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	if (ip6h->version != 6)
		return -1;
	len = bpf_ntohs(ip6h->payload_len);
	barrier_var(len);		/* see xf_parse_ipv4() */
	len = sizeof(*ip6h) + (len & 0xffff);
	if (!xf_ip_fits(fr, c->pos, len, data_end))
		return -1;
	c->pos = ip6h + 1;
	*ip_len = len;
	return ip6h->nexthdr;
}

/* Walks hop-by-hop, routing, destination options, fragment and AH headers,
 * at most XF_IPV6_EXT_MAX of them, and returns the upper-layer protocol.
 * Sets *later_frag when a fragment header has a non-zero offset: the walk
 * stops there, since what follows is payload, not a header. A header that
 * runs past the frame returns -1, and so does a chain longer than the bound:
 * we fail closed rather than let a padded chain carry a packet past its
 * rule. */
static __always_inline int xf_parse_ipv6_ext(struct xf_cursor *c,
					  void *data_end, int nexthdr,
					  int *later_frag)
{
	struct ipv6_opt_hdr *opt;
	struct xf_frag_hdr *fh;
	int i;

#pragma unroll
	for (i = 0; i < XF_IPV6_EXT_MAX; i++) {
		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			opt = c->pos;
			if ((void *)(opt + 1) > data_end)
				return -1;
			nexthdr = opt->nexthdr;
			c->pos += (opt->hdrlen + 1) * 8;
			if (c->pos > data_end)
				return -1;
			break;
		case IPPROTO_AH:
			opt = c->pos;
			if ((void *)(opt + 1) > data_end)
				return -1;
			nexthdr = opt->nexthdr;
			c->pos += (opt->hdrlen + 2) * 4;
			if (c->pos > data_end)
				return -1;
			break;
		case IPPROTO_FRAGMENT:
			fh = c->pos;
			if ((void *)(fh + 1) > data_end)
				return -1;
			if (fh->frag_off & bpf_htons(XF_IP6_OFFSET)) {
				*later_frag = 1;
				c->pos = fh + 1;	/* so a header past
							 * payload_len is caught */
				return fh->nexthdr;
			}
			nexthdr = fh->nexthdr;
			c->pos = fh + 1;
			break;
		default:
			return nexthdr;
		}
	}
	switch (nexthdr) {		/* all XF_IPV6_EXT_MAX were headers */
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_FRAGMENT:
		return -1;			/* chain longer than the bound */
	}
	return nexthdr;
}

/* What the program needs to know of a packet, filled by parse_frame(). */
struct xf_pkt {
	int		l4;		/* IP protocol; valid when family != 0 */
	__be16		sport;		/* TCP/UDP ports, when parsed */
	__be16		dport;
	__u8		new_flow;	/* UDP, or TCP with SYN set and ACK clear */
	__u8		family;		/* 4 or 6 once an IP header parsed */
	void		*saddr;		/* source address, inside the packet; the
					 * LPM key is made from it only when a
					 * prefix rule of its family exists */
};

/* TCP with options. Invalid: doff < 5; truncated: the header does not fit
 * in the frame or in the room the IP length leaves (room). */
static __always_inline int xf_parse_tcp(struct xf_cursor *c, void *data_end,
					int room, struct xf_pkt *pkt)
{
	struct tcphdr *th = c->pos;
	int len;

	if ((void *)(th + 1) > data_end)
		return -1;
	len = th->doff * 4;
	if (len < (int)sizeof(*th) || c->pos + len > data_end || len > room)
		return -1;
	c->pos += len;
	pkt->sport = th->source;
	pkt->dport = th->dest;
	pkt->new_flow = th->syn && !th->ack;
	return 0;
}

/* UDP. Truncated: the header does not fit in the frame or in room. */
static __always_inline int xf_parse_udp(struct xf_cursor *c, void *data_end,
					int room, struct xf_pkt *pkt)
{
	struct udphdr *uh = c->pos;

	if ((void *)(uh + 1) > data_end || (int)sizeof(*uh) > room)
		return -1;
	c->pos = uh + 1;
	pkt->sport = uh->source;
	pkt->dport = uh->dest;
	pkt->new_flow = 1;
	return 0;
}

/* The strict parser: Ethernet, up to two VLAN tags, IPv4 or IPv6 with
 * extension headers, then TCP or UDP. Returns XF_R_PASSED when the port
 * rules can decide (pkt has the ports), or the reason that stands unless a
 * prefix rule decides: XF_R_FRAGMENT and XF_R_OTHER_L4 (pkt has the family
 * and source address), XF_R_NON_IP, XF_R_MALFORMED. */
static __always_inline int xf_parse_strict(struct xf_frame *fr, void *data,
					   void *data_end, struct xf_pkt *pkt)
{
	struct xf_cursor c = { .pos = data };
	int eth_type, later_frag = 0, ip_len = 0, room;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	void *l3;

	eth_type = xf_parse_eth(&c, data_end);
	if (eth_type < 0)
		return XF_R_MALFORMED;			/* runt, or a cut tag */

	l3 = c.pos;
	if (eth_type == bpf_htons(ETH_P_IP)) {
		pkt->l4 = xf_parse_ipv4(&c, data_end, fr, &iph, &ip_len);
		if (pkt->l4 < 0)
			return XF_R_MALFORMED;		/* cut, bad ihl/length */
		later_frag = !!(iph->frag_off & bpf_htons(XF_IP_OFFSET));
		pkt->family = 4;
		pkt->saddr = &iph->saddr;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip6h = c.pos;
		pkt->l4 = xf_parse_ipv6(&c, data_end, fr, &ip_len);
		if (pkt->l4 < 0)
			return XF_R_MALFORMED;		/* cut, bad payload_len */
		pkt->family = 6;
		pkt->saddr = &ip6h->saddr;
		pkt->l4 = xf_parse_ipv6_ext(&c, data_end, pkt->l4, &later_frag);
		if (pkt->l4 < 0)
			return XF_R_MALFORMED;		/* cut, 9+ ext headers */
	} else {
		return XF_R_NON_IP;			/* ARP, a 3rd tag, ...: pass */
	}

	/* What the IP length leaves for L4: negative when IPv6 extension
	 * headers run past payload_len. */
	room = ip_len - (int)(c.pos - l3);
	if (room < 0)
		return XF_R_MALFORMED;			/* ext headers past length */
	if (later_frag)
		return XF_R_FRAGMENT;			/* no ports in it */

	if (pkt->l4 == IPPROTO_TCP) {
		if (xf_parse_tcp(&c, data_end, room, pkt) < 0)
			return XF_R_MALFORMED;		/* cut, doff < 5 */
	} else if (pkt->l4 == IPPROTO_UDP) {
		if (xf_parse_udp(&c, data_end, room, pkt) < 0)
			return XF_R_MALFORMED;		/* cut header */
	} else {
		return XF_R_OTHER_L4;			/* ICMP, ... */
	}
	return XF_R_PASSED;				/* the rules decide */
}

#define xf_likely(x)	__builtin_expect(!!(x), 1)
#define xf_unlikely(x)	__builtin_expect(!!(x), 0)

/* The fast path's TCP or UDP header at l4, with room bytes of the IP
 * length left for it: xf_parse_tcp()'s and xf_parse_udp()'s checks. */
static __always_inline int xf_fast_l4(void *l4, void *data_end, int proto,
				      int room, struct xf_pkt *pkt)
{
	struct xf_cursor c = { .pos = l4 };

	pkt->l4 = proto;
	if (xf_likely(proto == IPPROTO_UDP))
		return xf_parse_udp(&c, data_end, room, pkt) ? XF_R_MALFORMED :
							       XF_R_PASSED;
	return xf_parse_tcp(&c, data_end, room, pkt) ? XF_R_MALFORMED :
						       XF_R_PASSED;
}

/* Untagged IPv4 with ihl 5 and fragment offset 0 (version, ihl and the
 * offset in one 64-bit load and one compare), whose frame holds Ethernet,
 * IP and 8 more bytes; -1 for any other frame. */
#define XF_V4_FAST_MASK	(0xffULL | 0xff1fULL << 48)

static __always_inline int xf_fast_ipv4(struct iphdr *iph, void *data_end,
					struct xf_pkt *pkt)
{
	__u64 w = *(__u64 *)iph;
	int tot, proto;

	if (xf_unlikely((w & XF_V4_FAST_MASK) != 0x45))
		return -1;
	tot = bpf_ntohs((__be16)(w >> 16));
	barrier_var(tot);			/* see xf_parse_ipv4() */
	tot &= 0xffff;
	if (xf_unlikely((void *)iph + tot > data_end))
		return -1;			/* cut, or in more buffers */
	if (xf_unlikely(tot < (int)sizeof(*iph)))
		return XF_R_MALFORMED;		/* shorter than ihl */
	proto = iph->protocol;
	pkt->family = 4;
	pkt->saddr = &iph->saddr;
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP) {
		pkt->l4 = proto;
		return XF_R_OTHER_L4;
	}
	return xf_fast_l4(iph + 1, data_end, proto, tot - sizeof(*iph), pkt);
}

/* IPv6 with TCP or UDP right after the fixed header; -1 for any other. */
static __always_inline int xf_fast_ipv6(struct ipv6hdr *ip6h, void *data_end,
					struct xf_pkt *pkt)
{
	int len, proto;

	if ((void *)(ip6h + 1) + sizeof(struct udphdr) > data_end)
		return -1;
	proto = ip6h->nexthdr;
	if ((*(__u8 *)ip6h & 0xf0) != 0x60 ||
	    (proto != IPPROTO_UDP && proto != IPPROTO_TCP))
		return -1;
	len = bpf_ntohs(ip6h->payload_len);
	barrier_var(len);			/* see xf_parse_ipv4() */
	len &= 0xffff;
	if ((void *)(ip6h + 1) + len > data_end)
		return -1;			/* cut, or in more buffers */
	pkt->family = 6;
	pkt->saddr = &ip6h->saddr;
	return xf_fast_l4(ip6h + 1, data_end, proto, len, pkt);
}

/* The common frames (see above): their reason and pkt, as the strict
 * parser would give them; -1 for every other frame. */
static __always_inline int xf_parse_fast(void *data, void *data_end,
					 struct xf_pkt *pkt)
{
	void *l3 = data + ETH_HLEN;
	__be16 proto;

	if (xf_unlikely(l3 + sizeof(struct iphdr) + sizeof(struct udphdr) >
			data_end))
		return -1;
	proto = *(__be16 *)(data + 12);		/* one load: ethhdr is packed */
	if (xf_likely(proto == bpf_htons(ETH_P_IP)))
		return xf_fast_ipv4(l3, data_end, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return xf_fast_ipv6(l3, data_end, pkt);
	return -1;
}

/* A frame down to its ports: the common frames through the fast path, the
 * rest through xf_parse_strict(); the same reason and pkt either way. */
static __always_inline int xf_parse_frame(struct xf_frame *fr, void *data,
					  void *data_end, struct xf_pkt *pkt)
{
	int ret = xf_parse_fast(data, data_end, pkt);

	return ret >= 0 ? ret : xf_parse_strict(fr, data, data_end, pkt);
}

#endif /* XF_PARSING_H */
