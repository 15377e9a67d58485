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

void note_addr(int family, const uint8_t *a, char *buf, size_t size)
{
	size_t n = 0;

	if (family != 6) {
		snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	for (int i = 0; i < 16 && n < size; i += 2)	/* uncompressed */
		n += snprintf(buf + n, size - n, "%s%x", i ? ":" : "",
			      a[i] << 8 | a[i + 1]);
}
