#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Traffic over VLAN sub-interfaces of the filtered veth. This kernel has no
# 802.1Q module, so a tc program on the peer pushes the tags (one 802.1Q tag,
# or 802.1ad + 802.1Q for QinQ) with tx VLAN offload off, and a tc program on
# the filtered end pops them after XDP, where a VLAN device would. XDP sees
# the tagged frames.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" "$B/vlan_tc.o" >&3
}

setup() {
	ns_setup
}

teardown() {
	ns_teardown
}

# tag_link push1|push2 - tag everything the peer sends.
tag_link() {
	on_peer ethtool -K "$XF_B" txvlan off >/dev/null
	on_peer tc qdisc add dev "$XF_B" clsact
	# ip netns exec remounts /sys: give tc a bpffs of its own there.
	on_peer sh -c 'mount -t bpf bpf /sys/fs/bpf &&
		tc filter add dev "$1" egress bpf direct-action obj "$2" sec "tc/$3"' \
		sh "$XF_B" "$B/vlan_tc.o" "$1"
}

untag_link() {
	in_ns tc qdisc add dev "$XF_A" clsact
	in_ns tc filter add dev "$XF_A" ingress bpf direct-action obj "$B/vlan_tc.o" sec tc/pop
}

# check_tagged push1|push2 MODE
check_tagged() {
	tag_link "$1"
	# Control: without the pop the stack drops tagged frames (no VLAN
	# device), which proves the tags really are on the wire.
	refute_reaches udp 7000
	untag_link
	# the peer's ARP went unanswered meanwhile: start it afresh
	on_peer ip neigh flush dev "$XF_B"
	attach_filter "$2"
	assert_reaches tcp 8080
	assert_reaches udp 8080
	run -0 rule add 8080 tcp
	run -0 rule add 8080 udp
	refute_reaches tcp 8080
	refute_reaches udp 8080
	assert_reaches tcp 8081
	assert_reaches udp 8081
	[[ $(rule_packets 8080 tcp) -ge 1 ]]
	[[ $(rule_packets 8080 udp) -ge 1 ]]
	run -0 rule del 8080 tcp
	assert_reaches tcp 8080
	refute_reaches udp 8080
}

@test "802.1Q tagged traffic is filtered by port (native)" {
	check_tagged push1 native
}

@test "802.1Q tagged traffic is filtered by port (generic)" {
	check_tagged push1 generic
}

@test "QinQ (802.1ad + 802.1Q) tagged traffic is filtered by port (native)" {
	check_tagged push2 native
}

@test "QinQ (802.1ad + 802.1Q) tagged traffic is filtered by port (generic)" {
	check_tagged push2 generic
}
