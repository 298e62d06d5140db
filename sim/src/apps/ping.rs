//! iputils ping: ICMP echo requests (RFC 792) with 56 data bytes by default, so 64 bytes of
//! ICMP, 84 of IP and a 98-byte frame ("56(84) bytes"), DF set, one per second.

use super::{App, Os};
use crate::time::{Duration, Instant};
use crate::wire::ipv4::DEFAULT_TTL;
use crate::wire::{IcmpRepr, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr, Transport};
use std::collections::BTreeMap;

/// Default number of requests here (ping itself runs until stopped).
pub fn default_count() -> u32 {
    4
}
/// Default interval (1 s).
pub fn default_interval() -> f64 {
    1000.0
}
/// Default data size (56 bytes).
pub fn default_size() -> u32 {
    56
}

/// A ping run.
#[derive(Debug)]
pub struct Ping {
    dst: Ipv4Addr,
    count: u32,
    interval: Duration,
    size: u32,
    ident: u16,
    sent: u32,
    sent_at: BTreeMap<u16, Instant>,
    rtts: Vec<Duration>,
}

impl Ping {
    /// Ping `dst` `count` times.
    pub fn new(dst: Ipv4Addr, count: u32, interval: Duration, size: u32) -> Self {
        Ping { dst, count, interval, size, ident: 0, sent: 0, sent_at: BTreeMap::new(), rtts: vec![] }
    }

    fn send(&mut self, os: &mut Os) {
        self.sent += 1;
        let seq = self.sent as u16;
        // iputils puts a struct timeval first, then bytes 0x10, 0x11, … (ping.c fill pattern).
        let mut data = Vec::with_capacity(self.size as usize);
        let t = os.now.as_nanos();
        data.extend((t / 1_000_000_000).to_le_bytes());
        data.extend(((t / 1000) % 1_000_000).to_le_bytes());
        data.truncate(self.size as usize);
        let mut k = 0x10u8;
        while data.len() < self.size as usize {
            data.push(k);
            k = k.wrapping_add(1);
        }
        self.sent_at.insert(seq, os.now);
        os.send_raw(Ipv4Packet {
            ip: Ipv4Repr {
                src: os.ip,
                dst: self.dst,
                protocol: IpProtocol::ICMP,
                ttl: DEFAULT_TTL,
                ident: 0,
                dont_frag: true,
                more_frags: false,
                frag_offset: 0,
                dscp: 0,
                ecn: 0,
            },
            transport: Transport::Icmp(IcmpRepr::EchoRequest { ident: self.ident, seq_no: seq, data }),
        });
        if self.sent < self.count {
            os.set_timer_in(self.interval, 1);
        } else {
            // ping waits for the last reply before printing its statistics.
            os.set_timer_in(self.interval.max(Duration::from_secs(1)) + Duration::from_secs(1), 2);
        }
    }
}

impl App for Ping {
    fn start(&mut self, os: &mut Os) {
        self.ident = os.random_u32() as u16;
        os.note(format!("PING {} {}({}) bytes of data.", self.dst, self.size, self.size + 28));
        self.send(os);
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        if token == 1 {
            self.send(os);
        } else {
            let recv = self.rtts.len() as u32;
            let loss = 100 * (self.sent - recv) / self.sent.max(1);
            let mut text = format!("{} packets transmitted, {recv} received, {loss}% packet loss", self.sent);
            if let (Some(min), Some(max)) = (self.rtts.iter().min(), self.rtts.iter().max()) {
                let avg = self.rtts.iter().map(|d| d.as_nanos()).sum::<u64>() / recv.max(1) as u64;
                text += &format!(
                    ", rtt min/avg/max = {:.3}/{:.3}/{:.3} ms",
                    min.as_millis_f64(),
                    avg as f64 / 1e6,
                    max.as_millis_f64()
                );
            }
            os.note(text);
        }
    }

    fn on_icmp(&mut self, os: &mut Os, from: Ipv4Addr, icmp: &IcmpRepr, ttl: u8) {
        match icmp {
            IcmpRepr::EchoReply { ident, seq_no, data } if *ident == self.ident => {
                if let Some(at) = self.sent_at.remove(seq_no) {
                    let rtt = os.now - at;
                    self.rtts.push(rtt);
                    os.note(format!(
                        "{} bytes from {from}: icmp_seq={seq_no} ttl={ttl} time={:.3} ms",
                        data.len() + 8,
                        rtt.as_millis_f64()
                    ));
                }
            }
            IcmpRepr::DestUnreachable { code, .. } => {
                os.note(format!("From {from}: Destination unreachable (code {code})"))
            }
            IcmpRepr::TimeExceeded { .. } => os.note(format!("From {from}: Time to live exceeded")),
            _ => {}
        }
    }
}
