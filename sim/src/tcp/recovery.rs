//! Linux's loss recovery (the [`super::config::RecoveryMode::Linux`] path of `tcp_ack`):
//! the cumulative ACK and SACK blocks update the scoreboard (`tcp_clean_rtx_queue`,
//! `tcp_sacktag_write_queue`), RACK marks losses (or duplicate-ACK counting without SACK,
//! `tcp_newreno_mark_lost`), the congestion state machine moves (`tcp_fastretrans_alert`:
//! Open, Disorder, CWR, Recovery, Loss), cwnd follows PRR in a reduction and the algorithm
//! otherwise (`tcp_cong_control`), and lost segments are resent first
//! (`tcp_xmit_retransmit_queue`). A retransmission timeout marks every unSACKed segment that
//! RACK considers expired as lost and sets cwnd to packets in flight + 1 (`tcp_enter_loss`).
//!
//! Not modelled, said plainly: undo of spurious reductions (DSACK, F-RTO, timestamps;
//! `tcp_try_undo_*`), adaptive `tcp_reordering`, SACK reneging.

use super::congestion::{AckSample, INFINITE_SSTHRESH};
use super::counters;
use super::sack::AckTally;
use super::seq;
use super::tcb::{Env, Tcb};
use crate::stack::Notice;
use crate::time::Duration;
use crate::trace::{CaState, EventKind, LossDetector, TcpEventKind, TimerKind};
use crate::wire::TcpRepr;

impl Tcb {
    /// The algorithm sets cwnd itself (`ca_ops->cong_control`: BBR).
    pub fn cc_controls_cwnd(&self) -> bool {
        self.cc.name() == "bbr"
    }

    fn tcp_event(&self, env: &mut Env, what: TcpEventKind) {
        env.ctx.event(EventKind::TcpEvent { sock: self.id, what });
    }

    /// The ACK field in the Linux recovery mode, after the window update (`tcp_ack`).
    pub fn linux_ack(&mut self, env: &mut Env, seg: &TcpRepr, pure_dup: bool) {
        let ack = seg.ack;
        let now = env.now();
        let prior_in_flight = self.packets_in_flight();
        let advanced = seq::gt(ack, self.snd_una);
        let prior_fack = self.sb.highest_sack;
        let min_rtt = self.min_rtt.unwrap_or_default();
        let mut t = AckTally::default();
        self.rate.begin_ack();
        if advanced {
            self.free_acked_data(ack);
            let mut reord = false;
            while let Some(s) = self.rtx.front().copied() {
                if seq::gt(s.end, ack) {
                    if seq::gt(ack, s.start) {
                        self.rtx[0].start = ack;
                    }
                    break;
                }
                self.rtx.pop_front();
                if s.sacked {
                    self.sb.sacked_out = self.sb.sacked_out.saturating_sub(1);
                } else {
                    t.acked += 1;
                    t.delivered += 1;
                    self.rate.skb_delivered(&s.tx, s.sent_at, s.end);
                    self.rack.advance(s.retrans, s.end, s.sent_at, now, min_rtt);
                    if s.retrans {
                        t.retrans_acked = true;
                    } else {
                        t.first_ackt.get_or_insert(s.sent_at);
                        t.last_ackt = Some(s.sent_at);
                        if prior_fack.is_some_and(|f| seq::lt(s.start, f)) {
                            reord = true;
                        }
                    }
                }
                if s.lost {
                    self.sb.lost_out = self.sb.lost_out.saturating_sub(1);
                }
                if s.rexmit_out {
                    self.sb.retrans_out = self.sb.retrans_out.saturating_sub(1);
                }
            }
            if reord {
                self.sb.reord_seen = true;
            }
            self.snd_una = ack;
            if seq::lt(self.snd_nxt, ack) {
                self.snd_nxt = ack;
            }
            self.retransmits = 0;
            self.retrans_start = None;
            if self.sb.highest_sack.is_some_and(|h| seq::le(h, ack)) {
                self.sb.highest_sack = None;
            }
        }
        if self.sack_ok && !seg.options.sack_blocks.is_empty() {
            let blocks = seg.options.sack_blocks.clone();
            self.sack_tag(env, &blocks, &mut t);
        }
        // RTT: the oldest newly acknowledged segment, else the oldest SACKed one, else the
        // timestamp echo of an ACK that acknowledged data (`tcp_ack_update_rtt`).
        let seq_rtt = t.first_ackt.or(t.first_sackt).map(|x| now.saturating_since(x));
        let mut ca_rtt = t.last_ackt.or(t.last_sackt).map(|x| now.saturating_since(x));
        let sample = match seq_rtt {
            Some(r) => Some(r),
            None if advanced => {
                let r = self.ts_rtt(env, seg);
                ca_rtt = ca_rtt.or(r);
                r
            }
            None => None,
        };
        if let Some(r) = sample {
            self.rtt_sample(env, r);
        }
        if let Some(r) = ca_rtt {
            self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
        }
        // Duplicate ACKs: without SACK they stand for delivered segments; with SACK they are
        // counted for the chart.
        if advanced {
            self.dupacks = 0;
        } else if pure_dup || t.sacked > 0 {
            self.dupacks += 1;
            let count = self.dupacks;
            self.tcp_event(env, TcpEventKind::DupAck { count });
        }
        self.process_tlp_ack(env, ack);
        // Loss detection.
        if self.sack_ok {
            self.rack_mark_lost(env, &mut t);
        } else if !self.rtx.is_empty()
            && ((self.ca_state < CaState::Recovery && self.dupacks >= super::ack::DUPTHRESH)
                || (self.ca_state == CaState::Recovery && advanced))
        {
            self.mark_lost(env, 0, LossDetector::DupAcks, &mut t);
        }
        self.ecn_on_ack(env, seg);
        self.fastretrans_alert(env);
        // Congestion control (`tcp_cong_control`).
        let rate = self.rate.gen(t.delivered, now, self.min_rtt);
        let cwnd = self.cc.cwnd();
        let cwnd_limited =
            if cwnd < self.cc.ssthresh() { cwnd < 2 * prior_in_flight.max(1) } else { prior_in_flight >= cwnd };
        let sample = AckSample {
            now,
            acked: t.delivered,
            losses: t.lost,
            rtt: if t.retrans_acked && t.first_sackt.is_none() { None } else { ca_rtt },
            prior_in_flight,
            in_flight: self.packets_in_flight(),
            cwnd_limited,
            snd_una: self.snd_una,
            snd_nxt: self.snd_nxt,
            mss: u32::from(self.mss),
            srtt: self.rtt.srtt(),
            min_rtt: self.min_rtt.unwrap_or_default(),
            ca_state: self.ca_state,
            delivered: self.rate.delivered,
            rate,
            pacing_rate: if self.pacing_enabled() { self.pacer.rate } else { 0 },
        };
        if t.delivered > 0 {
            self.cc.pkts_acked(&sample);
        }
        if self.cc.cong_control(&sample) {
        } else if self.in_cwnd_reduction() {
            self.prr_reduction(t.delivered, t.lost > 0, advanced);
        } else if advanced {
            self.cc.on_ack(t.delivered, sample.rtt, now, cwnd_limited);
        }
        self.update_pacing_rate();
        // Timers (`tcp_set_xmit_timer`, `tcp_rearm_rto`).
        if self.snd_una == self.snd_max {
            for k in [TimerKind::Retransmit, TimerKind::LossProbe, TimerKind::ReorderTimeout] {
                self.timers.cancel(env.ctx, self.id, k);
            }
        } else if advanced {
            self.set_xmit_timer(env);
        }
        self.after_ack_buffers(env);
    }

    /// Free acknowledged bytes from the send buffer.
    pub fn free_acked_data(&mut self, ack: u32) {
        let data_acked = seq::dist(self.snd_buf_seq, seq::min(ack, self.data_end()));
        let n = (data_acked as usize).min(self.snd_buf.len());
        self.snd_buf.drain(..n);
        self.snd_buf_seq = self.snd_buf_seq.wrapping_add(n as u32);
        self.bytes_acked += n as u64;
    }

    /// Grow the send buffer with cwnd and wake a blocked writer (`tcp_check_space`).
    pub fn after_ack_buffers(&mut self, env: &mut Env) {
        self.update_snd_cap(env.cfg);
        if self.want_writable {
            let free = self.snd_cap as usize - self.snd_buf.len().min(self.snd_cap as usize);
            if free >= self.snd_buf.len() / 2 && free > 0 {
                self.want_writable = false;
                env.ctx.notify(Notice::Writable { sock: self.id });
            }
        }
    }

    /// `tcp_fastretrans_alert` without the undo logic: leave Recovery, CWR or Loss once
    /// SND.UNA reaches `high_seq`; enter Recovery when a loss is marked; Disorder while SACKs
    /// are outstanding.
    fn fastretrans_alert(&mut self, env: &mut Env) {
        let now = env.now();
        let done = !seq::lt(self.snd_una, self.high_seq);
        match self.ca_state {
            CaState::Recovery | CaState::Cwr if done => {
                let was = self.ca_state;
                self.end_cwnd_reduction();
                self.set_ca(env, CaState::Open);
                if was == CaState::Recovery {
                    let cwnd = self.cc.cwnd();
                    self.tcp_event(env, TcpEventKind::ExitRecovery { cwnd });
                }
            }
            CaState::Loss if done => {
                self.set_ca(env, CaState::Open);
                let cwnd = self.cc.cwnd();
                self.tcp_event(env, TcpEventKind::ExitRecovery { cwnd });
            }
            _ => {}
        }
        let _ = now;
        if self.sb.lost_out > 0 && self.ca_state < CaState::Recovery {
            self.enter_recovery_linux(env);
        } else if self.ca_state == CaState::Open && (self.sb.sacked_out > 0 || self.dupacks > 0) {
            self.set_ca(env, CaState::Disorder);
        } else if self.ca_state == CaState::Disorder && self.sb.sacked_out == 0 && self.dupacks == 0 {
            self.set_ca(env, CaState::Open);
        }
    }

    /// Change the congestion state and tell the algorithm (`tcp_set_ca_state`).
    pub fn set_ca(&mut self, env: &Env, state: CaState) {
        if self.ca_state != state {
            self.ca_state = state;
            self.cc.set_ca_state(state, env.now());
        }
    }

    /// `tcp_enter_recovery`: start the reduction (unless CWR already did) and enter Recovery.
    pub fn enter_recovery_linux(&mut self, env: &mut Env) {
        if !self.in_cwnd_reduction() {
            self.init_cwnd_reduction(env);
        }
        self.set_ca(env, CaState::Recovery);
        env.count(if self.sack_ok { counters::SACK_RECOVERY } else { counters::RENO_RECOVERY });
        let ss = self.cc.ssthresh();
        let what = TcpEventKind::EnterRecovery {
            ssthresh: if ss >= INFINITE_SSTHRESH { u32::MAX } else { ss },
            cwnd: self.prr.prior_cwnd,
        };
        self.tcp_event(env, what);
    }

    /// `tcp_simple_retransmit`, which `tcp_v4_mtu_reduced` calls when ICMP "fragmentation
    /// needed" lowered the path MTU (RFC 1191 §6.1): every unSACKed segment longer than the new
    /// MSS is marked lost and cut to the MSS (the split `tcp_retransmit_skb` makes with
    /// `tcp_fragment`); the connection enters Loss with cwnd and ssthresh untouched ("we do not
    /// increase amount of _data_ in network, but units changed") and resends them at once.
    pub fn simple_retransmit(&mut self, env: &mut Env) {
        let mss = u32::from(self.mss.max(1));
        let mut queue = std::collections::VecDeque::with_capacity(self.rtx.len());
        let mut too_big: Vec<(u32, u32)> = Vec::new();
        for seg in self.rtx.drain(..) {
            if seg.sacked || seq::dist(seg.start, seg.end) <= mss {
                queue.push_back(seg);
                continue;
            }
            too_big.push((seg.start, seg.end));
            let mut at = seg.start;
            while seq::lt(at, seg.end) {
                let end = seq::min(at.wrapping_add(mss), seg.end);
                queue.push_back(super::tcb::TxSeg { start: at, end, lost: true, rexmit_out: false, ..seg });
                at = end;
            }
        }
        self.rtx = queue;
        if too_big.is_empty() {
            return;
        }
        for (seq, end) in too_big {
            env.ctx.event(EventKind::TcpEvent {
                sock: self.id,
                what: TcpEventKind::Lost { seq, end, by: LossDetector::PathMtu },
            });
        }
        self.recount_scoreboard();
        if self.ca_state != CaState::Loss {
            self.high_seq = self.snd_nxt;
            self.set_ca(env, CaState::Loss);
        }
        self.xmit_retransmit_queue(env);
    }

    /// `tcp_xmit_retransmit_queue`: resend lost segments, oldest first, while cwnd and pacing
    /// allow.
    pub fn xmit_retransmit_queue(&mut self, env: &mut Env) {
        if self.sb.lost_out == 0 {
            return;
        }
        let mut i = 0;
        while i < self.rtx.len() {
            if self.packets_in_flight() >= self.cc.cwnd() || self.pacing_blocks(env) {
                break;
            }
            let s = self.rtx[i];
            if s.lost && !s.rexmit_out && !s.sacked {
                self.retransmit_seg(env, i);
            }
            i += 1;
        }
    }

    /// Resend segment `i` of the retransmission queue (`tcp_retransmit_skb`).
    pub fn retransmit_seg(&mut self, env: &mut Env, i: usize) {
        let Some(s) = self.rtx.get(i).copied() else { return };
        let data_end = self.data_end();
        let len = seq::dist(s.start, seq::min(s.end, data_end));
        let fin = self.fin_seq.is_some_and(|f| seq::lt(f, s.end) && seq::ge(f, s.start));
        if len == 0 && !fin {
            return;
        }
        if self.ca_state == CaState::Recovery && self.prr.out == 0 {
            env.count(counters::FAST_RETRANS);
            self.tcp_event(env, TcpEventKind::FastRetransmit { seq: s.start });
        }
        let saved_nxt = self.snd_nxt;
        self.send_data(env, s.start, len, fin);
        self.snd_nxt = seq::max(saved_nxt, self.snd_nxt);
        let now = env.now();
        let tx = self.rate.on_send(now, false);
        if let Some(x) = self.rtx.get_mut(i) {
            if !x.rexmit_out {
                x.rexmit_out = true;
                self.sb.retrans_out += 1;
            }
            x.tx = tx;
        }
        if self.in_cwnd_reduction() {
            self.prr.out += 1;
        }
        if i == 0 {
            self.arm_rto(env);
        }
    }

    /// `tcp_enter_loss` for the Linux mode: a new episode takes ssthresh from the algorithm;
    /// every unSACKed segment whose RACK timeout has passed (and always the first) is lost;
    /// cwnd = packets in flight + 1.
    pub fn enter_loss_linux(&mut self, env: &mut Env) {
        let now = env.now();
        let new_episode = self.ca_state <= CaState::Disorder
            || !seq::lt(self.snd_una, self.high_seq)
            || (self.ca_state == CaState::Loss && self.retransmits == 0);
        if new_episode {
            self.prr.prior_cwnd = self.cc.cwnd();
            let s = self.cc.recalc_ssthresh();
            self.cc.set_ssthresh(s);
        }
        let mut t = AckTally::default();
        let rtt = self.rack.rtt;
        for i in 0..self.rtx.len() {
            let s = self.rtx[i];
            if s.sacked {
                continue;
            }
            if i != 0 && self.sack_ok && now.saturating_since(s.sent_at) < rtt {
                continue;
            }
            self.mark_lost(env, i, LossDetector::Timeout, &mut t);
        }
        let pipe = self.packets_in_flight();
        self.cc.set_cwnd(pipe + 1);
        self.high_seq = self.snd_nxt;
        self.rack.tlp_high_seq = None;
        self.dupacks = 0;
        self.set_ca(env, CaState::Loss);
        for k in [TimerKind::LossProbe, TimerKind::ReorderTimeout] {
            self.timers.cancel(env.ctx, self.id, k);
        }
    }

    /// `tcp_slow_start_after_idle_check` → `tcp_cwnd_restart` (RFC 5681 §4.1, RFC 7661):
    /// the application writes with nothing in flight after more than one RTO of silence;
    /// ssthresh keeps 3/4 of cwnd (`tcp_current_ssthresh`) and cwnd halves per RTO idle, down
    /// to the initial window. BBR is exempt (it has `cong_control`).
    pub fn idle_restart_check(&mut self, env: &mut Env) {
        if !env.cfg.slow_start_after_idle || !self.rtx.is_empty() || self.cc_controls_cwnd() || !self.synchronized() {
            return;
        }
        let now = env.now();
        let mut delta = now.saturating_since(self.lsndtime);
        if delta <= self.rto || self.bytes_acked == 0 {
            return;
        }
        let cwnd0 = self.cc.cwnd();
        let restart = env.cfg.initial_cwnd.min(cwnd0);
        self.cc.cwnd_event(super::congestion::CaEvent::CwndRestart, now);
        let ss = self.cc.ssthresh();
        let current = if self.in_cwnd_reduction() { ss } else { ss.max((cwnd0 >> 1) + (cwnd0 >> 2)) };
        self.cc.set_ssthresh(current);
        let mut cwnd = cwnd0;
        while delta > self.rto && cwnd > restart {
            delta = delta - self.rto;
            cwnd >>= 1;
        }
        let cwnd = cwnd.max(restart);
        self.cc.set_cwnd(cwnd);
        let ssthresh = self.cc.ssthresh();
        self.tcp_event(env, TcpEventKind::IdleRestart { cwnd, ssthresh });
    }

    /// The RTT floor used by RACK and the rate sampler.
    pub fn min_rtt_or_zero(&self) -> Duration {
        self.min_rtt.unwrap_or_default()
    }
}
