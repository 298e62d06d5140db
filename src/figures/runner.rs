//! The one place figures call into the simulation: run a preset with some parameters and a
//! seed, and precompute what the views need per frame (its one-line summary).

use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wirewise_sim::budget::{Budget, Limit, Progress};
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

/// The error text [`run_preset`] returns while a run is still being computed in slices
/// (see [`compute`]); a figure's `run` passes it on with `?` like any other error.
pub const PENDING: &str = "\u{1}the run is still being computed";

/// Wall-clock milliseconds one slice of computing may take before the page gets to draw.
pub const SLICE_MS: f64 = 40.0;

/// Runs the preset `name` with `pairs` (parameter name, value text) and `seed`.
///
/// Inside [`compute`] the run is advanced for at most one slice of wall time and, if it has
/// not finished, [`PENDING`] is returned; the next `compute` for the same figure carries on
/// where it stopped. Outside it (tests) the run is computed whole.
pub fn run_preset(name: &str, pairs: &[(&str, String)], seed: u64) -> Result<Rc<Run>, String> {
    let key =
        Key { name: name.to_string(), pairs: pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(), seed };
    let Some(slice) = SLICE.with(|c| c.get()) else {
        let mut job = Job::start(&key, 0, 0);
        job.advance(f64::INFINITY);
        return job.result();
    };
    JOBS.with(|jobs| {
        let mut jobs = jobs.borrow_mut();
        let i = match jobs.iter().position(|j| j.owner == slice.owner && j.key == key) {
            Some(i) => i,
            None => {
                jobs.push(Job::start(&key, slice.owner, slice.pass));
                jobs.len() - 1
            }
        };
        let job = &mut jobs[i];
        job.pass = slice.pass;
        job.advance(slice.deadline_ms);
        job.result()
    })
}

/// What identifies a run.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    name: String,
    pairs: Vec<(String, String)>,
    seed: u64,
}

/// A run being computed, or its result.
struct Job {
    key: Key,
    /// The figure that asked for it.
    owner: u64,
    /// The last `compute` pass that asked for it.
    pass: u64,
    /// The network while it runs.
    net: Option<wirewise_sim::net::Network>,
    /// Wall-clock milliseconds spent on it so far.
    spent_ms: f64,
    /// The finished run, or why there is none.
    done: Option<Result<Rc<Run>, String>>,
}

impl Job {
    fn start(key: &Key, owner: u64, pass: u64) -> Job {
        let pairs: Vec<(&str, String)> = key.pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let (net, done) = match sim::network(&key.name, &pairs, key.seed) {
            Ok(net) => (Some(net), None),
            Err(e) => (None, Some(Err(e))),
        };
        Job { key: key.clone(), owner, pass, net, spent_ms: 0.0, done }
    }

    /// Advance the run until it ends or the wall clock passes `deadline_ms`; the progress so
    /// far while it has not ended.
    fn advance(&mut self, deadline_ms: f64) -> Option<Progress> {
        let net = self.net.as_mut()?;
        let budget = Budget::STANDARD;
        loop {
            let start = now_ms();
            let finished = net.advance(wirewise_sim::CLOCK_SLICE / 4);
            let end = now_ms();
            self.spent_ms += end - start;
            if !finished && self.spent_ms > budget.wall_ms as f64 {
                net.exceed(Limit::WallTime);
            }
            if finished || self.spent_ms > budget.wall_ms as f64 {
                let trace = self.net.take().map(|n| n.into_trace()).unwrap_or_default();
                let labels = wirewise_sim::label::frame_labels(&trace);
                self.done = Some(Ok(Rc::new(Run { trace, labels })));
                return None;
            }
            if end >= deadline_ms {
                return Some(net.progress());
            }
        }
    }

    fn result(&self) -> Result<Rc<Run>, String> {
        self.done.clone().unwrap_or_else(|| Err(PENDING.to_string()))
    }
}

/// The figure and the slice of wall time `run_preset` computes for, while inside [`compute`].
#[derive(Debug, Clone, Copy)]
struct Slice {
    owner: u64,
    pass: u64,
    deadline_ms: f64,
}

thread_local! {
    static JOBS: RefCell<Vec<Job>> = const { RefCell::new(Vec::new()) };
    static SLICE: std::cell::Cell<Option<Slice>> = const { std::cell::Cell::new(None) };
    static PASS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How a [`compute`] call ended.
#[derive(Debug, PartialEq)]
pub enum Computed<T> {
    /// Every run `f` asked for had finished: its result.
    Done(T),
    /// A run is still being computed: how far it has got. Call `compute` again soon.
    Pending(Progress),
}

/// Call `f` (a figure's `run`) for figure `owner`, letting the runs it asks for take at most
/// one slice of wall time between them. Runs that `f` no longer asks for (their parameters
/// changed) are dropped, and so is everything once `f` has its result.
pub fn compute<T>(owner: u64, f: impl FnOnce() -> Result<T, String>) -> Computed<Result<T, String>> {
    let pass = PASS.with(|p| {
        p.set(p.get() + 1);
        p.get()
    });
    SLICE.with(|c| c.set(Some(Slice { owner, pass, deadline_ms: now_ms() + SLICE_MS })));
    let out = f();
    SLICE.with(|c| c.set(None));
    let pending = matches!(&out, Err(e) if e == PENDING);
    let progress = JOBS.with(|jobs| {
        let mut jobs = jobs.borrow_mut();
        if pending {
            jobs.retain(|j| j.owner != owner || j.pass == pass);
        } else {
            jobs.retain(|j| j.owner != owner);
        }
        jobs.iter().filter(|j| j.owner == owner && j.done.is_none()).find_map(|j| j.net.as_ref().map(|n| n.progress()))
    });
    match (pending, progress) {
        (true, Some(p)) => Computed::Pending(p),
        // A pending result with no run in progress cannot happen; treat it as an error rather
        // than wait for ever.
        (true, None) => Computed::Done(Err("the simulation stopped without a result".into())),
        (false, _) => Computed::Done(out),
    }
}

/// Drop figure `owner`'s runs in progress (it was cancelled or has gone from the page).
pub fn forget(owner: u64) {
    JOBS.with(|jobs| jobs.borrow_mut().retain(|j| j.owner != owner));
}

/// Milliseconds on a monotonic wall clock.
#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// Milliseconds on a monotonic wall clock.
#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// A frame's fields, for the packet detail panel.
pub fn dissect(bytes: &[u8]) -> Dissection {
    sim::dissect(bytes)
}

mod sim {
    use wirewise_sim::net::Network;
    use wirewise_sim::params::ParamSet;
    use wirewise_sim::wire::Dissection;

    /// The network preset `name` builds from `pairs` and `seed`, ready to run.
    pub fn network(name: &str, pairs: &[(&str, String)], seed: u64) -> Result<Network, String> {
        let preset = wirewise_sim::presets::find(name)
            .ok_or_else(|| format!("the simulation has no preset '{}'", wirewise_sim::text::clip(name)))?;
        let (set, errors) = ParamSet::apply_lenient(preset.params, pairs.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(e) = errors.first() {
            return Err(format!("preset '{name}' rejected a parameter: {e}"));
        }
        let mut scenario = (preset.build)(&set).map_err(|e| e.to_string())?;
        scenario.seed = seed;
        Network::build(&scenario).map_err(|e| e.to_string())
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
