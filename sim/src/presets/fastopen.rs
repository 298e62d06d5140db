//! TCP Fast Open (RFC 7413): two visits to the same server. The first connection's SYN asks
//! for a cookie and the SYN-ACK brings one; the second connection's SYN carries the cookie
//! and the whole request, the SYN-ACK acknowledges it and the response follows at once, one
//! round trip after connect(). With Fast Open off on the server, neither visit gains.

use super::{choice, kernel, two_hosts, KERNEL, SERVER};
use crate::apps::AppSpec;
use crate::params::{number, ParamSpec};
use crate::tcp::fastopen::{CLIENT_ENABLE, SERVER_ENABLE};
use std::net::SocketAddrV4;

/// The listener's `TCP_FASTOPEN` queue length in the preset (a common value, e.g. nginx's
/// `fastopen=` examples use 256; any value above the concurrent handshakes behaves alike).
const FASTOPEN_QLEN: u32 = 16;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 1.0, 1000.0, 1.0, "ms", 100.0, "Time for a packet to go to the server and back"),
    choice(
        "server",
        "Server's Fast Open",
        &["on", "off"],
        "on",
        "on: net.ipv4.tcp_fastopen=3 and TCP_FASTOPEN on the listener; off: Linux's default 1 (clients only), so the server ignores the option",
    ),
    number("request", "Request size", 60.0, 1400.0, 10.0, "bytes", 120.0, "Bytes of the HTTP request (up to 1420 fit in the SYN)"),
    number("response", "Response size", 100.0, 100_000.0, 100.0, "bytes", 600.0, "Bytes of the response body"),
    KERNEL,
];

/// Two connections with Fast Open.
pub const TFO: super::Preset = super::Preset {
    name: "tfo",
    title: "TCP Fast Open: a cookie, then the request in the SYN",
    about: "Two visits one after the other. The first SYN asks for a Fast Open cookie and gets it in the SYN-ACK; the second SYN carries the cookie and the request, so the response starts after one round trip.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("tfo", p.num("rtt"), 100.0);
        s.tcp = kernel(p);
        s.tcp.fastopen = CLIENT_ENABLE;
        let server_on = p.choice("server") == "on";
        let mut server_tcp = s.tcp.clone();
        if server_on {
            server_tcp.fastopen = CLIENT_ENABLE | SERVER_ENABLE;
        }
        if let Some(h) = s.hosts.iter_mut().find(|h| h.name == "server") {
            h.tcp = Some(server_tcp);
        }
        s.stop_ms = 300_000.0;
        s.apps = vec![
            AppSpec::RpcServer {
                forgets_close: false,
                fastopen_qlen: if server_on { FASTOPEN_QLEN } else { 0 },
                host: "server".into(),
                port: 80,
                backlog: 511,
                response_bytes: p.num("response").round() as u32,
                start_ms: 0.0,
                nodelay: true,
            },
            AppSpec::RpcClient {
                fast_open: true,
                request_payload: None,
                max_seg: None,
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 80),
                start_ms: 10.0,
                requests: 2,
                request_bytes: p.num("request").round() as u32,
                reuse: false,
                nodelay: true,
                gap_ms: p.num("rtt"),
            },
        ];
        Ok(s)
    },
};
