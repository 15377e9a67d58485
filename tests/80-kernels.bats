#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# 80-kernels.bats - the kernel matrix (tests/kernels/run.sh): the verifier
# of each kernel accepts every program of every object, the crafted
# verdicts all pass, and (in the guests) rulectl attaches each object to lo
# through a pinned link and moves it between tiers,
# on the host kernel and on Debian's 6.1 and 6.12 LTS kernels under qemu.
#
# XF_ROOT overrides the tree, which is the parent of this file's directory.
#
# The guests need no root and touch nothing on the host: no network device,
# no disk, only an initramfs. The host row needs root for bpf(2), and loads
# with private maps as 50-verdicts does. The guest test skips only when
# what it cannot run without is missing (qemu, static busybox, cpio, or apt
# and no cached kernel), and says which.

bats_require_minimum_version 1.5.0

ROOT=${XF_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
RUN=$ROOT/tests/kernels/run.sh

setup_file() {
	make -C "$ROOT" build/xdp_filter.o build/xdp_filter_rs.o build/xf_verdict.static \
		build/xf_vstat build/xf_conform.static build/rulectl.static >&2
}

# Every table row run.sh printed ("kernel | object | accepted | insns |
# verdicts") says the verifier accepted and nothing failed; shows the
# output when not. run.sh's own exit status says the same; this is the
# second opinion, and the message.
assert_rows_ok() {
	local rows bad

	rows=$(grep -E '^[0-9][^|]* \| ' <<<"$output" || true)
	bad=$(grep -Ev '\| yes +\| [0-9]+ +\| [0-9]+ passed, 0 failed' <<<"$rows" || true)
	if ((status != 0)) || [[ -z $rows || -n $bad ]]; then
		printf '%s\n' "$output" >&2
		return 1
	fi
}

# The programs every object must hold (xdp_filter.h's XF_PROG_NAMES).
programs() {
	sed -n '/#define XF_PROG_NAMES/,/} }/p' "$ROOT/xdp_filter.h" |
		grep -oE '"[a-z0-9_]+"' | tr -d '"' | sort -u
}

# assert_programs_ok KERNEL_RE - on the kernels whose name matches
# KERNEL_RE, each program of both objects has its own line under the
# table ("  kernel | object | program | accepted | insns"), accepted with
# a count of instructions processed: xdp_filter and the tiers it
# tail-calls, not only the first program of each object.
assert_programs_ok() {
	local obj prog names

	names=$(programs)
	[[ $(wc -l <<<"$names") -ge 5 ]] || { echo "XF_PROG_NAMES not found" >&2; return 1; }
	for obj in xdp_filter.o xdp_filter_rs.o; do
		for prog in $names; do
			grep -qE "^  $1[^|]*\| $obj +\| $prog +\| yes +\| [0-9]+\$" <<<"$output" && continue
			echo "$prog of $obj: no accepted line on a kernel matching '$1'" >&2
			printf '%s\n' "$output" >&2
			return 1
		done
	done
}

@test "kernels: usage errors exit 2" {
	run -0 "$RUN" --help
	[[ ${lines[0]} == usage:* ]]
	run -2 "$RUN" --bogus
	run -2 "$RUN" --timeout 0
}

@test "kernels: host kernel accepts every object, no verdict fails" {
	[[ $EUID -eq 0 ]] || skip "needs root (bpf(2))"
	run "$RUN" --no-vm
	assert_rows_ok
	grep -qE "^$(uname -r | sed 's/[.+]/\\&/g') \(host\) +\| xdp_filter\.o " <<<"$output"
	assert_programs_ok "$(uname -r | sed 's/[.+]/\\&/g') \\(host\\)"
}

@test "kernels: Debian 6.1 and 6.12 LTS under qemu accept every object, no verdict fails, attach works" {
	local why

	run "$RUN" --no-host
	# Missing tools and an unreachable archive are reasons to skip; any
	# other skip (or a kernel whose config lacks BPF) is a failure.
	why=$(grep -E '^skipped: .*(no qemu-system|no static|no cpio|apt-cache knows no|apt-get download|no apt-get|not in the cache)' <<<"$output" |
		grep -v -- '--no-host' | head -n 1 || true)
	[[ -z $why ]] || skip "${why#skipped: }"
	assert_rows_ok
	# Both LTS branches ran, not just one.
	grep -qE '^6\.1\.[^|]*\| xdp_filter\.o ' <<<"$output"
	grep -qE '^6\.12\.[^|]*\| xdp_filter\.o ' <<<"$output"
	assert_programs_ok '6\.1\.'
	assert_programs_ok '6\.12\.'
	# attached as 'make attach' does: a pinned link on lo, moved between
	# tiers by rule changes and the stateful policy (the state tier, with
	# nf_conntrack loaded from the kernel's package), detached, the pins
	# gone (tests/kernels/init)
	local k obj
	for k in '6\.1\.' '6\.12\.'; do
		for obj in xdp_filter.o xdp_filter_rs.o; do
			grep -qE "^$k[^|]*\| $obj .*; attach: link ok; conntrack: loaded" <<<"$output" || {
				echo "$obj on a kernel matching '$k': no 'attach: link ok; conntrack: loaded'" >&2
				printf '%s\n' "$output" >&2
				return 1
			}
		done
	done
}
