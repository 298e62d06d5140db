//! A load generator: many clients on one host, each its own TCP connection from its own
//! ephemeral port, arriving steadily, in bursts, or all at once. Each client connects, sends
//! one HTTP request, reads the whole response and closes, like a benchmark tool (`wrk -c`,
//! `ab`) with one request per connection.
//!
//! What a figure reads: `AppCall::Connect`/`ConnectDone` give each client's connect()
//! latency (the 1 s, 2 s, 3 s… steps of SYN retransmissions when SYNs are dropped);
//! `AppCall::Exchange` the time from connect() to the last byte of the response;
//! `AppCall::Failed` a connection reset after connect() had succeeded (the RST of
//! `tcp_abort_on_overflow=1`).

use super::http::{self, MessageReader};
use super::rpc::{drain, Outbox};
use super::{App, Os};
use crate::stack::Notice;
use crate::time::{Duration, Instant};
use crate::trace::{AppCall, SockId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// How clients arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arrival {
    /// One every 1/rate seconds.
    #[default]
    Steady,
    /// `burst` clients at the same instant, bursts spaced to keep the average rate.
    Burst,
    /// Every client at the start.
    AllAtOnce,
}

impl Arrival {
    /// The word used in scenarios and parameters.
    pub fn name(self) -> &'static str {
        match self {
            Arrival::Steady => "steady",
            Arrival::Burst => "burst",
            Arrival::AllAtOnce => "all-at-once",
        }
    }

    /// Parse [`Arrival::name`].
    pub fn from_name(s: &str) -> Option<Arrival> {
        [Arrival::Steady, Arrival::Burst, Arrival::AllAtOnce].into_iter().find(|a| a.name() == s)
    }
}

/// How a [`LoadClients`] behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadConfig {
    /// The server.
    pub server: SocketAddrV4,
    /// Clients in all.
    pub clients: u32,
    /// How they arrive.
    pub arrival: Arrival,
    /// Clients per second (on average, for bursts).
    pub rate: f64,
    /// Clients per burst.
    pub burst: u32,
    /// Request size in bytes (headers included).
    pub request_bytes: u32,
}

/// One client in flight.
#[derive(Debug, Default)]
struct Client {
    started: Instant,
    reader: MessageReader,
    outbox: Outbox,
}

/// The load generator.
#[derive(Debug)]
pub struct LoadClients {
    cfg: LoadConfig,
    start: Instant,
    launched: u32,
    clients: BTreeMap<SockId, Client>,
}

impl LoadClients {
    /// A load generator as `cfg` describes.
    pub fn new(cfg: LoadConfig) -> Self {
        LoadClients { cfg, start: Instant::ZERO, launched: 0, clients: BTreeMap::new() }
    }

    /// When client `i` (0-based) arrives, after the start.
    pub fn arrival_offset(cfg: &LoadConfig, i: u32) -> Duration {
        let rate = if cfg.rate.is_finite() && cfg.rate > 0.0 { cfg.rate } else { 1.0 };
        let ms = match cfg.arrival {
            Arrival::AllAtOnce => 0.0,
            Arrival::Steady => f64::from(i) * 1000.0 / rate,
            Arrival::Burst => {
                let burst = cfg.burst.max(1);
                f64::from(i / burst) * f64::from(burst) * 1000.0 / rate
            }
        };
        Duration::from_millis_f64(ms)
    }

    /// Start every client due by now, then sleep until the next one.
    fn launch_due(&mut self, os: &mut Os) {
        while self.launched < self.cfg.clients {
            let at = self.start + Self::arrival_offset(&self.cfg, self.launched);
            if at > os.now {
                os.set_timer(at, 1);
                return;
            }
            self.launched += 1;
            match os.tcp_connect(self.cfg.server) {
                Ok(s) => {
                    self.clients.insert(s, Client { started: os.now, ..Default::default() });
                }
                Err(e) => os.note(format!("connect() to {} failed: {e}", self.cfg.server)),
            }
        }
    }

    fn fail(&mut self, os: &mut Os, sock: SockId, call: &str, error: &str) {
        if self.clients.remove(&sock).is_some() {
            os.app_event(AppCall::Failed { sock, call: call.into(), error: error.into() });
            os.tcp_close(sock);
        }
    }
}

impl App for LoadClients {
    fn start(&mut self, os: &mut Os) {
        self.start = os.now;
        self.launch_due(os);
    }

    fn on_notice(&mut self, os: &mut Os, n: &Notice) {
        match n {
            Notice::Connected { sock } => {
                let host = self.cfg.server.ip().to_string();
                if let Some(c) = self.clients.get_mut(sock) {
                    c.outbox.push(http::request(self.cfg.request_bytes as usize, &host));
                    c.outbox.pump(os, *sock);
                }
            }
            Notice::ConnectFailed { sock, .. } => {
                // connect() itself reported it (AppCall::ConnectDone with the errno).
                self.clients.remove(sock);
            }
            Notice::Writable { sock } => {
                if let Some(c) = self.clients.get_mut(sock) {
                    c.outbox.pump(os, *sock);
                }
            }
            Notice::Readable { sock } | Notice::PeerClosed { sock } => {
                let Some(c) = self.clients.get_mut(sock) else { return };
                let mut got = vec![];
                let eof = drain(os, *sock, &mut got);
                if c.reader.feed(&got) > 0 {
                    let latency = os.now - c.started;
                    os.app_event(AppCall::Exchange { sock: *sock, latency });
                    os.tcp_close(*sock);
                    self.clients.remove(sock);
                } else if eof {
                    self.fail(os, *sock, "read", "EOF before the response");
                }
            }
            Notice::Reset { sock } => self.fail(os, *sock, "read", "ECONNRESET"),
            Notice::Error { sock, error } => self.fail(os, *sock, "read", error.errno_name()),
            _ => {}
        }
    }

    fn on_timer(&mut self, os: &mut Os, _token: u64) {
        self.launch_due(os);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Ipv4Addr;

    fn cfg(arrival: Arrival) -> LoadConfig {
        LoadConfig {
            server: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80),
            clients: 10,
            arrival,
            rate: 100.0,
            burst: 4,
            request_bytes: 200,
        }
    }

    #[test]
    fn arrivals_follow_the_pattern() {
        let at = |a, i| LoadClients::arrival_offset(&cfg(a), i).as_millis_f64();
        assert_eq!((at(Arrival::Steady, 0), at(Arrival::Steady, 3)), (0.0, 30.0));
        assert_eq!((at(Arrival::Burst, 3), at(Arrival::Burst, 4), at(Arrival::Burst, 9)), (0.0, 40.0, 80.0));
        assert_eq!(at(Arrival::AllAtOnce, 9), 0.0);
        assert_eq!(Arrival::from_name("all-at-once"), Some(Arrival::AllAtOnce));
        assert_eq!(Arrival::from_name("poisson"), None);
    }
}
