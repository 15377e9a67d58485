// SPDX-License-Identifier: GPL-2.0
//! Mirror of xdp_filter.h, the ABI shared with the C program and user space.
//! Keep in step with it: the const assertions below fail the build if a size
//! or offset moves here, and rust/check-abi.sh compares the BTF of both
//! objects, so a change on the C side alone is caught as well.

/// Bumped whenever a map layout or the meaning of a value changes.
pub const XF_ABI_VERSION: u32 = 1;

/// Protocol index of a rule slot (`enum xf_proto`).
pub const XF_P_TCP: u32 = 0;
pub const XF_P_UDP: u32 = 1;
pub const XF_P_MAX: u32 = 2;

pub const XF_PORTS: u32 = 65536;
pub const XF_RULE_SLOTS: u32 = XF_P_MAX * XF_PORTS;

/// Slot of the rule (protocol index, destination port in host order).
#[inline(always)]
pub const fn xf_slot(proto_idx: u32, port: u16) -> u32 {
    proto_idx * XF_PORTS + port as u32
}

/// xf_rules value flag: drop packets that match.
pub const XF_RULE_DROP: u32 = 1 << 0;

/// Why a packet got its verdict (`enum xf_reason`), the xf_stats key.
pub const XF_R_PASSED: u32 = 0;
pub const XF_R_DROPPED: u32 = 1;
pub const XF_R_MALFORMED: u32 = 2;
pub const XF_R_FRAGMENT: u32 = 3;
pub const XF_R_NON_IP: u32 = 4;
pub const XF_R_OTHER_L4: u32 = 5;
pub const XF_R_MAX: u32 = 6;

xf_rt::abi_struct! {
    /// xf_rules value. flags == 0: no rule in this slot.
    pub struct xf_rule {
        pub flags: u32,
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

xf_rt::abi_struct! {
    /// xf_config value (key 0): the ABI stamp rulectl writes.
    pub struct xf_config {
        pub abi: u32,
        /// Reserved, 0.
        pub flags: u32,
    }
}

/// Layout drift check against xdp_filter.h, evaluated at compile time.
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<xf_rule>() == 4 && offset_of!(xf_rule, flags) == 0);
    assert!(size_of::<xf_count>() == 16);
    assert!(offset_of!(xf_count, packets) == 0 && offset_of!(xf_count, bytes) == 8);
    assert!(size_of::<xf_config>() == 8);
    assert!(offset_of!(xf_config, abi) == 0 && offset_of!(xf_config, flags) == 4);
    assert!(XF_RULE_SLOTS == 131072 && XF_R_MAX == 6);
};
