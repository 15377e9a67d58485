// SPDX-License-Identifier: GPL-2.0
//! Wire headers, laid out as in the Linux uapi headers and named the same
//! (as Rex's bindings name them). Multi-byte fields are `Be16` or byte
//! arrays: byte order lives in the type, and no field needs more than 2-byte
//! alignment, which is all a packet position is guaranteed to have.
#![allow(non_camel_case_types)]

use core::mem::{align_of, size_of};

use crate::Pod;

/// A big-endian (network order) 16-bit field.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct Be16(u16);

impl Be16 {
    /// The value in host order (`bpf_ntohs`).
    #[inline(always)]
    pub const fn get(self) -> u16 {
        u16::from_be(self.0)
    }

    /// The value in host order, bounded for the verifier: use this, not
    /// `get()`, for any length that moves or checks a packet position.
    ///
    /// The verifiers of 6.1 and 6.12 (at least) forget everything about a
    /// register after a byte swap (`be16`), so `pos + len` would be pointer
    /// math with an unbounded register, which they reject ("math between
    /// pkt pointer and register with unbounded min value"). `& 0xffff`
    /// gives them the range back, but LLVM knows a swapped u16 already fits
    /// and would drop the mask; `opaque()` hides the value from it first.
    /// This is parsing.h's `barrier_var(len); len &= 0xffff;`, and costs
    /// three instructions (a stack store and load, the mask).
    #[inline(always)]
    pub fn get_bounded(self) -> u32 {
        crate::opaque(self.get() as u32) & 0xffff
    }

    /// A wire-order constant (`bpf_htons(CONST)`), for comparisons that
    /// fold at compile time.
    #[inline(always)]
    pub const fn from_host(v: u16) -> Be16 {
        Be16(v.to_be())
    }

    /// The field as it was loaded from the wire (no swap): for a field
    /// taken out of a wider load, such as `Xdp::word64()`'s.
    #[inline(always)]
    pub const fn from_wire(v: u16) -> Be16 {
        Be16(v)
    }

    /// True if any of the host-order `mask` bits is set.
    #[inline(always)]
    pub const fn any(self, mask: u16) -> bool {
        self.0 & mask.to_be() != 0
    }
}

// SAFETY: a transparent u16, every bit pattern valid.
unsafe impl Pod for Be16 {}

/// A header `Xdp::header()` may read from the frame.
///
/// # Safety
/// `Pod`, alignment at most 2 and an even size, so that a `Cursor` (even
/// offsets only) is always suitably aligned for it. Implemented here only,
/// with the compile-time checks below.
pub unsafe trait Header: Pod {}

macro_rules! headers {
    ($($(#[$m:meta])* pub struct $name:ident { $(pub $f:ident: $t:ty,)+ } = $size:expr;)+) => {$(
        $(#[$m])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug)]
        pub struct $name { $(pub $f: $t,)+ }

        const _: () = {
            assert!(size_of::<$name>() == $size, "header size differs from the wire");
            assert!(size_of::<$name>() == 0 $(+ size_of::<$t>())+, "header has padding");
            assert!(align_of::<$name>() <= 2 && size_of::<$name>() % 2 == 0);
        };
        // SAFETY: repr(C), Pod fields, no padding (checked above).
        unsafe impl Pod for $name {}
        // SAFETY: alignment <= 2 and even size (checked above).
        unsafe impl Header for $name {}
    )+};
}

headers! {
    /// Ethernet II (linux/if_ether.h).
    pub struct ethhdr {
        pub h_dest: [u8; 6],
        pub h_source: [u8; 6],
        pub h_proto: Be16,
    } = 14;

    /// 802.1Q / 802.1ad tag, after the outer EtherType.
    pub struct vlan_hdr {
        pub h_vlan_tci: Be16,
        pub h_vlan_encapsulated_proto: Be16,
    } = 4;

    /// IPv4 fixed header (linux/ip.h); options follow, ihl() * 4 in all.
    pub struct iphdr {
        pub version_ihl: u8,
        pub tos: u8,
        pub tot_len: Be16,
        pub id: Be16,
        pub frag_off: Be16,
        pub ttl: u8,
        pub protocol: u8,
        pub check: Be16,
        pub saddr: [u8; 4],
        pub daddr: [u8; 4],
    } = 20;

    /// IPv4 source and destination, next to each other at offset 12 of
    /// the header (linux/ip.h's `addrs` group).
    pub struct iphdr_addrs {
        pub saddr: [u8; 4],
        pub daddr: [u8; 4],
    } = 8;

    /// IPv6 fixed header (linux/ipv6.h).
    pub struct ipv6hdr {
        pub version_tc_flow: [u8; 4],
        pub payload_len: Be16,
        pub nexthdr: u8,
        pub hop_limit: u8,
        pub saddr: [u8; 16],
        pub daddr: [u8; 16],
    } = 40;

    /// IPv6 source and destination, next to each other at offset 8 of the
    /// header (linux/ipv6.h's `addrs` group).
    pub struct ipv6hdr_addrs {
        pub saddr: [u8; 16],
        pub daddr: [u8; 16],
    } = 32;

    /// Start of a hop-by-hop, routing, destination options or AH header.
    pub struct ipv6_opt_hdr {
        pub nexthdr: u8,
        pub hdrlen: u8,
    } = 2;

    /// IPv6 fragment header (linux/ipv6.h struct frag_hdr).
    pub struct frag_hdr {
        pub nexthdr: u8,
        pub reserved: u8,
        pub frag_off: Be16,
        pub identification: [u8; 4],
    } = 8;

    /// TCP fixed header (linux/tcp.h); options follow, doff() * 4 in all.
    pub struct tcphdr {
        pub source: Be16,
        pub dest: Be16,
        pub seq: [u8; 4],
        pub ack_seq: [u8; 4],
        pub doff_res: u8,
        pub flags: u8,
        pub window: Be16,
        pub check: Be16,
        pub urg_ptr: Be16,
    } = 20;

    /// UDP header (linux/udp.h).
    pub struct udphdr {
        pub source: Be16,
        pub dest: Be16,
        pub len: Be16,
        pub check: Be16,
    } = 8;
}

impl iphdr {
    #[inline(always)]
    pub const fn version(&self) -> u8 {
        self.version_ihl >> 4
    }
    /// Header length in 32-bit words.
    #[inline(always)]
    pub const fn ihl(&self) -> u8 {
        self.version_ihl & 0xf
    }
}

impl ipv6hdr {
    #[inline(always)]
    pub const fn version(&self) -> u8 {
        self.version_tc_flow[0] >> 4
    }
}

impl tcphdr {
    /// Header length in 32-bit words.
    #[inline(always)]
    pub const fn doff(&self) -> u8 {
        self.doff_res >> 4
    }
    /// SYN flag (`th->syn`).
    #[inline(always)]
    pub const fn syn(&self) -> bool {
        self.flags & TCP_FLAG_SYN != 0
    }
    /// ACK flag (`th->ack`).
    #[inline(always)]
    pub const fn ack(&self) -> bool {
        self.flags & TCP_FLAG_ACK != 0
    }
}

/// Bits of `tcphdr::flags` (byte 13 of the TCP header).
pub const TCP_FLAG_SYN: u8 = 0x02;
pub const TCP_FLAG_ACK: u8 = 0x10;

/// EtherTypes and IP protocol numbers the filter looks at.
pub const ETH_P_IP: u16 = 0x0800;
pub const ETH_P_IPV6: u16 = 0x86dd;
pub const ETH_P_8021Q: u16 = 0x8100;
pub const ETH_P_8021AD: u16 = 0x88a8;
pub const IPPROTO_HOPOPTS: u8 = 0;
pub const IPPROTO_TCP: u8 = 6;
pub const IPPROTO_UDP: u8 = 17;
pub const IPPROTO_ROUTING: u8 = 43;
pub const IPPROTO_FRAGMENT: u8 = 44;
pub const IPPROTO_AH: u8 = 51;
pub const IPPROTO_DSTOPTS: u8 = 60;
