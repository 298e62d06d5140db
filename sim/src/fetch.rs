//! Request/response fetches read back from a trace: when each began and ended (from the
//! client's `Exchange` events) and how the response's segments were spread over round trips,
//! which shows slow start (RFC 5681 §3.1: the window doubles every round trip from the
//! initial window of 10 segments, RFC 6928) or its absence on a connection whose window has
//! already grown.

use crate::time::{Duration, Instant};
use crate::trace::{AppCall, EventKind, NodeId, Trace};
use crate::transfer::tcp_payload_len;

/// One request and its complete response, as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetch {
    /// The client's node.
    pub client: NodeId,
    /// When it began: connect() on a new connection, the request write on a pooled one.
    pub start: Instant,
    /// When the last byte of the response was read.
    pub end: Instant,
}

impl Fetch {
    /// How long it took.
    pub fn took(&self) -> Duration {
        self.end - self.start
    }
}

/// Every finished fetch of `trace`, in order.
pub fn fetches(trace: &Trace) -> Vec<Fetch> {
    trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { node, call: AppCall::Exchange { latency, .. } } => {
                Some(Fetch { client: *node, start: Instant(e.t.0.saturating_sub(latency.0)), end: e.t })
            }
            _ => None,
        })
        .collect()
}

/// The data segments (frames carrying TCP payload) that nodes other than the client sent
/// during `fetch`, counted per round trip of `rtt` from the first of them: the flights of a
/// window that grows (or does not) round by round.
pub fn segments_per_round(trace: &Trace, fetch: &Fetch, rtt: Duration) -> Vec<u32> {
    let rtt = rtt.0.max(1);
    let mut first: Option<u64> = None;
    let mut rounds: Vec<u32> = Vec::new();
    for e in trace.window(fetch.start, Instant(fetch.end.0 + 1)) {
        let EventKind::FrameTx { frame, from, .. } = &e.kind else { continue };
        if *from == fetch.client {
            continue;
        }
        let carries = trace.frames.get(*frame as usize).and_then(|f| tcp_payload_len(&f.bytes)).is_some_and(|n| n > 0);
        if !carries {
            continue;
        }
        let t0 = *first.get_or_insert(e.t.0);
        let k = ((e.t.0 - t0) / rtt) as usize;
        if rounds.len() <= k {
            rounds.resize(k + 1, 0);
        }
        rounds[k] += 1;
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(connection: &str, idle_ms: &str) -> Trace {
        let preset = crate::presets::find("cold-warm").unwrap();
        let pairs = [("connection", connection), ("idle", idle_ms)];
        let (set, errors) = crate::params::ParamSet::apply_lenient(preset.params, pairs.iter().copied());
        assert!(errors.is_empty(), "{errors:?}");
        crate::run(&(preset.build)(&set).unwrap()).unwrap()
    }

    #[test]
    fn a_cold_fetch_slow_starts_from_ten_segments_and_a_warm_one_does_not() {
        let rtt = Duration(50_000_000);
        let cold = run("cold", "0");
        let f = fetches(&cold);
        assert_eq!(f.len(), 2);
        let rounds = segments_per_round(&cold, &f[1], rtt);
        assert_eq!(&rounds[..4], &[10, 20, 40, 80], "{rounds:?}");
        let warm = run("warm", "0");
        let g = fetches(&warm);
        let warm_rounds = segments_per_round(&warm, &g[1], rtt);
        assert!(warm_rounds.len() < rounds.len(), "{warm_rounds:?} vs {rounds:?}");
        assert!(warm_rounds[0] > 100, "{warm_rounds:?}");
        // The cold fetch pays a handshake and several more round trips.
        let (c, w) = (f[1].took().0 as f64 / 5e7, g[1].took().0 as f64 / 5e7);
        assert!(c - w >= 3.0, "cold {c:.1} RTT, warm {w:.1} RTT");
    }

    #[test]
    fn after_an_idle_pause_linux_restarts_the_pooled_window() {
        let rtt = Duration(50_000_000);
        let warm = run("warm", "2000");
        let g = fetches(&warm);
        assert_eq!(segments_per_round(&warm, &g[1], rtt)[0], 10);
    }
}
