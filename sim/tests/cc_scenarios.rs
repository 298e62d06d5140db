//! Congestion and flow control end to end, through the presets the figures use: one loss in
//! congestion avoidance gives exactly one multiplicative decrease; Reno under random loss
//! meets the Mathis estimate; the Linux and textbook recovery paths differ where they should;
//! a zero window stalls and resumes; Nagle with delayed ACK costs about 40 ms per
//! write-write-read and TCP_NODELAY about nothing; a warm connection beats a cold one; BBR
//! walks its state machine; ECN reduces without loss; autotuning lifts the 128 KB cap.

use wirewise_sim::net::fault::{FaultAction, FaultSpec, FrameMatch};
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;
use wirewise_sim::scenario::Scenario;
use wirewise_sim::time::Duration;
use wirewise_sim::trace::{AppCall, CcPhase, EventKind, SockId, TcpEventKind, Trace};
use wirewise_sim::transfer;

fn scenario(name: &str, sets: &[(&str, &str)]) -> Scenario {
    let p = presets::find(name).unwrap_or_else(|| panic!("no preset {name}"));
    let set = ParamSet::apply_strict(p.params, sets.iter().copied()).expect("params");
    (p.build)(&set).expect("scenario")
}

fn run(s: &Scenario) -> Trace {
    let t = wirewise_sim::run(s).expect("runs");
    assert!(!t.truncated);
    t
}

fn events(t: &Trace, sock: SockId) -> Vec<(f64, TcpEventKind)> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TcpEvent { sock: s, what } if *s == sock => Some((e.t.as_secs_f64(), *what)),
            _ => None,
        })
        .collect()
}

/// Drop the `nth` data segment the client sends.
fn drop_data(nth: u32) -> FaultSpec {
    FaultSpec {
        matches: FrameMatch {
            from: Some("client".into()),
            proto: Some("tcp".into()),
            has_data: Some(true),
            ..Default::default()
        },
        nth,
        count: 1,
        action: FaultAction::Drop,
    }
}

#[test]
fn one_loss_in_congestion_avoidance_gives_exactly_one_multiplicative_decrease() {
    for recovery in ["linux", "textbook"] {
        // A deep buffer so that only the scripted drops lose anything: the first ends slow
        // start, the second lands in congestion avoidance.
        let mut s = scenario(
            "congestion",
            &[("algorithm", "reno"), ("recovery", recovery), ("buffer", "20"), ("seconds", "20")],
        );
        s.faults = vec![drop_data(60), drop_data(3000)];
        let t = run(&s);
        let ev = events(&t, 0);
        let entries: Vec<(f64, u32, u32)> = ev
            .iter()
            .filter_map(|(at, e)| match e {
                TcpEventKind::EnterRecovery { ssthresh, cwnd } => Some((*at, *ssthresh, *cwnd)),
                _ => None,
            })
            .collect();
        assert_eq!(entries.len(), 2, "{recovery}: {entries:?}");
        assert!(!ev.iter().any(|(_, e)| matches!(e, TcpEventKind::Rto { .. })), "{recovery}: no RTO");
        let (at, ssthresh, cwnd) = entries[1];
        // The second loss found the sender in congestion avoidance (cwnd ≥ ssthresh)...
        let phase_before = t
            .events
            .iter()
            .take_while(|e| e.t.as_secs_f64() < at)
            .filter_map(|e| match &e.kind {
                EventKind::Cc { sock: 0, vars } => Some(vars.phase),
                _ => None,
            })
            .last();
        assert_eq!(phase_before, Some(CcPhase::CongestionAvoidance), "{recovery}");
        // ...and halved it once: ssthresh = max(cwnd >> 1, 2), cwnd = ssthresh after recovery.
        assert_eq!(ssthresh, (cwnd >> 1).max(2), "{recovery}");
        let exit = ev.iter().find_map(|(a, e)| match e {
            TcpEventKind::ExitRecovery { cwnd } if *a > at => Some(*cwnd),
            _ => None,
        });
        assert_eq!(exit, Some(ssthresh), "{recovery}: deflated to ssthresh once");
        let retrans = t
            .events
            .iter()
            .filter(|e| {
                e.t.as_secs_f64() >= at
                    && matches!(&e.kind, EventKind::TcpEvent { sock: 0, what: TcpEventKind::FastRetransmit { .. } })
            })
            .count();
        assert_eq!(retrans, 1, "{recovery}");
    }
}

#[test]
fn reno_throughput_under_random_loss_is_within_25_percent_of_mathis() {
    for (loss, seed) in [("0.5", 1), ("1", 2), ("2", 3)] {
        let mut s =
            scenario("congestion-loss", &[("algorithm", "reno"), ("loss", loss), ("buffer", "2"), ("seconds", "60")]);
        s.seed = seed;
        let t = run(&s);
        let st = transfer::transfer(&t, 0).expect("stats");
        let mathis = st.mathis_bps.expect("losses happened");
        let ratio = st.goodput_bps / mathis;
        assert!(
            (0.75..=1.25).contains(&ratio),
            "loss {loss}%: goodput {:.0} bit/s vs Mathis {:.0} bit/s (p = {:.4}, RTT {:.1} ms): ratio {ratio:.2}",
            st.goodput_bps,
            mathis,
            st.loss_rate,
            st.avg_rtt_s * 1e3
        );
        // The losses Mathis's formula assumes are random: the queue overflowed at most a few
        // times (slow start can overshoot it once before the first random loss).
        let drops = |why: wirewise_sim::trace::DropReason| {
            t.events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::FrameDropped { reason, .. } if reason == why))
                .count()
        };
        let (full, random) =
            (drops(wirewise_sim::trace::DropReason::QueueFull), drops(wirewise_sim::trace::DropReason::LinkLoss));
        assert!(full * 20 <= random, "loss {loss}%: {full} queue overflows, {random} random losses");
    }
}

#[test]
fn linux_recovery_repairs_a_burst_in_one_round_trip_the_textbook_one_hole_per_round_trip() {
    let mut done = vec![];
    for recovery in ["linux", "textbook"] {
        let mut s = scenario(
            "congestion",
            &[("algorithm", "reno"), ("recovery", recovery), ("buffer", "20"), ("seconds", "8")],
        );
        // Slow start is over after the first drop; then four segments of one window are lost.
        s.faults = vec![drop_data(60), drop_data(1500), drop_data(1502), drop_data(1504), drop_data(1506)];
        let t = run(&s);
        let ev = events(&t, 0);
        let enter = ev.iter().filter(|(_, e)| matches!(e, TcpEventKind::EnterRecovery { .. })).map(|(a, _)| *a).nth(1);
        let exit = ev.iter().filter(|(_, e)| matches!(e, TcpEventKind::ExitRecovery { .. })).map(|(a, _)| *a).nth(1);
        let (a, b) = (enter.expect("second recovery"), exit.expect("it ended"));
        assert!(!ev.iter().any(|(_, e)| matches!(e, TcpEventKind::Rto { .. })), "{recovery}: no RTO");
        done.push((recovery, b - a));
    }
    let rtt = 0.1;
    // Linux marks all four lost from the SACKs and resends them in the first round trip;
    // NewReno learns of each hole from a partial ACK, one round trip apiece.
    assert!(done[0].1 < 2.5 * rtt, "{done:?}");
    assert!(done[1].1 > 3.5 * rtt, "{done:?}");
}

#[test]
fn a_lost_tail_is_probed_after_two_srtts_not_an_rto() {
    let mut s = scenario("cold-warm", &[("kilobytes", "20"), ("rtt", "100"), ("connection", "warm")]);
    // The last data segment of the first response is lost: nothing after it can trigger a
    // fast retransmit. Which one that is, a clean run tells: the response's first segment
    // shorter than a full one, counted among the server's data segments.
    let clean = run(&s);
    let server_node = clean.node_named("server").unwrap();
    // The payload length from the headers (the preset keeps only headers in its capture).
    let server_ip = wirewise_sim::wire::Ipv4Addr::new(10, 0, 0, 2);
    let lens: Vec<usize> = clean
        .capture(server_node)
        .into_iter()
        .filter_map(|(_, f)| {
            let ip = f.bytes.get(wirewise_sim::wire::ethernet::HEADER_LEN..)?;
            let (repr, seg, wire_len) = wirewise_sim::wire::Ipv4Repr::parse_captured(ip).ok()?;
            let (_, tcp_len) = wirewise_sim::wire::TcpRepr::parse_header(seg).ok()?;
            // The capture holds both directions.
            (repr.src == server_ip && repr.protocol == wirewise_sim::wire::IpProtocol::TCP).then(|| wire_len - tcp_len)
        })
        .filter(|&n| n > 0)
        .collect();
    let short: Vec<usize> = lens.iter().enumerate().filter(|(_, &n)| n < 1448).map(|(i, _)| i).collect();
    let tail = short[0] as u32 + 1;
    s.faults = vec![FaultSpec {
        matches: FrameMatch {
            from: Some("server".into()),
            proto: Some("tcp".into()),
            has_data: Some(true),
            ..Default::default()
        },
        nth: tail,
        count: 1,
        action: FaultAction::Drop,
    }];
    let t = run(&s);
    let server = t.sockets.iter().position(|x| x.parent.is_some()).expect("server socket") as SockId;
    let ev = events(&t, server);
    let probe = ev.iter().find(|(_, e)| matches!(e, TcpEventKind::LossProbe { .. }));
    assert!(probe.is_some(), "{ev:?}");
    assert!(!ev.iter().any(|(_, e)| matches!(e, TcpEventKind::Rto { .. })), "{ev:?}");
    // The exchange took about one extra 2·SRTT, far less than the 1.2 s of an RTO backoff.
    let first = t.events.iter().find_map(|e| match &e.kind {
        EventKind::App { call: AppCall::Exchange { latency, .. }, .. } => Some(*latency),
        _ => None,
    });
    let l = first.expect("exchange").as_secs_f64();
    assert!(l < 0.75, "{l}");
}

#[test]
fn a_zero_window_stall_resumes_after_the_application_reads() {
    let s = scenario("flow-control", &[]);
    let t = run(&s);
    let client = 0;
    let zero_at = t.events.iter().find_map(|e| match &e.kind {
        EventKind::Vars { sock, vars } if *sock == client && vars.snd_wnd == 0 => Some(e.t.as_secs_f64()),
        _ => None,
    });
    let zero_at = zero_at.expect("the window closed");
    assert!(zero_at < 1.5, "closed before the reader starts: {zero_at}");
    let probes = t
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Timer {
                    sock: 0,
                    timer: wirewise_sim::trace::TimerKind::Persist,
                    action: wirewise_sim::trace::TimerAction::Fired
                }
            )
        })
        .count();
    assert!(probes >= 2, "persist probes: {probes}");
    // The window opens again once the reader starts at 1.5 s, and everything arrives.
    let reopened = t
        .events
        .iter()
        .any(|e| e.t.as_secs_f64() > 1.5 && matches!(&e.kind, EventKind::Vars { sock: 0, vars } if vars.snd_wnd > 0));
    assert!(reopened);
    let st = transfer::transfer(&t, 0).expect("stats");
    assert_eq!(st.bytes, 300_000);
    // The window's place in the byte stream: SND.UNA stands still while the window is zero.
    let acked_at = |at: f64| {
        t.events
            .iter()
            .take_while(|e| e.t.as_secs_f64() <= at)
            .filter_map(|e| match &e.kind {
                EventKind::Cc { sock: 0, vars } => Some(vars.bytes_acked),
                _ => None,
            })
            .last()
            .unwrap_or(0)
    };
    assert_eq!(acked_at(zero_at + 0.05), acked_at(1.45));
    assert!(acked_at(4.9) > acked_at(1.45));
    // Flow control, not congestion: nothing was marked lost and no timeout fired (a tail
    // loss probe may resend the last segment while the receiver delays its ACK).
    assert!(st.retransmits <= 1, "{st:?}");
    assert!(!events(&t, 0).iter().any(|(_, e)| matches!(
        e,
        TcpEventKind::Lost { .. } | TcpEventKind::Rto { .. } | TcpEventKind::EnterRecovery { .. }
    )));
}

fn exchanges(t: &Trace) -> Vec<f64> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Exchange { latency, .. }, .. } => Some(latency.as_millis_f64()),
            _ => None,
        })
        .collect()
}

#[test]
fn nagle_with_delayed_ack_costs_about_40_ms_per_iteration_nodelay_about_zero() {
    for nagle in ["linux", "rfc"] {
        let t = run(&scenario("nagle", &[("nagle", nagle)]));
        let x = exchanges(&t);
        assert_eq!(x.len(), 10, "{nagle}");
        // The 40 ms delayed-ACK timer (10 ticks at HZ=250) fires 40–44 ms after it is armed
        // (the tick that last passed plus one, `calc_index`); the round trip adds a little.
        for (i, ms) in x.iter().enumerate().skip(1) {
            assert!((40.0..45.5).contains(ms), "{nagle}: iteration {i}: {ms} ms ({x:?})");
        }
    }
    let t = run(&scenario("nagle", &[("nodelay", "on")]));
    let x = exchanges(&t);
    assert_eq!(x.len(), 10);
    assert!(x.iter().all(|ms| *ms < 1.0), "{x:?}");
    // Where Minshall's form differs: a first write of a full segment plus a small tail. Linux
    // sends the tail (no small segment is outstanding), two segments draw an immediate ACK,
    // and the second write follows; RFC Nagle holds the tail behind the full segment's
    // delayed ACK.
    let linux = exchanges(&run(&scenario("nagle", &[("first", "2000")])));
    assert!(linux.iter().all(|ms| *ms < 1.0), "{linux:?}");
    let rfc = exchanges(&run(&scenario("nagle", &[("first", "2000"), ("nagle", "rfc")])));
    assert!(rfc.iter().skip(1).all(|ms| (40.0..45.5).contains(ms)), "{rfc:?}");
}

#[test]
fn a_warm_connection_fetches_1_mb_in_far_fewer_round_trips_than_a_cold_one() {
    let rtt_ms = 50.0;
    let rtts = |conn: &str, idle: &str, ssai: &str| {
        let t = run(&scenario("cold-warm", &[("connection", conn), ("idle", idle), ("ssai", ssai)]));
        let x = exchanges(&t);
        assert_eq!(x.len(), 2, "{conn}");
        (x[1] / rtt_ms, t)
    };
    let (cold, _) = rtts("cold", "0", "on");
    let (warm, _) = rtts("warm", "0", "on");
    // Cold: handshake, request, then slow start from 10 packets to ~724 of them.
    assert!(cold > 7.0, "cold {cold} RTTs");
    assert!(warm < 3.5, "warm {warm} RTTs");
    // Idle longer than the RTO: the pooled connection restarts from the initial window.
    let (idle, t) = rtts("warm", "2000", "on");
    assert!(idle > warm + 2.0, "after idle {idle} RTTs, warm {warm}");
    let server = t.sockets.iter().position(|x| x.parent.is_some()).expect("server socket") as SockId;
    assert!(events(&t, server).iter().any(|(_, e)| matches!(e, TcpEventKind::IdleRestart { cwnd: 10, .. })));
    let (kept, _) = rtts("warm", "2000", "off");
    assert!(kept < 3.5, "slow start after idle off: {kept} RTTs");
}

#[test]
fn bbr_starts_up_drains_probes_bandwidth_and_probes_rtt() {
    let t = run(&scenario("congestion", &[("algorithm", "bbr"), ("buffer", "4"), ("seconds", "25")]));
    let phases: Vec<(f64, CcPhase)> = events(&t, 0)
        .into_iter()
        .filter_map(|(a, e)| match e {
            TcpEventKind::Phase { phase } => Some((a, phase)),
            _ => None,
        })
        .collect();
    let names: Vec<CcPhase> = phases.iter().map(|p| p.1).collect();
    assert_eq!(&names[..2], &[CcPhase::Drain, CcPhase::ProbeBw], "{phases:?}");
    let probe_rtt = phases.iter().find(|p| p.1 == CcPhase::ProbeRtt).expect("PROBE_RTT after 10 s");
    assert!((10.0..11.5).contains(&probe_rtt.0), "{phases:?}");
    // In PROBE_RTT cwnd is 4 packets for at least 200 ms.
    let min_cwnd = t
        .events
        .iter()
        .filter(|e| e.t.as_secs_f64() > probe_rtt.0 && e.t.as_secs_f64() < probe_rtt.0 + 0.2)
        .filter_map(|e| match &e.kind {
            EventKind::Vars { sock: 0, vars } => Some(vars.cwnd),
            _ => None,
        })
        .min();
    assert_eq!(min_cwnd, Some(4));
    let back = phases.iter().find(|p| p.0 > probe_rtt.0 && p.1 == CcPhase::ProbeBw).expect("back to PROBE_BW");
    assert!(back.0 - probe_rtt.0 >= 0.2, "{phases:?}");
    // BBR keeps the queue short: the average RTT stays near the minimum, the link busy.
    let st = transfer::transfer(&t, 0).expect("stats");
    assert!(st.avg_rtt_s < st.min_rtt_s * 1.5, "{st:?}");
    assert!(st.goodput_bps > 0.85 * 5e6, "{st:?}");
    // It paces: the pacing rate is traced and close to the bottleneck.
    let rate = t.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Cc { sock: 0, vars } if vars.phase == CcPhase::ProbeBw => Some(vars.pacing_rate),
        _ => None,
    });
    let rate = rate.expect("pacing") as f64 * 8.0;
    assert!((0.7e6 * 5.0..1.4e6 * 5.0).contains(&rate), "{rate}");
}

#[test]
fn ecn_marks_reduce_the_window_without_losses() {
    let t = run(&scenario("congestion", &[("algorithm", "cubic"), ("buffer", "4"), ("ecn", "20"), ("seconds", "20")]));
    let ev = events(&t, 0);
    let echoes = ev.iter().filter(|(_, e)| matches!(e, TcpEventKind::EcnEcho { .. })).count();
    assert!(echoes >= 3, "{echoes}");
    let receiver = t.sockets.iter().position(|x| x.parent.is_some()).expect("server socket") as SockId;
    assert!(events(&t, receiver).iter().any(|(_, e)| matches!(e, TcpEventKind::CongestionExperienced { .. })));
    let drops = t.events.iter().filter(|e| matches!(e.kind, EventKind::FrameDropped { .. })).count();
    assert_eq!(drops, 0);
    assert!(!ev.iter().any(|(_, e)| matches!(e, TcpEventKind::EnterRecovery { .. })));
    // The queue stays around the marking threshold instead of filling the buffer.
    let max_queue = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::FrameQueued { from: 0, depth_packets, .. } => Some(depth_packets),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    assert!(max_queue < 4 * 41, "{max_queue}");
}

#[test]
fn autotuning_lets_a_long_fat_path_pass_the_128_kb_window() {
    let mut s = scenario("bulk", &[("megabytes", "1000"), ("seconds", "10")]);
    let t = run(&s);
    let st = transfer::transfer(&t, 0).expect("stats");
    assert!(st.bytes > 80_000_000, "{} bytes in 10 s", st.bytes);
    let receiver = t.sockets.iter().position(|x| x.parent.is_some()).expect("server socket") as SockId;
    assert!(events(&t, receiver).iter().any(|(_, e)| matches!(e, TcpEventKind::RcvBufGrow { .. })));
    // Without tcp_moderate_rcvbuf the 128 KB buffer caps it near 128 KB per 50 ms.
    s.tcp.moderate_rcvbuf = false;
    let t = run(&s);
    let capped = transfer::transfer(&t, 0).expect("stats");
    assert!(capped.bytes < 30_000_000, "{}", capped.bytes);
}

#[test]
fn congestion_presets_trace_what_the_chart_draws() {
    let t = run(&scenario("congestion", &[("seconds", "15")]));
    let has = |f: &dyn Fn(&EventKind) -> bool| t.events.iter().any(|e| f(&e.kind));
    assert!(has(&|k| matches!(k, EventKind::Vars { sock: 0, .. })));
    assert!(has(&|k| matches!(k, EventKind::Cc { sock: 0, .. })));
    assert!(has(&|k| matches!(k, EventKind::FrameQueued { depth_packets, .. } if *depth_packets > 10)));
    assert!(has(&|k| matches!(k, EventKind::TcpEvent { what: TcpEventKind::Lost { .. }, .. })));
    assert!(has(&|k| matches!(k, EventKind::TcpEvent { what: TcpEventKind::DupAck { .. }, .. })));
    assert!(has(&|k| matches!(k, EventKind::TcpEvent { what: TcpEventKind::EnterRecovery { .. }, .. })));
    assert!(has(&|k| matches!(k, EventKind::TcpEvent { what: TcpEventKind::ExitRecovery { .. }, .. })));
    // Same seed, same trace: two algorithms side by side see the same path.
    let a = run(&scenario("congestion", &[("seconds", "5")]));
    let b = run(&scenario("congestion", &[("seconds", "5")]));
    assert_eq!(a.digest(), b.digest());
    let st = transfer::transfer(&t, 0).expect("stats");
    assert!((st.bdp_bytes - 5e6 / 8.0 * 0.1).abs() / 62_500.0 < 0.05, "{}", st.bdp_bytes);
    // The run summary counts retransmissions from the header-only captures too.
    let summary = wirewise_sim::summary::summarize("congestion", &t);
    let lost = st.data_frames_lost as u32;
    assert!(lost > 0 && summary.connections[0].retransmissions >= lost, "{lost} lost");
}

#[test]
fn without_sack_the_linux_path_counts_duplicate_acks() {
    let mut s =
        scenario("congestion-loss", &[("algorithm", "reno"), ("loss", "1"), ("buffer", "2"), ("seconds", "20")]);
    s.tcp.sack = false;
    let t = run(&s);
    let ev = events(&t, 0);
    assert!(ev
        .iter()
        .any(|(_, e)| matches!(e, TcpEventKind::Lost { by: wirewise_sim::trace::LossDetector::DupAcks, .. })));
    assert!(!ev
        .iter()
        .any(|(_, e)| matches!(e, TcpEventKind::Lost { by: wirewise_sim::trace::LossDetector::Rack, .. })));
    let st = transfer::transfer(&t, 0).expect("stats");
    let mathis = st.mathis_bps.expect("losses");
    assert!(st.goodput_bps > 0.4 * mathis, "{st:?}");
    let _ = Duration::ZERO;
}

#[test]
fn tcp_congestion_per_socket_and_the_recovery_path_are_in_the_trace() {
    let mut s = scenario("congestion", &[("seconds", "3"), ("recovery", "textbook")]);
    for a in &mut s.apps {
        if let wirewise_sim::apps::AppSpec::BulkSend { congestion, .. } = a {
            *congestion = Some(wirewise_sim::tcp::CcAlgorithm::Reno);
        }
    }
    let t = run(&s);
    let algs: Vec<TcpEventKind> =
        events(&t, 0).into_iter().map(|(_, e)| e).filter(|e| matches!(e, TcpEventKind::Algorithm { .. })).collect();
    use wirewise_sim::tcp::{CcAlgorithm, RecoveryMode};
    // The host default (CUBIC), then TCP_CONGESTION = reno on the socket before it sends.
    assert_eq!(
        algs.last(),
        Some(&TcpEventKind::Algorithm { cc: CcAlgorithm::Reno, recovery: RecoveryMode::Textbook, ecn: false })
    );
    let receiver = t.sockets.iter().position(|x| x.parent.is_some()).expect("server socket") as SockId;
    assert!(events(&t, receiver).iter().any(|(_, e)| matches!(
        e,
        TcpEventKind::Algorithm { cc: CcAlgorithm::Cubic, recovery: RecoveryMode::Textbook, .. }
    )));
}

#[test]
fn hystart_ends_slow_start_on_rising_delay_before_a_deep_buffer_overflows() {
    for seed in 1..=4 {
        let mut s = scenario("congestion-bufferbloat", &[("seconds", "4")]);
        s.seed = seed;
        let t = run(&s);
        let ev = events(&t, 0);
        let exit = ev.iter().find_map(|(a, e)| match e {
            TcpEventKind::HystartExit { cwnd, by } => Some((*a, *cwnd, *by)),
            _ => None,
        });
        let (at, cwnd, by) = exit.unwrap_or_else(|| panic!("seed {seed}: no HyStart exit"));
        assert_eq!(by, wirewise_sim::trace::HystartExit::Delay, "seed {seed}");
        // In slow start, past the 16-packet threshold, and before any loss.
        assert!(cwnd >= 16, "seed {seed}: {cwnd}");
        let first_loss = ev.iter().find(|(_, e)| matches!(e, TcpEventKind::Lost { .. })).map(|(a, _)| *a);
        assert!(first_loss.is_none_or(|l| l > at), "seed {seed}");
        // ssthresh = cwnd at the exit.
        let ss = t.events.iter().find_map(|e| match &e.kind {
            EventKind::Vars { sock: 0, vars } if e.t.as_secs_f64() >= at => Some(vars.ssthresh),
            _ => None,
        });
        assert_eq!(ss, Some(cwnd), "seed {seed}");
    }
}

#[test]
fn hystart_ack_train_ends_slow_start_on_a_fast_path() {
    // 100 Mbit/s: ACKs of a round arrive under 2 ms apart, and the train outlasts half the
    // minimum RTT around the bandwidth-delay product (432 packets here).
    let t = run(&scenario("bulk", &[("megabytes", "100"), ("seconds", "2")]));
    let exit = events(&t, 0).into_iter().find_map(|(_, e)| match e {
        TcpEventKind::HystartExit { cwnd, by } => Some((cwnd, by)),
        _ => None,
    });
    let (cwnd, by) = exit.expect("HyStart exit");
    assert_eq!(by, wirewise_sim::trace::HystartExit::AckTrain);
    assert!((200..1000).contains(&cwnd), "{cwnd}");
    assert!(!t.events.iter().any(|e| matches!(e.kind, EventKind::FrameDropped { .. })));
}
