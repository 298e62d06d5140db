//! A bulk transfer over one bottleneck link: the workload of the congestion-control figures
//! and of the simulator's speed benchmark.

use super::{two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{number, ParamSpec};
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 1.0, 1000.0, 1.0, "ms", 50.0, "Path round-trip time"),
    number("bandwidth", "Bandwidth", 1.0, 10_000.0, 1.0, "Mbit/s", 100.0, "Bottleneck speed"),
    number("megabytes", "Data to send", 0.01, 1000.0, 0.01, "MB", 10.0, "Bytes the sender pushes through"),
    number("loss", "Random loss", 0.0, 10.0, 0.1, "%", 0.0, "Chance that any frame is lost"),
    number("seconds", "Run for", 0.1, 120.0, 0.1, "s", 10.0, "Virtual time simulated"),
    number(
        "queue",
        "Bottleneck queue",
        2.0,
        10_000.0,
        1.0,
        "packets",
        1000.0,
        "Drop-tail queue limit at the sender's link",
    ),
];

/// Bulk transfer.
pub const BULK: super::Preset = super::Preset {
    name: "bulk",
    title: "A bulk transfer",
    about: "One connection sends as fast as TCP allows through a single link: slow start, then the path's bandwidth-delay product.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("bulk", p.num("rtt"), p.num("bandwidth"));
        s.stop_ms = p.num("seconds") * 1000.0;
        s.snaplen = Some(128);
        s.links[0].loss = p.num("loss") / 100.0;
        s.links[0].queue.packets = Some(p.num("queue").round() as u32);
        s.apps = vec![
            AppSpec::Sink { host: "server".into(), port: 5001, backlog: 128, read_rate_kbps: None, start_ms: 0.0, read_after_ms: 0.0, so_rcvbuf: None },
            AppSpec::BulkSend { host: "client".into(), to: SocketAddrV4::new(SERVER, 5001), bytes: (p.num("megabytes") * 1e6) as u64, start_ms: 0.0, congestion: None },
        ];
        Ok(s)
    },
};
