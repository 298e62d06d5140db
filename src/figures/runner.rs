//! The one place figures call into the simulation: run a preset with some parameters and a
//! seed, and precompute what the views need per frame (its one-line summary).

use std::rc::Rc;
use wirewise_sim::trace::Trace;
use wirewise_sim::wire::Dissection;

/// A finished run and what the views read from it over and over.
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    /// The record of the run.
    pub trace: Trace,
    /// One-line summary of each frame, by frame id.
    pub labels: Vec<String>,
}

/// Runs the preset `name` with `pairs` (parameter name, value text) and `seed`.
pub fn run_preset(name: &str, pairs: &[(&str, String)], seed: u64) -> Result<Rc<Run>, String> {
    let trace = sim::run_preset(name, pairs, seed)?;
    let labels = trace
        .frames
        .iter()
        .map(|f| dissect(&f.bytes).summary)
        .collect();
    Ok(Rc::new(Run { trace, labels }))
}

/// A frame's fields, for the packet detail panel.
pub fn dissect(bytes: &[u8]) -> Dissection {
    sim::dissect(bytes)
}

#[cfg(any())]
mod sim {
    use wirewise_sim::params::ParamSet;
    use wirewise_sim::trace::Trace;
    use wirewise_sim::wire::Dissection;

    pub fn run_preset(name: &str, pairs: &[(&str, String)], seed: u64) -> Result<Trace, String> {
        let preset = wirewise_sim::presets::find(name)
            .ok_or_else(|| format!("the simulation has no preset '{name}'"))?;
        let (set, errors) =
            ParamSet::apply_lenient(preset.params, pairs.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(e) = errors.first() {
            return Err(format!("preset '{name}' rejected a parameter: {e}"));
        }
        let mut scenario = (preset.build)(&set).map_err(|e| e.to_string())?;
        scenario.seed = seed;
        wirewise_sim::run(&scenario).map_err(|e| e.to_string())
    }

    pub fn dissect(bytes: &[u8]) -> Dissection {
        wirewise_sim::wire::dissect(bytes)
    }
}

/// Stand-in until the simulation core's presets land.
#[cfg(all())]
mod sim {
    use wirewise_sim::trace::Trace;
    use wirewise_sim::wire::Dissection;

    pub fn run_preset(name: &str, _pairs: &[(&str, String)], _seed: u64) -> Result<Trace, String> {
        Err(format!(
            "the simulation core has no preset '{name}' in this build yet"
        ))
    }

    pub fn dissect(_bytes: &[u8]) -> Dissection {
        Dissection::default()
    }
}
