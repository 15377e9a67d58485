#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - build and run the micro benchmark (xf_bench, BPF_PROG_TEST_RUN),
# print its markdown table and keep a copy in bench/results/micro.md.
# Timings are reported, never asserted: --quick is a smoke run that only
# proves the benchmark still loads, fills and runs every program.
set -euo pipefail

readonly PROG=${0##*/}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly ROOT
readonly B=${B:-build}
readonly OUT="$ROOT/bench/results/micro.md"

usage() {
	printf 'usage: %s [--quick]\n       %s --help\n' "$PROG" "$PROG"
	printf 'Builds %s/xf_bench and the BPF objects, runs the micro benchmark\n' "$B"
	printf 'and writes its table to stdout and %s.\n' "$OUT"
	printf '  --quick  repeat 100000, 3 rounds (smoke run; the table is\n'
	printf '           not kept, so a real result is never overwritten)\n'
}
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

main() {
	local quick=

	while [[ $# -gt 0 ]]; do
		case $1 in
		--quick) quick=--quick ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	[[ $EUID -eq 0 ]] || die "needs root (BPF_PROG_TEST_RUN loads programs)"

	# DEBUG= forces the product build: DEBUG=1 adds a bpf_printk per drop,
	# which would be measured instead of the filter.
	make -C "$ROOT" --no-print-directory B="$B" DEBUG= \
		"$B/xdp_filter.o" "$B/bench_empty.o" "$B/bench_hash.o" \
		"$B/xf_bench" >&2 || die "build failed (see above)"

	# xf_bench looks for our objects relative to the project root.
	cd "$ROOT"
	if [[ -n $quick ]]; then
		exec "$B/xf_bench" --quick --objdir "$B"
	fi
	# Write beside the result and rename, so a failed or interrupted run
	# leaves the last good table in place.
	mkdir -p "${OUT%/*}"
	"$B/xf_bench" --objdir "$B" >"$OUT.tmp" || {
		rm -f "$OUT.tmp"
		die "xf_bench failed"
	}
	mv "$OUT.tmp" "$OUT"
	cat "$OUT"
}

main "$@"
