//! Opening captures: every preset's capture written as pcap and read back frame for frame;
//! real loopback captures made with tcpdump during the test (pcap with µs and ns stamps,
//! `-i any` in Linux cooked v2, pcapng via editcap, two sections) with their per-connection
//! figures checked against what the test sent; and hostile files (truncated at every offset,
//! seeded garbage, huge length fields, unknown link types) that must never panic.
//! The tcpdump test needs root and `tcpdump` (Debian packages `tcpdump`, `tshark` for
//! editcap); it says so and skips when tcpdump cannot capture.
#![cfg(feature = "pcap")]

mod capture_common;

use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration as StdDuration;
use wirewise_sim::import::{trace_from, Imported, Importer, MAX_RECORD};
use wirewise_sim::label::frame_labels;
use wirewise_sim::packet_list::packet_rows;
use wirewise_sim::presets;
use wirewise_sim::rng::Rng;
use wirewise_sim::tcp_analysis::connections;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{FrameRecord, NodeKind};

fn import_in_chunks(bytes: &[u8], chunk: usize) -> Imported {
    let mut imp = Importer::new();
    for c in bytes.chunks(chunk.max(1)) {
        if imp.push(c).is_err() {
            break;
        }
    }
    assert!(imp.bytes_read() <= bytes.len() as u64);
    imp.finish()
}

fn sim_pcap(frames: &[(Instant, &FrameRecord)], snaplen: u32) -> Vec<u8> {
    let mut out = Vec::new();
    wirewise_sim::pcap::write_pcap(&mut out, snaplen, frames.iter().copied()).unwrap();
    out
}

/// The problems an import of a real capture reported, less the note that a frame was stamped
/// before the one ahead of it: on a machine with several CPUs the kernel stamps loopback
/// packets on whichever CPU handles them, so a real capture can hold such a pair.
fn real_problems(imp: &Imported) -> Vec<&String> {
    imp.problems.iter().filter(|p| !p.contains("stamped earlier than the frame before them")).collect()
}

/// Checks that a trace built from `imp` works in the packet list and the ladder labels.
fn views_accept(imp: &Imported) {
    let t = trace_from(imp);
    assert_eq!(t.frames.len(), imp.frames.len());
    let rows = packet_rows(&t);
    assert_eq!(rows.len(), imp.frames.len());
    assert!(rows.windows(2).all(|w| w[0].t <= w[1].t));
    assert_eq!(frame_labels(&t).len(), imp.frames.len());
    for (n, node) in t.nodes.iter().enumerate() {
        assert!(!node.name.is_empty(), "node {n} has no name");
    }
}

#[test]
fn every_preset_capture_round_trips_through_pcap() {
    let mut checked = 0;
    for p in presets::all() {
        let mut s = p.default_scenario().unwrap();
        capture_common::shorten(p.name, &mut s);
        let t = wirewise_sim::run(&s).unwrap();
        for (node, info) in t.nodes.iter().enumerate() {
            if info.kind != NodeKind::Host {
                continue;
            }
            let frames = t.capture(node as u16);
            if frames.is_empty() {
                continue;
            }
            let file = sim_pcap(&frames, t.snaplen);
            // Odd chunk sizes split records and headers everywhere.
            let imp = import_in_chunks(&file, 1 + (checked * 97) % 3001);
            let ctx = format!("{} at {}", p.name, info.name);
            assert!(imp.problems.is_empty(), "{ctx}: {:?}", imp.problems);
            assert_eq!(imp.frames.len(), frames.len(), "{ctx}");
            assert_eq!(imp.link_types.get(&1).copied(), Some(frames.len() as u64), "{ctx}");
            let t0 = frames[0].0;
            assert_eq!(imp.first_timestamp, Some(StdDuration::from_nanos(t0.as_nanos())), "{ctx}");
            for (i, ((at, rec), (got_t, got))) in frames.iter().zip(&imp.frames).enumerate() {
                let cap = rec.bytes.len().min(t.snaplen as usize);
                assert_eq!(got.bytes, rec.bytes[..cap], "{ctx}: frame {i} bytes");
                assert_eq!(got.orig_len, rec.orig_len.max(cap as u32), "{ctx}: frame {i} length");
                assert_eq!(got_t.as_nanos(), at.as_nanos() - t0.as_nanos(), "{ctx}: frame {i} time");
            }
            views_accept(&imp);
            // The analysis of the imported frames equals the analysis of the run's own.
            let back: Vec<(Instant, &FrameRecord)> = imp.frames.iter().map(|(t, r)| (*t, r)).collect();
            let a = connections(&frames);
            let b = connections(&back);
            assert_eq!(a.len(), b.len(), "{ctx}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!((x.client, x.server, x.handshake_seen), (y.client, y.server, y.handshake_seen), "{ctx}");
                assert_eq!(x.syn_to_synack, y.syn_to_synack, "{ctx}");
                for d in 0..2 {
                    let (p, q) = (&x.directions[d], &y.directions[d]);
                    assert_eq!(
                        (p.payload_bytes, p.stream_bytes, p.retransmissions, p.duplicate_acks, p.zero_windows),
                        (q.payload_bytes, q.stream_bytes, q.retransmissions, q.duplicate_acks, q.zero_windows),
                        "{ctx}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} captures checked");
}

/// A loss preset at the sender: the analysis finds the retransmissions the run made.
#[test]
fn retransmissions_of_a_lossy_run_are_found() {
    let p = presets::find("congestion-loss").unwrap();
    let mut s = p.default_scenario().unwrap();
    s.stop_ms = s.stop_ms.min(10_000.0);
    let t = wirewise_sim::run(&s).unwrap();
    let sum = wirewise_sim::summary::summarize(p.name, &t);
    let sent: u32 = sum.connections.iter().map(|c| c.retransmissions).sum();
    let mut found = 0;
    for (n, info) in t.nodes.iter().enumerate() {
        if info.kind == NodeKind::Host {
            for c in connections(&t.capture(n as u16)) {
                for d in &c.directions {
                    // Count at the sender only: the receiver does not see lost segments.
                    if d.from.ip() == info.ifaces[0].ip.map(|x| x.0).as_ref().unwrap() {
                        found += d.retransmissions;
                        assert!(d.series.segments.windows(2).all(|w| w[0].t <= w[1].t));
                        assert!(d.series.window.len() == d.series.acks.len());
                    }
                }
            }
        }
    }
    assert!(sent > 0, "the preset lost nothing");
    assert_eq!(found, sent, "retransmissions by the analysis vs the run's summary");
}

// ---------------------------------------------------------------- real captures

struct Tcpdump {
    child: std::process::Child,
}

impl Tcpdump {
    fn start(args: &[&str]) -> Option<Tcpdump> {
        let mut child = Command::new("tcpdump").args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().ok()?;
        // tcpdump says "listening on …" once the capture runs.
        let mut err = child.stderr.take()?;
        let mut seen = Vec::new();
        let mut b = [0u8; 256];
        while !String::from_utf8_lossy(&seen).contains("listening on") {
            match err.read(&mut b) {
                Ok(0) | Err(_) => {
                    let _ = child.wait();
                    eprintln!("tcpdump did not start: {}", String::from_utf8_lossy(&seen));
                    return None;
                }
                Ok(n) => seen.extend_from_slice(&b[..n]),
            }
        }
        // Keep draining stderr so tcpdump never blocks on it.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = err.read_to_end(&mut sink);
        });
        Some(Tcpdump { child })
    }

    fn stop(mut self) {
        std::thread::sleep(StdDuration::from_millis(300));
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Tcpdump {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// (client port, bytes the client sent, bytes the server answered) per connection.
fn talk(port: u16, rounds: usize) -> Vec<(u16, u64, u64)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = std::thread::spawn(move || {
        for _ in 0..rounds {
            let (mut s, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            // Answer with twice what arrived, then close.
            let reply = vec![0x5a; got.len() * 2];
            s.write_all(&reply).unwrap();
        }
    });
    let mut out = Vec::new();
    for i in 0..rounds {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let n = 1000 + 30_000 * i;
        c.write_all(&vec![0xa5; n]).unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let mut back = Vec::new();
        c.read_to_end(&mut back).unwrap();
        out.push((c.local_addr().unwrap().port(), n as u64, back.len() as u64));
        std::thread::sleep(StdDuration::from_millis(20));
    }
    server.join().unwrap();
    out
}

fn check_connections(name: &str, imp: &Imported, port: u16, talks: &[(u16, u64, u64)]) {
    let frames: Vec<(Instant, &FrameRecord)> = imp.frames.iter().map(|(t, r)| (*t, r)).collect();
    let conns = connections(&frames);
    for &(cport, sent, answered) in talks {
        let c = conns
            .iter()
            .find(|c| c.client.port() == cport && c.server.port() == port)
            .unwrap_or_else(|| panic!("{name}: no connection from port {cport} in {conns:#?}"));
        assert!(c.handshake_seen, "{name}: handshake of {cport}");
        assert!(c.syn_to_synack.is_some() && c.synack_to_ack.is_some());
        let [up, down] = &c.directions;
        assert_eq!((up.stream_bytes, up.payload_bytes), (sent, sent), "{name}: bytes client→server");
        assert_eq!((down.stream_bytes, down.payload_bytes), (answered, answered), "{name}: bytes server→client");
        assert_eq!(up.retransmissions + down.retransmissions, 0, "{name}: retransmissions on loopback");
        assert!(up.fin && down.fin);
        assert!(up.window_scale.is_some(), "{name}: Linux negotiates window scaling");
        let last = up.series.segments.last().unwrap();
        assert_eq!(last.end, sent as i64 + 2, "{name}: SYN + data + FIN");
        assert_eq!(up.series.acks.last().unwrap().1, sent as i64 + 2, "{name}: the server ACKs the FIN");
        assert_eq!(down.series.acks.last().unwrap().1, answered as i64 + 2, "{name}: the client ACKs the FIN");
        assert!(up.series.window.iter().zip(&up.series.acks).all(|(w, a)| w.1 >= a.1));
    }
}

#[test]
fn real_loopback_captures_from_tcpdump() {
    let dir = std::env::temp_dir().join(format!("wirewise-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let filter = format!("tcp port {port}");
    let (a, b, c) = (dir.join("a.pcap"), dir.join("b.pcap"), dir.join("c.pcapng"));
    let dump = |iface: &str, path: &std::path::Path, extra: &[&str]| {
        // Immediate mode: every packet is written as it comes (otherwise the last ones wait in
        // the kernel ring when tcpdump stops); a 32 MiB buffer, so the kernel drops nothing.
        let mut args = vec!["-i", iface, "-U", "--immediate-mode", "-n", "-B", "32768", "-w", path.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(&filter);
        Tcpdump::start(&args)
    };
    let Some(lo) = dump("lo", &a, &[]) else {
        eprintln!("SKIPPED: tcpdump cannot capture here (it needs root and the tcpdump package)");
        return;
    };
    let Some(any) = dump("any", &b, &["--time-stamp-precision", "nano"]) else {
        eprintln!("SKIPPED: tcpdump -i any cannot capture here");
        return;
    };
    let talks = talk(port, 3);
    lo.stop();
    any.stop();
    let read = |p: &std::path::Path| std::fs::read(p).unwrap();
    let (fa, fb) = (read(&a), read(&b));
    assert_eq!(&fa[..4], &0xa1b2_c3d4u32.to_le_bytes(), "µs pcap");
    assert_eq!(&fb[..4], &0xa1b2_3c4du32.to_le_bytes(), "ns pcap");

    let ia = import_in_chunks(&fa, 1000);
    assert!(real_problems(&ia).is_empty(), "{:?}", ia.problems);
    assert_eq!(ia.link_types.keys().copied().collect::<Vec<_>>(), vec![1]);
    check_connections("tcpdump -i lo", &ia, port, &talks);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let first = ia.first_timestamp.unwrap();
    assert!(first <= now && now - first < StdDuration::from_secs(600), "absolute time of the first frame");
    views_accept(&ia);
    let t = trace_from(&ia);
    assert!(packet_rows(&t).iter().all(|r| r.protocol == "TCP"), "loopback checksums are not checked");
    // Client and server share 127.0.0.1: one node per socket.
    assert_eq!(t.nodes.len(), 1 + talks.len(), "{:?}", t.nodes.iter().map(|n| &n.name).collect::<Vec<_>>());

    let ib = import_in_chunks(&fb, 4096);
    assert!(real_problems(&ib).is_empty(), "{:?}", ib.problems);
    assert_eq!(ib.link_types.keys().copied().collect::<Vec<_>>(), vec![276], "tcpdump -i any writes SLL2");
    check_connections("tcpdump -i any", &ib, port, &talks);
    views_accept(&ib);

    // pcapng, as Wireshark saves it, and two sections in one file.
    let ok = Command::new("editcap").args(["-F", "pcapng"]).arg(&a).arg(&c).status().is_ok_and(|s| s.success());
    assert!(ok, "editcap (package tshark) is needed to make a pcapng file");
    let fc = read(&c);
    assert_eq!(&fc[..4], &[0x0a, 0x0d, 0x0d, 0x0a]);
    let ic = import_in_chunks(&fc, 333);
    assert!(real_problems(&ic).is_empty(), "{:?}", ic.problems);
    assert_eq!(ic.frames, ia.frames, "pcapng reads as the pcap it came from");
    assert_eq!(ic.first_timestamp, ia.first_timestamp);
    let bc = dir.join("b.pcapng");
    assert!(Command::new("editcap").args(["-F", "pcapng"]).arg(&b).arg(&bc).status().unwrap().success());
    let mut two = fc.clone();
    two.extend_from_slice(&read(&bc));
    let i2 = import_in_chunks(&two, 65536);
    assert_eq!(i2.frames.len(), ia.frames.len() + ib.frames.len());
    assert_eq!(i2.link_types.get(&276).copied(), Some(ib.frames.len() as u64));
    assert!(i2.problems.iter().any(|p| p.contains("2 pcapng sections")), "{:?}", i2.problems);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- hostile files

fn small_run() -> (Vec<(Instant, FrameRecord)>, u32) {
    let p = presets::find("handshake").unwrap();
    let t = wirewise_sim::run(&p.default_scenario().unwrap()).unwrap();
    let client = t.node_named("client").unwrap();
    (t.capture(client).into_iter().map(|(t, r)| (t, r.clone())).collect(), t.snaplen)
}

fn small_pcapng(frames: &[(Instant, FrameRecord)]) -> Vec<u8> {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
    use pcap_file::pcapng::PcapNgWriter;
    use pcap_file::DataLink;
    let mut w = PcapNgWriter::new(Vec::new()).unwrap();
    let idb = InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 65535,
        options: vec![InterfaceDescriptionOption::IfTsResol(9)],
    };
    w.write_pcapng_block(idb).unwrap();
    for (t, r) in frames {
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: StdDuration::from_nanos(t.as_nanos()),
            original_len: r.orig_len,
            data: Cow::Borrowed(&r.bytes),
            options: vec![],
        };
        w.write_pcapng_block(epb).unwrap();
    }
    w.into_inner()
}

#[test]
fn pcapng_with_nanosecond_interfaces_reads_like_pcap() {
    let (frames, snaplen) = small_run();
    let refs: Vec<(Instant, &FrameRecord)> = frames.iter().map(|(t, r)| (*t, r)).collect();
    let a = import_in_chunks(&sim_pcap(&refs, snaplen), 5);
    let b = import_in_chunks(&small_pcapng(&frames), 7);
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    assert_eq!(a.frames, b.frames);
    assert_eq!(a.first_timestamp, b.first_timestamp);
}

#[test]
fn truncated_at_every_offset_keeps_the_frames_before_the_cut() {
    let (frames, snaplen) = small_run();
    let refs: Vec<(Instant, &FrameRecord)> = frames.iter().map(|(t, r)| (*t, r)).collect();
    for (kind, file) in [("pcap", sim_pcap(&refs, snaplen)), ("pcapng", small_pcapng(&frames))] {
        let full = import_in_chunks(&file, file.len());
        assert_eq!(full.frames.len(), frames.len());
        for cut in 0..file.len() {
            let imp = import_in_chunks(&file[..cut], 1 + cut % 17);
            assert!(full.frames.starts_with(&imp.frames[..]) || imp.frames.is_empty(), "{kind} cut at {cut}");
            if cut == 0 {
                assert!(imp.problems.iter().any(|p| p.contains("empty")), "{:?}", imp.problems);
            } else if imp.frames.is_empty() {
                assert!(!imp.problems.is_empty(), "{kind} cut at {cut}: no problem reported");
            } else {
                // Only a cut between records leaves nothing to report.
                assert!(
                    imp.problems.is_empty() || imp.problems.iter().any(|p| p.contains("truncated")),
                    "{kind} cut at {cut}: {:?}",
                    imp.problems
                );
            }
        }
    }
}

#[test]
fn seeded_garbage_never_panics() {
    let (frames, snaplen) = small_run();
    let refs: Vec<(Instant, &FrameRecord)> = frames.iter().map(|(t, r)| (*t, r)).collect();
    let good = [sim_pcap(&refs, snaplen), small_pcapng(&frames)];
    let mut rng = Rng::new(0x1badcafe);
    for case in 0..3000 {
        let mut bytes = match case % 3 {
            0 => (0..rng.range_u64(0, 3000)).map(|_| rng.next_u32() as u8).collect::<Vec<u8>>(),
            _ => good[case % 2].clone(),
        };
        if case % 3 != 0 {
            // Flip a few bytes anywhere, headers and length fields included.
            for _ in 0..rng.range_u64(1, 8) {
                let i = rng.range_u64(0, bytes.len() as u64 - 1) as usize;
                bytes[i] = rng.next_u32() as u8;
            }
        }
        let imp = import_in_chunks(&bytes, rng.range_u64(1, 600) as usize);
        let t = trace_from(&imp);
        let _ = packet_rows(&t);
        let _ = frame_labels(&t);
        let refs: Vec<(Instant, &FrameRecord)> = imp.frames.iter().map(|(t, r)| (*t, r)).collect();
        let _ = connections(&refs);
        if case % 3 == 0 && !bytes.is_empty() {
            assert!(!imp.problems.is_empty(), "case {case}: garbage without a problem");
        }
    }
}

fn pcap_header(linktype: u32, snaplen: u32) -> Vec<u8> {
    let mut h = Vec::new();
    for v in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, snaplen, linktype] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h
}

fn record(ts: u32, incl: u32, orig: u32, data: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    for v in [ts, 0, incl, orig] {
        r.extend_from_slice(&v.to_le_bytes());
    }
    r.extend_from_slice(data);
    r
}

#[test]
fn huge_length_fields_stop_reading_without_allocating() {
    let (frames, _) = small_run();
    let f = &frames[0].1.bytes;
    let mut file = pcap_header(1, 65535);
    file.extend(record(1, f.len() as u32, f.len() as u32, f));
    file.extend(record(2, 0xffff_fff0, 0xffff_fff0, &[0; 64]));
    let mut imp = Importer::new();
    let err = imp.push(&file).unwrap_err();
    assert!(err.message.contains("4294967280"), "{err}");
    assert!(imp.push(&[0; 1000]).is_err(), "reading stays stopped");
    let got = imp.finish();
    assert_eq!(got.frames.len(), 1);
    assert!(got.problems[0].contains("damaged"), "{:?}", got.problems);

    // Just over the ceiling, and a pcapng block claiming 2 GiB.
    let mut file = pcap_header(1, 65535);
    file.extend(record(1, MAX_RECORD + 1, MAX_RECORD + 1, &[]));
    assert!(import_in_chunks(&file, 10).problems[0].contains("262145"));
    let mut ng = small_pcapng(&frames[..1]);
    ng.extend_from_slice(&6u32.to_le_bytes());
    ng.extend_from_slice(&0x8000_0000u32.to_le_bytes());
    ng.extend_from_slice(&[0; 20]);
    let got = import_in_chunks(&ng, 3);
    assert_eq!(got.frames.len(), 1);
    assert!(got.problems.iter().any(|p| p.contains("2147483648")), "{:?}", got.problems);
}

#[test]
fn unknown_link_types_empty_files_and_other_problems_are_reported() {
    let (frames, _) = small_run();
    let f = &frames[0].1.bytes;
    // 802.11 radiotap: read, counted, left out.
    let mut file = pcap_header(127, 65535);
    file.extend(record(1, f.len() as u32, f.len() as u32, f));
    let got = import_in_chunks(&file, 4);
    assert!(got.frames.is_empty());
    assert!(got.problems.iter().any(|p| p.contains("link type 127")), "{:?}", got.problems);
    assert_eq!(got.link_types.get(&127), Some(&1));
    // Empty, a header alone, and not a capture at all.
    assert!(import_in_chunks(&[], 1).problems[0].contains("empty"));
    assert!(import_in_chunks(&pcap_header(1, 65535), 1).problems[0].contains("no frames"));
    let mut imp = Importer::new();
    assert!(imp.push(b"GET / HTTP/1.1\r\n").unwrap_err().message.contains("not a pcap"));
    // A record longer than the snap length is kept and reported.
    let mut file = pcap_header(1, 40);
    file.extend(record(1, f.len() as u32, f.len() as u32, f));
    let got = import_in_chunks(&file, 9);
    assert_eq!(got.frames.len(), 1);
    assert!(got.problems.iter().any(|p| p.contains("snap length")), "{:?}", got.problems);
}

#[test]
fn cooked_raw_and_vlan_frames_become_ethernet() {
    let (frames, _) = small_run();
    let eth = &frames[0].1.bytes; // ARP request or SYN
    let ip_frame = frames.iter().map(|(_, r)| &r.bytes).find(|b| b[12..14] == [0x08, 0x00]).unwrap();
    let ip = &ip_frame[14..];
    // SLL: outgoing (4), ARPHRD_ETHER, 6-byte address, protocol IPv4.
    let mut sll = vec![0, 4, 0, 1, 0, 6];
    sll.extend_from_slice(&ip_frame[6..12]);
    sll.extend_from_slice(&[0, 0, 0x08, 0x00]);
    sll.extend_from_slice(ip);
    // SLL2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address.
    let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 4, 6];
    sll2.extend_from_slice(&ip_frame[6..12]);
    sll2.extend_from_slice(&[0, 0]);
    sll2.extend_from_slice(ip);
    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend_from_slice(ip);
    let mut want = vec![0u8; 6];
    want.extend_from_slice(&ip_frame[6..]);
    for (lt, data, expect) in [
        (113, sll, want.clone()),
        (276, sll2, want.clone()),
        (0, null, [&[0u8; 12][..], &ip_frame[12..]].concat()),
        (228, ip.to_vec(), [&[0u8; 12][..], &ip_frame[12..]].concat()),
        (101, ip.to_vec(), [&[0u8; 12][..], &ip_frame[12..]].concat()),
    ] {
        let mut file = pcap_header(lt, 65535);
        file.extend(record(1, data.len() as u32, data.len() as u32 + 10, &data));
        let got = import_in_chunks(&file, 6);
        assert!(got.problems.is_empty(), "link type {lt}: {:?}", got.problems);
        assert_eq!(got.frames[0].1.bytes, expect, "link type {lt}");
        assert_eq!(got.frames[0].1.orig_len as usize, expect.len() + 10, "link type {lt}");
    }
    // A VLAN tag is removed and reported once.
    let mut tagged = eth[..12].to_vec();
    tagged.extend_from_slice(&[0x81, 0x00, 0x00, 0x2a]);
    tagged.extend_from_slice(&eth[12..]);
    let mut file = pcap_header(1, 65535);
    for ts in 0..3 {
        file.extend(record(ts, tagged.len() as u32, tagged.len() as u32, &tagged));
    }
    let got = import_in_chunks(&file, 100);
    assert!(got.frames.iter().all(|(_, r)| r.bytes == *eth));
    assert_eq!(got.problems, vec!["3 frames carried 802.1Q VLAN tags; the tags were removed.".to_string()]);
    // IPv6 is kept and counted.
    let mut v6 = eth[..12].to_vec();
    v6.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
    let mut file = pcap_header(1, 65535);
    file.extend(record(1, v6.len() as u32, v6.len() as u32, &v6));
    let got = import_in_chunks(&file, 100);
    assert_eq!(got.frames.len(), 1);
    assert_eq!(got.problems, vec!["1 IPv6 frames are listed but not decoded.".to_string()]);
    views_accept(&got);
}
