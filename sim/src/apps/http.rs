//! Just enough HTTP/1.1 (RFC 9112) to frame requests and responses with Content-Length, so a
//! client and a server over TCP know where each message ends, as real ones do.

/// Bytes of a POST request of `total` bytes (at least the headers' size), with a JSON body.
pub fn request(total: usize, host: &str) -> Vec<u8> {
    let head = |n: usize| {
        format!("POST /api/orders HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n")
    };
    message(total, head)
}

/// Bytes of a 200 response of `total` bytes (at least the headers' size), with a JSON body.
pub fn response(total: usize) -> Vec<u8> {
    let head = |n: usize| format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n");
    message(total, head)
}

fn message(total: usize, head: impl Fn(usize) -> String) -> Vec<u8> {
    // The header's length depends on the digits of the body length: settle it.
    let mut body_len = total.saturating_sub(head(0).len());
    for _ in 0..3 {
        body_len = total.saturating_sub(head(body_len).len());
    }
    let mut out = head(body_len).into_bytes();
    out.extend(json_body(body_len));
    out
}

/// A JSON object of exactly `n` bytes (for n ≥ 2; shorter bodies are spaces).
pub fn json_body(n: usize) -> Vec<u8> {
    const PREFIX: &str = "{\"id\":42,\"status\":\"ok\",\"data\":\"";
    const SUFFIX: &str = "\"}";
    if n < PREFIX.len() + SUFFIX.len() {
        return if n >= 2 { [b"{".as_slice(), &vec![b' '; n - 2], b"}"].concat() } else { vec![b' '; n] };
    }
    let fill = n - PREFIX.len() - SUFFIX.len();
    let words = b"the quick brown fox jumps over the lazy dog ";
    let mut v = PREFIX.as_bytes().to_vec();
    v.extend((0..fill).map(|i| words[i % words.len()]));
    v.extend_from_slice(SUFFIX.as_bytes());
    v
}

/// A request written out in full (RFC 9112 §3 and §6): request line, Host, one optional extra
/// header line, and, with a body, Content-Type and Content-Length.
pub fn custom_request(method: &str, path: &str, host: &str, header: &str, body: &str) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    if !header.trim().is_empty() {
        head += &format!("{}\r\n", header.trim());
    }
    if !body.is_empty() {
        head += &format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    }
    head += "\r\n";
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// TLS 1.3 application-data records (RFC 8446 §5.2), modelled: each record is the real 5-byte
/// header (type 23, legacy version 0x0303, length), then the plaintext and its 1-byte inner
/// content type "encrypted" by XOR with a fixed keystream standing in for AES-GCM, then a
/// 16-byte stand-in for the authentication tag. Sizes are exactly TLS 1.3's; the bytes are not
/// a real cipher.
pub mod tls_record {
    /// Record header bytes.
    pub const HEADER_LEN: usize = 5;
    /// AEAD tag bytes (AES-GCM and ChaCha20-Poly1305).
    pub const TAG_LEN: usize = 16;
    /// The most plaintext one record carries (2^14).
    pub const MAX_PLAINTEXT: usize = 1 << 14;
    /// Content type of application data.
    pub const APPLICATION_DATA: u8 = 23;

    fn key(i: usize) -> u8 {
        (i as u32).wrapping_mul(0x9e37_79b9).rotate_left(7).to_le_bytes()[1]
    }

    /// `plain` sealed into as many records as it needs.
    pub fn seal(plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(plain.len() + 22);
        for chunk in plain.chunks(MAX_PLAINTEXT) {
            let len = chunk.len() + 1 + TAG_LEN;
            out.extend_from_slice(&[APPLICATION_DATA, 0x03, 0x03, (len >> 8) as u8, len as u8]);
            out.extend(chunk.iter().chain(std::iter::once(&APPLICATION_DATA)).enumerate().map(|(i, b)| b ^ key(i)));
            out.extend((0..TAG_LEN).map(|i| key(0x1_0000 + i)));
        }
        out
    }

    /// The plaintext of the whole records at the start of `buf`, and how many bytes they took.
    pub fn open(buf: &[u8]) -> (Vec<u8>, usize) {
        let mut plain = Vec::new();
        let mut at = 0;
        while let Some(h) = buf.get(at..at + HEADER_LEN) {
            let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
            let Some(body) = buf.get(at + HEADER_LEN..at + HEADER_LEN + len) else { break };
            let inner = len.saturating_sub(TAG_LEN + 1);
            plain.extend(body[..inner].iter().enumerate().map(|(i, b)| b ^ key(i)));
            at += HEADER_LEN + len;
        }
        (plain, at)
    }
}

/// Reads a byte stream and counts whole messages framed by Content-Length. A stream that
/// starts with a TLS application-data record is opened record by record first
/// ([`tls_record`]).
#[derive(Debug, Default)]
pub struct MessageReader {
    buf: Vec<u8>,
    need: Option<usize>,
    tls: Option<bool>,
    sealed: Vec<u8>,
}

impl MessageReader {
    /// The stream started with a TLS application-data record (so replies go sealed too).
    pub fn sealed(&self) -> bool {
        self.tls == Some(true)
    }

    /// Add bytes; returns how many messages completed.
    pub fn feed(&mut self, data: &[u8]) -> usize {
        if data.is_empty() && self.tls.is_none() {
            return 0;
        }
        let tls = *self.tls.get_or_insert(data.first() == Some(&tls_record::APPLICATION_DATA));
        if tls {
            self.sealed.extend_from_slice(data);
            let (plain, used) = tls_record::open(&self.sealed);
            self.sealed.drain(..used);
            self.buf.extend_from_slice(&plain);
        } else {
            self.buf.extend_from_slice(data);
        }
        let mut done = 0;
        loop {
            if self.need.is_none() {
                let Some(end) = find(&self.buf, b"\r\n\r\n") else { break };
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                self.need = Some(end + 4 + len);
            }
            match self.need {
                Some(n) if self.buf.len() >= n => {
                    self.buf.drain(..n);
                    self.need = None;
                    done += 1;
                }
                _ => break,
            }
        }
        done
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_requests_frame_back_plain_and_sealed() {
        let req = custom_request("PUT", "/api/orders/42", "10.0.0.2", "Authorization: Bearer x", "{\"qty\":3}");
        let text = String::from_utf8(req.clone()).unwrap();
        assert!(text.starts_with("PUT /api/orders/42 HTTP/1.1\r\nHost: 10.0.0.2\r\nAuthorization: Bearer x\r\n"));
        assert!(text.ends_with("Content-Length: 9\r\n\r\n{\"qty\":3}"));
        let get = custom_request("GET", "/", "h", "", "");
        assert_eq!(get, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        // Sealed: 5 + n + 1 + 16 bytes, and it opens back, even fed a byte at a time.
        let sealed = tls_record::seal(&req);
        assert_eq!(sealed.len(), req.len() + 22);
        assert_eq!(&sealed[..3], &[23, 3, 3]);
        assert_ne!(&sealed[5..10], &req[..5], "the body is not plaintext");
        let mut r = MessageReader::default();
        assert_eq!(r.feed(&[]), 0, "an empty read decides nothing");
        let done: usize = sealed.chunks(1).map(|c| r.feed(c)).sum();
        assert_eq!(done, 1);
        let mut plain = MessageReader::default();
        assert_eq!(plain.feed(&get), 1);
    }

    #[test]
    fn messages_have_the_asked_size_and_frame_back() {
        for total in [300, 2000, 99_999, 100_000] {
            let r = request(total, "api.example");
            assert_eq!(r.len(), total);
            let mut m = MessageReader::default();
            assert_eq!(m.feed(&r[..total / 2]), 0);
            assert_eq!(m.feed(&r[total / 2..]), 1);
        }
        assert!(response(10).len() > 10, "never smaller than the headers");
        let two = [response(500), response(700)].concat();
        assert_eq!(MessageReader::default().feed(&two), 2);
    }

    #[test]
    fn body_is_json_of_exact_length() {
        for n in [0, 1, 2, 5, 40, 1000] {
            assert_eq!(json_body(n).len(), n);
        }
    }
}
