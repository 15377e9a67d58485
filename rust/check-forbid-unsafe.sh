#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-forbid-unsafe.sh - prove that rust/filter cannot contain unsafe code.
#
# The safety argument of the Rust filter is that all unsafe lives in rust/rt;
# #![forbid(unsafe_code)] in the program crate enforces it. This compiles
# copies of the program crate with unsafe code added (a block, an unsafe
# attribute, and a block smuggled through an rt macro argument) and fails
# unless rustc refuses every one, and unless the unmodified crate compiles.
# Needs the sysroot and rt from rust/build.sh.
set -euo pipefail

readonly PROG=${0##*/}
RUST_DIR=$(cd "$(dirname "$0")" && pwd)
readonly RUST_DIR
ROOT=$(dirname "$RUST_DIR")
readonly ROOT
RUSTC=${RUSTC:-/usr/bin/rustc}

usage() { printf 'usage: %s [-B BUILD_DIR]\n' "$PROG"; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

# compile SRC_DIR: type-checks the program crate against build/rust.
compile() {
	env RUSTC_BOOTSTRAP=1 "$RUSTC" --edition 2024 --target bpfel-unknown-none \
		--sysroot "$WORK/sysroot" -C panic=abort --crate-type lib \
		--crate-name xdp_filter_rs --emit=metadata -o "$TMP/out.rmeta" \
		--extern xf_rt="$WORK/libxf_rt.rlib" -L "$WORK" "$1/lib.rs"
}

# expect_refused NAME SNIPPET: append SNIPPET to a copy of the crate.
expect_refused() {
	local name=$1 snippet=$2 dir=$TMP/$1

	mkdir -p "$dir"
	cp "$RUST_DIR"/filter/src/*.rs "$dir/"
	printf '\n%s\n' "$snippet" >>"$dir/lib.rs"
	if compile "$dir" >"$dir/log" 2>&1; then
		die "$name: rustc accepted unsafe code in the program crate"
	fi
	grep -q 'unsafe_code' "$dir/log" ||
		die "$name: refused, but not by forbid(unsafe_code): $(head -3 "$dir/log")"
	printf 'ok %s refused\n' "$name"
}

main() {
	local bdir=$ROOT/build opt

	while getopts ':B:h' opt; do
		case $opt in
		B) bdir=$OPTARG ;;
		h) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	WORK=$bdir/rust
	[[ -f $WORK/libxf_rt.rlib ]] || die "$WORK/libxf_rt.rlib not found (run rust/build.sh)"
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT

	compile "$RUST_DIR/filter/src" || die "the unmodified program crate does not compile"
	expect_refused unsafe-block \
		'pub fn peek(p: *const u8) -> u8 { unsafe { *p } }'
	expect_refused unsafe-attribute \
		'#[unsafe(no_mangle)] pub fn extra() {}'
	expect_refused unsafe-via-macro \
		'xf_rt::xdp_map! { pub XF_X: Array<u32, u32>[{ let p = 1 as *const u32; unsafe { *p } }] = xf_x as xf_x_def; }'
}

main "$@"
