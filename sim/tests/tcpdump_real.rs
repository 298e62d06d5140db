//! Every preset's capture, at every host, printed by [`wirewise_sim::tcpdump::lines`] equals
//! what the real `TZ=UTC tcpdump -n -r` and `tcpdump -n -S -r` print for the same pcap, line
//! for line. Needs `tcpdump` (Debian package `tcpdump`; the test bootstrap installs it).
#![cfg(feature = "pcap")]

use std::process::Command;
use wirewise_sim::params::ParamSet;
use wirewise_sim::presets;
use wirewise_sim::tcpdump::{lines, TcpdumpOptions};

mod capture_common;

fn tcpdump(path: &std::path::Path, absolute: bool) -> Vec<String> {
    let mut cmd = Command::new("tcpdump");
    cmd.env("TZ", "UTC").arg("-n");
    if absolute {
        cmd.arg("-S");
    }
    cmd.arg("-r").arg(path);
    let out =
        cmd.output().unwrap_or_else(|e| panic!("tcpdump is required for this test (apt-get install tcpdump): {e}"));
    assert!(out.status.success(), "tcpdump failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// Settings besides the defaults that reach other printers and paths: ECN flags, a DNS query
/// fragmented by padding, ICMP "need to frag" for UDP, TLS records, QUIC, GET requests,
/// textbook recovery and Fast Open fallback.
const VARIANTS: &[(&str, &[(&str, &str)])] = &[
    ("congestion", &[("ecn", "10")]),
    ("congestion-loss", &[("recovery", "textbook")]),
    ("congestion", &[("algorithm", "bbr")]),
    ("http-request", &[("mode", "dns"), ("pad", "3000")]),
    ("http-request", &[("mode", "dns"), ("pad", "3000"), ("df", "true")]),
    ("http-request", &[("tls", "true")]),
    ("http-request", &[("method", "GET"), ("path", "/")]),
    ("fragmentation", &[("df", "true")]),
    ("pmtud", &[("block_icmp", "true")]),
    ("dns", &[("lose_query", "true")]),
    ("tfo", &[("server", "off")]),
    ("hol-blocking", &[("transport", "quic")]),
    ("nagle", &[("nodelay", "true")]),
];

#[test]
fn every_preset_capture_prints_as_tcpdump_prints_it() {
    let dir = std::env::temp_dir().join(format!("wirewise-tcpdump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut compared = 0;
    let mut snapped = 0;
    // What the comparison must have covered (`$`: at the end of a line), and whether it was seen.
    let mut seen: Vec<(&str, bool)> = [
        "Flags [S], seq",
        "Flags [S.], seq",
        "Flags [SEW]",
        "Flags [S.E]",
        "Flags [.W]",
        "Flags [R]",
        "Flags [R.]",
        "Flags [F.]",
        "Flags [P.]",
        ",sack 1 {",
        "tfo  cookiereq",
        "tfo  cookie ",
        "HTTP: GET / HTTP/1.1",
        "HTTP: HTTP/1.1 200 OK",
        ": HTTP$",
        "+ A? ",
        "* 1/0/0 A ",
        "ip-proto-17",
        "unreachable - need to frag (mtu ",
        "udp port ",
        "ICMP time exceeded in-transit",
        "ICMP echo request, id ",
        "ICMP echo reply, id ",
        "UDP, length ",
        "ARP, Request who-has ",
        ", length 28",
        "is-at 02:00:",
    ]
    .into_iter()
    .map(|m| (m, false))
    .collect();
    let defaults = presets::all().iter().map(|p| (p, p.default_scenario().unwrap(), String::new()));
    let variants = VARIANTS.iter().map(|(name, pairs)| {
        let p = presets::find(name).unwrap();
        let set = ParamSet::apply_strict(p.params, pairs.iter().copied()).unwrap();
        let label = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
        (p, (p.build)(&set).unwrap(), label)
    });
    for (n, (p, mut s, label)) in defaults.chain(variants).enumerate() {
        // Long transfers keep only headers (the snap length stays, so cut frames are checked
        // too); a short stretch of them is enough.
        capture_common::shorten(p.name, &mut s);
        let t = wirewise_sim::run(&s).unwrap();
        capture_common::each_host_capture(&t, &dir, &format!("{n}-{}", p.name), |host, path, frames| {
            snapped +=
                frames.iter().filter(|(_, r)| r.orig_len as usize > r.bytes.len().min(t.snaplen as usize)).count();
            for absolute in [false, true] {
                let want = tcpdump(path, absolute);
                let got = lines(frames, &TcpdumpOptions { absolute_seq: absolute });
                let ctx = format!("{} {label} at {host}{}", p.name, if absolute { " (-S)" } else { "" });
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(g, w, "{ctx}: line {} differs", i + 1);
                }
                assert_eq!(got.len(), want.len(), "{ctx}: line count");
                for (m, hit) in seen.iter_mut() {
                    // A marker ending in `$` must end the line.
                    *hit |= got.iter().any(|l| match m.strip_suffix('$') {
                        Some(end) => l.ends_with(end),
                        None => l.contains(*m),
                    });
                }
                compared += got.len();
            }
        });
    }
    let missed: Vec<_> = seen.iter().filter(|(_, hit)| !hit).map(|(m, _)| *m).collect();
    assert!(missed.is_empty(), "no line shows {missed:?}");
    eprintln!("{compared} lines compared ({snapped} frames cut by the snap length)");
    assert!(compared > 10_000, "only {compared} lines compared");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Frames no preset sends, built by hand and cut by a small snap length where it matters:
/// URG, an unknown option and EOL, an ARP request naming a target MAC, NXDOMAIN, host and
/// TCP port unreachable, reassembly time exceeded, an HTTP line cut by the snap length, an
/// IP protocol tcpdump has no printer for.
#[test]
fn hand_built_frames_print_as_tcpdump_prints_them() {
    use wirewise_sim::time::Instant;
    use wirewise_sim::trace::FrameRecord;
    use wirewise_sim::wire::*;
    let (a, b) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
    let eth = |t| EthernetRepr { dst: MacAddr::local(2), src: MacAddr::local(1), ethertype: t };
    let ip = |src, dst| Ipv4Repr {
        src,
        dst,
        protocol: IpProtocol(0),
        ttl: 64,
        ident: 7,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        dscp: 0,
        ecn: 0,
    };
    let v4 = |src, dst, transport| Frame {
        eth: eth(EtherType::IPV4),
        payload: FramePayload::Ipv4(Ipv4Packet { ip: ip(src, dst), transport }),
    };
    let tcp = |sp, dp, seq, ack, flags, payload: &[u8]| TcpRepr {
        src_port: sp,
        dst_port: dp,
        seq,
        ack,
        flags,
        window: 1000,
        urgent: 3,
        options: TcpOptions::default(),
        payload: payload.to_vec(),
    };
    let mut frames: Vec<Vec<u8>> = vec![];
    // URG, and options tcpdump prints raw: an unknown kind 99, a NOP and EOL, written over
    // the timestamps option's 12 bytes (the TCP checksum is computed again).
    let mut seg = tcp(40000, 80, 5, 9, TcpFlags::SYN | TcpFlags::URG, b"");
    seg.options.timestamps = Some((0, 0));
    let mut raw = v4(a, b, Transport::Tcp(seg.clone())).to_bytes();
    raw[54..66].copy_from_slice(&[99, 4, 0xab, 0xcd, 1, 0, 0, 0, 0, 0, 0, 0]);
    raw[50..52].fill(0);
    let sum = checksum::transport(a, b, 6, &raw[34..]);
    raw[50..52].copy_from_slice(&sum.to_be_bytes());
    frames.push(raw);
    seg.flags = TcpFlags::ACK | TcpFlags::PSH;
    seg.options.timestamps = None;
    seg.payload = b"GET /a-rather-long-path-that-the-snap-length-cuts HTTP/1.1\r\n\r\n".to_vec();
    frames.push(v4(a, b, Transport::Tcp(seg)).to_bytes());
    frames.push(
        Frame {
            eth: eth(EtherType::ARP),
            payload: FramePayload::Arp(ArpRepr {
                op: ArpOp::Request,
                sender_mac: MacAddr::local(1),
                sender_ip: a,
                target_mac: MacAddr::local(2),
                target_ip: b,
            }),
        }
        .to_bytes(),
    );
    let q = wirewise_sim::apps::dns::query(4242, &wirewise_sim::apps::dns::encode_name("nowhere.example").unwrap());
    let r = wirewise_sim::apps::dns::answer(&q, &[]).unwrap();
    frames.push(v4(a, b, Transport::Udp(UdpRepr { src_port: 40001, dst_port: 53, payload: q })).to_bytes());
    frames.push(v4(b, a, Transport::Udp(UdpRepr { src_port: 53, dst_port: 40001, payload: r })).to_bytes());
    let quoted = v4(a, b, Transport::Tcp(tcp(40002, 81, 1, 0, TcpFlags::SYN, b""))).to_bytes()[14..].to_vec();
    for (code, mtu) in [(1, 0), (3, 0), (4, 0), (13, 0)] {
        let msg = IcmpRepr::DestUnreachable { code, next_hop_mtu: mtu, original: quoted[..28].to_vec() };
        frames.push(v4(b, a, Transport::Icmp(msg)).to_bytes());
    }
    frames.push(
        v4(b, a, Transport::Icmp(IcmpRepr::TimeExceeded { code: 1, original: quoted[..28].to_vec() })).to_bytes(),
    );
    // A protocol without a printer.
    let mut other = ip(a, b);
    other.protocol = IpProtocol(253);
    frames.push(
        Frame {
            eth: eth(EtherType::IPV4),
            payload: FramePayload::Ipv4(Ipv4Packet { ip: other, transport: Transport::Other(vec![1, 2, 3, 4]) }),
        }
        .to_bytes(),
    );
    let recs: Vec<FrameRecord> = frames
        .into_iter()
        .map(|bytes| FrameRecord { orig_len: bytes.len() as u32, bytes: bytes[..bytes.len().min(90)].to_vec() })
        .collect();
    let frames: Vec<_> = recs.iter().enumerate().map(|(i, r)| (Instant(i as u64 * 1_234_567), r)).collect();
    let dir = std::env::temp_dir().join(format!("wirewise-tcpdump-hand-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hand.pcap");
    wirewise_sim::pcap::write_pcap(std::fs::File::create(&path).unwrap(), 90, frames.iter().copied()).unwrap();
    for absolute in [false, true] {
        let want = tcpdump(&path, absolute);
        let got = lines(&frames, &TcpdumpOptions { absolute_seq: absolute });
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "hand-built line {} differs", i + 1);
        }
        assert_eq!(got.len(), want.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
