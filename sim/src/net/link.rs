//! Point-to-point full-duplex links with a drop-tail egress queue in each direction.
//!
//! A frame waits in the sending interface's queue, is serialised at the link's bandwidth, then
//! propagates for the link's one-way delay. Serialisation counts the 24 bytes every Ethernet
//! frame costs on the wire beyond what a capture shows (preamble and SFD 8, FCS 4,
//! inter-frame gap 12; IEEE 802.3 §3–4), so a full 1514-byte frame occupies 1538 byte times.

use crate::time::{Duration, Instant};
use crate::trace::FrameId;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Bytes a frame occupies on the wire beyond its captured length.
pub const ETHERNET_WIRE_OVERHEAD: u64 = 24;

/// The egress queue limit of one link direction (Linux's default `txqueuelen` is 1000 packets).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueLimit {
    /// At most this many frames waiting (not counting the one being sent).
    #[serde(default)]
    pub packets: Option<u32>,
    /// At most this many bytes waiting.
    #[serde(default)]
    pub bytes: Option<u32>,
    /// ECN marking: an ECN-capable packet that arrives when at least this many packets wait
    /// gets Congestion Experienced instead of waiting for a drop (RFC 3168 §5 with a simple
    /// step threshold, as DCTCP's K or a RED queue with min = max; others are queued or
    /// dropped as usual).
    #[serde(default)]
    pub ecn_threshold: Option<u32>,
}

impl Default for QueueLimit {
    fn default() -> Self {
        QueueLimit { packets: Some(1000), bytes: None, ecn_threshold: None }
    }
}

/// Set CE in the IPv4 header of an Ethernet frame if it carries an ECN-capable packet
/// (ECT(0) or ECT(1)), fixing the header checksum. Returns true if it marked.
pub fn mark_ce(frame: &mut [u8]) -> bool {
    const IP: usize = crate::wire::ethernet::HEADER_LEN;
    if frame.len() < IP + 20 || frame[12..14] != [0x08, 0x00] {
        return false;
    }
    let tos = frame[IP + 1];
    if tos & 0b11 == 0 || tos & 0b11 == crate::wire::ipv4::ECN_CE {
        return false;
    }
    frame[IP + 1] = tos | crate::wire::ipv4::ECN_CE;
    let ihl = usize::from(frame[IP] & 0x0f) * 4;
    if ihl < 20 || frame.len() < IP + ihl {
        return false;
    }
    frame[IP + 10] = 0;
    frame[IP + 11] = 0;
    let c = crate::wire::checksum::checksum(&frame[IP..IP + ihl]);
    frame[IP + 10..IP + 12].copy_from_slice(&c.to_be_bytes());
    true
}

/// One direction of a link: its queue and whether the transmitter is busy.
#[derive(Debug, Default)]
pub struct LinkDir {
    /// Frames waiting to be sent, with their bytes.
    pub queue: VecDeque<(FrameId, Vec<u8>)>,
    /// Bytes waiting.
    pub queued_bytes: u32,
    /// True while a frame is being serialised.
    pub busy: bool,
    /// True while the head frame waits to be overtaken (a reorder fault).
    pub holding: bool,
}

impl LinkDir {
    /// Would a frame of `len` bytes fit under `limit`? (drop-tail: the arriving frame is the
    /// one dropped, RFC 7567 §2).
    pub fn admits(&self, limit: &QueueLimit, len: u32) -> bool {
        let pk_ok = limit.packets.is_none_or(|p| (self.queue.len() as u32) < p);
        let by_ok = limit.bytes.is_none_or(|b| self.queued_bytes.saturating_add(len) <= b);
        pk_ok && by_ok
    }
}

/// A link between two interfaces.
#[derive(Debug)]
pub struct Link {
    /// Bits per second, each direction.
    pub bandwidth_bps: u64,
    /// One-way propagation delay.
    pub delay: Duration,
    /// Largest IP packet the link carries.
    pub mtu: u16,
    /// Probability that a frame is lost on the way.
    pub loss: f64,
    /// Egress queue limit, each direction.
    pub limit: QueueLimit,
    /// The (node, interface) at each end: index 0 is end `a`, 1 is end `b`.
    pub ends: [(usize, usize); 2],
    /// Direction 0 carries a→b, direction 1 carries b→a.
    pub dirs: [LinkDir; 2],
}

impl Link {
    /// How long `len` captured bytes take to serialise.
    pub fn serialisation(&self, len: u32) -> Duration {
        let bits = (len as u64 + ETHERNET_WIRE_OVERHEAD) * 8;
        // ceil(bits * 1e9 / bps), in u128 to avoid overflow.
        let ns = (bits as u128 * 1_000_000_000).div_ceil(self.bandwidth_bps.max(1) as u128);
        Duration(ns.min(u64::MAX as u128) as u64)
    }

    /// The direction in which `node` sends on this link.
    pub fn dir_from(&self, node: usize) -> usize {
        if self.ends[0].0 == node {
            0
        } else {
            1
        }
    }

    /// When a frame of `len` bytes that starts now arrives at the far end.
    pub fn arrival(&self, now: Instant, len: u32) -> Instant {
        now + self.serialisation(len) + self.delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(bps: u64) -> Link {
        Link {
            bandwidth_bps: bps,
            delay: Duration::from_millis(10),
            mtu: 1500,
            loss: 0.0,
            limit: QueueLimit::default(),
            ends: [(0, 0), (1, 0)],
            dirs: Default::default(),
        }
    }

    #[test]
    fn full_frame_at_100_mbit_takes_123_us() {
        // 1538 bytes * 8 = 12304 bits at 1e8 bit/s = 123.04 µs.
        assert_eq!(link(100_000_000).serialisation(1514), Duration(123_040));
    }

    #[test]
    fn drop_tail_limits() {
        let mut d = LinkDir::default();
        let lim = QueueLimit { packets: Some(2), bytes: Some(3000), ecn_threshold: None };
        assert!(d.admits(&lim, 1500));
        d.queue.push_back((0, vec![0; 1500]));
        d.queued_bytes = 1500;
        assert!(d.admits(&lim, 1500));
        assert!(!d.admits(&lim, 1501));
        d.queue.push_back((1, vec![0; 100]));
        assert!(!d.admits(&lim, 10));
    }
}
