#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Persistence (issue 7, item 3): scripts/install.sh (make install) honours
# PREFIX and DESTDIR, the systemd unit passes systemd-analyze verify, and
# the unit's own commands, run in order as systemd would at boot, attach
# the filter and apply the saved rules file (xf-rule apply, atomic), with
# real traffic; reload converges, keeps counters, and a bad file changes
# nothing and names FILE:LINE. These run the installed tree end to end;
# tests/68-apply.bats covers apply itself in depth.
# (No systemd runs here: the unit is verified, its commands are executed.)

load helpers

INSTALL=$XF_ROOT/scripts/install.sh

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

# install_p - installs into real paths under the test's directory: $P
# (PREFIX), $ETC (SYSCONFDIR), the unit as $UNIT; $CONF is the rules file.
install_p() {
	P=$BATS_TEST_TMPDIR/p ETC=$BATS_TEST_TMPDIR/etc
	UNIT=$P/unit/xdp-filter@.service CONF=$ETC/xdp_filter/rules.conf
	env PREFIX="$P" SYSCONFDIR="$ETC" UNITDIR="$P/unit" "$INSTALL" >/dev/null
}

xf_rule() {
	in_ns "$P/sbin/xf-rule" "$@"
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
755 /usr/lib/xdp_filter/rulectl
755 /usr/lib/xdp_filter/scripts/attach.sh
755 /usr/lib/xdp_filter/scripts/rule.sh
644 /usr/lib/xdp_filter/xdp_filter.o"
	[[ -s $B/xdp_filter_rs.o ]] && want+=$'\n'"644 /usr/lib/xdp_filter/xdp_filter_rs.o"
	want+="
755 /usr/sbin/xf-attach
755 /usr/sbin/xf-rule"
	[[ $output == "$want" ]] || { diff <(echo "$want") <(echo "$output"); false; }
	cmp "$B/xdp_filter.o" "$d/usr/lib/xdp_filter/xdp_filter.o"
	cmp "$B/rulectl" "$d/usr/lib/xdp_filter/rulectl"
	run -1 grep -rlF "$d" "$d"
	run -0 grep -E '^Exec' "$d/usr/lib/systemd/system/xdp-filter@.service"
	[[ $output == "ExecStartPre=/usr/sbin/xf-rule apply --check /etc/xdp_filter/rules.conf --sets /etc/xdp_filter/sets
ExecStart=/usr/sbin/xf-attach attach %I \$XF_MODE
ExecStart=/usr/sbin/xf-rule apply /etc/xdp_filter/rules.conf --sets /etc/xdp_filter/sets
ExecReload=/usr/sbin/xf-rule apply /etc/xdp_filter/rules.conf --sets /etc/xdp_filter/sets
ExecStop=/usr/sbin/xf-attach detach %I" ]]
	grep -q "exec '/usr/lib/xdp_filter/scripts/rule.sh'" "$d/usr/sbin/xf-rule"
	for f in "$d"/usr/sbin/xf-*; do sh -n "$f"; done
	# the installed rules.conf is all comments: an empty set, policy deny
	run -0 "$d/usr/lib/xdp_filter/rulectl" apply --check "$d/etc/xdp_filter/rules.conf"
	[[ $output == *": 0 rules, policy deny" ]]
}

@test "the examples in rules.conf are what apply reads" {
	local f=$BATS_TEST_TMPDIR/examples.conf
	# the lines after "# Examples", '# ' removed, that are rules or policy
	awk '/^# Examples/ { on = 1; next }
	     on && sub(/^# /, "") && /^(policy |[0-9]|any )/' \
		"$XF_ROOT/systemd/rules.conf" >"$f"
	grep -q ' log' "$f"
	grep -q '^policy ' "$f"
	run -0 "$XF_ROOT/scripts/rule.sh" apply --check "$f"
	[[ $output == "$f: $(grep -vc '^policy ' "$f") rules, policy allow"* ]]
}

@test "systemd-analyze verify accepts the installed unit, and catches a broken one" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze (apt-get install systemd)"
	local d=$BATS_TEST_TMPDIR/stage u
	run -0 env DESTDIR="$d" "$INSTALL"		# PREFIX=/usr/local
	u=$d/usr/local/lib/systemd/system/xdp-filter@.service
	grep -q '^ExecStart=/usr/local/sbin/xf-attach attach %I' "$u"
	grep -q '^ExecReload=/usr/local/sbin/xf-rule apply /etc/xdp_filter/rules.conf --sets /etc/xdp_filter/sets$' "$u"
	run -0 systemd-analyze verify --root="$d" "$u"
	[[ -z $output ]]		# not even a warning
	# the check has teeth: a missing command, and a misspelt key
	mv "$d/usr/local/sbin/xf-rule" "$BATS_TEST_TMPDIR/"
	run -1 systemd-analyze verify --root="$d" "$u"
	[[ $output == *"/usr/local/sbin/xf-rule is not executable"* ]]
	mv "$BATS_TEST_TMPDIR/xf-rule" "$d/usr/local/sbin/"
	sed -i 's/^RemainAfterExit=/RemainAfterExt=/' "$u"
	run systemd-analyze verify --root="$d" "$u"
	[[ $output == *"Unknown key 'RemainAfterExt'"* ]]
}

@test "reinstalling keeps an edited rules.conf, removes what restore.sh left; SYSCONFDIR and UNITDIR move files" {
	local d=$BATS_TEST_TMPDIR/stage
	run -0 env DESTDIR="$d" "$INSTALL"
	echo "8080 tcp" >"$d/etc/xdp_filter/rules.conf"
	# an older install: xf-restore and the scripts flat in LIBDIR; and a
	# command of the same name that is not ours
	local l=$d/usr/local/lib/xdp_filter s=$d/usr/local/sbin
	touch "$l/restore.sh" "$l/rule.sh" "$l/attach.sh"
	printf "#!/bin/sh\n# xf-restore - installed by xdp_filter's make install: runs x\n" >"$s/xf-restore"
	run -0 env DESTDIR="$d" "$INSTALL"
	[[ $output == *"kept /etc/xdp_filter/rules.conf"* ]]
	[[ $output == *"rm /usr/local/sbin/xf-restore"* && $output == *"rm /usr/local/lib/xdp_filter/restore.sh"* ]]
	[[ $(cat "$d/etc/xdp_filter/rules.conf") == "8080 tcp" ]]
	[[ ! -e $s/xf-restore && ! -e $l/restore.sh && ! -e $l/rule.sh && ! -e $l/attach.sh ]]
	[[ -x $l/scripts/rule.sh ]]
	echo "#!/bin/sh" >"$s/xf-restore"		# someone else's: kept
	run -0 env DESTDIR="$d" "$INSTALL"
	[[ -e $s/xf-restore && $output != *"rm /usr/local/sbin/xf-restore"* ]]
	run -0 env DESTDIR="$d" PREFIX=/opt/xf SYSCONFDIR=/opt/xf/etc UNITDIR=/etc/systemd/system "$INSTALL"
	[[ -x $d/opt/xf/sbin/xf-rule && -s $d/opt/xf/etc/xdp_filter/rules.conf ]]
	run -0 grep -E '^Exec' "$d/etc/systemd/system/xdp-filter@.service"
	[[ $output == *"ExecStartPre=/opt/xf/sbin/xf-rule apply --check /opt/xf/etc/xdp_filter/rules.conf"* ]]
	[[ $output == *"ExecReload=/opt/xf/sbin/xf-rule apply /opt/xf/etc/xdp_filter/rules.conf --sets /opt/xf/etc/xdp_filter/sets"* ]]
}

@test "boot: the installed unit's commands attach the filter and apply rules.conf (traffic)" {
	install_p
	if command -v systemd-analyze >/dev/null; then
		run -0 systemd-analyze verify "$UNIT"	# real paths this time
		[[ -z $output ]]
	fi
	cat >"$CONF" <<-RULES
	# saved rules
	8080 tcp

	6000-6100 udp   # a range
	RULES
	ns_setup
	assert_reaches tcp 8080
	run_unit "$UNIT" ExecStartPre
	run -0 run_unit "$UNIT" ExecStart
	[[ $output == *"xdp_filter attached to $XF_A"* ]]
	[[ $output == *"$CONF: applied: 2 added, 0 deleted, 0 unchanged; policy deny"* ]]
	refute_reaches tcp 8080
	refute_reaches udp 6050
	assert_reaches tcp 8081
	assert_reaches udp 6101
	run -0 xf_rule list
	[[ ${#lines[@]} -eq 2 && $output == *"8080 tcp "[1-9]* ]]
	# the installed status (rule.sh status runs the installed attach.sh)
	run -0 xf_rule status --json
	jq -e --arg dev "$XF_A" '.interfaces[0].name == $dev and .rules == 2 and
		.totals.dropped.packets >= 2' <<<"$output"
	# stop: the filter goes, traffic passes, the pins go
	run_unit "$UNIT" ExecStop
	assert_reaches tcp 8080
	run -0 in_ns ip -d link show dev "$XF_A"
	[[ $output != *xdp* ]]
	run -1 in_ns test -e /sys/fs/bpf/tc/globals/xf_ports
}

@test "boot with source sets: sets/NAME.set checked before the attach, loaded before rules.conf; reload follows an edited set" {
	install_p
	local sets=$ETC/xdp_filter/sets
	mkdir -p "$sets"
	printf '# blocked at boot\n198.18.0.2 ; the peer\nfd00::/126\n' >"$sets/peers.set"
	printf '8080 tcp from @peers\n' >"$CONF"
	ns_setup
	run -0 run_unit "$UNIT" ExecStartPre
	run -0 run_unit "$UNIT" ExecStart
	refute_reaches tcp 8080
	refute_reaches tcp 8080 6
	assert_reaches tcp 8081
	run -0 xf_rule set peers list
	[[ $output == $'198.18.0.2/32\nfd00::/126' ]]
	# reload: the set file changed, the rules did not
	printf 'fd00::/126\n' >"$sets/peers.set"
	run -0 run_unit "$UNIT" ExecReload
	assert_reaches tcp 8080
	refute_reaches tcp 8080 6
	run -0 xf_rule set list --json
	[[ $(jq '.[0].changes' <<<"$output") == 2 ]]
	# again: nothing changed, the set is left alone
	run -0 run_unit "$UNIT" ExecReload
	run -0 xf_rule set list --json
	[[ $(jq '.[0].changes' <<<"$output") == 2 ]]
	# a set file with a bad line, or a rules.conf naming a set with no
	# file: the check before the attach fails, naming it
	printf '198.18.0.2/24\n' >"$sets/peers.set"
	run -2 --separate-stderr run_unit "$UNIT" ExecStartPre
	[[ $stderr == *"peers.set:1: bad prefix '198.18.0.2/24': host bits are set (did you mean 198.18.0.0/24?)"* ]]
	printf 'fd00::/126\n' >"$sets/peers.set"
	printf '8080 tcp from @ghost\n' >"$CONF"
	run -2 --separate-stderr run_unit "$UNIT" ExecStartPre
	[[ $stderr == *"rules.conf:1: no set 'ghost'"* ]]
	run_unit "$UNIT" ExecStop
}

@test "reload: converges to the edited file, keeps counters, sets the policy; again is a no-op" {
	install_p
	printf '8080 tcp\n6000-6100 udp\n' >"$CONF"
	ns_setup
	run_unit "$UNIT" ExecStartPre
	run_unit "$UNIT" ExecStart
	refute_reaches tcp 8080
	local n
	n=$(xf_rule list --json | jq '.[] | select(.port == 8080) | .packets')
	((n >= 1))
	cat >"$CONF" <<-RULES
	policy allow ephemeral 40000-50000 nodhcp
	8080 tcp
	22 tcp from 198.18.0.0/24 log
	RULES
	run -0 run_unit "$UNIT" ExecReload
	[[ $output == "$CONF: applied: 1 added, 1 deleted, 1 unchanged; policy allow stateless ephemeral 40000-50000 nodhcp" ]]
	run -0 xf_rule list
	[[ $output == "8080 tcp $n "*$'\n'"22 tcp 0 0 from 198.18.0.0/24 log 10/s" ]]
	run -0 xf_rule policy
	[[ $output == "allow stateless ephemeral 40000-50000 nodhcp" ]]
	assert_reaches tcp 22		# listed: allow mode lets it in
	refute_reaches udp 6050		# not listed any more: allow mode drops it
	local before
	before=$(xf_rule list --json)
	run -0 run_unit "$UNIT" ExecReload
	[[ $output == "$CONF: no changes (2 rules)" ]]
	[[ $(xf_rule list --json) == "$before" ]]
}

@test "a bad rules.conf: start fails before attaching, reload changes nothing; every bad line as FILE:LINE" {
	install_p
	printf '8080 tcp\n8080 tpc\n' >"$CONF"
	ns_setup
	run -2 --separate-stderr run_unit "$UNIT" ExecStartPre
	[[ $stderr == *"$CONF:2: bad protocol 'tpc'"* ]]
	run -0 in_ns ip -d link show dev "$XF_A"
	[[ $output != *xdp* ]]
	# running, then a bad edit and a reload
	printf '8080 tcp\npolicy allow ephemeral 40000-50000\n' >"$CONF"
	run_unit "$UNIT" ExecStartPre
	run_unit "$UNIT" ExecStart
	assert_reaches tcp 8080		# allow mode: listed
	local before
	before=$(xf_rule list --json; xf_rule policy)
	cat >"$CONF" <<-RULES
	8080 tcp
	99999 udp
	6000-6100 udp
	6050 any
	policy deny
	policy allow
	any frm 2001:db8::/32
	RULES
	run -2 --separate-stderr run_unit "$UNIT" ExecReload
	[[ -z $output ]]
	[[ $stderr == *"$CONF:2: bad port '99999'"* ]]
	[[ $stderr == *"$CONF:4: '6050 any' overlaps '6000-6100 udp'"* ]]
	[[ $stderr == *"$CONF:6: a second policy line (the first is line 5)"* ]]
	[[ $stderr == *"$CONF:7: "* ]]
	[[ $stderr != *"$CONF:1:"* && $stderr != *"$CONF:3:"* && $stderr != *"$CONF:5:"* ]]
	[[ $(xf_rule list --json; xf_rule policy) == "$before" ]]
	assert_reaches tcp 8080
	refute_reaches tcp 8081
}

@test "uninstall: detaches, removes the stateful policy's nftables table and the installed files, keeps the rules file" {
	ns_setup
	install_p
	run -0 run_unit "$UNIT" ExecStart
	run -0 xf_rule policy allow
	in_ns nft list table inet xdp_filter >/dev/null	# what uninstall must remove
	[[ $(in_ns ip -j link show dev "$XF_A" | jq -r '.[0].xdp // empty') != "" ]]
	[[ -x $P/sbin/xf-rule && -s $P/lib/xdp_filter/rulectl ]]
	run -0 in_ns env PREFIX="$P" SYSCONFDIR="$ETC" UNITDIR="$P/unit" "$INSTALL" --uninstall
	[[ $output == *"xdp_filter detached from $XF_A"* && $output == *"kept $ETC/xdp_filter/rules.conf"* ]]
	run -1 in_ns nft list table inet xdp_filter
	[[ $(in_ns ip -j link show dev "$XF_A" | jq -r '.[0].xdp // empty') == "" ]]
	[[ -z $(find "$P" -type f) ]]
	[[ -s $CONF ]]
	# the Makefile target is the same script
	run -0 make -s -C "$XF_ROOT" -n uninstall PREFIX=/opt/x
	[[ $output == *"scripts/install.sh --uninstall"* ]]
}
