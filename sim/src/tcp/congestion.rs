//! Pluggable congestion control, counted in packets as Linux does (`snd_cwnd` is in
//! segments, fidelity sheet §3).
//!
//! The connection owns loss detection and recovery (RFC 5681 fast retransmit and RFC 6582
//! NewReno, the textbook form; Linux itself uses RACK-TLP for detection and PRR, RFC 6937,
//! for the reduction: sheet §0 row 10). An algorithm only says how cwnd grows on ACKs and
//! what ssthresh becomes on loss, like Linux's `struct tcp_congestion_ops`.

use super::config::CcAlgorithm;
use crate::time::{Duration, Instant};
use std::fmt::Debug;

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
    /// The ssthresh to use after a loss (`ca_ops->ssthresh`).
    fn loss_ssthresh(&self) -> u32;
    /// Fast retransmit: enter recovery (sets ssthresh; the caller sets cwnd).
    fn enter_recovery(&mut self, now: Instant) {
        let _ = now;
        let s = self.loss_ssthresh();
        self.set_ssthresh(s);
    }
    /// Retransmission timeout (`tcp_enter_loss`): ssthresh from the algorithm, cwnd = 1
    /// (RFC 5681 §3.1 LW; Linux: packets in flight + 1, i.e. 1 after marking all lost).
    fn on_rto(&mut self, now: Instant) {
        let _ = now;
        let s = self.loss_ssthresh();
        self.set_ssthresh(s);
        self.set_cwnd(1);
    }
}

/// Build the algorithm a configuration asks for.
pub fn new_cc(alg: CcAlgorithm, initial_cwnd: u32) -> Box<dyn CongestionControl> {
    match alg {
        CcAlgorithm::Reno => Box::new(Reno::new(initial_cwnd)),
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
    fn slow_start(&mut self, acked: u32) -> u32 {
        let cwnd = self.cwnd.saturating_add(acked).min(self.ssthresh);
        let left = acked - (cwnd - self.cwnd).min(acked);
        self.cwnd = cwnd;
        left
    }

    /// `tcp_cong_avoid_ai(w = cwnd)`: +1 packet per cwnd packets ACKed (RFC 5681 §3.1).
    fn cong_avoid_ai(&mut self, w: u32, acked: u32) {
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
