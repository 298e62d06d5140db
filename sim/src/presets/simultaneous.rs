//! Both ends act at the same moment. Simultaneous open: two peers that agreed on each other's
//! ports connect() to each other at once, their SYNs cross and both go CLOSED → SYN-SENT →
//! SYN-RECEIVED → ESTABLISHED (RFC 9293 §3.5, Figure 8). Simultaneous close: both ends of a
//! connection call close() at once, their FINs cross and both go FIN-WAIT-1 → CLOSING →
//! TIME-WAIT (RFC 9293 §3.6, Figure 13).

use super::{host, kernel, link, KERNEL};
use crate::apps::peer::CloseWhen;
use crate::apps::AppSpec;
use crate::params::{number, ParamSet, ParamSpec};
use crate::scenario::Scenario;
use crate::wire::Ipv4Addr;
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number(
        "rtt",
        "Round-trip time",
        0.1,
        1000.0,
        0.1,
        "ms",
        50.0,
        "Time for a packet to go to the other host and back",
    ),
    KERNEL,
];

/// When the applications start.
const START_MS: f64 = 10.0;

/// The port both peers agreed on.
pub const AGREED_PORT: u16 = 5000;

const PEER_A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const PEER_B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

/// Two hosts called `names` (10.0.0.1 and 10.0.0.2) on one link of delay `rtt` / 2.
fn pair(name: &str, p: &ParamSet, names: [&str; 2]) -> Scenario {
    Scenario {
        name: name.to_string(),
        seed: 1,
        stop_ms: 300_000.0,
        snaplen: None,
        warm_arp: true,
        tcp: kernel(p),
        hosts: vec![host(names[0], "10.0.0.1/24", None), host(names[1], "10.0.0.2/24", None)],
        switches: vec![],
        routers: vec![],
        links: vec![link(names[0], names[1], p.num("rtt") / 2.0, 100.0)],
        apps: vec![],
        faults: vec![],
    }
}

/// How a peer behaves: it connects or (`Listen`) waits, and speaks first or (`Reply`) answers.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    ConnectAndSpeak,
    ConnectAndReply,
    ListenAndReply,
}

fn peer(host: &str, port: u16, to: Ipv4Addr, role: Role, close: CloseWhen) -> AppSpec {
    let listen = role == Role::ListenAndReply;
    AppSpec::Peer {
        host: host.into(),
        port,
        peer: SocketAddrV4::new(to, AGREED_PORT),
        listen,
        reply: role != Role::ConnectAndSpeak,
        bytes: 100,
        close,
        // A server listens before anyone connects.
        start_ms: if listen { 0.0 } else { START_MS },
    }
}

/// Simultaneous open between `peer-a` and `peer-b`.
pub const SIMULTANEOUS_OPEN: super::Preset = super::Preset {
    name: "simultaneous-open",
    title: "Simultaneous open: two connect()s cross",
    about:
        "Two peers bind() port 5000 and connect() to each other at the same moment. The SYNs cross; each side answers \
            the other's SYN with a SYN-ACK and goes SYN-SENT → SYN-RECEIVED → ESTABLISHED. peer-a sends 100 bytes, \
            peer-b answers with 100, then peer-a closes and peer-b closes when it reads end of stream.",
    params: PARAMS,
    build: |p| {
        let mut s = pair("simultaneous-open", p, ["peer-a", "peer-b"]);
        s.apps = vec![
            peer("peer-a", AGREED_PORT, PEER_B, Role::ConnectAndSpeak, CloseWhen::AfterExchange),
            peer("peer-b", AGREED_PORT, PEER_A, Role::ConnectAndReply, CloseWhen::OnEof),
        ];
        Ok(s)
    },
};

/// When both ends of the simultaneous close call close(): well after the exchange, which
/// takes two round trips after the start.
pub fn close_at_ms(rtt_ms: f64) -> f64 {
    START_MS + 3.0 * rtt_ms + 100.0
}

/// Simultaneous close between `client` and `server`.
pub const SIMULTANEOUS_CLOSE: super::Preset = super::Preset {
    name: "simultaneous-close",
    title: "Simultaneous close: two FINs cross",
    about: "A client connects to a server on port 5000 and sends 100 bytes, the server answers with 100, and both \
            call close() at the same moment, three round trips plus 100 ms after the start. The FINs cross: each side \
            goes FIN-WAIT-1 → CLOSING → TIME-WAIT, so both ends, not just one, wait out TIME-WAIT.",
    params: PARAMS,
    build: |p| {
        let mut s = pair("simultaneous-close", p, ["client", "server"]);
        let at = CloseWhen::AtMs(close_at_ms(p.num("rtt")));
        s.apps = vec![
            peer("server", AGREED_PORT, PEER_A, Role::ListenAndReply, at),
            peer("client", 0, PEER_B, Role::ConnectAndSpeak, at),
        ];
        Ok(s)
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_agree_on_ports() {
        let s = SIMULTANEOUS_OPEN.default_scenario().unwrap();
        let ports: Vec<(u16, u16)> = s
            .apps
            .iter()
            .filter_map(|a| match a {
                AppSpec::Peer { port, peer, .. } => Some((*port, peer.port())),
                _ => None,
            })
            .collect();
        assert_eq!(ports, vec![(AGREED_PORT, AGREED_PORT), (AGREED_PORT, AGREED_PORT)]);
    }
}
