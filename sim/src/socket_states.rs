//! Each TCP socket's states over a run, and how many of a host's sockets sit in one state at
//! each moment: what `ss -tan state close-wait` would list if it were run at that instant.
//! Read from the trace's `TcpState` events alone.

use crate::tcp::TcpState;
use crate::time::Instant;
use crate::trace::{EventKind, NodeId, SockId, SockKind, Trace};

/// A time a socket spent in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    /// The state.
    pub state: TcpState,
    /// When the socket entered it.
    pub from: Instant,
    /// When it left, or `None` if it was still there when the run ended.
    pub until: Option<Instant>,
}

/// The states socket `sock` went through, in order, from its first transition on (the
/// CLOSED it starts in is not listed; the CLOSED it ends in is, with no end).
pub fn stays(trace: &Trace, sock: SockId) -> Vec<Stay> {
    let mut v: Vec<Stay> = Vec::new();
    for e in &trace.events {
        if let EventKind::TcpState { sock: s, to, .. } = &e.kind {
            if *s == sock {
                if let Some(last) = v.last_mut() {
                    last.until = Some(e.t);
                }
                v.push(Stay { state: *to, from: e.t, until: None });
            }
        }
    }
    v
}

/// [`stays`] of every socket that changed state, in one pass over the run.
pub fn all_stays(trace: &Trace) -> std::collections::BTreeMap<SockId, Vec<Stay>> {
    let mut all: std::collections::BTreeMap<SockId, Vec<Stay>> = std::collections::BTreeMap::new();
    for e in &trace.events {
        if let EventKind::TcpState { sock, to, .. } = &e.kind {
            let v = all.entry(*sock).or_default();
            if let Some(last) = v.last_mut() {
                last.until = Some(e.t);
            }
            v.push(Stay { state: *to, from: e.t, until: None });
        }
    }
    all
}

/// The connection sockets (not listeners) of `node`, in the order they were created.
pub fn connections(trace: &Trace, node: NodeId) -> Vec<SockId> {
    (0..trace.sockets.len())
        .filter(|&i| trace.sockets[i].node == node && trace.sockets[i].kind == SockKind::TcpConn)
        .map(|i| i as SockId)
        .collect()
}

/// How many of `node`'s TCP sockets are in `state`, as a step function: one point each time
/// the count changes, starting with `(0, 0)`.
pub fn count_in_state(trace: &Trace, node: NodeId, state: TcpState) -> Vec<(Instant, u32)> {
    let mut v = vec![(Instant::ZERO, 0u32)];
    let mut n = 0u32;
    for e in &trace.events {
        let EventKind::TcpState { sock, from, to } = &e.kind else { continue };
        if trace.sockets.get(*sock as usize).is_none_or(|s| s.node != node) || from == to {
            continue;
        }
        if *to == state {
            n += 1;
        } else if *from == state {
            n = n.saturating_sub(1);
        } else {
            continue;
        }
        match v.last_mut() {
            Some(last) if last.0 == e.t => last.1 = n,
            _ => v.push((e.t, n)),
        }
    }
    v
}

/// The value of a [`count_in_state`] step function at `t`.
pub fn count_at(steps: &[(Instant, u32)], t: Instant) -> u32 {
    let i = steps.partition_point(|(at, _)| *at <= t);
    if i == 0 {
        0
    } else {
        steps[i - 1].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_at_reads_the_step_before_or_at_t() {
        let steps = vec![(Instant::ZERO, 0), (Instant(10), 1), (Instant(20), 2), (Instant(30), 1)];
        assert_eq!(count_at(&steps, Instant(5)), 0);
        assert_eq!(count_at(&steps, Instant(10)), 1);
        assert_eq!(count_at(&steps, Instant(25)), 2);
        assert_eq!(count_at(&steps, Instant(99)), 1);
        assert_eq!(count_at(&[], Instant(99)), 0);
    }
}
