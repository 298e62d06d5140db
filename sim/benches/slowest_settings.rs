//! The slowest preset settings, natively: every slider alone at each end of its range and
//! every preset with all sliders at one end, run with the standard budget; prints the
//! slowest, with their events, frames, trace size and any limit reached.
//! `cargo bench -p wirewise-sim --bench slowest_settings` (scripts/bench-slowest.sh runs it
//! together with the same cases under wasm32).

#[path = "../tests/params_common/mod.rs"]
mod params_common;

use std::time::Instant;
use wirewise_sim::budget::Budget;

fn main() {
    let top: usize = std::env::var("WW_TOP").ok().and_then(|v| v.parse().ok()).unwrap_or(15);
    let mut rows = vec![];
    let all = Instant::now();
    for (preset, what, set) in params_common::cases::extreme_settings() {
        let p = wirewise_sim::presets::find(preset).unwrap();
        let Ok(s) = (p.build)(&set) else { continue };
        let start = Instant::now();
        let Ok(t) = wirewise_sim::run_within(&s, Budget::STANDARD, || start.elapsed().as_millis() as u64) else {
            continue;
        };
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let bytes: usize = t.frames.iter().map(|f| f.bytes.len()).sum::<usize>()
            + t.events.len() * std::mem::size_of::<wirewise_sim::trace::Event>();
        let limit = t.limit.map(|l| format!("{:?}", l.limit)).unwrap_or_else(|| "-".into());
        rows.push((ms, preset, what, t.events.len(), t.frames.len(), bytes, limit));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "native: {} settings in {:.1} s; the {top} slowest (budget: {} ms wall, {} events)",
        rows.len(),
        all.elapsed().as_secs_f64(),
        Budget::STANDARD.wall_ms,
        Budget::STANDARD.trace_events
    );
    println!("| preset | setting | wall ms | trace events | frames | trace MB | limit |");
    println!("|---|---|---:|---:|---:|---:|---|");
    for (ms, preset, what, events, frames, bytes, limit) in rows.iter().take(top) {
        println!("| {preset} | {what} | {ms:.0} | {events} | {frames} | {:.1} | {limit} |", *bytes as f64 / 1e6);
    }
    let over: Vec<_> = rows.iter().filter(|r| r.6 != "-").collect();
    println!("settings stopped by a limit: {}", over.len());
}
