//! An end host: one NIC, ARP, IPv4 with reassembly, ICMP echo, TCP and UDP, and the
//! applications that run on it.
//!
//! The IP identification field follows `ip_select_ident_segs`: a connected socket's own
//! counter, 0 on DF packets that no connected socket sends (SYN-ACKs of request socks, RSTs
//! for closed ports, TIME-WAIT ACKs). Simplifications, said plainly: packets without DF
//! (ICMP errors, echo replies, fragments) and raw probes take one per-host counter with a
//! random start where Linux hashes the destination into a table of counters
//! (`__ip_select_ident`); ICMP errors are not rate-limited (Linux's `icmp_ratelimit` is 1 s per
//! destination after a burst); packets to the host's own address are not looped back.

use super::arp::ArpCache;
use super::ip::{self, IcmpErrorKind, L3Iface};
use super::NodeEnv;
use crate::apps::{App, Os};
use crate::rng::Rng;
use crate::scenario::{Cidr, HostSpec};
use crate::stack::{IpIdent, Notice, OutPacket, StackCtx};
use crate::tcp::{TcpConfig, TcpStack};
use crate::time::{Duration, Instant};
use crate::trace::{AppCall, DropReason, EventKind, FrameId, IfaceInfo, NodeId, SockId};
use crate::udp::UdpStack;
use crate::wire::fragment::Reassembler;
use crate::wire::ipv4::DEFAULT_TTL;
use crate::wire::{
    icmp, Frame, FramePayload, IcmpRepr, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr, MacAddr, Transport,
};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// How long fragments wait for the rest of their datagram (`net.ipv4.ipfrag_time`, 30 s).
pub const IPFRAG_TIME: Duration = Duration::from_secs(30);

/// Token marking an app's start timer.
const START: u64 = u64::MAX;

/// Upper bound on notice rounds handled for one event (an app ping-ponging with itself).
const MAX_ROUNDS: usize = 10_000;

/// An end host.
pub struct Host {
    /// Node name.
    pub name: String,
    id: NodeId,
    mac: MacAddr,
    cidr: Cidr,
    gateway: Option<Ipv4Addr>,
    iface: Option<L3Iface>,
    arp: ArpCache,
    /// The host's TCP.
    pub tcp: TcpStack,
    udp: UdpStack,
    reasm: Reassembler,
    reasm_deadline: Option<Instant>,
    ident: u16,
    rng: Rng,
    apps: Vec<Box<dyn App>>,
    owners: BTreeMap<SockId, usize>,
    timers: BTreeMap<(Instant, u64), (usize, u64)>,
    timer_seq: u64,
}

impl Host {
    /// A host as the scenario describes it; its link is attached later.
    pub fn new(id: NodeId, spec: &HostSpec, tcp: TcpConfig, mac: MacAddr, mut rng: Rng) -> Self {
        let ident = rng.next_u32() as u16;
        Host {
            name: spec.name.clone(),
            id,
            mac,
            cidr: spec.ip,
            gateway: spec.gateway,
            iface: None,
            arp: ArpCache::default(),
            tcp: TcpStack::new(tcp),
            udp: UdpStack::default(),
            reasm: Reassembler::default(),
            reasm_deadline: None,
            ident,
            rng,
            apps: vec![],
            owners: BTreeMap::new(),
            timers: BTreeMap::new(),
            timer_seq: 0,
        }
    }

    /// Plug the NIC into `link`.
    pub fn attach(&mut self, link: u16, mtu: u16) {
        self.iface = Some(L3Iface { link, mac: self.mac, cidr: self.cidr, mtu });
        self.tcp.set_mtu(mtu);
    }

    /// The NIC for the trace's topology table.
    pub fn iface_info(&self) -> Vec<IfaceInfo> {
        self.iface.iter().map(L3Iface::info).collect()
    }

    /// Address and MAC of the NIC.
    pub fn l3_ifaces(&self) -> Vec<(Cidr, MacAddr)> {
        vec![(self.cidr, self.mac)]
    }

    /// The ARP cache.
    pub fn arp_mut(&mut self) -> &mut ArpCache {
        &mut self.arp
    }

    /// Install an application that starts at `at`.
    pub fn add_app(&mut self, app: Box<dyn App>, at: Instant) {
        self.apps.push(app);
        let idx = self.apps.len() - 1;
        self.add_timer(at, idx, START);
    }

    fn add_timer(&mut self, at: Instant, app: usize, token: u64) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), (app, token));
    }

    /// The earliest thing this host must do.
    pub fn next_deadline(&self) -> Option<Instant> {
        [self.tcp.poll_at(), self.arp.next_deadline(), self.timers.keys().next().map(|k| k.0), self.reasm_deadline]
            .into_iter()
            .flatten()
            .min()
    }

    /// Timers: TCP, ARP, reassembly, applications.
    pub fn on_wake(&mut self, env: &mut NodeEnv) {
        let mut st = Pending::default();
        self.with_tcp(env, &mut st, |t, c| t.poll(c));
        if let Some(iface) = &self.iface {
            ip::poll_arp(env, std::slice::from_ref(iface), &mut self.arp);
        }
        if self.reasm_deadline.is_some_and(|d| d <= env.now) {
            self.reasm_deadline = None;
            for first in self.reasm.expire(env.now.as_nanos(), IPFRAG_TIME.as_nanos()) {
                let bytes = first.to_bytes();
                let ident = self.next_ident();
                st.raw.push(ip::icmp_error(self.cidr.addr, &first, &bytes, IcmpErrorKind::ReassemblyTimeout, ident));
            }
        }
        while let Some((&(at, seq), &(app, token))) = self.timers.iter().next() {
            if at > env.now {
                break;
            }
            self.timers.remove(&(at, seq));
            self.run_app(env, &mut st, app, |a, os| if token == START { a.start(os) } else { a.on_timer(os, token) });
        }
        self.flush(env, st);
    }

    fn next_ident(&mut self) -> u16 {
        self.ident = self.ident.wrapping_add(1);
        self.ident
    }

    fn with_tcp<R>(
        &mut self,
        env: &mut NodeEnv,
        st: &mut Pending,
        f: impl FnOnce(&mut TcpStack, &mut StackCtx) -> R,
    ) -> R {
        let mut ctx = StackCtx {
            now: env.now,
            node: self.id,
            rng: &mut self.rng,
            trace: env.trace,
            out: &mut st.out,
            notices: &mut st.notices,
        };
        f(&mut self.tcp, &mut ctx)
    }

    /// Run `f` on app `idx` with an [`Os`] handle; record what it claimed and the timers it set.
    fn run_app(&mut self, env: &mut NodeEnv, st: &mut Pending, idx: usize, f: impl FnOnce(&mut dyn App, &mut Os)) {
        let mut timers = vec![];
        let mut claimed = vec![];
        {
            let Some(app) = self.apps.get_mut(idx) else { return };
            let mut os = Os {
                now: env.now,
                node: self.id,
                ip: self.cidr.addr,
                tcp: &mut self.tcp,
                udp: &mut self.udp,
                rng: &mut self.rng,
                trace: env.trace,
                out: &mut st.out,
                raw: &mut st.raw,
                notices: &mut st.notices,
                timers: &mut timers,
                claimed: &mut claimed,
            };
            f(app.as_mut(), &mut os);
        }
        for s in claimed {
            self.owners.insert(s, idx);
        }
        for (at, token) in timers {
            self.add_timer(at.max(env.now), idx, token);
        }
    }

    /// Deliver notices to their owners until none are left, then send every packet.
    fn flush(&mut self, env: &mut NodeEnv, mut st: Pending) {
        let mut rounds = 0;
        while !st.notices.is_empty() && rounds < MAX_ROUNDS {
            rounds += 1;
            let notices = std::mem::take(&mut st.notices);
            for n in notices {
                let sock = notice_sock(&n);
                if let Some(&owner) = self.owners.get(&sock) {
                    self.run_app(env, &mut st, owner, |a, os| a.on_notice(os, &n));
                }
            }
        }
        for p in std::mem::take(&mut st.out) {
            self.send_out(env, p);
        }
        for mut p in std::mem::take(&mut st.raw) {
            // Raw packets (ping, traceroute probes, echo replies) take the host's counter
            // unless they were numbered already (ICMP errors).
            if p.ip.ident == 0 {
                p.ip.ident = self.next_ident();
            }
            self.send_packet(env, p);
        }
    }

    /// Wrap a stack's output in IPv4 and send it.
    fn send_out(&mut self, env: &mut NodeEnv, p: OutPacket) {
        // ip_select_ident_segs: a connected socket's own counter; otherwise 0 under DF and
        // the host's counter without it.
        let ident = match p.ident {
            IpIdent::Socket(id) => id,
            IpIdent::Host if p.dont_frag => 0,
            IpIdent::Host | IpIdent::Hashed => self.next_ident(),
        };
        let ip = Ipv4Repr {
            src: p.src,
            dst: p.dst,
            protocol: Ipv4Packet::protocol_of(&p.transport, IpProtocol(0)),
            ttl: DEFAULT_TTL,
            ident,
            dont_frag: p.dont_frag,
            more_frags: false,
            frag_offset: 0,
            dscp: 0,
            ecn: p.ecn & 0b11,
        };
        self.send_packet(env, Ipv4Packet { ip, transport: p.transport });
    }

    /// Route a packet: same subnet directly, otherwise via the gateway.
    fn send_packet(&mut self, env: &mut NodeEnv, pkt: Ipv4Packet) {
        let Some(iface) = self.iface.clone() else { return };
        let next_hop = if self.cidr.contains(pkt.ip.dst) {
            pkt.ip.dst
        } else if let Some(gw) = self.gateway {
            gw
        } else {
            env.event(EventKind::App {
                node: self.id,
                call: AppCall::Note { text: format!("no route to {} (no default gateway)", pkt.ip.dst) },
            });
            return;
        };
        if let Err(ip::SendError::TooBig(mtu)) = ip::send_via(env, 0, &iface, &mut self.arp, next_hop, pkt) {
            env.event(EventKind::App {
                node: self.id,
                call: AppCall::Note { text: format!("packet larger than the {mtu}-byte MTU with DF set: EMSGSIZE") },
            });
        }
    }

    /// A frame arrived on the NIC.
    pub fn on_frame(&mut self, env: &mut NodeEnv, frame: FrameId, bytes: &[u8]) {
        let drop = |env: &mut NodeEnv, reason| {
            env.event(EventKind::FrameDropped { frame, node: Some(env.node), link: None, reason })
        };
        let parsed = match Frame::parse(bytes) {
            Ok(f) => f,
            Err(_) => return drop(env, DropReason::Malformed),
        };
        if parsed.eth.dst != self.mac && !parsed.eth.dst.is_broadcast() {
            return drop(env, DropReason::NotForUs);
        }
        let Some(iface) = self.iface.clone() else { return };
        let mut pkt = match parsed.payload {
            FramePayload::Arp(a) => {
                ip::on_arp(env, 0, &iface, &mut self.arp, &a);
                return;
            }
            FramePayload::Ipv4(p) => p,
        };
        if pkt.ip.dst != self.cidr.addr {
            return drop(env, DropReason::NotForUs);
        }
        if pkt.ip.is_fragment() {
            match self.reasm.add(env.now.as_nanos(), pkt) {
                Some(whole) => pkt = whole,
                None => {
                    self.reasm_deadline = Some(self.reasm_deadline.unwrap_or(env.now + IPFRAG_TIME));
                    return;
                }
            }
        }
        let ip_bytes = bytes.get(crate::wire::ethernet::HEADER_LEN..).unwrap_or(&[]).to_vec();
        let mut st = Pending::default();
        let (src, dst, ttl) = (pkt.ip.src, pkt.ip.dst, pkt.ip.ttl);
        let ce = pkt.ip.ecn == crate::wire::ipv4::ECN_CE;
        match pkt.transport.clone() {
            Transport::Tcp(seg) => {
                if let Some(reason) = self.with_tcp(env, &mut st, |t, c| t.on_segment_ecn(c, src, dst, seg, ce)) {
                    drop(env, reason);
                }
            }
            Transport::Udp(d) => match self.udp.lookup(d.dst_port) {
                Some(sock) => {
                    if let Some(&owner) = self.owners.get(&sock) {
                        let from = SocketAddrV4::new(src, d.src_port);
                        self.run_app(env, &mut st, owner, |a, os| a.on_udp(os, sock, from, &d.payload));
                    }
                }
                None => {
                    // RFC 1122 §4.1.3.1: SHOULD send ICMP port unreachable.
                    drop(env, DropReason::NoSocket);
                    if ip::may_send_icmp_error(&pkt) {
                        let ident = self.next_ident();
                        st.raw.push(ip::icmp_error(
                            self.cidr.addr,
                            &pkt,
                            &ip_bytes,
                            IcmpErrorKind::Unreachable(icmp::code::PORT_UNREACHABLE),
                            ident,
                        ));
                    }
                }
            },
            Transport::Icmp(IcmpRepr::EchoRequest { ident, seq_no, data }) => {
                // RFC 1122 §3.2.2.6: MUST answer echo requests; Linux's replies have DF clear.
                let reply = Ipv4Packet {
                    ip: Ipv4Repr {
                        src: dst,
                        dst: src,
                        ttl: DEFAULT_TTL,
                        ident: 0,
                        dont_frag: false,
                        more_frags: false,
                        frag_offset: 0,
                        ..pkt.ip
                    },
                    transport: Transport::Icmp(IcmpRepr::EchoReply { ident, seq_no, data }),
                };
                st.raw.push(reply);
            }
            Transport::Icmp(msg) => {
                // Only destination-unreachable matters to TCP (RFC 1122 §4.2.3.9; RFC 1191 for
                // code 4); time exceeded is a soft error it ignores.
                if let IcmpRepr::DestUnreachable { code, next_hop_mtu, original } = &msg {
                    let (code, mtu) = (*code, *next_hop_mtu);
                    self.with_tcp(env, &mut st, |t, c| t.on_icmp_unreachable(c, src, code, mtu, original));
                }
                for idx in 0..self.apps.len() {
                    self.run_app(env, &mut st, idx, |a, os| a.on_icmp(os, src, &msg, ttl));
                }
            }
            Transport::Fragment(_) | Transport::Other(_) => {
                // RFC 1122 §3.2.2.1: protocol unreachable.
                drop(env, DropReason::NoSocket);
                if ip::may_send_icmp_error(&pkt) {
                    let ident = self.next_ident();
                    st.raw.push(ip::icmp_error(self.cidr.addr, &pkt, &ip_bytes, IcmpErrorKind::Unreachable(2), ident));
                }
            }
        }
        self.flush(env, st);
    }
}

/// What handling one event produced.
#[derive(Default)]
struct Pending {
    out: Vec<OutPacket>,
    raw: Vec<Ipv4Packet>,
    notices: Vec<Notice>,
}

/// The socket a notice is about.
fn notice_sock(n: &Notice) -> SockId {
    match n {
        Notice::Connected { sock }
        | Notice::ConnectFailed { sock, .. }
        | Notice::Readable { sock }
        | Notice::Writable { sock }
        | Notice::PeerClosed { sock }
        | Notice::Closed { sock }
        | Notice::Reset { sock }
        | Notice::Error { sock, .. } => *sock,
        Notice::AcceptReady { listener } => *listener,
    }
}
