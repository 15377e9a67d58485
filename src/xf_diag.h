/* SPDX-License-Identifier: GPL-2.0 */
/* xf_diag.h - how the user-space tools say what went wrong: one printf-style
 * diagnostic function, and the results library functions return.
 *
 * A library function returns 0, or, after saying why with xf_diag(), a
 * negative errno (a runtime failure: the kernel, a file, memory) or
 * XF_EINPUT (the user's words or file are bad, and nothing was changed).
 * Only a program's main() turns a result into an exit status, with
 * xf_exit_status(): 0 ok, 1 runtime failure, 2 bad usage or input.
 */
#ifndef XF_DIAG_H
#define XF_DIAG_H

/* Below every errno (the kernel's go up to 4095). */
#define XF_EINPUT	(-4096)

/* Where a word came from: a rules file and its line, or NULL for the
 * command line. */
struct xf_loc {
	const char	*file;
	unsigned int	line;
};

/* The name messages start with ("rulectl", or the wrapper's name). */
extern const char *xf_prog;

/* Prints "PROG: MESSAGE" (at == NULL) or "FILE:LINE: MESSAGE" to stderr,
 * and for XF_EINPUT on the command line the --help hint. Returns rc. */
int xf_diag(int rc, const struct xf_loc *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 0 -> 0, XF_EINPUT -> 2, any other negative result -> 1. */
int xf_exit_status(int rc);

/* Sets xf_prog from argv[0]'s last component. */
void xf_set_prog(const char *argv0);

#endif /* XF_DIAG_H */
