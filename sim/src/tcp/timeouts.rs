//! What each timer does when it fires (Linux net/ipv4/tcp_timer.c and
//! inet_connection_sock.c `reqsk_timer_handler`).

use super::config::RecoveryMode;
use super::congestion::INFINITE_SSTHRESH;
use super::counters;
use super::rtt::model_timeout;
use super::seq;
use super::tcb::{Env, Tcb};
use super::TcpState;
use crate::stack::SockError;
use crate::trace::{CaState, EventKind, TcpEventKind, TimerKind};

impl Tcb {
    /// Run the handler of `kind`, which has just fired.
    pub fn on_timer(&mut self, env: &mut Env, kind: TimerKind) {
        match kind {
            TimerKind::Retransmit => self.on_rto(env),
            TimerKind::SynAck => self.on_synack_timer(env),
            TimerKind::DelayedAck => self.on_delack_timer(env),
            TimerKind::Persist => self.on_persist(env),
            TimerKind::TimeWait | TimerKind::FinWait2 => self.set_state(env, TcpState::Closed),
            TimerKind::Cork => self.push(env, true),
            TimerKind::Keepalive => {}
            TimerKind::LossProbe => self.on_loss_probe(env),
            TimerKind::ReorderTimeout => self.on_reorder_timeout(env),
            TimerKind::Pacing => self.push(env, false),
        }
    }

    /// `tcp_retransmit_timer`. In SYN-SENT (and an active SYN-RECEIVED) it resends the SYN:
    /// give up after `tcp_syn_retries + tcp_syn_linear_timeouts` retransmissions
    /// (`tcp_write_timeout`); the RTO stays 1 s for the first `tcp_syn_linear_timeouts`
    /// backoffs (Linux 6.5+), then doubles: SYNs at 0,1,2,3,4,5,7,11,19,35,67 s, ETIMEDOUT at
    /// 131 s (pre-6.5: 0,1,3,7,15,31,63 s, 127 s). With data outstanding it gives up after
    /// the time `tcp_retries2` models (924.6 s), else enters loss (`tcp_enter_loss`: cwnd 1,
    /// ssthresh from the algorithm), goes back to SND.UNA and doubles the RTO (RFC 6298 §5.5,
    /// capped at `TCP_RTO_MAX`).
    fn on_rto(&mut self, env: &mut Env) {
        let cfg = env.cfg;
        if matches!(self.state, TcpState::SynSent | TcpState::SynReceived) {
            let max = cfg.syn_retries + cfg.syn_linear_timeouts;
            if self.retransmits >= max {
                env.count(counters::ABORT_ON_TIMEOUT);
                self.abort(env, SockError::TimedOut);
                return;
            }
            self.retransmits += 1;
            self.backoff += 1;
            self.handshake_retrans = true;
            if !(self.state == TcpState::SynSent && self.backoff <= cfg.syn_linear_timeouts) {
                self.rto = self.rto.mul(2).min(cfg.rto_max);
            }
            env.count(counters::TIMEOUTS);
            env.count(counters::RETRANS_SEGS);
            self.total_retrans += 1;
            let synack = self.state == TcpState::SynReceived;
            self.send_syn(env, synack);
            self.arm_rto(env);
            return;
        }
        if self.snd_una == self.snd_max {
            return;
        }
        let start = self.retrans_start.unwrap_or_else(|| self.rtx.front().map_or(env.now(), |s| s.sent_at));
        let limit = model_timeout(cfg.retries2, cfg.rto_min, cfg.rto_max);
        if self.retransmits > 0 && env.now().saturating_since(start) >= limit {
            env.count(counters::ABORT_ON_TIMEOUT);
            self.abort(env, SockError::TimedOut);
            return;
        }
        env.count(counters::TIMEOUTS);
        let now = env.now();
        if self.mode == RecoveryMode::Linux {
            self.enter_loss_linux(env);
        } else {
            if self.backoff == 0 {
                self.cc.on_rto(now);
            } else {
                self.cc.set_cwnd(1);
            }
            self.cc.set_ca_state(CaState::Loss, now);
            self.ca_state = CaState::Loss;
            // Recovery ends; the go-back-N retransmissions are driven by ACKs.
            self.recovery = None;
            self.dupacks = 0;
            for s in self.rtx.iter_mut() {
                s.retrans = true;
            }
            // Go back to SND.UNA: everything outstanding is presumed lost.
            self.high_seq = self.snd_max;
            self.snd_nxt = self.snd_una;
        }
        self.retransmits += 1;
        self.backoff += 1;
        self.rto = self.rto.mul(2).min(cfg.rto_max);
        let ss = self.cc.ssthresh();
        let what = TcpEventKind::Rto {
            backoff: self.backoff,
            ssthresh: if ss >= INFINITE_SSTHRESH { u32::MAX } else { ss },
            cwnd: self.cc.cwnd(),
        };
        env.ctx.event(EventKind::TcpEvent { sock: self.id, what });
        self.push(env, true);
        if seq::lt(self.snd_una, self.snd_max) {
            self.arm_rto(env);
        }
    }

    /// `reqsk_timer_handler` for a request sock: resend the SYN-ACK with timeout
    /// `TCP_TIMEOUT_INIT << num_timeout` (1, 3, 7, 15, 31 s), dropping the request after
    /// `tcp_synack_retries` (5) timeouts, ≈63 s (docs/fidelity.md §1.5 [E2]). The ISN stays;
    /// TSval moves.
    fn on_synack_timer(&mut self, env: &mut Env) {
        if self.state != TcpState::SynReceived {
            return;
        }
        if self.synack_timeouts >= self.synack_limit {
            self.drop_request(env);
            return;
        }
        self.synack_timeouts += 1;
        self.handshake_retrans = true;
        env.count(counters::RETRANS_SEGS);
        self.total_retrans += 1;
        self.send_syn(env, true);
        self.arm_synack_timer(env);
    }

    /// Arm the request sock's timer at `min(1 s << num_timeout, TCP_RTO_MAX)` (`reqsk_timeout`).
    pub fn arm_synack_timer(&mut self, env: &mut Env) {
        let d = super::rtt::backed_off(env.cfg.rto_init, self.synack_timeouts, env.cfg.rto_max);
        let at = env.now() + d;
        self.timers.set(env, self.id, TimerKind::SynAck, at);
    }

    /// A retransmitted SYN reached a request sock: resend the SYN-ACK and restart its timer
    /// (`tcp_check_req` → `inet_rtx_syn_ack`).
    pub fn synack_retransmit(&mut self, env: &mut Env) {
        env.count(counters::RETRANS_SEGS);
        self.total_retrans += 1;
        self.handshake_retrans = true;
        self.send_syn(env, true);
        self.arm_synack_timer(env);
    }

    /// The persist timer (`tcp_probe_timer` → `tcp_send_probe0`): send a probe, back off
    /// (`icsk_backoff` up to `tcp_retries2`) and re-arm at `tcp_probe0_when`. Intervals grow
    /// 1×, 2×, 4×... of max(RTO, 200 ms), capped at 120 s (docs/fidelity.md §5 [E10]).
    fn on_persist(&mut self, env: &mut Env) {
        if !matches!(self.state, TcpState::Established | TcpState::CloseWait | TcpState::FinWait1 | TcpState::LastAck) {
            return;
        }
        let waiting = seq::lt(self.snd_nxt, self.data_end()) || self.fin_seq.is_some_and(|f| seq::le(self.snd_nxt, f));
        if !waiting || self.snd_una != self.snd_nxt {
            return;
        }
        self.send_probe(env);
        if self.snd_una == self.snd_nxt {
            if self.backoff < env.cfg.retries2 {
                self.backoff += 1;
            }
            let at = env.now() + self.probe0_when(env);
            self.timers.set(env, self.id, TimerKind::Persist, at);
        }
    }

    /// The earliest pending deadline.
    pub fn poll_at(&self) -> Option<crate::time::Instant> {
        self.timers.next()
    }
}
