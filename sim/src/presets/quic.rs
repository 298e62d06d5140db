//! QUIC: transport and TLS 1.3 handshakes in one round trip (or none with 0-RTT), over UDP.

use super::{two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{flag, number, ParamSpec};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 1.0, 500.0, 1.0, "ms", 50.0, "Time to the server and back"),
    flag(
        "zero_rtt",
        "0-RTT resumption",
        false,
        "Reuse a ticket from an earlier visit and send the request with the first packet",
    ),
    number("response", "Response size", 100.0, 1_000_000.0, 100.0, "bytes", 5000.0, "Bytes of the response"),
];

/// QUIC request.
pub const QUIC: super::Preset = super::Preset {
    name: "quic",
    title: "QUIC: one round trip to a secure request",
    about: "The client's Initial carries the TLS ClientHello; the server's first flight completes the handshake; the request follows the client's Finished. With 0-RTT it rides in the first flight.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("quic", p.num("rtt"), 100.0);
        let zero_rtt = p.flag("zero_rtt");
        let response = p.num("response").round() as u32;
        s.stop_ms = 10_000.0;
        s.apps = vec![
            AppSpec::QuicServer { host: "server".into(), port: 443, zero_rtt, response_bytes: response, start_ms: 0.0 },
            AppSpec::QuicClient {
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 443),
                zero_rtt,
                streams: 1,
                request_bytes: 400,
                response_bytes: response,
                start_ms: 0.0,
            },
        ];
        Ok(s)
    },
};
