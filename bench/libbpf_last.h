/* SPDX-License-Identifier: GPL-2.0 */
/* libbpf_last.h - libbpf's output for the benchmark tools (micro.c,
 * gen.c): debug output (a page per object) is dropped, and the last
 * warning is kept in last_libbpf_msg, one line, to explain a failed load.
 */
#ifndef XF_LIBBPF_LAST_H
#define XF_LIBBPF_LAST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static char last_libbpf_msg[256];

/* For libbpf_set_print(). */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *nl;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, ap);
	nl = strchr(last_libbpf_msg, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

#endif /* XF_LIBBPF_LAST_H */
