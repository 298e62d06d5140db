//! A home network behind a NAT router: the inside host's flows leave with the router's public
//! address, replies find their way back through the translation table, and a connection
//! attempt from outside is dropped unless a port forward sends it in.

use super::{host, http_server, link};
use crate::apps::AppSpec;
use crate::net::nat::{NatSpec, PortForward};
use crate::params::{flag, number, ParamSpec};
use crate::scenario::{RouterSpec, Scenario};
use crate::tcp::TcpConfig;
use crate::wire::Ipv4Addr;
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 0.5, 500.0, 0.5, "ms", 20.0, "Time from the laptop to the server and back"),
    flag(
        "forward",
        "Port forward 8080",
        false,
        "Forward TCP port 8080 on the router to the laptop, which listens there",
    ),
    flag("ping", "Also ping the server", true, "ICMP has no ports: NAT maps the echo identifier instead"),
];

/// The router's public address.
pub const PUBLIC: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);

/// NAT.
pub const NAT: super::Preset = super::Preset {
    name: "nat",
    title: "NAT: one public address for a private network",
    about: "The laptop (192.168.1.10) calls a server on the internet; the router rewrites its source address and port on the way out and back on the way in. An unsolicited connection from outside is dropped unless a port forward exists.",
    params: PARAMS,
    build: |p| {
        let quarter = p.num("rtt") / 4.0;
        let mut inside = link("laptop", "router", quarter, 100.0);
        inside.b_ip = Some("192.168.1.1/24".parse().expect("preset address"));
        let mut outside = link("router", "server", quarter, 100.0);
        outside.a_ip = Some("203.0.113.1/24".parse().expect("preset address"));
        let forward = p.flag("forward");
        let mut s = Scenario {
            name: "nat".into(),
            seed: 1,
            stop_ms: 3000.0,
            snaplen: None,
            warm_arp: true,
            tcp: TcpConfig::linux(),
            hosts: vec![
                host("laptop", "192.168.1.10/24", Some(Ipv4Addr::new(192, 168, 1, 1))),
                host("server", "203.0.113.80/24", None),
            ],
            switches: vec![],
            routers: vec![RouterSpec {
                name: "router".into(),
                routes: vec![],
                nat: Some(NatSpec {
                    outside: PUBLIC,
                    forwards: if forward {
                        vec![PortForward { proto: "tcp".into(), port: 8080, to: SocketAddrV4::new(Ipv4Addr::new(192, 168, 1, 10), 8080) }]
                    } else {
                        vec![]
                    },
                }),
                clamp_mss: false,
            }],
            links: vec![inside, outside],
            apps: vec![
                http_server("server", 443, 900),
                AppSpec::RpcClient { fast_open: false, request_payload: None,
                    max_seg: None,
                    host: "laptop".into(),
                    server: SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 80), 443),
                    start_ms: 1.0,
                    requests: 1,
                    request_bytes: 200,
                    reuse: false,
                    nodelay: true,
                    gap_ms: 0.0,
                },
                // Something on the internet tries to connect to the router's public address.
                AppSpec::RpcClient { fast_open: false, request_payload: None,
                    max_seg: None,
                    host: "server".into(),
                    server: SocketAddrV4::new(PUBLIC, 8080),
                    start_ms: 4.0 * p.num("rtt"),
                    requests: 1,
                    request_bytes: 100,
                    reuse: false,
                    nodelay: true,
                    gap_ms: 0.0,
                },
            ],
            faults: vec![],
        };
        if forward {
            s.apps.push(AppSpec::RpcServer { forgets_close: false, fastopen_qlen: 0, host: "laptop".into(), port: 8080, backlog: 16, response_bytes: 300, start_ms: 0.0, nodelay: true });
        }
        if p.flag("ping") {
            s.apps.push(AppSpec::Ping { host: "laptop".into(), dst: Ipv4Addr::new(203, 0, 113, 80), count: 1, interval_ms: 1000.0, size: 56, start_ms: 2.0 * p.num("rtt") });
        }
        Ok(s)
    },
};
