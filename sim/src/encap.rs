//! Encapsulation read back from a trace: how many bytes each layer adds to a frame, and how a
//! sender's application bytes were cut into segments, each wrapped in TCP, IPv4 and Ethernet.
//! Every number comes from the dissection of the captured frames. A datagram IP fragmented
//! (RFC 791 §3.2) shows as one entry per fragment, with its offset and MF flag.

use crate::time::Instant;
use crate::trace::{FrameId, NodeId, Trace};
use crate::wire::ipv4::{IpProtocol, Ipv4Repr};
use crate::wire::{dissect, Layer};

const ETH_HEADER: usize = 14;
const IPV4_HEADER: usize = 20;
const UDP_HEADER: usize = 8;

/// The bytes each layer of a frame occupies, outermost first (consecutive fields of one
/// layer summed; trailing Ethernet padding counts as Ethernet).
pub fn layer_bytes(bytes: &[u8]) -> Vec<(Layer, usize)> {
    let mut bits: Vec<(Layer, usize)> = Vec::new();
    for f in dissect(bytes).fields {
        let n = f.bit_len as usize;
        match bits.iter_mut().find(|(l, _)| *l == f.layer) {
            Some((_, total)) => *total += n,
            None => bits.push((f.layer, n)),
        }
    }
    bits.into_iter().map(|(l, n)| (l, n / 8)).collect()
}

/// One frame that carried application bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The frame.
    pub frame: FrameId,
    /// When its first bit left the sender.
    pub sent: Instant,
    /// Bytes per layer, outermost first.
    pub layers: Vec<(Layer, usize)>,
    /// Application bytes it carried.
    pub payload: usize,
    /// Whole frame length (without preamble and FCS).
    pub len: usize,
    /// The IPv4 header's Total Length (header and everything after it).
    pub ip_len: usize,
    /// Where this frame's IP payload sits in its datagram, if it is a fragment.
    pub frag: Option<Fragment>,
}

/// One IPv4 fragment's place in its datagram (RFC 791 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    /// Identification, shared by the fragments of one datagram.
    pub ident: u16,
    /// Fragment offset in bytes (the header field × 8).
    pub offset: usize,
    /// MF: more fragments follow.
    pub more: bool,
    /// Bytes of the datagram's payload (transport header included) this fragment carries.
    pub data: usize,
}

/// A sender's data frames, in the order they left it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encapsulation {
    /// The frames that carried application bytes.
    pub segments: Vec<Segment>,
    /// The maximum segment size the peer advertised in its SYN, if one was captured.
    pub peer_mss: Option<u16>,
    /// The maximum segment size the sender advertised in its own SYN, if one was captured.
    pub own_mss: Option<u16>,
}

impl Encapsulation {
    /// Application bytes over all segments.
    pub fn payload(&self) -> usize {
        self.segments.iter().map(|s| s.payload).sum()
    }
    /// Header bytes (everything that is not payload) over all segments.
    pub fn headers(&self) -> usize {
        self.segments.iter().map(|s| s.len - s.payload).sum()
    }
    /// Header bytes of `layer` over all segments.
    pub fn headers_of(&self, layer: Layer) -> usize {
        self.segments.iter().flat_map(|s| s.layers.iter()).filter(|(l, _)| *l == layer).map(|(_, n)| n).sum()
    }
    /// Fragments of the datagram with identification `ident`, in offset order.
    pub fn fragments(&self, ident: u16) -> Vec<Fragment> {
        let mut v: Vec<Fragment> = self.segments.iter().filter_map(|s| s.frag).filter(|f| f.ident == ident).collect();
        v.sort_by_key(|f| f.offset);
        v
    }
    /// The IP payload length of a fragmented datagram once reassembled (offset + data of
    /// the fragment without MF), if its last fragment was sent.
    pub fn reassembled_len(&self, ident: u16) -> Option<usize> {
        self.fragments(ident).iter().find(|f| !f.more).map(|f| f.offset + f.data)
    }
    /// True if any frame was a fragment.
    pub fn fragmented(&self) -> bool {
        self.segments.iter().any(|s| s.frag.is_some())
    }
    /// Headers as a share of all the bytes the frames carried, in percent.
    pub fn overhead_percent(&self) -> f64 {
        let all = self.payload() + self.headers();
        if all == 0 {
            0.0
        } else {
            self.headers() as f64 * 100.0 / all as f64
        }
    }
}

/// The frames `sender` put on the wire carrying TCP or UDP payload up to `until`, each counted
/// once (its first transmission), and the MSS its peer advertised.
pub fn sent_data(trace: &Trace, sender: NodeId) -> Encapsulation {
    let mut out = Encapsulation::default();
    let mut seen = vec![false; trace.frames.len()];
    for x in trace.transmissions() {
        let Some(record) = trace.frames.get(x.frame as usize) else { continue };
        if seen[x.frame as usize] {
            continue;
        }
        seen[x.frame as usize] = true;
        let d = dissect(&record.bytes);
        let mss = d.fields.iter().find(|f| f.name == "Option: Maximum segment size").and_then(|f| {
            let at = (f.bit_offset / 8) as usize + 2;
            record.bytes.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
        });
        if x.from != sender {
            out.peer_mss = out.peer_mss.or(mss);
            continue;
        }
        out.own_mss = out.own_mss.or(mss);
        let mut layers = layer_bytes(&record.bytes);
        let ip = record.bytes.get(ETH_HEADER..).and_then(|b| Ipv4Repr::parse(b).ok()).map(|(ip, _)| ip);
        let ip_len = record
            .bytes
            .get(ETH_HEADER + 2..ETH_HEADER + 4)
            .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
        let frag = ip.filter(|ip| ip.is_fragment()).map(|ip| Fragment {
            ident: ip.ident,
            offset: usize::from(ip.frag_offset),
            more: ip.more_frags,
            data: ip_len.saturating_sub(IPV4_HEADER),
        });
        // The first fragment of a UDP datagram starts with the UDP header (RFC 768): count
        // those 8 bytes as UDP, not as application data.
        if let (Some(f), Some(ip)) = (frag, ip) {
            if f.offset == 0 && ip.protocol == IpProtocol::UDP {
                if let Some(i) = layers.iter().position(|(l, n)| *l == Layer::Payload && *n >= UDP_HEADER) {
                    layers[i].1 -= UDP_HEADER;
                    layers.insert(i, (Layer::Udp, UDP_HEADER));
                }
            }
        }
        let payload = layers.iter().filter(|(l, _)| *l == Layer::Payload).map(|(_, n)| n).sum();
        if payload > 0 {
            out.segments.push(Segment {
                frame: x.frame,
                sent: x.start,
                layers,
                payload,
                len: record.orig_len as usize,
                ip_len,
                frag,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc(pairs: &[(&str, &str)]) -> Trace {
        let p = crate::presets::find("rpc").expect("rpc preset");
        let (set, errors) = crate::params::ParamSet::apply_lenient(p.params, pairs.iter().copied());
        assert!(errors.is_empty());
        crate::run(&(p.build)(&set).expect("builds")).expect("runs")
    }

    #[test]
    fn a_request_is_cut_at_the_mss_and_wrapped_in_66_bytes() {
        let trace = rpc(&[("request", "4000")]);
        let e = sent_data(&trace, 0);
        assert_eq!(e.peer_mss, Some(1460));
        assert_eq!(e.payload(), 4000);
        let sizes: Vec<usize> = e.segments.iter().map(|s| s.payload).collect();
        assert_eq!(sizes, vec![1448, 1448, 1104]);
        assert_eq!(
            e.segments[0].layers,
            vec![(Layer::Ethernet, 14), (Layer::Ipv4, 20), (Layer::Tcp, 32), (Layer::Payload, 1448)]
        );
        assert_eq!(e.segments[0].len, 1514);
        assert_eq!(e.headers(), 3 * 66);
        assert_eq!(e.headers_of(Layer::Tcp), 96);
    }

    #[test]
    fn a_smaller_mtu_means_more_segments() {
        let trace = rpc(&[("request", "4000"), ("mtu", "1000")]);
        let e = sent_data(&trace, 0);
        assert_eq!(e.peer_mss, Some(960));
        assert!(e.segments.iter().all(|s| s.len <= 1014));
        assert_eq!(e.segments.len(), 5);
    }
}
