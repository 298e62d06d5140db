//! `hol-blocking`: six requests on one HTTP/2-over-TCP connection beside six QUIC streams,
//! under the same single loss. Each stream is a swimlane: waiting for the response, bytes
//! that arrived but wait behind a hole (amber), and bytes delivered (filled), read from
//! `wirewise_sim::hol` timelines of the two `hol-blocking` runs.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use std::rc::Rc;
use wirewise_sim::hol::{timelines, Carrier, HolTimeline};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "TCP is real (Linux 6.x segments, fast retransmit and RACK). HTTP/2 frames are real \
     bytes (frame headers, HPACK static-table headers, DATA), but the server does not enforce flow control and \
     writes all six responses at once, round-robin. QUIC is a message-level model: real packet and frame \
     layout, no real cryptography or header protection, and a simplified loss recovery and congestion \
     control. The same loss means the same ordinal packet of response data in each run.";

fn run_one(transport: &str, params: &ParamSet, seed: u64) -> Result<Rc<Run>, String> {
    let pairs = vec![
        ("transport", transport.to_string()),
        ("lose", params.num("lose").to_string()),
        ("rtt", params.num("rtt").to_string()),
        ("response", params.num("response").to_string()),
    ];
    run_preset("hol-blocking", &pairs, seed)
}

/// Runs TCP and QUIC; `main` is the one named by `ladder`.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let others = vec![run_one("tcp", params, seed)?, run_one("quic", params, seed)?];
    let pick = usize::from(params.choice("ladder") == "quic");
    Ok(Runs { main: others[pick].clone(), others })
}

const W: f64 = 560.0;
const LANE: f64 = 22.0;
const LEFT: f64 = 70.0;

fn panel(h: &HolTimeline, end: Instant, t: Instant) -> Html {
    let name = match h.carrier {
        Carrier::Tcp => "HTTP/2 over one TCP connection",
        Carrier::Quic => "QUIC, six streams",
    };
    let span = end.0.max(1) as f64;
    let x = |at: Instant| LEFT + (at.0 as f64 / span).min(1.0) * (W - LEFT - 10.0);
    let height = LANE * h.streams.len() as f64 + 30.0;
    let lanes = h.streams.iter().enumerate().map(|(i, s)| {
        let y = 8.0 + i as f64 * LANE;
        let total = s.arrived.last().map(|a| a.1).unwrap_or(0).max(1);
        let req = s.requested.unwrap_or(Instant::ZERO);
        let stop = s.complete.unwrap_or(end).min(t);
        let waits = s.blocked().into_iter().filter(|(a, _)| *a <= t).map(|(a, b)| {
            let b = b.min(t);
            html! { <rect class="ww-hol-wait" x={format!("{:.1}", x(a))} y={format!("{:.1}", y + 2.0)}
                width={format!("{:.1}", (x(b) - x(a)).max(1.0))} height={format!("{:.1}", LANE - 8.0)} /> }
        });
        let delivered = s.delivered_at(t);
        let label = format!(
            "stream {}: {} of {} bytes delivered{}",
            s.stream,
            delivered,
            total,
            match s.complete {
                Some(c) if c <= t => format!(", complete at {}", format::duration(c.0)),
                _ => String::new(),
            }
        );
        html! {
            <g data-stream={s.stream.to_string()}>
                <title>{ label }</title>
                <text x="4" y={format!("{:.1}", y + LANE / 2.0 + 2.0)} class="ww-hol-label">{ format!("stream {}", s.stream) }</text>
                if t >= req {
                    <rect class="ww-hol-pending" x={format!("{:.1}", x(req))} y={format!("{:.1}", y + 2.0)}
                        width={format!("{:.1}", (x(stop.max(req)) - x(req)).max(1.0))} height={format!("{:.1}", LANE - 8.0)} />
                }
                { for waits }
                if let Some(c) = s.complete.filter(|c| *c <= t) {
                    <line class="ww-hol-done" x1={format!("{:.1}", x(c))} x2={format!("{:.1}", x(c))}
                        y1={format!("{:.1}", y)} y2={format!("{:.1}", y + LANE - 4.0)} />
                }
                <rect class="ww-hol-delivered" x={format!("{:.1}", LEFT)} y={format!("{:.1}", y + LANE - 6.0)}
                    width={format!("{:.1}", (W - LEFT - 10.0) * delivered as f64 / total as f64)} height="3" />
            </g>
        }
    });
    let losses = h.losses.iter().filter(|l| l.t <= t).map(|l| {
        html! { <line class="ww-hol-loss" x1={format!("{:.1}", x(l.t))} x2={format!("{:.1}", x(l.t))}
        y1="4" y2={format!("{:.1}", height - 22.0)} /> }
    });
    let done = h.done().map(|d| format::duration(d.0)).unwrap_or_else(|| "not finished".into());
    let aria = format!(
        "{name}: {}. All done at {done}.",
        h.streams
            .iter()
            .map(|s| format!(
                "stream {} complete at {}",
                s.stream,
                s.complete.map(|c| format::duration(c.0)).unwrap_or_else(|| "never".into())
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        <section class="ww-hol-panel" data-carrier={format!("{:?}", h.carrier).to_lowercase()}>
            <h4 class="ww-hol-title">{ format!("{name} — all six done at {done}") }</h4>
            <svg viewBox={format!("0 0 {W} {height:.0}")} role="img" aria-label={aria}>
                { for lanes }
                { for losses }
            </svg>
            <ul class="ww-hol-times">
                { for h.streams.iter().map(|s| html! {
                    <li data-stream={s.stream.to_string()}>{ format!("stream {}: {}", s.stream,
                        s.complete.map(|c| format::duration(c.0)).unwrap_or_else(|| "—".into())) }</li>
                }) }
            </ul>
        </section>
    }
}

/// Both runs at `t`.
pub fn view(runs: &Runs, _params: &ParamSet, t: Instant) -> Html {
    // Built once per run and kept while the run lives; each redraw only reads them.
    let hs: Vec<Rc<HolTimeline>> = runs.others.iter().map(|r| super::runner::per_run(r, timelines)).collect();
    let end = hs.iter().filter_map(|h| h.done()).max().unwrap_or(Instant::ZERO);
    let end = Instant(end.0 + end.0 / 20);
    html! {
        <div class="ww-hol" role="group" aria-label="Head-of-line blocking: TCP against QUIC under the same loss">
            { for hs.iter().map(|h| panel(h, end, t)) }
            <p class="ww-compare-note">
                { "Grey: the request is out, the response not yet whole. Amber: bytes have arrived but wait behind a hole. \
                   Red line: the lost packet. Thin bar: bytes delivered to the application." }
            </p>
        </div>
    }
}
