/* SPDX-License-Identifier: GPL-2.0 */
/* conntrack.h - the kernel's connection tracking as the BPF program sees
 * it: the two kfuncs (Linux 6.0+, net/netfilter/nf_conntrack_bpf.c) and
 * the one question xdp_filter asks of them, "does conntrack know this
 * packet's flow, in either direction?". The stateful tier (xdp_filter.c)
 * is the only caller; the Rust build compiles these declarations to
 * bitcode (rust/kfuncs.c) so its calls carry the same BTF.
 *
 * The kfuncs are weak: an object that declares them still loads where
 * conntrack is missing (a module not loaded, or not built), with the
 * stateful tier's programs left out (src/xf_tiers.c), since libbpf leaves
 * an unresolved weak kfunc unpatched and only the programs calling it fail.
 */
#ifndef XF_CONNTRACK_H
#define XF_CONNTRACK_H

#include <linux/bpf.h>

/* The kernel's struct nf_conn, as far as we read it: nothing. It must be a
 * complete type for libbpf to match the kfunc's prototype with the
 * kernel's (a forward declaration is refused as incompatible). */
struct nf_conn {
	unsigned long	status;
};

/* struct bpf_ct_opts of Linux 6.1 (NF_BPF_CT_OPTS_SZ 12); later kernels
 * grew it and still take this size. */
struct bpf_ct_opts {
	__s32	netns_id;	/* BPF_F_CURRENT_NETNS (-1): the packet's */
	__s32	error;		/* out: why a lookup failed */
	__u8	l4proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	__u8	dir;		/* out: the direction the tuple matched */
	__u8	reserved[2];
};

#define XF_CT_OPTS_SZ	12

#ifndef XF_KFUNC
#define XF_KFUNC __attribute__((weak, section(".ksyms")))
#endif

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx,
					 struct bpf_sock_tuple *tuple,
					 __u32 tuple_sz,
					 struct bpf_ct_opts *opts,
					 __u32 opts_sz) XF_KFUNC;
extern void bpf_ct_release(struct nf_conn *ct) XF_KFUNC;

#endif /* XF_CONNTRACK_H */
