//! Every slider of every queues preset, pushed to its ends: the run finishes, stays
//! browser-sized, and the listener reports the backlog the sliders imply.

use wirewise_sim::params::{ParamKind, ParamSet, ParamValue};
use wirewise_sim::presets;
use wirewise_sim::ss::listen_rows_at;

/// All sliders at their lowest, or all at their highest (choices: first or last option).
fn extreme(p: &presets::Preset, high: bool) -> ParamSet {
    let mut set = ParamSet::defaults(p.params);
    for spec in p.params {
        let v = match &spec.kind {
            ParamKind::Number { min, max, .. } => ParamValue::Number(if high { *max } else { *min }),
            ParamKind::Bool => ParamValue::Bool(high),
            ParamKind::Choice { options } => {
                let o = if high { options.last() } else { options.first() };
                ParamValue::Choice(std::borrow::Cow::Borrowed(o.copied().unwrap_or_default()))
            }
            // Empty, or as long as allowed.
            ParamKind::Text { max_len } => ParamValue::Text(if high { "x".repeat(*max_len).into() } else { "".into() }),
        };
        set.set(p.params, spec.name, v);
    }
    set
}

#[test]
fn every_queues_preset_runs_at_its_slider_extremes() {
    for p in presets::all().iter().filter(|p| p.name.starts_with("queues-")) {
        for high in [false, true] {
            let set = extreme(p, high);
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
