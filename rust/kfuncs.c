/* SPDX-License-Identifier: GPL-2.0 */
/* kfuncs.c - the BTF of the conntrack kfuncs for the Rust build.
 *
 * rustc emits no debug info for an extern declaration, so the Rust
 * object's calls to bpf_xdp_ct_lookup() and bpf_ct_release() (rust/rt,
 * flow.rs) would have no BTF FUNC for libbpf to resolve against the
 * kernel's. rust/build.sh compiles this file to bitcode and links it
 * before the crates: the declarations it carries, conntrack.h's own (weak,
 * section .ksyms, with debug info), are the ones the merged module keeps,
 * and llc then emits them as extern FUNCs in DATASEC .ksyms, as clang
 * does for xdp_filter.c. The function below only makes clang emit the
 * declarations; it is in no section, so build.sh internalizes it and opt
 * drops it. */
#include "../conntrack.h"

void xf_kfunc_decls(void);

void xf_kfunc_decls(void)
{
	bpf_ct_release(bpf_xdp_ct_lookup(0, 0, 0, 0, 0));
}
