//! A whole frame: Ethernet header, then ARP or an IPv4 packet carrying TCP, UDP or ICMP.

use super::{ArpRepr, EthernetRepr, IcmpRepr, IpProtocol, Ipv4Repr, TcpRepr, UdpRepr};
use serde::{Deserialize, Serialize};

/// What an IPv4 packet carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transport {
    /// A TCP segment.
    Tcp(TcpRepr),
    /// A UDP datagram.
    Udp(UdpRepr),
    /// An ICMP message.
    Icmp(IcmpRepr),
    /// A fragment's raw bytes (the transport header is only in the first fragment, and is
    /// read after reassembly).
    Fragment(Vec<u8>),
    /// Any other protocol, raw.
    Other(Vec<u8>),
}

/// An IPv4 packet: header and payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv4Packet {
    /// The header (`protocol` must agree with `transport`).
    pub ip: Ipv4Repr,
    /// The payload.
    pub transport: Transport,
}

/// What an Ethernet frame carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FramePayload {
    /// An ARP message.
    Arp(ArpRepr),
    /// An IPv4 packet.
    Ipv4(Ipv4Packet),
}

/// An Ethernet II frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Header (`ethertype` must agree with `payload`).
    pub eth: EthernetRepr,
    /// Payload.
    pub payload: FramePayload,
}

impl Ipv4Packet {
    /// The protocol number matching the transport.
    pub fn protocol_of(t: &Transport, fallback: IpProtocol) -> IpProtocol {
        match t {
            Transport::Tcp(_) => IpProtocol::TCP,
            Transport::Udp(_) => IpProtocol::UDP,
            Transport::Icmp(_) => IpProtocol::ICMP,
            _ => fallback,
        }
    }
}
