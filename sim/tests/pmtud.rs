//! Path-MTU discovery end to end (RFC 1191 §6; Linux `tcp_v4_mtu_reduced`,
//! `tcp_simple_retransmit`): full-size segments meet a 1400-byte hop; with ICMP "fragmentation
//! needed" delivered the server cuts them to the new MSS and resends at once; with ICMP blocked
//! the connection hangs after a successful handshake (the black hole); clamping the MSS on the
//! routers avoids the problem.

use wirewise_sim::fetch::fetches;
use wirewise_sim::params::ParamSet;
use wirewise_sim::trace::{EventKind, LossDetector, TcpEventKind, Trace};
use wirewise_sim::transfer::tcp_payload_len;
use wirewise_sim::wire::{Frame, FramePayload, Transport};
use wirewise_sim::{presets, run};

fn pmtud(pairs: &[(&str, &str)]) -> Trace {
    let p = presets::find("pmtud").unwrap();
    let set = ParamSet::apply_strict(p.params, pairs.iter().copied()).unwrap();
    run(&(p.build)(&set).unwrap()).unwrap()
}

/// (time in ms, sender node, payload bytes, dropped) of every data frame on its first link.
fn data_sent(t: &Trace, node: u16) -> Vec<(f64, u32)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::FrameTx { frame, from, .. } if *from == node => {
                let n = tcp_payload_len(&t.frames[*frame as usize].bytes)?;
                (n > 0).then_some((e.t.0 as f64 / 1e6, n))
            }
            _ => None,
        })
        .collect()
}

fn server_node(t: &Trace) -> u16 {
    t.nodes.iter().position(|n| n.name == "server").unwrap() as u16
}

#[test]
fn icmp_fragmentation_needed_lowers_the_mss_and_the_server_resends_at_once() {
    let t = pmtud(&[]);
    let sent = data_sent(&t, server_node(&t));
    // The first flight is full size (MSS 1448 with timestamps) and too big for the hop.
    assert_eq!(sent[0].1, 1448);
    let icmp_at = t
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::FrameRx { frame, node, .. } if *node == server_node(&t) => {
                let f = Frame::parse(&t.frames[*frame as usize].bytes).ok()?;
                matches!(f.payload, FramePayload::Ipv4(ref p) if matches!(p.transport, Transport::Icmp(_)))
                    .then_some(e.t.0 as f64 / 1e6)
            }
            _ => None,
        })
        .expect("the router's ICMP reaches the server");
    assert!((icmp_at - 56.0).abs() < 0.5, "{icmp_at}");
    // From then on nothing exceeds the new MSS: 1400 − 20 − 20 − 12 (timestamps) = 1348.
    let after: Vec<_> = sent.iter().filter(|(at, _)| *at >= icmp_at).collect();
    assert!(after.iter().all(|(_, n)| *n <= 1348), "{after:?}");
    assert!((after[0].0 - icmp_at).abs() < 0.1, "resent at once, not after a timeout: {after:?}");
    let marked = t
        .events
        .iter()
        .filter(|e| {
            matches!(e.kind, EventKind::TcpEvent { what: TcpEventKind::Lost { by: LossDetector::PathMtu, .. }, .. })
        })
        .count();
    assert_eq!(marked, 10, "the whole initial window was too big");
    let f = fetches(&t);
    assert_eq!(f.len(), 1);
    assert!(f[0].took().0 < 110_000_000, "{:?}", f[0].took());
}

#[test]
fn with_icmp_blocked_the_handshake_succeeds_and_the_data_never_arrives() {
    let t = pmtud(&[("block_icmp", "on")]);
    assert!(fetches(&t).is_empty(), "a black hole: no response in 30 s");
    let established = t
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::TcpState { to: wirewise_sim::tcp::TcpState::Established, .. }));
    assert!(established);
    // The server keeps resending the same full-size first segment, backing off exponentially.
    let firsts: Vec<f64> =
        data_sent(&t, server_node(&t)).into_iter().filter(|(_, n)| *n == 1448).map(|(at, _)| at).collect();
    let gaps: Vec<f64> = firsts.windows(2).map(|w| w[1] - w[0]).filter(|g| *g > 1.0).collect();
    assert!(gaps.len() >= 5, "{firsts:?}");
    // First a tail-loss probe about two round trips later, then RTOs doubling from ~230 ms.
    assert!(gaps[0] < 100.0, "{gaps:?}");
    for w in gaps[1..].windows(2) {
        assert!((1.8..2.2).contains(&(w[1] / w[0])), "RTO doubles: {gaps:?}");
    }
}

#[test]
fn clamping_the_mss_on_the_routers_rewrites_the_syn_and_nothing_is_too_big() {
    let t = pmtud(&[("clamp_mss", "on")]);
    let server = server_node(&t);
    let syn_mss = t.events.iter().find_map(|e| match &e.kind {
        EventKind::FrameRx { frame, node, .. } if *node == server => {
            let f = Frame::parse(&t.frames[*frame as usize].bytes).ok()?;
            match f.payload {
                FramePayload::Ipv4(p) => match p.transport {
                    Transport::Tcp(tcp) if tcp.flags.syn() => tcp.options.mss,
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    });
    assert_eq!(syn_mss, Some(1360), "1400 − 40, rewritten in passing");
    assert!(!t.events.iter().any(|e| matches!(e.kind, EventKind::FrameDropped { .. })));
    assert!(data_sent(&t, server).iter().all(|(_, n)| *n <= 1348));
    assert_eq!(fetches(&t).len(), 1);
}
