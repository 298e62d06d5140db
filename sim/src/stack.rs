//! What a node's protocol stacks get while handling one event: the current virtual time, the
//! node, the run's random generator, the trace, and two outboxes (packets to send, notices for
//! the node's applications). The stacks are sans-IO: they never read a clock or touch a link;
//! the network layer calls them and carries what they leave in `out`.

use crate::rng::Rng;
use crate::time::Instant;
use crate::trace::{Event, EventKind, NodeId, SockId, SockInfo, Trace};
use crate::wire::{Ipv4Addr, Transport};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The context handed to a protocol stack for one event. Every event it records carries
/// `now`.
pub struct StackCtx<'a> {
    /// The instant being handled.
    pub now: Instant,
    /// The node the stack belongs to.
    pub node: NodeId,
    /// The run's random generator (ISNs, ephemeral ports, timestamp offsets).
    pub rng: &'a mut Rng,
    /// The run's record.
    pub trace: &'a mut Trace,
    /// Packets to hand to the IP layer, in order.
    pub out: &'a mut Vec<OutPacket>,
    /// What the node's applications should be told, in order.
    pub notices: &'a mut Vec<Notice>,
}

impl StackCtx<'_> {
    /// Record `kind` at `now`.
    pub fn event(&mut self, kind: EventKind) {
        self.trace.events.push(Event { t: self.now, kind });
    }

    /// Register a socket in the trace and return its id.
    pub fn new_socket(&mut self, info: SockInfo) -> SockId {
        let id = self.trace.sockets.len() as SockId;
        self.trace.sockets.push(info);
        id
    }

    /// Queue an IP packet for sending.
    pub fn send(&mut self, packet: OutPacket) {
        self.out.push(packet);
    }

    /// Tell the node's applications something.
    pub fn notify(&mut self, notice: Notice) {
        self.notices.push(notice);
    }
}

/// An IP packet a transport wants sent. The IP layer fills in TTL, identification and
/// checksums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutPacket {
    /// Source address (one of the node's).
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// DF bit: Linux sets it on TCP while path-MTU discovery is on (`ip_no_pmtu_disc=0`).
    pub dont_frag: bool,
    /// The ECN field of the IP header (RFC 3168 §5): 0b10 = ECT(0) on new TCP data of an ECN
    /// connection, 0 otherwise.
    #[serde(default)]
    pub ecn: u8,
    /// The segment or datagram.
    pub transport: Transport,
    /// How IP numbers its identification field.
    #[serde(default)]
    pub ident: IpIdent,
}

/// How the IP layer fills a packet's identification field (`ip_select_ident_segs`,
/// include/net/ip.h; docs/fidelity.md §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IpIdent {
    /// Sent through a connected socket: the socket's own counter (`inet_id`, drawn at random
    /// at connect() or when a connection is accepted, then one per packet).
    Socket(u16),
    /// Not sent through a connected socket (a request sock's SYN-ACK from
    /// `ip_build_and_send_pkt`, the control socket's RSTs and TIME-WAIT ACKs from
    /// `ip_send_unicast_reply`, an unconnected UDP socket): 0 when DF is set, otherwise the
    /// host's counter (`__ip_select_ident`).
    #[default]
    Host,
    /// An unconnected datagram socket in the default path-MTU mode (`IP_PMTUDISC_WANT`): its
    /// packets may be fragmented later (`skb->ignore_df`, `ip_sk_ignore_df`), so they take
    /// the host's counter even with DF set.
    Hashed,
}

/// Something a socket wants its application to know (what `epoll` would report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// A connect() completed: the socket is ESTABLISHED.
    Connected { sock: SockId },
    /// A connect() failed.
    ConnectFailed { sock: SockId, error: SockError },
    /// A listener has a connection waiting in its accept queue.
    AcceptReady { listener: SockId },
    /// In-order data can be read.
    Readable { sock: SockId },
    /// Send-buffer space was freed after a write could not be taken whole.
    Writable { sock: SockId },
    /// The peer sent FIN: a read returns end-of-stream once the buffer is drained.
    PeerClosed { sock: SockId },
    /// The connection is gone (fully closed, or its TIME-WAIT ended); the id is now invalid.
    Closed { sock: SockId },
    /// The peer reset the connection.
    Reset { sock: SockId },
    /// The connection was aborted locally with an error (e.g. ETIMEDOUT after
    /// `tcp_retries2`, or an ICMP hard error).
    Error { sock: SockId, error: SockError },
}

/// Socket-call errors, named after the Linux errno they stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SockError {
    /// ECONNREFUSED: a RST answered the SYN (or ICMP port unreachable).
    ConnectionRefused,
    /// ETIMEDOUT: retries exhausted.
    TimedOut,
    /// ECONNRESET: the peer reset an established connection.
    ConnectionReset,
    /// ENOTCONN: the socket is not connected.
    NotConnected,
    /// EBADF: no such socket (or it was closed).
    BadSocket,
    /// EADDRINUSE: the local address is taken.
    AddrInUse,
    /// EADDRNOTAVAIL: no free ephemeral port, or the address is not local.
    AddrNotAvailable,
    /// EINVAL: the call makes no sense for this socket or state.
    InvalidArgument,
    /// EAGAIN/EWOULDBLOCK: nothing to read yet, or no send-buffer space.
    WouldBlock,
    /// EPIPE: writing after shutdown(SHUT_WR) or close.
    BrokenPipe,
    /// EOPNOTSUPP: e.g. accept() on a connection.
    NotSupported,
    /// EISCONN: connect() on a connected socket.
    IsConnected,
    /// ENETUNREACH: ICMP network unreachable (a hard error in SYN-SENT).
    NetUnreachable,
    /// EHOSTUNREACH: ICMP host unreachable (a hard error in SYN-SENT).
    HostUnreachable,
}

impl SockError {
    /// The errno name: `ECONNREFUSED`, `ETIMEDOUT`, ...
    pub fn errno_name(self) -> &'static str {
        match self {
            SockError::ConnectionRefused => "ECONNREFUSED",
            SockError::TimedOut => "ETIMEDOUT",
            SockError::ConnectionReset => "ECONNRESET",
            SockError::NotConnected => "ENOTCONN",
            SockError::BadSocket => "EBADF",
            SockError::AddrInUse => "EADDRINUSE",
            SockError::AddrNotAvailable => "EADDRNOTAVAIL",
            SockError::InvalidArgument => "EINVAL",
            SockError::WouldBlock => "EAGAIN",
            SockError::BrokenPipe => "EPIPE",
            SockError::NotSupported => "EOPNOTSUPP",
            SockError::IsConnected => "EISCONN",
            SockError::NetUnreachable => "ENETUNREACH",
            SockError::HostUnreachable => "EHOSTUNREACH",
        }
    }
}

impl fmt::Display for SockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.errno_name())
    }
}

impl std::error::Error for SockError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::SockKind;
    use std::net::SocketAddrV4;

    #[test]
    fn ctx_records_at_now_and_numbers_sockets() {
        let mut rng = Rng::new(1);
        let mut trace = Trace::default();
        let (mut out, mut notices) = (vec![], vec![]);
        let mut ctx = StackCtx {
            now: Instant(42),
            node: 3,
            rng: &mut rng,
            trace: &mut trace,
            out: &mut out,
            notices: &mut notices,
        };
        let info = SockInfo {
            node: 3,
            kind: SockKind::TcpConn,
            local: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 1),
            remote: None,
            parent: None,
        };
        assert_eq!(ctx.new_socket(info.clone()), 0);
        assert_eq!(ctx.new_socket(info), 1);
        ctx.event(EventKind::Counter { node: 3, name: "X".into(), value: 1 });
        assert_eq!(trace.events[0].t, Instant(42));
        assert_eq!(SockError::ConnectionRefused.to_string(), "ECONNREFUSED");
    }
}
