//! Shared pieces of figures. Each view is a pure function of (trace, time cursor).

pub mod capture;
pub mod event_log;
pub mod format;
pub mod ladder;
pub mod packet_detail;
pub mod packet_list;
pub mod param_controls;
pub mod share;
pub mod styled;
pub mod time_chart;
pub mod timeline;

use wirewise_sim::trace::{NodeId, Trace};

/// A list of things a learner should know (settings adjusted, problems reading a file) under a
/// bold title; nothing when the list is empty.
pub fn notices(title: &str, items: &[String]) -> yew::Html {
    use yew::html;
    if items.is_empty() {
        return yew::Html::default();
    }
    html! {
        <div class="ww-param-warning" role="status">
            <strong>{ format!("{title} ") }</strong>
            <ul>{ for items.iter().map(|w| html! { <li>{ w.clone() }</li> }) }</ul>
        </div>
    }
}

/// A node's name, or `node N` if the trace has no such node.
pub fn node_name(trace: &Trace, node: NodeId) -> String {
    trace.nodes.get(node as usize).map(|n| n.name.clone()).unwrap_or_else(|| format!("node {node}"))
}
