// SPDX-License-Identifier: GPL-2.0
//! The pinned maps of xdp_filter as BTF map definitions, and the helpers
//! that read and count through them (bpf_maps.h). The layout itself (names,
//! key and value types, sizes) is xdp_filter.h's, mirrored in abi.rs. No
//! packet parsing here (parsing.rs), no decisions (lib.rs).

use crate::abi::*;
use xf_rt::{field, Be16, Cursor, Xdp, XdpAction};

// The maps, in bpf_maps.h's order and with its definitions.
xf_rt::xdp_map! {
    /// Port rules: (set, slot (dir, proto, port)) -> rule id.
    pub XF_PORTS: Array<u32, xf_port>[XF_SETS * XF_PORT_SLOTS] = xf_ports as xf_ports_def;
}
xf_rt::xdp_map! {
    /// IPv4 source prefixes -> their rules. LPM tries require NO_PREALLOC.
    pub XF_PFX4: LpmTrie<xf_lpm4, xf_pfx>[XF_MAX_PREFIXES] flags(xf_rt::BPF_F_NO_PREALLOC)
        = xf_pfx4 as xf_pfx4_def;
}
xf_rt::xdp_map! {
    /// IPv6 source prefixes -> their rules.
    pub XF_PFX6: LpmTrie<xf_lpm6, xf_pfx>[XF_MAX_PREFIXES] flags(xf_rt::BPF_F_NO_PREALLOC)
        = xf_pfx6 as xf_pfx6_def;
}
xf_rt::xdp_map! {
    /// Port slots of prefix rules: {prefix id, slot} -> rule id. Memory
    /// grows with rules (NO_PREALLOC).
    pub XF_PPORTS: Hash<xf_pport, xf_port>[XF_MAX_PPORTS] flags(xf_rt::BPF_F_NO_PREALLOC)
        = xf_pports as xf_pports_def;
}
xf_rt::xdp_map! {
    /// Per rule counters, by rule id.
    pub XF_RCOUNT: PerCpuArray<u32, xf_count>[XF_MAX_RULES] = xf_rcount as xf_rcount_def;
}
xf_rt::xdp_map! {
    /// Per reason counters.
    pub XF_STATS: PerCpuArray<u32, xf_count>[XF_R_MAX] = xf_stats as xf_stats_def;
}
xf_rt::xdp_map! {
    /// Policy and ABI stamp, written by user space.
    pub XF_CONFIG: Array<u32, xf_config>[1] = xf_config as xf_config_def;
}
xf_rt::xdp_map! {
    /// User space's record of the rules; pinned with the rest, never read
    /// here.
    pub XF_RDESC: Array<u32, xf_rule>[XF_MAX_RULES] = xf_rdesc as xf_rdesc_def;
}
xf_rt::xdp_map! {
    /// Per-rule token buckets of the drop log.
    pub XF_RLOG: Array<u32, xf_rlog>[XF_MAX_RULES] = xf_rlog as xf_rlog_def;
}
xf_rt::xdp_map! {
    /// The drop log: one xf_event per logged drop.
    pub XF_LOG: RingBuf<xf_event>[XF_LOG_BYTES] = xf_log as xf_log_def;
}
xf_rt::xdp_map! {
    /// Limit rules: each one's parameters and aggregate bucket.
    pub XF_LIMIT: Array<u32, xf_limit>[XF_MAX_RULES] = xf_limit as xf_limit_def;
}
xf_rt::xdp_map! {
    /// Limit rules' drops beyond the rate, per CPU.
    pub XF_RLIMITED: PerCpuArray<u32, xf_count>[XF_MAX_RULES] = xf_rlimited as xf_rlimited_def;
}
xf_rt::xdp_map! {
    /// The per-source buckets of all limit rules: an LRU hash that user
    /// space creates with the first per-source rule and puts in slot 0 (the
    /// template, xf_lsrc_map, only gives its shape; the slot starts empty).
    pub XF_LSRC: ArrayOfMaps<u32,
        xf_lsrc_map: LruHash<xf_lsrc_key, xf_lsrc>[XF_LSRC_ENTRIES]>[1] = xf_lsrc as xf_lsrc_def;
}
// Source sets (abi.rs, "Source sets"): each set's record, the rules of
// each rule set that name it, and its content in the inner maps user space
// creates and swaps in (the templates give their shapes only; every slot
// starts empty).
xf_rt::xdp_map! {
    /// User space's record of each set (its name); never read here.
    pub XF_SETS_MAP: Array<u32, xf_sdesc>[XF_MAX_SETS] = xf_sets as xf_sets_def;
}
xf_rt::xdp_map! {
    /// (rule set, set number) -> the rules "from @NAME": {any, prefix id}.
    pub XF_SREF: Array<u32, xf_pfx>[XF_SETS * XF_MAX_SETS] = xf_sref as xf_sref_def;
}
xf_rt::xdp_map! {
    /// IPv4 level 1 of each slot: XF_SET4_WORDS entries of XF_SET4_SPAN /24s;
    /// mmapable, as user space writes it whole.
    pub XF_SET4: ArrayOfMaps<u32,
        xf_set4_map: Array<u32, xf_set4w>[XF_SET4_WORDS] flags(xf_rt::BPF_F_MMAPABLE)>
        [2 * XF_MAX_SETS] = xf_set4 as xf_set4_def;
}
xf_rt::xdp_map! {
    /// IPv4 level 2 of each slot: the /24s partly in the set, in address
    /// order, an array as long as its content (BPF_F_INNER_MAP).
    pub XF_SET4X: ArrayOfMaps<u32,
        xf_set4x_map: Array<u32, xf_set4x>[1]
            flags(xf_rt::BPF_F_INNER_MAP | xf_rt::BPF_F_MMAPABLE)>
        [2 * XF_MAX_SETS] = xf_set4x as xf_set4x_def;
}
xf_rt::xdp_map! {
    /// IPv6 of each slot: an LPM trie of the set's prefixes.
    pub XF_SET6: ArrayOfMaps<u32,
        xf_set6_map: LpmTrie<xf_set6_key, u8>[XF_SET6_MAX] flags(xf_rt::BPF_F_NO_PREALLOC)>
        [2 * XF_MAX_SETS] = xf_set6 as xf_set6_def;
}
xf_rt::xdp_map! {
    /// The feature tiers: slot XF_PROG_ACTIVE is the one every interface's
    /// xdp_filter tail-calls (none: xdp_filter runs the full filter
    /// itself).
    pub XF_PROGS: ProgArray<u32, u32>[XF_PROG_SLOTS] = xf_progs as xf_progs_def;
}
xf_rt::xdp_map! {
    /// The same slots for xdp_filter_sb, holding the tiers loaded
    /// single-buffer (a tail call only reaches a program of its own kind).
    pub XF_PROGS_SB: ProgArray<u32, u32>[XF_PROG_SLOTS] = xf_progs_sb as xf_progs_sb_def;
}

// Each definition's symbol, the name libbpf pins the map by, is
// xdp_filter.h's XF_MAP_* for it.
const _: () = {
    assert!(str_eq(stringify!(xf_ports), XF_MAP_PORTS) && str_eq(stringify!(xf_pfx4), XF_MAP_PFX4));
    assert!(str_eq(stringify!(xf_pfx6), XF_MAP_PFX6));
    assert!(str_eq(stringify!(xf_pports), XF_MAP_PPORTS));
    assert!(str_eq(stringify!(xf_rcount), XF_MAP_RCOUNT));
    assert!(str_eq(stringify!(xf_stats), XF_MAP_STATS));
    assert!(str_eq(stringify!(xf_config), XF_MAP_CONFIG));
    assert!(str_eq(stringify!(xf_rdesc), XF_MAP_RULES) && str_eq(stringify!(xf_rlog), XF_MAP_RLOG));
    assert!(str_eq(stringify!(xf_log), XF_MAP_LOG) && str_eq(stringify!(xf_progs), XF_MAP_PROGS));
    assert!(str_eq(stringify!(xf_progs_sb), XF_MAP_PROGS_SB));
    assert!(str_eq(stringify!(xf_limit), XF_MAP_LIMIT));
    assert!(str_eq(stringify!(xf_rlimited), XF_MAP_RLIMITED));
    assert!(str_eq(stringify!(xf_lsrc), XF_MAP_LSRC) && str_eq(stringify!(xf_sets), XF_MAP_SETS));
    assert!(str_eq(stringify!(xf_sref), XF_MAP_SREF) && str_eq(stringify!(xf_set4), XF_MAP_SET4));
    assert!(str_eq(stringify!(xf_set4x), XF_MAP_SET4X));
    assert!(str_eq(stringify!(xf_set6), XF_MAP_SET6));
};

// bpf_maps.h's xf_count_add() is xf_rt's PerCpuArray::count(): this CPU's
// slot, plain adds, a missing slot ignored.

/// Counts the packet under reason (the one counter a packet that no rule
/// decided moves) and returns action.
#[inline(always)]
pub fn xf_reason(reason: u32, bytes: u64, action: XdpAction) -> XdpAction {
    XF_STATS.count(reason, bytes);
    action
}

/// Counts the packet under rule id (its value as the packet path stores
/// it): the one counter a packet that a rule decided moves.
#[inline(always)]
pub fn xf_count_rule(id: u32, bytes: u64) {
    XF_RCOUNT.count(id & XF_ID_MASK, bytes);
}

/// Rule id of the port slot (dir, proto index, port) of rule set `set`, or 0.
#[inline(always)]
pub fn xf_port_rule(set: u32, dir: u32, pidx: u32, port: Be16) -> u32 {
    let slot = xf_set_slot(set, xf_slot(dir, pidx, port.get()));
    XF_PORTS.get(slot).map_or(0, |p| p.id)
}

/// Rule id of a prefix's port slot in rule set `set`, or 0.
#[inline(always)]
pub fn xf_prefix_port_rule(prefix_id: u32, set: u32, dir: u32, pidx: u32, port: Be16) -> u32 {
    let key = xf_pport { prefix_id, slot: xf_set_slot(set, xf_slot(dir, pidx, port.get())) };
    XF_PPORTS.get(key).map_or(0, |p| p.id)
}

/// The trie entry of the longest prefix with rules that holds the source
/// address saddr (of family 4 or 6, inside the packet: read through `xdp`,
/// so checked against data_end again for the verifier) in rule set `set`,
/// whose settings are s, or None. The trie of a family without prefix
/// rules is not looked at, and the key is made only when it is.
#[inline(always)]
pub fn xf_prefix_lookup(
    xdp: &Xdp,
    family: u8,
    saddr: Cursor,
    s: &xf_set,
    set: u32,
) -> Option<xf_pfx> {
    if family == 4 && s.nprefix4 != 0 {
        let a = xdp.ipv4_addrs(saddr)?;
        let key4 =
            xf_lpm4 { prefixlen: XF_LPM_SET_BITS + 32, set: set as u8, addr: a.saddr, pad: [0; 3] };
        return XF_PFX4.get(&key4);
    }
    if family == 6 && s.nprefix6 != 0 {
        let a = xdp.ipv6_addrs(saddr)?;
        let key6 = xf_lpm6 {
            prefixlen: XF_LPM_SET_BITS + 128,
            set: set as u8,
            addr: a.saddr,
            pad: [0; 3],
        };
        return XF_PFX6.get(&key6);
    }
    None
}

/// Is the source address addr (family 4 or 6, network order, IPv4 in the
/// first 4 bytes) in the source set whose current slot is slot? IPv4:
/// level 1, and level 2 only for a /24 that is partly in the set; IPv6:
/// the set's trie. bpf_maps.h's xf_set_has(), which takes the address
/// where it lies and the end of that memory: here the caller's copy
/// (set_rule()'s xf_setq), which needs no bounds check.
#[inline(always)]
pub fn xf_set_has(slot: u32, family: u32, addr: &[u8; 16]) -> bool {
    if family == 4 {
        let a = u32::from_be_bytes([addr[0], addr[1], addr[2], addr[3]]);
        let n24 = a >> 8;
        let Some(word) = XF_SET4.get(slot).and_then(|m| m.lookup(&(n24 / XF_SET4_SPAN))) else {
            return false; // no IPv4 in the set
        };
        let word = word.get();
        let bit = n24 % XF_SET4_SPAN;
        if (word.whole >> bit) & 1 != 0 {
            return true; // all of the /24
        }
        if (word.part >> bit) & 1 == 0 {
            return false; // none of it
        }
        // level 2 index: the base, plus the part bits below this /24's,
        // which user space counted into its nibble of `below`
        let below = (word.below >> (bit * 4)) & 15;
        let rank = word.base.wrapping_add(below as u32);
        let Some(part) = XF_SET4X.get(slot).and_then(|m| m.lookup(&rank)) else {
            return false;
        };
        let bits = field!(xf_set4x, bits).at((a >> 6) & 3); // always Some
        return bits.is_some_and(|b| (part.read(b) >> (a & 63)) & 1 != 0);
    }
    if family == 6 {
        let k6 = xf_set6_key { prefixlen: 128, addr: *addr };
        return XF_SET6.get(slot).is_some_and(|m| m.contains(&k6));
    }
    false
}
