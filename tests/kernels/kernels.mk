# SPDX-License-Identifier: GPL-2.0
# kernels.mk - rules for the kernel matrix (tests/kernels/run.sh), included
# by the top-level Makefile. The guest has no libraries and no dynamic
# loader, so its tools are linked statically against Debian's .a files:
# libbpf (libbpf-dev) and what libbpf.a needs, libelf (libelf-dev), zlib
# (zlib1g-dev) and zstd (libzstd-dev, libelf's compressed sections).
XF_STATIC_LIBS ?= -lbpf -lelf -lz -lzstd

.PHONY: kernels

# The same verdict runner as $(B)/xf_verdict, only linked statically.
$(B)/xf_verdict.static: $(VERDICT_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(VERDICT_SRCS) -o $@ $(LDFLAGS) $(XF_STATIC_LIBS)

$(B)/xf_conform.static: $(XF_CONFORM_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(XF_CONFORM_SRCS) -o $@ $(LDFLAGS) $(XF_STATIC_LIBS)

# rulectl itself, for the guest's attach check (a pinned link on lo).
$(B)/rulectl.static: $(RULECTL_DEPS) | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $(RULECTL_SRCS) -o $@ $(LDFLAGS) $(XF_STATIC_LIBS)

$(B)/xf_vstat: tests/kernels/vstat.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static $< -o $@ $(LDFLAGS) $(XF_STATIC_LIBS)

# The Rust object joins the matrix when it has been built (run.sh takes
# $(B)/xdp_filter_rs.o if it exists); building it is rust/'s business.
kernels: $(B)/xdp_filter.o $(B)/xdp_filter_rs.o $(B)/xf_verdict.static $(B)/xf_vstat $(B)/xf_conform.static \
		$(B)/rulectl.static
	tests/kernels/run.sh
