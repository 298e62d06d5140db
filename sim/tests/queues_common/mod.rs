//! Helpers for the kernel-queues scenario tests: build a queues preset with slider values,
//! run it, and read the trace the way a figure does.

#![allow(dead_code)]

use std::net::SocketAddrV4;
use wirewise_sim::jiffies::Clock;
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;
use wirewise_sim::scenario::Scenario;
use wirewise_sim::time::{Duration, Instant};
use wirewise_sim::trace::{AppCall, EventKind, ListenAction, NodeId, SockId, Trace};
use wirewise_sim::wire::{Frame, FramePayload, Ipv4Addr, TcpRepr, Transport};

/// The scenario of preset `name` with these slider values.
pub fn scenario(name: &str, sets: &[(&str, &str)]) -> Scenario {
    let p = presets::find(name).unwrap_or_else(|| panic!("no preset {name}"));
    let set = ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    (p.build)(&set).unwrap()
}

/// Run a scenario.
pub fn run(s: &Scenario) -> Trace {
    let t = wirewise_sim::run(s).unwrap();
    assert!(!t.truncated, "run hit the event limit");
    t
}

/// The node called `name`.
pub fn node(t: &Trace, name: &str) -> NodeId {
    t.nodes.iter().position(|n| n.name == name).unwrap_or_else(|| panic!("no node {name}")) as NodeId
}

/// Seconds since the start.
pub fn secs(t: Instant) -> f64 {
    t.as_secs_f64()
}

/// A TCP segment some host put on its link.
#[derive(Debug, Clone)]
pub struct Seg {
    pub t: Instant,
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
    pub seg: TcpRepr,
}

/// Every TCP segment `node` transmitted (on its first hop), in time order.
pub fn sent_by(t: &Trace, node: NodeId) -> Vec<Seg> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::FrameTx { frame, from, .. } if *from == node => {
                let rec = t.frames.get(*frame as usize)?;
                let Ok(Frame { payload: FramePayload::Ipv4(p), .. }) = Frame::parse(&rec.bytes) else { return None };
                let Transport::Tcp(seg) = p.transport else { return None };
                Some(Seg {
                    t: e.t,
                    src: SocketAddrV4::new(p.ip.src, seg.src_port),
                    dst: SocketAddrV4::new(p.ip.dst, seg.dst_port),
                    seg,
                })
            }
            _ => None,
        })
        .collect()
}

/// The client connection sockets (active opens) of the run, with the time connect() began.
pub fn connects(t: &Trace) -> Vec<(SockId, Instant)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Connect { sock, .. }, .. } => Some((*sock, e.t)),
            _ => None,
        })
        .collect()
}

/// The local address of a socket.
pub fn local(t: &Trace, sock: SockId) -> SocketAddrV4 {
    t.sockets[sock as usize].local
}

/// Every listener action, with its time, listener and peer.
pub fn listen_events(t: &Trace) -> Vec<(Instant, SockId, SocketAddrV4, ListenAction)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Listen { sock, peer, action } => Some((e.t, *sock, *peer, *action)),
            _ => None,
        })
        .collect()
}

/// Is `ip` one of the lab's client hosts (10.0.0.11 and up)?
pub fn is_client(ip: &Ipv4Addr) -> bool {
    let o = ip.octets();
    o[..3] == [10, 0, 0] && o[3] >= 11
}

/// Each gap between `got` times is its nominal length from `want`, made later only by the
/// host's tick and timer wheel at HZ=250 (`Clock::max_late`), never earlier.
pub fn on_schedule(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what} at {got:?}");
    let clock = Clock::new(250, 0);
    for (g, w) in got.windows(2).zip(want.windows(2)) {
        let (gap, nominal) = (g[1] - g[0], w[1] - w[0]);
        let late = clock.max_late(Duration::from_millis_f64(nominal * 1000.0)).as_secs_f64();
        assert!(
            gap > nominal - 1e-9 && gap <= nominal + late + 1e-9,
            "{what} at {got:?}: gap {gap} s, nominal {nominal} s"
        );
    }
}

/// The most the retransmission at `steps[i]` s (the first at 0) can be late at HZ=250: each
/// timer before it late by at most `Clock::max_late` of its length.
pub fn schedule_slack(steps: &[f64], i: usize) -> f64 {
    let clock = Clock::new(250, 0);
    steps[..=i]
        .windows(2)
        .map(|w| clock.max_late(Duration::from_millis_f64((w[1] - w[0]) * 1000.0)).as_secs_f64())
        .sum()
}
