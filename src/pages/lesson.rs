//! A lesson: breadcrumb, title, objectives, prose and figures, "Mark lesson complete", and
//! links to the previous and next lessons.

use crate::course::{find, nth, Block, Placed};
use crate::figures::shell::{Figure, Mode};
use crate::figures::specs::find_kind;
use crate::pages::not_found::NotFound;
use crate::route::Route;
use yew::prelude::*;

/// Lesson page properties.
#[derive(Properties, PartialEq)]
pub struct LessonPageProps {
    /// The lesson's slug.
    pub slug: AttrValue,
    /// Whether the learner marked it complete.
    pub completed: bool,
    /// Marks it complete or not.
    pub on_complete: Callback<(String, bool)>,
}

fn neighbour(p: Option<Placed>, rel: &'static str, prefix: &'static str) -> Html {
    match p {
        Some(p) => html! {
            <a rel={rel} class={format!("ww-{rel}")} href={Route::Lesson(p.lesson.slug.into()).href()}>
                <span class="ww-nav-dir">{ prefix }</span>
                <span class="ww-nav-title">{ p.lesson.title }</span>
            </a>
        },
        None => html! { <span></span> },
    }
}

/// The lesson page.
#[component]
pub fn LessonPage(props: &LessonPageProps) -> Html {
    let Some(placed) = find(&props.slug) else {
        return html! { <NotFound /> };
    };
    let lesson = placed.lesson;
    let blocks = lesson.blocks.iter().enumerate().map(|(i, block)| match block {
        Block::Html(html) => html! { <div class="ww-prose" key={i}>{ Html::from_html_unchecked(AttrValue::from(*html)) }</div> },
        Block::Figure(f) => match find_kind(f.kind) {
            Some(kind) => html! {
                <Figure key={i} kind={kind} block={f.params} block_seed={f.seed} caption={f.caption} mode={Mode::Lesson} />
            },
            None => html! { <div class="ww-error" role="alert">{ format!("Unknown figure '{}'.", f.kind) }</div> },
        },
    });
    let on_toggle = {
        let cb = props.on_complete.clone();
        let slug = lesson.slug.to_string();
        let completed = props.completed;
        Callback::from(move |_| cb.emit((slug.clone(), !completed)))
    };
    html! {
        <article class="ww-lesson">
            <nav aria-label="Breadcrumb" class="ww-breadcrumb">
                <ol>
                    <li><a href="#/">{ "Course" }</a></li>
                    <li>{ placed.section.title }</li>
                    <li aria-current="page">{ lesson.title }</li>
                </ol>
            </nav>
            <h1>{ lesson.title }</h1>
            <p class="ww-lesson-lede">{ lesson.summary }</p>
            <section class="ww-objectives" aria-label="Objectives">
                <h2>{ "You will be able to" }</h2>
                <ul>{ for lesson.objectives.iter().map(|o| html! { <li>{ *o }</li> }) }</ul>
            </section>
            { for blocks }
            <div class="ww-complete-row">
                <button id="ww-complete" type="button" class={classes!("ww-button", props.completed.then_some("ww-done"))}
                    aria-pressed={props.completed.to_string()} onclick={on_toggle}>
                    { if props.completed { "✓ Completed (click to undo)" } else { "Mark lesson complete" } }
                </button>
            </div>
            <nav class="ww-prev-next" aria-label="Previous and next lesson">
                { neighbour(placed.index.checked_sub(1).and_then(nth), "prev", "← Previous") }
                { neighbour(nth(placed.index + 1), "next", "Next →") }
            </nav>
        </article>
    }
}
