#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Source sets as the tools see them (issue 16): the set command's forms
# and its bad words and files (exit 2, the value named, nothing changed),
# rules "from @NAME" in add, list, --json, save, apply and apply --check,
# delete refused while a rule names a set, status and the metrics, and a
# large generated set read back through the maps and compared with Python's
# ipaddress.collapse_addresses. (The packets are 59-sets.bats'.)

# shellcheck disable=SC2154 # bats' run sets output and stderr
load helpers

setup_file() {
	make -s -C "$XF_ROOT" all >&3
}

teardown() {
	ns_teardown
}

# state - what a refused command must leave as it was: the sets with their
# content, and the rules.
state() {
	local n
	rule set list --json | jq -c 'map(del(.changed, .memory_bytes))'
	for n in $(rule set list --json | jq -r '.[].name'); do
		rule set "$n" list
	done
	rule save | grep -v '^# xdp_filter rule set'
}

# file NAME LINE... - a file with these lines.
file() {
	local f=$BATS_TEST_TMPDIR/$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

@test "set syntax: rules from @NAME in canonical form; bad names and words exit 2 without touching anything" {
	canonical_forms <<'CASES'
any from @drop|any from @drop
22 tcp from @admins log|22 tcp from @admins log
53 udp src from @resolvers.v2 limit 100/s per-source 24|53 udp src from @resolvers.v2 limit 100/s per-source 24
6000-6100 any from @A_b-9|6000-6100 any from @A_b-9
CASES
	local rule want
	while IFS='|' read -r rule want; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr "$B/rulectl" $rule
		[[ $stderr == *"$want"* && -z $output ]] || { echo "$rule: $stderr"; false; }
	done <<'CASES'
check-rule any from @|bad set name ''
check-rule any from @-x|bad set name '-x'
check-rule 22 tcp from @a/b|bad set name 'a/b'
check-rule 22 tcp from @aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|bad set name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
set|set needs 'list' or a NAME
set drop|set drop: what to do?
set drop frobnicate|set drop: unknown 'frobnicate'
set drop load|load needs a FILE
set drop load a b|unexpected argument 'b'
set drop load /nonexistent/file|/nonexistent/file: No such file or directory
set drop add|set drop add needs a PREFIX
set drop add 198.18.0.1/24|host bits are set (did you mean 198.18.0.0/24?)
set drop del 10.0.0.0/33|bad prefix length in '10.0.0.0/33'
set drop add banana|bad prefix 'banana'
set list --yaml|bad argument '--yaml' (expected --json)
set drop list --json extra|unexpected argument 'extra'
set drop delete now|unexpected argument 'now'
set bad!name list|bad set name 'bad!name'
CASES
	run -0 "$B/rulectl" set --help
	[[ $output == *"set NAME load FILE|-"* && $output == *"set NAME delete"* ]]
}

@test "load, list, --json, add, del, save: a set is a set of addresses, listed merged" {
	ns_setup
	attach_filter
	local f
	f=$(file drop.txt '# Spamhaus-style' '198.18.7.0/24 ; SBL1' '198.18.6.0/24' \
		'' '198.18.7.9   # inside the /24' 'fd00:1::/32' '198.19.0.1' $'198.19.0.0/31\r')
	run -0 rule set drop load "$f"
	[[ $output == "set drop: 2 IPv4 and 1 IPv6 prefixes after merging, "*" bytes" ]]
	run -0 rule set drop list
	[[ $output == $'198.18.6.0/23\n198.19.0.0/31\nfd00:1::/32' ]]
	run -0 rule set drop list --json
	[[ $(jq -c . <<<"$output") == '{"name":"drop","ipv4":["198.18.6.0/23","198.19.0.0/31"],"ipv6":["fd00:1::/32"]}' ]]
	run -0 rule set list --json
	[[ $(jq -c '.[0] | [.name, .number, .ipv4, .ipv6, .rules, .changes]' <<<"$output") == '["drop",0,2,1,0,1]' ]]
	(($(jq '.[0].memory_bytes' <<<"$output") > 4194304))	# level 1 alone
	# add merges; del takes addresses out of a larger prefix
	run -0 rule set drop add 198.19.0.2/31 2001:db8::1
	run -0 rule set drop del 198.18.7.128/25
	run -0 rule set drop list
	[[ $output == $'198.18.6.0/24\n198.18.7.0/25\n198.19.0.0/30\n2001:db8::1/128\nfd00:1::/32' ]]
	# save | load changes nothing
	rule set drop save >"$BATS_TEST_TMPDIR/saved"
	grep -q '^# load it with: rule.sh set drop load FILE' "$BATS_TEST_TMPDIR/saved"
	run -0 rule set drop load "$BATS_TEST_TMPDIR/saved"
	run -0 rule set drop list
	[[ $output == $'198.18.6.0/24\n198.18.7.0/25\n198.19.0.0/30\n2001:db8::1/128\nfd00:1::/32' ]]
	# load from standard input replaces everything
	# shellcheck disable=SC2153 # RULE is helpers.bash's
	run -0 in_ns sh -c "echo 10.0.0.0/8 | $RULE set drop load -"
	run -0 rule set drop list
	[[ $output == "10.0.0.0/8" ]]
	# add makes a set; delete removes it and its maps
	run -0 rule set other add 1.2.3.4
	run -0 rule set list
	[[ ${lines[1]} == "other: 1 IPv4 and 0 IPv6 prefixes, "* ]]
	run -0 rule set other delete
	run -0 rule set drop delete
	run -0 rule set list
	[[ $output == "no sets (make one: set NAME load FILE)" ]]
	run -0 in_ns bpftool map list
	[[ $output != *xf_set4_l* && $output != *xf_set6_trie* ]]
}

@test "bad set files and changes exit 2 (or 1), say FILE:LINE or the prefix, and change nothing" {
	ns_setup
	attach_filter
	run -0 rule set drop add 198.18.1.0/24 fd00::/64
	run -0 rule add any from @drop
	local before bad
	before=$(state)
	bad=$(file bad.txt '198.18.2.0/24' '198.18.3.1/24 ; typo' 'fd00::/200' 'banana' '1.2.3.4 5.6.7.8' '# fine')
	run -2 --separate-stderr rule set drop load "$bad"
	[[ $stderr == *"bad.txt:2: bad prefix '198.18.3.1/24': host bits are set (did you mean 198.18.3.0/24?)"* ]]
	[[ $stderr == *"bad.txt:3: bad prefix length in 'fd00::/200'"* ]]
	[[ $stderr == *"bad.txt:4: bad prefix 'banana'"* ]]
	[[ $stderr == *"bad.txt:5: "* && $stderr != *"bad.txt:1:"* && $stderr != *"bad.txt:6:"* ]]
	[[ $(state) == "$before" ]]
	# a new set from a bad file does not come to exist
	run -2 rule set fresh load "$bad"
	[[ $(state) == "$before" ]]
	# del of what is not in the set, list of a set that does not exist
	run -1 --separate-stderr rule set drop del 198.18.9.0/24
	[[ $stderr == *"set drop: nothing of 198.18.9.0/24 is in it (nothing changed)"* ]]
	run -1 --separate-stderr rule set nosuch list
	[[ $stderr == *"no set 'nosuch'"* ]]
	run -1 rule set nosuch delete
	[[ $(state) == "$before" ]]
	# the control: a good file does change it
	run -0 rule set drop load "$(file good.txt 198.18.2.0/24)"
	[[ $(state) != "$before" ]]
}

@test "rules from a set: add, list, --json, save, apply, apply --check; delete refused while named" {
	ns_setup
	attach_filter
	run -0 rule set admins add 198.18.1.0/24
	run -2 --separate-stderr rule add 22 tcp from @nosuch
	[[ $stderr == *"no set 'nosuch' (make it first: set nosuch load FILE, or set nosuch add PREFIX)"* ]]
	run -0 rule add 22 tcp from @admins limit 5/s per-source
	run -0 rule add any from @admins log
	run -0 rule list
	[[ $output == *"22 tcp 0 0 from @admins limit 5/s per-source limited 0"* ]]
	[[ $output == *"any any 0 0 from @admins log 10/s"* ]]
	run -0 rule list --json
	[[ $(jq -c '[.[] | [.set, .prefix, .port]]' <<<"$output") == '[["admins",null,null],["admins",null,22]]' ]]
	run -0 rule tier
	[[ $output == *"rules from a source set"* ]]
	# the same rule twice, and an overlap, are refused as for prefixes
	run -1 rule add 22 tcp from @admins
	run -1 --separate-stderr rule set admins delete
	[[ $stderr == *"set admins is in use by rule '22 tcp from @admins limit 5/s per-source': delete the rule first"* ]]
	# save | apply changes nothing
	local before
	before=$(state)
	rule save >"$BATS_TEST_TMPDIR/saved.rules"
	run -0 rule apply "$BATS_TEST_TMPDIR/saved.rules"
	[[ $(state) == "$before" ]]
	# a file that names a set that does not exist: every such line, exit
	# 2, nothing applied; --check says the same
	printf '80 tcp from @admins\n81 tcp from @ghost\nany from @ghost2\n' >"$BATS_TEST_TMPDIR/ghost.rules"
	run -2 --separate-stderr rule apply "$BATS_TEST_TMPDIR/ghost.rules"
	[[ $stderr == *"ghost.rules:2: no set 'ghost'"* && $stderr == *"ghost.rules:3: no set 'ghost2'"* ]]
	[[ $stderr != *"ghost.rules:1:"* ]]
	run -2 --separate-stderr rule apply --check "$BATS_TEST_TMPDIR/ghost.rules"
	[[ $stderr == *"ghost.rules:2: no set 'ghost'"* ]]
	[[ $(state) == "$before" ]]
	# the control: once the sets exist, the same file checks and applies
	run -0 rule set ghost add 198.18.2.0/24
	run -0 rule set ghost2 add fd00::/16
	run -0 rule apply --check "$BATS_TEST_TMPDIR/ghost.rules"
	[[ $output == *"3 rules, policy deny"* ]]
	run -0 rule apply "$BATS_TEST_TMPDIR/ghost.rules"
	run -0 rule save
	[[ $output == *$'\n80 tcp from @admins\n81 tcp from @ghost\nany from @ghost2'* ]]
	# admins is still named (80 tcp); ghost2 is free once its rule goes
	run -1 rule set admins delete
	run -0 rule del any from @ghost2
	run -0 rule set ghost2 delete
	run -0 rule set list --json
	[[ $(jq -c '[.[].name]' <<<"$output") == '["admins","ghost"]' ]]
}

@test "sets in status, status --json and the metrics" {
	ns_setup
	attach_filter
	run -0 rule set drop add 198.18.0.0/16 fd00::/8
	run -0 rule add any from @drop
	run -0 rule status
	[[ $output == *"sets: 1"* && $output == *"  @drop: 1 IPv4 and 1 IPv6 prefixes, "*" bytes, 1 rule(s)"* ]]
	[[ $output == *"tier: sets (rules from a source set)"* ]]
	run -0 rule status --json
	[[ $(jq -c '.sets[0] | [.name, .ipv4, .ipv6, .rules]' <<<"$output") == '["drop",1,1,1]' ]]
	local mem
	mem=$(jq '.sets[0].memory_bytes' <<<"$output")
	((mem > 4194304))
	# map_memory_bytes counts the set's maps too (they are not pinned)
	(($(jq '.map_memory_bytes - (.maps | add)' <<<"$output") >= mem))
	run -0 rule stats --prometheus
	[[ $output == *'xdp_filter_set_prefixes{set="drop",family="ipv4"} 1'* ]]
	[[ $output == *'xdp_filter_set_prefixes{set="drop",family="ipv6"} 1'* ]]
	[[ $output == *"xdp_filter_set_memory_bytes{set=\"drop\"} $mem"* ]]
	[[ $output == *'xdp_filter_rule_packets_total{rule="any from @drop",proto="any",set="drop"} 0'* ]]
}

@test "a large generated set read back through the maps equals Python's ipaddress.collapse_addresses" {
	ns_setup
	attach_filter
	local gen=$BATS_TEST_TMPDIR/big.txt want=$BATS_TEST_TMPDIR/want.txt
	# 150,000 IPv4 prefixes of every length 8..32 (few short ones) and
	# 30,000 IPv6 of every length 16..128, clustered so they overlap and
	# touch, duplicates included (shorter ones would swallow the rest:
	# 61-plist and the conformance run have /0 to /7)
	python3 - "$gen" "$want" <<'PY'
import ipaddress, random, sys
r = random.Random(16)
def length(top):	# mostly long; short ones (/8, /16 up) now and then
    if r.random() < 0.002:
        return r.randrange(top // 4 if top == 32 else 16, top + 1)
    return r.choice([top] * 4 + list(range(top - 12, top + 1)))
v4, v6 = [], []
for _ in range(150000):
    l = length(32)
    a = (0xC612 << 16 | r.getrandbits(16)) if r.random() < 0.7 else r.getrandbits(32)
    v4.append(ipaddress.IPv4Network((a >> (32 - l) << (32 - l), l)))
for _ in range(30000):
    l = length(128)
    a = (0xfd00 << 112 | r.getrandbits(24) << 88) if r.random() < 0.7 else r.getrandbits(128)
    v6.append(ipaddress.IPv6Network((a >> (128 - l) << (128 - l), l)))
with open(sys.argv[1], "w") as f:
    for n in v4 + v6 + v4[:1000]:
        f.write(f"{n}\n" if n.prefixlen not in (32, 128) else f"{n.network_address} ; host\n")
with open(sys.argv[2], "w") as f:
    for n in list(ipaddress.collapse_addresses(v4)) + list(ipaddress.collapse_addresses(v6)):
        f.write(f"{n}\n")
PY
	run -0 rule set big load "$gen"
	rule set big list >"$BATS_TEST_TMPDIR/got.txt"
	echo "# $(wc -l <"$gen") lines, $(wc -l <"$want") prefixes merged, $output" >&3
	diff -q "$want" "$BATS_TEST_TMPDIR/got.txt"
	(($(wc -l <"$want") > 50000))	# plenty of detail left to get wrong
	# the control: one address less in the file is a different set
	grep -v ' ; host' "$gen" | head -149000 >"$BATS_TEST_TMPDIR/less.txt"
	run -0 rule set big load "$BATS_TEST_TMPDIR/less.txt"
	rule set big list >"$BATS_TEST_TMPDIR/got2.txt"
	run ! diff -q "$want" "$BATS_TEST_TMPDIR/got2.txt"
}
