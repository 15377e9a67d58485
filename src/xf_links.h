/* SPDX-License-Identifier: GPL-2.0 */
/* xf_links.h - the interfaces that run the filter: one BPF link per
 * interface, pinned in the pin directory as xf_link_COOKIE_IFINDEX_MODE
 * (COOKIE: the network namespace's, in hex; MODE: native or generic), that
 * runs the active feature tier itself, with no dispatcher in front of it.
 * rulectl attach and detach create and remove them, the store moves them
 * with the tier (xf_tiers.c), unpin counts them. Whoever shares the pins
 * can switch every interface, in any network namespace: a pinned link
 * needs no netlink.
 */
#ifndef XF_LINKS_H
#define XF_LINKS_H

#include "xf_pins.h"

enum xf_link_mode { XF_LINK_AUTO, XF_LINK_NATIVE, XF_LINK_GENERIC };

/* Runs the active tier on interface dev through its pinned link, in mode
 * (auto: the mode dev's link or ip-attached xdp_filter uses, else native
 * where the driver has it, else generic): moves an existing link to the
 * active program in place, or creates and pins one; a mode change, or an
 * xdp_filter that ip(8) attached, gives way to the new link (a short window
 * without the filter, said on stdout). Under the editors' lock, after the
 * tiers are loaded. 0, XF_EINPUT or -errno, after a message. */
int xf_link_attach(struct xf_maps *m, const char *dev, enum xf_link_mode mode);
/* Detaches dev's link and removes its pin: 0, 1 when dev has none, or
 * -errno after a message. */
int xf_link_detach(const char *dev);
/* Moves every pinned link to program id (native links) or id_sb (generic
 * ones); pins of links whose interface is gone are removed. 0 or -errno
 * after a message. */
int xf_links_switch(__u32 id, __u32 id_sb);
/* How many pinned links still have their interface (the pins of the others
 * are removed), or -errno after a message. */
int xf_links_live(void);

#endif /* XF_LINKS_H */
