//! The app: reads the hash route, keeps the learner's progress, and shows the page. Every
//! page but the embed one sits inside the site header and footer.

use crate::course::progress::Progress;
use crate::pages::embed::Embed;
use crate::pages::figure::FigurePage;
use crate::pages::home::Home;
use crate::pages::lesson::LessonPage;
use crate::pages::not_found::NotFound;
use crate::route::Route;
use gloo::events::EventListener;
use yew::prelude::*;

fn current_route() -> Route {
    Route::parse(&web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default())
}

/// The whole app.
#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    let progress = use_state(Progress::load);

    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    route.set(current_route());
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                })
            });
            move || drop(listener)
        });
    }

    // Visiting a lesson marks it visited; the page title follows the route.
    {
        let progress = progress.clone();
        use_effect_with((*route).clone(), move |route| {
            let title = match route {
                Route::Lesson(slug) => match crate::course::find(slug) {
                    Some(p) => {
                        if !progress.visited.contains(slug) {
                            let mut next = (*progress).clone();
                            next.visited.insert(slug.clone());
                            next.save();
                            progress.set(next);
                        }
                        format!("{} — wirewise", p.lesson.title)
                    }
                    None => "Page not found — wirewise".into(),
                },
                Route::Figure { kind, .. } | Route::Embed { kind, .. } => {
                    match crate::figures::specs::find_kind(kind) {
                        Some(k) => format!("{} — wirewise", k.title),
                        None => "Page not found — wirewise".into(),
                    }
                }
                Route::NotFound => "Page not found — wirewise".into(),
                Route::Capture => "Open a capture — wirewise".into(),
                Route::Fidelity => "How faithful is this? — wirewise".into(),
                Route::Home => "wirewise — what happens beneath an API call".into(),
            };
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&title);
            }
        });
    }

    // Tell the page (and its tests) the app is up.
    use_effect_with((), |_| crate::mark_ready());

    let on_complete = {
        let progress = progress.clone();
        Callback::from(move |(slug, done): (String, bool)| {
            let mut next = (*progress).clone();
            if done {
                next.completed.insert(slug.clone());
            } else {
                next.completed.remove(&slug);
            }
            next.visited.insert(slug);
            next.save();
            progress.set(next);
        })
    };

    let page = match &*route {
        Route::Embed { kind, query } => {
            return html! { <main id="main" class="ww-embed-main"><Embed key={format!("{kind}?{query:?}")} kind={kind.clone()} query={query.clone()} /></main> };
        }
        Route::Home => html! { <Home progress={(*progress).clone()} /> },
        Route::Lesson(slug) => html! {
            <LessonPage key={slug.clone()} slug={slug.clone()} completed={progress.completed.contains(slug)} on_complete={on_complete} />
        },
        Route::Figure { kind, query } => html! {
            <FigurePage key={format!("{kind}?{query:?}")} kind={kind.clone()} query={query.clone()} />
        },
        Route::NotFound => html! { <NotFound /> },
        Route::Capture => html! { <crate::pages::capture::CapturePage /> },
        Route::Fidelity => html! { <crate::pages::fidelity::FidelityPage /> },
    };
    html! {
        <>
            <a class="ww-skip" href="#main" onclick={Callback::from(|e: MouseEvent| {
                e.prevent_default();
                if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("main")) {
                    el.scroll_into_view();
                    let _ = el.set_attribute("tabindex", "-1");
                    if let Ok(h) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) { let _ = h.focus(); }
                }
            })}>{ "Skip to content" }</a>
            <header class="ww-site-header">
                <a class="ww-brand" href="#/"><span class="ww-logo" aria-hidden="true">{ "⇄" }</span>{ "wirewise" }</a>
                <span class="ww-site-tagline">{ "networking for backend engineers" }</span>
            </header>
            <main id="main" class="ww-main">{ page }</main>
            <footer class="ww-site-footer">
                <p>{ "Figures run a deterministic TCP/IP simulation in your browser: same settings and seed, same packets. \
                      Keyboard: Tab to a figure, then Space plays or pauses, ← and → step between events, Home and End jump." }</p>
                <p class="ww-footer-links">
                    <a href={Route::Fidelity.href()}>{ "How faithful is this?" }</a>
                    { " The simulation beside a live Linux kernel, behaviour by behaviour." }
                </p>
            </footer>
        </>
    }
}
