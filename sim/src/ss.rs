//! `ss -lnt` as of any moment of a run, read from the trace alone. For a LISTEN socket `ss`
//! prints Recv-Q = the accept queue's length (`sk_ack_backlog`) and Send-Q = the backlog
//! after the somaxconn clamp (`sk_max_ack_backlog`), as `tcp_diag_get_info` fills them; Recv-Q
//! can read Send-Q + 1 (docs/fidelity.md §1.1). The number of SYN-RECV request socks
//! (`ss -nt state syn-recv`) comes along.
//!
//! Sources: `EventKind::Backlog` (listen(): Send-Q), `EventKind::Queue` with
//! `QueueKind::Accept` (Recv-Q) and `QueueKind::Syn` (SYN-RECV), and `EventKind::TcpState`
//! (a listener closing).

use crate::tcp::TcpState;
use crate::time::Instant;
use crate::trace::{EventKind, NodeId, QueueKind, SockId, Trace};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// One LISTEN row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListenRow {
    /// The listener.
    pub sock: SockId,
    /// Its host.
    pub node: NodeId,
    /// Local address and port.
    pub local: SocketAddrV4,
    /// Connections waiting for accept().
    pub recv_q: u32,
    /// The effective backlog, min(backlog, somaxconn).
    pub send_q: u32,
    /// Request socks in SYN-RECV (the SYN queue).
    pub syn_recv: u32,
    /// The backlog the application passed to listen().
    pub requested_backlog: u32,
    /// Part of an SO_REUSEPORT group.
    pub reuseport: bool,
}

/// The LISTEN rows at `t` (inclusive), in socket order.
pub fn listen_rows_at(trace: &Trace, t: Instant) -> Vec<ListenRow> {
    let mut rows: BTreeMap<SockId, ListenRow> = BTreeMap::new();
    for e in &trace.events[..trace.count_until(t)] {
        match &e.kind {
            EventKind::Backlog { sock, requested, max_backlog, reuseport } => {
                let Some(info) = trace.sockets.get(*sock as usize) else { continue };
                let row = rows.entry(*sock).or_insert(ListenRow {
                    sock: *sock,
                    node: info.node,
                    local: info.local,
                    recv_q: 0,
                    send_q: 0,
                    syn_recv: 0,
                    requested_backlog: 0,
                    reuseport: false,
                });
                row.send_q = *max_backlog;
                row.requested_backlog = *requested;
                row.reuseport = *reuseport;
            }
            EventKind::Queue { sock, queue, len, .. } => {
                if let Some(row) = rows.get_mut(sock) {
                    match queue {
                        QueueKind::Accept => row.recv_q = *len,
                        QueueKind::Syn => row.syn_recv = *len,
                        _ => {}
                    }
                }
            }
            EventKind::TcpState { sock, from: TcpState::Listen, to: TcpState::Closed } => {
                rows.remove(sock);
            }
            _ => {}
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Event, SockInfo, SockKind};
    use crate::wire::Ipv4Addr;

    #[test]
    fn rows_follow_backlog_and_queue_events() {
        let ev = |t: u64, kind| Event { t: Instant(t), kind };
        let local = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80);
        let trace = Trace {
            sockets: vec![SockInfo { node: 1, kind: SockKind::TcpListener, local, remote: None, parent: None }],
            events: vec![
                ev(1, EventKind::Backlog { sock: 0, requested: 511, max_backlog: 128, reuseport: false }),
                ev(2, EventKind::Queue { sock: 0, queue: QueueKind::Syn, len: 1, cap: 129 }),
                ev(3, EventKind::Queue { sock: 0, queue: QueueKind::Accept, len: 129, cap: 129 }),
                ev(4, EventKind::TcpState { sock: 0, from: TcpState::Listen, to: TcpState::Closed }),
            ],
            ..Trace::default()
        };
        let r = &listen_rows_at(&trace, Instant(3))[0];
        assert_eq!((r.recv_q, r.send_q, r.syn_recv, r.requested_backlog), (129, 128, 1, 511));
        assert!(listen_rows_at(&trace, Instant(0)).is_empty());
        assert!(listen_rows_at(&trace, Instant(4)).is_empty(), "a closed listener has no row");
    }
}
