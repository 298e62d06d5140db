//! Property test: random application calls, delays and losses never panic, every traced
//! transition is an arc of RFC 9293 Figure 5, and whenever a connection ends cleanly each
//! side has read exactly what the other wrote, once and in order.

mod tcp_harness;

use proptest::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use tcp_harness::*;
use wirewise_sim::stack::Notice;
use wirewise_sim::tcp::TcpConfig;
use wirewise_sim::time::Duration;
use wirewise_sim::trace::{AppCall, EventKind, SockId};
use wirewise_sim::wire::{TcpFlags, TcpOptions, TcpRepr};

#[derive(Debug, Clone)]
enum Op {
    Write(usize),
    ShutdownWrite,
    Close,
    NoDelay(bool),
    Cork(bool),
    ReadSome(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1usize..20_000).prop_map(Op::Write),
        1 => Just(Op::ShutdownWrite),
        1 => Just(Op::Close),
        1 => any::<bool>().prop_map(Op::NoDelay),
        1 => any::<bool>().prop_map(Op::Cork),
        2 => (1usize..5000).prop_map(Op::ReadSome),
    ]
}

fn config(kind: u8, ts: bool, sack: bool, ws: bool) -> TcpConfig {
    let base = match kind % 3 {
        0 => TcpConfig::linux(),
        1 => TcpConfig::linux_pre_6_5(),
        _ => TcpConfig::rfc(),
    };
    TcpConfig { timestamps: ts, sack, window_scaling: ws, ..base }
}

fn pattern(dir: u8, from: usize, len: usize) -> Vec<u8> {
    (from..from + len).map(|i| (i as u32).wrapping_mul(31).wrapping_add(u32::from(dir) * 7) as u8).collect()
}

fn written(net: &Net, sock: SockId) -> usize {
    net.trace
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::App { call: AppCall::Write { sock: s, bytes }, .. } if *s == sock => *bytes as usize,
            _ => 0,
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48), ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_are_safe_and_lossless(
        seed in any::<u64>(),
        delay_us in 50u64..40_000,
        loss in prop_oneof![Just(0.0), 0.0f64..0.15],
        kinds in (any::<u8>(), any::<u8>()),
        opts in (any::<bool>(), any::<bool>(), any::<bool>()),
        script in proptest::collection::vec((0u64..4000, any::<bool>(), op()), 0..40),
    ) {
        let cfgs = vec![
            config(kinds.0, opts.0, opts.1, opts.2),
            config(kinds.1, opts.0 || kinds.1 % 2 == 0, opts.1, opts.2),
        ];
        let mut net = Net::new(cfgs, Duration::from_micros(delay_us), seed);
        net.loss = loss;
        let l = net.listen(1, 80, 4);
        net.auto_accept(1, l);
        let srv = net.addr(1, 80);
        let c = net.connect(0, srv);
        net.auto_read(0, c);
        let sent: Rc<RefCell<[usize; 2]>> = Rc::default();
        for (t, server, op) in script {
            let side = usize::from(server);
            let sent = sent.clone();
            net.at(at_ms(t), move |n| {
                let sock = if side == 0 {
                    Some(c)
                } else {
                    n.accepted.first().map(|a| a.2)
                };
                let Some(sock) = sock else { return };
                match op {
                    Op::Write(len) => {
                        // The stream each side writes is one fixed pattern, so whatever prefix
                        // the stack accepted can be checked.
                        let from = sent.borrow()[side];
                        sent.borrow_mut()[side] += len;
                        n.send_all(side, sock, &pattern(side as u8, from, len));
                    }
                    Op::ShutdownWrite => {
                        let _ = n.with(side, |s, x| s.shutdown_write(x, sock));
                    }
                    Op::Close => n.with(side, |s, x| s.close(x, sock)),
                    Op::NoDelay(on) => {
                        let _ = n.with(side, |s, x| s.set_nodelay(x, sock, on));
                    }
                    Op::Cork(on) => {
                        let _ = n.with(side, |s, x| s.set_cork(x, sock, on));
                    }
                    Op::ReadSome(k) => {
                        if let Ok(v) = n.with(side, |s, x| s.read(x, sock, k)) {
                            n.inbox.entry((side, sock)).or_default().extend(v);
                        }
                    }
                }
            });
        }
        // Both sides finish writing, then let everything play out (retries, TIME-WAIT).
        net.at(at_ms(5000), move |n| {
            let _ = n.with(0, |s, x| s.shutdown_write(x, c));
            if let Some(&(_, _, sc)) = n.accepted.first() {
                let _ = n.with(1, |s, x| s.shutdown_write(x, sc));
            }
        });
        net.run_until(at_ms(900_000));
        net.assert_transitions_valid();
        net.assert_trace_sorted();

        let Some(&(_, _, s)) = net.accepted.first() else { return Ok(()) };
        let trouble = net.notices.iter().any(|(_, _, n)| matches!(n,
            Notice::Reset { .. } | Notice::Error { .. } | Notice::ConnectFailed { .. }));
        let rsts = net.log.iter().any(|x| x.seg.flags.rst());
        // Clean: both ends saw the other's FIN, no RST anywhere, every write drained.
        let drained = net.outbox.values().all(|q| q.is_empty());
        if net.eof.contains(&(0, c)) && net.eof.contains(&(1, s)) && !trouble && !rsts && drained {
            let w0 = written(&net, c);
            let w1 = written(&net, s);
            prop_assert_eq!(net.received(1, s).len(), w0);
            prop_assert!(net.received(1, s) == pattern(0, 0, w0).as_slice());
            prop_assert_eq!(net.received(0, c).len(), w1);
            prop_assert!(net.received(0, c) == pattern(1, 0, w1).as_slice());
        }
    }
}

fn any_segment() -> impl Strategy<Value = TcpRepr> {
    (
        (any::<u16>(), prop_oneof![Just(80u16), any::<u16>()]),
        (any::<u32>(), any::<u32>(), any::<u8>(), any::<u16>()),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u8>()),
            any::<bool>(),
            proptest::option::of((any::<u32>(), any::<u32>())),
            proptest::collection::vec((any::<u32>(), any::<u32>()), 0..5),
        ),
        proptest::collection::vec(any::<u8>(), 0..3000),
    )
        .prop_map(|((sp, dp), (seq, ack, flags, window), (mss, ws, sp_ok, ts, sack), payload)| TcpRepr {
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags: TcpFlags(flags),
            window,
            urgent: 0,
            options: TcpOptions {
                mss,
                window_scale: ws,
                sack_permitted: sp_ok,
                timestamps: ts,
                sack_blocks: sack,
                fast_open: None,
            },
            payload,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    /// Hostile segments, aimed at a listener and at live connections (with the right ports
    /// and sequence numbers near the real ones), never panic and never break the state
    /// machine.
    #[test]
    fn hostile_segments_never_panic(
        segs in proptest::collection::vec((any_segment(), any::<bool>(), any::<u8>()), 1..60),
        seed in any::<u64>(),
    ) {
        let mut net = Net::pair(ms(1));
        let mut net2 = Net::new(vec![TcpConfig::linux(), TcpConfig::linux()], ms(1), seed);
        std::mem::swap(&mut net, &mut net2);
        let l = net.listen(1, 80, 2);
        net.auto_accept(1, l);
        let srv = net.addr(1, 80);
        let c = net.connect(0, srv);
        net.auto_read(0, c);
        net.run_until(at_ms(10));
        net.send_all(0, c, &[5u8; 5000]);
        let (a, b) = (net.ip(0), net.ip(1));
        let cport = net.trace.sockets[c as usize].local.port();
        for (i, (mut seg, aimed, near)) in segs.into_iter().enumerate() {
            if aimed {
                // Make it look like it belongs to the connection.
                let info = net.hosts[0].stack.info(c);
                seg.src_port = cport;
                seg.dst_port = 80;
                if let Some(info) = info {
                    let off = u32::from(near) * 97;
                    seg.seq = info.iss.wrapping_add(1).wrapping_add(off);
                    seg.ack = info.irs.wrapping_add(1).wrapping_add(off / 2);
                }
            }
            let t = at_ms(20 + i as u64 * 7);
            net.at(t, move |n| {
                n.with(1, |s, x| s.on_segment(x, a, b, seg.clone()));
                n.with(0, |s, x| s.on_segment(x, b, a, seg));
            });
        }
        net.run_until(at_ms(400_000));
        net.assert_transitions_valid();
        net.assert_trace_sorted();
    }
}
