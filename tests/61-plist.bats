#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The prefix lists of source sets (src/xf_plist.c, through build/xfplist)
# against Python's ipaddress (tests/tools/plist_ref.py): merging, the IPv4
# two-level bitmap and back, union and difference, on large generated sets
# of both families; blocklist files, good and bad. No root needed.

load helpers

REF=$XF_ROOT/tests/tools/plist_ref.py

setup_file() {
	make -s -C "$XF_ROOT" build/xfplist >&3
	local d=$BATS_FILE_TMPDIR
	# 200,000 IPv4 and 50,000 IPv6 prefixes, and what Python makes of
	# them: computed once, for the merge and the bitmap tests
	python3 "$REF" gen 1 200000 50000 >"$d/big.txt"
	python3 "$REF" merge "$d/big.txt" >"$d/big.ref"
}

# put FILE - writes FILE in the test's directory from standard input.
put() {
	cat >"$BATS_TEST_TMPDIR/$1"
}

@test "merging 250,000 prefixes gives Python's collapse_addresses, per family" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	"$B/xfplist" merge "$d/big.txt" >"$out"
	run -0 python3 "$REF" same "$d/big.ref" "$out"
	# the same text too (inet_ntop and Python agree on the forms here)
	cmp "$d/big.ref" "$out"
	# merging did something, and left much to compare in both families
	local v4 v6
	v4=$(grep -c -v : "$out")
	v6=$(grep -c : "$out")
	((v4 > 20000 && v6 > 10000 && v4 + v6 < 150000))
}

@test "the IPv4 two-level bitmap holds the merged list: built, read back (level 2 shuffled), the same" {
	local d=$BATS_FILE_TMPDIR out=$BATS_TEST_TMPDIR/out
	"$B/xfplist" roundtrip "$d/big.txt" >"$out"
	run -0 python3 "$REF" same "$d/big.ref" "$out"
	# the sizes at the edges: everything, one /24 whole or in parts, hosts
	# at both ends, and a /24 made of its 256 hosts
	printf '%s\n' 0.0.0.0/1 128.0.0.0/1 >"$BATS_TEST_TMPDIR/all"
	run -0 "$B/xfplist" roundtrip "$BATS_TEST_TMPDIR/all"
	[[ $output == 0.0.0.0/0 ]]
	{
		printf '%s\n' 0.0.0.0 255.255.255.255 10.0.0.0/25 10.0.0.128/26
		printf '%s\n' 10.0.0.192/27 10.0.0.224/28 10.0.0.240/29 10.0.0.248/30
		printf '%s\n' 10.0.0.252/31 10.0.0.254 10.0.0.255 10.0.1.0/24
		for ((i = 0; i < 256; i++)); do echo "10.0.3.$i"; done
		printf '%s\n' 10.0.4.0/26 10.0.4.128/26 10.0.5.0/32 10.0.5.255/32
	} | put edges
	run -0 "$B/xfplist" roundtrip "$BATS_TEST_TMPDIR/edges"
	[[ $output == $'0.0.0.0/32\n10.0.0.0/23\n10.0.3.0/24\n10.0.4.0/26\n10.0.4.128/26\n10.0.5.0/32\n10.0.5.255/32\n255.255.255.255/32' ]]
}

@test "union and difference give Python's (collapse_addresses, address_exclude)" {
	local t=$BATS_TEST_TMPDIR
	python3 "$REF" gen 2 25000 6000 >"$t/a"
	# holes in a, a itself, blocks around a, neighbours of a
	python3 "$REF" around 3 "$t/a" >"$t/b"
	python3 "$REF" minus "$t/a" "$t/b" >"$t/minus.ref"
	python3 "$REF" union "$t/a" "$t/b" >"$t/union.ref"
	"$B/xfplist" minus "$t/a" "$t/b" >"$t/minus"
	"$B/xfplist" union "$t/a" "$t/b" >"$t/union"
	run -0 python3 "$REF" same "$t/minus.ref" "$t/minus"
	run -0 python3 "$REF" same "$t/union.ref" "$t/union"
	# the holes cut a's blocks into more prefixes than a has
	(($(wc -l <"$t/minus") > $("$B/xfplist" merge "$t/a" | wc -l)))
}

@test "difference and union by hand: a /24 out of a /16, all and nothing" {
	local t=$BATS_TEST_TMPDIR
	printf '%s\n' 10.0.0.0/16 2001:db8::/32 | put a
	printf '%s\n' 10.0.5.0/24 2001:db8:8000::/33 | put b
	run -0 "$B/xfplist" minus "$t/a" "$t/b"
	[[ $output == $'10.0.0.0/22\n10.0.4.0/24\n10.0.6.0/23\n10.0.8.0/21\n10.0.16.0/20\n10.0.32.0/19\n10.0.64.0/18\n10.0.128.0/17\n2001:db8::/33' ]]
	run -0 "$B/xfplist" union "$t/a" "$t/b"
	[[ $output == $'10.0.0.0/16\n2001:db8::/32' ]]
	printf '%s\n' 0.0.0.0/0 ::/0 | put all
	run -0 "$B/xfplist" minus "$t/a" "$t/all"
	[[ -z $output ]]
	run -0 "$B/xfplist" minus "$t/all" "$t/a"
	[[ $(echo "$output" | wc -l) -eq $((16 + 32)) ]]
	: | put empty
	run -0 "$B/xfplist" union "$t/empty" "$t/b"
	[[ $output == $'10.0.5.0/24\n2001:db8:8000::/33' ]]
}

@test "a blocklist: comments, blank lines, CRLF, both families mixed; an empty file is an empty set" {
	local t=$BATS_TEST_TMPDIR
	printf '# a blocklist\r\n\r\n198.18.0.0/24 ; SBL1\r\n  2001:db8::/48\t# x\r\n\t198.18.1.0/24\r\n;\r\n198.18.2.1' | put list
	run -0 --separate-stderr "$B/xfplist" merge "$t/list"
	[[ $output == $'198.18.0.0/23\n198.18.2.1/32\n2001:db8::/48' && -z $stderr ]]
	: | put empty
	run -0 --separate-stderr "$B/xfplist" merge "$t/empty"
	[[ -z $output && -z $stderr ]]
	printf '# nothing\n\n' | put comments
	run -0 --separate-stderr "$B/xfplist" roundtrip "$t/comments"
	[[ -z $output && -z $stderr ]]
	run -0 "$B/xfplist" merge - <"$t/list"
	[[ $output == $'198.18.0.0/23\n198.18.2.1/32\n2001:db8::/48' ]]
}

@test "bad lines: each one as FILE:LINE with the rules' wording, exit 2, nothing printed" {
	local t=$BATS_TEST_TMPDIR
	printf '%s\n' 10.0.0.0/8 10.1.2.3/16 '# ok' 10.0.0.0/33 foo \
		'10.0.0.0/24 10.0.1.0/24' '2001:db8::1/32' '::/129' '1.2.3.0/' \
		'10.0.0.0/24 ; fine' '10.0.0.0/24 junk ; x' 300.1.2.3 | put bad
	run -2 --separate-stderr "$B/xfplist" merge "$t/bad"
	[[ -z $output ]]
	local want=(
		"$t/bad:2: bad prefix '10.1.2.3/16': host bits are set (did you mean 10.1.0.0/16?)"
		"$t/bad:4: bad prefix length in '10.0.0.0/33' (IPv4 allows /0 to /32)"
		"$t/bad:5: bad prefix 'foo' (expected an IPv4 or IPv6 address/length, such as 198.18.0.0/15)"
		"$t/bad:6: expected one prefix, found '10.0.1.0/24' after it"
		"$t/bad:7: bad prefix '2001:db8::1/32': host bits are set (did you mean 2001:db8::/32?)"
		"$t/bad:8: bad prefix length in '::/129' (IPv6 allows /0 to /128)"
		"$t/bad:9: bad prefix length in '1.2.3.0/' (IPv4 allows /0 to /32)"
		"$t/bad:11: expected one prefix, found 'junk' after it"
		"$t/bad:12: bad prefix '300.1.2.3' (expected an IPv4 or IPv6 address/length, such as 198.18.0.0/15)"
	)
	local IFS=$'\n'
	[[ $stderr == "${want[*]}" ]]
	# standard input is <stdin>; a NUL byte is no text
	run -2 --separate-stderr "$B/xfplist" merge - < <(printf '1.2.3.4/8\n')
	[[ $stderr == "<stdin>:1: bad prefix '1.2.3.4/8': host bits are set (did you mean 1.0.0.0/8?)" ]]
	printf '1.2.3.4\n1.2.3.5\0x\n' | put nul
	run -2 --separate-stderr "$B/xfplist" merge "$t/nul"
	[[ $stderr == "$t/nul:2: a NUL byte (not a text file?)" ]]
	# every other tool says the same
	run -2 --separate-stderr "$B/xfplist" roundtrip "$t/bad"
	[[ $stderr == "${want[*]}" ]]
	run -2 --separate-stderr "$B/xfplist" minus "$t/nul" "$t/bad"
	[[ $stderr == "$t/nul:2: "* ]]
}

@test "many bad lines: the first 20, then how many more" {
	local t=$BATS_TEST_TMPDIR i
	for ((i = 1; i <= 1000; i++)); do
		echo "10.0.$((i % 256)).1/24"
		echo "192.0.2.$((i % 256))"
	done | put many
	run -2 --separate-stderr "$B/xfplist" merge "$t/many"
	[[ -z $output ]]
	[[ $(grep -c "^$t/many:[0-9]*: bad prefix '10\.0\.[0-9]*\.1/24': host bits are set" <<<"$stderr") -eq 20 ]]
	[[ $stderr == *"$t/many:39: bad prefix '10.0.20.1/24'"* ]]
	[[ $(tail -n 1 <<<"$stderr") == "$t/many: ... and 980 more bad lines" ]]
	[[ $(wc -l <<<"$stderr") -eq 21 ]]
}

@test "control: the comparison fails on a wrong reference" {
	local d=$BATS_FILE_TMPDIR t=$BATS_TEST_TMPDIR
	"$B/xfplist" merge "$d/big.txt" >"$t/out"
	# one prefix one bit longer (half its addresses gone)
	awk '!done && NR >= 1000 && split($0, p, "/") && p[2] < 32 {
		$0 = p[1] "/" p[2] + 1; done = NR } 1' "$d/big.ref" >"$t/bad.ref"
	run -1 python3 "$REF" same "$t/bad.ref" "$t/out"
	[[ $output == *"IPv4 prefix "*": expected"*", got"* ]]
	# one IPv6 prefix fewer
	awk '/:/ && !done { done = 1; next } 1' "$d/big.ref" >"$t/bad.ref"
	run -1 python3 "$REF" same "$t/bad.ref" "$t/out"
	[[ $output == *"IPv6 prefix 0: expected"* ]]
	# the input as it is is not the merged list
	run -1 python3 "$REF" same "$d/big.txt" "$t/out"
}
