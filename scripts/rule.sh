#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rule.sh - add, delete, list and count xdp_filter rules: the command people
# type. A thin wrapper around build/rulectl, whose command table owns the
# commands, their help, validation, messages and exit codes (0 ok, 1 runtime
# failure, 2 bad usage or input); only 'status' is answered here, by
# scripts/attach.sh.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
readonly RULECTL=${RULECTL:-$ROOT/build/rulectl}

# Builds the helper on first use; make deps installs libbpf-dev.
need_rulectl() {
	[[ -x $RULECTL ]] && return 0
	make -s -C "$ROOT" "${RULECTL#"$ROOT"/}" >&2 ||
		{ printf '%s: cannot build %s (run make deps)\n' "$PROG" "$RULECTL" >&2; exit 1; }
}

# rulectl's usage, under this script's name.
usage() {
	need_rulectl
	(exec -a "$PROG" "$RULECTL" --help)
}

main() {
	case ${1-} in
	"") usage >&2; exit 2 ;;
	status) shift; exec "$ROOT/scripts/attach.sh" status "$@" ;;
	esac
	need_rulectl
	exec -a "$PROG" "$RULECTL" "$@"
}

main "$@"
