//! `udp`: UDP on the wire. Either a DNS lookup (the `dns` preset: one query datagram, one
//! answer, no handshake; optionally the query is lost and the resolver library asks again after
//! its 5 s timeout) or one datagram of a chosen size (the `fragmentation` preset with a 1500-byte
//! path: 2 bytes give an IP total length of 30; more than 1472 bytes are fragmented). A table
//! lists every datagram with its ports and the length each header records.

use super::runner::run_preset;
use super::Runs;
use crate::widgets::{format, node_name};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{EventKind, Trace};
use wirewise_sim::wire::{Frame, FramePayload, Transport};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real Ethernet, IPv4 and UDP bytes with real checksums (RFC 768, RFC 1071); the DNS \
     messages are real RFC 1035 queries and answers. One switch, no routers in the DNS case; the resolver \
     answers from its own table instead of asking other servers, and the client's retry after 5 s is glibc's \
     default (options timeout:5).";

/// Runs the chosen mode.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let main = if params.choice("mode") == "datagram" {
        run_preset(
            "fragmentation",
            &[("bytes", params.num("bytes").to_string()), ("mtu", "1500".to_string()), ("df", "off".to_string())],
            seed,
        )?
    } else {
        let lose = if params.flag("lose_query") { "on" } else { "off" };
        run_preset("dns", &[("rtt", params.num("rtt").to_string()), ("lose_query", lose.to_string())], seed)?
    };
    Ok(Runs { main, others: Vec::new() })
}

/// One UDP datagram (or IP fragment) as it left its sender.
struct Row {
    at: Instant,
    from: String,
    to: String,
    ports: String,
    udp_len: Option<usize>,
    ip_len: u16,
    frame_len: usize,
    what: String,
    lost: bool,
}

fn rows(trace: &Trace, t: Instant) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    let hosts: Vec<bool> = trace.nodes.iter().map(|n| n.kind == wirewise_sim::trace::NodeKind::Host).collect();
    for tx in trace.transmissions() {
        if tx.start > t || !hosts.get(tx.from as usize).copied().unwrap_or(false) {
            continue;
        }
        let bytes = &trace.frames[tx.frame as usize].bytes;
        let Ok(f) = Frame::parse(bytes) else { continue };
        let FramePayload::Ipv4(p) = f.payload else { continue };
        let ip_len = bytes.get(16..18).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
        let (ports, udp_len, what) = match &p.transport {
            Transport::Udp(u) => {
                let what = if u.dst_port == 53 {
                    "DNS query".to_string()
                } else if u.src_port == 53 {
                    "DNS answer".to_string()
                } else {
                    format!("{} bytes of data", u.payload.len())
                };
                (format!("{} → {}", u.src_port, u.dst_port), Some(8 + u.payload.len()), what)
            }
            Transport::Fragment(b) => {
                ("—".to_string(), None, format!("fragment at offset {} ({} bytes)", p.ip.frag_offset, b.len()))
            }
            _ => continue,
        };
        out.push(Row {
            at: tx.start,
            from: node_name(trace, tx.from),
            to: format!("{}", p.ip.dst),
            ports,
            udp_len,
            ip_len,
            frame_len: bytes.len(),
            what,
            lost: tx.dropped.is_some(),
        });
    }
    out
}

/// The datagrams sent so far, and what UDP did not do.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let list = rows(trace, t);
    let answered = trace.events[..trace.count_until(t)]
        .iter()
        .any(|e| matches!(&e.kind, EventKind::App { call: wirewise_sim::trace::AppCall::Exchange { .. }, .. }));
    let note = if params.choice("mode") == "datagram" {
        let n = params.num("bytes").round() as u64;
        if n + 28 > 1500 {
            format!(
                "{} bytes of data + 8 bytes of UDP header + 20 of IP header exceed the 1,500-byte MTU, so the sending \
                 host fragments the packet: only the first fragment carries the UDP header and its ports.",
                format::thousands(n)
            )
        } else {
            format!(
                "{} bytes of data + 8 bytes of UDP header = UDP length {}; + 20 bytes of IP header = IP total length \
                 {}. No handshake came first and no acknowledgment comes back.",
                format::thousands(n),
                n + 8,
                n + 28
            )
        }
    } else if params.flag("lose_query") && !answered {
        "The first query was lost. UDP does not notice: no ACK was ever expected. The resolver library waits for its \
         timeout (5 s) and sends the query again."
            .to_string()
    } else {
        "One datagram out, one back: no handshake, no connection state, no acknowledgment. The client picked a random \
         source port; the answer comes back to it, which is how the kernel finds the waiting socket."
            .to_string()
    };
    html! {
        <div class="ww-udp" role="group" aria-label="UDP datagrams">
            <div class="ww-table-wrap" tabindex="0" role="region" aria-label="Datagrams sent so far">
                <table class="ww-udp-table">
                    <thead><tr>
                        <th scope="col">{ "Sent" }</th>
                        <th scope="col">{ "From → to" }</th>
                        <th scope="col">{ "Ports" }</th>
                        <th scope="col">{ "UDP length" }</th>
                        <th scope="col">{ "IP total length" }</th>
                        <th scope="col">{ "Frame" }</th>
                        <th scope="col">{ "What" }</th>
                    </tr></thead>
                    <tbody>
                        { for list.iter().map(|r| html! {
                            <tr class={classes!(r.lost.then_some("ww-udp-lost"))}>
                                <td>{ format::duration(r.at.0) }</td>
                                <td>{ format!("{} → {}", r.from, r.to) }</td>
                                <td>{ r.ports.clone() }</td>
                                <td>{ r.udp_len.map_or("—".to_string(), |n| n.to_string()) }</td>
                                <td>{ r.ip_len }</td>
                                <td>{ format!("{} B", r.frame_len) }</td>
                                <td>{ r.what.clone() }{ if r.lost { " (lost)" } else { "" } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <p class="ww-compare-note" aria-live="polite">{ note }</p>
        </div>
    }
}
