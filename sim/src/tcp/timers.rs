//! The timers of one connection, each traced as `EventKind::Timer` when set, cancelled or
//! fired. Linux multiplexes retransmit, probe and SYN-ACK on one `icsk_timer`
//! (`icsk_pending`); they are kept apart here so a figure can name them.

use super::tcb::Env;
use crate::stack::StackCtx;
use crate::time::Instant;
use crate::trace::{EventKind, SockId, TimerAction, TimerKind};
use serde::{Deserialize, Serialize};

/// Deadlines of a connection's timers; `None` = not armed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timers {
    slots: [Option<Instant>; 11],
}

const KINDS: [TimerKind; 11] = [
    TimerKind::Retransmit,
    TimerKind::SynAck,
    TimerKind::DelayedAck,
    TimerKind::Persist,
    TimerKind::TimeWait,
    TimerKind::FinWait2,
    TimerKind::Cork,
    TimerKind::Keepalive,
    TimerKind::LossProbe,
    TimerKind::ReorderTimeout,
    TimerKind::Pacing,
];

fn idx(kind: TimerKind) -> usize {
    match kind {
        TimerKind::Retransmit => 0,
        TimerKind::SynAck => 1,
        TimerKind::DelayedAck => 2,
        TimerKind::Persist => 3,
        TimerKind::TimeWait => 4,
        TimerKind::FinWait2 => 5,
        TimerKind::Cork => 6,
        TimerKind::Keepalive => 7,
        TimerKind::LossProbe => 8,
        TimerKind::ReorderTimeout => 9,
        TimerKind::Pacing => 10,
    }
}

impl Timers {
    /// When `kind` fires, if armed.
    pub fn get(&self, kind: TimerKind) -> Option<Instant> {
        self.slots[idx(kind)]
    }

    /// True when `kind` is armed.
    pub fn armed(&self, kind: TimerKind) -> bool {
        self.get(kind).is_some()
    }

    /// Arm (or re-arm) `kind` to expire at `at`, tracing the change. Every timer but the
    /// pacing one (an hrtimer, `tcp_pacing_check`) runs in the host's ticks and fires at the
    /// timer wheel's bucket boundary after `at` ([`crate::jiffies::Clock::fire_at`]).
    /// Re-arming at the instant already armed changes nothing (`mod_timer` with an unchanged
    /// expiry).
    pub fn set(&mut self, env: &mut Env, sock: SockId, kind: TimerKind, at: Instant) {
        let slot = &mut self.slots[idx(kind)];
        if *slot == Some(at) {
            return;
        }
        let at = if kind == TimerKind::Pacing { at } else { env.clock().fire_at(env.now(), at) };
        if *slot == Some(at) {
            return;
        }
        *slot = Some(at);
        env.ctx.event(EventKind::Timer { sock, timer: kind, action: TimerAction::Set { expires: at } });
    }

    /// Disarm `kind` if it was armed, tracing the cancellation.
    pub fn cancel(&mut self, ctx: &mut StackCtx, sock: SockId, kind: TimerKind) {
        if self.slots[idx(kind)].take().is_some() {
            ctx.event(EventKind::Timer { sock, timer: kind, action: TimerAction::Cancelled });
        }
    }

    /// Disarm every timer (the socket is going away).
    pub fn cancel_all(&mut self, ctx: &mut StackCtx, sock: SockId) {
        for k in KINDS {
            self.cancel(ctx, sock, k);
        }
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.slots.iter().flatten().min().copied()
    }

    /// The earliest timer due at `now`, disarmed and traced as fired.
    pub fn pop_due(&mut self, ctx: &mut StackCtx, sock: SockId) -> Option<TimerKind> {
        let now = ctx.now;
        let (i, _) = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.filter(|&t| t <= now).map(|t| (i, t)))
            .min_by_key(|&(i, t)| (t, i))?;
        self.slots[i] = None;
        let kind = KINDS[i];
        ctx.event(EventKind::Timer { sock, timer: kind, action: TimerAction::Fired });
        Some(kind)
    }
}
