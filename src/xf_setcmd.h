/* SPDX-License-Identifier: GPL-2.0 */
/* xf_setcmd.h - rulectl's "set" command: its words, checked before the
 * kernel is touched (a blocklist file is read and checked whole then), and
 * what each form does with the store (xf_srcsets.h) and prints:
 *   set list [--json]		every set: sizes, memory, rules naming it
 *   set NAME load FILE|-	NAME holds exactly FILE's prefixes (atomic)
 *   set NAME add|del PREFIX...	adds or removes addresses
 *   set NAME list [--json]	its prefixes, merged
 *   set NAME save		as a file for load
 *   set NAME delete		removes it (not while a rule names it)
 * and the directory of set files that apply --sets DIR loads first.
 */
#ifndef XF_SETCMD_H
#define XF_SETCMD_H

#include <stdbool.h>
#include "xf_pins.h"
#include "xf_plist.h"

enum xf_setverb {
	XF_SV_LIST_ALL, XF_SV_LOAD, XF_SV_ADD, XF_SV_DEL, XF_SV_LIST,
	XF_SV_SAVE, XF_SV_DELETE,
};

struct xf_setcmd {
	enum xf_setverb	verb;
	const char	*name;
	bool		json;
	struct xf_plist	prefixes;	/* load, add, del */
};

/* A directory of set files, DIR/NAME.set (apply --sets DIR): each read
 * and checked whole before the kernel is touched. */
struct xf_setdir_entry {
	char		name[XF_SET_NAME];
	struct xf_plist	prefixes;
};

struct xf_setdir {
	const char		*dir;
	struct xf_setdir_entry	*e;
	int			n;
	struct xf_sdesc		names[XF_MAX_SETS];	/* for apply --check */
};

/* Reads every DIR/NAME.set (a missing DIR holds none): 0, or XF_EINPUT
 * after FILE:LINE messages, or -errno. */
int xf_setdir_read(const char *dir, struct xf_setdir *d);
/* Makes each set hold its file's prefixes (a set whose content is the
 * same already is left alone). */
int xf_setdir_load(struct xf_maps *m, struct xf_setdir *d);
void xf_setdir_free(struct xf_setdir *d);

/* The words after "set": 0, or XF_EINPUT after a message. */
int xf_setcmd_parse(int argc, char **argv, struct xf_setcmd *c);
/* Does the command change anything (so it takes the lock to write)? */
bool xf_setcmd_changes(const struct xf_setcmd *c);
int xf_setcmd_run(struct xf_maps *m, struct xf_setcmd *c);
void xf_setcmd_free(struct xf_setcmd *c);

#endif /* XF_SETCMD_H */
