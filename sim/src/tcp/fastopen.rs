//! TCP Fast Open (RFC 7413): the pieces that decide what a SYN carries and whether a server
//! may accept the data in it, after Linux net/ipv4/tcp_fastopen.c.
//!
//! * The server's cookie is SipHash-2-4 of the client and server IPv4 addresses under a
//!   per-host 128-bit key (`tcp_fastopen_cookie_gen_cipher`), 8 bytes
//!   (`TCP_FASTOPEN_COOKIE_SIZE`).
//! * The client keeps the last cookie per destination (`tcp_fastopen_cache_set`, stored in
//!   the TCP metrics cache) and sends it with data in the next SYN.
//! * `net.ipv4.tcp_fastopen` bits gate each side; Linux ≥ 3.13 defaults to 0x1 (client only).

use super::counters;
use super::tcb::{Env, Tcb};
use crate::wire::TcpRepr;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// `TFO_CLIENT_ENABLE`: connect-with-data may use Fast Open.
pub const CLIENT_ENABLE: u32 = 0x1;
/// `TFO_SERVER_ENABLE`: listeners with the `TCP_FASTOPEN` option accept data in SYNs.
pub const SERVER_ENABLE: u32 = 0x2;
/// `TFO_CLIENT_NO_COOKIE`: send data in the SYN without any cookie.
pub const CLIENT_NO_COOKIE: u32 = 0x4;
/// `TFO_SERVER_COOKIE_NOT_REQD`: accept data in a SYN without checking a cookie.
pub const SERVER_COOKIE_NOT_REQD: u32 = 0x200;
/// `net.ipv4.tcp_fastopen` default since Linux 3.13: client on, server off.
pub const DEFAULT_SYSCTL: u32 = CLIENT_ENABLE;
/// `TCP_FASTOPEN_COOKIE_SIZE`.
pub const COOKIE_LEN: usize = 8;

/// SipHash-2-4 (Aumasson and Bernstein, 2012) of `msg` under the 128-bit `key` (read as
/// two little-endian 64-bit words), as the kernel's `siphash()` in lib/siphash.c.
pub fn siphash24(key: &[u8; 16], msg: &[u8]) -> u64 {
    let k0 = u64::from_le_bytes(key[..8].try_into().unwrap_or([0; 8]));
    let k1 = u64::from_le_bytes(key[8..].try_into().unwrap_or([0; 8]));
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let compress = |v: &mut [u64; 4], m: u64| {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    };
    let chunks = msg.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        compress(&mut v, u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
    }
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    last[7] = msg.len() as u8;
    compress(&mut v, u64::from_le_bytes(last));
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// The server's cookie for a client: SipHash-2-4 over the IPv4 source then destination
/// address (the adjacent `saddr`, `daddr` of the IP header), written little-endian
/// (`tcp_fastopen_cookie_gen_cipher`, net/ipv4/tcp_fastopen.c).
pub fn cookie_gen(key: &[u8; 16], client: Ipv4Addr, server: Ipv4Addr) -> [u8; COOKIE_LEN] {
    let mut msg = [0u8; 8];
    msg[..4].copy_from_slice(&client.octets());
    msg[4..].copy_from_slice(&server.octets());
    siphash24(key, &msg).to_le_bytes()
}

/// What a client puts in its SYN for a connect-with-data (`tcp_fastopen_defer_connect`,
/// `tcp_send_syn_data`, net/ipv4/tcp_output.c).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSyn {
    /// Fast Open off on this host: a plain SYN, data after the handshake.
    Plain,
    /// No cookie cached: a SYN with an empty Fast Open option asking for one; data waits.
    CookieRequest,
    /// A cached cookie: the SYN carries it and the data.
    WithData(Vec<u8>),
}

/// The client's decision from `net.ipv4.tcp_fastopen` and its cache entry.
pub fn client_syn(sysctl: u32, cached: Option<&[u8]>) -> ClientSyn {
    if sysctl & CLIENT_ENABLE == 0 {
        return ClientSyn::Plain;
    }
    match cached {
        Some(c) if !c.is_empty() => ClientSyn::WithData(c.to_vec()),
        _ if sysctl & CLIENT_NO_COOKIE != 0 => ClientSyn::WithData(vec![]),
        _ => ClientSyn::CookieRequest,
    }
}

/// What a listener does with a SYN's Fast Open option (`tcp_try_fastopen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerSyn {
    /// No Fast Open here (server bit off, listener without `TCP_FASTOPEN`, or no option):
    /// an ordinary SYN-ACK; data in the SYN is not acknowledged.
    Ignore,
    /// Cookie request, or a cookie that does not verify: the SYN-ACK carries a fresh cookie
    /// and acknowledges only the SYN (`TCPFastOpenCookieReqd` / `TCPFastOpenPassiveFail`).
    SendCookie { cookie: [u8; COOKIE_LEN], stale: bool },
    /// Valid cookie: a child socket is created at once and the SYN's data queued for the
    /// application before the third ACK (`tcp_fastopen_create_child`; `TCPFastOpenPassive`).
    Accept,
}

/// The listener's decision. `qlen` is the listener's `TCP_FASTOPEN` value (0 = off);
/// `option` is the SYN's Fast Open option.
pub fn server_syn(
    sysctl: u32,
    qlen: u32,
    key: &[u8; 16],
    client: Ipv4Addr,
    server: Ipv4Addr,
    option: Option<&[u8]>,
) -> ServerSyn {
    let Some(got) = option else { return ServerSyn::Ignore };
    if sysctl & SERVER_ENABLE == 0 || qlen == 0 {
        return ServerSyn::Ignore;
    }
    let cookie = cookie_gen(key, client, server);
    if sysctl & SERVER_COOKIE_NOT_REQD != 0 || (!got.is_empty() && got == cookie) {
        return ServerSyn::Accept;
    }
    ServerSyn::SendCookie { cookie, stale: !got.is_empty() }
}

/// The client's cookie cache, one cookie per server address (`tcp_fastopen_cache_get` /
/// `_set`, kept in the TCP metrics).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookieCache {
    cookies: BTreeMap<Ipv4Addr, Vec<u8>>,
}

impl CookieCache {
    /// The cookie last received from `server`.
    pub fn get(&self, server: Ipv4Addr) -> Option<&[u8]> {
        self.cookies.get(&server).map(Vec::as_slice)
    }

    /// Store a cookie from a SYN-ACK; an empty or oversized one is ignored (RFC 7413 §4.1.1:
    /// 4 to 16 bytes).
    pub fn set(&mut self, server: Ipv4Addr, cookie: &[u8]) {
        if (4..=16).contains(&cookie.len()) {
            self.cookies.insert(server, cookie.to_vec());
        }
    }
}

/// What a listener's Fast Open decision needs besides the SYN (`tcp_try_fastopen`'s view of
/// the host and the listener).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenerFastOpen {
    /// `net.ipv4.tcp_fastopen`.
    pub sysctl: u32,
    /// The listener's `TCP_FASTOPEN` value (`fastopenq.max_qlen`).
    pub max_qlen: u32,
    /// Fast Open children still waiting for their third ACK (`fastopenq.qlen`).
    pub qlen: u32,
    /// The host's cookie key.
    pub key: [u8; 16],
}

/// `tcp_try_fastopen` for a request sock `tcb` just made from `seg`: counts a cookie
/// request; a valid cookie (with the listener's queue not full, `tcp_fastopen_queue_check`)
/// makes `tcb` a Fast Open child that takes the SYN's data at once (`tcp_fastopen_add_skb`),
/// so the SYN-ACK acknowledges it; a missing or stale cookie puts a fresh one in the SYN-ACK.
/// Returns true when the data was accepted.
pub(crate) fn try_fastopen(tcb: &mut Tcb, env: &mut Env, fo: ListenerFastOpen, seg: &TcpRepr) -> bool {
    let option = seg.options.fast_open.as_deref();
    if option.is_some_and(<[u8]>::is_empty) {
        env.count(counters::FASTOPEN_COOKIE_REQD);
    }
    let mut decision = server_syn(fo.sysctl, fo.max_qlen, &fo.key, *tcb.remote.ip(), *tcb.local.ip(), option);
    if decision == ServerSyn::Accept && fo.qlen >= fo.max_qlen {
        env.count(counters::FASTOPEN_LISTEN_OVERFLOW);
        decision = ServerSyn::Ignore;
    }
    match decision {
        ServerSyn::Ignore => false,
        ServerSyn::SendCookie { cookie, stale } => {
            if stale {
                env.count(counters::FASTOPEN_PASSIVE_FAIL);
            }
            tcb.fo_option = Some(cookie.to_vec());
            false
        }
        ServerSyn::Accept => {
            env.count(counters::FASTOPEN_PASSIVE);
            tcb.fastopen_child = true;
            let room = tcb.free_space() as usize;
            let data = &seg.payload[..seg.payload.len().min(room)];
            let (taken, _, _) = tcb.queue_data(tcb.rcv_nxt, data);
            if taken > 0 {
                tcb.data_recv_event(env, taken);
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SipHash paper's Appendix A vector: key 00..0f, message 00..0e.
    #[test]
    fn siphash_reference_vector() {
        let key: [u8; 16] = core::array::from_fn(|i| i as u8);
        let msg: Vec<u8> = (0..15).collect();
        assert_eq!(siphash24(&key, &msg), 0xa129_ca61_49be_45e5);
    }

    #[test]
    fn cookies_depend_on_key_and_client() {
        let k1 = [7u8; 16];
        let k2 = [8u8; 16];
        let (c, s) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let a = cookie_gen(&k1, c, s);
        assert_eq!(a, cookie_gen(&k1, c, s));
        assert_ne!(a, cookie_gen(&k2, c, s));
        assert_ne!(a, cookie_gen(&k1, Ipv4Addr::new(10, 0, 0, 3), s));
    }

    #[test]
    fn decisions_follow_the_sysctl_bits() {
        let key = [1u8; 16];
        let (c, s) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(client_syn(0, None), ClientSyn::Plain);
        assert_eq!(client_syn(DEFAULT_SYSCTL, None), ClientSyn::CookieRequest);
        assert_eq!(client_syn(DEFAULT_SYSCTL, Some(&[1, 2, 3, 4])), ClientSyn::WithData(vec![1, 2, 3, 4]));
        // Default 0x1: a server ignores the option even with TCP_FASTOPEN set.
        assert_eq!(server_syn(DEFAULT_SYSCTL, 16, &key, c, s, Some(&[])), ServerSyn::Ignore);
        let good = cookie_gen(&key, c, s);
        assert_eq!(server_syn(3, 0, &key, c, s, Some(&good)), ServerSyn::Ignore);
        assert_eq!(server_syn(3, 16, &key, c, s, Some(&good)), ServerSyn::Accept);
        assert_eq!(server_syn(3, 16, &key, c, s, Some(&[])), ServerSyn::SendCookie { cookie: good, stale: false });
        assert_eq!(server_syn(3, 16, &key, c, s, Some(&[0; 8])), ServerSyn::SendCookie { cookie: good, stale: true });
        let mut cache = CookieCache::default();
        cache.set(s, &[]);
        assert_eq!(cache.get(s), None);
        cache.set(s, &good);
        assert_eq!(cache.get(s), Some(&good[..]));
    }
}
