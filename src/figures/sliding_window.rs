//! `sliding-window`: the sender's window sliding over the byte stream while a slow reader
//! lets the receiver's buffer fill, the advertised window shrink to zero, the persist timer
//! probe the closed window, and a window update reopen it. Runs the `flow-control` preset;
//! every number is read from the trace by `wirewise_sim::sliding`.

use super::runner::run_preset;
use super::Runs;
use crate::widgets::format;
use crate::widgets::styled::{width_style, Styled};
use wirewise_sim::params::ParamSet;
use wirewise_sim::sliding::{stream_window, StreamWindow};
use wirewise_sim::time::Instant;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real segments and Linux 6.x's receive-window arithmetic (each segment charged its \
     truesize, its payload plus the memory of its bookkeeping, against the buffer; the window carved from the rest \
     by scaling_ratio), \
     persist timer (first probe after one RTO, then doubling) and receiver silly-window avoidance, on one link with \
     no loss. The \
     application reads at a steady rate; a real program reads in bursts. Window scaling is negotiated as on \
     Linux; the receive buffer does not autotune unless you turn it on.";

const PARAMS: &[&str] = &["rtt", "kilobytes", "rcvbuf", "read_after", "read_rate", "autotune", "seconds"];

/// Runs the `flow-control` preset with the figure's parameters.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let pairs: Vec<(&str, String)> = PARAMS
        .iter()
        .map(|n| {
            let v = if *n == "autotune" {
                if params.flag(n) { "on" } else { "off" }.to_string()
            } else {
                params.num(n).to_string()
            };
            (*n, v)
        })
        .collect();
    Ok(Runs { main: run_preset("flow-control", &pairs, seed)?, others: Vec::new() })
}

const W: f64 = 640.0;
const L: f64 = 12.0;
const R: f64 = 12.0;

fn kb(bytes: u64) -> String {
    if bytes >= 10_000 {
        format!("{} KB", format::significant(bytes as f64 / 1000.0, 3))
    } else {
        format!("{} B", format::thousands(bytes))
    }
}

fn stream_bar(w: &StreamWindow, total: u64, t: Instant) -> Html {
    let s = w.at(t);
    let total = total.max(s.sent).max(1);
    let x = |b: u64| L + (b.min(total) as f64 / total as f64) * (W - L - R);
    let right = s.acked + s.window;
    let usable_end = right.max(s.sent);
    let label =
        if s.window == 0 { "window 0: nothing may be sent".to_string() } else { format!("window {}", kb(s.window)) };
    // Half the label's width (about 0.6 em per character at the label's 13-unit size), so the
    // label stays whole inside the drawing wherever the window is.
    let half = label.chars().count() as f64 * 4.2 + 4.0;
    let rect = |from: u64, to: u64, class: &'static str| {
        let (a, b) = (x(from), x(to));
        html! { <rect class={class} x={format!("{a:.2}")} y="6" width={format!("{:.2}", (b - a).max(0.0))} height="26" /> }
    };
    html! {
        <>
        <span class="ww-sw-cap">{ "The sender's byte stream" }</span>
        <svg class="ww-sw-stream" viewBox={format!("0 0 {W} 68")} role="img"
            aria-label={format!("Byte stream of {}: {} acknowledged, {} in flight, window {}, the sender may send up to byte {}.",
                kb(total), kb(s.acked), kb(s.sent - s.acked), kb(s.window), format::thousands(right.min(total)))}>
            { rect(0, total, "ww-sw-later") }
            { rect(s.acked, usable_end.min(total), "ww-sw-usable") }
            { rect(s.acked, s.sent, "ww-sw-flight") }
            { rect(0, s.acked, "ww-sw-acked") }
            <path class="ww-sw-bracket" d={format!("M{:.2} 38 v8 H{:.2} v-8", x(s.acked), x(right))} />
            <text class="ww-sw-wlabel" x={format!("{:.2}", ((x(s.acked) + x(right)) / 2.0).clamp(L + half, W - R - half))} y="62" text-anchor="middle">
                { label }
            </text>
        </svg>
        </>
    }
}

fn buffer_bar(w: &StreamWindow, t: Instant) -> Html {
    let Some(b) = w.buffer_at(t) else { return Html::default() };
    let cap = b.cap.max(1);
    let pct = (f64::from(b.len) / f64::from(cap) * 100.0).clamp(0.0, 100.0);
    html! {
        <div class="ww-sw-buffer">
            <span class="ww-sw-cap">{ "Receiver's buffer: data waiting for the application, of the buffer's memory" }</span>
            <div class="ww-sw-buffer-track" role="img"
                aria-label={format!("Receive buffer {} of {} full", kb(u64::from(b.len)), kb(u64::from(cap)))}>
                <Styled class="ww-sw-buffer-fill" style={width_style(pct, 0)} />
            </div>
            <span class="ww-sw-buffer-num">{ format!("{} of {} ({:.0}%)", kb(u64::from(b.len)), kb(u64::from(cap)), pct) }</span>
        </div>
    }
}

/// The window over time: a small chart with the advertised window, the probes and the cursor.
fn history(w: &StreamWindow, end: Instant, t: Instant) -> Html {
    let max_w = w.samples.iter().map(|s| s.window).max().unwrap_or(1).max(1) as f64;
    let span = end.0.max(1) as f64;
    let (top, h) = (14.0, 70.0);
    let x = |at: Instant| L + (at.0 as f64 / span).min(1.0) * (W - L - R);
    let y = |v: u64| top + h - v as f64 / max_w * h;
    let mut d = format!("M{:.1} {:.1}", x(Instant(0)), y(0));
    let mut last = 0u64;
    for s in &w.samples {
        d += &format!(" H{:.1} V{:.1}", x(s.t), y(s.window));
        last = s.window;
    }
    d += &format!(" H{:.1}", x(end));
    let _ = last;
    html! {
        <>
        <span class="ww-sw-cap">{ format!("Advertised window over time (top of the chart: {}); red ticks are zero-window probes", kb(max_w as u64)) }</span>
        <svg class="ww-sw-history" viewBox={format!("0 0 {W} 104")} role="img"
            aria-label={format!("Advertised window over {} with {} zero-window probes.", format::duration(end.0), w.probes.len())}>
            <path class="ww-sw-line" d={d} />
            { for w.probes.iter().map(|p| html! {
                <g class="ww-sw-probe"><line x1={format!("{:.1}", x(*p))} x2={format!("{:.1}", x(*p))} y1={(top + h - 10.0).to_string()} y2={(top + h + 4.0).to_string()} /></g>
            }) }
            <line class="ww-sw-cursor" x1={format!("{:.1}", x(t))} x2={format!("{:.1}", x(t))} y1={top.to_string()} y2={(top + h + 6.0).to_string()} />
            <text class="ww-sw-axis" x={L.to_string()} y="100">{ "0 s" }</text>
            <text class="ww-sw-axis" x={(W - R).to_string()} y="100" text-anchor="end">{ format::duration(end.0) }</text>
        </svg>
        </>
    }
}

/// The byte stream, the receiver's buffer, the window history and what is happening now.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let w = super::runner::per_run(&runs.main, stream_window);
    let Some(w) = w.as_ref() else {
        return html! { <p class="ww-error" role="alert">{ "No TCP transfer in this run." }</p> };
    };
    let total = (params.num("kilobytes") * 1000.0).round() as u64;
    let s = w.at(t);
    let probes = w.probes_by(t);
    let status = match (w.zero_at, w.reopened_at) {
        (Some(z), _) if t < z => {
            format!("Data flows: {} in flight, the window allows {}.", kb(s.sent - s.acked), kb(s.window))
        }
        (Some(z), Some(r)) if t >= r => format!(
            "The window closed at {} and reopened at {} after {} probe{}: the application read, and the receiver \
             sent a window update.",
            format::duration(z.0),
            format::duration(r.0),
            w.probes.iter().filter(|p| **p >= z && **p < r).count(),
            if w.probes.iter().filter(|p| **p >= z && **p < r).count() == 1 { "" } else { "s" }
        ),
        (Some(z), _) => {
            // The buffer is full of memory, not of data: each segment is charged its truesize.
            let fill = w
                .buffer_at(z)
                .map(|b| {
                    format!(
                        " It holds {} of data in its {}: each segment also costs the memory of its bookkeeping \
                         (truesize: {} bytes for 1448 of data), so the window closes when data fills about \
                         60% of it.",
                        kb(u64::from(b.len)),
                        kb(u64::from(b.cap)),
                        1448 + wirewise_sim::tcp::SKB_OVERHEAD
                    )
                })
                .unwrap_or_default();
            format!(
                "Zero window since {}: the receiver's buffer is full.{} {} persist probe{} so far; each asks \"still \
                 zero?\".",
                format::duration(z.0),
                fill,
                probes,
                if probes == 1 { "" } else { "s" }
            )
        }
        (None, _) => format!("The window never closed: the reader keeps up. {} acknowledged.", kb(s.acked)),
    };
    html! {
        <div class="ww-sw" role="group" aria-label="Sliding window and receive buffer">
            { stream_bar(w, total, t) }
            <ul class="ww-sw-legend" aria-hidden="true">
                <li><span class="ww-sw-key ww-sw-acked"></span>{ "acknowledged" }</li>
                <li><span class="ww-sw-key ww-sw-flight"></span>{ "sent, not yet acknowledged" }</li>
                <li><span class="ww-sw-key ww-sw-usable"></span>{ "may be sent now" }</li>
                <li><span class="ww-sw-key ww-sw-later"></span>{ "not allowed yet" }</li>
            </ul>
            { buffer_bar(w, t) }
            { history(w, super::state::interesting_end(trace), t) }
            <p class="ww-compare-note" aria-live="polite">{ status }</p>
        </div>
    }
}
