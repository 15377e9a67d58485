/* SPDX-License-Identifier: GPL-2.0 */
/* hash_key.h - key of the HASH design measured by the benchmark
 * (hash_variant.c) and filled by bench/micro.c. Bench-only: the product's
 * ABI is xdp_filter.h, which uses an ARRAY indexed by xf_slot().
 */
#ifndef XF_BENCH_HASH_KEY_H
#define XF_BENCH_HASH_KEY_H

#include <linux/types.h>

struct xf_hkey {
	__be16	port;	/* the packet's port in wire order */
	__u8	proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	__u8	dir;	/* enum xf_dir: XF_DIR_DST or XF_DIR_SRC; the whole
			 * key is hashed, so there is no padding to zero */
};

#endif /* XF_BENCH_HASH_KEY_H */
