#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The attach toolkit: make attach / detach / status (text and --json),
# replacing in place with the rules kept, pins removed once unused, pins of
# another layout refused with a way forward, and the DEBUG=1 build logging
# drops to trace_pipe.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all >&3
}

setup() {
	ns_setup
}

teardown() {
	ns_teardown
}

prog_id() {
	in_ns ip -j -d link show dev "$1" | jq -r '.[0].xdp.prog.id // empty'
}

@test "make attach/status/detach: the Makefile targets drive the scripts" {
	run -0 in_ns make -s -C "$XF_ROOT" attach DEV="$XF_A" MODE=generic
	[[ $output == *"xdp_filter attached to $XF_A (generic mode, prog id "* ]]
	run -0 rule add 8080 tcp
	refute_reaches tcp 8080
	run -0 in_ns make -s -C "$XF_ROOT" status
	[[ $output =~ $XF_A\ +generic\ +$(prog_id "$XF_A")\ +[0-9a-f]{16}\  ]]
	[[ $output == *"rules: 1"* ]]
	[[ $output =~ dropped\ +drop\ +[1-9] ]]
	run -0 in_ns make -s -C "$XF_ROOT" status JSON=1
	jq -e --arg dev "$XF_A" '.interfaces[0].name == $dev and .rules == 1' <<<"$output"
	run -0 in_ns make -s -C "$XF_ROOT" detach DEV="$XF_A"
	[[ $output == *"xdp_filter detached from $XF_A"* ]]
	[[ $output == *"pins removed"* ]]
	run -0 in_ns make -s -C "$XF_ROOT" status
	[[ $output == *"not attached to any interface"* ]]
}

@test "status: per interface mode, program id and tag, attached since; rules, totals, memory" {
	local id tag dev
	attach_filter generic
	in_ns ip link add "${XF_NAME}c" type veth peer name "${XF_NAME}d"
	in_ns ip link set "${XF_NAME}c" up
	run -0 in_ns "$ATTACH" attach "${XF_NAME}c" native
	run -0 rule add 8080 tcp
	run -0 rule add 6000-6100 udp
	refute_reaches tcp 8080
	run -0 in_ns "$ATTACH" status
	local hdr='interface +mode +prog id +tag +attached since'
	[[ ${lines[0]} =~ ^$hdr$ ]]
	for dev in "$XF_A" "${XF_NAME}c"; do
		id=$(prog_id "$dev")
		tag=$(in_ns ip -j -d link show dev "$dev" | jq -r '.[0].xdp.prog.tag')
		[[ $output =~ (^|$'\n')$dev\ +(native|generic)\ +$id\ +$tag\ +[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}\ [A-Z+0-9-]+\ \([0-9]+\ s\ ago\) ]]
	done
	[[ $output =~ (^|$'\n')$XF_A\ +generic\  ]]
	[[ $output =~ (^|$'\n')${XF_NAME}c\ +native\  ]]
	[[ $output == *$'\n'"rules: 2"$'\n'* ]]
	[[ $output == *$'\n'"policy: deny"$'\n'* ]]
	[[ $output =~ rule\ set:\ [01]\ \(serial\ [0-9]+ ]]
	[[ $output =~ dropped\ +drop\ +[1-9][0-9]*\ +[1-9] ]]
	[[ $output =~ map\ memory:\ [0-9]+\ bytes ]]
	run -0 rule policy allow ephemeral 40000-50000 nodhcp
	run -0 in_ns "$ATTACH" status
	[[ $output == *$'\n'"policy: allow stateless ephemeral 40000-50000 nodhcp"$'\n'* ]]
	run -2 --separate-stderr in_ns "$ATTACH" status --yaml
	[[ $stderr == *"unknown status option '--yaml'"* ]]
}

@test "status --json: one document, its fields agree with ip, rulectl and the traffic" {
	local t0 doc
	t0=$(date +%s)
	attach_filter generic
	run -0 in_ns "$RULE" status --json		# rule.sh status runs it too
	doc=$output
	jq -e '.pinned == true and .pins == "/sys/fs/bpf/tc/globals" and .rules == 0 and
		.totals.dropped.packets == 0 and .policy.policy == "deny" and
		.rule_set.confirm_by == null and (.rule_set.serial | type) == "number"' <<<"$doc"
	# the interface, as ip(8) reports it
	run -0 in_ns ip -j -d link show dev "$XF_A"
	jq -e --argjson s "$doc" --argjson t0 "$t0" --argjson now "$(date +%s)" '.[0] as $l |
		$s.interfaces == [$s.interfaces[0]] and $s.interfaces[0] as $i |
		$i.name == $l.ifname and $i.ifindex == $l.ifindex and $i.mode == "generic" and
		$i.prog_id == $l.xdp.prog.id and $i.tag == $l.xdp.prog.tag and
		$i.program == $l.xdp.prog.name and $i.program == "xf_dst_s0_sb" and
		$i.attached_since >= $t0 - 1 and $i.attached_since <= $now' <<<"$output"
	# memory: every pin, and the total is their sum
	jq -e '(.maps | keys) == ["xf_config", "xf_limit", "xf_log", "xf_lsrc", "xf_pfx4", "xf_pfx6",
		"xf_ports", "xf_pports", "xf_progs", "xf_progs_sb", "xf_rcount", "xf_rdesc", "xf_rlimited",
		"xf_rlog", "xf_set4", "xf_set4x", "xf_set6", "xf_sets", "xf_sref", "xf_stats"] and
		.sets == [] and
		.map_memory_bytes == ([.maps[]] | add) and .map_memory_bytes > 1048576' <<<"$doc"
	# rules and totals move
	run -0 rule add 8080 tcp
	run -0 rule add 53 any
	refute_reaches tcp 8080
	refute_reaches tcp 8080
	run -0 in_ns make -s -C "$XF_ROOT" status JSON=1
	jq -e '.rules == 2 and .totals.dropped.packets >= 2 and .totals.dropped.bytes >= 120 and
		.totals.dropped.action == "drop" and .tier.tier == "dst" and .tier.loaded' <<<"$output"
	# the drop reasons, which only this test's probes move (stray IPv6
	# neighbour and MLD frames move other_l4 between two reads)
	local drops='{dropped, policy, malformed}'
	[[ $(jq -c ".totals | $drops" <<<"$output") == $(rule stats --json | jq -c "$drops") ]]
	# a pending apply --confirm, and the rollback time
	printf '9090 tcp\n' >"$BATS_TEST_TMPDIR/r.conf"
	run -0 rule apply "$BATS_TEST_TMPDIR/r.conf" --confirm 300
	run -0 in_ns "$ATTACH" status --json
	jq -e --argjson now "$(date +%s)" --argjson s "$(jq .rule_set.serial <<<"$doc")" '
		.rules == 1 and .rule_set.serial == $s + 1 and
		.rule_set.confirm_by >= $now + 290 and .rule_set.confirm_by <= $now + 300 and
		(.rule_set.confirm_pid | type) == "number"' <<<"$output"
	local by
	by=$(jq .rule_set.confirm_by <<<"$output")
	run -0 in_ns "$ATTACH" status
	[[ $output == *"not confirmed: rolls back at $(date -d "@$by" +%T) (in "*" s) unless 'rule.sh confirm' runs"* ]]
	run -0 rule rollback
	run -0 in_ns "$ATTACH" status --json
	jq -e '.rules == 2 and .rule_set.confirm_by == null' <<<"$output"
	# detached: no interfaces, no pins, still one document
	run -0 in_ns "$ATTACH" detach "$XF_A"
	run -0 in_ns "$ATTACH" status --json
	jq -e '.interfaces == [] and .pinned == false and .rules == null and .totals == null' <<<"$output"
}

@test "attaching again replaces the program in place and keeps the rules" {
	attach_filter native
	local first
	first=$(prog_id "$XF_A")
	run -0 rule add 8080 udp
	refute_reaches udp 8080
	run -0 attach_filter
	[[ $output == *"native mode"*"1 rule(s) kept"* ]]
	[[ $(prog_id "$XF_A") != "$first" ]]
	refute_reaches udp 8080
	[[ $(rule_packets 8080 udp) -ge 2 ]]	# counters survive too
	# a mode switch keeps them as well
	run -0 attach_filter generic
	[[ $output == *"generic mode"*"1 rule(s) kept"* ]]
	refute_reaches udp 8080
	assert_reaches udp 8081
}

@test "detach restores traffic and removes the pins" {
	attach_filter
	run -0 rule add 8080 tcp
	refute_reaches tcp 8080
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins removed"*"the rules are gone"* ]]
	assert_reaches tcp 8080
	run -0 in_ns sh -c 'ls /sys/fs/bpf/tc/globals | grep "^xf_" || true'
	[[ -z $output ]]
	[[ -z $(prog_id "$XF_A") ]]
	# attaching again starts from an empty rule set, and says so
	run -0 attach_filter
	[[ $output == *"no rules yet"* ]]
	assert_reaches tcp 8080
}

@test "pins stay while another interface still uses them" {
	in_ns ip link add "${XF_NAME}c" type veth peer name "${XF_NAME}d"
	in_ns ip link set "${XF_NAME}c" up
	attach_filter
	run -0 in_ns "$ATTACH" attach "${XF_NAME}c" generic
	[[ $output == *"kept"* || $output == *"no rules yet"* ]]
	run -0 rule add 8080 tcp
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins kept: 1 interface(s) still run xdp_filter"* ]]
	run -0 rule list
	[[ $output == "8080 tcp 0 0" ]]
	run -0 in_ns "$ATTACH" detach "${XF_NAME}c"
	[[ $output == *"pins removed"* ]]
}

@test "bad DEV and MODE exit 2 and name the value; nothing is attached" {
	run -2 --separate-stderr in_ns "$ATTACH" attach nosuchdev0
	[[ $stderr == *"no such interface 'nosuchdev0'"* ]]
	run -2 --separate-stderr in_ns "$ATTACH" attach "$XF_A" turbo
	[[ $stderr == *"bad mode 'turbo'"* ]]
	run -2 --separate-stderr in_ns "$ATTACH" attach ""
	[[ $stderr == *"no interface given"* ]]
	run -2 --separate-stderr in_ns make -s -C "$XF_ROOT" attach
	[[ -z $(prog_id "$XF_A") ]]
	run -0 "$ATTACH" --help
	[[ $output == *"usage:"* ]]
}

@test "pins of another map layout are refused with a way forward" {
	in_ns mkdir -p /sys/fs/bpf/tc/globals
	in_ns bpftool map create /sys/fs/bpf/tc/globals/xf_ports type hash \
		key 4 value 4 entries 16 name xf_ports
	run -1 --separate-stderr attach_filter
	[[ $stderr == *"pinned map has another layout"* ]]
	[[ $stderr == *"make detach DEV=IF"* ]]
	[[ -z $(prog_id "$XF_A") ]]
	run -1 --separate-stderr rule list
	[[ $stderr == *"another layout"* ]]
}

@test "pins stamped with another ABI version are refused" {
	attach_filter
	local abi n v
	abi=$(sed -n -E 's/^#define XF_ABI_VERSION\s+([0-9]+).*/\1/p' "$XF_ROOT/xdp_filter.h")
	# xf_config key 0 = { abi = 99, everything else 0 }
	n=$(in_ns bpftool -j map show pinned /sys/fs/bpf/tc/globals/xf_config | jq .bytes_value)
	v=$(printf ' 0%.0s' $(seq 5 "$n"))
	# shellcheck disable=SC2086 # one word per byte
	in_ns bpftool map update pinned /sys/fs/bpf/tc/globals/xf_config \
		key 0 0 0 0 value 99 0 0 0 $v
	run -1 --separate-stderr rule add 8080 tcp
	[[ $stderr == *"pins carry ABI version 99, this build is version $abi"* ]]
	run -1 --separate-stderr attach_filter
	[[ $stderr == *"ABI version 99"* ]]
}

@test "the README's bpftool example adds a rule the filter obeys" {
	attach_filter
	local g=/sys/fs/bpf/tc/globals
	# rule id 100 = "8080 udp": its record (struct xf_rule, 48 bytes) ...
	in_ns bpftool map update pinned $g/xf_rdesc key 100 0 0 0 value \
		1 2 0 0 0 0 0x90 0x1f 0x90 0x1f 0 0  0 0 0 0 \
		0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0  0 0 0 0 \
		0 0 0 0  0 0 0 0  0 0 0 0
	# ... and its port slot: (dst 0 * 2 + udp 1) * 65536 + 8080 = 0x00011f90
	in_ns bpftool map update pinned $g/xf_ports key 0x90 0x1f 0x01 0x00 \
		value 100 0 0 0
	run -0 rule list
	[[ $output == "8080 udp 0 0" ]]
	refute_reaches udp 8080
	assert_reaches tcp 8080
	run -0 rule list --json
	jq -e '.[0].id == 100 and .[0].packets >= 1' <<<"$output"
	run -0 rule del 8080 udp
	assert_reaches udp 8080
}

@test "make DEBUG=1 logs each drop to trace_pipe" {
	local dbg=$BATS_TEST_TMPDIR/dbg tr=/sys/kernel/tracing
	run -0 make -s -C "$XF_ROOT" B="$dbg" DEBUG=1 "$dbg/xdp_filter.o"
	in_ns sh -c "mountpoint -q $tr || mount -t tracefs tracefs $tr"
	OBJ=$dbg/xdp_filter.o attach_filter
	local port=$((20000 + RANDOM % 20000))
	run -0 rule add "$port" udp
	refute_reaches udp "$port"
	# the trace buffer is read, not consumed: other readers lose nothing
	run -0 in_ns grep -c "xdp_filter: drop udp dport $port" "$tr/trace"
	[[ $output -ge 1 ]]
	# the format string is in the debug object only
	grep -aq "xdp_filter: drop" "$dbg/xdp_filter.o"
	! grep -aq "xdp_filter: drop" "$B/xdp_filter.o"
}

@test "make attach IMPL=rust attaches the Rust build; a bad IMPL exits 2" {
	run -0 make -s -C "$XF_ROOT" rust
	run -0 in_ns make -s -C "$XF_ROOT" attach DEV="$XF_A" IMPL=rust
	[[ $output == *"object: $B/xdp_filter_rs.o"* ]]
	run -0 rule add 8080 udp
	refute_reaches udp 8080
	assert_reaches udp 8081
	run -2 in_ns make -s -C "$XF_ROOT" attach DEV="$XF_A" IMPL=go
	[[ $output == *"bad IMPL 'go' (expected c or rust)"* ]]
}
