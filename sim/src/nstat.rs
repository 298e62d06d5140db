//! `nstat -az` as of any moment of a run, read from the trace alone: each `Counter` event
//! carries a counter's new cumulative value, so a host's counters at time `t` are the last
//! value of each name at or before `t`. Names are the kernel's MIB names without the
//! `TcpExt` prefix (`ListenOverflows`, `ListenDrops`, `SyncookiesSent`,
//! `TCPReqQFullDoCookies`, `TCPReqQFullDrop`, `TcpPassiveOpens`...).

use crate::time::Instant;
use crate::trace::{EventKind, NodeId, Trace};
use std::collections::BTreeMap;

/// Every counter `node` had counted by `t` (inclusive), by name; counters never counted are
/// absent (nstat -a prints them as 0).
pub fn counters_at(trace: &Trace, node: NodeId, t: Instant) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for e in &trace.events[..trace.count_until(t)] {
        if let EventKind::Counter { node: n, name, value } = &e.kind {
            if *n == node {
                out.insert(name.clone(), *value);
            }
        }
    }
    out
}

/// Every host's counters at the end of the run, by node id (hosts that counted nothing are
/// left out).
pub fn final_counters(trace: &Trace) -> BTreeMap<NodeId, BTreeMap<String, u64>> {
    let mut out: BTreeMap<NodeId, BTreeMap<String, u64>> = BTreeMap::new();
    for e in &trace.events {
        if let EventKind::Counter { node, name, value } = &e.kind {
            out.entry(*node).or_default().insert(name.clone(), *value);
        }
    }
    out
}

/// One counter's value at `t` (0 if not counted yet).
pub fn counter_at(trace: &Trace, node: NodeId, name: &str, t: Instant) -> u64 {
    trace.events[..trace.count_until(t)]
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Counter { node: n, name: x, value } if *n == node && x == name => Some(*value),
            _ => None,
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Event;

    #[test]
    fn last_value_at_or_before_t_wins() {
        let c = |t: u64, node: NodeId, name: &str, value: u64| Event {
            t: Instant(t),
            kind: EventKind::Counter { node, name: name.into(), value },
        };
        let trace = Trace {
            events: vec![c(1, 0, "ListenDrops", 1), c(2, 1, "ListenDrops", 1), c(3, 0, "ListenDrops", 2)],
            ..Trace::default()
        };
        assert_eq!(counters_at(&trace, 0, Instant(2)).get("ListenDrops"), Some(&1));
        assert_eq!(counter_at(&trace, 0, "ListenDrops", Instant(3)), 2);
        assert_eq!(counter_at(&trace, 0, "SyncookiesSent", Instant(3)), 0);
        assert_eq!(final_counters(&trace)[&1]["ListenDrops"], 1);
    }
}
