/* SPDX-License-Identifier: GPL-2.0 */
/* note.h - the one writer of a test tool's difference line: what a frame
 * did that its case or the model did not (tests/verdict, tests/model),
 * appended to one fixed buffer, "; "-separated. What does not fit is cut:
 * the tools print the frame next. And the addresses in it.
 */
#ifndef XF_TEST_NOTE_H
#define XF_TEST_NOTE_H

#include <stddef.h>
#include <stdint.h>

/* Appends printf output to the differences in diff (size bytes in all). */
void note(char *diff, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Address a of family 4 or 6 as text (IPv6 uncompressed) into buf. */
void note_addr(int family, const uint8_t *a, char *buf, size_t size);

#endif
