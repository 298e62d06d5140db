//! `pmtud`: a 1500-byte path with one narrower hop between two routers (a tunnel). The server's
//! full-size segments do not fit; what happens next depends on the case: ICMP "fragmentation
//! needed" reaches the server and it lowers its MSS (path-MTU discovery); ICMP is filtered and
//! the connection hangs after a successful handshake (the black hole); the routers clamp the
//! MSS in the SYNs so nothing is ever too big; or, for a datagram sent with DF clear, the router
//! fragments it. Runs the `pmtud` and `fragmentation` presets; every number is read from the
//! trace.

use super::runner::run_preset;
use super::Runs;
use crate::widgets::{format, node_name};
use wirewise_sim::fetch::fetches;
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{DropReason, EventKind, Trace};
use wirewise_sim::wire::{Frame, FramePayload, IcmpRepr, Transport};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real frames, Linux 6.x path-MTU handling (tcp_v4_mtu_reduced, tcp_simple_retransmit) and \
     a router that answers too-big DF packets with ICMP type 3 code 4 carrying its next-hop MTU (RFC 1191). The \
     tunnel is drawn as a link with a smaller MTU, without the encapsulation a real tunnel adds. Not modelled: \
     Linux's PMTU cache expiry (10 minutes), tcp_mtu_probing (off by default) and ICMP rate limits. The DF-clear \
     case sends one UDP datagram, since Linux TCP always sets DF.";

/// Runs the case.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let mtu = params.num("mtu").to_string();
    let main = match params.choice("case") {
        "df-clear" => run_preset(
            "fragmentation",
            &[("mtu", mtu), ("bytes", "1472".to_string()), ("df", "off".to_string())],
            seed,
        )?,
        case => {
            let on = |b: bool| if b { "on" } else { "off" }.to_string();
            run_preset(
                "pmtud",
                &[
                    ("mtu", mtu),
                    ("block_icmp", on(case == "black-hole")),
                    ("clamp_mss", on(case == "clamp")),
                    ("response", "20000".to_string()),
                ],
                seed,
            )?
        }
    };
    Ok(Runs { main, others: Vec::new() })
}

/// What the figure reads from a run, up to the cursor.
#[derive(Default)]
struct Tally {
    too_big: usize,
    icmp_sent: Vec<(Instant, u16)>,
    icmp_lost: usize,
    syn_mss: Vec<(String, u16)>,
    max_data: usize,
    fragments: usize,
}

fn tally(trace: &Trace, t: Instant) -> Tally {
    let mut out = Tally::default();
    for e in &trace.events[..trace.count_until(t)] {
        match &e.kind {
            EventKind::FrameDropped { reason: DropReason::TooBig, .. } => out.too_big += 1,
            EventKind::FrameDropped { frame, reason: DropReason::Fault, .. } => {
                let is_icmp = Frame::parse(&trace.frames[*frame as usize].bytes).ok().is_some_and(
                    |f| matches!(f.payload, FramePayload::Ipv4(ref p) if matches!(p.transport, Transport::Icmp(_))),
                );
                out.icmp_lost += usize::from(is_icmp);
            }
            EventKind::FrameRx { frame, node, .. } => {
                let Ok(f) = Frame::parse(&trace.frames[*frame as usize].bytes) else { continue };
                let FramePayload::Ipv4(p) = f.payload else { continue };
                match p.transport {
                    Transport::Tcp(tcp) if tcp.flags.syn() => {
                        let at_host = trace.nodes[*node as usize].kind == wirewise_sim::trace::NodeKind::Host;
                        if let (true, Some(m)) = (at_host, tcp.options.mss) {
                            let what = if tcp.flags.ack() { "The SYN-ACK" } else { "The SYN" };
                            out.syn_mss.push((format!("{what} reached {}", node_name(trace, *node)), m));
                        }
                    }
                    Transport::Tcp(tcp) if trace.nodes[*node as usize].kind == wirewise_sim::trace::NodeKind::Host => {
                        out.max_data = out.max_data.max(tcp.payload.len());
                    }
                    Transport::Fragment(_) => out.fragments += 1,
                    _ => {}
                }
            }
            EventKind::FrameTx { frame, from, .. } => {
                let Ok(f) = Frame::parse(&trace.frames[*frame as usize].bytes) else { continue };
                if let FramePayload::Ipv4(p) = f.payload {
                    if let Transport::Icmp(IcmpRepr::DestUnreachable { code: 4, next_hop_mtu, .. }) = p.transport {
                        if trace.nodes[*from as usize].kind == wirewise_sim::trace::NodeKind::Router {
                            out.icmp_sent.push((e.t, next_hop_mtu));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The path as a chain of nodes and links (the presets build it in order), each link with its
/// MTU from the trace.
fn path(trace: &Trace) -> Html {
    let min_mtu = trace.links.iter().map(|l| l.mtu).min().unwrap_or(1500);
    html! {
        <ol class="ww-pm-path" aria-label="The path and the MTU of each link">
            { for trace.links.iter().enumerate().map(|(i, l)| html! {
                <>
                    if i == 0 { <li class="ww-pm-node">{ node_name(trace, l.a) }</li> }
                    <li class={classes!("ww-pm-link", (l.mtu == min_mtu && l.mtu < 1500).then_some("ww-pm-narrow"))}>
                        { format!("MTU {}", format::thousands(u64::from(l.mtu))) }
                    </li>
                    <li class="ww-pm-node">{ node_name(trace, l.b) }</li>
                </>
            }) }
        </ol>
    }
}

/// The path with its MTUs and what has happened so far.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let case = params.choice("case");
    let mtu = params.num("mtu");
    let x = tally(trace, t);
    let done = fetches(trace).into_iter().find(|f| f.end <= t);
    let mut lines: Vec<String> = Vec::new();
    if case == "df-clear" {
        lines.push(format!(
            "A 1,500-byte UDP packet with DF clear meets the {}-byte hop: the router cut it into {} fragment{} so far; \
             the receiver reassembles them and delivers one datagram.",
            format::thousands(mtu.round() as u64),
            x.fragments,
            if x.fragments == 1 { "" } else { "s" }
        ));
    } else {
        for (node, mss) in &x.syn_mss {
            lines.push(format!("{node} offering MSS {mss}."));
        }
        if x.too_big > 0 {
            lines.push(format!("{} full-size packets were too big for the tunnel and dropped.", x.too_big));
        }
        if let Some((at, m)) = x.icmp_sent.first() {
            lines.push(format!(
                "The router sent {} ICMP \"fragmentation needed, next-hop MTU {m}\" (first at {}).",
                x.icmp_sent.len(),
                format::duration(at.0)
            ));
        }
        if x.icmp_lost > 0 {
            lines.push(format!("A firewall dropped {} of them: the server never learns the MTU.", x.icmp_lost));
        }
        if x.max_data > 0 {
            lines.push(format!("Largest data segment delivered so far: {} bytes of payload.", x.max_data));
        }
    }
    let verdict = match (case, done) {
        ("df-clear", _) => "Fragmentation works, but every lost fragment loses the whole datagram, and routers and firewalls often drop fragments.".to_string(),
        (_, Some(f)) => format!("The 20 KB response arrived {} after connect().", format::duration(f.took().0)),
        ("black-hole", None) if t.0 > 2_000_000_000 => {
            "The handshake succeeded, yet no data gets through: the server keeps resending packets too big for the tunnel, backing off each time. This is the PMTUD black hole.".to_string()
        }
        _ => "The response has not arrived yet.".to_string(),
    };
    html! {
        <div class="ww-pm" role="group" aria-label="Path MTU discovery">
            { path(trace) }
            <ul class="ww-pm-facts">{ for lines.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ul>
            <p class="ww-compare-note" aria-live="polite">{ verdict }</p>
        </div>
    }
}
