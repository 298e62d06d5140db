//! HTTPS: a TCP connection, a TLS handshake, then one request. Counted in round trips before
//! the first response byte: TLS 1.2 adds two to TCP's one, TLS 1.3 one, 0-RTT resumption none.

use super::{choice, two_hosts, SERVER};
use crate::apps::tls::TlsVersion;
use crate::apps::AppSpec;
use crate::params::{number, ParamSpec};
use crate::tcp::fastopen::{CLIENT_ENABLE, SERVER_ENABLE};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 1.0, 500.0, 1.0, "ms", 50.0, "Time to the server and back"),
    choice(
        "version",
        "TLS version",
        &["1.2", "1.3", "1.3-0rtt"],
        "1.3",
        "1.2: two round trips; 1.3: one; 1.3-0rtt: resumption sending the request with the hello",
    ),
    number("response", "Response size", 100.0, 1_000_000.0, 100.0, "bytes", 5000.0, "Bytes of the response body"),
    choice(
        "fast_open",
        "TCP Fast Open",
        &["off", "on"],
        "off",
        "on: a first visit fetches the server's cookie, then a second one sends the ClientHello in its SYN (tcp_fastopen=3 on the server)",
    ),
];

/// TLS over TCP.
pub const TLS: super::Preset = super::Preset {
    name: "tls",
    title: "HTTPS: TCP, then TLS, then the request",
    about: "A TCP handshake, a TLS handshake of the chosen version with real record framing and realistic sizes, then one request and its response.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("tls", p.num("rtt"), 100.0);
        let version = match p.choice("version") {
            "1.2" => TlsVersion::Tls12,
            "1.3-0rtt" => TlsVersion::Tls13ZeroRtt,
            _ => TlsVersion::Tls13,
        };
        let response = p.num("response").round() as u32;
        let fast_open = p.choice("fast_open") == "on";
        if fast_open {
            // Linux's default tcp_fastopen=1 lets clients use it; the server needs 0x2 too.
            let mut server_tcp = s.tcp.clone();
            server_tcp.fastopen = CLIENT_ENABLE | SERVER_ENABLE;
            if let Some(h) = s.hosts.iter_mut().find(|h| h.name == "server") {
                h.tcp = Some(server_tcp);
            }
        }
        s.stop_ms = 10_000.0;
        s.apps = vec![
            AppSpec::TlsServer {
                host: "server".into(),
                port: 443,
                version,
                response_bytes: response,
                sni: "api.example.com".into(),
                start_ms: 0.0,
                fast_open,
            },
            AppSpec::TlsClient {
                fast_open,
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 443),
                version,
                request_bytes: 400,
                response_bytes: response,
                sni: "api.example.com".into(),
                start_ms: 0.0,
            },
        ];
        Ok(s)
    },
};
