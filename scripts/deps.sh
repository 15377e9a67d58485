#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh - install what building, attaching and testing xdp_filter needs,
# from Debian/Ubuntu packages, and only what is missing; then mount bpffs.
# `make deps` runs it; `make demo` and `make test` run it first.
set -euo pipefail

readonly PROG=${0##*/}
MULTIARCH=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
readonly MULTIARCH

usage() {
	cat <<USAGE
usage: $PROG [--check] [--bench]
Installs the missing build and test dependencies with apt-get (needs root)
and mounts bpffs at /sys/fs/bpf. --check only lists what is missing
(exit 1 if anything is); --bench adds what make bench compares against.
USAGE
}

# "package: file-or-command ..." - a package is missing when any is.
readonly NEEDS=(
	"make: make"
	"gcc: gcc"
	"clang: clang"
	"llvm: llc llvm-objdump llvm-strip"
	"libbpf-dev: /usr/include/bpf/bpf.h /usr/include/bpf/bpf_helpers.h /usr/lib/$MULTIARCH/libbpf.a"
	"linux-libc-dev: /usr/include/linux/bpf.h /usr/include/$MULTIARCH/asm/types.h"
	"bpftool: bpftool"
	"iproute2: ip tc ss"
	"util-linux: unshare nsenter mountpoint"
	"netcat-openbsd: nc"
	# the stateful allow policy turns conntrack on with an nftables table;
	# its tests scan and send bare segments as a user would
	"nftables: nft"
	"hping3: hping3"
	"nmap: nmap"
	"ethtool: ethtool"
	"jq: jq"
	"bats: bats"
	"shellcheck: shellcheck"
	"coreutils: timeout"
	"procps: pkill"
	"iputils-ping: ping"
	"file: file"
	"systemd: systemd-analyze"
	"rustc-web: /usr/bin/rustc"
	"rust-web-src: /usr/lib/rustlib/src/rust/library/core/src/lib.rs"
	"llvm-22: llc-22 llvm-link-22 opt-22"
	"qemu-system-x86: qemu-system-x86_64"
	"busybox-static: /bin/busybox"
	"cpio: cpio"
	"xz-utils: xz"
	"libelf-dev: /usr/lib/$MULTIARCH/libelf.a"
	"zlib1g-dev: /usr/lib/$MULTIARCH/libz.a"
	"libzstd-dev: /usr/lib/$MULTIARCH/libzstd.a"
	# make deb (tests/77-package.bats) and the fleet test (tests/78-fleet.bats)
	"dpkg-dev: dpkg-buildpackage dpkg-shlibdeps"
	"debhelper: dh dh_installsystemd"
	"fakeroot: fakeroot"
	"lintian: lintian"
	"ansible-core: ansible-playbook"
	"openssh-server: /usr/sbin/sshd"
	"openssh-client: ssh ssh-keygen"
	"python3-apt: /usr/lib/python3/dist-packages/apt/__init__.py"
)

# Only make bench needs these: the alternatives it measures against.
readonly BENCH_NEEDS=(
	"xdp-tools: xdp-filter"
	"iptables: iptables"
	"gnuplot-nox: gnuplot"
)

have() {
	local f=$1
	if [[ $f == /* ]]; then
		[[ -e $f ]]
	else
		command -v "$f" >/dev/null 2>&1 || [[ -x /usr/sbin/$f || -x /sbin/$f ]]
	fi
}

missing_packages() {
	local line pkg f needs=("${NEEDS[@]}")
	((bench)) && needs+=("${BENCH_NEEDS[@]}")
	for line in "${needs[@]}"; do
		pkg=${line%%:*}
		for f in ${line#*:}; do
			if ! have "$f"; then
				echo "$pkg"
				break
			fi
		done
	done
	# The kernel-matrix guest runs busybox without a dynamic loader.
	if [[ -e /bin/busybox ]] && ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
		echo busybox-static
	fi
	# Only OpenBSD netcat has -N and -W, which the tests and demo use.
	if have nc && ! nc -h 2>&1 | grep -q -- '-N'; then
		echo netcat-openbsd
	fi
}

mount_bpffs() {
	[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] && return 0
	if [[ $EUID -ne 0 ]]; then
		echo "$PROG: bpffs is not mounted at /sys/fs/bpf (needs root to mount)" >&2
		return 0
	fi
	mkdir -p /sys/fs/bpf
	mount -t bpf bpf /sys/fs/bpf && echo "$PROG: mounted bpffs at /sys/fs/bpf"
}

bench=0

main() {
	local check=0 pkgs arg
	for arg in "$@"; do
		case $arg in
		--check) check=1 ;;
		--bench) bench=1 ;;
		-h | --help) usage; exit 0 ;;
		*) printf "%s: unknown option '%s'\n" "$PROG" "$arg" >&2; usage >&2; exit 2 ;;
		esac
	done
	mapfile -t pkgs < <(missing_packages | sort -u)
	if ((${#pkgs[@]} == 0)); then
		((check)) || mount_bpffs
		exit 0
	fi
	if ((check)); then
		echo "missing packages: ${pkgs[*]}"
		exit 1
	fi
	if [[ $EUID -ne 0 ]]; then
		echo "$PROG: missing packages: ${pkgs[*]}; run as root, or: apt-get install ${pkgs[*]}" >&2
		exit 1
	fi
	command -v apt-get >/dev/null || { echo "$PROG: no apt-get; install: ${pkgs[*]}" >&2; exit 1; }
	echo "$PROG: installing ${pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq </dev/null
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" </dev/null >/dev/null
	mapfile -t pkgs < <(missing_packages | sort -u)
	if ((${#pkgs[@]})); then
		echo "$PROG: still missing after apt-get: ${pkgs[*]}" >&2
		exit 1
	fi
	mount_bpffs
}

main "$@"
