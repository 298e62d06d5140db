//! ICMP for IPv4 (RFC 792): echo, destination unreachable (with RFC 1191's next-hop MTU for
//! "fragmentation needed"), and time exceeded.

use super::WireError;
use serde::{Deserialize, Serialize};

/// An ICMP message. Error messages quote the offending datagram's IP header and the start of
/// its payload (`original`); Linux quotes up to 576 bytes in total (`icmp_send`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IcmpRepr {
    /// Type 8.
    EchoRequest { ident: u16, seq_no: u16, data: Vec<u8> },
    /// Type 0.
    EchoReply { ident: u16, seq_no: u16, data: Vec<u8> },
    /// Type 3 with its code (3 port unreachable, 4 fragmentation needed and DF set, ...).
    /// `next_hop_mtu` is meaningful for code 4 only (RFC 1191 §4), zero otherwise.
    DestUnreachable { code: u8, next_hop_mtu: u16, original: Vec<u8> },
    /// Type 11 (code 0: TTL exceeded in transit; 1: fragment reassembly time exceeded).
    TimeExceeded { code: u8, original: Vec<u8> },
}

/// Destination-unreachable codes used here.
pub mod code {
    /// Network unreachable.
    pub const NET_UNREACHABLE: u8 = 0;
    /// Host unreachable.
    pub const HOST_UNREACHABLE: u8 = 1;
    /// Port unreachable.
    pub const PORT_UNREACHABLE: u8 = 3;
    /// Fragmentation needed and DF set.
    pub const FRAG_NEEDED: u8 = 4;
}

/// Field offsets of the ICMP header (RFC 792).
pub mod field {
    use core::ops::Range;
    /// Message type.
    pub const TYPE: usize = 0;
    /// Code within the type.
    pub const CODE: usize = 1;
    /// Checksum of the whole ICMP message (RFC 792, "Checksum").
    pub const CHECKSUM: Range<usize> = 2..4;
    /// Echo identifier.
    pub const ECHO_IDENT: Range<usize> = 4..6;
    /// Echo sequence number.
    pub const ECHO_SEQNO: Range<usize> = 6..8;
    /// Unused half of a destination-unreachable's second word (RFC 1191 §4).
    pub const UNUSED: Range<usize> = 4..6;
    /// Next-hop MTU of a "fragmentation needed" (RFC 1191 §4).
    pub const MTU: Range<usize> = 6..8;
    /// Start of the echo data or of the quoted datagram.
    pub const DATA: usize = 8;
}

/// Length of the ICMP header (type, code, checksum and the 4-byte second word).
pub const HEADER_LEN: usize = 8;

/// ICMP message types used here (RFC 792).
pub mod kind {
    /// Echo reply.
    pub const ECHO_REPLY: u8 = 0;
    /// Destination unreachable.
    pub const DEST_UNREACHABLE: u8 = 3;
    /// Echo request.
    pub const ECHO_REQUEST: u8 = 8;
    /// Time exceeded.
    pub const TIME_EXCEEDED: u8 = 11;
}

/// The most an ICMP error may carry of the offending datagram: Linux's `icmp_send`
/// (net/ipv4/icmp.c) limits the whole error to 576 bytes (RFC 1812 §4.3.2.3), minus its own
/// 20-byte IP header and 8-byte ICMP header.
pub const QUOTE_MAX: usize = 576 - 20 - HEADER_LEN;

impl IcmpRepr {
    /// The type and code bytes (RFC 792).
    pub fn type_code(&self) -> (u8, u8) {
        match self {
            IcmpRepr::EchoRequest { .. } => (kind::ECHO_REQUEST, 0),
            IcmpRepr::EchoReply { .. } => (kind::ECHO_REPLY, 0),
            IcmpRepr::DestUnreachable { code, .. } => (kind::DEST_UNREACHABLE, *code),
            IcmpRepr::TimeExceeded { code, .. } => (kind::TIME_EXCEEDED, *code),
        }
    }

    /// Length of the message on the wire.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                IcmpRepr::EchoRequest { data, .. } | IcmpRepr::EchoReply { data, .. } => data.len(),
                IcmpRepr::DestUnreachable { original, .. } | IcmpRepr::TimeExceeded { original, .. } => original.len(),
            }
    }

    /// Appends the message with its checksum (RFC 792: the one's complement of the one's
    /// complement sum of the ICMP message starting with the type).
    pub fn emit(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        let (t, c) = self.type_code();
        buf.extend_from_slice(&[t, c, 0, 0]);
        match self {
            IcmpRepr::EchoRequest { ident, seq_no, data } | IcmpRepr::EchoReply { ident, seq_no, data } => {
                buf.extend_from_slice(&ident.to_be_bytes());
                buf.extend_from_slice(&seq_no.to_be_bytes());
                buf.extend_from_slice(data);
            }
            IcmpRepr::DestUnreachable { next_hop_mtu, original, .. } => {
                // RFC 1191 §4: unused (16 bits, zero), then the next-hop MTU.
                buf.extend_from_slice(&[0, 0]);
                buf.extend_from_slice(&next_hop_mtu.to_be_bytes());
                buf.extend_from_slice(original);
            }
            IcmpRepr::TimeExceeded { original, .. } => {
                // RFC 792: the second word is unused.
                buf.extend_from_slice(&[0; 4]);
                buf.extend_from_slice(original);
            }
        }
        let sum = super::checksum::checksum(&buf[start..]);
        buf[start + 2..start + 4].copy_from_slice(&sum.to_be_bytes());
    }

    /// Reads an ICMP message (the whole IP payload) and verifies its checksum. Types other
    /// than 0, 3, 8 and 11 are `Malformed` ("unsupported type"); [`super::Transport::parse`]
    /// keeps those as raw bytes instead.
    pub fn parse(bytes: &[u8]) -> Result<IcmpRepr, WireError> {
        const L: &str = "ICMP";
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated { layer: L, needed: HEADER_LEN, got: bytes.len() });
        }
        if super::checksum::checksum(bytes) != 0 {
            return Err(WireError::BadChecksum { layer: L });
        }
        let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let rest = bytes[field::DATA..].to_vec();
        let code = bytes[field::CODE];
        match bytes[field::TYPE] {
            kind::ECHO_REQUEST => Ok(IcmpRepr::EchoRequest { ident: be16(4), seq_no: be16(6), data: rest }),
            kind::ECHO_REPLY => Ok(IcmpRepr::EchoReply { ident: be16(4), seq_no: be16(6), data: rest }),
            kind::DEST_UNREACHABLE => Ok(IcmpRepr::DestUnreachable { code, next_hop_mtu: be16(6), original: rest }),
            kind::TIME_EXCEEDED => Ok(IcmpRepr::TimeExceeded { code, original: rest }),
            t => Err(WireError::Malformed { layer: L, what: format!("unsupported type {t}") }),
        }
    }

    /// What Linux quotes of `original_ip_packet` (the offending datagram from its IP header
    /// on) in an ICMP error: as much as fits in a 576-byte error (`icmp_send`,
    /// net/ipv4/icmp.c), i.e. up to [`QUOTE_MAX`] bytes. That always includes RFC 792's
    /// minimum of the IP header and the first 8 payload bytes. Bytes past the datagram's
    /// total length (link padding) are not quoted.
    pub fn quote(original_ip_packet: &[u8]) -> Vec<u8> {
        let mut len = original_ip_packet.len();
        if let [_, _, hi, lo, ..] = *original_ip_packet {
            let total = usize::from(u16::from_be_bytes([hi, lo]));
            if total >= super::ipv4::HEADER_LEN {
                len = len.min(total);
            }
        }
        original_ip_packet[..len.min(QUOTE_MAX)].to_vec()
    }

    /// Wireshark's name for a message type, e.g. "Echo (ping) request".
    pub fn type_name(t: u8) -> Option<&'static str> {
        Some(match t {
            0 => "Echo (ping) reply",
            3 => "Destination unreachable",
            4 => "Source quench",
            5 => "Redirect",
            8 => "Echo (ping) request",
            11 => "Time-to-live exceeded",
            12 => "Parameter problem",
            13 => "Timestamp request",
            14 => "Timestamp reply",
            _ => return None,
        })
    }

    /// Wireshark's name for the type and code, e.g. "Destination unreachable (Port unreachable)".
    pub fn describe(t: u8, c: u8) -> String {
        let Some(type_name) = Self::type_name(t) else {
            return format!("Unknown ICMP type {t} (code {c})");
        };
        let code_name = match (t, c) {
            (3, 0) => "Network unreachable",
            (3, 1) => "Host unreachable",
            (3, 2) => "Protocol unreachable",
            (3, 3) => "Port unreachable",
            (3, 4) => "Fragmentation needed",
            (3, 5) => "Source route failed",
            (3, 9) | (3, 10) | (3, 13) => "Communication administratively filtered",
            (11, 0) => "Time to live exceeded in transit",
            (11, 1) => "Fragment reassembly time exceeded",
            (0 | 8, 0) => return type_name.to_string(),
            _ => return format!("{type_name} (code {c})"),
        };
        format!("{type_name} ({code_name})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_round_trip() {
        let e = IcmpRepr::EchoRequest { ident: 7, seq_no: 1, data: vec![0xab; 56] };
        let mut b = Vec::new();
        e.emit(&mut b);
        assert_eq!(b.len(), 64);
        assert_eq!(crate::wire::checksum::checksum(&b), 0);
        assert_eq!(IcmpRepr::parse(&b), Ok(e));
        b[9] ^= 1;
        assert!(matches!(IcmpRepr::parse(&b), Err(WireError::BadChecksum { .. })));
    }

    #[test]
    fn frag_needed_carries_mtu() {
        let e = IcmpRepr::DestUnreachable { code: code::FRAG_NEEDED, next_hop_mtu: 1400, original: vec![0x45; 28] };
        let mut b = Vec::new();
        e.emit(&mut b);
        assert_eq!(&b[4..8], &[0, 0, 0x05, 0x78]);
        assert_eq!(IcmpRepr::parse(&b), Ok(e));
    }

    #[test]
    fn quote_limits() {
        let mut p = vec![0u8; 1500];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&1500u16.to_be_bytes());
        assert_eq!(IcmpRepr::quote(&p).len(), 548);
        p[2..4].copy_from_slice(&30u16.to_be_bytes());
        assert_eq!(IcmpRepr::quote(&p[..40]).len(), 30);
    }
}
