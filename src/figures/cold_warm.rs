//! `cold-warm`: the same response fetched on a new connection and on a pooled one whose
//! window already grew, counted in round trips. Both runs of the `cold-warm` preset make two
//! requests; the second is the one compared. The ladder shows the run the learner picks.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::styled::{width_style, Styled};
use wirewise_sim::fetch::{fetches, segments_per_round, Fetch};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::{Duration, Instant};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real segments, Linux 6.x CUBIC with an initial window of 10 segments, delayed ACKs and \
     tcp_slow_start_after_idle, on one link with no loss and no TLS. Segments are counted per round trip from \
     the first response segment, so a round ends on the clock, not on an ACK. Not modelled: Linux's \
     per-destination metrics cache (tcp_metrics), which can start a new connection with an earlier one's \
     ssthresh.";

fn pairs(params: &ParamSet, connection: &str) -> Vec<(&'static str, String)> {
    vec![
        ("connection", connection.to_string()),
        ("rtt", params.num("rtt").to_string()),
        ("bandwidth", params.num("bandwidth").to_string()),
        ("kilobytes", params.num("kilobytes").to_string()),
        ("idle", params.num("idle").to_string()),
        ("ssai", if params.flag("ssai") { "on" } else { "off" }.to_string()),
    ]
}

/// Runs the pooled and the new connection; `main` (the ladder's) is the one `ladder` picks.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let warm = run_preset("cold-warm", &pairs(params, "warm"), seed)?;
    let cold = run_preset("cold-warm", &pairs(params, "cold"), seed)?;
    Ok(if params.choice("ladder") == "cold" {
        Runs { main: cold, others: vec![warm] }
    } else {
        Runs { main: warm, others: vec![cold] }
    })
}

struct Lane {
    fetch: Fetch,
    rounds: Vec<u32>,
}

fn lane(run: &Run, rtt: Duration) -> Option<Lane> {
    let f = *fetches(&run.trace).get(1)?;
    Some(Lane { rounds: segments_per_round(&run.trace, &f, rtt), fetch: f })
}

fn row(name: &str, detail: &str, l: &Lane, rtt: Duration, max: u64, t: Instant, class: &'static str) -> Html {
    let took = l.fetch.took().0;
    let pct = took as f64 / max.max(1) as f64 * 100.0;
    let progress = if t <= l.fetch.start { 0.0 } else { ((t - l.fetch.start).0 as f64 / took.max(1) as f64).min(1.0) };
    let rtts = took as f64 / rtt.0.max(1) as f64;
    let rounds = l.rounds.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    html! {
        <div class={classes!("ww-bar-row", class)}>
            <div class="ww-bar-label">{ name }<small>{ detail }</small></div>
            <div class="ww-bar-track" aria-hidden="true">
                <Styled class="ww-bar" style={width_style(pct, 3)} />
                <Styled class="ww-bar-progress" style={width_style(progress * pct, 0)} />
            </div>
            <div class="ww-bar-value">
                { format!("{} · {} RTT", format::duration(took), format::significant(rtts, 2)) }
                <small class="ww-cw-rounds">{ format!("segments per round trip: {rounds}") }</small>
            </div>
        </div>
    }
}

/// The two fetch times as bars filling with the cursor, and the segments per round trip.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let rtt = Duration((params.num("rtt") * 1e6).round() as u64);
    let cold_is_main = params.choice("ladder") == "cold";
    let Some(other) = runs.others.first() else { return Html::default() };
    let (cold_run, warm_run) = if cold_is_main { (&runs.main, other) } else { (other, &runs.main) };
    let (Some(cold), Some(warm)) = (lane(cold_run, rtt), lane(warm_run, rtt)) else {
        return html! { <p class="ww-error" role="alert">{ "A fetch did not finish in this run: try a longer run or a smaller response." }</p> };
    };
    let max = cold.fetch.took().0.max(warm.fetch.took().0);
    let idle = params.num("idle");
    let restarted = params.flag("ssai") && warm.rounds.first().is_some_and(|n| *n <= 10);
    let note = if restarted {
        format!(
            "The pooled connection sat idle for {} ms, longer than its retransmission timeout, so Linux cut its \
             window back to 10 segments (tcp_slow_start_after_idle): it skips only the handshake.",
            format::thousands(idle.round() as u64)
        )
    } else {
        format!(
            "The new connection spends a round trip on the handshake and then slow-starts from 10 segments; the \
             pooled one sends at once with the window it already has, saving {}.",
            format::duration(cold.fetch.took().0.saturating_sub(warm.fetch.took().0))
        )
    };
    html! {
        <div class="ww-compare" role="group" aria-label="Time to fetch the response, new against pooled connection">
            { row("New connection (cold)", " handshake, then slow start", &cold, rtt, max, t, "ww-bar-remote") }
            { row("Pooled connection (warm)", " window already grown", &warm, rtt, max, t, "ww-bar-loopback") }
            <p class="ww-compare-note">{ note }</p>
        </div>
    }
}
