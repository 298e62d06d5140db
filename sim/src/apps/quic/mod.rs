//! QUIC (RFC 9000) as a transport model over the simulated UDP: the handshake folded into the
//! transport (one round trip, or none with 0-RTT resumption), then independent streams. Used
//! by the connection-cost race and the head-of-line blocking comparison.
//!
//! Handshake sizes follow a typical TLS 1.3 exchange (ClientHello 280 bytes; ServerHello 90;
//! EncryptedExtensions, a 1.5 KB certificate chain, CertificateVerify and Finished 1810; on
//! resumption no certificate). The crypto itself is not modelled (see `frames`).

pub mod conn;
pub mod frames;

use super::{App, Os};
use crate::time::Instant;
use crate::trace::{AppCall, SockId};
use conn::{QuicConn, QuicEvent};
use frames::{parse_datagram, Space, CID_LEN};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// ClientHello bytes in the client's Initial.
pub const CLIENT_HELLO: u64 = 280;
/// ServerHello bytes in the server's Initial.
pub const SERVER_HELLO: u64 = 90;
/// EncryptedExtensions + Certificate + CertificateVerify + Finished, full handshake.
pub const SERVER_HANDSHAKE_FULL: u64 = 1810;
/// EncryptedExtensions + Finished on resumption.
pub const SERVER_HANDSHAKE_RESUMED: u64 = 50;
/// The client's Finished.
pub const CLIENT_FINISHED: u64 = 36;

fn cid(os: &mut Os) -> [u8; CID_LEN] {
    let a = os.random_u32().to_be_bytes();
    let b = os.random_u32().to_be_bytes();
    [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
}

/// Client-initiated bidirectional stream ids: 0, 4, 8, … (RFC 9000 §2.1).
pub fn stream_id(i: u32) -> u64 {
    4 * i as u64
}

fn flush(os: &mut Os, sock: SockId, to: SocketAddrV4, conn: &mut QuicConn, timer: &mut Option<Instant>) {
    for d in conn.poll_transmit(os.now) {
        let _ = os.udp_send(sock, to, &d, true);
    }
    if let Some(t) = conn.next_timer() {
        if timer.is_none_or(|x| x != t) {
            *timer = Some(t);
            os.set_timer(t, t.as_nanos());
        }
    }
}

/// A QUIC client opening `streams` request streams at once.
#[derive(Debug)]
pub struct QuicClient {
    server: SocketAddrV4,
    zero_rtt: bool,
    streams: u32,
    request_bytes: u64,
    response_bytes: u64,
    sock: Option<SockId>,
    conn: Option<QuicConn>,
    started: Instant,
    finished_sent: bool,
    first_byte: bool,
    done: u32,
    timer: Option<Instant>,
}

impl QuicClient {
    /// A client for `server`.
    pub fn new(server: SocketAddrV4, zero_rtt: bool, streams: u32, request_bytes: u32, response_bytes: u32) -> Self {
        QuicClient {
            server,
            zero_rtt,
            streams: streams.max(1),
            request_bytes: request_bytes as u64,
            response_bytes: response_bytes as u64,
            sock: None,
            conn: None,
            started: Instant::ZERO,
            finished_sent: false,
            first_byte: false,
            done: 0,
            timer: None,
        }
    }

    fn requests(&self, conn: &mut QuicConn) {
        for i in 0..self.streams {
            conn.send_stream(stream_id(i), self.request_bytes);
        }
    }

    fn handle(&mut self, os: &mut Os, sock: SockId, events: Vec<QuicEvent>) {
        let Some(conn) = self.conn.as_mut() else { return };
        let server_hs = if self.zero_rtt { SERVER_HANDSHAKE_RESUMED } else { SERVER_HANDSHAKE_FULL };
        for e in events {
            match e {
                QuicEvent::Crypto { space: Space::Handshake, total } if total >= server_hs && !self.finished_sent => {
                    self.finished_sent = true;
                    conn.send_crypto(Space::Handshake, CLIENT_FINISHED);
                    conn.one_rtt = true;
                    os.note(format!("QUIC handshake complete after {:.1} ms", (os.now - self.started).as_millis_f64()));
                    if !self.zero_rtt {
                        for i in 0..self.streams {
                            conn.send_stream(stream_id(i), self.request_bytes);
                        }
                    }
                }
                QuicEvent::StreamData { id, delivered } => {
                    if !self.first_byte {
                        self.first_byte = true;
                        os.app_event(AppCall::FirstByte { sock, latency: os.now - self.started });
                    }
                    // Per-stream delivery is recorded for multiplexed runs (head-of-line figure).
                    if self.streams > 1 {
                        os.app_event(AppCall::StreamBytes { sock, stream: (id / 4) as u32, delivered });
                    }
                }
                QuicEvent::StreamDone { id, len } => {
                    if len != self.response_bytes {
                        os.note(format!("stream {id}: {len} bytes, expected {}", self.response_bytes));
                    }
                    self.done += 1;
                    os.app_event(AppCall::StreamDone { sock, stream: id as u32, latency: os.now - self.started });
                    if self.done == self.streams {
                        os.app_event(AppCall::Exchange { sock, latency: os.now - self.started });
                    }
                }
                QuicEvent::Lost { space, packets } => os.note(format!(
                    "QUIC: packet(s) {packets:?} in the {space:?} space declared lost; their frames go out again"
                )),
                _ => {}
            }
        }
    }
}

impl App for QuicClient {
    fn start(&mut self, os: &mut Os) {
        let sock = match os.udp_bind(0) {
            Ok(s) => s,
            Err(e) => return os.note(format!("bind() failed: {e}")),
        };
        self.sock = Some(sock);
        self.started = os.now;
        let (d, s) = (cid(os), cid(os));
        let mut conn = QuicConn::new(true, d, s);
        conn.send_crypto(Space::Initial, CLIENT_HELLO);
        if self.zero_rtt {
            conn.zero_rtt = true;
            self.requests(&mut conn);
        }
        flush(os, sock, self.server, &mut conn, &mut self.timer);
        self.conn = Some(conn);
    }

    fn on_udp(&mut self, os: &mut Os, sock: SockId, from: SocketAddrV4, data: &[u8]) {
        if from != self.server {
            return;
        }
        let Some(packets) = parse_datagram(data) else { return };
        let events = match self.conn.as_mut() {
            Some(c) => c.on_datagram(os.now, packets),
            None => return,
        };
        self.handle(os, sock, events);
        if let Some(conn) = self.conn.as_mut() {
            flush(os, sock, self.server, conn, &mut self.timer);
        }
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        if self.timer.map(|t| t.as_nanos()) != Some(token) {
            return;
        }
        self.timer = None;
        let (Some(sock), Some(conn)) = (self.sock, self.conn.as_mut()) else { return };
        let events = conn.on_timer(os.now);
        self.handle(os, sock, events);
        if let Some(conn) = self.conn.as_mut() {
            flush(os, sock, self.server, conn, &mut self.timer);
        }
    }
}

#[derive(Debug)]
struct ServerSide {
    conn: QuicConn,
    hello_answered: bool,
    done_sent: bool,
    timer: Option<Instant>,
}

/// A QUIC server answering each request stream with `response_bytes` on the same stream.
#[derive(Debug)]
pub struct QuicServer {
    port: u16,
    zero_rtt: bool,
    response_bytes: u64,
    sock: Option<SockId>,
    conns: BTreeMap<SocketAddrV4, ServerSide>,
}

impl QuicServer {
    /// A server on `port`.
    pub fn new(port: u16, zero_rtt: bool, response_bytes: u32) -> Self {
        QuicServer { port, zero_rtt, response_bytes: response_bytes as u64, sock: None, conns: BTreeMap::new() }
    }

    fn handle(&mut self, os: &mut Os, peer: SocketAddrV4, events: Vec<QuicEvent>) {
        let Some(side) = self.conns.get_mut(&peer) else { return };
        for e in events {
            match e {
                QuicEvent::Crypto { space: Space::Initial, total } if total >= CLIENT_HELLO && !side.hello_answered => {
                    side.hello_answered = true;
                    side.conn.send_crypto(Space::Initial, SERVER_HELLO);
                    side.conn.send_crypto(
                        Space::Handshake,
                        if self.zero_rtt { SERVER_HANDSHAKE_RESUMED } else { SERVER_HANDSHAKE_FULL },
                    );
                    // After its Finished the server may send 1-RTT data (RFC 9001 §4.1.1, "0.5-RTT").
                    side.conn.one_rtt = true;
                }
                QuicEvent::Crypto { space: Space::Handshake, total } if total >= CLIENT_FINISHED && !side.done_sent => {
                    side.done_sent = true;
                    side.conn.send_handshake_done();
                }
                QuicEvent::StreamDone { id, .. } => side.conn.send_stream(id, self.response_bytes),
                QuicEvent::Lost { space, packets } => os.note(format!(
                    "QUIC: packet(s) {packets:?} in the {space:?} space declared lost; their frames go out again"
                )),
                _ => {}
            }
        }
    }
}

impl App for QuicServer {
    fn start(&mut self, os: &mut Os) {
        match os.udp_bind(self.port) {
            Ok(s) => self.sock = Some(s),
            Err(e) => os.note(format!("bind({}) failed: {e}", self.port)),
        }
    }

    fn on_udp(&mut self, os: &mut Os, sock: SockId, from: SocketAddrV4, data: &[u8]) {
        let Some(packets) = parse_datagram(data) else { return };
        if let std::collections::btree_map::Entry::Vacant(v) = self.conns.entry(from) {
            let (d, s) = (cid(os), cid(os));
            v.insert(ServerSide {
                conn: QuicConn::new(false, d, s),
                hello_answered: false,
                done_sent: false,
                timer: None,
            });
        }
        let events = self.conns.get_mut(&from).map(|c| c.conn.on_datagram(os.now, packets)).unwrap_or_default();
        self.handle(os, from, events);
        if let Some(side) = self.conns.get_mut(&from) {
            flush(os, sock, from, &mut side.conn, &mut side.timer);
        }
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        let Some(sock) = self.sock else { return };
        let peers: Vec<SocketAddrV4> =
            self.conns.iter().filter(|(_, c)| c.timer.map(|t| t.as_nanos()) == Some(token)).map(|(p, _)| *p).collect();
        for peer in peers {
            let events = match self.conns.get_mut(&peer) {
                Some(side) => {
                    side.timer = None;
                    side.conn.on_timer(os.now)
                }
                None => continue,
            };
            self.handle(os, peer, events);
            if let Some(side) = self.conns.get_mut(&peer) {
                flush(os, sock, peer, &mut side.conn, &mut side.timer);
            }
        }
    }
}
