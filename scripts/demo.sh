#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo.sh - `make demo`: shows the filter dropping real traffic between two
# network namespaces, then cleans up. It runs in private network and mount
# namespaces with its own bpffs, so the host's interfaces, XDP programs and
# pins are never touched, and everything it made disappears with it.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
readonly NAME=xfdemo
readonly A=${NAME}a PEER=${NAME}p DST=198.18.0.1

usage() {
	cat <<USAGE
usage: $PROG [-h|--help]
Builds nothing itself (make demo builds first). Makes two namespaces joined
by a veth pair, attaches xdp_filter to one end, and shows TCP and UDP
traffic passing, a rule blocking one port, and the counters. Needs root.
USAGE
}

if [[ -t 1 ]]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# probe PROTO PORT - one nc message from the peer, reported in plain words.
probe() {
	local got
	local msg="hello $1 $2"
	printf '$ echo "%s" | nc%s %s %s   (from netns %s)\n' "$msg" \
		"$([[ $1 == udp ]] && echo ' -u')" "$DST" "$2" "$PEER"
	if got=$(netns/probe.sh -w 3 -m "$msg" "$PEER" "$1" "$DST" "$2"); then
		printf '   -> arrived: %s\n' "$got"
	else
		printf '   -> did NOT arrive (dropped by xdp_filter)\n'
	fi
}

inner() {
	cd "$ROOT"

	step "Two hosts: $A ($DST, here) <-> ${NAME}b (198.18.0.2, netns $PEER)"
	run netns/topo.sh up "$NAME"
	step "Attach the filter to $A"
	run scripts/attach.sh attach "$A"
	step "With no rules, traffic passes"
	probe tcp 8080
	probe udp 8080
	step "Drop TCP to port 8080"
	run scripts/rule.sh add 8080 tcp
	run scripts/rule.sh list
	step "TCP 8080 is dropped at XDP; port 8081 and UDP 8080 still pass"
	probe tcp 8080
	probe tcp 8081
	probe udp 8080
	step "Counters: per rule (port proto packets bytes) and per reason"
	run scripts/rule.sh list
	run scripts/rule.sh stats
	step "Delete the rule: TCP 8080 passes again"
	run scripts/rule.sh del 8080 tcp
	probe tcp 8080
	step "Detach and clean up"
	run scripts/attach.sh detach "$A"
	netns/topo.sh down "$NAME"
	printf '\nDemo done: nothing was left behind on this host.\n'
}

main() {
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	--inner) inner; exit ;;
	"") ;;
	*) printf "%s: unknown argument '%s'\n" "$PROG" "$1" >&2; usage >&2; exit 2 ;;
	esac
	[[ $EUID -eq 0 ]] || { echo "$PROG: needs root (it makes namespaces and attaches XDP)" >&2; exit 1; }
	[[ -x $ROOT/build/rulectl && -r $ROOT/build/xdp_filter.o ]] ||
		{ echo "$PROG: not built (run make demo, or make first)" >&2; exit 1; }
	exec "$ROOT/netns/private.sh" "$0" --inner
}

main "$@"
