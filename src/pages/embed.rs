//! `#/embed/<kind>?...`: the figure alone, for an iframe. It tells the parent page its
//! height (`{type: "wirewise:height", height}`) whenever that changes. The embedding page may
//! name its origin with `parent=https://host[:port]`; the height then goes to that origin only.

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

/// The query key with which the embedding page names its origin.
const PARENT_KEY: &str = "parent";

/// `value` as a web origin, `http(s)://host[:port]` (a trailing `/` is allowed), in the form
/// `postMessage` compares: scheme and host lower-case, no default port spelled out. Anything
/// else (another scheme, a path, a query, user info, an empty host, a port out of range) is
/// `None`.
pub fn parse_origin(value: &str) -> Option<String> {
    let (scheme, rest) = value.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    // host: a name or IPv4 address, or an IPv6 address in brackets; then an optional port.
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (addr, after) = v6.split_once(']')?;
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.')) {
            return None;
        }
        (format!("[{}]", addr.to_ascii_lowercase()), after)
    } else {
        let end = rest.find(':').unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        let valid = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if name.len() > 253 || !name.split('.').all(valid) {
            return None;
        }
        (name.to_ascii_lowercase(), after)
    };
    let port = match port {
        "" => None,
        p => {
            let digits = p.strip_prefix(':')?;
            if digits.is_empty() || digits.len() > 5 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let n: u16 = digits.parse().ok().filter(|&n| n != 0)?;
            let default = if scheme == "http" { 80 } else { 443 };
            (n != default).then_some(n)
        }
    };
    Some(match port {
        Some(n) => format!("{scheme}://{host}:{n}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Where the height message goes: the origin the URL's `parent` names, or `"*"` (any parent)
/// when it names none or an invalid one (which is reported on the console).
fn target_origin(query: &[(String, String)]) -> String {
    let Some((_, value)) = query.iter().rev().find(|(k, _)| k == PARENT_KEY) else { return "*".into() };
    parse_origin(value.trim()).unwrap_or_else(|| {
        let shown: String = value.chars().take(80).collect();
        web_sys::console::warn_1(
            &format!("wirewise embed: ignored parent '{shown}': it must be an origin like https://example.org or https://example.org:8443; the height message goes to any parent.")
                .into(),
        );
        "*".into()
    })
}

/// Posts the height to the parent window. With no `parent` origin the target is `"*"`, which
/// is safe here: the message carries only the figure's height in pixels, a number any page that
/// frames the figure can measure anyway, and no state, parameters or user data.
fn post_height(height: f64, target_origin: &str) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"wirewise:height".into());
    let _ = js_sys::Reflect::set(&message, &"height".into(), &JsValue::from_f64(height.ceil()));
    let _ = parent.post_message(&message, target_origin);
}

/// The embed page.
#[component]
pub fn Embed(props: &EmbedProps) -> Html {
    let root = use_node_ref();
    // Read once: the figure rewrites the address bar, but keeps `parent` in it.
    let origin = use_memo((), |_| target_origin(&props.query));
    let (figure_query, keep): (Vec<_>, Vec<_>) = props.query.iter().cloned().partition(|(k, _)| k != PARENT_KEY);
    {
        let root = root.clone();
        let origin = origin.clone();
        use_effect_with((), move |_| {
            let observer = root.cast::<web_sys::Element>().and_then(|el| {
                let last = std::cell::Cell::new(0.0);
                let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    if let Some(entry) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
                        let h = entry.target().get_bounding_client_rect().height();
                        if (h - last.get()).abs() >= 1.0 {
                            last.set(h);
                            post_height(h, &origin);
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
            <Figure kind={kind} query={figure_query} mode={Mode::Embed} keep={keep} />
            <p class="ww-embed-credit"><a href={crate::route::Route::Home.href()} target="_blank" rel="noopener">{ "wirewise: networking for backend engineers" }</a></p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn origins_are_normalised_and_anything_else_is_refused() {
        let ok = |s: &str| parse_origin(s);
        assert_eq!(ok("https://example.org").as_deref(), Some("https://example.org"));
        assert_eq!(ok("HTTPS://Example.ORG/").as_deref(), Some("https://example.org"));
        assert_eq!(ok("https://example.org:443").as_deref(), Some("https://example.org"));
        assert_eq!(ok("http://127.0.0.1:4173").as_deref(), Some("http://127.0.0.1:4173"));
        assert_eq!(ok("http://[::1]:8080").as_deref(), Some("http://[::1]:8080"));
        assert_eq!(ok("http://localhost").as_deref(), Some("http://localhost"));
        for bad in [
            "",
            "*",
            "example.org",
            "https://",
            "https://example.org/path",
            "https://example.org?x=1",
            "https://example.org#x",
            "https://user@example.org",
            "https://example.org:0",
            "https://example.org:65536",
            "https://example.org:",
            "https://exa mple.org",
            "javascript:alert(1)",
            "javascript://example.org/%0aalert(1)",
            "https://<img src=x>",
            "https://example..org",
            "1http://example.org",
            "javascript://example.org",
            "ftp://example.org",
        ] {
            assert_eq!(parse_origin(bad), None, "{bad:?}");
        }
    }
}
