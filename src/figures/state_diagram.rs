//! `state-diagram`: RFC 9293's TCP state machine (its Figure 5): the eleven states and every
//! arc `TcpState::may_transition_to` allows, with each side's current state lit at the cursor
//! and the arcs each side has taken so far drawn heavy and numbered. Driven by the handshake
//! cases; the states come from the trace's `TcpState` events.

use super::handshake_ladder::preset_of;
use super::runner::run_preset;
use super::Runs;
use crate::widgets::format;
use crate::widgets::ladder::node_state;
use wirewise_sim::params::ParamSet;
use wirewise_sim::tcp::TcpState;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{EventKind, NodeId, SockId, SockKind, Trace};
use yew::prelude::*;

/// What the figure simplifies.
pub const FAITHFUL: &str = "The states and arcs are RFC 9293's; the run behind them is the handshake figure's. \
     Any state can drop straight to CLOSED on a reset or an abort; those arcs are drawn only once taken. \
     TIME-WAIT lasts 60 s on Linux, so the run's end shows the client still in it.";

/// Runs the case's preset.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let main = run_preset(preset_of(params.choice("case")), &[("rtt", params.num("rtt").to_string())], seed)?;
    Ok(Runs { main, others: Vec::new() })
}

/// One end of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The host called `client`.
    Client,
    /// The host called `server`.
    Server,
}

impl Side {
    /// Its name in the trace and in the text.
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    /// Its CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Side::Client => "ww-side-client",
            Side::Server => "ww-side-server",
        }
    }

    /// Its node in `trace`: the host called `client` or `server`, or in a run between two
    /// peers (no host has those names) the first or the second host.
    pub fn node(self, trace: &Trace) -> Option<NodeId> {
        let named = |name: &str| trace.node_named(name);
        let i = match named(self.name()) {
            Some(i) => i,
            None if named(Side::Client.name()).is_none() && named(Side::Server.name()).is_none() => {
                let nth = if self == Side::Client { 0 } else { 1 };
                if (nth as usize) < trace.nodes.len() {
                    nth
                } else {
                    return None;
                }
            }
            None => return None,
        };
        Some(i)
    }

    /// Its host's name in `trace` (`client`, `server`, `peer-a`…), for the text.
    pub fn label(self, trace: &Trace) -> String {
        self.node(trace)
            .and_then(|n| trace.nodes.get(n as usize))
            .map_or_else(|| self.name().to_string(), |n| n.name.clone())
    }

    /// [`Side::label`] for a sentence: "the client", "the server", or the host's own name.
    pub fn the_label(self, trace: &Trace) -> String {
        let label = self.label(trace);
        if label == self.name() {
            format!("the {label}")
        } else {
            label
        }
    }

    /// The letter its numbered arcs carry: C for the client, S for the server, A and B for
    /// `peer-a` and `peer-b`.
    pub fn letter(self, trace: &Trace) -> String {
        let label = self.label(trace);
        let last = label.rsplit('-').next().unwrap_or(&label);
        last.chars().next().map_or_else(|| "?".to_string(), |c| c.to_uppercase().collect())
    }
}

/// One state change of one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Whose state (the listener or one connection).
    pub sock: SockId,
    /// When.
    pub t: Instant,
    /// From.
    pub from: TcpState,
    /// To.
    pub to: TcpState,
}

/// The state changes of every TCP socket on `side`'s host up to `t`, in order: the listener's
/// and each connection's.
pub fn side_history(trace: &Trace, side: Side, t: Instant) -> Vec<Step> {
    let Some(node) = side.node(trace) else { return Vec::new() };
    trace.events[..trace.count_until(t)]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TcpState { sock, from, to }
                if trace.sockets.get(*sock as usize).is_some_and(|s| s.node == node) =>
            {
                Some(Step { sock: *sock, t: e.t, from: *from, to: *to })
            }
            _ => None,
        })
        .collect()
}

/// A side's state changes grouped per socket, in order of their first change. The listener's
/// lone CLOSED → LISTEN is left out once a connection exists: each connection's line starts
/// at LISTEN anyway.
pub fn connection_chains(steps: Vec<Step>) -> Vec<Vec<Step>> {
    let mut out: Vec<Vec<Step>> = Vec::new();
    for s in steps {
        match out.iter_mut().find(|c| c[0].sock == s.sock) {
            Some(c) => c.push(s),
            None => out.push(vec![s]),
        }
    }
    let listener_only = |c: &Vec<Step>| c.len() == 1 && c[0].to == TcpState::Listen;
    if out.len() > 1 {
        out.retain(|c| !listener_only(c));
    }
    out
}

const W: f64 = 760.0;
const H: f64 = 580.0;
const BOX_W: f64 = 124.0;
const BOX_H: f64 = 32.0;

/// Where each state's box sits (its centre), after RFC 9293 Figure 5.
pub fn position(s: TcpState) -> (f64, f64) {
    use TcpState::*;
    match s {
        Closed => (380.0, 34.0),
        Listen => (380.0, 120.0),
        SynReceived => (190.0, 206.0),
        SynSent => (570.0, 206.0),
        Established => (380.0, 292.0),
        FinWait1 => (190.0, 378.0),
        CloseWait => (570.0, 378.0),
        FinWait2 => (190.0, 464.0),
        Closing => (380.0, 464.0),
        LastAck => (570.0, 464.0),
        TimeWait => (380.0, 548.0),
    }
}

/// The arcs RFC 9293 Figure 5 draws (every `may_transition_to` arc except the abort and
/// reset arcs into CLOSED).
pub fn figure_arcs() -> Vec<(TcpState, TcpState)> {
    let mut v = Vec::new();
    for from in TcpState::ALL {
        for to in TcpState::ALL {
            if from.may_transition_to(to) && !is_abort(from, to) {
                v.push((from, to));
            }
        }
    }
    v
}

/// An arc into CLOSED that Figure 5 does not draw: a reset or an abort.
pub fn is_abort(from: TcpState, to: TcpState) -> bool {
    use TcpState::*;
    to == Closed && !matches!(from, Listen | SynSent | LastAck | TimeWait)
}

/// Where the line from the centre `c` towards `p` leaves `c`'s box.
fn clip(c: (f64, f64), p: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (p.0 - c.0, p.1 - c.1);
    if dx == 0.0 && dy == 0.0 {
        return c;
    }
    let sx = if dx != 0.0 { (BOX_W / 2.0) / dx.abs() } else { f64::INFINITY };
    let sy = if dy != 0.0 { (BOX_H / 2.0) / dy.abs() } else { f64::INFINITY };
    let s = sx.min(sy);
    (c.0 + dx * s, c.1 + dy * s)
}

/// The SVG path of an arc, and where its number goes.
pub fn arc_path(from: TcpState, to: TcpState) -> (String, (f64, f64)) {
    use TcpState::*;
    let (a, b) = (position(from), position(to));
    // Long ways round the outside.
    let around = |side: f64| {
        let start = (a.0 + side * BOX_W / 2.0, a.1);
        let end = (b.0 + side * BOX_W / 2.0, b.1);
        let x = if side < 0.0 { 14.0 } else { W - 14.0 };
        (
            format!("M{} {} C{x} {} {x} {} {} {}", start.0, start.1, start.1, end.1, end.0, end.1),
            (x + if side < 0.0 { 30.0 } else { -30.0 }, (start.1 + end.1) / 2.0),
        )
    };
    match (from, to) {
        (TimeWait, Closed) => return around(-1.0),
        (LastAck, Closed) => return around(1.0),
        _ => {}
    }
    if is_abort(from, to) {
        // A dashed curve bowing outwards, from the state's top to CLOSED.
        let start = (a.0, a.1 - BOX_H / 2.0);
        let end = clip(b, a);
        let bow = if a.0 < b.0 { -90.0 } else { 90.0 };
        let c = ((start.0 + end.0) / 2.0 + bow, (start.1 + end.1) / 2.0);
        return (format!("M{} {} Q{} {} {} {}", start.0, start.1, c.0, c.1, end.0, end.1), c);
    }
    // Arcs that have a partner in the other direction are offset to either side.
    let paired = to.may_transition_to(from) && !is_abort(to, from);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (nx, ny) = (-dy / len * 7.0, dx / len * 7.0);
    let (oa, ob) = if paired { ((a.0 + nx, a.1 + ny), (b.0 + nx, b.1 + ny)) } else { (a, b) };
    let s = clip(oa, ob);
    let e = clip(ob, oa);
    (format!("M{} {} L{} {}", s.0, s.1, e.0, e.1), ((s.0 + e.0) / 2.0 + nx * 1.6, (s.1 + e.1) / 2.0 + ny * 1.6))
}

fn head(path_end: (f64, f64), from: (f64, f64)) -> String {
    let (dx, dy) = (path_end.0 - from.0, path_end.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (path_end.0 - ux * 9.0, path_end.1 - uy * 9.0);
    let (px, py) = (-uy * 4.0, ux * 4.0);
    format!("M{} {} L{} {} L{} {} Z", path_end.0, path_end.1, bx + px, by + py, bx - px, by - py)
}

/// The end point of a path string and a point just before it (for the arrow head).
fn ends(d: &str) -> ((f64, f64), (f64, f64)) {
    let nums: Vec<f64> = d
        .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let n = nums.len();
    ((nums[n - 2], nums[n - 1]), (nums[n - 4], nums[n - 3]))
}

/// The state machine with both sides' states and paths at `t`.
pub fn view(runs: &Runs, t: Instant) -> Html {
    let trace = &runs.main.trace;
    let sides = [Side::Client, Side::Server];
    let histories: Vec<Vec<Step>> = sides.iter().map(|s| side_history(trace, *s, t)).collect();
    let now: Vec<TcpState> =
        sides.iter().map(|s| s.node(trace).map_or(TcpState::Closed, |n| node_state(trace, n, t))).collect();

    let mut arcs = figure_arcs();
    for h in &histories {
        for s in h {
            if is_abort(s.from, s.to) && !arcs.contains(&(s.from, s.to)) {
                arcs.push((s.from, s.to));
            }
        }
    }
    let arc_views = arcs.iter().map(|(from, to)| {
        let (d, label_at) = arc_path(*from, *to);
        let (end, before) = ends(&d);
        let taken: Vec<(Side, usize)> = sides
            .iter()
            .zip(&histories)
            .filter_map(|(side, h)| h.iter().position(|s| s.from == *from && s.to == *to).map(|i| (*side, i + 1)))
            .collect();
        let mut class = classes!("ww-sd-arc");
        if is_abort(*from, *to) {
            class.push("ww-sd-abort");
        }
        for (side, _) in &taken {
            class.push(format!("ww-sd-taken-{}", side.name()));
        }
        if !taken.is_empty() {
            class.push("ww-sd-taken");
        }
        let tag = taken
            .iter()
            .map(|(side, i)| format!("{}{i}", side.letter(trace)))
            .collect::<Vec<_>>()
            .join(" ");
        html! {
            <g class={class}>
                <path class="ww-sd-line" d={d.clone()} />
                <path class="ww-sd-head" d={head(end, before)} />
                if !tag.is_empty() {
                    <text class="ww-sd-tag" x={label_at.0.to_string()} y={(label_at.1 + 4.0).to_string()} text-anchor="middle">{ tag }</text>
                }
            </g>
        }
    });
    let state_views = TcpState::ALL.iter().map(|s| {
        let (x, y) = position(*s);
        let here: Vec<Side> = sides.iter().zip(&now).filter(|(_, n)| **n == *s).map(|(side, _)| *side).collect();
        let mut class = classes!("ww-sd-state");
        for side in &here {
            class.push(format!("ww-sd-now-{}", side.name()));
        }
        if !here.is_empty() {
            class.push("ww-sd-now");
        }
        let who = here.iter().map(|s| s.label(trace)).collect::<Vec<_>>().join(" + ");
        html! {
            <g class={class} data-state={s.name()}>
                <rect x={(x - BOX_W / 2.0).to_string()} y={(y - BOX_H / 2.0).to_string()} width={BOX_W.to_string()}
                    height={BOX_H.to_string()} rx="6" />
                <text x={x.to_string()} y={(y + if who.is_empty() { 5.0 } else { 0.0 }).to_string()} text-anchor="middle">{ s.name() }</text>
                if !who.is_empty() {
                    <text class="ww-sd-who" x={x.to_string()} y={(y + 12.0).to_string()} text-anchor="middle">{ who }</text>
                }
            </g>
        }
    });
    let summary = sides
        .iter()
        .zip(&histories)
        .zip(&now)
        .map(|((side, h), n)| {
            let chains = connection_chains(h.clone());
            let path = if chains.is_empty() {
                "no state change yet".to_string()
            } else {
                let many = chains.len() > 1;
                let parts: Vec<String> = chains
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut p = if many { format!("connection {}: ", i + 1) } else { String::new() };
                        p += c[0].from.name();
                        for s in c {
                            p += &format!(" → {} ({})", s.to.name(), format::duration(s.t.0));
                        }
                        p
                    })
                    .collect();
                parts.join("; ")
            };
            html! { <li class={side.class()}><strong>{ format!("{} is in {}. ", side.label(trace), n.name()) }</strong>{ format!("Path: {path}.") }</li> }
        })
        .collect::<Html>();
    html! {
        <div class="ww-state-diagram">
            <div class="ww-sd-scroll" tabindex="0" role="group" aria-label="State diagram (scrolls sideways on narrow screens)">
            <svg viewBox={format!("0 0 {W} {H}")} role="img"
                aria-label={format!("RFC 9293 TCP state diagram with {}'s and {}'s current states marked; the list below says the same in words",
                    Side::Client.the_label(trace), Side::Server.the_label(trace))}>
                <g aria-hidden="true">
                    { for arc_views }
                    { for state_views }
                </g>
            </svg>
            </div>
            <ul class="ww-sd-summary" aria-live="polite">{ summary }</ul>
            <p class="ww-sd-legend">
                { format!(
                    "Boxes name where each side is now; heavy arcs are the ones taken so far, numbered in order: {a}1, {a}2… for {}, {b}1, {b}2… for {}. ",
                    Side::Client.the_label(trace),
                    Side::Server.the_label(trace),
                    a = Side::Client.letter(trace),
                    b = Side::Server.letter(trace),
                ) }
                if trace.sockets.iter().any(|s| s.kind == SockKind::TcpListener) { { SERVER_NOTE } }
            </p>
        </div>
    }
}

const SERVER_NOTE: &str =
    "The server's LISTEN is its listening socket; its later states belong to the connection that socket accepted.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_arc_is_drawn_or_is_an_abort() {
        let drawn = figure_arcs();
        for from in TcpState::ALL {
            for to in TcpState::ALL {
                if from.may_transition_to(to) {
                    assert!(drawn.contains(&(from, to)) || is_abort(from, to), "{from} -> {to}");
                    let (d, _) = arc_path(from, to);
                    assert!(d.starts_with('M'), "{d}");
                }
            }
        }
        assert_eq!(drawn.len(), 21);
    }

    #[test]
    fn sides_are_the_client_and_server_or_the_two_peers() {
        let run = crate::figures::runner::run_preset("simultaneous-open", &[], 1).unwrap();
        let trace = &run.trace;
        assert_eq!((Side::Client.label(trace), Side::Client.letter(trace)), ("peer-a".to_string(), "A".to_string()));
        assert_eq!((Side::Server.label(trace), Side::Server.letter(trace)), ("peer-b".to_string(), "B".to_string()));
        assert_eq!(Side::Client.the_label(trace), "peer-a");
        let run = crate::figures::runner::run_preset("handshake", &[], 1).unwrap();
        let trace = &run.trace;
        assert_eq!((Side::Client.label(trace), Side::Client.letter(trace)), ("client".to_string(), "C".to_string()));
        assert_eq!(
            (Side::Server.the_label(trace), Side::Server.letter(trace)),
            ("the server".to_string(), "S".to_string())
        );
    }

    #[test]
    fn states_do_not_overlap() {
        for a in TcpState::ALL {
            for b in TcpState::ALL {
                if a != b {
                    let (pa, pb) = (position(a), position(b));
                    assert!((pa.0 - pb.0).abs() >= BOX_W || (pa.1 - pb.1).abs() >= BOX_H, "{a} {b}");
                }
            }
        }
    }
}
