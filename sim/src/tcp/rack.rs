//! RACK-TLP (RFC 8985; Linux net/ipv4/tcp_recovery.c and `tcp_schedule_loss_probe`,
//! `tcp_send_loss_probe` in tcp_output.c).
//!
//! RACK marks a segment lost by time rather than by counting duplicate ACKs: once a segment
//! sent *after* it has been delivered, and a reordering window has passed beyond the RTT of
//! that delivery, it is presumed lost (RFC 8985 §6.2). The window is a quarter of the
//! minimum RTT, or zero in recovery and once three segments are SACKed while no reordering
//! has been seen (`tcp_rack_reo_wnd`), so without reordering three SACKs mark the hole at once
//! as three duplicate ACKs would. TLP sends a probe two SRTTs after the last transmission so
//! that a lost tail is repaired by recovery rather than by a retransmission timeout
//! (RFC 8985 §7).

use super::counters;
use super::sack::AckTally;
use super::seq;
use super::tcb::{Env, Tcb};
use crate::time::{Duration, Instant};
use crate::trace::{CaState, EventKind, LossDetector, TcpEventKind, TimerKind};

/// `TCP_TIMEOUT_MIN` (2 jiffies): slack added to the reordering timer.
pub const TIMEOUT_MIN: Duration = Duration::from_millis(2);

/// RACK and TLP state (`tp->rack`, `tlp_high_seq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rack {
    /// Send time of the most recently sent segment delivered so far (`rack.mstamp`).
    pub xmit_time: Instant,
    /// Its end (`rack.end_seq`).
    pub end_seq: u32,
    /// The RTT measured on it (`rack.rtt_us`).
    pub rtt: Duration,
    /// A newer delivery was recorded since the last scan (`rack.advanced`).
    pub advanced: bool,
    /// SND.NXT when a tail loss probe was sent; none while no probe is outstanding.
    pub tlp_high_seq: Option<u32>,
    /// The probe was a retransmission (`tlp_retrans`).
    pub tlp_retrans: bool,
}

impl Rack {
    /// `tcp_rack_advance`: a segment sent at `xmit` was delivered. A retransmission whose
    /// apparent RTT is below the minimum RTT may be a spurious one and is ignored.
    pub fn advance(&mut self, retransmitted: bool, end_seq: u32, xmit: Instant, now: Instant, min_rtt: Duration) {
        let rtt = now.saturating_since(xmit);
        if retransmitted && rtt < min_rtt {
            return;
        }
        self.advanced = true;
        self.rtt = rtt;
        if xmit > self.xmit_time || (xmit == self.xmit_time && seq::gt(end_seq, self.end_seq)) {
            self.xmit_time = xmit;
            self.end_seq = end_seq;
        }
    }
}

impl Tcb {
    /// `tcp_rack_reo_wnd` (RFC 8985 §6.2 step 4).
    pub fn rack_reo_wnd(&self) -> Duration {
        if !self.sb.reord_seen && (self.ca_state >= CaState::Recovery || self.sb.sacked_out >= super::ack::DUPTHRESH) {
            return Duration::ZERO;
        }
        let min_rtt = self.min_rtt.unwrap_or_default();
        Duration(min_rtt.as_nanos() / 4).min(self.rtt.srtt())
    }

    /// `tcp_rack_detect_loss`: mark every unSACKed segment sent before the RACK segment whose
    /// reordering window has passed; return how long until the next one would expire.
    pub fn rack_detect_loss(&mut self, env: &mut Env, tally: &mut AckTally) -> Option<Duration> {
        let now = env.now();
        let reo_wnd = self.rack_reo_wnd();
        let mut wait: Option<Duration> = None;
        let (rx, re, rtt) = (self.rack.xmit_time, self.rack.end_seq, self.rack.rtt);
        for i in 0..self.rtx.len() {
            let s = self.rtx[i];
            if s.sacked || (s.lost && !s.rexmit_out) {
                continue;
            }
            let before = s.sent_at < rx || (s.sent_at == rx && seq::lt(s.end, re));
            if !before {
                continue;
            }
            let elapsed = now.saturating_since(s.sent_at);
            let deadline = rtt + reo_wnd;
            if elapsed >= deadline {
                self.mark_lost(env, i, LossDetector::Rack, tally);
            } else {
                let left = deadline - elapsed;
                wait = Some(wait.map_or(left, |w| w.max(left)));
            }
        }
        wait
    }

    /// `tcp_rack_mark_lost`: scan when a newer delivery was recorded; arm the reordering
    /// timer for segments still inside their window.
    pub fn rack_mark_lost(&mut self, env: &mut Env, tally: &mut AckTally) {
        if !self.rack.advanced {
            return;
        }
        self.rack.advanced = false;
        if self.sb.sacked_out == 0 && self.sb.retrans_out == 0 {
            // Nothing can have been sent before a delivered segment and still be out.
            return;
        }
        if let Some(wait) = self.rack_detect_loss(env, tally) {
            let at = env.now() + wait + TIMEOUT_MIN;
            self.timers.set(env, self.id, TimerKind::ReorderTimeout, at);
        }
    }

    /// The reordering timer fired (`tcp_rack_reo_timeout`): mark what expired, enter recovery
    /// if needed, retransmit.
    pub fn on_reorder_timeout(&mut self, env: &mut Env) {
        let mut tally = AckTally::default();
        let before = self.sb.lost_out;
        if let Some(wait) = self.rack_detect_loss(env, &mut tally) {
            let at = env.now() + wait + TIMEOUT_MIN;
            self.timers.set(env, self.id, TimerKind::ReorderTimeout, at);
        }
        if self.sb.lost_out > before && self.ca_state < CaState::Recovery {
            self.enter_recovery_linux(env);
            if !self.cc_controls_cwnd() {
                self.prr_reduction(1, tally.lost > 0, false);
            }
        }
        self.push(env, false);
        if !self.timers.armed(TimerKind::Retransmit) && seq::lt(self.snd_una, self.snd_max) {
            self.arm_rto(env);
        }
    }

    /// `tcp_schedule_loss_probe`: in the Open or CWR state with SACK and data outstanding,
    /// replace the RTO by a probe timer of 2·SRTT + 2 ms (`TCP_TIMEOUT_MIN`), or with a single
    /// segment out 2·SRTT + `TCP_RTO_MIN` to allow for a delayed ACK (RFC 8985 §7.2 adds
    /// WCDelAckT = 200 ms), never later than the RTO would fire (docs/fidelity.md §3.3 [E14]:
    /// the probe went out about 2·SRTT after the flight). The delayed-ACK allowance is why a
    /// probe does not cut the Nagle × delayed-ACK stall short ([E6]).
    pub fn schedule_loss_probe(&mut self, env: &mut Env) -> bool {
        if !env.cfg.tail_loss_probe
            || self.mode != super::config::RecoveryMode::Linux
            || !self.sack_ok
            || self.rtx.is_empty()
            || !matches!(self.ca_state, CaState::Open | CaState::Cwr)
            || !self.rtt.has_sample()
        {
            return false;
        }
        let srtt = self.rtt.srtt();
        let extra = if self.rtx.len() == 1 { env.cfg.rto_min } else { TIMEOUT_MIN };
        let pto = (srtt.mul(2) + extra).min(self.rto);
        let at = env.now() + pto;
        self.timers.cancel(env.ctx, self.id, TimerKind::Retransmit);
        self.timers.set(env, self.id, TimerKind::LossProbe, at);
        true
    }

    /// `tcp_set_xmit_timer`: a loss probe if one may be scheduled, else the RTO.
    pub fn set_xmit_timer(&mut self, env: &mut Env) {
        if !self.schedule_loss_probe(env) {
            self.arm_rto(env);
        }
    }

    /// The probe timer fired (`tcp_send_loss_probe`): send one new segment if the window
    /// allows, else retransmit the last one; then the RTO takes over.
    pub fn on_loss_probe(&mut self, env: &mut Env) {
        if self.rack.tlp_high_seq.is_some() || self.rtx.is_empty() {
            self.arm_rto(env);
            return;
        }
        let mss = u32::from(self.mss.max(1));
        let avail = seq::dist(self.snd_nxt, self.data_end());
        let room = seq::dist(self.snd_nxt, self.snd_una.wrapping_add(self.snd_wnd));
        let len = avail.min(mss);
        let (probe_seq, new_data) = if len > 0 && len <= room {
            let at = self.snd_nxt;
            let fin = self.fin_seq.is_some_and(|f| f == at.wrapping_add(len));
            self.send_data(env, at, len, fin);
            (at, true)
        } else {
            let Some(last) = self.rtx.back().copied() else { return };
            if last.sacked {
                self.arm_rto(env);
                return;
            }
            let data_end = self.data_end();
            let len = seq::dist(last.start, seq::min(last.end, data_end));
            let fin = self.fin_seq.is_some_and(|f| seq::lt(f, last.end));
            self.send_data(env, last.start, len, fin);
            self.rack.tlp_retrans = true;
            (last.start, false)
        };
        env.count(counters::LOSS_PROBES);
        self.rack.tlp_high_seq = Some(self.snd_nxt);
        env.ctx
            .event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::LossProbe { seq: probe_seq, new_data } });
        self.arm_rto(env);
    }

    /// `tcp_process_tlp_ack`: the probe's episode ends once SND.UNA passes it; if the probe
    /// was a retransmission that repaired a loss, cwnd is reduced once (CWR).
    pub fn process_tlp_ack(&mut self, env: &mut Env, ack: u32) {
        let Some(high) = self.rack.tlp_high_seq else { return };
        if seq::lt(ack, high) {
            return;
        }
        self.rack.tlp_high_seq = None;
        if self.rack.tlp_retrans && seq::gt(ack, high) && !self.cc_controls_cwnd() {
            let prior = self.ca_state;
            self.init_cwnd_reduction(env);
            self.ca_state = crate::trace::CaState::Cwr;
            self.end_cwnd_reduction();
            self.ca_state = prior.min(CaState::Disorder);
        }
        self.rack.tlp_retrans = false;
    }
}
