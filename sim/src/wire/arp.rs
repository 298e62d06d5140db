//! ARP for IPv4 over Ethernet (RFC 826): a 28-byte body.

use super::{MacAddr, WireError};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Length of an ARP body for IPv4 over Ethernet.
pub const PACKET_LEN: usize = 28;

/// ARP operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArpOp {
    /// 1: "who has TPA? tell SPA".
    Request,
    /// 2: "SPA is at SHA".
    Reply,
}

/// An ARP message for IPv4 over Ethernet (htype 1, ptype 0x0800, hlen 6, plen 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArpRepr {
    /// Request or reply.
    pub op: ArpOp,
    /// Sender hardware address (SHA).
    pub sender_mac: MacAddr,
    /// Sender protocol address (SPA).
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (THA): all zeros in a request.
    pub target_mac: MacAddr,
    /// Target protocol address (TPA).
    pub target_ip: Ipv4Addr,
}

/// Field offsets of an ARP body for IPv4 over Ethernet (RFC 826, "Packet format").
pub mod field {
    use core::ops::Range;
    /// Hardware type (1 = Ethernet).
    pub const HTYPE: Range<usize> = 0..2;
    /// Protocol type (0x0800 = IPv4).
    pub const PTYPE: Range<usize> = 2..4;
    /// Hardware address length (6).
    pub const HLEN: usize = 4;
    /// Protocol address length (4).
    pub const PLEN: usize = 5;
    /// Operation (1 request, 2 reply).
    pub const OPER: Range<usize> = 6..8;
    /// Sender hardware address.
    pub const SHA: Range<usize> = 8..14;
    /// Sender protocol address.
    pub const SPA: Range<usize> = 14..18;
    /// Target hardware address.
    pub const THA: Range<usize> = 18..24;
    /// Target protocol address.
    pub const TPA: Range<usize> = 24..28;
}

/// Hardware type for Ethernet (RFC 826; IANA "Hardware Types").
pub const HTYPE_ETHERNET: u16 = 1;
/// Protocol type for IPv4 (the IPv4 EtherType).
pub const PTYPE_IPV4: u16 = 0x0800;

impl ArpOp {
    /// The operation code on the wire (RFC 826: ares_op$REQUEST = 1, ares_op$REPLY = 2).
    pub fn code(self) -> u16 {
        match self {
            ArpOp::Request => 1,
            ArpOp::Reply => 2,
        }
    }
}

impl ArpRepr {
    /// Appends the 28-byte body: htype 1, ptype 0x0800, hlen 6, plen 4, then the operation and
    /// the four addresses (RFC 826).
    pub fn emit(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&HTYPE_ETHERNET.to_be_bytes());
        buf.extend_from_slice(&PTYPE_IPV4.to_be_bytes());
        buf.extend_from_slice(&[6, 4]);
        buf.extend_from_slice(&self.op.code().to_be_bytes());
        buf.extend_from_slice(&self.sender_mac.0);
        buf.extend_from_slice(&self.sender_ip.octets());
        buf.extend_from_slice(&self.target_mac.0);
        buf.extend_from_slice(&self.target_ip.octets());
    }

    /// Reads an ARP body for IPv4 over Ethernet. Bytes after the 28th (Ethernet padding) are
    /// ignored. Other hardware or protocol types and operations other than 1 and 2 are
    /// `Malformed`: RFC 826 has a receiver ignore packets for a pair it does not speak.
    pub fn parse(bytes: &[u8]) -> Result<ArpRepr, WireError> {
        if bytes.len() < PACKET_LEN {
            return Err(WireError::Truncated { layer: "ARP", needed: PACKET_LEN, got: bytes.len() });
        }
        let be16 = |r: core::ops::Range<usize>| u16::from_be_bytes([bytes[r.start], bytes[r.start + 1]]);
        let bad = |what: String| Err(WireError::Malformed { layer: "ARP", what });
        let htype = be16(field::HTYPE);
        if htype != HTYPE_ETHERNET {
            return bad(format!("hardware type {htype}, expected 1 (Ethernet)"));
        }
        let ptype = be16(field::PTYPE);
        if ptype != PTYPE_IPV4 {
            return bad(format!("protocol type {ptype:#06x}, expected 0x0800 (IPv4)"));
        }
        if bytes[field::HLEN] != 6 || bytes[field::PLEN] != 4 {
            return bad(format!("address sizes {}/{}, expected 6/4", bytes[field::HLEN], bytes[field::PLEN]));
        }
        let op = match be16(field::OPER) {
            1 => ArpOp::Request,
            2 => ArpOp::Reply,
            other => return bad(format!("operation {other}, expected 1 or 2")),
        };
        let ip = |r: core::ops::Range<usize>| {
            Ipv4Addr::new(bytes[r.start], bytes[r.start + 1], bytes[r.start + 2], bytes[r.start + 3])
        };
        Ok(ArpRepr {
            op,
            sender_mac: MacAddr::from_slice(&bytes[field::SHA]),
            sender_ip: ip(field::SPA),
            target_mac: MacAddr::from_slice(&bytes[field::THA]),
            target_ip: ip(field::TPA),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let a = ArpRepr {
            op: ArpOp::Request,
            sender_mac: MacAddr::local(1),
            sender_ip: Ipv4Addr::new(10, 0, 0, 1),
            target_mac: MacAddr::ZERO,
            target_ip: Ipv4Addr::new(10, 0, 0, 2),
        };
        let mut b = Vec::new();
        a.emit(&mut b);
        assert_eq!(b.len(), PACKET_LEN);
        assert_eq!(&b[..8], &[0, 1, 8, 0, 6, 4, 0, 1]);
        assert_eq!(ArpRepr::parse(&b), Ok(a));
        b[7] = 3;
        assert!(ArpRepr::parse(&b).is_err());
        assert!(ArpRepr::parse(&b[..27]).is_err());
    }
}
