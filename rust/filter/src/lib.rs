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
//! reason in xf_stats, and a matching rule also in its xf_rcount slot.
//!
//! No `unsafe` here: packet reads, maps and the entry point come from the
//! runtime crate `xf_rt`. The parsers return `Err(Malformed)` where the C
//! parsers in parsing.h return -1.
#![no_std]
#![forbid(unsafe_code)]

pub mod abi;

use abi::*;
use xf_rt::{
    Be16, Cursor, Xdp, XdpAction, ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, IPPROTO_AH,
    IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_TCP,
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
    /// Port rules: slot (dir, proto, port) -> rule id.
    pub XF_PORTS: Array<u32, xf_port>[XF_PORT_SLOTS] = xf_ports as xf_ports_def;
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
    pub XF_RDESC: Array<u32, xf_rdesc>[XF_MAX_RULES] = xf_rdesc as xf_rdesc_def;
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
/// tail may be Ethernet padding. Returns the L3 summary and the source
/// address.
#[inline(always)]
fn parse_ipv4(xdp: &Xdp, at: &mut Cursor) -> Result<(L3, [u8; 4]), Malformed> {
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
    let l3 = L3 {
        proto: iph.protocol,
        later_frag: iph.frag_off.any(XF_IP_OFFSET),
        ip_len: tot_len as i64,
    };
    Ok((l3, iph.saddr))
}

/// IPv6 fixed header. Invalid: version != 6; truncated: payload_len beyond
/// the frame (no jumbograms: an XDP frame is never that large). Returns the
/// header plus payload_len, the next header and the source address; the
/// caller walks the extension headers (parse_ipv6_ext()).
#[inline(always)]
fn parse_ipv6(xdp: &Xdp, at: &mut Cursor) -> Result<(u32, u8, [u8; 16]), Malformed> {
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
    Ok((len, ip6h.nexthdr, ip6h.saddr))
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
#[derive(Default)]
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
    /// Source address as an LPM key.
    src4: xf_lpm4,
    src6: xf_lpm6,
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
        let Ok((l3, saddr)) = parse_ipv4(xdp, &mut at) else {
            return XF_R_MALFORMED; // cut, bad version/ihl/length
        };
        pkt.family = 4;
        pkt.src4 = xf_lpm4 { prefixlen: 32, addr: saddr };
        l3
    } else if eth_type == Be16::from_host(ETH_P_IPV6) {
        let Ok((len, nexthdr, saddr)) = parse_ipv6(xdp, &mut at) else {
            return XF_R_MALFORMED; // cut, bad version/payload_len
        };
        pkt.family = 6;
        pkt.src6 = xf_lpm6 { prefixlen: 128, addr: saddr };
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

/// Rule id of the port slot (dir, proto, port), or 0.
#[inline(always)]
fn port_rule(dir: u32, pidx: u32, port: Be16) -> u32 {
    let slot = xf_slot(dir, pidx, port.get());
    XF_PORTS.get(slot).map_or(0, |p| p.id)
}

/// Rule id of a prefix's port slot, or 0.
#[inline(always)]
fn pport_rule(pid: u32, dir: u32, pidx: u32, port: Be16) -> u32 {
    let key = xf_pport { pid, slot: xf_slot(dir, pidx, port.get()) };
    XF_PPORTS.get(key).map_or(0, |p| p.id)
}

/// Rule id that matches the packet's source prefix, or 0. Only the longest
/// prefix with rules is consulted: it wins outright.
#[inline(always)]
fn prefix_rule(pkt: &xf_pkt, has_ports: bool, pidx: u32, cfg: &xf_config) -> u32 {
    let pfx = if pkt.family == 4 && cfg.nprefix4 != 0 {
        XF_PFX4.get(&pkt.src4)
    } else if pkt.family == 6 && cfg.nprefix6 != 0 {
        XF_PFX6.get(&pkt.src6)
    } else {
        None
    };
    let Some(pfx) = pfx else {
        return 0; // no prefix rules: fast path
    };
    if pfx.any_id != 0 {
        return pfx.any_id;
    }
    if !has_ports {
        return 0;
    }
    let id = pport_rule(pfx.pid, XF_DIR_DST, pidx, pkt.dport);
    if id != 0 {
        return id;
    }
    pport_rule(pfx.pid, XF_DIR_SRC, pidx, pkt.sport)
}

/// Allow policy, no rule matched a TCP/UDP packet: does it still pass?
#[inline(always)]
fn allow_unlisted(pkt: &xf_pkt, cfg: &xf_config) -> bool {
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
    let mut pkt = xf_pkt::default();

    let reason = parse_frame(xdp, &mut pkt);
    if reason == XF_R_MALFORMED {
        return verdict(reason, bytes, XdpAction::Drop); // cut or invalid
    }
    if reason == XF_R_NON_IP {
        return verdict(reason, bytes, XdpAction::Pass); // ARP, 3rd tag, ...
    }
    let Some(cfg) = XF_CONFIG.get(0) else {
        return verdict(reason, bytes, XdpAction::Pass); // cannot happen
    };

    let pidx = if pkt.l4 == IPPROTO_TCP { XF_P_TCP } else { XF_P_UDP };
    let mut id = prefix_rule(&pkt, reason == XF_R_PASSED, pidx, &cfg);
    if id == 0 && reason == XF_R_PASSED {
        id = port_rule(XF_DIR_DST, pidx, pkt.dport);
        if id == 0 && cfg.nsrc != 0 {
            // most rule sets have none
            id = port_rule(XF_DIR_SRC, pidx, pkt.sport);
        }
    }
    if id != 0 {
        XF_RCOUNT.count(id, bytes);
    }

    if cfg.flags & XF_CFG_ALLOW == 0 {
        if id == 0 {
            return verdict(reason, bytes, XdpAction::Pass); // no rule
        }
        return verdict(XF_R_DROPPED, bytes, XdpAction::Drop); // deny rule
    }
    if id != 0 {
        return verdict(XF_R_ALLOWED, bytes, XdpAction::Pass); // allow rule
    }
    if reason != XF_R_PASSED || allow_unlisted(&pkt, &cfg) {
        return verdict(reason, bytes, XdpAction::Pass); // not gated
    }
    verdict(XF_R_POLICY, bytes, XdpAction::Drop) // unlisted flow
}
