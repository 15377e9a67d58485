/* SPDX-License-Identifier: GPL-2.0 */
/* xf_maps.h - user-space access to the pinned maps of xdp_filter, shared by
 * rulectl (the map editor) and entry (the Rex-style loader), so neither
 * copies the other: rule parsing and formatting, opening the pins with
 * their layout and ABI stamp checked, the editors' lock, per-CPU sums, and
 * adding or deleting a rule. Functions print their own diagnostics as
 * "<xf_prog>: <object>: <reason>".
 */
#ifndef XF_MAPS_H
#define XF_MAPS_H

#include <stdio.h>
#include <linux/types.h>
#include "xdp_filter.h"

/* Indexes into struct xf_maps.fd, in the order of xf_specs[]. */
enum {
	SPEC_PORTS, SPEC_PFX4, SPEC_PFX6, SPEC_PPORTS, SPEC_RCOUNT,
	SPEC_STATS, SPEC_CONFIG, SPEC_RDESC, SPEC_RLOG, SPEC_LOG, NSPECS
};

struct map_spec {
	const char *name;
	__u32 type, key_size, value_size, max_entries;
};

struct xf_maps {
	int fd[NSPECS];
	int lock_fd;			/* the pin directory, flock()ed */
	struct xf_rdesc *rd;		/* XF_MAX_RULES, read by xf_lock() */
	__u32 set;			/* the rule set edits go to: the active
					 * one (xf_lock() reads it), or the next
					 * one while apply builds it */
};

/* Port slots to write in one syscall: xf_ports keys, or xf_pports keys
 * (the same slots under the rule's pid), and their values. */
struct xf_batch {
	__u32 *keys;
	struct xf_pport *pkeys;
	struct xf_port *vals;
	__u32 n, cap;
};

extern const char *xf_prog;			/* prefix of every message */
extern const char *const xf_proto_names[XF_P_MAX];
extern const char *const xf_reason_names[XF_R_MAX];
extern const char *const xf_reason_actions[XF_R_MAX];
extern const struct map_spec xf_specs[NSPECS];
extern char xf_pin_dir[];
/* When set ("FILE:LINE"), parse errors are reported as "FILE:LINE: why"
 * without the --help hint: rules files use the same parser. */
extern const char *xf_where;
extern int xf_ncpus;

/* Reads XF_PIN_DIR and the CPU count: 0, or an exit status (1 or 2). */
int xf_init(void);
/* Prints "prog: <fmt with arg>" and the --help hint; returns 2. */
int xf_bad_usage(const char *fmt, const char *arg);
/* Parses a rule ("PORTS PROTO [dst|src] [from PREFIX] [log [N/s]]" or
 * "any from PREFIX [log [N/s]]") from argv: 0, or 2 after a message naming
 * the bad word. */
int xf_parse_rule(int argc, char **argv, struct xf_rdesc *r);
/* The rule in the syntax xf_parse_rule() reads. */
void xf_format_rule(const struct xf_rdesc *r, char *buf, size_t len);
/* A policy as 'policy' takes it: nothing (show), --json, deny, or allow
 * [ephemeral LO-HI] [dhcp|nodhcp]. */
struct xf_policy_args {
	int set;		/* 0: show */
	int allow;
	int json;
	int eph_given;
	__u16 eph_lo, eph_hi;
	int dhcp;		/* -1: not given, 0: nodhcp, 1: dhcp */
};

/* Parses the words after "policy": 0, or 2 after a message. */
int xf_parse_policy(int argc, char **argv, struct xf_policy_args *p);
/* The host's ip_local_port_range: 0 or -1. */
int xf_local_port_range(__u16 *lo, __u16 *hi);
/* "policy deny" or "policy allow ephemeral LO-HI dhcp|nodhcp". */
void xf_format_policy(const struct xf_set *set, char *buf, size_t len);
/* 1..max, digits only (at most 10): rejects "", "-1", "+1", " 1", "8080x",
 * "0x50". 0, or -1 without a message. */
int xf_parse_uint(const char *s, unsigned long max, unsigned long *v);
/* Parses "LO-HI" into a port range: 0 or 2 after a message. */
int xf_parse_range(const char *s, __u16 *lo, __u16 *hi);
void xf_pin_path(char *path, const char *name);
/* Opens every pinned map and checks layout and ABI stamp: 0 or -1 (errno
 * set, message printed unless quiet_enoent and the pins do not exist). */
int xf_open_maps(struct xf_maps *m, int quiet_enoent);
void xf_close_maps(struct xf_maps *m);
/* Takes the editors' lock (serialises every rulectl and entry that
 * writes) and reads the rule records into m->rd: 0 or 1. */
int xf_lock(struct xf_maps *m);
/* Reads the rule records without the lock (for list), and the active
 * set into m->set: 0 or 1. */
int xf_read_rdesc(struct xf_maps *m);
int xf_read_set(struct xf_maps *m);
/* Does rule id belong to rule set `set`? */
int xf_in_set(const struct xf_maps *m, __u32 id, __u32 set);
int xf_same_rule(const struct xf_rdesc *a, const struct xf_rdesc *b);
/* The order of list, save and apply's difference: prefix, kind,
 * direction, ports, protocols, log; rules that could overlap end up next
 * to each other. */
int xf_cmp_rule(const struct xf_rdesc *x, const struct xf_rdesc *y);
/* Its first key: family, address, length. */
int xf_cmp_prefix(const struct xf_rdesc *x, const struct xf_rdesc *y);
/* Two rules that would claim the same slot. */
int xf_overlaps(const struct xf_rdesc *a, const struct xf_rdesc *b);
/* Reads all max entries of an ARRAY map into vals (vsz bytes each) with
 * batch lookups, one syscall per batch: 0 or -1 (errno set). */
int xf_read_array(int fd, void *vals, __u32 vsz, __u32 max);
int xf_read_count(int fd, __u32 key, struct xf_count *sum);
int xf_read_config(struct xf_maps *m, struct xf_config *cfg);
int xf_write_config(struct xf_maps *m, const struct xf_config *cfg);
/* Under xf_lock(). Exit statuses: 0 done (adding an existing rule changes
 * nothing and keeps its counters), 1 on failure, on an overlap with another
 * rule, or for del when there is no such rule. */
int xf_rule_add(struct xf_maps *m, const struct xf_rdesc *r);
int xf_rule_del(struct xf_maps *m, const struct xf_rdesc *r);
int xf_rule_del_id(struct xf_maps *m, __u32 id);
/* Writes XF_ABI_VERSION into xf_config, keeping the policy: 0 or 1. */
int xf_stamp_abi(struct xf_maps *m);

/* The pieces apply builds a whole rule set from (xf_apply.c). */
__u32 xf_free_id(const struct xf_maps *m, __u32 from);
/* A pid no rule uses and not in taken[] (may be NULL). */
__u32 xf_free_pid(const struct xf_maps *m, const unsigned char *taken);
__u32 xf_path_id(const struct xf_rdesc *r, __u32 id);
int xf_new_rule_state(struct xf_maps *m, __u32 id, const struct xf_rdesc *r);
int xf_batch_slots(struct xf_batch *b, const struct xf_rdesc *r, __u32 set,
		   __u32 val);
int xf_batch_write(struct xf_maps *m, struct xf_batch *b, int prefix);
void xf_batch_free(struct xf_batch *b);
int xf_prefix_key(const struct xf_maps *m, const struct xf_rdesc *r,
		  __u32 set, struct xf_lpm6 *key);

#endif /* XF_MAPS_H */
