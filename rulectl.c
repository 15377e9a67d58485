// SPDX-License-Identifier: GPL-2.0
/* rulectl - edit and read the pinned maps of xdp_filter.
 *
 * Arguments are validated before the kernel is touched, so a usage error
 * (exit 2) never changes anything and can be tested without root. Runtime
 * failures exit 1 with "rulectl: <object>: <reason>" and, when the cause is
 * known, what to do about it. Data goes to stdout, diagnostics to stderr.
 * Only <bpf/bpf.h> is used: ip(8) loads the object, we only edit its maps.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_maps.h"

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
		xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, xf_prog, XF_PIN_DIR);
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

static struct xf_rule *load_rules(struct xf_maps *m)
{
	struct xf_rule *rules = calloc(XF_RULE_SLOTS, sizeof(*rules));

	if (!rules) {
		fprintf(stderr, "%s: %s\n", xf_prog, strerror(errno));
		return NULL;
	}
	if (read_rules(m->fd[SPEC_RULES], rules)) {
		fprintf(stderr, "%s: read %s: %s\n", xf_prog, XF_MAP_RULES,
			strerror(errno));
		free(rules);
		return NULL;
	}
	return rules;
}

static int cmd_flush(struct xf_maps *m)
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
			fprintf(stderr, "%s: flush: slot %u: %s\n", xf_prog, slot,
				strerror(errno));
			ret = 1;
		}
	}
	free(rules);
	return ret;
}

static int cmd_list(struct xf_maps *m, int json)
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
			if (xf_read_count(m->fd[SPEC_RCOUNT], slot, &c)) {
				fprintf(stderr, "%s: read %s: %s\n", xf_prog,
					XF_MAP_RCOUNT, strerror(errno));
				free(rules);
				return 1;
			}
			if (json)
				printf("%s\n  {\"port\": %u, \"proto\": \"%s\","
				       " \"packets\": %llu, \"bytes\": %llu}",
				       n ? "," : "", port, xf_proto_names[p],
				       (unsigned long long)c.packets,
				       (unsigned long long)c.bytes);
			else
				printf("%u %s %llu %llu\n", port,
				       xf_proto_names[p],
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

static int cmd_stats(struct xf_maps *m, int json)
{
	struct xf_count c[XF_R_MAX];

	for (__u32 r = 0; r < XF_R_MAX; r++) {
		if (xf_read_count(m->fd[SPEC_STATS], r, &c[r])) {
			fprintf(stderr, "%s: read %s: %s\n", xf_prog,
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

		xf_pin_path(path, xf_specs[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!map_id(fd, &ids[n]))
			n++;
		close(fd);
	}
	if (!n) {
		printf("no pins under %s\n", xf_pin_dir);
		return 0;
	}
	used = prog_using(ids, n, &pid);
	if (used < 0) {
		fprintf(stderr, "%s: listing programs: %s\n", xf_prog,
			strerror(errno));
		return 1;
	}
	if (used) {
		printf("pins kept: program id %u still uses them\n", pid);
		return 0;
	}
	for (size_t i = 0; i < NSPECS; i++) {
		char path[PATH_MAX];

		xf_pin_path(path, xf_specs[i].name);
		if (unlink(path) && errno != ENOENT) {
			fprintf(stderr, "%s: %s: %s\n", xf_prog, path,
				strerror(errno));
			ret = 1;
		}
	}
	if (!ret)
		printf("pins removed from %s: the rules are gone\n", xf_pin_dir);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL, *env;
	__u32 port = 0, pidx = 0;
	int json = 0, ret;
	struct xf_maps m;

	env = strrchr(argv[0], '/');
	xf_prog = env ? env + 1 : argv[0];
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
			return xf_bad_usage("%s needs PORT and tcp|udp", cmd);
		ret = xf_parse_rule(argv[2], argv[3], &port, &pidx);
		if (ret)
			return ret;
	} else if (!strcmp(cmd, "list") || !strcmp(cmd, "stats")) {
		if (argc > 3)
			return xf_bad_usage("unexpected argument '%s'", argv[3]);
		if (argc == 3 && strcmp(argv[2], "--json"))
			return xf_bad_usage("bad argument '%s' (expected --json)",
					 argv[2]);
		json = argc == 3;
	} else if (!strcmp(cmd, "flush") || !strcmp(cmd, "check") ||
		   !strcmp(cmd, "init") || !strcmp(cmd, "unpin")) {
		if (argc != 2)
			return xf_bad_usage("unexpected argument '%s'", argv[2]);
	} else {
		return xf_bad_usage("unknown command '%s'", cmd);
	}

	ret = xf_init();
	if (ret)
		return ret;

	if (!strcmp(cmd, "unpin"))
		return cmd_unpin();
	if (!strcmp(cmd, "check")) {
		/* Before attach: no pins is fine, wrong pins are not. */
		if (xf_open_maps(&m, 1))
			return errno == ENOENT ? 0 : 1;
		xf_close_maps(&m);
		return 0;
	}
	if (xf_open_maps(&m, 0))
		return 1;
	if (!strcmp(cmd, "del"))
		ret = xf_rule_del(&m, pidx, port);
	else if (!strcmp(cmd, "flush"))
		ret = cmd_flush(&m);
	else if (!strcmp(cmd, "list"))
		ret = cmd_list(&m, json);
	else if (!strcmp(cmd, "stats"))
		ret = cmd_stats(&m, json);
	else if (!strcmp(cmd, "init"))
		ret = xf_stamp_abi(&m);
	else
		ret = xf_rule_add(&m, pidx, port);
	xf_close_maps(&m);
	return ret;
}
