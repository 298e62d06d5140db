//! Delivery-rate estimation (Linux net/ipv4/tcp_rate.c, draft-cheng-iccrg-delivery-rate-
//! estimation): every segment remembers how much had been delivered when it was sent; when
//! it is acknowledged or SACKed, the packets delivered since then over the elapsed time give a
//! bandwidth sample. BBR's model is built from these samples.

use super::congestion::RateSample;
use crate::time::{Duration, Instant};

/// What a segment remembers of the connection's delivery state when it was sent
/// (`tcp_skb_cb.tx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxRate {
    /// `tp->delivered` at send time.
    pub delivered: u64,
    /// `tp->delivered_mstamp` at send time.
    pub delivered_time: Instant,
    /// `tp->first_tx_mstamp` at send time: start of the send phase.
    pub first_tx_time: Instant,
    /// The sender was application-limited.
    pub app_limited: bool,
}

/// The connection's delivery counters and the sample being built from one ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateState {
    /// Packets delivered so far (`tp->delivered`).
    pub delivered: u64,
    /// When the last packet was delivered (`tp->delivered_mstamp`).
    pub delivered_time: Instant,
    /// Send time of the most recently delivered packet (`tp->first_tx_mstamp`).
    pub first_tx_time: Instant,
    /// `tp->app_limited`: nonzero while the flow is application-limited, until this many
    /// packets have been delivered.
    pub app_limited: u64,
    prior_delivered: Option<u64>,
    prior_time: Instant,
    is_app_limited: bool,
    send_interval: Duration,
    newest_xmit: Option<(Instant, u32)>,
}

impl RateState {
    /// `tcp_rate_skb_sent`: stamp a segment being sent. A send with nothing in flight starts
    /// a new send phase.
    pub fn on_send(&mut self, now: Instant, nothing_in_flight: bool) -> TxRate {
        if nothing_in_flight {
            self.first_tx_time = now;
            self.delivered_time = now;
        }
        TxRate {
            delivered: self.delivered,
            delivered_time: self.delivered_time,
            first_tx_time: self.first_tx_time,
            app_limited: self.app_limited != 0,
        }
    }

    /// Start accumulating a sample for a new ACK.
    pub fn begin_ack(&mut self) {
        self.prior_delivered = None;
        self.newest_xmit = None;
        self.send_interval = Duration::ZERO;
        self.is_app_limited = false;
    }

    /// `tcp_rate_skb_delivered`: one packet sent at `xmit` (ending at `end_seq`) was
    /// delivered; the sample follows the most recently sent one.
    pub fn skb_delivered(&mut self, tx: &TxRate, xmit: Instant, end_seq: u32) {
        self.delivered += 1;
        let newer = match self.newest_xmit {
            None => true,
            Some((t, e)) => xmit > t || (xmit == t && super::seq::gt(end_seq, e)),
        };
        if newer {
            self.prior_delivered = Some(tx.delivered);
            self.prior_time = tx.delivered_time;
            self.is_app_limited = tx.app_limited;
            self.send_interval = xmit.saturating_since(tx.first_tx_time);
            self.first_tx_time = xmit;
            self.newest_xmit = Some((xmit, end_seq));
        }
    }

    /// `tcp_rate_gen`: close the sample. Invalid (None) without a delivered packet, or when
    /// the interval is shorter than the minimum RTT (ACK compression).
    pub fn gen(&mut self, delivered_now: u32, now: Instant, min_rtt: Option<Duration>) -> Option<RateSample> {
        if self.app_limited != 0 && self.delivered > self.app_limited {
            self.app_limited = 0;
        }
        if delivered_now > 0 {
            self.delivered_time = now;
        }
        let prior = self.prior_delivered?;
        let ack_interval = now.saturating_since(self.prior_time);
        let interval = self.send_interval.max(ack_interval);
        if interval == Duration::ZERO || min_rtt.is_some_and(|m| interval < m) {
            return None;
        }
        Some(RateSample {
            delivered: self.delivered - prior,
            interval,
            prior_delivered: prior,
            is_app_limited: self.is_app_limited,
        })
    }

    /// `tcp_rate_check_app_limited`: nothing left to send, cwnd not full, no loss to repair:
    /// samples until the current flight is delivered are app-limited.
    pub fn mark_app_limited(&mut self, in_flight: u32) {
        self.app_limited = (self.delivered + u64::from(in_flight)).max(1);
    }
}
