//! The packet list of a run, as a packet analyser's top pane shows it: one row per frame
//! transmission in order of first bit, with its time, source and destination (IP addresses, or
//! MAC addresses for ARP), the highest protocol it carries, its length and a one-line summary.

use crate::time::Instant;
use crate::trace::{FrameId, Trace};
use crate::wire::{Frame, FramePayload, Transport};

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketRow {
    /// The frame.
    pub frame: FrameId,
    /// When its first bit left the sender.
    pub t: Instant,
    /// Source address.
    pub src: String,
    /// Destination address.
    pub dst: String,
    /// The highest protocol it carries.
    pub protocol: &'static str,
    /// Bytes on the wire (without preamble and FCS).
    pub len: u32,
}

/// The rows of `trace`, in order of first bit.
pub fn packet_rows(trace: &Trace) -> Vec<PacketRow> {
    trace
        .transmissions()
        .into_iter()
        .filter_map(|x| {
            let rec = trace.frames.get(x.frame as usize)?;
            let (src, dst, protocol) = match Frame::parse_captured(&rec.bytes) {
                Ok(f) => match f.payload {
                    FramePayload::Arp(_) => (f.eth.src.to_string(), f.eth.dst.to_string(), "ARP"),
                    FramePayload::Ipv4(p) => {
                        let proto = match p.transport {
                            Transport::Tcp(_) => "TCP",
                            Transport::Udp(ref u) if u.src_port == 53 || u.dst_port == 53 => "DNS",
                            Transport::Udp(_) => "UDP",
                            Transport::Icmp(_) => "ICMP",
                            Transport::Fragment(_) => "IPv4",
                            Transport::Other(_) => "IPv4",
                        };
                        (p.ip.src.to_string(), p.ip.dst.to_string(), proto)
                    }
                },
                Err(_) => (String::new(), String::new(), "?"),
            };
            Some(PacketRow { frame: x.frame, t: x.start, src, dst, protocol, len: rec.orig_len })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dns_lookup_lists_arp_then_dns_in_time_order() {
        let p = crate::presets::find("dns").unwrap();
        let t = crate::run(&p.default_scenario().unwrap()).unwrap();
        let rows = packet_rows(&t);
        assert!(rows.windows(2).all(|w| w[0].t <= w[1].t));
        assert_eq!(rows[0].protocol, "ARP");
        assert_eq!(rows[0].dst, "ff:ff:ff:ff:ff:ff");
        let dns: Vec<&PacketRow> = rows.iter().filter(|r| r.protocol == "DNS").collect();
        assert!(!dns.is_empty());
        assert_eq!(dns[0].src, "10.0.0.1");
        assert_eq!(dns[0].dst, "10.0.0.53");
    }
}
