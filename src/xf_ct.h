/* SPDX-License-Identifier: GPL-2.0 */
/* xf_ct.h - what the stateful allow policy needs from the host: the
 * kernel's conntrack kfuncs (bpf_xdp_ct_lookup, Linux 6.0+, built in or in
 * the nf_conntrack module, which this loads), and connection tracking
 * turned on in the network namespace, which the kernel does only for a
 * namespace where a ruleset asks for it: ours is the nftables table
 * "inet xdp_filter", a regular chain (no hook, so no packet runs it) with
 * one rule that uses ct state.
 */
#ifndef XF_CT_H
#define XF_CT_H

#include <stdbool.h>

#define XF_CT_TABLE	"xdp_filter"	/* nft table inet XF_CT_TABLE */

/* Can a BPF program here look up conntrack? Loads nf_conntrack first when
 * the kernel has it as a module that is not loaded. */
bool xf_ct_available(void);
/* Turns tracking on (adds the table, if missing) or off (deletes it, if
 * there) in the caller's network namespace. 0, or -errno after a message. */
int xf_ct_tracking(bool on);
/* Is our table there? */
bool xf_ct_tracking_on(void);

#endif /* XF_CT_H */
