//! Encapsulation read back from a trace: how many bytes each layer adds to a frame, and how a
//! sender's application bytes were cut into segments, each wrapped in TCP, IPv4 and Ethernet.
//! Every number comes from the dissection of the captured frames.

use crate::time::Instant;
use crate::trace::{FrameId, NodeId, Trace};
use crate::wire::{dissect, Layer};

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
}

/// A sender's data frames, in the order they left it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encapsulation {
    /// The frames that carried application bytes.
    pub segments: Vec<Segment>,
    /// The maximum segment size the peer advertised in its SYN, if one was captured.
    pub peer_mss: Option<u16>,
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
        if x.from != sender {
            if out.peer_mss.is_none() {
                if let Some(f) = d.fields.iter().find(|f| f.name == "Option: Maximum segment size") {
                    let at = (f.bit_offset / 8) as usize + 2;
                    out.peer_mss = record.bytes.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
                }
            }
            continue;
        }
        let layers = layer_bytes(&record.bytes);
        let payload = layers.iter().filter(|(l, _)| *l == Layer::Payload).map(|(_, n)| n).sum();
        if payload > 0 {
            out.segments.push(Segment {
                frame: x.frame,
                sent: x.start,
                layers,
                payload,
                len: record.orig_len as usize,
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
