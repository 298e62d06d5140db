//! TLS records and handshake messages with their real framing (RFC 5246 §6.2 and §7.4 for
//! TLS 1.2, RFC 8446 §4–5 for TLS 1.3): record header (type, legacy version 0x0303, length),
//! handshake header (type, 24-bit length), and the fields and extensions a capture shows.
//! Everything a real stack would encrypt is seeded random bytes of the right size: AEAD adds a
//! 16-byte tag, and a TLS 1.3 record one more byte for the inner content type.

use crate::rng::Rng;

/// Record content types.
pub mod content {
    /// change_cipher_spec.
    pub const CCS: u8 = 20;
    /// alert.
    pub const ALERT: u8 = 21;
    /// handshake.
    pub const HANDSHAKE: u8 = 22;
    /// application_data (also every encrypted TLS 1.3 record).
    pub const APPLICATION_DATA: u8 = 23;
}

/// Largest plaintext in one record (RFC 8446 §5.1).
pub const MAX_PLAINTEXT: usize = 16_384;
/// Bytes AES-GCM adds to a TLS 1.3 record: 16-byte tag plus the inner content type.
pub const TLS13_OVERHEAD: usize = 17;
/// Bytes AES-GCM adds to a TLS 1.2 record: 8-byte explicit nonce plus 16-byte tag.
pub const TLS12_OVERHEAD: usize = 24;

/// One record: header then body.
pub fn record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![kind, 0x03, 0x03];
    v.extend((body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A handshake message: type and 24-bit length.
pub fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let n = body.len() as u32;
    let mut v = vec![kind, (n >> 16) as u8, (n >> 8) as u8, n as u8];
    v.extend_from_slice(body);
    v
}

fn ext(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut v = kind.to_be_bytes().to_vec();
    v.extend((body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn len16(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// Seeded random bytes standing for ciphertext, keys and nonces.
pub fn random(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.next_u32() as u8).collect()
}

/// What a ClientHello offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// TLS 1.2 only, ECDHE.
    Tls12,
    /// TLS 1.3 full handshake (x25519 key share).
    Tls13,
    /// TLS 1.3 resumption with a ticket from an earlier visit, sending early data (0-RTT).
    Tls13EarlyData,
}

/// ClientHello (handshake type 1) as a record.
pub fn client_hello(rng: &mut Rng, offer: Offer, sni: &str) -> Vec<u8> {
    let mut b = vec![0x03, 0x03];
    b.extend(random(rng, 32));
    if offer == Offer::Tls12 {
        b.push(0);
    } else {
        b.push(32); // legacy_session_id for middlebox compatibility (RFC 8446 §D.4)
        b.extend(random(rng, 32));
    }
    let suites: &[u16] =
        if offer == Offer::Tls12 { &[0xc02f, 0xc030, 0xc02b, 0xc02c] } else { &[0x1301, 0x1302, 0x1303, 0xc02f] };
    b.extend(len16(&suites.iter().flat_map(|s| s.to_be_bytes()).collect::<Vec<_>>()));
    b.extend([1, 0]); // compression: null
    let mut exts = vec![];
    let host = sni.as_bytes();
    let mut sni_list = vec![0u8];
    sni_list.extend(len16(host));
    exts.extend(ext(0x0000, &len16(&sni_list)));
    exts.extend(ext(0x000a, &len16(&[0x00, 0x1d, 0x00, 0x17])));
    exts.extend(ext(0x000d, &len16(&[0x04, 0x03, 0x08, 0x04, 0x04, 0x01])));
    if offer == Offer::Tls12 {
        exts.extend(ext(0x000b, &[1, 0]));
        exts.extend(ext(0x0017, &[]));
        exts.extend(ext(0xff01, &[0]));
    } else {
        exts.extend(ext(0x002b, &[4, 0x03, 0x04, 0x03, 0x03]));
        let mut share = vec![0x00, 0x1d];
        share.extend(len16(&random(rng, 32)));
        exts.extend(ext(0x0033, &len16(&share)));
        exts.extend(ext(0x002d, &[1, 1]));
    }
    if offer == Offer::Tls13EarlyData {
        exts.extend(ext(0x002a, &[]));
        // pre_shared_key must be last (RFC 8446 §4.2.11): one identity (the ticket), one binder.
        let mut ids = len16(&random(rng, 96));
        ids.extend(random(rng, 4));
        let mut psk = len16(&ids);
        let mut binder = vec![32u8];
        binder.extend(random(rng, 32));
        psk.extend(len16(&binder));
        exts.extend(ext(0x0029, &psk));
    }
    b.extend(len16(&exts));
    record(content::HANDSHAKE, &handshake(1, &b))
}

/// ServerHello (type 2) as a record, answering `offer`.
pub fn server_hello(rng: &mut Rng, offer: Offer) -> Vec<u8> {
    let mut b = vec![0x03, 0x03];
    b.extend(random(rng, 32));
    if offer == Offer::Tls12 {
        b.push(32);
        b.extend(random(rng, 32));
        b.extend(0xc02fu16.to_be_bytes());
        b.push(0);
        let mut exts = ext(0xff01, &[0]);
        exts.extend(ext(0x0017, &[]));
        exts.extend(ext(0x000b, &[1, 0]));
        b.extend(len16(&exts));
    } else {
        b.push(32);
        b.extend(random(rng, 32));
        b.extend(0x1301u16.to_be_bytes());
        b.push(0);
        let mut exts = ext(0x002b, &[0x03, 0x04]);
        let mut share = vec![0x00, 0x1d];
        share.extend(len16(&random(rng, 32)));
        exts.extend(ext(0x0033, &share));
        if offer == Offer::Tls13EarlyData {
            exts.extend(ext(0x0029, &[0, 0]));
        }
        b.extend(len16(&exts));
    }
    record(content::HANDSHAKE, &handshake(2, &b))
}

/// Certificate (type 11) with a leaf and an intermediate, as TLS 1.2 sends it in the clear.
pub fn certificate_chain(rng: &mut Rng, host: &str) -> Vec<u8> {
    let leaf = super::der::certificate(rng, host, "Example Issuing CA R3", Some(host));
    let ca = super::der::certificate(rng, "Example Issuing CA R3", "Example Root CA", None);
    let mut list = vec![];
    for c in [leaf, ca] {
        let n = c.len() as u32;
        list.extend([(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        list.extend(c);
    }
    let n = list.len() as u32;
    let mut body = vec![(n >> 16) as u8, (n >> 8) as u8, n as u8];
    body.extend(list);
    record(content::HANDSHAKE, &handshake(11, &body))
}

/// ServerKeyExchange (type 12) for ECDHE with x25519, signed with RSA-PSS (256 bytes).
pub fn server_key_exchange(rng: &mut Rng) -> Vec<u8> {
    let mut b = vec![0x03, 0x00, 0x1d, 32];
    b.extend(random(rng, 32));
    b.extend([0x08, 0x04]);
    b.extend(len16(&random(rng, 256)));
    record(content::HANDSHAKE, &handshake(12, &b))
}

/// ServerHelloDone (type 14).
pub fn server_hello_done() -> Vec<u8> {
    record(content::HANDSHAKE, &handshake(14, &[]))
}

/// ClientKeyExchange (type 16) with the client's x25519 public key.
pub fn client_key_exchange(rng: &mut Rng) -> Vec<u8> {
    let mut b = vec![32];
    b.extend(random(rng, 32));
    record(content::HANDSHAKE, &handshake(16, &b))
}

/// ChangeCipherSpec (sent for compatibility in TLS 1.3 too, RFC 8446 §D.4).
pub fn change_cipher_spec() -> Vec<u8> {
    record(content::CCS, &[1])
}

/// An encrypted TLS 1.2 handshake record (Finished: 12 bytes of verify data, plus header).
pub fn encrypted_finished_12(rng: &mut Rng) -> Vec<u8> {
    record(content::HANDSHAKE, &random(rng, 16 + TLS12_OVERHEAD))
}

/// An encrypted TLS 1.3 record carrying `plaintext_len` bytes (of any inner type).
pub fn encrypted_13(rng: &mut Rng, plaintext_len: usize) -> Vec<u8> {
    record(content::APPLICATION_DATA, &random(rng, plaintext_len + TLS13_OVERHEAD))
}

/// An encrypted TLS 1.2 application-data record carrying `plaintext_len` bytes.
pub fn encrypted_12(rng: &mut Rng, plaintext_len: usize) -> Vec<u8> {
    record(content::APPLICATION_DATA, &random(rng, plaintext_len + TLS12_OVERHEAD))
}

/// Splits a byte stream into records by their headers.
#[derive(Debug, Default)]
pub struct RecordReader {
    buf: Vec<u8>,
}

impl RecordReader {
    /// Add bytes; returns the content types of the records that completed.
    pub fn feed(&mut self, data: &[u8]) -> Vec<u8> {
        self.feed_sized(data).into_iter().map(|(kind, _)| kind).collect()
    }

    /// Add bytes; returns (content type, whole record length) of each record that completed.
    pub fn feed_sized(&mut self, data: &[u8]) -> Vec<(u8, usize)> {
        self.buf.extend_from_slice(data);
        let mut out = vec![];
        while self.buf.len() >= 5 {
            let n = u16::from_be_bytes([self.buf[3], self.buf[4]]) as usize;
            if self.buf.len() < 5 + n {
                break;
            }
            out.push((self.buf[0], 5 + n));
            self.buf.drain(..5 + n);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_frame_back_across_arbitrary_splits() {
        let mut rng = Rng::new(3);
        let stream = [
            client_hello(&mut rng, Offer::Tls13, "api.example.com"),
            change_cipher_spec(),
            encrypted_13(&mut rng, 100),
        ]
        .concat();
        let mut r = RecordReader::default();
        let mut kinds = vec![];
        for chunk in stream.chunks(7) {
            kinds.extend(r.feed(chunk));
        }
        assert_eq!(kinds, [content::HANDSHAKE, content::CCS, content::APPLICATION_DATA]);
    }

    #[test]
    fn hello_sizes_are_realistic() {
        let mut rng = Rng::new(1);
        let ch = client_hello(&mut rng, Offer::Tls13, "api.example.com");
        assert!((180..600).contains(&ch.len()), "{}", ch.len());
        let chain = certificate_chain(&mut rng, "api.example.com");
        assert!((1300..3000).contains(&chain.len()), "{}", chain.len());
        // Record length field matches.
        assert_eq!(u16::from_be_bytes([ch[3], ch[4]]) as usize, ch.len() - 5);
    }
}
