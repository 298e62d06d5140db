//! `hop-by-hop`: the same packet on every link of its path. With `path=routers` the
//! `traceroute` preset sends probes across three routers: MAC addresses change at each router,
//! the TTL goes down by one, the IP addresses stay. With `path=nat` the `nat` preset puts a
//! NAT router in the way: the source address and port are rewritten, the translation table
//! (from the trace's NAT events) grows, and an unsolicited connection from outside is dropped
//! unless a port forward exists. Hops are chained by `wirewise_sim::hops`.

use super::runner::run_preset;
use super::Runs;
use crate::widgets::{format, node_name};
use wirewise_sim::hops::{journeys, Hop};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{DropReason, EventKind, Trace};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real frames on every link: the MACs, TTLs, addresses and ports in the tables are read \
     from the captured bytes. Routers forward instantly after the frame arrives and know their neighbours' \
     MACs (ARP is warm or shown once); the NAT keeps one table for TCP and ICMP and never expires entries.";

/// Runs the chosen path.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let main = if params.choice("path") == "nat" {
        let forward = if params.flag("forward") { "on" } else { "off" };
        run_preset("nat", &[("forward", forward.to_string()), ("ping", "off".to_string())], seed)?
    } else {
        run_preset("traceroute", &[("routers", "3".to_string()), ("hop_delay", "2".to_string())], seed)?
    };
    Ok(Runs { main, others: Vec::new() })
}

fn ports(h: &Hop) -> String {
    match h.ports {
        Some((a, b)) if a == b => format!("id {a}"),
        Some((a, b)) => format!("{a} → {b}"),
        None => "—".into(),
    }
}

fn journey_table(trace: &Trace, j: &[Hop], t: Instant) -> Html {
    let first = &j[0];
    let shown: Vec<&Hop> = j.iter().filter(|h| h.start <= t).collect();
    let rows = shown.iter().enumerate().map(|(i, h)| {
        let prev = i.checked_sub(1).map(|p| shown[p]);
        let changed = |now: bool| if now { Some("ww-hop-changed") } else { None };
        let mac_changed = prev.is_some_and(|p| p.src_mac != h.src_mac || p.dst_mac != h.dst_mac);
        let ip_changed = prev.is_some_and(|p| p.src != h.src || p.dst != h.dst);
        let port_changed = prev.is_some_and(|p| p.ports != h.ports);
        let fate = match h.dropped {
            Some(DropReason::NatUnsolicited) => "dropped: no NAT mapping and no port forward".to_string(),
            Some(DropReason::TtlExpired) => "TTL ran out here".to_string(),
            Some(r) => format!("lost ({r:?})"),
            None => "delivered".to_string(),
        };
        html! {
            <tr>
                <th scope="row">{ format!("{} → {}", node_name(trace, h.from), node_name(trace, h.to)) }</th>
                <td class={classes!(changed(mac_changed))}><code>{ h.src_mac.to_string() }</code>{ " → " }<code>{ h.dst_mac.to_string() }</code>
                    if mac_changed { <span class="ww-hop-note">{ " (rewritten)" }</span> }</td>
                <td class={classes!(changed(ip_changed))}><code>{ format!("{} → {}", h.src, h.dst) }</code>
                    if ip_changed { <span class="ww-hop-note">{ " (NAT rewrote)" }</span> }</td>
                <td class={classes!(changed(port_changed))}>{ ports(h) }</td>
                <td>{ h.ttl }</td>
                <td>{ fate }</td>
            </tr>
        }
    });
    html! {
        <div class="ww-table-wrap" tabindex="0" role="region" aria-label={format!("{} from {}, hop by hop", first.what, node_name(trace, first.from))}>
            <table class="ww-hops">
                <caption>{ format!("{} from {} at {}", first.what, node_name(trace, first.from), format::duration(first.start.0)) }</caption>
                <thead><tr>
                    <th scope="col">{ "Link" }</th>
                    <th scope="col">{ "MAC source → destination" }</th>
                    <th scope="col">{ "IP source → destination" }</th>
                    <th scope="col">{ "Ports" }</th>
                    <th scope="col">{ "TTL" }</th>
                    <th scope="col">{ "Fate" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

fn nat_table(trace: &Trace, t: Instant) -> Html {
    let rows: Vec<Html> = trace
        .events
        .iter()
        .filter(|e| e.t <= t)
        .filter_map(|e| match &e.kind {
            EventKind::NatMapping { proto, inside, outside, remote, forward, .. } => Some(html! {
                <tr>
                    <td>{ match proto { 6 => "TCP", 17 => "UDP", 1 => "ICMP", _ => "other" } }</td>
                    <td><code>{ inside.to_string() }</code></td>
                    <td><code>{ outside.to_string() }</code></td>
                    <td><code>{ remote.to_string() }</code></td>
                    <td>{ if *forward { "port forward" } else { "outbound packet" } }</td>
                    <td>{ format::duration(e.t.0) }</td>
                </tr>
            }),
            _ => None,
        })
        .collect();
    html! {
        <div class="ww-table-wrap" tabindex="0" role="region" aria-label="NAT translation table">
            <table class="ww-hops">
                <caption>{ "The router's translation table" }</caption>
                <thead><tr>
                    <th scope="col">{ "Protocol" }</th><th scope="col">{ "Inside" }</th><th scope="col">{ "Outside (as the internet sees it)" }</th>
                    <th scope="col">{ "Remote" }</th><th scope="col">{ "Created by" }</th><th scope="col">{ "At" }</th>
                </tr></thead>
                <tbody>
                    if rows.is_empty() { <tr><td colspan="6">{ "Empty: nothing has left the network yet." }</td></tr> }
                    { for rows }
                </tbody>
            </table>
        </div>
    }
}

/// The journeys up to `t` (those that crossed a router or NAT), and the NAT table.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let all = journeys(trace);
    let nat = params.choice("path") == "nat";
    let interesting: Vec<&Vec<Hop>> = all
        .iter()
        .filter(|j| j[0].start <= t)
        .filter(|j| j.len() >= 2 || j.iter().any(|h| h.dropped == Some(DropReason::NatUnsolicited)))
        .filter(|j| nat || j[0].what.starts_with("UDP") || j[0].what.starts_with("ICMP"))
        .collect();
    let shown: Vec<&Vec<Hop>> = if nat {
        // The first packet out, its reply, and the first attempt from outside on port 8080.
        let inbound = interesting.iter().find(|j| j[0].ports.map(|p| p.1) == Some(8080));
        interesting.iter().take(2).chain(inbound).copied().collect()
    } else {
        interesting.iter().rev().take(4).rev().copied().collect()
    };
    html! {
        <div class="ww-hops-view">
            if nat { { nat_table(trace, t) } }
            if shown.is_empty() { <p>{ "No packet has crossed a router yet: move the time cursor forward." }</p> }
            { for shown.iter().map(|j| journey_table(trace, j, t)) }
        </div>
    }
}
