//! `call-cost`: the same call made in-process, to a process on the same machine, and to a
//! server across a network. The remote and same-machine calls are two runs of the `rpc`
//! preset (the second with a 20 µs loopback-like round trip); the in-process call is an
//! estimate, said to be one.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::styled::{width_style, Styled};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{AppCall, EventKind, Trace};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real TCP handshake, Linux 6.x timings and real bytes. The server answers the instant \
     the request arrives; there is no TLS; the same-machine call is modelled as a 20 µs, 10 Gbit/s path \
     instead of the kernel's loopback device; the in-process call is an estimate (about 100 ns), not simulated.";

/// The round trip used for the same-machine run, in ms.
pub const LOOPBACK_RTT_MS: f64 = 0.02;

/// The bandwidth used for the same-machine run, in Mbit/s: loopback copies memory, so it is
/// far faster than a network link; this is the fastest link the preset allows.
pub const LOOPBACK_MBITS: f64 = 10000.0;

/// Rough cost of an in-process function call that does a little work: an estimate.
pub const IN_PROCESS_NS: u64 = 100;

fn pairs(params: &ParamSet, rtt: f64, mbits: f64) -> Vec<(&'static str, String)> {
    vec![
        ("rtt", rtt.to_string()),
        ("bandwidth", mbits.to_string()),
        ("request", params.num("request").to_string()),
        ("response", params.num("response").to_string()),
        ("reuse", if params.flag("reuse") { "on" } else { "off" }.to_string()),
        ("requests", "1".to_string()),
    ]
}

/// Runs the remote call (main) and the same-machine call.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let main = run_preset("rpc", &pairs(params, params.num("rtt"), params.num("bandwidth")), seed)?;
    let local = run_preset("rpc", &pairs(params, LOOPBACK_RTT_MS, LOOPBACK_MBITS), seed)?;
    Ok(Runs { main, others: vec![local] })
}

/// When the first call began and when its response was complete, read from the trace: it
/// began at the first `connect()` or, on a pooled connection, at the first write; it ended
/// at the first finished exchange.
pub fn first_call(trace: &Trace) -> Option<(Instant, Instant)> {
    let (done, latency) = trace.events.iter().find_map(|e| match &e.kind {
        EventKind::App { call: AppCall::Exchange { latency, .. }, .. } => Some((e.t, *latency)),
        _ => None,
    })?;
    let connect = trace.events.iter().find_map(|e| match &e.kind {
        EventKind::App { call: AppCall::Connect { .. }, .. } if e.t <= done => Some(e.t),
        _ => None,
    });
    let from_write = Instant(done.0.saturating_sub(latency.0));
    Some((connect.map_or(from_write, |c| c.min(from_write)), done))
}

fn bar(label: Html, ns: u64, max_ns: u64, detail: String, class: &'static str, progress: Option<f64>) -> Html {
    let pct = (ns as f64 / max_ns.max(1) as f64 * 100.0).clamp(0.0, 100.0);
    html! {
        <div class={classes!("ww-bar-row", class)}>
            <div class="ww-bar-label">{ label }</div>
            <div class="ww-bar-track" aria-hidden="true">
                <Styled class="ww-bar" style={width_style(pct, 3)} />
                if let Some(p) = progress {
                    <Styled class="ww-bar-progress" style={width_style(p * pct, 0)} />
                }
            </div>
            <div class="ww-bar-value">{ detail }</div>
        </div>
    }
}

/// `x` rounded to two significant digits (1,002,357 reads as 1,000,000).
fn two_significant(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 0.0;
    }
    let m = 10f64.powf(x.log10().floor() - 1.0).max(1.0);
    (x / m).round() * m
}

fn call_view(run: &Run, rtt_ms: f64) -> Option<(u64, String)> {
    let (start, end) = first_call(&run.trace)?;
    let ns = (end - start).0;
    let trips = ns as f64 / (rtt_ms * 1e6);
    Some((ns, format!("{} · {} round trips", format::duration(ns), format::significant(trips, 2))))
}

/// The comparison bars, with the remote bar filling up as the cursor moves.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let rtt = params.num("rtt");
    let Some((remote_ns, remote_text)) = call_view(&runs.main, rtt) else {
        return html! { <p class="ww-error" role="alert">{ "The remote run finished without a response." }</p> };
    };
    let local = runs.others.first().and_then(|r| call_view(r, LOOPBACK_RTT_MS));
    let progress = first_call(&runs.main.trace).map(|(s, e)| {
        if t <= s {
            0.0
        } else {
            ((t - s).0 as f64 / (e - s).0.max(1) as f64).min(1.0)
        }
    });
    let max = remote_ns.max(local.as_ref().map_or(0, |l| l.0));
    let ratio = two_significant(remote_ns as f64 / IN_PROCESS_NS as f64);
    let trips = (remote_ns as f64 / (rtt * 1e6)).round();
    html! {
        <div class="ww-compare" role="group" aria-label="Time to response">
            { bar(html! { <>{ "In-process function call" }<small>{ " (estimate)" }</small></> }, IN_PROCESS_NS, max,
                  "~100 ns".into(), "ww-bar-local", None) }
            if let Some((ns, text)) = local {
                { bar(html! { <>{ "Same machine" }<small>{ " (20 µs round trip, 10 Gbit/s)" }</small></> }, ns, max, text, "ww-bar-loopback", None) }
            }
            { bar(html! { <>{ "Across the network" }<small>{ format!(" ({} round trip)", format::with_unit(rtt, "ms")) }</small></> },
                  remote_ns, max, remote_text, "ww-bar-remote", progress) }
            <p class="ww-compare-note">
                { format!("The remote call takes about {} times as long as the in-process call. ", format::thousands(ratio as u64)) }
                if params.flag("reuse") {
                    { "The connection was already open, so only the request and its response cross the network." }
                } else if trips >= 2.0 {
                    { "One of those round trips is TCP's handshake, before the request can even leave: turn on connection reuse to skip it." }
                } else {
                    { "Part of it is TCP's handshake, before the request can even leave: turn on connection reuse to skip it." }
                }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::two_significant;

    #[test]
    fn ratios_read_as_round_numbers() {
        assert_eq!(two_significant(1_002_357.0), 1_000_000.0);
        assert_eq!(two_significant(2_760.0), 2_800.0);
        assert_eq!(two_significant(7.0), 7.0);
        assert_eq!(two_significant(0.0), 0.0);
    }
}
