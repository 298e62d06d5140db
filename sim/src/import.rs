//! Opening a learner's own capture: classic pcap and pcapng read incrementally (the browser
//! feeds the file slice by slice and shows progress), every frame turned into an Ethernet
//! frame so the packet list, the inspector and the ladder read it as they read a run, and a
//! [`Trace`] built from it ([`trace_from`]).
//!
//! Formats: pcap in either byte order with microsecond (0xa1b2c3d4) or nanosecond
//! (0xa1b23c4d) timestamps; pcapng (section header, interface description, enhanced, simple
//! and obsolete packet blocks) with several sections, each interface's link type, snap length,
//! `if_tsresol` and `if_tsoffset`. Link types: Ethernet (1), Linux cooked SLL (113) and SLL2
//! (276), which `tcpdump -i any` writes, raw IP (101) and raw IPv4 (228), BSD loopback/null
//! (0) and OpenBSD loopback (108). Frames of other link types are counted and left out.
//!
//! The file format is read with `pcap-file`; frames are read with the crate's typed parsers.
//! A damaged file never panics and never makes the reader allocate from a length field it
//! has not checked: every problem becomes one clear sentence in [`Imported::problems`] and
//! every frame that could be read is kept.

use crate::time::{Duration, Instant};
use crate::trace::{
    Event, EventKind, FrameId, FrameRecord, IfaceInfo, LinkId, LinkInfo, NodeId, NodeInfo, NodeKind, Trace,
};
use crate::wire::{
    ethernet, ArpRepr, EtherType, EthernetRepr, IpProtocol, Ipv4Addr, Ipv4Repr, MacAddr, TcpRepr, UdpRepr,
};
use byteorder_slice::{BigEndian, ByteOrder, LittleEndian};
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, RawBlock};
use pcap_file::{Endianness, PcapError, TsResolution};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddrV4;

/// The largest record (frame) the reader accepts: 256 KiB, Wireshark's own ceiling for
/// most link types (`WTAP_MAX_PACKET_SIZE_STANDARD`). A longer one means the file is damaged.
pub const MAX_RECORD: u32 = 256 * 1024;

/// The largest pcapng block that is not a packet (section header, interface description,
/// name resolution, statistics…) the reader accepts.
const MAX_OTHER_BLOCK: u32 = 4 * 1024 * 1024;

/// Link-type numbers (tcpdump.org "LINK-LAYER HEADER TYPES").
pub mod link {
    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    pub const NULL: u32 = 0;
    /// Ethernet II.
    pub const ETHERNET: u32 = 1;
    /// Raw IP: the packet starts with the IPv4 or IPv6 header.
    pub const RAW: u32 = 101;
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub const LOOP: u32 = 108;
    /// Linux cooked capture v1 (16-byte header).
    pub const LINUX_SLL: u32 = 113;
    /// Raw IPv4.
    pub const IPV4: u32 = 228;
    /// Linux cooked capture v2 (20-byte header), what `tcpdump -i any` writes.
    pub const LINUX_SLL2: u32 = 276;
}

/// A name for a link-type number.
pub fn link_type_name(lt: u32) -> &'static str {
    match lt {
        link::NULL => "BSD loopback",
        link::ETHERNET => "Ethernet",
        link::RAW => "raw IP",
        link::LOOP => "OpenBSD loopback",
        link::LINUX_SLL => "Linux cooked (SLL)",
        link::IPV4 => "raw IPv4",
        link::LINUX_SLL2 => "Linux cooked v2 (SLL2)",
        105 => "IEEE 802.11",
        127 => "IEEE 802.11 radiotap",
        229 => "raw IPv6",
        _ => "unsupported",
    }
}

/// Why reading stopped: the file is not a capture, or it is damaged beyond the point where
/// records can be told apart. The frames read before `offset` are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Byte offset in the file where the problem is.
    pub offset: u64,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ImportError {}

/// A capture read into memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// Every frame that could be read, as an Ethernet frame, in file order, with its time
    /// relative to the first frame (a frame stamped earlier than the first is at 0).
    pub frames: Vec<(Instant, FrameRecord)>,
    /// One sentence per problem, in the order found.
    pub problems: Vec<String>,
    /// Frames read per link-type number (see [`link_type_name`]), including those left out.
    pub link_types: BTreeMap<u32, u64>,
    /// The first frame's absolute time, since 1970-01-01 UTC, for display.
    pub first_timestamp: Option<std::time::Duration>,
    /// The largest snap length the file declares (0 if it declares none).
    pub snaplen: u32,
}

/// One pcapng interface.
#[derive(Debug, Clone, Copy)]
struct Iface {
    link: u32,
    snaplen: u32,
    /// `if_tsresol`: high bit clear, 10^-n seconds; set, 2^-n seconds. Default 6 (µs).
    tsresol: u8,
    /// `if_tsoffset` in seconds.
    tsoffset: u64,
}

enum Format {
    /// Nothing read yet.
    Start,
    Pcap(PcapParser),
    PcapNg {
        endian: Endianness,
        ifaces: Vec<Iface>,
    },
}

/// Counts of things reported once at the end rather than frame by frame.
#[derive(Debug, Default)]
struct Tally {
    vlan: u64,
    ipv6: u64,
    other_ethertype: BTreeMap<u16, u64>,
    over_snaplen: u64,
    unsupported_link: BTreeMap<u32, u64>,
    short_link_header: u64,
    bad_raw_version: u64,
    unknown_interface: u64,
    earlier_than_first: u64,
    backwards: u64,
    no_timestamp: u64,
    bad_blocks: u64,
}

/// Reads a pcap or pcapng file fed in chunks of any size.
///
/// ```
/// # use wirewise_sim::import::Importer;
/// let mut imp = Importer::new();
/// imp.push(&[0xd4, 0xc3, 0xb2]).unwrap(); // any split is fine
/// let imported = imp.finish();
/// assert!(imported.frames.is_empty());
/// assert!(!imported.problems.is_empty()); // "the file ends inside its header"
/// ```
pub struct Importer {
    /// Bytes received but not consumed yet (at most one record).
    pending: Vec<u8>,
    /// Bytes received in all.
    received: u64,
    /// File offset of `pending[0]`.
    offset: u64,
    format: Format,
    /// Frames with absolute nanoseconds since the epoch.
    frames: Vec<(u64, FrameRecord)>,
    problems: Vec<String>,
    tally: Tally,
    link_types: BTreeMap<u32, u64>,
    snaplen: u32,
    stopped: Option<ImportError>,
    sections: u32,
    last_ns: u64,
}

impl Default for Importer {
    fn default() -> Self {
        Self::new()
    }
}

/// What one step of the reader did.
enum Step {
    /// Consumed this many bytes.
    Took(usize),
    /// Needs more bytes.
    More,
}

impl Importer {
    /// A reader that has seen nothing yet.
    pub fn new() -> Self {
        Importer {
            pending: Vec::new(),
            received: 0,
            offset: 0,
            format: Format::Start,
            frames: Vec::new(),
            problems: Vec::new(),
            tally: Tally::default(),
            link_types: BTreeMap::new(),
            snaplen: 0,
            stopped: None,
            sections: 0,
            last_ns: 0,
        }
    }

    /// Feeds the next `chunk` of the file. Only bytes of a record not yet complete are kept
    /// between calls. Returns an error when the file is not a capture or is damaged past
    /// recovery; the frames read so far are kept and later chunks are ignored.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        if let Some(e) = &self.stopped {
            return Err(e.clone());
        }
        self.received += chunk.len() as u64;
        let mut pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            let n = self.consume(chunk);
            pending.extend_from_slice(&chunk[n..]);
        } else {
            pending.extend_from_slice(chunk);
            let n = self.consume(&pending);
            pending.drain(..n);
        }
        match &self.stopped {
            Some(e) => Err(e.clone()),
            None => {
                self.pending = pending;
                Ok(())
            }
        }
    }

    /// Bytes fed so far.
    pub fn bytes_read(&self) -> u64 {
        self.received
    }

    /// Frames read so far.
    pub fn frames_read(&self) -> usize {
        self.frames.len()
    }

    /// Ends the file: reports a last record cut short, and returns what was read.
    pub fn finish(mut self) -> Imported {
        if self.stopped.is_none() {
            if self.received == 0 {
                self.problems.push("The file is empty.".into());
            } else if !self.pending.is_empty() {
                let what = match self.format {
                    Format::Start => "its header".to_string(),
                    _ => format!("a record ({} bytes of it present)", self.pending.len()),
                };
                self.problems.push(format!(
                    "The file is truncated: it ends at byte {} inside {what}; the {} frames before it are kept.",
                    self.received,
                    self.frames.len()
                ));
            }
        }
        let t = &self.tally;
        let mut p = std::mem::take(&mut self.problems);
        if t.vlan > 0 {
            p.push(format!("{} frames carried 802.1Q VLAN tags; the tags were removed.", t.vlan));
        }
        if t.ipv6 > 0 {
            p.push(format!("{} IPv6 frames are listed but not decoded.", t.ipv6));
        }
        for (et, n) in &t.other_ethertype {
            let name = EtherType(*et).name().map(|s| format!(" ({s})")).unwrap_or_default();
            p.push(format!("{n} frames of EtherType {et:#06x}{name} are listed but not decoded."));
        }
        for (lt, n) in &t.unsupported_link {
            p.push(format!(
                "{n} frames of link type {lt} ({}) were left out: only Ethernet, Linux cooked, raw IP and loopback captures can be read.",
                link_type_name(*lt)
            ));
        }
        if t.over_snaplen > 0 {
            p.push(format!("{} records were longer than the file's snap length; they were kept.", t.over_snaplen));
        }
        if t.short_link_header > 0 {
            p.push(format!(
                "{} frames were shorter than their link-layer header and were left out.",
                t.short_link_header
            ));
        }
        if t.bad_raw_version > 0 {
            p.push(format!("{} raw-IP frames were neither IPv4 nor IPv6 and were left out.", t.bad_raw_version));
        }
        if t.unknown_interface > 0 {
            p.push(format!(
                "{} packets named an interface the file never described and were left out.",
                t.unknown_interface
            ));
        }
        if t.bad_blocks > 0 {
            p.push(format!("{} pcapng blocks could not be read and were skipped.", t.bad_blocks));
        }
        if t.no_timestamp > 0 {
            p.push(format!(
                "{} simple packet blocks carry no time; each was given the time of the frame before it.",
                t.no_timestamp
            ));
        }
        if t.backwards > 0 {
            p.push(format!("{} frames are stamped earlier than the frame before them.", t.backwards));
        }
        if t.earlier_than_first > 0 {
            p.push(format!(
                "{} frames are stamped earlier than the first frame; their relative time is shown as 0.",
                t.earlier_than_first
            ));
        }
        if self.sections > 1 {
            p.push(format!("The file has {} pcapng sections; their frames are read in file order.", self.sections));
        }
        if self.frames.is_empty() && self.received > 0 && p.is_empty() {
            p.push("The capture holds no frames.".into());
        }
        let first = self.frames.first().map(|f| f.0);
        let frames =
            self.frames.into_iter().map(|(ns, rec)| (Instant(ns.saturating_sub(first.unwrap_or(0))), rec)).collect();
        Imported {
            frames,
            problems: p,
            link_types: self.link_types,
            first_timestamp: first.map(std::time::Duration::from_nanos),
            snaplen: self.snaplen,
        }
    }

    fn stop(&mut self, at: usize, message: String) {
        let offset = self.offset + at as u64;
        let message =
            format!("{message}; reading stopped there and the {} frames before it are kept", self.frames.len());
        self.problems.push(format!("At byte {offset}: {message}."));
        self.stopped = Some(ImportError { offset, message });
    }

    /// Reads as many whole records from `data` as there are; returns the bytes consumed.
    fn consume(&mut self, data: &[u8]) -> usize {
        let mut at = 0;
        while self.stopped.is_none() {
            let step = match self.format {
                Format::Start => self.header(&data[at..], at),
                Format::Pcap(_) => self.pcap_record(&data[at..], at),
                Format::PcapNg { endian: Endianness::Big, .. } => self.ng_block::<BigEndian>(&data[at..], at),
                Format::PcapNg { endian: Endianness::Little, .. } => self.ng_block::<LittleEndian>(&data[at..], at),
            };
            match step {
                Step::Took(n) => at += n,
                Step::More => break,
            }
        }
        self.offset += at as u64;
        at
    }

    fn header(&mut self, data: &[u8], at: usize) -> Step {
        let Some(magic) = data.get(..4) else { return Step::More };
        match magic {
            [0x0a, 0x0d, 0x0d, 0x0a] => {
                // The section header's own block is read like every other block.
                self.format = Format::PcapNg { endian: Endianness::Big, ifaces: Vec::new() };
                Step::Took(0)
            }
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1] => match PcapParser::new(data) {
                Ok((rest, parser)) => {
                    let h = parser.header();
                    self.snaplen = h.snaplen;
                    let lt = u32::from(h.datalink);
                    if !supported(lt) {
                        self.problems.push(format!(
                                "The capture's link type is {lt} ({}); only Ethernet, Linux cooked, raw IP and loopback captures can be read.",
                                link_type_name(lt)
                            ));
                    }
                    self.format = Format::Pcap(parser);
                    Step::Took(data.len() - rest.len())
                }
                Err(PcapError::IncompleteBuffer) => Step::More,
                Err(e) => {
                    self.stop(at, format!("the pcap header cannot be read ({e})"));
                    Step::More
                }
            },
            [0x1f, 0x8b, ..] => {
                self.stop(at, "this is a gzip-compressed file; decompress it first".into());
                Step::More
            }
            m => {
                self.stop(
                    at,
                    format!(
                        "this is not a pcap or pcapng file (it starts with {:02x} {:02x} {:02x} {:02x})",
                        m[0], m[1], m[2], m[3]
                    ),
                );
                Step::More
            }
        }
    }

    fn pcap_record(&mut self, data: &[u8], at: usize) -> Step {
        let Format::Pcap(parser) = &self.format else { return Step::More };
        let h = parser.header();
        let Some(len) = data.get(8..12) else { return Step::More };
        let len = match h.endianness {
            Endianness::Big => BigEndian::read_u32(len),
            Endianness::Little => LittleEndian::read_u32(len),
        };
        if len > MAX_RECORD {
            self.stop(at, format!("a record claims {len} bytes, more than {MAX_RECORD}: the file is damaged here"));
            return Step::More;
        }
        let p = match parser.next_raw_packet(data) {
            Ok((_, p)) => p,
            Err(PcapError::IncompleteBuffer) => return Step::More,
            Err(e) => {
                self.stop(at, format!("a record cannot be read ({e})"));
                return Step::More;
            }
        };
        if h.snaplen > 0 && p.incl_len > h.snaplen {
            self.tally.over_snaplen += 1;
        }
        let frac = match h.ts_resolution {
            TsResolution::MicroSecond => u64::from(p.ts_frac) * 1000,
            TsResolution::NanoSecond => u64::from(p.ts_frac),
        };
        let ns = u64::from(p.ts_sec) * 1_000_000_000 + frac;
        let (lt, orig) = (u32::from(h.datalink), p.orig_len);
        let data_len = p.data.len();
        self.frame(lt, &data[16..16 + data_len], orig, ns);
        Step::Took(16 + data_len)
    }

    fn ng_block<B: ByteOrder>(&mut self, data: &[u8], at: usize) -> Step {
        if data.len() < 12 {
            return Step::More;
        }
        let kind = B::read_u32(&data[0..4]);
        const SHB: u32 = 0x0a0d_0d0a;
        let len = if kind == SHB {
            match &data[8..12] {
                [0x1a, 0x2b, 0x3c, 0x4d] => BigEndian::read_u32(&data[4..8]),
                [0x4d, 0x3c, 0x2b, 0x1a] => LittleEndian::read_u32(&data[4..8]),
                _ => {
                    self.stop(at, "a pcapng section header has a bad byte-order magic".into());
                    return Step::More;
                }
            }
        } else {
            B::read_u32(&data[4..8])
        };
        let packet = matches!(kind, 2 | 3 | 6);
        let max = if packet { MAX_RECORD + 64 * 1024 } else { MAX_OTHER_BLOCK };
        if len > max || len < 12 || len % 4 != 0 {
            self.stop(
                at,
                format!("a pcapng block (type {kind:#x}) claims a length of {len} bytes: the file is damaged here"),
            );
            return Step::More;
        }
        if data.len() < len as usize {
            return Step::More;
        }
        let take = len as usize;
        if kind == SHB {
            // A new section: its own byte order, no interfaces yet.
            let endian = if data[8] == 0x1a { Endianness::Big } else { Endianness::Little };
            let ok = match endian {
                Endianness::Big => RawBlock::from_slice::<BigEndian>(data).is_ok(),
                Endianness::Little => RawBlock::from_slice::<LittleEndian>(data).is_ok(),
            };
            if !ok {
                self.stop(at, "a pcapng section header is malformed".into());
                return Step::More;
            }
            self.sections += 1;
            self.format = Format::PcapNg { endian, ifaces: Vec::new() };
            return Step::Took(take);
        }
        let raw = match RawBlock::from_slice::<B>(data) {
            Ok((_, raw)) => raw,
            Err(e) => {
                self.stop(at, format!("a pcapng block cannot be read ({e})"));
                return Step::More;
            }
        };
        let block = raw.try_into_block::<B>();
        let Format::PcapNg { ifaces, .. } = &mut self.format else { return Step::More };
        match (kind, block) {
            (1, Ok(Block::InterfaceDescription(idb))) => {
                let mut i = Iface { link: u32::from(idb.linktype), snaplen: idb.snaplen, tsresol: 6, tsoffset: 0 };
                for o in &idb.options {
                    match o {
                        InterfaceDescriptionOption::IfTsResol(r) => i.tsresol = *r,
                        InterfaceDescriptionOption::IfTsOffset(s) => i.tsoffset = *s,
                        _ => {}
                    }
                }
                ifaces.push(i);
                self.snaplen = self.snaplen.max(i.snaplen);
                if !supported(i.link) {
                    let n = ifaces.len() - 1;
                    self.problems.push(format!(
                        "Interface {n} has link type {} ({}); its frames are left out.",
                        i.link,
                        link_type_name(i.link)
                    ));
                }
            }
            (1, Err(_)) => {
                // Keep the interface numbering right: its link type and snap length are the
                // first fields of the body; the options could not be read.
                let body = &data[8..take - 4];
                let link = body.get(0..2).map_or(0, |b| u32::from(B::read_u16(b)));
                let snaplen = body.get(4..8).map_or(0, B::read_u32);
                ifaces.push(Iface { link, snaplen, tsresol: 6, tsoffset: 0 });
                self.tally.bad_blocks += 1;
            }
            (6, Ok(Block::EnhancedPacket(p))) => {
                let units = p.timestamp.as_nanos() as u64;
                match ifaces.get(p.interface_id as usize).copied() {
                    Some(i) => {
                        let ns = to_nanos(units, i.tsresol, i.tsoffset);
                        self.frame(i.link, &p.data, p.original_len, ns);
                    }
                    None => self.tally.unknown_interface += 1,
                }
            }
            (2, Ok(Block::Packet(p))) => match ifaces.get(usize::from(p.interface_id)).copied() {
                Some(i) => {
                    let ns = to_nanos(p.timestamp, i.tsresol, i.tsoffset);
                    self.frame(i.link, &p.data, p.original_len, ns);
                }
                None => self.tally.unknown_interface += 1,
            },
            (3, Ok(Block::SimplePacket(p))) => match ifaces.first().copied() {
                Some(i) => {
                    // The body is padded to 32 bits; the captured length is the original
                    // length cut at the interface's snap length.
                    let mut cap = (p.original_len as usize).min(p.data.len());
                    if i.snaplen > 0 {
                        cap = cap.min(i.snaplen as usize);
                    }
                    self.tally.no_timestamp += 1;
                    let ns = self.last_ns;
                    self.frame(i.link, &p.data[..cap], p.original_len, ns);
                }
                None => self.tally.unknown_interface += 1,
            },
            (2 | 3 | 6, _) => self.tally.bad_blocks += 1,
            _ => {}
        }
        Step::Took(take)
    }

    /// Turns one captured record into an Ethernet frame and keeps it.
    fn frame(&mut self, lt: u32, data: &[u8], orig_len: u32, ns: u64) {
        *self.link_types.entry(lt).or_default() += 1;
        let orig_len = orig_len.max(data.len() as u32);
        let Some(rec) = to_ethernet(lt, data, orig_len, &mut self.tally) else { return };
        match EthernetRepr::parse(&rec.bytes).map(|(e, _)| e.ethertype) {
            Ok(EtherType::IPV4) | Ok(EtherType::ARP) => {}
            Ok(EtherType(0x86dd)) => self.tally.ipv6 += 1,
            Ok(EtherType(t)) => *self.tally.other_ethertype.entry(t).or_default() += 1,
            Err(_) => {}
        }
        if let Some(&(first, _)) = self.frames.first() {
            if ns < first {
                self.tally.earlier_than_first += 1;
            }
            if ns < self.last_ns {
                self.tally.backwards += 1;
            }
        }
        self.last_ns = ns;
        self.frames.push((ns, rec));
    }
}

fn supported(lt: u32) -> bool {
    matches!(lt, link::NULL | link::ETHERNET | link::RAW | link::LOOP | link::LINUX_SLL | link::IPV4 | link::LINUX_SLL2)
}

/// A pcapng timestamp in `units` of the interface's resolution, plus its offset in seconds,
/// as nanoseconds since the epoch (saturating).
fn to_nanos(units: u64, tsresol: u8, offset_s: u64) -> u64 {
    let n = u32::from(tsresol & 0x7f);
    let ns: u128 = if tsresol & 0x80 != 0 {
        if n >= 128 {
            0
        } else {
            (u128::from(units) * 1_000_000_000) >> n
        }
    } else if n <= 9 {
        u128::from(units) * 10u128.pow(9 - n)
    } else if n <= 38 {
        u128::from(units) / 10u128.pow(n - 9)
    } else {
        0
    };
    let total = ns + u128::from(offset_s) * 1_000_000_000;
    u64::try_from(total).unwrap_or(u64::MAX)
}

/// Field offsets of the Linux cooked headers (`pcap-linktype(7)`, LINKTYPE_LINUX_SLL and
/// LINKTYPE_LINUX_SLL2).
mod sll {
    use core::ops::Range;
    /// SLL: packet type (0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us).
    pub const PKTTYPE: Range<usize> = 0..2;
    /// SLL: link-layer address length.
    pub const ADDR_LEN: Range<usize> = 4..6;
    /// SLL: link-layer address of the sender (first 8 bytes).
    pub const ADDR: Range<usize> = 6..14;
    /// SLL: protocol (an EtherType for Ethernet devices).
    pub const PROTOCOL: Range<usize> = 14..16;
    /// SLL header length.
    pub const LEN: usize = 16;
    /// SLL2: protocol.
    pub const V2_PROTOCOL: Range<usize> = 0..2;
    /// SLL2: packet type.
    pub const V2_PKTTYPE: usize = 10;
    /// SLL2: link-layer address length.
    pub const V2_ADDR_LEN: usize = 11;
    /// SLL2: link-layer address of the sender.
    pub const V2_ADDR: Range<usize> = 12..20;
    /// SLL2 header length.
    pub const V2_LEN: usize = 20;
    /// Packet type "broadcast".
    pub const BROADCAST: u16 = 1;
}

/// `data` as an Ethernet II frame: Ethernet frames lose their VLAN tags; cooked, raw-IP and
/// loopback frames get a synthesised header (MACs from a cooked header, zeros otherwise).
fn to_ethernet(lt: u32, data: &[u8], orig_len: u32, tally: &mut Tally) -> Option<FrameRecord> {
    let be16 = |r: core::ops::Range<usize>| u16::from_be_bytes([data[r.start], data[r.start + 1]]);
    let (dst, src, ethertype, skip) = match lt {
        link::ETHERNET => {
            let mut bytes = data.to_vec();
            let mut orig = orig_len;
            let mut tagged = false;
            while bytes.len() >= ethernet::HEADER_LEN + 4
                && matches!(bytes[12..14], [0x81, 0x00] | [0x88, 0xa8] | [0x91, 0x00])
            {
                bytes.drain(12..16);
                orig = orig.saturating_sub(4);
                tagged = true;
            }
            tally.vlan += u64::from(tagged);
            return Some(FrameRecord { bytes, orig_len: orig });
        }
        link::LINUX_SLL => {
            if data.len() < sll::LEN {
                tally.short_link_header += 1;
                return None;
            }
            let src = if be16(sll::ADDR_LEN) == 6 { MacAddr::from_slice(&data[sll::ADDR]) } else { MacAddr::ZERO };
            let dst = if be16(sll::PKTTYPE) == sll::BROADCAST { MacAddr::BROADCAST } else { MacAddr::ZERO };
            (dst, src, be16(sll::PROTOCOL), sll::LEN)
        }
        link::LINUX_SLL2 => {
            if data.len() < sll::V2_LEN {
                tally.short_link_header += 1;
                return None;
            }
            let src =
                if data[sll::V2_ADDR_LEN] == 6 { MacAddr::from_slice(&data[sll::V2_ADDR]) } else { MacAddr::ZERO };
            let broadcast = u16::from(data[sll::V2_PKTTYPE]) == sll::BROADCAST;
            let dst = if broadcast { MacAddr::BROADCAST } else { MacAddr::ZERO };
            (dst, src, be16(sll::V2_PROTOCOL), sll::V2_LEN)
        }
        link::RAW | link::IPV4 => match data.first().map(|b| b >> 4) {
            Some(4) => (MacAddr::ZERO, MacAddr::ZERO, EtherType::IPV4.0, 0),
            Some(6) if lt == link::RAW => (MacAddr::ZERO, MacAddr::ZERO, 0x86dd, 0),
            _ => {
                tally.bad_raw_version += 1;
                return None;
            }
        },
        link::NULL | link::LOOP => {
            let Some(af) = data.get(0..4) else {
                tally.short_link_header += 1;
                return None;
            };
            let af =
                [u32::from_be_bytes([af[0], af[1], af[2], af[3]]), u32::from_le_bytes([af[0], af[1], af[2], af[3]])];
            // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD.
            let ethertype = if af.contains(&2) {
                EtherType::IPV4.0
            } else if af.iter().any(|a| matches!(a, 24 | 28 | 30)) {
                0x86dd
            } else {
                0
            };
            (MacAddr::ZERO, MacAddr::ZERO, ethertype, 4)
        }
        other => {
            *tally.unsupported_link.entry(other).or_default() += 1;
            return None;
        }
    };
    let mut bytes = Vec::with_capacity(ethernet::HEADER_LEN + data.len() - skip);
    EthernetRepr { dst, src, ethertype: EtherType(ethertype) }.emit(&mut bytes);
    bytes.extend_from_slice(&data[skip..]);
    let orig_len = (orig_len - skip as u32).saturating_add(ethernet::HEADER_LEN as u32);
    Some(FrameRecord { bytes, orig_len })
}

/// Who sent or received a frame, for [`trace_from`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Endpoint {
    Ip(Ipv4Addr),
    /// A TCP or UDP endpoint of a conversation within one address (loopback).
    Socket(SocketAddrV4),
    Mac(MacAddr),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Ip(a) => a.fmt(f),
            Endpoint::Socket(s) => s.fmt(f),
            Endpoint::Mac(m) => m.fmt(f),
        }
    }
}

/// The sender and receiver of an Ethernet frame: IPv4 addresses for IPv4; for TCP and UDP
/// between two sockets of one address (a loopback capture), the sockets; for ARP, the asking
/// and the asked-for address; otherwise the MAC addresses.
fn endpoints(bytes: &[u8]) -> (Endpoint, Endpoint, MacAddr, MacAddr) {
    let Ok((eth, rest)) = EthernetRepr::parse(bytes) else {
        return (Endpoint::Mac(MacAddr::ZERO), Endpoint::Mac(MacAddr::ZERO), MacAddr::ZERO, MacAddr::ZERO);
    };
    let macs = (Endpoint::Mac(eth.src), Endpoint::Mac(eth.dst), eth.src, eth.dst);
    match eth.ethertype {
        EtherType::IPV4 => {
            let Ok((ip, payload, _)) = Ipv4Repr::parse_captured(rest) else { return macs };
            if ip.src == ip.dst && !ip.is_fragment() {
                let ports = match ip.protocol {
                    IpProtocol::TCP => TcpRepr::parse_header(payload).ok().map(|(t, _)| (t.src_port, t.dst_port)),
                    IpProtocol::UDP => UdpRepr::parse_captured(payload).ok().map(|u| (u.src_port, u.dst_port)),
                    _ => None,
                };
                if let Some((s, d)) = ports {
                    return (
                        Endpoint::Socket(SocketAddrV4::new(ip.src, s)),
                        Endpoint::Socket(SocketAddrV4::new(ip.dst, d)),
                        eth.src,
                        eth.dst,
                    );
                }
            }
            (Endpoint::Ip(ip.src), Endpoint::Ip(ip.dst), eth.src, eth.dst)
        }
        EtherType::ARP => match ArpRepr::parse(rest) {
            Ok(a) => (Endpoint::Ip(a.sender_ip), Endpoint::Ip(a.target_ip), eth.src, eth.dst),
            Err(_) => macs,
        },
        _ => macs,
    }
}

/// A trace of an imported capture, so every view of a run shows it: one host per endpoint (an
/// IPv4 address; a MAC address for frames without one; `address:port` for a conversation
/// inside one address, as on loopback), named by its address, a link per pair of endpoints,
/// and each frame as a `FrameTx` and a `FrameRx` at its capture time with zero transit, in
/// capture order. A frame stamped earlier than the one before it is placed at that one's
/// time, so the events stay in time order.
pub fn trace_from(imported: &Imported) -> Trace {
    let mut nodes: Vec<NodeInfo> = Vec::new();
    let mut node_of: HashMap<Endpoint, NodeId> = HashMap::new();
    let mut links: Vec<LinkInfo> = Vec::new();
    let mut link_of: HashMap<(NodeId, NodeId), LinkId> = HashMap::new();
    let mut events = Vec::with_capacity(imported.frames.len() * 2);
    let mut frames = Vec::with_capacity(imported.frames.len());
    let mut now = Instant::ZERO;
    for (t, rec) in &imported.frames {
        let (s, d, smac, dmac) = endpoints(&rec.bytes);
        let mut node = |e: Endpoint| -> Option<NodeId> {
            if let Some(&n) = node_of.get(&e) {
                return Some(n);
            }
            let id = NodeId::try_from(nodes.len()).ok()?;
            nodes.push(NodeInfo { name: e.to_string(), kind: NodeKind::Host, ifaces: Vec::new() });
            node_of.insert(e, id);
            Some(id)
        };
        // Past 65,536 endpoints or links the trace cannot number more; such frames are left
        // out of the trace (the packet list of the capture itself still has them).
        let (Some(from), Some(to)) = (node(s), node(d)) else { continue };
        let key = (from.min(to), from.max(to));
        let link = match link_of.get(&key) {
            Some(&l) => l,
            None => {
                let Ok(l) = LinkId::try_from(links.len()) else { continue };
                links.push(LinkInfo { a: key.0, b: key.1, bandwidth_bps: 0, delay: Duration::ZERO, mtu: 1500 });
                link_of.insert(key, l);
                for (n, e, mac) in [(from, s, smac), (to, d, dmac)] {
                    let ip = match e {
                        Endpoint::Ip(a) => Some((a, 32)),
                        Endpoint::Socket(sa) => Some((*sa.ip(), 32)),
                        Endpoint::Mac(_) => None,
                    };
                    // A frame from an endpoint to itself plugs it into its link once.
                    if n != to || from != to {
                        nodes[usize::from(n)].ifaces.push(IfaceInfo { link: l, mac, ip });
                    }
                }
                l
            }
        };
        now = now.max(*t);
        let frame = frames.len() as FrameId;
        frames.push(rec.clone());
        let tx = EventKind::FrameTx { frame, link, from, to, arrives: now, depth_packets: 0, depth_bytes: 0 };
        events.push(Event { t: now, kind: tx });
        events.push(Event { t: now, kind: EventKind::FrameRx { frame, link, node: to } });
    }
    Trace {
        nodes,
        links,
        sockets: Vec::new(),
        frames,
        events,
        end: now,
        snaplen: if imported.snaplen == 0 { MAX_RECORD } else { imported.snaplen },
        truncated: false,
        limit: None,
    }
}
