#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The rule forms operators need, with real traffic: port ranges, "any"
# protocol, source-port rules (without xdp-filter's cross-protocol quirk),
# source prefixes for IPv4 and IPv6 with the longest prefix winning, and the
# allow policy that does not lock the host out.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" >&3
}

setup() {
	ns_setup
	attach_filter
}

teardown() {
	ns_teardown
}

@test "a port range drops its first and last port, not its neighbours, and goes whole" {
	run -0 rule add 6000-6100 tcp
	refute_reaches tcp 6000
	refute_reaches tcp 6100
	assert_reaches tcp 5999
	assert_reaches tcp 6101
	assert_reaches udp 6050
	run -0 rule list
	[[ $output =~ ^6000-6100\ tcp\ [1-9][0-9]*\ [1-9] ]]
	[[ ${#lines[@]} -eq 1 ]]
	run -0 rule del 6000-6100 tcp
	assert_reaches tcp 6050
	run -0 rule list
	[[ -z $output ]]
}

@test "'any' drops the port for TCP and UDP" {
	run -0 rule add 5353 any
	refute_reaches tcp 5353
	refute_reaches udp 5353
	assert_reaches udp 5354
	run -0 rule list --json
	jq -e '.[0].proto == "any" and .[0].packets >= 2' <<<"$output"
}

@test "source-port rules match the source port only, and never the other protocol" {
	# xdp-filter ORs flag bits per port, so "udp dst 5300" plus "tcp src 5300"
	# also drops tcp dst 5300 there. Not here.
	run -0 rule add 5300 udp
	run -0 rule add 5300 tcp src
	assert_reaches tcp 5300
	refute_reaches udp 5300
	run -1 try_reach_from 5300 tcp 7001 4 2	# tcp from source port 5300
	try_reach_from 5300 udp 7002		# udp from 5300: only a src tcp rule
	try_reach_from 5301 tcp 7003		# neighbouring source port
	run -0 rule list
	[[ $output == *$'5300 tcp '*' src'* ]]
	[[ $(rule_packets 5300 tcp) -ge 1 ]]
}

@test "IPv4 prefix rules: prefix and port both match; the longest prefix wins" {
	# the peer is 198.18.0.2
	run -0 rule add 8080 tcp from 198.18.1.0/24
	assert_reaches tcp 8080			# not from that prefix
	run -0 rule add 8080 tcp from 198.18.0.0/24
	refute_reaches tcp 8080
	assert_reaches tcp 8081			# the prefix alone is not enough
	assert_reaches udp 8080
	# a longer prefix that lists only 9090 decides for the peer now
	run -0 rule add 9090 tcp from 198.18.0.2/32
	assert_reaches tcp 8080
	refute_reaches tcp 9090
	run -0 rule del 9090 tcp from 198.18.0.2/32
	refute_reaches tcp 8080
	run -0 rule list
	[[ $output == *"8080 tcp "*" from 198.18.0.0/24"* ]]
}

@test "IPv6 'any from PREFIX' drops everything from it, and nothing else" {
	run -0 rule add any from fd00::/64
	refute_reaches tcp 8080 6
	refute_reaches udp 8080 6
	run -1 on_peer ping -6 -c 1 -W 1 fd00::1
	assert_reaches tcp 8080 4		# IPv4 from the same peer passes
	run -0 rule list --json
	jq -e '.[0] | .port == null and .prefix == "fd00::/64" and .packets >= 3' <<<"$output"
	run -0 rule del any from fd00::/64
	# While the rule stood, the peer's neighbour solicitations for fd00::1
	# were dropped too: its entry may be in a resolution that fails after
	# the del, taking the queued datagram with it. Start it afresh.
	run -0 on_peer ip -6 neigh flush to fd00::1
	assert_reaches udp 8080 6
}

@test "allow policy: listed services reachable, others not, the host is not locked out" {
	run -0 rule add 8080 tcp
	run -0 rule add 9000 udp
	run -0 rule policy allow
	run -0 rule policy
	[[ $output == "allow dhcp" ]]		# stateful
	assert_reaches tcp 8080
	assert_reaches udp 9000
	refute_reaches tcp 8081
	refute_reaches udp 9001
	# the host behind the filter still opens TCP connections and gets
	# answers to its own UDP requests
	peer_reply tcp 7777
	peer_reply udp 5300
	peer_reply tcp 7778 6
	run -0 on_peer ping -c 1 -W 2 198.18.0.1	# ICMP and ARP are never cut
	[[ $(reason_packets allowed) -ge 2 ]]
	[[ $(reason_packets policy) -ge 2 ]]
	# re-attaching never flips the policy
	run -0 attach_filter
	run -0 rule policy
	[[ $output == allow* ]]
	refute_reaches tcp 8081
	run -0 rule policy deny
	assert_reaches tcp 8081
	refute_reaches tcp 8080
}

@test "allow policy with nodhcp and a narrow ephemeral range" {
	run -0 rule policy allow ephemeral 40000-40010 nodhcp
	run -0 rule policy --json
	jq -e '. == {"policy": "allow", "stateful": false, "tracking": false, "ephemeral": [40000, 40010], "dhcp": false}' <<<"$output"
	assert_reaches udp 40005		# inside the ephemeral range
	refute_reaches udp 40011
	refute_reaches udp 67			# nodhcp: DHCP is gated too
	run -0 rule policy allow stateless dhcp
	assert_reaches udp 67
}

@test "bad ranges, prefixes and keywords exit 2, name the value and change nothing" {
	run -0 rule add 8080 tcp
	run -0 rule list
	local before=$output
	run -2 --separate-stderr rule add 6100-6000 tcp
	[[ $stderr == *"bad port range '6100-6000' (the first port is larger than the last)"* ]]
	run -2 --separate-stderr rule add 0-100 tcp
	[[ $stderr == *"bad port range '0-100'"* ]]
	run -2 --separate-stderr rule add 1-65536 udp
	[[ $stderr == *"bad port range '1-65536'"* ]]
	run -2 --separate-stderr rule add 22 tcp from 198.18.0.0/33
	[[ $stderr == *"'198.18.0.0/33' (IPv4 allows /0 to /32)"* ]]
	run -2 --separate-stderr rule add any from 2001:db8::/129
	[[ $stderr == *"'2001:db8::/129' (IPv6 allows /0 to /128)"* ]]
	run -2 --separate-stderr rule add 22 tcp from 198.18.0.1/15
	[[ $stderr == *"host bits are set (did you mean 198.18.0.0/15?)"* ]]
	run -2 --separate-stderr rule add any from 2001:db8::1/32
	[[ $stderr == *"did you mean 2001:db8::/32?"* ]]
	run -2 --separate-stderr rule add 22 tcp from 300.1.1.1/8
	[[ $stderr == *"bad prefix '300.1.1.1/8'"* ]]
	run -2 --separate-stderr rule add 22 tcp sideways
	[[ $stderr == *"unknown keyword 'sideways'"* ]]
	run -2 --separate-stderr rule add any tcp
	[[ $stderr == *"'any' as a port needs 'from PREFIX'"* ]]
	run -2 --separate-stderr rule policy maybe
	[[ $stderr == *"bad policy 'maybe'"* ]]
	run -2 --separate-stderr rule policy allow ephemeral 9-1
	[[ $stderr == *"bad port range '9-1'"* ]]
	# overlapping rules are refused at run time, naming the other rule
	run -1 --separate-stderr rule add 8000-8100 tcp
	[[ $stderr == *"overlaps the rule '8080 tcp'"* ]]
	run -0 rule list
	[[ $output == "$before" ]]
	run -0 rule policy
	[[ $output == deny ]]
}
