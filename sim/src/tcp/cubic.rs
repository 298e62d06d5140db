//! CUBIC (RFC 9438) as Linux implements it in net/ipv4/tcp_cubic.c (v2.3), with its default
//! module parameters (docs/fidelity.md §3.5): `beta` = 717/1024 ≈ 0.7, `bic_scale` = 41 so
//! C = 41·10/1024 ≈ 0.4, `fast_convergence` = 1, `tcp_friendliness` = 1, `hystart` = 1 with
//! both detectors, `hystart_low_window` = 16, `hystart_ack_delta_us` = 2000.
//!
//! The window function is W_cubic(t) = C·(t − K)³ + W_max with K = ∛(W_max·(1 − β)/C)
//! (RFC 9438 §4.2), evaluated in Linux's fixed point: time in 1/1024 s units from the epoch
//! plus the minimum RTT (`delay_min`), `cube_factor` = 2⁴⁰/410. Each ACK moves cwnd by one
//! packet per `cnt` packets acknowledged, `cnt` = cwnd / (target − cwnd) (RFC 9438 §4.4).
//! The Reno-friendly estimate (RFC 9438 §4.3, α = 3(1 − β)/(1 + β)) grows by one packet per
//! cwnd·`beta_scale`/8 packets acknowledged (`beta_scale` = 15). Time is counted in jiffies
//! of a 1000 Hz kernel.

use super::congestion::{AckSample, CaEvent, CongestionControl, Reno, INFINITE_SSTHRESH};
use super::seq;
use crate::time::{Duration, Instant};
use crate::trace::{CaState, HystartExit, TcpEventKind};

/// `BICTCP_BETA_SCALE`.
pub const BETA_SCALE: u32 = 1024;
/// `beta` (717/1024 ≈ 0.7, RFC 9438 §4.6 β_cubic).
pub const BETA: u32 = 717;
/// `bic_scale` (41): C = 41·10/1024 ≈ 0.4 (RFC 9438 §5 C).
pub const BIC_SCALE: u32 = 41;
/// `BICTCP_HZ`: time is kept in 2^-10 s units.
pub const BICTCP_HZ: u32 = 10;
/// `HZ` of the modelled kernel (jiffies per second).
pub const HZ: u64 = 1000;
/// `hystart_low_window` (16): HyStart only runs from this cwnd up.
pub const HYSTART_LOW_WINDOW: u32 = 16;
/// `hystart_ack_delta_us` (2000): ACKs closer than this belong to one train.
pub const HYSTART_ACK_DELTA_US: u64 = 2000;
/// `HYSTART_MIN_SAMPLES` (8): RTT samples per round before the delay test.
pub const HYSTART_MIN_SAMPLES: u32 = 8;
/// `HYSTART_DELAY_MIN` (4 ms) and `HYSTART_DELAY_MAX` (16 ms): the delay threshold is
/// delay_min/8 clamped to this range.
pub const HYSTART_DELAY_MIN_US: u64 = 4000;
/// See [`HYSTART_DELAY_MIN_US`].
pub const HYSTART_DELAY_MAX_US: u64 = 16000;
/// GSO super-packet size Linux assumes in `hystart_ack_delay` (`sk_gso_max_size`, 64 KiB).
const GSO_MAX_SIZE: u64 = 65536;

/// `beta_scale` = 8·(1024 + β)/3/(1024 − β) = 15: the Reno-friendly estimate gains one packet
/// per cwnd·15/8 packets acknowledged, i.e. α = 8/15 ≈ 0.53 per RTT (RFC 9438 §4.3
/// α_cubic = 3(1 − β)/(1 + β) = 0.529).
pub const fn beta_scale() -> u32 {
    8 * (BETA_SCALE + BETA) / 3 / (BETA_SCALE - BETA)
}

/// `cube_rtt_scale` = `bic_scale`·10 = 410 (C·1024).
pub const CUBE_RTT_SCALE: u64 = (BIC_SCALE * 10) as u64;

/// `cube_factor` = 2^(10 + 3·BICTCP_HZ) / (bic_scale·10): turns a window difference into K³
/// in 2^-10 s units.
pub const fn cube_factor() -> u64 {
    (1u64 << (10 + 3 * BICTCP_HZ)) / CUBE_RTT_SCALE
}

/// The exact integer cube root ⌊∛a⌋ (Linux's `cubic_root` approximates it with a table and
/// one Newton step, within 0.2%).
pub fn cubic_root(a: u64) -> u64 {
    if a == 0 {
        return 0;
    }
    let mut x = (a as f64).cbrt() as u64;
    while x > 0 && x.checked_pow(3).is_none_or(|c| c > a) {
        x -= 1;
    }
    while (x + 1).checked_pow(3).is_some_and(|c| c <= a) {
        x += 1;
    }
    x
}

/// K in seconds for a reduction from `w_max` to `cwnd` packets, as Linux computes it
/// (`bic_K = cubic_root(cube_factor · (W_max − cwnd))`, in 2^-10 s).
pub fn k_seconds(w_max: u32, cwnd: u32) -> f64 {
    let k = cubic_root(cube_factor() * u64::from(w_max.saturating_sub(cwnd)));
    k as f64 / f64::from(1u32 << BICTCP_HZ)
}

/// W_cubic(t) in packets, Linux's fixed point (`bic_target`): `t` seconds since the epoch
/// (Linux adds the minimum RTT before calling this), `k` and `origin` from the epoch start.
pub fn w_cubic(t_secs: f64, k_units: u64, origin: u32) -> u32 {
    let t = (t_secs * f64::from(1u32 << BICTCP_HZ)) as u64;
    let offs = t.abs_diff(k_units);
    let delta = (CUBE_RTT_SCALE as u128 * u128::from(offs).pow(3)) >> (10 + 3 * BICTCP_HZ);
    let delta = delta.min(u128::from(u32::MAX)) as u32;
    if t < k_units {
        origin.saturating_sub(delta)
    } else {
        origin.saturating_add(delta)
    }
}

/// CUBIC's per-connection state (`struct bictcp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cubic {
    base: Reno,
    /// Increase cwnd by one packet per `cnt` packets acknowledged.
    pub cnt: u32,
    /// W_max, packets (`last_max_cwnd`); 0 before the first loss.
    pub last_max_cwnd: u32,
    last_cwnd: u32,
    last_time: u64,
    /// The window at the origin of the cubic curve (W_max at the epoch start).
    pub origin_point: u32,
    /// K, in 2^-10 s (`bic_K`).
    pub k: u64,
    /// Minimum RTT in µs (`delay_min`); 0 before a sample.
    pub delay_min_us: u64,
    /// Jiffies at the start of the current epoch, 0 = none (`epoch_start`).
    pub epoch_start: u64,
    ack_cnt: u32,
    /// The Reno-friendly window estimate W_est (`tcp_cwnd`).
    pub tcp_cwnd: u32,
    found: bool,
    round_start_us: u64,
    /// SND.NXT when the HyStart round began; none until the first ACK starts one.
    end_seq: Option<u32>,
    last_ack_us: u64,
    curr_rtt_us: u64,
    sample_cnt: u32,
    event: Option<TcpEventKind>,
}

fn jiffies(now: Instant) -> u64 {
    now.as_nanos() / (1_000_000_000 / HZ)
}

fn micros(now: Instant) -> u64 {
    now.as_nanos() / 1000
}

impl Cubic {
    /// `cubictcp_init`: IW packets, infinite ssthresh (`initial_ssthresh` = 0), HyStart reset.
    pub fn new(initial_cwnd: u32) -> Self {
        Cubic {
            base: Reno::new(initial_cwnd),
            cnt: 0,
            last_max_cwnd: 0,
            last_cwnd: 0,
            last_time: 0,
            origin_point: 0,
            k: 0,
            delay_min_us: 0,
            epoch_start: 0,
            ack_cnt: 0,
            tcp_cwnd: 0,
            found: false,
            round_start_us: 0,
            end_seq: None,
            last_ack_us: 0,
            curr_rtt_us: u64::MAX,
            sample_cnt: 0,
            event: None,
        }
    }

    /// `bictcp_reset`: forget the curve (after an RTO).
    fn reset(&mut self) {
        self.cnt = 0;
        self.last_max_cwnd = 0;
        self.last_cwnd = 0;
        self.last_time = 0;
        self.origin_point = 0;
        self.k = 0;
        self.delay_min_us = 0;
        self.epoch_start = 0;
        self.ack_cnt = 0;
        self.tcp_cwnd = 0;
        self.found = false;
    }

    /// `bictcp_hystart_reset`: a new HyStart round starts now and ends when `snd_nxt` is
    /// acknowledged.
    fn hystart_reset(&mut self, now: Instant, snd_nxt: u32) {
        self.round_start_us = micros(now);
        self.last_ack_us = self.round_start_us;
        self.end_seq = Some(snd_nxt);
        self.curr_rtt_us = u64::MAX;
        self.sample_cnt = 0;
    }

    /// `bictcp_update`: recompute `cnt` from the cubic curve and the Reno-friendly estimate.
    fn update(&mut self, cwnd: u32, acked: u32, now: Instant) {
        let j = jiffies(now).max(1);
        self.ack_cnt = self.ack_cnt.saturating_add(acked);
        if self.last_cwnd == cwnd && j.saturating_sub(self.last_time) <= HZ / 32 {
            return;
        }
        // cnt is recomputed at most once per jiffy; an epoch reset forces it.
        if !(self.epoch_start != 0 && j == self.last_time) {
            self.last_cwnd = cwnd;
            self.last_time = j;
            if self.epoch_start == 0 {
                self.epoch_start = j;
                self.ack_cnt = acked;
                self.tcp_cwnd = cwnd;
                if self.last_max_cwnd <= cwnd {
                    self.k = 0;
                    self.origin_point = cwnd;
                } else {
                    self.k = cubic_root(cube_factor() * u64::from(self.last_max_cwnd - cwnd));
                    self.origin_point = self.last_max_cwnd;
                }
            }
            // t = jiffies since the epoch + delay_min, in 2^-10 s.
            let t_j = j - self.epoch_start + self.delay_min_us * HZ / 1_000_000;
            let t = (t_j << BICTCP_HZ) / HZ;
            let offs = t.abs_diff(self.k);
            let delta = ((CUBE_RTT_SCALE as u128 * u128::from(offs).pow(3)) >> (10 + 3 * BICTCP_HZ))
                .min(u128::from(u32::MAX)) as u32;
            let target = if t < self.k {
                self.origin_point.saturating_sub(delta)
            } else {
                self.origin_point.saturating_add(delta)
            };
            self.cnt = if target > cwnd { cwnd / (target - cwnd) } else { 100u32.saturating_mul(cwnd) };
            // Linux only: no loss yet ⇒ grow at least 5% per RTT.
            if self.last_max_cwnd == 0 && self.cnt > 20 {
                self.cnt = 20;
            }
        }
        // Reno-friendly region (tcp_friendliness).
        let delta = (cwnd.saturating_mul(beta_scale()) >> 3).max(1);
        while self.ack_cnt > delta {
            self.ack_cnt -= delta;
            self.tcp_cwnd += 1;
        }
        if self.tcp_cwnd > cwnd {
            let max_cnt = cwnd / (self.tcp_cwnd - cwnd);
            self.cnt = self.cnt.min(max_cnt);
        }
        // At most one packet per two acknowledged: ×1.5 per RTT.
        self.cnt = self.cnt.max(2);
    }

    /// `hystart_ack_delay`: extra slack for TSO/GRO, min(1 ms, 4·GSO size / pacing rate).
    fn hystart_ack_delay(rate: u64) -> u64 {
        if rate == 0 {
            return 0;
        }
        (GSO_MAX_SIZE * 4 * 1_000_000 / rate).min(1000)
    }

    /// `hystart_update`: leave slow start when a round's ACK train lasts longer than half
    /// the minimum RTT, or its RTT grew by max(4 ms, delay_min/8) (at most 16 ms).
    fn hystart_update(&mut self, s: &AckSample, delay: u64) {
        if self.end_seq.is_none_or(|e| seq::gt(s.snd_una, e)) {
            self.hystart_reset(s.now, s.snd_nxt);
        }
        let cwnd = self.base.cwnd();
        if cwnd < HYSTART_LOW_WINDOW {
            return;
        }
        let now = micros(s.now);
        if now.saturating_sub(self.last_ack_us) <= HYSTART_ACK_DELTA_US {
            self.last_ack_us = now;
            // Without pacing the train may be half as long (SK_PACING_NONE).
            let mut threshold = self.delay_min_us + Self::hystart_ack_delay(s.pacing_rate);
            if s.pacing_rate == 0 {
                threshold >>= 1;
            }
            if now.saturating_sub(self.round_start_us) > threshold {
                self.found = true;
                self.base.set_ssthresh(cwnd);
                self.event = Some(TcpEventKind::HystartExit { cwnd, by: HystartExit::AckTrain });
                return;
            }
        }
        self.curr_rtt_us = self.curr_rtt_us.min(delay);
        if self.sample_cnt < HYSTART_MIN_SAMPLES {
            self.sample_cnt += 1;
        } else {
            let thresh = (self.delay_min_us >> 3).clamp(HYSTART_DELAY_MIN_US, HYSTART_DELAY_MAX_US);
            if self.curr_rtt_us > self.delay_min_us + thresh {
                self.found = true;
                self.base.set_ssthresh(cwnd);
                self.event = Some(TcpEventKind::HystartExit { cwnd, by: HystartExit::Delay });
            }
        }
    }
}

impl CongestionControl for Cubic {
    fn name(&self) -> &'static str {
        "cubic"
    }
    fn cwnd(&self) -> u32 {
        self.base.cwnd()
    }
    fn ssthresh(&self) -> u32 {
        self.base.ssthresh()
    }
    fn set_cwnd(&mut self, cwnd: u32) {
        self.base.set_cwnd(cwnd);
    }
    fn set_ssthresh(&mut self, ssthresh: u32) {
        self.base.set_ssthresh(ssthresh);
    }

    /// `cubictcp_cong_avoid`: nothing unless cwnd-limited; slow start below ssthresh
    /// (`tcp_slow_start`, leftover handed on); then `bictcp_update` and
    /// `tcp_cong_avoid_ai(cnt)`.
    fn on_ack(&mut self, acked: u32, _rtt: Option<Duration>, now: Instant, cwnd_limited: bool) {
        if !cwnd_limited || acked == 0 {
            return;
        }
        let mut acked = acked;
        if self.base.cwnd() < self.base.ssthresh() {
            acked = self.base.slow_start(acked);
            if acked == 0 {
                return;
            }
        }
        let cwnd = self.base.cwnd();
        self.update(cwnd, acked, now);
        let cnt = self.cnt;
        self.base.cong_avoid_ai(cnt, acked);
    }

    /// max(cwnd·717/1024, 2) (`cubictcp_recalc_ssthresh` without its side effects).
    fn loss_ssthresh(&self) -> u32 {
        ((u64::from(self.base.cwnd()) * u64::from(BETA) / u64::from(BETA_SCALE)) as u32).max(2)
    }

    /// `cubictcp_recalc_ssthresh`: end the epoch; W_max = cwnd, or with fast convergence
    /// (RFC 9438 §4.7) cwnd·(1 + β)/2 when cwnd is below the previous W_max.
    fn recalc_ssthresh(&mut self) -> u32 {
        let cwnd = self.base.cwnd();
        self.epoch_start = 0;
        self.last_max_cwnd = if cwnd < self.last_max_cwnd {
            ((u64::from(cwnd) * u64::from(BETA_SCALE + BETA)) / u64::from(2 * BETA_SCALE)) as u32
        } else {
            cwnd
        };
        self.loss_ssthresh()
    }

    /// `cubictcp_acked`: track the minimum delay (ignoring the first second of an epoch after
    /// a reduction) and run HyStart in slow start.
    fn pkts_acked(&mut self, s: &AckSample) {
        let Some(rtt) = s.rtt else { return };
        if self.epoch_start != 0 && jiffies(s.now).saturating_sub(self.epoch_start) < HZ {
            return;
        }
        let delay = (rtt.as_nanos() / 1000).max(1);
        if self.delay_min_us == 0 || self.delay_min_us > delay {
            self.delay_min_us = delay;
        }
        if !self.found && self.base.cwnd() < self.base.ssthresh() {
            self.hystart_update(s, delay);
        }
    }

    /// `cubictcp_state`: an RTO forgets the curve and restarts HyStart.
    fn set_ca_state(&mut self, state: CaState, now: Instant) {
        if state == CaState::Loss {
            self.reset();
            // bictcp_hystart_reset: the next ACK starts a new round from SND.NXT.
            self.round_start_us = micros(now);
            self.last_ack_us = self.round_start_us;
            self.end_seq = None;
            self.curr_rtt_us = u64::MAX;
            self.sample_cnt = 0;
        }
    }

    /// `cubictcp_cwnd_event(CA_EVENT_TX_START)`: after an application-limited idle period,
    /// shift the epoch so the curve continues where it was.
    fn cwnd_event(&mut self, event: CaEvent, now: Instant) {
        if let CaEvent::TxStart { idle } = event {
            let delta = idle.as_nanos() / (1_000_000_000 / HZ);
            if self.epoch_start != 0 && delta > 0 {
                self.epoch_start = (self.epoch_start + delta).min(jiffies(now));
            }
        }
    }

    fn take_event(&mut self) -> Option<TcpEventKind> {
        self.event.take()
    }
}

impl Cubic {
    /// True until the first loss or HyStart exit set a finite ssthresh.
    pub fn ssthresh_infinite(&self) -> bool {
        self.base.ssthresh() >= INFINITE_SSTHRESH
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_linux() {
        assert_eq!(beta_scale(), 15);
        assert_eq!(cube_factor(), (1u64 << 40) / 410);
        assert_eq!(cubic_root(27), 3);
        assert_eq!(cubic_root(26), 2);
        assert_eq!(cubic_root(u64::MAX), 2_642_245);
    }

    #[test]
    fn loss_sets_wmax_and_ssthresh() {
        let mut c = Cubic::new(10);
        c.set_cwnd(100);
        assert_eq!(c.recalc_ssthresh(), 70);
        assert_eq!(c.last_max_cwnd, 100);
        // Fast convergence: a loss below the previous W_max remembers less.
        c.set_cwnd(80);
        c.recalc_ssthresh();
        assert_eq!(c.last_max_cwnd, 80 * 1741 / 2048);
    }
}
