//! Interactive figures: a registry of kinds ([`specs`]), the state every figure shares
//! ([`state`]), the frame around it ([`shell`]) and one module per kind, named after what it
//! shows. A kind module runs the simulation for its parameters and draws what is particular
//! to it; the shell adds controls, timeline, ladder, packet detail, event log and sharing.

pub mod call_cost;
pub mod close_wait;
pub mod cold_warm;
pub mod connection_cost;
pub mod cwnd_lab;
pub mod encapsulation;
pub mod handshake;
pub mod handshake_ladder;
pub mod hol_blocking;
pub mod hop_by_hop;
pub mod host_to_host;
pub mod kernel_queues;
pub mod nagle;
pub mod pmtud;
pub mod runner;
pub mod shell;
pub mod sliding_window;
pub mod source_ports;
pub mod specs;
pub mod state;
pub mod state_diagram;
pub mod subnets;
pub mod udp;

use runner::Run;
use specs::FigureKind;
use std::rc::Rc;
use wirewise_sim::params::{ParamSet, ParamSpec};
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
        "handshake-ladder" => handshake_ladder::run(params, seed),
        "state-diagram" => state_diagram::run(params, seed),
        "connection-cost" => connection_cost::run(params, seed),
        "kernel-queues" => kernel_queues::run(params, seed),
        "encapsulation" => encapsulation::run(params, seed),
        "hop-by-hop" => hop_by_hop::run(params, seed),
        "subnets" => subnets::run(params, seed),
        "source-ports" => source_ports::run(params, seed),
        "close-wait" => close_wait::run(params, seed),
        "udp" => udp::run(params, seed),
        "pmtud" => pmtud::run(params, seed),
        "cwnd-lab" => cwnd_lab::run(params, seed),
        "sliding-window" => sliding_window::run(params, seed),
        "nagle" => nagle::run(params, seed),
        "cold-warm" => cold_warm::run(params, seed),
        "hol-blocking" => hol_blocking::run(params, seed),
        _ => Err(format!("there is no figure called '{}'", wirewise_sim::text::clip(kind))),
    }
}

/// The part of figure `kind` that is particular to it, at cursor `t`.
pub fn kind_view(kind: &str, runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    match kind {
        "call-cost" => call_cost::view(runs, params, t),
        "host-to-host" => host_to_host::view(runs, t),
        "handshake-ladder" => handshake_ladder::view(runs, t),
        "state-diagram" => state_diagram::view(runs, t),
        "connection-cost" => connection_cost::view(runs, params, t),
        "kernel-queues" => kernel_queues::view(runs, params, t),
        "encapsulation" => encapsulation::view(runs, params, t),
        "hop-by-hop" => hop_by_hop::view(runs, params, t),
        "subnets" => subnets::view(runs, params, t),
        "source-ports" => source_ports::view(runs, params, t),
        "close-wait" => close_wait::view(runs, params, t),
        "udp" => udp::view(runs, params, t),
        "pmtud" => pmtud::view(runs, params, t),
        "cwnd-lab" => cwnd_lab::view(runs, params, t),
        "sliding-window" => sliding_window::view(runs, params, t),
        "nagle" => nagle::view(runs, params, t),
        "cold-warm" => cold_warm::view(runs, params, t),
        "hol-blocking" => hol_blocking::view(runs, params, t),
        _ => Html::default(),
    }
}

/// What figure `kind` simplifies, in a sentence or two.
pub fn faithfulness(kind: &str) -> &'static str {
    match kind {
        "call-cost" => call_cost::FAITHFUL,
        "handshake" => handshake::FAITHFUL,
        "host-to-host" => host_to_host::FAITHFUL,
        "handshake-ladder" => handshake_ladder::FAITHFUL,
        "state-diagram" => state_diagram::FAITHFUL,
        "connection-cost" => connection_cost::FAITHFUL,
        "kernel-queues" => kernel_queues::FAITHFUL,
        "encapsulation" => encapsulation::FAITHFUL,
        "hop-by-hop" => hop_by_hop::FAITHFUL,
        "subnets" => subnets::FAITHFUL,
        "source-ports" => source_ports::FAITHFUL,
        "close-wait" => close_wait::FAITHFUL,
        "udp" => udp::FAITHFUL,
        "pmtud" => pmtud::FAITHFUL,
        "cwnd-lab" => cwnd_lab::FAITHFUL,
        "sliding-window" => sliding_window::FAITHFUL,
        "nagle" => nagle::FAITHFUL,
        "cold-warm" => cold_warm::FAITHFUL,
        "hol-blocking" => hol_blocking::FAITHFUL,
        _ => "",
    }
}

/// The parameter specs of `kind` with the defaults that hold for the scenario `preset`
/// chooses: for a kind with a `preset` parameter, each slider defaults to that simulation
/// preset's own value (so choosing a scenario resets the sliders, and URLs list only what
/// differs from it); for other kinds, the declared specs.
pub fn linked_specs(kind: &FigureKind, preset: Option<&str>) -> Vec<ParamSpec> {
    match (kind.name, preset) {
        ("kernel-queues" | "cwnd-lab", Some(p)) => with_preset_defaults(kind.params, p),
        _ => kind.params.to_vec(),
    }
}

/// The kind's specs with each slider defaulting to preset `name`'s own value.
pub fn with_preset_defaults(kind_params: &[ParamSpec], name: &str) -> Vec<ParamSpec> {
    let preset = wirewise_sim::presets::find(name);
    kind_params
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if let Some(own) = preset.and_then(|p| p.params.iter().find(|x| x.name == s.name)) {
                s.default = own.default.clone();
            }
            s
        })
        .collect()
}

/// Whether figure `kind`'s timeline runs to the end of its run rather than stopping soon after
/// the last packet: for figures about what long timers do, such as FIN-WAIT-2's 60 s, or
/// about what happens after the packets stop (connect() refused with no SYN sent).
pub fn shows_whole_run(kind: &str) -> bool {
    kind == "close-wait" || kind == "source-ports"
}

/// The controls of figure `kind` that do nothing with these values, hidden so a learner does
/// not move a slider that cannot change the picture.
pub fn inapplicable_params(kind: &str, params: &ParamSet) -> &'static [&'static str] {
    match kind {
        "encapsulation" => encapsulation::inapplicable(params),
        _ => &[],
    }
}

/// Whether figure `kind` shows the packet ladder: not for runs with hundreds of connections,
/// whose own view already shows each packet's fate, nor for runs whose packets are a few
/// milliseconds every few seconds (the ladder would be flat lines in a tall empty box).
pub fn shows_ladder(kind: &str) -> bool {
    kind != "kernel-queues" && kind != "close-wait"
}
