//! DNS over UDP port 53 (RFC 1035 §4): a stub resolver that asks for an A record and retries
//! on silence, and an authoritative server that answers from its records. Messages are real
//! RFC 1035 bytes, so a capture shows them as DNS.

use super::{App, Os};
use crate::time::{Duration, Instant};
use crate::trace::{AppCall, SockId};
use crate::wire::Ipv4Addr;
use serde::{Deserialize, Serialize};
use std::net::SocketAddrV4;

/// resolv.conf's default `timeout` (5 s).
pub fn default_timeout() -> f64 {
    5000.0
}
/// resolv.conf's default `attempts` (2).
pub fn default_attempts() -> u32 {
    2
}

/// An A record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The name, e.g. `api.example.com`.
    pub name: String,
    /// Its address.
    pub ip: Ipv4Addr,
}

/// A name in RFC 1035 §3.1 wire form: length-prefixed labels of at most 63 bytes (letters,
/// digits, hyphens), at most 255 bytes in all, ending with the root's zero.
pub fn encode_name(name: &str) -> Result<Vec<u8>, String> {
    let name = name.trim_end_matches('.');
    if name.is_empty() {
        return Err("a name needs at least one label".into());
    }
    let mut out = vec![];
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("label '{label}' must be 1 to 63 characters"));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(format!("label '{label}' may hold letters, digits and hyphens only"));
        }
        out.push(label.len() as u8);
        out.extend(label.to_ascii_lowercase().bytes());
    }
    out.push(0);
    if out.len() > 255 {
        return Err("a name is at most 255 bytes".into());
    }
    Ok(out)
}

/// A standard query for `name`, type A, class IN, recursion desired.
pub fn query(id: u16, name: &[u8]) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend([0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD; QDCOUNT 1
    m.extend(name);
    m.extend([0, 1, 0, 1]); // QTYPE A, QCLASS IN
    m
}

/// Parse a query: (id, question name bytes, whole question section).
fn parse_query(m: &[u8]) -> Option<(u16, Vec<u8>, usize)> {
    if m.len() < 12 || m[2] & 0x80 != 0 || u16::from_be_bytes([m[4], m[5]]) != 1 {
        return None;
    }
    let mut i = 12;
    while i < m.len() && m[i] != 0 {
        i += 1 + m[i] as usize;
    }
    let name_end = i + 1;
    if name_end + 4 > m.len() {
        return None;
    }
    Some((u16::from_be_bytes([m[0], m[1]]), m[12..name_end].to_vec(), name_end + 4))
}

/// The answer to a query (RFC 1035 §4.1): NOERROR with one A record, or NXDOMAIN.
pub fn answer(q: &[u8], records: &[Record]) -> Option<Vec<u8>> {
    let (_, qname, qend) = parse_query(q)?;
    let hit = records.iter().find(|r| encode_name(&r.name).ok().as_deref() == Some(&qname[..]));
    let mut m = q[..2].to_vec();
    // QR, AA, RD copied, RA; RCODE 3 (NXDOMAIN) if unknown.
    m.extend([0x85 | (q[2] & 0x01), if hit.is_some() { 0x80 } else { 0x83 }]);
    m.extend([0, 1, 0, hit.is_some() as u8, 0, 0, 0, 0]);
    m.extend(&q[12..qend]);
    if let Some(r) = hit {
        m.extend([0xc0, 0x0c, 0, 1, 0, 1]); // pointer to the question name; A; IN
        m.extend(300u32.to_be_bytes()); // TTL
        m.extend([0, 4]);
        m.extend(r.ip.octets());
    }
    Some(m)
}

/// A stub resolver asking once (with retries) for one name.
#[derive(Debug)]
pub struct DnsClient {
    server: Ipv4Addr,
    name: String,
    timeout: Duration,
    attempts: u32,
    tries: u32,
    id: u16,
    sock: Option<SockId>,
    sent_at: Instant,
    answered: bool,
}

impl DnsClient {
    /// A resolver for `name` asking `server`.
    pub fn new(server: Ipv4Addr, name: String, timeout: Duration, attempts: u32) -> Self {
        DnsClient {
            server,
            name,
            timeout,
            attempts,
            tries: 0,
            id: 0,
            sock: None,
            sent_at: Instant::ZERO,
            answered: false,
        }
    }

    fn ask(&mut self, os: &mut Os) {
        let (Some(sock), Ok(name)) = (self.sock, encode_name(&self.name)) else { return };
        self.tries += 1;
        self.sent_at = os.now;
        let q = query(self.id, &name);
        if os.udp_send(sock, SocketAddrV4::new(self.server, 53), &q, true).is_ok() {
            os.note(format!("query {} A? (id 0x{:04x}, try {})", self.name, self.id, self.tries));
        }
        os.set_timer_in(self.timeout, self.tries as u64);
    }
}

impl App for DnsClient {
    fn start(&mut self, os: &mut Os) {
        self.id = os.random_u32() as u16;
        match os.udp_bind(0) {
            Ok(s) => self.sock = Some(s),
            Err(e) => return os.note(format!("bind() failed: {e}")),
        }
        self.ask(os);
    }

    fn on_udp(&mut self, os: &mut Os, sock: SockId, from: SocketAddrV4, data: &[u8]) {
        if self.answered
            || data.len() < 12
            || u16::from_be_bytes([data[0], data[1]]) != self.id
            || *from.ip() != self.server
        {
            return;
        }
        self.answered = true;
        let latency = os.now - self.sent_at;
        let rcode = data[3] & 0x0f;
        let text = if rcode == 3 {
            format!("{}: NXDOMAIN ({latency})", self.name)
        } else if data.len() >= 4 {
            let ip = &data[data.len() - 4..];
            format!("{} A {}.{}.{}.{} ({latency})", self.name, ip[0], ip[1], ip[2], ip[3])
        } else {
            format!("{}: malformed answer", self.name)
        };
        os.note(text);
        os.app_event(AppCall::Exchange { sock, latency });
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        if self.answered || token != self.tries as u64 {
            return;
        }
        if self.tries < self.attempts {
            self.ask(os);
        } else {
            os.note(format!("{}: no answer after {} tries (timed out)", self.name, self.tries));
        }
    }
}

/// An authoritative server on port 53.
#[derive(Debug)]
pub struct DnsServer {
    records: Vec<Record>,
    sock: Option<SockId>,
}

impl DnsServer {
    /// A server with these records.
    pub fn new(records: Vec<Record>) -> Self {
        DnsServer { records, sock: None }
    }
}

impl App for DnsServer {
    fn start(&mut self, os: &mut Os) {
        match os.udp_bind(53) {
            Ok(s) => self.sock = Some(s),
            Err(e) => os.note(format!("bind(53) failed: {e}")),
        }
    }

    fn on_udp(&mut self, os: &mut Os, sock: SockId, from: SocketAddrV4, data: &[u8]) {
        if let Some(reply) = answer(data, &self.records) {
            let _ = os.udp_send(sock, from, &reply, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_encoding_follows_rfc_1035() {
        assert_eq!(encode_name("api.example.com").unwrap(), b"\x03api\x07example\x03com\x00");
        assert!(encode_name("").is_err());
        assert!(encode_name("a..b").is_err());
        assert!(encode_name(&"x".repeat(64)).is_err());
        assert!(encode_name("bad_label.com").is_err());
    }

    #[test]
    fn answers_known_and_unknown_names() {
        let recs = vec![Record { name: "api.example.com".into(), ip: Ipv4Addr::new(203, 0, 113, 7) }];
        let q = query(0xbeef, &encode_name("api.example.com").unwrap());
        let a = answer(&q, &recs).unwrap();
        assert_eq!(&a[..2], &[0xbe, 0xef]);
        assert_eq!(a[3] & 0x0f, 0);
        assert_eq!(&a[a.len() - 4..], &[203, 0, 113, 7]);
        let q2 = query(1, &encode_name("nope.example.com").unwrap());
        let a2 = answer(&q2, &recs).unwrap();
        assert_eq!(a2[3] & 0x0f, 3);
        assert!(answer(&[1, 2, 3], &recs).is_none());
    }
}
