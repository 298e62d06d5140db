//! The event log: what happened up to the cursor, in words. It is the figure's text
//! alternative, so it names hosts, frames, states and the application's calls.

use crate::figures::runner::Run;
use crate::widgets::{format, node_name};
use std::rc::Rc;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{AppCall, Event, EventKind, Trace, WorkerState};
use yew::prelude::*;

/// Event log properties.
#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// The run.
    pub run: Rc<Run>,
    /// The cursor: events after it are not listed.
    pub t: Instant,
}

/// How many of the latest entries are listed.
const MAX_ENTRIES: usize = 200;

/// One event in words, or `None` for the ones the log leaves out (queues, timers, counters).
pub fn describe(trace: &Trace, labels: &[String], e: &Event) -> Option<String> {
    let sock_node = |s: u32| trace.sockets.get(s as usize).map(|s| node_name(trace, s.node)).unwrap_or_default();
    let text = match &e.kind {
        EventKind::FrameTx { frame, from, to, .. } => format!(
            "{} sends to {}: {}",
            node_name(trace, *from),
            node_name(trace, *to),
            labels.get(*frame as usize).map(String::as_str).unwrap_or("a frame")
        ),
        EventKind::FrameDropped { frame, reason, .. } => format!("Frame {} is lost ({reason:?})", frame + 1),
        EventKind::TcpState { sock, from, to } => {
            format!("{}: TCP state {} → {}", sock_node(*sock), from.name(), to.name())
        }
        EventKind::ArpLearned { node, ip, mac } => format!("{} learns that {ip} is at {mac}", node_name(trace, *node)),
        EventKind::App { node, call } => {
            let who = node_name(trace, *node);
            match call {
                AppCall::Listen { backlog, .. } => format!("{who} calls listen() with backlog {backlog}"),
                AppCall::Connect { to, .. } => format!("{who} calls connect() to {to}"),
                AppCall::ConnectDone { result: Ok(()), .. } => {
                    format!("{who}: connect() returns, the connection is open")
                }
                AppCall::ConnectDone { result: Err(err), .. } => format!("{who}: connect() fails with {err}"),
                AppCall::Accept { .. } => format!("{who}: accept() returns a new connection"),
                AppCall::Write { bytes, .. } => format!("{who} writes {} bytes", format::thousands(*bytes as u64)),
                AppCall::Read { bytes: 0, .. } => format!("{who} reads the end of the stream"),
                AppCall::Read { bytes, .. } => format!("{who} reads {} bytes", format::thousands(*bytes as u64)),
                AppCall::Close { .. } => format!("{who} calls close()"),
                AppCall::Exchange { latency, .. } => {
                    format!("{who} has the whole response, {} after the call began", format::duration(latency.0))
                }
                AppCall::FirstByte { latency, .. } => {
                    format!(
                        "{who} receives the first byte of the response, {} after the call began",
                        format::duration(latency.0)
                    )
                }
                AppCall::StreamDone { stream, latency, .. } => {
                    format!("{who} has all of stream {stream}, {} after the call began", format::duration(latency.0))
                }
                AppCall::Note { text } => format!("{who}: {text}"),
                AppCall::Worker { worker, state, .. } => match state {
                    WorkerState::Waiting => format!("{who}: worker {worker} waits in accept()"),
                    WorkerState::Accepted { .. } => format!("{who}: worker {worker} accepts a connection"),
                    WorkerState::Stalled { .. } => format!("{who}: worker {worker} stalls and stops calling accept()"),
                },
                AppCall::Failed { call, error, .. } => format!("{who}: {call}() fails with {error}"),
                AppCall::StreamBytes { stream, delivered, .. } => {
                    format!("{who} can read {} bytes of stream {stream}", format::thousands(*delivered))
                }
            }
        }
        _ => return None,
    };
    Some(text)
}

/// Indices of the events of a run that the log describes.
struct DescribedEvents(Vec<usize>);

/// The event log.
#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let trace = &props.run.trace;
    let upto = trace.count_until(props.t);
    // Which events have a line, found once per run; each redraw formats only the last
    // MAX_ENTRIES of them before the cursor, however long the run.
    let described = crate::figures::runner::per_run(&props.run, |tr| {
        DescribedEvents(
            tr.events.iter().enumerate().filter_map(|(i, e)| describe(tr, &props.run.labels, e).map(|_| i)).collect(),
        )
    });
    let count = described.0.partition_point(|i| *i < upto);
    let skipped = count.saturating_sub(MAX_ENTRIES);
    // The newest line is at the bottom: keep it in view while the learner has not scrolled up
    // to read older ones (scrolling back to the bottom follows again).
    let list = use_node_ref();
    let follow = use_mut_ref(|| true);
    {
        let (list, follow) = (list.clone(), follow.clone());
        use_effect_with((props.t, count), move |_| {
            if let Some(el) = list.cast::<web_sys::Element>().filter(|_| *follow.borrow()) {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onscroll = {
        let (list, follow) = (list.clone(), follow.clone());
        Callback::from(move |_: web_sys::Event| {
            if let Some(el) = list.cast::<web_sys::Element>() {
                *follow.borrow_mut() = el.scroll_height() - el.scroll_top() - el.client_height() < 24;
            }
        })
    };
    let entries: Vec<(Instant, String)> = described.0[skipped..count]
        .iter()
        .filter_map(|i| {
            let e = &trace.events[*i];
            describe(trace, &props.run.labels, e).map(|d| (e.t, d))
        })
        .collect();
    html! {
        <section class="ww-event-log-wrap" aria-label="Event log">
            <h4 class="ww-event-log-title">{ "What happened so far" }</h4>
            <ol ref={list} {onscroll} class="ww-event-log" tabindex="0" aria-label={format!("Event log: {} events up to {}", count, format::duration(props.t.0))}>
                if entries.is_empty() {
                    <li class="ww-event-none">{ "Nothing yet: press Play or Next event." }</li>
                }
                if skipped > 0 {
                    <li class="ww-event-none">{ format!("({skipped} earlier events not listed)") }</li>
                }
                { for entries.iter().map(|(t, d)| html! {
                    <li><span class="ww-event-time">{ format::duration(t.0) }</span>{ " " }{ d.clone() }</li>
                }) }
            </ol>
        </section>
    }
}
