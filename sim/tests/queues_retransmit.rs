//! Handshake retransmission schedules seen on the wire of the queues lab: the server's
//! SYN-ACK for a request nobody completes, and a client's SYNs when the server drops them
//! (docs/fidelity.md §1.5 [E2], §1.6 [E3]).

mod queues_common;

use queues_common::*;
use wirewise_sim::apps::AppSpec;
use wirewise_sim::trace::{AppCall, DropReason, EventKind, ListenAction};

/// [E2]: a spoofed SYN that is never ACKed: SYN-ACKs at 0, 1, 3, 7, 15 and 31 s with the same
/// ISN and a moving TSval, then the request sock is dropped at 63 s (each timer a little
/// later, by the tick and the timer wheel). The SYN-ACKs die
/// silently at the host standing for the spoofed addresses.
#[test]
fn synack_is_retransmitted_at_1_3_7_15_31_s_and_the_request_dropped_at_63_s() {
    let mut s = scenario("queues-syn-flood", &[("flood_rate", "10"), ("flood_s", "0.5"), ("clients", "1")]);
    for a in &mut s.apps {
        if let AppSpec::SynFlood { syn_options, count, .. } = a {
            *syn_options = true;
            *count = 1;
        }
    }
    s.stop_ms = 70_000.0;
    let t = run(&s);
    let server = node(&t, "server");
    let synacks: Vec<Seg> =
        sent_by(&t, server).into_iter().filter(|x| x.seg.flags.syn() && !is_client(x.dst.ip())).collect();
    let t0 = secs(synacks[0].t);
    let at: Vec<f64> = synacks.iter().map(|x| secs(x.t) - t0).collect();
    on_schedule("SYN-ACKs", &at, &[0.0, 1.0, 3.0, 7.0, 15.0, 31.0]);
    assert!(synacks.iter().all(|x| x.seg.seq == synacks[0].seg.seq), "the ISN stays");
    let tsvals: Vec<u32> = synacks.iter().filter_map(|x| x.seg.options.timestamps.map(|ts| ts.0)).collect();
    assert_eq!(tsvals.len(), 6);
    assert!(tsvals.windows(2).all(|w| w[1] > w[0]), "TSval advances: {tsvals:?}");
    let expired = listen_events(&t)
        .into_iter()
        .find_map(|(when, _, p, a)| matches!(a, ListenAction::RequestExpired { .. }).then_some((secs(when) - t0, p)));
    let (when, peer) = expired.expect("the request expires");
    on_schedule("the last SYN-ACK and the drop", &[at[5], when], &[31.0, 63.0]);
    assert_eq!(peer, synacks[0].dst);
    let darknet = node(&t, "darknet");
    let blackholed = t
        .events
        .iter()
        .filter(|e| {
            matches!(e.kind, EventKind::FrameDropped { node: Some(n), reason: DropReason::NotForUs, .. } if n == darknet)
        })
        .count();
    assert_eq!(blackholed, 6, "every SYN-ACK ends at the darknet, unanswered");
}

/// The client whose SYNs a full accept queue drops: SYNs at the times of `want` (seconds
/// after the first) and connect() fails with ETIMEDOUT at `gives_up`.
fn client_syn_schedule(kernel: &str, want: &[f64], gives_up: f64) {
    let mut s = scenario(
        "queues-slow-accept",
        &[
            ("backlog", "0"),
            ("workers", "1"),
            ("stalled", "1"),
            ("clients", "2"),
            ("arrival_rate", "10"),
            ("client_hosts", "1"),
            ("kernel", kernel),
        ],
    );
    s.stop_ms = 140_000.0;
    let t = run(&s);
    let c = connects(&t);
    let (second, started) = c[1];
    let port = local(&t, second).port();
    let syns: Vec<f64> = sent_by(&t, node(&t, "client1"))
        .iter()
        .filter(|x| x.src.port() == port && x.seg.flags.syn())
        .map(|x| secs(x.t) - secs(started))
        .collect();
    on_schedule(&format!("{kernel}: SYNs"), &syns, want);
    let done = t.events.iter().find_map(|e| match &e.kind {
        EventKind::App { call: AppCall::ConnectDone { sock, result }, .. } if *sock == second => {
            Some((secs(e.t) - secs(started), result.clone()))
        }
        _ => None,
    });
    let (when, result) = done.expect("connect() returns");
    assert_eq!(result, Err("ETIMEDOUT".to_string()));
    on_schedule(
        &format!("{kernel}: the last SYN and ETIMEDOUT"),
        &[syns[syns.len() - 1], when],
        &[want[want.len() - 1], gives_up],
    );
}

/// [E3], Linux 6.5+ ("tcp: make the first N SYN RTO backoffs linear"): SYNs at 0, 1, 2, 3,
/// 4, 5, 7, 11, 19, 35 and 67 s; ETIMEDOUT at 131 s.
#[test]
fn client_syns_at_0_1_2_3_4_5_7_11_19_35_67_s_then_etimedout_at_131_s() {
    client_syn_schedule("linux", &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 11.0, 19.0, 35.0, 67.0], 131.0);
}

/// Before 6.5: SYNs at 0, 1, 3, 7, 15, 31 and 63 s; ETIMEDOUT at 127 s.
#[test]
fn pre_6_5_client_syns_back_off_exponentially_and_give_up_at_127_s() {
    client_syn_schedule("linux-pre-6.5", &[0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0], 127.0);
}
