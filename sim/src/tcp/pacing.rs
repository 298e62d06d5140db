//! Sender pacing: segments leave no closer together than their length at the pacing rate, as
//! Linux's internal pacing (`tcp_pacing_check`, `tcp_update_skb_after_send`) or the `fq`
//! qdisc enforce it. BBR always paces at its own rate (`SK_PACING_NEEDED`); other algorithms
//! pace only when [`super::TcpConfig::pacing`] is on, at `tcp_update_pacing_rate`'s rate:
//! 200% of cwnd·MSS/SRTT while cwnd < ssthresh/2, 120% after (`tcp_pacing_ss_ratio`,
//! `tcp_pacing_ca_ratio`). The first 10 data segments are not paced (`data_segs_out >= 10`).
//!
//! Simplified: one segment per pacing slot (Linux paces TSO bursts of about 1 ms).

use super::tcb::{Env, Tcb};
use crate::time::{Duration, Instant};
use crate::trace::TimerKind;

/// `tcp_pacing_ss_ratio` (200%).
pub const PACING_SS_RATIO: u64 = 200;
/// `tcp_pacing_ca_ratio` (120%).
pub const PACING_CA_RATIO: u64 = 120;
/// Data segments sent before pacing applies.
pub const UNPACED_SEGMENTS: u64 = 10;

/// Pacing state (`sk_pacing_rate`, `tcp_wstamp_ns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pacer {
    /// The connection paces.
    pub enabled: bool,
    /// Pacing rate, payload bytes per second.
    pub rate: u64,
    /// Earliest departure of the next segment.
    pub next: Instant,
    /// Data segments sent (`data_segs_out`).
    pub data_segs_out: u64,
}

impl Tcb {
    /// Does this connection pace?
    pub fn pacing_enabled(&self) -> bool {
        self.pacer.enabled || self.cc.pacing_rate().is_some()
    }

    /// `tcp_update_pacing_rate` (or the algorithm's own rate).
    pub fn update_pacing_rate(&mut self) {
        if let Some(r) = self.cc.pacing_rate() {
            self.pacer.rate = r;
            return;
        }
        if !self.pacer.enabled {
            return;
        }
        self.pacer.rate = self.linux_pacing_rate().unwrap_or(0);
    }

    /// The rate `tcp_update_pacing_rate` computes, bytes per second: 200% of cwnd/SRTT in
    /// slow start, 120% after. Linux keeps it whether or not anything paces (TSO autosizing
    /// reads it); `None` before the first RTT sample.
    pub fn linux_pacing_rate(&self) -> Option<u64> {
        let srtt_us = self.rtt.srtt().as_nanos() / 1000;
        if srtt_us == 0 {
            return None;
        }
        let cwnd = u64::from(self.cc.cwnd().max(self.rtx.len() as u32));
        let ratio = if self.cc.cwnd() < self.cc.ssthresh() / 2 { PACING_SS_RATIO } else { PACING_CA_RATIO };
        let rate = u128::from(self.mss) * u128::from(cwnd) * u128::from(ratio) * 10_000 / u128::from(srtt_us);
        Some(rate.min(u128::from(u64::MAX)) as u64)
    }

    /// `tcp_pacing_check`: true (and the pacing timer armed) when the next segment must wait.
    pub fn pacing_blocks(&mut self, env: &mut Env) -> bool {
        if !self.pacing_enabled() || self.pacer.rate == 0 || self.pacer.data_segs_out < UNPACED_SEGMENTS {
            return false;
        }
        if env.now() >= self.pacer.next {
            return false;
        }
        let at = self.pacer.next;
        self.timers.set(env, self.id, TimerKind::Pacing, at);
        true
    }

    /// `tcp_update_skb_after_send`: push the next departure back by `len` at the rate.
    pub fn paced_sent(&mut self, now: Instant, len: u32) {
        if !self.pacing_enabled() || len == 0 {
            return;
        }
        self.pacer.data_segs_out += 1;
        if self.pacer.rate == 0 || self.pacer.data_segs_out <= UNPACED_SEGMENTS {
            return;
        }
        let ns = u64::from(len) * 1_000_000_000 / self.pacer.rate.max(1);
        self.pacer.next = self.pacer.next.max(now) + Duration(ns);
    }
}
