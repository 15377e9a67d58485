#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Concurrent editors (issue 6, item 3): 8 rulectl processes at once, 500
# edits each (distinct rules per process: ports, source ports, ranges,
# prefix rules sharing a prefix, adds and deletes, re-adds of a rule that
# already counted traffic). Every edit succeeds, the end state is exactly
# the union of their edits, the maps agree with each other, and the counters
# of the untouched rule are neither reset nor lost.

load helpers

SEQ=$B/sequdp
STATE=$B/xfstate
WORKERS=8
EDITS=501

setup_file() {
	make -s -C "$XF_ROOT" all "$B/sequdp" "$B/xfstate" >&3
}

setup() {
	ns_setup
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null
}

teardown() {
	ns_teardown
}

# edits W: worker W's 501 edits, one per line ("add RULE" / "del RULE"):
# 400 adds of its own rules, 50 deletes of them, 50 re-adds of "7000 udp"
# (a no-op that must keep its counters), one "any from" rule.
edits() {
	local w=$1 k p r
	for ((k = 0; k < 400; k++)); do
		p=$((10000 + w * 1000 + k))
		case $((k % 4)) in
		0) r="$p udp" ;;
		1) r="$p tcp src" ;;
		2) r="$((40000 + w * 2000 + k * 4))-$((40002 + w * 2000 + k * 4)) any" ;;
		3) r="$p udp from 10.$w.0.0/16" ;;	# one prefix per worker
		esac
		echo "add $r"
		# every other "PORT udp" rule is deleted again, a little later
		((k % 8 == 4)) && echo "del $((10000 + w * 1000 + k - 4)) udp"
		((k % 8 == 1)) && echo "add 7000 udp"
	done
	echo "add any from 172.16.$w.0/24"
}

# canon: the rules of "list --json" as "PORTS PROTO DIR PREFIX" lines.
canon() {
	jq -r '.[] | "\(if .port == null then "any" elif .port == .port_last then .port
		else "\(.port)-\(.port_last)" end) \(.proto) \(.dir // "-") \(.prefix // "-")"' | sort
}

# expected FILE...: the union of the edit lists, in canon's form.
expected() {
	awk '
	function key(a, n,   ports, proto, dir, pfx, i) {
		if (a[2] == "any") return "any any - " a[4]
		ports = a[2]; proto = a[3]; dir = "dst"; pfx = "-"
		for (i = 4; i <= n; i++) {
			if (a[i] == "src") dir = "src"
			if (a[i] == "from") pfx = a[i + 1]
		}
		if (ports ~ /^[0-9]+-[0-9]+$/) { split(ports, r, "-"); if (r[1] == r[2]) ports = r[1] }
		return ports " " proto " " dir " " pfx
	}
	{ n = split($0, a, " "); k = key(a, n); if (a[1] == "add") set[k] = 1; else delete set[k] }
	END { for (k in set) print k }' "$@" | sort
}

@test "8 rulectl processes x 500 edits at once: the end state is exactly their union" {
	attach_filter
	# an untouched rule that has counted traffic before the editors start
	run -0 rule add 7000 udp
	run -0 on_peer "$SEQ" send 198.18.0.1 7000 200 2000
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(rule_packets 7000 udp) == 200 ]] && break
		sleep 0.1
	done
	[[ $(rule_packets 7000 udp) == 200 ]]
	local bytes_before
	bytes_before=$(rule list --json | jq '.[] | select(.port == 7000) | .bytes')

	local w pids=() lists=()
	for ((w = 0; w < WORKERS; w++)); do
		edits "$w" >"$BATS_TEST_TMPDIR/edits.$w"
		[[ $(wc -l <"$BATS_TEST_TMPDIR/edits.$w") -eq $EDITS ]]
		lists+=("$BATS_TEST_TMPDIR/edits.$w")
	done
	local start=$SECONDS
	for ((w = 0; w < WORKERS; w++)); do
		# shellcheck disable=SC2016 # expanded by the worker
		in_ns timeout 300 bash -c '
			ok=0 bad=0
			while read -r op rest; do
				# shellcheck disable=SC2086 # the words of one rule
				if "$1" "$op" $rest >/dev/null 2>>"$3.err"; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
			done <"$2"
			echo "ok $ok failed $bad" >"$3"
		' worker "$B/rulectl" "${lists[w]}" "$BATS_TEST_TMPDIR/result.$w" 3>&- &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w"; done
	echo "# $WORKERS x $EDITS edits in $((SECONDS - start)) s" >&3
	for ((w = 0; w < WORKERS; w++)); do
		cat "$BATS_TEST_TMPDIR/result.$w.err" 2>/dev/null || true
		[[ $(cat "$BATS_TEST_TMPDIR/result.$w") == "ok $EDITS failed 0" ]]
	done

	# exactly the union, no rule lost, none extra, no id twice
	expected "${lists[@]}" <(echo "add 7000 udp") >"$BATS_TEST_TMPDIR/want"
	rule list --json >"$BATS_TEST_TMPDIR/got.json"
	canon <"$BATS_TEST_TMPDIR/got.json" >"$BATS_TEST_TMPDIR/got"
	run diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[[ $status -eq 0 ]] || { echo "$output" | head -20; false; }
	local n
	n=$(wc -l <"$BATS_TEST_TMPDIR/want")
	echo "# $n rules at the end, as expected" >&3
	((n == WORKERS * (400 - 50 + 1) + 1))
	[[ $(jq '[.[].id] | unique | length' "$BATS_TEST_TMPDIR/got.json") == "$n" ]]
	# the maps agree with each other (slots, prefixes, counts)
	run -0 in_ns "$STATE" check
	[[ $output == "ok $n rules" ]]
	# the untouched rule kept its counters through 4,000 unrelated edits
	# and 400 re-adds of itself
	[[ $(rule_packets 7000 udp) == 200 ]]
	[[ $(jq '.[] | select(.port == 7000) | .bytes' "$BATS_TEST_TMPDIR/got.json") == "$bytes_before" ]]
	# and the filter obeys the result: a kept rule drops, a deleted one not
	refute_reaches udp 13004		# worker 3, k = 4: kept
	assert_reaches udp 13008		# worker 3, k = 8: deleted
	[[ $(rule_packets 7000 udp) == 200 ]]
}
