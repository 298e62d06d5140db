//! An IPv4 router (RFC 1812): longest-prefix-match forwarding, TTL decrement with ICMP Time
//! Exceeded (§5.3.1), MAC rewrite per hop, fragmentation when DF is clear and ICMP
//! Fragmentation Needed with the next-hop MTU when it is set (§5.2.6, RFC 1191 §4), and ICMP
//! destination unreachable when no route exists (§5.2.7.1).

use super::arp::ArpCache;
use super::ip::{self, IcmpErrorKind, L3Iface};
use super::nat::{Inbound, Nat};
use super::NodeEnv;
use crate::scenario::{Cidr, RouterSpec};
use crate::time::Instant;
use crate::trace::{AppCall, DropReason, EventKind, FrameId, IfaceInfo, NodeId};
use crate::wire::{icmp, Frame, FramePayload, IcmpRepr, Ipv4Addr, Ipv4Packet, MacAddr, Transport};

/// One routing-table entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Destination prefix.
    pub dest: Cidr,
    /// Next hop, or `None` for a directly connected subnet.
    pub via: Option<Ipv4Addr>,
    /// Outgoing interface.
    pub iface: usize,
}

/// A router.
#[derive(Debug)]
pub struct Router {
    /// Node name.
    pub name: String,
    id: NodeId,
    ifaces: Vec<L3Iface>,
    static_routes: Vec<(Cidr, Ipv4Addr)>,
    routes: Vec<Route>,
    arp: ArpCache,
    ident: u16,
    nat: Option<Nat>,
    /// Index of the NAT's outside interface.
    nat_iface: Option<usize>,
    clamp_mss: bool,
}

impl Router {
    /// A router from its spec; interfaces come with the links.
    pub fn new(id: NodeId, spec: &RouterSpec) -> Self {
        Router {
            name: spec.name.clone(),
            id,
            ifaces: vec![],
            static_routes: spec.routes.iter().map(|r| (r.dest, r.via)).collect(),
            routes: vec![],
            arp: ArpCache::default(),
            ident: 0,
            nat: spec.nat.as_ref().map(Nat::new),
            nat_iface: None,
            clamp_mss: spec.clamp_mss,
        }
    }

    /// Add an interface on `link`.
    pub fn attach(&mut self, link: u16, mac: MacAddr, cidr: Cidr, mtu: u16) {
        self.ifaces.push(L3Iface { link, mac, cidr, mtu });
    }

    /// Build the table: connected subnets, then static routes via a connected next hop.
    pub fn finish_routes(&mut self) {
        if let Some(nat) = &self.nat {
            self.nat_iface = self.ifaces.iter().position(|f| f.cidr.addr == nat.outside);
        }
        self.routes = self
            .ifaces
            .iter()
            .enumerate()
            .map(|(i, f)| Route { dest: Cidr { addr: f.cidr.network(), prefix: f.cidr.prefix }, via: None, iface: i })
            .collect();
        for (dest, via) in &self.static_routes {
            if let Some(r) = self.lookup(*via).filter(|r| r.via.is_none()).cloned() {
                self.routes.push(Route { dest: *dest, via: Some(*via), iface: r.iface });
            }
        }
    }

    /// Addresses and MACs of its interfaces.
    pub fn l3_ifaces(&self) -> Vec<(Cidr, MacAddr)> {
        self.ifaces.iter().map(|f| (f.cidr, f.mac)).collect()
    }

    /// The ARP cache.
    pub fn arp_mut(&mut self) -> &mut ArpCache {
        &mut self.arp
    }

    /// The routing table.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Longest prefix match (RFC 1812 §5.2.4.3).
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<&Route> {
        self.routes.iter().filter(|r| r.dest.contains(dst)).max_by_key(|r| r.dest.prefix)
    }

    /// Interfaces for the trace's topology table.
    pub fn iface_info(&self) -> Vec<IfaceInfo> {
        self.ifaces.iter().map(L3Iface::info).collect()
    }

    /// ARP retries.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.arp.next_deadline()
    }

    /// Run ARP timers.
    pub fn on_wake(&mut self, env: &mut NodeEnv) {
        ip::poll_arp(env, &self.ifaces, &mut self.arp);
    }

    fn next_ident(&mut self) -> u16 {
        self.ident = self.ident.wrapping_add(1);
        self.ident
    }

    /// Handle a frame that arrived on interface `idx`.
    pub fn on_frame(&mut self, env: &mut NodeEnv, idx: usize, frame: FrameId, bytes: &[u8]) {
        let drop = |env: &mut NodeEnv, reason| {
            env.event(EventKind::FrameDropped { frame, node: Some(env.node), link: None, reason });
        };
        let Some(iface) = self.ifaces.get(idx).cloned() else { return };
        let parsed = match Frame::parse(bytes) {
            Ok(f) => f,
            Err(_) => return drop(env, DropReason::Malformed),
        };
        if parsed.eth.dst != iface.mac && !parsed.eth.dst.is_broadcast() {
            return drop(env, DropReason::NotForUs);
        }
        let mut pkt = match parsed.payload {
            FramePayload::Arp(a) => return ip::on_arp(env, idx, &iface, &mut self.arp, &a),
            FramePayload::Ipv4(p) => p,
        };
        let ip_bytes = &bytes[crate::wire::ethernet::HEADER_LEN.min(bytes.len())..];
        if let (Some(nat), true) = (&mut self.nat, Some(idx) == self.nat_iface) {
            if pkt.ip.dst == nat.outside {
                let mut translated = pkt.clone();
                let (verdict, mapping) = nat.inbound(env.node, &mut translated);
                if let Some(m) = mapping {
                    env.event(m);
                }
                match verdict {
                    Inbound::Translated => pkt = translated,
                    Inbound::Unsolicited if matches!(pkt.transport, Transport::Tcp(_) | Transport::Udp(_)) => {
                        return drop(env, DropReason::NatUnsolicited);
                    }
                    Inbound::Unsolicited => {}
                }
            }
        }
        if self.ifaces.iter().any(|f| f.cidr.addr == pkt.ip.dst) {
            // Addressed to the router itself: answer pings, ignore the rest.
            if let Transport::Icmp(IcmpRepr::EchoRequest { ident, seq_no, data }) = &pkt.transport {
                let mut reply = pkt.clone();
                reply.ip.src = pkt.ip.dst;
                reply.ip.dst = pkt.ip.src;
                reply.ip.ttl = crate::wire::ipv4::DEFAULT_TTL;
                reply.ip.ident = self.next_ident();
                reply.ip.dont_frag = false;
                reply.transport =
                    Transport::Icmp(IcmpRepr::EchoReply { ident: *ident, seq_no: *seq_no, data: data.clone() });
                self.forward(env, reply, None);
            } else if let Transport::Udp(_) = &pkt.transport {
                // RFC 1812 §4.3.2.7-style: a UDP probe to the router is answered port-unreachable.
                self.error(env, &pkt, ip_bytes, IcmpErrorKind::Unreachable(icmp::code::PORT_UNREACHABLE), idx);
            }
            return;
        }
        if pkt.ip.ttl <= 1 {
            drop(env, DropReason::TtlExpired);
            self.error(env, &pkt, ip_bytes, IcmpErrorKind::TtlExceeded, idx);
            return;
        }
        let mut fwd = pkt;
        fwd.ip.ttl -= 1;
        self.forward(env, fwd, Some((frame, ip_bytes, idx)));
    }

    /// Route and send `pkt`; `from` is the frame it came in (for drops and errors).
    fn forward(&mut self, env: &mut NodeEnv, pkt: Ipv4Packet, from: Option<(FrameId, &[u8], usize)>) {
        let Some(route) = self.lookup(pkt.ip.dst).cloned() else {
            if let Some((frame, bytes, idx)) = from {
                env.event(EventKind::FrameDropped {
                    frame,
                    node: Some(env.node),
                    link: None,
                    reason: DropReason::NoRoute,
                });
                self.error(env, &pkt, bytes, IcmpErrorKind::Unreachable(icmp::code::NET_UNREACHABLE), idx);
            }
            return;
        };
        let next_hop = route.via.unwrap_or(pkt.ip.dst);
        let iface = self.ifaces[route.iface].clone();
        let mut out = pkt.clone();
        if let Some(nat) = &mut self.nat {
            let (egress_outside, ingress_inside) =
                (Some(route.iface) == self.nat_iface, from.is_some_and(|f| Some(f.2) != self.nat_iface));
            if egress_outside && ingress_inside {
                if let Some(m) = nat.outbound(env.node, &mut out) {
                    env.event(m);
                }
            }
        }
        if self.clamp_mss {
            clamp_mss(&mut out, iface.mtu);
        }
        if let Err(ip::SendError::TooBig(mtu)) = ip::send_via(env, route.iface, &iface, &mut self.arp, next_hop, out) {
            if let Some((frame, bytes, idx)) = from {
                env.event(EventKind::FrameDropped {
                    frame,
                    node: Some(env.node),
                    link: None,
                    reason: DropReason::TooBig,
                });
                self.error(env, &pkt, bytes, IcmpErrorKind::FragNeeded(mtu), idx);
            }
        }
    }

    /// Send an ICMP error about `pkt` back towards its source, from the interface it came in.
    fn error(&mut self, env: &mut NodeEnv, pkt: &Ipv4Packet, bytes: &[u8], kind: IcmpErrorKind, in_idx: usize) {
        if !ip::may_send_icmp_error(pkt) {
            return;
        }
        let src = self.ifaces[in_idx].cidr.addr;
        let ident = self.next_ident();
        let err = ip::icmp_error(src, pkt, bytes, kind, ident);
        env.event(EventKind::App {
            node: self.id,
            call: AppCall::Note { text: format!("{} sends ICMP {kind:?} to {}", self.name, pkt.ip.src) },
        });
        self.forward(env, err, None);
    }
}

/// Lower the MSS option of a SYN so its segments fit `mtu` (MTU − 40 for IPv4 without options),
/// as `TCPMSS --clamp-mss-to-pmtu` does (net/netfilter/xt_TCPMSS.c).
fn clamp_mss(p: &mut Ipv4Packet, mtu: u16) {
    if let Transport::Tcp(t) = &mut p.transport {
        let limit = mtu.saturating_sub(40);
        if let (true, Some(mss)) = (t.flags.syn(), t.options.mss) {
            if mss > limit {
                t.options.mss = Some(limit);
            }
        }
    }
}
