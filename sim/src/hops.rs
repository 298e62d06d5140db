//! The same packet hop by hop: each IPv4 transmission read back from a trace with its
//! addresses, TTL and ports, and chained into journeys (a packet forwarded by a router or a
//! NAT continues the journey of the packet that arrived there).

use crate::time::Instant;
use crate::trace::{DropReason, FrameId, NodeId, Trace};
use crate::wire::{Frame, FramePayload, IcmpRepr, MacAddr, Transport};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// One IPv4 frame on one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The frame.
    pub frame: FrameId,
    /// Sender and receiver on this link.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// First bit on the wire.
    pub start: Instant,
    /// Why it was lost, if it was.
    pub dropped: Option<DropReason>,
    /// Ethernet source.
    pub src_mac: MacAddr,
    /// Ethernet destination.
    pub dst_mac: MacAddr,
    /// IPv4 source.
    pub src: Ipv4Addr,
    /// IPv4 destination.
    pub dst: Ipv4Addr,
    /// Time to live as sent on this link.
    pub ttl: u8,
    /// IP identification.
    pub ident: u16,
    /// Ports (TCP/UDP) or the ICMP echo identifier twice; `None` for other ICMP.
    pub ports: Option<(u16, u16)>,
    /// What it is, in a few words.
    pub what: String,
}

fn hop_of(trace: &Trace, x: &crate::trace::Transmission) -> Option<Hop> {
    let bytes = &trace.frames.get(x.frame as usize)?.bytes;
    let frame = Frame::parse(bytes).ok()?;
    let FramePayload::Ipv4(p) = frame.payload else { return None };
    let (ports, what) = match &p.transport {
        Transport::Tcp(t) => (Some((t.src_port, t.dst_port)), format!("TCP {}", t.flags)),
        Transport::Udp(u) => (Some((u.src_port, u.dst_port)), format!("UDP, {} bytes", u.payload.len())),
        Transport::Icmp(IcmpRepr::EchoRequest { ident, .. }) => (Some((*ident, *ident)), "ICMP echo request".into()),
        Transport::Icmp(IcmpRepr::EchoReply { ident, .. }) => (Some((*ident, *ident)), "ICMP echo reply".into()),
        Transport::Icmp(IcmpRepr::TimeExceeded { .. }) => (None, "ICMP time exceeded".into()),
        Transport::Icmp(IcmpRepr::DestUnreachable { code, .. }) => (None, format!("ICMP unreachable (code {code})")),
        Transport::Fragment(_) => (None, "IP fragment".into()),
        Transport::Other(_) => (None, "IP".into()),
    };
    Some(Hop {
        frame: x.frame,
        from: x.from,
        to: x.to,
        start: x.start,
        dropped: x.dropped,
        src_mac: frame.eth.src,
        dst_mac: frame.eth.dst,
        src: p.ip.src,
        dst: p.ip.dst,
        ttl: p.ip.ttl,
        ident: p.ip.ident,
        ports,
        what,
    })
}

/// Every IPv4 transmission chained into journeys: a hop continues a journey whose last hop
/// arrived (not dropped) at the node that now sends it, with the same IP identification,
/// earlier in time. Journeys are in the order they began.
pub fn journeys(trace: &Trace) -> Vec<Vec<Hop>> {
    let mut txs = trace.transmissions();
    txs.sort_by_key(|x| (x.start, x.frame));
    let mut out: Vec<Vec<Hop>> = Vec::new();
    // Journeys a forwarded hop may continue, by (node the last hop reached, IP
    // identification): one map look-up per hop keeps this linear in the run's size.
    let mut open: BTreeMap<(NodeId, u16), BTreeSet<usize>> = BTreeMap::new();
    for x in &txs {
        let Some(hop) = hop_of(trace, x) else { continue };
        let node_kind = |n: NodeId| trace.nodes.get(n as usize).map(|i| i.kind);
        let forwarder = node_kind(hop.from) != Some(crate::trace::NodeKind::Host);
        // The latest journey that ends where this hop starts (transmissions are in time
        // order, so its last hop started no later than this one).
        let found = if forwarder { open.get_mut(&(hop.from, hop.ident)).and_then(|set| set.pop_last()) } else { None };
        let (to, ident, dropped) = (hop.to, hop.ident, hop.dropped.is_some());
        let i = match found {
            Some(i) => {
                out[i].push(hop);
                i
            }
            None => {
                out.push(vec![hop]);
                out.len() - 1
            }
        };
        if !dropped {
            open.entry((to, ident)).or_default().insert(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, pairs: &[(&str, &str)]) -> Trace {
        let p = crate::presets::find(name).expect("preset");
        let (set, errors) = crate::params::ParamSet::apply_lenient(p.params, pairs.iter().copied());
        assert!(errors.is_empty());
        crate::run(&(p.build)(&set).expect("builds")).expect("runs")
    }

    #[test]
    fn routers_rewrite_macs_and_decrement_ttl_but_keep_addresses() {
        let trace = run("ping", &[("count", "1")]);
        let j = journeys(&trace);
        let long = j
            .iter()
            .find(|j| j.len() >= 3 && j[0].what == "ICMP echo request")
            .expect("a request crossing the routers");
        for w in long.windows(2) {
            assert_eq!(w[0].src, w[1].src);
            assert_eq!(w[0].dst, w[1].dst);
            if trace.nodes[w[1].from as usize].kind == crate::trace::NodeKind::Router {
                assert_eq!(w[1].ttl + 1, w[0].ttl);
                assert_ne!(w[0].src_mac, w[1].src_mac);
            }
        }
        assert_eq!(long[0].ttl, 64);
    }

    #[test]
    fn nat_rewrites_the_source_address_on_the_way_out() {
        let trace = run("nat", &[]);
        let j = journeys(&trace);
        let syn =
            j.iter().find(|j| j.len() == 2 && j[0].src == Ipv4Addr::new(192, 168, 1, 10)).expect("an outbound packet");
        assert_eq!(syn[1].src, Ipv4Addr::new(203, 0, 113, 1));
        assert_eq!(syn[0].dst, syn[1].dst);
    }
}
