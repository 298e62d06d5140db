//! Nagle's algorithm meets delayed ACKs: write, write, read (docs/fidelity.md §4.3 [E6]). The
//! second small write waits for the ACK of the first (Nagle), which the receiver delays by
//! 40 ms (`TCP_DELACK_MIN`) because it has nothing to send yet: 40–44 ms per iteration at
//! HZ=250 (the timer fires at the tick after its ten ticks), 40–41 ms at HZ=1000.
//! TCP_NODELAY removes the stall; the RFC form of Nagle holds the second write the same way.

use super::{two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{choice, flag, number, ParamSpec};
use crate::tcp::{NagleMode, TcpConfig};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    flag("nodelay", "TCP_NODELAY", false, "Disable Nagle's algorithm on the client"),
    choice(
        "nagle",
        "Nagle variant",
        &["linux", "rfc"],
        "linux",
        "Linux's Minshall form (tcp_nagle_check) or RFC 896/9293 §3.7.4",
    ),
    number("rtt", "Round-trip time", 0.05, 200.0, 0.05, "ms", 0.2, "Path round-trip time (a LAN or a veth pair)"),
    number("iterations", "Iterations", 1.0, 100.0, 1.0, "", 10.0, "Requests the client makes"),
    number(
        "first",
        "First write",
        1.0,
        10_000.0,
        1.0,
        "bytes",
        100.0,
        "Size of the header write (above one MSS its tail is a small segment)",
    ),
    number("second", "Second write", 1.0, 1400.0, 1.0, "bytes", 100.0, "Size of the body write"),
    super::HZ,
];

/// The Nagle × delayed-ACK preset.
pub const NAGLE: super::Preset = super::Preset {
    name: "nagle",
    title: "Nagle and delayed ACK: write, write, read",
    about: "A request sent as two small writes: with Nagle on, each round trip waits 40-44 ms for a delayed ACK; with TCP_NODELAY it takes one RTT.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("nagle", p.num("rtt"), 1000.0);
        s.stop_ms = 30_000.0;
        s.tcp = TcpConfig {
            nagle: if p.choice("nagle") == "rfc" { NagleMode::Rfc } else { NagleMode::Minshall },
            hz: super::hz(p),
            ..TcpConfig::linux()
        };
        let (first, second) = (p.num("first").round() as u32, p.num("second").round() as u32);
        s.apps = vec![
            AppSpec::Responder {
                host: "server".into(),
                port: 7000,
                request_bytes: first + second,
                reply_bytes: 10,
                start_ms: 0.0,
            },
            AppSpec::WriteWriteRead {
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 7000),
                iterations: p.num("iterations").round() as u32,
                first_bytes: first,
                second_bytes: second,
                reply_bytes: 10,
                nodelay: p.flag("nodelay"),
                start_ms: 1.0,
            },
        ];
        Ok(s)
    },
};
