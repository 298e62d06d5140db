//! Byte-exact checks of the frames a Linux host puts on the wire (see docs/fidelity.md §7,
//! header layouts: [E5]/[E15] captures), of fragmentation, and of the field maps.

use wirewise_sim::wire::fragment::DEFAULT_REASSEMBLY_TIMEOUT_NS;
use wirewise_sim::wire::icmp::code;
use wirewise_sim::wire::*;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const TSVAL: u32 = 0x84b2_4b5f;

/// RFC 1071 written out independently of the crate: sum 16-bit words into a u64, fold,
/// complement.
fn rfc1071(data: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        sum += ((data[i] as u64) << 8) | data[i + 1] as u64;
        i += 2;
    }
    if i < data.len() {
        sum += (data[i] as u64) << 8;
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn pseudo_and(segment: &[u8], src: Ipv4Addr, dst: Ipv4Addr, proto: u8) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&src.octets());
    v.extend_from_slice(&dst.octets());
    v.extend_from_slice(&[0, proto]);
    v.extend_from_slice(&(segment.len() as u16).to_be_bytes());
    v.extend_from_slice(segment);
    v
}

fn ip(protocol: IpProtocol, df: bool, src: Ipv4Addr, dst: Ipv4Addr) -> Ipv4Repr {
    Ipv4Repr {
        src,
        dst,
        protocol,
        ttl: 64,
        ident: 0x5a17,
        dont_frag: df,
        more_frags: false,
        frag_offset: 0,
        dscp: 0,
        ecn: 0,
    }
}

fn frame(src: Ipv4Addr, dst: Ipv4Addr, df: bool, t: Transport) -> Frame {
    let proto = Ipv4Packet::protocol_of(&t, IpProtocol(253));
    Frame {
        eth: EthernetRepr {
            dst: MacAddr::local(u32::from(dst)),
            src: MacAddr::local(u32::from(src)),
            ethertype: EtherType::IPV4,
        },
        payload: FramePayload::Ipv4(Ipv4Packet { ip: ip(proto, df, src, dst), transport: t }),
    }
}

fn linux_syn() -> TcpRepr {
    TcpRepr {
        src_port: 49152,
        dst_port: 80,
        seq: 2_091_822_434,
        ack: 0,
        flags: TcpFlags::SYN,
        window: 64240,
        urgent: 0,
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((TSVAL, 0)),
            sack_blocks: vec![],
            fast_open: None,
        },
        payload: vec![],
    }
}

fn syn_frame() -> Frame {
    frame(A, B, true, Transport::Tcp(linux_syn()))
}

fn syn_ack_frame() -> Frame {
    let t = TcpRepr {
        src_port: 80,
        dst_port: 49152,
        seq: 1_000_000,
        ack: 2_091_822_435,
        flags: TcpFlags::SYN | TcpFlags::ACK,
        window: 65160,
        urgent: 0,
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((77, TSVAL)),
            sack_blocks: vec![],
            fast_open: None,
        },
        payload: vec![],
    };
    frame(B, A, true, Transport::Tcp(t))
}

fn est_tcp(flags: TcpFlags, payload: &[u8]) -> Frame {
    let t = TcpRepr {
        src_port: 49152,
        dst_port: 80,
        seq: 2_091_822_435,
        ack: 1_000_001,
        flags,
        window: 502,
        urgent: 0,
        options: TcpOptions { timestamps: Some((TSVAL + 1, 77)), ..Default::default() },
        payload: payload.to_vec(),
    };
    frame(A, B, true, Transport::Tcp(t))
}

fn ping() -> Frame {
    let data: Vec<u8> = (0..56u8).collect();
    frame(A, B, true, Transport::Icmp(IcmpRepr::EchoRequest { ident: 0x1c2d, seq_no: 1, data }))
}

fn arp_request() -> Frame {
    Frame {
        eth: EthernetRepr { dst: MacAddr::BROADCAST, src: MacAddr::local(1), ethertype: EtherType::ARP },
        payload: FramePayload::Arp(ArpRepr {
            op: ArpOp::Request,
            sender_mac: MacAddr::local(1),
            sender_ip: A,
            target_mac: MacAddr::ZERO,
            target_ip: B,
        }),
    }
}

fn arp_reply() -> Frame {
    Frame {
        eth: EthernetRepr { dst: MacAddr::local(1), src: MacAddr::local(2), ethertype: EtherType::ARP },
        payload: FramePayload::Arp(ArpRepr {
            op: ArpOp::Reply,
            sender_mac: MacAddr::local(2),
            sender_ip: B,
            target_mac: MacAddr::local(1),
            target_ip: A,
        }),
    }
}

fn udp_hi() -> Frame {
    frame(A, B, false, Transport::Udp(UdpRepr { src_port: 53000, dst_port: 53, payload: b"hi".to_vec() }))
}

fn ip_bytes(f: &Frame) -> Vec<u8> {
    f.to_bytes()[14..].to_vec()
}

fn frag_needed() -> Frame {
    let quoted = IcmpRepr::quote(&ip_bytes(&est_tcp(TcpFlags::ACK | TcpFlags::PSH, &[7; 1448])));
    frame(
        Ipv4Addr::new(10, 0, 1, 254),
        A,
        false,
        Transport::Icmp(IcmpRepr::DestUnreachable { code: code::FRAG_NEEDED, next_hop_mtu: 1400, original: quoted }),
    )
}

fn time_exceeded() -> Frame {
    let quoted = IcmpRepr::quote(&ip_bytes(&udp_hi()));
    frame(Ipv4Addr::new(10, 0, 1, 254), A, false, Transport::Icmp(IcmpRepr::TimeExceeded { code: 0, original: quoted }))
}

fn fragments() -> Vec<Frame> {
    let big = frame(A, B, false, Transport::Udp(UdpRepr { src_port: 5000, dst_port: 6000, payload: vec![0x5a; 3000] }));
    let FramePayload::Ipv4(pkt) = big.payload else { unreachable!() };
    pkt.fragment(1500).into_iter().map(|p| Frame { eth: big.eth, payload: FramePayload::Ipv4(p) }).collect()
}

/// One frame of each kind the simulation sends.
fn all_frames() -> Vec<(&'static str, Frame)> {
    let mut v = vec![
        ("syn", syn_frame()),
        ("syn-ack", syn_ack_frame()),
        ("ack", est_tcp(TcpFlags::ACK, b"")),
        ("data", est_tcp(TcpFlags::ACK | TcpFlags::PSH, b"GET / HTTP/1.1\r\nHost: b\r\n\r\n")),
        ("fin", est_tcp(TcpFlags::ACK | TcpFlags::FIN, b"")),
        (
            "rst",
            frame(
                A,
                B,
                true,
                Transport::Tcp(TcpRepr {
                    flags: TcpFlags::RST,
                    window: 0,
                    options: TcpOptions::default(),
                    ..linux_syn()
                }),
            ),
        ),
        ("udp", udp_hi()),
        ("ping", ping()),
        ("frag-needed", frag_needed()),
        ("time-exceeded", time_exceeded()),
        ("arp-request", arp_request()),
        ("arp-reply", arp_reply()),
    ];
    v.extend(fragments().into_iter().map(|f| ("fragment", f)));
    v
}

#[test]
fn linux_syn_is_byte_exact() {
    let b = syn_frame().to_bytes();
    assert_eq!(b.len(), 74, "Ethernet 14 + IPv4 20 + TCP 40");
    let ip = &b[14..34];
    assert_eq!(&ip[..4], &[0x45, 0x00, 0x00, 0x3c]);
    assert_eq!(&ip[6..8], &[0x40, 0x00], "DF set, offset 0");
    assert_eq!(ip[8], 0x40, "TTL 64");
    assert_eq!(ip[9], 6, "protocol TCP");
    let tcp = &b[34..];
    assert_eq!(tcp[12] >> 4, 10, "data offset: 40-byte header");
    assert_eq!(tcp[13], 0x02, "SYN only");
    assert_eq!(&tcp[14..16], &64240u16.to_be_bytes());
    let mut opts = vec![0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a];
    opts.extend_from_slice(&TSVAL.to_be_bytes());
    opts.extend_from_slice(&[0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07]);
    assert_eq!(&tcp[20..40], &opts[..]);
    // Checksums verify with an independent RFC 1071.
    assert_eq!(rfc1071(ip), 0);
    assert_eq!(rfc1071(&pseudo_and(tcp, A, B, 6)), 0);
    assert_eq!(wirewise_sim::wire::checksum::checksum(ip), rfc1071(ip));
    assert_eq!(Frame::parse(&b), Ok(syn_frame()));
}

#[test]
fn syn_ack_window_and_echoed_timestamp() {
    let b = syn_ack_frame().to_bytes();
    assert_eq!(b.len(), 74);
    let tcp = &b[34..];
    assert_eq!(tcp[13], 0x12, "SYN, ACK");
    assert_eq!(&tcp[14..16], &65160u16.to_be_bytes());
    assert_eq!(&tcp[24..28], &[0x04, 0x02, 0x08, 0x0a]);
    assert_eq!(&tcp[28..32], &77u32.to_be_bytes());
    assert_eq!(&tcp[32..36], &TSVAL.to_be_bytes(), "TSecr echoes the SYN's TSval");
    assert_eq!(rfc1071(&pseudo_and(tcp, B, A, 6)), 0);
    assert_eq!(Frame::parse(&b), Ok(syn_ack_frame()));
}

#[test]
fn established_segment_has_32_byte_header() {
    let b = est_tcp(TcpFlags::ACK, b"").to_bytes();
    assert_eq!(b.len(), 66);
    let tcp = &b[34..];
    assert_eq!(tcp[12] >> 4, 8);
    assert_eq!(&tcp[20..24], &[0x01, 0x01, 0x08, 0x0a]);
    assert_eq!(&tcp[24..28], &(TSVAL + 1).to_be_bytes());
    assert_eq!(rfc1071(&pseudo_and(tcp, A, B, 6)), 0);
}

#[test]
fn linux_option_layouts() {
    let emit = |o: TcpOptions| {
        let mut v = Vec::new();
        o.emit(&mut v);
        v
    };
    let ts = Some((1, 2));
    assert_eq!(emit(TcpOptions { timestamps: ts, ..Default::default() })[..4], [1, 1, 8, 10]);
    assert_eq!(emit(TcpOptions { sack_permitted: true, ..Default::default() }), [1, 1, 4, 2]);
    assert_eq!(emit(TcpOptions { window_scale: Some(14), ..Default::default() }), [1, 3, 3, 14]);
    let sack = emit(TcpOptions { timestamps: ts, sack_blocks: vec![(10, 20), (30, 40)], ..Default::default() });
    assert_eq!(sack.len(), 12 + 4 + 16);
    assert_eq!(&sack[12..16], &[1, 1, 5, 18]);
    assert_eq!(&sack[16..20], &10u32.to_be_bytes());
}

#[test]
fn ping_is_98_bytes() {
    let b = ping().to_bytes();
    assert_eq!(b.len(), 98);
    assert_eq!(&b[16..18], &84u16.to_be_bytes());
    assert_eq!(b[23], 1);
    assert_eq!(b[34], 8, "echo request");
    assert_eq!(rfc1071(&b[34..]), 0);
    assert_eq!(Frame::parse(&b), Ok(ping()));
}

#[test]
fn arp_request_is_42_bytes() {
    let b = arp_request().to_bytes();
    assert_eq!(b.len(), 42);
    assert_eq!(&b[..6], &[0xff; 6]);
    assert_eq!(&b[12..14], &[0x08, 0x06]);
    assert_eq!(&b[14..22], &[0, 1, 8, 0, 6, 4, 0, 1]);
    assert_eq!(&b[32..38], &[0; 6], "THA unknown");
    assert_eq!(&b[38..42], &B.octets());
    assert_eq!(Frame::parse(&b), Ok(arp_request()));
    assert_eq!(Frame::parse(&arp_reply().to_bytes()), Ok(arp_reply()));
    // A NIC's padding to 60 bytes is ignored.
    let mut padded = b.clone();
    padded.resize(60, 0);
    assert_eq!(Frame::parse(&padded), Ok(arp_request()));
}

#[test]
fn udp_hi_lengths() {
    let b = udp_hi().to_bytes();
    assert_eq!(b.len(), 44);
    assert_eq!(&b[16..18], &30u16.to_be_bytes(), "IP total length");
    assert_eq!(&b[38..40], &10u16.to_be_bytes(), "UDP length");
    assert_eq!(&b[20..22], &[0, 0], "DF clear on this datagram");
    assert_eq!(rfc1071(&pseudo_and(&b[34..], A, B, 17)), 0);
    assert_eq!(Frame::parse(&b), Ok(udp_hi()));
}

#[test]
fn icmp_errors_quote_and_round_trip() {
    let f = frag_needed();
    let b = f.to_bytes();
    assert_eq!(b.len(), 14 + 576, "Linux fills the error to 576 bytes");
    assert_eq!(&b[34..36], &[3, 4]);
    assert_eq!(&b[38..42], &[0, 0, 0x05, 0x78], "next-hop MTU 1400");
    assert_eq!(rfc1071(&b[34..]), 0);
    assert_eq!(Frame::parse(&b), Ok(f));
    let t = time_exceeded();
    let b = t.to_bytes();
    assert_eq!(b.len(), 14 + 20 + 8 + 30, "the whole 30-byte datagram is quoted");
    assert_eq!(Frame::parse(&b), Ok(t));
}

#[test]
fn corrupted_checksums_are_rejected() {
    let mut b = syn_frame().to_bytes();
    b[22] = 63; // TTL without fixing the header checksum
    assert!(matches!(Frame::parse(&b), Err(WireError::BadChecksum { layer: "IPv4" })));
    let mut b = syn_frame().to_bytes();
    b[40] ^= 1; // sequence number
    assert!(matches!(Frame::parse(&b), Err(WireError::BadChecksum { layer: "TCP" })));
    let d = dissect(&b);
    assert_eq!(d.get(Layer::Tcp, "Checksum").unwrap().valid, Some(false));
    assert!(d.problems.iter().any(|p| p.contains("TCP: bad checksum")), "{:?}", d.problems);
}

#[test]
fn fragmentation_and_reassembly() {
    let frags = fragments();
    assert_eq!(frags.len(), 3);
    let pkts: Vec<Ipv4Packet> = frags
        .iter()
        .map(|f| match &f.payload {
            FramePayload::Ipv4(p) => p.clone(),
            _ => unreachable!(),
        })
        .collect();
    let lens: Vec<usize> = pkts.iter().map(|p| p.transport.buffer_len()).collect();
    assert_eq!(lens, [1480, 1480, 48]);
    let offsets: Vec<u16> = pkts.iter().map(|p| p.ip.frag_offset).collect();
    assert_eq!(offsets, [0, 1480, 2960]);
    let mf: Vec<bool> = pkts.iter().map(|p| p.ip.more_frags).collect();
    assert_eq!(mf, [true, true, false]);
    for (f, p) in frags.iter().zip(&pkts) {
        let b = f.to_bytes();
        assert!(b.len() - 14 <= 1500);
        assert_eq!(Frame::parse(&b), Ok(f.clone()));
        assert_eq!(p.ip.ident, 0x5a17);
    }
    assert_eq!(u16::from_be_bytes([frags[1].to_bytes()[20], frags[1].to_bytes()[21]]), 0x2000 | 185);

    // Out of order, with a duplicate: complete on the last missing piece.
    let mut r = Reassembler::new();
    assert_eq!(r.add(0, pkts[2].clone()), None);
    assert_eq!(r.add(1, pkts[0].clone()), None);
    assert_eq!(r.add(2, pkts[0].clone()), None);
    let whole = r.add(3, pkts[1].clone()).expect("complete");
    let FramePayload::Ipv4(orig) =
        frame(A, B, false, Transport::Udp(UdpRepr { src_port: 5000, dst_port: 6000, payload: vec![0x5a; 3000] }))
            .payload
    else {
        unreachable!()
    };
    assert_eq!(whole, orig);
    assert!(r.is_empty());

    // A datagram that never completes expires; its first fragment comes back for ICMP 11/1.
    assert_eq!(r.add(10, pkts[0].clone()), None);
    assert!(r.expire(10 + DEFAULT_REASSEMBLY_TIMEOUT_NS - 1, DEFAULT_REASSEMBLY_TIMEOUT_NS).is_empty());
    assert_eq!(r.expire(10 + DEFAULT_REASSEMBLY_TIMEOUT_NS, DEFAULT_REASSEMBLY_TIMEOUT_NS), vec![pkts[0].clone()]);
    assert!(r.is_empty());

    // Overlapping fragments discard the datagram.
    let mut bad = pkts[1].clone();
    bad.ip.frag_offset = 8;
    assert_eq!(r.add(0, pkts[0].clone()), None);
    assert_eq!(r.add(0, bad), None);
    assert!(r.is_empty());

    // A packet that fits is returned as is.
    assert_eq!(orig.fragment(65535), vec![orig.clone()]);
}

/// Fields must tile the frame: in order, no gaps, no overlaps, covering every bit.
fn assert_tiles(name: &str, bytes: &[u8], d: &Dissection) {
    let mut at = 0;
    for f in &d.fields {
        assert!(f.bit_len > 0, "{name}: empty field {f:?}");
        assert_eq!(f.bit_offset, at, "{name}: gap or overlap before {f:?}");
        at = f.bit_end();
    }
    assert_eq!(at as usize, bytes.len() * 8, "{name}: fields end early");
}

/// The bit range a layer's fields cover, checked to be contiguous.
fn layer_span(d: &Dissection, layer: Layer) -> Option<(u32, u32)> {
    let fs: Vec<&Field> = d.layer(layer).collect();
    let first = fs.first()?;
    let mut at = first.bit_offset;
    for f in &fs {
        assert_eq!(f.bit_offset, at, "{layer:?} fields are not contiguous at {f:?}");
        at = f.bit_end();
    }
    Some((first.bit_offset / 8, at / 8))
}

#[test]
fn field_maps_cover_every_header_byte_exactly_once() {
    for (name, f) in all_frames() {
        let b = f.to_bytes();
        let d = dissect(&b);
        assert!(d.problems.is_empty(), "{name}: {:?}", d.problems);
        assert_tiles(name, &b, &d);
        assert_eq!(layer_span(&d, Layer::Ethernet), Some((0, 14)), "{name}");
        for c in d.fields.iter().filter(|f| f.name.contains("Checksum")) {
            assert_eq!(c.valid, Some(true), "{name}: {c:?}");
        }
        match &f.payload {
            FramePayload::Arp(_) => {
                assert_eq!(layer_span(&d, Layer::Arp), Some((14, 42)), "{name}")
            }
            FramePayload::Ipv4(p) => {
                assert_eq!(layer_span(&d, Layer::Ipv4), Some((14, 34)), "{name}");
                let l4 = match &p.transport {
                    Transport::Tcp(t) => Some((Layer::Tcp, t.header_len())),
                    Transport::Udp(_) => Some((Layer::Udp, 8)),
                    // ICMP fields include the quoted datagram of an error.
                    Transport::Icmp(IcmpRepr::EchoRequest { .. }) => Some((Layer::Icmp, 8)),
                    Transport::Icmp(i) => Some((Layer::Icmp, i.buffer_len())),
                    _ => None,
                };
                if let Some((layer, len)) = l4 {
                    assert_eq!(layer_span(&d, layer), Some((34, 34 + len as u32)), "{name}");
                }
            }
        }
    }
}

#[test]
fn syn_fields_and_summary() {
    let b = syn_frame().to_bytes();
    let d = dissect(&b);
    assert_eq!(
        d.summary,
        format!("10.0.0.1 → 10.0.0.2 TCP 49152 → 80 [SYN] Seq=2091822434 Win=64240 Len=0 MSS=1460 SACK_PERM TSval={TSVAL} TSecr=0 WS=128")
    );
    let f = |n: &str| d.get(Layer::Ipv4, n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!((f("Version").bit_offset, f("Version").bit_len), (112, 4));
    assert_eq!((f("Header Length").bit_offset, f("Header Length").bit_len), (116, 4));
    assert_eq!(f("Header Length").value, "20 bytes (5)");
    assert_eq!((f("Differentiated Services Codepoint").bit_len, f("Explicit Congestion Notification").bit_len), (6, 2));
    assert_eq!((f("Flags").bit_offset, f("Flags").bit_len), (20 * 8, 3));
    assert_eq!(f("Flags").value, "0x4000 (Don't fragment)");
    assert_eq!((f("Fragment Offset").bit_offset, f("Fragment Offset").bit_len), (20 * 8 + 3, 13));
    assert_eq!((f("Time to Live").bit_offset, f("Time to Live").value.as_str()), (22 * 8, "64"));
    assert!(f("Time to Live").meaning.contains("64"));
    assert_eq!(f("Header Checksum").valid, Some(true));
    let t = |n: &str| d.get(Layer::Tcp, n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!((t("Header Length").bit_offset, t("Header Length").bit_len), (46 * 8, 4));
    assert_eq!(t("Header Length").value, "40 bytes (10)");
    assert_eq!((t("Reserved").bit_offset, t("Reserved").bit_len), (46 * 8 + 4, 4));
    assert_eq!(t("Flags").value, "0x02 (SYN)");
    let mss = t("Option: Maximum segment size");
    assert_eq!((mss.bit_offset, mss.bit_len, mss.value.as_str()), (54 * 8, 32, "1460 bytes"));
    let names: Vec<&str> =
        d.layer(Layer::Tcp).filter(|f| f.name.starts_with("Option")).map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Option: Maximum segment size",
            "Option: SACK permitted",
            "Option: Timestamps",
            "Option: No-Operation (NOP)",
            "Option: Window scale"
        ]
    );
    assert_eq!(t("Option: Window scale").value, "7 (multiply by 128)");
    let d = dissect(&syn_ack_frame().to_bytes());
    assert_eq!(d.get(Layer::Tcp, "Flags").unwrap().value, "0x12 (SYN, ACK)");
}

#[test]
fn other_summaries() {
    assert_eq!(dissect(&arp_request().to_bytes()).summary, "Who has 10.0.0.2? Tell 10.0.0.1");
    assert_eq!(dissect(&arp_reply().to_bytes()).summary, "10.0.0.2 is at 02:00:00:00:00:02");
    assert_eq!(
        dissect(&ping().to_bytes()).summary,
        "10.0.0.1 → 10.0.0.2 ICMP Echo (ping) request id=0x1c2d, seq=1, ttl=64"
    );
    assert_eq!(
        dissect(&udp_hi().to_bytes()).summary,
        "10.0.0.1 → 10.0.0.2 UDP Source port: 53000  Destination port: 53"
    );
    let d = dissect(&frag_needed().to_bytes());
    assert_eq!(d.summary, "10.0.1.254 → 10.0.0.1 ICMP Destination unreachable (Fragmentation needed) MTU=1400");
    assert_eq!(d.get(Layer::Icmp, "MTU of next hop").unwrap().value, "1400 bytes");
    let f = |n: &str| d.get(Layer::Icmp, n).unwrap().clone();
    assert_eq!(f("Type").value, "3 (Destination unreachable)");
    assert_eq!(f("Checksum").valid, Some(true));
    assert!(
        f("Original datagram").value.starts_with("548 bytes: 10.0.0.1 → 10.0.0.2 TCP 49152 → 80"),
        "{}",
        f("Original datagram").value
    );
    let d = dissect(&ping().to_bytes());
    assert_eq!(d.get(Layer::Icmp, "Type").unwrap().value, "8 (Echo (ping) request)");
    let d = dissect(&fragments()[1].to_bytes());
    assert!(d.summary.contains("Fragmented IP protocol (proto=UDP 17, off=1480"), "{}", d.summary);
    let d = dissect(&est_tcp(TcpFlags::ACK | TcpFlags::PSH, b"hello").to_bytes());
    assert_eq!(d.get(Layer::Payload, "TCP payload").unwrap().value, "5 bytes: \"hello\"");
}

#[test]
fn truncated_and_padded_frames() {
    let b = syn_frame().to_bytes();
    for cut in [0, 5, 13, 14, 20, 33, 34, 40, 53, 60, 73] {
        let d = dissect(&b[..cut]);
        assert_tiles("truncated", &b[..cut], &d);
        if cut > 0 {
            assert!(!d.problems.is_empty(), "cut at {cut}");
        }
        assert!(Frame::parse(&b[..cut]).is_err());
    }
    let mut padded = udp_hi().to_bytes();
    padded.resize(60, 0);
    let d = dissect(&padded);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.fields.last().unwrap().name, "Padding");
    assert_tiles("padded", &padded, &d);
    assert_eq!(Frame::parse(&padded), Ok(udp_hi()));
}

/// TCP Fast Open (RFC 7413 §4.1.1): a SYN carrying an 8-byte cookie and 5 data bytes. Linux
/// writes the option after window scale and pads it after the cookie (`tcp_options_write`).
#[test]
fn fast_open_syn_bytes_and_fields() {
    let mut syn = linux_syn();
    syn.options.fast_open = Some(vec![0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
    syn.payload = b"hello".to_vec();
    let b = frame(A, B, true, Transport::Tcp(syn)).to_bytes();
    // 14 Ethernet + 20 IPv4 + 20 TCP, then 20 option bytes as before, then Fast Open.
    assert_eq!(b[54 + 20..54 + 32], [34, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 1, 1]);
    assert_eq!(b[46] >> 4, 13, "data offset 52 bytes");
    assert_eq!(&b[b.len() - 5..], b"hello");
    let d = dissect(&b);
    assert!(d.summary.ends_with("WS=128 TFO=C:1122334455667788"), "{}", d.summary);
    assert!(d.summary.contains("Len=5"), "{}", d.summary);
    let f = d.get(Layer::Tcp, "Option: TCP Fast Open").expect("fast open field");
    assert_eq!((f.bit_offset, f.bit_len, f.value.as_str()), (74 * 8, 80, "cookie 11 22 33 44 55 66 77 88"));
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let mut req = linux_syn();
    req.options.fast_open = Some(vec![]);
    let d = dissect(&frame(A, B, true, Transport::Tcp(req)).to_bytes());
    assert_eq!(d.get(Layer::Tcp, "Option: TCP Fast Open").unwrap().value, "cookie request");
    assert!(d.summary.ends_with("TFO=R"), "{}", d.summary);
}
