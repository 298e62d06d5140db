//! Named scenarios with declared parameters: the runs figures show and the command line
//! replays (`wirewise-sim run <name> --set key=value`). Each preset is a plain function from a
//! [`ParamSet`] to a [`Scenario`].

mod bulk;
mod close_wait;
mod cold_warm;
pub mod congestion;
mod dns;
mod fastopen;
mod flow;
mod handshake;
pub mod hol;
pub mod http_request;
mod icmp;
mod mtu;
mod nagle;
mod nat;
mod port_exhaustion;
pub mod queues;
mod quic;
mod rpc;
pub mod simultaneous;
pub mod subnets;
mod tls;

pub(crate) use crate::params::choice;
use crate::params::{ParamSet, ParamSpec};
use crate::scenario::{HostSpec, LinkSpec, Scenario, ScenarioError};
use crate::tcp::TcpConfig;
use crate::wire::Ipv4Addr;

/// A named scenario.
#[derive(Debug)]
pub struct Preset {
    /// Its name on the command line and in URLs.
    pub name: &'static str,
    /// A title for people.
    pub title: &'static str,
    /// One or two sentences on what it shows.
    pub about: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
    /// Build the scenario for a set of values.
    pub build: fn(&ParamSet) -> Result<Scenario, ScenarioError>,
}

impl Preset {
    /// Build with every parameter at its default.
    pub fn default_scenario(&self) -> Result<Scenario, ScenarioError> {
        (self.build)(&ParamSet::defaults(self.params))
    }
}

static ALL: &[Preset] = &[
    handshake::HANDSHAKE,
    handshake::LOST_SYN,
    handshake::LOST_SYNACK,
    handshake::CLOSED_PORT,
    fastopen::TFO,
    rpc::RPC,
    simultaneous::SIMULTANEOUS_OPEN,
    simultaneous::SIMULTANEOUS_CLOSE,
    close_wait::CLOSE_WAIT_LEAK,
    port_exhaustion::PORT_EXHAUSTION,
    http_request::HTTP_REQUEST,
    bulk::BULK,
    congestion::CONGESTION,
    congestion::CONGESTION_LOSS,
    congestion::CONGESTION_SHALLOW,
    congestion::CONGESTION_BLOAT,
    flow::FLOW_CONTROL,
    nagle::NAGLE,
    cold_warm::COLD_WARM,
    dns::DNS,
    icmp::PING,
    icmp::TRACEROUTE,
    mtu::FRAGMENTATION,
    mtu::PMTUD,
    nat::NAT,
    subnets::SUBNETS,
    tls::TLS,
    quic::QUIC,
    queues::HEALTHY,
    queues::SLOW_ACCEPT,
    queues::SYN_FLOOD,
    queues::SYN_FLOOD_COOKIES,
    queues::ABORT_ON_OVERFLOW,
    queues::REUSEPORT_STALL,
    queues::OLD_SOMAXCONN,
    hol::HOL_BLOCKING,
];

/// Every preset, in teaching order.
pub fn all() -> &'static [Preset] {
    ALL
}

/// The preset called `name`.
pub fn find(name: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.name == name)
}

/// The kernel-flavour parameter shared by the TCP presets.
pub(crate) const KERNEL: ParamSpec = choice(
    "kernel",
    "TCP behaviour",
    &["linux", "linux-pre-6.5", "rfc"],
    "linux",
    "Linux 6.x (default), Linux before 6.5 (exponential SYN retries), or the RFC 9293 textbook",
);

/// The kernel's tick rate, shared by the presets whose timers show it and by their figures
/// (docs/fidelity.md §10.1).
pub const HZ: ParamSpec = choice(
    "hz",
    "Kernel tick (CONFIG_HZ)",
    &["250", "1000"],
    "250",
    "Linux runs TCP's timers in ticks: at 250 Hz (Debian and many distributions) the 40 ms delayed ACK fires 40-44 ms after it is set, at 1000 Hz 40-41 ms.",
);

/// The tick rate an `hz` choice names (250 when the preset has none).
pub(crate) fn hz(p: &ParamSet) -> u32 {
    p.choice("hz").parse().unwrap_or(250)
}

/// The TCP settings a `kernel` choice names, with the preset's tick rate (the RFC textbook
/// has none: exact time).
pub(crate) fn kernel(p: &ParamSet) -> TcpConfig {
    match p.choice("kernel") {
        "linux-pre-6.5" => TcpConfig { hz: hz(p), ..TcpConfig::linux_pre_6_5() },
        "rfc" => TcpConfig::rfc(),
        _ => TcpConfig { hz: hz(p), ..TcpConfig::linux() },
    }
}

/// Client 10.0.0.1 and server 10.0.0.2 on one link whose delay is half `rtt_ms`.
pub(crate) fn two_hosts(name: &str, rtt_ms: f64, bandwidth_mbps: f64) -> Scenario {
    Scenario {
        name: name.to_string(),
        seed: 1,
        stop_ms: 200_000.0,
        snaplen: None,
        warm_arp: true,
        tcp: TcpConfig::linux(),
        hosts: vec![host("client", "10.0.0.1/24", None), host("server", "10.0.0.2/24", None)],
        switches: vec![],
        routers: vec![],
        links: vec![link("client", "server", rtt_ms / 2.0, bandwidth_mbps)],
        apps: vec![],
        faults: vec![],
    }
}

/// An HTTP server on `host`:`port` answering each request with `response_bytes`: listening
/// from the start with Linux's usual backlog (511, nginx's default), TCP_NODELAY on, no Fast
/// Open, closing each connection its client closes.
pub(crate) fn http_server(host: &str, port: u16, response_bytes: u32) -> crate::apps::AppSpec {
    crate::apps::AppSpec::RpcServer {
        host: host.into(),
        port,
        backlog: 511,
        response_bytes,
        start_ms: 0.0,
        nodelay: true,
        fastopen_qlen: 0,
        forgets_close: false,
    }
}

pub(crate) fn host(name: &str, cidr: &str, gateway: Option<Ipv4Addr>) -> HostSpec {
    HostSpec { name: name.into(), ip: cidr.parse().expect("preset address"), gateway, tcp: None }
}

pub(crate) fn link(a: &str, b: &str, delay_ms: f64, bandwidth_mbps: f64) -> LinkSpec {
    LinkSpec {
        a: a.into(),
        b: b.into(),
        a_ip: None,
        b_ip: None,
        bandwidth_mbps,
        delay_ms,
        mtu: 1500,
        loss: 0.0,
        queue: Default::default(),
    }
}

pub(crate) const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_validate() {
        let mut names: Vec<_> = all().iter().map(|p| p.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all().len());
        for p in all() {
            let s = p.default_scenario().unwrap_or_else(|e| panic!("{}: {e}", p.name));
            s.validate().unwrap_or_else(|e| panic!("{}: {e}", p.name));
            for spec in p.params {
                assert_eq!(
                    spec.clamp(spec.default.clone()),
                    spec.default,
                    "{}: default of {} out of its own range",
                    p.name,
                    spec.name
                );
            }
        }
    }
}
