//! A tiny network for TCP tests: N hosts with one `TcpStack` each, joined by a wire with a
//! fixed one-way delay, optional random loss and scripted drops. Time is driven by the
//! simulation scheduler and each stack's `poll_at`.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddrV4;
use wirewise_sim::engine::Scheduler;
use wirewise_sim::rng::Rng;
use wirewise_sim::stack::{Notice, StackCtx};
use wirewise_sim::tcp::{TcpConfig, TcpStack, TcpState};
use wirewise_sim::time::{Duration, Instant};
use wirewise_sim::trace::{EventKind, SockId, Trace};
use wirewise_sim::wire::{Ipv4Addr, TcpRepr, Transport};

/// A scheduled happening.
pub enum Ev {
    Deliver { to: usize, src: Ipv4Addr, dst: Ipv4Addr, seg: TcpRepr },
    Wake(usize),
    App(usize),
    Tick,
}

/// One segment put on the wire.
#[derive(Debug, Clone)]
pub struct Sent {
    pub t: Instant,
    pub from: usize,
    pub to: Option<usize>,
    pub seg: TcpRepr,
    pub dropped: bool,
}

type AppFn = Box<dyn FnOnce(&mut Net)>;
type Hook = Box<dyn FnMut(&mut Net, usize, Notice)>;
type Pred = Box<dyn Fn(usize, &TcpRepr) -> bool>;

struct DropRule {
    pred: Pred,
    /// Drop the k-th match (1-based); 0 drops every match.
    k: u32,
    seen: u32,
}

pub struct Host {
    pub stack: TcpStack,
    pub ip: Ipv4Addr,
}

pub struct Net {
    pub sched: Scheduler<Ev>,
    pub hosts: Vec<Host>,
    pub trace: Trace,
    pub rng: Rng,
    loss_rng: Rng,
    pub delay: Duration,
    pub loss: f64,
    rules: Vec<DropRule>,
    pub log: Vec<Sent>,
    pub notices: Vec<(Instant, usize, Notice)>,
    pending: VecDeque<(usize, Notice)>,
    apps: Vec<Option<AppFn>>,
    hook: Option<Hook>,
    wake_at: Vec<Option<Instant>>,
    /// Bytes waiting to be written, per (host, socket).
    pub outbox: BTreeMap<(usize, SockId), VecDeque<u8>>,
    /// Bytes read so far, per (host, socket), for sockets that read automatically.
    pub inbox: BTreeMap<(usize, SockId), Vec<u8>>,
    /// Sockets that have read end-of-stream.
    pub eof: BTreeSet<(usize, SockId)>,
    auto_read: BTreeSet<(usize, SockId)>,
    auto_accept: BTreeSet<(usize, SockId)>,
    /// Connections accepted automatically: (host, listener, child).
    pub accepted: Vec<(usize, SockId, SockId)>,
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn at_ms(n: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(n)
}

impl Net {
    /// Hosts 10.0.0.1, 10.0.0.2, ... with the given settings.
    /// Hosts with `cfgs`, their timers on exact time (`hz = 0`): these tests check each rule
    /// at its nominal instant. [`Net::with_ticks`] keeps each host's `CONFIG_HZ`.
    pub fn new(cfgs: Vec<TcpConfig>, delay: Duration, seed: u64) -> Net {
        let exact = cfgs.into_iter().map(|c| TcpConfig { hz: 0, ..c }).collect();
        Net::with_ticks(exact, delay, seed)
    }

    /// Hosts with `cfgs` as given, timers in each host's ticks (`TcpConfig::hz`).
    pub fn with_ticks(cfgs: Vec<TcpConfig>, delay: Duration, seed: u64) -> Net {
        let hosts: Vec<Host> = cfgs
            .into_iter()
            .enumerate()
            .map(|(i, c)| Host { stack: TcpStack::new(c), ip: Ipv4Addr::new(10, 0, 0, 1 + i as u8) })
            .collect();
        let n = hosts.len();
        Net {
            sched: Scheduler::new(),
            hosts,
            trace: Trace::default(),
            rng: Rng::new(seed),
            loss_rng: Rng::new(seed ^ 0x5eed),
            delay,
            loss: 0.0,
            rules: Vec::new(),
            log: Vec::new(),
            notices: Vec::new(),
            pending: VecDeque::new(),
            apps: Vec::new(),
            hook: None,
            wake_at: vec![None; n],
            outbox: BTreeMap::new(),
            inbox: BTreeMap::new(),
            eof: BTreeSet::new(),
            auto_read: BTreeSet::new(),
            auto_accept: BTreeSet::new(),
            accepted: Vec::new(),
        }
    }

    /// Two Linux hosts.
    pub fn pair(delay: Duration) -> Net {
        Net::new(vec![TcpConfig::linux(), TcpConfig::linux()], delay, 1)
    }

    pub fn ip(&self, h: usize) -> Ipv4Addr {
        self.hosts[h].ip
    }

    pub fn addr(&self, h: usize, port: u16) -> SocketAddrV4 {
        SocketAddrV4::new(self.ip(h), port)
    }

    pub fn now(&self) -> Instant {
        self.sched.now()
    }

    /// Run `f` at `t`.
    pub fn at(&mut self, t: Instant, f: impl FnOnce(&mut Net) + 'static) {
        self.apps.push(Some(Box::new(f)));
        let i = self.apps.len() - 1;
        self.sched.schedule(t, Ev::App(i));
    }

    /// Call `f` for every notice any host gives its applications.
    pub fn on_notice(&mut self, f: impl FnMut(&mut Net, usize, Notice) + 'static) {
        self.hook = Some(Box::new(f));
    }

    /// Drop the k-th (1-based) segment matching `pred(from_host, seg)`.
    pub fn drop_nth(&mut self, k: u32, pred: impl Fn(usize, &TcpRepr) -> bool + 'static) {
        self.rules.push(DropRule { pred: Box::new(pred), k, seen: 0 });
    }

    /// Drop every segment matching `pred`.
    pub fn drop_all(&mut self, pred: impl Fn(usize, &TcpRepr) -> bool + 'static) {
        self.drop_nth(0, pred);
    }

    /// Call into host `h`'s stack with a context at the current time, then carry what it
    /// sent and note what it told its applications.
    pub fn with<R>(&mut self, h: usize, f: impl FnOnce(&mut TcpStack, &mut StackCtx) -> R) -> R {
        let now = self.sched.now();
        let mut out = Vec::new();
        let mut notices = Vec::new();
        let r = {
            let mut ctx = StackCtx {
                now,
                node: h as u16,
                rng: &mut self.rng,
                trace: &mut self.trace,
                out: &mut out,
                notices: &mut notices,
            };
            f(&mut self.hosts[h].stack, &mut ctx)
        };
        for p in out {
            let Transport::Tcp(seg) = p.transport else { continue };
            let to = self.hosts.iter().position(|x| x.ip == p.dst);
            let mut dropped = to.is_none();
            for rule in &mut self.rules {
                if (rule.pred)(h, &seg) {
                    rule.seen += 1;
                    if rule.k == 0 || rule.seen == rule.k {
                        dropped = true;
                    }
                }
            }
            if self.loss > 0.0 && self.loss_rng.chance(self.loss) {
                dropped = true;
            }
            self.log.push(Sent { t: now, from: h, to, seg: seg.clone(), dropped });
            if let (false, Some(to)) = (dropped, to) {
                let ev = Ev::Deliver { to, src: p.src, dst: p.dst, seg };
                self.sched.schedule(now + self.delay, ev);
            }
        }
        if let Some(p) = self.hosts[h].stack.poll_at() {
            if self.wake_at[h].is_none_or(|w| p < w || w < now) {
                self.wake_at[h] = Some(p);
                self.sched.schedule(p, Ev::Wake(h));
            }
        }
        for n in notices {
            self.notices.push((now, h, n.clone()));
            self.pending.push_back((h, n));
        }
        r
    }

    /// Process events up to and including `t`.
    pub fn run_until(&mut self, t: Instant) {
        self.drain_notices();
        // So that the clock reads `t` afterwards.
        self.sched.schedule(t, Ev::Tick);
        while let Some((now, ev)) = self.sched.pop_until(t) {
            match ev {
                Ev::Deliver { to, src, dst, seg } => {
                    self.with(to, |s, ctx| s.on_segment(ctx, src, dst, seg));
                }
                Ev::Wake(h) => {
                    if self.wake_at[h] == Some(now) {
                        self.wake_at[h] = None;
                    }
                    self.with(h, |s, ctx| s.poll(ctx));
                }
                Ev::Tick => {}
                Ev::App(i) => {
                    if let Some(f) = self.apps.get_mut(i).and_then(Option::take) {
                        f(self);
                    }
                }
            }
            self.drain_notices();
        }
    }

    /// Write `data` on `sock`, continuing on `Writable` until all of it is taken.
    pub fn send_all(&mut self, h: usize, sock: SockId, data: &[u8]) {
        self.outbox.entry((h, sock)).or_default().extend(data);
        self.pump(h, sock);
    }

    fn pump(&mut self, h: usize, sock: SockId) {
        loop {
            let Some(q) = self.outbox.get(&(h, sock)) else { return };
            if q.is_empty() {
                return;
            }
            let chunk: Vec<u8> = q.iter().take(65536).copied().collect();
            match self.with(h, |s, c| s.write(c, sock, &chunk)) {
                Ok(n) => {
                    if let Some(q) = self.outbox.get_mut(&(h, sock)) {
                        q.drain(..n);
                    }
                }
                Err(wirewise_sim::stack::SockError::WouldBlock) => return,
                Err(_) => {
                    self.outbox.remove(&(h, sock));
                    return;
                }
            }
        }
    }

    /// Read everything that arrives on `sock` into `inbox`.
    pub fn auto_read(&mut self, h: usize, sock: SockId) {
        self.auto_read.insert((h, sock));
        self.inbox.entry((h, sock)).or_default();
        self.drain_reads(h, sock);
    }

    /// Accept every connection of `listener` and read it automatically.
    pub fn auto_accept(&mut self, h: usize, listener: SockId) {
        self.auto_accept.insert((h, listener));
    }

    fn drain_reads(&mut self, h: usize, sock: SockId) {
        loop {
            match self.with(h, |s, c| s.read(c, sock, 1 << 20)) {
                Ok(v) if v.is_empty() => {
                    self.eof.insert((h, sock));
                    return;
                }
                Ok(v) => self.inbox.entry((h, sock)).or_default().extend(v),
                Err(_) => return,
            }
        }
    }

    /// Bytes read so far on `sock`.
    pub fn received(&self, h: usize, sock: SockId) -> &[u8] {
        self.inbox.get(&(h, sock)).map_or(&[], |v| v.as_slice())
    }

    fn builtin_apps(&mut self, h: usize, n: &Notice) {
        match *n {
            Notice::Writable { sock } | Notice::Connected { sock } => self.pump(h, sock),
            Notice::Readable { sock } | Notice::PeerClosed { sock } if self.auto_read.contains(&(h, sock)) => {
                self.drain_reads(h, sock);
            }
            Notice::AcceptReady { listener } if self.auto_accept.contains(&(h, listener)) => {
                while let Some(c) = self.with(h, |s, x| s.accept(x, listener)) {
                    self.accepted.push((h, listener, c));
                    self.auto_read(h, c);
                }
            }
            _ => {}
        }
    }

    fn drain_notices(&mut self) {
        while let Some((h, n)) = self.pending.pop_front() {
            self.builtin_apps(h, &n);
            if let Some(mut hook) = self.hook.take() {
                hook(self, h, n);
                if self.hook.is_none() {
                    self.hook = Some(hook);
                }
            }
        }
    }

    // ---- convenience wrappers around the sockets API ----

    pub fn listen(&mut self, h: usize, port: u16, backlog: u32) -> SockId {
        let a = self.addr(h, port);
        self.with(h, |s, c| s.listen(c, a, backlog)).expect("listen")
    }

    pub fn connect(&mut self, h: usize, to: SocketAddrV4) -> SockId {
        let ip = self.ip(h);
        self.with(h, |s, c| s.connect(c, ip, to)).expect("connect")
    }

    pub fn state(&self, h: usize, sock: SockId) -> TcpState {
        self.hosts[h].stack.state(sock)
    }

    pub fn counter(&self, h: usize, name: &str) -> u64 {
        self.hosts[h].stack.counters().get(name)
    }

    /// Segments sent by host `h`, in order.
    pub fn sent_by(&self, h: usize) -> Vec<&Sent> {
        self.log.iter().filter(|s| s.from == h).collect()
    }

    /// The state sequence of `sock` as traced: first `from`, then every `to`.
    pub fn states_of(&self, sock: SockId) -> Vec<TcpState> {
        let mut v = Vec::new();
        for e in &self.trace.events {
            if let EventKind::TcpState { sock: s, from, to } = &e.kind {
                if *s == sock {
                    if v.is_empty() {
                        v.push(*from);
                    }
                    v.push(*to);
                }
            }
        }
        v
    }

    /// When `sock` entered `state`, if it did.
    pub fn entered(&self, sock: SockId, state: TcpState) -> Option<Instant> {
        self.trace.events.iter().find_map(|e| match &e.kind {
            EventKind::TcpState { sock: s, to, .. } if *s == sock && *to == state => Some(e.t),
            _ => None,
        })
    }

    /// Every traced transition is an arc of RFC 9293 Figure 5.
    pub fn assert_transitions_valid(&self) {
        for e in &self.trace.events {
            if let EventKind::TcpState { from, to, sock } = &e.kind {
                assert!(from.may_transition_to(*to), "sock {sock}: {from} -> {to}");
            }
        }
    }

    /// Trace events are in time order.
    pub fn assert_trace_sorted(&self) {
        assert!(self.trace.events.windows(2).all(|w| w[0].t <= w[1].t));
    }
}

/// Seconds as f64 since the start.
pub fn secs(t: Instant) -> f64 {
    t.as_secs_f64()
}

/// True when `a` is within `tol` seconds of `b`.
pub fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}
