//! Listening sockets: the SYN queue of request socks and the accept queue (fidelity sheet
//! §1). A request sock is modelled as a child connection in SYN-RECEIVED that remembers its
//! listener; it moves to the accept queue when the final ACK arrives.

use super::counters;
use super::output::{emit, reset_for};
use super::stack::TcpStack;
use super::tcb::{Env, Tcb, TS_LEN};
use super::TcpState;
use crate::stack::{Notice, StackCtx};
use crate::trace::{DropReason, EventKind, QueueKind, SockId, SockInfo, SockKind};
use crate::wire::TcpRepr;
use std::collections::VecDeque;
use std::net::SocketAddrV4;

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
            last_lens: (0, 0),
        }
    }

    /// include/net/sock.h `sk_acceptq_is_full`: `sk_ack_backlog > sk_max_ack_backlog`, so
    /// backlog + 1 connections fit (sheet §0 row 1, [E1]).
    pub fn accept_queue_full(&self) -> bool {
        self.accept_queue.len() as u32 > self.max_backlog
    }

    /// `inet_csk_reqsk_queue_is_full`: `reqsk_queue_len > sk_max_ack_backlog` (the same limit;
    /// `>` since the Jan 2025 patch "tcp/dccp: allow a connection when sk_max_ack_backlog is
    /// zero"; sheet §1.3 [E12]).
    pub fn syn_queue_full(&self) -> bool {
        self.syn_queue.len() as u32 > self.max_backlog
    }

    /// Trace the queue lengths if they changed.
    pub fn trace_queues(&mut self, ctx: &mut StackCtx) {
        let lens = (self.syn_queue.len() as u32, self.accept_queue.len() as u32);
        let cap = self.max_backlog.saturating_add(1);
        if lens.0 != self.last_lens.0 {
            ctx.event(EventKind::Queue { sock: self.id, queue: QueueKind::Syn, len: lens.0, cap });
        }
        if lens.1 != self.last_lens.1 {
            ctx.event(EventKind::Queue { sock: self.id, queue: QueueKind::Accept, len: lens.1, cap });
        }
        self.last_lens = lens;
    }
}

impl TcpStack {
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
            if self.cfg.syncookies != 0 && !f.syn() {
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

    /// `tcp_conn_request` (sheet §1.3), in the kernel's order: SYN-queue full or
    /// `syncookies=2` ⇒ cookie or drop (`tcp_syn_flood_action`); accept queue full ⇒ drop
    /// silently even with cookies (ListenOverflows); without cookies the last quarter of
    /// `tcp_max_syn_backlog` is kept for proven peers; else a request sock and a SYN-ACK.
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
                return Some(DropReason::SynQueueFull);
            }
        }
        if afull {
            self.counters.inc(ctx, counters::LISTEN_OVERFLOWS);
            self.counters.inc(ctx, counters::LISTEN_DROPS);
            return Some(DropReason::ListenOverflow);
        }
        let msb = cfg.max_syn_backlog;
        if !want_cookie && cfg.syncookies == 0 && msb.saturating_sub(qlen as u32) < (msb >> 2) {
            self.counters.inc(ctx, counters::LISTEN_DROPS);
            return Some(DropReason::SynQueueFull);
        }
        if want_cookie {
            self.send_cookie_synack(ctx, lid, local, remote, seg);
            return None;
        }
        // A request sock: the child in SYN-RECEIVED with timer TCP_TIMEOUT_INIT.
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
        tcb.irs = seg.seq;
        tcb.rcv_nxt = seg.seq.wrapping_add(1);
        tcb.rcv_wup = tcb.rcv_nxt;
        tcb.negotiate(&env, seg, false);
        // tcp_openreq_init_rwin: the window is carved with the MSS minus the timestamp bytes.
        let wmss = adv_mss - if tcb.ts_ok { TS_LEN } else { 0 };
        tcb.rcv_wnd = env.cfg.initial_rcv_wnd(wmss);
        tcb.rcv_ssthresh = tcb.rcv_wnd;
        tcb.snd_wnd = u32::from(seg.window);
        tcb.snd_wl1 = seg.seq;
        tcb.set_state(&mut env, TcpState::SynReceived);
        tcb.send_syn(&mut env, true);
        tcb.arm_synack_timer(&mut env);
        tcb.opened_at = env.now();
        self.by_tuple.insert((local, remote), id);
        self.conns.insert(id, tcb);
        self.sync_child(ctx, id);
        None
    }

    /// Keep a child's listener queues in step with its state: SYN-RECEIVED ⇒ SYN queue;
    /// synchronized ⇒ accept queue (TcpPassiveOpens, AcceptReady); CLOSED ⇒ neither.
    pub(crate) fn sync_child(&mut self, ctx: &mut StackCtx, id: SockId) {
        let Some(tcb) = self.conns.get(&id) else { return };
        let Some(lid) = tcb.parent else { return };
        let state = tcb.state;
        let Some(l) = self.listeners.get_mut(&lid) else { return };
        let in_syn = l.syn_queue.contains(&id);
        let in_acc = l.accept_queue.contains(&id);
        let mut ready = false;
        match state {
            TcpState::SynReceived => {
                if !in_syn {
                    l.syn_queue.push(id);
                }
            }
            TcpState::Closed => {
                l.syn_queue.retain(|&s| s != id);
                l.accept_queue.retain(|&s| s != id);
            }
            _ => {
                l.syn_queue.retain(|&s| s != id);
                if !in_acc {
                    l.accept_queue.push_back(id);
                    ready = true;
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
    /// (EmbryonicRsts). Sheet §1.4 [E4], [E4b].
    pub(crate) fn overflow_at_ack(&mut self, ctx: &mut StackCtx, id: SockId, seg: &TcpRepr) -> Option<DropReason> {
        self.counters.inc(ctx, counters::LISTEN_OVERFLOWS);
        self.counters.inc(ctx, counters::LISTEN_DROPS);
        if self.cfg.abort_on_overflow {
            let Some(tcb) = self.conns.get_mut(&id) else {
                return Some(DropReason::ListenOverflow);
            };
            let (local, remote) = (tcb.local, tcb.remote);
            let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
            if let Some(r) = reset_for(seg) {
                env.count(counters::OUT_RSTS);
                emit(env.ctx, local, remote, r);
            }
            env.count(counters::EMBRYONIC_RSTS);
            tcb.set_state(&mut env, TcpState::Closed);
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
