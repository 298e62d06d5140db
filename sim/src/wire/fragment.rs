//! IPv4 fragmentation and reassembly (RFC 791 §2.3 "Fragmentation", §3.2 "Fragmentation
//! and Reassembly"; RFC 815 for the hole bookkeeping).

use super::{ipv4, IpProtocol, Ipv4Addr, Ipv4Packet, Transport};
use std::collections::BTreeMap;

/// Linux's reassembly timeout, `net.ipv4.ipfrag_time` = 30 s (ip-sysctl.rst). RFC 791 §3.2
/// suggests 15 s as a lower bound for the timer.
pub const DEFAULT_REASSEMBLY_TIMEOUT_NS: u64 = 30_000_000_000;

/// The smallest MTU every IPv4 module must handle without further fragmentation
/// (RFC 791 §3.2: "Every internet module must be able to forward a datagram of 68 octets").
pub const MIN_MTU: u16 = 68;

impl Ipv4Packet {
    /// Splits the packet into fragments that fit `mtu` bytes each (RFC 791 §3.2, "An Example
    /// Fragmentation Procedure"): every fragment copies the header, carries a multiple of 8
    /// payload bytes except the last, has its offset (in bytes here, /8 on the wire) and MF
    /// set; the last keeps the original's MF, so a fragment can be split again. A packet
    /// that already fits comes back as itself. DF is not checked here: the caller decides
    /// whether to fragment or to send ICMP "fragmentation needed". An `mtu` below 28 is
    /// treated as 28, the smallest that carries 8 payload bytes.
    pub fn fragment(&self, mtu: u16) -> Vec<Ipv4Packet> {
        if self.buffer_len() <= usize::from(mtu) {
            return vec![self.clone()];
        }
        let payload = self.transport.to_bytes(self.ip.src, self.ip.dst);
        if payload.is_empty() {
            // Nothing to split (only possible with an MTU below the header).
            return vec![self.clone()];
        }
        let chunk = ((usize::from(mtu).max(ipv4::HEADER_LEN + 8) - ipv4::HEADER_LEN) / 8) * 8;
        let protocol = self.protocol();
        let mut out = Vec::with_capacity(payload.len().div_ceil(chunk));
        for (i, piece) in payload.chunks(chunk).enumerate() {
            let last = (i + 1) * chunk >= payload.len();
            let offset = usize::from(self.ip.frag_offset) + i * chunk;
            let mut ip = self.ip;
            ip.protocol = protocol;
            // Offsets past the 13-bit field cannot be expressed; such input was never a valid
            // datagram, and the offset saturates rather than wrapping.
            ip.frag_offset = offset.min(usize::from(ipv4::FRAG_OFFSET_MASK) * 8) as u16;
            ip.more_frags = !last || self.ip.more_frags;
            out.push(Ipv4Packet { ip, transport: Transport::Fragment(piece.to_vec()) });
        }
        out
    }
}

/// Identifies the fragments of one datagram (RFC 791 §3.2: source, destination, protocol and
/// identification).
pub type FragKey = (Ipv4Addr, Ipv4Addr, u8, u16);

#[derive(Debug, Clone)]
struct Pending {
    first_seen_ns: u64,
    /// Header of the fragment at offset 0, once it has arrived.
    first: Option<Ipv4Packet>,
    /// Fragment data by byte offset.
    pieces: BTreeMap<usize, Vec<u8>>,
    /// Length of the whole payload, known once the last fragment (MF = 0) has arrived.
    total: Option<usize>,
}

/// Collects fragments until a datagram is whole. Overlapping fragments drop the whole
/// datagram and exact duplicates are ignored, as Linux does since 4.19 (`ip_frag_queue` and
/// `inet_frag_queue_insert`, net/ipv4/ip_fragment.c, following RFC 5722's reasoning).
/// Iteration order is deterministic.
#[derive(Debug, Clone, Default)]
pub struct Reassembler {
    pending: BTreeMap<FragKey, Pending>,
}

impl Reassembler {
    /// An empty reassembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Datagrams waiting for more fragments.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Takes one packet. A packet that is not a fragment comes straight back. A fragment is
    /// stored; when it completes its datagram, the datagram comes back with MF clear, offset
    /// 0, the first fragment's header and its transport parsed. If the reassembled transport
    /// does not parse (e.g. a bad checksum) it comes back as [`Transport::Other`] with the raw
    /// bytes, for the caller to drop as malformed. Fragments that overlap, disagree on the
    /// datagram's end, or would make it longer than 65535 bytes discard the datagram.
    pub fn add(&mut self, now_ns: u64, pkt: Ipv4Packet) -> Option<Ipv4Packet> {
        if !pkt.ip.is_fragment() {
            return Some(pkt);
        }
        let protocol = pkt.protocol();
        let key = (pkt.ip.src, pkt.ip.dst, protocol.0, pkt.ip.ident);
        let data = match &pkt.transport {
            Transport::Fragment(raw) => raw.clone(),
            other => other.to_bytes(pkt.ip.src, pkt.ip.dst),
        };
        let offset = usize::from(pkt.ip.frag_offset);
        let end = offset + data.len();
        let entry = self.pending.entry(key).or_insert_with(|| Pending {
            first_seen_ns: now_ns,
            first: None,
            pieces: BTreeMap::new(),
            total: None,
        });
        let ok = Self::insert(entry, offset, end, data, pkt.ip.more_frags);
        if !ok {
            self.pending.remove(&key);
            return None;
        }
        if offset == 0 && entry.first.is_none() {
            entry.first = Some(pkt);
        }
        let total = entry.total?;
        // Complete when the pieces tile [0, total) without a hole.
        let mut at = 0;
        for (&o, d) in &entry.pieces {
            if o != at {
                return None;
            }
            at = o + d.len();
        }
        if at != total {
            return None;
        }
        let done = self.pending.remove(&key)?;
        let first = done.first?;
        let bytes: Vec<u8> = done.pieces.into_values().flatten().collect();
        let mut ip = first.ip;
        ip.more_frags = false;
        ip.frag_offset = 0;
        ip.protocol = IpProtocol(key.2);
        let transport = Transport::parse(ip.protocol, &bytes, ip.src, ip.dst).unwrap_or(Transport::Other(bytes));
        Some(Ipv4Packet { ip, transport })
    }

    /// Stores one fragment; false when the datagram must be discarded.
    fn insert(p: &mut Pending, offset: usize, end: usize, data: Vec<u8>, more: bool) -> bool {
        if end > ipv4::MAX_PACKET_LEN - ipv4::HEADER_LEN {
            return false;
        }
        if !more {
            // The last fragment fixes the end; a second, different end is inconsistent.
            if p.total.is_some_and(|t| t != end) || p.pieces.iter().any(|(&o, d)| o + d.len() > end) {
                return false;
            }
            p.total = Some(end);
        } else if p.total.is_some_and(|t| end > t) || data.is_empty() {
            return false;
        }
        if let Some(existing) = p.pieces.get(&offset) {
            // An exact duplicate is harmless; anything else at the same offset overlaps.
            return *existing == data;
        }
        let overlaps_prev = p.pieces.range(..offset).next_back().is_some_and(|(&o, d)| o + d.len() > offset);
        let overlaps_next = p.pieces.range(offset..).next().is_some_and(|(&o, _)| o < end);
        if overlaps_prev || overlaps_next {
            return false;
        }
        p.pieces.insert(offset, data);
        true
    }

    /// Drops every datagram whose first fragment arrived `timeout_ns` or more before `now_ns`
    /// and returns the first fragments (offset 0) of those that had one: RFC 792/RFC 1122
    /// §3.2.2.4 send ICMP time exceeded code 1 only when fragment zero is available.
    pub fn expire(&mut self, now_ns: u64, timeout_ns: u64) -> Vec<Ipv4Packet> {
        let old: Vec<FragKey> = self
            .pending
            .iter()
            .filter(|(_, p)| now_ns.saturating_sub(p.first_seen_ns) >= timeout_ns)
            .map(|(k, _)| *k)
            .collect();
        old.into_iter().filter_map(|k| self.pending.remove(&k).and_then(|p| p.first)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Ipv4Repr, UdpRepr};

    fn pkt(len: usize) -> Ipv4Packet {
        Ipv4Packet {
            ip: Ipv4Repr {
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(10, 0, 0, 2),
                protocol: IpProtocol::UDP,
                ttl: 64,
                ident: 9,
                dont_frag: false,
                more_frags: false,
                frag_offset: 0,
                dscp: 0,
                ecn: 0,
            },
            transport: Transport::Udp(UdpRepr { src_port: 1, dst_port: 2, payload: vec![3; len] }),
        }
    }

    #[test]
    fn tiny_mtus_still_work() {
        for mtu in 0..70 {
            let p = pkt(100);
            let frags = p.fragment(mtu);
            assert!(frags.len() > 1);
            let mut r = Reassembler::new();
            let done: Vec<_> = frags.into_iter().filter_map(|f| r.add(0, f)).collect();
            assert_eq!(done, vec![p]);
        }
    }

    #[test]
    fn refragmenting_a_fragment_keeps_offsets() {
        let p = pkt(3000);
        let first = p.fragment(1500).remove(0);
        let again = first.fragment(576);
        assert_eq!(again.iter().map(|f| f.ip.frag_offset).collect::<Vec<_>>(), [0, 552, 1104]);
        assert!(again.iter().all(|f| f.ip.more_frags));
        let mut r = Reassembler::new();
        let mut out = None;
        for f in again.into_iter().chain(p.fragment(1500).into_iter().skip(1)) {
            out = r.add(0, f).or(out);
        }
        assert_eq!(out, Some(p));
    }

    #[test]
    fn oversized_datagram_is_dropped() {
        let mut r = Reassembler::new();
        let mut f = pkt(0).fragment(68).remove(0);
        f.ip.frag_offset = 65528;
        f.ip.more_frags = false;
        f.transport = Transport::Fragment(vec![0; 48]);
        assert_eq!(r.add(0, f), None);
        assert!(r.is_empty());
    }
}
