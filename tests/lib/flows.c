// SPDX-License-Identifier: GPL-2.0
/* flows.c - real flows in a network namespace of the tool's own; see
 * flows.h.
 */
#define _GNU_SOURCE		/* unshare, setns */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/xf_ct.h"
#include "flows.h"

#define NS_PATH		"/proc/thread-self/ns/net"
#define CT_PATH		"/proc/thread-self/net/nf_conntrack"
#define SYSCTL_NF	"/proc/sys/net/netfilter/"

static const char *const kind_names[XF_FLOW_KINDS] = {
	[XF_FLOW_TCP] = "tcp", [XF_FLOW_TCP_SK] = "tcp-sk",
	[XF_FLOW_TCP_CT] = "tcp-ct", [XF_FLOW_UDP] = "udp",
	[XF_FLOW_UDP_CT] = "udp-ct",
};

static int fail(const struct xf_flows *fl, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: flows: ", fl->tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

void xf_flows_table(struct xf_flows *fl, const char *tool)
{
	static char names[XF_NFLOWS][16];
	int i = 0;

	memset(fl, 0, sizeof(*fl));
	fl->tool = tool;
	fl->orig = fl->priv = -1;
	for (int fam = 4; fam <= 6; fam += 2) {
		for (int k = 0; k < XF_FLOW_KINDS; k++, i++) {
			struct xf_flow *f = &fl->f[i];

			/* "tcp-sk" -> "tcp4-sk" */
			snprintf(names[i], sizeof(names[i]), "%.*s%d%s",
				 (int)strcspn(kind_names[k], "-"),
				 kind_names[k], fam,
				 kind_names[k] + strcspn(kind_names[k], "-"));
			f->name = names[i];
			f->family = fam;
			f->kind = k;
			f->proto = k == XF_FLOW_UDP || k == XF_FLOW_UDP_CT ?
				   17 : 6;
			if (fam == 4) {
				memcpy(f->cli, (uint8_t[4]){ FLOW_LO4 }, 4);
				memcpy(f->srv, (uint8_t[4]){ FLOW_LO4 }, 4);
			} else {
				f->cli[15] = f->srv[15] = 1;	/* ::1 */
			}
			f->cport = FLOW_CLI(fam, k);
			f->sport = FLOW_SRV(fam, k);
		}
	}
}

/* ------------------------------------------------------------- sockets */

static int keep(struct xf_flows *fl, int fd)
{
	if (fl->nfd == (int)(sizeof(fl->fd) / sizeof(fl->fd[0]))) {
		close(fd);
		return fail(fl, "too many sockets");
	}
	fl->fd[fl->nfd++] = fd;
	return 0;
}

static socklen_t sockaddr_of(const struct xf_flow *f, bool server,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (f->family == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(server ? f->sport : f->cport);
		memcpy(&a->sin_addr, server ? f->srv : f->cli, 4);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

	a->sin6_family = AF_INET6;
	a->sin6_port = htons(server ? f->sport : f->cport);
	memcpy(&a->sin6_addr, server ? f->srv : f->cli, 16);
	return sizeof(*a);
}

/* A socket of the flow's family and type, bound to its client's or its
 * server's end; -1 after a message. */
static int bound(const struct xf_flows *fl, const struct xf_flow *f,
		 bool server)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(f, server, &ss);
	int one = 1, fd;

	fd = socket(f->family == 4 ? AF_INET : AF_INET6,
		    (f->proto == 6 ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return fail(fl, "%s: socket: %s", f->name, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (f->family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
					  sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, len)) {
		fail(fl, "%s: bind to port %u: %s", f->name,
		     server ? f->sport : f->cport, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A TCP connection: listen, connect, accept. Its three sockets in fds[]
 * (listener, client, server; -1 for those not made). */
static int tcp_flow(struct xf_flows *fl, const struct xf_flow *f,
		    int fds[3])
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(f, true, &ss);

	fds[1] = fds[2] = -1;
	fds[0] = bound(fl, f, true);
	if (fds[0] < 0)
		return -1;
	if (listen(fds[0], 4))
		return fail(fl, "%s: listen: %s", f->name, strerror(errno));
	fds[1] = bound(fl, f, false);
	if (fds[1] < 0)
		return -1;
	if (connect(fds[1], (struct sockaddr *)&ss, len))
		return fail(fl, "%s: connect: %s", f->name, strerror(errno));
	fds[2] = accept4(fds[0], NULL, NULL, SOCK_CLOEXEC);
	if (fds[2] < 0)
		return fail(fl, "%s: accept: %s", f->name, strerror(errno));
	return 0;
}

static int tcp_open(struct xf_flows *fl, const struct xf_flow *f)
{
	int fds[3], err = tcp_flow(fl, f, fds);

	for (int i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		if (err)
			close(fds[i]);
		else if (keep(fl, fds[i]))
			err = -1;
	}
	return err;
}

/* Both ends close, the client first (it keeps a TIME_WAIT socket), and the
 * listener too: toward the server's port no socket is left. */
static int tcp_closed(struct xf_flows *fl, const struct xf_flow *f)
{
	int fds[3], err = tcp_flow(fl, f, fds);
	char c;

	if (!err) {
		close(fds[1]);
		fds[1] = -1;
		if (recv(fds[2], &c, 1, 0) != 0)	/* the client's FIN */
			err = fail(fl, "%s: no end of stream", f->name);
	}
	for (int i = 2; i >= 0; i--)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

/* A datagram from the client's end to the server's, and with reply its
 * answer; the sockets are closed after. */
static int udp_flow(struct xf_flows *fl, const struct xf_flow *f, bool reply)
{
	struct sockaddr_storage to;
	socklen_t len;
	int c = bound(fl, f, false), s = reply ? bound(fl, f, true) : -2;
	int err = c < 0 || s == -1 ? -1 : 0;
	char b[8] = "xf";

	if (!err) {
		len = sockaddr_of(f, true, &to);
		if (sendto(c, b, 2, 0, (struct sockaddr *)&to, len) != 2)
			err = fail(fl, "%s: sendto: %s", f->name,
				   strerror(errno));
	}
	if (!err && reply) {
		len = sockaddr_of(f, false, &to);
		if (recv(s, b, sizeof(b), 0) != 2 ||
		    sendto(s, b, 2, 0, (struct sockaddr *)&to, len) != 2 ||
		    recv(c, b, sizeof(b), 0) != 2)
			err = fail(fl, "%s: the exchange: %s", f->name,
				   strerror(errno));
	}
	if (c >= 0)
		close(c);
	if (s >= 0)
		close(s);
	return err;
}

/* ----------------------------------------------------------- namespace */

static int setns_to(const struct xf_flows *fl, int fd, const char *which)
{
	if (setns(fd, CLONE_NEWNET))
		return fail(fl, "setns to the %s network namespace: %s", which,
			    strerror(errno));
	return 0;
}

int xf_flows_enter(const struct xf_flows *fl)
{
	return setns_to(fl, fl->priv, "tool's own");
}

int xf_flows_leave(const struct xf_flows *fl)
{
	return setns_to(fl, fl->orig, "caller's");
}

static int lo_up(const struct xf_flows *fl)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -1;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -1;
	if (err)
		fail(fl, "bringing lo up: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return err;
}

/* Conntrack's timeouts of the namespace (its own sysctls), long enough
 * that no entry of a flow expires during a run. */
static int timeouts(const struct xf_flows *fl)
{
	static const char *const names[] = {
		"nf_conntrack_udp_timeout", "nf_conntrack_udp_timeout_stream",
		"nf_conntrack_tcp_timeout_time_wait",
	};
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;
		int bad;

		snprintf(path, sizeof(path), SYSCTL_NF "%s", names[i]);
		f = fopen(path, "w");
		if (!f)
			return fail(fl, "%s: %s", path, strerror(errno));
		bad = fputs("3600\n", f) < 0;
		bad |= fclose(f) != 0;
		if (bad)
			return fail(fl, "writing %s: %s", path,
				    strerror(errno));
	}
	return 0;
}

static ino_t ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* ------------------------------------------------------------ checking */

/* One TCP/UDP line of nf_conntrack: its original tuple, and for TCP its
 * state. 0, or -1 for another protocol or a line not understood. */
static int ct_line(char *line, struct xf_flow *t, char *state, size_t size)
{
	char *save = NULL, *w, fam[8] = "", proto[8] = "";
	int n = 0, port;
	bool src = false, dst = false, sp = false, dp = false;

	memset(t, 0, sizeof(*t));
	state[0] = '\0';
	for (w = strtok_r(line, " \n", &save); w;
	     w = strtok_r(NULL, " \n", &save), n++) {
		if (n == 0)
			snprintf(fam, sizeof(fam), "%s", w);
		else if (n == 2)
			snprintf(proto, sizeof(proto), "%s", w);
		else if (n == 5 && !strcmp(proto, "tcp"))
			snprintf(state, size, "%s", w);
		else if (!src && !strncmp(w, "src=", 4))
			src = inet_pton(t->family == 6 ? AF_INET6 : AF_INET,
					w + 4, t->cli) == 1;
		else if (!dst && !strncmp(w, "dst=", 4))
			dst = inet_pton(t->family == 6 ? AF_INET6 : AF_INET,
					w + 4, t->srv) == 1;
		else if (!sp && sscanf(w, "sport=%d", &port) == 1)
			sp = true, t->cport = (uint16_t)port;
		else if (!dp && sscanf(w, "dport=%d", &port) == 1)
			dp = true, t->sport = (uint16_t)port;
		if (n == 0)
			t->family = !strcmp(fam, "ipv6") ? 6 : 4;
	}
	if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
		return -1;
	t->proto = !strcmp(proto, "tcp") ? 6 : 17;
	return src && dst && sp && dp ? 0 : -1;
}

static bool same_tuple(const struct xf_flow *a, const struct xf_flow *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       !memcmp(a->cli, b->cli, 16) && !memcmp(a->srv, b->srv, 16) &&
	       a->cport == b->cport && a->sport == b->sport;
}

static const char *want_state(int kind)
{
	return kind == XF_FLOW_TCP ? "ESTABLISHED" :
	       kind == XF_FLOW_TCP_CT ? "TIME_WAIT" : NULL;
}

/* Does conntrack hold exactly the entries the flows should have made:
 * one for each but the TCP_SK flows, in the state said, and no other TCP
 * or UDP entry? With why, what differs goes there. */
static bool ct_as_made(struct xf_flows *fl, char *why, size_t size)
{
	int seen[XF_NFLOWS] = { 0 }, i;
	char line[512], state[32];
	struct xf_flow t;
	bool ok = true;
	FILE *f = fopen(CT_PATH, "r");

	if (!f) {
		snprintf(why, size, "%s: %s", CT_PATH, strerror(errno));
		return false;
	}
	why[0] = '\0';
	fl->nct = 0;
	while (fgets(line, sizeof(line), f)) {
		if (ct_line(line, &t, state, sizeof(state)))
			continue;
		fl->nct++;
		for (i = 0; i < XF_NFLOWS && !same_tuple(&fl->f[i], &t); i++)
			;
		if (i == XF_NFLOWS) {
			snprintf(why, size, "an entry of no flow (%s port %u"
				 " -> %u)", t.proto == 6 ? "tcp" : "udp",
				 t.cport, t.sport);
			ok = false;
			continue;
		}
		seen[i]++;
		if (want_state(fl->f[i].kind) &&
		    strcmp(state, want_state(fl->f[i].kind))) {
			snprintf(why, size, "%s: state %s, want %s",
				 fl->f[i].name, state,
				 want_state(fl->f[i].kind));
			ok = false;
		}
	}
	fclose(f);
	for (i = 0; i < XF_NFLOWS; i++) {
		int want = fl->f[i].kind != XF_FLOW_TCP_SK;

		if (seen[i] != want) {
			snprintf(why, size, "%s: %d entries, want %d",
				 fl->f[i].name, seen[i], want);
			ok = false;
		}
	}
	return ok;
}

/* Loopback delivers at once, but the last ACK of a close may still be on
 * its way: up to 2 s for conntrack to be as the flows made it. */
static int check_ct(struct xf_flows *fl)
{
	struct timespec ms10 = { 0, 10000000 };
	char why[160];

	for (int i = 0; i < 200; i++) {
		if (ct_as_made(fl, why, sizeof(why)))
			return 0;
		nanosleep(&ms10, NULL);
	}
	return fail(fl, "conntrack is not as the flows made it: %s", why);
}

/* ---------------------------------------------------------------- main */

static int make_kind(struct xf_flows *fl, int kind)
{
	for (int i = 0; i < XF_NFLOWS; i++) {
		const struct xf_flow *f = &fl->f[i];
		int err;

		if (f->kind != kind)
			continue;
		switch (kind) {
		case XF_FLOW_TCP:
		case XF_FLOW_TCP_SK:
			err = tcp_open(fl, f);
			break;
		case XF_FLOW_TCP_CT:
			err = tcp_closed(fl, f);
			break;
		default:
			err = udp_flow(fl, f, kind == XF_FLOW_UDP);
		}
		if (err)
			return -1;
	}
	return 0;
}

int xf_flows_make(struct xf_flows *fl, const char *tool)
{
	xf_flows_table(fl, tool);
	fl->orig = open(NS_PATH, O_RDONLY | O_CLOEXEC);
	if (fl->orig < 0)
		return fail(fl, "%s: %s", NS_PATH, strerror(errno));
	if (unshare(CLONE_NEWNET))
		return fail(fl, "a network namespace of our own: %s",
			    strerror(errno));
	fl->priv = open(NS_PATH, O_RDONLY | O_CLOEXEC);
	if (fl->priv < 0)
		return fail(fl, "%s: %s", NS_PATH, strerror(errno));
	if (ns_ino("/proc/1/ns/net") == ns_ino(NS_PATH))
		return fail(fl, "still in the host's network namespace");
	if (lo_up(fl))
		return -1;
	/* The sockets-only flows first, while conntrack sees nothing. */
	if (make_kind(fl, XF_FLOW_TCP_SK))
		return -1;
	if (xf_ct_tracking(true))
		return fail(fl, "could not turn connection tracking on");
	if (timeouts(fl))
		return -1;
	for (int k = 0; k < XF_FLOW_KINDS; k++)
		if (k != XF_FLOW_TCP_SK && make_kind(fl, k))
			return -1;
	return check_ct(fl);
}
