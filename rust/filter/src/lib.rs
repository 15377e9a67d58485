// SPDX-License-Identifier: GPL-2.0
//! xdp_filter in safe Rust - drop TCP/UDP packets whose destination port has
//! a rule. The same program as xdp_filter.c, on the same pinned maps.
//!
//! Policy (DESIGN.md, "Rule semantics"): a TCP or UDP packet whose
//! (protocol, destination port) has a rule is dropped, everything else
//! passes. Non-IP frames, other L4 protocols and later fragments pass; a
//! truncated or invalid Ethernet/VLAN/IP/TCP/UDP header is dropped. Every
//! packet is counted under one reason in xf_stats; a rule drop is also
//! counted in the rule's own slot of xf_rcount.
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

xf_rt::xdp_map! {
    /// The verdict table, one slot per (protocol, port).
    pub XF_RULES: Array<u32, xf_rule>[XF_RULE_SLOTS] = xf_rules as xf_rules_def;
}
xf_rt::xdp_map! {
    /// Per rule counters, same slots as xf_rules.
    pub XF_RCOUNT: PerCpuArray<u32, xf_count>[XF_RULE_SLOTS] = xf_rcount as xf_rcount_def;
}
xf_rt::xdp_map! {
    /// Per reason counters.
    pub XF_STATS: PerCpuArray<u32, xf_count>[XF_R_MAX] = xf_stats as xf_stats_def;
}
xf_rt::xdp_map! {
    /// ABI stamp, written by rulectl; declared so the pin exists.
    pub XF_CONFIG: Array<u32, xf_config>[1] = xf_config as xf_config_def;
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
/// tail may be Ethernet padding.
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
/// the frame (no jumbograms: an XDP frame is never that large). Then the
/// extension headers.
#[inline(always)]
fn parse_ipv6(xdp: &Xdp, at: &mut Cursor) -> Result<L3, Malformed> {
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
    let (proto, later_frag) = parse_ipv6_ext(xdp, at, ip6h.nexthdr)?;
    Ok(L3 { proto, later_frag, ip_len: len as i64 })
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

/// TCP with options. Invalid: doff < 5; truncated: the header does not fit
/// in the frame or in the room the IP length leaves. Returns the destination
/// port.
#[inline(always)]
fn parse_tcp(xdp: &Xdp, at: Cursor, room: i64) -> Result<Be16, Malformed> {
    let th = xdp.tcp_header(at).ok_or(Malformed)?;
    let len = th.doff() as u16 * 4;
    if (len as usize) < core::mem::size_of::<xf_rt::tcphdr>() {
        return Err(Malformed);
    }
    xdp.advance(at, len).ok_or(Malformed)?;
    if len as i64 > room {
        return Err(Malformed);
    }
    Ok(th.dest)
}

/// UDP. Truncated: the header does not fit in the frame or in room. Returns
/// the destination port.
#[inline(always)]
fn parse_udp(xdp: &Xdp, at: Cursor, room: i64) -> Result<Be16, Malformed> {
    let uh = xdp.udp_header(at).ok_or(Malformed)?;
    if core::mem::size_of::<xf_rt::udphdr>() as i64 > room {
        return Err(Malformed);
    }
    Ok(uh.dest)
}

/// Parses a frame down to its TCP/UDP destination port: Ethernet, up to two
/// VLAN tags, IPv4 or IPv6 with extension headers, then TCP or UDP. Returns
/// (protocol index, destination port) when the rules decide, or Err(the
/// reason that decides the frame without them) - xdp_filter.c's
/// parse_frame().
#[inline(always)]
fn parse_frame(xdp: &Xdp) -> Result<(u32, Be16), u32> {
    let mut at = xdp.start();

    let Ok(eth_type) = parse_eth(xdp, &mut at) else {
        return Err(XF_R_MALFORMED); // runt, or a cut tag
    };

    let l3_start = at;
    let l3 = if eth_type == Be16::from_host(ETH_P_IP) {
        parse_ipv4(xdp, &mut at) // cut, bad version/ihl/length
    } else if eth_type == Be16::from_host(ETH_P_IPV6) {
        parse_ipv6(xdp, &mut at) // cut, bad version/length, 9+ ext headers
    } else {
        return Err(XF_R_NON_IP); // ARP, a 3rd tag, ...: pass
    };
    let Ok(l3) = l3 else {
        return Err(XF_R_MALFORMED);
    };

    // What the IP length leaves for L4: negative when IPv6 extension
    // headers run past payload_len.
    let room = l3.ip_len - at.since(l3_start);
    if room < 0 {
        return Err(XF_R_MALFORMED); // ext headers past length
    }
    if l3.later_frag {
        return Err(XF_R_FRAGMENT); // no ports in it: pass
    }

    let (pidx, dport) = match l3.proto {
        IPPROTO_TCP => (XF_P_TCP, parse_tcp(xdp, at, room)), // cut, doff < 5
        IPPROTO_UDP => (XF_P_UDP, parse_udp(xdp, at, room)), // cut header
        _ => return Err(XF_R_OTHER_L4),                      // ICMP, ...: pass
    };
    match dport {
        Ok(dport) => Ok((pidx, dport)), // the rules decide
        Err(Malformed) => Err(XF_R_MALFORMED),
    }
}

/// Counts the packet under `reason` and returns `action`.
#[inline(always)]
fn verdict(reason: u32, bytes: u64, action: XdpAction) -> XdpAction {
    XF_STATS.count(reason, bytes);
    action
}

#[inline(always)]
fn filter(xdp: &Xdp) -> XdpAction {
    let bytes = xdp.len();

    let (pidx, dport) = match parse_frame(xdp) {
        Ok(found) => found,
        Err(XF_R_MALFORMED) => return verdict(XF_R_MALFORMED, bytes, XdpAction::Drop),
        Err(reason) => return verdict(reason, bytes, XdpAction::Pass), // see parse_frame()
    };

    let slot = xf_slot(pidx, dport.get());
    match XF_RULES.get(slot) {
        Some(rule) if rule.flags & XF_RULE_DROP != 0 => {}
        _ => return verdict(XF_R_PASSED, bytes, XdpAction::Pass), // no rule: pass
    }

    XF_RCOUNT.count(slot, bytes);
    verdict(XF_R_DROPPED, bytes, XdpAction::Drop) // rule matched
}
