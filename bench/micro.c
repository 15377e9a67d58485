// SPDX-License-Identifier: GPL-2.0
/* micro.c - xf_bench: ns/packet of XDP programs through BPF_PROG_TEST_RUN.
 *
 * Loads the floor (bench_empty.o), the product (xdp_filter.o, ARRAY rule
 * table), its safe-Rust implementation (xdp_filter_rs.o, same maps) and
 * its HASH twin (bench_hash.o) with 1, 100 and 10,000 rules, plus
 * xdp-tools' own xdp-filter objects with the equivalent rule, then
 * times each (program, packet) pair for a number of rounds. Inside a round
 * every program runs once per packet kind, in an order rotated each round,
 * so drift and noise from the other core hit all programs alike. Prints
 * markdown to stdout; progress and diagnostics go to stderr.
 *
 * Nothing is pinned or attached: the pin paths are cleared before load, so
 * the host's filter and its pins are never touched.
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

#define PROG_NAME	"xf_bench"

#define REPEAT_FULL	1000000
#define ROUNDS_FULL	10
#define REPEAT_QUICK	100000
#define ROUNDS_QUICK	3
#define REPEAT_WARM	1000

#define PORT_BLOCKED	9999	/* the rule every rule set contains (udp) */
#define PORT_ALLOWED	9998	/* its neighbour: never a rule */

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
	K_UDP4_BLOCK,
	K_UDP4_ALLOW,
	K_TCP4_ALLOW,
	K_UDP6_BLOCK,
	K_VLAN_UDP4,
	K_HBH_UDP6,
	K_ARP,
	K_MAX,
};

struct pkt {
	const char	*name;
	int		expect;		/* verdict by DESIGN.md's contract */
	size_t		len;
	unsigned char	buf[128];
};

enum prog_kind {
	P_EMPTY,
	P_ARRAY,
	P_RUST,		/* rust/: the same ARRAY maps as P_ARRAY */
	P_HASH,
	P_XDPT_UDP,
	P_XDPT_ALL,
};

struct prog {
	const char	*label;
	const char	*file;		/* basename, joined with a directory */
	enum prog_kind	kind;
	int		rules;
	char		path[512];
	struct bpf_object *obj;
	int		fd;
	char		skip[256];	/* why it is not in the table, if so */
	int		retval[K_MAX];
	double		*ns[K_MAX];	/* per round: CPU time / repeat */
	double		*kns[K_MAX];	/* per round: opts.duration */
};

#define PROG(l, f, k, n) { .label = (l), .file = (f), .kind = (k), .rules = (n) }

static struct prog progs[] = {
	PROG("empty XDP_PASS (floor)", "bench_empty.o", P_EMPTY, 0),
	PROG("xdp_filter ARRAY", "xdp_filter.o", P_ARRAY, 1),
	PROG("xdp_filter ARRAY", "xdp_filter.o", P_ARRAY, 100),
	PROG("xdp_filter ARRAY", "xdp_filter.o", P_ARRAY, 10000),
	PROG("xdp_filter (Rust)", "xdp_filter_rs.o", P_RUST, 1),
	PROG("xdp_filter (Rust)", "xdp_filter_rs.o", P_RUST, 100),
	PROG("xdp_filter (Rust)", "xdp_filter_rs.o", P_RUST, 10000),
	PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH, 1),
	PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH, 100),
	PROG("HASH variant (PERCPU_HASH)", "bench_hash.o", P_HASH, 10000),
	PROG("xdp-tools xdpfilt_alw_udp.o (-f udp)", "xdpfilt_alw_udp.o",
	     P_XDPT_UDP, 1),
	PROG("xdp-tools xdpfilt_alw_all.o (-f tcp,udp)", "xdpfilt_alw_all.o",
	     P_XDPT_ALL, 1),
};

#define NPROGS	(sizeof(progs) / sizeof(progs[0]))

static struct pkt pkts[K_MAX];
static int ncpus;
static char last_libbpf_msg[256];

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

/* libbpf chatter: keep warnings (the last one explains a failed load), and
 * drop debug output, which is a page per object. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *nl;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, ap);
	nl = strchr(last_libbpf_msg, '\n');
	if (nl)
		*nl = '\0';
	return 0;
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

/* 198.18.0.0/15 and fd00::/8: benchmarking and private ranges. */
static unsigned char *put_ip4(unsigned char *p, __u8 proto, size_t l4len)
{
	struct iphdr *iph = (struct iphdr *)p;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->saddr = htonl(0xc6120001);	/* 198.18.0.1 */
	iph->daddr = htonl(0xc6120002);	/* 198.18.0.2 */
	return p + sizeof(*iph);
}

static unsigned char *put_ip6(unsigned char *p, __u8 nexthdr, size_t len)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->payload_len = htons(len);
	ip6h->saddr.s6_addr[0] = 0xfd;
	ip6h->saddr.s6_addr[15] = 1;
	ip6h->daddr.s6_addr[0] = 0xfd;
	ip6h->daddr.s6_addr[15] = 2;
	return p + sizeof(*ip6h);
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

	uh->source = htons(40000);
	uh->dest = htons(dport);
	uh->len = htons(sizeof(*uh) + PAYLOAD);
	uh->check = 0;
	return p + sizeof(*uh) + PAYLOAD;
}

static unsigned char *put_tcp(unsigned char *p, __u16 dport)
{
	struct tcphdr *th = (struct tcphdr *)p;

	memset(th, 0, sizeof(*th));
	th->source = htons(40000);
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

static void build_pkts(void)
{
	const size_t udp = sizeof(struct udphdr) + PAYLOAD;
	const size_t tcp = sizeof(struct tcphdr) + PAYLOAD;
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
}

/* ---- rules ------------------------------------------------------------ */

/* Rule j of a rule set: rule 0 is udp PORT_BLOCKED; the others alternate
 * tcp and udp over ports 13 apart (13 is odd, so no port repeats in 64k
 * steps), skipping the (proto, port) pairs the allowed packets use. */
static int nth_rule(int j, __u8 *proto, __u16 *port)
{
	if (j == 0) {
		*proto = IPPROTO_UDP;
		*port = PORT_BLOCKED;
		return 0;
	}
	*proto = (j & 1) ? IPPROTO_TCP : IPPROTO_UDP;
	*port = (1024 + j * 13) & 0xffff;
	if (*port == 0 || *port == PORT_BLOCKED || *port == PORT_ALLOWED)
		return -1;		/* reserved: the caller skips it */
	return 0;
}

static int fill_array(struct bpf_object *obj, int rules)
{
	struct xf_rule rule = { .flags = XF_RULE_DROP };
	struct bpf_map *m;
	int fd, j, n = 0;
	__u16 port;
	__u8 proto;

	m = bpf_object__find_map_by_name(obj, XF_MAP_RULES);
	if (!m)
		return -ENOENT;
	fd = bpf_map__fd(m);
	for (j = 0; n < rules; j++) {
		__u32 slot;

		if (nth_rule(j, &proto, &port))
			continue;
		slot = xf_slot(proto == IPPROTO_TCP ? XF_P_TCP : XF_P_UDP,
			       port);
		if (bpf_map_update_elem(fd, &slot, &rule, BPF_ANY))
			return -errno;
		n++;
	}
	return 0;
}

static int fill_hash(struct bpf_object *obj, int rules)
{
	struct xf_count *zero;
	struct bpf_map *m;
	int fd, j, n = 0, err = 0;
	__u16 port;
	__u8 proto;

	m = bpf_object__find_map_by_name(obj, "xf_hrules");
	if (!m)
		return -ENOENT;
	fd = bpf_map__fd(m);
	zero = calloc(ncpus, sizeof(*zero));	/* one value per CPU */
	if (!zero)
		return -ENOMEM;
	for (j = 0; n < rules; j++) {
		struct xf_hkey key = {};

		if (nth_rule(j, &proto, &port))
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
	return err;
}

/* xdp-filter's "port 9999 -p udp" (or tcp,udp for the all object: its
 * default proto) with the default mode dst. The flags must be set on every
 * CPU, as xdp-filter's map_set_flags() does. */
static int fill_xdpt(struct bpf_object *obj, __u64 flags)
{
	struct bpf_map *m;
	__u32 key = htons(PORT_BLOCKED);
	__u64 *vals;
	int i, err = 0;

	m = bpf_object__find_map_by_name(obj, "filter_ports");
	if (!m)
		return -ENOENT;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < ncpus; i++)
		vals[i] = flags;
	if (bpf_map_update_elem(bpf_map__fd(m), &key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

static int fill(struct prog *p)
{
	switch (p->kind) {
	case P_ARRAY:
	case P_RUST:
		return fill_array(p->obj, p->rules);
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
	printf("| program | rules | map | type | entries | value B | memlock B |\n");
	printf("| --- | ---: | --- | --- | ---: | ---: | ---: |\n");
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];

		if (!p->obj || (p->kind != P_ARRAY && p->kind != P_RUST &&
				p->kind != P_HASH))
			continue;
		bpf_object__for_each_map(m, p->obj) {
			if (bpf_map__type(m) == BPF_MAP_TYPE_ARRAY &&
			    bpf_map__max_entries(m) == 1 &&
			    strcmp(bpf_map__name(m), XF_MAP_CONFIG))
				continue;	/* .bss/.rodata, if any */
			printf("| %s | %d | %s | %s | %u | %u | %lld |\n",
			       p->label, p->rules, bpf_map__name(m),
			       map_type_name(bpf_map__type(m)),
			       bpf_map__max_entries(m),
			       bpf_map__value_size(m),
			       map_memlock(bpf_map__fd(m)));
		}
	}
}

/* ---- report ----------------------------------------------------------- */

static int rounds, repeat;

static int contract_checked(const struct prog *p)
{
	return p->kind == P_ARRAY || p->kind == P_RUST || p->kind == P_HASH;
}

/* A program that does not give the contract's verdict measured another
 * path; its cell is marked so nobody compares it blind. */
static const char *mark(const struct prog *p, enum pkt_kind k)
{
	if (p->kind == P_EMPTY || p->retval[k] == pkts[k].expect)
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
	printf("%s, Linux %s %s, %d CPUs, libbpf %u.%u; repeat %d, %d rounds, "
	       "programs interleaved in each round.\n",
	       when, u.release, u.machine, ncpus, libbpf_major_version(),
	       libbpf_minor_version(), repeat, rounds);
	printf("ns/packet = this thread's CPU time over one test run / repeat "
	       "(`opts.duration`, whole ns, in the full table). "
	       "Over floor = median - median of the empty program on the "
	       "same packet; ratio = median / floor median.\n");
}

static void print_summary(void)
{
	const struct prog *floor = &progs[0];
	size_t i;
	int k;

	printf("\n### Median ns/packet over the floor (ratio to the floor)\n\n");
	printf("| program | rules |");
	for (k = 0; k < K_MAX; k++)
		printf(" %s |", pkts[k].name);
	printf("\n| --- | ---: |");
	for (k = 0; k < K_MAX; k++)
		printf(" ---: |");
	printf("\n");

	for (i = 0; i < NPROGS; i++) {
		const struct prog *p = &progs[i];

		if (p->kind == P_EMPTY)
			printf("| %s | - |", p->label);
		else
			printf("| %s | %d |", p->label, p->rules);
		if (p->skip[0]) {
			printf(" skipped: %s |", p->skip);
			for (k = 1; k < K_MAX; k++)
				printf(" |");
			printf("\n");
			continue;
		}
		for (k = 0; k < K_MAX; k++) {
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

static void print_scaling(void)
{
	size_t i, j;
	int k;

	printf("\n### Rule count: median ns/packet with 10,000 rules vs 1 rule\n\n");
	printf("| program |");
	for (k = 0; k < K_MAX; k++)
		printf(" %s |", pkts[k].name);
	printf("\n| --- |");
	for (k = 0; k < K_MAX; k++)
		printf(" ---: |");
	printf("\n");
	for (i = 0; i < NPROGS; i++) {
		const struct prog *one = &progs[i], *many = NULL;

		if (one->rules != 1 || one->skip[0] ||
		    (one->kind != P_ARRAY && one->kind != P_RUST &&
		     one->kind != P_HASH))
			continue;
		for (j = 0; j < NPROGS; j++)
			if (progs[j].kind == one->kind &&
			    progs[j].rules == 10000 && !progs[j].skip[0])
				many = &progs[j];
		if (!many)
			continue;
		printf("| %s |", one->label);
		for (k = 0; k < K_MAX; k++) {
			double a = stats(one->ns[k], rounds).med;
			double b = stats(many->ns[k], rounds).med;

			printf(" %+.1f%% |", (b / a - 1) * 100);
		}
		printf("\n");
	}
}

static void print_full(void)
{
	const struct prog *floor = &progs[0];
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

			if (p->skip[0])
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
			printf("\nSkipped %s: %s\n", progs[i].label,
			       progs[i].skip);
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
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];
		int ours = p->kind == P_EMPTY || p->kind == P_ARRAY ||
			   p->kind == P_RUST || p->kind == P_HASH;

		snprintf(p->path, sizeof(p->path), "%s/%s",
			 ours ? objdir : xdptdir, p->file);
		if (load(p)) {
			fprintf(stderr, PROG_NAME ": %s: %s\n", p->path,
				p->skip);
			if (ours)	/* our own objects must load */
				return 1;
			continue;
		}
		for (k = 0; k < K_MAX; k++) {
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
	 * against the contract stops the run. */
	for (i = 0; i < NPROGS; i++) {
		struct prog *p = &progs[i];

		for (k = 0; k < K_MAX && !p->skip[0]; k++) {
			int err = run(p, &pkts[k], REPEAT_WARM, NULL, NULL,
				      &p->retval[k]);

			if (err) {
				fprintf(stderr, PROG_NAME ": test run %s: %s\n",
					p->path, strerror(-err));
				return 1;
			}
			if (contract_checked(p) &&
			    p->retval[k] != pkts[k].expect) {
				fprintf(stderr,
					PROG_NAME ": %s (%d rules) gives %s for %s, contract says %s\n",
					p->label, p->rules,
					action_name(p->retval[k]),
					pkts[k].name,
					action_name(pkts[k].expect));
				return 1;
			}
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

				if (p->skip[0])
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
