//! Ephemeral-port exhaustion: the closed form and the per-second model agree.

use wirewise_sim::tcp::ports::{
    max_connections_per_sec, range_len, simulate_ports, time_to_exhaustion_secs, ConnPolicy, DEFAULT_PORT_RANGE,
    TIME_WAIT_SECS,
};

#[test]
fn default_ceiling_is_about_470_per_second() {
    let ports = range_len(DEFAULT_PORT_RANGE.0, DEFAULT_PORT_RANGE.1);
    assert_eq!(ports, 28_232);
    let c = max_connections_per_sec(ports, TIME_WAIT_SECS);
    assert_eq!(c.floor() as u32, 470);
    // 500/s is above the ceiling: the range runs out after 28232/500 = 56.46 s.
    let t = time_to_exhaustion_secs(ports, 500.0, TIME_WAIT_SECS).unwrap();
    assert!((t - 56.464).abs() < 0.001, "{t}");
    assert_eq!(time_to_exhaustion_secs(ports, 470.0, TIME_WAIT_SECS), None);
}

#[test]
fn small_range_above_ceiling_fails_at_the_predicted_second() {
    // Range of 600 ports, ceiling 10/s; at 20/s the 601st connect() is in second 30.
    let ports = range_len(40000, 40599);
    assert_eq!(ports, 600);
    let run = simulate_ports(ports, 20, ConnPolicy::PerRequest, TIME_WAIT_SECS, 120);
    let first_fail = run.iter().find(|s| s.failed > 0).unwrap();
    assert_eq!(first_fail.t, 30);
    assert_eq!(time_to_exhaustion_secs(ports, 20.0, TIME_WAIT_SECS), Some(30.0));
    assert!(run[..30].iter().all(|s| s.failed == 0));
    // Steady state: over any 60 s only 600 connects succeed, so half of 1200 fail.
    let failed: u32 = run[60..120].iter().map(|s| s.failed).sum();
    assert_eq!(failed, 600);
    // Conservation every second.
    assert!(run.iter().all(|s| s.open + s.time_wait + s.free == ports));
}

#[test]
fn at_or_below_the_ceiling_never_fails() {
    let run = simulate_ports(600, 10, ConnPolicy::PerRequest, TIME_WAIT_SECS, 300);
    assert!(run.iter().all(|s| s.failed == 0));
    assert_eq!(run[299].time_wait, 600);
}

#[test]
fn a_pool_never_fails() {
    let run = simulate_ports(600, 1000, ConnPolicy::Pool(8), TIME_WAIT_SECS, 300);
    assert!(run.iter().all(|s| s.failed == 0 && s.open == 8 && s.time_wait == 0));
}

#[test]
fn degenerate_inputs_do_not_panic() {
    assert_eq!(range_len(10, 5), 0);
    assert!(simulate_ports(0, 5, ConnPolicy::PerRequest, 0, 5).iter().all(|s| s.failed == 5));
    assert_eq!(time_to_exhaustion_secs(0, f64::NAN, 60), None);
    let _ = simulate_ports(3, u32::MAX, ConnPolicy::Pool(u32::MAX), 60, 3);
}

/// The `port-exhaustion` preset: its trace, the client's node, and its TIME-WAIT counts.
fn packet_run(sets: &[(&str, &str)]) -> (wirewise_sim::trace::Trace, u16) {
    let p = wirewise_sim::presets::find("port-exhaustion").unwrap();
    let set = wirewise_sim::params::ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    let t = wirewise_sim::run(&(p.build)(&set).unwrap()).unwrap();
    let client = t.node_named("client").unwrap();
    (t, client)
}

#[test]
fn a_packet_level_run_runs_out_of_ports_when_the_counting_model_says() {
    use wirewise_sim::socket_states::{connections, count_at, count_in_state};
    use wirewise_sim::tcp::ports::addr_not_available;
    use wirewise_sim::tcp::TcpState;
    use wirewise_sim::time::Instant;
    // 40 ports, 4 new connections a second for 20 s: 40 connect()s succeed and each leaves its
    // port in TIME-WAIT; from the 41st, in second 10, every connect() fails.
    let (t, client) = packet_run(&[("ports", "40"), ("rate", "4"), ("seconds", "20")]);
    let failures = addr_not_available(&t, client);
    let model = simulate_ports(40, 4, ConnPolicy::PerRequest, TIME_WAIT_SECS, 20);
    let model_failed: u32 = model.iter().map(|s| s.failed).sum();
    assert_eq!(failures.len() as u32, model_failed);
    assert_eq!(failures.len(), 40);
    let first = failures[0].0 as f64 / 1e9;
    assert!((first - 10.01).abs() < 0.01, "first EADDRNOTAVAIL at {first} s");
    assert_eq!(time_to_exhaustion_secs(40, 4.0, TIME_WAIT_SECS), Some(10.0));
    // Every port of the range was used once and is held in TIME-WAIT at the end.
    let socks = connections(&t, client);
    assert_eq!(socks.len(), 40);
    let mut ports: Vec<u16> = socks.iter().map(|&s| t.sockets[s as usize].local.port()).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports, (32768..32808).collect::<Vec<u16>>());
    let tw = count_in_state(&t, client, TcpState::TimeWait);
    assert_eq!(count_at(&tw, t.end), 40);
    // Half-way through the ports: 20 in TIME-WAIT at 5 s, as the model's second 4 ends with.
    assert_eq!(count_at(&tw, Instant(5_000_000_000)), 20);
    assert_eq!(model[4].time_wait, 20);
}

#[test]
fn one_pooled_connection_carries_the_same_requests_on_one_port() {
    use wirewise_sim::socket_states::connections;
    use wirewise_sim::tcp::ports::addr_not_available;
    use wirewise_sim::trace::{AppCall, EventKind};
    let (t, client) = packet_run(&[("ports", "40"), ("rate", "4"), ("seconds", "20"), ("policy", "pooled")]);
    assert!(addr_not_available(&t, client).is_empty());
    assert_eq!(connections(&t, client).len(), 1);
    let exchanges =
        t.events.iter().filter(|e| matches!(e.kind, EventKind::App { call: AppCall::Exchange { .. }, .. })).count();
    // A request every 250 ms after the previous answer (20 ms RTT): 74 fit in 20 s.
    assert!(exchanges >= 70, "{exchanges}");
}
