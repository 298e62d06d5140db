//! SO_REUSEPORT: one listener per worker, chosen by a hash of the 4-tuple
//! (`reuseport_select_sock`), against one shared listener with several acceptors.

mod queues_common;
mod tcp_harness;

use queues_common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddrV4;
use wirewise_sim::stack::SockError;
use wirewise_sim::summary::summarize;
use wirewise_sim::trace::{AppCall, EventKind, ListenAction, SockId, WorkerState};

/// Four workers, one stalled: the stalled worker's own accept queue fills to backlog + 1 and
/// its share of SYNs is dropped, while the other three listeners stay (nearly) empty.
#[test]
fn reuseport_stalled_worker_fills_its_own_queue_while_the_others_idle() {
    let t = run(&scenario("queues-reuseport-stall", &[]));
    let s = summarize("reuseport", &t);
    assert_eq!(s.listeners.len(), 4);
    assert!(s.listeners.iter().all(|l| l.reuseport && l.send_q == 16));
    let (stalled, others): (Vec<_>, Vec<_>) = s.listeners.iter().partition(|l| l.accepted == 0);
    assert_eq!(stalled.len(), 1, "{:#?}", s.listeners);
    assert_eq!(stalled[0].peak_accept_queue, 17);
    assert!(stalled[0].syns_dropped > 0);
    for l in &others {
        assert!(l.peak_accept_queue <= 2, "{l:?}");
        assert_eq!(l.syns_dropped, 0, "{l:?}");
        assert!(l.accepted > 20, "{l:?}");
    }
    // Affinity: every SYN (retransmissions included) of a client lands on one listener.
    let mut by_peer: BTreeMap<SocketAddrV4, BTreeSet<SockId>> = BTreeMap::new();
    for (_, l, peer, _) in listen_events(&t) {
        by_peer.entry(peer).or_default().insert(l);
    }
    assert_eq!(by_peer.len(), 200);
    assert!(by_peer.values().all(|ls| ls.len() == 1));
    let to_stalled = by_peer.values().filter(|ls| ls.contains(&stalled[0].sock)).count();
    assert!((20..=90).contains(&to_stalled), "the hash sends about a quarter there: {to_stalled}");
    // Those clients are the ones still waiting: served = 200 - to_stalled.
    let served = s.connections.iter().filter(|c| !c.exchanges_ms.is_empty() && is_client_host(&c.host)).count();
    assert_eq!(served, 200 - to_stalled);
}

fn is_client_host(h: &str) -> bool {
    h.starts_with("client")
}

/// The same load on one shared listener: the three running workers drain it and nobody's
/// SYN is dropped.
#[test]
fn a_shared_listener_absorbs_a_stalled_worker() {
    let t = run(&scenario("queues-reuseport-stall", &[("reuseport", "off")]));
    let s = summarize("shared", &t);
    assert_eq!(s.listeners.len(), 1);
    assert_eq!(s.listeners[0].syns_dropped, 0);
    assert_eq!(s.listeners[0].accepted, 200);
    assert_eq!(s.connect_latencies_ms.len(), 200);
    assert!(s.connect_latencies_ms.iter().all(|l| *l < 50.0));
    let mut accepted_by: BTreeMap<u32, u32> = BTreeMap::new();
    let mut stalled = BTreeSet::new();
    for e in &t.events {
        if let EventKind::App { call: AppCall::Worker { worker, state, .. }, .. } = &e.kind {
            match state {
                WorkerState::Accepted { .. } => *accepted_by.entry(*worker).or_default() += 1,
                WorkerState::Stalled { until: None } => {
                    stalled.insert(*worker);
                }
                _ => {}
            }
        }
    }
    assert_eq!(stalled, BTreeSet::from([0]));
    assert_eq!(accepted_by.get(&0), None);
    assert_eq!(accepted_by.values().sum::<u32>(), 200);
    assert_eq!(accepted_by.len(), 3, "the three running workers share the work: {accepted_by:?}");
}

/// Every accept() of the worker server is reported by the worker that made it, with the same
/// socket, so a view can draw which thread took which connection.
#[test]
fn each_accept_names_its_worker() {
    let t = run(&scenario("queues-reuseport-stall", &[("stalled", "0"), ("clients", "60")]));
    let accepts: Vec<(SockId, SockId)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Accept { listener, sock }, .. } => Some((*listener, *sock)),
            _ => None,
        })
        .collect();
    let workers: Vec<(SockId, SockId)> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App {
                call: AppCall::Worker { listener, state: WorkerState::Accepted { sock, .. }, .. },
                ..
            } => Some((*listener, *sock)),
            _ => None,
        })
        .collect();
    assert_eq!(accepts.len(), 60);
    assert_eq!(accepts, workers);
    let established: BTreeSet<SockId> = listen_events(&t)
        .iter()
        .filter_map(|x| match x.3 {
            ListenAction::Established { sock, .. } => Some(sock),
            _ => None,
        })
        .collect();
    assert!(accepts.iter().all(|(_, s)| established.contains(s)));
}

/// Bind rules of the model: members of a group share the address; a plain listener and a
/// group exclude each other (EADDRINUSE).
#[test]
fn reuseport_groups_and_plain_listeners_exclude_each_other() {
    use tcp_harness::*;
    let mut net = Net::pair(ms(1));
    let local = net.addr(1, 80);
    let a = net.with(1, |s, c| s.listen_reuseport(c, local, 8)).unwrap();
    let b = net.with(1, |s, c| s.listen_reuseport(c, local, 8)).unwrap();
    assert_ne!(a, b);
    assert_eq!(net.with(1, |s, c| s.listen(c, local, 8)), Err(SockError::AddrInUse));
    let other = net.addr(1, 81);
    net.listen(1, 81, 8);
    assert_eq!(net.with(1, |s, c| s.listen_reuseport(c, other, 8)), Err(SockError::AddrInUse));
    // Both members answer; a closed member gets nothing more.
    let srv = net.addr(1, 80);
    for i in 0..40u64 {
        net.at(at_ms(2 * i), move |n| {
            n.connect(0, srv);
        });
    }
    net.run_until(at_ms(200));
    let (qa, qb) = (net.hosts[1].stack.listen_queues(a).unwrap(), net.hosts[1].stack.listen_queues(b).unwrap());
    assert_eq!(qa.0 + qb.0, 18, "each holds backlog + 1 = 9");
    net.with(1, |s, c| s.close(c, a));
    let before = net.counter(1, "ListenOverflows");
    for i in 0..10u64 {
        net.at(at_ms(300 + i), move |n| {
            n.connect(0, srv);
        });
    }
    net.run_until(at_ms(400));
    assert!(net.hosts[1].stack.listen_queues(a).is_none());
    assert_eq!(net.counter(1, "ListenOverflows") - before, 10, "every new SYN now hashes to the full survivor");
}
