//! End-to-end scenario tests: whole networks from presets, checked against the behaviour and
//! numbers in docs/fidelity.md, through the run summary a learner's figure also uses.

use wirewise_sim::jiffies::Clock;
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;
use wirewise_sim::summary::{summarize, RunSummary};
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::Duration;
use wirewise_sim::trace::{DropReason, EventKind, Trace};

fn run(name: &str, sets: &[(&str, &str)]) -> (Trace, RunSummary) {
    let p = presets::find(name).unwrap();
    let set = ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    let s = (p.build)(&set).unwrap();
    let t = wirewise_sim::run(&s).unwrap();
    let sum = summarize(name, &t);
    (t, sum)
}

fn client(s: &RunSummary) -> &wirewise_sim::summary::ConnSummary {
    s.connections.iter().find(|c| c.host == "client").expect("client connection")
}

#[test]
fn connect_takes_one_round_trip_and_the_call_a_second() {
    for rtt in ["10", "50", "200"] {
        let (_, s) = run("rpc", &[("rtt", rtt)]);
        let rtt: f64 = rtt.parse().unwrap();
        let c = client(&s);
        let connect = c.connect_ms.unwrap();
        assert!((connect - rtt).abs() < 0.5, "connect {connect} ms at RTT {rtt}");
        let ex = c.exchanges_ms[0];
        assert!(ex >= 2.0 * rtt && ex < 2.0 * rtt + 1.0, "exchange {ex} ms at RTT {rtt}");
        assert_eq!(c.bytes_read, 2000);
    }
}

#[test]
fn a_pooled_connection_saves_the_handshake() {
    let (_, s) = run("rpc", &[("reuse", "on"), ("requests", "3"), ("rtt", "40")]);
    let c = client(&s);
    assert_eq!(c.exchanges_ms.len(), 3);
    for ex in &c.exchanges_ms {
        assert!(*ex >= 40.0 && *ex < 41.0, "pooled exchange {ex} ms should be one RTT");
    }
}

#[test]
fn both_ends_walk_the_rfc_9293_close_sequence() {
    let (_, s) = run("handshake", &[]);
    let c = client(&s);
    assert_eq!(c.states, ["CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]);
    let srv = s.connections.iter().find(|c| c.host == "server").unwrap();
    assert_eq!(srv.states, ["LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"]);
}

#[test]
fn time_wait_lasts_60_s_on_linux_and_240_s_in_rfc_mode() {
    for (kernel, secs) in [("linux", 60.0), ("rfc", 240.0)] {
        let (t, _) = run("handshake", &[("kernel", kernel)]);
        let sock =
            t.sockets.iter().position(|s| s.remote.is_some() && t.nodes[s.node as usize].name == "client").unwrap()
                as u32;
        let at = |st: TcpState| {
            t.events.iter().find_map(|e| match e.kind {
                EventKind::TcpState { sock: s, to, .. } if s == sock && to == st => Some(e.t.as_secs_f64()),
                _ => None,
            })
        };
        let tw = at(TcpState::TimeWait).unwrap();
        let closed = at(TcpState::Closed).unwrap();
        // Exact in the RFC profile (no tick); at HZ=250 TIME-WAIT's 15000 ticks sit in the
        // timer wheel's 2.048 s buckets.
        let clock = Clock::new(if kernel == "rfc" { 0 } else { 250 }, 0);
        let late = clock.max_late(Duration::from_millis_f64(secs * 1000.0)).as_secs_f64();
        let lasted = closed - tw;
        assert!(lasted >= secs && lasted <= secs + late, "{kernel}: TIME-WAIT lasted {lasted} s");
    }
}

#[test]
fn a_lost_syn_costs_the_initial_one_second_rto() {
    let (_, s) = run("lost-syn", &[("rtt", "50")]);
    let c = client(&s);
    // The 1 s timer fires up to `max_late(1 s)` (36 ms at HZ=250) after its nominal time.
    let late = Clock::new(250, 0).max_late(Duration::from_secs(1)).as_millis_f64();
    let ms = c.connect_ms.unwrap();
    assert!(ms >= 1050.0 && ms <= 1050.0 + late, "{ms}");
    assert_eq!(c.retransmissions, 1);
    assert_eq!(s.drops.iter().map(|d| d.count).sum::<u32>(), 1);
}

#[test]
fn a_closed_port_answers_rst_and_connect_fails_in_one_rtt() {
    let (t, s) = run("closed-port", &[("rtt", "30")]);
    let c = client(&s);
    assert_eq!(c.connect_error.as_deref(), Some("ECONNREFUSED"));
    assert!((c.connect_ms.unwrap() - 30.0).abs() < 0.5);
    assert_eq!(c.states, ["CLOSED", "SYN-SENT", "CLOSED"]);
    let rst = t.frames.iter().any(|f| wirewise_sim::wire::dissect(&f.bytes).summary.contains("RST"));
    assert!(rst, "the server's kernel must send a RST");
}

#[test]
fn traceroute_reveals_every_router_then_the_destination() {
    let (_, s) = run("traceroute", &[("routers", "4")]);
    let hops: Vec<&String> =
        s.notes.iter().filter(|n| n.contains("client:") && n.contains(" ms") && !n.contains("traceroute to")).collect();
    assert_eq!(hops.len(), 5, "{hops:#?}");
    for (i, want) in ["10.0.0.254", "10.0.1.2", "10.0.2.2", "10.0.3.2", "10.0.4.2"].iter().enumerate() {
        assert!(hops[i].contains(want), "hop {} should be {want}: {}", i + 1, hops[i]);
    }
    let ttl_drops: u32 = s.drops.iter().filter(|d| d.reason == "TtlExpired").map(|d| d.count).sum();
    assert_eq!(ttl_drops, 4);
}

#[test]
fn ping_crosses_routers_and_ttl_shows_it() {
    let (_, s) = run("ping", &[("routers", "3"), ("count", "3")]);
    let replies: Vec<_> = s.notes.iter().filter(|n| n.contains("bytes from")).collect();
    assert_eq!(replies.len(), 3);
    assert!(replies.iter().all(|r| r.contains("64 bytes") && r.contains("ttl=61")), "{replies:?}");
    assert!(s.notes.iter().any(|n| n.contains("0% packet loss")));
}

#[test]
fn routers_fragment_when_df_is_clear_and_refuse_when_set() {
    let (t, s) = run("fragmentation", &[("bytes", "1472"), ("mtu", "576")]);
    assert!(s.notes.iter().any(|n| n.contains("received 1472 bytes")), "{:?}", s.notes);
    let frags = t.frames.iter().filter(|f| wirewise_sim::wire::dissect(&f.bytes).summary.contains("ragment")).count();
    assert!(frags >= 3, "a 1500-byte packet over MTU 576 makes 3 fragments, saw {frags}");
    let (_, s) = run("fragmentation", &[("bytes", "1472"), ("mtu", "576"), ("df", "on")]);
    assert!(!s.notes.iter().any(|n| n.contains("received")));
    assert!(s.drops.iter().any(|d| d.reason == "TooBig"));
}

#[test]
fn pmtud_recovers_and_blocked_icmp_makes_a_black_hole() {
    let (_, s) = run("pmtud", &[]);
    assert_eq!(client(&s).bytes_read, 20_000);
    assert!(s.drops.iter().any(|d| d.reason == "TooBig"));
    let (_, s) = run("pmtud", &[("block_icmp", "on")]);
    let c = client(&s);
    assert!(c.states.contains(&"ESTABLISHED".to_string()), "the handshake still works");
    assert_eq!(c.bytes_read, 0, "but no full-size segment ever arrives");
}

#[test]
fn dns_answers_in_one_exchange_and_retries_after_5_s_when_lost() {
    let (t, s) = run("dns", &[]);
    assert!(s.notes.iter().any(|n| n.contains("A 203.0.113.10")));
    let arp = t.events.iter().filter(|e| matches!(e.kind, EventKind::ArpLearned { .. })).count();
    assert!(arp >= 2, "cold ARP caches learn each other");
    let (_, s) = run("dns", &[("lose_query", "on")]);
    let answer = s.notes.iter().find(|n| n.contains("A 203.0.113.10")).unwrap();
    let at: f64 = answer.split(" ms").next().unwrap().trim().parse().unwrap();
    assert!(at > 5000.0 && at < 5100.0, "answered at {at} ms");
}

#[test]
fn bulk_fills_the_pipe_and_a_small_queue_drops() {
    let (_, s) = run("bulk", &[("seconds", "5"), ("megabytes", "20"), ("bandwidth", "20"), ("rtt", "40")]);
    let srv = s.connections.iter().find(|c| c.host == "server").unwrap();
    // 20 Mbit/s for ~5 s carries at most 12.5 MB; slow start costs a little.
    assert!(srv.bytes_read > 9_000_000 && srv.bytes_read <= 12_500_000, "read {}", srv.bytes_read);
    let (_, s) = run("bulk", &[("seconds", "5"), ("bandwidth", "20"), ("rtt", "40"), ("queue", "10")]);
    assert!(s.queues.iter().any(|q| q.drops > 0), "a 10-packet queue below the BDP overflows in slow start");
}

#[test]
fn every_transmitted_frame_arrives_or_its_loss_is_traced() {
    for p in presets::all() {
        let mut sc = p.default_scenario().unwrap();
        if p.name == "bulk" {
            sc.stop_ms = 1000.0;
            sc.links[0].loss = 0.02;
        }
        let t = wirewise_sim::run(&sc).unwrap();
        // Frames whose fate is traced: received, or lost after leaving the queue.
        let mut settled = vec![false; t.frames.len()];
        for e in &t.events {
            match &e.kind {
                EventKind::FrameRx { frame, .. } => settled[*frame as usize] = true,
                EventKind::FrameDropped { frame, reason, .. } if *reason != DropReason::QueueFull => {
                    settled[*frame as usize] = true
                }
                _ => {}
            }
        }
        for tx in t.transmissions() {
            if tx.end <= t.end {
                assert!(settled[tx.frame as usize], "{}: frame {} vanished", p.name, tx.frame);
            }
        }
    }
}

#[test]
fn invalid_scenarios_are_typed_errors_not_panics() {
    let mut s = presets::find("rpc").unwrap().default_scenario().unwrap();
    s.links[0].b = "nobody".into();
    assert!(matches!(wirewise_sim::run(&s), Err(wirewise_sim::ScenarioError::UnknownNode { .. })));
    let mut s = presets::find("rpc").unwrap().default_scenario().unwrap();
    s.links[0].bandwidth_mbps = f64::NAN;
    assert!(matches!(wirewise_sim::run(&s), Err(wirewise_sim::ScenarioError::InvalidValue { .. })));
    let mut s = presets::find("rpc").unwrap().default_scenario().unwrap();
    s.hosts[1].name = "client".into();
    assert!(matches!(wirewise_sim::run(&s), Err(wirewise_sim::ScenarioError::DuplicateName { .. })));
}

fn tcp_of(t: &Trace, frame: u32) -> Option<wirewise_sim::wire::TcpRepr> {
    match wirewise_sim::wire::Frame::parse(&t.frames[frame as usize].bytes).ok()?.payload {
        wirewise_sim::wire::FramePayload::Ipv4(p) => match p.transport {
            wirewise_sim::wire::Transport::Tcp(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

#[test]
fn a_reorder_fault_lets_the_next_segment_overtake_and_the_receiver_dup_acks() {
    use wirewise_sim::net::fault::{FaultAction, FaultSpec, FrameMatch};
    let p = presets::find("rpc").unwrap();
    let mut s = (p.build)(&ParamSet::apply_strict(p.params, [("response", "20000")]).unwrap()).unwrap();
    s.faults.push(FaultSpec {
        matches: FrameMatch {
            from: Some("server".into()),
            proto: Some("tcp".into()),
            has_data: Some(true),
            ..Default::default()
        },
        nth: 2,
        count: 1,
        action: FaultAction::Reorder,
    });
    let t = wirewise_sim::run(&s).unwrap();
    let client = t.nodes.iter().position(|n| n.name == "client").unwrap() as u16;
    let seqs: Vec<u32> = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::FrameRx { frame, node, .. } if node == client => {
                tcp_of(&t, frame).filter(|s| !s.payload.is_empty()).map(|s| s.seq)
            }
            _ => None,
        })
        .collect();
    assert!(seqs.windows(2).any(|w| (w[1].wrapping_sub(w[0]) as i32) < 0), "no segment arrived out of order: {seqs:?}");
    let sum = summarize("rpc", &t);
    assert_eq!(client_conn(&sum).bytes_read, 20_000, "reordering must not lose data");
}

fn client_conn(s: &RunSummary) -> &wirewise_sim::summary::ConnSummary {
    client(s)
}

#[test]
fn queue_occupancy_is_traced_up_and_down() {
    let (t, _) = run("bulk", &[("seconds", "2"), ("bandwidth", "10"), ("rtt", "20"), ("queue", "50")]);
    let depths: Vec<u32> = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::FrameTx { depth_packets, link: 0, from: 0, .. } => Some(depth_packets),
            _ => None,
        })
        .collect();
    let max = *depths.iter().max().unwrap();
    assert!(max > 5 && max <= 50, "max depth {max}");
    let peak = depths.iter().position(|d| *d == max).unwrap();
    assert!(depths[peak..].iter().any(|d| *d < max), "the queue drains after its peak");
}

#[test]
fn nat_rewrites_the_source_and_drops_unsolicited_inbound() {
    let (t, s) = run("nat", &[]);
    let srv = s.connections.iter().find(|c| c.host == "server" && c.local.ends_with(":443")).unwrap();
    assert!(
        srv.remote.starts_with("203.0.113.1:"),
        "the server must see the router's public address, saw {}",
        srv.remote
    );
    let laptop = s.connections.iter().find(|c| c.host == "laptop").unwrap();
    assert_eq!(laptop.bytes_read, 900, "the reply finds its way back through the table");
    let port = |a: &str| a.rsplit(':').next().unwrap().to_string();
    assert_eq!(port(&srv.remote), port(&laptop.local), "Linux keeps the source port when it is free");
    assert!(t.events.iter().any(|e| matches!(e.kind, EventKind::NatMapping { forward: false, .. })));
    assert!(s.drops.iter().any(|d| d.reason == "NatUnsolicited"));
    let prober = s.connections.iter().find(|c| c.remote.ends_with(":8080")).unwrap();
    assert_eq!(prober.states, ["CLOSED", "SYN-SENT"], "no answer at all: the SYNs are dropped");
    assert!(s.notes.iter().any(|n| n.contains("1 received")), "ping through NAT works (identifier mapped)");
}

#[test]
fn a_port_forward_lets_the_outside_in() {
    let (t, s) = run("nat", &[("forward", "on")]);
    let prober = s.connections.iter().find(|c| c.remote.ends_with(":8080")).unwrap();
    assert_eq!(prober.bytes_read, 300);
    assert!(!s.drops.iter().any(|d| d.reason == "NatUnsolicited"));
    assert!(t.events.iter().any(|e| matches!(e.kind, EventKind::NatMapping { forward: true, .. })));
}

#[test]
fn mss_clamping_cures_the_pmtud_black_hole() {
    let (t, s) = run("pmtud", &[("block_icmp", "on"), ("clamp_mss", "on"), ("mtu", "1400")]);
    assert_eq!(client(&s).bytes_read, 20_000);
    let biggest = t.frames.iter().map(|f| f.orig_len).max().unwrap();
    assert!(biggest <= 1414, "no frame above the 1400-byte MTU plus Ethernet header: {biggest}");
}

#[test]
fn tls_round_trips_before_the_first_response_byte() {
    // TCP's handshake plus TLS 1.2's two round trips, TLS 1.3's one, 0-RTT's none, plus the
    // request's own round trip (RFC 5246 §7.3, RFC 8446 §2 and §2.3).
    for (version, rtts) in [("1.2", 4.0), ("1.3", 3.0), ("1.3-0rtt", 2.0)] {
        for rtt in [20.0, 80.0] {
            let (_, s) = run("tls", &[("version", version), ("rtt", &rtt.to_string())]);
            let first = client(&s).first_byte_ms[0];
            assert!(
                first >= rtts * rtt && first < rtts * rtt + 2.0,
                "TLS {version} at RTT {rtt}: first byte at {first} ms"
            );
            assert_eq!(client(&s).retransmissions, 0);
        }
    }
}

fn app_latencies(t: &Trace, first: bool) -> Vec<f64> {
    use wirewise_sim::trace::AppCall;
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::FirstByte { latency, .. }, .. } if first => Some(latency.as_millis_f64()),
            EventKind::App { call: AppCall::Exchange { latency, .. }, .. } if !first => Some(latency.as_millis_f64()),
            _ => None,
        })
        .collect()
}

#[test]
fn quic_needs_one_round_trip_before_the_request_and_none_with_0rtt() {
    for (zero, rtts) in [("off", 2.0), ("on", 1.0)] {
        for rtt in [30.0, 120.0] {
            let (t, _) = run("quic", &[("zero_rtt", zero), ("rtt", &rtt.to_string())]);
            let first = app_latencies(&t, true);
            assert_eq!(first.len(), 1);
            assert!(
                first[0] >= rtts * rtt && first[0] < rtts * rtt + 2.0,
                "0-RTT {zero} at RTT {rtt}: first byte {} ms",
                first[0]
            );
            assert_eq!(app_latencies(&t, false).len(), 1, "the whole response arrives");
        }
    }
}

#[test]
fn quic_recovers_a_lost_packet() {
    use wirewise_sim::net::fault::{FaultAction, FaultSpec, FrameMatch};
    let p = presets::find("quic").unwrap();
    let mut s = (p.build)(&ParamSet::apply_strict(p.params, [("response", "20000")]).unwrap()).unwrap();
    s.faults.push(FaultSpec {
        matches: FrameMatch { from: Some("server".into()), proto: Some("udp".into()), ..Default::default() },
        nth: 6,
        count: 1,
        action: FaultAction::Drop,
    });
    let t = wirewise_sim::run(&s).unwrap();
    let done = app_latencies(&t, false);
    assert_eq!(done.len(), 1, "the response completes despite the loss");
    let sum = summarize("quic", &t);
    assert!(sum.notes.iter().any(|n| n.contains("declared lost")), "{:?}", sum.notes);
}
