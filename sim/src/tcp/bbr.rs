//! BBR v1 as in Linux net/ipv4/tcp_bbr.c (docs/fidelity.md §3.6): a model of the path's
//! bottleneck bandwidth (windowed max of delivery-rate samples over 10 rounds) and its
//! minimum RTT (windowed min over 10 s), a state machine STARTUP → DRAIN → PROBE_BW ⇄
//! PROBE_RTT, and pacing at gain × bandwidth. BBR sets cwnd and the pacing rate itself on
//! every ACK (`cong_control`), recovery included.
//!
//! Constants, in Linux's fixed point (`BBR_UNIT` = 256): `bbr_high_gain` = 2885/1000·256 + 1
//! (2/ln 2 ≈ 2.885) for STARTUP's pacing and cwnd gains, `bbr_drain_gain` = 1000/2885·256,
//! `bbr_cwnd_gain` = 2, the PROBE_BW pacing-gain cycle {5/4, 3/4, 1, 1, 1, 1, 1, 1} entered
//! at a random phase other than 3/4, `bbr_cwnd_min_target` = 4 packets, PROBE_RTT for
//! 200 ms once the minimum RTT is 10 s old, "full pipe" after 3 rounds of less than 25%
//! growth, pacing 1% below the estimate.
//!
//! Left out, said plainly: the long-term bandwidth sampling that detects policers
//! (`bbr_lt_bw_sampling`), the ACK-aggregation cwnd allowance (`bbr_update_ack_aggregation`),
//! and the application-limited marking during PROBE_RTT.

use super::congestion::{AckSample, CaEvent, CongestionControl, RateSample, INFINITE_SSTHRESH};
use crate::time::{Duration, Instant};
use crate::trace::{CaState, CcPhase, TcpEventKind};

/// `BBR_SCALE`: gains are in 1/256.
pub const BBR_SCALE: u32 = 8;
/// `BBR_UNIT` = 1.0.
pub const BBR_UNIT: u64 = 1 << BBR_SCALE;
/// `BW_SCALE`: bandwidth is packets per µs in 2^-24.
pub const BW_SCALE: u32 = 24;
/// `BW_UNIT`.
pub const BW_UNIT: u64 = 1 << BW_SCALE;
/// `bbr_high_gain` = 2/ln 2 ≈ 2.885: STARTUP doubles the sending rate each round.
pub const HIGH_GAIN: u64 = BBR_UNIT * 2885 / 1000 + 1;
/// `bbr_drain_gain` = 1/2.885.
pub const DRAIN_GAIN: u64 = BBR_UNIT * 1000 / 2885;
/// `bbr_cwnd_gain` = 2.
pub const CWND_GAIN: u64 = BBR_UNIT * 2;
/// `bbr_pacing_gain`: the PROBE_BW cycle.
pub const PACING_GAIN: [u64; 8] =
    [BBR_UNIT * 5 / 4, BBR_UNIT * 3 / 4, BBR_UNIT, BBR_UNIT, BBR_UNIT, BBR_UNIT, BBR_UNIT, BBR_UNIT];
/// `CYCLE_LEN`.
pub const CYCLE_LEN: u32 = 8;
/// `bbr_cycle_rand` (7).
pub const CYCLE_RAND: u32 = 7;
/// `bbr_cwnd_min_target` (4 packets): PROBE_RTT's cwnd and the floor.
pub const CWND_MIN_TARGET: u32 = 4;
/// `bbr_bw_rtts` = CYCLE_LEN + 2: the bandwidth filter's window in rounds.
pub const BW_RTTS: u32 = CYCLE_LEN + 2;
/// `bbr_min_rtt_win_sec` (10 s).
pub const MIN_RTT_WIN: Duration = Duration::from_secs(10);
/// `bbr_probe_rtt_mode_ms` (200 ms).
pub const PROBE_RTT_TIME: Duration = Duration::from_millis(200);
/// `bbr_full_bw_thresh` = 5/4 and `bbr_full_bw_cnt` = 3.
pub const FULL_BW_THRESH: u64 = BBR_UNIT * 5 / 4;
/// See [`FULL_BW_THRESH`].
pub const FULL_BW_CNT: u32 = 3;
/// `bbr_pacing_margin_percent` (1%).
pub const PACING_MARGIN_PERCENT: u64 = 1;
/// `bbr_min_tso_rate`: below 1.2 Mbit/s, one segment per TSO burst.
const MIN_TSO_RATE_BYTES: u64 = 1_200_000 / 8;
/// `TCP_INIT_CWND`.
const INIT_CWND: u32 = 10;

/// One sample of a windowed filter (`struct minmax_sample`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct MinmaxSample {
    t: u32,
    v: u64,
}

/// Kathleen Nichols' windowed max filter with three samples (lib/win_minmax.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowedMax {
    s: [MinmaxSample; 3],
}

impl WindowedMax {
    /// The current maximum.
    pub fn get(&self) -> u64 {
        self.s[0].v
    }

    fn reset(&mut self, t: u32, v: u64) -> u64 {
        let x = MinmaxSample { t, v };
        self.s = [x; 3];
        v
    }

    /// `minmax_running_max`: feed `v` measured at `t`, window `win`.
    pub fn running_max(&mut self, win: u32, t: u32, v: u64) -> u64 {
        let val = MinmaxSample { t, v };
        if v >= self.s[0].v || t.wrapping_sub(self.s[2].t) > win {
            return self.reset(t, v);
        }
        if v >= self.s[1].v {
            self.s[1] = val;
            self.s[2] = val;
        } else if v >= self.s[2].v {
            self.s[2] = val;
        }
        self.subwin_update(win, val)
    }

    fn subwin_update(&mut self, win: u32, val: MinmaxSample) -> u64 {
        let dt = val.t.wrapping_sub(self.s[0].t);
        if dt > win {
            self.s[0] = self.s[1];
            self.s[1] = self.s[2];
            self.s[2] = val;
            if val.t.wrapping_sub(self.s[0].t) > win {
                self.s[0] = self.s[1];
                self.s[1] = self.s[2];
                self.s[2] = val;
            }
        } else if self.s[1].t == self.s[0].t && dt > win / 4 {
            self.s[1] = val;
            self.s[2] = val;
        } else if self.s[2].t == self.s[1].t && dt > win / 2 {
            self.s[2] = val;
        }
        self.s[0].v
    }
}

/// BBR's modes (`enum bbr_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BbrMode {
    /// Ramp up quickly.
    Startup,
    /// Drain the queue STARTUP made.
    Drain,
    /// Cycle the pacing gain to probe for bandwidth.
    ProbeBw,
    /// Cut in-flight to 4 packets to measure the minimum RTT.
    ProbeRtt,
}

/// BBR's per-connection state (`struct bbr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bbr {
    cwnd: u32,
    ssthresh: u32,
    /// Mode.
    pub mode: BbrMode,
    /// Minimum RTT in µs (`u64::MAX` before a sample).
    pub min_rtt_us: u64,
    min_rtt_stamp: Instant,
    probe_rtt_done_stamp: Option<Instant>,
    bw: WindowedMax,
    rtt_cnt: u32,
    next_rtt_delivered: u64,
    cycle_mstamp: Instant,
    /// Index in the PROBE_BW pacing-gain cycle.
    pub cycle_idx: u32,
    prev_ca_state: CaState,
    packet_conservation: bool,
    round_start: bool,
    idle_restart: bool,
    probe_rtt_round_done: bool,
    full_bw_reached: bool,
    full_bw_cnt: u32,
    full_bw: u64,
    /// Current pacing gain, 1/256.
    pub pacing_gain: u64,
    /// Current cwnd gain, 1/256.
    pub cwnd_gain: u64,
    prior_cwnd: u32,
    has_seen_rtt: bool,
    pacing_rate: u64,
    mss: u32,
    seed: u32,
    delivered_mstamp: Instant,
    event: Option<TcpEventKind>,
}

impl Bbr {
    /// `bbr_init`: STARTUP, pacing at 2.885 × IW per 1 ms until an RTT is known.
    pub fn new(initial_cwnd: u32, seed: u32) -> Self {
        let mut b = Bbr {
            cwnd: initial_cwnd.max(1),
            ssthresh: INFINITE_SSTHRESH,
            mode: BbrMode::Startup,
            min_rtt_us: u64::MAX,
            min_rtt_stamp: Instant::ZERO,
            probe_rtt_done_stamp: None,
            bw: WindowedMax::default(),
            rtt_cnt: 0,
            next_rtt_delivered: 0,
            cycle_mstamp: Instant::ZERO,
            cycle_idx: 0,
            prev_ca_state: CaState::Open,
            packet_conservation: false,
            round_start: false,
            idle_restart: false,
            probe_rtt_round_done: false,
            full_bw_reached: false,
            full_bw_cnt: 0,
            full_bw: 0,
            pacing_gain: HIGH_GAIN,
            cwnd_gain: HIGH_GAIN,
            prior_cwnd: 0,
            has_seen_rtt: false,
            pacing_rate: 0,
            mss: 1448,
            seed,
            delivered_mstamp: Instant::ZERO,
            event: None,
        };
        b.init_pacing_rate_from_rtt(Duration::ZERO);
        b
    }

    /// `bbr_max_bw` in packets/µs << 24.
    pub fn max_bw(&self) -> u64 {
        self.bw.get()
    }

    /// `bbr_rate_bytes_per_sec`: bandwidth × MSS × gain, minus the 1% margin.
    fn rate_bytes_per_sec(&self, bw: u64, gain: u64) -> u64 {
        let mut rate = u128::from(bw) * u128::from(self.mss);
        rate = (rate * u128::from(gain)) >> BBR_SCALE;
        rate *= u128::from(1_000_000 / 100 * (100 - PACING_MARGIN_PERCENT));
        (rate >> BW_SCALE).min(u128::from(u64::MAX)) as u64
    }

    /// `bbr_init_pacing_rate_from_rtt`: high_gain × cwnd / SRTT (1 ms without a sample).
    fn init_pacing_rate_from_rtt(&mut self, srtt: Duration) {
        let rtt_us = if srtt > Duration::ZERO {
            self.has_seen_rtt = true;
            (srtt.as_nanos() / 1000).max(1)
        } else {
            1000
        };
        let bw = u64::from(self.cwnd) * BW_UNIT / rtt_us;
        self.pacing_rate = self.rate_bytes_per_sec(bw, HIGH_GAIN);
    }

    /// `bbr_set_pacing_rate`: only raised until the pipe is full.
    fn set_pacing_rate(&mut self, bw: u64, gain: u64, srtt: Duration) {
        let rate = self.rate_bytes_per_sec(bw, gain);
        if !self.has_seen_rtt && srtt > Duration::ZERO {
            self.init_pacing_rate_from_rtt(srtt);
        }
        if self.full_bw_reached || rate > self.pacing_rate {
            self.pacing_rate = rate;
        }
    }

    /// `bbr_tso_segs_goal`: about 1 ms of data per burst, at least 2 segments above
    /// 1.2 Mbit/s, at most 64 KiB.
    fn tso_segs_goal(&self) -> u32 {
        let min_segs = if self.pacing_rate < MIN_TSO_RATE_BYTES { 1 } else { 2 };
        let bytes = (self.pacing_rate >> 10).min(65536);
        ((bytes / u64::from(self.mss.max(1))) as u32).clamp(min_segs, 0x7f)
    }

    /// `bbr_bdp`: ⌈bw × min_rtt × gain⌉ packets (IW before an RTT sample).
    pub fn bdp(&self, bw: u64, gain: u64) -> u32 {
        if self.min_rtt_us == u64::MAX {
            return INIT_CWND;
        }
        let w = u128::from(bw) * u128::from(self.min_rtt_us);
        let bdp = ((w * u128::from(gain)) >> BBR_SCALE).div_ceil(u128::from(BW_UNIT));
        bdp.min(u128::from(u32::MAX)) as u32
    }

    /// `bbr_quantization_budget`: room for 3 TSO bursts, rounded up to even, +2 in the
    /// probing phase.
    fn quantization_budget(&self, cwnd: u32) -> u32 {
        let mut cwnd = cwnd.saturating_add(3 * self.tso_segs_goal());
        cwnd = (cwnd + 1) & !1;
        if self.mode == BbrMode::ProbeBw && self.cycle_idx == 0 {
            cwnd += 2;
        }
        cwnd
    }

    /// `bbr_inflight`.
    fn inflight(&self, bw: u64, gain: u64) -> u32 {
        self.quantization_budget(self.bdp(bw, gain))
    }

    fn set_mode(&mut self, mode: BbrMode) {
        if self.mode != mode {
            self.mode = mode;
            self.event = Some(TcpEventKind::Phase { phase: self.phase() });
        }
    }

    /// `bbr_reset_probe_bw_mode`: PROBE_BW at a random phase that is not the 3/4 one.
    fn reset_probe_bw_mode(&mut self, now: Instant) {
        self.set_mode(BbrMode::ProbeBw);
        self.seed = self.seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let r = (self.seed >> 16) % CYCLE_RAND;
        self.cycle_idx = CYCLE_LEN - 1 - r;
        self.advance_cycle_phase(now);
    }

    fn reset_mode(&mut self, now: Instant) {
        if self.full_bw_reached {
            self.reset_probe_bw_mode(now);
        } else {
            self.set_mode(BbrMode::Startup);
        }
    }

    fn advance_cycle_phase(&mut self, _now: Instant) {
        self.cycle_idx = (self.cycle_idx + 1) % CYCLE_LEN;
        self.cycle_mstamp = self.delivered_mstamp;
    }

    /// `bbr_is_next_cycle_phase`.
    fn is_next_cycle_phase(&self, s: &AckSample) -> bool {
        let full_length = self.delivered_mstamp.saturating_since(self.cycle_mstamp).as_nanos() / 1000 > self.min_rtt_us;
        let gain = self.pacing_gain;
        if gain == BBR_UNIT {
            return full_length;
        }
        let inflight = s.prior_in_flight;
        let bw = self.max_bw();
        if gain > BBR_UNIT {
            return full_length && (s.losses > 0 || inflight >= self.inflight(bw, gain));
        }
        full_length || inflight <= self.inflight(bw, BBR_UNIT)
    }

    /// `bbr_update_bw`: round counting and the max filter.
    fn update_bw(&mut self, s: &AckSample, rs: &RateSample) {
        self.round_start = false;
        if rs.interval == Duration::ZERO {
            return;
        }
        if rs.prior_delivered >= self.next_rtt_delivered {
            self.next_rtt_delivered = s.delivered;
            self.rtt_cnt = self.rtt_cnt.wrapping_add(1);
            self.round_start = true;
            self.packet_conservation = false;
        }
        let us = (rs.interval.as_nanos() / 1000).max(1);
        let bw = (u128::from(rs.delivered) * u128::from(BW_UNIT) / u128::from(us)).min(u128::from(u64::MAX)) as u64;
        if !rs.is_app_limited || bw >= self.max_bw() {
            self.bw.running_max(BW_RTTS, self.rtt_cnt, bw);
        }
    }

    /// `bbr_check_full_bw_reached`.
    fn check_full_bw_reached(&mut self, rs: Option<&RateSample>) {
        if self.full_bw_reached || !self.round_start || rs.is_some_and(|r| r.is_app_limited) {
            return;
        }
        let thresh = (u128::from(self.full_bw) * u128::from(FULL_BW_THRESH)) >> BBR_SCALE;
        if u128::from(self.max_bw()) >= thresh {
            self.full_bw = self.max_bw();
            self.full_bw_cnt = 0;
            return;
        }
        self.full_bw_cnt += 1;
        self.full_bw_reached = self.full_bw_cnt >= FULL_BW_CNT;
    }

    /// `bbr_check_drain`: STARTUP → DRAIN (ssthresh = BDP), DRAIN → PROBE_BW once in-flight
    /// is down to one BDP.
    fn check_drain(&mut self, s: &AckSample) {
        if self.mode == BbrMode::Startup && self.full_bw_reached {
            self.set_mode(BbrMode::Drain);
            self.ssthresh = self.inflight(self.max_bw(), BBR_UNIT);
        }
        if self.mode == BbrMode::Drain && s.in_flight <= self.inflight(self.max_bw(), BBR_UNIT) {
            self.reset_probe_bw_mode(s.now);
        }
    }

    fn save_cwnd(&mut self) {
        if self.prev_ca_state < CaState::Recovery && self.mode != BbrMode::ProbeRtt {
            self.prior_cwnd = self.cwnd;
        } else {
            self.prior_cwnd = self.prior_cwnd.max(self.cwnd);
        }
    }

    /// `bbr_update_min_rtt`: the 10 s min filter, and PROBE_RTT.
    fn update_min_rtt(&mut self, s: &AckSample, delivered_now: bool) {
        let now = s.now;
        let expired = now > self.min_rtt_stamp + MIN_RTT_WIN;
        if let Some(rtt) = s.rtt {
            let us = rtt.as_nanos() / 1000;
            if us < self.min_rtt_us || expired {
                self.min_rtt_us = us;
                self.min_rtt_stamp = now;
            }
        }
        if expired && !self.idle_restart && self.mode != BbrMode::ProbeRtt {
            self.set_mode(BbrMode::ProbeRtt);
            self.save_cwnd();
            self.probe_rtt_done_stamp = None;
        }
        if self.mode == BbrMode::ProbeRtt {
            match self.probe_rtt_done_stamp {
                None if s.in_flight <= CWND_MIN_TARGET => {
                    self.probe_rtt_done_stamp = Some(now + PROBE_RTT_TIME);
                    self.probe_rtt_round_done = false;
                    self.next_rtt_delivered = s.delivered;
                }
                Some(_) => {
                    if self.round_start {
                        self.probe_rtt_round_done = true;
                    }
                    if self.probe_rtt_round_done {
                        self.check_probe_rtt_done(now);
                    }
                }
                None => {}
            }
        }
        if delivered_now {
            self.idle_restart = false;
        }
    }

    /// `bbr_check_probe_rtt_done`: after 200 ms and a round, restore cwnd and leave.
    fn check_probe_rtt_done(&mut self, now: Instant) {
        let Some(done) = self.probe_rtt_done_stamp else { return };
        if now <= done {
            return;
        }
        self.min_rtt_stamp = now;
        self.cwnd = self.cwnd.max(self.prior_cwnd);
        self.reset_mode(now);
    }

    /// `bbr_update_gains`.
    fn update_gains(&mut self) {
        let (p, c) = match self.mode {
            BbrMode::Startup => (HIGH_GAIN, HIGH_GAIN),
            BbrMode::Drain => (DRAIN_GAIN, HIGH_GAIN),
            BbrMode::ProbeBw => (PACING_GAIN[self.cycle_idx as usize % 8], CWND_GAIN),
            BbrMode::ProbeRtt => (BBR_UNIT, BBR_UNIT),
        };
        self.pacing_gain = p;
        self.cwnd_gain = c;
    }

    /// `bbr_set_cwnd_to_recover_or_restore`: deduct losses; packet conservation for the
    /// first round of recovery; restore the pre-recovery cwnd on exit.
    fn recover_or_restore(&mut self, s: &AckSample) -> (bool, u32) {
        let prev = self.prev_ca_state;
        let state = s.ca_state;
        let mut cwnd = self.cwnd;
        if s.losses > 0 {
            cwnd = cwnd.saturating_sub(s.losses).max(1);
        }
        if state == CaState::Recovery && prev != CaState::Recovery {
            self.packet_conservation = true;
            self.next_rtt_delivered = s.delivered;
            cwnd = s.in_flight + s.acked;
        } else if prev >= CaState::Recovery && state < CaState::Recovery {
            cwnd = cwnd.max(self.prior_cwnd);
            self.packet_conservation = false;
        }
        self.prev_ca_state = state;
        if self.packet_conservation {
            return (true, cwnd.max(s.in_flight + s.acked));
        }
        (false, cwnd)
    }

    /// `bbr_set_cwnd`.
    fn set_cwnd(&mut self, s: &AckSample) {
        let acked = s.acked;
        let mut cwnd = self.cwnd;
        if acked > 0 {
            let (conserving, c) = self.recover_or_restore(s);
            cwnd = c;
            if !conserving {
                let target = self.quantization_budget(self.bdp(self.max_bw(), self.cwnd_gain));
                if self.full_bw_reached {
                    cwnd = cwnd.saturating_add(acked).min(target);
                } else if cwnd < target || s.delivered < u64::from(INIT_CWND) {
                    cwnd = cwnd.saturating_add(acked);
                }
                cwnd = cwnd.max(CWND_MIN_TARGET);
            }
        }
        self.cwnd = cwnd.max(1);
        if self.mode == BbrMode::ProbeRtt {
            self.cwnd = self.cwnd.min(CWND_MIN_TARGET);
        }
    }
}

impl Bbr {
    /// Is the current cycle phase over (exposed for tests)?
    pub fn full_bw_reached(&self) -> bool {
        self.full_bw_reached
    }
}

impl CongestionControl for Bbr {
    fn name(&self) -> &'static str {
        "bbr"
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
    /// Unused: BBR runs `cong_control` instead.
    fn on_ack(&mut self, _acked: u32, _rtt: Option<Duration>, _now: Instant, _cwnd_limited: bool) {}

    /// `bbr_ssthresh`: ssthresh is left as it is.
    fn loss_ssthresh(&self) -> u32 {
        self.ssthresh
    }

    /// `bbr_ssthresh`: remember cwnd for after recovery; ssthresh unchanged.
    fn recalc_ssthresh(&mut self) -> u32 {
        self.save_cwnd();
        self.ssthresh
    }

    /// `bbr_main`: update the model, then pacing rate and cwnd.
    fn cong_control(&mut self, s: &AckSample) -> bool {
        self.mss = s.mss.max(1);
        if s.acked > 0 {
            self.delivered_mstamp = s.now;
        }
        if let Some(rs) = &s.rate {
            self.update_bw(s, rs);
        } else {
            self.round_start = false;
        }
        if self.mode == BbrMode::ProbeBw && self.is_next_cycle_phase(s) {
            self.advance_cycle_phase(s.now);
        }
        self.check_full_bw_reached(s.rate.as_ref());
        self.check_drain(s);
        self.update_min_rtt(s, s.acked > 0);
        self.update_gains();
        let bw = self.max_bw();
        self.set_pacing_rate(bw, self.pacing_gain, s.srtt);
        self.set_cwnd(s);
        true
    }

    /// `bbr_set_state`: an RTO counts as the end of a round and restarts the full-pipe test.
    fn set_ca_state(&mut self, state: CaState, _now: Instant) {
        if state == CaState::Loss {
            self.prev_ca_state = CaState::Loss;
            self.full_bw = 0;
            self.round_start = true;
        }
    }

    /// `bbr_cwnd_event(CA_EVENT_TX_START)`: restarting from idle, pace at the estimate.
    fn cwnd_event(&mut self, event: CaEvent, now: Instant) {
        if let CaEvent::TxStart { .. } = event {
            self.idle_restart = true;
            if self.mode == BbrMode::ProbeBw {
                let bw = self.max_bw();
                self.set_pacing_rate(bw, BBR_UNIT, Duration::ZERO);
            } else if self.mode == BbrMode::ProbeRtt {
                self.check_probe_rtt_done(now);
            }
        }
    }

    fn pacing_rate(&self) -> Option<u64> {
        Some(self.pacing_rate)
    }

    fn phase(&self) -> CcPhase {
        match self.mode {
            BbrMode::Startup => CcPhase::Startup,
            BbrMode::Drain => CcPhase::Drain,
            BbrMode::ProbeBw => CcPhase::ProbeBw,
            BbrMode::ProbeRtt => CcPhase::ProbeRtt,
        }
    }

    /// The max filter in bytes per second.
    fn bw_estimate(&self) -> u64 {
        ((u128::from(self.max_bw()) * u128::from(self.mss) * 1_000_000) >> BW_SCALE) as u64
    }

    fn take_event(&mut self) -> Option<TcpEventKind> {
        self.event.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_are_linux_fixed_point() {
        assert_eq!(HIGH_GAIN, 739);
        assert_eq!(DRAIN_GAIN, 88);
        assert_eq!(PACING_GAIN[0], 320);
        assert_eq!(PACING_GAIN[1], 192);
    }

    #[test]
    fn windowed_max_forgets_old_samples() {
        let mut m = WindowedMax::default();
        m.running_max(10, 1, 100);
        m.running_max(10, 2, 50);
        assert_eq!(m.get(), 100);
        for t in 3..15 {
            m.running_max(10, t, 60);
        }
        assert_eq!(m.get(), 60);
    }

    #[test]
    fn probe_bw_never_starts_in_the_drain_phase() {
        for seed in 0..50 {
            let mut b = Bbr::new(10, seed);
            b.reset_probe_bw_mode(Instant::ZERO);
            assert_ne!(b.cycle_idx, 1, "seed {seed}");
        }
    }
}
