//! Field maps for the packet inspector: every header field of a frame with its exact bit
//! range, its value and a one-line meaning, the way Wireshark's packet details pane lays it out.

use serde::{Deserialize, Serialize};

/// The protocol layer a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Layer {
    /// Ethernet II header.
    Ethernet,
    /// ARP body.
    Arp,
    /// IPv4 header.
    Ipv4,
    /// ICMP header and body.
    Icmp,
    /// UDP header.
    Udp,
    /// TCP header, options included.
    Tcp,
    /// Application bytes.
    Payload,
}

/// One field of one header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Which header.
    pub layer: Layer,
    /// Short name as Wireshark shows it ("Time to Live").
    pub name: String,
    /// First bit, counted from the first bit of the frame.
    pub bit_offset: u32,
    /// Length in bits.
    pub bit_len: u32,
    /// The value, formatted for people ("64", "0x4000 (DF)", "[SYN, ACK]").
    pub value: String,
    /// One line on what it means here.
    pub meaning: String,
    /// For checksum fields: whether the checksum verifies.
    pub valid: Option<bool>,
}

/// A frame laid out field by field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dissection {
    /// Fields in byte order.
    pub fields: Vec<Field>,
    /// A one-line summary, as in a packet list.
    pub summary: String,
    /// Anything that did not parse or verify.
    pub problems: Vec<String>,
}
