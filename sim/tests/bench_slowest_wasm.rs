//! The slowest preset settings under wasm32 (ignored by default; it measures, it does not
//! assert): the cases of benches/slowest_settings.rs, timed in the JavaScript engine.
//! scripts/bench-slowest.sh runs it with wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

mod params_common;

use wasm_bindgen_test::{console_log, wasm_bindgen_test};
use wirewise_sim::budget::Budget;

#[wasm_bindgen_test]
#[ignore]
fn slowest_settings_in_wasm() {
    let mut rows = vec![];
    for (preset, what, set) in params_common::cases::extreme_settings() {
        let p = wirewise_sim::presets::find(preset).unwrap();
        let Ok(s) = (p.build)(&set) else { continue };
        let t0 = js_sys::Date::now();
        let Ok(t) = wirewise_sim::run_within(&s, Budget::STANDARD, || (js_sys::Date::now() - t0) as u64) else {
            continue;
        };
        let ms = js_sys::Date::now() - t0;
        rows.push((ms, preset, what, t.events.len(), t.limit.map(|l| format!("{:?}", l.limit))));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    console_log!("wasm32: {} settings; the 15 slowest", rows.len());
    console_log!("| preset | setting | wall ms | trace events | limit |");
    for (ms, preset, what, events, limit) in rows.iter().take(15) {
        console_log!("| {preset} | {what} | {ms:.0} | {events} | {} |", limit.as_deref().unwrap_or("-"));
    }
}
