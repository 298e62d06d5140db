//! Connection teardown: FIN handshake, TIME-WAIT, simultaneous close, RST cases
//! (RFC 9293 §3.6, docs/fidelity.md §6).

mod tcp_harness;

use tcp_harness::*;
use wirewise_sim::stack::{Notice, SockError};
use wirewise_sim::tcp::{TcpConfig, TcpState};
use wirewise_sim::trace::SockId;
use wirewise_sim::wire::TcpFlags;

fn connected(cfg: TcpConfig, delay_ms: u64) -> (Net, SockId, SockId) {
    let mut net = Net::new(vec![cfg.clone(), cfg], ms(delay_ms), 11);
    let l = net.listen(1, 80, 8);
    let srv = net.addr(1, 80);
    let c = net.connect(0, srv);
    net.run_until(at_ms(10 * delay_ms));
    let s = net.with(1, |st, x| st.accept(x, l)).expect("accept");
    (net, c, s)
}

fn fin_close(cfg: TcpConfig, tw_secs: f64) {
    let (mut net, c, s) = connected(cfg, 5);
    net.auto_read(1, s);
    net.auto_read(0, c);
    net.send_all(0, c, b"bye");
    net.at(at_ms(100), move |n| n.with(0, |st, x| st.close(x, c)));
    // The server closes when it sees end-of-stream.
    net.on_notice(move |n, h, note| {
        if h == 1 && note == (Notice::PeerClosed { sock: s }) {
            n.with(1, |st, x| st.close(x, s));
        }
    });
    net.run_until(at_ms(400_000));
    use TcpState::*;
    assert_eq!(net.states_of(c), vec![Closed, SynSent, Established, FinWait1, FinWait2, TimeWait, Closed]);
    assert_eq!(net.states_of(s), vec![Listen, SynReceived, Established, CloseWait, LastAck, Closed]);
    let tw = net.entered(c, TimeWait).unwrap();
    let closed = net.entered(c, Closed).unwrap();
    assert_eq!(secs(closed) - secs(tw), tw_secs);
    assert_eq!(net.received(1, s), b"bye");
    assert!(net.eof.contains(&(1, s)));
    net.assert_transitions_valid();
    // Both ids are gone from the tables.
    assert!(net.hosts[0].stack.sockets().is_empty());
    assert!(net.hosts[1].stack.sockets().is_empty());
}

#[test]
fn active_closer_waits_60_s_in_time_wait_on_linux() {
    fin_close(TcpConfig::linux(), 60.0);
}

#[test]
fn rfc_profile_waits_two_msl() {
    fin_close(TcpConfig::rfc(), 240.0);
}

#[test]
fn fin_ack_is_delayed_by_the_passive_side() {
    // docs/fidelity.md §4.1 [E5]: the ACK of a FIN leaves ~40 ms later (CLOSE-WAIT enters
    // pingpong).
    let (mut net, c, s) = connected(TcpConfig::linux(), 1);
    net.at(at_ms(100), move |n| n.with(0, |st, x| st.close(x, c)));
    net.run_until(at_ms(1000));
    assert_eq!(net.state(1, s), TcpState::CloseWait);
    assert_eq!(net.state(0, c), TcpState::FinWait2);
    let fin_rx = at_ms(101);
    let ack = net.sent_by(1).into_iter().find(|x| x.t >= fin_rx).expect("ACK of FIN");
    assert_eq!(ack.t, at_ms(141));
    assert_eq!(ack.seg.flags, TcpFlags::ACK);
}

#[test]
fn simultaneous_close_goes_through_closing() {
    let (mut net, c, s) = connected(TcpConfig::linux(), 5);
    net.at(at_ms(200), move |n| n.with(0, |st, x| st.close(x, c)));
    net.at(at_ms(200), move |n| n.with(1, |st, x| st.close(x, s)));
    net.run_until(at_ms(70_000));
    use TcpState::*;
    for sock in [c, s] {
        let st = net.states_of(sock);
        assert_eq!(&st[st.len() - 5..], &[Established, FinWait1, Closing, TimeWait, Closed]);
    }
    net.assert_transitions_valid();
}

#[test]
fn orphaned_fin_wait_2_times_out() {
    let (mut net, c, s) = connected(TcpConfig::linux(), 5);
    // The server never closes: the client's orphan gives up after tcp_fin_timeout.
    net.at(at_ms(100), move |n| n.with(0, |st, x| st.close(x, c)));
    net.run_until(at_ms(100_000));
    let fw2 = net.entered(c, TcpState::FinWait2).unwrap();
    let closed = net.entered(c, TcpState::Closed).unwrap();
    assert_eq!(secs(closed) - secs(fw2), 60.0);
    assert_eq!(net.state(1, s), TcpState::CloseWait);
}

#[test]
fn close_with_unread_data_sends_rst() {
    let (mut net, c, s) = connected(TcpConfig::linux(), 5);
    net.send_all(0, c, b"unread");
    net.at(at_ms(200), move |n| n.with(1, |st, x| st.close(x, s)));
    net.run_until(at_ms(500));
    let rst = net.sent_by(1).into_iter().find(|x| x.seg.flags.rst()).expect("RST");
    assert_eq!(rst.seg.flags, TcpFlags::RST | TcpFlags::ACK);
    assert_eq!(net.counter(1, "TCPAbortOnClose"), 1);
    assert_eq!(net.state(0, c), TcpState::Closed);
    assert!(net.notices.iter().any(|(_, h, n)| *h == 0 && *n == Notice::Reset { sock: c }));
    assert_eq!(net.with(0, |st, x| st.write(x, c, b"x")), Err(SockError::ConnectionReset));
}

#[test]
fn in_window_rst_with_wrong_seq_gets_a_challenge_ack() {
    let (mut net, c, _s) = connected(TcpConfig::linux(), 5);
    let info = net.hosts[0].stack.info(c).unwrap();
    let local = net.trace.sockets[c as usize].local;
    let (a, b) = (net.ip(1), net.ip(0));
    let rcv_nxt = info.irs.wrapping_add(1);
    let rst = wirewise_sim::wire::TcpRepr {
        src_port: 80,
        dst_port: local.port(),
        seq: rcv_nxt.wrapping_add(100),
        ack: 0,
        flags: TcpFlags::RST,
        window: 0,
        urgent: 0,
        options: Default::default(),
        payload: vec![],
    };
    let before = net.log.len();
    net.with(0, |st, x| st.on_segment(x, a, b, rst.clone()));
    assert_eq!(net.state(0, c), TcpState::Established, "RFC 5961: not exact, no reset");
    assert_eq!(net.log[before].seg.flags, TcpFlags::ACK);
    let exact = wirewise_sim::wire::TcpRepr { seq: rcv_nxt, ..rst };
    net.with(0, |st, x| st.on_segment(x, a, b, exact));
    assert_eq!(net.state(0, c), TcpState::Closed);
}
