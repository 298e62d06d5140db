//! The UDP header (RFC 768): 8 bytes, checksum over the IPv4 pseudo-header.

use serde::{Deserialize, Serialize};

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
