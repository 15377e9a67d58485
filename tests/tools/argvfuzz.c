// SPDX-License-Identifier: GPL-2.0
/* argvfuzz - a seeded argv fuzzer for rulectl and rule.sh (67-abuse.bats).
 *
 *   argvfuzz [-s SEED] [-n CASES] [-t SECONDS] [-k CHECK_EVERY]
 *            [-L LEAK_EVERY] [-v] [-S RULE_SH [-e EVERY]] RULECTL
 *
 * Runs CASES generated command lines (default 10000) against RULECTL, every
 * EVERY-th (default 10) through RULE_SH instead when -S is given (rule.sh
 * runs $RULECTL: point it at the same binary). Arguments are drawn from the
 * grammar's words (rules with log [N/s], policy, apply, save, confirm,
 * rollback, monitor, ...), near misses of them (0, 65536, -1, 8080x,
 * reversed ranges, host bits, /33, 0/s, 100001/s, ...), mutated characters,
 * random bytes and very long strings. apply gets rules files written into
 * a private directory: good ones, bad ones (a bad line, an overlap, two
 * policies, a NUL byte, random bytes, ...), a directory, a missing file.
 * Each case must:
 *   - exit 0, 1 or 2: not killed by a signal, not 128+, no sanitizer
 *     report or libbpf chatter on stderr, done within 10 seconds;
 *   - say why on stderr when it does not exit 0;
 *   - leave the state exactly as it was when it does not exit 0, or when it
 *     only reads (list, stats, save, policy, monitor, apply --dry-run or
 *     --check, ...). After every case the config (both rule sets'
 *     settings and counts, the active set, the ABI stamp, a pending
 *     confirmation), the rule records, the prefix tries, the counters and
 *     log rates of every rule are hashed and compared with the hash before
 *     it. The port slots and prefix port slots follow from the records:
 *     every CHECK_EVERY cases (default 100) and at the end, st_check()
 *     proves that they are exactly what the records say, in both sets,
 *     and that no record past the hashed ones is set.
 * No case may leave an apply --confirm pending: its rollback timer would
 * change the state later, under another case. The generator never makes a
 * --confirm that could succeed (a valid SECS without --dry-run or --check
 * is replaced by a bad one), and a pending confirmation after a case is
 * counted as a state change (and rolled back). monitor always ends with
 * --timeout 1, so it cannot wait for ever.
 * Before the first case and after each successful add or apply, the rules'
 * counters are set to non-zero values, so a command that zeroes them is
 * seen.
 * With -L, every LEAK_EVERY-th case runs with detect_leaks=1 appended to
 * ASAN_OPTIONS (an ASan build; LeakSanitizer costs a few ms a case).
 * Prints the seed first, then one summary line:
 *   cases N exit0 A exit1 B exit2 C via_rule_sh R crashes X silent Y
 *   state_changes Z consistency_checks K rules_at_end M seconds T
 * Exit status 0 when X, Y and Z are 0, 1 otherwise, 2 bad usage. -t stops
 * early after SECONDS (the summary says how many cases ran).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "../../src/xf_store.h"
#include "../../src/xf_rule.h"
#include "xf_state.h"

#define MAXARGS	12
#define ERRCAP	65536

static __u64 rng;

static __u64 rnd(void)			/* splitmix64 */
{
	__u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

#define PICK(a) ((a)[below(sizeof(a) / sizeof((a)[0]))])

/* monitor is left out: without --timeout it waits for ever (gen() makes
 * its cases). */
static const char *const cmds[] = {
	"add", "add", "add", "add_rule", "del", "del", "flush", "list",
	"stats", "policy", "check", "init", "unpin", "help", "-h", "--help",
	"", "ADD", "add ", "adds", "delete", "list --json", "-", "--",
	"check-rule", "check-rule", "save", "apply", "confirm", "rollback",
	"Apply", "monitr", "save ",
};
static const char *const ports[] = {
	"1", "22", "53", "80", "443", "8080", "65535", "0", "65536", "-1",
	"+1", " 1", "1 ", "08080", "0x50", "8080x", "abc", "", "1e3",
	"99999999999999999999", "4294967297", "18446744073709551617",
	"1-2", "2-1", "1-65535", "0-5", "5-", "-5", "1--2", "1-2-3",
	"65535-65535", "6000-6100", "100-100", "1-0", "65534-65536", "-",
	"٣", "８０",
};
static const char *const protos[] = {
	"tcp", "udp", "any", "icmp", "TCP", "Udp", "", "tcp ", "sctp", "ip",
	"tcpudp", "6", "17",
};
static const char *const dirs[] = { "src", "dst", "SRC", "source", "" };
static const char *const prefixes[] = {
	"198.18.0.0/15", "10.0.0.0/8", "10.1.2.3/8", "1.2.3.4", "1.2.3.4/32",
	"1.2.3.4/33", "0.0.0.0/0", "::/0", "2001:db8::/32", "2001:db8::1/32",
	"fe80::/10", "::ffff:1.2.3.4/128", "/8", "1.2.3/24", "1.2.3.4/",
	"1.2.3.4/-1", "1.2.3.4/08", "::1/129", "1.2.3.4/4294967296",
	"::", "[::1]/128", "203.0.113.0/24", "2001:db8:1::/48", "1.2.3.4/ 8",
	"1.2.3.4/8x", "256.1.1.1/8", "1.2.3.4.5/32", "::1::2/128",
	"fd00::/8", "255.255.255.255/32", "0.0.0.0/1", "128.0.0.0/1",
};
static const char *const words[] = {
	"from", "FROM", "src", "dst", "any", "allow", "deny", "ephemeral",
	"dhcp", "nodhcp", "--json", "--JSON", "-j", "--", "-", "%s%n%x%p",
	"--prometheus", "policy", "log", "log", "LOG", "10/s", "0/s",
	"limit", "burst", "per-source", "limits",
	"--dry-run", "--confirm", "--check", "--count", "--timeout",
	"$(id)", "`id`", ";", "\\", "\"", "'", "\n", "\t", " ", "*", "?",
	"..", "/", "tcp", "udp", "1000-2000", "32768-60999", "0-1",
	"65535-1", "1-65535", "add", "del", "flush", "\xff\xfe", "\xc3\x28",
	"é", "🙂",
};

/* log rates after "log": good ones and near misses */
static const char *const rates[] = {
	"1/s", "10/s", "100000/s", "0/s", "100001/s", "abc/s", "/s", "10",
	"10/S", "-1/s", "+1/s", " 5/s", "5 /s", "5/ s", "10/m", "1e3/s",
	"99999999999/s", "4294967306/s", "18446744073709551626/s", "5/s/s",
	"0x10/s", "010/s", "s", "/", "٣/s", "",
};

/* per-source LEN values: good for IPv4, for IPv6 only, and bad */
static const char *const lens[] = {
	"1", "24", "32", "33", "48", "64", "128", "129", "0", "-1", "/24",
	"", "24x", "4294967320",
};

/* --confirm SECS values: none of them may be 1-86400 as rulectl reads
 * it (tame() replaces any that is) */
static const char *const bad_secs[] = {
	"0", "-1", "86401", "abc", "", "1e3", "+5", "5s", "0x10", "-0",
	"99999999999999999999", "4294967297", "18446744073709551617", "-",
	"--dry-run", "5.0", "1 ", "٣",
};

/* monitor's words */
static const char *const mon_words[] = {
	"--count", "--timeout", "--json", "1", "0", "-1", "abc", "",
	"100000001", "100000000", "--JSON", "--count=1", "-c", "2", " 1",
};

/* The rules files apply reads (write_files() makes them). */
enum { F_GOOD1, F_GOOD2, F_EMPTY, F_NGOOD, F_BADPORT = F_NGOOD, F_OVERLAP,
       F_POLICY2, F_BADLOG, F_NUL, F_WORDS, F_HOSTBITS, F_RANDOM, F_LONG,
       F_BADPOLICY, F_DIR, F_MISSING, NFILES };
static char files[NFILES][PATH_MAX];
static char fuzzdir[PATH_MAX];

static char pool[MAXARGS][ERRCAP];	/* storage for generated arguments */

static char *token(int slot, const char *s)
{
	snprintf(pool[slot], sizeof(pool[slot]), "%s", s);
	return pool[slot];
}

static char *random_bytes(int slot)
{
	unsigned int n = 1 + below(below(8) ? 24 : 3000);

	for (unsigned int i = 0; i < n; i++)
		pool[slot][i] = 1 + below(255);	/* anything but NUL */
	pool[slot][n] = '\0';
	return pool[slot];
}

static char *long_string(int slot)
{
	unsigned int n = 200 + below(sizeof(pool[slot]) - 300);
	char c = PICK(((const char[]){ '1', 'a', ':', '.', '/', '-' }));

	memset(pool[slot], c, n);
	pool[slot][n] = '\0';
	if (below(2)) {		/* "1-111..." or "1.2.3.4/111..." shapes */
		const char *head = below(2) ? "1-" : "1.2.3.4/";

		memcpy(pool[slot], head, strlen(head));
	}
	return pool[slot];
}

/* A character-level near miss of s. */
static char *mutate(int slot, const char *s)
{
	static char copy[ERRCAP];
	char *p;

	snprintf(copy, sizeof(copy), "%s", s);	/* s may be pool[slot] */
	p = token(slot, copy);
	size_t n = strlen(p);
	int k = 1 + below(3);

	while (k--) {
		size_t at = n ? below(n + 1) : 0;

		switch (below(4)) {
		case 0:		/* replace */
			if (at < n)
				p[at] = 1 + below(255);
			break;
		case 1:		/* insert */
			if (n + 2 < sizeof(pool[slot])) {
				memmove(p + at + 1, p + at, n - at + 1);
				p[at] = PICK(((const char[]){ '0', '9', '-',
					'/', '.', ':', ' ', 'x', '+', '%' }));
				n++;
			}
			break;
		case 2:		/* delete */
			if (at < n) {
				memmove(p + at, p + at + 1, n - at);
				n--;
			}
			break;
		default:	/* duplicate */
			if (2 * n + 1 < sizeof(pool[slot])) {
				memcpy(p + n, p, n);
				n *= 2;
				p[n] = '\0';
			}
		}
	}
	return p;
}

static char *any_word(int slot)
{
	switch (below(10)) {
	case 0: return random_bytes(slot);
	case 1: return below(4) ? mutate(slot, PICK(ports)) :
			long_string(slot);
	case 2: return token(slot, PICK(ports));
	case 3: return token(slot, PICK(protos));
	case 4: return token(slot, PICK(prefixes));
	case 5: return token(slot, PICK(cmds));
	case 6: return mutate(slot, PICK(prefixes));
	case 7: {
		char buf[16];

		snprintf(buf, sizeof(buf), "%u", below(70000));
		return token(slot, buf);
	}
	default: return token(slot, PICK(words));
	}
}

/* Appends "log" or "log RATE" (a good or a bad rate) at argv[n], room
 * permitting: returns the new argc. */
static int log_words(char **argv, int n)
{
	if (n >= MAXARGS - 2)
		return n;
	argv[n] = token(n, below(10) ? "log" : PICK(words));
	n++;
	if (below(2)) {
		argv[n] = below(8) ? token(n, PICK(rates)) :
			  mutate(n, PICK(rates));
		n++;
	}
	return n;
}

/* limit N/s [burst B] [per-source [LEN]], with near misses (the rates are
 * the log rates': good ones for a limit, and ones it refuses). */
static int limit_words(char **argv, int n)
{
	if (n >= MAXARGS - 6)
		return n;
	argv[n] = token(n, below(10) ? "limit" : PICK(words));
	n++;
	argv[n] = below(8) ? token(n, PICK(rates)) : mutate(n, PICK(rates));
	n++;
	if (below(3) == 0) {
		argv[n] = token(n, "burst");
		n++;
		argv[n] = below(3) ? token(n, PICK(ports)) : any_word(n);
		n++;
	}
	if (below(2)) {
		argv[n] = token(n, below(8) ? "per-source" : "per_source");
		n++;
		if (below(2)) {
			argv[n] = token(n, PICK(lens));
			n++;
		}
	}
	return n;
}

/* A FILE for apply: a good rules file, a bad one, or no file at all. */
static char *apply_file(int slot)
{
	switch (below(20)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return token(slot, files[below(F_NGOOD)]);
	case 6:
		return token(slot, below(2) ? "-" : "/dev/null");
	case 7:
		return token(slot, below(2) ? "no-such.rules" : "");
	case 8:
		return mutate(slot, files[below(NFILES)]);
	case 9:
		return any_word(slot);
	default:
		return token(slot, files[F_NGOOD + below(NFILES - F_NGOOD)]);
	}
}

/* One option of apply at argv[n] (with its value): returns the new argc. */
static int apply_option(char **argv, int n)
{
	switch (below(12)) {
	case 0: case 1: case 2: case 3:
		argv[n] = token(n, "--dry-run");
		return n + 1;
	case 4: case 5:
		argv[n] = token(n, "--check");
		return n + 1;
	case 6: case 7: case 8:
		argv[n] = token(n, "--confirm");
		n++;
		if (below(8)) {		/* else no SECS */
			argv[n] = below(6) ? token(n, PICK(bad_secs)) :
				  mutate(n, PICK(bad_secs));
			n++;
		}
		return n;
	default:
		argv[n] = token(n, PICK(((const char *[]){ "--bogus", "-x",
			"--dry-run=1", "--confirm=5", "--", "--DRY-RUN",
			"--dryrun", "--check=1", "-n" })));
		return n + 1;
	}
}

/* Fills argv[1..]: returns argc. */
static int gen(char **argv)
{
	int n = 1, k;
	char buf[64];

	switch (below(20)) {
	case 0: case 1: case 2: case 3:		/* a rule, near the grammar */
	case 4: case 5: case 6: case 7:
		argv[n] = token(n, below(10) ? PICK(((const char *[]){
			"add", "add", "del", "add_rule", "check-rule" })) :
			PICK(cmds));
		n++;
		if (below(8) == 0) {
			argv[n] = token(n, "any"); n++;
			argv[n] = token(n, below(6) ? "from" : PICK(words)); n++;
			if (below(10)) {
				argv[n] = below(5) ? token(n, PICK(prefixes)) :
					  any_word(n);
				n++;
			}
			if (below(4) == 0)
				n = log_words(argv, n);
			if (below(8) == 0)	/* refused: not on any from */
				n = limit_words(argv, n);
			break;
		}
		if (below(3)) {		/* mostly valid ports */
			unsigned int lo = 1 + below(65535);

			if (below(4))
				snprintf(buf, sizeof(buf), "%u", lo);
			else
				snprintf(buf, sizeof(buf), "%u-%u", lo,
					 lo + below(below(20) ? 40 : 70000));
			argv[n] = token(n, buf);
		} else {
			argv[n] = below(3) ? token(n, PICK(ports)) :
				  any_word(n);
		}
		n++;
		if (below(12)) {
			argv[n] = below(6) ? token(n, PICK(protos) [0] ?
				  PICK(((const char *[]){ "tcp", "udp",
				  "any" })) : "") : any_word(n);
			n++;
		}
		if (below(3) == 0) {
			argv[n] = token(n, PICK(dirs)); n++;
		}
		if (below(3) == 0) {
			argv[n] = token(n, below(8) ? "from" : PICK(words)); n++;
			if (below(10)) {
				argv[n] = below(4) ? token(n, PICK(prefixes)) :
					  any_word(n);
				n++;
			}
		}
		if (below(5) == 0)
			n = log_words(argv, n);
		if (below(5) == 0)
			n = limit_words(argv, n);
		if (below(6) == 0)
			for (k = below(3) + 1; k-- && n < MAXARGS - 1; n++)
				argv[n] = any_word(n);
		if (below(6) == 0) {	/* one word replaced by a near miss */
			k = 1 + below(n - 1);
			argv[k] = mutate(k, argv[k]);
		}
		break;
	case 8: case 9:				/* policy */
		if (below(5) == 0) {
			argv[n] = token(n, "check-rule");
			n++;
		}
		argv[n] = below(10) ? token(n, "policy") : any_word(n);
		n++;
		k = below(5);
		for (int i = 0; i < k && n < MAXARGS - 1; i++, n++)
			argv[n] = below(3) ? token(n, PICK(((const char *[]){
				"allow", "deny", "ephemeral", "dhcp", "nodhcp",
				"1000-2000", "32768-60999", "--json", "0-1",
				"2-1", "65535" }))) : any_word(n);
		break;
	case 10: case 11:			/* the other commands */
		argv[n] = token(n, PICK(((const char *[]){ "list", "stats",
			"flush", "check", "init", "unpin", "help", "--help",
			"-h", "stats", "save", "confirm", "rollback",
			"limits" })));
		n++;
		k = below(4) ? 0 : 1 + below(2);
		for (int i = 0; i < k; i++, n++)
			argv[n] = below(2) ? token(n, below(2) ? "--json" :
				  "--prometheus") : any_word(n);
		break;
	case 12: case 13: {			/* apply */
		int at;

		argv[n] = token(n, below(20) ? "apply" : PICK(cmds));
		n++;
		k = below(4);		/* options, around the FILE */
		at = below(k + 1);
		for (int i = 0; i <= k && n < MAXARGS - 2; i++) {
			if (i == at && below(12)) {
				argv[n] = apply_file(n);
				n++;
			} else if (i != at) {
				n = apply_option(argv, n);
			}
		}
		if (below(8) == 0) {	/* a second FILE, or junk */
			argv[n] = below(2) ? apply_file(n) : any_word(n);
			n++;
		}
		if (below(10) == 0) {	/* a word turned into a near miss */
			k = 1 + below(n - 1);
			argv[k] = mutate(k, argv[k]);
		}
		break;
	}
	case 14:				/* monitor (bounded: tame()) */
		if (below(4))
			goto other;
		argv[n] = token(n, "monitor");
		n++;
		if (below(3) == 0) {	/* valid: 1 s with no event */
			if (below(2)) {
				argv[n] = token(n, "--json");
				n++;
			}
			argv[n] = token(n, "--count");
			n++;
			argv[n] = token(n, "1");
			n++;
			break;
		}
		k = 1 + below(4);
		for (int i = 0; i < k; i++, n++)
			argv[n] = below(6) ? token(n, PICK(mon_words)) :
				  any_word(n);
		break;
	other:
		argv[n] = token(n, PICK(((const char *[]){ "save", "confirm",
			"rollback", "save", "confirm", "rollback", "apply" })));
		n++;
		if (below(4) == 0) {
			argv[n] = any_word(n);
			n++;
		}
		break;
	case 15:				/* nothing at all */
		if (below(4) == 0)
			break;
		/* fall through */
	default:				/* anything */
		k = below(MAXARGS - 2);
		for (int i = 0; i < k; i++, n++)
			argv[n] = any_word(n);
	}
	argv[n] = NULL;
	return n;
}

/* Could s be apply --confirm's SECS (1-86400)? Wider than rulectl's
 * check, which also refuses a sign. */
static int secs_ok(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	return !errno && *s && !*end && v >= 1 && v <= 86400;
}

/* Keeps a case from leaving something behind that acts later: a monitor
 * ends after 1 s at most ("--timeout 1" last: the last one counts), and an
 * apply never gets a --confirm that could succeed (its rollback timer
 * would change the state under a later case), unless --dry-run or --check
 * is there too (then rulectl refuses the mix, or reads --dry-run as a bad
 * SECS). Returns the new argc. */
static int tame(char **argv, int n)
{
	if (n < 2)
		return n;
	if (!strcmp(argv[1], "monitor")) {
		if (n > MAXARGS - 2)
			n = MAXARGS - 2;
		argv[n] = token(n, "--timeout");
		n++;
		argv[n] = token(n, "1");
		n++;
		argv[n] = NULL;
	}
	if (!strcmp(argv[1], "apply")) {
		for (int i = 2; i < n; i++)
			if (!strcmp(argv[i], "--dry-run") ||
			    !strcmp(argv[i], "--check"))
				return n;
		for (int i = 2; i + 1 < n; i++)
			if (!strcmp(argv[i], "--confirm") &&
			    secs_ok(argv[i + 1]))
				argv[i + 1] = token(i + 1, "0");
	}
	return n;
}

/* Does a case that succeeds only read? Then it changes nothing either. */
static int read_only(char **argv)
{
	static const char *const ro[] = {
		"list", "stats", "save", "check-rule", "check", "help", "-h",
		"--help", "monitor", "limits",
	};
	const char *c = argv[1] ? argv[1] : "";

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (!strcmp(c, ro[i]))
			return 1;
	if (!strcmp(c, "policy"))
		return !argv[2] || (!strcmp(argv[2], "--json") && !argv[3]);
	if (!strcmp(c, "apply"))
		for (int i = 2; argv[i]; i++)
			if (!strcmp(argv[i], "--dry-run") ||
			    !strcmp(argv[i], "--check"))
				return 1;
	return 0;
}

/* The rules files of apply, in a private directory. */
static int put_file(int which, const char *name, const void *text, size_t len)
{
	FILE *f;

	if (snprintf(files[which], sizeof(files[which]), "%s/%s", fuzzdir,
		     name) >= (int)sizeof(files[which])) {
		fprintf(stderr, "argvfuzz: %s: %s\n", fuzzdir,
			strerror(ENAMETOOLONG));
		return -1;
	}
	if (!text)
		return 0;		/* a name only */
	f = fopen(files[which], "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "argvfuzz: %s: %s\n", files[which],
			strerror(errno));
		return -1;
	}
	return 0;
}

#define PUT(which, name, text) put_file(which, name, text, sizeof(text) - 1)

static void remove_files(void)
{
	if (!fuzzdir[0])
		return;
	for (int i = 0; i < NFILES; i++)
		if (i != F_DIR)
			unlink(files[i]);
	rmdir(fuzzdir);
}

static int write_files(void)
{
	static char junk[4096], line[100001];
	const char *tmp = getenv("TMPDIR");

	snprintf(fuzzdir, sizeof(fuzzdir), "%s/argvfuzz.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fuzzdir)) {
		fprintf(stderr, "argvfuzz: mkdtemp %s: %s\n", fuzzdir,
			strerror(errno));
		fuzzdir[0] = '\0';
		return -1;
	}
	atexit(remove_files);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = below(256);
	memset(line, '1', sizeof(line) - 1);
	line[sizeof(line) - 2] = '\n';
	snprintf(files[F_DIR], sizeof(files[F_DIR]), "%s", fuzzdir);
	return PUT(F_GOOD1, "good1.rules",
		   "# argvfuzz: rule set 1\n"
		   "policy deny\n"
		   "8080 tcp\n"
		   "6000-6100 udp log\n"
		   "53 udp src\n"
		   "22 tcp from 198.18.0.0/15 log 5/s\n"
		   "any from 2001:db8::/32\n"
		   "443 any from 203.0.113.0/24\n"
		   "5353 udp src from 203.0.113.0/24 log 100000/s\n"
		   "8080 tcp	# said twice: once is enough\n") ||
	       PUT(F_GOOD2, "good2.rules",
		   "policy allow ephemeral 32768-60999 nodhcp\n"
		   "8080 tcp\n"
		   "7000-7010 any log 1/s\n"
		   "53 udp src log\n"
		   "22 tcp from 198.18.0.0/15\n"
		   "any from 2001:db8::/32 log\n"
		   "any from 10.0.0.0/8\n"
		   "1000-2000 udp from 10.1.0.0/16\n"
		   "9000 any dst from 2001:db8:1::/48 log 20/s\n") ||
	       PUT(F_EMPTY, "empty.rules", "# nothing\n\n") ||
	       PUT(F_BADPORT, "badport.rules", "8080 tcp\n0 udp\n") ||
	       PUT(F_OVERLAP, "overlap.rules",
		   "8000-8100 tcp\n9 udp\n8050 any\n") ||
	       PUT(F_POLICY2, "policy2.rules",
		   "policy deny\n80 tcp\npolicy allow\n") ||
	       PUT(F_BADLOG, "badlog.rules",
		   "80 tcp log\n81 tcp log 0/s\n82 tcp log 100001/s\n") ||
	       PUT(F_NUL, "nul.rules", "80 tcp\n81\0 tcp\n") ||
	       PUT(F_WORDS, "words.rules",
		   "80 tcp\n1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n") ||
	       PUT(F_HOSTBITS, "hostbits.rules", "22 tcp from 10.1.2.3/8\n") ||
	       put_file(F_RANDOM, "random.rules", junk, sizeof(junk)) ||
	       put_file(F_LONG, "long.rules", line, sizeof(line) - 1) ||
	       PUT(F_BADPOLICY, "badpolicy.rules",
		   "80 tcp\npolicy allow ephemeral 2-1\n") ||
	       put_file(F_MISSING, "missing.rules", NULL, 0) ? -1 : 0;
}

static void print_case(FILE *f, char **argv)
{
	for (int i = 0; argv[i]; i++) {
		fputs(i ? " '" : "'", f);
		for (const unsigned char *p = (unsigned char *)argv[i]; *p;
		     p++) {
			if (p - (unsigned char *)argv[i] > 200) {
				fprintf(f, "...(%zu bytes)", strlen(argv[i]));
				break;
			}
			if (*p == '\'' || *p == '\\' || *p < 32 || *p > 126)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
		fputc('\'', f);
	}
	fputc('\n', f);
}

/* Runs argv; returns the wait status, -1 on a hang. err gets stderr. */
static int run_case(char **argv, char *err, size_t *errlen, int leaks)
{
	int pipefd[2], status, dn;
	struct timespec t0, t;
	pid_t pid;

	*errlen = 0;
	if (pipe(pipefd))
		return -2;
	pid = fork();
	if (pid < 0)
		return -2;
	if (!pid) {
		dn = open("/dev/null", O_RDWR);
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		if (leaks) {	/* LeakSanitizer on this case */
			const char *o = getenv("ASAN_OPTIONS");
			char opts[1024];

			snprintf(opts, sizeof(opts), "%s%sdetect_leaks=1",
				 o ? o : "", o && *o ? ":" : "");
			setenv("ASAN_OPTIONS", opts, 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = { pipefd[0], POLLIN, 0 };
		char buf[4096];
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(pipefd[0]);
			return -1;
		}
		if (poll(&pf, 1, 1000) <= 0)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (*errlen + n < ERRCAP) {
			memcpy(err + *errlen, buf, n);
			*errlen += n;
		}
	}
	close(pipefd[0]);
	err[*errlen] = '\0';
	waitpid(pid, &status, 0);
	return status;
}

/* The state as a hash: config (both sets' settings, the active set, a
 * pending confirmation), every rule record, the prefix tries (both sets)
 * and the counters and log rates of the rules in use. The port slots and
 * prefix port slots are not hashed here: st_check() proves they are
 * exactly what the rule records say, so unchanged records and a clean
 * check mean unchanged slots. */
static __u32 rd_hi = 256;		/* records read per case */

static int state_hash(struct xf_maps *m, __u64 *h)
{
	static struct xf_rule rd[XF_MAX_RULES];
	static __u32 keys[XF_MAX_RULES];
	struct xf_count v[m->ncpus];
	__u32 zero = 0, n, out, count, top = 0;
	struct xf_config cfg;
	__u64 s;

	if (bpf_map_lookup_elem(m->fd[XF_M_CONFIG], &zero, &cfg))
		return -1;
again:
	/* The records up to a margin past the highest id in use: ids are
	 * given lowest first, and st_check() (every K cases) proves every
	 * record past them is zero. */
	memset(rd, 0, sizeof(rd));
	count = rd_hi;
	if (bpf_map_lookup_batch(m->fd[XF_M_RULES], NULL, &out, keys, rd,
				 &count, NULL) && errno != ENOENT)
		return -1;
	for (__u32 id = 1; id < count; id++)
		if (rd[id].sets)
			top = id;
	if (rd_hi < XF_MAX_RULES && top + 128 > rd_hi) {
		rd_hi = top + 256 < XF_MAX_RULES ? top + 256 : XF_MAX_RULES;
		goto again;
	}
	*h = st_fnv(FNV_OFF, &cfg, sizeof(cfg));
	*h = st_fnv(*h, rd, sizeof(*rd) * count);
	for (int i = XF_M_PFX4; i <= XF_M_PFX6; i++) {
		const struct xf_map_spec *sp = &xf_map_specs[i];

		if (st_map_sum(m->fd[i], sp->key_size, sp->value_size,
			       sp->max_entries, 0, &s, &n))
			return -1;
		*h = st_fnv(*h, &s, sizeof(s));
		*h = st_fnv(*h, &n, sizeof(n));
	}
	for (__u32 id = 1; id < count; id++) {
		struct xf_rlog b;

		if (!rd[id].sets)
			continue;
		if (bpf_map_lookup_elem(m->fd[XF_M_RCOUNT], &id, v) ||
		    bpf_map_lookup_elem(m->fd[XF_M_RLOG], &id, &b))
			return -1;
		*h = st_fnv(*h, &id, sizeof(id));
		*h = st_fnv(*h, v, sizeof(v));
		/* the rate; the bucket's state is the packets' */
		*h = st_fnv(*h, &b.rate, sizeof(b.rate));
	}
	return 0;
}

/* Gives every existing rule non-zero counters (different per CPU). */
static void seed_counters(struct xf_maps *m)
{
	struct xf_count v[m->ncpus];

	if (xf_read_rules(m))
		return;
	for (__u32 id = 1; id < XF_MAX_RULES; id++) {
		if (!m->rules[id].sets)
			continue;
		for (int c = 0; c < m->ncpus; c++) {
			v[c].packets = 1000 * id + c + 1;
			v[c].bytes = 64000 * id + c + 1;
		}
		bpf_map_update_elem(m->fd[XF_M_RCOUNT], &id, v, BPF_ANY);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: argvfuzz [-s SEED] [-n CASES] [-t SECONDS]"
		" [-k CHECK_EVERY] [-L LEAK_EVERY] [-v] [-S RULE_SH [-e EVERY]]"
		" RULECTL\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *rulesh = NULL;
	long cases = 10000, every = 10, full_every = 100, leak_every = 0, secs = 0, i;
	long ex[3] = { 0 }, via_sh = 0, crashes = 0, silent = 0, changes = 0;
	long window_start = 0, checks = 0;
	__u64 seed, lh, lh2;
	__u32 nrules_end = 0;
	int verbose = 0, opt;
	static char err[ERRCAP + 1];
	struct timespec t0, t;
	struct xf_maps m;
	char *cargv[MAXARGS + 1];

	clock_gettime(CLOCK_REALTIME, &t0);
	seed = (__u64)t0.tv_nsec ^ ((__u64)t0.tv_sec << 20) ^ getpid();
	while ((opt = getopt(argc, argv, "s:n:t:k:e:S:L:v")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': cases = atol(optarg); break;
		case 't': secs = atol(optarg); break;
		case 'k': full_every = atol(optarg); break;
		case 'e': every = atol(optarg); break;
		case 'S': rulesh = optarg; break;
		case 'v': verbose = 1; break;
		case 'L': leak_every = atol(optarg); break;
		default: return usage();
		}
	}
	if (argc - optind != 1 || cases < 1 || every < 1 || full_every < 1)
		return usage();
	rng = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("argvfuzz: seed %llu (replay: argvfuzz -s %llu -n %ld%s%s)\n",
	       (unsigned long long)seed, (unsigned long long)seed, cases,
	       rulesh ? " -S " : "", rulesh ? rulesh : "");
	xf_prog = "argvfuzz";
	if (write_files() || xf_init() || xf_open_maps(&m, 0))
		return 1;
	seed_counters(&m);
	if (state_hash(&m, &lh))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cases; i++) {
		int use_sh = rulesh && i % every == every - 1, status, code;
		struct xf_config cfg;
		__u32 nrules, zero = 0;
		size_t errlen;
		int ro;

		tame(cargv, gen(cargv));
		cargv[0] = (char *)(use_sh ? rulesh : argv[optind]);
		ro = read_only(cargv);
		via_sh += use_sh;
		if (verbose) {
			printf("case %ld: ", i);
			print_case(stdout, cargv);
		}
		status = run_case(cargv, err, &errlen, leak_every && i % leak_every == 0);
		if (status == -2) {
			perror("argvfuzz: fork");
			return 1;
		}
		code = status == -1 ? -1 : WIFEXITED(status) ?
		       WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (code < 0 || code > 2 || strstr(err, "Sanitizer") ||
		    strstr(err, "runtime error") || strstr(err, "libbpf")) {
			crashes++;
			fprintf(stderr, "argvfuzz: case %ld (seed %llu): %s %d:"
				" ", i, (unsigned long long)seed,
				code < 0 ? "hang, killed after 10 s" :
				"exit status", code);
			print_case(stderr, cargv);
			fprintf(stderr, "%.4000s\n", err);
		} else {
			ex[code]++;
		}
		if (code > 0 && !errlen) {
			silent++;
			fprintf(stderr, "argvfuzz: case %ld: exit %d with"
				" nothing on stderr: ", i, code);
			print_case(stderr, cargv);
		}
		if (state_hash(&m, &lh2)) {
			fprintf(stderr, "argvfuzz: case %ld left the pins"
				" unreadable (%s): ", i, strerror(errno));
			print_case(stderr, cargv);
			changes++;
			i++;
			break;
		}
		if ((code != 0 || ro) && lh2 != lh) {
			changes++;
			fprintf(stderr, "argvfuzz: case %ld exit %d%s changed"
				" the rules, their counters or log rates, the"
				" policy, the rule sets or the prefixes: ", i,
				code, code ? "" : " (it only reads)");
			print_case(stderr, cargv);
		}
		lh = lh2;
		/* an apply --confirm got through tame(): its timer would
		 * roll back under a later case, so it is rolled back now */
		if (bpf_map_lookup_elem(m.fd[XF_M_CONFIG], &zero, &cfg))
			return 1;
		if (cfg.confirm_by) {
			char *rb[] = { argv[optind], "rollback", NULL };

			changes++;
			fprintf(stderr, "argvfuzz: case %ld exit %d left an"
				" apply --confirm pending (rolled back): ", i,
				code);
			print_case(stderr, cargv);
			run_case(rb, err, &errlen, 0);
		}
		if (code == 0 && !ro) {
			seed_counters(&m);	/* new rules count from 0 */
			if (state_hash(&m, &lh))
				return 1;
		}
		/* slots agree with the records: with the records unchanged,
		 * so are the slots (a window of K cases) */
		if (i % full_every == full_every - 1 || i == cases - 1) {
			if (st_check(&m, &nrules, NULL)) {
				changes++;
				fprintf(stderr, "argvfuzz: the maps disagree"
					" after cases %ld..%ld (replay with"
					" -k 1)\n", window_start, i);
			}
			window_start = i + 1;
			checks++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (secs && t.tv_sec - t0.tv_sec >= secs) {
			i++;
			break;
		}
	}
	if (st_check(&m, &nrules_end, NULL))
		changes++;
	clock_gettime(CLOCK_MONOTONIC, &t);
	printf("cases %ld exit0 %ld exit1 %ld exit2 %ld via_rule_sh %ld"
	       " crashes %ld silent %ld state_changes %ld consistency_checks %ld"
	       " rules_at_end %u seconds %.1f\n",
	       i, ex[0], ex[1], ex[2], via_sh, crashes, silent, changes,
	       checks + 1, nrules_end,
	       t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9);
	xf_close_maps(&m);
	return crashes || silent || changes ? 1 : 0;
}
