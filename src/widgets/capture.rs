//! A run as a capture: the frames one node saw, as `tcpdump -n` prints them (the "tcpdump
//! view", up to the time cursor, with `-S` and a copy button) and as a pcap file to download
//! ("Download .pcap") and open in Wireshark or tshark. The lines come from the core's
//! `tcpdump` printer and the file from its pcap writer; this widget selects and draws.

use crate::figures::runner::{per_run, Run};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wirewise_sim::tcpdump::TcpdumpOptions;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{FrameRecord, NodeId, NodeKind, Trace};
use yew::prelude::*;

/// Lines the tcpdump view shows at once: the last ones up to the cursor.
pub const VIEW_LINES: usize = 200;

/// Capture panel properties.
#[derive(Properties, PartialEq)]
pub struct CaptureProps {
    /// The run.
    pub run: Rc<Run>,
    /// The time cursor.
    pub t: Instant,
    /// What the downloaded file is called, without `-<node>.pcap`.
    pub file_stem: AttrValue,
    /// A prefix for element ids, unique in the page.
    pub id: AttrValue,
    /// Show every frame of the trace (an opened capture) rather than one node's.
    #[prop_or_default]
    pub whole: bool,
}

/// What the tcpdump view reads: the capture times and the lines.
type Dump = Rc<(Vec<Instant>, Vec<String>)>;

/// The nodes a learner can capture at: hosts first, then routers (switches forward frames
/// unchanged, so a host on the same segment sees the same).
pub fn capture_points(trace: &Trace) -> Vec<NodeId> {
    let of = |k: NodeKind| (0..trace.nodes.len()).filter(move |&i| trace.nodes[i].kind == k).map(|i| i as NodeId);
    of(NodeKind::Host).chain(of(NodeKind::Router)).collect()
}

/// The frames `node` captured as a pcap file (nanosecond timestamps, Ethernet).
pub fn pcap_bytes(trace: &Trace, node: NodeId) -> Vec<u8> {
    pcap_of(trace.snaplen, trace.capture(node))
}

/// `frames` as a pcap file.
fn pcap_of(snaplen: u32, frames: Vec<(Instant, &FrameRecord)>) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail; an empty file is the worst case.
    let _ = wirewise_sim::pcap::write_pcap(&mut out, snaplen, frames);
    out
}

/// A file name from the figure, its settings and the capture point: lowercase letters,
/// digits, `.`, `=`, `_` and `-` only, at most 120 characters before `.pcap`.
pub fn file_name(stem: &str, node: &str) -> String {
    let clean: String =
        format!("{stem}-{node}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '=' | '_' | '-') {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(120)
            .collect();
    format!("{clean}.pcap")
}

/// The file stem for a figure: `wirewise-<kind>` and its non-default settings.
pub fn figure_file_stem(kind: &str, query: &[(String, String)]) -> String {
    let settings: Vec<String> =
        query.iter().filter(|(k, _)| k != "t" && k != "frame").map(|(k, v)| format!("{k}={v}")).collect();
    if settings.is_empty() {
        format!("wirewise-{kind}")
    } else {
        format!("wirewise-{kind}-{}", settings.join("_"))
    }
}

/// Offer `bytes` to the browser as a download called `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let fail = |what: &str| format!("the download could not start ({what})");
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(|_| fail("blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("address"))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| fail("no document"))?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|_| fail("link"))?.dyn_into().map_err(|_| fail("link"))?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The tcpdump lines of each (node or every frame, absolute) asked for, built once per run.
#[derive(Default)]
struct Lines(RefCell<BTreeMap<(Option<NodeId>, bool), Dump>>);

fn lines_for(run: &Rc<Run>, node: Option<NodeId>, absolute: bool) -> Dump {
    let table = per_run(run, |_| Lines::default());
    let mut cache = table.0.borrow_mut();
    cache
        .entry((node, absolute))
        .or_insert_with(|| {
            let frames = match node {
                Some(n) => run.trace.capture(n),
                None => run.trace.capture_all(),
            };
            let times = frames.iter().map(|(t, _)| *t).collect();
            Rc::new((times, wirewise_sim::tcpdump::lines(&frames, &TcpdumpOptions { absolute_seq: absolute })))
        })
        .clone()
}

/// The capture panel: where to capture, the tcpdump view, copy and download.
#[component]
pub fn CapturePanel(props: &CaptureProps) -> Html {
    let trace = &props.run.trace;
    let points = capture_points(trace);
    let node = use_state(|| None::<NodeId>);
    let absolute = use_state(|| false);
    let status = use_state(String::new);
    let chosen = node.filter(|n| points.contains(n)).or_else(|| points.first().copied());
    let Some(chosen) = chosen else { return Html::default() };
    let name_of = |n: NodeId| if props.whole { "capture".to_string() } else { crate::widgets::node_name(trace, n) };
    let lines = lines_for(&props.run, (!props.whole).then_some(chosen), *absolute);
    let whole = props.whole;
    let shown_until = lines.0.partition_point(|t| *t <= props.t);
    let from = shown_until.saturating_sub(VIEW_LINES);
    let id = props.id.clone();

    let on_node = {
        let node = node.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                node.set(sel.value().parse().ok());
            }
        })
    };
    let on_abs = {
        let absolute = absolute.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                absolute.set(i.checked());
            }
        })
    };
    let on_download = {
        let run = props.run.clone();
        let status = status.clone();
        let name = file_name(&props.file_stem, &name_of(chosen));
        Callback::from(move |_: MouseEvent| {
            let bytes = if whole {
                pcap_of(run.trace.snaplen, run.trace.capture_all())
            } else {
                pcap_bytes(&run.trace, chosen)
            };
            match download(&name, &bytes, "application/vnd.tcpdump.pcap") {
                Ok(()) => status.set(format!("Saved {name} ({} bytes).", bytes.len())),
                Err(e) => status.set(format!("Sorry: {e}.")),
            }
        })
    };
    let on_copy = {
        let status = status.clone();
        let lines = lines.clone();
        // Joined when copied, not at every cursor position while the figure plays.
        Callback::from(move |_: MouseEvent| {
            let text = lines.1[..shown_until].join("\n");
            let status = status.clone();
            let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else { return };
            let promise = clipboard.write_text(&text);
            let n = text.lines().count();
            wasm_bindgen_futures::spawn_local(async move {
                match JsFuture::from(promise).await {
                    Ok(_) => status.set(format!("Copied {n} lines.")),
                    Err(_) => status.set("The browser did not allow copying; select the lines instead.".into()),
                }
            });
        })
    };
    let command =
        format!("tcpdump -n{} {}", if *absolute { " -S" } else { "" }, if whole { "-r <file>" } else { "-i any" });
    html! {
        <details class="ww-capture">
            <summary>{ "Capture: the tcpdump view and a pcap file" }</summary>
            <div class="ww-capture-controls">
                if !whole {
                    <label for={format!("{id}-node")}>{ "Capture at " }</label>
                    <select id={format!("{id}-node")} onchange={on_node}>
                        { for points.iter().map(|&n| html! {
                            <option value={n.to_string()} selected={n == chosen}>{ name_of(n) }</option>
                        }) }
                    </select>
                }
                <label class="ww-capture-abs">
                    <input type="checkbox" checked={*absolute} onchange={on_abs} />
                    { " Absolute sequence numbers (-S)" }
                </label>
                <button type="button" class="ww-button" onclick={on_download}>{ "Download .pcap" }</button>
                <button type="button" class="ww-button" onclick={on_copy}>{ "Copy lines" }</button>
            </div>
            <p class="ww-capture-cmd">
                <code>{ if whole {
                    format!("{command}   # {shown_until} of {} frames up to the cursor", lines.1.len())
                } else {
                    format!("{command}   # on {}: {shown_until} of {} frames up to the cursor", name_of(chosen), lines.1.len())
                } }</code>
            </p>
            <pre class="ww-tcpdump" role="region" aria-label="tcpdump view" tabindex="0">
                if from > 0 { { format!("… {from} earlier lines\n") } }
                { lines.1[from..shown_until].join("\n") }
            </pre>
            <p class="ww-copy-status" role="status">{ (*status).clone() }</p>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_say_what_they_hold() {
        let q = vec![("rtt".to_string(), "120".to_string()), ("t".to_string(), "0.5".to_string())];
        assert_eq!(file_name(&figure_file_stem("handshake", &q), "client"), "wirewise-handshake-rtt=120-client.pcap");
        assert_eq!(file_name("a/b c", "<x>"), "a_b_c-_x_.pcap");
        assert!(file_name(&"x".repeat(500), "n").len() <= 125);
    }
}
