//! Byte-exact frames: Ethernet II, ARP, IPv4, ICMP, UDP and TCP.
//!
//! Every layer has a plain-data `Repr` (what the simulation reasons about) and is turned into
//! real bytes with valid checksums by `emit`, and back by `parse`, so that
//! `parse(emit(x)) == x`. [`field`] lays out every header field of a frame with its bit
//! offset, length, value and one-line meaning for the packet inspector.
//!
//! Layouts follow RFC 894 (Ethernet II), RFC 826 (ARP), RFC 791 (IPv4), RFC 792 (ICMP),
//! RFC 768 (UDP) and RFC 9293 §3.1 (TCP); TCP options are written in Linux's order
//! (`tcp_options_write`, net/ipv4/tcp_output.c).

pub mod arp;
pub mod checksum;
pub mod ethernet;
pub mod field;
pub mod fragment;
pub mod frame;
pub mod icmp;
pub mod ipv4;
pub mod tcp;
pub mod udp;

pub use arp::{ArpOp, ArpRepr};
pub use ethernet::{EtherType, EthernetRepr, MacAddr};
pub use field::{dissect, Dissection, Field, Layer};
pub use fragment::Reassembler;
pub use frame::{Frame, FramePayload, Ipv4Packet, Transport};
pub use icmp::IcmpRepr;
pub use ipv4::{CapturedIpv4, IpProtocol, Ipv4Repr};
pub use std::net::Ipv4Addr;
pub use tcp::{TcpFlags, TcpOptions, TcpRepr};
pub use udp::UdpRepr;

use serde::Serialize;
use std::fmt;

/// Why bytes could not be read as a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WireError {
    /// Fewer bytes than the layer's header needs.
    Truncated { layer: &'static str, needed: usize, got: usize },
    /// A field holds a value the layer does not allow (e.g. IHL < 5).
    Malformed { layer: &'static str, what: String },
    /// A checksum does not verify.
    BadChecksum { layer: &'static str },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated { layer, needed, got } => {
                write!(f, "{layer}: truncated ({got} of {needed} bytes)")
            }
            WireError::Malformed { layer, what } => write!(f, "{layer}: {what}"),
            WireError::BadChecksum { layer } => write!(f, "{layer}: bad checksum"),
        }
    }
}

impl std::error::Error for WireError {}
