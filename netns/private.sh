#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# private.sh - run a command in a private world: new network and mount
# namespaces (private propagation) with a fresh sysfs, a fresh bpffs, an
# empty /run/netns of its own and lo up. Nothing it attaches, pins or
# creates is seen by the host, and all of it goes when the command ends.
# The demo, the tests and the end-to-end benchmark start from here.
set -euo pipefail

readonly PROG=${0##*/}

usage() { echo "usage: $PROG CMD [ARG...]   (runs CMD in private net+mount namespaces; root)"; }

main() {
	case ${1-} in
	-h | --help) usage; exit 0 ;;
	"") usage >&2; exit 2 ;;
	--inner)
		shift
		mount -t sysfs sysfs /sys
		mount -t bpf bpf /sys/fs/bpf
		mkdir -p /run/netns
		mount -t tmpfs tmpfs /run/netns
		ip link set lo up
		exec "$@"
		;;
	esac
	[[ $EUID -eq 0 ]] || { echo "$PROG: needs root" >&2; exit 1; }
	exec unshare --net --mount --propagation private -- "$0" --inner "$@"
}

main "$@"
