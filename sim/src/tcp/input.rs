//! Segment arrival for a connection: RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4 (the other
//! states), with Linux's acceptance test (`tcp_sequence`), RFC 5961 RST/SYN handling
//! (`tcp_validate_incoming`), `tcp_ack`, `tcp_data_queue` and `tcp_fin`.

use super::counters;
use super::seq;
use super::tcb::{Env, Tcb, MIN_MSS, MSS_DEFAULT, TS_LEN};
use super::TcpState;
use crate::stack::{Notice, SockError};
use crate::time::Duration;
use crate::trace::{AppCall, DropReason, EventKind, TimerKind};
use crate::wire::{TcpFlags, TcpRepr};

/// What the stack must do after a connection handled a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (or discarded, with the reason).
    Done(Option<DropReason>),
    /// A SYN may reuse this TIME-WAIT connection's 4-tuple (`tcp_timewait_state_process`
    /// `TCP_TW_SYN`): close it and give the SYN to the listener.
    Recycle,
}

impl Tcb {
    /// Take the options of the peer's SYN or SYN-ACK (RFC 9293 §3.7.1, RFC 7323, RFC 2018).
    /// A SYN-ACK can only turn on what our SYN offered.
    pub fn negotiate(&mut self, env: &Env, seg: &TcpRepr, we_sent_syn: bool) {
        let o = &seg.options;
        let cfg = env.cfg;
        self.peer_mss = o.mss.unwrap_or(MSS_DEFAULT).max(MIN_MSS);
        self.ts_ok = cfg.timestamps && o.timestamps.is_some();
        self.sack_ok = cfg.sack && o.sack_permitted;
        self.wscale_ok = cfg.window_scaling && o.window_scale.is_some();
        if self.wscale_ok {
            // RFC 7323 §2.3: a shift above 14 is used as 14.
            self.snd_wscale = o.window_scale.unwrap_or(0).min(14);
            self.rcv_wscale = cfg.rcv_wscale();
        } else {
            self.snd_wscale = 0;
            self.rcv_wscale = 0;
        }
        if let Some((tsval, _)) = o.timestamps {
            self.ts_recent = tsval;
        }
        self.ecn_negotiate(env, seg, we_sent_syn);
        self.update_mss(self.path_mss);
    }

    /// The sending MSS: min(peer's MSS, our MTU-derived MSS), minus 12 with timestamps
    /// (`tcp_sync_mss`; docs/fidelity.md §2.3: 1460 → 1448). A TCP_MAXSEG value caps it as well:
    /// `tcp_parse_options` keeps `mss_clamp = min(peer's MSS, user_mss)` and
    /// `__tcp_mtu_to_mss` clamps to it before taking off the option bytes, so TCP_MAXSEG 536
    /// with timestamps sends 524-byte segments.
    pub fn update_mss(&mut self, path_mss: u16) {
        let base = super::tcb::mss_clamp(self.user_mss, self.peer_mss.min(path_mss));
        let ts = if self.ts_ok { TS_LEN } else { 0 };
        self.mss = base.saturating_sub(ts).max(MIN_MSS - TS_LEN);
        self.ack.rcv_mss = self.ack.rcv_mss.min(u32::from(self.adv_mss));
    }

    /// Take one RTT sample and recompute the RTO; a valid sample clears the backoff
    /// (`tcp_ack_update_rtt`: "RFC6298: only reset backoff on valid RTT measurement").
    pub fn rtt_sample(&mut self, env: &Env, rtt: Duration) {
        self.rtt.sample(env.cfg, rtt, self.snd_una, self.snd_nxt);
        self.rto = self.rtt.rto();
        self.backoff = 0;
    }

    /// An RTT from the timestamp echo (RFC 7323 §4.1), used when Karn's rule forbids the
    /// ACK-timing sample (Linux `tcp_ack_update_rtt`).
    pub fn ts_rtt(&self, env: &Env, seg: &TcpRepr) -> Option<Duration> {
        if !self.ts_ok {
            return None;
        }
        let (_, tsecr) = seg.options.timestamps?;
        if tsecr == 0 {
            return None;
        }
        let ms = self.tsval(env.now()).wrapping_sub(tsecr);
        (ms < 0x8000_0000).then(|| Duration::from_millis(u64::from(ms)))
    }

    /// RFC 9293 §3.10.7.3: a segment in SYN-SENT.
    pub fn on_syn_sent(&mut self, env: &mut Env, seg: &TcpRepr) -> Option<DropReason> {
        let f = seg.flags;
        if f.ack() && (seq::le(seg.ack, self.iss) || seq::gt(seg.ack, self.snd_max)) {
            if !f.rst() {
                // <SEQ=SEG.ACK><CTL=RST>
                let rst = super::output::reset_for(seg);
                if let Some(r) = rst {
                    env.count(counters::OUT_RSTS);
                    super::output::emit(env.ctx, self.local, self.remote, r);
                }
            }
            return Some(DropReason::Unacceptable);
        }
        if f.rst() {
            if f.ack() {
                // "If the ACK was acceptable, then signal to the user 'error: connection
                // reset', drop the segment, enter CLOSED state": ECONNREFUSED on Linux.
                self.abort(env, SockError::ConnectionRefused);
                return None;
            }
            return Some(DropReason::Unacceptable);
        }
        if !f.syn() {
            return Some(DropReason::Unacceptable);
        }
        self.irs = seg.seq;
        self.rcv_nxt = seg.seq.wrapping_add(1);
        self.rcv_wup = self.rcv_nxt;
        self.negotiate(env, seg, true);
        if f.ack() {
            self.fo_cookie_rcvd = seg.options.fast_open.clone();
            self.fastopen_synack(env, seg.ack);
            self.snd_una = seg.ack;
            self.snd_wnd = u32::from(seg.window);
            self.max_snd_wnd = self.snd_wnd;
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = seg.ack;
            self.handshake_rtt(env, seg);
            self.set_state(env, TcpState::Established);
            self.established(env);
            let sock = self.id;
            env.ctx.notify(Notice::Connected { sock });
            env.ctx.event(EventKind::App { node: env.ctx.node, call: AppCall::ConnectDone { sock, result: Ok(()) } });
            // tcp_rcv_synsent_state_process: the third ACK goes out at once.
            self.send_ack(env);
            self.push(env, false);
        } else {
            // Simultaneous open (docs/fidelity.md §6 [E16]): SYN-RECEIVED, send SYN,ACK with
            // our ISN.
            self.set_state(env, TcpState::SynReceived);
            self.send_syn(env, true);
        }
        None
    }

    /// `tcp_rcv_fastopen_synack`: a SYN-ACK acknowledging the data our SYN carried frees it
    /// (TCPFastOpenActive); one acknowledging only the SYN means the server did not take
    /// it (no Fast Open, or a stale cookie), so it is sent again as ordinary data right after
    /// the handshake (TCPFastOpenActiveFail). A retransmitted SYN never carries data.
    fn fastopen_synack(&mut self, env: &mut Env, ack: u32) {
        if self.syn_data == 0 {
            return;
        }
        let data_start = self.iss.wrapping_add(1);
        let acked = seq::dist(data_start, ack).min(self.syn_data);
        if acked > 0 {
            env.count(counters::FASTOPEN_ACTIVE);
            let n = (acked as usize).min(self.snd_buf.len());
            self.snd_buf.drain(..n);
            self.snd_buf_seq = self.snd_buf_seq.wrapping_add(n as u32);
            self.bytes_acked += n as u64;
            // A plain SYN resent after the RTO set SND.NXT back to ISS + 1, but the server
            // took the first SYN's data: `tcp_ack` cleans it from the queue, and sending goes
            // on after it.
            let acked_end = data_start.wrapping_add(acked);
            self.snd_nxt = seq::max(self.snd_nxt, acked_end);
            self.snd_max = seq::max(self.snd_max, acked_end);
        }
        if acked < self.syn_data {
            if acked == 0 {
                env.count(counters::FASTOPEN_ACTIVE_FAIL);
            }
            self.snd_nxt = ack;
            self.snd_max = ack;
        }
    }

    /// RTT sample from the handshake (`tcp_synack_rtt_meas` / SYN acked in `tcp_ack`): the
    /// SYN's send time unless it was retransmitted, else the timestamp echo.
    fn handshake_rtt(&mut self, env: &Env, seg: &TcpRepr) {
        let sample = if !self.handshake_retrans {
            Some(env.now().saturating_since(self.opened_at))
        } else {
            self.ts_rtt(env, seg)
        };
        if let Some(r) = sample {
            self.rtt_sample(env, r);
        }
    }

    /// Entering ESTABLISHED: stop the handshake timers, `tcp_init_metrics` (3 s RTO fallback
    /// without an RTT sample), size the send buffer.
    fn established(&mut self, env: &mut Env) {
        self.timers.cancel(env.ctx, self.id, TimerKind::Retransmit);
        self.timers.cancel(env.ctx, self.id, TimerKind::SynAck);
        if !self.rtt.has_sample() {
            self.rtt.fallback(env.cfg);
        }
        self.rto = self.rtt.rto();
        self.backoff = 0;
        self.retransmits = 0;
        self.retrans_start = None;
        self.update_snd_cap(env.cfg);
    }

    /// Does this ACK complete a passive handshake? (ACK number = ISS+1 and, on Linux 6.15+,
    /// TSecr within the SYN-ACKs sent.) Returns `Err(true)` for a TSecr rejection.
    pub fn handshake_ack_ok(&self, env: &Env, seg: &TcpRepr) -> Result<(), bool> {
        if !seg.flags.ack() || seg.flags.rst() || seg.flags.syn() || seg.ack != self.snd_nxt {
            return Err(false);
        }
        if env.cfg.check_synrecv_tsecr && self.ts_ok {
            if let Some((_, tsecr)) = seg.options.timestamps {
                let span = self.synack_ts_last.wrapping_sub(self.synack_ts_first);
                if tsecr.wrapping_sub(self.synack_ts_first) > span {
                    return Err(true);
                }
            }
        }
        Ok(())
    }

    /// Linux `tcp_sequence`: acceptable if it ends no earlier than the last advertised left
    /// edge and starts within the window. (RFC 9293's table is stricter; Linux processes the
    /// ACK of a segment that arrives for a zero window and drops only its data.)
    fn acceptable(&self, seg: &TcpRepr) -> bool {
        let end = seg.seq.wrapping_add(seg.seq_len());
        let right = self.rcv_nxt.wrapping_add(self.receive_window_now());
        seq::ge(end, self.rcv_wup) && seq::le(seg.seq, right)
    }

    /// RFC 9293 §3.10.7.4: a segment in SYN-RECEIVED or a synchronized state.
    pub fn on_segment(&mut self, env: &mut Env, seg: &TcpRepr) -> Outcome {
        if self.state == TcpState::SynSent {
            return Outcome::Done(self.on_syn_sent(env, seg));
        }
        if self.state == TcpState::TimeWait {
            return self.on_time_wait(env, seg);
        }
        let mut ack_now = false;
        let trimmed;
        let mut seg = seg;
        if self.state == TcpState::SynReceived && seg.flags.syn() {
            if !seg.flags.ack() && seg.seq == self.irs && self.passive {
                // tcp_check_req: a retransmitted SYN gets the SYN-ACK again.
                self.synack_retransmit(env);
                return Outcome::Done(None);
            }
            if seg.flags.ack()
                && seg.seq.wrapping_add(1) == self.rcv_nxt
                && seg.ack == self.snd_nxt
                && seg.payload.is_empty()
            {
                // Simultaneous open: the peer's SYN-ACK acknowledges our SYN (Linux
                // tcp_validate_incoming lets it pass); its SYN is old, so ACK it.
                let mut t = seg.clone();
                t.seq = self.rcv_nxt;
                t.flags = TcpFlags(t.flags.0 & !TcpFlags::SYN.0);
                trimmed = t;
                seg = &trimmed;
                ack_now = true;
            }
        }
        let f = seg.flags;
        if !self.acceptable(seg) {
            if f.rst() {
                return Outcome::Done(Some(DropReason::Unacceptable));
            }
            if f.syn() {
                self.challenge_ack(env);
            } else if seg.payload.is_empty() && !f.fin() {
                self.oow_ack(env);
            } else {
                self.enter_quickack_mode(env);
                self.send_ack(env);
            }
            return Outcome::Done(Some(DropReason::Unacceptable));
        }
        if f.rst() {
            return Outcome::Done(self.on_rst(env, seg));
        }
        if f.syn() {
            // RFC 5961 §4: a SYN in a synchronized state gets a challenge ACK.
            self.challenge_ack(env);
            return Outcome::Done(Some(DropReason::Unacceptable));
        }
        if !f.ack() {
            return Outcome::Done(Some(DropReason::Unacceptable));
        }
        if self.state == TcpState::SynReceived {
            if !(seq::lt(self.snd_una, seg.ack) && seq::le(seg.ack, self.snd_nxt)) {
                // <SEQ=SEG.ACK><CTL=RST>
                if let Some(r) = super::output::reset_for(seg) {
                    env.count(counters::OUT_RSTS);
                    super::output::emit(env.ctx, self.local, self.remote, r);
                }
                return Outcome::Done(Some(DropReason::Unacceptable));
            }
            // The third ACK acknowledges our SYN; a Fast Open child may already have sent
            // data, which the same ACK may cover too (handled as an ordinary ACK below).
            let syn_acked = self.iss.wrapping_add(1);
            self.snd_una = syn_acked;
            self.snd_wnd = u32::from(seg.window) << self.snd_wscale;
            self.max_snd_wnd = self.snd_wnd;
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = seg.ack;
            self.handshake_rtt(env, seg);
            self.set_state(env, TcpState::Established);
            self.established(env);
            if self.snd_max != syn_acked {
                if seq::gt(seg.ack, syn_acked) && !self.process_ack(env, seg) {
                    return Outcome::Done(Some(DropReason::Unacceptable));
                }
                if self.snd_una != self.snd_max {
                    self.arm_rto(env);
                }
            }
            if !self.passive {
                let sock = self.id;
                env.ctx.notify(Notice::Connected { sock });
                env.ctx
                    .event(EventKind::App { node: env.ctx.node, call: AppCall::ConnectDone { sock, result: Ok(()) } });
            }
        } else if !self.process_ack(env, seg) {
            return Outcome::Done(Some(DropReason::Unacceptable));
        }
        if self.state == TcpState::Closed {
            return Outcome::Done(None);
        }
        self.update_ts_recent(seg);
        let reason = self.process_data_and_fin(env, seg, ack_now);
        if self.state == TcpState::Closed {
            return Outcome::Done(reason);
        }
        self.push(env, false);
        let please = std::mem::take(&mut self.ack_now_flag);
        self.ack_snd_check(env, please);
        Outcome::Done(reason)
    }

    /// RFC 7323 §4.3: remember TSval of a segment that covers the last ACK sent.
    fn update_ts_recent(&mut self, seg: &TcpRepr) {
        if let (true, Some((tsval, _))) = (self.ts_ok, seg.options.timestamps) {
            if seq::le(seg.seq, self.rcv_wup) && seq::ge(tsval, self.ts_recent) {
                self.ts_recent = tsval;
            }
        }
    }

    /// RFC 5961 §3.2 (Linux `tcp_validate_incoming`): a RST resets only when its sequence
    /// number is exactly RCV.NXT; an in-window one gets a challenge ACK.
    fn on_rst(&mut self, env: &mut Env, seg: &TcpRepr) -> Option<DropReason> {
        if seg.seq != self.rcv_nxt {
            self.challenge_ack(env);
            return Some(DropReason::Unacceptable);
        }
        match self.state {
            TcpState::SynReceived if self.passive => {
                // Back to LISTEN in RFC terms: the request is dropped (tcp_check_req).
                env.count(counters::EMBRYONIC_RSTS);
                self.set_state(env, TcpState::Closed);
            }
            TcpState::SynReceived => self.abort(env, SockError::ConnectionRefused),
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2 | TcpState::CloseWait => {
                self.abort(env, SockError::ConnectionReset)
            }
            _ => self.set_state(env, TcpState::Closed),
        }
        None
    }

    /// `tcp_send_challenge_ack` (RFC 5961 §3.2, §4; `tcp_challenge_ack_limit` is INT_MAX on
    /// 6.x so no global limit applies).
    pub fn challenge_ack(&mut self, env: &mut Env) {
        env.count(counters::CHALLENGE_ACK);
        self.send_ack(env);
    }

    /// A duplicate ACK for an unacceptable pure ACK, at most one per
    /// `tcp_invalid_ratelimit` (`tcp_oow_rate_limited`).
    fn oow_ack(&mut self, env: &mut Env) {
        let now = env.now();
        if let Some(t) = self.last_oow_ack {
            if now.saturating_since(t) < env.cfg.invalid_ratelimit {
                env.count(counters::ACK_SKIPPED_SEQ);
                return;
            }
        }
        self.last_oow_ack = Some(now);
        self.send_ack(env);
    }

    /// TIME-WAIT (`tcp_timewait_state_process`, RFC 9293 §3.10.7.4): a retransmitted FIN is
    /// ACKed again and restarts the timer; a RST ends it (`tcp_rfc1337`=0); a SYN with a
    /// higher sequence number may reopen the 4-tuple; anything else gets a duplicate ACK.
    fn on_time_wait(&mut self, env: &mut Env, seg: &TcpRepr) -> Outcome {
        let f = seg.flags;
        if f.rst() {
            self.set_state(env, TcpState::Closed);
            return Outcome::Done(None);
        }
        if f.syn() && !f.ack() && seq::gt(seg.seq, self.rcv_nxt) {
            return Outcome::Recycle;
        }
        if f.fin() && seg.seq.wrapping_add(seg.seq_len()) == self.rcv_nxt {
            self.send_ack(env);
            let at = env.now() + env.cfg.time_wait;
            self.timers.set(env, self.id, TimerKind::TimeWait, at);
            return Outcome::Done(None);
        }
        if seg.seq_len() > 0 || f.syn() {
            self.send_ack(env);
        }
        Outcome::Done(Some(DropReason::Unacceptable))
    }
}
