// SPDX-License-Identifier: GPL-2.0
//! What the kernel knows of a packet's flow: a TCP socket of the host
//! (`bpf_skc_lookup_tcp()`, helper 99, released with `bpf_sk_release()`,
//! helper 86) and the connection tracking table (the kfuncs
//! `bpf_xdp_ct_lookup()`/`bpf_ct_release()` of conntrack.h, Linux 6.0+).
//!
//! Both lookups return a reference the program must give back on every
//! path, or the verifier refuses it ("Unreleased reference"). So none is
//! handed out: `Xdp::tcp_connected()` and `Xdp::ct_known()` look up,
//! read what they need and release, and answer a `bool`; safe code cannot
//! keep, forget or leak the socket or the `nf_conn`.
//!
//! The kfuncs are declared here for rustc, which emits no debug info (so
//! no BTF) for an extern declaration: libbpf would find no prototype to
//! resolve them by. `rust/build.sh` links the bitcode of `rust/kfuncs.c`
//! (conntrack.h's declarations, the ones xdp_filter.c calls) before this
//! crate's: the merged declarations then carry the C prototype's debug
//! info and its section `.ksyms`, and llc emits their BTF FUNCs, extern,
//! in DATASEC `.ksyms`, as clang does for the C object.

use crate::{helper, iphdr_addrs, ipv6hdr_addrs, xdp_md, Be16, Xdp};
use core::mem::{align_of, offset_of, size_of};

/// `struct bpf_sock_tuple`'s `ipv4` (linux/bpf.h): addresses and ports in
/// network order.
#[repr(C)]
#[derive(Clone, Copy)]
struct sock_tuple4 {
    saddr: [u8; 4],
    daddr: [u8; 4],
    sport: Be16,
    dport: Be16,
}

/// `struct bpf_sock_tuple`'s `ipv6`.
#[repr(C)]
#[derive(Clone, Copy)]
struct sock_tuple6 {
    saddr: [u8; 16],
    daddr: [u8; 16],
    sport: Be16,
    dport: Be16,
}

/// `struct bpf_sock_tuple` (linux/bpf.h): the union of the two, 4-aligned
/// as its `__be32` addresses make the C one.
#[repr(C, align(4))]
#[derive(Clone, Copy)]
#[allow(non_camel_case_types)]
union bpf_sock_tuple {
    ipv4: sock_tuple4,
    ipv6: sock_tuple6,
}

const _: () = {
    assert!(size_of::<sock_tuple4>() == 12 && size_of::<sock_tuple6>() == 36);
    assert!(size_of::<bpf_sock_tuple>() == 36 && align_of::<bpf_sock_tuple>() == 4);
    assert!(offset_of!(sock_tuple4, sport) == 8 && offset_of!(sock_tuple4, dport) == 10);
    assert!(offset_of!(sock_tuple6, sport) == 32 && offset_of!(sock_tuple6, dport) == 34);
};

/// A packet's flow as the kernel's lookups take it (source: the remote
/// end): C's `struct bpf_sock_tuple`, zeroed whole when made (`t = {}`),
/// then filled for IPv4 or IPv6 with `set_ipv4()`/`set_ipv6()`, which
/// return the size a lookup passes with it.
pub struct FlowTuple {
    t: bpf_sock_tuple,
}

/// The bytes of a `FlowTuple` that count, as its `set_` method returned
/// them: `sizeof(t.ipv4)` (12) or `sizeof(t.ipv6)` (36), nothing else.
/// Kept apart from the tuple, as C's `sz` is: a value the lookup passes
/// in a register, a constant on each path for the verifier, which checks
/// that many bytes of the tuple. Read back from the stack next to the
/// tuple, a 4-byte field the verifier cannot follow (an unaligned slot),
/// it would be an unbounded size, and the program refused ("R3 unbounded
/// memory access"). Paired with another tuple it is still in bounds: every
/// FlowTuple has 36 initialised bytes.
#[derive(Clone, Copy)]
pub struct TupleSize(u32);

impl FlowTuple {
    /// A tuple zeroed whole, as C's `struct bpf_sock_tuple t = {}`.
    #[inline(always)]
    pub const fn new() -> FlowTuple {
        FlowTuple {
            t: bpf_sock_tuple {
                ipv6: sock_tuple6 {
                    saddr: [0; 16],
                    daddr: [0; 16],
                    sport: Be16::from_wire(0),
                    dport: Be16::from_wire(0),
                },
            },
        }
    }

    /// An IPv4 flow: the header's addresses (`Xdp::ipv4_addrs()`), the L4
    /// header's ports, all as on the wire.
    #[inline(always)]
    pub fn set_ipv4(&mut self, a: iphdr_addrs, sport: Be16, dport: Be16) -> TupleSize {
        self.t.ipv4 = sock_tuple4 { saddr: a.saddr, daddr: a.daddr, sport, dport };
        TupleSize(size_of::<sock_tuple4>() as u32)
    }

    /// An IPv6 flow (`Xdp::ipv6_addrs()`).
    #[inline(always)]
    pub fn set_ipv6(&mut self, a: ipv6hdr_addrs, sport: Be16, dport: Be16) -> TupleSize {
        self.t.ipv6 = sock_tuple6 { saddr: a.saddr, daddr: a.daddr, sport, dport };
        TupleSize(size_of::<sock_tuple6>() as u32)
    }

    /// The tuple for a helper or kfunc that only reads it.
    #[inline(always)]
    fn ptr(&self) -> *mut bpf_sock_tuple {
        (&raw const self.t).cast_mut()
    }
}

impl Default for FlowTuple {
    #[inline(always)]
    fn default() -> Self {
        Self::new()
    }
}

/// `struct bpf_sock` (linux/bpf.h), what `bpf_skc_lookup_tcp()` returns a
/// pointer to (as a `struct bpf_sock_common`, which allows the same reads
/// but `bound_dev_if`). Only `state` is read.
#[repr(C)]
#[allow(non_camel_case_types)]
pub(crate) struct bpf_sock {
    bound_dev_if: u32,
    family: u32,
    r#type: u32,
    protocol: u32,
    mark: u32,
    priority: u32,
    src_ip4: u32,
    src_ip6: [u32; 4],
    src_port: u32,
    dst_port: Be16,
    pad: u16,
    dst_ip4: u32,
    dst_ip6: [u32; 4],
    state: u32,
    rx_queue_mapping: i32,
}

const _: () = assert!(offset_of!(bpf_sock, state) == 72 && size_of::<bpf_sock>() == 80);

/// `BPF_F_CURRENT_NETNS` (-1L): the lookups search the packet's network
/// namespace.
const BPF_F_CURRENT_NETNS: i64 = -1;
/// `BPF_TCP_LISTEN`, a `bpf_sock` state: a listener, not a connection.
const BPF_TCP_LISTEN: u32 = 10;

/// The kernel's `struct nf_conn`: never read, only handed back.
#[repr(C)]
#[allow(non_camel_case_types)]
pub(crate) struct nf_conn {
    _opaque: [u8; 0],
}

/// `struct bpf_ct_opts` of Linux 6.1 (conntrack.h): the size later kernels
/// still take.
#[repr(C)]
#[allow(non_camel_case_types)]
struct bpf_ct_opts {
    /// `BPF_F_CURRENT_NETNS`: the packet's.
    netns_id: i32,
    /// Out: why a lookup failed.
    error: i32,
    /// `IPPROTO_TCP` or `IPPROTO_UDP`.
    l4proto: u8,
    /// Out: the direction the tuple matched.
    dir: u8,
    reserved: [u8; 2],
}

/// `XF_CT_OPTS_SZ` (conntrack.h), the opts size the kfunc is told.
const XF_CT_OPTS_SZ: u32 = 12;

const _: () = {
    assert!(size_of::<bpf_ct_opts>() == XF_CT_OPTS_SZ as usize);
    assert!(offset_of!(bpf_ct_opts, l4proto) == 8 && offset_of!(bpf_ct_opts, dir) == 9);
};

// The kfuncs, as conntrack.h declares them (rust/kfuncs.c gives them BTF,
// section .ksyms and weak linkage at link time, see the top of this file).
// Nothing here defines them: a call is resolved by libbpf against the
// kernel's BTF (nf_conntrack's), and the build fails on any other symbol
// left undefined.
unsafe extern "C" {
    fn bpf_xdp_ct_lookup(
        ctx: *mut xdp_md,
        tuple: *mut bpf_sock_tuple,
        tuple_sz: u32,
        opts: *mut bpf_ct_opts,
        opts_sz: u32,
    ) -> *mut nf_conn;
    fn bpf_ct_release(ct: *mut nf_conn);
}

impl Xdp {
    /// Is a TCP socket of the host connected with this flow (in any state
    /// but listening)? The socket found is released before this returns.
    #[inline(always)]
    pub fn tcp_connected(&self, t: &FlowTuple, size: TupleSize) -> bool {
        // SAFETY: ctx is the kernel's context for this call (Xdp is only
        // made from it); t.ptr() points to a tuple on this program's
        // stack, initialised whole (zeroed, then filled), of which the
        // helper reads size.0 (12 or 36) bytes and writes none
        // (ARG_PTR_TO_MEM | MEM_RDONLY); netns BPF_F_CURRENT_NETNS and
        // flags 0 are valid. It returns NULL or a referenced socket.
        let sk = unsafe {
            helper::skc_lookup_tcp()(
                self.ctx.cast(),
                t.ptr().cast(),
                size.0,
                BPF_F_CURRENT_NETNS as u64,
                0,
            )
        };
        if sk.is_null() {
            return false;
        }
        // SAFETY: sk is a non-NULL lookup result, a socket the kernel
        // keeps alive until we release it just below; state is a u32 the
        // verifier lets a program read from a bpf_sock_common (4-byte
        // load at offset 72, as the C program's sk->state). Volatile: one
        // load, before the release, as written. The release is the only
        // one, on the only path that holds a reference, and nothing uses
        // sk after it.
        let state = unsafe {
            let state = (&raw const (*sk).state).read_volatile();
            helper::sk_release()(sk.cast());
            state
        };
        state != BPF_TCP_LISTEN
    }

    /// Does conntrack know this flow of protocol `l4proto` (`IPPROTO_TCP`
    /// or `IPPROTO_UDP`), in either direction? The entry found is released
    /// before this returns.
    #[inline(always)]
    pub fn ct_known(&self, l4proto: u8, t: &FlowTuple, size: TupleSize) -> bool {
        let mut opts = bpf_ct_opts {
            netns_id: BPF_F_CURRENT_NETNS as i32,
            error: 0,
            l4proto,
            dir: 0,
            reserved: [0; 2],
        };
        // SAFETY: ctx is the kernel's context for this call (the kfunc's
        // KF_ARG_PTR_TO_CTX); t.ptr() points to size.0 (12 or 36)
        // initialised bytes on this program's stack, which the kfunc only
        // reads (the tuple, tuple__sz pair); opts is a local of
        // XF_CT_OPTS_SZ bytes that it reads and writes (error, dir), with
        // reserved zero as it demands. The declaration is conntrack.h's
        // (see above), so the call is the kernel's function with this
        // prototype. It returns NULL or a referenced nf_conn.
        let ct = unsafe {
            bpf_xdp_ct_lookup(self.ctx, t.ptr(), size.0, &mut opts, XF_CT_OPTS_SZ)
        };
        if ct.is_null() {
            return false;
        }
        // SAFETY: ct is the non-NULL reference just acquired, released
        // here once, on the only path that holds it, and never used again.
        unsafe { bpf_ct_release(ct) };
        true
    }
}
