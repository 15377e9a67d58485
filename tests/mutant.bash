# SPDX-License-Identifier: GPL-2.0
# mutant.bash - build_mutant: the C filter built with a fault put in on
# purpose, the control that shows a test can fail. A file of its own, so
# that the self-contained suites (50-verdicts, 52-conformance: no
# helpers.bash) load it as the namespace suites do: it needs neither.

# build_mutant OUT.o FILE SED-EXPR... - copies the object's sources into a
# directory of their own beside OUT.o (OUT.src/), edits FILE there (one of
# them: xdp_filter.c, parsing.h, ...) with each sed expression in turn and
# compiles that copy of xdp_filter.c into OUT.o with the BPF flags every
# mutant has been built with. An expression that changes nothing fails
# loudly: the source has moved on, and the test must follow it, or its
# control would quietly test the real filter.
build_mutant() {
	local out=$1 file=$2 root dir expr
	shift 2
	(($# > 0)) || { echo "build_mutant: no sed expression" >&2; return 2; }
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	dir=${out%.o}.src
	mkdir -p "$dir" || return
	cp "$root"/{xdp_filter.c,xdp_filter.h,bpf_maps.h,parsing.h,conntrack.h} "$dir/" ||
		return
	for expr in "$@"; do
		sed -i.before "$expr" "$dir/$file" || return
		if cmp -s "$dir/$file.before" "$dir/$file"; then
			echo "the sed '$expr' no longer matches $file: update this test" >&2
			return 1
		fi
	done
	clang -target bpf -O2 -g -Wall -Werror -I/usr/include/"$(gcc -dumpmachine)" \
		-c "$dir/xdp_filter.c" -o "$out"
}
