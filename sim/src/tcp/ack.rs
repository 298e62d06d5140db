//! The ACK field on the sender side (Linux `tcp_ack`, RFC 9293 §3.10.7.4 "fifth, check the
//! ACK field"): window update (SND.WL1/WL2), freeing acknowledged data, RTT samples with
//! Karn's rule, congestion-window growth, and loss recovery.
//!
//! Two loss-recovery paths ([`RecoveryMode`]): the textbook RFC 5681 §3.2 fast retransmit
//! with RFC 6582 NewReno partial ACKs (here), and Linux's SACK scoreboard with RACK-TLP
//! (RFC 8985) and PRR (RFC 6937) in [`super::recovery`] (docs/fidelity.md §0 row 10).

use super::config::RecoveryMode;
use super::congestion::AckSample;
use super::counters;
use super::seq;
use super::tcb::{Env, Tcb};
use super::TcpState;
use crate::stack::Notice;
use crate::trace::{EventKind, TcpEventKind, TimerKind};
use crate::wire::TcpRepr;

/// `TCP_FASTRETRANS_THRESH`: duplicate ACKs that trigger a fast retransmit.
pub const DUPTHRESH: u32 = 3;

impl Tcb {
    /// Process the ACK field. Returns false when the segment must be dropped (it acknowledges
    /// data never sent; an ACK was sent in reply).
    pub fn process_ack(&mut self, env: &mut Env, seg: &TcpRepr) -> bool {
        let ack = seg.ack;
        if seq::gt(ack, self.snd_max) {
            // RFC 9293: "If the ACK acks something not yet sent ... send an ACK, drop".
            self.send_ack(env);
            return false;
        }
        if seq::lt(ack, self.snd_una) {
            // An old duplicate ACK: ignore the field, keep processing the segment.
            return true;
        }
        let window = u32::from(seg.window) << self.snd_wscale;
        let prior_wnd = self.snd_wnd;
        // RFC 9293 §3.10.7.4: update the window if SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and
        // SND.WL2 =< SEG.ACK).
        if seq::lt(self.snd_wl1, seg.seq) || (self.snd_wl1 == seg.seq && seq::le(self.snd_wl2, ack)) {
            self.snd_wnd = window;
            self.max_snd_wnd = self.max_snd_wnd.max(window);
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = ack;
        }
        let dup = ack == self.snd_una
            && seg.payload.is_empty()
            && !seg.flags.fin()
            && window == prior_wnd
            && seq::lt(self.snd_una, self.snd_max);
        if self.mode == RecoveryMode::Linux {
            self.linux_ack(env, seg, dup);
        } else if ack == self.snd_una {
            if dup {
                self.on_dupack(env);
            }
        } else {
            self.on_new_ack(env, seg);
        }
        if self.mode == RecoveryMode::Textbook {
            self.ecn_on_ack(env, seg);
            if self.ca_state == crate::trace::CaState::Cwr && !seq::lt(self.snd_una, self.high_seq) {
                self.ca_state = crate::trace::CaState::Open;
            }
        }
        self.after_ack_state(env);
        self.ack_probe(env);
        true
    }

    /// RFC 5681 §3.2 / RFC 6582 §3.2: the third duplicate ACK triggers a fast retransmit and
    /// recovery with cwnd = ssthresh + 3; further ones inflate cwnd by one segment.
    fn on_dupack(&mut self, env: &mut Env) {
        self.dupacks += 1;
        let count = self.dupacks;
        env.ctx.event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::DupAck { count } });
        match self.recovery {
            None if self.dupacks == DUPTHRESH => {
                let now = env.now();
                let prior_cwnd = self.cc.cwnd();
                self.cc.enter_recovery(now);
                let ss = self.cc.ssthresh();
                self.cc.set_cwnd(ss + DUPTHRESH);
                self.recovery = Some(self.snd_max);
                self.ca_state = crate::trace::CaState::Recovery;
                let (seq, end) = (self.snd_una, self.snd_una.wrapping_add(u32::from(self.mss)));
                let events = [
                    TcpEventKind::Lost { seq, end, by: crate::trace::LossDetector::DupAcks },
                    TcpEventKind::EnterRecovery { ssthresh: ss, cwnd: prior_cwnd },
                    TcpEventKind::FastRetransmit { seq },
                ];
                for what in events {
                    env.ctx.event(EventKind::TcpEvent { sock: self.id, what });
                }
                env.count(counters::FAST_RETRANS);
                self.retransmit_head(env);
                self.arm_rto(env);
            }
            Some(_) => {
                let c = self.cc.cwnd();
                self.cc.set_cwnd(c + 1);
                self.push(env, false);
            }
            None => {}
        }
    }

    fn on_new_ack(&mut self, env: &mut Env, seg: &TcpRepr) {
        let ack = seg.ack;
        let now = env.now();
        let prior_in_flight = self.packets_in_flight();
        let acked_bytes = seq::dist(self.snd_una, ack);
        // Free acknowledged data.
        let data_acked = seq::dist(self.snd_buf_seq, seq::min(ack, self.data_end()));
        let n = (data_acked as usize).min(self.snd_buf.len());
        self.snd_buf.drain(..n);
        self.snd_buf_seq = self.snd_buf_seq.wrapping_add(n as u32);
        self.bytes_acked += n as u64;
        // tcp_clean_rtx_queue: the RTT sample comes from the oldest newly acked segment,
        // unless any acked segment was retransmitted (Karn); then from the TS echo.
        let mut first_sent = None;
        let mut any_retrans = false;
        let mut acked_segs = 0u32;
        while let Some(s) = self.rtx.front_mut() {
            if seq::le(s.end, ack) {
                acked_segs += 1;
                any_retrans |= s.retrans;
                if !s.retrans && first_sent.is_none() {
                    first_sent = Some(s.sent_at);
                }
                self.rtx.pop_front();
            } else {
                if seq::gt(ack, s.start) {
                    s.start = ack;
                }
                break;
            }
        }
        let sample = match (first_sent, any_retrans) {
            (Some(t), false) => Some(now.saturating_since(t)),
            _ => self.ts_rtt(env, seg),
        };
        if let Some(r) = sample {
            self.rtt_sample(env, r);
        }
        self.snd_una = ack;
        if seq::lt(self.snd_nxt, ack) {
            self.snd_nxt = ack;
        }
        if self.ca_state == crate::trace::CaState::Loss && seq::ge(ack, self.high_seq) {
            self.ca_state = crate::trace::CaState::Open;
            let cwnd = self.cc.cwnd();
            self.cc.set_ca_state(crate::trace::CaState::Open, now);
            env.ctx.event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::ExitRecovery { cwnd } });
        }
        self.retransmits = 0;
        self.retrans_start = None;
        let mss = u32::from(self.mss.max(1));
        match self.recovery {
            Some(recover) if seq::ge(ack, recover) => {
                // RFC 6582 §3.2 step 3, full ACK: deflate to ssthresh.
                let ss = self.cc.ssthresh();
                self.cc.set_cwnd(ss);
                self.recovery = None;
                self.dupacks = 0;
                self.ca_state = crate::trace::CaState::Open;
                env.ctx.event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::ExitRecovery { cwnd: ss } });
            }
            Some(_) => {
                // Partial ACK: retransmit the next hole, deflate by the amount acked, add one
                // segment back if at least one was acked, and restart the timer.
                self.retransmit_head(env);
                let c = self.cc.cwnd();
                let deflate = acked_bytes / mss;
                let add = u32::from(acked_bytes >= mss);
                self.cc.set_cwnd(c.saturating_sub(deflate) + add);
                self.arm_rto(env);
            }
            None => {
                self.dupacks = 0;
                let cwnd = self.cc.cwnd();
                // tcp_is_cwnd_limited: in slow start while cwnd < 2·flight, else at cwnd.
                let limited =
                    if cwnd < self.cc.ssthresh() { cwnd < 2 * prior_in_flight } else { prior_in_flight >= cwnd };
                let rtt = sample;
                if let Some(r) = sample {
                    self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
                }
                let s = AckSample {
                    now,
                    acked: acked_segs,
                    rtt: if any_retrans { None } else { sample },
                    prior_in_flight,
                    in_flight: self.packets_in_flight(),
                    cwnd_limited: limited,
                    snd_una: self.snd_una,
                    snd_nxt: self.snd_nxt,
                    mss: u32::from(self.mss),
                    srtt: self.rtt.srtt(),
                    min_rtt: self.min_rtt.unwrap_or_default(),
                    ca_state: self.ca_state,
                    ..AckSample::default()
                };
                self.cc.pkts_acked(&s);
                self.cc.on_ack(acked_segs.max(1), rtt, now, limited);
            }
        }
        // tcp_rearm_rto.
        if self.snd_una == self.snd_max {
            self.timers.cancel(env.ctx, self.id, TimerKind::Retransmit);
        } else if self.recovery.is_none() || !self.timers.armed(TimerKind::Retransmit) {
            self.arm_rto(env);
        }
        self.update_snd_cap(env.cfg);
        if self.want_writable {
            let free = self.snd_cap as usize - self.snd_buf.len().min(self.snd_cap as usize);
            // sk_stream_write_space: free space at least half of what is queued.
            if free >= self.snd_buf.len() / 2 && free > 0 {
                self.want_writable = false;
                env.ctx.notify(Notice::Writable { sock: self.id });
            }
        }
    }

    /// State changes driven by the ACK of our FIN.
    fn after_ack_state(&mut self, env: &mut Env) {
        if !self.fin_acked() {
            return;
        }
        match self.state {
            TcpState::FinWait1 => {
                self.set_state(env, TcpState::FinWait2);
                if self.orphan {
                    // tcp_rcv_state_process: an orphan waits at most tcp_fin_timeout (at
                    // least 3.5·RTO, `tcp_fin_time`) for the peer's FIN.
                    let rto = self.rto;
                    let floor = rto.mul(4) - crate::time::Duration(rto.as_nanos() / 2);
                    let at = env.now() + env.cfg.fin_timeout.max(floor);
                    self.timers.set(env, self.id, TimerKind::FinWait2, at);
                }
            }
            TcpState::Closing => self.enter_time_wait(env),
            TcpState::LastAck => self.set_state(env, TcpState::Closed),
            _ => {}
        }
    }

    /// TIME-WAIT for `TCP_TIMEWAIT_LEN` (60 s on Linux; 2·MSL = 240 s in the RFC profile).
    pub fn enter_time_wait(&mut self, env: &mut Env) {
        self.set_state(env, TcpState::TimeWait);
        for k in [TimerKind::Retransmit, TimerKind::Persist, TimerKind::DelayedAck, TimerKind::FinWait2] {
            self.timers.cancel(env.ctx, self.id, k);
        }
        let at = env.now() + env.cfg.time_wait;
        self.timers.set(env, self.id, TimerKind::TimeWait, at);
    }

    /// `tcp_ack_probe`: while probing a closed window, an ACK that opens it stops the persist
    /// timer and clears the backoff; otherwise the timer restarts from now.
    fn ack_probe(&mut self, env: &mut Env) {
        if !self.timers.armed(TimerKind::Persist) {
            return;
        }
        let wnd_end = self.snd_una.wrapping_add(self.snd_wnd);
        let room = seq::dist(self.snd_nxt, wnd_end);
        let avail = seq::dist(self.snd_nxt, self.data_end());
        if room >= avail.min(u32::from(self.mss)) && room > 0 {
            self.timers.cancel(env.ctx, self.id, TimerKind::Persist);
            self.backoff = 0;
        } else {
            let at = env.now() + self.probe0_when(env);
            self.timers.set(env, self.id, TimerKind::Persist, at);
        }
    }
}
