//! The network side of a host's TCP: segment demultiplexing (RFC 9293 §3.10.7), timers, and
//! ICMP errors (RFC 1122 §4.2.3.9, RFC 1191/8201 path-MTU discovery).

use super::counters;
use super::input::Outcome;
use super::output::{emit, reset_for};
use super::seq;
use super::stack::TcpStack;
use super::tcb::{Env, MIN_MSS};
use super::{RecoveryMode, TcpState};
use crate::stack::{Notice, SockError, StackCtx};
use crate::time::Instant;
use crate::trace::{DropReason, ListenAction, SockId, TimerKind};
use crate::wire::icmp::code;
use crate::wire::{Ipv4Addr, TcpRepr};
use std::net::SocketAddrV4;

/// Linux `min_pmtu` (552): the smallest path MTU an ICMP message can impose.
pub const MIN_PMTU: u16 = 552;

impl TcpStack {
    /// A segment arrived for this host. Demultiplexing: the connection with this exact
    /// 4-tuple, else a listener on the port (exact address, then 0.0.0.0), else no socket:
    /// answered by a RST unless it is one (RFC 9293 §3.10.7.1). Returns why the segment was
    /// discarded, if it was, so the network layer can trace it.
    pub fn on_segment(
        &mut self,
        ctx: &mut StackCtx,
        src_ip: Ipv4Addr,
        dst_ip: Ipv4Addr,
        seg: TcpRepr,
    ) -> Option<DropReason> {
        self.on_segment_ecn(ctx, src_ip, dst_ip, seg, false)
    }

    /// [`TcpStack::on_segment`] for a segment whose IP header carried `ce` (Congestion
    /// Experienced, RFC 3168 §5).
    pub fn on_segment_ecn(
        &mut self,
        ctx: &mut StackCtx,
        src_ip: Ipv4Addr,
        dst_ip: Ipv4Addr,
        seg: TcpRepr,
        ce: bool,
    ) -> Option<DropReason> {
        let local = SocketAddrV4::new(dst_ip, seg.dst_port);
        let remote = SocketAddrV4::new(src_ip, seg.src_port);
        if seg.src_port == 0 || seg.dst_port == 0 {
            return Some(DropReason::Malformed);
        }
        if let Some(&id) = self.by_tuple.get(&(local, remote)) {
            if let Some(t) = self.conns.get_mut(&id) {
                t.rx_ce = ce;
            }
            match self.conn_segment(ctx, id, &seg) {
                Some(Outcome::Done(r)) => return r,
                Some(Outcome::Recycle) | None => {}
            }
        }
        if let Some(lid) = self.select_listener(local, remote) {
            return self.listener_segment(ctx, lid, local, remote, &seg);
        }
        self.send_reset(ctx, local, remote, &seg);
        Some(DropReason::NoSocket)
    }

    /// Answer `seg` with a RST from `local` (no socket, or a listener getting an ACK).
    pub(crate) fn send_reset(&mut self, ctx: &mut StackCtx, local: SocketAddrV4, remote: SocketAddrV4, seg: &TcpRepr) {
        if let Some(r) = reset_for(seg) {
            self.counters.inc(ctx, counters::OUT_RSTS);
            emit(ctx, local, remote, r);
        }
    }

    fn conn_segment(&mut self, ctx: &mut StackCtx, id: SockId, seg: &TcpRepr) -> Option<Outcome> {
        let tcb = self.conns.get(&id)?;
        if tcb.state == TcpState::Closed {
            return None;
        }
        // tcp_check_req: the final ACK of a passive open meets the accept queue.
        if tcb.state == TcpState::SynReceived && tcb.passive {
            if let Some(lid) = tcb.parent {
                let env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
                match tcb.handshake_ack_ok(&env, seg) {
                    Ok(()) => {
                        if self.listeners.get(&lid).is_some_and(|l| l.accept_queue_full()) {
                            let r = self.overflow_at_ack(ctx, id, seg);
                            return Some(Outcome::Done(r));
                        }
                    }
                    Err(true) => {
                        let tcb = self.conns.get_mut(&id)?;
                        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
                        env.count(counters::TSECR_REJECTED);
                        tcb.challenge_ack(&mut env);
                        return Some(Outcome::Done(Some(DropReason::Unacceptable)));
                    }
                    Err(false) => {}
                }
            }
        }
        let tcb = self.conns.get_mut(&id)?;
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        let out = tcb.on_segment(&mut env, seg);
        if out == Outcome::Recycle {
            tcb.set_state(&mut env, TcpState::Closed);
        }
        // tcp_fastopen_cache_set: keep the cookie a SYN-ACK brought for the next connection.
        if let Some(cookie) = tcb.fo_cookie_rcvd.take() {
            self.fastopen_cookies.set(*tcb.remote.ip(), &cookie);
        }
        tcb.trace_after(ctx);
        self.after_conn(ctx, id);
        Some(out)
    }

    /// Bookkeeping after a connection handled something: listener queues, and removal once
    /// CLOSED (from the demux table at once; from the socket table when nobody holds it).
    pub(crate) fn after_conn(&mut self, ctx: &mut StackCtx, id: SockId) {
        self.sync_child(ctx, id);
        let Some(tcb) = self.conns.get(&id) else { return };
        // tcp_update_metrics: a clean end (TIME-WAIT, or CLOSED from LAST-ACK) with an RTT
        // sample leaves a metrics entry for the peer, which tcp_peer_is_proven looks up.
        let clean_end = tcb.state == TcpState::TimeWait
            || (tcb.state == TcpState::Closed && tcb.error.is_none() && tcb.fin_rcvd && tcb.fin_acked());
        if clean_end && tcb.rtt.srtt() > crate::time::Duration::ZERO {
            self.proven_peers.insert(*tcb.remote.ip());
        }
        if tcb.state != TcpState::Closed {
            return;
        }
        let key = (tcb.local, tcb.remote);
        if self.by_tuple.get(&key) == Some(&id) {
            self.by_tuple.remove(&key);
        }
        if tcb.orphan || tcb.parent.is_some() {
            let notify = tcb.orphan && tcb.error.is_none() && tcb.parent.is_none();
            self.conns.remove(&id);
            if notify {
                ctx.notify(Notice::Closed { sock: id });
            }
        }
    }

    /// Fire every timer due at `ctx.now` (in deadline order per socket, sockets in id order)
    /// and send what that allows.
    pub fn poll(&mut self, ctx: &mut StackCtx) {
        let ids: Vec<SockId> = self.conns.keys().copied().collect();
        for id in ids {
            loop {
                let limit = match self.conns.get(&id) {
                    Some(t) if t.poll_at().is_some_and(|at| at <= ctx.now) => t.parent.map(|l| self.synack_limit(l)),
                    _ => break,
                };
                let Some(tcb) = self.conns.get_mut(&id) else { break };
                if let Some(limit) = limit {
                    tcb.synack_limit = limit;
                }
                let Some(kind) = tcb.timers.pop_due(ctx, id) else { break };
                let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
                tcb.on_timer(&mut env, kind);
                tcb.trace_after(ctx);
                if kind == TimerKind::SynAck && tcb.state == TcpState::Closed {
                    // reqsk_timer_handler: out of retries, the request leaves the SYN queue.
                    let (parent, peer) = (tcb.parent, tcb.remote);
                    if let Some(l) = parent.and_then(|lid| self.listeners.get_mut(&lid)) {
                        l.syn_queue.retain(|&s| s != id);
                        super::listener::listen_event(ctx, l.id, peer, ListenAction::RequestExpired { sock: id });
                        l.trace_queues(ctx);
                    }
                }
                self.after_conn(ctx, id);
            }
        }
    }

    /// The earliest timer deadline of any socket: the network layer should call
    /// [`TcpStack::poll`] then.
    pub fn poll_at(&self) -> Option<Instant> {
        self.conns.values().filter_map(|t| t.poll_at()).min()
    }

    /// An ICMP destination-unreachable (type 3) from `icmp_src` with `icmp_code`, carrying
    /// the start of one of our datagrams in `original` (its IPv4 header and at least the first
    /// 8 bytes of the TCP header, RFC 792). Finds the connection from the quoted addresses,
    /// ports and sequence number and hands it to [`TcpStack::icmp_unreachable_for`]; a quote
    /// that is too short, not TCP or not from us is ignored (`Malformed`).
    pub fn on_icmp_unreachable(
        &mut self,
        ctx: &mut StackCtx,
        icmp_src: Ipv4Addr,
        icmp_code: u8,
        next_hop_mtu: u16,
        original: &[u8],
    ) -> Option<DropReason> {
        let _ = icmp_src;
        let Some((local, remote, seq_no)) = parse_quote(original) else {
            return Some(DropReason::Malformed);
        };
        self.icmp_unreachable_for(ctx, local, remote, icmp_code, next_hop_mtu, seq_no)
    }

    /// The same, with the quoted segment already decoded: `local` and `remote` are its source
    /// and destination, `seq_no` its sequence number (checked to lie in SND.UNA..=SND.MAX).
    ///
    /// * Code 4, fragmentation needed (RFC 1191 §6.1, RFC 8201): lower the path MTU to
    ///   `next_hop_mtu` (at least `min_pmtu` 552), shrink the MSS and resend what is
    ///   outstanding without a congestion response (`tcp_v4_mtu_reduced` →
    ///   `tcp_simple_retransmit`).
    /// * Other codes in SYN-SENT/SYN-RECEIVED are hard errors: the connect fails
    ///   (port/protocol unreachable ⇒ ECONNREFUSED, net ⇒ ENETUNREACH, host ⇒ EHOSTUNREACH;
    ///   `icmp_err_convert`). In synchronized states they are soft errors and ignored.
    ///
    /// Returns why the message was ignored, if it was.
    pub fn icmp_unreachable_for(
        &mut self,
        ctx: &mut StackCtx,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        icmp_code: u8,
        next_hop_mtu: u16,
        seq_no: u32,
    ) -> Option<DropReason> {
        let Some(&id) = self.by_tuple.get(&(local, remote)) else {
            return Some(DropReason::NoSocket);
        };
        let tcb = self.conns.get_mut(&id)?;
        if !seq::between(seq_no, tcb.snd_una, tcb.snd_max) {
            // LINUX_MIB_OUTOFWINDOWICMPS.
            return Some(DropReason::Unacceptable);
        }
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        if icmp_code == code::FRAG_NEEDED {
            if next_hop_mtu == 0 {
                return Some(DropReason::Unacceptable);
            }
            let mtu = next_hop_mtu.max(MIN_PMTU);
            let new_mss = mtu.saturating_sub(40).max(MIN_MSS);
            if new_mss < tcb.path_mss {
                tcb.path_mss = new_mss;
                tcb.update_mss(new_mss);
                if tcb.synchronized() && seq::lt(tcb.snd_una, tcb.snd_max) {
                    if tcb.mode == RecoveryMode::Linux {
                        tcb.simple_retransmit(&mut env);
                    } else {
                        // The textbook sender goes back to SND.UNA and resends at the new size.
                        tcb.snd_nxt = tcb.snd_una;
                        tcb.push(&mut env, true);
                    }
                }
            }
        } else if matches!(tcb.state, TcpState::SynSent | TcpState::SynReceived) && !tcb.passive {
            let err = match icmp_code {
                code::NET_UNREACHABLE => SockError::NetUnreachable,
                code::HOST_UNREACHABLE => SockError::HostUnreachable,
                _ => SockError::ConnectionRefused,
            };
            tcb.abort(&mut env, err);
        } else {
            return Some(DropReason::Unacceptable);
        }
        tcb.trace_after(ctx);
        self.after_conn(ctx, id);
        None
    }
}

/// Read (source, destination, sequence number) of the TCP segment quoted by an ICMP error:
/// an IPv4 header (IHL words, protocol 6) followed by at least 8 bytes of TCP header.
fn parse_quote(original: &[u8]) -> Option<(SocketAddrV4, SocketAddrV4, u32)> {
    let first = *original.first()?;
    if first >> 4 != 4 || *original.get(9)? != 6 {
        return None;
    }
    let ihl = usize::from(first & 0x0f) * 4;
    if ihl < 20 {
        return None;
    }
    let b = |r: std::ops::Range<usize>| original.get(r);
    let ip = |r| b(r).map(|x: &[u8]| Ipv4Addr::new(x[0], x[1], x[2], x[3]));
    let port = |o: usize| b(o..o + 2).map(|x| u16::from_be_bytes([x[0], x[1]]));
    let src = ip(12..16)?;
    let dst = ip(16..20)?;
    let sport = port(ihl)?;
    let dport = port(ihl + 2)?;
    let seq = b(ihl + 4..ihl + 8).map(|x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))?;
    Some((SocketAddrV4::new(src, sport), SocketAddrV4::new(dst, dport), seq))
}

#[cfg(test)]
mod tests {
    use super::parse_quote;

    #[test]
    fn quote_parsing_is_bounded() {
        let mut q = vec![0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        q.extend([0x9c, 0x40, 0, 80, 0xde, 0xad, 0xbe, 0xef]);
        let (l, r, s) = parse_quote(&q).unwrap();
        assert_eq!((l.to_string(), r.to_string(), s), ("10.0.0.1:40000".into(), "10.0.0.2:80".into(), 0xdead_beef));
        for n in 0..q.len() {
            assert!(parse_quote(&q[..n]).is_none());
        }
        q[9] = 17;
        assert!(parse_quote(&q).is_none());
    }
}
