#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sets.sh - the source-set benchmarks that are not packet floods (those are
# e2e.sh's set_* rows, the per-packet cost xf_bench's set rows):
#   1. the prefix files (xf_setgen, fixed seeds): 1,000,000 IPv4 prefixes
#      in a blocklist mix, 1,000,000 random IPv4 /32s, 250,000 IPv6;
#   2. xf_setbench: ns per lookup with a random source each time, the
#      product's set against a kernel LPM trie of the same prefixes;
#   3. what an operator waits for: `rule.sh set NAME load FILE` of each
#      file, a reload that changes 1% of the prefixes, and the memory
#      `rule.sh set list --json` reports, with xdp_filter attached to a veth
#      in private namespaces (netns/private.sh: the host's pins, links and
#      interfaces are never seen).
# Output: the markdown in OUT.md (and the prefix files in a temporary
# directory, removed at the end). Timings are reported, never asserted.
set -euo pipefail

# PROG, ROOT, B, RULECTL, die(), log()
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
readonly NAME=xfsets
readonly N4=1000000 N6=250000

usage() {
	cat <<USAGE
usage: $PROG [--quick] --out PREFIX
       $PROG --help
Generates the prefix files, times set lookups (xf_setbench) and set loads
(rule.sh set NAME load) and writes PREFIX.md.
  --quick   100,000 IPv4 and 25,000 IPv6 prefixes, fewer lookups and rounds
USAGE
}

# gen KIND COUNT SEED FILE: one prefix file.
gen() { "$B/xf_setgen" "$1" --count "$2" --seed "$3" >"$4"; }

# The seconds a command takes, to the millisecond.
timed() {
	local t0 t1

	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1e9 }'
}

# FILE with 1% of its lines replaced by new prefixes of the same kind.
changed() {
	local file=$1 kind=$2 out=$3 n

	n=$(($(wc -l <"$file") / 100))
	{
		awk -v n="$n" 'NR > n' "$file"
		"$B/xf_setgen" "$kind" --count "$n" --seed 99
	} >"$out"
}

# ---- inside the private namespaces --------------------------------------

# One row: load FILE into set NAME (new), reload it changed by 1%, the
# memory and counts set list reports. KIND is xf_setgen's.
load_row() {
	local label=$1 kind=$2 file=$3 set=$4 t_load t_reload json

	changed "$file" "$kind" "$file.1pct"
	t_load=$(timed "$ROOT/scripts/rule.sh" set "$set" load "$file")
	t_reload=$(timed "$ROOT/scripts/rule.sh" set "$set" load "$file.1pct")
	json=$("$ROOT/scripts/rule.sh" set list --json)
	jq -r --arg s "$set" --arg l "$label" --arg t "$t_load" --arg r "$t_reload" \
		--argjson n "$(wc -l <"$file")" '
		map(select(.name == $s))[0] |
		"| \($l) | \($n) | \(.ipv4) | \(.ipv6) | \($t) s | \($r) s | \((.memory_bytes / 1048576 * 10 | round) / 10) MiB |"' <<<"$json"
}

inner() {
	local dir=$1

	"$ROOT/netns/topo.sh" up "$NAME" 0 >&2
	"$ROOT/scripts/attach.sh" attach "${NAME}a" native >/dev/null
	load_row "IPv4 blocklist mix" mix4 "$dir/mix4.txt" blmix
	load_row "IPv4 random /32s" rand4 "$dir/rand4.txt" blrand
	load_row "IPv6 mix" mix6 "$dir/mix6.txt" bl6
	"$ROOT/scripts/attach.sh" detach "${NAME}a" >/dev/null
}

# ---- outside ------------------------------------------------------------

main() {
	local quick=0 out="" dir n4=$N4 n6=$N6 sb_args=()

	while [[ $# -gt 0 ]]; do
		case $1 in
		--quick) quick=1 ;;
		--out) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; out=$2; shift ;;
		--inner) shift; inner "$@"; exit ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	[[ -n $out ]] || { usage >&2; exit 2; }
	[[ $EUID -eq 0 ]] || die "needs root (BPF_PROG_TEST_RUN, namespaces, XDP)"
	((quick)) && { n4=$((N4 / 10)); n6=$((N6 / 10)); sb_args=(--quick); }
	local f
	for f in xf_setgen xf_setbench bench_setlookup.o xdp_filter.o rulectl; do
		[[ -e $B/$f ]] || die "$B/$f is not built (bench/run.sh builds it)"
	done
	command -v jq >/dev/null || die "jq is missing (scripts/deps.sh --bench)"

	dir=$(mktemp -d)
	TMPDIR_SETS=$dir
	trap 'rm -rf "$TMPDIR_SETS"' EXIT
	log "prefix files: $n4 IPv4 (mix, random /32), $n6 IPv6"
	gen mix4 "$n4" 1 "$dir/mix4.txt"
	gen rand4 "$n4" 2 "$dir/rand4.txt"
	gen mix6 "$n6" 3 "$dir/mix6.txt"
	mkdir -p "${out%/*}"
	{
		"$B/xf_setbench" "${sb_args[@]}" --objdir "$B" \
			--mix4 "$dir/mix4.txt" --rand4 "$dir/rand4.txt" \
			--mix6 "$dir/mix6.txt" || die "xf_setbench failed"
		printf '\n### Source sets: load, reload, memory (rule.sh)\n\n'
		# shellcheck disable=SC2016 # markdown backquotes
		printf '`rule.sh set NAME load FILE` of each file into a new set, then of the same file with 1%% of its lines replaced (the reload: the whole set is rebuilt in the slots packets do not use and switched in one write), with xdp_filter attached to a veth in private namespaces; wall-clock seconds of the whole command (rulectl reads, merges, builds and writes the set). Counts and memory as `rule.sh set list --json` reports them (the set'"'"'s inner maps, as the kernel charges them).\n\n'
		printf '| prefixes | lines in the file | IPv4 (merged, after the reload) | IPv6 (merged, after the reload) | load | reload, 1%% changed | memory, after the reload |\n'
		printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
		timeout 600 "$ROOT/netns/private.sh" "$0" --inner "$dir" ||
			die "the load measurement failed"
	} >"$out.md.tmp"
	mv "$out.md.tmp" "$out.md"
}

main "$@"
