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

/// Reads a byte stream and counts whole messages framed by Content-Length.
#[derive(Debug, Default)]
pub struct MessageReader {
    buf: Vec<u8>,
    need: Option<usize>,
}

impl MessageReader {
    /// Add bytes; returns how many messages completed.
    pub fn feed(&mut self, data: &[u8]) -> usize {
        self.buf.extend_from_slice(data);
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
