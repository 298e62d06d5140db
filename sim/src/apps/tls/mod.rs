//! TLS over TCP as a message-level model: the handshake flights of TLS 1.2 (RFC 5246 §7.3,
//! two round trips), TLS 1.3 (RFC 8446 §2, one round trip) and TLS 1.3 resumption with early
//! data (RFC 8446 §2.3, zero round trips before the request), carried in records with real
//! framing and realistic sizes over the simulated TCP. What is modelled: every record, its
//! size and when it can be sent. What is not: the cryptography (keys, certificates and
//! ciphertext are seeded random bytes) and its computation time (the server answers at once).

pub mod der;
pub mod records;

use super::rpc::drain;
use super::{App, Os};
use crate::stack::Notice;
use crate::time::Instant;
use crate::trace::{AppCall, SockId};
use records::{content, Offer, RecordReader, MAX_PLAINTEXT};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// Which TLS handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.2 with ECDHE: two round trips before the request.
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3: one round trip.
    #[serde(rename = "1.3")]
    Tls13,
    /// TLS 1.3 resumption with 0-RTT early data: the request rides with the ClientHello.
    #[serde(rename = "1.3-0rtt")]
    Tls13ZeroRtt,
}

impl TlsVersion {
    fn offer(self) -> Offer {
        match self {
            TlsVersion::Tls12 => Offer::Tls12,
            TlsVersion::Tls13 => Offer::Tls13,
            TlsVersion::Tls13ZeroRtt => Offer::Tls13EarlyData,
        }
    }
}

/// Application bytes as records: plaintext of at most 16 KB per record.
fn app_records(os: &mut Os, version: TlsVersion, bytes: usize) -> Vec<u8> {
    let mut out = vec![];
    let mut left = bytes.max(1);
    let mut rng = crate::rng::Rng::new(os.random_u32() as u64);
    while left > 0 {
        let n = left.min(MAX_PLAINTEXT);
        out.extend(match version {
            TlsVersion::Tls12 => records::encrypted_12(&mut rng, n),
            _ => records::encrypted_13(&mut rng, n),
        });
        left -= n;
    }
    out
}

/// Plaintext bytes an application-data record of `wire_len` bytes carried.
fn plaintext(version: TlsVersion, wire_len: usize) -> usize {
    let overhead = if version == TlsVersion::Tls12 { records::TLS12_OVERHEAD } else { records::TLS13_OVERHEAD };
    wire_len.saturating_sub(5 + overhead)
}

fn write_all(os: &mut Os, sock: SockId, pending: &mut Vec<u8>) {
    while !pending.is_empty() {
        match os.tcp_write(sock, pending) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                pending.drain(..n);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientPhase {
    Connecting,
    /// Waiting for this many more records of the server's first flight.
    ServerFlight(usize),
    /// TLS 1.2: waiting for the server's ChangeCipherSpec and Finished.
    ServerFinished(usize),
    Response,
    Done,
}

/// A TLS client: connects, handshakes, sends one request of `request_bytes` and reads a
/// response of `response_bytes`, reporting the time to its first and last byte.
#[derive(Debug)]
pub struct TlsClient {
    server: SocketAddrV4,
    version: TlsVersion,
    request_bytes: usize,
    response_bytes: usize,
    sni: String,
    sock: Option<SockId>,
    started: Instant,
    phase: ClientPhase,
    reader: RecordReader,
    received: usize,
    pending: Vec<u8>,
    rng: crate::rng::Rng,
    /// Open with TCP Fast Open, the ClientHello queued before the SYN.
    fast_open: bool,
    /// Connections still to make (a Fast Open client makes two: the first gets the cookie).
    visits_left: u32,
}

impl TlsClient {
    /// A client for `server`.
    pub fn new(
        server: SocketAddrV4,
        version: TlsVersion,
        request_bytes: u32,
        response_bytes: u32,
        sni: String,
    ) -> Self {
        TlsClient {
            server,
            version,
            request_bytes: request_bytes as usize,
            response_bytes: response_bytes as usize,
            sni,
            sock: None,
            started: Instant::ZERO,
            phase: ClientPhase::Connecting,
            reader: RecordReader::default(),
            received: 0,
            pending: vec![],
            rng: crate::rng::Rng::new(0),
            fast_open: false,
            visits_left: 1,
        }
    }

    /// Use TCP Fast Open: visit twice, the ClientHello sent with sendto(MSG_FASTOPEN). The
    /// first connection only gets the server's cookie; the second carries the ClientHello in
    /// its SYN, so the handshake costs one round trip less (RFC 7413 §3).
    pub fn with_fast_open(mut self, on: bool) -> Self {
        self.fast_open = on;
        self.visits_left = if on { 2 } else { 1 };
        self
    }

    /// The ClientHello (with early data for 0-RTT) and how many records of the server's
    /// first flight answer it.
    fn hello(&mut self, os: &mut Os) -> (Vec<u8>, usize) {
        let mut hello = records::client_hello(&mut self.rng, self.version.offer(), &self.sni);
        let flight = match self.version {
            TlsVersion::Tls12 => 4, // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
            TlsVersion::Tls13 => 6, // ServerHello, CCS, {EncryptedExtensions, Certificate, CertificateVerify, Finished}
            TlsVersion::Tls13ZeroRtt => {
                hello.extend(app_records(os, self.version, self.request_bytes));
                4 // ServerHello, CCS, {EncryptedExtensions, Finished}: no certificate on resumption
            }
        };
        (hello, flight)
    }

    /// One visit: a new connection and a fresh handshake.
    fn visit(&mut self, os: &mut Os) {
        self.started = os.now;
        self.reader = RecordReader::default();
        self.received = 0;
        self.pending.clear();
        self.phase = ClientPhase::Connecting;
        let opened = if self.fast_open {
            let (hello, flight) = self.hello(os);
            os.tcp_connect_data(self.server, &hello).map(|(s, n)| {
                self.pending = hello[n..].to_vec();
                self.phase = ClientPhase::ServerFlight(flight);
                s
            })
        } else {
            os.tcp_connect(self.server)
        };
        match opened {
            Ok(s) => {
                os.tcp_set_nodelay(s, true);
                self.sock = Some(s);
            }
            Err(e) => os.note(format!("connect() failed: {e}")),
        }
    }

    fn send(&mut self, os: &mut Os, bytes: Vec<u8>) {
        self.pending.extend(bytes);
        if let Some(s) = self.sock {
            write_all(os, s, &mut self.pending);
        }
    }

    fn on_records(&mut self, os: &mut Os, sock: SockId, recs: Vec<(u8, usize)>) {
        for (kind, len) in recs {
            match self.phase {
                ClientPhase::ServerFlight(left) => {
                    if left > 1 {
                        self.phase = ClientPhase::ServerFlight(left - 1);
                        continue;
                    }
                    match self.version {
                        TlsVersion::Tls12 => {
                            let mut flight = records::client_key_exchange(&mut self.rng);
                            flight.extend(records::change_cipher_spec());
                            flight.extend(records::encrypted_finished_12(&mut self.rng));
                            self.send(os, flight);
                            self.phase = ClientPhase::ServerFinished(2);
                        }
                        TlsVersion::Tls13 => {
                            let mut flight = records::change_cipher_spec();
                            flight.extend(records::encrypted_13(&mut self.rng, 36)); // Finished
                            flight.extend(app_records(os, self.version, self.request_bytes));
                            self.send(os, flight);
                            os.note("TLS 1.3 handshake complete: Finished and the request leave together");
                            self.phase = ClientPhase::Response;
                        }
                        TlsVersion::Tls13ZeroRtt => {
                            let mut flight = records::change_cipher_spec();
                            flight.extend(records::encrypted_13(&mut self.rng, 4)); // EndOfEarlyData
                            flight.extend(records::encrypted_13(&mut self.rng, 36)); // Finished
                            self.send(os, flight);
                            self.phase = ClientPhase::Response;
                        }
                    }
                }
                ClientPhase::ServerFinished(left) => {
                    if left > 1 {
                        self.phase = ClientPhase::ServerFinished(left - 1);
                    } else {
                        os.note("TLS 1.2 handshake complete after two round trips");
                        let req = app_records(os, self.version, self.request_bytes);
                        self.send(os, req);
                        self.phase = ClientPhase::Response;
                    }
                }
                ClientPhase::Response if kind == content::APPLICATION_DATA => {
                    if self.received == 0 {
                        os.app_event(AppCall::FirstByte { sock, latency: os.now - self.started });
                    }
                    self.received += plaintext(self.version, len);
                    if self.received >= self.response_bytes {
                        os.app_event(AppCall::Exchange { sock, latency: os.now - self.started });
                        self.phase = ClientPhase::Done;
                        os.tcp_close(sock);
                        self.visits_left = self.visits_left.saturating_sub(1);
                        if self.visits_left > 0 {
                            os.note("Fast Open cookie kept; visiting again with the ClientHello in the SYN");
                            self.visit(os);
                            return;
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

impl App for TlsClient {
    fn start(&mut self, os: &mut Os) {
        self.rng = crate::rng::Rng::new(os.random_u32() as u64);
        self.visit(os);
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        let Some(sock) = self.sock else { return };
        match n {
            Notice::Connected { sock: s } if *s == sock && self.phase == ClientPhase::Connecting => {
                let (hello, flight) = self.hello(os);
                self.send(os, hello);
                self.phase = ClientPhase::ServerFlight(flight);
            }
            Notice::Connected { sock: s } if *s == sock => write_all(os, sock, &mut self.pending),
            Notice::Writable { sock: s } if *s == sock => write_all(os, sock, &mut self.pending),
            Notice::Readable { sock: s } | Notice::PeerClosed { sock: s } if *s == sock => {
                let mut got = vec![];
                drain(os, sock, &mut got);
                let recs = self.reader.feed_sized(&got);
                self.on_records(os, sock, recs);
            }
            Notice::ConnectFailed { error, .. } => os.note(format!("connect() failed: {error}")),
            _ => {}
        }
    }
}

#[derive(Debug, Default)]
struct ServerConn {
    reader: RecordReader,
    seen: usize,
    answered: bool,
    pending: Vec<u8>,
}

/// A TLS server answering one request per connection with `response_bytes`.
#[derive(Debug)]
pub struct TlsServer {
    port: u16,
    version: TlsVersion,
    response_bytes: usize,
    host_name: String,
    listener: Option<SockId>,
    conns: BTreeMap<SockId, ServerConn>,
    rng: crate::rng::Rng,
    fast_open: bool,
}

impl TlsServer {
    /// A server on `port`.
    pub fn new(port: u16, version: TlsVersion, response_bytes: u32, host_name: String) -> Self {
        TlsServer {
            port,
            version,
            response_bytes: response_bytes as usize,
            host_name,
            listener: None,
            conns: BTreeMap::new(),
            rng: crate::rng::Rng::new(0),
            fast_open: false,
        }
    }

    /// setsockopt(TCP_FASTOPEN) on the listener.
    pub fn with_fast_open(mut self, on: bool) -> Self {
        self.fast_open = on;
        self
    }

    fn first_flight(&mut self) -> Vec<u8> {
        let r = &mut self.rng;
        match self.version {
            TlsVersion::Tls12 => [
                records::server_hello(r, Offer::Tls12),
                records::certificate_chain(r, &self.host_name),
                records::server_key_exchange(r),
                records::server_hello_done(),
            ]
            .concat(),
            TlsVersion::Tls13 => {
                let chain_len = records::certificate_chain(&mut r.clone(), &self.host_name).len();
                [
                    records::server_hello(r, Offer::Tls13),
                    records::change_cipher_spec(),
                    records::encrypted_13(r, 10),            // EncryptedExtensions
                    records::encrypted_13(r, chain_len - 5), // Certificate
                    records::encrypted_13(r, 264),           // CertificateVerify (RSA-PSS 2048)
                    records::encrypted_13(r, 36),            // Finished
                ]
                .concat()
            }
            TlsVersion::Tls13ZeroRtt => [
                records::server_hello(r, Offer::Tls13EarlyData),
                records::change_cipher_spec(),
                records::encrypted_13(r, 14), // EncryptedExtensions with early_data
                records::encrypted_13(r, 36), // Finished
            ]
            .concat(),
        }
    }

    fn response(&mut self, os: &mut Os) -> Vec<u8> {
        let mut v = app_records(os, self.version, self.response_bytes);
        // close_notify (RFC 8446 §6.1), encrypted.
        v.extend(match self.version {
            TlsVersion::Tls12 => {
                records::record(content::ALERT, &records::random(&mut self.rng, 2 + records::TLS12_OVERHEAD))
            }
            _ => records::encrypted_13(&mut self.rng, 2),
        });
        v
    }

    fn serve(&mut self, os: &mut Os, sock: SockId) {
        let mut got = vec![];
        let eof = drain(os, sock, &mut got);
        let Some(c) = self.conns.get_mut(&sock) else { return };
        let n = c.reader.feed(&got).len();
        let before = c.seen;
        c.seen += n;
        let seen = c.seen;
        let answered = c.answered;
        // Records the client sends: 1.2: ClientHello | CKE, CCS, Finished | request.
        // 1.3: ClientHello | CCS, Finished, request. 0-RTT: ClientHello, early data | ...
        let mut out = vec![];
        let mut respond = false;
        match self.version {
            TlsVersion::Tls12 => {
                if before < 1 && seen >= 1 {
                    out.extend(self.first_flight());
                }
                if before < 4 && seen >= 4 {
                    out.extend(records::change_cipher_spec());
                    out.extend(records::encrypted_finished_12(&mut self.rng));
                }
                respond = seen >= 5;
            }
            TlsVersion::Tls13 => {
                if before < 1 && seen >= 1 {
                    out.extend(self.first_flight());
                }
                respond = seen >= 4;
            }
            TlsVersion::Tls13ZeroRtt => {
                if before < 2 && seen >= 2 {
                    out.extend(self.first_flight());
                    respond = true;
                }
            }
        }
        if respond && !answered {
            out.extend(self.response(os));
        }
        let Some(c) = self.conns.get_mut(&sock) else { return };
        if respond {
            c.answered = true;
        }
        c.pending.extend(out);
        write_all(os, sock, &mut c.pending);
        if eof {
            os.tcp_close(sock);
            self.conns.remove(&sock);
        }
    }
}

impl App for TlsServer {
    fn start(&mut self, os: &mut Os) {
        self.rng = crate::rng::Rng::new(os.random_u32() as u64);
        match os.tcp_listen(self.port, 511) {
            Ok(l) => {
                if self.fast_open {
                    os.tcp_set_fastopen(l, 16);
                }
                self.listener = Some(l);
            }
            Err(e) => os.note(format!("listen() failed: {e}")),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                while let Some(c) = os.tcp_accept(*listener) {
                    os.tcp_set_nodelay(c, true);
                    self.conns.insert(c, ServerConn::default());
                    self.serve(os, c);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } => self.serve(os, *sock),
            Notice::Writable { sock } => {
                if let Some(c) = self.conns.get_mut(sock) {
                    write_all(os, *sock, &mut c.pending);
                }
            }
            Notice::Reset { sock } | Notice::Closed { sock } => {
                self.conns.remove(sock);
            }
            _ => {}
        }
    }
}
