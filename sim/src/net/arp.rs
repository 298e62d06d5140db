//! The ARP cache and the packets waiting on a resolution (RFC 826; Linux's neighbour layer,
//! net/core/neighbour.c).
//!
//! Simplifications, said plainly: entries do not age out during a run (Linux keeps an entry
//! REACHABLE for ~30 s and then re-validates it), and at most 3 requests are sent one second
//! apart before queued packets are dropped (Linux's `mcast_solicit` 3, `retrans_time_ms` 1000).

use crate::time::{Duration, Instant};
use crate::wire::{Ipv4Addr, Ipv4Packet, MacAddr};
use std::collections::BTreeMap;

/// Requests sent before giving up (`net.ipv4.neigh.*.mcast_solicit`, default 3).
pub const MAX_REQUESTS: u32 = 3;
/// Time between requests (`retrans_time_ms`, default 1000).
pub const RETRANS_TIME: Duration = Duration::from_secs(1);
/// Packets held per unresolved neighbour (Linux `unres_qlen` is counted in bytes; 3 packets is
/// the classic `unres_qlen` packet default).
pub const UNRESOLVED_QUEUE: usize = 3;

/// A pending resolution.
#[derive(Debug)]
struct Pending {
    /// Packets waiting, with the interface they leave by.
    packets: Vec<(usize, Ipv4Packet)>,
    requests_sent: u32,
    next_retry: Instant,
}

/// What the cache wants done after a lookup or a timer.
#[derive(Debug, PartialEq)]
pub enum ArpAction {
    /// Broadcast a request for this address on this interface.
    Request { iface: usize, target: Ipv4Addr },
    /// Give up: these packets are dropped.
    Failed { target: Ipv4Addr, packets: Vec<(usize, Ipv4Packet)> },
}

/// One node's ARP cache.
#[derive(Debug, Default)]
pub struct ArpCache {
    entries: BTreeMap<Ipv4Addr, MacAddr>,
    pending: BTreeMap<Ipv4Addr, Pending>,
}

impl ArpCache {
    /// The MAC for `ip`, if known.
    pub fn lookup(&self, ip: Ipv4Addr) -> Option<MacAddr> {
        self.entries.get(&ip).copied()
    }

    /// Record `ip` is at `mac` (RFC 826 "merge" step). Returns the packets that were waiting.
    pub fn learn(&mut self, ip: Ipv4Addr, mac: MacAddr) -> (bool, Vec<(usize, Ipv4Packet)>) {
        let new = self.entries.insert(ip, mac) != Some(mac);
        let waiting = self.pending.remove(&ip).map(|p| p.packets).unwrap_or_default();
        (new, waiting)
    }

    /// True if `ip` is already in the cache (RFC 826: only then does a request update it,
    /// unless we are the target).
    pub fn knows(&self, ip: Ipv4Addr) -> bool {
        self.entries.contains_key(&ip)
    }

    /// Queue `pkt` until `next_hop` resolves. Returns a request to send when this starts a
    /// new resolution, and the packet that had to be dropped if the queue was full.
    pub fn hold(
        &mut self,
        now: Instant,
        iface: usize,
        next_hop: Ipv4Addr,
        pkt: Ipv4Packet,
    ) -> (Option<ArpAction>, Option<Ipv4Packet>) {
        match self.pending.get_mut(&next_hop) {
            Some(p) => {
                if p.packets.len() >= UNRESOLVED_QUEUE {
                    // Linux drops the oldest queued packet (neigh_resolve_output → __neigh_event_send).
                    let (_, old) = p.packets.remove(0);
                    p.packets.push((iface, pkt));
                    (None, Some(old))
                } else {
                    p.packets.push((iface, pkt));
                    (None, None)
                }
            }
            None => {
                self.pending.insert(
                    next_hop,
                    Pending { packets: vec![(iface, pkt)], requests_sent: 1, next_retry: now + RETRANS_TIME },
                );
                (Some(ArpAction::Request { iface, target: next_hop }), None)
            }
        }
    }

    /// The next time a retry or give-up is due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().map(|p| p.next_retry).min()
    }

    /// Retries and give-ups due at `now`.
    pub fn poll(&mut self, now: Instant) -> Vec<ArpAction> {
        let mut out = vec![];
        let due: Vec<Ipv4Addr> = self.pending.iter().filter(|(_, p)| p.next_retry <= now).map(|(ip, _)| *ip).collect();
        for ip in due {
            let Some(p) = self.pending.get_mut(&ip) else { continue };
            if p.requests_sent >= MAX_REQUESTS {
                let p = self.pending.remove(&ip).expect("present");
                out.push(ArpAction::Failed { target: ip, packets: p.packets });
            } else {
                p.requests_sent += 1;
                p.next_retry = now + RETRANS_TIME;
                let iface = p.packets.first().map(|(i, _)| *i).unwrap_or(0);
                out.push(ArpAction::Request { iface, target: ip });
            }
        }
        out
    }
}
