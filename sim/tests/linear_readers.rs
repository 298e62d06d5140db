//! The summary and every trace reader cost time in proportion to the run's size: a run four
//! times as large (four times the events, and for the connection presets four times the
//! connections) costs about four times as much to read, never sixteen.

use std::time::{Duration, Instant as Wall};
use wirewise_sim::presets;
use wirewise_sim::tcp::TcpState;
use wirewise_sim::trace::Trace;
use wirewise_sim::*;

fn run(name: &str, sets: &[(&str, &str)]) -> Trace {
    let p = presets::find(name).unwrap();
    let set = params::ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    let t = wirewise_sim::run(&(p.build)(&set).unwrap()).unwrap();
    assert!(t.limit.is_none());
    t
}

/// The quickest of five timings of `f`.
fn cost(f: &dyn Fn()) -> Duration {
    (0..5)
        .map(|_| {
            let start = Wall::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

type Reader = (&'static str, fn(&Trace));

/// Parameter settings of one run.
type Sets = &'static [(&'static str, &'static str)];

fn readers() -> Vec<Reader> {
    vec![
        ("summary::summarize", |t| drop(summary::summarize("x", t))),
        ("cwnd::cwnd_history", |t| drop(cwnd::cwnd_history(t))),
        ("sliding::stream_window", |t| drop(sliding::stream_window(t))),
        ("fetch::fetches", |t| drop(fetch::fetches(t))),
        ("hol::timelines", |t| drop(hol::timelines(t))),
        ("packet_list::packet_rows", |t| drop(packet_list::packet_rows(t))),
        ("socket_states::all_stays", |t| drop(socket_states::all_stays(t))),
        ("socket_states::count_in_state", |t| {
            for n in 0..t.nodes.len() as u16 {
                drop(socket_states::count_in_state(t, n, TcpState::TimeWait));
            }
        }),
        ("ss::listen_rows_at", |t| drop(ss::listen_rows_at(t, t.end))),
        ("nstat::final_counters", |t| drop(nstat::final_counters(t))),
        ("label::frame_labels", |t| drop(label::frame_labels(t))),
        ("label::frame_labels_absolute", |t| drop(label::frame_labels_absolute(t))),
        ("transfer::transfers", |t| drop(transfer::transfers(t))),
        ("hops::journeys", |t| drop(hops::journeys(t))),
        ("encap::sent_data", |t| drop(encap::sent_data(t, 0))),
        ("Trace::event_times", |t| drop(t.event_times())),
    ]
}

#[test]
fn readers_cost_in_proportion_to_the_run() {
    let cases: [(&str, Sets, Sets); 4] = [
        // Many frames lost: the summary once looked up every dropped frame's sender by
        // scanning the whole run.
        (
            "congestion",
            &[("algorithm", "bbr"), ("bandwidth", "50"), ("rtt", "2"), ("loss", "5"), ("seconds", "2")],
            &[("algorithm", "bbr"), ("bandwidth", "50"), ("rtt", "2"), ("loss", "5"), ("seconds", "8")],
        ),
        ("congestion-loss", &[("seconds", "5")], &[("seconds", "20")]),
        (
            "port-exhaustion",
            &[("seconds", "15"), ("rate", "3"), ("ports", "200")],
            &[("seconds", "60"), ("rate", "3"), ("ports", "200")],
        ),
        ("close-wait-leak", &[("clients", "10")], &[("clients", "40")]),
    ];
    let mut wrong = vec![];
    for (name, small, big) in cases {
        let (a, b) = (run(name, small), run(name, big));
        let size = b.events.len() as f64 / a.events.len() as f64;
        assert!(size > 2.5, "{name}: the larger run is only {size:.1}× the events");
        // A plain pass over every event and frame, timed on the same two runs: how a linear
        // reader grows on this machine, caches and all.
        let baseline = |t: &Trace| {
            let n = t.events.iter().filter(|e| e.t <= t.end).count();
            let b: usize = t.frames.iter().map(|f| f.bytes.len()).sum();
            std::hint::black_box((n, b, t.event_times()));
        };
        let linear = cost(&|| baseline(&b)).as_secs_f64() / cost(&|| baseline(&a)).as_secs_f64().max(1e-9);
        for (reader, f) in readers() {
            let (ca, cb) = (cost(&|| f(&a)), cost(&|| f(&b)));
            // Below a couple of milliseconds the clock's noise and the caches say more than
            // the reader's growth does.
            if ca < Duration::from_millis(2) {
                continue;
            }
            let growth = cb.as_secs_f64() / ca.as_secs_f64().max(1e-9);
            println!(
                "{name} {reader}: {ca:?} -> {cb:?} ({growth:.1}×; a plain pass {linear:.1}×; {size:.1}× the events)"
            );
            // Quadratic growth would be about `size` times the plain pass's.
            if growth > linear.max(size) * 2.0 {
                wrong.push(format!("{name} {reader}: {growth:.1}× the time where a plain pass took {linear:.1}×"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
