//! Ethernet II framing (RFC 894): destination MAC, source MAC, EtherType, payload.
//! Captures on Linux show frames without the 4-byte FCS and without padding, and so do ours.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Field offsets of the Ethernet II header.
pub mod field {
    use core::ops::Range;
    /// Destination MAC address.
    pub const DST: Range<usize> = 0..6;
    /// Source MAC address.
    pub const SRC: Range<usize> = 6..12;
    /// EtherType.
    pub const ETHERTYPE: Range<usize> = 12..14;
    /// Start of the payload.
    pub const PAYLOAD: usize = 14;
}

/// Length of the Ethernet II header.
pub const HEADER_LEN: usize = 14;

/// A 48-bit IEEE 802 MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// ff:ff:ff:ff:ff:ff, every station on the segment.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// 00:00:00:00:00:00, "unknown" in an ARP request's target hardware address.
    pub const ZERO: MacAddr = MacAddr([0; 6]);
    /// True for ff:ff:ff:ff:ff:ff.
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }
    /// A locally administered unicast address (02:…) derived from a small number, as the
    /// simulation hands them out.
    pub fn local(n: u32) -> MacAddr {
        let b = n.to_be_bytes();
        MacAddr([0x02, 0x00, b[0], b[1], b[2], b[3]])
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5])
    }
}

/// EtherType values used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EtherType(pub u16);

impl EtherType {
    /// Internet Protocol version 4.
    pub const IPV4: EtherType = EtherType(0x0800);
    /// Address Resolution Protocol.
    pub const ARP: EtherType = EtherType(0x0806);
}

/// The Ethernet II header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthernetRepr {
    /// Where the frame goes on this segment.
    pub dst: MacAddr,
    /// The NIC that sent it.
    pub src: MacAddr,
    /// What the payload is.
    pub ethertype: EtherType,
}

impl EthernetRepr {
    /// Appends the 14-byte header (RFC 894: destination, source, EtherType). No FCS and no
    /// padding to 60 bytes are added, as in a Linux capture.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.dst.0);
        buf.extend_from_slice(&self.src.0);
        buf.extend_from_slice(&self.ethertype.0.to_be_bytes());
    }

    /// Reads the header and returns it with the rest of the frame (the payload, including any
    /// padding a sender added to reach the 60-byte minimum).
    pub fn parse(bytes: &[u8]) -> Result<(EthernetRepr, &[u8]), super::WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(super::WireError::Truncated { layer: "Ethernet", needed: HEADER_LEN, got: bytes.len() });
        }
        let repr = EthernetRepr {
            dst: MacAddr::from_slice(&bytes[field::DST]),
            src: MacAddr::from_slice(&bytes[field::SRC]),
            ethertype: EtherType(u16::from_be_bytes([bytes[12], bytes[13]])),
        };
        Ok((repr, &bytes[field::PAYLOAD..]))
    }
}

impl MacAddr {
    /// The address in the first six bytes of `b` (missing bytes read as zero).
    pub fn from_slice(b: &[u8]) -> MacAddr {
        let mut m = [0u8; 6];
        for (d, s) in m.iter_mut().zip(b) {
            *d = *s;
        }
        MacAddr(m)
    }
    /// True for a group (multicast or broadcast) address: the I/G bit, the lowest bit of the
    /// first byte (IEEE 802-2014 §8.2).
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 1 == 1
    }
}

impl EtherType {
    /// A name for people: "IPv4", "ARP", "IPv6" or None.
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            0x0800 => Some("IPv4"),
            0x0806 => Some("ARP"),
            0x86dd => Some("IPv6"),
            0x8100 => Some("802.1Q VLAN"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = EthernetRepr { dst: MacAddr::BROADCAST, src: MacAddr::local(1), ethertype: EtherType::ARP };
        let mut b = Vec::new();
        e.emit(&mut b);
        assert_eq!(b.len(), HEADER_LEN);
        assert_eq!(&b[12..], &[0x08, 0x06]);
        let (p, rest) = EthernetRepr::parse(&b).unwrap();
        assert_eq!(p, e);
        assert!(rest.is_empty());
        assert!(EthernetRepr::parse(&b[..13]).is_err());
    }
}
