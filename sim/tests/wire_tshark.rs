//! Cross-check of our frames with Wireshark's dissectors: one frame of each kind is written to
//! a pcap and read back with tshark, with every checksum check turned on.
//!
//! Needs the `pcap` feature; the workspace test command (`cargo test --workspace
//! --all-features`) enables it. Needs `tshark` on PATH (`apt-get install tshark`); the CI
//! bootstrap installs it, and without it this test fails rather than passing silently.

#![cfg(feature = "pcap")]

use std::process::Command;
use wirewise_sim::pcap::write_pcap;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::FrameRecord;
use wirewise_sim::wire::icmp::code;
use wirewise_sim::wire::*;

const A: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const B: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const ROUTER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 254);
const ISN_C: u32 = 2_091_822_434;
const ISN_S: u32 = 3_900_000_000;

fn frame(src: Ipv4Addr, dst: Ipv4Addr, df: bool, ident: u16, t: Transport) -> Frame {
    let protocol = Ipv4Packet::protocol_of(&t, IpProtocol(253));
    Frame {
        eth: EthernetRepr {
            dst: MacAddr::local(u32::from(dst)),
            src: MacAddr::local(u32::from(src)),
            ethertype: EtherType::IPV4,
        },
        payload: FramePayload::Ipv4(Ipv4Packet {
            ip: Ipv4Repr {
                src,
                dst,
                protocol,
                ttl: 64,
                ident,
                dont_frag: df,
                more_frags: false,
                frag_offset: 0,
                dscp: 0,
                ecn: 0,
            },
            transport: t,
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn tcp(
    client: bool,
    seq: u32,
    ack: u32,
    flags: TcpFlags,
    window: u16,
    options: TcpOptions,
    payload: &[u8],
    ident: u16,
) -> Frame {
    let (s, d, sp, dp) = if client { (A, B, 49152, 80) } else { (B, A, 80, 49152) };
    let t =
        TcpRepr { src_port: sp, dst_port: dp, seq, ack, flags, window, urgent: 0, options, payload: payload.to_vec() };
    frame(s, d, true, ident, Transport::Tcp(t))
}

fn ts(v: u32, e: u32) -> TcpOptions {
    TcpOptions { timestamps: Some((v, e)), ..Default::default() }
}

fn arp(op: ArpOp) -> Frame {
    let (dst, payload) = match op {
        ArpOp::Request => (
            MacAddr::BROADCAST,
            ArpRepr {
                op,
                sender_mac: MacAddr::local(u32::from(A)),
                sender_ip: A,
                target_mac: MacAddr::ZERO,
                target_ip: B,
            },
        ),
        ArpOp::Reply => (
            MacAddr::local(u32::from(A)),
            ArpRepr {
                op,
                sender_mac: MacAddr::local(u32::from(B)),
                sender_ip: B,
                target_mac: MacAddr::local(u32::from(A)),
                target_ip: A,
            },
        ),
    };
    let src = payload.sender_mac;
    Frame { eth: EthernetRepr { dst, src, ethertype: EtherType::ARP }, payload: FramePayload::Arp(payload) }
}

/// A short conversation touching every kind of frame.
fn frames() -> Vec<Frame> {
    let syn_opts = |tsval, tsecr| TcpOptions {
        mss: Some(1460),
        window_scale: Some(7),
        sack_permitted: true,
        timestamps: Some((tsval, tsecr)),
        sack_blocks: vec![],
        fast_open: None,
    };
    let req = b"GET / HTTP/1.1\r\nHost: b\r\n\r\n";
    let n = req.len() as u32;
    let (c, s) = (ISN_C + 1, ISN_S + 1);
    let ack = TcpFlags::ACK;
    let mut v = vec![
        arp(ArpOp::Request),
        arp(ArpOp::Reply),
        tcp(true, ISN_C, 0, TcpFlags::SYN, 64240, syn_opts(1000, 0), b"", 1),
        tcp(false, ISN_S, c, TcpFlags::SYN | ack, 65160, syn_opts(5000, 1000), b"", 0),
        tcp(true, c, s, ack, 502, ts(1001, 5000), b"", 2),
        tcp(true, c, s, ack | TcpFlags::PSH, 502, ts(1002, 5000), req, 3),
        tcp(false, s, c + n, ack, 509, ts(5001, 1002), b"", 1),
        tcp(true, c + n, s, ack | TcpFlags::FIN, 502, ts(1003, 5001), b"", 4),
        tcp(false, s, c + n + 1, TcpFlags::RST, 0, TcpOptions::default(), b"", 0),
    ];
    let dns = UdpRepr {
        src_port: 53000,
        dst_port: 53,
        payload: vec![
            0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm',
            0, 0, 1, 0, 1,
        ],
    };
    v.push(frame(A, B, false, 7, Transport::Udp(dns)));
    let data: Vec<u8> = (0..56u8).collect();
    v.push(frame(A, B, true, 8, Transport::Icmp(IcmpRepr::EchoRequest { ident: 0x77, seq_no: 1, data: data.clone() })));
    v.push(frame(B, A, false, 9, Transport::Icmp(IcmpRepr::EchoReply { ident: 0x77, seq_no: 1, data })));
    let big = tcp(true, c + n, s, ack | TcpFlags::PSH, 502, ts(1004, 5001), &[0x61; 1448], 10);
    let FramePayload::Ipv4(big_ip) = &big.payload else { unreachable!() };
    v.push(frame(
        ROUTER,
        A,
        false,
        11,
        Transport::Icmp(IcmpRepr::DestUnreachable {
            code: code::FRAG_NEEDED,
            next_hop_mtu: 1400,
            original: IcmpRepr::quote(&big_ip.to_bytes()),
        }),
    ));
    let FramePayload::Ipv4(dns_ip) = &v[9].payload else { unreachable!() };
    v.push(frame(
        ROUTER,
        A,
        false,
        12,
        Transport::Icmp(IcmpRepr::TimeExceeded { code: 0, original: IcmpRepr::quote(&dns_ip.to_bytes()) }),
    ));
    let frag_src = frame(
        A,
        B,
        false,
        0x4242,
        Transport::Udp(UdpRepr { src_port: 5000, dst_port: 6000, payload: vec![0x5a; 3000] }),
    );
    let FramePayload::Ipv4(p) = &frag_src.payload else { unreachable!() };
    for piece in p.fragment(1500) {
        v.push(Frame { eth: frag_src.eth, payload: FramePayload::Ipv4(piece) });
    }
    v
}

const FIELDS: &[&str] = &[
    "frame.number",
    "_ws.malformed",
    "_ws.expert.severity",
    "ip.checksum.status",
    "tcp.checksum.status",
    "udp.checksum.status",
    "icmp.checksum.status",
    "tcp.flags",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.len",
    "tcp.options.mss_val",
    "tcp.window_size_value",
    "ip.ttl",
    "ip.flags.df",
    "udp.length",
    "icmp.type",
    "icmp.mtu",
    "arp.opcode",
    "tcp.hdr_len",
    "_ws.expert.message",
];

fn tshark(path: &std::path::Path) -> Vec<Vec<Vec<String>>> {
    // Wireshark always verifies ICMP checksums; it has no preference for them.
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args([
        "-n",
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
        "-T",
        "fields",
        "-E",
        "separator=\t",
        "-E",
        "aggregator=\u{1}",
        "-E",
        "occurrence=a",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("could not run tshark ({e}); install it: apt-get install tshark"),
    };
    assert!(out.status.success(), "tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(|c| c.split('\u{1}').map(str::to_string).collect()).collect())
        .collect()
}

/// First occurrence of a field as a number (decimal, hex or boolean).
fn num(row: &[Vec<String>], name: &str) -> Option<u64> {
    let i = FIELDS.iter().position(|f| *f == name).unwrap();
    let s = row.get(i)?.first()?.trim();
    match s {
        "" => None,
        "True" => Some(1),
        "False" => Some(0),
        _ => s.strip_prefix("0x").map(|h| u64::from_str_radix(h, 16).unwrap()).or_else(|| s.parse().ok()),
    }
}

fn all(row: &[Vec<String>], name: &str) -> Vec<String> {
    let i = FIELDS.iter().position(|f| *f == name).unwrap();
    row.get(i).map(|v| v.iter().filter(|s| !s.is_empty()).cloned().collect()).unwrap_or_default()
}

#[test]
fn tshark_agrees_with_our_frames() {
    if Command::new("tshark").arg("--version").output().is_err() {
        panic!("tshark is not on PATH; install it with `apt-get install tshark` (CI's bootstrap does)");
    }
    let frames = frames();
    let records: Vec<FrameRecord> = frames
        .iter()
        .map(|f| {
            let bytes = f.to_bytes();
            FrameRecord { orig_len: bytes.len() as u32, bytes }
        })
        .collect();
    let path = std::env::temp_dir().join(format!("wirewise-wire-tshark-{}.pcap", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    let at = (0..).map(|i| Instant(i * 1_000_000 + 123));
    write_pcap(std::io::BufWriter::new(file), 65535, at.zip(records.iter())).unwrap();
    let rows = tshark(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(rows.len(), frames.len(), "tshark read every frame");

    for (i, (f, row)) in frames.iter().zip(&rows).enumerate() {
        let n = i + 1;
        assert_eq!(num(row, "frame.number"), Some(n as u64));
        let malformed = all(row, "_ws.malformed");
        assert!(malformed.is_empty(), "frame {n}: malformed: {row:?}");
        // An ICMP error quotes only the start of a long TCP segment; with TCP checksum checks on,
        // Wireshark checks the quoted, cut-off segment too and calls it bad. Only the outer
        // headers are ours to verify there.
        let icmp_error = matches!(
            &f.payload,
            FramePayload::Ipv4(Ipv4Packet {
                transport: Transport::Icmp(IcmpRepr::DestUnreachable { .. } | IcmpRepr::TimeExceeded { .. }),
                ..
            })
        );
        // Wireshark's expert severity: 0x00800000 is Error (bad checksum, malformed).
        let sev = all(row, "_ws.expert.severity");
        let msgs = all(row, "_ws.expert.message");
        let none = String::new();
        let errors: Vec<&String> = sev
            .iter()
            .zip(msgs.iter().chain(std::iter::repeat(&none)))
            .filter(|(s, m)| {
                s.parse::<u64>().unwrap_or(0) >= 0x0080_0000 && !(icmp_error && m.starts_with("Bad checksum"))
            })
            .map(|(_, m)| m)
            .collect();
        assert!(errors.is_empty(), "frame {n}: expert errors {errors:?}");
        // Checksum status 1 = Good; every checksum of the outer headers must verify.
        for c in ["ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status"] {
            if icmp_error && c != "ip.checksum.status" && c != "icmp.checksum.status" {
                continue;
            }
            if let Some(s) = num(row, c) {
                assert_eq!(s, 1, "frame {n}: {c}: {row:?}");
            }
        }
        match &f.payload {
            FramePayload::Arp(a) => {
                assert_eq!(num(row, "arp.opcode"), Some(u64::from(a.op.code())), "frame {n}");
            }
            FramePayload::Ipv4(p) => {
                assert_eq!(num(row, "ip.ttl"), Some(u64::from(p.ip.ttl)), "frame {n}");
                assert_eq!(num(row, "ip.flags.df"), Some(u64::from(p.ip.dont_frag)), "frame {n}");
                match &p.transport {
                    Transport::Tcp(t) => {
                        assert_eq!(num(row, "tcp.flags"), Some(u64::from(t.flags.0)), "frame {n}");
                        assert_eq!(num(row, "tcp.seq_raw"), Some(u64::from(t.seq)), "frame {n}");
                        if t.flags.ack() {
                            assert_eq!(num(row, "tcp.ack_raw"), Some(u64::from(t.ack)), "frame {n}");
                        }
                        assert_eq!(num(row, "tcp.len"), Some(t.payload.len() as u64), "frame {n}");
                        assert_eq!(num(row, "tcp.hdr_len"), Some(t.header_len() as u64), "frame {n}");
                        assert_eq!(num(row, "tcp.options.mss_val"), t.options.mss.map(u64::from), "frame {n}");
                        assert_eq!(num(row, "tcp.window_size_value"), Some(u64::from(t.window)), "frame {n}");
                    }
                    Transport::Udp(u) => {
                        assert_eq!(num(row, "udp.length"), Some(u.buffer_len() as u64), "frame {n}");
                    }
                    Transport::Icmp(icmp) => {
                        assert_eq!(num(row, "icmp.type"), Some(u64::from(icmp.type_code().0)), "frame {n}");
                        if let IcmpRepr::DestUnreachable { next_hop_mtu, .. } = icmp {
                            assert_eq!(num(row, "icmp.mtu"), Some(u64::from(*next_hop_mtu)), "frame {n}");
                        }
                    }
                    Transport::Fragment(_) if !p.ip.more_frags => {
                        // tshark reassembles the datagram on its last fragment.
                        assert_eq!(num(row, "udp.length"), Some(3008), "frame {n}: {row:?}");
                    }
                    Transport::Fragment(_) | Transport::Other(_) => {}
                }
            }
        }
    }
}
