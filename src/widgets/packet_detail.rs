//! The packet inspector: the selected frame's fields grouped by layer (name, value, one-line
//! meaning, checksum verdict) beside its bytes in hex and ASCII, linked both ways. Hovering or
//! selecting a field highlights exactly its bytes; selecting a byte selects the field it
//! belongs to. Both lists are ARIA listboxes driven by the arrow keys, so a keyboard or screen
//! reader user reaches every field and every byte.

use crate::figures::runner::Run;
use crate::widgets::{format, node_name};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
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

/// The bytes a field occupies, as a half-open range of byte offsets (a sub-byte field
/// occupies the byte or bytes its bits fall in).
pub fn byte_range(f: &Field) -> std::ops::Range<usize> {
    let first = (f.bit_offset / 8) as usize;
    let last = ((f.bit_offset + f.bit_len.max(1) - 1) / 8) as usize;
    first..last + 1
}

/// Where a field sits, for people: "bytes 14–15", "byte 14, bits 0–3".
pub fn position(f: &Field) -> String {
    let r = byte_range(f);
    if !f.bit_offset.is_multiple_of(8) || !f.bit_len.is_multiple_of(8) {
        let from = f.bit_offset % 8;
        let to = from + f.bit_len - 1;
        if r.len() == 1 {
            format!("byte {}, bits {from}–{to}", r.start)
        } else {
            format!("bytes {}–{}, bits {from}–{to}", r.start, r.end - 1)
        }
    } else if r.len() == 1 {
        format!("byte {}", r.start)
    } else {
        format!("bytes {}–{} ({} bytes)", r.start, r.end - 1, r.len())
    }
}

/// The first field that covers byte `offset`.
pub fn field_at(fields: &[Field], offset: usize) -> Option<usize> {
    fields.iter().position(|f| byte_range(f).contains(&offset))
}

/// A layer's name as a packet analyser shows it.
pub fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Ethernet => "Ethernet II",
        Layer::Arp => "ARP",
        Layer::Ipv4 => "IPv4",
        Layer::Icmp => "ICMP",
        Layer::Udp => "UDP",
        Layer::Tcp => "TCP",
        Layer::Payload => "Payload (application bytes)",
    }
}

fn checksum_text(valid: Option<bool>) -> &'static str {
    match valid {
        Some(true) => "✓ verified",
        Some(false) => "✗ does not verify",
        None => "",
    }
}

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

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
            <PacketInspector bytes={Rc::new(record.bytes.clone())} key={frame.to_string()} />
        </section>
    }
}

/// Inspector properties.
#[derive(Properties, PartialEq)]
pub struct PacketInspectorProps {
    /// The frame's bytes.
    pub bytes: Rc<Vec<u8>>,
}

/// Field tree and bytes, linked: the reusable core of the packet detail panel.
#[component]
pub fn PacketInspector(props: &PacketInspectorProps) -> Html {
    let id = use_memo((), |_| format!("ww-pi{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let dissection = use_memo(props.bytes.clone(), |b| crate::figures::runner::dissect(b));
    let selected = use_state(|| Some(0usize));
    let cursor = use_state(|| 0usize);
    let hover = use_state(|| None::<usize>);
    let fields = &dissection.fields;
    let bytes = &props.bytes;
    let n_bytes = bytes.len();
    let n_fields = fields.len();
    let active = (*hover).or(*selected).filter(|i| *i < n_fields);
    let lit = active.map(|i| byte_range(&fields[i])).unwrap_or(0..0);

    let select_field = {
        let (selected, cursor, fields) = (selected.clone(), cursor.clone(), dissection.clone());
        Callback::from(move |i: usize| {
            if let Some(f) = fields.fields.get(i) {
                selected.set(Some(i));
                cursor.set(byte_range(f).start);
            }
        })
    };
    let select_byte = {
        let (selected, cursor, fields) = (selected.clone(), cursor.clone(), dissection.clone());
        Callback::from(move |b: usize| {
            cursor.set(b);
            if let Some(i) = field_at(&fields.fields, b) {
                selected.set(Some(i));
            }
        })
    };

    let field_keys = {
        let (select_field, cur) = (select_field.clone(), (*selected).unwrap_or(0));
        Callback::from(move |e: KeyboardEvent| {
            let last = n_fields.saturating_sub(1);
            let to = match e.key().as_str() {
                "ArrowDown" | "ArrowRight" => (cur + 1).min(last),
                "ArrowUp" | "ArrowLeft" => cur.saturating_sub(1),
                "Home" => 0,
                "End" => last,
                "PageDown" => (cur + 8).min(last),
                "PageUp" => cur.saturating_sub(8),
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            select_field.emit(to);
        })
    };
    let byte_keys = {
        let (select_byte, cur) = (select_byte.clone(), *cursor);
        Callback::from(move |e: KeyboardEvent| {
            let last = n_bytes.saturating_sub(1);
            let to = match e.key().as_str() {
                "ArrowRight" => (cur + 1).min(last),
                "ArrowLeft" => cur.saturating_sub(1),
                "ArrowDown" => (cur + 16).min(last),
                "ArrowUp" => cur.saturating_sub(16),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            select_byte.emit(to);
        })
    };

    // The field list, one group per layer.
    let mut groups: Vec<(Layer, Vec<usize>)> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        match groups.last_mut() {
            Some((layer, members)) if *layer == f.layer => members.push(i),
            _ => groups.push((f.layer, vec![i])),
        }
    }
    let field_id = |i: usize| format!("{id}-f{i}");
    let byte_id = |b: usize| format!("{id}-b{b}");
    let field_option = |i: usize| {
        let f = &fields[i];
        let is_sel = *selected == Some(i);
        let onclick = {
            let s = select_field.clone();
            Callback::from(move |_| s.emit(i))
        };
        let onmouseenter = {
            let h = hover.clone();
            Callback::from(move |_| h.set(Some(i)))
        };
        let check = checksum_text(f.valid);
        html! {
            <div role="option" id={field_id(i)} aria-selected={is_sel.to_string()}
                class={classes!("ww-pi-field", is_sel.then_some("ww-pi-sel"), (active == Some(i)).then_some("ww-pi-lit"))}
                data-field={i.to_string()} data-bytes={format!("{}-{}", byte_range(f).start, byte_range(f).end)}
                {onclick} {onmouseenter}>
                <span class="ww-pi-name">{ f.name.clone() }</span>
                <code class="ww-pi-value">{ f.value.clone() }</code>
                if !check.is_empty() {
                    <span class={classes!("ww-pi-check", (f.valid == Some(false)).then_some("ww-pi-bad"))}>{ check }</span>
                }
                <span class="ww-pi-meaning">{ f.meaning.clone() }<span class="ww-pi-pos">{ format!(" · {}", position(f)) }</span></span>
            </div>
        }
    };
    let field_list = groups.iter().enumerate().map(|(g, (layer, members))| {
        let head = format!("{id}-g{g}");
        let bytes_in: usize = members.iter().map(|i| fields[*i].bit_len as usize).sum::<usize>() / 8;
        html! {
            <div role="group" aria-labelledby={head.clone()} class="ww-pi-group">
                <div class="ww-pi-layer" id={head}>{ format!("{} · {} bytes", layer_name(*layer), bytes_in) }</div>
                { for members.iter().map(|i| field_option(*i)) }
            </div>
        }
    });

    // The bytes, 16 to a row, with the ASCII column beside them.
    let rows = bytes.chunks(16).enumerate().map(|(r, row)| {
        let cells = row.iter().enumerate().map(|(c, b)| {
            let off = r * 16 + c;
            let owner = field_at(fields, off).map(|i| fields[i].name.clone()).unwrap_or_default();
            let onclick = {
                let s = select_byte.clone();
                Callback::from(move |_| s.emit(off))
            };
            let onmouseenter = {
                let (h, fs) = (hover.clone(), dissection.clone());
                Callback::from(move |_| h.set(field_at(&fs.fields, off)))
            };
            html! {
                <span role="option" id={byte_id(off)} data-offset={off.to_string()}
                    aria-selected={(*cursor == off).to_string()}
                    aria-label={format!("byte {off}: 0x{b:02x}, {owner}")}
                    class={classes!("ww-pi-byte", lit.contains(&off).then_some("ww-pi-hl"), (*cursor == off).then_some("ww-pi-cur"), (c == 8).then_some("ww-pi-gap"))}
                    {onclick} {onmouseenter}>{ format!("{b:02x}") }</span>
            }
        });
        let ascii = row.iter().enumerate().map(|(c, b)| {
            let off = r * 16 + c;
            let ch = if b.is_ascii_graphic() || *b == b' ' { *b as char } else { '·' };
            html! { <span class={classes!("ww-pi-ch", lit.contains(&off).then_some("ww-pi-hl"))}>{ ch }</span> }
        });
        html! {
            <div role="group" class="ww-pi-row" aria-label={format!("bytes {} to {}", r * 16, r * 16 + row.len() - 1)}>
                <span class="ww-pi-off" aria-hidden="true">{ format!("{:04x}", r * 16) }</span>
                <span class="ww-pi-hex">{ for cells }</span>
                <span class="ww-pi-ascii" aria-hidden="true">{ for ascii }</span>
            </div>
        }
    });

    let active_text = active
        .map(|i| {
            let f = &fields[i];
            format!("{}: {} — {} ({})", f.name, f.value, f.meaning, position(f))
        })
        .unwrap_or_default();
    let onmouseleave = {
        let h = hover.clone();
        Callback::from(move |_| h.set(None))
    };
    html! {
        <div class="ww-pi" onmouseleave={onmouseleave}>
            <p class="ww-pi-help">{ "Fields and bytes are linked: hover or select a field to light up its bytes, or select a byte to find its field. Use the arrow keys inside each list." }</p>
            <div class="ww-pi-fields" role="listbox" tabindex="0" aria-label="Header fields, by layer"
                aria-activedescendant={(*selected).map(field_id)} onkeydown={field_keys}>
                { for field_list }
            </div>
            <p class="ww-pi-status" aria-live="polite">{ active_text }</p>
            <div class="ww-pi-bytes" role="listbox" tabindex="0"
                aria-label={format!("The frame's {n_bytes} bytes in hexadecimal; the ASCII column is beside them")}
                aria-activedescendant={byte_id(*cursor)} onkeydown={byte_keys}>
                { for rows }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(bit_offset: u32, bit_len: u32) -> Field {
        Field {
            layer: Layer::Ipv4,
            name: "x".into(),
            bit_offset,
            bit_len,
            value: String::new(),
            meaning: String::new(),
            valid: None,
        }
    }

    #[test]
    fn sub_byte_fields_light_their_byte() {
        assert_eq!(byte_range(&field(14 * 8, 4)), 14..15);
        assert_eq!(byte_range(&field(14 * 8 + 4, 4)), 14..15);
        assert_eq!(byte_range(&field(20 * 8 + 3, 13)), 20..22);
        assert_eq!(byte_range(&field(0, 48)), 0..6);
        assert_eq!(position(&field(14 * 8 + 4, 4)), "byte 14, bits 4–7");
        assert_eq!(position(&field(0, 48)), "bytes 0–5 (6 bytes)");
    }

    #[test]
    fn every_byte_of_the_first_frame_has_a_field() {
        let frames = wirewise_sim::presets::find("handshake").map(|p| {
            let set = wirewise_sim::params::ParamSet::defaults(p.params);
            wirewise_sim::run(&(p.build)(&set).expect("builds")).expect("runs").frames
        });
        let first = &frames.expect("preset")[0].bytes;
        let d = wirewise_sim::wire::dissect(first);
        for b in 0..first.len() {
            assert!(field_at(&d.fields, b).is_some(), "byte {b} has no field");
        }
    }
}
