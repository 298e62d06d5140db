//! Presets never build an invalid scenario from values inside their declared ranges: for
//! every preset, all sliders at their minimum, all at their maximum, seeded random corners
//! (each slider independently at one end, each flag either way, every choice at each of its
//! options) and seeded random interior values must build and pass `Scenario::validate`.
//! Only building and validating: no run, so the whole sweep takes a second or two.
//! Free-text parameters stay at their defaults here (`fuzz_inputs.rs` throws text at them).

mod params_common;

use params_common::{end_value, inside_value, set_with};
use wirewise_sim::params::{ParamKind, ParamSet, ParamValue};
use wirewise_sim::presets::{self, Preset};
use wirewise_sim::rng::Rng;

/// Random corners and random interior points per preset.
const RANDOM_CORNERS: usize = 48;
const RANDOM_INSIDE: usize = 48;

/// Build and validate; a description of what went wrong, if anything.
fn problem(p: &Preset, set: &ParamSet) -> Option<String> {
    let pairs = set.non_default_pairs(p.params);
    match (p.build)(set) {
        Err(e) => Some(format!("{} {pairs:?}: build refused: {e}", p.name)),
        Ok(s) => s.validate().err().map(|e| format!("{} {pairs:?}: invalid scenario: {e}", p.name)),
    }
}

/// Every parameter set this test tries for one preset.
fn sets(p: &Preset, rng: &mut Rng) -> Vec<ParamSet> {
    let mut out = vec![set_with(p, |s| end_value(s, false)), set_with(p, |s| end_value(s, true))];
    for _ in 0..RANDOM_CORNERS {
        out.push(set_with(p, |s| end_value(s, rng.chance(0.5))));
    }
    // Each option of each choice, the other values at random corners.
    for spec in p.params {
        if let ParamKind::Choice { options } = &spec.kind {
            for o in *options {
                let mut set = set_with(p, |s| end_value(s, rng.chance(0.5)));
                set.set(p.params, spec.name, ParamValue::Choice((*o).into()));
                out.push(set);
            }
        }
    }
    for _ in 0..RANDOM_INSIDE {
        out.push(set_with(p, |s| inside_value(s, rng)));
    }
    out
}

#[test]
fn every_in_range_parameter_set_builds_a_valid_scenario() {
    let mut rng = Rng::new(0x5eed_c0a1);
    let mut wrong = Vec::new();
    let mut tried = 0;
    for p in presets::all() {
        for set in sets(p, &mut rng) {
            tried += 1;
            wrong.extend(problem(p, &set));
        }
    }
    println!("{tried} parameter sets over {} presets", presets::all().len());
    assert!(wrong.is_empty(), "{} of {tried} sets failed:\n{}", wrong.len(), wrong.join("\n"));
}

/// The known failure this test was written for: pooled requests at 20/s for 60 s.
#[test]
fn port_exhaustion_pooled_at_full_rate_builds() {
    let p = presets::find("port-exhaustion").unwrap();
    let set = ParamSet::apply_strict(p.params, [("policy", "pooled"), ("rate", "20"), ("seconds", "60")]).unwrap();
    assert_eq!(problem(p, &set), None);
}
