// SPDX-License-Identifier: GPL-2.0
/* xf_diag.c - the one diagnostic printer and the exit-status mapping; see
 * xf_diag.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xf_diag.h"

const char *xf_prog = "rulectl";

int xf_diag(int rc, const struct xf_loc *at, const char *fmt, ...)
{
	va_list ap;

	if (at)
		fprintf(stderr, "%s:%u: ", at->file, at->line);
	else
		fprintf(stderr, "%s: ", xf_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (rc == XF_EINPUT && !at)
		fprintf(stderr, "Try '%s --help'.\n", xf_prog);
	return rc;
}

int xf_exit_status(int rc)
{
	if (!rc)
		return 0;
	return rc == XF_EINPUT ? 2 : 1;
}

void xf_set_prog(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	xf_prog = slash ? slash + 1 : argv0;
}
