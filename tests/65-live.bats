#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Rule changes and program upgrades under live traffic (issue 6, items 2
# and 4). The peer sends bounded, sequence-numbered UDP streams (20,000
# datagrams at 4,000 a second, tests/tools/sequdp.c) to an allowed port and
# to a blocked port while thousands of unrelated rules are added, deleted
# and flushed and the program is replaced. Counted at the receiver (every
# sequence number, duplicates, the socket's own drops) and in the filter's
# counters: the allowed stream loses nothing, the blocked stream never gets
# a datagram through while its rule stands.

load helpers

STATE=$B/xfstate
N=20000			# datagrams a stream
# shellcheck disable=SC2034 # read by send() in helpers.bash
RATE=4000		# a second (send, in helpers.bash): far below what veth carries
ALLOW_PORT=9000
BLOCK_PORT=9999
SPORT_A=5001		# fixed source ports: the churn's source-port rules
SPORT_B=5002		# never match the streams

setup_file() {
	make -s -C "$XF_ROOT" all "$B/sequdp" "$B/xfstate" >&3
	# "a new build": the same source built again elsewhere, with the
	# DEBUG=1 logging, so each replace loads a different program
	make -s -C "$XF_ROOT" B="$BATS_FILE_TMPDIR/new" DEBUG=1 \
		"$BATS_FILE_TMPDIR/new/xdp_filter.o" >&3
}

setup() {
	ns_setup
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
}

teardown() {
	ns_teardown
}

# churn STOPFILE OUT [OBJ2]: unrelated edits until STOPFILE exists. Each
# round adds and deletes 300 rules in one process (xfstate churn: port,
# range, source-port, a port from the peer's own prefix, "any from" another
# prefix, through rulectl's own code) and one rule with rulectl itself, so
# the feature tier switches between dst, ports and full all along; with
# OBJ2, a second loop beside it replaces the program about every second,
# alternating between OBJ2 and $OBJ (an attach loads the object's tiers
# too). Writes "edits E rulectl R failed F attaches A attach_failed G" to
# OUT.
churn() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_ns timeout 120 bash -c '
		stop=$1 out=$2 obj2=$3 state=$4 rc=$5 attach=$6 dev=$7 obj=$8
		edits=0 rcedits=0 failed=0 attaches=0 afail=0 i=0
		if [[ -n $obj2 ]]; then
			while [[ ! -e $stop ]]; do
				o=$obj; ((attaches % 2 == 0)) && o=$obj2
				if OBJ=$o "$attach" attach "$dev" >/dev/null; then
					attaches=$((attaches + 1))
				else
					afail=$((afail + 1))
				fi
				sleep 1
			done
			echo "attaches $attaches attach_failed $afail" >"$out.attach"
		fi &
		while [[ ! -e $stop ]]; do
			if e=$("$state" churn 300 $((i * 300))); then
				edits=$((edits + ${e#edits }))
			else
				failed=$((failed + 1)); echo "xfstate churn failed: $e" >&2
			fi
			r=($((40000 + i % 9000)) udp from 198.18.0.0/24)
			((i % 2)) && r=(any from "10.$((i % 250)).0.0/16")
			if "$rc" add "${r[@]}" >/dev/null && "$rc" del "${r[@]}" >/dev/null; then
				rcedits=$((rcedits + 2))
			else
				failed=$((failed + 1))
			fi
			i=$((i + 1))
		done
		wait
		a="attaches 0 attach_failed 0"
		[[ -e $out.attach ]] && a=$(cat "$out.attach")
		echo "edits $((edits + rcedits)) rulectl $rcedits failed $failed $a" >"$out"
	' churn "$1" "$2" "${3-}" "$STATE" "$B/rulectl" "$ATTACH" "$XF_A" "$OBJ" 3>&- &
}

wait_all() {
	local pid rc=0
	for pid in "$@"; do wait "$pid" || rc=1; done
	return $rc
}

@test "thousands of rule edits and re-attaches under live traffic: the allowed stream loses nothing, the blocked one gets nothing" {
	attach_filter native
	run -0 rule add "$BLOCK_PORT" udp
	recv allow "$ALLOW_PORT"
	local ra=$!
	recv block "$BLOCK_PORT"
	local rb=$!
	churn "$BATS_TEST_TMPDIR/stop" "$BATS_TEST_TMPDIR/churn" "$BATS_FILE_TMPDIR/new/xdp_filter.o"
	local ch=$!
	sleep 0.5		# the churn is running before the first datagram
	send allow "$ALLOW_PORT" "$SPORT_A"
	local sa=$!
	send block "$BLOCK_PORT" "$SPORT_B"
	local sb=$!
	wait_all "$sa" "$sb"
	wait "$ra"		# every datagram in, or its 30 s are up
	touch "$BATS_TEST_TMPDIR/stop"
	stop_recv block
	wait "$rb"
	wait "$ch"
	local f=$BATS_TEST_TMPDIR
	echo "# allowed: $(cat "$f/allow.send"), $(cat "$f/allow.recv")" >&3
	echo "# blocked: $(cat "$f/block.send"), rule counted $(rule_packets "$BLOCK_PORT" udp)" >&3
	echo "# churn: $(cat "$f/churn")" >&3
	[[ $(cat "$f/allow.send") == "sent $N" && $(cat "$f/block.send") == "sent $N" ]]
	[[ $(cat "$f/allow.recv") == "received $N missing 0 duplicates 0 foreign 0 socket_drops 0" ]]
	echo "# blocked at the receiver: $(cat "$f/block.recv")" >&3
	[[ $(cat "$f/block.recv") == "received 0 missing $N duplicates 0 foreign 0 socket_drops 0" ]]
	# the filter's own counters: every blocked datagram hit its rule, no
	# other packet was dropped (so none of the allowed stream), nothing
	# malformed
	[[ $(rule_packets "$BLOCK_PORT" udp) == "$N" ]]
	[[ $(reason_packets dropped) == "$N" ]]
	[[ $(reason_packets malformed) == 0 && $(reason_packets policy) == 0 ]]
	[[ $(reason_packets passed) -ge $N ]]
	# thousands of edits, all of them succeeded, and several replaces
	[[ $(field "$f/churn" edits) -ge 5000 && $(field "$f/churn" failed) == 0 ]]
	[[ $(field "$f/churn" rulectl) -ge 50 ]]
	[[ $(field "$f/churn" attaches) -ge 3 && $(field "$f/churn" attach_failed) == 0 ]]
	# only the blocked stream's rule is left, and the maps agree
	run -0 rule list
	[[ $output == "$BLOCK_PORT udp $N "* ]]
	run -0 in_ns "$STATE" check
	[[ $output == "ok 1 rules" ]]
	# the blocked port still drops after it all
	refute_reaches udp "$BLOCK_PORT"
}

@test "rules added by the thousand and flushed under live traffic: the allowed stream loses nothing" {
	attach_filter native
	recv allow "$ALLOW_PORT"
	local ra=$!
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_ns timeout 120 bash -c '
		n=0 flushes=0
		while [[ ! -e $1 ]]; do
			"$2" fill 1000 $((20000 + (flushes % 4) * 1000)) >/dev/null || exit 1
			n=$((n + 1000))
			"$3" add 20000-20100 udp from 198.18.0.0/24 >/dev/null || exit 1
			"$3" flush || exit 1
			flushes=$((flushes + 1))
		done
		echo "rules_added $n flushes $flushes" >"$4"
	' churn "$BATS_TEST_TMPDIR/stop" "$STATE" "$B/rulectl" "$BATS_TEST_TMPDIR/churn" 3>&- &
	local ch=$!
	sleep 0.3
	send allow "$ALLOW_PORT" "$SPORT_A"
	local sa=$!
	wait "$sa"
	wait "$ra"
	touch "$BATS_TEST_TMPDIR/stop"
	wait "$ch"
	local f=$BATS_TEST_TMPDIR
	echo "# allowed: $(cat "$f/allow.send"), $(cat "$f/allow.recv")" >&3
	echo "# churn: $(cat "$f/churn")" >&3
	[[ $(cat "$f/allow.recv") == "received $N missing 0 duplicates 0 foreign 0 socket_drops 0" ]]
	[[ $(reason_packets dropped) == 0 && $(reason_packets malformed) == 0 ]]
	[[ $(field "$f/churn" rules_added) -ge 3000 && $(field "$f/churn" flushes) -ge 3 ]]
	run -0 rule list
	[[ -z $output ]]
	run -0 in_ns "$STATE" check
	[[ $output == "ok 0 rules" ]]
}

@test "replacing the program with a new build under traffic keeps rules, policy and counters, with no window" {
	attach_filter native
	local new=$BATS_FILE_TMPDIR/new/xdp_filter.o
	# allow policy: the rule opens ALLOW_PORT, the policy drops BLOCK_PORT
	run -0 rule policy allow ephemeral 60000-60999
	run -0 rule add "$ALLOW_PORT" udp
	run -0 rule add 7000-7100 tcp src from 198.18.0.0/15
	run -0 rule policy --json
	local policy=$output
	recv allow "$ALLOW_PORT"
	local ra=$!
	recv block "$BLOCK_PORT"
	local rb=$!
	send allow "$ALLOW_PORT" "$SPORT_A"
	local sa=$!
	send block "$BLOCK_PORT" "$SPORT_B"
	local sb=$!
	local round o last=0 lastp=0 now nowp first
	first=$(in_ns ip -j link show dev "$XF_A" | jq -r '.[0].xdp.prog.id')
	# (not "i": bats' run uses that name)
	for ((round = 0; round < 10; round++)); do
		o=$OBJ
		((round % 2 == 0)) && o=$new
		OBJ=$o run -0 in_ns "$ATTACH" attach "$XF_A"
		[[ $output == *"object: $o"* && $output == *"native mode"*"2 rule(s) kept"* ]]
		# counters never go back, the policy and the rules stay
		now=$(rule_packets "$ALLOW_PORT" udp)
		nowp=$(reason_packets policy)
		((now >= last && nowp >= lastp))
		last=$now lastp=$nowp
		run -0 rule policy --json
		[[ $output == "$policy" ]]
		sleep 0.3
	done
	[[ $(in_ns ip -j link show dev "$XF_A" | jq -r '.[0].xdp.prog.id') != "$first" ]]
	wait_all "$sa" "$sb"
	wait "$ra"
	stop_recv block
	wait "$rb"
	local f=$BATS_TEST_TMPDIR
	echo "# allowed: $(cat "$f/allow.send"), $(cat "$f/allow.recv")" >&3
	echo "# blocked (policy): $(cat "$f/block.send"), policy counted $(reason_packets policy)" >&3
	[[ $(cat "$f/allow.recv") == "received $N missing 0 duplicates 0 foreign 0 socket_drops 0" ]]
	echo "# blocked at the receiver: $(cat "$f/block.recv")" >&3
	[[ $(cat "$f/block.recv") == "received 0 missing $N duplicates 0 foreign 0 socket_drops 0" ]]
	# every datagram of both streams was counted by whichever program ran
	[[ $(rule_packets "$ALLOW_PORT" udp) == "$N" ]]
	[[ $(reason_packets allowed) == "$N" ]]
	[[ $(reason_packets policy) == "$N" ]]
	run -0 rule list
	[[ ${#lines[@]} -eq 2 ]]
	run -0 in_ns "$STATE" check
}

@test "detach then attach says whether the rules were kept" {
	local c=${XF_NAME}c
	in_ns ip link add "$c" type veth peer name "${XF_NAME}d"
	in_ns ip link set "$c" up
	attach_filter
	run -0 in_ns "$ATTACH" attach "$c" generic
	run -0 rule add 8080 udp
	run -0 rule policy allow ephemeral 60000-60999
	run -0 rule add 8081 udp
	# another interface still uses the pins: detach keeps them ...
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins kept: 1 interface(s) still run xdp_filter"* ]]
	# ... and attaching again says so, and they apply at once
	run -0 attach_filter
	[[ $output == *"2 rule(s) kept"* ]]
	run -0 rule policy
	[[ $output == "allow stateless ephemeral 60000-60999 dhcp" ]]
	assert_reaches udp 8080
	refute_reaches udp 8082
	# the last detach removes them and says the rules are gone ...
	run -0 in_ns "$ATTACH" detach "$c"
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins removed"*"the rules are gone"* ]]
	# ... and the next attach starts empty and says that
	run -0 attach_filter
	[[ $output == *"no rules yet"* && $output != *"kept"* ]]
	run -0 rule list
	[[ -z $output ]]
	run -0 rule policy
	[[ $output == deny ]]
	assert_reaches udp 8082
}
