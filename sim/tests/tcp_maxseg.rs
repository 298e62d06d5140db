//! setsockopt(TCP_MAXSEG) before connect() (Linux `tcp_sock_set_maxseg`, `tcp_connect_init`,
//! `tcp_mss_clamp`, `tcp_advertise_mss`, `tcp_parse_options`): the SYN offers the clamped MSS,
//! the initial window is carved in units of it, and the data is cut at it minus the 12 bytes of
//! the timestamp option.

mod tcp_harness;

use tcp_harness::*;
use wirewise_sim::stack::SockError;

/// Payload sizes of the data segments host `h` sent, in order (retransmissions included).
fn data_sizes(net: &Net, h: usize) -> Vec<usize> {
    net.sent_by(h).iter().map(|s| s.seg.payload.len()).filter(|&n| n > 0).collect()
}

#[test]
fn tcp_maxseg_outside_88_to_32767_is_einval_and_sends_nothing() {
    let mut net = Net::pair(ms(5));
    let srv = net.addr(1, 80);
    let ip = net.ip(0);
    for bad in [0u16, 87, 32_768] {
        let r = net.with(0, |s, c| s.connect_maxseg(c, ip, srv, None, bad));
        assert_eq!(r.err(), Some(SockError::InvalidArgument), "TCP_MAXSEG {bad}");
    }
    net.run_until(at_ms(100));
    assert!(net.sent_by(0).is_empty(), "no SYN for a refused option");
}

#[test]
fn tcp_maxseg_536_goes_in_the_syn_and_cuts_the_data_at_524() {
    let mut net = Net::pair(ms(5));
    let l = net.listen(1, 80, 128);
    net.auto_accept(1, l);
    let srv = net.addr(1, 80);
    let ip = net.ip(0);
    let (c, _) = net.with(0, |s, x| s.connect_maxseg(x, ip, srv, None, 536)).unwrap();
    net.send_all(0, c, &[7u8; 3000]);
    net.run_until(at_ms(500));
    let syn = &net.sent_by(0)[0].seg;
    assert_eq!(syn.options.mss, Some(536));
    assert_eq!(syn.window % 536, 0, "the SYN window is a multiple of the clamped MSS");
    assert_ne!(syn.window, 64240);
    let synack = &net.sent_by(1)[0].seg;
    assert_eq!(synack.options.mss, Some(1460), "the server still offers its own MTU − 40");
    assert_eq!(data_sizes(&net, 0), vec![524, 524, 524, 524, 524, 380]);
}

#[test]
fn tcp_maxseg_above_mtu_minus_40_changes_nothing() {
    let mut net = Net::pair(ms(5));
    let l = net.listen(1, 80, 128);
    net.auto_accept(1, l);
    let srv = net.addr(1, 80);
    let ip = net.ip(0);
    let (c, _) = net.with(0, |s, x| s.connect_maxseg(x, ip, srv, None, 9000)).unwrap();
    net.send_all(0, c, &[7u8; 3000]);
    net.run_until(at_ms(500));
    let syn = &net.sent_by(0)[0].seg;
    assert_eq!((syn.options.mss, syn.window), (Some(1460), 64240));
    assert_eq!(data_sizes(&net, 0), vec![1448, 1448, 104]);
}
