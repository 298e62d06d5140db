//! One end of a QUIC connection as a sans-IO state machine: three packet-number spaces
//! (RFC 9000 §12.3), acknowledgments (§13.2: Initial and Handshake at once, 1-RTT every
//! second ack-eliciting packet or after max_ack_delay 25 ms), loss detection by packet and
//! time thresholds and the probe timeout (RFC 9002 §6), a NewReno window (RFC 9002 §7: 10
//! datagrams initially, halved once per loss episode), and streams whose data is delivered to
//! the application in order per stream, independently of other streams.
//!
//! Not modelled: encryption and key updates, flow-control credit (MAX_DATA/MAX_STREAM_DATA are
//! taken as unlimited), the 3x anti-amplification limit (the flights here stay under it),
//! connection migration.

use super::frames::{packet, PacketType, QuicFrame, Space, CID_LEN};
use crate::time::{Duration, Instant};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Largest UDP payload sent (RFC 9000 §14: at least 1200 must be supported; this model uses 1200).
pub const MAX_DATAGRAM: usize = 1200;
/// kInitialRtt (RFC 9002 §6.2.2).
pub const INITIAL_RTT: Duration = Duration::from_millis(333);
/// max_ack_delay default (RFC 9000 §18.2).
pub const MAX_ACK_DELAY: Duration = Duration::from_millis(25);
/// kPacketThreshold (RFC 9002 §6.1.1).
pub const PACKET_THRESHOLD: u64 = 3;

#[derive(Debug, Clone)]
struct Sent {
    time: Instant,
    frames: Vec<QuicFrame>,
    size: usize,
    ack_eliciting: bool,
}

#[derive(Debug, Default)]
struct PnSpace {
    next_pn: u64,
    sent: BTreeMap<u64, Sent>,
    largest_acked: Option<u64>,
    received: BTreeSet<u64>,
    unacked_eliciting: u32,
    ack_deadline: Option<Instant>,
    loss_time: Option<Instant>,
    queue: VecDeque<QuicFrame>,
}

/// Receive side of one stream.
#[derive(Debug, Default)]
struct RxStream {
    ranges: BTreeMap<u64, u64>,
    delivered: u64,
    fin_at: Option<u64>,
    done: bool,
}

/// What the application learns from a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuicEvent {
    /// Handshake bytes of `space` arrived contiguously up to this total.
    Crypto { space: Space, total: u64 },
    /// Stream `id` delivered bytes up to `delivered` in order.
    StreamData { id: u64, delivered: u64 },
    /// Stream `id` delivered everything up to its FIN.
    StreamDone { id: u64, len: u64 },
    /// HANDSHAKE_DONE arrived.
    HandshakeDone,
    /// Packets were declared lost in a space.
    Lost { space: Space, packets: Vec<u64> },
}

/// One end of a connection.
#[derive(Debug)]
pub struct QuicConn {
    dcid: [u8; CID_LEN],
    scid: [u8; CID_LEN],
    is_client: bool,
    spaces: [PnSpace; 3],
    crypto_rx: [BTreeMap<u64, u64>; 3],
    crypto_done: [u64; 3],
    crypto_tx: [u64; 3],
    streams_tx: BTreeMap<u64, (u64, u64)>,
    stream_order: VecDeque<u64>,
    streams_rx: BTreeMap<u64, RxStream>,
    smoothed: Option<Duration>,
    rttvar: Duration,
    latest: Duration,
    pto_count: u32,
    cwnd: usize,
    ssthresh: usize,
    in_flight: usize,
    recovery_start: Option<Instant>,
    /// Datagrams a probe timeout lets past the window (RFC 9002 §7.5).
    probes: u32,
    /// Send 0-RTT packets for App-space data before the handshake completes.
    pub zero_rtt: bool,
    /// The handshake is complete at this end (1-RTT keys available).
    pub one_rtt: bool,
}

fn idx(s: Space) -> usize {
    s as usize
}

impl QuicConn {
    /// A fresh connection end.
    pub fn new(is_client: bool, dcid: [u8; CID_LEN], scid: [u8; CID_LEN]) -> Self {
        QuicConn {
            dcid,
            scid,
            is_client,
            spaces: Default::default(),
            crypto_rx: Default::default(),
            crypto_done: [0; 3],
            crypto_tx: [0; 3],
            streams_tx: BTreeMap::new(),
            stream_order: VecDeque::new(),
            streams_rx: BTreeMap::new(),
            smoothed: None,
            rttvar: Duration::ZERO,
            latest: Duration::ZERO,
            pto_count: 0,
            cwnd: 10 * MAX_DATAGRAM,
            ssthresh: usize::MAX,
            in_flight: 0,
            recovery_start: None,
            probes: 0,
            zero_rtt: false,
            one_rtt: false,
        }
    }

    /// Queue `len` bytes of handshake data in `space`.
    pub fn send_crypto(&mut self, space: Space, len: u64) {
        let mut offset = self.crypto_tx[idx(space)];
        self.crypto_tx[idx(space)] += len;
        let mut left = len;
        while left > 0 {
            let n = left.min(1000);
            self.spaces[idx(space)].queue.push_back(QuicFrame::Crypto { offset, len: n });
            offset += n;
            left -= n;
        }
    }

    /// Queue `len` bytes on stream `id`, ending it.
    pub fn send_stream(&mut self, id: u64, len: u64) {
        self.streams_tx.insert(id, (0, len));
        self.stream_order.push_back(id);
    }

    /// Queue HANDSHAKE_DONE.
    pub fn send_handshake_done(&mut self) {
        self.spaces[idx(Space::App)].queue.push_back(QuicFrame::HandshakeDone);
    }

    /// Smoothed RTT, or the initial RTT before any sample.
    pub fn srtt(&self) -> Duration {
        self.smoothed.unwrap_or(INITIAL_RTT)
    }

    /// Handle a received datagram.
    pub fn on_datagram(&mut self, now: Instant, packets: Vec<(PacketType, u64, Vec<QuicFrame>)>) -> Vec<QuicEvent> {
        let mut events = vec![];
        for (kind, pn, frames) in packets {
            let space = kind.space();
            let sp = &mut self.spaces[idx(space)];
            if !sp.received.insert(pn) {
                continue; // duplicate
            }
            let out_of_order =
                sp.received.range(pn + 1..).next().is_some() || (pn > 0 && !sp.received.contains(&(pn - 1)));
            let eliciting = frames.iter().any(QuicFrame::is_ack_eliciting);
            if eliciting {
                sp.unacked_eliciting += 1;
                let immediate = space != Space::App || sp.unacked_eliciting >= 2 || out_of_order;
                let at = if immediate { now } else { now + MAX_ACK_DELAY };
                sp.ack_deadline = Some(sp.ack_deadline.map_or(at, |d| d.min(at)));
            }
            for f in frames {
                match f {
                    QuicFrame::Ack { largest, first, ranges, .. } => {
                        self.on_ack(now, space, largest, first, &ranges, &mut events)
                    }
                    QuicFrame::Crypto { offset, len } => {
                        let rx = &mut self.crypto_rx[idx(space)];
                        rx.insert(offset, len);
                        let mut done = self.crypto_done[idx(space)];
                        while let Some((&o, &l)) = rx.range(..=done).next_back() {
                            if o + l <= done {
                                break;
                            }
                            done = o + l;
                        }
                        if done > self.crypto_done[idx(space)] {
                            self.crypto_done[idx(space)] = done;
                            events.push(QuicEvent::Crypto { space, total: done });
                        }
                    }
                    QuicFrame::Stream { id, offset, len, fin } => {
                        let rx = self.streams_rx.entry(id).or_default();
                        if rx.done {
                            continue;
                        }
                        rx.ranges.insert(offset, len.max(rx.ranges.get(&offset).copied().unwrap_or(0)));
                        if fin {
                            rx.fin_at = Some(offset + len);
                        }
                        let before = rx.delivered;
                        loop {
                            let next = rx
                                .ranges
                                .range(..=rx.delivered)
                                .filter(|(o, l)| *o + *l > rx.delivered)
                                .map(|(o, l)| o + l)
                                .max();
                            match next {
                                Some(end) => rx.delivered = end,
                                None => break,
                            }
                        }
                        if rx.delivered > before {
                            events.push(QuicEvent::StreamData { id, delivered: rx.delivered });
                        }
                        if rx.fin_at == Some(rx.delivered) {
                            rx.done = true;
                            events.push(QuicEvent::StreamDone { id, len: rx.delivered });
                        }
                    }
                    QuicFrame::HandshakeDone => events.push(QuicEvent::HandshakeDone),
                    QuicFrame::Padding(_) => {}
                }
            }
        }
        events
    }

    fn on_ack(
        &mut self,
        now: Instant,
        space: Space,
        largest: u64,
        first: u64,
        ranges: &[(u64, u64)],
        events: &mut Vec<QuicEvent>,
    ) {
        // Acknowledged packet numbers (RFC 9000 §19.3.1).
        let mut acked = vec![];
        let mut hi = largest;
        let mut lo = largest.saturating_sub(first);
        acked.push((lo, hi));
        for (gap, len) in ranges {
            let Some(h) = lo.checked_sub(gap + 2) else { break };
            hi = h;
            lo = hi.saturating_sub(*len);
            acked.push((lo, hi));
        }
        let sp = &mut self.spaces[idx(space)];
        let mut newly = vec![];
        for (lo, hi) in acked {
            let pns: Vec<u64> = sp.sent.range(lo..=hi).map(|(pn, _)| *pn).collect();
            for pn in pns {
                if let Some(s) = sp.sent.remove(&pn) {
                    newly.push((pn, s));
                }
            }
        }
        if newly.is_empty() {
            return;
        }
        sp.largest_acked = Some(sp.largest_acked.map_or(largest, |l| l.max(largest)));
        // RTT sample from the largest acknowledged, if newly acknowledged and ack-eliciting (§5.1).
        if let Some((_, s)) = newly.iter().find(|(pn, s)| *pn == largest && s.ack_eliciting) {
            let sample = now - s.time;
            self.latest = sample;
            match self.smoothed {
                None => {
                    self.smoothed = Some(sample);
                    self.rttvar = Duration(sample.0 / 2);
                }
                Some(srtt) => {
                    let diff = Duration(srtt.0.abs_diff(sample.0));
                    self.rttvar = Duration((3 * self.rttvar.0 + diff.0) / 4);
                    self.smoothed = Some(Duration((7 * srtt.0 + sample.0) / 8));
                }
            }
        }
        for (_, s) in &newly {
            if s.ack_eliciting {
                self.in_flight = self.in_flight.saturating_sub(s.size);
                if self.recovery_start.is_none_or(|r| s.time > r) {
                    // NewReno (RFC 9002 §7.3.1): slow start adds acked bytes; avoidance one datagram per window.
                    if self.cwnd < self.ssthresh {
                        self.cwnd += s.size;
                    } else {
                        self.cwnd += MAX_DATAGRAM * s.size / self.cwnd.max(1);
                    }
                }
            }
        }
        self.pto_count = 0;
        self.detect_loss(now, space, events);
    }

    /// RFC 9002 §6.1: a packet is lost if a later one was acknowledged and it is 3 packet
    /// numbers behind, or was sent 9/8 RTT before the most recent acknowledged one.
    fn detect_loss(&mut self, now: Instant, space: Space, events: &mut Vec<QuicEvent>) {
        let rtt = self.latest.max(self.srtt());
        let delay = Duration((rtt.0 * 9 / 8).max(1_000_000));
        let sp = &mut self.spaces[idx(space)];
        sp.loss_time = None;
        let Some(largest) = sp.largest_acked else { return };
        let mut lost = vec![];
        for (&pn, s) in sp.sent.range(..largest) {
            if largest - pn >= PACKET_THRESHOLD || s.time + delay <= now {
                lost.push(pn);
            } else {
                let t = s.time + delay;
                sp.loss_time = Some(sp.loss_time.map_or(t, |x| x.min(t)));
            }
        }
        if lost.is_empty() {
            return;
        }
        let mut newest_lost = Instant::ZERO;
        for pn in &lost {
            if let Some(s) = sp.sent.remove(pn) {
                if s.ack_eliciting {
                    self.in_flight = self.in_flight.saturating_sub(s.size);
                }
                newest_lost = newest_lost.max(s.time);
                for f in s.frames.into_iter().rev().filter(QuicFrame::is_ack_eliciting) {
                    sp.queue.push_front(f);
                }
            }
        }
        // One window reduction per loss episode (RFC 9002 §7.3.2).
        if self.recovery_start.is_none_or(|r| newest_lost > r) {
            self.recovery_start = Some(now);
            self.ssthresh = (self.cwnd / 2).max(2 * MAX_DATAGRAM);
            self.cwnd = self.ssthresh;
        }
        events.push(QuicEvent::Lost { space, packets: lost });
    }

    fn pto_deadline(&self) -> Option<Instant> {
        let base = self.srtt() + self.rttvar.mul(4).max(Duration::from_millis(1));
        let mut best: Option<Instant> = None;
        for (i, sp) in self.spaces.iter().enumerate() {
            let Some(t) = sp.sent.values().filter(|s| s.ack_eliciting).map(|s| s.time).max() else { continue };
            let extra = if i == idx(Space::App) { MAX_ACK_DELAY } else { Duration::ZERO };
            let at = t + (base + extra).mul(1 << self.pto_count.min(16));
            best = Some(best.map_or(at, |b| b.min(at)));
        }
        best
    }

    /// The next time `on_timer` must run.
    pub fn next_timer(&self) -> Option<Instant> {
        self.spaces.iter().flat_map(|s| [s.ack_deadline, s.loss_time]).chain([self.pto_deadline()]).flatten().min()
    }

    /// Timers due at `now`: loss-time expiry, PTO (re-send the oldest unacknowledged data).
    pub fn on_timer(&mut self, now: Instant) -> Vec<QuicEvent> {
        let mut events = vec![];
        for space in [Space::Initial, Space::Handshake, Space::App] {
            if self.spaces[idx(space)].loss_time.is_some_and(|t| t <= now) {
                self.detect_loss(now, space, &mut events);
            }
        }
        if self.pto_deadline().is_some_and(|t| t <= now) {
            self.pto_count += 1;
            // Probe: send the frames of the oldest unacknowledged ack-eliciting packet again (§6.2.4).
            for sp in &mut self.spaces {
                if let Some((_, s)) = sp.sent.iter().find(|(_, s)| s.ack_eliciting) {
                    for f in s.frames.iter().rev().filter(|f| f.is_ack_eliciting()) {
                        sp.queue.push_front(f.clone());
                    }
                    break;
                }
            }
            self.probes = 1;
        }
        events
    }

    fn ack_frame(sp: &PnSpace) -> Option<QuicFrame> {
        let largest = *sp.received.iter().next_back()?;
        let mut ranges = vec![];
        let mut iter = sp.received.iter().rev().copied();
        let mut hi = iter.next()?;
        let mut lo = hi;
        let mut blocks = vec![];
        for pn in iter {
            if pn + 1 == lo {
                lo = pn;
            } else {
                blocks.push((lo, hi));
                hi = pn;
                lo = pn;
            }
        }
        blocks.push((lo, hi));
        let first = blocks[0].1 - blocks[0].0;
        let mut prev_lo = blocks[0].0;
        for (lo, hi) in blocks.into_iter().skip(1).take(32) {
            ranges.push((prev_lo - hi - 2, hi - lo));
            prev_lo = lo;
        }
        Some(QuicFrame::Ack { largest, delay: 0, first, ranges })
    }

    /// Datagrams ready to send now.
    pub fn poll_transmit(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut datagrams = vec![];
        loop {
            let mut dgram: Vec<u8> = vec![];
            let mut client_initial = false;
            for space in [Space::Initial, Space::Handshake, Space::App] {
                let room = MAX_DATAGRAM.saturating_sub(dgram.len()).saturating_sub(60);
                if room < 40 {
                    break;
                }
                let sp = &mut self.spaces[idx(space)];
                let mut frames = vec![];
                let mut size = 0;
                if sp.ack_deadline.is_some_and(|d| d <= now) {
                    if let Some(a) = Self::ack_frame(sp) {
                        size += a.wire_len();
                        frames.push(a);
                    }
                    sp.ack_deadline = None;
                    sp.unacked_eliciting = 0;
                }
                let can_send_data = self.in_flight < self.cwnd || self.probes > 0;
                let app_ready = space != Space::App || self.one_rtt || (self.zero_rtt && self.is_client);
                if can_send_data && app_ready {
                    while let Some(f) = sp.queue.front() {
                        if size + f.wire_len() > room {
                            break;
                        }
                        let f = sp.queue.pop_front().expect("front exists");
                        size += f.wire_len();
                        frames.push(f);
                    }
                    if space == Space::App && sp.queue.is_empty() {
                        // New stream data, taking streams in turn (round-robin, as quiche and
                        // quic-go schedule streams of equal priority): the next stream's
                        // frame fills the packet, and when a stream ends with room left the
                        // following streams' frames share the packet (RFC 9000 §13: a packet
                        // may carry frames of several streams).
                        let header = 1 + 8 + 8 + 4;
                        let candidates = self.stream_order.len();
                        let mut visited = 0;
                        while size + header < room && visited < candidates {
                            let Some(id) = self.stream_order.pop_front() else { break };
                            visited += 1;
                            let Some((sent, total)) = self.streams_tx.get_mut(&id) else { continue };
                            let n = ((room.saturating_sub(size + header)) as u64).min(*total - *sent);
                            if n > 0 {
                                let f = QuicFrame::Stream { id, offset: *sent, len: n, fin: *sent + n == *total };
                                size += f.wire_len();
                                frames.push(f);
                                *sent += n;
                            }
                            if *sent < *total {
                                self.stream_order.push_back(id);
                                break;
                            }
                        }
                    }
                }
                if frames.is_empty() {
                    continue;
                }
                let kind = match space {
                    Space::Initial => {
                        client_initial = self.is_client;
                        PacketType::Initial
                    }
                    Space::Handshake => PacketType::Handshake,
                    Space::App if !self.one_rtt => PacketType::ZeroRtt,
                    Space::App => PacketType::OneRtt,
                };
                let sp = &mut self.spaces[idx(space)];
                let pn = sp.next_pn;
                sp.next_pn += 1;
                let eliciting = frames.iter().any(QuicFrame::is_ack_eliciting);
                let mut bytes = packet(kind, &self.dcid, &self.scid, pn, &frames);
                if client_initial && kind == PacketType::Initial && dgram.is_empty() {
                    // A client's Initial datagram is padded to 1200 bytes (RFC 9000 §14.1).
                    let pad = MAX_DATAGRAM.saturating_sub(bytes.len() + 60);
                    if pad > 0 {
                        frames.push(QuicFrame::Padding(pad));
                        bytes = packet(kind, &self.dcid, &self.scid, pn, &frames);
                    }
                }
                if eliciting {
                    self.in_flight += bytes.len();
                    self.probes = self.probes.saturating_sub(1);
                }
                sp.sent.insert(pn, Sent { time: now, frames, size: bytes.len(), ack_eliciting: eliciting });
                dgram.extend(bytes);
            }
            if dgram.is_empty() {
                break;
            }
            datagrams.push(dgram);
            if datagrams.len() > 64 {
                break;
            }
        }
        datagrams
    }
}
