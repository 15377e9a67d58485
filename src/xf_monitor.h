/* SPDX-License-Identifier: GPL-2.0 */
/* xf_monitor.h - rulectl monitor: the drop log of rules with 'log'. */
#ifndef XF_MONITOR_H
#define XF_MONITOR_H

#include <stdbool.h>
#include "xf_pins.h"

struct xf_monitor_args {
	bool json;
	unsigned long count;	/* stop after this many events; 0: never */
	unsigned long timeout;	/* stop after this many seconds; 0: never */
};

/* monitor's options: 0, or XF_EINPUT after a message. */
int xf_parse_monitor(int argc, char **argv, struct xf_monitor_args *a);
/* Prints one line per event until the count, the timeout or a signal,
 * then how many events the rate limits suppressed meanwhile: 0 or a
 * negative errno. */
int xf_monitor(struct xf_maps *m, const struct xf_monitor_args *a);

#endif /* XF_MONITOR_H */
