//! bind() before connect(): an active open from a local port the application chose instead of
//! an ephemeral one. Two programs that agree on each other's ports this way (peer-to-peer
//! applications, NAT hole punching) can connect() to each other at the same moment; their
//! SYNs cross and both sides go through a simultaneous open (RFC 9293 §3.5, Figure 8).

use super::counters;
use super::tcb::{Env, Tcb};
use super::{TcpStack, TcpState};
use crate::stack::{SockError, StackCtx};
use crate::trace::{AppCall, EventKind, SockId, SockInfo, SockKind};
use std::net::SocketAddrV4;

impl TcpStack {
    /// bind(`local`) then connect(`remote`). The port must be free: `inet_csk_get_port`
    /// refuses a port another socket holds (no SO_REUSEADDR here) with EADDRINUSE. Port 0
    /// picks an ephemeral port, as connect() alone does. The SYN, its options and timers are
    /// connect()'s (`tcp_v4_connect` then `tcp_connect`); the socket starts in SYN-SENT.
    pub fn connect_from(
        &mut self,
        ctx: &mut StackCtx,
        local: SocketAddrV4,
        remote: SocketAddrV4,
    ) -> Result<SockId, SockError> {
        if local.port() == 0 {
            return self.connect(ctx, *local.ip(), remote);
        }
        if remote.port() == 0 || remote.ip().is_unspecified() || local.ip().is_unspecified() {
            return Err(SockError::InvalidArgument);
        }
        if self.port_used(local.port()) {
            return Err(SockError::AddrInUse);
        }
        let id = ctx.new_socket(SockInfo {
            node: ctx.node,
            kind: SockKind::TcpConn,
            local,
            remote: Some(remote),
            parent: None,
        });
        let adv_mss = self.adv_mss();
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        let mut tcb = Tcb::new(&mut env, id, local, remote, adv_mss);
        let node = env.ctx.node;
        env.ctx.event(EventKind::App { node, call: AppCall::Connect { sock: id, to: remote } });
        env.count(counters::ACTIVE_OPENS);
        tcb.set_state(&mut env, TcpState::SynSent);
        tcb.send_syn(&mut env, false);
        tcb.arm_rto(&mut env);
        self.by_tuple.insert((local, remote), id);
        self.conns.insert(id, tcb);
        Ok(id)
    }
}
