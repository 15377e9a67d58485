#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh - the kernel matrix: does each kernel's verifier accept the filter,
# and does the filter give the contract's verdicts there?
#
# Operators run Debian's LTS kernels, not the one we develop on, and an
# older verifier can reject a program a newer one accepts. So for each
# kernel (the host's, then Debian's images booted under qemu) this loads
# every program of every object with xf_vstat (accepted? instructions
# processed?: xdp_filter and the feature tiers it tail-calls) and runs
# xf_verdict's crafted frames through BPF_PROG_TEST_RUN.
#
# Kernels come only from Debian's archive (apt-get download), cached with
# their vmlinuz in tests/kernels/cache/. A guest is an initramfs (static
# busybox, the two static tools, the objects, tests/kernels/init) booted with
# TCG: KVM guests hang on our nested VMs. No network device, no disk, and a
# hard timeout per guest. `make kernels` runs this; tests/80-kernels.bats
# runs it in `make test`.
set -euo pipefail

readonly PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
readonly HERE ROOT
B=${B:-$ROOT/build}
CACHE=${XF_KERNEL_CACHE:-$HERE/cache}
VERDICT=${XF_VERDICT_STATIC:-$B/xf_verdict.static}
VSTAT=${XF_VSTAT:-$B/xf_vstat}
CONFORM=${XF_CONFORM_STATIC:-$B/xf_conform.static}
RULECTL=${XF_RULECTL_STATIC:-$B/rulectl.static}
# The conformance run in every guest: the structured frames (26,596) and a
# few random ones, with a fixed seed so a kernel difference is replayable.
CONFORM_ARGS=(--frames 27000 --seed 20261127)
BUSYBOX=${XF_BUSYBOX:-/bin/busybox}

# Debian's LTS kernels, by the metapackage that follows each branch: the
# bookworm 6.1 kernel and the 6.12 one bookworm carries in its security
# suite (the kernel trixie ships). Each resolves to one image package.
DEFAULT_KERNELS=(linux-image-amd64 linux-image-6.12-amd64)

usage() {
	cat <<USAGE
usage: $PROG [options]
Run the verifier and the verdict suite (xf_vstat, xf_verdict) on the host
kernel and on Debian's LTS kernels booted under qemu (TCG), and print a
table: kernel | object | verifier accepted | insns processed | verdicts,
then one line per program of each object: accepted, insns processed. An
object is accepted when every one of its XDP programs is; its insns column
is its first program's (xdp_filter, what an interface runs).

  --kernel PKG    a Debian linux-image package or metapackage to boot
                  (repeatable; default: ${DEFAULT_KERNELS[*]})
  --obj PATH      an object to test (repeatable; default: build/xdp_filter.o
                  and build/xdp_filter_rs.o when it exists)
  --no-host       skip the host kernel
  --no-vm         skip the qemu guests
  --offline       no apt: boot only kernels already in the cache
  --timeout SECS  per guest, boot to power-off (default 300)
  --jobs N        guests booted at once (default: number of CPUs)
  -h, --help      this text

Needs: qemu-system-x86_64, busybox-static, cpio, gzip, apt-get/dpkg-deb
(for the kernels), and \$B/xf_verdict.static and \$B/xf_vstat (make kernels
builds them). The host row needs root. Missing tools skip their part, and
say so. Serial logs are kept in ${CACHE#"$ROOT"/}/logs/.
Exit: 0 every kernel that ran accepted every object and failed no verdict;
1 something failed; 2 usage.
USAGE
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

log() {
	echo "$PROG: $*" >&2
}

# What was skipped and why, printed under the table.
SKIPPED=()
skip() {
	SKIPPED+=("$1")
	log "skipping $1"
}

# Resolves a package name to an image package: a metapackage to the image it
# depends on, an image package to itself. Prints nothing if apt knows
# neither. Remembers the answer, so --offline (or a host whose apt lists
# are gone) still finds the cached kernel.
resolve_kernel() {
	local want=$1 pkg=

	# An image is named by its full version (linux-image-6.1.0-56-amd64,
	# linux-image-6.12.117+deb12-amd64); a metapackage is not
	# (linux-image-amd64, linux-image-6.12-amd64).
	if [[ $want =~ ^linux-image-[0-9]+\.[0-9]+\.[0-9]+ ]]; then
		pkg=$want
	elif ((!offline)) && command -v apt-cache >/dev/null; then
		pkg=$(timeout 60 apt-cache depends "$want" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]+\.[0-9]+\.[0-9]+/ { print $2; exit }') || pkg=
	fi
	mkdir -p "$CACHE/meta"
	if [[ -n $pkg ]]; then
		echo "$pkg" >"$CACHE/meta/$want"
	elif [[ -s $CACHE/meta/$want ]]; then
		pkg=$(<"$CACHE/meta/$want")
	fi
	echo "$pkg"
}

# Connection tracking's modules, in load order (what nf_conntrack needs
# first): the stateful allow policy's kfuncs are in nf_conntrack, a module
# on Debian's kernels. libcrc32c's init asks the crypto API for "crc32c"
# (its softdep; modprobe would load it), so crc32c_generic comes first.
readonly CT_MODULES=(crc32c_generic libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack)

# Makes $CACHE/$kver/{vmlinuz,config,modules/} for image package $1,
# downloading it if needed. Only boot/ and conntrack's modules are unpacked
# from the .deb (the rest of the modules is most of its size): Debian builds
# BPF, its JIT and the serial console into the image. 6.12's modules are
# xz-compressed; the guest's busybox insmod takes them uncompressed.
fetch_kernel() {
	local pkg=$1 kver=${1#linux-image-} deb tmp sandbox=() m f
	local dir=$CACHE/$kver pats=()

	[[ -s $dir/vmlinuz && -s $dir/config &&
		$(cat "$dir/modules/.list" 2>/dev/null) == "${CT_MODULES[*]}" ]] && return 0
	mkdir -p "$CACHE/debs"
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
	if [[ -z $deb ]]; then
		((offline)) && { echo "not in the cache (--offline)"; return 1; }
		command -v apt-get >/dev/null || { echo "no apt-get to download it"; return 1; }
		log "downloading $pkg"
		# apt's download sandbox user cannot write into a root-owned
		# cache: it would only warn, but the warning reads like an error.
		[[ $EUID -ne 0 ]] || sandbox=(-o APT::Sandbox::User=root)
		if ! (cd "$CACHE/debs" &&
			timeout 600 apt-get download -q "${sandbox[@]}" "$pkg" >&2); then
			echo "apt-get download $pkg failed"
			return 1
		fi
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
		[[ -n $deb ]] || { echo "apt-get download left no ${pkg}_*.deb"; return 1; }
	fi
	tmp=$(mktemp -d "$CACHE/.x.XXXXXX")
	for m in "${CT_MODULES[@]}"; do
		pats+=("./lib/modules/*/$m.ko" "./lib/modules/*/$m.ko.xz")
	done
	# tar fails for the patterns of the other compression; what it found
	# is there, and boot/ is checked
	timeout 300 dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*' \
			"${pats[@]}" 2>/dev/null || true
	if ! compgen -G "$tmp/boot/vmlinuz-*" >/dev/null ||
		! compgen -G "$tmp/boot/config-*" >/dev/null; then
		rm -rf "$tmp"
		echo "cannot unpack boot/ from ${deb##*/}"
		return 1
	fi
	mkdir -p "$tmp/ct"
	while IFS= read -r f; do
		case $f in
		*.xz) xz -dc "$f" >"$tmp/ct/$(basename "$f" .xz)" ;;
		*) cp "$f" "$tmp/ct/" ;;
		esac
	done < <(find "$tmp/lib" -name '*.ko*' 2>/dev/null)
	rm -rf "$dir"
	mkdir -p "$dir/modules"
	mv "$tmp"/boot/vmlinuz-* "$dir/vmlinuz"
	mv "$tmp"/boot/config-* "$dir/config"
	mv "$tmp"/ct/*.ko "$dir/modules/" 2>/dev/null || true
	echo "${CT_MODULES[*]}" >"$dir/modules/.list"
	rm -rf "$tmp"
	[[ -s $dir/modules/nf_conntrack.ko ]] ||
		echo "note: no nf_conntrack module in ${deb##*/}: the state tier is not tested there" >&2
	return 0
}

# The guest loads no modules, so what the test needs must be built in.
check_config() {
	local config=$1 opt missing=()

	for opt in CONFIG_BPF_SYSCALL CONFIG_BPF_JIT CONFIG_DEBUG_INFO_BTF \
		CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP \
		CONFIG_DEVTMPFS; do
		grep -qx "$opt=y" "$config" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || { echo "not built in: ${missing[*]}"; return 1; }
}

# A busybox that needs a loader or libraries would not run as /init.
is_static() {
	[[ -x $1 ]] && ! ldd "$1" >/dev/null 2>&1
}

# build_initramfs OUT KVER... - each kernel's conntrack modules go to
# /modules/KVER/, with their load order in /modules/KVER/order.
build_initramfs() {
	local out=$1 stage obj kver m
	shift

	stage=$(mktemp -d "$WORK/stage.XXXXXX")
	mkdir -p "$stage/bin" "$stage/obj"
	for kver; do
		mkdir -p "$stage/modules/$kver"
		for m in "${CT_MODULES[@]}"; do
			[[ -s $CACHE/$kver/modules/$m.ko ]] || continue
			cp "$CACHE/$kver/modules/$m.ko" "$stage/modules/$kver/"
			echo "$m" >>"$stage/modules/$kver/order"
		done
	done
	cp "$BUSYBOX" "$stage/bin/busybox"
	cp "$VERDICT" "$stage/bin/xf_verdict"
	cp "$VSTAT" "$stage/bin/xf_vstat"
	cp "$CONFORM" "$stage/bin/xf_conform"
	cp "$RULECTL" "$stage/bin/rulectl"
	cp "$HERE/init" "$stage/init"
	chmod 755 "$stage/init"
	for obj in "${OBJS[@]}"; do
		cp "$obj" "$stage/obj/"
	done
	# newc is the format the kernel unpacks; -R 0:0 makes the files
	# root's whoever builds it.
	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
}

# Boots one kernel; the serial console goes to $2. The exit status is
# timeout's: 124 when the guest ran out of time.
boot() {
	local kernel=$1 out=$2

	timeout --kill-after=10 "$vm_timeout" qemu-system-x86_64 \
		-accel tcg -m 512 -smp 1 -nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$WORK/initramfs.gz" \
		-append 'console=ttyS0 panic=-1 quiet' \
		</dev/null >"$out" 2>&1
}

# Runs what the guest's /init runs, on the host kernel, into the same log
# format, so one parser reads both.
run_host() {
	local out=$1 obj name rc

	{
		echo "XF-KERNEL $(uname -r)"
		echo "XF-VERSION $(cat /proc/version)"
		for obj in "${OBJS[@]}"; do
			name=${obj##*/}
			echo "XF-OBJ $name"
			rc=0
			timeout 120 "$VSTAT" "$obj" 2>&1 || rc=$?
			echo "XF-VSTAT-RC $name $rc"
			rc=0
			timeout 600 "$VERDICT" --obj "$obj" 2>&1 || rc=$?
			echo "XF-VERDICT-RC $name $rc"
			rc=0
			timeout 600 "$CONFORM" --obj "$obj" "${CONFORM_ARGS[@]}" 2>&1 || rc=$?
			echo "XF-CONFORM-RC $name $rc"
			# the host's interfaces are not ours to attach to (62-tiers
			# attaches in a test namespace)
			echo "XF-ATTACH-RC $name skip"
		done
		echo "XF-DONE"
	} >"$out"
}

# Reads a log and prints one row per object, tab-separated:
#   kernel  object  accepted(yes/no/?)  insns  verdicts  ok(1/0)
# after "PROG<tab>kernel<tab>object<tab>program<tab>accepted<tab>insns"
# for each of its programs, and "TAIL<tab>object<tab>line" for the
# verifier's last lines of a rejected program. Serial lines end in \r, and the firmware's escape
# sequences can precede the first marker.
parse_log() {
	local log=$1 label=$2

	tr -d '\r' <"$log" | sed 's/^.*\(XF-[A-Z-]* \)/\1/' |
		awk -v label="$label" -v total="$TOTAL" -F'\t' '
	function flush() {
		if (obj == "")
			return
		ok = acc == "yes" && vrc == "0" && sum ~ /^[0-9]+ passed, 0 failed/ &&
		     crc == "0" && conf ~ /mismatches 0$/ && (arc == "0" || arc == "skip") &&
		     ct != "failed"
		# Every case ran: passed + skipped is the whole table, and the
		# only skip is the one some kernels force (as in 50-verdicts).
		if (ok) {
			n = split(sum, w, /[ ,]+/)
			ran = w[1] + (n >= 6 ? w[5] : 0)
			if (ran != total) {
				ok = 0
				sum = sum " (ran " ran " of " total " cases)"
			}
			if (badskip) {
				ok = 0
				sum = sum " (" badskip " unexpected skips)"
			}
		}
		if (sum != "")
			sum = sum "; conformance: " (conf != "" ? conf : "no summary (exit " crc ")")
		if (sum != "" && arc != "skip")
			sum = sum "; attach: " (arc == "0" ? "link ok" : arc == "" ? "did not run" : "failed (" afail ")")
		if (sum != "" && ct != "")
			sum = sum "; conntrack: " ct
		if (sum == "" && acc == "no")
			sum = "not run: the verifier rejected it"
		else if (sum == "")
			sum = vrc == "" ? "did not finish" : "no summary (exit " vrc ")"
		# The last lines of a rejection say why; the log keeps the rest.
		for (i = ntail > 8 ? ntail - 8 : 0; i < ntail; i++)
			printf "TAIL\t%s\t%s\n", obj, tail[i]
		ntail = 0
		for (i = 0; i < np; i++)
			printf "PROG\t%s\t%s\t%s\t%s\t%s\n", kernel, obj, porder[i],
			       pacc[porder[i]], (porder[i] in pins) ? pins[porder[i]] : "?"
		np = 0
		split("", pacc)
		split("", pins)
		printf "ROW\t%s\t%s\t%s\t%s\t%s\t%d\n", kernel, obj, acc, insns, sum, ok
		obj = ""
	}
	/^XF-KERNEL / { kernel = $0; sub(/^XF-KERNEL /, "", kernel) }
	/^XF-CONNTRACK / { split($0, f, " "); ct = f[2] }
	/^XF-VERSION / {
		# Debian names its package version (the upstream point
		# release) only here: "... #1 SMP ... Debian 6.1.192-2 (2026-".
		# The compiler version, "(Debian 12.2.0-14)", comes earlier.
		if (match($0, /Debian [0-9][^ ]* \([0-9][0-9][0-9][0-9]-/))
			kernel = kernel " (" substr($0, RSTART + 7, RLENGTH - 14) ")"
		if (label != "")
			kernel = kernel " " label
	}
	/^XF-OBJ / {
		flush()
		obj = $0
		sub(/^XF-OBJ /, "", obj)
		acc = insns = "?"
		sum = vrc = crc = conf = arc = afail = ""
		inconf = 0
		badskip = 0
	}
	/^verifier: accepted/ { acc = "yes" }
	/^verifier: rejected/ { acc = "no" }
	/^verifier: processed [0-9]+ insns/ { insns = $0; sub(/^verifier: processed /, "", insns); sub(/ insns.*/, "", insns) }
	# One program: "verifier: prog NAME accepted|rejected (...)",
	# "... processed N insns", "... log LINE".
	/^verifier: prog [^ ]+ (accepted|rejected)/ {
		split($0, w, " ")
		if (!(w[3] in pacc))
			porder[np++] = w[3]
		pacc[w[3]] = w[4] == "accepted" ? "yes" : "no"
	}
	/^verifier: prog [^ ]+ processed [0-9]+ insns/ { split($0, w, " "); pins[w[3]] = w[5] }
	/^verifier: prog [^ ]+ log / {
		split($0, w, " ")
		line = $0
		sub(/^verifier: prog [^ ]+ log /, "", line)
		# The statistics repeat what the insns column says.
		if (line !~ /^(verification time|stack depth|processed [0-9]+ insns)/)
			tail[ntail++] = w[3] ": " line
	}
	/^[0-9]+ passed, [0-9]+ failed/ && !inconf { sum = $0 }
	/^frames [0-9]+, mismatches [0-9]+/ && inconf { conf = $0 }
	/^skip / && !/: kernel refuses frames < 14 bytes$/ { badskip++ }
	/^XF-VERDICT-RC / { n = split($0, f, " "); vrc = f[n]; inconf = 1 }
	/^XF-CONFORM-RC / { n = split($0, f, " "); crc = f[n] }
	/^attach: (failed|tier is not|pins left)/ { afail = $0; sub(/^attach: /, "", afail) }
	/^XF-ATTACH-RC / { n = split($0, f, " "); arc = f[n]; flush() }
	/^XF-DONE/ { done = 1 }
	END { flush(); if (!done) print "UNFINISHED" }
	'
}

# Appends the rows of one log to $ROWS, and the verifier tails to $TAILS;
# a log that never reached XF-DONE becomes a failed row with its last lines.
collect() {
	local log=$1 name=$2 label=$3 rc=$4 parsed line what

	parsed=$(parse_log "$log" "$label")
	while IFS=$'\t' read -r what a b c d e f; do
		case $what in
		ROW) printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$a" "$b" "$c" "$d" "$e" "$f" >>"$ROWS" ;;
		PROG) printf '%s\t%s\t%s\t%s\t%s\n' "$a" "$b" "$c" "$d" "$e" >>"$PROGS" ;;
		TAIL) printf '%s %s\t%s\n' "$name" "$a" "$b" >>"$TAILS" ;;
		esac
	done <<<"$parsed"
	if grep -qx UNFINISHED <<<"$parsed"; then
		if ((rc == 124)); then
			what="timed out after ${vm_timeout}s"
		else
			what="stopped before the end (exit $rc)"
		fi
		printf '%s\t%s\t%s\t%s\t%s\t0\n' "$name" "(guest)" "?" "?" "$what" >>"$ROWS"
		# Without the firmware's terminal escapes.
		tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1b.//g' |
			grep -av '^\s*$' | tail -n 5 |
			while IFS= read -r line; do
				printf '%s (guest)\t%s\n' "$name" "$line" >>"$TAILS"
			done
	fi
}

# The programs of each object, one indented line each (the rows above
# start with the kernel; these must not look like them).
print_programs() {
	local kernel obj prog acc insns w=6 wo=6 wp=7

	[[ -s $PROGS ]] || return 0
	while IFS=$'\t' read -r kernel obj prog _; do
		((${#kernel} > w)) && w=${#kernel}
		((${#obj} > wo)) && wo=${#obj}
		((${#prog} > wp)) && wp=${#prog}
	done <"$PROGS"
	echo
	echo "verifier, per program:"
	printf '  %-*s | %-*s | %-*s | %-8s | %s\n' "$w" kernel "$wo" object "$wp" program accepted "insns processed"
	while IFS=$'\t' read -r kernel obj prog acc insns; do
		printf '  %-*s | %-*s | %-*s | %-8s | %s\n' "$w" "$kernel" "$wo" "$obj" "$wp" "$prog" "$acc" "$insns"
	done <"$PROGS"
}

print_table() {
	local kernel obj acc insns sum ok w=6 rows=0 bad=0 key line

	while IFS=$'\t' read -r kernel _; do
		((${#kernel} > w)) && w=${#kernel}
	done <"$ROWS"
	printf '%-*s | %-16s | %-8s | %-6s | %s\n' "$w" kernel object accepted insns verdicts
	printf '%s\n' "$(printf '%*s' $((w + 72)) '' | tr ' ' -)"
	while IFS=$'\t' read -r kernel obj acc insns sum ok; do
		printf '%-*s | %-16s | %-8s | %-6s | %s\n' "$w" "$kernel" "$obj" "$acc" "$insns" "$sum"
		rows=$((rows + 1))
		((ok)) || bad=$((bad + 1))
	done <"$ROWS"
	print_programs
	if [[ -s $TAILS ]]; then
		echo
		echo "verifier (or console) last lines where something failed:"
		key=
		while IFS=$'\t' read -r what line; do
			[[ $what == "$key" ]] || { echo "  $what:"; key=$what; }
			echo "    $line"
		done <"$TAILS"
	fi
	for line in "${SKIPPED[@]}"; do
		echo "skipped: $line"
	done
	echo
	echo "summary: $rows rows, $((rows - bad)) ok, $bad failed, ${#SKIPPED[@]} skipped, $((SECONDS - START))s"
	((bad == 0))
}

main() {
	local host=1 vm=1 arg kernels=() pkgs=() kvers=() pkg kver why i
	local -a pids=() names=()

	offline=0
	vm_timeout=300
	max_jobs=$(nproc 2>/dev/null || echo 1)
	OBJS=()
	while (($#)); do
		arg=$1
		shift
		case $arg in
		--kernel | --obj | --timeout | --jobs)
			(($#)) || { echo "$PROG: $arg needs an argument" >&2; usage >&2; exit 2; }
			case $arg in
			--kernel) kernels+=("$1") ;;
			--obj) OBJS+=("$1") ;;
			--timeout) vm_timeout=$1 ;;
			--jobs) max_jobs=$1 ;;
			esac
			shift
			;;
		--no-host) host=0 ;;
		--no-vm) vm=0 ;;
		--offline) offline=1 ;;
		-h | --help) usage; exit 0 ;;
		*) echo "$PROG: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
		esac
	done
	[[ $vm_timeout =~ ^[1-9][0-9]*$ ]] || { echo "$PROG: bad --timeout '$vm_timeout'" >&2; exit 2; }
	[[ $max_jobs =~ ^[1-9][0-9]*$ ]] || { echo "$PROG: bad --jobs '$max_jobs'" >&2; exit 2; }
	((${#kernels[@]})) || kernels=("${DEFAULT_KERNELS[@]}")
	if ((${#OBJS[@]} == 0)); then
		OBJS=("$B/xdp_filter.o")
		[[ -e $B/xdp_filter_rs.o ]] && OBJS+=("$B/xdp_filter_rs.o")
	fi
	for arg in "${OBJS[@]}" "$VERDICT" "$VSTAT" "$CONFORM" "$RULECTL"; do
		[[ -f $arg ]] || die "$arg: missing (make kernels builds it)"
	done
	# Two objects with one name would overwrite each other in /obj.
	[[ $(printf '%s\n' "${OBJS[@]##*/}" | sort | uniq -d) == "" ]] ||
		die "--obj: two objects with the same file name"
	for arg in "$VERDICT" "$VSTAT" "$CONFORM" "$RULECTL"; do
		is_static "$arg" || die "$arg: not linked statically (make kernels)"
	done

	START=$SECONDS
	# The number of cases, to check that each kernel ran them all.
	TOTAL=$("$VERDICT" --list | wc -l)
	mkdir -p "$CACHE/logs"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/xf-kernels.XXXXXX")
	# shellcheck disable=SC2064 # expand now: WORK is fixed
	trap "rm -rf '$WORK'" EXIT
	ROWS=$WORK/rows
	PROGS=$WORK/progs
	TAILS=$WORK/tails
	: >"$ROWS"
	: >"$PROGS"
	: >"$TAILS"

	if ((host)); then
		if [[ $EUID -ne 0 ]]; then
			skip "host kernel $(uname -r): bpf(2) needs root"
		else
			log "host kernel $(uname -r)"
			run_host "$CACHE/logs/host.log"
			collect "$CACHE/logs/host.log" host "(host)" 0
		fi
	else
		skip "host kernel: --no-host"
	fi

	if ((!vm)); then
		skip "qemu guests: --no-vm"
	elif ! command -v qemu-system-x86_64 >/dev/null; then
		skip "qemu guests (${kernels[*]}): no qemu-system-x86_64 (apt-get install qemu-system-x86)"
	elif ! is_static "$BUSYBOX"; then
		skip "qemu guests (${kernels[*]}): no static $BUSYBOX (apt-get install busybox-static)"
	elif ! command -v cpio >/dev/null; then
		skip "qemu guests (${kernels[*]}): no cpio (apt-get install cpio)"
	else
		for arg in "${kernels[@]}"; do
			pkg=$(resolve_kernel "$arg")
			if [[ -z $pkg ]]; then
				if ((offline)); then
					skip "$arg: not in the cache (--offline)"
				else
					skip "$arg: apt-cache knows no image for it (apt-get update?), and none is cached"
				fi
				continue
			fi
			if ! why=$(fetch_kernel "$pkg"); then
				skip "$arg ($pkg): $why"
				continue
			fi
			kver=${pkg#linux-image-}
			if ! why=$(check_config "$CACHE/$kver/config"); then
				printf '%s\t(all)\tno\t?\tnot booted: %s\t0\n' "$kver" "$why" >>"$ROWS"
				continue
			fi
			pkgs+=("$pkg")
			kvers+=("$kver")
		done
		if ((${#kvers[@]})); then
			build_initramfs "$WORK/initramfs.gz" "${kvers[@]}"
			# Guests are single-CPU TCG processes: run as many at
			# once as there are CPUs.
			for kver in "${kvers[@]}"; do
				while (($(jobs -rp | wc -l) >= max_jobs)); do
					wait -n || true
				done
				log "booting $kver (timeout ${vm_timeout}s)"
				boot "$CACHE/$kver/vmlinuz" "$CACHE/logs/$kver.log" &
				pids+=($!)
				names+=("$kver")
			done
			for i in "${!pids[@]}"; do
				arg=0
				wait "${pids[i]}" || arg=$?
				collect "$CACHE/logs/${names[i]}.log" "${names[i]}" "" "$arg"
			done
		fi
	fi

	print_table
}

main "$@"
