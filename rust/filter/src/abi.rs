// SPDX-License-Identifier: GPL-2.0
//! Mirror of xdp_filter.h, the ABI shared with the C program and user space.
//! Keep in step with it: the const assertions below fail the build if a size
//! or offset moves here, and rust/check-abi.sh compares the BTF of both
//! objects (map types, sizes, flags, key and value layouts) and the DWARF
//! layout of every struct of xdp_filter.h (xf_event, xf_set), so a change
//! on the C side alone is caught as well. Constants are in neither: the
//! assertions at the end pin their values to the header's.

/// Bumped whenever a map layout or the meaning of a value changes.
pub const XF_ABI_VERSION: u32 = 10;

/// The maps' names (`XF_MAP_*`): maps.rs checks at compile time that each
/// definition's symbol, which libbpf pins it by, is its name here.
pub const XF_MAP_PORTS: &str = "xf_ports";
pub const XF_MAP_PFX4: &str = "xf_pfx4";
pub const XF_MAP_PFX6: &str = "xf_pfx6";
pub const XF_MAP_PPORTS: &str = "xf_pports";
pub const XF_MAP_RCOUNT: &str = "xf_rcount";
pub const XF_MAP_STATS: &str = "xf_stats";
pub const XF_MAP_CONFIG: &str = "xf_config";
pub const XF_MAP_RULES: &str = "xf_rdesc";
pub const XF_MAP_RLOG: &str = "xf_rlog";
pub const XF_MAP_LOG: &str = "xf_log";
pub const XF_MAP_PROGS: &str = "xf_progs";
pub const XF_MAP_PROGS_SB: &str = "xf_progs_sb";
pub const XF_MAP_LIMIT: &str = "xf_limit";
pub const XF_MAP_RLIMITED: &str = "xf_rlimited";
pub const XF_MAP_LSRC: &str = "xf_lsrc";
pub const XF_MAP_SETS: &str = "xf_sets";
pub const XF_MAP_SREF: &str = "xf_sref";
pub const XF_MAP_SET4: &str = "xf_set4";
pub const XF_MAP_SET4X: &str = "xf_set4x";
pub const XF_MAP_SET6: &str = "xf_set6";

/// Protocol index of a port slot (`enum xf_proto`).
pub const XF_P_TCP: u32 = 0;
pub const XF_P_UDP: u32 = 1;
pub const XF_P_MAX: u32 = 2;

/// Which port of the packet a rule looks at (`enum xf_dir`).
pub const XF_DIR_DST: u32 = 0;
pub const XF_DIR_SRC: u32 = 1;
pub const XF_DIR_MAX: u32 = 2;

/// Rule sets: active and next. xf_config.set says which one packets use;
/// user space fills the other and switches with that one write.
pub const XF_SETS: u32 = 2;
pub const XF_PORTS: u32 = 65536;
/// Port slots per rule set.
pub const XF_PORT_SLOTS: u32 = XF_DIR_MAX * XF_P_MAX * XF_PORTS;
/// Rule ids 1 .. XF_MAX_RULES - 1; 0 is "no rule".
pub const XF_MAX_RULES: u32 = 32768;
/// Prefixes per address family.
pub const XF_MAX_PREFIXES: u32 = 16384;
/// Port slots of prefix rules.
pub const XF_MAX_PPORTS: u32 = 262144;
/// Drop log ring buffer, bytes.
pub const XF_LOG_BYTES: u32 = 256 * 1024;
/// Default events/s of a logged rule, and the most user space sets.
pub const XF_LOG_RATE: u32 = 10;
pub const XF_LOG_RATE_MAX: u32 = 100000;

/// Slot of (direction, protocol index, port in host order).
#[inline(always)]
pub const fn xf_slot(dir: u32, proto_idx: u32, port: u16) -> u32 {
    (dir * XF_P_MAX + proto_idx) * XF_PORTS + port as u32
}

/// xf_ports key of `slot` in rule set `set` (xf_pports slot too).
#[inline(always)]
pub const fn xf_set_slot(set: u32, slot: u32) -> u32 {
    set * XF_PORT_SLOTS + slot
}

/// A rule id as the packet path stores it (xf_ports, xf_pports, any_id):
/// the id, plus XF_ID_LOG when the rule logs its drops, plus XF_ID_LIMIT
/// when it has a rate limit (its xf_limit entry), so a packet of a rule
/// without them looks nothing more up.
pub const XF_ID_LOG: u32 = 1 << 31;
pub const XF_ID_LIMIT: u32 = 1 << 30;
pub const XF_ID_MASK: u32 = XF_ID_LIMIT - 1;

xf_rt::abi_struct! {
    /// xf_ports and xf_pports value.
    pub struct xf_port {
        /// Rule id | XF_ID_LOG | XF_ID_LIMIT, 0: none.
        pub id: u32,
    }
}

/// LPM trie keys: prefixlen first, then the rule set's number and the
/// address in network order. prefixlen counts the set byte too: a /24 of
/// set 1 is stored as {8 + 24, 1, addr}, so sets never match each other.
pub const XF_LPM_SET_BITS: u32 = 8;

xf_rt::abi_struct! {
    /// xf_pfx4 key.
    pub struct xf_lpm4 {
        pub prefixlen: u32,
        pub set: u8,
        pub addr: [u8; 4],
        pub pad: [u8; 3],
    }
}

xf_rt::abi_struct! {
    /// xf_pfx6 key.
    pub struct xf_lpm6 {
        pub prefixlen: u32,
        pub set: u8,
        pub addr: [u8; 16],
        pub pad: [u8; 3],
    }
}

xf_rt::abi_struct! {
    /// xf_pfx4/xf_pfx6 value: the rules of one prefix. The longest prefix
    /// that has rules decides; shorter prefixes are not consulted.
    pub struct xf_pfx {
        /// Rule "any from PREFIX" | XF_ID_LOG, 0: none.
        pub any_id: u32,
        /// Prefix id: key of its port slots in xf_pports.
        pub prefix_id: u32,
    }
}

xf_rt::abi_struct! {
    /// xf_pports key. A prefix keeps its prefix_id in both rule sets; the slot
    /// says which set.
    pub struct xf_pport {
        pub prefix_id: u32,
        /// xf_set_slot(set, xf_slot()).
        pub slot: u32,
    }
}

xf_rt::counter_struct! {
    /// xf_rcount and xf_stats value, one per CPU; user space sums them.
    ///
    /// Each packet moves exactly one counter: the rule's (xf_rcount) when a
    /// rule decided it, dropped or let through, else its reason's
    /// (xf_stats). A rule that lets a packet through (under the allow
    /// policy, or a limit rule within its rate under either) moves
    /// XF_R_ALLOWED as well; a limit rule's packet beyond its rate moves
    /// xf_rlimited[id] and XF_R_LIMITED instead (never xf_rcount). So the
    /// program never counts XF_R_DROPPED: user space keeps in that slot (in
    /// CPU 0's value) the counts of rules it freed, and
    ///   dropped = xf_stats[XF_R_DROPPED] + the sum of the rules' xf_rcount
    ///             - xf_stats[XF_R_ALLOWED].
    pub struct xf_count {
        pub packets: u64,
        /// Frame bytes as XDP saw them, L2 included.
        pub bytes: u64,
    }
}

/// Why a packet got its verdict (`enum xf_reason`), the xf_stats key.
pub const XF_R_PASSED: u32 = 0;
/// Matched a rule (deny policy): drop. Derived by user space, never counted
/// by the program (see xf_count).
pub const XF_R_DROPPED: u32 = 1;
pub const XF_R_MALFORMED: u32 = 2;
pub const XF_R_FRAGMENT: u32 = 3;
pub const XF_R_NON_IP: u32 = 4;
pub const XF_R_OTHER_L4: u32 = 5;
pub const XF_R_ALLOWED: u32 = 6;
pub const XF_R_POLICY: u32 = 7;
/// No rule, a flow conntrack knows (stateful allow policy): pass.
pub const XF_R_TRACKED: u32 = 8;
/// TCP past its SYN, no rule, a flow conntrack does not know (stateful
/// allow policy): drop.
pub const XF_R_STATE: u32 = 9;
/// Matched a limit rule beyond its rate: drop; the rule's xf_rlimited
/// moves too. The last reason, so that the values of the older ones (the
/// pinned xf_stats slots, the names user space prints) stay as they were:
/// XF_R_MAX, xf_stats' size, grows to 11.
pub const XF_R_LIMITED: u32 = 10;
pub const XF_R_MAX: u32 = 11;

/// xf_config flags: allow-list, only listed flows open.
pub const XF_CFG_ALLOW: u32 = 1 << 0;
/// xf_config flags: the allow policy cuts DHCP too.
pub const XF_CFG_NO_DHCP: u32 = 1 << 1;
/// xf_config flags: the allow policy asks conntrack about what no rule
/// lists.
pub const XF_CFG_STATEFUL: u32 = 1 << 2;

xf_rt::abi_struct! {
    /// The policy and counts of one rule set.
    pub struct xf_set {
        /// XF_CFG_*.
        pub flags: u32,
        /// Stateless allow policy: UDP to eph_lo..=eph_hi passes (replies
        /// to the host's own requests); 0-0 when stateful.
        pub eph_lo: u16,
        pub eph_hi: u16,
        /// The set's prefixes in xf_pfx4: 0 skips it.
        pub nprefix4: u32,
        pub nprefix6: u32,
        /// Source-port rules in xf_ports: 0 skips them.
        pub nsrc: u32,
        /// Bit i: rules "from @NAME" of set number i; 0 skips the source
        /// sets.
        pub setmask: u32,
        /// The number of setmask's lowest bit (0 when none): the set
        /// tier's one set.
        pub setfirst: u32,
        /// The "any" rule of set setfirst, as its xf_sref entry has it
        /// (0: none): the set tier's verdict without that lookup.
        pub setany: u32,
    }
}

xf_rt::abi_struct! {
    /// xf_config value (key 0). Written only by user space, under its
    /// lock. The program reads abi..sets; the rest is user space's.
    pub struct xf_config {
        /// XF_ABI_VERSION once attached.
        pub abi: u32,
        /// The rule set packets use: 0 or 1.
        pub set: u32,
        /// Bit i: which of source set i's two slots packets use
        /// (xf_set_slot_of()).
        pub setver: u32,
        pub sets: [xf_set; XF_SETS as usize],
        /// Switches of set so far (apply, rollback).
        pub serial: u32,
        /// apply --confirm: the rollback timer...
        pub confirm_pid: u32,
        /// Zero: keeps confirm_by 8-aligned with no hole.
        pub pad: u32,
        /// ... its deadline (Unix seconds), 0: none.
        pub confirm_by: u64,
    }
}

/// Feature tiers (`enum xf_tier`). The object holds one program per tier
/// (and rule set): user space puts the lightest tier that serves the active
/// rule set in xf_progs[XF_PROG_ACTIVE] and moves each interface's pinned
/// link to it; an interface attached with ip(8) runs xdp_filter, which
/// tail-calls that slot, and is the full filter itself while it is empty.
/// The lighter tiers have their rule set built in and only the code their
/// features need (the port tiers never read xf_config; the set tier reads
/// its set's part and the sets' versions). The slots after XF_PROG_ACTIVE
/// keep each of them loaded, so a switch is one write.
///
/// Deny policy, destination-port rules.
pub const XF_TIER_DST: u32 = 0;
/// ... and source-port rules.
pub const XF_TIER_PORTS: u32 = 1;
/// ... and rules from source sets.
pub const XF_TIER_SETS: u32 = 2;
/// Prefixes, stateless allow policy, drop log.
pub const XF_TIER_FULL: u32 = 3;
/// Everything: the full tier, and the stateful allow policy's conntrack
/// lookups.
pub const XF_TIER_STATE: u32 = 4;
pub const XF_TIERS: u32 = 5;

/// What a rule set uses (`XF_USES_*`); a tier serves the sets whose uses it
/// has. Source-port rules without a prefix.
pub const XF_USES_SRC: u32 = 1 << 0;
/// Prefix rules.
pub const XF_USES_PREFIX: u32 = 1 << 1;
/// Rules with log.
pub const XF_USES_LOG: u32 = 1 << 2;
/// The allow policy.
pub const XF_USES_ALLOW: u32 = 1 << 3;
/// ... stateful.
pub const XF_USES_STATE: u32 = 1 << 4;
/// Rules with limit (in no lighter tier's uses: the full and state tiers
/// serve them).
pub const XF_USES_LIMIT: u32 = 1 << 5;
/// Rules from a source set ("from @NAME").
pub const XF_USES_SET: u32 = 1 << 6;

/// What each tier serves (`XF_TIER_USES`).
pub const XF_TIER_USES: [u32; XF_TIERS as usize] =
    [0, XF_USES_SRC, XF_USES_SRC | XF_USES_SET, !XF_USES_STATE, !0];
/// `XF_TIER_NAMES`.
pub const XF_TIER_NAMES: [&str; XF_TIERS as usize] = ["dst", "ports", "sets", "full", "state"];
/// The program of each tier for rule sets 0 and 1 (`XF_PROG_NAMES`): the
/// ELF symbol and program names lib.rs gives them, checked there at
/// compile time.
pub const XF_PROG_NAMES: [[&str; XF_SETS as usize]; XF_TIERS as usize] = [
    ["xf_dst_s0", "xf_dst_s1"],
    ["xf_ports_s0", "xf_ports_s1"],
    ["xf_sets_s0", "xf_sets_s1"],
    ["xf_full", "xf_full"],
    ["xf_state", "xf_state"],
];
/// Their single-buffer twins (section xdp), for xf_progs_sb.
pub const XF_PROG_NAMES_SB: [[&str; XF_SETS as usize]; XF_TIERS as usize] = [
    ["xf_dst_s0_sb", "xf_dst_s1_sb"],
    ["xf_ports_s0_sb", "xf_ports_s1_sb"],
    ["xf_sets_s0_sb", "xf_sets_s1_sb"],
    ["xf_full_sb", "xf_full_sb"],
    ["xf_state_sb", "xf_state_sb"],
];
/// What ip link attaches (`XF_PROG_DISPATCH`).
pub const XF_PROG_DISPATCH: &str = "xdp_filter";
/// What ip link attaches in generic mode (`XF_PROG_DISPATCH_SB`).
pub const XF_PROG_DISPATCH_SB: &str = "xdp_filter_sb";

/// The xf_progs slot xdp_filter tail-calls.
pub const XF_PROG_ACTIVE: u32 = 0;
/// The full tier's program (xf_full), where the lighter tiers send the
/// frames they do not parse: xf_prog_slot(XF_TIER_FULL, 0).
pub const XF_PROG_FULL_SLOT: u32 = 7;
/// xf_progs entries.
pub const XF_PROG_SLOTS: u32 = 9;

/// The xf_progs slot that keeps the program of tier for rule set `set` (the
/// full tier has one program, for both sets, in slot 7; the state tier in
/// slot 8).
#[inline(always)]
pub const fn xf_prog_slot(tier: u32, set: u32) -> u32 {
    if tier < XF_TIER_FULL {
        1 + tier * XF_SETS + set
    } else {
        1 + XF_TIER_FULL * XF_SETS + (tier - XF_TIER_FULL)
    }
}

/// `a == b` for the compile-time checks (`==` on `&str` is not const).
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// xf_rule protos bits.
pub const XF_PM_TCP: u8 = 1 << XF_P_TCP;
pub const XF_PM_UDP: u8 = 1 << XF_P_UDP;

/// xf_rule sets bit of rule set `set` (`XF_SET_BIT()`).
#[inline(always)]
pub const fn xf_set_bit(set: u32) -> u8 {
    1 << set
}

xf_rt::abi_struct! {
    /// xf_rdesc value: a rule as the user wrote it. User space's record;
    /// the program never reads it, but declares the map so that both
    /// objects pin the same set.
    pub struct xf_rule {
        /// xf_set_bit()s of the rule sets holding it.
        pub sets: u8,
        /// XF_PM_*; both for "any".
        pub protos: u8,
        /// XF_DIR_*.
        pub dir: u8,
        /// 0: no prefix, 4 or 6, or XF_FAMILY_SET: "from @NAME", the set
        /// number in addr[0].
        pub family: u8,
        pub prefixlen: u8,
        /// 1: "any from PREFIX".
        pub anyport: u8,
        /// Host order, inclusive.
        pub port_lo: u16,
        pub port_hi: u16,
        pub pad: u16,
        /// Prefix id, when family != 0.
        pub prefix_id: u32,
        /// Network order; IPv4 in the first 4.
        pub addr: [u8; 16],
        /// Drop log: events/s, 0: the rule does not log.
        pub log_rate: u32,
        /// limit N/s, 0: the rule has no limit.
        pub limit_rate: u32,
        /// Burst B (N when not given).
        pub limit_burst: u32,
        /// 1: a bucket per source (per-source [LEN]).
        pub per_source: u8,
        /// ... grouped by these prefix lengths, IPv4 and IPv6.
        pub plen4: u8,
        pub plen6: u8,
        pub pad2: u8,
    }
}

/// Rate limits (limit N/s [burst B] [per-source [LEN]]), DESIGN.md "Rate
/// limits". Each bucket is one time, GCRA's theoretical arrival time: a
/// packet conforms when max(tat, now) + interval <= now + burst * interval,
/// and then (only then) tat becomes max(tat, now) + interval. CPUs share a
/// bucket without a lock: the update is a compare-and-swap, retried
/// XF_LIMIT_TRIES times; a packet that loses every race is limited, so a
/// flood over many CPUs never gets more than the rate plus the burst
/// through.
pub const XF_LIMIT_RATE_MAX: u32 = 10_000_000;
pub const XF_LIMIT_BURST_MAX: u32 = 10_000_000;
pub const XF_LIMIT_TRIES: u32 = 4;
/// Per-source buckets, all rules (the inner LRU hash of xf_lsrc).
pub const XF_LSRC_ENTRIES: u32 = 131072;
/// IPv6 default grouping.
pub const XF_LSRC_PLEN6: u8 = 64;

xf_rt::abi_struct! {
    /// xf_limit value: a limit rule's parameters, written by user space
    /// when the rule is created, and its aggregate bucket (tat), the
    /// program's.
    pub struct xf_limit {
        /// 1e9 / rate, at least 1.
        pub interval_ns: u64,
        /// burst * interval_ns.
        pub burst_ns: u64,
        /// The rule's bucket (not per-source): ns, CLOCK_MONOTONIC;
        /// 0: full.
        pub tat: u64,
        /// Bumped each time the id gets a new limit rule: part of the
        /// per-source keys, so a reused id never inherits buckets.
        pub r#gen: u32,
        pub per_source: u8,
        /// Per-source grouping, IPv4 and IPv6.
        pub plen4: u8,
        pub plen6: u8,
        /// 1: the buckets run on the coarse clock.
        pub coarse: u8,
    }
}

xf_rt::abi_struct! {
    /// Per-source bucket key: the rule, its generation, and the source
    /// masked to the rule's prefix length for its family.
    pub struct xf_lsrc_key {
        /// Rule id.
        pub rule: u32,
        /// xf_limit.gen.
        pub r#gen: u32,
        /// 4 or 6.
        pub family: u8,
        pub pad: [u8; 3],
        /// Network order, masked; IPv4 in the first 4.
        pub addr: [u8; 16],
    }
}

xf_rt::abi_struct! {
    /// Per-source bucket.
    pub struct xf_lsrc {
        /// As xf_limit.tat.
        pub tat: u64,
    }
}

/// Source sets (DESIGN.md "Source sets"): named sets of IPv4 and IPv6
/// prefixes that rules name with "from @NAME". A set has a number (0 ..
/// XF_MAX_SETS - 1; its record in xf_sets) and two slots in each of
/// xf_set4, xf_set4x and xf_set6, number * 2 + version: packets use the
/// version that bit `number` of xf_config.setver names, and user space
/// builds a new content in the other slots, flips that bit (one write) and
/// then frees the old ones, so a packet sees the old set or the new one.
///
/// IPv4 is a two-level bitmap (DIR-24-8 for membership): level 1 (xf_set4)
/// is an array of XF_SET4_WORDS xf_set4w, each for 16 /24s: for n24 = the
/// address in host order >> 8, entry n24 / 16, bit n24 % 16 of `whole`
/// when all of the /24 is in the set, of `part` when part of it is; then
/// level 2 (xf_set4x) holds that /24's 256 addresses as bits, at the index
/// base + the number of `part` bits below bit n24 % 16 (nibble n24 % 16
/// of `below`, so the packet path counts no bits). IPv6 is the
/// kernel's LPM trie (xf_set6). A slot is empty while its family has
/// nothing in the set (no memory). Rules reach a set
/// through xf_sref[set * XF_MAX_SETS + number], the same {any, prefix id}
/// as a trie entry of a prefix (its port rules are xf_pports entries).
pub const XF_MAX_SETS: u32 = 32;
/// A name's bytes, NUL included.
pub const XF_SET_NAME: usize = 32;
/// xf_rule.family of "from @NAME".
pub const XF_FAMILY_SET: u8 = 1;
/// /24s a level 1 entry covers.
pub const XF_SET4_SPAN: u32 = 16;
/// All 2^24 /24s.
pub const XF_SET4_WORDS: u32 = (1 << 24) / XF_SET4_SPAN;
/// /24s partly in one set.
pub const XF_SET4X_MAX: u32 = 1 << 21;
/// IPv6 prefixes in one set.
pub const XF_SET6_MAX: u32 = 1 << 20;

/// The slot of set `number` whose version bit is bit 0 of `ver`.
#[inline(always)]
pub const fn xf_set_slot_of(number: u32, ver: u32) -> u32 {
    number * 2 + (ver & 1)
}

xf_rt::abi_struct! {
    /// xf_set4 value: 16 /24s of level 1.
    pub struct xf_set4w {
        /// Bit i: /24 16 * entry + i all in the set.
        pub whole: u16,
        /// ... partly in it: level 2 has it.
        pub part: u16,
        /// Level 2 index of this entry's first part.
        pub base: u32,
        /// Nibble i: the part bits below bit i.
        pub below: u64,
    }
}

xf_rt::abi_struct! {
    /// xf_set4x value: the addresses of one /24 in the set.
    pub struct xf_set4x {
        /// Bit (a & 255) % 64 of bits[(a & 255) / 64].
        pub bits: [u64; 4],
    }
}

xf_rt::abi_struct! {
    /// xf_set6 key (value: u8 1).
    pub struct xf_set6_key {
        pub prefixlen: u32,
        /// Network order.
        pub addr: [u8; 16],
    }
}

xf_rt::abi_struct! {
    /// xf_sets value: user space's record of a set; the program never
    /// reads it. A number whose name is "" is free.
    pub struct xf_sdesc {
        pub name: [u8; XF_SET_NAME],
        /// IPv4 prefixes, merged (as set NAME list prints them).
        pub n4: u32,
        pub n6: u32,
        /// Level-2 entries: /24s partly in the set.
        pub partial4: u32,
        /// Loads, adds and dels so far.
        pub changes: u32,
        /// Unix seconds of the last one.
        pub changed: u64,
    }
}

xf_rt::abi_struct! {
    /// xf_rlog value: a logged rule's token bucket. rate is written by
    /// user space when the rule is added; the rest is the program's.
    /// Buckets are shared by all CPUs without a lock: under a flood on
    /// several CPUs a few more events than the rate can pass, never fewer.
    pub struct xf_rlog {
        /// Events/s; the bucket holds one second.
        pub rate: u32,
        pub pad: u32,
        /// bpf_ktime_get_ns() of the last refill.
        pub last_ns: u64,
        /// Tokens * 1e9.
        pub credit: u64,
        /// Events the limit dropped, in total...
        pub suppressed: u64,
        /// ... since the rule's last event.
        pub unreported: u64,
    }
}

xf_rt::abi_struct! {
    /// xf_log record: one dropped packet of a logged rule.
    pub struct xf_event {
        /// bpf_ktime_get_ns() (CLOCK_MONOTONIC).
        pub ts_ns: u64,
        /// Where it arrived.
        pub ifindex: u32,
        /// Rule id.
        pub rule: u32,
        /// This rule's events the limit dropped just before this one.
        pub suppressed: u32,
        /// Frame bytes.
        pub len: u32,
        /// 4 or 6.
        pub family: u8,
        /// IP protocol as parsed: TCP, UDP, or any other for "any from
        /// PREFIX" (ports 0).
        pub l4: u8,
        pub sport: xf_rt::Be16,
        pub dport: xf_rt::Be16,
        /// XF_R_DROPPED (a rule) or XF_R_LIMITED.
        pub reason: u8,
        pub pad: u8,
        /// Network order; IPv4 in the first 4.
        pub saddr: [u8; 16],
        pub daddr: [u8; 16],
    }
}

/// Layout drift check against xdp_filter.h, evaluated at compile time.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<xf_port>() == 4 && offset_of!(xf_port, id) == 0);
    assert!(size_of::<xf_lpm4>() == 12 && offset_of!(xf_lpm4, prefixlen) == 0);
    assert!(offset_of!(xf_lpm4, set) == 4 && offset_of!(xf_lpm4, addr) == 5);
    assert!(offset_of!(xf_lpm4, pad) == 9);
    assert!(size_of::<xf_lpm6>() == 24 && offset_of!(xf_lpm6, prefixlen) == 0);
    assert!(offset_of!(xf_lpm6, set) == 4 && offset_of!(xf_lpm6, addr) == 5);
    assert!(offset_of!(xf_lpm6, pad) == 21);
    assert!(size_of::<xf_pfx>() == 8);
    assert!(offset_of!(xf_pfx, any_id) == 0 && offset_of!(xf_pfx, prefix_id) == 4);
    assert!(size_of::<xf_pport>() == 8);
    assert!(offset_of!(xf_pport, prefix_id) == 0 && offset_of!(xf_pport, slot) == 4);
    assert!(size_of::<xf_count>() == 16 && align_of::<xf_count>() == 8);
    assert!(offset_of!(xf_count, packets) == 0 && offset_of!(xf_count, bytes) == 8);
    assert!(size_of::<xf_set>() == 32);
    assert!(offset_of!(xf_set, flags) == 0 && offset_of!(xf_set, eph_lo) == 4);
    assert!(offset_of!(xf_set, eph_hi) == 6 && offset_of!(xf_set, nprefix4) == 8);
    assert!(offset_of!(xf_set, nprefix6) == 12 && offset_of!(xf_set, nsrc) == 16);
    assert!(offset_of!(xf_set, setmask) == 20 && offset_of!(xf_set, setfirst) == 24);
    assert!(offset_of!(xf_set, setany) == 28);
    assert!(size_of::<xf_config>() == 96 && align_of::<xf_config>() == 8);
    assert!(offset_of!(xf_config, abi) == 0 && offset_of!(xf_config, set) == 4);
    assert!(offset_of!(xf_config, setver) == 8 && offset_of!(xf_config, sets) == 12);
    assert!(offset_of!(xf_config, serial) == 76 && offset_of!(xf_config, confirm_pid) == 80);
    assert!(offset_of!(xf_config, pad) == 84 && offset_of!(xf_config, confirm_by) == 88);
    assert!(size_of::<xf_rule>() == 48);
    assert!(offset_of!(xf_rule, sets) == 0 && offset_of!(xf_rule, protos) == 1);
    assert!(offset_of!(xf_rule, dir) == 2 && offset_of!(xf_rule, family) == 3);
    assert!(offset_of!(xf_rule, prefixlen) == 4 && offset_of!(xf_rule, anyport) == 5);
    assert!(offset_of!(xf_rule, port_lo) == 6 && offset_of!(xf_rule, port_hi) == 8);
    assert!(offset_of!(xf_rule, pad) == 10 && offset_of!(xf_rule, prefix_id) == 12);
    assert!(offset_of!(xf_rule, addr) == 16 && offset_of!(xf_rule, log_rate) == 32);
    assert!(offset_of!(xf_rule, limit_rate) == 36 && offset_of!(xf_rule, limit_burst) == 40);
    assert!(offset_of!(xf_rule, per_source) == 44 && offset_of!(xf_rule, plen4) == 45);
    assert!(offset_of!(xf_rule, plen6) == 46 && offset_of!(xf_rule, pad2) == 47);
    assert!(size_of::<xf_limit>() == 32 && align_of::<xf_limit>() == 8);
    assert!(offset_of!(xf_limit, interval_ns) == 0 && offset_of!(xf_limit, burst_ns) == 8);
    assert!(offset_of!(xf_limit, tat) == 16 && offset_of!(xf_limit, r#gen) == 24);
    assert!(offset_of!(xf_limit, per_source) == 28 && offset_of!(xf_limit, plen4) == 29);
    assert!(offset_of!(xf_limit, plen6) == 30 && offset_of!(xf_limit, coarse) == 31);
    assert!(size_of::<xf_lsrc_key>() == 28 && align_of::<xf_lsrc_key>() == 4);
    assert!(offset_of!(xf_lsrc_key, rule) == 0 && offset_of!(xf_lsrc_key, r#gen) == 4);
    assert!(offset_of!(xf_lsrc_key, family) == 8 && offset_of!(xf_lsrc_key, pad) == 9);
    assert!(offset_of!(xf_lsrc_key, addr) == 12);
    assert!(size_of::<xf_lsrc>() == 8 && offset_of!(xf_lsrc, tat) == 0);
    assert!(size_of::<xf_set4w>() == 16 && offset_of!(xf_set4w, base) == 4);
    assert!(offset_of!(xf_set4w, below) == 8);
    assert!(size_of::<xf_set4x>() == 32 && align_of::<xf_set4x>() == 8);
    assert!(offset_of!(xf_set4x, bits) == 0);
    assert!(size_of::<xf_set6_key>() == 20 && align_of::<xf_set6_key>() == 4);
    assert!(offset_of!(xf_set6_key, prefixlen) == 0 && offset_of!(xf_set6_key, addr) == 4);
    assert!(size_of::<xf_sdesc>() == 56 && align_of::<xf_sdesc>() == 8);
    assert!(offset_of!(xf_sdesc, name) == 0 && offset_of!(xf_sdesc, n4) == 32);
    assert!(offset_of!(xf_sdesc, n6) == 36 && offset_of!(xf_sdesc, partial4) == 40);
    assert!(offset_of!(xf_sdesc, changes) == 44 && offset_of!(xf_sdesc, changed) == 48);
    assert!(size_of::<xf_rlog>() == 40 && align_of::<xf_rlog>() == 8);
    assert!(offset_of!(xf_rlog, rate) == 0 && offset_of!(xf_rlog, pad) == 4);
    assert!(offset_of!(xf_rlog, last_ns) == 8 && offset_of!(xf_rlog, credit) == 16);
    assert!(offset_of!(xf_rlog, suppressed) == 24 && offset_of!(xf_rlog, unreported) == 32);
    assert!(size_of::<xf_event>() == 64 && align_of::<xf_event>() == 8);
    assert!(offset_of!(xf_event, ts_ns) == 0 && offset_of!(xf_event, ifindex) == 8);
    assert!(offset_of!(xf_event, rule) == 12 && offset_of!(xf_event, suppressed) == 16);
    assert!(offset_of!(xf_event, len) == 20 && offset_of!(xf_event, family) == 24);
    assert!(offset_of!(xf_event, l4) == 25 && offset_of!(xf_event, sport) == 26);
    assert!(offset_of!(xf_event, dport) == 28 && offset_of!(xf_event, reason) == 30);
    assert!(offset_of!(xf_event, pad) == 31);
    assert!(offset_of!(xf_event, saddr) == 32 && offset_of!(xf_event, daddr) == 48);
    // The values of xdp_filter.h, which BTF does not carry (check-abi.sh
    // sees the map sizes built from them, not these).
    assert!(XF_SETS == 2 && XF_PORT_SLOTS == 262144 && XF_MAX_RULES == 32768 && XF_R_MAX == 11);
    assert!(XF_ID_LOG == 0x8000_0000 && XF_ID_LIMIT == 0x4000_0000 && XF_LPM_SET_BITS == 8);
    assert!(XF_ID_MASK == 0x3fff_ffff && XF_ID_MASK & (XF_ID_LOG | XF_ID_LIMIT) == 0);
    // A rule id fits below the flags, whatever flags it carries.
    assert!(XF_MAX_RULES - 1 <= XF_ID_MASK);
    assert!(XF_LOG_BYTES == 262144 && XF_LOG_RATE == 10 && XF_LOG_RATE_MAX == 100000);
    assert!(XF_MAX_PREFIXES == 16384 && XF_MAX_PPORTS == 262144);
    assert!(xf_slot(XF_DIR_SRC, XF_P_UDP, 65535) == XF_PORT_SLOTS - 1);
    assert!(xf_set_slot(XF_SETS - 1, XF_PORT_SLOTS - 1) == XF_SETS * XF_PORT_SLOTS - 1);
    assert!(xf_set_bit(1) == 2);
    assert!(XF_R_PASSED == 0 && XF_R_POLICY == 7 && XF_R_TRACKED == 8 && XF_R_STATE == 9);
    assert!(XF_R_LIMITED == 10 && XF_R_LIMITED == XF_R_MAX - 1);
    assert!(XF_LIMIT_RATE_MAX == 10_000_000 && XF_LIMIT_BURST_MAX == 10_000_000);
    assert!(XF_LIMIT_TRIES == 4 && XF_LSRC_ENTRIES == 131072 && XF_LSRC_PLEN6 == 64);
    // A bucket's times cannot overflow: burst_ns <= 1e9 * 1e7 < 2^54.
    assert!((XF_LIMIT_BURST_MAX as u64) * 1_000_000_000 < 1 << 54);
    assert!(XF_CFG_ALLOW == 1 && XF_CFG_NO_DHCP == 2 && XF_CFG_STATEFUL == 4);
    assert!(XF_ABI_VERSION == 10);
    assert!(XF_MAX_SETS == 32 && XF_SET_NAME == 32 && XF_FAMILY_SET == 1);
    assert!(XF_SET4_WORDS == 0x100000 && XF_SET4X_MAX == 0x200000 && XF_SET6_MAX == 0x100000);
    // Level 1 has a bit pair for every /24; setmask and setver a bit for
    // every set.
    assert!(XF_SET4_SPAN == 16 && XF_SET4_WORDS * XF_SET4_SPAN == 1 << 24);
    assert!(XF_MAX_SETS == u32::BITS);
    assert!(xf_set_slot_of(3, 5) == 7 && xf_set_slot_of(XF_MAX_SETS - 1, 1) == 2 * XF_MAX_SETS - 1);
    assert!(XF_TIER_DST == 0 && XF_TIER_PORTS == 1 && XF_TIER_SETS == 2);
    assert!(XF_TIER_FULL == 3 && XF_TIER_STATE == 4 && XF_TIERS == 5);
    assert!(XF_USES_SRC == 1 && XF_USES_PREFIX == 2 && XF_USES_LOG == 4 && XF_USES_ALLOW == 8);
    assert!(XF_USES_STATE == 16 && XF_USES_LIMIT == 32 && XF_USES_SET == 64);
    // Set rules need the set tier (or a heavier one).
    assert!(XF_TIER_USES[XF_TIER_DST as usize] & XF_USES_SET == 0);
    assert!(XF_TIER_USES[XF_TIER_PORTS as usize] & XF_USES_SET == 0);
    assert!(XF_TIER_USES[XF_TIER_SETS as usize] & XF_USES_SET != 0);
    assert!(XF_TIER_USES[XF_TIER_FULL as usize] & XF_USES_SET != 0);
    assert!(XF_TIER_USES[0] == 0 && XF_TIER_USES[1] == XF_USES_SRC);
    assert!(XF_TIER_USES[2] == XF_USES_SRC | XF_USES_SET);
    // Limit rules need the full tier (or the state tier).
    assert!(XF_TIER_USES[XF_TIER_DST as usize] & XF_USES_LIMIT == 0);
    assert!(XF_TIER_USES[XF_TIER_PORTS as usize] & XF_USES_LIMIT == 0);
    assert!(XF_TIER_USES[XF_TIER_SETS as usize] & XF_USES_LIMIT == 0);
    assert!(XF_TIER_USES[XF_TIER_FULL as usize] & XF_USES_LIMIT != 0);
    assert!(XF_TIER_USES[3] == 0xffff_ffef && XF_TIER_USES[4] == 0xffff_ffff);
    assert!(str_eq(XF_TIER_NAMES[0], "dst") && str_eq(XF_TIER_NAMES[1], "ports"));
    assert!(str_eq(XF_TIER_NAMES[2], "sets") && str_eq(XF_TIER_NAMES[3], "full"));
    assert!(str_eq(XF_TIER_NAMES[4], "state"));
    assert!(str_eq(XF_PROG_NAMES[0][0], "xf_dst_s0") && str_eq(XF_PROG_NAMES[0][1], "xf_dst_s1"));
    assert!(str_eq(XF_PROG_NAMES[1][0], "xf_ports_s0"));
    assert!(str_eq(XF_PROG_NAMES[1][1], "xf_ports_s1"));
    assert!(str_eq(XF_PROG_NAMES[2][0], "xf_sets_s0") && str_eq(XF_PROG_NAMES[2][1], "xf_sets_s1"));
    assert!(str_eq(XF_PROG_NAMES[3][0], "xf_full") && str_eq(XF_PROG_NAMES[3][1], "xf_full"));
    assert!(str_eq(XF_PROG_NAMES[4][0], "xf_state") && str_eq(XF_PROG_NAMES[4][1], "xf_state"));
    assert!(str_eq(XF_PROG_DISPATCH, "xdp_filter"));
    assert!(str_eq(XF_PROG_DISPATCH_SB, "xdp_filter_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[0][0], "xf_dst_s0_sb") && str_eq(XF_PROG_NAMES_SB[0][1], "xf_dst_s1_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[1][0], "xf_ports_s0_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[1][1], "xf_ports_s1_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[2][0], "xf_sets_s0_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[2][1], "xf_sets_s1_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[3][0], "xf_full_sb") && str_eq(XF_PROG_NAMES_SB[3][1], "xf_full_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[4][0], "xf_state_sb"));
    assert!(str_eq(XF_PROG_NAMES_SB[4][1], "xf_state_sb"));
    assert!(XF_PROG_ACTIVE == 0 && XF_PROG_SLOTS == 9 && XF_PROG_FULL_SLOT == 7);
    assert!(xf_prog_slot(XF_TIER_DST, 0) == 1 && xf_prog_slot(XF_TIER_PORTS, 1) == 4);
    assert!(xf_prog_slot(XF_TIER_FULL, 0) == XF_PROG_FULL_SLOT);
    assert!(xf_prog_slot(XF_TIER_FULL, 1) == XF_PROG_FULL_SLOT);
    assert!(xf_prog_slot(XF_TIER_SETS, 0) == 5 && xf_prog_slot(XF_TIER_SETS, 1) == 6);
    assert!(xf_prog_slot(XF_TIER_STATE, 0) == 8 && xf_prog_slot(XF_TIER_STATE, 1) == 8);
    // Every tier program's slot exists, and none is the active slot.
    assert!(xf_prog_slot(XF_TIERS - 1, XF_SETS - 1) < XF_PROG_SLOTS);
    assert!(xf_prog_slot(0, 0) > XF_PROG_ACTIVE);
};
