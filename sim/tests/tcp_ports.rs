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
