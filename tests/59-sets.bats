#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Source sets (issue 16) with real traffic: datagrams from spoofed sources
# (xfspoof, inside 198.18.0.0/15 and fd00::/8) at the edges of a set's
# prefixes, whole /24s (level 1) and longer prefixes (level 2), IPv4 and
# IPv6, each source's fate computed by Python's ipaddress; port rules from
# a set; and a set reloaded dozens of times under live traffic, where a packet
# that saw half of one content and half of the other would show.

# shellcheck disable=SC2154 # bats' run sets output
load helpers
load spoof
load mutant

# set_file NAME PREFIX... - a blocklist file with the prefixes, in the
# formats people have (comments after a prefix, blank lines).
set_file() {
	local f=$BATS_TEST_TMPDIR/$1 p
	shift
	{
		echo "# test blocklist"
		for p in "$@"; do echo "$p ; listed"; echo; done
	} >"$f"
	echo "$f"
}

# expect FILE SOURCE... - "SOURCE in|out" for each source, by Python's
# ipaddress against the prefixes of FILE.
expect() {
	python3 - "$@" <<'PY'
import ipaddress, sys
nets = []
for line in open(sys.argv[1]):
    w = line.split('#')[0].split(';')[0].strip()
    if w:
        nets.append(ipaddress.ip_network(w))
for s in sys.argv[2:]:
    a = ipaddress.ip_address(s)
    print(s, "in" if any(a.version == n.version and a in n for n in nets) else "out")
PY
}

# sources FROM N [FAMILY] - the N consecutive addresses from FROM, as
# xfspoof sends from them.
sources() {
	python3 -c 'import ipaddress, sys
a = ipaddress.ip_address(sys.argv[1])
for k in range(int(sys.argv[2])): print(a + k)' "$1" "$2"
}

# edges NAME PORT FAMILY FILE FROM:N... - two datagrams from each source
# of each run FROM:N to PORT; each source's count must be what Python
# says of FILE's set: 0 inside, 2 outside. Prints the sources dropped.
edges() {
	local name=$1 port=$2 fam=$3 file=$4 run from n want s verdict dropped=0
	shift 4
	spoof_recv "$name" "$port" "$fam"
	for run in "$@"; do
		from=${run%:*}
		n=${run##*:}
		spoof_send "$name.$from" "-$fam" --from "$from" --sources "$n" \
			--to "$(addr_of "$fam" a)" --port "$port" --rate 1000 \
			--seconds 5 --count $((2 * n))
	done
	spoof_stop "$name"
	no_loss "$name"
	for run in "$@"; do
		# shellcheck disable=SC2046 # one word per source
		while read -r s verdict; do
			want=2
			[[ $verdict == in ]] && want=0 && dropped=$((dropped + 2))
			[[ $(got "$name" "$s") == "$want" ]] ||
				{ echo "source $s ($verdict): $(got "$name" "$s") of 2 arrived" >&2; return 1; }
		done < <(expect "$file" $(sources "${run%:*}" "${run##*:}"))
	done
	echo "$dropped"
}

# any_packets SET - packets counted by "any from @SET".
any_packets() {
	rule list --json | jq -r --arg s "$1" '.[] | select(.set == $s and .port == null) | .packets'
}

@test "IPv4: a whole /24, a /32 and a /28 drop, their neighbours pass (Python's ipaddress decides which)" {
	local f runs=(198.19.0.255:2 198.19.1.255:2 198.19.2.4:3 198.19.3.15:18)
	f=$(set_file v4 198.19.1.0/24 198.19.2.5 198.19.3.16/28)
	run -0 rule set drop load "$f"
	[[ $output == *"3 IPv4 and 0 IPv6 prefixes"* ]]
	# the control: the set exists, but no rule names it: all of it arrives
	run -0 edges ctl 7100 4 /dev/null "${runs[@]}"
	[[ ${lines[-1]} == 0 ]]
	run -0 rule add any from @drop
	run -0 edges blk 7100 4 "$f" "${runs[@]}"
	echo "# dropped ${lines[-1]} datagrams of 50" >&3
	[[ ${lines[-1]} == 38 ]]		# .1.0, .1.255, .2.5, .3.16-31: 19 sources
	[[ $(any_packets drop) == 38 ]]
}

@test "IPv6: a /48, a /120 and a /128 drop, their neighbours pass" {
	# xfspoof's consecutive IPv6 sources stay in one /64: the /48's edges
	# are single sources
	local f runs=(fd00:1:1:ffff:ffff:ffff:ffff:ffff:1 fd00:1:2:::1
		fd00:1:2:ffff:ffff:ffff:ffff:ffff:1 fd00:1:3:::1
		fd00:7:0:3::ff:2 fd00:7:0:3::1ff:2 fd00:9::4:3)
	f=$(set_file v6 fd00:1:2::/48 fd00:7:0:3::100/120 fd00:9::5 198.19.1.0/24)
	run -0 rule set drop6 load "$f"
	[[ $output == *"1 IPv4 and 3 IPv6 prefixes"* ]]
	run -0 edges ctl 7200 6 /dev/null "${runs[@]}"
	run -0 rule add any from @drop6
	run -0 edges blk 7200 6 "$f" "${runs[@]}"
	[[ ${lines[-1]} == 10 ]]		# fd00:1:2::, fd00:1:2:ffff:..., ::100, ::1ff, fd00:9::5
	[[ $(any_packets drop6) == 10 ]]
}

@test "a port rule from a set: only its port, only from the set; the set before a prefix rule" {
	local f
	f=$(set_file admins 198.19.5.0/24)
	run -0 rule set admins load "$f"
	run -0 rule add 7300 udp from @admins
	# a prefix rule that also holds the sources: the set's rule counts
	run -0 rule add 7300 udp from 198.19.0.0/16
	spoof_recv p 7300
	spoof_recv q 7301
	spoof_send p --from 198.19.5.1 --sources 2 --to 198.18.0.1 --port 7300 --rate 1000 --seconds 5 --count 4
	spoof_send q --from 198.19.5.1 --sources 2 --to 198.18.0.1 --port 7301 --rate 1000 --seconds 5 --count 4
	spoof_stop p
	spoof_stop q
	[[ $(got p 198.19.5.1) == 0 && $(got p 198.19.5.2) == 0 ]]
	[[ $(got q 198.19.5.1) == 2 && $(got q 198.19.5.2) == 2 ]]
	[[ $(rule list --json | jq '.[] | select(.set == "admins") | .packets') == 4 ]]
	[[ $(rule list --json | jq '.[] | select(.prefix == "198.19.0.0/16") | .packets') == 0 ]]
	# the control: from outside the set, the prefix rule decides
	spoof_recv r 7300
	spoof_send r --from 198.19.6.1 --to 198.18.0.1 --port 7300 --rate 1000 --seconds 5 --count 2
	spoof_stop r
	[[ $(got r 198.19.6.1) == 0 ]]
	[[ $(rule list --json | jq '.[] | select(.prefix == "198.19.0.0/16") | .packets') == 2 ]]
}

# any_and_port NAME WANT7500 WANT7501 - two datagrams from each of
# 198.19.8.1 and .2 (in set "ops") to ports 7500 and 7501; the counts that
# arrive at each port must be WANT7500 and WANT7501 a source.
any_and_port() {
	spoof_recv "$1a" 7500
	spoof_recv "$1b" 7501
	spoof_send "$1a" --from 198.19.8.1 --sources 2 --to 198.18.0.1 --port 7500 --rate 1000 --seconds 5 --count 4
	spoof_send "$1b" --from 198.19.8.1 --sources 2 --to 198.18.0.1 --port 7501 --rate 1000 --seconds 5 --count 4
	spoof_stop "$1a"
	spoof_stop "$1b"
	[[ $(got "$1a" 198.19.8.1) == "$2" && $(got "$1a" 198.19.8.2) == "$2" ]]
	[[ $(got "$1b" 198.19.8.1) == "$3" && $(got "$1b" 198.19.8.2) == "$3" ]]
}

@test "the set tier follows its set's \"any\" rule: deleted, a port rule from the set still drops its port only" {
	local f
	f=$(set_file ops 198.19.8.0/24)
	run -0 rule set ops load "$f"
	run -0 rule add any from @ops
	run -0 rule add 7500 udp from @ops
	[[ $(rule tier --json | jq -r .tier) == sets ]]
	# both rules: the "any" rule drops both ports, and counts them all
	any_and_port both 0 0
	[[ $(any_packets ops) == 8 ]]
	# without it, only the port rule's port (the set tier must not keep
	# the deleted rule's verdict for the set)
	run -0 rule del any from @ops
	[[ $(rule tier --json | jq -r .tier) == sets ]]
	any_and_port port 0 2
	[[ $(rule list --json | jq '.[] | select(.set == "ops") | .packets') == 4 ]]
	# and back: the new "any" rule drops both ports again
	run -0 rule add any from @ops
	any_and_port again 0 0
	[[ $(any_packets ops) == 8 ]]
}

# reload_flood - set live flips between two contents (A: 198.19.30.0/24
# whole; B: 198.19.30.7 at level 2, and 198.19.40.0/24) for as long as a
# flood from X (198.19.30.7, in both), Y (198.19.30.8, only in A) and Z
# (198.19.31.1, in neither) lasts; receiver "live" counts them, *k is
# the number of reloads of each content.
reload_flood() {
	local -n reloads=$1
	local a b xy z
	a=$(set_file a 198.19.30.0/24)
	b=$(set_file b 198.19.30.7 198.19.40.0/24)
	run -0 rule set live load "$a"
	run -0 rule add any from @live
	spoof_recv live 7400
	spoof_send live --from 198.19.30.7 --sources 2 --to 198.18.0.1 --port 7400 \
		--rate 1500 --seconds 5 &
	xy=$!
	spoof_send z --from 198.19.31.1 --to 198.18.0.1 --port 7400 --rate 300 --seconds 5 &
	z=$!
	# (not i: bats' run uses it)
	for ((reloads = 0; reloads < 200; reloads++)); do
		kill -0 "$xy" 2>/dev/null || break
		run -0 rule set live load "$b"
		run -0 rule set live load "$a"
	done
	wait "$xy"
	wait "$z"
	spoof_stop live
	no_loss live
	echo "# $reloads reloads of each content; X $(got live 198.19.30.7), Y $(got live 198.19.30.8) of $(($(sent live sent) / 2)), Z $(got live 198.19.31.1) of $(sent z sent)" >&3
}

@test "a set reloaded again and again under live traffic: no packet sees a mix of the two contents" {
	# A packet that read B's level 1 with A's level 2 (none) would let X
	# through; Y shows that the reloads happened during the flood.
	local k
	reload_flood k
	((k >= 5))
	[[ $(got live 198.19.30.7) == 0 ]]
	(($(got live 198.19.30.8) > 0 && $(got live 198.19.30.8) < $(sent live sent) / 2))
	[[ $(got live 198.19.31.1) == "$(sent z sent)" ]]
	run -0 rule set list --json
	[[ $(jq '.[] | select(.name == "live") | .changes' <<<"$output") == $((2 * k + 1)) ]]
}

@test "the control: a filter that reads level 2 from the other slot lets X through" {
	[[ $XF_IMPL == c ]] || skip "a mutation of the C source"
	local dir=$BATS_TEST_TMPDIR/mut k
	build_mutant "$dir/slot.o" bpf_maps.h \
		's/inner = bpf_map_lookup_elem(&xf_set4x, &slot);/slot ^= 1; inner = bpf_map_lookup_elem(\&xf_set4x, \&slot);/'
	run -0 in_ns "$ATTACH" detach "$XF_A"
	OBJ=$dir/slot.o attach_filter >/dev/null
	reload_flood k
	(($(got live 198.19.30.7) > 0))
}
