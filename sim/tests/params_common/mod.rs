//! Slider values at the ends of their ranges, for tests that push presets to extremes.

#![allow(dead_code)]

use wirewise_sim::params::{ParamKind, ParamSet, ParamSpec, ParamValue};
use wirewise_sim::presets::Preset;

/// The value at one end of a slider: its minimum or maximum, the first or last choice, a
/// switch off or on, an empty text or one as long as allowed.
pub fn end_value(spec: &ParamSpec, high: bool) -> ParamValue {
    match &spec.kind {
        ParamKind::Number { min, max, .. } => ParamValue::Number(if high { *max } else { *min }),
        ParamKind::Bool => ParamValue::Bool(high),
        ParamKind::Choice { options } => {
            let o = if high { options.last() } else { options.first() };
            ParamValue::Choice(std::borrow::Cow::Borrowed(o.copied().unwrap_or_default()))
        }
        ParamKind::Text { max_len } => ParamValue::Text(if high { "x".repeat(*max_len).into() } else { "".into() }),
    }
}

/// All sliders at their lowest, or all at their highest.
pub fn all_at_end(p: &Preset, high: bool) -> ParamSet {
    let mut set = ParamSet::defaults(p.params);
    for spec in p.params {
        set.set(p.params, spec.name, end_value(spec, high));
    }
    set
}

/// The defaults, with one slider moved to one end.
pub fn one_at_end(p: &Preset, spec: &ParamSpec, high: bool) -> ParamSet {
    let mut set = ParamSet::defaults(p.params);
    set.set(p.params, spec.name, end_value(spec, high));
    set
}

/// A seeded random value inside a slider's range (on its step grid), any choice, either
/// flag; free text stays at its default.
pub fn inside_value(spec: &ParamSpec, rng: &mut wirewise_sim::rng::Rng) -> ParamValue {
    match &spec.kind {
        ParamKind::Number { min, max, step, .. } => {
            let steps = if *step > 0.0 { ((max - min) / step).floor() as u64 } else { 0 };
            let v = if steps > 0 { min + step * rng.range_u64(0, steps) as f64 } else { *min };
            ParamValue::Number(v.clamp(*min, *max))
        }
        ParamKind::Bool => ParamValue::Bool(rng.chance(0.5)),
        ParamKind::Choice { options } => {
            let i = rng.range_u64(0, options.len().saturating_sub(1) as u64) as usize;
            ParamValue::Choice(std::borrow::Cow::Borrowed(options.get(i).copied().unwrap_or_default()))
        }
        ParamKind::Text { .. } => spec.default.clone(),
    }
}

/// A set built value by value by `pick`; free-text parameters keep their defaults.
pub fn set_with(p: &Preset, mut pick: impl FnMut(&ParamSpec) -> ParamValue) -> ParamSet {
    let mut set = ParamSet::defaults(p.params);
    for spec in p.params {
        if !matches!(spec.kind, ParamKind::Text { .. }) {
            set.set(p.params, spec.name, pick(spec));
        }
    }
    set
}
pub mod cases;
