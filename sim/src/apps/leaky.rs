//! A server with the classic CLOSE-WAIT leak: it answers every request, but when a client
//! hangs up (read() returns 0) the code path that handles it returns without calling close().
//! The kernel has ACKed the client's FIN and moved the connection to CLOSE-WAIT (RFC 9293
//! §3.6); only close() sends this side's FIN, so each forgotten connection stays in CLOSE-WAIT,
//! holding its file descriptor, for as long as the process lives.

use super::http::{self, MessageReader};
use super::rpc::{drain, Outbox};
use super::{App, Os};
use crate::stack::Notice;
use crate::trace::SockId;
use std::collections::BTreeMap;

/// The application.
#[derive(Debug)]
pub struct LeakyServer {
    port: u16,
    backlog: u32,
    response_bytes: u32,
    listener: Option<SockId>,
    conns: BTreeMap<SockId, (MessageReader, Outbox)>,
}

impl LeakyServer {
    /// A server on `port` answering each request with `response_bytes`.
    pub fn new(port: u16, backlog: u32, response_bytes: u32) -> Self {
        LeakyServer { port, backlog, response_bytes, listener: None, conns: BTreeMap::new() }
    }

    fn serve(&mut self, os: &mut Os, sock: SockId) {
        let Some((reader, outbox)) = self.conns.get_mut(&sock) else { return };
        let mut got = vec![];
        let _eof = drain(os, sock, &mut got);
        for _ in 0..reader.feed(&got) {
            outbox.push(http::response(self.response_bytes as usize));
        }
        outbox.pump(os, sock);
        // The bug: end of stream is seen here and nothing closes the socket.
    }
}

impl App for LeakyServer {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_listen(self.port, self.backlog) {
            Ok(l) => self.listener = Some(l),
            Err(e) => os.note(format!("listen() on port {} failed: {e}", self.port)),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                while let Some(c) = os.tcp_accept(*listener) {
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
