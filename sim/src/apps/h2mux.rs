//! HTTP/2-style multiplexing over one TCP connection (RFC 9113): several requests as streams,
//! their responses interleaved as DATA frames on the one byte stream. TCP delivers that byte
//! stream in order, so one lost segment holds back every stream's bytes behind it: TCP
//! head-of-line blocking.
//!
//! Frames are real bytes: the 9-byte frame header of RFC 9113 §4.1, HEADERS carrying a header
//! block encoded with HPACK (RFC 7541) from the static table and literals without Huffman,
//! DATA, SETTINGS and WINDOW_UPDATE. The server does not enforce flow control (the client
//! opens the windows wide at the start, as browsers do).

use super::rpc::{drain, Outbox};
use super::{App, Os};
use crate::stack::Notice;
use crate::time::Instant;
use crate::trace::{AppCall, SockId};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// The client connection preface (RFC 9113 §3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// Frame header length (RFC 9113 §4.1).
pub const FRAME_HEADER: usize = 9;
/// DATA payload per frame the server writes: small enough that responses interleave finely
/// (real servers write whatever each stream has ready, often a few KB; 16 384 is the default
/// SETTINGS_MAX_FRAME_SIZE, RFC 9113 §6.5.2).
pub const DATA_CHUNK: usize = 1200;

/// Frame types (RFC 9113 §6).
pub mod kind {
    /// DATA (§6.1).
    pub const DATA: u8 = 0x0;
    /// HEADERS (§6.2).
    pub const HEADERS: u8 = 0x1;
    /// SETTINGS (§6.5).
    pub const SETTINGS: u8 = 0x4;
    /// WINDOW_UPDATE (§6.9).
    pub const WINDOW_UPDATE: u8 = 0x8;
}
/// END_STREAM flag (§6.1, §6.2).
pub const END_STREAM: u8 = 0x1;
/// END_HEADERS flag (§6.2).
pub const END_HEADERS: u8 = 0x4;
/// ACK flag on SETTINGS (§6.5).
pub const ACK: u8 = 0x1;

/// One frame: header fields and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Type.
    pub kind: u8,
    /// Flags.
    pub flags: u8,
    /// Stream identifier (31 bits).
    pub stream: u32,
    /// Payload.
    pub payload: Vec<u8>,
}

impl Frame {
    /// Bytes on the wire: Length (24), Type (8), Flags (8), R (1) + Stream Identifier (31),
    /// then the payload (RFC 9113 §4.1).
    pub fn emit(&self, out: &mut Vec<u8>) {
        let len = self.payload.len().min(0xff_ffff) as u32;
        out.extend_from_slice(&len.to_be_bytes()[1..]);
        out.push(self.kind);
        out.push(self.flags);
        out.extend_from_slice(&(self.stream & 0x7fff_ffff).to_be_bytes());
        out.extend_from_slice(&self.payload[..len as usize]);
    }

    /// Parse one frame from the start of `b`: the frame and its total length, or None if `b`
    /// does not yet hold a whole frame.
    pub fn parse(b: &[u8]) -> Option<(Frame, usize)> {
        if b.len() < FRAME_HEADER {
            return None;
        }
        let len = u32::from_be_bytes([0, b[0], b[1], b[2]]) as usize;
        let end = FRAME_HEADER + len;
        if b.len() < end {
            return None;
        }
        let stream = u32::from_be_bytes([b[5], b[6], b[7], b[8]]) & 0x7fff_ffff;
        Some((Frame { kind: b[3], flags: b[4], stream, payload: b[FRAME_HEADER..end].to_vec() }, end))
    }
}

/// HPACK integer with an `n`-bit prefix (RFC 7541 §5.1).
fn hpack_int(out: &mut Vec<u8>, first: u8, n: u32, mut v: usize) {
    let max = (1usize << n) - 1;
    if v < max {
        out.push(first | v as u8);
        return;
    }
    out.push(first | max as u8);
    v -= max;
    while v >= 128 {
        out.push((v % 128) as u8 | 0x80);
        v /= 128;
    }
    out.push(v as u8);
}

/// A literal header field without indexing whose name is static-table entry `name_index`
/// (RFC 7541 §6.2.2), value as a plain string literal (§5.2, H = 0).
fn hpack_literal(out: &mut Vec<u8>, name_index: usize, value: &str) {
    hpack_int(out, 0x00, 4, name_index);
    hpack_int(out, 0x00, 7, value.len());
    out.extend_from_slice(value.as_bytes());
}

/// The request header block: `:method GET` (static index 2), `:scheme https` (7), both as
/// indexed fields (RFC 7541 §6.1, Appendix A); `:path` (name index 4) and `:authority` (1)
/// as literals.
pub fn request_headers(path: &str, authority: &str) -> Vec<u8> {
    let mut b = vec![0x82, 0x87];
    hpack_literal(&mut b, 4, path);
    hpack_literal(&mut b, 1, authority);
    b
}

/// The response header block: `:status 200` (static index 8), `content-type` (31) literal.
pub fn response_headers() -> Vec<u8> {
    let mut b = vec![0x88];
    hpack_literal(&mut b, 31, "application/json");
    b
}

/// Decode a header block made only of static-table indexed fields and literals with an
/// indexed name, as [`request_headers`] and [`response_headers`] write them: (name index or
/// full index, value). None for anything else.
pub fn decode_headers(b: &[u8]) -> Option<Vec<(usize, String)>> {
    fn int(b: &[u8], at: &mut usize, n: u32) -> Option<usize> {
        let max = (1usize << n) - 1;
        let mut v = (*b.get(*at)? as usize) & max;
        *at += 1;
        if v < max {
            return Some(v);
        }
        let mut shift = 0;
        loop {
            let x = *b.get(*at)? as usize;
            *at += 1;
            v += (x & 0x7f) << shift;
            shift += 7;
            if x & 0x80 == 0 || shift > 28 {
                return Some(v);
            }
        }
    }
    let mut at = 0;
    let mut out = vec![];
    while at < b.len() {
        if b[at] & 0x80 != 0 {
            out.push((int(b, &mut at, 7)?, String::new()));
        } else if b[at] & 0xf0 == 0 {
            let name = int(b, &mut at, 4)?;
            if b.get(at)? & 0x80 != 0 {
                return None; // Huffman: not written here
            }
            let len = int(b, &mut at, 7)?;
            let v = b.get(at..at.checked_add(len)?)?;
            at += len;
            out.push((name, String::from_utf8_lossy(v).into_owned()));
        } else {
            return None;
        }
    }
    Some(out)
}

/// Client-initiated stream ids are odd: 1, 3, 5, … (RFC 9113 §5.1.1).
pub fn stream_id(i: u32) -> u32 {
    2 * i + 1
}

/// The client's first bytes: preface, SETTINGS (INITIAL_WINDOW_SIZE 2^24), a connection
/// WINDOW_UPDATE, then one HEADERS frame (END_STREAM | END_HEADERS) per request.
pub fn client_flight(streams: u32, authority: &str) -> Vec<u8> {
    let mut out = PREFACE.to_vec();
    let mut settings = vec![0x00, 0x04];
    settings.extend_from_slice(&(1u32 << 24).to_be_bytes());
    Frame { kind: kind::SETTINGS, flags: 0, stream: 0, payload: settings }.emit(&mut out);
    Frame { kind: kind::WINDOW_UPDATE, flags: 0, stream: 0, payload: ((1u32 << 30) - 65_535).to_be_bytes().to_vec() }
        .emit(&mut out);
    for i in 0..streams {
        let payload = request_headers(&format!("/api/item/{}", i + 1), authority);
        Frame { kind: kind::HEADERS, flags: END_STREAM | END_HEADERS, stream: stream_id(i), payload }.emit(&mut out);
    }
    out
}

/// The server's answer to `streams` requests of the same size: its SETTINGS, the SETTINGS
/// ACK, each stream's HEADERS, then DATA frames of [`DATA_CHUNK`] bytes taking the streams in
/// turn (round-robin, as servers schedule streams of equal priority), the last of each with
/// END_STREAM.
pub fn server_flight(streams: &[u32], body: usize) -> Vec<u8> {
    let mut out = vec![];
    Frame { kind: kind::SETTINGS, flags: 0, stream: 0, payload: vec![] }.emit(&mut out);
    Frame { kind: kind::SETTINGS, flags: ACK, stream: 0, payload: vec![] }.emit(&mut out);
    for &s in streams {
        Frame { kind: kind::HEADERS, flags: END_HEADERS, stream: s, payload: response_headers() }.emit(&mut out);
    }
    let bytes = super::http::json_body(body);
    let mut sent = 0;
    while sent < body {
        let n = DATA_CHUNK.min(body - sent);
        for &s in streams {
            let flags = if sent + n == body { END_STREAM } else { 0 };
            Frame { kind: kind::DATA, flags, stream: s, payload: bytes[sent..sent + n].to_vec() }.emit(&mut out);
        }
        sent += n;
    }
    if body == 0 {
        for &s in streams {
            Frame { kind: kind::DATA, flags: END_STREAM, stream: s, payload: vec![] }.emit(&mut out);
        }
    }
    out
}

/// Splits a byte stream into frames.
#[derive(Debug, Default)]
pub struct FrameReader {
    buf: Vec<u8>,
    preface: bool,
}

impl FrameReader {
    /// A reader that first expects the client preface (a server's reader).
    pub fn server() -> Self {
        FrameReader { buf: vec![], preface: true }
    }

    /// Add bytes; the whole frames now available.
    pub fn feed(&mut self, data: &[u8]) -> Vec<Frame> {
        self.buf.extend_from_slice(data);
        if self.preface {
            if self.buf.len() < PREFACE.len() {
                return vec![];
            }
            self.buf.drain(..PREFACE.len());
            self.preface = false;
        }
        let mut out = vec![];
        let mut at = 0;
        while let Some((f, n)) = Frame::parse(&self.buf[at..]) {
            at += n;
            out.push(f);
        }
        self.buf.drain(..at);
        out
    }
}

/// An HTTP/2 client sending `streams` GET requests at once on one connection and recording,
/// per stream, when response bytes become readable ([`AppCall::StreamBytes`]) and when the
/// stream completes ([`AppCall::StreamDone`], stream numbered 0, 1, 2… like QUIC's).
#[derive(Debug)]
pub struct H2Client {
    server: SocketAddrV4,
    streams: u32,
    sock: Option<SockId>,
    started: Instant,
    buf: Vec<u8>,
    credited: usize,
    outbox: Outbox,
    delivered: BTreeMap<u32, u64>,
    done: u32,
}

impl H2Client {
    /// A client for `server`.
    pub fn new(server: SocketAddrV4, streams: u32) -> Self {
        H2Client {
            server,
            streams: streams.clamp(1, 100),
            sock: None,
            started: Instant::ZERO,
            buf: vec![],
            credited: 0,
            outbox: Outbox::default(),
            delivered: BTreeMap::new(),
            done: 0,
        }
    }

    fn read(&mut self, os: &mut Os, sock: SockId) {
        let mut got = vec![];
        let eof = drain(os, sock, &mut got);
        self.buf.extend_from_slice(&got);
        let mut grew: BTreeMap<u32, u64> = BTreeMap::new();
        let mut finished = vec![];
        // Walk whole and partial frames: a DATA frame's payload bytes are readable as they
        // arrive, before the frame's end (a real client hands them to the body reader).
        while self.buf.len() >= FRAME_HEADER {
            let len = u32::from_be_bytes([0, self.buf[0], self.buf[1], self.buf[2]]) as usize;
            let (k, flags) = (self.buf[3], self.buf[4]);
            let id = u32::from_be_bytes([self.buf[5], self.buf[6], self.buf[7], self.buf[8]]) & 0x7fff_ffff;
            let have = len.min(self.buf.len() - FRAME_HEADER);
            if k == kind::DATA && id % 2 == 1 && have > self.credited {
                let idx = (id - 1) / 2;
                let d = self.delivered.entry(idx).or_default();
                *d += (have - self.credited) as u64;
                grew.insert(idx, *d);
                self.credited = have;
            }
            if have < len {
                break;
            }
            self.buf.drain(..FRAME_HEADER + len);
            self.credited = 0;
            if k == kind::DATA && id % 2 == 1 && flags & END_STREAM != 0 {
                finished.push((id - 1) / 2);
            }
        }
        for (stream, delivered) in grew {
            os.app_event(AppCall::StreamBytes { sock, stream, delivered });
        }
        for stream in finished {
            self.done += 1;
            os.app_event(AppCall::StreamDone { sock, stream, latency: os.now - self.started });
            if self.done == self.streams {
                os.app_event(AppCall::Exchange { sock, latency: os.now - self.started });
                os.tcp_close(sock);
                self.sock = None;
                return;
            }
        }
        if eof {
            os.tcp_close(sock);
            self.sock = None;
        }
    }
}

impl App for H2Client {
    fn start(&mut self, os: &mut Os) {
        self.started = os.now;
        match os.tcp_connect(self.server) {
            Ok(s) => self.sock = Some(s),
            Err(e) => os.note(format!("connect() to {} failed: {e}", self.server)),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::Connected { sock } if Some(*sock) == self.sock => {
                self.outbox.push(client_flight(self.streams, &self.server.ip().to_string()));
                self.outbox.pump(os, *sock);
            }
            Notice::Writable { sock } if Some(*sock) == self.sock => self.outbox.pump(os, *sock),
            Notice::Readable { sock } | Notice::PeerClosed { sock } if Some(*sock) == self.sock => self.read(os, *sock),
            Notice::ConnectFailed { sock, .. } | Notice::Reset { sock } if Some(*sock) == self.sock => {
                os.note("connection failed");
                self.sock = None;
            }
            _ => {}
        }
    }
}

/// An HTTP/2 server answering every request stream with `response_bytes` of JSON, writing
/// all streams' responses interleaved once the client's requests have arrived.
#[derive(Debug)]
pub struct H2Server {
    port: u16,
    response_bytes: u32,
    listener: Option<SockId>,
    conns: BTreeMap<SockId, (FrameReader, Outbox)>,
}

impl H2Server {
    /// A server on `port`.
    pub fn new(port: u16, response_bytes: u32) -> Self {
        H2Server { port, response_bytes, listener: None, conns: BTreeMap::new() }
    }

    fn serve(&mut self, os: &mut Os, sock: SockId) {
        let Some((reader, outbox)) = self.conns.get_mut(&sock) else { return };
        let mut got = vec![];
        let eof = drain(os, sock, &mut got);
        let requests: Vec<u32> = reader
            .feed(&got)
            .into_iter()
            .filter(|f| f.kind == kind::HEADERS && f.flags & END_STREAM != 0)
            .map(|f| f.stream)
            .collect();
        if !requests.is_empty() {
            outbox.push(server_flight(&requests, self.response_bytes as usize));
        }
        outbox.pump(os, sock);
        if eof {
            os.tcp_close(sock);
            self.conns.remove(&sock);
        }
    }
}

impl App for H2Server {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_listen(self.port, 128) {
            Ok(l) => self.listener = Some(l),
            Err(e) => os.note(format!("listen({}) failed: {e}", self.port)),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                while let Some(s) = os.tcp_accept(*listener) {
                    self.conns.insert(s, (FrameReader::server(), Outbox::default()));
                    self.serve(os, s);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } => self.serve(os, *sock),
            Notice::Writable { sock } => {
                if let Some((_, outbox)) = self.conns.get_mut(sock) {
                    outbox.pump(os, *sock);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hpack_round_trip() {
        let h = decode_headers(&request_headers("/api/item/3", "10.0.0.2")).unwrap();
        assert_eq!(h, vec![(2, "".into()), (7, "".into()), (4, "/api/item/3".into()), (1, "10.0.0.2".into())]);
        let long = "x".repeat(300);
        let h = decode_headers(&request_headers(&long, "a")).unwrap();
        assert_eq!(h[2].1, long);
    }

    #[test]
    fn server_flight_interleaves_and_ends_each_stream() {
        let b = server_flight(&[1, 3, 5], 3000);
        let frames = FrameReader::default().feed(&b);
        let data: Vec<_> = frames.iter().filter(|f| f.kind == kind::DATA).map(|f| f.stream).collect();
        assert_eq!(&data[..4], &[1, 3, 5, 1]);
        for s in [1, 3, 5] {
            let n: usize =
                frames.iter().filter(|f| f.kind == kind::DATA && f.stream == s).map(|f| f.payload.len()).sum();
            assert_eq!(n, 3000);
        }
    }
}
