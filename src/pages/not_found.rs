//! The page for any address the app does not know.

use yew::prelude::*;

/// The not-found page.
#[component]
pub fn NotFound() -> Html {
    html! {
        <section class="ww-not-found">
            <h1>{ "Page not found" }</h1>
            <p>{ "There is no page at this address. It may have moved, or the link may be mistyped." }</p>
            <p><a href="#/">{ "Go to the course map" }</a></p>
        </section>
    }
}
