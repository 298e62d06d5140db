//! Scenario applications: small programs on hosts that use the sockets API the way real
//! clients and servers do (connect, write, read, close; bind, sendto; raw ICMP for ping).
//!
//! An application reacts to readiness notices, datagrams, ICMP messages and its own timers
//! through an [`Os`] handle, which is all it can touch.

pub mod bulk;
pub mod dns;
pub mod h2mux;
pub mod http;
pub mod load;
pub mod peer;
pub mod ping;
pub mod quic;
pub mod rpc;
pub mod synflood;
pub mod tls;
pub mod traceroute;
pub mod udp_send;
pub mod workers;
pub mod write_write_read;

use crate::rng::Rng;
use crate::scenario::{check_range, ScenarioError, MAX_ITEMS};
use crate::stack::{Notice, OutPacket, SockError, StackCtx};
use crate::tcp::TcpStack;
use crate::time::{Duration, Instant};
use crate::trace::{AppCall, EventKind, NodeId, SockId, Trace};
use crate::udp::UdpStack;
use crate::wire::{IcmpRepr, Ipv4Addr, Ipv4Packet};
use serde::{Deserialize, Serialize};
use std::net::SocketAddrV4;

/// A program running on a host.
pub trait App {
    /// Called once at the app's start time.
    fn start(&mut self, os: &mut Os);
    /// A socket this app owns became ready (connected, readable, closed...).
    fn on_notice(&mut self, _os: &mut Os, _notice: &Notice) {}
    /// A timer this app set fired.
    fn on_timer(&mut self, _os: &mut Os, _token: u64) {}
    /// A datagram arrived on a UDP socket this app owns.
    fn on_udp(&mut self, _os: &mut Os, _sock: SockId, _from: SocketAddrV4, _data: &[u8]) {}
    /// An ICMP message arrived at this host (echo replies, errors), with the IP TTL it had.
    fn on_icmp(&mut self, _os: &mut Os, _from: Ipv4Addr, _icmp: &IcmpRepr, _ttl: u8) {}
}

/// What an application may touch: its host's sockets, timers, and the trace.
pub struct Os<'a> {
    /// Now.
    pub now: Instant,
    /// The host.
    pub node: NodeId,
    /// The host's address.
    pub ip: Ipv4Addr,
    pub(crate) tcp: &'a mut TcpStack,
    pub(crate) udp: &'a mut UdpStack,
    pub(crate) rng: &'a mut Rng,
    pub(crate) trace: &'a mut Trace,
    pub(crate) out: &'a mut Vec<OutPacket>,
    pub(crate) raw: &'a mut Vec<Ipv4Packet>,
    pub(crate) notices: &'a mut Vec<Notice>,
    pub(crate) timers: &'a mut Vec<(Instant, u64)>,
    pub(crate) claimed: &'a mut Vec<SockId>,
}

impl Os<'_> {
    fn with_tcp<R>(&mut self, f: impl FnOnce(&mut TcpStack, &mut StackCtx) -> R) -> R {
        let mut ctx = StackCtx {
            now: self.now,
            node: self.node,
            rng: self.rng,
            trace: self.trace,
            out: self.out,
            notices: self.notices,
        };
        f(self.tcp, &mut ctx)
    }

    /// listen() on `port` with `backlog`.
    pub fn tcp_listen(&mut self, port: u16, backlog: u32) -> Result<SockId, SockError> {
        let local = SocketAddrV4::new(self.ip, port);
        let s = self.with_tcp(|t, c| t.listen(c, local, backlog))?;
        self.claimed.push(s);
        Ok(s)
    }

    /// bind() to `port` then connect() to `to` (see [`TcpStack::connect_from`]).
    pub fn tcp_connect_from(&mut self, port: u16, to: SocketAddrV4) -> Result<SockId, SockError> {
        let local = SocketAddrV4::new(self.ip, port);
        let s = self.with_tcp(|t, c| t.connect_from(c, local, to))?;
        self.claimed.push(s);
        Ok(s)
    }

    /// listen() on `port` with SO_REUSEPORT set: one more listener in the port's group, with
    /// its own queues (see [`crate::tcp::reuseport`]).
    pub fn tcp_listen_reuseport(&mut self, port: u16, backlog: u32) -> Result<SockId, SockError> {
        let local = SocketAddrV4::new(self.ip, port);
        let s = self.with_tcp(|t, c| t.listen_reuseport(c, local, backlog))?;
        self.claimed.push(s);
        Ok(s)
    }

    /// connect() to `to` from an ephemeral port.
    pub fn tcp_connect(&mut self, to: SocketAddrV4) -> Result<SockId, SockError> {
        let ip = self.ip;
        let s = self.with_tcp(|t, c| t.connect(c, ip, to))?;
        self.claimed.push(s);
        Ok(s)
    }

    /// sendto(MSG_FASTOPEN): connect() to `to` with `data` queued before the SYN, which
    /// carries it if a Fast Open cookie for `to` is cached (see
    /// [`crate::tcp::TcpStack::connect_data`]). Returns the socket and the bytes queued.
    pub fn tcp_connect_data(&mut self, to: SocketAddrV4, data: &[u8]) -> Result<(SockId, usize), SockError> {
        let ip = self.ip;
        let (s, n) = self.with_tcp(|t, c| t.connect_data(c, ip, to, data))?;
        self.claimed.push(s);
        Ok((s, n))
    }

    /// setsockopt(TCP_MAXSEG, `user_mss`) on a new socket, then connect() to `to` (with
    /// `data` queued before the SYN as [`Self::tcp_connect_data`] does, if given); see
    /// [`crate::tcp::TcpStack::connect_maxseg`]. EINVAL outside 88..=32767.
    pub fn tcp_connect_maxseg(
        &mut self,
        to: SocketAddrV4,
        data: Option<&[u8]>,
        user_mss: u16,
    ) -> Result<(SockId, usize), SockError> {
        let ip = self.ip;
        let (s, n) = self.with_tcp(|t, c| t.connect_maxseg(c, ip, to, data, user_mss))?;
        self.claimed.push(s);
        Ok((s, n))
    }

    /// setsockopt(SO_RCVBUF, `bytes`) on a listener.
    pub fn tcp_set_rcvbuf(&mut self, listener: SockId, bytes: u32) {
        let _ = self.with_tcp(|t, _| t.set_rcvbuf(listener, bytes));
    }

    /// setsockopt(TCP_FASTOPEN, `qlen`) on a listener.
    pub fn tcp_set_fastopen(&mut self, listener: SockId, qlen: u32) {
        let _ = self.with_tcp(|t, c| t.set_fastopen(c, listener, qlen));
    }

    /// accept(): the next established connection, if any.
    pub fn tcp_accept(&mut self, listener: SockId) -> Option<SockId> {
        let s = self.with_tcp(|t, c| t.accept(c, listener))?;
        self.claimed.push(s);
        Some(s)
    }

    /// write(): how many bytes the send buffer took.
    pub fn tcp_write(&mut self, sock: SockId, data: &[u8]) -> Result<usize, SockError> {
        self.with_tcp(|t, c| t.write(c, sock, data))
    }

    /// read() up to `max` bytes.
    pub fn tcp_read(&mut self, sock: SockId, max: usize) -> Result<Vec<u8>, SockError> {
        self.with_tcp(|t, c| t.read(c, sock, max))
    }

    /// close().
    pub fn tcp_close(&mut self, sock: SockId) {
        self.with_tcp(|t, c| t.close(c, sock))
    }

    /// setsockopt(TCP_NODELAY).
    pub fn tcp_set_nodelay(&mut self, sock: SockId, on: bool) {
        let _ = self.with_tcp(|t, c| t.set_nodelay(c, sock, on));
    }

    /// setsockopt(TCP_CONGESTION).
    pub fn tcp_set_congestion(&mut self, sock: SockId, alg: crate::tcp::CcAlgorithm) {
        let _ = self.with_tcp(|t, c| t.set_congestion(c, sock, alg));
    }

    /// bind() a UDP socket (port 0 picks an ephemeral port).
    pub fn udp_bind(&mut self, port: u16) -> Result<SockId, SockError> {
        let ip = self.ip;
        let s = self.udp.bind(self.trace, self.rng, self.node, SocketAddrV4::new(ip, port))?;
        self.claimed.push(s);
        Ok(s)
    }

    /// sendto() on a UDP socket. `dont_frag` false lets the datagram be fragmented.
    pub fn udp_send(&mut self, sock: SockId, to: SocketAddrV4, data: &[u8], dont_frag: bool) -> Result<(), SockError> {
        let pkt = self.udp.send_to(sock, to, data, dont_frag)?;
        self.out.push(pkt);
        Ok(())
    }

    /// Send a raw IP packet (ping, traceroute probes); the host fills the IP ident.
    pub fn send_raw(&mut self, pkt: Ipv4Packet) {
        self.raw.push(pkt);
    }

    /// Wake this app at `at` with `token`.
    pub fn set_timer(&mut self, at: Instant, token: u64) {
        self.timers.push((at, token));
    }

    /// Wake this app after `d`.
    pub fn set_timer_in(&mut self, d: Duration, token: u64) {
        let at = self.now + d;
        self.set_timer(at, token);
    }

    /// Record an application event.
    pub fn app_event(&mut self, call: AppCall) {
        let (t, node) = (self.now, self.node);
        self.trace.events.push(crate::trace::Event { t, kind: EventKind::App { node, call } });
    }

    /// Record a line of the app's own output ("64 bytes from 10.0.0.2: icmp_seq=1 ...").
    pub fn note(&mut self, text: impl Into<String>) {
        self.app_event(AppCall::Note { text: text.into() });
    }

    /// A random number from the host's generator.
    pub fn random_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }
}

fn zero() -> f64 {
    0.0
}
fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn http_port() -> u16 {
    80
}
fn default_backlog() -> u32 {
    511
}
fn https_port() -> u16 {
    443
}
fn default_sni() -> String {
    "api.example.com".into()
}

/// An application and its settings, as scenario data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "app", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AppSpec {
    /// An HTTP/1.1 client making `requests` POSTs of `request_bytes` each.
    RpcClient {
        host: String,
        server: SocketAddrV4,
        #[serde(default = "zero")]
        start_ms: f64,
        #[serde(default = "one")]
        requests: u32,
        #[serde(default = "rpc::default_request")]
        request_bytes: u32,
        /// Reuse one pooled connection (opened before the first request) instead of a new
        /// connection per request.
        #[serde(default)]
        reuse: bool,
        #[serde(default)]
        nodelay: bool,
        /// Pause between a response and the next request.
        #[serde(default = "zero")]
        gap_ms: f64,
        /// The exact bytes of each request, instead of a POST of `request_bytes`.
        #[serde(default)]
        request_payload: Option<Vec<u8>>,
        /// Open each connection with sendto(MSG_FASTOPEN) and the request (TCP Fast Open,
        /// RFC 7413): the first asks for a cookie, later ones carry the request in the SYN.
        #[serde(default)]
        fast_open: bool,
        /// setsockopt(TCP_MAXSEG) before each connect() (88 to 32767), if set.
        #[serde(default)]
        max_seg: Option<u16>,
    },
    /// An HTTP/1.1 server answering every request with `response_bytes`.
    RpcServer {
        host: String,
        #[serde(default = "http_port")]
        port: u16,
        #[serde(default = "default_backlog")]
        backlog: u32,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
        #[serde(default)]
        nodelay: bool,
        /// setsockopt(TCP_FASTOPEN) on the listener: accept data in SYNs with a valid cookie,
        /// at most this many pending (0 = off; the host also needs `tcp_fastopen` & 0x2).
        #[serde(default)]
        fastopen_qlen: u32,
        /// The classic CLOSE-WAIT leak: answer every request, but when the client hangs up
        /// (read() returns 0) return without calling close(). The kernel has ACKed the
        /// client's FIN and moved the connection to CLOSE-WAIT (RFC 9293 §3.6); only close()
        /// sends this side's FIN, so each forgotten connection stays there, holding its file
        /// descriptor, for as long as the process lives.
        #[serde(default)]
        forgets_close: bool,
    },
    /// Sends `bytes` over one TCP connection as fast as TCP allows, then closes.
    BulkSend {
        host: String,
        to: SocketAddrV4,
        bytes: u64,
        #[serde(default = "zero")]
        start_ms: f64,
        /// setsockopt(TCP_CONGESTION) on the connection, if not the host's default.
        #[serde(default)]
        congestion: Option<crate::tcp::CcAlgorithm>,
    },
    /// Accepts connections and reads what arrives (at `read_rate_kbps`, or at once).
    Sink {
        host: String,
        #[serde(default = "http_port")]
        port: u16,
        #[serde(default = "default_backlog")]
        backlog: u32,
        #[serde(default)]
        read_rate_kbps: Option<f64>,
        #[serde(default = "zero")]
        start_ms: f64,
        /// The application does not read before this time (ms after the run starts), so the
        /// receive buffer fills and the window closes.
        #[serde(default = "zero")]
        read_after_ms: f64,
        /// setsockopt(SO_RCVBUF) on the listener, bytes (the buffer is twice that).
        #[serde(default)]
        so_rcvbuf: Option<u32>,
    },
    /// Write, write, read: `iterations` requests sent as two small writes, each waiting for a
    /// `reply_bytes` reply (the Nagle × delayed-ACK stall).
    WriteWriteRead {
        host: String,
        server: SocketAddrV4,
        #[serde(default = "one")]
        iterations: u32,
        first_bytes: u32,
        second_bytes: u32,
        reply_bytes: u32,
        #[serde(default)]
        nodelay: bool,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// Answers every `request_bytes` received with `reply_bytes`.
    Responder {
        host: String,
        port: u16,
        request_bytes: u32,
        reply_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// A stub resolver sending one DNS query for `name` (type A) over UDP.
    DnsClient {
        host: String,
        server: Ipv4Addr,
        name: String,
        #[serde(default = "zero")]
        start_ms: f64,
        /// Seconds before a retry (resolv.conf `timeout`, default 5).
        #[serde(default = "dns::default_timeout")]
        timeout_ms: f64,
        /// Tries in all (resolv.conf `attempts`, default 2).
        #[serde(default = "dns::default_attempts")]
        attempts: u32,
        /// Pad the query to this many bytes with EDNS(0) Padding (0: no padding).
        #[serde(default)]
        pad_to: u32,
        /// DF on the query (`IP_PMTUDISC_DO`); clear lets IP fragment a large one.
        #[serde(default = "yes")]
        dont_frag: bool,
    },
    /// An authoritative DNS server on UDP port 53 with A records.
    DnsServer {
        host: String,
        records: Vec<dns::Record>,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// iputils ping: `count` echo requests of `size` data bytes every `interval_ms`.
    Ping {
        host: String,
        dst: Ipv4Addr,
        #[serde(default = "ping::default_count")]
        count: u32,
        #[serde(default = "ping::default_interval")]
        interval_ms: f64,
        #[serde(default = "ping::default_size")]
        size: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// Classic UDP traceroute: probes to port 33434+ with TTL 1, 2, 3, …
    Traceroute {
        host: String,
        dst: Ipv4Addr,
        #[serde(default = "traceroute::default_max_hops")]
        max_hops: u8,
        #[serde(default = "one")]
        probes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// Sends one UDP datagram of `bytes` (fragmentation demos); `dont_frag` as IP_PMTUDISC_DO.
    UdpSend {
        host: String,
        to: SocketAddrV4,
        bytes: u32,
        #[serde(default)]
        dont_frag: bool,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// An HTTPS-style client: TCP, a TLS handshake, one request and its response.
    TlsClient {
        host: String,
        server: SocketAddrV4,
        version: tls::TlsVersion,
        #[serde(default = "rpc::default_request")]
        request_bytes: u32,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "default_sni")]
        sni: String,
        #[serde(default = "zero")]
        start_ms: f64,
        /// TCP Fast Open (RFC 7413): the client visits twice, the second time with the
        /// ClientHello in the SYN; the server sets TCP_FASTOPEN on its listener.
        #[serde(default)]
        fast_open: bool,
    },
    /// The TLS server for [`AppSpec::TlsClient`] (the same `version`).
    TlsServer {
        host: String,
        #[serde(default = "https_port")]
        port: u16,
        version: tls::TlsVersion,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "default_sni")]
        sni: String,
        #[serde(default = "zero")]
        start_ms: f64,
        /// TCP Fast Open (RFC 7413): the client visits twice, the second time with the
        /// ClientHello in the SYN; the server sets TCP_FASTOPEN on its listener.
        #[serde(default)]
        fast_open: bool,
    },
    /// A QUIC client opening `streams` request streams (0-RTT resumption if `zero_rtt`).
    QuicClient {
        host: String,
        server: SocketAddrV4,
        #[serde(default)]
        zero_rtt: bool,
        #[serde(default = "one")]
        streams: u32,
        #[serde(default = "rpc::default_request")]
        request_bytes: u32,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// The QUIC server for [`AppSpec::QuicClient`].
    QuicServer {
        host: String,
        #[serde(default = "https_port")]
        port: u16,
        #[serde(default)]
        zero_rtt: bool,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// Binds a UDP port and records what arrives.
    UdpSink {
        host: String,
        port: u16,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// A server whose `workers` threads each call accept() at most `accept_rate` times a
    /// second, on one shared listener or (`reuseport`) one SO_REUSEPORT listener each; the
    /// first `stalled_workers` stop accepting from `stall_from_ms` for `stall_ms` (or for
    /// good). See [`workers`].
    WorkerServer {
        host: String,
        #[serde(default = "http_port")]
        port: u16,
        #[serde(default = "default_backlog")]
        backlog: u32,
        #[serde(default = "one")]
        workers: u32,
        #[serde(default)]
        reuseport: bool,
        #[serde(default = "default_accept_rate")]
        accept_rate: f64,
        #[serde(default)]
        stalled_workers: u32,
        #[serde(default = "zero")]
        stall_from_ms: f64,
        #[serde(default)]
        stall_ms: Option<f64>,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// `clients` clients, each one TCP connection with one request, arriving `steady`, in
    /// `burst`s or `all-at-once` at `rate` per second. See [`load`].
    LoadClients {
        host: String,
        server: SocketAddrV4,
        clients: u32,
        #[serde(default)]
        arrival: load::Arrival,
        rate: f64,
        #[serde(default = "default_burst")]
        burst: u32,
        #[serde(default = "rpc::default_request")]
        request_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// `count` SYNs at `rate` per second to `target` from random addresses in `spoof` that
    /// never answer. See [`synflood`].
    SynFlood {
        host: String,
        target: SocketAddrV4,
        rate: f64,
        count: u32,
        spoof: crate::scenario::Cidr,
        #[serde(default)]
        syn_options: bool,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// An HTTP/2 client sending `streams` requests at once on one TCP connection. See [`h2mux`].
    H2Client {
        host: String,
        server: SocketAddrV4,
        #[serde(default = "one")]
        streams: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// The HTTP/2 server for [`AppSpec::H2Client`].
    H2Server {
        host: String,
        #[serde(default = "https_port")]
        port: u16,
        #[serde(default = "rpc::default_response")]
        response_bytes: u32,
        #[serde(default = "zero")]
        start_ms: f64,
    },
    /// One end of a connection to an agreed peer: bind() to `port` (0: ephemeral) and
    /// connect() to `peer`, or with `listen` wait on `port`; write `bytes` (with `reply`, after
    /// reading the peer's message), read the peer's message, close as `close` says. See
    /// [`peer`].
    Peer {
        host: String,
        port: u16,
        peer: SocketAddrV4,
        #[serde(default)]
        listen: bool,
        #[serde(default)]
        reply: bool,
        #[serde(default = "peer::default_bytes")]
        bytes: u32,
        #[serde(default)]
        close: peer::CloseWhen,
        #[serde(default = "zero")]
        start_ms: f64,
    },
}

/// Most requests one client makes, or clients one load generator starts (a simulation
/// bound: 20,000 short connections stay well under the event limit).
pub const MAX_CLIENTS: f64 = 20_000.0;

fn default_accept_rate() -> f64 {
    100.0
}
fn default_burst() -> u32 {
    10
}

impl AppSpec {
    /// The host it runs on.
    pub fn host(&self) -> &str {
        match self {
            AppSpec::RpcClient { host, .. }
            | AppSpec::RpcServer { host, .. }
            | AppSpec::BulkSend { host, .. }
            | AppSpec::Sink { host, .. }
            | AppSpec::DnsClient { host, .. }
            | AppSpec::DnsServer { host, .. }
            | AppSpec::Ping { host, .. }
            | AppSpec::Traceroute { host, .. }
            | AppSpec::UdpSend { host, .. }
            | AppSpec::TlsClient { host, .. }
            | AppSpec::TlsServer { host, .. }
            | AppSpec::QuicClient { host, .. }
            | AppSpec::QuicServer { host, .. }
            | AppSpec::UdpSink { host, .. }
            | AppSpec::WorkerServer { host, .. }
            | AppSpec::LoadClients { host, .. }
            | AppSpec::SynFlood { host, .. }
            | AppSpec::WriteWriteRead { host, .. }
            | AppSpec::Responder { host, .. }
            | AppSpec::H2Client { host, .. }
            | AppSpec::H2Server { host, .. }
            | AppSpec::Peer { host, .. } => host,
        }
    }

    /// When it starts, in milliseconds.
    pub fn start_ms(&self) -> f64 {
        match self {
            AppSpec::RpcClient { start_ms, .. }
            | AppSpec::RpcServer { start_ms, .. }
            | AppSpec::BulkSend { start_ms, .. }
            | AppSpec::Sink { start_ms, .. }
            | AppSpec::DnsClient { start_ms, .. }
            | AppSpec::DnsServer { start_ms, .. }
            | AppSpec::Ping { start_ms, .. }
            | AppSpec::Traceroute { start_ms, .. }
            | AppSpec::UdpSend { start_ms, .. }
            | AppSpec::TlsClient { start_ms, .. }
            | AppSpec::TlsServer { start_ms, .. }
            | AppSpec::QuicClient { start_ms, .. }
            | AppSpec::QuicServer { start_ms, .. }
            | AppSpec::UdpSink { start_ms, .. }
            | AppSpec::WorkerServer { start_ms, .. }
            | AppSpec::LoadClients { start_ms, .. }
            | AppSpec::SynFlood { start_ms, .. }
            | AppSpec::WriteWriteRead { start_ms, .. }
            | AppSpec::Responder { start_ms, .. }
            | AppSpec::H2Client { start_ms, .. }
            | AppSpec::H2Server { start_ms, .. }
            | AppSpec::Peer { start_ms, .. } => *start_ms,
        }
    }

    /// The port a server listens on, if this is a server.
    fn listen_port(&self) -> Option<u16> {
        match self {
            AppSpec::RpcServer { port, .. }
            | AppSpec::Sink { port, .. }
            | AppSpec::Responder { port, .. }
            | AppSpec::TlsServer { port, .. }
            | AppSpec::QuicServer { port, .. }
            | AppSpec::UdpSink { port, .. }
            | AppSpec::WorkerServer { port, .. }
            | AppSpec::H2Server { port, .. } => Some(*port),
            AppSpec::Peer { port, listen: true, .. } => Some(*port),
            _ => None,
        }
    }

    /// Check numbers and names.
    ///
    /// Bounds are simulation bounds (runs stay browser-sized) unless a comment names a
    /// protocol limit. Counts of requests and clients share [`MAX_CLIENTS`].
    pub fn validate(&self, ctx: &str) -> Result<(), ScenarioError> {
        check_range(&format!("{ctx}.start_ms"), self.start_ms(), 0.0, crate::scenario::MAX_STOP_MS)?;
        if self.listen_port() == Some(0) {
            // listen() on port 0 binds a random ephemeral port (inet_autobind), which no
            // client in a scenario could know.
            return Err(ScenarioError::InvalidValue {
                field: format!("{ctx}.port"),
                value: "0".into(),
                why: "a server needs a port between 1 and 65535".into(),
            });
        }
        match self {
            AppSpec::RpcClient { requests, request_bytes, gap_ms, max_seg, request_payload, .. } => {
                if let Some(m) = max_seg {
                    check_range(&format!("{ctx}.max_seg"), f64::from(*m), 88.0, 32_767.0)?;
                }
                if let Some(p) = request_payload {
                    check_range(&format!("{ctx}.request_payload.length"), p.len() as f64, 1.0, 16_000_000.0)?;
                }
                check_range(&format!("{ctx}.requests"), *requests as f64, 1.0, MAX_CLIENTS)?;
                check_range(&format!("{ctx}.request_bytes"), *request_bytes as f64, 1.0, 16_000_000.0)?;
                check_range(&format!("{ctx}.gap_ms"), *gap_ms, 0.0, 600_000.0)
            }
            AppSpec::RpcServer { response_bytes, .. } => {
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 0.0, 100_000_000.0)
            }
            AppSpec::BulkSend { bytes, .. } => check_range(&format!("{ctx}.bytes"), *bytes as f64, 1.0, 10e9),
            AppSpec::Sink { read_rate_kbps, read_after_ms, so_rcvbuf, .. } => {
                check_range(&format!("{ctx}.read_after_ms"), *read_after_ms, 0.0, crate::scenario::MAX_STOP_MS)?;
                if let Some(b) = so_rcvbuf {
                    // An int socket option (`sock_setsockopt`).
                    check_range(&format!("{ctx}.so_rcvbuf"), f64::from(*b), 0.0, f64::from(i32::MAX))?;
                }
                match read_rate_kbps {
                    Some(r) => check_range(&format!("{ctx}.read_rate_kbps"), *r, 0.0, 1e9),
                    None => Ok(()),
                }
            }
            AppSpec::WriteWriteRead { iterations, first_bytes, second_bytes, reply_bytes, .. } => {
                check_range(&format!("{ctx}.iterations"), *iterations as f64, 1.0, 10_000.0)?;
                check_range(&format!("{ctx}.first_bytes"), *first_bytes as f64, 1.0, 1_000_000.0)?;
                check_range(&format!("{ctx}.second_bytes"), *second_bytes as f64, 0.0, 1_000_000.0)?;
                check_range(&format!("{ctx}.reply_bytes"), *reply_bytes as f64, 1.0, 1_000_000.0)
            }
            AppSpec::Responder { request_bytes, reply_bytes, .. } => {
                check_range(&format!("{ctx}.request_bytes"), *request_bytes as f64, 1.0, 1_000_000.0)?;
                check_range(&format!("{ctx}.reply_bytes"), *reply_bytes as f64, 0.0, 1_000_000.0)
            }
            AppSpec::DnsClient { name, timeout_ms, attempts, pad_to, .. } => {
                check_range(&format!("{ctx}.pad_to"), f64::from(*pad_to), 0.0, 65_507.0)?;
                dns::encode_name(name).map_err(|why| ScenarioError::InvalidValue {
                    field: format!("{ctx}.name"),
                    value: name.clone(),
                    why,
                })?;
                check_range(&format!("{ctx}.timeout_ms"), *timeout_ms, 1.0, 600_000.0)?;
                check_range(&format!("{ctx}.attempts"), *attempts as f64, 1.0, 10.0)
            }
            AppSpec::DnsServer { records, .. } => {
                check_range(&format!("{ctx}.records.length"), records.len() as f64, 0.0, MAX_ITEMS as f64)?;
                for r in records {
                    dns::encode_name(&r.name).map_err(|why| ScenarioError::InvalidValue {
                        field: format!("{ctx}.records"),
                        value: r.name.clone(),
                        why,
                    })?;
                }
                Ok(())
            }
            AppSpec::Ping { count, interval_ms, size, .. } => {
                check_range(&format!("{ctx}.count"), *count as f64, 1.0, 10_000.0)?;
                check_range(&format!("{ctx}.interval_ms"), *interval_ms, 0.2, 600_000.0)?;
                check_range(&format!("{ctx}.size"), *size as f64, 0.0, 65_507.0)
            }
            AppSpec::Traceroute { max_hops, probes, .. } => {
                check_range(&format!("{ctx}.max_hops"), *max_hops as f64, 1.0, 64.0)?;
                check_range(&format!("{ctx}.probes"), *probes as f64, 1.0, 3.0)
            }
            AppSpec::UdpSend { bytes, .. } => check_range(&format!("{ctx}.bytes"), *bytes as f64, 0.0, 65_507.0),
            AppSpec::UdpSink { .. } => Ok(()),
            AppSpec::QuicClient { streams, request_bytes, response_bytes, .. } => {
                check_range(&format!("{ctx}.streams"), *streams as f64, 1.0, 100.0)?;
                check_range(&format!("{ctx}.request_bytes"), *request_bytes as f64, 1.0, 1_000_000.0)?;
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 1.0, 100_000_000.0)
            }
            AppSpec::QuicServer { response_bytes, .. } => {
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 1.0, 100_000_000.0)
            }
            AppSpec::TlsClient { request_bytes, response_bytes, sni, .. } => {
                check_range(
                    &format!("{ctx}.request_bytes"),
                    *request_bytes as f64,
                    1.0,
                    tls::records::MAX_PLAINTEXT as f64,
                )?;
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 1.0, 100_000_000.0)?;
                dns::encode_name(sni).map(|_| ()).map_err(|why| ScenarioError::InvalidValue {
                    field: format!("{ctx}.sni"),
                    value: sni.clone(),
                    why,
                })
            }
            AppSpec::TlsServer { response_bytes, sni, .. } => {
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 1.0, 100_000_000.0)?;
                dns::encode_name(sni).map(|_| ()).map_err(|why| ScenarioError::InvalidValue {
                    field: format!("{ctx}.sni"),
                    value: sni.clone(),
                    why,
                })
            }
            AppSpec::WorkerServer {
                workers,
                accept_rate,
                stalled_workers,
                stall_from_ms,
                stall_ms,
                response_bytes,
                ..
            } => {
                check_range(&format!("{ctx}.workers"), *workers as f64, 1.0, 256.0)?;
                check_range(&format!("{ctx}.accept_rate"), *accept_rate, 0.01, 1_000_000.0)?;
                check_range(&format!("{ctx}.stalled_workers"), *stalled_workers as f64, 0.0, *workers as f64)?;
                check_range(&format!("{ctx}.stall_from_ms"), *stall_from_ms, 0.0, crate::scenario::MAX_STOP_MS)?;
                if let Some(d) = stall_ms {
                    check_range(&format!("{ctx}.stall_ms"), *d, 0.0, crate::scenario::MAX_STOP_MS)?;
                }
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 0.0, 100_000_000.0)
            }
            AppSpec::LoadClients { clients, rate, burst, request_bytes, .. } => {
                check_range(&format!("{ctx}.clients"), *clients as f64, 1.0, MAX_CLIENTS)?;
                check_range(&format!("{ctx}.rate"), *rate, 0.001, 1_000_000.0)?;
                check_range(&format!("{ctx}.burst"), *burst as f64, 1.0, 20_000.0)?;
                check_range(&format!("{ctx}.request_bytes"), *request_bytes as f64, 1.0, 16_000_000.0)
            }
            AppSpec::SynFlood { rate, count, .. } => {
                check_range(&format!("{ctx}.rate"), *rate, 0.001, 1_000_000.0)?;
                check_range(&format!("{ctx}.count"), *count as f64, 1.0, 1_000_000.0)
            }
            AppSpec::H2Client { streams, .. } => check_range(&format!("{ctx}.streams"), *streams as f64, 1.0, 100.0),
            AppSpec::H2Server { response_bytes, .. } => {
                check_range(&format!("{ctx}.response_bytes"), *response_bytes as f64, 0.0, 100_000_000.0)
            }
            AppSpec::Peer { bytes, close, .. } => {
                check_range(&format!("{ctx}.bytes"), *bytes as f64, 1.0, 1_000_000.0)?;
                match close {
                    peer::CloseWhen::AtMs(ms) => {
                        check_range(&format!("{ctx}.close.at-ms"), *ms, 0.0, crate::scenario::MAX_STOP_MS)
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}

/// Make the program a spec describes.
pub fn build(spec: &AppSpec) -> Box<dyn App> {
    match spec.clone() {
        AppSpec::RpcClient {
            server,
            requests,
            request_bytes,
            reuse,
            nodelay,
            gap_ms,
            request_payload,
            fast_open,
            max_seg,
            ..
        } => Box::new(
            rpc::RpcClient::new(server, requests, request_bytes, reuse, nodelay, Duration::from_millis_f64(gap_ms))
                .with_payload(request_payload)
                .with_fast_open(fast_open)
                .with_max_seg(max_seg),
        ),
        AppSpec::RpcServer { port, backlog, response_bytes, nodelay, fastopen_qlen, forgets_close, .. } => Box::new(
            rpc::RpcServer::new(port, backlog, response_bytes, nodelay)
                .with_fast_open(fastopen_qlen)
                .forgetting_close(forgets_close),
        ),
        AppSpec::BulkSend { to, bytes, congestion, .. } => {
            Box::new(bulk::BulkSend::new(to, bytes).with_congestion(congestion))
        }
        AppSpec::Sink { port, backlog, read_rate_kbps, read_after_ms, so_rcvbuf, .. } => Box::new(
            bulk::Sink::new(port, backlog, read_rate_kbps)
                .read_after(Duration::from_millis_f64(read_after_ms))
                .rcvbuf(so_rcvbuf),
        ),
        AppSpec::WriteWriteRead { server, iterations, first_bytes, second_bytes, reply_bytes, nodelay, .. } => {
            Box::new(write_write_read::WriteWriteRead::new(
                server,
                iterations,
                first_bytes,
                second_bytes,
                reply_bytes,
                nodelay,
            ))
        }
        AppSpec::Responder { port, request_bytes, reply_bytes, .. } => {
            Box::new(write_write_read::FixedResponder::new(port, request_bytes, reply_bytes))
        }
        AppSpec::DnsClient { server, name, timeout_ms, attempts, pad_to, dont_frag, .. } => Box::new(
            dns::DnsClient::new(server, name, Duration::from_millis_f64(timeout_ms), attempts)
                .with_padding(pad_to, dont_frag),
        ),
        AppSpec::DnsServer { records, .. } => Box::new(dns::DnsServer::new(records)),
        AppSpec::Ping { dst, count, interval_ms, size, .. } => {
            Box::new(ping::Ping::new(dst, count, Duration::from_millis_f64(interval_ms), size))
        }
        AppSpec::Traceroute { dst, max_hops, probes, .. } => {
            Box::new(traceroute::Traceroute::new(dst, max_hops, probes))
        }
        AppSpec::UdpSend { to, bytes, dont_frag, .. } => Box::new(udp_send::UdpSend::new(to, bytes, dont_frag)),
        AppSpec::UdpSink { port, .. } => Box::new(udp_send::UdpSink::new(port)),
        AppSpec::QuicClient { server, zero_rtt, streams, request_bytes, response_bytes, .. } => {
            Box::new(quic::QuicClient::new(server, zero_rtt, streams, request_bytes, response_bytes))
        }
        AppSpec::QuicServer { port, zero_rtt, response_bytes, .. } => {
            Box::new(quic::QuicServer::new(port, zero_rtt, response_bytes))
        }
        AppSpec::TlsClient { server, version, request_bytes, response_bytes, sni, fast_open, .. } => {
            Box::new(tls::TlsClient::new(server, version, request_bytes, response_bytes, sni).with_fast_open(fast_open))
        }
        AppSpec::TlsServer { port, version, response_bytes, sni, fast_open, .. } => {
            Box::new(tls::TlsServer::new(port, version, response_bytes, sni).with_fast_open(fast_open))
        }
        AppSpec::WorkerServer {
            port,
            backlog,
            workers,
            reuseport,
            accept_rate,
            stalled_workers,
            stall_from_ms,
            stall_ms,
            response_bytes,
            ..
        } => Box::new(workers::WorkerServer::new(workers::WorkerConfig {
            port,
            backlog,
            workers,
            reuseport,
            accept_rate,
            stalled: stalled_workers,
            stall_from: Duration::from_millis_f64(stall_from_ms),
            stall_for: stall_ms.map(Duration::from_millis_f64),
            response_bytes,
        })),
        AppSpec::LoadClients { server, clients, arrival, rate, burst, request_bytes, .. } => {
            Box::new(load::LoadClients::new(load::LoadConfig { server, clients, arrival, rate, burst, request_bytes }))
        }
        AppSpec::SynFlood { target, rate, count, spoof, syn_options, .. } => {
            Box::new(synflood::SynFlood::new(synflood::FloodConfig { target, rate, count, spoof, syn_options }))
        }
        AppSpec::H2Client { server, streams, .. } => Box::new(h2mux::H2Client::new(server, streams)),
        AppSpec::H2Server { port, response_bytes, .. } => Box::new(h2mux::H2Server::new(port, response_bytes)),
        AppSpec::Peer { port, peer, listen, reply, bytes, close, .. } => {
            Box::new(peer::Peer::new(port, peer, listen, bytes, close).replying(reply))
        }
    }
}
