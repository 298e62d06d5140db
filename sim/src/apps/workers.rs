//! A server with a pool of worker threads, as backend servers are built: the kernel completes
//! handshakes into the accept queue on its own, and each worker dequeues one connection with
//! accept(), serves it, and only then calls accept() again. The workers share one listening
//! socket, or (SO_REUSEPORT) each has its own listener with its own queues.
//!
//! Model, said plainly:
//! * A worker accepts at most `accept_rate` connections per second: after accept() it is busy
//!   for `1/accept_rate` (handling the request), then calls accept() again. With an empty
//!   queue it blocks in accept(); a connection that completes its handshake wakes one blocked
//!   worker of that listener, the longest-waiting first (an exclusive wait, as
//!   `inet_csk_wait_for_connect` does with `prepare_to_wait_exclusive`).
//! * The first `stalled` workers stop calling accept() from `stall_from` for `stall_for` (or
//!   for the rest of the run): a GC pause, a lock, a slow dependency.
//! * Serving is an HTTP/1.1 exchange: read the request (it may already wait in the child's
//!   receive buffer, filled while the connection sat in the accept queue), write a response
//!   of `response_bytes`, and close when the client closes.
//!
//! Every change of a worker is traced as `AppCall::Worker`.

use super::http::{self, MessageReader};
use super::rpc::{drain, Outbox};
use super::{App, Os};
use crate::stack::Notice;
use crate::time::{Duration, Instant};
use crate::trace::{AppCall, SockId, WorkerState};
use std::collections::BTreeMap;

const READY: u64 = 1 << 32;
const STALL: u64 = 2 << 32;
const UNSTALL: u64 = 3 << 32;

/// One worker thread.
#[derive(Debug, Clone, Default)]
struct Worker {
    /// Index into `listeners`.
    listener: usize,
    /// Busy with its last connection until then.
    ready_at: Instant,
    /// Blocked in accept() since this turn (`None`: not waiting).
    waiting: Option<u64>,
    stalled: bool,
}

/// How a [`WorkerServer`] is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    /// Port to listen on.
    pub port: u16,
    /// listen() backlog (per listener).
    pub backlog: u32,
    /// Worker threads.
    pub workers: u32,
    /// One SO_REUSEPORT listener per worker instead of one shared listener.
    pub reuseport: bool,
    /// accept() calls per second per worker.
    pub accept_rate: f64,
    /// How many workers (the first ones) stall.
    pub stalled: u32,
    /// When the stall starts, from the app's start.
    pub stall_from: Duration,
    /// How long it lasts (`None`: the rest of the run).
    pub stall_for: Option<Duration>,
    /// Bytes of each response (headers included).
    pub response_bytes: u32,
}

/// The server.
#[derive(Debug)]
pub struct WorkerServer {
    cfg: WorkerConfig,
    interval: Duration,
    listeners: Vec<SockId>,
    workers: Vec<Worker>,
    turn: u64,
    conns: BTreeMap<SockId, (MessageReader, Outbox)>,
}

impl WorkerServer {
    /// A server as `cfg` describes.
    pub fn new(cfg: WorkerConfig) -> Self {
        let rate = if cfg.accept_rate.is_finite() { cfg.accept_rate.max(1e-3) } else { 1e-3 };
        let interval = Duration::from_millis_f64(1000.0 / rate);
        let workers = vec![Worker::default(); cfg.workers.clamp(1, 1024) as usize];
        WorkerServer { cfg, interval, listeners: vec![], workers, turn: 0, conns: BTreeMap::new() }
    }

    fn trace(&self, os: &mut Os, w: usize, state: WorkerState) {
        let Some(&listener) = self.workers.get(w).and_then(|x| self.listeners.get(x.listener)) else { return };
        os.app_event(AppCall::Worker { listener, worker: w as u32, state });
    }

    /// Worker `w` calls accept() if it is free: takes a connection or blocks.
    fn try_accept(&mut self, os: &mut Os, w: usize) {
        let Some(worker) = self.workers.get(w) else { return };
        if worker.stalled || worker.ready_at > os.now {
            return;
        }
        let Some(&listener) = self.listeners.get(worker.listener) else { return };
        match os.tcp_accept(listener) {
            Some(c) => {
                let next = os.now + self.interval;
                if let Some(worker) = self.workers.get_mut(w) {
                    worker.waiting = None;
                    worker.ready_at = next;
                }
                self.trace(os, w, WorkerState::Accepted { sock: c, next_accept: next });
                os.set_timer(next, READY | w as u64);
                self.conns.insert(c, Default::default());
                self.serve(os, c);
            }
            None => {
                if worker.waiting.is_none() {
                    self.turn += 1;
                    let turn = self.turn;
                    if let Some(worker) = self.workers.get_mut(w) {
                        worker.waiting = Some(turn);
                    }
                    self.trace(os, w, WorkerState::Waiting);
                }
            }
        }
    }

    /// Read what arrived, answer complete requests, close on end of stream.
    fn serve(&mut self, os: &mut Os, sock: SockId) {
        let Some((reader, outbox)) = self.conns.get_mut(&sock) else { return };
        let mut got = vec![];
        let eof = drain(os, sock, &mut got);
        for _ in 0..reader.feed(&got) {
            outbox.push(http::response(self.cfg.response_bytes as usize));
        }
        outbox.pump(os, sock);
        if eof {
            os.tcp_close(sock);
            self.conns.remove(&sock);
        }
    }
}

impl App for WorkerServer {
    fn start(&mut self, os: &mut Os) {
        let n = self.workers.len();
        let count = if self.cfg.reuseport { n } else { 1 };
        for _ in 0..count {
            let r = if self.cfg.reuseport {
                os.tcp_listen_reuseport(self.cfg.port, self.cfg.backlog)
            } else {
                os.tcp_listen(self.cfg.port, self.cfg.backlog)
            };
            match r {
                Ok(l) => self.listeners.push(l),
                Err(e) => {
                    os.note(format!("listen() on port {} failed: {e}", self.cfg.port));
                    return;
                }
            }
        }
        for (i, w) in self.workers.iter_mut().enumerate() {
            w.listener = if self.cfg.reuseport { i } else { 0 };
            w.ready_at = os.now;
        }
        if self.cfg.stalled > 0 {
            if self.cfg.stall_from == Duration::ZERO {
                self.on_timer(os, STALL);
            } else {
                os.set_timer(os.now + self.cfg.stall_from, STALL);
            }
        }
        for w in 0..n {
            self.try_accept(os, w);
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } => {
                let Some(li) = self.listeners.iter().position(|l| l == listener) else { return };
                // Wake the longest-waiting worker blocked on this listener.
                let woken = self
                    .workers
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.listener == li && !w.stalled)
                    .filter_map(|(i, w)| w.waiting.map(|t| (t, i)))
                    .min()
                    .map(|(_, i)| i);
                if let Some(w) = woken {
                    self.try_accept(os, w);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } => self.serve(os, *sock),
            Notice::Writable { sock } => {
                if let Some((_, outbox)) = self.conns.get_mut(sock) {
                    outbox.pump(os, *sock);
                }
            }
            Notice::Reset { sock } | Notice::Closed { sock } | Notice::Error { sock, .. } => {
                self.conns.remove(sock);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        match token & !0xffff_ffff {
            READY => self.try_accept(os, (token & 0xffff_ffff) as usize),
            STALL => {
                let until = self.cfg.stall_for.map(|d| os.now + d);
                let stalled = (self.cfg.stalled as usize).min(self.workers.len());
                for w in 0..stalled {
                    if let Some(worker) = self.workers.get_mut(w) {
                        worker.stalled = true;
                        worker.waiting = None;
                    }
                    self.trace(os, w, WorkerState::Stalled { until });
                }
                if let Some(at) = until {
                    os.set_timer(at, UNSTALL);
                }
            }
            UNSTALL => {
                let stalled = (self.cfg.stalled as usize).min(self.workers.len());
                for w in 0..stalled {
                    if let Some(worker) = self.workers.get_mut(w) {
                        worker.stalled = false;
                    }
                    self.try_accept(os, w);
                }
            }
            _ => {}
        }
    }
}
