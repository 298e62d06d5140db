//! Ephemeral source ports: how many new connections per second one client can open to one
//! destination before `connect()` fails with EADDRNOTAVAIL.
//!
//! Linux picks a source port in `__inet_hash_connect` (net/ipv4/inet_hashtables.c) from
//! `net.ipv4.ip_local_port_range` (default 32768–60999, i.e. 28,232 ports). A port is
//! unusable for the same destination 4-tuple while a socket, including a TIME-WAIT one,
//! holds it; TIME-WAIT lasts `TCP_TIMEWAIT_LEN` (60 s, include/net/tcp.h) on the side that
//! closed first. `net.ipv4.tcp_tw_reuse` defaults to 2 (reuse only for loopback), so for a
//! remote server the TIME-WAIT port stays held. When no port is free, `__inet_hash_connect`
//! returns -EADDRNOTAVAIL.
//!
//! These are pure helpers (closed form and a per-second count) that the figures read, and
//! [`addr_not_available`], which reads the same failures from a packet-level run.

use crate::stack::SockError;
use crate::time::Instant;
use crate::trace::{AppCall, EventKind, NodeId, Trace};

/// Default `net.ipv4.ip_local_port_range` (32768 60999).
pub const DEFAULT_PORT_RANGE: (u16, u16) = (32768, 60999);

/// `TCP_TIMEWAIT_LEN` in seconds.
pub const TIME_WAIT_SECS: u32 = 60;

/// Number of ports in an inclusive range (0 if `hi < lo`).
pub fn range_len(lo: u16, hi: u16) -> u32 {
    if hi < lo {
        0
    } else {
        u32::from(hi - lo) + 1
    }
}

/// The steady-state ceiling: every closed connection holds its port for `time_wait_secs`,
/// so at most `ports / time_wait_secs` new connections per second can be sustained to one
/// destination (28,232 / 60 ≈ 470.5/s with the defaults).
pub fn max_connections_per_sec(ports: u32, time_wait_secs: u32) -> f64 {
    if time_wait_secs == 0 {
        return f64::INFINITY;
    }
    f64::from(ports) / f64::from(time_wait_secs)
}

/// When a client opening `rate` short connections per second (each closed by the client at
/// once, so each enters TIME-WAIT) first finds no free port: the connect() number `ports + 1`
/// happens at `ports / rate` seconds, if that is before the first TIME-WAIT expires.
/// `None` if the rate is sustainable (at or below the ceiling) or zero.
pub fn time_to_exhaustion_secs(ports: u32, rate: f64, time_wait_secs: u32) -> Option<f64> {
    if rate.is_nan() || rate <= 0.0 || !rate.is_finite() {
        return None;
    }
    if rate <= max_connections_per_sec(ports, time_wait_secs) {
        return None;
    }
    Some(f64::from(ports) / rate)
}

/// How the client reuses connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnPolicy {
    /// A new connection per request, closed by the client after the response.
    PerRequest,
    /// A pool of `n` kept-alive connections, opened once.
    Pool(u32),
}

/// Port occupancy at the end of one second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortSample {
    /// Second (the sample is taken at the end of it).
    pub t: u32,
    /// Ports held by open connections.
    pub open: u32,
    /// Ports held by TIME-WAIT sockets.
    pub time_wait: u32,
    /// Free ports.
    pub free: u32,
    /// connect() calls that failed with EADDRNOTAVAIL during this second.
    pub failed: u32,
}

/// Per-second port occupancy for `secs` seconds: `rate` requests per second, each
/// per-request connection opened and closed within its second (a short request on a fast
/// network), its port then held in TIME-WAIT for `time_wait_secs`.
pub fn simulate_ports(ports: u32, rate: u32, policy: ConnPolicy, time_wait_secs: u32, secs: u32) -> Vec<PortSample> {
    let mut out = Vec::with_capacity(secs as usize);
    // Ports entering TIME-WAIT in each second, a ring of time_wait_secs slots.
    let tw_len = time_wait_secs.max(1) as usize;
    let mut ring = vec![0u32; tw_len];
    let mut in_tw: u32 = 0;
    let pool_open = match policy {
        ConnPolicy::Pool(n) => n.min(ports),
        ConnPolicy::PerRequest => 0,
    };
    for t in 0..secs {
        let slot = t as usize % tw_len;
        // TIME-WAIT sockets that entered time_wait_secs ago expire now.
        in_tw -= ring[slot];
        ring[slot] = 0;
        let (opened, failed) = match policy {
            ConnPolicy::PerRequest => {
                let free = ports - in_tw;
                let ok = rate.min(free);
                (ok, rate - ok)
            }
            ConnPolicy::Pool(_) => (0, 0),
        };
        if time_wait_secs > 0 {
            ring[slot] = opened;
            in_tw += opened;
        }
        out.push(PortSample { t, open: pool_open, time_wait: in_tw, free: ports - in_tw - pool_open, failed });
    }
    out
}

/// When `node`'s connect() calls failed with EADDRNOTAVAIL in a packet-level run (the
/// `port-exhaustion` preset): the applications note each refusal, which happens before any
/// socket or packet exists.
pub fn addr_not_available(trace: &Trace, node: NodeId) -> Vec<Instant> {
    let errno = SockError::AddrNotAvailable.errno_name();
    trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { node: n, call: AppCall::Note { text } } if *n == node && text.contains(errno) => Some(e.t),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_470_per_second() {
        let (lo, hi) = DEFAULT_PORT_RANGE;
        assert_eq!(range_len(lo, hi), 28_232);
        let c = max_connections_per_sec(28_232, TIME_WAIT_SECS);
        assert!((c - 470.53).abs() < 0.01, "{c}");
    }
}
