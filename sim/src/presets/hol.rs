//! Head-of-line blocking: six requests multiplexed on one HTTP/2-over-TCP connection, or as
//! six QUIC streams, with the same single loss: the k-th packet of response data.

use super::{choice, two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::net::fault::{FaultAction, FaultSpec, FrameMatch};
use crate::params::{number, ParamSpec};
use std::net::SocketAddrV4;

/// Requests (streams) per run.
pub const STREAMS: u32 = 6;

const PARAMS: &[ParamSpec] = &[
    choice("transport", "Transport", &["tcp", "quic"], "tcp", "HTTP/2 over one TCP connection, or QUIC streams"),
    number(
        "lose",
        "Lost packet",
        0.0,
        40.0,
        1.0,
        "",
        3.0,
        "Which packet of response data the network drops (the 1st, 2nd…); 0 for none",
    ),
    number("rtt", "Round-trip time", 1.0, 500.0, 1.0, "ms", 50.0, "Time to the server and back"),
    number("response", "Response size", 1000.0, 100_000.0, 500.0, "bytes", 2000.0, "Bytes of each response body"),
];

/// The fault that drops the `nth` server packet carrying response data: a TCP segment with
/// payload, or a UDP datagram holding a QUIC STREAM frame.
pub fn lose_nth(quic: bool, nth: u32) -> FaultSpec {
    FaultSpec {
        matches: FrameMatch {
            from: Some("server".into()),
            proto: Some(if quic { "udp" } else { "tcp" }.into()),
            has_data: (!quic).then_some(true),
            quic_stream: quic.then_some(true),
            ..Default::default()
        },
        nth,
        count: 1,
        action: FaultAction::Drop,
    }
}

/// Six requests, one lost response packet.
pub const HOL_BLOCKING: super::Preset = super::Preset {
    name: "hol-blocking",
    title: "Head-of-line blocking: HTTP/2 over TCP against QUIC",
    about: "Six requests share one connection. TCP hands bytes to the application in order, so a lost segment holds back every stream behind it; QUIC orders bytes per stream, so only the stream whose frames were in the lost packet waits.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("hol-blocking", p.num("rtt"), 20.0);
        let quic = p.choice("transport") == "quic";
        let response = p.num("response").round() as u32;
        s.stop_ms = 20_000.0;
        let server = SocketAddrV4::new(SERVER, 443);
        s.apps = if quic {
            vec![
                AppSpec::QuicServer {
                    host: "server".into(),
                    port: 443,
                    zero_rtt: false,
                    response_bytes: response,
                    start_ms: 0.0,
                },
                AppSpec::QuicClient {
                    host: "client".into(),
                    server,
                    zero_rtt: false,
                    streams: STREAMS,
                    request_bytes: 40,
                    response_bytes: response,
                    start_ms: 0.0,
                },
            ]
        } else {
            vec![
                AppSpec::H2Server { host: "server".into(), port: 443, response_bytes: response, start_ms: 0.0 },
                AppSpec::H2Client { host: "client".into(), server, streams: STREAMS, start_ms: 0.0 },
            ]
        };
        let lose = p.num("lose").round() as u32;
        if lose > 0 {
            s.faults = vec![lose_nth(quic, lose)];
        }
        Ok(s)
    },
};
