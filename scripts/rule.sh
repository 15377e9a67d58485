#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rule.sh - add, delete, list and count xdp_filter rules: the command people
# type. A thin wrapper around build/rulectl, which owns validation, messages
# and exit codes (0 ok, 1 runtime failure, 2 bad usage or input).
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
readonly RULECTL=${RULECTL:-$ROOT/build/rulectl}

usage() {
	cat <<USAGE
usage: $PROG add PORT tcp|udp      drop packets to destination PORT (1-65535)
       $PROG del PORT tcp|udp      remove that rule
       $PROG flush                 remove every rule
       $PROG list [--json]         one line per rule: PORT PROTO PACKETS BYTES
       $PROG stats [--json]        packets and bytes per verdict reason
       $PROG add_rule PORT PROTO   alias of add (the Rex example's spelling)
       $PROG -h | --help
Rules live in the maps pinned under /sys/fs/bpf/tc/globals: attach the
filter first (make attach DEV=IF). Changes apply at once, no reload needed.
Exit status: 0 ok, 1 runtime failure, 2 bad usage or input.
USAGE
}

main() {
	case ${1-} in
	-h | --help | help) usage; exit 0 ;;
	add | add_rule | del | flush | list | stats) ;;
	"") usage >&2; exit 2 ;;
	*)
		printf "%s: unknown command '%s'\nTry '%s --help'.\n" "$PROG" "$1" "$PROG" >&2
		exit 2
		;;
	esac
	if [[ ! -x $RULECTL ]]; then
		# Build the helper on first use; make deps installs libbpf-dev.
		make -s -C "$ROOT" "${RULECTL#"$ROOT"/}" >&2 ||
			{ printf '%s: cannot build %s (run make deps)\n' "$PROG" "$RULECTL" >&2; exit 1; }
	fi
	exec -a "$PROG" "$RULECTL" "$@"
}

main "$@"
