// SPDX-License-Identifier: GPL-2.0
/* xf_maps.c - see xf_maps.h. Only <bpf/bpf.h>: the pins are edited, never
 * loaded, here.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_maps.h"

#define BPF_FS_MAGIC	0xcafe4a11

const char *xf_prog = "rulectl";

const char *const xf_proto_names[XF_P_MAX] = {
	[XF_P_TCP] = "tcp",
	[XF_P_UDP] = "udp",
};

/* What every pinned map must look like; a pin from another layout is
 * refused with a way forward instead of being misread. */
const struct map_spec xf_specs[NSPECS] = {
	[SPEC_RULES] = { XF_MAP_RULES, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct xf_rule), XF_RULE_SLOTS },
	[SPEC_RCOUNT] = { XF_MAP_RCOUNT, BPF_MAP_TYPE_PERCPU_ARRAY,
			  sizeof(__u32), sizeof(struct xf_count),
			  XF_RULE_SLOTS },
	[SPEC_STATS] = { XF_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
			 sizeof(__u32), sizeof(struct xf_count), XF_R_MAX },
	[SPEC_CONFIG] = { XF_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			  sizeof(struct xf_config), 1 },
};

char xf_pin_dir[PATH_MAX] = XF_PIN_DIR;
int xf_ncpus;

/* path = xf_pin_dir/name; XF_PIN_DIR is checked to fit, so this cannot cut. */
void xf_pin_path(char *path, const char *name)
{
	if (snprintf(path, PATH_MAX, "%s/%s", xf_pin_dir, name) >= PATH_MAX)
		path[0] = '\0';
}

int xf_bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", xf_prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fprintf(stderr, "Try '%s --help'.\n", xf_prog);
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
		if (!strcmp(s, xf_proto_names[i])) {
			*pidx = i;
			return 0;
		}
	}
	return -1;
}

int xf_parse_rule(const char *port_s, const char *proto_s, __u32 *port,
		  __u32 *pidx)
{
	if (parse_port(port_s, port))
		return xf_bad_usage("bad port '%s' (expected 1-65535)", port_s);
	if (parse_proto(proto_s, pidx))
		return xf_bad_usage("bad protocol '%s' (expected tcp or udp)",
				    proto_s);
	return 0;
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

int xf_init(void)
{
	const char *env = getenv("XF_PIN_DIR");

	if (env && *env) {
		if (strlen(env) > PATH_MAX - 32)
			return xf_bad_usage("XF_PIN_DIR '%s' is too long", env);
		strcpy(xf_pin_dir, env);
	}
	xf_ncpus = possible_cpus();
	if (xf_ncpus < 1) {
		fprintf(stderr, "%s: /sys/devices/system/cpu/possible: %s\n",
			xf_prog, strerror(errno ? errno : EINVAL));
		return 1;
	}
	return 0;
}

static void explain_open_error(const char *path, int err)
{
	fprintf(stderr, "%s: %s: %s", xf_prog, path, strerror(err));
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

	xf_pin_path(path, s->name);
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
		fprintf(stderr, "%s: %s: %s\n", xf_prog, path, strerror(err));
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
			xf_prog, path, info.type, info.key_size, info.value_size,
			info.max_entries, s->type, s->key_size, s->value_size,
			s->max_entries, xf_pin_dir, xf_prog);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

void xf_close_maps(struct xf_maps *m)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
}

/* Opens all maps and checks the ABI stamp. quiet_enoent: missing pins are
 * not an error to report (check before the first attach). */
int xf_open_maps(struct xf_maps *m, int quiet_enoent)
{
	struct xf_config cfg = {};
	__u32 zero = 0;

	for (size_t i = 0; i < NSPECS; i++)
		m->fd[i] = -1;
	for (size_t i = 0; i < NSPECS; i++) {
		m->fd[i] = open_map(&xf_specs[i], quiet_enoent);
		if (m->fd[i] < 0) {
			int err = errno;

			xf_close_maps(m);
			errno = err;
			return -1;
		}
	}
	if (bpf_map_lookup_elem(m->fd[SPEC_CONFIG], &zero, &cfg)) {
		fprintf(stderr, "%s: read %s: %s\n", xf_prog, XF_MAP_CONFIG,
			strerror(errno));
		xf_close_maps(m);
		return -1;
	}
	if (cfg.abi && cfg.abi != XF_ABI_VERSION) {
		fprintf(stderr,
			"%s: %s/%s: pins carry ABI version %u, this build is"
			" version %u.\n  Way forward: 'make detach DEV=IF' on"
			" every interface that uses them, then attach again"
			" (rules are lost; save them with '%s list').\n",
			xf_prog, xf_pin_dir, XF_MAP_CONFIG, cfg.abi, XF_ABI_VERSION,
			xf_prog);
		xf_close_maps(m);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Sums one per-CPU xf_count slot. */
int xf_read_count(int fd, __u32 key, struct xf_count *sum)
{
	struct xf_count vals[xf_ncpus];

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, vals))
		return -1;
	for (int i = 0; i < xf_ncpus; i++) {
		sum->packets += vals[i].packets;
		sum->bytes += vals[i].bytes;
	}
	return 0;
}

int xf_rule_add(struct xf_maps *m, __u32 pidx, __u32 port)
{
	struct xf_rule rule = { .flags = XF_RULE_DROP }, cur = {};
	__u32 slot = xf_slot(pidx, port);
	struct xf_count zero[xf_ncpus];

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
	fprintf(stderr, "%s: add %u %s: %s\n", xf_prog, port, xf_proto_names[pidx],
		strerror(errno));
	return 1;
}

int xf_rule_del(struct xf_maps *m, __u32 pidx, __u32 port)
{
	struct xf_rule rule = {}, cur = {};
	__u32 slot = xf_slot(pidx, port);

	if (bpf_map_lookup_elem(m->fd[SPEC_RULES], &slot, &cur))
		goto fail;
	if (!(cur.flags & XF_RULE_DROP)) {
		fprintf(stderr, "%s: del %u %s: no such rule (see '%s list')\n",
			xf_prog, port, xf_proto_names[pidx], xf_prog);
		return 1;
	}
	if (bpf_map_update_elem(m->fd[SPEC_RULES], &slot, &rule, BPF_ANY))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "%s: del %u %s: %s\n", xf_prog, port, xf_proto_names[pidx],
		strerror(errno));
	return 1;
}

/* Stamps the ABI version into the pins (attach calls this after loading). */
int xf_stamp_abi(struct xf_maps *m)
{
	struct xf_config cfg = { .abi = XF_ABI_VERSION };
	__u32 zero = 0;

	if (bpf_map_update_elem(m->fd[SPEC_CONFIG], &zero, &cfg, BPF_ANY)) {
		fprintf(stderr, "%s: write %s: %s\n", xf_prog, XF_MAP_CONFIG,
			strerror(errno));
		return 1;
	}
	return 0;
}
