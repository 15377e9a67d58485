// SPDX-License-Identifier: GPL-2.0
/* xf_monitor.c - rulectl monitor: reads struct xf_event records from the
 * xf_log ring buffer and prints one line each (text or JSON), with the
 * interface, addresses, ports, protocol and rule, and how many events the
 * rule's rate limit suppressed before it. On exit it prints how many
 * events the limits suppressed while it ran (from xf_rlog).
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xf_monitor.h"
#include "xf_rule.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse_count(const char *opt, const char *s, unsigned long *v)
{
	if (!s)
		return xf_diag(XF_EINPUT, NULL, "%s needs a number", opt);
	if (xf_parse_uint(s, 100000000UL, v))
		return xf_diag(XF_EINPUT, NULL, "bad number '%s' (expected"
			       " 1-100000000)", s);
	return 0;
}

int xf_parse_monitor(int argc, char **argv, struct xf_monitor_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			a->json = true;
		} else if (!strcmp(argv[i], "--count")) {
			if (parse_count("--count", argv[i + 1], &a->count))
				return XF_EINPUT;
			i++;
		} else if (!strcmp(argv[i], "--timeout")) {
			if (parse_count("--timeout", argv[i + 1], &a->timeout))
				return XF_EINPUT;
			i++;
		} else {
			return xf_diag(XF_EINPUT, NULL, "bad argument '%s'"
				       " (expected --json, --count N or"
				       " --timeout SECS)", argv[i]);
		}
	}
	return 0;
}

struct mon {
	struct xf_maps *m;
	const struct xf_monitor_args *a;
	unsigned long events;
};

/* Sum of xf_rlog.suppressed over all rules: 0 or -errno. */
static int suppressed_total(struct xf_maps *m, unsigned long long *sum)
{
	struct xf_rlog *b = calloc(XF_MAX_RULES, sizeof(*b));
	int err = b ? xf_read_array(m->fd[XF_M_RLOG], b, sizeof(*b),
				    XF_MAX_RULES) : -ENOMEM;

	*sum = 0;
	for (__u32 id = 1; !err && id < XF_MAX_RULES; id++)
		*sum += b[id].suppressed;
	free(b);
	return err;
}

/* CLOCK_MONOTONIC ns (bpf_ktime_get_ns) as wall-clock time. */
static void event_time(__u64 ts, char *buf, size_t len)
{
	struct timespec mono, real;
	long long ns;
	time_t sec;
	struct tm tm;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ns = (long long)real.tv_sec * 1000000000LL + real.tv_nsec -
	     ((long long)mono.tv_sec * 1000000000LL + mono.tv_nsec - (long long)ts);
	sec = ns / 1000000000LL;
	gmtime_r(&sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), ".%06lldZ",
		 (ns % 1000000000LL) / 1000);
}

/* ADDR:PORT, [ADDR]:PORT for IPv6, or ADDR alone without ports. */
static void print_addr(int af, const char *addr, __be16 port, int ports)
{
	if (!ports)
		printf("%s", addr);
	else if (af == AF_INET6)
		printf("[%s]:%u", addr, ntohs(port));
	else
		printf("%s:%u", addr, ntohs(port));
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct mon *mon = ctx;
	const struct xf_event *e = data;
	char when[48], ifname[IF_NAMESIZE] = "?", src[INET6_ADDRSTRLEN],
	     dst[INET6_ADDRSTRLEN], rule[XF_RULE_TEXT] = "?";
	int af = e->family == 4 ? AF_INET : AF_INET6;
	char proto[16];
	int ports = e->l4 == IPPROTO_TCP || e->l4 == IPPROTO_UDP;
	struct xf_rule r;
	__u32 id = e->rule;

	if (size < sizeof(*e))
		return 0;
	/* Ports exist for TCP and UDP; "any from PREFIX" also logs ICMP,
	 * later fragments and the rest, by protocol number. */
	if (e->l4 == IPPROTO_TCP)
		snprintf(proto, sizeof(proto), "tcp");
	else if (e->l4 == IPPROTO_UDP)
		snprintf(proto, sizeof(proto), "udp");
	else if (e->l4 == IPPROTO_ICMP)
		snprintf(proto, sizeof(proto), "icmp");
	else if (e->l4 == IPPROTO_ICMPV6)
		snprintf(proto, sizeof(proto), "icmpv6");
	else
		snprintf(proto, sizeof(proto), "proto-%u", e->l4);
	event_time(e->ts_ns, when, sizeof(when));
	if (!if_indextoname(e->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%u", e->ifindex);
	inet_ntop(af, e->saddr, src, sizeof(src));
	inet_ntop(af, e->daddr, dst, sizeof(dst));
	if (id < XF_MAX_RULES &&
	    !bpf_map_lookup_elem(mon->m->fd[XF_M_RULES], &id, &r) && r.sets)
		xf_format_rule(&r, rule, sizeof(rule));
	if (mon->a->json) {
		printf("{\"time\": \"%s\", \"interface\": \"%s\","
		       " \"ifindex\": %u, \"action\": \"drop\","
		       " \"proto\": \"%s\", \"src\": \"%s\",", when, ifname,
		       e->ifindex, proto, src);
		if (ports)
			printf(" \"sport\": %u,", ntohs(e->sport));
		else
			printf(" \"sport\": null,");
		printf(" \"dst\": \"%s\",", dst);
		if (ports)
			printf(" \"dport\": %u,", ntohs(e->dport));
		else
			printf(" \"dport\": null,");
		printf(" \"rule_id\": %u, \"rule\": \"%s\", \"len\": %u,"
		       " \"suppressed\": %u}\n", id, rule, e->len,
		       e->suppressed);
	} else {
		printf("%s %s drop %s ", when, ifname, proto);
		print_addr(af, src, e->sport, ports);
		printf(" -> ");
		print_addr(af, dst, e->dport, ports);
		printf(" rule %u (%s) len %u", id, rule, e->len);
		if (e->suppressed)
			printf(" (%u suppressed before it)", e->suppressed);
		putchar('\n');
	}
	fflush(stdout);
	mon->events++;
	if (mon->a->count && mon->events >= mon->a->count) {
		stop = 1;
		return -ECANCELED;	/* consumed; the rest stays queued */
	}
	return 0;
}

int xf_monitor(struct xf_maps *m, const struct xf_monitor_args *a)
{
	struct mon mon = { .m = m, .a = a };
	unsigned long long before, after;
	struct ring_buffer *rb;
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec start, now;
	int err = 0;

	err = suppressed_total(m, &before);
	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_RLOG,
			       strerror(-err));
	rb = ring_buffer__new(m->fd[XF_M_LOG], on_event, &mon, NULL);
	if (!rb)
		return xf_diag(-errno, NULL, "%s: %s", XF_MAP_LOG,
			       strerror(errno));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!stop) {
		err = ring_buffer__poll(rb, 200);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err == -ECANCELED) {	/* --count reached */
			err = 0;
			break;
		}
		if (err < 0) {
			xf_diag(err, NULL, "%s: %s", XF_MAP_LOG, strerror(-err));
			break;
		}
		err = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (a->timeout &&
		    (now.tv_sec - start.tv_sec) * 1000000000LL +
		    (now.tv_nsec - start.tv_nsec) >=
		    (long long)a->timeout * 1000000000LL)
			break;
	}
	ring_buffer__free(rb);
	if (suppressed_total(m, &after))
		after = before;
	if (a->json)
		printf("{\"summary\": {\"events\": %lu, \"suppressed\": %llu}}\n",
		       mon.events, after - before);
	else
		printf("# %lu events; %llu more suppressed by the rate limits"
		       " while monitor ran\n", mon.events, after - before);
	fflush(stdout);
	return err;
}
