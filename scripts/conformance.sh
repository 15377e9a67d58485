#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# conformance.sh - `make conformance`: the long differential run, the same
# seeded frames and rule sets against both implementations and the model.
set -euo pipefail

readonly PROG=${0##*/}

usage() { echo "usage: $PROG BUILD_DIR FRAMES [SEED]   (make conformance [SEED=N] [CONFORM_FRAMES=N])"; }

main() {
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	esac
	[[ $# -ge 2 && $# -le 3 ]] || { usage >&2; exit 2; }
	local b=$1 frames=$2 seed=${3-} obj rc=0
	[[ $frames =~ ^[1-9][0-9]*$ ]] || { echo "$PROG: bad frame count '$frames'" >&2; exit 2; }
	[[ -z $seed || $seed =~ ^[0-9]+$ ]] || { echo "$PROG: bad seed '$seed'" >&2; exit 2; }
	[[ -n $seed ]] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	echo "seed $seed (replay: make conformance SEED=$seed)"
	for obj in "$b/xdp_filter.o" "$b/xdp_filter_rs.o"; do
		"$b/xf_conform" --obj "$obj" --frames "$frames" --seed "$seed" || rc=1
	done
	exit "$rc"
}

main "$@"
