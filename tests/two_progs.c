// SPDX-License-Identifier: GPL-2.0
/* two_progs.c - a test object: the filter (xdp_filter.c as it is, with the
 * feature tiers' programs) and a pass-all XDP program next to them. The
 * runners' --prog must run the program it names and no other
 * (tests/50-verdicts.bats, tests/52-conformance.bats).
 */
#include "../xdp_filter.c"

SEC("xdp")
int xf_passall(struct xdp_md *ctx)
{
	return XDP_PASS;
}
