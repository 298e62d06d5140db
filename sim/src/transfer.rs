//! The figures a congestion chart prints next to its curves, computed from a trace alone:
//! per TCP sender, goodput, average RTT, the segment loss rate it met, the bandwidth-delay
//! product of its path, and the Mathis et al. (1997) estimate of Reno's throughput for that
//! loss rate, `MSS/RTT · C/√p` with C = √(3/2) ≈ 1.22 (fidelity sheet §3.7). Linux counts
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

/// Stats for every TCP connection that sent data, in socket order.
pub fn transfers(t: &Trace) -> Vec<TransferStats> {
    let mut out = vec![];
    for (i, s) in t.sockets.iter().enumerate() {
        if s.kind != SockKind::TcpConn {
            continue;
        }
        let sock = i as SockId;
        if let Some(st) = transfer(t, sock) {
            out.push(st);
        }
    }
    out
}

/// Stats for the sender `sock` (None if it never had data in flight).
pub fn transfer(t: &Trace, sock: SockId) -> Option<TransferStats> {
    let info = t.sockets.get(sock as usize)?;
    let remote = info.remote?;
    let peer = t
        .sockets
        .iter()
        .position(|p| p.kind == SockKind::TcpConn && p.local == remote && p.remote == Some(info.local))
        .map(|p| p as SockId);
    let node = info.node;
    // RTT and MSS from Vars, time-weighted while data is in flight.
    let (mut rtt_sum, mut rtt_w, mut mss, mut min_rtt) = (0.0f64, 0.0f64, 0u32, f64::MAX);
    let mut last: Option<(Instant, f64, bool)> = None;
    let mut any_flight = false;
    for e in &t.events {
        match &e.kind {
            EventKind::Vars { sock: s, vars } if *s == sock => {
                if let Some((t0, r, busy)) = last {
                    if busy && r > 0.0 {
                        let w = e.t.saturating_since(t0).as_secs_f64();
                        rtt_sum += r * w;
                        rtt_w += w;
                    }
                }
                let r = vars.srtt.as_secs_f64();
                let busy = vars.in_flight > 0;
                any_flight |= busy;
                last = Some((e.t, r, busy));
                mss = u32::from(vars.mss);
            }
            EventKind::Cc { sock: s, vars } if *s == sock && vars.min_rtt > Duration::ZERO => {
                min_rtt = min_rtt.min(vars.min_rtt.as_secs_f64());
            }
            _ => {}
        }
    }
    if !any_flight {
        return None;
    }
    // Bytes read by the peer application.
    let (mut bytes, mut last_read) = (0u64, None);
    if let Some(p) = peer {
        for e in &t.events {
            if let EventKind::App { call: AppCall::Read { sock: s, bytes: b }, .. } = &e.kind {
                if *s == p && *b > 0 {
                    bytes += u64::from(*b);
                    last_read = Some(e.t);
                }
            }
        }
    }
    // Data frames from the sender's node towards the peer, and their losses.
    let (mut frames, mut lost, mut first_tx) = (0u64, 0u64, None);
    let mut is_data = vec![false; t.frames.len()];
    for e in &t.events {
        match &e.kind {
            EventKind::FrameQueued { frame, from, .. } if *from == node => {
                let f = *frame as usize;
                if let Some(rec) = t.frames.get(f) {
                    if tcp_payload_len(&rec.bytes).is_some_and(|n| n > 0) {
                        is_data[f] = true;
                        frames += 1;
                        first_tx.get_or_insert(e.t);
                    }
                }
            }
            EventKind::FrameDropped { frame, reason: DropReason::QueueFull, node: Some(n), .. }
                if *n == node
                    && t.frames
                        .get(*frame as usize)
                        .is_some_and(|r| tcp_payload_len(&r.bytes).is_some_and(|x| x > 0)) =>
            {
                // Dropped at the tail of the sender's queue before it was ever queued.
                frames += 1;
                lost += 1;
            }
            EventKind::FrameDropped { frame, reason, .. }
                if is_data.get(*frame as usize).copied().unwrap_or(false)
                    && matches!(reason, DropReason::LinkLoss | DropReason::QueueFull | DropReason::Fault) =>
            {
                lost += 1;
            }
            _ => {}
        }
    }
    let retransmits = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Counter { node: n, name, value } if *n == node && name == "TcpRetransSegs" => Some(*value),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let seconds = match (first_tx, last_read) {
        (Some(a), Some(b)) => b.saturating_since(a).as_secs_f64(),
        _ => 0.0,
    };
    let avg_rtt = if rtt_w > 0.0 { rtt_sum / rtt_w } else { 0.0 };
    let loss_rate = if frames > 0 { lost as f64 / frames as f64 } else { 0.0 };
    let mathis =
        (loss_rate > 0.0 && avg_rtt > 0.0).then(|| f64::from(mss) * 8.0 / avg_rtt * MATHIS_C / loss_rate.sqrt());
    let bottleneck =
        t.links.iter().filter(|l| l.a == node || l.b == node).map(|l| l.bandwidth_bps as f64).fold(f64::MAX, f64::min);
    let bottleneck = if bottleneck == f64::MAX { 0.0 } else { bottleneck };
    let min_rtt = if min_rtt == f64::MAX { 0.0 } else { min_rtt };
    Some(TransferStats {
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
    })
}
