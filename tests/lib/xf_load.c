// SPDX-License-Identifier: GPL-2.0
/* xf_load.c - load an implementation of the filter privately and hand its
 * maps to the store; see xf_load.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xf_load.h"
#include "../../src/xf_ct.h"
#include "../../src/xf_tiers.h"

int xf_load_err(const char *tool, const char *path, const char *what, int err)
{
	char msg[128];

	libbpf_strerror(err, msg, sizeof(msg));
	fprintf(stderr, "%s: %s%s%s: %s\n", tool, path, what ? ": " : "",
		what ? what : "", msg);
	return -1;
}

int xf_libbpf_print(enum libbpf_print_level level, const char *fmt,
		    va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

struct bpf_object *xf_open_private(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_map *map;
	int err;

	if (!obj)
		return NULL;
	bpf_object__for_each_map(map, obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (err) {
			bpf_object__close(obj);
			errno = -err;
			return NULL;
		}
	}
	return obj;
}

/* Which feature tier's program p is (xdp_filter.h), or -1. */
static int tier_of(const struct bpf_program *p)
{
	static const char *const names[XF_TIERS][XF_SETS] = XF_PROG_NAMES;

	for (int t = 0; t < XF_TIERS; t++)
		for (int s = 0; s < XF_SETS; s++)
			if (!strcmp(bpf_program__name(p), names[t][s]))
				return t;
	return -1;
}

int xf_load_private(struct bpf_object *obj, const char *prog, bool tiers,
		    int *prog_fd, const char **what)
{
	struct bpf_program *p, *xdp = NULL;
	int err;

	bpf_object__for_each_program(p, obj) {
		bool named = prog ? !strcmp(bpf_program__name(p), prog) : !xdp;
		int tier = tiers ? tier_of(p) : -1;

		/* The state tier's only where its conntrack kfuncs are, as
		 * the store loads it (xf_tiers_load()). */
		if (tier == XF_TIER_STATE && !(named && !xdp) &&
		    !xf_ct_available()) {
			bpf_program__set_autoload(p, false);
			continue;
		}
		if (tier >= 0 && !(named && !xdp))
			continue;	/* loaded too, not the one to run */

		if (!xdp && named && bpf_program__type(p) == BPF_PROG_TYPE_XDP)
			xdp = p;
		else
			bpf_program__set_autoload(p, false);
	}
	*what = "XDP program";
	if (!xdp)
		return -ENOENT;
	*what = "load";
	err = bpf_object__load(obj);
	if (err)
		return err;
	*prog_fd = bpf_program__fd(xdp);
	return 0;
}

/* The XDP programs of obj, for a message: "a, b" or "none". */
static void xdp_names(struct bpf_object *obj, char *buf, size_t size)
{
	struct bpf_program *p;
	size_t n = 0;

	snprintf(buf, size, "none");
	bpf_object__for_each_program(p, obj) {
		if (bpf_program__type(p) != BPF_PROG_TYPE_XDP || n >= size)
			continue;
		n += snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
			      bpf_program__name(p));
	}
}

int xf_obj_open(struct xf_obj *o, const char *tool, const char *path,
		const char *prog, bool tiers)
{
	char what[320], names[256];
	const char *step;
	int err;

	o->tool = tool;
	o->path = path;
	o->obj = NULL;
	if (xf_maps_init(&o->m))
		return -1;
	o->m.rules = calloc(XF_MAX_RULES, sizeof(*o->m.rules));
	if (!o->m.rules)
		return xf_load_err(tool, path, NULL, ENOMEM);
	o->obj = xf_open_private(path);
	if (!o->obj)
		return xf_load_err(tool, path, NULL, errno);
	err = xf_load_private(o->obj, prog, tiers, &o->prog_fd, &step);
	if (err == -ENOENT && !strcmp(step, "XDP program")) {
		xdp_names(o->obj, names, sizeof(names));
		snprintf(what, sizeof(what), "XDP program %s (it has: %s)",
			 prog ? prog : "", names);
		return xf_load_err(tool, path, what, ENOENT);
	}
	if (err)
		return xf_load_err(tool, path, step, -err);
	if (xf_obj_maps(o))
		return -1;
	return tiers && xf_tiers_fill(&o->m, o->obj, false) ? -1 : 0;
}

/* The object's map for spec s, checked. */
static int find_map(struct xf_obj *o, int s)
{
	const struct xf_map_spec *sp = &xf_map_specs[s];
	struct bpf_map *map = bpf_object__find_map_by_name(o->obj, sp->name);
	char what[64];

	snprintf(what, sizeof(what), "map %s", sp->name);
	if (!map && s == XF_M_RULES) {
		/* The program never reads it; the store needs one. */
		o->m.fd[s] = bpf_map_create(sp->type, sp->name, sp->key_size,
					    sp->value_size, sp->max_entries,
					    NULL);
		o->own_rules = o->m.fd[s] >= 0;
		return o->own_rules ? 0 : xf_load_err(o->tool, o->path, what,
						      errno);
	}
	if (!map)
		return xf_load_err(o->tool, o->path, what, ENOENT);
	if (bpf_map__type(map) != sp->type ||
	    bpf_map__key_size(map) != sp->key_size ||
	    bpf_map__value_size(map) != sp->value_size ||
	    bpf_map__max_entries(map) != sp->max_entries) {
		fprintf(stderr, "%s: %s: map %s: type %d key %u value %u"
			" entries %u, xdp_filter.h wants type %u key %u value"
			" %u entries %u\n", o->tool, o->path, sp->name,
			bpf_map__type(map), bpf_map__key_size(map),
			bpf_map__value_size(map), bpf_map__max_entries(map),
			sp->type, sp->key_size, sp->value_size,
			sp->max_entries);
		return -1;
	}
	o->m.fd[s] = bpf_map__fd(map);
	return 0;
}

int xf_obj_maps(struct xf_obj *o)
{
	for (int s = 0; s < XF_NMAPS; s++)
		if (find_map(o, s))
			return -1;
	return 0;
}

/* Is prog the state tier's program itself? */
static bool is_state_prog(const char *prog)
{
	static const char *const names[XF_TIERS][XF_SETS] = XF_PROG_NAMES;
	static const char *const sb[XF_TIERS][XF_SETS] = XF_PROG_NAMES_SB;

	return !strcmp(prog, names[XF_TIER_STATE][0]) ||
	       !strcmp(prog, sb[XF_TIER_STATE][0]);
}

bool xf_obj_runs_state(struct xf_obj *o, const char *prog, bool tiers)
{
	__u32 set;
	int tier;

	if (is_state_prog(prog))
		return true;
	if (!tiers || strcmp(prog, XF_DEFAULT_PROG) ||
	    xf_tier_active(&o->m, &tier, &set))
		return false;
	return tier == XF_TIER_STATE && o->m.slot_ids[XF_PROG_ACTIVE];
}

bool xf_obj_may_run_state(struct xf_obj *o, const char *prog, bool tiers)
{
	return is_state_prog(prog) ||
	       (tiers && !strcmp(prog, XF_DEFAULT_PROG) &&
		xf_tier_loaded(&o->m, XF_TIER_STATE, 0));
}

void xf_obj_close(struct xf_obj *o)
{
	if (o->own_rules)
		close(o->m.fd[XF_M_RULES]);
	o->own_rules = false;
	bpf_object__close(o->obj);
	o->obj = NULL;
	free(o->m.rules);
	o->m.rules = NULL;
}
