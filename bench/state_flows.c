// SPDX-License-Identifier: GPL-2.0
/* state_flows.c - the flows of the micro benchmark's stateful rows, in a
 * network namespace of xf_bench's own; see state_flows.h.
 */
#define _GNU_SOURCE			/* unshare */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "../src/xf_ct.h"
#include "state_flows.h"

#define CT_PATH		"/proc/thread-self/net/nf_conntrack"
#define TCP_PATH	"/proc/thread-self/net/tcp"
#define SYSCTL_NF	"/proc/sys/net/netfilter/"

static int keep[8];			/* sockets that live with xf_bench */
static int nkeep;

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -errno;
	close(fd);
	return err;
}

/* Conntrack's timeouts in this namespace (its own sysctls), long enough
 * that no entry the rows rely on expires during a run; they apply to the
 * entries made after. Best effort: the checks after the run catch an
 * expiry. */
static void timeouts(void)
{
	static const char *const names[] = {
		"nf_conntrack_udp_timeout", "nf_conntrack_udp_timeout_stream",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];
		int fd;

		snprintf(path, sizeof(path), SYSCTL_NF "%s", names[i]);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;
		if (write(fd, "3600", 4) != 4) {
			/* best effort */
		}
		close(fd);
	}
}

static void lo_addr(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static int bound(int type, uint16_t port)
{
	struct sockaddr_in a;
	int one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	lo_addr(&a, port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* A listener on port srv, a client from port cli connected to it and the
 * accepted end: fd[0..2]; a few bytes each way, so conntrack (when on)
 * sees the connection assured. 0 or -errno. */
static int tcp_pair(uint16_t srv, uint16_t cli, int fd[3])
{
	struct sockaddr_in a;
	char buf[4];
	int err = 0;

	fd[0] = bound(SOCK_STREAM, srv);
	if (fd[0] < 0)
		return fd[0];
	fd[1] = bound(SOCK_STREAM, cli);
	if (fd[1] < 0) {
		close(fd[0]);
		return fd[1];
	}
	lo_addr(&a, srv);
	fd[2] = -1;
	if (listen(fd[0], 4) ||
	    connect(fd[1], (struct sockaddr *)&a, sizeof(a)) ||
	    (fd[2] = accept4(fd[0], NULL, NULL, SOCK_CLOEXEC)) < 0 ||
	    write(fd[1], "ping", 4) != 4 || read(fd[2], buf, 4) != 4 ||
	    write(fd[2], "pong", 4) != 4 || read(fd[1], buf, 4) != 4)
		err = errno ? -errno : -EIO;
	if (err) {
		for (int i = 0; i < 3; i++)
			if (fd[i] >= 0)
				close(fd[i]);
	}
	return err;
}

/* Closes a connected TCP socket in repair mode: the socket goes, and no
 * FIN or RST leaves, so conntrack keeps the connection ESTABLISHED. */
static int close_silently(int fd)
{
	int one = 1, err = 0;

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)))
		err = -errno;
	close(fd);
	return err;
}

/* A datagram from cli to srv and one back. */
static int udp_exchange(uint16_t srv, uint16_t cli)
{
	struct sockaddr_in a, b;
	int s = bound(SOCK_DGRAM, srv), c = bound(SOCK_DGRAM, cli), err = 0;
	char buf[4];

	if (s < 0 || c < 0) {
		err = s < 0 ? s : c;
		goto out;
	}
	lo_addr(&a, srv);
	lo_addr(&b, cli);
	if (sendto(c, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a)) != 4 ||
	    recv(s, buf, 4, 0) != 4 ||
	    sendto(s, "pong", 4, 0, (struct sockaddr *)&b, sizeof(b)) != 4 ||
	    recv(c, buf, 4, 0) != 4)
		err = -errno;
out:
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	return err;
}

/* Does file path have a line containing all of the words? */
static bool has_line(const char *path, const char *a, const char *b,
		     const char *c)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b)) &&
			(!c || strstr(line, c));
	fclose(f);
	return found;
}

/* Is there a TCP socket on port (local or remote), in /proc/net/tcp? */
static bool tcp_socket_on(uint16_t port)
{
	char hex[8];

	snprintf(hex, sizeof(hex), ":%04X ", port);	/* "0100007F:1389 " */
	return has_line(TCP_PATH, hex, NULL, NULL);
}

/* Does conntrack hold proto's entry with original tuple cli -> srv? */
static bool ct_entry(const char *proto, uint16_t cli, uint16_t srv,
		     const char *state)
{
	char tuple[64], p[16];

	snprintf(p, sizeof(p), " %s ", proto);
	snprintf(tuple, sizeof(tuple), "sport=%u dport=%u ", cli, srv);
	return has_line(CT_PATH, p, tuple, state);
}

int sf_make(char *why, size_t len)
{
	int sk[3], ct[3], lsn, err;

	if (unshare(CLONE_NEWNET))
		return fail(why, len, "unshare(CLONE_NEWNET): %s",
			    strerror(errno));
	err = lo_up();
	if (err)
		return fail(why, len, "lo up: %s", strerror(-err));
	if (xf_ct_tracking_on())
		return fail(why, len, "a fresh namespace has nft table inet %s",
			    XF_CT_TABLE);

	/* Before tracking: conntrack never sees this connection. */
	err = tcp_pair(SF_SRV(SF_TCP_SK), SF_CLI(SF_TCP_SK), sk);
	if (err)
		return fail(why, len, "TCP connection to :%u: %s",
			    SF_SRV(SF_TCP_SK), strerror(-err));
	keep[nkeep++] = sk[0];
	keep[nkeep++] = sk[1];
	keep[nkeep++] = sk[2];
	lsn = bound(SOCK_STREAM, SF_SRV(SF_TCP_LSN));
	if (lsn < 0 || listen(lsn, 4))
		return fail(why, len, "listen on :%u: %s", SF_SRV(SF_TCP_LSN),
			    strerror(lsn < 0 ? -lsn : errno));
	keep[nkeep++] = lsn;

	timeouts();
	if (xf_ct_tracking(true) || !xf_ct_tracking_on())
		return fail(why, len, "could not turn connection tracking on"
			    " (nft table inet %s)", XF_CT_TABLE);

	err = tcp_pair(SF_SRV(SF_TCP_CT), SF_CLI(SF_TCP_CT), ct);
	if (!err)
		err = close_silently(ct[1]);
	if (!err)
		err = close_silently(ct[2]);
	close(ct[0]);
	if (err)
		return fail(why, len, "TCP connection to :%u, closed in repair"
			    " mode: %s", SF_SRV(SF_TCP_CT), strerror(-err));
	err = udp_exchange(SF_SRV(SF_UDP_CT), SF_CLI(SF_UDP_CT));
	if (err)
		return fail(why, len, "UDP exchange with :%u: %s",
			    SF_SRV(SF_UDP_CT), strerror(-err));

	/* What each row relies on. */
	if (!tcp_socket_on(SF_SRV(SF_TCP_SK)) ||
	    !tcp_socket_on(SF_CLI(SF_TCP_SK)))
		return fail(why, len, "no socket of the TCP connection to :%u"
			    " in %s", SF_SRV(SF_TCP_SK), TCP_PATH);
	if (tcp_socket_on(SF_SRV(SF_TCP_CT)) ||
	    tcp_socket_on(SF_CLI(SF_TCP_CT)))
		return fail(why, len, "a socket of the silently closed TCP"
			    " connection to :%u is left in %s",
			    SF_SRV(SF_TCP_CT), TCP_PATH);
	if (!ct_entry("tcp", SF_CLI(SF_TCP_CT), SF_SRV(SF_TCP_CT),
		      "ESTABLISHED"))
		return fail(why, len, "conntrack has no ESTABLISHED entry for"
			    " the TCP connection to :%u (%s)",
			    SF_SRV(SF_TCP_CT), CT_PATH);
	if (!ct_entry("udp", SF_CLI(SF_UDP_CT), SF_SRV(SF_UDP_CT), NULL))
		return fail(why, len, "conntrack has no entry for the UDP"
			    " exchange with :%u (%s)", SF_SRV(SF_UDP_CT),
			    CT_PATH);
	if (ct_entry("tcp", SF_CLI(SF_TCP_SK), SF_SRV(SF_TCP_SK), NULL))
		return fail(why, len, "conntrack tracks the connection to :%u,"
			    " made before tracking was on", SF_SRV(SF_TCP_SK));
	return 0;
}

