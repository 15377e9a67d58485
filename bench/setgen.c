// SPDX-License-Identifier: GPL-2.0
/* setgen.c - xf_setgen: the prefix files of the source-set benchmarks
 * (bench/sets.sh, bench/setbench.c, bench/e2e.sh), one prefix a line, the
 * same bytes for the same arguments (splitmix64 from --seed).
 *
 *   mix4   IPv4 prefixes weighted like real blocklists (DROP lists, abuse
 *          feeds, scanner lists): half /32s, a quarter /24s, the rest
 *          /25../31 and /17../23, a few /16s and a handful of /11s;
 *          addresses uniform over 1.0.0.0 .. 223.255.255.255.
 *   rand4  IPv4 /32s, uniform over the same range.
 *   mix6   IPv6 prefixes under 2000::/12: /32, /48 (most), /56, /64, /128.
 *
 * --flood ADDR,N,STEP appends the N addresses ADDR, ADDR + STEP, ... as
 * /32s (the end-to-end flood's sources, which must be in the set) and
 * makes that many fewer random ones: the file still has --count lines.
 * Exit codes: 0 ok, 1 write failure, 2 usage.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG_NAME	"xf_setgen"

static uint64_t rng_state;

/* splitmix64: one 64-bit draw. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A unicast-looking IPv4 address: 1.0.0.0 .. 223.255.255.255. */
static uint32_t addr4(void)
{
	return 0x01000000U + (uint32_t)(rnd() % (0xe0000000ULL - 0x01000000ULL));
}

/* The blocklist weights, per 1,000,000: /32 550k, /24 250k, /25../31
 * 50k, /17../23 149k (mostly /22 and /23), /16 996, /11 4: about 12% of
 * the address space in all, most of it in the few short prefixes, as in
 * real aggregated blocklists. */
static int len4_mix(void)
{
	static const struct { unsigned int upto; int len; } w[] = {
		{ 550000, 32 }, { 800000, 24 }, { 850000, 0 },
		{ 910000, 23 }, { 950000, 22 }, { 970000, 21 },
		{ 985000, 20 }, { 993000, 19 }, { 997000, 18 },
		{ 999000, 17 }, { 999996, 16 }, { 1000000, 11 },
	};
	uint64_t r = rnd() % 1000000;
	size_t i = 0;

	while (r >= w[i].upto)
		i++;
	return w[i].len ? w[i].len : 25 + (int)(rnd() % 7);
}

static void put4(uint32_t a, int len)
{
	struct in_addr in;
	char buf[INET_ADDRSTRLEN];

	if (len < 32)
		a &= ~(0xffffffffU >> len);
	in.s_addr = htonl(a);
	inet_ntop(AF_INET, &in, buf, sizeof(buf));
	printf("%s/%d\n", buf, len);
}

/* /32 5%, /48 55%, /56 10%, /64 25%, /128 5%. */
static int len6_mix(void)
{
	uint64_t r = rnd() % 100;

	return r < 5 ? 32 : r < 60 ? 48 : r < 70 ? 56 : r < 95 ? 64 : 128;
}

static void put6(int len)
{
	uint8_t a[16];
	char buf[INET6_ADDRSTRLEN];
	uint64_t hi = rnd(), lo = rnd();

	for (int i = 0; i < 8; i++) {
		a[i] = (uint8_t)(hi >> (56 - 8 * i));
		a[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	a[0] = 0x20;
	a[1] &= 0x0f;				/* 2000::/12 */
	for (int b = len; b < 128; b++)
		a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	printf("%s/%d\n", buf, len);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s mix4|rand4|mix6 --count N [--seed S]"
		" [--flood ADDR,N,STEP]\n"
		"Writes N prefixes, one a line, to standard output.\n",
		PROG_NAME);
}

struct flood {
	uint32_t	first;		/* host order */
	unsigned long	n, step;
};

static int parse_flood(const char *s, struct flood *fl)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr in;

	if (sscanf(s, "%15[0-9.],%lu,%lu", addr, &fl->n, &fl->step) != 3 ||
	    inet_pton(AF_INET, addr, &in) != 1 || !fl->step)
		return -1;
	fl->first = ntohl(in.s_addr);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "flood", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct flood fl = { 0 };
	unsigned long count = 0, i;
	const char *kind;
	int c;

	rng_state = 16;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 's': rng_state = strtoull(optarg, NULL, 0); break;
		case 'f':
			if (parse_flood(optarg, &fl)) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || !count || fl.n > count) {
		usage(stderr);
		return 2;
	}
	kind = argv[optind];
	if (strcmp(kind, "mix4") && strcmp(kind, "rand4") && strcmp(kind, "mix6")) {
		usage(stderr);
		return 2;
	}
	if (fl.n && !strcmp(kind, "mix6")) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < count - fl.n; i++) {
		if (!strcmp(kind, "mix4"))
			put4(addr4(), len4_mix());
		else if (!strcmp(kind, "rand4"))
			put4(addr4(), 32);
		else
			put6(len6_mix());
	}
	for (i = 0; i < fl.n; i++)
		put4(fl.first + (uint32_t)(i * fl.step), 32);
	if (fflush(stdout) || ferror(stdout)) {
		perror(PROG_NAME ": write");
		return 1;
	}
	return 0;
}
