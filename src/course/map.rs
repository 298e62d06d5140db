//! The course map: sections and lessons in course order, each with its progress badge.

use super::progress::Progress;
use super::SECTIONS;
use crate::route::Route;
use yew::prelude::*;

/// Course map properties.
#[derive(Properties, PartialEq)]
pub struct CourseMapProps {
    /// The learner's progress.
    pub progress: Progress,
}

/// The course map.
#[component]
pub fn CourseMap(props: &CourseMapProps) -> Html {
    let mut number = 0;
    let sections = SECTIONS.iter().enumerate().map(|(si, section)| {
        let lessons = section.lessons.iter().map(|lesson| {
            number += 1;
            let state = props.progress.state(lesson.slug);
            html! {
                <li class="ww-map-lesson">
                    <a class="ww-lesson-link" href={Route::Lesson(lesson.slug.into()).href()}>
                        <span class="ww-lesson-number" aria-hidden="true">{ number }</span>
                        <span class="ww-lesson-text">
                            <span class="ww-lesson-title">{ lesson.title }</span>
                            <span class="ww-lesson-summary">{ lesson.summary }</span>
                        </span>
                        <span class="ww-progress" data-state={state.as_str()}>{ state.label() }</span>
                    </a>
                </li>
            }
        });
        html! {
            <li class="ww-map-section">
                <h2>{ format!("{}. {}", si + 1, section.title) }</h2>
                <ol class="ww-map-lessons">{ for lessons }</ol>
            </li>
        }
    });
    html! {
        <nav class="ww-course-map" aria-label="Course map">
            <ol class="ww-map-sections">{ for sections }</ol>
        </nav>
    }
}
