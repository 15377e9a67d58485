#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# 52-conformance.bats - differential verdict conformance (issue 6, item 1):
# xf_conform runs every structured case and seeded random frames through an
# implementation with BPF_PROG_TEST_RUN and through the reference model in
# tests/model/, and counts the frames where the action, the reason counter or
# the rule counter differ. `make conformance` is the long run.
#
# Objects are loaded privately with unpinned maps (as in 50-verdicts.bats):
# no bpffs, no interface. Root only for bpf(2). The stateful allow policy's
# runs (the state tier asks the host's conntrack and sockets) need real
# flows: xf_conform makes them in a network namespace of its own
# (tests/lib/flows.h), and those runs are under unshare -n as well, so that
# nothing of them can reach the host's namespace.
# shellcheck disable=SC2154 # bats' run sets output, lines and status

bats_require_minimum_version 1.5.0
load mutant

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# A fixed seed keeps `make test` reproducible; XF_CONFORM_SEED picks another.
SEED=${XF_CONFORM_SEED:-20261127}
FRAMES=${XF_CONFORM_FRAMES:-40000}

setup_file() {
	make -C "$ROOT" build/xdp_filter.o build/xdp_filter_rs.o build/xf_conform \
		build/two_progs.o >&2
	export XF_CONFORM=$ROOT/build/xf_conform
}

require_root() {
	[[ $EUID -eq 0 ]] || skip "needs root"
}

# conform OBJ [OPTION...]: the run must check FRAMES frames (or the
# structured set, if larger) with no mismatch; on failure the first
# mismatches, with their frames as hex and the replay command, are shown.
# Every reason must have been exercised but, unless the state tier ran
# (STATEFUL=1, the caller's), tracked and state, which only it gives; and
# rate limit buckets in every drawn state (tests/model/buckets.h), some by
# frames that ask no token.
conform() {
	local obj=$1 frames
	shift
	run unshare -n "$XF_CONFORM" --obj "$obj" --frames "$FRAMES" --seed "$SEED" "$@"
	if ((status != 0)); then
		grep -A4 '^MISMATCH ' <<<"$output" | head -25 >&2 || printf '%s\n' "$output" >&2
		printf '%s\n' "${lines[@]: -3}" >&2
		return 1
	fi
	[[ ${lines[0]} == "xf_conform: $obj, seed $SEED: "* ]]
	[[ ${lines[-2]} =~ ^frames\ ([0-9]+),\ mismatches\ 0$ ]]
	frames=${BASH_REMATCH[1]}
	((frames >= FRAMES))
	[[ ${lines[-1]} == "$frames passed, 0 failed" ]]
	# Every reason was exercised, and rules decided some of it.
	local v=-4 n='[1-9][0-9]*' st='0'
	[[ ${lines[-4]} == tiers:* ]] && v=-5
	((${STATEFUL:-0})) && st=$n
	[[ ${lines[v]} =~ ^verdicts:\ passed\ $n\ dropped\ $n\ malformed\ $n\ fragment\ $n\ non_ip\ $n\ other_l4\ $n\ allowed\ $n\ policy\ $n\ tracked\ $st\ state\ $st\ limited\ $n\;\ a\ rule\ decided\ [1-9] ]]
	# ... and rules from source sets some of it
	[[ ${lines[v]} =~ \ a\ source\ set\'s\ [1-9][0-9]*$ ]]
	[[ ${lines[-3]} =~ ^limit\ buckets\ hit:\ full\ $n,\ past\ $n,\ room\ $n,\ empty\ $n,\ far\ $n\ \($n\ asking\ no\ token\)\;\ slow\ runs\ retried\ [0-9]+$ ]]
}

# conform_tiers OBJ: the same, with the feature tiers loaded (xdp_filter
# runs the lightest tier each random block's rules need: every tier gets
# frames, the state tier those of the stateful policy), then with the full
# tier's program run directly (a stateful set gated as the stateless
# policy), then the state tier's.
conform_tiers() {
	STATEFUL=1 conform "$1" --tiers
	[[ ${lines[-4]} =~ ^tiers:\ dst\ ([0-9]+),\ ports\ ([0-9]+),\ sets\ ([0-9]+),\ full\ ([0-9]+),\ state\ ([0-9]+),\ xdp_filter\ 0$ ]]
	((BASH_REMATCH[1] >= 1000 && BASH_REMATCH[2] >= 1000 && BASH_REMATCH[3] >= 1000 &&
	  BASH_REMATCH[4] >= 1000 && BASH_REMATCH[5] >= 1000))
	conform "$1" --tiers --prog xf_full
	STATEFUL=1 conform "$1" --tiers --prog xf_state
}

@test "conformance: the C filter agrees with the model on every frame" {
	require_root
	conform "$ROOT/build/xdp_filter.o"
}

@test "conformance: the Rust filter agrees with the model on every frame" {
	require_root
	conform "$ROOT/build/xdp_filter_rs.o"
}

@test "conformance: each feature tier of the C filter agrees with the model" {
	require_root
	conform_tiers "$ROOT/build/xdp_filter.o"
}

@test "conformance: each feature tier of the Rust filter agrees with the model" {
	require_root
	conform_tiers "$ROOT/build/xdp_filter_rs.o"
}

@test "conformance: a filter that ignores the ACK bit is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut good bad
	# Allow policy: a SYN+ACK (a reply) would now be gated as a new flow.
	build_mutant "$dir/mut.o" parsing.h \
		's/pkt->new_flow = th->syn && !th->ack;/pkt->new_flow = th->syn;/'

	run "$XF_CONFORM" --obj "$ROOT/build/xdp_filter.o" --frames "$FRAMES" --seed "$SEED"
	[[ ${lines[-2]} =~ ^frames\ [0-9]+,\ mismatches\ ([0-9]+)$ ]]
	good=${BASH_REMATCH[1]}
	run -1 "$XF_CONFORM" --obj "$dir/mut.o" --frames "$FRAMES" --seed "$SEED" --show 1000
	[[ ${lines[-2]} =~ ^frames\ [0-9]+,\ mismatches\ ([0-9]+)$ ]]
	bad=${BASH_REMATCH[1]}
	((bad > good))
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	# The difference is reported as what it is, with its frame and replay.
	grep -q '^MISMATCH frame [0-9]* (.*): program XDP_DROP policy rule none; model XDP_PASS passed rule 0$' <<<"$output"
	grep -A1 '^MISMATCH ' <<<"$output" | grep -qE '^  frame [0-9]+ bytes:( [0-9a-f]{2,8})+$'
	grep -q "^  replay: xf_conform --obj $dir/mut.o --seed $SEED --frame [0-9]*$" <<<"$output"
}

# Rate limits (issue 15): each frame's bucket is set to a drawn state
# before it runs (tests/model/buckets.h), so a filter that never runs out
# of tokens, counts its limited drops as the rule's, takes tokens from
# segments past the SYN or groups per-source buckets by the whole address
# differs on the frames of a limit rule.
@test "conformance: filters that get rate limits wrong are caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/never.o" xdp_filter.c \
		's/if (next > now + l->burst_ns)$/if (0 \&\& next > now + l->burst_ns)/'
	build_mutant "$dir/rcount.o" xdp_filter.c \
		's/xf_count_add(bpf_map_lookup_elem(&xf_rlimited, &rid), bytes);/xf_count_rule(id, bytes);/'
	build_mutant "$dir/ack.o" xdp_filter.c \
		's/if (pkt->l4 == IPPROTO_TCP \&\& !pkt->new_flow) {/if (0) {/'
	build_mutant "$dir/mask.o" xdp_filter.c 's/plen = l->plen4 > 32 ? 32 : l->plen4;/plen = 32;/'
	run -1 "$XF_CONFORM" --obj "$dir/never.o" --frames "$FRAMES" --seed "$SEED" --show 1000
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q '^MISMATCH frame [0-9]* (.*): program XDP_PASS allowed rule #[0-9]*; bucket tat +[0-9]* ns from now, want +[0-9]* (untouched); model XDP_DROP limited rule 0 limited #[0-9]*$' <<<"$output"
	grep -q '^  bucket of rule #[0-9]* for source group 198.18.1.0, empty (interval 1000000 ns, burst 1000000000 ns): tat +[0-9]* ns from now$' <<<"$output"
	run -1 "$XF_CONFORM" --obj "$dir/rcount.o" --frames "$FRAMES" --seed "$SEED" --show 1000
	grep -q '^MISMATCH frame [0-9]* (.*): program XDP_DROP limited rule #\([0-9]*\); model XDP_DROP limited rule 0 limited #\1$' <<<"$output"
	run -1 "$XF_CONFORM" --obj "$dir/ack.o" --frames "$FRAMES" --seed "$SEED" --show 1000
	grep -q '^MISMATCH frame [0-9]* (.*): program XDP_DROP limited rule none limited #\([0-9]*\); model XDP_PASS allowed rule #\1$' <<<"$output"
	grep -q '^  bucket of rule #[0-9]*, empty (.*; the frame asks no token$' <<<"$output"
	run -1 "$XF_CONFORM" --obj "$dir/mask.o" --frames "$FRAMES" --seed "$SEED" --show 1000
	grep -q '^MISMATCH frame [0-9]* (.*): program XDP_PASS allowed rule #[0-9]*; a bucket of rule #[0-9]* (generation [0-9]*) for another source group appeared; model XDP_DROP limited rule 0 limited #[0-9]*$' <<<"$output"
	# The filter itself: the same frames, no mismatch.
	run -0 "$XF_CONFORM" --obj "$ROOT/build/xdp_filter.o" --frames "$FRAMES" --seed "$SEED"
}

# Source sets (issue 16): random blocks name sets loaded with random
# prefixes of every length, and aim sources inside them, at their edges and
# just outside; the model checks membership by a plain scan. A filter that
# looks at the sets after the prefix rules, or that never reads level 2 of
# the IPv4 bitmap (a /24 partly in a set holds nothing), differs.
@test "conformance: filters that get source sets wrong are caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	build_mutant "$dir/after.o" xdp_filter.c \
		's/^\tif (s->setmask)\t.*$/\tid = prefix_rule(\&pkt, reason == XF_R_PASSED, pidx, s, set, data_end);\n\tif (!id \&\& s->setmask)/'
	build_mutant "$dir/level2.o" bpf_maps.h \
		's/return part \&\& ((part->bits\[(a >> 6) \& 3\] >> (a \& 63)) \& 1);/return part \&\& false;/'
	for m in after level2; do
		run -1 "$XF_CONFORM" --obj "$dir/$m.o" --frames "$FRAMES" --seed "$SEED" --show 1000
		[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
		grep -q '^  source set s[0-4] (number [0-4], [1-9][0-9]* prefixes): ' <<<"$output"
	done
	# level 2 ignored: a source in a set's long prefix passes
	grep -q '^MISMATCH frame [0-9]* (random.*): program XDP_PASS .*; model XDP_DROP dropped rule #[0-9]*$' <<<"$output"
}

@test "conformance: a filter that ignores which rule set is active is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	# Always set 0: the structured set (set 1) and every other random
	# block are not seen, the previous block's rules are.
	build_mutant "$dir/mut.o" xdp_filter.c 's/set = \*(volatile __u32 \*)&cfg->set & 1;/set = 0;/'

	run -1 "$XF_CONFORM" --obj "$dir/mut.o" --frames "$FRAMES" --seed "$SEED" --show 1000
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	# The structured set is in set 1, with nothing in set 0.
	grep -q '^MISMATCH frame [0-9]* (structured.*): program XDP_PASS passed rule none; model XDP_DROP dropped rule #[0-9]*$' <<<"$output"
	grep -q '^  rule set 1 (the other holds 0 rules)$' <<<"$output"
}

@test "conformance: a state tier that ignores the host's sockets, or counts a listener as a connection, is caught" {
	require_root
	local dir=$BATS_TEST_TMPDIR/mut
	# Only conntrack: the connection made before tracking was on is lost.
	build_mutant "$dir/nosk.o" xdp_filter.c \
		's/((tcp \&\& sk_connected(ctx, \&t, sz)) ||/((0 \&\& sk_connected(ctx, \&t, sz)) ||/'
	# A listening socket makes any segment to its port known.
	build_mutant "$dir/listen.o" xdp_filter.c 's/known = sk->state != BPF_TCP_LISTEN;/known = true;/'
	# 4200 random frames: four blocks of the state tier are enough.
	run -1 unshare -n "$XF_CONFORM" --obj "$dir/nosk.o" --tiers --frames 28000 --seed "$SEED" --show 1000
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q '^MISMATCH frame [0-9]* (random.*): program XDP_DROP state rule none; model XDP_PASS tracked rule 0$' <<<"$output"
	grep -q '^  config: policy allow stateful (the state tier asks the host), ephemeral 0-0, dhcp ' <<<"$output"
	grep -q "^  replay: xf_conform --obj $dir/nosk.o --tiers --seed $SEED --frame [0-9]*$" <<<"$output"
	run -1 unshare -n "$XF_CONFORM" --obj "$dir/listen.o" --tiers --frames 28000 --seed "$SEED" --show 1000
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q '^MISMATCH frame [0-9]* (random.*): program XDP_PASS tracked rule none; model XDP_DROP state rule 0$' <<<"$output"
}

@test "conformance: --prog runs the named XDP program of the object" {
	require_root
	local two=$ROOT/build/two_progs.o	# tests/two_progs.c
	run -0 "$XF_CONFORM" --obj "$two" --prog xdp_filter --frames 0 --seed "$SEED"
	[[ ${lines[-2]} =~ ^frames\ [0-9]+,\ mismatches\ 0$ ]]
	run -1 "$XF_CONFORM" --obj "$two" --prog xf_passall --frames 0 --seed "$SEED" --show 1
	[[ ${lines[-1]} =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed$ ]]
	grep -q "^  replay: xf_conform --obj $two --prog xf_passall --seed $SEED --frame [0-9]*$" <<<"$output"
	run -1 "$XF_CONFORM" --obj "$two" --prog nosuch --frames 0 --seed "$SEED"
	[[ $output == *"XDP program nosuch (it has: "* ]]
}

@test "conformance: --frame replays one frame of a seed, with its verdicts" {
	require_root
	local n
	# A random frame (past the structured set) of this seed.
	run -0 "$XF_CONFORM" --frame 0 --seed "$SEED"
	[[ ${lines[0]} =~ :\ ([0-9]+)\ structured ]]
	n=$((BASH_REMATCH[1] + 123))
	run -0 "$XF_CONFORM" --obj "$ROOT/build/xdp_filter.o" --seed "$SEED" --frame "$n"
	[[ ${lines[1]} =~ ^same\ frame\ $n\ \(random,\ block\ 0\ in\ rule\ set\ 0.*\):\ program\ XDP_ ]]
	[[ ${lines[-1]} == "1 passed, 0 failed" ]]
	grep -q '^  rules (' <<<"$output"
}

@test "conformance: usage errors exit 2" {
	run -0 "$XF_CONFORM" --help
	[[ ${lines[0]} == usage:* ]]
	run -2 "$XF_CONFORM" --bogus
	run -2 "$XF_CONFORM" --frames abc
	run -2 "$XF_CONFORM" --seed -1
	run -2 "$XF_CONFORM" --frame 99999999
	[[ $output == *"--frame needs the run's --seed"* ]]
}
