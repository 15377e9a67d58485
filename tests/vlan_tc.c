// SPDX-License-Identifier: GPL-2.0
/* vlan_tc.c - tc programs that put VLAN tags on the wire for the traffic
 * tests, since this kernel has no 802.1Q module to make VLAN devices.
 *
 * tc/push1 (sender egress): one 802.1Q tag, VID 100.
 * tc/push2 (sender egress): QinQ, 802.1ad VID 200 outside 802.1Q VID 100.
 * tc/pop   (receiver ingress, after XDP): strips up to two tags so the
 *          untagged packet reaches the stack as a VLAN device would give it.
 * With tx VLAN offload off on the sender, the pushed tags are written into
 * the frame, so the receiver's XDP program sees them in the packet data.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef ETH_P_8021AD
#define ETH_P_8021AD	0x88A8
#endif

SEC("tc/push1")
int vlan_push1(struct __sk_buff *skb)
{
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100);
	return TC_ACT_OK;
}

SEC("tc/push2")
int vlan_push2(struct __sk_buff *skb)
{
	/* The first push becomes the inner tag once the second is pushed. */
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 100);
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), 200);
	return TC_ACT_OK;
}

SEC("tc/pop")
int vlan_pop(struct __sk_buff *skb)
{
	/* Each pop takes the accelerated tag and lifts the next one from the
	 * payload into its place; two pops strip QinQ. */
	if (skb->vlan_present)
		bpf_skb_vlan_pop(skb);
	if (skb->vlan_present)
		bpf_skb_vlan_pop(skb);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
