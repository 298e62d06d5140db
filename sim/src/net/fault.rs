//! Scripted faults: drop, delay, duplicate or reorder the k-th frame that matches a filter, the way a
//! learner says "drop this SYN" or "delay that ACK by 300 ms". A fault is checked when a frame
//! starts across a link; matches are counted per fault.

use crate::scenario::{check_range, ScenarioError};
use crate::wire::{Frame, FramePayload, IcmpRepr, TcpFlags, Transport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which frames a fault looks at.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameMatch {
    /// Only frames sent by this node.
    #[serde(default)]
    pub from: Option<String>,
    /// `tcp`, `udp`, `icmp`, `arp`, or none for any.
    #[serde(default)]
    pub proto: Option<String>,
    /// TCP flags that must all be set, e.g. `SYN` or `SYN,ACK`.
    #[serde(default)]
    pub flags: Option<String>,
    /// TCP flags that must all be clear, e.g. `ACK` to match a bare SYN.
    #[serde(default)]
    pub not_flags: Option<String>,
    /// Only TCP or UDP with this source port.
    #[serde(default)]
    pub src_port: Option<u16>,
    /// Only TCP or UDP with this destination port.
    #[serde(default)]
    pub dst_port: Option<u16>,
    /// Only segments that carry data (true) or none (false).
    #[serde(default)]
    pub has_data: Option<bool>,
    /// Only UDP datagrams holding a QUIC packet with a STREAM frame (true) or none (false):
    /// "the k-th packet of response data" for QUIC, as `has_data` is for TCP.
    #[serde(default)]
    pub quic_stream: Option<bool>,
}

/// What to do to a matching frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultAction {
    /// Lose it.
    Drop,
    /// Hold it this many extra milliseconds (later frames may overtake it: reordering).
    Delay { ms: f64 },
    /// Deliver it twice.
    Duplicate,
    /// Let the next frame on the same link overtake it (it waits up to
    /// [`REORDER_HOLD`] for one), so the receiver sees the two out of order.
    Reorder,
}

/// How long a frame marked [`FaultAction::Reorder`] waits for a frame to overtake it.
pub const REORDER_HOLD: crate::time::Duration = crate::time::Duration::from_millis(50);

/// A scripted fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Which frames.
    #[serde(default, rename = "match")]
    pub matches: FrameMatch,
    /// The first matching frame affected (1 = the first).
    #[serde(default = "one")]
    pub nth: u32,
    /// How many consecutive matches from `nth` are affected.
    #[serde(default = "one")]
    pub count: u32,
    /// What to do.
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

fn parse_flags(text: &str) -> Option<TcpFlags> {
    let mut f = TcpFlags::default();
    for word in text.split([',', '|', ' ']).filter(|w| !w.is_empty()) {
        f = f | match word.trim().to_ascii_uppercase().as_str() {
            "FIN" => TcpFlags::FIN,
            "SYN" => TcpFlags::SYN,
            "RST" => TcpFlags::RST,
            "PSH" => TcpFlags::PSH,
            "ACK" => TcpFlags::ACK,
            "URG" => TcpFlags::URG,
            "ECE" => TcpFlags::ECE,
            "CWR" => TcpFlags::CWR,
            _ => return None,
        };
    }
    Some(f)
}

impl FaultSpec {
    /// Check names, flags and numbers.
    pub fn validate(&self, ctx: &str, names: &BTreeSet<&str>) -> Result<(), ScenarioError> {
        let m = &self.matches;
        if let Some(n) = &m.from {
            if !names.contains(n.as_str()) {
                return Err(ScenarioError::UnknownNode { name: n.clone(), context: ctx.into() });
            }
        }
        if let Some(p) = &m.proto {
            if !["tcp", "udp", "icmp", "arp"].contains(&p.as_str()) {
                return Err(ScenarioError::InvalidValue {
                    field: format!("{ctx}.match.proto"),
                    value: p.clone(),
                    why: "one of tcp, udp, icmp, arp".into(),
                });
            }
        }
        for (field, f) in [("flags", &m.flags), ("not_flags", &m.not_flags)] {
            if let Some(text) = f {
                if parse_flags(text).is_none() {
                    return Err(ScenarioError::InvalidValue {
                        field: format!("{ctx}.match.{field}"),
                        value: text.clone(),
                        why: "TCP flag names separated by commas (SYN,ACK)".into(),
                    });
                }
            }
        }
        for (field, v) in [("nth", self.nth), ("count", self.count)] {
            if v == 0 {
                return Err(ScenarioError::InvalidValue {
                    field: format!("{ctx}.{field}"),
                    value: v.to_string(),
                    why: "nth and count start at 1".into(),
                });
            }
        }
        if let FaultAction::Delay { ms } = self.action {
            check_range(&format!("{ctx}.action.ms"), ms, 0.0, 600_000.0)?;
        }
        Ok(())
    }

    /// Does `frame`, sent by `from`, match the filter?
    pub fn matches(&self, from: &str, frame: &Frame) -> bool {
        let m = &self.matches;
        if m.from.as_deref().is_some_and(|n| n != from) {
            return false;
        }
        let (proto, ports, flags, data) = match &frame.payload {
            FramePayload::Arp(_) => ("arp", None, None, false),
            FramePayload::Ipv4(p) => match &p.transport {
                Transport::Tcp(t) => ("tcp", Some((t.src_port, t.dst_port)), Some(t.flags), !t.payload.is_empty()),
                Transport::Udp(u) => ("udp", Some((u.src_port, u.dst_port)), None, !u.payload.is_empty()),
                Transport::Icmp(i) => {
                    ("icmp", None, None, matches!(i, IcmpRepr::EchoRequest { .. } | IcmpRepr::EchoReply { .. }))
                }
                _ => ("ip", None, None, true),
            },
        };
        if m.proto.as_deref().is_some_and(|p| p != proto) {
            return false;
        }
        if let Some(want) = m.flags.as_deref().and_then(parse_flags) {
            if !flags.is_some_and(|f| f.contains(want)) {
                return false;
            }
        }
        if let Some(clear) = m.not_flags.as_deref().and_then(parse_flags) {
            if flags.is_some_and(|f| f.0 & clear.0 != 0) {
                return false;
            }
        }
        if m.src_port.is_some_and(|p| ports.is_none_or(|(s, _)| s != p)) {
            return false;
        }
        if m.dst_port.is_some_and(|p| ports.is_none_or(|(_, d)| d != p)) {
            return false;
        }
        if m.has_data.is_some_and(|want| want != data) {
            return false;
        }
        if let Some(want) = m.quic_stream {
            let stream = match &frame.payload {
                FramePayload::Ipv4(p) => match &p.transport {
                    Transport::Udp(u) => crate::apps::quic::frames::parse_datagram(&u.payload).is_some_and(|ps| {
                        ps.iter().any(|(_, _, fs)| {
                            fs.iter().any(|f| matches!(f, crate::apps::quic::frames::QuicFrame::Stream { .. }))
                        })
                    }),
                    _ => false,
                },
                _ => false,
            };
            if want != stream {
                return false;
            }
        }
        true
    }
}

/// The faults of a run with their match counters.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<(FaultSpec, u32)>,
}

impl Faults {
    /// Arm these faults.
    pub fn new(specs: &[FaultSpec]) -> Self {
        Faults { rules: specs.iter().cloned().map(|s| (s, 0)).collect() }
    }

    /// Count `frame` against every rule; the actions of the rules it triggers.
    pub fn check(&mut self, from: &str, frame: &Frame) -> Vec<FaultAction> {
        let mut out = vec![];
        for (spec, seen) in &mut self.rules {
            if spec.matches(from, frame) {
                *seen += 1;
                if *seen >= spec.nth && *seen < spec.nth.saturating_add(spec.count) {
                    out.push(spec.action.clone());
                }
            }
        }
        out
    }
}
