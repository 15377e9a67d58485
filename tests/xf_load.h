/* SPDX-License-Identifier: GPL-2.0 */
/* xf_load.h - how the test tools that drive an implementation of the
 * filter through BPF_PROG_TEST_RUN (tests/verdict.c, tests/model/conform.c)
 * load it: with private maps (no pins to reuse, none left behind, no bpffs
 * needed) and only its first XDP program, reporting failures with libbpf's
 * own words.
 */
#ifndef XF_LOAD_H
#define XF_LOAD_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

/* "PROG: PATH[: WHAT]: reason"; returns -1. libbpf's own codes
 * (LIBBPF_ERRNO__*, above 4000) mean nothing to strerror();
 * libbpf_strerror() knows both kinds. */
static inline int xf_load_err(const char *prog, const char *path,
			      const char *what, int err)
{
	char msg[128];

	libbpf_strerror(err, msg, sizeof(msg));
	fprintf(stderr, "%s: %s%s%s: %s\n", prog, path, what ? ": " : "",
		what ? what : "", msg);
	return -1;
}

/* For libbpf_set_print(): warnings carry the verifier log when loading
 * fails; the rest is noise in a test's output. */
static inline int xf_libbpf_print(enum libbpf_print_level level,
				  const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Opens and loads the object at path: the object, with its XDP program's
 * fd in *prog_fd, or NULL after a message. The C object has one program;
 * another implementation may carry helpers too: only the first XDP one is
 * loaded. */
static inline struct bpf_object *xf_load_object(const char *prog,
						const char *path, int *prog_fd)
{
	struct bpf_program *p, *xdp = NULL;
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		xf_load_err(prog, path, NULL, errno);
		return NULL;
	}
	bpf_object__for_each_map(map, obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (err) {
			xf_load_err(prog, path, bpf_map__name(map), -err);
			goto fail;
		}
	}
	bpf_object__for_each_program(p, obj) {
		if (!xdp && bpf_program__type(p) == BPF_PROG_TYPE_XDP)
			xdp = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!xdp) {
		xf_load_err(prog, path, "XDP program", ENOENT);
		goto fail;
	}
	err = bpf_object__load(obj);
	if (err) {
		xf_load_err(prog, path, "load", -err);
		goto fail;
	}
	*prog_fd = bpf_program__fd(xdp);
	return obj;
fail:
	bpf_object__close(obj);
	return NULL;
}

#endif /* XF_LOAD_H */
