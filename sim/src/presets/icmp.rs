//! ping and traceroute across routers: ICMP echo, and TTL running out hop by hop.

use super::{host, link};
use crate::apps::AppSpec;
use crate::params::{number, ParamSet, ParamSpec};
use crate::scenario::{Cidr, RouteSpec, RouterSpec, Scenario};
use crate::tcp::TcpConfig;
use crate::wire::Ipv4Addr;

/// client 10.0.0.1 — r1 — r2 — … — rN — server 10.0.N.2, each hop `delay_ms` one way.
pub(crate) fn chain(name: &str, routers: u8, delay_ms: f64) -> Scenario {
    let n = routers.max(1);
    let server_net = n;
    let mut s = Scenario {
        name: name.into(),
        seed: 1,
        stop_ms: 60_000.0,
        snaplen: None,
        warm_arp: false,
        tcp: TcpConfig::linux(),
        hosts: vec![
            host("client", "10.0.0.1/24", Some(Ipv4Addr::new(10, 0, 0, 254))),
            host("server", &format!("10.0.{server_net}.2/24"), Some(Ipv4Addr::new(10, 0, server_net, 1))),
        ],
        switches: vec![],
        routers: vec![],
        links: vec![],
        apps: vec![],
        faults: vec![],
    };
    let cidr = |t: String| -> Cidr { t.parse().expect("preset address") };
    for i in 1..=n {
        let mut routes = vec![];
        // Everything to the left goes back through the previous router, the right through the next.
        if i > 1 {
            routes.push(RouteSpec { dest: cidr("10.0.0.0/24".into()), via: Ipv4Addr::new(10, 0, i - 1, 1) });
        }
        if i < n {
            routes.push(RouteSpec { dest: cidr(format!("10.0.{server_net}.0/24")), via: Ipv4Addr::new(10, 0, i, 2) });
        }
        s.routers.push(RouterSpec { name: format!("r{i}"), routes, nat: None, clamp_mss: false });
    }
    let mut first = link("client", "r1", delay_ms, 1000.0);
    first.b_ip = Some(cidr("10.0.0.254/24".into()));
    s.links.push(first);
    for i in 1..n {
        let mut l = link(&format!("r{i}"), &format!("r{}", i + 1), delay_ms, 1000.0);
        l.a_ip = Some(cidr(format!("10.0.{i}.1/24")));
        l.b_ip = Some(cidr(format!("10.0.{i}.2/24")));
        s.links.push(l);
    }
    let mut last = link(&format!("r{n}"), "server", delay_ms, 1000.0);
    last.a_ip = Some(cidr(format!("10.0.{server_net}.1/24")));
    s.links.push(last);
    s
}

fn server_ip(p: &ParamSet) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, p.num("routers").round() as u8, 2)
}

const PING_PARAMS: &[ParamSpec] = &[
    number("routers", "Routers on the path", 1.0, 8.0, 1.0, "", 2.0, "How many routers between the hosts"),
    number("hop_delay", "Delay per hop", 0.05, 100.0, 0.05, "ms", 5.0, "One-way propagation delay of each link"),
    number("count", "Pings", 1.0, 20.0, 1.0, "", 4.0, "Echo requests to send, one per second"),
    number(
        "size",
        "Data bytes",
        0.0,
        1472.0,
        1.0,
        "bytes",
        56.0,
        "ICMP data per request (56 gives the classic 64-byte ICMP message)",
    ),
];

/// ping.
pub const PING: super::Preset = super::Preset {
    name: "ping",
    title: "ping across routers",
    about: "Echo requests and replies; the first also waits for ARP at each hop. The TTL of each reply shows how many routers it crossed.",
    params: PING_PARAMS,
    build: |p| {
        let mut s = chain("ping", p.num("routers").round() as u8, p.num("hop_delay"));
        s.apps.push(AppSpec::Ping {
            host: "client".into(),
            dst: server_ip(p),
            count: p.num("count").round() as u32,
            interval_ms: 1000.0,
            size: p.num("size").round() as u32,
            start_ms: 0.0,
        });
        s.stop_ms = p.num("count") * 1000.0 + 3000.0;
        Ok(s)
    },
};

const TR_PARAMS: &[ParamSpec] = &[
    number("routers", "Routers on the path", 1.0, 8.0, 1.0, "", 3.0, "How many routers between the hosts"),
    number("hop_delay", "Delay per hop", 0.05, 100.0, 0.05, "ms", 5.0, "One-way propagation delay of each link"),
];

/// traceroute.
pub const TRACEROUTE: super::Preset = super::Preset {
    name: "traceroute",
    title: "traceroute, hop by hop",
    about: "Probes with TTL 1, 2, 3…: each router where the TTL runs out sends back ICMP Time Exceeded and so reveals itself; the server answers Port Unreachable.",
    params: TR_PARAMS,
    build: |p| {
        let mut s = chain("traceroute", p.num("routers").round() as u8, p.num("hop_delay"));
        s.apps.push(AppSpec::Traceroute { host: "client".into(), dst: server_ip(p), max_hops: 30, probes: 1, start_ms: 0.0 });
        Ok(s)
    },
};
