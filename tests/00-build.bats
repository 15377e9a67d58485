#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The build: make produces the object and the helper, the object has what
# ip(8) and the verifier need (section xdp, BTF-defined xf_* maps pinned by
# name, GPL license), and the scripts are shellcheck clean. No root needed.

load helpers

setup_file() {
	make -s -C "$XF_ROOT" all >&3
}

@test "make builds build/xdp_filter.o and build/rulectl" {
	[[ -s $B/xdp_filter.o ]]
	[[ -x $B/rulectl ]]
	run -0 file "$B/xdp_filter.o"
	[[ $output == *"ELF 64-bit LSB relocatable, eBPF"* ]]
}

@test "the object has xdp_filter first and the tiers' programs in section xdp.frags, their single-buffer twins in xdp, BTF and a GPL license" {
	run -0 llvm-objdump -h "$B/xdp_filter.o"
	[[ $output =~ [[:space:]]xdp\.frags[[:space:]] ]]
	[[ $output == *" .maps "* ]]
	[[ $output == *" .BTF "* ]]
	[[ $output == *" license "* ]]
	# the programs of section xdp.frags (multi-buffer: native XDP on a
	# jumbo MTU) by offset: xdp_filter first, so that "ip link ... obj
	# xdp_filter.o sec xdp.frags" attaches the dispatcher
	run -0 llvm-objdump -t "$B/xdp_filter.o"
	local progs
	progs=$(awk '$3 == "F" && $4 == "xdp.frags" { print $1, $NF }' <<<"$output" | sort | awk '{ print $2 }')
	[[ $progs == $'xdp_filter\nxf_full\nxf_state\nxf_dst_s0\nxf_dst_s1\nxf_ports_s0\nxf_ports_s1\nxf_sets_s0\nxf_sets_s1' ]]
	# their single-buffer twins, for generic mode, in section xdp
	progs=$(awk '$3 == "F" && $4 == "xdp" { print $1, $NF }' <<<"$output" | sort | awk '{ print $2 }')
	[[ $progs == $'xdp_filter_sb\nxf_full_sb\nxf_state_sb\nxf_dst_s0_sb\nxf_dst_s1_sb\nxf_ports_s0_sb\nxf_ports_s1_sb\nxf_sets_s0_sb\nxf_sets_s1_sb' ]]
	run -0 llvm-objdump -s -j license "$B/xdp_filter.o"
	[[ $output == *"GPL"* ]]
}

@test "every map is named xf_*, fits 15 characters and is pinned by name" {
	run -0 bpftool -j btf dump file "$B/xdp_filter.o"
	local names name
	names=$(jq -r '.types as $t | $t[] |
		select(.kind == "DATASEC" and .name == ".maps") |
		.vars[].type_id as $id | $t[] | select(.id == $id) | .name' \
		<<<"$output" | sort)
	[[ $names == $'xf_config\nxf_limit\nxf_log\nxf_lsrc\nxf_pfx4\nxf_pfx6\nxf_ports\nxf_pports\nxf_progs\nxf_progs_sb\nxf_rcount\nxf_rdesc\nxf_rlimited\nxf_rlog\nxf_set4\nxf_set4x\nxf_set6\nxf_sets\nxf_sref\nxf_stats' ]]
	for name in $names; do
		[[ $name == xf_* && ${#name} -le 15 ]]
	done
	# each map struct has a "pinning" member (LIBBPF_PIN_BY_NAME)
	[[ $(jq '[.types[] | select(.kind == "STRUCT") | .members[]? |
		select(.name == "pinning")] | length' <<<"$output") -eq 20 ]]
}

@test "the scripts are shellcheck clean" {
	cd "$XF_ROOT"
	run -0 shellcheck -x scripts/*.sh netns/*.sh tests/run.sh tests/helpers.bash .ci/run \
		tests/fleet.bash tests/mutant.bash tests/spoof.bash debian/xdp-filter.prerm
}

@test "make DEBUG=1 rebuilds the object, and a plain make rebuilds it back" {
	local d=$BATS_TEST_TMPDIR/b
	run -0 make -C "$XF_ROOT" B="$d" "$d/xdp_filter.o"
	run -0 make -C "$XF_ROOT" B="$d" DEBUG=1 "$d/xdp_filter.o"
	[[ $output == *"-DXF_DEBUG"* ]]
	run -0 make -C "$XF_ROOT" B="$d" "$d/xdp_filter.o"
	[[ $output == *"clang"* && $output != *"-DXF_DEBUG"* ]]
}
