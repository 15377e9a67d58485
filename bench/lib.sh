# SPDX-License-Identifier: GPL-2.0
# lib.sh - the start the bench scripts that drive rule.sh share (e2e.sh,
# sets.sh), sourced right after their `set -euo pipefail`: PROG (the
# script's name), ROOT (the checkout), B (the build directory, absolute
# because attach.sh reads it too, for the object and rulectl), RULECTL
# (rule.sh runs build/rulectl unless told otherwise: the one built in $B
# matches $B/xdp_filter.o's maps), and die() and log().
# shellcheck shell=bash

readonly PROG=${0##*/}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly ROOT
B=${B:-build}
[[ $B == /* ]] || B=$ROOT/$B
export B
readonly B
RULECTL=${RULECTL:-$B/rulectl}
export RULECTL
readonly RULECTL

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
