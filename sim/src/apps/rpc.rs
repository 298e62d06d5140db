//! A request/response pair over TCP, like a backend calling an HTTP API: the client opens a
//! connection (or reuses a pooled one), writes a request, reads the whole response, and
//! reports how long the exchange took.

use super::http::{self, MessageReader};
use super::{App, Os};
use crate::stack::Notice;
use crate::time::{Duration, Instant};
use crate::trace::{AppCall, SockId};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// Default request size.
pub fn default_request() -> u32 {
    300
}
/// Default response size.
pub fn default_response() -> u32 {
    2000
}

/// Bytes written so far and still to write on one socket.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    data: Vec<u8>,
    sent: usize,
}

impl Outbox {
    pub(crate) fn push(&mut self, bytes: Vec<u8>) {
        self.data.drain(..self.sent);
        self.sent = 0;
        self.data.extend(bytes);
    }
    pub(crate) fn pump(&mut self, os: &mut Os, sock: SockId) {
        while self.sent < self.data.len() {
            match os.tcp_write(sock, &self.data[self.sent..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => self.sent += n,
            }
        }
    }
}

/// Read everything available; true if the peer has closed.
pub(crate) fn drain(os: &mut Os, sock: SockId, into: &mut Vec<u8>) -> bool {
    loop {
        match os.tcp_read(sock, 65_536) {
            Ok(b) if b.is_empty() => return true,
            Ok(b) => into.extend(b),
            Err(_) => return false,
        }
    }
}

/// The client side.
#[derive(Debug)]
pub struct RpcClient {
    server: SocketAddrV4,
    requests: u32,
    request_bytes: u32,
    reuse: bool,
    nodelay: bool,
    gap: Duration,
    done: u32,
    sock: Option<SockId>,
    started: Instant,
    reader: MessageReader,
    outbox: Outbox,
    payload: Option<Vec<u8>>,
    fast_open: bool,
    max_seg: Option<u16>,
}

impl RpcClient {
    /// Send exactly `payload` as each request (when given) instead of a generated POST.
    pub fn with_payload(mut self, payload: Option<Vec<u8>>) -> Self {
        self.payload = payload;
        self
    }

    /// A client that makes `requests` requests to `server`.
    pub fn new(
        server: SocketAddrV4,
        requests: u32,
        request_bytes: u32,
        reuse: bool,
        nodelay: bool,
        gap: Duration,
    ) -> Self {
        RpcClient {
            server,
            requests,
            request_bytes,
            reuse,
            nodelay,
            gap,
            done: 0,
            sock: None,
            started: Instant::ZERO,
            reader: MessageReader::default(),
            outbox: Outbox::default(),
            payload: None,
            fast_open: false,
            max_seg: None,
        }
    }

    /// setsockopt(TCP_MAXSEG, `mss`) before every connect().
    pub fn with_max_seg(mut self, mss: Option<u16>) -> Self {
        self.max_seg = mss;
        self
    }

    /// Open connections with sendto(MSG_FASTOPEN), the request queued before the SYN.
    pub fn with_fast_open(mut self, on: bool) -> Self {
        self.fast_open = on;
        self
    }

    fn open(&mut self, os: &mut Os) {
        self.started = os.now;
        let opened = if self.request_in_syn() {
            // sendto(MSG_FASTOPEN): the request is queued before the SYN is built.
            let request = self.request();
            match self.max_seg {
                Some(m) => os.tcp_connect_maxseg(self.server, Some(&request), m),
                None => os.tcp_connect_data(self.server, &request),
            }
            .map(|(s, n)| {
                self.outbox.push(request[n..].to_vec());
                s
            })
        } else if let Some(m) = self.max_seg {
            os.tcp_connect_maxseg(self.server, None, m).map(|(s, _)| s)
        } else {
            os.tcp_connect(self.server)
        };
        match opened {
            Ok(s) => {
                os.tcp_set_nodelay(s, self.nodelay);
                self.sock = Some(s);
            }
            Err(e) => os.note(format!("connect() to {} failed: {e}", self.server)),
        }
    }

    /// A new connection per request with Fast Open: each request is queued before its SYN.
    fn request_in_syn(&self) -> bool {
        self.fast_open && !self.reuse
    }

    fn request(&self) -> Vec<u8> {
        match &self.payload {
            Some(p) => p.clone(),
            None => http::request(self.request_bytes as usize, &self.server.ip().to_string()),
        }
    }

    fn send_request(&mut self, os: &mut Os) {
        let Some(s) = self.sock else { return };
        if self.reuse {
            self.started = os.now;
        }
        if !self.request_in_syn() {
            let request = self.request();
            self.outbox.push(request);
        }
        self.outbox.pump(os, s);
    }
}

impl App for RpcClient {
    fn start(&mut self, os: &mut Os) {
        self.open(os);
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::Connected { sock } if Some(*sock) == self.sock => self.send_request(os),
            Notice::ConnectFailed { sock, error } if Some(*sock) == self.sock => {
                os.note(format!("connect() to {} failed: {error}", self.server));
                self.sock = None;
            }
            Notice::Writable { sock } if Some(*sock) == self.sock => self.outbox.pump(os, *sock),
            Notice::Readable { sock } | Notice::PeerClosed { sock } if Some(*sock) == self.sock => {
                let mut got = vec![];
                let eof = drain(os, *sock, &mut got);
                let complete = self.reader.feed(&got);
                for _ in 0..complete {
                    self.done += 1;
                    let latency = os.now - self.started;
                    os.app_event(AppCall::Exchange { sock: *sock, latency });
                    if !self.reuse {
                        os.tcp_close(*sock);
                        self.sock = None;
                    }
                    if self.done < self.requests {
                        os.set_timer_in(self.gap, 1);
                    } else if self.reuse {
                        os.tcp_close(*sock);
                    }
                }
                if eof && self.sock == Some(*sock) {
                    os.tcp_close(*sock);
                    self.sock = None;
                }
            }
            Notice::Reset { sock } if Some(*sock) == self.sock => {
                os.note("connection reset by peer");
                self.sock = None;
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, os: &mut Os, _token: u64) {
        if self.reuse && self.sock.is_some() {
            self.send_request(os);
        } else {
            self.reader = MessageReader::default();
            self.open(os);
        }
    }
}

/// The server side: answers every complete request with a response of `response_bytes`.
#[derive(Debug)]
pub struct RpcServer {
    port: u16,
    backlog: u32,
    response_bytes: u32,
    nodelay: bool,
    fastopen_qlen: u32,
    forgets_close: bool,
    listener: Option<SockId>,
    conns: BTreeMap<SockId, (MessageReader, Outbox)>,
}

impl RpcServer {
    /// A server on `port`.
    pub fn new(port: u16, backlog: u32, response_bytes: u32, nodelay: bool) -> Self {
        RpcServer {
            port,
            backlog,
            response_bytes,
            nodelay,
            fastopen_qlen: 0,
            forgets_close: false,
            listener: None,
            conns: BTreeMap::new(),
        }
    }

    /// setsockopt(TCP_FASTOPEN, `qlen`) on the listener (0 = off).
    pub fn with_fast_open(mut self, qlen: u32) -> Self {
        self.fastopen_qlen = qlen;
        self
    }

    /// The CLOSE-WAIT leak (see [`super::AppSpec::RpcServer`]'s `forgets_close`): end of
    /// stream is seen and nothing closes the socket.
    pub fn forgetting_close(mut self, forgets: bool) -> Self {
        self.forgets_close = forgets;
        self
    }

    fn serve(&mut self, os: &mut Os, sock: SockId) {
        let Some((reader, outbox)) = self.conns.get_mut(&sock) else { return };
        let mut got = vec![];
        let eof = drain(os, sock, &mut got);
        for _ in 0..reader.feed(&got) {
            // A request that came in TLS records is answered in TLS records (RFC 8446 §5.2:
            // after the handshake both directions carry application_data records).
            let response = http::response(self.response_bytes as usize);
            outbox.push(if reader.sealed() { http::tls_record::seal(&response) } else { response });
        }
        outbox.pump(os, sock);
        if eof && !self.forgets_close {
            os.tcp_close(sock);
            self.conns.remove(&sock);
        }
    }
}

impl App for RpcServer {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_listen(self.port, self.backlog) {
            Ok(l) => {
                if self.fastopen_qlen > 0 {
                    os.tcp_set_fastopen(l, self.fastopen_qlen);
                }
                self.listener = Some(l);
            }
            Err(e) => os.note(format!("listen() on port {} failed: {e}", self.port)),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                while let Some(c) = os.tcp_accept(*listener) {
                    os.tcp_set_nodelay(c, self.nodelay);
                    self.conns.insert(c, Default::default());
                    self.serve(os, c);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } => self.serve(os, *sock),
            Notice::Writable { sock } => {
                if let Some((_, outbox)) = self.conns.get_mut(sock) {
                    outbox.pump(os, *sock);
                }
            }
            Notice::Reset { sock } | Notice::Closed { sock } => {
                self.conns.remove(sock);
            }
            _ => {}
        }
    }
}
