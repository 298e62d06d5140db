//! Property tests: every valid repr survives bytes and back, parsing and dissecting arbitrary
//! or damaged bytes never panics, and fragmentation undoes itself.

use proptest::prelude::*;
use wirewise_sim::wire::*;

fn addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn mac() -> impl Strategy<Value = MacAddr> {
    any::<[u8; 6]>().prop_map(MacAddr)
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..=max)
}

/// Options as any combination the simulation could send, cut to what fits in 40 bytes.
fn tcp_options() -> impl Strategy<Value = TcpOptions> {
    (
        proptest::option::of(any::<u16>()),
        proptest::option::of(0u8..=14),
        any::<bool>(),
        proptest::option::of(any::<(u32, u32)>()),
        proptest::collection::vec(any::<(u32, u32)>(), 0..=4),
    )
        .prop_map(|(mss, window_scale, sack_permitted, timestamps, sack_blocks)| {
            let mut o = TcpOptions { mss, window_scale, sack_permitted, timestamps, sack_blocks, fast_open: None };
            let fit = o.sack_blocks_that_fit();
            o.sack_blocks.truncate(fit);
            o
        })
}

fn tcp() -> impl Strategy<Value = TcpRepr> {
    (any::<(u16, u16, u32, u32, u8, u16, u16)>(), tcp_options(), bytes(300)).prop_map(
        |((src_port, dst_port, seq, ack, flags, window, urgent), options, payload)| TcpRepr {
            src_port,
            dst_port,
            seq,
            ack,
            flags: TcpFlags(flags),
            window,
            urgent,
            options,
            payload,
        },
    )
}

fn udp() -> impl Strategy<Value = UdpRepr> {
    (any::<u16>(), any::<u16>(), bytes(300)).prop_map(|(src_port, dst_port, payload)| UdpRepr {
        src_port,
        dst_port,
        payload,
    })
}

fn icmp() -> impl Strategy<Value = IcmpRepr> {
    prop_oneof![
        (any::<u16>(), any::<u16>(), bytes(100))
            .prop_map(|(ident, seq_no, data)| { IcmpRepr::EchoRequest { ident, seq_no, data } }),
        (any::<u16>(), any::<u16>(), bytes(100))
            .prop_map(|(ident, seq_no, data)| { IcmpRepr::EchoReply { ident, seq_no, data } }),
        (any::<u8>(), any::<u16>(), bytes(100))
            .prop_map(|(code, next_hop_mtu, original)| { IcmpRepr::DestUnreachable { code, next_hop_mtu, original } }),
        (any::<u8>(), bytes(100)).prop_map(|(code, original)| IcmpRepr::TimeExceeded { code, original }),
    ]
}

fn arp() -> impl Strategy<Value = ArpRepr> {
    (any::<bool>(), mac(), addr(), mac(), addr()).prop_map(|(req, sender_mac, sender_ip, target_mac, target_ip)| {
        ArpRepr { op: if req { ArpOp::Request } else { ArpOp::Reply }, sender_mac, sender_ip, target_mac, target_ip }
    })
}

fn ipv4(protocol: IpProtocol) -> impl Strategy<Value = Ipv4Repr> {
    (addr(), addr(), any::<u8>(), any::<u16>(), any::<bool>(), 0u8..64, 0u8..4).prop_map(
        move |(src, dst, ttl, ident, dont_frag, dscp, ecn)| Ipv4Repr {
            src,
            dst,
            protocol,
            ttl,
            ident,
            dont_frag,
            more_frags: false,
            frag_offset: 0,
            dscp,
            ecn,
        },
    )
}

fn packet() -> impl Strategy<Value = Ipv4Packet> {
    prop_oneof![
        (ipv4(IpProtocol::TCP), tcp()).prop_map(|(ip, t)| Ipv4Packet { ip, transport: Transport::Tcp(t) }),
        (ipv4(IpProtocol::UDP), udp()).prop_map(|(ip, u)| Ipv4Packet { ip, transport: Transport::Udp(u) }),
        (ipv4(IpProtocol::ICMP), icmp()).prop_map(|(ip, i)| Ipv4Packet { ip, transport: Transport::Icmp(i) }),
        // Some other protocol (GRE, 47), carried raw.
        (ipv4(IpProtocol(47)), bytes(100)).prop_map(|(ip, raw)| Ipv4Packet { ip, transport: Transport::Other(raw) }),
        // A fragment: MF set or a non-zero offset.
        (ipv4(IpProtocol::UDP), any::<bool>(), 0u16..8000, bytes(200)).prop_map(|(mut ip, mf, off, raw)| {
            ip.more_frags = mf || off == 0;
            ip.frag_offset = off * 8;
            Ipv4Packet { ip, transport: Transport::Fragment(raw) }
        }),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![
        (mac(), mac(), arp()).prop_map(|(dst, src, a)| Frame {
            eth: EthernetRepr { dst, src, ethertype: EtherType::ARP },
            payload: FramePayload::Arp(a),
        }),
        (mac(), mac(), packet()).prop_map(|(dst, src, p)| Frame {
            eth: EthernetRepr { dst, src, ethertype: EtherType::IPV4 },
            payload: FramePayload::Ipv4(p),
        }),
    ]
}

/// The dissection's fields tile the frame, whatever the bytes.
fn check_tiles(b: &[u8]) -> Result<(), TestCaseError> {
    let d = dissect(b);
    let mut at = 0;
    for f in &d.fields {
        prop_assert!(f.bit_len > 0);
        prop_assert_eq!(f.bit_offset, at, "{:?}", f);
        at = f.bit_end();
    }
    prop_assert_eq!(at as usize, b.len() * 8);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn tcp_round_trips(t in tcp(), s in addr(), d in addr()) {
        let mut b = Vec::new();
        t.emit(s, d, &mut b);
        prop_assert!(t.header_len() <= 60 && t.header_len() % 4 == 0);
        prop_assert_eq!(usize::from(b[12] >> 4) * 4, t.header_len());
        prop_assert_eq!(TcpRepr::parse(&b, s, d), Ok(t));
    }

    #[test]
    fn udp_round_trips(u in udp(), s in addr(), d in addr()) {
        let mut b = Vec::new();
        u.emit(s, d, &mut b);
        prop_assert_ne!(&b[6..8], &[0, 0]);
        prop_assert_eq!(UdpRepr::parse(&b, s, d), Ok(u));
    }

    #[test]
    fn icmp_round_trips(i in icmp()) {
        let mut b = Vec::new();
        i.emit(&mut b);
        prop_assert_eq!(b.len(), i.buffer_len());
        prop_assert_eq!(IcmpRepr::parse(&b), Ok(i));
    }

    #[test]
    fn arp_round_trips(a in arp()) {
        let mut b = Vec::new();
        a.emit(&mut b);
        prop_assert_eq!(ArpRepr::parse(&b), Ok(a));
    }

    #[test]
    fn frames_round_trip(f in frame()) {
        let b = f.to_bytes();
        prop_assert_eq!(Frame::parse(&b), Ok(f.clone()));
        let d = dissect(&b);
        prop_assert!(d.problems.is_empty(), "{:?}", d.problems);
        check_tiles(&b)?;
        if let FramePayload::Ipv4(p) = &f.payload {
            let ip = p.to_bytes();
            prop_assert_eq!(&ip[..], &b[14..]);
            prop_assert_eq!(Ipv4Packet::parse(&ip), Ok(p.clone()));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in bytes(200)) {
        let _ = Frame::parse(&b);
        let _ = Ipv4Packet::parse(&b);
        let _ = TcpOptions::parse(&b);
        check_tiles(&b)?;
    }

    #[test]
    fn ipv4_like_bytes_never_panic(head in bytes(60), ethertype in prop_oneof![Just(0x0800u16), Just(0x0806)]) {
        // Arbitrary bytes behind a valid-looking Ethernet header reach the inner parsers.
        let mut b = vec![0u8; 12];
        b.extend_from_slice(&ethertype.to_be_bytes());
        b.extend_from_slice(&head);
        if b.len() > 14 {
            b[14] = 0x40 | (b[14] & 0x0f);
        }
        let _ = Frame::parse(&b);
        check_tiles(&b)?;
    }

    #[test]
    fn mutated_frames_never_panic(
        f in frame(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut b = f.to_bytes();
        for (i, v) in edits {
            let i = i.index(b.len());
            b[i] = v;
        }
        if truncate {
            b.truncate(cut.index(b.len() + 1));
        }
        let _ = Frame::parse(&b);
        if b.len() > 14 {
            let _ = Ipv4Packet::parse(&b[14..]);
        }
        check_tiles(&b)?;
    }

    #[test]
    fn fragment_then_reassemble(
        ip in ipv4(IpProtocol::UDP),
        u in proptest::collection::vec(any::<u8>(), 0..6000),
        mtu in 68u16..=1500,
        seed in any::<u64>(),
    ) {
        let ip = Ipv4Repr { dont_frag: false, ..ip };
        let pkt = Ipv4Packet { ip, transport: Transport::Udp(UdpRepr { src_port: 1, dst_port: 2, payload: u }) };
        let frags = pkt.fragment(mtu);
        prop_assert!(!frags.is_empty());
        if pkt.buffer_len() <= usize::from(mtu) {
            prop_assert_eq!(&frags, &vec![pkt.clone()]);
        }
        let n = frags.len();
        for (i, f) in frags.iter().enumerate() {
            prop_assert!(f.buffer_len() <= usize::from(mtu));
            prop_assert_eq!(f.ip.ident, pkt.ip.ident);
            if n > 1 {
                prop_assert_eq!(f.ip.more_frags, i + 1 < n);
                if i + 1 < n {
                    prop_assert_eq!(f.transport.buffer_len() % 8, 0);
                }
                prop_assert_eq!(Ipv4Packet::parse(&f.to_bytes()), Ok(f.clone()));
            }
        }
        // Deliver in a seeded shuffled order.
        let mut order: Vec<usize> = (0..n).collect();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut r = Reassembler::new();
        let mut out = None;
        for (k, &i) in order.iter().enumerate() {
            let got = r.add(k as u64, frags[i].clone());
            if k + 1 < n {
                prop_assert_eq!(&got, &None);
            } else {
                out = got;
            }
        }
        prop_assert_eq!(out, Some(pkt));
        prop_assert!(r.is_empty());
    }
}
