// SPDX-License-Identifier: GPL-2.0
/* gen.c - xf_gen: the end-to-end benchmark's traffic generator.
 *
 * xdp-trafficgen fails on our kernel and pktgen is not built in, so this
 * sends with what every BPF kernel has: BPF_PROG_TEST_RUN in live-frames
 * mode (BPF_F_TEST_XDP_LIVE_FRAMES, Linux >= 5.18). The kernel copies our
 * frame into page-pool pages, runs gen_xdp.o on each, and because that
 * program returns XDP_TX, redirects every copy out of ctx.ingress_ifindex:
 * the sending veth, whose peer is the receiver under test.
 *
 * The frame is a 60-byte UDP datagram, or with --ack a bare TCP ACK with
 * its checksum right (the stateful policy's flood: a segment of no flow),
 * or with --syn a TCP SYN (a new flow: the rate-limit flood). --sources N
 * varies the IPv4 source over N addresses from --src on, one after the
 * other, frame by frame (gen_xdp.c rewrites it, checksums too); the range
 * must stay inside 198.18.0.0/15.
 *
 * It is bounded twice: by a frame count and by a deadline, whichever comes
 * first, checked between test runs of at most CHUNK frames (a test run also
 * ends early on a signal, so timeout(1) stops it). It only ever transmits
 * on the one interface it is given, in the caller's network namespace.
 *
 * Output, one line on stdout for scripts:
 *   sent=FRAMES ns=WALL_NS cpu_ns=NS wait_ns=NS softirq=TICKS busy=TICKS clk_tck=HZ
 * FRAMES went through the XDP_TX program (the receiver's counters say how
 * many arrived). Everything else is read around the send loop only, so
 * start-up and object loading stay out:
 *   cpu_ns   this thread's CPU time plus that of ksoftirqd on --cpu: the
 *            sender and the receiver's NAPI both run there (veth schedules
 *            NAPI on the sending CPU), in our syscall or in ksoftirqd, so
 *            this is the whole cost of the traffic, even when other work
 *            shares the machine;
 *   wait_ns  time this thread was runnable but not running (other load);
 *   softirq, busy  /proc/stat ticks summed over all CPUs (see cpu_ticks).
 * Exit codes: 0 ok, 1 runtime failure, 2 usage.
 */
#define _GNU_SOURCE			/* sched_setaffinity */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "../tests/lib/frame.h"
#include "libbpf_last.h"

#define PROG_NAME	"xf_gen"

/* Frames in the first test run. Each run sets up and tears down a page
 * pool, and that leaves the CPU idle for tens of ms (measured: ~40% of
 * the wall time with 2^18 frames a run), so later runs are sized from the
 * rate so far to last about RUN_NS each, or what is left of the deadline. */
#define CHUNK		(1U << 18)
#define RUN_NS		250000000LL
#define PAYLOAD		18		/* a 60-byte frame, Ethernet minimum */

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES	/* older UAPI headers */
#define BPF_F_TEST_XDP_LIVE_FRAMES	(1U << 1)
#endif

struct opts {
	const char	*dev;
	const char	*obj;
	unsigned char	dst_mac[ETH_ALEN];
	struct in_addr	src, dst;
	unsigned int	sport, dport;
	int		ack;		/* a bare TCP ACK instead of UDP */
	int		syn;		/* a TCP SYN instead of UDP */
	unsigned int	sources;	/* --src .. --src + sources - 1 */
	unsigned int	step;		/* ... every step-th address */
	unsigned long long count;
	double		seconds;
	int		cpu;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --dev IF --dst-mac MAC --src IPv4 --dst IPv4 [options]\n"
		"       %s --help\n"
		"Sends UDP frames out of IF with BPF_PROG_TEST_RUN live frames.\n"
		"  --dport N      UDP destination port (default 9999)\n"
		"  --sport N      UDP source port (default 40000)\n"
		"  --ack          bare TCP ACK segments instead (valid checksum)\n"
		"  --syn          TCP SYN segments instead (valid checksum)\n"
		"  --sources N    rotate the source over N addresses from --src on\n"
		"  --source-step S  ... S apart (default 1)\n"
		"                 (default 1; the range must stay in 198.18.0.0/15)\n"
		"  --count N      stop after N frames (default 10000000)\n"
		"  --seconds S    stop after S seconds (default 2)\n"
		"  --cpu N        run on CPU N (default: where it starts)\n"
		"  --obj PATH     the XDP_TX program (default build/bench_gen.o)\n"
		"Prints one line: sent= ns= cpu_ns= wait_ns= softirq= busy= clk_tck=\n",
		PROG_NAME, PROG_NAME);
}

static int parse_mac(const char *s, unsigned char *mac)
{
	unsigned int b[ETH_ALEN];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &end) != ETH_ALEN)
		return -1;
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = b[i];
	return 0;
}

static int parse_ull(const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end || *v < min || *v > max)
		return -1;
	return 0;
}

/* Do --src .. --src + sources - 1 stay inside 198.18.0.0/15? */
static int sources_safe(const struct opts *o)
{
	unsigned long long first = ntohl(o->src.s_addr);
	unsigned long long last = first + (o->sources - 1ULL) * o->step;

	return (first >> 17) == (0xc6120000ULL >> 17) && (last >> 17) == (first >> 17);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 't' },
		{ "dport", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 'P' },
		{ "ack", no_argument, NULL, 'a' },
		{ "syn", no_argument, NULL, 'y' },
		{ "sources", required_argument, NULL, 'N' },
		{ "source-step", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "obj", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int have_mac = 0, c;
	char *end;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'm':
			if (parse_mac(optarg, o->dst_mac))
				goto bad;
			have_mac = 1;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &o->src) != 1)
				goto bad;
			break;
		case 't':
			if (inet_pton(AF_INET, optarg, &o->dst) != 1)
				goto bad;
			break;
		case 'p':
		case 'P':
			if (parse_ull(optarg, 1, 65535, &v))
				goto bad;
			*(c == 'p' ? &o->dport : &o->sport) = v;
			break;
		case 'a':
			o->ack = 1;
			break;
		case 'y':
			o->syn = 1;
			break;
		case 'N':
			if (parse_ull(optarg, 1, 1U << 17, &v))
				goto bad;
			o->sources = v;
			break;
		case 'T':
			if (parse_ull(optarg, 1, 1U << 16, &v))
				goto bad;
			o->step = v;
			break;
		case 'n':
			if (parse_ull(optarg, 1, ULLONG_MAX / 2, &o->count))
				goto bad;
			break;
		case 'S':
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || *end || !(o->seconds > 0) ||
			    o->seconds > 3600)
				goto bad;
			break;
		case 'c':
			if (parse_ull(optarg, 0, CPU_SETSIZE - 1, &v))
				goto bad;
			o->cpu = v;
			break;
		case 'o':
			o->obj = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->dev || !have_mac || !o->src.s_addr ||
	    !o->dst.s_addr) {
		fprintf(stderr, PROG_NAME ": --dev, --dst-mac, --src and --dst are required\n");
		usage(stderr);
		return -1;
	}
	if (o->ack && o->syn) {
		fprintf(stderr, PROG_NAME ": --ack or --syn, not both\n");
		return -1;
	}
	if (o->sources > 1 && !sources_safe(o)) {
		fprintf(stderr, PROG_NAME ": bad value '%u' for --sources: %s +"
			" %u * %u leaves 198.18.0.0/15\n", o->sources,
			inet_ntoa(o->src), o->sources - 1, o->step);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, PROG_NAME ": bad value '%s'\n", optarg);
	usage(stderr);
	return -1;
}

/* One Ethernet/IPv4 frame as the receiver's stack would accept it: right
 * MACs, IP checksum; UDP with checksum 0 (legal for IPv4), so the paths
 * that do not drop it (no filter, or a filter that missed) go all the way
 * up to the UDP socket lookup, as real traffic does; or (ack) a bare TCP
 * ACK with its checksum right, so conntrack takes it up as a flow (loose
 * pickup) rather than as invalid, as it would a real stray segment. */
static void build_frame(const struct opts *o, const unsigned char *src_mac,
			struct frame *f)
{
	struct fr_ipv4 h = {
		.proto = o->ack || o->syn ? P_TCP : P_UDP, .csum = true,
		.src = (const uint8_t *)&o->src.s_addr,
		.dst = (const uint8_t *)&o->dst.s_addr,
	};
	struct fr_tcp t = {
		.sport = (uint16_t)o->sport, .dport = (uint16_t)o->dport,
		.seq = 0x12345678, .flags = o->syn ? TH_SYN : TH_ACK,
		.win = o->syn ? 64240 : 502,
	};

	fr_init(f, false);
	fr_eth(f, o->dst_mac, src_mac, ET_IPV4);
	fr_ipv4(f, &h);
	if (o->ack || o->syn) {
		fr_tcp(f, &t);
		fr_end_ip(f, -1);
		fr_l4_csum(f, P_TCP);
		fr_pad_to(f, 60);		/* the Ethernet minimum */
		return;
	}
	fr_udp(f, (uint16_t)o->sport, (uint16_t)o->dport);
	fr_fill(f, PAYLOAD, "x", 1);
	fr_end_ip(f, -1);
}

/* gen_xdp.c's gen_cfg: the sources to rotate over, from --src on. */
static int set_sources(struct bpf_object *obj, const struct opts *o)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "gen_cfg");
	struct { __u32 nsrc, base; __u64 n; __u32 step, pad; } cfg = {
		.nsrc = o->sources, .base = ntohl(o->src.s_addr),
		.step = o->step,
	};
	__u32 zero = 0;

	if (o->sources <= 1)
		return 0;
	if (!m || bpf_map_update_elem(bpf_map__fd(m), &zero, &cfg, BPF_ANY)) {
		fprintf(stderr, PROG_NAME ": %s: no gen_cfg map to set the"
			" sources in (%s)\n", o->obj, m ? strerror(errno) : "old object");
		return -1;
	}
	return 0;
}

static int dev_mac(const char *dev, unsigned char *mac)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (strlen(dev) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return err;
}

/* /proc/stat's "cpu" line: softirq ticks, and every tick that was not idle
 * or iowait (user, nice, system, irq, softirq, steal). The kernel charges
 * a whole tick to whatever it interrupted, so these are sampled, not
 * exact: good to a few percent over a run of seconds. */
static int cpu_ticks(unsigned long long *softirq, unsigned long long *busy)
{
	unsigned long long v[8];
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return -1;
	*softirq = v[6];
	*busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return 0;
}

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Pid of ksoftirqd/CPU, or 0. */
static int ksoftirqd_pid(int cpu)
{
	char want[32], path[300], comm[32];
	struct dirent *de;
	int pid = 0;
	DIR *d;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			pid = atoi(de->d_name);
		fclose(f);
	}
	closedir(d);
	return pid;
}

/* schedstat: run time and run delay (runnable, waiting for a CPU), ns. A
 * thread that is not running has both folded in; the one reading its own
 * is running, so its run time comes from CLOCK_THREAD_CPUTIME_ID. */
static int schedstat(const char *path, long long *run, long long *delay)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%lld %lld", run, delay);
	fclose(f);
	return n == 2 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.obj = "build/bench_gen.o",
		.sport = 40000,
		.dport = 9999,
		.count = 10000000,
		.seconds = 2,
		.cpu = -1,
		.sources = 1,
		.step = 1,
	};
	static struct frame frame;
	unsigned char src_mac[ETH_ALEN];
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	unsigned long long sent = 0, sq0, sq1, busy0, busy1;
	long long t0, deadline, elapsed, c0, c1, w0, w1, k0 = 0, k1 = 0, dummy;
	char kpath[64] = "";
	unsigned int ifindex;
	size_t len;
	int fd, err, ret = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	ifindex = if_nametoindex(o.dev);
	if (!ifindex) {
		fprintf(stderr, PROG_NAME ": %s: %s\n", o.dev, strerror(errno));
		return 1;
	}
	err = dev_mac(o.dev, src_mac);
	if (err) {
		fprintf(stderr, PROG_NAME ": %s: MAC address: %s\n", o.dev,
			strerror(-err));
		return 1;
	}
	if (o.cpu >= 0) {
		cpu_set_t set;

		/* The kernel sends from the CPU that makes the syscall, and
		 * veth schedules the receiver's NAPI there too: pinning
		 * keeps every run of a benchmark on the same CPU. */
		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, PROG_NAME ": CPU %d: %s\n", o.cpu,
				strerror(errno));
			return 1;
		}
	}
	build_frame(&o, src_mac, &frame);
	len = frame.len;

	libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(o.obj, NULL);
	if (!obj) {
		fprintf(stderr, PROG_NAME ": %s: %s\n", o.obj, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	prog = bpf_object__find_program_by_name(obj, o.sources > 1 ?
						"xf_gen_src" : "xf_gen");
	if (err || !prog) {
		fprintf(stderr, PROG_NAME ": %s: load failed: %s (%s)\n", o.obj,
			strerror(err ? -err : ENOENT), last_libbpf_msg);
		goto out;
	}
	fd = bpf_program__fd(prog);
	if (set_sources(obj, &o))
		goto out;
	if (o.cpu >= 0) {
		int pid = ksoftirqd_pid(o.cpu);

		if (pid)
			snprintf(kpath, sizeof(kpath), "/proc/%d/schedstat",
				 pid);
	}

	if (cpu_ticks(&sq0, &busy0) ||
	    schedstat("/proc/thread-self/schedstat", &dummy, &w0) ||
	    (kpath[0] && schedstat(kpath, &k0, &dummy))) {
		fprintf(stderr, PROG_NAME ": /proc/stat or schedstat: cannot read\n");
		goto out;
	}
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t0 = now_ns();
	deadline = t0 + (long long)(o.seconds * 1e9);
	for (unsigned long long next = CHUNK;
	     sent < o.count && now_ns() < deadline;) {
		/* ingress_ifindex is the device XDP_TX sends out of. The
		 * kernel wants data_end == the frame's length and no
		 * metadata (data = data_meta = 0), else EINVAL. */
		struct xdp_md ctx = {
			.data_end = len,
			.ingress_ifindex = ifindex,
		};
		unsigned long long left = o.count - sent;
		LIBBPF_OPTS(bpf_test_run_opts, topts,
			.data_in = frame.b,
			.data_size_in = len,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.repeat = left < next ? left : next,
			.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		);

		if (bpf_prog_test_run_opts(fd, &topts)) {
			fprintf(stderr, PROG_NAME ": test run on %s: %s\n",
				o.dev, strerror(errno));
			goto out;
		}
		sent += topts.repeat;
		elapsed = now_ns() - t0;
		if (elapsed > 0) {
			long long ns = deadline - t0 - elapsed;
			double rate = sent * 1e9 / elapsed;

			if (ns > RUN_NS)
				ns = RUN_NS;
			next = rate * ns / 1e9;
			if (next < 64)
				next = 64;	/* one kernel batch */
		}
	}
	elapsed = now_ns() - t0;
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (cpu_ticks(&sq1, &busy1) ||
	    schedstat("/proc/thread-self/schedstat", &dummy, &w1) ||
	    (kpath[0] && schedstat(kpath, &k1, &dummy))) {
		fprintf(stderr, PROG_NAME ": /proc/stat or schedstat: cannot read\n");
		goto out;
	}
	printf("sent=%llu ns=%lld cpu_ns=%lld wait_ns=%lld softirq=%llu busy=%llu clk_tck=%ld\n",
	       sent, elapsed, (c1 - c0) + (k1 - k0), w1 - w0, sq1 - sq0,
	       busy1 - busy0, sysconf(_SC_CLK_TCK));
	ret = 0;
out:
	bpf_object__close(obj);
	return ret;
}
