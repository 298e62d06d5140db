//! `source-ports`: running out of ephemeral source ports. A client that opens a new connection
//! per request to one server and closes it first leaves each port in TIME-WAIT for 60 s; at
//! more than ports / 60 s new connections per second, `connect()` starts failing with
//! EADDRNOTAVAIL. A pool of kept-alive connections holds a few ports forever and never fails.
//! The per-second port counts come from `wirewise_sim::tcp::ports` (a counting model of Linux's
//! `__inet_hash_connect`); the lower chart and the ladder are a packet-level run (the
//! `port-exhaustion` preset) with the range narrowed to 40 ports, where the simulated kernel
//! itself refuses connect() with EADDRNOTAVAIL once every port is in TIME-WAIT.

use super::runner::{per_run, run_preset};
use super::Runs;
use crate::widgets::format;
use crate::widgets::time_chart::{Chart, RefLine, Series};
use wirewise_sim::params::ParamSet;
use wirewise_sim::socket_states::count_in_state;
use wirewise_sim::tcp::ports::{
    addr_not_available, max_connections_per_sec, simulate_ports, time_to_exhaustion_secs, ConnPolicy, PortSample,
    TIME_WAIT_SECS,
};
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::Trace;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "The two upper charts are a per-second counting model of Linux's port choice \
     (__inet_hash_connect, ip_local_port_range, TIME-WAIT of 60 s, tcp_tw_reuse=2 so no reuse towards a remote \
     server): each request's connection opens and closes within its second. The lower chart and the ladder are a \
     packet-level run of the simulated kernel with the range narrowed to 40 ports, so the same cliff comes after \
     10 s instead of thousands of connections. Not modelled: several destinations or source addresses, which \
     each get the whole range again, and SO_REUSEADDR or tcp_tw_reuse=1.";

const RUN_SECS: u32 = 150;

/// The packet-level run's fixed values: the range narrowed to 40 ports, 4 new connections a
/// second for 20 s, so the ports run out at 10 s instead of after 28,232.
const PACKET_RUN: [(&str, &str); 3] = [("ports", "40"), ("rate", "4"), ("seconds", "20")];

/// The packet-level run (the `port-exhaustion` preset): every connection is real, and the
/// kernel's port choice refuses connect() once the narrowed range is held in TIME-WAIT.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let _ = params;
    let pairs = PACKET_RUN.map(|(k, v)| (k, v.to_string()));
    Ok(Runs { main: run_preset("port-exhaustion", &pairs, seed)?, others: Vec::new() })
}

/// The packet-level run's chart, built once per run: the client's sockets in TIME-WAIT and
/// its connect() calls refused with EADDRNOTAVAIL, both counted over time.
fn packet_chart(trace: &Trace) -> Chart {
    let client = trace.node_named("client");
    let time_wait = client.map_or_else(Vec::new, |n| count_in_state(trace, n, TcpState::TimeWait));
    let refused = client.map_or_else(Vec::new, |n| addr_not_available(trace, n));
    let mut refused_steps = vec![(0u64, 0.0)];
    refused_steps.extend(refused.iter().enumerate().map(|(i, t)| (t.0, (i + 1) as f64)));
    let held = time_wait.last().map_or(0, |x| x.1);
    let first = refused.first().map_or(String::new(), |t| {
        format!(" From {}, every connect() fails with EADDRNOTAVAIL and no SYN leaves;", format::duration(t.0))
    });
    Chart::build(
        format!("Packet by packet: {} ports, {} new connections a second", PACKET_RUN[0].1, PACKET_RUN[1].1),
        "sockets",
        vec![
            Series {
                name: "client sockets in TIME-WAIT",
                class: "ww-tc-ssthresh",
                points: time_wait.iter().map(|(t, n)| (t.0, f64::from(*n))).collect(),
            },
            Series { name: "connect() refused, total", class: "ww-tc-queue", points: refused_steps },
        ],
        Vec::new(),
        Vec::new(),
        trace.end.0,
        format!(
            "Each closed connection leaves its port in TIME-WAIT; {held} are held at the end.{first} {} refused in all.",
            refused.len()
        ),
    )
}

fn chart(title: String, samples: &[PortSample], ports: u32, summary: String) -> Chart {
    let s = |f: fn(&PortSample) -> u32| -> Vec<(u64, f64)> {
        samples.iter().map(|x| (u64::from(x.t) * 1_000_000_000, f64::from(f(x)))).collect()
    };
    Chart::build(
        title,
        "ports",
        vec![
            Series { name: "in TIME-WAIT", class: "ww-tc-ssthresh", points: s(|x| x.time_wait) },
            Series { name: "open", class: "ww-tc-cwnd", points: s(|x| x.open) },
            Series { name: "failed connect() per second", class: "ww-tc-queue", points: s(|x| x.failed) },
        ],
        vec![RefLine {
            label: format!("{} ports in the range", format::thousands(u64::from(ports))),
            value: f64::from(ports),
            class: "ww-tc-bdp",
        }],
        Vec::new(),
        u64::from(RUN_SECS) * 1_000_000_000,
        summary,
    )
}

/// The counting model's two charts and its verdict for the sliders' values.
struct Counted {
    per_request: Chart,
    pooled: Chart,
    verdict: String,
}

fn counted(params: &ParamSet) -> Counted {
    let ports = params.num("ports").round().clamp(1.0, 65_535.0) as u32;
    let rate = params.num("rate").round().clamp(1.0, 100_000.0) as u32;
    let pool = params.num("pool").round().clamp(1.0, 1000.0) as u32;
    let ceiling = max_connections_per_sec(ports, TIME_WAIT_SECS);
    let per = simulate_ports(ports, rate, ConnPolicy::PerRequest, TIME_WAIT_SECS, RUN_SECS);
    let pooled = simulate_ports(ports, rate, ConnPolicy::Pool(pool), TIME_WAIT_SECS, RUN_SECS);
    let failed: u32 = per.iter().map(|x| x.failed).sum();
    let first_fail = per.iter().find(|x| x.failed > 0).map(|x| x.t);
    let verdict = match time_to_exhaustion_secs(ports, f64::from(rate), TIME_WAIT_SECS) {
        Some(secs) => format!(
            "{rate} new connections per second is above the ceiling of {} per second ({} ports ÷ 60 s): the ports run out \
             after {} s and connect() fails with EADDRNOTAVAIL{}; {} of {} connects in {RUN_SECS} s fail. The pool of {pool} \
             connections serves the same {rate} requests per second on {pool} ports and never fails.",
            format::significant(ceiling, 4),
            format::thousands(u64::from(ports)),
            format::significant(secs, 3),
            first_fail.map_or(String::new(), |s| format!(" (first failure in second {s})")),
            format::thousands(u64::from(failed)),
            format::thousands(u64::from(rate) * u64::from(RUN_SECS))
        ),
        None => format!(
            "{rate} new connections per second stays under the ceiling of {} per second ({} ports ÷ 60 s): ports are \
             reused as their TIME-WAIT ends, with {} held at the end. The pool needs only {pool}.",
            format::significant(ceiling, 4),
            format::thousands(u64::from(ports)),
            format::thousands(u64::from(per.last().map_or(0, |x| x.time_wait + x.open)))
        ),
    };
    let a = chart(
        "A new connection per request".into(),
        &per,
        ports,
        format!("Ports in TIME-WAIT climb towards {ports}; {failed} connects fail."),
    );
    let b = chart(
        format!("A pool of {pool} connections"),
        &pooled,
        ports,
        format!("{pool} ports stay open; nothing waits in TIME-WAIT and nothing fails."),
    );
    Counted { per_request: a, pooled: b, verdict }
}

/// The two counted charts and the ceiling, then the packet-level run with the cursor.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let packets = per_run(&runs.main, packet_chart);
    // Built once per run, not per frame: every slider change starts a new run.
    let c = per_run(&runs.main, |_| counted(params));
    let end = Instant(u64::from(RUN_SECS) * 1_000_000_000);
    html! {
        <div class="ww-ports" role="group" aria-label="Source ports over time">
            <div class="ww-cwnd-charts ww-cwnd-two">
                <div>{ c.per_request.view(end) }</div>
                <div>{ c.pooled.view(end) }</div>
            </div>
            <p class="ww-compare-note" aria-live="polite">{ c.verdict.clone() }</p>
            <div class="ww-ports-packets">{ packets.view(t) }</div>
        </div>
    }
}
