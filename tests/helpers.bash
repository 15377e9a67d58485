# SPDX-License-Identifier: GPL-2.0
# helpers.bash - shared setup for the bats suites.
#
# Isolation: a test that needs the kernel gets its own "holder", a process
# started with `unshare -nm` that mounts a fresh sysfs, bpffs and a private
# /run/netns, then sleeps. Every command of the test that touches the kernel
# runs inside it through `in_ns` (nsenter into its network and mount
# namespaces), so `bats tests/` from a root shell never sees or changes the
# host's interfaces, XDP programs or pins. The filtered veth end stays in the
# holder's namespace; only the traffic peer goes into `ip netns` (ip netns
# exec remounts /sys, which would hide the bpffs). teardown kills every
# process in those namespaces, and the namespaces, veth pairs and pins go
# with them, even when the test failed half-way.

bats_require_minimum_version 1.5.0

XF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$XF_ROOT/build}
RULE=$XF_ROOT/scripts/rule.sh
ATTACH=$XF_ROOT/scripts/attach.sh
TOPO=$XF_ROOT/netns/topo.sh
PROBE=$XF_ROOT/netns/probe.sh
# XF_IMPL=c|rust picks the implementation under test (tests/run.sh runs the
# traffic and verdict suites once for each); XF_OBJ names any other object.
XF_IMPL=${XF_IMPL:-c}
case $XF_IMPL in
rust) OBJ=$B/xdp_filter_rs.o ;;
*) OBJ=$B/xdp_filter.o ;;
esac
OBJ=${XF_OBJ:-$OBJ}
export B

require_root() {
	[[ $EUID -eq 0 ]] || skip "needs root"
}

# canonical_forms - for each line "RULE|WANT" of standard input, check-rule
# RULE prints WANT (no kernel needed).
canonical_forms() {
	local rule want
	while IFS='|' read -r rule want; do
		# shellcheck disable=SC2086 # the rule's words
		run -0 "$B/rulectl" check-rule $rule
		# shellcheck disable=SC2154 # bats' run sets output
		[[ $output == "$want" ]] || { echo "'$rule' -> '$output', want '$want'"; return 1; }
	done
}

# Starts the holder and makes the topology: filtered end $XF_A (198.18.0.1,
# fd00::1) here, peer $XF_B (198.18.0.2, fd00::2) in netns $XF_P.
ns_setup() {
	require_root
	local ready=$BATS_TEST_TMPDIR/holder.ready i

	XF_NAME=xf${BATS_SUITE_TEST_NUMBER:-$$}
	XF_A=${XF_NAME}a
	# shellcheck disable=SC2034 # XF_B is for the .bats files
	XF_B=${XF_NAME}b
	XF_P=${XF_NAME}p
	# The holder outlives nothing: it sleeps 30 minutes at most.
	# shellcheck disable=SC2016 # $1 expands in the holder's shell
	"$XF_ROOT/netns/private.sh" bash -c 'touch "$1" && exec sleep 1800' \
		holder "$ready" 3>&- &
	XF_HOLDER=$!
	for ((i = 0; i < 200; i++)); do
		[[ -e $ready ]] && break
		kill -0 "$XF_HOLDER" 2>/dev/null || break
		sleep 0.05
	done
	[[ -e $ready ]] || { echo "holder namespace did not start" >&2; return 1; }
	in_ns "$TOPO" up "$XF_NAME"
}

ns_teardown() {
	[[ -n ${XF_HOLDER-} ]] || return 0
	local holder_net pid
	holder_net=$(readlink "/proc/$XF_HOLDER/ns/net" 2>/dev/null) || true
	local peer_net
	peer_net=$(in_ns ip netns exec "$XF_P" readlink /proc/self/ns/net 2>/dev/null) || true
	# Anything left in the test's namespaces (listeners, clients) goes first.
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		[[ $pid == "$XF_HOLDER" ]] && continue
		case $(readlink "/proc/$pid/ns/net" 2>/dev/null) in
		"") ;;
		"$holder_net" | "$peer_net") kill -9 "$pid" 2>/dev/null || true ;;
		esac
	done
	kill -9 "$XF_HOLDER" 2>/dev/null || true
	wait "$XF_HOLDER" 2>/dev/null || true
	XF_HOLDER=
}

# Runs a command inside the test's private network and mount namespaces.
in_ns() {
	nsenter -t "$XF_HOLDER" -n -m -- "$@"
}

# Runs a command on the traffic peer.
on_peer() {
	in_ns ip netns exec "$XF_P" "$@"
}

rule() {
	in_ns "$RULE" "$@"
}

# attach_filter [native|generic] - attach $OBJ to the filtered end, and
# check that it is $OBJ (the implementation under test) that got attached.
attach_filter() {
	local out
	out=$(OBJ=$OBJ in_ns "$ATTACH" attach "$XF_A" "${1-}") || { echo "$out"; return 1; }
	echo "$out"
	[[ $out == *"object: $OBJ"* ]] || { echo "attached another object than $OBJ" >&2; return 1; }
}

addr_of() {			# addr_of 4|6 a|b
	if [[ $1 == 4 ]]; then
		[[ $2 == a ]] && echo 198.18.0.1 || echo 198.18.0.2
	else
		[[ $2 == a ]] && echo fd00::1 || echo fd00::2
	fi
}

# try_reach PROTO PORT [FAMILY] [WAIT] - the peer sends a unique message to
# the filtered end; succeeds when it arrived within WAIT seconds (a bounded
# wait for an event, not a timing assertion).
try_reach() {
	in_ns "$PROBE" "-${3:-4}" -w "${4:-5}" "$XF_P" "$1" "$(addr_of "${3:-4}" a)" "$2" >/dev/null
}

# try_reach_from SPORT PROTO PORT [FAMILY] [WAIT] - the same, sent from
# source port SPORT.
try_reach_from() {
	in_ns "$PROBE" "-${4:-4}" -w "${5:-5}" -s "$1" "$XF_P" "$2" "$(addr_of "${4:-4}" a)" "$3" >/dev/null
}

# peer_reply PROTO PORT [FAMILY] - the other direction: the host behind the
# filter opens a TCP connection to the peer, or sends a UDP request that the
# peer answers; succeeds when the answer came back through the filter.
peer_reply() {
	local proto=$1 port=$2 fam=${3:-4} dst out uflag=() i srv
	dst=$(addr_of "$fam" b)
	out=$BATS_TEST_TMPDIR/reply.$proto.$port
	[[ $proto == udp ]] && uflag=(-u)
	# the peer answers whatever arrives first with "pong"
	on_peer sh -c 'echo pong | timeout 8 nc "$@" >/dev/null 2>&1' sh \
		"-$fam" "${uflag[@]}" -l "$dst" "$port" 3>&- &
	srv=$!
	for ((i = 0; i < 100; i++)); do
		on_peer ss -Hln "sport = :$port" | grep -q . && break
		sleep 0.05
	done
	echo ping | in_ns timeout 5 nc "-$fam" "${uflag[@]}" -w 2 "$dst" "$port" >"$out" 2>/dev/null || true
	# a UDP listener never sees an end: stop it (timeout passes the
	# signal on to nc) rather than wait out its 8 s
	pkill -TERM -P "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	grep -q pong "$out"
}

assert_reaches() {
	try_reach "$@" || { echo "expected $1/$2 (IPv${3:-4}) to get through, it did not" >&2; return 1; }
}

# A drop is proven by absence over a bounded wait: on a veth pair a packet
# that passes arrives within milliseconds, so one second is ample.
refute_reaches() {
	! try_reach "$1" "$2" "${3:-4}" 1 || { echo "expected $1/$2 (IPv${3:-4}) to be dropped, it got through" >&2; return 1; }
}

# rule_packets PORT PROTO - packets counted by that rule ("" if no rule).
rule_packets() {
	rule list --json | jq -r --argjson p "$1" --arg t "$2" \
		'.[] | select(.port == $p and .proto == $t) | .packets'
}

# reason_packets REASON - packets counted under that verdict reason.
reason_packets() {
	rule stats --json | jq -r --arg r "$1" '.[$r].packets'
}

# wait_packets PORT PROTO N - until that rule has counted N packets (a
# bounded wait: 5 s), then checks it is exactly N.
wait_packets() {
	local i got
	for ((i = 0; i < 50; i++)); do
		got=$(rule_packets "$1" "$2")
		[[ $got -ge $3 ]] && break
		sleep 0.1
	done
	[[ $got == "$3" ]] || { echo "rule $1 $2 counted '$got' packets, expected $3" >&2; return 1; }
}

# A conversation over one TCP connection from the peer to the filtered end,
# which the suite opens (either side may listen): the peer's nc sends what
# is appended to $IN (through tail -f), the filtered end's writes what
# arrives to $OUT. says_init makes both files, empty; says WORD has the
# peer send WORD and waits (3 s at most) until it has arrived.
says_init() {
	IN=$BATS_TEST_TMPDIR/peer.in
	OUT=$BATS_TEST_TMPDIR/host.out
	: >"$IN"
	: >"$OUT"
}

says() {
	local i
	echo "$1" >>"$IN"
	for ((i = 0; i < 60; i++)); do
		grep -qx "$1" "$OUT" && return 0
		sleep 0.05
	done
	echo "'$1' did not arrive; got: $(tr '\n' ' ' <"$OUT")" >&2
	return 1
}

# Sequence-numbered UDP streams (tests/tools/sequdp.c) from the peer to
# 198.18.0.1, N datagrams at RATE a second (the caller sets N and RATE).
# recv NAME PORT: a receiver in the background, ready when this returns;
# its summary goes to $BATS_TEST_TMPDIR/NAME.recv.
recv() {
	local ready=$BATS_TEST_TMPDIR/$1.ready i
	in_ns timeout 60 "$B/sequdp" recv -r "$ready" 198.18.0.1 "$2" "$N" 30 \
		>"$BATS_TEST_TMPDIR/$1.recv" 3>&- &
	for ((i = 0; i < 100; i++)); do
		[[ -e $ready ]] && return 0
		sleep 0.05
	done
	echo "receiver $1 did not start" >&2
	return 1
}

# stop_recv NAME: ends a receiver that waits for datagrams that never come
# (after half a second for any still on the way); it prints its summary.
# One whose 30 s are up has ended already.
stop_recv() {
	sleep 0.5
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/$1.ready")" 2>/dev/null || true
}

# send NAME PORT SPORT: the peer's stream in the background; "sent N" goes
# to $BATS_TEST_TMPDIR/NAME.send.
send() {
	on_peer timeout 60 "$B/sequdp" send -s "$3" 198.18.0.1 "$2" "$N" "$RATE" \
		>"$BATS_TEST_TMPDIR/$1.send" 3>&- &
}

# field FILE NAME: the number after NAME in FILE.
field() {
	sed -nE "s/.*\\<$2 ([0-9]+).*/\\1/p" "$1"
}
