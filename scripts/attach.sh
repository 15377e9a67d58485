#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# attach.sh - attach xdp_filter to an interface, detach it, or show where it
# runs. The Makefile's attach, detach and status targets call this.
#
# An interface runs the active feature tier itself, through a BPF link that
# rulectl pins beside the maps under /sys/fs/bpf/tc/globals, so that a rule
# change can move every interface to another tier. Attaching again replaces
# the program in place (one atomic link update) and keeps the rules (the
# maps are pinned by name and reused); detach removes the link, and our pins
# once no interface or other program uses them any more.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly ROOT
readonly B=${B:-$ROOT/build}
readonly RULECTL=${RULECTL:-$B/rulectl}
readonly PIN_DIR=/sys/fs/bpf/tc/globals
# The dispatchers: multi-buffer for native mode (a jumbo MTU needs it),
# single-buffer for generic mode (xdp_filter.h, "Feature tiers").
readonly XDP_NAME=xdp_filter XDP_NAME_SB=xdp_filter_sb

usage() {
	cat <<USAGE
usage: $PROG attach DEV [native|generic]   (make attach DEV=IF [MODE=native|generic] [IMPL=c|rust])
       $PROG detach DEV                    (make detach DEV=IF)
       $PROG status [--json]               (make status [JSON=1])
       $PROG -h | --help
With no mode, attach uses whatever 'ip link set dev DEV xdp obj ...' picks
(native where the driver supports it), or the mode already in use on DEV.
status shows each interface running xdp_filter in this network namespace
(mode, program id and tag, since when), the version of the tools (rulectl
version), then what the interfaces share: the rules,
the policy, the limit rules and the per-source table, the rule set (and a
pending apply --confirm), packets and bytes by verdict reason, and the
memory of each map. --json prints the same as one JSON document.
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

# ours NAME - is NAME one of our programs: a dispatcher (what a plain
# 'ip link ... obj' attaches) or a feature tier (what attach runs)?
ours() { [[ $1 == "$XDP_NAME" || $1 == "$XDP_NAME_SB" || $1 == xf_* ]]; }

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

check_dev() {
	[[ -n $1 ]] || bad "no interface given (DEV=IF)"
	ip link show dev "$1" >/dev/null 2>&1 || bad "no such interface '$1' in this network namespace"
}

attach() {
	local dev=$1 mode=$2 obj=${OBJ:-$B/xdp_filter.o}
	local cur_mode="" cur_id="" cur_name="" err kept

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
	if [[ -n $cur_name ]] && ! ours "$cur_name"; then
		die "$dev already runs XDP program '$cur_name' (id $cur_id); detach it first: ip link set dev $dev $(mode_keyword "$cur_mode") off"
	fi
	kept=0
	[[ -e $PIN_DIR/xf_ports ]] && kept=$(rule_count)

	# The maps (pinned by name, kept when they exist), the ABI stamp and
	# the object's feature tiers, loaded for switching; then DEV runs the
	# active tier itself through a pinned link (replaced in place when it
	# has one).
	(umask 077 && mkdir -p "$PIN_DIR")	# root-only, as ip(8) made it
	"$RULECTL" init "$obj" || exit 1
	if ! err=$("$RULECTL" attach "$dev" ${mode:+"$mode"} 2>&1); then
		printf '%s\n' "$err" >&2
		if [[ $err == *MTU* ]]; then
			die "the driver of $dev refuses native XDP at its MTU ($(cat "/sys/class/net/$dev/mtu")) for $obj: attach in generic mode (make attach DEV=$dev MODE=generic), or lower the MTU of $dev (and of its peer, for veth) to what the driver takes for XDP in one buffer (about 3,500 bytes on veth), or use an object whose programs declare multi-buffer support (xdp.frags, as build/xdp_filter.o does)"
		fi
		die "attaching $obj to $dev failed"
	fi
	[[ -n $err ]] && printf '%s\n' "$err"
	read -r cur_mode cur_id cur_name < <(xdp_progs "$dev")
	echo "object: $obj"
	if [[ -e $PIN_DIR/xf_ports && $kept -gt 0 ]]; then
		echo "xdp_filter attached to $dev ($(mode_name "$cur_mode") mode, prog id $cur_id, $cur_name); $kept rule(s) kept from $PIN_DIR"
	else
		echo "xdp_filter attached to $dev ($(mode_name "$cur_mode") mode, prog id $cur_id, $cur_name); no rules yet: scripts/rule.sh add PORT tcp|udp"
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
	elif ! ours "$cur_name"; then
		die "$dev runs XDP program '$cur_name' (id $cur_id), not $XDP_NAME: left alone"
	elif [[ $("$RULECTL" detach "$dev") == *"no link"* ]]; then
		# attached by ip(8) itself (a plain 'ip link ... obj'), not a link
		ip link set dev "$dev" "$(mode_keyword "$cur_mode")" off
		echo "xdp_filter detached from $dev"
	else
		echo "xdp_filter detached from $dev"
	fi
	[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] || return 0
	"$RULECTL" unpin
}

# The status document, in pieces (each prints one JSON value).

# jq: is this attached program (.prog) one of ours, as ours() says? ($n:
# XDP_NAME)
# shellcheck disable=SC2016 # jq variables, not the shell's
readonly JQ_OURS='def ours: .prog.name as $p |
	$p == $n or $p == $n + "_sb" or ($p | startswith("xf_"));'

# Interfaces running xdp_filter, with since when: the program's load time
# (attach loads it, attaching again loads and swaps in a new one, so it is
# when this program started filtering there). bpftool's loaded_at is Unix
# seconds; without bpftool, ip's load_time (ns of boot time) is converted.
status_interfaces() {
	local links ids=() id progs='{}' up now
	links=$(ip -j -d link show) || return 1
	mapfile -t ids < <(jq -r --arg n "$XDP_NAME" "$JQ_OURS"' .[] | .xdp // empty |
		(.attached // [.])[] | select(ours) | .prog.id' <<<"$links" | sort -un)
	if ((${#ids[@]})) && command -v bpftool >/dev/null; then
		progs=$(for id in "${ids[@]}"; do bpftool -j prog show id "$id" 2>/dev/null || true; done |
			jq -s 'map({(.id | tostring): .}) | add // {}') || return 1
	fi
	read -r up _ </proc/uptime
	now=$(date +%s)
	jq --arg n "$XDP_NAME" --argjson progs "$progs" --argjson up "$up" --argjson now "$now" "$JQ_OURS"'
		def mode: {"1": "native", "2": "generic", "3": "offload"}[tostring] // "mode-\(.)";
		[.[] | .ifname as $dev | .ifindex as $idx | .xdp // empty |
		 (.attached // [.])[] | select(ours) |
		 {name: $dev, ifindex: $idx, mode: (.mode | mode), prog_id: .prog.id,
		  program: .prog.name, tag: .prog.tag,
		  attached_since: ($progs[.prog.id | tostring].loaded_at //
			(if .prog.load_time then $now - $up + .prog.load_time / 1e9 | floor
			 else null end))}]' <<<"$links"
}

# Kernel-accounted memory of each pinned map (bpftool's bytes_memlock), by
# pin name; DESIGN.md gives the formula in CPUs and rules. null without
# bpftool.
status_maps() {
	local p
	command -v bpftool >/dev/null || { echo null; return 0; }
	for p in "$PIN_DIR"/xf_*; do
		[[ ${p##*/} == xf_link_* ]] && continue	# links, not maps
		bpftool -j map show pinned "$p" 2>/dev/null |
			jq --arg n "${p##*/}" '{($n): .bytes_memlock}' || true
	done | jq -s 'add // {}'
}

# The active rule set, how many switches (apply, rollback) it has seen and
# a pending apply --confirm: xf_config as bpftool prints it through the
# map's BTF (rulectl has no command for it). null when it cannot be read.
status_rule_set() {
	local v=""
	command -v bpftool >/dev/null &&
		v=$(bpftool -j map lookup pinned "$PIN_DIR/xf_config" key 0 0 0 0 2>/dev/null |
			jq -c '.formatted.value // empty') || v=""
	[[ -n $v ]] || { echo null; return 0; }
	jq '{active: .set, serial,
	     confirm_by: (if .confirm_by > 0 then .confirm_by else null end),
	     confirm_pid: (if .confirm_by > 0 then .confirm_pid else null end)}' <<<"$v"
}

# The whole document. The rules, policy, counters and maps are shared by
# every interface running the filter in this network namespace: they are
# given once, next to the interfaces.
status_json() {
	local ifs rules=null policy=null totals=null maps=null rs=null pinned=false tier=null ver
	local limits=null sets=null
	ifs=$(status_interfaces) || return 1
	ver=$("$RULECTL" version) || return 1
	if compgen -G "$PIN_DIR/xf_*" >/dev/null; then
		pinned=true
		# rulectl explains pins it cannot use (another layout or ABI)
		rules=$("$RULECTL" list --json | jq length) || return 1
		policy=$("$RULECTL" policy --json) || return 1
		tier=$("$RULECTL" tier --json) || return 1
		totals=$("$RULECTL" stats --json) || return 1
		limits=$("$RULECTL" limits --json) || return 1
		sets=$("$RULECTL" set list --json) || return 1
		maps=$(status_maps) || return 1
		rs=$(status_rule_set) || return 1
	fi
	jq -n --arg ver "$ver" --arg pins "$PIN_DIR" --argjson pinned "$pinned" --argjson ifs "$ifs" \
		--argjson rules "$rules" --argjson policy "$policy" --argjson rs "$rs" \
		--argjson tier "$tier" --argjson limits "$limits" --argjson sets "$sets" \
		--argjson totals "$totals" --argjson maps "$maps" \
		--argjson cpus "$(getconf _NPROCESSORS_CONF)" '
		{version: $ver, pins: $pins, pinned: $pinned, interfaces: $ifs, rules: $rules,
		 policy: $policy, tier: $tier, limits: $limits, sets: $sets, rule_set: $rs,
		 totals: $totals, maps: $maps,
		 map_memory_bytes: (if $maps then ($maps | add // 0) +
			($limits.per_source_table.memory_bytes // 0) +
			([$sets[]?.memory_bytes] | add // 0) else null end),
		 cpus: $cpus}'
}

# status_limits DOC - the limit rules, and the per-source table (not
# pinned: xf_lsrc holds it while a per-source rule exists).
status_limits() {
	jq -r '.limits | if (.rules | length) == 0 then "limits: none"
		else "limits: \(.rules | length) rule(s)",
			(.rules[] | "  \(.rule) (limited \(.limited))") end,
		(.per_source_table // empty |
			"per-source table: \(.entries) of \(.max_entries) buckets, \(.memory_bytes) bytes")' <<<"$1"
}

# status_sets DOC - the source sets (their maps are not pinned: the
# slots of xf_set4, xf_set4x and xf_set6 hold them).
status_sets() {
	jq -r '.sets | if length == 0 then "sets: none"
		else "sets: \(length)",
			(.[] | "  @\(.name): \(.ipv4) IPv4 and \(.ipv6) IPv6 prefixes, \(.memory_bytes) bytes, \(.rules) rule(s)") end' <<<"$1"
}

# ago SECONDS - "42 s ago", "5 min ago", "3 h ago", "2 days ago".
ago() {
	local s=$1
	if ((s < 120)); then
		echo "$s s ago"
	elif ((s < 7200)); then
		echo "$((s / 60)) min ago"
	elif ((s < 172800)); then
		echo "$((s / 3600)) h ago"
	else
		echo "$((s / 86400)) days ago"
	fi
}

if_row() { printf '%-16s %-8s %8s  %-16s  %s\n' "$@"; }

# status_text DOC - the document for people.
status_text() {
	local doc=$1 now n=0 name mode id tag since
	local active serial by pid

	now=$(date +%s)
	while IFS=$'\t' read -r name mode id tag since; do
		((n++)) || if_row interface mode "prog id" tag "attached since"
		[[ -n $since ]] && since="$(date -d "@$since" '+%F %T %Z') ($(ago $((now - since))))"
		if_row "$name" "$mode" "$id" "$tag" "${since:-unknown}"
	done < <(jq -r '.interfaces[] |
		[.name, .mode, .prog_id, .tag, (.attached_since // "")] | @tsv' <<<"$doc")
	((n)) || echo "xdp_filter is not attached to any interface in this network namespace"
	jq -r '"version: \(.version)"' <<<"$doc"
	if [[ $(jq -r .pinned <<<"$doc") != true ]]; then
		echo "no pinned maps under $PIN_DIR"
		return 0
	fi
	echo "pins: $PIN_DIR (rules, policy and counters shared by every interface above)"
	jq -r '"rules: \(.rules)",
		"policy: \(.policy | if .policy != "allow" then .policy
			elif .stateful then "allow \(if .dhcp then "dhcp" else "nodhcp" end) (stateful: what no rule lists passes only in a flow conntrack knows)\(if .tracking then "" else
				"\nconntrack: OFF in this network namespace (nft table inet xdp_filter is gone): replies to new UDP requests of this host are dropped; rule.sh policy allow turns it on again" end)"
			else "allow stateless ephemeral \(.ephemeral[0])-\(.ephemeral[1]) \(if .dhcp then "dhcp" else "nodhcp" end)" end)",
		"tier: \(.tier.tier) (\(.tier.uses))\(if .tier.loaded then "" else
			"; the lighter tiers are not loaded: attach again" end)"' <<<"$doc"
	status_limits "$doc"
	status_sets "$doc"
	if IFS=$'\t' read -r active serial by pid < <(jq -r '.rule_set // empty |
		[.active, .serial, (.confirm_by // 0), (.confirm_pid // 0)] | @tsv' <<<"$doc"); then
		if ((by == 0)); then
			echo "rule set: $active (serial $serial: switches by apply and rollback so far)"
		elif ((by > now)); then
			echo "rule set: $active (serial $serial), not confirmed: rolls back at $(date -d "@$by" +%T) (in $((by - now)) s) unless 'rule.sh confirm' runs"
		else
			echo "rule set: $active (serial $serial), not confirmed: the rollback was due at $(date -d "@$by" +%T) (timer pid $pid); run 'rule.sh confirm' or 'rule.sh rollback'"
		fi
	fi
	jq -r '"\(["reason", "action", "packets", "bytes"] | @tsv)",
		(.totals | to_entries[] | [.key, .value.action, .value.packets, .value.bytes] | @tsv)' <<<"$doc" |
		while IFS=$'\t' read -r name mode id tag; do
			printf '%-10s %-6s %20s %20s\n' "$name" "$mode" "$id" "$tag"
		done
	if [[ $(jq -r '.maps == null' <<<"$doc") == true ]]; then
		echo "map memory: unknown (bpftool missing)"
		return 0
	fi
	jq -r '.maps | to_entries[] | [.key, .value] | @tsv' <<<"$doc" |
		while IFS=$'\t' read -r name n; do
			printf '%-10s %12s bytes\n' "$name" "$n"
		done
	jq -r '.limits.per_source_table // empty | .memory_bytes' <<<"$doc" |
		while read -r n; do
			printf '%-10s %12s bytes (the per-source table in xf_lsrc)\n' "xf_lsrc[0]" "$n"
		done
	jq -r '.sets[]? | [.name, .memory_bytes] | @tsv' <<<"$doc" |
		while IFS=$'\t' read -r name n; do
			printf '%-10s %12s bytes (set %s, in xf_set4, xf_set4x, xf_set6)\n' "@$name" "$n" "$name"
		done
	jq -r '"map memory: \(.map_memory_bytes) bytes (\(.cpus) CPUs)"' <<<"$doc"
}

status() {
	local doc

	case ${1-} in
	"" | --json) ;;
	*) bad "unknown status option '$1' (expected --json)" ;;
	esac
	need_root
	need_rulectl
	doc=$(status_json) || exit 1
	if [[ ${1-} == --json ]]; then
		printf '%s\n' "$doc"
	else
		status_text "$doc"
	fi
}

main() {
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	attach) [[ $# -le 3 ]] || bad "too many arguments"; attach "${2-}" "${3-}" ;;
	detach) [[ $# -le 2 ]] || bad "too many arguments"; detach "${2-}" ;;
	status) [[ $# -le 2 ]] || bad "too many arguments"; status "${2-}" ;;
	*) bad "unknown command '${1-}'" ;;
	esac
}

main "$@"
