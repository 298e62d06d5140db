//! `#/capture`: open a pcap or pcapng file (file picker or drag and drop) and read it in the
//! course's own views: the packet list with display filters, the packet detail, the ladder,
//! the tcpdump view, and per TCP connection its handshake, retransmissions, duplicate ACKs,
//! zero windows and a time–sequence graph. The file is read in slices in this tab; nothing
//! leaves the browser.

use crate::figures::runner::Run;
use crate::widgets::capture::CapturePanel;
use crate::widgets::ladder::Ladder;
use crate::widgets::packet_detail::PacketDetail;
use crate::widgets::packet_list::PacketList;
use crate::widgets::time_chart::{Chart, Marker, Series};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wirewise_sim::import::{trace_from, Importer};
use wirewise_sim::tcp_analysis::{connections, ConnectionStats};
use wirewise_sim::time::Instant;
use wirewise_sim::trace::FrameId;
use yew::prelude::*;

/// Bytes read from the file between two chances for the page to draw.
pub const CHUNK: f64 = 1024.0 * 1024.0;

/// A capture that has been read.
#[derive(PartialEq)]
struct Opened {
    name: String,
    size: f64,
    run: Rc<Run>,
    problems: Vec<String>,
    conns: Vec<ConnectionStats>,
}

#[derive(Clone, PartialEq)]
enum Load {
    Idle,
    Reading { name: String, read: f64, size: f64, frames: usize },
    Done(Rc<Opened>),
    Failed(String),
}

/// Read `file` in slices into the importer, reporting progress through `state`.
async fn read_file(file: web_sys::File, state: UseStateHandle<Load>) {
    let name = file.name();
    let size = file.size();
    let mut importer = Importer::new();
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + CHUNK).min(size);
        let slice = match file.slice_with_f64_and_f64(offset, end) {
            Ok(b) => b,
            Err(_) => return state.set(Load::Failed(format!("{name}: the browser could not read the file."))),
        };
        let bytes = match JsFuture::from(slice.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => return state.set(Load::Failed(format!("{name}: the browser could not read the file."))),
        };
        if let Err(e) = importer.push(&bytes) {
            // What could be read is kept; the reason joins the problems below.
            let mut opened = finish(name.clone(), size, importer, &state).await;
            opened.problems.insert(0, e.to_string());
            return state.set(Load::Done(Rc::new(opened)));
        }
        offset = end;
        state.set(Load::Reading { name: name.clone(), read: offset, size, frames: importer.frames_read() });
    }
    let opened = finish(name, size, importer, &state).await;
    state.set(Load::Done(Rc::new(opened)));
}

/// Let the page draw and answer before the next step.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Index what was read: the trace the views read, the per-connection figures and the frame
/// labels, one step at a time so that the page keeps drawing in between.
async fn finish(name: String, size: f64, importer: Importer, state: &UseStateHandle<Load>) -> Opened {
    let frames_read = importer.frames_read();
    state.set(Load::Reading { name: format!("{name}: indexing"), read: size, size, frames: frames_read });
    yield_now().await;
    let imported = importer.finish();
    yield_now().await;
    let trace = trace_from(&imported);
    yield_now().await;
    let frames: Vec<_> = imported.frames.iter().map(|(t, f)| (*t, f)).collect();
    let conns = connections(&frames);
    yield_now().await;
    let labels = wirewise_sim::label::frame_labels(&trace);
    let run = Rc::new(Run { trace, labels });
    yield_now().await;
    // The packet list's rows, built now rather than in the first drawing of the views.
    let _ = crate::figures::runner::per_run(&run, wirewise_sim::packet_list::packet_rows);
    Opened { name, size, run, problems: imported.problems, conns }
}

/// A file size in kB or MB.
fn size_text(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.1} kB", bytes / 1e3)
    }
}

/// The capture page.
#[component]
pub fn CapturePage() -> Html {
    let load = use_state(|| Load::Idle);
    let dragging = use_state(|| false);
    let open = {
        let load = load.clone();
        Callback::from(move |file: web_sys::File| {
            load.set(Load::Reading { name: file.name(), read: 0.0, size: file.size(), frames: 0 });
            wasm_bindgen_futures::spawn_local(read_file(file, load.clone()));
        })
    };
    let on_pick = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let input = e.target_dyn_into::<web_sys::HtmlInputElement>();
            if let Some(file) = input.and_then(|i| i.files()).and_then(|f| f.get(0)) {
                open.emit(file);
            }
        })
    };
    let on_drag = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                open.emit(file);
            }
        })
    };
    let status = match &*load {
        Load::Idle => {
            html! { <p>{ "No file yet. Captures from tcpdump (-w), Wireshark or this course's “Download .pcap” all work." }</p> }
        }
        Load::Reading { name, read, size, frames } => {
            let pct = if *size > 0.0 { (read / size * 100.0).floor() } else { 100.0 };
            html! {
                <div class="ww-run-progress" role="status">
                    <span>{ format!("Reading {name}… {pct:.0}% ({frames} frames)") }</span>
                    <progress max="100" value={pct.to_string()} aria-label="Reading progress"></progress>
                </div>
            }
        }
        Load::Failed(why) => html! { <div class="ww-error" role="alert"><p>{ why.clone() }</p></div> },
        Load::Done(_) => Html::default(),
    };
    let body = match &*load {
        Load::Done(opened) => html! { <CaptureViews key={opened.name.clone()} opened={opened.clone()} /> },
        _ => Html::default(),
    };
    html! {
        <article class="ww-figure-page ww-capture-page">
            <nav aria-label="Breadcrumb" class="ww-breadcrumb">
                <ol><li><a href="#/">{ "Course" }</a></li><li aria-current="page">{ "Open a capture" }</li></ol>
            </nav>
            <h1>{ "Open a capture" }</h1>
            <p>{ "Read a capture from your own machine in the course's views. The file is read in this tab; nothing is uploaded." }</p>
            <div class={classes!("ww-dropzone", dragging.then_some("ww-drag"))}
                ondragover={on_drag.clone()} ondragenter={on_drag} ondragleave={on_leave} ondrop={on_drop}>
                <label for="ww-capture-file">{ "Open a capture file" }</label>
                { " " }
                <input id="ww-capture-file" type="file" accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" onchange={on_pick} />
                <p>{ "or drop a .pcap or .pcapng file here." }</p>
            </div>
            { status }
            { body }
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct ViewsProps {
    opened: Rc<Opened>,
}

/// The views of an opened capture.
#[component]
fn CaptureViews(props: &ViewsProps) -> Html {
    let o = &props.opened;
    let run = o.run.clone();
    let span = run.trace.end;
    let t = use_state(|| span);
    let selected = use_state(|| None::<FrameId>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |f| selected.set(f))
    };
    let on_close = {
        let selected = selected.clone();
        Callback::from(move |_| selected.set(None))
    };
    let on_time = {
        let t = t.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target().and_then(|x| x.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                if let Ok(us) = i.value().parse::<f64>() {
                    t.set(Instant((us.max(0.0) * 1000.0) as u64));
                }
            }
        })
    };
    let span_us = span.0 / 1000;
    let problems = crate::widgets::notices("Read with some problems.", &o.problems);
    html! {
        <section class="ww-figure" aria-label={format!("Capture {}", o.name)}>
            <h2>{ format!("{}: {} frames, {}, {}", o.name, run.trace.frames.len(), size_text(o.size),
                crate::widgets::format::duration(span.0)) }</h2>
            { problems }
            <ConnectionTable conns={Rc::new(o.conns.clone())} t={*t} />
            <div class="ww-timeline">
                <label for="ww-capture-t">{ "Time " }</label>
                <input id="ww-capture-t" type="range" aria-label="Time" min="0" max={span_us.to_string()} step="1"
                    value={(t.0 / 1000).to_string()} oninput={on_time} />
                <span>{ format!(" {} of {}", crate::widgets::format::duration(t.0), crate::widgets::format::duration(span.0)) }</span>
            </div>
            <div class="ww-figure-main">
                <div class="ww-ladder-wrap">
                    <Ladder run={run.clone()} t={*t} span={span} selected={*selected} on_select={on_select.clone()} id="ww-cap-ladder" />
                </div>
                <div class="ww-inspect-col">
                    <PacketList run={run.clone()} t={*t} selected={*selected} on_select={on_select} id="ww-cap-pl" />
                    <PacketDetail run={run.clone()} frame={*selected} on_close={on_close} />
                </div>
            </div>
            <CapturePanel run={run} t={*t} id="ww-cap-dump" whole={true} file_stem={format!("wirewise-capture-{}", o.name.trim_end_matches(".pcapng").trim_end_matches(".pcap"))} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ConnProps {
    conns: Rc<Vec<ConnectionStats>>,
    t: Instant,
}

/// Each TCP connection's figures and the time–sequence graph of the one chosen.
#[component]
fn ConnectionTable(props: &ConnProps) -> Html {
    let conns = props.conns.clone();
    // The busiest connection first in view.
    let busiest = conns.iter().enumerate().max_by_key(|(_, c)| bytes_of(c)).map(|(i, _)| i);
    let chosen = use_state(|| busiest);
    let charts = {
        let conns = conns.clone();
        use_memo(*chosen, move |i| i.and_then(|i| conns.get(i)).map(time_sequence_charts))
    };
    if conns.is_empty() {
        return html! { <p>{ "No TCP connections in this capture." }</p> };
    }
    let ms = |d: Option<wirewise_sim::time::Duration>| {
        d.map_or_else(|| "–".to_string(), |d| crate::widgets::format::duration(d.as_nanos()))
    };
    html! {
        <>
            <div class="ww-table-scroll">
                <table class="ww-conn-table">
                    <caption>{ format!("TCP connections: {}", conns.len()) }</caption>
                    <thead><tr>
                        <th scope="col">{ "Client → server" }</th><th scope="col">{ "Handshake RTT" }</th>
                        <th scope="col">{ "Bytes →" }</th><th scope="col">{ "Bytes ←" }</th>
                        <th scope="col">{ "Retransmissions" }</th><th scope="col">{ "Duplicate ACKs" }</th>
                        <th scope="col">{ "Zero windows" }</th><th scope="col">{ "Graph" }</th>
                    </tr></thead>
                    <tbody>
                        { for conns.iter().enumerate().map(|(i, c)| {
                            let [a, b] = &c.directions;
                            let onclick = {
                                let chosen = chosen.clone();
                                Callback::from(move |_: MouseEvent| chosen.set(Some(i)))
                            };
                            html! {
                                <tr class={classes!((*chosen == Some(i)).then_some("ww-selected"))}>
                                    <td>{ format!("{} → {}", c.client, c.server) }</td>
                                    <td>{ if c.handshake_seen { ms(c.initial_rtt()) } else { "not captured".into() } }</td>
                                    <td>{ a.payload_bytes }</td><td>{ b.payload_bytes }</td>
                                    <td>{ a.retransmissions + b.retransmissions }</td>
                                    <td>{ a.duplicate_acks + b.duplicate_acks }</td>
                                    <td>{ a.zero_windows + b.zero_windows }</td>
                                    <td><button type="button" class="ww-button" aria-pressed={(*chosen == Some(i)).to_string()}
                                        {onclick}>{ "Show" }</button></td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            if let Some(Some((seq, flight))) = charts.as_ref().as_ref().map(Some) {
                { seq.view(props.t) }
                { flight.view(props.t) }
            }
        </>
    }
}

fn bytes_of(c: &ConnectionStats) -> u64 {
    c.directions.iter().map(|d| d.payload_bytes).sum()
}

/// The Stevens-style time–sequence graph of a connection's busier direction (the end of each
/// segment sent, the acknowledged edge and the receive window's edge, retransmissions marked)
/// and its bytes in flight.
fn time_sequence_charts(c: &ConnectionStats) -> (Chart, Chart) {
    let d = c.directions.iter().max_by_key(|d| d.payload_bytes).unwrap_or(&c.directions[0]);
    let s = &d.series;
    // Kilobytes keep the axis labels short on long transfers.
    let kb = |x: f64| x / 1000.0;
    let pts = |v: &[(Instant, i64)]| v.iter().map(|(t, x)| (t.0, kb(*x as f64))).collect::<Vec<_>>();
    let sent: Vec<(u64, f64)> = s.segments.iter().map(|p| (p.t.0, kb(p.end as f64))).collect();
    let marks = s
        .segments
        .iter()
        .filter(|p| p.retransmission)
        .map(|p| Marker { t: p.t.0, label: "retransmission", class: "ww-tc-mark-rto" })
        .collect();
    let end = c.last.0.max(1);
    let seq = Chart::build(
        format!("Time–sequence graph, {} → {}", d.from, d.to),
        "kB",
        vec![
            Series { name: "sequence sent (segment end)", class: "ww-tc-cwnd", points: sent },
            Series { name: "acknowledged", class: "ww-tc-ssthresh", points: pts(&s.acks) },
            Series { name: "receive window edge", class: "ww-tc-rwnd", points: pts(&s.window) },
        ],
        Vec::new(),
        marks,
        end,
        format!(
            "{} segments carrying {} bytes from {} to {}, {} retransmitted; the acknowledged edge follows the \
             sequence line one round trip later, and the window edge shows how far the receiver allowed.",
            d.segments, d.payload_bytes, d.from, d.to, d.retransmissions
        ),
    );
    let flight = Chart::build(
        "Bytes in flight",
        "kB",
        vec![Series {
            name: "in flight",
            class: "ww-tc-flight",
            points: s.in_flight.iter().map(|(t, b)| (t.0, kb(*b as f64))).collect(),
        }],
        Vec::new(),
        Vec::new(),
        end,
        format!("Bytes sent by {} and not yet acknowledged, over time.", d.from),
    );
    (seq, flight)
}
