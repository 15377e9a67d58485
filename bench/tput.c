// SPDX-License-Identifier: GPL-2.0
/* tput.c - xf_tput: the end-to-end benchmark's TCP throughput of one flow
 * (bench/e2e.sh). Two halves, each in its own network namespace:
 *
 *   xf_tput send --bind ADDR --port N [--seconds S] [--bytes N]
 *	listens on ADDR:N, accepts one connection, writes zeros to it for S
 *	seconds or N bytes, whichever ends first, then closes it;
 *   xf_tput recv --connect ADDR --port N
 *	connects to ADDR:N (retrying while nothing listens yet) and reads
 *	until the sender closes.
 *
 * The receiver opens the connection, so on the filtered end it is the
 * host's own outgoing flow, whose incoming segments no rule lists. Both
 * are bounded: the sender by its duration and byte count, every blocking
 * call of either by a timeout (SO_RCVTIMEO / SO_SNDTIMEO, and poll() for
 * accept), so a lost peer ends a run instead of hanging it.
 *
 * Output, one line on stdout for scripts:
 *   send: sent=BYTES ns=NS
 *   recv: bytes=BYTES ns=NS cpu_ns=NS
 * ns runs from the first byte read to the close (recv) or from the accept
 * to the close (send); cpu_ns is the receiving thread's CPU time over it.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define PROG_NAME	"xf_tput"
#define BUF		(256 * 1024)
#define IO_TIMEOUT	10		/* s, any one blocking call */
#define CONNECT_TRIES	100		/* x 50 ms: the sender starts */

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s send --bind IPv4 --port N [--seconds S] [--bytes N]\n"
		"       %s recv --connect IPv4 --port N\n"
		"       %s --help\n"
		"TCP throughput of one connection; prints one line for scripts.\n"
		"  --seconds S  the sender stops after S seconds (default 2)\n"
		"  --bytes N    ... or after N bytes (default 64 GiB)\n",
		PROG_NAME, PROG_NAME, PROG_NAME);
}

static int timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	       setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int die(const char *what)
{
	fprintf(stderr, PROG_NAME ": %s: %s\n", what, strerror(errno));
	return 1;
}

static int do_send(const struct sockaddr_in *a, double secs,
		   unsigned long long max)
{
	static char buf[BUF];
	unsigned long long sent = 0;
	struct pollfd p;
	long long t0, end;
	int one = 1, l, c;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return die("socket");
	if (setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (const struct sockaddr *)a, sizeof(*a)) || listen(l, 1))
		return die("listen");
	p = (struct pollfd){ .fd = l, .events = POLLIN };
	if (poll(&p, 1, IO_TIMEOUT * 1000) != 1)
		return errno = ETIMEDOUT, die("accept");
	c = accept(l, NULL, NULL);
	if (c < 0 || timeouts(c))
		return die("accept");
	close(l);
	t0 = clock_ns(CLOCK_MONOTONIC);
	end = t0 + (long long)(secs * 1e9);
	while (sent < max && clock_ns(CLOCK_MONOTONIC) < end) {
		size_t n = max - sent < BUF ? max - sent : BUF;
		ssize_t w = write(c, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return die("write");
		}
		sent += w;
	}
	shutdown(c, SHUT_WR);
	/* Until the receiver has read it all and closed its end. */
	while (read(c, buf, sizeof(buf)) > 0)
		;
	printf("sent=%llu ns=%lld\n", sent, clock_ns(CLOCK_MONOTONIC) - t0);
	close(c);
	return 0;
}

static int do_recv(const struct sockaddr_in *a)
{
	static char buf[BUF];
	unsigned long long bytes = 0;
	long long t0 = 0, c0 = 0, t1, c1;
	int fd = -1, i;
	ssize_t n;

	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || timeouts(fd))
			return die("socket");
		if (!connect(fd, (const struct sockaddr *)a, sizeof(*a)))
			break;
		if (errno != ECONNREFUSED)
			return die("connect");
		close(fd);
		fd = -1;
		usleep(50000);
	}
	if (fd < 0)
		return die("connect");
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return die("read");
		}
		if (!bytes) {
			t0 = clock_ns(CLOCK_MONOTONIC);
			c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		}
		bytes += n;
	}
	t1 = clock_ns(CLOCK_MONOTONIC);
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	close(fd);
	if (!bytes) {
		fprintf(stderr, PROG_NAME ": the sender sent nothing\n");
		return 1;
	}
	printf("bytes=%llu ns=%lld cpu_ns=%lld\n", bytes, t1 - t0, c1 - c0);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "connect", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned long long max = 64ULL << 30;
	const char *addr = NULL, *mode;
	double secs = 2;
	long port = 0;
	char *end;
	int c;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv"))) {
		usage(stderr);
		return 2;
	}
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'c':
			if ((c == 'b') != !strcmp(mode, "send"))
				goto bad;
			addr = optarg;
			break;
		case 'p':
			port = strtol(optarg, &end, 10);
			if (*end || port < 1 || port > 65535)
				goto bad;
			break;
		case 's':
			secs = strtod(optarg, &end);
			if (*end || !(secs > 0) || secs > 600)
				goto bad;
			break;
		case 'n':
			errno = 0;
			max = strtoull(optarg, &end, 10);
			if (errno || *end || !max || *optarg == '-')
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !addr || !port ||
	    inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		usage(stderr);
		return 2;
	}
	a.sin_port = htons(port);
	return !strcmp(mode, "send") ? do_send(&a, secs, max) : do_recv(&a);
bad:
	fprintf(stderr, PROG_NAME ": bad or misplaced value '%s'\n", optarg);
	usage(stderr);
	return 2;
}
