//! SYN floods, syncookies and tcp_max_syn_backlog, measured at the network level (docs/fidelity.md
//! §1.3, [E12]).

mod queues_common;

use queues_common::*;
use std::collections::BTreeSet;
use std::net::SocketAddrV4;
use wirewise_sim::apps::load::Arrival;
use wirewise_sim::apps::AppSpec;
use wirewise_sim::nstat::counters_at;
use wirewise_sim::presets::queues::{PORT, SERVER_IP};
use wirewise_sim::summary::summarize;
use wirewise_sim::trace::{EventKind, ListenAction, QueueKind};

/// The peers the listener answered with a cookie.
fn cookie_peers(t: &wirewise_sim::Trace) -> BTreeSet<SocketAddrV4> {
    listen_events(t).into_iter().filter(|x| matches!(x.3, ListenAction::SynCookie { .. })).map(|x| x.2).collect()
}

/// [E12]: a cookie SYN-ACK to a SYN without timestamps carries the MSS only (no window
/// scale, no SACK: `tcp_clear_options`) and window 64240.
#[test]
fn cookie_synack_to_a_bare_syn_carries_only_the_mss() {
    let t = run(&scenario("queues-syn-flood-cookies", &[]));
    let peers = cookie_peers(&t);
    let cookies: Vec<Seg> = sent_by(&t, node(&t, "server"))
        .into_iter()
        .filter(|x| x.seg.flags.syn() && !is_client(x.dst.ip()) && peers.contains(&x.dst))
        .collect();
    assert!(cookies.len() > 1000, "{}", cookies.len());
    for c in &cookies {
        let o = &c.seg.options;
        assert_eq!(o.mss, Some(1460));
        assert!(o.window_scale.is_none() && !o.sack_permitted && o.timestamps.is_none(), "{o:?}");
        assert_eq!(c.seg.window, 64240);
    }
    let c = counters_at(&t, node(&t, "server"), t.end);
    assert_eq!(c["SyncookiesSent"], c["TCPReqQFullDoCookies"]);
    assert_eq!(c["SyncookiesSent"] as usize, peers.len());
}

/// With syncookies the real clients connect in one round trip during the flood: their SYNs
/// have timestamps, so window scaling and SACK survive in the cookie's TSval.
#[test]
fn with_syncookies_clients_connect_in_one_round_trip_during_a_flood() {
    let t = run(&scenario("queues-syn-flood-cookies", &[]));
    let s = summarize("cookies", &t);
    assert_eq!(s.connect_latencies_ms.len(), 20);
    assert!(s.connect_latencies_ms.iter().all(|l| *l < 12.0), "{:?}", s.connect_latencies_ms);
    let to_clients: Vec<Seg> =
        sent_by(&t, node(&t, "server")).into_iter().filter(|x| x.seg.flags.syn() && is_client(x.dst.ip())).collect();
    assert_eq!(to_clients.len(), 20);
    for c in &to_clients {
        let o = &c.seg.options;
        assert!(o.timestamps.is_some() && o.window_scale == Some(7) && o.sack_permitted, "{o:?}");
    }
    let cookie_children = listen_events(&t)
        .iter()
        .filter(|x| is_client(x.2.ip()) && matches!(x.3, ListenAction::Established { cookie: true, .. }))
        .count();
    assert_eq!(cookie_children, 20);
    assert_eq!(counters_at(&t, node(&t, "server"), t.end)["SyncookiesRecv"], 20);
}

/// tcp_syncookies=0: once spoofed request socks fill the SYN queue (backlog + 1 = 129), every
/// SYN is dropped (TCPReqQFullDrop), the clients' too, until old requests expire.
#[test]
fn without_syncookies_a_flood_locks_clients_out_until_requests_expire() {
    let t = run(&scenario("queues-syn-flood", &[]));
    let peak = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Queue { queue: QueueKind::Syn, len, .. } => Some(len),
            _ => None,
        })
        .max();
    assert_eq!(peak, Some(129));
    let ev = listen_events(&t);
    let dropped = ev.iter().filter(|x| x.3 == ListenAction::SynDroppedSynQueueFull).count() as u64;
    let c = counters_at(&t, node(&t, "server"), t.end);
    assert_eq!(c["TCPReqQFullDrop"], dropped);
    assert!(!c.contains_key("SyncookiesSent"));
    let client_drops = ev.iter().filter(|x| is_client(x.2.ip()) && x.3 == ListenAction::SynDroppedSynQueueFull).count();
    assert!(client_drops >= 20, "every client lost at least its first SYN ({client_drops})");
    let first_expiry = ev.iter().find(|x| matches!(x.3, ListenAction::RequestExpired { .. })).map(|x| secs(x.0));
    let first_client_in =
        ev.iter().find(|x| is_client(x.2.ip()) && matches!(x.3, ListenAction::SynQueued { .. })).map(|x| secs(x.0));
    let (expiry, client_in) = (first_expiry.unwrap(), first_client_in.unwrap());
    assert!(client_in >= expiry, "a client got in at {client_in} s, before any request expired ({expiry} s)");
    let s = summarize("flood", &t);
    assert_eq!(s.connect_latencies_ms.len(), 20, "they all get in once the flood's requests expire");
    assert!(s.connect_latencies_ms.iter().all(|l| *l > 1000.0));
}

/// tcp_syncookies=2 answers every SYN with a cookie, even with an empty SYN queue.
#[test]
fn syncookies_2_sends_a_cookie_for_every_syn() {
    let t = run(&scenario("queues-healthy", &[("syncookies", "2"), ("clients", "30")]));
    let ev = listen_events(&t);
    assert_eq!(ev.iter().filter(|x| x.3 == ListenAction::SynCookie { forced: true }).count(), 30);
    assert!(!ev.iter().any(|x| matches!(x.3, ListenAction::SynQueued { .. })));
    let c = counters_at(&t, node(&t, "server"), t.end);
    assert_eq!((c["SyncookiesSent"], c["TCPReqQFullDoCookies"], c["SyncookiesRecv"]), (30, 30, 30));
    assert_eq!(summarize("c2", &t).connect_latencies_ms.len(), 30);
}

/// `tcp_conn_request` with syncookies off: once the SYN queue is in the last quarter of
/// tcp_max_syn_backlog, only peers proven alive (a TCP metrics entry from an earlier clean
/// close) get a request sock; others are dropped (ListenDrops, not TCPReqQFullDrop).
#[test]
fn max_syn_backlog_keeps_its_last_quarter_for_proven_peers() {
    let mut s = scenario(
        "queues-syn-flood",
        &[
            ("syncookies", "0"),
            ("backlog", "4096"),
            ("max_syn_backlog", "256"),
            ("flood_rate", "500"),
            ("flood_s", "2"),
            ("client_hosts", "2"),
        ],
    );
    s.apps.retain(|a| !matches!(a, AppSpec::LoadClients { .. }));
    for a in &mut s.apps {
        if let AppSpec::SynFlood { start_ms, .. } = a {
            *start_ms = 2000.0;
        }
    }
    let load = |host: &str, start_ms: f64| AppSpec::LoadClients {
        host: host.into(),
        server: SocketAddrV4::new(SERVER_IP, PORT),
        clients: 5,
        arrival: Arrival::Steady,
        rate: 50.0,
        burst: 1,
        request_bytes: 200,
        start_ms,
    };
    // client1 talks to the server before the flood (and so is proven); client2 never did.
    s.apps.extend([load("client1", 10.0), load("client1", 3000.0), load("client2", 3000.0)]);
    s.stop_ms = 5000.0;
    let t = run(&s);
    let ev = listen_events(&t);
    let peak = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Queue { queue: QueueKind::Syn, len, .. } => Some(len),
            _ => None,
        })
        .max()
        .unwrap();
    // Spoofed SYNs stop at 256 - 256/4 + 1 = 193; the 5 proven ones still get in.
    let spoofed_queued =
        ev.iter().filter(|x| !is_client(x.2.ip()) && matches!(x.3, ListenAction::SynQueued { .. })).count();
    assert_eq!(spoofed_queued, 193);
    assert!((193..=198).contains(&peak), "{peak}");
    let client2 = "10.0.0.12".parse::<wirewise_sim::wire::Ipv4Addr>().unwrap();
    let client1 = "10.0.0.11".parse::<wirewise_sim::wire::Ipv4Addr>().unwrap();
    let late = |ip, what: fn(&ListenAction) -> bool| {
        ev.iter().filter(|x| *x.2.ip() == ip && secs(x.0) >= 3.0 && what(&x.3)).count()
    };
    assert_eq!(late(client1, |a| matches!(a, ListenAction::Established { .. })), 5, "proven peer admitted");
    assert_eq!(late(client2, |a| matches!(a, ListenAction::SynQueued { .. })), 0, "unproven peer kept out");
    assert!(late(client2, |a| *a == ListenAction::SynDroppedMaxSynBacklog) >= 5);
    let c = counters_at(&t, node(&t, "server"), t.end);
    assert!(!c.contains_key("TCPReqQFullDrop"), "the SYN queue itself was never full");
    let max_syn_drops = ev.iter().filter(|x| x.3 == ListenAction::SynDroppedMaxSynBacklog).count() as u64;
    assert_eq!(c["ListenDrops"], max_syn_drops);
}
