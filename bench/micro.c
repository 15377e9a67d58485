// SPDX-License-Identifier: GPL-2.0
/* micro.c - xf_bench: ns/packet of XDP programs through BPF_PROG_TEST_RUN.
 *
 * Loads the floor (bench_empty.o), the product (xdp_filter.o, ABI v4) with
 * 1, 100 and 10,000 port rules, its safe-Rust implementation
 * (xdp_filter_rs.o, same maps; skipped with a note while it is a build
 * for another ABI), its HASH twin (bench_hash.o) and xdp-tools' own
 * xdp-filter objects with the equivalent rule: the main table, every
 * program on the same seven packet kinds. Then the product again with the
 * rule forms (no rules, 10,000 IPv4 or IPv6 source prefixes, prefixes
 * with a port, the allow policy), each timed on the packets that take the
 * paths worth knowing: the "rule forms" table.
 *
 * Every (program, packet) pair is timed for a number of rounds. Inside a
 * round every program runs once per packet kind, in an order rotated each
 * round, so drift and noise from the other core hit all programs alike.
 * The floor runs every packet kind, so each figure is over the floor on
 * the very same frame. Prints markdown to stdout; progress and diagnostics
 * go to stderr.
 *
 * Nothing is pinned or attached: the pin paths are cleared before load, so
 * the host's filter and its pins are never touched. The maps are filled
 * the way rulectl writes them (xf_maps.c), all in rule set 0, the active
 * one: rule ids in xf_ports slots, {any_id, pid} in the LPM tries, {pid,
 * slot} -> id in xf_pports, and the policy and prefix counts in
 * xf_config.sets[0]. No rule logs its drops. xf_rdesc, user space's own
 * record, is left empty: the program never reads it.
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 usage.
 */
#define _GNU_SOURCE			/* sched_setaffinity, sched_getcpu */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../xdp_filter.h"
#include "hash_key.h"
#include "libbpf_last.h"

#define PROG_NAME	"xf_bench"

#define REPEAT_FULL	1000000
#define ROUNDS_FULL	10
#define REPEAT_QUICK	100000
#define ROUNDS_QUICK	3
#define REPEAT_WARM	1000

#define PORT_BLOCKED	9999	/* the rule every rule set contains */
#define PORT_ALLOWED	9998	/* its neighbour: never a rule */
#define SPORT		40000	/* every packet's source port */

/* The prefix rule sets: NPFX distinct prefixes, 10.a.b.0/24 for IPv4 and
 * 2001:db8:N::/48 for IPv6, N = 0 .. NPFX - 1. PFX_IN is the one the
 * "inside" packets come from; NPFX itself (10.39.16.0/24, 2001:db8:2710::
 * /48) is the first one past the set, where the "outside" packets come
 * from: a near miss, which walks the trie as deep as a miss can. */
#define NPFX		10000
#define PFX_IN		42

/* xdp-tools xdp-filter/common_kern_user.h: filter_ports is a PERCPU_ARRAY
 * of 65536 __u64 keyed by the port in network byte order; the low bits
 * are flags (the counter lives above COUNTER_SHIFT), and a rule matches
 * when all of (direction | protocol) are set on the CPU that runs it. */
#define XDPT_FLAG_DST	(1U << 1)
#define XDPT_FLAG_TCP	(1U << 2)
#define XDPT_FLAG_UDP	(1U << 3)

#if defined(__x86_64__)
#define XDPT_DIR_DEFAULT "/usr/lib/x86_64-linux-gnu/bpf"
#elif defined(__aarch64__)
#define XDPT_DIR_DEFAULT "/usr/lib/aarch64-linux-gnu/bpf"
#else
#define XDPT_DIR_DEFAULT "/usr/lib/bpf"
#endif

enum pkt_kind {
	/* The main table's packets, timed on every program. */
	K_UDP4_BLOCK,
	K_UDP4_ALLOW,
	K_TCP4_ALLOW,
	K_UDP6_BLOCK,
	K_VLAN_UDP4,
	K_HBH_UDP6,
	K_ARP,
	K_MAIN,
	/* The rule-form packets: from inside or outside the prefix sets. */
	K_UDP4_PIN = K_MAIN,
	K_UDP4_PIN_OTHER,
	K_UDP4_POUT,
	K_UDP6_PIN,
	K_UDP6_PIN_OTHER,
	K_UDP6_POUT,
	K_TCP4_SYN_OTHER,
	K_MAX,
};

struct pkt {
	const char	*name;
	int		expect;		/* main table: verdict by the contract */
	size_t		len;
	unsigned char	buf[128];
};

enum prog_kind {
	P_EMPTY,
	P_ARRAY,	/* xdp_filter.o */
	P_RUST,		/* rust/: the same maps as P_ARRAY */
	P_HASH,
	P_XDPT_UDP,
	P_XDPT_ALL,
};

/* What an xdp_filter.o (or Rust) instance is filled with. */
enum rule_set {
	RS_PORTS,	/* `rules` port rules, deny policy */
	RS_PFX4_ANY,	/* NPFX x "any from 10.a.b.0/24" */
	RS_PFX6_ANY,	/* NPFX x "any from 2001:db8:N::/48" */
	RS_PFX4_PORT,	/* NPFX x "9999 udp from 10.a.b.0/24" */
	RS_PFX6_PORT,	/* NPFX x "9999 udp from 2001:db8:N::/48" */
	RS_ALLOW,	/* `rules` port rules, rule 0 "9999 tcp", allow policy */
};

struct prog {
	const char	*label;
	const char	*file;		/* basename, joined with a directory */
	enum prog_kind	kind;
	enum rule_set	set;
	int		rules;
	char		path[512];
	struct bpf_object *obj;
	int		fd;
	int		main;		/* a row of the main table */
	unsigned int	want;		/* packet kinds timed: 1 << k */
	char		skip[256];	/* why it is not in the table, if so */
	int		expect[K_MAX];	/* -1: no contract for this pair */
	int		retval[K_MAX];
	double		*ns[K_MAX];	/* per round: CPU time / repeat */
	double		*kns[K_MAX];	/* per round: opts.duration */
};

#define PROG(l, f, k, s, n, m) \
	{ .label = (l), .file = (f), .kind = (k), .set = (s), .rules = (n), \
	  .main = (m) }

enum {
	PI_EMPTY,
	PI_ARR1, PI_ARR100, PI_ARR10K,
	PI_RS1, PI_RS100, PI_RS10K,
	PI_H1, PI_H100, PI_H10K,
	PI_XUDP, PI_XALL,
	/* Rule forms: not in the main table. */
	PI_NONE, PI_PFX4, PI_PFX6, PI_PFX4P, PI_PFX6P, PI_ALLOW,
	NPROGS,
};

static struct prog progs[NPROGS] = {
	[PI_EMPTY] = PROG("empty XDP_PASS (floor)", "bench_empty.o", P_EMPTY,
			  RS_PORTS, 0, 1),
	[PI_ARR1] = PROG("xdp_filter ARRAY", "xdp_filter.o", P_ARRAY,
			 RS_PORTS, 1, 1),
	[PI_ARR100] = PROG("xdp_filter ARRAY", "xdp_filter.o", P_ARRAY,
			   RS_PORTS, 100, 1),
	[PI_ARR10K] = PROG("xdp_filter ARRAY", "xdp_filter.o", P_ARRAY,
			   RS_PORTS, 10000, 1),
	[PI_RS1] = PROG("xdp_filter (Rust)", "xdp_filter_rs.o", P_RUST,
			RS_PORTS, 1, 1),
	[PI_RS100] = PROG("xdp_filter (Rust)", "xdp_filter_rs.o", P_RUST,
			  RS_PORTS, 100, 1),
	[PI_RS10K] = PROG("xdp_filter (Rust)", "xdp_filter_rs.o", P_RUST,
			  RS_PORTS, 10000, 1),
	[PI_H1] = PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH,
		       RS_PORTS, 1, 1),
	[PI_H100] = PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH,
			 RS_PORTS, 100, 1),
	[PI_H10K] = PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH,
			 RS_PORTS, 10000, 1),
	[PI_XUDP] = PROG("xdp-tools xdpfilt_alw_udp.o (-f udp)",
			 "xdpfilt_alw_udp.o", P_XDPT_UDP, RS_PORTS, 1, 1),
	[PI_XALL] = PROG("xdp-tools xdpfilt_alw_all.o (-f tcp,udp)",
			 "xdpfilt_alw_all.o", P_XDPT_ALL, RS_PORTS, 1, 1),
	[PI_NONE] = PROG("xdp_filter, no rules", "xdp_filter.o", P_ARRAY,
			 RS_PORTS, 0, 0),
	[PI_PFX4] = PROG("xdp_filter, 10,000 IPv4 prefix rules (any from)",
			 "xdp_filter.o", P_ARRAY, RS_PFX4_ANY, NPFX, 0),
	[PI_PFX6] = PROG("xdp_filter, 10,000 IPv6 prefix rules (any from)",
			 "xdp_filter.o", P_ARRAY, RS_PFX6_ANY, NPFX, 0),
	[PI_PFX4P] = PROG("xdp_filter, 10,000 IPv4 prefix+port rules",
			  "xdp_filter.o", P_ARRAY, RS_PFX4_PORT, NPFX, 0),
	[PI_PFX6P] = PROG("xdp_filter, 10,000 IPv6 prefix+port rules",
			  "xdp_filter.o", P_ARRAY, RS_PFX6_PORT, NPFX, 0),
	[PI_ALLOW] = PROG("xdp_filter, policy allow, 10,000 port rules",
			  "xdp_filter.o", P_ARRAY, RS_ALLOW, 10000, 0),
};

/* The rule-forms table: one row per (program, packet), in this order. */
struct form {
	int		prog;
	enum pkt_kind	k;
	int		expect;
	const char	*rules;		/* the rule set, as rulectl spells it */
	const char	*packet;
	const char	*what;		/* the path it measures */
};

static const struct form forms[] = {
	{ PI_NONE, K_UDP4_BLOCK, XDP_PASS, "no rules",
	  "udp4 198.18.0.1 -> :9999",
	  "the floor of the filter: parse, xf_config, no trie (no prefixes),"
	  " a dst-slot miss (no source-port rules: no src lookup), xf_stats" },
	{ PI_NONE, K_UDP6_BLOCK, XDP_PASS, "no rules",
	  "udp6 fd00::1 -> :9999", "the same for IPv6" },
	{ PI_ARR10K, K_UDP4_BLOCK, XDP_DROP, "10,000 port rules",
	  "udp4 198.18.0.1 -> :9999 (listed)",
	  "blocked: dst slot hit, xf_rcount, xf_stats (main table's row)" },
	{ PI_ARR10K, K_UDP4_ALLOW, XDP_PASS, "10,000 port rules",
	  "udp4 198.18.0.1 -> :9998 (not listed)",
	  "allowed: a dst-slot miss (main table's row)" },
	{ PI_PFX4, K_UDP4_PIN, XDP_DROP,
	  "10,000 IPv4 prefixes: any from 10.a.b.0/24",
	  "udp4 10.0.42.1 -> :9999 (inside one)",
	  "blocked: trie hit, its any_id decides" },
	{ PI_PFX4, K_UDP4_POUT, XDP_PASS,
	  "10,000 IPv4 prefixes: any from 10.a.b.0/24",
	  "udp4 10.39.16.1 -> :9999 (outside all)",
	  "allowed: prefix rules present, packet matches none; a near-miss"
	  " trie walk, then a dst-slot miss" },
	{ PI_PFX4, K_UDP6_BLOCK, XDP_PASS,
	  "10,000 IPv4 prefixes: any from 10.a.b.0/24",
	  "udp6 fd00::1 -> :9999",
	  "the other family: no IPv6 prefixes, so no trie lookup" },
	{ PI_PFX6, K_UDP6_PIN, XDP_DROP,
	  "10,000 IPv6 prefixes: any from 2001:db8:N::/48",
	  "udp6 2001:db8:2a::1 -> :9999 (inside one)",
	  "blocked: trie hit, its any_id decides" },
	{ PI_PFX6, K_UDP6_POUT, XDP_PASS,
	  "10,000 IPv6 prefixes: any from 2001:db8:N::/48",
	  "udp6 2001:db8:2710::1 -> :9999 (outside all)",
	  "allowed: prefix rules present, packet matches none; a near-miss"
	  " trie walk, then a dst-slot miss" },
	{ PI_PFX4P, K_UDP4_PIN, XDP_DROP,
	  "10,000 IPv4 prefixes: 9999 udp from 10.a.b.0/24",
	  "udp4 10.0.42.1 -> :9999 (inside one)",
	  "blocked: trie hit, xf_pports hit (dst)" },
	{ PI_PFX4P, K_UDP4_PIN_OTHER, XDP_PASS,
	  "10,000 IPv4 prefixes: 9999 udp from 10.a.b.0/24",
	  "udp4 10.0.42.1 -> :9998 (inside one, port not listed)",
	  "prefix rules present, packet matches none, the longest path: trie"
	  " hit, 2 xf_pports misses, a dst-slot miss" },
	{ PI_PFX6P, K_UDP6_PIN, XDP_DROP,
	  "10,000 IPv6 prefixes: 9999 udp from 2001:db8:N::/48",
	  "udp6 2001:db8:2a::1 -> :9999 (inside one)",
	  "blocked: trie hit, xf_pports hit (dst)" },
	{ PI_PFX6P, K_UDP6_PIN_OTHER, XDP_PASS,
	  "10,000 IPv6 prefixes: 9999 udp from 2001:db8:N::/48",
	  "udp6 2001:db8:2a::1 -> :9998 (inside one, port not listed)",
	  "prefix rules present, packet matches none, the longest path: trie"
	  " hit, 2 xf_pports misses, a dst-slot miss" },
	{ PI_ALLOW, K_TCP4_ALLOW, XDP_PASS,
	  "policy allow; 10,000 port rules incl. 9999 tcp",
	  "TCP SYN 198.18.0.1 -> :9999 (listed)",
	  "allow mode, new flow to a listed port: dst slot hit, pass"
	  " (reason allowed)" },
	{ PI_ALLOW, K_TCP4_SYN_OTHER, XDP_DROP,
	  "policy allow; 10,000 port rules incl. 9999 tcp",
	  "TCP SYN 198.18.0.1 -> :9998 (not listed)",
	  "allow mode, new flow to an unlisted port: 2 slot misses, policy"
	  " drop" },
};

#define NFORMS	(sizeof(forms) / sizeof(forms[0]))

static struct pkt pkts[K_MAX];
static int ncpus;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--quick] [--objdir DIR] [--xdp-tools DIR]\n"
		"       %s --help\n"
		"Times XDP programs with BPF_PROG_TEST_RUN; prints markdown.\n"
		"  --quick          repeat %d, %d rounds (smoke run)\n"
		"  --objdir DIR     our BPF objects (default: build)\n"
		"  --xdp-tools DIR  xdp-filter objects (default: %s)\n",
		PROG_NAME, PROG_NAME, REPEAT_QUICK, ROUNDS_QUICK,
		XDPT_DIR_DEFAULT);
}

static const char *action_name(int a)
{
	switch (a) {
	case XDP_ABORTED: return "ABORTED";
	case XDP_DROP: return "DROP";
	case XDP_PASS: return "PASS";
	case XDP_TX: return "TX";
	case XDP_REDIRECT: return "REDIRECT";
	default: return "?";
	}
}

/* ---- packets ---------------------------------------------------------- */

static const unsigned char mac_dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const unsigned char mac_src[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

static unsigned char *put_eth(unsigned char *p, __u16 proto)
{
	struct ethhdr *eth = (struct ethhdr *)p;

	memcpy(eth->h_dest, mac_dst, ETH_ALEN);
	memcpy(eth->h_source, mac_src, ETH_ALEN);
	eth->h_proto = htons(proto);
	return p + sizeof(*eth);
}

static unsigned char *put_vlan(unsigned char *p, __u16 vid, __u16 proto)
{
	__be16 tag[2] = { htons(vid), htons(proto) };

	memcpy(p, tag, sizeof(tag));
	return p + sizeof(tag);
}

/* 198.18.0.0/15 and fd00::/8: benchmarking and private ranges. The source
 * is 198.18.0.1 unless saddr (host order) says otherwise. */
static unsigned char *put_ip4_from(unsigned char *p, __u8 proto,
				   size_t l4len, __u32 saddr)
{
	struct iphdr *iph = (struct iphdr *)p;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->saddr = htonl(saddr);
	iph->daddr = htonl(0xc6120002);	/* 198.18.0.2 */
	return p + sizeof(*iph);
}

static unsigned char *put_ip4(unsigned char *p, __u8 proto, size_t l4len)
{
	return put_ip4_from(p, proto, l4len, 0xc6120001); /* 198.18.0.1 */
}

/* Source fd00::1 unless saddr is given. */
static unsigned char *put_ip6_from(unsigned char *p, __u8 nexthdr,
				   size_t len, const struct in6_addr *saddr)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->payload_len = htons(len);
	if (saddr) {
		ip6h->saddr = *saddr;
	} else {
		ip6h->saddr.s6_addr[0] = 0xfd;
		ip6h->saddr.s6_addr[15] = 1;
	}
	ip6h->daddr.s6_addr[0] = 0xfd;
	ip6h->daddr.s6_addr[15] = 2;
	return p + sizeof(*ip6h);
}

static unsigned char *put_ip6(unsigned char *p, __u8 nexthdr, size_t len)
{
	return put_ip6_from(p, nexthdr, len, NULL);
}

/* Hop-by-hop header of 8 bytes: next header, length 0, one PadN option. */
static unsigned char *put_hbh(unsigned char *p, __u8 nexthdr)
{
	const unsigned char hbh[8] = { nexthdr, 0, 1, 4, 0, 0, 0, 0 };

	memcpy(p, hbh, sizeof(hbh));
	return p + sizeof(hbh);
}

#define PAYLOAD	18	/* makes the plain udp4 frame 60 bytes */

static unsigned char *put_udp(unsigned char *p, __u16 dport)
{
	struct udphdr *uh = (struct udphdr *)p;

	uh->source = htons(SPORT);
	uh->dest = htons(dport);
	uh->len = htons(sizeof(*uh) + PAYLOAD);
	uh->check = 0;
	return p + sizeof(*uh) + PAYLOAD;
}

/* A SYN: a new flow, which is what the allow policy gates. */
static unsigned char *put_tcp(unsigned char *p, __u16 dport)
{
	struct tcphdr *th = (struct tcphdr *)p;

	memset(th, 0, sizeof(*th));
	th->source = htons(SPORT);
	th->dest = htons(dport);
	th->doff = 5;
	th->syn = 1;
	th->window = htons(64240);
	return p + sizeof(*th) + PAYLOAD;
}

static unsigned char *put_arp(unsigned char *p)
{
	/* Request who-has 198.18.0.2 tell 198.18.0.1, Ethernet/IPv4. */
	const unsigned char arp[28] = {
		0, 1, 8, 0, 6, 4, 0, 1,
		0x02, 0, 0, 0, 0, 0x01, 198, 18, 0, 1,
		0, 0, 0, 0, 0, 0, 198, 18, 0, 2,
	};

	memcpy(p, arp, sizeof(arp));
	return p + sizeof(arp);
}

static void set_pkt(enum pkt_kind k, const char *name, int expect,
		    const unsigned char *end)
{
	pkts[k].name = name;
	pkts[k].expect = expect;
	pkts[k].len = end - pkts[k].buf;
	if (pkts[k].len < 60)		/* Ethernet minimum, FCS excluded */
		pkts[k].len = 60;
}

/* Prefix i of the IPv4 set: 10.a.b.0/24 with a.b = i (host order). */
static __u32 pfx4_addr(int i)
{
	return 0x0a000000u | ((__u32)i << 8);
}

/* Prefix i of the IPv6 set: 2001:db8:i::/48. */
static void pfx6_addr(int i, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0x20;
	a->s6_addr[1] = 0x01;
	a->s6_addr[2] = 0x0d;
	a->s6_addr[3] = 0xb8;
	a->s6_addr[4] = i >> 8;
	a->s6_addr[5] = i & 0xff;
}

static void build_pkts(void)
{
	const size_t udp = sizeof(struct udphdr) + PAYLOAD;
	const size_t tcp = sizeof(struct tcphdr) + PAYLOAD;
	struct in6_addr in6, out6;
	unsigned char *p;

	p = put_eth(pkts[K_UDP4_BLOCK].buf, ETH_P_IP);
	p = put_udp(put_ip4(p, IPPROTO_UDP, udp), PORT_BLOCKED);
	set_pkt(K_UDP4_BLOCK, "udp4 blocked", XDP_DROP, p);

	p = put_eth(pkts[K_UDP4_ALLOW].buf, ETH_P_IP);
	p = put_udp(put_ip4(p, IPPROTO_UDP, udp), PORT_ALLOWED);
	set_pkt(K_UDP4_ALLOW, "udp4 allowed", XDP_PASS, p);

	/* Same port as the udp rule: a tcp packet must not match it. */
	p = put_eth(pkts[K_TCP4_ALLOW].buf, ETH_P_IP);
	p = put_tcp(put_ip4(p, IPPROTO_TCP, tcp), PORT_BLOCKED);
	set_pkt(K_TCP4_ALLOW, "tcp4 allowed", XDP_PASS, p);

	p = put_eth(pkts[K_UDP6_BLOCK].buf, ETH_P_IPV6);
	p = put_udp(put_ip6(p, IPPROTO_UDP, udp), PORT_BLOCKED);
	set_pkt(K_UDP6_BLOCK, "udp6 blocked", XDP_DROP, p);

	p = put_eth(pkts[K_VLAN_UDP4].buf, ETH_P_8021Q);
	p = put_vlan(p, 100, ETH_P_IP);
	p = put_udp(put_ip4(p, IPPROTO_UDP, udp), PORT_BLOCKED);
	set_pkt(K_VLAN_UDP4, "vlan udp4 blocked", XDP_DROP, p);

	p = put_eth(pkts[K_HBH_UDP6].buf, ETH_P_IPV6);
	p = put_ip6(p, IPPROTO_HOPOPTS, 8 + udp);
	p = put_udp(put_hbh(p, IPPROTO_UDP), PORT_BLOCKED);
	set_pkt(K_HBH_UDP6, "udp6 hop-by-hop blocked", XDP_DROP, p);

	p = put_arp(put_eth(pkts[K_ARP].buf, ETH_P_ARP));
	set_pkt(K_ARP, "arp", XDP_PASS, p);

	/* The rule-form packets; their verdicts are per rule set (forms[]). */
	p = put_eth(pkts[K_UDP4_PIN].buf, ETH_P_IP);
	p = put_ip4_from(p, IPPROTO_UDP, udp, pfx4_addr(PFX_IN) | 1);
	p = put_udp(p, PORT_BLOCKED);
	set_pkt(K_UDP4_PIN, "udp4 from a prefix", -1, p);

	p = put_eth(pkts[K_UDP4_PIN_OTHER].buf, ETH_P_IP);
	p = put_ip4_from(p, IPPROTO_UDP, udp, pfx4_addr(PFX_IN) | 1);
	p = put_udp(p, PORT_ALLOWED);
	set_pkt(K_UDP4_PIN_OTHER, "udp4 from a prefix, other port", -1, p);

	p = put_eth(pkts[K_UDP4_POUT].buf, ETH_P_IP);
	p = put_ip4_from(p, IPPROTO_UDP, udp, pfx4_addr(NPFX) | 1);
	p = put_udp(p, PORT_BLOCKED);
	set_pkt(K_UDP4_POUT, "udp4 from past the prefixes", -1, p);

	pfx6_addr(PFX_IN, &in6);
	in6.s6_addr[15] = 1;
	pfx6_addr(NPFX, &out6);
	out6.s6_addr[15] = 1;

	p = put_eth(pkts[K_UDP6_PIN].buf, ETH_P_IPV6);
	p = put_udp(put_ip6_from(p, IPPROTO_UDP, udp, &in6), PORT_BLOCKED);
	set_pkt(K_UDP6_PIN, "udp6 from a prefix", -1, p);

	p = put_eth(pkts[K_UDP6_PIN_OTHER].buf, ETH_P_IPV6);
	p = put_udp(put_ip6_from(p, IPPROTO_UDP, udp, &in6), PORT_ALLOWED);
	set_pkt(K_UDP6_PIN_OTHER, "udp6 from a prefix, other port", -1, p);

	p = put_eth(pkts[K_UDP6_POUT].buf, ETH_P_IPV6);
	p = put_udp(put_ip6_from(p, IPPROTO_UDP, udp, &out6), PORT_BLOCKED);
	set_pkt(K_UDP6_POUT, "udp6 from past the prefixes", -1, p);

	p = put_eth(pkts[K_TCP4_SYN_OTHER].buf, ETH_P_IP);
	p = put_tcp(put_ip4(p, IPPROTO_TCP, tcp), PORT_ALLOWED);
	set_pkt(K_TCP4_SYN_OTHER, "tcp4 SYN to another port", -1, p);
}

/* ---- rules ------------------------------------------------------------ */

/* Rule j of a port rule set: rule 0 is PORT_BLOCKED with proto0; the
 * others alternate tcp and udp over ports 13 apart (13 is odd, so no port
 * repeats in 64k steps), skipping the ports the packets use. */
static int nth_rule(int j, __u8 proto0, __u8 *proto, __u16 *port)
{
	if (j == 0) {
		*proto = proto0;
		*port = PORT_BLOCKED;
		return 0;
	}
	*proto = (j & 1) ? IPPROTO_TCP : IPPROTO_UDP;
	*port = (1024 + j * 13) & 0xffff;
	if (*port == 0 || *port == PORT_BLOCKED || *port == PORT_ALLOWED ||
	    *port == SPORT)
		return -1;		/* reserved: the caller skips it */
	return 0;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/* xf_config as rulectl leaves it: the ABI stamp, rule set 0 active, its
 * policy and prefix counts. A map without it (an older Rust build) is left
 * as loaded. */
static int fill_config(struct bpf_object *obj, __u32 flags, __u32 n4,
		       __u32 n6)
{
	struct xf_config cfg = {
		.abi = XF_ABI_VERSION,
		.set = 0,
		.sets[0] = {
			.flags = flags,
			.eph_lo = 32768,	/* Linux's default
						 * ip_local_port_range */
			.eph_hi = 60999,
			.nprefix4 = n4,
			.nprefix6 = n6,
		},
	};
	__u32 zero = 0;
	int fd = map_fd(obj, XF_MAP_CONFIG);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

/* Port rules "PORT PROTO" (dst), ids 1 .. rules, as rulectl writes them:
 * the rule id in the slot xf_slot(XF_DIR_DST, proto, port) of set 0. */
static int fill_ports(struct bpf_object *obj, int rules, __u8 proto0)
{
	int fd = map_fd(obj, XF_MAP_PORTS), j, n = 0;
	__u16 port;
	__u8 proto;

	if (fd < 0)
		return fd;
	for (j = 0; n < rules; j++) {
		struct xf_port val = { .id = n + 1 };
		__u32 slot;

		if (nth_rule(j, proto0, &proto, &port))
			continue;
		slot = xf_set_slot(0, xf_slot(XF_DIR_DST, proto == IPPROTO_TCP ?
						  XF_P_TCP : XF_P_UDP, port));
		if (bpf_map_update_elem(fd, &slot, &val, BPF_ANY))
			return -errno;
		n++;
	}
	return 0;
}

/* NPFX prefix rules of one family in set 0, one rule (id i + 1) per
 * prefix (pid i + 1): "any from P" (any_id set), or "9999 udp from P" (the
 * prefix's xf_pports slot for dst udp 9999). */
static int fill_prefixes(struct bpf_object *obj, int family, int anyport)
{
	int tfd = map_fd(obj, family == 4 ? XF_MAP_PFX4 : XF_MAP_PFX6);
	int pfd = map_fd(obj, XF_MAP_PPORTS);
	int i;

	if (tfd < 0 || pfd < 0)
		return -ENOENT;
	for (i = 0; i < NPFX; i++) {
		struct xf_pfx val = { .prefix_id = i + 1 };
		struct xf_lpm4 k4 = { .prefixlen = XF_LPM_SET_BITS + 24 };
		struct xf_lpm6 k6 = { .prefixlen = XF_LPM_SET_BITS + 48 };
		__u32 a4 = htonl(pfx4_addr(i));
		struct in6_addr a6;
		void *key = family == 4 ? (void *)&k4 : (void *)&k6;

		memcpy(k4.addr, &a4, sizeof(k4.addr));
		pfx6_addr(i, &a6);
		memcpy(k6.addr, &a6, sizeof(k6.addr));
		if (anyport) {
			val.any_id = i + 1;
		} else {
			/* The port slot first, then the prefix, as rulectl
			 * orders them. */
			struct xf_pport pk = {
				.prefix_id = i + 1,
				.slot = xf_set_slot(0, xf_slot(XF_DIR_DST,
							       XF_P_UDP,
							       PORT_BLOCKED)),
			};
			struct xf_port pv = { .id = i + 1 };

			if (bpf_map_update_elem(pfd, &pk, &pv, BPF_ANY))
				return -errno;
		}
		if (bpf_map_update_elem(tfd, key, &val, BPF_ANY))
			return -errno;
	}
	return fill_config(obj, 0, family == 4 ? NPFX : 0,
			   family == 6 ? NPFX : 0);
}

static int fill_array(struct prog *p)
{
	int err;

	switch (p->set) {
	case RS_PORTS:
		err = fill_ports(p->obj, p->rules, IPPROTO_UDP);
		if (err)
			return err;
		err = fill_config(p->obj, 0, 0, 0);
		return err == -ENOENT && p->kind == P_RUST ? 0 : err;
	case RS_ALLOW:
		err = fill_ports(p->obj, p->rules, IPPROTO_TCP);
		return err ? err : fill_config(p->obj, XF_CFG_ALLOW, 0, 0);
	case RS_PFX4_ANY:
		return fill_prefixes(p->obj, 4, 1);
	case RS_PFX6_ANY:
		return fill_prefixes(p->obj, 6, 1);
	case RS_PFX4_PORT:
		return fill_prefixes(p->obj, 4, 0);
	case RS_PFX6_PORT:
		return fill_prefixes(p->obj, 6, 0);
	}
	return -EINVAL;
}

/* The hash twin's rules: key {port, proto, dst}, a zero per-CPU counter. */
static int fill_hash(struct bpf_object *obj, int rules)
{
	struct xf_count *zero;
	int fd, j, n = 0, err = 0;
	__u16 port;
	__u8 proto;

	fd = map_fd(obj, "xf_hrules");
	if (fd < 0)
		return fd;
	zero = calloc(ncpus, sizeof(*zero));	/* one value per CPU */
	if (!zero)
		return -ENOMEM;
	for (j = 0; n < rules; j++) {
		struct xf_hkey key = { .dir = XF_DIR_DST };

		if (nth_rule(j, IPPROTO_UDP, &proto, &port))
			continue;
		key.port = htons(port);
		key.proto = proto;
		if (bpf_map_update_elem(fd, &key, zero, BPF_NOEXIST)) {
			err = -errno;
			break;
		}
		n++;
	}
	free(zero);
	return err ? err : fill_config(obj, 0, 0, 0);
}

/* xdp-filter's "port 9999 -p udp" (or tcp,udp for the all object: its
 * default proto) with the default mode dst. The flags must be set on every
 * CPU, as xdp-filter's map_set_flags() does. */
static int fill_xdpt(struct bpf_object *obj, __u64 flags)
{
	__u32 key = htons(PORT_BLOCKED);
	__u64 *vals;
	int i, fd, err = 0;

	fd = map_fd(obj, "filter_ports");
	if (fd < 0)
		return fd;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < ncpus; i++)
		vals[i] = flags;
	if (bpf_map_update_elem(fd, &key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

static int fill(struct prog *p)
{
	switch (p->kind) {
	case P_ARRAY:
	case P_RUST:
		return fill_array(p);
	case P_HASH:
		return fill_hash(p->obj, p->rules);
	case P_XDPT_UDP:
		return fill_xdpt(p->obj, XDPT_FLAG_DST | XDPT_FLAG_UDP);
	case P_XDPT_ALL:
		/* The udp rule only, so the tcp4 packet is a miss in every
		 * program; xdp-filter's default would be tcp,udp. */
		return fill_xdpt(p->obj, XDPT_FLAG_DST | XDPT_FLAG_UDP);
	case P_EMPTY:
		break;
	}
	return 0;
}

/* ---- loading ---------------------------------------------------------- */

/* Which packets each program runs, and the verdict it owes each. */
static void plan(void)
{
	size_t f;
	int i, k;

	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int checked = p->kind == P_ARRAY || p->kind == P_RUST ||
			      p->kind == P_HASH;

		for (k = 0; k < K_MAX; k++)
			p->expect[k] = -1;
		if (!p->main)
			continue;
		for (k = 0; k < K_MAIN; k++) {
			p->want |= 1U << k;
			if (checked)
				p->expect[k] = pkts[k].expect;
		}
	}
	for (f = 0; f < NFORMS; f++) {
		progs[forms[f].prog].want |= 1U << forms[f].k;
		progs[forms[f].prog].expect[forms[f].k] = forms[f].expect;
	}
	for (i = 1; i < NPROGS; i++)		/* the floor runs them all */
		progs[PI_EMPTY].want |= progs[i].want;
}

/* The object's ABI, by its maps: XF_ABI_VERSION (xf_ports for both rule
 * sets, xf_config of this size, the drop log's xf_rlog), 3 (xf_ports of
 * one set: v2 and v3), 1 (xf_rules, the v1 rule table), 0 none of them. */
static int obj_abi(struct bpf_object *obj)
{
	struct bpf_map *ports = bpf_object__find_map_by_name(obj, XF_MAP_PORTS);
	struct bpf_map *cfg = bpf_object__find_map_by_name(obj, XF_MAP_CONFIG);

	if (ports && cfg && bpf_object__find_map_by_name(obj, XF_MAP_RLOG) &&
	    bpf_map__max_entries(ports) == XF_SETS * XF_PORT_SLOTS &&
	    bpf_map__value_size(cfg) == sizeof(struct xf_config))
		return XF_ABI_VERSION;
	if (ports)
		return 3;
	if (bpf_object__find_map_by_name(obj, "xf_rules"))
		return 1;
	return 0;
}

static int load(struct prog *p)
{
	struct bpf_program *bp;
	struct bpf_map *m;
	int err;

	last_libbpf_msg[0] = '\0';
	p->obj = bpf_object__open_file(p->path, NULL);
	if (!p->obj) {
		err = -errno;
		snprintf(p->skip, sizeof(p->skip), "open: %s", strerror(-err));
		return err;
	}
	if ((p->kind == P_ARRAY || p->kind == P_RUST) &&
	    obj_abi(p->obj) != XF_ABI_VERSION) {
		err = -EPROTO;
		if (obj_abi(p->obj) == 1)
			snprintf(p->skip, sizeof(p->skip),
				 "still an ABI v1 build (map xf_rules, no %s);"
				 " this benchmark fills ABI v%d maps",
				 XF_MAP_PORTS, XF_ABI_VERSION);
		else if (obj_abi(p->obj) == 3)
			snprintf(p->skip, sizeof(p->skip),
				 "an ABI v2/v3 build (one rule set, no %s);"
				 " this benchmark fills ABI v%d maps",
				 XF_MAP_RLOG, XF_ABI_VERSION);
		else
			snprintf(p->skip, sizeof(p->skip),
				 "no %s map: not an ABI v%d build",
				 XF_MAP_PORTS, XF_ABI_VERSION);
		goto fail;
	}
	/* Our objects pin by name under the product's pin dir: a private
	 * copy must not reuse, or create, the host's pins. */
	bpf_object__for_each_map(m, p->obj)
		bpf_map__set_pin_path(m, NULL);
	err = bpf_object__load(p->obj);
	if (err) {
		snprintf(p->skip, sizeof(p->skip), "load: %s (%s)",
			 strerror(-err), last_libbpf_msg);
		goto fail;
	}
	bp = bpf_object__next_program(p->obj, NULL);
	if (!bp || bpf_program__type(bp) != BPF_PROG_TYPE_XDP) {
		err = -ENOENT;
		snprintf(p->skip, sizeof(p->skip), "no XDP program in it");
		goto fail;
	}
	p->fd = bpf_program__fd(bp);
	err = fill(p);
	if (err) {
		snprintf(p->skip, sizeof(p->skip), "fill rules: %s",
			 strerror(-err));
		goto fail;
	}
	return 0;
fail:
	bpf_object__close(p->obj);
	p->obj = NULL;
	return err;
}

/* ---- measuring -------------------------------------------------------- */

/* One BPF_PROG_TEST_RUN call. Two clocks: opts.duration is the kernel's
 * own (ns per repetition, but truncated to a whole ns, too coarse for
 * differences of a few ns), and this thread's CPU time over the call,
 * divided by repeat, which has sub-ns resolution and, like the kernel's
 * timer, excludes time spent preempted by the other load on the machine.
 * It also carries the per-call setup (frame copy, XDP dispatcher switch to
 * this program): measured ~0.2 ms here, i.e. ~0.2 ns a packet at 10^6
 * repetitions and ~2 ns with --quick. It is the same for every program,
 * so it cancels in "over floor". */
static int run(const struct prog *p, const struct pkt *k, __u32 repeat,
	       double *ns, double *kns, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = k->buf,
		.data_size_in = k->len,
		.repeat = repeat,
	);
	struct timespec a, b;
	int err;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	err = bpf_prog_test_run_opts(p->fd, &o);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	if (err)
		return -errno;
	if (ns)
		*ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) /
		      repeat;
	if (kns)
		*kns = o.duration;
	*retval = o.retval;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stat3 {
	double min, med, max;
};

static struct stat3 stats(const double *v, int n)
{
	double s[n];
	struct stat3 r;

	memcpy(s, v, sizeof(s));
	qsort(s, n, sizeof(s[0]), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/* ---- map memory ------------------------------------------------------- */

/* The kernel's own accounting of a map (map_mem_usage), as bpftool shows. */
static long long map_memlock(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static const char *map_type_name(enum bpf_map_type t)
{
	const char *s = libbpf_bpf_map_type_str(t);

	return s ? s : "?";
}

static void print_memory(void)
{
	struct bpf_map *m;
	size_t i;

	printf("\n### Map memory (kernel accounting, `memlock` in fdinfo; %d possible CPUs)\n\n",
	       ncpus);
	printf("Main-table programs: every map. Prefix rule sets: the maps the"
	       " prefixes fill (the others are as with port rules).\n\n");
	printf("| program | rules | map | type | entries | value B | memlock B |\n");
	printf("| --- | ---: | --- | --- | ---: | ---: | ---: |\n");
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int pfx = p->set >= RS_PFX4_ANY && p->set <= RS_PFX6_PORT;

		if (!p->obj || (p->kind != P_ARRAY && p->kind != P_RUST &&
				p->kind != P_HASH))
			continue;
		if (!p->main && !pfx)
			continue;
		bpf_object__for_each_map(m, p->obj) {
			const char *n = bpf_map__name(m);

			if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY &&
			    bpf_map__max_entries(m) == 1 &&
			    strcmp(n, XF_MAP_CONFIG))
				continue;	/* .bss/.rodata, if any */
			if (pfx && strcmp(n, XF_MAP_PFX4) &&
			    strcmp(n, XF_MAP_PFX6) && strcmp(n, XF_MAP_PPORTS))
				continue;
			printf("| %s | %d | %s | %s | %u | %u | %lld |\n",
			       p->label, p->rules, n,
			       map_type_name(bpf_map__type(m)),
			       bpf_map__max_entries(m),
			       bpf_map__value_size(m),
			       map_memlock(bpf_map__fd(m)));
		}
	}
}

/* ---- report ----------------------------------------------------------- */

static int rounds, repeat;

/* A program that does not give the contract's verdict measured another
 * path; its cell is marked so nobody compares it blind. */
static const char *mark(const struct prog *p, enum pkt_kind k)
{
	if (p->expect[k] < 0 || p->retval[k] == p->expect[k])
		return "";
	return " †";
}

static void print_header(void)
{
	struct utsname u;
	char when[64];
	time_t now = time(NULL);

	uname(&u);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	printf("## Micro benchmark: ns/packet through BPF_PROG_TEST_RUN\n\n");
	printf("%s, Linux %s %s, %d CPUs, libbpf %u.%u, xdp_filter ABI v%d; "
	       "repeat %d, %d rounds, programs interleaved in each round.\n",
	       when, u.release, u.machine, ncpus, libbpf_major_version(),
	       libbpf_minor_version(), XF_ABI_VERSION, repeat, rounds);
	printf("ns/packet = this thread's CPU time over one test run / repeat "
	       "(`opts.duration`, whole ns, in the full table). "
	       "Over floor = median - median of the empty program on the "
	       "same packet; ratio = median / floor median.\n");
}

static void print_summary(void)
{
	const struct prog *floor = &progs[PI_EMPTY];
	size_t i;
	int k;

	printf("\n### Median ns/packet over the floor (ratio to the floor)\n\n");
	printf("Port rules, deny policy: rule 0 is `9999 udp`, the others "
	       "alternate tcp and udp on other ports. All packets come from "
	       "198.18.0.1 or fd00::1, source port %d; blocked = to :9999, "
	       "allowed = udp to :9998, or tcp to :9999 (a udp rule must not "
	       "match it).\n\n", SPORT);
	printf("| program | rules |");
	for (k = 0; k < K_MAIN; k++)
		printf(" %s |", pkts[k].name);
	printf("\n| --- | ---: |");
	for (k = 0; k < K_MAIN; k++)
		printf(" ---: |");
	printf("\n");

	for (i = 0; i < NPROGS; i++) {
		const struct prog *p = &progs[i];

		if (!p->main)
			continue;
		if (p->kind == P_EMPTY)
			printf("| %s | - |", p->label);
		else
			printf("| %s | %d |", p->label, p->rules);
		if (p->skip[0]) {
			printf(" skipped: %s |", p->skip);
			for (k = 1; k < K_MAIN; k++)
				printf(" |");
			printf("\n");
			continue;
		}
		for (k = 0; k < K_MAIN; k++) {
			struct stat3 s = stats(p->ns[k], rounds);
			struct stat3 f = stats(floor->ns[k], rounds);

			if (p == floor)
				printf(" %.1f ns |", s.med);
			else
				printf(" %+.1f (%.2f)%s |", s.med - f.med,
				       s.med / f.med, mark(p, k));
		}
		printf("\n");
	}
	printf("\nThe floor row is absolute ns/packet. † the verdict differs "
	       "from DESIGN.md's contract (see the full table): that program "
	       "took another path.\n");
}

static void print_forms(void)
{
	const struct prog *floor = &progs[PI_EMPTY];
	size_t f;

	printf("\n### Rule forms (ABI v%d): median ns/packet over the"
	       " floor\n\n", XF_ABI_VERSION);
	printf("xdp_filter.o alone, filled as rulectl fills the maps. "
	       "Prefix sets: %d distinct prefixes, one rule each: "
	       "10.a.b.0/24 (10.0.0.0 - 10.39.15.0) or 2001:db8:N::/48 "
	       "(N = 0 - 0x270f). \"inside one\" = source in prefix #%d; "
	       "\"outside all\" = source in the first /24 or /48 past the set "
	       "(10.39.16.1, 2001:db8:2710::1), a near miss that shares the "
	       "most bits with the set, so the trie miss is at its deepest. "
	       "`any from P` decides on the trie value alone; "
	       "`9999 udp from P` adds an xf_pports hash lookup. "
	       "Allow policy: rule 0 is `9999 tcp`, the packets are TCP SYNs "
	       "(new flows, which the allow policy gates).\n\n", NPFX, PFX_IN);
	printf("| rules | packet | verdict | median ns | over floor | ratio | what it measures |\n");
	printf("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
	for (f = 0; f < NFORMS; f++) {
		const struct form *c = &forms[f];
		const struct prog *p = &progs[c->prog];
		struct stat3 s, fl;

		if (p->skip[0]) {
			printf("| %s | %s | skipped: %s | | | | %s |\n",
			       c->rules, c->packet, p->skip, c->what);
			continue;
		}
		s = stats(p->ns[c->k], rounds);
		fl = stats(floor->ns[c->k], rounds);
		printf("| %s | %s | %s%s | %.1f | %+.1f | %.2f | %s |\n",
		       c->rules, c->packet, action_name(p->retval[c->k]),
		       mark(p, c->k), s.med, s.med - fl.med, s.med / fl.med,
		       c->what);
	}
	printf("\nThe two \"10,000 port rules\" rows are the main table's "
	       "`xdp_filter ARRAY` 10000 measurements. The floor is the empty "
	       "program on the very same frame (its ns are in the full "
	       "table).\n");
}

static void print_scaling(void)
{
	size_t i, j;
	int k;

	printf("\n### Rule count: median ns/packet with 10,000 rules vs 1 rule\n\n");
	printf("| program |");
	for (k = 0; k < K_MAIN; k++)
		printf(" %s |", pkts[k].name);
	printf("\n| --- |");
	for (k = 0; k < K_MAIN; k++)
		printf(" ---: |");
	printf("\n");
	for (i = 0; i < NPROGS; i++) {
		const struct prog *one = &progs[i], *many = NULL;

		if (!one->main || one->rules != 1 || one->skip[0] ||
		    (one->kind != P_ARRAY && one->kind != P_RUST &&
		     one->kind != P_HASH))
			continue;
		for (j = 0; j < NPROGS; j++)
			if (progs[j].main && progs[j].kind == one->kind &&
			    progs[j].rules == 10000 && !progs[j].skip[0])
				many = &progs[j];
		if (!many)
			continue;
		printf("| %s |", one->label);
		for (k = 0; k < K_MAIN; k++) {
			double a = stats(one->ns[k], rounds).med;
			double b = stats(many->ns[k], rounds).med;

			printf(" %+.1f%% |", (b / a - 1) * 100);
		}
		printf("\n");
	}
}

static void print_full(void)
{
	const struct prog *floor = &progs[PI_EMPTY];
	size_t i;
	int k;

	printf("\n### All measurements (ns/packet over %d rounds)\n\n", rounds);
	printf("| packet | program | rules | verdict | min | median | max | "
	       "opts.duration median | over floor | ratio |\n");
	printf("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (k = 0; k < K_MAX; k++) {
		struct stat3 f = stats(floor->ns[k], rounds);

		for (i = 0; i < NPROGS; i++) {
			const struct prog *p = &progs[i];
			struct stat3 s, d;

			if (p->skip[0] || !(p->want & (1U << k)))
				continue;
			s = stats(p->ns[k], rounds);
			d = stats(p->kns[k], rounds);
			printf("| %s | %s | %d | %s%s | %.1f | %.1f | %.1f | "
			       "%.0f | %+.1f | %.2f |\n",
			       pkts[k].name, p->label, p->rules,
			       action_name(p->retval[k]), mark(p, k),
			       s.min, s.med, s.max, d.med, s.med - f.med,
			       s.med / f.med);
		}
	}
	for (i = 0; i < NPROGS; i++)
		if (progs[i].skip[0])
			printf("\nSkipped %s (%d rules): %s\n", progs[i].label,
			       progs[i].rules, progs[i].skip);
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "objdir", required_argument, NULL, 'o' },
		{ "xdp-tools", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *objdir = "build", *xdptdir = XDPT_DIR_DEFAULT;
	int quick = 0, c, k, r, cpu;
	struct timespec t0, t1;
	size_t i;
	cpu_set_t set;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = 1;
			break;
		case 'o':
			objdir = optarg;
			break;
		case 'x':
			xdptdir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	repeat = quick ? REPEAT_QUICK : REPEAT_FULL;
	rounds = quick ? ROUNDS_QUICK : ROUNDS_FULL;

	libbpf_set_print(libbpf_print);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fprintf(stderr, PROG_NAME ": possible CPUs: %s\n",
			strerror(-ncpus));
		return 1;
	}

	/* Stay on one CPU: a migration between calls would start the next
	 * program on cold caches, which is noise, not program cost. */
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, PROG_NAME ": pin to CPU %d: %s (continuing)\n",
			cpu, strerror(errno));

	build_pkts();
	plan();
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int ours = p->kind == P_EMPTY || p->kind == P_ARRAY ||
			   p->kind == P_RUST || p->kind == P_HASH;

		snprintf(p->path, sizeof(p->path), "%s/%s",
			 ours ? objdir : xdptdir, p->file);
		if (load(p)) {
			fprintf(stderr, PROG_NAME ": %s: %s\n", p->path,
				p->skip);
			/* Our own objects must load; the Rust one is ported
			 * on its own schedule, so its rows say why they are
			 * empty instead. */
			if (ours && p->kind != P_RUST)
				return 1;
			continue;
		}
		for (k = 0; k < K_MAX; k++) {
			if (!(p->want & (1U << k)))
				continue;
			p->ns[k] = calloc(rounds, sizeof(double));
			p->kns[k] = calloc(rounds, sizeof(double));
			if (!p->ns[k] || !p->kns[k]) {
				fprintf(stderr, PROG_NAME ": out of memory\n");
				return 1;
			}
		}
	}

	/* Warm-up, and the verdict each program gives each packet: a timing
	 * of our filter on the wrong path would be worthless, so a verdict
	 * against the contract stops the run (the Rust build's rows are
	 * skipped with the reason instead, see above). */
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];

		for (k = 0; k < K_MAX && !p->skip[0]; k++) {
			int err;

			if (!(p->want & (1U << k)))
				continue;
			err = run(p, &pkts[k], REPEAT_WARM, NULL, NULL,
				  &p->retval[k]);
			if (err) {
				fprintf(stderr, PROG_NAME ": test run %s: %s\n",
					p->path, strerror(-err));
				return 1;
			}
			if (p->expect[k] < 0 || p->retval[k] == p->expect[k])
				continue;
			fprintf(stderr,
				PROG_NAME ": %s (%d rules) gives %s for %s, contract says %s\n",
				p->label, p->rules, action_name(p->retval[k]),
				pkts[k].name, action_name(p->expect[k]));
			if (p->kind != P_RUST)
				return 1;
			snprintf(p->skip, sizeof(p->skip),
				 "gives %s for %s, the contract says %s",
				 action_name(p->retval[k]), pkts[k].name,
				 action_name(p->expect[k]));
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++) {
		fprintf(stderr, PROG_NAME ": round %d/%d\n", r + 1, rounds);
		for (k = 0; k < K_MAX; k++) {
			for (i = 0; i < NPROGS; i++) {
				/* Rotate the start each round, so no program
				 * always runs first (or after the same one). */
				struct prog *p = &progs[(i + r) % NPROGS];
				int ret, err;

				if (p->skip[0] || !(p->want & (1U << k)))
					continue;
				err = run(p, &pkts[k], repeat, &p->ns[k][r],
					  &p->kns[k][r], &ret);
				if (err) {
					fprintf(stderr,
						PROG_NAME ": test run %s: %s\n",
						p->path, strerror(-err));
					return 1;
				}
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, PROG_NAME ": measured in %.0f s\n",
		(double)(t1.tv_sec - t0.tv_sec));

	print_header();
	print_summary();
	print_forms();
	print_scaling();
	print_full();
	print_memory();

	for (i = 0; i < NPROGS; i++) {
		for (k = 0; k < K_MAX; k++) {
			free(progs[i].ns[k]);
			free(progs[i].kns[k]);
		}
		bpf_object__close(progs[i].obj);
	}
	return 0;
}
