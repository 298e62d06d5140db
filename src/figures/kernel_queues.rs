//! `kernel-queues`: the kernel queues lab. One of the `queues-*` simulation presets runs a
//! worker-pool server under load; the figure draws, at the time cursor, what the server's
//! kernel holds: each listener's SYN queue (request socks and their SYN-ACK retry timers)
//! and accept queue (a FIFO of established connections, capacity backlog + 1), the worker
//! threads, what the kernel decided for each SYN and final ACK at the NIC, every client's
//! state and connect() latency, `ss -lnt`, `nstat` and a histogram of connect latency.
//!
//! Everything comes from the trace. A run has tens of thousands of events, so [`Tables`]
//! turns it once into per-socket step series and intervals; a frame then reads them by
//! binary search.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::styled::{width_style, Styled};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddrV4;
use std::rc::Rc;
use wirewise_sim::params::ParamSet;
use wirewise_sim::summary::histogram;
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{
    AppCall, EventKind, ListenAction, NodeId, QueueKind, SockId, SockKind, TimerAction, TimerKind, Trace, WorkerState,
};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "The queue rules, counters and timers follow Linux 6.x as measured: accept-queue capacity \
     min(backlog, somaxconn) + 1, SYNs dropped while it is full, SYN-ACKs resent 1, 3, 7, 15 and 31 s after the SYN, \
     syncookies and tcp_abort_on_overflow. Simplified: one CPU with no softirq or scheduler delay; each worker serves a \
     connection in a fixed 1/rate; the SO_REUSEPORT hash key comes from the run's seed; clients are \
     shown by state, not packet by packet.";

/// The nstat counters the panel lists (nstat prints the TcpExt ones with that prefix).
pub const NSTAT_NAMES: &[(&str, &str)] = &[
    ("ListenOverflows", "TcpExtListenOverflows"),
    ("ListenDrops", "TcpExtListenDrops"),
    ("SyncookiesSent", "TcpExtSyncookiesSent"),
    ("SyncookiesRecv", "TcpExtSyncookiesRecv"),
    ("TCPReqQFullDoCookies", "TcpExtTCPReqQFullDoCookies"),
    ("TCPReqQFullDrop", "TcpExtTCPReqQFullDrop"),
    ("EmbryonicRsts", "TcpExtEmbryonicRsts"),
    ("TcpPassiveOpens", "TcpPassiveOpens"),
];

/// Runs the chosen scenario with the sliders it declares.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let name = params.choice("preset");
    let preset = wirewise_sim::presets::find(name)
        .ok_or_else(|| format!("there is no scenario called '{}'", wirewise_sim::text::clip(name)))?;
    let pairs: Vec<(&str, String)> =
        preset.params.iter().filter_map(|s| params.get(s.name).map(|v| (s.name, v.to_string()))).collect();
    let main = run_preset(name, &pairs, seed)?;
    Ok(Runs { main, others: Vec::new() })
}

/// The last value of a step series at or before `t`.
fn at<T: Copy>(series: &[(Instant, T)], t: Instant) -> Option<T> {
    let i = series.partition_point(|(x, _)| *x <= t);
    (i > 0).then(|| series[i - 1].1)
}

/// A stay in a queue: from `from` (inclusive) to `to` (exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Stay {
    /// The request sock or child connection.
    pub sock: SockId,
    /// The client (or spoofed source) behind it.
    pub peer: SocketAddrV4,
    /// Joined the queue.
    pub from: Instant,
    /// Left it (`Instant(u64::MAX)` if it never did).
    pub to: Instant,
    /// Completed with a syncookie (never in the SYN queue).
    pub cookie: bool,
}

impl Stay {
    fn holds(&self, t: Instant) -> bool {
        self.from <= t && t < self.to
    }
}

/// One listening socket over the run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListenerTable {
    /// The socket.
    pub sock: SockId,
    /// Its address.
    pub local: Option<SocketAddrV4>,
    /// The backlog passed to listen().
    pub requested: u32,
    /// min(backlog, somaxconn): `ss` Send-Q.
    pub send_q: Vec<(Instant, u32)>,
    /// Accept-queue length: `ss` Recv-Q.
    pub recv_q: Vec<(Instant, u32)>,
    /// SYN-queue length and the limit it is tested against.
    pub syn_len: Vec<(Instant, (u32, u32))>,
    /// Part of an SO_REUSEPORT group.
    pub reuseport: bool,
    /// When it closed.
    pub closed: Option<Instant>,
    /// Request socks, by time they joined.
    pub syn: Vec<Stay>,
    /// Connections in the accept queue, by time they joined (FIFO order).
    pub accept: Vec<Stay>,
    /// Each worker's states, by worker number.
    pub workers: BTreeMap<u32, Vec<(Instant, WorkerState)>>,
}

/// One client connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientTable {
    /// The socket.
    pub sock: SockId,
    /// Its local address (the ephemeral port names it).
    pub local: SocketAddrV4,
    /// TCP states over time.
    pub states: Vec<(Instant, TcpState)>,
    /// connect() called.
    pub connect: Option<Instant>,
    /// connect() returned: when and whether it succeeded.
    pub done: Option<(Instant, bool)>,
    /// The request was answered.
    pub served: Option<Instant>,
    /// A call failed after connect() (a reset).
    pub failed: Option<(Instant, String)>,
}

/// What a client is doing at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientPhase {
    /// connect() not called yet.
    NotStarted,
    /// SYN sent, no SYN-ACK accepted yet.
    Connecting,
    /// connect() returned; the server has not answered the request yet.
    Waiting,
    /// The request was answered.
    Served,
    /// Reset or connect() failed.
    Failed,
}

impl ClientPhase {
    /// Name in the legend.
    pub fn label(self) -> &'static str {
        match self {
            ClientPhase::NotStarted => "not started",
            ClientPhase::Connecting => "SYN-SENT: connecting",
            ClientPhase::Waiting => "ESTABLISHED: waiting for the server",
            ClientPhase::Served => "served",
            ClientPhase::Failed => "reset or failed",
        }
    }
    fn class(self) -> &'static str {
        match self {
            ClientPhase::NotStarted => "ww-kq-c-idle",
            ClientPhase::Connecting => "ww-kq-c-syn",
            ClientPhase::Waiting => "ww-kq-c-est",
            ClientPhase::Served => "ww-kq-c-done",
            ClientPhase::Failed => "ww-kq-c-fail",
        }
    }
    const ALL: [ClientPhase; 5] = [
        ClientPhase::NotStarted,
        ClientPhase::Connecting,
        ClientPhase::Waiting,
        ClientPhase::Served,
        ClientPhase::Failed,
    ];
}

impl ClientTable {
    /// The phase at `t`.
    pub fn phase(&self, t: Instant) -> ClientPhase {
        let le = |x: Option<Instant>| x.is_some_and(|x| x <= t);
        if le(self.failed.as_ref().map(|f| f.0)) || self.done.is_some_and(|(d, ok)| !ok && d <= t) {
            return ClientPhase::Failed;
        }
        if le(self.served) {
            return ClientPhase::Served;
        }
        if !le(self.connect) {
            return ClientPhase::NotStarted;
        }
        match at(&self.states, t) {
            Some(TcpState::SynSent) | None => ClientPhase::Connecting,
            Some(TcpState::Closed) if !le(self.done.map(|d| d.0)) => ClientPhase::Connecting,
            _ => ClientPhase::Waiting,
        }
    }
}

/// What the kernel did with one SYN or final ACK.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// When.
    pub t: Instant,
    /// Index of the listener in [`Tables::listeners`].
    pub listener: usize,
    /// The sender.
    pub peer: SocketAddrV4,
    /// What happened.
    pub action: ListenAction,
}

/// Everything the figure reads, precomputed once per run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tables {
    /// The server host.
    pub server: NodeId,
    /// Its listening sockets, in socket order.
    pub listeners: Vec<ListenerTable>,
    /// Client connections, in socket order.
    pub clients: Vec<ClientTable>,
    /// Listener decisions in time order.
    pub decisions: Vec<Decision>,
    /// The server's counters: name → (time, cumulative value).
    pub counters: BTreeMap<String, Vec<(Instant, u64)>>,
    /// Successful connect()s: when they returned and their latency in ms, in time order.
    pub latencies: Vec<(Instant, f64)>,
    /// SYN-ACK timer of each request sock: (time, expiry if armed, fired).
    pub synack: HashMap<SockId, Vec<(Instant, Option<Instant>, bool)>>,
    /// Receive-buffer bytes of each server-side connection.
    pub recv: HashMap<SockId, Vec<(Instant, u32)>>,
    /// Send-buffer bytes (written, not yet acknowledged) of each server-side connection.
    pub send: HashMap<SockId, Vec<(Instant, u32)>>,
}

const NEVER: Instant = Instant(u64::MAX);

impl Tables {
    /// Reads a trace once.
    pub fn build(trace: &Trace) -> Tables {
        let server = trace.node_named("server").unwrap_or(0);
        let mut tb = Tables { server, ..Tables::default() };
        let mut lidx: HashMap<SockId, usize> = HashMap::new();
        let mut cidx: HashMap<SockId, usize> = HashMap::new();
        for (i, s) in trace.sockets.iter().enumerate() {
            let sock = i as SockId;
            if s.kind == SockKind::TcpListener && s.node == server {
                lidx.insert(sock, tb.listeners.len());
                tb.listeners.push(ListenerTable { sock, local: Some(s.local), ..ListenerTable::default() });
            } else if s.kind == SockKind::TcpConn && s.parent.is_none() && s.node != server {
                cidx.insert(sock, tb.clients.len());
                tb.clients.push(ClientTable {
                    sock,
                    local: s.local,
                    states: Vec::new(),
                    connect: None,
                    done: None,
                    served: None,
                    failed: None,
                });
            }
        }
        // Where each queued sock sits: (listener, index in syn or accept).
        let mut in_syn: HashMap<SockId, (usize, usize)> = HashMap::new();
        let mut in_accept: HashMap<SockId, (usize, usize)> = HashMap::new();
        let mut connect_at: HashMap<SockId, Instant> = HashMap::new();
        let parent_of = |sock: SockId| trace.sockets.get(sock as usize).and_then(|s| s.parent);
        for e in &trace.events {
            let t = e.t;
            match &e.kind {
                EventKind::Backlog { sock, requested, max_backlog, reuseport } => {
                    if let Some(l) = lidx.get(sock).map(|&i| &mut tb.listeners[i]) {
                        l.requested = *requested;
                        l.send_q.push((t, *max_backlog));
                        l.reuseport = *reuseport;
                    }
                }
                EventKind::Queue { sock, queue, len, cap } => match queue {
                    QueueKind::Accept => {
                        if let Some(&i) = lidx.get(sock) {
                            tb.listeners[i].recv_q.push((t, *len));
                        }
                    }
                    QueueKind::Syn => {
                        if let Some(&i) = lidx.get(sock) {
                            tb.listeners[i].syn_len.push((t, (*len, *cap)));
                        }
                    }
                    QueueKind::Recv if parent_of(*sock).is_some() => {
                        tb.recv.entry(*sock).or_default().push((t, *len));
                    }
                    QueueKind::Send if parent_of(*sock).is_some() => {
                        tb.send.entry(*sock).or_default().push((t, *len));
                    }
                    _ => {}
                },
                EventKind::Listen { sock, peer, action } => {
                    let Some(&li) = lidx.get(sock) else { continue };
                    tb.decisions.push(Decision { t, listener: li, peer: *peer, action: *action });
                    let l = &mut tb.listeners[li];
                    let mut leave_syn = |s: SockId, l: &mut ListenerTable| {
                        if let Some((_, k)) = in_syn.remove(&s) {
                            l.syn[k].to = t;
                        }
                    };
                    match *action {
                        ListenAction::SynQueued { sock: s } => {
                            in_syn.insert(s, (li, l.syn.len()));
                            l.syn.push(Stay { sock: s, peer: *peer, from: t, to: NEVER, cookie: false });
                        }
                        ListenAction::Established { sock: s, cookie } => {
                            leave_syn(s, l);
                            in_accept.insert(s, (li, l.accept.len()));
                            l.accept.push(Stay { sock: s, peer: *peer, from: t, to: NEVER, cookie });
                        }
                        ListenAction::FastOpen { sock: s, .. } => {
                            in_accept.insert(s, (li, l.accept.len()));
                            l.accept.push(Stay { sock: s, peer: *peer, from: t, to: NEVER, cookie: false });
                        }
                        ListenAction::AckReset { sock: s } | ListenAction::RequestExpired { sock: s } => {
                            leave_syn(s, l)
                        }
                        ListenAction::ChildClosed { sock: s } => {
                            leave_syn(s, l);
                            if let Some((_, k)) = in_accept.remove(&s) {
                                l.accept[k].to = t;
                            }
                        }
                        _ => {}
                    }
                }
                EventKind::App { call: AppCall::Accept { listener, sock }, .. } => {
                    if let (Some(&li), Some((_, k))) = (lidx.get(listener), in_accept.remove(sock)) {
                        tb.listeners[li].accept[k].to = t;
                    }
                }
                EventKind::App { call: AppCall::Worker { listener, worker, state }, .. } => {
                    if let Some(&li) = lidx.get(listener) {
                        tb.listeners[li].workers.entry(*worker).or_default().push((t, *state));
                    }
                }
                EventKind::App { call: AppCall::Connect { sock, .. }, .. } => {
                    connect_at.insert(*sock, t);
                    if let Some(&ci) = cidx.get(sock) {
                        tb.clients[ci].connect = Some(t);
                    }
                }
                EventKind::App { call: AppCall::ConnectDone { sock, result }, .. } => {
                    if let Some(&ci) = cidx.get(sock) {
                        tb.clients[ci].done = Some((t, result.is_ok()));
                    }
                    if let (Ok(()), Some(c)) = (result, connect_at.get(sock)) {
                        tb.latencies.push((t, (t - *c).0 as f64 / 1e6));
                    }
                }
                EventKind::App { call: AppCall::Exchange { sock, .. }, .. } => {
                    if let Some(&ci) = cidx.get(sock) {
                        tb.clients[ci].served.get_or_insert(t);
                    }
                }
                EventKind::App { call: AppCall::Failed { sock, call, error }, .. } => {
                    if let Some(&ci) = cidx.get(sock) {
                        tb.clients[ci].failed.get_or_insert((t, format!("{call}(): {error}")));
                    }
                }
                EventKind::TcpState { sock, from, to } => {
                    if let Some(&ci) = cidx.get(sock) {
                        tb.clients[ci].states.push((t, *to));
                    } else if *from == TcpState::Listen && *to == TcpState::Closed {
                        if let Some(&li) = lidx.get(sock) {
                            let l = &mut tb.listeners[li];
                            l.closed = Some(t);
                            for s in l.syn.iter_mut().chain(l.accept.iter_mut()) {
                                if s.to == NEVER {
                                    s.to = t;
                                }
                            }
                        }
                    }
                }
                EventKind::Timer { sock, timer: TimerKind::SynAck, action } => {
                    let entry = tb.synack.entry(*sock).or_default();
                    match action {
                        TimerAction::Set { expires } => entry.push((t, Some(*expires), false)),
                        TimerAction::Fired => entry.push((t, None, true)),
                        TimerAction::Cancelled => entry.push((t, None, false)),
                    }
                }
                EventKind::Counter { node, name, value } if *node == server => {
                    tb.counters.entry(name.clone()).or_default().push((t, *value));
                }
                _ => {}
            }
        }
        tb
    }

    /// A server counter at `t` (0 if not counted yet).
    pub fn counter(&self, name: &str, t: Instant) -> u64 {
        self.counters.get(name).and_then(|s| at(s, t)).unwrap_or(0)
    }

    /// `ss -lnt` for listener `i` at `t`: (Recv-Q, Send-Q, SYN-RECV), or `None` before
    /// listen() or after close.
    pub fn ss_row(&self, i: usize, t: Instant) -> Option<(u32, u32, u32)> {
        let l = &self.listeners[i];
        let send_q = at(&l.send_q, t)?;
        if l.closed.is_some_and(|c| c <= t) {
            return None;
        }
        Some((at(&l.recv_q, t).unwrap_or(0), send_q, at(&l.syn_len, t).map_or(0, |x| x.0)))
    }

    /// Connect latencies of every connect() that had returned by `t`, in ms.
    pub fn latencies_until(&self, t: Instant) -> Vec<f64> {
        let n = self.latencies.partition_point(|(x, _)| *x <= t);
        self.latencies[..n].iter().map(|x| x.1).collect()
    }

    /// The SYN-ACK timer of request sock `sock` at `t`: (SYN-ACKs resent so far, next expiry).
    pub fn synack_at(&self, sock: SockId, t: Instant) -> (usize, Option<Instant>) {
        let Some(series) = self.synack.get(&sock) else { return (0, None) };
        let n = series.partition_point(|x| x.0 <= t);
        let resent = series[..n].iter().filter(|x| x.2).count();
        (resent, n.checked_sub(1).and_then(|i| series[i].1))
    }
}

/// The tables of `run`, built on first use and kept while the run lives.
pub fn tables(run: &Rc<Run>) -> Rc<Tables> {
    super::runner::per_run(run, Tables::build)
}

fn secs(ns: u64) -> String {
    format::duration(ns)
}

fn peer_label(peer: SocketAddrV4) -> String {
    if peer.ip().octets()[0] == 198 && (peer.ip().octets()[1] & 0xfe) == 18 {
        format!("spoofed {}", peer.ip())
    } else {
        format!("{}:{}", peer.ip(), peer.port())
    }
}

/// Short text and marker for a decision (the marker repeats the meaning, not only colour).
fn decision_text(a: &ListenAction) -> (&'static str, &'static str, &'static str) {
    match a {
        ListenAction::SynQueued { .. } => ("SYN", "→ SYN queue, SYN-ACK sent", "ww-kq-ok"),
        ListenAction::SynCookie { forced: false } => {
            ("SYN", "SYN queue full → cookie SYN-ACK, nothing kept", "ww-kq-warn")
        }
        ListenAction::SynCookie { forced: true } => ("SYN", "cookie SYN-ACK (tcp_syncookies=2)", "ww-kq-warn"),
        ListenAction::SynDroppedAcceptQueueFull => ("SYN", "dropped: accept queue full", "ww-kq-bad"),
        ListenAction::SynDroppedSynQueueFull => ("SYN", "dropped: SYN queue full, no cookies", "ww-kq-bad"),
        ListenAction::SynDroppedMaxSynBacklog => ("SYN", "dropped: last quarter of tcp_max_syn_backlog", "ww-kq-bad"),
        ListenAction::Established { cookie: false, .. } => ("ACK", "→ accept queue (ESTABLISHED)", "ww-kq-ok"),
        ListenAction::Established { cookie: true, .. } => ("ACK", "valid cookie → accept queue", "ww-kq-ok"),
        ListenAction::AckDroppedAcceptQueueFull { .. } => ("ACK", "dropped: accept queue full", "ww-kq-bad"),
        ListenAction::AckReset { .. } => ("ACK", "accept queue full → RST", "ww-kq-bad"),
        ListenAction::RequestExpired { .. } => ("timer", "request expired after its last SYN-ACK", "ww-kq-bad"),
        ListenAction::ChildClosed { .. } => ("RST", "queued connection closed by its peer", "ww-kq-bad"),
        ListenAction::FastOpen { .. } => ("SYN", "Fast Open cookie valid → accept queue with its data", "ww-kq-ok"),
    }
}

fn mark(class: &str) -> &'static str {
    match class {
        "ww-kq-ok" => "✓",
        "ww-kq-warn" => "◆",
        _ => "✗",
    }
}

/// Histogram bar width and axis end, in ms, for latencies up to `max_ms` (the axis reaches
/// at least 4 s so the 1 s and 3 s steps always have a place).
pub fn histogram_axis(max_ms: f64) -> (f64, f64) {
    let end = (max_ms.max(3500.0) / 1000.0).ceil() * 1000.0 + 500.0;
    let bin = if end <= 6000.0 {
        100.0
    } else if end <= 16_000.0 {
        250.0
    } else {
        500.0
    };
    (bin, end)
}

fn clients_view(tb: &Tables, t: Instant) -> Html {
    let phases: Vec<ClientPhase> = tb.clients.iter().map(|c| c.phase(t)).collect();
    let count = |p: ClientPhase| phases.iter().filter(|x| **x == p).count();
    let mut waiting: Vec<(&ClientTable, ClientPhase, u64)> = tb
        .clients
        .iter()
        .zip(&phases)
        .filter(|(_, p)| matches!(p, ClientPhase::Connecting | ClientPhase::Waiting))
        .filter_map(|(c, p)| c.connect.map(|s| (c, *p, (t - s).0)))
        .collect();
    waiting.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.sock.cmp(&b.0.sock)));
    let recent: Vec<&ClientTable> = {
        let mut done: Vec<&ClientTable> =
            tb.clients.iter().filter(|c| c.done.is_some_and(|(d, ok)| ok && d <= t)).collect();
        done.sort_by_key(|c| std::cmp::Reverse(c.done.map(|d| d.0)));
        done.into_iter().take(3).collect()
    };
    let latency = |c: &ClientTable| match (c.connect, c.done) {
        (Some(s), Some((d, true))) => secs((d - s).0),
        _ => String::new(),
    };
    html! {
        <section class="ww-kq-clients" aria-label="Clients">
            <h4>{ format!("Clients ({})", tb.clients.len()) }</h4>
            <ul class="ww-kq-legend">
                { for ClientPhase::ALL.iter().map(|p| html! {
                    <li data-phase={p.label()}><span class={classes!("ww-kq-cell", p.class())} aria-hidden="true"></span>
                        { format!("{} {}", count(*p), p.label()) }</li>
                }) }
            </ul>
            <div class="ww-kq-grid" aria-hidden="true">
                { for phases.iter().map(|p| html! { <span class={classes!("ww-kq-cell", p.class())}></span> }) }
            </div>
            if !waiting.is_empty() {
                <table class="ww-kq-table">
                    <caption>{ "Waiting longest" }</caption>
                    <thead><tr><th scope="col">{ "client" }</th><th scope="col">{ "state" }</th><th scope="col">{ "since connect()" }</th></tr></thead>
                    <tbody>
                        { for waiting.iter().take(5).map(|(c, p, ns)| html! {
                            <tr>
                                <td><code>{ format!(":{}", c.local.port()) }</code></td>
                                <td>{ if *p == ClientPhase::Connecting { "SYN-SENT" } else { "ESTABLISHED" } }</td>
                                <td>{ secs(*ns) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !recent.is_empty() {
                <p class="ww-kq-note">{ "Latest connect(): " }
                    { recent.iter().map(|c| format!(":{} in {}", c.local.port(), latency(c))).collect::<Vec<_>>().join(", ") }
                </p>
            }
        </section>
    }
}

fn nic_view(tb: &Tables, t: Instant) -> Html {
    let n = tb.decisions.partition_point(|d| d.t <= t);
    let from = tb.decisions.partition_point(|d| d.t.0 + 1_000_000_000 <= t.0);
    let last_second = &tb.decisions[from..n];
    let tally = |f: &dyn Fn(&ListenAction) -> bool| last_second.iter().filter(|d| f(&d.action)).count();
    let queued = tally(&|a| matches!(a, ListenAction::SynQueued { .. }));
    let cookies = tally(&|a| matches!(a, ListenAction::SynCookie { .. }));
    let syn_dropped = tally(&|a| {
        matches!(
            a,
            ListenAction::SynDroppedAcceptQueueFull
                | ListenAction::SynDroppedSynQueueFull
                | ListenAction::SynDroppedMaxSynBacklog
        )
    });
    let established = tally(&|a| matches!(a, ListenAction::Established { .. }));
    let ack_lost =
        tally(&|a| matches!(a, ListenAction::AckDroppedAcceptQueueFull { .. } | ListenAction::AckReset { .. }));
    let multi = tb.listeners.len() > 1;
    html! {
        <section class="ww-kq-nic" aria-label="Packets arriving at the server">
            <h4>{ "At the NIC: what the kernel decided" }</h4>
            <p class="ww-kq-note">{ format!(
                "Last second: {queued} SYNs queued, {cookies} cookies sent, {syn_dropped} SYNs dropped, {established} handshakes completed, {ack_lost} final ACKs dropped or reset."
            ) }</p>
            <ol class="ww-kq-feed" aria-label="Latest decisions, newest first">
                { for tb.decisions[n.saturating_sub(8)..n].iter().rev().map(|d| {
                    let (what, text, class) = decision_text(&d.action);
                    let fresh = t.0.saturating_sub(d.t.0) < 50_000_000;
                    html! {
                        <li class={classes!(class, fresh.then_some("ww-kq-fresh"))}>
                            <span class="ww-kq-mark" aria-hidden="true">{ mark(class) }</span>
                            <span class="ww-kq-age">{ format!("−{}", secs(t.0 - d.t.0)) }</span>
                            <strong>{ what }</strong>{ " " }
                            <span class="ww-kq-peer">{ peer_label(d.peer) }</span>
                            if multi { <span class="ww-kq-peer">{ format!(" → listener {}", d.listener + 1) }</span> }
                            <span class="ww-kq-what">{ format!(" {text}") }</span>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

fn gauge(len: u32, cap: u32, label: String) -> Html {
    let pct = if cap == 0 { 0.0 } else { (f64::from(len) / f64::from(cap) * 100.0).min(100.0) };
    html! {
        <div class="ww-kq-gauge" role="meter" aria-label={label} aria-valuemin="0" aria-valuemax={cap.to_string()}
            aria-valuenow={len.to_string()} aria-valuetext={format!("{len} of {cap}")}>
            <Styled class={classes!("ww-kq-gauge-fill", (len >= cap && cap > 0).then_some("ww-kq-full"))} style={width_style(pct, 0)} />
        </div>
    }
}

fn worker_text(state: Option<WorkerState>, t: Instant, tb: &Tables) -> (String, &'static str) {
    match state {
        None => ("starting".into(), "ww-kq-w-idle"),
        Some(WorkerState::Waiting) => ("waiting in accept()".into(), "ww-kq-w-idle"),
        Some(WorkerState::Accepted { sock, next_accept }) if next_accept > t => {
            let peer = tb.listeners.iter().flat_map(|l| &l.accept).find(|s| s.sock == sock).map(|s| s.peer);
            let who = peer.map(|p| format!(" :{}", p.port())).unwrap_or_default();
            let recv = tb.recv.get(&sock).and_then(|r| at(r, t)).unwrap_or(0);
            let send = tb.send.get(&sock).and_then(|r| at(r, t)).unwrap_or(0);
            (
                format!(
                    "serving{who} (receive buffer {recv} B, send buffer {send} B), accept() again in {}",
                    secs(next_accept.0 - t.0)
                ),
                "ww-kq-w-busy",
            )
        }
        Some(WorkerState::Accepted { .. }) => ("calling accept()".into(), "ww-kq-w-idle"),
        Some(WorkerState::Stalled { until: Some(u) }) if u > t => {
            (format!("stalled for {} more", secs(u.0 - t.0)), "ww-kq-w-stall")
        }
        Some(WorkerState::Stalled { until: Some(_) }) => ("back from its stall".into(), "ww-kq-w-idle"),
        Some(WorkerState::Stalled { until: None }) => ("stalled: not calling accept()".into(), "ww-kq-w-stall"),
    }
}

const SHOW: usize = 10;

fn listener_view(tb: &Tables, i: usize, t: Instant) -> Html {
    let l = &tb.listeners[i];
    let local = l.local.map(|a| a.to_string()).unwrap_or_default();
    let Some((recv_q, send_q, syn_len)) = tb.ss_row(i, t) else {
        return html! {
            <div class="ww-kq-listener"><h4>{ format!("Listener {local}") }</h4><p class="ww-kq-note">{ "Not listening at this moment." }</p></div>
        };
    };
    let syn_cap = at(&l.syn_len, t).map_or(send_q, |x| x.1);
    let cap = send_q + 1;
    let syn_n = l.syn.partition_point(|s| s.from <= t);
    let syn: Vec<&Stay> = l.syn[..syn_n].iter().filter(|s| s.holds(t)).collect();
    let acc_n = l.accept.partition_point(|s| s.from <= t);
    let acc: Vec<&Stay> = l.accept[..acc_n].iter().filter(|s| s.holds(t)).collect();
    let slots = cap <= 40;
    let workers = l.workers.iter().map(|(w, series)| {
        let (text, class) = worker_text(at(series, t), t, tb);
        html! { <li class={class}><span class="ww-kq-mark" aria-hidden="true">{
            match class { "ww-kq-w-busy" => "▶", "ww-kq-w-stall" => "■", _ => "…" }
        }</span>{ format!("worker {}: {text}", w + 1) }</li> }
    });
    let title =
        if tb.listeners.len() > 1 { format!("Listener {} · {local}", i + 1) } else { format!("Listener {local}") };
    html! {
        <div class="ww-kq-listener" data-listener={i.to_string()}>
            <h4>{ title }{ if l.reuseport { " · SO_REUSEPORT" } else { "" } }</h4>
            <div class="ww-kq-queue ww-kq-synq">
                <div class="ww-kq-qhead"><strong>{ "SYN queue" }</strong>
                    <span>{ format!("{} request socks (SYN-RECV), cookies from {}", syn_len, syn_cap) }</span></div>
                { gauge(syn_len, syn_cap, format!("SYN queue of listener {}", i + 1)) }
                <ul class="ww-kq-entries">
                    { for syn.iter().take(SHOW).map(|s| {
                        let (resent, next) = tb.synack_at(s.sock, t);
                        let timer = match next {
                            Some(e) if e > t => format!("SYN-ACK {} in {}", resent + 2, secs(e.0 - t.0)),
                            _ => "last SYN-ACK sent".to_string(),
                        };
                        html! { <li><code>{ peer_label(s.peer) }</code>{ format!(" · resent {resent}× · {timer}") }</li> }
                    }) }
                    if syn.len() > SHOW { <li class="ww-kq-more">{ format!("+ {} more", syn.len() - SHOW) }</li> }
                </ul>
            </div>
            <div class="ww-kq-queue ww-kq-acceptq">
                <div class="ww-kq-qhead"><strong>{ "Accept queue (FIFO)" }</strong>
                    <span>{ format!("{recv_q} of {cap} = min(backlog {}, somaxconn) + 1", l.requested) }</span></div>
                if slots {
                    <div class="ww-kq-slots" aria-hidden="true">
                        <span class="ww-kq-slot-end">{ "accept() ←" }</span>
                        { for (0..cap as usize).map(|k| html! {
                            <span class={classes!("ww-kq-slot", (k < acc.len()).then_some("ww-kq-slot-full"))}>
                                { acc.get(k).map(|s| format!("{}", s.peer.port() % 1000)).unwrap_or_default() }
                            </span>
                        }) }
                        <span class="ww-kq-slot-end">{ "← ACK" }</span>
                    </div>
                } else {
                    { gauge(recv_q, cap, format!("Accept queue of listener {}", i + 1)) }
                }
                <ul class="ww-kq-entries">
                    { for acc.iter().take(if slots { 3 } else { SHOW }).map(|s| {
                        let bytes = tb.recv.get(&s.sock).and_then(|r| at(r, t)).unwrap_or(0);
                        html! { <li><code>{ peer_label(s.peer) }</code>{ format!(
                            " · waiting {}{} · {bytes} B in its receive buffer",
                            secs(t.0 - s.from.0), if s.cookie { " · via cookie" } else { "" }) }</li> }
                    }) }
                    if acc.len() > if slots { 3 } else { SHOW } {
                        <li class="ww-kq-more">{ format!("+ {} more", acc.len() - if slots { 3 } else { SHOW }) }</li>
                    }
                </ul>
            </div>
            <ul class="ww-kq-workers" aria-label="Worker threads">{ for workers }</ul>
        </div>
    }
}

fn ss_view(tb: &Tables, t: Instant) -> Html {
    let rows: Vec<(usize, (u32, u32, u32))> =
        (0..tb.listeners.len()).filter_map(|i| tb.ss_row(i, t).map(|r| (i, r))).collect();
    let syn_recv: u32 = rows.iter().map(|(_, r)| r.2).sum();
    html! {
        <section class="ww-kq-ss" aria-label="ss -lnt at the cursor" tabindex="0">
            <h4>{ "ss -lnt" }</h4>
            <table class="ww-kq-term">
                <thead><tr><th scope="col">{ "State" }</th><th scope="col">{ "Recv-Q" }</th><th scope="col">{ "Send-Q" }</th><th scope="col">{ "Local Address:Port" }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|(i, (r, s, _))| html! {
                        <tr class="ww-kq-ss-row" data-recv-q={r.to_string()} data-send-q={s.to_string()}>
                            <td>{ "LISTEN" }</td><td>{ *r }</td><td>{ *s }</td>
                            <td>{ tb.listeners[*i].local.map(|a| a.to_string()).unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="ww-kq-note" data-syn-recv={syn_recv.to_string()}>
                { format!("ss -nt state syn-recv: {syn_recv} request socks. Recv-Q is the accept queue, Send-Q the backlog after the somaxconn clamp.") }
            </p>
        </section>
    }
}

fn nstat_view(tb: &Tables, t: Instant) -> Html {
    html! {
        <section class="ww-kq-nstat" aria-label="nstat on the server at the cursor" tabindex="0">
            <h4>{ "nstat -az (server)" }</h4>
            <table class="ww-kq-term">
                <tbody>
                    { for NSTAT_NAMES.iter().map(|(name, shown)| {
                        let v = tb.counter(name, t);
                        html! { <tr class={classes!((v > 0).then_some("ww-kq-nonzero"))} data-counter={*name} data-value={v.to_string()}>
                            <th scope="row">{ *shown }</th><td>{ v }</td></tr> }
                    }) }
                </tbody>
            </table>
        </section>
    }
}

fn histogram_view(tb: &Tables, t: Instant) -> Html {
    let all: Vec<f64> = tb.latencies.iter().map(|x| x.1).collect();
    let (bin, end) = histogram_axis(all.iter().copied().fold(0.0, f64::max));
    let final_bars = histogram(&all, bin);
    let now = tb.latencies_until(t);
    let bars = histogram(&now, bin);
    let ymax = final_bars.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    let (w, h, left, bottom, top) = (640.0, 180.0, 34.0, 22.0, 10.0);
    let x = |ms: f64| left + ms / end * (w - left - 8.0);
    let y = |c: f64| top + (h - top - bottom) * (1.0 - c / ymax);
    let step_s = if end <= 8000.0 {
        1
    } else if end <= 20_000.0 {
        2
    } else {
        5
    };
    let ticks: Vec<u32> = (0..=((end / 1000.0) as u32)).filter(|s| s % step_s == 0).collect();
    let nonempty: Vec<_> = bars.iter().filter(|b| b.count > 0).collect();
    html! {
        <section class="ww-kq-hist" aria-label="Histogram of connect() latency">
            <h4>{ format!("connect() latency: {} of {} clients connected", now.len(), tb.clients.len()) }</h4>
            <svg viewBox={format!("0 0 {w} {h}")} role="img"
                aria-label={format!("Histogram of connect() latency in {} ms bars; the table below lists it", bin)}>
                { for ticks.iter().map(|s| {
                    let xx = x(f64::from(*s) * 1000.0);
                    html! { <g class={classes!("ww-kq-tick", matches!(s, 1 | 3).then_some("ww-kq-tick-key"))}>
                        <line x1={xx.to_string()} x2={xx.to_string()} y1={top.to_string()} y2={(h - bottom).to_string()} />
                        <text x={xx.to_string()} y={(h - 6.0).to_string()} text-anchor="middle">{ format!("{s} s") }</text>
                    </g> }
                }) }
                { for final_bars.iter().filter(|b| b.count > 0).map(|b| html! {
                    <rect class="ww-kq-bar-final" x={x(b.from).to_string()} width={(x(b.to) - x(b.from) - 0.5).max(1.0).to_string()}
                        y={y(f64::from(b.count)).to_string()} height={(h - bottom - y(f64::from(b.count))).to_string()} />
                }) }
                { for bars.iter().filter(|b| b.count > 0).map(|b| html! {
                    <rect class="ww-kq-bar" data-from-ms={b.from.to_string()} data-count={b.count.to_string()}
                        x={x(b.from).to_string()} width={(x(b.to) - x(b.from) - 0.5).max(1.0).to_string()}
                        y={y(f64::from(b.count)).to_string()} height={(h - bottom - y(f64::from(b.count))).to_string()} />
                }) }
                <line class="ww-kq-axis" x1={left.to_string()} x2={(w - 8.0).to_string()} y1={(h - bottom).to_string()} y2={(h - bottom).to_string()} />
                <text class="ww-kq-ylabel" x="4" y={(top + 8.0).to_string()}>{ (ymax as u32).to_string() }</text>
            </svg>
            <p class="ww-kq-note">{ "Filled bars: connect() calls that have returned by the cursor; outlines: the whole run." }</p>
            <details class="ww-kq-histtable">
                <summary>{ "Histogram as a table" }</summary>
                <table class="ww-kq-table">
                    <thead><tr><th scope="col">{ "connect() took" }</th><th scope="col">{ "clients" }</th></tr></thead>
                    <tbody>
                        { for nonempty.iter().map(|b| html! {
                            <tr><td>{ format!("{}–{}", secs((b.from * 1e6) as u64), secs((b.to * 1e6) as u64)) }</td><td>{ b.count }</td></tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </section>
    }
}

/// The lab at cursor `t`.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let tb = tables(&runs.main);
    let about = wirewise_sim::presets::find(params.choice("preset")).map(|p| p.about).unwrap_or_default();
    html! {
        <div class="ww-kq">
            <p class="ww-kq-about">{ about }</p>
            <div class="ww-kq-stage">
                { clients_view(&tb, t) }
                { nic_view(&tb, t) }
                <section class={classes!("ww-kq-kernel", (tb.listeners.len() > 1).then_some("ww-kq-many"))} aria-label="The server's kernel and workers">
                    { for (0..tb.listeners.len()).map(|i| listener_view(&tb, i, t)) }
                </section>
            </div>
            <div class="ww-kq-panels">
                { ss_view(&tb, t) }
                { nstat_view(&tb, t) }
                { histogram_view(&tb, t) }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::specs::{find_kind, QUEUE_PRESETS};
    use wirewise_sim::trace::Trace;

    fn run_named(name: &str) -> Rc<Run> {
        let kind = find_kind("kernel-queues").unwrap();
        let specs = crate::figures::with_preset_defaults(kind.params, name);
        let mut params = ParamSet::defaults(&specs);
        params.set(kind.params, "preset", wirewise_sim::params::ParamValue::Choice(name.to_string().into()));
        run(&params, 1).unwrap().main
    }

    fn sample_times(trace: &Trace) -> Vec<Instant> {
        let end = trace.events.last().map_or(0, |e| e.t.0);
        (0..=40).map(|k| Instant(end / 40 * k)).collect()
    }

    /// Each served connection's send buffer in the figure is the trace's `Queue { Send }` series,
    /// and a server that answers requests does hold response bytes in it at some point.
    #[test]
    fn send_buffers_follow_the_trace() {
        let run = run_named("queues-healthy");
        let tb = Tables::build(&run.trace);
        let mut expected: HashMap<SockId, Vec<(Instant, u32)>> = HashMap::new();
        for e in &run.trace.events {
            if let EventKind::Queue { sock, queue: QueueKind::Send, len, .. } = e.kind {
                if run.trace.sockets[sock as usize].parent.is_some() {
                    expected.entry(sock).or_default().push((e.t, len));
                }
            }
        }
        assert_eq!(tb.send, expected);
        assert!(tb.send.values().flatten().any(|(_, b)| *b > 0), "responses pass through the send buffers");
    }

    /// The figure's ss rows, counters and queues equal what the simulation's own helpers read
    /// from the trace, at many moments of every scenario.
    #[test]
    fn tables_match_the_trace() {
        for name in QUEUE_PRESETS {
            let run = run_named(name);
            let trace = &run.trace;
            let tb = Tables::build(trace);
            assert!(!tb.listeners.is_empty(), "{name}: no listener");
            for t in sample_times(trace) {
                let rows = wirewise_sim::ss::listen_rows_at(trace, t);
                let mine: Vec<(u32, u32, u32)> = (0..tb.listeners.len()).filter_map(|i| tb.ss_row(i, t)).collect();
                let theirs: Vec<(u32, u32, u32)> = rows.iter().map(|r| (r.recv_q, r.send_q, r.syn_recv)).collect();
                assert_eq!(mine, theirs, "{name} at {t:?}");
                let counters = wirewise_sim::nstat::counters_at(trace, tb.server, t);
                for (n, _) in NSTAT_NAMES {
                    assert_eq!(tb.counter(n, t), counters.get(*n).copied().unwrap_or(0), "{name} {n} at {t:?}");
                }
                for (i, l) in tb.listeners.iter().enumerate() {
                    if let Some((recv_q, _, syn)) = tb.ss_row(i, t) {
                        let acc = l.accept.iter().filter(|s| s.holds(t)).count() as u32;
                        let synq = l.syn.iter().filter(|s| s.holds(t)).count() as u32;
                        assert_eq!(acc, recv_q, "{name}: accept queue members at {t:?}");
                        assert_eq!(synq, syn, "{name}: SYN queue members at {t:?}");
                    }
                }
            }
            let summary = wirewise_sim::summary::summarize(name, trace);
            let mut a: Vec<f64> = tb.latencies.iter().map(|x| x.1).collect();
            let mut b = summary.connect_latencies_ms.clone();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            assert_eq!(a.len(), b.len(), "{name}: latency count");
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-3, "{name}: latency {x} vs {y} (the summary rounds to µs)");
            }
        }
    }

    #[test]
    fn slow_accept_overflows_and_waits_a_second() {
        let run = run_named("queues-slow-accept");
        let tb = Tables::build(&run.trace);
        let end = run.trace.end;
        assert!(tb.counter("ListenOverflows", end) > 0);
        assert_eq!(tb.ss_row(0, Instant(2_000_000_000)).map(|r| r.1), Some(8));
        let (bin, _) = histogram_axis(10_000.0);
        let bars = histogram(&tb.latencies_until(end), bin);
        assert!(bars.iter().any(|b| b.count > 0 && b.from >= 900.0 && b.from < 1100.0), "{bars:?}");
    }

    #[test]
    fn scenario_defaults_follow_the_preset() {
        let kind = find_kind("kernel-queues").unwrap();
        let specs = crate::figures::with_preset_defaults(kind.params, "queues-old-somaxconn");
        let d = |n: &str| specs.iter().find(|s| s.name == n).unwrap().default.to_string();
        assert_eq!(d("somaxconn"), "128");
        assert_eq!(d("kernel"), "linux-pre-5.4");
        assert_eq!(d("flood_rate"), "500");
    }
}
