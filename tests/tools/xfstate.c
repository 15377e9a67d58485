// SPDX-License-Identifier: GPL-2.0
/* xfstate - test helper that reads (and, for fill, writes) the pinned maps
 * of xdp_filter through xf_maps.c, the code rulectl uses.
 *
 *   xfstate check          the maps agree with each other, in both rule
 *                          sets (every port slot points at a rule of its
 *                          set covering it, with the log bit when the rule
 *                          logs, and back; prefixes, pids, prefix counts,
 *                          nsrc, no overlaps, log rates; the unused set
 *                          empty unless an apply --confirm is pending):
 *                          prints "ok N rules" (the active set), plus
 *                          ", M kept for rollback" while the other set
 *                          holds rules, or the problems; exit 0 or 1
 *   xfstate hash           a hash of everything a command may change
 *   xfstate fill N BASE    adds N rules "PORT tcp" for PORT = BASE ..
 *                          BASE+N-1 under one editors' lock with
 *                          xf_rule_add() (what rulectl add does, without
 *                          one process per rule); prints "added N"
 *   xfstate churn N SEED   N times: adds one rule that no packet of the
 *                          live tests matches, then deletes it, each
 *                          through xf_parse_rule(), xf_rule_add() and
 *                          xf_rule_del() (rulectl's code and write order)
 *                          under one lock; the shapes rotate: port, range,
 *                          source port, a port from the peer's prefix,
 *                          "any from" another prefix, each in turn with and
 *                          without "log" (its slots carry the log bit).
 *                          Prints "edits E"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/xf_store.h"
#include "../../src/xf_rule.h"
#include "xf_state.h"

static int usage(void)
{
	fprintf(stderr, "usage: xfstate check | hash | fill N BASE |"
		" churn N SEED\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct xf_maps m;
	int ret = 0;

	xf_prog = "xfstate";
	if (argc < 2)
		return usage();
	if (xf_init() || xf_open_maps(&m, 0))
		return 1;
	if (!strcmp(argv[1], "check") && argc == 2) {
		__u32 n = 0, kept = 0;
		int bad = st_check(&m, &n, &kept);

		if (bad) {
			printf("%d problem(s)\n", bad);
			ret = 1;
		} else if (kept) {
			printf("ok %u rules, %u kept for rollback\n", n, kept);
		} else {
			printf("ok %u rules\n", n);
		}
	} else if (!strcmp(argv[1], "hash") && argc == 2) {
		__u64 h;

		if (st_hash(&m, &h))
			ret = 1;
		else
			printf("%016llx\n", (unsigned long long)h);
	} else if (!strcmp(argv[1], "fill") && argc == 4) {
		long n = atol(argv[2]), base = atol(argv[3]), i;

		if (n < 1 || base < 1 || base + n - 1 > 65535) {
			xf_close_maps(&m);
			return usage();
		}
		if (xf_lock(&m, true)) {
			xf_close_maps(&m);
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct xf_rule r = {
				.sets = 1, .protos = XF_PM_TCP,
				.port_lo = base + i, .port_hi = base + i,
			};

			if (xf_store_add(&m, m.set, &r, NULL))
				break;
		}
		printf("added %ld\n", i);
		ret = i == n ? 0 : 1;
	} else if (!strcmp(argv[1], "churn") && argc == 4) {
		long n = atol(argv[2]), seed = atol(argv[3]), i, edits = 0;

		if (n < 1 || seed < 0 || xf_lock(&m, true)) {
			xf_close_maps(&m);
			return n < 1 || seed < 0 ? usage() : 1;
		}
		for (i = 0; i < n && !ret; i++) {
			long k = seed + i;
			char a[32], b[32], *w[6] = { a, b, NULL, NULL, NULL,
						     NULL };
			int argc2 = 2;
			struct xf_rule r;

			snprintf(a, sizeof(a), "%ld", 20000 + k % 9000);
			strcpy(b, k % 2 ? "tcp" : "udp");
			switch (k % 5) {
			case 1:
				snprintf(a, sizeof(a), "%ld-%ld",
					 30000 + k % 9000, 30020 + k % 9000);
				strcpy(b, "any");
				break;
			case 2:
				w[argc2++] = "src";
				break;
			case 3:
				w[argc2++] = "from";
				w[argc2++] = "198.18.0.0/24";
				break;
			case 4:
				strcpy(a, "any");
				strcpy(b, "from");
				w[argc2] = b + 8;	/* the prefix below */
				snprintf(b + 8, sizeof(b) - 8, "10.%ld.0.0/16",
					 k % 250);
				argc2++;
				break;
			}
			if ((k / 5) % 2)
				w[argc2++] = "log";
			if (xf_parse_rule(argc2, w, NULL, &r) || xf_store_add(&m, m.set, &r, NULL) ||
			    xf_store_del(&m, m.set, &r))
				ret = 1;
			else
				edits += 2;
		}
		printf("edits %ld\n", edits);
	} else {
		ret = usage();
	}
	xf_close_maps(&m);
	return ret;
}
