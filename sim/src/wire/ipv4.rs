//! The IPv4 header (RFC 791) with its RFC 1071 checksum.

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
