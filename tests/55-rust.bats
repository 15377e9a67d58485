#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The Rust implementation's static guarantees: its maps have the C object's
# layout (check-abi.sh), the program crate cannot contain unsafe code
# (check-forbid-unsafe.sh, plus the attributes and no `unsafe` token in its
# source), and every unsafe block or impl of the runtime crate says why it
# is sound. No root needed; the traffic and verdict suites run the Rust
# object itself (tests/run.sh, XF_IMPL=rust).

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
B=${B:-$ROOT/build}

setup_file() {
	make -s -C "$ROOT" rust build/xdp_filter.o >&3
}

# Prints FILE:LINE: TEXT for each `unsafe { ... }` block or `unsafe impl`
# that is not directly under a comment block holding "SAFETY:", and
# "checked N" last; exit 1 if any was found.
unsafe_without_safety() {
	awk '
	/^[[:space:]]*\/\// { if ($0 ~ /SAFETY:/) safety = 1; next }
	/(^|[^[:alnum:]_])unsafe[[:space:]]*(\{|impl([^[:alnum:]_]|$))/ {
		n++
		if (!safety) { print FILENAME ":" FNR ": " $0; bad = 1 }
	}
	{ safety = 0 }
	END { print "checked " n + 0; exit bad }
	' "$@"
}

@test "rust: the Rust maps have the C object's BTF layout (check-abi.sh)" {
	run -0 "$ROOT/rust/check-abi.sh" "$B/xdp_filter.o" "$B/xdp_filter_rs.o"
}

@test "rust: the program crate refuses unsafe code (check-forbid-unsafe.sh)" {
	run -0 "$ROOT/rust/check-forbid-unsafe.sh" -B "$B"
	[[ $output == *"ok unsafe-block refused"* ]]
}

@test "rust: the program crate is no_std, forbids unsafe_code and has no unsafe token" {
	local src=$ROOT/rust/filter/src
	run -0 grep -qx '#!\[no_std\]' "$src/lib.rs"
	run -0 grep -qx '#!\[forbid(unsafe_code)\]' "$src/lib.rs"
	# Code only: comments may say "no `unsafe` here".
	run -1 grep -nw unsafe < <(sed 's://.*$::' "$src"/*.rs)
}

@test "rust: every unsafe block and impl in rust/rt has a SAFETY: comment" {
	run -0 unsafe_without_safety "$ROOT"/rust/rt/src/*.rs
	[[ ${lines[-1]} =~ ^checked\ [1-9][0-9]*$ ]]
	# The check itself catches a missing comment.
	local t=$BATS_TEST_TMPDIR/bad.rs
	printf '%s\n' '// SAFETY: fine' 'unsafe { a() }' '// why not' 'let x = unsafe { b() };' >"$t"
	run -1 unsafe_without_safety "$t"
	[[ ${lines[0]} == "$t:4: let x = unsafe { b() };" ]]
}
