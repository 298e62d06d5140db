//! The UDP header (RFC 768): 8 bytes, checksum over the IPv4 pseudo-header.

use super::WireError;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

/// A UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Application bytes.
    pub payload: Vec<u8>,
}

/// Field offsets of the UDP header (RFC 768, "Format").
pub mod field {
    use core::ops::Range;
    /// Source port.
    pub const SRC_PORT: Range<usize> = 0..2;
    /// Destination port.
    pub const DST_PORT: Range<usize> = 2..4;
    /// Length of header plus data.
    pub const LENGTH: Range<usize> = 4..6;
    /// Checksum over the pseudo-header, header and data.
    pub const CHECKSUM: Range<usize> = 6..8;
    /// Start of the data.
    pub const PAYLOAD: usize = 8;
}

impl UdpRepr {
    /// Length of the datagram on the wire (header plus data).
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// Appends the datagram with its checksum over the IPv4 pseudo-header (RFC 768,
    /// "Fields"). A computed checksum of 0 is sent as 0xffff, since 0 means "no checksum".
    pub fn emit(&self, src_ip: Ipv4Addr, dst_ip: Ipv4Addr, buf: &mut Vec<u8>) {
        let start = buf.len();
        let len = self.buffer_len().min(0xffff) as u16;
        buf.extend_from_slice(&self.src_port.to_be_bytes());
        buf.extend_from_slice(&self.dst_port.to_be_bytes());
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&self.payload);
        let mut sum = super::checksum::transport(src_ip, dst_ip, 17, &buf[start..]);
        if sum == 0 {
            sum = 0xffff;
        }
        buf[start + 6..start + 8].copy_from_slice(&sum.to_be_bytes());
    }

    /// Reads a datagram (the whole IP payload). The length field must be at least 8 and no
    /// more than the bytes given; bytes past it are ignored. A checksum of 0 means the sender
    /// computed none (RFC 768) and is accepted; any other must verify (RFC 1122 §4.1.3.4).
    pub fn parse(bytes: &[u8], src_ip: Ipv4Addr, dst_ip: Ipv4Addr) -> Result<UdpRepr, WireError> {
        let (repr, len) = Self::parse_captured(bytes)?;
        if len > bytes.len() {
            return Err(WireError::Truncated { layer: "UDP", needed: len, got: bytes.len() });
        }
        if u16::from_be_bytes([bytes[6], bytes[7]]) != 0
            && super::checksum::transport(src_ip, dst_ip, 17, &bytes[..len]) != 0
        {
            return Err(WireError::BadChecksum { layer: "UDP" });
        }
        Ok(repr)
    }

    /// Reads a datagram whose data may have been cut short (a capture at the snap length, or
    /// the datagram an ICMP error quotes): the length field must be at least 8, the checksum
    /// is not verified, and `payload` is what was captured of the data. Returns the length
    /// field with it.
    pub fn parse_captured(bytes: &[u8]) -> Result<(UdpRepr, usize), WireError> {
        const L: &str = "UDP";
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated { layer: L, needed: HEADER_LEN, got: bytes.len() });
        }
        let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let len = usize::from(be16(4));
        if len < HEADER_LEN {
            return Err(WireError::Malformed { layer: L, what: format!("length {len}, below the 8-byte header") });
        }
        let end = len.min(bytes.len());
        Ok((UdpRepr { src_port: be16(0), dst_port: be16(2), payload: bytes[HEADER_LEN..end].to_vec() }, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_zero_checksum() {
        let (s, d) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let u = UdpRepr { src_port: 53000, dst_port: 53, payload: b"hi".to_vec() };
        let mut b = Vec::new();
        u.emit(s, d, &mut b);
        assert_eq!(&b[4..6], &[0, 10]);
        assert_eq!(UdpRepr::parse(&b, s, d), Ok(u.clone()));
        b[8] ^= 0xff;
        assert!(UdpRepr::parse(&b, s, d).is_err());
        b[6] = 0;
        b[7] = 0;
        assert!(UdpRepr::parse(&b, s, d).is_ok());
    }
}
