//! The figure kinds a lesson or a URL may name, and the parameters each one declares.
//!
//! This file is shared: the app uses it to build controls and read URLs, and `build.rs`
//! includes it (by `#[path]`) to validate the figure blocks in `lessons/` at build time, so
//! it depends only on `wirewise_sim::params`.

use wirewise_sim::params::{choice, flag, number, ParamSpec};

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

const RTT: ParamSpec = number("rtt", "Round-trip time", 0.02, 500.0, 0.01, "ms", 50.0, RTT_HELP);

const CALL_COST: &[ParamSpec] = &[
    RTT,
    number("bandwidth", "Bandwidth", 1.0, 10000.0, 1.0, "Mbit/s", 100.0, "How fast the link puts bits on the wire."),
    number("request", "Request size", 1.0, 65536.0, 1.0, "bytes", 300.0, "Bytes the client writes for one call."),
    number("response", "Response size", 1.0, 1_000_000.0, 1.0, "bytes", 2000.0, "Bytes the server writes back."),
    flag(
        "reuse",
        "Reuse a pooled connection",
        false,
        "On: the connection is already open. Off: every call opens a new TCP connection.",
    ),
];

/// A round-trip-time slider in whole milliseconds from 1 to 500, starting at `default`.
const fn rtt_whole_ms(default: f64) -> ParamSpec {
    number("rtt", "Round-trip time", 1.0, 500.0, 1.0, "ms", default, RTT_HELP)
}

const RTT_HELP: &str = "Time for a packet to reach the server and an answer to come back.";

const RTT_WHOLE_MS: ParamSpec = rtt_whole_ms(50.0);

const HANDSHAKE: &[ParamSpec] = &[RTT_WHOLE_MS];

const HOST_TO_HOST: &[ParamSpec] = &[rtt_whole_ms(20.0)];

const CASE: ParamSpec = choice(
    "case",
    "What happens",
    &["clean", "lost-syn", "lost-synack", "closed-port"],
    "clean",
    "clean: a normal handshake; lost-syn / lost-synack: the first SYN or SYN-ACK is lost; closed-port: nothing listens, the server answers RST.",
);

const HANDSHAKE_LADDER: &[ParamSpec] = &[
    CASE,
    RTT_WHOLE_MS,
    choice(
        "numbers",
        "Sequence numbers",
        &["relative", "absolute"],
        "relative",
        "relative: counted from each side's initial sequence number, as Wireshark shows them; absolute: as on the wire.",
    ),
];

const STATE_DIAGRAM: &[ParamSpec] = &[CASE, RTT_WHOLE_MS];

const CONNECTION_COST: &[ParamSpec] = &[
    RTT_WHOLE_MS,
    choice(
        "ladder",
        "Ladder shows",
        &["tls1.2", "tls1.3", "tls1.3-0rtt", "quic", "quic-0rtt"],
        "tls1.3",
        "Which protocol's packets the ladder and the timeline show.",
    ),
];

/// The scenarios of the kernel queues lab (simulation presets of the same names).
pub const QUEUE_PRESETS: &[&str] = &[
    "queues-healthy",
    "queues-slow-accept",
    "queues-syn-flood",
    "queues-syn-flood-cookies",
    "queues-abort-on-overflow",
    "queues-reuseport-stall",
    "queues-old-somaxconn",
];

/// The lab's sliders. Their defaults are the healthy server's; choosing a scenario resets
/// every slider to that scenario's own defaults (see `figures::linked_specs`).
const KERNEL_QUEUES: &[ParamSpec] = &[
    choice("preset", "Scenario", QUEUE_PRESETS, "queues-healthy", "Which server and load to simulate; choosing one resets the sliders to its settings."),
    number("backlog", "listen() backlog", 0.0, 4096.0, 1.0, "", 511.0, "The backlog the server passes to listen(); the accept queue holds min(backlog, somaxconn) + 1."),
    number("somaxconn", "net.core.somaxconn", 1.0, 65535.0, 1.0, "", 4096.0, "listen() silently clamps the backlog to this (4096 since Linux 5.4, 128 before)."),
    number("workers", "Worker threads", 1.0, 16.0, 1.0, "", 4.0, "Threads calling accept()."),
    number("accept_rate", "Accept rate", 0.5, 10_000.0, 0.5, "/s per worker", 500.0, "How many connections each worker accepts and serves per second."),
    number("clients", "Clients", 1.0, 1000.0, 1.0, "", 200.0, "Connections the load generator opens, one request each."),
    number("arrival_rate", "Arrival rate", 1.0, 10_000.0, 1.0, "/s", 200.0, "New connections per second (on average, for bursts)."),
    choice("arrival", "Arrivals", &["steady", "burst", "all-at-once"], "steady", "Clients arrive evenly, in bursts of 20, or all at the same instant."),
    choice("syncookies", "net.ipv4.tcp_syncookies", &["0", "1", "2"], "1", "0 off, 1 when the SYN queue is full (the default), 2 always."),
    flag("abort_on_overflow", "net.ipv4.tcp_abort_on_overflow", false, "Answer a final ACK that finds the accept queue full with RST instead of dropping it."),
    flag("reuseport", "SO_REUSEPORT", false, "One listening socket per worker, picked by a hash of the client's address and port."),
    number("stalled", "Stalled workers", 0.0, 16.0, 1.0, "", 0.0, "How many workers stop calling accept()."),
    number("stall_s", "Stall length", 0.0, 120.0, 0.5, "s", 0.0, "How long the stalled workers stall (0: the whole run)."),
    choice("kernel", "Kernel", &["linux", "linux-pre-6.5", "linux-pre-5.4"], "linux", "Linux 6.5+ (SYNs resent 1, 2, 3, 4, 5, 7, 11 s after connect()), before 6.5 (1, 3, 7, 15 s), or before 5.4 (also somaxconn 128)."),
    number("flood_rate", "Flood rate", 10.0, 1000.0, 10.0, "SYN/s", 500.0, "SYN flood scenarios only: spoofed SYNs per second."),
    number("flood_s", "Flood length", 0.5, 10.0, 0.5, "s", 4.0, "SYN flood scenarios only: how long the attacker sends."),
    number("max_syn_backlog", "net.ipv4.tcp_max_syn_backlog", 16.0, 8192.0, 1.0, "", 2048.0, "SYN flood scenarios only, with syncookies off: the last quarter is kept for peers proven alive."),
];

const ENCAPSULATION: &[ParamSpec] = &[
    number(
        "request",
        "Request size",
        100.0,
        20000.0,
        1.0,
        "bytes",
        3000.0,
        "Bytes of the HTTP POST (request line, headers and JSON body) the client writes.",
    ),
    number(
        "mtu",
        "Link MTU",
        576.0,
        9000.0,
        1.0,
        "bytes",
        1500.0,
        "Largest IP packet the link carries; the MSS is the MTU minus 40.",
    ),
];

const HOP_BY_HOP: &[ParamSpec] = &[
    choice(
        "path",
        "Path",
        &["routers", "nat"],
        "routers",
        "routers: traceroute across three routers; nat: a laptop behind a NAT router calling a server.",
    ),
    flag("forward", "Port forward 8080 (NAT path)", false, "Forward TCP port 8080 on the NAT router to the laptop."),
];

const HOL_BLOCKING: &[ParamSpec] = &[
    number(
        "lose",
        "Lost packet",
        0.0,
        40.0,
        1.0,
        "",
        3.0,
        "Which packet of response data is lost (1st, 2nd…); 0 for none.",
    ),
    RTT_WHOLE_MS,
    number(
        "response",
        "Response size",
        1000.0,
        100_000.0,
        500.0,
        "bytes",
        2000.0,
        "Bytes of each of the six responses.",
    ),
    choice("ladder", "Ladder shows", &["tcp", "quic"], "tcp", "Which run the packet ladder below shows."),
];

/// Every figure kind, in the order the course introduces them.
pub const KINDS: &[FigureKind] = &[
    FigureKind { name: "call-cost", title: "A local call against a remote call", params: CALL_COST },
    FigureKind { name: "handshake", title: "Opening and closing a TCP connection", params: HANDSHAKE },
    FigureKind { name: "host-to-host", title: "Who is who on the wire: MAC, IP and port", params: HOST_TO_HOST },
    FigureKind {
        name: "handshake-ladder",
        title: "The three-way handshake, packet by packet",
        params: HANDSHAKE_LADDER,
    },
    FigureKind { name: "state-diagram", title: "TCP's state machine, live", params: STATE_DIAGRAM },
    FigureKind {
        name: "connection-cost",
        title: "Round trips before the first response byte",
        params: CONNECTION_COST,
    },
    FigureKind {
        name: "kernel-queues",
        title: "Inside the kernel: SYN queue, accept queue and workers",
        params: KERNEL_QUEUES,
    },
    FigureKind { name: "encapsulation", title: "One request, wrapped layer by layer", params: ENCAPSULATION },
    FigureKind { name: "hop-by-hop", title: "The same packet, hop by hop", params: HOP_BY_HOP },
    FigureKind { name: "hol-blocking", title: "Head-of-line blocking: TCP against QUIC", params: HOL_BLOCKING },
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
