//! The kernel's clock tick and timer wheel: when a timer armed for a delay really fires.
//!
//! Linux keeps TCP's timers (retransmission, delayed ACK, zero-window probe, tail loss probe,
//! TIME-WAIT, SYN-ACK retransmission) in jiffies: `jiffies` counts ticks of `1/HZ` s
//! (`CONFIG_HZ`: 250 on Debian's and many distribution kernels, 1000 on others, 100 or 300 on
//! a few). Two roundings make a timer fire later than its nominal delay (docs/fidelity.md
//! §1.7 and §10.1):
//!
//! 1. The delay becomes a whole number of ticks, rounded up (`usecs_to_jiffies`,
//!    `msecs_to_jiffies`), and is added to `jiffies`, the tick that has last passed, not to
//!    the present instant (`sk_reset_timer(sk, timer, jiffies + when)`).
//! 2. The timer wheel (kernel/time/timer.c, `calc_wheel_index` and `calc_index`) files a
//!    timer in a level by how far away it is; level `n` has a granularity of `8^n` ticks
//!    (`LVL_CLK_SHIFT` = 3) and covers delays below `63 << 3n` ticks (`LVL_START`). The
//!    expiry is rounded *up* to the next multiple of the granularity, strictly after it
//!    ("The timer wheel has to guarantee that a timer does not fire early... Round up with
//!    level granularity"): `bucket_expiry = ((expires >> LVL_SHIFT(lvl)) + 1) << LVL_SHIFT(lvl)`.
//!
//! So at HZ=250 the 40 ms delayed ACK (10 ticks) fires 40–44 ms after it was armed, an RTO
//! floor of 200 ms becomes 204 ms once the smoothed RTT is added and rounded up, the 1 s SYN
//! timeout (250 ticks, level 1, 8-tick buckets) fires 1.004–1.036 s later, and TIME-WAIT's
//! 60 s (15000 ticks, level 3, 512-tick buckets of 2.048 s) lasts 60–62 s.
//!
//! Each host's ticks have their own phase (where its tick edges fall relative to the start
//! of the run), derived from the node's number so that no random draw is spent on it. With
//! `hz = 0` time is exact: timers fire at their nominal instant (the RFC textbook profile).

use crate::time::{Duration, Instant};

/// `LVL_CLK_SHIFT`: each wheel level is 8 times coarser than the one below.
const LVL_CLK_SHIFT: u32 = 3;
/// `LVL_BITS`: 64 buckets per level.
const LVL_BITS: u32 = 6;
/// `LVL_DEPTH` for HZ > 100 (9 levels; 8 at HZ=100, whose timers never reach the 9th here).
const LVL_DEPTH: u32 = 9;

/// The tick rates Linux can be built with (`CONFIG_HZ_100`/`_250`/`_300`/`_1000`), and 0 for
/// exact time.
pub const ALLOWED_HZ: [u32; 5] = [0, 100, 250, 300, 1000];

/// A host's tick: its rate and phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Nanoseconds per tick; 0 for exact time.
    tick: u64,
    /// Where the host's tick edges fall: at `phase + k·tick`, `0 ≤ phase < tick`.
    phase: u64,
    /// `jiffies` when the run starts (the host's uptime in ticks): where the coarse wheel
    /// levels' bucket boundaries fall.
    start: u64,
}

impl Clock {
    /// Exact time: a timer fires at its nominal instant.
    pub const EXACT: Clock = Clock { tick: 0, phase: 0, start: 0 };

    /// The clock of node `node` at `hz` ticks per second (0: exact).
    pub fn new(hz: u32, node: u32) -> Clock {
        if hz == 0 {
            return Clock::EXACT;
        }
        let tick = 1_000_000_000 / u64::from(hz);
        // A fixed mix of the node number (splitmix64's finaliser), not a random draw.
        let mut z = u64::from(node).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Clock { tick, phase: z % tick, start: (z >> 32) & 0xF_FFFF }
    }

    /// True when this clock has no tick (exact time).
    pub fn is_exact(&self) -> bool {
        self.tick == 0
    }

    /// The length of one tick (zero for exact time).
    pub fn tick(&self) -> Duration {
        Duration(self.tick)
    }

    /// `jiffies` at `now`: the number of the tick edge that has last passed. Tick `j`'s edge is
    /// at `phase + (j − 1)·tick`, so that `jiffies` is never negative.
    fn jiffies(&self, now: Instant) -> u64 {
        self.start + (now.as_nanos() + self.tick - self.phase) / self.tick
    }

    /// The instant of tick `j`'s edge.
    fn edge(&self, j: u64) -> Instant {
        Instant(((j - self.start) * self.tick + self.phase).saturating_sub(self.tick))
    }

    /// `d` as whole ticks, rounded up (`usecs_to_jiffies`).
    pub fn to_jiffies(&self, d: Duration) -> u64 {
        if self.tick == 0 {
            return d.as_nanos();
        }
        d.as_nanos().div_ceil(self.tick)
    }

    /// `d` rounded up to whole ticks, as a duration (an RTO held in jiffies).
    pub fn round_up(&self, d: Duration) -> Duration {
        if self.tick == 0 {
            return d;
        }
        Duration(self.to_jiffies(d) * self.tick)
    }

    /// When a timer armed at `now` to expire at `at` really fires: `jiffies + ticks(at − now)`
    /// filed in the timer wheel and rounded up to its bucket (`calc_wheel_index`).
    pub fn fire_at(&self, now: Instant, at: Instant) -> Instant {
        if self.tick == 0 {
            return at;
        }
        let j = self.jiffies(now);
        let delta = self.to_jiffies(at.saturating_since(now));
        let expires = j + delta;
        let shift = level(delta) * LVL_CLK_SHIFT;
        let bucket = ((expires >> shift) + 1) << shift;
        self.edge(bucket)
    }

    /// The most a timer armed for `d` can fire after `now + d`: the tick `jiffies` lags the
    /// present by, plus its wheel level's granularity. It never fires before `now + d`.
    pub fn max_late(&self, d: Duration) -> Duration {
        if self.tick == 0 {
            return Duration::ZERO;
        }
        let gran = 1u64 << (level(self.to_jiffies(d)) * LVL_CLK_SHIFT);
        Duration((1 + gran) * self.tick)
    }
}

/// The wheel level a timer `delta` ticks away is filed in (`calc_wheel_index`).
fn level(delta: u64) -> u32 {
    let mut lvl = 0;
    while lvl + 1 < LVL_DEPTH && delta >= lvl_start(lvl + 1) {
        lvl += 1;
    }
    lvl
}

/// `LVL_START(n)`: the smallest delay (in ticks) filed in level `n`.
fn lvl_start(n: u32) -> u64 {
    ((1u64 << LVL_BITS) - 1) << ((n - 1) * LVL_CLK_SHIFT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(x: f64) -> Instant {
        Instant((x * 1e6) as u64)
    }

    #[test]
    fn delayed_ack_at_hz_250_fires_40_to_44_ms_later() {
        for node in 0..50 {
            let c = Clock::new(250, node);
            for start in [0.0, 1.3, 17.9, 123.456] {
                let now = ms(start);
                let fired = c.fire_at(now, now + Duration::from_millis(40));
                let d = fired.saturating_since(now).as_millis_f64();
                assert!(d > 40.0 && d <= 44.0, "node {node} at {start} ms: {d} ms");
            }
        }
    }

    #[test]
    fn one_second_is_level_one_and_fires_up_to_one_bucket_late() {
        let c = Clock::new(250, 3);
        let now = ms(5.0);
        let d = c.fire_at(now, now + Duration::from_secs(1)).saturating_since(now).as_millis_f64();
        assert!(d > 1000.0 && d <= 1036.0, "{d}");
    }

    #[test]
    fn time_wait_lasts_60_to_62_seconds() {
        let c = Clock::new(250, 1);
        let now = ms(3.0);
        let d = c.fire_at(now, now + Duration::from_secs(60)).saturating_since(now).as_secs_f64();
        assert!(d > 60.0 && d <= 62.1, "{d}");
    }

    #[test]
    fn hz_1000_is_finer() {
        let c = Clock::new(1000, 2);
        let now = ms(7.25);
        let d = c.fire_at(now, now + Duration::from_millis(40)).saturating_since(now).as_millis_f64();
        assert!(d > 40.0 && d <= 41.0, "{d}");
    }

    #[test]
    fn a_timer_fires_after_its_delay_and_within_max_late() {
        for hz in [100, 250, 300, 1000] {
            for node in 0..20 {
                let c = Clock::new(hz, node);
                for (start, d) in
                    [(0.0, 0.5), (3.3, 40.0), (12.0, 204.0), (900.1, 1000.0), (77.0, 32_000.0), (5.0, 60_000.0)]
                {
                    let now = ms(start);
                    let d = Duration::from_millis_f64(d);
                    let late = c.fire_at(now, now + d).saturating_since(now + d);
                    assert!(late > Duration::ZERO || c.fire_at(now, now + d) > now + d, "{hz} {node} {d:?}");
                    assert!(late <= c.max_late(d), "HZ {hz} node {node}: {d:?} late by {late:?} > {:?}", c.max_late(d));
                }
            }
        }
    }

    #[test]
    fn exact_clock_is_exact() {
        let now = ms(1.0);
        assert_eq!(Clock::EXACT.fire_at(now, ms(41.0)), ms(41.0));
        assert_eq!(Clock::new(0, 9).round_up(Duration::from_micros(200_050)), Duration::from_micros(200_050));
    }

    #[test]
    fn rto_rounds_up_to_whole_ticks() {
        let c = Clock::new(250, 0);
        assert_eq!(c.round_up(Duration::from_micros(200_050)), Duration::from_millis(204));
        assert_eq!(c.round_up(Duration::from_millis(200)), Duration::from_millis(200));
    }
}
