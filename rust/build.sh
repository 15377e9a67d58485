#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build.sh - build the safe-Rust xdp_filter (rust/) into build/xdp_filter_rs.o
# with Debian's rustc-web, rust-web-src and llvm-22 only: no cargo, no crate
# registry.
#
# core and compiler_builtins are compiled once from rust-web-src for
# bpfel-unknown-none into a sysroot cached under build/rust/ (rebuilt when
# the compiler changes). The runtime crate (rust/rt) and the program crate
# (rust/filter) are compiled to LLVM bitcode, linked with llvm-link, every
# symbol but the loader-visible ones (programs, maps, license) internalized,
# optimized with opt and lowered with llc; xdp_filter must come out as the
# first program of section xdp.frags. core's own bitcode is not linked:
# a call left into core (a panic path, say) fails the build by name rather
# than reaching the verifier.
#
# The conntrack kfuncs (conntrack.h) are the only symbols the object may
# leave undefined: libbpf resolves them against the kernel's BTF, by the
# BTF FUNC the object declares for each. rustc emits no debug info for an
# extern declaration, hence no BTF, so rust/kfuncs.c, which includes
# conntrack.h and calls both, is compiled with clang to bitcode and linked
# first: llvm-link keeps its declarations (weak, section .ksyms, with
# debug info) for the crates' calls, llc emits them as extern FUNCs in
# DATASEC .ksyms, and opt drops kfuncs.c's own function, internal like
# everything outside a section.
set -euo pipefail

readonly PROG=${0##*/}
RUST_DIR=$(cd "$(dirname "$0")" && pwd)
readonly RUST_DIR
ROOT=$(dirname "$RUST_DIR")
readonly ROOT

LLVM_VER=${LLVM_VER:-22}
RUSTC=${RUSTC:-/usr/bin/rustc}
RUST_SRC=${RUST_SRC:-/usr/lib/rustlib/src/rust/library}
CLANG=${CLANG:-clang}
# The kfuncs the object calls (conntrack.h): the only undefined symbols
# allowed, resolved by libbpf against the kernel's BTF.
readonly KFUNCS=(bpf_ct_release bpf_xdp_ct_lookup)
readonly TARGET=bpfel-unknown-none
# BTF maps need BTF, and BTF comes from debug info: debuginfo=2 is mandatory.
readonly RUSTFLAGS_COMMON=(--edition 2024 --target "$TARGET" -C opt-level=3
	-C panic=abort -C debuginfo=2 -C codegen-units=1)

usage() {
	cat <<EOF
usage: $PROG [-B DIR] [-o OUT] [-f] [-v]
       $PROG -h

Builds rust/ into OUT (default: BUILD/xdp_filter_rs.o, BUILD=build).
  -B DIR   build directory (default: $ROOT/build); the core sysroot is
           cached in DIR/rust/sysroot
  -o OUT   output object
  -f       rebuild even if OUT is newer than its sources
  -v       print each command
Environment: RUSTC (default /usr/bin/rustc), LLVM_VER (default 22),
RUST_SRC (default /usr/lib/rustlib/src/rust/library), CLANG (default
clang: rust/kfuncs.c to bitcode; its LLVM must not be newer than LLVM_VER),
CC (default cc: the multiarch include directory, as the Makefile finds it).
Packages: rustc-web rust-web-src llvm-22 clang (make deps installs them).
EOF
}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

VERBOSE=
run() {
	[[ -z $VERBOSE ]] || printf '+ %s\n' "$*" >&2
	"$@"
}

need_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found (apt-get install $2, or run make deps)"
}

# The compiler must be the one rust-web-src was shipped for: core's source
# uses unstable internals that change with every release. A rustup rustc
# first on PATH is the usual trap, hence the absolute default.
check_toolchain() {
	local rustc_ver src_ver llvm_major

	[[ -x $RUSTC ]] || die "$RUSTC not found (apt-get install rustc-web)"
	[[ -f $RUST_SRC/core/src/lib.rs ]] ||
		die "$RUST_SRC/core not found (apt-get install rust-web-src)"
	need_tool "llvm-link-$LLVM_VER" "llvm-$LLVM_VER"
	need_tool "opt-$LLVM_VER" "llvm-$LLVM_VER"
	need_tool "llc-$LLVM_VER" "llvm-$LLVM_VER"
	need_tool "llvm-dis-$LLVM_VER" "llvm-$LLVM_VER"
	need_tool "llvm-nm-$LLVM_VER" "llvm-$LLVM_VER"
	need_tool "$CLANG" clang

	rustc_ver=$("$RUSTC" -vV | sed -n 's/^release: //p')
	if command -v dpkg-query >/dev/null 2>&1 &&
		src_ver=$(dpkg-query -W -f '${Version}' rust-web-src 2>/dev/null); then
		src_ver=${src_ver#*:}
		src_ver=${src_ver%%[+~-]*}
		[[ $rustc_ver == "$src_ver" ]] ||
			die "$RUSTC is $rustc_ver but rust-web-src is $src_ver (use Debian's /usr/bin/rustc from rustc-web)"
	fi
	llvm_major=$("$RUSTC" -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
	[[ $llvm_major == "$LLVM_VER" ]] ||
		die "$RUSTC uses LLVM $llvm_major, not $LLVM_VER: set LLVM_VER=$llvm_major and install llvm-$llvm_major"
	"$RUSTC" --print target-list | grep -qx "$TARGET" ||
		die "$RUSTC has no $TARGET target"
}

# core + compiler_builtins for the BPF target, cached: the stamp holds the
# compiler identity and flags, so a rustc upgrade rebuilds them.
build_sysroot() {
	local sysroot=$1 stamp want lib

	lib=$sysroot/lib/rustlib/$TARGET/lib
	stamp=$sysroot/stamp
	want="$("$RUSTC" -vV) ${RUSTFLAGS_COMMON[*]} $RUST_SRC"
	if [[ -f $stamp && -f $lib/libcore.rlib && $(<"$stamp") == "$want" ]]; then
		return 0
	fi
	printf '%s: building core for %s (once, cached in %s)\n' "$PROG" "$TARGET" "$sysroot" >&2
	rm -rf "$sysroot"
	mkdir -p "$lib"
	run env RUSTC_BOOTSTRAP=1 "$RUSTC" "${RUSTFLAGS_COMMON[@]}" \
		--crate-type rlib --crate-name core -Z force-unstable-if-unmarked \
		--cap-lints allow "$RUST_SRC/core/src/lib.rs" --out-dir "$lib" ||
		die "building core from $RUST_SRC failed"
	# Every no_std crate links compiler_builtins; the BPF program never
	# calls into it (no i128 division etc. survives the verifier anyway).
	run env RUSTC_BOOTSTRAP=1 "$RUSTC" "${RUSTFLAGS_COMMON[@]}" --sysroot "$sysroot" \
		--crate-type rlib --crate-name compiler_builtins -Z force-unstable-if-unmarked \
		--cfg 'feature="compiler-builtins"' --cfg intrinsics_enabled \
		--cfg 'feature="unstable-intrinsics"' --cap-lints allow \
		"$RUST_SRC/compiler-builtins/compiler-builtins/src/lib.rs" --out-dir "$lib" ||
		die "building compiler_builtins from $RUST_SRC failed"
	printf '%s\n' "$want" >"$stamp"
}

# Is $1 newer than every source it is built from?
up_to_date() {
	local out=$1

	[[ -f $out ]] || return 1
	[[ -z $(find "$RUST_DIR/rt" "$RUST_DIR/filter" "$RUST_DIR/build.sh" \
		"$RUST_DIR/kfuncs.c" "$ROOT/conntrack.h" -newer "$out" -print -quit) ]]
}

# Symbols the loader must see: the functions and globals placed in an
# explicit section (xdp.frags, .maps, license). Everything else is internal, so
# opt can inline and drop it.
public_symbols() {
	"llvm-dis-$LLVM_VER" "$1" -o - |
		grep -E '^(@|define )' | grep -E 'section "' |
		grep -oE '@[A-Za-z_][A-Za-z0-9_.]*' | sed 's/^@//' | sort -u | paste -sd, -
}

# rust/kfuncs.c to bitcode, with the Makefile's BPF_CFLAGS (-O2 -g -Wall
# -Werror -I/usr/include/MULTIARCH): conntrack.h's kfunc declarations with
# their debug info.
build_kfuncs() {
	local bc=$1 multiarch

	multiarch=$("${CC:-cc}" -dumpmachine 2>/dev/null) ||
		die "${CC:-cc} -dumpmachine failed (the multiarch include directory, for asm/types.h)"
	run "$CLANG" -target bpf -O2 -g -Wall -Werror -I"/usr/include/$multiarch" \
		-c -emit-llvm "$RUST_DIR/kfuncs.c" -o "$bc" ||
		die "rust/kfuncs.c does not compile"
}

# Every kfunc the object calls must be declared with debug info (so llc
# emits its BTF FUNC, without which libbpf cannot resolve it) in section
# .ksyms: what kfuncs.c's bitcode, linked first, gives the declarations.
check_kfunc_decls() {
	local bc=$1 k decl

	for k in "${KFUNCS[@]}"; do
		decl=$("llvm-dis-$LLVM_VER" "$bc" -o - | grep -E "^declare .*@$k\(") ||
			die "$k is not called (the state tier is missing?)"
		[[ $decl == *'section ".ksyms"'* && $decl == *'!dbg '* ]] ||
			die "$k is declared without section .ksyms or debug info (was rust/kfuncs.c linked first?): $decl"
	done
}

main() {
	local bdir=$ROOT/build out="" force="" opt
	local work sysroot rustc keep undef first k

	while getopts ':B:o:fvh' opt; do
		case $opt in
		B) bdir=$OPTARG ;;
		o) out=$OPTARG ;;
		f) force=1 ;;
		v) VERBOSE=1 ;;
		h) usage; exit 0 ;;
		:) printf '%s: -%s needs an argument\n' "$PROG" "$OPTARG" >&2; usage >&2; exit 2 ;;
		*) printf '%s: unknown option -%s\n' "$PROG" "$OPTARG" >&2; usage >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[[ $# -eq 0 ]] || { usage >&2; exit 2; }
	out=${out:-$bdir/xdp_filter_rs.o}

	if [[ -z $force ]] && up_to_date "$out"; then
		printf '%s: %s is up to date\n' "$PROG" "$out" >&2
		exit 0
	fi
	check_toolchain

	work=$bdir/rust
	sysroot=$work/sysroot
	mkdir -p "$work" "$(dirname "$out")"
	build_sysroot "$sysroot"

	rustc=(env RUSTC_BOOTSTRAP=1 "$RUSTC" "${RUSTFLAGS_COMMON[@]}" --sysroot "$sysroot" -D warnings)
	run "${rustc[@]}" --crate-type rlib --crate-name xf_rt --emit=llvm-bc,link \
		"$RUST_DIR/rt/src/lib.rs" --out-dir "$work" ||
		die "rust/rt does not compile"
	run "${rustc[@]}" --crate-type lib --crate-name xdp_filter_rs --emit=llvm-bc \
		--extern xf_rt="$work/libxf_rt.rlib" -L "$work" \
		"$RUST_DIR/filter/src/lib.rs" --out-dir "$work" ||
		die "rust/filter does not compile"

	build_kfuncs "$work/kfuncs.bc"

	# kfuncs.bc first: the merged module keeps its kfunc declarations.
	run "llvm-link-$LLVM_VER" "$work/kfuncs.bc" "$work/xdp_filter_rs.bc" "$work/xf_rt.bc" \
		-o "$work/linked.bc"
	keep=$(public_symbols "$work/linked.bc")
	[[ ,$keep, == *,xdp_filter,* ]] ||
		die "no xdp_filter function in section xdp.frags (found: ${keep:-nothing})"
	run "opt-$LLVM_VER" -mtriple=bpfel -mcpu=v3 -passes='internalize,default<O2>' \
		-internalize-public-api-list="$keep" "$work/linked.bc" -o "$work/opt.bc"
	undef=$("llvm-nm-$LLVM_VER" --undefined-only "$work/opt.bc" | awk '{ print $NF }' |
		"llvm-cxxfilt-$LLVM_VER")
	for k in "${KFUNCS[@]}"; do
		undef=$(grep -vx -- "$k" <<<"$undef" || true)
	done
	[[ -z $undef ]] ||
		die "calls left into core (panic path? out-of-line function?): $(printf '%s ' "$undef")"
	check_kfunc_decls "$work/opt.bc"
	run "llc-$LLVM_VER" -march=bpfel -mcpu=v3 -filetype=obj "$work/opt.bc" -o "$out.tmp"
	# ip(8) with "sec xdp.frags", and the test tools, take a section's first
	# program: it must be xdp_filter, the dispatcher, not a tier.
	first=$("llvm-objdump-$LLVM_VER" -t "$out.tmp" |
		awk 'NF >= 6 && $(NF - 3) == "F" && $(NF - 2) == "xdp.frags" && $1 ~ /^0+$/ { print $1, $NF; exit }')
	[[ $first == "0000000000000000 xdp_filter" ]] || {
		rm -f "$out.tmp"
		die "xdp_filter is not the first program of section xdp.frags (first: ${first:-none})"
	}
	mv "$out.tmp" "$out"
	printf '%s: built %s (exports: %s)\n' "$PROG" "$out" "$keep" >&2
}

main "$@"
