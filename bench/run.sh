#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - build and run both benchmarks, write their tables and the chart.
#   1. micro: xf_bench, ns/packet through BPF_PROG_TEST_RUN -> micro.md
#      (the C filter, its HASH variant, the Rust filter, xdp-tools; then
#      the C filter's rule forms: no rules, 10,000 port rules, 10,000 IPv4
#      and IPv6 prefix rules, the allow policy; then the stateful allow
#      policy's state tier beside the stateless one, on packets of flows
#      its sockets and conntrack know or do not; then rate limits, per
#      source and aggregate, under and over, and a new source each packet)
#   2. end-to-end: bench/e2e.sh, drop rate on a veth pair -> e2e.md (UDP
#      to a blocked port; bare TCP ACKs of no flow, stateful xdp_filter
#      against nftables' stateful ruleset; the TCP throughput of one flow
#      through the stateful filter; a SYN flood from 1,000 sources at a
#      port limited to 5/s per source, against nftables' meter)
#   3. source sets (bench/sets.sh): ns per lookup with random sources,
#      ours against a kernel LPM trie; rule.sh set load and reload times
#      and memory -> sets.md (the set rows of micro.md and e2e.md are in
#      those parts: a 1,000,000-prefix set, a flood from 4,000 of its
#      addresses)
#   4. the chart of both (gnuplot) -> bench.png
# --only sets (make bench-sets) runs the source-set parts alone: sets.md,
# xf_bench --sets-only -> micro-sets.md, e2e.sh --sets -> e2e-sets.md.
# Results go to bench/results/. Timings are reported, never asserted:
# --quick is a smoke run (well under a minute) that only proves every
# piece still builds, loads and runs; it writes to $B/bench-quick/ so a
# real result is never overwritten.
set -euo pipefail

readonly PROG=${0##*/}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly ROOT
B=${B:-build}
export B		# e2e.sh and attach.sh read it
readonly B
readonly RESULTS="$ROOT/bench/results"

usage() {
	printf 'usage: %s [--quick] [--only micro|e2e|sets]\n       %s --help\n' "$PROG" "$PROG"
	printf 'Builds the benchmark tools in %s/, runs the micro and end-to-end\n' "$B"
	printf 'benchmarks, and writes %s/{micro.md,e2e.md,bench.png}.\n' "${RESULTS#"$ROOT"/}"
	printf '  --quick       micro: repeat 100000, 3 rounds; e2e: 1 x 0.2 s per\n'
	printf '                configuration. Results go to %s/bench-quick/.\n' "$B"
	printf '  --only PART   run one part (the chart is still drawn, but for\n'
	printf '                sets: its source-set rows of every part)\n'
}
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

# Median ns/packet of udp4 blocked per program and rule count, from
# micro.md's full table, as gnuplot columns: rules ARRAY HASH floor
# xdp-tools-udp xdp-tools-all (the last three are flat lines).
micro_dat() {
	awk -F' *[|] *' '
	$2 == "udp4 blocked" {
		if ($3 ~ /^empty/) floor = $7
		else if ($3 ~ /^xdp_filter \(C\)/) arr[$4] = $7
		else if ($3 ~ /^HASH/) hash[$4] = $7
		else if ($3 ~ /alw_udp/) udp = $7
		else if ($3 ~ /alw_all/) all = $7
	}
	END {
		if (floor == "") exit 1
		n = split("1 100 10000", r, " ")
		for (i = 1; i <= n; i++)
			printf "%s\t%s\t%s\t%s\t%s\t%s\n", r[i], arr[r[i]],
				hash[r[i]], floor, udp, all
	}' "$1"
}

chart() {
	local e2e_dat=$1 micro_md=$2 png=$3 tmp

	[[ -r $micro_md ]] || die "no $micro_md for the chart (run without --quick once)"
	tmp=$(mktemp)
	micro_dat "$micro_md" >"$tmp" || { rm -f "$tmp"; die "no udp4 rows in $micro_md"; }
	gnuplot -c "$ROOT/bench/chart.gp" "$e2e_dat" "$tmp" "$png.tmp" ||
		{ rm -f "$tmp" "$png.tmp"; die "gnuplot failed"; }
	rm -f "$tmp"
	mv "$png.tmp" "$png"
	printf '%s: chart in %s\n' "$PROG" "$png" >&2
}

main() {
	local quick=0 only="" out e2e_args=() set4 sets_args mb_args

	while [[ $# -gt 0 ]]; do
		case $1 in
		--quick) quick=1 ;;
		--only)
			[[ ${2-} == micro || ${2-} == e2e || ${2-} == sets ]] || { usage >&2; exit 2; }
			only=$2
			shift
			;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	[[ $EUID -eq 0 ]] || die "needs root (BPF_PROG_TEST_RUN, namespaces, XDP)"
	command -v gnuplot >/dev/null || die "gnuplot is missing (scripts/deps.sh --bench)"

	# DEBUG= forces the product build: DEBUG=1 adds a bpf_printk per drop,
	# which would be measured instead of the filter.
	make -C "$ROOT" --no-print-directory \
		B="$B" DEBUG= \
		"$B/xdp_filter.o" "$B/rulectl" "$B/bench_empty.o" \
		"$B/bench_hash.o" "$B/bench_fresh.o" "$B/xf_bench" "$B/bench_gen.o" \
		"$B/bench_drop.o" "$B/xf_gen" "$B/xf_tput" \
		"$B/xf_setgen" "$B/xf_setbench" "$B/bench_setlookup.o" >&2 ||
		die "build failed (see above)"
	# The Rust implementation (rust/build.sh: rustc-web, llvm-22). It is
	# ported on its own schedule: a failed build is reported, not fatal,
	# and xf_bench skips its rows with the reason (no object, or one
	# built for another ABI, told by its map names).
	make -C "$ROOT" --no-print-directory B="$B" rust >&2 ||
		printf '%s: make rust failed (see above): the Rust rows will say why they are skipped\n' "$PROG" >&2

	# xf_bench looks for our objects relative to the project root.
	cd "$ROOT"
	out=$RESULTS
	((quick)) && out=$ROOT/$B/bench-quick
	[[ $B == /* ]] && ((quick)) && out=$B/bench-quick
	mkdir -p "$out"

	# The set rows' set: 1,000,000 IPv4 prefixes, a blocklist mix.
	set4=$(mktemp)
	SET4_FILE=$set4
	trap 'rm -f "$SET4_FILE"' EXIT
	"$B/xf_setgen" mix4 --count 1000000 --seed 1 >"$set4"
	if [[ $only == sets ]]; then
		mb_args=(--sets-only)
		((quick)) && mb_args+=(--quick)
		"$B/xf_bench" "${mb_args[@]}" --objdir "$B" --set4 "$set4" \
			>"$out/micro-sets.md" || die "xf_bench failed"
		cat "$out/micro-sets.md"
	elif [[ $only != e2e ]]; then
		if ((quick)); then
			"$B/xf_bench" --quick --objdir "$B" --set4 "$set4" \
				>"$out/micro.md" || die "xf_bench failed"
		else
			# Write beside the result and rename, so a failed or
			# interrupted run leaves the last good table in place.
			"$B/xf_bench" --objdir "$B" --set4 "$set4" >"$out/micro.md.tmp" || {
				rm -f "$out/micro.md.tmp"
				die "xf_bench failed"
			}
			mv "$out/micro.md.tmp" "$out/micro.md"
		fi
		cat "$out/micro.md"
	fi
	if [[ $only != micro && $only != e2e ]]; then
		sets_args=()
		((quick)) && sets_args+=(--quick)
		"$ROOT/bench/sets.sh" "${sets_args[@]}" --out "$out/sets" ||
			die "source-set benchmark failed"
		cat "$out/sets.md"
	fi
	if [[ $only == sets ]]; then
		((quick)) && e2e_args+=(--quick)
		"$ROOT/bench/e2e.sh" "${e2e_args[@]}" --sets \
			--out "$out/e2e-sets.tmp" || die "end-to-end benchmark failed"
		mv "$out/e2e-sets.tmp.md" "$out/e2e-sets.md"
		rm -f "$out/e2e-sets.tmp.tsv" "$out/e2e-sets.tmp.tput.tsv"
		cat "$out/e2e-sets.md"
		return 0
	fi
	if [[ $only != micro ]]; then
		((quick)) && e2e_args+=(--quick)
		# Under temporary names, renamed once complete (as above).
		"$ROOT/bench/e2e.sh" "${e2e_args[@]}" \
			--out "$out/e2e.tmp" || die "end-to-end benchmark failed"
		mv "$out/e2e.tmp.tsv" "$out/e2e.tsv"
		mv "$out/e2e.tmp.tput.tsv" "$out/e2e.tput.tsv"
		mv "$out/e2e.tmp.tsv.dat" "$out/e2e.dat"
		mv "$out/e2e.tmp.md" "$out/e2e.md"
		cat "$out/e2e.md"
	fi
	# The chart's right half always comes from a full micro run.
	[[ -r $out/e2e.dat ]] && chart "$out/e2e.dat" "$RESULTS/micro.md" "$out/bench.png"
	return 0
}

main "$@"
