//! ICMP for IPv4 (RFC 792): echo, destination unreachable (with RFC 1191's next-hop MTU for
//! "fragmentation needed"), and time exceeded.

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
