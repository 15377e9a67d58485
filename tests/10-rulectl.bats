#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The rule tools: usage and bad input (exit 2, a message naming the bad
# value, nothing changed), runtime failures (exit 1 with what to do), and
# add/del/flush/list/stats on the pinned maps of an attached filter.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all >&3
}

teardown() {
	ns_teardown
}

@test "--help prints usage and exits 0" {
	run -0 "$RULE" --help
	[[ $output == *"usage: rule.sh add RULE"* ]]
	[[ $output == *"PORTS tcp|udp|any [dst|src] [from PREFIX|@SET]"* ]]
	[[ $output == *"list [--json]"* && $output == *"stats [--json|--prometheus]"* ]]
	[[ $output == *"[limit N/s [burst B] [per-source [LEN]]]"* && $output == *"limits [--json]"* ]]
	run -0 "$B/rulectl" --help
	[[ $output == *"add_rule"* ]]
}

@test "bad ports and protocols exit 2 and name the bad value" {
	local bad
	for bad in 0 65536 -1 abc 8080x "" " 80" +80 0x50 99999999999999999999; do
		run -2 --separate-stderr "$RULE" add "$bad" tcp
		[[ $stderr == *"bad port '$bad'"* ]]
		[[ -z $output ]]
	done
	for bad in icmp TCP "" tcpx; do
		run -2 --separate-stderr "$RULE" add 8080 "$bad"
		[[ $stderr == *"bad protocol '$bad' (expected tcp, udp or any)"* ]]
	done
	run -2 --separate-stderr "$RULE" del 70000 udp
	[[ $stderr == *"bad port '70000'"* ]]
}

@test "missing or extra arguments exit 2" {
	run -2 --separate-stderr "$RULE"
	[[ $stderr == *usage:* ]]
	run -2 --separate-stderr "$RULE" add
	[[ $stderr == *"missing rule: PORTS tcp|udp|any"* ]]
	run -2 --separate-stderr "$RULE" add 8080
	[[ $stderr == *"missing protocol after '8080'"* ]]
	run -2 --separate-stderr "$RULE" del 8080 tcp extra
	[[ $stderr == *"unknown keyword 'extra'"* ]]
	run -2 --separate-stderr "$RULE" list --xml
	[[ $stderr == *"bad argument '--xml'"* ]]
	run -2 --separate-stderr "$RULE" flush now
	[[ $stderr == *"unexpected argument 'now'"* ]]
	run -2 --separate-stderr "$RULE" frobnicate
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
}

@test "without an attached filter: exit 1 and say what to do" {
	ns_setup
	run -1 --separate-stderr rule list
	[[ $stderr == *"xf_ports: No such file or directory (is the filter attached? run 'make attach DEV=IF' first)"* ]]
	run -1 --separate-stderr rule add 8080 tcp
	[[ $stderr == *"is the filter attached?"* ]]
	# no bpffs at all: say so
	run -1 --separate-stderr in_ns sh -c 'umount /sys/fs/bpf && "$1" list' sh "$RULE"
	[[ $stderr == *"bpffs is not mounted at /sys/fs/bpf"* ]]
}

@test "add, add_rule, list, list --json, del and flush edit the pinned maps" {
	ns_setup
	attach_filter
	run -0 rule add 8080 tcp
	run -0 rule add_rule 53 udp
	run -0 rule add 53 tcp
	run -0 rule add 65535 udp
	run -0 rule add 1 tcp
	run -0 rule list
	[[ $output == $'1 tcp 0 0\n53 tcp 0 0\n53 udp 0 0\n8080 tcp 0 0\n65535 udp 0 0' ]]
	run -0 rule list --json
	jq -e 'length == 5 and all(.[]; (.port|type) == "number" and
		(.proto == "tcp" or .proto == "udp") and
		(.packets|type) == "number" and (.bytes|type) == "number")' <<<"$output"
	jq -e '.[2] | del(.id) == {"port": 53, "port_last": 53, "proto": "udp",
		"dir": "dst", "prefix": null, "set": null, "log": null, "limit": null,
		"burst": null, "per_source": null, "limited": null, "packets": 0,
		"bytes": 0}' <<<"$output"
	run -0 rule del 53 udp
	run -0 rule list
	[[ $output != *"53 udp"* && $output == *"53 tcp"* ]]
	run -0 rule flush
	run -0 rule list
	[[ -z $output ]]
	run -0 rule list --json
	jq -e '. == []' <<<"$output"
}

@test "bad input changes nothing" {
	ns_setup
	attach_filter
	run -0 rule add 8080 tcp
	run -0 rule list
	local before=$output
	run -2 rule add 0 tcp
	run -2 rule add 8080 icmp
	run -2 rule del 8080x tcp
	run -2 rule flush everything
	run -0 rule list
	[[ $output == "$before" ]]
}

@test "del of a missing rule exits 1; re-adding a rule keeps its counters" {
	ns_setup
	attach_filter
	run -1 --separate-stderr rule del 8080 tcp
	[[ $stderr == *"del 8080 tcp: no such rule"* ]]
	run -0 rule add 8080 udp
	refute_reaches udp 8080
	local hits
	hits=$(rule_packets 8080 udp)
	[[ $hits -ge 1 ]]
	run -0 rule add 8080 udp
	[[ $(rule_packets 8080 udp) -eq $hits ]]
	# a deleted and re-added rule starts again from zero
	run -0 rule del 8080 udp
	run -0 rule add 8080 udp
	[[ $(rule_packets 8080 udp) -eq 0 ]]
}

@test "stats counts every verdict reason, text and --json" {
	ns_setup
	attach_filter
	run -0 rule add 8080 udp
	assert_reaches udp 8081
	refute_reaches udp 8080
	run -0 rule stats
	[[ ${lines[0]} =~ ^reason\ +action\ +packets\ +bytes$ ]]
	[[ $output =~ dropped\ +drop\ +[1-9] ]]
	[[ $output =~ passed\ +pass\ +[1-9] ]]
	run -0 rule stats --json
	jq -e 'keys == (["allowed","dropped","fragment","limited","malformed","non_ip","other_l4","passed","policy","state","tracked"]) and
		.limited.action == "drop" and
		.dropped.packets >= 1 and .dropped.bytes >= 42 and .passed.packets >= 1 and
		.malformed.action == "drop" and .passed.action == "pass"' <<<"$output"
}
