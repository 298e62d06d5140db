//! `encapsulation`: one HTTP request, or one DNS query, wrapped layer by layer. The
//! `http-request` preset sends the request the learner writes (method, path, a header, a JSON
//! body, padded to a size), in a TLS record or not, over a link of the chosen MTU, with
//! TCP_MAXSEG set or not; in DNS mode it sends a query for the typed name over UDP, padded with
//! EDNS(0) and with DF set or clear. The view reads the client's data frames back from the trace
//! (`wirewise_sim::encap`) and draws them as the application bytes, then cut into TCP segments at
//! the MSS (or one UDP datagram), then wrapped in IPv4 (fragmented when DF is clear and the
//! datagram is bigger than the MTU), then in Ethernet, with every header size, the segment count
//! and the overhead taken from the frames' dissections.

use super::runner::{run_preset, Run};
use super::Runs;
use crate::widgets::format;
use crate::widgets::packet_detail::{layer_name, PacketInspector};
use crate::widgets::styled::{width_style, Styled};
use std::rc::Rc;
use wirewise_sim::encap::{sent_data, Encapsulation};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{AppCall, EventKind};
use wirewise_sim::wire::Layer;
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real bytes from a simulated Linux client: the request or DNS query is exactly what you \
     typed, and the segment sizes, headers (20-byte IPv4, 32-byte TCP with timestamps, 8-byte UDP, 14-byte \
     Ethernet), the MSS each side offered and the IP fragments are read from the captured frames. TCP_MAXSEG is \
     set before connect(), as Linux needs for it to change the SYN. HTTPS is modelled: the request and the response \
     each travel in a TLS 1.3 record with its real header and sizes (5 + data + 1 + 16 bytes), but the body is XORed \
     with a fixed keystream, not AES-GCM, and the handshake is left out. The DNS query pads with an EDNS(0) Padding \
     option; the server's answer leaves the OPT record out. The DF switch models IP_PMTUDISC_DO (set) and \
     IP_PMTUDISC_DONT (clear), not Linux's UDP default, which fragments big datagrams and sets DF on the rest. The \
     path is one link, so TCP, which cuts its segments to fit, is never fragmented here. The wire's preamble, frame \
     check sequence and inter-frame gap (24 more bytes per frame) are not counted.";

/// Bytes TLS 1.3 adds to each record: 5-byte header, 1-byte inner content type, 16-byte tag.
const TLS_RECORD_EXTRA: usize = 22;
/// Plaintext bytes one record carries at most, plus its extra bytes.
const TLS_RECORD_MAX: usize = (1 << 14) + TLS_RECORD_EXTRA;

/// The layers, innermost first, in the order the figure wraps them (HTTP over TCP).
const STEPS: &[(&str, &str)] = &[
    ("Application bytes", "What your HTTP client hands to write(): request line, headers and a JSON body."),
    ("TCP segments", "The kernel cuts the byte stream at the MSS and puts a TCP header on each piece."),
    ("IPv4 packets", "Each segment gets an IPv4 header: addresses, TTL, DF set, and a checksum."),
    ("Ethernet frames", "Each packet gets an Ethernet header with the next hop's MAC; this is what crosses the wire."),
];

/// The same four steps for a DNS query over UDP.
const DNS_STEPS: &[(&str, &str)] = &[
    ("Application bytes", "What the resolver hands to sendto(): a 12-byte DNS header, the question (the name as length-prefixed labels, type A, class IN) and any EDNS(0) padding."),
    ("UDP datagram", "UDP adds just 8 bytes: source port, destination port 53, length and checksum. No connection, no sequence numbers, no cutting: one sendto() is one datagram."),
    ("IPv4 packets", "The datagram gets an IPv4 header. If it is bigger than the MTU and DF is clear, IP cuts it into fragments, each with its own IPv4 header."),
    ("Ethernet frames", "Each packet or fragment gets an Ethernet header with the next hop's MAC; this is what crosses the wire."),
];

/// The controls that do not apply in the current mode: the HTTP request's own (method,
/// path, header, body, HTTPS, TCP_MAXSEG) when a DNS query is carried, and the UDP-only DF
/// switch and DNS name when an HTTP request is.
pub fn inapplicable(params: &ParamSet) -> &'static [&'static str] {
    if params.choice("mode") == "dns" {
        &["tls", "method", "path", "header", "body", "mss"]
    } else {
        &["df", "name"]
    }
}

/// Runs one request (or one DNS query) on a fresh socket.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let pairs = [
        ("tls", if params.flag("tls") { "on" } else { "off" }.to_string()),
        ("method", params.choice("method").to_string()),
        ("path", params.text("path").to_string()),
        ("header", params.text("header").to_string()),
        ("body", params.text("body").to_string()),
        ("pad", params.num("request").to_string()),
        ("mtu", params.num("mtu").to_string()),
        ("mode", params.choice("mode").to_string()),
        ("mss", params.num("mss").to_string()),
        ("df", if params.flag("df") { "on" } else { "off" }.to_string()),
        ("name", params.text("name").to_string()),
    ];
    let main = run_preset("http-request", &pairs, seed)?;
    Ok(Runs { main, others: Vec::new() })
}

/// The stepper and the frames.
pub fn view(runs: &Runs, params: &ParamSet, t: Instant) -> Html {
    let dns = params.choice("mode") == "dns";
    let line = if dns {
        format!("{} A?", params.text("name").trim().trim_end_matches('.'))
    } else {
        let path = params.text("path").trim();
        format!("{} {} HTTP/1.1", params.choice("method"), if path.is_empty() { "/" } else { path })
    };
    let mss = params.num("mss").round();
    html! {
        <EncapView run={runs.main.clone()} {t} tls={params.flag("tls") && !dns} {dns} {line}
            mtu={params.num("mtu").round() as usize} user_mss={(mss >= 1.0).then_some(mss as usize)}
            df={params.flag("df")} />
    }
}

#[derive(Properties, PartialEq)]
struct EncapProps {
    run: Rc<Run>,
    t: Instant,
    tls: bool,
    dns: bool,
    line: String,
    mtu: usize,
    user_mss: Option<usize>,
    df: bool,
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

/// Why the client sent nothing, from its notes (EMSGSIZE with DF set), if it said.
fn refusal(run: &Run) -> Option<String> {
    run.trace.events.iter().find_map(|ev| match &ev.kind {
        EventKind::App { node: 0, call: AppCall::Note { text } } if text.contains("EMSGSIZE") => Some(text.clone()),
        _ => None,
    })
}

/// Which limit set the segment size, in words: TCP_MAXSEG when the client's SYN offered less
/// than the MTU allows, else the MTU (or the server's smaller offer).
fn mss_limit(e: &Encapsulation, mtu: usize, user_mss: Option<usize>) -> String {
    let mtu_mss = mtu.saturating_sub(40);
    let own = e.own_mss.map_or(mtu_mss, usize::from);
    let peer = e.peer_mss.map_or(mtu_mss, usize::from);
    let ts = if e.headers_of(Layer::Tcp) / e.segments.len().max(1) >= 32 { 12 } else { 0 };
    let cap = |m: usize| {
        if ts > 0 {
            format!(
                "{m}, less 12 bytes for the timestamp option: at most {} bytes of data per segment",
                m.saturating_sub(ts)
            )
        } else {
            format!("at most {m} bytes of data per segment")
        }
    };
    if own < mtu_mss {
        format!("TCP_MAXSEG: min({own}, MTU {mtu} − 40 = {mtu_mss}) = {}", cap(own.min(peer)))
    } else {
        let ignored = match user_mss {
            Some(u) => format!(" (TCP_MAXSEG {} is not smaller, so it changes nothing)", u.max(88)),
            None => String::new(),
        };
        format!("the MTU: {mtu} − 40 = {}{ignored}", cap(own.min(peer)))
    }
}

#[component]
fn EncapView(props: &EncapProps) -> Html {
    let steps = if props.dns { DNS_STEPS } else { STEPS };
    let step = use_state(|| STEPS.len() - 1);
    let chosen = use_state(|| 0usize);
    let e = sent_data(&props.run.trace, 0);
    if e.segments.is_empty() {
        let msg = match refusal(&props.run) {
            Some(_) if props.dns => format!(
                "Nothing left the client: sendto() failed with EMSGSIZE. The query plus its 8-byte UDP header and \
                 20-byte IPv4 header is bigger than the {}-byte MTU, and DF is set, so IP may not cut it into \
                 fragments. Clear \"Don't fragment\" to see it fragmented, or pad it less.",
                format::thousands(props.mtu as u64)
            ),
            _ => "The client sent no data in this run.".to_string(),
        };
        return html! { <p class="ww-enc-none" role="status">{ msg }</p> };
    }
    let server = sent_data(&props.run.trace, 1);
    let s = (*step).min(steps.len() - 1);
    let fragmented = e.fragmented();
    // A fragmented datagram is wrapped in IPv4 fragments, not one packet: name the step so.
    let step_name = |i: usize| if fragmented && i == 2 { "IPv4 fragments" } else { steps[i].0 };
    let name = step_name(s);
    let about = if fragmented && s == 2 {
        "The datagram is bigger than the MTU and DF is clear, so IP cuts it into fragments, each with its own IPv4 header, offset and MF flag (the table below). Only the first carries the UDP header."
    } else {
        steps[s].1
    };
    let about = if s == 0 && props.tls {
        "With HTTPS, TLS seals the request in a record before write() sees it: a 5-byte header, the request, 1 byte of content type and a 16-byte authentication tag. TCP only ever sees the record."
    } else if s == 1 && fragmented {
        "UDP adds just 8 bytes: source port, destination port 53, length and checksum, and hands IP one datagram. It is bigger than the MTU, so the rows already show where IP will cut it at the next step: only the first piece will carry the UDP header."
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
    let unit = if fragmented {
        "Fragment"
    } else if props.dns {
        "Datagram"
    } else {
        "Segment"
    };

    let rows = e.segments.iter().enumerate().map(|(i, seg)| {
        let parts: Vec<(Layer, usize)> = seg.layers.iter().copied().filter(|(l, _)| shown(s, *l)).collect();
        let total: usize = parts.iter().map(|(_, n)| n).sum();
        let label = parts.iter().map(|(l, n)| format!("{} {n}", short_name(*l))).collect::<Vec<_>>().join(" + ");
        let is_sent = seg.sent <= props.t;
        let onclick = {
            let chosen = chosen.clone();
            Callback::from(move |_| chosen.set(i))
        };
        let frag_note = match seg.frag {
            Some(f) if s >= 2 => format!(", offset {}{}", f.offset, if f.more { ", MF" } else { "" }),
            _ => String::new(),
        };
        html! {
            <li class={classes!("ww-enc-row", (!is_sent).then_some("ww-enc-pending"))}>
                <button type="button" class={classes!("ww-enc-pick", (i == pick).then_some("ww-enc-picked"))}
                    aria-pressed={(i == pick).to_string()} {onclick}
                    aria-label={format!("{unit} {} of {}: {label} = {total} bytes{frag_note}{}", i + 1, e.segments.len(), if is_sent { ", sent" } else { ", not sent yet" })}>
                    { format!("#{}", i + 1) }
                </button>
                <Styled class="ww-enc-bar" style={width_style(total as f64 * 100.0 / max_len as f64, 0)} aria_hidden="true">
                    { for parts.iter().map(|(l, n)| html! {
                        <Styled tag="span" class={classes!("ww-enc-part", layer_class(*l))} style={vec![("flex", format!("{n} 0 0"))]}
                            title={format!("{} {n} bytes", short_name(*l))}>
                            if *n >= 14 { { if *l == Layer::Payload { format!("{n}") } else { short_name(*l).chars().take(3).collect::<String>() } } }
                        </Styled>
                    }) }
                </Styled>
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
        let text = match (*l, seg.frag) {
            (Layer::Payload, Some(f)) if f.offset > 0 => {
                format!("{n} bytes of the UDP datagram, from byte {} on", f.offset)
            }
            (Layer::Payload, _) if props.dns => format!("{n} bytes of the DNS query"),
            (Layer::Payload, _) if props.tls => format!("{n} bytes of the TLS record"),
            (Layer::Payload, _) => format!("{n} bytes of the request"),
            (Layer::Ipv4, Some(f)) => format!(
                "IPv4 header · {n} bytes · ID 0x{:04x}, fragment offset {} ({} × 8), MF {}",
                f.ident,
                f.offset,
                f.offset / 8,
                u8::from(f.more)
            ),
            _ => format!("{} header · {n} bytes", short_name(*l)),
        };
        html! {
            <div class={classes!("ww-enc-box", layer_class(*l))}>
                <span class="ww-enc-box-label">{ text }</span>
                { inner }
            </div>
        }
    });

    let step_buttons = (0..steps.len()).map(|i| {
        let n = step_name(i);
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
    let last = steps.len() - 1;
    let next = {
        let step = step.clone();
        Callback::from(move |_| step.set((s + 1).min(last)))
    };
    let line = props.line.clone();
    let n = e.segments.len();
    let ident = e.segments.iter().find_map(|x| x.frag).map(|f| f.ident);
    let whole = ident.and_then(|id| e.reassembled_len(id));
    let unwrap: Vec<String> = if props.dns {
        let mut v = vec![if n == 1 {
            "Ethernet: the server's NIC checks and strips the 14-byte header.".to_string()
        } else {
            format!("Ethernet: the server's NIC checks and strips {n} frames' 14-byte headers.")
        }];
        match (ident, whole) {
            (Some(id), Some(len)) => v.push(format!(
                "IPv4: the kernel keeps the {n} fragments with ID 0x{id:04x} until the one without MF has come, puts their data back together by offset ({} bytes) and strips the 20-byte headers.",
                format::thousands(len as u64)
            )),
            _ => v.push("IPv4: the kernel checks the 20-byte header (checksum, destination) and strips it.".into()),
        }
        v.push(format!(
            "UDP: the 8-byte header says length {}; the checksum is checked and {} bytes go to the socket bound to port 53.",
            format::thousands((payload + 8) as u64),
            format::thousands(payload as u64)
        ));
        v.push(if server.payload() > 0 {
            format!(
                "DNS: the server reads the question \"{line}\" and answers in one datagram of {} bytes (UDP 8 + DNS {}).",
                server.payload() + 8,
                server.payload()
            )
        } else {
            format!("DNS: the server reads the question \"{line}\"; no answer was sent in this run.")
        });
        v
    } else {
        let mut v = if n == 1 {
            vec![
                "Ethernet: the server's NIC checks and strips the 14-byte header.".to_string(),
                "IPv4: the kernel checks the 20-byte header (checksum, destination) and strips it.".to_string(),
                format!(
                    "TCP: the one segment's {} bytes go into the connection's byte stream; an ACK goes back.",
                    format::thousands(e.payload() as u64)
                ),
            ]
        } else {
            vec![
                format!("Ethernet: the server's NIC checks and strips {n} frames' 14-byte headers."),
                format!("IPv4: the kernel checks each 20-byte header (checksum, destination) and strips it: {n} packets."),
                format!(
                    "TCP: {n} segments are put back in order by sequence number into one byte stream of {} bytes; ACKs go back.",
                    format::thousands(e.payload() as u64)
                ),
            ]
        };
        if props.tls {
            v.push(format!("TLS: the record is authenticated and decrypted; {tls_extra} bytes of record header, content type and tag are removed."));
        }
        v.push(format!(
            "HTTP: the server parses \"{line}\", the headers and Content-Length, and reads {} bytes of request.",
            format::thousands(payload as u64)
        ));
        if props.tls && server.payload() > 0 {
            v.push(format!(
                "The response goes back the same way, sealed in its own TLS record: {} bytes of HTTP become {} bytes of record, which the client opens before it reads the response.",
                server.payload().saturating_sub(TLS_RECORD_EXTRA),
                server.payload()
            ));
        }
        v
    };
    let own = e.own_mss.map(|m| format!("{m}")).unwrap_or_else(|| "–".into());
    let peer = e.peer_mss.map(|m| format!("{m}")).unwrap_or_else(|| "–".into());
    let full = e.segments.iter().map(|x| x.payload).max().unwrap_or(0);
    let frame_bytes = props.run.trace.frames.get(seg.frame as usize).map(|f| Rc::new(f.bytes.clone()));
    let per = |l: Layer| e.headers_of(l) / n;
    let stats = if props.dns {
        let ip_whole = payload + 8 + 20;
        html! { <>
            <div><dt>{ "UDP datagram" }</dt><dd class="ww-enc-udp">{ format!("UDP header 8 + DNS {} = {} bytes (the UDP Length field)", format::thousands(payload as u64), format::thousands((payload + 8) as u64)) }</dd></div>
            <div><dt>{ "As one IPv4 packet" }</dt><dd>{ if ip_whole <= props.mtu {
                format!("{} bytes: fits the {}-byte MTU", format::thousands(ip_whole as u64), format::thousands(props.mtu as u64))
            } else {
                format!("{} bytes: over the {}-byte MTU, so {n} fragments", format::thousands(ip_whole as u64), format::thousands(props.mtu as u64))
            } }</dd></div>
            <div><dt>{ "Frames" }</dt><dd>{ format!("{n} ({sent} sent so far)") }</dd></div>
            <div><dt>{ "Headers at this step" }</dt><dd>{ format!("{} bytes ({}% of all bytes)", format::thousands(headers_shown as u64), format::significant(pct, 3)) }</dd></div>
            <div><dt>{ "Per frame" }</dt><dd>{ if fragmented {
                format!("UDP 8 (first fragment only) · IPv4 {} · Ethernet {} bytes", per(Layer::Ipv4), per(Layer::Ethernet))
            } else {
                format!("UDP {} · IPv4 {} · Ethernet {} bytes", per(Layer::Udp), per(Layer::Ipv4), per(Layer::Ethernet))
            } }</dd></div>
        </> }
    } else {
        html! { <>
            <div><dt>{ "Segments" }</dt><dd>{ format!("{} ({sent} sent so far)", e.segments.len()) }</dd></div>
            <div><dt>{ "MSS offered in the SYNs" }</dt><dd>{ format!("client {own} · server {peer} bytes") }</dd></div>
            <div class="ww-enc-wide"><dt>{ "Segment size set by" }</dt><dd class="ww-enc-limit">{ mss_limit(&e, props.mtu, props.user_mss) }</dd></div>
            <div><dt>{ "Largest payload per segment" }</dt><dd>{ format!("{full} bytes") }</dd></div>
            <div><dt>{ "Headers at this step" }</dt><dd>{ format!("{} bytes ({}% of all bytes)", format::thousands(headers_shown as u64), format::significant(pct, 3)) }</dd></div>
            <div><dt>{ "Per frame" }</dt><dd>{ format!("TCP {} · IPv4 {} · Ethernet {} bytes", per(Layer::Tcp), per(Layer::Ipv4), per(Layer::Ethernet)) }</dd></div>
        </> }
    };
    let frags = match ident {
        Some(id) if s >= 2 => {
            let list = e.fragments(id);
            let chunk = list.first().map_or(0, |f| f.data);
            html! {
                <div class="ww-enc-frag-layer">
                    <h4 class="ww-enc-h">{ format!("IP fragments: one {}-byte datagram in {} pieces", format::thousands((payload + 8) as u64), list.len()) }</h4>
                    <p class="ww-enc-note">{ format!(
                        "As one packet it would be {} bytes, more than the {}-byte MTU, and DF is clear, so IP cuts the datagram after the header into pieces of at most {chunk} bytes ({} − 20, rounded down to a multiple of 8, because the offset field counts 8-byte units). Every piece gets its own IPv4 header with the same ID; all but the last have MF (more fragments) set. Only the first carries the UDP header, so a router or firewall sees no port numbers in the others. Lose one piece and the whole datagram is lost.",
                        format::thousands((payload + 28) as u64), format::thousands(props.mtu as u64), props.mtu
                    ) }</p>
                    <table class="ww-enc-frags ww-udp-table">
                        <thead><tr><th>{ "Fragment" }</th><th>{ "Offset (bytes)" }</th><th>{ "Offset field (÷ 8)" }</th><th>{ "MF" }</th><th>{ "Data bytes" }</th><th>{ "IPv4 total length" }</th></tr></thead>
                        <tbody>{ for list.iter().enumerate().map(|(i, f)| html! {
                            <tr><td>{ format!("#{}", i + 1) }</td><td>{ f.offset }</td><td>{ f.offset / 8 }</td>
                                <td>{ if f.more { "1" } else { "0" } }</td><td>{ f.data }</td><td>{ f.data + 20 }</td></tr>
                        }) }</tbody>
                    </table>
                    if let Some(len) = whole {
                        <p class="ww-enc-note">{ format!("Reassembled at the server: last offset {} + {} bytes = {} bytes (8 of UDP header + {} of DNS).",
                            list.last().map_or(0, |f| f.offset), list.last().map_or(0, |f| f.data), format::thousands(len as u64), format::thousands(len.saturating_sub(8) as u64)) }</p>
                    }
                </div>
            }
        }
        _ => Html::default(),
    };
    let df_note = if !props.dns && !props.df {
        html! { <p class="ww-enc-note ww-enc-df">{ format!(
            "DF clear changes nothing here. TCP never hands IP more than fits: each segment is cut at the MSS, so every packet is at most {} bytes and fits the MTU as it leaves the client. Only a router with a smaller next-hop MTU could fragment a TCP packet, and this path has none (the pmtud figure has one). Linux's TCP keeps DF set anyway, to find such a router (path-MTU discovery). Switch to DNS over UDP to watch IP fragment a datagram.",
            format::thousands(props.mtu as u64)
        ) }</p> }
    } else if props.dns && props.user_mss.is_some() {
        html! { <p class="ww-enc-note">{ "The MSS slider is a TCP setting (TCP_MAXSEG); UDP has no segments, so it does not apply to the DNS query." }</p> }
    } else {
        Html::default()
    };
    let (transport, what) = if props.dns { ("UDP", "DNS query") } else { ("TCP", "HTTP request") };

    html! {
        <div class="ww-enc" role="group" aria-label={format!("Encapsulation of one {what}")}>
            <p class="ww-enc-request"><code>{ line.clone() }</code>{ format!(" · {} bytes of {what}", format::thousands(payload as u64)) }
                if props.tls { { format!(" · {} bytes as TLS records", format::thousands(e.payload() as u64)) } }</p>
            <div class="ww-enc-steps" role="group" aria-label="Wrap the request layer by layer">
                <button type="button" class="ww-small-button" onclick={prev} disabled={s == 0}>{ "◀ Unwrap" }</button>
                { for step_buttons }
                <button type="button" class="ww-small-button" onclick={next} disabled={s == last}>{ "Wrap ▶" }</button>
            </div>
            <p class="ww-enc-about" aria-live="polite"><strong>{ format!("{name}: ") }</strong>{ about }</p>
            <dl class="ww-enc-stats">{ stats }</dl>
            { df_note }
            <ol class="ww-enc-rows" aria-label={format!("The {what}'s {}s, in the order they were sent", unit.to_lowercase())}>{ for rows }</ol>
            <p class="ww-enc-legend" aria-hidden="true">
                <span class="ww-enc-key ww-enc-eth">{ "Ethernet" }</span>
                <span class="ww-enc-key ww-enc-ip">{ "IPv4" }</span>
                <span class="ww-enc-key ww-enc-tcp">{ transport }</span>
                <span class="ww-enc-key ww-enc-app">{ "data" }</span>
            </p>
            { frags }
            <h4 class="ww-enc-h">{ "Unwrapped at the server, outermost first" }</h4>
            <ol class="ww-enc-unwrap">{ for unwrap.iter().map(|u| html! { <li>{ u.clone() }</li> }) }</ol>
            <h4 class="ww-enc-h">{ format!("{unit} #{} as nested boxes", pick + 1) }</h4>
            { nested }
            if let Some(bytes) = frame_bytes {
                <details class="ww-enc-bytes">
                    <summary>{ format!("Inspect the {} bytes of {} #{}", seg.len, unit.to_lowercase(), pick + 1) }</summary>
                    <PacketInspector {bytes} key={seg.frame.to_string()} />
                </details>
            }
        </div>
    }
}
