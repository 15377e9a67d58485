#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Jumbo frames (issue 18): on a veth pair with MTU 9000 the filter attaches
# in native mode (its programs declare multi-buffer support, xdp.frags), an
# 8000-byte UDP datagram in one frame is blocked or passed by its port, a
# TCP stream of large segments too, and the byte counters count whole
# frames, not their first buffer; generic mode (the single-buffer twins)
# too. An object without multi-buffer support is
# refused by the driver, and attach says why and what to do.

load helpers
load mutant

setup_file() {
	make -s -C "$XF_ROOT" all >&3
}

setup() {
	ns_setup
	in_ns ip link set dev "$XF_A" mtu 9000
	on_peer ip link set dev "$XF_B" mtu 9000
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
	on_peer ping -6 -c 1 -W 2 fd00::1 >/dev/null 2>&1 || true
}

teardown() {
	ns_teardown
}

# datagram FAMILY PORT BYTES - the peer sends BYTES of payload in one UDP
# datagram (one frame: no IP fragments at MTU 9000); prints the bytes that
# arrived (0: none).
datagram() {
	local f=$BATS_TEST_TMPDIR/payload.$3
	head -c "$3" /dev/urandom >"$f"
	in_ns "$PROBE" "-$1" -w 2 -c -f "$f" "$XF_P" udp "$(addr_of "$1" a)" "$2" || true
}

# rule_bytes PORT PROTO - bytes counted by that rule.
rule_bytes() {
	rule list --json | jq -r --argjson p "$1" --arg t "$2" \
		'.[] | select(.port == $p and .proto == $t) | .bytes'
}

# jumbo_udp - with "9000 udp" added: 8000-byte datagrams over IPv4 and IPv6
# are blocked on 9000 and passed on 9001, and every frame is counted whole.
jumbo_udp() {
	# the neighbouring port gets the whole datagram: the frame passed
	run -0 datagram 4 9001 8000
	[[ $output == 8000 ]]
	run -0 datagram 6 9001 8000
	[[ $output == 8000 ]]
	# the rule's port gets nothing, and the rule counted whole frames:
	# 14 Ethernet + 20 IPv4 + 8 UDP + 8000, then 14 + 40 IPv6 + 8 + 8000
	run -0 datagram 4 9000 8000
	[[ $output == 0 ]]
	[[ $(rule_packets 9000 udp) == 1 && $(rule_bytes 9000 udp) == 8042 ]]
	run -0 datagram 6 9000 8000
	[[ $output == 0 ]]
	[[ $(rule_packets 9000 udp) == 2 && $(rule_bytes 9000 udp) == $((8042 + 8062)) ]]
	[[ $(reason_packets malformed) == 0 ]]
	# the passed ones were counted whole too
	[[ $(rule stats --json | jq .passed.bytes) -ge $((8042 + 8062)) ]]
}

@test "native attach on an MTU 9000 veth; 8000-byte datagrams blocked and passed by port, whole frames counted" {
	run -0 attach_filter native
	[[ $output == *"(native mode"* ]]
	run -0 rule add 9000 udp
	jumbo_udp
}

@test "generic mode on MTU 9000: the single-buffer twin sees whole frames, blocks and passes by port" {
	run -0 attach_filter generic
	[[ $output == *"(generic mode"* ]]
	run -0 rule add 9000 udp
	jumbo_udp
}

@test "a TCP stream of jumbo segments passes to its port and not to a blocked one" {
	run -0 attach_filter native
	run -0 rule add 5001 tcp
	local f=$BATS_TEST_TMPDIR/stream
	head -c 2000000 /dev/urandom >"$f"
	run -0 in_ns "$PROBE" -4 -w 10 -c -f "$f" "$XF_P" tcp 198.18.0.1 5002
	[[ $output == 2000000 ]]
	run -1 in_ns "$PROBE" -4 -w 2 -c -f "$f" "$XF_P" tcp 198.18.0.1 5001
	[[ $(rule_packets 5001 tcp) -ge 1 ]]
	# segments were jumbo: the stream took far fewer frames than bytes/1500
	local passed
	passed=$(rule stats --json | jq .passed.packets)
	((passed < 2000000 / 1500))
}

@test "an object without multi-buffer support is refused on MTU 9000, and attach says what to do" {
	local dir=$BATS_TEST_TMPDIR/nofrags
	build_mutant "$dir/xdp_filter.o" xdp_filter.c 's/SEC("xdp.frags")/SEC("xdp")/'
	run -1 --separate-stderr in_ns env OBJ="$dir/xdp_filter.o" "$ATTACH" attach "$XF_A" native
	[[ $stderr == *"MTU"* && $stderr == *"MODE=generic"* ]]
	# nothing attached
	run -0 in_ns ip -j link show dev "$XF_A"
	jq -e '.[0].xdp == null' <<<"$output"
	# the pins it left go (the tiers' program array is its kind now), and
	# the real object attaches
	run -0 in_ns "$ATTACH" detach "$XF_A"
	[[ $output == *"pins removed"* ]]
	run -0 attach_filter native
}
