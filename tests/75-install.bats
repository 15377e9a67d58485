#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Persistence (issue 7, item 3): scripts/install.sh (make install) honours
# PREFIX and DESTDIR, the systemd unit passes systemd-analyze verify, and
# the unit's own commands, run in order as systemd would at boot, attach
# the filter and load the saved rules file, with real traffic. Also
# scripts/restore.sh: a bad rules file changes nothing and says FILE:LINE.
# (No systemd runs here: the unit is verified, its commands are executed.)

load helpers

INSTALL=$XF_ROOT/scripts/install.sh
RESTORE=$XF_ROOT/scripts/restore.sh

setup_file() {
	make -s -C "$XF_ROOT" all "$OBJ" >&3
}

teardown() {
	ns_teardown
}

# installed_files DIR - every file under DIR with its mode, DIR stripped.
installed_files() {
	(cd "$1" && find . -type f -printf '%m /%P\n' | sort -k2)
}

# unit_cmds UNIT KEY - the command lines of KEY (ExecStart, ...) in order,
# for instance $XF_A and no XF_MODE, as systemd would run them.
unit_cmds() {
	# shellcheck disable=SC2016 # a literal $XF_MODE, as in the unit
	sed -n -E "s/^$2=//p" "$1" | sed -e "s/%I/$XF_A/g" -e 's/ \$XF_MODE//'
}

# run_unit UNIT KEY - runs those commands in the test's namespaces, stopping
# at the first failure like systemd.
run_unit() {
	local line w
	while IFS= read -r line; do
		read -ra w <<<"$line"
		in_ns "${w[@]}" || return
	done < <(unit_cmds "$1" "$2")
}

@test "install.sh --help, and bad settings exit 2 without writing" {
	run -0 "$INSTALL" --help
	[[ $output == *DESTDIR* && $output == *PREFIX* && $output == *xdp-filter@.service* ]]
	local d=$BATS_TEST_TMPDIR/stage
	run -2 --separate-stderr env DESTDIR="$d" PREFIX=usr "$INSTALL"
	[[ $stderr == *"PREFIX must be an absolute path"* ]]
	run -2 --separate-stderr env DESTDIR=stage "$INSTALL"
	[[ $stderr == *"DESTDIR must be an absolute path"* ]]
	run -2 --separate-stderr env DESTDIR="$d" "$INSTALL" PREFIX=/usr
	[[ $stderr == *"unexpected argument 'PREFIX=/usr'"* ]]
	run -0 env DESTDIR="$d" "$INSTALL" --dry-run
	[[ $output == *"/usr/local/sbin/xf-rule"* ]]
	[[ ! -e $d ]]
}

@test "DESTDIR + PREFIX=/usr: the files, modes, and no DESTDIR inside them" {
	local d=$BATS_TEST_TMPDIR/stage f
	run -0 env DESTDIR="$d" PREFIX=/usr "$INSTALL"
	run -0 installed_files "$d"
	local want="644 /etc/xdp_filter/rules.conf
644 /usr/lib/systemd/system/xdp-filter@.service
755 /usr/lib/xdp_filter/attach.sh
755 /usr/lib/xdp_filter/restore.sh
755 /usr/lib/xdp_filter/rule.sh
755 /usr/lib/xdp_filter/rulectl
644 /usr/lib/xdp_filter/xdp_filter.o"
	[[ -s $B/xdp_filter_rs.o ]] && want+=$'\n'"644 /usr/lib/xdp_filter/xdp_filter_rs.o"
	want+="
755 /usr/sbin/xf-attach
755 /usr/sbin/xf-restore
755 /usr/sbin/xf-rule"
	[[ $output == "$want" ]] || { diff <(echo "$want") <(echo "$output"); false; }
	cmp "$B/xdp_filter.o" "$d/usr/lib/xdp_filter/xdp_filter.o"
	cmp "$B/rulectl" "$d/usr/lib/xdp_filter/rulectl"
	run -1 grep -rlF "$d" "$d"
	run -0 grep -E '^Exec' "$d/usr/lib/systemd/system/xdp-filter@.service"
	[[ $output == *"ExecStart=/usr/sbin/xf-attach attach %I"* ]]
	[[ $output == *"ExecStart=/usr/sbin/xf-restore /etc/xdp_filter/rules.conf"* ]]
	[[ $output != *"/usr/local"* ]]
	grep -q "exec '/usr/lib/xdp_filter/rule.sh'" "$d/usr/sbin/xf-rule"
	for f in "$d"/usr/sbin/xf-*; do sh -n "$f"; done
}

@test "systemd-analyze verify accepts the installed unit, and catches a broken one" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze (apt-get install systemd)"
	local d=$BATS_TEST_TMPDIR/stage u
	run -0 env DESTDIR="$d" "$INSTALL"		# PREFIX=/usr/local
	u=$d/usr/local/lib/systemd/system/xdp-filter@.service
	grep -q '^ExecStart=/usr/local/sbin/xf-attach attach %I' "$u"
	run -0 systemd-analyze verify --root="$d" "$u"
	[[ -z $output ]]		# not even a warning
	# the check has teeth: a missing command, and a misspelt key
	mv "$d/usr/local/sbin/xf-attach" "$BATS_TEST_TMPDIR/"
	run -1 systemd-analyze verify --root="$d" "$u"
	[[ $output == *"/usr/local/sbin/xf-attach is not executable"* ]]
	mv "$BATS_TEST_TMPDIR/xf-attach" "$d/usr/local/sbin/"
	sed -i 's/^RemainAfterExit=/RemainAfterExt=/' "$u"
	run systemd-analyze verify --root="$d" "$u"
	[[ $output == *"Unknown key 'RemainAfterExt'"* ]]
}

@test "reinstalling keeps an edited rules.conf; SYSCONFDIR and UNITDIR move files" {
	local d=$BATS_TEST_TMPDIR/stage
	run -0 env DESTDIR="$d" "$INSTALL"
	echo "8080 tcp" >"$d/etc/xdp_filter/rules.conf"
	run -0 env DESTDIR="$d" "$INSTALL"
	[[ $output == *"kept /etc/xdp_filter/rules.conf"* ]]
	[[ $(cat "$d/etc/xdp_filter/rules.conf") == "8080 tcp" ]]
	run -0 env DESTDIR="$d" PREFIX=/opt/xf SYSCONFDIR=/opt/xf/etc UNITDIR=/etc/systemd/system "$INSTALL"
	[[ -x $d/opt/xf/sbin/xf-restore && -s $d/opt/xf/etc/xdp_filter/rules.conf ]]
	run -0 grep -E '^Exec' "$d/etc/systemd/system/xdp-filter@.service"
	[[ $output == *"ExecStartPre=/opt/xf/sbin/xf-restore --check /opt/xf/etc/xdp_filter/rules.conf"* ]]
}

@test "boot: the installed unit's commands attach the filter and load rules.conf (traffic)" {
	local p=$BATS_TEST_TMPDIR/p etc=$BATS_TEST_TMPDIR/etc u
	run -0 env PREFIX="$p" SYSCONFDIR="$etc" UNITDIR="$p/unit" "$INSTALL"
	u=$p/unit/xdp-filter@.service
	if command -v systemd-analyze >/dev/null; then
		run -0 systemd-analyze verify "$u"	# real paths this time
		[[ -z $output ]]
	fi
	cat >"$etc/xdp_filter/rules.conf" <<-RULES
	# saved rules
	8080 tcp

	6000-6100 udp   # a range
	RULES
	ns_setup
	assert_reaches tcp 8080
	run_unit "$u" ExecStartPre
	run_unit "$u" ExecStart
	refute_reaches tcp 8080
	refute_reaches udp 6050
	assert_reaches tcp 8081
	assert_reaches udp 6101
	run -0 in_ns "$p/sbin/xf-rule" list
	[[ ${#lines[@]} -eq 2 && $output == *"8080 tcp "[1-9]* ]]
	# reload after editing the file: kept rules keep their counters
	echo "9090 tcp" >>"$etc/xdp_filter/rules.conf"
	sed -i '/6000-6100/d' "$etc/xdp_filter/rules.conf"
	local before
	before=$(in_ns "$p/sbin/xf-rule" list --json | jq '.[] | select(.port == 8080) | .packets')
	run_unit "$u" ExecReload
	run -0 in_ns "$p/sbin/xf-rule" list --json
	jq -e --argjson n "$before" 'length == 2 and (.[] | select(.port == 8080) | .packets) == $n' <<<"$output"
	assert_reaches udp 6050
	refute_reaches tcp 9090
	# stop: the filter goes, traffic passes, the pins go
	run_unit "$u" ExecStop
	assert_reaches tcp 8080
	run -0 in_ns ip -d link show dev "$XF_A"
	[[ $output != *xdp* ]]
	run -1 in_ns test -e /sys/fs/bpf/tc/globals/xf_ports
}

@test "boot with a bad rules.conf: the unit fails before attaching, naming FILE:LINE" {
	local p=$BATS_TEST_TMPDIR/p etc=$BATS_TEST_TMPDIR/etc u
	run -0 env PREFIX="$p" SYSCONFDIR="$etc" UNITDIR="$p/unit" "$INSTALL"
	u=$p/unit/xdp-filter@.service
	printf '8080 tcp\n8080 tpc\n' >"$etc/xdp_filter/rules.conf"
	ns_setup
	run -2 --separate-stderr run_unit "$u" ExecStartPre
	[[ $stderr == *"$etc/xdp_filter/rules.conf:2: bad protocol 'tpc'"* ]]
	run -0 in_ns ip -d link show dev "$XF_A"
	[[ $output != *xdp* ]]
}

@test "restore.sh: a bad file changes nothing and reports every bad line" {
	ns_setup
	attach_filter
	run -0 rule add 7000 tcp
	run -0 rule policy allow ephemeral 40000-50000
	local f=$BATS_TEST_TMPDIR/rules.conf before
	before=$(rule list; rule policy)
	cat >"$f" <<-RULES
	8080 tcp
	99999 udp
	6000-6100 udp
	6050 any          # overlaps the range for udp
	22 tcp from 198.18.0.1/15
	policy deny
	policy allow
	any frm 2001:db8::/32
	RULES
	run -2 --separate-stderr in_ns "$RESTORE" "$f"
	[[ -z $output ]]
	[[ $stderr == *"$f:2: bad port '99999'"* ]]
	[[ $stderr == *"$f:4: '6050 any' overlaps '6000-6100 udp' (line 3)"* ]]
	[[ $stderr == *"$f:5: bad prefix '198.18.0.1/15': host bits are set (did you mean 198.18.0.0/15?)"* ]]
	[[ $stderr == *"$f:7: a second policy line (the first is line 6)"* ]]
	[[ $stderr == *"$f:8: 'any' as a port needs 'from PREFIX'"* ]]
	[[ $stderr == *"nothing changed"* ]]
	[[ $stderr != *"$f:1:"* && $stderr != *"$f:3:"* && $stderr != *"$f:6:"* ]]
	[[ $(rule list; rule policy) == "$before" ]]
	run -1 --separate-stderr in_ns "$RESTORE" "$BATS_TEST_TMPDIR/none.conf"
	[[ $stderr == *"cannot read"* ]]
	run -2 "$RESTORE"
	run -0 "$RESTORE" --help
	[[ $output == *"FILE:LINE: reason"* && $output == *"not atomic"* ]]
}

@test "restore.sh: converges to the file, keeps counters, sets the policy, twice is a no-op" {
	ns_setup
	attach_filter
	run -0 rule add 7000 tcp		# not in the file: deleted
	run -0 rule add 8080 tcp		# in the file: kept with its counter
	refute_reaches tcp 8080
	local f=$BATS_TEST_TMPDIR/rules.conf n
	n=$(rule_packets 8080 tcp)
	[[ $n -ge 1 ]]
	cat >"$f" <<-RULES
	8080 tcp dst
	53 udp src
	22 tcp from 198.18.0.0/24
	any from fd00::2/128
	policy allow ephemeral 40000-50000 nodhcp
	8080 tcp          # the same rule again: once
	RULES
	run -0 "$RESTORE" --check "$f"
	[[ $output == *"4 rule(s), policy allow ephemeral 40000-50000 nodhcp: ok"* ]]
	run -0 in_ns "$RESTORE" "$f"
	run -0 rule list
	[[ $output == "53 udp 0 0 src"$'\n'"8080 tcp $n "*$'\n'"22 tcp 0 0 from 198.18.0.0/24"$'\n'"any any 0 0 from fd00::2/128" ]]
	run -0 rule policy
	[[ $output == "allow ephemeral 40000-50000 nodhcp" ]]
	refute_reaches tcp 7000			# allow mode: an unlisted port is closed
	assert_reaches tcp 22			# listed for the peer's prefix: allow mode lets it in
	local list1
	list1=$(rule list --json | jq -c 'map(del(.packets, .bytes))')
	run -0 in_ns "$RESTORE" "$f"
	[[ $(rule list --json | jq -c 'map(del(.packets, .bytes))') == "$list1" ]]
	# no policy line: back to deny
	printf '8080 tcp\n' >"$f"
	run -0 in_ns "$RESTORE" "$f"
	run -0 rule policy
	[[ $output == deny ]]
	assert_reaches tcp 7000
}
