//! UDP sockets (RFC 768): bind, sendto, and demultiplexing by destination port. No
//! connection, no retransmission, no ordering: what arrives is handed over as it is.

use crate::rng::Rng;
use crate::stack::{OutPacket, SockError};
use crate::trace::{NodeId, SockId, SockInfo, SockKind, Trace};
use crate::wire::{Transport, UdpRepr};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;

/// Linux's default ephemeral range (`net.ipv4.ip_local_port_range` = 32768 60999).
pub const EPHEMERAL: (u16, u16) = (32768, 60999);

/// One host's UDP sockets.
#[derive(Debug, Default)]
pub struct UdpStack {
    by_port: BTreeMap<u16, SockId>,
    sockets: BTreeMap<SockId, SocketAddrV4>,
}

impl UdpStack {
    /// bind(): port 0 picks a free ephemeral port at random, as Linux does.
    pub fn bind(
        &mut self,
        trace: &mut Trace,
        rng: &mut Rng,
        node: NodeId,
        local: SocketAddrV4,
    ) -> Result<SockId, SockError> {
        let port = if local.port() == 0 {
            let span = (EPHEMERAL.1 - EPHEMERAL.0) as u64 + 1;
            let start = rng.range_u64(0, span - 1);
            (0..span)
                .map(|i| EPHEMERAL.0 + ((start + i) % span) as u16)
                .find(|p| !self.by_port.contains_key(p))
                .ok_or(SockError::AddrNotAvailable)?
        } else if self.by_port.contains_key(&local.port()) {
            return Err(SockError::AddrInUse);
        } else {
            local.port()
        };
        let addr = SocketAddrV4::new(*local.ip(), port);
        let id = trace.sockets.len() as SockId;
        trace.sockets.push(SockInfo { node, kind: SockKind::Udp, local: addr, remote: None, parent: None });
        self.by_port.insert(port, id);
        self.sockets.insert(id, addr);
        Ok(id)
    }

    /// sendto(): the datagram to hand to IP.
    pub fn send_to(
        &mut self,
        sock: SockId,
        to: SocketAddrV4,
        data: &[u8],
        dont_frag: bool,
    ) -> Result<OutPacket, SockError> {
        let local = *self.sockets.get(&sock).ok_or(SockError::BadSocket)?;
        if data.len() > 65_507 {
            // 65535 − 20 (IP) − 8 (UDP): EMSGSIZE.
            return Err(SockError::InvalidArgument);
        }
        Ok(OutPacket {
            src: *local.ip(),
            dst: *to.ip(),
            dont_frag,
            ecn: 0,
            ident: crate::stack::IpIdent::Hashed,
            transport: Transport::Udp(UdpRepr { src_port: local.port(), dst_port: to.port(), payload: data.to_vec() }),
        })
    }

    /// The socket bound to `port`, if any.
    pub fn lookup(&self, port: u16) -> Option<SockId> {
        self.by_port.get(&port).copied()
    }

    /// The local address of `sock`.
    pub fn local(&self, sock: SockId) -> Option<SocketAddrV4> {
        self.sockets.get(&sock).copied()
    }
}
