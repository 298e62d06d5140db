//! QUIC packets and frames with RFC 9000's real encodings: variable-length integers (§16),
//! long headers for Initial, 0-RTT and Handshake packets and short headers for 1-RTT (§17),
//! and the PADDING, ACK, CRYPTO, STREAM and HANDSHAKE_DONE frames (§19).
//!
//! Said plainly: real QUIC encrypts every packet's frames and protects its header (RFC 9001);
//! here the frames travel in the clear, followed by a 16-byte stand-in for the AEAD tag, so
//! sizes are right and a capture shows real QUIC headers (Wireshark reports that it cannot
//! decrypt them).

/// Append a variable-length integer (RFC 9000 §16).
pub fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v < 1 << 6 {
        out.push(v as u8);
    } else if v < 1 << 14 {
        out.extend(((v as u16) | 0x4000).to_be_bytes());
    } else if v < 1 << 30 {
        out.extend(((v as u32) | 0x8000_0000).to_be_bytes());
    } else {
        out.extend((v.min((1 << 62) - 1) | 0xc000_0000_0000_0000).to_be_bytes());
    }
}

/// Read a variable-length integer at `*at`, advancing it.
pub fn get_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let first = *b.get(*at)?;
    let len = 1usize << (first >> 6);
    let bytes = b.get(*at..*at + len)?;
    let mut v = (first & 0x3f) as u64;
    for x in &bytes[1..] {
        v = (v << 8) | *x as u64;
    }
    *at += len;
    Some(v)
}

/// Length of a varint encoding of `v`.
pub fn varint_len(v: u64) -> usize {
    match v {
        0..=63 => 1,
        64..=16383 => 2,
        16384..=1_073_741_823 => 4,
        _ => 8,
    }
}

/// A frame (the subset this model uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuicFrame {
    /// PADDING (0x00), `n` bytes of it.
    Padding(usize),
    /// ACK (0x02): the largest packet number, ACK delay, and ranges below it as
    /// (gap, length) pairs per §19.3.1, with the first range's length.
    Ack { largest: u64, delay: u64, first: u64, ranges: Vec<(u64, u64)> },
    /// CRYPTO (0x06): handshake bytes at an offset; `len` bytes of stand-in content.
    Crypto { offset: u64, len: u64 },
    /// STREAM (0x08–0x0f with OFF and LEN bits): `len` bytes of stream `id` at `offset`.
    Stream { id: u64, offset: u64, len: u64, fin: bool },
    /// HANDSHAKE_DONE (0x1e).
    HandshakeDone,
}

impl QuicFrame {
    /// Bytes this frame takes.
    pub fn wire_len(&self) -> usize {
        let mut v = vec![];
        self.emit(&mut v);
        v.len()
    }

    /// Does losing it require sending it again (RFC 9002 §2: ack-eliciting, not ACK/PADDING)?
    pub fn is_ack_eliciting(&self) -> bool {
        !matches!(self, QuicFrame::Padding(_) | QuicFrame::Ack { .. })
    }

    /// Append the encoding. Crypto and stream contents are filler bytes of the right length.
    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            QuicFrame::Padding(n) => out.extend(std::iter::repeat_n(0u8, *n)),
            QuicFrame::Ack { largest, delay, first, ranges } => {
                out.push(0x02);
                put_varint(out, *largest);
                put_varint(out, *delay);
                put_varint(out, ranges.len() as u64);
                put_varint(out, *first);
                for (gap, len) in ranges {
                    put_varint(out, *gap);
                    put_varint(out, *len);
                }
            }
            QuicFrame::Crypto { offset, len } => {
                out.push(0x06);
                put_varint(out, *offset);
                put_varint(out, *len);
                out.extend(std::iter::repeat_n(0x16u8, *len as usize));
            }
            QuicFrame::Stream { id, offset, len, fin } => {
                out.push(0x08 | 0x04 | 0x02 | *fin as u8);
                put_varint(out, *id);
                put_varint(out, *offset);
                put_varint(out, *len);
                out.extend((0..*len).map(|i| b"quic stream data "[((offset + i) % 17) as usize]));
            }
            QuicFrame::HandshakeDone => out.push(0x1e),
        }
    }

    /// Parse every frame of a packet payload.
    pub fn parse_all(b: &[u8]) -> Option<Vec<QuicFrame>> {
        let mut at = 0;
        let mut out = vec![];
        while at < b.len() {
            let t = b[at];
            match t {
                0x00 => {
                    let start = at;
                    while at < b.len() && b[at] == 0 {
                        at += 1;
                    }
                    out.push(QuicFrame::Padding(at - start));
                }
                0x02 => {
                    at += 1;
                    let largest = get_varint(b, &mut at)?;
                    let delay = get_varint(b, &mut at)?;
                    let n = get_varint(b, &mut at)?;
                    let first = get_varint(b, &mut at)?;
                    let mut ranges = vec![];
                    for _ in 0..n.min(256) {
                        ranges.push((get_varint(b, &mut at)?, get_varint(b, &mut at)?));
                    }
                    out.push(QuicFrame::Ack { largest, delay, first, ranges });
                }
                0x06 => {
                    at += 1;
                    let offset = get_varint(b, &mut at)?;
                    let len = get_varint(b, &mut at)?;
                    at = at.checked_add(len as usize).filter(|e| *e <= b.len())?;
                    out.push(QuicFrame::Crypto { offset, len });
                }
                0x08..=0x0f => {
                    at += 1;
                    let id = get_varint(b, &mut at)?;
                    let offset = if t & 0x04 != 0 { get_varint(b, &mut at)? } else { 0 };
                    let len = if t & 0x02 != 0 { get_varint(b, &mut at)? } else { (b.len() - at) as u64 };
                    at = at.checked_add(len as usize).filter(|e| *e <= b.len())?;
                    out.push(QuicFrame::Stream { id, offset, len, fin: t & 0x01 != 0 });
                }
                0x1e => {
                    at += 1;
                    out.push(QuicFrame::HandshakeDone);
                }
                _ => return None,
            }
        }
        Some(out)
    }
}

/// Which packet-number space a packet belongs to (RFC 9000 §12.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Space {
    /// Initial packets.
    Initial = 0,
    /// Handshake packets.
    Handshake = 1,
    /// 0-RTT and 1-RTT packets.
    App = 2,
}

/// Packet type: long-header types (§17.2) or a short header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketType {
    /// Initial (long type 0).
    Initial,
    /// 0-RTT (long type 1).
    ZeroRtt,
    /// Handshake (long type 2).
    Handshake,
    /// 1-RTT (short header).
    OneRtt,
}

impl PacketType {
    /// Its packet-number space.
    pub fn space(self) -> Space {
        match self {
            PacketType::Initial => Space::Initial,
            PacketType::Handshake => Space::Handshake,
            PacketType::ZeroRtt | PacketType::OneRtt => Space::App,
        }
    }
}

/// QUIC version 1.
pub const VERSION_1: u32 = 1;
/// Connection ID length used here.
pub const CID_LEN: usize = 8;
/// The stand-in AEAD tag (AES-128-GCM's 16 bytes).
pub const TAG_LEN: usize = 16;

/// One packet, ready to be put in a datagram: header with a 2-byte packet number, frames, tag.
pub fn packet(kind: PacketType, dcid: &[u8; CID_LEN], scid: &[u8; CID_LEN], pn: u64, frames: &[QuicFrame]) -> Vec<u8> {
    let mut payload = vec![];
    for f in frames {
        f.emit(&mut payload);
    }
    payload.extend([0xa5; TAG_LEN]);
    let mut out = vec![];
    match kind {
        PacketType::OneRtt => {
            out.push(0x40 | 0x01); // fixed bit, 2-byte packet number
            out.extend(dcid);
        }
        _ => {
            let t = match kind {
                PacketType::Initial => 0,
                PacketType::ZeroRtt => 1,
                _ => 2,
            };
            out.push(0xc0 | (t << 4) | 0x01);
            out.extend(VERSION_1.to_be_bytes());
            out.push(CID_LEN as u8);
            out.extend(dcid);
            out.push(CID_LEN as u8);
            out.extend(scid);
            if kind == PacketType::Initial {
                put_varint(&mut out, 0); // no token
            }
            put_varint(&mut out, (payload.len() + 2) as u64);
        }
    }
    out.extend((pn as u16).to_be_bytes());
    out.extend(payload);
    out
}

/// Read the packets coalesced in one datagram: (type, packet number, frames).
pub fn parse_datagram(b: &[u8]) -> Option<Vec<(PacketType, u64, Vec<QuicFrame>)>> {
    let mut at = 0;
    let mut out = vec![];
    while at < b.len() {
        let first = b[at];
        if first & 0x80 != 0 {
            let kind = match (first >> 4) & 0x03 {
                0 => PacketType::Initial,
                1 => PacketType::ZeroRtt,
                2 => PacketType::Handshake,
                _ => return None,
            };
            at += 5;
            let dl = *b.get(at)? as usize;
            at += 1 + dl;
            let sl = *b.get(at)? as usize;
            at += 1 + sl;
            if kind == PacketType::Initial {
                let tl = get_varint(b, &mut at)? as usize;
                at += tl;
            }
            let len = get_varint(b, &mut at)? as usize;
            let end = at.checked_add(len).filter(|e| *e <= b.len())?;
            let pn = u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as u64;
            let frames = QuicFrame::parse_all(b.get(at + 2..end.checked_sub(TAG_LEN)?)?)?;
            out.push((kind, pn, frames));
            at = end;
        } else {
            at += 1 + CID_LEN;
            let pn = u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as u64;
            let frames = QuicFrame::parse_all(b.get(at + 2..b.len().checked_sub(TAG_LEN)?)?)?;
            out.push((PacketType::OneRtt, pn, frames));
            at = b.len();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_match_rfc_9000_appendix_a_examples() {
        let mut v = vec![];
        put_varint(&mut v, 151_288_809_941_952_652);
        assert_eq!(v, [0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c]);
        let mut v = vec![];
        put_varint(&mut v, 494_878_333);
        assert_eq!(v, [0x9d, 0x7f, 0x3e, 0x7d]);
        let mut v = vec![];
        put_varint(&mut v, 15_293);
        assert_eq!(v, [0x7b, 0xbd]);
        let mut v = vec![];
        put_varint(&mut v, 37);
        assert_eq!(v, [0x25]);
        let mut at = 0;
        assert_eq!(get_varint(&[0x40, 0x25], &mut at), Some(37));
        for x in [0, 63, 64, 16383, 16384, 1 << 29, 1 << 40] {
            let mut v = vec![];
            put_varint(&mut v, x);
            assert_eq!(v.len(), varint_len(x));
            let mut at = 0;
            assert_eq!(get_varint(&v, &mut at), Some(x));
        }
    }

    #[test]
    fn coalesced_packets_round_trip() {
        let d = [1u8; 8];
        let s = [2u8; 8];
        let a = vec![
            QuicFrame::Crypto { offset: 0, len: 90 },
            QuicFrame::Ack { largest: 0, delay: 0, first: 0, ranges: vec![] },
        ];
        let b = vec![QuicFrame::Crypto { offset: 0, len: 1000 }];
        let c = vec![QuicFrame::Stream { id: 4, offset: 1200, len: 500, fin: true }, QuicFrame::HandshakeDone];
        let dg = [
            packet(PacketType::Initial, &d, &s, 0, &a),
            packet(PacketType::Handshake, &d, &s, 1, &b),
            packet(PacketType::OneRtt, &d, &s, 7, &c),
        ]
        .concat();
        let back = parse_datagram(&dg).unwrap();
        assert_eq!(back, vec![(PacketType::Initial, 0, a), (PacketType::Handshake, 1, b), (PacketType::OneRtt, 7, c)]);
        for cut in 0..dg.len() {
            let _ = parse_datagram(&dg[..cut]); // truncated datagrams are rejected, never a panic
        }
    }
}
