//! The headline figures of a run, computed from its trace alone: per connection the states it
//! went through, bytes delivered, retransmissions and connect latency; per queue the drops;
//! the connect() latencies as a list ready for a histogram; each host's final counters; and
//! each listening socket's queues.
//! The command line prints this as JSON (`--summary`) and tests assert on it.

use crate::tcp::TcpState;
use crate::trace::{AppCall, DropReason, EventKind, ListenAction, QueueKind, SockId, SockKind, Trace};
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
    /// Time to the first byte of each response, in ms (where the application reports it).
    pub first_byte_ms: Vec<f64>,
    /// A call that failed after connect() succeeded, as `read: ECONNRESET`.
    pub failed: Option<String>,
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
    /// Every successful connect()'s latency in ms, in order of completion: the input of a
    /// latency histogram ([`histogram`]).
    pub connect_latencies_ms: Vec<f64>,
    /// Each host's kernel counters at the end of the run (`nstat`), hosts in node order.
    pub counters: Vec<HostCounters>,
    /// Listening sockets: the `ss -lnt` view and what their queues went through.
    pub listeners: Vec<ListenerSummary>,
}

/// A host's counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostCounters {
    /// Host name.
    pub host: String,
    /// Counter values by nstat name (only those counted).
    pub counters: BTreeMap<String, u64>,
}

/// One listening socket over the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListenerSummary {
    /// Socket id in the trace.
    pub sock: SockId,
    /// Host name.
    pub host: String,
    /// Local address.
    pub local: String,
    /// The backlog passed to listen().
    pub requested_backlog: u32,
    /// `ss -lnt` Send-Q: min(backlog, somaxconn).
    pub send_q: u32,
    /// An SO_REUSEPORT group member.
    pub reuseport: bool,
    /// Longest the accept queue got (`ss` Recv-Q, at most Send-Q + 1).
    pub peak_accept_queue: u32,
    /// Longest the SYN queue got.
    pub peak_syn_queue: u32,
    /// Connections accept() returned.
    pub accepted: u32,
    /// SYNs dropped, any reason.
    pub syns_dropped: u32,
    /// Cookie SYN-ACKs sent.
    pub cookies_sent: u32,
    /// Final ACKs that found the accept queue full (dropped or answered with RST).
    pub acks_overflowed: u32,
}

/// One bar of a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistogramBin {
    /// Lower edge (inclusive), same unit as the values.
    pub from: f64,
    /// Upper edge (exclusive).
    pub to: f64,
    /// Values in `from..to`.
    pub count: u32,
}

/// Bars of width `bin` from 0 up to the largest value (non-finite and negative values are
/// left out; a `bin` that is not positive gives no bars).
pub fn histogram(values: &[f64], bin: f64) -> Vec<HistogramBin> {
    if !(bin.is_finite() && bin > 0.0) {
        return vec![];
    }
    let ok: Vec<f64> = values.iter().copied().filter(|v| v.is_finite() && *v >= 0.0).collect();
    let Some(max) = ok.iter().copied().reduce(f64::max) else { return vec![] };
    let n = ((max / bin).floor() as usize).min(100_000) + 1;
    let mut bars: Vec<HistogramBin> =
        (0..n).map(|i| HistogramBin { from: i as f64 * bin, to: (i + 1) as f64 * bin, count: 0 }).collect();
    for v in ok {
        if let Some(b) = bars.get_mut(((v / bin).floor() as usize).min(n - 1)) {
            b.count += 1;
        }
    }
    bars
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
                    first_byte_ms: vec![],
                    failed: None,
                },
            );
        }
    }
    let mut listeners: BTreeMap<SockId, ListenerSummary> = BTreeMap::new();
    let mut connect_latencies_ms = vec![];
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
    // Who put each frame on its link (its first transmission), for naming where a frame
    // lost on a link was going: one pass, so the summary stays linear in the run's size.
    let mut sender: Vec<Option<u16>> = vec![None; t.frames.len()];
    for e in &t.events {
        if let EventKind::FrameTx { frame, from, .. } = &e.kind {
            if let Some(s @ None) = sender.get_mut(*frame as usize) {
                *s = Some(*from);
            }
        }
    }
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
                        if result.is_ok() {
                            connect_latencies_ms.push(round3(e.t.as_millis_f64() - at));
                        }
                    }
                }
                AppCall::Failed { sock, call, error } => {
                    if let Some(c) = conns.get_mut(sock) {
                        c.failed = Some(format!("{call}: {error}"));
                    }
                }
                AppCall::Accept { listener, .. } => {
                    if let Some(l) = listeners.get_mut(listener) {
                        l.accepted += 1;
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
                AppCall::FirstByte { sock, latency } => {
                    if let Some(c) = conns.get_mut(sock) {
                        c.first_byte_ms.push(round3(latency.as_millis_f64()));
                    }
                }
                AppCall::Note { text } => {
                    notes.push(format!("{:.3} ms {}: {text}", e.t.as_millis_f64(), node_name(*node)))
                }
                _ => {}
            },
            EventKind::Backlog { sock, requested, max_backlog, reuseport } => {
                let info = t.sockets.get(*sock as usize);
                let l = listeners.entry(*sock).or_insert_with(|| ListenerSummary {
                    sock: *sock,
                    host: info.map(|i| node_name(i.node)).unwrap_or_default(),
                    local: info.map(|i| i.local.to_string()).unwrap_or_default(),
                    requested_backlog: 0,
                    send_q: 0,
                    reuseport: false,
                    peak_accept_queue: 0,
                    peak_syn_queue: 0,
                    accepted: 0,
                    syns_dropped: 0,
                    cookies_sent: 0,
                    acks_overflowed: 0,
                });
                l.requested_backlog = *requested;
                l.send_q = *max_backlog;
                l.reuseport = *reuseport;
            }
            EventKind::Queue { sock, queue, len, .. } => {
                if let Some(l) = listeners.get_mut(sock) {
                    match queue {
                        QueueKind::Accept => l.peak_accept_queue = l.peak_accept_queue.max(*len),
                        QueueKind::Syn => l.peak_syn_queue = l.peak_syn_queue.max(*len),
                        _ => {}
                    }
                }
            }
            EventKind::Listen { sock, action, .. } => {
                if let Some(l) = listeners.get_mut(sock) {
                    match action {
                        ListenAction::SynDroppedAcceptQueueFull
                        | ListenAction::SynDroppedSynQueueFull
                        | ListenAction::SynDroppedMaxSynBacklog => l.syns_dropped += 1,
                        ListenAction::SynCookie { .. } => l.cookies_sent += 1,
                        ListenAction::AckDroppedAcceptQueueFull { .. } | ListenAction::AckReset { .. } => {
                            l.acks_overflowed += 1
                        }
                        _ => {}
                    }
                }
            }
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
                    (None, Some(l)) => sender
                        .get(*frame as usize)
                        .copied()
                        .flatten()
                        .map(|f| link_name(*l, f))
                        .unwrap_or_else(|| format!("link {l}")),
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
    let mut retrans_by_key: BTreeMap<[u8; 12], u32> = BTreeMap::new();
    for ((_, key), n) in &retrans_by_tuple {
        *retrans_by_key.entry(*key).or_default() += n;
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
        c.retransmissions = retrans_by_key.get(&key).copied().unwrap_or(0);
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
        connect_latencies_ms,
        counters: crate::nstat::final_counters(t)
            .into_iter()
            .map(|(node, counters)| HostCounters { host: node_name(node), counters: counters.into_iter().collect() })
            .collect(),
        listeners: listeners.into_values().collect(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_values_and_ignores_junk() {
        let bars = histogram(&[10.0, 990.0, 1010.0, 2005.0, 3000.0, f64::NAN, -1.0], 1000.0);
        let counts: Vec<u32> = bars.iter().map(|b| b.count).collect();
        assert_eq!(counts, [2, 1, 1, 1]);
        assert_eq!((bars[3].from, bars[3].to), (3000.0, 4000.0));
        assert!(histogram(&[1.0], 0.0).is_empty());
        assert!(histogram(&[], 10.0).is_empty());
    }
}

/// When the first response byte of the run's last exchange arrived and how long after that
/// exchange started (the last `AppCall::FirstByte` event), for "time to first byte"
/// comparisons. Most runs have one exchange; a Fast Open run makes a first visit for the
/// cookie, and the second is the one that counts.
pub fn first_byte(t: &Trace) -> Option<(crate::time::Instant, crate::time::Duration)> {
    t.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::App { call: AppCall::FirstByte { latency, .. }, .. } => Some((e.t, *latency)),
        _ => None,
    })
}

/// `latency` in whole round trips of `rtt_ms` (rounded to the nearest).
pub fn round_trips(latency: crate::time::Duration, rtt_ms: f64) -> u32 {
    (latency.as_millis_f64() / rtt_ms).round().max(0.0) as u32
}

#[cfg(test)]
mod first_byte_tests {
    use super::{first_byte, round_trips};
    use crate::params::ParamSet;

    fn trips(preset: &str, pairs: &[(&str, &str)], rtt: f64) -> u32 {
        let p = crate::presets::find(preset).unwrap();
        let rtt_text = rtt.to_string();
        let mut all = vec![("rtt", rtt_text.as_str())];
        all.extend_from_slice(pairs);
        let (set, errors) = ParamSet::apply_lenient(p.params, all);
        assert!(errors.is_empty(), "{errors:?}");
        let trace = crate::run(&(p.build)(&set).unwrap()).unwrap();
        let (_, latency) = first_byte(&trace).expect("a first byte");
        round_trips(latency, rtt)
    }

    #[test]
    fn round_trips_to_the_first_response_byte() {
        for rtt in [20.0, 100.0] {
            assert_eq!(trips("tls", &[("version", "1.2")], rtt), 4, "TCP + TLS 1.2 at {rtt} ms");
            assert_eq!(trips("tls", &[("version", "1.3")], rtt), 3, "TCP + TLS 1.3 at {rtt} ms");
            assert_eq!(trips("tls", &[("version", "1.3-0rtt")], rtt), 2, "TCP + TLS 1.3 0-RTT at {rtt} ms");
            let tfo = [("version", "1.3"), ("fast_open", "on")];
            assert_eq!(trips("tls", &tfo, rtt), 2, "TCP Fast Open + TLS 1.3 at {rtt} ms");
            let tfo_0rtt = [("version", "1.3-0rtt"), ("fast_open", "on")];
            assert_eq!(trips("tls", &tfo_0rtt, rtt), 1, "TCP Fast Open + TLS 1.3 0-RTT at {rtt} ms");
            assert_eq!(trips("tls", &[("version", "1.2"), ("fast_open", "on")], rtt), 3, "TFO + TLS 1.2 at {rtt} ms");
            assert_eq!(trips("quic", &[], rtt), 2, "QUIC at {rtt} ms");
            assert_eq!(trips("quic", &[("zero_rtt", "on")], rtt), 1, "QUIC 0-RTT at {rtt} ms");
        }
    }
}
