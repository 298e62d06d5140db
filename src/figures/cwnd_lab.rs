//! `cwnd-lab`: the congestion window lab. One bulk transfer through a drop-tail bottleneck,
//! with cwnd, ssthresh, the peer's window, the data in flight and the bottleneck queue drawn
//! over time against the bandwidth-delay product, loss and recovery events marked, and the
//! measured throughput beside the Mathis estimate. A second algorithm can run on the same
//! seeded path for comparison. Runs the `congestion*` presets; every number comes from the
//! trace through `wirewise_sim::cwnd` and `wirewise_sim::transfer`.

use super::runner::{per_run, run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::time_chart::{Chart, Marker, RefLine, Series};
use std::rc::Rc;
use wirewise_sim::cwnd::{cwnd_history, Mark};
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets::congestion::bdp_packets;
use wirewise_sim::time::Instant;
use wirewise_sim::transfer::{transfer, TransferStats};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real segments and Linux 6.x's Reno, CUBIC (with HyStart) and BBR v1, updated on every \
     ACK and counting packets as Linux does, with SACK, RACK-TLP and PRR (or the RFC 5681/6582 textbook when \
     chosen). One flow, one bottleneck: the sender's own egress queue stands for the router in front of a slow \
     link. Bandwidth is capped at 50 Mbit/s and runs at 60 s so that a slider move re-simulates quickly. Not \
     modelled: TSO bursts, undo of spurious reductions (F-RTO, DSACK), other flows.";

const PASSED: &[&str] = &["algorithm", "recovery", "bandwidth", "rtt", "loss", "buffer", "seconds"];

fn pairs(params: &ParamSet, algorithm: &str) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = PASSED
        .iter()
        .map(|n| match *n {
            "algorithm" => (*n, algorithm.to_string()),
            "recovery" => (*n, params.choice(n).to_string()),
            _ => (*n, params.num(n).to_string()),
        })
        .collect();
    v.push(("buffer_unit", "bdp".to_string()));
    v
}

/// Runs the chosen path with the chosen algorithm (main) and, if asked, the comparison
/// algorithm on the same seeded path.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let preset = params.choice("preset");
    let alg = params.choice("algorithm");
    let main = run_preset(preset, &pairs(params, alg), seed)?;
    let compare = params.choice("compare");
    let others = if compare == "none" || compare == alg {
        Vec::new()
    } else {
        vec![run_preset(preset, &pairs(params, compare), seed)?]
    };
    Ok(Runs { main, others })
}

/// What the lab shows of one run, computed once per run.
struct Lab {
    chart: Option<Chart>,
    stats: Option<TransferStats>,
    rwnd_note: Option<String>,
}

fn mark_class(m: Mark) -> &'static str {
    match m {
        Mark::Rto => "ww-tc-mark-rto",
        Mark::Recovery | Mark::FastRetransmit => "ww-tc-mark-recovery",
        Mark::Loss | Mark::DupAcks => "ww-tc-mark-loss",
    }
}

fn build(run: &Run, algorithm: &str, bdp: f64, t_end: u64) -> Lab {
    let trace = &run.trace;
    let stats = transfer(trace, cwnd_history(trace).map_or(0, |h| h.sock));
    let Some(h) = cwnd_history(trace) else { return Lab { chart: None, stats, rwnd_note: None } };
    let pts = |f: &dyn Fn(&wirewise_sim::cwnd::CwndPoint) -> f64| -> Vec<(u64, f64)> {
        h.points.iter().map(|p| (p.t.0, f(p))).collect()
    };
    let cwnd = pts(&|p| p.cwnd);
    let top = cwnd.iter().map(|p| p.1).fold(bdp, f64::max);
    let rwnd_max = h.points.iter().map(|p| p.rwnd).fold(0.0, f64::max);
    let mut series = vec![
        Series { name: "cwnd", class: "ww-tc-cwnd", points: cwnd },
        Series { name: "ssthresh", class: "ww-tc-ssthresh", points: pts(&|p| p.ssthresh.unwrap_or(f64::NAN)) },
        Series { name: "in flight", class: "ww-tc-flight", points: pts(&|p| p.in_flight) },
        Series {
            name: "bottleneck queue",
            class: "ww-tc-queue",
            points: h.queue.iter().map(|(t, d)| (t.0, f64::from(*d))).collect(),
        },
    ];
    // The receive window is usually far above cwnd (autotuning grows it to megabytes); drawn
    // at that scale it would flatten everything else, so it is drawn only when it matters.
    let rwnd_note = if rwnd_max <= 3.0 * top {
        series.insert(2, Series { name: "rwnd", class: "ww-tc-rwnd", points: pts(&|p| p.rwnd) });
        None
    } else {
        Some(format!(
            "The receiver's window (up to {} packets as autotuning grows the buffer) is far above cwnd, so it never \
             limits the sender and is not drawn.",
            format::thousands(rwnd_max.round() as u64)
        ))
    };
    let markers: Vec<Marker> =
        h.marks.iter().map(|(t, m)| Marker { t: t.0, label: m.label(), class: mark_class(*m) }).collect();
    let losses = h.marks.iter().filter(|(_, m)| *m == Mark::Loss).count();
    let rtos = h.marks.iter().filter(|(_, m)| *m == Mark::Rto).count();
    let recoveries = h.marks.iter().filter(|(_, m)| *m == Mark::Recovery).count();
    let summary = format!(
        "Congestion window of {algorithm} over {}: peaks at {} packets against a bandwidth-delay product of {} \
         packets; {losses} segments marked lost, {recoveries} fast recoveries, {rtos} retransmission timeouts.",
        format::duration(t_end),
        format::significant(top, 3),
        format::significant(bdp, 3)
    );
    let refs =
        vec![RefLine { label: format!("BDP {} packets", format::significant(bdp, 3)), value: bdp, class: "ww-tc-bdp" }];
    let chart =
        Chart::build(format!("{algorithm}: window and queue"), "packets", series, refs, markers, t_end, summary);
    Lab { chart: Some(chart), stats, rwnd_note }
}

fn recovery_text(algorithm: &str, recovery: &str) -> &'static str {
    if algorithm == "bbr" || recovery != "textbook" {
        "Loss recovery as Linux does it: SACK, RACK-TLP loss detection, PRR during recovery."
    } else {
        "Loss recovery from the RFC textbook: three duplicate ACKs, fast retransmit, NewReno (RFC 5681, 6582)."
    }
}

fn mbit(bps: f64) -> String {
    format!("{} Mbit/s", format::significant(bps / 1e6, 3))
}

fn stats_row(name: &str, s: Option<&TransferStats>) -> Html {
    let Some(s) = s else {
        return html! { <tr><th scope="row">{ name }</th><td colspan="5">{ "no data was sent" }</td></tr> };
    };
    html! {
        <tr>
            <th scope="row">{ name }</th>
            <td>{ mbit(s.goodput_bps) }</td>
            <td>{ format::duration((s.avg_rtt_s * 1e9) as u64) }</td>
            <td>{ format!("{}%", format::significant(s.loss_rate * 100.0, 2)) }</td>
            <td>{ format::thousands(s.retransmits) }</td>
            <td>{ s.mathis_bps.map_or("no loss".to_string(), mbit) }</td>
        </tr>
    }
}

/// Each run's chart with the cursor at `t`, and the results table.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let bdp = bdp_packets(params.num("bandwidth"), params.num("rtt"));
    let t_end = super::state::interesting_end(&runs.main.trace).0;
    let recovery = params.choice("recovery");
    let named: Vec<(&Rc<Run>, &str)> = std::iter::once((&runs.main, params.choice("algorithm")))
        .chain(runs.others.iter().map(|r| (r, params.choice("compare"))))
        .collect();
    let labs: Vec<(Rc<Lab>, &str)> =
        named.iter().map(|(r, alg)| (per_run(r, |_| build(r, alg, bdp, t_end)), *alg)).collect();
    html! {
        <div class="ww-cwnd" role="group" aria-label="Congestion window lab">
            <p class="ww-cwnd-mode">
                { recovery_text(params.choice("algorithm"), recovery) }
                { format!(" Bandwidth-delay product: {} packets ({} Mbit/s × {} ms).",
                    format::significant(bdp, 3), format::significant(params.num("bandwidth"), 3), format::significant(params.num("rtt"), 3)) }
            </p>
            <div class={classes!("ww-cwnd-charts", (labs.len() > 1).then_some("ww-cwnd-two"))}>
                { for labs.iter().map(|(lab, _)| html! {
                    <div class="ww-cwnd-run">
                        { lab.chart.as_ref().map_or_else(|| html! { <p class="ww-error" role="alert">{ "This run sent no data." }</p> }, |c| c.view(t)) }
                        if let Some(n) = &lab.rwnd_note { <p class="ww-cwnd-note">{ n.clone() }</p> }
                    </div>
                }) }
            </div>
            <div class="ww-table-wrap" tabindex="0" role="region" aria-label="Throughput and the Mathis estimate">
                <table class="ww-cwnd-table">
                    <thead><tr>
                        <th scope="col">{ "Algorithm" }</th>
                        <th scope="col">{ "Goodput" }</th>
                        <th scope="col">{ "Average RTT" }</th>
                        <th scope="col">{ "Data lost" }</th>
                        <th scope="col">{ "Retransmitted" }</th>
                        <th scope="col"><abbr title="MSS / RTT × 1.22 / √p: Reno's long-run throughput under random loss p">{ "Mathis estimate" }</abbr></th>
                    </tr></thead>
                    <tbody>{ for labs.iter().map(|(lab, alg)| stats_row(alg, lab.stats.as_ref())) }</tbody>
                </table>
            </div>
        </div>
    }
}
