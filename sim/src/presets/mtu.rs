//! MTU in action: a datagram fragmented by a router when DF is clear, refused with ICMP
//! "fragmentation needed" when it is set; and TCP's path-MTU discovery, or its black hole
//! when the ICMP is filtered.

use super::http_server;
use super::icmp::chain;
use crate::apps::AppSpec;
use crate::net::fault::{FaultAction, FaultSpec, FrameMatch};
use crate::params::{flag, number, ParamSpec};
use crate::wire::Ipv4Addr;
use std::net::SocketAddrV4;

const FRAG_PARAMS: &[ParamSpec] = &[
    number(
        "bytes",
        "Datagram size",
        1.0,
        8000.0,
        1.0,
        "bytes",
        1472.0,
        "UDP payload bytes (1472 fills a 1500-byte packet)",
    ),
    number(
        "mtu",
        "MTU of the second hop",
        576.0,
        1500.0,
        1.0,
        "bytes",
        1000.0,
        "Largest packet the router's far link carries",
    ),
    flag("df", "Don't fragment (DF)", false, "Set: the router refuses with ICMP; clear: it splits the packet"),
];

/// Fragmentation at a router.
pub const FRAGMENTATION: super::Preset = super::Preset {
    name: "fragmentation",
    title: "IP fragmentation at a router",
    about: "A UDP datagram meets a link with a smaller MTU: with DF clear the router cuts it into fragments the receiver reassembles; with DF set it is dropped and the sender told the MTU.",
    params: FRAG_PARAMS,
    build: |p| {
        let mut s = chain("fragmentation", 1, 2.0);
        s.links[1].mtu = p.num("mtu").round() as u16;
        s.stop_ms = 2000.0;
        s.apps = vec![
            AppSpec::UdpSink { host: "server".into(), port: 9000, start_ms: 0.0 },
            AppSpec::UdpSend {
                host: "client".into(),
                to: SocketAddrV4::new(Ipv4Addr::new(10, 0, 1, 2), 9000),
                bytes: p.num("bytes").round() as u32,
                dont_frag: p.flag("df"),
                start_ms: 1.0,
            },
        ];
        Ok(s)
    },
};

const PMTUD_PARAMS: &[ParamSpec] = &[
    number("mtu", "Tunnel MTU", 576.0, 1500.0, 1.0, "bytes", 1400.0, "MTU of the hop between the routers"),
    flag("block_icmp", "Block ICMP", false, "A firewall drops ICMP: the sender never learns the MTU (a black hole)"),
    number("response", "Response size", 100.0, 200_000.0, 100.0, "bytes", 20_000.0, "Bytes the server sends back"),
    flag(
        "clamp_mss",
        "Clamp the MSS",
        false,
        "The routers lower the MSS in passing SYNs to fit the tunnel, so full-size segments never exceed it",
    ),
];

/// Path-MTU discovery.
pub const PMTUD: super::Preset = super::Preset {
    name: "pmtud",
    title: "Path MTU discovery and the black hole",
    about: "The handshake's small packets pass; the server's full-size replies do not fit a 1400-byte hop. ICMP tells it the MTU and it resends smaller, unless ICMP is blocked.",
    params: PMTUD_PARAMS,
    build: |p| {
        let mut s = chain("pmtud", 2, 5.0);
        s.warm_arp = true;
        s.links[1].mtu = p.num("mtu").round() as u16;
        s.stop_ms = 30_000.0;
        for r in &mut s.routers {
            r.clamp_mss = p.flag("clamp_mss");
        }
        s.apps = vec![
            http_server("server", 80, p.num("response").round() as u32),
            AppSpec::RpcClient { fast_open: false, request_payload: None,
                max_seg: None,
                host: "client".into(),
                server: SocketAddrV4::new(Ipv4Addr::new(10, 0, 2, 2), 80),
                start_ms: 1.0,
                requests: 1,
                request_bytes: 200,
                reuse: false,
                nodelay: true,
                gap_ms: 0.0,
            },
        ];
        if p.flag("block_icmp") {
            s.faults.push(FaultSpec {
                matches: FrameMatch { proto: Some("icmp".into()), ..Default::default() },
                nth: 1,
                count: u32::MAX,
                action: FaultAction::Drop,
            });
        }
        Ok(s)
    },
};
