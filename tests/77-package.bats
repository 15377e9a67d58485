#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The Debian package (issue 17, item 1): make deb builds
# xdp-filter_VERSION_ARCH.deb with debhelper, lintian finds no error, the
# version is VERSION's everywhere (changelog, package, rulectl, status).
# Installing, upgrading over itself with an attached filter (rules and
# counters kept) and removing it are tested with real traffic in a
# throwaway root: the test's mount namespace lays a writable overlay over
# /usr, /etc and /var, so dpkg installs, upgrades and purges there and the
# host's own files and package database never change; all of it goes with
# the namespace, even when a test fails.

# shellcheck disable=SC2154 # bats' run sets stderr
load helpers

setup_file() {
	local t
	for t in dpkg-buildpackage dh lintian; do
		command -v "$t" >/dev/null ||
			skip "no $t: apt-get install dpkg-dev debhelper lintian (make deps does)"
	done
	make -s -C "$XF_ROOT" all >&3
	# Built once per run (deb.sh reuses a package built from the same sources).
	make -s -C "$XF_ROOT" deb >"$BATS_FILE_TMPDIR/deb.out" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/deb.out" >&3; return 1; }
}

setup() {
	VERSION=$(<"$XF_ROOT/VERSION")
	DEB=$B/xdp-filter_${VERSION}_$(dpkg-architecture -qDEB_HOST_ARCH).deb
	LINTIAN=${DEB%.deb}.lintian
}

teardown() {
	ns_teardown
}

# throwaway_root - in the test's mount namespace: overlays with the writes
# in the test's directory over /usr, /etc and /var (/lib is a link into
# /usr), and an empty /run/systemd, so the maintainer scripts never reach
# the host's systemd.
throwaway_root() {
	local d r=$BATS_TEST_TMPDIR/root
	[[ -L /lib && $(readlink -f /lib) == /usr/lib ]] ||
		skip "/lib is not a link to /usr/lib (not a merged-/usr system)"
	for d in usr etc var; do
		mkdir -p "$r/$d.up" "$r/$d.work"
		in_ns mount -t overlay overlay \
			-o "lowerdir=/$d,upperdir=$r/$d.up,workdir=$r/$d.work" "/$d"
	done
	if [[ -d /run/systemd ]]; then
		in_ns mount -t tmpfs tmpfs /run/systemd
	fi
}

# host_clean - the host has no xdp-filter package and none of its files.
host_clean() {
	# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
	run -1 dpkg-query -W -f '${Status}' xdp-filter
	[[ ! -e /usr/sbin/xf-rule && ! -e /usr/lib/xdp_filter && ! -e /etc/xdp_filter ]]
}

# pkg_status - "STATUS VERSION" of xdp-filter in the throwaway root.
pkg_status() {
	# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
	in_ns dpkg-query -W -f '${Status} ${Version}' xdp-filter 2>/dev/null
}

dpkg_i() {
	in_ns env DEBIAN_FRONTEND=noninteractive dpkg -i "$DEB" </dev/null
}

# files_of - the package's files (not directories), as dpkg -L lists them.
files_of() {
	in_ns dpkg -L xdp-filter | while IFS= read -r f; do
		in_ns test -d "$f" || echo "$f"
	done
}

@test "make deb: name, version from VERSION, Depends, conffile, contents; lintian has no errors" {
	[[ -s $DEB ]]
	[[ $(tail -n 1 "$BATS_FILE_TMPDIR/deb.out") == "$DEB" ]]
	[[ $(dpkg-parsechangelog -l "$XF_ROOT/debian/changelog" -S Version) == "$VERSION" ]]
	run -0 dpkg-deb -f "$DEB" Package Version Architecture
	[[ $output == "Package: xdp-filter"$'\n'"Version: $VERSION"$'\n'"Architecture: $(dpkg-architecture -qDEB_HOST_ARCH)" ]]
	run -0 dpkg-deb -f "$DEB" Depends
	[[ $output =~ (^|, )iproute2(,|$) && $output =~ (^|, )libbpf1( |,|$) &&
		$output =~ (^|, )jq(,|$) && $output =~ (^|, )libc6( |,|$) ]]
	run -0 dpkg-deb -I "$DEB" conffiles
	[[ $output == "/etc/xdp_filter/rules.conf" ]]
	run -0 bash -c "dpkg-deb -c '$DEB' | awk '!/^d/ { print \$6 }' | sort"
	[[ $output == "./etc/xdp_filter/rules.conf
./lib/systemd/system/xdp-filter@.service
./usr/lib/xdp_filter/rulectl
./usr/lib/xdp_filter/scripts/attach.sh
./usr/lib/xdp_filter/scripts/rule.sh
./usr/lib/xdp_filter/xdp_filter.o
./usr/lib/xdp_filter/xdp_filter_rs.o
./usr/sbin/xf-attach
./usr/sbin/xf-rule
./usr/share/doc/xdp-filter/changelog.gz
./usr/share/doc/xdp-filter/copyright
./usr/share/lintian/overrides/xdp-filter" ]]
	# the objects keep their BTF (maps need it): nothing stripped them
	local x=$BATS_TEST_TMPDIR/x
	dpkg-deb -x "$DEB" "$x"
	run -0 llvm-objdump -h "$x/usr/lib/xdp_filter/xdp_filter.o"
	[[ $output == *" .BTF "* && $output == *" xdp.frags "* && $output == *" xdp "* ]]
	# lintian ran (make deb fails on an error); print its tags for the log
	[[ -e $LINTIAN ]]
	echo "# lintian: $(grep -cE '^[EW]: ' "$LINTIAN" || true) tags" >&3
	sed -n 's/^\([EWIP]: .*\)/# \1/p' "$LINTIAN" >&3
	run -1 grep -E '^E: ' "$LINTIAN"
}

@test "deb.sh: a changelog that does not name VERSION fails the build, naming both" {
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/scripts" "$t/debian"
	cp "$XF_ROOT/scripts/deb.sh" "$t/scripts/"
	cp "$XF_ROOT/debian/changelog" "$t/debian/"
	echo "$VERSION" >"$t/VERSION"
	run -0 "$t/scripts/deb.sh" --version-check
	echo "$VERSION.1" >"$t/VERSION"
	run -1 --separate-stderr "$t/scripts/deb.sh" --version-check
	[[ $stderr == *"debian/changelog says $VERSION but VERSION says $VERSION.1"* ]]
	echo "1.0-1" >"$t/VERSION"
	run -1 --separate-stderr "$t/scripts/deb.sh" --version-check
	[[ $stderr == *"VERSION holds '1.0-1'"* ]]
	run -2 --separate-stderr "$XF_ROOT/scripts/deb.sh" --frobnicate
	[[ $stderr == *"unknown argument '--frobnicate'"* ]]
}

@test "rulectl version, rule.sh version and status (text and JSON) print VERSION" {
	run -0 "$B/rulectl" version
	[[ $output == "$VERSION" ]]
	run -0 "$B/rulectl" --version
	[[ $output == "$VERSION" ]]
	run -0 "$RULE" version
	[[ $output == "$VERSION" ]]
	run -2 --separate-stderr "$B/rulectl" version extra
	[[ $stderr == *"unexpected argument 'extra'"* ]]
	run -0 "$B/rulectl" --help
	[[ $output == *"rulectl version "*"($VERSION)"* ]]
	ns_setup
	run -0 in_ns "$ATTACH" status
	[[ $output == *$'\n'"version: $VERSION"$'\n'* ]]
	attach_filter
	run -0 in_ns "$ATTACH" status
	[[ $output == *$'\n'"version: $VERSION"$'\n'"pins: "* ]]
	run -0 in_ns "$ATTACH" status --json
	jq -e --arg v "$VERSION" '.version == $v' <<<"$output"
}

@test "install: the files, the conffile, the commands and the unit work from /usr; the host is untouched" {
	host_clean
	ns_setup
	throwaway_root
	run -0 dpkg_i
	[[ $(pkg_status) == "install ok installed $VERSION" ]]
	run -0 in_ns xf-rule version
	[[ $output == "$VERSION" ]]
	run -0 in_ns cat /etc/xdp_filter/rules.conf
	[[ $output == "$(cat "$XF_ROOT/systemd/rules.conf")" ]]
	run -0 in_ns grep -E '^Exec' /lib/systemd/system/xdp-filter@.service
	[[ $output == "ExecStartPre=/usr/sbin/xf-rule apply --check /etc/xdp_filter/rules.conf"* ]]
	if command -v systemd-analyze >/dev/null; then
		run -0 in_ns systemd-analyze verify /lib/systemd/system/xdp-filter@.service
		[[ -z $output ]]
	fi
	# the installed commands drive the installed object
	assert_reaches tcp 8080
	run -0 in_ns xf-attach attach "$XF_A"
	[[ $output == *"object: /usr/lib/xdp_filter/xdp_filter.o"* ]]
	run -0 in_ns xf-rule add 8080 tcp
	refute_reaches tcp 8080
	assert_reaches tcp 8081
	run -0 in_ns xf-rule status --json
	jq -e --arg v "$VERSION" '.version == $v and .rules == 1' <<<"$output"
	in_ns xf-attach detach "$XF_A"
	# the namespace saw the package; the host did not
	host_clean
}

@test "upgrade over itself: the attached filter keeps its rules and counters, an edited rules.conf is kept" {
	ns_setup
	throwaway_root
	dpkg_i >/dev/null
	in_ns xf-attach attach "$XF_A" >/dev/null
	in_ns xf-rule add 8080 tcp
	in_ns xf-rule add 6000-6100 udp
	refute_reaches tcp 8080
	refute_reaches udp 6050
	local before
	before=$(in_ns xf-rule list)
	[[ $before =~ 8080\ tcp\ [1-9] && $before =~ 6000-6100\ udp\ 1\  ]]
	in_ns sh -c 'echo "8080 tcp   # mine" >>/etc/xdp_filter/rules.conf'
	# same version again: dpkg's upgrade path (prerm upgrade, unpack over, configure)
	run -0 dpkg_i
	[[ $output == *"Unpacking xdp-filter ($VERSION) over ($VERSION)"* ]]
	[[ $(pkg_status) == "install ok installed $VERSION" ]]
	[[ $(in_ns xf-rule list) == "$before" ]]
	run -0 in_ns tail -n 1 /etc/xdp_filter/rules.conf
	[[ $output == "8080 tcp   # mine" ]]
	refute_reaches udp 6050			# still filtering, and counting
	[[ $(rule_packets 6000 udp) == 2 ]]
	# the new object in place of the old one: rules and counters stay
	run -0 in_ns xf-attach attach "$XF_A"
	[[ $output == *"2 rule(s) kept"* ]]
	[[ $(rule_packets 6000 udp) == 2 ]]
	refute_reaches tcp 8080
	assert_reaches tcp 8081
	in_ns xf-attach detach "$XF_A"
}

@test "remove detaches the filter and leaves only rules.conf; purge removes that too" {
	ns_setup
	throwaway_root
	dpkg_i >/dev/null
	local files
	files=$(files_of)
	[[ $files == *"/usr/sbin/xf-rule"* && $files == *"/etc/xdp_filter/rules.conf"* ]]
	in_ns xf-attach attach "$XF_A" >/dev/null
	in_ns xf-rule add 8080 tcp
	refute_reaches tcp 8080
	run -0 in_ns env DEBIAN_FRONTEND=noninteractive dpkg -r xdp-filter </dev/null
	[[ $output == *"xdp_filter detached from $XF_A"* && $output == *"pins removed"* ]]
	assert_reaches tcp 8080
	run -0 in_ns ip -d link show dev "$XF_A"
	[[ $output != *xdp* ]]
	run -1 in_ns test -e /sys/fs/bpf/tc/globals/xf_ports
	[[ $(pkg_status) == "deinstall ok config-files $VERSION" ]]
	local f
	while IFS= read -r f; do
		if [[ $f == /etc/xdp_filter/rules.conf ]]; then
			in_ns test -f "$f"		# a conffile stays until purge
		else
			run -1 in_ns test -e "$f"
		fi
	done <<<"$files"
	run -1 in_ns test -e /usr/lib/xdp_filter
	run -0 in_ns env DEBIAN_FRONTEND=noninteractive dpkg -P xdp-filter </dev/null
	run -1 in_ns test -e /etc/xdp_filter
	run -1 pkg_status
	run -0 in_ns sh -c 'ls /var/lib/dpkg/info | grep "^xdp-filter\." || true'
	[[ -z $output ]]
	host_clean
}

@test "remove where systemd runs: prerm stops every xdp-filter@ unit through deb-systemd-invoke" {
	ns_setup
	throwaway_root
	dpkg_i >/dev/null
	# a stand-in systemd: /run/systemd/system exists, systemctl logs its
	# arguments, and no policy-rc.d forbids acting
	local bin=$BATS_TEST_TMPDIR/bin log=$BATS_TEST_TMPDIR/systemctl.log
	mkdir -p "$bin"
	printf '#!/bin/sh\necho "$*" >>%s\n' "$log" >"$bin/systemctl"
	chmod +x "$bin/systemctl"
	in_ns mkdir /run/systemd/system
	in_ns rm -f /usr/sbin/policy-rc.d
	run -0 in_ns env PATH="$bin:$PATH" DEBIAN_FRONTEND=noninteractive dpkg -r xdp-filter </dev/null
	run -0 grep -Fx 'stop xdp-filter@*.service' "$log"
	# without systemd the same removal asks nothing of it
	rm -f "$log"
	dpkg_i >/dev/null
	in_ns rmdir /run/systemd/system
	run -0 in_ns env PATH="$bin:$PATH" dpkg -r xdp-filter </dev/null
	[[ ! -e $log ]]
}
