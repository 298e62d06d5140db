//! The headline figures of a run, computed from its trace alone: per connection the states it
//! went through, bytes delivered, retransmissions and connect latency; per queue the drops.
//! The command line prints this as JSON (`--summary`) and tests assert on it.

use crate::tcp::TcpState;
use crate::trace::{AppCall, DropReason, EventKind, SockId, SockKind, Trace};
use serde::Serialize;
use std::collections::BTreeMap;

/// One TCP connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnSummary {
    /// Socket id in the trace.
    pub sock: SockId,
    /// Host name.
    pub host: String,
    /// Local address.
    pub local: String,
    /// Peer address.
    pub remote: String,
    /// States entered, in order (the first is where it started).
    pub states: Vec<String>,
    /// Bytes the application read from it.
    pub bytes_read: u64,
    /// Bytes the application wrote to it.
    pub bytes_written: u64,
    /// Segments it sent whose sequence range had been sent before.
    pub retransmissions: u32,
    /// From connect() to its result, in ms (active opens only).
    pub connect_ms: Option<f64>,
    /// connect()'s result if it failed.
    pub connect_error: Option<String>,
    /// Completed request/response exchanges and their latencies in ms.
    pub exchanges_ms: Vec<f64>,
}

/// Drops on one link direction or inside a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropSummary {
    /// Where: `link 0 (client→server)` or a node name.
    pub at: String,
    /// Why.
    pub reason: String,
    /// How many.
    pub count: u32,
}

/// One link direction's queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueSummary {
    /// `client→server`.
    pub link: String,
    /// Deepest the queue got, in packets.
    pub max_packets: u32,
    /// Frames dropped because it was full.
    pub drops: u32,
}

/// A run's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// Scenario name.
    pub scenario: String,
    /// Virtual time simulated, in seconds.
    pub duration_s: f64,
    /// Events traced.
    pub events: usize,
    /// Frames sent.
    pub frames: usize,
    /// True if the run hit the event limit.
    pub truncated: bool,
    /// TCP connections.
    pub connections: Vec<ConnSummary>,
    /// Queues that held anything.
    pub queues: Vec<QueueSummary>,
    /// Drops grouped by place and reason.
    pub drops: Vec<DropSummary>,
    /// Lines applications printed.
    pub notes: Vec<String>,
}

/// The 4-tuple key (source, destination addresses and ports), sequence number and sequence
/// length of a captured Ethernet/IPv4/TCP frame, read from the headers alone so that frames
/// cut at the snap length count too.
fn tcp_header(b: &[u8]) -> Option<([u8; 12], u32, u32)> {
    const IP: usize = 14;
    if b.get(12..14)? != [0x08, 0x00] || *b.get(IP + 9)? != 6 || b[IP] >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(b[IP] & 0x0f) * 4;
    let frag = u16::from_be_bytes([b[IP + 6], b[IP + 7]]);
    if ihl < 20 || frag & 0x3fff != 0 {
        return None;
    }
    let tcp = b.get(IP + ihl..IP + ihl + 14)?;
    let total = u32::from(u16::from_be_bytes([b[IP + 2], b[IP + 3]]));
    let doff = u32::from(tcp[12] >> 4) * 4;
    let payload = total.checked_sub(ihl as u32 + doff)?;
    let flags = tcp[13];
    let len = payload + u32::from(flags & 0x02 != 0) + u32::from(flags & 0x01 != 0);
    let mut key = [0u8; 12];
    key[..8].copy_from_slice(&b[IP + 12..IP + 20]);
    key[8..12].copy_from_slice(&tcp[0..4]);
    Some((key, u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]), len))
}

/// Summarise a trace.
pub fn summarize(name: &str, t: &Trace) -> RunSummary {
    let node_name = |n: u16| t.nodes.get(n as usize).map(|x| x.name.clone()).unwrap_or_default();
    let mut conns: BTreeMap<SockId, ConnSummary> = BTreeMap::new();
    for (i, s) in t.sockets.iter().enumerate() {
        if s.kind == SockKind::TcpConn {
            conns.insert(
                i as SockId,
                ConnSummary {
                    sock: i as SockId,
                    host: node_name(s.node),
                    local: s.local.to_string(),
                    remote: s.remote.map(|r| r.to_string()).unwrap_or_default(),
                    states: vec![],
                    bytes_read: 0,
                    bytes_written: 0,
                    retransmissions: 0,
                    connect_ms: None,
                    connect_error: None,
                    exchanges_ms: vec![],
                },
            );
        }
    }
    let mut connect_at: BTreeMap<SockId, f64> = BTreeMap::new();
    let mut queues: BTreeMap<(u16, u16), QueueSummary> = BTreeMap::new();
    let mut drops: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut notes = vec![];
    // Highest sequence number end sent per (node, 4-tuple), to count retransmissions.
    let mut sent_hi: BTreeMap<(u16, [u8; 12]), u32> = BTreeMap::new();
    let mut retrans_by_tuple: BTreeMap<(u16, [u8; 12]), u32> = BTreeMap::new();
    let link_name = |l: u16, from: u16| {
        let info = &t.links[l as usize];
        let to = if info.a == from { info.b } else { info.a };
        format!("{}→{}", node_name(from), node_name(to))
    };
    for e in &t.events {
        match &e.kind {
            EventKind::TcpState { sock, from, to } => {
                if let Some(c) = conns.get_mut(sock) {
                    if c.states.is_empty() {
                        c.states.push(from.name().to_string());
                    }
                    c.states.push(to.name().to_string());
                }
            }
            EventKind::App { call, node } => match call {
                AppCall::Connect { sock, .. } => {
                    connect_at.insert(*sock, e.t.as_millis_f64());
                }
                AppCall::ConnectDone { sock, result } => {
                    if let (Some(c), Some(at)) = (conns.get_mut(sock), connect_at.get(sock)) {
                        c.connect_ms = Some(round3(e.t.as_millis_f64() - at));
                        c.connect_error = result.clone().err();
                    }
                }
                AppCall::Read { sock, bytes } => {
                    if let Some(c) = conns.get_mut(sock) {
                        c.bytes_read += *bytes as u64;
                    }
                }
                AppCall::Write { sock, bytes } => {
                    if let Some(c) = conns.get_mut(sock) {
                        c.bytes_written += *bytes as u64;
                    }
                }
                AppCall::Exchange { sock, latency } => {
                    if let Some(c) = conns.get_mut(sock) {
                        c.exchanges_ms.push(round3(latency.as_millis_f64()));
                    }
                }
                AppCall::Note { text } => {
                    notes.push(format!("{:.3} ms {}: {text}", e.t.as_millis_f64(), node_name(*node)))
                }
                _ => {}
            },
            EventKind::FrameQueued { link, from, depth_packets, .. } => {
                let q = queues.entry((*link, *from)).or_insert_with(|| QueueSummary {
                    link: link_name(*link, *from),
                    max_packets: 0,
                    drops: 0,
                });
                q.max_packets = q.max_packets.max(*depth_packets);
            }
            EventKind::FrameTx { frame, from, .. } => {
                if let Some((key, seq, len)) = t.frames.get(*frame as usize).and_then(|r| tcp_header(&r.bytes)) {
                    if len > 0 {
                        let end = seq.wrapping_add(len);
                        let k = (*from, key);
                        match sent_hi.get(&k) {
                            Some(&hi) if (seq.wrapping_sub(hi) as i32) < 0 => {
                                *retrans_by_tuple.entry(k).or_default() += 1;
                                if (end.wrapping_sub(hi) as i32) > 0 {
                                    sent_hi.insert(k, end);
                                }
                            }
                            _ => {
                                sent_hi.insert(k, end);
                            }
                        }
                    }
                }
            }
            EventKind::FrameDropped { node, link, reason, frame } => {
                let at = match (node, link) {
                    (Some(n), _) => node_name(*n),
                    (None, Some(l)) => {
                        let from = t.events.iter().find_map(|x| match &x.kind {
                            EventKind::FrameTx { frame: f, from, .. } if f == frame => Some(*from),
                            _ => None,
                        });
                        from.map(|f| link_name(*l, f)).unwrap_or_else(|| format!("link {l}"))
                    }
                    _ => "?".into(),
                };
                if *reason == DropReason::QueueFull {
                    if let (Some(l), Some(n)) = (link, node) {
                        let q = queues.entry((*l, *n)).or_insert_with(|| QueueSummary {
                            link: link_name(*l, *n),
                            max_packets: 0,
                            drops: 0,
                        });
                        q.drops += 1;
                    }
                }
                *drops.entry((at, format!("{reason:?}"))).or_default() += 1;
            }
            _ => {}
        }
    }
    for c in conns.values_mut() {
        let (Ok(local), Ok(remote)) =
            (c.local.parse::<std::net::SocketAddrV4>(), c.remote.parse::<std::net::SocketAddrV4>())
        else {
            continue;
        };
        let mut key = [0u8; 12];
        key[..4].copy_from_slice(&local.ip().octets());
        key[4..8].copy_from_slice(&remote.ip().octets());
        key[8..10].copy_from_slice(&local.port().to_be_bytes());
        key[10..].copy_from_slice(&remote.port().to_be_bytes());
        c.retransmissions = retrans_by_tuple.iter().filter(|((_, k), _)| *k == key).map(|(_, n)| *n).sum();
        if c.states.is_empty() {
            c.states.push(TcpState::Closed.name().to_string());
        }
    }
    RunSummary {
        scenario: name.to_string(),
        duration_s: t.end.as_secs_f64(),
        events: t.events.len(),
        frames: t.frames.len(),
        truncated: t.truncated,
        connections: conns.into_values().collect(),
        queues: queues.into_values().filter(|q| q.max_packets > 0 || q.drops > 0).collect(),
        drops: drops.into_iter().map(|((at, reason), count)| DropSummary { at, reason, count }).collect(),
        notes,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
