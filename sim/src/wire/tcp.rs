//! The TCP header (RFC 9293 §3.1) and its options, written in Linux's order.

use super::WireError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;

/// Length of the TCP header without options.
pub const HEADER_LEN: usize = 20;

/// The eight TCP flag bits (CWR ECE URG ACK PSH RST SYN FIN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// Synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// Reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// Push.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// The acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(0x10);
    /// Urgent pointer is significant.
    pub const URG: TcpFlags = TcpFlags(0x20);
    /// ECN echo.
    pub const ECE: TcpFlags = TcpFlags(0x40);
    /// Congestion window reduced.
    pub const CWR: TcpFlags = TcpFlags(0x80);

    /// True if every bit of `other` is set.
    pub const fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Both sets of bits.
    pub const fn union(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | other.0)
    }
    /// The SYN bit.
    pub const fn syn(self) -> bool {
        self.contains(Self::SYN)
    }
    /// The ACK bit.
    pub const fn ack(self) -> bool {
        self.contains(Self::ACK)
    }
    /// The FIN bit.
    pub const fn fin(self) -> bool {
        self.contains(Self::FIN)
    }
    /// The RST bit.
    pub const fn rst(self) -> bool {
        self.contains(Self::RST)
    }
}

impl core::ops::BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, rhs: TcpFlags) -> TcpFlags {
        self.union(rhs)
    }
}

impl fmt::Display for TcpFlags {
    /// Wireshark's style: `SYN, ACK`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(TcpFlags, &str); 8] = [
            (TcpFlags::CWR, "CWR"),
            (TcpFlags::ECE, "ECE"),
            (TcpFlags::URG, "URG"),
            (TcpFlags::FIN, "FIN"),
            (TcpFlags::SYN, "SYN"),
            (TcpFlags::RST, "RST"),
            (TcpFlags::PSH, "PSH"),
            (TcpFlags::ACK, "ACK"),
        ];
        let mut first = true;
        for (flag, name) in NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str(", ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// The TCP options this simulation speaks. On emit they are laid out as Linux's
/// `tcp_options_write` does: MSS; then SACK_PERM sharing a word with timestamps
/// (`04 02 08 0a TSval TSecr`) or, without timestamps, `01 01 04 02`; timestamps alone as
/// `01 01 08 0a …`; window scale as `01 03 03 ws`; SACK blocks as `01 01 05 len …`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TcpOptions {
    /// Maximum segment size (kind 2, SYN only).
    pub mss: Option<u16>,
    /// Window scale shift count (kind 3, SYN only, RFC 7323 §2).
    pub window_scale: Option<u8>,
    /// SACK permitted (kind 4, SYN only, RFC 2018).
    pub sack_permitted: bool,
    /// Timestamps TSval, TSecr (kind 8, RFC 7323 §3).
    pub timestamps: Option<(u32, u32)>,
    /// SACK blocks (kind 5), left and right edges; at most 4 (3 with timestamps).
    pub sack_blocks: Vec<(u32, u32)>,
    /// TCP Fast Open (kind 34, RFC 7413 §4.1.1): `Some(empty)` is a cookie request,
    /// `Some(cookie)` carries a 4..=16-byte cookie (Linux sends 8).
    #[serde(default)]
    pub fast_open: Option<Vec<u8>>,
}

/// A TCP segment. The checksum is computed on emit over the IPv4 pseudo-header; data offset
/// follows from the options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number of the first byte (or of the SYN/FIN).
    pub seq: u32,
    /// Next sequence number expected from the peer (meaningful with ACK).
    pub ack: u32,
    /// Flag bits.
    pub flags: TcpFlags,
    /// Raw 16-bit window field (scaled by the peer's shift, except in SYNs).
    pub window: u16,
    /// Urgent pointer.
    pub urgent: u16,
    /// Options.
    pub options: TcpOptions,
    /// Data bytes.
    pub payload: Vec<u8>,
}

impl TcpRepr {
    /// Sequence space this segment occupies: payload plus one for SYN and one for FIN.
    pub fn seq_len(&self) -> u32 {
        self.payload.len() as u32 + self.flags.syn() as u32 + self.flags.fin() as u32
    }
}

/// Field offsets of the TCP header (RFC 9293 §3.1, "Header Format").
pub mod field {
    use core::ops::Range;
    /// Source port.
    pub const SRC_PORT: Range<usize> = 0..2;
    /// Destination port.
    pub const DST_PORT: Range<usize> = 2..4;
    /// Sequence number.
    pub const SEQ_NUM: Range<usize> = 4..8;
    /// Acknowledgment number.
    pub const ACK_NUM: Range<usize> = 8..12;
    /// Data offset (high 4 bits, header length in 32-bit words) and reserved bits (low 4).
    pub const DOFF: usize = 12;
    /// The eight flag bits CWR ECE URG ACK PSH RST SYN FIN.
    pub const FLAGS: usize = 13;
    /// Receive window.
    pub const WIN_SIZE: Range<usize> = 14..16;
    /// Checksum over the pseudo-header, header and data.
    pub const CHECKSUM: Range<usize> = 16..18;
    /// Urgent pointer.
    pub const URGENT: Range<usize> = 18..20;
    /// Start of the options.
    pub const OPTIONS: usize = 20;
}

/// The most option bytes a header can carry: data offset 15 words minus the fixed 5
/// (RFC 9293 §3.1; Linux `MAX_TCP_OPTION_SPACE`).
pub const MAX_OPTIONS_LEN: usize = 40;

/// Option kinds (RFC 9293 §3.2; IANA "TCP Option Kind Numbers").
pub mod opt {
    /// End of option list (RFC 9293 §3.2).
    pub const EOL: u8 = 0;
    /// No-operation, used as padding (RFC 9293 §3.2).
    pub const NOP: u8 = 1;
    /// Maximum segment size (RFC 9293 §3.2, §3.7.1).
    pub const MSS: u8 = 2;
    /// Window scale (RFC 7323 §2).
    pub const WS: u8 = 3;
    /// SACK permitted (RFC 2018 §2).
    pub const SACK_PERM: u8 = 4;
    /// SACK blocks (RFC 2018 §3).
    pub const SACK: u8 = 5;
    /// Timestamps (RFC 7323 §3).
    pub const TIMESTAMP: u8 = 8;
    /// TCP Fast Open cookie (RFC 7413 §4.1.1; Linux `TCPOPT_FASTOPEN`).
    pub const FAST_OPEN: u8 = 34;
}

impl TcpOptions {
    /// How many SACK blocks Linux puts in a header holding these options: as many as fit in
    /// the option space left (`tcp_established_options`, net/ipv4/tcp_output.c), at most 4.
    pub fn sack_blocks_that_fit(&self) -> usize {
        let used = self.mss.map_or(0, |_| 4)
            + if self.timestamps.is_some() { 12 } else { 0 }
            + if self.sack_permitted && self.timestamps.is_none() { 4 } else { 0 }
            + self.window_scale.map_or(0, |_| 4)
            + self.fast_open_len();
        let room = MAX_OPTIONS_LEN.saturating_sub(used);
        if room < 4 + 8 {
            return 0;
        }
        self.sack_blocks.len().min((room - 4) / 8).min(4)
    }

    /// Length of the options on the wire, always a multiple of 4.
    pub fn buffer_len(&self) -> usize {
        let blocks = self.sack_blocks_that_fit();
        self.mss.map_or(0, |_| 4)
            + if self.timestamps.is_some() { 12 } else { 0 }
            + if self.sack_permitted && self.timestamps.is_none() { 4 } else { 0 }
            + self.window_scale.map_or(0, |_| 4)
            + if blocks > 0 { 4 + 8 * blocks } else { 0 }
            + self.fast_open_len()
    }

    /// Bytes the Fast Open option takes on the wire: kind, length and cookie rounded up to a
    /// 32-bit word (`tcp_options_write`: `ptr += (len + 3) >> 2`).
    fn fast_open_len(&self) -> usize {
        self.fast_open.as_ref().map_or(0, |c| (2 + c.len().min(16) + 3) & !3)
    }

    /// Appends the options exactly as Linux's `tcp_options_write` lays them out, each item
    /// padded to a 32-bit word with leading NOPs:
    /// MSS `02 04 mss`; timestamps `01 01 08 0a TSval TSecr`, or `04 02 08 0a …` when
    /// SACK_PERM shares the word; SACK_PERM alone `01 01 04 02`; window scale `01 03 03 ws`;
    /// SACK blocks `01 01 05 len` + edges; Fast Open last, `22 len cookie` padded after with
    /// NOPs (`22 02 01 01` for a cookie request). SACK blocks that do not fit in the 40-byte option
    /// space are left out, as Linux does.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        if let Some(mss) = self.mss {
            buf.extend_from_slice(&[opt::MSS, 4]);
            buf.extend_from_slice(&mss.to_be_bytes());
        }
        if let Some((tsval, tsecr)) = self.timestamps {
            if self.sack_permitted {
                buf.extend_from_slice(&[opt::SACK_PERM, 2, opt::TIMESTAMP, 10]);
            } else {
                buf.extend_from_slice(&[opt::NOP, opt::NOP, opt::TIMESTAMP, 10]);
            }
            buf.extend_from_slice(&tsval.to_be_bytes());
            buf.extend_from_slice(&tsecr.to_be_bytes());
        } else if self.sack_permitted {
            buf.extend_from_slice(&[opt::NOP, opt::NOP, opt::SACK_PERM, 2]);
        }
        if let Some(ws) = self.window_scale {
            buf.extend_from_slice(&[opt::NOP, opt::WS, 3, ws]);
        }
        let blocks = self.sack_blocks_that_fit();
        if blocks > 0 {
            buf.extend_from_slice(&[opt::NOP, opt::NOP, opt::SACK, (2 + 8 * blocks) as u8]);
            for (l, r) in &self.sack_blocks[..blocks] {
                buf.extend_from_slice(&l.to_be_bytes());
                buf.extend_from_slice(&r.to_be_bytes());
            }
        }
        if let Some(cookie) = &self.fast_open {
            let cookie = &cookie[..cookie.len().min(16)];
            let len = 2 + cookie.len();
            buf.extend_from_slice(&[opt::FAST_OPEN, len as u8]);
            buf.extend_from_slice(cookie);
            // Linux pads after the cookie, not before (`(len & 3) == 2` → two NOPs).
            buf.resize(buf.len() + ((4 - len % 4) % 4), opt::NOP);
        }
    }

    /// Reads options in any legal order (RFC 9293 §3.2): EOL ends the list, NOP is skipped,
    /// unknown kinds are skipped by their length. A length byte below 2 or running past the
    /// options, or a known option with the wrong length (MSS 4, WS 3, SACK_PERM 2, SACK 2+8n
    /// with n ≥ 1, timestamps 10, Fast Open 2 or 6..=18), is `Malformed`. A repeated option keeps the last value.
    pub fn parse(bytes: &[u8]) -> Result<TcpOptions, WireError> {
        let mut o = TcpOptions::default();
        let mut i = 0;
        while i < bytes.len() {
            let kind = bytes[i];
            match kind {
                opt::EOL => break,
                opt::NOP => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let Some(&len) = bytes.get(i + 1) else {
                return Err(malformed(format!("option kind {kind} has no length byte")));
            };
            let len = usize::from(len);
            if len < 2 || i + len > bytes.len() {
                return Err(malformed(format!("option kind {kind} has bad length {len}")));
            }
            let body = &bytes[i + 2..i + len];
            let be32 = |j: usize| u32::from_be_bytes([body[j], body[j + 1], body[j + 2], body[j + 3]]);
            let want = |ok: bool, name: &str| {
                if ok {
                    Ok(())
                } else {
                    Err(malformed(format!("{name} option has bad length {len}")))
                }
            };
            match kind {
                opt::MSS => {
                    want(len == 4, "MSS")?;
                    o.mss = Some(u16::from_be_bytes([body[0], body[1]]));
                }
                opt::WS => {
                    want(len == 3, "window scale")?;
                    o.window_scale = Some(body[0]);
                }
                opt::SACK_PERM => {
                    want(len == 2, "SACK permitted")?;
                    o.sack_permitted = true;
                }
                opt::SACK => {
                    want(len >= 10 && (len - 2) % 8 == 0, "SACK")?;
                    o.sack_blocks = (0..(len - 2) / 8).map(|n| (be32(8 * n), be32(8 * n + 4))).collect();
                }
                opt::TIMESTAMP => {
                    want(len == 10, "timestamps")?;
                    o.timestamps = Some((be32(0), be32(4)));
                }
                opt::FAST_OPEN => {
                    want(len == 2 || (6..=18).contains(&len), "Fast Open")?;
                    o.fast_open = Some(body.to_vec());
                }
                _ => {}
            }
            i += len;
        }
        Ok(o)
    }
}

fn malformed(what: String) -> WireError {
    WireError::Malformed { layer: "TCP", what }
}

impl TcpRepr {
    /// Length of the header (20 bytes plus options).
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.options.buffer_len()
    }

    /// Length of the segment on the wire.
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload.len()
    }

    /// Appends the segment: the RFC 9293 §3.1 header with the data offset taken from the
    /// options' length, the options in Linux's order ([`TcpOptions::emit`]), the data, and the
    /// checksum over the IPv4 pseudo-header, header and data. Reserved bits are zero.
    pub fn emit(&self, src_ip: Ipv4Addr, dst_ip: Ipv4Addr, buf: &mut Vec<u8>) {
        let start = buf.len();
        buf.extend_from_slice(&self.src_port.to_be_bytes());
        buf.extend_from_slice(&self.dst_port.to_be_bytes());
        buf.extend_from_slice(&self.seq.to_be_bytes());
        buf.extend_from_slice(&self.ack.to_be_bytes());
        buf.push(((self.header_len() / 4) as u8) << 4);
        buf.push(self.flags.0);
        buf.extend_from_slice(&self.window.to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&self.urgent.to_be_bytes());
        self.options.emit(buf);
        buf.extend_from_slice(&self.payload);
        let sum = super::checksum::transport(src_ip, dst_ip, 6, &buf[start..]);
        buf[start + 16..start + 18].copy_from_slice(&sum.to_be_bytes());
    }

    /// Reads a segment (the whole IP payload): data offset ≥ 5 and within the bytes
    /// (RFC 9293 §3.1), the checksum over the pseudo-header (MUST-2/MUST-3), then the options
    /// ([`TcpOptions::parse`]). The reserved bits are ignored (RFC 9293 §3.1).
    pub fn parse(bytes: &[u8], src_ip: Ipv4Addr, dst_ip: Ipv4Addr) -> Result<TcpRepr, WireError> {
        if bytes.len() >= HEADER_LEN && super::checksum::transport(src_ip, dst_ip, 6, bytes) != 0 {
            return Err(WireError::BadChecksum { layer: "TCP" });
        }
        let (mut repr, header_len) = Self::parse_header(bytes)?;
        repr.payload = bytes[header_len..].to_vec();
        Ok(repr)
    }

    /// Reads a segment whose data may have been cut short (a capture at the snap length, or
    /// the start of a segment an ICMP error quotes): the checks of [`TcpRepr::parse`] but the
    /// checksum, which cannot be verified without all the data; `payload` is what was captured.
    pub fn parse_captured(bytes: &[u8]) -> Result<TcpRepr, WireError> {
        let (mut repr, header_len) = Self::parse_header(bytes)?;
        repr.payload = bytes[header_len..].to_vec();
        Ok(repr)
    }

    /// Reads the header and options alone, as [`TcpRepr::parse`] does but without the
    /// checksum, which a capture on the sending host sees before checksum offload fills it in
    /// and which needs the whole segment: for a captured segment, one cut short after its
    /// header (a capture's snap length) or the first fragment of a datagram. Returns the
    /// header with an empty payload and the header length (the data follows it).
    pub fn parse_header(bytes: &[u8]) -> Result<(TcpRepr, usize), WireError> {
        const L: &str = "TCP";
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated { layer: L, needed: HEADER_LEN, got: bytes.len() });
        }
        let header_len = usize::from(bytes[field::DOFF] >> 4) * 4;
        if header_len < HEADER_LEN {
            return Err(malformed(format!("data offset {header_len} bytes, below the minimum 20")));
        }
        if header_len > bytes.len() {
            return Err(WireError::Truncated { layer: L, needed: header_len, got: bytes.len() });
        }
        let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let be32 = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let repr = TcpRepr {
            src_port: be16(0),
            dst_port: be16(2),
            seq: be32(4),
            ack: be32(8),
            flags: TcpFlags(bytes[field::FLAGS]),
            window: be16(14),
            urgent: be16(18),
            options: TcpOptions::parse(&bytes[field::OPTIONS..header_len])?,
            payload: Vec::new(),
        };
        Ok((repr, header_len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips() -> (Ipv4Addr, Ipv4Addr) {
        (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2))
    }

    #[test]
    fn linux_syn_options() {
        let o = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((0x84b2_4b5f, 0)),
            sack_blocks: vec![],
            fast_open: None,
        };
        let mut b = Vec::new();
        o.emit(&mut b);
        assert_eq!(b, [2, 4, 5, 0xb4, 4, 2, 8, 10, 0x84, 0xb2, 0x4b, 0x5f, 0, 0, 0, 0, 1, 3, 3, 7]);
        assert_eq!(TcpOptions::parse(&b), Ok(o));
    }

    /// Linux writes Fast Open after the other SYN options (`tcp_options_write`), NOP-padded
    /// after the cookie: a request is `22 02 01 01`, an 8-byte cookie `22 0a <cookie> 01 01`.
    #[test]
    fn fast_open_option_golden_bytes() {
        let mut o = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((1, 0)),
            sack_blocks: vec![],
            fast_open: Some(vec![]),
        };
        let mut b = Vec::new();
        o.emit(&mut b);
        assert_eq!(b[20..], [34, 2, 1, 1]);
        assert_eq!(o.buffer_len(), 24);
        assert_eq!(TcpOptions::parse(&b), Ok(o.clone()));
        o.fast_open = Some(vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
        b.clear();
        o.emit(&mut b);
        assert_eq!(b[20..], [34, 10, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 1, 1]);
        assert_eq!(b.len(), o.buffer_len());
        assert_eq!(TcpOptions::parse(&b), Ok(o));
        // A 3-byte cookie is outside RFC 7413's 4..=16.
        assert!(TcpOptions::parse(&[34, 5, 1, 2, 3, 0]).is_err());
    }

    #[test]
    fn sack_blocks_are_capped_like_linux() {
        let o = TcpOptions {
            timestamps: Some((1, 2)),
            sack_blocks: vec![(1, 2), (3, 4), (5, 6), (7, 8)],
            ..Default::default()
        };
        assert_eq!(o.sack_blocks_that_fit(), 3);
        assert_eq!(o.buffer_len(), 40);
    }

    #[test]
    fn odd_orders_and_bad_lengths() {
        // NOP, WS, unknown kind 30 with 2 bytes of data, SACK_PERM, EOL, padding.
        let b = [1, 3, 3, 9, 30, 4, 0xaa, 0xbb, 4, 2, 0, 0];
        let o = TcpOptions::parse(&b).unwrap();
        assert_eq!(o.window_scale, Some(9));
        assert!(o.sack_permitted);
        assert!(TcpOptions::parse(&[2, 4, 5]).is_err());
        assert!(TcpOptions::parse(&[2, 3, 5, 0]).is_err());
        assert!(TcpOptions::parse(&[30, 1, 0, 0]).is_err());
        assert!(TcpOptions::parse(&[30]).is_err());
    }

    #[test]
    fn segment_round_trip() {
        let (s, d) = ips();
        let t = TcpRepr {
            src_port: 49152,
            dst_port: 80,
            seq: 1,
            ack: 2,
            flags: TcpFlags::ACK | TcpFlags::PSH,
            window: 502,
            urgent: 0,
            options: TcpOptions { timestamps: Some((5, 6)), ..Default::default() },
            payload: b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        };
        let mut b = Vec::new();
        t.emit(s, d, &mut b);
        assert_eq!(b[12], 8 << 4);
        assert_eq!(&b[20..24], &[1, 1, 8, 10]);
        assert_eq!(TcpRepr::parse(&b, s, d), Ok(t));
        assert!(matches!(TcpRepr::parse(&b, d, Ipv4Addr::new(1, 1, 1, 1)), Err(WireError::BadChecksum { .. })));
    }
}
