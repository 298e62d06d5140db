//! A SYN flood: raw TCP SYNs from spoofed source addresses and ports that never complete the
//! handshake, as `hping3 --flood --rand-source -S` sends them. Each SYN costs the server a
//! request sock (SYN-RECEIVED, SYN-ACK retransmitted at 1, 3, 7, 15, 31 s) until the SYN queue
//! is full; then, with `tcp_syncookies=0`, every SYN — the legitimate clients' too — is
//! dropped (TCPReqQFullDrop), while with syncookies the server answers statelessly.
//!
//! The SYN-ACKs go to the spoofed addresses. In a scenario those addresses lead to a host
//! that owns none of them and silently drops what arrives (like unused address space on the
//! Internet): nobody answers with a RST, so the request socks stay until they expire, which
//! is what makes the flood work.

use super::{App, Os};
use crate::scenario::Cidr;
use crate::time::Duration;
use crate::wire::ipv4::DEFAULT_TTL;
use crate::wire::{IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr, TcpFlags, TcpOptions, TcpRepr, Transport};
use std::net::SocketAddrV4;

/// How a [`SynFlood`] behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct FloodConfig {
    /// Victim address and port.
    pub target: SocketAddrV4,
    /// SYNs per second.
    pub rate: f64,
    /// SYNs in all.
    pub count: u32,
    /// Source addresses are drawn from this prefix.
    pub spoof: Cidr,
    /// Put Linux's SYN options in (MSS, SACK_PERM, TS, WS); off sends bare SYNs as flood tools
    /// do, so cookie SYN-ACKs carry the MSS only.
    pub syn_options: bool,
}

/// The attacker's program.
#[derive(Debug)]
pub struct SynFlood {
    cfg: FloodConfig,
    interval: Duration,
    sent: u32,
}

impl SynFlood {
    /// A flood as `cfg` describes.
    pub fn new(cfg: FloodConfig) -> Self {
        let rate = if cfg.rate.is_finite() { cfg.rate.max(1e-3) } else { 1.0 };
        SynFlood { interval: Duration::from_millis_f64(1000.0 / rate), cfg, sent: 0 }
    }

    /// A random address inside the spoofed prefix, avoiding its network and broadcast
    /// addresses when it has them.
    fn spoofed_addr(&self, os: &mut Os) -> Ipv4Addr {
        let host_bits = 32 - u32::from(self.cfg.spoof.prefix.min(32));
        let base = u32::from(self.cfg.spoof.network());
        if host_bits == 0 {
            return self.cfg.spoof.addr;
        }
        let span = if host_bits == 32 { u64::from(u32::MAX) + 1 } else { 1u64 << host_bits };
        let r = u64::from(os.random_u32()) % span;
        let r = if span > 2 { 1 + r % (span - 2) } else { r };
        Ipv4Addr::from(base.wrapping_add(r as u32))
    }

    fn send_one(&mut self, os: &mut Os) {
        let src = self.spoofed_addr(os);
        let src_port = 1024 + (os.random_u32() % (65536 - 1024)) as u16;
        let seq = os.random_u32();
        let options = if self.cfg.syn_options {
            let tsval = os.random_u32();
            TcpOptions {
                mss: Some(1460),
                window_scale: Some(7),
                sack_permitted: true,
                timestamps: Some((tsval, 0)),
                sack_blocks: vec![],
                fast_open: None,
            }
        } else {
            TcpOptions::default()
        };
        let seg = TcpRepr {
            src_port,
            dst_port: self.cfg.target.port(),
            seq,
            ack: 0,
            flags: TcpFlags::SYN,
            window: 64240,
            urgent: 0,
            options,
            payload: vec![],
        };
        os.send_raw(Ipv4Packet {
            ip: Ipv4Repr {
                src,
                dst: *self.cfg.target.ip(),
                protocol: IpProtocol::TCP,
                ttl: DEFAULT_TTL,
                ident: 0,
                dont_frag: false,
                more_frags: false,
                frag_offset: 0,
                dscp: 0,
                ecn: 0,
            },
            transport: Transport::Tcp(seg),
        });
        self.sent += 1;
    }
}

impl App for SynFlood {
    fn start(&mut self, os: &mut Os) {
        os.note(format!(
            "SYN flood: {} SYNs at {}/s to {} from spoofed {}, never ACKed",
            self.cfg.count, self.cfg.rate, self.cfg.target, self.cfg.spoof
        ));
        self.on_timer(os, 0);
    }

    fn on_timer(&mut self, os: &mut Os, _token: u64) {
        if self.sent >= self.cfg.count {
            return;
        }
        self.send_one(os);
        if self.sent < self.cfg.count {
            os.set_timer_in(self.interval, 0);
        }
    }
}
