//! `handshake-ladder`: the three-way handshake as a ladder, in one of seven cases (clean, the
//! first SYN lost, the first SYN-ACK lost, a closed port answering RST, TCP Fast Open's two
//! visits, a simultaneous open, a simultaneous close), with sequence and acknowledgment numbers
//! relative or as on the wire. Above the ladder, each side's state
//! changes so far, read from the trace's `TcpState` events.

use super::runner::{run_preset, with_absolute_labels};
use super::state_diagram::{connection_chains, side_history, Side, Step};
use super::Runs;
use crate::widgets::format;
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{AppCall, EventKind, Trace};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real TCP segments with Linux 6.x options (MSS, SACK, timestamps, window scale), real \
     bytes and Linux's 1 s initial SYN and SYN-ACK timeouts. One client, one server, one link; a lost packet \
     is removed by a fault rule. The server's LISTEN belongs to its listening socket and its SYN-RECEIVED to \
     the connection Linux creates for the SYN, shown together as one lane. In the simultaneous cases both ends act \
     at exactly the same instant, which real hosts rarely manage; the exchange is the same whenever each SYN (or FIN) \
     leaves before the other one arrives.";

/// The preset behind each case.
pub fn preset_of(case: &str) -> &'static str {
    match case {
        "lost-syn" => "lost-syn",
        "lost-synack" => "lost-synack",
        "closed-port" => "closed-port",
        "tfo" => "tfo",
        "simultaneous-open" => "simultaneous-open",
        "simultaneous-close" => "simultaneous-close",
        _ => "handshake",
    }
}

/// Runs the case's preset; with `numbers = absolute` the ladder labels carry wire numbers.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let main = run_preset(preset_of(params.choice("case")), &[("rtt", params.num("rtt").to_string())], seed)?;
    let main = if params.choice("numbers") == "absolute" { with_absolute_labels(main) } else { main };
    Ok(Runs { main, others: Vec::new() })
}

/// connect()'s result at `t`, read from the trace: when it returned, and its error if any.
pub fn connect_result(trace: &Trace, t: Instant) -> Option<(Instant, Option<String>)> {
    trace.events[..trace.count_until(t)].iter().find_map(|e| match &e.kind {
        EventKind::App { call: AppCall::ConnectDone { result, .. }, .. } => Some((e.t, result.as_ref().err().cloned())),
        _ => None,
    })
}

fn history_line(trace: &Trace, side: Side, t: Instant) -> Html {
    let chains = connection_chains(side_history(trace, side, t));
    let many = chains.len() > 1;
    let line = |label: String, steps: &[Step]| {
        html! {
            <li class={classes!("ww-states", side.class())}>
                <strong>{ format!("{label}: ") }</strong>
                if steps.is_empty() {
                    { "CLOSED" }
                }
                { for steps.iter().enumerate().map(|(i, s)| html! {
                    <>
                        if i == 0 { <span>{ s.from.name() }</span> }
                        { " → " }
                        <span class={classes!((i + 1 == steps.len()).then_some("ww-state-now"))}>{ s.to.name() }</span>
                        <small>{ format!(" ({})", format::duration(s.t.0)) }</small>
                    </>
                }) }
            </li>
        }
    };
    if chains.is_empty() {
        return line(side.label(trace), &[]);
    }
    html! {
        { for chains.iter().enumerate().map(|(i, c)| {
            let label = if many { format!("{}, connection {}", side.label(trace), i + 1) } else { side.label(trace) };
            line(label, c)
        }) }
    }
}

/// Every completed exchange's time from its start to its last response byte, up to `t`.
fn exchange_times(trace: &Trace, t: Instant) -> Vec<u64> {
    trace.events[..trace.count_until(t)]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Exchange { latency, .. }, .. } => Some(latency.0),
            _ => None,
        })
        .collect()
}

/// The state changes of both sides so far and connect()'s outcome.
pub fn view(runs: &Runs, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let outcome = if both_connect(trace) { connect_results(trace, t) } else { one_outcome(trace, t) };
    let exchanges = exchange_times(trace, t);
    html! {
        <div class="ww-handshake-states" aria-live="polite">
            <ul>
                { history_line(trace, Side::Client, t) }
                { history_line(trace, Side::Server, t) }
            </ul>
            <p>{ outcome }</p>
            if exchanges.len() > 1 {
                <p class="ww-exchanges">
                    { format!("Request to response, per connection: {}.",
                        exchanges.iter().map(|ns| format::duration(*ns)).collect::<Vec<_>>().join(", then ")) }
                </p>
            }
        </div>
    }
}

/// Whether more than one host calls connect() (a simultaneous open).
fn both_connect(trace: &Trace) -> bool {
    let mut nodes = trace.events.iter().filter_map(|e| match &e.kind {
        EventKind::App { node, call: AppCall::Connect { .. } } => Some(*node),
        _ => None,
    });
    nodes.next().is_some_and(|first| nodes.any(|n| n != first))
}

/// Each host's connect() result by `t`, when both ends called connect().
fn connect_results(trace: &Trace, t: Instant) -> String {
    let start = start_of(trace);
    let done: Vec<String> = trace.events[..trace.count_until(t)]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { node, call: AppCall::ConnectDone { result, .. } } => {
                let who = trace.nodes.get(*node as usize).map_or("?", |n| n.name.as_str());
                let err = result.as_ref().err().map(String::as_str);
                Some(connect_text(&format!("{who}'s connect()"), err, e.t.0.saturating_sub(start.0)))
            }
            _ => None,
        })
        .collect();
    if done.is_empty() {
        "Both sides called connect(); neither has returned yet.".to_string()
    } else {
        format!("Both sides called connect(): {}.", done.join("; "))
    }
}

/// connect()'s outcome when one side called it.
fn one_outcome(trace: &Trace, t: Instant) -> String {
    match connect_result(trace, t) {
        None => "connect() has not returned yet.".to_string(),
        Some((at, err)) => {
            format!("{}.", connect_text("connect()", err.as_deref(), at.0.saturating_sub(start_of(trace).0)))
        }
    }
}

/// "`call` returned after …" or "`call` failed with ERRNO after …".
fn connect_text(call: &str, err: Option<&str>, after_ns: u64) -> String {
    let after = format::duration(after_ns);
    match err {
        None => format!("{call} returned after {after}"),
        Some(err) => format!("{call} failed with {err} after {after}"),
    }
}

/// When the client called connect().
fn start_of(trace: &Trace) -> Instant {
    trace
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Connect { .. }, .. } => Some(e.t),
            _ => None,
        })
        .unwrap_or(Instant::ZERO)
}
