//! ARP for IPv4 over Ethernet (RFC 826): a 28-byte body.

use super::MacAddr;
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
