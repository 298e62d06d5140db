//! SYN cookies (net/ipv4/syncookies.c; docs/fidelity.md §1.3): when the SYN queue is full (or
//! `tcp_syncookies=2`) the listener keeps no state and encodes the connection in its ISN:
//! `hash1(4-tuple) + SEG.SEQ + (count << 24) + ((hash2(4-tuple, count) + mss_index) & 0xffffff)`
//! with `count` = minutes since the start (`TCP_SYNCOOKIE_PERIOD` 60 s) and a validity of two
//! periods (`MAX_SYNCOOKIE_AGE`). Without a timestamp in the SYN the cookie SYN-ACK carries the
//! MSS only (`tcp_clear_options`); with one, window scale and SACK ride in the low 6 bits of
//! TSval (`cookie_init_timestamp`).

use super::counters;
use super::stack::TcpStack;
use super::tcb::{Env, MIN_MSS, TS_LEN};
use super::TcpState;
use crate::stack::StackCtx;
use crate::time::Instant;
use crate::trace::{DropReason, SockId};
use crate::wire::{TcpFlags, TcpOptions, TcpRepr};
use std::net::SocketAddrV4;

/// `msstab` (syncookies.c): the MSS values a cookie can carry.
const MSSTAB: [u16; 4] = [536, 1300, 1440, 1460];
const COOKIEBITS: u32 = 24;
const COOKIEMASK: u32 = (1 << COOKIEBITS) - 1;
/// `TCP_SYNCOOKIE_PERIOD`.
const PERIOD_NS: u64 = 60_000_000_000;
/// `MAX_SYNCOOKIE_AGE`.
const MAX_AGE: u32 = 2;
/// TSval bits used for options (`TSBITS`).
const TSBITS: u32 = 6;
const TSMASK: u32 = (1 << TSBITS) - 1;

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn tuple_hash(secret: u64, local: SocketAddrV4, remote: SocketAddrV4, salt: u64) -> u32 {
    let a = u64::from(u32::from(*local.ip())) << 16 | u64::from(local.port());
    let b = u64::from(u32::from(*remote.ip())) << 16 | u64::from(remote.port());
    (mix(secret ^ mix(a ^ mix(b ^ salt))) >> 32) as u32
}

fn count_at(now: Instant) -> u32 {
    (now.as_nanos() / PERIOD_NS) as u32
}

/// The cookie ISN for a SYN with sequence `sseq` and MSS index `idx`.
fn cookie_isn(secret: u64, l: SocketAddrV4, r: SocketAddrV4, sseq: u32, count: u32, idx: u32) -> u32 {
    let h1 = tuple_hash(secret, l, r, 0);
    let h2 = tuple_hash(secret, l, r, u64::from(count) + 1);
    h1.wrapping_add(sseq).wrapping_add(count << COOKIEBITS).wrapping_add(h2.wrapping_add(idx) & COOKIEMASK)
}

/// Check a cookie: the MSS index if it is valid and at most two periods old.
fn check_cookie(secret: u64, l: SocketAddrV4, r: SocketAddrV4, seg: &TcpRepr, now: Instant) -> Option<u32> {
    let sseq = seg.seq.wrapping_sub(1);
    let cookie = seg.ack.wrapping_sub(1);
    let v = cookie.wrapping_sub(tuple_hash(secret, l, r, 0)).wrapping_sub(sseq);
    let count = count_at(now);
    let diff = count.wrapping_sub(v >> COOKIEBITS) & (u32::MAX >> COOKIEBITS);
    if diff >= MAX_AGE {
        return None;
    }
    let then = count.wrapping_sub(diff);
    let h2 = tuple_hash(secret, l, r, u64::from(then) + 1);
    let idx = (v.wrapping_sub(h2)) & COOKIEMASK;
    (idx < MSSTAB.len() as u32).then_some(idx)
}

impl TcpStack {
    /// Answer a SYN with a cookie SYN-ACK; no state is kept (SyncookiesSent).
    pub(crate) fn send_cookie_synack(
        &mut self,
        ctx: &mut StackCtx,
        lid: SockId,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        seg: &TcpRepr,
    ) {
        let Some(secret) = self.listeners.get(&lid).map(|l| l.cookie_secret) else { return };
        let peer_mss = seg.options.mss.unwrap_or(536);
        let idx = MSSTAB.iter().rposition(|&m| m <= peer_mss).unwrap_or(0) as u32;
        let isn = cookie_isn(secret, local, remote, seg.seq, count_at(ctx.now), idx);
        let adv_mss = self.adv_mss();
        let mut options = TcpOptions { mss: Some(adv_mss), ..TcpOptions::default() };
        let mut wmss = adv_mss;
        if let (true, Some((tsval, _))) = (self.cfg.timestamps, seg.options.timestamps) {
            // cookie_init_timestamp: the *peer's* shift and SACK ride in TSval.
            let ws = match (self.cfg.window_scaling, seg.options.window_scale) {
                (true, Some(w)) => u32::from(w.min(14)),
                _ => 0xf,
            };
            let sack = u32::from(self.cfg.sack && seg.options.sack_permitted);
            let opts = ws | sack << 4;
            let now_ms = (ctx.now.as_nanos() / 1_000_000) as u32;
            options.timestamps = Some(((now_ms & !TSMASK) | opts, tsval));
            options.sack_permitted = sack == 1;
            if ws != 0xf {
                options.window_scale = Some(self.cfg.rcv_wscale());
            }
            wmss -= TS_LEN;
        }
        let reply = TcpRepr {
            src_port: local.port(),
            dst_port: remote.port(),
            seq: isn,
            ack: seg.seq.wrapping_add(1),
            flags: TcpFlags::SYN | TcpFlags::ACK,
            window: self.cfg.initial_rcv_wnd(wmss).min(65535) as u16,
            urgent: 0,
            options,
            payload: Vec::new(),
        };
        self.counters.inc(ctx, counters::SYNCOOKIES_SENT);
        super::output::emit(ctx, local, remote, reply);
    }

    /// An ACK reached a listener: if it carries a valid cookie, build the connection from it
    /// (`cookie_v4_check`). `None` = not a cookie (the caller answers with RST).
    pub(crate) fn cookie_ack(
        &mut self,
        ctx: &mut StackCtx,
        lid: SockId,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        seg: &TcpRepr,
    ) -> Option<Option<DropReason>> {
        let l = self.listeners.get(&lid)?;
        let Some(idx) = check_cookie(l.cookie_secret, local, remote, seg, ctx.now) else {
            self.counters.inc(ctx, counters::SYNCOOKIES_FAILED);
            return None;
        };
        if l.accept_queue_full() {
            // tcp_get_cookie_sock → syn_recv_sock finds the accept queue full: the ACK is
            // dropped (no RST even with tcp_abort_on_overflow; nothing was kept to reset).
            self.counters.inc(ctx, counters::LISTEN_OVERFLOWS);
            self.counters.inc(ctx, counters::LISTEN_DROPS);
            let action = crate::trace::ListenAction::AckDroppedAcceptQueueFull { sock: None };
            super::listener::listen_event(ctx, lid, remote, action);
            return Some(Some(DropReason::ListenOverflow));
        }
        self.counters.inc(ctx, counters::SYNCOOKIES_RECV);
        let mut tcb = self.passive_child(ctx, lid, local, remote);
        let id = tcb.id;
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        tcb.iss = seg.ack.wrapping_sub(1);
        tcb.snd_una = seg.ack;
        tcb.snd_nxt = seg.ack;
        tcb.snd_max = seg.ack;
        tcb.snd_buf_seq = seg.ack;
        tcb.snd_sml = seg.ack;
        tcb.irs = seg.seq.wrapping_sub(1);
        tcb.rcv_nxt = seg.seq;
        tcb.rcv_wup = seg.seq;
        tcb.peer_mss = MSSTAB[idx as usize].max(MIN_MSS);
        tcb.rcv_wscale = 0;
        if let (true, Some((tsval, tsecr))) = (env.cfg.timestamps, seg.options.timestamps) {
            tcb.ts_ok = true;
            tcb.ts_recent = tsval;
            tcb.ts_offset = 0;
            let ws = tsecr & 0xf;
            if ws != 0xf && env.cfg.window_scaling {
                // cookie_decode_options: the peer's shift comes back in TSecr; ours is
                // recomputed (tcp_select_initial_window).
                tcb.wscale_ok = true;
                tcb.snd_wscale = ws.min(14) as u8;
                tcb.rcv_wscale = env.cfg.rcv_wscale();
            }
            tcb.sack_ok = env.cfg.sack && (tsecr >> 4) & 1 == 1;
        }
        let path = tcb.path_mss;
        tcb.update_mss(path);
        tcb.snd_wnd = u32::from(seg.window) << tcb.snd_wscale;
        tcb.snd_wl1 = seg.seq;
        tcb.snd_wl2 = seg.ack;
        tcb.set_state(&mut env, TcpState::SynReceived);
        tcb.set_state(&mut env, TcpState::Established);
        tcb.rtt.fallback(env.cfg);
        tcb.rto = tcb.rtt.rto();
        tcb.update_snd_cap(env.cfg);
        let reason = if seg.payload.is_empty() && !seg.flags.fin() {
            None
        } else {
            tcb.process_data_and_fin(&mut env, seg, false)
        };
        tcb.ack_snd_check(&mut env, false);
        self.by_tuple.insert((local, remote), id);
        self.conns.insert(id, tcb);
        self.sync_child(ctx, id);
        Some(reason)
    }
}
