//! Every slider of every queues preset, pushed to its ends: the run finishes, stays
//! browser-sized, and the listener reports the backlog the sliders imply.

mod params_common;

use params_common::all_at_end;
use wirewise_sim::presets;
use wirewise_sim::ss::listen_rows_at;

#[test]
fn every_queues_preset_runs_at_its_slider_extremes() {
    for p in presets::all().iter().filter(|p| p.name.starts_with("queues-")) {
        for high in [false, true] {
            let set = all_at_end(p, high);
            let s = (p.build)(&set).unwrap_or_else(|e| panic!("{} high={high}: {e}", p.name));
            let t = wirewise_sim::run(&s).unwrap();
            assert!(!t.truncated, "{} high={high}", p.name);
            assert!(t.events.len() < 600_000, "{} high={high}: {} events", p.name, t.events.len());
            let rows = listen_rows_at(&t, t.end);
            assert!(!rows.is_empty(), "{} high={high}", p.name);
            let want = set.num("backlog").min(set.num("somaxconn")) as u32;
            assert!(rows.iter().all(|r| r.send_q == want), "{} high={high}: {rows:?}", p.name);
        }
    }
}
