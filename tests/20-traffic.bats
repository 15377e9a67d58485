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
	[[ $output == *"prog/xdp"*"name xdp_filter"* ]]
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
