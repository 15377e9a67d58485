#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# apply is atomic under live traffic: a packet sees the old rule set or the
# new one, never a mix. Two files that differ in everything (policy, the
# rules of two ports, a thousand fillers, prefix rules) are applied in turn
# while the peer sends two bounded, sequence-numbered UDP streams
# (tests/tools/sequdp.c, 20,000 datagrams each at 4,000 a second):
#
#   A: policy deny, "X udp"             X drops (its rule), Y passes (no rule)
#   B: policy allow, "Y udp from PEER"  X drops (unlisted), Y passes (its rule)
#
# Both sets drop X and pass Y, and every mix of one set's policy or settings
# with the other's rules does not: A's deny without A's rules passes X, B's
# allow without B's rules drops Y (as does B's prefix rule under A's deny).
# So every X datagram at its receiver, and every Y datagram missing at its
# receiver, is a packet that saw a mixed set; both must be 0.

load helpers

N=20000			# datagrams a stream
# shellcheck disable=SC2034 # read by send() in helpers.bash
RATE=4000		# a second: 5 s a stream (send, in helpers.bash)
X=9999			# dropped by both sets
Y=9000			# passed by both sets
SPORT_X=5001
SPORT_Y=5002
MIN_APPLIES=20		# about 10 a second even on a slow VM

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" "$B/sequdp" >&3
}

setup() {
	ns_setup
	attach_filter native
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
}

teardown() {
	ns_teardown
}

@test "apply under live traffic: every packet sees the old set or the new one, never a mix" {
	local a=$BATS_TEST_TMPDIR/A.rules b=$BATS_TEST_TMPDIR/B.rules f=$BATS_TEST_TMPDIR p
	{
		echo "# set A: deny, X has a rule, Y none"
		echo "policy deny"
		echo "$X udp"
		for ((p = 20000; p < 21000; p++)); do echo "$p udp"; done
		echo "30000-30999 tcp"
		echo "any from 10.1.0.0/16"
		echo "8000 tcp from 2001:db8:a::/48"
	} >"$a"
	{
		echo "# set B: allow, Y has a rule (from the peer's prefix), X none"
		echo "policy allow stateless ephemeral 40000-50000 dhcp"
		echo "$Y udp from 198.18.0.0/15"
		for ((p = 21000; p < 22000; p++)); do echo "$p udp"; done
		echo "31000-31999 tcp src"
		echo "any from 10.2.0.0/16"
		echo "8000 tcp from 2001:db8:b::/48"
	} >"$b"
	run -0 rule apply "$a" --check
	[[ $output == "$a: 1004 rules, policy deny" ]]
	run -0 rule apply "$b" --check
	[[ $output == "$b: 1004 rules, policy allow stateless ephemeral 40000-50000 dhcp" ]]
	run -0 rule apply "$a"
	# each set alone drops X and passes Y
	refute_reaches udp "$X"
	assert_reaches udp "$Y"
	run -0 rule apply "$b"
	[[ $output == "$b: applied: 1004 added, 1004 deleted, 0 unchanged; policy allow stateless ephemeral 40000-50000 dhcp" ]]
	refute_reaches udp "$X"
	assert_reaches udp "$Y"
	run -0 rule apply "$a"
	run -0 rule stats --json
	local before=$output

	recv x "$X"
	local rx=$!
	recv y "$Y"
	local ry=$!
	send x "$X" "$SPORT_X"
	local sx=$!
	send y "$Y" "$SPORT_Y"
	local sy=$!
	# A, B, A, B, ... until the streams are over (bounded: 120 s, 5000
	# applies); every apply must succeed.
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_ns timeout 120 bash -c '
		stop=$1 out=$2 rule=$3 a=$4 b=$5 n=0 failed=0
		while [[ ! -e $stop ]] && ((n < 5000)); do
			file=$b; ((n % 2)) && file=$a
			if "$rule" apply "$file" >/dev/null; then
				n=$((n + 1))
			else
				failed=$((failed + 1)); break
			fi
		done
		echo "applies $n failed $failed" >"$out"
	' applies "$f/stop" "$f/applies" "$RULE" "$a" "$b" 3>&- &
	local ap=$!
	wait "$sx"
	wait "$sy"
	wait "$ry"		# every datagram in, or its 30 s are up
	touch "$f/stop"
	wait "$ap"
	stop_recv x
	wait "$rx"

	local applies mixed
	applies=$(field "$f/applies" applies)
	mixed=$(($(field "$f/x.recv" received) + $(field "$f/y.recv" missing)))
	echo "# X (dropped by both sets): $(cat "$f/x.send"), $(cat "$f/x.recv")" >&3
	echo "# Y (passed by both sets): $(cat "$f/y.send"), $(cat "$f/y.recv")" >&3
	echo "# applies during traffic: $applies, mixed-set packets: $mixed" >&3
	[[ $(cat "$f/x.send") == "sent $N" && $(cat "$f/y.send") == "sent $N" ]]
	[[ $(field "$f/applies" failed) == 0 ]]
	((applies >= MIN_APPLIES))
	[[ $(cat "$f/x.recv") == "received 0 missing $N duplicates 0 foreign 0 socket_drops 0" ]]
	[[ $(cat "$f/y.recv") == "received $N missing 0 duplicates 0 foreign 0 socket_drops 0" ]]
	((mixed == 0))

	# The filter's counters agree: each X datagram was dropped by A's rule
	# or by B's policy, and both happened; no Y datagram (nor anything
	# else) was dropped; each Y datagram passed, without a rule (A) or
	# by B's rule.
	run -0 rule stats --json
	local after=$output
	delta() {
		jq -n --argjson a "$after" --argjson b "$before" \
			"\$a.$1.packets - \$b.$1.packets"
	}
	local dropped policy passed allowed
	dropped=$(delta dropped)
	policy=$(delta policy)
	passed=$(delta passed)
	allowed=$(delta allowed)
	echo "# X dropped by A's rule $dropped, by B's policy $policy; Y passed under A $passed, allowed by B's rule $allowed" >&3
	((dropped + policy == N))
	((dropped > 0 && policy > 0))
	((allowed > 0 && passed > 0))
	((passed + allowed >= N))
	[[ $(delta malformed) == 0 ]]

	# The set that ended active is whole, and the other one is gone.
	run -0 rule list
	[[ ${#lines[@]} -eq 1004 ]]
	run -0 rule save
	local last=$a
	((applies % 2)) && last=$b
	diff <(grep -v '^#' "$last" | sort) <(grep -v '^#' <<<"$output" | sort)
}
