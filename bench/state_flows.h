/* SPDX-License-Identifier: GPL-2.0 */
/* state_flows.h - the real flows behind the micro benchmark's stateful
 * rows (bench/micro.c). The state tier asks the kernel: the TCP sockets
 * (bpf_skc_lookup_tcp) and conntrack (bpf_xdp_ct_lookup) of the packet's
 * network namespace, which under BPF_PROG_TEST_RUN is the caller's (the
 * frame "arrives" on its loopback device). So sf_make() moves xf_bench
 * into a network namespace of its own (unshare(CLONE_NEWNET)), never the
 * host's, brings its loopback up and makes, over 127.0.0.1:
 *
 *   SF_TCP_SK   an open TCP connection made before tracking was on: its
 *               two sockets, no conntrack entry (the socket lookup hits)
 *   SF_TCP_CT   a TCP connection made with tracking on, whose sockets then
 *               went without a FIN or RST (TCP_REPAIR): conntrack's
 *               ESTABLISHED entry, no socket (the socket lookup misses, the
 *               conntrack lookup hits)
 *   SF_TCP_LSN  a listener: its port has a socket but no flow
 *   SF_UDP_CT   a datagram and its reply, tracking on: conntrack's entry
 *
 * Tracking is turned on the way the store does it (xf_ct_tracking(): the
 * nftables table "inet xdp_filter"), with the namespace's conntrack
 * timeouts raised first so no entry expires during a run. What conntrack
 * and /proc/net/tcp say of each flow is checked, so a row can only take
 * the path it names. Everything goes with the namespace when xf_bench
 * exits.
 */
#ifndef XF_BENCH_STATE_FLOWS_H
#define XF_BENCH_STATE_FLOWS_H

#include <stddef.h>
#include <stdint.h>

enum sf_flow { SF_TCP_SK, SF_TCP_CT, SF_TCP_LSN, SF_UDP_CT, SF_FLOWS };

/* Server and client ports of flow f (all on 127.0.0.1); the clients' are
 * in Linux's default ephemeral range (32768-60999), as a kernel-chosen
 * port would be. SF_TCP_LSN has no client. */
#define SF_SRV(f)	(5001 + (f))
#define SF_CLI(f)	(45001 + (f))
/* Ports no socket and no flow of the namespace has. */
#define SF_NONE_SRV	9998
#define SF_NONE_CLI	45999

/* Makes the namespace and the flows, and leaves xf_bench in it: 0, or -1
 * with the reason in why. */
int sf_make(char *why, size_t len);

#endif /* XF_BENCH_STATE_FLOWS_H */
