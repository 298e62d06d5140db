//! The TCP header (RFC 9293 §3.1) and its options, written in Linux's order.

use serde::{Deserialize, Serialize};
use std::fmt;

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
