/* SPDX-License-Identifier: GPL-2.0 */
/* parsing.h - bounds-checked header parsers for the XDP program.
 *
 * Each parse_*() checks that its header lies inside [nh->pos, data_end),
 * moves nh->pos past it and returns the next protocol (an EtherType in wire
 * order, or an IP protocol number), or -1 if the header is truncated or
 * invalid. The verifier only accepts a packet read after a comparison of the
 * read's end against data_end, so every check has the same shape:
 * "if (ptr + size > data_end) return -1;" and it comes before the read.
 * Every loop has a constant bound.
 */
#ifndef XF_PARSING_H
#define XF_PARSING_H

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

struct hdr_cursor {
	void *pos;
};

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

static __always_inline int proto_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD);
}

/* Ethernet and up to XF_VLAN_MAX VLAN tags. Returns the EtherType after the
 * tags. A third tag is returned as is, so the caller treats it as non-IP. */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end)
{
	struct ethhdr *eth = nh->pos;
	struct xf_vlan_hdr *vh;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < XF_VLAN_MAX; i++) {
		if (!proto_is_vlan(proto))
			break;
		vh = nh->pos;
		if ((void *)(vh + 1) > data_end)
			return -1;
		proto = vh->encap_proto;
		nh->pos = vh + 1;
	}
	return proto;
}

/* IPv4 with options. Invalid: version != 4, ihl < 5, tot_len < ihl * 4,
 * and truncated: tot_len beyond the frame (the kernel drops those too). Sets
 * *ip_len to tot_len: the L4 header must fit inside it, not just inside the
 * frame, whose tail may be Ethernet padding. */
static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end,
				       struct iphdr **iphp, int *ip_len)
{
	struct iphdr *iph = nh->pos;
	int len, tot_len;

	if ((void *)(iph + 1) > data_end)	/* fixed part first... */
		return -1;
	if (iph->version != 4)
		return -1;
	len = iph->ihl * 4;
	if (len < (int)sizeof(*iph) || nh->pos + len > data_end)
		return -1;			/* ...then the options */
	tot_len = bpf_ntohs(iph->tot_len);
	/* The verifiers of 6.1 and 6.12 do not bound a byte swap's result,
	 * so "pos + tot_len" would be pointer math with an unbounded
	 * register, which they reject. The mask gives them the range;
	 * barrier_var() keeps clang from dropping a mask it knows is
	 * redundant. */
	barrier_var(tot_len);
	tot_len &= 0xffff;
	if (tot_len < len || nh->pos + tot_len > data_end)
		return -1;
	nh->pos += len;
	*iphp = iph;
	*ip_len = tot_len;
	return iph->protocol;
}

/* IPv6 fixed header. Invalid: version != 6; truncated: payload_len beyond
 * the frame. Sets *ip_len to the header plus payload_len (no jumbograms:
 * an XDP frame is never that large). */
static __always_inline int parse_ipv6hdr(struct hdr_cursor *nh, void *data_end,
					 int *ip_len)
{
	struct ipv6hdr *ip6h = nh->pos;
	int len;

	if ((void *)(ip6h + 1) > data_end)
		return -1;
	if (ip6h->version != 6)
		return -1;
	len = bpf_ntohs(ip6h->payload_len);
	barrier_var(len);		/* see parse_iphdr() */
	len = sizeof(*ip6h) + (len & 0xffff);
	if (nh->pos + len > data_end)
		return -1;
	nh->pos = ip6h + 1;
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
static __always_inline int parse_ipv6_ext(struct hdr_cursor *nh,
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
			opt = nh->pos;
			if ((void *)(opt + 1) > data_end)
				return -1;
			nexthdr = opt->nexthdr;
			nh->pos += (opt->hdrlen + 1) * 8;
			if (nh->pos > data_end)
				return -1;
			break;
		case IPPROTO_AH:
			opt = nh->pos;
			if ((void *)(opt + 1) > data_end)
				return -1;
			nexthdr = opt->nexthdr;
			nh->pos += (opt->hdrlen + 2) * 4;
			if (nh->pos > data_end)
				return -1;
			break;
		case IPPROTO_FRAGMENT:
			fh = nh->pos;
			if ((void *)(fh + 1) > data_end)
				return -1;
			if (fh->frag_off & bpf_htons(XF_IP6_OFFSET)) {
				*later_frag = 1;
				nh->pos = fh + 1;	/* so a header past
							 * payload_len is caught */
				return fh->nexthdr;
			}
			nexthdr = fh->nexthdr;
			nh->pos = fh + 1;
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
static __always_inline int parse_tcphdr(struct hdr_cursor *nh, void *data_end,
					int room, struct xf_pkt *pkt)
{
	struct tcphdr *th = nh->pos;
	int len;

	if ((void *)(th + 1) > data_end)
		return -1;
	len = th->doff * 4;
	if (len < (int)sizeof(*th) || nh->pos + len > data_end || len > room)
		return -1;
	nh->pos += len;
	pkt->sport = th->source;
	pkt->dport = th->dest;
	pkt->new_flow = th->syn && !th->ack;
	return 0;
}

/* UDP. Truncated: the header does not fit in the frame or in room. */
static __always_inline int parse_udphdr(struct hdr_cursor *nh, void *data_end,
					int room, struct xf_pkt *pkt)
{
	struct udphdr *uh = nh->pos;

	if ((void *)(uh + 1) > data_end || (int)sizeof(*uh) > room)
		return -1;
	nh->pos = uh + 1;
	pkt->sport = uh->source;
	pkt->dport = uh->dest;
	pkt->new_flow = 1;
	return 0;
}

/* Parses a frame down to its TCP/UDP ports: Ethernet, up to two VLAN tags,
 * IPv4 or IPv6 with extension headers, then TCP or UDP. Returns XF_R_PASSED
 * when the port rules can decide (pkt has the ports), or the reason that
 * stands unless a prefix rule decides: XF_R_FRAGMENT and XF_R_OTHER_L4 (pkt
 * has the family and source address), XF_R_NON_IP, XF_R_MALFORMED. */
static __always_inline int parse_frame(void *data, void *data_end,
				       struct xf_pkt *pkt)
{
	struct hdr_cursor nh = { .pos = data };
	int eth_type, later_frag = 0, ip_len = 0, room;
	struct ipv6hdr *ip6h;
	struct iphdr *iph;
	void *l3;

	eth_type = parse_ethhdr(&nh, data_end);
	if (eth_type < 0)
		return XF_R_MALFORMED;			/* runt, or a cut tag */

	l3 = nh.pos;
	if (eth_type == bpf_htons(ETH_P_IP)) {
		pkt->l4 = parse_iphdr(&nh, data_end, &iph, &ip_len);
		if (pkt->l4 < 0)
			return XF_R_MALFORMED;		/* cut, bad ihl/length */
		later_frag = !!(iph->frag_off & bpf_htons(XF_IP_OFFSET));
		pkt->family = 4;
		pkt->saddr = &iph->saddr;
	} else if (eth_type == bpf_htons(ETH_P_IPV6)) {
		ip6h = nh.pos;
		pkt->l4 = parse_ipv6hdr(&nh, data_end, &ip_len);
		if (pkt->l4 < 0)
			return XF_R_MALFORMED;		/* cut, bad payload_len */
		pkt->family = 6;
		pkt->saddr = &ip6h->saddr;
		pkt->l4 = parse_ipv6_ext(&nh, data_end, pkt->l4, &later_frag);
		if (pkt->l4 < 0)
			return XF_R_MALFORMED;		/* cut, 9+ ext headers */
	} else {
		return XF_R_NON_IP;			/* ARP, a 3rd tag, ...: pass */
	}

	/* What the IP length leaves for L4: negative when IPv6 extension
	 * headers run past payload_len. */
	room = ip_len - (int)(nh.pos - l3);
	if (room < 0)
		return XF_R_MALFORMED;			/* ext headers past length */
	if (later_frag)
		return XF_R_FRAGMENT;			/* no ports in it */

	if (pkt->l4 == IPPROTO_TCP) {
		if (parse_tcphdr(&nh, data_end, room, pkt) < 0)
			return XF_R_MALFORMED;		/* cut, doff < 5 */
	} else if (pkt->l4 == IPPROTO_UDP) {
		if (parse_udphdr(&nh, data_end, room, pkt) < 0)
			return XF_R_MALFORMED;		/* cut header */
	} else {
		return XF_R_OTHER_L4;			/* ICMP, ... */
	}
	return XF_R_PASSED;				/* the rules decide */
}

/* The packet's source as an LPM key of rule set nset and its family, in
 * key4 or key6 (the caller looks up the trie of pkt->family): 0, or -1 if
 * none. The saddr bounds were checked with its IP header; the verifier
 * wants them again. */
static __always_inline int src_key(const struct xf_pkt *pkt, __u32 nset,
				   void *data_end, struct xf_lpm4 *key4,
				   struct xf_lpm6 *key6)
{
	if (pkt->family == 4 && pkt->saddr + sizeof(key4->addr) <= data_end) {
		*key4 = (struct xf_lpm4){ .prefixlen = XF_LPM_SET_BITS + 32,
					  .set = nset };
		__builtin_memcpy(key4->addr, pkt->saddr, sizeof(key4->addr));
		return 0;
	}
	if (pkt->family == 6 && pkt->saddr + sizeof(key6->addr) <= data_end) {
		*key6 = (struct xf_lpm6){ .prefixlen = XF_LPM_SET_BITS + 128,
					  .set = nset };
		__builtin_memcpy(key6->addr, pkt->saddr, sizeof(key6->addr));
		return 0;
	}
	return -1;
}

/* Allow policy, no rule matched a TCP/UDP packet: does it still pass? */
static __always_inline int allow_unlisted(const struct xf_pkt *pkt,
					  const struct xf_set *cfg)
{
	__u16 dport = bpf_ntohs(pkt->dport);

	if (!pkt->new_flow)
		return 1;		/* TCP past its SYN: replies, open flows */
	if (pkt->l4 != IPPROTO_UDP)
		return 0;
	if (dport >= cfg->eph_lo && dport <= cfg->eph_hi)
		return 1;		/* replies to the host's own requests */
	if (!(cfg->flags & XF_CFG_NO_DHCP) &&
	    (dport == 67 || dport == 68 || dport == 546 || dport == 547))
		return 1;		/* DHCP and DHCPv6 */
	return 0;
}

#endif /* XF_PARSING_H */
