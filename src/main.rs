//! wirewise: an interactive visual course on networking for backend engineers. Every figure
//! is driven by the deterministic simulation in `wirewise-sim`; the app only draws traces.

mod app;
mod course;
mod figures;
mod pages;
mod route;
mod widgets;

use wasm_bindgen::JsCast;

/// Shows a friendly error card instead of a blank page when the app panics. With
/// `panic = "abort"` nothing runs after the hook, so the card is built with plain DOM calls.
fn show_panic_card(info: &std::panic::PanicHookInfo<'_>) {
    console_error_panic_hook::hook(info);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    let Ok(card) = document.create_element("div") else { return };
    card.set_class_name("ww-error ww-error-page");
    let _ = card.set_attribute("role", "alert");
    let lines = [
        ("h1", "Something went wrong"),
        ("p", "The course stopped because of an error in the page. Reloading usually helps; your progress is saved."),
    ];
    for (tag, text) in lines {
        if let Ok(el) = document.create_element(tag) {
            el.set_text_content(Some(text));
            let _ = card.append_child(&el);
        }
    }
    if let Ok(a) = document.create_element("a") {
        // A full load of the page without its hash: the course map, freshly started.
        let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        let _ = a.set_attribute("href", href.split('#').next().unwrap_or(""));
        a.set_text_content(Some("Reload the course"));
        let _ = card.append_child(&a);
    }
    if let Ok(details) = document.create_element("pre") {
        details.set_text_content(Some(&info.to_string()));
        let _ = card.append_child(&details);
    }
    let _ = body.prepend_with_node_1(&card);
    if let Some(boot) = document.get_element_by_id("ww-boot") {
        boot.remove();
    }
    if let Some(root) = document.document_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = root.dataset().set("wwReady", "1");
    }
}

/// Removes the loading message and marks the document ready (`html[data-ww-ready="1"]`).
pub fn mark_ready() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(boot) = document.get_element_by_id("ww-boot") {
        boot.remove();
    }
    if let Some(root) = document.document_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = root.dataset().set("wwReady", "1");
    }
}

fn main() {
    std::panic::set_hook(Box::new(show_panic_card));
    yew::Renderer::<app::App>::new().render();
}
