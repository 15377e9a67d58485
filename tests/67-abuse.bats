#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Bad input and abuse (issue 6, items 5 and 6): a seeded argv fuzzer runs
# 3,000 command lines (10,000 with make fuzz: about 8 minutes, kept out of
# make test's time) through rulectl built with AddressSanitizer and
# UndefinedBehaviorSanitizer (and every tenth through rule.sh): nothing
# crashes, every failure says why, and no failing command changes the state.
# The pins are root-only, a non-root user gets one clear line, and a full
# rule table (or prefix-port table) is refused with the rules untouched.
#
# Replay a fuzz run: XF_FUZZ_SEED=N bats tests/67-abuse.bats (the seed is
# printed); XF_FUZZ_CASES=N changes the count (make fuzz FUZZ_CASES=N).

load helpers

FUZZ=$B/argvfuzz
STATE=$B/xfstate
ASAN_RULECTL=$B/asan/rulectl
PIN=/sys/fs/bpf/tc/globals

setup_file() {
	make -s -C "$XF_ROOT" all "$B/argvfuzz" "$B/xfstate" "$B/asan/rulectl" >&3
}

setup() {
	ns_setup
}

teardown() {
	ns_teardown
}

as_nobody() {
	in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

@test "the ASan/UBSan build of rulectl is one" {
	run -0 ldd "$ASAN_RULECTL"
	[[ $output == *libasan* && $output == *libubsan* ]]
	run -0 "$ASAN_RULECTL" --help
	[[ $output == *"usage:"* ]]
}

@test "argv fuzzer: 3,000 cases (make fuzz: 10,000), no crash, no silent failure, no state change on failure" {
	OBJ=$OBJ in_ns "$ATTACH" attach lo generic >/dev/null	# no traffic on lo
	local r
	for r in "8080 tcp" "6000-6100 udp" "53 udp src" "22 tcp from 198.18.0.0/15" \
		"any from 2001:db8::/32" "443 any from 203.0.113.0/24"; do
		# shellcheck disable=SC2086 # one rule, several words
		rule add $r
	done
	local cases=${XF_FUZZ_CASES:-3000} seed=()
	[[ -n ${XF_FUZZ_SEED-} ]] && seed=(-s "$XF_FUZZ_SEED")
	run --separate-stderr in_ns timeout 600 env \
		RULECTL="$ASAN_RULECTL" \
		ASAN_OPTIONS=exitcode=99:detect_leaks=0:abort_on_error=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98 \
		"$FUZZ" "${seed[@]}" -n "$cases" -L 25 -S "$RULE" "$ASAN_RULECTL"
	echo "# ${lines[0]-}" >&3
	echo "# ${lines[-1]-}" >&3
	[[ -z $stderr ]] || { echo "$stderr"; false; }
	((status == 0))
	[[ ${lines[-1]} =~ ^cases\ ([0-9]+)\ .*crashes\ 0\ silent\ 0\ state_changes\ 0\  ]]
	((BASH_REMATCH[1] >= cases))
	[[ ${lines[-1]} =~ via_rule_sh\ ([0-9]+) ]] && ((BASH_REMATCH[1] >= cases / 10))
	# the rule set is still readable and consistent
	run -0 in_ns "$STATE" check
}

@test "the pins are root-only: maps 0600, directories 0700" {
	attach_filter
	# shellcheck disable=SC2016 # the glob expands inside the namespace
	run -0 in_ns sh -c 'stat -c "%a %U %n" "$1" "${1%/*}" "$1"/xf_*' sh "$PIN"
	echo "$output"
	local line
	for line in "${lines[@]}"; do
		case $line in
		"700 root "*/tc | "700 root "*/globals) ;;
		"600 root "*/xf_*) ;;
		*) echo "not root-only: $line"; false ;;
		esac
	done
	[[ ${#lines[@]} -ge 10 ]]	# the two directories and every map
}

@test "a non-root user gets one clear line, not a stack of libbpf errors" {
	attach_filter
	rule add 8080 tcp
	local cmd
	for cmd in "list" "list --json" "stats" "add 9090 udp" "del 8080 tcp" "flush" "policy" "policy allow"; do
		# shellcheck disable=SC2086 # the words of one command
		run -1 --separate-stderr as_nobody "$RULE" $cmd
		echo "rule.sh $cmd: $stderr"
		[[ ${#stderr} -gt 0 && $stderr != *$'\n'* ]]	# one line
		[[ $stderr == *root* ]]
		[[ $stderr != *libbpf* ]]
		# shellcheck disable=SC2086
		run -1 --separate-stderr as_nobody "$B/rulectl" $cmd
		[[ $stderr == *root* && $stderr != *$'\n'* ]]
	done
	# validation comes first: bad input is still exit 2, help still works
	run -2 --separate-stderr as_nobody "$RULE" add 0 tcp
	[[ $stderr == *"bad port '0'"* ]]
	run -0 as_nobody "$RULE" --help
	run -1 --separate-stderr as_nobody "$ATTACH" attach "$XF_A"
	[[ $stderr == *root* ]]
	# nothing changed
	run -0 rule list
	[[ $output == "8080 tcp 0 0" ]]
}

@test "a full rule table gets a clear error and the rules there are untouched" {
	attach_filter
	# XF_MAX_RULES - 1 = 32767 rules "PORT tcp", ports 20000-52766, with
	# xf_rule_add() under one lock (one rulectl per rule takes minutes)
	run -0 in_ns "$STATE" fill 32767 20000
	[[ $output == "added 32767" ]]
	run -0 in_ns "$STATE" hash
	local before=$output
	run -1 --separate-stderr rule add 1 udp
	[[ $stderr == *"rule table full (32767 rules)"* ]]
	[[ ${#stderr} -gt 0 && $stderr != *$'\n'* ]]
	run -0 in_ns "$STATE" hash
	[[ $output == "$before" ]]
	run -0 in_ns "$STATE" check
	[[ $output == "ok 32767 rules" ]]
	# re-adding an existing rule is still a no-op, deleting one frees a place
	run -0 rule add 20000 tcp
	run -0 rule del 52766 tcp
	run -0 rule add 1 udp
	run -1 --separate-stderr rule add 2 udp
	[[ $stderr == *"rule table full"* ]]
	run -0 rule list
	[[ ${#lines[@]} -eq 32767 && ${lines[0]} == "1 udp 0 0" ]]
	# and the filter still obeys a rule at the end of the table
	assert_reaches udp 52766
	run -0 rule del 20001 tcp
	run -0 rule add 52766 udp
	refute_reaches udp 52766
}

@test "a full prefix-port table gets a clear error and the rules there are untouched" {
	attach_filter
	# 2 x 131070 of the 262144 prefix port slots
	run -0 rule add 1-65535 any from 10.0.0.0/8
	run -0 rule add 1-65535 any from 10.1.0.0/16
	run -0 rule add 80 tcp
	run -0 in_ns "$STATE" hash
	local before=$output
	run -1 --separate-stderr rule add 1-10 any from 10.2.0.0/16
	[[ $stderr == *"table full"* ]]
	run -0 in_ns "$STATE" hash
	[[ $output == "$before" ]]
	run -0 in_ns "$STATE" check
	[[ $output == "ok 3 rules" ]]
	run -0 rule add 1-2 any from 10.2.0.0/16		# the 4 slots left
	run -0 in_ns "$STATE" check
	[[ $output == "ok 4 rules" ]]
}

@test "make status shows the memory of every map and the total" {
	attach_filter
	run -0 in_ns make -s -C "$XF_ROOT" status
	local m
	for m in xf_ports xf_pfx4 xf_pfx6 xf_pports xf_rcount xf_stats xf_config xf_rdesc; do
		[[ $output =~ $m\ +[0-9]+\ bytes ]] || { echo "no memory line for $m"; false; }
	done
	[[ $output =~ map\ memory:\ ([0-9]+)\ bytes ]]
	# xf_ports alone is 262144 x 4 B = 1 MiB
	((BASH_REMATCH[1] > 1048576))
}
