//! The figure's panels read the trace only. These tests check that what they read is what the
//! kernel model holds: the nstat counters against each stack's own counters, and the queues
//! rebuilt from listener events against the queue lengths the listener traced.

mod queues_common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use wirewise_sim::net::Network;
use wirewise_sim::presets;
use wirewise_sim::summary::summarize;
use wirewise_sim::trace::{AppCall, EventKind, ListenAction, QueueKind, SockId};

fn queue_presets() -> Vec<&'static presets::Preset> {
    let all: Vec<_> = presets::all().iter().filter(|p| p.name.starts_with("queues-")).collect();
    assert_eq!(all.len(), 7);
    all
}

/// For every queues preset, the counters a view reads from the trace's `Counter` events
/// (`nstat::final_counters`, and the run summary) equal `TcpStack::counters()` at the end.
#[test]
fn trace_counters_equal_the_stack_counters_in_every_queues_preset() {
    for p in queue_presets() {
        let s = p.default_scenario().unwrap();
        let (trace, stacks) = Network::build(&s).unwrap().run_with_counters();
        let from_trace = wirewise_sim::nstat::final_counters(&trace);
        let summary = summarize(p.name, &trace);
        let mut checked = 0;
        for (node, counters) in &stacks {
            let want: BTreeMap<String, u64> = counters.all().map(|(k, v)| (k.to_string(), v)).collect();
            let got = from_trace.get(node).cloned().unwrap_or_default();
            assert_eq!(got, want, "{}: node {node}", p.name);
            let name = &trace.nodes[*node as usize].name;
            let in_summary = summary.counters.iter().find(|h| &h.host == name).map(|h| h.counters.clone());
            assert_eq!(in_summary.unwrap_or_default(), want, "{}: summary of {name}", p.name);
            checked += want.values().sum::<u64>();
        }
        assert!(checked > 5, "{}: counters were counted", p.name);
        let server = trace.nodes.iter().position(|n| n.name == "server").unwrap() as u16;
        let c = &stacks.iter().find(|(n, _)| *n == server).unwrap().1;
        assert!(c.get("TcpPassiveOpens") > 0, "{}", p.name);
    }
}

/// A view rebuilds each listener's SYN queue and accept queue from `Listen` events and
/// `AppCall::Accept` alone (the rules in `ListenAction`'s documentation). After every instant
/// of every queues preset the rebuilt lengths equal the `Queue` events the listener traced,
/// and accept() always takes the head of the rebuilt FIFO.
#[test]
fn listener_events_rebuild_the_traced_queues() {
    for p in queue_presets() {
        let t = wirewise_sim::run(&p.default_scenario().unwrap()).unwrap();
        let mut syn: BTreeMap<SockId, BTreeSet<SockId>> = BTreeMap::new();
        let mut acc: BTreeMap<SockId, VecDeque<SockId>> = BTreeMap::new();
        let mut traced: BTreeMap<(SockId, bool), u32> = BTreeMap::new();
        let mut accepts = 0;
        let check = |syn: &BTreeMap<SockId, BTreeSet<SockId>>,
                     acc: &BTreeMap<SockId, VecDeque<SockId>>,
                     traced: &BTreeMap<(SockId, bool), u32>,
                     at: f64| {
            for (&(l, is_syn), &len) in traced {
                let rebuilt =
                    if is_syn { syn.get(&l).map_or(0, |s| s.len()) } else { acc.get(&l).map_or(0, |q| q.len()) };
                assert_eq!(
                    rebuilt as u32,
                    len,
                    "{}: listener {l} {} queue at {at} s",
                    p.name,
                    if is_syn { "SYN" } else { "accept" }
                );
            }
        };
        let mut i = 0;
        while i < t.events.len() {
            let now = t.events[i].t;
            while i < t.events.len() && t.events[i].t == now {
                match &t.events[i].kind {
                    EventKind::Listen { sock: l, action, .. } => match *action {
                        ListenAction::SynQueued { sock } => {
                            syn.entry(*l).or_default().insert(sock);
                        }
                        ListenAction::Established { sock, cookie } => {
                            let was_queued = syn.entry(*l).or_default().remove(&sock);
                            assert_eq!(was_queued, !cookie, "{}: cookie flag of {sock}", p.name);
                            acc.entry(*l).or_default().push_back(sock);
                        }
                        ListenAction::AckReset { sock } | ListenAction::RequestExpired { sock } => {
                            assert!(syn.entry(*l).or_default().remove(&sock));
                        }
                        ListenAction::ChildClosed { sock } => {
                            syn.entry(*l).or_default().remove(&sock);
                            acc.entry(*l).or_default().retain(|s| *s != sock);
                        }
                        _ => {}
                    },
                    EventKind::App { call: AppCall::Accept { listener, sock }, .. } => {
                        let head = acc.entry(*listener).or_default().pop_front();
                        assert_eq!(head, Some(*sock), "{}: accept() takes the oldest connection", p.name);
                        accepts += 1;
                    }
                    EventKind::Queue { sock, queue, len, .. } => match queue {
                        QueueKind::Syn => {
                            traced.insert((*sock, true), *len);
                        }
                        QueueKind::Accept => {
                            traced.insert((*sock, false), *len);
                        }
                        _ => {}
                    },
                    _ => {}
                }
                i += 1;
            }
            check(&syn, &acc, &traced, now.as_secs_f64());
        }
        assert!(accepts > 0 && !traced.is_empty(), "{}", p.name);
    }
}
