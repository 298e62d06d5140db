//! The packet detail panel: the selected frame's fields (name, value, meaning), layer by
//! layer, and its bytes in hex. The field-to-byte linked inspector comes later; this one is
//! plain and readable by keyboard and screen reader.

use crate::figures::runner::Run;
use crate::widgets::{format, node_name};
use std::rc::Rc;
use wirewise_sim::trace::FrameId;
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
    let rows = dissection.fields.iter().map(|f| {
        let check = match f.valid {
            Some(true) => " ✓ valid",
            Some(false) => " ✗ invalid",
            None => "",
        };
        html! {
            <tr>
                <td class="ww-field-layer">{ format!("{:?}", f.layer) }</td>
                <th scope="row">{ f.name.clone() }</th>
                <td class="ww-field-value"><code>{ f.value.clone() }</code>{ check }</td>
                <td>{ f.meaning.clone() }</td>
            </tr>
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
            <div class="ww-table-wrap" tabindex="0" role="region" aria-label="Header fields">
                <table class="ww-fields">
                    <thead><tr><th scope="col">{ "Layer" }</th><th scope="col">{ "Field" }</th><th scope="col">{ "Value" }</th><th scope="col">{ "Meaning" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
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
