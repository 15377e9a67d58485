#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Whole rule sets from a file (rule.sh apply, save, confirm, rollback), with
# real traffic: a file replaces the rules and the policy, --dry-run shows
# the difference, an unchanged file changes nothing (not even the counters
# or xf_config's serial), a bad file changes nothing and names every bad
# line, and apply --confirm rolls back unless confirm runs. Atomicity under
# live traffic is 69-atomic.bats.

# shellcheck disable=SC2154 # bats' run sets stderr
load helpers

SEQ=$B/sequdp
CONFIG=/sys/fs/bpf/tc/globals/xf_config

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" "$B/sequdp" >&3
}

setup() {
	ns_setup
	attach_filter
	on_peer ping -c 1 -W 2 198.18.0.1 >/dev/null	# resolve ARP first
}

teardown() {
	ns_teardown
}

# rules FILE LINE... - writes a rules file.
rules() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# state - everything apply may change, but the counters: the set as save
# prints it (without its time-stamped header), the policy, xf_config.
state() {
	rule save | grep -v '^# xdp_filter rule set'
	rule policy
	config_bytes
}

# config_bytes - xf_config as raw bytes (needs no BTF: either object).
config_bytes() {
	in_ns bpftool -j map dump pinned "$CONFIG" | jq -c '.[0].value'
}

# config_serial - xf_config.serial: the switches of set so far (a __u32
# after abi, set, setver and two 32-byte struct xf_set: offset 76, little
# endian; rust/filter/src/abi.rs asserts it).
config_serial() {
	local v
	# shellcheck disable=SC2207 # four words of hex digits
	v=($(in_ns bpftool -j map dump pinned "$CONFIG" | jq -r '.[0].value[76:80][]'))
	echo $((v[0] | v[1] << 8 | v[2] << 16 | v[3] << 24))
}

# send_udp PORT COUNT - the peer sends COUNT datagrams to PORT, from
# source port 5001, at 1000 a second.
send_udp() {
	on_peer timeout 20 "$SEQ" send -s 5001 198.18.0.1 "$1" "$2" 1000 >/dev/null
}

# timers - pids of rulectl processes in the test's network namespace (the
# rollback timer of apply --confirm is one).
timers() {
	pgrep --ns "$XF_HOLDER" --nslist net -x rulectl || true
}

# wait_no_timer - until no rulectl is left in the namespace (bounded: 5 s).
wait_no_timer() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -z $(timers) ]] && return 0
		sleep 0.1
	done
	echo "a rulectl process is still there: $(timers)" >&2
	return 1
}

@test "apply replaces the rules and the policy with the file's, and save prints them back" {
	local f=$BATS_TEST_TMPDIR/new.rules
	run -0 rule add 8080 udp
	run -0 rule add 8081 udp
	rules "$f" "# a comment line, then a blank one" "" \
		"policy deny   # trailing comments too" \
		"   8081 udp" $'\t9000-9010 udp' "53 udp src" \
		"7000 tcp from 198.18.0.0/15 log 5/s" "any from 2001:db8::/32 log" \
		"9000-9010 udp   # said twice: once is enough"
	run -0 rule apply "$f"
	[[ $output == "$f: applied: 4 added, 1 deleted, 1 unchanged; policy deny" ]]
	run -0 rule list
	[[ ${#lines[@]} -eq 5 ]]
	[[ $output != *"8080 udp"* ]]
	assert_reaches udp 8080			# deleted by the file
	refute_reaches udp 8081			# kept
	refute_reaches udp 9000			# added: the range, whole
	refute_reaches udp 9010
	assert_reaches udp 9011
	refute_reaches tcp 7000			# the prefix rule
	run -0 rule save
	[[ ${lines[0]} =~ ^#\ xdp_filter\ rule\ set:\ 5\ rules,\ saved\ [0-9T:Z-]+$ ]]
	[[ ${lines[1]} == "policy deny" ]]
	diff <(printf '%s\n' "${lines[@]:2}" | sort) - <<-EOF
		53 udp src
		7000 tcp from 198.18.0.0/15 log 5/s
		8081 udp
		9000-9010 udp
		any from 2001:db8::/32 log
	EOF
	# what save prints applies as it is, and changes nothing
	local saved=$output serial
	serial=$(config_serial)
	run -0 rule apply - <<<"$saved"
	[[ $output == "<stdin>: no changes (5 rules)" ]]
	[[ $(config_serial) == "$serial" ]]
	run -0 rule apply "$f" --check
	[[ $output == "$f: 5 rules, policy deny" ]]
}

@test "apply --dry-run prints the difference, policy included, and changes nothing" {
	local f=$BATS_TEST_TMPDIR/new.rules before
	run -0 rule add 8080 udp
	run -0 rule add 22 tcp from 198.18.0.0/15
	run -0 rule add 53 udp src
	run -0 rule policy allow ephemeral 40000-50000 nodhcp
	before=$(state)
	rules "$f" "policy deny" "53 udp src" "8080 udp log" "9000 tcp"
	run -0 rule apply "$f" --dry-run
	diff - <(printf '%s\n' "$output") <<-EOF
		- 8080 udp
		+ 8080 udp log
		+ 9000 tcp
		- 22 tcp from 198.18.0.0/15
		- policy allow stateless ephemeral 40000-50000 nodhcp
		+ policy deny
		# 2 to add, 2 to delete, 1 unchanged; policy changes
	EOF
	[[ $(state) == "$before" ]]
	assert_reaches udp 8080			# still allow: 8080 udp open,
	refute_reaches tcp 9000			# ... 9000 tcp unlisted
	# the same policy, written differently, is no change
	rules "$f" "policy allow nodhcp ephemeral 40000-50000" "53 udp src" \
		"8080 udp" "22 tcp from 198.18.0.0/15"
	run -0 rule apply "$f" --dry-run
	[[ $output == "# 0 to add, 0 to delete, 3 unchanged; policy unchanged" ]]
	run -0 rule apply "$f"
	[[ $output == "$f: no changes (3 rules)" ]]
	[[ $(state) == "$before" ]]
}

@test "re-applying an unchanged file changes nothing: kept rules keep counting, the serial stays" {
	local f=$BATS_TEST_TMPDIR/set.rules serial config
	rules "$f" "policy deny" "9999 udp" "9998 udp log" "6000-6100 tcp"
	run -0 rule apply "$f"
	[[ $output == "$f: applied: 3 added, 0 deleted, 0 unchanged; policy deny" ]]
	send_udp 9999 3
	wait_packets 9999 udp 3
	serial=$(config_serial)
	config=$(config_bytes)
	run -0 rule apply "$f"
	[[ $output == "$f: no changes (3 rules)" ]]
	[[ $(config_serial) == "$serial" && $(config_bytes) == "$config" ]]
	[[ $(rule_packets 9999 udp) == 3 ]]
	send_udp 9999 2
	wait_packets 9999 udp 5
	# in another order, with other comments and spacing, it is the same set
	rules "$f" "6000-6100   tcp" "# reordered" "9998 udp log 10/s" "9999 udp" "policy deny"
	run -0 rule apply "$f"
	[[ $output == "$f: no changes (3 rules)" ]]
	[[ $(config_serial) == "$serial" ]]
}

@test "counters of the rules an apply keeps go on counting; new rules start at 0" {
	local f=$BATS_TEST_TMPDIR/set.rules serial
	run -0 rule add 9999 udp
	run -0 rule add 9990 udp
	send_udp 9999 3
	send_udp 9990 4
	wait_packets 9999 udp 3
	wait_packets 9990 udp 4
	run -0 rule list --json
	local bytes
	bytes=$(jq '.[] | select(.port == 9999) | .bytes' <<<"$output")
	((bytes > 0))
	serial=$(config_serial)
	# 9999 stays, 9990 goes, 9991 comes
	rules "$f" "9999 udp" "9991 udp"
	run -0 rule apply "$f"
	[[ $output == "$f: applied: 1 added, 1 deleted, 1 unchanged; policy deny" ]]
	[[ $(config_serial) == $((serial + 1)) ]]
	run -0 rule list --json
	jq -e --argjson b "$bytes" '[.[] | {port, packets, bytes}] | sort_by(.port) ==
		[{"port": 9991, "packets": 0, "bytes": 0},
		 {"port": 9999, "packets": 3, "bytes": $b}]' <<<"$output"
	# the packet a kept rule dropped before counts, and a new one adds
	send_udp 9999 2
	wait_packets 9999 udp 5
	assert_reaches udp 9990			# deleted: passes, not counted
	send_udp 9991 1
	wait_packets 9991 udp 1
	# a rule deleted and added back is a new rule: it starts at 0
	rules "$f" "9999 udp" "9991 udp" "9990 udp"
	run -0 rule apply "$f"
	[[ $(rule_packets 9990 udp) == 0 && $(rule_packets 9999 udp) == 5 ]]
}

@test "a policy switch by file: allow opens the listed services and gates the rest, deny back" {
	local allow=$BATS_TEST_TMPDIR/allow.rules deny=$BATS_TEST_TMPDIR/deny.rules
	run -0 rule add 8080 tcp
	rules "$allow" "policy allow ephemeral 40000-40010 nodhcp" "8080 tcp" "9000 udp"
	rules "$deny" "policy deny" "8080 tcp"
	run -0 rule apply "$allow"
	[[ $output == "$allow: applied: 1 added, 0 deleted, 1 unchanged; policy allow stateless ephemeral 40000-40010 nodhcp" ]]
	run -0 rule policy --json
	jq -e '. == {"policy": "allow", "stateful": false, "tracking": false, "ephemeral": [40000, 40010], "dhcp": false}' <<<"$output"
	assert_reaches tcp 8080
	assert_reaches udp 9000
	refute_reaches udp 9001			# unlisted
	assert_reaches udp 40005		# the ephemeral range
	refute_reaches udp 67			# nodhcp
	run -0 rule apply "$deny"
	[[ $output == "$deny: applied: 0 added, 1 deleted, 1 unchanged; policy deny" ]]
	run -0 rule policy
	[[ $output == deny ]]
	refute_reaches tcp 8080
	assert_reaches udp 9000
	assert_reaches udp 9001
	# a file without a policy line means the default: deny
	run -0 rule apply "$allow"
	rules "$deny" "8080 tcp"
	run -0 rule apply "$deny"
	[[ $output == *"policy deny" ]]
	assert_reaches udp 9001
}

@test "a bad file changes nothing, exits 2 and names every bad line as FILE:LINE" {
	local f=$BATS_TEST_TMPDIR/bad.rules before list
	run -0 rule add 8080 udp
	run -0 rule policy allow ephemeral 40000-50000
	before=$(state)
	list=$(rule list)
	rules "$f" "# every kind of mistake, good lines between them" \
		"policy deny" \
		"9000 udp" \
		"foo udp" \
		"70000 tcp" \
		"9001 udp log 0/s" \
		"9002 udp log 5/m" \
		"8990-9010 udp" \
		"9003 sctp" \
		"22 tcp from 198.18.0.1/15" \
		"policy allow" \
		"9004 udp sideways" \
		"" \
		"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17" \
		"9005 any" "9005 tcp"
	run -2 --separate-stderr rule apply "$f"
	[[ -z $output ]]
	[[ $stderr == *"$f:4: bad port 'foo'"* ]]
	[[ $stderr == *"$f:5: bad port '70000'"* ]]
	[[ $stderr == *"$f:6: bad log rate '0/s'"* ]]
	[[ $stderr == *"$f:7: bad log rate '5/m'"* ]]
	[[ $stderr == *"$f:8: '8990-9010 udp' overlaps '9000 udp' of line 3"* ]]
	[[ $stderr == *"$f:9: "*"sctp"* ]]
	[[ $stderr == *"$f:10: "*"host bits are set (did you mean 198.18.0.0/15?)"* ]]
	[[ $stderr == *"$f:11: a second policy line (the first is line 2)"* ]]
	[[ $stderr == *"$f:12: "*"'sideways'"* ]]
	[[ $stderr == *"$f:14: more than 16 words"* ]]
	[[ $stderr == *"$f:16: '9005 tcp' overlaps '9005 any' of line 15"* ]]
	# one message a bad line, none for the good ones
	[[ $(grep -c "^$f:" <<<"$stderr") == 11 ]]
	[[ $stderr != *"$f:2:"* && $stderr != *"$f:3:"* && $stderr != *"$f:15:"* ]]
	[[ $(state) == "$before" && $(rule list) == "$list" ]]
	# --check and --dry-run say the same, --check without the filter at
	# all (no pins: it never touches the kernel)
	run -2 --separate-stderr env XF_PIN_DIR=/nonexistent "$RULE" apply "$f" --check
	[[ $(grep -c "^$f:" <<<"$stderr") == 11 ]]
	run -2 --separate-stderr rule apply "$f" --dry-run
	[[ $(grep -c "^$f:" <<<"$stderr") == 11 && -z $output ]]
	# a NUL byte, an unknown policy, no file, a directory, stdin's name
	printf '9000 udp\n\0\n' >"$f"
	run -2 --separate-stderr rule apply "$f"
	[[ $stderr == *"$f:2: a NUL byte: not a rules file"* ]]
	rules "$f" "policy maybe"
	run -2 --separate-stderr rule apply "$f"
	[[ $stderr == "$f:1: "*"'maybe'"* ]]
	run -2 --separate-stderr rule apply "$BATS_TEST_TMPDIR/none.rules"
	[[ $stderr == *"none.rules: No such file or directory"* ]]
	run -2 --separate-stderr rule apply "$BATS_TEST_TMPDIR"
	[[ $stderr == *"$BATS_TEST_TMPDIR: is a directory, not a rules file"* ]]
	run -2 --separate-stderr rule apply - <<<$'9000 udp\n9000 udp dst\n9000-9001 udp'
	[[ $stderr == "<stdin>:3: '9000-9001 udp' overlaps '9000 udp' of line 1" ]]
	# bad usage
	run -2 --separate-stderr rule apply
	run -2 --separate-stderr rule apply "$f" --confirm 0
	run -2 --separate-stderr rule apply "$f" --confirm 5 --dry-run
	run -2 --separate-stderr rule apply "$f" --bogus
	[[ $(state) == "$before" && $(rule list) == "$list" ]]
	assert_reaches udp 8080			# the old set and policy work on
	refute_reaches udp 9000
}

@test "apply --check reads a file without root's maps, and a good file passes" {
	local f=$BATS_TEST_TMPDIR/good.rules
	rules "$f" "policy allow ephemeral 32768-60999 dhcp" "22 tcp" "53 any log 20/s"
	run -0 env XF_PIN_DIR=/nonexistent "$RULE" apply "$f" --check
	[[ $output == "$f: 2 rules, policy allow stateless ephemeral 32768-60999 dhcp" ]]
	run -0 rule list
	[[ -z $output ]]
}

@test "apply --confirm: not confirmed in time, the old set comes back, with its policy" {
	local f=$BATS_TEST_TMPDIR/new.rules i serial before
	run -0 rule add 8080 udp
	run -0 rule add 6000-6100 tcp
	before=$(rule save | grep -v '^#')
	serial=$(config_serial)
	# 8080 udp is in both sets: one rule, one counter
	rules "$f" "policy allow ephemeral 40000-50000" "8080 udp" "9000 udp"
	run -0 rule apply "$f" --confirm 3
	[[ ${lines[0]} == "$f: applied: 1 added, 1 deleted, 1 unchanged; policy allow stateless ephemeral 40000-50000 dhcp" ]]
	[[ ${lines[1]} =~ ^rolls\ back\ at\ [0-9:]+\ \(in\ 3\ s\)\ unless\ \'rule.sh\ confirm\'\ runs$ ]]
	[[ -n $(timers) ]]
	# the new set is live at once: 8080 is open now ...
	run -0 rule policy
	[[ $output == allow* ]]
	assert_reaches udp 8080
	# ... until the timer rolls back (a bounded wait: 10 s)
	for ((i = 0; i < 100; i++)); do
		[[ $(rule policy) == deny ]] && break
		sleep 0.1
	done
	run -0 rule policy
	[[ $output == deny ]]
	[[ $(rule save | grep -v '^#') == "$before" ]]
	refute_reaches udp 8080			# blocked by the old set again
	refute_reaches tcp 6050
	assert_reaches udp 9001			# no policy gate any more
	assert_reaches udp 9000
	[[ $(rule_packets 8080 udp) == 2 ]]	# allowed once, dropped once
	# switched twice, the timer is gone, and nothing waits any more
	[[ $(config_serial) == $((serial + 2)) ]]
	wait_no_timer
	run -1 --separate-stderr rule confirm
	[[ $stderr == *"confirm: no apply is waiting for confirmation"* ]]
	run -0 rule apply "$f"
	assert_reaches udp 8080
	refute_reaches udp 9001
}

@test "confirm keeps the applied set, and its timer is gone" {
	local f=$BATS_TEST_TMPDIR/new.rules timer
	run -0 rule add 8080 udp
	rules "$f" "9000 udp"
	run -0 rule apply "$f" --confirm 30
	timer=$(timers)
	[[ $timer =~ ^[0-9]+$ ]]			# exactly one
	run -0 rule confirm
	[[ $output == "confirmed: the applied rule set stays" ]]
	wait_no_timer
	run -0 rule save
	[[ $(grep -v '^#' <<<"$output") == $'policy deny\n9000 udp' ]]
	assert_reaches udp 8080
	refute_reaches udp 9000
	# nothing waits now: confirm and rollback say so
	run -1 --separate-stderr rule confirm
	[[ $stderr == *"no apply is waiting for confirmation"* ]]
	run -1 --separate-stderr rule rollback
	[[ $stderr == *"no apply is waiting for confirmation"* ]]
	# and a plain apply goes through
	rules "$f" "9001 udp"
	run -0 rule apply "$f"
	refute_reaches udp 9001
	assert_reaches udp 9000
}

@test "rollback goes back at once and stops the timer" {
	local f=$BATS_TEST_TMPDIR/new.rules before
	run -0 rule add 8080 udp
	run -0 rule add 22 tcp from 198.18.0.0/15 log 5/s
	before=$(rule save | grep -v '^#')
	rules "$f" "policy allow ephemeral 40000-50000" "9000 udp"
	run -0 rule apply "$f" --confirm 60
	[[ -n $(timers) ]]
	refute_reaches udp 8080			# allow: 8080 unlisted
	run -0 rule rollback
	[[ $output == "rolled back to the rule set the last apply replaced" ]]
	wait_no_timer
	[[ $(rule save | grep -v '^#') == "$before" ]]
	refute_reaches udp 8080
	refute_reaches tcp 22
	assert_reaches udp 9001
	run -1 --separate-stderr rule rollback
	[[ $stderr == *"no apply is waiting for confirmation"* ]]
}

@test "apply is refused while an apply --confirm waits; confirm with nothing pending exits 1" {
	local a=$BATS_TEST_TMPDIR/a.rules b=$BATS_TEST_TMPDIR/b.rules
	run -1 --separate-stderr rule confirm
	[[ $stderr == *"confirm: no apply is waiting for confirmation"* ]]
	run -1 --separate-stderr rule rollback
	rules "$a" "9000 udp"
	rules "$b" "9001 udp"
	run -0 rule apply "$a" --confirm 60
	run -1 --separate-stderr rule apply "$b"
	[[ $stderr == *"apply: the last apply waits for confirmation until "*": run 'rule.sh confirm' (or rollback) first" ]]
	run -1 --separate-stderr rule apply "$b" --confirm 5
	# still A, still pending; --dry-run and --check work meanwhile
	run -0 rule save
	[[ $(grep -v '^#' <<<"$output") == $'policy deny\n9000 udp' ]]
	run -0 rule apply "$b" --dry-run
	[[ $output == *"+ 9001 udp"* ]]
	refute_reaches udp 9000
	run -0 rule confirm
	wait_no_timer
	run -0 rule apply "$b"
	refute_reaches udp 9001
	assert_reaches udp 9000
	run -1 rule confirm
}
