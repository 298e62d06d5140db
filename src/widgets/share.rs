//! "Share link" and "Copy embed code": copy the figure's URL or an iframe snippet, and say
//! in `.ww-copy-status` whether it worked (or show the text to copy by hand).

use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

/// Share properties.
#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The figure page's hash (`#/figure/...`).
    pub figure_href: AttrValue,
    /// The embed page's hash (`#/embed/...`).
    pub embed_href: AttrValue,
    /// The figure's title, for the iframe's title.
    pub title: AttrValue,
}

/// The page's address without its hash: where the app is served from.
pub fn base_url() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    match href.split_once('#') {
        Some((base, _)) => base.to_string(),
        None => href,
    }
}

/// The iframe snippet for an embed URL.
pub fn embed_code(url: &str, title: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"720\" style=\"border:0\" loading=\"lazy\"></iframe>",
        esc(url),
        esc(title)
    )
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Copied(&'static str),
    Manual(String),
}

/// The two buttons and the status line.
#[component]
pub fn Share(props: &ShareProps) -> Html {
    let status = use_state(|| Status::Idle);
    let copy = |text_of: Box<dyn Fn() -> String>, what: &'static str| {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let text = text_of();
            let status = status.clone();
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            match clipboard {
                Some(c) => {
                    let promise = c.write_text(&text);
                    wasm_bindgen_futures::spawn_local(async move {
                        match JsFuture::from(promise).await {
                            Ok(_) => status.set(Status::Copied(what)),
                            Err(_) => status.set(Status::Manual(text)),
                        }
                    });
                }
                None => status.set(Status::Manual(text)),
            }
        })
    };
    let figure_url = {
        let href = props.figure_href.clone();
        move || format!("{}{}", base_url(), href)
    };
    let embed = {
        let href = props.embed_href.clone();
        let title = props.title.clone();
        move || embed_code(&format!("{}{}", base_url(), href), &format!("wirewise: {title}"))
    };
    let message = match &*status {
        Status::Idle => Html::default(),
        Status::Copied(what) => html! { <>{ format!("Copied the {what}.") }</> },
        Status::Manual(text) => html! {
            <>
                { "Your browser did not allow copying; select this and copy it: " }
                <input class="ww-copy-text" type="text" readonly=true value={text.clone()} aria-label="Text to copy"
                    onfocus={Callback::from(|e: FocusEvent| {
                        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select(); }
                    })} />
            </>
        },
    };
    html! {
        <div class="ww-share">
            <button type="button" class="ww-small-button" onclick={copy(Box::new(figure_url), "link")}>{ "Share link" }</button>
            <button type="button" class="ww-small-button" onclick={copy(Box::new(embed), "embed code")}>{ "Copy embed code" }</button>
            <span class="ww-copy-status" role="status">{ message }</span>
        </div>
    }
}
