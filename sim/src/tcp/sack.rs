//! The sender's SACK scoreboard (RFC 2018, RFC 6675 §2; Linux `tcp_sacktag_write_queue`,
//! `tcp_clean_rtx_queue`): each segment in the retransmission queue is SACKed, lost,
//! retransmitted or plain in flight, and the counts give Linux's packets in flight
//! (`tcp_packets_in_flight` = packets out − SACKed − lost + retransmitted).

use super::seq;
use super::tcb::{Env, Tcb};
use crate::time::Instant;
use crate::trace::{EventKind, LossDetector, TcpEventKind};

/// Counts over the retransmission queue (Linux `sacked_out`, `lost_out`, `retrans_out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scoreboard {
    /// Segments SACKed.
    pub sacked_out: u32,
    /// Segments marked lost and not SACKed.
    pub lost_out: u32,
    /// Retransmissions in flight.
    pub retrans_out: u32,
    /// End of the highest SACKed segment.
    pub highest_sack: Option<u32>,
    /// A segment that was never retransmitted arrived after a later one (`reord_seen`).
    pub reord_seen: bool,
}

/// What one ACK delivered, accumulated while the queue is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AckTally {
    /// Packets newly acknowledged or SACKed (`acked_sacked`).
    pub delivered: u32,
    /// Packets newly acknowledged cumulatively.
    pub acked: u32,
    /// Packets newly SACKed.
    pub sacked: u32,
    /// Send times of the oldest and newest never-retransmitted segment cumulatively
    /// acknowledged (`first_ackt`, `last_ackt`).
    pub first_ackt: Option<Instant>,
    /// See `first_ackt`.
    pub last_ackt: Option<Instant>,
    /// The same for SACKed segments (`first_sackt`, `last_sackt`).
    pub first_sackt: Option<Instant>,
    /// See `first_sackt`.
    pub last_sackt: Option<Instant>,
    /// A retransmitted segment was cumulatively acknowledged (`FLAG_RETRANS_DATA_ACKED`).
    pub retrans_acked: bool,
    /// Packets newly marked lost.
    pub lost: u32,
}

impl Tcb {
    /// Index of the first segment in the retransmission queue whose end is after `s`.
    fn rtx_index_after(&self, s: u32) -> usize {
        let base = self.snd_una;
        let key = seq::dist(base, s);
        self.rtx.partition_point(|x| seq::dist(base, x.end) <= key)
    }

    /// Mark the segments a SACK block fully covers (`tcp_sacktag_one`): each newly SACKed one
    /// is delivered, stops being lost or in retransmission, feeds RACK and the rate sample.
    /// A never-retransmitted segment SACKed below the highest SACK shows reordering.
    pub fn sack_tag(&mut self, env: &Env, blocks: &[(u32, u32)], tally: &mut AckTally) {
        let now = env.now();
        let min_rtt = self.min_rtt.unwrap_or_default();
        for &(start, end) in blocks {
            // `tcp_is_sackblock_valid`: a block must start after SND.UNA (a SACK of the first
            // unacknowledged byte would be a reneging receiver or a D-SACK, neither of which
            // marks anything here) and end within what was sent.
            if seq::le(start, self.snd_una) || seq::gt(end, self.snd_max) || seq::ge(start, end) {
                continue;
            }
            let mut i = self.rtx_index_after(start);
            while let Some(s) = self.rtx.get_mut(i) {
                if seq::gt(s.end, end) {
                    break;
                }
                i += 1;
                if s.sacked || seq::lt(s.start, start) {
                    continue;
                }
                s.sacked = true;
                let seg = *s;
                self.sb.sacked_out += 1;
                if seg.lost {
                    self.rtx[i - 1].lost = false;
                    self.sb.lost_out = self.sb.lost_out.saturating_sub(1);
                }
                if seg.rexmit_out {
                    self.rtx[i - 1].rexmit_out = false;
                    self.sb.retrans_out = self.sb.retrans_out.saturating_sub(1);
                }
                if !seg.retrans {
                    if self.sb.highest_sack.is_some_and(|h| seq::lt(seg.end, h)) {
                        self.sb.reord_seen = true;
                    }
                    tally.first_sackt.get_or_insert(seg.sent_at);
                    tally.last_sackt = Some(seg.sent_at);
                }
                if self.sb.highest_sack.is_none_or(|h| seq::gt(seg.end, h)) {
                    self.sb.highest_sack = Some(seg.end);
                }
                tally.sacked += 1;
                tally.delivered += 1;
                self.rate.skb_delivered(&seg.tx, seg.sent_at, seg.end);
                self.rack.advance(seg.retrans, seg.end, seg.sent_at, now, min_rtt);
            }
        }
    }

    /// `tcp_mark_skb_lost`: mark segment `i` lost (or, if it already was and its
    /// retransmission is in flight, declare that retransmission lost too).
    pub fn mark_lost(&mut self, env: &mut Env, i: usize, by: LossDetector, tally: &mut AckTally) {
        let Some(s) = self.rtx.get_mut(i) else { return };
        if s.sacked {
            return;
        }
        if s.lost {
            if !s.rexmit_out {
                return;
            }
            s.rexmit_out = false;
            self.sb.retrans_out = self.sb.retrans_out.saturating_sub(1);
        } else {
            s.lost = true;
            self.sb.lost_out += 1;
            if s.rexmit_out {
                s.rexmit_out = false;
                self.sb.retrans_out = self.sb.retrans_out.saturating_sub(1);
            }
        }
        let (seq, end) = (s.start, s.end);
        tally.lost += 1;
        env.ctx.event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::Lost { seq, end, by } });
    }

    /// Recount the scoreboard from the queue (used after the queue is rebuilt).
    pub fn recount_scoreboard(&mut self) {
        let mut sb =
            Scoreboard { highest_sack: self.sb.highest_sack, reord_seen: self.sb.reord_seen, ..Default::default() };
        for s in &self.rtx {
            sb.sacked_out += u32::from(s.sacked);
            sb.lost_out += u32::from(s.lost);
            sb.retrans_out += u32::from(s.rexmit_out);
        }
        self.sb = sb;
    }
}
