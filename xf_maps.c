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
			 sizeof(struct xf_port), XF_SETS * XF_PORT_SLOTS },
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
	[SPEC_RLOG] = { XF_MAP_RLOG, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
			sizeof(struct xf_rlog), XF_MAX_RULES },
	[SPEC_LOG] = { XF_MAP_LOG, BPF_MAP_TYPE_RINGBUF, 0, 0, XF_LOG_BYTES },
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

const char *xf_where;

int xf_bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", xf_where ? xf_where : xf_prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	if (!xf_where)
		fprintf(stderr, "Try '%s --help'.\n", xf_prog);
	return 2;
}

int xf_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	const char *p;
	char *end;

	if (!*s || strlen(s) > 10)
		return -1;
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v < 1 || *v > max ? -1 : 0;
}

static int parse_port(const char *s, __u16 *port)
{
	unsigned long v;

	if (xf_parse_uint(s, 65535, &v))
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

/* "N/s", 1 <= N <= XF_LOG_RATE_MAX: a drop log's events per second. */
static int parse_log_rate(const char *s, __u32 *rate)
{
	char buf[16];
	size_t n = strlen(s);
	unsigned long v;

	if (n < 3 || n >= sizeof(buf) || strcmp(s + n - 2, "/s"))
		goto bad;
	memcpy(buf, s, n - 2);
	buf[n - 2] = '\0';
	if (xf_parse_uint(buf, XF_LOG_RATE_MAX, &v))
		goto bad;
	*rate = v;
	return 0;
bad:
	return xf_bad_usage("bad log rate '%s' (expected EVENTS/s, 1/s to"
			    " 100000/s, such as 10/s)", s);
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

/* The end of a rule: [log [N/s]], then nothing. */
static int parse_rule_tail(int argc, char **argv, int i, struct xf_rdesc *r)
{
	int ret, log_at = -1;

	if (i < argc && !strcmp(argv[i], "log")) {
		log_at = i++;
		r->log_rate = XF_LOG_RATE;
		/* A rate, or something meant as one ("5", "5/m"). */
		if (i < argc && (strchr(argv[i], '/') ||
				 isdigit((unsigned char)argv[i][0]))) {
			ret = parse_log_rate(argv[i++], &r->log_rate);
			if (ret)
				return ret;
		}
	}
	if (i >= argc)
		return 0;
	if (log_at >= 0)
		return xf_bad_usage("unexpected '%s' after log (log [N/s]"
				    " comes last)", argv[i]);
	return xf_bad_usage("unknown keyword '%s' (expected src, dst, from"
			    " PREFIX or log [N/s])", argv[i]);
}

int xf_parse_rule(int argc, char **argv, struct xf_rdesc *r)
{
	int i = 0, ret;

	memset(r, 0, sizeof(*r));
	r->sets = 1;			/* "a rule"; edits set the real bits */
	if (argc < 1)
		return xf_bad_usage("%s", "missing rule: PORTS tcp|udp|any"
				    " [src|dst] [from PREFIX], or any from PREFIX");
	if (!strcmp(argv[0], "any")) {
		if (argc < 3 || strcmp(argv[1], "from"))
			return xf_bad_usage("'%s' as a port needs 'from PREFIX'"
					    " (any from PREFIX)", argv[0]);
		r->anyport = 1;
		r->protos = XF_PM_TCP | XF_PM_UDP;
		r->port_lo = 1;
		r->port_hi = 65535;
		ret = parse_prefix(argv[2], r);
		return ret ? ret : parse_rule_tail(argc, argv, 3, r);
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
	return parse_rule_tail(argc, argv, i, r);
}

void xf_format_rule(const struct xf_rdesc *r, char *buf, size_t len)
{
	const char *proto = r->protos == XF_PM_TCP ? "tcp" :
			    r->protos == XF_PM_UDP ? "udp" : "any";
	char addr[INET6_ADDRSTRLEN] = "";
	size_t n;

	if (r->family)
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, addr,
			  sizeof(addr));
	buf[0] = '\0';
	if (r->anyport) {
		snprintf(buf, len, "any from %s/%u", addr, r->prefixlen);
	} else {
		if (r->port_lo == r->port_hi)
			snprintf(buf, len, "%u %s", r->port_lo, proto);
		else
			snprintf(buf, len, "%u-%u %s", r->port_lo, r->port_hi,
				 proto);
		n = strlen(buf);
		if (r->dir == XF_DIR_SRC)
			snprintf(buf + n, len - n, " src");
		n = strlen(buf);
		if (r->family)
			snprintf(buf + n, len - n, " from %s/%u", addr,
				 r->prefixlen);
	}
	n = strlen(buf);
	if (r->log_rate == XF_LOG_RATE)
		snprintf(buf + n, len - n, " log");
	else if (r->log_rate)
		snprintf(buf + n, len - n, " log %u/s", r->log_rate);
}

/* The range this host gives its own outgoing connections, the default
 * for "policy allow": replies to them arrive there. */
int xf_local_port_range(__u16 *lo, __u16 *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned int a, b;
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%u %u", &a, &b) == 2 && a >= 1 && a <= b && b <= 65535;
	fclose(f);
	if (!ok)
		return -1;
	*lo = a;
	*hi = b;
	return 0;
}


int xf_parse_policy(int argc, char **argv, struct xf_policy_args *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->dhcp = -1;
	if (argc == 0)
		return 0;
	if (argc == 1 && !strcmp(argv[0], "--json")) {
		p->json = 1;
		return 0;
	}
	if (!strcmp(argv[0], "deny")) {
		if (argc > 1)
			return xf_bad_usage("unexpected argument '%s' (policy"
					    " deny takes none)", argv[1]);
		p->set = 1;
		return 0;
	}
	if (strcmp(argv[0], "allow"))
		return xf_bad_usage("bad policy '%s' (expected allow or deny)",
				    argv[0]);
	p->set = p->allow = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "ephemeral")) {
			if (++i >= argc)
				return xf_bad_usage("%s", "'ephemeral' needs a"
						    " port range LO-HI");
			if (xf_parse_range(argv[i], &p->eph_lo, &p->eph_hi))
				return 2;
			p->eph_given = 1;
		} else if (!strcmp(argv[i], "dhcp")) {
			p->dhcp = 1;
		} else if (!strcmp(argv[i], "nodhcp")) {
			p->dhcp = 0;
		} else {
			return xf_bad_usage("unknown keyword '%s' (expected"
					    " ephemeral LO-HI, dhcp or nodhcp)",
					    argv[i]);
		}
	}
	return 0;
}

void xf_format_policy(const struct xf_set *set, char *buf, size_t len)
{
	if (!(set->flags & XF_CFG_ALLOW))
		snprintf(buf, len, "policy deny");
	else
		snprintf(buf, len, "policy allow ephemeral %u-%u %s",
			 set->eph_lo, set->eph_hi,
			 set->flags & XF_CFG_NO_DHCP ? "nodhcp" : "dhcp");
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

int xf_read_array(int fd, void *vals, __u32 vsz, __u32 max)
{
	__u32 *keys = calloc(max, sizeof(*keys)), out, count, done = 0;
	char *tmp = calloc(max, vsz);
	void *in = NULL;
	int err = -1;

	if (!keys || !tmp)
		goto out;
	while (done < max) {
		count = max - done;
		err = bpf_map_lookup_batch(fd, in, &out, keys + done,
					   tmp + (size_t)done * vsz, &count,
					   NULL);
		if (err && errno != ENOENT)
			goto out;
		done += count;
		if (err)		/* ENOENT: reached the end */
			break;
		in = &out;
	}
	memset(vals, 0, (size_t)max * vsz);
	for (__u32 i = 0; i < done; i++)
		if (keys[i] < max)
			memcpy((char *)vals + (size_t)keys[i] * vsz,
			       tmp + (size_t)i * vsz, vsz);
	err = 0;
out:
	free(keys);
	free(tmp);
	return err ? -1 : 0;
}

int xf_read_rdesc(struct xf_maps *m)
{
	free(m->rd);
	m->rd = calloc(XF_MAX_RULES, sizeof(*m->rd));
	if (!m->rd || xf_read_array(m->fd[SPEC_RDESC], m->rd, sizeof(*m->rd),
				    XF_MAX_RULES)) {
		fprintf(stderr, "%s: read %s: %s\n", xf_prog, XF_MAP_RDESC,
			strerror(errno));
		return 1;
	}
	return xf_read_set(m);
}

/* m->set = the active rule set, the one edits and lists are about. */
int xf_read_set(struct xf_maps *m)
{
	struct xf_config cfg;

	if (xf_read_config(m, &cfg))
		return 1;
	m->set = cfg.set & 1;
	return 0;
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

/* Sort order of whole rules: prefix, kind, direction, ports, protocols,
 * log. Identical rules end up next to each other, and so do rules that
 * could overlap (same prefix, kind and direction). */
int xf_cmp_prefix(const struct xf_rdesc *x, const struct xf_rdesc *y)
{
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c)
		return c;
	return x->prefixlen - y->prefixlen;
}

int xf_cmp_rule(const struct xf_rdesc *x, const struct xf_rdesc *y)
{
	int c = xf_cmp_prefix(x, y);

	if (c)
		return c;
	if (x->anyport != y->anyport)
		return y->anyport - x->anyport;
	if (x->dir != y->dir)
		return x->dir - y->dir;
	if (x->port_lo != y->port_lo)
		return x->port_lo - y->port_lo;
	if (x->port_hi != y->port_hi)
		return x->port_hi - y->port_hi;
	if (x->protos != y->protos)
		return x->protos - y->protos;
	return x->log_rate < y->log_rate ? -1 : x->log_rate > y->log_rate;
}

static int same_prefix(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The same rule: the same match and the same log setting (a rule whose
 * log changes is a new rule, with its own counters). */
int xf_same_rule(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	return same_prefix(a, b) && a->anyport == b->anyport &&
	       a->protos == b->protos && a->dir == b->dir &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi &&
	       a->log_rate == b->log_rate;
}

int xf_overlaps(const struct xf_rdesc *a, const struct xf_rdesc *b)
{
	if (!same_prefix(a, b) || a->anyport != b->anyport)
		return 0;
	if (a->anyport)
		return 1;
	return a->dir == b->dir && (a->protos & b->protos) &&
	       a->port_lo <= b->port_hi && b->port_lo <= a->port_hi;
}

int xf_in_set(const struct xf_maps *m, __u32 id, __u32 set)
{
	return (m->rd[id].sets >> set) & 1;
}

/* Rule id of r in the set being edited, or 0. */
static __u32 find_rule(const struct xf_maps *m, const struct xf_rdesc *r)
{
	for (__u32 id = 1; id < XF_MAX_RULES; id++)
		if (xf_in_set(m, id, m->set) && xf_same_rule(&m->rd[id], r))
			return id;
	return 0;
}

/* The pid of r's prefix: a prefix keeps one pid in both sets, as long as
 * a rule of either set has it. Another rule than id: its pid, or 0. */
static __u32 prefix_pid(const struct xf_maps *m, const struct xf_rdesc *r,
			__u32 id)
{
	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (i != id && m->rd[i].sets && m->rd[i].family &&
		    same_prefix(&m->rd[i], r))
			return m->rd[i].pid;
	return 0;
}

__u32 xf_free_pid(const struct xf_maps *m, const unsigned char *taken)
{
	static unsigned char used[XF_MAX_RULES + 1];
	__u32 pid;

	memset(used, 0, sizeof(used));
	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (m->rd[i].sets && m->rd[i].family &&
		    m->rd[i].pid <= XF_MAX_RULES)
			used[m->rd[i].pid] = 1;
	for (pid = 1; pid <= XF_MAX_RULES && (used[pid] ||
					      (taken && taken[pid])); pid++)
		;
	return pid;
}

/* What the packet path stores for rule id: the id and its log bit. */
__u32 xf_path_id(const struct xf_rdesc *r, __u32 id)
{
	return id ? id | (r->log_rate ? XF_ID_LOG : 0) : 0;
}

/* Appends the port slots of r in set `set`, with value val, to the batch
 * b (xf_ports keys for a plain rule, xf_pports keys for a prefix rule). */
int xf_batch_slots(struct xf_batch *b, const struct xf_rdesc *r, __u32 set,
		   __u32 val)
{
	__u32 need = (r->port_hi - r->port_lo + 1) * XF_P_MAX;

	if (b->n + need > b->cap) {
		__u32 cap = (b->n + need) * 2;
		void *k = realloc(b->keys, cap * sizeof(*b->keys));
		void *pk = k ? realloc(b->pkeys, cap * sizeof(*b->pkeys)) : NULL;
		void *v = pk ? realloc(b->vals, cap * sizeof(*b->vals)) : NULL;

		if (k)
			b->keys = k;
		if (pk)
			b->pkeys = pk;
		if (!v)
			return -1;
		b->vals = v;
		b->cap = cap;
	}
	for (__u32 p = 0; p < XF_P_MAX; p++) {
		if (!(r->protos & (1U << p)))
			continue;
		for (__u32 port = r->port_lo; port <= r->port_hi; port++) {
			__u32 n = b->n++;

			b->keys[n] = xf_set_slot(set, xf_slot(r->dir, p, port));
			b->pkeys[n].pid = r->pid;
			b->pkeys[n].slot = b->keys[n];
			b->vals[n].id = val;
		}
	}
	return 0;
}

void xf_batch_free(struct xf_batch *b)
{
	free(b->keys);
	free(b->pkeys);
	free(b->vals);
	memset(b, 0, sizeof(*b));
}

/* Writes the batch: into xf_ports (prefix 0) or xf_pports; a zero value
 * removes xf_pports entries (all values of a batch are zero, or none). */
int xf_batch_write(struct xf_maps *m, struct xf_batch *b, int prefix)
{
	__u32 count = b->n;
	int err;

	if (!b->n)
		return 0;
	if (!prefix)
		return bpf_map_update_batch(m->fd[SPEC_PORTS], b->keys,
					    b->vals, &count, NULL);
	if (b->vals[0].id)
		return bpf_map_update_batch(m->fd[SPEC_PPORTS], b->pkeys,
					    b->vals, &count, NULL);
	err = bpf_map_delete_batch(m->fd[SPEC_PPORTS], b->pkeys, &count, NULL);
	if (!err || errno != ENOENT)
		return err;
	/* Some were never written (a half-written add): one by one. */
	for (__u32 i = 0; i < b->n; i++)
		if (bpf_map_delete_elem(m->fd[SPEC_PPORTS], &b->pkeys[i]) &&
		    errno != ENOENT)
			return -1;
	return 0;
}

/* Writes value val into every port slot of r in the set being edited;
 * val 0 clears them. */
static int write_slots(struct xf_maps *m, const struct xf_rdesc *r, __u32 val)
{
	struct xf_batch b = {};
	int err;

	err = xf_batch_slots(&b, r, m->set, val);
	if (!err)
		err = xf_batch_write(m, &b, r->family != 0);
	xf_batch_free(&b);
	return err;
}

/* The trie key of r's prefix in rule set `set`; returns the trie's fd. */
int xf_prefix_key(const struct xf_maps *m, const struct xf_rdesc *r,
		  __u32 set, struct xf_lpm6 *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = XF_LPM_SET_BITS + r->prefixlen;
	key->set = set;
	if (r->family == 4) {
		struct xf_lpm4 *k4 = (struct xf_lpm4 *)key;

		memcpy(k4->addr, r->addr, sizeof(k4->addr));
		return m->fd[SPEC_PFX4];
	}
	memcpy(key->addr, r->addr, sizeof(key->addr));
	return m->fd[SPEC_PFX6];
}

/* Inserts or rewrites r's prefix entry in the set being edited with
 * any_id, or removes it when remove is set, keeping the set's prefix count
 * in xf_config right. */
static int write_prefix(struct xf_maps *m, const struct xf_rdesc *r,
			__u32 any_id, int exists, int remove)
{
	struct xf_pfx val = { .any_id = any_id, .pid = r->pid };
	struct xf_lpm6 key;
	int fd = xf_prefix_key(m, r, m->set, &key);
	struct xf_config cfg;
	__u32 *n = r->family == 4 ? &cfg.sets[m->set].nprefix4 :
				    &cfg.sets[m->set].nprefix6;

	if (remove) {
		if (bpf_map_delete_elem(fd, &key))
			return errno == ENOENT ? 0 : -1; /* never counted */
	} else if (bpf_map_update_elem(fd, &key, &val, BPF_ANY)) {
		return -1;
	}
	if (exists == !remove)
		return 0;		/* the count stays */
	if (xf_read_config(m, &cfg))
		return -1;
	*n = remove ? (*n ? *n - 1 : 0) : *n + 1;
	return xf_write_config(m, &cfg);
}

/* The "any from PREFIX" rule of r's prefix in the set being edited, other
 * than id, as the packet path stores it; or 0. */
static __u32 prefix_any(const struct xf_maps *m, const struct xf_rdesc *r,
			__u32 id)
{
	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (i != id && xf_in_set(m, i, m->set) && m->rd[i].anyport &&
		    same_prefix(&m->rd[i], r))
			return xf_path_id(&m->rd[i], i);
	return 0;
}

/* Another rule than id with r's prefix in the set being edited. */
static int prefix_in_set(const struct xf_maps *m, const struct xf_rdesc *r,
			 __u32 id)
{
	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (i != id && xf_in_set(m, i, m->set) && m->rd[i].family &&
		    same_prefix(&m->rd[i], r))
			return 1;
	return 0;
}

/* The set's nsrc = its source-port rules without a prefix: the program
 * skips the source-port lookup while it is 0. Set after a rule's slots are
 * written, cleared after they are, so no packet misses a rule. */
static int sync_nsrc(struct xf_maps *m)
{
	struct xf_config cfg;
	__u32 n = 0;

	for (__u32 i = 1; i < XF_MAX_RULES; i++)
		if (xf_in_set(m, i, m->set) && !m->rd[i].family &&
		    m->rd[i].dir == XF_DIR_SRC)
			n++;
	if (xf_read_config(m, &cfg))
		return -1;
	if (cfg.sets[m->set].nsrc == n)
		return 0;
	cfg.sets[m->set].nsrc = n;
	return xf_write_config(m, &cfg);
}

/* Writes the record of id (m->rd[id]); a record in no set is zeroed. */
static int write_record(struct xf_maps *m, __u32 id)
{
	if (!m->rd[id].sets)
		memset(&m->rd[id], 0, sizeof(m->rd[id]));
	return bpf_map_update_elem(m->fd[SPEC_RDESC], &id, &m->rd[id],
				   BPF_ANY);
}

/* Removes rule id from the set being edited: from its packet path first,
 * then from its record (which is freed when no set holds it any more). */
int xf_rule_del_id(struct xf_maps *m, __u32 id)
{
	struct xf_rdesc r = m->rd[id];
	char name[128];
	int err = 0;

	if (!r.anyport)
		err = write_slots(m, &r, 0);
	if (!err && r.family) {
		int other = prefix_in_set(m, &r, id);

		/* The prefix stays while other rules of the set use it,
		 * keeping their "any" rule if they have one. */
		if (r.anyport || !other)
			err = write_prefix(m, &r, prefix_any(m, &r, id), 1,
					   !other);
	}
	if (!err) {
		m->rd[id].sets &= ~XF_SET_BIT(m->set);
		err = write_record(m, id);
		if (err)
			m->rd[id] = r;
	}
	if (err) {
		xf_format_rule(&r, name, sizeof(name));
		fprintf(stderr, "%s: del %s: %s\n", xf_prog, name,
			strerror(errno));
		return 1;
	}
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

/* A free rule id (in no set), or 0 when the table is full. */
__u32 xf_free_id(const struct xf_maps *m, __u32 from)
{
	for (__u32 id = from ? from : 1; id < XF_MAX_RULES; id++)
		if (!m->rd[id].sets)
			return id;
	return 0;
}

/* Makes id a new rule: zero counters, its log bucket. */
int xf_new_rule_state(struct xf_maps *m, __u32 id, const struct xf_rdesc *r)
{
	struct xf_rlog bucket = { .rate = r->log_rate };
	struct xf_count zero[xf_ncpus];

	memset(zero, 0, sizeof(zero));
	if (bpf_map_update_elem(m->fd[SPEC_RCOUNT], &id, zero, BPF_ANY))
		return -1;
	return bpf_map_update_elem(m->fd[SPEC_RLOG], &id, &bucket, BPF_ANY);
}

int xf_rule_add(struct xf_maps *m, const struct xf_rdesc *spec)
{
	__u32 bit = XF_SET_BIT(m->set), id, i;
	char name[128], other[128];
	struct xf_rdesc r = *spec;
	int prefix_exists = 0;

	xf_format_rule(&r, name, sizeof(name));
	if (find_rule(m, &r))
		return 0;		/* re-adding keeps the old counters */
	for (i = 1; i < XF_MAX_RULES; i++) {
		if (xf_in_set(m, i, m->set) && xf_overlaps(&m->rd[i], &r)) {
			xf_format_rule(&m->rd[i], other, sizeof(other));
			fprintf(stderr, "%s: add %s: overlaps the rule '%s'"
				" (delete it first, or add the rest as"
				" separate ranges)\n", xf_prog, name, other);
			return 1;
		}
	}
	/* The same rule in the other set (kept for a rollback) keeps its
	 * id and counters; anything else gets a free id. */
	for (id = 1; id < XF_MAX_RULES; id++)
		if (m->rd[id].sets && xf_same_rule(&m->rd[id], &r))
			break;
	if (id == XF_MAX_RULES)
		id = xf_free_id(m, 0);
	if (!id) {
		fprintf(stderr, "%s: add %s: rule table full (%d rules)\n",
			xf_prog, name, XF_MAX_RULES - 1);
		return 1;
	}
	if (r.family) {
		prefix_exists = prefix_in_set(m, &r, 0);
		r.pid = prefix_pid(m, &r, 0);
		if (!r.pid)
			r.pid = xf_free_pid(m, NULL);
	}
	/* A new rule starts from zero, not from a deleted rule's counts;
	 * its record goes first, so a failure half-way can be undone. */
	if (!m->rd[id].sets && xf_new_rule_state(m, id, &r))
		goto fail;
	r.sets = m->rd[id].sets | bit;
	if (bpf_map_update_elem(m->fd[SPEC_RDESC], &id, &r, BPF_ANY))
		goto fail;
	m->rd[id] = r;
	if (!r.anyport && write_slots(m, &r, xf_path_id(&r, id)))
		goto undo;
	/* The prefix entry goes last: once a packet can find the prefix,
	 * its port slots are there. */
	if (r.family) {
		__u32 any = r.anyport ? xf_path_id(&r, id) :
					prefix_any(m, &r, id);

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
 * keeping the rule sets and policy: re-attaching never flips them. */
int xf_stamp_abi(struct xf_maps *m)
{
	struct xf_config cfg;

	if (xf_read_config(m, &cfg))
		return 1;
	cfg.abi = XF_ABI_VERSION;
	return xf_write_config(m, &cfg) ? 1 : 0;
}
