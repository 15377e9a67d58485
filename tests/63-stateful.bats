#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The stateful allow policy (issue 14): under "policy allow", TCP and UDP
# that no rule lists pass only in a flow the kernel's conntrack knows, in
# either direction; "policy allow stateless" keeps the old gate (only new
# flows are gated, UDP to the ephemeral range passes). With real traffic:
# scans and bare segments to listening but unlisted ports draw nothing,
# unsolicited UDP is not delivered, the host's own connections and requests
# keep working, and switching policy never cuts an established connection.
# Each drop moves its counter: "policy" for a new flow, "state" for a TCP
# segment of no known flow.

load helpers
load mutant

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" >&3
}

setup() {
	ns_setup
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
}

teardown() {
	ns_teardown
}

# listen PROTO PORT [FAMILY] - a listener on the filtered end that lives
# for the test (killed with the namespace); waits until it listens.
listen() {
	local ss_flag=-t nc_flags=(-k) i
	[[ $1 == udp ]] && ss_flag=-u nc_flags=(-u)
	in_ns timeout 60 nc "-${3:-4}" "${nc_flags[@]}" -l "$(addr_of "${3:-4}" a)" "$2" \
		>/dev/null 2>&1 3>&- &
	for ((i = 0; i < 100; i++)); do
		in_ns ss -Hln "$ss_flag" "sport = :$2" | grep -q . && return 0
		sleep 0.05
	done
	echo "no listener on $1/$2" >&2
	return 1
}

# replies FLAGS PORT [COUNT] - hping3 from the peer sends COUNT (default
# 40) TCP segments with FLAGS (hping3's: -A, -F, -S, ...; several as one
# word, "-FPU") to PORT on the filtered end; prints how many answers came
# back.
replies() {
	local out
	out=$(on_peer timeout 20 hping3 -q "$1" -p "$2" -c "${3:-40}" -i u5000 \
		198.18.0.1 2>&1) || true
	sed -n 's/.* packets transmitted, \([0-9]*\) packets received.*/\1/p' <<<"$out"
}

reason() {
	rule stats --json | jq -r --arg r "$1" '.[$r].packets'
}

@test "bare ACK segments to a listening unlisted port draw RSTs under the stateless policy and none under the stateful one" {
	attach_filter
	listen tcp 3306
	run -0 rule add 22 tcp
	run -0 rule policy allow stateless
	# the control: the stack answers segments of no connection with RST
	run -0 replies -A 3306
	(( output >= 30 )) || { echo "stateless: $output RSTs of 40" >&2; false; }
	run -0 rule policy allow
	run -0 rule policy
	[[ $output == "allow dhcp" ]]
	local before
	before=$(reason state)
	run -0 replies -A 3306
	[[ $output == 0 ]] || { echo "stateful: $output RSTs of 40" >&2; false; }
	(( $(reason state) >= before + 40 ))
}

@test "FIN, NULL, Xmas and ACK scans tell nothing of unlisted ports under the stateful policy, and do under the stateless one" {
	attach_filter
	listen tcp 3306
	listen tcp 8080
	run -0 rule add 22 tcp
	# nmap's verdicts: a port that answers a FIN/NULL/Xmas probe with RST
	# is "closed", one that stays silent "open|filtered"; an ACK probe
	# answered is "unfiltered", one unanswered "filtered".
	local scan=(-n -Pn -T5 --max-retries 1 -p 3306,3307,8080 198.18.0.1) t
	run -0 rule policy allow stateless
	run -0 on_peer timeout 60 nmap -sF "${scan[@]}"
	[[ $output == *"3307/tcp closed"* ]]	# the control: it tells them apart
	run -0 on_peer timeout 60 nmap -sA "${scan[@]}"
	[[ $output == *unfiltered* ]]
	run -0 rule policy allow
	for t in -sF -sN -sX; do
		run -0 on_peer timeout 60 nmap "$t" "${scan[@]}"
		[[ $output != *closed* && $output == *"3307/tcp "*"open|filtered"* ]] ||
			{ echo "nmap $t: $output" >&2; false; }
	done
	run -0 on_peer timeout 60 nmap -sA "${scan[@]}"
	[[ $output != *unfiltered* && $output == *filtered* ]]
	(( $(reason state) > 0 ))
}

@test "unsolicited UDP to a listening ephemeral port is delivered under the stateless policy and not under the stateful one" {
	attach_filter
	run -0 rule policy allow stateless ephemeral 40000-50000
	assert_reaches udp 45000		# the control: the old gate
	run -0 rule policy allow
	local before
	before=$(reason policy)
	refute_reaches udp 45000
	refute_reaches udp 45000 6
	(( $(reason policy) >= before + 2 ))
	run -0 rule add 45000 udp		# a rule still opens it
	assert_reaches udp 45000
	assert_reaches udp 45000 6
}

@test "the host's own TCP connections and UDP requests get their replies, IPv4 and IPv6; without conntrack the UDP replies would not" {
	attach_filter
	run -0 rule policy allow
	in_ns nft list table inet xdp_filter >/dev/null	# tracking is on
	local fam
	for fam in 4 6; do
		peer_reply tcp 8081 "$fam"
		peer_reply udp 5353 "$fam"
	done
	(( $(reason tracked) > 0 ))
	# the control: with tracking off (someone deleted our table), a reply
	# to a new request is a datagram no flow explains
	in_ns nft delete table inet xdp_filter
	! peer_reply udp 5354 4
	run -0 rule policy allow		# setting it again turns tracking on
	in_ns nft list table inet xdp_filter >/dev/null
	peer_reply udp 5355 4
}

# open_under_deny - the host connects out to the peer's port 9000 while
# the policy is deny; says WORD then has the peer send WORD on it and
# waits (bounded) for it at the host.
open_under_deny() {
	local i
	says_init
	on_peer sh -c 'tail -f "$1" | timeout 60 nc -l 198.18.0.2 9000 >/dev/null' sh "$IN" 3>&- &
	for ((i = 0; i < 100; i++)); do
		on_peer ss -Hltn "sport = :9000" | grep -q . && break
		sleep 0.05
	done
	in_ns timeout 60 nc 198.18.0.2 9000 </dev/null >"$OUT" 2>/dev/null 3>&- &
}

@test "a connection opened under deny keeps working through stateful allow, stateless allow, deny and a re-attach" {
	attach_filter
	open_under_deny
	says one
	run -0 rule policy allow
	says two
	run -0 rule policy allow stateless
	says three
	run -0 rule policy allow
	says four
	run -0 in_ns "$ATTACH" attach "$XF_A"
	says five
	run -0 rule policy deny
	says six
}

@test "the control: without the socket lookup, a connection opened under deny stalls once the stateful policy is on" {
	[[ $XF_IMPL == c ]] || skip "a mutation of the C source"
	local dir=$BATS_TEST_TMPDIR/nosk
	build_mutant "$dir/nosk.o" xdp_filter.c \
		's/(tcp && sk_connected(ctx, &t, sz))/(tcp \&\& 0 \&\& sk_connected(ctx, \&t, sz))/'
	OBJ=$dir/nosk.o attach_filter
	open_under_deny
	says one
	run -0 rule policy allow
	run -1 says two
	(( $(reason state) > 0 ))	# the peer's segments, dropped as state
}

@test "an ACK scan over IPv6 tells nothing of unlisted ports under the stateful policy" {
	attach_filter
	listen tcp 3306 6
	run -0 rule add 22 tcp
	local scan=(-6 -n -Pn -T5 --max-retries 1 -p 3306,3307 fd00::1)
	run -0 rule policy allow stateless
	run -0 on_peer timeout 60 nmap -sA "${scan[@]}"
	[[ $output == *unfiltered* ]]		# the control
	run -0 rule policy allow
	run -0 on_peer timeout 60 nmap -sA "${scan[@]}"
	[[ $output != *unfiltered* && $output == *filtered* ]]
	run -0 on_peer timeout 60 nmap -sF "${scan[@]}"
	[[ $output != *closed* ]]
}

@test "policy, status, save, stats and metrics show the stateful policy; tracking follows it" {
	attach_filter
	run -0 rule add 22 tcp
	run -1 in_ns nft list table inet xdp_filter	# deny: no table
	run -0 rule policy allow nodhcp
	run -0 rule policy --json
	jq -e '. == {"policy": "allow", "stateful": true, "tracking": true, "ephemeral": null, "dhcp": false}' <<<"$output"
	run -0 in_ns "$ATTACH" status
	[[ $output == *"policy: allow nodhcp (stateful"* && $output == *"tier: state"* ]]
	run -0 in_ns "$ATTACH" status --json
	jq -e '.policy.stateful and .policy.tracking and .tier.tier == "state" and
		(.totals | has("tracked") and has("state"))' <<<"$output"
	run -0 rule save
	[[ ${lines[1]} == "policy allow nodhcp" ]]
	local saved=$output
	run -0 rule apply - <<<"$saved"
	[[ $output == *"no changes"* ]]
	run -0 rule stats --prometheus
	[[ $output == *'xdp_filter_policy{policy="allow"} 1'* &&
		$output == *'xdp_filter_policy{policy="allow_stateless"} 0'* &&
		$output == *"xdp_filter_conntrack_tracking 1"* &&
		$output == *'xdp_filter_tier{tier="state"} 1'* &&
		$output == *'xdp_filter_packets_total{reason="state",action="drop"}'* ]]
	# someone deletes the table: status says so, the metric too
	in_ns nft delete table inet xdp_filter
	run -0 in_ns "$ATTACH" status
	[[ $output == *"conntrack: OFF"* ]]
	run -0 rule stats --prometheus
	[[ $output == *"xdp_filter_conntrack_tracking 0"* ]]
	# an attach (or policy allow) brings it back
	run -0 in_ns "$ATTACH" attach "$XF_A"
	in_ns nft list table inet xdp_filter >/dev/null
	# stateless and deny take it away; the stateless one shows its range
	run -0 rule policy allow stateless ephemeral 40000-50000
	run -1 in_ns nft list table inet xdp_filter
	run -0 rule save
	[[ ${lines[1]} == "policy allow stateless ephemeral 40000-50000 nodhcp" ]]
	run -0 rule policy allow
	in_ns nft list table inet xdp_filter >/dev/null
	run -0 rule policy deny
	run -1 in_ns nft list table inet xdp_filter
	# and the detach of the last interface
	run -0 rule policy allow
	run -0 in_ns "$ATTACH" detach "$XF_A"
	run -1 in_ns nft list table inet xdp_filter
}

@test "bad policy words exit 2 and name them; a kernel or host that cannot track exits 1 naming the stateless policy; nothing changes" {
	attach_filter
	run -0 rule add 22 tcp
	run -0 rule policy allow stateless ephemeral 40000-50000
	local before
	before=$(rule policy --json; rule tier --json)
	run -2 --separate-stderr rule policy allow bogus
	[[ $stderr == *"unknown keyword 'bogus'"* && $stderr == *stateless* ]]
	run -2 --separate-stderr rule policy allow stateless ephemeral 9-1
	[[ $stderr == *"9-1"* ]]
	[[ $(rule policy --json; rule tier --json) == "$before" ]]
	# no nft to turn tracking on: refused, nothing changed
	run -1 --separate-stderr in_ns env PATH=/usr/bin:/bin "$RULE" policy allow
	[[ $stderr == *"cannot run nft"* ]]
	[[ $(rule policy --json; rule tier --json) == "$before" ]]
	# a kernel without conntrack's kfuncs has no state tier: take it out
	# of both arrays (slot 8, xf_prog_slot(XF_TIER_STATE, 0)), as an init
	# there leaves them
	local a
	for a in xf_progs xf_progs_sb; do
		in_ns bpftool map delete pinned "/sys/fs/bpf/tc/globals/$a" key 8 0 0 0
	done
	run -1 --separate-stderr rule policy allow
	[[ $stderr == *"policy allow stateless"* ]]
	printf 'policy allow\n22 tcp\n' >"$BATS_TEST_TMPDIR/s.rules"
	run -1 --separate-stderr rule apply "$BATS_TEST_TMPDIR/s.rules"
	[[ $stderr == *"policy allow stateless"* ]]
	[[ $(rule policy --json; rule tier --json) == "$before" ]]
	run -1 in_ns nft list table inet xdp_filter
	# the stateless policy still works there
	run -0 rule policy allow stateless ephemeral 40000-50001
}
