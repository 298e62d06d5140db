//! Re-simulation speed of the congestion-control lab, as a benchmark (not a test):
//! `cargo bench -p wirewise-sim --bench cc_speed`.
//!
//! A figure re-runs the whole scenario whenever a slider moves, so the number that matters is
//! the wall time of one 60 s run of the `congestion` preset (CUBIC by default) and of its
//! variants. It prints the best of several runs and the trace size. The same workload runs
//! under wasm32 in `tests/bench_cc_wasm.rs`.

use std::time::Instant;
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;

fn time(name: &str, sets: &[(&str, &str)]) {
    let p = presets::find(name).expect("preset");
    let set = ParamSet::apply_strict(p.params, sets.iter().copied()).expect("params");
    let s = (p.build)(&set).expect("scenario");
    let mut best = f64::MAX;
    let mut trace = None;
    for _ in 0..5 {
        let t0 = Instant::now();
        let t = wirewise_sim::run(&s).expect("run");
        best = best.min(t0.elapsed().as_secs_f64());
        trace = Some(t);
    }
    let t = trace.expect("ran");
    let label = sets.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    println!(
        "{name} {label}: {:.1} ms wall for {:.0} s simulated, {} frames, {} trace events",
        best * 1e3,
        t.end.as_secs_f64(),
        t.frames.len(),
        t.events.len()
    );
}

fn main() {
    time("congestion", &[]);
    time("congestion", &[("algorithm", "reno")]);
    time("congestion", &[("algorithm", "bbr")]);
    time("congestion-loss", &[]);
    time("congestion-bufferbloat", &[]);
}
