// SPDX-License-Identifier: GPL-2.0
/* xfspoof - bounded traffic from many source addresses, and a receiver
 * that counts it per source: the rate-limit suite's tool
 * (tests/64-limits.bats).
 *
 *   xfspoof send [-6] [--syn] --from ADDR [--sources N] --to ADDR
 *                --port P [--sport P] --rate R --seconds S [--count C]
 *	sends UDP datagrams (or, with --syn, TCP SYNs) through a raw socket
 *	with a crafted IP header, from N consecutive addresses starting at
 *	--from, in turn (packet k from source k mod N), at R packets a second
 *	in all, paced against the clock (a late packet is caught up). It
 *	stops after C packets (default R * S) or S seconds, whichever comes
 *	first, and prints "sent N ns NS sources M": NS is the time from the
 *	first packet to the last, the window the receiver's counts are over.
 *	UDP carries "XFSP", the port and k; a SYN's source port changes with
 *	every round over the sources (each SYN is a new flow). Checksums are
 *	right. Every address must be inside 198.18.0.0/15 (IPv4) or fd00::/8
 *	(IPv6): this tool never spoofs an address that could be someone's.
 *   xfspoof recv [-6] [--ready FILE] [--seconds S] [--list] ADDR PORT
 *	counts xfspoof's UDP datagrams to ADDR:PORT per source address until
 *	SIGTERM or S seconds (default 60), then prints, with --list, one line
 *	"source ADDR N" per source (in order of arrival), and the summary
 *	"received N sources S min A max B foreign F socket_drops D overflow O":
 *	min and max over the sources seen, foreign what is not xfspoof's
 *	datagram for PORT, socket_drops the kernel's drops at this socket
 *	(SO_RXQ_OVFL), overflow datagrams from sources past the table's
 *	TABLE_SOURCES. FILE is written with the pid once the socket is bound.
 *
 * Both are bounded in time and in count. Exit status 0, 2 for bad usage
 * (naming the bad value), 1 for a system error. Needs root (raw sockets).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../lib/frame.h"

#define PROG		"xfspoof"
#define MAGIC		0x58465350U	/* "XFSP" */
#define PAYLOAD		16		/* magic, port, k, source index */
#define MAX_RATE	1000000
#define MAX_SOURCES	1000000
#define MAX_COUNT	100000000LL
#define MAX_SECONDS	600.0
#define TABLE_SOURCES	(1 << 18)	/* twice the filter's buckets */
#define SPORT_SYN	1024		/* SYN source ports: 1024 .. 65023 */
#define SEND_RETRIES	1000000		/* full queues, over a whole run */

struct addr {
	int		fam;		/* 4 or 6 */
	uint8_t		a[16];
};

struct send_opts {
	struct addr	from, to;
	long		sources, rate;
	long long	count;
	double		seconds;
	int		port, sport, syn;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s send [-6] [--syn] --from ADDR [--sources N] --to ADDR --port P\n"
		"              [--sport P] --rate R --seconds S [--count C]\n"
		"       %s recv [-6] [--ready FILE] [--seconds S] [--list] ADDR PORT\n"
		"       %s --help\n"
		"send: UDP (or TCP SYNs) from N addresses from --from on, R a second in\n"
		"  all, for S seconds or C packets; prints \"sent N ns NS sources M\".\n"
		"  Addresses must be inside 198.18.0.0/15 or fd00::/8.\n"
		"recv: counts the datagrams per source until SIGTERM or S seconds;\n"
		"  prints \"received N sources S min A max B foreign F socket_drops D\n"
		"  overflow O\" (with --list, \"source ADDR N\" lines first).\n",
		PROG, PROG, PROG);
}

static void bad(const char *what, const char *val)
{
	fprintf(stderr, PROG ": bad %s '%s' (" PROG " --help)\n", what, val);
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long num(const char *what, const char *s, long long lo,
		     long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi)
		bad(what, s);
	return v;
}

static double seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || !*s || *end || !(v >= 0.001) || v > MAX_SECONDS)
		bad("seconds", s);
	return v;
}

/* Inside the ranges that are never routed: 198.18.0.0/15, fd00::/8. */
static int safe(const struct addr *a)
{
	if (a->fam == 4)
		return a->a[0] == 198 && (a->a[1] & 0xfe) == 18;
	return a->a[0] == 0xfd;
}

static void parse_addr(const char *what, const char *s, int fam,
		       struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->fam = fam;
	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, s, a->a) != 1 || !safe(a))
		bad(what, s);
}

/* a + i: IPv4 over its 32 bits, IPv6 over its low 64. */
static void addr_nth(const struct addr *a, long i, struct addr *out)
{
	int n = a->fam == 4 ? 4 : 8, off = a->fam == 4 ? 0 : 8;
	uint64_t v = 0;

	*out = *a;
	for (int j = 0; j < n; j++)
		v = v << 8 | a->a[off + j];
	v += (uint64_t)i;
	for (int j = n - 1; j >= 0; j--, v >>= 8)
		out->a[off + j] = (uint8_t)v;
}

/* Is first .. last a range of safe addresses, without a wrap? IPv6 ones
 * vary in the low 64 bits only, so they share a /64. */
static int range_ok(const struct addr *first, const struct addr *last)
{
	int off = first->fam == 4 ? 0 : 8, n = first->fam == 4 ? 4 : 8;

	return safe(last) && memcmp(last->a + off, first->a + off, n) >= 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- send ------------------------------------------------------------- */

static void w32(uint8_t *p, uint32_t v)
{
	fr_w16(p, v >> 16);
	fr_w16(p + 2, v & 0xffff);
}

/* Packet k of the run: from source k mod N, checksums right. */
static void build(const struct send_opts *o, long long k, struct frame *f)
{
	long idx = (long)(k % o->sources);
	long round = (long)(k / o->sources);
	uint8_t proto = o->syn ? P_TCP : P_UDP;
	struct addr src;
	struct fr_ipv4 h4 = { .proto = proto, .csum = true, .id = (uint16_t)k };
	struct fr_ipv6 h6 = { .next = proto };
	struct fr_tcp syn = {
		.sport = (uint16_t)(SPORT_SYN + round % 64000),
		.dport = (uint16_t)o->port, .flags = TH_SYN, .win = 64240,
		.seq = (uint32_t)(k * 2654435761U),
	};
	uint8_t *p;

	addr_nth(&o->from, idx, &src);
	fr_init(f, false);
	if (o->from.fam == 4) {
		h4.src = src.a;
		h4.dst = o->to.a;
		fr_ipv4(f, &h4);
	} else {
		h6.src = src.a;
		h6.dst = o->to.a;
		fr_ipv6(f, &h6);
	}
	if (o->syn) {
		fr_tcp(f, &syn);
	} else {
		fr_udp(f, (uint16_t)o->sport, (uint16_t)o->port);
		p = fr_put(f, PAYLOAD);
		w32(p, MAGIC);
		w32(p + 4, (uint32_t)o->port);
		w32(p + 8, (uint32_t)k);
		w32(p + 12, (uint32_t)idx);
	}
	fr_end_ip(f, -1);
	fr_l4_csum(f, proto);
}

static int raw_socket(int fam)
{
	/* IPPROTO_RAW: the header is ours (IP_HDRINCL, IPv6's likewise) */
	int fd = socket(fam == 4 ? AF_INET : AF_INET6, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		die("raw socket (needs root)");
	return fd;
}

static socklen_t sockaddr_of(const struct addr *a, int port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->fam == 4) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		memcpy(&s->sin_addr, a->a, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

	s->sin6_family = AF_INET6;
	s->sin6_port = htons((uint16_t)port);
	memcpy(&s->sin6_addr, a->a, 16);
	return sizeof(*s);
}

/* One packet out; a full queue is retried (bounded over the run), so a
 * packet the sender counts has left. */
static void send_one(int fd, const struct frame *f,
		     const struct sockaddr_storage *to, socklen_t tlen,
		     long *retries)
{
	for (;;) {
		if (sendto(fd, f->b, f->len, 0, (const struct sockaddr *)to,
			   tlen) == (ssize_t)f->len)
			return;
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			die("sendto");
		if (++*retries > SEND_RETRIES)
			die("sendto (queue full too long)");
		usleep(100);
	}
}

/* Until packet k's time, start + k / rate: false when that is past the
 * run's end. */
static int wait_for(const struct send_opts *o, long long start, long long k)
{
	long long at = start + (long long)((double)k * 1e9 / o->rate);
	struct timespec ts = { .tv_sec = at / 1000000000LL,
			       .tv_nsec = at % 1000000000LL };

	if (at - start >= (long long)(o->seconds * 1e9))
		return 0;
	while (now_ns() < at &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return 1;
}

static int do_send(const struct send_opts *o)
{
	struct sockaddr_storage to;
	socklen_t tlen = sockaddr_of(&o->to, 0, &to);
	static struct frame f;
	long long k, start, first = 0, last = 0;
	long long hard_end;	/* a run far behind its schedule stops */
	long retries = 0;
	int fd = raw_socket(o->from.fam);

	start = now_ns();
	hard_end = start + (long long)(o->seconds * 1e9) + 1000000000LL;
	for (k = 0; k < o->count && wait_for(o, start, k); k++) {
		if (now_ns() > hard_end)
			break;
		build(o, k, &f);
		send_one(fd, &f, &to, tlen, &retries);
		last = now_ns();
		if (!k)
			first = last;
	}
	close(fd);
	printf("sent %lld ns %lld sources %lld\n", k, k ? last - first : 0,
	       k < o->sources ? k : (long long)o->sources);
	return 0;
}

static int main_send(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "syn", no_argument, NULL, 'y' },
		{ "from", required_argument, NULL, 'f' },
		{ "sources", required_argument, NULL, 'n' },
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 'P' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct send_opts o = { .sources = 1, .sport = 40000, .count = -1 };
	const char *from = NULL, *to = NULL;
	struct addr lastsrc;
	int fam = 4, c;

	while ((c = getopt_long(argc, argv, "46", lopts, NULL)) != -1) {
		switch (c) {
		case '4': case '6': fam = c - '0'; break;
		case 'y': o.syn = 1; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'n': o.sources = num("sources", optarg, 1, MAX_SOURCES); break;
		case 'p': o.port = num("port", optarg, 1, 65535); break;
		case 'P': o.sport = num("sport", optarg, 1, 65535); break;
		case 'r': o.rate = num("rate", optarg, 1, MAX_RATE); break;
		case 'S': o.seconds = seconds(optarg); break;
		case 'c': o.count = num("count", optarg, 1, MAX_COUNT); break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc)
		bad("argument", argv[optind]);
	if (!from || !to || !o.port || !o.rate || !o.seconds) {
		fprintf(stderr, PROG ": send needs --from, --to, --port, --rate and --seconds\n");
		usage(stderr);
		return 2;
	}
	parse_addr("source address", from, fam, &o.from);
	parse_addr("destination address", to, fam, &o.to);
	addr_nth(&o.from, o.sources - 1, &lastsrc);
	if (!range_ok(&o.from, &lastsrc)) {
		char n[24];

		snprintf(n, sizeof(n), "%ld", o.sources);
		bad("sources (the addresses would leave the safe range)", n);
	}
	if (o.count < 0) {
		double want = o.rate * o.seconds + 0.5;

		o.count = want < 1 ? 1 : want > MAX_COUNT ? MAX_COUNT :
		          (long long)want;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return do_send(&o);
}

/* ---- recv ------------------------------------------------------------- */

struct source {
	struct addr	addr;
	long long	n;
};

/* Open addressing over TABLE_SOURCES * 2 slots, indices into the sources
 * in order of arrival (+ 1; 0 = empty). */
static struct source *srcs;
static uint32_t *slots;
static long nsrcs;

static uint32_t hash_addr(const struct addr *a)
{
	uint32_t h = 2166136261U;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->a[i]) * 16777619U;
	return h;
}

/* The source's entry, made if new; NULL when the table is full. */
static struct source *source_of(const struct addr *a)
{
	uint32_t mask = TABLE_SOURCES * 2 - 1, i = hash_addr(a) & mask;

	for (uint32_t probe = 0; probe <= mask; probe++, i = (i + 1) & mask) {
		struct source *s;

		if (!slots[i]) {
			if (nsrcs >= TABLE_SOURCES)
				return NULL;
			s = &srcs[nsrcs++];
			s->addr = *a;
			slots[i] = (uint32_t)nsrcs;
			return s;
		}
		s = &srcs[slots[i] - 1];
		if (!memcmp(s->addr.a, a->a, 16))
			return s;
	}
	return NULL;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int recv_socket(const struct addr *me, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(me, port, &ss);
	int fd, one = 1, buf = 16 << 20;

	fd = socket(me->fam == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	/* as root the buffer may exceed rmem_max: nothing lost here */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	return fd;
}

struct tally {
	long long received, foreign, overflow;
	uint32_t drops;
};

/* One datagram (or a timeout): counted. */
static void recv_one(int fd, int port, long long end, struct tally *t)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t))];
	uint8_t m[PAYLOAD + 1];
	struct sockaddr_storage from;
	struct iovec iov = { m, sizeof(m) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	long long us = (end - now_ns()) / 1000 + 1;
	struct timeval tv = { .tv_sec = us > 0 ? us / 1000000 : 0,
			      .tv_usec = us > 0 ? us % 1000000 : 1 };
	struct addr a = { 0 };
	struct source *s;
	uint32_t magic, mport;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recvmsg(fd, &mh, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		die("recvmsg");
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&t->drops, CMSG_DATA(c), sizeof(t->drops));
	memcpy(&magic, m, 4);
	memcpy(&mport, m + 4, 4);
	if (n != PAYLOAD || ntohl(magic) != MAGIC ||
	    ntohl(mport) != (uint32_t)port) {
		t->foreign++;
		return;
	}
	if (from.ss_family == AF_INET) {
		a.fam = 4;
		memcpy(a.a, &((struct sockaddr_in *)&from)->sin_addr, 4);
	} else {
		a.fam = 6;
		memcpy(a.a, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
	}
	s = source_of(&a);
	if (!s) {
		t->overflow++;
		return;
	}
	s->n++;
	t->received++;
}

static void report(const struct tally *t, int list)
{
	long long lo = 0, hi = 0;
	char buf[INET6_ADDRSTRLEN];

	for (long i = 0; i < nsrcs; i++) {
		const struct source *s = &srcs[i];

		if (!i || s->n < lo)
			lo = s->n;
		if (!i || s->n > hi)
			hi = s->n;
		if (list)
			printf("source %s %lld\n",
			       inet_ntop(s->addr.fam == 4 ? AF_INET : AF_INET6,
					 s->addr.a, buf, sizeof(buf)), s->n);
	}
	printf("received %lld sources %ld min %lld max %lld foreign %lld"
	       " socket_drops %u overflow %lld\n", t->received, nsrcs, lo, hi,
	       t->foreign, t->drops, t->overflow);
}

static void write_ready(const char *path)
{
	FILE *r = fopen(path, "w");

	if (!r)
		die(path);
	fprintf(r, "%d\n", (int)getpid());
	if (fclose(r))
		die(path);
}

static int main_recv(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ready", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "list", no_argument, NULL, 'l' },
		{ 0 },
	};
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART */
	const char *ready = NULL;
	double secs = 60;
	struct tally t = { 0 };
	struct addr me;
	int fam = 4, list = 0, port, fd, c;
	long long end;

	while ((c = getopt_long(argc, argv, "46", lopts, NULL)) != -1) {
		switch (c) {
		case '4': case '6': fam = c - '0'; break;
		case 'r': ready = optarg; break;
		case 'S': secs = seconds(optarg); break;
		case 'l': list = 1; break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, PROG ": recv needs ADDR PORT\n");
		usage(stderr);
		return 2;
	}
	memset(&me, 0, sizeof(me));
	me.fam = fam;
	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, argv[optind], me.a) != 1)
		bad("address", argv[optind]);
	port = num("port", argv[optind + 1], 1, 65535);
	srcs = calloc(TABLE_SOURCES, sizeof(*srcs));
	slots = calloc(TABLE_SOURCES * 2, sizeof(*slots));
	if (!srcs || !slots)
		die("calloc");
	fd = recv_socket(&me, port);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ready)
		write_ready(ready);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	end = now_ns() + (long long)(secs * 1e9);
	while (!stop && now_ns() < end)
		recv_one(fd, port, end, &t);
	report(&t, list);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return main_send(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return main_recv(argc - 1, argv + 1);
	if (argc >= 2)
		bad("command", argv[1]);
	usage(stderr);
	return 2;
}
