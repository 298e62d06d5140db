//! The transmission control block (RFC 9293 §3.3.1): everything one connection remembers,
//! with Linux's extra state (ACK mode, congestion control, RTT estimator).
//!
//! Behaviour lives in sibling files: [`super::output`] (sending), [`super::input`] (segment
//! arrival), [`super::recv`] (receive buffer, window, delayed ACK) and [`super::timeouts`].

use super::autotune::RcvSpace;
use super::config::CcAlgorithm;
use super::config::{RecoveryMode, TcpConfig};
use super::congestion::{new_cc, CongestionControl, INFINITE_SSTHRESH};
use super::counters::{self, Counters};
use super::pacing::Pacer;
use super::prr::Prr;
use super::rack::Rack;
use super::rate::{RateState, TxRate};
use super::rtt::RttEstimator;
use super::sack::Scoreboard;
use super::seq;
use super::timers::Timers;
use super::TcpState;
use crate::stack::{Notice, SockError, StackCtx};
use crate::time::{Duration, Instant};
use crate::trace::{CaState, CcPhase, CcVars, EventKind, QueueKind, SockId, TcpVars};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddrV4;

/// `TCP_MSS_DEFAULT`: the MSS assumed when the peer sent no MSS option (RFC 9293 §3.7.1
/// MUST-15, IPv4).
pub const MSS_DEFAULT: u16 = 536;
/// `TCPOLEN_TSTAMP_ALIGNED`: bytes the timestamp option takes in every segment.
pub const TS_LEN: u16 = 12;
/// `TCP_MIN_MSS` (88): the smallest MSS Linux will use.
pub const MIN_MSS: u16 = 88;

/// `MAX_TCP_WINDOW` (32767): the largest TCP_MAXSEG value `tcp_sock_set_maxseg` accepts.
pub const MAX_USER_MSS: u16 = 32_767;

/// `tcp_mss_clamp`: `user_mss` if one is set and smaller than `mss`, else `mss`.
pub fn mss_clamp(user_mss: Option<u16>, mss: u16) -> u16 {
    match user_mss {
        Some(u) if u < mss => u,
        _ => mss,
    }
}

/// What the stack handling a connection needs besides the connection itself.
pub struct Env<'e, 'c> {
    /// The event context.
    pub ctx: &'e mut StackCtx<'c>,
    /// The host's settings.
    pub cfg: &'e TcpConfig,
    /// The host's counters.
    pub counters: &'e mut Counters,
}

impl Env<'_, '_> {
    /// Count one `name` event.
    pub fn count(&mut self, name: &'static str) {
        self.counters.inc(self.ctx, name);
    }
    /// The current instant.
    pub fn now(&self) -> Instant {
        self.ctx.now
    }
    /// The host's tick (`CONFIG_HZ`, with this node's phase).
    pub fn clock(&self) -> crate::jiffies::Clock {
        crate::jiffies::Clock::new(self.cfg.hz, u32::from(self.ctx.node))
    }
}

/// One transmitted segment not yet fully acknowledged (Linux's retransmit queue entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxSeg {
    /// First sequence number.
    pub start: u32,
    /// One past the last.
    pub end: u32,
    /// When it was last sent.
    pub sent_at: Instant,
    /// Sent more than once: its ACK gives no RTT sample (Karn, RFC 6298 §3;
    /// `TCPCB_EVER_RETRANS`).
    pub retrans: bool,
    /// SACKed by the receiver (`TCPCB_SACKED_ACKED`).
    pub sacked: bool,
    /// Marked lost and not yet repaired (`TCPCB_LOST`).
    pub lost: bool,
    /// A retransmission of it is in flight (`TCPCB_SACKED_RETRANS`).
    pub rexmit_out: bool,
    /// Delivery state when it was last sent (`tcp_skb_cb.tx`).
    pub tx: TxRate,
}

/// The ACK-timing state (Linux `icsk_ack`, tcp_input.c `tcp_event_data_recv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AckState {
    /// Quick ACKs left (`icsk_ack.quick`).
    pub quick: u32,
    /// Delayed-ACK timeout estimate (`icsk_ack.ato`); zero before the first data.
    pub ato: Duration,
    /// When data last arrived (`icsk_ack.lrcvtime`).
    pub lrcvtime: Instant,
    /// Interactive mode (`inet_csk_in_pingpong_mode`): no quick ACKs.
    pub pingpong: bool,
    /// An ACK is owed (`ICSK_ACK_SCHED`).
    pub pending: bool,
    /// Estimate of the peer's segment size (`icsk_ack.rcv_mss`).
    pub rcv_mss: u32,
}

/// A TCP connection.
#[derive(Debug)]
pub struct Tcb {
    /// Socket id in the trace.
    pub id: SockId,
    /// Connection state.
    pub state: TcpState,
    /// Local address.
    pub local: SocketAddrV4,
    /// Remote address.
    pub remote: SocketAddrV4,
    /// The listener it came from, while not yet accepted.
    pub parent: Option<SockId>,
    /// Created by a listener (a RST in SYN-RECEIVED drops it, RFC 9293 §3.10.7.4).
    pub passive: bool,
    /// The application called close(): nobody reads any more.
    pub orphan: bool,
    /// No more writes (shutdown(SHUT_WR) or close()).
    pub wr_shutdown: bool,
    /// An error for the next read/write.
    pub error: Option<SockError>,

    /// Initial send sequence number.
    pub iss: u32,
    /// The socket's IP ID counter (`inet_id`): Linux draws it with `get_random_u16()` in
    /// `tcp_v4_connect` and `tcp_v4_syn_recv_sock`; here it is mixed from the random ISN so
    /// that it costs no draw of its own.
    pub ip_id: u16,
    /// Oldest unacknowledged sequence number.
    pub snd_una: u32,
    /// Next sequence number to send.
    pub snd_nxt: u32,
    /// Highest sequence number sent (`snd_nxt` before a go-back-N after a timeout).
    pub snd_max: u32,
    /// Peer's window, bytes (already scaled).
    pub snd_wnd: u32,
    /// Largest window the peer offered.
    pub max_snd_wnd: u32,
    /// Segment sequence number of the last window update (SND.WL1).
    pub snd_wl1: u32,
    /// Segment ACK number of the last window update (SND.WL2).
    pub snd_wl2: u32,
    /// Unacknowledged and unsent bytes; `snd_buf[0]` has sequence number `snd_buf_seq`.
    pub snd_buf: VecDeque<u8>,
    /// Sequence number of `snd_buf[0]`.
    pub snd_buf_seq: u32,
    /// Send-buffer capacity in bytes.
    pub snd_cap: u32,
    /// Sequence number of our FIN once close()/shutdown() queued it.
    pub fin_seq: Option<u32>,
    /// Sent and unacknowledged segments.
    pub rtx: VecDeque<TxSeg>,
    /// End of the last small segment sent (`snd_sml`, Minshall's Nagle).
    pub snd_sml: u32,

    /// Initial receive sequence number.
    pub irs: u32,
    /// Next sequence number expected.
    pub rcv_nxt: u32,
    /// The window last advertised, bytes (`rcv_wnd`).
    pub rcv_wnd: u32,
    /// `rcv_nxt` when the window was last advertised (`rcv_wup`).
    pub rcv_wup: u32,
    /// Window growth limit (`rcv_ssthresh`, `tcp_grow_window`).
    pub rcv_ssthresh: u32,
    /// The receive buffer's size in bytes of memory (`sk_rcvbuf`): every queued segment is
    /// charged its payload plus [`super::recv::SKB_OVERHEAD`] against it.
    pub rcv_cap: u32,
    /// Memory charged to the receive buffer now (`sk_rmem_alloc`).
    pub rmem_alloc: u32,
    /// In-order segments not yet read, as (payload bytes left, overhead charged): reading a
    /// segment to its end gives its overhead back.
    pub rcv_skbs: VecDeque<(u32, u32)>,
    /// Overhead charged for the segments in the out-of-order queue.
    pub ooo_overhead: u32,
    /// Payload per byte of buffer memory, in 256ths (`scaling_ratio`): 128 until the first
    /// full-sized segment measures it (`tcp_measure_rcv_mss`).
    pub scaling_ratio: u32,
    /// The largest window this end will offer (`window_clamp`).
    pub window_clamp: u32,
    /// SO_RCVBUF fixed the buffer (`SOCK_RCVBUF_LOCK`): no autotuning.
    pub rcvbuf_locked: bool,
    /// In-order bytes not yet read.
    pub rcv_buf: VecDeque<u8>,
    /// Out-of-order data, by absolute stream offset, never overlapping.
    pub ooo: BTreeMap<u64, Vec<u8>>,
    /// Stream offset of `rcv_nxt` (bytes delivered in order so far).
    pub rcv_abs: u64,
    /// Start of the most recently received out-of-order block (first SACK block, RFC 2018).
    pub last_ooo: Option<u64>,
    /// The peer's FIN has been received in order.
    pub fin_rcvd: bool,
    /// Sequence number of the peer's FIN, if seen (possibly ahead of `rcv_nxt`).
    pub peer_fin: Option<u32>,
    /// The application read end-of-stream already (for notices).
    pub eof_read: bool,

    /// MSS we advertised (MTU − 40).
    pub adv_mss: u16,
    /// MSS for sending: the peer's MSS (or 536), minus 12 with timestamps, PMTU-capped.
    pub mss: u16,
    /// Peer's MSS option (536 if none).
    pub peer_mss: u16,
    /// Shift applied to the peer's window field.
    pub snd_wscale: u8,
    /// Shift we apply to our window field.
    pub rcv_wscale: u8,
    /// Window scaling was negotiated.
    pub wscale_ok: bool,
    /// Timestamps were negotiated.
    pub ts_ok: bool,
    /// SACK was negotiated.
    pub sack_ok: bool,
    /// TS.Recent (RFC 7323 §4.3).
    pub ts_recent: u32,
    /// Per-connection random timestamp offset (`tcp_timestamps=1`).
    pub ts_offset: u32,
    /// TSval of the first SYN-ACK sent (Linux 6.15 SYN-RECEIVED TSecr check).
    pub synack_ts_first: u32,
    /// TSval of the last SYN-ACK sent.
    pub synack_ts_last: u32,

    /// RTT estimator.
    pub rtt: RttEstimator,
    /// Current RTO including backoff (`icsk_rto`).
    pub rto: Duration,
    /// Timeouts since the last progress (`icsk_backoff`).
    pub backoff: u32,
    /// Retransmissions of the SYN / SYN-ACK / head (`icsk_retransmits`).
    pub retransmits: u32,
    /// When the first retransmitted segment was originally sent (`retrans_stamp`).
    pub retrans_start: Option<Instant>,
    /// A segment was retransmitted during the handshake.
    pub handshake_retrans: bool,
    /// The Fast Open option for our next SYN or SYN-ACK (RFC 7413 §4): `Some(vec![])` asks
    /// for a cookie, `Some(cookie)` carries one. Taken by the first transmission only: Linux
    /// sends retransmitted SYNs and SYN-ACKs without it (`tcp_send_syn_data` sets
    /// `fo->cookie.len = -1` "for SYN retries"; `tcp_rtx_synack` passes no cookie).
    pub fo_option: Option<Vec<u8>>,
    /// Bytes of application data our first SYN carried (`tp->syn_data`); 0 if none.
    pub syn_data: u32,
    /// The next SYN carries data (a cached cookie, or `TFO_CLIENT_NO_COOKIE`).
    pub syn_data_wanted: bool,
    /// A passive Fast Open child (`tcp_fastopen_create_child`): accepted data in the SYN, sits
    /// in the accept queue while still SYN-RECEIVED and may send before the third ACK
    /// (`tcp_passive_fastopen`).
    pub fastopen_child: bool,
    /// The Fast Open cookie the peer's SYN-ACK carried, for the stack's cookie cache.
    pub fo_cookie_rcvd: Option<Vec<u8>>,
    /// Congestion control.
    pub cc: Box<dyn CongestionControl>,
    /// Duplicate ACKs in a row.
    pub dupacks: u32,
    /// In fast recovery until `snd_una` passes this (RFC 6582 `recover`; textbook mode).
    pub recovery: Option<u32>,
    /// Loss detection and recovery in use (BBR always uses Linux's).
    pub mode: RecoveryMode,
    /// Linux's congestion state (`icsk_ca_state`).
    pub ca_state: CaState,
    /// End of the recovery episode: SND.NXT when it began (`high_seq`).
    pub high_seq: u32,
    /// SACK scoreboard counts.
    pub sb: Scoreboard,
    /// RACK-TLP state.
    pub rack: Rack,
    /// Proportional rate reduction state.
    pub prr: Prr,
    /// Delivery-rate sampling.
    pub rate: RateState,
    /// Pacing.
    pub pacer: Pacer,
    /// Receive-buffer autotuning.
    pub rcv_space: RcvSpace,
    /// Minimum RTT seen (`tcp_min_rtt`; the run is far shorter than Linux's 5-minute window).
    pub min_rtt: Option<Duration>,
    /// When data was last sent (`lsndtime`).
    pub lsndtime: Instant,
    /// ECN was negotiated (RFC 3168 §6.1.1).
    pub ecn_ok: bool,
    /// Echo ECE on every ACK until the peer's CWR arrives (`TCP_ECN_DEMAND_CWR`).
    pub ecn_demand_cwr: bool,
    /// Set CWR on the next data segment (`TCP_ECN_QUEUE_CWR`).
    pub ecn_queue_cwr: bool,
    /// The segment being handled arrived with CE in its IP header.
    pub rx_ce: bool,
    /// The segment being built carries new data (ECT may be set on it).
    pub tx_new_data: bool,

    /// ACK timing.
    pub ack: AckState,
    /// TCP_NODELAY.
    pub nodelay: bool,
    /// Where writes ended (`tcp_mark_push`: each write marks its last byte when it returns or
    /// sleeps for send-buffer space): the segment carrying such a byte has PSH.
    pub push_marks: VecDeque<u32>,
    /// Segments left in the burst `tcp_write_xmit` is sending as one TSO/GSO packet, and
    /// whether that burst has more than one segment (its last one then has PSH).
    pub gso_left: u32,
    pub gso_multi: bool,
    /// TCP_CORK.
    pub cork: bool,
    /// Timers.
    pub timers: Timers,
    /// SYN-ACK timeouts of a request sock (`req->num_timeout`).
    pub synack_timeouts: u32,
    /// Retries a request sock gets before it is dropped (set by the listener).
    pub synack_limit: u32,
    /// Last out-of-window ACK sent (`last_oow_ack_time`).
    pub last_oow_ack: Option<Instant>,
    /// A write was short: tell the application when space frees up.
    pub want_writable: bool,
    /// An ACK must go out now rather than delayed (`ICSK_ACK_NOW`).
    pub ack_now_flag: bool,
    /// MSS allowed by the path MTU (MTU − 40; lowered by ICMP "fragmentation needed").
    pub path_mss: u16,
    /// TCP_MAXSEG set before connect() (`tp->rx_opt.user_mss`): caps the MSS we advertise
    /// and the one we send with (`tcp_connect_init`, `tcp_parse_options`); `None` if unset.
    pub user_mss: Option<u16>,

    /// Payload bytes acknowledged by the peer (`tcpi_bytes_acked`).
    pub bytes_acked: u64,
    /// Payload bytes received in order (`tcpi_bytes_received`).
    pub bytes_received: u64,
    /// Segments retransmitted (`tcpi_total_retrans`).
    pub total_retrans: u32,
    /// When connect()/the SYN started (for ConnectDone latency).
    pub opened_at: Instant,
    last_vars: Option<TcpVars>,
    last_cc: Option<CcVars>,
    last_phase: Option<CcPhase>,
    last_queues: (u32, u32),
}

impl Tcb {
    /// A fresh connection in CLOSED with a random ISN and timestamp offset.
    pub fn new(env: &mut Env, id: SockId, local: SocketAddrV4, remote: SocketAddrV4, adv_mss: u16) -> Tcb {
        let cfg = env.cfg;
        // RFC 9293 §3.4.1 / Linux secure_tcp_seq(): indistinguishable from random here.
        let iss = cfg.fixed_isn.unwrap_or_else(|| env.ctx.rng.next_u32());
        let ts_offset = env.ctx.rng.next_u32();
        let rcv_wnd = cfg.initial_rcv_wnd(adv_mss);
        Tcb {
            id,
            state: TcpState::Closed,
            local,
            remote,
            parent: None,
            passive: false,
            orphan: false,
            wr_shutdown: false,
            error: None,
            iss,
            ip_id: ((iss.wrapping_mul(0x9E37_79B1) >> 16) as u16) ^ (ts_offset as u16),
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: 0,
            snd_wl2: iss,
            snd_buf: VecDeque::new(),
            snd_buf_seq: iss.wrapping_add(1),
            snd_cap: cfg.wmem.1,
            fin_seq: None,
            rtx: VecDeque::new(),
            snd_sml: iss,
            irs: 0,
            rcv_nxt: 0,
            rcv_wnd,
            rcv_wup: 0,
            rcv_ssthresh: rcv_wnd,
            rcv_cap: cfg.rmem.1,
            rmem_alloc: 0,
            rcv_skbs: VecDeque::new(),
            ooo_overhead: 0,
            scaling_ratio: super::recv::DEFAULT_SCALING_RATIO,
            window_clamp: u32::from(u16::MAX) << cfg.rcv_wscale(),
            rcvbuf_locked: false,
            rcv_buf: VecDeque::new(),
            ooo: BTreeMap::new(),
            rcv_abs: 0,
            last_ooo: None,
            fin_rcvd: false,
            peer_fin: None,
            eof_read: false,
            adv_mss,
            mss: MSS_DEFAULT - if cfg.timestamps { TS_LEN } else { 0 },
            peer_mss: MSS_DEFAULT,
            snd_wscale: 0,
            rcv_wscale: cfg.rcv_wscale(),
            wscale_ok: false,
            ts_ok: false,
            sack_ok: false,
            ts_recent: 0,
            ts_offset,
            synack_ts_first: 0,
            synack_ts_last: 0,
            rtt: RttEstimator::new(cfg),
            rto: cfg.rto_init,
            backoff: 0,
            retransmits: 0,
            retrans_start: None,
            handshake_retrans: false,
            fo_option: None,
            syn_data: 0,
            syn_data_wanted: false,
            fastopen_child: false,
            fo_cookie_rcvd: None,
            cc: new_cc(cfg.congestion, cfg.initial_cwnd, env.ctx.rng.next_u32()),
            dupacks: 0,
            recovery: None,
            mode: if cfg.congestion == CcAlgorithm::Bbr { RecoveryMode::Linux } else { cfg.recovery },
            ca_state: CaState::Open,
            high_seq: iss,
            sb: Scoreboard::default(),
            rack: Rack::default(),
            prr: Prr::default(),
            rate: RateState::default(),
            pacer: Pacer { enabled: cfg.pacing, ..Pacer::default() },
            rcv_space: RcvSpace::default(),
            min_rtt: None,
            push_marks: VecDeque::new(),
            gso_left: 0,
            gso_multi: false,
            lsndtime: env.now(),
            ecn_ok: false,
            ecn_demand_cwr: false,
            ecn_queue_cwr: false,
            rx_ce: false,
            tx_new_data: false,
            ack: AckState { rcv_mss: u32::from(MSS_DEFAULT), ..AckState::default() },
            nodelay: false,
            cork: false,
            timers: Timers::default(),
            synack_timeouts: 0,
            synack_limit: cfg.synack_retries,
            last_oow_ack: None,
            want_writable: false,
            ack_now_flag: false,
            path_mss: adv_mss,
            user_mss: None,
            bytes_acked: 0,
            bytes_received: 0,
            total_retrans: 0,
            opened_at: env.now(),
            last_vars: None,
            last_cc: None,
            last_phase: None,
            last_queues: (0, 0),
        }
    }

    /// Move to `to`, tracing it. Every arc is checked against RFC 9293 Figure 5 in debug
    /// builds ([`TcpState::may_transition_to`]).
    pub fn set_state(&mut self, env: &mut Env, to: TcpState) {
        let from = self.state;
        if from == to {
            return;
        }
        debug_assert!(from.may_transition_to(to), "illegal TCP transition {from} -> {to}");
        if to == TcpState::Closed {
            // tcp_done / tcp_set_state(TCP_CLOSE) counters.
            match from {
                TcpState::SynSent | TcpState::SynReceived => env.count(counters::ATTEMPT_FAILS),
                TcpState::Established | TcpState::CloseWait if self.error.is_some() => {
                    env.count(counters::ESTAB_RESETS)
                }
                _ => {}
            }
            self.timers.cancel_all(env.ctx, self.id);
        }
        self.state = to;
        env.ctx.event(EventKind::TcpState { sock: self.id, from, to });
        if to == TcpState::Established && matches!(from, TcpState::SynSent | TcpState::SynReceived) {
            self.init_buffer_space();
        }
    }

    /// Abort with `error`: CLOSED, timers stopped, the application told.
    pub fn abort(&mut self, env: &mut Env, error: SockError) {
        let was = self.state;
        if was == TcpState::Closed {
            return;
        }
        self.error = Some(error);
        self.set_state(env, TcpState::Closed);
        let sock = self.id;
        if self.orphan || self.parent.is_some() {
            return;
        }
        match (was, error) {
            (TcpState::SynSent, _) => {
                env.ctx.notify(Notice::ConnectFailed { sock, error });
                let result = Err(error.errno_name().to_string());
                env.ctx.event(EventKind::App {
                    node: env.ctx.node,
                    call: crate::trace::AppCall::ConnectDone { sock, result },
                });
            }
            (_, SockError::ConnectionReset) => env.ctx.notify(Notice::Reset { sock }),
            _ => env.ctx.notify(Notice::Error { sock, error }),
        }
    }

    /// Packets in flight. Linux mode: `tcp_packets_in_flight` = packets out − SACKed − lost +
    /// retransmitted. Textbook mode: every segment from `snd_una` up to `snd_nxt` (RFC 5681
    /// FlightSize; after a timeout SND.NXT went back to SND.UNA).
    pub fn packets_in_flight(&self) -> u32 {
        match self.mode {
            RecoveryMode::Linux => {
                (self.rtx.len() as u32 + self.sb.retrans_out).saturating_sub(self.sb.sacked_out + self.sb.lost_out)
            }
            RecoveryMode::Textbook => {
                if self.snd_nxt == self.snd_max {
                    self.rtx.len() as u32
                } else {
                    self.rtx.iter().filter(|s| seq::lt(s.start, self.snd_nxt)).count() as u32
                }
            }
        }
    }

    /// The connection is reducing cwnd (`tcp_in_cwnd_reduction`: CWR or Recovery).
    pub fn in_cwnd_reduction(&self) -> bool {
        matches!(self.ca_state, CaState::Cwr | CaState::Recovery)
    }

    /// Sequence number one past the last byte written by the application.
    pub fn data_end(&self) -> u32 {
        self.snd_buf_seq.wrapping_add(self.snd_buf.len() as u32)
    }

    /// True when every byte and the FIN (if any) have been sent.
    pub fn all_sent(&self) -> bool {
        let end = match self.fin_seq {
            Some(f) => f.wrapping_add(1),
            None => self.data_end(),
        };
        seq::ge(self.snd_nxt, end)
    }

    /// Our FIN has been acknowledged.
    pub fn fin_acked(&self) -> bool {
        self.fin_seq.is_some_and(|f| seq::gt(self.snd_una, f))
    }

    /// The TCP timestamp clock: milliseconds plus this connection's offset (RFC 7323 §5.4,
    /// Linux `tcp_time_stamp_ts`, 1 kHz).
    pub fn tsval(&self, now: Instant) -> u32 {
        ((now.as_nanos() / 1_000_000) as u32).wrapping_add(self.ts_offset)
    }

    /// Send-buffer capacity: `tcp_sndbuf_expand` sizes it for twice the congestion window
    /// (at least `tcp_wmem[1]`, at most `tcp_wmem[2]`). Counted here in payload bytes.
    pub fn update_snd_cap(&mut self, cfg: &TcpConfig) {
        let want = 2u64 * u64::from(self.cc.cwnd().max(cfg.initial_cwnd)) * u64::from(self.mss);
        let cap = want.max(u64::from(cfg.wmem.1)).min(u64::from(cfg.wmem.2));
        self.snd_cap = self.snd_cap.max(cap as u32);
    }

    /// Trace `Vars` if cwnd, ssthresh, the peer window, the flight, SRTT, RTO or MSS changed
    /// since the last time.
    pub fn trace_vars(&mut self, ctx: &mut StackCtx) {
        if !matches!(
            self.state,
            TcpState::Established
                | TcpState::FinWait1
                | TcpState::FinWait2
                | TcpState::CloseWait
                | TcpState::Closing
                | TcpState::LastAck
        ) {
            return;
        }
        let ss = self.cc.ssthresh();
        let vars = TcpVars {
            cwnd: self.cc.cwnd(),
            ssthresh: if ss >= INFINITE_SSTHRESH { u32::MAX } else { ss },
            snd_wnd: self.snd_wnd,
            in_flight: seq::dist(self.snd_una, self.snd_nxt),
            srtt: self.rtt.srtt(),
            rto: self.rto,
            mss: self.mss,
        };
        if self.last_vars != Some(vars) {
            self.last_vars = Some(vars);
            ctx.event(EventKind::Vars { sock: self.id, vars });
        }
        self.trace_cc(ctx);
    }

    /// Trace what the algorithm reported and `Cc` if the congestion state, phase, scoreboard,
    /// pacing rate, bandwidth estimate or minimum RTT changed.
    fn trace_cc(&mut self, ctx: &mut StackCtx) {
        while let Some(what) = self.cc.take_event() {
            ctx.event(EventKind::TcpEvent { sock: self.id, what });
        }
        let phase = self.cc.phase();
        if self.last_phase.is_none() {
            let what = crate::trace::TcpEventKind::Algorithm {
                cc: CcAlgorithm::from_name(self.cc.name()).unwrap_or_default(),
                recovery: self.mode,
                ecn: self.ecn_ok,
            };
            ctx.event(EventKind::TcpEvent { sock: self.id, what });
        }
        if self.last_phase.is_some_and(|p| p != phase)
            && matches!(phase, CcPhase::SlowStart | CcPhase::CongestionAvoidance)
        {
            ctx.event(EventKind::TcpEvent { sock: self.id, what: crate::trace::TcpEventKind::Phase { phase } });
        }
        self.last_phase = Some(phase);
        let vars = CcVars {
            ca_state: self.ca_state,
            phase,
            pipe: self.packets_in_flight(),
            sacked: self.sb.sacked_out,
            lost: self.sb.lost_out,
            retrans: self.sb.retrans_out,
            pacing_rate: if self.pacing_enabled() { self.pacer.rate } else { 0 },
            bw_estimate: self.cc.bw_estimate(),
            min_rtt: self.min_rtt.unwrap_or(Duration::ZERO),
            bytes_acked: self.bytes_acked,
        };
        if self.last_cc != Some(vars) {
            self.last_cc = Some(vars);
            ctx.event(EventKind::Cc { sock: self.id, vars });
        }
    }

    /// Trace the algorithms again with the next variables (after TCP_CONGESTION).
    pub fn reannounce(&mut self) {
        self.last_phase = None;
    }

    /// Trace the send and receive queue lengths if they changed.
    pub fn trace_queues(&mut self, ctx: &mut StackCtx) {
        let (s, r) = (self.snd_buf.len() as u32, self.rcv_buf.len() as u32);
        if s != self.last_queues.0 {
            ctx.event(EventKind::Queue { sock: self.id, queue: QueueKind::Send, len: s, cap: self.snd_cap });
        }
        if r != self.last_queues.1 {
            ctx.event(EventKind::Queue { sock: self.id, queue: QueueKind::Recv, len: r, cap: self.rcv_cap });
        }
        self.last_queues = (s, r);
    }

    /// Both traces, at the end of handling one event.
    pub fn trace_after(&mut self, ctx: &mut StackCtx) {
        self.trace_vars(ctx);
        self.trace_queues(ctx);
    }

    /// The connection is synchronized (past the handshake, RFC 9293 §3.3.2).
    pub fn synchronized(&self) -> bool {
        !matches!(self.state, TcpState::Closed | TcpState::Listen | TcpState::SynSent | TcpState::SynReceived)
    }
}
