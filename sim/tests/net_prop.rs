//! Property tests over whole networks: random paths, loss, faults and workloads never panic,
//! every TCP transition is one RFC 9293 allows, and a connection that closes cleanly delivers
//! exactly the bytes written.

use proptest::prelude::*;
use wirewise_sim::net::fault::{FaultAction, FaultSpec, FrameMatch};
use wirewise_sim::params::{ParamSet, ParamValue};
use wirewise_sim::presets;
use wirewise_sim::summary::summarize;
use wirewise_sim::trace::EventKind;

fn fault() -> impl Strategy<Value = FaultSpec> {
    (
        prop::sample::select(vec!["client", "server"]),
        prop::option::of(prop::sample::select(vec!["SYN", "ACK", "FIN", "PSH"])),
        1u32..8,
        1u32..3,
        prop_oneof![
            Just(FaultAction::Drop),
            (0.0f64..500.0).prop_map(|ms| FaultAction::Delay { ms }),
            Just(FaultAction::Duplicate)
        ],
    )
        .prop_map(|(from, flags, nth, count, action)| FaultSpec {
            matches: FrameMatch {
                from: Some(from.into()),
                proto: Some("tcp".into()),
                flags: flags.map(Into::into),
                ..Default::default()
            },
            nth,
            count,
            action,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_calls_are_safe_and_lossless(
        rtt in 0.02f64..400.0,
        bw in 1.0f64..1000.0,
        request in 1u32..20_000,
        response in 1u32..200_000,
        requests in 1u32..4,
        reuse in any::<bool>(),
        loss in 0.0f64..0.05,
        mtu in 576u16..1500,
        faults in prop::collection::vec(fault(), 0..3),
        seed in any::<u64>(),
    ) {
        let p = presets::find("rpc").unwrap();
        let mut set = ParamSet::defaults(p.params);
        set.set(p.params, "rtt", ParamValue::Number(rtt));
        set.set(p.params, "bandwidth", ParamValue::Number(bw));
        set.set(p.params, "request", ParamValue::Number(request as f64));
        set.set(p.params, "response", ParamValue::Number(response as f64));
        set.set(p.params, "requests", ParamValue::Number(requests as f64));
        set.set(p.params, "reuse", ParamValue::Bool(reuse));
        let mut s = (p.build)(&set).unwrap();
        s.seed = seed;
        s.links[0].loss = loss;
        s.links[0].mtu = mtu;
        s.faults = faults;
        s.stop_ms = 600_000.0;
        let t = wirewise_sim::run(&s).unwrap();
        for e in &t.events {
            if let EventKind::TcpState { from, to, .. } = e.kind {
                prop_assert!(from.may_transition_to(to), "{from} -> {to}");
            }
        }
        prop_assert!(t.events.windows(2).all(|w| w[0].t <= w[1].t), "events out of time order");
        // RFC 9293 §3.4: a sender never skips sequence space (each segment starts at or below
        // the highest sequence number sent so far, modulo 2^32), and its ACK field never moves
        // backwards except on RST.
        let mut hi: std::collections::BTreeMap<(u16, u16, u16), (u32, u32)> = Default::default();
        for e in &t.events {
            if let EventKind::FrameTx { frame, from, .. } = e.kind {
                let Ok(f) = wirewise_sim::wire::Frame::parse(&t.frames[frame as usize].bytes) else { continue };
                let wirewise_sim::wire::FramePayload::Ipv4(p) = f.payload else { continue };
                let wirewise_sim::wire::Transport::Tcp(seg) = p.transport else { continue };
                if seg.flags.rst() { continue; }
                let key = (from, seg.src_port, seg.dst_port);
                match hi.get_mut(&key) {
                    None => { hi.insert(key, (seg.seq.wrapping_add(seg.seq_len()), seg.ack)); }
                    Some((top, ack)) => {
                        prop_assert!((seg.seq.wrapping_sub(*top) as i32) <= 0, "segment at {} skips past {}", seg.seq, top);
                        let end = seg.seq.wrapping_add(seg.seq_len());
                        if (end.wrapping_sub(*top) as i32) > 0 { *top = end; }
                        if seg.flags.ack() {
                            prop_assert!(*ack == 0 || (seg.ack.wrapping_sub(*ack) as i32) >= 0, "ACK went back from {} to {}", ack, seg.ack);
                            *ack = seg.ack;
                        }
                    }
                }
            }
        }
        let sum = summarize("rpc", &t);
        let written: u64 = sum.connections.iter().filter(|c| c.host == "client").map(|c| c.bytes_written).sum();
        let read: u64 = sum.connections.iter().filter(|c| c.host == "server").map(|c| c.bytes_read).sum();
        let clean = sum.connections.iter().all(|c| c.states.last().map(String::as_str) == Some("CLOSED") && c.connect_error.is_none());
        if clean {
            prop_assert_eq!(written, read, "bytes written by the client must all be read by the server");
        }
        prop_assert!(read <= written);
    }

    #[test]
    fn any_preset_with_any_in_range_params_runs(idx in 0usize..64, seed in any::<u64>(), picks in prop::collection::vec(0.0f64..1.0, 8)) {
        let all = presets::all();
        let p = &all[idx % all.len()];
        let mut set = ParamSet::defaults(p.params);
        for (spec, x) in p.params.iter().zip(&picks) {
            let v = match &spec.kind {
                wirewise_sim::params::ParamKind::Number { min, max, .. } => ParamValue::Number(min + (max - min) * x),
                wirewise_sim::params::ParamKind::Bool => ParamValue::Bool(*x > 0.5),
                wirewise_sim::params::ParamKind::Choice { options } => ParamValue::Choice(options[(x * options.len() as f64) as usize % options.len()].into()),
                // Text of a length picked by x, with characters that matter to HTTP.
                wirewise_sim::params::ParamKind::Text { max_len } => {
                    let n = ((*max_len as f64) * x) as usize;
                    ParamValue::Text(" :/{}\"é".chars().cycle().take(n).collect::<String>().into())
                }
            };
            set.set(p.params, spec.name, v);
        }
        let mut s = (p.build)(&set).unwrap();
        s.seed = seed;
        if p.name == "bulk" {
            s.stop_ms = s.stop_ms.min(300.0);
        }
        prop_assert!(wirewise_sim::run(&s).is_ok());
    }

    #[test]
    fn scenario_json_never_panics(text in ".{0,200}") {
        let _ = serde_json::from_str::<wirewise_sim::Scenario>(&text).map(|s| s.validate());
    }
}
