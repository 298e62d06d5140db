//! `nagle`: write, write, read. A client sends each request as two small writes and waits for
//! the reply. With Nagle's algorithm on, the second write waits for the ACK of the first, which
//! the server delays by 40 ms because it has nothing to send yet: about 40 ms per iteration on
//! Linux. The figure runs the `nagle` preset twice, as chosen and with TCP_NODELAY flipped, and
//! compares the time of every iteration.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::styled::{width_style, Styled};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{AppCall, EventKind, Trace};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real segments, Linux 6.x's Nagle test (tcp_nagle_check, with Minshall's variant) and its \
     delayed-ACK timer (40 ms minimum, quick ACKs at the start of a connection; it fires at the kernel tick after \
     its time, 40-44 ms at HZ=250), on one link with no loss. The \
     server replies as soon as the whole request is in; its reply carries the ACK the client was waiting for. \
     Not modelled: TCP_QUICKACK and the delayed-ACK timeout growing with the measured RTT on long paths.";

fn pairs(params: &ParamSet, nodelay: bool) -> Vec<(&'static str, String)> {
    vec![
        ("nodelay", if nodelay { "on" } else { "off" }.to_string()),
        ("nagle", params.choice("nagle").to_string()),
        ("rtt", params.num("rtt").to_string()),
        ("iterations", params.num("iterations").to_string()),
        ("first", params.num("first").to_string()),
        ("second", params.num("second").to_string()),
        ("hz", params.choice("hz").to_string()),
    ]
}

/// Runs the client as chosen (main) and with TCP_NODELAY the other way round.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let nodelay = params.flag("nodelay");
    let main = run_preset("nagle", &pairs(params, nodelay), seed)?;
    let other = run_preset("nagle", &pairs(params, !nodelay), seed)?;
    Ok(Runs { main, others: vec![other] })
}

/// Each finished iteration: when it finished and how long it took, in ns, read from the
/// client's `Exchange` events.
pub fn iterations(trace: &Trace) -> Vec<(Instant, u64)> {
    trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Exchange { latency, .. }, .. } => Some((e.t, latency.0)),
            _ => None,
        })
        .collect()
}

/// The mean of the iteration times, in ns.
pub fn mean_ns(its: &[(Instant, u64)]) -> Option<u64> {
    (!its.is_empty()).then(|| its.iter().map(|(_, ns)| ns).sum::<u64>() / its.len() as u64)
}

fn label(nodelay: bool, variant: &str) -> String {
    if nodelay {
        "TCP_NODELAY (Nagle off)".to_string()
    } else if variant == "rfc" {
        "Nagle on (RFC 896 form)".to_string()
    } else {
        "Nagle on (Linux, Minshall form)".to_string()
    }
}

fn run_rows(run: &Run, name: String, class: &'static str, t: Instant, max_ns: u64) -> Html {
    let its = iterations(&run.trace);
    let done: Vec<&(Instant, u64)> = its.iter().filter(|(at, _)| *at <= t).collect();
    let mean = mean_ns(&its);
    html! {
        <div class={classes!("ww-nagle-run", class)}>
            <p class="ww-nagle-head">
                <strong>{ name }</strong>
                { format!(": {} of {} iterations done", done.len(), its.len()) }
                if let Some(m) = mean {
                    { format!(" · {} per iteration (whole run)", format::duration(m)) }
                }
            </p>
            <ol class="ww-nagle-bars">
                { for done.iter().enumerate().map(|(i, (_, ns))| {
                    let pct = (*ns as f64 / max_ns.max(1) as f64 * 100.0).clamp(0.0, 100.0);
                    html! {
                        <li>
                            <span class="ww-nagle-i">{ format!("#{}", i + 1) }</span>
                            <span class="ww-bar-track" aria-hidden="true">
                                <Styled tag="span" class="ww-bar" style={width_style(pct, 2)} />
                            </span>
                            <span class="ww-nagle-ms">{ format::duration(*ns) }</span>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

/// Iteration times of both runs up to the cursor, and the ratio of their means.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let nodelay = params.flag("nodelay");
    let variant = params.choice("nagle");
    let Some(other) = runs.others.first() else { return Html::default() };
    let (a, b) = (iterations(&runs.main.trace), iterations(&other.trace));
    let max = a.iter().chain(b.iter()).map(|(_, ns)| *ns).max().unwrap_or(1);
    let (with_nagle, without) = if nodelay { (mean_ns(&b), mean_ns(&a)) } else { (mean_ns(&a), mean_ns(&b)) };
    let summary = match (with_nagle, without) {
        (Some(n), Some(d)) if d > 0 => format!(
            "With Nagle each write-write-read takes {} against {} with TCP_NODELAY: {}× as long. \
             Almost all of it is the server's delayed-ACK timer.",
            format::duration(n),
            format::duration(d),
            format::significant(n as f64 / d as f64, 2)
        ),
        _ => "The client did not finish its iterations in this run.".to_string(),
    };
    html! {
        <div class="ww-nagle" role="group" aria-label="Time per iteration, with and without Nagle">
            { run_rows(&runs.main, format!("This run: {}", label(nodelay, variant)), "ww-nagle-main", t, max) }
            { run_rows(other, format!("Compared with: {}", label(!nodelay, variant)), "ww-nagle-other", t, max) }
            <p class="ww-compare-note" aria-live="polite">{ summary }</p>
        </div>
    }
}
