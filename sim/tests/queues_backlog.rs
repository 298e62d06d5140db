//! listen() backlog, somaxconn and the queue limits, measured at the network level through
//! the queues presets (docs/fidelity.md §1.1–1.3, [E1], [E12]).

mod queues_common;

use queues_common::*;
use wirewise_sim::nstat::counters_at;
use wirewise_sim::ss::listen_rows_at;
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::{Duration, Instant};
use wirewise_sim::trace::{EventKind, ListenAction, QueueKind};

/// [E1]: 12 clients 50 ms apart, a server that never calls accept(): backlog N admits N + 1
/// connections; the rest get neither SYN-ACK nor RST and stay in SYN-SENT.
#[test]
fn backlog_n_admits_n_plus_one_and_the_rest_stay_in_syn_sent() {
    for (backlog, admitted) in [(0u32, 1usize), (1, 2), (2, 3), (5, 6), (8, 9)] {
        let b = backlog.to_string();
        let mut s = scenario(
            "queues-slow-accept",
            &[
                ("backlog", &b),
                ("workers", "1"),
                ("stalled", "1"),
                ("clients", "12"),
                ("arrival_rate", "20"),
                ("client_hosts", "1"),
                ("rtt", "1"),
            ],
        );
        s.stop_ms = 3000.0;
        let t = run(&s);
        let at = Instant::ZERO + Duration::from_millis(900);
        let states: Vec<TcpState> = connects(&t).iter().map(|(sock, _)| t.tcp_state_at(*sock, at)).collect();
        assert_eq!(states.len(), 12);
        let estab = states.iter().filter(|s| **s == TcpState::Established).count();
        let syn_sent = states.iter().filter(|s| **s == TcpState::SynSent).count();
        assert_eq!((estab, syn_sent), (admitted, 12 - admitted), "backlog {backlog}");

        // ss -lnt: Recv-Q = backlog + 1, Send-Q = backlog; nothing half-open.
        let rows = listen_rows_at(&t, at);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].recv_q as usize, rows[0].send_q, rows[0].syn_recv), (admitted, backlog, 0));

        // nstat: every overflowing SYN counted twice, no cookies, no RST.
        let server = node(&t, "server");
        let c = counters_at(&t, server, at);
        let get = |n: &str| c.get(n).copied().unwrap_or(0);
        let dropped = (12 - admitted) as u64;
        assert_eq!((get("ListenOverflows"), get("ListenDrops")), (dropped, dropped), "backlog {backlog}");
        assert_eq!((get("SyncookiesSent"), get("TcpOutRsts")), (0, 0));

        // Only the admitted clients ever got a SYN-ACK, even after their SYN retransmissions.
        let mut synack_ports: Vec<u16> =
            sent_by(&t, server).iter().filter(|s| s.seg.flags.syn()).map(|s| s.dst.port()).collect();
        synack_ports.dedup();
        assert_eq!(synack_ports.len(), admitted, "backlog {backlog}");
        assert!(sent_by(&t, server).iter().all(|s| !s.seg.flags.rst()));
        let client = node(&t, "client1");
        let retries = sent_by(&t, client).iter().filter(|s| s.seg.flags.syn() && secs(s.t) > 1.0).count();
        assert!(retries >= 12 - admitted, "the dropped clients retransmit their SYNs ({retries})");
        let drops = listen_events(&t)
            .iter()
            .filter(|(when, _, _, a)| *when <= at && *a == ListenAction::SynDroppedAcceptQueueFull)
            .count();
        assert_eq!(drops, 12 - admitted);
    }
}

/// ip-sysctl.rst: somaxconn "Was 128 before linux-5.4": listen(511) is clamped without an
/// error, ss shows Send-Q 128, and a rush that a 511 backlog absorbs overflows.
#[test]
fn somaxconn_128_silently_truncates_a_backlog_of_511() {
    let t = run(&scenario("queues-old-somaxconn", &[]));
    let backlog = t.events.iter().find_map(|e| match e.kind {
        EventKind::Backlog { requested, max_backlog, .. } => Some((requested, max_backlog)),
        _ => None,
    });
    assert_eq!(backlog, Some((511, 128)));
    let peak = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Queue { queue: QueueKind::Accept, len, cap, .. } => Some((len, cap)),
            _ => None,
        })
        .max();
    assert_eq!(peak, Some((129, 129)), "the accept queue holds somaxconn + 1");
    let server = node(&t, "server");
    let overflows = counters_at(&t, server, t.end).get("ListenOverflows").copied().unwrap_or(0);
    assert!(overflows > 100, "{overflows}");
    let sum = wirewise_sim::summary::summarize("old", &t);
    assert!(sum.connect_latencies_ms.iter().any(|l| *l > 900.0), "some clients waited for a SYN retransmission");

    // The same load with the modern default: Send-Q 511, no overflow, nobody waits.
    let t = run(&scenario("queues-old-somaxconn", &[("somaxconn", "4096")]));
    let rows = listen_rows_at(&t, t.end);
    assert_eq!((rows[0].send_q, rows[0].requested_backlog), (511, 511));
    assert_eq!(counters_at(&t, node(&t, "server"), t.end).get("ListenOverflows"), None);
    let sum = wirewise_sim::summary::summarize("new", &t);
    assert_eq!(sum.connect_latencies_ms.len(), 300);
    assert!(sum.connect_latencies_ms.iter().all(|l| *l < 100.0));
}

/// [E12]: backlog 1, SYNs never ACKed: the SYN queue takes backlog + 1 = 2 request socks
/// (the `>` test of the Jan 2025 patch), then cookies; a pre-5.4 kernel's `>=` takes 1.
#[test]
fn syn_queue_holds_backlog_plus_one_request_socks_or_backlog_on_old_kernels() {
    for (kernel, queued) in [("linux", 2usize), ("linux-pre-5.4", 1)] {
        let s = scenario(
            "queues-syn-flood-cookies",
            &[("backlog", "1"), ("flood_rate", "10"), ("flood_s", "0.5"), ("clients", "1"), ("kernel", kernel)],
        );
        let t = run(&s);
        let attacker: Vec<ListenAction> =
            listen_events(&t).into_iter().filter(|(_, _, p, _)| !is_client(p.ip())).map(|x| x.3).collect();
        assert_eq!(attacker.len(), 5);
        let q = attacker.iter().filter(|a| matches!(a, ListenAction::SynQueued { .. })).count();
        let cookies = attacker.iter().filter(|a| matches!(a, ListenAction::SynCookie { forced: false })).count();
        assert_eq!((q, cookies), (queued, 5 - queued), "{kernel}");
        let cap = t.events.iter().find_map(|e| match e.kind {
            EventKind::Queue { queue: QueueKind::Syn, cap, .. } => Some(cap),
            _ => None,
        });
        assert_eq!(cap, Some(queued as u32), "{kernel}: the traced SYN-queue capacity");
    }
}
