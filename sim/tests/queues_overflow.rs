//! A full accept queue: SYNs dropped silently, final ACKs dropped or answered with RST
//! (tcp_abort_on_overflow), and what clients measure (docs/fidelity.md §1.3 step 3, §1.4
//! [E4], [E4b]).

mod queues_common;

use queues_common::*;
use std::collections::BTreeMap;
use std::net::SocketAddrV4;
use wirewise_sim::apps::load::Arrival;
use wirewise_sim::apps::AppSpec;
use wirewise_sim::nstat::counters_at;
use wirewise_sim::presets::queues::{PORT, SERVER_IP};
use wirewise_sim::summary::{histogram, summarize};
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::{Duration, Instant};
use wirewise_sim::trace::{EventKind, ListenAction, QueueKind};

/// [E4b]: with tcp_abort_on_overflow=1 a final ACK that finds the accept queue full is
/// answered with RST (seq = ISN + 1, no ACK flag): the client's connect() had succeeded and
/// its read fails with ECONNRESET. With 0 the same load only delays those clients.
#[test]
fn abort_on_overflow_resets_clients_whose_connect_succeeded() {
    let t = run(&scenario("queues-abort-on-overflow", &[]));
    let s = summarize("abort", &t);
    let reset: Vec<_> = s.connections.iter().filter(|c| c.failed.as_deref() == Some("read: ECONNRESET")).collect();
    assert!(reset.len() >= 5, "{}", reset.len());
    for c in &reset {
        assert!(c.connect_ms.is_some() && c.connect_error.is_none(), "connect() succeeded first: {c:?}");
        assert!(c.states.contains(&"ESTABLISHED".to_string()));
    }
    let resets: Vec<SocketAddrV4> =
        listen_events(&t).into_iter().filter(|x| matches!(x.3, ListenAction::AckReset { .. })).map(|x| x.2).collect();
    assert_eq!(resets.len(), reset.len());
    let server = node(&t, "server");
    assert_eq!(counters_at(&t, server, t.end)["EmbryonicRsts"], reset.len() as u64);
    let sent = sent_by(&t, server);
    let isn: BTreeMap<SocketAddrV4, u32> =
        sent.iter().filter(|x| x.seg.flags.syn()).map(|x| (x.dst, x.seg.seq)).collect();
    for peer in &resets {
        let rst = sent.iter().find(|x| x.dst == *peer && x.seg.flags.rst()).expect("a RST to the client");
        assert_eq!(rst.seg.flags, wirewise_sim::wire::TcpFlags::RST);
        assert_eq!((rst.seg.seq, rst.seg.ack), (isn[peer].wrapping_add(1), 0));
    }

    let t = run(&scenario("queues-abort-on-overflow", &[("abort_on_overflow", "off")]));
    let s = summarize("no-abort", &t);
    assert!(s.connections.iter().all(|c| c.failed.is_none()));
    let dropped_acks =
        listen_events(&t).iter().filter(|x| matches!(x.3, ListenAction::AckDroppedAcceptQueueFull { .. })).count();
    assert!(dropped_acks > 0);
    assert!(!counters_at(&t, node(&t, "server"), t.end).contains_key("EmbryonicRsts"));
    let served = s.connections.iter().filter(|c| !c.exchanges_ms.is_empty()).count();
    assert_eq!(served, 100, "with the default every client is served in the end");
}

/// [E4]: backlog 1, one connection already queued, then two clients at once: the second
/// final ACK finds the queue full and is dropped. That client is ESTABLISHED; the server
/// resends its SYN-ACK 1, 3 and 7 s later; once the worker wakes at 12 s and accepts, it
/// completes and is served.
#[test]
fn a_dropped_final_ack_is_recovered_by_synack_retransmission_after_accept() {
    let mut s = scenario(
        "queues-slow-accept",
        &[("backlog", "1"), ("workers", "1"), ("stalled", "1"), ("stall_s", "12"), ("client_hosts", "1")],
    );
    s.apps.retain(|a| !matches!(a, AppSpec::LoadClients { .. }));
    let load = |clients, start_ms| AppSpec::LoadClients {
        host: "client1".into(),
        server: SocketAddrV4::new(SERVER_IP, PORT),
        clients,
        arrival: Arrival::AllAtOnce,
        rate: 1.0,
        burst: 1,
        request_bytes: 200,
        start_ms,
    };
    s.apps.extend([load(1, 10.0), load(2, 100.0)]);
    s.stop_ms = 20_000.0;
    let t = run(&s);
    let ev = listen_events(&t);
    let dropped: Vec<_> = ev.iter().filter(|x| matches!(x.3, ListenAction::AckDroppedAcceptQueueFull { .. })).collect();
    let b = dropped.first().expect("one final ACK overflowed").2;
    let server = node(&t, "server");
    let synacks: Vec<f64> =
        sent_by(&t, server).iter().filter(|x| x.dst == b && x.seg.flags.syn()).map(|x| secs(x.t)).collect();
    let gaps: Vec<f64> = synacks.iter().map(|x| x - synacks[0]).collect();
    assert!(gaps.len() >= 4, "{gaps:?}");
    on_schedule("SYN-ACKs to B", &gaps[..4], &[0.0, 1.0, 3.0, 7.0]);
    let sock_b = connects(&t).iter().map(|c| c.0).find(|s| local(&t, *s) == b).unwrap();
    assert_eq!(t.tcp_state_at(sock_b, Instant::ZERO + Duration::from_secs(5)), TcpState::Established);
    let c = counters_at(&t, server, t.end);
    assert!(c["ListenOverflows"] >= 4, "{c:?}");
    assert!(!c.contains_key("EmbryonicRsts"));
    let s = summarize("e4", &t);
    let cb = s.connections.iter().find(|c| c.sock == sock_b).unwrap();
    assert_eq!(cb.exchanges_ms.len(), 1);
    assert!(cb.exchanges_ms[0] > 11_900.0 && cb.exchanges_ms[0] < 16_000.0, "{:?}", cb.exchanges_ms);
    assert!(ev.iter().any(|x| x.2 == b && matches!(x.3, ListenAction::Established { .. }) && secs(x.0) > 12.0));
}

/// The slow-accept preset: the accept queue sits full at backlog + 1 and SYNs that find it
/// full are dropped before any request sock exists; connect() latencies pile up just after
/// whole seconds, the SYN retransmission times.
#[test]
fn slow_accept_connect_latency_steps_at_the_syn_retransmission_times() {
    for (kernel, steps) in
        [("linux", &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 11.0][..]), ("linux-pre-6.5", &[0.0, 1.0, 3.0, 7.0][..])]
    {
        let t = run(&scenario("queues-slow-accept", &[("kernel", kernel)]));
        let s = summarize("slow", &t);
        let l = &s.listeners[0];
        assert_eq!((l.peak_accept_queue, l.send_q), (9, 8));
        // Retransmitted SYNs of clients on one host leave together when their timers share a
        // timer-wheel bucket (32 ms at HZ=250 for the 1 s timers), so a freed accept-queue
        // slot can meet a batch of SYNs; still no more request socks than the queue can take.
        assert!(l.peak_syn_queue <= l.peak_accept_queue, "{l:?}");
        assert!(l.syns_dropped > 20 && l.cookies_sent == 0, "{l:?}");
        let lat = &s.connect_latencies_ms;
        assert_eq!(lat.len(), 100, "{kernel}");
        // Every latency is one round trip (10 ms) after a SYN retransmission time (made later
        // by the ticks and the timer wheel).
        for ms in lat {
            let ok = (0..steps.len()).any(|i| {
                let late = ms - (steps[i] * 1000.0 + 10.0);
                late > -1.0 && late < schedule_slack(steps, i) * 1000.0 + 1.0
            });
            assert!(ok, "{kernel}: connect() took {ms} ms");
        }
        let bars = histogram(lat, 1000.0);
        let count = |sec: usize| bars.get(sec).map_or(0, |b| b.count);
        assert!(count(0) > 0 && count(1) > 0 && count(3) > 0, "{kernel}: {bars:?}");
        if kernel == "linux" {
            assert!(count(2) > 0, "6.5+: a 2 s step too");
        } else {
            assert_eq!(count(2), 0, "pre-6.5: nothing between the 1 s and the 3 s step");
        }
        // While the accept queue is full SYNs are dropped, never queued.
        let mut full = false;
        for e in &t.events {
            match e.kind {
                EventKind::Queue { queue: QueueKind::Accept, len, cap, .. } => full = len == cap,
                EventKind::Listen { action: ListenAction::SynQueued { .. }, .. } => assert!(!full),
                _ => {}
            }
        }
    }
}
