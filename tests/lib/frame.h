/* SPDX-License-Identifier: GPL-2.0 */
/* frame.h - the one builder of the frames that tests and benchmarks feed to
 * the filter (tests/verdict, tests/model/gen.c, bench/micro.c, bench/gen.c):
 * Ethernet, VLAN tags with any TPID, ARP, LLDP, IPv4 with options, any
 * fragment word and wrong version or ihl, IPv6 with extension header chains
 * (hop-by-hop, routing, destination options, fragment, AH), TCP with flags,
 * options and any doff, UDP, ICMP/ICMPv6, payload, Ethernet padding and
 * truncation. Plain C11, no libbpf.
 *
 * A frame is built front to back, one header a call, each written as the
 * caller describes it, however wrong; fr_end_ip() then fills the lengths
 * (UDP length, IPv4 tot_len or IPv6 payload_len, and the IPv4 checksum if
 * asked for) from what was built, so a cut or a changed length afterwards
 * claims more than the frame holds, as a real truncation does. The builder
 * records where each header starts and the offsets of the length and type
 * fields a mutation may rewrite (fields[]).
 */
#ifndef XF_TEST_FRAME_H
#define XF_TEST_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX	1024	/* a frame's bytes, unless made for more */
#define FRAME_JUMBO	9232	/* a jumbo frame: MTU 9216 and its tags */
#define FRAME_FIELDS	48

/* Wire values, spelled out here rather than mixing the linux/ headers with
 * <netinet/in.h>, whose definitions collide. */
#define ET_IPV4		0x0800
#define ET_ARP		0x0806
#define ET_IPV6		0x86dd
#define ET_LLDP		0x88cc
#define TPID_Q		0x8100		/* 802.1Q */
#define TPID_AD		0x88a8		/* 802.1ad, QinQ outer tag */

#define P_HOPOPTS	0
#define P_ICMP		1
#define P_TCP		6
#define P_UDP		17
#define P_ROUTING	43
#define P_FRAGMENT	44
#define P_GRE		47
#define P_ESP		50
#define P_AH		51
#define P_ICMPV6	58
#define P_NONE		59
#define P_DSTOPTS	60
#define P_SCTP		132

#define IPV4_MF		0x2000
#define IPV4_DF		0x4000

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PSH		0x08
#define TH_ACK		0x10

/* A field a mutation may rewrite: offset and size in bytes. */
struct frame_field {
	uint16_t	off;
	uint8_t		size;
};

struct frame {
	size_t		len;
	size_t		l3;		/* where L3 starts (after the tags) */
	size_t		l4;		/* where L4 starts (after IP's) */
	size_t		ip_end;		/* end of the IP packet (padding) */
	size_t		iplen_off;	/* tot_len or payload_len, 0: none */
	size_t		udp;		/* UDP header + 1, 0: none */
	int		ipver;		/* 4 or 6 once an IP header is built */
	bool		csum;		/* fr_end_ip() writes IPv4's checksum */
	bool		clip;		/* past max: clip, else abort */
	size_t		max;		/* FRAME_MAX, or up to FRAME_JUMBO */
	struct frame_field fields[FRAME_FIELDS]; /* length, type fields */
	int		nfields;
	uint8_t		b[FRAME_JUMBO];	/* last: only max bytes are used */
};

/* An empty frame. clip: a header that would run past FRAME_MAX is cut
 * short (a random generator's frame is still a frame); else that is a bug
 * in the caller's table, and the builder aborts loudly. */
void fr_init(struct frame *f, bool clip);
/* The same, for a frame of up to max bytes (at most FRAME_JUMBO): a jumbo
 * frame, which an xdp.frags program gets in more than one buffer. */
void fr_init_max(struct frame *f, bool clip, size_t max);
/* Reserves n zeroed bytes at the end: their start (fewer when clipped). */
uint8_t *fr_put(struct frame *f, size_t n);
/* n bytes repeating the plen bytes of pat (zeros for plen 0). */
void fr_fill(struct frame *f, size_t n, const void *pat, size_t plen);
/* Zero bytes up to len min (Ethernet's minimum is 60 without the FCS). */
void fr_pad_to(struct frame *f, size_t min);
/* Keeps the first n bytes. */
void fr_cut(struct frame *f, size_t n);
void fr_w16(uint8_t *p, unsigned v);

/* MACs NULL: 02:00:00:00:00:02 (dst) and 02:00:00:00:00:01 (src). */
void fr_eth(struct frame *f, const uint8_t *dst, const uint8_t *src,
	    uint16_t type);
/* A tag: its TCI, then the EtherType (or TPID) after it. */
void fr_vlan(struct frame *f, uint16_t tci, uint16_t next);
/* ARP request, Ethernet/IPv4; addresses NULL: zero. */
void fr_arp(struct frame *f, const uint8_t *sha, const uint8_t *spa,
	    const uint8_t *tpa);
/* LLDP's first TLV header (chassis id, 7 bytes) and subtype. */
void fr_lldp(struct frame *f);

/* Zero fields take the ordinary value. */
struct fr_ipv4 {
	int		ver;		/* version nibble; 0: 4 */
	int		ihl;		/* ihl field, & 0xf; 0: 5 + opt / 4 */
	int		opt;		/* option bytes after the 20 */
	bool		opt_end;	/* the last one is End of Options (else
					 * all are NOPs) */
	uint16_t	id;
	uint16_t	frag;		/* flags and fragment offset */
	uint8_t		ttl;		/* 0: 64 */
	uint8_t		proto;
	const uint8_t	*src, *dst;	/* NULL: 198.18.0.1, 198.18.0.2 */
	bool		csum;		/* fr_end_ip() writes the checksum */
};

struct fr_ipv6 {
	int		ver;		/* version nibble; 0: 6 */
	uint8_t		next;
	uint8_t		hlim;		/* 0: 64 */
	const uint8_t	*src, *dst;	/* NULL: fd00::1, fd00::2 */
};

/* One IPv6 extension header. */
struct fr_ext {
	uint8_t		type;		/* P_HOPOPTS, P_ROUTING, P_DSTOPTS,
					 * P_FRAGMENT or P_AH */
	uint8_t		len;		/* the length field (8-octet units past
					 * the first 8; AH: 4-octet units - 2);
					 * a fragment header's is 0 */
	uint16_t	frag;		/* fragment: offset << 3 | M */
	uint32_t	ident;		/* fragment: identification */
	bool		bare;		/* next header and length only: no
					 * PadN, routing type, SPI, sequence */
};

void fr_ipv4(struct frame *f, const struct fr_ipv4 *h);
void fr_ipv6(struct frame *f, const struct fr_ipv6 *h);
/* Appends e with next header `next`; false when clipped under 8 bytes
 * (nothing written: the chain ends there). */
bool fr_ext(struct frame *f, const struct fr_ext *e, uint8_t next);

struct fr_tcp {
	uint16_t	sport, dport;
	uint32_t	seq;
	int		doff;		/* doff field, & 0xf; 0: 5 + opt / 4 */
	uint8_t		flags;
	uint16_t	win;
	int		opt;		/* option bytes (NOPs) after the 20 */
};

void fr_tcp(struct frame *f, const struct fr_tcp *t);
/* Its length is filled by fr_end_ip(). */
void fr_udp(struct frame *f, uint16_t sport, uint16_t dport);
/* Type, code 0, checksum 0, identifier, sequence number. */
void fr_icmp(struct frame *f, uint8_t type, uint16_t id, uint16_t seq);
/* An L4 header of two ports and nothing else (GRE-ish; SCTP's start). */
void fr_ports(struct frame *f, uint16_t sport, uint16_t dport);

/* The IP packet ends here: fills the UDP length, the IP length (iplen, or
 * the real one when iplen < 0) and the IPv4 checksum if asked for. Without
 * an IP header, only marks the end. */
void fr_end_ip(struct frame *f, int iplen);
/* Rewrites the IPv4 tot_len or IPv6 payload_len field, if there is one. */
void fr_set_iplen(struct frame *f, unsigned v);
/* After fr_end_ip(): the checksum of the TCP or UDP (proto P_TCP, P_UDP)
 * header at l4, over the segment to ip_end and its IPv4 or IPv6
 * pseudo-header (the addresses of the IP header at l3), as a receiving
 * stack checks it; UDP's 0 is sent as 0xffff. */
void fr_l4_csum(struct frame *f, uint8_t proto);

#endif /* XF_TEST_FRAME_H */
