//! The one place figures call into the simulation: run a preset with some parameters and a
//! seed, and precompute what the views need per frame (its one-line summary).

use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
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

/// Per-run tables, each kept beside a weak reference to its run.
type Tables = Vec<(Weak<Run>, Rc<dyn Any>)>;

thread_local! {
    static TABLES: RefCell<Tables> = const { RefCell::new(Vec::new()) };
}

/// A table a figure computes from `run` once and reads at every redraw: built by `build` on
/// first use and kept while the run lives (one table of each type per run).
pub fn per_run<T: 'static>(run: &Rc<Run>, build: impl FnOnce(&Trace) -> T) -> Rc<T> {
    TABLES.with(|c| {
        let mut c = c.borrow_mut();
        c.retain(|(w, _)| w.strong_count() > 0);
        let found = c
            .iter()
            .filter(|(w, _)| w.upgrade().is_some_and(|r| Rc::ptr_eq(&r, run)))
            .find_map(|(_, t)| t.clone().downcast::<T>().ok());
        if let Some(t) = found {
            return t;
        }
        let t = Rc::new(build(&run.trace));
        c.push((Rc::downgrade(run), t.clone() as Rc<dyn Any>));
        t
    })
}
