//! Classic traceroute (Van Jacobson, 1988): UDP probes to ports 33434 and up with TTL 1, 2,
//! 3, …; each router where the TTL runs out answers ICMP Time Exceeded (RFC 792) and so
//! reveals itself; the destination answers Port Unreachable and the trace ends.

use super::{App, Os};
use crate::time::{Duration, Instant};
use crate::wire::{IcmpRepr, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr, Transport, UdpRepr};

/// Default hop limit (traceroute's `-m` default is 30).
pub fn default_max_hops() -> u8 {
    30
}

/// First destination port (traceroute's default base port).
pub const BASE_PORT: u16 = 33434;
/// How long to wait for each probe (`-w`, 5 s).
pub const WAIT: Duration = Duration::from_secs(5);

/// A traceroute run.
#[derive(Debug)]
pub struct Traceroute {
    dst: Ipv4Addr,
    max_hops: u8,
    probes: u32,
    ttl: u8,
    probe: u32,
    seq: u16,
    src_port: u16,
    sent_at: Instant,
    done: bool,
}

impl Traceroute {
    /// Trace the path to `dst`.
    pub fn new(dst: Ipv4Addr, max_hops: u8, probes: u32) -> Self {
        Traceroute { dst, max_hops, probes, ttl: 1, probe: 0, seq: 0, src_port: 0, sent_at: Instant::ZERO, done: false }
    }

    fn send(&mut self, os: &mut Os) {
        self.probe += 1;
        let port = BASE_PORT.wrapping_add(self.seq);
        self.seq = self.seq.wrapping_add(1);
        self.sent_at = os.now;
        os.send_raw(Ipv4Packet {
            ip: Ipv4Repr {
                src: os.ip,
                dst: self.dst,
                protocol: IpProtocol::UDP,
                ttl: self.ttl,
                ident: 0,
                dont_frag: false,
                more_frags: false,
                frag_offset: 0,
                dscp: 0,
                ecn: 0,
            },
            // 60-byte probes, traceroute's default: 20 IP + 8 UDP + 32 data.
            transport: Transport::Udp(UdpRepr { src_port: self.src_port, dst_port: port, payload: vec![0x40; 32] }),
        });
        os.set_timer_in(WAIT, self.seq as u64);
    }

    fn next(&mut self, os: &mut Os) {
        if self.done {
            return;
        }
        if self.probe >= self.probes {
            self.probe = 0;
            if self.ttl >= self.max_hops {
                self.done = true;
                return;
            }
            self.ttl += 1;
        }
        self.send(os);
    }

    /// Destination port of the probe an ICMP error quotes.
    fn quoted_port(original: &[u8]) -> Option<u16> {
        let ihl = (*original.first()? & 0x0f) as usize * 4;
        Some(u16::from_be_bytes([*original.get(ihl + 2)?, *original.get(ihl + 3)?]))
    }
}

impl App for Traceroute {
    fn start(&mut self, os: &mut Os) {
        self.src_port = 32768 + (os.random_u32() % 28232) as u16;
        os.note(format!("traceroute to {}, {} hops max, 60 byte packets", self.dst, self.max_hops));
        self.send(os);
    }

    fn on_icmp(&mut self, os: &mut Os, from: Ipv4Addr, icmp: &IcmpRepr, _ttl: u8) {
        let (original, last) = match icmp {
            IcmpRepr::TimeExceeded { original, .. } => (original, false),
            IcmpRepr::DestUnreachable { original, .. } => (original, true),
            _ => return,
        };
        if self.done || Self::quoted_port(original) != Some(BASE_PORT.wrapping_add(self.seq.wrapping_sub(1))) {
            return;
        }
        let rtt = os.now - self.sent_at;
        os.note(format!("{:2}  {from}  {:.3} ms", self.ttl, rtt.as_millis_f64()));
        if last && self.probe >= self.probes {
            self.done = true;
            return;
        }
        if last {
            self.send(os);
        } else {
            self.next(os);
        }
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        if token == self.seq as u64 && !self.done {
            os.note(format!("{:2}  *", self.ttl));
            self.next(os);
        }
    }
}
