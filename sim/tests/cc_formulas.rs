//! Congestion-control rules against their formulas: CUBIC's K and W_cubic(t) (RFC 9438 §4.2),
//! the Reno-friendly α (RFC 9438 §4.3), ssthresh after a loss for Reno and CUBIC
//! (docs/fidelity.md §0 row 12), cwnd 1 after an RTO (§3.3), slow start doubling per RTT from
//! IW 10 (§3.1), counted in packets as Linux does.

mod tcp_harness;

use tcp_harness::*;
use wirewise_sim::tcp::congestion::{AckSample, CongestionControl, Reno, INFINITE_SSTHRESH};
use wirewise_sim::tcp::cubic::{self, Cubic};
use wirewise_sim::tcp::{CcAlgorithm, TcpConfig};
use wirewise_sim::time::{Duration, Instant};
use wirewise_sim::trace::{EventKind, SockId, TcpEventKind};

/// C and β as Linux's fixed point makes them: 410/1024 and 717/1024.
const C: f64 = 410.0 / 1024.0;
const BETA: f64 = 717.0 / 1024.0;

#[test]
fn cubic_k_is_the_cube_root_of_wmax_times_one_minus_beta_over_c() {
    for w_max in [20u32, 100, 1000, 10_000] {
        let cwnd = (f64::from(w_max) * BETA) as u32;
        let want = (f64::from(w_max - cwnd) / C).cbrt();
        let got = cubic::k_seconds(w_max, cwnd);
        assert!((got - want).abs() / want < 0.005, "W_max {w_max}: K {got} vs {want}");
        // RFC 9438's form with β = 0.7, C = 0.4, within Linux's rounding of the constants.
        let rfc = (f64::from(w_max) * 0.3 / 0.4).cbrt();
        assert!((got - rfc).abs() / rfc < 0.01, "W_max {w_max}: K {got} vs RFC {rfc}");
    }
}

#[test]
fn w_cubic_is_c_times_t_minus_k_cubed_plus_wmax() {
    let (w_max, cwnd) = (1000u32, 700u32);
    let k_units = cubic::cubic_root(cubic::cube_factor() * u64::from(w_max - cwnd));
    let k = k_units as f64 / 1024.0;
    for t in [0.0, 0.5 * k, k, 1.5 * k, 2.0 * k, 3.0 * k] {
        let want = C * (t - k).powi(3) + f64::from(w_max);
        let got = f64::from(cubic::w_cubic(t, k_units, w_max));
        assert!((got - want).abs() <= 1.0 + want * 0.002, "t {t}: {got} vs {want}");
    }
    // At the epoch start the curve starts at β·W_max.
    assert!((f64::from(cubic::w_cubic(0.0, k_units, w_max)) - 700.0).abs() <= 1.0);
}

/// Drive `cc` with one ACK per packet for `secs` of virtual time at a fixed RTT, from `t0`.
fn drive(cc: &mut dyn CongestionControl, t0: Instant, rtt: Duration, secs: f64) -> Instant {
    let mut now = t0;
    let end = t0 + Duration::from_millis_f64(secs * 1000.0);
    while now < end {
        let n = cc.cwnd().max(1);
        let gap = Duration(rtt.as_nanos() / u64::from(n));
        for _ in 0..n {
            now += gap;
            let s = AckSample { now, acked: 1, rtt: Some(rtt), cwnd_limited: true, ..AckSample::default() };
            cc.pkts_acked(&s);
            cc.on_ack(1, Some(rtt), now, true);
        }
    }
    now
}

#[test]
fn cubic_window_follows_w_cubic_of_t_after_a_loss() {
    let rtt = Duration::from_millis(100);
    let mut c = Cubic::new(10);
    c.set_ssthresh(50);
    c.set_cwnd(1000);
    // Learn the minimum delay outside slow start, then lose at W_max = 1000.
    c.pkts_acked(&AckSample { now: Instant::ZERO, acked: 1, rtt: Some(rtt), ..AckSample::default() });
    let t_loss = Instant::ZERO + Duration::from_secs(1);
    let ss = c.recalc_ssthresh();
    assert_eq!(ss, 700);
    c.set_ssthresh(ss);
    c.set_cwnd(ss);
    let k = cubic::k_seconds(1000, 700);
    let mut now = t_loss;
    let mut last = 0.0;
    for frac in [0.5, 1.0, 1.5, 2.0] {
        let target_t = frac * k;
        now = drive(&mut c, now, rtt, target_t - last);
        last = target_t;
        // Linux evaluates the curve one minimum RTT ahead of the epoch time.
        let t = now.saturating_since(t_loss).as_secs_f64() + rtt.as_secs_f64();
        let want = C * (t - k).powi(3) + 1000.0;
        let got = f64::from(c.cwnd());
        assert!((got - want).abs() / want < 0.02, "t {t:.2} s ({frac}·K): cwnd {got} vs W_cubic {want:.1}");
    }
    assert_eq!(c.last_max_cwnd, 1000);
}

#[test]
fn reno_friendly_alpha_is_three_times_one_minus_beta_over_one_plus_beta() {
    let alpha_rfc = 3.0 * (1.0 - BETA) / (1.0 + BETA);
    // Linux: +1 Reno-estimate packet per cwnd·beta_scale/8 packets acknowledged.
    let alpha_linux = 8.0 / f64::from(cubic::beta_scale());
    assert!((alpha_rfc - 0.5283).abs() < 1e-3, "{alpha_rfc}");
    assert!((alpha_linux - alpha_rfc).abs() < 0.01, "{alpha_linux} vs {alpha_rfc}");
    // With a short RTT the cubic curve is nearly flat over a few RTTs and the window follows
    // the Reno-friendly estimate: α packets per RTT.
    let rtt = Duration::from_millis(1);
    let mut c = Cubic::new(10);
    c.set_ssthresh(5);
    c.set_cwnd(20);
    c.pkts_acked(&AckSample { now: Instant::ZERO, acked: 1, rtt: Some(rtt), ..AckSample::default() });
    let ss = c.recalc_ssthresh();
    c.set_ssthresh(ss);
    c.set_cwnd(ss);
    let start = c.cwnd();
    let rounds = 40.0;
    drive(&mut c, Instant::ZERO + Duration::from_secs(2), rtt, rounds * 0.001);
    let per_rtt = f64::from(c.cwnd() - start) / rounds;
    assert!((per_rtt - alpha_rfc).abs() < 0.08, "{per_rtt} packets per RTT, α = {alpha_rfc}");
}

#[test]
fn ssthresh_after_a_loss_reno_halves_cubic_keeps_717_of_1024() {
    for cwnd in [1u32, 2, 3, 4, 10, 101, 1000, 4099] {
        let mut r = Reno::new(10);
        r.set_cwnd(cwnd);
        assert_eq!(r.recalc_ssthresh(), (cwnd >> 1).max(2), "reno cwnd {cwnd}");
        let mut c = Cubic::new(10);
        c.set_cwnd(cwnd);
        assert_eq!(c.recalc_ssthresh(), (cwnd * 717 / 1024).max(2), "cubic cwnd {cwnd}");
    }
    assert_eq!(Reno::new(10).ssthresh(), INFINITE_SSTHRESH);
}

fn connected(cfg: TcpConfig, delay: Duration) -> (Net, SockId, SockId) {
    let mut net = Net::new(vec![cfg.clone(), cfg], delay, 7);
    let l = net.listen(1, 80, 8);
    let srv = net.addr(1, 80);
    let c = net.connect(0, srv);
    net.run_until(Instant::ZERO + delay.mul(4));
    let s = net.with(1, |st, x| st.accept(x, l)).expect("accept");
    net.auto_read(1, s);
    (net, c, s)
}

fn cwnd_at(net: &Net, sock: SockId, t: Instant) -> u32 {
    net.trace
        .events
        .iter()
        .take_while(|e| e.t <= t)
        .filter_map(|e| match &e.kind {
            EventKind::Vars { sock: s, vars } if *s == sock => Some(vars.cwnd),
            _ => None,
        })
        .last()
        .unwrap_or(0)
}

#[test]
fn cwnd_is_one_after_a_retransmission_timeout() {
    for alg in [CcAlgorithm::Reno, CcAlgorithm::Cubic] {
        for recovery in [wirewise_sim::tcp::RecoveryMode::Linux, wirewise_sim::tcp::RecoveryMode::Textbook] {
            let cfg = TcpConfig { congestion: alg, recovery, tail_loss_probe: false, ..TcpConfig::linux() };
            let (mut net, c, _) = connected(cfg, ms(10));
            // Everything from the client is lost after the 40th data segment: only the RTO helps.
            let n = std::cell::Cell::new(0);
            net.drop_all(move |from, seg| {
                if from == 0 && !seg.payload.is_empty() {
                    n.set(n.get() + 1);
                }
                from == 0 && n.get() > 40
            });
            net.at(at_ms(100), move |n| n.send_all(0, c, &vec![7u8; 200_000]));
            net.run_until(at_ms(2000));
            let rto = net.trace.events.iter().find_map(|e| match &e.kind {
                EventKind::TcpEvent { sock, what: TcpEventKind::Rto { cwnd, ssthresh, backoff } } if *sock == c => {
                    Some((e.t, *cwnd, *ssthresh, *backoff))
                }
                _ => None,
            });
            let (t, cwnd, ssthresh, backoff) = rto.unwrap_or_else(|| panic!("{alg:?} {recovery:?}: no RTO"));
            assert_eq!((cwnd, backoff), (1, 1), "{alg:?} {recovery:?}");
            assert_eq!(cwnd_at(&net, c, t), 1, "{alg:?} {recovery:?}: Vars after the RTO");
            assert!((2..40).contains(&ssthresh), "{alg:?} {recovery:?}: ssthresh {ssthresh}");
        }
    }
}

#[test]
fn slow_start_doubles_cwnd_every_round_trip_from_iw10() {
    for alg in [CcAlgorithm::Reno, CcAlgorithm::Cubic] {
        let cfg = TcpConfig { congestion: alg, ..TcpConfig::linux() };
        let (mut net, c, _) = connected(cfg, ms(50));
        let start = at_ms(1000);
        net.at(start, move |n| n.send_all(0, c, &vec![1u8; 2_000_000]));
        net.run_until(at_ms(1700));
        // One RTT is 100 ms; sample just before each round's ACKs come back.
        let per_round: Vec<u32> = (0..4).map(|k| cwnd_at(&net, c, start + ms(100 * k + 99))).collect();
        assert_eq!(per_round, vec![10, 20, 40, 80], "{alg:?}");
    }
}
