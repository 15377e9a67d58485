// SPDX-License-Identifier: GPL-2.0
/* note.c - the one writer of a test tool's difference line; see note.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "note.h"

void note(char *diff, size_t size, const char *fmt, ...)
{
	size_t len = strlen(diff);
	va_list ap;

	if (len + 3 >= size)
		return;		/* cut: the frame is printed next */
	if (len) {
		strcpy(diff + len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(diff + len, size - len, fmt, ap);
	va_end(ap);
}
