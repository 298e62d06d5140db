//! Head-of-line blocking, read from a trace: for each stream of a multiplexed exchange (HTTP/2
//! over TCP, or QUIC), when its request left, when its response bytes reached the client's
//! transport, when they were handed to the application, and when it completed.
//!
//! "Arrived" minus "delivered" is what waits in the receiver: TCP delivers its one byte stream
//! in order (RFC 9293 §3.10.7.4), so bytes of every stream behind a hole wait for the
//! retransmission; QUIC orders bytes per stream only (RFC 9000 §2.2), so only the streams
//! whose frames were in the lost packet wait (RFC 9000 §13.3: lost frames are sent again in
//! new packets).

use crate::apps::h2mux::{kind, Frame as H2Frame, FRAME_HEADER};
use crate::apps::quic::frames::{parse_datagram, QuicFrame};
use crate::time::Instant;
use crate::trace::{AppCall, DropReason, EventKind, Trace};
use crate::wire::{Frame, FramePayload, TcpFlags, Transport};

/// Which transport carried the streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// HTTP/2 frames on one TCP connection.
    Tcp,
    /// QUIC streams.
    Quic,
}

/// One stream's life.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamTimeline {
    /// Stream number (0, 1, 2…; HTTP/2 id 2n+1, QUIC id 4n).
    pub stream: u32,
    /// When the client's packet carrying the request left.
    pub requested: Option<Instant>,
    /// Cumulative distinct response-body bytes that had reached the client's transport.
    pub arrived: Vec<(Instant, u64)>,
    /// Cumulative response-body bytes handed to the application.
    pub delivered: Vec<(Instant, u64)>,
    /// When its last byte was delivered.
    pub complete: Option<Instant>,
}

fn at(steps: &[(Instant, u64)], t: Instant) -> u64 {
    let i = steps.partition_point(|(x, _)| *x <= t);
    if i == 0 {
        0
    } else {
        steps[i - 1].1
    }
}

impl StreamTimeline {
    /// Bytes arrived by `t`.
    pub fn arrived_at(&self, t: Instant) -> u64 {
        at(&self.arrived, t)
    }
    /// Bytes delivered by `t`.
    pub fn delivered_at(&self, t: Instant) -> u64 {
        at(&self.delivered, t)
    }
    /// Bytes that arrived but wait behind a hole at `t`.
    pub fn waiting_at(&self, t: Instant) -> u64 {
        self.arrived_at(t).saturating_sub(self.delivered_at(t))
    }
    /// Intervals during which some of its bytes had arrived but could not be delivered.
    pub fn blocked(&self) -> Vec<(Instant, Instant)> {
        let mut times: Vec<Instant> = self.arrived.iter().chain(&self.delivered).map(|(t, _)| *t).collect();
        times.sort();
        times.dedup();
        let mut out: Vec<(Instant, Instant)> = vec![];
        let mut open: Option<Instant> = None;
        for t in times {
            match (self.waiting_at(t) > 0, open) {
                (true, None) => open = Some(t),
                (false, Some(s)) => {
                    out.push((s, t));
                    open = None;
                }
                _ => {}
            }
        }
        if let (Some(s), Some(e)) = (open, self.complete) {
            out.push((s, e));
        }
        out
    }
}

/// A lost packet and the streams whose response bytes it carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// When it was dropped.
    pub t: Instant,
    /// Streams it carried data of.
    pub streams: Vec<u32>,
}

/// Every stream of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct HolTimeline {
    /// The transport.
    pub carrier: Carrier,
    /// Streams by number.
    pub streams: Vec<StreamTimeline>,
    /// Response packets the network lost.
    pub losses: Vec<Loss>,
    /// When the first request left.
    pub start: Option<Instant>,
}

impl HolTimeline {
    /// When the last stream completed (None if one never did).
    pub fn done(&self) -> Option<Instant> {
        self.streams.iter().map(|s| s.complete).try_fold(Instant::ZERO, |a, c| c.map(|c| a.max(c)))
    }
}

/// Which stream each byte of a reassembled HTTP/2 byte stream belongs to (DATA payload
/// bytes only; None for frame headers and other frames).
fn h2_owner(stream: &[u8]) -> Vec<Option<u32>> {
    let mut owner = vec![None; stream.len()];
    let mut at = 0;
    while let Some((f, n)) = H2Frame::parse(&stream[at..]) {
        if f.kind == kind::DATA && f.stream % 2 == 1 {
            for o in &mut owner[at + FRAME_HEADER..at + n] {
                *o = Some((f.stream - 1) / 2);
            }
        }
        at += n;
    }
    owner
}

struct Grow {
    per: Vec<u64>,
}

impl Grow {
    fn add(&mut self, s: u32, n: u64) {
        let i = s as usize;
        if self.per.len() <= i {
            self.per.resize(i + 1, 0);
        }
        self.per[i] += n;
    }
}

/// Read the timelines of the run whose hosts are named `client` and `server`.
pub fn timelines(trace: &Trace) -> HolTimeline {
    let client = trace.node_named("client");
    let mut carrier = Carrier::Tcp;
    // Packets between the two, parsed once: (time, event is rx-at-client / tx-by-client /
    // dropped, frame).
    enum Ev {
        RxClient,
        TxClient,
        Dropped,
    }
    let mut pkts: Vec<(Instant, Ev, Frame)> = vec![];
    for e in &trace.events {
        let (id, ev) = match &e.kind {
            EventKind::FrameRx { frame, node, .. } if Some(*node) == client => (*frame, Ev::RxClient),
            EventKind::FrameTx { frame, from, .. } if Some(*from) == client => (*frame, Ev::TxClient),
            EventKind::FrameDropped { frame, reason: DropReason::Fault | DropReason::LinkLoss, .. } => {
                (*frame, Ev::Dropped)
            }
            _ => continue,
        };
        let Some(rec) = trace.frames.get(id as usize) else { continue };
        let Ok(f) = Frame::parse(&rec.bytes) else { continue };
        if let FramePayload::Ipv4(p) = &f.payload {
            if matches!(p.transport, Transport::Udp(_)) {
                carrier = Carrier::Quic;
            }
        }
        pkts.push((e.t, ev, f));
    }

    let mut streams: Vec<StreamTimeline> = vec![];
    let mut losses = vec![];
    let mut start = None;
    let slot = |streams: &mut Vec<StreamTimeline>, s: u32| -> usize {
        let i = s.min(1000) as usize;
        while streams.len() <= i {
            let n = streams.len() as u32;
            streams.push(StreamTimeline { stream: n, ..Default::default() });
        }
        i
    };

    match carrier {
        Carrier::Tcp => {
            // The server's byte stream: ISN from its SYN-ACK, then every data segment seen
            // (received or dropped) placed at its offset.
            let server_segs: Vec<(Instant, &Ev, u64, &[u8])> = {
                let mut isn = None;
                let mut v = vec![];
                for (t, ev, f) in &pkts {
                    let FramePayload::Ipv4(p) = &f.payload else { continue };
                    let Transport::Tcp(tcp) = &p.transport else { continue };
                    let from_server = matches!(ev, Ev::RxClient) || (matches!(ev, Ev::Dropped) && tcp.src_port == 443);
                    if !from_server {
                        continue;
                    }
                    if tcp.flags.contains(TcpFlags::SYN) {
                        isn = Some(tcp.seq.wrapping_add(1));
                    } else if let (Some(i), false) = (isn, tcp.payload.is_empty()) {
                        v.push((*t, ev, tcp.seq.wrapping_sub(i) as u64, tcp.payload.as_slice()));
                    }
                }
                v
            };
            let len = server_segs.iter().map(|(_, _, o, p)| o + p.len() as u64).max().unwrap_or(0).min(1 << 26);
            let mut bytes = vec![0u8; len as usize];
            for (_, _, o, p) in &server_segs {
                let o = *o as usize;
                if o + p.len() <= bytes.len() {
                    bytes[o..o + p.len()].copy_from_slice(p);
                }
            }
            let owner = h2_owner(&bytes);
            let mut seen = vec![false; bytes.len()];
            let mut arrived = Grow { per: vec![] };
            for (t, ev, o, p) in &server_segs {
                let o = *o as usize;
                let range = o..(o + p.len()).min(owner.len());
                if matches!(ev, Ev::Dropped) {
                    let mut s: Vec<u32> = owner[range].iter().flatten().copied().collect();
                    s.dedup();
                    s.sort();
                    s.dedup();
                    losses.push(Loss { t: *t, streams: s });
                    continue;
                }
                let mut grew = vec![];
                for b in range {
                    if !seen[b] {
                        seen[b] = true;
                        if let Some(s) = owner[b] {
                            arrived.add(s, 1);
                            grew.push(s);
                        }
                    }
                }
                grew.sort();
                grew.dedup();
                for s in grew {
                    let i = slot(&mut streams, s);
                    streams[i].arrived.push((*t, arrived.per[s as usize]));
                }
            }
            // Requests: the client's first data segment carries the preface and every HEADERS.
            for (t, ev, f) in &pkts {
                let (Ev::TxClient, FramePayload::Ipv4(p)) = (ev, &f.payload) else { continue };
                let Transport::Tcp(tcp) = &p.transport else { continue };
                if !tcp.payload.is_empty() {
                    start = Some(*t);
                    let mut at = crate::apps::h2mux::PREFACE.len().min(tcp.payload.len());
                    while let Some((fr, n)) = H2Frame::parse(&tcp.payload[at..]) {
                        if fr.kind == kind::HEADERS && fr.stream % 2 == 1 {
                            let i = slot(&mut streams, (fr.stream - 1) / 2);
                            streams[i].requested = Some(*t);
                        }
                        at += n;
                    }
                    break;
                }
            }
        }
        Carrier::Quic => {
            let mut covered: Vec<Vec<bool>> = vec![];
            let mut arrived = Grow { per: vec![] };
            for (t, ev, f) in &pkts {
                let FramePayload::Ipv4(p) = &f.payload else { continue };
                let Transport::Udp(u) = &p.transport else { continue };
                let Some(packets) = parse_datagram(&u.payload) else { continue };
                let stream_frames = packets.iter().flat_map(|(_, _, fs)| fs).filter_map(|fr| match fr {
                    QuicFrame::Stream { id, offset, len, .. } => Some(((*id / 4) as u32, *offset, *len)),
                    _ => None,
                });
                match ev {
                    Ev::TxClient => {
                        for (s, off, _) in stream_frames {
                            let i = slot(&mut streams, s);
                            if off == 0 && streams[i].requested.is_none() {
                                streams[i].requested = Some(*t);
                                start = start.or(Some(*t));
                            }
                        }
                    }
                    Ev::Dropped if u.src_port == 443 => {
                        let mut s: Vec<u32> = stream_frames.map(|(s, _, _)| s).collect();
                        if !s.is_empty() {
                            s.sort();
                            s.dedup();
                            losses.push(Loss { t: *t, streams: s });
                        }
                    }
                    Ev::RxClient => {
                        for (s, off, len) in stream_frames {
                            let si = s.min(1000) as usize;
                            if covered.len() <= si {
                                covered.resize(si + 1, vec![]);
                            }
                            let end = (off + len).min(1 << 26) as usize;
                            if covered[si].len() < end {
                                covered[si].resize(end, false);
                            }
                            let mut new = 0;
                            for b in &mut covered[si][(off as usize).min(end)..end] {
                                if !*b {
                                    *b = true;
                                    new += 1;
                                }
                            }
                            if new > 0 {
                                arrived.add(s, new);
                                let i = slot(&mut streams, s);
                                streams[i].arrived.push((*t, arrived.per[si]));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    for e in &trace.events {
        let EventKind::App { node: n, call } = &e.kind else { continue };
        if Some(*n) != client {
            continue;
        }
        match call {
            AppCall::StreamBytes { stream, delivered, .. } => {
                let i = slot(&mut streams, *stream);
                streams[i].delivered.push((e.t, *delivered));
            }
            AppCall::StreamDone { stream, .. } => {
                let s = if carrier == Carrier::Quic { stream / 4 } else { *stream };
                let i = slot(&mut streams, s);
                streams[i].complete = Some(e.t);
            }
            _ => {}
        }
    }
    HolTimeline { carrier, streams, losses, start }
}
