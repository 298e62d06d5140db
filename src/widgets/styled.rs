//! An element whose inline style is set through the CSSOM (`element.style.setProperty`) after
//! each render instead of a `style="…"` attribute. The site's Content-Security-Policy has no
//! `'unsafe-inline'` for styles, which blocks style attributes in markup but not the CSSOM, so
//! computed sizes (bar widths, flex shares) are set this way.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Properties of a [`Styled`] element.
#[derive(Properties, PartialEq)]
pub struct StyledProps {
    /// The element's tag name.
    #[prop_or("div")]
    pub tag: &'static str,
    /// Its classes.
    #[prop_or_default]
    pub class: Classes,
    /// CSS properties and values, e.g. `("width", "42%")`.
    pub style: Vec<(&'static str, String)>,
    /// Its tooltip.
    #[prop_or_default]
    pub title: Option<AttrValue>,
    /// Its `aria-hidden`.
    #[prop_or_default]
    pub aria_hidden: Option<AttrValue>,
    /// Its content.
    #[prop_or_default]
    pub children: Html,
}

/// An element with CSSOM-set style properties.
#[component]
pub fn Styled(props: &StyledProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.style.clone(), move |style| {
            if let Some(el) = node.get().and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
                let css = el.style();
                for (name, value) in style {
                    let _ = css.set_property(name, value);
                }
            }
        });
    }
    html! {
        <@{props.tag} ref={node} class={props.class.clone()} title={props.title.clone()} aria-hidden={props.aria_hidden.clone()}>
            { props.children.clone() }
        </@>
    }
}

/// `width: <pct>%`, at least `min_px` wide when `min_px` is non-zero.
pub fn width_style(pct: f64, min_px: u32) -> Vec<(&'static str, String)> {
    let pct = if pct.is_finite() { pct.clamp(0.0, 100.0) } else { 0.0 };
    let value = if min_px > 0 { format!("max({min_px}px, {pct:.3}%)") } else { format!("{pct:.3}%") };
    vec![("width", value)]
}
