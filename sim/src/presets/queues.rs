//! The kernel queues lab: a server's SYN queue and accept queue under load (docs/fidelity.md
//! §1). Clients on one LAN switch connect to a worker-pool server; the flood presets add a
//! router `gw` with an `attacker` host sending spoofed SYNs and a `darknet` host that stands
//! for the spoofed addresses (it owns none of them and silently drops the SYN-ACKs sent
//! there, so no RST ever clears the server's request socks).
//!
//! Every preset takes the same sliders (backlog, somaxconn, accept rate, arrival rate,
//! workers, syncookies, tcp_abort_on_overflow, SO_REUSEPORT, kernel...) with its own
//! defaults; the flood presets add the flood's rate and length and `tcp_max_syn_backlog`.
//!
//! # What a view reads
//!
//! Everything the figure draws is in the trace:
//! * **Packets at the NIC**: `FrameRx` at the server; a dropped SYN or ACK also gets a
//!   `FrameDropped` (`ListenOverflow`, `SynQueueFull`).
//! * **What the kernel did with each SYN / final ACK**: `EventKind::Listen` (listener, peer,
//!   [`ListenAction`](crate::trace::ListenAction)), at the same instant as the `FrameRx`.
//!   The SYN queue and the accept queue (which sockets, in FIFO order) are rebuilt from these
//!   and `AppCall::Accept` by the rules in `ListenAction`'s documentation; their lengths and
//!   capacities are also in `EventKind::Queue` (`Syn`, `Accept`).
//! * **SYN-ACK retry timers** of each request sock: `Timer` events (`SynAck`, `Set` with the
//!   expiry) on the child socket, whose `SockInfo::parent` is the listener.
//! * **Workers**: `AppCall::Worker` (waiting in accept(), accepted a socket and busy until
//!   `next_accept`, stalled).
//! * **Per-connection buffers**: `Queue` events `Send`/`Recv` on each connection (the child's
//!   receive buffer fills while it waits in the accept queue).
//! * **Clients**: `TcpState` of each client socket; `AppCall::Connect`/`ConnectDone` for the
//!   connect() latency; `AppCall::Exchange` for a served request; `AppCall::Failed` for a
//!   reset after connect() succeeded.
//! * **ss -lnt**: [`crate::ss::listen_rows_at`] (from `Backlog` and `Queue` events).
//! * **nstat**: [`crate::nstat::counters_at`] (from `Counter` events).
//! * **Latency histogram**: [`crate::summary::RunSummary::connect_latencies_ms`] binned with
//!   [`crate::summary::histogram`].
//!
//! # How faithful this is
//!
//! The queue rules, counters and timers follow Linux 6.x as docs/fidelity.md records them.
//! Simplified: one CPU, no softirq or scheduler delays; a connection wakes one blocked worker
//! (exclusive wait, longest waiter first) and a worker's service time is a fixed 1/rate; the
//! SO_REUSEPORT hash secret comes from the run's seed; "proven" peers for
//! `tcp_max_syn_backlog` are those with an earlier clean close (a TCP metrics entry), without
//! the metrics cache's size limit or expiry; no TCP_DEFER_ACCEPT, TFO or `tcp_migrate_req`.

use super::{host, link};
use crate::apps::load::Arrival;
use crate::apps::AppSpec;
use crate::params::{choice, flag, number, ParamSet, ParamSpec};
use crate::scenario::{Cidr, RouteSpec, RouterSpec, Scenario, ScenarioError};
use crate::tcp::TcpConfig;
use crate::wire::Ipv4Addr;
use std::net::SocketAddrV4;

/// The server's address.
pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
/// The gateway towards the attacker and the spoofed addresses.
pub const GATEWAY_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// The prefix the flood spoofs its sources from (RFC 2544 benchmarking space).
pub const SPOOFED: &str = "198.18.0.0/15";
/// The port the server listens on.
pub const PORT: u16 = 80;
/// Largest run, in virtual seconds.
const MAX_STOP_S: f64 = 150.0;

/// Per-preset defaults of the shared sliders.
#[derive(Clone, Copy)]
struct Defaults {
    backlog: f64,
    somaxconn: f64,
    workers: f64,
    accept_rate: f64,
    clients: f64,
    arrival_rate: f64,
    arrival: &'static str,
    syncookies: &'static str,
    abort: bool,
    reuseport: bool,
    stalled: f64,
    kernel: &'static str,
}

const BASE: Defaults = Defaults {
    backlog: 511.0,
    somaxconn: 4096.0,
    workers: 4.0,
    accept_rate: 500.0,
    clients: 200.0,
    arrival_rate: 200.0,
    arrival: "steady",
    syncookies: "1",
    abort: false,
    reuseport: false,
    stalled: 0.0,
    kernel: "linux",
};

/// The shared sliders with defaults from a [`Defaults`], then any extra specs.
macro_rules! sliders {
    ($d:expr $(, $extra:expr)* $(,)?) => {
        [
            number("backlog", "listen() backlog", 0.0, 4096.0, 1.0, "", $d.backlog, "The backlog the server passes to listen(); the accept queue holds min(backlog, somaxconn) + 1"),
            number("somaxconn", "net.core.somaxconn", 1.0, 65535.0, 1.0, "", $d.somaxconn, "listen() silently clamps the backlog to this (4096 since Linux 5.4, 128 before)"),
            number("workers", "Worker threads", 1.0, 16.0, 1.0, "", $d.workers, "Threads calling accept()"),
            number("accept_rate", "Accept rate", 0.5, 10_000.0, 0.5, "/s per worker", $d.accept_rate, "How many connections each worker accepts and serves per second"),
            number("clients", "Clients", 1.0, 1000.0, 1.0, "", $d.clients, "Connections the load generator opens, one request each"),
            number("arrival_rate", "Arrival rate", 1.0, 10_000.0, 1.0, "/s", $d.arrival_rate, "New connections per second (on average, for bursts)"),
            choice("arrival", "Arrivals", &["steady", "burst", "all-at-once"], $d.arrival, "Clients arrive evenly, in bursts of 20, or all at the same instant"),
            choice("syncookies", "net.ipv4.tcp_syncookies", &["0", "1", "2"], $d.syncookies, "0 off, 1 when the SYN queue is full (default), 2 always"),
            flag("abort_on_overflow", "net.ipv4.tcp_abort_on_overflow", $d.abort, "Answer a final ACK that finds the accept queue full with RST instead of dropping it"),
            flag("reuseport", "SO_REUSEPORT", $d.reuseport, "One listening socket per worker, picked by a hash of the client's address and port"),
            number("stalled", "Stalled workers", 0.0, 16.0, 1.0, "", $d.stalled, "How many workers stop calling accept()"),
            number("stall_s", "Stall length", 0.0, 120.0, 0.5, "s", 0.0, "How long the stalled workers stall (0: the whole run)"),
            choice("kernel", "Kernel", &["linux", "linux-pre-6.5", "linux-pre-5.4"], $d.kernel, "Linux 6.5+ (SYNs resent at 1, 2, 3, 4, 5, 7, 11… s), before 6.5 (at 1, 3, 7, 15… s), or before 5.4 (also somaxconn 128 and a SYN queue of backlog, not backlog + 1)"),
            number("rtt", "Round-trip time", 0.1, 500.0, 0.1, "ms", 10.0, "Between the clients and the server"),
            number("client_hosts", "Client hosts", 1.0, 8.0, 1.0, "", 2.0, "Machines the clients run on (each client has its own ephemeral port)"),
            $($extra,)*
        ]
    };
}

/// The TCP settings every host gets: the kernel flavour with the server's sysctls.
fn tcp_config(p: &ParamSet) -> TcpConfig {
    let mut c = match p.choice("kernel") {
        "linux-pre-6.5" => TcpConfig::linux_pre_6_5(),
        "linux-pre-5.4" => TcpConfig::linux_pre_5_4(),
        _ => TcpConfig::linux(),
    };
    c.somaxconn = p.num("somaxconn").round() as u32;
    c.syncookies = p.choice("syncookies").parse().unwrap_or(1);
    c.abort_on_overflow = p.flag("abort_on_overflow");
    if p.get("max_syn_backlog").is_some() {
        c.max_syn_backlog = p.num("max_syn_backlog").round() as u32;
    }
    c
}

/// How long to simulate: the arrivals and the time the workers need to serve everybody, plus
/// one second when they keep up, or room for SYN retransmissions (up to 11 s apart) when
/// they do not; at most [`MAX_STOP_S`].
fn stop_s(p: &ParamSet, flood_s: Option<f64>) -> f64 {
    let clients = p.num("clients").max(1.0);
    let arrivals = match p.choice("arrival") {
        "all-at-once" => 0.0,
        _ => clients / p.num("arrival_rate").max(1.0),
    };
    let working = (p.num("workers") - p.num("stalled")).max(1.0);
    let service = clients / (working * p.num("accept_rate").max(0.5));
    let overloaded = service > arrivals + 0.05 || p.num("stalled") > 0.0 || flood_s.is_some();
    let settle = if overloaded { 12.0 } else { 1.0 };
    (arrivals.max(service) + settle + flood_s.unwrap_or(0.0)).clamp(1.0, MAX_STOP_S)
}

/// The lab's network and applications.
fn lab(name: &str, p: &ParamSet, flood: bool) -> Result<Scenario, ScenarioError> {
    let cidr = |t: &str| -> Result<Cidr, ScenarioError> { t.parse() };
    let one_way = p.num("rtt") / 2.0;
    let hosts_n = (p.num("client_hosts").round() as u32).clamp(1, 8);
    let mut s = Scenario {
        name: name.into(),
        seed: 1,
        stop_ms: 0.0,
        snaplen: None,
        warm_arp: true,
        tcp: tcp_config(p),
        hosts: vec![host("server", "10.0.0.2/24", Some(GATEWAY_IP))],
        switches: vec![crate::scenario::SwitchSpec { name: "lan".into() }],
        routers: vec![],
        links: vec![link("server", "lan", one_way / 2.0, 1000.0)],
        apps: vec![],
        faults: vec![],
    };
    let workers = p.num("workers").round() as u32;
    let stall_s = p.num("stall_s");
    s.apps.push(AppSpec::WorkerServer {
        host: "server".into(),
        port: PORT,
        backlog: p.num("backlog").round() as u32,
        workers,
        reuseport: p.flag("reuseport"),
        accept_rate: p.num("accept_rate"),
        stalled_workers: (p.num("stalled").round() as u32).min(workers),
        stall_from_ms: 0.0,
        stall_ms: (stall_s > 0.0).then_some(stall_s * 1000.0),
        response_bytes: 600,
        start_ms: 0.0,
    });
    let clients = p.num("clients").round() as u32;
    let rate = p.num("arrival_rate");
    let arrival = Arrival::from_name(p.choice("arrival")).unwrap_or_default();
    let clients_start_ms = if flood { 500.0 } else { 10.0 };
    for h in 0..hosts_n {
        let name = format!("client{}", h + 1);
        s.hosts.push(host(&name, &format!("10.0.0.{}/24", 11 + h), Some(GATEWAY_IP)));
        s.links.push(link(&name, "lan", one_way / 2.0, 1000.0));
        // Client k of the whole load runs on host k mod hosts_n, so every host sees every
        // hosts_n-th arrival.
        let mine = clients / hosts_n + u32::from(h < clients % hosts_n);
        if mine == 0 {
            continue;
        }
        let offset_ms = match arrival {
            Arrival::Steady => f64::from(h) * 1000.0 / rate,
            _ => 0.0,
        };
        s.apps.push(AppSpec::LoadClients {
            host: name,
            server: SocketAddrV4::new(SERVER_IP, PORT),
            clients: mine,
            arrival,
            rate: rate / f64::from(hosts_n),
            burst: (20 / hosts_n).max(1),
            request_bytes: 200,
            start_ms: clients_start_ms + offset_ms,
        });
    }
    let mut flood_len = None;
    if flood {
        let mut gw = link("gw", "lan", one_way / 2.0, 1000.0);
        gw.a_ip = Some(cidr("10.0.0.1/24")?);
        let mut to_attacker = link("gw", "attacker", 1.0, 1000.0);
        to_attacker.a_ip = Some(cidr("203.0.113.1/24")?);
        let mut to_darknet = link("gw", "darknet", 1.0, 1000.0);
        to_darknet.a_ip = Some(cidr("192.0.2.1/24")?);
        s.links.extend([gw, to_attacker, to_darknet]);
        s.routers.push(RouterSpec {
            name: "gw".into(),
            routes: vec![RouteSpec { dest: cidr(SPOOFED)?, via: Ipv4Addr::new(192, 0, 2, 2) }],
            nat: None,
            clamp_mss: false,
        });
        s.hosts.push(host("attacker", "203.0.113.66/24", Some(Ipv4Addr::new(203, 0, 113, 1))));
        s.hosts.push(host("darknet", "192.0.2.2/24", Some(Ipv4Addr::new(192, 0, 2, 1))));
        let flood_s = p.num("flood_s");
        let flood_rate = p.num("flood_rate");
        s.apps.push(AppSpec::SynFlood {
            host: "attacker".into(),
            target: SocketAddrV4::new(SERVER_IP, PORT),
            rate: flood_rate,
            count: (flood_rate * flood_s).round().max(1.0) as u32,
            spoof: cidr(SPOOFED)?,
            syn_options: false,
            start_ms: 0.0,
        });
        flood_len = Some(flood_s);
    }
    s.stop_ms = stop_s(p, flood_len) * 1000.0;
    Ok(s)
}

const HEALTHY_PARAMS: [ParamSpec; 15] = sliders!(BASE);

/// Enough workers: every connection is accepted at once.
pub const HEALTHY: super::Preset = super::Preset {
    name: "queues-healthy",
    title: "A healthy server",
    about: "Four workers accept faster than clients arrive: each SYN gets a SYN-ACK, each handshake lands in the accept queue and leaves it at once, and connect() takes one round trip.",
    params: &HEALTHY_PARAMS,
    build: |p| lab("queues-healthy", p, false),
};

const SLOW_PARAMS: [ParamSpec; 15] =
    sliders!(Defaults { backlog: 8.0, workers: 1.0, accept_rate: 20.0, clients: 100.0, arrival_rate: 50.0, ..BASE });

/// One worker that accepts slower than clients arrive.
pub const SLOW_ACCEPT: super::Preset = super::Preset {
    name: "queues-slow-accept",
    title: "A server that accepts too slowly",
    about: "The accept queue fills to backlog + 1 and stays full; the kernel then drops SYNs silently, the SYN queue stays empty, and clients wait for their SYN retransmissions: connect() takes 1 s, 2 s, 3 s…",
    params: &SLOW_PARAMS,
    build: |p| lab("queues-slow-accept", p, false),
};

const FLOOD_DEFAULTS: Defaults = Defaults { backlog: 128.0, clients: 20.0, arrival_rate: 5.0, syncookies: "0", ..BASE };
const fn flood_rate(syn_per_s: f64) -> ParamSpec {
    number("flood_rate", "Flood rate", 10.0, 1000.0, 10.0, "SYN/s", syn_per_s, "Spoofed SYNs per second")
}
const FLOOD_LENGTH: ParamSpec =
    number("flood_s", "Flood length", 0.5, 10.0, 0.5, "s", 4.0, "How long the attacker sends");
const MAX_SYN_BACKLOG: ParamSpec = number(
    "max_syn_backlog",
    "net.ipv4.tcp_max_syn_backlog",
    16.0,
    8192.0,
    1.0,
    "",
    2048.0,
    "Used only with syncookies off: the last quarter of it is kept for peers proven alive",
);
const FLOOD_PARAMS: [ParamSpec; 18] = sliders!(FLOOD_DEFAULTS, flood_rate(500.0), FLOOD_LENGTH, MAX_SYN_BACKLOG);

/// A SYN flood against a server without syncookies.
pub const SYN_FLOOD: super::Preset = super::Preset {
    name: "queues-syn-flood",
    title: "A SYN flood, syncookies off",
    about: "Spoofed SYNs fill the SYN queue with request socks that never complete; with tcp_syncookies=0 every further SYN, the real clients' too, is dropped (TCPReqQFullDrop) until old requests expire.",
    params: &FLOOD_PARAMS,
    build: |p| lab("queues-syn-flood", p, true),
};

const COOKIE_PARAMS: [ParamSpec; 18] =
    sliders!(Defaults { syncookies: "1", ..FLOOD_DEFAULTS }, flood_rate(500.0), FLOOD_LENGTH, MAX_SYN_BACKLOG);

/// The same flood with syncookies.
pub const SYN_FLOOD_COOKIES: super::Preset = super::Preset {
    name: "queues-syn-flood-cookies",
    title: "A SYN flood, syncookies on",
    about: "The SYN queue still fills, but every further SYN gets a cookie SYN-ACK and no state: the real clients' final ACKs carry the cookie back and they connect in one round trip.",
    params: &COOKIE_PARAMS,
    build: |p| lab("queues-syn-flood-cookies", p, true),
};

const ABORT_PARAMS: [ParamSpec; 15] = sliders!(Defaults {
    backlog: 8.0,
    workers: 1.0,
    accept_rate: 20.0,
    clients: 100.0,
    arrival_rate: 50.0,
    arrival: "burst",
    abort: true,
    ..BASE
});

/// tcp_abort_on_overflow=1.
pub const ABORT_ON_OVERFLOW: super::Preset = super::Preset {
    name: "queues-abort-on-overflow",
    title: "tcp_abort_on_overflow = 1",
    about: "Bursts of clients overrun a slow server: handshakes that complete while the accept queue is full are answered with RST, so those clients see connect() succeed and then ECONNRESET.",
    params: &ABORT_PARAMS,
    build: |p| lab("queues-abort-on-overflow", p, false),
};

const REUSEPORT_PARAMS: [ParamSpec; 15] = sliders!(Defaults {
    backlog: 16.0,
    workers: 4.0,
    accept_rate: 100.0,
    clients: 200.0,
    arrival_rate: 100.0,
    reuseport: true,
    stalled: 1.0,
    ..BASE
});

/// SO_REUSEPORT with one stalled worker.
pub const REUSEPORT_STALL: super::Preset = super::Preset {
    name: "queues-reuseport-stall",
    title: "SO_REUSEPORT with one stalled worker",
    about: "Each worker has its own listener and the kernel picks one by hashing the client's address and port: the stalled worker's accept queue fills and a quarter of the clients wait on SYN retransmissions while the other three workers sit idle.",
    params: &REUSEPORT_PARAMS,
    build: |p| lab("queues-reuseport-stall", p, false),
};

const OLD_PARAMS: [ParamSpec; 15] = sliders!(Defaults {
    backlog: 511.0,
    somaxconn: 128.0,
    workers: 1.0,
    accept_rate: 100.0,
    clients: 300.0,
    arrival_rate: 1000.0,
    kernel: "linux-pre-5.4",
    ..BASE
});

/// somaxconn 128 truncating listen(511).
pub const OLD_SOMAXCONN: super::Preset = super::Preset {
    name: "queues-old-somaxconn",
    title: "somaxconn 128 truncates listen(511)",
    about: "On kernels before 5.4 net.core.somaxconn was 128: the server asks for a backlog of 511, ss shows Send-Q 128, and a rush of clients overflows a queue four times smaller than configured; raise somaxconn and nobody waits.",
    params: &OLD_PARAMS,
    build: |p| lab("queues-old-somaxconn", p, false),
};
