//! The life of a connection when both ends act at once, and when one end never closes: the
//! `simultaneous-open`, `simultaneous-close` and `close-wait-leak` presets, checked against
//! RFC 9293 §3.5 Figure 8, §3.6 Figure 13 and docs/fidelity.md §6 ([E16], tcp_fin_timeout).

use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;
use wirewise_sim::socket_states::{connections, count_at, count_in_state, stays, Stay};
use wirewise_sim::tcp::TcpState::{self, *};
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{EventKind, NodeId, SockKind, Trace};
use wirewise_sim::wire::{Frame, FramePayload, TcpFlags, Transport};

fn run(name: &str, sets: &[(&str, &str)]) -> Trace {
    let p = presets::find(name).unwrap();
    let set = ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    wirewise_sim::run(&(p.build)(&set).unwrap()).unwrap()
}

fn node(t: &Trace, name: &str) -> NodeId {
    t.nodes.iter().position(|n| n.name == name).unwrap() as NodeId
}

/// The one connection socket on host `name`.
fn conn(t: &Trace, name: &str) -> u32 {
    let c = connections(t, node(t, name));
    assert_eq!(c.len(), 1, "{name} has one connection");
    c[0]
}

fn states(v: &[Stay]) -> Vec<TcpState> {
    v.iter().map(|s| s.state).collect()
}

/// Milliseconds spent in `state` (its first stay).
fn ms_in(v: &[Stay], state: TcpState) -> f64 {
    let s = v.iter().find(|s| s.state == state).unwrap_or_else(|| panic!("never in {state}"));
    let until = s.until.unwrap_or_else(|| panic!("still in {state}"));
    (until.0 - s.from.0) as f64 / 1e6
}

/// Every TCP segment put on the wire, in order: (time, sender's host name, flags).
fn segments(t: &Trace) -> Vec<(Instant, String, TcpFlags)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::FrameTx { frame, from, .. } => {
                let f = Frame::parse(&t.frames[*frame as usize].bytes).ok()?;
                let FramePayload::Ipv4(p) = f.payload else { return None };
                let Transport::Tcp(seg) = p.transport else { return None };
                Some((e.t, t.nodes[*from as usize].name.clone(), seg.flags))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn simultaneous_open_goes_syn_sent_syn_received_established_on_both_sides() {
    let t = run("simultaneous-open", &[]);
    let (a, b) = (stays(&t, conn(&t, "peer-a")), stays(&t, conn(&t, "peer-b")));
    // Figure 8: both ends SYN-SENT → SYN-RECEIVED → ESTABLISHED; then peer-a closes first.
    assert_eq!(states(&a), [SynSent, SynReceived, Established, FinWait1, FinWait2, TimeWait, Closed]);
    assert_eq!(states(&b), [SynSent, SynReceived, Established, CloseWait, LastAck, Closed]);
    // Nobody listens: no socket of either host is a listener.
    assert!(t.sockets.iter().all(|s| s.kind != SockKind::TcpListener));
    // SYN, SYN, SYN+ACK, SYN+ACK, ACK, ACK ([E16], Linux 6.18): each side ACKs the SYN-ACK,
    // whose SYN it has already seen.
    let sa = TcpFlags::SYN | TcpFlags::ACK;
    let flags: Vec<TcpFlags> = segments(&t).iter().take(6).map(|s| s.2).collect();
    assert_eq!(flags, [TcpFlags::SYN, TcpFlags::SYN, sa, sa, TcpFlags::ACK, TcpFlags::ACK]);
    // Both SYNs leave at the same instant, one from each side.
    let segs = segments(&t);
    assert_eq!(segs[0].0, segs[1].0);
    assert_ne!(segs[0].1, segs[1].1);
}

#[test]
fn simultaneous_open_spends_half_a_round_trip_in_each_handshake_state() {
    for rtt in [10.0, 50.0, 200.0] {
        let t = run("simultaneous-open", &[("rtt", &rtt.to_string())]);
        for host in ["peer-a", "peer-b"] {
            let s = stays(&t, conn(&t, host));
            // The SYN crosses in half a round trip; so does the SYN-ACK (plus ~16 µs on the wire).
            for state in [SynSent, SynReceived] {
                let ms = ms_in(&s, state);
                assert!((ms - rtt / 2.0).abs() < 0.05, "{host} {state} {ms} ms at RTT {rtt}");
            }
        }
    }
}

#[test]
fn simultaneous_close_goes_fin_wait_1_closing_time_wait_on_both_sides() {
    let t = run("simultaneous-close", &[]);
    let client = stays(&t, conn(&t, "client"));
    let server = stays(&t, conn(&t, "server"));
    // Figure 13: both FIN-WAIT-1 → CLOSING → TIME-WAIT → CLOSED.
    assert_eq!(states(&client), [SynSent, Established, FinWait1, Closing, TimeWait, Closed]);
    assert_eq!(states(&server), [SynReceived, Established, FinWait1, Closing, TimeWait, Closed]);
    // Both close() at the same instant; the FINs cross.
    let fins: Vec<_> = segments(&t).into_iter().filter(|s| s.2.fin()).collect();
    assert_eq!(fins.len(), 2);
    assert_eq!(fins[0].0, fins[1].0);
    assert_ne!(fins[0].1, fins[1].1);
    for s in [&client, &server] {
        assert!((ms_in(s, FinWait1) - 25.0).abs() < 0.05, "FIN-WAIT-1 lasts half a round trip");
        assert!((ms_in(s, Closing) - 25.0).abs() < 0.05, "CLOSING lasts half a round trip");
        // Both ends, not just one, wait out Linux's 60 s TIME-WAIT.
        assert_waits(ms_in(s, TimeWait), 60_000.0, 250);
    }
}

#[test]
fn close_wait_piles_up_one_per_client_and_never_drains() {
    let t = run("close-wait-leak", &[]);
    let server = node(&t, "server");
    let client = node(&t, "client");
    let cw = count_in_state(&t, server, CloseWait);
    // One more CLOSE-WAIT per client, 5 s apart, never fewer: 0, 1, 2 … 8.
    let counts: Vec<u32> = cw.iter().map(|x| x.1).collect();
    assert_eq!(counts, (0..=8).collect::<Vec<_>>());
    for w in cw.windows(2).skip(1) {
        assert!(((w[1].0 .0 - w[0].0 .0) as f64 / 1e9 - 5.0).abs() < 1e-6);
    }
    assert_eq!(count_at(&cw, t.end), 8);
    for c in connections(&t, server) {
        assert_eq!(stays(&t, c).last().map(|s| (s.state, s.until)), Some((CloseWait, None)));
    }
    // Each client waits in FIN-WAIT-2 for a FIN that never comes and is dropped after
    // tcp_fin_timeout; at the end none is left.
    let clients = connections(&t, client);
    assert_eq!(clients.len(), 8);
    for c in clients {
        let s = stays(&t, c);
        assert_eq!(states(&s), [SynSent, Established, FinWait1, FinWait2, Closed]);
        assert_waits(ms_in(&s, FinWait2), 60_000.0, 250);
    }
    let fw2 = count_in_state(&t, client, FinWait2);
    assert_eq!(fw2.iter().map(|x| x.1).max(), Some(8));
    assert_eq!(count_at(&fw2, t.end), 0);
}

#[test]
fn close_wait_count_follows_the_number_of_clients() {
    let t = run("close-wait-leak", &[("clients", "3"), ("every", "1")]);
    let cw = count_in_state(&t, node(&t, "server"), CloseWait);
    assert_eq!(count_at(&cw, t.end), 3);
}

#[test]
fn bind_to_a_port_in_use_fails_with_eaddrinuse() {
    let p = presets::find("simultaneous-open").unwrap();
    let mut s = p.default_scenario().unwrap();
    // A second program on peer-a binds the same agreed port.
    let mut again = s.apps[0].clone();
    if let wirewise_sim::apps::AppSpec::Peer { start_ms, .. } = &mut again {
        *start_ms = 20.0;
    }
    s.apps.push(again);
    let t = wirewise_sim::run(&s).unwrap();
    let notes: Vec<&str> = t
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: wirewise_sim::trace::AppCall::Note { text }, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notes, ["connect() from port 5000 to 10.0.0.2:5000 failed: EADDRINUSE"]);
    assert_eq!(connections(&t, node(&t, "peer-a")).len(), 1);
}

#[test]
fn every_kernel_profile_takes_the_same_simultaneous_paths() {
    for kernel in ["linux", "linux-pre-6.5", "rfc"] {
        let t = run("simultaneous-open", &[("kernel", kernel)]);
        for host in ["peer-a", "peer-b"] {
            let s = states(&stays(&t, conn(&t, host)));
            assert_eq!(&s[..3], &[SynSent, SynReceived, Established], "{kernel} {host}");
        }
        let t = run("simultaneous-close", &[("kernel", kernel)]);
        let time_wait_ms = if kernel == "rfc" { 240_000.0 } else { 60_000.0 };
        for host in ["client", "server"] {
            let s = stays(&t, conn(&t, host));
            assert_eq!(&states(&s)[2..], &[FinWait1, Closing, TimeWait, Closed], "{kernel} {host}");
            assert_waits(ms_in(&s, TimeWait), time_wait_ms, if kernel == "rfc" { 0 } else { 250 });
        }
    }
}

/// A timer of `nominal_ms` lasted `ms`: never less, and later only by the host's tick and the
/// timer wheel (`Clock::max_late`; exact at `hz` 0).
fn assert_waits(ms: f64, nominal_ms: f64, hz: u32) {
    let late = wirewise_sim::jiffies::Clock::new(hz, 0)
        .max_late(wirewise_sim::time::Duration::from_millis_f64(nominal_ms))
        .as_millis_f64();
    assert!(ms >= nominal_ms && ms <= nominal_ms + late, "waited {ms} ms for a {nominal_ms} ms timer at HZ {hz}");
}
