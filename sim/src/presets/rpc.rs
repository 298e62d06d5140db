//! A backend calling an API: one or more HTTP requests over TCP, on a new connection each
//! time or on one pooled connection.

use super::{http_server, two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{flag, number, ParamSpec};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number(
        "rtt",
        "Round-trip time",
        0.02,
        500.0,
        0.01,
        "ms",
        50.0,
        "Time for a packet to reach the server and come back",
    ),
    number("bandwidth", "Bandwidth", 1.0, 10_000.0, 1.0, "Mbit/s", 100.0, "Link speed in each direction"),
    number("request", "Request size", 1.0, 65_536.0, 1.0, "bytes", 300.0, "Bytes the client sends (headers included)"),
    number(
        "response",
        "Response size",
        1.0,
        1_000_000.0,
        1.0,
        "bytes",
        2000.0,
        "Bytes the server answers with (headers included)",
    ),
    flag(
        "reuse",
        "Reuse a pooled connection",
        false,
        "On: requests go over a connection opened beforehand; off: a new connection per request",
    ),
    number("requests", "Requests", 1.0, 10.0, 1.0, "", 1.0, "How many requests the client makes, one after another"),
    number(
        "mtu",
        "Link MTU",
        576.0,
        9000.0,
        1.0,
        "bytes",
        1500.0,
        "Largest IP packet the link carries; each host's MSS follows it",
    ),
];

/// Request/response over TCP.
pub const RPC: super::Preset = super::Preset {
    name: "rpc",
    title: "A remote call",
    about: "A client POSTs a request to an HTTP server and waits for the whole response; the exchange time counts the handshake unless the connection is pooled.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("rpc", p.num("rtt"), p.num("bandwidth"));
        let requests = p.num("requests").round() as u32;
        s.links[0].mtu = p.num("mtu").round() as u16;
        s.stop_ms = 300_000.0;
        s.apps = vec![
            http_server("server", 80, p.num("response").round() as u32),
            AppSpec::RpcClient { fast_open: false, request_payload: None,
                max_seg: None,
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 80),
                start_ms: 0.0,
                requests,
                request_bytes: p.num("request").round() as u32,
                reuse: p.flag("reuse"),
                nodelay: true,
                gap_ms: 0.0,
            },
        ];
        Ok(s)
    },
};
