#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The drop log with real traffic: a rule that ends with 'log [N/s]' sends
# each packet it drops to the xf_log ring buffer, at most N a second (a
# token bucket holding one second), and rule.sh monitor prints them, text or
# JSON, with what the limits suppressed. Checked: every field of an event
# (IPv4, IPv6, TCP, UDP, ICMP), no event without 'log' or under the allow
# policy, the accounting of a flood (events + suppressed = the rule's drops),
# the bounds of monitor, and log rates through add, apply and save.

# shellcheck disable=SC2154 # bats' run sets stderr
load helpers

SEQ=$B/sequdp
BARRIER=9997		# a rule with log 100000/s: its events mark a point in the log

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" "$B/sequdp" >&3
}

setup() {
	ns_setup
	attach_filter
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
	on_peer ping -6 -c 1 -W 2 fd00::1 >/dev/null
}

teardown() {
	ns_teardown
}

# send_udp 4|6 PORT COUNT SPORT [RATE] - the peer sends COUNT datagrams of
# 64 bytes to PORT from SPORT, RATE a second (1000).
send_udp() {
	on_peer timeout 20 "$SEQ" send "-$1" -s "$4" "$(addr_of "$1" a)" "$2" \
		"$3" "${5:-1000}" >/dev/null
}

# rule_id PORT PROTO - the id list --json gives that rule.
rule_id() {
	rule list --json | jq -r --argjson p "$1" --arg t "$2" \
		'.[] | select(.port == $p and .proto == $t) | .id'
}

# monitor_bg OUT - a JSON monitor in the background (bounded: 120 s),
# writing to OUT; $MON is the job to wait for. Needs the BARRIER rule;
# ready when the first barrier passed it.
monitor_bg() {
	in_ns "$RULE" monitor --json --timeout 120 >"$1" 2>"$1.err" 3>&- &
	MON=$!
	barrier "$1" 6000
}

# monitor_stop - SIGTERM to the monitor (the only rulectl in the test's
# namespace; $MON is the shell around it): it prints its summary and exits 0.
monitor_stop() {
	local pid
	pid=$(pgrep --ns "$XF_HOLDER" --nslist net -x rulectl)
	[[ $pid =~ ^[0-9]+$ ]] || { echo "no single monitor: '$pid'" >&2; return 1; }
	kill -TERM "$pid"
	wait "$MON"
}

# barrier OUT SPORT - sends one datagram to the BARRIER rule from SPORT and
# waits (bounded: 10 s) until the monitor writing OUT printed its event:
# the ring buffer is in order, so every event before it was printed too.
barrier() {
	local i
	send_udp 4 "$BARRIER" 1 "$2"
	for ((i = 0; i < 100; i++)); do
		jq -e --argjson s "$2" 'select(.dport == 9997 and .sport == $s)' \
			"$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "the monitor did not print the barrier event from port $2" >&2
	cat "$1" "$1.err" >&2
	return 1
}

# mid_second - sleeps until CLOCK_MONOTONIC is half-way through a second.
# /proc/uptime is CLOCK_BOOTTIME, which is the same but for the time the
# machine was suspended (and then this only aims elsewhere).
mid_second() {
	local up
	read -r up _ </proc/uptime
	sleep "$(awk -v u="$up" 'BEGIN { f = u - int(u); printf "%.2f", f < 0.5 ? 0.5 - f : 1.5 - f }')"
}

# within_a_minute TIME - an event time (UTC, microseconds) is now, give or
# take a minute: the ring buffer's CLOCK_MONOTONIC was converted right.
within_a_minute() {
	local t now
	t=$(date -u -d "$1" +%s)
	now=$(date -u +%s)
	((t > now - 60 && t < now + 60))
}

@test "an event names the interface, protocol, addresses, ports, rule and length, for IPv4 and IPv6" {
	run -0 rule add 9999 udp log
	run -0 rule add 7000 tcp from fd00::/64 log 3/s
	local udp tcp
	udp=$(rule_id 9999 udp)
	tcp=$(rule_id 7000 tcp)
	send_udp 4 9999 1 5001
	send_udp 6 9999 1 5003
	refute_reaches tcp 7000 6
	wait_packets 9999 udp 2
	run -0 in_ns timeout 20 "$RULE" monitor --count 3 --timeout 10
	[[ ${#lines[@]} -eq 4 ]]
	# 64 bytes of payload, UDP, IP and Ethernet headers
	[[ ${lines[0]} =~ ^([0-9-]+T[0-9:.]+Z)\ $XF_A\ drop\ udp\ 198\.18\.0\.2:5001\ -\>\ 198\.18\.0\.1:9999\ rule\ $udp\ \(9999\ udp\ log\)\ len\ 106$ ]]
	within_a_minute "${BASH_REMATCH[1]}"
	[[ ${lines[1]} =~ ^[0-9-]+T[0-9:.]+Z\ $XF_A\ drop\ udp\ \[fd00::2\]:5003\ -\>\ \[fd00::1\]:9999\ rule\ $udp\ \(9999\ udp\ log\)\ len\ 126$ ]]
	[[ ${lines[2]} =~ ^[0-9-]+T[0-9:.]+Z\ $XF_A\ drop\ tcp\ \[fd00::2\]:[0-9]+\ -\>\ \[fd00::1\]:7000\ rule\ $tcp\ \(7000\ tcp\ from\ fd00::/64\ log\ 3/s\)\ len\ [0-9]+$ ]]
	[[ ${lines[3]} == "# 3 events; 0 more suppressed by the rate limits while monitor ran" ]]
	# the same as JSON, one object a line
	send_udp 4 9999 1 5002
	send_udp 6 9999 1 5004
	wait_packets 9999 udp 4
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 2 --timeout 10
	[[ ${#lines[@]} -eq 3 ]]
	local ifindex
	ifindex=$(in_ns cat "/sys/class/net/$XF_A/ifindex")
	jq -e --arg ifn "$XF_A" --argjson ix "$ifindex" --argjson id "$udp" \
		'del(.time) == {"interface": $ifn, "ifindex": $ix, "action": "drop",
		"reason": "dropped", "proto": "udp", "src": "198.18.0.2", "sport": 5002,
		"dst": "198.18.0.1", "dport": 9999, "rule_id": $id,
		"rule": "9999 udp log", "len": 106, "suppressed": 0}' <<<"${lines[0]}"
	jq -e --arg ifn "$XF_A" --argjson id "$udp" \
		'.interface == $ifn and .src == "fd00::2" and .sport == 5004 and
		.dst == "fd00::1" and .dport == 9999 and .rule_id == $id and
		.len == 126 and .suppressed == 0' <<<"${lines[1]}"
	within_a_minute "$(jq -r .time <<<"${lines[1]}")"
	jq -e '. == {"summary": {"events": 2, "suppressed": 0}}' <<<"${lines[2]}"
}

@test "'any from PREFIX log' names ICMP and ICMPv6 by name, without ports" {
	run -0 rule add any from 198.18.0.0/24 log
	run -0 rule add any from fd00::/64 log
	run -1 on_peer ping -c 1 -W 1 198.18.0.1
	run -1 on_peer ping -6 -c 1 -W 1 fd00::1
	run -0 in_ns timeout 20 "$RULE" monitor --count 2 --timeout 10
	[[ ${lines[0]} =~ \ $XF_A\ drop\ icmp\ 198\.18\.0\.2\ -\>\ 198\.18\.0\.1\ rule\ [0-9]+\ \(any\ from\ 198\.18\.0\.0/24\ log\)\ len\ 98$ ]]
	[[ ${lines[1]} =~ \ $XF_A\ drop\ icmpv6\ fd00::2\ -\>\ fd00::1\ rule\ [0-9]+\ \(any\ from\ fd00::/64\ log\)\ len\ [0-9]+$ ]]
	run -1 on_peer ping -c 1 -W 1 198.18.0.1
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 1 --timeout 10
	jq -e '.proto == "icmp" and .sport == null and .dport == null and
		.rule == "any from 198.18.0.0/24 log"' <<<"${lines[0]}"
}

@test "no event for a rule without log, nor for a logged rule's match under the allow policy" {
	run -0 rule add 9998 udp
	run -0 rule add 9999 udp log
	send_udp 4 9998 5 5001			# dropped, not logged
	send_udp 4 9999 1 5002			# dropped, logged
	wait_packets 9998 udp 5
	wait_packets 9999 udp 1
	# the ring buffer is in order: the first event is the last datagram's
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 1 --timeout 10
	jq -e '.dport == 9999 and .sport == 5002' <<<"${lines[0]}"
	# under allow, the logged rule lets its packets through, unlogged
	run -0 rule policy allow ephemeral 40000-50000
	assert_reaches udp 9999
	send_udp 4 9999 3 5003
	refute_reaches udp 9001			# dropped by the policy: no rule, no event
	wait_packets 9999 udp 5
	run -0 reason_packets allowed
	[[ $output == 4 ]]
	# back to deny: the next event is the next drop's, nothing between
	run -0 rule policy deny
	send_udp 4 9999 1 5004
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 1 --timeout 10
	jq -e '.dport == 9999 and .sport == 5004 and .suppressed == 0' <<<"${lines[0]}"
	jq -e '.summary.events == 1' <<<"${lines[1]}"
}

@test "a flood to a rule with log 5/s: a second's burst and the rate get out, the rest is counted as suppressed" {
	local f=$BATS_TEST_TMPDIR n=300 t0 t1 ms
	run -0 rule add 9999 udp log 5/s
	run -0 rule add "$BARRIER" udp log 100000/s
	monitor_bg "$f/mon"
	t0=$(date +%s%N)
	send_udp 4 9999 "$n" 5001 3000
	t1=$(date +%s%N)
	wait_packets 9999 udp "$n"
	barrier "$f/mon" 6001			# every event of the flood is out
	monitor_stop
	local events suppressed reported max
	events=$(jq -s '[.[] | select(.dport == 9999)] | length' "$f/mon")
	suppressed=$(jq -s '.[] | .summary.suppressed // empty' "$f/mon")
	reported=$(jq -s '[.[] | select(.dport == 9999) | .suppressed] | add' "$f/mon")
	# the bucket holds one second (5 events) and refills 5 a second while
	# the flood lasts; CPUs share it without a lock, so allow 2 more
	ms=$(((t1 - t0) / 1000000))
	max=$((5 + (5 * ms + 999) / 1000 + 2))
	echo "# flood of $n in $ms ms: $events events (at most $max), $suppressed suppressed, $reported of them reported in events" >&3
	((events >= 5 && events <= max))
	((events + suppressed == n))
	((reported <= suppressed))
	# every event is the flood's, whole
	jq -se --argjson id "$(rule_id 9999 udp)" '[.[] | select(.dport == 9999)] |
		all(.rule == "9999 udp log 5/s" and .rule_id == $id and
		    .sport == 5001 and .proto == "udp" and .len == 106)' "$f/mon"
	# the summary counts every line, the barriers too
	jq -se '(.[-1].summary.events) == (length - 1)' "$f/mon"
	# the Prometheus counter says the same
	run -0 rule stats --prometheus
	[[ $output == *"xdp_filter_rule_log_suppressed_total{"*'port="9999"'*"} $suppressed"* ]]
}

@test "text events say how many the limit suppressed before them" {
	run -0 rule add 9999 udp log 1/s
	# the bucket holds one event: the first datagram is logged, the 3
	# after it are not ...
	send_udp 4 9999 4 5001
	wait_packets 9999 udp 4
	# ... and after a second it holds one again (a full bucket: waiting
	# longer changes nothing)
	sleep 1.2
	send_udp 4 9999 1 5002
	wait_packets 9999 udp 5
	run -0 in_ns timeout 20 "$RULE" monitor --count 2 --timeout 10
	[[ ${lines[0]} == *"198.18.0.2:5001 -> 198.18.0.1:9999 rule "*" (9999 udp log 1/s) len 106" ]]
	[[ ${lines[1]} == *"198.18.0.2:5002 -> 198.18.0.1:9999 rule "*" (9999 udp log 1/s) len 106 (3 suppressed before it)" ]]
	[[ ${lines[2]} == "# 2 events; 0 more suppressed by the rate limits while monitor ran" ]]
}

@test "monitor --count N prints N events, even when more are waiting, and the next monitor gets the rest" {
	# ring_buffer__poll() hands over every record waiting: monitor must
	# stop it at the N-th, and leave the rest queued.
	run -0 rule add 9999 udp log
	send_udp 4 9999 5 5001
	wait_packets 9999 udp 5
	run -0 in_ns timeout 20 "$RULE" monitor --count 2 --timeout 10
	[[ ${#lines[@]} -eq 3 && ${lines[2]} == "# 2 events; "* ]]
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 10 --timeout 2
	[[ ${#lines[@]} -eq 4 ]]
	jq -e '.summary == {"events": 3, "suppressed": 0}' <<<"${lines[3]}"
}

@test "monitor --timeout ends it; bad arguments exit 2" {
	# nothing logged: --timeout ends it (timeout(1) would exit 124)
	run -0 in_ns timeout 20 "$RULE" monitor --timeout 1
	[[ $output == "# 0 events; 0 more suppressed by the rate limits while monitor ran" ]]
	run -0 in_ns timeout 20 "$RULE" monitor --json --timeout 1 --count 5
	[[ $output == '{"summary": {"events": 0, "suppressed": 0}}' ]]
	# bad arguments, checked before the maps are opened
	local bad
	for bad in "--count 0" "--count x" "--count" "--timeout" "--timeout 0" \
		"--timeout -1" "--count 100000001" "--bogus" "json"; do
		# shellcheck disable=SC2086 # the words are the arguments
		run -2 --separate-stderr env XF_PIN_DIR=/nonexistent "$RULE" monitor $bad
		[[ -n $stderr && -z $output ]]
	done
	# no filter: a runtime failure, said so
	run -1 --separate-stderr env XF_PIN_DIR=/nonexistent "$RULE" monitor --timeout 1
	[[ $stderr == *"No such file or directory"* ]]
}

@test "monitor --timeout SECS waits SECS, not less" {
	# A lower bound, which a slow machine only makes safer. A deadline
	# kept in whole seconds would end --timeout 1 after 0.2 to 1 s,
	# depending on where in its second it started: starting in the middle
	# of a second shows it.
	local i t0 t1
	for ((i = 0; i < 3; i++)); do
		mid_second
		t0=$(date +%s%N)
		run -0 in_ns timeout 20 "$RULE" monitor --timeout 1
		t1=$(date +%s%N)
		(((t1 - t0) / 1000000 >= 950)) || { echo "--timeout 1 ended after $(((t1 - t0) / 1000000)) ms" >&2; false; }
	done
}

@test "log rates: bad ones exit 2 and change nothing; 'log' is 10/s" {
	run -0 rule add 8080 udp
	run -0 rule list
	local before=$output bad
	for bad in "log 0/s" "log 100001/s" "log 5" "log 5/m" "log abc" \
		"log /s" "log -5/s" "log 5/s extra" "log 5/s log"; do
		# shellcheck disable=SC2086 # the words are the rule
		run -2 --separate-stderr rule add 9999 udp $bad
		[[ -n $stderr ]]
	done
	run -2 --separate-stderr rule add 9999 udp log 0/s
	[[ $stderr == *"bad log rate '0/s' (expected EVENTS/s, 1/s to 100000/s, such as 10/s)"* ]]
	run -2 --separate-stderr rule add 9999 udp log 5/s extra
	[[ $stderr == *"unexpected 'extra' after log"* ]]
	run -0 rule list
	[[ $output == "$before" ]]
	# the edges, and the default
	run -0 rule check-rule 9999 udp log 1/s
	[[ $output == "9999 udp log 1/s" ]]
	run -0 rule check-rule 9999 udp log 100000/s
	[[ $output == "9999 udp log 100000/s" ]]
	run -0 rule add 9999 udp log
	run -0 rule list --json
	jq -e '.[] | select(.port == 9999) | .log == 10' <<<"$output"
	run -0 rule list
	[[ $output == *"9999 udp 0 0 log"* ]]
	run -0 rule check-rule 9999 udp log 10/s
	[[ $output == "9999 udp log" ]]
}

@test "apply takes log rules from a file; they log, save round-trips 'log' and 'log N/s', a new rate is a new rule" {
	local f=$BATS_TEST_TMPDIR/set.rules rules
	rules=("policy deny" "9999 udp log" "9998 udp log 5/s" "9996 udp"
		"any from 2001:db8::/32 log 100000/s" "22 tcp from 198.18.0.0/15 log 1/s")
	printf '%s\n' "${rules[@]}" >"$f"
	run -0 rule apply "$f"
	[[ $output == "$f: applied: 5 added, 0 deleted, 0 unchanged; policy deny" ]]
	run -0 rule save
	diff <(grep -v '^#' <<<"$output" | sort) <(printf '%s\n' "${rules[@]}" | sort)
	local saved=$output
	run -0 rule apply - <<<"$saved"
	[[ $output == "<stdin>: no changes (5 rules)" ]]
	run -0 rule list --json
	jq -e '[.[] | {port, log}] | sort_by(.port) == [
		{"port": null, "log": 100000}, {"port": 22, "log": 1},
		{"port": 9996, "log": null}, {"port": 9998, "log": 5},
		{"port": 9999, "log": 10}]' <<<"$output"
	# the file's logged rules log
	send_udp 4 9998 1 5001
	send_udp 4 9996 1 5002
	send_udp 4 9999 1 5003
	wait_packets 9999 udp 1
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 2 --timeout 10
	jq -e '.rule == "9998 udp log 5/s" and .sport == 5001' <<<"${lines[0]}"
	jq -e '.rule == "9999 udp log" and .sport == 5003' <<<"${lines[1]}"
	# another rate, or none, is another rule
	sed -i 's|^9998 udp log 5/s$|9998 udp log 6/s|; s|^9999 udp log$|9999 udp|' "$f"
	run -0 rule apply "$f" --dry-run
	diff - <(printf '%s\n' "$output") <<-EOF
		- 9998 udp log 5/s
		+ 9998 udp log 6/s
		+ 9999 udp
		- 9999 udp log
		# 2 to add, 2 to delete, 3 unchanged; policy unchanged
	EOF
	run -0 rule apply "$f"
	send_udp 4 9999 1 5004			# no log now
	send_udp 4 9998 1 5005
	wait_packets 9998 udp 1
	run -0 in_ns timeout 20 "$RULE" monitor --json --count 1 --timeout 10
	jq -e '.rule == "9998 udp log 6/s" and .sport == 5005' <<<"${lines[0]}"
}
