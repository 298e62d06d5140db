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
    /// Short label of each frame (flags, relative seq/ack, length), by frame id.
    pub labels: Vec<String>,
}

/// Runs the preset `name` with `pairs` (parameter name, value text) and `seed`.
pub fn run_preset(name: &str, pairs: &[(&str, String)], seed: u64) -> Result<Rc<Run>, String> {
    let trace = sim::run_preset(name, pairs, seed)?;
    let labels = wirewise_sim::label::frame_labels(&trace);
    Ok(Rc::new(Run { trace, labels }))
}

/// A frame's fields, for the packet detail panel.
pub fn dissect(bytes: &[u8]) -> Dissection {
    sim::dissect(bytes)
}

mod sim {
    use wirewise_sim::params::ParamSet;
    use wirewise_sim::trace::Trace;
    use wirewise_sim::wire::Dissection;

    pub fn run_preset(name: &str, pairs: &[(&str, String)], seed: u64) -> Result<Trace, String> {
        let preset =
            wirewise_sim::presets::find(name).ok_or_else(|| format!("the simulation has no preset '{name}'"))?;
        let (set, errors) = ParamSet::apply_lenient(preset.params, pairs.iter().map(|(k, v)| (*k, v.as_str())));
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

/// `run` with its ladder labels showing sequence and acknowledgment numbers as on the wire.
pub fn with_absolute_labels(run: Rc<Run>) -> Rc<Run> {
    let labels = wirewise_sim::label::frame_labels_absolute(&run.trace);
    let trace = match Rc::try_unwrap(run) {
        Ok(r) => r.trace,
        Err(shared) => shared.trace.clone(),
    };
    Rc::new(Run { trace, labels })
}
