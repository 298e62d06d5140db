//! The simulation-speed benchmark under wasm32 (ignored by default; it measures, it does not
//! assert): `cargo test -p wirewise-sim --target wasm32-unknown-unknown --release
//! --test bench_wasm -- --include-ignored` with wasm-bindgen-test-runner as the runner.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{console_log, wasm_bindgen_test};
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;

#[wasm_bindgen_test]
#[ignore]
fn bulk_10s_events_per_second() {
    let p = presets::find("bulk").unwrap();
    let set = ParamSet::apply_strict(p.params, [("megabytes", "1000")]).unwrap();
    let s = (p.build)(&set).unwrap();
    let t0 = js_sys::Date::now();
    let t = wirewise_sim::run(&s).unwrap();
    let ms = js_sys::Date::now() - t0;
    console_log!(
        "wasm32: bulk 10 s @ 100 Mbit/s, RTT 50 ms: {:.0} ms wall, {} trace events ({:.2} M/s), {} frames",
        ms,
        t.events.len(),
        t.events.len() as f64 / ms / 1e3,
        t.frames.len()
    );
}
