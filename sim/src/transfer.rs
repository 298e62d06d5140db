//! The figures a congestion chart prints next to its curves, computed from a trace alone:
//! per TCP sender, goodput, average RTT, the segment loss rate it met, the bandwidth-delay
//! product of its path, and the Mathis et al. (1997) estimate of Reno's throughput for that
//! loss rate, `MSS/RTT · C/√p` with C = √(3/2) ≈ 1.22 (docs/fidelity.md §3.7). Linux counts
//! congestion-avoidance growth in packets acknowledged, not ACKs received, so delayed ACKs do
//! not slow it down and the b = 1 constant applies.

use crate::time::{Duration, Instant};
use crate::trace::{AppCall, DropReason, EventKind, SockId, SockKind, Trace};
use serde::Serialize;

/// √(3/2): the Mathis constant for periodic loss, one ACK per segment's worth of growth.
pub const MATHIS_C: f64 = 1.224_744_871;

/// What one bulk sender achieved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferStats {
    /// The sending socket.
    pub sock: SockId,
    /// The receiving socket, if found.
    pub peer: Option<SockId>,
    /// Bytes the receiving application read.
    pub bytes: u64,
    /// From the sender's first data frame to the last read, seconds.
    pub seconds: f64,
    /// bytes·8/seconds.
    pub goodput_bps: f64,
    /// Time-weighted mean of the smoothed RTT while data was outstanding, seconds.
    pub avg_rtt_s: f64,
    /// Minimum RTT seen, seconds.
    pub min_rtt_s: f64,
    /// Sender MSS.
    pub mss: u32,
    /// Data frames the sender put on the wire.
    pub data_frames: u64,
    /// Of those, how many were lost (link loss, queue overflow, faults).
    pub data_frames_lost: u64,
    /// data_frames_lost / data_frames.
    pub loss_rate: f64,
    /// Segments retransmitted (`TcpRetransSegs` delta of the sender's host).
    pub retransmits: u64,
    /// The Mathis estimate MSS/avg RTT · 1.22/√p in bit/s (none without loss).
    pub mathis_bps: Option<f64>,
    /// Bottleneck bandwidth of the sender's first link, bit/s.
    pub bottleneck_bps: f64,
    /// The path's bandwidth-delay product in bytes: bottleneck bandwidth × minimum RTT.
    pub bdp_bytes: f64,
}

/// Payload length of a captured Ethernet/IPv4/TCP frame, if it is one.
pub fn tcp_payload_len(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < 14 + 20 + 20 || bytes[12..14] != [0x08, 0x00] || bytes[14 + 9] != 6 {
        return None;
    }
    let ihl = usize::from(bytes[14] & 0x0f) * 4;
    let total = u32::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let doff = u32::from(*bytes.get(14 + ihl + 12)? >> 4) * 4;
    total.checked_sub(ihl as u32 + doff)
}

/// Stats for every TCP connection that sent data, in socket order. One pass over the events
/// for all senders together, so the cost stays linear in the run's size however many
/// connections it has.
pub fn transfers(t: &Trace) -> Vec<TransferStats> {
    let socks: Vec<SockId> =
        (0..t.sockets.len()).filter(|&i| t.sockets[i].kind == SockKind::TcpConn).map(|i| i as SockId).collect();
    stats_for(t, &socks)
}

/// Stats for the sender `sock` (None if it never had data in flight).
pub fn transfer(t: &Trace, sock: SockId) -> Option<TransferStats> {
    stats_for(t, &[sock]).into_iter().next()
}

/// What one pass gathers about one sending socket.
#[derive(Default)]
struct SenderAcc {
    rtt_sum: f64,
    rtt_w: f64,
    mss: u32,
    min_rtt: Option<f64>,
    last: Option<(Instant, f64, bool)>,
    any_flight: bool,
}

/// What one pass gathers about one sending host's data frames.
#[derive(Default)]
struct NodeAcc {
    frames: u64,
    lost: u64,
    first_tx: Option<Instant>,
    retransmits: u64,
}

/// Stats for each of `socks` that had data in flight, in the order given.
fn stats_for(t: &Trace, socks: &[SockId]) -> Vec<TransferStats> {
    use std::collections::BTreeMap;
    // Each sender, its peer (the socket with the mirrored addresses) and its host.
    let mut by_addrs: BTreeMap<(std::net::SocketAddrV4, std::net::SocketAddrV4), SockId> = BTreeMap::new();
    for (i, p) in t.sockets.iter().enumerate() {
        if let (SockKind::TcpConn, Some(remote)) = (p.kind, p.remote) {
            by_addrs.entry((p.local, remote)).or_insert(i as SockId);
        }
    }
    let mut senders: BTreeMap<SockId, SenderAcc> = BTreeMap::new();
    let mut peers: BTreeMap<SockId, (u64, Option<Instant>)> = BTreeMap::new();
    let mut nodes: BTreeMap<crate::trace::NodeId, NodeAcc> = BTreeMap::new();
    let mut plan = vec![];
    for &sock in socks {
        let Some(info) = t.sockets.get(sock as usize) else { continue };
        let Some(remote) = info.remote else { continue };
        let peer = by_addrs.get(&(remote, info.local)).copied();
        senders.insert(sock, SenderAcc::default());
        if let Some(p) = peer {
            peers.insert(p, (0, None));
        }
        nodes.insert(info.node, NodeAcc::default());
        plan.push((sock, peer, info.node));
    }
    // The host that queued each data frame.
    let mut data_from: Vec<Option<crate::trace::NodeId>> = vec![None; t.frames.len()];
    let has_payload =
        |f: u32| t.frames.get(f as usize).is_some_and(|r| tcp_payload_len(&r.bytes).is_some_and(|n| n > 0));
    for e in &t.events {
        match &e.kind {
            // RTT and MSS from Vars, time-weighted while data is in flight.
            EventKind::Vars { sock, vars } => {
                let Some(a) = senders.get_mut(sock) else { continue };
                if let Some((t0, r, busy)) = a.last {
                    if busy && r > 0.0 {
                        let w = e.t.saturating_since(t0).as_secs_f64();
                        a.rtt_sum += r * w;
                        a.rtt_w += w;
                    }
                }
                let r = vars.srtt.as_secs_f64();
                let busy = vars.in_flight > 0;
                a.any_flight |= busy;
                a.last = Some((e.t, r, busy));
                a.mss = u32::from(vars.mss);
            }
            EventKind::Cc { sock, vars } if vars.min_rtt > Duration::ZERO => {
                if let Some(a) = senders.get_mut(sock) {
                    let m = vars.min_rtt.as_secs_f64();
                    a.min_rtt = Some(a.min_rtt.map_or(m, |x| x.min(m)));
                }
            }
            // Bytes read by the peer application.
            EventKind::App { call: AppCall::Read { sock, bytes }, .. } if *bytes > 0 => {
                if let Some((n, last)) = peers.get_mut(sock) {
                    *n += u64::from(*bytes);
                    *last = Some(e.t);
                }
            }
            // Data frames from the sender's node, and their losses.
            EventKind::FrameQueued { frame, from, .. } => {
                if let Some(n) = nodes.get_mut(from) {
                    if has_payload(*frame) {
                        data_from[*frame as usize] = Some(*from);
                        n.frames += 1;
                        n.first_tx.get_or_insert(e.t);
                    }
                }
            }
            EventKind::FrameDropped { frame, reason: DropReason::QueueFull, node: Some(node), .. }
                if nodes.contains_key(node) && has_payload(*frame) =>
            {
                // Dropped at the tail of the sender's queue before it was ever queued.
                if let Some(n) = nodes.get_mut(node) {
                    n.frames += 1;
                    n.lost += 1;
                }
            }
            EventKind::FrameDropped { frame, reason, .. }
                if data_from.get(*frame as usize).is_some_and(Option::is_some)
                    && matches!(reason, DropReason::LinkLoss | DropReason::QueueFull | DropReason::Fault) =>
            {
                // A data frame is counted lost against the host that queued it.
                if let Some(acc) = data_from.get(*frame as usize).copied().flatten().and_then(|n| nodes.get_mut(&n)) {
                    acc.lost += 1;
                }
            }
            EventKind::Counter { node, name, value } if name == "TcpRetransSegs" => {
                if let Some(n) = nodes.get_mut(node) {
                    n.retransmits = n.retransmits.max(*value);
                }
            }
            _ => {}
        }
    }
    let mut out = vec![];
    for (sock, peer, node) in plan {
        let a = &senders[&sock];
        if !a.any_flight {
            continue;
        }
        let n = &nodes[&node];
        let (bytes, last_read) = peer.and_then(|p| peers.get(&p).copied()).unwrap_or((0, None));
        let (rtt_sum, rtt_w, mss, frames, lost, first_tx, retransmits) =
            (a.rtt_sum, a.rtt_w, a.mss, n.frames, n.lost, n.first_tx, n.retransmits);
        let min_rtt = a.min_rtt.unwrap_or(f64::MAX);
        let seconds = match (first_tx, last_read) {
            (Some(a), Some(b)) => b.saturating_since(a).as_secs_f64(),
            _ => 0.0,
        };
        let avg_rtt = if rtt_w > 0.0 { rtt_sum / rtt_w } else { 0.0 };
        let loss_rate = if frames > 0 { lost as f64 / frames as f64 } else { 0.0 };
        let mathis =
            (loss_rate > 0.0 && avg_rtt > 0.0).then(|| f64::from(mss) * 8.0 / avg_rtt * MATHIS_C / loss_rate.sqrt());
        let bottleneck = t
            .links
            .iter()
            .filter(|l| l.a == node || l.b == node)
            .map(|l| l.bandwidth_bps as f64)
            .fold(f64::MAX, f64::min);
        let bottleneck = if bottleneck == f64::MAX { 0.0 } else { bottleneck };
        let min_rtt = if min_rtt == f64::MAX { 0.0 } else { min_rtt };
        out.push(TransferStats {
            sock,
            peer,
            bytes,
            seconds,
            goodput_bps: if seconds > 0.0 { bytes as f64 * 8.0 / seconds } else { 0.0 },
            avg_rtt_s: avg_rtt,
            min_rtt_s: min_rtt,
            mss,
            data_frames: frames,
            data_frames_lost: lost,
            loss_rate,
            retransmits,
            mathis_bps: mathis,
            bottleneck_bps: bottleneck,
            bdp_bytes: bottleneck / 8.0 * min_rtt,
        });
    }
    out
}
