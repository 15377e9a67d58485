/* SPDX-License-Identifier: GPL-2.0 */
/* flows.h - real flows for the tests of the stateful allow policy
 * (tests/verdict, tests/model/conform.c). The state tier asks the kernel:
 * conntrack (bpf_xdp_ct_lookup) and the TCP sockets (bpf_skc_lookup_tcp)
 * of the packet's network namespace, which under BPF_PROG_TEST_RUN is the
 * caller's (the frame "arrives" on its loopback device). So the flows are
 * made for real, in a network namespace of the tool's own, never in the
 * host's: xf_flows_make() unshares one (unshare(CLONE_NEWNET)), brings its
 * loopback up, turns connection tracking on there the way the store does
 * (xf_ct_tracking(): the nftables table "inet xdp_filter"), opens TCP
 * connections and sends UDP datagrams over 127.0.0.1 and ::1, checks what
 * conntrack made of them (/proc/net/nf_conntrack), and leaves the caller
 * in that namespace. Everything it made goes with the namespace when the
 * tool exits.
 *
 * The tuples are fixed (a fresh namespace has every port free), so case
 * tables can name them: FLOW_SRV(6, XF_FLOW_UDP) is the server port of the
 * IPv6 UDP flow. A flow is "known" in both directions, by the contract: its
 * client -> server and server -> client packets alike.
 */
#ifndef XF_TEST_FLOWS_H
#define XF_TEST_FLOWS_H

#include <stdbool.h>
#include <stdint.h>

/* How each flow is known. */
enum xf_flow_kind {
	XF_FLOW_TCP = 0,	/* an open connection: conntrack (ESTABLISHED)
				 * and both its sockets */
	XF_FLOW_TCP_SK,		/* an open connection made before tracking
				 * was on: its sockets only, no conntrack
				 * entry */
	XF_FLOW_TCP_CT,		/* a connection closed by both ends, its
				 * listener closed too: conntrack (TIME_WAIT)
				 * only toward the server; toward the client,
				 * its TIME_WAIT socket as well */
	XF_FLOW_UDP,		/* a datagram and its reply: conntrack */
	XF_FLOW_UDP_CT,		/* one datagram to a port no socket has, the
				 * sender closed: conntrack (UNREPLIED) */
	XF_FLOW_KINDS,
};

#define XF_NFLOWS	(2 * XF_FLOW_KINDS)	/* each kind, IPv4 and IPv6 */

/* Ports: servers 5001-5005 (IPv4) and 5101-5105 (IPv6), clients
 * 41001-41005 and 41101-41105, by kind. The TCP and TCP_SK servers keep
 * listening: a segment to their port from any other port is of no flow. */
#define FLOW_SRV(fam, kind)	(5001 + ((fam) == 6 ? 100 : 0) + (kind))
#define FLOW_CLI(fam, kind)	(41001 + ((fam) == 6 ? 100 : 0) + (kind))
/* A port no flow and no socket of the namespace has. */
#define FLOW_NONE_PORT		41999

#define FLOW_LO4	127, 0, 0, 1
#define FLOW_LO6	[15] = 1

struct xf_flow {
	const char	*name;		/* "tcp4", "udp6-ct", ... */
	int		family;		/* 4 or 6 */
	uint8_t		proto;		/* 6 (TCP) or 17 (UDP) */
	int		kind;		/* enum xf_flow_kind */
	uint8_t		cli[16], srv[16];	/* IPv4 in the first 4 */
	uint16_t	cport, sport;
};

struct xf_flows {
	const char	*tool;		/* the messages' prefix */
	int		orig;		/* the caller's network namespace */
	int		priv;		/* the tool's own, where the flows are */
	struct xf_flow	f[XF_NFLOWS];
	int		fd[24];		/* sockets kept open */
	int		nfd;
	int		nct;		/* TCP/UDP entries conntrack holds */
};

/* The table of flows, without making them (for --list and the like). */
void xf_flows_table(struct xf_flows *fl, const char *tool);
/* Makes the namespace and the flows and leaves the caller in it: 0, or -1
 * after a message. Run once per process. */
int xf_flows_make(struct xf_flows *fl, const char *tool);
/* Into the flows' namespace, and back to the caller's: 0 or -1 (said). */
int xf_flows_enter(const struct xf_flows *fl);
int xf_flows_leave(const struct xf_flows *fl);

#endif /* XF_TEST_FLOWS_H */
