// SPDX-License-Identifier: GPL-2.0
/* xf_rule.c - rules and policies as text; see xf_rule.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "xf_rule.h"

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

int xf_parse_range(const char *s, const struct xf_loc *at, __u16 *lo,
		   __u16 *hi)
{
	const char *dash = strchr(s, '-');
	char buf[32];

	if (!dash || dash == s) {	/* "-1" is a bad port, not a range */
		if (parse_port(s, lo))
			return xf_diag(XF_EINPUT, at, "bad port '%s' (expected"
				       " 1-65535 or a range such as 6000-6100)",
				       s);
		*hi = *lo;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(buf))
		goto bad;
	memcpy(buf, s, dash - s);
	buf[dash - s] = '\0';
	if (parse_port(buf, lo) || parse_port(dash + 1, hi))
		goto bad;
	if (*lo > *hi)
		return xf_diag(XF_EINPUT, at, "bad port range '%s' (the first"
			       " port is larger than the last)", s);
	return 0;
bad:
	return xf_diag(XF_EINPUT, at, "bad port range '%s' (expected two ports"
		       " 1-65535, such as 6000-6100)", s);
}

/* The N of "N/s" into buf (len bytes): 0, or -1 when s has not that form
 * or N does not fit. */
static int rate_number(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n < 3 || n >= len || strcmp(s + n - 2, "/s"))
		return -1;
	memcpy(buf, s, n - 2);
	buf[n - 2] = '\0';
	return 0;
}

/* "N/s", 1 <= N <= XF_LOG_RATE_MAX: a drop log's events per second. */
static int parse_log_rate(const char *s, const struct xf_loc *at, __u32 *rate)
{
	unsigned long v;
	char buf[16];

	if (rate_number(s, buf, sizeof(buf)) ||
	    xf_parse_uint(buf, XF_LOG_RATE_MAX, &v))
		return xf_diag(XF_EINPUT, at, "bad log rate '%s' (expected"
			       " EVENTS/s, 1/s to %u/s, such as 10/s)", s,
			       XF_LOG_RATE_MAX);
	*rate = v;
	return 0;
}

/* The first bit of addr (max bits long) set at or after bit len, or max. */
static int host_bit(const __u8 *addr, int len, int max)
{
	for (int bit = len; bit < max; bit++)
		if (addr[bit / 8] & (0x80 >> (bit % 8)))
			return bit;
	return max;
}

/* "ADDR/LEN" or a bare address (a host). Host bits must be clear. */
static int parse_prefix(const char *s, const struct xf_loc *at,
			struct xf_rule *r)
{
	char addr[INET6_ADDRSTRLEN + 8], fixed[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long len;
	int max;
	char *end;

	if (strlen(s) >= sizeof(addr))
		return xf_diag(XF_EINPUT, at, "bad prefix '%s'", s);
	snprintf(addr, sizeof(addr), "%.*s",
		 slash ? (int)(slash - s) : (int)strlen(s), s);
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, addr, r->addr) == 1)
		r->family = 4;
	else if (inet_pton(AF_INET6, addr, r->addr) == 1)
		r->family = 6;
	else
		return xf_diag(XF_EINPUT, at, "bad prefix '%s' (expected an"
			       " IPv4 or IPv6 address/length, such as"
			       " 198.18.0.0/15)", s);
	max = r->family == 4 ? 32 : 128;
	len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno ||
		    len > (unsigned long)max)
			return xf_diag(XF_EINPUT, at, "bad prefix length in"
				       " '%s' (IPv%d allows /0 to /%d)", s,
				       r->family, max);
	}
	r->prefixlen = len;
	if (host_bit(r->addr, len, max) < max) {
		struct xf_rule net = *r;

		for (int bit = len; bit < max; bit++)
			net.addr[bit / 8] &= ~(0x80 >> (bit % 8));
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, net.addr, fixed,
			  sizeof(fixed));
		return xf_diag(XF_EINPUT, at, "bad prefix '%s': host bits are"
			       " set (did you mean %s/%lu?)", s, fixed, len);
	}
	return 0;
}

/* Set names. A rule "from @NAME" holds the set's number (addr[0]); the
 * numbers come from the records xf_rule_set_names() registers. Before
 * that (a command's words are parsed before the maps are opened), a name
 * is kept here and the rule holds SET_PENDING | its index, until
 * xf_rule_resolve(). */
#define SET_PENDING	0x80
static const struct xf_sdesc *set_known;
static char set_pending[XF_MAX_SETS][XF_SET_NAME];
static int set_npending;

void xf_rule_set_names(const struct xf_sdesc *sets)
{
	set_known = sets;
}

int xf_set_name_check(const char *name, const struct xf_loc *at)
{
	size_t n = strlen(name);

	for (size_t k = 0; k < n; k++)
		if (!isalnum((unsigned char)name[k]) &&
		    (!k || !strchr("_.-", name[k])))
			n = 0;
	if (n && n < XF_SET_NAME)
		return 0;
	return xf_diag(XF_EINPUT, at, "bad set name '%s' (1-%d letters,"
		       " digits, '_', '.' or '-', starting with a letter or"
		       " digit)", name, XF_SET_NAME - 1);
}

int xf_set_find(const struct xf_sdesc *sets, const char *name)
{
	for (int k = 0; sets && k < XF_MAX_SETS; k++)
		if (sets[k].name[0] && !strcmp(sets[k].name, name))
			return k;
	return -1;
}

bool xf_rule_names_set(const struct xf_rule *r, int number)
{
	return r->family == XF_FAMILY_SET && r->addr[0] == number;
}

static int no_such_set(const char *name, const struct xf_loc *at)
{
	return xf_diag(XF_EINPUT, at, "no set '%s' (make it first: set %s"
		       " load FILE, or set %s add PREFIX)", name, name, name);
}

/* "@NAME": a source set, by number once the records are known. */
static int parse_set_ref(const char *word, const struct xf_loc *at,
			 struct xf_rule *r)
{
	const char *name = word + 1;
	int k, ret = xf_set_name_check(name, at);

	if (ret)
		return ret;
	r->family = XF_FAMILY_SET;
	if (set_known) {
		k = xf_set_find(set_known, name);
		if (k < 0)
			return no_such_set(name, at);
		r->addr[0] = k;
		return 0;
	}
	for (k = 0; k < set_npending; k++)
		if (!strcmp(set_pending[k], name))
			break;
	if (k == XF_MAX_SETS)
		return xf_diag(XF_EINPUT, at, "'%s': more than %d set names",
			       word, XF_MAX_SETS);
	if (k == set_npending)
		strcpy(set_pending[set_npending++], name);
	r->addr[0] = SET_PENDING | k;
	return 0;
}

int xf_rule_resolve(struct xf_rule *r, const struct xf_loc *at)
{
	const char *name;
	int k;

	if (r->family != XF_FAMILY_SET || !(r->addr[0] & SET_PENDING))
		return 0;
	name = set_pending[r->addr[0] & ~SET_PENDING];
	k = xf_set_find(set_known, name);
	if (k < 0)
		return no_such_set(name, at);
	r->addr[0] = k;
	return 0;
}

/* "from" and "any from" take a PREFIX or a set, @NAME. */
static int parse_source(const char *s, const struct xf_loc *at,
			struct xf_rule *r)
{
	return s[0] == '@' ? parse_set_ref(s, at, r) : parse_prefix(s, at, r);
}

/* "N/s", 1 <= N <= XF_LIMIT_RATE_MAX: a limit's rate. */
static int parse_limit_rate(const char *s, const struct xf_loc *at,
			    __u32 *rate)
{
	unsigned long v;
	char buf[32];

	if (rate_number(s, buf, sizeof(buf)))
		return xf_diag(XF_EINPUT, at, "bad limit rate '%s' (expected"
			       " N/s, such as 5/s)", s);
	if (xf_parse_uint(buf, XF_LIMIT_RATE_MAX, &v))
		return xf_diag(XF_EINPUT, at, "limit %s: N must be 1-%u", s,
			       XF_LIMIT_RATE_MAX);
	*rate = v;
	return 0;
}

/* "per-source [LEN]": LEN groups IPv4 sources (1-32), or for a rule from
 * an IPv6 prefix IPv6 sources (1-128); the other length keeps its
 * default. *i: the word after per-source. */
static int parse_per_source(int argc, char **argv, int *i,
			    const struct xf_loc *at, struct xf_rule *r)
{
	unsigned long len, max = r->family == 6 ? 128 : 32;

	r->per_source = 1;
	r->plen4 = 32;
	r->plen6 = XF_LSRC_PLEN6;
	if (*i >= argc)
		return 0;
	if (xf_parse_uint(argv[*i], max, &len))
		return xf_diag(XF_EINPUT, at, "per-source %s: LEN must be"
			       " 1-%lu (IPv%d)", argv[*i], max,
			       r->family == 6 ? 6 : 4);
	*(r->family == 6 ? &r->plen6 : &r->plen4) = len;
	(*i)++;
	return 0;
}

/* "limit N/s [burst B] [per-source [LEN]]"; *i: the word after limit. */
static int parse_limit(int argc, char **argv, int *i, const struct xf_loc *at,
		       struct xf_rule *r)
{
	unsigned long burst;
	int ret;

	if (r->anyport)
		return xf_diag(XF_EINPUT, at, "limit: not on 'any from PREFIX'"
			       " (a limit is for port rules: PORTS PROTO from"
			       " PREFIX limit N/s)");
	if (*i >= argc)
		return xf_diag(XF_EINPUT, at, "'limit' needs a rate N/s, such"
			       " as 5/s");
	ret = parse_limit_rate(argv[(*i)++], at, &r->limit_rate);
	if (ret)
		return ret;
	r->limit_burst = r->limit_rate;
	if (*i < argc && !strcmp(argv[*i], "burst")) {
		if (++*i >= argc)
			return xf_diag(XF_EINPUT, at, "'burst' needs a number"
				       " B, 1-%u", XF_LIMIT_BURST_MAX);
		if (xf_parse_uint(argv[*i], XF_LIMIT_BURST_MAX, &burst))
			return xf_diag(XF_EINPUT, at, "burst %s: B must be"
				       " 1-%u", argv[*i], XF_LIMIT_BURST_MAX);
		r->limit_burst = burst;
		(*i)++;
	}
	if (*i < argc && !strcmp(argv[*i], "per-source")) {
		(*i)++;
		return parse_per_source(argc, argv, i, at, r);
	}
	return 0;
}

/* [log [N/s]]; *i: where it may start. */
static int parse_log(int argc, char **argv, int *i, const struct xf_loc *at,
		     struct xf_rule *r)
{
	if (*i >= argc || strcmp(argv[*i], "log"))
		return 0;
	(*i)++;
	r->log_rate = XF_LOG_RATE;
	/* A rate, or something meant as one ("5", "5/m"). */
	if (*i < argc && (strchr(argv[*i], '/') ||
			  isdigit((unsigned char)argv[*i][0])))
		return parse_log_rate(argv[(*i)++], at, &r->log_rate);
	return 0;
}

/* The end of a rule: [log [N/s]] [limit N/s [burst B] [per-source
 * [LEN]]], then nothing. */
static int parse_rule_tail(int argc, char **argv, int i,
			   const struct xf_loc *at, struct xf_rule *r)
{
	int ret = parse_log(argc, argv, &i, at, r);

	if (!ret && i < argc && !strcmp(argv[i], "limit")) {
		i++;
		ret = parse_limit(argc, argv, &i, at, r);
	}
	if (ret || i >= argc)
		return ret;
	if (r->limit_rate)
		return xf_diag(XF_EINPUT, at, "unexpected '%s' after limit"
			       " (limit N/s [burst B] [per-source [LEN]] comes"
			       " last)", argv[i]);
	if (r->log_rate)
		return xf_diag(XF_EINPUT, at, "unexpected '%s' after log (log"
			       " [N/s] comes before limit, after the rest)",
			       argv[i]);
	return xf_diag(XF_EINPUT, at, "unknown keyword '%s' (expected src, dst,"
		       " from PREFIX, log [N/s] or limit N/s)", argv[i]);
}

static int parse_any_from(int argc, char **argv, const struct xf_loc *at,
			  struct xf_rule *r)
{
	int ret;

	if (argc < 3 || strcmp(argv[1], "from"))
		return xf_diag(XF_EINPUT, at, "'%s' as a port needs 'from"
			       " PREFIX' (any from PREFIX)", argv[0]);
	r->anyport = 1;
	r->protos = XF_PM_TCP | XF_PM_UDP;
	r->port_lo = 1;
	r->port_hi = 65535;
	ret = parse_source(argv[2], at, r);
	return ret ? ret : parse_rule_tail(argc, argv, 3, at, r);
}

int xf_parse_rule(int argc, char **argv, const struct xf_loc *at,
		  struct xf_rule *r)
{
	int i = 1, ret;

	memset(r, 0, sizeof(*r));
	r->sets = 1;
	if (argc < 1)
		return xf_diag(XF_EINPUT, at, "missing rule: PORTS tcp|udp|any"
			       " [src|dst] [from PREFIX], or any from PREFIX");
	if (!strcmp(argv[0], "any"))
		return parse_any_from(argc, argv, at, r);
	ret = xf_parse_range(argv[0], at, &r->port_lo, &r->port_hi);
	if (ret)
		return ret;
	if (i >= argc)
		return xf_diag(XF_EINPUT, at, "missing protocol after '%s' (tcp,"
			       " udp or any)", argv[0]);
	if (!strcmp(argv[i], "tcp"))
		r->protos = XF_PM_TCP;
	else if (!strcmp(argv[i], "udp"))
		r->protos = XF_PM_UDP;
	else if (!strcmp(argv[i], "any"))
		r->protos = XF_PM_TCP | XF_PM_UDP;
	else
		return xf_diag(XF_EINPUT, at, "bad protocol '%s' (expected tcp,"
			       " udp or any)", argv[i]);
	i++;
	if (i < argc && (!strcmp(argv[i], "src") || !strcmp(argv[i], "dst")))
		r->dir = !strcmp(argv[i++], "src") ? XF_DIR_SRC : XF_DIR_DST;
	if (i < argc && !strcmp(argv[i], "from")) {
		if (++i >= argc)
			return xf_diag(XF_EINPUT, at, "'from' needs a PREFIX");
		ret = parse_source(argv[i++], at, r);
		if (ret)
			return ret;
	}
	return parse_rule_tail(argc, argv, i, at, r);
}

const char *xf_proto_text(const struct xf_rule *r)
{
	return r->protos == XF_PM_TCP ? "tcp" :
	       r->protos == XF_PM_UDP ? "udp" : "any";
}

void xf_prefix_text(const struct xf_rule *r, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "";
	__u8 k = r->addr[0];

	if (r->family == XF_FAMILY_SET) {
		if (k & SET_PENDING)
			snprintf(buf, len, "@%s", set_pending[(k & ~SET_PENDING)
							     % XF_MAX_SETS]);
		else if (set_known && k < XF_MAX_SETS && set_known[k].name[0])
			snprintf(buf, len, "@%s", set_known[k].name);
		else
			snprintf(buf, len, "@#%u", k);	/* no record: a bug */
		return;
	}

	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, addr,
		  sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, r->prefixlen);
}

/* Appends printf output to buf (len bytes in all). */
static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

void xf_format_rule(const struct xf_rule *r, char *buf, size_t len)
{
	char pfx[INET6_ADDRSTRLEN + 8] = "";

	if (r->family)
		xf_prefix_text(r, pfx, sizeof(pfx));
	buf[0] = '\0';
	if (r->anyport) {
		append(buf, len, "any from %s", pfx);
	} else {
		if (r->port_lo == r->port_hi)
			append(buf, len, "%u %s", r->port_lo, xf_proto_text(r));
		else
			append(buf, len, "%u-%u %s", r->port_lo, r->port_hi,
			       xf_proto_text(r));
		if (r->dir == XF_DIR_SRC)
			append(buf, len, " src");
		if (r->family)
			append(buf, len, " from %s", pfx);
	}
	if (r->log_rate == XF_LOG_RATE)
		append(buf, len, " log");
	else if (r->log_rate)
		append(buf, len, " log %u/s", r->log_rate);
	if (r->limit_rate) {
		append(buf, len, " ");
		xf_format_limit(r, buf + strlen(buf), len - strlen(buf));
	}
}

/* The prefix length that groups sources of a per-source rule, as written:
 * the IPv6 one for a rule from an IPv6 prefix, else the IPv4 one. */
static unsigned int written_plen(const struct xf_rule *r, bool *dflt)
{
	*dflt = r->family == 6 ? r->plen6 == XF_LSRC_PLEN6 : r->plen4 == 32;
	return r->family == 6 ? r->plen6 : r->plen4;
}

void xf_format_limit(const struct xf_rule *r, char *buf, size_t len)
{
	unsigned int plen;
	bool dflt;

	if (!len)
		return;
	buf[0] = '\0';
	if (!r->limit_rate)
		return;
	append(buf, len, "limit %u/s", r->limit_rate);
	if (r->limit_burst != r->limit_rate)
		append(buf, len, " burst %u", r->limit_burst);
	if (!r->per_source)
		return;
	append(buf, len, " per-source");
	plen = written_plen(r, &dflt);
	if (!dflt)
		append(buf, len, " %u", plen);
}

/* The words after "policy allow". */
static int parse_allow_words(int argc, char **argv, const struct xf_loc *at,
			     struct xf_policy_args *p)
{
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "stateless")) {
			p->stateless = true;
		} else if (!strcmp(argv[i], "ephemeral")) {
			p->stateless = true;	/* only that gate has one */
			if (++i >= argc)
				return xf_diag(XF_EINPUT, at, "'ephemeral' needs"
					       " a port range LO-HI");
			ret = xf_parse_range(argv[i], at, &p->eph_lo,
					     &p->eph_hi);
			if (ret)
				return ret;
			p->eph_given = true;
		} else if (!strcmp(argv[i], "dhcp")) {
			p->dhcp = 1;
		} else if (!strcmp(argv[i], "nodhcp")) {
			p->dhcp = 0;
		} else {
			return xf_diag(XF_EINPUT, at, "unknown keyword '%s'"
				       " (expected stateless, ephemeral LO-HI,"
				       " dhcp or nodhcp)", argv[i]);
		}
	}
	return 0;
}

int xf_parse_policy(int argc, char **argv, const struct xf_loc *at,
		    struct xf_policy_args *p)
{
	memset(p, 0, sizeof(*p));
	p->dhcp = -1;
	if (argc == 0)
		return 0;
	if (argc == 1 && !strcmp(argv[0], "--json")) {
		p->json = true;
		return 0;
	}
	if (!strcmp(argv[0], "deny")) {
		if (argc > 1)
			return xf_diag(XF_EINPUT, at, "unexpected argument '%s'"
				       " (policy deny takes none)", argv[1]);
		p->change = true;
		return 0;
	}
	if (strcmp(argv[0], "allow"))
		return xf_diag(XF_EINPUT, at, "bad policy '%s' (expected allow"
			       " or deny)", argv[0]);
	p->change = p->allow = true;
	return parse_allow_words(argc, argv, at, p);
}

/* The range this host gives its own outgoing connections, the default
 * for "policy allow": replies to them arrive there. */
static int local_port_range(__u16 *lo, __u16 *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned int a, b;
	bool ok;

	if (!f)
		return -ENOENT;
	ok = fscanf(f, "%u %u", &a, &b) == 2 && a >= 1 && a <= b && b <= 65535;
	fclose(f);
	if (!ok)
		return -ENOENT;
	*lo = a;
	*hi = b;
	return 0;
}

int xf_policy_make(const struct xf_policy_args *p, const struct xf_set *base,
		   struct xf_set *out)
{
	bool was_stateful = base->flags & XF_CFG_STATEFUL;

	*out = *base;
	out->flags &= ~(XF_CFG_ALLOW | XF_CFG_STATEFUL);
	if (!p->allow)
		return 0;
	out->flags |= XF_CFG_ALLOW;
	if (!p->stateless) {		/* conntrack knows the replies */
		out->flags |= XF_CFG_STATEFUL;
		out->eph_lo = out->eph_hi = 0;
	} else if (p->eph_given) {
		out->eph_lo = p->eph_lo;
		out->eph_hi = p->eph_hi;
	} else if ((was_stateful || !out->eph_lo) &&
		   local_port_range(&out->eph_lo, &out->eph_hi)) {
		return -ENOENT;
	}
	if (p->dhcp == 0)
		out->flags |= XF_CFG_NO_DHCP;
	else if (p->dhcp == 1)
		out->flags &= ~XF_CFG_NO_DHCP;
	return 0;
}

void xf_format_policy(const struct xf_set *set, char *buf, size_t len)
{
	if (!(set->flags & XF_CFG_ALLOW))
		snprintf(buf, len, "policy deny");
	else if (set->flags & XF_CFG_STATEFUL)
		snprintf(buf, len, "policy allow %s",
			 set->flags & XF_CFG_NO_DHCP ? "nodhcp" : "dhcp");
	else
		snprintf(buf, len, "policy allow stateless ephemeral %u-%u %s",
			 set->eph_lo, set->eph_hi,
			 set->flags & XF_CFG_NO_DHCP ? "nodhcp" : "dhcp");
}

bool xf_same_policy(const struct xf_set *a, const struct xf_set *b)
{
	if ((a->flags & XF_CFG_ALLOW) != (b->flags & XF_CFG_ALLOW))
		return false;
	return !(a->flags & XF_CFG_ALLOW) ||
	       (a->flags == b->flags && a->eph_lo == b->eph_lo &&
		a->eph_hi == b->eph_hi);
}

int xf_cmp_prefix(const struct xf_rule *x, const struct xf_rule *y)
{
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c)
		return c;
	return x->prefixlen - y->prefixlen;
}

/* Rate, burst, grouping: a rule whose limit changes is a new rule. */
static int cmp_limit(const struct xf_rule *x, const struct xf_rule *y)
{
	if (x->limit_rate != y->limit_rate)
		return x->limit_rate < y->limit_rate ? -1 : 1;
	if (x->limit_burst != y->limit_burst)
		return x->limit_burst < y->limit_burst ? -1 : 1;
	if (x->per_source != y->per_source)
		return x->per_source - y->per_source;
	if (x->plen4 != y->plen4)
		return x->plen4 - y->plen4;
	return x->plen6 - y->plen6;
}

int xf_cmp_rule(const struct xf_rule *x, const struct xf_rule *y)
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
	if (x->log_rate != y->log_rate)
		return x->log_rate < y->log_rate ? -1 : 1;
	return cmp_limit(x, y);
}

bool xf_same_rule(const struct xf_rule *a, const struct xf_rule *b)
{
	return !xf_cmp_rule(a, b);
}

bool xf_overlaps(const struct xf_rule *a, const struct xf_rule *b)
{
	if (xf_cmp_prefix(a, b) || a->anyport != b->anyport)
		return false;
	if (a->anyport)
		return true;
	return a->dir == b->dir && (a->protos & b->protos) &&
	       a->port_lo <= b->port_hi && b->port_lo <= a->port_hi;
}
