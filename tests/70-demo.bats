#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make demo, as a newcomer runs it: real traffic passes, the rule blocks
# exactly its port, the counters moved, and nothing is left behind.

load helpers

@test "make demo shows the rule dropping TCP 8080 while the rest passes" {
	require_root
	local before
	before=$(ip -o link show | wc -l)
	run -0 make -s -C "$XF_ROOT" demo
	[[ $output == *"-> arrived: hello tcp 8080"*"rule.sh add 8080 tcp"* ]]
	[[ $output == *"did NOT arrive"*"-> arrived: hello tcp 8081"*"-> arrived: hello udp 8080"* ]]
	[[ $output =~ 8080\ tcp\ [1-9][0-9]*\ [1-9] ]]
	[[ $output =~ dropped\ +drop\ +[1-9] ]]
	[[ $output == *"pins removed"* ]]
	# it ran in its own namespaces: the host has no new links or netns
	[[ $(ip -o link show | wc -l) -eq $before ]]
	! ip netns list | grep -q xfdemo
}
