//! Running out of source ports, packet by packet. A client opens a new connection per request
//! to one server and closes it first, so each connection leaves its source port in TIME-WAIT
//! for 60 s (`TCP_TIMEWAIT_LEN`). The client's `net.ipv4.ip_local_port_range` is narrowed to
//! a few dozen ports so the range runs out within seconds instead of after 28,232 ports:
//! once every port is held, connect() fails with EADDRNOTAVAIL (`__inet_hash_connect`,
//! net/ipv4/inet_hashtables.c). With one kept-alive connection the same requests hold one
//! port and nothing fails. [`crate::tcp::ports`] counts the same thing per second for the
//! real range.

use super::{choice, http_server, two_hosts, SERVER};
use crate::apps::load::Arrival;
use crate::apps::AppSpec;
use crate::params::{number, ParamSpec};
use std::net::SocketAddrV4;

/// The narrowed range starts where Linux's default does.
pub const FIRST_PORT: u16 = 32768;

const PARAMS: &[ParamSpec] = &[
    number("ports", "Ports in the range", 4.0, 200.0, 1.0, "", 40.0, "net.ipv4.ip_local_port_range, narrowed (Linux: 28,232)"),
    number("rate", "New requests per second", 1.0, 20.0, 1.0, "/s", 4.0, "One request every 1/rate seconds"),
    number("seconds", "Run for", 5.0, 60.0, 1.0, "s", 20.0, "Shorter than TIME-WAIT (60 s), so no port comes back"),
    choice(
        "policy",
        "Connections",
        &["per-request", "pooled"],
        "per-request",
        "per-request: connect, ask, close (the client ends in TIME-WAIT); pooled: one kept-alive connection for every request",
    ),
];

/// A client reconnecting per request against one kept-alive connection.
pub const PORT_EXHAUSTION: super::Preset = super::Preset {
    name: "port-exhaustion",
    title: "Running out of source ports",
    about:
        "A client makes a request every 1/rate seconds on a new connection and closes it, so each source port waits \
            60 s in TIME-WAIT. With the port range narrowed to a few dozen, connect() fails with EADDRNOTAVAIL once \
            every port is held. One pooled connection carries the same requests on one port.",
    params: PARAMS,
    build: |p| {
        let ports = p.num("ports").round().clamp(4.0, 200.0) as u16;
        let rate = p.num("rate").round().clamp(1.0, 20.0);
        let seconds = p.num("seconds").round().clamp(5.0, 60.0);
        let requests = (rate * seconds) as u32;
        let mut s = two_hosts("port-exhaustion", 20.0, 100.0);
        let mut client_tcp = s.tcp.clone();
        client_tcp.ephemeral_ports = (FIRST_PORT, FIRST_PORT + ports - 1);
        if let Some(h) = s.hosts.iter_mut().find(|h| h.name == "client") {
            h.tcp = Some(client_tcp);
        }
        // The last request, its answer and close, then stop: TIME-WAIT outlasts the run.
        s.stop_ms = 10.0 + seconds * 1000.0 + 500.0;
        let server = SocketAddrV4::new(SERVER, 80);
        let client = if p.choice("policy") == "pooled" {
            AppSpec::RpcClient {
                fast_open: false,
                request_payload: None,
                max_seg: None,
                host: "client".into(),
                server,
                start_ms: 10.0,
                requests,
                request_bytes: 120,
                reuse: true,
                nodelay: true,
                // The gap follows each response (20 ms RTT), so the rate is a little lower.
                gap_ms: 1000.0 / rate,
            }
        } else {
            AppSpec::LoadClients {
                host: "client".into(),
                server,
                clients: requests,
                arrival: Arrival::Steady,
                rate,
                burst: 1,
                request_bytes: 120,
                start_ms: 10.0,
            }
        };
        s.apps = vec![http_server("server", 80, 300), client];
        Ok(s)
    },
};
