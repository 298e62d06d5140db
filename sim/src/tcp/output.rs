//! Sending: building segments with Linux's options, the transmit loop (`tcp_write_xmit`)
//! with its congestion-window, receive-window, SWS and Nagle tests, retransmissions, RSTs.

use super::config::{NagleMode, RecoveryMode};
use super::congestion::CaEvent;
use super::counters;
use super::rtt::backed_off;
use super::seq;
use super::tcb::{Env, Tcb, TxSeg};
use super::TcpState;
use crate::stack::{IpIdent, OutPacket, StackCtx};
use crate::trace::TimerKind;
use crate::wire::{TcpFlags, TcpOptions, TcpRepr, Transport};
use std::net::SocketAddrV4;

/// `MAX_TCP_OPTION_SPACE`: the most option bytes a TCP header can carry (RFC 9293 §3.1).
pub const MAX_TCP_OPTION_SPACE: u16 = 40;

/// Put a TCP segment that no connected socket sends on the way to the IP layer: a RST or
/// ACK from Linux's per-netns control socket (`tcp_v4_send_reset`, `tcp_v4_send_ack` through
/// `ip_send_unicast_reply`) or a SYN-ACK from a request sock or a cookie
/// (`ip_build_and_send_pkt`). DF is set (PMTU discovery is on, `ip_no_pmtu_disc=0`), so the
/// IP ID is 0.
pub fn emit(ctx: &mut StackCtx, local: SocketAddrV4, remote: SocketAddrV4, seg: TcpRepr) {
    emit_ecn(ctx, local, remote, seg, 0, IpIdent::Host);
}

/// [`emit`] with an IP ECN codepoint and the IP ID rule.
pub fn emit_ecn(ctx: &mut StackCtx, local: SocketAddrV4, remote: SocketAddrV4, seg: TcpRepr, ecn: u8, ident: IpIdent) {
    ctx.send(OutPacket {
        src: *local.ip(),
        dst: *remote.ip(),
        dont_frag: true,
        ecn,
        ident,
        transport: Transport::Tcp(seg),
    });
}

/// The RST answering `seg` when no connection can take it (RFC 9293 §3.10.7.1): if it had an
/// ACK, `<SEQ=SEG.ACK><CTL=RST>`; otherwise `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`.
/// `None` for a RST (never answer a RST). Linux `tcp_v4_send_reset` adds no options.
pub fn reset_for(seg: &TcpRepr) -> Option<TcpRepr> {
    if seg.flags.rst() {
        return None;
    }
    let (seq, ack, flags) = if seg.flags.ack() {
        (seg.ack, 0, TcpFlags::RST)
    } else {
        (0, seg.seq.wrapping_add(seg.seq_len()), TcpFlags::RST | TcpFlags::ACK)
    };
    Some(TcpRepr {
        src_port: seg.dst_port,
        dst_port: seg.src_port,
        seq,
        ack,
        flags,
        window: 0,
        urgent: 0,
        options: TcpOptions::default(),
        payload: Vec::new(),
    })
}

impl Tcb {
    /// Build and send one segment from this connection. With ACK set it carries `rcv_nxt` and
    /// a freshly selected window, which also settles any owed ACK (`tcp_event_ack_sent`).
    pub fn send_segment(&mut self, env: &mut Env, flags: TcpFlags, seq: u32, payload: Vec<u8>) {
        let now = env.now();
        let syn = flags.syn();
        let mut options = TcpOptions::default();
        let tsval = self.tsval(now);
        if syn {
            // tcp_syn_options / tcp_synack_options: MSS always; the rest only if enabled and,
            // in a SYN-ACK, only if the SYN offered it.
            let synack = flags.ack();
            options.mss = Some(self.adv_mss);
            // tcp_syn_options / tcp_synack_options: the Fast Open cookie or cookie request.
            options.fast_open = self.fo_option.take();
            let want_ts = if synack { self.ts_ok } else { env.cfg.timestamps };
            let want_sack = if synack { self.sack_ok } else { env.cfg.sack };
            let want_ws = if synack { self.wscale_ok } else { env.cfg.window_scaling };
            if want_ts {
                options.timestamps = Some((tsval, if synack { self.ts_recent } else { 0 }));
            }
            options.sack_permitted = want_sack;
            if want_ws {
                options.window_scale = Some(self.rcv_wscale);
            }
            if synack {
                if self.synack_ts_first == 0 && self.synack_ts_last == 0 {
                    self.synack_ts_first = tsval;
                }
                self.synack_ts_last = tsval;
            }
        } else {
            if self.ts_ok {
                options.timestamps = Some((tsval, self.ts_recent));
            }
            if self.sack_ok && flags.ack() {
                options.sack_blocks = self.sack_blocks(if self.ts_ok { 3 } else { 4 });
            }
        }
        let window = if syn {
            // RFC 7323 §2.2: the window in a SYN is never scaled.
            self.rcv_wnd.min(65535) as u16
        } else if flags.ack() {
            self.select_window()
        } else {
            0
        };
        let ack = if flags.ack() { self.rcv_nxt } else { 0 };
        let (flags, ecn) = self.ecn_out(flags, payload.len());
        let seg = TcpRepr {
            src_port: self.local.port(),
            dst_port: self.remote.port(),
            seq,
            ack,
            flags,
            window,
            urgent: 0,
            options,
            payload,
        };
        if flags.ack() {
            self.ack_sent(env);
        }
        if flags.rst() {
            env.count(counters::OUT_RSTS);
        }
        let ident = self.next_ip_ident(flags);
        emit_ecn(env.ctx, self.local, self.remote, seg, ecn, ident);
    }

    /// The IP ID rule for a segment this connection sends (`ip_select_ident_segs`): a
    /// passive open's SYN-ACK leaves from the request sock (`ip_build_and_send_pkt`) and a
    /// TIME-WAIT ACK from the control socket, both with ID 0 under DF; everything else from
    /// the full socket takes its `inet_id` and moves it on by one.
    fn next_ip_ident(&mut self, flags: TcpFlags) -> IpIdent {
        let request_sock = self.passive && flags.syn() && flags.ack();
        if request_sock || self.state == TcpState::TimeWait {
            return IpIdent::Host;
        }
        let id = self.ip_id;
        self.ip_id = self.ip_id.wrapping_add(1);
        IpIdent::Socket(id)
    }

    /// Send a pure ACK now (`tcp_send_ack`).
    pub fn send_ack(&mut self, env: &mut Env) {
        self.send_segment(env, TcpFlags::ACK, self.snd_nxt, Vec::new());
    }

    /// Send a RST for this connection (`tcp_send_active_reset`): `<SEQ=SND.NXT><CTL=RST,ACK>`.
    pub fn send_rst(&mut self, env: &mut Env) {
        self.send_segment(env, TcpFlags::RST | TcpFlags::ACK, self.snd_nxt, Vec::new());
    }

    /// Send (or resend) our SYN or SYN-ACK. The ISN never changes ([E2]). A first SYN with a
    /// Fast Open cookie also carries the start of the send buffer (RFC 7413 §3;
    /// `tcp_send_syn_data`): at most the MSS less `MAX_TCP_OPTION_SPACE` (40) bytes, so
    /// 1420 at MTU 1500. Retransmitted SYNs are plain ([`Tcb::fo_option`]).
    pub fn send_syn(&mut self, env: &mut Env, synack: bool) {
        let flags = if synack { TcpFlags::SYN | TcpFlags::ACK } else { TcpFlags::SYN };
        let flags = flags | self.ecn_syn_flags(env, synack);
        let payload = if std::mem::take(&mut self.syn_data_wanted) && !synack {
            let room = usize::from(self.adv_mss.saturating_sub(MAX_TCP_OPTION_SPACE));
            let data: Vec<u8> = self.snd_buf.iter().take(room).copied().collect();
            self.syn_data = data.len() as u32;
            data
        } else {
            Vec::new()
        };
        let len = payload.len() as u32;
        self.send_segment(env, flags, self.iss, payload);
        self.snd_nxt = self.iss.wrapping_add(1).wrapping_add(len);
        self.snd_max = seq::max(self.snd_max, self.snd_nxt);
    }

    /// Data may go out in the synchronized states, and in SYN-RECEIVED for a Fast Open child
    /// (`tcp_passive_fastopen`: the response may leave before the third ACK, RFC 7413 §3).
    fn output_allowed(&self) -> bool {
        matches!(
            self.state,
            TcpState::Established | TcpState::CloseWait | TcpState::FinWait1 | TcpState::Closing | TcpState::LastAck
        ) || (self.state == TcpState::SynReceived && self.fastopen_child)
    }

    /// Nagle's test for a partial segment (`tcp_nagle_test`/`tcp_nagle_check`): a FIN always
    /// goes; TCP_CORK holds partial segments; TCP_NODELAY sends them; otherwise Linux holds
    /// one only while an earlier *small* segment is unacknowledged (Minshall,
    /// `tcp_minshall_check`), RFC 9293 §3.7.4 while anything is unacknowledged.
    fn nagle_allows(&self, env: &Env, carries_fin: bool) -> bool {
        if carries_fin {
            return true;
        }
        if self.cork {
            return false;
        }
        if self.nodelay {
            return true;
        }
        let outstanding = seq::lt(self.snd_una, self.snd_nxt);
        match env.cfg.nagle {
            NagleMode::Minshall => {
                !(outstanding && seq::gt(self.snd_sml, self.snd_una) && seq::le(self.snd_sml, self.snd_nxt))
            }
            NagleMode::Rfc => !outstanding,
        }
    }

    /// Send what the windows and Nagle allow (`tcp_push_pending_frames` → `tcp_write_xmit`).
    /// `force` skips the Nagle/cork test once (cork timer, TCP_NODELAY set, uncork).
    pub fn push(&mut self, env: &mut Env, force: bool) {
        if !self.output_allowed() {
            return;
        }
        let mss = u32::from(self.mss.max(1));
        let mut sent_any = false;
        self.gso_left = 0;
        if self.mode == RecoveryMode::Linux {
            // tcp_xmit_retransmit_queue: lost segments go before new data.
            self.xmit_retransmit_queue(env);
        }
        loop {
            let data_end = self.data_end();
            let fin_pending = self.fin_seq.is_some_and(|f| seq::le(self.snd_nxt, f));
            let avail = seq::dist(self.snd_nxt, data_end);
            if avail == 0 && !fin_pending {
                break;
            }
            // tcp_cwnd_test: packets in flight below cwnd.
            if self.packets_in_flight() >= self.cc.cwnd() {
                break;
            }
            let len = avail.min(mss);
            // tcp_snd_wnd_test + tcp_mss_split_point: the segment must fit the peer's window,
            // and a window-limited runt is not sent while more data waits (sender SWS
            // avoidance, RFC 9293 §3.8.6.2.1); the persist timer takes over.
            let wnd_end = self.snd_una.wrapping_add(self.snd_wnd);
            let room = seq::dist(self.snd_nxt, wnd_end);
            if len > room {
                break;
            }
            let carries_fin = fin_pending && len == avail;
            if len < mss && !force && !self.nagle_allows(env, carries_fin) {
                if self.cork && !self.timers.armed(TimerKind::Cork) {
                    let at = env.now() + env.cfg.cork_ceiling;
                    self.timers.set(env, self.id, TimerKind::Cork, at);
                }
                break;
            }
            if self.pacing_blocks(env) {
                break;
            }
            if self.in_cwnd_reduction() {
                self.prr.out += 1;
            }
            if self.gso_left == 0 {
                // A new TSO/GSO packet: as many segments as tcp_cwnd_test (half the
                // congestion window, and what is left of it), tcp_tso_segs and the data and
                // window allow (`tcp_mss_split_point`).
                let cwnd = self.cc.cwnd();
                let quota = (cwnd / 2).max(1).min(cwnd.saturating_sub(self.packets_in_flight()));
                let can = avail.min(room).div_ceil(mss);
                self.gso_left = quota.min(self.tso_segs()).min(can).max(1);
                self.gso_multi = self.gso_left > 1;
            }
            let before = self.snd_nxt;
            self.send_data(env, self.snd_nxt, len, carries_fin);
            self.gso_left = self.gso_left.saturating_sub(1);
            sent_any = true;
            if self.snd_nxt == before {
                // Nothing left the buffer (SND.NXT outside it): stop rather than loop; the
                // retransmission timer recovers.
                break;
            }
        }
        self.gso_left = 0;
        if sent_any {
            self.timers.cancel(env.ctx, self.id, TimerKind::Cork);
            self.timers.cancel(env.ctx, self.id, TimerKind::Persist);
            // tcp_write_xmit: one loss probe per tail episode, else the RTO.
            if !self.schedule_loss_probe(env) && !self.xmit_timer_armed() {
                self.arm_rto(env);
            }
        }
        // tcp_rate_check_app_limited: nothing more to send while cwnd has room.
        if seq::ge(self.snd_nxt, self.data_end()) && self.packets_in_flight() < self.cc.cwnd() && self.sb.lost_out == 0
        {
            let f = self.packets_in_flight();
            self.rate.mark_app_limited(f);
        }
        self.check_probe_timer(env);
    }

    /// The retransmission or loss-probe timer is armed (Linux multiplexes them on one timer).
    pub fn xmit_timer_armed(&self) -> bool {
        self.timers.armed(TimerKind::Retransmit) || self.timers.armed(TimerKind::LossProbe)
    }

    /// `tcp_check_probe_timer`: nothing in flight but data waiting (window closed or too
    /// small) ⇒ arm the persist timer at `max(rto, TCP_RTO_MIN)` (`tcp_probe0_base`).
    pub fn check_probe_timer(&mut self, env: &mut Env) {
        let waiting = seq::lt(self.snd_nxt, self.data_end()) || self.fin_seq.is_some_and(|f| seq::le(self.snd_nxt, f));
        if self.snd_una == self.snd_nxt
            && waiting
            && !self.timers.armed(TimerKind::Persist)
            && !self.xmit_timer_armed()
            && self.snd_wnd < u32::from(self.mss)
        {
            let at = env.now() + self.probe0_when(env);
            self.timers.set(env, self.id, TimerKind::Persist, at);
        }
    }

    /// `tcp_probe0_when`: `max(rto, TCP_RTO_MIN) << backoff`, capped at `TCP_RTO_MAX`.
    pub fn probe0_when(&self, env: &Env) -> crate::time::Duration {
        let base = self.rtt.rto().max(env.cfg.rto_min);
        backed_off(base, self.backoff, env.cfg.rto_max)
    }

    /// Arm the retransmission timer at now + RTO (`tcp_rearm_rto`); it replaces a pending
    /// loss probe.
    pub fn arm_rto(&mut self, env: &mut Env) {
        let at = env.now() + self.rto;
        self.timers.cancel(env.ctx, self.id, TimerKind::LossProbe);
        self.timers.set(env, self.id, TimerKind::Retransmit, at);
    }

    /// `tcp_tso_autosize`: segments per TSO/GSO packet, about a millisecond of the pacing rate
    /// (`sk_pacing_shift` = 10) plus, on a short path, up to 64 KiB more (`gso_max_size >>
    /// (min_rtt_us >> tcp_tso_rtt_log)`, `tcp_tso_rtt_log` = 9), at most 64 KiB, at least
    /// `tcp_min_tso_segs` (2). GSO is always on for TCP (`sk_setup_caps`), so even with
    /// offloads off a burst leaves as one packet cut in software.
    pub fn tso_segs(&self) -> u32 {
        const GSO_MAX_SIZE: u64 = 65_536;
        let mut bytes = self.linux_pacing_rate().map_or(GSO_MAX_SIZE, |r| r >> 10);
        let min_rtt_us = self.min_rtt.map_or(0, |d| d.as_nanos() / 1000);
        let r = min_rtt_us >> 9;
        if r < 32 {
            bytes += GSO_MAX_SIZE >> r;
        }
        let bytes = bytes.min(GSO_MAX_SIZE);
        ((bytes / u64::from(self.mss.max(1))) as u32).max(2)
    }

    /// Send `len` bytes from `start` (plus FIN), new or retransmitted. PSH goes on the last
    /// segment of a multi-segment GSO packet (`tcp_gso_segment` keeps it on the last segment
    /// only) and on the segment carrying the end of a write (`tcp_mark_push`; docs/fidelity.md
    /// §10.4).
    pub fn send_data(&mut self, env: &mut Env, start: u32, len: u32, fin: bool) {
        let off = seq::dist(self.snd_buf_seq, start) as usize;
        let end_off = (off + len as usize).min(self.snd_buf.len());
        let from = off.min(end_off);
        let mut payload: Vec<u8> = Vec::with_capacity(end_off - from);
        let (a, b) = self.snd_buf.as_slices();
        if from < a.len() {
            payload.extend_from_slice(&a[from..end_off.min(a.len())]);
        }
        if end_off > a.len() {
            payload.extend_from_slice(&b[from.max(a.len()) - a.len()..end_off - a.len()]);
        }
        let len = payload.len() as u32;
        let mut flags = TcpFlags::ACK;
        while self.push_marks.front().is_some_and(|&m| seq::le(m, self.snd_una)) {
            self.push_marks.pop_front();
        }
        let end_data = start.wrapping_add(len);
        let marked = self.push_marks.iter().any(|&m| seq::gt(m, start) && seq::le(m, end_data));
        let gso_end = self.gso_multi && self.gso_left == 1;
        if len > 0 && (marked || gso_end) {
            flags = flags | TcpFlags::PSH;
        }
        if fin {
            flags = flags | TcpFlags::FIN;
        }
        let end = start.wrapping_add(len + u32::from(fin));
        let now = env.now();
        let is_retrans = seq::lt(start, self.snd_max);
        if is_retrans {
            env.count(counters::RETRANS_SEGS);
            self.total_retrans += 1;
            if self.retrans_start.is_none() {
                self.retrans_start = Some(self.rtx.front().map_or(now, |s| s.sent_at));
            }
            for s in self.rtx.iter_mut() {
                if seq::lt(s.start, end) && seq::gt(s.end, start) {
                    s.retrans = true;
                    s.sent_at = now;
                }
            }
        }
        if seq::gt(end, self.snd_max) {
            let new_start = seq::max(start, self.snd_max);
            let tx = self.rate.on_send(now, self.rtx.is_empty());
            self.rtx.push_back(TxSeg {
                start: new_start,
                end,
                sent_at: now,
                retrans: is_retrans,
                sacked: false,
                lost: false,
                rexmit_out: false,
                tx,
            });
            self.snd_max = end;
        }
        if len > 0 {
            // tcp_event_data_sent: restarting from idle is a CA event; note the send time.
            if self.packets_in_flight() <= u32::from(seq::gt(end, start)) && self.rtx.len() <= 1 {
                let idle = now.saturating_since(self.lsndtime);
                self.cc.cwnd_event(CaEvent::TxStart { idle }, now);
            }
            self.lsndtime = now;
            self.paced_sent(now, len);
        }
        if len < u32::from(self.mss) {
            // tcp_minshall_update.
            self.snd_sml = end;
        }
        let has_data = !payload.is_empty();
        // New data (not a retransmission) may be ECN-capable (RFC 3168 §6.1.5).
        self.tx_new_data = !is_retrans;
        self.send_segment(env, flags, start, payload);
        if seq::gt(end, self.snd_nxt) {
            self.snd_nxt = end;
        }
        if has_data {
            self.note_data_sent(env);
        }
    }

    /// Resend the segment at `snd_una` without moving `snd_nxt` (fast retransmit, NewReno
    /// partial ACK).
    pub fn retransmit_head(&mut self, env: &mut Env) {
        let mss = u32::from(self.mss.max(1));
        let start = self.snd_una;
        let data_left = seq::dist(start, self.data_end());
        let len = data_left.min(mss);
        let fin = self.fin_seq.is_some_and(|f| f == start.wrapping_add(len))
            && seq::lt(start.wrapping_add(len), self.snd_max);
        if len == 0 && !fin {
            return;
        }
        let saved_nxt = self.snd_nxt;
        self.send_data(env, start, len, fin);
        self.snd_nxt = seq::max(saved_nxt, self.snd_nxt);
    }

    /// A zero-window probe (`tcp_xmit_probe_skb`): a bare ACK with SEG.SEQ = SND.UNA − 1 that
    /// the receiver must answer. When the window has opened a little, `tcp_write_wakeup`
    /// sends real data up to it instead.
    pub fn send_probe(&mut self, env: &mut Env) {
        let wnd_end = self.snd_una.wrapping_add(self.snd_wnd);
        let room = seq::dist(self.snd_nxt, wnd_end);
        let avail = seq::dist(self.snd_nxt, self.data_end());
        if room > 0 && avail > 0 {
            let len = room.min(avail).min(u32::from(self.mss));
            let fin = self.fin_seq.is_some_and(|f| f == self.snd_nxt.wrapping_add(len));
            self.send_data(env, self.snd_nxt, len, fin);
            if !self.timers.armed(TimerKind::Retransmit) {
                self.arm_rto(env);
            }
        } else {
            env.count(counters::WIN_PROBE);
            let seq = self.snd_una.wrapping_sub(1);
            self.send_segment(env, TcpFlags::ACK, seq, Vec::new());
        }
    }
}
