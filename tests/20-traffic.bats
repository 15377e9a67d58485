#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real nc traffic through the filter, IPv4 and IPv6, TCP and UDP, native and
# generic XDP, with the controls of DESIGN.md: traffic passes before, the
# rule blocks it, the neighbouring port and the other protocol still pass,
# the rule's counter moved, and deleting the rule restores it.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" >&3
}

setup() {
	ns_setup
}

teardown() {
	ns_teardown
}

# check_rule PROTO FAMILY MODE
check_rule() {
	local proto=$1 fam=$2 mode=$3 other=udp
	[[ $proto == udp ]] && other=tcp

	attach_filter "$mode"
	run -0 in_ns ip -d link show dev "$XF_A"
	# the dst tier itself, run by the interface's pinned link
	[[ $output == *"prog/xdp"*"name xf_dst_s0"* ]]
	if [[ $mode == generic ]]; then [[ $output == *" xdpgeneric "* ]]; else [[ $output == *" xdp "* ]]; fi

	assert_reaches "$proto" 8080 "$fam"
	run -0 rule add 8080 "$proto"
	refute_reaches "$proto" 8080 "$fam"
	assert_reaches "$proto" 8081 "$fam"
	assert_reaches "$other" 8080 "$fam"
	run -0 rule list
	[[ $output =~ ^8080\ $proto\ [1-9][0-9]*\ [1-9] ]]
	[[ $(rule_packets 8080 "$proto") -ge 1 ]]
	[[ $(reason_packets dropped) -ge 1 ]]
	[[ $(reason_packets passed) -ge 1 ]]
	run -0 rule del 8080 "$proto"
	assert_reaches "$proto" 8080 "$fam"
	run -0 rule list
	[[ -z $output ]]
}

@test "native: tcp/IPv4 rule drops only its own port and protocol" {
	check_rule tcp 4 native
}

@test "native: udp/IPv4 rule drops only its own port and protocol" {
	check_rule udp 4 native
}

@test "native: tcp/IPv6 rule drops only its own port and protocol" {
	check_rule tcp 6 native
}

@test "native: udp/IPv6 rule drops only its own port and protocol" {
	check_rule udp 6 native
}

@test "generic: tcp/IPv4 rule drops only its own port and protocol" {
	check_rule tcp 4 generic
}

@test "generic: udp/IPv4 rule drops only its own port and protocol" {
	check_rule udp 4 generic
}

@test "generic: tcp/IPv6 rule drops only its own port and protocol" {
	check_rule tcp 6 generic
}

@test "generic: udp/IPv6 rule drops only its own port and protocol" {
	check_rule udp 6 generic
}

@test "a rule added while traffic flows applies without re-attaching" {
	attach_filter
	run -0 rule add 9000 udp
	run -0 rule add 9001 tcp
	refute_reaches udp 9000
	refute_reaches tcp 9001
	assert_reaches udp 9001
	assert_reaches tcp 9000
	# the peer's ICMP and ARP are never filtered
	run -0 on_peer ping -c 1 -W 2 198.18.0.1
	[[ $(reason_packets other_l4) -ge 1 ]]
	[[ $(reason_packets non_ip) -ge 1 ]]
}

# The program xdp_filter tail-calls (xf_progs[XF_PROG_ACTIVE]) as "NAME
# IMPL", IMPL c or rust by the source files its line info names (a tier of
# the C object and of the Rust one have the same name); "none" when the
# slot is empty and xdp_filter is the full filter itself.
active_tier_prog() {
	local id name files impl=unknown

	id=$(in_ns bpftool -j map lookup pinned /sys/fs/bpf/tc/globals/xf_progs \
		key 0 0 0 0 2>/dev/null | jq -r '.formatted.value // empty') || true
	[[ -n $id ]] || { echo none; return 0; }
	name=$(in_ns bpftool -j prog show id "$id" | jq -r .name) || return 1
	files=$(in_ns bpftool prog dump xlated id "$id" linum | grep -oE '\[file:[^ ]*' | sort -u) ||
		return 1
	if grep -q '/rust/filter/src/' <<<"$files"; then
		impl=rust
	elif grep -q '/xdp_filter\.c$' <<<"$files"; then
		impl=c
	fi
	echo "$name $impl"
}

@test "the tiers that run are the object's own, and they decide" {
	local set
	attach_filter
	run -0 rule add 8080 tcp
	run -0 rule tier
	[[ $output =~ ^dst\ \(rule\ set\ ([01]): ]]
	set=${BASH_REMATCH[1]}
	run -0 active_tier_prog
	[[ $output == "xf_dst_s$set $XF_IMPL" ]]
	refute_reaches tcp 8080
	assert_reaches tcp 8081
	[[ $(rule_packets 8080 tcp) -ge 1 ]]
	# a source-port rule needs the ports tier
	run -0 rule add 5353 udp src
	run -0 active_tier_prog
	[[ $output == "xf_ports_s$set $XF_IMPL" ]]
	refute_reaches tcp 8080
	run -1 try_reach_from 5353 udp 9000
	assert_reaches udp 9000
	# a prefix rule needs the full tier: xf_full, the object's own too
	run -0 rule add 22 tcp from 198.18.0.0/15
	run -0 active_tier_prog
	[[ $output == "xf_full $XF_IMPL" ]]
	refute_reaches tcp 8080
	refute_reaches tcp 22
	assert_reaches tcp 8081
}
