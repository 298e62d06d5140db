//! Resolving a name over UDP on a switched LAN: ARP first, then one query and one answer, or
//! a lost query and the resolver's 5-second retry.

use super::{host, link};
use crate::apps::{dns::Record, AppSpec};
use crate::net::fault::{FaultAction, FaultSpec, FrameMatch};
use crate::params::{flag, number, ParamSpec};
use crate::scenario::{Scenario, SwitchSpec};
use crate::tcp::TcpConfig;
use crate::wire::Ipv4Addr;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 0.1, 500.0, 0.1, "ms", 2.0, "Time to the resolver and back"),
    flag(
        "lose_query",
        "Lose the first query",
        false,
        "UDP has no retransmission: the resolver library waits 5 s and asks again",
    ),
];

/// DNS lookup.
pub const DNS: super::Preset = super::Preset {
    name: "dns",
    title: "A DNS lookup over UDP",
    about: "A stub resolver asks for api.example.com's A record; the server answers in one datagram. No handshake, no connection.",
    params: PARAMS,
    build: |p| {
        let half = p.num("rtt") / 4.0;
        let mut s = Scenario {
            name: "dns".into(),
            seed: 1,
            stop_ms: 20_000.0,
            snaplen: None,
        warm_arp: false,
            tcp: TcpConfig::linux(),
            hosts: vec![host("client", "10.0.0.1/24", None), host("resolver", "10.0.0.53/24", None)],
            switches: vec![SwitchSpec { name: "switch".into() }],
            routers: vec![],
            links: vec![link("client", "switch", half, 1000.0), link("switch", "resolver", half, 1000.0)],
            apps: vec![
                AppSpec::DnsServer {
                    host: "resolver".into(),
                    records: vec![Record { name: "api.example.com".into(), ip: Ipv4Addr::new(203, 0, 113, 10) }],
                    start_ms: 0.0,
                },
                AppSpec::DnsClient {
                    host: "client".into(),
                    server: Ipv4Addr::new(10, 0, 0, 53),
                    name: "api.example.com".into(),
                    start_ms: 1.0,
                    timeout_ms: 5000.0,
                    attempts: 2,
                    pad_to: 0,
                    dont_frag: true,
                },
            ],
            faults: vec![],
        };
        if p.flag("lose_query") {
            s.faults.push(FaultSpec {
                matches: FrameMatch { from: Some("client".into()), proto: Some("udp".into()), dst_port: Some(53), ..Default::default() },
                nth: 1,
                count: 1,
                action: FaultAction::Drop,
            });
        }
        Ok(s)
    },
};
