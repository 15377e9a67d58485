#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-abi.sh - fail if the maps of the Rust object drift from the C one.
#
# Both objects must pin the same maps, or rule.sh/rulectl would edit one
# layout while the other program reads another. The Rust crate asserts its
# own sizes at compile time (rust/filter/src/abi.rs); this script closes
# the loop against xdp_filter.h by comparing what the loader actually sees:
# the BTF of each map in .maps (type, max_entries, pinning, key and value
# layout down to member names, offsets and sizes, map_flags) in both
# objects. map_flags is printed for every map, 0 when the definition has no
# such member, so a missing BPF_F_NO_PREALLOC shows as a flags difference.
# A map of maps (xf_lsrc) shows its inner map template the same way
# (values=NAME{type=..,max_entries=..,key_size=..,value_size=..,map_flags=..}):
# the kernel holds every map user space puts in a slot to that shape.
#
# BTF holds only the types the maps name, and not every ABI struct is one:
# struct xf_event is a ring buffer record (a ring buffer has no key or
# value type), struct xf_set only a member of xf_config. So every struct
# that xdp_filter.h declares is also compared in both objects' DWARF (both
# are built with debug info): size, and each member's name, offset and
# size, in declaration order. Constants are not in either: abi.rs asserts
# their values at compile time.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
HEADER=${XF_HEADER:-$ROOT/xdp_filter.h}
LLVM_VER=${LLVM_VER:-22}

usage() {
	printf 'usage: %s [C_OBJ RUST_OBJ]\n' "$PROG"
	printf 'Compares the BTF map layouts and the DWARF layouts of the structs of\n'
	printf 'xdp_filter.h (default: build/xdp_filter.o build/xdp_filter_rs.o).\n'
}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

# One line per map in .maps, sorted:
#   NAME type=T max_entries=N key=LAYOUT value=LAYOUT map_flags=F pinning=P [OTHER=V...]
# where LAYOUT is SIZE or STRUCTNAME{member@byte_offset:size,...}SIZE.
# Numbers read from the dump are forced numeric (+ 0): awk compares two
# field strings as strings, and "2" < "11" is false.
map_layouts() {
	bpftool btf dump file "$1" format raw | awk '
	function q(s) { return substr(s, index(s, "\x27") + 1, length(s) - index(s, "\x27") - 1) }
	function field(line, key,    re) {
		re = key "=[^ ,]*"
		if (match(line, re))
			return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1)
		return ""
	}
	# Skip typedefs and qualifiers to the type that has a size.
	function strip(id) {
		while (kind[id] == "TYPEDEF" || kind[id] == "CONST" || kind[id] == "VOLATILE")
			id = ref[id]
		return id
	}
	function size_of(id) {
		id = strip(id)
		if (kind[id] == "ARRAY")
			return (nelem[id] + 0) * size_of(ref[id])
		return size[id]
	}
	function layout(id,    s, i) {
		id = strip(id)
		if (kind[id] != "STRUCT")
			return size_of(id)
		s = name[id] "{"
		for (i = 0; i < vlen[id] + 0; i++)
			s = s (i ? "," : "") mname[id, i] "@" moff[id, i] / 8 ":" size_of(mtype[id, i])
		return s "}" size[id]
	}
	/^\[[0-9]+\]/ {
		cur = substr($1, 2, length($1) - 2)
		kind[cur] = $2
		match($0, /\x27[^\x27]*\x27/)
		name[cur] = substr($0, RSTART + 1, RLENGTH - 2)
		ref[cur] = field($0, "type_id")
		size[cur] = field($0, "size")
		nelem[cur] = field($0, "nr_elems")
		vlen[cur] = field($0, "vlen")
		n = 0
		in_maps = (kind[cur] == "DATASEC" && name[cur] == ".maps")
		next
	}
	/^\t/ {
		if (in_maps) {			# type_id=12 offset=0 size=40 (VAR ...)
			vars[++nvars] = field($0, "type_id")
		} else if (kind[cur] == "STRUCT" || kind[cur] == "UNION") {
			mname[cur, n] = q($1)
			mtype[cur, n] = field($0, "type_id")
			moff[cur, n] = field($0, "bits_offset")
			n++
		}
	}
	# The members of a map definition, "type=T max_entries=N ... [OTHER=V...]":
	# those of the space-separated list want first, in its order (a
	# missing map_flags is 0), then any other in declaration order. Every
	# member is a pointer (__uint, __type) but values, the map of maps
	# template: libbpf __array(values, struct T), a zero-length array of
	# pointers to T, described as T{its members, the same way}.
	function describe(def, want,    nwant, w, val, seen, i, m, p, t, s, extra) {
		nwant = split(want, w, " ")
		for (i = 0; i < vlen[def] + 0; i++) {
			m = mname[def, i]
			p = strip(mtype[def, i])
			if (m == "key" || m == "value") {
				val[m] = layout(ref[p])
			} else if (m == "values" && kind[p] == "ARRAY") {
				t = strip(ref[strip(ref[p])])
				val[m] = name[t] "{" describe(t, "type max_entries key_size value_size map_flags") "}"
				gsub(/ /, ",", val[m])
			} else {
				val[m] = nelem[strip(ref[p])] + 0
			}
			seen[m] = 1
		}
		if (!("map_flags" in seen))
			val["map_flags"] = 0
		s = ""
		for (i = 1; i <= nwant; i++) {
			s = s (i > 1 ? " " : "") w[i] "=" val[w[i]]
			seen[w[i]] = 0
		}
		for (i = 0; i < vlen[def] + 0; i++)	# key_size, values, ...
			if (seen[mname[def, i]])
				extra = extra " " mname[def, i] "=" val[mname[def, i]]
		return s extra
	}
	END {
		for (v = 1; v <= nvars; v++)
			print name[vars[v]] " " describe(strip(ref[vars[v]]),
			    "type max_entries key value map_flags pinning")
	}' | sort
}

# The structs xdp_filter.h declares, one name a line.
header_structs() {
	sed -n 's/^struct \(xf_[A-Za-z0-9_]*\) {.*/\1/p' "$1"
}

# struct_layouts OBJ NAME...: one line per NAME, in order:
#   NAME SIZE{member@byte_offset:size,...}
# from the object's DWARF, or "NAME absent". A member's size follows its
# type through typedefs and qualifiers; an array's is its element count
# (DW_AT_count, or DW_AT_upper_bound + 1) times its element's size, so
# C's __u8[16] and Rust's [u8; 16] agree. A name defined twice with
# different layouts prints both, and so differs from the other object.
struct_layouts() {
	local obj=$1
	shift
	"llvm-dwarfdump-$LLVM_VER" --debug-info "$obj" | awk -v names="$*" '
	function num(s,    n, i) {		# 0x40 or 64 (no strtonum in mawk)
		if (s !~ /^0x/)
			return s + 0
		for (i = 3; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
		return n
	}
	function attr(line) {			# DW_AT_x\t(VALUE ...)
		sub(/^[^(]*\(/, "", line)
		sub(/\)$/, "", line)
		return line
	}
	function strip(id) {
		while (tag[id] == "DW_TAG_typedef" || tag[id] == "DW_TAG_const_type" ||
		       tag[id] == "DW_TAG_volatile_type")
			id = type[id]
		return id
	}
	function size_of(id,    n) {
		id = strip(id)
		if (tag[id] == "DW_TAG_array_type") {
			n = count[id] != "" ? count[id] : upper[id] + 1
			return n * size_of(type[id])
		}
		return bsize[id] + 0
	}
	/^0x[0-9a-f]+: +(DW_TAG_|NULL)/ {
		cur = substr($1, 1, length($1) - 1)
		match($0, /: +/)
		depth = (RLENGTH - 2) / 2
		if ($2 == "NULL") {
			cur = ""
			next
		}
		tag[cur] = $2
		parent[cur] = depth ? at[depth - 1] : ""
		at[depth] = cur
		if ($2 == "DW_TAG_member" && tag[parent[cur]] == "DW_TAG_structure_type")
			members[parent[cur]] = members[parent[cur]] " " cur
		if ($2 == "DW_TAG_subrange_type")
			range_of[cur] = parent[cur]
		next
	}
	cur == "" { next }
	$1 == "DW_AT_name" {
		v = attr($0)
		gsub(/"/, "", v)
		name[cur] = v
	}
	$1 == "DW_AT_byte_size" { bsize[cur] = num(attr($0)) }
	$1 == "DW_AT_declaration" { decl[cur] = 1 }
	$1 == "DW_AT_type" { split(attr($0), t, " "); type[cur] = t[1] }
	$1 == "DW_AT_data_member_location" { off[cur] = num(attr($0)) }
	$1 == "DW_AT_count" && (cur in range_of) { count[range_of[cur]] = num(attr($0)) }
	$1 == "DW_AT_upper_bound" && (cur in range_of) { upper[range_of[cur]] = num(attr($0)) }
	END {
		n = split(names, want, " ")
		for (id in tag)
			if (tag[id] == "DW_TAG_structure_type" && !decl[id] && name[id] != "")
				defs[name[id]] = defs[name[id]] " " id
		for (i = 1; i <= n; i++) {
			split("", seen)
			k = split(defs[want[i]], ids, " ")
			if (!k)
				print want[i] " absent"
			for (j = 1; j <= k; j++) {
				id = ids[j]
				m = split(members[id], mem, " ")
				s = want[i] " " bsize[id] "{"
				for (x = 1; x <= m; x++)
					s = s (x > 1 ? "," : "") name[mem[x]] "@" off[mem[x]] ":" size_of(type[mem[x]])
				s = s "}"
				if (!(s in seen))
					print s
				seen[s] = 1
			}
		}
	}'
}

main() {
	local c_obj rs_obj c_out rs_out c_st rs_st names

	case $# in
	0)
		c_obj=$ROOT/build/xdp_filter.o
		rs_obj=$ROOT/build/xdp_filter_rs.o
		;;
	2)
		c_obj=$1
		rs_obj=$2
		;;
	*)
		[[ ${1-} == -h || ${1-} == --help ]] && { usage; exit 0; }
		usage >&2
		exit 2
		;;
	esac
	command -v bpftool >/dev/null 2>&1 || die "bpftool not found (apt-get install bpftool)"
	command -v "llvm-dwarfdump-$LLVM_VER" >/dev/null 2>&1 ||
		die "llvm-dwarfdump-$LLVM_VER not found (apt-get install llvm-$LLVM_VER)"
	[[ -f $HEADER ]] || die "$HEADER not found"
	[[ -f $c_obj ]] || die "$c_obj not found (run make)"
	[[ -f $rs_obj ]] || die "$rs_obj not found (run make rust)"

	c_out=$(map_layouts "$c_obj")
	rs_out=$(map_layouts "$rs_obj")
	[[ -n $c_out ]] || die "$c_obj: no BTF maps in .maps (built without -g?)"
	if [[ $c_out != "$rs_out" ]]; then
		printf '%s: map ABI drift between %s and %s:\n' "$PROG" "$c_obj" "$rs_obj" >&2
		diff -u --label "C $c_obj" --label "Rust $rs_obj" \
			<(printf '%s\n' "$c_out") <(printf '%s\n' "$rs_out") >&2 || true
		printf '%s: update rust/filter/src/abi.rs (and the xdp_map! lines) to match xdp_filter.h\n' \
			"$PROG" >&2
		exit 1
	fi
	printf '%s: maps match (%d):\n%s\n' "$PROG" "$(wc -l <<<"$c_out")" "$c_out"

	names=$(header_structs "$HEADER")
	[[ -n $names ]] || die "$HEADER: no struct xf_* found"
	# shellcheck disable=SC2086 # one argument per name
	c_st=$(struct_layouts "$c_obj" $names)
	# shellcheck disable=SC2086
	rs_st=$(struct_layouts "$rs_obj" $names)
	if [[ $c_st != "$rs_st" ]]; then
		printf '%s: struct ABI drift (DWARF) between %s and %s:\n' "$PROG" "$c_obj" "$rs_obj" >&2
		diff -u --label "C $c_obj" --label "Rust $rs_obj" \
			<(printf '%s\n' "$c_st") <(printf '%s\n' "$rs_st") >&2 || true
		printf '%s: update rust/filter/src/abi.rs to match %s\n' "$PROG" "$HEADER" >&2
		exit 1
	fi
	[[ $c_st != *" absent"* ]] ||
		die "structs of $HEADER missing from the debug info of both objects: $(grep ' absent$' <<<"$c_st" | cut -d' ' -f1 | paste -sd' ')"
	printf '%s: structs of %s match (%d):\n%s\n' "$PROG" "${HEADER#"$ROOT"/}" \
		"$(wc -l <<<"$c_st")" "$c_st"
}

main "$@"
