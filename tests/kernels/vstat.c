// SPDX-License-Identifier: GPL-2.0
/* vstat.c - xf_vstat: load every XDP program of an xdp_filter object and
 * print what the verifier of the running kernel said about each.
 *
 * tests/kernels/run.sh runs it in every guest kernel of the matrix, next to
 * xf_verdict, so the table can show whether each kernel's verifier accepts
 * the programs and how many instructions it had to walk to prove each one
 * safe ("processed N insns"): that number, not the program size, is what
 * runs into the verifier's complexity limit on older kernels. An object
 * holds several programs (xdp_filter, the dispatcher every interface runs,
 * and the feature tiers it tail-calls): each is loaded and reported.
 *
 * The maps are unpinned, as xf_verdict loads them, so neither tool needs a
 * bpffs. All programs are loaded in one go; if that fails, each is loaded
 * on its own, so every program gets its own verdict, and a rejected one is
 * loaded once more with the verbose log for its tail. Output, one
 * "key: value" per line, for run.sh to parse:
 *
 *   verifier: prog NAME accepted
 *   verifier: prog NAME processed 1234 insns
 *   verifier: prog NAME stats processed 1234 insns (limit 1000000) ...
 * or
 *   verifier: prog NAME rejected (Permission denied)
 *   verifier: prog NAME log <one of the last lines of the verifier log>
 * for each program in the object's order, then for the object:
 *   verifier: accepted                      (every program)
 *   verifier: rejected (K of N programs)
 *   verifier: processed 1234 insns          (its first program's)
 *
 * Exit: 0 every program accepted, 1 one rejected or setup failed, 2 usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>

#define PROG		"xf_vstat"

/* BPF_LOG_STATS: the verifier appends its statistics (the "processed N
 * insns" line) and still prints its error messages, but not the state of
 * every instruction, so a small buffer holds it on any kernel. */
#define LOG_STATS	4
#define LOG_VERBOSE	1
#define STATS_BUF	(64 * 1024)
/* Before 6.4 the kernel's log is not a ring: once the buffer is full the
 * tail, where the reason for a rejection is, is lost. So the retry after a
 * rejection gets room for a whole verbose log of a program this size. */
#define VERBOSE_BUF	(64 * 1024 * 1024)
#define TAIL_LINES	20

static int quiet_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	/* Only libbpf's own warnings: the verifier log is printed from our
	 * buffer, in our format, below. */
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

#define MAX_PROGS	32

/* The XDP programs of the object at path, in its order: names into
 * names[] (at most MAX_PROGS). Returns how many, or -1 after a message. */
static int list_progs(const char *path, char names[][64])
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int n = 0;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) != BPF_PROG_TYPE_XDP)
			continue;
		if (n == MAX_PROGS) {
			fprintf(stderr, PROG ": %s: more than %d XDP programs\n",
				path, MAX_PROGS);
			n = -1;
			break;
		}
		snprintf(names[n++], 64, "%s", bpf_program__name(prog));
	}
	bpf_object__close(obj);
	if (!n)
		fprintf(stderr, PROG ": %s: no XDP program\n", path);
	return n > 0 ? n : -1;
}

/* Loads the object at path with unpinned maps: only program `only`, or
 * every XDP program (only NULL), each logging at level into its buffer
 * bufs[i] of size bytes (programs in list_progs() order). 0 or -errno;
 * -ENOENT with an empty first buffer when the object could not be opened. */
static int load(const char *path, const char *only, __u32 level,
		char **bufs, size_t size)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	int err, i = 0;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -ENOENT;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	bpf_object__for_each_program(prog, obj) {
		bool xdp = bpf_program__type(prog) == BPF_PROG_TYPE_XDP;
		bool want = xdp && (!only || !strcmp(only, bpf_program__name(prog)));

		bpf_program__set_autoload(prog, want);
		if (!xdp || i >= MAX_PROGS)
			continue;
		if (want) {
			bufs[i][0] = '\0';
			bpf_program__set_log_level(prog, level);
			bpf_program__set_log_buf(prog, bufs[i], size);
		}
		i++;
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

/* Prints "verifier: PREFIXprocessed N insns" and the statistics line of the
 * log, if it has one; returns N, or -1. */
static long print_stats(const char *prefix, const char *log)
{
	const char *p = log, *end;
	unsigned long insns;

	while (p && *p) {
		end = strchr(p, '\n');
		if (sscanf(p, "processed %lu insns", &insns) == 1) {
			printf("verifier: %sprocessed %lu insns\n", prefix, insns);
			printf("verifier: %sstats %.*s\n", prefix,
			       end ? (int)(end - p) : (int)strlen(p), p);
			return (long)insns;
		}
		p = end ? end + 1 : NULL;
	}
	printf("verifier: %sprocessed ? insns\n", prefix);	/* no stats */
	return -1;
}

/* Prints the last n non-empty lines of the log: where the verifier says
 * why it gave up, after the instruction it gave up on. */
static void print_tail(const char *prefix, const char *log, int n)
{
	const char *p = log + strlen(log), *start;
	const char *lines[TAIL_LINES];
	int lens[TAIL_LINES], k = 0;

	while (p > log && k < n) {
		while (p > log && p[-1] == '\n')
			p--;
		start = p;
		while (start > log && start[-1] != '\n')
			start--;
		if (start == p)
			break;
		lines[k] = start;
		lens[k++] = p - start;
		p = start;
	}
	while (k-- > 0)
		printf("verifier: %slog %.*s\n", prefix, lens[k], lines[k]);
}

/* Loads program name of path on its own and prints its verdict; a
 * rejected one is loaded again with the verbose log, for its tail.
 * Returns 0 accepted, 1 rejected, -1 the object could not be opened. */
static int judge_one(const char *path, const char *name, char *buf,
		     long *insns)
{
	char prefix[96];
	char *bufs[MAX_PROGS];
	int err;

	for (int i = 0; i < MAX_PROGS; i++)
		bufs[i] = buf;		/* only one program logs */
	snprintf(prefix, sizeof(prefix), "prog %s ", name);
	err = load(path, name, LOG_STATS, bufs, STATS_BUF);
	if (!err) {
		printf("verifier: prog %s accepted\n", name);
		*insns = print_stats(prefix, buf);
		return 0;
	}
	if (err == -ENOENT && !buf[0])
		return -1;		/* open failed: said why */
	/* Rejected (or a map could not be made: then the log is empty and
	 * libbpf has said why on stderr). The verbose log's tail shows the
	 * instruction and the register state that failed, not just the
	 * message. */
	printf("verifier: prog %s rejected (%s)\n", name, strerror(-err));
	if (load(path, name, LOG_VERBOSE | LOG_STATS, bufs, VERBOSE_BUF) &&
	    buf[0]) {
		print_stats(prefix, buf);
		print_tail(prefix, buf, TAIL_LINES);
	}
	return 1;
}

int main(int argc, char **argv)
{
	char names[MAX_PROGS][64], *bufs[MAX_PROGS] = { 0 }, *big;
	long insns[MAX_PROGS];
	int n, err, rejected = 0, ret = 1;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"usage: " PROG " OBJECT\n"
			"Load each XDP program of OBJECT, with private maps, and\n"
			"print whether the running kernel's verifier accepts it and\n"
			"how many instructions it processed.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	libbpf_set_print(quiet_print);

	n = list_progs(argv[1], names);
	if (n < 0)
		return 1;
	big = malloc(VERBOSE_BUF);
	for (int i = 0; i < n; i++)
		bufs[i] = malloc(STATS_BUF);
	for (int i = 0; i < n; i++)
		if (!bufs[i] || !big) {
			fprintf(stderr, PROG ": %s\n", strerror(ENOMEM));
			goto out;
		}

	/* All at once: the common case, one set of maps. */
	err = load(argv[1], NULL, LOG_STATS, bufs, STATS_BUF);
	for (int i = 0; i < n && !err; i++) {
		char prefix[96];

		snprintf(prefix, sizeof(prefix), "prog %s ", names[i]);
		printf("verifier: prog %s accepted\n", names[i]);
		insns[i] = print_stats(prefix, bufs[i]);
	}
	/* Something failed: which, and why, one program at a time. */
	for (int i = 0; i < n && err; i++) {
		big[0] = '\0';
		insns[i] = -1;
		switch (judge_one(argv[1], names[i], big, &insns[i])) {
		case -1:
			goto out;
		case 1:
			rejected++;
		}
	}
	if (rejected)
		printf("verifier: rejected (%d of %d programs)\n", rejected, n);
	else if (err)			/* all accepted alone: not together */
		printf("verifier: rejected (every program alone accepted; together: %s)\n",
		       strerror(-err));
	else
		printf("verifier: accepted\n");
	if (insns[0] >= 0)
		printf("verifier: processed %ld insns\n", insns[0]);
	else
		printf("verifier: processed ? insns\n");
	ret = rejected || err ? 1 : 0;
out:
	for (int i = 0; i < n; i++)
		free(bufs[i]);
	free(big);
	return ret;
}
