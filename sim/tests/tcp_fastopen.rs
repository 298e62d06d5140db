//! TCP Fast Open end to end (RFC 7413; Linux net/ipv4/tcp_fastopen.c, `tcp_send_syn_data`,
//! `tcp_rcv_fastopen_synack`): the first connection gets a cookie, the second sends its
//! request in the SYN and has the response one round trip after connect(); a server without
//! Fast Open, a lost SYN with data, and data in a SYN the server does not take all fall back
//! to an ordinary handshake with the data sent after it.

use wirewise_sim::net::fault::{FaultAction, FaultSpec, FrameMatch};
use wirewise_sim::params::ParamSet;
use wirewise_sim::scenario::Scenario;
use wirewise_sim::tcp::fastopen::{CLIENT_ENABLE, CLIENT_NO_COOKIE};
use wirewise_sim::trace::{AppCall, EventKind, Trace};
use wirewise_sim::wire::{Frame, FramePayload, TcpRepr, Transport};
use wirewise_sim::{presets, run};

fn scenario(pairs: &[(&str, &str)]) -> Scenario {
    let p = presets::find("tfo").unwrap();
    let set = ParamSet::apply_strict(p.params, pairs.iter().copied()).unwrap();
    (p.build)(&set).unwrap()
}

fn node(t: &Trace, name: &str) -> u16 {
    t.node_named(name).unwrap()
}

/// Every TCP segment `name` put on the wire, with its send time in ms.
fn sent(t: &Trace, name: &str) -> Vec<(f64, TcpRepr)> {
    let n = node(t, name);
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::FrameTx { frame, from, .. } if *from == n => {
                let f = Frame::parse(&t.frames[*frame as usize].bytes).ok()?;
                match f.payload {
                    FramePayload::Ipv4(p) => match p.transport {
                        Transport::Tcp(seg) => Some((e.t.0 as f64 / 1e6, seg)),
                        _ => None,
                    },
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

fn syns(t: &Trace, name: &str, synack: bool) -> Vec<TcpRepr> {
    sent(t, name).into_iter().map(|(_, s)| s).filter(|s| s.flags.syn() && s.flags.ack() == synack).collect()
}

/// Request-to-response times of the client's exchanges, in ms.
fn exchanges(t: &Trace) -> Vec<f64> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Exchange { latency, .. }, .. } => Some(latency.as_millis_f64()),
            _ => None,
        })
        .collect()
}

/// A host's nstat counter at the end of the run.
fn counter(t: &Trace, host: &str, name: &str) -> u64 {
    wirewise_sim::nstat::counter_at(t, node(t, host), name, t.end)
}

#[test]
fn the_second_visit_sends_the_request_in_the_syn_and_saves_a_round_trip() {
    let t = run(&scenario(&[])).unwrap();
    let client_syns = syns(&t, "client", false);
    let server_synacks = syns(&t, "server", true);
    assert_eq!(client_syns.len(), 2);
    assert_eq!(server_synacks.len(), 2);
    // Visit 1: an empty Fast Open option asks for a cookie; the SYN-ACK brings 8 bytes.
    assert_eq!(client_syns[0].options.fast_open, Some(vec![]));
    assert!(client_syns[0].payload.is_empty());
    let cookie = server_synacks[0].options.fast_open.clone().expect("a cookie in the first SYN-ACK");
    assert_eq!(cookie.len(), 8);
    assert_eq!(server_synacks[0].ack, client_syns[0].seq.wrapping_add(1));
    // Visit 2: the same cookie and the whole 120-byte request ride in the SYN ...
    assert_eq!(client_syns[1].options.fast_open.as_deref(), Some(&cookie[..]));
    assert_eq!(client_syns[1].payload.len(), 120);
    assert!(client_syns[1].payload.starts_with(b"POST "));
    // ... and the SYN-ACK acknowledges SYN and data, with no cookie of its own.
    assert_eq!(server_synacks[1].ack, client_syns[1].seq.wrapping_add(121));
    assert_eq!(server_synacks[1].options.fast_open, None);
    // 100 ms RTT: two round trips for the first exchange, one for the second.
    let ex = exchanges(&t);
    assert_eq!(ex.len(), 2);
    assert!((ex[0] - 200.0).abs() < 1.0, "{ex:?}");
    assert!((ex[1] - 100.0).abs() < 1.0, "{ex:?}");
    assert_eq!(counter(&t, "server", "TCPFastOpenCookieReqd"), 1);
    assert_eq!(counter(&t, "server", "TCPFastOpenPassive"), 1);
    assert_eq!(counter(&t, "client", "TCPFastOpenActive"), 1);
    assert_eq!(counter(&t, "client", "TCPFastOpenActiveFail"), 0);
}

#[test]
fn the_response_leaves_before_the_third_ack_arrives() {
    // tcp_passive_fastopen: the child may send in SYN-RECEIVED.
    let t = run(&scenario(&[])).unwrap();
    let server = sent(&t, "server");
    let second_synack = server.iter().filter(|(_, s)| s.flags.syn()).nth(1).unwrap().0;
    let response = server.iter().find(|(at, s)| *at >= second_synack && !s.payload.is_empty()).unwrap().0;
    assert!(response - second_synack < 1.0, "response {response} ms, SYN-ACK {second_synack} ms");
}

#[test]
fn a_server_without_fast_open_ignores_the_option_and_nothing_is_saved() {
    let t = run(&scenario(&[("server", "off")])).unwrap();
    let client_syns = syns(&t, "client", false);
    // No cookie ever comes back, so both SYNs ask again and carry no data.
    assert!(client_syns.iter().all(|s| s.options.fast_open == Some(vec![]) && s.payload.is_empty()));
    assert!(syns(&t, "server", true).iter().all(|s| s.options.fast_open.is_none()));
    let ex = exchanges(&t);
    assert!(ex.iter().all(|ms| (ms - 200.0).abs() < 1.0), "{ex:?}");
    assert_eq!(counter(&t, "server", "TCPFastOpenPassive"), 0);
}

#[test]
fn a_lost_syn_with_data_is_retransmitted_plain_and_the_data_follows_the_handshake() {
    let mut s = scenario(&[]);
    // Drop the second SYN (the one with the cookie and the request).
    s.faults.push(FaultSpec {
        matches: FrameMatch {
            from: Some("client".into()),
            proto: Some("tcp".into()),
            flags: Some("SYN".into()),
            not_flags: Some("ACK".into()),
            ..Default::default()
        },
        nth: 2,
        count: 1,
        action: FaultAction::Drop,
    });
    let t = run(&s).unwrap();
    let client_syns = syns(&t, "client", false);
    assert_eq!(client_syns.len(), 3);
    assert_eq!(client_syns[1].payload.len(), 120);
    // tcp_send_syn_data: "regular SYNs are retransmitted on timeouts": no option, no data.
    assert!(client_syns[2].payload.is_empty());
    assert_eq!(client_syns[2].options.fast_open, None);
    assert_eq!(counter(&t, "client", "TCPFastOpenActiveFail"), 1);
    let ex = exchanges(&t);
    assert_eq!(ex.len(), 2);
    // 1 s SYN timeout (fired up to 36 ms late at HZ=250: the tick and the timer wheel's
    // 32 ms bucket), then a handshake and the request: 1 s + 2 RTT.
    assert!(ex[1] > 1199.0 && ex[1] < 1238.0, "{ex:?}");
}

#[test]
fn data_in_a_syn_the_server_does_not_take_is_sent_again_after_the_handshake() {
    // TFO_CLIENT_NO_COOKIE: the client puts data in the SYN without any cookie; the server
    // (Fast Open off) acknowledges only the SYN, so the request goes again.
    let mut s = scenario(&[("server", "off")]);
    s.tcp.fastopen = CLIENT_ENABLE | CLIENT_NO_COOKIE;
    let t = run(&s).unwrap();
    let client = sent(&t, "client");
    let first_syn = &client.iter().find(|(_, s)| s.flags.syn()).unwrap().1;
    assert_eq!(first_syn.payload.len(), 120);
    assert_eq!(first_syn.options.fast_open, None, "no cookie option at all");
    let resent = client
        .iter()
        .filter(|(_, s)| !s.flags.syn() && s.seq == first_syn.seq.wrapping_add(1) && s.payload.len() == 120)
        .count();
    assert!(resent >= 1, "the request is sent again as ordinary data");
    assert_eq!(counter(&t, "client", "TCPFastOpenActiveFail"), 2);
    assert_eq!(exchanges(&t).len(), 2);
}

#[test]
fn a_syn_resent_as_the_synack_arrives_still_counts_the_data_it_first_carried() {
    // At 1000 ms RTT the SYN's 1 s RTO fires just before the SYN-ACK arrives: a plain SYN
    // goes out again, then the SYN-ACK acknowledges the first SYN's data
    // (`tcp_rcv_fastopen_synack`: data already acked is not resent). This once looped for ever.
    // On exact time (hz = 0) the timer fires at exactly 1 s, as the SYN-ACK is on its way.
    let mut s = scenario(&[("rtt", "1000")]);
    s.tcp.hz = 0;
    for h in &mut s.hosts {
        if let Some(tcp) = &mut h.tcp {
            tcp.hz = 0;
        }
    }
    let t = run(&s).unwrap();
    let client_syns = syns(&t, "client", false);
    assert_eq!(client_syns.len(), 4, "two SYNs, each resent once");
    assert_eq!(client_syns[2].payload.len(), 120);
    assert!(client_syns[3].payload.is_empty() && client_syns[3].options.fast_open.is_none());
    let requests = sent(&t, "client").into_iter().filter(|(_, s)| s.payload.starts_with(b"POST ")).count();
    assert_eq!(requests, 2, "the request after visit 1's handshake, and in visit 2's SYN; never again");
    let ex = exchanges(&t);
    assert_eq!(ex.len(), 2);
    assert!((ex[0] - 2000.0).abs() < 1.0, "{ex:?}");
    assert!((ex[1] - 1000.0).abs() < 1.0, "{ex:?}");
    assert_eq!(counter(&t, "client", "TCPFastOpenActive"), 1);
    assert_eq!(counter(&t, "client", "TCPFastOpenActiveFail"), 0);
    // At HZ=250 the 1 s timer (250 ticks, a timer-wheel bucket of 8 ticks) fires 1.004 s or
    // later, after the SYN-ACK that left at 1000 ms has arrived: no SYN is resent.
    let t = run(&scenario(&[("rtt", "1000")])).unwrap();
    assert_eq!(syns(&t, "client", false).len(), 2, "each SYN once");
}
