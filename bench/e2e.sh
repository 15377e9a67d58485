#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# e2e.sh - end-to-end drop rate on a veth pair: xf_gen (BPF_PROG_TEST_RUN
# live frames) sends UDP to port 9999 from the peer namespace, and the
# receiving veth end drops it with each configuration in turn: no filter,
# an empty XDP_DROP program, xdp_filter, xdp-tools' xdp-filter (udp and
# tcp,udp), nft netdev ingress and iptables raw PREROUTING.
#
# Isolation: the measurement runs in its own network and mount namespaces
# (unshare -nm, private propagation) with a fresh sysfs, bpffs and
# /run/netns, so the host's interfaces, XDP programs, pins and nft/iptables
# rulesets are never seen or changed; everything goes away with the
# namespaces when the inner process exits, even on failure. Every generator
# run is bounded by a frame count, a duration and a timeout(1).
#
# Output: raw per-run rows (TSV) in OUT.tsv, the markdown table in OUT.md.
# Timings are reported, never asserted.
set -euo pipefail

readonly PROG=${0##*/}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
readonly ROOT
# Absolute, because attach.sh reads B too (for the object and rulectl).
B=${B:-build}
[[ $B == /* ]] || B=$ROOT/$B
export B
readonly B
# rule.sh runs build/rulectl unless told otherwise: the one built in $B
# is the one that matches $B/xdp_filter.o's maps.
RULECTL=${RULECTL:-$B/rulectl}
export RULECTL
readonly RULECTL
readonly NAME=xfbench		# veth xfbencha (receiver) <-> xfbenchb (sender)
readonly RX=${NAME}a TX=${NAME}b NS=${NAME}p
readonly DPORT=9999
readonly CONFIGS=(none xdp_drop xdp_filter xdp_filter_full xdpf_udp xdpf_all nft iptables)

usage() {
	cat <<USAGE
usage: $PROG [--quick] [--reps N] [--seconds S] [--cpu N] --out PREFIX
       $PROG --help
Runs the end-to-end veth benchmark in private namespaces; writes the raw
rows to PREFIX.tsv and the markdown table to PREFIX.md.
  --quick      1 repetition of 0.2 s per configuration (smoke run)
  --reps N     repetitions of every configuration, interleaved (default 5)
  --seconds S  generator run length (default 2)
  --cpu N      CPU the generator (and so the receiver's NAPI) runs on
               (default: the last one)
USAGE
}

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }

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
	xdp_drop | xdpf_udp | xdpf_all) xdp_drops ;;
	xdp_filter | xdp_filter_full)
		"$ROOT/scripts/rule.sh" stats --json | jq '.dropped.packets' ;;
	nft) nft -j list chain netdev xfbench ingress |
		jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0' ;;
	iptables) iptables -t raw -L PREROUTING -v -x -n |
		awk -v p="dpt:$DPORT" '$3 == "DROP" && index($0, p) { s += $1 } END { print s + 0 }' ;;
	esac
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
	esac
}

config_down() {
	case $1 in
	none) ;;
	xdp_drop) ip link set dev "$RX" xdpdrv off ;;
	xdp_filter | xdp_filter_full) "$ROOT/scripts/attach.sh" detach "$RX" >/dev/null ;;
	xdpf_udp | xdpf_all) xdp-filter unload "$RX" >/dev/null ;;
	nft) nft delete table netdev xfbench ;;
	iptables) iptables -t raw -F PREROUTING ;;
	esac
}

# One generator run against configuration $1; prints the raw row.
measure() {
	local cfg=$1 rep=$2 secs=$3 cpu=$4 mac out
	local rx0 rx1 d0 d1 x0 x1 re='^sent=([0-9]+) ns=([0-9]+) cpu_ns=([0-9]+) wait_ns=([0-9]+) softirq=([0-9]+) busy=([0-9]+) clk_tck=([0-9]+)$'

	mac=$(cat "/sys/class/net/$RX/address")
	rx0=$(rx_packets); d0=$(own_drops "$cfg"); x0=$(xdp_drops)
	# ip netns exec: the sender end lives in the peer namespace. The
	# timeout is a backstop; xf_gen stops itself after $secs.
	out=$(timeout "$((${secs%.*} + 20))" ip netns exec "$NS" \
		"$B/xf_gen" --dev "$TX" --dst-mac "$mac" \
		--src 198.18.0.2 --dst 198.18.0.1 --dport "$DPORT" \
		--seconds "$secs" --count 100000000 --cpu "$cpu" \
		--obj "$B/bench_gen.o") || die "xf_gen failed ($cfg)"
	rx1=$(rx_packets); d1=$(own_drops "$cfg"); x1=$(xdp_drops)
	[[ $out =~ $re ]] || die "xf_gen said '$out'"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" \
		"$cfg" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
		"$((rx1 - rx0))" "$((d1 - d0))" "$((x1 - x0))" \
		"${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}" \
		"${BASH_REMATCH[6]}" "${BASH_REMATCH[7]}"
}

inner() {
	local reps=$1 secs=$2 cpu=$3 rep i n=${#CONFIGS[@]} cfg

	"$ROOT/netns/topo.sh" up "$NAME" 0
	# veth delivers redirected (XDP_TX) frames only through its NAPI,
	# which it runs when the receiving end has an XDP program or GRO:
	# without GRO the non-XDP configurations would see nothing at all.
	ethtool -K "$RX" gro on >/dev/null
	# Neighbour and router solicitations would add a few stray packets.
	sysctl -qw "net.ipv6.conf.$RX.accept_ra=0"

	printf 'rep\tconfig\tsent\tns\trx\tdropped\txdp_drops\tcpu_ns\twait_ns\tsoftirq_ticks\tbusy_ticks\tclk_tck\n'
	for ((rep = 1; rep <= reps; rep++)); do
		for ((i = 0; i < n; i++)); do
			# Rotate the order each repetition: no configuration
			# always runs first, or always after the same one.
			cfg=${CONFIGS[(i + rep - 1) % n]}
			log "repetition $rep/$reps: $cfg"
			config_up "$cfg" >&2
			measure "$cfg" "$rep" "$secs" "$cpu"
			config_down "$cfg" >&2
		done
	done
}

# ---- outside: report --------------------------------------------------

# Markdown table from the raw rows: medians per configuration.
report() {
	local tsv=$1 reps=$2 secs=$3 cpu=$4

	printf '## End-to-end: UDP to a blocked port over veth\n\n'
	printf '%s UTC, Linux %s %s, %s CPUs; %s repetitions of %s s per configuration, interleaved (order rotated each repetition); medians.\n\n' \
		"$(date -u '+%Y-%m-%d %H:%M')" "$(uname -r)" "$(uname -m)" \
		"$(nproc)" "$reps" "$secs"
	awk -F'\t' -v dat="$tsv.dat" '
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
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
	{
		c = $2
		if (!(c in n)) order[++nc] = c
		k = ++n[c]
		s = $4 / 1e9
		rx[c, k] = $5 / s
		dr[c, k] = $6 / s
		ok[c, k] = $5 / $3
		# Drops per second of sending-CPU time (xf_gen plus its
		# ksoftirqd): the rate that CPU sustains when it is all ours.
		dc[c, k] = $8 ? $6 * 1e9 / $8 : 0
		cp[c, k] = $5 ? $8 / $5 : 0
		sh[c, k] = $8 / $4
		# Ticks are USER_HZ (clk_tck) per second, summed over CPUs.
		sq[c, k] = $5 ? $10 * 1e9 / $12 / $5 : 0
	}
	END {
		for (i = 1; i <= nc; i++) {
			c = order[i]
			for (m = 1; m <= n[c]; m++) {
				a[m] = rx[c, m]; b[m] = dr[c, m]; d[m] = sq[c, m]
				e[m] = cp[c, m]; f[m] = ok[c, m]; g[m] = dc[c, m]
				h[m] = sh[c, m]
			}
			mrx[c] = median(a, n[c]); mdr[c] = median(b, n[c])
			msq[c] = median(d, n[c]); mcp[c] = median(e, n[c])
			mok[c] = median(f, n[c]); mdc[c] = median(g, n[c])
			msh[c] = median(h, n[c])
		}
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

main() {
	local quick=0 reps=5 secs=2 cpu out="" arg tsv

	cpu=$(($(nproc) - 1))
	while [[ $# -gt 0 ]]; do
		arg=$1
		case $arg in
		--quick) quick=1 ;;
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
	for f in bench_gen.o bench_drop.o xdp_filter.o rulectl xf_gen; do
		[[ -e $B/$f ]] || die "$B/$f is not built (bench/run.sh builds it)"
	done
	for f in xdp-filter nft iptables ethtool jq; do
		command -v "$f" >/dev/null || die "$f is missing (scripts/deps.sh --bench)"
	done

	tsv=$out.tsv
	mkdir -p "${out%/*}"
	# The whole measurement, setup included, is bounded: 7 configurations
	# x reps x (run + ~2 s of setup), with room to spare.
	timeout "$((7 * reps * (${secs%.*} + 10) + 60))" \
		"$ROOT/netns/private.sh" \
		"$0" --inner "$reps" "$secs" "$cpu" >"$tsv" ||
		die "the measurement failed (raw rows so far: $tsv)"
	report "$tsv" "$reps" "$secs" "$cpu" >"$out.md"
}

main "$@"
