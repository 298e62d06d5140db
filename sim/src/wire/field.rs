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

use super::checksum;
use super::icmp::IcmpRepr;
use super::tcp::{opt, TcpFlags};
use super::{EtherType, IpProtocol, MacAddr};
use std::net::Ipv4Addr;

impl Field {
    /// First byte of the field, counted from the start of the frame.
    pub fn byte_offset(&self) -> usize {
        (self.bit_offset / 8) as usize
    }
    /// One past the last bit, counted from the start of the frame.
    pub fn bit_end(&self) -> u32 {
        self.bit_offset + self.bit_len
    }
}

impl Dissection {
    /// The fields of one layer, in byte order.
    pub fn layer(&self, layer: Layer) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(move |f| f.layer == layer)
    }
    /// The first field of `layer` named `name`.
    pub fn get(&self, layer: Layer, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.layer == layer && f.name == name)
    }
}

/// Lays out every header field of an Ethernet frame (as captured, without FCS) for the packet
/// inspector. Never panics: whatever cannot be read is reported in `problems`, and the fields
/// that could be read are still listed. Bytes that belong to no header (link padding, bytes
/// after a truncated header) get their own field, so the fields always tile the frame.
pub fn dissect(bytes: &[u8]) -> Dissection {
    let mut d = Dissector { b: bytes, out: Dissection::default() };
    d.ethernet();
    // Anything left over after the last field.
    let end = d.out.fields.last().map_or(0, |f| f.bit_end());
    let len = (bytes.len() * 8) as u32;
    if end < len {
        let start = (end / 8) as usize;
        d.push(
            Layer::Payload,
            "Undecoded bytes",
            start * 8,
            (bytes.len() - start) * 8,
            format!("{} bytes: {}", bytes.len() - start, preview(&bytes[start..])),
            "Bytes that could not be read as part of any header",
            None,
        );
    }
    d.out
}

struct Dissector<'a> {
    b: &'a [u8],
    out: Dissection,
}

/// What the IPv4 header said, for the layers above.
#[derive(Clone, Copy)]
struct IpInfo {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: u8,
    ttl: u8,
    /// Payload range within the captured bytes.
    start: usize,
    end: usize,
    /// True when the whole payload, as the total length gives it, was captured.
    complete: bool,
}

impl Dissector<'_> {
    fn u8(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }
    fn u16(&self, i: usize) -> u16 {
        u16::from_be_bytes([self.u8(i), self.u8(i + 1)])
    }
    fn u32(&self, i: usize) -> u32 {
        u32::from_be_bytes([self.u8(i), self.u8(i + 1), self.u8(i + 2), self.u8(i + 3)])
    }
    fn ip(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::from(self.u32(i))
    }
    fn mac(&self, i: usize) -> MacAddr {
        MacAddr::from_slice(self.b.get(i..).unwrap_or(&[]))
    }
    fn slice(&self, start: usize, end: usize) -> &[u8] {
        self.b.get(start..end.min(self.b.len())).unwrap_or(&[])
    }

    /// True when bits `bit_offset..bit_offset + bit_len` were captured.
    fn fits(&self, bit_offset: usize, bit_len: usize) -> bool {
        bit_offset + bit_len <= self.b.len() * 8
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        layer: Layer,
        name: &str,
        bit_offset: usize,
        bit_len: usize,
        value: String,
        meaning: impl Into<String>,
        valid: Option<bool>,
    ) {
        self.out.fields.push(Field {
            layer,
            name: name.to_string(),
            bit_offset: bit_offset as u32,
            bit_len: bit_len as u32,
            value,
            meaning: meaning.into(),
            valid,
        });
    }

    /// Pushes a field that lies at `byte` + `bit` (bits counted from the byte's top bit) if it
    /// was captured; otherwise returns false and pushes nothing.
    #[allow(clippy::too_many_arguments)]
    fn field(
        &mut self,
        layer: Layer,
        name: &str,
        byte: usize,
        bit: usize,
        bit_len: usize,
        value: impl FnOnce(&Self) -> String,
        meaning: &str,
    ) -> bool {
        let at = byte * 8 + bit;
        if !self.fits(at, bit_len) {
            return false;
        }
        let v = value(self);
        self.push(layer, name, at, bit_len, v, meaning, None);
        true
    }

    fn truncated(&mut self, layer: &str, needed: usize, start: usize) {
        let got = self.b.len().saturating_sub(start);
        self.out.problems.push(format!("{layer} header truncated: {got} of {needed} bytes captured"));
    }

    /// Link-layer padding between `from` and the end of the frame.
    fn padding(&mut self, from: usize) {
        if from < self.b.len() {
            let n = self.b.len() - from;
            self.push(
                Layer::Ethernet,
                "Padding",
                from * 8,
                n * 8,
                format!("{n} bytes"),
                "Filler after the packet; a NIC pads frames to the 60-byte Ethernet minimum",
                None,
            );
        }
    }

    fn ethernet(&mut self) {
        const E: Layer = Layer::Ethernet;
        self.field(
            E,
            "Destination",
            0,
            0,
            48,
            |d| {
                let m = d.mac(0);
                if m.is_broadcast() {
                    format!("{m} (Broadcast)")
                } else {
                    m.to_string()
                }
            },
            "The NIC this frame is for on this link: the next hop, not necessarily the final host",
        );
        self.field(E, "Source", 6, 0, 48, |d| d.mac(6).to_string(), "The NIC that put this frame on the link");
        let have_type = self.field(
            E,
            "Type",
            12,
            0,
            16,
            |d| {
                let t = EtherType(d.u16(12));
                match t.name() {
                    Some(n) => format!("{n} ({:#06x})", t.0),
                    None => format!("Unknown ({:#06x})", t.0),
                }
            },
            "EtherType: which protocol the payload is, so the receiver hands it to the right handler",
        );
        if !have_type {
            self.truncated("Ethernet", 14, 0);
            self.out.summary = "Truncated Ethernet frame".into();
            return;
        }
        match EtherType(self.u16(12)) {
            EtherType::ARP => self.arp(14),
            EtherType::IPV4 => self.ipv4(14),
            EtherType(t) => {
                self.out.problems.push(format!("EtherType {t:#06x} is not dissected here"));
                self.out.summary = format!("{} → {} Ethernet type {t:#06x}", self.mac(6), self.mac(0));
            }
        }
    }

    fn arp(&mut self, o: usize) {
        const A: Layer = Layer::Arp;
        let op = self.u16(o + 6);
        let request = op == 1;
        let ok = self.field(
            A,
            "Hardware type",
            o,
            0,
            16,
            |d| match d.u16(o) {
                1 => "Ethernet (1)".to_string(),
                n => format!("Unknown ({n})"),
            },
            "Kind of link-layer address being resolved; 1 means an Ethernet MAC",
        ) & self.field(
            A,
            "Protocol type",
            o + 2,
            0,
            16,
            |d| match d.u16(o + 2) {
                0x0800 => "IPv4 (0x0800)".to_string(),
                n => format!("Unknown ({n:#06x})"),
            },
            "Kind of address being mapped to a MAC; 0x0800 means IPv4",
        ) & self.field(
            A,
            "Hardware size",
            o + 4,
            0,
            8,
            |d| d.u8(o + 4).to_string(),
            "Bytes per hardware address: 6 for a MAC",
        ) & self.field(
            A,
            "Protocol size",
            o + 5,
            0,
            8,
            |d| d.u8(o + 5).to_string(),
            "Bytes per protocol address: 4 for IPv4",
        ) & self.field(
            A,
            "Opcode",
            o + 6,
            0,
            16,
            |_| match op {
                1 => "request (1)".to_string(),
                2 => "reply (2)".to_string(),
                n => format!("unknown ({n})"),
            },
            "1 asks who owns an IP address; 2 answers with the owner's MAC",
        ) & self.field(
            A,
            "Sender MAC address",
            o + 8,
            0,
            48,
            |d| d.mac(o + 8).to_string(),
            "MAC of the machine sending this ARP message",
        ) & self.field(
            A,
            "Sender IP address",
            o + 14,
            0,
            32,
            |d| d.ip(o + 14).to_string(),
            "IP of the sender; every receiver may cache this IP-to-MAC pair",
        ) & self.field(
            A,
            "Target MAC address",
            o + 18,
            0,
            48,
            |d| d.mac(o + 18).to_string(),
            if request {
                "Unknown yet, so all zeros: finding it is the point of the request"
            } else {
                "MAC of the machine that asked"
            },
        ) & self.field(
            A,
            "Target IP address",
            o + 24,
            0,
            32,
            |d| d.ip(o + 24).to_string(),
            if request { "The IP address whose owner is wanted" } else { "IP of the machine that asked" },
        );
        if !ok {
            self.truncated("ARP", super::arp::PACKET_LEN, o);
            self.out.summary = "Truncated ARP".into();
            return;
        }
        if let Err(e) = super::ArpRepr::parse(self.slice(o, o + 28)) {
            self.out.problems.push(e.to_string());
        }
        self.out.summary = match op {
            1 => format!("Who has {}? Tell {}", self.ip(o + 24), self.ip(o + 14)),
            2 => format!("{} is at {}", self.ip(o + 14), self.mac(o + 8)),
            n => format!("ARP opcode {n}"),
        };
        self.padding(o + 28);
    }

    fn ipv4(&mut self, o: usize) {
        const I: Layer = Layer::Ipv4;
        let ihl = usize::from(self.u8(o) & 0x0f) * 4;
        let total = usize::from(self.u16(o + 2));
        let flags = self.u16(o + 6);
        let mut ok = self.field(
            I,
            "Version",
            o,
            0,
            4,
            |d| (d.u8(o) >> 4).to_string(),
            "IP version; 4 here. IPv6 packets use a different EtherType",
        );
        ok &= self.field(
            I,
            "Header Length",
            o,
            4,
            4,
            |_| format!("{ihl} bytes ({})", ihl / 4),
            "Length of this IP header in 32-bit words; 5 (20 bytes) means no options",
        );
        ok &= self.field(
            I,
            "Differentiated Services Codepoint",
            o + 1,
            0,
            6,
            |d| {
                let v = d.u8(o + 1) >> 2;
                format!("{} ({v})", dscp_name(v))
            },
            "Traffic class for QoS; 0 is best effort, which nearly all traffic uses",
        );
        ok &= self.field(
            I,
            "Explicit Congestion Notification",
            o + 1,
            6,
            2,
            |d| {
                let v = d.u8(o + 1) & 3;
                let n = ["Not-ECT", "ECT(1)", "ECT(0)", "CE"][usize::from(v)];
                format!("{n} ({v})")
            },
            "ECN (RFC 3168): a router can mark CE instead of dropping to signal congestion",
        );
        ok &= self.field(
            I,
            "Total Length",
            o + 2,
            0,
            16,
            |_| format!("{total} bytes"),
            "Bytes in this IP packet, header included",
        );
        ok &= self.field(
            I,
            "Identification",
            o + 4,
            0,
            16,
            |d| {
                let v = d.u16(o + 4);
                format!("{v:#06x} ({v})")
            },
            "Ties the fragments of one datagram together; otherwise just a counter",
        );
        // Flags and fragment offset share one 16-bit word: show both or neither.
        if self.fits((o + 6) * 8, 16) {
            self.field(
                I,
                "Flags",
                o + 6,
                0,
                3,
                |_| {
                    let mut names = Vec::new();
                    if flags & super::ipv4::FLAG_RESERVED != 0 {
                        names.push("Reserved bit set");
                    }
                    if flags & super::ipv4::FLAG_DF != 0 {
                        names.push("Don't fragment");
                    }
                    if flags & super::ipv4::FLAG_MF != 0 {
                        names.push("More fragments");
                    }
                    let v = flags & 0xe000;
                    if names.is_empty() {
                        format!("{v:#06x}")
                    } else {
                        format!("{v:#06x} ({})", names.join(", "))
                    }
                },
                "DF: a router must drop rather than split this packet (Linux sets it for path MTU discovery); MF: more fragments follow",
            );
            self.field(
                I,
                "Fragment Offset",
                o + 6,
                3,
                13,
                |_| {
                    let v = flags & super::ipv4::FRAG_OFFSET_MASK;
                    if v == 0 {
                        "0".to_string()
                    } else {
                        format!("{} bytes ({v} × 8)", u32::from(v) * 8)
                    }
                },
                "Where this fragment's data belongs in the original datagram, in 8-byte units",
            );
        } else {
            ok = false;
        }
        ok &= self.field(
            I,
            "Time to Live",
            o + 8,
            0,
            8,
            |d| d.u8(o + 8).to_string(),
            "Hops left before a router discards this packet; Linux starts at 64",
        );
        let protocol = self.u8(o + 9);
        ok &= self.field(
            I,
            "Protocol",
            o + 9,
            0,
            8,
            |_| match IpProtocol(protocol).name() {
                Some(n) => format!("{n} ({protocol})"),
                None => format!("Unknown ({protocol})"),
            },
            "Which protocol the payload is, so the receiving host hands it to TCP, UDP or ICMP",
        );
        let header_ok = ihl >= 20 && self.b.len() >= o + ihl;
        let valid = header_ok.then(|| checksum::checksum(self.slice(o, o + ihl)) == 0);
        if self.fits((o + 10) * 8, 16) {
            let stored = self.u16(o + 10);
            let value = match valid {
                Some(true) => format!("{stored:#06x} [correct]"),
                Some(false) => {
                    let mut h = self.slice(o, o + ihl).to_vec();
                    h[10] = 0;
                    h[11] = 0;
                    format!("{stored:#06x} [incorrect, should be {:#06x}]", checksum::checksum(&h))
                }
                None => format!("{stored:#06x} [unverified]"),
            };
            self.push(
                I,
                "Header Checksum",
                (o + 10) * 8,
                16,
                value,
                "Guards the IP header only; every router recomputes it after lowering the TTL",
                valid,
            );
        } else {
            ok = false;
        }
        ok &= self.field(I, "Source Address", o + 12, 0, 32, |d| d.ip(o + 12).to_string(), "The sending host");
        ok &= self.field(
            I,
            "Destination Address",
            o + 16,
            0,
            32,
            |d| d.ip(o + 16).to_string(),
            "The final destination; unlike the MACs it stays the same across routers (without NAT)",
        );
        if !ok {
            self.truncated("IPv4", 20, o);
            self.out.summary = "Truncated IPv4".into();
            return;
        }
        if ihl > 20 {
            let n = ihl - 20;
            if self.fits((o + 20) * 8, n * 8) {
                let hex = hex(self.slice(o + 20, o + ihl));
                self.push(
                    I,
                    "Options",
                    (o + 20) * 8,
                    n * 8,
                    format!("{n} bytes: {hex}"),
                    "IP options; rare on the Internet, and Linux sends none by default",
                    None,
                );
            } else {
                self.truncated("IPv4", ihl, o);
                self.out.summary = "Truncated IPv4".into();
                return;
            }
        }
        let version = self.u8(o) >> 4;
        if version != 4 {
            self.out.problems.push(format!("IPv4: version {version}, expected 4"));
        }
        if ihl < 20 {
            self.out.problems.push(format!("IPv4: header length {ihl} bytes, below the minimum 20"));
        }
        if valid == Some(false) {
            self.out.problems.push("IPv4: bad header checksum".into());
        }
        let (src, dst) = (self.ip(o + 12), self.ip(o + 16));
        let proto_name = IpProtocol(protocol).name().map_or(format!("proto {protocol}"), str::to_string);
        self.out.summary = format!("{src} → {dst} IPv4 {proto_name}");
        if version != 4 || ihl < 20 {
            return;
        }
        let start = o + ihl;
        let mut end = o + total;
        let mut complete = true;
        if total < ihl {
            self.out.problems.push(format!("IPv4: total length {total} is shorter than the {ihl}-byte header"));
            end = start;
        } else if end > self.b.len() {
            self.out.problems.push(format!("IPv4: total length {total} but only {} bytes captured", self.b.len() - o));
            end = self.b.len();
            complete = false;
        }
        let info = IpInfo { src, dst, protocol, ttl: self.u8(o + 8), start, end, complete };
        if flags & (super::ipv4::FLAG_MF | super::ipv4::FRAG_OFFSET_MASK) != 0 {
            let off = u32::from(flags & super::ipv4::FRAG_OFFSET_MASK) * 8;
            let n = end - start;
            if n > 0 {
                self.push(
                    Layer::Payload,
                    "Fragment data",
                    start * 8,
                    n * 8,
                    format!("{n} bytes at offset {off}"),
                    "A piece of a larger datagram; the receiver puts the pieces together before TCP/UDP sees them",
                    None,
                );
            }
            self.out.summary = format!(
                "{src} → {dst} IPv4 Fragmented IP protocol (proto={proto_name} {protocol}, off={off}, ID={:04x})",
                self.u16(o + 4)
            );
        } else {
            match IpProtocol(protocol) {
                IpProtocol::TCP => self.tcp(&info),
                IpProtocol::UDP => self.udp(&info),
                IpProtocol::ICMP => self.icmp(&info),
                _ => {
                    self.data(start, end, "Data", "The payload of a protocol not dissected here");
                }
            }
        }
        if complete {
            self.padding(end);
        }
    }

    /// A payload field over `start..end`, if non-empty.
    fn data(&mut self, start: usize, end: usize, name: &str, meaning: &str) {
        if end > start {
            let v = format!("{} bytes: {}", end - start, preview(self.slice(start, end)));
            self.push(Layer::Payload, name, start * 8, (end - start) * 8, v, meaning, None);
        }
    }

    /// The checksum field of a TCP or UDP header at `at`, verified over the pseudo-header.
    fn l4_checksum(&mut self, layer: Layer, ip: &IpInfo, at: usize, meaning: &str) {
        let stored = self.u16(at);
        let seg = self.slice(ip.start, ip.end);
        let (value, valid) = if layer == Layer::Udp && stored == 0 {
            (format!("{stored:#06x} [none]"), None)
        } else if !ip.complete {
            (format!("{stored:#06x} [unverified: packet truncated]"), None)
        } else {
            let ok = checksum::transport(ip.src, ip.dst, ip.protocol, seg) == 0;
            if ok {
                (format!("{stored:#06x} [correct]"), Some(true))
            } else {
                let mut s = seg.to_vec();
                s[at - ip.start] = 0;
                s[at - ip.start + 1] = 0;
                let mut want = checksum::transport(ip.src, ip.dst, ip.protocol, &s);
                if layer == Layer::Udp && want == 0 {
                    want = 0xffff;
                }
                (format!("{stored:#06x} [incorrect, should be {want:#06x}]"), Some(false))
            }
        };
        if valid == Some(false) {
            self.out.problems.push(format!("{}: bad checksum", if layer == Layer::Udp { "UDP" } else { "TCP" }));
        }
        self.push(layer, "Checksum", at * 8, 16, value, meaning, valid);
    }

    fn tcp(&mut self, ip: &IpInfo) {
        const T: Layer = Layer::Tcp;
        let o = ip.start;
        let avail = ip.end - o;
        let doff = usize::from(self.u8(o + 12) >> 4) * 4;
        let flags = TcpFlags(self.u8(o + 13));
        let prefix = format!("{} → {} TCP", ip.src, ip.dst);
        if avail < 20 {
            // Only what lies inside the IP payload belongs to TCP.
            let end = ip.end;
            let fits = |at: usize, n: usize| at + n <= end;
            let mut at = o;
            for (name, n, meaning) in [
                ("Source Port", 2, "The sending socket's port"),
                ("Destination Port", 2, "The receiving socket's port"),
                ("Sequence Number", 4, "Position of the first data byte in this direction's stream"),
                ("Acknowledgment Number", 4, "The next byte this side expects from the peer"),
            ] {
                if !fits(at, n) {
                    break;
                }
                let v = if n == 2 { self.u16(at).to_string() } else { self.u32(at).to_string() };
                self.push(T, name, at * 8, n * 8, v, meaning, None);
                at += n;
            }
            self.truncated("TCP", 20, o);
            self.data(at, end, "Undecoded bytes", "The rest of a truncated TCP header");
            self.out.summary = format!("{prefix} [truncated header]");
            return;
        }
        let (sp, dp) = (self.u16(o), self.u16(o + 2));
        let (seq, ack) = (self.u32(o + 4), self.u32(o + 8));
        let win = self.u16(o + 14);
        self.push(
            T,
            "Source Port",
            o * 8,
            16,
            sp.to_string(),
            "The sending socket's port; for a client usually an ephemeral port (Linux: 32768-60999)",
            None,
        );
        self.push(
            T,
            "Destination Port",
            (o + 2) * 8,
            16,
            dp.to_string(),
            "The receiving socket's port, e.g. 80 or 443 for a web server",
            None,
        );
        self.push(
            T,
            "Sequence Number",
            (o + 4) * 8,
            32,
            seq.to_string(),
            "Position of the first data byte (or of the SYN/FIN) in this direction's byte stream",
            None,
        );
        self.push(
            T,
            "Acknowledgment Number",
            (o + 8) * 8,
            32,
            if flags.ack() { ack.to_string() } else { format!("{ack} (not used: ACK not set)") },
            "The next byte this side expects from the peer: everything before it arrived",
            None,
        );
        self.push(
            T,
            "Header Length",
            (o + 12) * 8,
            4,
            format!("{doff} bytes ({})", doff / 4),
            "Length of the TCP header in 32-bit words: 20 bytes plus options",
            None,
        );
        self.push(
            T,
            "Reserved",
            (o + 12) * 8 + 4,
            4,
            format!("{:#x}", self.u8(o + 12) & 0x0f),
            "Reserved for future use and zero (the lowest bit is now AccECN's AE flag)",
            None,
        );
        let fv = if flags.0 == 0 { "0x00 (none)".to_string() } else { format!("{:#04x} ({flags})", flags.0) };
        self.push(
            T,
            "Flags",
            (o + 13) * 8,
            8,
            fv,
            "Control bits: SYN opens, ACK acknowledges, PSH hands data to the app now, FIN closes, RST aborts",
            None,
        );
        self.push(
            T,
            "Window",
            (o + 14) * 8,
            16,
            win.to_string(),
            if flags.syn() {
                "Receive buffer space offered, in bytes; never scaled in a SYN"
            } else {
                "Receive buffer space offered, to be multiplied by the peer's window scale factor"
            },
            None,
        );
        self.l4_checksum(T, ip, o + 16, "Covers a pseudo-header (IPs, protocol, length), the TCP header and the data");
        self.push(
            T,
            "Urgent Pointer",
            (o + 18) * 8,
            16,
            self.u16(o + 18).to_string(),
            "Offset of urgent data when URG is set; practically unused",
            None,
        );
        let mut summary = format!("{prefix} {sp} → {dp} [{flags}] Seq={seq}");
        if flags.ack() {
            summary += &format!(" Ack={ack}");
        }
        summary += &format!(" Win={win}");
        let opt_end;
        if doff < 20 {
            self.out.problems.push(format!("TCP: header length {doff}, below the minimum 20"));
            opt_end = o + 20;
        } else if doff > avail {
            self.out.problems.push(format!("TCP: header length {doff} but only {avail} bytes in the packet"));
            opt_end = ip.end;
        } else {
            opt_end = o + doff;
        }
        let opt_summary = self.tcp_options(o + 20, opt_end);
        let len = ip.end.saturating_sub(opt_end);
        summary += &format!(" Len={len}{opt_summary}");
        self.data(opt_end, ip.end, "TCP payload", "Application bytes carried by this segment");
        self.out.summary = summary;
    }

    /// One field per option in `start..end`; returns the option part of the summary.
    fn tcp_options(&mut self, start: usize, end: usize) -> String {
        const T: Layer = Layer::Tcp;
        let mut s = String::new();
        let mut i = start;
        while i < end {
            let kind = self.u8(i);
            if kind == opt::EOL {
                self.push(
                    T,
                    "Option: End of Option List (EOL)",
                    i * 8,
                    8,
                    "0".into(),
                    "Marks the end of the options",
                    None,
                );
                if i + 1 < end {
                    let n = end - i - 1;
                    self.push(
                        T,
                        "Option padding",
                        (i + 1) * 8,
                        n * 8,
                        format!("{n} bytes"),
                        "Zero bytes that fill the header to a 32-bit boundary",
                        None,
                    );
                }
                break;
            }
            if kind == opt::NOP {
                self.push(
                    T,
                    "Option: No-Operation (NOP)",
                    i * 8,
                    8,
                    "1".into(),
                    "Padding so the next option starts on a 32-bit boundary",
                    None,
                );
                i += 1;
                continue;
            }
            let len = usize::from(if i + 1 < end { self.u8(i + 1) } else { 0 });
            let expected = match kind {
                opt::MSS => Some(4),
                opt::WS => Some(3),
                opt::SACK_PERM => Some(2),
                opt::TIMESTAMP => Some(10),
                _ => None,
            };
            let bad_sack = kind == opt::SACK && (len < 10 || (len - 2) % 8 != 0);
            let bad_tfo = kind == opt::FAST_OPEN && !(len == 2 || (6..=18).contains(&len));
            if len < 2 || i + len > end || expected.is_some_and(|e| e != len) || bad_sack || bad_tfo {
                let n = end - i;
                self.push(
                    T,
                    "Option: malformed",
                    i * 8,
                    n * 8,
                    format!("kind {kind}, length {len}: {}", hex(self.slice(i, end))),
                    "An option whose length byte does not fit; the receiver must drop the segment",
                    None,
                );
                self.out.problems.push(format!("TCP: malformed option (kind {kind}, length {len})"));
                break;
            }
            let (name, value, meaning) = match kind {
                opt::MSS => {
                    let v = self.u16(i + 2);
                    s += &format!(" MSS={v}");
                    (
                        "Option: Maximum segment size".to_string(),
                        format!("{v} bytes"),
                        "Largest TCP payload this side accepts per segment: MTU minus 40 (1460 on Ethernet)",
                    )
                }
                opt::WS => {
                    let v = self.u8(i + 2);
                    let mult = 1u64 << v.min(30);
                    s += &format!(" WS={mult}");
                    (
                        "Option: Window scale".to_string(),
                        format!("{v} (multiply by {mult})"),
                        "Shift applied to every later window from this side, so windows can exceed 64 KB",
                    )
                }
                opt::SACK_PERM => {
                    s += " SACK_PERM";
                    (
                        "Option: SACK permitted".to_string(),
                        "yes".to_string(),
                        "This side can receive selective acknowledgments of out-of-order data",
                    )
                }
                opt::TIMESTAMP => {
                    let (a, b) = (self.u32(i + 2), self.u32(i + 6));
                    s += &format!(" TSval={a} TSecr={b}");
                    (
                        "Option: Timestamps".to_string(),
                        format!("TSval {a}, TSecr {b}"),
                        "Sender's clock and the latest clock value echoed back: used to measure RTT and reject old duplicates",
                    )
                }
                opt::SACK => {
                    let blocks: Vec<String> = (0..(len - 2) / 8)
                        .map(|n| {
                            let (l, r) = (self.u32(i + 2 + 8 * n), self.u32(i + 6 + 8 * n));
                            s += &format!(" SLE={l} SRE={r}");
                            format!("{l}-{r}")
                        })
                        .collect();
                    (
                        "Option: SACK".to_string(),
                        blocks.join(", "),
                        "Ranges received beyond the cumulative ACK, so only the holes are resent",
                    )
                }
                opt::FAST_OPEN if len == 2 => {
                    s += " TFO=R";
                    (
                        "Option: TCP Fast Open".to_string(),
                        "cookie request".to_string(),
                        "Asks the server for a Fast Open cookie so a later SYN can carry data (RFC 7413)",
                    )
                }
                opt::FAST_OPEN => {
                    let cookie = hex(self.slice(i + 2, i + len));
                    s += &format!(" TFO=C:{}", cookie.replace(' ', ""));
                    (
                        "Option: TCP Fast Open".to_string(),
                        format!("cookie {cookie}"),
                        "Proof the client was here before: a server holding the same key accepts the data in this SYN",
                    )
                }
                _ => (
                    format!("Option: Unknown (kind {kind})"),
                    format!("{} bytes: {}", len, hex(self.slice(i, i + len))),
                    "An option this dissector does not know; receivers skip it by its length",
                ),
            };
            self.push(T, &name, i * 8, len * 8, value, meaning, None);
            i += len;
        }
        s
    }

    fn udp(&mut self, ip: &IpInfo) {
        const U: Layer = Layer::Udp;
        let o = ip.start;
        let avail = ip.end - o;
        let prefix = format!("{} → {} UDP", ip.src, ip.dst);
        if avail < 8 {
            self.truncated("UDP", 8, o);
            self.data(o, ip.end, "Undecoded bytes", "The rest of a truncated UDP header");
            self.out.summary = format!("{prefix} [truncated header]");
            return;
        }
        let (sp, dp, len) = (self.u16(o), self.u16(o + 2), usize::from(self.u16(o + 4)));
        self.push(U, "Source Port", o * 8, 16, sp.to_string(), "The sending socket's port", None);
        self.push(
            U,
            "Destination Port",
            (o + 2) * 8,
            16,
            dp.to_string(),
            "The receiving socket's port, e.g. 53 for DNS",
            None,
        );
        self.push(U, "Length", (o + 4) * 8, 16, format!("{len} bytes"), "Bytes in the UDP header (8) plus data", None);
        let mut info = *ip;
        if len < 8 {
            self.out.problems.push(format!("UDP: length {len}, below the 8-byte header"));
        } else if len > avail {
            if ip.complete {
                self.out.problems.push(format!("UDP: length {len} but only {avail} bytes in the IP packet"));
            }
            info.complete = false;
        } else {
            info.end = o + len;
        }
        self.l4_checksum(
            U,
            &info,
            o + 6,
            "Covers a pseudo-header (IPs, protocol, length), the UDP header and the data; 0 means none",
        );
        self.data(o + 8, ip.end, "UDP payload", "Application bytes of this datagram");
        self.out.summary = format!("{prefix} Source port: {sp}  Destination port: {dp}");
    }

    fn icmp(&mut self, ip: &IpInfo) {
        const C: Layer = Layer::Icmp;
        let o = ip.start;
        let avail = ip.end - o;
        let prefix = format!("{} → {} ICMP", ip.src, ip.dst);
        if avail < 8 {
            self.truncated("ICMP", 8, o);
            self.data(o, ip.end, "Undecoded bytes", "The rest of a truncated ICMP header");
            self.out.summary = format!("{prefix} [truncated header]");
            return;
        }
        let (t, c) = (self.u8(o), self.u8(o + 1));
        let desc = IcmpRepr::describe(t, c);
        self.push(
            C,
            "Type",
            o * 8,
            8,
            format!("{t} ({})", IcmpRepr::type_name(t).unwrap_or("Unknown")),
            "Kind of message: 8 echo request, 0 echo reply, 3 unreachable, 11 time exceeded",
            None,
        );
        self.push(
            C,
            "Code",
            (o + 1) * 8,
            8,
            format!("{c} ({desc})"),
            "Detail within the type, e.g. 3/3 port unreachable, 3/4 fragmentation needed",
            None,
        );
        let stored = self.u16(o + 2);
        let valid = ip.complete.then(|| checksum::checksum(self.slice(o, ip.end)) == 0);
        let value = match valid {
            Some(true) => format!("{stored:#06x} [correct]"),
            Some(false) => format!("{stored:#06x} [incorrect]"),
            None => format!("{stored:#06x} [unverified: packet truncated]"),
        };
        if valid == Some(false) {
            self.out.problems.push("ICMP: bad checksum".into());
        }
        self.push(C, "Checksum", (o + 2) * 8, 16, value, "Covers the whole ICMP message", valid);
        match t {
            0 | 8 => {
                let (id, seq) = (self.u16(o + 4), self.u16(o + 6));
                self.push(
                    C,
                    "Identifier",
                    (o + 4) * 8,
                    16,
                    format!("{id:#06x} ({id})"),
                    "Chosen by ping to match replies to its requests",
                    None,
                );
                self.push(
                    C,
                    "Sequence Number",
                    (o + 6) * 8,
                    16,
                    format!("{seq} ({seq:#06x})"),
                    "Counts the pings; a gap in replies shows which ones were lost",
                    None,
                );
                self.data(
                    o + 8,
                    ip.end,
                    "Data",
                    "Echo data; the reply must carry it back unchanged (ping sends 56 bytes)",
                );
                self.out.summary = format!("{prefix} {desc} id={id:#06x}, seq={seq}, ttl={}", ip.ttl);
                return;
            }
            3 if c == 4 => {
                let mtu = self.u16(o + 6);
                self.push(C, "Unused", (o + 4) * 8, 16, format!("{:#06x}", self.u16(o + 4)), "Zero", None);
                self.push(
                    C,
                    "MTU of next hop",
                    (o + 6) * 8,
                    16,
                    format!("{mtu} bytes"),
                    "The largest packet the next link takes (RFC 1191); the sender lowers its path MTU to it",
                    None,
                );
                self.out.summary = format!("{prefix} {desc} MTU={mtu}");
            }
            3 | 11 => {
                self.push(C, "Unused", (o + 4) * 8, 32, format!("{:#010x}", self.u32(o + 4)), "Zero", None);
                self.out.summary = format!("{prefix} {desc}");
            }
            _ => {
                self.push(
                    C,
                    "Rest of header",
                    (o + 4) * 8,
                    32,
                    format!("{:#010x}", self.u32(o + 4)),
                    "Type-specific",
                    None,
                );
                self.data(o + 8, ip.end, "Data", "The body of an ICMP message type not dissected here");
                self.out.summary = format!("{prefix} {desc}");
                return;
            }
        }
        // Errors quote the offending datagram.
        let q = o + 8;
        if q < ip.end {
            let quoted = self.slice(q, ip.end);
            let n = quoted.len();
            let about = quoted_summary(quoted);
            self.push(
                C,
                "Original datagram",
                q * 8,
                n * 8,
                format!("{n} bytes: {about}"),
                "The start of the packet that caused this error, so the sender can find the socket it came from",
                None,
            );
        }
    }
}

/// A line describing a quoted IP datagram inside an ICMP error.
fn quoted_summary(q: &[u8]) -> String {
    if q.len() < 20 || q[0] >> 4 != 4 {
        return "not an IPv4 header".into();
    }
    let src = Ipv4Addr::new(q[12], q[13], q[14], q[15]);
    let dst = Ipv4Addr::new(q[16], q[17], q[18], q[19]);
    let p = q[9];
    let name = IpProtocol(p).name().map_or(format!("proto {p}"), str::to_string);
    let ihl = usize::from(q[0] & 0x0f) * 4;
    let mut s = format!("{src} → {dst} {name}");
    if (p == 6 || p == 17) && q.len() >= ihl + 4 && ihl >= 20 {
        let sp = u16::from_be_bytes([q[ihl], q[ihl + 1]]);
        let dp = u16::from_be_bytes([q[ihl + 2], q[ihl + 3]]);
        s += &format!(" {sp} → {dp}");
    }
    s
}

fn dscp_name(v: u8) -> String {
    match v {
        0 => "Default".into(),
        46 => "Expedited Forwarding".into(),
        8 | 16 | 24 | 32 | 40 | 48 | 56 => format!("CS{}", v / 8),
        10 | 12 | 14 | 18 | 20 | 22 | 26 | 28 | 30 | 34 | 36 | 38 => {
            format!("AF{}{}", v / 8, (v % 8) / 2)
        }
        _ => "Unknown".into(),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
}

/// A short preview of payload bytes: quoted text when printable, else hex.
fn preview(b: &[u8]) -> String {
    const MAX: usize = 24;
    let head = &b[..b.len().min(MAX)];
    let more = if b.len() > MAX { "…" } else { "" };
    let printable = head.iter().all(|&c| c == b'\r' || c == b'\n' || c == b'\t' || (0x20..0x7f).contains(&c));
    if printable && !head.is_empty() {
        let text: String = head.iter().flat_map(|&c| std::ascii::escape_default(c)).map(char::from).collect();
        format!("\"{text}\"{more}")
    } else {
        format!("{}{more}", hex(head))
    }
}
