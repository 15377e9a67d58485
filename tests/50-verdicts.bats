#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# 50-verdicts.bats - run xf_verdict: crafted frames through BPF_PROG_TEST_RUN,
# verdicts and counters compared with the contract in DESIGN.md.
#
# The object is loaded privately with unpinned maps, so these tests touch no
# interface, no bpffs and no attached filter: no namespace is needed, but
# for the one that gives the drop log a veth of its own (unshare -n), and
# the stateful policy's (state/), whose real flows xf_verdict makes in a
# network namespace of its own (tests/lib/flows.h) and which run under
# unshare -n as well, so that nothing of them can reach the host's. They
# need root only for bpf(2). Self-contained on purpose: no helpers.bash
# (mutant.bash, which builds the mutant filters, is all it loads).
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

bats_require_minimum_version 1.5.0
load mutant

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
XF_VERDICT=$ROOT/build/xf_verdict
# XF_IMPL=rust runs the same frames against the Rust implementation.
if [[ ${XF_IMPL:-c} == rust ]]; then OBJ=$ROOT/build/xdp_filter_rs.o; else OBJ=$ROOT/build/xdp_filter.o; fi
OBJ=${XF_OBJ:-$OBJ}

setup_file() {
	make -C "$ROOT" "$OBJ" build/xdp_filter.o build/xf_verdict build/two_progs.o >&2
}

require_root() {
	[[ $EUID -eq 0 ]] || skip "needs root"
}

# assert_group_passes GROUP [OPTION...] - runs one group (with more
# xf_verdict OPTIONs, under the command in the array WRAP if set) three
# ways: xdp_filter deciding every case itself (no tier loaded), xdp_filter
# running the feature tier the store picks for each case's rules (--tiers),
# and the full tier's program itself; and checks that every case it lists
# ran and passed each time. The count comes from --list, so
# a case that silently stopped running fails. Skips are allowed only for
# frames under 14 bytes, which some kernels' BPF_PROG_TEST_RUN refuse for
# XDP.
assert_group_passes() {
	local group=$1
	shift
	assert_group_passes_as "$group" "$@"
	assert_group_passes_as "$group" --tiers "$@"
	assert_group_passes_as "$group" --tiers --prog xf_full "$@"
}

assert_group_passes_as() {
	local group=$1
	local total summary passed skipped
	shift

	total=$("$XF_VERDICT" --list "$group/" | wc -l)
	((total > 0))
	run "${WRAP[@]}" "$XF_VERDICT" --obj "$OBJ" "$@" "$group/"
	if ((status != 0)); then
		# run captured it all: show what differed, with the frames.
		grep -A1 '^FAIL ' <<<"$output" >&2 || printf '%s\n' "$output" >&2
		echo "${lines[-1]}, exit $status" >&2
		return 1
	fi
	summary=${lines[-1]}
	[[ $summary =~ ^([0-9]+)\ passed,\ 0\ failed(,\ ([0-9]+)\ skipped)?$ ]] ||
		{ echo "bad summary: $summary" >&2; return 1; }
	passed=${BASH_REMATCH[1]}
	skipped=${BASH_REMATCH[3]:-0}
	((passed + skipped == total)) ||
		{ echo "ran $passed + $skipped of $total cases" >&2; return 1; }
	! grep -q '^FAIL ' <<<"$output"
	! grep '^skip ' <<<"$output" | grep -qv '/1\?[0-9]: kernel refuses frames < 14 bytes$'
}

# A stand-in filter with the product's maps (bpf_maps.h) that passes
# everything and counts nothing. With "nostats" it is built with
# -DXF_TEST_NO_STATS, the switch in bpf_maps.h that leaves xf_stats (the map
# and verdict()) out: an object the runner must refuse.
build_stub() {
	local out=$1 variant=${2-} defs=()
	[[ $variant == nostats ]] && defs=(-DXF_TEST_NO_STATS)
	cat >"$BATS_TEST_TMPDIR/stub.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_maps.h"

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
EOF
	clang -O2 -g -target bpf -I"/usr/include/$(cc -dumpmachine)" \
		"${defs[@]}" -I"$ROOT" -c "$BATS_TEST_TMPDIR/stub.c" -o "$out"
}

@test "basic: rules drop their own protocol and port only" {
	require_root
	assert_group_passes basic
}

@test "vlan: 802.1Q, 802.1ad and QinQ parsed, a third tag is non-IP" {
	require_root
	assert_group_passes vlan
}

@test "ipv4: options, bad ihl, version, tot_len and TCP doff" {
	require_root
	assert_group_passes ipv4
}

@test "ipv6: extension header chains up to the bound of 8" {
	require_root
	assert_group_passes ipv6
}

@test "fragment: first fragments matched, later ones pass unread" {
	require_root
	assert_group_passes fragment
}

@test "non-ip and other-l4 pass" {
	require_root
	assert_group_passes non-ip
	assert_group_passes other-l4
}

@test "truncation: any cut before the end of the L4 header is malformed" {
	require_root
	assert_group_passes truncation
}

@test "range: port ranges, both protocols, a tcp range never matches udp" {
	require_root
	assert_group_passes range
}

@test "src: source-port rules, and no xdp-filter cross-match of proto and direction" {
	require_root
	assert_group_passes src
}

@test "prefix: IPv4/IPv6 source prefixes, with ports, longest wins, no trie lookup without prefixes" {
	require_root
	assert_group_passes prefix
}

@test "allow: allow policy gates new flows only; ephemeral, DHCP, ICMP/NDP, ARP, fragments pass" {
	require_root
	assert_group_passes allow
}

@test "sets: only the active rule set's rules, prefixes and policy apply" {
	require_root
	assert_group_passes sets
}

@test "log: a logging rule's drops reach xf_log within its rate, nothing else does" {
	require_root
	assert_group_passes log
}

@test "mb: multi-buffer frames (a jumbo MTU): headers from the first buffer, the whole frame counted" {
	require_root
	assert_group_passes mb
}

@test "mb: a filter that counts only the first buffer is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/mut.o" xdp_filter.c \
		's/^\tbytes = fr.len;$/\tbytes = data_end - data;/'
	run -1 "$XF_VERDICT" --obj "$dir/mut.o" mb/
	[[ ${lines[-1]} == "0 passed, 16 failed" ]]
	grep -q '^FAIL mb/lldp-8000-non-ip: non_ip +1 pkt +3520 B, want +1 pkt +8018 B$' <<<"$output"
	# the same frames in one buffer are counted right
	run -0 "$XF_VERDICT" --obj "$dir/mut.o" basic/
}

# The stateful allow policy (issue 14), with real flows (tests/lib/flows.h):
# the state tier, picked by the store (--tiers) or run itself, passes what
# conntrack or a connected socket knows, either way round, and drops the
# rest (a SYN as policy, TCP as state, UDP as policy); xdp_filter's own
# filter and the full tier, which ask nothing, gate the same set as the
# stateless policy would. Under unshare -n: the flows xf_verdict makes in a
# namespace of its own could not reach the host's even if that failed.
@test "state: the stateful policy passes the flows the host knows, both ways, and drops the rest" {
	require_root
	local WRAP=(unshare -n) n
	assert_group_passes_as state
	[[ ${lines[-2]} =~ ^stateful\ cases:\ ([0-9]+),\ 0\ run\ by\ the\ state\ tier\;\ want.*\ passed\ [0-9] ]]
	[[ ! ${lines[-2]} =~ \ (tracked|state)\ [0-9] ]]
	assert_group_passes_as state --tiers --prog xf_full
	[[ ${lines[-3]} =~ ^stateful\ cases:\ ([0-9]+),\ 0\ run\ by ]]
	assert_group_passes_as state --tiers --prog xf_state
	[[ ${lines[-3]} =~ ^stateful\ cases:\ ([0-9]+),\ ([0-9]+)\ run\ by\ the\ state\ tier\;\ want\ .*\ tracked\ [1-9][0-9]*\ state\ [1-9][0-9]*\;\ 10\ flows\ made ]]
	((BASH_REMATCH[1] == BASH_REMATCH[2]))
	assert_group_passes_as state --tiers
	[[ ${lines[-3]} =~ ^stateful\ cases:\ ([0-9]+),\ ([0-9]+)\ run\ by\ the\ state\ tier ]]
	n=${BASH_REMATCH[1]}
	((n > 100 && BASH_REMATCH[2] == n))
	[[ ${lines[-2]} == "tiers: dst 0, ports 0, sets 0, full 0, state $n, xdp_filter 0" ]]
}

# Rate limits (issue 15): from a new rule's full bucket its burst passes as
# the rule's and the rest of one test run drops as limited (a refill of 1/s
# adds nothing within it), under both policies; TCP past its SYN takes no
# token; the rule's bucket is shared by every source, per-source buckets
# group sources by prefix length; a logged limit rule's limited drops reach
# the drop log with reason limited. Under the stateful allow policy the
# state tier judges TCP past its SYN at a limit rule's port as if no rule
# matched (limit/state/, with real flows: under unshare -n as state/).
@test "limit: a limit rule passes its burst and drops the rest as limited, per rule or per source" {
	require_root
	local WRAP=(unshare -n)
	assert_group_passes limit
	[[ ${lines[-3]} =~ ^stateful\ cases:\ ([0-9]+),\ 0\ run\ by\ the\ state\ tier\;\ want\ allowed\ [0-9]+$ ]]
	assert_group_passes_as limit --tiers --prog xf_state
	[[ ${lines[-3]} =~ ^stateful\ cases:\ ([0-9]+),\ ([0-9]+)\ run\ by\ the\ state\ tier\;\ want\ allowed\ [1-9][0-9]*\ tracked\ [1-9][0-9]*\ state\ [1-9][0-9]*\;\ 10\ flows\ made ]]
	((BASH_REMATCH[1] == BASH_REMATCH[2]))
}

@test "limit: a filter that never limits is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/mut.o" xdp_filter.c \
		's/if (next > now + l->burst_ns)$/if (0 \&\& next > now + l->burst_ns)/'
	run -1 "$XF_VERDICT" --obj "$dir/mut.o" limit/
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q '^FAIL limit/ipv4-udp-20-at-1-per-s-burst-5: verdict XDP_PASS, want XDP_DROP; allowed +20 pkt +840 B, want +5 pkt +210 B; limited +0 pkt +0 B, want +15 pkt +630 B; ' <<<"$output"
	grep -q '^FAIL limit/per-source/ipv4-slash-24-neighbours-share: ' <<<"$output"
	grep -q '^FAIL limit/log/ipv4-udp-15-limited-drops: .*drop log: 0 events of 15 drops at 100/s, want 15..15' <<<"$output"
	# what takes no token is right all the same
	grep -q '^ok limit/ipv4-tcp-ack-10-the-rule.s$' <<<"$output"
	run -0 "$XF_VERDICT" --obj "$dir/mut.o" basic/ log/
}

# Source sets (issue 16): "any from @S" and port rules from @S, for sources
# at every edge of a whole /24 (level 1), of a /28 and a /32 in a /24 partly
# in the set (level 2) and of an IPv6 /48; sets decide before prefix and
# port rules and fall through to them, in the order of their numbers; the
# allow policy, a limit rule from a set, an empty set, and rules that name
# no set.
@test "set: rules from source sets, before prefixes and ports, sets by number" {
	require_root
	assert_group_passes set
}

@test "set: a filter that never consults the sets, or reads only level 1, is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/never.o" xdp_filter.c 's/if (s->setmask)/if (0 \&\& s->setmask)/'
	run -1 "$XF_VERDICT" --obj "$dir/never.o" set/
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q '^FAIL set/any/ipv4-whole-24-first: verdict XDP_PASS, want XDP_DROP;' <<<"$output"
	grep -q '^FAIL set/before/port-rule: .*rule #[0-9]* (80 tcp)' <<<"$output"
	grep -q '^ok set/fall-through/to-prefix$' <<<"$output"
	# A partial /24 taken whole: its neighbours of the /28 and /32 drop.
	build_mutant "$dir/level1.o" bpf_maps.h \
		's/return part \&\& ((part->bits\[(a >> 6) \& 3\] >> (a \& 63)) \& 1);/return part || true;/'
	run -1 "$XF_VERDICT" --obj "$dir/level1.o" set/
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q '^FAIL set/any/ipv4-28-below: verdict XDP_DROP, want XDP_PASS;' <<<"$output"
	grep -q '^FAIL set/any/ipv4-32-above: verdict XDP_DROP, want XDP_PASS;' <<<"$output"
	grep -q '^ok set/any/ipv4-whole-24-below$' <<<"$output"
	# both are right where no set is named
	run -0 "$XF_VERDICT" --obj "$dir/level1.o" prefix/ basic/
}

# The events carry the test run's ingress_ifindex: lo (1) above is also
# what a run without a context gets, a veth in a private network namespace
# is not.
@test "log: events carry the interface the packet arrived on" {
	require_root
	# shellcheck disable=SC2016 # $@ expands in the namespace's shell
	local WRAP=(unshare -n sh -c 'ip link add xflog0 type veth peer name xflog1 && exec "$@"' sh)
	run -0 "${WRAP[@]}" ip -o link show xflog0
	[[ $output =~ ^([0-9]+): ]] && ((BASH_REMATCH[1] != 1))
	assert_group_passes log --ifindex xflog0
}

@test "tiers: the store's choice of tier runs the cases of every tier" {
	require_root
	run -0 unshare -n "$XF_VERDICT" --obj "$OBJ" --tiers
	[[ ${lines[-2]} =~ ^tiers:\ dst\ ([0-9]+),\ ports\ ([0-9]+),\ sets\ ([0-9]+),\ full\ ([0-9]+),\ state\ ([0-9]+),\ xdp_filter\ 0$ ]]
	((BASH_REMATCH[1] > 400 && BASH_REMATCH[2] > 40 && BASH_REMATCH[3] > 40 &&
	  BASH_REMATCH[4] > 200 && BASH_REMATCH[5] > 100))
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ 0\ failed ]]
}

@test "tiers: a ports tier that ignores source ports is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/mut.o" xdp_filter.c \
		's/if (!id \&\& src)$/if (!id \&\& src \&\& 0)/'
	run -1 "$XF_VERDICT" --obj "$dir/mut.o" --tiers src/
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed ]]
	# the full filter, which has the source-port rules, passes them
	run -0 "$XF_VERDICT" --obj "$dir/mut.o" src/
}

@test "tiers: a set tier that looks up set 0 whatever the rules name is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/mut.o" xdp_filter.c \
		's/xf_set_has(xf_set_slot_of(i, setver >> i), pkt->family,$/xf_set_has(xf_set_slot_of(0, setver), pkt->family,/'
	run -1 "$XF_VERDICT" --obj "$dir/mut.o" --tiers set/
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed ]]
	# the full filter, which walks the sets by their numbers, passes them
	run -0 "$XF_VERDICT" --obj "$dir/mut.o" set/
}

@test "every case belongs to a group tested above" {
	local stray

	run -0 "$XF_VERDICT" --list
	stray=$(grep -Ev '^(basic|vlan|ipv4|ipv6|fragment|non-ip|other-l4|truncation|range|src|prefix|allow|sets|set|log|mb|state|limit)/' <<<"$output" || true)
	[[ -z $stray ]]
}

@test "an always-pass filter is caught" {
	require_root
	build_stub "$BATS_TEST_TMPDIR/pass.o"
	run -1 "$XF_VERDICT" --obj "$BATS_TEST_TMPDIR/pass.o" basic/ipv4-tcp-
	[[ ${lines[-1]} =~ ^0\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -qx 'FAIL basic/ipv4-tcp-blocked: verdict XDP_PASS, want XDP_DROP;.*' <<<"$output"
	# The frame follows each FAIL line, as hex.
	grep -A1 '^FAIL basic/ipv4-tcp-blocked:' <<<"$output" |
		grep -qE '^  frame [0-9]+ bytes:( [0-9a-f]{2,8})+$'
	# Right action, counters untouched: still a failure.
	grep -q '^FAIL basic/ipv4-tcp-port-above: passed +0 pkt' <<<"$output"
}

# The filter and a pass-all program side by side in one object
# (tests/two_progs.c), next to the feature tiers' programs: --prog picks
# which one runs.
@test "--prog runs the named XDP program of the object, and only that one" {
	require_root
	local two=$ROOT/build/two_progs.o
	assert_group_passes basic --obj "$two"
	assert_group_passes basic --obj "$two" --prog xdp_filter
	run -1 "$XF_VERDICT" --obj "$two" --prog xf_passall basic/ipv4-tcp-blocked
	[[ ${lines[-1]} == "0 passed, 1 failed" ]]
	grep -qx 'FAIL basic/ipv4-tcp-blocked: verdict XDP_PASS, want XDP_DROP;.*' <<<"$output"
	run -1 --separate-stderr "$XF_VERDICT" --obj "$two" --prog nosuch basic/
	[[ ${stderr_lines[-1]} == "xf_verdict: $two: XDP program nosuch (it has: xdp_filter, xf_full, xf_state, xf_dst_s0, xf_dst_s1, xf_ports_s0, xf_ports_s1, xf_sets_s0, xf_sets_s1, xdp_filter_sb, xf_full_sb, xf_state_sb, xf_dst_s0_sb, xf_dst_s1_sb, xf_ports_s0_sb, xf_ports_s1_sb, xf_sets_s0_sb, xf_sets_s1_sb, xf_passall): No such file or directory" ]]
}

@test "an object without xf_stats is a setup failure" {
	require_root
	build_stub "$BATS_TEST_TMPDIR/nostats.o" nostats
	run -1 --separate-stderr "$XF_VERDICT" --obj "$BATS_TEST_TMPDIR/nostats.o"
	[[ ${stderr_lines[-1]} == "xf_verdict: $BATS_TEST_TMPDIR/nostats.o: map xf_stats: No such file or directory" ]]
}

@test "a missing object is a setup failure" {
	run -1 --separate-stderr "$XF_VERDICT" --obj "$BATS_TEST_TMPDIR/none.o"
	# libbpf may say why first; our line comes last.
	[[ ${stderr_lines[-1]} == "xf_verdict: $BATS_TEST_TMPDIR/none.o: No such file or directory" ]]
}

@test "usage errors exit 2 before touching the kernel" {
	run -0 "$XF_VERDICT" --help
	[[ ${lines[0]} == usage:* ]]
	run -2 --separate-stderr "$XF_VERDICT" no-such-group
	[[ $stderr == *"'no-such-group'"* ]]
	run -2 --separate-stderr "$XF_VERDICT" --bogus
	[[ ${stderr_lines[0]} == "xf_verdict: unknown option --bogus" ]]
	run -2 --separate-stderr "$XF_VERDICT" --obj
	[[ ${stderr_lines[0]} == "xf_verdict: --obj needs an argument" ]]
	run -2 --separate-stderr "$XF_VERDICT" --ifindex no-such-interface0
	[[ ${stderr_lines[0]} == "xf_verdict: bad --ifindex 'no-such-interface0'" ]]
	run -2 --separate-stderr "$XF_VERDICT" --prog ''
	[[ ${stderr_lines[0]} == "xf_verdict: bad --prog ''" ]]
}
