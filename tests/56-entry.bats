#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# build/entry, the Rex example's loader shape: `entry IFINDEX|IFNAME` loads
# and attaches the filter with libbpf and pins its maps where ip(8) does, so
# rule.sh drives it; `entry add_rule PORT PROTO` adds a rule through the
# same code as rulectl.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all rust "$B/entry" >&3
}

setup() {
	ns_setup
}

teardown() {
	ns_teardown
}

@test "entry 1 binds the Rust filter to lo, as in the Rex example" {
	run -0 in_ns "$B/entry" 1
	[[ $output == *"xdp_filter_rs.o attached to ifindex 1"* ]]
	run -0 in_ns ip -d link show dev lo
	[[ $output == *"prog/xdp"*"name xdp_filter"* ]]
	run -0 in_ns "$B/entry" add_rule 9000 udp
	run -0 rule list
	[[ $output == "9000 udp 0 0" ]]
}

@test "entry IFNAME + add_rule: the rule drops real traffic, rule.sh sees it" {
	run -0 in_ns "$B/entry" --obj "$OBJ" --mode generic "$XF_A"
	[[ $output == *"attached to ifindex"* ]]
	run -0 in_ns ip -d link show dev "$XF_A"
	[[ $output == *" xdpgeneric "* ]]
	assert_reaches udp 8080
	run -0 in_ns "$B/entry" add_rule 8080 udp
	refute_reaches udp 8080
	assert_reaches tcp 8080
	[[ $(rule_packets 8080 udp) -ge 1 ]]
	# attaching again (now through ip) keeps the rule entry added
	run -0 attach_filter generic
	[[ $output == *"1 rule(s) kept"* ]]
}

@test "entry: bad input exits 2 and names it" {
	run -2 --separate-stderr "$B/entry" add_rule 65536 tcp
	[[ $stderr == *"bad port '65536'"* ]]
	run -2 --separate-stderr "$B/entry" add_rule 80 icmp
	[[ $stderr == *"bad protocol 'icmp'"* ]]
	run -2 --separate-stderr "$B/entry" --mode turbo lo
	[[ $stderr == *"bad mode 'turbo'"* ]]
	run -2 --separate-stderr in_ns "$B/entry" nosuchdev0
	[[ $stderr == *"no such interface 'nosuchdev0'"* ]]
	run -0 "$B/entry" --help
}
