//! Listening sockets: the SYN queue of request socks and the accept queue (docs/fidelity.md
//! §1). A request sock is modelled as a child connection in SYN-RECEIVED that remembers its
//! listener; it moves to the accept queue when the final ACK arrives.

use super::counters;
use super::fastopen;
use super::output::{emit, reset_for};
use super::stack::TcpStack;
use super::tcb::{Env, Tcb, TS_LEN};
use super::TcpState;
use crate::stack::{Notice, StackCtx};
use crate::time::{Duration, Instant};
use crate::trace::{DropReason, EventKind, ListenAction, QueueKind, SockId, SockInfo, SockKind};
use crate::wire::TcpRepr;
use std::collections::VecDeque;
use std::net::SocketAddrV4;

/// `TCP_SYNCOOKIE_VALID` (`MAX_SYNCOOKIE_AGE` × `TCP_SYNCOOKIE_PERIOD` = 2 min): how long
/// after the last SYN-queue overflow an ACK to a listener is still checked as a cookie
/// (`tcp_synq_no_recent_overflow`).
pub const SYNCOOKIE_VALID: Duration = Duration::from_secs(120);

/// A listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Socket id.
    pub id: SockId,
    /// Local address (0.0.0.0 = every local address).
    pub local: SocketAddrV4,
    /// `sk_max_ack_backlog` = min(backlog, somaxconn).
    pub max_backlog: u32,
    /// Request socks waiting for the final ACK.
    pub syn_queue: Vec<SockId>,
    /// Established children waiting for accept().
    pub accept_queue: VecDeque<SockId>,
    /// Secret for syncookies (`syncookie_secret`).
    pub cookie_secret: u64,
    /// Member of an SO_REUSEPORT group (every listener on `local` with this flag).
    pub reuseport: bool,
    /// Position in the group's socket array (`sock_reuseport.socks[]`): listen() order; a
    /// closing member's slot is taken by the last one (`__reuseport_detach_sock`).
    pub reuseport_slot: u32,
    /// `inet_ehash_secret` for the group's 4-tuple hash (drawn once, like the kernel's
    /// per-boot secret; only used by SO_REUSEPORT groups).
    pub ehash_secret: u32,
    /// When a SYN last overflowed the SYN queue and got a cookie (`tcp_synq_overflow`); ACKs
    /// are checked as cookies only within [`SYNCOOKIE_VALID`] of it.
    pub last_overflow: Option<Instant>,
    /// The pre-2025 `>=` SYN-queue-full test ([`crate::tcp::TcpConfig::syn_queue_full_ge`]).
    pub syn_queue_full_ge: bool,
    /// The `TCP_FASTOPEN` socket option: the most Fast Open children that may wait for their
    /// third ACK at once (`fastopenq.max_qlen`); 0 = Fast Open off on this listener.
    pub fastopen_qlen: u32,
    /// SO_RCVBUF set on the listener: the buffer its connections get, fixed
    /// (`SOCK_RCVBUF_LOCK`, inherited by `inet_csk_clone_lock`).
    pub rcvbuf: Option<u32>,
    last_lens: (u32, u32),
}

impl Listener {
    /// A listener with `max_backlog` already clamped.
    pub fn new(id: SockId, local: SocketAddrV4, max_backlog: u32, cookie_secret: u64) -> Self {
        Listener {
            id,
            local,
            max_backlog,
            syn_queue: Vec::new(),
            accept_queue: VecDeque::new(),
            cookie_secret,
            reuseport: false,
            reuseport_slot: 0,
            ehash_secret: 0,
            last_overflow: None,
            syn_queue_full_ge: false,
            fastopen_qlen: 0,
            rcvbuf: None,
            last_lens: (0, 0),
        }
    }

    /// include/net/sock.h `sk_acceptq_is_full`: `sk_ack_backlog > sk_max_ack_backlog`, so
    /// backlog + 1 connections fit (docs/fidelity.md §0 row 1, [E1]).
    pub fn accept_queue_full(&self) -> bool {
        self.accept_queue.len() as u32 > self.max_backlog
    }

    /// `inet_csk_reqsk_queue_is_full`: `reqsk_queue_len > sk_max_ack_backlog` (the same limit;
    /// `>` since the Jan 2025 patch "tcp/dccp: allow a connection when sk_max_ack_backlog is
    /// zero"; docs/fidelity.md §1.3 [E12]); `>=` on older kernels.
    pub fn syn_queue_full(&self) -> bool {
        let len = self.syn_queue.len() as u32;
        if self.syn_queue_full_ge {
            len >= self.max_backlog
        } else {
            len > self.max_backlog
        }
    }

    /// How many request socks fit before [`Listener::syn_queue_full`] holds.
    pub fn syn_queue_cap(&self) -> u32 {
        if self.syn_queue_full_ge {
            self.max_backlog
        } else {
            self.max_backlog.saturating_add(1)
        }
    }

    /// `!tcp_synq_no_recent_overflow`: a cookie went out less than [`SYNCOOKIE_VALID`] ago (the
    /// kernel also allows one second of slack before it).
    pub fn recent_overflow(&self, now: Instant) -> bool {
        self.last_overflow.is_some_and(|t| now.saturating_since(t) <= SYNCOOKIE_VALID)
    }

    /// Trace the queue lengths if they changed. The caps are what fits before the queue
    /// counts as full: accept queue backlog + 1, SYN queue [`Listener::syn_queue_cap`].
    pub fn trace_queues(&mut self, ctx: &mut StackCtx) {
        let lens = (self.syn_queue.len() as u32, self.accept_queue.len() as u32);
        if lens.0 != self.last_lens.0 {
            let cap = self.syn_queue_cap();
            ctx.event(EventKind::Queue { sock: self.id, queue: QueueKind::Syn, len: lens.0, cap });
        }
        if lens.1 != self.last_lens.1 {
            let cap = self.max_backlog.saturating_add(1);
            ctx.event(EventKind::Queue { sock: self.id, queue: QueueKind::Accept, len: lens.1, cap });
        }
        self.last_lens = lens;
    }

    /// Trace both queue lengths again (after listen() changed the backlog, so the caps are
    /// current).
    pub fn retrace_queues(&mut self, ctx: &mut StackCtx) {
        self.last_lens = (u32::MAX, u32::MAX);
        self.trace_queues(ctx);
    }
}

impl Tcb {
    /// `inet_csk_reqsk_queue_drop`: a request sock leaves without `tcp_done`, so unlike a
    /// failed active open it counts no TcpAttemptFails (only a RST or SYN arriving for it
    /// does, in `tcp_check_req`). Timers stop and CLOSED is traced.
    pub(crate) fn drop_request(&mut self, env: &mut Env) {
        let from = self.state;
        if from == TcpState::Closed {
            return;
        }
        self.timers.cancel_all(env.ctx, self.id);
        self.state = TcpState::Closed;
        env.ctx.event(EventKind::TcpState { sock: self.id, from, to: TcpState::Closed });
    }
}

/// Record what a listener did.
pub(crate) fn listen_event(ctx: &mut StackCtx, sock: SockId, peer: SocketAddrV4, action: ListenAction) {
    ctx.event(EventKind::Listen { sock, peer, action });
}

impl TcpStack {
    /// A child connection of listener `lid`, registered in the trace and waiting in LISTEN for
    /// the caller to fill in the handshake (`inet_csk_clone_lock` in net/ipv4/inet_connection_sock.c
    /// makes the child from the listener; a request sock and a validated syncookie both end here).
    pub(crate) fn passive_child(
        &mut self,
        ctx: &mut StackCtx,
        lid: SockId,
        local: SocketAddrV4,
        remote: SocketAddrV4,
    ) -> Tcb {
        let id = ctx.new_socket(SockInfo {
            node: ctx.node,
            kind: SockKind::TcpConn,
            local,
            remote: Some(remote),
            parent: Some(lid),
        });
        let adv_mss = self.adv_mss();
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        let mut tcb = Tcb::new(&mut env, id, local, remote, adv_mss);
        tcb.passive = true;
        tcb.parent = Some(lid);
        tcb.state = TcpState::Listen;
        tcb
    }

    /// A segment for a listener with no connection of its own (`tcp_v4_do_rcv` in LISTEN).
    pub(crate) fn listener_segment(
        &mut self,
        ctx: &mut StackCtx,
        lid: SockId,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        seg: &TcpRepr,
    ) -> Option<DropReason> {
        let f = seg.flags;
        if f.rst() {
            return Some(DropReason::Unacceptable);
        }
        if f.ack() {
            // tcp_v4_cookie_check → cookie_v4_check: only while a SYN-queue overflow is recent
            // (`tcp_synq_no_recent_overflow`); otherwise the ACK is not even looked at as a
            // cookie (no SyncookiesFailed) and gets the RST below.
            let recent = self.listeners.get(&lid).is_some_and(|l| l.recent_overflow(ctx.now));
            if self.cfg.syncookies != 0 && !f.syn() && recent {
                if let Some(r) = self.cookie_ack(ctx, lid, local, remote, seg) {
                    return r;
                }
            }
            // RFC 9293 §3.10.7.2: any ACK to a LISTEN socket gets <SEQ=SEG.ACK><CTL=RST>.
            self.send_reset(ctx, local, remote, seg);
            return Some(DropReason::Unacceptable);
        }
        if !f.syn() {
            return Some(DropReason::Unacceptable);
        }
        self.conn_request(ctx, lid, local, remote, seg)
    }

    /// `tcp_conn_request` (docs/fidelity.md §1.3), in the kernel's order: SYN-queue full or
    /// `syncookies=2` ⇒ cookie or drop (`tcp_syn_flood_action`); accept queue full ⇒ drop
    /// silently even with cookies (ListenOverflows); without cookies the last quarter of
    /// `tcp_max_syn_backlog` is kept for proven peers (`tcp_peer_is_proven`: a TCP metrics
    /// entry, saved when an earlier connection to that address closed cleanly); else a
    /// request sock and a SYN-ACK. Every outcome is traced as an `EventKind::Listen`.
    fn conn_request(
        &mut self,
        ctx: &mut StackCtx,
        lid: SockId,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        seg: &TcpRepr,
    ) -> Option<DropReason> {
        let cfg = self.cfg.clone();
        let l = self.listeners.get(&lid)?;
        let (qfull, afull, qlen) = (l.syn_queue_full(), l.accept_queue_full(), l.syn_queue.len());
        let mut want_cookie = false;
        if cfg.syncookies == 2 || qfull {
            if cfg.syncookies != 0 {
                want_cookie = true;
                self.counters.inc(ctx, counters::REQQ_FULL_DO_COOKIES);
            } else {
                self.counters.inc(ctx, counters::REQQ_FULL_DROP);
                self.counters.inc(ctx, counters::LISTEN_DROPS);
                listen_event(ctx, lid, remote, ListenAction::SynDroppedSynQueueFull);
                return Some(DropReason::SynQueueFull);
            }
        }
        if afull {
            self.counters.inc(ctx, counters::LISTEN_OVERFLOWS);
            self.counters.inc(ctx, counters::LISTEN_DROPS);
            listen_event(ctx, lid, remote, ListenAction::SynDroppedAcceptQueueFull);
            return Some(DropReason::ListenOverflow);
        }
        // Signed, as in the kernel: past tcp_max_syn_backlog the difference is negative.
        let msb = i64::from(cfg.max_syn_backlog);
        if !want_cookie
            && cfg.syncookies == 0
            && msb - (qlen as i64) < (msb >> 2)
            && !self.proven_peers.contains(remote.ip())
        {
            self.counters.inc(ctx, counters::LISTEN_DROPS);
            listen_event(ctx, lid, remote, ListenAction::SynDroppedMaxSynBacklog);
            return Some(DropReason::SynQueueFull);
        }
        if want_cookie {
            // cookie_v4_init_sequence → tcp_synq_overflow: ACKs are checked as cookies from now,
            // on every member of an SO_REUSEPORT group (`reuse->synq_overflow_ts`).
            let group = self.listeners.get(&lid).map(|l| (l.local, l.reuseport));
            for l in self.listeners.values_mut() {
                if l.id == lid || group.is_some_and(|(local, reuse)| reuse && l.reuseport && l.local == local) {
                    l.last_overflow = Some(ctx.now);
                }
            }
            listen_event(ctx, lid, remote, ListenAction::SynCookie { forced: !qfull });
            self.send_cookie_synack(ctx, lid, local, remote, seg);
            return None;
        }
        // tcp_try_fastopen's inputs: the listener's pending Fast Open children.
        let fo_pending = self.fastopen_pending(lid);
        // A request sock: the child in SYN-RECEIVED with timer TCP_TIMEOUT_INIT.
        let mut tcb = self.passive_child(ctx, lid, local, remote);
        let (id, adv_mss) = (tcb.id, self.adv_mss());
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        tcb.irs = seg.seq;
        tcb.rcv_nxt = seg.seq.wrapping_add(1);
        tcb.rcv_wup = tcb.rcv_nxt;
        tcb.negotiate(&env, seg, false);
        // tcp_openreq_init_rwin: the window is carved with the MSS minus the timestamp bytes.
        let wmss = adv_mss - if tcb.ts_ok { TS_LEN } else { 0 };
        tcb.rcv_wnd = env.cfg.initial_rcv_wnd(wmss);
        if let Some(rcvbuf) = self.listeners.get(&lid).and_then(|l| l.rcvbuf) {
            let (full, wnd, scale) = env.cfg.locked_window(rcvbuf, wmss);
            tcb.rcv_cap = rcvbuf;
            tcb.rcvbuf_locked = true;
            tcb.window_clamp = full;
            tcb.rcv_wnd = wnd;
            tcb.rcv_wscale = scale;
        }
        tcb.window_clamp = tcb.window_clamp.min(u32::from(u16::MAX) << tcb.rcv_wscale);
        tcb.rcv_ssthresh = tcb.rcv_wnd;
        tcb.snd_wnd = u32::from(seg.window);
        tcb.snd_wl1 = seg.seq;
        tcb.set_state(&mut env, TcpState::SynReceived);
        if fastopen::try_fastopen(&mut tcb, &mut env, fo_pending, seg) {
            listen_event(env.ctx, lid, remote, ListenAction::FastOpen { sock: id, bytes: seg.payload.len() as u32 });
        }
        tcb.send_syn(&mut env, true);
        tcb.arm_synack_timer(&mut env);
        tcb.opened_at = env.now();
        self.by_tuple.insert((local, remote), id);
        self.conns.insert(id, tcb);
        self.sync_child(ctx, id);
        None
    }

    /// The host and listener state a Fast Open SYN is judged by.
    fn fastopen_pending(&self, lid: SockId) -> fastopen::ListenerFastOpen {
        // Accepted children have no parent any more but still count until their third ACK.
        let port = self.listeners.get(&lid).map(|l| l.local.port());
        let qlen = self
            .conns
            .values()
            .filter(|t| t.fastopen_child && t.state == TcpState::SynReceived && Some(t.local.port()) == port)
            .count() as u32;
        fastopen::ListenerFastOpen {
            sysctl: self.cfg.fastopen,
            max_qlen: self.listeners.get(&lid).map_or(0, |l| l.fastopen_qlen),
            qlen,
            key: self.fastopen_key.unwrap_or_default(),
        }
    }

    /// Keep a child's listener queues in step with its state: SYN-RECEIVED ⇒ SYN queue;
    /// synchronized ⇒ accept queue (TcpPassiveOpens, AcceptReady); CLOSED ⇒ neither. Each
    /// move is traced as an `EventKind::Listen`.
    pub(crate) fn sync_child(&mut self, ctx: &mut StackCtx, id: SockId) {
        let Some(tcb) = self.conns.get(&id) else { return };
        let Some(lid) = tcb.parent else { return };
        let (state, peer, fastopen_child) = (tcb.state, tcb.remote, tcb.fastopen_child);
        let Some(l) = self.listeners.get_mut(&lid) else { return };
        let in_syn = l.syn_queue.contains(&id);
        let in_acc = l.accept_queue.contains(&id);
        let mut ready = false;
        match state {
            TcpState::SynReceived if !fastopen_child => {
                if !in_syn {
                    l.syn_queue.push(id);
                    listen_event(ctx, lid, peer, ListenAction::SynQueued { sock: id });
                }
            }
            TcpState::Closed => {
                l.syn_queue.retain(|&s| s != id);
                l.accept_queue.retain(|&s| s != id);
                if in_syn || in_acc {
                    listen_event(ctx, lid, peer, ListenAction::ChildClosed { sock: id });
                }
            }
            _ => {
                l.syn_queue.retain(|&s| s != id);
                if !in_acc {
                    l.accept_queue.push_back(id);
                    ready = true;
                    if !fastopen_child {
                        listen_event(ctx, lid, peer, ListenAction::Established { sock: id, cookie: !in_syn });
                    }
                }
            }
        }
        l.trace_queues(ctx);
        if ready {
            self.counters.inc(ctx, counters::PASSIVE_OPENS);
            ctx.notify(Notice::AcceptReady { listener: lid });
        }
    }

    /// `tcp_check_req` `listen_overflow:` — the final ACK found the accept queue full. With
    /// `tcp_abort_on_overflow=0` the ACK is dropped and the request kept (its SYN-ACK
    /// timer will resend); with 1 the peer gets a RST and the request is dropped
    /// (EmbryonicRsts). See docs/fidelity.md §1.4 [E4], [E4b].
    pub(crate) fn overflow_at_ack(&mut self, ctx: &mut StackCtx, id: SockId, seg: &TcpRepr) -> Option<DropReason> {
        self.counters.inc(ctx, counters::LISTEN_OVERFLOWS);
        self.counters.inc(ctx, counters::LISTEN_DROPS);
        let Some(tcb) = self.conns.get_mut(&id) else {
            return Some(DropReason::ListenOverflow);
        };
        let (local, remote, parent) = (tcb.local, tcb.remote, tcb.parent);
        if !self.cfg.abort_on_overflow {
            if let Some(lid) = parent {
                listen_event(ctx, lid, remote, ListenAction::AckDroppedAcceptQueueFull { sock: Some(id) });
            }
        } else {
            if let Some(l) = parent.and_then(|lid| self.listeners.get_mut(&lid)) {
                // inet_csk_reqsk_queue_drop: the request leaves the SYN queue with the RST.
                l.syn_queue.retain(|&s| s != id);
                listen_event(ctx, l.id, remote, ListenAction::AckReset { sock: id });
                l.trace_queues(ctx);
            }
            let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
            if let Some(r) = reset_for(seg) {
                env.count(counters::OUT_RSTS);
                emit(env.ctx, local, remote, r);
            }
            env.count(counters::EMBRYONIC_RSTS);
            tcb.drop_request(&mut env);
            self.after_conn(ctx, id);
        }
        Some(DropReason::ListenOverflow)
    }

    /// `reqsk_timer_handler`'s retry budget: when more than half of
    /// max(8, backlog) is taken, old requests lose retries (down to 2) so young ones get room.
    pub(crate) fn synack_limit(&self, lid: SockId) -> u32 {
        let mut max = self.cfg.synack_retries;
        let Some(l) = self.listeners.get(&lid) else { return max };
        let qlen = l.syn_queue.len() as u32;
        if (qlen << 1) > l.max_backlog.max(8) {
            let mut young =
                l.syn_queue.iter().filter(|id| self.conns.get(id).is_some_and(|t| t.synack_timeouts == 0)).count()
                    as u32
                    * 2;
            while max > 2 {
                if qlen < young {
                    break;
                }
                max -= 1;
                young <<= 1;
            }
        }
        max
    }
}
