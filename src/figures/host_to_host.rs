//! `host-to-host`: who is who on the wire. The two hosts of the `rpc` preset with their MAC
//! and IP addresses and the ports of each socket, above the ladder of one request, so the
//! learner can match the addresses to the fields of any frame.

use super::runner::run_preset;
use super::Runs;
use crate::widgets::ladder::node_state;
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{NodeKind, SockKind};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real Ethernet, IPv4 and TCP bytes: the addresses in the table are the ones in the \
     frames. Both hosts share one link, so there is no router and no MAC rewriting; the ARP exchange that \
     would find the server's MAC is not shown.";

/// Runs one request on a fresh connection.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let pairs = [
        ("rtt", params.num("rtt").to_string()),
        ("request", "120".to_string()),
        ("response", "400".to_string()),
        ("requests", "1".to_string()),
    ];
    let main = run_preset("rpc", &pairs, seed)?;
    Ok(Runs { main, others: Vec::new() })
}

/// The address table.
pub fn view(runs: &Runs, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let rows = trace.nodes.iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Host).map(|(i, node)| {
        let iface = node.ifaces.first();
        let mac = iface.map(|f| f.mac.to_string()).unwrap_or_default();
        let ip = iface.and_then(|f| f.ip).map(|(ip, len)| format!("{ip}/{len}")).unwrap_or_default();
        let ports: Vec<String> = trace
            .sockets
            .iter()
            .filter(|s| s.node as usize == i)
            .map(|s| match (s.kind, s.remote) {
                (SockKind::TcpListener, _) => format!("listening on TCP port {}", s.local.port()),
                (_, Some(r)) => format!("port {} ↔ {}", s.local.port(), r),
                (_, None) => format!("port {}", s.local.port()),
            })
            .collect();
        html! {
            <tr>
                <th scope="row">{ node.name.clone() }</th>
                <td><code>{ mac }</code></td>
                <td><code>{ ip }</code></td>
                <td>{ ports.join("; ") }</td>
                <td>{ node_state(trace, i as u16, t).name() }</td>
            </tr>
        }
    });
    html! {
        <div class="ww-table-wrap" tabindex="0" role="region" aria-label="Addresses of each host">
            <table class="ww-addresses">
                <thead><tr>
                    <th scope="col">{ "Host" }</th>
                    <th scope="col">{ "MAC (layer 2: which network card)" }</th>
                    <th scope="col">{ "IP (layer 3: which host)" }</th>
                    <th scope="col">{ "Ports (layer 4: which socket)" }</th>
                    <th scope="col">{ "TCP state now" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
