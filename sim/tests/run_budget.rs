//! Every run keeps to a budget: a run that would grow past it stops where it is, keeps what
//! happened so far and says which limit stopped it; slicing a run changes nothing.

use wirewise_sim::budget::{Budget, Limit};
use wirewise_sim::net::Network;
use wirewise_sim::presets;

fn scenario(name: &str, sets: &[(&str, &str)]) -> wirewise_sim::Scenario {
    let p = presets::find(name).unwrap();
    let set = wirewise_sim::params::ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    (p.build)(&set).unwrap()
}

#[test]
fn a_run_past_its_event_budget_stops_with_the_reason_and_keeps_its_trace() {
    let s = scenario("congestion", &[]);
    let whole = wirewise_sim::run(&s).unwrap();
    assert!(whole.limit.is_none() && !whole.truncated);
    for (limit, budget) in [
        (Limit::Events, Budget { events: 20_000, ..Budget::STANDARD }),
        (Limit::TraceEvents, Budget { trace_events: 20_000, ..Budget::STANDARD }),
        (Limit::Frames, Budget { frames: 2_000, ..Budget::STANDARD }),
        (Limit::TraceBytes, Budget { trace_bytes: 2_000_000, ..Budget::STANDARD }),
    ] {
        let t = Network::build(&s).unwrap().with_budget(budget).run();
        let e = t.limit.unwrap_or_else(|| panic!("{limit:?}: the run was not stopped"));
        assert_eq!(e.limit, limit);
        assert!(t.truncated);
        assert!(e.at < e.stop && t.end == e.at, "{limit:?}: stopped at {:?} of {:?}, end {:?}", e.at, e.stop, t.end);
        assert!(!t.events.is_empty() && t.events.len() < whole.events.len());
        // What it kept is exactly the start of the whole run.
        assert_eq!(t.frames[..], whole.frames[..t.frames.len()], "{limit:?}");
        assert!(e.to_string().starts_with("this run is too large: it needed more than"), "{e}");
    }
}

#[test]
fn wall_time_is_measured_by_the_driver() {
    let s = scenario("congestion", &[]);
    let mut calls = 0u64;
    // A clock that says a minute has passed after the first look.
    let t = wirewise_sim::run_within(&s, Budget::STANDARD, || {
        calls += 1;
        if calls > 1 {
            61_000
        } else {
            0
        }
    })
    .unwrap();
    let e = t.limit.expect("stopped by the wall clock");
    assert_eq!(e.limit, Limit::WallTime);
    assert_eq!(e.max, 60_000);
    assert!(e.to_string().contains("more than 60 s to compute"), "{e}");
}

#[test]
fn a_run_in_slices_is_the_run_in_one_go() {
    for name in ["handshake", "congestion-loss", "queues-syn-flood"] {
        let s = scenario(name, &[]);
        let whole = wirewise_sim::run(&s).unwrap();
        let mut net = Network::build(&s).unwrap();
        let mut slices = 0;
        while !net.advance(997) {
            slices += 1;
            let p = net.progress();
            assert!((0.0..=1.0).contains(&p.fraction()));
        }
        let sliced = net.into_trace();
        assert!(slices > 0 || whole.events.len() < 997, "{name}");
        assert_eq!(sliced.digest(), whole.digest(), "{name}");
        assert_eq!(sliced.end, whole.end, "{name}");
    }
}

#[test]
fn cancelling_keeps_what_ran() {
    let s = scenario("congestion", &[]);
    let mut net = Network::build(&s).unwrap();
    net.advance(50_000);
    net.exceed(Limit::Cancelled);
    assert!(net.advance(1), "a stopped run stays stopped");
    let t = net.into_trace();
    let e = t.limit.unwrap();
    assert_eq!(e.limit, Limit::Cancelled);
    assert!(e.to_string().starts_with("the run was stopped at"), "{e}");
}
