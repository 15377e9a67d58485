#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Rate limits as the tools see them (issue 15): the 'limit N/s [burst B]
# [per-source [LEN]]' syntax and its bad values (exit 2, the value named,
# nothing changed), list, list --json, limits, save and apply round trips,
# what the store writes for a limit rule (its xf_limit entry, the slot's
# limit bit, the tier), the per-source table that exists only while a
# per-source rule does, and the counters and metrics of limited packets
# (a handful of datagrams: the limits under real load are the traffic
# suites').

# shellcheck disable=SC2154 # bats' run sets stderr
load helpers

SEQ=$B/sequdp
G=/sys/fs/bpf/tc/globals

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" "$B/sequdp" "$B/xfstate" >&3
}

teardown() {
	ns_teardown
}

# state - what a refused command must leave as it was: the rule set as
# save prints it (without its time-stamped header), the limit rules and
# the per-source table, and the xf_limit entries of ids 1 to 4.
state() {
	local id
	rule save | grep -v '^# xdp_filter rule set'
	rule limits --json
	for id in 1 2 3 4; do limit_entry "$id"; done
}

# limit_entry ID - rule id's struct xf_limit, from its raw bytes (needs no
# BTF): "interval_ns burst_ns tat gen per_source plen4 plen6 coarse".
limit_entry() {
	local v
	# shellcheck disable=SC2207 # one word per byte
	v=($(in_ns bpftool -j map lookup pinned "$G/xf_limit" key "$1" 0 0 0 | jq -r '.value[]'))
	((${#v[@]} == 32)) || { echo "xf_limit[$1]: ${#v[@]} bytes" >&2; return 1; }
	echo "$(le v 0 8) $(le v 8 8) $(le v 16 8) $(le v 24 4) $((v[28])) $((v[29])) $((v[30])) $((v[31]))"
}

# le ARRAY OFFSET LEN - the little-endian number in bytes OFFSET.. of the
# array named ARRAY (hex words such as 0x1f).
le() {
	local -n b=$1
	local i n=0
	for ((i = $2 + $3 - 1; i >= $2; i--)); do
		n=$((n << 8 | b[i]))
	done
	echo "$n"
}

# lsrc_map - the id of the per-source table in xf_lsrc[0], as the kernel
# has it (bpftool, not rulectl), or nothing when the slot is empty.
lsrc_map() {
	local out
	out=$(in_ns bpftool -j map lookup pinned "$G/xf_lsrc" key 0 0 0 0 2>/dev/null) || return 0
	jq -r '.value | map(ltrimstr("0x")) | reverse | join("")' <<<"$out" |
		while read -r hex; do echo $((16#$hex)); done
}

# slot_value PORT - xf_ports of rule set 0's UDP destination slot PORT.
slot_value() {
	local v key=$((65536 + $1))
	# shellcheck disable=SC2207
	v=($(in_ns bpftool -j map lookup pinned "$G/xf_ports" key \
		$((key & 255)) $((key >> 8 & 255)) $((key >> 16 & 255)) 0 | jq -r '.value[]'))
	le v 0 4
}

@test "limit syntax: the canonical form, burst and LEN only when not the default" {
	canonical_forms <<'CASES'
22 tcp limit 5/s per-source|22 tcp limit 5/s per-source
22 tcp limit 5/s burst 5 per-source 32|22 tcp limit 5/s per-source
53 udp limit 2000/s burst 4000|53 udp limit 2000/s burst 4000
80 tcp from 198.18.0.0/15 limit 100/s per-source 24|80 tcp from 198.18.0.0/15 limit 100/s per-source 24
80 tcp from fd00::/16 limit 1/s per-source 64|80 tcp from fd00::/16 limit 1/s per-source
80 tcp from fd00::/16 limit 1/s per-source 128|80 tcp from fd00::/16 limit 1/s per-source 128
6000-6100 any src log 3/s limit 10000000/s burst 1 per-source 1|6000-6100 any src log 3/s limit 10000000/s burst 1 per-source 1
CASES
	# control: without limit, a rule is what it was
	run -0 "$B/rulectl" check-rule 22 tcp log
	[[ $output == "22 tcp log" ]]
}

@test "bad limit values exit 2, name the value, and change nothing" {
	ns_setup
	attach_filter
	run -0 rule add 22 tcp limit 5/s per-source
	run -0 rule add 53 udp limit 2000/s burst 4000
	run -0 rule add 80 tcp from fd00::/16 limit 1/s per-source 48
	local before bad want
	before=$(state)
	while IFS='|' read -r bad want; do
		# shellcheck disable=SC2086 # the rule's words
		run -2 --separate-stderr rule add $bad
		[[ $stderr == *"$want"* && -z $output ]] || { echo "add $bad: $stderr"; false; }
		# shellcheck disable=SC2086
		run -2 --separate-stderr rule del $bad
		[[ $stderr == *"$want"* ]]
	done <<'CASES'
9 tcp limit 0/s|limit 0/s: N must be 1-10000000
9 tcp limit 10000001/s|limit 10000001/s: N must be 1-10000000
9 tcp limit 99999999999/s|limit 99999999999/s: N must be 1-10000000
9 tcp limit -5/s|limit -5/s: N must be 1-10000000
9 tcp limit 5|bad limit rate '5' (expected N/s
9 tcp limit 5/m|bad limit rate '5/m'
9 tcp limit|'limit' needs a rate N/s
9 tcp limit 5/s burst 0|burst 0: B must be 1-10000000
9 tcp limit 5/s burst 10000001|burst 10000001: B must be 1-10000000
9 tcp limit 5/s burst x|burst x: B must be 1-10000000
9 tcp limit 5/s burst|'burst' needs a number B
9 tcp limit 5/s per-source 0|per-source 0: LEN must be 1-32 (IPv4)
9 tcp limit 5/s per-source 33|per-source 33: LEN must be 1-32 (IPv4)
9 tcp from 198.18.0.0/15 limit 5/s per-source 64|per-source 64: LEN must be 1-32 (IPv4)
9 tcp from fd00::/16 limit 5/s per-source 129|per-source 129: LEN must be 1-128 (IPv6)
9 tcp limit 5/s per-source /24|per-source /24: LEN must be 1-32
9 tcp limit 5/s per-source 24 log|unexpected 'log' after limit
9 tcp limit 5/s sideways|unexpected 'sideways' after limit
any from 198.18.0.0/15 limit 5/s|limit: not on 'any from PREFIX'
CASES
	[[ $(state) == "$before" ]]
	# the same lines in a file: every one named, nothing applied
	printf '9 tcp limit 0/s\n10 udp limit 5/s burst 0\n11 tcp limit 5/s per-source 33\n' \
		>"$BATS_TEST_TMPDIR/bad.rules"
	run -2 --separate-stderr rule apply "$BATS_TEST_TMPDIR/bad.rules"
	[[ $stderr == *"bad.rules:1: limit 0/s: N must be 1-10000000"* ]]
	[[ $stderr == *"bad.rules:2: burst 0: B must be 1-10000000"* ]]
	[[ $stderr == *"bad.rules:3: per-source 33: LEN must be 1-32 (IPv4)"* ]]
	[[ $(state) == "$before" ]]
	# control: the same command with good values does change the state
	run -0 rule add 9 tcp limit 5/s per-source 24
	[[ $(state) != "$before" ]]
}

@test "list, list --json, limits and save show limit rules; apply of the saved file changes nothing" {
	ns_setup
	attach_filter
	run -0 rule add 22 tcp limit 5/s per-source
	run -0 rule add 53 udp limit 2000/s burst 4000
	run -0 rule add 80 tcp from fd00::/16 log 3/s limit 1/s per-source 48
	run -0 rule add 443 tcp from 198.18.0.0/15 limit 7/s burst 9 per-source 24
	run -0 rule add 8080 tcp
	run -0 rule list
	[[ $output == "22 tcp 0 0 limit 5/s per-source limited 0
53 udp 0 0 limit 2000/s burst 4000 limited 0
8080 tcp 0 0
443 tcp 0 0 from 198.18.0.0/15 limit 7/s burst 9 per-source 24 limited 0
80 tcp 0 0 from fd00::/16 log 3/s limit 1/s per-source 48 limited 0" ]]
	run -0 rule list --json
	jq -e 'map(del(.id, .port_last, .dir, .set, .packets, .bytes)) == [
		{"port": 22, "proto": "tcp", "prefix": null, "log": null, "limit": 5, "burst": 5,
		 "per_source": {"ipv4": 32, "ipv6": 64}, "limited": 0},
		{"port": 53, "proto": "udp", "prefix": null, "log": null, "limit": 2000, "burst": 4000,
		 "per_source": null, "limited": 0},
		{"port": 8080, "proto": "tcp", "prefix": null, "log": null, "limit": null, "burst": null,
		 "per_source": null, "limited": null},
		{"port": 443, "proto": "tcp", "prefix": "198.18.0.0/15", "log": null, "limit": 7, "burst": 9,
		 "per_source": {"ipv4": 24}, "limited": 0},
		{"port": 80, "proto": "tcp", "prefix": "fd00::/16", "log": 3, "limit": 1, "burst": 1,
		 "per_source": {"ipv6": 48}, "limited": 0}]' <<<"$output"
	run -0 rule limits --json
	jq -e '(.rules | map(.rule)) == ["22 tcp limit 5/s per-source", "53 udp limit 2000/s burst 4000",
		"443 tcp from 198.18.0.0/15 limit 7/s burst 9 per-source 24",
		"80 tcp from fd00::/16 log 3/s limit 1/s per-source 48"] and
		(.rules | map(.clock) | unique) == ["coarse"] and
		.per_source_table.entries == 0 and .per_source_table.max_entries == 131072 and
		.per_source_table.memory_bytes > 1048576' <<<"$output"
	local saved=$BATS_TEST_TMPDIR/saved.rules
	rule save >"$saved"
	grep -qx '22 tcp limit 5/s per-source' "$saved"
	grep -qx '53 udp limit 2000/s burst 4000' "$saved"
	grep -qx '80 tcp from fd00::/16 log 3/s limit 1/s per-source 48' "$saved"
	local ids
	ids=$(rule list --json | jq -c 'map(.id)')
	run -0 rule apply "$saved"
	[[ $output == *"no changes (5 rules)"* ]]
	[[ $(rule list --json | jq -c 'map(.id)') == "$ids" ]]
	# the file read back by a flushed filter makes the same rules
	run -0 rule flush
	run -0 rule apply "$saved"
	[[ $output == *"applied: 5 added, 0 deleted, 0 unchanged"* ]]
	run -0 rule save
	diff <(grep -v '^#' "$saved") <(grep -v '^#' <<<"$output")
	# a new rate is a new rule, which overlaps the old one
	run -1 --separate-stderr rule add 22 tcp limit 6/s per-source
	[[ $stderr == *"overlaps the rule '22 tcp limit 5/s per-source'"* ]]
	run -1 --separate-stderr rule add 22 tcp
	[[ $stderr == *"overlaps the rule '22 tcp limit 5/s per-source'"* ]]
	run -1 --separate-stderr rule del 22 tcp limit 5/s
	[[ $stderr == *"del 22 tcp limit 5/s: no such rule"* ]]
	sed -i 's|^22 tcp limit 5/s per-source$|22 tcp limit 6/s per-source|' "$saved"
	run -0 rule apply "$saved" --dry-run
	[[ $output == *$'- 22 tcp limit 5/s per-source\n+ 22 tcp limit 6/s per-source'* ]]
	[[ $output == *"# 1 to add, 1 to delete, 4 unchanged; policy unchanged"* ]]
}

@test "the per-source table comes with the first per-source rule and goes with the last, in either rule set" {
	ns_setup
	attach_filter
	run -0 rule add 53 udp limit 10/s		# one bucket: no table
	[[ -z $(lsrc_map) ]]
	run -0 rule limits --json
	jq -e '.per_source_table == null' <<<"$output"
	run -0 rule limits
	[[ $output == *"per-source table: none (no per-source limit rule)"* ]]
	run -0 rule add 22 tcp limit 5/s per-source
	local t
	t=$(lsrc_map)
	[[ $t =~ ^[0-9]+$ ]]
	run -0 in_ns bpftool -j map show id "$t"
	jq -e '.type == "lru_hash" and .max_entries == 131072 and .bytes_key == 28 and
		.bytes_value == 8 and .flags == 0' <<<"$output"
	run -0 rule limits --json
	jq -e --argjson t "$t" '.per_source_table.map_id == $t' <<<"$output"
	run -0 rule add 23 tcp limit 5/s per-source 24	# the same table
	[[ $(lsrc_map) == "$t" ]]
	run -0 rule del 22 tcp limit 5/s per-source
	[[ $(lsrc_map) == "$t" ]]
	run -0 rule del 23 tcp limit 5/s per-source 24
	[[ -z $(lsrc_map) ]]
	run -0 rule limits
	[[ $output == *"per-source table: none"* ]]
	# apply: made with the new set, kept while the old set of a pending
	# --confirm has one, gone when the set without any is confirmed
	printf '22 tcp limit 5/s per-source\n' >"$BATS_TEST_TMPDIR/a.rules"
	printf '22 tcp limit 5/s\n' >"$BATS_TEST_TMPDIR/b.rules"
	run -0 rule apply "$BATS_TEST_TMPDIR/a.rules"
	t=$(lsrc_map)
	[[ -n $t ]]
	run -0 rule apply "$BATS_TEST_TMPDIR/b.rules" --confirm 300
	[[ $(lsrc_map) == "$t" ]]
	run -0 rule rollback				# back to a.rules
	[[ $(lsrc_map) == "$t" ]]
	run -0 rule apply "$BATS_TEST_TMPDIR/b.rules" --confirm 300
	run -0 rule confirm
	[[ -z $(lsrc_map) ]]
	run -0 rule apply "$BATS_TEST_TMPDIR/a.rules"
	[[ -n $(lsrc_map) ]]
	run -0 rule flush
	[[ -z $(lsrc_map) ]]
	# and the status shows it
	run -0 rule add 22 tcp limit 5/s per-source
	run -0 rule status
	[[ $output == *"limits: 1 rule(s)"* && $output == *"  22 tcp limit 5/s per-source (limited 0)"* ]]
	[[ $output =~ per-source\ table:\ 0\ of\ 131072\ buckets,\ [1-9][0-9]+\ bytes ]]
	[[ $output == *"xf_lsrc[0] "* ]]
	run -0 rule status --json
	jq -e '.map_memory_bytes == ([.maps[]] | add) + .limits.per_source_table.memory_bytes' <<<"$output"
}

@test "a new limit rule's xf_limit entry: interval, burst, a full bucket, its grouping, the next generation" {
	ns_setup
	attach_filter
	run -0 rule add 22 tcp limit 5/s per-source
	[[ $(rule list --json | jq '.[0].id') == 1 ]]
	[[ $(limit_entry 1) == "200000000 1000000000 0 1 1 32 64 1" ]]
	run -0 rule add 53 udp limit 3/s burst 7
	[[ $(limit_entry 2) == "333333333 2333333331 0 1 0 0 0 1" ]]
	run -0 rule add 80 tcp from fd00::/16 limit 10000000/s burst 10000000 per-source 48
	[[ $(limit_entry 3) == "100 1000000000 0 1 1 32 48 1" ]]
	# the slots carry the limit bit (and the log bit) with the id
	[[ $(slot_value 53) == $(((1 << 30) | 2)) ]]
	run -0 rule add 54 udp log limit 3/s
	[[ $(slot_value 54) == $(((1 << 31) | (1 << 30) | 4)) ]]
	run -0 rule add 55 udp				# control: no bits
	[[ $(slot_value 55) == 5 ]]
	# id 2 reused: by a rule without a limit (its entry stays as it was),
	# then by a limit rule again: the next generation
	run -0 rule del 53 udp limit 3/s burst 7
	run -0 rule add 53 udp
	[[ $(rule list --json | jq '.[] | select(.port == 53) | .id') == 2 ]]
	[[ $(limit_entry 2) == "333333333 2333333331 0 1 0 0 0 1" ]]
	run -0 rule del 53 udp
	run -0 rule add 53 udp limit 1/s per-source 8
	[[ $(limit_entry 2) == "1000000000 1000000000 0 2 1 8 64 1" ]]
	# a rule kept by apply keeps its id and entry
	rule save >"$BATS_TEST_TMPDIR/s.rules"
	echo '9 tcp limit 9/s' >>"$BATS_TEST_TMPDIR/s.rules"
	run -0 rule apply "$BATS_TEST_TMPDIR/s.rules"
	[[ $output == *"applied: 1 added, 0 deleted, 5 unchanged"* ]]
	[[ $(rule list --json | jq '.[] | select(.port == 53) | .id') == 2 ]]
	[[ $(limit_entry 2) == "1000000000 1000000000 0 2 1 8 64 1" ]]
	# the clock: coarse (the last field) for a burst of 64 ticks or more,
	# as all above (a second or more); the precise one for a shorter one
	run -0 rule add 57 udp limit 10000000/s burst 1
	[[ $(limit_entry "$(rule list --json | jq '.[] | select(.port == 57) | .id')") == "100 100 0 1 0 0 0 0" ]]
	run -0 rule limits
	[[ $output == *$'\n57 udp limit 10000000/s burst 1 limited 0 clock precise\n'* ]]
	[[ $output == *$'\n53 udp limit 1/s per-source 8 limited 0 clock coarse\n'* ]]
}

@test "xfstate check: the maps agree about limit rules, and a lost table or entry is caught" {
	ns_setup
	attach_filter
	run -0 rule add 22 tcp limit 5/s per-source
	run -0 rule add 53 udp log limit 5/s burst 9
	run -0 rule add 80 tcp from fd00::/16 limit 1/s per-source 48
	run -0 in_ns "$B/xfstate" check
	[[ $output == "ok 3 rules" ]]
	in_ns bpftool map delete pinned "$G/xf_lsrc" key 0 0 0 0
	run -1 --separate-stderr in_ns "$B/xfstate" check
	[[ $stderr == *"the per-source table is missing, with a per-source rule"* ]]
	run -0 rule del 22 tcp limit 5/s per-source	# 80 keeps it missing
	run -0 rule add 22 tcp limit 5/s per-source	# the store makes it again
	run -0 in_ns "$B/xfstate" check
	in_ns bpftool map update pinned "$G/xf_limit" key 2 0 0 0 value 1 0 0 0 0 0 0 0 \
		0 0 0 0 0 0 0 0  0 0 0 0 0 0 0 0  1 0 0 0 0 0 0 0
	run -1 --separate-stderr in_ns "$B/xfstate" check
	[[ $stderr == *"id 2: xf_limit {1, 0, gen 1, 0/0/0, coarse 0} is not its rule's"* ]]
}

@test "limit rules need the full tier; the lighter tier comes back with the last" {
	ns_setup
	attach_filter
	run -0 rule add 8080 tcp
	run -0 rule tier --json
	jq -e '.tier == "dst"' <<<"$output"
	run -0 rule add 22 tcp limit 5/s
	run -0 rule tier --json
	jq -e '.tier == "full" and .needed == "full" and .uses == "rules with limit"' <<<"$output"
	run -0 rule del 22 tcp limit 5/s
	run -0 rule tier --json
	jq -e '.tier == "dst"' <<<"$output"
	printf '8080 tcp\n53 udp limit 5/s burst 9\n' >"$BATS_TEST_TMPDIR/l.rules"
	run -0 rule apply "$BATS_TEST_TMPDIR/l.rules"
	run -0 rule tier
	[[ $output == "full (rule set 1: rules with limit)" ]]
}

# send_udp PORT COUNT - the peer sends COUNT datagrams to PORT, from
# source port 5001, at 1000 a second.
send_udp() {
	on_peer timeout 20 "$SEQ" send -s 5001 198.18.0.1 "$1" "$2" 1000 >/dev/null
}

# seen PORT - packets and limited of that UDP rule, added up.
seen() {
	rule list --json | jq --argjson p "$1" '.[] | select(.port == $p) | .packets + .limited'
}

@test "limited packets: the rule's and the reason's counts, the metrics, the drop log, a reused id from zero" {
	ns_setup
	attach_filter
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
	run -0 rule add 9999 udp log limit 1/s burst 2
	send_udp 9999 20
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(seen 9999) -ge 20 ]] && break
		sleep 0.1
	done
	run -0 rule list --json
	local passed limited
	passed=$(jq '.[0].packets' <<<"$output")
	limited=$(jq '.[0].limited' <<<"$output")
	# the burst passes, and a refill or two on a slow machine; the rest is limited
	((passed >= 2 && limited >= 2 && passed + limited == 20))
	[[ $(reason_packets limited) == "$limited" && $(reason_packets allowed) == "$passed" ]]
	[[ $(reason_packets dropped) == 0 ]]		# not a rule drop
	run -0 rule stats
	[[ $output =~ limited\ +drop\ +$limited\  ]]
	local f=$BATS_TEST_TMPDIR/m.prom
	in_ns "$RULE" stats --prometheus >"$f"
	grep -qxF "xdp_filter_rule_limited_total{rule=\"9999 udp log limit 1/s burst 2\",port=\"9999\",proto=\"udp\",dir=\"dst\"} $limited" "$f"
	grep -qxF "xdp_filter_packets_total{reason=\"limited\",action=\"drop\"} $limited" "$f"
	grep -qxF "xdp_filter_rule_packets_total{rule=\"9999 udp log limit 1/s burst 2\",port=\"9999\",proto=\"udp\",dir=\"dst\"} $passed" "$f"
	# the drop log has the limited drops, and says so
	run -0 in_ns timeout 20 "$RULE" monitor --count 1 --timeout 10
	[[ ${lines[0]} =~ \ $XF_A\ limited\ udp\ 198\.18\.0\.2:5001\ -\>\ 198\.18\.0\.1:9999\ rule\ 1\ \(9999\ udp\ log\ limit\ 1/s\ burst\ 2\)\ len\ 106$ ]]
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 1 --timeout 10
	jq -e '.action == "drop" and .reason == "limited" and .dport == 9999' <<<"${lines[0]}"
	# the id again, for a new rule: its limited count starts from zero
	run -0 rule del 9999 udp log limit 1/s burst 2
	run -0 rule add 9999 udp limit 1/s burst 3
	run -0 rule list --json
	jq -e '.[0].id == 1 and .[0].limited == 0 and .[0].packets == 0' <<<"$output"
	[[ $(reason_packets limited) == "$limited" ]]	# the reason keeps them
}
