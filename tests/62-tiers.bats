#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Feature tiers (issue 13): the program packets run is the lightest tier
# that serves the active rule set (dst: destination-port rules; ports: and
# source-port rules; sets: and rules from source sets, issue 16; full:
# prefixes, log, limits, the stateless allow policy; state: the stateful
# allow policy), and it follows
# every add, del, policy and apply. Each tier drops what its rules say, with
# real traffic, and every packet moves one counter: a deleted rule's drops
# stay in the "dropped" total. Each interface runs the tier itself through
# a pinned link, moved with every switch, in every network namespace that
# shares the pins. A plain ip link attach (the dispatcher, no tiers) is the
# full filter; detach unloads the tiers with the pins.

load helpers

PROGS=/sys/fs/bpf/tc/globals/xf_progs
PROGS_SB=/sys/fs/bpf/tc/globals/xf_progs_sb

setup_file() {
	make -s -C "$XF_ROOT" all >&3
}

setup() {
	ns_setup
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
}

teardown() {
	[[ -n ${OTHER_PID-} ]] && kill -9 "$OTHER_PID" 2>/dev/null
	OTHER_PID=
	ns_teardown
}

# other CMD... - runs CMD in the second network namespace of a test (the
# process OTHER_PID), in the test's mount namespace: the same pins.
other() {
	in_ns nsenter -t "$OTHER_PID" -n -- "$@"
}

# other_attached DEV - the XDP program on DEV there ("null": none).
other_attached() {
	other ip -j -d link show dev "$1" | jq -r '.[0].xdp.prog.name // .[0].xdp.attached[0].prog.name'
}

# running [ARRAY] - the name of the program in the active slot of xf_progs
# (or ARRAY), as the kernel has it ("none": the slot is empty and the
# dispatcher is the full filter itself).
running() {
	local id
	id=$(in_ns bpftool -j map lookup pinned "${1:-$PROGS}" key 0 0 0 0 2>/dev/null |
		jq -r '.formatted.value // empty' 2>/dev/null) || true
	if [[ -z $id ]]; then
		echo none
		return 0
	fi
	in_ns bpftool -j prog show id "$id" | jq -r .name
}

# refute_from SPORT PROTO PORT - sent from source port SPORT, it is dropped.
refute_from() {
	! try_reach_from "$1" "$2" "$3" 4 1 ||
		{ echo "expected $2/$3 from port $1 to be dropped" >&2; return 1; }
}

# expect_tier TIER PROG - rulectl says TIER, and PROG is what runs, and
# its single-buffer twin (PROG_sb) for generic mode.
expect_tier() {
	local tier sb=${2}_sb
	tier=$(rule tier --json | jq -r .tier)
	[[ $tier == "$1" ]] || { echo "tier '$tier', expected '$1'" >&2; return 1; }
	[[ $(running) == "$2" ]] || { echo "running '$(running)', expected '$2'" >&2; return 1; }
	[[ $2 == none ]] && sb=none
	[[ $(running "$PROGS_SB") == "$sb" ]] ||
		{ echo "generic mode runs '$(running "$PROGS_SB")', expected '$sb'" >&2; return 1; }
}

# attached - the name of the XDP program on the filtered end.
attached() {
	in_ns ip -j -d link show dev "$XF_A" | jq -r '.[0].xdp.prog.name // .[0].xdp.attached[0].prog.name'
}

@test "the lightest tier that serves the rules runs, and follows add, del, policy and apply" {
	attach_filter
	expect_tier dst xf_dst_s0
	run -0 rule add 8080 tcp
	expect_tier dst xf_dst_s0
	# rules from a source set: the set tier, with source-port rules too;
	# a prefix or a log needs the full tier. A set that no rule names
	# changes nothing.
	run -0 rule set peers add 198.18.0.2
	expect_tier dst xf_dst_s0
	run -0 rule add 9200 udp from @peers
	expect_tier sets xf_sets_s0
	run -0 rule tier
	[[ $output == "sets (rule set 0: rules from a source set)" ]]
	run -0 rule add 53 udp src
	expect_tier sets xf_sets_s0
	run -0 rule add 22 tcp from 198.18.0.0/15
	expect_tier full xf_full
	run -0 rule del 22 tcp from 198.18.0.0/15
	expect_tier sets xf_sets_s0
	run -0 rule add 9201 udp from @peers log
	expect_tier full xf_full
	run -0 rule del 9201 udp from @peers log
	run -0 rule del 9200 udp from @peers
	expect_tier ports xf_ports_s0
	run -0 rule del 53 udp src
	expect_tier dst xf_dst_s0
	run -0 rule add 53 udp src
	expect_tier ports xf_ports_s0
	run -0 rule add 22 tcp from 198.18.0.0/15
	expect_tier full xf_full
	run -0 rule tier
	[[ $output == "full (rule set 0: source-port rules, prefix rules)" ]]
	run -0 rule del 22 tcp from 198.18.0.0/15
	expect_tier ports xf_ports_s0
	run -0 rule del 53 udp src
	expect_tier dst xf_dst_s0
	run -0 rule add 9000 udp log
	expect_tier full xf_full
	run -0 rule del 9000 udp log
	run -0 rule policy allow
	expect_tier state xf_state
	run -0 rule policy allow stateless
	expect_tier full xf_full
	run -0 rule policy deny
	expect_tier dst xf_dst_s0
	# apply builds the other rule set: its tier runs with it built in
	run -0 rule apply - <<<"7000 udp"
	expect_tier dst xf_dst_s1
	run -0 rule apply - <<<$'7000 udp\n7001 udp src'
	expect_tier ports xf_ports_s0
	run -0 rule apply - <<<$'policy allow\n7000 udp'
	expect_tier state xf_state
	run -0 rule apply - <<<"7000 udp"
	expect_tier dst xf_dst_s0
	run -0 rule apply - <<<$'7000 udp\nany from @peers'
	expect_tier sets xf_sets_s1
	run -0 rule apply - <<<"7000 udp"
	expect_tier dst xf_dst_s0
	# ... and a rollback goes back to the old set's tier
	run -0 rule apply --confirm 60 - <<<$'7000 udp\n7002 udp src'
	expect_tier ports xf_ports_s1
	run -0 rule rollback
	expect_tier dst xf_dst_s0
	# status and the metrics say it too
	run -0 in_ns "$ATTACH" status
	[[ $output == *"tier: dst (destination-port rules only)"* ]]
	run -0 rule stats --prometheus
	[[ $output == *'xdp_filter_tier{tier="dst"} 1'* && $output == *'xdp_filter_tier{tier="full"} 0'* ]]
}

@test "each tier drops what its rules say, and every drop moves one counter" {
	attach_filter
	run -0 rule add 8080 udp
	expect_tier dst xf_dst_s0
	refute_reaches udp 8080
	refute_reaches udp 8080 6
	assert_reaches udp 8081
	assert_reaches tcp 8080
	[[ $(rule_packets 8080 udp) == 2 ]]
	[[ $(reason_packets dropped) == 2 ]]
	# the ports tier: a source-port rule, and the destination rule still
	run -0 rule add 5353 udp src
	expect_tier ports xf_ports_s0
	refute_from 5353 udp 9000
	assert_reaches udp 9000
	refute_reaches udp 8080
	[[ $(rule_packets 5353 udp) == 1 && $(rule_packets 8080 udp) == 3 ]]
	[[ $(reason_packets dropped) == 4 ]]
	# the set tier: a rule from a source set that holds the peer, and the
	# others still; a set that does not hold it drops nothing
	run -0 rule set peers add 198.18.0.2
	run -0 rule set others add 198.18.0.3
	run -0 rule add 9200 udp from @others
	expect_tier sets xf_sets_s0
	assert_reaches udp 9200
	run -0 rule add 9200 udp from @peers
	refute_reaches udp 9200
	assert_reaches udp 9201
	refute_reaches udp 8080
	refute_from 5353 udp 9000
	[[ $(rule list --json | jq '[.[] | select(.set == "peers") | .packets] | add') == 1 ]]
	[[ $(rule list --json | jq '[.[] | select(.set == "others") | .packets] | add') == 0 ]]
	[[ $(reason_packets dropped) == 7 ]]
	run -0 rule del 9200 udp from @peers
	run -0 rule del 9200 udp from @others
	expect_tier ports xf_ports_s0
	[[ $(reason_packets dropped) == 7 ]]
	# the full tier: a prefix rule, and the others still
	run -0 rule add 9100 udp from 198.18.0.0/24
	expect_tier full xf_full
	refute_reaches udp 9100
	assert_reaches udp 9101
	refute_reaches udp 8080
	refute_from 5353 udp 9000
	[[ $(reason_packets dropped) == 10 ]]
	# a deleted rule's drops stay in the total; its id starts again at 0
	run -0 rule del 8080 udp
	run -0 rule del 9100 udp from 198.18.0.0/24
	run -0 rule del 5353 udp src
	expect_tier dst xf_dst_s0
	[[ $(reason_packets dropped) == 10 ]]
	run -0 rule add 8080 udp
	[[ $(rule_packets 8080 udp) == 0 ]]
	refute_reaches udp 8080
	[[ $(rule_packets 8080 udp) == 1 && $(reason_packets dropped) == 11 ]]
	assert_reaches udp 8081
	run -0 rule stats --prometheus
	[[ $output == *'xdp_filter_packets_total{reason="dropped",action="drop"} 11'* ]]
}

@test "a plain ip link attach runs the dispatcher's full filter; attach moves it to a pinned link and the tier" {
	# what a plain 'ip link ... obj xdp_filter.o sec xdp.frags' does: the
	# dispatcher, no tiers loaded; it is the full filter itself
	in_ns ip link set dev "$XF_A" xdpdrv obj "$OBJ" sec xdp.frags
	[[ $(attached) == xdp_filter ]]
	run -0 rule add 8080 udp
	[[ $(running) == none ]]
	run -0 rule tier
	[[ $output == *"the lighter tiers are not loaded: attach again"* ]]
	refute_reaches udp 8080
	assert_reaches udp 8081
	[[ $(rule_packets 8080 udp) == 1 ]]
	# attach: the dispatcher gives way to a link that runs the tier
	run -0 in_ns "$ATTACH" attach "$XF_A"
	[[ $output == *"replacing the xdp_filter that ip attached with a pinned link"* ]]
	[[ $output == *"native mode"*"xf_dst_s0"*"1 rule(s) kept"* ]]
	[[ $(attached) == xf_dst_s0 ]]
	expect_tier dst xf_dst_s0
	in_ns bash -c 'compgen -G "/sys/fs/bpf/tc/globals/xf_link_*_native"' >/dev/null
	refute_reaches udp 8080
	[[ $(rule_packets 8080 udp) == 2 ]]
	# ip(8) cannot take a link's interface away; detach can
	run ! in_ns ip link set dev "$XF_A" xdpdrv off
	[[ $(attached) == xf_dst_s0 ]]
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $(attached) == null ]]
	assert_reaches udp 8080
}

@test "every interface runs the tier itself through a pinned link, in each network namespace that shares the pins" {
	attach_filter
	[[ $(attached) == xf_dst_s0 ]]
	# a second network namespace in the same mount namespace: same pins
	local dev=${XF_NAME}o
	OTHER_PID=$(in_ns bash -c 'unshare -n sleep 300 >/dev/null 2>&1 & echo $!')
	in_ns ip link add "$dev" type veth peer name "${XF_NAME}q"
	in_ns ip link set dev "${XF_NAME}q" up
	in_ns ip link set dev "$dev" netns "$OTHER_PID"
	other ip link set dev "$dev" up
	run -0 other "$ATTACH" attach "$dev"
	[[ $(other_attached "$dev") == xf_dst_s0 ]]
	[[ $(in_ns bash -c 'ls /sys/fs/bpf/tc/globals/ | grep -c "^xf_link_.*_native$"') == 2 ]]
	# a rule the dst tier cannot serve moves both interfaces to the full
	# tier, and the traffic here is judged by it
	run -0 rule add 22 tcp from 198.18.0.0/15
	[[ $(attached) == xf_full && $(other_attached "$dev") == xf_full ]]
	refute_reaches tcp 22
	assert_reaches tcp 23
	run -0 rule del 22 tcp from 198.18.0.0/15
	[[ $(attached) == xf_dst_s0 && $(other_attached "$dev") == xf_dst_s0 ]]
	assert_reaches tcp 22
	# the pins stay while the other namespace's interface runs the filter
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins kept: 1 interface(s) still run xdp_filter"* ]]
	[[ $(attached) == null && $(other_attached "$dev") == xf_dst_s0 ]]
	run -0 other "$ATTACH" detach "$dev"
	[[ $output == *"pins removed"* && $(other_attached "$dev") == null ]]
}

@test "detach unloads the tier programs with the pins" {
	attach_filter
	run -0 rule add 53 udp src
	expect_tier ports xf_ports_s0
	local ids
	ids=$({ in_ns bpftool -j map dump pinned "$PROGS"
		in_ns bpftool -j map dump pinned "$PROGS_SB"; } | jq -r '.[].formatted.value' | sort -u)
	# both arrays: the tiers and their single-buffer twins, 8 + 8 (the
	# state tier: this kernel has conntrack's kfuncs)
	[[ $(wc -w <<<"$ids") == 16 ]]
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins removed"* ]]
	local id i
	for id in $ids; do
		# freed once the kernel's RCU grace period is over: a bounded wait
		for ((i = 0; i < 50; i++)); do
			in_ns bpftool prog show id "$id" >/dev/null 2>&1 || break
			sleep 0.1
		done
		if in_ns bpftool prog show id "$id" >/dev/null 2>&1; then
			echo "tier program $id is still loaded" >&2
			return 1
		fi
	done
	assert_reaches udp 53
}

@test "init with a file that is not the object: exit 2, one line, the tiers untouched" {
	attach_filter
	run -0 rule add 8080 udp
	expect_tier dst xf_dst_s0
	local f=$BATS_TEST_TMPDIR/none.o
	run -2 --separate-stderr in_ns "$B/rulectl" init "$f"
	[[ ${stderr_lines[0]} == "rulectl: $f: No such file or directory" ]]
	[[ $stderr != *libbpf* ]]
	printf 'not an ELF file\n' >"$f"
	run -2 --separate-stderr in_ns "$B/rulectl" init "$f"
	[[ ${stderr_lines[0]} == "rulectl: $f: "* && $stderr != *libbpf* ]]
	expect_tier dst xf_dst_s0
	refute_reaches udp 8080
	# the control: the real object is taken
	run -0 in_ns "$B/rulectl" init "$OBJ"
	expect_tier dst xf_dst_s0
}

@test "generic mode runs the single-buffer tiers, switched with the native ones" {
	attach_filter generic
	[[ $(attached) == xf_dst_s0_sb ]]
	run -0 rule add 8080 udp
	expect_tier dst xf_dst_s0
	refute_reaches udp 8080
	assert_reaches udp 8081
	run -0 rule add 22 tcp from 198.18.0.0/15
	expect_tier full xf_full
	[[ $(attached) == xf_full_sb ]]
	refute_reaches tcp 22
	assert_reaches tcp 23
	refute_reaches udp 8080
	run -0 rule del 22 tcp from 198.18.0.0/15
	expect_tier dst xf_dst_s0
	assert_reaches tcp 22
	run -0 rule set peers add 198.18.0.2
	run -0 rule add 22 tcp from @peers
	expect_tier sets xf_sets_s0
	[[ $(attached) == xf_sets_s0_sb ]]
	refute_reaches tcp 22
	assert_reaches tcp 23
	refute_reaches udp 8080
	run -0 rule del 22 tcp from @peers
	expect_tier dst xf_dst_s0
	# every packet the sb tiers judged moved one counter
	[[ $(rule_packets 8080 udp) == 3 ]]
	# native mode: the multi-buffer tier, the same rules
	attach_filter native
	[[ $(attached) == xf_dst_s0 ]]
	expect_tier dst xf_dst_s0
	refute_reaches udp 8080
	[[ $(rule_packets 8080 udp) == 4 ]]
}

@test "an interface deleted while attached: its link pin goes at the next switch, and then the pins" {
	local c=${XF_NAME}c
	in_ns ip link add "$c" type veth peer name "${XF_NAME}d"
	in_ns ip link set "$c" up
	attach_filter
	run -0 in_ns "$ATTACH" attach "$c"
	links() { in_ns bash -c 'ls /sys/fs/bpf/tc/globals/ | grep -c "^xf_link_" || true'; }
	[[ $(links) == 2 ]]
	in_ns ip link del "$c"
	[[ $(links) == 2 ]]	# the kernel keeps a link without its interface
	# a switch moves the live link and drops the stale pin
	run -0 rule add 22 tcp from 198.18.0.0/15
	[[ $(attached) == xf_full && $(links) == 1 ]]
	refute_reaches tcp 22
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins removed"* && $(links) == 0 ]]
}
