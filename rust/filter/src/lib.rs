// SPDX-License-Identifier: GPL-2.0
//! xdp_filter in safe Rust - the decisions: drop or allow TCP/UDP packets by
//! port, protocol and source prefix, at the XDP hook, in each feature tier.
//! The same program as xdp_filter.c, on the same pinned maps, function for
//! function; its parsers (parsing.h) are in parsing.rs, its maps and map
//! helpers (bpf_maps.h) in maps.rs.
//!
//! Policy (DESIGN.md, "Rule semantics"): a packet matches when a source set
//! that its rule set's rules name holds its source and has a rule for it
//! (the first such set by number decides), when the longest source prefix
//! that has rules matches it (all of it, or its port), or when a port rule
//! matches its destination or source port, in that order. Deny policy (the
//! default): a match drops, the rest passes. Allow policy: for TCP and UDP,
//! only new flows (TCP SYN without ACK, UDP) are gated: a match passes, UDP
//! to the ephemeral range and DHCP pass, the rest drops; other TCP segments,
//! ICMP and everything not TCP/UDP pass. The stateful allow policy (the
//! state tier) asks the kernel's conntrack instead of passing TCP past its
//! SYN and UDP to the ephemeral range: an unlisted flow passes only when
//! conntrack knows it, in either direction. In all, non-IP frames pass and
//! a truncated or invalid header drops. Each packet moves one counter: its
//! rule's, or its reason's (xf_count in abi.rs). A deny rule that logs
//! (XF_ID_LOG) also sends the packets it drops to the drop log (xf_log),
//! within its rate (xf_rlog).
//!
//! Feature tiers (abi.rs): each interface runs the tier user space made
//! active, through its pinned link; xdp_filter, for an interface attached
//! with ip(8), tail-calls that tier, or is the full filter itself while no
//! tier is. The lighter tiers are the same decisions for what they
//! serve, with their rule set built in: one generic body, filter_ports(),
//! instantiated for each tier and set by const generics.
//!
//! No `unsafe` here: packet reads, maps, the tail call, the socket and
//! conntrack lookups and the entry points come from the runtime crate
//! `xf_rt`.
#![no_std]
#![forbid(unsafe_code)]

pub mod abi;
pub mod maps;
mod parsing;

use abi::*;
use maps::{
    xf_count_rule, xf_port_rule, xf_prefix_lookup, xf_prefix_port_rule, xf_reason, xf_set_has,
    XF_CONFIG, XF_LIMIT, XF_LOG, XF_LSRC, XF_PROGS, XF_PROGS_SB, XF_RLIMITED, XF_RLOG, XF_SREF,
};
use parsing::{xf_parse_fast, xf_parse_frame, xf_parse_strict, xf_pkt};
use xf_rt::{
    field, Be16, Field, FlowTuple, MapValue, Pod, TupleSize, Xdp, XdpAction, BPF_NOEXIST,
    IPPROTO_TCP, IPPROTO_UDP,
};

/// Rule id that matches the packet's source prefix, or 0. Only the longest
/// prefix with rules is consulted: it wins outright.
#[inline(always)]
fn prefix_rule(xdp: &Xdp, pkt: &xf_pkt, ports: bool, pidx: u32, s: &xf_set, set: u32) -> u32 {
    let Some(pfx) = xf_prefix_lookup(xdp, pkt.family, pkt.saddr, s, set) else {
        return 0; // no prefix rules: fast path
    };
    if pfx.any_id != 0 {
        return pfx.any_id;
    }
    if !ports {
        return 0;
    }
    let id = xf_prefix_port_rule(pfx.prefix_id, set, XF_DIR_DST, pidx, pkt.dport);
    if id != 0 {
        return id;
    }
    xf_prefix_port_rule(pfx.prefix_id, set, XF_DIR_SRC, pidx, pkt.sport)
}

xf_rt::abi_struct! {
    /// What set_rule() needs of a packet, copied out of it: a global
    /// function takes no packet pointers (xdp_filter.c's struct xf_setq).
    pub struct xf_setq {
        /// The source, network order; IPv4 in the first 4.
        pub addr: [u8; 16],
        /// 4 or 6.
        pub family: u32,
        /// 1: TCP/UDP with ports parsed.
        pub ports: u32,
        /// XF_P_TCP or XF_P_UDP.
        pub pidx: u32,
        /// The rule set.
        pub set: u32,
        /// Its setmask.
        pub mask: u32,
        /// xf_config.setver.
        pub setver: u32,
        pub dport: Be16,
        pub sport: Be16,
    }
}

/// The rule id of set number i's rules in rule set `set` for the packet q
/// (its "any from @NAME" rule, or its port rule for the destination port,
/// then the source port), or 0.
#[inline(always)]
fn set_ref_rule(q: &xf_setq, set: u32, i: u32) -> u32 {
    let Some(r) = XF_SREF.get(set * XF_MAX_SETS + i) else {
        return 0;
    };
    if r.any_id != 0 {
        return r.any_id;
    }
    if q.ports == 0 {
        return 0;
    }
    let id = xf_prefix_port_rule(r.prefix_id, set, XF_DIR_DST, q.pidx & 1, q.dport);
    if id != 0 {
        return id;
    }
    xf_prefix_port_rule(r.prefix_id, set, XF_DIR_SRC, q.pidx & 1, q.sport)
}

/// Rule id of the source sets that match the packet q, or 0: the sets its
/// rule set's rules name (mask), in the order of their numbers; the first
/// set that holds the source and has a rule for the packet (all of it, or
/// its port) decides. The body of the global function set_rule().
#[inline(always)]
fn set_rule_of(q: &xf_setq) -> u32 {
    let mut i = 0;
    // up to the highest set named: most rule sets name one or two
    while i < XF_MAX_SETS && q.mask >> i != 0 {
        if (q.mask >> i) & 1 != 0
            && xf_set_has(xf_set_slot_of(i, q.setver >> i), q.family, &q.addr)
        {
            let id = set_ref_rule(q, q.set & 1, i);
            if id != 0 {
                return id;
            }
        }
        i += 1;
    }
    0
}

xf_rt::global_fn! {
    /// set_rule_of() as a global BPF function, as xdp_filter.c's
    /// set_rule(): the verifier checks its loop once, not once for each
    /// way the caller reaches it (inlined into filter_full(), the loop
    /// over 32 sets takes the verifier past its 1,000,000 instructions).
    fn set_rule(&xf_setq) -> u32 = set_rule_of;
}

/// What set_rule() needs of the packet (xf_setq), or None when its source
/// is not in the frame (cannot happen: the parser checked the IP header);
/// setver is xf_config.setver.
#[inline(always)]
fn set_query(
    xdp: &Xdp,
    pkt: &xf_pkt,
    ports: bool,
    pidx: u32,
    s: &xf_set,
    set: u32,
    setver: u32,
) -> Option<xf_setq> {
    let addr = if pkt.family == 4 {
        xdp.ipv4_addrs(pkt.saddr).map(|a| addr16(a.saddr))
    } else if pkt.family == 6 {
        xdp.ipv6_addrs(pkt.saddr).map(|a| a.saddr)
    } else {
        None
    }?;
    Some(xf_setq {
        addr,
        family: pkt.family as u32,
        ports: ports as u32,
        pidx,
        set,
        mask: s.setmask,
        setver,
        dport: pkt.dport,
        sport: pkt.sport,
    })
}

/// The source sets' rule for the packet (set_rule()), or 0; setver is
/// xf_config.setver.
#[inline(always)]
fn source_set_rule(
    xdp: &Xdp,
    pkt: &xf_pkt,
    ports: bool,
    pidx: u32,
    s: &xf_set,
    set: u32,
    setver: u32,
) -> u32 {
    set_query(xdp, pkt, ports, pidx, s, set, setver).map_or(0, |q| set_rule(&q))
}

/// The set tier's source_set_rule() (xdp_filter.c's tier_set_rule()): a
/// rule set that names one set (the common case: a blocklist) looks it up
/// inline, by the number user space wrote (setfirst); several sets go
/// through set_rule(), as in the full tier, and so does a packet that read
/// setmask and setfirst across a change of both (the mask it read decides).
#[inline(always)]
fn tier_set_rule(
    xdp: &Xdp,
    pkt: &xf_pkt,
    ports: bool,
    pidx: u32,
    s: &xf_set,
    set: u32,
    setver: u32,
) -> u32 {
    let i = s.setfirst & (XF_MAX_SETS - 1);
    if s.setmask != 1 << i {
        return source_set_rule(xdp, pkt, ports, pidx, s, set, setver);
    }
    let Some(q) = set_query(xdp, pkt, ports, pidx, s, set, setver) else {
        return 0;
    };
    if !xf_set_has(xf_set_slot_of(i, setver >> i), q.family, &q.addr) {
        return 0;
    }
    if s.setany != 0 {
        return s.setany; // a blocklist: no xf_sref lookup
    }
    set_ref_rule(&q, set & 1, i)
}

/// Allow policy, no rule matched a TCP/UDP packet: does it still pass?
#[inline(always)]
fn allow_unlisted(pkt: &xf_pkt, s: &xf_set) -> bool {
    let dport = pkt.dport.get();

    if !pkt.new_flow {
        return true; // TCP past its SYN: replies, open flows
    }
    if pkt.l4 != IPPROTO_UDP {
        return false;
    }
    if dport >= s.eph_lo && dport <= s.eph_hi {
        return true; // replies to the host's own requests
    }
    s.flags & XF_CFG_NO_DHCP == 0 && matches!(dport, 67 | 68 | 546 | 547)
}

/// The packet's flow as the kernel's lookups take it (source: the remote
/// end), in t, and its size; `None` when the addresses are not in the
/// frame (cannot happen: the parser checked the IP header). They are read
/// at pkt.saddr: saddr and daddr are next to each other in both IP
/// headers.
#[inline(always)]
fn flow_tuple(xdp: &Xdp, pkt: &xf_pkt, t: &mut FlowTuple) -> Option<TupleSize> {
    if pkt.family == 4 {
        if let Some(a) = xdp.ipv4_addrs(pkt.saddr) {
            return Some(t.set_ipv4(a, pkt.sport, pkt.dport));
        }
    }
    if pkt.family == 6 {
        if let Some(a) = xdp.ipv6_addrs(pkt.saddr) {
            return Some(t.set_ipv6(a, pkt.sport, pkt.dport));
        }
    }
    None
}

/// The stateful allow policy, no rule matched a TCP/UDP packet: a new TCP
/// connection drops as policy without a lookup (a flow that a rule let in
/// still matches that rule), DHCP passes unless nodhcp, and the rest passes
/// when its flow is known: to conntrack, in either direction (the replies
/// of the host's own connections are its reply tuples), or for TCP to a
/// connected socket of the host (what keeps a connection that conntrack
/// never saw, opened before tracking was on, working). Unknown, UDP drops
/// as policy, TCP as state. All lookups are in the packet's network
/// namespace, and each releases what it found before it answers
/// (xf_rt::flow).
#[inline(always)]
fn stateful_verdict(xdp: &Xdp, pkt: &xf_pkt, s: &xf_set, bytes: u64) -> XdpAction {
    let dport = pkt.dport.get();
    let tcp = pkt.l4 == IPPROTO_TCP;

    if pkt.new_flow && tcp {
        return xf_reason(XF_R_POLICY, bytes, XdpAction::Drop);
    }
    if !tcp && s.flags & XF_CFG_NO_DHCP == 0 && matches!(dport, 67 | 68 | 546 | 547) {
        return xf_reason(XF_R_PASSED, bytes, XdpAction::Pass);
    }
    let mut t = FlowTuple::new();
    if let Some(sz) = flow_tuple(xdp, pkt, &mut t) {
        if (tcp && xdp.tcp_connected(&t, sz)) || xdp.ct_known(pkt.l4, &t, sz) {
            return xf_reason(XF_R_TRACKED, bytes, XdpAction::Pass);
        }
    }
    xf_reason(if tcp { XF_R_STATE } else { XF_R_POLICY }, bytes, XdpAction::Drop)
}

/// One second in bpf_ktime_get_ns() units: a token, and the most time a
/// bucket refills for.
const NS: u64 = 1_000_000_000;

/// An event the drop log could not send: counted in total, and for the
/// rule's next event (xdp_filter.c's log_suppressed()).
#[inline(always)]
fn log_suppressed(b: &MapValue<xf_rlog>) {
    b.add(field!(xf_rlog, suppressed), 1);
    b.add(field!(xf_rlog, unreported), 1);
}

/// Drop log: does the token bucket b (of rate events/s) let one more event
/// out? One second of tokens at most; refilled by the time since the last
/// call. The bucket is shared by the CPUs without a lock (see xf_rlog):
/// last_ns and credit are plain reads and writes, the two counts atomic,
/// as in xdp_filter.c's log_allowed(). Arithmetic wraps as C's does:
/// rate < 2^32 and elapsed <= 1e9 keep every product in range.
#[inline(always)]
fn log_allowed(b: &MapValue<xf_rlog>, rate: u32, now: u64) -> bool {
    let full = rate as u64 * NS;

    let elapsed = now.wrapping_sub(b.read(field!(xf_rlog, last_ns))).min(NS);
    b.write(field!(xf_rlog, last_ns), now);
    let credit = b.read(field!(xf_rlog, credit)).wrapping_add(elapsed * rate as u64).min(full);
    if credit >= NS {
        b.write(field!(xf_rlog, credit), credit - NS);
        return true;
    }
    b.write(field!(xf_rlog, credit), credit);
    log_suppressed(b);
    false
}

/// An address of `N` bytes in the 16 of an xf_event field (IPv4 in the
/// first 4, the rest zero).
#[inline(always)]
fn addr16<const N: usize>(a: [u8; N]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let mut i = 0;
    while i < N && i < 16 {
        out[i] = a[i];
        i += 1;
    }
    out
}

/// The packet's source and destination addresses for its log event, read
/// at pkt.saddr (saddr and daddr are next to each other in both IP
/// headers); zero if they no longer fit (cannot happen).
#[inline(always)]
fn addresses(xdp: &Xdp, pkt: &xf_pkt) -> ([u8; 16], [u8; 16]) {
    if pkt.family == 4 {
        if let Some(a) = xdp.ipv4_addrs(pkt.saddr) {
            return (addr16(a.saddr), addr16(a.daddr));
        }
    } else if pkt.family == 6 {
        if let Some(a) = xdp.ipv6_addrs(pkt.saddr) {
            return (a.saddr, a.daddr);
        }
    }
    ([0; 16], [0; 16])
}

/// Sends a dropped packet of rule id (without XF_ID_LOG) to the drop log,
/// within the rule's rate, with the reason it dropped (XF_R_DROPPED: the
/// rule; XF_R_LIMITED: beyond its limit); events beyond the rate are
/// counted as suppressed instead.
#[inline(always)]
fn log_drop(xdp: &Xdp, pkt: &xf_pkt, id: u32, bytes: u64, reason: u32) {
    let Some(b) = XF_RLOG.lookup(id) else {
        return;
    };
    let rate = b.read(field!(xf_rlog, rate));
    if rate == 0 {
        return; // user space has not set the bucket up
    }
    let now = xf_rt::ktime_get_ns();
    if !log_allowed(&b, rate, now) {
        return;
    }
    let Some(ev) = XF_LOG.reserve() else {
        log_suppressed(&b); // the reader is too slow
        return;
    };
    let (saddr, daddr) = addresses(xdp, pkt);
    ev.submit(xf_event {
        ts_ns: now,
        ifindex: xdp.ingress_ifindex(),
        rule: id,
        suppressed: b.swap(field!(xf_rlog, unreported), 0) as u32,
        len: bytes as u32,
        family: pkt.family,
        l4: pkt.l4,
        sport: pkt.sport,
        dport: pkt.dport,
        reason: reason as u8,
        pad: 0,
        saddr,
        daddr,
    });
}

/// GCRA (abi.rs, "Rate limits"): may one more packet through the bucket
/// whose theoretical arrival time is the field tat of b, at now? If so
/// the packet takes its token: tat moves by one interval, by
/// compare-and-swap against the other CPUs; a packet that loses
/// XF_LIMIT_TRIES races is refused, so a bucket never lets more than its
/// rate and burst through (xdp_filter.c's bucket_take()). No overflow:
/// times are below 2^63 and burst below 2^54 (abi.rs).
#[inline(always)]
fn bucket_take<V: Pod>(
    b: &MapValue<V>,
    tat: Field<V, u64>,
    now: u64,
    interval: u64,
    burst: u64,
) -> bool {
    let mut old = b.read(tat);
    let mut i = 0;
    while i < XF_LIMIT_TRIES {
        let next = old.max(now).wrapping_add(interval);
        if next > now.wrapping_add(burst) {
            return false; // no token
        }
        match b.compare_exchange(tat, old, next) {
            Ok(_) => return true,
            Err(seen) => old = seen, // another CPU took one
        }
        i += 1;
    }
    false
}

/// The first len bits of a 64-bit word set (len 0: none, 64 or more: all).
#[inline(always)]
fn prefix_mask64(len: u32) -> u64 {
    if len == 0 {
        0
    } else if len >= 64 {
        !0
    } else {
        !0 << (64 - len)
    }
}

/// The packet's source masked to the rule's prefix length for its family
/// (plen4, plen6, at most the address's length), as a per-source bucket
/// key holds it: network order, IPv4 in the first 4 bytes; `None` when the
/// address is not in the frame (cannot happen: the parser checked the IP
/// header). xdp_filter.c's source_key().
#[inline(always)]
fn source_addr(xdp: &Xdp, pkt: &xf_pkt, plen4: u8, plen6: u8) -> Option<[u8; 16]> {
    if pkt.family == 4 {
        let a = xdp.ipv4_addrs(pkt.saddr)?;
        let m = (prefix_mask64((plen4 as u32).min(32)) >> 32) as u32;
        return Some(addr16((u32::from_be_bytes(a.saddr) & m).to_be_bytes()));
    }
    if pkt.family != 6 {
        return None;
    }
    let a = xdp.ipv6_addrs(pkt.saddr)?;
    let len = (plen6 as u32).min(128);
    let m = (prefix_mask64(len) as u128) << 64 | prefix_mask64(len.saturating_sub(64)) as u128;
    Some((u128::from_be_bytes(a.saddr) & m).to_be_bytes())
}

/// The per-source bucket of the packet for limit rule rid (whose xf_limit
/// entry is l): takes a token from it, making it (full, less this
/// packet's token) when the source is new. No per-source table (cannot
/// happen: user space makes it before a slot points at the rule): no
/// token. xdp_filter.c's source_take().
#[inline(always)]
fn source_take(
    xdp: &Xdp,
    pkt: &xf_pkt,
    rid: u32,
    l: &MapValue<xf_limit>,
    now: u64,
    interval: u64,
    burst: u64,
) -> bool {
    let Some(table) = XF_LSRC.get(0) else {
        return false;
    };
    let plen4 = l.read(field!(xf_limit, plen4));
    let Some(addr) = source_addr(xdp, pkt, plen4, l.read(field!(xf_limit, plen6))) else {
        return false;
    };
    let key = xf_lsrc_key {
        rule: rid,
        r#gen: l.read(field!(xf_limit, r#gen)),
        family: pkt.family,
        pad: [0; 3],
        addr,
    };
    let tat = field!(xf_lsrc, tat);
    if let Some(b) = table.lookup(&key) {
        return bucket_take(&b, tat, now, interval, burst);
    }
    let fresh = xf_lsrc { tat: now.wrapping_add(interval) };
    if table.insert(&key, &fresh, BPF_NOEXIST).is_ok() {
        return true; // a new source
    }
    // Another CPU made it.
    table.lookup(&key).is_some_and(|b| bucket_take(&b, tat, now, interval, burst))
}

/// Does the packet get a token from limit rule rid's bucket (the rule's,
/// or its source's with per-source)? No xf_limit entry (cannot happen): no.
#[inline(always)]
fn limit_take(xdp: &Xdp, pkt: &xf_pkt, rid: u32) -> bool {
    let Some(l) = XF_LIMIT.lookup(rid) else {
        return false;
    };
    let now = if l.read(field!(xf_limit, coarse)) != 0 {
        xf_rt::ktime_get_coarse_ns()
    } else {
        xf_rt::ktime_get_ns()
    };
    let interval = l.read(field!(xf_limit, interval_ns));
    let burst = l.read(field!(xf_limit, burst_ns));
    if l.read(field!(xf_limit, per_source)) != 0 {
        return source_take(xdp, pkt, rid, &l, now, interval, burst);
    }
    bucket_take(&l, field!(xf_limit, tat), now, interval, burst)
}

/// A packet that limit rule id matched (DESIGN.md, "Rate limits"): a new
/// TCP flow or a UDP datagram passes as the rule's while its bucket has a
/// token, and drops as limited beyond (xf_rlimited and XF_R_LIMITED, never
/// xf_rcount; logged if the rule logs); another TCP segment takes no token
/// and passes as the rule's, or with stateful (the stateful allow policy
/// in the state tier) is judged as if no rule matched: `None`.
/// xdp_filter.c's limit_verdict().
#[inline(always)]
fn limit_verdict(
    xdp: &Xdp,
    pkt: &xf_pkt,
    id: u32,
    bytes: u64,
    stateful: bool,
) -> Option<XdpAction> {
    let rid = id & XF_ID_MASK;
    let mut ok = true;

    if pkt.l4 == IPPROTO_TCP && !pkt.new_flow {
        if stateful {
            return None;
        }
    } else {
        ok = limit_take(xdp, pkt, rid);
    }
    if ok {
        xf_count_rule(id, bytes);
        return Some(xf_reason(XF_R_ALLOWED, bytes, XdpAction::Pass));
    }
    XF_RLIMITED.count(rid, bytes);
    if id & XF_ID_LOG != 0 {
        log_drop(xdp, pkt, rid, bytes, XF_R_LIMITED);
    }
    Some(xf_reason(XF_R_LIMITED, bytes, XdpAction::Drop))
}

/// The full tier: the rule set xf_config names (read once per packet:
/// apply switches it with one write, so the packet sees one whole set),
/// prefixes, the allow policy, the drop log, rate limits. FAST: the fast path for the
/// common frames before the strict parser (xf_full); xdp_filter's own
/// copy, which runs only while no tier is active, has the strict parser
/// alone, which the verifier checks in fewer steps. CT: the state tier
/// (xf_state), which asks conntrack when the set's allow policy is
/// stateful; without it a stateful set is gated as a stateless one (only
/// until user space has moved the interfaces to the state tier, see
/// xf_tiers.c).
#[inline(always)]
fn filter_full<const FAST: bool, const CT: bool>(xdp: &Xdp) -> XdpAction {
    let mut pkt = xf_pkt::new(xdp);

    let reason = if FAST { xf_parse_frame(xdp, &mut pkt) } else { xf_parse_strict(xdp, &mut pkt) };
    // The frame's bytes: an IP length past the first buffer made the
    // parser count them all; no header told a non-IP frame's length.
    let bytes = if reason == XF_R_NON_IP { xdp.count_all() } else { xdp.len() };
    if reason == XF_R_MALFORMED {
        return xf_reason(reason, bytes, XdpAction::Drop); // cut or invalid
    }
    if reason == XF_R_NON_IP {
        return xf_reason(reason, bytes, XdpAction::Pass); // ARP, 3rd tag, ...
    }
    let Some(cfg) = XF_CONFIG.lookup(0) else {
        return xf_reason(reason, bytes, XdpAction::Pass); // cannot happen
    };
    let set = cfg.read(field!(xf_config, set)) & 1;
    let Some(s) = field!(xf_config, sets).at(set) else {
        return xf_reason(reason, bytes, XdpAction::Pass); // cannot happen
    };
    let s = cfg.read(s);

    let pidx = if pkt.l4 == IPPROTO_TCP { XF_P_TCP } else { XF_P_UDP };
    let mut id = 0;
    if s.setmask != 0 {
        // most rule sets have none
        let setver = cfg.read(field!(xf_config, setver));
        id = source_set_rule(xdp, &pkt, reason == XF_R_PASSED, pidx, &s, set, setver);
    }
    if id == 0 {
        id = prefix_rule(xdp, &pkt, reason == XF_R_PASSED, pidx, &s, set);
    }
    if id == 0 && reason == XF_R_PASSED {
        id = xf_port_rule(set, XF_DIR_DST, pidx, pkt.dport);
        if id == 0 && s.nsrc != 0 {
            // most rule sets have none
            id = xf_port_rule(set, XF_DIR_SRC, pidx, pkt.sport);
        }
    }
    if id & XF_ID_LIMIT != 0 {
        // The stateful allow policy, in the state tier.
        let both = XF_CFG_ALLOW | XF_CFG_STATEFUL;
        let stateful = CT && s.flags & both == both;
        if let Some(verdict) = limit_verdict(xdp, &pkt, id, bytes, stateful) {
            return verdict;
        }
        id = 0; // judged as unlisted
    }
    if s.flags & XF_CFG_ALLOW == 0 {
        if id == 0 {
            return xf_reason(reason, bytes, XdpAction::Pass); // no rule
        }
        xf_count_rule(id, bytes);
        if id & XF_ID_LOG != 0 {
            log_drop(xdp, &pkt, id & XF_ID_MASK, bytes, XF_R_DROPPED);
        }
        return XdpAction::Drop; // deny rule
    }
    if id != 0 {
        xf_count_rule(id, bytes);
        return xf_reason(XF_R_ALLOWED, bytes, XdpAction::Pass); // allow rule
    }
    if reason != XF_R_PASSED {
        return xf_reason(reason, bytes, XdpAction::Pass); // not gated
    }
    if CT && s.flags & XF_CFG_STATEFUL != 0 {
        return stateful_verdict(xdp, &pkt, &s, bytes);
    }
    if allow_unlisted(&pkt, &s) {
        return xf_reason(reason, bytes, XdpAction::Pass); // stateless
    }
    xf_reason(XF_R_POLICY, bytes, XdpAction::Drop) // unlisted flow
}

/// The lighter tiers' parser (xdp_filter.c's parse_light()): the common
/// frames through the fast path, their reason; every other frame goes to
/// the full tier (xf_full, or xf_full_sb for the single-buffer twins: SB),
/// and None cannot happen.
#[inline(always)]
fn parse_light<const SB: bool>(xdp: &Xdp, pkt: &mut xf_pkt) -> Option<u32> {
    let reason = xf_parse_fast(xdp, pkt);
    if reason.is_none() {
        if SB {
            XF_PROGS_SB.tail_call::<XF_PROG_FULL_SLOT>(xdp);
        } else {
            XF_PROGS.tail_call::<XF_PROG_FULL_SLOT>(xdp);
        }
        // Cannot happen: user space makes a lighter tier active only with
        // the full tier's program loaded.
    }
    reason
}

/// A lighter tier's verdict on a packet of rule id (0: none), deny policy
/// (xdp_filter.c's deny_verdict()).
#[inline(always)]
fn deny_verdict(id: u32, reason: u32, bytes: u64) -> XdpAction {
    if id == 0 {
        return xf_reason(reason, bytes, XdpAction::Pass); // no rule
    }
    xf_count_rule(id, bytes);
    XdpAction::Drop // deny rule
}

/// The port tiers: tier TIER (below XF_TIER_SETS) for rule set SET, both
/// built in; deny policy; destination port rules, and source port rules
/// when the tier serves them (XF_TIER_USES). xdp_filter.c's
/// filter_ports(ctx, set, src, sb), with set, src and sb compile-time
/// constants.
#[inline(always)]
fn filter_ports<const TIER: u32, const SET: u32, const SB: bool>(xdp: &Xdp) -> XdpAction {
    let src = const {
        assert!(TIER < XF_TIER_SETS && SET < XF_SETS);
        XF_TIER_USES[TIER as usize] & XF_USES_SRC != 0
    };
    let bytes = xdp.len();
    let mut pkt = xf_pkt::new(xdp);

    let Some(reason) = parse_light::<SB>(xdp, &mut pkt) else {
        return XdpAction::Aborted;
    };
    if reason == XF_R_MALFORMED {
        return xf_reason(reason, bytes, XdpAction::Drop); // cut or invalid
    }
    if reason != XF_R_PASSED {
        return xf_reason(reason, bytes, XdpAction::Pass); // no ports: pass
    }
    let pidx = if pkt.l4 == IPPROTO_TCP { XF_P_TCP } else { XF_P_UDP };
    let mut id = xf_port_rule(SET, XF_DIR_DST, pidx, pkt.dport);
    if id == 0 && src {
        id = xf_port_rule(SET, XF_DIR_SRC, pidx, pkt.sport);
    }
    deny_verdict(id, reason, bytes)
}

/// The set tier (xdp_filter.c's filter_sets()): rule set SET, built in;
/// deny policy, port rules and rules from source sets, consulted in the
/// full tier's order (sets, then ports).
#[inline(always)]
fn filter_sets<const TIER: u32, const SET: u32, const SB: bool>(xdp: &Xdp) -> XdpAction {
    const { assert!(TIER == XF_TIER_SETS && SET < XF_SETS) };
    let bytes = xdp.len();
    let mut pkt = xf_pkt::new(xdp);

    let Some(reason) = parse_light::<SB>(xdp, &mut pkt) else {
        return XdpAction::Aborted;
    };
    if reason == XF_R_MALFORMED {
        return xf_reason(reason, bytes, XdpAction::Drop); // cut or invalid
    }
    let Some(cfg) = XF_CONFIG.lookup(0) else {
        return xf_reason(reason, bytes, XdpAction::Pass); // cannot happen
    };
    let Some(s) = field!(xf_config, sets).at(SET) else {
        return xf_reason(reason, bytes, XdpAction::Pass); // cannot happen
    };
    let s = cfg.read(s);
    let pidx = if pkt.l4 == IPPROTO_TCP { XF_P_TCP } else { XF_P_UDP };
    let mut id = 0;
    if s.setmask != 0 {
        let setver = cfg.read(field!(xf_config, setver));
        id = tier_set_rule(xdp, &pkt, reason == XF_R_PASSED, pidx, &s, SET, setver);
    }
    if id == 0 && reason == XF_R_PASSED {
        id = xf_port_rule(SET, XF_DIR_DST, pidx, pkt.dport);
        if id == 0 && s.nsrc != 0 {
            id = xf_port_rule(SET, XF_DIR_SRC, pidx, pkt.sport);
        }
    }
    deny_verdict(id, reason, bytes)
}

/// What an interface attached with ip(8) runs: the active tier, or else
/// the full filter.
/// The frame is taken from the context again after the tail call, as the
/// C program reads ctx->data only in filter_full(): 6.12.117's verifier
/// forgets packet pointers across a tail call (see ProgArray::tail_call).
#[inline(always)]
fn dispatch(xdp: &Xdp) -> XdpAction {
    let xdp = XF_PROGS.tail_call::<XF_PROG_ACTIVE>(xdp);
    filter_full::<false, false>(&xdp) // no tier active: all of it
}

/// The same for generic mode, single-buffer (xdp_filter_sb, section xdp):
/// the tiers loaded single-buffer, in xf_progs_sb.
#[inline(always)]
fn dispatch_sb(xdp: &Xdp) -> XdpAction {
    let xdp = XF_PROGS_SB.tail_call::<XF_PROG_ACTIVE>(xdp);
    filter_full::<false, false>(&xdp)
}

/// The full tier's program, in its slot of xf_progs.
#[inline(always)]
fn full(xdp: &Xdp) -> XdpAction {
    filter_full::<true, false>(xdp)
}

/// The state tier's program: the full tier, and the stateful allow
/// policy's lookups.
#[inline(always)]
fn state(xdp: &Xdp) -> XdpAction {
    filter_full::<true, true>(xdp)
}

/// Emits the program of tier $tier for rule set $set, named $name (the body
/// $filter: filter_ports or filter_sets), and its
/// single-buffer twin $name_sb in section xdp, after checking at compile
/// time that the names are XF_PROG_NAMES[$tier][$set] and
/// XF_PROG_NAMES_SB[$tier][$set] (the names rulectl looks them up by).
macro_rules! tier_program {
    ($name:ident, $name_sb:ident, $filter:ident, $tier:expr, $set:expr) => {
        const _: () = assert!(
            str_eq(stringify!($name), XF_PROG_NAMES[$tier as usize][$set as usize])
                && str_eq(stringify!($name_sb), XF_PROG_NAMES_SB[$tier as usize][$set as usize]),
            "program name differs from XF_PROG_NAMES"
        );
        xf_rt::xdp_program!($name, $filter::<{ $tier }, { $set }, false>);
        xf_rt::xdp_program!($name_sb, $filter::<{ $tier }, { $set }, true>, "xdp");
    };
}

// The programs, in xdp_filter.c's order, in section xdp.frags (to
// tail-call each other, programs must agree on multi-buffer support), and
// their single-buffer twins (..._sb) in section xdp: xdp_filter_sb, the
// dispatcher for generic mode, and the tiers it reaches through
// xf_progs_sb.
// xdp_filter must be the first in the section, so that "ip link ... obj
// xdp_filter_rs.o sec xdp.frags" and the
// test tools, which take an object's first XDP program, pick it. Source
// order does not decide that here: rustc emits a crate's functions sorted
// by symbol name (so "xdp_filter" < "xf_..."), and build.sh fails if
// xdp_filter is not at offset 0 of section xdp.frags.
const _: () = {
    let full = XF_PROG_NAMES[XF_TIER_FULL as usize];
    assert!(str_eq(stringify!(xdp_filter), XF_PROG_DISPATCH));
    assert!(str_eq(stringify!(xdp_filter_sb), XF_PROG_DISPATCH_SB));
    assert!(str_eq(stringify!(xf_full), full[0]) && str_eq(stringify!(xf_full), full[1]));
    let full_sb = XF_PROG_NAMES_SB[XF_TIER_FULL as usize];
    assert!(str_eq(stringify!(xf_full_sb), full_sb[0]) && str_eq(stringify!(xf_full_sb), full_sb[1]));
    let state = XF_PROG_NAMES[XF_TIER_STATE as usize];
    assert!(str_eq(stringify!(xf_state), state[0]) && str_eq(stringify!(xf_state), state[1]));
    let state_sb = XF_PROG_NAMES_SB[XF_TIER_STATE as usize];
    assert!(str_eq(stringify!(xf_state_sb), state_sb[0]));
    assert!(str_eq(stringify!(xf_state_sb), state_sb[1]));
};
xf_rt::xdp_program!(xdp_filter, dispatch);
xf_rt::xdp_program!(xdp_filter_sb, dispatch_sb, "xdp");
xf_rt::xdp_program!(xf_full, full);
xf_rt::xdp_program!(xf_full_sb, full, "xdp");
xf_rt::xdp_program!(xf_state, state);
xf_rt::xdp_program!(xf_state_sb, state, "xdp");
tier_program!(xf_dst_s0, xf_dst_s0_sb, filter_ports, XF_TIER_DST, 0);
tier_program!(xf_dst_s1, xf_dst_s1_sb, filter_ports, XF_TIER_DST, 1);
tier_program!(xf_ports_s0, xf_ports_s0_sb, filter_ports, XF_TIER_PORTS, 0);
tier_program!(xf_ports_s1, xf_ports_s1_sb, filter_ports, XF_TIER_PORTS, 1);
tier_program!(xf_sets_s0, xf_sets_s0_sb, filter_sets, XF_TIER_SETS, 0);
tier_program!(xf_sets_s1, xf_sets_s1_sb, filter_sets, XF_TIER_SETS, 1);
xf_rt::license!("GPL");
