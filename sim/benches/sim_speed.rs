//! Simulation speed, as a benchmark (not a test): `cargo bench -p wirewise-sim`.
//!
//! The workload is the reference run: a 10 s bulk transfer over 100 Mbit/s with a
//! 50 ms RTT (about 85 000 full-size frames). It reports scheduler events per second, trace
//! events per second and how much faster than real time the run goes. The same workload runs
//! under wasm32 in `tests/bench_wasm.rs`.

use std::time::Instant;
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;

fn main() {
    let p = presets::find("bulk").unwrap();
    let set = ParamSet::apply_strict(p.params, [("megabytes", "1000")]).unwrap();
    let s = (p.build)(&set).unwrap();
    let mut best = f64::MAX;
    let mut trace = None;
    for _ in 0..3 {
        let t0 = Instant::now();
        let t = wirewise_sim::run(&s).unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
        trace = Some(t);
    }
    let t = trace.unwrap();
    let events = t.events.len() as f64;
    println!(
        "bulk 10 s @ 100 Mbit/s, RTT 50 ms: {:.0} ms wall, {} trace events ({:.2} M/s), {} frames, {:.1}x real time",
        best * 1e3,
        t.events.len(),
        events / best / 1e6,
        t.frames.len(),
        t.end.as_secs_f64() / best
    );
}
