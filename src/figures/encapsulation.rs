//! `encapsulation`: one HTTP request wrapped layer by layer. The `http-request` preset sends the
//! request the learner writes (method, path, a header, a JSON body, padded to a size), in a
//! TLS record or not, over a link of the chosen MTU; the view reads the client's data frames
//! back from the trace (`wirewise_sim::encap`) and draws them as the application bytes, then
//! cut into TCP segments at the MSS, then wrapped in IPv4, then in Ethernet, with every
//! header size, the segment count and the overhead taken from the frames' dissections.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::packet_detail::{layer_name, PacketInspector};
use std::rc::Rc;
use wirewise_sim::encap::sent_data;
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::wire::Layer;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real bytes from a simulated Linux client: the request is exactly what you typed, and the \
     segment sizes, headers (20-byte IPv4, 32-byte TCP with timestamps, 14-byte Ethernet) and MSS are read from \
     the captured frames. HTTPS is modelled: the TLS 1.3 record has its real header and sizes (5 + data + 1 + 16 \
     bytes), but its body is the request XORed with a fixed keystream, not AES-GCM, and the handshake is left \
     out. The wire's preamble, frame check sequence and inter-frame gap (24 more bytes per frame) are not \
     counted.";

/// Bytes TLS 1.3 adds to each record: 5-byte header, 1-byte inner content type, 16-byte tag.
const TLS_RECORD_EXTRA: usize = 22;
/// Plaintext bytes one record carries at most, plus its extra bytes.
const TLS_RECORD_MAX: usize = (1 << 14) + TLS_RECORD_EXTRA;

/// The layers, innermost first, in the order the figure wraps them.
const STEPS: &[(&str, &str)] = &[
    ("Application bytes", "What your HTTP client hands to write(): request line, headers and a JSON body."),
    ("TCP segments", "The kernel cuts the byte stream at the MSS and puts a TCP header on each piece."),
    ("IPv4 packets", "Each segment gets an IPv4 header: addresses, TTL, DF set, and a checksum."),
    ("Ethernet frames", "Each packet gets an Ethernet header with the next hop's MAC; this is what crosses the wire."),
];

/// Runs one request on a fresh connection.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let pairs = [
        ("tls", if params.flag("tls") { "on" } else { "off" }.to_string()),
        ("method", params.choice("method").to_string()),
        ("path", params.text("path").to_string()),
        ("header", params.text("header").to_string()),
        ("body", params.text("body").to_string()),
        ("pad", params.num("request").to_string()),
        ("mtu", params.num("mtu").to_string()),
    ];
    let main = run_preset("http-request", &pairs, seed)?;
    Ok(Runs { main, others: Vec::new() })
}

/// The stepper and the frames.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let path = params.text("path").trim();
    let line = format!("{} {} HTTP/1.1", params.choice("method"), if path.is_empty() { "/" } else { path });
    html! { <EncapView run={runs.main.clone()} {t} tls={params.flag("tls")} {line} /> }
}

#[derive(Properties, PartialEq)]
struct EncapProps {
    run: Rc<Run>,
    t: Instant,
    tls: bool,
    line: String,
}

fn layer_class(l: Layer) -> &'static str {
    match l {
        Layer::Ethernet => "ww-enc-eth",
        Layer::Ipv4 => "ww-enc-ip",
        Layer::Tcp | Layer::Udp => "ww-enc-tcp",
        _ => "ww-enc-app",
    }
}

fn short_name(l: Layer) -> &'static str {
    match l {
        Layer::Payload => "data",
        Layer::Ipv4 => "IPv4",
        Layer::Ethernet => "Ethernet",
        other => layer_name(other),
    }
}

/// Which layers show at step `step` (0 = application bytes only).
fn shown(step: usize, l: Layer) -> bool {
    match l {
        Layer::Payload => true,
        Layer::Tcp | Layer::Udp => step >= 1,
        Layer::Ipv4 => step >= 2,
        Layer::Ethernet => step >= 3,
        _ => step >= 3,
    }
}

#[component]
fn EncapView(props: &EncapProps) -> Html {
    let step = use_state(|| STEPS.len() - 1);
    let chosen = use_state(|| 0usize);
    let e = sent_data(&props.run.trace, 0);
    if e.segments.is_empty() {
        return html! { <p class="ww-error" role="alert">{ "The client sent no data in this run." }</p> };
    }
    let s = *step;
    let (name, about) = STEPS[s];
    let about = if s == 0 && props.tls {
        "With HTTPS, TLS seals the request in a record before write() sees it: a 5-byte header, the request, 1 byte of content type and a 16-byte authentication tag. TCP only ever sees the record."
    } else {
        about
    };
    let max_len = e.segments.iter().map(|x| x.len).max().unwrap_or(1).max(1);
    let headers_shown: usize = e
        .segments
        .iter()
        .flat_map(|x| x.layers.iter())
        .filter(|(l, _)| *l != Layer::Payload && shown(s, *l))
        .map(|(_, n)| n)
        .sum();
    // With TLS the segments carry records: the HTTP bytes plus 22 bytes per record.
    let tls_extra = if props.tls { e.payload().div_ceil(TLS_RECORD_MAX) * TLS_RECORD_EXTRA } else { 0 };
    let payload = e.payload() - tls_extra.min(e.payload());
    let headers_shown = headers_shown + tls_extra;
    let pct = if payload + headers_shown == 0 {
        0.0
    } else {
        headers_shown as f64 * 100.0 / (payload + headers_shown) as f64
    };
    let sent = e.segments.iter().filter(|x| x.sent <= props.t).count();
    let pick = (*chosen).min(e.segments.len() - 1);

    let rows = e.segments.iter().enumerate().map(|(i, seg)| {
        let parts: Vec<(Layer, usize)> = seg.layers.iter().copied().filter(|(l, _)| shown(s, *l)).collect();
        let total: usize = parts.iter().map(|(_, n)| n).sum();
        let label = parts.iter().map(|(l, n)| format!("{} {n}", short_name(*l))).collect::<Vec<_>>().join(" + ");
        let is_sent = seg.sent <= props.t;
        let onclick = {
            let chosen = chosen.clone();
            Callback::from(move |_| chosen.set(i))
        };
        html! {
            <li class={classes!("ww-enc-row", (!is_sent).then_some("ww-enc-pending"))}>
                <button type="button" class={classes!("ww-enc-pick", (i == pick).then_some("ww-enc-picked"))}
                    aria-pressed={(i == pick).to_string()} {onclick}
                    aria-label={format!("Segment {} of {}: {label} = {total} bytes{}", i + 1, e.segments.len(), if is_sent { ", sent" } else { ", not sent yet" })}>
                    { format!("#{}", i + 1) }
                </button>
                <div class="ww-enc-bar" style={format!("width: {:.2}%", total as f64 * 100.0 / max_len as f64)} aria-hidden="true">
                    { for parts.iter().map(|(l, n)| html! {
                        <span class={classes!("ww-enc-part", layer_class(*l))} style={format!("flex: {n} 0 0")}
                            title={format!("{} {n} bytes", short_name(*l))}>
                            if *n >= 14 { { if *l == Layer::Payload { format!("{n}") } else { short_name(*l).chars().take(3).collect::<String>() } } }
                        </span>
                    }) }
                </div>
                <span class="ww-enc-total">{ format!("{total} B") }</span>
            </li>
        }
    });

    // The chosen segment as nested boxes, outermost first.
    let seg = &e.segments[pick];
    let nested = seg.layers.iter().rev().fold(Html::default(), |inner, (l, n)| {
        if !shown(s, *l) {
            return inner;
        }
        let text = if *l == Layer::Payload {
            if props.tls {
                format!("{n} bytes of the TLS record")
            } else {
                format!("{n} bytes of the request")
            }
        } else {
            format!("{} header · {n} bytes", short_name(*l))
        };
        html! {
            <div class={classes!("ww-enc-box", layer_class(*l))}>
                <span class="ww-enc-box-label">{ text }</span>
                { inner }
            </div>
        }
    });

    let step_buttons = STEPS.iter().enumerate().map(|(i, (n, _))| {
        let onclick = {
            let step = step.clone();
            Callback::from(move |_| step.set(i))
        };
        html! {
            <button type="button" class={classes!("ww-small-button", (i == s).then_some("ww-enc-step-on"))}
                aria-pressed={(i == s).to_string()} {onclick}>{ format!("{}. {n}", i + 1) }</button>
        }
    });
    let prev = {
        let step = step.clone();
        Callback::from(move |_| step.set(s.saturating_sub(1)))
    };
    let next = {
        let step = step.clone();
        Callback::from(move |_| step.set((s + 1).min(STEPS.len() - 1)))
    };
    let line = props.line.clone();
    let n = e.segments.len();
    let unwrap: Vec<String> = {
        let mut v = vec![
            format!("Ethernet: the server's NIC checks and strips {} frames' 14-byte headers.", n),
            format!("IPv4: the kernel checks each 20-byte header (checksum, destination) and strips it: {} packets.", n),
            format!(
                "TCP: {} segments are put back in order by sequence number into one byte stream of {} bytes; ACKs go back.",
                n,
                format::thousands(e.payload() as u64)
            ),
        ];
        if props.tls {
            v.push(format!("TLS: the record is authenticated and decrypted; {tls_extra} bytes of record header, content type and tag are removed."));
        }
        v.push(format!(
            "HTTP: the server parses \"{line}\", the headers and Content-Length, and reads {} bytes of request.",
            format::thousands(payload as u64)
        ));
        v
    };
    let mss = e.peer_mss.map(|m| format!("{m} bytes")).unwrap_or_else(|| "not captured".into());
    let full = e.segments.iter().map(|x| x.payload).max().unwrap_or(0);
    let frame_bytes = props.run.trace.frames.get(seg.frame as usize).map(|f| Rc::new(f.bytes.clone()));

    html! {
        <div class="ww-enc" role="group" aria-label="Encapsulation of one HTTP request">
            <p class="ww-enc-request"><code>{ line.clone() }</code>{ format!(" · {} bytes of HTTP request", format::thousands(payload as u64)) }
                if props.tls { { format!(" · {} bytes as TLS records", format::thousands(e.payload() as u64)) } }</p>
            <div class="ww-enc-steps" role="group" aria-label="Wrap the request layer by layer">
                <button type="button" class="ww-small-button" onclick={prev} disabled={s == 0}>{ "◀ Unwrap" }</button>
                { for step_buttons }
                <button type="button" class="ww-small-button" onclick={next} disabled={s + 1 == STEPS.len()}>{ "Wrap ▶" }</button>
            </div>
            <p class="ww-enc-about" aria-live="polite"><strong>{ format!("{name}: ") }</strong>{ about }</p>
            <dl class="ww-enc-stats">
                <div><dt>{ "Segments" }</dt><dd>{ format!("{} ({sent} sent so far)", e.segments.len()) }</dd></div>
                <div><dt>{ "MSS the server advertised" }</dt><dd>{ mss.clone() }</dd></div>
                <div><dt>{ "Largest payload per segment" }</dt><dd>{ format!("{full} bytes") }</dd></div>
                <div><dt>{ "Headers at this step" }</dt><dd>{ format!("{} bytes ({}% of all bytes)", format::thousands(headers_shown as u64), format::significant(pct, 3)) }</dd></div>
                <div><dt>{ "Per frame" }</dt><dd>{ format!("TCP {} · IPv4 {} · Ethernet {} bytes",
                    e.headers_of(Layer::Tcp) / e.segments.len(), e.headers_of(Layer::Ipv4) / e.segments.len(), e.headers_of(Layer::Ethernet) / e.segments.len()) }</dd></div>
            </dl>
            <ol class="ww-enc-rows" aria-label="The request's segments, in the order they were sent">{ for rows }</ol>
            <p class="ww-enc-legend" aria-hidden="true">
                <span class="ww-enc-key ww-enc-eth">{ "Ethernet" }</span>
                <span class="ww-enc-key ww-enc-ip">{ "IPv4" }</span>
                <span class="ww-enc-key ww-enc-tcp">{ "TCP" }</span>
                <span class="ww-enc-key ww-enc-app">{ "data" }</span>
            </p>
            <h4 class="ww-enc-h">{ "Unwrapped at the server, outermost first" }</h4>
            <ol class="ww-enc-unwrap">{ for unwrap.iter().map(|u| html! { <li>{ u.clone() }</li> }) }</ol>
            <h4 class="ww-enc-h">{ format!("Segment #{} as nested boxes", pick + 1) }</h4>
            { nested }
            if let Some(bytes) = frame_bytes {
                <details class="ww-enc-bytes">
                    <summary>{ format!("Inspect the {} bytes of segment #{}", seg.len, pick + 1) }</summary>
                    <PacketInspector {bytes} key={seg.frame.to_string()} />
                </details>
            }
        </div>
    }
}
