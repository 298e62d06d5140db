//! One TCP connection's life: open, a small request and response, close; and what happens
//! when the SYN or the SYN-ACK is lost, or nothing listens on the port.

use super::{kernel, two_hosts, HZ, KERNEL, SERVER};
use crate::apps::AppSpec;
use crate::net::fault::{FaultAction, FaultSpec, FrameMatch};
use crate::params::{number, ParamSet, ParamSpec};
use crate::scenario::{Scenario, ScenarioError};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 0.1, 1000.0, 0.1, "ms", 50.0, "Time for a packet to go to the server and back"),
    KERNEL,
    HZ,
];

fn base(name: &str, p: &ParamSet, port: u16) -> Scenario {
    let mut s = two_hosts(name, p.num("rtt"), 100.0);
    s.tcp = kernel(p);
    s.stop_ms = 300_000.0;
    s.apps = vec![
        AppSpec::RpcServer {
            forgets_close: false,
            fastopen_qlen: 0,
            host: "server".into(),
            port: 80,
            backlog: 511,
            response_bytes: 600,
            start_ms: 0.0,
            nodelay: false,
        },
        AppSpec::RpcClient {
            fast_open: false,
            max_seg: None,
            request_payload: None,
            host: "client".into(),
            server: SocketAddrV4::new(SERVER, port),
            start_ms: 10.0,
            requests: 1,
            request_bytes: 120,
            reuse: false,
            nodelay: false,
            gap_ms: 0.0,
        },
    ];
    s
}

fn drop_first(from: &str, flags: &str, not_flags: Option<&str>) -> FaultSpec {
    FaultSpec {
        matches: FrameMatch {
            from: Some(from.into()),
            proto: Some("tcp".into()),
            flags: Some(flags.into()),
            not_flags: not_flags.map(Into::into),
            ..Default::default()
        },
        nth: 1,
        count: 1,
        action: FaultAction::Drop,
    }
}

/// A clean connection.
pub const HANDSHAKE: super::Preset = super::Preset {
    name: "handshake",
    title: "A TCP connection, start to finish",
    about: "Three-way handshake, a 120-byte request, a 600-byte response, and the FIN close that leaves the client in TIME-WAIT.",
    params: PARAMS,
    build: |p| Ok(base("handshake", p, 80)),
};

/// The client's first SYN is lost.
pub const LOST_SYN: super::Preset = super::Preset {
    name: "lost-syn",
    title: "The first SYN is lost",
    about: "The client hears nothing and retransmits its SYN after the initial 1 s RTO: connect() takes 1 s plus a round trip.",
    params: PARAMS,
    build: |p| {
        let mut s = base("lost-syn", p, 80);
        s.faults.push(drop_first("client", "SYN", Some("ACK")));
        Ok(s)
    },
};

/// The server's first SYN-ACK is lost.
pub const LOST_SYNACK: super::Preset = super::Preset {
    name: "lost-synack",
    title: "The first SYN-ACK is lost",
    about: "Both ends time out after 1 s: the client resends its SYN, the server its SYN-ACK; whichever arrives first completes the handshake.",
    params: PARAMS,
    build: |p| {
        let mut s = base("lost-synack", p, 80);
        s.faults.push(drop_first("server", "SYN,ACK", None));
        Ok(s)
    },
};

/// Nothing listens on the port.
pub const CLOSED_PORT: super::Preset = super::Preset {
    name: "closed-port",
    title: "Connecting to a closed port",
    about: "The server's kernel answers the SYN with a RST: connect() fails at once with ECONNREFUSED, one round trip after it started.",
    params: PARAMS,
    build: |p: &ParamSet| -> Result<Scenario, ScenarioError> { Ok(base("closed-port", p, 81)) },
};
