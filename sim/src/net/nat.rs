//! Network address translation on a router, as Linux's conntrack-based masquerading does it
//! (net/netfilter/nf_nat_core.c; RFC 3022 for the model, RFC 4787 §4.1–5 for its behaviour):
//! an outbound flow from the inside gets the router's outside address and, when it is free,
//! keeps its own source port (`nf_nat_used_tuple`/`get_unique_tuple` try the original first);
//! the mapping is per 5-tuple (endpoint-dependent filtering), so an inbound packet is let in
//! only if it answers a flow the inside started, or matches a port forward (DNAT). ICMP errors
//! about a translated flow have their quoted header translated back (RFC 5508 §4.2).
//!
//! Simplifications, said plainly: mappings never time out during a run (conntrack keeps an
//! established TCP flow for 5 days and a UDP one for 120 s), and the quoted transport
//! checksum inside a translated ICMP error is left as it was.

use crate::trace::{EventKind, NodeId};
use crate::wire::{checksum, IcmpRepr, IpProtocol, Ipv4Addr, Ipv4Packet, Transport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// A port forward: connections to `port` on the outside address go to `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortForward {
    /// `tcp` or `udp`.
    pub proto: String,
    /// Port on the router's outside address.
    pub port: u16,
    /// Inside host and port.
    pub to: SocketAddrV4,
}

/// NAT settings of a router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatSpec {
    /// The router's address on its outside interface (the one flows are masqueraded to).
    pub outside: Ipv4Addr,
    /// Port forwards.
    #[serde(default)]
    pub forwards: Vec<PortForward>,
}

/// (protocol, local end, remote end) of one side of a flow.
type Flow = (u8, SocketAddrV4, SocketAddrV4);

/// A router's translation table.
#[derive(Debug)]
pub struct Nat {
    /// Outside address.
    pub outside: Ipv4Addr,
    forwards: Vec<(u8, u16, SocketAddrV4)>,
    /// inside flow (proto, inside, remote) → outside port.
    out: BTreeMap<Flow, u16>,
    /// outside flow (proto, outside, remote) → inside address.
    back: BTreeMap<Flow, SocketAddrV4>,
    next_port: u16,
}

fn proto_num(p: &str) -> u8 {
    if p.eq_ignore_ascii_case("udp") {
        IpProtocol::UDP.0
    } else {
        IpProtocol::TCP.0
    }
}

/// The (protocol, source port, destination port) of a packet NAT can translate; ICMP echo uses
/// its identifier as both ports.
fn ports(p: &Ipv4Packet) -> Option<(u8, u16, u16)> {
    match &p.transport {
        Transport::Tcp(t) => Some((IpProtocol::TCP.0, t.src_port, t.dst_port)),
        Transport::Udp(u) => Some((IpProtocol::UDP.0, u.src_port, u.dst_port)),
        Transport::Icmp(IcmpRepr::EchoRequest { ident, .. } | IcmpRepr::EchoReply { ident, .. }) => {
            Some((IpProtocol::ICMP.0, *ident, *ident))
        }
        _ => None,
    }
}

fn set_src_port(p: &mut Ipv4Packet, port: u16) {
    match &mut p.transport {
        Transport::Tcp(t) => t.src_port = port,
        Transport::Udp(u) => u.src_port = port,
        Transport::Icmp(IcmpRepr::EchoRequest { ident, .. } | IcmpRepr::EchoReply { ident, .. }) => *ident = port,
        _ => {}
    }
}

fn set_dst_port(p: &mut Ipv4Packet, port: u16) {
    match &mut p.transport {
        Transport::Tcp(t) => t.dst_port = port,
        Transport::Udp(u) => u.dst_port = port,
        Transport::Icmp(IcmpRepr::EchoRequest { ident, .. } | IcmpRepr::EchoReply { ident, .. }) => *ident = port,
        _ => {}
    }
}

/// What became of an inbound packet.
#[derive(Debug, PartialEq, Eq)]
pub enum Inbound {
    /// Translated: forward it to its new destination.
    Translated,
    /// Nothing inside asked for it and no port forward matches: drop it.
    Unsolicited,
}

impl Nat {
    /// A table for `spec`.
    pub fn new(spec: &NatSpec) -> Self {
        Nat {
            outside: spec.outside,
            forwards: spec.forwards.iter().map(|f| (proto_num(&f.proto), f.port, f.to)).collect(),
            out: BTreeMap::new(),
            back: BTreeMap::new(),
            next_port: 32768,
        }
    }

    /// Every mapping: (protocol, inside, outside, remote).
    pub fn table(&self) -> Vec<(u8, SocketAddrV4, SocketAddrV4, SocketAddrV4)> {
        self.out
            .iter()
            .map(|((p, inside, remote), port)| (*p, *inside, SocketAddrV4::new(self.outside, *port), *remote))
            .collect()
    }

    fn port_free(&self, proto: u8, port: u16, remote: SocketAddrV4) -> bool {
        !self.back.contains_key(&(proto, SocketAddrV4::new(self.outside, port), remote))
    }

    /// Masquerade a packet leaving by the outside interface. Returns the event for a new mapping.
    pub fn outbound(&mut self, node: NodeId, p: &mut Ipv4Packet) -> Option<EventKind> {
        let (proto, sport, dport) = ports(p)?;
        let inside = SocketAddrV4::new(p.ip.src, sport);
        let remote = SocketAddrV4::new(p.ip.dst, if proto == IpProtocol::ICMP.0 { 0 } else { dport });
        let mut new = None;
        let port = match self.out.get(&(proto, inside, remote)) {
            Some(port) => *port,
            None => {
                // Keep the source port when it is free towards this remote (nf_nat's first try).
                let port = if self.port_free(proto, sport, remote) {
                    sport
                } else {
                    loop {
                        let candidate = self.next_port;
                        self.next_port = if self.next_port >= 60999 { 32768 } else { self.next_port + 1 };
                        if self.port_free(proto, candidate, remote) {
                            break candidate;
                        }
                    }
                };
                self.out.insert((proto, inside, remote), port);
                self.back.insert((proto, SocketAddrV4::new(self.outside, port), remote), inside);
                new = Some(EventKind::NatMapping {
                    node,
                    proto,
                    inside,
                    outside: SocketAddrV4::new(self.outside, port),
                    remote,
                    forward: false,
                });
                port
            }
        };
        p.ip.src = self.outside;
        set_src_port(p, port);
        new
    }

    /// Translate a packet that arrived on the outside interface for the outside address.
    pub fn inbound(&mut self, node: NodeId, p: &mut Ipv4Packet) -> (Inbound, Option<EventKind>) {
        if let Transport::Icmp(IcmpRepr::DestUnreachable { original, .. } | IcmpRepr::TimeExceeded { original, .. }) =
            &mut p.transport
        {
            return match self.translate_quote(original) {
                Some(inside) => {
                    p.ip.dst = inside;
                    (Inbound::Translated, None)
                }
                None => (Inbound::Unsolicited, None),
            };
        }
        let Some((proto, sport, dport)) = ports(p) else { return (Inbound::Unsolicited, None) };
        let remote = SocketAddrV4::new(p.ip.src, if proto == IpProtocol::ICMP.0 { 0 } else { sport });
        let outside = SocketAddrV4::new(self.outside, dport);
        if let Some(inside) = self.back.get(&(proto, outside, remote)) {
            p.ip.dst = *inside.ip();
            set_dst_port(p, inside.port());
            return (Inbound::Translated, None);
        }
        let Some(&(_, _, to)) = self.forwards.iter().find(|(fp, port, _)| *fp == proto && *port == dport) else {
            return (Inbound::Unsolicited, None);
        };
        // DNAT: remember the flow so the inside host's replies leave as the outside address.
        self.back.insert((proto, outside, remote), to);
        self.out.insert((proto, to, remote), dport);
        p.ip.dst = *to.ip();
        set_dst_port(p, to.port());
        (Inbound::Translated, Some(EventKind::NatMapping { node, proto, inside: to, outside, remote, forward: true }))
    }

    /// An ICMP error quotes a packet the router masqueraded: rewrite the quoted source back to
    /// the inside host (RFC 5508 §4.2) and return that host's address.
    fn translate_quote(&self, q: &mut [u8]) -> Option<Ipv4Addr> {
        let ihl = (*q.first()? & 0x0f) as usize * 4;
        if ihl < 20 || q.len() < ihl + 4 {
            return None;
        }
        let proto = q[9];
        let src = Ipv4Addr::new(q[12], q[13], q[14], q[15]);
        let dst = Ipv4Addr::new(q[16], q[17], q[18], q[19]);
        if src != self.outside {
            return None;
        }
        let (sport, dport) = if proto == IpProtocol::ICMP.0 {
            let id = u16::from_be_bytes([*q.get(ihl + 4)?, *q.get(ihl + 5)?]);
            (id, 0)
        } else {
            (u16::from_be_bytes([q[ihl], q[ihl + 1]]), u16::from_be_bytes([q[ihl + 2], q[ihl + 3]]))
        };
        let inside = *self.back.get(&(proto, SocketAddrV4::new(self.outside, sport), SocketAddrV4::new(dst, dport)))?;
        q[12..16].copy_from_slice(&inside.ip().octets());
        if proto == IpProtocol::ICMP.0 {
            q[ihl + 4..ihl + 6].copy_from_slice(&inside.port().to_be_bytes());
        } else {
            q[ihl..ihl + 2].copy_from_slice(&inside.port().to_be_bytes());
        }
        q[10] = 0;
        q[11] = 0;
        let c = checksum::checksum(&q[..ihl]);
        q[10..12].copy_from_slice(&c.to_be_bytes());
        Some(*inside.ip())
    }
}
