//! The figure kinds a lesson or a URL may name, and the parameters each one declares.
//!
//! This file is shared: the app uses it to build controls and read URLs, and `build.rs`
//! includes it (by `#[path]`) to validate the figure blocks in `lessons/` at build time, so
//! it depends only on `wirewise_sim::params`.

use wirewise_sim::params::{flag, number, ParamSpec};

/// A figure kind: its name in lessons and URLs, its title and its parameters. Every kind
/// also takes `seed` (the run's random seed) and `t` (the time cursor, in seconds) in URLs.
#[derive(Debug, PartialEq)]
pub struct FigureKind {
    /// The name in ` ```figure <name> ` blocks and in `#/figure/<name>` URLs.
    pub name: &'static str,
    /// What the figure shows, as a heading.
    pub title: &'static str,
    /// Its declared parameters, in the order the controls show them.
    pub params: &'static [ParamSpec],
}

const RTT: ParamSpec = number(
    "rtt",
    "Round-trip time",
    0.02,
    500.0,
    0.01,
    "ms",
    50.0,
    "Time for a packet to reach the server and an answer to come back.",
);

const CALL_COST: &[ParamSpec] = &[
    RTT,
    number(
        "bandwidth",
        "Bandwidth",
        1.0,
        10000.0,
        1.0,
        "Mbit/s",
        100.0,
        "How fast the link puts bits on the wire.",
    ),
    number(
        "request",
        "Request size",
        1.0,
        65536.0,
        1.0,
        "bytes",
        300.0,
        "Bytes the client writes for one call.",
    ),
    number(
        "response",
        "Response size",
        1.0,
        1_000_000.0,
        1.0,
        "bytes",
        2000.0,
        "Bytes the server writes back.",
    ),
    flag(
        "reuse",
        "Reuse a pooled connection",
        false,
        "On: the connection is already open. Off: every call opens a new TCP connection.",
    ),
];

const HANDSHAKE: &[ParamSpec] = &[number(
    "rtt",
    "Round-trip time",
    1.0,
    500.0,
    1.0,
    "ms",
    50.0,
    "Time for a packet to reach the server and an answer to come back.",
)];

const HOST_TO_HOST: &[ParamSpec] = &[number(
    "rtt",
    "Round-trip time",
    1.0,
    500.0,
    1.0,
    "ms",
    20.0,
    "Time for a packet to reach the server and an answer to come back.",
)];

/// Every figure kind, in the order the course introduces them.
pub const KINDS: &[FigureKind] = &[
    FigureKind {
        name: "call-cost",
        title: "A local call against a remote call",
        params: CALL_COST,
    },
    FigureKind {
        name: "handshake",
        title: "Opening and closing a TCP connection",
        params: HANDSHAKE,
    },
    FigureKind {
        name: "host-to-host",
        title: "Who is who on the wire: MAC, IP and port",
        params: HOST_TO_HOST,
    },
];

/// The kind called `name`.
pub fn find_kind(name: &str) -> Option<&'static FigureKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// The parameters of the kind called `name` (what `build.rs` validates lesson blocks with).
#[allow(dead_code)]
pub fn params_of(name: &str) -> Option<&'static [ParamSpec]> {
    find_kind(name).map(|k| k.params)
}
