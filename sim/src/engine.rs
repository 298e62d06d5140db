//! The discrete-event scheduler: a priority queue of events keyed by virtual time.
//!
//! Events at the same instant run in the order they were scheduled (a monotonically
//! increasing sequence number breaks ties), so a run never depends on heap internals.

use crate::time::Instant;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<E> {
    at: Instant,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (then first scheduled) pops first.
        other.at.cmp(&self.at).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A queue of future events with deterministic ordering.
pub struct Scheduler<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: Instant,
    processed: u64,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Scheduler<E> {
    /// An empty scheduler at time zero.
    pub fn new() -> Self {
        Scheduler { heap: BinaryHeap::new(), next_seq: 0, now: Instant::ZERO, processed: 0 }
    }

    /// The current virtual time: the time of the event being processed.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// How many events have been popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Schedule `event` at `at`. An instant in the past is moved to now: time never runs back.
    pub fn schedule(&mut self, at: Instant, event: E) {
        let at = at.max(self.now);
        self.heap.push(Entry { at, seq: self.next_seq, event });
        self.next_seq += 1;
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Instant> {
        self.heap.peek().map(|e| e.at)
    }

    /// Pop the next event no later than `limit`, advancing the clock to it.
    pub fn pop_until(&mut self, limit: Instant) -> Option<(Instant, E)> {
        if self.heap.peek()?.at > limit {
            return None;
        }
        let e = self.heap.pop()?;
        self.now = e.at;
        self.processed += 1;
        Some((e.at, e.event))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_then_insertion_order() {
        let mut s = Scheduler::new();
        s.schedule(Instant(20), "c");
        s.schedule(Instant(10), "a");
        s.schedule(Instant(10), "b");
        s.schedule(Instant(30), "d");
        let mut out = vec![];
        while let Some((_, e)) = s.pop_until(Instant(25)) {
            out.push(e);
        }
        assert_eq!(out, ["a", "b", "c"]);
        assert_eq!(s.now(), Instant(20));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn past_events_run_now_not_back_in_time() {
        let mut s = Scheduler::new();
        s.schedule(Instant(50), 1);
        s.pop_until(Instant(100));
        s.schedule(Instant(10), 2);
        assert_eq!(s.pop_until(Instant(100)), Some((Instant(50), 2)));
    }
}
