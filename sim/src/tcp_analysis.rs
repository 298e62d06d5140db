//! Per-connection analysis of captured TCP frames, as a packet analyser does it from the
//! frames alone: the handshake's round trips seen at the capture point, bytes each way,
//! retransmissions, duplicate ACKs and zero windows (Wireshark's `tcp.analysis` rules,
//! `packet-tcp.c`), and a Stevens/tcptrace time–sequence series per direction.
//!
//! It reads frames, not a run's events, so it works the same on an imported capture and on a
//! run's capture at one node ([`crate::trace::Trace::capture`]). One pass, linear in the
//! number of frames. Sequence numbers are unwrapped to 64 bits, so long transfers past 4 GiB
//! stay in order.

use crate::time::{Duration, Instant};
use crate::trace::FrameRecord;
use crate::wire::{EtherType, EthernetRepr, IpProtocol, Ipv4Repr, TcpRepr};
use serde::Serialize;
use std::collections::HashMap;
use std::net::SocketAddrV4;

/// One segment on a time–sequence chart: the sequence space it covers, relative to the
/// direction's initial sequence number (its SYN is 0..1, its first data byte 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SegmentPoint {
    /// When it was captured.
    pub t: Instant,
    /// Relative sequence number of its first byte (or SYN/FIN).
    pub start: i64,
    /// Relative sequence number just past it.
    pub end: i64,
    /// Wireshark would mark it a retransmission.
    pub retransmission: bool,
}

/// The time–sequence series of one direction's data (Stevens, tcptrace): its segments, the
/// receiver's ACK line, the receiver's window line (ACK plus advertised window) and the bytes
/// in flight, all relative to the sender's initial sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TimeSequence {
    /// The sender's segments that occupy sequence space.
    pub segments: Vec<SegmentPoint>,
    /// The receiver's cumulative ACKs: (time, relative acknowledgment number).
    pub acks: Vec<(Instant, i64)>,
    /// The right edge of the receiver's window: ACK + window << window scale.
    pub window: Vec<(Instant, i64)>,
    /// Bytes sent and not yet acknowledged, after each segment and each ACK.
    pub in_flight: Vec<(Instant, u64)>,
}

/// One direction of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectionStats {
    /// Sender.
    pub from: SocketAddrV4,
    /// Receiver.
    pub to: SocketAddrV4,
    /// Segments sent.
    pub segments: u64,
    /// Payload bytes sent, retransmissions included (lengths on the wire, so frames cut at
    /// the snap length count whole).
    pub payload_bytes: u64,
    /// Distinct payload bytes: how far the byte stream got (retransmissions counted once).
    pub stream_bytes: u64,
    /// Segments Wireshark marks as retransmissions: they carry data, SYN or FIN and start
    /// below the highest sequence number sent before (keep-alives excluded).
    pub retransmissions: u32,
    /// Duplicate ACKs sent: no data, SYN, FIN or RST, the same non-zero window and the same
    /// acknowledgment number as the sender's previous segment.
    pub duplicate_acks: u32,
    /// Segments advertising a zero window (without SYN, FIN or RST).
    pub zero_windows: u32,
    /// The window scale this direction's windows are shifted by (both SYNs carried the
    /// option), `None` when the handshake was not captured or did not negotiate it.
    pub window_scale: Option<u8>,
    /// The initial sequence number, when the SYN was captured.
    pub isn: Option<u32>,
    /// SYN, FIN and RST seen from this side.
    pub syn: bool,
    /// FIN seen.
    pub fin: bool,
    /// RST seen.
    pub rst: bool,
    /// The time–sequence series of the data this direction sends.
    pub series: TimeSequence,
}

/// One TCP connection found in the frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionStats {
    /// The side that sent the SYN (or, without a captured SYN, the first frame's sender).
    pub client: SocketAddrV4,
    /// The other side.
    pub server: SocketAddrV4,
    /// First frame.
    pub first: Instant,
    /// Last frame.
    pub last: Instant,
    /// SYN, SYN-ACK and the ACK of the SYN-ACK were all captured.
    pub handshake_seen: bool,
    /// From the (last) SYN to the first SYN-ACK, at the capture point: near the client this
    /// is the whole round trip, near the server almost nothing.
    pub syn_to_synack: Option<Duration>,
    /// From the first SYN-ACK to the ACK that completes the handshake: near the server this
    /// is the whole round trip.
    pub synack_to_ack: Option<Duration>,
    /// Client to server, then server to client.
    pub directions: [DirectionStats; 2],
}

impl ConnectionStats {
    /// The handshake's round trip as seen from the capture point: the sum of both halves
    /// (Wireshark's `tcp.analysis.initial_rtt`).
    pub fn initial_rtt(&self) -> Option<Duration> {
        Some(Duration(self.syn_to_synack?.0 + self.synack_to_ack?.0))
    }
}

/// Sequence-number bookkeeping of one direction while reading.
#[derive(Debug, Default, Clone, Copy)]
struct Seq {
    /// (raw, relative) of the latest number seen in this sequence space, to unwrap the next.
    anchor: Option<(u32, i64)>,
    /// Highest relative sequence number sent + 1.
    next: Option<i64>,
    /// Highest relative acknowledgment received for it.
    acked: Option<i64>,
    /// The sender's previous ACK number and window (for duplicate ACKs).
    last_ack: Option<u32>,
    last_win: Option<u16>,
    /// Window scale offered in its SYN.
    ws_offered: Option<u8>,
}

impl Seq {
    /// `raw` relative to the initial number, unwrapped near the previous one.
    fn unwrap(&mut self, raw: u32) -> i64 {
        let rel = match self.anchor {
            Some((a, r)) => r + i64::from(raw.wrapping_sub(a) as i32),
            None => 0,
        };
        if self.anchor.is_none_or(|(_, r)| rel > r) {
            self.anchor = Some((raw, rel));
        }
        rel
    }
}

struct Conn {
    stats: ConnectionStats,
    seq: [Seq; 2],
    syn_at: Option<Instant>,
    synack_at: Option<Instant>,
    synack_seq: Option<u32>,
}

impl Conn {
    fn new(t: Instant, client: SocketAddrV4, server: SocketAddrV4) -> Conn {
        let dir = |from, to| DirectionStats {
            from,
            to,
            segments: 0,
            payload_bytes: 0,
            stream_bytes: 0,
            retransmissions: 0,
            duplicate_acks: 0,
            zero_windows: 0,
            window_scale: None,
            isn: None,
            syn: false,
            fin: false,
            rst: false,
            series: TimeSequence::default(),
        };
        Conn {
            stats: ConnectionStats {
                client,
                server,
                first: t,
                last: t,
                handshake_seen: false,
                syn_to_synack: None,
                synack_to_ack: None,
                directions: [dir(client, server), dir(server, client)],
            },
            seq: [Seq::default(); 2],
            syn_at: None,
            synack_at: None,
            synack_seq: None,
        }
    }

    fn closed(&self) -> bool {
        self.stats.directions.iter().any(|d| d.fin || d.rst)
    }

    /// One segment from side `d`: `payload` bytes on the wire.
    fn segment(&mut self, t: Instant, d: usize, tcp: &TcpRepr, payload: u32) {
        let f = tcp.flags;
        let o = 1 - d;
        self.stats.last = t;
        let seg_len = i64::from(payload) + i64::from(f.syn()) + i64::from(f.fin());
        // Handshake.
        if f.syn() && !f.ack() {
            self.syn_at = Some(t);
            self.seq[d].anchor = None;
            self.stats.directions[d].isn = Some(tcp.seq);
            self.seq[d].ws_offered = tcp.options.window_scale;
        } else if f.syn() && f.ack() {
            if self.synack_at.is_none() {
                self.synack_at = Some(t);
                self.synack_seq = Some(tcp.seq);
                if let Some(s) = self.syn_at {
                    self.stats.syn_to_synack = Some(t.saturating_since(s));
                }
            }
            if self.stats.directions[d].isn.is_none() {
                self.seq[d].anchor = None;
                self.stats.directions[d].isn = Some(tcp.seq);
            }
            self.seq[d].ws_offered = tcp.options.window_scale;
            // RFC 7323 §2.2: scaling is on only if both SYNs carried the option.
            if let (Some(a), Some(b)) = (self.seq[o].ws_offered, self.seq[d].ws_offered) {
                self.stats.directions[o].window_scale = Some(a.min(14));
                self.stats.directions[d].window_scale = Some(b.min(14));
            }
        } else if f.ack() && self.stats.synack_to_ack.is_none() {
            if let (Some(at), Some(s)) = (self.synack_at, self.synack_seq) {
                if tcp.ack == s.wrapping_add(1) && self.stats.directions[d].from == self.stats.client {
                    self.stats.synack_to_ack = Some(t.saturating_since(at));
                    self.stats.handshake_seen = self.syn_at.is_some();
                }
            }
        }
        let rel = self.seq[d].unwrap(tcp.seq);
        let end = rel + seg_len;
        let next = self.seq[d].next;
        let keepalive = seg_len <= 1 && !f.syn() && !f.fin() && !f.rst() && next == Some(rel + 1);
        let retransmission = seg_len > 0 && !keepalive && next.is_some_and(|n| rel < n);
        let dup_ack = seg_len == 0
            && f.ack()
            && !f.rst()
            && tcp.window != 0
            && self.seq[d].last_win == Some(tcp.window)
            && self.seq[d].last_ack == Some(tcp.ack)
            && next == Some(rel);
        let zero_window = tcp.window == 0 && !f.syn() && !f.fin() && !f.rst();
        self.seq[d].next = Some(next.map_or(end, |n| n.max(end)));
        {
            let s = &mut self.stats.directions[d];
            s.segments += 1;
            s.payload_bytes += u64::from(payload);
            s.retransmissions += u32::from(retransmission);
            s.duplicate_acks += u32::from(dup_ack);
            s.zero_windows += u32::from(zero_window);
            s.syn |= f.syn();
            s.fin |= f.fin();
            s.rst |= f.rst();
            if seg_len > 0 {
                s.series.segments.push(SegmentPoint { t, start: rel, end, retransmission });
                let acked = self.seq[d].acked.unwrap_or(0);
                let sent = self.seq[d].next.unwrap_or(0);
                s.series.in_flight.push((t, (sent - acked).max(0) as u64));
            }
        }
        if f.ack() {
            // The ACK and window are about the other direction's data.
            let ack = self.seq[o].unwrap(tcp.ack);
            let acked = self.seq[o].acked.map_or(ack, |a| a.max(ack));
            self.seq[o].acked = Some(acked);
            let shift = if f.syn() { 0 } else { self.stats.directions[d].window_scale.unwrap_or(0) };
            let win = i64::from(tcp.window) << shift;
            let series = &mut self.stats.directions[o].series;
            series.acks.push((t, ack));
            series.window.push((t, ack + win));
            let sent = self.seq[o].next.unwrap_or(acked);
            series.in_flight.push((t, (sent - acked).max(0) as u64));
            self.seq[d].last_ack = Some(tcp.ack);
        }
        self.seq[d].last_win = Some(tcp.window);
    }

    fn finish(mut self) -> ConnectionStats {
        for d in 0..2 {
            let s = &mut self.stats.directions[d];
            let next = self.seq[d].next.unwrap_or(0);
            // The SYN occupies relative number 0 when it was captured; the FIN the last one.
            let start = if s.isn.is_some() { 1 } else { 0 };
            s.stream_bytes = (next - start - i64::from(s.fin)).max(0) as u64;
        }
        self.stats
    }
}

/// The TCP connections in `frames` (Ethernet frames in capture order), in order of their
/// first frame. A SYN on a 4-tuple whose connection already ended (FIN or RST) with another
/// initial sequence number starts a new connection. Frames that are not IPv4/TCP, IP
/// fragments and frames too short for their TCP header are skipped.
pub fn connections(frames: &[(Instant, &FrameRecord)]) -> Vec<ConnectionStats> {
    let mut conns: Vec<Conn> = Vec::new();
    let mut by_tuple: HashMap<(SocketAddrV4, SocketAddrV4), usize> = HashMap::new();
    for &(t, rec) in frames {
        let Ok((eth, rest)) = EthernetRepr::parse(&rec.bytes) else { continue };
        if eth.ethertype != EtherType::IPV4 {
            continue;
        }
        let Ok((ip, captured, wire_len)) = Ipv4Repr::parse_captured(rest) else { continue };
        if ip.protocol != IpProtocol::TCP || ip.is_fragment() {
            continue;
        }
        let Ok((tcp, header_len)) = TcpRepr::parse_header(captured) else { continue };
        let data = &captured[header_len..];
        let header_len = captured.len() - data.len();
        let payload = wire_len.saturating_sub(header_len) as u32;
        let src = SocketAddrV4::new(ip.src, tcp.src_port);
        let dst = SocketAddrV4::new(ip.dst, tcp.dst_port);
        let key = (src.min(dst), src.max(dst));
        let fresh_syn = tcp.flags.syn() && !tcp.flags.ack();
        let existing = by_tuple.get(&key).copied().filter(|&i| {
            let c = &conns[i];
            let d = usize::from(c.stats.client != src);
            !(fresh_syn && c.closed() && c.stats.directions[d].isn != Some(tcp.seq))
        });
        let i = match existing {
            Some(i) => i,
            None => {
                let (client, server) = if tcp.flags.syn() && tcp.flags.ack() { (dst, src) } else { (src, dst) };
                conns.push(Conn::new(t, client, server));
                by_tuple.insert(key, conns.len() - 1);
                conns.len() - 1
            }
        };
        let c = &mut conns[i];
        let d = usize::from(c.stats.client != src);
        c.segment(t, d, &tcp, payload);
    }
    conns.into_iter().map(Conn::finish).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simulated_transfer_has_its_handshake_and_its_bytes() {
        let p = crate::presets::find("handshake").unwrap();
        let t = crate::run(&p.default_scenario().unwrap()).unwrap();
        let client = t.node_named("client").unwrap();
        let cs = connections(&t.capture(client));
        assert!(!cs.is_empty());
        let c = &cs[0];
        assert!(c.handshake_seen, "{c:?}");
        let rtt = c.syn_to_synack.unwrap();
        assert!(rtt.0 > 0);
        // At the client the ACK follows the SYN-ACK at once.
        assert!(c.synack_to_ack.unwrap() < rtt);
        assert_eq!(c.directions.iter().map(|d| d.retransmissions).sum::<u32>(), 0);
    }

    #[test]
    fn sequence_numbers_unwrap_past_4_gib() {
        let mut s = Seq::default();
        assert_eq!(s.unwrap(u32::MAX - 10), 0);
        assert_eq!(s.unwrap(5), 16);
        assert_eq!(s.unwrap(u32::MAX - 5), 5);
    }
}
