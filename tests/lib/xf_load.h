/* SPDX-License-Identifier: GPL-2.0 */
/* xf_load.h - how the tools that drive an implementation of the filter
 * through BPF_PROG_TEST_RUN (tests/verdict, tests/model/conform.c,
 * bench/micro.c) load it: privately (pin paths cleared: no pins reused,
 * none left behind, no bpffs needed), only the XDP program they name, and
 * with its maps checked against xdp_filter.h's layout and handed to the
 * store (struct xf_maps, src/xf_pins.h), so rules go in exactly as rulectl
 * writes them. Failures are reported with libbpf's own words.
 */
#ifndef XF_TEST_LOAD_H
#define XF_TEST_LOAD_H

#include <stdarg.h>
#include <stdbool.h>
#include <bpf/libbpf.h>

#include "../../src/xf_pins.h"

#define XF_DEFAULT_PROG	"xdp_filter"

/* A privately loaded object and its maps. */
struct xf_obj {
	const char	*tool;		/* the messages' prefix */
	const char	*path;
	struct bpf_object *obj;
	int		prog_fd;
	struct xf_maps	m;		/* fds of the object's maps, records */
	bool		own_rules;	/* xf_rdesc made here (xf_obj_maps) */
};

/* "TOOL: PATH[: WHAT]: reason"; returns -1. libbpf's own codes
 * (LIBBPF_ERRNO__*, above 4000) mean nothing to strerror();
 * libbpf_strerror() knows both kinds. */
int xf_load_err(const char *tool, const char *path, const char *what, int err);

/* For libbpf_set_print(): warnings carry the verifier log when loading
 * fails; the rest is noise in a test's output. */
int xf_libbpf_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap);

/* Opens path with every map's pin path cleared: the object, or NULL with
 * errno set. */
struct bpf_object *xf_open_private(const char *path);
/* Loads the XDP program named prog (NULL: the first XDP program) and no
 * other but, with tiers, the feature tiers' programs (xdp_filter.h; the
 * state tier's only where the kernel has its conntrack kfuncs, as the
 * store loads them): 0 with its fd in *prog_fd, or a negative errno, *what
 * naming the step that failed. */
int xf_load_private(struct bpf_object *obj, const char *prog, bool tiers,
		    int *prog_fd, const char **what);

/* Both, with a message on failure; xf_maps_init() first; with tiers, the
 * tier programs go into xf_progs' slots, so the store makes the lightest
 * tier a rule set needs active, as after an attach. 0 or -1. */
int xf_obj_open(struct xf_obj *o, const char *tool, const char *path,
		const char *prog, bool tiers);
/* Checks the loaded object's maps against xf_map_specs[] and puts their
 * fds in o->m (xf_maps_init() first). An object without xf_rdesc (the
 * program never reads it; the store needs it) gets one of its own. 0, or
 * -1 after a message naming the map. */
int xf_obj_maps(struct xf_obj *o);
void xf_obj_close(struct xf_obj *o);

/* Is the program that runs (prog, loaded with or without tiers) the state
 * tier, the one that asks the host's conntrack and sockets about flows:
 * named, or the one xdp_filter runs now (the store's choice)? */
bool xf_obj_runs_state(struct xf_obj *o, const char *prog, bool tiers);
/* Can it be, for some rule set? */
bool xf_obj_may_run_state(struct xf_obj *o, const char *prog, bool tiers);

#endif /* XF_TEST_LOAD_H */
