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
OBJ=${XF_OBJ:-$B/xdp_filter.o}
export B

require_root() {
	[[ $EUID -eq 0 ]] || skip "needs root"
}

# Starts the holder and makes the topology: filtered end $XF_A (198.18.0.1,
# fd00::1) here, peer $XF_B (198.18.0.2, fd00::2) in netns $XF_P.
ns_setup() {
	require_root
	local ready=$BATS_TEST_TMPDIR/holder.ready i

	XF_NAME=xf${BATS_SUITE_TEST_NUMBER:-$$}
	XF_A=${XF_NAME}a
	XF_B=${XF_NAME}b
	XF_P=${XF_NAME}p
	# The holder outlives nothing: it sleeps 30 minutes at most.
	unshare --net --mount --propagation private -- bash -c '
		set -e
		mount -t sysfs sysfs /sys
		mount -t bpf bpf /sys/fs/bpf
		mkdir -p /run/netns
		mount -t tmpfs tmpfs /run/netns
		ip link set lo up
		touch "$1"
		exec sleep 1800' holder "$ready" 3>&- &
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

# spawn_in_ns OUTFILE CMD... - starts CMD in the background inside the
# test's namespaces, stdout to OUTFILE; its pid (nsenter execs the command,
# so this is the command itself) goes to XF_BG.
spawn_in_ns() {
	local out=$1
	shift
	nsenter -t "$XF_HOLDER" -n -m -- "$@" >"$out" 2>/dev/null 3>&- &
	XF_BG=$!
}

# Runs a command on the traffic peer.
on_peer() {
	in_ns ip netns exec "$XF_P" "$@"
}

rule() {
	in_ns "$RULE" "$@"
}

# attach_filter [native|generic] - attach $OBJ to the filtered end.
attach_filter() {
	OBJ=$OBJ in_ns "$ATTACH" attach "$XF_A" "${1-}"
}

addr_of() {			# addr_of 4|6 a|b
	if [[ $1 == 4 ]]; then
		[[ $2 == a ]] && echo 198.18.0.1 || echo 198.18.0.2
	else
		[[ $2 == a ]] && echo fd00::1 || echo fd00::2
	fi
}

# Waits (bounded) until something listens on PORT/PROTO in the holder.
wait_listen() {
	local proto=$1 port=$2 i flag=-Hlnt
	[[ $proto == udp ]] && flag=-Hlnu
	for ((i = 0; i < 100; i++)); do
		in_ns ss "$flag" "sport = :$port" | grep -q . && return 0
		sleep 0.05
	done
	echo "nothing listens on $proto/$port" >&2
	return 1
}

# try_reach PROTO PORT [FAMILY] [WAIT] - the peer sends a unique token to
# the filtered end; succeeds when the listener received it within WAIT
# seconds (bounded wait for an event, not a timing assertion).
try_reach() {
	local proto=$1 port=$2 fam=${3:-4} wait=${4:-5}
	local dst token out srv i got=1
	dst=$(addr_of "$fam" a)
	token=xf-$RANDOM$RANDOM
	out=$BATS_TEST_TMPDIR/recv.$proto.$port.$fam.$RANDOM
	: >"$out"
	if [[ $proto == tcp ]]; then
		spawn_in_ns "$out" timeout 10 nc "-$fam" -l "$dst" "$port"
		srv=$XF_BG
		wait_listen tcp "$port"
		on_peer sh -c "echo $token | timeout 5 nc -$fam -N -w $wait $dst $port" \
			>/dev/null 2>&1 3>&- || true
	else
		spawn_in_ns "$out" timeout 10 nc "-$fam" -u -l -W 1 "$dst" "$port"
		srv=$XF_BG
		wait_listen udp "$port"
		on_peer sh -c "echo $token | timeout 3 nc -$fam -u -w 1 $dst $port" \
			>/dev/null 2>&1 3>&- || true
	fi
	for ((i = 0; i < wait * 20; i++)); do
		if grep -q "$token" "$out"; then
			got=0
			break
		fi
		sleep 0.05
	done
	# timeout passes the signal on to nc, and the port is free again
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	return "$got"
}

assert_reaches() {
	try_reach "$@" || { echo "expected $1/$2 (IPv${3:-4}) to get through, it did not" >&2; return 1; }
}

refute_reaches() {
	! try_reach "$1" "$2" "${3:-4}" 2 || { echo "expected $1/$2 (IPv${3:-4}) to be dropped, it got through" >&2; return 1; }
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
