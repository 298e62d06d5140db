//! The record of a run: every event, timestamped, in time order, plus the frames' bytes and
//! the topology. Views are pure functions of (trace, time cursor); anything a view shows is
//! here, so the UI computes no networking.
//!
//! Events are appended as virtual time advances, so they are sorted by time and any time
//! window is found by binary search ([`Trace::window`]).

use crate::tcp::TcpState;
use crate::time::{Duration, Instant};
use crate::wire::{Ipv4Addr, MacAddr};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::net::SocketAddrV4;

/// Index of a node in [`Trace::nodes`].
pub type NodeId = u16;
/// Index of a link in [`Trace::links`].
pub type LinkId = u16;
/// Index of a frame in [`Trace::frames`]. One frame is one transmission on one link: a switch
/// forwarding it makes a new frame.
pub type FrameId = u32;
/// Index of a socket in [`Trace::sockets`].
pub type SockId = u32;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    /// An end host with one NIC and a TCP/IP stack.
    Host,
    /// A learning Ethernet switch (layer 2).
    Switch,
    /// An IPv4 router (layer 3).
    Router,
}

/// A node as the views draw it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Name from the scenario.
    pub name: String,
    /// Host, switch or router.
    pub kind: NodeKind,
    /// Interfaces in link order: (link, MAC, address/prefix if any).
    pub ifaces: Vec<IfaceInfo>,
}

/// One interface of a node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IfaceInfo {
    /// The link it is plugged into.
    pub link: LinkId,
    /// Its MAC address.
    pub mac: MacAddr,
    /// Its IPv4 address and prefix length (switch ports have none).
    pub ip: Option<(Ipv4Addr, u8)>,
}

/// A link as the views draw it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkInfo {
    /// One end.
    pub a: NodeId,
    /// The other end.
    pub b: NodeId,
    /// Bits per second, each direction.
    pub bandwidth_bps: u64,
    /// One-way propagation delay.
    pub delay: Duration,
    /// Largest IP packet the link carries.
    pub mtu: u16,
}

/// What a socket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SockKind {
    /// A TCP listening socket.
    TcpListener,
    /// A TCP connection (client side, or a child created by a listener).
    TcpConn,
    /// A UDP socket.
    Udp,
}

/// A socket as the views label it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SockInfo {
    /// The node it lives on.
    pub node: NodeId,
    /// Listener, connection or UDP.
    pub kind: SockKind,
    /// Local address and port.
    pub local: SocketAddrV4,
    /// The peer, for connections.
    pub remote: Option<SocketAddrV4>,
    /// For a child connection, the listener it came from.
    pub parent: Option<SockId>,
}

/// The bytes of one frame as captured (up to the run's snap length) and its real length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FrameRecord {
    /// Captured bytes (the whole frame unless longer than the snap length).
    pub bytes: Vec<u8>,
    /// Length of the frame on the wire, without FCS.
    pub orig_len: u32,
}

/// Why a frame did not arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DropReason {
    /// The link's random loss.
    LinkLoss,
    /// A scripted fault rule.
    Fault,
    /// The egress queue was full (drop-tail).
    QueueFull,
    /// Larger than the link MTU with DF set.
    TooBig,
    /// TTL reached zero at a router.
    TtlExpired,
    /// No route to the destination.
    NoRoute,
    /// ARP got no answer.
    ArpFailed,
    /// Not addressed to this node.
    NotForUs,
    /// Failed to parse or a checksum did not verify.
    Malformed,
    /// No socket for it (a RST or ICMP port unreachable may follow).
    NoSocket,
    /// A TCP listener's accept queue was full (LINUX_MIB_LISTENOVERFLOWS).
    ListenOverflow,
    /// A TCP listener's SYN queue was full and syncookies are off (TCPReqQFullDrop).
    SynQueueFull,
    /// The segment was outside the receive window or otherwise unacceptable.
    Unacceptable,
    /// Fragments never completed.
    ReassemblyTimeout,
    /// Arrived at a NAT's outside address matching no flow started inside and no port forward.
    NatUnsolicited,
}

/// The timers of a TCP socket or request sock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimerKind {
    /// Retransmission timeout (also SYN retransmission).
    Retransmit,
    /// SYN-ACK retransmission of a request sock (`reqsk_timer_handler`).
    SynAck,
    /// Delayed ACK.
    DelayedAck,
    /// Zero-window probe.
    Persist,
    /// TIME-WAIT expiry.
    TimeWait,
    /// Orphaned FIN-WAIT-2 expiry (`tcp_fin_timeout`).
    FinWait2,
    /// TCP_CORK's 200 ms ceiling / Nagle flush.
    Cork,
    /// Keepalive.
    Keepalive,
    /// Tail loss probe (RFC 8985 §7, `ICSK_TIME_LOSS_PROBE`).
    LossProbe,
    /// RACK reordering window (RFC 8985 §6.2, `ICSK_TIME_REO_TIMEOUT`).
    ReorderTimeout,
    /// The pacing timer: the next segment may leave then (`tcp_pacing_check`).
    Pacing,
}

/// What happened to a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimerAction {
    /// Armed to fire at `expires`.
    Set { expires: Instant },
    /// Stopped before firing.
    Cancelled,
    /// Fired.
    Fired,
}

/// Socket-side queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QueueKind {
    /// Request socks waiting for the final ACK (SYN queue).
    Syn,
    /// Established connections waiting for accept().
    Accept,
    /// Bytes written but not yet acknowledged.
    Send,
    /// Bytes received in order but not yet read.
    Recv,
}

/// An application's call into the socket API, or what it was told.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppCall {
    /// listen(backlog).
    Listen { sock: SockId, backlog: u32 },
    /// connect() started.
    Connect { sock: SockId, to: SocketAddrV4 },
    /// connect() returned: success, or the error name (ECONNREFUSED, ETIMEDOUT…).
    ConnectDone { sock: SockId, result: Result<(), String> },
    /// accept() returned a connection.
    Accept { listener: SockId, sock: SockId },
    /// write()/send() accepted this many bytes.
    Write { sock: SockId, bytes: u32 },
    /// read()/recv() returned this many bytes (0 = end of stream).
    Read { sock: SockId, bytes: u32 },
    /// close().
    Close { sock: SockId },
    /// A request/response exchange finished: `latency` from its start (connect() for a new
    /// connection, the request's write for a pooled one).
    Exchange { sock: SockId, latency: Duration },
    /// The first byte of a response arrived, `latency` after the exchange started.
    FirstByte { sock: SockId, latency: Duration },
    /// One stream of a multiplexed exchange delivered all its response bytes.
    StreamDone { sock: SockId, stream: u32, latency: Duration },
    /// A free-form step of an application ("ping reply from 10.0.0.2 ttl=64 time=…").
    Note { text: String },
    /// A server worker thread changed what it is doing (see [`WorkerState`]).
    Worker { listener: SockId, worker: u32, state: WorkerState },
    /// A socket call failed after connect() had succeeded: `call` is `read`, `write`...,
    /// `error` the errno name (`ECONNRESET` when the server answered with RST).
    Failed { sock: SockId, call: String, error: String },
    /// Stream `stream` of a multiplexed exchange (numbered 0, 1, 2…) has delivered `delivered`
    /// response bytes to the application so far (recorded when it grows).
    StreamBytes { sock: SockId, stream: u32, delivered: u64 },
}

/// What one worker thread of a server is doing, as an animation draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkerState {
    /// Blocked in accept(): its listener's accept queue was empty.
    Waiting,
    /// accept() returned `sock`; the worker serves it and calls accept() again at
    /// `next_accept` (its accept rate).
    Accepted { sock: SockId, next_accept: Instant },
    /// Not calling accept() (a long request, a lock, a GC pause) until `until`, or for the
    /// rest of the run.
    Stalled { until: Option<Instant> },
}

/// What a listening socket did with an arriving SYN or handshake-completing ACK, and every
/// change of who sits in its SYN queue and accept queue (`tcp_conn_request`,
/// `tcp_check_req`, `cookie_v4_check`, `reqsk_timer_handler`; docs/fidelity.md §1.3–1.5).
///
/// A view rebuilds the queues from these alone. SYN queue: `SynQueued` adds `sock`;
/// `Established` (not a cookie), `AckReset`, `RequestExpired` and `ChildClosed` remove it.
/// Accept queue (a FIFO): `Established` and `FastOpen` append `sock`; `AppCall::Accept` takes the head and
/// `ChildClosed` removes it. When the listener itself closes (`TcpState` LISTEN → CLOSED),
/// both its queues are gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListenAction {
    /// A request sock (`TCP_NEW_SYN_RECV`, `ss` shows SYN-RECV) was created and a SYN-ACK
    /// sent: `sock` joins the SYN queue.
    SynQueued { sock: SockId },
    /// A syncookie SYN-ACK was sent and nothing kept (SyncookiesSent): the SYN queue was full,
    /// or `forced` by `tcp_syncookies=2`.
    SynCookie { forced: bool },
    /// The SYN was dropped silently, no SYN-ACK and no RST: the accept queue was full
    /// (ListenOverflows, ListenDrops), even with syncookies on.
    SynDroppedAcceptQueueFull,
    /// The SYN was dropped: SYN queue full and `tcp_syncookies=0` (TCPReqQFullDrop).
    SynDroppedSynQueueFull,
    /// The SYN was dropped: syncookies off, the SYN queue in the last quarter of
    /// `tcp_max_syn_backlog`, and the peer not proven alive (no TCP metrics entry).
    SynDroppedMaxSynBacklog,
    /// The final ACK completed the handshake: `sock` joins the accept queue (leaving the SYN
    /// queue, unless it came from a `cookie`).
    Established { sock: SockId, cookie: bool },
    /// The final ACK found the accept queue full and was dropped with
    /// `tcp_abort_on_overflow=0`: the request stays (`sock`; `None` for a cookie ACK) and the
    /// client, already ESTABLISHED, waits for a SYN-ACK retransmission.
    AckDroppedAcceptQueueFull { sock: Option<SockId> },
    /// The final ACK found the accept queue full with `tcp_abort_on_overflow=1`: the client
    /// got a RST and `sock` left the SYN queue (EmbryonicRsts).
    AckReset { sock: SockId },
    /// `sock` ran out of SYN-ACK retransmissions and left the SYN queue.
    RequestExpired { sock: SockId },
    /// A queued child closed otherwise (the peer reset it) and left its queue.
    ChildClosed { sock: SockId },
    /// A SYN with a valid Fast Open cookie (RFC 7413): `sock` took the SYN's `bytes` of data
    /// and went straight to the accept queue, still SYN-RECEIVED (`tcp_fastopen_create_child`).
    FastOpen { sock: SockId, bytes: u32 },
}

/// TCP sender variables, traced whenever they change (for charts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TcpVars {
    /// Congestion window, in segments.
    pub cwnd: u32,
    /// Slow-start threshold, in segments (u32::MAX = infinite).
    pub ssthresh: u32,
    /// Peer's advertised window, in bytes (scaled).
    pub snd_wnd: u32,
    /// Bytes sent and not yet acknowledged.
    pub in_flight: u32,
    /// Smoothed RTT (0 before the first sample).
    pub srtt: Duration,
    /// Current retransmission timeout.
    pub rto: Duration,
    /// Sender MSS in bytes.
    pub mss: u16,
}

/// Linux's congestion state of a sender (`icsk_ca_state`, `tcp_fastretrans_alert`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub enum CaState {
    /// Nothing wrong.
    #[default]
    Open,
    /// SACKs or duplicate ACKs seen, no loss marked yet.
    Disorder,
    /// cwnd being reduced after an ECN echo or a repaired tail loss, without a loss to repair.
    Cwr,
    /// Fast recovery: repairing marked losses (until SND.UNA passes `high_seq`).
    Recovery,
    /// After a retransmission timeout (`tcp_enter_loss`).
    Loss,
}

/// Where a congestion-control algorithm is in its own cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum CcPhase {
    /// Reno/CUBIC: cwnd < ssthresh.
    #[default]
    SlowStart,
    /// Reno/CUBIC: cwnd ≥ ssthresh.
    CongestionAvoidance,
    /// BBR STARTUP: pacing and cwnd gain 2/ln 2 ≈ 2.885.
    Startup,
    /// BBR DRAIN: pacing gain 1/2.885 until the queue made in STARTUP is gone.
    Drain,
    /// BBR PROBE_BW: the 8-phase pacing-gain cycle 5/4, 3/4, 1 ×6.
    ProbeBw,
    /// BBR PROBE_RTT: cwnd 4 packets for at least 200 ms.
    ProbeRtt,
}

/// How a segment came to be marked lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LossDetector {
    /// RACK (RFC 8985 §6.2): a later-sent segment was delivered and the reordering window
    /// passed.
    Rack,
    /// Duplicate-ACK counting (RFC 5681 §3.2, `tcp_newreno_mark_lost`), or a NewReno partial
    /// ACK (RFC 6582).
    DupAcks,
    /// A retransmission timeout (`tcp_timeout_mark_lost`).
    Timeout,
    /// Too big for a path MTU that ICMP lowered (`tcp_simple_retransmit`).
    PathMtu,
}

/// Why HyStart ended slow start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HystartExit {
    /// ACKs kept arriving closely spaced for longer than half the minimum RTT.
    AckTrain,
    /// The RTT of a round grew by more than max(4 ms, min RTT / 8) over the minimum.
    Delay,
}

/// A step of a TCP sender's loss detection, loss recovery or congestion control, for the
/// markers of a congestion chart. Values in packets unless named otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TcpEventKind {
    /// A duplicate ACK arrived (the `count`-th in a row; with SACK, one that SACKs new data).
    DupAck { count: u32 },
    /// The segment `seq..end` was marked lost.
    Lost { seq: u32, end: u32, by: LossDetector },
    /// Fast retransmit: the first retransmission of a recovery episode.
    FastRetransmit { seq: u32 },
    /// The connection's algorithms, traced when it is established and when TCP_CONGESTION
    /// changes them: which loss recovery the run follows (Linux or the RFC textbook) and
    /// whether ECN was negotiated.
    Algorithm { cc: crate::tcp::CcAlgorithm, recovery: crate::tcp::RecoveryMode, ecn: bool },
    /// Fast recovery began: the new ssthresh, and cwnd when it began (PRR then brings cwnd
    /// down towards ssthresh over a round trip; the textbook sets ssthresh + 3 at once).
    EnterRecovery { ssthresh: u32, cwnd: u32 },
    /// Fast recovery ended (SND.UNA passed the recovery point): cwnd just after.
    ExitRecovery { cwnd: u32 },
    /// The retransmission timer fired with data outstanding: `backoff` timeouts in a row,
    /// ssthresh and cwnd just after.
    Rto { backoff: u32, ssthresh: u32, cwnd: u32 },
    /// A tail loss probe went out (RFC 8985 §7): new data, or the last segment again.
    LossProbe { seq: u32, new_data: bool },
    /// An ACK with ECE arrived and the sender reduced cwnd (RFC 3168 §6.1.2).
    EcnEcho { ssthresh: u32 },
    /// The receiver saw a CE mark and will echo ECE until CWR arrives (RFC 3168 §6.1.3).
    CongestionExperienced { seq: u32 },
    /// HyStart ended slow start at `cwnd` (ssthresh = cwnd).
    HystartExit { cwnd: u32, by: HystartExit },
    /// The algorithm changed phase (BBR modes; Reno/CUBIC slow start ↔ avoidance).
    Phase { phase: CcPhase },
    /// Sending resumed after an idle period longer than the RTO: cwnd restarted
    /// (RFC 5681 §4.1, `tcp_cwnd_restart`).
    IdleRestart { cwnd: u32, ssthresh: u32 },
    /// Receive-buffer autotuning grew the buffer to `bytes` (`tcp_rcv_space_adjust`).
    RcvBufGrow { bytes: u32 },
}

/// Sender state beyond [`TcpVars`] that the congestion figures draw, traced when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CcVars {
    /// Linux's congestion state.
    pub ca_state: CaState,
    /// The algorithm's phase.
    pub phase: CcPhase,
    /// Packets in flight as Linux counts them (`tcp_packets_in_flight`: sent − SACKed − lost
    /// + retransmitted); the textbook mode counts every unacknowledged segment.
    pub pipe: u32,
    /// Segments SACKed (`sacked_out`).
    pub sacked: u32,
    /// Segments marked lost and not yet repaired (`lost_out`).
    pub lost: u32,
    /// Retransmissions in flight (`retrans_out`).
    pub retrans: u32,
    /// Pacing rate in bytes per second; 0 when the sender does not pace.
    pub pacing_rate: u64,
    /// The algorithm's bandwidth estimate in bytes per second (BBR's max filter; 0 otherwise).
    pub bw_estimate: u64,
    /// Minimum RTT seen (`tcp_min_rtt`).
    pub min_rtt: Duration,
    /// Payload bytes acknowledged so far (`tcpi_bytes_acked`): where SND.UNA is in the byte
    /// stream. With `Vars` it places the window on the stream: sent up to `bytes_acked +
    /// in_flight`, allowed up to `bytes_acked + snd_wnd`.
    pub bytes_acked: u64,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A frame was put on a link's egress queue; `depth` is the queue after it.
    FrameQueued { frame: FrameId, link: LinkId, from: NodeId, depth_packets: u32, depth_bytes: u32 },
    /// A frame's first bit left `from` on `link` towards `to`; its last bit reaches `to` at
    /// `arrives` unless a `FrameDropped` for it follows. `depth_packets`/`depth_bytes` is what
    /// still waits in the egress queue behind it.
    FrameTx {
        frame: FrameId,
        link: LinkId,
        from: NodeId,
        to: NodeId,
        arrives: Instant,
        depth_packets: u32,
        depth_bytes: u32,
    },
    /// A frame reached `node`'s interface on `link`.
    FrameRx { frame: FrameId, link: LinkId, node: NodeId },
    /// A frame was lost, on a link or inside a node.
    FrameDropped { frame: FrameId, node: Option<NodeId>, link: Option<LinkId>, reason: DropReason },
    /// A socket changed TCP state.
    TcpState { sock: SockId, from: TcpState, to: TcpState },
    /// A timer was set, cancelled or fired.
    Timer { sock: SockId, timer: TimerKind, action: TimerAction },
    /// A socket queue's length changed.
    Queue { sock: SockId, queue: QueueKind, len: u32, cap: u32 },
    /// An application called the socket API, or was told something.
    App { node: NodeId, call: AppCall },
    /// TCP sender variables changed.
    Vars { sock: SockId, vars: TcpVars },
    /// A kernel counter changed (nstat names: `ListenOverflows`, `TcpRetransSegs`...).
    Counter { node: NodeId, name: String, value: u64 },
    /// An ARP cache gained an entry.
    ArpLearned { node: NodeId, ip: Ipv4Addr, mac: MacAddr },
    /// A NAT router added a translation: `inside` appears outside as `outside` to `remote`
    /// (`forward`: created by a port forward rather than by an outbound packet).
    NatMapping {
        node: NodeId,
        proto: u8,
        inside: SocketAddrV4,
        outside: SocketAddrV4,
        remote: SocketAddrV4,
        forward: bool,
    },
    /// A listening socket handled a SYN or a final ACK from `peer` (see [`ListenAction`]).
    Listen { sock: SockId, peer: SocketAddrV4, action: ListenAction },
    /// listen() set a listener's backlog: `requested` as passed, `max_backlog` after the
    /// `somaxconn` clamp (`sk_max_ack_backlog`, the Send-Q of `ss -lnt`); `reuseport` when it
    /// joined an SO_REUSEPORT group.
    Backlog { sock: SockId, requested: u32, max_backlog: u32, reuseport: bool },
    /// A loss-recovery or congestion-control step of a TCP sender.
    TcpEvent { sock: SockId, what: TcpEventKind },
    /// Congestion-control state beyond `Vars` changed.
    Cc { sock: SockId, vars: CcVars },
}

/// One timestamped event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// When.
    pub t: Instant,
    /// What.
    pub kind: EventKind,
}

/// A frame's trip across one link, assembled from its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transmission {
    /// The frame.
    pub frame: FrameId,
    /// The link.
    pub link: LinkId,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// First bit on the wire.
    pub start: Instant,
    /// Last bit at the receiver (or when it was lost).
    pub end: Instant,
    /// Why it was lost, if it was.
    pub dropped: Option<DropReason>,
}

/// The record of a run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Trace {
    /// Nodes, by [`NodeId`].
    pub nodes: Vec<NodeInfo>,
    /// Links, by [`LinkId`].
    pub links: Vec<LinkInfo>,
    /// Sockets, by [`SockId`].
    pub sockets: Vec<SockInfo>,
    /// Frames, by [`FrameId`].
    pub frames: Vec<FrameRecord>,
    /// Events in time order.
    pub events: Vec<Event>,
    /// When the run stopped.
    pub end: Instant,
    /// Snap length used for `frames`.
    pub snaplen: u32,
    /// True if the run hit a limit of its budget and stopped early.
    #[serde(default)]
    pub truncated: bool,
    /// Which limit stopped the run early, and where (see [`crate::budget`]).
    #[serde(default)]
    pub limit: Option<crate::budget::Exceeded>,
}

/// Hashes what the run did; `limit` is left out so that digests recorded before it existed
/// still hold (`truncated` already says whether a run stopped early).
impl Hash for Trace {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.nodes.hash(h);
        self.links.hash(h);
        self.sockets.hash(h);
        self.frames.hash(h);
        self.events.hash(h);
        self.end.hash(h);
        self.snaplen.hash(h);
        self.truncated.hash(h);
    }
}

impl Trace {
    /// The node called `name` (`client`, `server`, `router-1`…), if the run has one.
    pub fn node_named(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name).map(|i| i as NodeId)
    }

    /// The events with `from <= t < to`, found by binary search.
    pub fn window(&self, from: Instant, to: Instant) -> &[Event] {
        let a = self.events.partition_point(|e| e.t < from);
        let b = self.events.partition_point(|e| e.t < to);
        &self.events[a..b.max(a)]
    }

    /// The number of events at or before `t`.
    pub fn count_until(&self, t: Instant) -> usize {
        self.events.partition_point(|e| e.t <= t)
    }

    /// The distinct event times, for stepping a timeline from event to event.
    pub fn event_times(&self) -> Vec<Instant> {
        let mut v: Vec<Instant> = self.events.iter().map(|e| e.t).collect();
        v.dedup();
        v
    }

    /// Every frame's trip across its link, in order of first bit.
    pub fn transmissions(&self) -> Vec<Transmission> {
        let mut out: Vec<Transmission> = Vec::new();
        let mut by_frame: Vec<Option<usize>> = vec![None; self.frames.len()];
        for e in &self.events {
            match &e.kind {
                EventKind::FrameTx { frame, link, from, to, arrives, .. } => {
                    if let Some(slot) = by_frame.get_mut(*frame as usize) {
                        *slot = Some(out.len());
                    }
                    out.push(Transmission {
                        frame: *frame,
                        link: *link,
                        from: *from,
                        to: *to,
                        start: e.t,
                        end: *arrives,
                        dropped: None,
                    });
                }
                EventKind::FrameDropped { frame, reason, .. } => {
                    if let Some(Some(i)) = by_frame.get(*frame as usize) {
                        out[*i].dropped = Some(*reason);
                        out[*i].end = e.t;
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The frames `node` sent (at their first bit) and received (at their last bit), in time
    /// order: what `tcpdump` on that node would capture.
    pub fn capture(&self, node: NodeId) -> Vec<(Instant, &FrameRecord)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::FrameTx { frame, from, .. } if *from == node => {
                    Some((e.t, self.frames.get(*frame as usize)?))
                }
                EventKind::FrameRx { frame, node: n, .. } if *n == node => {
                    Some((e.t, self.frames.get(*frame as usize)?))
                }
                _ => None,
            })
            .collect()
    }

    /// Every frame at its first bit on the wire, in time order: the whole run as one capture
    /// (an opened capture file, whose frames all have one capture point).
    pub fn capture_all(&self) -> Vec<(Instant, &FrameRecord)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::FrameTx { frame, .. } => Some((e.t, self.frames.get(*frame as usize)?)),
                _ => None,
            })
            .collect()
    }

    /// The TCP state of `sock` at time `t` (CLOSED before its first transition).
    pub fn tcp_state_at(&self, sock: SockId, t: Instant) -> TcpState {
        let n = self.count_until(t);
        self.events[..n]
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::TcpState { sock: s, to, .. } if *s == sock => Some(*to),
                _ => None,
            })
            .unwrap_or(TcpState::Closed)
    }

    /// A stable 64-bit digest of the whole trace (FNV-1a over its fields), equal natively
    /// and in wasm32 for the same run.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv1a::default();
        self.hash(&mut h);
        h.finish()
    }
}

/// FNV-1a, 64-bit: a platform-independent hasher (std's `DefaultHasher` is not guaranteed
/// stable across releases). `usize` is hashed as `u64` so wasm32 and x86_64 agree.
#[derive(Debug)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }
}
