/* SPDX-License-Identifier: GPL-2.0 */
/* xf_maps.h - user-space access to the pinned maps of xdp_filter, shared by
 * rulectl (the map editor) and entry (the Rex-style loader), so neither
 * copies the other: argument parsing, opening the pins with their layout
 * and ABI stamp checked, per-CPU sums, and adding or deleting a rule.
 * Functions print their own diagnostics as "<xf_prog>: <object>: <reason>".
 */
#ifndef XF_MAPS_H
#define XF_MAPS_H

#include <stdio.h>
#include <linux/types.h>
#include "xdp_filter.h"

/* Indexes into struct xf_maps.fd, in the order of xf_specs[]. */
enum { SPEC_RULES, SPEC_RCOUNT, SPEC_STATS, SPEC_CONFIG, NSPECS };

struct map_spec {
	const char *name;
	__u32 type, key_size, value_size, max_entries;
};

struct xf_maps {
	int fd[NSPECS];
};

extern const char *xf_prog;			/* prefix of every message */
extern const char *const xf_proto_names[XF_P_MAX];
extern const struct map_spec xf_specs[NSPECS];
extern char xf_pin_dir[];
extern int xf_ncpus;

/* Reads XF_PIN_DIR and the CPU count: 0, or an exit status (1 or 2). */
int xf_init(void);
/* Prints "prog: <fmt with arg>" and the --help hint; returns 2. */
int xf_bad_usage(const char *fmt, const char *arg);
/* Checks PORT and PROTO strings: 0, or 2 after a message naming them. */
int xf_parse_rule(const char *port_s, const char *proto_s, __u32 *port,
		  __u32 *pidx);
void xf_pin_path(char *path, const char *name);
/* Opens every pinned map and checks layout and ABI stamp: 0 or -1 (errno
 * set, message printed unless quiet_enoent and the pins do not exist). */
int xf_open_maps(struct xf_maps *m, int quiet_enoent);
void xf_close_maps(struct xf_maps *m);
int xf_read_count(int fd, __u32 key, struct xf_count *sum);
/* Exit statuses: 0 done (adding an existing rule changes nothing), 1 on
 * failure or, for del, when there is no such rule. */
int xf_rule_add(struct xf_maps *m, __u32 pidx, __u32 port);
int xf_rule_del(struct xf_maps *m, __u32 pidx, __u32 port);
/* Writes XF_ABI_VERSION into xf_config: 0 or 1. */
int xf_stamp_abi(struct xf_maps *m);

#endif /* XF_MAPS_H */
