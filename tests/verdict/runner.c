// SPDX-License-Identifier: GPL-2.0
/* runner.c - xf_verdict: feed crafted frames straight to the filter with
 * BPF_PROG_TEST_RUN and compare each verdict with the contract in DESIGN.md
 * ("Rule semantics"): the XDP action, the one xf_stats reason that counted
 * the frame, the xf_rcount slot of the rule that decided it and no other
 * rule's, and the drop log (check.c).
 *
 * Any object with the xdp_filter.h ABI works (--obj), so the C and the Rust
 * implementations are held to the same table, and any XDP program in it
 * (--prog, default xdp_filter). The object is loaded privately and thrown
 * away on exit (tests/lib/xf_load.h): the tool needs no bpffs and never
 * touches an attached filter.
 *
 * Cases are data (cases.c, families.c). Each case's rules and policies go
 * into the maps through the store, as rulectl writes them (install.c), and
 * come out again after it. Rule sets: the table's cases alternate between
 * set 0 and set 1 (by their place in the list), so every group runs in
 * both; the sets/ cases put rules in one set and make the other active.
 *
 * Feature tiers (ABI v5): with --tiers the object's tier programs are
 * loaded into xf_progs too, so xdp_filter runs the lightest tier that
 * serves each case's rules, as after an attach (the tiers each case ran in
 * are counted and printed before the summary line); without it,
 * xdp_filter's own full filter decides every case, and --prog xf_full
 * (with --tiers) the full tier's program.
 *
 * The stateful allow policy (ABI v6): the state/ cases' frames carry the
 * tuples of real flows. When the program that runs a case is the state
 * tier (--tiers, where the store picks it, or --prog xf_state), which asks
 * the host, the tool makes those flows in a network namespace of its own
 * (tests/lib/flows.h; once, before the first such case) and runs the case's
 * frames there, where the lookups look; every other test run is in the
 * caller's namespace. Any other program gates a stateful set as the
 * stateless policy would (ephemeral range 0-0) and asks nothing: there
 * what the host would have decided becomes the stateless verdict
 * (stateless()), and no flow is needed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../src/xf_store.h"
#include "../../src/xf_tiers.h"
#include "../lib/flows.h"
#include "../lib/xf_load.h"
#include "verdict.h"

#define DEFAULT_OBJ	"build/xdp_filter.o"
#define ETH_LEN		14

enum outcome { PASS, FAIL, SKIP };

struct env {
	struct xf_obj	o;
	struct ring_buffer *rb;		/* on xf_log */
	struct drop_log	log;
	bool		tiers;
	const char	*prog;
	int		in_tier[XF_TIERS + 1];	/* cases per tier; [XF_TIERS]:
						 * xdp_filter's own */
	struct xf_flows	fl;		/* the stateful cases' flows */
	bool		flows;		/* made */
	int		nstate[XF_R_MAX];	/* stateful cases' verdicts */
	int		nstate_ct;	/* ... run by the state tier */
};

/* One xf_log record: kept in e->log for the case's checks. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct drop_log *l = ctx;

	if (size != sizeof(struct xf_event))
		l->bad_size = size;
	else if (l->nev < MAX_EVENTS)
		memcpy(&l->ev[l->nev], data, sizeof(struct xf_event));
	l->nev++;
	return 0;
}

/* Reads what the program wrote to xf_log since the last call. */
static int read_log(struct env *e)
{
	int n = ring_buffer__consume(e->rb);

	return n < 0 ? n : 0;
}

static int env_open(struct env *e, const char *path, const char *prog)
{
	libbpf_set_print(xf_libbpf_print);
	xf_prog = PROG;
	if (xf_obj_open(&e->o, PROG, path, prog, e->tiers))
		return -1;
	if (xf_store_stamp(&e->o.m))
		return -1;
	e->rb = ring_buffer__new(e->o.m.fd[XF_M_LOG], on_event, &e->log,
				 NULL);
	if (!e->rb)
		return xf_load_err(PROG, path, "ring buffer " XF_MAP_LOG,
				   errno);
	return 0;
}

static void env_close(struct env *e)
{
	ring_buffer__free(e->rb);
	xf_obj_close(&e->o);
}

/* Does any rule of c log its drops? Its test runs then pass an xdp_md
 * with ingress_ifindex, which the events must carry. */
static bool case_logs(const struct tcase *c)
{
	for (int i = 0; i < MAX_RULES && c->rules[i].on; i++)
		if (c->rules[i].logged)
			return true;
	return false;
}

/* The case's pre frames (struct tcase), before its own: 0 or an errno
 * of BPF_PROG_TEST_RUN. */
static int run_pre(struct env *e, const struct tcase *c,
		   const struct frame *pre)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = c->pre_repeat,
		    .data_in = pre->b, .data_size_in = pre->len);
	struct xdp_md ctx = { .ingress_ifindex = e->log.ifindex,
			      .data_end = pre->len };

	if (!c->pre_repeat)
		return 0;
	if (case_logs(c)) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	return bpf_prog_test_run_opts(e->o.prog_fd, &opts) ? errno : 0;
}

/* The case's test runs: its pre frames, repeat frames, and with again
 * one more after rule 0's bucket had a token's time to refill. 0, or an
 * errno of BPF_PROG_TEST_RUN in *run_err; a negative errno if the maps
 * fail. */
static int run_frames(struct env *e, const struct tcase *c,
		      const struct placed *p, const struct frame *f,
		      const struct frame *pre, struct logrun *lr,
		      int *retval, int *run_err)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = lr->repeat,
		    .data_in = f->b, .data_size_in = f->len);
	struct xdp_md ctx = { .ingress_ifindex = e->log.ifindex,
			      .data_end = f->len };
	struct timespec wait = { 0 };
	int err;

	if (case_logs(c)) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	*run_err = run_pre(e, c, pre);
	if (*run_err)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &lr->t[0]);
	*run_err = bpf_prog_test_run_opts(e->o.prog_fd, &opts) ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &lr->t[1]);
	*retval = (int)opts.retval;
	err = read_log(e);
	lr->n1 = e->log.nev;
	if (err || !c->again || *run_err || !c->rules[0].rate)
		return err;
	/* one token's time, and some */
	wait.tv_nsec = 1000000000 / c->rules[0].rate + 50000000;
	wait.tv_sec = wait.tv_nsec / 1000000000;
	wait.tv_nsec %= 1000000000;
	if (bpf_map_lookup_elem(e->o.m.fd[XF_M_RLOG], &p->id[0], &lr->mid))
		return -errno;
	nanosleep(&wait, NULL);
	opts.repeat = 1;
	clock_gettime(CLOCK_MONOTONIC, &lr->t[2]);
	*run_err = bpf_prog_test_run_opts(e->o.prog_fd, &opts) ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &lr->t[3]);
	return read_log(e);
}

static const char *action_name(int act)
{
	static char buf[16];

	switch (act) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	}
	snprintf(buf, sizeof(buf), "%d", act);
	return buf;
}

/* The frame as hex: its first 256 bytes, where the headers are. */
static void print_hex(const struct frame *f)
{
	size_t n = f->len < 256 ? f->len : 256;

	printf("  frame %zu bytes:", f->len);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i % 4 ? "" : " ", f->b[i]);
	if (n < f->len)
		printf(" ... (%zu more)", f->len - n);
	putchar('\n');
}

/* What the case's runs did against what it says; prints the outcome. */
static int judge(const struct env *e, const struct tcase *c,
		 const struct placed *p, const struct frame *f,
		 const struct frame *pre, const struct snapshot *b,
		 const struct snapshot *a, const struct logrun *lr, int retval,
		 int run_err, bool ct)
{
	char diff[1024] = "";

	if (run_err == EINVAL && f->len < ETH_LEN) {
		printf("skip %s: kernel refuses frames < %d bytes\n", c->name,
		       ETH_LEN);
		return SKIP;
	}
	if (run_err) {
		note(diff, sizeof(diff), "BPF_PROG_TEST_RUN: %s",
		     strerror(run_err));
	} else {
		if (retval != c->act)
			note(diff, sizeof(diff), "verdict %s, want %s",
			     action_name(retval), action_name(c->act));
		check_counts(c, p, b, a, (__u64)lr->repeat + c->again, f->len,
			     pre->len, diff, sizeof(diff));
		check_log(&e->log, c, p, f, b, a, lr, diff, sizeof(diff));
	}
	if (!diff[0]) {
		printf("ok %s\n", c->name);
		return PASS;
	}
	printf("FAIL %s: %s\n", c->name, diff);
	print_hex(f);
	printf("  rules in set %d, set %d active\n", p->set, p->active);
	if (c->cfg.stateful)
		printf("  stateful policy, %s\n", ct ? "run by the state tier"
		       " (it asks the host)" : "no state tier: gated as the"
		       " stateless policy");
	return FAIL;
}

/* A stateful case where no program asks the host: the set is gated as the
 * stateless allow policy with its ephemeral range 0-0. Of what the host
 * would have decided, TCP past its SYN passes (passed) and UDP drops
 * (policy); the rest (rules, SYNs, DHCP, unknown UDP) is the same. No
 * stateful case sends UDP to port 0, the one port of that range. TCP past
 * its SYN that a limit rule matches is the rule's there (allowed). */
static void stateless(struct tcase *c)
{
	bool tcp = c->f.l4 == L4_TCP;

	if (c->why != XF_R_TRACKED && c->why != XF_R_STATE)
		return;
	c->act = tcp ? XDP_PASS : XDP_DROP;
	c->why = tcp ? XF_R_PASSED : XF_R_POLICY;
	if (c->limit_ack)
		c->why = XF_R_ALLOWED;
}

/* The tier the case's rules made active, counted. */
static int note_tier(struct env *e)
{
	__u32 set;
	int tier, err = xf_tier_active(&e->o.m, &tier, &set);

	if (!err)
		e->in_tier[tier < 0 ? XF_TIERS :
			   tier == XF_TIER_FULL &&
			   !e->o.m.slot_ids[XF_PROG_ACTIVE] ? XF_TIERS : tier]++;
	return err;
}

/* The flows, made once, before the first case the state tier runs; the
 * tool goes back to the caller's namespace. 0 or -EIO (said). */
static int make_flows(struct env *e)
{
	if (xf_flows_make(&e->fl, PROG) || xf_flows_leave(&e->fl))
		return -EIO;
	e->flows = true;
	return 0;
}

/* What the stateful cases wanted, and where their flows were. */
static void print_state(const struct env *e)
{
	int n = 0;

	for (int r = 0; r < XF_R_MAX; r++)
		n += e->nstate[r];
	if (!n)
		return;
	printf("stateful cases: %d, %d run by the state tier; want", n,
	       e->nstate_ct);
	for (int r = 0; r < XF_R_MAX; r++)
		if (e->nstate[r])
			printf(" %s %d", reason_name(r), e->nstate[r]);
	if (e->flows)
		printf("; %d flows made in a network namespace of our own,"
		       " %d in conntrack", XF_NFLOWS, e->fl.nct);
	putchar('\n');
}

/* Returns the outcome, or -1 when the maps cannot be used at all. */
static int run_case(struct env *e, const struct tcase *tc, size_t nth)
{
	struct logrun lr = { .repeat = tc->repeat ? tc->repeat : 1 };
	struct snapshot before, after;
	int err, ret, retval = 0, run_err = 0;
	struct tcase cc = *tc, *c = &cc;
	const char *what = "maps";
	bool ct = false, in_ns = false;
	struct placed p;
	struct frame f, pre = { 0 };

	build_frame(&c->f, &f);
	if (c->pre_repeat)
		build_frame(&c->pre, &pre);
	lr.drops = c->why == XF_R_DROPPED ? lr.repeat : c->limited;
	err = case_install(&e->o.m, c, nth, &p);
	if (!err)
		err = note_tier(e);
	if (!err && c->cfg.stateful) {
		ct = xf_obj_runs_state(&e->o, e->prog, e->tiers);
		if (!ct)
			stateless(c);
		e->nstate[c->why]++;
		e->nstate_ct += ct;
		if (ct && !e->flows)
			err = make_flows(e);
		if (err)
			what = "flows";
	}
	if (!err)
		err = read_log(e);		/* nothing should be there */
	e->log.nev = 0;
	e->log.bad_size = 0;
	if (!err)
		err = snap(&e->o.m, c, &p, &before);
	if (!err && ct) {
		in_ns = !xf_flows_enter(&e->fl);
		err = in_ns ? 0 : -EIO;
		what = in_ns ? what : "flows";
	}
	if (!err)
		err = run_frames(e, c, &p, &f, &pre, &lr, &retval, &run_err);
	if (in_ns && xf_flows_leave(&e->fl) && !err) {
		err = -EIO;
		what = "flows";
	}
	if (!err)
		err = snap(&e->o.m, c, &p, &after);
	if (!err && !c->again)
		lr.mid = after.rlog[0];
	/* Always clear, even after an error: rules leak into later cases. */
	ret = case_clear(&e->o.m);
	if (ret && !err)
		err = ret;
	if (err) {
		fprintf(stderr, PROG ": %s: case %s: %s: %s\n", e->o.path,
			c->name, what, strerror(-err));
		return -1;
	}
	return judge(e, c, &p, &f, &pre, &before, &after, &lr, retval,
		     run_err, ct);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [--obj PATH] [--prog NAME] [--tiers]"
		" [--ifindex N|IFNAME] [PREFIX...]\n"
		"       " PROG " --list [PREFIX...]\n"
		"Run crafted frames through an xdp_filter object with\n"
		"BPF_PROG_TEST_RUN and check verdicts and counters against\n"
		"the contract in DESIGN.md. PREFIXes select cases by name\n"
		"(e.g. vlan, ipv6/ah, prefix/longest/); default all.\n"
		"  --obj PATH   object to load (default " DEFAULT_OBJ ")\n"
		"  --prog NAME  its XDP program to run (default "
		XF_DEFAULT_PROG ")\n"
		"  --tiers      load the feature tiers' programs too: xdp_filter\n"
		"               runs the tier each case's rules need\n"
		"  --ifindex N|IFNAME\n"
		"               ingress_ifindex of the drop log cases' test\n"
		"               runs: an existing interface (default 1, lo)\n"
		"  --list       print the selected case names and exit\n"
		"  -h, --help   this text\n"
		"Exit: 0 all passed, 1 a case failed or setup failed,"
		" 2 usage.\n");
}

struct opts {
	const char	*obj;
	const char	*prog;
	__u32		ifindex;
	bool		list;
	bool		tiers;
	char		**prefixes;
	int		nprefixes;
};

/* An interface by number or by name: its index, or 0. */
static __u32 parse_ifindex(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-')
		return if_nametoindex(s);		/* a name */
	return errno || v > UINT32_MAX ? 0 : (__u32)v;
}

static int bad_option(char **argv, const char *why)
{
	/* optopt is 0 for an unknown long option. */
	if (why)
		fprintf(stderr, PROG ": %s %s\n", argv[optind - 1], why);
	else if (optopt)
		fprintf(stderr, PROG ": unknown option -%c\n", optopt);
	else
		fprintf(stderr, PROG ": unknown option %s\n", argv[optind - 1]);
	usage(stderr);
	return 2;
}

/* -1: --help was printed; 0: go on; 2: bad usage (said). */
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "obj", required_argument, NULL, 'o' },
		{ "prog", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "tiers", no_argument, NULL, 't' },
		{ "ifindex", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int opt;

	opterr = 0;			/* our prefix, not argv[0]'s path */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o->obj = optarg;
			break;
		case 'p':
			if (!*optarg) {
				fprintf(stderr, PROG ": bad --prog ''\n");
				return 2;
			}
			o->prog = optarg;
			break;
		case 'l':
			o->list = true;
			break;
		case 't':
			o->tiers = true;
			break;
		case 'i':
			o->ifindex = parse_ifindex(optarg);
			if (!o->ifindex) {
				fprintf(stderr, PROG ": bad --ifindex '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return bad_option(argv, "needs an argument");
		default:
			return bad_option(argv, NULL);
		}
	}
	o->prefixes = argv + optind;
	o->nprefixes = argc - optind;
	return 0;
}

static bool selected(const char *name, char **prefixes, int n)
{
	if (!n)
		return true;
	for (int i = 0; i < n; i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* Each PREFIX names some case; checked before touching the kernel, so a
 * typo is reported the same way with or without root. */
static int check_prefixes(const struct cases *cs, const struct opts *o)
{
	size_t j;

	for (int i = 0; i < o->nprefixes; i++) {
		for (j = 0; j < cs->n; j++)
			if (selected(cs->v[j].name, &o->prefixes[i], 1))
				break;
		if (j == cs->n) {
			fprintf(stderr, PROG ": no case matches '%s'"
				" (see --list)\n", o->prefixes[i]);
			return 2;
		}
	}
	return 0;
}

static int run_all(struct env *e, const struct cases *cs,
		   const struct opts *o)
{
	int ret, npass = 0, nfail = 0, nskip = 0;

	for (size_t j = 0; j < cs->n; j++) {
		if (!selected(cs->v[j].name, o->prefixes, o->nprefixes))
			continue;
		ret = run_case(e, &cs->v[j], j);
		if (ret < 0) {
			nfail++;
			break;
		}
		npass += ret == PASS;
		nfail += ret == FAIL;
		nskip += ret == SKIP;
	}
	print_state(e);
	if (e->tiers)
		printf("tiers: dst %d, ports %d, sets %d, full %d, state %d,"
		       " xdp_filter %d\n",
		       e->in_tier[XF_TIER_DST], e->in_tier[XF_TIER_PORTS],
		       e->in_tier[XF_TIER_SETS], e->in_tier[XF_TIER_FULL],
		       e->in_tier[XF_TIER_STATE], e->in_tier[XF_TIERS]);
	if (nskip)
		printf("%d passed, %d failed, %d skipped\n", npass, nfail,
		       nskip);
	else
		printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .obj = DEFAULT_OBJ, .prog = XF_DEFAULT_PROG,
			  .ifindex = 1 };
	static struct env e;
	struct cases cs = { 0 };
	int ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	add_table(&cs);
	add_generated(&cs);
	ret = check_prefixes(&cs, &o);
	if (!ret && o.list) {
		for (size_t j = 0; j < cs.n; j++)
			if (selected(cs.v[j].name, o.prefixes, o.nprefixes))
				puts(cs.v[j].name);
	} else if (!ret) {
		e.log.ifindex = o.ifindex;
		e.tiers = o.tiers;
		e.prog = o.prog;
		ret = env_open(&e, o.obj, o.prog) ? 1 : run_all(&e, &cs, &o);
		env_close(&e);
	}
	free(cs.v);
	return ret;
}
