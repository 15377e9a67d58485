// SPDX-License-Identifier: GPL-2.0
/* xf_maps.c - see xf_maps.h. Only <bpf/bpf.h>: the pins are edited, never
 * loaded, here.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/file.h>
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
	[SPEC_PORTS] = { XF_MAP_PORTS, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct xf_port), XF_PORT_SLOTS },
	[SPEC_PFX4] = { XF_MAP_PFX4, BPF_MAP_TYPE_LPM_TRIE,
			sizeof(struct xf_lpm4), sizeof(struct xf_pfx),
			XF_MAX_PREFIXES },
	[SPEC_PFX6] = { XF_MAP_PFX6, BPF_MAP_TYPE_LPM_TRIE,
			sizeof(struct xf_lpm6), sizeof(struct xf_pfx),
			XF_MAX_PREFIXES },
	[SPEC_PPORTS] = { XF_MAP_PPORTS, BPF_MAP_TYPE_HASH,
			  sizeof(struct xf_pport), sizeof(struct xf_port),
			  XF_MAX_PPORTS },
	[SPEC_RCOUNT] = { XF_MAP_RCOUNT, BPF_MAP_TYPE_PERCPU_ARRAY,
			  sizeof(__u32), sizeof(struct xf_count),
			  XF_MAX_RULES },
	[SPEC_STATS] = { XF_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
			 sizeof(__u32), sizeof(struct xf_count), XF_R_MAX },
	[SPEC_CONFIG] = { XF_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			  sizeof(struct xf_config), 1 },
	[SPEC_RDESC] = { XF_MAP_RDESC, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			 sizeof(struct xf_rdesc), XF_MAX_RULES },
};

const char *const xf_reason_names[XF_R_MAX] = {
	[XF_R_PASSED] = "passed",	[XF_R_DROPPED] = "dropped",
	[XF_R_MALFORMED] = "malformed",	[XF_R_FRAGMENT] = "fragment",
	[XF_R_NON_IP] = "non_ip",	[XF_R_OTHER_L4] = "other_l4",
	[XF_R_ALLOWED] = "allowed",	[XF_R_POLICY] = "policy",
};

const char *const xf_reason_actions[XF_R_MAX] = {
	[XF_R_PASSED] = "pass",		[XF_R_DROPPED] = "drop",
	[XF_R_MALFORMED] = "drop",	[XF_R_FRAGMENT] = "pass",
	[XF_R_NON_IP] = "pass",		[XF_R_OTHER_L4] = "pass",
	[XF_R_ALLOWED] = "pass",	[XF_R_POLICY] = "drop",
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
static int parse_port(const char *s, __u16 *port)
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

/* "N" or "N-M", 1 <= N <= M <= 65535. */
int xf_parse_range(const char *s, __u16 *lo, __u16 *hi)
{
	char buf[32];
	const char *dash = strchr(s, '-');

	if (!dash || dash == s)
		goto single;		/* "-1" is a bad port, not a range */
	if ((size_t)(dash - s) >= sizeof(buf))
		goto bad;
	memcpy(buf, s, dash - s);
	buf[dash - s] = '\0';
	if (parse_port(buf, lo) || parse_port(dash + 1, hi))
		goto bad;
	if (*lo > *hi)
		return xf_bad_usage("bad port range '%s' (the first port is"
				    " larger than the last)", s);
	return 0;
single:
	if (parse_port(s, lo))
		return xf_bad_usage("bad port '%s' (expected 1-65535 or a range"
				    " such as 6000-6100)", s);
	*hi = *lo;
	return 0;
bad:
	return xf_bad_usage("bad port range '%s' (expected two ports 1-65535,"
			    " such as 6000-6100)", s);
}

/* "ADDR/LEN" or a bare address (a host). Host bits must be clear. */
static int parse_prefix(const char *s, struct xf_rdesc *r)
{
	char addr[INET6_ADDRSTRLEN + 8], fixed[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long len;
	char *end, msg[256];
	int max, bits;

	if (strlen(s) >= sizeof(addr))
		return xf_bad_usage("bad prefix '%s'", s);
	snprintf(addr, sizeof(addr), "%.*s",
		 slash ? (int)(slash - s) : (int)strlen(s), s);
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, addr, r->addr) == 1) {
		r->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
		r->family = 6;
		max = 128;
	} else {
		return xf_bad_usage("bad prefix '%s' (expected an IPv4 or IPv6"
				    " address/length, such as 198.18.0.0/15)", s);
	}
	len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno ||
		    len > (unsigned long)max) {
			snprintf(msg, sizeof(msg), "bad prefix length in '%%s'"
				 " (IPv%d allows /0 to /%d)", r->family, max);
			return xf_bad_usage(msg, s);
		}
	}
	r->prefixlen = len;
	for (bits = len; bits < max; bits++) {
		if (r->addr[bits / 8] & (0x80 >> (bits % 8))) {
			struct xf_rdesc net = *r;

			for (bits = len; bits < max; bits++)
				net.addr[bits / 8] &= ~(0x80 >> (bits % 8));
			inet_ntop(r->family == 4 ? AF_INET : AF_INET6,
				  net.addr, fixed, sizeof(fixed));
			snprintf(msg, sizeof(msg), "bad prefix '%%s': host bits"
				 " are set (did you mean %s/%lu?)", fixed, len);
			return xf_bad_usage(msg, s);
		}
	}
	return 0;
}

int xf_parse_rule(int argc, char **argv, struct xf_rdesc *r)
{
	int i = 0, ret;

	memset(r, 0, sizeof(*r));
	r->used = 1;
	if (argc < 1)
		return xf_bad_usage("%s", "missing rule: PORTS tcp|udp|any"
				    " [src|dst] [from PREFIX], or any from PREFIX");
	if (!strcmp(argv[0], "any")) {
		if (argc != 3 || strcmp(argv[1], "from"))
			return xf_bad_usage("'%s' as a port needs 'from PREFIX'"
					    " (any from PREFIX)", argv[0]);
		r->anyport = 1;
		r->protos = XF_PM_TCP | XF_PM_UDP;
		r->port_lo = 1;
		r->port_hi = 65535;
		return parse_prefix(argv[2], r);
	}
	ret = xf_parse_range(argv[i++], &r->port_lo, &r->port_hi);
	if (ret)
		return ret;
	if (i >= argc)
		return xf_bad_usage("missing protocol after '%s' (tcp, udp or"
				    " any)", argv[0]);
	if (!strcmp(argv[i], "tcp"))
		r->protos = XF_PM_TCP;
	else if (!strcmp(argv[i], "udp"))
		r->protos = XF_PM_UDP;
	else if (!strcmp(argv[i], "any"))
		r->protos = XF_PM_TCP | XF_PM_UDP;
	else
		return xf_bad_usage("bad protocol '%s' (expected tcp, udp or"
				    " any)", argv[i]);
	i++;
	if (i < argc && (!strcmp(argv[i], "src") || !strcmp(argv[i], "dst")))
		r->dir = !strcmp(argv[i++], "src") ? XF_DIR_SRC : XF_DIR_DST;
	if (i < argc && !strcmp(argv[i], "from")) {
		if (++i >= argc)
			return xf_bad_usage("%s", "'from' needs a PREFIX");
		ret = parse_prefix(argv[i++], r);
		if (ret)
			return ret;
	}
	if (i < argc)
		return xf_bad_usage("unknown keyword '%s' (expected src, dst or"
				    " from PREFIX)", argv[i]);
	return 0;
}

void xf_format_rule(const struct xf_rdesc *r, char *buf, size_t len)
{
	const char *proto = r->protos == XF_PM_TCP ? "tcp" :
			    r->protos == XF_PM_UDP ? "udp" : "any";
	char addr[INET6_ADDRSTRLEN] = "";
	int n;

	if (r->family)
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, addr,
			  sizeof(addr));
	if (r->anyport) {
		snprintf(buf, len, "any from %s/%u", addr, r->prefixlen);
		return;
	}
	if (r->port_lo == r->port_hi)
		n = snprintf(buf, len, "%u %s", r->port_lo, proto);
	else
		n = snprintf(buf, len, "%u-%u %s", r->port_lo, r->port_hi,
			     proto);
	if (n > 0 && (size_t)n < len && r->dir == XF_DIR_SRC)
		n += snprintf(buf + n, len - n, " src");
	if (n > 0 && (size_t)n < len && r->family)
		snprintf(buf + n, len - n, " from %s/%u", addr, r->prefixlen);
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
	if (m->lock_fd >= 0)
		close(m->lock_fd);	/* releases the flock */
	free(m->rd);
	m->rd = NULL;
}

/* Opens all maps and checks the ABI stamp. quiet_enoent: missing pins are
 * not an error to report (check before the first attach). */
int xf_open_maps(struct xf_maps *m, int quiet_enoent)
{
	struct xf_config cfg = {};
	int err;

	m->lock_fd = -1;
	m->rd = NULL;
	for (size_t i = 0; i < NSPECS; i++)
		m->fd[i] = -1;
	for (size_t i = 0; i < NSPECS; i++) {
		m->fd[i] = open_map(&xf_specs[i], quiet_enoent);
		if (m->fd[i] < 0)
			goto fail;
	}
	if (xf_read_config(m, &cfg))
		goto fail;
	if (cfg.abi && cfg.abi != XF_ABI_VERSION) {
		fprintf(stderr,
			"%s: %s/%s: pins carry ABI version %u, this build is"
			" version %u.\n  Way forward: 'make detach DEV=IF' on"
			" every interface that uses them, then attach again"
			" (rules are lost; save them with '%s list').\n",
			xf_prog, xf_pin_dir, XF_MAP_CONFIG, cfg.abi,
			XF_ABI_VERSION, xf_prog);
		errno = EINVAL;
		goto fail;
	}
	return 0;
fail:
	err = errno;
	xf_close_maps(m);
	errno = err;
	return -1;
}

int xf_read_config(struct xf_maps *m, struct xf_config *cfg)
{
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(m->fd[SPEC_CONFIG], &zero, cfg))
		return 0;
	fprintf(stderr, "%s: read %s: %s\n", xf_prog, XF_MAP_CONFIG,
		strerror(errno));
	return -1;
}

int xf_write_config(struct xf_maps *m, const struct xf_config *cfg)
{
	__u32 zero = 0;

	if (!bpf_map_update_elem(m->fd[SPEC_CONFIG], &zero, cfg, BPF_ANY))
		return 0;
	fprintf(stderr, "%s: write %s: %s\n", xf_prog, XF_MAP_CONFIG,
		strerror(errno));
	return -1;
}

/* Reads all of xf_rdesc with batch lookups: one syscall per batch. */
int xf_read_rdesc(struct xf_maps *m)
{
	static __u32 keys[XF_MAX_RULES];
	__u32 out, count, done = 0;
	struct xf_rdesc *vals;
	void *in = NULL;
	int err;

	free(m->rd);
	m->rd = calloc(XF_MAX_RULES, sizeof(*m->rd));
	vals = calloc(XF_MAX_RULES, sizeof(*vals));
	if (!m->rd || !vals)
		goto fail;
	while (done < XF_MAX_RULES) {
		count = XF_MAX_RULES - done;
		err = bpf_map_lookup_batch(m->fd[SPEC_RDESC], in, &out,
					   keys + done, vals + done, &count,
					   NULL);
		if (err && errno != ENOENT)
			goto fail;
		done += count;
		if (err)		/* ENOENT: reached the end */
			break;
		in = &out;
	}
	for (__u32 i = 0; i < done; i++)
		if (keys[i] < XF_MAX_RULES)
			m->rd[keys[i]] = vals[i];
	free(vals);
	return 0;
fail:
	fprintf(stderr, "%s: read %s: %s\n", xf_prog, XF_MAP_RDESC,
		strerror(errno));
	free(vals);
	return 1;
}

int xf_lock(struct xf_maps *m)
{
	m->lock_fd = open(xf_pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->lock_fd < 0 || flock(m->lock_fd, LOCK_EX)) {
		fprintf(stderr, "%s: lock %s: %s\n", xf_prog, xf_pin_dir,
			strerror(errno));
		return 1;
	}
	return xf_read_rdesc(m);
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

static int same_prefix(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int same_rule(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	return same_prefix(a, b) && a->anyport == b->anyport &&
	       a->protos == b->protos && a->dir == b->dir &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi;
}

/* Two rules that would claim the same slot. */
static int overlaps(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	if (!same_prefix(a, b) || a->anyport != b->anyport)
		return 0;
	if (a->anyport)
		return 1;
	return a->dir == b->dir && (a->protos & b->protos) &&
	       a->port_lo <= b->port_hi && b->port_lo <= a->port_hi;
}

static __u32 find_rule(const struct xf_maps *m, const struct xf_rdesc *r)
{
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (m->rd[id].used && same_rule(&m->rd[id], r))
			return id;
	return 0;
}

/* Another rule with r's prefix, other than id: its pid, or 0. */
static __u32 prefix_pid(const struct xf_maps *m, const struct xf_rdesc *r,
			__u32 id)
{
	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (i != id && m->rd[i].used && m->rd[i].family &&
		    same_prefix(&m->rd[i], r))
			return m->rd[i].pid;
	return 0;
}

static __u32 free_pid(const struct xf_maps *m)
{
	static unsigned char used[XF_MAX_RULES + 1];
	__u32 pid;

	memset(used, 0, sizeof(used));
	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (m->rd[i].used && m->rd[i].family &&
		    m->rd[i].pid <= XF_MAX_RULES)
			used[m->rd[i].pid] = 1;
	for (pid = 1; pid <= XF_MAX_RULES && used[pid]; pid++)
		;
	return pid;
}

/* Writes value {id} into every port slot of r: xf_ports for a plain rule,
 * xf_pports under the prefix id for a prefix rule; id 0 clears them. */
static int write_slots(struct xf_maps *m, const struct xf_rdesc *r, __u32 id)
{
	__u32 n = 0, count, nports = r->port_hi - r->port_lo + 1;
	struct xf_pport *pkeys = NULL;
	struct xf_port *vals = NULL;
	__u32 *keys = NULL;
	int err = 0;

	keys = calloc(nports * XF_P_MAX, sizeof(*keys));
	pkeys = calloc(nports * XF_P_MAX, sizeof(*pkeys));
	vals = calloc(nports * XF_P_MAX, sizeof(*vals));
	if (!keys || !pkeys || !vals) {
		err = -1;
		goto out;
	}
	for (__u32 p = 0; p < XF_P_MAX; p++) {
		if (!(r->protos & (1U << p)))
			continue;
		for (__u32 port = r->port_lo; port <= r->port_hi; port++) {
			keys[n] = xf_slot(r->dir, p, port);
			pkeys[n].pid = r->pid;
			pkeys[n].slot = keys[n];
			vals[n].id = id;
			n++;
		}
	}
	count = n;
	if (!r->family) {
		err = bpf_map_update_batch(m->fd[SPEC_PORTS], keys, vals,
					   &count, NULL);
	} else if (id) {
		err = bpf_map_update_batch(m->fd[SPEC_PPORTS], pkeys, vals,
					   &count, NULL);
	} else {
		err = bpf_map_delete_batch(m->fd[SPEC_PPORTS], pkeys, &count,
					   NULL);
		if (err && errno == ENOENT)
			err = 0;	/* a half-written add, undone */
	}
out:
	free(keys);
	free(pkeys);
	free(vals);
	return err;
}

/* Inserts or rewrites r's prefix entry with any_id, or removes it when
 * remove is set, keeping xf_config's prefix count right. */
static int write_prefix(struct xf_maps *m, const struct xf_rdesc *r,
			__u32 any_id, int exists, int remove)
{
	struct xf_pfx val = { .any_id = any_id, .pid = r->pid };
	struct xf_lpm6 key6 = { .prefixlen = r->prefixlen };
	struct xf_lpm4 key4 = { .prefixlen = r->prefixlen };
	int fd = m->fd[r->family == 4 ? SPEC_PFX4 : SPEC_PFX6];
	void *key = r->family == 4 ? (void *)&key4 : (void *)&key6;
	struct xf_config cfg;
	__u32 *n = r->family == 4 ? &cfg.nprefix4 : &cfg.nprefix6;

	memcpy(key4.addr, r->addr, sizeof(key4.addr));
	memcpy(key6.addr, r->addr, sizeof(key6.addr));
	if (remove) {
		if (bpf_map_delete_elem(fd, key))
			return errno == ENOENT ? 0 : -1; /* never counted */
	} else if (bpf_map_update_elem(fd, key, &val, BPF_ANY)) {
		return -1;
	}
	if (exists == !remove)
		return 0;		/* the count stays */
	if (xf_read_config(m, &cfg))
		return -1;
	*n = remove ? (*n ? *n - 1 : 0) : *n + 1;
	return xf_write_config(m, &cfg);
}

/* xf_config.nsrc = the number of source-port rules without a prefix: the
 * program skips the source-port lookup while it is 0. Set after a rule's
 * slots are written, cleared after they are, so no packet misses a rule. */
static int sync_nsrc(struct xf_maps *m)
{
	struct xf_config cfg;
	__u32 n = 0;

	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (m->rd[i].used && !m->rd[i].family &&
		    m->rd[i].dir == XF_DIR_SRC)
			n++;
	if (xf_read_config(m, &cfg))
		return -1;
	if (cfg.nsrc == n)
		return 0;
	cfg.nsrc = n;
	return xf_write_config(m, &cfg);
}

/* Removes rule id from the packet path, then from the records. */
int xf_rule_del_id(struct xf_maps *m, __u32 id)
{
	struct xf_rdesc r = m->rd[id], none = {};
	char name[128];
	int err = 0;

	if (!r.anyport)
		err = write_slots(m, &r, 0);
	if (!err && r.family) {
		__u32 other = prefix_pid(m, &r, id);
		__u32 any = 0;

		/* The prefix stays while other rules use it, keeping their
		 * "any" rule if they have one. */
		for (__u32 i = 1; other && i < XF_MAX_RULES; i++)
			if (i != id && m->rd[i].used && m->rd[i].anyport &&
			    same_prefix(&m->rd[i], &r))
				any = i;
		if (r.anyport || !other)
			err = write_prefix(m, &r, any, 1, !other);
	}
	if (!err)
		err = bpf_map_update_elem(m->fd[SPEC_RDESC], &id, &none,
					  BPF_ANY);
	if (err) {
		xf_format_rule(&r, name, sizeof(name));
		fprintf(stderr, "%s: del %s: %s\n", xf_prog, name,
			strerror(errno));
		return 1;
	}
	m->rd[id] = none;
	return r.dir == XF_DIR_SRC && !r.family && sync_nsrc(m) ? 1 : 0;
}

int xf_rule_del(struct xf_maps *m, const struct xf_rdesc *r)
{
	__u32 id = find_rule(m, r);
	char name[128];

	if (!id) {
		xf_format_rule(r, name, sizeof(name));
		fprintf(stderr, "%s: del %s: no such rule (see '%s list')\n",
			xf_prog, name, xf_prog);
		return 1;
	}
	return xf_rule_del_id(m, id);
}

int xf_rule_add(struct xf_maps *m, const struct xf_rdesc *spec)
{
	struct xf_count zero[xf_ncpus];
	char name[128], other[128];
	struct xf_rdesc r = *spec;
	__u32 id, i, prefix_exists = 0;

	xf_format_rule(&r, name, sizeof(name));
	if (find_rule(m, &r))
		return 0;		/* re-adding keeps the old counters */
	for (i = 1; i < XF_MAX_RULES; i++) {
		if (m->rd[i].used && overlaps(&m->rd[i], &r)) {
			xf_format_rule(&m->rd[i], other, sizeof(other));
			fprintf(stderr, "%s: add %s: overlaps the rule '%s'"
				" (delete it first, or add the rest as"
				" separate ranges)\n", xf_prog, name, other);
			return 1;
		}
	}
	for (id = 1; id < XF_MAX_RULES && m->rd[id].used; id++)
		;
	if (id == XF_MAX_RULES) {
		fprintf(stderr, "%s: add %s: rule table full (%d rules)\n",
			xf_prog, name, XF_MAX_RULES - 1);
		return 1;
	}
	if (r.family) {
		r.pid = prefix_pid(m, &r, 0);
		prefix_exists = r.pid != 0;
		if (!r.pid)
			r.pid = free_pid(m);
	}
	/* A new rule starts from zero, not from a deleted rule's counts;
	 * its record goes first, so a failure half-way can be undone. */
	memset(zero, 0, sizeof(zero));
	if (bpf_map_update_elem(m->fd[SPEC_RCOUNT], &id, zero, BPF_ANY) ||
	    bpf_map_update_elem(m->fd[SPEC_RDESC], &id, &r, BPF_ANY))
		goto fail;
	m->rd[id] = r;
	if (!r.anyport && write_slots(m, &r, id))
		goto undo;
	/* The prefix entry goes last: once a packet can find the prefix,
	 * its port slots are there. */
	if (r.family) {
		__u32 any = r.anyport ? id : 0;

		for (i = 1; !any && i < XF_MAX_RULES; i++)
			if (i != id && m->rd[i].used && m->rd[i].anyport &&
			    same_prefix(&m->rd[i], &r))
				any = i;
		if ((r.anyport || !prefix_exists) &&
		    write_prefix(m, &r, any, prefix_exists, 0))
			goto undo;
	}
	if (r.dir == XF_DIR_SRC && !r.family && sync_nsrc(m))
		goto undo;
	return 0;
undo:
	fprintf(stderr, "%s: add %s: %s%s\n", xf_prog, name, strerror(errno),
		errno == E2BIG || errno == ENOMEM ?
		" (prefix or prefix-port table full)" : "");
	xf_rule_del_id(m, id);
	return 1;
fail:
	fprintf(stderr, "%s: add %s: %s\n", xf_prog, name, strerror(errno));
	return 1;
}

/* Stamps the ABI version into the pins (attach calls this after loading),
 * keeping the policy: re-attaching never flips it. */
int xf_stamp_abi(struct xf_maps *m)
{
	struct xf_config cfg;

	if (xf_read_config(m, &cfg))
		return 1;
	cfg.abi = XF_ABI_VERSION;
	return xf_write_config(m, &cfg) ? 1 : 0;
}
