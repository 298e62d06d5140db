//! The network: nodes joined by links, driven by the discrete-event scheduler.
//!
//! Frames cross links as bytes: a node emits a [`Frame`], the network serialises it, records
//! it in the trace, queues it on the link, and the receiving node parses the bytes again, so
//! what a view shows is exactly what the receiver processed.

pub mod arp;
pub mod fault;
pub mod host;
pub mod ip;
pub mod link;
pub mod nat;
pub mod router;
pub mod switch;

use crate::apps;
use crate::budget::{Budget, Exceeded, Limit, Progress};
use crate::engine::Scheduler;
use crate::rng::Rng;
use crate::scenario::{Scenario, ScenarioError};
use crate::time::{Duration, Instant};
use crate::trace::{DropReason, EventKind, FrameId, FrameRecord, LinkInfo, NodeId, NodeInfo, NodeKind, Trace};
use crate::wire::{Frame, MacAddr};
use fault::{FaultAction, Faults};
use host::Host;
use link::{Link, LinkDir};
use router::Router;
use switch::Switch;

/// A run stops after this many scheduler events, so that no parameter can hang a browser tab
/// (the standard budget's event limit; [`Budget`] has the others).
pub const MAX_EVENTS: u64 = Budget::STANDARD.events;

/// Default snap length: whole frames, as `tcpdump -s 0` (262144 in libpcap; 65535 covers any
/// frame here).
pub const DEFAULT_SNAPLEN: u32 = 65_535;

/// A scheduled happening.
#[derive(Debug)]
enum Ev {
    /// A frame's last bit reaches the far end of `link` in direction `dir`.
    Arrive { link: usize, dir: usize, frame: FrameId, bytes: Vec<u8>, lost: Option<DropReason> },
    /// The transmitter of `link` in direction `dir` finished a frame.
    TxDone { link: usize, dir: usize },
    /// A node asked to be woken (timers, ARP retries, applications).
    Wake { node: usize },
    /// A frame held for reordering has waited long enough: send it.
    Release { link: usize, dir: usize },
}

/// What a node gets while it handles something.
pub struct NodeEnv<'a> {
    /// Now.
    pub now: Instant,
    /// This node.
    pub node: NodeId,
    /// The run's trace.
    pub trace: &'a mut Trace,
    /// The run's randomness.
    pub rng: &'a mut Rng,
    /// Frames to send: (interface index, frame).
    pub out: &'a mut Vec<(usize, Frame)>,
}

impl NodeEnv<'_> {
    /// Record an event at the current time.
    pub fn event(&mut self, kind: EventKind) {
        self.trace.events.push(crate::trace::Event { t: self.now, kind });
    }
}

/// A node of the network.
pub enum Node {
    /// An end host.
    Host(Box<Host>),
    /// A switch.
    Switch(Switch),
    /// A router.
    Router(Box<Router>),
}

impl Node {
    fn name(&self) -> &str {
        match self {
            Node::Host(h) => &h.name,
            Node::Switch(s) => &s.name,
            Node::Router(r) => &r.name,
        }
    }

    fn on_frame(&mut self, env: &mut NodeEnv, iface: usize, frame: FrameId, bytes: &[u8]) {
        match self {
            Node::Host(h) => h.on_frame(env, frame, bytes),
            Node::Switch(s) => s.on_frame(env, iface, frame, bytes),
            Node::Router(r) => r.on_frame(env, iface, frame, bytes),
        }
    }

    fn on_wake(&mut self, env: &mut NodeEnv) {
        match self {
            Node::Host(h) => h.on_wake(env),
            Node::Switch(_) => {}
            Node::Router(r) => r.on_wake(env),
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        match self {
            Node::Host(h) => h.next_deadline(),
            Node::Switch(_) => None,
            Node::Router(r) => r.next_deadline(),
        }
    }
}

/// A network ready to run.
pub struct Network {
    sched: Scheduler<Ev>,
    nodes: Vec<Node>,
    /// Interfaces of each node: the link and the direction it sends in.
    ifaces: Vec<Vec<(usize, usize)>>,
    links: Vec<Link>,
    wake_at: Vec<Option<Instant>>,
    trace: Trace,
    rng: Rng,
    faults: Faults,
    /// Fault actions decided when a frame was queued, applied when it starts on the wire.
    pending_faults: Vec<(FrameId, Vec<FaultAction>)>,
    stop: Instant,
    /// What this run may use.
    budget: Budget,
    /// Captured bytes of the frames counted so far, and how many frames that is.
    frame_bytes: u64,
    frames_counted: usize,
    /// The run has ended (its stop time, nothing left to do, or a limit).
    done: bool,
}

impl Network {
    /// Build the network a scenario describes.
    pub fn build(s: &Scenario) -> Result<Network, ScenarioError> {
        s.validate()?;
        let mut rng = Rng::new(s.seed);
        let mut nodes: Vec<Node> = vec![];
        let mut trace = Trace { snaplen: s.snaplen.unwrap_or(DEFAULT_SNAPLEN).max(64), ..Trace::default() };
        let index = |name: &str, nodes: &[Node]| nodes.iter().position(|n| n.name() == name);
        let mut mac_seq = 1u32;
        for h in &s.hosts {
            let id = nodes.len() as NodeId;
            let tcp_cfg = h.tcp.clone().unwrap_or_else(|| s.tcp.clone());
            let host_rng = rng.fork(id as u64);
            nodes.push(Node::Host(Box::new(Host::new(id, h, tcp_cfg, MacAddr::local(mac_seq), host_rng))));
            mac_seq += 1;
        }
        for sw in &s.switches {
            nodes.push(Node::Switch(Switch::new(&sw.name)));
        }
        for r in &s.routers {
            nodes.push(Node::Router(Box::new(Router::new(nodes.len() as NodeId, r))));
        }
        let mut ifaces: Vec<Vec<(usize, usize)>> = vec![vec![]; nodes.len()];
        let mut links = vec![];
        for (li, l) in s.links.iter().enumerate() {
            let a = index(&l.a, &nodes)
                .ok_or_else(|| ScenarioError::UnknownNode { name: l.a.clone(), context: format!("links[{li}]") })?;
            let b = index(&l.b, &nodes)
                .ok_or_else(|| ScenarioError::UnknownNode { name: l.b.clone(), context: format!("links[{li}]") })?;
            let ends = [(a, ifaces[a].len()), (b, ifaces[b].len())];
            ifaces[a].push((li, 0));
            ifaces[b].push((li, 1));
            for (end, ip) in [(a, l.a_ip), (b, l.b_ip)] {
                let mac = MacAddr::local(mac_seq);
                mac_seq += 1;
                match &mut nodes[end] {
                    Node::Host(h) => h.attach(li as u16, l.mtu),
                    Node::Switch(sw) => sw.attach(li as u16, mac),
                    Node::Router(r) => {
                        let ip = ip.ok_or_else(|| ScenarioError::Topology {
                            what: format!("links[{li}]: router needs an address"),
                        })?;
                        r.attach(li as u16, mac, ip, l.mtu);
                    }
                }
            }
            links.push(Link {
                bandwidth_bps: (l.bandwidth_mbps * 1e6).round().max(1.0) as u64,
                delay: Duration::from_millis_f64(l.delay_ms),
                mtu: l.mtu,
                loss: l.loss,
                limit: l.queue,
                ends,
                dirs: [LinkDir::default(), LinkDir::default()],
            });
            trace.links.push(LinkInfo {
                a: a as NodeId,
                b: b as NodeId,
                bandwidth_bps: links.last().map(|x: &Link| x.bandwidth_bps).unwrap_or(0),
                delay: Duration::from_millis_f64(l.delay_ms),
                mtu: l.mtu,
            });
        }
        for r in nodes.iter_mut() {
            if let Node::Router(r) = r {
                r.finish_routes();
            }
        }
        if s.warm_arp {
            warm_arp(&mut nodes);
        }
        for n in &nodes {
            trace.nodes.push(match n {
                Node::Host(h) => NodeInfo { name: h.name.clone(), kind: NodeKind::Host, ifaces: h.iface_info() },
                Node::Switch(sw) => NodeInfo { name: sw.name.clone(), kind: NodeKind::Switch, ifaces: sw.iface_info() },
                Node::Router(r) => NodeInfo { name: r.name.clone(), kind: NodeKind::Router, ifaces: r.iface_info() },
            });
        }
        let mut net = Network {
            sched: Scheduler::new(),
            wake_at: vec![None; nodes.len()],
            nodes,
            ifaces,
            links,
            trace,
            rng,
            faults: Faults::new(&s.faults),
            pending_faults: vec![],
            stop: Instant::ZERO + Duration::from_millis_f64(s.stop_ms),
            budget: Budget::STANDARD,
            frame_bytes: 0,
            frames_counted: 0,
            done: false,
        };
        for (i, spec) in s.apps.iter().enumerate() {
            let host = index(spec.host(), &net.nodes).ok_or_else(|| ScenarioError::UnknownNode {
                name: spec.host().to_string(),
                context: format!("apps[{i}]"),
            })?;
            if let Node::Host(h) = &mut net.nodes[host] {
                h.add_app(apps::build(spec), Instant::ZERO + Duration::from_millis_f64(spec.start_ms()));
            }
        }
        for n in 0..net.nodes.len() {
            net.reschedule(n);
        }
        Ok(net)
    }

    /// Run to the stop time (or until nothing is left to do) and return the trace.
    pub fn run(mut self) -> Trace {
        self.drive();
        self.trace
    }

    /// Run like [`Network::run`] and also return each host's TCP counters as its stack holds
    /// them at the end (node id, counters): what `nstat` would print, for checking that the
    /// trace's `Counter` events tell the same story.
    pub fn run_with_counters(mut self) -> (Trace, Vec<(NodeId, crate::tcp::Counters)>) {
        self.drive();
        let counters = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match n {
                Node::Host(h) => Some((i as NodeId, h.tcp.counters().clone())),
                _ => None,
            })
            .collect();
        (self.trace, counters)
    }

    /// Replace the standard budget (tests and benchmarks use smaller ones).
    pub fn with_budget(mut self, budget: Budget) -> Network {
        self.budget = budget;
        self
    }

    /// How far the run has got.
    pub fn progress(&self) -> Progress {
        Progress { now: self.sched.now(), stop: self.stop, events: self.sched.processed() }
    }

    /// Process at most `slice` scheduler events; true once the run has ended (its stop time,
    /// nothing left to do, or a limit of its budget). A driver that wants to stay responsive
    /// calls this in slices and does other work in between; the trace is the same however
    /// the run is sliced.
    pub fn advance(&mut self, slice: u64) -> bool {
        let mut n = 0u64;
        while !self.done && n < slice {
            let Some((now, ev)) = self.sched.pop_until(self.stop) else {
                self.done = true;
                self.trace.end = if self.sched.is_empty() { self.sched.now() } else { self.stop };
                break;
            };
            n += 1;
            if let Some(limit) = self.over_budget() {
                self.exceed(limit);
                break;
            }
            self.handle(now, ev);
        }
        self.done
    }

    /// Stop the run now because of a limit its driver measures (wall time) or because the
    /// person who started it cancelled it. The trace keeps what happened so far.
    pub fn exceed(&mut self, limit: Limit) {
        if self.done {
            return;
        }
        let max = match limit {
            Limit::Events => self.budget.events,
            Limit::TraceEvents => self.budget.trace_events,
            Limit::Frames => self.budget.frames,
            Limit::TraceBytes => self.budget.trace_bytes,
            Limit::WallTime => self.budget.wall_ms,
            Limit::Cancelled => 0,
        };
        self.done = true;
        self.trace.truncated = true;
        self.trace.end = self.sched.now();
        self.trace.limit = Some(Exceeded { limit, max, at: self.sched.now(), stop: self.stop });
    }

    /// The trace so far (the whole run once [`Network::advance`] has returned true).
    pub fn into_trace(self) -> Trace {
        self.trace
    }

    /// The first limit of the budget this run has gone past, if any.
    fn over_budget(&mut self) -> Option<Limit> {
        for f in &self.trace.frames[self.frames_counted..] {
            self.frame_bytes += f.bytes.len() as u64 + std::mem::size_of::<crate::trace::FrameRecord>() as u64;
        }
        self.frames_counted = self.trace.frames.len();
        let events = self.trace.events.len() as u64;
        let bytes = events * std::mem::size_of::<crate::trace::Event>() as u64 + self.frame_bytes;
        let b = &self.budget;
        if self.sched.processed() > b.events {
            Some(Limit::Events)
        } else if events > b.trace_events {
            Some(Limit::TraceEvents)
        } else if self.frames_counted as u64 > b.frames {
            Some(Limit::Frames)
        } else if bytes > b.trace_bytes {
            Some(Limit::TraceBytes)
        } else {
            None
        }
    }

    fn drive(&mut self) {
        while !self.advance(u64::MAX) {}
    }

    /// Handle one scheduler event.
    fn handle(&mut self, now: Instant, ev: Ev) {
        match ev {
            Ev::Arrive { link, dir, frame, bytes, lost } => {
                let (node, iface) = self.links[link].ends[1 - dir];
                if let Some(reason) = lost {
                    self.trace.events.push(crate::trace::Event {
                        t: now,
                        kind: EventKind::FrameDropped { frame, node: None, link: Some(link as u16), reason },
                    });
                    return;
                }
                self.trace.events.push(crate::trace::Event {
                    t: now,
                    kind: EventKind::FrameRx { frame, link: link as u16, node: node as NodeId },
                });
                self.with_node(node, |n, env| n.on_frame(env, iface, frame, &bytes));
            }
            Ev::TxDone { link, dir } => {
                self.links[link].dirs[dir].busy = false;
                self.start_tx(link, dir);
            }
            Ev::Release { link, dir } => {
                if self.links[link].dirs[dir].holding {
                    self.links[link].dirs[dir].holding = false;
                    if let Some(&(head, _)) = self.links[link].dirs[dir].queue.front() {
                        self.clear_reorder(head);
                    }
                    self.start_tx(link, dir);
                }
            }
            Ev::Wake { node } => {
                if self.wake_at[node] == Some(now) {
                    self.wake_at[node] = None;
                }
                self.with_node(node, |n, env| n.on_wake(env));
            }
        }
    }

    /// Let node `n` handle something, then send what it emitted and re-arm its wake-up.
    fn with_node(&mut self, n: usize, f: impl FnOnce(&mut Node, &mut NodeEnv)) {
        let mut out = vec![];
        {
            let mut env = NodeEnv {
                now: self.sched.now(),
                node: n as NodeId,
                trace: &mut self.trace,
                rng: &mut self.rng,
                out: &mut out,
            };
            f(&mut self.nodes[n], &mut env);
        }
        for (iface, frame) in out {
            self.transmit(n, iface, frame);
        }
        self.reschedule(n);
    }

    fn reschedule(&mut self, n: usize) {
        if let Some(t) = self.nodes[n].next_deadline() {
            let now = self.sched.now();
            let t = t.max(now);
            if self.wake_at[n].is_none_or(|w| t < w || w < now) {
                self.wake_at[n] = Some(t);
                self.sched.schedule(t, Ev::Wake { node: n });
            }
        }
    }

    /// Serialise `frame`, record it, apply faults, and queue it on the interface's link.
    fn transmit(&mut self, node: usize, iface: usize, frame: Frame) {
        let Some(&(link, dir)) = self.ifaces[node].get(iface) else { return };
        let mut bytes = frame.to_bytes();
        let l = &self.links[link];
        if l.limit.ecn_threshold.is_some_and(|k| l.dirs[dir].queue.len() as u32 >= k) {
            link::mark_ce(&mut bytes);
        }
        let id = self.record(&bytes);
        let now = self.sched.now();
        let actions = self.faults.check(self.nodes[node].name(), &frame);
        let l = &mut self.links[link];
        let len = bytes.len() as u32;
        if !l.dirs[dir].admits(&l.limit, len) {
            self.trace.events.push(crate::trace::Event {
                t: now,
                kind: EventKind::FrameDropped {
                    frame: id,
                    node: Some(node as NodeId),
                    link: Some(link as u16),
                    reason: DropReason::QueueFull,
                },
            });
            return;
        }
        let d = &mut l.dirs[dir];
        d.queued_bytes += len;
        d.queue.push_back((id, bytes));
        let (depth_packets, depth_bytes) = (d.queue.len() as u32, d.queued_bytes);
        self.trace.events.push(crate::trace::Event {
            t: now,
            kind: EventKind::FrameQueued {
                frame: id,
                link: link as u16,
                from: node as NodeId,
                depth_packets,
                depth_bytes,
            },
        });
        if !actions.is_empty() {
            self.pending_faults.push((id, actions));
        }
        self.start_tx(link, dir);
    }

    fn marked_reorder(&self, frame: FrameId) -> bool {
        self.pending_faults.iter().any(|(f, a)| *f == frame && a.contains(&FaultAction::Reorder))
    }

    fn clear_reorder(&mut self, frame: FrameId) {
        for (f, a) in &mut self.pending_faults {
            if *f == frame {
                a.retain(|x| *x != FaultAction::Reorder);
            }
        }
    }

    fn record(&mut self, bytes: &[u8]) -> FrameId {
        let id = self.trace.frames.len() as FrameId;
        let keep = bytes.len().min(self.trace.snaplen as usize);
        self.trace.frames.push(FrameRecord { bytes: bytes[..keep].to_vec(), orig_len: bytes.len() as u32 });
        id
    }

    /// If the transmitter is idle, put the next queued frame on the wire.
    fn start_tx(&mut self, link: usize, dir: usize) {
        let now = self.sched.now();
        if self.links[link].dirs[dir].busy {
            return;
        }
        if let Some(&(head, _)) = self.links[link].dirs[dir].queue.front() {
            if self.marked_reorder(head) {
                let d = &mut self.links[link].dirs[dir];
                if d.queue.len() >= 2 {
                    // The next frame overtakes the marked one.
                    d.queue.swap(0, 1);
                    d.holding = false;
                    self.clear_reorder(head);
                } else {
                    if !d.holding {
                        d.holding = true;
                        self.sched.schedule(now + fault::REORDER_HOLD, Ev::Release { link, dir });
                    }
                    return;
                }
            }
        }
        let l = &mut self.links[link];
        let Some((frame, bytes)) = l.dirs[dir].queue.pop_front() else { return };
        let (depth_packets, depth_bytes) =
            (l.dirs[dir].queue.len() as u32, l.dirs[dir].queued_bytes - bytes.len() as u32);
        let len = bytes.len() as u32;
        l.dirs[dir].queued_bytes -= len;
        l.dirs[dir].busy = true;
        let done = now + l.serialisation(len);
        let mut arrives = l.arrival(now, len);
        let (from, to) = (l.ends[dir].0, l.ends[1 - dir].0);
        let mut lost = if l.loss > 0.0 && self.rng.chance(l.loss) { Some(DropReason::LinkLoss) } else { None };
        let mut duplicate = false;
        if let Some(i) = self.pending_faults.iter().position(|(f, _)| *f == frame) {
            let (_, actions) = self.pending_faults.swap_remove(i);
            for a in actions {
                match a {
                    FaultAction::Drop => lost = Some(DropReason::Fault),
                    FaultAction::Delay { ms } => arrives += Duration::from_millis_f64(ms),
                    FaultAction::Duplicate => duplicate = true,
                    FaultAction::Reorder => {}
                }
            }
        }
        self.trace.events.push(crate::trace::Event {
            t: now,
            kind: EventKind::FrameTx {
                frame,
                link: link as u16,
                from: from as NodeId,
                to: to as NodeId,
                arrives,
                depth_packets,
                depth_bytes,
            },
        });
        self.sched.schedule(done, Ev::TxDone { link, dir });
        if duplicate && lost.is_none() {
            let copy = self.record(&bytes);
            self.trace.events.push(crate::trace::Event {
                t: now,
                kind: EventKind::FrameTx {
                    frame: copy,
                    link: link as u16,
                    from: from as NodeId,
                    to: to as NodeId,
                    arrives,
                    depth_packets,
                    depth_bytes,
                },
            });
            self.sched.schedule(arrives, Ev::Arrive { link, dir, frame: copy, bytes: bytes.clone(), lost: None });
        }
        self.sched.schedule(arrives, Ev::Arrive { link, dir, frame, bytes, lost });
    }
}

/// Fill every ARP cache with the neighbours on its subnets (`Scenario::warm_arp`).
fn warm_arp(nodes: &mut [Node]) {
    let all: Vec<(crate::scenario::Cidr, MacAddr)> = nodes
        .iter()
        .flat_map(|n| match n {
            Node::Host(h) => h.l3_ifaces(),
            Node::Router(r) => r.l3_ifaces(),
            Node::Switch(_) => vec![],
        })
        .collect();
    for n in nodes.iter_mut() {
        let (mine, cache) = match n {
            Node::Host(h) => (h.l3_ifaces(), h.arp_mut()),
            Node::Router(r) => (r.l3_ifaces(), r.arp_mut()),
            Node::Switch(_) => continue,
        };
        for (cidr, mac) in &all {
            if mine.iter().any(|(m, own)| m.contains(cidr.addr) && own != mac) {
                cache.learn(cidr.addr, *mac);
            }
        }
    }
}
