//! Round-trip time estimation and the retransmission timeout.
//!
//! Linux: net/ipv4/tcp_input.c `tcp_rtt_estimator` and `__tcp_set_rto` (docs/fidelity.md §3.4,
//! §1.7). SRTT is kept ×8 and the mean deviation ×4 as in the kernel, in microseconds. The
//! first sample sets `mdev = 2·m` and `rttvar = max(mdev, rto_min)` ("make sure rto = 3*rtt");
//! RTO = SRTT + rttvar, where rttvar follows the per-RTT maximum of mdev but never drops
//! below `rto_min`. RFC 6298 §2 is the alternative for the textbook profile.

use super::config::{RtoAlgorithm, TcpConfig};
use super::seq;
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// The RTT estimator state of one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RttEstimator {
    /// Smoothed RTT ×8, µs (`srtt_us`); 0 = no sample yet.
    srtt8: u64,
    /// Mean deviation ×4, µs (`mdev_us`).
    mdev4: u64,
    /// Maximal mdev over the last RTT (`mdev_max_us`).
    mdev_max: u64,
    /// `rttvar_us`.
    rttvar: u64,
    /// `rtt_seq`: end of the flight the current rttvar period covers.
    rtt_seq: u32,
    /// The RTO without backoff.
    rto: Duration,
}

impl RttEstimator {
    /// Before any sample: RTO = `TCP_TIMEOUT_INIT` (1 s, RFC 6298 §2.1).
    pub fn new(cfg: &TcpConfig) -> Self {
        RttEstimator { srtt8: 0, mdev4: 0, mdev_max: 0, rttvar: 0, rtt_seq: 0, rto: cfg.rto_init }
    }

    /// The smoothed RTT, zero before the first sample.
    pub fn srtt(&self) -> Duration {
        Duration::from_micros(self.srtt8 >> 3)
    }

    /// The RTT variation term (Linux `rttvar_us`, RFC 6298 RTTVAR).
    pub fn rttvar(&self) -> Duration {
        Duration::from_micros(self.rttvar)
    }

    /// True once a sample was taken.
    pub fn has_sample(&self) -> bool {
        self.srtt8 != 0
    }

    /// The current RTO without backoff.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// `tcp_init_metrics`: no RTT sample from the handshake (it was retransmitted) ⇒ RTO =
    /// `TCP_TIMEOUT_FALLBACK` (3 s, RFC 6298 §5.7).
    pub fn fallback(&mut self, cfg: &TcpConfig) {
        if !self.has_sample() {
            self.rttvar = cfg.rto_fallback.as_nanos() / 1000;
            self.mdev4 = self.rttvar;
            self.mdev_max = self.rttvar;
            self.rto = cfg.rto_fallback;
        }
    }

    /// Feed one RTT sample. `snd_una`/`snd_nxt` delimit the flight (Linux resets the
    /// rttvar period once per RTT, when `snd_una` passes `rtt_seq`).
    pub fn sample(&mut self, cfg: &TcpConfig, rtt: Duration, snd_una: u32, snd_nxt: u32) {
        let m = (rtt.as_nanos() / 1000).max(1);
        let rto_min = cfg.rto_min.as_nanos() / 1000;
        match cfg.rto_algorithm {
            RtoAlgorithm::Linux => self.linux_sample(m, rto_min, snd_una, snd_nxt),
            RtoAlgorithm::Rfc6298 => self.rfc_sample(m),
        }
        let rto_us = match cfg.rto_algorithm {
            // __tcp_set_rto: (srtt >> 3) + rttvar.
            RtoAlgorithm::Linux => (self.srtt8 >> 3) + self.rttvar,
            // RFC 6298 (2.3): SRTT + max(G, 4·RTTVAR), G = 1 ms clock granularity; (2.4) floor.
            RtoAlgorithm::Rfc6298 => ((self.srtt8 >> 3) + (self.rttvar * 4).max(1000)).max(rto_min),
        };
        // __tcp_set_rto returns `usecs_to_jiffies(...)`: the RTO is held in whole ticks,
        // rounded up (204 ms for a LAN at HZ=250). tcp_bound_rto / RFC 6298 (2.5): an upper
        // bound.
        let tick = crate::jiffies::Clock::new(cfg.hz, 0);
        self.rto = tick.round_up(Duration::from_micros(rto_us)).min(cfg.rto_max);
    }

    fn linux_sample(&mut self, mut m: u64, rto_min: u64, snd_una: u32, snd_nxt: u32) {
        if self.srtt8 != 0 {
            let mut srtt = self.srtt8 as i64;
            let mut err = m as i64 - (srtt >> 3);
            srtt += err;
            let mdev = self.mdev4 as i64;
            if err < 0 {
                err = -err - (mdev >> 2);
                if err > 0 {
                    // Smaller gain when the RTT falls (Eifel-like).
                    err >>= 3;
                }
            } else {
                err -= mdev >> 2;
            }
            self.mdev4 = (mdev + err).max(0) as u64;
            if self.mdev4 > self.mdev_max {
                self.mdev_max = self.mdev4;
                if self.mdev_max > self.rttvar {
                    self.rttvar = self.mdev_max;
                }
            }
            if seq::gt(snd_una, self.rtt_seq) {
                if self.mdev_max < self.rttvar {
                    self.rttvar -= (self.rttvar - self.mdev_max) >> 2;
                }
                self.rtt_seq = snd_nxt;
                self.mdev_max = rto_min;
            }
            self.srtt8 = srtt.max(1) as u64;
        } else {
            m = m.max(1);
            self.srtt8 = m << 3;
            self.mdev4 = m << 1;
            self.rttvar = self.mdev4.max(rto_min);
            self.mdev_max = self.rttvar;
            self.rtt_seq = snd_nxt;
        }
    }

    /// RFC 6298 §2.2–2.3 with α = 1/8, β = 1/4. `rttvar` holds RTTVAR itself here.
    fn rfc_sample(&mut self, m: u64) {
        if self.srtt8 == 0 {
            self.srtt8 = m << 3;
            self.rttvar = m / 2;
        } else {
            let srtt = self.srtt8 >> 3;
            let diff = srtt.abs_diff(m);
            self.rttvar = (3 * self.rttvar + diff) / 4;
            // 8·SRTT' = 8·(7/8·SRTT + 1/8·R') = 7·SRTT + R'.
            self.srtt8 = (self.srtt8 - (self.srtt8 >> 3) + m).max(1);
        }
    }
}

/// The RTO after `backoff` doublings, capped at `rto_max` (`inet_csk_rto_backoff`).
pub fn backed_off(rto: Duration, backoff: u32, max: Duration) -> Duration {
    let factor = 1u64.checked_shl(backoff.min(40)).unwrap_or(u64::MAX);
    rto.mul(factor).min(max)
}

/// Linux `tcp_model_timeout`: the time `boundary` exponential retransmissions take from an
/// RTO of `base`, with doubling capped at `rto_max`. `tcp_retries2` = 15 with a 200 ms base
/// gives 924.6 s (ip-sysctl.rst).
pub fn model_timeout(boundary: u32, base: Duration, rto_max: Duration) -> Duration {
    let base_ns = base.as_nanos().max(1);
    let ratio = rto_max.as_nanos() / base_ns;
    let thresh = if ratio == 0 { 0 } else { 63 - ratio.leading_zeros() };
    if boundary <= thresh {
        base.mul((2u64 << boundary) - 1)
    } else {
        base.mul((2u64 << thresh) - 1) + rto_max.mul(u64::from(boundary - thresh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sample_gives_three_rtt() {
        let cfg = TcpConfig::linux();
        let mut r = RttEstimator::new(&cfg);
        assert_eq!(r.rto(), Duration::from_secs(1));
        r.sample(&cfg, Duration::from_millis(316), 1, 2);
        assert_eq!(r.rto(), Duration::from_millis(948));
        assert_eq!(r.srtt(), Duration::from_millis(316));
    }

    #[test]
    fn lan_rto_is_about_200ms() {
        let cfg = TcpConfig::linux();
        let mut r = RttEstimator::new(&cfg);
        for i in 0..50u32 {
            r.sample(&cfg, Duration::from_micros(100), i * 10, i * 10 + 10);
        }
        // 200 ms + the 100 µs SRTT, rounded up to a 4 ms tick at HZ=250 (`ss -i` shows
        // rto:204 on a LAN); to a 1 ms tick at HZ=1000.
        assert_eq!(r.rto(), Duration::from_millis(204));
        let cfg = TcpConfig { hz: 1000, ..TcpConfig::linux() };
        let mut r = RttEstimator::new(&cfg);
        for i in 0..50u32 {
            r.sample(&cfg, Duration::from_micros(100), i * 10, i * 10 + 10);
        }
        assert_eq!(r.rto(), Duration::from_millis(201));
    }

    #[test]
    fn rfc_rto_has_a_one_second_floor() {
        let cfg = TcpConfig::rfc();
        let mut r = RttEstimator::new(&cfg);
        r.sample(&cfg, Duration::from_millis(10), 1, 2);
        assert_eq!(r.rto(), Duration::from_secs(1));
        r.sample(&cfg, Duration::from_millis(2000), 1, 2);
        assert!(r.rto() > Duration::from_secs(1));
    }

    #[test]
    fn retries2_model_is_924_6_s() {
        let t = model_timeout(15, Duration::from_millis(200), Duration::from_secs(120));
        assert_eq!(t, Duration::from_millis(924_600));
        let syn = model_timeout(6, Duration::from_secs(1), Duration::from_secs(120));
        assert_eq!(syn, Duration::from_secs(127));
    }
}
