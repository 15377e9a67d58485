#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The Ansible role on a fleet (issue 17, items 2 and 3): three hosts, each
# with its own network and mount namespaces, bpffs and sshd, reached over
# SSH by Debian's ansible-playbook from the controller namespace
# (tests/fleet.bash builds them in a throwaway root). The first run
# converges all three (a listed port blocked on each, with real traffic,
# and its neighbour open); the second reports changed=0; --check --diff
# shows the difference and changes nothing; the change then reaches all
# three; a bad rule fails the run on every host before any host changes;
# a rule set applied with confirm that cuts the controller off rolls back
# by itself, one that keeps SSH open is confirmed.

# shellcheck disable=SC2154 # bats' run sets output and lines
load helpers
load fleet

setup_file() {
	local t
	for t in ansible-playbook /usr/sbin/sshd ssh ssh-keygen dpkg-buildpackage dh lintian; do
		command -v "$t" >/dev/null || [[ -x $t ]] ||
			skip "no $t: apt-get install ansible-core openssh-server openssh-client dpkg-dev debhelper lintian (make deps does)"
	done
	[[ $EUID -eq 0 ]] || skip "needs root"
	[[ -L /lib && $(readlink -f /lib) == /usr/lib ]] ||
		skip "/lib is not a link to /usr/lib (not a merged-/usr system)"
	make -s -C "$XF_ROOT" all >&3
	make -s -C "$XF_ROOT" deb >"$BATS_FILE_TMPDIR/deb.out" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/deb.out" >&3; return 1; }
}

setup() {
	VERSION=$(<"$XF_ROOT/VERSION")
	DEB=$B/xdp-filter_${VERSION}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
}

teardown() {
	fleet_down
	ns_teardown
}

# rules_on HOST - the host's rule set as xf-rule list prints it, no counters.
rules_on() {
	fl_in "$1" xf-rule list | awk '{ $3 = $4 = ""; print }'
}

# all_hosts CMD [ARG...] - CMD HOST ARG... for each host; fails at the
# first failure.
all_hosts() {
	local h
	for h in "${FL_HOSTS[@]}"; do
		"$1" "$h" "${@:2}" || { echo "failed on $h: $*" >&2; return 1; }
	done
}

# blocks HOST PORT OTHER - PORT is dropped on HOST, OTHER (the control) arrives.
blocks() {
	! fl_reach "$1" "$2" && fl_reach "$1" "$3"
}

# results TASK - the hosts' results of the last run's task named TASK, one
# "STATUS: [HOST]" line each, sorted.
results() {
	awk -v t="TASK [xdp_filter : $1]" '
		index($0, t) == 1 { on = 1; next }
		/^(TASK|PLAY|RUNNING HANDLER) \[/ { on = 0 }
		on && /^(ok|changed|skipping|failed|fatal|included): \[/ {
			sub(/\].*/, "]"); print }' "$FL/play.out" | sort
}

# state HOST - what must not move when nothing changes: the rules with
# their ids (apply keeps a rule's id and so its counters; the counters
# themselves can still move: a probe's dropped SYN is retransmitted), the
# policy, the rule set and its serial, rules.conf.
state() {
	fl_in "$1" xf-rule list --json | jq -c 'map(del(.packets, .bytes))'
	fl_in "$1" xf-attach status --json | jq -c '[.policy, .rule_set]'
	fl_in "$1" cat /etc/xdp_filter/rules.conf
}

# snapshot - every host's state, in $FL/HOST.state.
snapshot() {
	local h
	for h in "${FL_HOSTS[@]}"; do
		state "$h" >"$FL/$h.state"
		[[ -s $FL/$h.state ]]
	done
}

# unchanged HOST - HOST's state is the snapshot's (else the difference).
unchanged() {
	state "$1" | diff "$FL/$1.state" - >&2
}

@test "first run converges all three (traffic); second changed=0; --check --diff shows and changes nothing; the change reaches all three" {
	fleet_up
	all_hosts fl_reach 8080			# before: open everywhere
	fleet_rules '["8080 tcp", "6000-6100 udp"]'
	run -0 playbook
	local h
	for h in "${FL_HOSTS[@]}"; do
		(($(recap "$h" changed) > 0)) && [[ $(recap "$h" failed) == 0 ]]
		[[ $(fl_in "$h" xf-rule version) == "$VERSION" ]]
		run -0 fl_in "$h" xf-attach status --json
		jq -e --arg v "$VERSION" --arg dev "$FL_IF" '.version == $v and .rules == 2 and
			.interfaces[0].name == $dev and .policy.policy == "deny"' <<<"$output"
		run -0 fl_in "$h" grep -v '^#' /etc/xdp_filter/rules.conf
		[[ $output == "policy deny"$'\n'"8080 tcp"$'\n'"6000-6100 udp" ]]
	done
	all_hosts blocks 8080 8081
	# the rule counted what it dropped, on each host
	for h in "${FL_HOSTS[@]}"; do
		run -0 fl_in "$h" xf-rule list --json
		jq -e '.[] | select(.port == 8080) | .packets >= 1' <<<"$output"
	done
	# the package went in once, on one host (the hosts share /usr), one
	# host at a time
	run -0 results "Install the package (the same version installed is no change)"
	[[ $output == "changed: [h1]"$'\n'"ok: [h2]"$'\n'"ok: [h3]" ]]

	# the second run: nothing to do
	snapshot
	run -0 playbook
	for h in "${FL_HOSTS[@]}"; do
		[[ $(recap "$h" changed) == 0 && $(recap "$h" failed) == 0 && $(recap "$h" ok) -gt 5 ]]
		unchanged "$h"
	done
	run -0 results "Apply the rule set (atomic) and write rules.conf"
	[[ $output == "ok: [h1]"$'\n'"ok: [h2]"$'\n'"ok: [h3]" ]]

	# a change, in check mode with the diff: shown, nothing changes
	fleet_rules '["8081 tcp", "6000-6100 udp", "9090 udp"]'
	run -0 playbook --check --diff
	for h in "${FL_HOSTS[@]}"; do
		[[ $(recap "$h" changed) == 1 && $(recap "$h" failed) == 0 ]]
	done
	run -0 results "Apply the rule set (atomic) and write rules.conf"
	[[ $output == "changed: [h1]"$'\n'"changed: [h2]"$'\n'"changed: [h3]" ]]
	# apply --dry-run's lines, once per host, and the file's diff
	local out=$FL/play.out
	[[ $(grep -cx -- '- 8080 tcp' "$out") == 3 && $(grep -cx -- '+ 8081 tcp' "$out") == 3 &&
		$(grep -cx -- '+ 9090 udp' "$out") == 3 ]]
	[[ $(grep -cx -- '# 2 to add, 1 to delete, 1 unchanged; policy unchanged' "$out") == 3 ]]
	[[ $(grep -cx -- '-8080 tcp' "$out") == 3 && $(grep -cx -- '+8081 tcp' "$out") == 3 ]]
	for h in "${FL_HOSTS[@]}"; do
		unchanged "$h"
	done
	all_hosts blocks 8080 8081

	# the change for real: it reaches all three
	run -0 playbook
	for h in "${FL_HOSTS[@]}"; do
		[[ $(recap "$h" changed) == 1 && $(recap "$h" failed) == 0 ]]
		run -0 rules_on "$h"
		[[ $output == "6000-6100 udp  "$'\n'"8081 tcp  "$'\n'"9090 udp  " ]]
		run -0 fl_in "$h" grep -v '^#' /etc/xdp_filter/rules.conf
		[[ $output == "policy deny"$'\n'"8081 tcp"$'\n'"6000-6100 udp"$'\n'"9090 udp" ]]
	done
	all_hosts blocks 8081 8080
}

@test "a bad rule fails the run on every host before any host changes" {
	fleet_up
	fleet_rules '["8080 tcp"]'
	run -0 playbook
	local h
	snapshot
	# a bad rule for every host: each one fails its check
	fleet_rules '["8080 tcp", "9090 udp", "99999 udp"]'
	run -2 playbook
	for h in "${FL_HOSTS[@]}"; do
		[[ $(recap "$h" failed) == 1 && $(recap "$h" changed) == 0 ]]
	done
	[[ $(grep -c "<stdin>:6: bad port '99999'" "$FL/play.out") == 3 ]]
	for h in "${FL_HOSTS[@]}"; do
		unchanged "$h"
	done
	# a bad rule on h2 only: h1 and h3 do not get the good change either
	fleet_rules '["8080 tcp", "9090 udp"]'
	echo 'xdp_filter_rules: ["8080 tcp", "9090 udp", "9091 tpc"]' >"$FL/ansible/host_vars/h2.yml"
	run -2 playbook
	[[ $(recap h2 failed) == 1 ]]
	for h in "${FL_HOSTS[@]}"; do
		[[ $(recap "$h" changed) == 0 ]]
	done
	grep -q "<stdin>:6: bad protocol 'tpc'" "$FL/play.out"
	grep -q "NO MORE HOSTS LEFT" "$FL/play.out"
	run -0 results "Apply the rule set (atomic) and write rules.conf"
	[[ -z $output ]]				# no host got that far
	for h in "${FL_HOSTS[@]}"; do
		unchanged "$h"
	done
	all_hosts blocks 8080 9090
}

# confirm_by HOST - the deadline of a pending apply --confirm, or null.
confirm_by() {
	fl_in "$1" xf-attach status --json | jq -r .rule_set.confirm_by
}

@test "confirm: a rule set that cuts the controller off rolls back by itself; one that keeps SSH open is confirmed" {
	fleet_up
	fleet_rules '["8080 tcp"]' 'xdp_filter_confirm: 60'
	run -0 playbook
	run -0 results "Confirm the rule set"
	[[ $output == "changed: [h1]"$'\n'"changed: [h2]"$'\n'"changed: [h3]" ]]
	local h i serial=()
	for h in "${FL_HOSTS[@]}"; do
		[[ $(confirm_by "$h") == null ]]
		run -0 fl_in "$h" grep -c '^8080 tcp$' /etc/xdp_filter/rules.conf
		serial+=("$(fl_in "$h" xf-attach status --json | jq .rule_set.serial)")
	done
	# allow only 8080: new SSH connections (to 2222) are dropped, so the
	# confirmation cannot come; each host rolls back by itself
	fleet_rules '["8080 tcp"]' 'xdp_filter_policy: allow' 'xdp_filter_confirm: 20'
	run ! playbook
	i=0
	for h in "${FL_HOSTS[@]}"; do
		[[ $(recap "$h" unreachable) == 1 ]]
		# rules.conf waits for the confirmation: it still has the old set
		run -1 fl_in "$h" grep -q '^policy allow' /etc/xdp_filter/rules.conf
		# bounded wait for the rollback (the deadline is 20 s after the apply)
		local j
		for ((j = 0; j < 600; j++)); do
			[[ $(confirm_by "$h") == null ]] && break
			sleep 0.1
		done
		run -0 fl_in "$h" xf-attach status --json
		# two switches: the apply, and the rollback back to deny
		jq -e --argjson s "${serial[i++]}" '.rule_set.serial == $s + 2 and
			.rule_set.confirm_by == null and .policy.policy == "deny" and .rules == 1' <<<"$output"
	done
	all_hosts blocks 8080 8081
	# with SSH listed the same policy is confirmed over a new connection
	fleet_rules '["2222 tcp", "8080 tcp"]' 'xdp_filter_policy: allow' 'xdp_filter_confirm: 60'
	run -0 playbook
	run -0 results "Confirm the rule set"
	[[ $output == "changed: [h1]"$'\n'"changed: [h2]"$'\n'"changed: [h3]" ]]
	for h in "${FL_HOSTS[@]}"; do
		[[ $(confirm_by "$h") == null ]]
		run -0 fl_in "$h" xf-rule policy
		[[ $output == allow* ]]
		fl_in "$h" grep -q '^policy allow' /etc/xdp_filter/rules.conf
	done
	all_hosts blocks 8081 8080		# allow: the listed port passes, others drop
}
