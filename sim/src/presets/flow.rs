//! Sliding window and flow control: a sender pushes data to a receiver whose application
//! starts reading late and then slowly. The receive buffer fills, the advertised window
//! shrinks to zero, the sender's persist timer probes the closed window on its exponential
//! schedule (docs/fidelity.md §5 [E10]), and the transfer resumes once the application reads.

use super::{two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{flag, number, ParamSpec};
use crate::tcp::TcpConfig;
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    number("rtt", "Round-trip time", 1.0, 500.0, 1.0, "ms", 20.0, "Path round-trip time"),
    number("bandwidth", "Bandwidth", 1.0, 1000.0, 1.0, "Mbit/s", 10.0, "Link speed"),
    number("kilobytes", "Data to send", 1.0, 10_000.0, 1.0, "KB", 300.0, "Bytes the sender writes"),
    number("rcvbuf", "Receive buffer", 4.0, 6144.0, 1.0, "KB", 64.0, "The receiver's buffer (tcp_rmem default)"),
    number(
        "read_after",
        "Reader starts at",
        0.0,
        60_000.0,
        10.0,
        "ms",
        1500.0,
        "The receiving application reads nothing before this",
    ),
    number(
        "read_rate",
        "Reader speed",
        0.0,
        1_000_000.0,
        10.0,
        "kbit/s",
        800.0,
        "How fast it reads then (0: everything at once)",
    ),
    flag("autotune", "Receive-buffer autotuning", false, "tcp_moderate_rcvbuf: let the buffer grow with the reader"),
    number("seconds", "Run for", 1.0, 120.0, 1.0, "s", 10.0, "Virtual time simulated"),
];

/// The flow-control preset.
pub const FLOW_CONTROL: super::Preset = super::Preset {
    name: "flow-control",
    title: "Sliding window and flow control",
    about: "A slow reader: the receive buffer fills, the window closes to zero, the sender probes it with persist probes, and data flows again when the application reads.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("flow-control", p.num("rtt"), p.num("bandwidth"));
        s.stop_ms = p.num("seconds") * 1000.0;
        let rcvbuf = (p.num("rcvbuf") * 1024.0) as u32;
        let receiver = TcpConfig {
            rmem: (4096, rcvbuf, rcvbuf.max(65_536)),
            moderate_rcvbuf: p.flag("autotune"),
            ..TcpConfig::linux()
        };
        s.hosts[1].tcp = Some(receiver);
        let rate = p.num("read_rate");
        s.apps = vec![
            AppSpec::Sink {
                host: "server".into(),
                port: 5001,
                backlog: 128,
                read_rate_kbps: (rate > 0.0).then_some(rate),
                start_ms: 0.0,
                read_after_ms: p.num("read_after"),
                so_rcvbuf: None,
            },
            AppSpec::BulkSend {
                host: "client".into(),
                to: SocketAddrV4::new(SERVER, 5001),
                bytes: (p.num("kilobytes") * 1000.0) as u64,
                start_ms: 0.0,
                congestion: None,
            },
        ];
        Ok(s)
    },
};
