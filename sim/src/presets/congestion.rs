//! The congestion-control lab: one bulk transfer through a bottleneck whose buffer is sized in
//! packets or in multiples of the bandwidth-delay product, with a choice of algorithm and of
//! loss recovery, random loss and optional ECN marking. Four named variants (clean path,
//! random loss, shallow buffer, bufferbloat) share the parameters and differ in defaults.
//!
//! The bottleneck is the sender's egress queue on the one link (it stands for the router in
//! front of a slow link; the link delay is half the RTT each way).

use super::{two_hosts, SERVER};
use crate::apps::AppSpec;
use crate::params::{choice, flag, number, ParamSet, ParamSpec};
use crate::scenario::{Scenario, ScenarioError};
use crate::tcp::{CcAlgorithm, RecoveryMode, TcpConfig};
use std::net::SocketAddrV4;

/// Bytes a full-size frame occupies on the wire (1514 captured + 24 of preamble, FCS, gap).
pub const WIRE_FRAME_BYTES: f64 = 1538.0;

/// The path's bandwidth-delay product in full-size packets.
pub fn bdp_packets(bandwidth_mbps: f64, rtt_ms: f64) -> f64 {
    bandwidth_mbps * 1e6 / 8.0 * rtt_ms / 1000.0 / WIRE_FRAME_BYTES
}

/// The drop-tail limit in packets for `size` in `unit` ("packets" or "bdp"), at least 2.
pub fn buffer_packets(size: f64, unit: &str, bandwidth_mbps: f64, rtt_ms: f64) -> u32 {
    let p = if unit == "bdp" { size * bdp_packets(bandwidth_mbps, rtt_ms) } else { size };
    (p.round() as u32).max(2)
}

const fn params(loss: f64, buffer: f64, unit: &'static str) -> [ParamSpec; 10] {
    [
        choice("algorithm", "Algorithm", &["cubic", "reno", "bbr"], "cubic", "Congestion control (TCP_CONGESTION)"),
        choice(
            "recovery",
            "Loss recovery",
            &["linux", "textbook"],
            "linux",
            "Linux (SACK, RACK-TLP, PRR) or the RFC 5681/6582 textbook (3 duplicate ACKs, NewReno)",
        ),
        number("bandwidth", "Bottleneck bandwidth", 1.0, 100.0, 1.0, "Mbit/s", 5.0, "Speed of the bottleneck link"),
        number("rtt", "Round-trip time", 2.0, 500.0, 1.0, "ms", 100.0, "Propagation round trip, without queueing"),
        number("loss", "Random loss", 0.0, 10.0, 0.01, "%", loss, "Chance that any frame is lost on the link"),
        number("buffer", "Bottleneck buffer", 0.1, 1000.0, 0.1, "", buffer, "Drop-tail queue size, in the unit below"),
        choice(
            "buffer_unit",
            "Buffer unit",
            &["bdp", "packets"],
            unit,
            "Multiples of the bandwidth-delay product, or packets",
        ),
        number(
            "ecn",
            "ECN marking threshold",
            0.0,
            1000.0,
            1.0,
            "packets",
            0.0,
            "Mark CE from this queue length (0: no ECN; the sender asks for ECN when set)",
        ),
        number("seconds", "Run for", 1.0, 120.0, 1.0, "s", 60.0, "Virtual time simulated"),
        flag("pacing", "Pace (fq)", false, "Pace Reno/CUBIC at Linux's rate as the fq qdisc does (BBR always paces)"),
    ]
}

static CLEAN: [ParamSpec; 10] = params(0.0, 1.0, "bdp");
static RANDOM_LOSS: [ParamSpec; 10] = params(0.5, 1.0, "bdp");
static SHALLOW: [ParamSpec; 10] = params(0.0, 0.1, "bdp");
static BLOAT: [ParamSpec; 10] = params(0.0, 8.0, "bdp");

/// Build the lab scenario from its parameters.
pub fn build(name: &str, p: &ParamSet) -> Result<Scenario, ScenarioError> {
    let (bw, rtt) = (p.num("bandwidth"), p.num("rtt"));
    let mut s = two_hosts(name, rtt, bw);
    s.stop_ms = p.num("seconds") * 1000.0;
    s.snaplen = Some(96);
    let alg = CcAlgorithm::from_name(p.choice("algorithm")).unwrap_or_default();
    let recovery = if p.choice("recovery") == "textbook" { RecoveryMode::Textbook } else { RecoveryMode::Linux };
    let ecn = p.num("ecn").round() as u32;
    s.tcp = TcpConfig {
        congestion: alg,
        recovery,
        pacing: p.flag("pacing"),
        ecn: if ecn > 0 { 1 } else { 2 },
        ..TcpConfig::linux()
    };
    let l = &mut s.links[0];
    l.loss = p.num("loss") / 100.0;
    l.queue.packets = Some(buffer_packets(p.num("buffer"), p.choice("buffer_unit"), bw, rtt));
    l.queue.ecn_threshold = (ecn > 0).then_some(ecn);
    // Enough data for the whole run at line rate.
    let bytes = (bw * 1e6 / 8.0 * p.num("seconds") * 1.1) as u64 + 1_000_000;
    s.apps = vec![
        AppSpec::Sink {
            host: "server".into(),
            port: 5001,
            backlog: 128,
            read_rate_kbps: None,
            start_ms: 0.0,
            read_after_ms: 0.0,
            so_rcvbuf: None,
        },
        AppSpec::BulkSend {
            host: "client".into(),
            to: SocketAddrV4::new(SERVER, 5001),
            bytes,
            start_ms: 0.0,
            congestion: None,
        },
    ];
    Ok(s)
}

/// A clean path: the buffer is one BDP, nothing is lost at random.
pub const CONGESTION: super::Preset = super::Preset {
    name: "congestion",
    title: "Congestion window lab: a clean path",
    about: "One bulk transfer through a bottleneck with a one-BDP drop-tail buffer: slow start, the first loss, then the algorithm's sawtooth or probing cycle.",
    params: &CLEAN,
    build: |p| build("congestion", p),
};

/// Random loss on the link.
pub const CONGESTION_LOSS: super::Preset = super::Preset {
    name: "congestion-loss",
    title: "Congestion window lab: random loss",
    about: "0.5% of frames are lost at random: loss-based algorithms shrink their window on every loss, the Mathis estimate predicts Reno's throughput, BBR keeps its rate.",
    params: &RANDOM_LOSS,
    build: |p| build("congestion-loss", p),
};

/// A buffer of a tenth of the BDP.
pub const CONGESTION_SHALLOW: super::Preset = super::Preset {
    name: "congestion-shallow",
    title: "Congestion window lab: a shallow buffer",
    about: "The bottleneck buffer holds a tenth of the BDP: after each loss the window is too small to keep the link busy until it grows back.",
    params: &SHALLOW,
    build: |p| build("congestion-shallow", p),
};

/// A buffer of eight BDPs.
pub const CONGESTION_BLOAT: super::Preset = super::Preset {
    name: "congestion-bufferbloat",
    title: "Congestion window lab: bufferbloat",
    about: "The bottleneck buffer holds eight BDPs: loss-based algorithms fill it, so the RTT grows many times over while the throughput does not improve.",
    params: &BLOAT,
    build: |p| build("congestion-bufferbloat", p),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_in_bdp_multiples() {
        // 10 Mbit/s × 50 ms = 62 500 B = 40.6 full frames.
        assert_eq!(buffer_packets(1.0, "bdp", 10.0, 50.0), 41);
        assert_eq!(buffer_packets(8.0, "bdp", 10.0, 50.0), 325);
        assert_eq!(buffer_packets(25.0, "packets", 10.0, 50.0), 25);
        assert_eq!(buffer_packets(0.01, "bdp", 10.0, 50.0), 2);
    }
}
