#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - what `make test` runs: build everything the suites need, run
# every bats file under tests/, and end with one summary line
# "N passed, N failed[, N skipped]". Exit status 0 only when nothing failed.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT

usage() {
	cat <<USAGE
usage: $PROG [FILE.bats ...]
       $PROG --more
Runs the given bats files (default: all of tests/*.bats but the long
ones below), then the suites that exercise the filter on the packet path
again against the Rust implementation (XF_IMPL=rust; those tests are named
"[rust] ..."), and prints a summary line. --more runs what make test
leaves out to stay under 40 minutes (make test-more; CI runs both): the
fleet suite, and the Rust reruns of the traffic suites whose parsing and
rule forms the verdict and conformance suites already check for Rust.
Run as root: tests that need the kernel skip otherwise.
USAGE
}

# The suites make test runs again against the Rust implementation; the
# suites only --more runs, in C and against the Rust implementation.
readonly RUST_CORE=(20-traffic 50-verdicts 63-stateful 64-limits 65-live 69-atomic)
readonly C_MORE=(78-fleet)
readonly RUST_MORE=(25-rules 30-vlan 40-fragments 45-jumbo 59-sets 62-tiers 71-log)

# suites NAME... - the bats files of the named suites.
suites() {
	local n
	for n in "$@"; do printf '%s\n' "$ROOT/tests/$n.bats"; done
}

# default_files - every bats file under tests/ but those of C_MORE.
default_files() {
	local f n more
	for f in "$ROOT"/tests/*.bats; do
		n=${f##*/}
		for more in "${C_MORE[@]}"; do
			[[ $n == "$more.bats" ]] && continue 2
		done
		printf '%s\n' "$f"
	done
}

LOG=

main() {
	local files=() rc=0 passed failed skipped
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	esac
	local both=()
	if [[ ${1-} == --more ]]; then
		mapfile -t files < <(suites "${C_MORE[@]}")
		mapfile -t both < <(suites "${RUST_MORE[@]}")
	elif (($#)); then
		files=("$@")
	else
		mapfile -t files < <(default_files)
		mapfile -t both < <(suites "${RUST_CORE[@]}")
	fi
	[[ $EUID -eq 0 ]] || echo "$PROG: not root: tests that need the kernel will be skipped" >&2

	make -s -C "$ROOT" all rust test-tools
	LOG=$(mktemp)
	trap 'rm -f "$LOG"' EXIT
	: >"$LOG"
	if ((${#files[@]})); then
		XF_IMPL=c bats --formatter tap --timing "${files[@]}" </dev/null | tee "$LOG" || rc=$?
	fi
	if ((${#both[@]})); then
		echo "# the same traffic and verdict suites against the Rust implementation"
		XF_IMPL=rust bats --formatter tap --timing "${both[@]}" </dev/null |
			sed -E 's/^(not )?ok ([0-9]+) /&[rust] /' | tee -a "$LOG" || rc=$?
	fi

	passed=$(grep -cE '^ok [0-9]+ ' "$LOG" || true)
	skipped=$(grep -cE '^ok [0-9]+ .*# skip' "$LOG" || true)
	failed=$(grep -cE '^not ok [0-9]+ ' "$LOG" || true)
	passed=$((passed - skipped))
	if ((rc != 0 && failed == 0)); then
		failed=1	# bats itself failed (a file did not load, ...)
		echo "$PROG: bats exited with status $rc" >&2
	fi
	if ((skipped)); then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	((failed == 0))
}

main "$@"
