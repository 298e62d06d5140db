//! The packet detail panel: the selected frame's fields (name, value, meaning), layer by
//! layer, and its bytes in hex. The field-to-byte linked inspector comes later; this one is
//! plain and readable by keyboard and screen reader.

use crate::figures::runner::Run;
use crate::widgets::{format, node_name};
use std::rc::Rc;
use wirewise_sim::trace::FrameId;
use wirewise_sim::wire::{Field, Layer};
use yew::prelude::*;

/// Packet detail properties.
#[derive(Properties, PartialEq)]
pub struct PacketDetailProps {
    /// The run the frame belongs to.
    pub run: Rc<Run>,
    /// The frame to show, if any.
    pub frame: Option<FrameId>,
    /// Closes the panel.
    pub on_close: Callback<()>,
}

/// Hex dump rows: offset, then 16 bytes in two groups of 8.
pub fn hex_rows(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, row)| {
            let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
            let (a, b) = hex.split_at(hex.len().min(8));
            format!("{:04x}  {}  {}", i * 16, a.join(" "), b.join(" ")).trim_end().to_string()
        })
        .collect()
}

/// How a layer is called in the panel.
pub fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Ethernet => "Ethernet II (layer 2)",
        Layer::Arp => "ARP",
        Layer::Ipv4 => "IPv4 (layer 3)",
        Layer::Icmp => "ICMP",
        Layer::Udp => "UDP (layer 4)",
        Layer::Tcp => "TCP (layer 4)",
        Layer::Payload => "Data",
    }
}

/// The packet detail panel.
#[component]
pub fn PacketDetail(props: &PacketDetailProps) -> Html {
    let Some(frame) = props.frame else {
        return html! {
            <section class="ww-packet-detail ww-empty" aria-label="Packet detail">
                <p>{ "Select an arrow in the diagram (click it, or Tab to it and press Enter) to see that frame's header fields and bytes." }</p>
            </section>
        };
    };
    let trace = &props.run.trace;
    let Some(record) = trace.frames.get(frame as usize) else {
        return Html::default();
    };
    let dissection = crate::figures::runner::dissect(&record.bytes);
    let tx = trace.transmissions().into_iter().find(|x| x.frame == frame);
    let route = tx
        .map(|x| {
            format!(
                "{} → {}, sent at {}, {} at {}",
                node_name(trace, x.from),
                node_name(trace, x.to),
                format::duration(x.start.0),
                if x.dropped.is_some() { "lost" } else { "arrived" },
                format::duration(x.end.0)
            )
        })
        .unwrap_or_default();
    let on_close = props.on_close.clone();
    // One table per layer, fields in byte order: name and value on a line, the meaning under
    // the value, so the panel reads well even when it is narrow.
    let mut groups: Vec<(Layer, Vec<&Field>)> = Vec::new();
    for f in &dissection.fields {
        match groups.last_mut() {
            Some((layer, fields)) if *layer == f.layer => fields.push(f),
            _ => groups.push((f.layer, vec![f])),
        }
    }
    let tables = groups.iter().map(|(layer, fields)| {
        let rows = fields.iter().map(|f| {
            let check = match f.valid {
                Some(true) => " ✓ valid",
                Some(false) => " ✗ invalid",
                None => "",
            };
            html! {
                <tr>
                    <th scope="row">{ f.name.clone() }</th>
                    <td>
                        <code class="ww-field-value">{ f.value.clone() }</code>{ check }
                        if !f.meaning.is_empty() {
                            <span class="ww-field-meaning">{ f.meaning.clone() }</span>
                        }
                    </td>
                </tr>
            }
        });
        html! {
            <table class="ww-fields">
                <caption>{ layer_name(*layer) }</caption>
                <tbody>{ for rows }</tbody>
            </table>
        }
    });
    html! {
        <section class="ww-packet-detail" aria-label="Packet detail">
            <div class="ww-pd-head">
                <h4>{ format!("Frame {} · {} bytes", frame + 1, record.orig_len) }</h4>
                <button type="button" class="ww-small-button" onclick={Callback::from(move |_| on_close.emit(()))}>{ "Close" }</button>
            </div>
            <p class="ww-pd-summary"><code>{ dissection.summary.clone() }</code></p>
            <p class="ww-pd-route">{ route }</p>
            if !dissection.problems.is_empty() {
                <ul class="ww-pd-problems">{ for dissection.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
            }
            <div class="ww-pd-fields" tabindex="0" role="region" aria-label="Header fields">
                { for tables }
            </div>
            <pre class="ww-hex" tabindex="0" aria-label={format!("The frame's {} bytes in hexadecimal", record.bytes.len())}>
                { hex_rows(&record.bytes).join("\n") }
            </pre>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_rows_have_offsets_and_groups() {
        let bytes: Vec<u8> = (0..20).collect();
        let rows = hex_rows(&bytes);
        assert_eq!(rows[0], "0000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f");
        assert_eq!(rows[1], "0010  10 11 12 13");
    }
}
