// SPDX-License-Identifier: GPL-2.0
/* xf_monitor.c - rulectl monitor: reads struct xf_event records from the
 * xf_log ring buffer and prints one line each (text or JSON), with the
 * interface, addresses, ports, protocol and rule, whether a limit rule
 * dropped it beyond its rate (limited), and how many events the rule's
 * log rate suppressed before it. On exit it prints how many events the
 * log rates suppressed while it ran (from xf_rlog).
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

/* The protocol as parsed: ports exist for TCP and UDP; "any from PREFIX"
 * also logs ICMP, later fragments and the rest, by protocol number. */
static void proto_name(__u8 l4, char *buf, size_t len)
{
	if (l4 == IPPROTO_TCP)
		snprintf(buf, len, "tcp");
	else if (l4 == IPPROTO_UDP)
		snprintf(buf, len, "udp");
	else if (l4 == IPPROTO_ICMP)
		snprintf(buf, len, "icmp");
	else if (l4 == IPPROTO_ICMPV6)
		snprintf(buf, len, "icmpv6");
	else
		snprintf(buf, len, "proto-%u", l4);
}

/* An event's words, as both outputs print them. */
struct ev_text {
	char when[48], ifname[IF_NAMESIZE], src[INET6_ADDRSTRLEN],
	     dst[INET6_ADDRSTRLEN], rule[XF_RULE_TEXT], proto[16];
	int af, ports;
	bool limited;		/* beyond a limit rule's rate */
};

static void event_text(struct mon *mon, const struct xf_event *e,
		       struct ev_text *t)
{
	struct xf_rule r;
	__u32 id = e->rule;

	t->af = e->family == 4 ? AF_INET : AF_INET6;
	t->ports = e->l4 == IPPROTO_TCP || e->l4 == IPPROTO_UDP;
	t->limited = e->reason == XF_R_LIMITED;
	proto_name(e->l4, t->proto, sizeof(t->proto));
	event_time(e->ts_ns, t->when, sizeof(t->when));
	if (!if_indextoname(e->ifindex, t->ifname))
		snprintf(t->ifname, sizeof(t->ifname), "if%u", e->ifindex);
	inet_ntop(t->af, e->saddr, t->src, sizeof(t->src));
	inet_ntop(t->af, e->daddr, t->dst, sizeof(t->dst));
	snprintf(t->rule, sizeof(t->rule), "?");
	if (id < XF_MAX_RULES &&
	    !bpf_map_lookup_elem(mon->m->fd[XF_M_RULES], &id, &r) && r.sets)
		xf_format_rule(&r, t->rule, sizeof(t->rule));
}

static void print_json(const struct xf_event *e, const struct ev_text *t)
{
	printf("{\"time\": \"%s\", \"interface\": \"%s\","
	       " \"ifindex\": %u, \"action\": \"drop\", \"reason\": \"%s\","
	       " \"proto\": \"%s\", \"src\": \"%s\",", t->when, t->ifname,
	       e->ifindex, t->limited ? "limited" : "dropped", t->proto,
	       t->src);
	if (t->ports)
		printf(" \"sport\": %u,", ntohs(e->sport));
	else
		printf(" \"sport\": null,");
	printf(" \"dst\": \"%s\",", t->dst);
	if (t->ports)
		printf(" \"dport\": %u,", ntohs(e->dport));
	else
		printf(" \"dport\": null,");
	printf(" \"rule_id\": %u, \"rule\": \"%s\", \"len\": %u,"
	       " \"suppressed\": %u}\n", e->rule, t->rule, e->len,
	       e->suppressed);
}

/* "TIME IF drop|limited PROTO SRC -> DST rule ID (RULE) len N". */
static void print_text(const struct xf_event *e, const struct ev_text *t)
{
	printf("%s %s %s %s ", t->when, t->ifname,
	       t->limited ? "limited" : "drop", t->proto);
	print_addr(t->af, t->src, e->sport, t->ports);
	printf(" -> ");
	print_addr(t->af, t->dst, e->dport, t->ports);
	printf(" rule %u (%s) len %u", e->rule, t->rule, e->len);
	if (e->suppressed)
		printf(" (%u suppressed before it)", e->suppressed);
	putchar('\n');
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct mon *mon = ctx;
	const struct xf_event *e = data;
	struct ev_text t;

	if (size < sizeof(*e))
		return 0;
	event_text(mon, e, &t);
	if (mon->a->json)
		print_json(e, &t);
	else
		print_text(e, &t);
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
