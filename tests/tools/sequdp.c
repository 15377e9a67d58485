// SPDX-License-Identifier: GPL-2.0
/* sequdp - a bounded, sequence-numbered UDP stream for the live-traffic
 * tests (tests/65-live.bats).
 *
 *   sequdp send [-4|-6] [-s SPORT] ADDR PORT COUNT RATE
 *	sends COUNT datagrams, numbered 0 .. COUNT-1, at RATE per second
 *	(paced against the clock, so a slow moment is caught up), then
 *	prints "sent N".
 *   sequdp recv [-4|-6] [-r READYFILE] ADDR PORT COUNT SECONDS
 *	receives datagrams for one stream until all COUNT arrived or
 *	SECONDS passed, then prints
 *	"received N missing M duplicates D foreign F socket_drops S":
 *	received counts distinct sequence numbers, foreign datagrams that
 *	are not of this stream, socket_drops what the kernel dropped at
 *	this socket's receive queue (SO_RXQ_OVFL), i.e. after the filter.
 *	READYFILE is created once the socket is bound, holding the
 *	receiver's pid: SIGTERM ends the wait early, with the same summary.
 *
 * The payload is "XFSQ", the stream's port and the sequence number, padded
 * to 64 bytes. Exit status 0, or 2 for bad usage, 1 for a system error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#define MAGIC	0x5153465aU	/* arbitrary, checked on receive */
#define PAYLOAD	64

struct msg {
	uint32_t magic;
	uint32_t port;
	uint32_t seq;
	uint8_t pad[PAYLOAD - 12];
};

static void usage(void)
{
	fprintf(stderr,
		"usage: sequdp send [-4|-6] [-s SPORT] ADDR PORT COUNT RATE\n"
		"       sequdp recv [-4|-6] [-r READYFILE] ADDR PORT COUNT SECONDS\n");
	exit(2);
}

static long num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi) {
		fprintf(stderr, "sequdp: bad number '%s' (%ld-%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static void die(const char *what)
{
	fprintf(stderr, "sequdp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(int fam, const char *addr, int port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			goto bad;
		return sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			goto bad;
		return sizeof(*a);
	}
bad:
	fprintf(stderr, "sequdp: bad IPv%d address '%s'\n", fam, addr);
	exit(2);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_send(int fam, int sport, char **argv)
{
	struct sockaddr_storage dst, src;
	long count = num(argv[2], 1, 10000000);
	long rate = num(argv[3], 1, 1000000);
	socklen_t dlen = make_addr(fam, argv[0], num(argv[1], 1, 65535), &dst);
	struct timespec start, next;
	struct msg m;
	long sent = 0, fails = 0;
	int fd, one = 1;

	fd = socket(fam == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (sport) {
		socklen_t slen = make_addr(fam, fam == 4 ? "0.0.0.0" : "::",
					   sport, &src);

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, slen))
			die("bind");
	}
	if (connect(fd, (struct sockaddr *)&dst, dlen))
		die("connect");
	memset(&m, 0, sizeof(m));
	m.magic = htonl(MAGIC);
	m.port = htonl(num(argv[1], 1, 65535));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < count; i++) {
		/* datagram i leaves at start + i / rate */
		long long ns = (long long)i * 1000000000LL / rate;

		next.tv_sec = start.tv_sec + (start.tv_nsec + ns) / 1000000000LL;
		next.tv_nsec = (start.tv_nsec + ns) % 1000000000LL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		m.seq = htonl(i);
		/* A full socket or device queue is retried: the sender never
		 * loses a datagram itself, so a missing one was lost on the
		 * way. */
		for (;;) {
			if (send(fd, &m, sizeof(m), 0) == sizeof(m))
				break;
			if (errno != ENOBUFS && errno != EAGAIN &&
			    errno != ECONNREFUSED && errno != EINTR)
				die("send");
			if (++fails > 1000000)
				die("send (retries)");
			usleep(100);
		}
		sent++;
	}
	printf("sent %ld\n", sent);
	return 0;
}

static int do_recv(int fam, const char *ready, char **argv)
{
	struct sockaddr_storage me;
	long count = num(argv[2], 0, 10000000);
	double secs = num(argv[3], 1, 3600), end;
	int port = num(argv[1], 1, 65535);
	socklen_t len = make_addr(fam, argv[0], port, &me);
	long received = 0, dups = 0, foreign = 0;
	uint32_t drops = 0;
	unsigned char *seen;
	int fd, one = 1, buf = 8 << 20;

	seen = calloc(count ? count : 1, 1);
	if (!seen)
		die("calloc");
	fd = socket(fam == 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	/* as root the buffer may exceed rmem_max: nothing is lost here */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&me, len))
		die("bind");
	{
		struct sigaction sa = { .sa_handler = on_term };

		sigemptyset(&sa.sa_mask);	/* no SA_RESTART: recv returns */
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	if (ready) {
		FILE *r = fopen(ready, "w");

		if (!r)
			die(ready);
		fprintf(r, "%d\n", (int)getpid());
		fclose(r);
	}
	end = now() + secs;
	while ((count == 0 || received < count) && now() < end && !stop) {
		char cbuf[CMSG_SPACE(sizeof(uint32_t))];
		struct msg m;
		struct iovec iov = { &m, sizeof(m) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct timeval tv;
		double left = end - now();
		ssize_t n;

		if (left <= 0)
			break;
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - tv.tv_sec) * 1e6);
		if (!tv.tv_sec && !tv.tv_usec)
			tv.tv_usec = 1;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("recv");
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SO_RXQ_OVFL)
				memcpy(&drops, CMSG_DATA(c), sizeof(drops));
		if (n != sizeof(m) || ntohl(m.magic) != MAGIC ||
		    ntohl(m.port) != (uint32_t)port ||
		    ntohl(m.seq) >= (uint32_t)count) {
			foreign++;
			continue;
		}
		if (seen[ntohl(m.seq)]++)
			dups++;
		else
			received++;
	}
	printf("received %ld missing %ld duplicates %ld foreign %ld"
	       " socket_drops %u\n", received, count - received, dups,
	       foreign, drops);
	free(seen);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	int fam = 4, sport = 0, send_mode, opt;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		send_mode = 1;
	else if (!strcmp(argv[1], "recv"))
		send_mode = 0;
	else
		usage();
	optind = 2;
	while ((opt = getopt(argc, argv, "46s:r:")) != -1) {
		switch (opt) {
		case '4':
		case '6':
			fam = opt - '0';
			break;
		case 's':
			sport = num(optarg, 1, 65535);
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	return send_mode ? do_send(fam, sport, argv + optind) :
			   do_recv(fam, ready, argv + optind);
}
