#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# attach.sh - attach xdp_filter to an interface, detach it, or show where it
# runs. The Makefile's attach, detach and status targets call this.
#
# Attaching again replaces the program in place (one atomic netlink call)
# and keeps the rules: ip(8) reuses the maps pinned under
# /sys/fs/bpf/tc/globals. ip(8) never unpins, so detach removes our pins
# once no program uses them any more.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
readonly B=${B:-$ROOT/build}
readonly RULECTL=${RULECTL:-$B/rulectl}
readonly PIN_DIR=/sys/fs/bpf/tc/globals
readonly XDP_NAME=xdp_filter

usage() {
	cat <<USAGE
usage: $PROG attach DEV [native|generic]   (make attach DEV=IF [MODE=native|generic] [IMPL=c|rust])
       $PROG detach DEV                    (make detach DEV=IF)
       $PROG status                        (make status)
       $PROG -h | --help
With no mode, attach uses whatever 'ip link set dev DEV xdp obj ...' picks
(native where the driver supports it), or the mode already in use on DEV.
USAGE
}

bad() { printf '%s: %s\n' "$PROG" "$*" >&2; printf "Try '%s --help'.\n" "$PROG" >&2; exit 2; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

need_root() { [[ $EUID -eq 0 ]] || die "needs root (CAP_NET_ADMIN and CAP_BPF)"; }

need_rulectl() {
	[[ -x $RULECTL ]] || die "$RULECTL is not built (run make)"
}

mount_bpffs() {
	[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] && return 0
	mkdir -p /sys/fs/bpf
	mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs at /sys/fs/bpf"
	echo "mounted bpffs at /sys/fs/bpf"
}

# Prints "MODE ID NAME" for each XDP program on DEV (MODE 1 native,
# 2 generic, 3 offload); nothing when none is attached.
xdp_progs() {
	ip -j -d link show dev "$1" | jq -r '.[0].xdp // empty |
		(.attached // [.]) [] | select(.prog) |
		"\(.mode) \(.prog.id) \(.prog.name)"'
}

mode_name() {
	case $1 in
	1) echo native ;;
	2) echo generic ;;
	3) echo offload ;;
	*) echo "mode-$1" ;;
	esac
}

mode_keyword() {
	case $1 in
	native | 1) echo xdpdrv ;;
	generic | 2) echo xdpgeneric ;;
	offload | 3) echo xdpoffload ;;
	*) echo xdp ;;
	esac
}

rule_count() {
	"$RULECTL" list 2>/dev/null | wc -l
}

# Kernel-accounted memory of each pinned map (bpftool's bytes_memlock) and
# the total; DESIGN.md gives the formula in CPUs and rules.
map_memory() {
	local p b total=0
	command -v bpftool >/dev/null || { echo "map memory: unknown (bpftool missing)"; return 0; }
	for p in "$PIN_DIR"/xf_*; do
		b=$(bpftool -j map show pinned "$p" 2>/dev/null | jq -r '.bytes_memlock // empty') || b=
		[[ $b =~ ^[0-9]+$ ]] || continue
		printf '%-10s %12s bytes\n' "${p##*/}" "$b"
		total=$((total + b))
	done
	echo "map memory: $total bytes ($(($(getconf _NPROCESSORS_CONF))) CPUs)"
}

check_dev() {
	[[ -n $1 ]] || bad "no interface given (DEV=IF)"
	ip link show dev "$1" >/dev/null 2>&1 || bad "no such interface '$1' in this network namespace"
}

attach() {
	local dev=$1 mode=$2 obj=${OBJ:-$B/xdp_filter.o}
	local cur_mode="" cur_id="" cur_name="" kw err kept

	check_dev "$dev"
	case $mode in
	"" | native | generic) ;;
	*) bad "bad mode '$mode' (expected native or generic)" ;;
	esac
	need_root
	[[ -r $obj ]] || die "$obj is not built (run make)"
	need_rulectl
	mount_bpffs
	"$RULECTL" check || exit 1

	read -r cur_mode cur_id cur_name < <(xdp_progs "$dev") || true
	if [[ -n $cur_name && $cur_name != "$XDP_NAME" ]]; then
		die "$dev already runs XDP program '$cur_name' (id $cur_id); detach it first: ip link set dev $dev $(mode_keyword "$cur_mode") off"
	fi
	kw=$(mode_keyword "$mode")
	if [[ -n $cur_mode ]]; then
		if [[ -z $mode ]]; then
			kw=$(mode_keyword "$cur_mode")	# replace in place
		elif [[ $(mode_keyword "$cur_mode") != "$kw" ]]; then
			# The kernel refuses two modes at once: a short window
			# without the filter while the mode changes.
			echo "switching $dev from $(mode_name "$cur_mode") to $mode mode: detaching first"
			ip link set dev "$dev" "$(mode_keyword "$cur_mode")" off
		fi
	fi
	kept=0
	[[ -e $PIN_DIR/xf_ports ]] && kept=$(rule_count)

	if ! err=$(ip -force link set dev "$dev" "$kw" obj "$obj" sec xdp 2>&1); then
		printf '%s\n' "$err" >&2
		if [[ $err == *"parameter mismatch"* || $err == *"Invalid argument"*"pin"* ]]; then
			die "the pins under $PIN_DIR/xf_* were made by another version of xdp_filter (map layout differs). Save the rules ('scripts/rule.sh list'), run 'make detach DEV=IF' on every interface using them (or rm $PIN_DIR/xf_*), then attach again."
		fi
		die "attaching $obj to $dev failed"
	fi
	"$RULECTL" init || exit 1
	echo "object: $obj"
	read -r cur_mode cur_id cur_name < <(xdp_progs "$dev")
	if [[ -e $PIN_DIR/xf_ports && $kept -gt 0 ]]; then
		echo "xdp_filter attached to $dev ($(mode_name "$cur_mode") mode, prog id $cur_id); $kept rule(s) kept from $PIN_DIR"
	else
		echo "xdp_filter attached to $dev ($(mode_name "$cur_mode") mode, prog id $cur_id); no rules yet: scripts/rule.sh add PORT tcp|udp"
	fi
}

detach() {
	local dev=$1 cur_mode="" cur_id="" cur_name=""

	check_dev "$dev"
	need_root
	need_rulectl
	read -r cur_mode cur_id cur_name < <(xdp_progs "$dev") || true
	if [[ -z $cur_name ]]; then
		echo "no XDP program on $dev"
	elif [[ $cur_name != "$XDP_NAME" ]]; then
		die "$dev runs XDP program '$cur_name' (id $cur_id), not $XDP_NAME: left alone"
	else
		ip link set dev "$dev" "$(mode_keyword "$cur_mode")" off
		echo "xdp_filter detached from $dev"
	fi
	[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] || return 0
	"$RULECTL" unpin
}

status() {
	local found=0 dev mode id name

	need_root
	need_rulectl
	while read -r dev; do
		while read -r mode id name; do
			[[ $name == "$XDP_NAME" ]] || continue
			printf '%-16s %-8s prog id %s\n' "$dev" "$(mode_name "$mode")" "$id"
			found=1
		done < <(xdp_progs "$dev")
	done < <(ip -j link show | jq -r '.[] | select(.xdp) | .ifname')
	((found)) || echo "xdp_filter is not attached to any interface in this network namespace"
	if [[ -e $PIN_DIR/xf_ports ]]; then
		echo "rules: $(rule_count)"
		"$RULECTL" stats
		map_memory
	else
		echo "no pinned maps under $PIN_DIR"
	fi
}

main() {
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	attach) [[ $# -le 3 ]] || bad "too many arguments"; attach "${2-}" "${3-}" ;;
	detach) [[ $# -le 2 ]] || bad "too many arguments"; detach "${2-}" ;;
	status) [[ $# -eq 1 ]] || bad "too many arguments"; status ;;
	*) bad "unknown command '${1-}'" ;;
	esac
}

main "$@"
