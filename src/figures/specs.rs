//! The figure kinds a lesson or a URL may name, and the parameters each one declares.
//!
//! This file is shared: the app uses it to build controls and read URLs, and `build.rs`
//! includes it (by `#[path]`) to validate the figure blocks in `lessons/` at build time, so
//! it depends only on `wirewise_sim::params`.

use wirewise_sim::params::{choice, flag, number, text, ParamSpec};

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
    &["clean", "lost-syn", "lost-synack", "closed-port", "tfo", "simultaneous-open", "simultaneous-close"],
    "clean",
    "clean: a normal handshake; lost-syn / lost-synack: the first SYN or SYN-ACK is lost; closed-port: nothing listens, the server answers RST; tfo: TCP Fast Open, a cookie on the first connection and the request in the second one's SYN; simultaneous-open: two peers connect() to each other at once; simultaneous-close: both ends close() at once.",
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
        &["tls1.2", "tls1.3", "tls1.3-0rtt", "tfo-tls1.3", "quic", "quic-0rtt"],
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
    choice(
        "mode",
        "Carry",
        &["http", "dns"],
        "http",
        "http: the HTTP request over TCP; dns: a DNS query over UDP for the name you type, padded to the size you set.",
    ),
    flag(
        "tls",
        "HTTPS",
        false,
        "Seal the request in a TLS 1.3 record (5-byte header, 1-byte type, 16-byte tag) before TCP sees it.",
    ),
    choice("method", "Method", &["POST", "GET", "PUT", "PATCH", "DELETE"], "POST", "The request method."),
    text("path", "Path", 200, "/api/orders", "The request target. Applied when you leave the box or press Enter."),
    text("header", "Extra header", 200, "Accept: application/json", "One more header line, written Name: value."),
    text("body", "JSON body", 2000, "{\"item\":\"book\",\"qty\":2}", "The request body; empty for none."),
    number(
        "request",
        "Pad the request to",
        0.0,
        20000.0,
        1.0,
        "bytes",
        3000.0,
        "Add spaces after the JSON until the request is this long (0: exactly as typed). DNS mode: pad the query with EDNS(0) padding to this size.",
    ),
    number(
        "mtu",
        "Link MTU",
        576.0,
        9000.0,
        1.0,
        "bytes",
        1500.0,
        "Largest IP packet the link carries; the MSS is the MTU minus 40 (minus 12 more for timestamps).",
    ),
    number(
        "mss",
        "MSS (TCP_MAXSEG)",
        0.0,
        1460.0,
        1.0,
        "bytes",
        0.0,
        "0: follow the MTU. Otherwise the client calls setsockopt(TCP_MAXSEG) before connect(): its SYN offers this MSS and its segments carry at most this minus 12 bytes (88 at least).",
    ),
    flag(
        "df",
        "Don't fragment (DF)",
        true,
        "For the DNS query: set, a datagram bigger than the MTU is refused (EMSGSIZE); clear, IP cuts it into fragments. TCP keeps DF set and sizes its segments to fit.",
    ),
    text("name", "DNS name", 253, "api.example.com", "The name the DNS query asks for (type A). Applied when you leave the box or press Enter."),
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

const SLIDING_WINDOW: &[ParamSpec] = &[
    rtt_whole_ms(20.0),
    number("kilobytes", "Data to send", 10.0, 2000.0, 10.0, "KB", 300.0, "Bytes the sender writes."),
    number("rcvbuf", "Receive buffer", 4.0, 1024.0, 1.0, "KB", 64.0, "The receiver's socket buffer (SO_RCVBUF)."),
    number(
        "read_after",
        "Reader starts at",
        0.0,
        20_000.0,
        10.0,
        "ms",
        1500.0,
        "The receiving application reads nothing before this.",
    ),
    number(
        "read_rate",
        "Reader speed",
        0.0,
        100_000.0,
        10.0,
        "kbit/s",
        800.0,
        "How fast it reads after that (0: as fast as data arrives).",
    ),
    flag(
        "autotune",
        "Receive-buffer autotuning",
        false,
        "tcp_moderate_rcvbuf: let the buffer grow while the reader keeps up.",
    ),
    number("seconds", "Run for", 1.0, 60.0, 1.0, "s", 10.0, "Virtual time simulated."),
];

/// The kernel's tick rate (`CONFIG_HZ`), declared once with the presets.
const HZ: ParamSpec = wirewise_sim::presets::HZ;

const NAGLE: &[ParamSpec] = &[
    flag(
        "nodelay",
        "TCP_NODELAY",
        false,
        "Turn Nagle's algorithm off on the client; the figure compares against the other setting.",
    ),
    choice(
        "nagle",
        "Nagle variant",
        &["linux", "rfc"],
        "linux",
        "linux: Minshall's form in tcp_nagle_check; rfc: RFC 896 as RFC 9293 §3.7.4 states it.",
    ),
    number("rtt", "Round-trip time", 0.05, 200.0, 0.05, "ms", 0.2, "A LAN is a fraction of a millisecond."),
    number("iterations", "Requests", 1.0, 50.0, 1.0, "", 10.0, "Write-write-read iterations the client makes."),
    number(
        "first",
        "First write",
        1.0,
        10_000.0,
        1.0,
        "bytes",
        100.0,
        "The headers; above one MSS its tail is a small segment too.",
    ),
    number("second", "Second write", 1.0, 1400.0, 1.0, "bytes", 100.0, "The body."),
    HZ,
];

const COLD_WARM: &[ParamSpec] = &[
    choice(
        "ladder",
        "Ladder shows",
        &["cold", "warm"],
        "cold",
        "Which connection's packets the ladder and the timeline show.",
    ),
    rtt_whole_ms(50.0),
    number("bandwidth", "Bandwidth", 1.0, 1000.0, 1.0, "Mbit/s", 100.0, "How fast the link puts bits on the wire."),
    number("kilobytes", "Response size", 10.0, 5000.0, 10.0, "KB", 1000.0, "Bytes each response carries."),
    number(
        "idle",
        "Idle before the fetch",
        0.0,
        10_000.0,
        10.0,
        "ms",
        0.0,
        "Pause between the first response and the compared request.",
    ),
    flag(
        "ssai",
        "Slow start after idle",
        true,
        "net.ipv4.tcp_slow_start_after_idle: cut the window after an idle period longer than the RTO.",
    ),
];

/// The paths of the congestion window lab (simulation presets of the same names).
pub const CWND_PRESETS: &[&str] = &["congestion", "congestion-loss", "congestion-shallow", "congestion-bufferbloat"];

/// The lab's sliders; choosing a path resets them to that path's own defaults.
const CWND_LAB: &[ParamSpec] = &[
    choice("preset", "Path", CWND_PRESETS, "congestion", "congestion: a clean path with a one-BDP buffer; -loss: 0.5% random loss; -shallow: a buffer of 0.1 BDP; -bufferbloat: 8 BDP. Choosing one resets the sliders."),
    choice("algorithm", "Algorithm", &["cubic", "reno", "bbr"], "cubic", "Congestion control (TCP_CONGESTION); CUBIC is Linux's default."),
    choice("compare", "Compare with", &["none", "reno", "cubic", "bbr"], "none", "Run a second algorithm on the same seeded path and draw it beside the first."),
    choice("recovery", "Loss recovery", &["linux", "textbook"], "linux", "linux: SACK, RACK-TLP and PRR; textbook: RFC 5681 three duplicate ACKs and RFC 6582 NewReno. BBR always runs the Linux path."),
    number("bandwidth", "Bottleneck bandwidth", 1.0, 50.0, 1.0, "Mbit/s", 5.0, "Speed of the slowest link on the path."),
    number("rtt", "Round-trip time", 2.0, 300.0, 1.0, "ms", 100.0, "Propagation round trip, without queueing."),
    number("loss", "Random loss", 0.0, 5.0, 0.01, "%", 0.0, "Chance that any frame is lost on the link."),
    number("buffer", "Bottleneck buffer", 0.1, 16.0, 0.1, "× BDP", 1.0, "Drop-tail queue size in multiples of the bandwidth-delay product."),
    number("seconds", "Run for", 5.0, 60.0, 1.0, "s", 60.0, "Virtual time simulated."),
];

const PMTUD: &[ParamSpec] = &[
    choice("case", "What happens", &["icmp", "black-hole", "clamp", "df-clear"], "icmp", "icmp: the router's ICMP reaches the server; black-hole: a firewall drops it; clamp: the routers lower the MSS in SYNs; df-clear: a UDP datagram sent without DF is fragmented."),
    number("mtu", "Tunnel MTU", 576.0, 1500.0, 1.0, "bytes", 1400.0, "The MTU of the hop between the two routers."),
];

const UDP: &[ParamSpec] = &[
    choice(
        "mode",
        "What is sent",
        &["dns", "datagram"],
        "dns",
        "dns: a DNS lookup, one query and one answer; datagram: one UDP datagram of the size below.",
    ),
    number("rtt", "Round-trip time", 0.1, 500.0, 0.1, "ms", 2.0, "DNS only: time to the resolver and back."),
    flag(
        "lose_query",
        "Lose the first query",
        false,
        "DNS only: UDP does not retransmit; the resolver library times out and asks again.",
    ),
    number(
        "bytes",
        "Datagram data",
        1.0,
        8000.0,
        1.0,
        "bytes",
        2.0,
        "Datagram only: bytes of data (2 is \"hi\"; above 1,472 the packet is fragmented).",
    ),
];

const SUBNETS: &[ParamSpec] = &[
    number(
        "prefix",
        "Client prefix length",
        16.0,
        28.0,
        1.0,
        "bits",
        24.0,
        "The /n of the client's address 192.168.1.10: how many leading bits name the network.",
    ),
    choice(
        "dst",
        "Destination",
        &["192.168.1.20", "192.168.0.77", "10.0.0.5"],
        "192.168.0.77",
        "Who the client pings: a host on its /24, a host on the other half of the /23, a server beyond the router.",
    ),
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

const CLOSE_WAIT: &[ParamSpec] = &[
    number("clients", "Clients", 1.0, 50.0, 1.0, "", 8.0, "Clients that connect, make one request and close."),
    number("every", "One client every", 0.5, 30.0, 0.5, "s", 5.0, "Time between clients."),
];

const SOURCE_PORTS: &[ParamSpec] = &[
    number(
        "rate",
        "New connections per second",
        1.0,
        2000.0,
        1.0,
        "/s",
        500.0,
        "Requests the client makes to one server, each on a new connection (left) or on the pool (right).",
    ),
    number(
        "ports",
        "Ports in the range",
        100.0,
        28232.0,
        1.0,
        "",
        28232.0,
        "net.ipv4.ip_local_port_range: 32768–60999 is 28,232 ports.",
    ),
    number("pool", "Pool size", 1.0, 100.0, 1.0, "connections", 8.0, "Kept-alive connections in the pool."),
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
    FigureKind { name: "subnets", title: "Same subnet, or via the gateway?", params: SUBNETS },
    FigureKind { name: "source-ports", title: "Running out of source ports", params: SOURCE_PORTS },
    FigureKind { name: "close-wait", title: "A server that forgets close(): CLOSE-WAIT piles up", params: CLOSE_WAIT },
    FigureKind { name: "udp", title: "UDP datagrams on the wire", params: UDP },
    FigureKind { name: "pmtud", title: "MTU, path-MTU discovery and the black hole", params: PMTUD },
    FigureKind { name: "cwnd-lab", title: "Congestion window lab", params: CWND_LAB },
    FigureKind { name: "sliding-window", title: "The sliding window and a slow reader", params: SLIDING_WINDOW },
    FigureKind { name: "nagle", title: "Nagle meets delayed ACK: write, write, read", params: NAGLE },
    FigureKind { name: "cold-warm", title: "A new connection against a pooled one", params: COLD_WARM },
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
