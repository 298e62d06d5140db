//! `connection-cost`: a race to the first response byte of one HTTPS-style request, over
//! TCP + TLS 1.2, TCP + TLS 1.3, TCP + TLS 1.3 with 0-RTT resumption, TCP Fast Open + TLS 1.3,
//! QUIC and QUIC 0-RTT. Each is a run of the `tls` or `quic` preset at the same round-trip
//! time; the bars read each run's last `FirstByte` event (a Fast Open run visits twice) and
//! fill as the cursor moves, counted from each connection's connect(). The ladder below shows
//! the protocol picked in `ladder`.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::styled::{width_style, Styled};
use std::rc::Rc;
use wirewise_sim::params::ParamSet;
use wirewise_sim::summary::{first_byte, round_trips};
use wirewise_sim::time::Instant;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "TCP is real (Linux 6.x segments and timers, TCP Fast Open as in RFC 7413 and Linux's \
     tcp_fastopen.c). TLS and QUIC are message-level models: real record and packet framing with realistic \
     message sizes (certificate chain, tickets), but no real cryptography, and the server answers the instant a \
     request is complete. 0-RTT assumes a ticket from an earlier visit. The Fast Open run makes that earlier \
     visit itself: its first connection fetches the cookie, and its bar is the second connection.";

/// One protocol in the race: its key in `ladder`, label, preset and the preset's parameters.
type Entry = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The protocols in the race.
pub const ENTRIES: &[Entry] = &[
    ("tls1.2", "TCP + TLS 1.2", "tls", &[("version", "1.2")]),
    ("tls1.3", "TCP + TLS 1.3", "tls", &[("version", "1.3")]),
    ("tls1.3-0rtt", "TCP + TLS 1.3, 0-RTT resumption", "tls", &[("version", "1.3-0rtt")]),
    ("tfo-tls1.3", "TCP Fast Open + TLS 1.3", "tls", &[("version", "1.3"), ("fast_open", "on")]),
    ("quic", "QUIC", "quic", &[("zero_rtt", "off")]),
    ("quic-0rtt", "QUIC, 0-RTT resumption", "quic", &[("zero_rtt", "on")]),
];

fn run_entry(i: usize, rtt: f64, seed: u64) -> Result<Rc<Run>, String> {
    let (_, _, preset, pairs) = ENTRIES[i];
    let mut all: Vec<(&str, String)> = vec![("rtt", rtt.to_string())];
    all.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
    run_preset(preset, &all, seed)
}

/// Runs every entry; `main` is the one named by `ladder`, `others` all of them in order.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let rtt = params.num("rtt");
    let others = (0..ENTRIES.len()).map(|i| run_entry(i, rtt, seed)).collect::<Result<Vec<_>, _>>()?;
    let pick = ENTRIES.iter().position(|e| e.0 == params.choice("ladder")).unwrap_or(1);
    Ok(Runs { main: others[pick].clone(), others })
}

/// The race at `t`.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let rtt = params.num("rtt");
    // Every bar counts from its own connect(): the Fast Open run's second visit starts after
    // its first one, so the run's clock would start it late.
    let results: Vec<Option<u64>> = runs.others.iter().map(|r| first_byte(&r.trace).map(|(_, l)| l.0)).collect();
    let max = results.iter().flatten().copied().max().unwrap_or(1).max(1);
    let pick = params.choice("ladder");
    let rows = ENTRIES.iter().zip(&results).map(|((key, label, _, _), ns)| {
        let Some(ns) = *ns else {
            return html! {
                <div class="ww-bar-row"><div class="ww-bar-label">{ *label }</div>
                <div class="ww-bar-value">{ "no response in this run" }</div></div>
            };
        };
        let pct = ns as f64 / max as f64 * 100.0;
        let progress = (t.0 as f64 / ns as f64).min(1.0);
        let trips = round_trips(wirewise_sim::time::Duration(ns), rtt);
        let arrived = t.0 >= ns;
        html! {
            <div class={classes!("ww-bar-row", "ww-race-row", (*key == pick).then_some("ww-race-picked"))} data-entry={*key}>
                <div class="ww-bar-label">
                    { *label }
                    if *key == pick { <small>{ " (in the ladder)" }</small> }
                </div>
                <div class="ww-bar-track" aria-hidden="true">
                    <Styled class="ww-bar ww-race-bar" style={width_style(pct, 3)} />
                    <Styled class="ww-bar-progress" style={width_style(progress * pct, 0)} />
                </div>
                <div class="ww-bar-value" data-trips={trips.to_string()}>
                    { format!("{} round trip{} · {}", trips, if trips == 1 { "" } else { "s" }, format::duration(ns)) }
                    if arrived { { " ✓" } }
                </div>
            </div>
        }
    });
    html! {
        <div class="ww-compare ww-race" role="group" aria-label="Time to the first response byte">
            { for rows }
            <p class="ww-compare-note">
                { format!(
                    "Each bar is time from connect() (or QUIC's first packet) to the first byte of the response at a {} round trip, counted from its own start; ✓ marks those that would have arrived by the cursor. The Fast Open bar is a second visit: the first one fetched the cookie.",
                    format::with_unit(rtt, "ms")
                ) }
            </p>
        </div>
    }
}
