//! Interactive figures: a registry of kinds ([`specs`]), the state every figure shares
//! ([`state`]), the frame around it ([`shell`]) and one module per kind, named after what it
//! shows. A kind module runs the simulation for its parameters and draws what is particular
//! to it; the shell adds controls, timeline, ladder, packet detail, event log and sharing.

pub mod call_cost;
pub mod handshake;
pub mod host_to_host;
pub mod runner;
pub mod shell;
pub mod specs;
pub mod state;

use runner::Run;
use std::rc::Rc;
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use yew::Html;

/// The runs behind one figure: `main` drives the timeline and the ladder; `others` are
/// comparison runs a kind may show beside it.
#[derive(Debug, PartialEq, Eq)]
pub struct Runs {
    /// The run the timeline animates.
    pub main: Rc<Run>,
    /// Other runs of the same figure.
    pub others: Vec<Rc<Run>>,
}

/// Runs the simulation for figure `kind`.
pub fn run_kind(kind: &str, params: &ParamSet, seed: u64) -> Result<Runs, String> {
    match kind {
        "call-cost" => call_cost::run(params, seed),
        "handshake" => handshake::run(params, seed),
        "host-to-host" => host_to_host::run(params, seed),
        _ => Err(format!("there is no figure called '{kind}'")),
    }
}

/// The part of figure `kind` that is particular to it, at cursor `t`.
pub fn kind_view(kind: &str, runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    match kind {
        "call-cost" => call_cost::view(runs, params, t),
        "host-to-host" => host_to_host::view(runs, t),
        _ => Html::default(),
    }
}

/// What figure `kind` simplifies, in a sentence or two.
pub fn faithfulness(kind: &str) -> &'static str {
    match kind {
        "call-cost" => call_cost::FAITHFUL,
        "handshake" => handshake::FAITHFUL,
        "host-to-host" => host_to_host::FAITHFUL,
        _ => "",
    }
}
