//! The home page: what the course is and the course map.

use crate::course::map::CourseMap;
use crate::course::progress::Progress;
use crate::course::{all_lessons, nth};
use crate::route::Route;
use yew::prelude::*;

/// Home properties.
#[derive(Properties, PartialEq)]
pub struct HomeProps {
    /// The learner's progress.
    pub progress: Progress,
}

/// The home page.
#[component]
pub fn Home(props: &HomeProps) -> Html {
    let total = all_lessons().count();
    let done = all_lessons().filter(|p| props.progress.completed.contains(p.lesson.slug)).count();
    let next = all_lessons().find(|p| !props.progress.completed.contains(p.lesson.slug)).or_else(|| nth(0));
    html! {
        <>
            <header class="ww-hero">
                <h1>{ "wirewise" }</h1>
                <p class="ww-tagline">{ "What happens beneath an API call: an interactive course on networking for backend engineers." }</p>
                <p>{ "Every figure runs a real, deterministic simulation of TCP/IP in your browser: real bytes, Linux timings, \
                      a timeline you can play, pause, step and scrub, and a link you can share at any moment." }</p>
                if let Some(p) = next {
                    <p>
                        <a class="ww-button" href={Route::Lesson(p.lesson.slug.into()).href()}>
                            { if done == 0 { format!("Start with “{}”", p.lesson.title) } else { format!("Continue with “{}”", p.lesson.title) } }
                        </a>
                    </p>
                }
                <p class="ww-progress-summary">{ format!("{done} of {total} lessons completed.") }</p>
            </header>
            <CourseMap progress={props.progress.clone()} />
        </>
    }
}
