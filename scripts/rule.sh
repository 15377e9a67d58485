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
usage: $PROG add RULE              add a rule (add_rule is an alias, the Rex example's spelling)
       $PROG del RULE              remove exactly that rule
       $PROG flush                 remove every rule
       $PROG list [--json]         one line per rule: PORTS PROTO PACKETS BYTES [src] [from PREFIX] [log N/s]
       $PROG stats [--json|--prometheus]  packets and bytes per verdict reason and rule
       $PROG apply FILE|- [--dry-run | --confirm SECS | --check]
                                   replace the rule set and policy with FILE's in one
                                   atomic switch; --dry-run prints the difference;
                                   --confirm rolls back after SECS unless confirm runs;
                                   --check only checks FILE
       $PROG save                  print the rule set and policy as a file for apply
       $PROG confirm               keep the set of the last apply --confirm
       $PROG rollback              go back now to the set it replaced
       $PROG monitor [--json] [--count N] [--timeout SECS]
                                   one line per dropped packet of a rule with 'log'
       $PROG status [--json]       interfaces, program, rules, map memory, totals
       $PROG check-rule RULE       parse RULE (or "policy ...") and print it; change nothing
       $PROG policy [--json]       show the policy
       $PROG policy deny           rules drop, everything else passes (the default)
       $PROG policy allow [ephemeral LO-HI] [dhcp|nodhcp]
                                   rules open, other new TCP/UDP flows drop
       $PROG version               print the version (status prints it too)
       $PROG -h | --help
RULE:
  PORTS tcp|udp|any [dst|src] [from PREFIX] [log [N/s]]
      PORTS is 8080 or a range 6000-6100; any = tcp and udp; src matches the
      source port instead of the destination; from limits it to a source
      prefix (198.18.0.0/15, 2001:db8::/32); log sends each drop to the drop
      log (see monitor), at most N a second (default 10/s, up to 100000/s)
  any from PREFIX [log [N/s]]
      every packet from PREFIX
  Examples: add 8080 tcp, add 6000-6100 udp, add 53 any, add 53 udp src,
            add 22 tcp from 198.18.0.0/15 log, add any from 2001:db8::/32
FILE (apply, save): one RULE per line, at most one 'policy ...' line, '#'
comments, blank lines. A bad line changes nothing and is reported as
FILE:LINE: why. save | apply - changes nothing.
Rules live in the maps pinned under /sys/fs/bpf/tc/globals: attach the
filter first (make attach DEV=IF). Changes apply at once, no reload needed.
Exit status: 0 ok, 1 runtime failure, 2 bad usage or input.
USAGE
}

main() {
	case ${1-} in
	-h | --help | help) usage; exit 0 ;;
	add | add_rule | del | flush | list | stats | policy | check-rule | apply | save | confirm | rollback | monitor | version) ;;
	status) shift; exec "$ROOT/scripts/attach.sh" status "$@" ;;
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
