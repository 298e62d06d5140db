//! The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum
//! of all 16-bit words, used by IPv4, ICMP, UDP and TCP.

use std::net::Ipv4Addr;

/// Adds `bytes` to a running 32-bit sum as big-endian 16-bit words; an odd final byte is
/// padded with a zero byte on the right (RFC 1071 §1, step 1).
///
/// Computed as RFC 1071 §2 allows: 32-bit little-endian words are added into a 64-bit
/// accumulator ("deferred carries", "parallel summation": 2^16 ≡ 1 modulo 2^16 − 1) and the
/// folded 16-bit result is byte-swapped back ("byte order independence"). The result is the
/// same one's-complement sum, at most 0x1fffe.
pub fn sum(acc: u32, bytes: &[u8]) -> u32 {
    // Each word adds less than 2^32, so 2^31 words (8 GiB) cannot overflow 64 bits.
    let mut words = bytes.chunks_exact(4);
    let mut s: u64 = words.by_ref().map(|c| u64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))).sum();
    let rest = words.remainder();
    let mut pairs = rest.chunks_exact(2);
    for c in &mut pairs {
        s += u64::from(u16::from_le_bytes([c[0], c[1]]));
    }
    if let [last] = pairs.remainder() {
        s += u64::from(*last);
    }
    let mut x = fold16(s);
    // Back to network byte order.
    x = u64::from((x as u16).swap_bytes());
    fold16(x + u64::from(acc)) as u32
}

/// Fold a wide one's-complement sum to 16 bits.
fn fold16(mut s: u64) -> u64 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s
}

/// Folds the carries back into 16 bits and complements (RFC 1071 §1, steps 2-3).
pub fn finish(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The checksum of `bytes` alone (IPv4 header, ICMP message).
pub fn checksum(bytes: &[u8]) -> u16 {
    finish(sum(0, bytes))
}

/// The sum of the IPv4 pseudo-header used by TCP and UDP (RFC 9293 §3.1, RFC 768):
/// source address, destination address, zero, protocol, TCP/UDP length.
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, len: usize) -> u32 {
    let mut acc = sum(0, &src.octets());
    acc = sum(acc, &dst.octets());
    acc = sum(acc, &[0, protocol]);
    // The length of a TCP segment or UDP datagram always fits 16 bits in a valid IPv4
    // packet; anything larger is clamped, which can only make the checksum fail.
    sum(acc, &(len.min(0xffff) as u16).to_be_bytes())
}

/// The TCP/UDP checksum of `segment` (checksum field included) under the pseudo-header.
/// Over a segment whose checksum field holds the right value this gives 0.
pub fn transport(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, segment: &[u8]) -> u16 {
    finish(sum(pseudo_header(src, dst, protocol, segment.len()), segment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2 (folded).
        let b = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(finish(sum(0, &b)), !0xddf2);
    }

    #[test]
    fn odd_length_pads_right() {
        assert_eq!(checksum(&[0x12]), !0x1200);
    }
}
