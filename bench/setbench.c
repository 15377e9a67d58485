// SPDX-License-Identifier: GPL-2.0
/* setbench.c - xf_setbench: ns per source-set lookup with a random source
 * each time, the product's set (xf_set_has() on the maps the store fills)
 * against a kernel BPF_MAP_TYPE_LPM_TRIE holding the same prefixes, in the
 * same run (bench/setlookup.c has the loops and says why they are loops).
 *
 * For each prefix file (xf_setgen's: the blocklist mix, random /32s, IPv6)
 * it loads a private bench_setlookup.o (pin paths cleared: nothing of the
 * host's is seen or touched), reads the file as rulectl reads a blocklist
 * (xf_plist_read()), puts every prefix as read into the trie, one address
 * of each into the sample array, and the list into set "bench" through the
 * store (xf_set_replace(), which merges it and builds the IPv4 bitmap as
 * `rule.sh set bench load FILE` does). Then, for a number of rounds, each
 * of the three loops (no lookup, ours, the trie's) walks the same
 * addresses, in an order rotated each round; the two lookups must find the
 * same members. Two address mixes: uniform (mostly misses) and half of
 * them members. Prints markdown; progress and diagnostics to stderr.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage.
 */
#define _GNU_SOURCE			/* sched_setaffinity, sched_getcpu */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../xdp_filter.h"
#include "../src/xf_pins.h"
#include "../src/xf_plist.h"
#include "../src/xf_srcsets.h"
#include "../src/xf_store.h"
#include "../tests/lib/xf_load.h"

#define PROG_NAME	"xf_setbench"
#define SET_NAME	"bench"
#define LOOKUPS_FULL	(1U << 19)
#define ROUNDS_FULL	5
#define LOOKUPS_QUICK	(1U << 17)
#define ROUNDS_QUICK	3
#define NHOW		3
#define NMIX		2

/* bench/setlookup.c's struct sl_cfg and trie key. */
struct sl_cfg {
	__u32	n, nsamp, thr, slot;
	__u64	seed, hits, sum;
};

struct sl_lpm4_key {
	__u32	prefixlen;
	__u8	addr[4];
};

static const char *const how_name[NHOW] = { "loop", "set", "lpm" };
static const unsigned int mix_thr[NMIX] = { 0, 128 };
static const char *const mix_name[NMIX] = {
	"uniform random", "half members, half uniform",
};

struct data {
	const char	*kind;		/* what the file holds, for the table */
	const char	*path;
	int		family;
	/* filled */
	size_t		nfile;		/* prefixes as read */
	size_t		nmerged;	/* ... merged (the store's count) */
	__u64		trie_entries, trie_mem, set_mem;
	double		load_s;		/* xf_set_replace() */
	double		*ns[NMIX][NHOW];	/* per round: ns per lookup */
	__u64		hits[NMIX][NHOW];	/* last round's */
};

static unsigned int lookups, rounds;
static const char *objdir = "build";

static double now_s(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

static __u64 rnd_state = 0x5eed;

static __u64 rnd(void)
{
	__u64 z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The trie and the samples: every prefix as read, and one address of
 * each (random host bits). */
static int fill_trie(struct bpf_object *obj, const struct xf_plist *l,
		     struct data *d)
{
	int trie = map_fd(obj, d->family == 4 ? "sl_trie4" : "sl_trie6");
	int samp = map_fd(obj, d->family == 4 ? "sl_samp4" : "sl_samp6");
	size_t n = d->family == 4 ? l->n4 : l->n6;
	__u8 one = 1;

	if (trie < 0 || samp < 0)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		__u32 key = (__u32)i;
		int err;

		if (d->family == 4) {
			const struct xf_p4 *p = &l->v4[i];
			__u32 host = p->len == 32 ? 0 :
				     (__u32)rnd() & (0xffffffffU >> p->len);
			__u32 a = htonl(p->addr | host);
			struct sl_lpm4_key k = { .prefixlen = p->len };

			memcpy(k.addr, &a, 4);
			err = bpf_map_update_elem(trie, &k, &one, BPF_ANY) ||
			      bpf_map_update_elem(samp, &key, &a, BPF_ANY);
		} else {
			const struct xf_p6 *p = &l->v6[i];
			struct xf_set6_key k = { .prefixlen = p->len }, s = { 0 };

			memcpy(k.addr, p->addr, 16);
			memcpy(s.addr, p->addr, 16);
			for (int b = p->len; b < 128; b++)
				if (rnd() & 1)
					s.addr[b / 8] |= 0x80 >> (b % 8);
			err = bpf_map_update_elem(trie, &k, &one, BPF_ANY) ||
			      bpf_map_update_elem(samp, &key, &s, BPF_ANY);
		}
		if (err)
			return -errno;
	}
	d->trie_mem = xf_map_memory(trie);
	return 0;
}

/* Set SET_NAME := l through the store, as `rule.sh set NAME load` does;
 * its current slot in *slot. l is merged on return. */
static int fill_set(struct xf_obj *o, struct xf_plist *l, struct data *d,
		    __u32 *slot)
{
	struct xf_config cfg;
	double t0;
	int err, nr;

	t0 = now_s(CLOCK_MONOTONIC);
	err = xf_set_replace(&o->m, SET_NAME, l, true);
	d->load_s = now_s(CLOCK_MONOTONIC) - t0;
	if (!err)
		err = xf_read_sets(&o->m);
	nr = err ? -1 : xf_set_number(&o->m, SET_NAME);
	if (nr < 0)
		return err ? err : -ENOENT;
	if (xf_read_config(&o->m, &cfg))
		return -EIO;
	*slot = xf_set_slot_of(nr, cfg.setver >> nr);
	d->nmerged = d->family == 4 ? l->n4 : l->n6;
	d->set_mem = xf_set_memory(&o->m, nr);
	return 0;
}

/* One run of loop how on mix m: ns per lookup in *ns, hits in *hits. */
static int run_one(struct bpf_object *obj, const struct data *d, int how,
		   int m, __u32 slot, __u64 seed, double *ns, __u64 *hits,
		   __u64 *sum)
{
	char name[16];
	struct bpf_program *p;
	struct sl_cfg cfg = {
		.n = lookups, .thr = mix_thr[m], .slot = slot, .seed = seed,
		.nsamp = (__u32)d->nfile,
	};
	__u8 frame[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);
	__u32 zero = 0;
	int cfd = map_fd(obj, "sl_cfg");
	double t0;

	snprintf(name, sizeof(name), "sl_%s%d", how_name[how], d->family);
	p = bpf_object__find_program_by_name(obj, name);
	if (!p || cfd < 0)
		return -ENOENT;
	if (bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY))
		return -errno;
	t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
	if (bpf_prog_test_run_opts(bpf_program__fd(p), &o))
		return -errno;
	*ns = (now_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e9 / lookups;
	if (o.retval != XDP_PASS || bpf_map_lookup_elem(cfd, &zero, &cfg))
		return -EPROTO;
	*hits = cfg.hits;
	*sum = cfg.sum;
	return 0;
}

/* Every round: each mix, each loop in an order rotated by the round, on
 * the same addresses (one seed per round and mix); the lookups must agree
 * on the members and all three on the addresses. */
static int measure(struct bpf_object *obj, struct data *d, __u32 slot)
{
	for (unsigned int r = 0; r < rounds; r++) {
		for (int m = 0; m < NMIX; m++) {
			__u64 seed = 0x9e3779b97f4a7c15ULL * (r * NMIX + m + 1);
			__u64 sum[NHOW];

			for (int j = 0; j < NHOW; j++) {
				int h = (j + r) % NHOW;
				int err = run_one(obj, d, h, m, slot, seed,
						  &d->ns[m][h][r],
						  &d->hits[m][h], &sum[h]);

				if (err) {
					fprintf(stderr, PROG_NAME ": %s: sl_%s%d:"
						" %s\n", d->path, how_name[h],
						d->family, strerror(-err));
					return -1;
				}
			}
			if (d->hits[m][1] != d->hits[m][2] ||
			    sum[0] != sum[1] || sum[1] != sum[2]) {
				fprintf(stderr, PROG_NAME ": %s, %s: the set found"
					" %llu members, the trie %llu (or the"
					" addresses differ)\n", d->path,
					mix_name[m],
					(unsigned long long)d->hits[m][1],
					(unsigned long long)d->hits[m][2]);
				return -1;
			}
		}
	}
	return 0;
}

/* Loads a private bench_setlookup.o with the store's maps handed over. */
static int open_obj(struct xf_obj *o, char *path, size_t len)
{
	snprintf(path, len, "%s/bench_setlookup.o", objdir);
	o->tool = PROG_NAME;
	o->path = path;
	o->obj = xf_open_private(path);
	if (!o->obj)
		return xf_load_err(PROG_NAME, path, "open", errno);
	if (bpf_object__load(o->obj))
		return xf_load_err(PROG_NAME, path, "load", errno);
	if (xf_maps_init(&o->m) || xf_obj_maps(o))
		return -1;
	o->m.rules = calloc(XF_MAX_RULES, sizeof(*o->m.rules));
	if (!o->m.rules || xf_store_stamp(&o->m))
		return -1;
	return 0;
}

static int bench_data(struct data *d)
{
	struct xf_obj o = { 0 };
	struct xf_plist l = { 0 };
	char path[512];
	__u32 slot = 0;
	FILE *f;
	int err = -1;

	for (int m = 0; m < NMIX; m++)
		for (int h = 0; h < NHOW; h++)
			if (!(d->ns[m][h] = calloc(rounds, sizeof(double))))
				return -1;
	f = fopen(d->path, "r");
	if (!f) {
		fprintf(stderr, PROG_NAME ": %s: %s\n", d->path, strerror(errno));
		return -1;
	}
	err = xf_plist_read(&l, f, d->path);
	fclose(f);
	if (err)
		return -1;
	d->nfile = d->family == 4 ? l.n4 : l.n6;
	fprintf(stderr, PROG_NAME ": %s: %zu prefixes\n", d->path, d->nfile);
	err = open_obj(&o, path, sizeof(path));
	if (!err && (err = fill_trie(o.obj, &l, d)))
		fprintf(stderr, PROG_NAME ": fill the trie: %s\n", strerror(-err));
	if (!err && (err = fill_set(&o, &l, d, &slot)))
		fprintf(stderr, PROG_NAME ": fill the set: %s\n", strerror(-err));
	if (!err)
		err = measure(o.obj, d, slot);
	xf_plist_free(&l);
	xf_obj_close(&o);
	return err ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int n)
{
	double s[n];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void print_data(const struct data *d)
{
	for (int m = 0; m < NMIX; m++) {
		double loop = median(d->ns[m][0], rounds);
		double set = median(d->ns[m][1], rounds) - loop;
		double lpm = median(d->ns[m][2], rounds) - loop;

		printf("| %s | %zu | %zu | %s | %.1f%% | %.1f | %.1f | %.1f |"
		       " **%.1fx** |\n", d->kind, d->nfile, d->nmerged,
		       mix_name[m], 100.0 * d->hits[m][1] / lookups, loop,
		       set, lpm, set > 0 ? lpm / set : 0);
	}
}

static void print_memory(const struct data *d, size_t n)
{
	printf("\n| prefixes | set load through the store (in process) |"
	       " set memory (its inner maps) | LPM trie memory |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < n; i++)
		printf("| %s | %.2f s | %.1f MiB | %.1f MiB |\n", d[i].kind,
		       d[i].load_s, d[i].set_mem / 1048576.0,
		       d[i].trie_mem / 1048576.0);
}

static void print_all(const struct data *d, size_t n)
{
	printf("## Source sets: a random source each lookup, ours against a"
	       " kernel LPM trie\n\n");
	printf("Each row: %u lookups in one BPF_PROG_TEST_RUN (bench/"
	       "setlookup.c: bpf_loop, xorshift64 addresses), %u rounds, the"
	       " three loops interleaved (order rotated each round); medians of"
	       " CPU ns per lookup. *loop* is the loop alone (the draw of the"
	       " address); *ours* and *LPM trie* are over it. Ours is"
	       " `xf_set_has()` of bpf_maps.h on the set the store built from"
	       " the file (`xf_set_replace()`, what `rule.sh set NAME load`"
	       " runs: IPv4 as the two-level bitmap, IPv6 as a kernel LPM"
	       " trie); the LPM trie holds every prefix of the file as read."
	       " Both found the same members in every run (checked). *half"
	       " members*: half the addresses are one random address inside a"
	       " prefix of the file.\n\n", lookups, rounds);
	printf("| prefixes | in the file | merged (the set) | addresses |"
	       " members | loop ns | ours ns | LPM trie ns | LPM / ours |\n");
	printf("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < n; i++)
		print_data(&d[i]);
	print_memory(d, n);
	printf("\nIPv6 sets are a kernel LPM trie themselves, so there the"
	       " ratio is the cost of reaching the set's trie (one"
	       " ARRAY_OF_MAPS lookup) against none: about 1 by design.\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--quick] [--objdir DIR] --mix4 FILE --rand4 FILE"
		" --mix6 FILE\n"
		"Times source-set lookups against an LPM trie; prints markdown.\n",
		PROG_NAME);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "objdir", required_argument, NULL, 'o' },
		{ "mix4", required_argument, NULL, '4' },
		{ "rand4", required_argument, NULL, 'r' },
		{ "mix6", required_argument, NULL, '6' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct data d[3] = {
		{ .kind = "IPv4 blocklist mix", .family = 4 },
		{ .kind = "IPv4 random /32s", .family = 4 },
		{ .kind = "IPv6 mix", .family = 6 },
	};
	int quick = 0, c, cpu;
	cpu_set_t set;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'q': quick = 1; break;
		case 'o': objdir = optarg; break;
		case '4': d[0].path = optarg; break;
		case 'r': d[1].path = optarg; break;
		case '6': d[2].path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !d[0].path || !d[1].path || !d[2].path) {
		usage(stderr);
		return 2;
	}
	lookups = quick ? LOOKUPS_QUICK : LOOKUPS_FULL;
	rounds = quick ? ROUNDS_QUICK : ROUNDS_FULL;
	libbpf_set_print(xf_libbpf_print);
	xf_prog = PROG_NAME;
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, PROG_NAME ": pin to CPU %d: %s (continuing)\n",
			cpu, strerror(errno));
	for (size_t i = 0; i < 3; i++)
		if (bench_data(&d[i]))
			return 1;
	print_all(d, 3);
	return 0;
}
