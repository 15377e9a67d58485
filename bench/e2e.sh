#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e.sh - end-to-end drop rate on a veth pair: xf_gen (BPF_PROG_TEST_RUN
# live frames) sends UDP to port 9999 from the peer namespace, and the
# receiving veth end drops it with each configuration in turn: no filter,
# an empty XDP_DROP program, xdp_filter, xdp-tools' xdp-filter (udp and
# tcp,udp), nft netdev ingress and iptables raw PREROUTING.
# The stateful allow policy, in the same run (the configurations are
# interleaved): a flood of bare TCP ACKs of no flow to an unlisted port
# (xf_gen --ack), dropped by xdp_filter under `policy allow` (the state
# tier's lookups miss) and by the nftables ruleset a stateful host firewall
# has (ct state established,related accept, the listed ports accept, the
# rest drops, in a prerouting chain); and the TCP throughput of one
# established flow (xf_tput, the filtered end downloading over a
# connection it opened, a flow no rule lists, so the lookups decide every
# segment) with no filter, with conntrack on alone, with an empty XDP
# program, and through xdp_filter under `policy allow`, native and generic.
# Rate limits, in the same run: a SYN flood from SYN_SOURCES addresses
# (xf_gen --syn --sources) to port 22, limited to 5 new connections a
# second per source by xdp_filter (`22 tcp limit 5/s per-source`) and by
# the equivalent nftables meter, in a netdev ingress chain (nftables'
# earliest hook) and in an inet input chain (where such a rule usually
# lives); an empty XDP_DROP program under the same flood is its floor.
# Source sets, in the same run: a UDP flood from SET_SOURCES spoofed
# addresses (xf_gen --sources, every other address, so each /24 is only
# partly in the set), all of them in a 1,000,000-prefix blocklist
# (xf_setgen mix4), dropped by xdp_filter's `any from @drop` (the set
# loaded with rule.sh set drop load), by a plain port rule (`9999 udp`, no
# set), and by nftables' interval set of the same prefixes (`ip saddr
# @xfdrop drop`, netdev ingress; the set is loaded once for the whole run:
# nft takes minutes for a million intervals); an empty XDP_DROP program
# under the same flood is its floor. --sets runs only these.
#
# Isolation: the measurement runs in its own network and mount namespaces
# (unshare -nm, private propagation) with a fresh sysfs, bpffs and
# /run/netns, so the host's interfaces, XDP programs, pins and nft/iptables
# rulesets are never seen or changed; everything goes away with the
# namespaces when the inner process exits, even on failure. Every generator
# run is bounded by a frame count, a duration and a timeout(1); every
# throughput run by its duration, xf_tput's own timeouts and a timeout(1).
#
# Output: raw per-run rows (TSV) in OUT.tsv (drop rates) and OUT.tput.tsv
# (throughput), the markdown tables in OUT.md.
# Timings are reported, never asserted.
set -euo pipefail

# PROG, ROOT, B, RULECTL, die(), log()
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
readonly NAME=xfbench		# veth xfbencha (receiver) <-> xfbenchb (sender)
readonly RX=${NAME}a TX=${NAME}b NS=${NAME}p
readonly DPORT=9999
# The stateful sections: the listed ports (rules, and the nft set), the
# port the ACK flood goes to (listed by none), the throughput flow's port.
readonly LISTED=(22 443)
readonly ACK_DPORT=8080
readonly TPUT_PORT=5201
# The rate-limit section: the flood's sources (198.19.0.1 on) and port.
readonly SYN_SOURCES=1000 SYN_SRC=198.19.0.1 SYN_DPORT=22
# The source-set section: the flood's sources (SET_SRC, every SET_STEP-th
# address on), and the blocklist's size (the flood's sources among them).
readonly SET_SOURCES=4000 SET_STEP=2 SET_SRC=198.19.0.1 SET_PREFIXES=1000000
readonly SET_CONFIGS=(set_xdp_drop set_port set_xdp_filter set_nft)
CONFIGS=(none xdp_drop xdp_filter xdp_filter_full xdpf_udp xdpf_all nft iptables
	ack_xdp_filter ack_nft syn_xdp_drop syn_xdp_filter syn_nft syn_nft_input
	tput_none tput_ct tput_xdp_pass tput_xdp_filter tput_xdp_filter_generic
	"${SET_CONFIGS[@]}")

usage() {
	cat <<USAGE
usage: $PROG [--quick] [--reps N] [--seconds S] [--cpu N] --out PREFIX
       $PROG --help
Runs the end-to-end veth benchmark in private namespaces; writes the raw
rows to PREFIX.tsv (drop rates) and PREFIX.tput.tsv (TCP throughput) and
the markdown tables to PREFIX.md.
  --quick      1 repetition of 0.2 s per configuration (smoke run)
  --reps N     repetitions of every configuration, interleaved (default 5)
  --seconds S  generator run length (default 2)
  --cpu N      CPU the generator (and so the receiver's NAPI) runs on
               (default: the last one)
  --sets       only the source-set rows (with --quick: a 100,000-prefix
               blocklist)
USAGE
}

# ---- inside the private namespaces --------------------------------------

rx_packets() { cat "/sys/class/net/$RX/statistics/rx_packets"; }

# XDP_DROP verdicts counted by the veth driver, whatever program gave them.
xdp_drops() {
	ethtool -S "$RX" | awk -F': *' '/_xdp_drops:/ { s += $2 } END { print s + 0 }'
}

udp_noports() {
	awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["NoPorts"] }' /proc/net/snmp
}

# The drop counter each configuration keeps itself, and what it is.
own_drops() {
	case $1 in
	none) udp_noports ;;
	xdp_drop | xdpf_udp | xdpf_all | syn_xdp_drop | set_xdp_drop) xdp_drops ;;
	xdp_filter | xdp_filter_full | set_port | set_xdp_filter)
		"$ROOT/scripts/rule.sh" stats --json | jq '.dropped.packets' ;;
	ack_xdp_filter) reason state ;;
	syn_xdp_filter) reason limited ;;
	nft | syn_nft) nft -j list chain netdev xfbench ingress |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0' ;;
	syn_nft_input) nft -j list chain inet xfbench input |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0' ;;
	# Every nft command reads the million intervals of the set first
	# (~40 s), even for one counter: the packets received less those
	# that got through to UDP (no socket: NoPorts) are the rule's.
	set_nft) echo $(($(rx_packets) - $(udp_noports))) ;;
	ack_nft) nft -j list chain inet xfbench prerouting |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0' ;;
	iptables) iptables -t raw -L PREROUTING -v -x -n |
		awk -v p="dpt:$DPORT" '$3 == "DROP" && index($0, p) { s += $1 } END { print s + 0 }' ;;
	esac
}

# Packets conntrack found invalid in this namespace, all CPUs (the
# column named invalid of /proc/net/stat/nf_conntrack, hex).
ct_invalid() {
	local -a cols
	local i col=-1 sum=0

	while read -r -a cols; do
		if ((col < 0)); then
			for i in "${!cols[@]}"; do
				[[ ${cols[i]} == invalid ]] && col=$i
			done
			((col >= 0)) || die "no invalid column in /proc/net/stat/nf_conntrack"
			continue
		fi
		((sum += 16#${cols[col]}))
	done </proc/net/stat/nf_conntrack
	echo "$sum"
}

# Packets xdp_filter counted under reason $1 (rule.sh stats).
reason() {
	"$ROOT/scripts/rule.sh" stats --json | jq --arg r "$1" '.[$r].packets'
}

# xdp_filter (attached in mode $1) under the stateful allow policy, the
# listed ports open: the state tier must run, with connection tracking on
# in this namespace.
stateful_up() {
	local p

	"$ROOT/scripts/attach.sh" attach "$RX" "$1" >/dev/null
	for p in "${LISTED[@]}"; do
		"$ROOT/scripts/rule.sh" add "$p" tcp
	done
	"$ROOT/scripts/rule.sh" policy allow
	"$ROOT/scripts/rule.sh" policy --json |
		jq -e '.policy == "allow" and .stateful and .tracking' >/dev/null ||
		die "rule.sh policy allow did not give the stateful policy with tracking on"
	[[ $("$ROOT/scripts/rule.sh" tier --json | jq -r .tier) == state ]] ||
		die "xdp_filter runs another tier than state under policy allow"
}

# What a stateful host firewall in nftables does with the same policy.
nft_stateful_up() {
	local IFS=,

	nft -f - <<-NFT
		table inet xfbench {
			chain prerouting {
				type filter hook prerouting priority filter; policy accept;
				ct state established,related accept
				tcp dport { ${LISTED[*]} } accept
				counter drop
			}
		}
	NFT
}

# xdp_filter with the one rule that limits new connections to port 22 per
# source; measure nothing unless it is there as typed.
limit_up() {
	local words=("$SYN_DPORT" tcp limit 5/s per-source)

	"$ROOT/scripts/attach.sh" attach "$RX" native >/dev/null
	"$ROOT/scripts/rule.sh" add "${words[@]}"
	"$ROOT/scripts/rule.sh" save | grep -qx "${words[*]}" ||
		die "rule.sh save does not show the rule '${words[*]}' after adding it"
	[[ $("$ROOT/scripts/rule.sh" tier --json | jq -r .tier) == full ]] ||
		die "xdp_filter runs another tier than full with a limit rule"
}

# The same limit in nftables: a meter (a dynamic set of per-source limit
# states), in a netdev ingress chain (ingress: the earliest hook nftables
# has) or in an inet input chain (input), after the route lookup.
nft_meter_up() {
	local family=netdev chain=ingress hook="ingress device \"$RX\""

	[[ $1 == input ]] && family=inet chain=input hook=input
	nft -f - <<-NFT
		table $family xfbench {
			chain $chain {
				type filter hook $hook priority 0;
				$(nft_meter_rule)
			}
		}
	NFT
}

nft_meter_rule() {
	printf 'tcp dport %s tcp flags syn / syn,ack meter xfsyn size 65536 { ip saddr limit rate over 5/second } counter drop' \
		"$SYN_DPORT"
}

# xdp_filter dropping every source of set drop (the blocklist, loaded by
# rule.sh as an operator would); measure nothing unless the set and the
# rule are there.
set_up() {
	"$ROOT/scripts/attach.sh" attach "$RX" native >/dev/null
	"$ROOT/scripts/rule.sh" set drop load "$SETDIR/drop.txt" >/dev/null
	"$ROOT/scripts/rule.sh" add any from @drop
	"$ROOT/scripts/rule.sh" save | grep -qx 'any from @drop' ||
		die "rule.sh save does not show the rule 'any from @drop' after adding it"
	[[ $("$ROOT/scripts/rule.sh" tier --json | jq -r .tier) == sets ]] ||
		die "xdp_filter runs another tier than sets with a set rule"
}

# The same blocklist as nftables holds it: an interval set (the merged
# prefixes, as rule.sh set drop list prints them: nftables refuses
# overlapping intervals) in a table of its own that stays for the whole
# run; set_nft adds and removes only the chain. Shuffled (a fixed order):
# nftables loads sorted intervals far more slowly.
nft_set_load() {
	local t0 t1

	"$ROOT/scripts/attach.sh" attach "$RX" native >/dev/null
	"$ROOT/scripts/rule.sh" set drop load "$SETDIR/drop.txt" >/dev/null
	"$ROOT/scripts/rule.sh" set drop list >"$WORK/merged.txt"
	"$ROOT/scripts/attach.sh" detach "$RX" >/dev/null
	{
		printf 'table netdev xfbenchset {\n\tset xfdrop {\n'
		printf '\t\ttype ipv4_addr; flags interval;\n\t\telements = {\n'
		shuf --random-source="$SETDIR/drop.txt" "$WORK/merged.txt" |
			sed 's/$/,/'
		printf '\t\t}\n\t}\n}\n'
	} >"$WORK/drop.nft"
	log "nftables: loading $(wc -l <"$WORK/merged.txt") intervals (once)"
	t0=$(date +%s)
	nft -f "$WORK/drop.nft"
	t1=$(date +%s)
	log "nftables: set loaded in $((t1 - t0)) s"
	printf '%s\n' "$((t1 - t0))" >"$SETDIR/nft_load_s"
	wc -l <"$WORK/merged.txt" >"$SETDIR/merged_n"
}

# Connection tracking on and nothing else: the table rulectl adds for the
# stateful policy (src/xf_ct.c), a chain no packet runs.
ct_on() {
	nft -f - <<-NFT
		table inet xdp_filter {
			chain conntrack {
				ct state new counter
			}
		}
	NFT
}

config_up() {
	case $1 in
	none) ;;
	xdp_drop) ip link set dev "$RX" xdpdrv obj "$B/bench_drop.o" sec xdp ;;
	xdp_filter | xdp_filter_full)
		"$ROOT/scripts/attach.sh" attach "$RX" native >/dev/null
		"$ROOT/scripts/rule.sh" add "$DPORT" udp
		# Measure nothing unless the rule is there, as typed: a
		# grammar change would otherwise show as a pass-everything row.
		"$ROOT/scripts/rule.sh" list --json | jq -e --argjson p "$DPORT" \
			'map(select(.port == $p and .port_last == $p and
				.proto == "udp" and .dir == "dst" and
				.prefix == null)) | length == 1' >/dev/null ||
			die "rule.sh did not list the rule '$DPORT udp' after adding it"
		# The full tier: a prefix rule of the other family, which the
		# IPv4 flood never looks up, needs it.
		[[ $1 == xdp_filter ]] || "$ROOT/scripts/rule.sh" add any from fd00:ffff::/48
		local want=dst
		[[ $1 == xdp_filter ]] || want=full
		[[ $("$ROOT/scripts/rule.sh" tier --json | jq -r .tier) == "$want" ]] ||
			die "xdp_filter runs another tier than $want"
		;;
	xdpf_udp | xdpf_all)
		local feat=udp
		[[ $1 == xdpf_all ]] && feat=tcp,udp
		xdp-filter load -m native -f "$feat" "$RX"
		xdp-filter port -p udp "$DPORT"
		;;
	nft)
		nft -f - <<-NFT
			table netdev xfbench {
				chain ingress {
					type filter hook ingress device "$RX" priority 0;
					udp dport $DPORT counter drop
				}
			}
		NFT
		;;
	iptables) iptables -t raw -A PREROUTING -i "$RX" -p udp --dport "$DPORT" -j DROP ;;
	ack_xdp_filter | tput_xdp_filter) stateful_up native ;;
	tput_xdp_filter_generic) stateful_up generic ;;
	ack_nft) nft_stateful_up ;;
	syn_xdp_filter) limit_up ;;
	syn_nft) nft_meter_up ingress ;;
	syn_nft_input) nft_meter_up input ;;
	syn_xdp_drop) ip link set dev "$RX" xdpdrv obj "$B/bench_drop.o" sec xdp ;;
	tput_none) ;;
	tput_ct) ct_on ;;
	tput_xdp_pass) ip link set dev "$RX" xdpdrv obj "$B/bench_empty.o" sec xdp ;;
	set_xdp_drop) ip link set dev "$RX" xdpdrv obj "$B/bench_drop.o" sec xdp ;;
	set_port)
		"$ROOT/scripts/attach.sh" attach "$RX" native >/dev/null
		"$ROOT/scripts/rule.sh" add "$DPORT" udp
		;;
	set_xdp_filter) set_up ;;
	set_nft)
		nft -f - <<-NFT
			table netdev xfbenchset {
				chain ingress {
					type filter hook ingress device "$RX" priority 0;
					ip saddr @xfdrop counter drop
				}
			}
		NFT
		;;
	esac
}

config_down() {
	case $1 in
	none) ;;
	xdp_drop) ip link set dev "$RX" xdpdrv off ;;
	xdp_filter | xdp_filter_full | syn_xdp_filter | set_port | set_xdp_filter)
		"$ROOT/scripts/attach.sh" detach "$RX" >/dev/null ;;
	set_xdp_drop) ip link set dev "$RX" xdpdrv off ;;
	set_nft) nft delete chain netdev xfbenchset ingress ;;
	xdpf_udp | xdpf_all) xdp-filter unload "$RX" >/dev/null ;;
	nft | syn_nft) nft delete table netdev xfbench ;;
	syn_nft_input) nft delete table inet xfbench ;;
	syn_xdp_drop) ip link set dev "$RX" xdpdrv off ;;
	iptables) iptables -t raw -F PREROUTING ;;
	ack_xdp_filter | tput_xdp_filter | tput_xdp_filter_generic)
		"$ROOT/scripts/attach.sh" detach "$RX" >/dev/null
		# rulectl detach turns tracking off with the last link; make
		# sure, so the next configuration runs without it.
		nft delete table inet xdp_filter 2>/dev/null || true
		;;
	ack_nft) nft delete table inet xfbench ;;
	tput_none) ;;
	tput_ct) nft delete table inet xdp_filter ;;
	tput_xdp_pass) ip link set dev "$RX" xdpdrv off ;;
	esac
}

# One generator run against configuration $1; prints the raw row. The
# ack_ configurations get bare TCP ACKs to ACK_DPORT, the syn_ ones SYNs
# from SYN_SOURCES addresses to SYN_DPORT, the others UDP to DPORT.
measure() {
	local cfg=$1 rep=$2 secs=$3 cpu=$4 mac out what=(--src 198.18.0.2 --dport "$DPORT")
	local rx0 rx1 d0 d1 x0 x1 i0=0 i1=0 re='^sent=([0-9]+) ns=([0-9]+) cpu_ns=([0-9]+) wait_ns=([0-9]+) softirq=([0-9]+) busy=([0-9]+) clk_tck=([0-9]+)$'

	[[ $cfg == ack_* ]] && what=(--src 198.18.0.2 --ack --dport "$ACK_DPORT")
	[[ $cfg == syn_* ]] &&
		what=(--src "$SYN_SRC" --sources "$SYN_SOURCES" --syn --dport "$SYN_DPORT")
	[[ $cfg == set_* ]] &&
		what=(--src "$SET_SRC" --sources "$SET_SOURCES" --source-step "$SET_STEP" --dport "$DPORT")
	mac=$(cat "/sys/class/net/$RX/address")
	rx0=$(rx_packets); d0=$(own_drops "$cfg"); x0=$(xdp_drops)
	[[ $cfg == ack_nft ]] && i0=$(ct_invalid)
	# ip netns exec: the sender end lives in the peer namespace. The
	# timeout is a backstop; xf_gen stops itself after $secs.
	out=$(timeout "$((${secs%.*} + 20))" ip netns exec "$NS" \
		"$B/xf_gen" --dev "$TX" --dst-mac "$mac" \
		--dst 198.18.0.1 "${what[@]}" \
		--seconds "$secs" --count 100000000 --cpu "$cpu" \
		--obj "$B/bench_gen.o") || die "xf_gen failed ($cfg)"
	rx1=$(rx_packets); d1=$(own_drops "$cfg"); x1=$(xdp_drops)
	[[ $out =~ $re ]] || die "xf_gen said '$out'"
	# nftables' row is only the stateful path if conntrack took the ACKs
	# up as flows: an invalid one (a bad checksum, say) skips its work.
	[[ $cfg == ack_nft ]] && i1=$(ct_invalid)
	((i1 - i0 <= BASH_REMATCH[1] / 100)) ||
		die "conntrack found $((i1 - i0)) of ${BASH_REMATCH[1]} ACKs invalid"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" \
		"$cfg" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
		"$((rx1 - rx0))" "$((d1 - d0))" "$((x1 - x0))" \
		"${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}" \
		"${BASH_REMATCH[6]}" "${BASH_REMATCH[7]}"
}

# One throughput run against configuration $1: xf_tput's sender in the
# peer namespace, its receiver here (behind the filter) opening the
# connection; appends the raw row to $5. Through xdp_filter, every segment
# of the flow must pass as tracked (its socket or conntrack entry), none
# drop.
measure_tput() {
	local cfg=$1 rep=$2 secs=$3 tsv=$4 out sent t0=0 t1=0 s0=0 s1=0
	local re='^bytes=([0-9]+) ns=([0-9]+) cpu_ns=([0-9]+)$'
	local sent_f=$WORK/tput.sent

	if [[ $cfg == tput_xdp_filter* ]]; then
		t0=$(reason tracked); s0=$(($(reason state) + $(reason policy)))
	fi
	# Bounded: the sender by --seconds, each blocking call of either
	# by xf_tput's own timeouts, both by timeout(1).
	timeout "$((${secs%.*} + 30))" ip netns exec "$NS" "$B/xf_tput" send \
		--bind 198.18.0.2 --port "$TPUT_PORT" --seconds "$secs" \
		--bytes $((64 << 30)) >"$sent_f" &
	out=$(timeout "$((${secs%.*} + 30))" "$B/xf_tput" recv \
		--connect 198.18.0.2 --port "$TPUT_PORT") ||
		{ wait || true; die "xf_tput recv failed ($cfg)"; }
	wait $! || die "xf_tput send failed ($cfg)"
	sent=$(sed -n 's/^sent=\([0-9]*\) .*/\1/p' "$sent_f")
	[[ $out =~ $re ]] || die "xf_tput said '$out'"
	[[ ${BASH_REMATCH[1]} == "$sent" ]] ||
		die "xf_tput received ${BASH_REMATCH[1]} bytes of $sent ($cfg)"
	if [[ $cfg == tput_xdp_filter* ]]; then
		t1=$(reason tracked); s1=$(($(reason state) + $(reason policy)))
		((t1 > t0 && s1 == s0)) ||
			die "through xdp_filter the flow's segments were not all tracked (tracked +$((t1 - t0)), dropped +$((s1 - s0)))"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$cfg" \
		"${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" \
		"$((t1 - t0))" "$((s1 - s0))" >>"$tsv"
}

inner() {
	local reps=$1 secs=$2 cpu=$3 tput_tsv=$4 rep i n cfg

	SETDIR=$5
	[[ $6 == 1 ]] && CONFIGS=("${SET_CONFIGS[@]}")
	n=${#CONFIGS[@]}

	"$ROOT/netns/topo.sh" up "$NAME" 0
	# veth delivers redirected (XDP_TX) frames only through its NAPI,
	# which it runs when the receiving end has an XDP program or GRO:
	# without GRO the non-XDP configurations would see nothing at all.
	ethtool -K "$RX" gro on >/dev/null
	# Neighbour and router solicitations would add a few stray packets.
	sysctl -qw "net.ipv6.conf.$RX.accept_ra=0"
	# The SYN flood's sources (198.19.x) have no route back: no
	# reverse-path filter may drop them before an input chain.
	sysctl -qw net.ipv4.conf.all.rp_filter=0 "net.ipv4.conf.$RX.rp_filter=0"

	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	printf 'rep\tconfig\tsent\tns\trx\tdropped\txdp_drops\tcpu_ns\twait_ns\tsoftirq_ticks\tbusy_ticks\tclk_tck\n'
	printf 'rep\tconfig\tbytes\tns\trecv_cpu_ns\ttracked\tdropped\n' >"$tput_tsv"
	nft_set_load >&2
	for ((rep = 1; rep <= reps; rep++)); do
		for ((i = 0; i < n; i++)); do
			# Rotate the order each repetition: no configuration
			# always runs first, or always after the same one.
			cfg=${CONFIGS[(i + rep - 1) % n]}
			log "repetition $rep/$reps: $cfg"
			config_up "$cfg" >&2
			if [[ $cfg == tput_* ]]; then
				measure_tput "$cfg" "$rep" "$secs" "$tput_tsv"
			else
				measure "$cfg" "$rep" "$secs" "$cpu"
			fi
			config_down "$cfg" >&2
		done
	done
}

# ---- outside: report --------------------------------------------------

# The awk median of a[1..n].
readonly AWK_MEDIAN='
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}'

# The awk of the drop-rate reports (report, report_ack, report_syn): run()
# keeps a raw row's rates by configuration ($2; order[1..nc] in order of
# first appearance, n[c] runs each): rx received and dr dropped a second,
# ok received / sent, dx dropped / received, dc dropped a CPU-second, cp
# CPU ns and sq softirq ns a packet, sh CPU share. medians() then gives
# each configuration's median of each (mrx, mdr, ...); floor_table() and
# ratio() print what report_syn and report_set (and report_ack) share.
# shellcheck disable=SC2016 # awk's fields, not expansions
readonly AWK_RUNS=$AWK_MEDIAN'
	function run(    c, k, s) {
		c = $2
		if (!(c in n)) order[++nc] = c
		k = ++n[c]
		s = $4 / 1e9
		rx[c, k] = $5 / s
		dr[c, k] = $6 / s
		ok[c, k] = $5 / $3
		dx[c, k] = $5 ? $6 / $5 : 0
		# Drops per second of sending-CPU time (xf_gen plus its
		# ksoftirqd): the rate that CPU sustains when it is all ours.
		dc[c, k] = $8 ? $6 * 1e9 / $8 : 0
		cp[c, k] = $5 ? $8 / $5 : 0
		sh[c, k] = $8 / $4
		# Ticks are USER_HZ (clk_tck) per second, summed over CPUs.
		sq[c, k] = $5 ? $10 * 1e9 / $12 / $5 : 0
	}
	function runs_median(x, c,    m) {
		for (m = 1; m <= n[c]; m++)
			v[m] = x[c, m]
		return median(v, n[c])
	}
	function medians(    i, c) {
		for (i = 1; i <= nc; i++) {
			c = order[i]
			mrx[c] = runs_median(rx, c); mdr[c] = runs_median(dr, c)
			mok[c] = runs_median(ok, c); mdx[c] = runs_median(dx, c)
			mdc[c] = runs_median(dc, c); mcp[c] = runs_median(cp, c)
			msh[c] = runs_median(sh, c); msq[c] = runs_median(sq, c)
		}
	}
	# The table of a flood with a floor: a row per configuration, its drop
	# rate also as a multiple of the floor configuration f'"'"'s.
	function floor_table(what, f,    i, c, floor) {
		floor = mdc[f]
		print "| " what " | dropped Mpps per CPU-second | vs empty XDP drop | CPU ns/pkt | dropped Mpps (wall) | CPU share | received / sent | dropped / received | drop counter |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
		for (i = 1; i <= nc; i++) {
			c = order[i]
			printf "| %s | %.2f | %s | %.0f | %.2f | %.2f | %.3f | %.4f | %s |\n",
				label[c], mdc[c] / 1e6,
				(floor > 0 ? sprintf("%.2f", mdc[c] / floor) : "-"),
				mcp[c], mdr[c] / 1e6, msh[c], mok[c], mdx[c], src[c]
		}
	}
	# x'"'"'s drop rate against y'"'"'s, if both dropped: fmt gets the ratio per
	# CPU-second, the wall-clock one and "met" if the first is target or more.
	function ratio(fmt, x, y, target) {
		if (mdc[x] > 0 && mdc[y] > 0)
			printf fmt, mdc[x] / mdc[y], (mdr[y] > 0 ? mdr[x] / mdr[y] : 0),
				(mdc[x] / mdc[y] >= target ? "met" : "**not met**")
	}'

# Markdown table from the raw rows: medians per configuration.
report() {
	local tsv=$1 reps=$2 secs=$3 cpu=$4

	printf '## End-to-end: UDP to a blocked port over veth\n\n'
	printf '%s UTC, Linux %s %s, %s CPUs; %s repetitions of %s s per configuration, interleaved (order rotated each repetition); medians.\n\n' \
		"$(date -u '+%Y-%m-%d %H:%M')" "$(uname -r)" "$(uname -m)" \
		"$(nproc)" "$reps" "$secs"
	awk -F'\t' -v dat="$tsv.dat" "$AWK_RUNS"'
	BEGIN {
		label["none"] = "no filter (stack: no UDP socket)"
		label["xdp_drop"] = "empty `return XDP_DROP` program (the floor)"
		label["xdp_filter"] = "xdp_filter, native, rule `9999 udp` (rule.sh add 9999 udp): dst tier"
		label["xdp_filter_full"] = "xdp_filter, the same plus `any from fd00:ffff::/48`: full tier"
		label["xdpf_udp"] = "xdp-tools `xdp-filter load -f udp`, port 9999 udp"
		label["xdpf_all"] = "xdp-tools `xdp-filter load -f tcp,udp`, port 9999 udp"
		label["nft"] = "nftables netdev ingress `udp dport 9999 drop`"
		label["iptables"] = "iptables raw PREROUTING `-p udp --dport 9999 -j DROP`"
		src["none"] = "Udp NoPorts"
		src["xdp_drop"] = "veth xdp_drops"
		src["xdp_filter"] = "rule.sh stats: dropped"
		src["xdp_filter_full"] = "rule.sh stats: dropped"
		src["xdpf_udp"] = "veth xdp_drops"
		src["xdpf_all"] = "veth xdp_drops"
		src["nft"] = "nft counter"
		src["iptables"] = "rule counter"
	}
	BEGIN {
		short["none"] = "no filter"
		short["xdp_drop"] = "empty XDP_DROP"
		short["xdp_filter"] = "xdp_filter"
		short["xdp_filter_full"] = "xdp_filter full tier"
		short["xdpf_udp"] = "xdp-filter -f udp"
		short["xdpf_all"] = "xdp-filter -f tcp,udp"
		short["nft"] = "nft netdev ingress"
		short["iptables"] = "iptables raw"
	}
	NR == 1 { next }
	$2 ~ /^(ack|syn|set)_/ { next }	# report_ack, report_syn, report_set
	{ run() }
	END {
		medians()
		floor = mdc["xdp_drop"]
		wfloor = mdr["xdp_drop"]
		print "| what drops the packets | dropped Mpps per CPU-second | vs empty XDP drop | CPU ns/pkt | softirq ns/pkt | received Mpps (wall) | dropped Mpps (wall) | vs empty XDP drop (wall) | CPU share | received / sent | drop counter |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
		for (i = 1; i <= nc; i++) {
			c = order[i]
			r = floor > 0 ? sprintf("%.2f", mdc[c] / floor) : "-"
			w = wfloor > 0 ? sprintf("%.2f", mdr[c] / wfloor) : "-"
			if (c == "none") { r = "-"; w = "-" }
			printf "| %s | %.2f | %s | %.0f | %.0f | %.2f | %.2f | %s | %.2f | %.3f | %s |\n",
				label[c], mdc[c] / 1e6, r, mcp[c], msq[c],
				mrx[c] / 1e6, mdr[c] / 1e6, w, msh[c], mok[c], src[c]
			# For the chart: label, Mpps per CPU-second, wall Mpps.
			printf "%s\t%.3f\t%.3f\n", short[c], mdc[c] / 1e6,
				mdr[c] / 1e6 > dat
		}
	}' "$tsv"
	cat <<NOTES

- Generator: \`xf_gen\` (bench/gen.c) runs an \`XDP_TX\` program through \`BPF_PROG_TEST_RUN\` with \`BPF_F_TEST_XDP_LIVE_FRAMES\` on the sending veth, pinned to CPU $cpu: 60-byte UDP/IPv4 frames to 198.18.0.1:9999 with the receiver's MAC. Received = the receiving veth's \`rx_packets\`; dropped = the configuration's own counter (last column).
- veth runs the receiver's NAPI on the sending CPU, in softirq right after each 64-frame batch (or in that CPU's ksoftirqd): generator and receiver share CPU $cpu, so a cheaper drop path shows as a higher rate. GRO is on at the receiver because veth delivers redirected frames only through NAPI, which needs an XDP program or GRO.
- **Dropped Mpps per CPU-second** (the headline, and the ratio column): dropped packets / (xf_gen's thread CPU time + ksoftirqd/$cpu's run time) over the send loop, i.e. the rate CPU $cpu sustains when nothing else runs on it. **CPU ns/pkt** is the same time / packets received (generator included: it is the same for every row, so differences between rows are receive-path costs). The wall-clock rates (counter delta / send-loop time) are given too: they drop when other work shares the VM, which **CPU share** (that CPU time / wall time, 1.00 = CPU $cpu was ours) shows.
- softirq ns/pkt: \`/proc/stat\` softirq ticks (all CPUs) over the send loop / packets received: the receive path (veth NAPI poll, the XDP program; for non-XDP drops also the skb, GRO and netfilter). The kernel charges whole ticks (CONFIG_TICK_CPU_ACCOUNTING), so it is an estimate, good to a few percent over seconds, noise in a quick run.
- \`none\` drops nothing itself: its dropped column is the stack discarding datagrams that have no socket (Udp NoPorts).
- iptables is $(iptables -V 2>/dev/null || echo "not installed"). Raw rows: \`$(basename "$tsv" | sed 's/\.tmp//')\`.
NOTES
}

# The listed ports as nft spells a set ("22, 443"), and as the rules
# rule.sh was given.
listed_ports() { local IFS=,; printf '%s' "${LISTED[*]}" | sed 's/,/, /g'; }
listed_rules() {
	local p out=""

	for p in "${LISTED[@]}"; do
		out+="${out:+, }\`rule add $p tcp\`"
	done
	printf '%s' "$out"
}

# The stateful section's ACK flood: its two rows of the raw TSV, and the
# ratio of xdp_filter's drop rate to nftables'.
report_ack() {
	local tsv=$1 cpu=$2

	printf '\n### Stateful allow policy: bare TCP ACKs of no flow, to an unlisted port
\n'
	printf 'Both configurations open TCP ports %s and drop the rest of what no flow explains; the flood is 60-byte bare ACKs (valid checksum) from 198.18.0.2:40000 to 198.18.0.1:%s, a port neither lists, of no connection. Same generator, CPU and repetitions as above, interleaved with them.\n\n' \
		"$(listed_ports)" "$ACK_DPORT"
	awk -F'\t' -v rules="$(listed_rules)" -v set="$(listed_ports)" "$AWK_RUNS"'
	BEGIN {
		label["ack_xdp_filter"] = "xdp_filter, native, " rules ", `policy allow`: state tier, both lookups miss, drop (reason state)"
		label["ack_nft"] = "nftables inet prerouting: `ct state established,related accept`, `tcp dport { " set " } accept`, `counter drop`"
		src["ack_xdp_filter"] = "rule.sh stats: state"
		src["ack_nft"] = "nft counter"
	}
	NR == 1 || $2 !~ /^ack_/ { next }
	{ run() }
	END {
		medians()
		print "| what drops the ACKs | dropped Mpps per CPU-second | CPU ns/pkt | dropped Mpps (wall) | CPU share | received / sent | dropped / received | drop counter |"
		print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
		for (i = 1; i <= nc; i++) {
			c = order[i]
			printf "| %s | %.2f | %.0f | %.2f | %.2f | %.3f | %.3f | %s |\n",
				label[c], mdc[c] / 1e6, mcp[c], mdr[c] / 1e6,
				msh[c], mok[c], mdx[c], src[c]
		}
		ratio("\n**xdp_filter / nftables: %.2fx** per CPU-second (wall clock: %.2fx); the target is at least 3x: %s.\n",
			"ack_xdp_filter", "ack_nft", 3)
	}' "$tsv"
	cat <<NOTES

- xdp_filter drops each ACK in XDP: no rule matches, so the state tier asks for its socket (\`bpf_skc_lookup_tcp\`) and its conntrack entry (\`bpf_xdp_ct_lookup\`), both miss. nftables sees each as an skb, in the prerouting hook (priority filter, before the route lookup), after conntrack's own prerouting hook (on in the namespace because the ruleset uses ct) has taken the valid bare ACK up as a new flow (\`nf_conntrack_tcp_loose\`, 1 in a fresh namespace; checked: conntrack counted none of them invalid), so every packet allocates an entry that the drop then frees. Prerouting is the cheaper place for nftables: an input chain would add the route lookup.
NOTES
}

# The rate-limit section's SYN flood: its two rows of the raw TSV, and the
# ratio of xdp_filter's drop rate to nftables' meter's.
report_syn() {
	local tsv=$1

	printf '\n### Rate limits: a SYN flood from %s sources, 5 new connections a second per source\n\n' \
		"$SYN_SOURCES"
	# shellcheck disable=SC2016 # markdown backquotes, not expansions
	printf 'Both configurations let each source open 5 TCP connections a second to port %s (burst 5) and drop its SYNs beyond that. The flood is 60-byte TCP SYNs (valid checksums) to 198.18.0.1:%s, the source rotating over %s addresses from %s on, frame by frame (`xf_gen --syn --sources %s`): each source sends far more than 5 a second, so nearly every SYN is over its limit and dropped, a few per source and second pass. Same generator, CPU and repetitions as above, interleaved with them.\n\n' \
		"$SYN_DPORT" "$SYN_DPORT" "$SYN_SOURCES" "$SYN_SRC" "$SYN_SOURCES"
	awk -F'\t' -v port="$SYN_DPORT" -v rule="$(nft_meter_rule)" "$AWK_RUNS"'
	BEGIN {
		label["syn_xdp_drop"] = "empty `return XDP_DROP` program (the floor of this flood)"
		label["syn_xdp_filter"] = "xdp_filter, native, `rule add " port " tcp limit 5/s per-source`: full tier, the bucket of its source in the per-source LRU hash, drop (reason limited)"
		label["syn_nft"] = "nftables netdev ingress (its earliest hook): `" rule "`"
		label["syn_nft_input"] = "nftables inet input (after the route lookup, where such a rule usually lives): the same rule"
		src["syn_xdp_drop"] = "veth xdp_drops"
		src["syn_xdp_filter"] = "rule.sh stats: limited"
		src["syn_nft"] = "nft counter"
		src["syn_nft_input"] = "nft counter"
	}
	NR == 1 || $2 !~ /^syn_/ { next }
	{ run() }
	END {
		medians()
		floor_table("what limits the SYNs", "syn_xdp_drop")
		ratio("\n**xdp_filter / nftables meter in netdev ingress: %.2fx** per CPU-second (wall clock: %.2fx); the target is at least 3x: %s.",
			"syn_xdp_filter", "syn_nft", 3)
		ratio(" **Against the same meter in an inet input chain: %.2fx** (wall clock: %.2fx): %s.",
			"syn_xdp_filter", "syn_nft_input", 3)
		print ""
	}' "$tsv"
	cat <<NOTES

- xdp_filter drops each SYN in XDP, before an skb exists: the port slot names a limit rule, the source's bucket is found in the per-source LRU hash (one lookup, made on the source's first SYN) and has no token. nftables sees each SYN as an skb: in the netdev ingress hook, the earliest it has (no GRO, no route lookup, no conntrack: neither ruleset uses ct, so conntrack is off in the namespace), or in the input hook after GRO, the IP layer and the route lookup; the meter looks the source up in its dynamic set and its limit says over.
- The generator rewrites each frame's source (gen_xdp.c, xf_gen_src): that cost is in every row of this table alike, the floor row included.
- The SYNs that pass (5 a second per source, and each source's burst of 5) go up the stack alike in both configurations; dropped / received shows how few they are.
NOTES
}

# The source-set section's flood: its rows of the raw TSV, and the ratios
# of xdp_filter's set rule to the plain port rule and to nftables' set.
report_set() {
	local tsv=$1 setdir=$2 nset=$3

	printf '\n### Source sets: a UDP flood from %s spoofed sources, all in a %s-prefix blocklist\n\n' \
		"$SET_SOURCES" "$nset"
	# shellcheck disable=SC2016 # markdown backquotes, not expansions
	printf 'The blocklist is `xf_setgen mix4` (bench/setgen.c: /32s, /24s and a few shorter prefixes, like real blocklists) with the flood'"'"'s %s sources among its %s lines as /32s: %s, %s, ... (%s apart), so each of their /24s is only partly in the set and every packet takes the set'"'"'s second level (the per-/24 bitmap, in an array at the /24'"'"'s rank). rule.sh merged it into %s prefixes; nftables holds the same merged prefixes as an interval set (loading it took %s s, once for the run). The flood is 60-byte UDP to 198.18.0.1:%s, the source rotating frame by frame (`xf_gen --sources %s --source-step %s`). Same generator, CPU and repetitions as above, interleaved with them.\n\n' \
		"$SET_SOURCES" "$nset" "$SET_SRC" "${SET_SRC%.*}.$((${SET_SRC##*.} + SET_STEP))" \
		"$SET_STEP" "$(cat "$setdir/merged_n" 2>/dev/null || echo '?')" \
		"$(cat "$setdir/nft_load_s" 2>/dev/null || echo '?')" "$DPORT" "$SET_SOURCES" "$SET_STEP"
	awk -F'\t' -v port="$DPORT" "$AWK_RUNS"'
	BEGIN {
		label["set_xdp_drop"] = "empty `return XDP_DROP` program (the floor of this flood)"
		label["set_port"] = "xdp_filter, native, the plain port rule `rule add " port " udp` (no set): dst tier"
		label["set_xdp_filter"] = "xdp_filter, native, `rule set drop load FILE` and `rule add any from @drop`: set tier, the set looked up inline (level 1 entry, level 2 array), drop"
		label["set_nft"] = "nftables netdev ingress: `ip saddr @xfdrop counter drop`, xfdrop an interval set of the same prefixes"
		src["set_xdp_drop"] = "veth xdp_drops"
		src["set_port"] = "rule.sh stats: dropped"
		src["set_xdp_filter"] = "rule.sh stats: dropped"
		src["set_nft"] = "veth rx_packets - Udp NoPorts"
	}
	NR == 1 || $2 !~ /^set_/ { next }
	{ run() }
	END {
		medians()
		floor_table("what drops the flood", "set_xdp_drop")
		ratio("\n**Set rule / plain port rule: %.2fx** per CPU-second (wall clock: %.2fx); the target is at least 0.9x: %s.",
			"set_xdp_filter", "set_port", 0.9)
		ratio(" **Against nftables'"'"' set in netdev ingress: %.2fx** (wall clock: %.2fx).",
			"set_xdp_filter", "set_nft", 0)
		print ""
	}' "$tsv"
	cat <<NOTES

- The plain port rule runs the lightest tier (dst: one array slot per packet); the set rule runs the set tier (the same fast parser, xf_config for the set's version, the set's two levels and the rule of the set). Both see the same flood, sources and all.
- nftables sees each packet as an skb in the netdev ingress hook, its earliest (no GRO, no route lookup, no conntrack), and looks the source up in the interval set (an rbtree). It is not measured in an inet input chain: a second copy of the set would take as long again to load.
NOTES
}

# The stateful section's throughput: xf_tput's rows (TSV2), medians, and
# the ratios to no filter and to an empty XDP program.
report_tput() {
	local tsv=$1 secs=$2

	printf '\n### Stateful allow policy: TCP throughput of one established flow\n\n'
	# shellcheck disable=SC2016 # markdown backquotes, not expansions
	printf 'One TCP connection over the veth pair, opened by the filtered end (198.18.0.1, a random port) to 198.18.0.2:%s, which sends zeros for %s s: the filtered end downloads, and no rule lists the flow, so under `policy allow` the state tier decides every packet by its lookups (checked: xdp_filter counted them all as tracked, none dropped). Same repetitions, interleaved with the rows above.\n\n' \
		"$TPUT_PORT" "$secs"
	awk -F'\t' -v rules="$(listed_rules)" "$AWK_MEDIAN"'
	BEGIN {
		label["tput_none"] = "no filter, no connection tracking"
		label["tput_ct"] = "no filter, connection tracking on (the table rulectl adds: nft inet xdp_filter)"
		label["tput_xdp_pass"] = "empty `return XDP_PASS` program, native (veth XDP floor)"
		label["tput_xdp_filter"] = "xdp_filter, native, " rules ", `policy allow`: state tier (tracking on)"
		label["tput_xdp_filter_generic"] = "the same, generic mode (`attach.sh attach DEV generic`)"
	}
	NR == 1 { next }
	{
		c = $2
		if (!(c in n)) order[++nc] = c
		k = ++n[c]
		gb[c, k] = $3 * 8 / $4		# Gbit/s
		cb[c, k] = $3 ? $5 / ($3 / 1024) : 0
		pk[c, k] = $6 ? $3 / $6 : 0
	}
	END {
		for (i = 1; i <= nc; i++) {
			c = order[i]
			for (m = 1; m <= n[c]; m++) {
				a[m] = gb[c, m]; b[m] = cb[c, m]; d[m] = pk[c, m]
			}
			mg[c] = median(a, n[c]); mc[c] = median(b, n[c])
			mp[c] = median(d, n[c])
		}
		print "| configuration | Gbit/s | vs no filter | vs empty XDP program | receiver CPU ns/KiB | bytes per XDP packet |"
		print "| --- | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= nc; i++) {
			c = order[i]
			printf "| %s | %.2f | %s | %s | %.0f | %s |\n", label[c], mg[c],
				(mg["tput_none"] > 0 ? sprintf("%.2f", mg[c] / mg["tput_none"]) : "-"),
				(mg["tput_xdp_pass"] > 0 && c ~ /_xdp_(pass|filter)$/ ? sprintf("%.2f", mg[c] / mg["tput_xdp_pass"]) : "-"),
				mc[c], (mp[c] > 0 ? sprintf("%.0f", mp[c]) : "-")
		}
		x = mg["tput_xdp_filter"]; g = mg["tput_xdp_filter_generic"]
		if (x > 0 && mg["tput_none"] > 0)
			printf "\n**xdp_filter (stateful, native) / no filter: %.2fx**; the target is at least 0.95x: %s. Against the empty XDP program: %.2fx; against conntrack on alone: %.2fx.",
				x / mg["tput_none"],
				(x / mg["tput_none"] >= 0.95 ? "met" : "**not met**"),
				(mg["tput_xdp_pass"] > 0 ? x / mg["tput_xdp_pass"] : 0),
				(mg["tput_ct"] > 0 ? x / mg["tput_ct"] : 0)
		if (g > 0 && mg["tput_none"] > 0)
			printf " Generic mode / no filter: %.2fx (%s); against conntrack on alone: %.2fx.",
				g / mg["tput_none"],
				(g / mg["tput_none"] >= 0.95 ? "met" : "**not met**"),
				(mg["tput_ct"] > 0 ? g / mg["tput_ct"] : 0)
		print ""
	}' "$tsv"
	cat <<NOTES

- \`xf_tput\` (bench/tput.c): the sender (peer namespace) writes 256 KiB at a time until its time is up, the receiver reads until the close; Gbit/s = bytes received / the time from the first byte to the close. Sender and receiver are not pinned, and share the VM's CPUs with the veth's softirq work and whatever else runs: these are wall-clock rates, noisier than the drop rates above.
- Any XDP program on a veth turns the peer's software segmentation offload off (drivers/net/veth.c: \`veth_fix_features()\` clears the peer's GSO features while an XDP program is attached): the sender then hands veth MTU-sized segments instead of 64 KiB GSO packets, so the empty program already costs most of what separates the XDP rows from no filter; *vs empty XDP program* is the filter's own share. Bytes per XDP packet (bytes / the filter's tracked count) shows what the filter saw. In generic mode the peer keeps its offloads, and the filter runs on the skb veth delivers (up to 64 KiB): far fewer lookups, and the cost that is left is mostly conntrack's in the stack (the *connection tracking on* row). On a physical NIC a native XDP program sees wire-sized frames whatever the sender does, and the sender's offloads are its own.
- Raw rows: \`$(basename "$tsv" | sed 's/\.tmp//')\`.
NOTES
}

main() {
	local quick=0 reps=5 secs=2 cpu out="" arg tsv tput_tsv sets=0 setdir nset

	cpu=$(($(nproc) - 1))
	while [[ $# -gt 0 ]]; do
		arg=$1
		case $arg in
		--quick) quick=1 ;;
		--sets) sets=1 ;;
		--reps | --seconds | --cpu | --out)
			[[ $# -ge 2 ]] || { usage >&2; exit 2; }
			case $arg in
			--reps) reps=$2 ;;
			--seconds) secs=$2 ;;
			--cpu) cpu=$2 ;;
			--out) out=$2 ;;
			esac
			shift
			;;
		--inner) shift; inner "$@"; exit ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	((quick)) && { reps=1; secs=0.2; }
	[[ -n $out ]] || { usage >&2; exit 2; }
	[[ $reps =~ ^[1-9][0-9]?$ ]] || { usage >&2; exit 2; }
	[[ $secs =~ ^[0-9]+(\.[0-9]+)?$ ]] || { usage >&2; exit 2; }
	[[ $cpu =~ ^[0-9]+$ && $cpu -lt $(nproc) ]] || { usage >&2; exit 2; }
	[[ $EUID -eq 0 ]] || die "needs root (namespaces, XDP, BPF_PROG_TEST_RUN)"
	local f
	for f in bench_gen.o bench_drop.o bench_empty.o xdp_filter.o rulectl xf_gen xf_tput xf_setgen; do
		[[ -e $B/$f ]] || die "$B/$f is not built (bench/run.sh builds it)"
	done
	for f in xdp-filter nft iptables ethtool jq shuf; do
		command -v "$f" >/dev/null || die "$f is missing (scripts/deps.sh --bench)"
	done

	tsv=$out.tsv
	tput_tsv=$out.tput.tsv
	mkdir -p "${out%/*}"
	# The blocklist of the source-set rows (a tenth of it when quick).
	nset=$SET_PREFIXES
	((quick)) && nset=$((SET_PREFIXES / 10))
	setdir=$(mktemp -d)
	SETDIR_OUT=$setdir
	trap 'rm -rf "$SETDIR_OUT"' EXIT
	"$B/xf_setgen" mix4 --count "$nset" --seed 11 \
		--flood "$SET_SRC,$SET_SOURCES,$SET_STEP" >"$setdir/drop.txt"
	# The whole measurement, setup included, is bounded: every
	# configuration x reps x (run + ~2 s of setup), with room to spare,
	# and nftables' load of the set.
	((sets)) && CONFIGS=("${SET_CONFIGS[@]}")
	timeout "$((${#CONFIGS[@]} * reps * (${secs%.*} + 10) + 660))" \
		"$ROOT/netns/private.sh" \
		"$0" --inner "$reps" "$secs" "$cpu" "$tput_tsv" "$setdir" "$sets" >"$tsv" ||
		die "the measurement failed (raw rows so far: $tsv, $tput_tsv)"
	{
		if ((!sets)); then
			report "$tsv" "$reps" "$secs" "$cpu"
			report_ack "$tsv" "$cpu"
			report_syn "$tsv"
		fi
		report_set "$tsv" "$setdir" "$nset"
		((sets)) || report_tput "$tput_tsv" "$secs"
	} >"$out.md"
}

main "$@"
