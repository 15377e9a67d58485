// SPDX-License-Identifier: GPL-2.0
/* fresh.c - xf_bench's "new source each packet" wrapper (bench/micro.c, the
 * rate-limit rows). BPF_PROG_TEST_RUN repeats one frame, so the filter
 * would see one source; xf_fresh gives each repetition an IPv4 source never
 * seen before (a counter that persists across test runs, from 11.0.0.0
 * on), then tail-calls the program in fresh_next[0]: the filter's active
 * tier, or for the floor xf_fresh_end, which passes. Both are xdp.frags,
 * as the filter's tiers are: a tail call needs the same kind. The IPv4
 * checksum is not updated (the filter does not check it).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define FRESH_BASE	0x0b000000U	/* 11.0.0.0 */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fresh_next SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fresh_count SEC(".maps");

SEC("xdp.frags")
int xf_fresh(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 zero = 0, *n = bpf_map_lookup_elem(&fresh_count, &zero);

	if (!n || (void *)(ip + 1) > data_end)
		return XDP_ABORTED;
	ip->saddr = bpf_htonl(FRESH_BASE + (*n)++);	/* one CPU: no race */
	bpf_tail_call(ctx, &fresh_next, 0);
	return XDP_ABORTED;
}

SEC("xdp.frags")
int xf_fresh_end(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
