//! SO_REUSEPORT listeners (net/core/sock_reuseport.c): several listening sockets bound to the
//! same address and port, each with its own SYN and accept queues. An arriving SYN picks one
//! of them by a hash of its 4-tuple (`inet_lookup_reuseport` → `reuseport_select_sock`), so
//! a given client always lands on the same listener and nothing rebalances: when the worker
//! behind one listener stops calling accept(), that listener's queue fills and its share of
//! SYNs is dropped while the other workers sit idle.
//!
//! The hash is the kernel's `inet_ehashfn`: `lport + jhash_3words(laddr, faddr,
//! fport, secret)` (the local port is added after hashing, "tcp: change
//! `inet_ehashfn` to skip lport"), scaled onto the group with `reciprocal_scale`
//! (`(hash × n) >> 32`). The per-boot `inet_ehash_secret` is drawn once per group from the
//! run's seeded generator, so a run is deterministic and a different seed reshuffles which
//! client lands where, as a reboot does. Addresses and the foreign port enter the hash as
//! the kernel sees them on a little-endian machine: network-order bytes loaded as host
//! words.

use super::listener::Listener;
use super::stack::TcpStack;
use crate::stack::{SockError, StackCtx};
use crate::trace::SockId;
use std::net::SocketAddrV4;

/// `JHASH_INITVAL` (include/linux/jhash.h).
const JHASH_INITVAL: u32 = 0xdead_beef;

/// `__jhash_final` (Bob Jenkins' lookup3 final mix, as in include/linux/jhash.h).
fn jhash_final(mut a: u32, mut b: u32, mut c: u32) -> u32 {
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(14));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(11));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(25));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(16));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(4));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(14));
    c ^= b;
    c.wrapping_sub(b.rotate_left(24))
}

/// `jhash_3words(a, b, c, initval)`.
pub fn jhash_3words(a: u32, b: u32, c: u32, initval: u32) -> u32 {
    let iv = initval.wrapping_add(JHASH_INITVAL).wrapping_add(3 << 2);
    jhash_final(a.wrapping_add(iv), b.wrapping_add(iv), c.wrapping_add(iv))
}

/// `inet_ehashfn(net, laddr, lport, faddr, fport)` with `secret` standing for
/// `inet_ehash_secret + net_hash_mix(net)`: the hash SO_REUSEPORT selects a listener with.
pub fn inet_ehashfn(secret: u32, local: SocketAddrV4, remote: SocketAddrV4) -> u32 {
    // __be32/__be16 values read as host words on a little-endian CPU.
    let laddr = u32::from_le_bytes(local.ip().octets());
    let faddr = u32::from_le_bytes(remote.ip().octets());
    let fport = u32::from(u16::from_le_bytes(remote.port().to_be_bytes()));
    u32::from(local.port()).wrapping_add(jhash_3words(laddr, faddr, fport, secret))
}

/// `reciprocal_scale(val, n)`: map a 32-bit hash onto `0..n` without a division.
pub fn reciprocal_scale(val: u32, n: u32) -> u32 {
    ((u64::from(val) * u64::from(n)) >> 32) as u32
}

impl TcpStack {
    /// listen() on a socket with SO_REUSEPORT set: a new listener on `local` that joins the
    /// group of listeners already there (each with its own queues and `backlog`). Fails with
    /// EADDRINUSE if a listener without SO_REUSEPORT, or a group on a different local address,
    /// holds the port, or a connection uses it.
    pub fn listen_reuseport(
        &mut self,
        ctx: &mut StackCtx,
        local: SocketAddrV4,
        backlog: u32,
    ) -> Result<SockId, SockError> {
        let on_port: Vec<&Listener> = self.listeners.values().filter(|l| l.local.port() == local.port()).collect();
        if on_port.iter().any(|l| !l.reuseport || l.local != local) {
            return Err(SockError::AddrInUse);
        }
        if on_port.is_empty() && self.conns.values().any(|c| c.local.port() == local.port()) {
            return Err(SockError::AddrInUse);
        }
        let (secret, slot) = match on_port.first() {
            Some(first) => (first.ehash_secret, on_port.len() as u32),
            None => (ctx.rng.next_u32(), 0),
        };
        let id = self.new_listener(ctx, local, backlog, true);
        if let Some(l) = self.listeners.get_mut(&id) {
            l.ehash_secret = secret;
            l.reuseport_slot = slot;
        }
        Ok(id)
    }

    /// `__inet_lookup_listener`: the listener for a segment to `local` from `remote` that no
    /// connection claimed. Listeners on the exact address come first, then those on 0.0.0.0
    /// (`inet_lhash2_lookup` on each); within an SO_REUSEPORT group the 4-tuple hash picks
    /// the member (`reuseport_select_sock_by_hash`).
    pub(crate) fn select_listener(&self, local: SocketAddrV4, remote: SocketAddrV4) -> Option<SockId> {
        for exact in [true, false] {
            let mut group: Vec<&Listener> = self
                .listeners
                .values()
                .filter(|l| {
                    l.local.port() == local.port()
                        && if exact { l.local.ip() == local.ip() } else { l.local.ip().is_unspecified() }
                })
                .collect();
            let Some(first) = group.first() else { continue };
            if !first.reuseport || group.len() == 1 {
                return Some(first.id);
            }
            let secret = first.ehash_secret;
            group.sort_by_key(|l| l.reuseport_slot);
            let i = reciprocal_scale(inet_ehashfn(secret, local, remote), group.len() as u32);
            return group.get(i as usize).map(|l| l.id);
        }
        None
    }

    /// `__reuseport_detach_sock`: a closing member's slot goes to the group's last member,
    /// which moves the hash ranges of the clients that used to land there.
    pub(crate) fn leave_reuseport_group(&mut self, gone: &Listener) {
        if !gone.reuseport {
            return;
        }
        let last = self
            .listeners
            .values_mut()
            .filter(|l| l.reuseport && l.local == gone.local)
            .max_by_key(|l| l.reuseport_slot);
        if let Some(l) = last {
            if l.reuseport_slot > gone.reuseport_slot {
                l.reuseport_slot = gone.reuseport_slot;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Ipv4Addr;

    #[test]
    fn jhash_depends_on_every_word_and_the_secret() {
        assert_eq!(jhash_3words(1, 2, 3, 9), jhash_3words(1, 2, 3, 9));
        assert_ne!(jhash_3words(1, 2, 3, 0), jhash_3words(0, 2, 3, 0));
        assert_ne!(jhash_3words(1, 2, 3, 0), jhash_3words(1, 0, 3, 0));
        assert_ne!(jhash_3words(1, 2, 3, 0), jhash_3words(1, 2, 4, 0));
        assert_ne!(jhash_3words(1, 2, 3, 0), jhash_3words(1, 2, 3, 1), "the secret matters");
    }

    #[test]
    fn reciprocal_scale_spreads_over_the_group() {
        assert_eq!(reciprocal_scale(0, 4), 0);
        assert_eq!(reciprocal_scale(u32::MAX, 4), 3);
        assert_eq!(reciprocal_scale(0x8000_0000, 4), 2);
        let local = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80);
        let mut hits = [0u32; 4];
        for port in 32768..34768u16 {
            let remote = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 11), port);
            hits[reciprocal_scale(inet_ehashfn(0x1234_5678, local, remote), 4) as usize] += 1;
        }
        for h in hits {
            assert!((400..600).contains(&h), "uneven spread {hits:?}");
        }
    }
}
