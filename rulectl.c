// SPDX-License-Identifier: GPL-2.0
/* rulectl - edit and read the pinned maps of xdp_filter.
 *
 * Arguments are validated before the kernel is touched, so a usage error
 * (exit 2) never changes anything and can be tested without root. Runtime
 * failures exit 1 with "rulectl: <object>: <reason>" and, when the cause is
 * known, what to do about it. Data goes to stdout, diagnostics to stderr.
 * Only <bpf/bpf.h> is used: ip(8) loads the object, we only edit its maps.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xdp_filter.h"

#define BPF_FS_MAGIC	0xcafe4a11

static const char *prog = "rulectl";

/* Indexed by enum xf_reason. */
static const struct {
	const char *name;
	const char *action;
} xf_reasons[XF_R_MAX] = {
	[XF_R_PASSED]	 = { "passed",	  "pass" },
	[XF_R_DROPPED]	 = { "dropped",	  "drop" },
	[XF_R_MALFORMED] = { "malformed", "drop" },
	[XF_R_FRAGMENT]	 = { "fragment",  "pass" },
	[XF_R_NON_IP]	 = { "non_ip",	  "pass" },
	[XF_R_OTHER_L4]	 = { "other_l4",  "pass" },
};

static const char *const proto_names[XF_P_MAX] = {
	[XF_P_TCP] = "tcp",
	[XF_P_UDP] = "udp",
};

/* What every pinned map must look like; a pin from another layout is
 * refused with a way forward instead of being misread. */
static const struct map_spec {
	const char *name;
	__u32 type, key_size, value_size, max_entries;
} specs[] = {
#define SPEC_RULES	0
	{ XF_MAP_RULES, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
	  sizeof(struct xf_rule), XF_RULE_SLOTS },
#define SPEC_RCOUNT	1
	{ XF_MAP_RCOUNT, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
	  sizeof(struct xf_count), XF_RULE_SLOTS },
#define SPEC_STATS	2
	{ XF_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
	  sizeof(struct xf_count), XF_R_MAX },
#define SPEC_CONFIG	3
	{ XF_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
	  sizeof(struct xf_config), 1 },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static char pin_dir[PATH_MAX] = XF_PIN_DIR;
static int ncpus;

/* path = pin_dir/name; XF_PIN_DIR is checked to fit, so this cannot cut. */
static void pin_path(char *path, const char *name)
{
	if (snprintf(path, PATH_MAX, "%s/%s", pin_dir, name) >= PATH_MAX)
		path[0] = '\0';
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s add PORT tcp|udp     drop packets to PORT (1-65535)\n"
		"       %s del PORT tcp|udp     remove that rule\n"
		"       %s flush                remove every rule\n"
		"       %s list [--json]        rules: PORT PROTO PACKETS BYTES\n"
		"       %s stats [--json]       counters per reason\n"
		"       %s add_rule PORT PROTO  same as add\n"
		"       %s check | init | unpin (used by scripts/attach.sh)\n"
		"       %s -h | --help\n"
		"Maps are read from %s (XF_PIN_DIR overrides).\n"
		"Exit status: 0 ok, 1 runtime failure, 2 bad usage or input.\n",
		prog, prog, prog, prog, prog, prog, prog, prog, XF_PIN_DIR);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fprintf(stderr, "Try '%s --help'.\n", prog);
	return 2;
}

/* 1-65535, digits only: rejects "", "-1", "+1", " 1", "8080x", "0x50". */
static int parse_port(const char *s, __u32 *port)
{
	unsigned long v;
	char *end;
	const char *p;

	if (!*s)
		return -1;
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

static int parse_proto(const char *s, __u32 *pidx)
{
	for (__u32 i = 0; i < XF_P_MAX; i++) {
		if (!strcmp(s, proto_names[i])) {
			*pidx = i;
			return 0;
		}
	}
	return -1;
}

/* Possible CPUs, as the kernel sizes per-CPU values: "0-3" or "0,2-5". */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = 0, a, b;
	char sep;

	if (!f)
		return -1;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = '\n';
		}
		n += b - a + 1;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n > 0 ? n : -1;
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && (unsigned long)st.f_type == BPF_FS_MAGIC;
}

static void explain_open_error(const char *path, int err)
{
	fprintf(stderr, "%s: %s: %s", prog, path, strerror(err));
	if (err == ENOENT && !is_bpffs("/sys/fs/bpf"))
		fprintf(stderr, " (bpffs is not mounted at /sys/fs/bpf: run"
			" 'make attach DEV=IF', which mounts it)\n");
	else if (err == ENOENT)
		fprintf(stderr, " (is the filter attached? run"
			" 'make attach DEV=IF' first)\n");
	else if (err == EPERM || err == EACCES)
		fprintf(stderr, " (run as root)\n");
	else
		fputc('\n', stderr);
}

/* Opens one pinned map and checks it has the layout this build expects. */
static int open_map(const struct map_spec *s, int quiet_enoent)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	pin_path(path, s->name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = errno;
		if (!(quiet_enoent && err == ENOENT))
			explain_open_error(path, err);
		errno = err;
		return -1;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = errno;
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(err));
		close(fd);
		errno = err;
		return -1;
	}
	if (info.type != s->type || info.key_size != s->key_size ||
	    info.value_size != s->value_size ||
	    info.max_entries != s->max_entries) {
		fprintf(stderr,
			"%s: %s: pinned map has another layout (type %u key %u"
			" value %u entries %u, this build expects %u/%u/%u/%u):"
			" it was made by another version of xdp_filter.\n"
			"  Way forward: 'make detach DEV=IF' on every interface"
			" that uses it (or rm %s/xf_*), then attach again."
			" Its rules are lost; save them first with '%s list'.\n",
			prog, path, info.type, info.key_size, info.value_size,
			info.max_entries, s->type, s->key_size, s->value_size,
			s->max_entries, pin_dir, prog);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

struct maps {
	int fd[NSPECS];
};

static void close_maps(struct maps *m)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
}

/* Opens all maps and checks the ABI stamp. quiet_enoent: missing pins are
 * not an error to report (check before the first attach). */
static int open_maps(struct maps *m, int quiet_enoent)
{
	struct xf_config cfg = {};
	__u32 zero = 0;

	for (size_t i = 0; i < NSPECS; i++)
		m->fd[i] = -1;
	for (size_t i = 0; i < NSPECS; i++) {
		m->fd[i] = open_map(&specs[i], quiet_enoent);
		if (m->fd[i] < 0) {
			int err = errno;

			close_maps(m);
			errno = err;
			return -1;
		}
	}
	if (bpf_map_lookup_elem(m->fd[SPEC_CONFIG], &zero, &cfg)) {
		fprintf(stderr, "%s: read %s: %s\n", prog, XF_MAP_CONFIG,
			strerror(errno));
		close_maps(m);
		return -1;
	}
	if (cfg.abi && cfg.abi != XF_ABI_VERSION) {
		fprintf(stderr,
			"%s: %s/%s: pins carry ABI version %u, this build is"
			" version %u.\n  Way forward: 'make detach DEV=IF' on"
			" every interface that uses them, then attach again"
			" (rules are lost; save them with '%s list').\n",
			prog, pin_dir, XF_MAP_CONFIG, cfg.abi, XF_ABI_VERSION,
			prog);
		close_maps(m);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Reads the whole verdict table with batch lookups: one syscall per
 * batch instead of one per slot. */
static int read_rules(int fd, struct xf_rule *rules)
{
	static __u32 keys[XF_RULE_SLOTS];
	struct xf_rule *vals = rules;
	__u32 out, count, done = 0;
	void *in = NULL;
	int err;

	while (done < XF_RULE_SLOTS) {
		count = XF_RULE_SLOTS - done;
		err = bpf_map_lookup_batch(fd, in, &out, keys + done,
					   vals + done, &count, NULL);
		if (err && errno != ENOENT)
			return -1;
		done += count;
		if (err)		/* ENOENT: reached the end */
			break;
		in = &out;
	}
	/* Array batches come back in key order, but do not rely on it. */
	if (done != XF_RULE_SLOTS) {
		errno = EIO;
		return -1;
	}
	for (__u32 i = 0; i < XF_RULE_SLOTS; i++) {
		if (keys[i] != i) {
			struct xf_rule *tmp = calloc(XF_RULE_SLOTS,
						     sizeof(*tmp));

			if (!tmp)
				return -1;
			for (__u32 j = 0; j < XF_RULE_SLOTS; j++)
				tmp[keys[j] % XF_RULE_SLOTS] = rules[j];
			memcpy(rules, tmp, XF_RULE_SLOTS * sizeof(*tmp));
			free(tmp);
			break;
		}
	}
	return 0;
}

/* Sums one per-CPU xf_count slot. */
static int read_count(int fd, __u32 key, struct xf_count *sum)
{
	struct xf_count vals[ncpus];

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, vals))
		return -1;
	for (int i = 0; i < ncpus; i++) {
		sum->packets += vals[i].packets;
		sum->bytes += vals[i].bytes;
	}
	return 0;
}

static int cmd_add(struct maps *m, __u32 pidx, __u32 port)
{
	struct xf_rule rule = { .flags = XF_RULE_DROP }, cur = {};
	__u32 slot = xf_slot(pidx, port);
	struct xf_count zero[ncpus];

	if (bpf_map_lookup_elem(m->fd[SPEC_RULES], &slot, &cur))
		goto fail;
	if (cur.flags & XF_RULE_DROP)
		return 0;		/* re-adding keeps the old counters */
	/* A new rule starts from zero, not from a deleted rule's counts;
	 * zero them before the rule can count anything. */
	memset(zero, 0, sizeof(zero));
	if (bpf_map_update_elem(m->fd[SPEC_RCOUNT], &slot, zero, BPF_ANY))
		goto fail;
	if (bpf_map_update_elem(m->fd[SPEC_RULES], &slot, &rule, BPF_ANY))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "%s: add %u %s: %s\n", prog, port, proto_names[pidx],
		strerror(errno));
	return 1;
}

static int cmd_del(struct maps *m, __u32 pidx, __u32 port)
{
	struct xf_rule rule = {}, cur = {};
	__u32 slot = xf_slot(pidx, port);

	if (bpf_map_lookup_elem(m->fd[SPEC_RULES], &slot, &cur))
		goto fail;
	if (!(cur.flags & XF_RULE_DROP)) {
		fprintf(stderr, "%s: del %u %s: no such rule (see '%s list')\n",
			prog, port, proto_names[pidx], prog);
		return 1;
	}
	if (bpf_map_update_elem(m->fd[SPEC_RULES], &slot, &rule, BPF_ANY))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "%s: del %u %s: %s\n", prog, port, proto_names[pidx],
		strerror(errno));
	return 1;
}

static struct xf_rule *load_rules(struct maps *m)
{
	struct xf_rule *rules = calloc(XF_RULE_SLOTS, sizeof(*rules));

	if (!rules) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		return NULL;
	}
	if (read_rules(m->fd[SPEC_RULES], rules)) {
		fprintf(stderr, "%s: read %s: %s\n", prog, XF_MAP_RULES,
			strerror(errno));
		free(rules);
		return NULL;
	}
	return rules;
}

static int cmd_flush(struct maps *m)
{
	struct xf_rule *rules = load_rules(m), none = {};
	int ret = 0;

	if (!rules)
		return 1;
	for (__u32 slot = 0; slot < XF_RULE_SLOTS; slot++) {
		if (!rules[slot].flags)
			continue;
		if (bpf_map_update_elem(m->fd[SPEC_RULES], &slot, &none,
					BPF_ANY)) {
			fprintf(stderr, "%s: flush: slot %u: %s\n", prog, slot,
				strerror(errno));
			ret = 1;
		}
	}
	free(rules);
	return ret;
}

static int cmd_list(struct maps *m, int json)
{
	struct xf_rule *rules = load_rules(m);
	struct xf_count c;
	int n = 0;

	if (!rules)
		return 1;
	if (json)
		printf("[");
	/* Port order, tcp before udp, whatever the slot layout. */
	for (__u32 port = 1; port < XF_PORTS; port++) {
		for (__u32 p = 0; p < XF_P_MAX; p++) {
			__u32 slot = xf_slot(p, port);

			if (!(rules[slot].flags & XF_RULE_DROP))
				continue;
			if (read_count(m->fd[SPEC_RCOUNT], slot, &c)) {
				fprintf(stderr, "%s: read %s: %s\n", prog,
					XF_MAP_RCOUNT, strerror(errno));
				free(rules);
				return 1;
			}
			if (json)
				printf("%s\n  {\"port\": %u, \"proto\": \"%s\","
				       " \"packets\": %llu, \"bytes\": %llu}",
				       n ? "," : "", port, proto_names[p],
				       (unsigned long long)c.packets,
				       (unsigned long long)c.bytes);
			else
				printf("%u %s %llu %llu\n", port,
				       proto_names[p],
				       (unsigned long long)c.packets,
				       (unsigned long long)c.bytes);
			n++;
		}
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(rules);
	return 0;
}

static int cmd_stats(struct maps *m, int json)
{
	struct xf_count c[XF_R_MAX];

	for (__u32 r = 0; r < XF_R_MAX; r++) {
		if (read_count(m->fd[SPEC_STATS], r, &c[r])) {
			fprintf(stderr, "%s: read %s: %s\n", prog,
				XF_MAP_STATS, strerror(errno));
			return 1;
		}
	}
	if (!json)
		printf("%-10s %-6s %20s %20s\n", "reason", "action", "packets",
		       "bytes");
	else
		printf("{");
	for (__u32 r = 0; r < XF_R_MAX; r++) {
		if (json)
			printf("%s\n  \"%s\": {\"action\": \"%s\","
			       " \"packets\": %llu, \"bytes\": %llu}",
			       r ? "," : "", xf_reasons[r].name,
			       xf_reasons[r].action,
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes);
		else
			printf("%-10s %-6s %20llu %20llu\n", xf_reasons[r].name,
			       xf_reasons[r].action,
			       (unsigned long long)c[r].packets,
			       (unsigned long long)c[r].bytes);
	}
	if (json)
		printf("\n}\n");
	return 0;
}

/* Stamps the ABI version into fresh pins (attach calls this). */
static int cmd_init(struct maps *m)
{
	struct xf_config cfg = { .abi = XF_ABI_VERSION };
	__u32 zero = 0;

	if (bpf_map_update_elem(m->fd[SPEC_CONFIG], &zero, &cfg, BPF_ANY)) {
		fprintf(stderr, "%s: write %s: %s\n", prog, XF_MAP_CONFIG,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int map_id(int fd, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*id = info.id;
	return 0;
}

/* Returns the id of a loaded program that uses one of our maps, 0 if none,
 * or -1 on error. */
static int prog_using(const __u32 *ids, size_t nids, __u32 *prog_id)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info), nmaps, maps[64];
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* freed since get_next_id */
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		nmaps = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = nmaps;
		info.map_ids = (__u64)(unsigned long)maps;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		for (__u32 i = 0; i < nmaps; i++)
			for (size_t j = 0; j < nids; j++)
				if (maps[i] == ids[j]) {
					*prog_id = id;
					return 1;
				}
	}
	if (errno != ENOENT)
		return -1;
	return 0;
}

/* Removes our pins once no program uses the maps (detach calls this). */
static int cmd_unpin(void)
{
	__u32 ids[NSPECS], pid = 0;
	size_t n = 0;
	int ret = 0, used;

	for (size_t i = 0; i < NSPECS; i++) {
		char path[PATH_MAX];
		int fd;

		pin_path(path, specs[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!map_id(fd, &ids[n]))
			n++;
		close(fd);
	}
	if (!n) {
		printf("no pins under %s\n", pin_dir);
		return 0;
	}
	used = prog_using(ids, n, &pid);
	if (used < 0) {
		fprintf(stderr, "%s: listing programs: %s\n", prog,
			strerror(errno));
		return 1;
	}
	if (used) {
		printf("pins kept: program id %u still uses them\n", pid);
		return 0;
	}
	for (size_t i = 0; i < NSPECS; i++) {
		char path[PATH_MAX];

		pin_path(path, specs[i].name);
		if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "%s: %s: %s\n", prog, path,
				strerror(errno));
			ret = 1;
		}
	}
	if (!ret)
		printf("pins removed from %s: the rules are gone\n", pin_dir);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL, *env;
	__u32 port = 0, pidx = 0;
	int json = 0, ret;
	struct maps m;

	env = strrchr(argv[0], '/');
	prog = env ? env + 1 : argv[0];
	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}

	/* Validate everything before touching the kernel. */
	if (!strcmp(cmd, "add") || !strcmp(cmd, "add_rule") ||
	    !strcmp(cmd, "del")) {
		if (argc != 4)
			return bad_usage("%s needs PORT and tcp|udp", cmd);
		if (parse_port(argv[2], &port))
			return bad_usage("bad port '%s' (expected 1-65535)",
					 argv[2]);
		if (parse_proto(argv[3], &pidx))
			return bad_usage("bad protocol '%s' (expected tcp or udp)",
					 argv[3]);
	} else if (!strcmp(cmd, "list") || !strcmp(cmd, "stats")) {
		if (argc > 3)
			return bad_usage("unexpected argument '%s'", argv[3]);
		if (argc == 3 && strcmp(argv[2], "--json"))
			return bad_usage("bad argument '%s' (expected --json)",
					 argv[2]);
		json = argc == 3;
	} else if (!strcmp(cmd, "flush") || !strcmp(cmd, "check") ||
		   !strcmp(cmd, "init") || !strcmp(cmd, "unpin")) {
		if (argc != 2)
			return bad_usage("unexpected argument '%s'", argv[2]);
	} else {
		return bad_usage("unknown command '%s'", cmd);
	}

	env = getenv("XF_PIN_DIR");
	if (env && *env) {
		if (strlen(env) > PATH_MAX - 32)
			return bad_usage("XF_PIN_DIR '%s' is too long", env);
		strcpy(pin_dir, env);
	}
	ncpus = possible_cpus();
	if (ncpus < 1) {
		fprintf(stderr, "%s: /sys/devices/system/cpu/possible: %s\n",
			prog, strerror(errno ? errno : EINVAL));
		return 1;
	}

	if (!strcmp(cmd, "unpin"))
		return cmd_unpin();
	if (!strcmp(cmd, "check")) {
		/* Before attach: no pins is fine, wrong pins are not. */
		if (open_maps(&m, 1))
			return errno == ENOENT ? 0 : 1;
		close_maps(&m);
		return 0;
	}
	if (open_maps(&m, 0))
		return 1;
	if (!strcmp(cmd, "del"))
		ret = cmd_del(&m, pidx, port);
	else if (!strcmp(cmd, "flush"))
		ret = cmd_flush(&m);
	else if (!strcmp(cmd, "list"))
		ret = cmd_list(&m, json);
	else if (!strcmp(cmd, "stats"))
		ret = cmd_stats(&m, json);
	else if (!strcmp(cmd, "init"))
		ret = cmd_init(&m);
	else
		ret = cmd_add(&m, pidx, port);
	close_maps(&m);
	return ret;
}
