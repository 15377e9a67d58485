#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Metrics (issue 7, item 5): `rule.sh stats --prometheus` prints the
# per-reason and per-rule counters in the Prometheus text exposition format
# (0.0.4) for node_exporter's textfile collector. The output is checked by
# promtool (Debian's prometheus package) when it is installed, and always
# by the strict checker below, which is itself shown to reject bad input.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" >&3
}

teardown() {
	ns_teardown
}

# check_exposition FILE - strict: every line is a HELP, a TYPE or a sample;
# names and label names are valid; each family has one HELP and one TYPE
# before its samples, and its samples are together; counters are named
# *_total and hold non-negative integers; no series twice; no timestamps.
check_exposition() {
	local line n=0 name labels value fam="" rest lname lvalue seen_l t
	local -A help=() type=() closed=() series=()
	local re_name='[a-zA-Z_:][a-zA-Z0-9_:]*'
	local re_label='^([a-zA-Z_][a-zA-Z0-9_]*)="((\\[\\"n]|[^"\\])*)"(,|$)(.*)$'

	[[ -s $1 && $(tail -c 1 "$1" | od -An -c) == *'\n'* ]] || { echo "empty, or no final newline"; return 1; }
	while IFS= read -r line; do
		n=$((n + 1))
		if [[ $line =~ ^#\ HELP\ ($re_name)\ ([^[:space:]].*)$ ]]; then
			name=${BASH_REMATCH[1]}
			[[ -z ${help[$name]-} ]] || { echo "$n: second HELP for $name"; return 1; }
			[[ -z ${closed[$name]-} && $name != "$fam" ]] || { echo "$n: HELP after samples of $name"; return 1; }
			help[$name]=1
		elif [[ $line =~ ^#\ TYPE\ ($re_name)\ (counter|gauge|histogram|summary|untyped)$ ]]; then
			name=${BASH_REMATCH[1]}
			[[ -z ${type[$name]-} ]] || { echo "$n: second TYPE for $name"; return 1; }
			[[ -z ${closed[$name]-} && $name != "$fam" ]] || { echo "$n: TYPE after samples of $name"; return 1; }
			type[$name]=${BASH_REMATCH[2]}
			if [[ ${type[$name]} == counter && $name != *_total ]]; then
				echo "$n: counter $name is not named *_total"; return 1
			fi
		elif [[ $line =~ ^($re_name)(\{([^}]*)\})?\ ([^ ]+)$ ]]; then
			name=${BASH_REMATCH[1]} labels=${BASH_REMATCH[3]} value=${BASH_REMATCH[4]}
			[[ -n ${type[$name]-} && -n ${help[$name]-} ]] || { echo "$n: $name has no TYPE or HELP before it"; return 1; }
			[[ -z ${closed[$name]-} ]] || { echo "$n: samples of $name are not together"; return 1; }
			if [[ -n $fam && $fam != "$name" ]]; then closed[$fam]=1; fi
			fam=$name
			rest=$labels seen_l=","
			if [[ -n ${BASH_REMATCH[2]} ]]; then
				[[ -n $rest ]] || { echo "$n: empty braces"; return 1; }
				while [[ -n $rest ]]; do
					[[ $rest =~ $re_label ]] || { echo "$n: bad label in '$rest'"; return 1; }
					lname=${BASH_REMATCH[1]} lvalue=${BASH_REMATCH[2]} t=${BASH_REMATCH[4]}
					rest=${BASH_REMATCH[5]}
					[[ $lname != __* ]] || { echo "$n: reserved label name $lname"; return 1; }
					[[ $seen_l != *",$lname,"* ]] || { echo "$n: label $lname twice"; return 1; }
					[[ -n $lvalue ]] || { echo "$n: empty value for $lname (leave it out)"; return 1; }
					[[ $t == , || -z $rest ]] || { echo "$n: junk after label $lname"; return 1; }
					[[ $t != , || -n $rest ]] || { echo "$n: trailing comma"; return 1; }
					seen_l+="$lname,"
				done
			fi
			[[ -z ${series["$name{$labels}"]-} ]] || { echo "$n: series $name{$labels} twice"; return 1; }
			series["$name{$labels}"]=1
			if [[ ${type[$name]} == counter || ${type[$name]} == gauge ]]; then
				[[ $value =~ ^(0|[1-9][0-9]*)$ ]] || { echo "$n: $name value '$value' is not a non-negative integer"; return 1; }
			fi
		else
			echo "$n: not HELP, TYPE or a sample (timestamp?): $line"; return 1
		fi
	done <"$1"
	for name in "${!type[@]}"; do
		[[ -n ${help[$name]-} ]] || { echo "$name has TYPE but no HELP"; return 1; }
	done
}

# prom_value FILE SERIES - the value of exactly that series line.
prom_value() {
	awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2) }' "$1"
}

@test "stats --prometheus: usage, bad arguments exit 2 and touch nothing" {
	run -0 "$B/rulectl" --help
	[[ $output == *"stats [--json|--prometheus]"* ]]
	run -2 --separate-stderr "$RULE" stats --prometheus --json
	[[ $stderr == *"unexpected argument '--json'"* && -z $output ]]
	run -2 --separate-stderr "$RULE" stats --xml
	[[ $stderr == *"bad argument '--xml' (expected --json or --prometheus)"* ]]
	run -2 --separate-stderr "$RULE" stats prometheus
	[[ $stderr == *"bad argument 'prometheus'"* ]]
}

@test "the strict checker rejects what the format forbids" {
	local f=$BATS_TEST_TMPDIR/bad.prom good
	good=$'# HELP a_total A.\n# TYPE a_total counter\na_total{reason="x"} 1\n'
	printf '%s' "$good" >"$f"
	check_exposition "$f"
	local bad
	for bad in \
		$'a_total{reason="x"} 1\n' \
		$'# TYPE a_total counter\na_total 1\n' \
		$'# HELP a A.\n# TYPE a counter\na 1\n' \
		"${good}a_total{reason=\"x\"} 2"$'\n' \
		"${good}"$'# HELP b B.\n# TYPE b gauge\nb 1\na_total{reason="y"} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total{reason="x} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total{1reason="x"} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total{__r="x"} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total{r="x",r="y"} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total{r="x",} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total{r=""} 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total -1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total 1.5\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total 1 1700000000000\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\n\na_total 1\n' \
		$'# HELP a_total A.\n# TYPE a_total counter\na_total 1' \
		$'# HELP a-b_total A.\n# TYPE a-b_total counter\na-b_total 1\n'; do
		printf '%s' "$bad" >"$f"
		run -1 check_exposition "$f"
	done
}

@test "stats --prometheus: per-reason and per-rule counters match the traffic (real traffic)" {
	ns_setup
	attach_filter
	run -0 rule add 8080 tcp
	run -0 rule add 6000-6100 udp
	run -0 rule add 53 any src
	run -0 rule add 22 tcp from 198.18.0.0/24
	run -0 rule add any from 2001:db8::/32
	run -0 rule add 9 udp limit 5/s per-source
	refute_reaches tcp 8080
	refute_reaches udp 6050
	assert_reaches tcp 8081
	local f=$BATS_TEST_TMPDIR/xdp_filter.prom
	in_ns "$RULE" stats --prometheus >"$f"
	cat "$f"
	check_exposition "$f"
	# the rule counters are the ones list shows, the reasons the ones stats shows
	local s
	s='xdp_filter_rule_packets_total{rule="8080 tcp",port="8080",proto="tcp",dir="dst"}'
	[[ $(prom_value "$f" "$s") == "$(rule_packets 8080 tcp)" && $(prom_value "$f" "$s") -ge 1 ]]
	s='xdp_filter_rule_bytes_total{rule="6000-6100 udp",port="6000-6100",proto="udp",dir="dst"}'
	[[ $(prom_value "$f" "$s") == "$(rule list --json | jq '.[] | select(.port == 6000) | .bytes')" ]]
	[[ $(prom_value "$f" "$s") -ge 1 ]]
	s='xdp_filter_packets_total{reason="dropped",action="drop"}'
	[[ $(prom_value "$f" "$s") == "$(reason_packets dropped)" && $(prom_value "$f" "$s") -ge 2 ]]
	[[ $(prom_value "$f" 'xdp_filter_packets_total{reason="passed",action="pass"}') -ge 1 ]]
	[[ $(prom_value "$f" 'xdp_filter_rules') == 6 ]]
	# labels: a source-port rule, a prefix rule, an "any from" rule
	grep -qxF 'xdp_filter_rule_packets_total{rule="53 any src",port="53",proto="any",dir="src"} 0' "$f"
	grep -qxF 'xdp_filter_rule_packets_total{rule="22 tcp from 198.18.0.0/24",port="22",proto="tcp",dir="dst",prefix="198.18.0.0/24"} 0' "$f"
	grep -qxF 'xdp_filter_rule_packets_total{rule="any from 2001:db8::/32",proto="any",prefix="2001:db8::/32"} 0' "$f"
	# every reason, both families
	[[ $(grep -c '^xdp_filter_packets_total{reason=' "$f") -eq 11 ]]
	[[ $(grep -c '^xdp_filter_bytes_total{reason=' "$f") -eq 11 ]]
	grep -qxF 'xdp_filter_packets_total{reason="limited",action="drop"} 0' "$f"
	# a limit rule's limited packets, for limit rules only
	grep -qxF 'xdp_filter_rule_limited_total{rule="9 udp limit 5/s per-source",port="9",proto="udp",dir="dst"} 0' "$f"
	[[ $(grep -c '^xdp_filter_rule_limited_total{' "$f") -eq 1 ]]
	[[ $(grep -c '^xdp_filter_rule_bytes_total{' "$f") -eq 6 ]]
}

@test "promtool check metrics accepts the output, with and without rules" {
	command -v promtool >/dev/null || skip "no promtool (apt-get install prometheus)"
	ns_setup
	attach_filter
	local f=$BATS_TEST_TMPDIR/xdp_filter.prom
	in_ns "$RULE" stats --prometheus >"$f"
	check_exposition "$f"
	run -0 promtool check metrics <"$f"
	[[ -z $output ]]			# no lint warning either
	grep -qx 'xdp_filter_rules 0' "$f"
	run -0 rule add 8080 tcp
	run -0 rule add 22 tcp from fd00::/64
	run -0 rule add any from 198.18.0.0/16
	refute_reaches tcp 8080 6
	in_ns "$RULE" stats --prometheus >"$f"
	run -0 promtool check metrics <"$f"
	[[ -z $output ]]
	# and promtool does complain about what it should
	sed 's/xdp_filter_rule_packets_total/xdp_filter_rule_packets/' "$f" >"$f.bad"
	run -3 promtool check metrics <"$f.bad"
	[[ $output == *'should have "_total" suffix'* ]]
}

@test "stats --prometheus without an attached filter: exit 1, nothing on stdout" {
	ns_setup
	run -1 --separate-stderr rule stats --prometheus
	[[ -z $output && -n $stderr ]]
}
