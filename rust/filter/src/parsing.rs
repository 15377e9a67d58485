// SPDX-License-Identifier: GPL-2.0
//! Bounds-checked header parsers (parsing.h): a frame down to what the rules
//! look at (`xf_pkt`). Parsing only: what the program decides is lib.rs's,
//! the maps are maps.rs's.
//!
//! xf_parse_frame() takes the common frames (untagged IPv4 without options
//! or fragment offset, IPv6 with TCP or UDP right after the fixed header)
//! through a fast path, and every other frame through the strict parser
//! (xf_parse_strict()); both give every frame the same reason and fields.
//!
//! Each xf_parse_*() step reads its header only through `xf_rt::Xdp`, which
//! checks it against data_end first (the check the verifier demands), and
//! returns `Err(Malformed)` where parsing.h returns -1: the header is
//! truncated or invalid. Every loop has a constant bound. The fast path's
//! functions return `None` where parsing.h's return -1: not a frame for
//! the fast path, the strict parser takes it.

use crate::abi::*;
use xf_rt::{
    Be16, Cursor, Xdp, ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP, ETH_P_IPV6, IPPROTO_AH,
    IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_TCP, IPPROTO_UDP,
};

/// 802.1Q and 802.1ad (QinQ) tags walked.
const XF_VLAN_MAX: usize = 2;
/// IPv6 extension headers walked.
const XF_IPV6_EXT_MAX: usize = 8;
/// IPv4 fragment offset mask.
const XF_IP_OFFSET: u16 = 0x1fff;
/// IPv6 fragment offset mask.
const XF_IP6_OFFSET: u16 = 0xfff8;
/// Ethernet header length (`ETH_HLEN`).
const ETH_HLEN: u16 = 14;

/// A truncated or invalid header: the frame is dropped as malformed.
struct Malformed;

/// What the program needs to know of a packet, filled by xf_parse_frame()
/// (parsing.h's `struct xf_pkt`).
#[allow(non_camel_case_types)]
pub(crate) struct xf_pkt {
    /// IP protocol; valid when family != 0.
    pub l4: u8,
    /// TCP/UDP ports, when parsed.
    pub sport: Be16,
    pub dport: Be16,
    /// UDP, or TCP with SYN set and ACK clear.
    pub new_flow: bool,
    /// 4 or 6 once an IP header parsed.
    pub family: u8,
    /// The source address, inside the packet, when family != 0 (the
    /// destination follows it in both IP headers): an LPM key is made from
    /// it only when a prefix rule of its family exists, and a drop log
    /// event reads both. Nothing is copied for the packets that need
    /// neither.
    pub saddr: Cursor,
}

impl xf_pkt {
    /// Nothing parsed yet (`struct xf_pkt pkt = {}`).
    #[inline(always)]
    pub(crate) fn new(xdp: &Xdp) -> xf_pkt {
        xf_pkt {
            l4: 0,
            sport: Be16::default(),
            dport: Be16::default(),
            new_flow: false,
            family: 0,
            saddr: xdp.start(),
        }
    }
}

#[inline(always)]
fn xf_is_vlan(proto: Be16) -> bool {
    proto == Be16::from_host(ETH_P_8021Q) || proto == Be16::from_host(ETH_P_8021AD)
}

/// Ethernet and up to XF_VLAN_MAX VLAN tags. Returns the EtherType after the
/// tags; a third tag is returned as is, so the caller treats it as non-IP.
#[inline(always)]
fn xf_parse_eth(xdp: &Xdp, c: &mut Cursor) -> Result<Be16, Malformed> {
    let eth = xdp.eth_header(*c).ok_or(Malformed)?;
    *c = c.after::<xf_rt::ethhdr>();
    let mut proto = eth.h_proto;
    for _ in 0..XF_VLAN_MAX {
        if !xf_is_vlan(proto) {
            break;
        }
        let vh = xdp.vlan_header(*c).ok_or(Malformed)?;
        proto = vh.h_vlan_encapsulated_proto;
        *c = c.after::<xf_rt::vlan_hdr>();
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
/// and truncated: tot_len beyond the frame, all its buffers counted (the
/// kernel drops those too).
/// The L4 header must fit inside tot_len, not just inside the frame, whose
/// tail may be Ethernet padding. Returns the L3 summary.
#[inline(always)]
fn xf_parse_ipv4(xdp: &Xdp, c: &mut Cursor) -> Result<L3, Malformed> {
    let iph = xdp.ip_header(*c).ok_or(Malformed)?; // fixed part first...
    if iph.version() != 4 {
        return Err(Malformed);
    }
    let len = iph.ihl() as u16 * 4;
    if (len as usize) < core::mem::size_of::<xf_rt::iphdr>() {
        return Err(Malformed);
    }
    let opts_end = xdp.advance(*c, len).ok_or(Malformed)?; // ...then the options
    let tot_len = iph.tot_len.get_bounded(); // bounded: pointer math
    if tot_len < len as u32 || !xdp.fits_frame(*c, tot_len) {
        return Err(Malformed);
    }
    *c = opts_end;
    Ok(L3 {
        proto: iph.protocol,
        later_frag: iph.frag_off.any(XF_IP_OFFSET),
        ip_len: tot_len as i64,
    })
}

/// IPv6 fixed header. Invalid: version != 6; truncated: payload_len beyond
/// the frame, all its buffers counted (no jumbograms: an XDP frame is never that large). Returns the
/// header plus payload_len and the next header; the caller walks the
/// extension headers (xf_parse_ipv6_ext()).
#[inline(always)]
fn xf_parse_ipv6(xdp: &Xdp, c: &mut Cursor) -> Result<(u32, u8), Malformed> {
    let ip6h = xdp.ipv6_header(*c).ok_or(Malformed)?;
    if ip6h.version() != 6 {
        return Err(Malformed);
    }
    // bounded: pointer math
    let len = core::mem::size_of::<xf_rt::ipv6hdr>() as u32 + ip6h.payload_len.get_bounded();
    if !xdp.fits_frame(*c, len) {
        return Err(Malformed);
    }
    *c = c.after::<xf_rt::ipv6hdr>();
    Ok((len, ip6h.nexthdr))
}

/// Walks hop-by-hop, routing, destination options, fragment and AH headers,
/// at most XF_IPV6_EXT_MAX of them, and returns (upper-layer protocol, later
/// fragment). A fragment header with a non-zero offset stops the walk: what
/// follows is payload. A header that runs past the frame is malformed, and
/// so is a chain longer than the bound: we fail closed rather than let a
/// padded chain carry a packet past its rule.
#[inline(always)]
fn xf_parse_ipv6_ext(xdp: &Xdp, c: &mut Cursor, mut nexthdr: u8) -> Result<(u8, bool), Malformed> {
    for _ in 0..XF_IPV6_EXT_MAX {
        match nexthdr {
            IPPROTO_HOPOPTS | IPPROTO_ROUTING | IPPROTO_DSTOPTS => {
                let opt = xdp.ipv6_opt_header(*c).ok_or(Malformed)?;
                nexthdr = opt.nexthdr;
                *c = xdp.advance(*c, (opt.hdrlen as u16 + 1) * 8).ok_or(Malformed)?;
            }
            IPPROTO_AH => {
                let opt = xdp.ipv6_opt_header(*c).ok_or(Malformed)?;
                nexthdr = opt.nexthdr;
                *c = xdp.advance(*c, (opt.hdrlen as u16 + 2) * 4).ok_or(Malformed)?;
            }
            IPPROTO_FRAGMENT => {
                let fh = xdp.frag_header(*c).ok_or(Malformed)?;
                if fh.frag_off.any(XF_IP6_OFFSET) {
                    // past the header, so one beyond payload_len is caught
                    *c = c.after::<xf_rt::frag_hdr>();
                    return Ok((fh.nexthdr, true));
                }
                nexthdr = fh.nexthdr;
                *c = c.after::<xf_rt::frag_hdr>();
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
/// in the frame or in the room the IP length leaves.
#[inline(always)]
fn xf_parse_tcp(xdp: &Xdp, c: Cursor, room: i64, pkt: &mut xf_pkt) -> Result<(), Malformed> {
    let th = xdp.tcp_header(c).ok_or(Malformed)?;
    let len = th.doff() as u16 * 4;
    if (len as usize) < core::mem::size_of::<xf_rt::tcphdr>() {
        return Err(Malformed);
    }
    xdp.advance(c, len).ok_or(Malformed)?;
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
fn xf_parse_udp(xdp: &Xdp, c: Cursor, room: i64, pkt: &mut xf_pkt) -> Result<(), Malformed> {
    let uh = xdp.udp_header(c).ok_or(Malformed)?;
    if core::mem::size_of::<xf_rt::udphdr>() as i64 > room {
        return Err(Malformed);
    }
    pkt.sport = uh.source;
    pkt.dport = uh.dest;
    pkt.new_flow = true;
    Ok(())
}

/// The strict parser: Ethernet, up to two VLAN tags, IPv4 or IPv6 with
/// extension headers, then TCP or UDP. Returns XF_R_PASSED when the port
/// rules can decide (pkt has the ports), or the reason that stands unless a
/// prefix rule decides: XF_R_FRAGMENT and XF_R_OTHER_L4 (pkt has the family
/// and source address), XF_R_NON_IP, XF_R_MALFORMED.
#[inline(always)]
pub(crate) fn xf_parse_strict(xdp: &Xdp, pkt: &mut xf_pkt) -> u32 {
    let mut c = xdp.start();

    let Ok(eth_type) = xf_parse_eth(xdp, &mut c) else {
        return XF_R_MALFORMED; // runt, or a cut tag
    };

    let l3 = c;
    let ip = if eth_type == Be16::from_host(ETH_P_IP) {
        let Ok(ip) = xf_parse_ipv4(xdp, &mut c) else {
            return XF_R_MALFORMED; // cut, bad version/ihl/length
        };
        pkt.family = 4;
        pkt.saddr = l3.skip(12); // &iph->saddr
        ip
    } else if eth_type == Be16::from_host(ETH_P_IPV6) {
        let Ok((len, nexthdr)) = xf_parse_ipv6(xdp, &mut c) else {
            return XF_R_MALFORMED; // cut, bad version/payload_len
        };
        pkt.family = 6;
        pkt.saddr = l3.skip(8); // &ip6h->saddr
        let Ok((proto, later_frag)) = xf_parse_ipv6_ext(xdp, &mut c, nexthdr) else {
            return XF_R_MALFORMED; // cut, 9+ ext headers
        };
        L3 { proto, later_frag, ip_len: len as i64 }
    } else {
        return XF_R_NON_IP; // ARP, a 3rd tag, ...: pass
    };
    pkt.l4 = ip.proto;

    // What the IP length leaves for L4: negative when IPv6 extension
    // headers run past payload_len.
    let room = ip.ip_len - c.since(l3);
    if room < 0 {
        return XF_R_MALFORMED; // ext headers past length
    }
    if ip.later_frag {
        return XF_R_FRAGMENT; // no ports in it
    }

    let l4 = match ip.proto {
        IPPROTO_TCP => xf_parse_tcp(xdp, c, room, pkt), // cut, doff < 5
        IPPROTO_UDP => xf_parse_udp(xdp, c, room, pkt), // cut header
        _ => return XF_R_OTHER_L4,                      // ICMP, ...
    };
    match l4 {
        Ok(()) => XF_R_PASSED, // the rules decide
        Err(Malformed) => XF_R_MALFORMED,
    }
}

/// The fast path's TCP or UDP header at l4, with room bytes of the IP
/// length left for it: xf_parse_tcp()'s and xf_parse_udp()'s checks.
#[inline(always)]
fn xf_fast_l4(xdp: &Xdp, l4: Cursor, proto: u8, room: i64, pkt: &mut xf_pkt) -> u32 {
    pkt.l4 = proto;
    let parsed = if proto == IPPROTO_UDP {
        xf_parse_udp(xdp, l4, room, pkt)
    } else {
        xf_parse_tcp(xdp, l4, room, pkt)
    };
    match parsed {
        Ok(()) => XF_R_PASSED,
        Err(Malformed) => XF_R_MALFORMED,
    }
}

/// Untagged IPv4 with ihl 5 and fragment offset 0: version and ihl (byte
/// 0) and the offset (bytes 6 and 7) of the header's first 8 bytes, read
/// as one little-endian u64, must be 0x45 and 0 under this mask.
const XF_V4_FAST_MASK: u64 = 0xff | 0xff1f << 48;
const _: () = assert!(cfg!(target_endian = "little"), "XF_V4_FAST_MASK is little-endian");

/// Untagged IPv4 with ihl 5 and fragment offset 0 (version, ihl and the
/// offset in one 64-bit load and one compare), whose frame holds Ethernet,
/// IP and 8 more bytes (the caller checked); `None` for any other frame.
#[inline(always)]
fn xf_fast_ipv4(xdp: &Xdp, iph: Cursor, pkt: &mut xf_pkt) -> Option<u32> {
    let w = xdp.word64(iph)?;
    if w & XF_V4_FAST_MASK != 0x45 {
        return None;
    }
    let tot = Be16::from_wire((w >> 16) as u16).get_bounded(); // see xf_parse_ipv4()
    const IPH: u32 = core::mem::size_of::<xf_rt::iphdr>() as u32;
    if !xdp.fits(iph, tot) {
        return None; // cut, or in more buffers
    }
    if tot < IPH {
        return Some(XF_R_MALFORMED); // shorter than ihl
    }
    let proto = xdp.ip_header(iph)?.protocol;
    pkt.family = 4;
    pkt.saddr = iph.skip(12); // &iph->saddr
    if proto != IPPROTO_UDP && proto != IPPROTO_TCP {
        pkt.l4 = proto;
        return Some(XF_R_OTHER_L4);
    }
    Some(xf_fast_l4(xdp, iph.after::<xf_rt::iphdr>(), proto, (tot - IPH) as i64, pkt))
}

/// IPv6 with TCP or UDP right after the fixed header; `None` for any other.
#[inline(always)]
fn xf_fast_ipv6(xdp: &Xdp, ip6h: Cursor, pkt: &mut xf_pkt) -> Option<u32> {
    const IP6H: u16 = core::mem::size_of::<xf_rt::ipv6hdr>() as u16;
    const UDPH: u16 = core::mem::size_of::<xf_rt::udphdr>() as u16;
    xdp.advance(ip6h, IP6H + UDPH)?;
    let h = xdp.ipv6_header(ip6h)?;
    let proto = h.nexthdr;
    if h.version() != 6 || (proto != IPPROTO_UDP && proto != IPPROTO_TCP) {
        return None;
    }
    let len = h.payload_len.get_bounded(); // see xf_parse_ipv4()
    let l4 = ip6h.after::<xf_rt::ipv6hdr>();
    if !xdp.fits(l4, len) {
        return None; // cut, or in more buffers
    }
    pkt.family = 6;
    pkt.saddr = ip6h.skip(8); // &ip6h->saddr
    Some(xf_fast_l4(xdp, l4, proto, len as i64, pkt))
}

/// The fast path's frames: untagged IPv4 or IPv6 whose frame holds
/// Ethernet, an IPv4 header and 8 more bytes; `None` for any other.
#[inline(always)]
pub(crate) fn xf_parse_fast(xdp: &Xdp, pkt: &mut xf_pkt) -> Option<u32> {
    const IPH: u16 = core::mem::size_of::<xf_rt::iphdr>() as u16;
    const UDPH: u16 = core::mem::size_of::<xf_rt::udphdr>() as u16;
    let l3 = xdp.start().skip(ETH_HLEN);

    xdp.advance(l3, IPH + UDPH)?;
    let proto = xdp.eth_header(xdp.start())?.h_proto;
    if proto == Be16::from_host(ETH_P_IP) {
        xf_fast_ipv4(xdp, l3, pkt)
    } else if proto == Be16::from_host(ETH_P_IPV6) {
        xf_fast_ipv6(xdp, l3, pkt)
    } else {
        None
    }
}

/// A frame down to its ports: the common frames through the fast path, the
/// rest through xf_parse_strict(); the same reason and pkt either way.
#[inline(always)]
pub(crate) fn xf_parse_frame(xdp: &Xdp, pkt: &mut xf_pkt) -> u32 {
    match xf_parse_fast(xdp, pkt) {
        Some(reason) => reason,
        None => xf_parse_strict(xdp, pkt),
    }
}
