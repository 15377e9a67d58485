// SPDX-License-Identifier: GPL-2.0
/* entry - the loader shape of the Rex XDP example this project grew from:
 *
 *   entry [--obj FILE] [--mode native|generic] IFINDEX|IFNAME
 *	loads the filter (default: the safe-Rust build, xdp_filter_rs.o next
 *	to this binary), pins its maps by name where ip(8) would, and attaches
 *	it to the interface ("entry 1" binds to lo, as in the example);
 *   entry add_rule PORT tcp|udp
 *	drops packets to PORT, through the same code as rulectl (xf_maps.c).
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

#include "xf_maps.h"

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
	struct xf_rdesc rule;
	struct xf_maps m;
	int ret = xf_parse_rule(argc, argv, &rule);

	if (ret)
		return ret;
	ret = xf_init();
	if (ret)
		return ret;
	if (xf_open_maps(&m, 0))
		return 1;
	ret = xf_lock(&m) ? 1 : xf_rule_add(&m, &rule);
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

static int attach(const char *obj_path, __u32 xdp_flags, const char *dev)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = xf_pin_dir);
	struct bpf_program *prog;
	struct bpf_object *obj;
	unsigned long idx;
	struct xf_maps m;
	int ifindex, err, ret = 1;
	char *end;

	errno = 0;
	idx = strtoul(dev, &end, 10);
	if (*dev && !*end && !errno)
		ifindex = idx > INT_MAX ? 0 : (int)idx;
	else
		ifindex = if_nametoindex(dev);
	if (ifindex <= 0 || !if_indextoname(ifindex, (char[IF_NAMESIZE]){ 0 }))
		return xf_bad_usage("no such interface '%s'", dev);
	err = xf_init();
	if (err)
		return err;

	if (mkdir_p(xf_pin_dir)) {
		fprintf(stderr, "%s: %s: %s (is bpffs mounted at /sys/fs/bpf?)\n",
			xf_prog, xf_pin_dir, strerror(errno));
		return 1;
	}
	libbpf_set_print(print_libbpf);
	/* Pins of another layout are refused here with the way forward,
	 * rather than by libbpf's bare "incompatible" error. */
	if (xf_open_maps(&m, 1)) {
		if (errno != ENOENT)
			return 1;
	} else {
		xf_close_maps(&m);
	}
	obj = bpf_object__open_file(obj_path, &opts);
	if (!obj) {
		fprintf(stderr, "%s: %s: %s\n", xf_prog, obj_path,
			strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_filter");
	if (!prog) {
		fprintf(stderr, "%s: %s: no program xdp_filter\n", xf_prog,
			obj_path);
		goto cleanup;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "%s: load %s: %s\n", xf_prog, obj_path,
			strerror(-err));
		goto cleanup;
	}
	/* Without XDP_FLAGS_UPDATE_IF_NOEXIST this replaces a program that
	 * is already attached in the same mode, atomically. */
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), xdp_flags, NULL);
	if (err) {
		fprintf(stderr, "%s: attach to %s: %s\n", xf_prog, dev,
			strerror(-err));
		goto cleanup;
	}
	if (xf_open_maps(&m, 0))
		goto cleanup;
	ret = xf_lock(&m) ? 1 : xf_stamp_abi(&m);
	xf_close_maps(&m);
	if (!ret)
		printf("%s attached to ifindex %d, maps pinned under %s\n",
		       obj_path, ifindex, xf_pin_dir);
cleanup:
	bpf_object__close(obj);		/* the link keeps the program alive */
	return ret;
}

int main(int argc, char **argv)
{
	static char def_obj[PATH_MAX];
	const char *obj_path = NULL, *slash = strrchr(argv[0], '/');
	__u32 flags = 0;
	int i;

	xf_prog = slash ? slash + 1 : argv[0];
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "add_rule"))
		return add_rule(argc - 2, argv + 2);	/* any rule.sh RULE */
	for (i = 1; i < argc - 1; i += 2) {
		if (!strcmp(argv[i], "--obj")) {
			obj_path = argv[i + 1];
		} else if (!strcmp(argv[i], "--mode")) {
			if (!strcmp(argv[i + 1], "native"))
				flags = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(argv[i + 1], "generic"))
				flags = XDP_FLAGS_SKB_MODE;
			else
				return xf_bad_usage("bad mode '%s' (expected"
						    " native or generic)",
						    argv[i + 1]);
		} else {
			return xf_bad_usage("unknown option '%s'", argv[i]);
		}
	}
	if (i != argc - 1)
		return xf_bad_usage("%s", "expected one IFINDEX or IFNAME");
	if (!obj_path) {
		int n = slash ? (int)(slash - argv[0]) : 1;

		snprintf(def_obj, sizeof(def_obj), "%.*s/xdp_filter_rs.o", n,
			 slash ? argv[0] : ".");
		obj_path = def_obj;
	}
	return attach(obj_path, flags, argv[argc - 1]);
}
