#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Fragments: only an unfragmented packet or a first fragment carries the
# ports. A 4000-byte UDP datagram leaves the peer as three IP fragments
# (MTU 1500); its payload repeats the bytes 0x1f 0x90 (= 8080), so a filter
# that read "ports" from a later fragment would see 8080 there.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" >&3
}

setup() {
	ns_setup
	PAYLOAD=$BATS_TEST_TMPDIR/payload
	# 2000 x "\x1f\x90": every even offset of the payload reads 8080.
	for ((i = 0; i < 2000; i++)); do printf '\x1f\x90'; done >"$PAYLOAD"
	[[ $(wc -c <"$PAYLOAD") -eq 4000 ]]
}

teardown() {
	ns_teardown
}

# send_big FAMILY PORT - sends the 4000-byte datagram; prints how many bytes
# the listener received (0 if nothing arrived).
send_big() {
	in_ns "$PROBE" "-$1" -w 3 -c -f "$PAYLOAD" "$XF_P" udp "$(addr_of "$1" a)" "$2" || true
}

check_fragments() {
	local fam=$1 mode=$2
	attach_filter "$mode"
	run -0 rule add 8080 udp
	# Allowed port: all three fragments pass, the datagram arrives whole.
	run -0 send_big "$fam" 9000
	[[ $output -eq 4000 ]]
	[[ $(reason_packets fragment) -ge 2 ]]
	# Blocked port: the first fragment is dropped, nothing is delivered.
	run -0 send_big "$fam" 8080
	[[ $output -eq 0 ]]
	[[ $(rule_packets 8080 udp) -ge 1 ]]
	# Control: without the rule the same datagram arrives.
	run -0 rule del 8080 udp
	run -0 send_big "$fam" 8080
	[[ $output -eq 4000 ]]
}

@test "IPv4 fragments: ports are read from first fragments only (native)" {
	check_fragments 4 native
}

@test "IPv4 fragments: ports are read from first fragments only (generic)" {
	check_fragments 4 generic
}

@test "IPv6 fragments: ports are read from first fragments only (native)" {
	check_fragments 6 native
}

@test "IPv6 fragments: ports are read from first fragments only (generic)" {
	check_fragments 6 generic
}
