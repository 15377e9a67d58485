#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# install.sh - what `make install` and `make uninstall` run: installs the
# object(s), rulectl, the scripts, short commands in sbin, the systemd unit
# xdp-filter@.service and a commented rules file (never over an existing
# one), or removes them again. Honours DESTDIR (a staging root, for packaging) and PREFIX. The
# scripts keep the source tree's shape (LIBDIR/scripts/, next to rulectl
# and the object) so that each finds the others where it looks in a
# checkout: rule.sh status runs ../scripts/attach.sh.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT

usage() {
	cat <<USAGE
usage: [VAR=VALUE ...] $PROG [--dry-run] [--uninstall]
       $PROG -h | --help
Installs xdp_filter (make install runs this; make install PREFIX=/usr
DESTDIR=/tmp/stage). Variables, from the environment:
  DESTDIR     staging root prepended to every path written (default: none)
  PREFIX      /usr/local
  SBINDIR     \$PREFIX/sbin: xf-rule, xf-attach
  LIBDIR      \$PREFIX/lib/xdp_filter: xdp_filter.o (xdp_filter_rs.o when
              built), rulectl, scripts/rule.sh, scripts/attach.sh
  UNITDIR     \$PREFIX/lib/systemd/system: xdp-filter@.service (systemd
              reads /usr/lib and /usr/local/lib; set it for other prefixes)
  SYSCONFDIR  /etc: xdp_filter/rules.conf, kept if it exists
  B           build directory, $ROOT/build
Paths inside the installed files never contain DESTDIR.
--dry-run prints what would be installed and writes nothing.
--uninstall (make uninstall) removes what the same variables installed; the
rules file is kept. Without DESTDIR it first detaches the filter from every
interface of this network namespace (the last detach removes the pinned
maps and the nftables table inet xdp_filter that the stateful allow policy
adds), and removes that table if it is still there.
Files of an older install that this one replaces (xf-restore, restore.sh,
LIBDIR/rule.sh and attach.sh) are removed.
Then: systemctl daemon-reload; systemctl enable --now xdp-filter@eth0
USAGE
}

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
bad() { printf '%s: %s\n' "$PROG" "$*" >&2; printf "Try '%s --help'.\n" "$PROG" >&2; exit 2; }

DRY=0

# put MODE SRC DST - install SRC as $DESTDIR/DST.
put() {
	printf '%s %s\n' "$1" "$3"
	((DRY)) || install -D -m "$1" "$2" "$DESTDIR$3"
}

# wrapper NAME SCRIPT - a command in SBINDIR that runs LIBDIR/SCRIPT with
# the installed rulectl and object (the scripts look for build/ otherwise).
wrapper() {
	local tmp=$WORK/$1
	cat >"$tmp" <<WRAPPER
#!/bin/sh
# $1 - installed by xdp_filter's make install: runs $LIBDIR/$2
B='$LIBDIR'
RULECTL='$LIBDIR/rulectl'
export B RULECTL
exec '$LIBDIR/$2' "\$@"
WRAPPER
	put 0755 "$tmp" "$SBINDIR/$1"
}

# retire FILE... - remove what an older install left and this one replaces;
# a command in SBINDIR only if our wrapper wrote it.
retire() {
	local f
	for f; do
		[[ -e $DESTDIR$f ]] || continue
		[[ $f != "$SBINDIR"/* ]] ||
			grep -q "installed by xdp_filter's make install" "$DESTDIR$f" || continue
		echo "rm $f"
		((DRY)) || rm -f "$DESTDIR$f"
	done
}

# abs NAME VALUE - VALUE must be an absolute path without quotes or spaces.
abs() {
	[[ $2 == /* && $2 != *[[:space:]\'\"\\]* ]] ||
		bad "$1 must be an absolute path without spaces or quotes: '$2'"
}

# uninstall - detach (the installed xf-attach), then remove the files.
uninstall() {
	local f dev
	if [[ -z $DESTDIR && -x $SBINDIR/xf-attach ]] && ((!DRY)); then
		"$SBINDIR/xf-attach" status --json 2>/dev/null |
			jq -r '.interfaces[].name' 2>/dev/null | while read -r dev; do
			"$SBINDIR/xf-attach" detach "$dev" || true
		done
	fi
	if [[ -z $DESTDIR ]] && command -v nft >/dev/null &&
		nft list table inet xdp_filter >/dev/null 2>&1; then
		echo "nft delete table inet xdp_filter"
		((DRY)) || nft delete table inet xdp_filter
	fi
	for f in "$LIBDIR/xdp_filter.o" "$LIBDIR/xdp_filter_rs.o" "$LIBDIR/rulectl" \
		"$LIBDIR/scripts/rule.sh" "$LIBDIR/scripts/attach.sh" \
		"$SBINDIR/xf-rule" "$SBINDIR/xf-attach" "$UNITDIR/xdp-filter@.service"; do
		retire "$f"
	done
	((DRY)) || rmdir "$DESTDIR$LIBDIR/scripts" "$DESTDIR$LIBDIR" 2>/dev/null || true
	[[ -e $DESTDIR$SYSCONFDIR/xdp_filter/rules.conf ]] &&
		echo "kept $SYSCONFDIR/xdp_filter/rules.conf"
	return 0
}

WORK=

main() {
	local obj unit un=0
	while (($#)); do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--dry-run) DRY=1 ;;
		--uninstall) un=1 ;;
		*) bad "unexpected argument '$1' (settings go in the environment: PREFIX=/usr $PROG)" ;;
		esac
		shift
	done

	DESTDIR=${DESTDIR-}
	PREFIX=${PREFIX:-/usr/local}
	PREFIX=${PREFIX%/}
	SBINDIR=${SBINDIR:-$PREFIX/sbin}
	LIBDIR=${LIBDIR:-$PREFIX/lib/xdp_filter}
	UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
	SYSCONFDIR=${SYSCONFDIR:-/etc}
	SYSCONFDIR=${SYSCONFDIR%/}
	B=${B:-$ROOT/build}
	for v in PREFIX SBINDIR LIBDIR UNITDIR SYSCONFDIR; do
		abs "$v" "${!v}"
	done
	[[ -z $DESTDIR || $DESTDIR == /* ]] || bad "DESTDIR must be an absolute path: '$DESTDIR'"
	DESTDIR=${DESTDIR%/}
	if ((un)); then
		uninstall
		return 0
	fi
	for f in "$B/xdp_filter.o" "$B/rulectl"; do
		[[ -s $f ]] || die "$f is not built (run make)"
	done

	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT

	for obj in xdp_filter.o xdp_filter_rs.o; do
		[[ -s $B/$obj ]] && put 0644 "$B/$obj" "$LIBDIR/$obj"
	done
	put 0755 "$B/rulectl" "$LIBDIR/rulectl"
	put 0755 "$ROOT/scripts/rule.sh" "$LIBDIR/scripts/rule.sh"
	put 0755 "$ROOT/scripts/attach.sh" "$LIBDIR/scripts/attach.sh"
	wrapper xf-rule scripts/rule.sh
	wrapper xf-attach scripts/attach.sh
	# rule.sh apply replaced restore.sh (the unit runs it); the scripts
	# moved to LIBDIR/scripts/.
	retire "$SBINDIR/xf-restore" "$LIBDIR/restore.sh" "$LIBDIR/rule.sh" "$LIBDIR/attach.sh"

	# The unit is written for the defaults; other paths are substituted.
	unit=$WORK/xdp-filter@.service
	sed -e "s|/usr/local/sbin/|$SBINDIR/|g" \
	    -e "s|/usr/local/lib/xdp_filter/|$LIBDIR/|g" \
	    -e "s|/etc/xdp_filter/|$SYSCONFDIR/xdp_filter/|g" \
	    "$ROOT/systemd/xdp-filter@.service" >"$unit"
	put 0644 "$unit" "$UNITDIR/xdp-filter@.service"

	if [[ -e $DESTDIR$SYSCONFDIR/xdp_filter/rules.conf ]]; then
		echo "kept $SYSCONFDIR/xdp_filter/rules.conf"
	else
		sed -e "s|/etc/xdp_filter/|$SYSCONFDIR/xdp_filter/|g" \
		    "$ROOT/systemd/rules.conf" >"$WORK/rules.conf"
		put 0644 "$WORK/rules.conf" "$SYSCONFDIR/xdp_filter/rules.conf"
	fi
}

main "$@"
