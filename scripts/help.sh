#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# help.sh - `make help`: the targets, in the order a newcomer needs them.
set -euo pipefail

usage() { echo "usage: ${0##*/}   (prints the make targets)"; }

case ${1-} in
-h | --help) usage; exit 0 ;;
"") ;;
*) usage >&2; exit 2 ;;
esac

cat <<'HELP'
make demo                 install what is missing, build, show the filter dropping traffic
make test                 run every test suite (as root), ends with "N passed, N failed"
make test-more            what make test leaves out: the fleet suite (78), and the Rust
                          reruns of 25, 30, 40 and 45 (about 10 minutes; CI runs both)
make                      build build/xdp_filter.o and build/rulectl
make deps                 install missing Debian/Ubuntu packages, mount bpffs
make attach DEV=IF [MODE=native|generic]
                          attach to IF (again: replace in place, rules kept)
make detach DEV=IF        detach; remove the pins once no interface uses them
make status [JSON=1]      per interface: mode, program id and tag, attached since;
                          then rules, policy, rule set, packets by reason, map memory
                          (JSON=1: one JSON document; also scripts/rule.sh status [--json])
make bench [QUICK=1]      ns/packet and drop-rate tables against the alternatives
make conformance [SEED=N] the long differential run: both implementations vs the model
make fuzz [FUZZ_CASES=N] [SEED=N]
                          the long argv fuzz run (10,000 cases; make test runs 3,000)
make kernels              verifier and verdicts on Debian 6.1 and 6.12 under qemu, and the host
make rust                 build the safe-Rust implementation, build/xdp_filter_rs.o
make DEBUG=1              build a variant that logs each drop to trace_pipe
make install [PREFIX=/usr] [DESTDIR=DIR]
                          xf-rule, xf-attach, the unit xdp-filter@.service (attach, then
                          rule.sh apply /etc/xdp_filter/rules.conf) and that file
make uninstall [PREFIX=/usr] [DESTDIR=DIR]
                          detach, remove what make install put there (the rules file
                          stays) and the stateful policy's nftables table
make deb                  build/xdp-filter_VERSION_ARCH.deb (debhelper), then lintian
make clean                remove build/
Rules: scripts/rule.sh add|del RULE, flush, list [--json], stats [--json],
       apply FILE [--dry-run|--confirm SECS|--check], save, confirm, rollback,
       monitor, policy; scripts/rule.sh --help has the syntax
HELP
