// SPDX-License-Identifier: GPL-2.0
/* xf_pins.c - the pinned maps, for reading; see xf_pins.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "xf_links.h"
#include "xf_pins.h"
#include "xf_rule.h"

#define BPF_FS_MAGIC	0xcafe4a11

const struct xf_map_spec xf_map_specs[XF_NMAPS] = {
	[XF_M_PORTS] = { XF_MAP_PORTS, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct xf_port), XF_SETS * XF_PORT_SLOTS },
	[XF_M_PFX4] = { XF_MAP_PFX4, BPF_MAP_TYPE_LPM_TRIE,
			sizeof(struct xf_lpm4), sizeof(struct xf_pfx),
			XF_MAX_PREFIXES },
	[XF_M_PFX6] = { XF_MAP_PFX6, BPF_MAP_TYPE_LPM_TRIE,
			sizeof(struct xf_lpm6), sizeof(struct xf_pfx),
			XF_MAX_PREFIXES },
	[XF_M_PPORTS] = { XF_MAP_PPORTS, BPF_MAP_TYPE_HASH,
			  sizeof(struct xf_pport), sizeof(struct xf_port),
			  XF_MAX_PPORTS },
	[XF_M_RCOUNT] = { XF_MAP_RCOUNT, BPF_MAP_TYPE_PERCPU_ARRAY,
			  sizeof(__u32), sizeof(struct xf_count),
			  XF_MAX_RULES },
	[XF_M_STATS] = { XF_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
			 sizeof(__u32), sizeof(struct xf_count), XF_R_MAX },
	[XF_M_CONFIG] = { XF_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			  sizeof(struct xf_config), 1 },
	[XF_M_RULES] = { XF_MAP_RULES, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct xf_rule), XF_MAX_RULES },
	[XF_M_RLOG] = { XF_MAP_RLOG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			sizeof(struct xf_rlog), XF_MAX_RULES },
	[XF_M_LOG] = { XF_MAP_LOG, BPF_MAP_TYPE_RINGBUF, 0, 0, XF_LOG_BYTES },
	[XF_M_PROGS] = { XF_MAP_PROGS, BPF_MAP_TYPE_PROG_ARRAY, sizeof(__u32),
			 sizeof(__u32), XF_PROG_SLOTS },
	[XF_M_PROGS_SB] = { XF_MAP_PROGS_SB, BPF_MAP_TYPE_PROG_ARRAY,
			    sizeof(__u32), sizeof(__u32), XF_PROG_SLOTS },
	[XF_M_LIMIT] = { XF_MAP_LIMIT, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct xf_limit), XF_MAX_RULES },
	[XF_M_RLIMITED] = { XF_MAP_RLIMITED, BPF_MAP_TYPE_PERCPU_ARRAY,
			    sizeof(__u32), sizeof(struct xf_count),
			    XF_MAX_RULES },
	[XF_M_LSRC] = { XF_MAP_LSRC, BPF_MAP_TYPE_ARRAY_OF_MAPS, sizeof(__u32),
			sizeof(__u32), 1 },
	[XF_M_SETS] = { XF_MAP_SETS, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			sizeof(struct xf_sdesc), XF_MAX_SETS },
	[XF_M_SREF] = { XF_MAP_SREF, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			sizeof(struct xf_pfx), XF_SETS * XF_MAX_SETS },
	[XF_M_SET4] = { XF_MAP_SET4, BPF_MAP_TYPE_ARRAY_OF_MAPS, sizeof(__u32),
			sizeof(__u32), 2 * XF_MAX_SETS },
	[XF_M_SET4X] = { XF_MAP_SET4X, BPF_MAP_TYPE_ARRAY_OF_MAPS,
			 sizeof(__u32), sizeof(__u32), 2 * XF_MAX_SETS },
	[XF_M_SET6] = { XF_MAP_SET6, BPF_MAP_TYPE_ARRAY_OF_MAPS, sizeof(__u32),
			sizeof(__u32), 2 * XF_MAX_SETS },
};

char xf_pin_dir[PATH_MAX] = XF_PIN_DIR;

/* xf_pin_dir/name; xf_init() keeps the directory short enough. */
static void pin_path(char *path, const char *name)
{
	if (snprintf(path, PATH_MAX, "%s/%s", xf_pin_dir, name) >= PATH_MAX)
		path[0] = '\0';
}

int xf_init(void)
{
	const char *env = getenv("XF_PIN_DIR");

	if (env && *env) {
		if (strlen(env) > PATH_MAX - 32)
			return xf_diag(XF_EINPUT, NULL, "XF_PIN_DIR '%s' is too"
				       " long", env);
		strcpy(xf_pin_dir, env);
	}
	return 0;
}

/* Possible CPUs, as the kernel sizes per-CPU values: "0-3" or "0,2-5". */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = 0, a, b;
	char sep;

	if (!f)
		return -errno;
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
	return n > 0 ? n : -EINVAL;
}

int xf_maps_init(struct xf_maps *m)
{
	memset(m, 0, sizeof(*m));
	m->lock_fd = -1;
	for (int i = 0; i < XF_NMAPS; i++)
		m->fd[i] = -1;
	m->ncpus = possible_cpus();
	if (m->ncpus < 0)
		return xf_diag(m->ncpus, NULL, "/sys/devices/system/cpu/"
			       "possible: %s", strerror(-m->ncpus));
	return 0;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && (unsigned long)st.f_type == BPF_FS_MAGIC;
}

static int explain_open_error(const char *path, int err)
{
	const char *hint = "";

	if (err == ENOENT && !is_bpffs("/sys/fs/bpf"))
		hint = " (bpffs is not mounted at /sys/fs/bpf: run 'make attach"
		       " DEV=IF', which mounts it)";
	else if (err == ENOENT)
		hint = " (is the filter attached? run 'make attach DEV=IF'"
		       " first)";
	else if (err == EPERM || err == EACCES)
		hint = " (run as root)";
	return xf_diag(-err, NULL, "%s: %s%s", path, strerror(err), hint);
}

static int wrong_layout(const char *path, const struct bpf_map_info *info,
			const struct xf_map_spec *s)
{
	return xf_diag(-EINVAL, NULL, "%s: pinned map has another layout (type"
		       " %u key %u value %u entries %u, this build expects"
		       " %u/%u/%u/%u): it was made by another version of"
		       " xdp_filter.\n  Way forward: 'make detach DEV=IF' on"
		       " every interface that uses it (or rm %s/xf_*), then"
		       " attach again. Its rules are lost; save them first with"
		       " '%s list'.", path, info->type, info->key_size,
		       info->value_size, info->max_entries, s->type,
		       s->key_size, s->value_size, s->max_entries, xf_pin_dir,
		       xf_prog);
}

/* Opens one pinned map and checks it has the layout this build expects:
 * its fd, or -errno. */
static int open_map(const struct xf_map_spec *s, bool quiet_enoent)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	pin_path(path, s->name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = errno;
		return quiet_enoent && err == ENOENT ? -ENOENT :
		       explain_open_error(path, err);
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = xf_diag(-errno, NULL, "%s: %s", path, strerror(errno));
	} else if (info.type != s->type || info.key_size != s->key_size ||
		   info.value_size != s->value_size ||
		   info.max_entries != s->max_entries) {
		err = wrong_layout(path, &info, s);
	} else {
		return fd;
	}
	close(fd);
	return err;
}

void xf_close_maps(struct xf_maps *m)
{
	for (int i = 0; i < XF_NMAPS; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	if (m->lock_fd >= 0)
		close(m->lock_fd);	/* releases the flock */
	free(m->rules);
	m->rules = NULL;
	m->lock_fd = -1;
	for (int i = 0; i < XF_NMAPS; i++)
		m->fd[i] = -1;
}

static int wrong_abi(__u32 abi)
{
	return xf_diag(-EINVAL, NULL, "%s/%s: pins carry ABI version %u, this"
		       " build is version %u.\n  Way forward: 'make detach"
		       " DEV=IF' on every interface that uses them, then attach"
		       " again (rules are lost; save them with '%s list').",
		       xf_pin_dir, XF_MAP_CONFIG, abi, XF_ABI_VERSION, xf_prog);
}

int xf_open_maps(struct xf_maps *m, bool quiet_enoent)
{
	struct xf_config cfg = {};
	int err = xf_maps_init(m);

	for (int i = 0; !err && i < XF_NMAPS; i++) {
		m->fd[i] = open_map(&xf_map_specs[i], quiet_enoent);
		if (m->fd[i] < 0)
			err = m->fd[i];
	}
	if (!err)
		err = xf_read_config(m, &cfg);
	if (!err && cfg.abi && cfg.abi != XF_ABI_VERSION)
		err = wrong_abi(cfg.abi);
	if (err)
		xf_close_maps(m);
	m->pinned = !err;
	return err;
}

int xf_read_config(const struct xf_maps *m, struct xf_config *cfg)
{
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(m->fd[XF_M_CONFIG], &zero, cfg))
		return 0;
	return xf_diag(-errno, NULL, "read %s: %s", XF_MAP_CONFIG,
		       strerror(errno));
}

__u64 xf_map_memory(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* An ARRAY's batch lookup returns its entries in key order, so they are
 * read straight into place; keys[] only proves it. */
int xf_read_array(int fd, void *vals, __u32 vsz, __u32 max)
{
	__u32 *keys = calloc(max, sizeof(*keys)), out, count, done = 0;
	char *v = vals;
	void *in = NULL;
	int err = keys ? 0 : -ENOMEM;

	while (!err && done < max) {
		count = max - done;
		err = bpf_map_lookup_batch(fd, in, &out, keys + done,
					   v + (size_t)done * vsz, &count,
					   NULL) ? -errno : 0;
		for (__u32 i = done; i < done + count && err != -EIO; i++)
			if (keys[i] != i)
				err = -EIO;	/* not an ARRAY in key order */
		if (err && err != -ENOENT)
			break;
		done += count;
		if (err) {		/* ENOENT: reached the end */
			err = 0;
			break;
		}
		in = &out;
	}
	if (!err)
		memset(v + (size_t)done * vsz, 0, (size_t)(max - done) * vsz);
	free(keys);
	return err;
}

int xf_read_sets(struct xf_maps *m)
{
	int err = xf_read_array(m->fd[XF_M_SETS], m->sdesc,
				sizeof(m->sdesc[0]), XF_MAX_SETS);

	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_SETS,
			       strerror(-err));
	for (int k = 0; k < XF_MAX_SETS; k++)
		m->sdesc[k].name[XF_SET_NAME - 1] = '\0';
	xf_rule_set_names(m->sdesc);
	return 0;
}

int xf_read_rules(struct xf_maps *m)
{
	struct xf_config cfg;
	int err;

	if (!m->rules)
		m->rules = calloc(XF_MAX_RULES, sizeof(*m->rules));
	err = m->rules ? xf_read_array(m->fd[XF_M_RULES], m->rules,
				       sizeof(*m->rules), XF_MAX_RULES) :
			 -ENOMEM;
	if (err)
		return xf_diag(err, NULL, "read %s: %s", XF_MAP_RULES,
			       strerror(-err));
	err = xf_read_sets(m);
	if (!err)
		err = xf_read_config(m, &cfg);
	m->set = cfg.set & 1;
	m->uses_known = 0;
	m->slots_known = false;
	return err;
}

int xf_lock(struct xf_maps *m, bool exclusive)
{
	m->lock_fd = open(xf_pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->lock_fd < 0 || flock(m->lock_fd, exclusive ? LOCK_EX : LOCK_SH))
		return xf_diag(-errno, NULL, "lock %s: %s", xf_pin_dir,
			       strerror(errno));
	return xf_read_rules(m);
}

int xf_read_count(const struct xf_maps *m, int map, __u32 key,
		  struct xf_count *sum)
{
	struct xf_count vals[m->ncpus];

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(m->fd[map], &key, vals))
		return xf_diag(-errno, NULL, "read %s: %s",
			       xf_map_specs[map].name, strerror(errno));
	for (int i = 0; i < m->ncpus; i++) {
		sum->packets += vals[i].packets;
		sum->bytes += vals[i].bytes;
	}
	return 0;
}

static int map_id(int fd, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

/* Does program fd use one of the maps ids[]? */
static bool uses_maps(int fd, const __u32 *ids, int nids)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nmaps, maps[64];

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	nmaps = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nmaps;
	info.map_ids = (__u64)(unsigned long)maps;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	for (__u32 i = 0; i < nmaps; i++)
		for (int j = 0; j < nids; j++)
			if (maps[i] == ids[j])
				return true;
	return false;
}

/* The program arrays: xf_progs and xf_progs_sb. */
#define XF_ARRAYS	2

/* The program ids in the tier slots of the pinned arrays (open as fd[],
 * -1 if missing), into tiers[][]. */
static void tier_progs(const int *fd, __u32 tiers[][XF_PROG_SLOTS])
{
	for (int a = 0; a < XF_ARRAYS; a++)
		for (__u32 slot = 0; slot < XF_PROG_SLOTS; slot++)
			if (fd[a] < 0 ||
			    bpf_map_lookup_elem(fd[a], &slot, &tiers[a][slot]))
				tiers[a][slot] = 0;
}

/* Empties the slots of the arrays: the tier programs go. */
static void drop_tiers(const int *fd)
{
	for (int a = 0; a < XF_ARRAYS; a++)
		for (__u32 slot = 0; fd[a] >= 0 && slot < XF_PROG_SLOTS; slot++)
			bpf_map_delete_elem(fd[a], &slot);
}

static bool is_tier(__u32 id, const __u32 tiers[][XF_PROG_SLOTS])
{
	for (int a = 0; a < XF_ARRAYS; a++)
		for (__u32 slot = 0; slot < XF_PROG_SLOTS; slot++)
			if (tiers[a][slot] == id)
				return true;
	return false;
}

/* The id of a loaded program that uses one of the maps ids[] (0: none),
 * or -errno; the tier programs the arrays hold do not count: they run only
 * where an attached xdp_filter calls them. */
static long prog_using(const __u32 *ids, int nids,
		       const __u32 tiers[][XF_PROG_SLOTS])
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		int fd = is_tier(id, tiers) ? -1 : bpf_prog_get_fd_by_id(id);
		bool used;

		if (fd < 0)
			continue;	/* a tier, or freed since get_next_id */
		used = uses_maps(fd, ids, nids);
		close(fd);
		if (used)
			return id;
	}
	return errno == ENOENT ? 0 : -errno;
}

int xf_unpin(void)
{
	__u32 ids[XF_NMAPS], tiers[XF_ARRAYS][XF_PROG_SLOTS];
	int n = 0, err = 0, progs[XF_ARRAYS] = { -1, -1 };
	char path[PATH_MAX];
	int links;
	long prog;

	for (int i = 0; i < XF_NMAPS; i++) {
		int fd;

		pin_path(path, xf_map_specs[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!map_id(fd, &ids[n]))
			n++;
		if (i == XF_M_PROGS || i == XF_M_PROGS_SB)
			progs[i == XF_M_PROGS_SB] = fd;
		else
			close(fd);
	}
	links = xf_links_live();
	if (links > 0)
		printf("pins kept: %d interface(s) still run xdp_filter\n",
		       links);
	if (!n || links) {
		for (int a = 0; a < XF_ARRAYS; a++)
			if (progs[a] >= 0)
				close(progs[a]);
		if (!n && !links)
			printf("no pins under %s\n", xf_pin_dir);
		return links < 0 ? links : 0;
	}
	tier_progs(progs, tiers);
	prog = prog_using(ids, n, tiers);
	if (!prog)
		drop_tiers(progs);
	for (int a = 0; a < XF_ARRAYS; a++)
		if (progs[a] >= 0)
			close(progs[a]);
	if (prog < 0)
		return xf_diag(prog, NULL, "listing programs: %s",
			       strerror(-prog));
	if (prog) {
		printf("pins kept: program id %ld still uses them\n", prog);
		return 0;
	}
	for (int i = 0; i < XF_NMAPS; i++) {
		pin_path(path, xf_map_specs[i].name);
		if (unlink(path) && errno != ENOENT)
			err = xf_diag(-errno, NULL, "%s: %s", path,
				      strerror(errno));
	}
	if (!err)
		printf("pins removed from %s: the rules are gone\n",
		       xf_pin_dir);
	return err;
}
