//! Explicit Congestion Notification for TCP (RFC 3168 §6.1; Linux tcp_input.c `tcp_ecn_*`,
//! tcp_output.c `tcp_ecn_send`). Negotiated in the handshake: with `tcp_ecn=1` the SYN carries
//! ECE and CWR, and a peer with `tcp_ecn` ≥ 1 (Linux's default 2 accepts) answers with ECE.
//! New data then leaves as ECT(0); a queue that marks CE instead of dropping makes the
//! receiver echo ECE on every ACK until the sender's CWR arrives, and the sender reduces cwnd
//! once per window as for a loss but without retransmitting (Linux: the CWR state with PRR,
//! `tcp_enter_cwr`; textbook: ssthresh and cwnd halved at once, RFC 3168 §6.1.2).

use super::config::RecoveryMode;
use super::counters;
use super::seq;
use super::tcb::{Env, Tcb};
use crate::trace::{CaState, EventKind, TcpEventKind};
use crate::wire::ipv4::ECN_ECT0;
use crate::wire::{TcpFlags, TcpRepr};

impl Tcb {
    /// Flags our SYN or SYN-ACK adds for ECN (RFC 3168 §6.1.1): ECE+CWR in a SYN when
    /// `tcp_ecn` = 1, ECE in a SYN-ACK when the SYN asked and we accept.
    pub fn ecn_syn_flags(&self, env: &Env, synack: bool) -> TcpFlags {
        if synack {
            if self.ecn_ok {
                return TcpFlags::ECE;
            }
        } else if env.cfg.ecn == 1 {
            return TcpFlags(TcpFlags::ECE.0 | TcpFlags::CWR.0);
        }
        TcpFlags(0)
    }

    /// Decide ECN from the peer's SYN (passive side) or SYN-ACK (active side).
    pub fn ecn_negotiate(&mut self, env: &Env, seg: &TcpRepr, we_sent_syn: bool) {
        let f = seg.flags;
        self.ecn_ok = if we_sent_syn {
            env.cfg.ecn == 1 && f.0 & TcpFlags::ECE.0 != 0 && f.0 & TcpFlags::CWR.0 == 0
        } else {
            env.cfg.ecn >= 1 && f.0 & TcpFlags::ECE.0 != 0 && f.0 & TcpFlags::CWR.0 != 0
        };
    }

    /// `tcp_ecn_send`: an outgoing segment's flags and IP ECN field. New data is ECT(0) and
    /// carries a queued CWR; every segment carries ECE while the receiver owes the echo.
    pub fn ecn_out(&mut self, flags: TcpFlags, payload_len: usize) -> (TcpFlags, u8) {
        let new_data = std::mem::take(&mut self.tx_new_data);
        if !self.ecn_ok || flags.syn() {
            return (flags, 0);
        }
        let mut flags = flags;
        let mut ecn = 0;
        if payload_len > 0 && new_data {
            ecn = ECN_ECT0;
            if self.ecn_queue_cwr {
                self.ecn_queue_cwr = false;
                flags = TcpFlags(flags.0 | TcpFlags::CWR.0);
            }
        }
        if self.ecn_demand_cwr && flags.ack() {
            flags = TcpFlags(flags.0 | TcpFlags::ECE.0);
        }
        (flags, ecn)
    }

    /// Receiver side (`tcp_ecn_accept_cwr`, `tcp_ecn_check_ce`): CWR ends the echo; a CE
    /// mark on data starts it and asks for quick ACKs.
    pub fn ecn_on_data(&mut self, env: &mut Env, seg: &TcpRepr, ce: bool) {
        if !self.ecn_ok {
            return;
        }
        if seg.flags.0 & TcpFlags::CWR.0 != 0 && !seg.payload.is_empty() {
            self.ecn_demand_cwr = false;
        }
        if ce && !self.ecn_demand_cwr {
            self.ecn_demand_cwr = true;
            self.enter_quickack_mode(env);
            env.ctx.event(EventKind::TcpEvent {
                sock: self.id,
                what: TcpEventKind::CongestionExperienced { seq: seg.seq },
            });
        }
    }

    /// Sender side: an ACK with ECE reduces cwnd once per window (`tcp_enter_cwr`,
    /// RFC 3168 §6.1.2).
    pub fn ecn_on_ack(&mut self, env: &mut Env, seg: &TcpRepr) {
        if !self.ecn_ok || seg.flags.0 & TcpFlags::ECE.0 == 0 || seg.flags.syn() {
            return;
        }
        match self.mode {
            RecoveryMode::Linux => {
                if self.ca_state >= CaState::Cwr {
                    return;
                }
                self.init_cwnd_reduction(env);
                self.set_ca(env, CaState::Cwr);
            }
            RecoveryMode::Textbook => {
                if self.recovery.is_some() || (self.ca_state == CaState::Cwr && seq::lt(self.snd_una, self.high_seq)) {
                    return;
                }
                self.high_seq = self.snd_nxt;
                let ss = self.cc.recalc_ssthresh();
                self.cc.set_ssthresh(ss);
                self.cc.set_cwnd(ss);
                self.ca_state = CaState::Cwr;
                self.ecn_queue_cwr = true;
            }
        }
        env.count(counters::ECN_ECHOES);
        let ss = self.cc.ssthresh();
        env.ctx.event(EventKind::TcpEvent { sock: self.id, what: TcpEventKind::EcnEcho { ssthresh: ss } });
    }
}
