// SPDX-License-Identifier: GPL-2.0
//! Mirror of xdp_filter.h, the ABI shared with the C program and user space.
//! Keep in step with it: the const assertions below fail the build if a size
//! or offset moves here, and rust/check-abi.sh compares the BTF of both
//! objects (map types, sizes, flags, key and value layouts), so a change on
//! the C side alone is caught as well.

/// Bumped whenever a map layout or the meaning of a value changes.
pub const XF_ABI_VERSION: u32 = 3;

/// Protocol index of a port slot (`enum xf_proto`).
pub const XF_P_TCP: u32 = 0;
pub const XF_P_UDP: u32 = 1;
pub const XF_P_MAX: u32 = 2;

/// Which port of the packet a rule looks at (`enum xf_dir`).
pub const XF_DIR_DST: u32 = 0;
pub const XF_DIR_SRC: u32 = 1;
pub const XF_DIR_MAX: u32 = 2;

pub const XF_PORTS: u32 = 65536;
pub const XF_PORT_SLOTS: u32 = XF_DIR_MAX * XF_P_MAX * XF_PORTS;
/// Rule ids 1 .. XF_MAX_RULES - 1; 0 is "no rule".
pub const XF_MAX_RULES: u32 = 32768;
/// Prefixes per address family.
pub const XF_MAX_PREFIXES: u32 = 16384;
/// Port slots of prefix rules.
pub const XF_MAX_PPORTS: u32 = 262144;

/// Slot of (direction, protocol index, port in host order).
#[inline(always)]
pub const fn xf_slot(dir: u32, proto_idx: u32, port: u16) -> u32 {
    (dir * XF_P_MAX + proto_idx) * XF_PORTS + port as u32
}

xf_rt::abi_struct! {
    /// xf_ports and xf_pports value.
    pub struct xf_port {
        /// Rule id, 0: none.
        pub id: u32,
    }
}

xf_rt::abi_struct! {
    /// xf_pfx4 key: prefixlen first, address in network order.
    pub struct xf_lpm4 {
        pub prefixlen: u32,
        pub addr: [u8; 4],
    }
}

xf_rt::abi_struct! {
    /// xf_pfx6 key: prefixlen first, address in network order.
    pub struct xf_lpm6 {
        pub prefixlen: u32,
        pub addr: [u8; 16],
    }
}

xf_rt::abi_struct! {
    /// xf_pfx4/xf_pfx6 value: the rules of one prefix. The longest prefix
    /// that has rules decides; shorter prefixes are not consulted.
    pub struct xf_pfx {
        /// Rule "any from PREFIX", 0: none.
        pub any_id: u32,
        /// Prefix id: key of its port slots in xf_pports.
        pub pid: u32,
    }
}

xf_rt::abi_struct! {
    /// xf_pports key.
    pub struct xf_pport {
        pub pid: u32,
        /// xf_slot().
        pub slot: u32,
    }
}

xf_rt::counter_struct! {
    /// xf_rcount and xf_stats value, one per CPU; user space sums them.
    pub struct xf_count {
        pub packets: u64,
        /// Frame bytes as XDP saw them, L2 included.
        pub bytes: u64,
    }
}

/// Why a packet got its verdict (`enum xf_reason`), the xf_stats key.
pub const XF_R_PASSED: u32 = 0;
pub const XF_R_DROPPED: u32 = 1;
pub const XF_R_MALFORMED: u32 = 2;
pub const XF_R_FRAGMENT: u32 = 3;
pub const XF_R_NON_IP: u32 = 4;
pub const XF_R_OTHER_L4: u32 = 5;
pub const XF_R_ALLOWED: u32 = 6;
pub const XF_R_POLICY: u32 = 7;
pub const XF_R_MAX: u32 = 8;

/// xf_config flags: allow-list, only listed flows open.
pub const XF_CFG_ALLOW: u32 = 1 << 0;
/// xf_config flags: the allow policy cuts DHCP too.
pub const XF_CFG_NO_DHCP: u32 = 1 << 1;

xf_rt::abi_struct! {
    /// xf_config value (key 0). Written only by user space, under its lock.
    pub struct xf_config {
        /// XF_ABI_VERSION once attached.
        pub abi: u32,
        /// XF_CFG_*.
        pub flags: u32,
        /// Allow policy: UDP to eph_lo..=eph_hi passes (replies to the
        /// host's own requests).
        pub eph_lo: u16,
        pub eph_hi: u16,
        /// Prefixes in xf_pfx4: 0 skips the trie.
        pub nprefix4: u32,
        pub nprefix6: u32,
        pub nsrc: u32,
    }
}

/// xf_rdesc protos bits.
pub const XF_PM_TCP: u8 = 1 << XF_P_TCP;
pub const XF_PM_UDP: u8 = 1 << XF_P_UDP;

xf_rt::abi_struct! {
    /// xf_rdesc value: a rule as the user wrote it. User space's record;
    /// the program never reads it, but declares the map so that both
    /// objects pin the same set.
    pub struct xf_rdesc {
        /// 1: this id holds a rule.
        pub used: u8,
        /// XF_PM_*; both for "any".
        pub protos: u8,
        /// XF_DIR_*.
        pub dir: u8,
        /// 0: no prefix, 4 or 6.
        pub family: u8,
        pub prefixlen: u8,
        /// 1: "any from PREFIX".
        pub anyport: u8,
        /// Host order, inclusive.
        pub port_lo: u16,
        pub port_hi: u16,
        pub pad: u16,
        /// Prefix id, when family != 0.
        pub pid: u32,
        /// Network order; IPv4 in the first 4.
        pub addr: [u8; 16],
    }
}

/// Layout drift check against xdp_filter.h, evaluated at compile time.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<xf_port>() == 4 && offset_of!(xf_port, id) == 0);
    assert!(size_of::<xf_lpm4>() == 8);
    assert!(offset_of!(xf_lpm4, prefixlen) == 0 && offset_of!(xf_lpm4, addr) == 4);
    assert!(size_of::<xf_lpm6>() == 20);
    assert!(offset_of!(xf_lpm6, prefixlen) == 0 && offset_of!(xf_lpm6, addr) == 4);
    assert!(size_of::<xf_pfx>() == 8);
    assert!(offset_of!(xf_pfx, any_id) == 0 && offset_of!(xf_pfx, pid) == 4);
    assert!(size_of::<xf_pport>() == 8);
    assert!(offset_of!(xf_pport, pid) == 0 && offset_of!(xf_pport, slot) == 4);
    assert!(size_of::<xf_count>() == 16 && align_of::<xf_count>() == 8);
    assert!(offset_of!(xf_count, packets) == 0 && offset_of!(xf_count, bytes) == 8);
    assert!(size_of::<xf_config>() == 24);
    assert!(offset_of!(xf_config, abi) == 0 && offset_of!(xf_config, flags) == 4);
    assert!(offset_of!(xf_config, eph_lo) == 8 && offset_of!(xf_config, eph_hi) == 10);
    assert!(offset_of!(xf_config, nprefix4) == 12 && offset_of!(xf_config, nprefix6) == 16);
    assert!(offset_of!(xf_config, nsrc) == 20);
    assert!(size_of::<xf_rdesc>() == 32);
    assert!(offset_of!(xf_rdesc, used) == 0 && offset_of!(xf_rdesc, protos) == 1);
    assert!(offset_of!(xf_rdesc, dir) == 2 && offset_of!(xf_rdesc, family) == 3);
    assert!(offset_of!(xf_rdesc, prefixlen) == 4 && offset_of!(xf_rdesc, anyport) == 5);
    assert!(offset_of!(xf_rdesc, port_lo) == 6 && offset_of!(xf_rdesc, port_hi) == 8);
    assert!(offset_of!(xf_rdesc, pad) == 10 && offset_of!(xf_rdesc, pid) == 12);
    assert!(offset_of!(xf_rdesc, addr) == 16);
    assert!(XF_PORT_SLOTS == 262144 && XF_MAX_RULES == 32768 && XF_R_MAX == 8);
    assert!(xf_slot(XF_DIR_SRC, XF_P_UDP, 65535) == XF_PORT_SLOTS - 1);
};
