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
            return Err(format!("label '{}' must be 1 to 63 characters", crate::text::clip(label)));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(format!("label '{}' may hold letters, digits and hyphens only", crate::text::clip(label)));
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

/// EDNS(0) option code of Padding (RFC 7830 §3).
pub const EDNS_PADDING: u16 = 12;
/// Bytes an OPT pseudo-record (RFC 6891 §6.1.2) with one empty Padding option adds: root
/// name 1, TYPE 2, CLASS 2, TTL 4, RDLEN 2, option code 2, option length 2.
pub const PADDED_EXTRA: usize = 15;

/// A query for `name` (as [`query`]) padded to `pad_to` bytes with an EDNS(0) Padding option
/// (RFC 7830 §3; RFC 8467 pads encrypted queries to a multiple of 128): an OPT record
/// (RFC 6891 §6.1.2: root name, type 41, CLASS = our UDP payload size 1232, TTL 0) whose
/// only option is `pad` zero bytes, ARCOUNT 1. A `pad_to` no larger than the plain query
/// leaves it plain; otherwise the result is `max(pad_to, plain + 15)` bytes long, capped at
/// the 65 507 bytes one UDP datagram carries.
pub fn padded_query(id: u16, name: &[u8], pad_to: usize) -> Vec<u8> {
    let mut m = query(id, name);
    if pad_to <= m.len() {
        return m;
    }
    let pad = pad_to.min(65_507).saturating_sub(m.len() + PADDED_EXTRA);
    m[11] = 1; // ARCOUNT 1
    m.extend([0, 0, 41]); // root, TYPE OPT
    m.extend(1232u16.to_be_bytes()); // CLASS: requestor's UDP payload size
    m.extend([0, 0, 0, 0]); // extended RCODE, version 0, flags
    m.extend(((4 + pad) as u16).to_be_bytes()); // RDLEN
    m.extend(EDNS_PADDING.to_be_bytes());
    m.extend((pad as u16).to_be_bytes());
    m.extend(std::iter::repeat_n(0u8, pad));
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
    pad_to: usize,
    dont_frag: bool,
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
            pad_to: 0,
            dont_frag: true,
        }
    }

    /// Pad each query to `pad_to` bytes with EDNS(0) Padding ([`padded_query`]) and send it
    /// with DF set (`IP_PMTUDISC_DO`: a datagram larger than the MTU is refused with EMSGSIZE)
    /// or clear (`IP_PMTUDISC_DONT`: IP fragments it, RFC 791 §3.2).
    pub fn with_padding(mut self, pad_to: u32, dont_frag: bool) -> Self {
        self.pad_to = pad_to as usize;
        self.dont_frag = dont_frag;
        self
    }

    fn ask(&mut self, os: &mut Os) {
        let (Some(sock), Ok(name)) = (self.sock, encode_name(&self.name)) else { return };
        self.tries += 1;
        self.sent_at = os.now;
        let q = padded_query(self.id, &name, self.pad_to);
        if os.udp_send(sock, SocketAddrV4::new(self.server, 53), &q, self.dont_frag).is_ok() {
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

    #[test]
    fn padding_uses_an_edns_opt_record_and_reaches_the_asked_size() {
        let name = encode_name("api.example.com").unwrap();
        let plain = query(7, &name);
        assert_eq!(plain.len(), 33);
        assert_eq!(padded_query(7, &name, 0), plain);
        assert_eq!(padded_query(7, &name, 33), plain);
        let p = padded_query(7, &name, 3000);
        assert_eq!(p.len(), 3000);
        assert_eq!(&p[10..12], &[0, 1], "ARCOUNT 1");
        assert_eq!(&p[33..36], &[0, 0, 41], "root name, TYPE OPT");
        assert_eq!(u16::from_be_bytes([p[42], p[43]]) as usize, 3000 - 33 - 11, "RDLEN");
        assert_eq!(u16::from_be_bytes([p[44], p[45]]), EDNS_PADDING);
        assert_eq!(u16::from_be_bytes([p[46], p[47]]) as usize, 3000 - 33 - 15);
        // Too little room for the OPT record: it still goes in, whole.
        assert_eq!(padded_query(7, &name, 40).len(), 33 + PADDED_EXTRA);
        assert_eq!(padded_query(7, &name, 1 << 20).len(), 65_507);
        // The server still answers a padded query.
        let recs = vec![Record { name: "api.example.com".into(), ip: Ipv4Addr::new(203, 0, 113, 7) }];
        let a = answer(&p, &recs).unwrap();
        assert_eq!(&a[a.len() - 4..], &[203, 0, 113, 7]);
    }
}
