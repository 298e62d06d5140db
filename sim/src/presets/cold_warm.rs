//! Cold against warm: fetching the same response on a new connection (handshake, then slow
//! start from 10 packets) or on a pooled connection whose window already grew during an
//! earlier fetch. After an idle period longer than the RTO, Linux restarts the pooled
//! connection's window too (`tcp_slow_start_after_idle`, RFC 5681 §4.1), unless that is off.
//!
//! The client makes two requests; the second is the one to compare. Not modelled: Linux's
//! per-destination metrics cache (`tcp_metrics`), which may hand a new connection the RTT and
//! ssthresh of an earlier one.

use super::{http_server, two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{choice, flag, number, ParamSpec};
use crate::tcp::TcpConfig;
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    choice("connection", "Connection", &["warm", "cold"], "warm", "Reuse the pooled connection, or open a new one"),
    number("rtt", "Round-trip time", 1.0, 500.0, 1.0, "ms", 50.0, "Path round-trip time"),
    number("bandwidth", "Bandwidth", 1.0, 1000.0, 1.0, "Mbit/s", 100.0, "Link speed"),
    number("kilobytes", "Response size", 1.0, 10_000.0, 1.0, "KB", 1000.0, "Bytes each response carries"),
    number(
        "idle",
        "Idle before the second fetch",
        0.0,
        60_000.0,
        10.0,
        "ms",
        0.0,
        "Pause between the first response and the second request",
    ),
    flag("ssai", "Slow start after idle", true, "tcp_slow_start_after_idle: restart cwnd after an idle RTO"),
];

/// The cold/warm preset.
pub const COLD_WARM: super::Preset = super::Preset {
    name: "cold-warm",
    title: "Cold against warm connections",
    about: "The same 1 MB fetched twice: on a pooled connection the second fetch skips the handshake and starts with the grown window; a new connection pays the handshake and slow start again.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("cold-warm", p.num("rtt"), p.num("bandwidth"));
        s.stop_ms = 120_000.0;
        s.snaplen = Some(128);
        s.tcp = TcpConfig { slow_start_after_idle: p.flag("ssai"), ..TcpConfig::linux() };
        s.apps = vec![
            http_server("server", 80, (p.num("kilobytes") * 1000.0).round() as u32),
            AppSpec::RpcClient { fast_open: false, request_payload: None,
                max_seg: None,
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 80),
                start_ms: 0.0,
                requests: 2,
                request_bytes: 300,
                reuse: p.choice("connection") == "warm",
                nodelay: true,
                gap_ms: p.num("idle"),
            },
        ];
        Ok(s)
    },
};
