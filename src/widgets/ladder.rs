//! The ladder (sequence) diagram: one vertical lane per node, time running down, and each
//! frame a slanted arrow from its sender at the first bit to its receiver at the last bit, so
//! the slope is the real one-way delay. Frames after the cursor are dimmed, a frame in flight
//! shows where it is, a lost frame ends in a cross; a frame that arrived where no socket wanted
//! it (a SYN to a closed port) arrives, drawn with a bar at its head. Each lane's header shows the node's TCP
//! state at the cursor. Arrows are buttons: click, Enter or Space selects one; Up and Down
//! move between them.
//!
//! A long run (a bulk transfer of thousands of frames) would make a ladder nobody can read and
//! a page that redraws slowly, so above [`WINDOW_FRAMES`] frames the ladder draws only a
//! window of that many frames around the time cursor, found by binary search, with its own
//! time axis and a caption saying which frames it shows; the window follows the cursor.

use crate::figures::runner::Run;
use crate::widgets::format;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{DropReason, EventKind, FrameId, NodeId, NodeKind, SockKind, Trace, Transmission};
use yew::prelude::*;

/// Ladder properties.
#[derive(Properties, PartialEq)]
pub struct LadderProps {
    /// The run to draw.
    pub run: Rc<Run>,
    /// The cursor.
    pub t: Instant,
    /// The end of the timeline (the bottom of the diagram).
    pub span: Instant,
    /// The selected frame.
    pub selected: Option<FrameId>,
    /// Selects a frame.
    pub on_select: Callback<Option<FrameId>>,
    /// A prefix for element ids, unique in the page.
    pub id: AttrValue,
}

/// Drawing width in SVG units on wide screens, and on phones, where a narrower drawing keeps
/// the labels near their real size instead of scaling them down.
const WIDTH: f64 = 460.0;
const NARROW_WIDTH: f64 = 360.0;
const NARROW_LEFT: f64 = 78.0;
const NARROW_BELOW_PX: f64 = 560.0;
const TOP: f64 = 84.0;
const LEFT: f64 = 96.0;
const RIGHT: f64 = 46.0;
const LABEL_GAP: f64 = 13.0;

/// The most frames the ladder draws at once; a longer run shows a window of this many.
pub const WINDOW_FRAMES: usize = 40;

/// The frames to draw at cursor `t`, as a range of indices into `txs` (which is in order of
/// first bit): all of them for a short run; otherwise [`WINDOW_FRAMES`] frames ending a few
/// frames after the last one started by `t`, so the cursor sits in the lower part of the
/// window and the frames just ahead are visible. Binary search: no scan per redraw.
pub fn frame_window(txs: &[Transmission], t: Instant) -> std::ops::Range<usize> {
    let n = txs.len();
    if n <= WINDOW_FRAMES {
        return 0..n;
    }
    let started = txs.partition_point(|x| x.start <= t);
    let end = (started + WINDOW_FRAMES / 4).clamp(WINDOW_FRAMES, n);
    end - WINDOW_FRAMES..end
}

/// The lanes: every node that sends or receives a frame (hosts only if none), in path order: a
/// walk along the links from the first host, so a chain client, r1, r2, server reads left to
/// right as the packets travel; nodes the walk does not reach follow in node order.
pub fn lanes(trace: &Trace, txs: &[Transmission]) -> Vec<NodeId> {
    let mut v: Vec<NodeId> = txs.iter().flat_map(|x| [x.from, x.to]).collect();
    if v.is_empty() {
        v = (0..trace.nodes.len() as NodeId).filter(|n| trace.nodes[*n as usize].kind == NodeKind::Host).collect();
    }
    v.sort_unstable();
    v.dedup();
    let Some(&start) = v.iter().find(|n| trace.nodes.get(**n as usize).is_some_and(|x| x.kind == NodeKind::Host))
    else {
        return v;
    };
    let mut order: Vec<NodeId> = Vec::with_capacity(v.len());
    let mut seen = vec![false; trace.nodes.len()];
    let mut stack = vec![start];
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n as usize], true) {
            continue;
        }
        if v.contains(&n) {
            order.push(n);
        }
        // Neighbours pushed in reverse so the lowest-numbered is visited first.
        let mut next: Vec<NodeId> = trace
            .links
            .iter()
            .filter_map(|l| {
                if l.a == n {
                    Some(l.b)
                } else if l.b == n {
                    Some(l.a)
                } else {
                    None
                }
            })
            .filter(|m| !seen[*m as usize])
            .collect();
        next.sort_unstable_by(|a, b| b.cmp(a));
        stack.extend(next);
    }
    let rest: Vec<NodeId> = v.into_iter().filter(|n| !order.contains(n)).collect();
    order.extend(rest);
    order
}

/// The TCP state a node's lane shows at `t`: its connection socket that changed state last,
/// else LISTEN if it has a listener, else CLOSED.
pub fn node_state(trace: &Trace, node: NodeId, t: Instant) -> TcpState {
    let n = trace.count_until(t);
    let conn = trace.events[..n].iter().rev().find_map(|e| match &e.kind {
        EventKind::TcpState { sock, to, .. }
            if trace.sockets.get(*sock as usize).is_some_and(|s| s.node == node && s.kind == SockKind::TcpConn) =>
        {
            Some(*to)
        }
        _ => None,
    });
    let listener = || {
        trace.sockets.iter().enumerate().any(|(i, s)| {
            s.node == node && s.kind == SockKind::TcpListener && trace.tcp_state_at(i as u32, t) == TcpState::Listen
        })
    };
    match conn {
        Some(s) if s != TcpState::Closed => s,
        _ if listener() => TcpState::Listen,
        Some(s) => s,
        None => TcpState::Closed,
    }
}

fn short(label: &str) -> String {
    const MAX: usize = 34;
    if label.chars().count() <= MAX {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

/// The ladder diagram.
#[component]
pub fn Ladder(props: &LadderProps) -> Html {
    let txs = use_memo(props.run.clone(), |run| run.trace.transmissions());
    let trace = &props.run.trace;
    // The lanes depend on the run alone: found once, not at every cursor position.
    let lanes = {
        let txs = txs.clone();
        use_memo(props.run.clone(), move |run| lanes(&run.trace, &txs))
    };
    let n_lanes = lanes.len().max(2);
    let narrow = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|px| px < NARROW_BELOW_PX);
    let (width, left) = if narrow { (NARROW_WIDTH, NARROW_LEFT) } else { (WIDTH, LEFT) };
    let lane_x = |node: NodeId| -> f64 {
        let i = lanes.iter().position(|n| *n == node).unwrap_or(0) as f64;
        left + i * (width - left - RIGHT) / (n_lanes - 1) as f64
    };
    let t = props.t;
    let win = frame_window(&txs, t);
    let windowed = win.len() < txs.len();
    let shown = &txs[win.clone()];
    let plot_h = (shown.len() as f64 * 30.0).clamp(340.0, 900.0);
    // The time range drawn: the whole run, or the window's first to last bit.
    let (t0, t1) = if windowed {
        let first = shown.first().map_or(0, |x| x.start.0);
        let last = shown.iter().map(|x| x.end.0).max().unwrap_or(first);
        (first, last.max(first + 1))
    } else {
        (0, props.span.0.max(1))
    };
    let span = (t1 - t0) as f64;
    let y = |at: Instant| TOP + ((at.0 as f64 - t0 as f64) / span).clamp(0.0, 1.0) * plot_h;
    let height = TOP + plot_h + 24.0;
    let id = props.id.clone();

    // Time axis ticks at a 1-2-5 step.
    let step = crate::figures::state::nice_scale(span / 5.0).max(1);
    let first_tick = t0.div_ceil(step);
    let ticks = (first_tick..=(t1 / step)).map(|i| {
        let at = Instant(i * step);
        let yy = y(at);
        html! {
            <g class="ww-tick">
                <line x1="40" x2={(width - 8.0).to_string()} y1={yy.to_string()} y2={yy.to_string()} />
                <text x="36" y={(yy + 4.0).to_string()} text-anchor="end">{ format::duration(at.0) }</text>
            </g>
        }
    });

    let lane_views = lanes.iter().map(|node| {
        let x = lane_x(*node);
        let info = &trace.nodes[*node as usize];
        let ip = info.ifaces.iter().find_map(|i| i.ip).map(|(ip, _)| ip.to_string()).unwrap_or_default();
        let state = node_state(trace, *node, t);
        html! {
            <g class="ww-lane">
                <text class="ww-lane-name" x={x.to_string()} y="18" text-anchor="middle">{ info.name.clone() }</text>
                <text class="ww-lane-ip" x={x.to_string()} y="34" text-anchor="middle">{ ip }</text>
                <text class="ww-lane-state" x={x.to_string()} y="54" text-anchor="middle"
                    data-state={state.name()}>{ state.name() }</text>
                <line class="ww-lane-line" x1={x.to_string()} x2={x.to_string()} y1={(TOP - 8.0).to_string()} y2={(TOP + plot_h).to_string()} />
            </g>
        }
    });

    // Which arrow takes Tab: the selected one, else the last one started, else the first.
    let focus_frame = props
        .selected
        .filter(|f| shown.iter().any(|x| x.frame == *f))
        .or_else(|| shown.iter().rev().find(|x| x.start <= t).or(shown.first()).map(|x| x.frame));
    let mut placed: Vec<(f64, f64)> = Vec::new();
    // Labels are drawn after every arrow, so a later arrow's hit area never covers an earlier
    // arrow's label; a click on a label selects its frame.
    let mut labels: Vec<Html> = Vec::new();
    let arrows: Vec<Html> = shown.iter().enumerate().map(|(i, x)| {
        let idx = win.start + i;
        let (x1, x2) = (lane_x(x.from), lane_x(x.to));
        let (y1, y2) = (y(x.start), y(x.end));
        let future = x.start > t;
        let done = x.end <= t;
        let selected = props.selected == Some(x.frame);
        let label_text = props.run.labels.get(x.frame as usize).cloned().unwrap_or_default();
        let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        // Labels run along their arrow, just above it; when that spot is taken (two frames
        // sent back to back, such as an ACK and the data after it), just below it; else none.
        let label_offset = if future {
            None
        } else {
            let free = |dy: f64| placed.iter().all(|(px, py)| (px - mx).abs() > 60.0 || (py - (my + dy)).abs() >= LABEL_GAP);
            let slot = [-4.0, 11.0].into_iter().find(|dy| free(*dy)).or(selected.then_some(-4.0));
            if let Some(dy) = slot {
                placed.push((mx, my + dy));
            }
            slot
        };
        let angle = {
            let a = (y2 - y1).atan2(x2 - x1).to_degrees();
            if a > 90.0 {
                a - 180.0
            } else if a < -90.0 {
                a + 180.0
            } else {
                a
            }
        };
        let mut class = classes!("ww-arrow");
        if future {
            class.push("ww-future");
        }
        if selected {
            class.push("ww-selected");
        }
        // Delivered to a host that had no socket for it: it arrived, and the kernel answers.
        let refused = x.dropped == Some(DropReason::NoSocket);
        let lost = x.dropped.filter(|_| !refused);
        if lost.is_some() {
            class.push("ww-lost");
        }
        if refused {
            class.push("ww-refused");
        }
        // The part travelled so far.
        let frac = if done || x.end <= x.start { 1.0 } else if future { 0.0 } else { (t.0 - x.start.0) as f64 / (x.end.0 - x.start.0) as f64 };
        let (cx, cy) = (x1 + (x2 - x1) * frac, y1 + (y2 - y1) * frac);
        let head = if done && lost.is_none() { arrow_head(x1, y1, x2, y2) } else { String::new() };
        let cross = if done && lost.is_some() {
            html! { <path class="ww-cross" d={format!("M{} {} l8 8 m0 -8 l-8 8", x2 - 4.0, y2 - 4.0)} /> }
        } else {
            Html::default()
        };
        let aria = format!(
            "{}: {} to {}, {}{}",
            format::duration(x.start.0),
            crate::widgets::node_name(trace, x.from),
            crate::widgets::node_name(trace, x.to),
            label_text,
            match x.dropped {
                Some(DropReason::NoSocket) => ", arrived where no socket listens".to_string(),
                Some(r) => format!(", lost ({r:?})"),
                None => String::new(),
            }
        );
        let frame = x.frame;
        let onclick = {
            let cb = props.on_select.clone();
            Callback::from(move |_| cb.emit(Some(frame)))
        };
        let onkeydown = {
            let cb = props.on_select.clone();
            let txs = txs.clone();
            let id = id.clone();
            let drawn = win.clone();
            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                "Enter" | " " => {
                    e.prevent_default();
                    e.stop_propagation();
                    cb.emit(Some(frame));
                }
                "ArrowDown" | "ArrowUp" => {
                    e.prevent_default();
                    e.stop_propagation();
                    let next = if e.key() == "ArrowDown" { idx + 1 } else { idx.wrapping_sub(1) };
                    // Only arrows that are drawn: past the window's edge there is nothing to
                    // focus; moving the time cursor brings the next frames in.
                    if let Some(nx) = txs.get(next).filter(|_| drawn.contains(&next)) {
                        cb.emit(Some(nx.frame));
                        focus(&format!("{id}-f{next}"));
                    }
                }
                _ => {}
            })
        };
        if let Some(dy) = label_offset {
            let on_label = {
                let cb = props.on_select.clone();
                Callback::from(move |_| cb.emit(Some(frame)))
            };
            let mut label_class = classes!("ww-arrow-label");
            if selected {
                label_class.push("ww-selected");
            }
            labels.push(html! {
                <text key={idx} class={label_class} x={mx.to_string()} y={(my + dy).to_string()} text-anchor="middle" aria-hidden="true"
                    transform={format!("rotate({angle:.2} {mx:.2} {my:.2})")} onclick={on_label}>{ short(&label_text) }</text>
            });
        }
        html! {
            <g key={idx} id={format!("{id}-f{idx}")} class={class} role="button" aria-label={aria} aria-pressed={selected.to_string()}
                tabindex={if focus_frame == Some(frame) { "0" } else { "-1" }} {onclick} {onkeydown}>
                <line class="ww-arrow-hit" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                <line class="ww-arrow-path" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                if !future && !done {
                    <line class="ww-arrow-done" x1={x1.to_string()} y1={y1.to_string()} x2={cx.to_string()} y2={cy.to_string()} />
                    <circle class="ww-packet" cx={cx.to_string()} cy={cy.to_string()} r="5" />
                }
                if !head.is_empty() {
                    <path class="ww-arrow-head" d={head} />
                }
                { cross }
                if done && refused {
                    <line class="ww-refused-bar" x1={x2.to_string()} x2={x2.to_string()} y1={(y2 - 8.0).to_string()} y2={(y2 + 8.0).to_string()} />
                }
            </g>
        }
    }).collect();

    let cursor_y = y(t);
    let between = lanes.iter().map(|n| crate::widgets::node_name(trace, *n)).collect::<Vec<_>>().join(" and ");
    let desc = if windowed {
        format!(
            "Ladder diagram of frames {} to {} of {} between {}, from {} to {}; time runs downwards. The event log below describes it in words.",
            win.start + 1,
            win.end,
            txs.len(),
            between,
            format::duration(t0),
            format::duration(t1)
        )
    } else {
        format!(
            "Ladder diagram of {} frames between {}; time runs downwards to {}. The event log below describes it in words.",
            txs.len(),
            between,
            format::duration(props.span.0)
        )
    };
    html! {
        <>
        if windowed {
            <p class="ww-ladder-window" aria-live="off">
                { format!("Frames {}–{} of {}, around the cursor ({} to {}). Move the time cursor to see others.",
                    win.start + 1, win.end, txs.len(), format::duration(t0), format::duration(t1)) }
            </p>
        }
        <svg class="ww-ladder" viewBox={format!("0 0 {width} {height}")} role="group" aria-label={desc}>
            { for ticks }
            { for lane_views }
            <line class="ww-cursor" x1="40" x2={(width - 8.0).to_string()} y1={cursor_y.to_string()} y2={cursor_y.to_string()} />
            { for arrows }
            <g class="ww-arrow-labels">{ for labels }</g>
        </svg>
        </>
    }
}

/// A filled arrow head at (x2, y2) pointing along the line from (x1, y1).
fn arrow_head(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (x2 - ux * 10.0, y2 - uy * 10.0);
    let (px, py) = (-uy * 4.5, ux * 4.5);
    format!("M{x2} {y2} L{} {} L{} {} Z", bx + px, by + py, bx - px, by - py)
}

fn focus(element_id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(element_id)) {
        if let Ok(svg) = el.dyn_into::<web_sys::SvgElement>() {
            let _ = svg.focus();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{frame_window, WINDOW_FRAMES};
    use wirewise_sim::time::Instant;
    use wirewise_sim::trace::Transmission;

    fn txs(n: u64) -> Vec<Transmission> {
        (0..n)
            .map(|i| Transmission {
                frame: i as u32,
                link: 0,
                from: 0,
                to: 1,
                start: Instant(i * 1000),
                end: Instant(i * 1000 + 500),
                dropped: None,
            })
            .collect()
    }

    #[test]
    fn short_runs_show_every_frame() {
        assert_eq!(frame_window(&txs(12), Instant(0)), 0..12);
        assert_eq!(frame_window(&txs(WINDOW_FRAMES as u64), Instant(u64::MAX)), 0..WINDOW_FRAMES);
    }

    #[test]
    fn long_runs_show_a_window_that_follows_the_cursor() {
        let all = txs(1000);
        assert_eq!(frame_window(&all, Instant(0)), 0..WINDOW_FRAMES);
        // 501 frames have started by t = 500 µs: the window ends 10 frames later.
        let w = frame_window(&all, Instant(500_000));
        assert_eq!(w, 471..511);
        assert!(w.contains(&500));
        assert_eq!(frame_window(&all, Instant(u64::MAX)), 960..1000);
    }
}
