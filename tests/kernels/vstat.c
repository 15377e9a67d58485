// SPDX-License-Identifier: GPL-2.0
/* vstat.c - xf_vstat: load an xdp_filter object once and print what the
 * verifier of the running kernel said about it.
 *
 * tests/kernels/run.sh runs it in every guest kernel of the matrix, next to
 * xf_verdict, so the table can show whether each kernel's verifier accepts
 * the program and how many instructions it had to walk to prove it safe
 * ("processed N insns"): that number, not the program size, is what runs
 * into the verifier's complexity limit on older kernels.
 *
 * The object is loaded the way xf_verdict loads it (maps unpinned, only the
 * first XDP program), so both tools judge the same thing and neither needs
 * a bpffs. Output, one "key: value" per line, for run.sh to parse:
 *
 *   verifier: accepted
 *   verifier: processed 1234 insns
 *   verifier: stats processed 1234 insns (limit 1000000) max_states_...
 * or
 *   verifier: rejected (Permission denied)
 *   verifier: log <one of the last lines of the verifier log>
 *
 * Exit: 0 accepted, 1 rejected or setup failed, 2 usage.
 */
#include <errno.h>
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

/* Opens path with unpinned maps and returns the first XDP program, the one
 * xf_verdict tests; the others are not loaded. */
static struct bpf_object *open_obj(const char *path, struct bpf_program **xdp)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	*xdp = NULL;
	bpf_object__for_each_program(prog, obj) {
		if (!*xdp && bpf_program__type(prog) == BPF_PROG_TYPE_XDP)
			*xdp = prog;
		else
			bpf_program__set_autoload(prog, false);
	}
	if (!*xdp) {
		fprintf(stderr, PROG ": %s: no XDP program\n", path);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Loads once with the given log level into buf; returns 0 or -errno. */
static int load(const char *path, __u32 level, char *buf, size_t size)
{
	struct bpf_program *xdp;
	struct bpf_object *obj;
	int err;

	obj = open_obj(path, &xdp);
	if (!obj)
		return -ENOENT;
	buf[0] = '\0';
	bpf_program__set_log_level(xdp, level);
	bpf_program__set_log_buf(xdp, buf, size);
	err = bpf_object__load(obj);
	bpf_object__close(obj);
	return err;
}

/* Prints the line that starts with "processed " (the verifier's
 * statistics), if the log has one. */
static void print_stats(const char *log)
{
	const char *p = log, *end;
	unsigned long insns;

	while (p && *p) {
		end = strchr(p, '\n');
		if (sscanf(p, "processed %lu insns", &insns) == 1) {
			printf("verifier: processed %lu insns\n", insns);
			printf("verifier: stats %.*s\n",
			       end ? (int)(end - p) : (int)strlen(p), p);
			return;
		}
		p = end ? end + 1 : NULL;
	}
	printf("verifier: processed ? insns\n");	/* no stats line */
}

/* Prints the last n non-empty lines of the log: where the verifier says
 * why it gave up, after the instruction it gave up on. */
static void print_tail(const char *log, int n)
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
		printf("verifier: log %.*s\n", lens[k], lines[k]);
}

int main(int argc, char **argv)
{
	char *buf;
	int err;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
			"usage: " PROG " OBJECT\n"
			"Load OBJECT's first XDP program once, with private maps,\n"
			"and print whether the running kernel's verifier accepts it\n"
			"and how many instructions it processed.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	libbpf_set_print(quiet_print);

	buf = malloc(VERBOSE_BUF);
	if (!buf) {
		fprintf(stderr, PROG ": %s\n", strerror(ENOMEM));
		return 1;
	}
	buf[0] = '\0';
	err = load(argv[1], LOG_STATS, buf, STATS_BUF);
	if (!err) {
		printf("verifier: accepted\n");
		print_stats(buf);
		free(buf);
		return 0;
	}
	if (err == -ENOENT && !buf[0]) {	/* open failed: said why */
		free(buf);
		return 1;
	}

	/* Rejected (or a map could not be made: then the log is empty and
	 * libbpf has said why on stderr). Load again with the verbose log so
	 * the tail shows the instruction and the register state that failed,
	 * not just the message. */
	printf("verifier: rejected (%s)\n", strerror(-err));
	if (load(argv[1], LOG_VERBOSE | LOG_STATS, buf, VERBOSE_BUF) && buf[0]) {
		print_stats(buf);
		print_tail(buf, TAIL_LINES);
	}
	free(buf);
	return 1;
}
