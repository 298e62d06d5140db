//! One host's TCP: its sockets and the sockets API the scenario applications call
//! (listen, connect, accept, write, read, close, shutdown, options). The network side
//! (segment arrival, timers, ICMP) is in [`super::demux`].

use super::config::TcpConfig;
use super::counters::{self, Counters};
use super::fastopen::{client_syn, ClientSyn, CookieCache};
use super::info::TcpInfo;
use super::listener::Listener;
use super::tcb::{Env, Tcb};
use super::TcpState;
use crate::stack::{SockError, StackCtx};
use crate::trace::{AppCall, EventKind, SockId, SockInfo, SockKind, TimerKind};
use crate::wire::Ipv4Addr;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddrV4;

/// The TCP of one host.
#[derive(Debug)]
pub struct TcpStack {
    pub(crate) cfg: TcpConfig,
    /// MTU of the host's interface: the advertised MSS is MTU − 40 (docs/fidelity.md §2.3).
    pub(crate) mtu: u16,
    pub(crate) conns: BTreeMap<SockId, Tcb>,
    pub(crate) listeners: BTreeMap<SockId, Listener>,
    pub(crate) by_tuple: BTreeMap<(SocketAddrV4, SocketAddrV4), SockId>,
    pub(crate) counters: Counters,
    /// Peers with a TCP metrics entry (`tcp_update_metrics`: saved when a connection with an
    /// RTT sample entered TIME-WAIT or closed from LAST-ACK); `tcp_peer_is_proven` for the
    /// last-quarter rule of `tcp_max_syn_backlog`.
    pub(crate) proven_peers: BTreeSet<Ipv4Addr>,
    /// The server's Fast Open key (`tcp_fastopen_init_key_once`: drawn at random the first
    /// time a listener enables Fast Open).
    pub(crate) fastopen_key: Option<[u8; 16]>,
    /// The client's Fast Open cookies, one per server (kept in the TCP metrics).
    pub(crate) fastopen_cookies: CookieCache,
}

impl TcpStack {
    /// A stack with `cfg` on an interface of MTU 1500.
    pub fn new(cfg: TcpConfig) -> Self {
        TcpStack {
            cfg,
            mtu: 1500,
            conns: BTreeMap::new(),
            listeners: BTreeMap::new(),
            by_tuple: BTreeMap::new(),
            counters: Counters::default(),
            proven_peers: BTreeSet::new(),
            fastopen_key: None,
            fastopen_cookies: CookieCache::default(),
        }
    }

    /// Set the interface MTU used for the MSS of new connections (65536 on loopback gives
    /// 65495, `IPV4_MAX_PMTU` − 40).
    pub fn set_mtu(&mut self, mtu: u16) {
        self.mtu = mtu.max(128);
    }

    /// The settings.
    pub fn config(&self) -> &TcpConfig {
        &self.cfg
    }

    /// The host's counters (nstat names).
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The MSS we advertise: MTU − 40 for IPv4.
    pub(crate) fn adv_mss(&self) -> u16 {
        self.mtu.saturating_sub(40).max(super::tcb::MIN_MSS)
    }

    fn app(ctx: &mut StackCtx, call: AppCall) {
        ctx.event(EventKind::App { node: ctx.node, call });
    }

    pub(super) fn port_used(&self, port: u16) -> bool {
        self.listeners.values().any(|l| l.local.port() == port) || self.conns.values().any(|c| c.local.port() == port)
    }

    /// listen(): a passive open on `local` (0.0.0.0 = every address). The backlog is clamped
    /// to `somaxconn` as an unsigned number (`__sys_listen`: listen(-1) means `u32::MAX` here
    /// and gives 4096). Calling it again on a listener updates the backlog.
    pub fn listen(&mut self, ctx: &mut StackCtx, local: SocketAddrV4, backlog: u32) -> Result<SockId, SockError> {
        let max = backlog.min(self.cfg.somaxconn);
        if let Some(l) = self.listeners.values_mut().find(|l| l.local == local) {
            if l.reuseport {
                // An SO_REUSEPORT group holds the address; a plain socket cannot bind it.
                return Err(SockError::AddrInUse);
            }
            l.max_backlog = max;
            let sock = l.id;
            Self::app(ctx, AppCall::Listen { sock, backlog });
            ctx.event(EventKind::Backlog { sock, requested: backlog, max_backlog: max, reuseport: false });
            l.retrace_queues(ctx);
            return Ok(sock);
        }
        if self.port_used(local.port()) {
            return Err(SockError::AddrInUse);
        }
        Ok(self.new_listener(ctx, local, backlog, false))
    }

    /// Create a listening socket on `local` (already checked free), tracing LISTEN, the
    /// listen() call and its clamped backlog.
    pub(crate) fn new_listener(
        &mut self,
        ctx: &mut StackCtx,
        local: SocketAddrV4,
        backlog: u32,
        reuseport: bool,
    ) -> SockId {
        let max = backlog.min(self.cfg.somaxconn);
        let id =
            ctx.new_socket(SockInfo { node: ctx.node, kind: SockKind::TcpListener, local, remote: None, parent: None });
        let secret = ctx.rng.next_u64();
        let mut l = Listener::new(id, local, max, secret);
        l.syn_queue_full_ge = self.cfg.syn_queue_full_ge;
        l.reuseport = reuseport;
        self.listeners.insert(id, l);
        ctx.event(EventKind::TcpState { sock: id, from: TcpState::Closed, to: TcpState::Listen });
        Self::app(ctx, AppCall::Listen { sock: id, backlog });
        ctx.event(EventKind::Backlog { sock: id, requested: backlog, max_backlog: max, reuseport });
        id
    }

    /// Linux's ephemeral port choice (`__inet_hash_connect`): a random start in
    /// `ip_local_port_range`, even ports first (odd ones are left for bind()), then odd ones,
    /// skipping ports in use. (Linux may share a port between different destinations; this
    /// model does not.)
    fn pick_port(&self, ctx: &mut StackCtx) -> Option<u16> {
        let (lo, hi) = self.cfg.ephemeral_ports;
        if hi < lo {
            return None;
        }
        let n = u32::from(hi - lo) + 1;
        let start = (ctx.rng.range_u64(0, u64::from(n - 1)) as u32) & !1;
        for parity in 0..2u32 {
            let mut i = 0;
            while i < n {
                let port = lo as u32 + (start + parity + i) % n;
                if !self.port_used(port as u16) {
                    return Some(port as u16);
                }
                i += 2;
            }
        }
        None
    }

    /// connect(): an active open from `local_ip` to `remote`. Sends the SYN at once (MSS
    /// MTU − 40, SACK_PERM, TS, WS; window 64240) and returns the socket in SYN-SENT; the
    /// result arrives as `Notice::Connected` or `Notice::ConnectFailed`.
    pub fn connect(
        &mut self,
        ctx: &mut StackCtx,
        local_ip: Ipv4Addr,
        remote: SocketAddrV4,
    ) -> Result<SockId, SockError> {
        self.open(ctx, SocketAddrV4::new(local_ip, 0), remote, None, None).map(|(id, _)| id)
    }

    /// setsockopt(TCP_MAXSEG, `user_mss`) on a new socket, then connect() (with `data`
    /// queued as [`Self::connect_data`] does, if given). Linux: `tcp_sock_set_maxseg`
    /// refuses values below `TCP_MIN_MSS` (88) or above `MAX_TCP_WINDOW` (32767) with
    /// EINVAL; `tcp_connect_init` then clamps `advmss` with `tcp_mss_clamp`, so the SYN's MSS
    /// option (`tcp_advertise_mss`) is min(user_mss, MTU − 40), and the sending MSS is capped
    /// by it too (see [`Tcb::update_mss`]). A value above MTU − 40 changes nothing.
    pub fn connect_maxseg(
        &mut self,
        ctx: &mut StackCtx,
        local_ip: Ipv4Addr,
        remote: SocketAddrV4,
        data: Option<&[u8]>,
        user_mss: u16,
    ) -> Result<(SockId, usize), SockError> {
        if !(super::tcb::MIN_MSS..=super::tcb::MAX_USER_MSS).contains(&user_mss) {
            return Err(SockError::InvalidArgument);
        }
        self.open(ctx, SocketAddrV4::new(local_ip, 0), remote, data, Some(user_mss))
    }

    /// sendto(MSG_FASTOPEN) / connect() with `TCP_FASTOPEN_CONNECT` then write(): an active
    /// open with `data` queued before the SYN (RFC 7413 §3). With Fast Open on for clients
    /// (`net.ipv4.tcp_fastopen` & 0x1) and a cookie cached for the server, the SYN carries
    /// the cookie and the data's start; without a cookie it carries an empty Fast Open
    /// option asking for one, and the data waits for ESTABLISHED, as with Fast Open off
    /// (`tcp_fastopen_cookie_check`, `tcp_send_syn_data`). Returns the socket and how many
    /// bytes were queued (at most the send buffer).
    pub fn connect_data(
        &mut self,
        ctx: &mut StackCtx,
        local_ip: Ipv4Addr,
        remote: SocketAddrV4,
        data: &[u8],
    ) -> Result<(SockId, usize), SockError> {
        self.open(ctx, SocketAddrV4::new(local_ip, 0), remote, Some(data), None)
    }

    /// The active open behind every connect(): from `local` (port 0: an ephemeral port,
    /// `inet_hash_connect`; else a port bound first, which must be free, `inet_csk_get_port`),
    /// with `data` queued before the SYN and an optional TCP_MAXSEG.
    pub(super) fn open(
        &mut self,
        ctx: &mut StackCtx,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        data: Option<&[u8]>,
        user_mss: Option<u16>,
    ) -> Result<(SockId, usize), SockError> {
        if remote.port() == 0 || remote.ip().is_unspecified() {
            return Err(SockError::InvalidArgument);
        }
        let port = match local.port() {
            0 => self.pick_port(ctx).ok_or(SockError::AddrNotAvailable)?,
            _ if local.ip().is_unspecified() => return Err(SockError::InvalidArgument),
            p if self.port_used(p) => return Err(SockError::AddrInUse),
            p => p,
        };
        let local = SocketAddrV4::new(*local.ip(), port);
        let id = ctx.new_socket(SockInfo {
            node: ctx.node,
            kind: SockKind::TcpConn,
            local,
            remote: Some(remote),
            parent: None,
        });
        // tcp_connect_init: `advmss = tcp_mss_clamp(tp, dst_metric_advmss(dst))`.
        let mtu_mss = self.adv_mss();
        let adv_mss = super::tcb::mss_clamp(user_mss, mtu_mss);
        let decision = data.map(|_| client_syn(self.cfg.fastopen, self.fastopen_cookies.get(*remote.ip())));
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        let mut tcb = Tcb::new(&mut env, id, local, remote, adv_mss);
        (tcb.user_mss, tcb.path_mss) = (user_mss, mtu_mss);
        Self::app(env.ctx, AppCall::Connect { sock: id, to: remote });
        let mut queued = 0;
        if let Some(data) = data {
            queued = data.len().min(tcb.snd_cap as usize);
            tcb.snd_buf.extend(&data[..queued]);
            if queued > 0 {
                Self::app(env.ctx, AppCall::Write { sock: id, bytes: queued as u32 });
            }
        }
        match decision {
            Some(ClientSyn::WithData(cookie)) => {
                // An empty cookie here is TFO_CLIENT_NO_COOKIE: data without the option.
                tcb.fo_option = (!cookie.is_empty()).then_some(cookie);
                tcb.syn_data_wanted = queued > 0;
            }
            Some(ClientSyn::CookieRequest) => tcb.fo_option = Some(Vec::new()),
            Some(ClientSyn::Plain) | None => {}
        }
        env.count(counters::ACTIVE_OPENS);
        tcb.set_state(&mut env, TcpState::SynSent);
        tcb.send_syn(&mut env, false);
        tcb.arm_rto(&mut env);
        self.by_tuple.insert((local, remote), id);
        self.conns.insert(id, tcb);
        Ok((id, queued))
    }

    /// setsockopt(TCP_FASTOPEN, `qlen`) on a listener: accept data in SYNs carrying a valid
    /// cookie, with at most `qlen` such children waiting for their third ACK (0 turns it
    /// off). Needs the server bit of `net.ipv4.tcp_fastopen` (0x2) as well.
    pub fn set_fastopen(&mut self, ctx: &mut StackCtx, listener: SockId, qlen: u32) -> Result<(), SockError> {
        let l = self.listeners.get_mut(&listener).ok_or(SockError::BadSocket)?;
        l.fastopen_qlen = qlen;
        if qlen > 0 && self.fastopen_key.is_none() {
            let mut key = [0u8; 16];
            key[..8].copy_from_slice(&ctx.rng.next_u64().to_le_bytes());
            key[8..].copy_from_slice(&ctx.rng.next_u64().to_le_bytes());
            self.fastopen_key = Some(key);
        }
        Ok(())
    }

    /// accept(): the oldest connection in the listener's accept queue, if any.
    pub fn accept(&mut self, ctx: &mut StackCtx, listener: SockId) -> Option<SockId> {
        let l = self.listeners.get_mut(&listener)?;
        let id = l.accept_queue.pop_front()?;
        l.trace_queues(ctx);
        if let Some(t) = self.conns.get_mut(&id) {
            t.parent = None;
        }
        Self::app(ctx, AppCall::Accept { listener, sock: id });
        Some(id)
    }

    /// write()/send(): queue up to the free send-buffer space and send what the windows and
    /// Nagle allow. Data written in SYN-SENT waits for ESTABLISHED (RFC 9293 §3.10.2).
    /// `Err(WouldBlock)` when the buffer is full (`Notice::Writable` follows), `BrokenPipe`
    /// after shutdown/close or the peer's reset.
    pub fn write(&mut self, ctx: &mut StackCtx, sock: SockId, data: &[u8]) -> Result<usize, SockError> {
        let tcb = self.conns.get_mut(&sock).ok_or(SockError::BadSocket)?;
        if tcb.orphan {
            return Err(SockError::BadSocket);
        }
        if let Some(e) = tcb.error {
            return Err(e);
        }
        match tcb.state {
            TcpState::SynSent | TcpState::SynReceived | TcpState::Established | TcpState::CloseWait => {}
            TcpState::Closed => return Err(SockError::NotConnected),
            _ => return Err(SockError::BrokenPipe),
        }
        if tcb.wr_shutdown {
            return Err(SockError::BrokenPipe);
        }
        let free = (tcb.snd_cap as usize).saturating_sub(tcb.snd_buf.len());
        let n = free.min(data.len());
        if n < data.len() {
            tcb.want_writable = true;
        }
        if n == 0 {
            return Err(SockError::WouldBlock);
        }
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        tcb.idle_restart_check(&mut env);
        tcb.snd_buf.extend(&data[..n]);
        // tcp_push at the end of tcp_sendmsg (or before it sleeps for space): PSH on the
        // write's last byte.
        let end = tcb.data_end();
        tcb.push_marks.push_back(end);
        Self::app(env.ctx, AppCall::Write { sock, bytes: n as u32 });
        tcb.push(&mut env, false);
        tcb.trace_after(ctx);
        Ok(n)
    }

    /// read()/recv(): up to `max` in-order bytes. `Ok(vec![])` means end of stream (the peer's
    /// FIN arrived and everything before it was read, or the connection is closed);
    /// `Err(WouldBlock)` means nothing yet; `Err(ConnectionReset)` once after a RST.
    pub fn read(&mut self, ctx: &mut StackCtx, sock: SockId, max: usize) -> Result<Vec<u8>, SockError> {
        let tcb = self.conns.get_mut(&sock).ok_or(SockError::BadSocket)?;
        if tcb.orphan {
            return Err(SockError::BadSocket);
        }
        if !tcb.rcv_buf.is_empty() && max > 0 {
            let n = max.min(tcb.rcv_buf.len());
            let mut out = Vec::with_capacity(n);
            let (a, b) = tcb.rcv_buf.as_slices();
            out.extend_from_slice(&a[..n.min(a.len())]);
            out.extend_from_slice(&b[..n - n.min(a.len())]);
            tcb.rcv_buf.drain(..n);
            tcb.consumed(n as u32);
            Self::app(ctx, AppCall::Read { sock, bytes: n as u32 });
            let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
            tcb.rcv_space_adjust(&mut env);
            tcb.after_read(&mut env, n);
            tcb.trace_after(ctx);
            return Ok(out);
        }
        if let Some(e) = tcb.error.take() {
            return Err(e);
        }
        if tcb.fin_rcvd || tcb.state == TcpState::Closed && tcb.synchronized_once() {
            if !tcb.eof_read {
                tcb.eof_read = true;
                Self::app(ctx, AppCall::Read { sock, bytes: 0 });
            }
            return Ok(Vec::new());
        }
        match tcb.state {
            TcpState::Closed => Err(SockError::NotConnected),
            _ => Err(SockError::WouldBlock),
        }
    }

    /// close(). A listener stops and resets its unaccepted children. A connection sends FIN
    /// (ESTABLISHED → FIN-WAIT-1, CLOSE-WAIT → LAST-ACK) and lives on as an orphan; with
    /// unread data it sends RST instead (`tcp_close`, TCPAbortOnClose). The id is invalid
    /// afterwards.
    pub fn close(&mut self, ctx: &mut StackCtx, sock: SockId) {
        if let Some(l) = self.listeners.remove(&sock) {
            self.leave_reuseport_group(&l);
            Self::app(ctx, AppCall::Close { sock });
            ctx.event(EventKind::TcpState { sock, from: TcpState::Listen, to: TcpState::Closed });
            let children: Vec<SockId> = l.syn_queue.iter().chain(l.accept_queue.iter()).copied().collect();
            for c in children {
                if let Some(t) = self.conns.get_mut(&c) {
                    t.parent = None;
                    t.orphan = true;
                    let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
                    if t.state != TcpState::SynReceived {
                        t.send_rst(&mut env);
                    }
                    t.set_state(&mut env, TcpState::Closed);
                }
                self.after_conn(ctx, c);
            }
            return;
        }
        let Some(tcb) = self.conns.get_mut(&sock) else { return };
        if tcb.orphan {
            return;
        }
        Self::app(ctx, AppCall::Close { sock });
        tcb.orphan = true;
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        match tcb.state {
            TcpState::SynSent => tcb.set_state(&mut env, TcpState::Closed),
            TcpState::Established | TcpState::CloseWait | TcpState::SynReceived if !tcb.rcv_buf.is_empty() => {
                env.count(counters::ABORT_ON_CLOSE);
                tcb.send_rst(&mut env);
                tcb.set_state(&mut env, TcpState::Closed);
            }
            TcpState::FinWait2 => {
                // An orphan in FIN-WAIT-2 waits at most tcp_fin_timeout.
                let at = env.now() + env.cfg.fin_timeout;
                tcb.timers.set(&mut env, sock, TimerKind::FinWait2, at);
            }
            _ => tcb.queue_fin(&mut env),
        }
        tcb.trace_after(ctx);
        self.after_conn(ctx, sock);
    }

    /// shutdown(SHUT_WR): send FIN after the queued data; reading stays possible.
    pub fn shutdown_write(&mut self, ctx: &mut StackCtx, sock: SockId) -> Result<(), SockError> {
        let tcb = self.conns.get_mut(&sock).ok_or(SockError::BadSocket)?;
        if !tcb.synchronized() && tcb.state != TcpState::SynReceived {
            return Err(SockError::NotConnected);
        }
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        tcb.queue_fin(&mut env);
        tcb.trace_after(ctx);
        Ok(())
    }

    /// setsockopt(SO_RCVBUF, `bytes`) on a listener before connections arrive: each gets a
    /// fixed buffer of twice `bytes` (at most twice `rmem_max`), no autotuning, and a window
    /// scale fitted to that buffer.
    pub fn set_rcvbuf(&mut self, listener: SockId, bytes: u32) -> Result<(), SockError> {
        let buf = self.cfg.so_rcvbuf(bytes);
        let l = self.listeners.get_mut(&listener).ok_or(SockError::BadSocket)?;
        l.rcvbuf = Some(buf);
        Ok(())
    }

    /// TCP_NODELAY. Turning it on flushes pending output (tcp(7)).
    pub fn set_nodelay(&mut self, ctx: &mut StackCtx, sock: SockId, on: bool) -> Result<(), SockError> {
        let tcb = self.conns.get_mut(&sock).ok_or(SockError::BadSocket)?;
        tcb.nodelay = on;
        if on {
            let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
            tcb.push(&mut env, true);
            tcb.trace_after(ctx);
        }
        Ok(())
    }

    /// TCP_CONGESTION: switch this connection's algorithm (`tcp_set_congestion_control`).
    /// The new one starts from the current cwnd and ssthresh; BBR also turns on the Linux
    /// recovery mode and pacing.
    pub fn set_congestion(
        &mut self,
        ctx: &mut StackCtx,
        sock: SockId,
        alg: super::config::CcAlgorithm,
    ) -> Result<(), SockError> {
        let tcb = self.conns.get_mut(&sock).ok_or(SockError::BadSocket)?;
        if tcb.cc.name() == alg.name() {
            return Ok(());
        }
        let (cwnd, ssthresh) = (tcb.cc.cwnd(), tcb.cc.ssthresh());
        let mut cc = super::congestion::new_cc(alg, cwnd, ctx.rng.next_u32());
        cc.set_cwnd(cwnd);
        if ssthresh < super::congestion::INFINITE_SSTHRESH {
            cc.set_ssthresh(ssthresh);
        }
        tcb.cc = cc;
        if alg == super::config::CcAlgorithm::Bbr {
            tcb.mode = super::config::RecoveryMode::Linux;
        }
        tcb.update_pacing_rate();
        tcb.reannounce();
        tcb.trace_after(ctx);
        Ok(())
    }

    /// TCP_CORK: hold partial segments (at most 200 ms); uncorking flushes.
    pub fn set_cork(&mut self, ctx: &mut StackCtx, sock: SockId, on: bool) -> Result<(), SockError> {
        let tcb = self.conns.get_mut(&sock).ok_or(SockError::BadSocket)?;
        tcb.cork = on;
        let mut env = Env { ctx, cfg: &self.cfg, counters: &mut self.counters };
        if !on {
            tcb.timers.cancel(env.ctx, sock, TimerKind::Cork);
            tcb.push(&mut env, true);
            tcb.trace_after(ctx);
        }
        Ok(())
    }

    /// The socket's state (CLOSED for unknown ids; LISTEN for listeners).
    pub fn state(&self, sock: SockId) -> TcpState {
        if self.listeners.contains_key(&sock) {
            return TcpState::Listen;
        }
        self.conns.get(&sock).map_or(TcpState::Closed, |t| t.state)
    }

    /// A `TCP_INFO` snapshot of a connection.
    pub fn info(&self, sock: SockId) -> Option<TcpInfo> {
        self.conns.get(&sock).map(Tcb::info)
    }

    /// (accept-queue length, SYN-queue length, max backlog) of a listener, as `ss` shows
    /// Recv-Q/Send-Q.
    pub fn listen_queues(&self, listener: SockId) -> Option<(u32, u32, u32)> {
        self.listeners.get(&listener).map(|l| (l.accept_queue.len() as u32, l.syn_queue.len() as u32, l.max_backlog))
    }

    /// Ids of every connection (children included), in order.
    pub fn sockets(&self) -> Vec<SockId> {
        self.conns.keys().copied().collect()
    }
}

impl Tcb {
    /// Queue our FIN after the data (RFC 9293 §3.10.4 CLOSE) and move to FIN-WAIT-1 or
    /// LAST-ACK (Linux `tcp_close`/`tcp_shutdown` → `tcp_send_fin`).
    pub fn queue_fin(&mut self, env: &mut Env) {
        if self.fin_seq.is_some() {
            return;
        }
        let next = match self.state {
            TcpState::Established | TcpState::SynReceived => TcpState::FinWait1,
            TcpState::CloseWait => TcpState::LastAck,
            _ => return,
        };
        self.wr_shutdown = true;
        self.fin_seq = Some(self.data_end());
        self.set_state(env, next);
        if self.snd_una != self.iss {
            self.push(env, true);
        }
    }

    /// Has this connection ever been synchronized (so CLOSED now means "ended")?
    pub fn synchronized_once(&self) -> bool {
        self.snd_una != self.iss || self.fin_rcvd
    }
}
