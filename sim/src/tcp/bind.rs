//! bind() before connect(): an active open from a local port the application chose instead of
//! an ephemeral one. Two programs that agree on each other's ports this way (peer-to-peer
//! applications, NAT hole punching) can connect() to each other at the same moment; their
//! SYNs cross and both sides go through a simultaneous open (RFC 9293 §3.5, Figure 8).

use super::TcpStack;
use crate::stack::{SockError, StackCtx};
use crate::trace::SockId;
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
        self.open(ctx, local, remote, None, None).map(|(id, _)| id)
    }
}
