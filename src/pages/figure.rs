//! `#/figure/<kind>?...`: one figure on its own page, with its controls.

use crate::figures::shell::{Figure, Mode};
use crate::figures::specs::find_kind;
use crate::pages::not_found::NotFound;
use yew::prelude::*;

/// Figure page properties.
#[derive(Properties, PartialEq)]
pub struct FigurePageProps {
    /// The figure kind.
    pub kind: AttrValue,
    /// The URL query.
    pub query: Vec<(String, String)>,
}

/// The figure page.
#[component]
pub fn FigurePage(props: &FigurePageProps) -> Html {
    let Some(kind) = find_kind(&props.kind) else {
        return html! { <NotFound /> };
    };
    html! {
        <article class="ww-figure-page">
            <nav aria-label="Breadcrumb" class="ww-breadcrumb">
                <ol><li><a href="#/">{ "Course" }</a></li><li aria-current="page">{ kind.title }</li></ol>
            </nav>
            <h1>{ kind.title }</h1>
            <Figure kind={kind} query={props.query.clone()} mode={Mode::Page} />
        </article>
    }
}
