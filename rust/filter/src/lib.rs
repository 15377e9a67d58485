// SPDX-License-Identifier: GPL-2.0
//! xdp_filter in safe Rust - drop or allow TCP/UDP packets by port,
//! protocol and source prefix, at the XDP hook. The same program as
//! xdp_filter.c (and parsing.h), on the same pinned maps, function for
//! function.
//!
//! Policy (DESIGN.md, "Rule semantics"): a packet matches when the longest
//! source prefix that has rules matches it (all of it, or its port), or when
//! a port rule matches its destination or source port. Deny policy (the
//! default): a match drops, the rest passes. Allow policy: for TCP and UDP,
//! only new flows (TCP SYN without ACK, UDP) are gated: a match passes, UDP
//! to the ephemeral range and DHCP pass, the rest drops; other TCP segments,
//! ICMP and everything not TCP/UDP pass. In both, non-IP frames pass and a
//! truncated or invalid header drops. Every packet is counted under one
//! reason in xf_stats, and a matching rule also in its xf_rcount slot. A
//! deny rule that logs (XF_ID_LOG) also sends the packets it drops to the
//! drop log (xf_log), within its rate (xf_rlog).
//!
//! Two rule sets live side by side (xdp_filter.h): each packet reads
//! xf_config.set once and uses that set's policy, port slots and prefixes.
//!
//! No `unsafe` here: packet reads, maps and the entry point come from the
//! runtime crate `xf_rt`. The parsers return `Err(Malformed)` where the C
//! parsers in parsing.h return -1.
#![no_std]
#![forbid(unsafe_code)]

pub mod abi;

use abi::*;
use xf_rt::{
    field, Be16, Cursor, MapValue, Xdp, XdpAction, ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6,
    IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_TCP,
    IPPROTO_UDP,
};

/// 802.1Q and 802.1ad (QinQ) tags walked.
const XF_VLAN_MAX: usize = 2;
/// IPv6 extension headers walked.
const XF_IPV6_EXT_MAX: usize = 8;
/// IPv4 fragment offset mask.
const XF_IP_OFFSET: u16 = 0x1fff;
/// IPv6 fragment offset mask.
const XF_IP6_OFFSET: u16 = 0xfff8;

// The maps, in xdp_filter.c's order and with its definitions.
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

xf_rt::xdp_program!(xdp_filter, filter);
xf_rt::license!("GPL");

/// A truncated or invalid header: the frame is dropped as malformed.
struct Malformed;

#[inline(always)]
fn is_vlan(proto: Be16) -> bool {
    proto == Be16::from_host(ETH_P_8021Q) || proto == Be16::from_host(ETH_P_8021AD)
}

/// Ethernet and up to XF_VLAN_MAX VLAN tags. Returns the EtherType after the
/// tags; a third tag is returned as is, so the caller treats it as non-IP.
#[inline(always)]
fn parse_eth(xdp: &Xdp, at: &mut Cursor) -> Result<Be16, Malformed> {
    let eth = xdp.eth_header(*at).ok_or(Malformed)?;
    *at = at.after::<xf_rt::ethhdr>();
    let mut proto = eth.h_proto;
    for _ in 0..XF_VLAN_MAX {
        if !is_vlan(proto) {
            break;
        }
        let vh = xdp.vlan_header(*at).ok_or(Malformed)?;
        proto = vh.h_vlan_encapsulated_proto;
        *at = at.after::<xf_rt::vlan_hdr>();
    }
    Ok(proto)
}

/// What an IP header leaves to the rest of the parse.
struct L3 {
    /// Upper-layer protocol (after the IPv6 extension headers).
    proto: u8,
    /// A later fragment: no L4 header in it.
    later_frag: bool,
    /// Bytes the IP length covers from the start of the IP header.
    ip_len: i64,
}

/// IPv4 with options. Invalid: version != 4, ihl < 5, tot_len < ihl * 4,
/// and truncated: tot_len beyond the frame (the kernel drops those too).
/// The L4 header must fit inside tot_len, not just inside the frame, whose
/// tail may be Ethernet padding. Returns the L3 summary.
#[inline(always)]
fn parse_ipv4(xdp: &Xdp, at: &mut Cursor) -> Result<L3, Malformed> {
    let iph = xdp.ip_header(*at).ok_or(Malformed)?; // fixed part first...
    if iph.version() != 4 {
        return Err(Malformed);
    }
    let len = iph.ihl() as u16 * 4;
    if (len as usize) < core::mem::size_of::<xf_rt::iphdr>() {
        return Err(Malformed);
    }
    let opts_end = xdp.advance(*at, len).ok_or(Malformed)?; // ...then the options
    let tot_len = iph.tot_len.get_bounded(); // bounded: pointer math
    if tot_len < len as u32 || !xdp.fits(*at, tot_len) {
        return Err(Malformed);
    }
    *at = opts_end;
    Ok(L3 {
        proto: iph.protocol,
        later_frag: iph.frag_off.any(XF_IP_OFFSET),
        ip_len: tot_len as i64,
    })
}

/// IPv6 fixed header. Invalid: version != 6; truncated: payload_len beyond
/// the frame (no jumbograms: an XDP frame is never that large). Returns the
/// header plus payload_len and the next header; the caller walks the
/// extension headers (parse_ipv6_ext()).
#[inline(always)]
fn parse_ipv6(xdp: &Xdp, at: &mut Cursor) -> Result<(u32, u8), Malformed> {
    let ip6h = xdp.ipv6_header(*at).ok_or(Malformed)?;
    if ip6h.version() != 6 {
        return Err(Malformed);
    }
    // bounded: pointer math
    let len = core::mem::size_of::<xf_rt::ipv6hdr>() as u32 + ip6h.payload_len.get_bounded();
    if !xdp.fits(*at, len) {
        return Err(Malformed);
    }
    *at = at.after::<xf_rt::ipv6hdr>();
    Ok((len, ip6h.nexthdr))
}

/// Walks hop-by-hop, routing, destination options, fragment and AH headers,
/// at most XF_IPV6_EXT_MAX of them, and returns (upper-layer protocol, later
/// fragment). A fragment header with a non-zero offset stops the walk: what
/// follows is payload. A header that runs past the frame is malformed, and
/// so is a chain longer than the bound: we fail closed rather than let a
/// padded chain carry a packet past its rule.
#[inline(always)]
fn parse_ipv6_ext(xdp: &Xdp, at: &mut Cursor, mut nexthdr: u8) -> Result<(u8, bool), Malformed> {
    for _ in 0..XF_IPV6_EXT_MAX {
        match nexthdr {
            IPPROTO_HOPOPTS | IPPROTO_ROUTING | IPPROTO_DSTOPTS => {
                let opt = xdp.ipv6_opt_header(*at).ok_or(Malformed)?;
                nexthdr = opt.nexthdr;
                *at = xdp.advance(*at, (opt.hdrlen as u16 + 1) * 8).ok_or(Malformed)?;
            }
            IPPROTO_AH => {
                let opt = xdp.ipv6_opt_header(*at).ok_or(Malformed)?;
                nexthdr = opt.nexthdr;
                *at = xdp.advance(*at, (opt.hdrlen as u16 + 2) * 4).ok_or(Malformed)?;
            }
            IPPROTO_FRAGMENT => {
                let fh = xdp.frag_header(*at).ok_or(Malformed)?;
                if fh.frag_off.any(XF_IP6_OFFSET) {
                    // past the header, so one beyond payload_len is caught
                    *at = at.after::<xf_rt::frag_hdr>();
                    return Ok((fh.nexthdr, true));
                }
                nexthdr = fh.nexthdr;
                *at = at.after::<xf_rt::frag_hdr>();
            }
            _ => return Ok((nexthdr, false)),
        }
    }
    match nexthdr {
        // All XF_IPV6_EXT_MAX were headers: the chain is longer than the bound.
        IPPROTO_HOPOPTS | IPPROTO_ROUTING | IPPROTO_DSTOPTS | IPPROTO_AH | IPPROTO_FRAGMENT => {
            Err(Malformed)
        }
        _ => Ok((nexthdr, false)),
    }
}

/// What the program needs to know of a packet, filled by parse_frame()
/// (parsing.h's `struct xf_pkt`).
#[allow(non_camel_case_types)]
struct xf_pkt {
    /// IP protocol; valid when family != 0.
    l4: u8,
    /// TCP/UDP ports, when parsed.
    sport: Be16,
    dport: Be16,
    /// UDP, or TCP with SYN set and ACK clear.
    new_flow: bool,
    /// 4 or 6 once an IP header parsed.
    family: u8,
    /// The IP header, when family != 0 (C keeps pkt->saddr): the source is
    /// read from it again for an LPM key, only when its family has prefix
    /// rules, and both addresses for a drop log event. Nothing is copied
    /// for the packets that need neither.
    l3: Cursor,
}

impl xf_pkt {
    /// Nothing parsed yet (`struct xf_pkt pkt = {}`).
    #[inline(always)]
    fn new(xdp: &Xdp) -> xf_pkt {
        xf_pkt {
            l4: 0,
            sport: Be16::default(),
            dport: Be16::default(),
            new_flow: false,
            family: 0,
            l3: xdp.start(),
        }
    }
}

/// TCP with options. Invalid: doff < 5; truncated: the header does not fit
/// in the frame or in the room the IP length leaves.
#[inline(always)]
fn parse_tcp(xdp: &Xdp, at: Cursor, room: i64, pkt: &mut xf_pkt) -> Result<(), Malformed> {
    let th = xdp.tcp_header(at).ok_or(Malformed)?;
    let len = th.doff() as u16 * 4;
    if (len as usize) < core::mem::size_of::<xf_rt::tcphdr>() {
        return Err(Malformed);
    }
    xdp.advance(at, len).ok_or(Malformed)?;
    if len as i64 > room {
        return Err(Malformed);
    }
    pkt.sport = th.source;
    pkt.dport = th.dest;
    pkt.new_flow = th.syn() && !th.ack();
    Ok(())
}

/// UDP. Truncated: the header does not fit in the frame or in room.
#[inline(always)]
fn parse_udp(xdp: &Xdp, at: Cursor, room: i64, pkt: &mut xf_pkt) -> Result<(), Malformed> {
    let uh = xdp.udp_header(at).ok_or(Malformed)?;
    if core::mem::size_of::<xf_rt::udphdr>() as i64 > room {
        return Err(Malformed);
    }
    pkt.sport = uh.source;
    pkt.dport = uh.dest;
    pkt.new_flow = true;
    Ok(())
}

/// Parses a frame down to its TCP/UDP ports: Ethernet, up to two VLAN tags,
/// IPv4 or IPv6 with extension headers, then TCP or UDP. Returns
/// XF_R_PASSED when the port rules can decide (pkt has the ports), or the
/// reason that stands unless a prefix rule decides: XF_R_FRAGMENT and
/// XF_R_OTHER_L4 (pkt has the family and source address), XF_R_NON_IP,
/// XF_R_MALFORMED - parsing.h's parse_frame().
#[inline(always)]
fn parse_frame(xdp: &Xdp, pkt: &mut xf_pkt) -> u32 {
    let mut at = xdp.start();

    let Ok(eth_type) = parse_eth(xdp, &mut at) else {
        return XF_R_MALFORMED; // runt, or a cut tag
    };

    let l3_start = at;
    let l3 = if eth_type == Be16::from_host(ETH_P_IP) {
        let Ok(l3) = parse_ipv4(xdp, &mut at) else {
            return XF_R_MALFORMED; // cut, bad version/ihl/length
        };
        pkt.family = 4;
        pkt.l3 = l3_start;
        l3
    } else if eth_type == Be16::from_host(ETH_P_IPV6) {
        let Ok((len, nexthdr)) = parse_ipv6(xdp, &mut at) else {
            return XF_R_MALFORMED; // cut, bad version/payload_len
        };
        pkt.family = 6;
        pkt.l3 = l3_start;
        let Ok((proto, later_frag)) = parse_ipv6_ext(xdp, &mut at, nexthdr) else {
            return XF_R_MALFORMED; // cut, 9+ ext headers
        };
        L3 { proto, later_frag, ip_len: len as i64 }
    } else {
        return XF_R_NON_IP; // ARP, a 3rd tag, ...: pass
    };
    pkt.l4 = l3.proto;

    // What the IP length leaves for L4: negative when IPv6 extension
    // headers run past payload_len.
    let room = l3.ip_len - at.since(l3_start);
    if room < 0 {
        return XF_R_MALFORMED; // ext headers past length
    }
    if l3.later_frag {
        return XF_R_FRAGMENT; // no ports in it
    }

    let l4 = match l3.proto {
        IPPROTO_TCP => parse_tcp(xdp, at, room, pkt), // cut, doff < 5
        IPPROTO_UDP => parse_udp(xdp, at, room, pkt), // cut header
        _ => return XF_R_OTHER_L4,                    // ICMP, ...
    };
    match l4 {
        Ok(()) => XF_R_PASSED, // the rules decide
        Err(Malformed) => XF_R_MALFORMED,
    }
}

/// Counts the packet under `reason` and returns `action`.
#[inline(always)]
fn verdict(reason: u32, bytes: u64, action: XdpAction) -> XdpAction {
    XF_STATS.count(reason, bytes);
    action
}

/// The packet's source as an LPM key of rule set nset, for the trie of
/// its family (parsing.h's src_key()): made only when that trie is looked
/// at. The IP header was checked when parsed; the verifier wants it again.
#[inline(always)]
fn src_key4(xdp: &Xdp, pkt: &xf_pkt, nset: u32) -> Option<xf_lpm4> {
    let iph = xdp.ip_header(pkt.l3)?;
    Some(xf_lpm4 { prefixlen: XF_LPM_SET_BITS + 32, set: nset as u8, addr: iph.saddr, pad: [0; 3] })
}

#[inline(always)]
fn src_key6(xdp: &Xdp, pkt: &xf_pkt, nset: u32) -> Option<xf_lpm6> {
    let ip6h = xdp.ipv6_header(pkt.l3)?;
    Some(xf_lpm6 {
        prefixlen: XF_LPM_SET_BITS + 128,
        set: nset as u8,
        addr: ip6h.saddr,
        pad: [0; 3],
    })
}

/// The trie entry of the longest prefix with rules that holds the packet's
/// source in rule set nset (whose settings are set), or None; the trie of
/// a family without prefix rules is not looked at (bpf_maps.h's
/// prefix_lookup()).
#[inline(always)]
fn prefix_lookup(xdp: &Xdp, pkt: &xf_pkt, set: &xf_set, nset: u32) -> Option<xf_pfx> {
    if pkt.family == 4 && set.nprefix4 != 0 {
        return XF_PFX4.get(&src_key4(xdp, pkt, nset)?);
    }
    if pkt.family == 6 && set.nprefix6 != 0 {
        return XF_PFX6.get(&src_key6(xdp, pkt, nset)?);
    }
    None
}

/// Rule id of the port slot (dir, proto, port) of rule set nset, or 0.
#[inline(always)]
fn port_rule(nset: u32, dir: u32, pidx: u32, port: Be16) -> u32 {
    let slot = xf_set_slot(nset, xf_slot(dir, pidx, port.get()));
    XF_PORTS.get(slot).map_or(0, |p| p.id)
}

/// Rule id of a prefix's port slot in rule set nset, or 0.
#[inline(always)]
fn pport_rule(prefix_id: u32, nset: u32, dir: u32, pidx: u32, port: Be16) -> u32 {
    let key = xf_pport { prefix_id, slot: xf_set_slot(nset, xf_slot(dir, pidx, port.get())) };
    XF_PPORTS.get(key).map_or(0, |p| p.id)
}

/// Rule id that matches the packet's source prefix, or 0. Only the longest
/// prefix with rules is consulted: it wins outright.
#[inline(always)]
fn prefix_rule(
    xdp: &Xdp,
    pkt: &xf_pkt,
    has_ports: bool,
    pidx: u32,
    set: &xf_set,
    nset: u32,
) -> u32 {
    let Some(pfx) = prefix_lookup(xdp, pkt, set, nset) else {
        return 0; // no prefix rules: fast path
    };
    if pfx.any_id != 0 {
        return pfx.any_id;
    }
    if !has_ports {
        return 0;
    }
    let id = pport_rule(pfx.prefix_id, nset, XF_DIR_DST, pidx, pkt.dport);
    if id != 0 {
        return id;
    }
    pport_rule(pfx.prefix_id, nset, XF_DIR_SRC, pidx, pkt.sport)
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

/// The packet's source and destination addresses for its log event, from
/// the IP header again (zero if it no longer fits: cannot happen).
#[inline(always)]
fn addresses(xdp: &Xdp, pkt: &xf_pkt) -> ([u8; 16], [u8; 16]) {
    if pkt.family == 4 {
        if let Some(iph) = xdp.ip_header(pkt.l3) {
            return (addr16(iph.saddr), addr16(iph.daddr));
        }
    } else if pkt.family == 6 {
        if let Some(ip6h) = xdp.ipv6_header(pkt.l3) {
            return (ip6h.saddr, ip6h.daddr);
        }
    }
    ([0; 16], [0; 16])
}

/// Sends a dropped packet of rule id (without XF_ID_LOG) to the drop log,
/// within the rule's rate; events beyond it are counted as suppressed
/// instead.
#[inline(always)]
fn log_drop(xdp: &Xdp, pkt: &xf_pkt, id: u32, bytes: u64) {
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
        pad: 0,
        saddr,
        daddr,
    });
}

/// Allow policy, no rule matched a TCP/UDP packet: does it still pass?
#[inline(always)]
fn allow_unlisted(pkt: &xf_pkt, cfg: &xf_set) -> bool {
    let dport = pkt.dport.get();

    if !pkt.new_flow {
        return true; // TCP past its SYN: replies, open flows
    }
    if pkt.l4 != IPPROTO_UDP {
        return false;
    }
    if dport >= cfg.eph_lo && dport <= cfg.eph_hi {
        return true; // replies to the host's own requests
    }
    if cfg.flags & XF_CFG_NO_DHCP == 0 && matches!(dport, 67 | 68 | 546 | 547) {
        return true; // DHCP and DHCPv6
    }
    false
}

#[inline(always)]
fn filter(xdp: &Xdp) -> XdpAction {
    let bytes = xdp.len();
    let mut pkt = xf_pkt::new(xdp);

    let reason = parse_frame(xdp, &mut pkt);
    if reason == XF_R_MALFORMED {
        return verdict(reason, bytes, XdpAction::Drop); // cut or invalid
    }
    if reason == XF_R_NON_IP {
        return verdict(reason, bytes, XdpAction::Pass); // ARP, 3rd tag, ...
    }
    let Some(cfg) = XF_CONFIG.lookup(0) else {
        return verdict(reason, bytes, XdpAction::Pass); // cannot happen
    };
    // The rule set this packet uses, read once: apply switches it with one
    // write, so the packet sees one whole set.
    let nset = cfg.read(field!(xf_config, set)) & 1;
    let Some(set) = field!(xf_config, sets).at(nset) else {
        return verdict(reason, bytes, XdpAction::Pass); // cannot happen
    };
    let set = cfg.read(set);

    let pidx = if pkt.l4 == IPPROTO_TCP { XF_P_TCP } else { XF_P_UDP };
    let mut id = prefix_rule(xdp, &pkt, reason == XF_R_PASSED, pidx, &set, nset);
    if id == 0 && reason == XF_R_PASSED {
        id = port_rule(nset, XF_DIR_DST, pidx, pkt.dport);
        if id == 0 && set.nsrc != 0 {
            // most rule sets have none
            id = port_rule(nset, XF_DIR_SRC, pidx, pkt.sport);
        }
    }
    if id != 0 {
        XF_RCOUNT.count(id & XF_ID_MASK, bytes);
    }

    if set.flags & XF_CFG_ALLOW == 0 {
        if id == 0 {
            return verdict(reason, bytes, XdpAction::Pass); // no rule
        }
        if id & XF_ID_LOG != 0 {
            log_drop(xdp, &pkt, id & XF_ID_MASK, bytes);
        }
        return verdict(XF_R_DROPPED, bytes, XdpAction::Drop); // deny rule
    }
    if id != 0 {
        return verdict(XF_R_ALLOWED, bytes, XdpAction::Pass); // allow rule
    }
    if reason != XF_R_PASSED || allow_unlisted(&pkt, &set) {
        return verdict(reason, bytes, XdpAction::Pass); // not gated
    }
    verdict(XF_R_POLICY, bytes, XdpAction::Drop) // unlisted flow
}
