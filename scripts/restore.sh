#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# restore.sh - load a saved rules file into the pinned maps: what the
# xdp-filter@IFACE systemd unit runs at boot. Every line is parsed first
# (rulectl check-rule, the same parser as add), and a file with any bad line
# changes nothing. Then the maps converge to the file: rules not in it are
# deleted, missing ones added, rules in both are left alone with their
# counters, and the policy is set. This is a replay, not an atomic swap:
# while it runs a packet can meet a mix of the old and new sets (atomic
# apply is issue 7, item 1).
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
readonly RULECTL=${RULECTL:-$ROOT/build/rulectl}

usage() {
	cat <<USAGE
usage: $PROG [--check] FILE
       $PROG -h | --help
Loads the rules in FILE into the maps of the attached filter. FILE has one
rule per line, written as the arguments of 'rule.sh add':
    8080 tcp
    6000-6100 udp
    22 tcp from 198.18.0.0/15
    any from 2001:db8::/32
and at most one policy line ('policy deny', the default when there is none,
or 'policy allow [ephemeral LO-HI] [dhcp|nodhcp]'). '#' starts a comment;
blank lines are ignored.
Every line is checked before anything changes; a bad line, or two rules that
overlap, is reported as FILE:LINE: reason and nothing is changed (exit 2).
Then rules that are not in FILE are deleted, the missing ones added (rules
in both keep their counters) and the policy set. It is not atomic: during
the replay a packet may see part of the old and part of the new set.
--check only checks FILE (no filter or root needed).
Exit status: 0 ok, 1 runtime failure, 2 bad usage or a bad FILE.
USAGE
}

bad() { printf '%s: %s\n' "$PROG" "$*" >&2; printf "Try '%s --help'.\n" "$PROG" >&2; exit 2; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

RULES=()	# canonical rules, in file order, without duplicates
declare -A LINE_OF=()	# canonical rule -> the line it came from
POLICY=()	# the policy line's words, canonical
BAD=0

# fail LINE REASON - report a bad line of $FILE.
fail() {
	printf '%s:%s: %s\n' "$FILE" "$1" "$2" >&2
	BAD=1
}

# Parses $FILE into RULES and POLICY, reporting every bad line.
parse_file() {
	local n=0 line words canon err policy_line=0

	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		line=${line%%#*}
		read -ra words <<<"$line"
		((${#words[@]})) || continue
		if ! canon=$("$RULECTL" check-rule "${words[@]}" 2>"$TMP"); then
			err=$(head -n 1 "$TMP")
			fail "$n" "${err#*: }"
			continue
		fi
		if [[ $canon == policy\ * ]]; then
			if ((policy_line)); then
				fail "$n" "a second policy line (the first is line $policy_line)"
				continue
			fi
			policy_line=$n
			read -ra POLICY <<<"$canon"
			continue
		fi
		[[ -n ${LINE_OF[$canon]-} ]] && continue	# the same rule twice: once
		LINE_OF[$canon]=$n
		RULES+=("$canon")
	done <"$FILE"
	((${#RULES[@]} < 2)) || check_overlaps
}

# Two rules that claim the same slot cannot both be added: find such pairs
# before anything changes. Each rule becomes one line per protocol it
# covers, keyed by prefix, direction and protocol and sorted by first port;
# within a key, a range that starts before the previous one ended overlaps.
check_overlaps() {
	local r w lo hi dir pfx p pair a b la lb t

	for r in "${RULES[@]}"; do
		read -ra w <<<"$r"
		[[ ${w[0]} == any ]] && continue	# "any from P" twice is one rule
		lo=${w[0]%-*} hi=${w[0]#*-} dir=dst pfx=-
		[[ ${w[2]-} == src ]] && dir=src
		[[ $r == *" from "* ]] && pfx=${r##* from }
		p=${w[1]}
		[[ $p == any ]] && p="tcp udp"
		for p in $p; do
			printf '%s|%s|%s %s %s %s\n' "$pfx" "$dir" "$p" "$lo" "$hi" "$r"
		done
	done | sort -t ' ' -k1,1 -k2,2n |
		awk '{ key = $1; lo = $2 + 0; hi = $3 + 0
			r = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", r)
			if (key == pkey && lo <= phi) print pr "\t" r
			if (key != pkey || hi > phi) { phi = hi; pr = r }
			pkey = key }' >"$TMP"
	while IFS= read -r pair; do
		a=${pair%%$'\t'*} b=${pair#*$'\t'}
		# reported at the later line, naming the earlier one
		la=${LINE_OF[$a]} lb=${LINE_OF[$b]}
		((la < lb)) || { t=$a a=$b b=$t; }
		fail "${LINE_OF[$b]}" "'$b' overlaps '$a' (line ${LINE_OF[$a]})"
	done <"$TMP"
}

# The rules in the maps now, in the syntax check-rule prints.
current_rules() {
	"$RULECTL" list --json | jq -r '.[] |
		if .port == null then "any from \(.prefix)"
		else (if .port == .port_last then "\(.port)" else "\(.port)-\(.port_last)" end)
			+ " \(.proto)" + (if .dir == "src" then " src" else "" end)
			+ (if .prefix then " from \(.prefix)" else "" end)
		end'
}

apply() {
	local r words cur=() ret=0
	local -A want=() have=()

	mapfile -t cur < <(current_rules) || true
	current_rules >/dev/null || exit 1	# list's own message explains
	for r in "${RULES[@]}"; do want[$r]=1; done
	for r in "${cur[@]}"; do have[$r]=1; done
	for r in "${cur[@]}"; do
		[[ -n ${want[$r]-} ]] && continue
		read -ra words <<<"$r"
		"$RULECTL" del "${words[@]}" || ret=1
	done
	((ret == 0)) || die "could not delete every old rule; the maps hold a mix of old and new rules"
	for r in "${RULES[@]}"; do
		[[ -n ${have[$r]-} ]] && continue
		read -ra words <<<"$r"
		"$RULECTL" add "${words[@]}" || ret=1
	done
	((ret == 0)) || die "could not add every rule; the maps hold part of $FILE"
	if ((${#POLICY[@]})); then
		"$RULECTL" "${POLICY[@]}" || die "could not set '${POLICY[*]}'"
	else
		"$RULECTL" policy deny || die "could not set 'policy deny'"
	fi
	echo "$FILE: ${#RULES[@]} rule(s), ${POLICY[*]:-policy deny}"
}

TMP=
FILE=

main() {
	local check=0
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	--check) check=1; shift ;;
	esac
	(($# == 1)) || bad "expected one FILE"
	FILE=$1
	[[ $FILE != -* ]] || bad "unknown option '$FILE'"
	[[ -f $FILE && -r $FILE ]] || die "$FILE: cannot read it"
	[[ -x $RULECTL ]] || die "$RULECTL is not built (run make)"
	TMP=$(mktemp)
	trap 'rm -f "$TMP"' EXIT
	parse_file
	if ((BAD)); then
		echo "$PROG: $FILE: nothing changed" >&2
		exit 2
	fi
	if ((check)); then
		echo "$FILE: ${#RULES[@]} rule(s), ${POLICY[*]:-policy deny}: ok"
		exit 0
	fi
	apply
}

main "$@"
