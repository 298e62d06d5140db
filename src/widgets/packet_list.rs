//! The packet list: every frame of a run as a packet analyser's top pane lists it (number,
//! time, source, destination, protocol, length, summary). It is an ARIA listbox: the arrow keys,
//! Home and End move the selection, which opens the frame in the packet detail panel. Long runs
//! show a window of rows around the selected frame (or, with none selected, around the time
//! cursor), found by binary search; frames not yet sent at the cursor are dimmed.

use crate::figures::runner::{per_run, Run};
use crate::widgets::format;
use std::rc::Rc;
use wirewise_sim::filter::{select, DisplayFilter};
use wirewise_sim::packet_list::{packet_rows, PacketRow};
use wirewise_sim::time::Instant;
use wirewise_sim::trace::FrameId;
use yew::prelude::*;

/// Packet list properties.
#[derive(Properties, PartialEq)]
pub struct PacketListProps {
    /// The run to list.
    pub run: Rc<Run>,
    /// The time cursor.
    pub t: Instant,
    /// The selected frame.
    pub selected: Option<FrameId>,
    /// Selects a frame.
    pub on_select: Callback<Option<FrameId>>,
    /// A prefix for element ids, unique in the page.
    pub id: AttrValue,
}

/// Rows shown at once.
pub const ROWS: usize = 12;

/// The rows to show: `ROWS` of them around `anchor` (an index into the list).
pub fn row_window(len: usize, anchor: usize) -> std::ops::Range<usize> {
    if len <= ROWS {
        return 0..len;
    }
    let start = anchor.saturating_sub(ROWS / 2).min(len - ROWS);
    start..start + ROWS
}

/// The packet list.
#[component]
pub fn PacketList(props: &PacketListProps) -> Html {
    let all_rows: Rc<Vec<PacketRow>> = per_run(&props.run, packet_rows);
    let filter_text = use_state(String::new);
    // The rows the display filter keeps, computed when the filter or the run changes.
    let filtered = {
        let run = props.run.clone();
        let rows = all_rows.clone();
        use_memo(((*filter_text).clone(), Rc::as_ptr(&run) as usize), move |(text, _)| filter_rows(&run, &rows, text))
    };
    let (rows, filter_error) = match &*filtered {
        Ok(rows) => (rows.clone(), None),
        Err(e) => (all_rows.clone(), Some(e.clone())),
    };
    let on_filter = {
        let filter_text = filter_text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                filter_text.set(i.value());
            }
        })
    };
    let t = props.t;
    let sel_index = props.selected.and_then(|f| rows.iter().position(|r| r.frame == f));
    let started = rows.partition_point(|r| r.t <= t);
    let anchor = sel_index.unwrap_or(started.saturating_sub(1));
    let win = row_window(rows.len(), anchor);
    let id = props.id.clone();
    let onkeydown = {
        let rows = rows.clone();
        let cb = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if rows.is_empty() {
                return;
            }
            let last = rows.len() - 1;
            let next = match e.key().as_str() {
                "ArrowDown" => sel_index.map_or(anchor, |i| (i + 1).min(last)),
                "ArrowUp" => sel_index.map_or(anchor, |i| i.saturating_sub(1)),
                "Home" => 0,
                "End" => last,
                "PageDown" => sel_index.map_or(anchor, |i| (i + ROWS).min(last)),
                "PageUp" => sel_index.map_or(anchor, |i| i.saturating_sub(ROWS)),
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            cb.emit(Some(rows[next].frame));
        })
    };
    let active = sel_index.map(|i| format!("{id}-r{i}"));
    html! {
        <div class="ww-plist">
            <div class="ww-filter">
                <label for={format!("{id}-filter")}>{ "Display filter" }</label>
                <input id={format!("{id}-filter")} type="text" spellcheck="false" autocomplete="off"
                    placeholder="e.g. tcp.port == 80 && tcp.len > 0" value={(*filter_text).clone()} oninput={on_filter}
                    aria-invalid={filter_error.is_some().to_string()} aria-describedby={format!("{id}-filter-error")} />
            </div>
            <p class="ww-filter-error" id={format!("{id}-filter-error")} role="alert">
                { filter_error.clone().unwrap_or_default() }
            </p>
            <p class="ww-plist-cap" id={format!("{id}-cap")}>
                { if filter_text.trim().is_empty() || filter_error.is_some() {
                    format!("Packet list: {} frames", rows.len())
                } else {
                    format!("Packet list: {} of {} frames match the filter", rows.len(), all_rows.len())
                } }
                if win.len() < rows.len() { { format!(", showing {}–{}", win.start + 1, win.end) } }
                { ". Focus it and use the arrow keys, Home and End." }
            </p>
            <div class="ww-plist-head" aria-hidden="true">
                <span>{ "No." }</span><span>{ "Time" }</span><span>{ "Source" }</span><span>{ "Destination" }</span>
                <span>{ "Proto" }</span><span>{ "Len" }</span><span>{ "Info" }</span>
            </div>
            <ul class="ww-plist-rows" role="listbox" tabindex="0" aria-labelledby={format!("{id}-cap")}
                aria-activedescendant={active} {onkeydown}>
                { for rows[win.clone()].iter().enumerate().map(|(k, r)| {
                    let i = win.start + k;
                    let frame = r.frame;
                    let selected = sel_index == Some(i);
                    let onclick = {
                        let cb = props.on_select.clone();
                        Callback::from(move |_| cb.emit(Some(frame)))
                    };
                    let info = props.run.labels.get(frame as usize).cloned().unwrap_or_default();
                    html! {
                        <li id={format!("{id}-r{i}")} role="option" aria-selected={selected.to_string()}
                            class={classes!("ww-plist-row", selected.then_some("ww-selected"), (r.t > t).then_some("ww-future"))}
                            aria-label={format!("Frame {}, {}, {} to {}, {}, {} bytes, {}", frame + 1, format::duration(r.t.0), r.src, r.dst, r.protocol, r.len, info)}
                            {onclick}>
                            <span>{ frame + 1 }</span>
                            <span>{ format::duration(r.t.0) }</span>
                            <span>{ r.src.clone() }</span>
                            <span>{ r.dst.clone() }</span>
                            <span>{ r.protocol }</span>
                            <span>{ r.len }</span>
                            <span class="ww-plist-info">{ info }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

/// The rows whose frames `text` (a display filter) keeps, or why the filter is not valid:
/// the message with the place it points at.
fn filter_rows(run: &Run, rows: &Rc<Vec<PacketRow>>, text: &str) -> Result<Rc<Vec<PacketRow>>, String> {
    if text.trim().is_empty() {
        return Ok(rows.clone());
    }
    let filter = DisplayFilter::parse(text).map_err(|e| {
        let at = text.chars().take(e.at).count() + 1;
        format!("Column {at}: {}", e.message)
    })?;
    let frames: Vec<_> = rows.iter().filter_map(|r| Some((r.t, run.trace.frames.get(r.frame as usize)?))).collect();
    let keep = select(&filter, &frames);
    Ok(Rc::new(rows.iter().zip(keep).filter(|(_, k)| *k).map(|(r, _)| r.clone()).collect()))
}

#[cfg(test)]
mod tests {
    use super::{row_window, ROWS};

    #[test]
    fn the_window_keeps_the_anchor_in_view_and_stays_inside_the_list() {
        assert_eq!(row_window(5, 3), 0..5);
        assert_eq!(row_window(100, 0), 0..ROWS);
        assert_eq!(row_window(100, 50), 44..44 + ROWS);
        assert_eq!(row_window(100, 99), 100 - ROWS..100);
    }
}
