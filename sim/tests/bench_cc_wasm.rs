//! Re-simulation speed of the congestion lab under wasm32 (ignored by default; it measures, it
//! does not assert): `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo
//! test -p wirewise-sim --target wasm32-unknown-unknown --release --test bench_cc_wasm --
//! --include-ignored --nocapture`. The native counterpart is `benches/cc_speed.rs`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{console_log, wasm_bindgen_test};
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;

fn time(name: &str, sets: &[(&str, &str)]) {
    let p = presets::find(name).unwrap();
    let set = ParamSet::apply_strict(p.params, sets.iter().copied()).unwrap();
    let s = (p.build)(&set).unwrap();
    let mut best = f64::MAX;
    let mut frames = 0;
    for _ in 0..5 {
        let t0 = js_sys::Date::now();
        let t = wirewise_sim::run(&s).unwrap();
        best = best.min(js_sys::Date::now() - t0);
        frames = t.frames.len();
    }
    let label = sets.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    console_log!("wasm32: {name} {label}: {best:.0} ms wall for 60 s simulated, {frames} frames");
}

#[wasm_bindgen_test]
#[ignore]
fn congestion_lab_60s_resimulation() {
    time("congestion", &[]);
    time("congestion", &[("algorithm", "reno")]);
    time("congestion", &[("algorithm", "bbr")]);
    time("congestion-loss", &[]);
    time("congestion-bufferbloat", &[]);
}
