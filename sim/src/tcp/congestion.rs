//! Pluggable congestion control, counted in packets as Linux does (`snd_cwnd` is in
//! segments, docs/fidelity.md §3).
//!
//! The connection owns loss detection and recovery ([`super::config::RecoveryMode`]: Linux's
//! RACK-TLP and PRR, or the RFC 5681/6582 textbook). An algorithm says how cwnd grows on ACKs
//! and what ssthresh becomes on loss, like Linux's `struct tcp_congestion_ops`: `cong_avoid`
//! is [`CongestionControl::on_ack`], `ssthresh` is [`CongestionControl::recalc_ssthresh`],
//! `pkts_acked`, `set_state`, `cwnd_event` and `cong_control` (which BBR uses to take over
//! cwnd entirely) have methods of the same names. [`super::cubic`] and [`super::bbr`] hold the
//! other two algorithms.

use super::config::CcAlgorithm;
use crate::time::{Duration, Instant};
use crate::trace::{CaState, CcPhase, TcpEventKind};
use std::fmt::Debug;

/// A delivery-rate sample (Linux `struct rate_sample`, tcp_rate.c; draft-cheng-iccrg-delivery-
/// rate-estimation): packets delivered over an interval, for BBR's bandwidth filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateSample {
    /// Packets delivered in the interval (`rs->delivered`).
    pub delivered: u64,
    /// The interval: the longer of the send and ACK phases (`rs->interval_us`).
    pub interval: Duration,
    /// `tp->delivered` when the newest acknowledged packet was sent (`rs->prior_delivered`).
    pub prior_delivered: u64,
    /// The sender was application-limited when that packet was sent.
    pub is_app_limited: bool,
}

/// What one ACK told the sender (Linux `struct ack_sample` plus the `rate_sample` and socket
/// fields the algorithms read). Counts are in packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AckSample {
    /// Now.
    pub now: Instant,
    /// Packets newly acknowledged or SACKed (`acked_sacked`).
    pub acked: u32,
    /// Packets newly marked lost by this ACK (`rs->losses`).
    pub losses: u32,
    /// RTT of the newest segment this ACK covers (`ca_rtt_us`), none for retransmissions
    /// (Karn).
    pub rtt: Option<Duration>,
    /// Packets in flight before the ACK.
    pub prior_in_flight: u32,
    /// Packets in flight after it (`tcp_packets_in_flight`).
    pub in_flight: u32,
    /// `tcp_is_cwnd_limited`.
    pub cwnd_limited: bool,
    /// SND.UNA after the ACK.
    pub snd_una: u32,
    /// SND.NXT.
    pub snd_nxt: u32,
    /// Sender MSS (payload bytes).
    pub mss: u32,
    /// Smoothed RTT (zero before a sample).
    pub srtt: Duration,
    /// Minimum RTT seen (zero before a sample).
    pub min_rtt: Duration,
    /// The connection's congestion state after the ACK.
    pub ca_state: CaState,
    /// Packets delivered so far (`tp->delivered`).
    pub delivered: u64,
    /// Delivery-rate sample, if this ACK gave a valid one.
    pub rate: Option<RateSample>,
    /// Pacing rate in force, bytes per second (0 if none).
    pub pacing_rate: u64,
}

/// Congestion-control events (`enum tcp_ca_event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaEvent {
    /// Transmission starts with nothing in flight (`CA_EVENT_TX_START`), after `idle`.
    TxStart {
        /// Time since the last data was sent (`now - lsndtime`).
        idle: Duration,
    },
    /// cwnd restarted after idle (`CA_EVENT_CWND_RESTART`).
    CwndRestart,
}

/// `TCP_INFINITE_SSTHRESH` (0x7fffffff, include/net/tcp.h): the initial ssthresh.
pub const INFINITE_SSTHRESH: u32 = 0x7fff_ffff;

/// A congestion-control algorithm (Linux `tcp_congestion_ops`).
pub trait CongestionControl: Debug {
    /// The algorithm's name (`reno`, `cubic`...).
    fn name(&self) -> &'static str;
    /// Congestion window, in segments.
    fn cwnd(&self) -> u32;
    /// Slow-start threshold, in segments ([`INFINITE_SSTHRESH`] until the first loss).
    fn ssthresh(&self) -> u32;
    /// Overwrite cwnd (loss recovery sets it, as Linux's `tcp_snd_cwnd_set`).
    fn set_cwnd(&mut self, cwnd: u32);
    /// Overwrite ssthresh.
    fn set_ssthresh(&mut self, ssthresh: u32);
    /// `acked` segments were newly acknowledged outside recovery (`cong_avoid`).
    /// `cwnd_limited` is Linux's `tcp_is_cwnd_limited`: cwnd only grows when it was the limit.
    fn on_ack(&mut self, acked: u32, rtt: Option<Duration>, now: Instant, cwnd_limited: bool);
    /// The ssthresh to use after a loss (`ca_ops->ssthresh`), without side effects.
    fn loss_ssthresh(&self) -> u32;
    /// `ca_ops->ssthresh` as called on a loss or an ECN echo: the new ssthresh, updating the
    /// algorithm's own memory of the loss (CUBIC's W_max and epoch).
    fn recalc_ssthresh(&mut self) -> u32 {
        self.loss_ssthresh()
    }
    /// Fast retransmit: enter recovery (sets ssthresh; the caller sets cwnd).
    fn enter_recovery(&mut self, now: Instant) {
        let _ = now;
        let s = self.recalc_ssthresh();
        self.set_ssthresh(s);
    }
    /// Retransmission timeout (`tcp_enter_loss`): ssthresh from the algorithm, cwnd = 1
    /// (RFC 5681 §3.1 LW; Linux: packets in flight + 1, i.e. 1 after marking all lost).
    fn on_rto(&mut self, now: Instant) {
        let _ = now;
        let s = self.recalc_ssthresh();
        self.set_ssthresh(s);
        self.set_cwnd(1);
    }
    /// `pkts_acked`: every ACK that acknowledged or SACKed data, before cwnd is updated
    /// (CUBIC's minimum delay and HyStart).
    fn pkts_acked(&mut self, sample: &AckSample) {
        let _ = sample;
    }
    /// `cong_control`: an algorithm that sets cwnd and pacing itself on every ACK, recovery
    /// included (BBR). Returns false when the connection should run `cong_avoid`/PRR instead.
    fn cong_control(&mut self, sample: &AckSample) -> bool {
        let _ = sample;
        false
    }
    /// `set_state`: the connection's congestion state changed.
    fn set_ca_state(&mut self, state: CaState, now: Instant) {
        let _ = (state, now);
    }
    /// `cwnd_event`.
    fn cwnd_event(&mut self, event: CaEvent, now: Instant) {
        let _ = (event, now);
    }
    /// The pacing rate the algorithm sets, bytes per second (`sk_pacing_rate`), if it paces.
    fn pacing_rate(&self) -> Option<u64> {
        None
    }
    /// Where the algorithm is in its cycle.
    fn phase(&self) -> CcPhase {
        if self.cwnd() < self.ssthresh() {
            CcPhase::SlowStart
        } else {
            CcPhase::CongestionAvoidance
        }
    }
    /// The algorithm's bandwidth estimate, bytes per second (0 if it keeps none).
    fn bw_estimate(&self) -> u64 {
        0
    }
    /// Something worth marking on a chart happened inside the algorithm (HyStart's exit):
    /// taken once.
    fn take_event(&mut self) -> Option<TcpEventKind> {
        None
    }
}

/// Build the algorithm a configuration asks for. `seed` feeds BBR's random start phase of
/// the gain cycle.
pub fn new_cc(alg: CcAlgorithm, initial_cwnd: u32, seed: u32) -> Box<dyn CongestionControl> {
    match alg {
        CcAlgorithm::Reno => Box::new(Reno::new(initial_cwnd)),
        CcAlgorithm::Cubic => Box::new(super::cubic::Cubic::new(initial_cwnd)),
        CcAlgorithm::Bbr => Box::new(super::bbr::Bbr::new(initial_cwnd, seed)),
    }
}

/// Linux Reno (net/ipv4/tcp_cong.c).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reno {
    cwnd: u32,
    ssthresh: u32,
    /// `snd_cwnd_cnt`: ACKed packets counted towards the next +1 in congestion avoidance.
    cnt: u32,
}

impl Reno {
    /// Initial window `TCP_INIT_CWND` (10 packets), infinite ssthresh.
    pub fn new(initial_cwnd: u32) -> Self {
        Reno { cwnd: initial_cwnd.max(1), ssthresh: INFINITE_SSTHRESH, cnt: 0 }
    }

    /// `tcp_slow_start`: cwnd = min(cwnd + acked, ssthresh); returns the leftover for
    /// congestion avoidance. A stretch ACK of N packets counts as N (no RFC 3465 L limit).
    pub fn slow_start(&mut self, acked: u32) -> u32 {
        let cwnd = self.cwnd.saturating_add(acked).min(self.ssthresh);
        let left = acked - (cwnd - self.cwnd).min(acked);
        self.cwnd = cwnd;
        left
    }

    /// `tcp_cong_avoid_ai(w = cwnd)`: +1 packet per cwnd packets ACKed (RFC 5681 §3.1).
    pub fn cong_avoid_ai(&mut self, w: u32, acked: u32) {
        let w = w.max(1);
        if self.cnt >= w {
            self.cnt = 0;
            self.cwnd = self.cwnd.saturating_add(1);
        }
        self.cnt = self.cnt.saturating_add(acked);
        if self.cnt >= w {
            let delta = self.cnt / w;
            self.cnt -= delta * w;
            self.cwnd = self.cwnd.saturating_add(delta);
        }
    }
}

impl CongestionControl for Reno {
    fn name(&self) -> &'static str {
        "reno"
    }
    fn cwnd(&self) -> u32 {
        self.cwnd
    }
    fn ssthresh(&self) -> u32 {
        self.ssthresh
    }
    fn set_cwnd(&mut self, cwnd: u32) {
        self.cwnd = cwnd.max(1);
    }
    fn set_ssthresh(&mut self, ssthresh: u32) {
        self.ssthresh = ssthresh.max(2);
    }

    /// `tcp_reno_cong_avoid`: nothing unless cwnd-limited; slow start while cwnd < ssthresh
    /// (`tcp_in_slow_start`, strict); then additive increase.
    fn on_ack(&mut self, acked: u32, _rtt: Option<Duration>, _now: Instant, cwnd_limited: bool) {
        if !cwnd_limited || acked == 0 {
            return;
        }
        let mut acked = acked;
        if self.cwnd < self.ssthresh {
            acked = self.slow_start(acked);
            if acked == 0 {
                return;
            }
        }
        let w = self.cwnd;
        self.cong_avoid_ai(w, acked);
    }

    /// `tcp_reno_ssthresh`: max(cwnd >> 1, 2).
    fn loss_ssthresh(&self) -> u32 {
        (self.cwnd >> 1).max(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reno_grows_and_halves() {
        let mut r = Reno::new(10);
        r.on_ack(10, None, Instant::ZERO, true);
        assert_eq!(r.cwnd(), 20);
        r.on_ack(5, None, Instant::ZERO, false);
        assert_eq!(r.cwnd(), 20);
        r.enter_recovery(Instant::ZERO);
        assert_eq!(r.ssthresh(), 10);
        r.set_cwnd(10);
        // Congestion avoidance: +1 per 10 acked.
        r.on_ack(10, None, Instant::ZERO, true);
        assert_eq!(r.cwnd(), 11);
        r.on_rto(Instant::ZERO);
        assert_eq!((r.cwnd(), r.ssthresh()), (1, 5));
        // Slow start stops at ssthresh and hands over the rest.
        r.on_ack(6, None, Instant::ZERO, true);
        assert_eq!(r.cwnd(), 5);
    }
}
