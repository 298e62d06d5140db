//! The write-write-read pattern that meets Nagle's algorithm and delayed ACKs (docs/fidelity.md
//! §4.3 [E6]): a client sends a request in two small writes (a header, then a body) and waits
//! for a small reply; the server replies only once the whole request is there. With Nagle the
//! second write waits for the ACK of the first, which the server delays by 40 ms: every
//! iteration costs a delayed-ACK timeout. TCP_NODELAY sends it at once.

use super::{App, Os};
use crate::stack::Notice;
use crate::time::Instant;
use crate::trace::{AppCall, SockId};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// The client: `iterations` rounds of write(first), write(second), read(reply).
#[derive(Debug)]
pub struct WriteWriteRead {
    server: SocketAddrV4,
    iterations: u32,
    first: usize,
    second: usize,
    reply: usize,
    nodelay: bool,
    sock: Option<SockId>,
    done: u32,
    got: usize,
    started: Instant,
}

impl WriteWriteRead {
    /// A client of `server` doing `iterations` rounds.
    pub fn new(server: SocketAddrV4, iterations: u32, first: u32, second: u32, reply: u32, nodelay: bool) -> Self {
        WriteWriteRead {
            server,
            iterations,
            first: first as usize,
            second: second as usize,
            reply: reply.max(1) as usize,
            nodelay,
            sock: None,
            done: 0,
            got: 0,
            started: Instant::ZERO,
        }
    }

    fn round(&mut self, os: &mut Os) {
        let Some(s) = self.sock else { return };
        self.started = os.now;
        self.got = 0;
        let _ = os.tcp_write(s, &vec![b'h'; self.first]);
        let _ = os.tcp_write(s, &vec![b'b'; self.second]);
    }
}

impl App for WriteWriteRead {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_connect(self.server) {
            Ok(s) => {
                os.tcp_set_nodelay(s, self.nodelay);
                self.sock = Some(s);
            }
            Err(e) => os.note(format!("connect() failed: {e}")),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::Connected { sock } if Some(*sock) == self.sock => self.round(os),
            Notice::Readable { sock } if Some(*sock) == self.sock => {
                while let Ok(b) = os.tcp_read(*sock, 65536) {
                    if b.is_empty() {
                        break;
                    }
                    self.got += b.len();
                }
                if self.got >= self.reply {
                    self.done += 1;
                    let latency = os.now - self.started;
                    os.app_event(AppCall::Exchange { sock: *sock, latency });
                    if self.done < self.iterations {
                        self.round(os);
                    } else {
                        os.tcp_close(*sock);
                        self.sock = None;
                    }
                }
            }
            _ => {}
        }
    }
}

/// The server: reads requests of exactly `request` bytes and answers each with `reply` bytes.
#[derive(Debug)]
pub struct FixedResponder {
    port: u16,
    request: usize,
    reply: usize,
    listener: Option<SockId>,
    pending: BTreeMap<SockId, usize>,
}

impl FixedResponder {
    /// A responder on `port`.
    pub fn new(port: u16, request: u32, reply: u32) -> Self {
        FixedResponder {
            port,
            request: request.max(1) as usize,
            reply: reply as usize,
            listener: None,
            pending: BTreeMap::new(),
        }
    }

    fn serve(&mut self, os: &mut Os, sock: SockId) {
        let mut eof = false;
        loop {
            match os.tcp_read(sock, 65536) {
                Ok(b) if b.is_empty() => {
                    eof = true;
                    break;
                }
                Ok(b) => *self.pending.entry(sock).or_default() += b.len(),
                Err(_) => break,
            }
        }
        while self.pending.get(&sock).is_some_and(|&n| n >= self.request) {
            if let Some(n) = self.pending.get_mut(&sock) {
                *n -= self.request;
            }
            let _ = os.tcp_write(sock, &vec![b'r'; self.reply]);
        }
        if eof {
            os.tcp_close(sock);
            self.pending.remove(&sock);
        }
    }
}

impl App for FixedResponder {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_listen(self.port, 128) {
            Ok(l) => self.listener = Some(l),
            Err(e) => os.note(format!("listen() failed: {e}")),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                while let Some(c) = os.tcp_accept(*listener) {
                    self.pending.insert(c, 0);
                    self.serve(os, c);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } if self.pending.contains_key(sock) => {
                self.serve(os, *sock)
            }
            _ => {}
        }
    }
}
