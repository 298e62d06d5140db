//! The timeline under every animated figure: play/pause, previous/next event, start/end, a
//! scrubber, a speed selector and a readout that says honestly how fast time runs.
//! Playback advances virtual time with requestAnimationFrame.

use crate::figures::state::{Action, SPEEDS};
use crate::widgets::format;
use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use wirewise_sim::time::Instant;
use yew::prelude::*;

/// Timeline properties: the cursor and what it moves over.
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The cursor.
    pub t: Instant,
    /// The end of the timeline.
    pub span: Instant,
    /// Whether it is playing.
    pub playing: bool,
    /// Playback speed.
    pub speed: f64,
    /// Network nanoseconds per second of animation at 1x.
    pub scale_ns: u64,
    /// Where every action goes.
    pub on_action: Callback<Action>,
    /// A prefix for element ids, unique in the page.
    pub id: AttrValue,
}

/// The scrubber's resolution: positions per timeline.
const STEPS: f64 = 2000.0;

/// The timeline controls.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let last_frame = use_mut_ref(|| None::<f64>);
    {
        let on_action = props.on_action.clone();
        let last_frame = last_frame.clone();
        use_effect_with((props.playing, props.t), move |(playing, _)| {
            let handle: Option<AnimationFrame> = if *playing {
                Some(request_animation_frame(move |now_ms| {
                    let before = last_frame.borrow_mut().replace(now_ms);
                    on_action.emit(Action::Tick(before.map_or(16.0, |b| now_ms - b)));
                }))
            } else {
                *last_frame.borrow_mut() = None;
                None
            };
            move || drop(handle)
        });
    }

    let span = props.span.0.max(1) as f64;
    let position = (props.t.0 as f64 / span * STEPS).round();
    let on_scrub = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                let p: f64 = input.value().parse().unwrap_or(0.0);
                on_action.emit(Action::Seek(Instant((p / STEPS * span) as u64)));
            }
        })
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
                on_action.emit(Action::Speed(select.value().parse().unwrap_or(1.0)));
            }
        })
    };
    let button = |label: &'static str, icon: Html, action: Action| {
        let on_action = props.on_action.clone();
        html! {
            <button type="button" class="ww-tl-button" aria-label={label} title={label}
                onclick={Callback::from(move |_| on_action.emit(action.clone()))}>
                {icon}
            </button>
        }
    };
    let (play_label, play_icon) = if props.playing { ("Pause", icon(PAUSE)) } else { ("Play", icon(PLAY)) };
    let play = {
        let on_action = props.on_action.clone();
        html! {
            <button type="button" class="ww-tl-button ww-tl-play" aria-label={play_label} title={play_label}
                onclick={Callback::from(move |_| on_action.emit(Action::TogglePlay))}>
                {play_icon}
            </button>
        }
    };
    let time_id = format!("{}-time", props.id);
    let scale = format::duration(props.scale_ns);
    let rate = if (props.speed - 1.0).abs() < 1e-9 {
        format!("1 s of animation = {scale} of network time")
    } else {
        format!("1 s of animation = {scale} × {} of network time", format::significant(props.speed, 2))
    };

    html! {
        <div class="ww-timeline" role="group" aria-label="Timeline">
            <div class="ww-tl-buttons">
                { button("Go to start", icon(START), Action::Start) }
                { button("Previous event", icon(PREV), Action::Prev) }
                { play }
                { button("Next event", icon(NEXT), Action::Next) }
                { button("Go to end", icon(END), Action::End) }
            </div>
            <input type="range" class="ww-tl-scrub" aria-label="Time" min="0" max={STEPS.to_string()} step="1"
                value={position.to_string()} aria-valuetext={format::duration(props.t.0)}
                aria-describedby={time_id.clone()} oninput={on_scrub} />
            <div class="ww-tl-meta">
                <span class="ww-time" id={time_id} aria-live="off">
                    { format!("t = {} of {}", format::duration(props.t.0), format::duration(props.span.0)) }
                </span>
                <label class="ww-tl-speed">
                    <span>{ "Speed" }</span>
                    <select aria-label="Speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|s| {
                            let selected = (s - props.speed).abs() < 1e-9;
                            html! { <option value={s.to_string()} selected={selected}>{ format!("{}x", format::significant(*s, 2)) }</option> }
                        }) }
                    </select>
                </label>
                <span class="ww-tl-scale">{ rate }</span>
            </div>
        </div>
    }
}

/// SVG paths of the transport icons, on a 16×16 grid (drawn, not font glyphs, so they show
/// on every system).
const START: &str = "M3 3h2v10H3zM13 3v10L6 8z";
const PREV: &str = "M12 3v10L5 8z";
const PLAY: &str = "M5 3v10l8-5z";
const PAUSE: &str = "M4 3h3v10H4zM9 3h3v10H9z";
const NEXT: &str = "M4 3v10l7-5z";
const END: &str = "M11 3h2v10h-2zM3 3v10l7-5z";

fn icon(path: &'static str) -> Html {
    html! {
        <svg class="ww-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}
