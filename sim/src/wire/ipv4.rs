//! The IPv4 header (RFC 791) with its RFC 1071 checksum.

use super::WireError;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Length of an IPv4 header without options (IHL 5).
pub const HEADER_LEN: usize = 20;

/// Linux's default TTL (`net.ipv4.ip_default_ttl`, ip-sysctl.rst).
pub const DEFAULT_TTL: u8 = 64;

/// The protocol field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    /// ICMP (1).
    pub const ICMP: IpProtocol = IpProtocol(1);
    /// TCP (6).
    pub const TCP: IpProtocol = IpProtocol(6);
    /// UDP (17).
    pub const UDP: IpProtocol = IpProtocol(17);
}

/// An IPv4 header without options. `total_len` and the checksum are computed on emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv4Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// What the payload is.
    pub protocol: IpProtocol,
    /// Hops left; a router drops the packet when it would reach 0.
    pub ttl: u8,
    /// Identification, shared by the fragments of one datagram.
    pub ident: u16,
    /// DF: do not fragment (Linux sets it on TCP while PMTUD is on).
    pub dont_frag: bool,
    /// MF: more fragments follow.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// Differentiated Services code point (6 bits).
    pub dscp: u8,
    /// Explicit Congestion Notification (2 bits).
    pub ecn: u8,
}

impl Ipv4Repr {
    /// True when this packet is one fragment of a larger datagram.
    pub fn is_fragment(&self) -> bool {
        self.more_frags || self.frag_offset != 0
    }
}

/// ECN codepoint ECT(0) (RFC 3168 §5): the sender is ECN-capable.
pub const ECN_ECT0: u8 = 0b10;
/// ECN codepoint CE (RFC 3168 §5): congestion experienced, set by a router's queue.
pub const ECN_CE: u8 = 0b11;

/// Field offsets of the IPv4 header (RFC 791 §3.1, "Internet Header Format").
pub mod field {
    use core::ops::Range;
    /// Version (high 4 bits) and IHL (low 4 bits, header length in 32-bit words).
    pub const VER_IHL: usize = 0;
    /// DSCP (high 6 bits, RFC 2474) and ECN (low 2 bits, RFC 3168).
    pub const DSCP_ECN: usize = 1;
    /// Total length of the datagram, header included, in bytes.
    pub const LENGTH: Range<usize> = 2..4;
    /// Identification.
    pub const IDENT: Range<usize> = 4..6;
    /// Flags (high 3 bits: reserved, DF, MF) and fragment offset (low 13 bits, in 8-byte units).
    pub const FLG_OFF: Range<usize> = 6..8;
    /// Time to live.
    pub const TTL: usize = 8;
    /// Protocol of the payload.
    pub const PROTOCOL: usize = 9;
    /// Header checksum.
    pub const CHECKSUM: Range<usize> = 10..12;
    /// Source address.
    pub const SRC: Range<usize> = 12..16;
    /// Destination address.
    pub const DST: Range<usize> = 16..20;
    /// Start of the options, if IHL > 5.
    pub const OPTIONS: usize = 20;
}

/// The reserved flag bit ("evil bit"), which must be zero (RFC 791 §3.1).
pub const FLAG_RESERVED: u16 = 0x8000;
/// Don't Fragment (RFC 791 §3.1).
pub const FLAG_DF: u16 = 0x4000;
/// More Fragments (RFC 791 §3.1).
pub const FLAG_MF: u16 = 0x2000;
/// Mask of the fragment offset in the flags word.
pub const FRAG_OFFSET_MASK: u16 = 0x1fff;
/// The largest IPv4 datagram: the total length field is 16 bits (RFC 791 §3.1).
pub const MAX_PACKET_LEN: usize = 65535;

impl IpProtocol {
    /// A name for people: "TCP", "UDP", "ICMP" or None.
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            1 => Some("ICMP"),
            2 => Some("IGMP"),
            6 => Some("TCP"),
            17 => Some("UDP"),
            41 => Some("IPv6"),
            47 => Some("GRE"),
            50 => Some("ESP"),
            89 => Some("OSPF"),
            132 => Some("SCTP"),
            _ => None,
        }
    }
}

impl Ipv4Repr {
    /// The 16-bit flags/fragment-offset word as it goes on the wire (RFC 791 §3.1): DF and MF
    /// bits, and the offset in units of 8 bytes. An offset that is not a multiple of 8 is
    /// rounded down.
    pub fn flags_word(&self) -> u16 {
        let mut w = (self.frag_offset / 8) & FRAG_OFFSET_MASK;
        if self.dont_frag {
            w |= FLAG_DF;
        }
        if self.more_frags {
            w |= FLAG_MF;
        }
        w
    }

    /// Appends a 20-byte header (IHL 5, no options) for a payload of `payload_len` bytes, with
    /// the RFC 1071 header checksum (RFC 791 §3.1, "Header Checksum"). A payload larger than
    /// 65515 bytes cannot be described; its total length is written as 65535.
    pub fn emit(&self, payload_len: usize, buf: &mut Vec<u8>) {
        let start = buf.len();
        let total = (HEADER_LEN + payload_len).min(MAX_PACKET_LEN) as u16;
        buf.push(0x45);
        buf.push((self.dscp << 2) | (self.ecn & 0b11));
        buf.extend_from_slice(&total.to_be_bytes());
        buf.extend_from_slice(&self.ident.to_be_bytes());
        buf.extend_from_slice(&self.flags_word().to_be_bytes());
        buf.push(self.ttl);
        buf.push(self.protocol.0);
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&self.src.octets());
        buf.extend_from_slice(&self.dst.octets());
        let sum = super::checksum::checksum(&buf[start..]);
        buf[start + field::CHECKSUM.start..start + field::CHECKSUM.end].copy_from_slice(&sum.to_be_bytes());
    }

    /// Reads an IPv4 header and returns it with the payload, cut to the total length (bytes
    /// beyond it are link-layer padding). Checks, per RFC 791 §3.1 and RFC 1122 §3.2.1.1-2:
    /// version 4, IHL ≥ 5, header and total length within the bytes, and the header checksum
    /// (`BadChecksum` on mismatch). Options (IHL > 5) are skipped.
    pub fn parse(bytes: &[u8]) -> Result<(Ipv4Repr, &[u8]), WireError> {
        let c = Self::parse_captured(bytes)?;
        if bytes.len() < c.total_len {
            return Err(WireError::Truncated { layer: "IPv4", needed: c.total_len, got: bytes.len() });
        }
        Ok((c.repr, c.payload))
    }

    /// Reads an IPv4 header from bytes that may stop before the datagram's end: a capture
    /// cut at the snap length, or the datagram an ICMP error quotes. The same checks as
    /// [`Ipv4Repr::parse`] except that the total length may exceed the bytes; the payload is
    /// what was captured of it.
    pub fn parse_captured(bytes: &[u8]) -> Result<CapturedIpv4<'_>, WireError> {
        const L: &str = "IPv4";
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated { layer: L, needed: HEADER_LEN, got: bytes.len() });
        }
        let version = bytes[field::VER_IHL] >> 4;
        if version != 4 {
            return Err(WireError::Malformed { layer: L, what: format!("version {version}, expected 4") });
        }
        let header_len = usize::from(bytes[field::VER_IHL] & 0x0f) * 4;
        if header_len < HEADER_LEN {
            return Err(WireError::Malformed {
                layer: L,
                what: format!("header length {header_len} bytes, below the minimum 20"),
            });
        }
        if bytes.len() < header_len {
            return Err(WireError::Truncated { layer: L, needed: header_len, got: bytes.len() });
        }
        let total = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        if total < header_len {
            return Err(WireError::Malformed {
                layer: L,
                what: format!("total length {total} is shorter than the {header_len}-byte header"),
            });
        }
        if super::checksum::checksum(&bytes[..header_len]) != 0 {
            return Err(WireError::BadChecksum { layer: L });
        }
        let flags = u16::from_be_bytes([bytes[6], bytes[7]]);
        let b = |i: usize| bytes[i];
        let repr = Ipv4Repr {
            src: Ipv4Addr::new(b(12), b(13), b(14), b(15)),
            dst: Ipv4Addr::new(b(16), b(17), b(18), b(19)),
            protocol: IpProtocol(b(field::PROTOCOL)),
            ttl: b(field::TTL),
            ident: u16::from_be_bytes([b(4), b(5)]),
            dont_frag: flags & FLAG_DF != 0,
            more_frags: flags & FLAG_MF != 0,
            frag_offset: (flags & FRAG_OFFSET_MASK) * 8,
            dscp: b(field::DSCP_ECN) >> 2,
            ecn: b(field::DSCP_ECN) & 0b11,
        };
        Ok(CapturedIpv4 { repr, header_len, total_len: total, payload: &bytes[header_len..total.min(bytes.len())] })
    }
}

/// An IPv4 header read by [`Ipv4Repr::parse_captured`], with what was captured of its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapturedIpv4<'a> {
    /// The header.
    pub repr: Ipv4Repr,
    /// Its length on the wire (IHL × 4).
    pub header_len: usize,
    /// The total length field: header plus the whole payload.
    pub total_len: usize,
    /// The payload bytes captured (all of them when `header_len + payload.len() == total_len`).
    pub payload: &'a [u8],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr() -> Ipv4Repr {
        Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::TCP,
            ttl: DEFAULT_TTL,
            ident: 0x1234,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            dscp: 0,
            ecn: 0,
        }
    }

    #[test]
    fn header_round_trip_and_checksum() {
        let mut b = Vec::new();
        repr().emit(20, &mut b);
        assert_eq!(&b[..4], &[0x45, 0x00, 0x00, 0x28]);
        assert_eq!(&b[6..10], &[0x40, 0x00, 0x40, 0x06]);
        b.extend_from_slice(&[0u8; 20]);
        let (r, payload) = Ipv4Repr::parse(&b).unwrap();
        assert_eq!(r, repr());
        assert_eq!(payload.len(), 20);
        b[8] = 63;
        assert_eq!(Ipv4Repr::parse(&b), Err(WireError::BadChecksum { layer: "IPv4" }));
    }

    #[test]
    fn options_are_skipped_and_padding_cut() {
        let mut b = Vec::new();
        repr().emit(4, &mut b);
        // Rewrite as IHL 6 with one NOP,NOP,NOP,EOL option word and a 4-byte payload.
        b[0] = 0x46;
        b[3] = 28;
        b.extend_from_slice(&[1, 1, 1, 0]);
        b[10] = 0;
        b[11] = 0;
        let s = crate::wire::checksum::checksum(&b);
        b[10..12].copy_from_slice(&s.to_be_bytes());
        b.extend_from_slice(&[9, 9, 9, 9, 0xee, 0xee]);
        let (r, payload) = Ipv4Repr::parse(&b).unwrap();
        assert_eq!(r, repr());
        assert_eq!(payload, &[9, 9, 9, 9]);
    }
}
