# SPDX-License-Identifier: GPL-2.0
# spoof.bash - xfspoof (tests/tools/xfspoof.c) in the bats suites that
# send from many source addresses (64-limits, 59-sets): their setup and
# teardown, its receiver on the filtered end, its sender on the peer, and
# their counts. Needs helpers.bash loaded first.

SPOOF=$B/xfspoof

# The suites' setup_file, setup and teardown: the filter and the tool built;
# each test in its namespaces with the filter attached, ready for spoofed
# sources; the namespaces gone after it.
setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" "$SPOOF" >&3
}

setup() {
	ns_setup
	# The spoofed sources are on the veth's side: a route back keeps
	# the reverse-path filter quiet (and is where TCP's answers go).
	in_ns ip route add 198.18.0.0/15 dev "$XF_A"
	in_ns ip -6 route add fd00::/8 dev "$XF_A"
	# neighbours resolved before the first timed packet
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null
	on_peer ping -6 -c 1 -W 2 fd00::1 >/dev/null
	attach_filter >/dev/null
}

teardown() {
	ns_teardown
}

# spoof_recv NAME PORT [FAMILY] - xfspoof's receiver on the filtered end,
# in the background (80 s at most), ready when this returns; its per-source
# lines and summary go to $BATS_TEST_TMPDIR/NAME.recv.
spoof_recv() {
	local ready=$BATS_TEST_TMPDIR/$1.ready i
	in_ns timeout 90 "$SPOOF" recv "-${3:-4}" --list --seconds 80 \
		--ready "$ready" "$(addr_of "${3:-4}" a)" "$2" \
		>"$BATS_TEST_TMPDIR/$1.recv" 3>&- &
	for ((i = 0; i < 100; i++)); do
		[[ -s $ready ]] && return 0
		sleep 0.05
	done
	echo "receiver $1 did not start" >&2
	return 1
}

# spoof_stop NAME - ends the receiver (after half a second for datagrams
# still on the way) and waits (bounded) for its summary.
spoof_stop() {
	local out=$BATS_TEST_TMPDIR/$1.recv i
	sleep 0.5
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/$1.ready")" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		grep -q '^received ' "$out" && return 0
		sleep 0.05
	done
	echo "receiver $1 gave no summary" >&2
	return 1
}

# spoof_send NAME ARG... - xfspoof send on the peer, to the filtered end;
# "sent N ns NS sources M" goes to $BATS_TEST_TMPDIR/NAME.send, the pid of
# its timeout(1) (which passes a SIGTERM on) to NAME.pid.
spoof_send() {
	local name=$1
	shift
	# shellcheck disable=SC2016 # $1 and $2 expand in that shell
	on_peer sh -c 'echo $$ >"$1"; shift; exec timeout 90 "$@"' sh \
		"$BATS_TEST_TMPDIR/$name.pid" "$SPOOF" send "$@" \
		>"$BATS_TEST_TMPDIR/$name.send" 3>&-
}

# got NAME SOURCE - datagrams the receiver NAME counted from SOURCE.
got() {
	awk -v s="$2" '$1 == "source" && $2 == s { n = $3 } END { print n + 0 }' \
		"$BATS_TEST_TMPDIR/$1.recv"
}

# recvd NAME FIELD, sent NAME FIELD - a number of a summary line.
recvd() { field "$BATS_TEST_TMPDIR/$1.recv" "$2"; }
sent() { field "$BATS_TEST_TMPDIR/$1.send" "$2"; }

# no_loss NAME - the receiver lost nothing itself (socket queue, table).
no_loss() {
	[[ $(recvd "$1" socket_drops) == 0 && $(recvd "$1" overflow) == 0 ]] ||
		{ echo "receiver $1: $(tail -1 "$BATS_TEST_TMPDIR/$1.recv")" >&2; return 1; }
}

