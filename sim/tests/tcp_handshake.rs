//! Three-way handshake, SYN/SYN-ACK retransmission schedules, RST on a closed port,
//! simultaneous open (docs/fidelity.md §1.5, §1.6, §2, §6).

mod tcp_harness;

use tcp_harness::*;
use wirewise_sim::stack::{Notice, SockError};
use wirewise_sim::tcp::{TcpConfig, TcpState};
use wirewise_sim::wire::TcpFlags;

#[test]
fn handshake_options_windows_and_states() {
    let mut net = Net::pair(ms(5));
    let l = net.listen(1, 80, 128);
    let srv = net.addr(1, 80);
    let c = net.connect(0, srv);
    net.run_until(at_ms(100));

    let syn = &net.sent_by(0)[0].seg;
    assert_eq!(syn.flags, TcpFlags::SYN);
    assert_eq!(syn.window, 64240, "SYN window = 44 x 1460");
    assert_eq!(syn.options.mss, Some(1460));
    assert_eq!(syn.options.window_scale, Some(7));
    assert!(syn.options.sack_permitted);
    let (syn_tsval, syn_tsecr) = syn.options.timestamps.expect("TS in SYN");
    assert_eq!(syn_tsecr, 0);
    assert!((32768..=60999).contains(&syn.src_port));

    let synack = &net.sent_by(1)[0].seg;
    assert_eq!(synack.flags, TcpFlags::SYN | TcpFlags::ACK);
    assert_eq!(synack.window, 65160, "SYN-ACK window = 45 x 1448");
    assert_eq!(synack.options.mss, Some(1460));
    assert_eq!(synack.options.window_scale, Some(7));
    assert!(synack.options.sack_permitted);
    assert_eq!(synack.options.timestamps.map(|t| t.1), Some(syn_tsval));
    assert_eq!(synack.ack, syn.seq.wrapping_add(1));

    let third = &net.sent_by(0)[1].seg;
    assert_eq!(third.flags, TcpFlags::ACK);
    assert_eq!(third.window, 502, "64240 rounded up to 128: 502 x 128 = 64256");
    assert!(third.options.mss.is_none() && third.options.timestamps.is_some());

    assert_eq!(net.states_of(c), vec![TcpState::Closed, TcpState::SynSent, TcpState::Established]);
    let child = net.with(1, |s, ctx| s.accept(ctx, l)).expect("accepted");
    assert_eq!(net.states_of(child), vec![TcpState::Listen, TcpState::SynReceived, TcpState::Established]);
    // connect() returns after one RTT.
    assert_eq!(net.entered(c, TcpState::Established), Some(at_ms(10)));
    let info = net.hosts[0].stack.info(c).unwrap();
    assert_eq!(info.snd_mss, 1448);
    assert_eq!(info.cwnd, 10);
    assert_eq!(info.ssthresh, None);
    assert_eq!(net.counter(0, "TcpActiveOpens"), 1);
    assert_eq!(net.counter(1, "TcpPassiveOpens"), 1);
    assert!(net.notices.iter().any(|(_, h, n)| *h == 0 && *n == Notice::Connected { sock: c }));
    net.assert_transitions_valid();
    net.assert_trace_sorted();
}

#[test]
fn synack_echoes_only_what_the_syn_offered_and_mss_defaults_to_536() {
    let plain = TcpConfig { timestamps: false, sack: false, window_scaling: false, ..TcpConfig::linux() };
    let mut net = Net::new(vec![plain, TcpConfig::linux()], ms(1), 2);
    let _l = net.listen(1, 80, 8);
    let srv = net.addr(1, 80);
    let c = net.connect(0, srv);
    net.run_until(at_ms(50));
    let synack = &net.sent_by(1)[0].seg;
    assert_eq!(synack.options.mss, Some(1460));
    assert!(synack.options.timestamps.is_none());
    assert!(!synack.options.sack_permitted);
    assert!(synack.options.window_scale.is_none());
    assert_eq!(synack.window, 64240, "no timestamps: 44 x 1460");
    assert_eq!(net.state(0, c), TcpState::Established);
    assert_eq!(net.hosts[0].stack.info(c).unwrap().snd_mss, 1460);

    // A SYN without an MSS option means 536 (RFC 9293 MUST-15).
    let mut net = Net::pair(ms(1));
    let l = net.listen(1, 80, 8);
    let mut syn = wirewise_sim::wire::TcpRepr {
        src_port: 40000,
        dst_port: 80,
        seq: 1000,
        ack: 0,
        flags: TcpFlags::SYN,
        window: 1000,
        urgent: 0,
        options: Default::default(),
        payload: vec![],
    };
    let (a, b) = (net.ip(0), net.ip(1));
    net.with(1, |s, ctx| s.on_segment(ctx, a, b, syn.clone()));
    syn.seq = 1001;
    syn.flags = TcpFlags::ACK;
    syn.ack = net.log.last().unwrap().seg.seq.wrapping_add(1);
    net.with(1, |s, ctx| s.on_segment(ctx, a, b, syn));
    let child = net.with(1, |s, ctx| s.accept(ctx, l)).unwrap();
    assert_eq!(net.hosts[1].stack.info(child).unwrap().snd_mss, 536);
}

fn syn_times(net: &Net, h: usize) -> Vec<f64> {
    net.sent_by(h).iter().filter(|s| s.seg.flags == TcpFlags::SYN).map(|s| secs(s.t)).collect()
}

#[test]
fn syn_retries_linux_6_5_linear_then_exponential() {
    let mut net = Net::pair(ms(1));
    // 10.0.0.9 exists nowhere: every SYN vanishes.
    let dead = "10.0.0.9:80".parse().unwrap();
    let c = net.connect(0, dead);
    net.run_until(at_ms(200_000));
    let t = syn_times(&net, 0);
    assert_eq!(t, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 11.0, 19.0, 35.0, 67.0]);
    let failed = net
        .notices
        .iter()
        .find(|(_, _, n)| matches!(n, Notice::ConnectFailed { sock, .. } if *sock == c))
        .expect("connect failed");
    assert_eq!(secs(failed.0), 131.0);
    assert_eq!(failed.2, Notice::ConnectFailed { sock: c, error: SockError::TimedOut });
    assert_eq!(net.state(0, c), TcpState::Closed);
    // Same ISN in every SYN, TSval advancing.
    let syns: Vec<_> = net.sent_by(0).into_iter().map(|s| s.seg.clone()).collect();
    assert!(syns.iter().all(|s| s.seq == syns[0].seq));
    assert!(syns[1].options.timestamps.unwrap().0 > syns[0].options.timestamps.unwrap().0);
    assert_eq!(net.counter(0, "TcpAttemptFails"), 1);
    assert_eq!(net.counter(0, "TcpRetransSegs"), 10);
}

#[test]
fn syn_retries_before_6_5_are_exponential() {
    let mut net = Net::new(vec![TcpConfig::linux_pre_6_5(), TcpConfig::linux()], ms(1), 3);
    let c = net.connect(0, "10.0.0.9:80".parse().unwrap());
    net.run_until(at_ms(200_000));
    assert_eq!(syn_times(&net, 0), vec![0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]);
    let t = net.entered(c, TcpState::Closed).unwrap();
    assert_eq!(secs(t), 127.0);
}

#[test]
fn rfc_profile_waits_at_least_three_minutes_for_a_syn() {
    let mut net = Net::new(vec![TcpConfig::rfc(), TcpConfig::rfc()], ms(1), 3);
    let c = net.connect(0, "10.0.0.9:80".parse().unwrap());
    net.run_until(at_ms(400_000));
    let t = secs(net.entered(c, TcpState::Closed).unwrap());
    assert!(t >= 180.0, "{t}");
}

#[test]
fn synack_retransmitted_at_1_3_7_15_31_and_request_dropped_at_63() {
    let mut net = Net::pair(ms(1));
    let l = net.listen(1, 80, 16);
    let srv = net.addr(1, 80);
    // The client's ACKs never arrive.
    net.drop_all(|from, seg| from == 0 && !seg.flags.syn());
    let c = net.connect(0, srv);
    net.run_until(at_ms(100_000));
    let t: Vec<f64> =
        net.sent_by(1).iter().filter(|s| s.seg.flags == TcpFlags::SYN | TcpFlags::ACK).map(|s| secs(s.t)).collect();
    assert_eq!(t, vec![0.001, 1.001, 3.001, 7.001, 15.001, 31.001]);
    let synacks: Vec<_> = net.sent_by(1).into_iter().map(|s| s.seg.clone()).collect();
    assert!(synacks.iter().all(|s| s.seq == synacks[0].seq), "ISN unchanged");
    let child = net.trace.sockets.iter().position(|s| s.parent == Some(l)).unwrap() as u32;
    let dropped = secs(net.entered(child, TcpState::Closed).unwrap());
    assert!(near(dropped, 63.001, 1e-6), "{dropped}");
    assert_eq!(net.hosts[1].stack.listen_queues(l), Some((0, 0, 16)));
    // The client believed it was connected the whole time.
    assert_eq!(net.entered(c, TcpState::Established), Some(at_ms(2)));
}

#[test]
fn rst_on_a_closed_port_refuses_the_connection() {
    let mut net = Net::pair(ms(2));
    let srv = net.addr(1, 81);
    let c = net.connect(0, srv);
    net.run_until(at_ms(50));
    let rst = &net.sent_by(1)[0].seg;
    assert_eq!(rst.flags, TcpFlags::RST | TcpFlags::ACK);
    assert_eq!(rst.seq, 0);
    assert_eq!(rst.ack, net.sent_by(0)[0].seg.seq.wrapping_add(1));
    assert_eq!(net.state(0, c), TcpState::Closed);
    assert!(net
        .notices
        .iter()
        .any(|(_, _, n)| *n == Notice::ConnectFailed { sock: c, error: SockError::ConnectionRefused }));
    assert_eq!(net.counter(1, "TcpOutRsts"), 1);
    // The pending error is reported once (sk_err), then the socket is just not connected.
    let e = net.with(0, |s, ctx| s.read(ctx, c, 10));
    assert_eq!(e, Err(SockError::ConnectionRefused));
    let e = net.with(0, |s, ctx| s.read(ctx, c, 10));
    assert_eq!(e, Err(SockError::NotConnected));
}

#[test]
fn simultaneous_open_goes_through_syn_received() {
    let mut net = Net::pair(ms(10));
    // Two connects to each other's chosen ports: pick the ports by connecting twice with a
    // fixed layout: host 0 port p0 -> host 1 port p1 and host 1 port p1 -> host 0 port p0.
    let a = net.addr(1, 5001);
    let c0 = net.connect(0, a);
    let p0 = net.trace.sockets[c0 as usize].local.port();
    // Rewrite host 0's socket so that host 1 can target it: connect from host 1 with a port
    // range of exactly 5001.
    let cfg1 = TcpConfig { ephemeral_ports: (5001, 5001), ..TcpConfig::linux() };
    net.hosts[1].stack = wirewise_sim::tcp::TcpStack::new(cfg1);
    let b = net.addr(0, p0);
    let c1 = net.connect(1, b);
    net.run_until(at_ms(1000));
    use TcpState::*;
    assert_eq!(net.states_of(c0), vec![Closed, SynSent, SynReceived, Established]);
    assert_eq!(net.states_of(c1), vec![Closed, SynSent, SynReceived, Established]);
    // SYN, SYN, SYN+ACK, SYN+ACK, ACK, ACK ([E16]).
    let flags: Vec<TcpFlags> = net.log.iter().map(|s| s.seg.flags).collect();
    let sa = TcpFlags::SYN | TcpFlags::ACK;
    assert_eq!(flags, vec![TcpFlags::SYN, TcpFlags::SYN, sa, sa, TcpFlags::ACK, TcpFlags::ACK]);
    net.assert_transitions_valid();
}

#[test]
fn icmp_port_unreachable_fails_a_syn_sent_connect() {
    let mut net = Net::pair(ms(1));
    let dead = "10.0.0.9:80".parse().unwrap();
    let c = net.connect(0, dead);
    let local = net.trace.sockets[c as usize].local;
    let iss = net.sent_by(0)[0].seg.seq;
    let r = net.with(0, |s, ctx| s.icmp_unreachable_for(ctx, local, dead, 3, 0, iss));
    assert_eq!(r, None);
    assert_eq!(net.state(0, c), TcpState::Closed);
    assert!(net
        .notices
        .iter()
        .any(|(_, _, n)| *n == Notice::ConnectFailed { sock: c, error: SockError::ConnectionRefused }));
}
