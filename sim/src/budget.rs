//! What one run may use: scheduler events, trace events, frames, bytes of trace and wall time.
//!
//! The same budget applies natively and in the browser. The first four are counted by the
//! core as the run goes ([`crate::net::Network::advance`]); wall time is measured by whoever
//! drives the run, because the core has no clock of its own (that is what keeps runs
//! deterministic), and handed back with [`crate::net::Network::exceed`]. A run that reaches a
//! limit stops where it is: its trace keeps everything up to that moment and says which limit
//! stopped it ([`crate::trace::Trace::limit`]).

use crate::text::grouped;
use crate::time::Instant;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Scheduler events processed (frames arriving, transmitters freeing, timers).
    pub events: u64,
    /// Events recorded in the trace.
    pub trace_events: u64,
    /// Frames recorded in the trace.
    pub frames: u64,
    /// Bytes the trace holds: its events plus the captured bytes of its frames.
    pub trace_bytes: u64,
    /// Wall-clock milliseconds, measured by the driver of the run.
    pub wall_ms: u64,
}

impl Budget {
    /// The budget of every run in the course and the command line.
    ///
    /// Sized from the largest in-range preset setting (the bufferbloat lab at 100 Mbit/s
    /// for 60 s: about 5.1 M trace events, 1.3 M frames and 0.5 GB natively) with room to
    /// spare, and small enough that a browser tab (wasm32, at most 4 GiB of memory) never runs
    /// out of memory on the way.
    pub const STANDARD: Budget = Budget {
        events: 20_000_000,
        trace_events: 12_000_000,
        frames: 4_000_000,
        trace_bytes: 1_200_000_000,
        wall_ms: 60_000,
    };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::STANDARD
    }
}

/// Which limit stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Limit {
    /// [`Budget::events`].
    Events,
    /// [`Budget::trace_events`].
    TraceEvents,
    /// [`Budget::frames`].
    Frames,
    /// [`Budget::trace_bytes`].
    TraceBytes,
    /// [`Budget::wall_ms`].
    WallTime,
    /// The person who started the run stopped it.
    Cancelled,
}

/// A run that stopped before its end: which limit, its value, and how far it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Exceeded {
    /// The limit reached.
    pub limit: Limit,
    /// Its value in the budget (0 for [`Limit::Cancelled`]).
    pub max: u64,
    /// The virtual time the run had reached.
    pub at: Instant,
    /// The virtual time it was meant to run to.
    pub stop: Instant,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.limit {
            Limit::Events => format!("more than {} simulation events", grouped(self.max as usize)),
            Limit::TraceEvents => format!("more than {} recorded events", grouped(self.max as usize)),
            Limit::Frames => format!("more than {} frames", grouped(self.max as usize)),
            Limit::TraceBytes => format!("more than {} MB of trace", grouped((self.max / 1_000_000) as usize)),
            Limit::WallTime => format!("more than {} s to compute", grouped((self.max / 1000) as usize)),
            Limit::Cancelled => {
                return write!(f, "the run was stopped at {} of {} simulated", seconds(self.at), seconds(self.stop))
            }
        };
        write!(
            f,
            "this run is too large: it needed {what}, so it stopped at {} of {} simulated. \
             Try a shorter run, a lower rate or fewer clients.",
            seconds(self.at),
            seconds(self.stop)
        )
    }
}

/// Virtual time in seconds with three decimals.
fn seconds(t: Instant) -> String {
    format!("{:.3} s", t.as_secs_f64())
}

/// How far a run has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The virtual time reached.
    pub now: Instant,
    /// The virtual time the run stops at.
    pub stop: Instant,
    /// Scheduler events processed so far.
    pub events: u64,
}

impl Progress {
    /// The fraction of virtual time done, 0 to 1.
    pub fn fraction(&self) -> f64 {
        if self.stop.0 == 0 {
            1.0
        } else {
            (self.now.0 as f64 / self.stop.0 as f64).clamp(0.0, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_which_limit_and_how_far() {
        let e = Exceeded {
            limit: Limit::Events,
            max: 20_000_000,
            at: Instant(12_345_000_000),
            stop: Instant(60_000_000_000),
        };
        assert_eq!(
            e.to_string(),
            "this run is too large: it needed more than 20,000,000 simulation events, so it stopped at \
             12.345 s of 60.000 s simulated. Try a shorter run, a lower rate or fewer clients."
        );
        let c = Exceeded { limit: Limit::Cancelled, max: 0, ..e };
        assert_eq!(c.to_string(), "the run was stopped at 12.345 s of 60.000 s simulated");
    }

    #[test]
    fn progress_is_a_fraction() {
        let p = Progress { now: Instant(5), stop: Instant(10), events: 1 };
        assert_eq!(p.fraction(), 0.5);
        assert_eq!(Progress { stop: Instant(0), ..p }.fraction(), 1.0);
    }
}
