//! `#/embed/<kind>?...`: the figure alone, for an iframe. It tells the parent page its
//! height (`{type: "wirewise:height", height}`) whenever that changes.

use crate::figures::shell::{Figure, Mode};
use crate::figures::specs::find_kind;
use crate::pages::not_found::NotFound;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Embed page properties.
#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    /// The figure kind.
    pub kind: AttrValue,
    /// The URL query.
    pub query: Vec<(String, String)>,
}

fn post_height(height: f64) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"wirewise:height".into());
    let _ = js_sys::Reflect::set(&message, &"height".into(), &JsValue::from_f64(height.ceil()));
    let _ = parent.post_message(&message, "*");
}

/// The embed page.
#[component]
pub fn Embed(props: &EmbedProps) -> Html {
    let root = use_node_ref();
    {
        let root = root.clone();
        use_effect_with((), move |_| {
            let observer = root.cast::<web_sys::Element>().and_then(|el| {
                let last = std::cell::Cell::new(0.0);
                let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    if let Some(entry) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
                        let h = entry.target().get_bounding_client_rect().height();
                        if (h - last.get()).abs() >= 1.0 {
                            last.set(h);
                            post_height(h);
                        }
                    }
                });
                let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&el);
                Some((observer, callback))
            });
            move || {
                if let Some((o, _callback)) = observer {
                    o.disconnect();
                }
            }
        });
    }
    let Some(kind) = find_kind(&props.kind) else {
        return html! { <NotFound /> };
    };
    html! {
        <div class="ww-embed" ref={root}>
            <Figure kind={kind} query={props.query.clone()} mode={Mode::Embed} />
            <p class="ww-embed-credit"><a href={crate::route::Route::Home.href()} target="_blank" rel="noopener">{ "wirewise: networking for backend engineers" }</a></p>
        </div>
    }
}
