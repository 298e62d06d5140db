//! What hosts and routers share at layer 3: an addressed interface, ARP on it, next-hop
//! output with fragmentation (RFC 791 §3.2), and building ICMP errors (RFC 792, RFC 1122
//! §3.2.2: never in answer to an ICMP error, a fragment other than the first, or a broadcast).

use super::arp::{ArpAction, ArpCache};
use super::NodeEnv;
use crate::scenario::Cidr;
use crate::trace::{AppCall, EventKind, IfaceInfo};
use crate::wire::{
    ArpOp, ArpRepr, EtherType, EthernetRepr, Frame, FramePayload, IcmpRepr, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr,
    MacAddr, Transport,
};

/// An interface with an IPv4 address.
#[derive(Debug, Clone)]
pub struct L3Iface {
    /// The link it is on.
    pub link: u16,
    /// Its MAC address.
    pub mac: MacAddr,
    /// Its address and prefix.
    pub cidr: Cidr,
    /// The link's MTU.
    pub mtu: u16,
}

impl L3Iface {
    /// For the trace's topology table.
    pub fn info(&self) -> IfaceInfo {
        IfaceInfo { link: self.link, mac: self.mac, ip: Some((self.cidr.addr, self.cidr.prefix)) }
    }
}

/// A broadcast ARP request for `target` (RFC 826: THA zero, destination ff:ff:ff:ff:ff:ff).
pub fn arp_request(iface: &L3Iface, target: Ipv4Addr) -> Frame {
    Frame {
        eth: EthernetRepr { dst: MacAddr::BROADCAST, src: iface.mac, ethertype: EtherType::ARP },
        payload: FramePayload::Arp(ArpRepr {
            op: ArpOp::Request,
            sender_mac: iface.mac,
            sender_ip: iface.cidr.addr,
            target_mac: MacAddr::ZERO,
            target_ip: target,
        }),
    }
}

/// Handle an ARP message that arrived on interface `idx`. Learns the sender (RFC 826's merge
/// step, and always when we are the target), answers a request for our address, and sends the
/// packets that were waiting for this neighbour.
pub fn on_arp(env: &mut NodeEnv, idx: usize, iface: &L3Iface, cache: &mut ArpCache, arp: &ArpRepr) {
    let for_us = arp.target_ip == iface.cidr.addr;
    if for_us || cache.knows(arp.sender_ip) {
        let (new, waiting) = cache.learn(arp.sender_ip, arp.sender_mac);
        if new {
            env.event(EventKind::ArpLearned { node: env.node, ip: arp.sender_ip, mac: arp.sender_mac });
        }
        for (i, pkt) in waiting {
            emit_ipv4(env, i, iface, arp.sender_mac, pkt);
        }
    }
    if for_us && arp.op == ArpOp::Request {
        env.out.push((
            idx,
            Frame {
                eth: EthernetRepr { dst: arp.sender_mac, src: iface.mac, ethertype: EtherType::ARP },
                payload: FramePayload::Arp(ArpRepr {
                    op: ArpOp::Reply,
                    sender_mac: iface.mac,
                    sender_ip: iface.cidr.addr,
                    target_mac: arp.sender_mac,
                    target_ip: arp.sender_ip,
                }),
            },
        ));
    }
}

fn emit_ipv4(env: &mut NodeEnv, idx: usize, iface: &L3Iface, dst_mac: MacAddr, pkt: Ipv4Packet) {
    env.out.push((
        idx,
        Frame {
            eth: EthernetRepr { dst: dst_mac, src: iface.mac, ethertype: EtherType::IPV4 },
            payload: FramePayload::Ipv4(pkt),
        },
    ));
}

/// Length of `pkt` on the wire at layer 3.
pub fn ip_len(pkt: &Ipv4Packet) -> usize {
    pkt.buffer_len()
}

/// Why a packet could not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// Larger than the MTU with DF set; carries the MTU.
    TooBig(u16),
}

/// Send `pkt` out of interface `idx` towards `next_hop`: fragment it if it is too big and DF
/// is clear, resolve the next hop's MAC with ARP (holding the packet meanwhile), and frame it.
pub fn send_via(
    env: &mut NodeEnv,
    idx: usize,
    iface: &L3Iface,
    cache: &mut ArpCache,
    next_hop: Ipv4Addr,
    pkt: Ipv4Packet,
) -> Result<(), SendError> {
    let fits = quick_fits(&pkt, iface.mtu) || ip_len(&pkt) <= iface.mtu as usize;
    let pieces = if fits {
        vec![pkt]
    } else if pkt.ip.dont_frag {
        return Err(SendError::TooBig(iface.mtu));
    } else {
        pkt.fragment(iface.mtu)
    };
    for piece in pieces {
        match cache.lookup(next_hop) {
            Some(mac) => emit_ipv4(env, idx, iface, mac, piece),
            None => {
                let (req, dropped) = cache.hold(env.now, idx, next_hop, piece);
                if let Some(ArpAction::Request { target, .. }) = req {
                    env.out.push((idx, arp_request(iface, target)));
                }
                if dropped.is_some() {
                    env.event(EventKind::App {
                        node: env.node,
                        call: AppCall::Note { text: format!("packet to {next_hop} dropped: ARP queue full") },
                    });
                }
            }
        }
    }
    Ok(())
}

/// A cheap upper bound: headers can add at most 20 (IP) + 60 (TCP) bytes to the payload.
fn quick_fits(pkt: &Ipv4Packet, mtu: u16) -> bool {
    let payload = match &pkt.transport {
        Transport::Tcp(t) => t.payload.len(),
        Transport::Udp(u) => u.payload.len(),
        Transport::Icmp(IcmpRepr::EchoRequest { data, .. } | IcmpRepr::EchoReply { data, .. }) => data.len(),
        Transport::Icmp(IcmpRepr::DestUnreachable { original, .. } | IcmpRepr::TimeExceeded { original, .. }) => {
            original.len()
        }
        Transport::Fragment(b) | Transport::Other(b) => b.len(),
    };
    payload + 80 <= mtu as usize
}

/// Run ARP's retry timers; report give-ups as notes.
pub fn poll_arp(env: &mut NodeEnv, ifaces: &[L3Iface], cache: &mut ArpCache) {
    for action in cache.poll(env.now) {
        match action {
            ArpAction::Request { iface, target } => {
                if let Some(i) = ifaces.get(iface) {
                    env.out.push((iface, arp_request(i, target)));
                }
            }
            ArpAction::Failed { target, packets } => env.event(EventKind::App {
                node: env.node,
                call: AppCall::Note {
                    text: format!("ARP for {target} got no answer: {} packet(s) dropped", packets.len()),
                },
            }),
        }
    }
}

/// May we answer `ip_bytes` (the offending datagram) with an ICMP error? RFC 1122 §3.2.2:
/// not for ICMP errors, not for non-first fragments, not for broadcast or multicast.
pub fn may_send_icmp_error(pkt: &Ipv4Packet) -> bool {
    if pkt.ip.frag_offset != 0 || pkt.ip.dst.is_broadcast() || pkt.ip.dst.is_multicast() {
        return false;
    }
    !matches!(&pkt.transport, Transport::Icmp(IcmpRepr::DestUnreachable { .. } | IcmpRepr::TimeExceeded { .. }))
}

/// An ICMP error from `src` back to the sender of `offending` (whose bytes are quoted).
pub fn icmp_error(
    src: Ipv4Addr,
    offending: &Ipv4Packet,
    offending_bytes: &[u8],
    kind: IcmpErrorKind,
    ident: u16,
) -> Ipv4Packet {
    let original = IcmpRepr::quote(offending_bytes);
    let icmp = match kind {
        IcmpErrorKind::TtlExceeded => IcmpRepr::TimeExceeded { code: 0, original },
        IcmpErrorKind::ReassemblyTimeout => IcmpRepr::TimeExceeded { code: 1, original },
        IcmpErrorKind::Unreachable(code) => IcmpRepr::DestUnreachable { code, next_hop_mtu: 0, original },
        IcmpErrorKind::FragNeeded(mtu) => {
            IcmpRepr::DestUnreachable { code: crate::wire::icmp::code::FRAG_NEEDED, next_hop_mtu: mtu, original }
        }
    };
    let tos = (((offending.ip.dscp << 2) | offending.ip.ecn) & 0x1E) | IPTOS_PREC_INTERNETCONTROL;
    Ipv4Packet {
        // Linux's ICMP errors leave DF clear (observed, docs/fidelity.md §7, §10.3) and use TTL 64.
        // Their TOS is the offending packet's `RT_TOS` bits with the precedence "internetwork
        // control" added (`__icmp_send`: `RT_TOS(tos) | IPTOS_PREC_INTERNETCONTROL`,
        // `RT_TOS(x)` = `x & 0x1E`): 0xc0 for ordinary traffic.
        ip: Ipv4Repr {
            src,
            dst: offending.ip.src,
            protocol: IpProtocol::ICMP,
            ttl: crate::wire::ipv4::DEFAULT_TTL,
            ident,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            dscp: tos >> 2,
            ecn: tos & 0b11,
        },
        transport: Transport::Icmp(icmp),
    }
}

/// `IPTOS_PREC_INTERNETCONTROL` (include/uapi/linux/ip.h): the TOS precedence bits Linux
/// sets on the ICMP errors it sends.
pub const IPTOS_PREC_INTERNETCONTROL: u8 = 0xc0;

/// Which ICMP error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcmpErrorKind {
    /// Type 11 code 0.
    TtlExceeded,
    /// Type 11 code 1.
    ReassemblyTimeout,
    /// Type 3 with this code.
    Unreachable(u8),
    /// Type 3 code 4 with the next-hop MTU (RFC 1191 §4).
    FragNeeded(u16),
}
