#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Rate limits (issue 15) with real traffic: xfspoof (tests/tools/xfspoof.c)
# sends UDP datagrams or TCP SYNs from the peer, from one or many source
# addresses spoofed inside 198.18.0.0/15 (fd00::/8 for IPv6) through raw
# sockets, and counts the datagrams that reach a socket on the filtered end
# per source. A source sending ten times a per-source limit gets the limit
# plus the burst through, another under the limit loses nothing; 10,000
# sources each under the limit lose nothing; an aggregate limit holds over
# all sources together; SYNs beyond a limit never reach the stack, while
# an established connection's segments to the same port keep flowing;
# IPv6 sources share a bucket per /64. The receiver's counts and the rule's
# own counters (list --json: packets, limited) must agree. Each test has
# its control: the same traffic without the limit, or with a grouping that
# shares one bucket, or through a mutant filter whose every TCP segment
# takes a token, behaves otherwise.
#
# No timing is asserted: a limit lets B + N * T packets through in a window
# of T seconds (GCRA, DESIGN.md "Rate limits"), and T is the send window
# xfspoof measured, so the expectation comes from the run itself; counts
# must be within 10% of it (at least 1 packet).

load helpers
load spoof
load mutant

# allowance NAME RATE BURST - what a bucket of RATE/s and BURST lets
# through over the send window of the sender NAME: BURST + RATE * T.
allowance() {
	echo $(($3 + $2 * $(sent "$1" ns) / 1000000000))
}

# within WHAT GOT WANT - GOT is WANT to 10% (at least 1); the numbers go
# to the TAP output either way.
within() {
	local d=$(($2 - $3)) tol=$(($3 / 10))
	((d < 0)) && d=$((-d))
	((tol < 1)) && tol=1
	echo "# $1: $2 through, expected $3 +- $tol" >&3
	((d <= tol)) || { echo "$1: $2, expected $3 +- $tol" >&2; return 1; }
}

# rule_field PORT PROTO FIELD - a field of that rule in list --json.
rule_field() {
	rule list --json | jq -r --argjson p "$1" --arg t "$2" --arg f "$3" \
		'.[] | select(.port == $p and .proto == $t) | .[$f]'
}

# flood NAME PORT SECONDS - source A (198.19.1.1) at 200/s and source B
# (198.19.1.2) at 10/s, UDP, at the same time; receiver NAME counts them.
flood() {
	local a b
	spoof_recv "$1" "$2"
	spoof_send "$1.a" --from 198.19.1.1 --to 198.18.0.1 --port "$2" \
		--rate 200 --seconds "$3" &
	a=$!
	spoof_send "$1.b" --from 198.19.1.2 --to 198.18.0.1 --port "$2" \
		--rate 10 --seconds "$3" &
	b=$!
	wait "$a"
	wait "$b"
	spoof_stop "$1"
	no_loss "$1"
}

@test "per-source: a source at 10x the limit gets the limit plus the burst through, one under it loses nothing" {
	# the control: without the rule, all of it arrives
	flood ctl 9000 2
	[[ $(got ctl 198.19.1.1) == "$(sent ctl.a sent)" ]]
	[[ $(got ctl 198.19.1.2) == "$(sent ctl.b sent)" ]]
	(($(sent ctl.a sent) >= 390))

	run -0 rule add 9000 udp limit 20/s per-source
	flood lim 9000 4
	local a b want
	a=$(got lim 198.19.1.1)
	b=$(got lim 198.19.1.2)
	want=$(allowance lim.a 20 20)
	within "source A through a 20/s burst 20 limit" "$a" "$want"
	[[ $b == "$(sent lim.b sent)" ]] || { echo "source B: $b of $(sent lim.b sent)" >&2; false; }
	# the rule's counters say the same as the receiver
	[[ $(rule_field 9000 udp packets) == $((a + b)) ]]
	[[ $(rule_field 9000 udp limited) == $(($(sent lim.a sent) - a)) ]]
	[[ $(rule_field 9000 udp per_source | jq -c .) == '{"ipv4":32,"ipv6":64}' ]]
	(($(reason_packets limited) == $(sent lim.a sent) - a))
}

@test "per-source: 10,000 sources, each under its limit, lose nothing; grouped by /16 they share one bucket" {
	# 198.19.0.1 .. 198.19.39.16, two datagrams each, a second apart
	local src=(--from 198.19.0.1 --sources 10000 --to 198.18.0.1 --rate 10000 --seconds 2)
	run -0 rule add 9001 udp limit 5/s per-source
	spoof_recv many 9001
	spoof_send many "${src[@]}" --port 9001
	spoof_stop many
	no_loss many
	[[ $(sent many sent) == 20000 ]]
	echo "# 10,000 sources: $(tail -1 "$BATS_TEST_TMPDIR/many.recv")" >&3
	[[ "$(recvd many received) $(recvd many sources) $(recvd many min) $(recvd many max)" == "20000 10000 2 2" ]] ||
		{ tail -1 "$BATS_TEST_TMPDIR/many.recv" >&2; false; }
	[[ $(rule_field 9001 udp packets) == 20000 ]]
	[[ $(rule_field 9001 udp limited) == 0 ]]

	# the control: the same traffic, the sources grouped by /16 (all in
	# 198.19.0.0/16): one bucket for all of them
	run -0 rule add 9002 udp limit 5/s per-source 16
	spoof_recv grouped 9002
	spoof_send grouped "${src[@]}" --port 9002
	spoof_stop grouped
	no_loss grouped
	within "10,000 sources in one /16 bucket" "$(recvd grouped received)" \
		"$(allowance grouped 5 5)"
	[[ $(rule_field 9002 udp limited) == $((20000 - $(recvd grouped received))) ]]
}

@test "aggregate: a limit without per-source holds over all sources together" {
	# 100 sources, 500/s in all: 10x the limit; 5/s each, under it
	local src=(--from 198.19.2.1 --sources 100 --to 198.18.0.1 --port 9003 --rate 500)
	# the control: without the rule, all of it arrives
	spoof_recv ctl 9003
	spoof_send ctl "${src[@]}" --seconds 2
	spoof_stop ctl
	no_loss ctl
	[[ $(recvd ctl received) == "$(sent ctl sent)" && $(recvd ctl sources) == 100 ]]

	run -0 rule add 9003 udp limit 50/s
	[[ $(rule_field 9003 udp per_source) == null && $(rule_field 9003 udp limit) == 50 ]]
	spoof_recv agg 9003
	spoof_send agg "${src[@]}" --seconds 4
	spoof_stop agg
	no_loss agg
	within "100 sources through one 50/s burst 50 bucket" \
		"$(recvd agg received)" "$(allowance agg 50 50)"
	# one bucket for all: no source got its own 50 through
	(($(recvd agg max) < 50))
	[[ $(rule_field 9003 udp packets) == "$(recvd agg received)" ]]
	[[ $(rule_field 9003 udp limited) == $(($(sent agg sent) - $(recvd agg received))) ]]
}

# syn_counter - an nftables ingress chain on the filtered end, after XDP:
# it counts the SYNs (SYN without ACK) to port 22 that reach the stack,
# per source (198.19.3.1 and 198.19.3.2).
syn_counter() {
	in_ns nft -f - <<-NFT
		table netdev xfsyn {
			chain in {
				type filter hook ingress device "$XF_A" priority 0;
				ip saddr 198.19.3.1 tcp dport 22 tcp flags & (syn | ack) == syn counter
				ip saddr 198.19.3.2 tcp dport 22 tcp flags & (syn | ack) == syn counter
			}
		}
	NFT
}

# syns SOURCE - SYNs from SOURCE the stack received so far.
syns() {
	in_ns nft -j list chain netdev xfsyn in | jq --arg s "$1" \
		'[.nftables[].rule? // empty | select(.expr[0].match.right == $s) |
		  .expr[] | .counter? // empty | .packets] | add'
}

# syn_flood NAME SECONDS - SYNs to port 22, source A (198.19.3.1) at 50/s
# (each a new source port) and source B (198.19.3.2) at 2/s.
syn_flood() {
	local a b
	spoof_send "$1.a" --syn --from 198.19.3.1 --to 198.18.0.1 --port 22 \
		--rate 50 --seconds "$2" &
	a=$!
	spoof_send "$1.b" --syn --from 198.19.3.2 --to 198.18.0.1 --port 22 \
		--rate 2 --seconds "$2" &
	b=$!
	wait "$a"
	wait "$b"
	sleep 0.5		# the last ones on the way
}

@test "TCP: SYNs beyond a per-source limit never reach the stack; a source under it loses none" {
	syn_counter
	# the control: without the rule, every SYN reaches the stack
	syn_flood ctl 2
	[[ $(syns 198.19.3.1) == "$(sent ctl.a sent)" && $(syns 198.19.3.2) == "$(sent ctl.b sent)" ]] ||
		{ echo "control: $(syns 198.19.3.1)/$(sent ctl.a sent), $(syns 198.19.3.2)/$(sent ctl.b sent)" >&2; false; }

	local a0 b0 a b
	a0=$(syns 198.19.3.1)
	b0=$(syns 198.19.3.2)
	run -0 rule add 22 tcp limit 5/s per-source
	syn_flood lim 5
	a=$(($(syns 198.19.3.1) - a0))
	b=$(($(syns 198.19.3.2) - b0))
	within "SYNs of source A through 5/s burst 5" "$a" "$(allowance lim.a 5 5)"
	[[ $b == "$(sent lim.b sent)" ]] || { echo "source B: $b SYNs of $(sent lim.b sent)" >&2; false; }
	# the spoofed sources answer nothing: the rule saw only the SYNs
	[[ $(rule_field 22 tcp packets) == $((a + b)) ]]
	[[ $(rule_field 22 tcp limited) == $(($(sent lim.a sent) - a)) ]]
}

# established POLICY - with 22 tcp limited per source, the peer connects
# to the filtered end's port 22 and says hello (says, helpers.bash), then
# floods the port with SYNs from its own address (400x the limit) until
# the test ends: returns once its bucket is empty (SYNs are being
# limited), L0 the rule's limited count then.
established() {
	local i
	says_init
	run -0 rule add 22 tcp limit 5/s per-source
	run -0 rule policy "$@"
	in_ns timeout 60 nc -l 198.18.0.1 22 >"$OUT" 2>/dev/null 3>&- &
	for ((i = 0; i < 100; i++)); do
		in_ns ss -Hltn "sport = :22" | grep -q . && break
		sleep 0.05
	done
	# shellcheck disable=SC2016 # $1 expands in that shell
	on_peer sh -c 'tail -f "$1" | timeout 60 nc 198.18.0.1 22 >/dev/null' sh "$IN" 3>&- &
	says hello
	spoof_send flood --syn --from 198.18.0.2 --to 198.18.0.1 --port 22 \
		--rate 2000 --seconds 40 &
	FLOOD=$!
	for ((i = 0; i < 100; i++)); do
		L0=$(rule_field 22 tcp limited)
		((L0 > 0)) && return 0
		sleep 0.05
	done
	echo "the flood's SYNs were not limited" >&2
	return 1
}

# words - the peer says four words over its connection while its SYNs are
# limited: each arrives, and the flood was on and limited all along.
words() {
	local w l1
	for w in one two three four; do
		says "$w"
		sleep 0.2
	done
	l1=$(rule_field 22 tcp limited)
	kill -0 "$FLOOD"
	((l1 > L0)) || { echo "limited stayed at $L0 while the words went through" >&2; false; }
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/flood.pid")"
	wait "$FLOOD" || true
}

@test "TCP: an established connection's segments flow to a port whose SYNs from the same source are limited (deny policy)" {
	established deny
	words
}

@test "TCP: an established connection's segments flow to a port whose SYNs from the same source are limited (stateful allow policy)" {
	established allow
	words
}

@test "the control: if every TCP segment took a token, the established connection would stall under the flood" {
	[[ $XF_IMPL == c ]] || skip "a mutation of the C source"
	local dir=$BATS_TEST_TMPDIR/alltcp
	build_mutant "$dir/alltcp.o" xdp_filter.c \
		's/if (pkt->l4 == IPPROTO_TCP \&\& !pkt->new_flow) {/if (0) {/'
	run -0 in_ns "$ATTACH" detach "$XF_A"
	OBJ=$dir/alltcp.o attach_filter >/dev/null
	established deny
	# each segment now needs a token the flood almost always takes first;
	# one may slip through now and then (a retransmission just after a
	# refill), all four words never do
	local w stalled=0
	for w in one two three four; do
		run says "$w"
		((status == 0)) || { stalled=1; break; }
	done
	((stalled))
}

# flood6 NAME SECONDS - two sources in fd00:1::/64 at 100/s each and one
# in fd00:2::/64 at 10/s, UDP to port 9004; receiver NAME counts them.
flood6() {
	local a c
	spoof_recv "$1" 9004 6
	spoof_send "$1.a" -6 --from fd00:1::1 --sources 2 --to fd00::1 --port 9004 \
		--rate 200 --seconds "$2" &
	a=$!
	spoof_send "$1.c" -6 --from fd00:2::1 --to fd00::1 --port 9004 \
		--rate 10 --seconds "$2" &
	c=$!
	wait "$a"
	wait "$c"
	spoof_stop "$1"
	no_loss "$1"
}

@test "IPv6: per-source buckets group sources by /64 by default" {
	local a b
	# the control: without the rule, all of it arrives
	flood6 ctl 1
	[[ $(($(got ctl fd00:1::1) + $(got ctl fd00:1::2))) == "$(sent ctl.a sent)" ]]
	[[ $(got ctl fd00:2::1) == "$(sent ctl.c sent)" ]]

	run -0 rule add 9004 udp limit 20/s per-source
	flood6 six 3
	a=$(got six fd00:1::1)
	b=$(got six fd00:1::2)
	within "two sources of one /64 through one 20/s bucket" $((a + b)) \
		"$(allowance six.a 20 20)"
	[[ $(got six fd00:2::1) == "$(sent six.c sent)" ]]
	[[ $(rule_field 9004 udp limited) == $(($(sent six.a sent) - a - b)) ]]
}
