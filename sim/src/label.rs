//! Short, human labels for frames, as a ladder diagram prints them on each arrow:
//! `SYN`, `SYN, ACK`, `PSH, ACK · seq 1 · 300 B`. TCP sequence and acknowledgment numbers are
//! relative to each direction's initial sequence number, as Wireshark shows them by default;
//! [`frame_labels_absolute`] prints the numbers as they are on the wire.

use crate::trace::Trace;
use crate::wire::{ArpOp, Frame, FramePayload, IcmpRepr, Transport};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// One label per frame of `trace`, by frame id, with relative sequence numbers.
pub fn frame_labels(trace: &Trace) -> Vec<String> {
    labels(trace, true)
}

/// One label per frame of `trace`, by frame id, with the sequence and acknowledgment numbers
/// as they are on the wire (SYNs show their initial sequence number too).
pub fn frame_labels_absolute(trace: &Trace) -> Vec<String> {
    labels(trace, false)
}

fn labels(trace: &Trace, relative: bool) -> Vec<String> {
    let mut isn: BTreeMap<(SocketAddrV4, SocketAddrV4), u32> = BTreeMap::new();
    trace
        .frames
        .iter()
        .map(|rec| {
            let Ok(f) = Frame::parse_captured(&rec.bytes) else { return format!("{} bytes", rec.orig_len) };
            match f.payload {
                FramePayload::Arp(a) => match a.op {
                    ArpOp::Request => format!("ARP: who has {}?", a.target_ip),
                    ArpOp::Reply => format!("ARP: {} is at {}", a.sender_ip, a.sender_mac),
                },
                FramePayload::Ipv4(p) => match p.transport {
                    Transport::Tcp(t) => {
                        let from = SocketAddrV4::new(p.ip.src, t.src_port);
                        let to = SocketAddrV4::new(p.ip.dst, t.dst_port);
                        if t.flags.syn() {
                            isn.insert((from, to), t.seq);
                        }
                        let mut s = t.flags.to_string();
                        let rel_seq = isn.get(&(from, to)).map(|i| t.seq.wrapping_sub(*i));
                        let rel_ack = isn.get(&(to, from)).map(|i| t.ack.wrapping_sub(*i));
                        if !relative {
                            s += &format!(" · seq {}", t.seq);
                            if t.flags.ack() {
                                s += &format!(" ack {}", t.ack);
                            }
                        } else if !t.flags.syn() {
                            if let Some(q) = rel_seq {
                                s += &format!(" · seq {q}");
                            }
                            if let (true, Some(a)) = (t.flags.ack(), rel_ack) {
                                s += &format!(" ack {a}");
                            }
                        } else if let (true, Some(a)) = (t.flags.ack(), rel_ack) {
                            // A SYN-ACK that also acknowledges data carried in the SYN (Fast Open).
                            if a != 1 {
                                s += &format!(" · ack {a}");
                            }
                        }
                        match t.options.fast_open.as_deref() {
                            Some([]) => s += " · TFO cookie request",
                            Some(_) => s += " · TFO cookie",
                            None => {}
                        }
                        if !t.payload.is_empty() {
                            s += &format!(" · {} B", t.payload.len());
                        }
                        s
                    }
                    Transport::Udp(u) => format!("UDP {} → {} · {} B", u.src_port, u.dst_port, u.payload.len()),
                    Transport::Icmp(IcmpRepr::EchoRequest { seq_no, .. }) => format!("ping request #{seq_no}"),
                    Transport::Icmp(IcmpRepr::EchoReply { seq_no, .. }) => format!("ping reply #{seq_no}"),
                    Transport::Icmp(IcmpRepr::TimeExceeded { .. }) => "ICMP time exceeded".into(),
                    Transport::Icmp(IcmpRepr::DestUnreachable { code: 4, next_hop_mtu, .. }) => {
                        format!("ICMP fragmentation needed (MTU {next_hop_mtu})")
                    }
                    Transport::Icmp(IcmpRepr::DestUnreachable { code: 3, .. }) => "ICMP port unreachable".into(),
                    Transport::Icmp(IcmpRepr::DestUnreachable { code, .. }) => {
                        format!("ICMP unreachable (code {code})")
                    }
                    Transport::Fragment(b) => format!("IP fragment at {} · {} B", p.ip.frag_offset, b.len()),
                    Transport::Other(b) => format!("IP protocol {} · {} B", p.ip.protocol.0, b.len()),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn handshake_labels_are_relative() {
        let p = crate::presets::find("handshake").unwrap();
        let t = crate::run(&p.default_scenario().unwrap()).unwrap();
        let l = super::frame_labels(&t);
        assert_eq!(l[0], "SYN");
        assert_eq!(l[1], "SYN, ACK");
        assert_eq!(l[2], "ACK · seq 1 ack 1");
        assert!(l[3].starts_with("PSH, ACK · seq 1 ack 1 · 120 B"), "{}", l[3]);
    }

    #[test]
    fn fast_open_labels_show_the_cookie_and_the_data_in_the_syn() {
        let p = crate::presets::find("tfo").unwrap();
        let t = crate::run(&p.default_scenario().unwrap()).unwrap();
        let l = super::frame_labels(&t);
        let syns: Vec<&String> = l.iter().filter(|s| s.starts_with("SYN")).collect();
        assert_eq!(syns[0], "SYN · TFO cookie request");
        assert_eq!(syns[1], "SYN, ACK · TFO cookie");
        assert_eq!(syns[2], "SYN · TFO cookie · 120 B");
        assert_eq!(syns[3], "SYN, ACK · ack 121");
    }

    #[test]
    fn absolute_labels_show_the_wire_numbers() {
        use crate::wire::{Frame, FramePayload, Transport};
        let p = crate::presets::find("handshake").unwrap();
        let t = crate::run(&p.default_scenario().unwrap()).unwrap();
        let l = super::frame_labels_absolute(&t);
        let tcp = |i: usize| match Frame::parse(&t.frames[i].bytes).unwrap().payload {
            FramePayload::Ipv4(p) => match p.transport {
                Transport::Tcp(t) => (t.seq, t.ack),
                _ => panic!("not TCP"),
            },
            _ => panic!("not IPv4"),
        };
        let (syn_seq, _) = tcp(0);
        let (synack_seq, synack_ack) = tcp(1);
        assert_eq!(synack_ack, syn_seq.wrapping_add(1));
        assert_eq!(l[0], format!("SYN · seq {syn_seq}"));
        assert_eq!(l[1], format!("SYN, ACK · seq {synack_seq} ack {synack_ack}"));
        assert_eq!(l[2], format!("ACK · seq {} ack {}", syn_seq.wrapping_add(1), synack_seq.wrapping_add(1)));
    }
}
