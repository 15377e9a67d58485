#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# topo.sh - build or tear down the two-host test topology: a veth pair whose
# filtered end NAMEa stays in the current network namespace and whose peer
# NAMEb lives in the network namespace NAMEp. Used by the demo, the tests and
# the benchmarks. Addresses come from ranges that are never routed: the
# benchmarking range 198.18.0.0/15 and fd00::/8.
#
#   NAMEa  198.18.N.1/24  fd00:0:0:N::1/64   (current namespace, gets XDP)
#   NAMEb  198.18.N.2/24  fd00:0:0:N::2/64   (namespace NAMEp)
set -euo pipefail

readonly PROG=${0##*/}

usage() {
	cat <<USAGE
usage: $PROG up NAME [N]    create NAMEa <-> NAMEb (in netns NAMEp), subnet N (0-255)
       $PROG down NAME      remove them (no error if already gone)
       $PROG -h | --help
NAME is 1-12 characters [A-Za-z0-9_-], so the interface names fit in 15.
USAGE
}

bad() { printf '%s: %s\n' "$PROG" "$*" >&2; usage >&2; exit 2; }

check_name() {
	[[ $1 =~ ^[A-Za-z0-9_-]{1,12}$ ]] || bad "bad name '$1'"
}

up() {
	local name=$1 n=$2
	local a=${name}a b=${name}b ns=${name}p

	ip netns add "$ns"
	ip link add "$a" type veth peer name "$b"
	ip link set "$b" netns "$ns"
	ip addr add "198.18.$n.1/24" dev "$a"
	ip addr add "fd00:0:0:$n::1/64" dev "$a" nodad
	ip link set "$a" up
	ip netns exec "$ns" sh -e -c "
		ip link set lo up
		ip addr add 198.18.$n.2/24 dev $b
		ip addr add fd00:0:0:$n::2/64 dev $b nodad
		ip link set $b up"
}

down() {
	local name=$1

	ip link del "${name}a" 2>/dev/null || true
	ip netns del "${name}p" 2>/dev/null || true
}

main() {
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	up)
		[[ $# -ge 2 && $# -le 3 ]] || bad "up needs NAME [N]"
		check_name "$2"
		[[ ${3-0} =~ ^[0-9]{1,3}$ && ${3-0} -le 255 ]] ||
			bad "bad subnet '${3-}' (expected 0-255)"
		[[ $EUID -eq 0 ]] || { echo "$PROG: needs root" >&2; exit 1; }
		up "$2" "$((10#${3-0}))"
		;;
	down)
		[[ $# -eq 2 ]] || bad "down needs NAME"
		check_name "$2"
		[[ $EUID -eq 0 ]] || { echo "$PROG: needs root" >&2; exit 1; }
		down "$2"
		;;
	*) bad "unknown command '${1-}'" ;;
	esac
}

main "$@"
