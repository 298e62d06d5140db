//! Bulk transfer: a sender that pushes a fixed number of bytes through one TCP connection as
//! fast as TCP lets it, and a sink that reads them (at once, or at a set rate, which is how a
//! slow reader makes the receive window close).

use super::rpc::drain;
use super::{App, Os};
use crate::stack::Notice;
use crate::tcp::CcAlgorithm;
use crate::time::Duration;
use crate::trace::{AppCall, SockId};
use std::collections::BTreeSet;
use std::net::SocketAddrV4;

/// The byte at offset `i` of a bulk stream: a repeating, recognisable pattern.
pub fn pattern(i: u64) -> u8 {
    b"wirewise bulk data 0123456789abcdef\n"[(i % 36) as usize]
}

/// 64 KiB + 36 bytes of the pattern, starting at offset 0.
fn pattern_block() -> &'static [u8] {
    static BLOCK: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BLOCK.get_or_init(|| (0..64 * 1024 + 36).map(pattern).collect())
}

/// Sends `bytes` to `to`, then closes.
#[derive(Debug)]
pub struct BulkSend {
    to: SocketAddrV4,
    total: u64,
    written: u64,
    sock: Option<SockId>,
    closed: bool,
    congestion: Option<CcAlgorithm>,
}

impl BulkSend {
    /// A sender of `total` bytes.
    pub fn new(to: SocketAddrV4, total: u64) -> Self {
        BulkSend { to, total, written: 0, sock: None, closed: false, congestion: None }
    }

    /// Set TCP_CONGESTION on the connection before it sends.
    pub fn with_congestion(mut self, alg: Option<CcAlgorithm>) -> Self {
        self.congestion = alg;
        self
    }

    fn pump(&mut self, os: &mut Os) {
        let Some(s) = self.sock else { return };
        while self.written < self.total {
            // The pattern repeats every 36 bytes: write from a window of it that starts at the
            // right phase instead of building each chunk byte by byte.
            let n = (self.total - self.written).min(64 * 1024) as usize;
            let phase = (self.written % 36) as usize;
            let chunk = &pattern_block()[phase..phase + n];
            match os.tcp_write(s, chunk) {
                Ok(0) | Err(_) => return,
                Ok(k) => self.written += k as u64,
            }
        }
        if !self.closed {
            self.closed = true;
            os.tcp_close(s);
        }
    }
}

impl App for BulkSend {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_connect(self.to) {
            Ok(s) => {
                if let Some(alg) = self.congestion {
                    os.tcp_set_congestion(s, alg);
                }
                self.sock = Some(s);
            }
            Err(e) => os.note(format!("connect() failed: {e}")),
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::Connected { .. } | Notice::Writable { .. } => self.pump(os),
            Notice::ConnectFailed { error, .. } => os.note(format!("connect() failed: {error}")),
            _ => {}
        }
    }
}

/// Accepts connections and reads them.
#[derive(Debug)]
pub struct Sink {
    port: u16,
    backlog: u32,
    rate: Option<f64>,
    listener: Option<SockId>,
    conns: BTreeSet<SockId>,
    received: u64,
    read_after: Duration,
    rcvbuf: Option<u32>,
}

/// How often a rate-limited sink reads.
const TICK: Duration = Duration::from_millis(10);

impl Sink {
    /// A sink on `port`, reading at `rate_kbps` kilobits per second or at once.
    pub fn new(port: u16, backlog: u32, rate_kbps: Option<f64>) -> Self {
        Sink {
            port,
            backlog,
            rate: rate_kbps,
            listener: None,
            conns: BTreeSet::new(),
            received: 0,
            read_after: Duration::ZERO,
            rcvbuf: None,
        }
    }

    /// setsockopt(SO_RCVBUF, `bytes`) on the listener, if given.
    pub fn rcvbuf(mut self, bytes: Option<u32>) -> Self {
        self.rcvbuf = bytes;
        self
    }

    /// Do not read before `at` (from the start of the run).
    pub fn read_after(mut self, at: Duration) -> Self {
        self.read_after = at;
        self
    }

    fn may_read(&self, os: &Os) -> bool {
        os.now >= crate::time::Instant::ZERO + self.read_after
    }

    fn read(&mut self, os: &mut Os, sock: SockId, budget: Option<usize>) {
        let mut got = vec![];
        let eof = match budget {
            None => drain(os, sock, &mut got),
            Some(max) => match os.tcp_read(sock, max) {
                Ok(b) if b.is_empty() && max > 0 => true,
                Ok(b) => {
                    got = b;
                    false
                }
                Err(_) => false,
            },
        };
        self.received += got.len() as u64;
        if eof {
            os.app_event(AppCall::Note { text: format!("sink: peer closed after {} bytes", self.received) });
            os.tcp_close(sock);
            self.conns.remove(&sock);
        }
    }
}

impl App for Sink {
    fn start(&mut self, os: &mut Os) {
        match os.tcp_listen(self.port, self.backlog) {
            Ok(l) => {
                if let Some(b) = self.rcvbuf {
                    os.tcp_set_rcvbuf(l, b);
                }
                self.listener = Some(l);
            }
            Err(e) => os.note(format!("listen() failed: {e}")),
        }
        if self.rate.is_some() {
            os.set_timer_in(TICK, 1);
        } else if self.read_after > Duration::ZERO {
            os.set_timer(crate::time::Instant::ZERO + self.read_after, 2);
        }
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::AcceptReady { listener } if Some(*listener) == self.listener => {
                while let Some(c) = os.tcp_accept(*listener) {
                    self.conns.insert(c);
                    if self.rate.is_none() && self.may_read(os) {
                        self.read(os, c, None);
                    }
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } if self.rate.is_none() && self.may_read(os) => {
                self.read(os, *sock, None)
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, os: &mut Os, token: u64) {
        if token == 2 {
            for c in self.conns.clone() {
                self.read(os, c, None);
            }
            return;
        }
        if !self.may_read(os) {
            os.set_timer_in(TICK, 1);
            return;
        }
        let Some(kbps) = self.rate else { return };
        let budget = (kbps * 1000.0 / 8.0 * TICK.as_secs_f64()).max(0.0) as usize;
        for c in self.conns.clone() {
            self.read(os, c, Some(budget));
        }
        os.set_timer_in(TICK, 1);
    }
}
