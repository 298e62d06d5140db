//! A whole frame: Ethernet header, then ARP or an IPv4 packet carrying TCP, UDP or ICMP.

use super::{ipv4, ArpRepr, EtherType, EthernetRepr, IcmpRepr, IpProtocol, Ipv4Repr, TcpRepr, UdpRepr, WireError};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

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

impl Transport {
    /// The payload bytes as they follow the IPv4 header, checksums computed with the
    /// pseudo-header from `src`/`dst`. Fragments and other protocols are written as they are.
    pub fn to_bytes(&self, src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
        let mut buf = Vec::new();
        self.emit(src, dst, &mut buf);
        buf
    }

    /// Appends the payload bytes to `buf` (see [`Transport::to_bytes`]).
    pub fn emit(&self, src: Ipv4Addr, dst: Ipv4Addr, buf: &mut Vec<u8>) {
        match self {
            Transport::Tcp(t) => t.emit(src, dst, buf),
            Transport::Udp(u) => u.emit(src, dst, buf),
            Transport::Icmp(i) => i.emit(buf),
            Transport::Fragment(raw) | Transport::Other(raw) => buf.extend_from_slice(raw),
        }
    }

    /// Length of the payload on the wire.
    pub fn buffer_len(&self) -> usize {
        match self {
            Transport::Tcp(t) => t.buffer_len(),
            Transport::Udp(u) => u.buffer_len(),
            Transport::Icmp(i) => i.buffer_len(),
            Transport::Fragment(raw) | Transport::Other(raw) => raw.len(),
        }
    }

    /// Reads the payload of a whole (unfragmented or reassembled) datagram of `protocol`.
    /// TCP, UDP and ICMP are parsed and their checksums verified; other protocols, and ICMP
    /// types this simulation does not model, come back as [`Transport::Other`].
    pub fn parse(protocol: IpProtocol, bytes: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Result<Transport, WireError> {
        match protocol {
            IpProtocol::TCP => Ok(Transport::Tcp(TcpRepr::parse(bytes, src, dst)?)),
            IpProtocol::UDP => Ok(Transport::Udp(UdpRepr::parse(bytes, src, dst)?)),
            IpProtocol::ICMP => match IcmpRepr::parse(bytes) {
                Err(WireError::Malformed { .. }) => Ok(Transport::Other(bytes.to_vec())),
                other => Ok(Transport::Icmp(other?)),
            },
            _ => Ok(Transport::Other(bytes.to_vec())),
        }
    }
}

impl Ipv4Packet {
    /// The protocol number written on the wire: the one the transport implies, or `ip.protocol`
    /// for fragments and other protocols.
    pub fn protocol(&self) -> IpProtocol {
        Self::protocol_of(&self.transport, self.ip.protocol)
    }

    /// Total length of the packet on the wire.
    pub fn buffer_len(&self) -> usize {
        ipv4::HEADER_LEN + self.transport.buffer_len()
    }

    /// The packet's bytes: a 20-byte IPv4 header (RFC 791) and the transport.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.buffer_len());
        self.emit(&mut buf);
        buf
    }

    /// Appends the packet's bytes to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        let ip = Ipv4Repr { protocol: self.protocol(), ..self.ip };
        ip.emit(self.transport.buffer_len(), buf);
        self.transport.emit(ip.src, ip.dst, buf);
    }

    /// Reads an IPv4 packet ([`Ipv4Repr::parse`]). A fragment (MF set or a non-zero offset,
    /// RFC 791 §3.2) comes back as [`Transport::Fragment`]; otherwise the transport is parsed
    /// with [`Transport::parse`].
    pub fn parse(bytes: &[u8]) -> Result<Ipv4Packet, WireError> {
        let (ip, payload) = Ipv4Repr::parse(bytes)?;
        let transport = if ip.is_fragment() {
            Transport::Fragment(payload.to_vec())
        } else {
            Transport::parse(ip.protocol, payload, ip.src, ip.dst)?
        };
        Ok(Ipv4Packet { ip, transport })
    }
}

impl Frame {
    /// The frame's bytes: Ethernet header (with `eth.ethertype` as given) and payload, without
    /// FCS or padding, as a Linux capture shows them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = match &self.payload {
            FramePayload::Arp(_) => 28,
            FramePayload::Ipv4(p) => p.buffer_len(),
        };
        let mut buf = Vec::with_capacity(14 + payload);
        self.eth.emit(&mut buf);
        match &self.payload {
            FramePayload::Arp(a) => a.emit(&mut buf),
            FramePayload::Ipv4(p) => p.emit(&mut buf),
        }
        buf
    }

    /// Reads a frame: Ethernet, then ARP (EtherType 0x0806) or IPv4 (0x0800) and its
    /// transport. Other EtherTypes are `Malformed`. Trailing padding is ignored.
    pub fn parse(bytes: &[u8]) -> Result<Frame, WireError> {
        let (eth, rest) = EthernetRepr::parse(bytes)?;
        let payload = match eth.ethertype {
            EtherType::ARP => FramePayload::Arp(ArpRepr::parse(rest)?),
            EtherType::IPV4 => FramePayload::Ipv4(Ipv4Packet::parse(rest)?),
            EtherType(t) => {
                return Err(WireError::Malformed { layer: "Ethernet", what: format!("unsupported EtherType {t:#06x}") })
            }
        };
        Ok(Frame { eth, payload })
    }

    /// Reads a captured frame as a packet analyser does: like [`Frame::parse`], but TCP, UDP
    /// and IPv4 header checksums are not verified (a capture on the sending host sees them
    /// before checksum offload) and a frame cut short at the snap length keeps what was
    /// captured. Used for frames that come from a capture file rather than a run.
    pub fn parse_captured(bytes: &[u8]) -> Result<Frame, WireError> {
        let (eth, rest) = EthernetRepr::parse(bytes)?;
        let payload = match eth.ethertype {
            EtherType::ARP => FramePayload::Arp(ArpRepr::parse(rest)?),
            EtherType::IPV4 => {
                let (ip, payload, _) = Ipv4Repr::parse_captured(rest)?;
                let transport = if ip.is_fragment() {
                    Transport::Fragment(payload.to_vec())
                } else {
                    match ip.protocol {
                        IpProtocol::TCP => Transport::Tcp(TcpRepr::parse_captured(payload)?),
                        IpProtocol::UDP => Transport::Udp(UdpRepr::parse_captured(payload)?),
                        IpProtocol::ICMP => match IcmpRepr::parse(payload) {
                            Ok(i) => Transport::Icmp(i),
                            Err(_) => Transport::Other(payload.to_vec()),
                        },
                        _ => Transport::Other(payload.to_vec()),
                    }
                };
                FramePayload::Ipv4(Ipv4Packet { ip, transport })
            }
            EtherType(t) => {
                return Err(WireError::Malformed { layer: "Ethernet", what: format!("unsupported EtherType {t:#06x}") })
            }
        };
        Ok(Frame { eth, payload })
    }
}
