/* SPDX-License-Identifier: GPL-2.0 */
/* xf_pins.h - the pinned maps of xdp_filter, for reading: open them with
 * their layout and ABI stamp checked, take the editors' lock, read rule
 * records, counters and settings in batches, and remove the pins. Writing
 * the rule layout is xf_store.h's alone. Only <bpf/bpf.h>: the pins are
 * edited here, never loaded.
 */
#ifndef XF_PINS_H
#define XF_PINS_H

#include <stdbool.h>
#include <linux/types.h>
#include "../xdp_filter.h"
#include "xf_diag.h"

/* Indexes into struct xf_maps.fd, in the order of xf_map_specs[]. */
enum xf_map_index {
	XF_M_PORTS, XF_M_PFX4, XF_M_PFX6, XF_M_PPORTS, XF_M_RCOUNT,
	XF_M_STATS, XF_M_CONFIG, XF_M_RULES, XF_M_RLOG, XF_M_LOG, XF_M_PROGS,
	XF_M_PROGS_SB, XF_M_LIMIT, XF_M_RLIMITED, XF_M_LSRC, XF_M_SETS,
	XF_M_SREF, XF_M_SET4, XF_M_SET4X, XF_M_SET6,
	XF_NMAPS
};

/* What a pinned map must look like; a pin from another layout is refused
 * with a way forward instead of being misread. */
struct xf_map_spec {
	const char *name;
	__u32 type, key_size, value_size, max_entries;
};

extern const struct xf_map_spec xf_map_specs[XF_NMAPS];

/* The maps, and user space's copy of the rule records. */
struct xf_maps {
	int		fd[XF_NMAPS];
	int		lock_fd;	/* the pin directory, flock()ed */
	int		ncpus;		/* possible CPUs: per-CPU value count */
	struct xf_rule	*rules;		/* XF_MAX_RULES records, by id */
	struct xf_sdesc	sdesc[XF_MAX_SETS];	/* the source sets' records,
						 * by number, when read */
	__u32		set;		/* the active rule set, when read */
	/* The store's memory of what it wrote, so that each edit need not
	 * read it back: what each set uses (XF_USES_*, valid per bit of
	 * uses_known), and the program ids in the slots of xf_progs and
	 * xf_progs_sb (0: empty; slot 0 the active one), read once a lock. */
	__u32		uses[XF_SETS];
	__u32		uses_known;
	__u32		slot_ids[XF_PROG_SLOTS];
	__u32		slot_ids_sb[XF_PROG_SLOTS];
	bool		slots_known;
	bool		pinned;		/* opened from the pins: the interfaces'
					 * links follow the tier switches */
	bool		tier_heavy;	/* a lighter tier would serve: see
					 * xf_store_done() */
};

/* The pin directory: XF_PIN_DIR, or the environment's XF_PIN_DIR. */
extern char xf_pin_dir[];

/* Reads the environment's XF_PIN_DIR: 0 or XF_EINPUT. */
int xf_init(void);
/* An xf_maps with no map open yet and ncpus set: 0 or -errno. Test tools
 * that load the object privately fill fd[] themselves after it. */
int xf_maps_init(struct xf_maps *m);
/* Opens every pin and checks its layout and the ABI stamp: 0 or -errno
 * (after a message; none for missing pins when quiet_enoent). */
int xf_open_maps(struct xf_maps *m, bool quiet_enoent);
void xf_close_maps(struct xf_maps *m);
/* Takes the editors' lock, exclusive for writers (concurrent editors never
 * interleave) or shared for readers (who then see no edit half-made), then
 * reads the rule records and the active set. */
int xf_lock(struct xf_maps *m, bool exclusive);
/* Reads the source sets' records into m->sdesc and registers them as the
 * names rules resolve through (xf_rule_set_names()): 0 or -errno. */
int xf_read_sets(struct xf_maps *m);
/* Reads the rule records into m->rules, the sets' records (as
 * xf_read_sets()) and the active set into m->set, without the lock (for
 * list and save): 0 or -errno. */
int xf_read_rules(struct xf_maps *m);
/* Does rule id belong to rule set `set`? */
static inline bool xf_in_set(const struct xf_maps *m, __u32 id, __u32 set)
{
	return (m->rules[id].sets >> set) & 1;
}

/* All max entries of an ARRAY map into vals (vsz bytes each), one syscall
 * per batch: 0 or -errno, without a message. */
int xf_read_array(int fd, void *vals, __u32 vsz, __u32 max);
/* The per-CPU sum of one xf_count slot of map (XF_M_RCOUNT, XF_M_STATS). */
int xf_read_count(const struct xf_maps *m, int map, __u32 key,
		  struct xf_count *sum);
int xf_read_config(const struct xf_maps *m, struct xf_config *cfg);
/* The kernel's memory charge of map fd (its fdinfo's memlock), 0 if
 * unknown. */
__u64 xf_map_memory(int fd);

/* Removes the pins once no interface runs the filter (a pinned link) and no
 * other program uses the maps; says which way it went.
 * 0 or -errno. */
int xf_unpin(void);

#endif /* XF_PINS_H */
