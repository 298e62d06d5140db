//! The frame every figure shares: title, parameter warnings and controls, the kind's own
//! view, the timeline, the ladder with its packet detail panel, the event log, the
//! faithfulness note and the share buttons. Its state is a [`FigureState`] reducer; on the
//! figure and embed pages the state is mirrored into the URL with `history.replaceState`.

use super::runner;
use super::specs::FigureKind;
use super::state::{Action, FigureState, SHOW_PROGRESS_AFTER};
use crate::widgets::capture::{figure_file_stem, CapturePanel};
use crate::widgets::event_log::EventLog;
use crate::widgets::format::duration;
use crate::widgets::ladder::Ladder;
use crate::widgets::packet_detail::PacketDetail;
use crate::widgets::packet_list::PacketList;
use crate::widgets::param_controls::ParamControls;
use crate::widgets::share::Share;
use crate::widgets::timeline::Timeline;
use gloo::render::request_animation_frame;
use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Where a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Inside a lesson.
    Lesson,
    /// Alone on its own page (`#/figure/...`).
    Page,
    /// Alone in an iframe (`#/embed/...`).
    Embed,
}

/// Figure properties.
#[derive(Properties, PartialEq)]
pub struct FigureProps {
    /// The kind of figure.
    pub kind: &'static FigureKind,
    /// Parameters from the lesson block.
    #[prop_or_default]
    pub block: &'static [(&'static str, &'static str)],
    /// Seed from the lesson block.
    #[prop_or_default]
    pub block_seed: Option<u64>,
    /// Parameters from the URL.
    #[prop_or_default]
    pub query: Vec<(String, String)>,
    /// The caption (the kind's title if empty).
    #[prop_or_default]
    pub caption: AttrValue,
    /// Where it is shown.
    pub mode: Mode,
    /// Query pairs the page itself reads (the embed's `parent`): kept in the address bar as
    /// they are when the figure's state is mirrored there.
    #[prop_or_default]
    pub keep: Vec<(String, String)>,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// One interactive figure.
#[component]
pub fn Figure(props: &FigureProps) -> Html {
    let id = use_memo((), |_| format!("ww-fig{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let state = {
        let (kind, block, seed, query) = (props.kind, props.block, props.block_seed, props.query.clone());
        use_reducer(move || FigureState::new(kind, block, seed, &query))
    };
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };

    // Mirror the state into the address bar on the figure and embed pages.
    {
        let mode = props.mode;
        let mut href = if mode == Mode::Embed { state.embed_href() } else { state.figure_href() };
        if !props.keep.is_empty() {
            href.push(if href.contains('?') { '&' } else { '?' });
            href.push_str(&crate::route::format_query(&props.keep));
        }
        use_effect_with((href, state.playing), move |(href, playing)| {
            if mode != Mode::Lesson && !*playing {
                if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
                }
            }
        });
    }

    // Runs that need more than one slice of wall time go on between animation frames, so the
    // page keeps drawing and answering while they are computed.
    {
        let dispatch = dispatch.clone();
        use_effect_with((state.pending, state.passes), move |(pending, _)| {
            let next = pending.map(|_| request_animation_frame(move |_| dispatch.emit(Action::Continue)));
            move || drop(next)
        });
    }
    {
        let owner = state.owner;
        use_effect_with((), move |_| move || runner::forget(owner));
    }

    let onkeydown = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
            let tag = target.tag_name().to_ascii_uppercase();
            let is_scrubber = tag == "INPUT" && target.get_attribute("aria-label").as_deref() == Some("Time");
            if matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA") && !is_scrubber {
                return;
            }
            let action = match e.key().as_str() {
                " " if matches!(tag.as_str(), "BUTTON" | "A" | "SUMMARY") => return,
                " " => Action::TogglePlay,
                "ArrowLeft" => Action::Prev,
                "ArrowRight" => Action::Next,
                "Home" => Action::Start,
                "End" => Action::End,
                _ => return,
            };
            e.prevent_default();
            dispatch.emit(action);
        })
    };

    let kind = props.kind;
    let caption = if props.caption.is_empty() { AttrValue::from(kind.title) } else { props.caption.clone() };
    let title_id = format!("{id}-title");
    let warnings = crate::widgets::notices("Some settings were adjusted.", &state.warnings);
    let on_param = {
        let dispatch = dispatch.clone();
        Callback::from(move |(name, value)| dispatch.emit(Action::SetParam(name, value)))
    };
    let on_select = {
        let dispatch = dispatch.clone();
        Callback::from(move |f| dispatch.emit(Action::Select(f)))
    };
    let on_close = {
        let dispatch = dispatch.clone();
        Callback::from(move |_| dispatch.emit(Action::Select(None)))
    };

    let progress = match state.pending {
        Some(p) if state.passes >= SHOW_PROGRESS_AFTER || state.runs.is_err() => {
            let on_cancel = {
                let dispatch = dispatch.clone();
                Callback::from(move |_| dispatch.emit(Action::Cancel))
            };
            let pct = (p.fraction() * 100.0).floor();
            html! {
                <div class="ww-run-progress" role="status">
                    <span>{ format!("Simulating… {pct:.0}% ({} of {})", duration(p.now.0), duration(p.stop.0)) }</span>
                    <progress max="100" value={pct.to_string()} aria-label="Simulation progress"></progress>
                    <button type="button" class="ww-button" onclick={on_cancel}>{ "Cancel" }</button>
                </div>
            }
        }
        _ => Html::default(),
    };
    let too_large = match state.runs.as_ref() {
        Ok(runs) => std::iter::once(&runs.main)
            .chain(runs.others.iter())
            .find_map(|r| r.trace.limit)
            .map(|limit| html! { <div class="ww-param-warning" role="alert">{ limit.to_string() }</div> })
            .unwrap_or_default(),
        Err(_) => Html::default(),
    };

    let body = match state.runs.as_ref() {
        Err(_) if state.pending.is_some() => Html::default(),
        Err(message) => html! {
            <div class="ww-error" role="alert">
                <p><strong>{ "This figure could not run." }</strong></p>
                <p>{ message.clone() }</p>
                <p>{ "Try other settings, or reload the page." }</p>
            </div>
        },
        Ok(runs) => html! {
            <>
                { super::kind_view(kind.name, runs, &state.params, state.t) }
                <Timeline t={state.t} span={state.span} playing={state.playing} speed={state.speed}
                    scale_ns={state.scale_ns} on_action={dispatch.clone()} id={format!("{id}-tl")} />
                if super::shows_ladder(kind.name) {
                    <div class="ww-figure-main">
                        <div class="ww-ladder-wrap">
                            <Ladder run={runs.main.clone()} t={state.t} span={state.span} selected={state.selected}
                                on_select={on_select.clone()} id={format!("{id}-ladder")} />
                        </div>
                        <div class="ww-inspect-col">
                            <PacketList run={runs.main.clone()} t={state.t} selected={state.selected}
                                on_select={on_select.clone()} id={format!("{id}-pl")} />
                            <PacketDetail run={runs.main.clone()} frame={state.selected} on_close={on_close} />
                        </div>
                    </div>
                }
                <EventLog run={runs.main.clone()} t={state.t} />
                <CapturePanel run={runs.main.clone()} t={state.t} id={format!("{id}-cap")}
                    file_stem={figure_file_stem(kind.name, &state.params.non_default_pairs(kind.params))} />
            </>
        },
    };

    html! {
        <figure class={classes!("ww-figure", (props.mode == Mode::Embed).then_some("ww-embedded"))} data-kind={kind.name}
            tabindex="-1" aria-labelledby={title_id.clone()} {onkeydown}>
            <div class="ww-figure-head">
                <h3 class="ww-figure-title" id={title_id}>{ kind.title }</h3>
                if props.mode == Mode::Lesson {
                    <a class="ww-figure-open" href={state.figure_href()}>{ "Open full page" }</a>
                }
            </div>
            { warnings }
            { progress }
            { too_large }
            <ParamControls specs={kind.params} values={state.params.clone()} on_change={on_param} id={format!("{id}-p")}
                hidden={super::inapplicable_params(kind.name, &state.params)} />
            { body }
            <p class="ww-faithful"><strong>{ "How faithful is this? " }</strong>{ super::faithfulness(kind.name) }</p>
            <Share figure_href={state.figure_href()} embed_href={state.embed_href()} title={kind.title} />
            <figcaption>{ caption }</figcaption>
        </figure>
    }
}
