//! A figure's whole state (parameters, seed, time cursor, playback, selected frame) and how
//! every control changes it: a reducer, as in Yew's function_todomvc. Running the simulation
//! happens here too, because a new parameter means a new run.

use super::runner::{self, Computed};
use super::specs::FigureKind;
use super::{run_kind, Runs};
use crate::route::{format_query, Route};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use wirewise_sim::budget::Progress;
use wirewise_sim::params::{ParamSet, ParamValue};
use wirewise_sim::text::clip;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{EventKind, FrameId, Trace};
use yew::Reducible;

/// The seed a figure uses when neither the lesson nor the URL gives one.
pub const DEFAULT_SEED: u64 = 1;

/// Playback speeds the timeline offers.
pub const SPEEDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];

/// How long the interesting part of a run should take to play at 1x, in seconds.
const PLAY_SECONDS: f64 = 4.0;

/// Everything a figure shows is a function of this.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureState {
    /// Which figure.
    pub kind: &'static FigureKind,
    /// Its parameters.
    pub params: ParamSet,
    /// The runs' seed.
    pub seed: u64,
    /// The time cursor.
    pub t: Instant,
    /// Whether the timeline is playing.
    pub playing: bool,
    /// Playback speed (1.0 = the scale below).
    pub speed: f64,
    /// The frame shown in the packet detail panel.
    pub selected: Option<FrameId>,
    /// The runs, or why they failed.
    pub runs: Rc<Result<Runs, String>>,
    /// End of the timeline: the interesting part of the main run.
    pub span: Instant,
    /// Event times up to `span`, for stepping.
    pub times: Rc<Vec<Instant>>,
    /// Network time per second of animation at 1x, in nanoseconds (a 1-2-5 number).
    pub scale_ns: u64,
    /// What was clamped or ignored when reading the parameters.
    pub warnings: Vec<String>,
    /// Which figure on the page this is, for the runner (see [`runner::compute`]).
    pub owner: u64,
    /// How far the runs for the current parameters have got while they are being computed
    /// (the previous runs stay on screen meanwhile).
    pub pending: Option<Progress>,
    /// Slices computed for the pending runs so far (a progress bar appears after a few).
    pub passes: u32,
    /// The parameters and seed of the runs on screen, to go back to if the learner cancels.
    shown: Option<(ParamSet, u64)>,
    /// The time cursor and frame the URL asked for, applied when the first runs arrive.
    wanted_t: Option<Instant>,
    wanted_frame: Option<u32>,
    /// No runs have arrived yet.
    first: bool,
}

/// Slices after which a figure still computing shows its progress and a Cancel button.
pub const SHOW_PROGRESS_AFTER: u32 = 6;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// What a control asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Change one parameter (re-runs the simulation).
    SetParam(&'static str, ParamValue),
    /// Move the cursor.
    Seek(Instant),
    /// Toggle playback.
    TogglePlay,
    /// Change the playback speed.
    Speed(f64),
    /// Wall-clock milliseconds passed while playing.
    Tick(f64),
    /// Step to the previous event.
    Prev,
    /// Step to the next event.
    Next,
    /// Go to the start.
    Start,
    /// Go to the end.
    End,
    /// Show a frame in the detail panel (or none).
    Select(Option<FrameId>),
    /// Compute the next slice of the pending runs.
    Continue,
    /// Stop computing the pending runs and go back to the settings on screen.
    Cancel,
}

impl FigureState {
    /// The state for `kind` with the lesson's `block` parameters (already valid) and then the
    /// URL's `query` applied leniently; problems become `warnings`.
    pub fn new(
        kind: &'static FigureKind,
        block: &[(&str, &str)],
        block_seed: Option<u64>,
        query: &[(String, String)],
    ) -> FigureState {
        let preset = query
            .iter()
            .rev()
            .find(|(k, _)| k == "preset")
            .map(|(_, v)| v.as_str())
            .or_else(|| block.iter().find(|(k, _)| *k == "preset").map(|(_, v)| *v));
        let linked = super::linked_specs(kind, preset);
        let specs = &linked[..];
        let (mut params, mut problems) = ParamSet::apply_lenient(specs, block.iter().copied());
        let mut warnings: Vec<String> = problems.drain(..).map(|e| warning_for(&e.to_string())).collect();
        let mut seed = block_seed.unwrap_or(DEFAULT_SEED);
        let mut t = None;
        let mut frame = None;
        for (key, value) in query {
            match key.as_str() {
                "seed" => match value.trim().parse::<u64>() {
                    Ok(s) => seed = s,
                    Err(_) => warnings.push(format!("Ignored seed '{}': it must be a whole number.", clip(value))),
                },
                "t" => match value.trim().parse::<f64>() {
                    Ok(s) if s.is_finite() && s >= 0.0 => {
                        t = Some(Instant((s * 1e9).round().min(u64::MAX as f64) as u64))
                    }
                    _ => warnings.push(format!("Ignored t '{}': it must be a time in seconds.", clip(value))),
                },
                "frame" => match value.trim().parse::<u32>() {
                    Ok(n) if n >= 1 => frame = Some(n - 1),
                    _ => warnings.push(format!("Ignored frame '{}': it must be a frame number from 1.", clip(value))),
                },
                "caption" | "embed" => {}
                _ => {
                    let (applied, errors) = ParamSet::apply_lenient(specs, [(key.as_str(), value.as_str())]);
                    if let Some(v) = applied.get(key) {
                        if errors.is_empty() || matches!(errors[0], wirewise_sim::params::ParamError::OutOfRange { .. })
                        {
                            params.set(specs, key, v.clone());
                        }
                    }
                    warnings.extend(errors.iter().map(|e| warning_for(&e.to_string())));
                }
            }
        }
        let mut state = FigureState {
            kind,
            params,
            seed,
            t: Instant::ZERO,
            playing: false,
            speed: 1.0,
            selected: None,
            runs: Rc::new(Err(String::new())),
            span: Instant::ZERO,
            times: Rc::new(Vec::new()),
            scale_ns: 1,
            warnings,
            owner: NEXT_OWNER.fetch_add(1, Ordering::Relaxed),
            pending: None,
            passes: 0,
            shown: None,
            wanted_t: t,
            wanted_frame: frame,
            first: true,
        };
        state.rerun();
        state
    }

    /// Runs the simulation for the current parameters and seed, for one slice of wall time;
    /// if that is not enough, `pending` says how far it got and [`Action::Continue`] goes on.
    fn rerun(&mut self) {
        let (name, params, seed) = (self.kind.name, self.params.clone(), self.seed);
        match runner::compute(self.owner, || run_kind(name, &params, seed)) {
            Computed::Pending(p) => self.pending = Some(p),
            Computed::Done(runs) => {
                self.pending = None;
                self.passes = 0;
                self.install(runs);
            }
        }
    }

    /// Show `runs`: the timeline's span and steps, and the cursor and frame kept or clamped.
    fn install(&mut self, runs: Result<Runs, String>) {
        let (span, times) = match &runs {
            // The comparison runs share the timeline, so it lasts until the longest ends.
            Ok(r) if super::shows_whole_run(self.kind.name) => (r.main.trace.end, r.main.trace.event_times()),
            Ok(r) => (
                r.others.iter().map(|o| interesting_end(&o.trace)).fold(interesting_end(&r.main.trace), Instant::max),
                r.main.trace.event_times(),
            ),
            Err(_) => (Instant::ZERO, Vec::new()),
        };
        self.span = span;
        self.times = Rc::new(times.into_iter().filter(|t| *t <= span).collect());
        self.scale_ns = nice_scale(span.0 as f64 / PLAY_SECONDS);
        self.runs = Rc::new(runs);
        self.shown = Some((self.params.clone(), self.seed));
        let first = std::mem::replace(&mut self.first, false);
        self.t = match self.wanted_t.take() {
            Some(t) if t > span => {
                self.warnings
                    .push(format!("Moved t to the end of the run ({}).", crate::widgets::format::duration(span.0)));
                span
            }
            Some(t) => t,
            None if first => span,
            None => self.t.min(span),
        };
        if let (Some(f), Ok(runs)) = (self.wanted_frame.take(), self.runs.as_ref()) {
            if (f as usize) < runs.main.trace.frames.len() {
                self.selected = Some(f);
            } else {
                self.warnings.push(format!(
                    "Ignored frame {}: this run has {} frames.",
                    f + 1,
                    runs.main.trace.frames.len()
                ));
            }
        }
        if let (Some(f), Ok(r)) = (self.selected, self.runs.as_ref()) {
            if f as usize >= r.main.trace.frames.len() {
                self.selected = None;
            }
        }
    }

    /// Stop computing the pending runs: back to the settings whose runs are on screen, or,
    /// before any run arrived, a message saying so.
    fn cancel(&mut self) {
        let Some(progress) = self.pending.take() else { return };
        runner::forget(self.owner);
        self.passes = 0;
        let stopped = wirewise_sim::budget::Exceeded {
            limit: wirewise_sim::budget::Limit::Cancelled,
            max: 0,
            at: progress.now,
            stop: progress.stop,
        };
        match self.shown.clone() {
            Some((params, seed)) => {
                self.params = params;
                self.seed = seed;
                self.warnings.push(format!("Cancelled: {stopped}. The figure shows the settings before."));
            }
            None => {
                self.first = false;
                self.runs = Rc::new(Err(format!("Cancelled: {stopped}.")));
            }
        }
    }

    /// The query that reproduces this state: non-default parameters, seed, t and the frame
    /// open in the packet detail panel (1-based, as the panel numbers it).
    pub fn query(&self) -> Vec<(String, String)> {
        let linked = super::linked_specs(self.kind, Some(self.params.choice("preset")));
        let mut q = self.params.non_default_pairs(&linked);
        q.push(("seed".into(), self.seed.to_string()));
        q.push(("t".into(), seconds(self.t)));
        if let Some(f) = self.selected {
            q.push(("frame".into(), (f + 1).to_string()));
        }
        q
    }

    /// The figure page for this state, as a hash.
    pub fn figure_href(&self) -> String {
        Route::Figure { kind: self.kind.name.into(), query: self.query() }.href()
    }

    /// The embed page for this state, as a hash.
    pub fn embed_href(&self) -> String {
        format!("#/embed/{}?{}", self.kind.name, format_query(&self.query()))
    }
}

impl Reducible for FigureState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetParam(name, value) => {
                let before = s.params.clone();
                s.params.set(s.kind.params, name, value);
                if s.params == before {
                    return self;
                }
                if name == "preset" {
                    // A new scenario brings its own slider settings.
                    let preset = s.params.choice("preset").to_string();
                    let chosen = s.params.get("preset").cloned();
                    s.params = ParamSet::defaults(&super::linked_specs(s.kind, Some(&preset)));
                    if let Some(v) = chosen {
                        s.params.set(s.kind.params, "preset", v);
                    }
                }
                s.rerun();
            }
            Action::Seek(t) => {
                s.t = t.min(s.span);
                s.playing = false;
            }
            Action::TogglePlay => {
                let on = !s.playing;
                start_or_stop(&mut s, on);
            }
            Action::Speed(x) => s.speed = x.clamp(0.1, 10.0),
            Action::Tick(wall_ms) => {
                if !s.playing {
                    return self;
                }
                let step = (wall_ms.clamp(0.0, 100.0) / 1000.0) * s.speed * s.scale_ns as f64;
                s.t = Instant(s.t.0.saturating_add(step as u64)).min(s.span);
                if s.t >= s.span {
                    s.playing = false;
                }
            }
            Action::Prev => {
                s.playing = false;
                let i = s.times.partition_point(|x| *x < s.t);
                s.t = if i == 0 { Instant::ZERO } else { s.times[i - 1] };
            }
            Action::Next => {
                s.playing = false;
                let i = s.times.partition_point(|x| *x <= s.t);
                s.t = s.times.get(i).copied().unwrap_or(s.span);
            }
            Action::Start => {
                s.playing = false;
                s.t = Instant::ZERO;
            }
            Action::End => {
                s.playing = false;
                s.t = s.span;
            }
            Action::Select(f) => s.selected = f,
            Action::Continue => {
                if s.pending.is_none() {
                    return self;
                }
                s.passes = s.passes.saturating_add(1);
                s.rerun();
            }
            Action::Cancel => s.cancel(),
        }
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

fn start_or_stop(s: &mut FigureState, on: bool) {
    if on && s.t >= s.span {
        s.t = Instant::ZERO;
    }
    s.playing = on && s.span > Instant::ZERO;
}

fn warning_for(error: &str) -> String {
    format!("Parameter problem: {error}. The figure uses the nearest allowed value or the default.")
}

/// Seconds with up to nine decimals and no trailing zeros, for URLs.
pub fn seconds(t: Instant) -> String {
    let s = format!("{}.{:09}", t.0 / 1_000_000_000, t.0 % 1_000_000_000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Where a timeline over `trace` should end: a little after the last frame arrives or the
/// last application event, whichever is later (so long timers such as TIME-WAIT do not
/// stretch the timeline to a minute of nothing).
pub fn interesting_end(trace: &Trace) -> Instant {
    let last_frame = trace.transmissions().iter().map(|x| x.end).max().unwrap_or(Instant::ZERO);
    let last_app = trace
        .events
        .iter()
        .rev()
        .find(|e| {
            matches!(e.kind, EventKind::App { .. } | EventKind::TcpState { .. })
                && e.t <= last_frame.max(Instant(1)) + wirewise_sim::time::Duration::from_secs(1)
        })
        .map(|e| e.t)
        .unwrap_or(Instant::ZERO);
    let end = last_frame.max(last_app);
    if end == Instant::ZERO {
        trace.end
    } else {
        end + wirewise_sim::time::Duration(end.0 / 25)
    }
}

/// The 1-2-5 number at or above `ns` (at least 1 µs).
pub fn nice_scale(ns: f64) -> u64 {
    let ns = ns.max(1000.0);
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            let v = base.saturating_mul(m);
            if v as f64 >= ns || v == u64::MAX {
                return v;
            }
        }
        base = base.saturating_mul(10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn the_open_frame_round_trips_through_the_query() {
        let kind = super::super::specs::find_kind("call-cost").unwrap();
        let state = FigureState::new(kind, &[], None, &q(&[("frame", "3"), ("t", "0.05")]));
        assert!(state.runs.is_ok(), "{:?}", state.runs);
        assert_eq!(state.selected, Some(2));
        assert!(state.warnings.is_empty(), "{:?}", state.warnings);
        let back = FigureState::new(kind, &[], None, &state.query());
        assert_eq!((back.selected, back.t, back.seed), (state.selected, state.t, state.seed));

        let bad = FigureState::new(kind, &[], None, &q(&[("frame", "9999")]));
        assert_eq!(bad.selected, None);
        assert_eq!(bad.warnings.len(), 1, "{:?}", bad.warnings);
        let zero = FigureState::new(kind, &[], None, &q(&[("frame", "0")]));
        assert_eq!((zero.selected, zero.warnings.len()), (None, 1));
    }

    #[test]
    fn scales_are_1_2_5() {
        assert_eq!(nice_scale(30e6), 50_000_000);
        assert_eq!(nice_scale(100e6), 100_000_000);
        assert_eq!(nice_scale(101e6), 200_000_000);
        assert_eq!(nice_scale(1.0), 1000);
    }

    #[test]
    fn seconds_are_short() {
        assert_eq!(seconds(Instant(1_500_000_000)), "1.5");
        assert_eq!(seconds(Instant(0)), "0");
        assert_eq!(seconds(Instant(50_000)), "0.00005");
    }
}
