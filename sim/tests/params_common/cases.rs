//! The preset settings a benchmark of the slowest runs tries: every slider alone at each end of
//! its range, and every preset with all its sliders at their lowest and at their highest.

use super::{all_at_end, one_at_end};
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;

/// (preset, what was set, the parameters).
pub fn extreme_settings() -> Vec<(&'static str, String, ParamSet)> {
    let mut out = vec![];
    for p in presets::all() {
        for high in [false, true] {
            let end = if high { "max" } else { "min" };
            out.push((p.name, format!("all {end}"), all_at_end(p, high)));
            for spec in p.params {
                out.push((p.name, format!("{}={end}", spec.name), one_at_end(p, spec, high)));
            }
        }
    }
    out
}
