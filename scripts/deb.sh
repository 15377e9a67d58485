#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb.sh - what `make deb` runs: builds the Debian package
# B/xdp-filter_VERSION_ARCH.deb with dpkg-buildpackage from a clean copy of
# the source tree (debian/ drives the project's own make targets through
# debhelper), then checks it with lintian: an error fails, warnings are
# printed and kept in B/xdp-filter_VERSION_ARCH.lintian. The version is the
# top-level VERSION file; debian/changelog must name the same one. A package
# built from the same sources is reused (--force builds it again).
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT

usage() {
	cat <<USAGE
usage: [B=DIR] $PROG [--force] [--no-lintian]
       $PROG --version-check
       $PROG -h | --help
Builds B/xdp-filter_VERSION_ARCH.deb (B: build directory, default build)
from the files git tracks (or, outside git, every file but build/), in
B/deb/, with dpkg-buildpackage -us -uc -b; then runs lintian on it (errors
fail the build; the output goes to B/xdp-filter_VERSION_ARCH.lintian).
An up-to-date package (same sources) is reused unless --force.
--version-check only checks that debian/changelog names VERSION.
Needs dpkg-dev, debhelper and lintian (make deps installs them) and the
build dependencies in debian/control.
USAGE
}

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
bad() { printf '%s: %s\n' "$PROG" "$*" >&2; printf "Try '%s --help'.\n" "$PROG" >&2; exit 2; }

# version - VERSION, checked against debian/changelog.
version() {
	local v cl
	v=$(<"$ROOT/VERSION")
	[[ $v =~ ^[0-9][A-Za-z0-9.+~]*$ ]] ||
		die "VERSION holds '$v': expected a Debian native version (digits first; letters, digits, '.', '+', '~')"
	cl=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version) ||
		die "cannot read debian/changelog"
	[[ $cl == "$v" ]] ||
		die "debian/changelog says $cl but VERSION says $v: add an entry (dch -v $v) or fix VERSION"
	echo "$v"
}

# sources - the files a package is built from, NUL-separated, sorted.
sources() {
	if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				[[ -e $ROOT/$f ]] && printf '%s\0' "$f"
			done
	else
		(cd "$ROOT" && find . -path ./build -prune -o -path "./${B#"$ROOT"/}" -prune -o \
			\( -type f -o -type l \) -printf '%P\0')
	fi | sort -z
}

# stamp - a digest of the sources' names, modes and contents.
stamp() {
	(cd "$ROOT" && sources | tar --null -T - --sort=name --mtime=@0 --owner=0 \
		--group=0 --numeric-owner -cf -) | sha256sum | cut -d' ' -f1
}

build() {
	local dir=$B/deb src=$B/deb/src
	rm -rf "$dir"
	mkdir -p "$src"
	(cd "$ROOT" && sources | tar --null -T - -cf -) | tar -xf - -C "$src"
	echo "$PROG: dpkg-buildpackage -us -uc -b in $src (log: $dir/build.log)"
	# A clean environment: the Makefile's variables (B, PREFIX, DESTDIR,
	# OBJ, ...) must not leak from the caller into the package's build.
	if ! (cd "$src" && env -i PATH="$PATH" HOME="$HOME" LC_ALL=C.UTF-8 \
		${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$DEB_BUILD_OPTIONS"} \
		dpkg-buildpackage -us -uc -b -Jauto) >"$dir/build.log" 2>&1 </dev/null; then
		tail -n 40 "$dir/build.log" >&2
		die "dpkg-buildpackage failed (whole log: $dir/build.log)"
	fi
	[[ -s $dir/${DEB##*/} ]] || die "dpkg-buildpackage made no ${DEB##*/} (see $dir/build.log)"
	mv "$dir/${DEB##*/}" "$DEB"
	rm -rf "$src"
}

run_lintian() {
	local out=${DEB%.deb}.lintian rc=0
	command -v lintian >/dev/null || die "lintian is not installed (make deps)"
	lintian --fail-on error --display-info "$DEB" >"$out" 2>&1 || rc=$?
	if [[ -s $out ]]; then
		echo "$PROG: lintian:"
		sed 's/^/  /' "$out"
	else
		echo "$PROG: lintian: no tags"
	fi
	((rc == 0)) || die "lintian found errors in $DEB (exit $rc)"
}

B=
DEB=

main() {
	local force=0 lint=1 arg v arch st
	for arg; do
		case $arg in
		-h | --help) usage; exit 0 ;;
		--force) force=1 ;;
		--no-lintian) lint=0 ;;
		--version-check) version >/dev/null; exit 0 ;;
		*) bad "unknown argument '$arg'" ;;
		esac
	done
	command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage is not installed (make deps)"
	B=${B:-$ROOT/build}
	[[ $B == /* ]] || B=$ROOT/$B
	v=$(version)
	arch=$(dpkg-architecture -qDEB_HOST_ARCH)
	DEB=$B/xdp-filter_${v}_${arch}.deb
	st=$(stamp)
	if ((!force)) && [[ -s $DEB && $(cat "$DEB.stamp" 2>/dev/null) == "$st" ]]; then
		echo "$PROG: $DEB is up to date"
	else
		rm -f "$DEB" "$DEB.stamp"
		build
		echo "$st" >"$DEB.stamp"
		echo "$PROG: built $DEB"
	fi
	((lint)) && run_lintian
	echo "$DEB"
}

main "$@"
