//! The segment text and FIN (RFC 9293 §3.10.7.4 "seventh, process the segment text" and
//! "eighth, check the FIN bit"; Linux `tcp_data_queue` and `tcp_fin`).

use super::counters;
use super::seq;
use super::tcb::{Env, Tcb};
use super::TcpState;
use crate::stack::{Notice, SockError};
use crate::trace::DropReason;
use crate::wire::TcpRepr;

impl Tcb {
    /// Queue the text of an acceptable segment and act on its FIN. Sets `ack.pending` and
    /// `ack_now_flag` for [`Tcb::ack_snd_check`].
    pub fn process_data_and_fin(&mut self, env: &mut Env, seg: &TcpRepr, ack_now: bool) -> Option<DropReason> {
        if ack_now {
            self.ack.pending = true;
            self.ack_now_flag = true;
        }
        let mut reason = None;
        let takes_text = matches!(self.state, TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2);
        let len = seg.payload.len() as u32;
        if len > 0 && takes_text {
            let end = seg.seq.wrapping_add(len);
            if self.orphan && seq::gt(end, self.rcv_nxt) {
                // tcp_rcv_state_process: data after close() in FIN-WAIT-1/2 ⇒ RST (RFC 1122
                // "MUST send a reset"; TCPAbortOnData).
                env.count(counters::ABORT_ON_DATA);
                self.send_rst(env);
                self.abort(env, SockError::ConnectionReset);
                return Some(DropReason::Unacceptable);
            }
            reason = self.take_text(env, seg);
        } else if len > 0 {
            // CLOSE-WAIT, CLOSING, LAST-ACK: the peer already sent FIN; ignore the text.
            reason = Some(DropReason::Unacceptable);
        }
        if seg.flags.fin() && self.peer_fin.is_none() && takes_text_or_synrecv(self.state) {
            let fin_seq = seg.seq.wrapping_add(len);
            if seq::ge(fin_seq, self.rcv_nxt) {
                self.peer_fin = Some(fin_seq);
            }
        }
        self.maybe_fin(env);
        reason
    }

    /// Trim to the window and queue (`tcp_data_queue`).
    fn take_text(&mut self, env: &mut Env, seg: &TcpRepr) -> Option<DropReason> {
        let mut start = seg.seq;
        let mut data: &[u8] = &seg.payload;
        // Old bytes at the front (a retransmission overlapping what we have).
        let old = seq::dist(start, self.rcv_nxt) as usize;
        if seq::lt(start, self.rcv_nxt) {
            if old >= data.len() {
                // Entirely old: a retransmit. Force an immediate ACK (quick-ACK mode).
                self.enter_quickack_mode(env);
                self.ack.pending = true;
                self.ack_now_flag = true;
                return Some(DropReason::Unacceptable);
            }
            data = &data[old..];
            start = self.rcv_nxt;
        }
        // Bytes beyond the right edge of the window are cut off.
        let wnd = self.receive_window_now().max(self.free_space());
        let offset = seq::dist(self.rcv_nxt, start);
        if offset >= wnd {
            // Zero window or beyond it (TCPZeroWindowDrop / out of window): ACK at once.
            self.ack.pending = true;
            self.ack_now_flag = true;
            return Some(DropReason::Unacceptable);
        }
        let fit = ((wnd - offset) as usize).min(data.len());
        let data = &data[..fit];
        let ce = std::mem::take(&mut self.rx_ce);
        self.ecn_on_data(env, seg, ce);
        if start == self.rcv_nxt {
            self.rcv_rtt_measure(env, seg);
        }
        let (in_order, ooo, filled) = self.queue_data(start, data);
        self.ack.pending = true;
        if in_order > 0 {
            self.data_recv_event(env, in_order);
            if !self.orphan {
                env.ctx.notify(Notice::Readable { sock: self.id });
            }
        }
        if ooo || filled {
            // RFC 5681 §4.2: out-of-order data and hole fills are ACKed at once.
            self.ack_now_flag = true;
            if ooo {
                self.enter_quickack_mode(env);
            }
        }
        None
    }

    /// Act on the peer's FIN once everything before it has arrived (`tcp_fin`).
    pub fn maybe_fin(&mut self, env: &mut Env) {
        let Some(fin) = self.peer_fin else { return };
        if self.fin_rcvd || fin != self.rcv_nxt {
            return;
        }
        self.fin_rcvd = true;
        self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
        self.ack.pending = true;
        if !self.orphan {
            env.ctx.notify(Notice::PeerClosed { sock: self.id });
        }
        match self.state {
            TcpState::SynReceived | TcpState::Established => {
                // tcp_fin: CLOSE-WAIT and interactive mode, so the ACK may be delayed
                // (docs/fidelity.md §4.1 [E5]: the ACK of a FIN left 40.5 ms later).
                self.set_state(env, TcpState::CloseWait);
                self.ack.pingpong = true;
            }
            TcpState::FinWait1 => {
                // Simultaneous close (docs/fidelity.md §6 [E16]).
                self.send_ack(env);
                if self.fin_acked() {
                    self.enter_time_wait(env);
                } else {
                    self.set_state(env, TcpState::Closing);
                }
            }
            TcpState::FinWait2 => {
                self.send_ack(env);
                self.enter_time_wait(env);
            }
            _ => {}
        }
    }
}

fn takes_text_or_synrecv(s: TcpState) -> bool {
    matches!(s, TcpState::SynReceived | TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2)
}
