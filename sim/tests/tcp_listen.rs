//! Listen backlog, accept-queue overflow, SYN queue and syncookies (docs/fidelity.md §1).

mod tcp_harness;

use tcp_harness::*;
use wirewise_sim::stack::{Notice, SockError};
use wirewise_sim::tcp::{TcpConfig, TcpState};
use wirewise_sim::trace::{EventKind, QueueKind};
use wirewise_sim::wire::TcpFlags;

/// [E1]: 12 clients 50 ms apart, never accept(): backlog N admits exactly N+1.
#[test]
fn backlog_admits_backlog_plus_one() {
    for (backlog, admitted) in [(0u32, 1usize), (1, 2), (2, 3), (5, 6), (8, 9)] {
        let mut net = Net::pair(ms(1));
        let l = net.listen(1, 80, backlog);
        let srv = net.addr(1, 80);
        let mut clients = Vec::new();
        for i in 0..12u64 {
            let t = at_ms(50 * i);
            net.at(t, move |n| {
                n.connect(0, srv);
            });
        }
        net.run_until(at_ms(900));
        for s in net.hosts[0].stack.sockets() {
            clients.push(net.state(0, s));
        }
        let estab = clients.iter().filter(|s| **s == TcpState::Established).count();
        let synsent = clients.iter().filter(|s| **s == TcpState::SynSent).count();
        assert_eq!(estab, admitted, "backlog {backlog}");
        assert_eq!(synsent, 12 - admitted, "backlog {backlog}");
        let (acc, syn, max) = net.hosts[1].stack.listen_queues(l).unwrap();
        assert_eq!((acc as usize, syn, max), (admitted, 0, backlog), "Recv-Q/Send-Q");
        // Overflowing SYNs got neither SYN-ACK nor RST.
        let synacks = net.sent_by(1).iter().filter(|s| s.seg.flags.syn()).count();
        assert_eq!(synacks, admitted);
        assert_eq!(net.counter(1, "TcpOutRsts"), 0);
        assert_eq!(net.counter(1, "ListenOverflows"), (12 - admitted) as u64);
        assert_eq!(net.counter(1, "ListenDrops"), (12 - admitted) as u64);
        assert_eq!(net.counter(1, "SyncookiesSent"), 0);
        // They keep retransmitting their SYNs.
        net.run_until(at_ms(3000));
        let syns = net.sent_by(0).iter().filter(|s| s.seg.flags == TcpFlags::SYN).count();
        assert!(syns >= 12 + 2 * (12 - admitted), "{syns}");
        // The queue lengths were traced with cap backlog+1.
        let last_acc = net.trace.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::Queue { sock, queue: QueueKind::Accept, len, cap } if *sock == l => Some((*len, *cap)),
            _ => None,
        });
        assert_eq!(last_acc, Some((admitted as u32, backlog + 1)));
        net.assert_transitions_valid();
    }
}

#[test]
fn listen_backlog_is_clamped_to_somaxconn_unsigned() {
    let mut net = Net::pair(ms(1));
    let l = net.listen(1, 80, u32::MAX); // listen(fd, -1)
    assert_eq!(net.hosts[1].stack.listen_queues(l).unwrap().2, 4096);
    let l2 = net.listen(1, 80, 100_000);
    assert_eq!(l, l2, "listen() again updates the backlog");
    assert_eq!(net.hosts[1].stack.listen_queues(l).unwrap().2, 4096);
}

/// Backlog 1 with one connection already queued; clients A and B then race: A's final ACK
/// fills the queue to 2 = backlog+1, B's finds it full ([E4]).
fn overflow_setup(abort: bool) -> (Net, u32, u32, u32) {
    let cfg = TcpConfig { abort_on_overflow: abort, ..TcpConfig::linux() };
    let mut net = Net::new(vec![TcpConfig::linux(), cfg], ms(1), 9);
    let l = net.listen(1, 80, 1);
    let srv = net.addr(1, 80);
    net.connect(0, srv);
    net.run_until(at_ms(50));
    let a = net.connect(0, srv);
    let b = net.connect(0, srv);
    (net, l, a, b)
}

#[test]
fn final_ack_on_full_queue_is_dropped_and_recovers_after_accept() {
    let (mut net, l, a, b) = overflow_setup(false);
    net.at(at_ms(500), move |n| {
        n.with(0, |s, c| s.write(c, b, b"hello from B")).unwrap();
    });
    net.run_until(at_ms(11_000));
    // B's client believes it is connected; the server holds B as a request sock.
    assert_eq!(net.state(0, a), TcpState::Established);
    assert_eq!(net.state(0, b), TcpState::Established);
    assert_eq!(net.hosts[1].stack.listen_queues(l), Some((2, 1, 1)));
    let bport = net.trace.sockets[b as usize].local.port();
    let synack_to_b: Vec<f64> =
        net.sent_by(1).iter().filter(|s| s.seg.flags.syn() && s.seg.dst_port == bport).map(|s| secs(s.t)).collect();
    assert_eq!(synack_to_b, vec![0.051, 1.051, 3.051, 7.051]);
    assert!(net.counter(1, "ListenOverflows") >= 4);
    // accept() at 12 s frees a slot; the next SYN-ACK (15.05 s) or a data retransmission
    // from B completes the handshake.
    let mut first = None;
    net.at(at_ms(12_000), move |n| {
        n.with(1, |s, c| s.accept(c, l)).unwrap();
    });
    net.run_until(at_ms(16_000));
    let (acc, syn, _) = net.hosts[1].stack.listen_queues(l).unwrap();
    assert_eq!((acc, syn), (2, 0));
    net.with(1, |s, c| {
        s.accept(c, l);
        first = s.accept(c, l);
    });
    let child = first.expect("B accepted");
    net.run_until(at_ms(17_000));
    let got = net.with(1, |s, c| s.read(c, child, 100)).unwrap();
    assert_eq!(got, b"hello from B");
    assert_eq!(net.counter(1, "EmbryonicRsts"), 0);
    net.assert_transitions_valid();
}

#[test]
fn abort_on_overflow_answers_the_final_ack_with_rst() {
    let (mut net, l, a, b) = overflow_setup(true);
    net.run_until(at_ms(200));
    assert_eq!(net.state(0, a), TcpState::Established);
    assert_eq!(net.state(0, b), TcpState::Closed);
    let rst = net.sent_by(1).into_iter().find(|s| s.seg.flags.rst()).expect("RST");
    assert_eq!(rst.seg.flags, TcpFlags::RST);
    assert_eq!(rst.seg.ack, 0);
    let bport = net.trace.sockets[b as usize].local.port();
    let synack = net.sent_by(1).into_iter().find(|s| s.seg.flags.syn() && s.seg.dst_port == bport);
    assert_eq!(rst.seg.seq, synack.unwrap().seg.seq.wrapping_add(1), "seq = ISN+1");
    assert_eq!(net.counter(1, "EmbryonicRsts"), 1);
    assert_eq!(net.counter(1, "ListenOverflows"), 1);
    assert_eq!(net.hosts[1].stack.listen_queues(l), Some((2, 0, 1)));
    assert!(net.notices.iter().any(|(_, h, n)| *h == 0 && *n == Notice::Reset { sock: b }));
    let e = net.with(0, |s, c| s.read(c, b, 10));
    assert_eq!(e, Err(SockError::ConnectionReset));
}

/// [E12]: backlog 1, SYNs never ACKed: two request socks, then cookies.
#[test]
fn syn_queue_full_sends_cookies_with_mss_only_without_timestamps() {
    let plain = TcpConfig { timestamps: false, ..TcpConfig::linux() };
    let mut net = Net::new(vec![plain, TcpConfig::linux()], ms(1), 4);
    let l = net.listen(1, 80, 1);
    let srv = net.addr(1, 80);
    net.drop_all(|from, seg| from == 0 && !seg.flags.syn());
    for _ in 0..5 {
        net.connect(0, srv);
    }
    net.run_until(at_ms(100));
    assert_eq!(net.hosts[1].stack.listen_queues(l), Some((0, 2, 1)));
    assert_eq!(net.counter(1, "SyncookiesSent"), 3);
    assert_eq!(net.counter(1, "TCPReqQFullDoCookies"), 3);
    let cookie = &net.sent_by(1)[2].seg;
    assert_eq!(cookie.options.mss, Some(1460));
    assert!(cookie.options.window_scale.is_none() && !cookie.options.sack_permitted);
    assert_eq!(cookie.window, 64240);
}

#[test]
fn cookies_complete_a_connection_and_carry_data() {
    for ts in [true, false] {
        let client = TcpConfig { timestamps: ts, ..TcpConfig::linux() };
        let server = TcpConfig { syncookies: 2, ..TcpConfig::linux() };
        let mut net = Net::new(vec![client, server], ms(3), 5);
        let l = net.listen(1, 80, 8);
        let srv = net.addr(1, 80);
        let c = net.connect(0, srv);
        net.run_until(at_ms(20));
        assert_eq!(net.state(0, c), TcpState::Established);
        let child = net.with(1, |s, x| s.accept(x, l)).expect("cookie child");
        assert_eq!(net.counter(1, "SyncookiesRecv"), 1);
        net.auto_read(1, child);
        let data: Vec<u8> = (0..50_000u32).map(|i| i as u8).collect();
        net.send_all(0, c, &data);
        net.run_until(at_ms(2000));
        let got = net.received(1, child);
        assert_eq!(got.len(), data.len(), "ts={ts}");
        assert!(got == data, "ts={ts}");
        let info = net.hosts[1].stack.info(child).unwrap();
        assert_eq!(info.ts, ts);
        assert_eq!(info.snd_wscale, if ts { 7 } else { 0 });
    }
}

#[test]
fn ack_to_a_listener_without_cookie_gets_rst() {
    let cfg = TcpConfig { syncookies: 0, ..TcpConfig::linux() };
    let mut net = Net::new(vec![TcpConfig::linux(), cfg], ms(1), 6);
    net.listen(1, 80, 8);
    let (a, b) = (net.ip(0), net.ip(1));
    let seg = wirewise_sim::wire::TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq: 5,
        ack: 77,
        flags: TcpFlags::ACK,
        window: 100,
        urgent: 0,
        options: Default::default(),
        payload: vec![],
    };
    net.with(1, |s, c| s.on_segment(c, a, b, seg));
    let rst = &net.log[0].seg;
    assert_eq!((rst.flags, rst.seq), (TcpFlags::RST, 77));
}
