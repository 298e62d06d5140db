//! Subnets and the default gateway: a client on a switched LAN pings a destination. Whether it
//! sends the packet straight to the destination (after ARP for its MAC) or to the gateway
//! (after ARP for the gateway's MAC) depends only on its own prefix length (RFC 1122 §3.3.1.1).
//! The LAN is really a /23 (192.168.0.0–192.168.1.255, the router's LAN side is
//! 192.168.1.1/23), so with the client at /24 a neighbour at 192.168.0.77 is reached through
//! the router, and at /23 directly; 10.0.0.5 is always beyond the router.

use super::{host, link};
use crate::apps::AppSpec;
use crate::params::{choice, number, ParamSpec};
use crate::scenario::{Scenario, SwitchSpec};
use crate::tcp::TcpConfig;
use crate::wire::Ipv4Addr;

/// The destinations the preset offers.
pub const DESTINATIONS: &[&str] = &["192.168.1.20", "192.168.0.77", "10.0.0.5"];

const PARAMS: &[ParamSpec] = &[
    number(
        "prefix",
        "Client prefix length",
        16.0,
        28.0,
        1.0,
        "bits",
        24.0,
        "The /n of the client's address 192.168.1.10",
    ),
    choice("dst", "Destination", DESTINATIONS, "192.168.0.77", "Who the client pings"),
];

/// The subnets preset.
pub const SUBNETS: super::Preset = super::Preset {
    name: "subnets",
    title: "Subnets and the default gateway",
    about:
        "A client decides by ANDing its mask with two addresses whether to ARP for the destination or for the gateway.",
    params: PARAMS,
    build: |p| {
        let prefix = p.num("prefix").round().clamp(16.0, 28.0) as u8;
        let dst: Ipv4Addr = p.choice("dst").parse().unwrap_or(Ipv4Addr::new(192, 168, 0, 77));
        let gw = Ipv4Addr::new(192, 168, 1, 1);
        let mut lan_side = link("lan", "gw", 0.1, 1000.0);
        lan_side.b_ip = Some("192.168.1.1/23".parse().expect("preset address"));
        let mut far_side = link("gw", "server", 1.0, 1000.0);
        far_side.a_ip = Some("10.0.0.1/24".parse().expect("preset address"));
        Ok(Scenario {
            name: "subnets".into(),
            seed: 1,
            stop_ms: 1000.0,
            snaplen: None,
            warm_arp: false,
            tcp: TcpConfig::linux(),
            hosts: vec![
                host("client", &format!("192.168.1.10/{prefix}"), Some(gw)),
                host("peer", "192.168.1.20/23", Some(gw)),
                host("neighbour", "192.168.0.77/23", Some(gw)),
                host("server", "10.0.0.5/24", Some(Ipv4Addr::new(10, 0, 0, 1))),
            ],
            switches: vec![SwitchSpec { name: "lan".into() }],
            routers: vec![crate::scenario::RouterSpec {
                name: "gw".into(),
                routes: vec![],
                nat: None,
                clamp_mss: false,
            }],
            links: vec![
                link("client", "lan", 0.1, 1000.0),
                link("peer", "lan", 0.1, 1000.0),
                link("neighbour", "lan", 0.1, 1000.0),
                lan_side,
                far_side,
            ],
            apps: vec![AppSpec::Ping {
                host: "client".into(),
                dst,
                count: 1,
                interval_ms: 1000.0,
                size: 56,
                start_ms: 1.0,
            }],
            faults: vec![],
        })
    },
};
