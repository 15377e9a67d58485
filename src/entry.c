// SPDX-License-Identifier: GPL-2.0
/* entry - the loader shape of the Rex XDP example this project grew from:
 *
 *   entry [--obj FILE] [--mode native|generic] IFINDEX|IFNAME
 *	loads the filter (default: the safe-Rust build, xdp_filter_rs.o next
 *	to this binary), pins its maps by name where ip(8) would, and attaches
 *	it to the interface ("entry 1" binds to lo, as in the example);
 *   entry add_rule PORT tcp|udp
 *	drops packets to PORT, through the same code as rulectl (xf_store.c).
 *
 * Unlike ip(8) it loads with libbpf directly, so it also shows how a program
 * of our own would do it. Exit status: 0 ok, 1 runtime failure, 2 usage.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xf_rule.h"
#include "xf_store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--obj FILE] [--mode native|generic] IFINDEX|IFNAME\n"
		"       %s add_rule PORT tcp|udp   (or any rule.sh RULE)\n"
		"       %s -h | --help\n"
		"Loads and attaches xdp_filter (default object: xdp_filter_rs.o"
		" next to %s),\npinning its maps under %s; add_rule adds a"
		" rule to them.\n",
		xf_prog, xf_prog, xf_prog, xf_prog, XF_PIN_DIR);
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);	/* the verifier log, on failure */
}

static int add_rule(int argc, char **argv)
{
	struct xf_rule rule;
	struct xf_maps m;
	int ret = xf_parse_rule(argc, argv, NULL, &rule);

	if (!ret)
		ret = xf_init();
	if (!ret)
		ret = xf_open_maps(&m, false);
	if (ret)
		return ret;
	ret = xf_lock(&m, true);
	if (!ret)
		ret = xf_store_add(&m, m.set, &rule, NULL);
	if (!ret)
		ret = xf_store_done(&m);
	xf_close_maps(&m);
	return ret;
}

/* libbpf makes only the last directory of a pin path. */
static int mkdir_p(const char *dir)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

/* The interface named by dev (a name, or an index as "entry 1" gives):
 * its index, or 0. */
static int ifindex_of(const char *dev)
{
	char name[IF_NAMESIZE];
	unsigned long idx;
	char *end;
	int ifindex;

	errno = 0;
	idx = strtoul(dev, &end, 10);
	if (*dev && !*end && !errno)
		ifindex = idx > INT_MAX ? 0 : (int)idx;
	else
		ifindex = if_nametoindex(dev);
	return ifindex > 0 && if_indextoname(ifindex, name) ? ifindex : 0;
}

/* Pins of another layout are refused before loading, with the way forward,
 * rather than by libbpf's bare "incompatible" error. */
static int check_pins(void)
{
	struct xf_maps m;
	int err;

	if (mkdir_p(xf_pin_dir))
		return xf_diag(-errno, NULL, "%s: %s (is bpffs mounted at"
			       " /sys/fs/bpf?)", xf_pin_dir, strerror(errno));
	err = xf_open_maps(&m, true);
	if (!err)
		xf_close_maps(&m);
	return err == -ENOENT ? 0 : err;
}

/* Loads obj_path's program xdp_filter (its maps pinned by name) and
 * attaches it to ifindex: 0 or -errno. */
static int load_attach(const char *obj_path, __u32 xdp_flags, int ifindex,
		       const char *dev)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = xf_pin_dir);
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err;

	obj = bpf_object__open_file(obj_path, &opts);
	if (!obj)
		return xf_diag(-errno, NULL, "%s: %s", obj_path,
			       strerror(errno));
	prog = bpf_object__find_program_by_name(obj, "xdp_filter");
	if (!prog)
		err = xf_diag(-ENOENT, NULL, "%s: no program xdp_filter",
			      obj_path);
	else if ((err = bpf_object__load(obj)))
		xf_diag(err, NULL, "load %s: %s", obj_path, strerror(-err));
	/* Without XDP_FLAGS_UPDATE_IF_NOEXIST this replaces a program that
	 * is already attached in the same mode, atomically. */
	else if ((err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
				       xdp_flags, NULL)))
		xf_diag(err, NULL, "attach to %s: %s", dev, strerror(-err));
	bpf_object__close(obj);		/* the link keeps the program alive */
	return err;
}

static int attach(const char *obj_path, __u32 xdp_flags, const char *dev)
{
	int ifindex = ifindex_of(dev), err;
	struct xf_maps m;

	if (!ifindex)
		return xf_diag(XF_EINPUT, NULL, "no such interface '%s'", dev);
	err = xf_init();
	if (!err)
		err = check_pins();
	if (!err) {
		libbpf_set_print(print_libbpf);
		err = load_attach(obj_path, xdp_flags, ifindex, dev);
	}
	if (!err)
		err = xf_open_maps(&m, false);
	if (err)
		return err;
	err = xf_lock(&m, true);
	if (!err)
		err = xf_store_stamp(&m);
	xf_close_maps(&m);
	if (!err)
		printf("%s attached to ifindex %d, maps pinned under %s\n",
		       obj_path, ifindex, xf_pin_dir);
	return err;
}

/* The options before IFINDEX|IFNAME: 0 or XF_EINPUT. */
static int parse_opts(int argc, char **argv, const char **obj, __u32 *flags)
{
	int i;

	for (i = 1; i < argc - 1; i += 2) {
		if (!strcmp(argv[i], "--obj"))
			*obj = argv[i + 1];
		else if (strcmp(argv[i], "--mode"))
			return xf_diag(XF_EINPUT, NULL, "unknown option '%s'",
				       argv[i]);
		else if (!strcmp(argv[i + 1], "native"))
			*flags = XDP_FLAGS_DRV_MODE;
		else if (!strcmp(argv[i + 1], "generic"))
			*flags = XDP_FLAGS_SKB_MODE;
		else
			return xf_diag(XF_EINPUT, NULL, "bad mode '%s' (expected"
				       " native or generic)", argv[i + 1]);
	}
	if (i != argc - 1)
		return xf_diag(XF_EINPUT, NULL, "expected one IFINDEX or"
			       " IFNAME");
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *slash = strrchr(argv[0], '/');
	char def_obj[PATH_MAX];
	__u32 flags = 0;
	int ret;

	xf_set_prog(argv[0]);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "add_rule"))	/* any rule.sh RULE */
		return xf_exit_status(add_rule(argc - 2, argv + 2));
	ret = parse_opts(argc, argv, &obj_path, &flags);
	if (ret)
		return xf_exit_status(ret);
	if (!obj_path) {
		snprintf(def_obj, sizeof(def_obj), "%.*s/xdp_filter_rs.o",
			 slash ? (int)(slash - argv[0]) : 1,
			 slash ? argv[0] : ".");
		obj_path = def_obj;
	}
	return xf_exit_status(attach(obj_path, flags, argv[argc - 1]));
}
