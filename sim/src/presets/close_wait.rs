//! CLOSE-WAIT piling up: a server that forgets close() on connections its clients have closed.
//! Each client connects, makes one request, reads the response and closes. The server's
//! kernel ACKs the FIN and moves the connection to CLOSE-WAIT (RFC 9293 §3.6), where it stays
//! until the application calls close(), which it never does. Each client's socket, closed
//! and orphaned, waits in FIN-WAIT-2 for a FIN that never comes and is dropped after
//! `tcp_fin_timeout` (60 s; `tcp_rcv_state_process`, docs/fidelity.md §6).

use super::{kernel, two_hosts, KERNEL, SERVER};
use crate::apps::load::Arrival;
use crate::apps::AppSpec;
use crate::params::{number, ParamSpec};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("clients", "Clients", 1.0, 50.0, 1.0, "", 8.0, "Clients that connect, make one request and close"),
    number("every", "One client every", 0.5, 30.0, 0.5, "s", 5.0, "Time between clients"),
    number("rtt", "Round-trip time", 0.1, 1000.0, 0.1, "ms", 50.0, "Time for a packet to go to the server and back"),
    KERNEL,
];

/// How long the run goes on after the last client arrives: past its FIN-WAIT-2 timeout.
pub const AFTER_LAST_MS: f64 = 80_000.0;

/// The leaking server and its clients.
pub const CLOSE_WAIT_LEAK: super::Preset = super::Preset {
    name: "close-wait-leak",
    title: "A server that forgets close(): CLOSE-WAIT piles up",
    about: "Clients arrive every few seconds, make one request and close. The server answers but never calls close(), \
            so each of its connections stays in CLOSE-WAIT for good, while each client's side gives up in FIN-WAIT-2 \
            after tcp_fin_timeout (60 s).",
    params: PARAMS,
    build: |p| {
        let clients = p.num("clients").round().clamp(1.0, 50.0);
        let every = p.num("every").clamp(0.5, 30.0);
        let mut s = two_hosts("close-wait-leak", p.num("rtt"), 100.0);
        s.tcp = kernel(p);
        s.stop_ms = 10.0 + (clients - 1.0) * every * 1000.0 + AFTER_LAST_MS;
        s.apps = vec![
            AppSpec::RpcServer {
                forgets_close: true,
                fastopen_qlen: 0,
                host: "server".into(),
                port: 80,
                backlog: 511,
                response_bytes: 600,
                start_ms: 0.0,
                nodelay: false,
            },
            AppSpec::LoadClients {
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 80),
                clients: clients as u32,
                arrival: Arrival::Steady,
                rate: 1.0 / every,
                burst: 1,
                request_bytes: 120,
                start_ms: 10.0,
            },
        ];
        Ok(s)
    },
};
