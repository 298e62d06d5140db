//! One end of a connection between two programs that agreed on each other's address and port
//! beforehand (a peer-to-peer call, NAT hole punching). It bind()s its own port and connect()s
//! to the other's, or with `listen` waits for the other on its port; once connected it writes
//! one message (at once, or with `reply` only after reading the other side's), reads the other
//! side's, and closes when its [`CloseWhen`] says.
//!
//! Two peers that connect() to each other at the same moment make their SYNs cross: a
//! simultaneous open (RFC 9293 §3.5, Figure 8). Two that close at the same moment make their
//! FINs cross: a simultaneous close (RFC 9293 §3.6, Figure 13).

use super::rpc::{drain, Outbox};
use super::{App, Os};
use crate::stack::Notice;
use crate::time::{Duration, Instant};
use crate::trace::SockId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddrV4;

/// When a [`Peer`] calls close().
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloseWhen {
    /// As soon as it has read the other side's whole message: it closes first (an active
    /// close) unless the other side does the same.
    #[default]
    AfterExchange,
    /// When the other side's FIN arrives and read() returns 0: a passive close.
    OnEof,
    /// At this time, in milliseconds from the start of the run, whatever has happened.
    AtMs(f64),
}

/// Default message size.
pub fn default_bytes() -> u32 {
    100
}

/// The application.
#[derive(Debug)]
pub struct Peer {
    port: u16,
    peer: SocketAddrV4,
    listen: bool,
    reply: bool,
    bytes: u32,
    close: CloseWhen,
    listener: Option<SockId>,
    sock: Option<SockId>,
    got: usize,
    outbox: Outbox,
}

impl Peer {
    /// A peer on local `port` (0: an ephemeral port) that talks to `peer`, connecting unless
    /// `listen`, and sends a message of `bytes`.
    pub fn new(port: u16, peer: SocketAddrV4, listen: bool, bytes: u32, close: CloseWhen) -> Self {
        Peer {
            port,
            peer,
            listen,
            reply: false,
            bytes,
            close,
            listener: None,
            sock: None,
            got: 0,
            outbox: Outbox::default(),
        }
    }

    /// Write the message only after the other side's has been read whole.
    pub fn replying(mut self, reply: bool) -> Self {
        self.reply = reply;
        self
    }

    fn message(&self, os: &Os) -> Vec<u8> {
        let mut m = format!("hello from {}:{}\n", os.ip, self.port).into_bytes();
        m.resize(self.bytes as usize, b'.');
        m
    }

    fn connected(&mut self, os: &mut Os, sock: SockId) {
        self.sock = Some(sock);
        if !self.reply {
            self.speak(os, sock);
        }
    }

    fn speak(&mut self, os: &mut Os, sock: SockId) {
        let m = self.message(os);
        self.outbox.push(m);
        self.outbox.pump(os, sock);
    }

    fn close(&mut self, os: &mut Os) {
        if let Some(s) = self.sock.take() {
            os.tcp_close(s);
        }
    }

    fn read(&mut self, os: &mut Os, sock: SockId) {
        if self.sock != Some(sock) {
            return;
        }
        let mut got = Vec::new();
        let eof = drain(os, sock, &mut got);
        let had_all = self.got >= self.bytes as usize;
        self.got += got.len();
        if self.reply && !had_all && self.got >= self.bytes as usize {
            self.speak(os, sock);
        }
        match self.close {
            CloseWhen::AfterExchange if self.got >= self.bytes as usize => self.close(os),
            CloseWhen::OnEof if eof => self.close(os),
            _ => {}
        }
    }
}

impl App for Peer {
    fn start(&mut self, os: &mut Os) {
        if let CloseWhen::AtMs(ms) = self.close {
            os.set_timer(Instant::ZERO + Duration::from_millis_f64(ms), 0);
        }
        if self.listen {
            match os.tcp_listen(self.port, 1) {
                Ok(l) => self.listener = Some(l),
                Err(e) => os.note(format!("listen() on port {} failed: {e}", self.port)),
            }
            return;
        }
        if let Err(e) = os.tcp_connect_from(self.port, self.peer) {
            os.note(format!("connect() from port {} to {} failed: {e}", self.port, self.peer));
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::Connected { sock } => self.connected(os, *sock),
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                if let Some(s) = os.tcp_accept(*listener) {
                    self.connected(os, s);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } => self.read(os, *sock),
            Notice::Writable { sock } if self.sock == Some(*sock) => self.outbox.pump(os, *sock),
            Notice::Reset { sock } | Notice::Closed { sock } | Notice::Error { sock, .. }
                if self.sock == Some(*sock) =>
            {
                self.sock = None;
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, os: &mut Os, _token: u64) {
        self.close(os);
    }
}
