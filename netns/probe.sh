#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# probe.sh - does traffic from the peer namespace reach us? Starts an nc
# listener on ADDR PORT in the current namespace, sends a message (or a
# file) to it with nc from network namespace NETNS, and waits a bounded time
# for it to arrive. The demo and the tests use it. Every nc runs under
# timeout, and the listener is killed on exit.
set -euo pipefail

readonly PROG=${0##*/}
WAIT=5
FAM=4
FILE=
MSG=
SPORT=
COUNT=0

usage() {
	cat <<USAGE
usage: $PROG [-4|-6] [-w SECONDS] [-m MESSAGE | -f FILE] [-s SPORT] [-c] NETNS tcp|udp ADDR PORT
Sends a unique message (or MESSAGE, or FILE as one datagram for udp) from NETNS to
ADDR PORT and waits up to SECONDS (default 5) for it to arrive here.
-s sends from source port SPORT. Prints what arrived (with -c: the number
of bytes). Exit status: 0 it
arrived, 1 it did not, 2 bad usage.
USAGE
}

bad() { printf '%s: %s\n' "$PROG" "$*" >&2; usage >&2; exit 2; }

listen_flag() { [[ $1 == udp ]] && echo -Hlnu || echo -Hlnt; }

main() {
	local opt
	while getopts 46w:f:m:s:ch opt; do
		case $opt in
		4 | 6) FAM=$opt ;;
		w) [[ $OPTARG =~ ^[1-9][0-9]?$ ]] || bad "bad wait '$OPTARG' (1-99 seconds)"; WAIT=$OPTARG ;;
		f) [[ -r $OPTARG ]] || bad "cannot read '$OPTARG'"; FILE=$OPTARG ;;
		m) MSG=$OPTARG ;;
		s) [[ $OPTARG =~ ^[0-9]+$ && $OPTARG -ge 1 && $OPTARG -le 65535 ]] ||
			bad "bad source port '$OPTARG'"
			SPORT=$OPTARG ;;
		c) COUNT=1 ;;
		h) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[[ $# -eq 4 ]] || bad "expected NETNS tcp|udp ADDR PORT"
	local ns=$1 proto=$2 addr=$3 port=$4
	[[ $proto == tcp || $proto == udp ]] || bad "bad protocol '$proto' (expected tcp or udp)"
	[[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]] || bad "bad port '$port'"

	local tmp out msg srv i uflag=() lflag sflag=()
	tmp=$(mktemp -d)
	out=$tmp/recv
	: >"$out"
	if [[ -z $FILE ]]; then
		msg=${MSG:-"xf-probe-$$-$RANDOM$RANDOM"}
		echo "$msg" >"$tmp/send"
		FILE=$tmp/send
	fi
	[[ $proto == udp ]] && uflag=(-u -W 1)	# udp: stop after one datagram
	[[ -n $SPORT ]] && sflag=(-p "$SPORT")
	timeout $((WAIT + 5)) nc "-$FAM" "${uflag[@]}" -l "$addr" "$port" >"$out" 2>/dev/null &
	srv=$!
	# shellcheck disable=SC2064 # expand now: the values are fixed
	trap "kill $srv 2>/dev/null || true; wait $srv 2>/dev/null || true; rm -rf '$tmp'" EXIT
	lflag=$(listen_flag "$proto")
	for ((i = 0; i < 100; i++)); do
		ss "$lflag" "sport = :$port" | grep -q . && break
		sleep 0.05
	done
	if [[ $proto == tcp ]]; then
		ip netns exec "$ns" timeout $((WAIT + 2)) nc "-$FAM" "${sflag[@]}" -N -w "$WAIT" "$addr" "$port" \
			<"$FILE" >/dev/null 2>&1 || true
	else
		ip netns exec "$ns" timeout 3 nc "-$FAM" "${sflag[@]}" -u -w 1 "$addr" "$port" \
			<"$FILE" >/dev/null 2>&1 || true
	fi
	local want
	want=$(wc -c <"$FILE")
	for ((i = 0; i < WAIT * 20; i++)); do
		[[ $(wc -c <"$out") -ge $want ]] && break
		sleep 0.05
	done
	if ((COUNT)); then
		wc -c <"$out"
	else
		cat "$out"
	fi
	cmp -s "$FILE" "$out"
}

main "$@"
