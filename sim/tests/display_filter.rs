//! Display filters: parsing, errors with their positions, evaluation on real preset runs,
//! and a seeded fuzz of filter text that must never panic.

use wirewise_sim::filter::{select, DisplayFilter, FilterError};
use wirewise_sim::presets;
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{FrameRecord, Trace};
use wirewise_sim::wire::{Frame, FramePayload, Transport};

fn run(preset: &str) -> Trace {
    let p = presets::find(preset).unwrap_or_else(|| panic!("no preset {preset}"));
    wirewise_sim::run(&p.default_scenario().unwrap()).unwrap()
}

fn at<'t>(t: &'t Trace, node: &str) -> Vec<(Instant, &'t FrameRecord)> {
    t.capture(t.node_named(node).unwrap_or_else(|| panic!("no node {node}")))
}

fn keep(filter: &str, frames: &[(Instant, &FrameRecord)]) -> Vec<bool> {
    select(&DisplayFilter::parse(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}")), frames)
}

fn count(filter: &str, frames: &[(Instant, &FrameRecord)]) -> usize {
    keep(filter, frames).iter().filter(|&&k| k).count()
}

fn error(filter: &str) -> FilterError {
    DisplayFilter::parse(filter).expect_err(filter)
}

fn parsed(rec: &FrameRecord) -> Frame {
    Frame::parse(&rec.bytes).unwrap()
}

// --- parsing --------------------------------------------------------------------------

#[test]
fn empty_and_blank_filters_keep_everything() {
    let t = run("handshake");
    let frames = at(&t, "client");
    for text in ["", "   ", "\t\n"] {
        let f = DisplayFilter::parse(text).unwrap();
        assert!(f.is_empty());
        assert_eq!(select(&f, &frames), vec![true; frames.len()]);
    }
}

#[test]
fn the_language_parses() {
    for text in [
        "tcp",
        "tcp.port == 80",
        "tcp.port eq 80",
        "tcp.port==80",
        "ip.addr != 10.0.0.1",
        "ip.addr ~= 10.0.0.1",
        "ip.addr === 10.0.0.1",
        "ip.addr == 10.0.0.0/24",
        "frame.len >= 0x400",
        "frame.len lt 100 and frame.len gt 10",
        "frame.time_relative <= 0.5",
        "eth.src == 02:00:00:00:00:01",
        "eth.type == 0x0806",
        "dns.qry.name == \"api.example.com\"",
        "dns.qry.name contains \"ex\\\"ample\"",
        "tcp.flags.syn == true && tcp.flags.ack == False",
        "!(arp || icmp) and not udp",
        "((tcp))",
        "tcp.analysis.retransmission or tcp.analysis.duplicate_ack or tcp.analysis.zero_window",
        "http || tls",
    ] {
        DisplayFilter::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e} at {}+{}", e.at, e.len));
    }
}

#[test]
fn errors_say_where_and_what() {
    let e = error("tcp.prot == 80");
    assert_eq!((e.at, e.len), (0, 8));
    assert_eq!(e.message, "\"tcp.prot\" is neither a field nor a protocol name.");
    assert_eq!(e.to_string(), e.message);

    let e = error("tcp.port ==");
    assert_eq!((e.at, e.len, e.message.as_str()), (11, 0, "Unexpected end of filter expression."));
    let e = error("tcp and");
    assert_eq!((e.at, e.len, e.message.as_str()), (7, 0, "Unexpected end of filter expression."));
    let e = error("(tcp");
    assert_eq!((e.at, e.len), (0, 1));
    let e = error("tcp)");
    assert_eq!((e.at, e.len), (3, 1));
    assert!(e.message.contains("was unexpected"), "{}", e.message);
    let e = error("tcp.port == 80 udp");
    assert_eq!((e.at, e.len), (15, 3));

    let e = error("ip.addr == 10.0.0.300");
    assert_eq!((e.at, e.len), (11, 10));
    assert_eq!(e.message, "\"10.0.0.300\" is not a valid hostname or IPv4 address.");
    let e = error("tcp.port == 70000");
    assert_eq!((e.at, e.len), (12, 5));
    assert!(e.message.contains("too large"), "{}", e.message);
    let e = error("tcp.port == http");
    assert_eq!((e.at, e.len), (12, 4));
    let e = error("tcp.flags.syn == 2");
    assert_eq!((e.at, e.len), (17, 1));
    let e = error("eth.src == 02:00");
    assert_eq!((e.at, e.len), (11, 5));
    let e = error("tcp.analysis.retransmission == 1");
    assert_eq!((e.at, e.len), (28, 2));
    let e = error("tcp.port contains \"8\"");
    assert_eq!((e.at, e.len), (9, 8));
    let e = error("tcp.port = 80");
    assert_eq!((e.at, e.len), (9, 1));
    let e = error("dns.qry.name == \"abc");
    assert_eq!((e.at, e.len), (16, 4));
    let e = error("tcp.port == 80 @");
    assert_eq!((e.at, e.len), (15, 1));
    // Positions count characters, not bytes.
    let e = error("dns.qry.name == \"é\" and tcp.prot");
    assert_eq!((e.at, e.len), (24, 8));
    let e = error("tcp AND udp");
    assert_eq!((e.at, e.len), (4, 3));
    assert_eq!(e.message, "\"AND\" was unexpected in this context.");
}

// --- evaluation on real runs -----------------------------------------------------------

#[test]
fn tcp_port_and_ip_addr_on_an_http_request() {
    let t = run("http-request");
    let frames = at(&t, "client");
    let port80 = keep("tcp.port == 80", &frames);
    for ((_, rec), k) in frames.iter().zip(&port80) {
        let on80 = match parsed(rec).payload {
            FramePayload::Ipv4(p) => matches!(p.transport, Transport::Tcp(s) if s.src_port == 80 || s.dst_port == 80),
            _ => false,
        };
        assert_eq!(*k, on80);
    }
    assert!(port80.iter().filter(|&&k| k).count() >= 6);
    // ip.addr is either address; != is "no address equals" (Wireshark ≥ 3.6).
    let to_or_from: Vec<bool> = frames
        .iter()
        .map(|(_, r)| match parsed(r).payload {
            FramePayload::Ipv4(p) => p.ip.src.octets() == [10, 0, 0, 2] || p.ip.dst.octets() == [10, 0, 0, 2],
            _ => false,
        })
        .collect();
    assert_eq!(keep("ip.addr == 10.0.0.2", &frames), to_or_from);
    assert!(to_or_from.iter().any(|&k| k));
    let ip = keep("ip", &frames);
    let ne = keep("ip.addr != 10.0.0.2", &frames);
    for i in 0..frames.len() {
        assert_eq!(ne[i], ip[i] && !to_or_from[i]);
    }
    assert_eq!(count("ip.src == 10.0.0.0/8 && ip.dst == 10.0.0.0/8", &frames), count("ip", &frames));
}

#[test]
fn syn_without_ack_is_each_connection_attempt() {
    let t = run("handshake");
    let frames = at(&t, "client");
    let syn = keep("tcp.flags.syn == 1 && tcp.flags.ack == 0", &frames);
    assert_eq!(syn.iter().filter(|&&k| k).count(), 1);
    let first = syn.iter().position(|&k| k).unwrap();
    match parsed(frames[first].1).payload {
        FramePayload::Ipv4(p) => match p.transport {
            Transport::Tcp(s) => assert!(s.flags.syn() && !s.flags.ack()),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert_eq!(count("tcp.flags.syn == 1", &frames), 2);
    assert_eq!(count("tcp.seq == 0 && tcp.flags.syn == 1", &frames), 2);
    assert_eq!(count("tcp.flags.syn == 1 and tcp.ack == 1", &frames), 1);
}

#[test]
fn retransmissions_on_runs_with_loss() {
    // lost-syn: the first SYN is lost; the client's capture holds it and its retransmission.
    let t = run("lost-syn");
    let frames = at(&t, "client");
    let r = keep("tcp.analysis.retransmission", &frames);
    assert_eq!(r.iter().filter(|&&k| k).count(), 1);
    let i = r.iter().position(|&k| k).unwrap();
    assert!(keep("tcp.flags.syn == 1 && tcp.flags.ack == 0", &frames)[i]);
    assert_eq!(count("tcp.flags.syn == 1 && tcp.flags.ack == 0", &frames), 2);
    // The server only ever saw one SYN: nothing is a retransmission there.
    assert_eq!(count("tcp.analysis.retransmission", &at(&t, "server")), 0);

    // congestion-loss: random loss on a bulk transfer makes the sender retransmit data.
    let t = run("congestion-loss");
    let sender = t.nodes.iter().position(|n| n.name == "client" || n.name == "sender").unwrap();
    let frames = t.capture(sender as u16);
    let n = count("tcp.analysis.retransmission", &frames);
    assert!(n > 0, "no retransmission found");
    assert_eq!(
        count("tcp.analysis.retransmission && tcp.len == 0 && tcp.flags.syn == 0 && tcp.flags.fin == 0", &frames),
        0
    );
    assert!(count("tcp.analysis.duplicate_ack", &frames) > 0);
    assert!(n < frames.len() / 4);
}

#[test]
fn frame_len_dns_udp_arp_and_parentheses() {
    let t = run("http-request");
    let frames = at(&t, "client");
    let big = keep("frame.len > 1000", &frames);
    for ((_, rec), k) in frames.iter().zip(&big) {
        assert_eq!(*k, rec.orig_len > 1000);
    }
    let t = run("dns");
    let frames = at(&t, "client");
    let n_dns = count("dns", &frames);
    assert!(n_dns >= 2);
    assert_eq!(count("udp", &frames), n_dns);
    assert_eq!(count("dns.flags.response == 1", &frames) + count("dns.flags.response == 0", &frames), n_dns);
    assert_eq!(count("dns.qry.name == \"api.example.com\"", &frames), n_dns);
    assert_eq!(count("dns.qry.name contains \"example\"", &frames), n_dns);
    assert_eq!(count("dns.qry.name contains \"nope\"", &frames), 0);
    let arp = count("arp", &frames);
    assert!(arp >= 2);
    assert_eq!(count("!arp", &frames), frames.len() - arp);
    assert_eq!(count("not arp", &frames), frames.len() - arp);
    // and binds tighter than or; parentheses change that.
    let a = count("arp or udp and dns.flags.response == 1", &frames);
    let b = count("(arp or udp) and dns.flags.response == 1", &frames);
    assert_eq!(a, arp + count("dns.flags.response == 1", &frames));
    assert_eq!(b, count("dns.flags.response == 1", &frames));
    assert_eq!(count("!(arp || udp)", &frames), frames.len() - arp - n_dns);
    assert_eq!(count("frame.number == 1", &frames), 1);
    assert!(keep("frame.number == 1", &frames)[0]);
    assert!(keep("frame.time_relative == 0", &frames)[0]);
}

#[test]
fn http_and_tls_are_recognised() {
    let t = run("http-request");
    let frames = at(&t, "client");
    assert!(count("http", &frames) >= 2, "a request and a response");
    assert_eq!(count("http && !tcp", &frames), 0);
    let t = run("tls");
    let frames = at(&t, "client");
    assert!(count("tls", &frames) >= 1);
}

#[test]
fn snapped_captures_still_show_their_headers() {
    // congestion presets keep 96 bytes of each frame; tcp.len still reads the IP length.
    let t = run("congestion");
    let frames = t.capture(0);
    assert!(frames.iter().any(|(_, r)| (r.bytes.len() as u32) < r.orig_len));
    assert!(count("tcp.len > 1000", &frames) > 10);
    assert_eq!(count("tcp", &frames) + count("arp", &frames), frames.len());
}

// --- robustness ----------------------------------------------------------------------------

/// SplitMix64, seeded, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn fuzzed_filter_text_never_panics() {
    let t = run("dns");
    let frames = at(&t, "client");
    let pieces = [
        "tcp",
        "udp",
        "ip.addr",
        "tcp.port",
        "frame.len",
        "dns.qry.name",
        "tcp.analysis.retransmission",
        "==",
        "!=",
        "~=",
        "===",
        "<",
        ">=",
        "contains",
        "and",
        "or",
        "not",
        "!",
        "&&",
        "||",
        "(",
        ")",
        "80",
        "0x50",
        "10.0.0.1",
        "10.0.0.0/33",
        "ff:ff:ff:ff:ff:ff",
        "\"x\"",
        "\"",
        "\\",
        "1.5",
        "-1",
        "é",
        "\u{0}",
        " ",
        " ",
        "tcp.prot",
        "=",
        "@",
        "{",
        "}",
        "[",
        "]",
        "99999999999999999999999",
    ];
    let mut rng = Rng(0x5eed_f17e);
    let mut ok = 0;
    for case in 0..20_000 {
        let n = rng.below(12);
        let text: String = if case % 3 == 0 {
            // Garbage: random characters, ASCII and not.
            (0..rng.below(40)).map(|_| char::from_u32(rng.next() as u32 % 0x3000).unwrap_or('?')).collect()
        } else {
            (0..n).map(|_| pieces[rng.below(pieces.len())]).collect::<Vec<_>>().join(if case % 2 == 0 {
                " "
            } else {
                ""
            })
        };
        match DisplayFilter::parse(&text) {
            Ok(f) => {
                assert_eq!(select(&f, &frames).len(), frames.len());
                ok += 1;
            }
            Err(e) => {
                let chars = text.chars().count();
                assert!(e.at + e.len <= chars, "{text:?}: {e:?}");
                assert!(!e.message.is_empty());
            }
        }
    }
    assert!(ok > 1_000, "only {ok} random filters parsed");
    // Very long text: deep nesting, long chains, a huge token.
    let deep = format!("{}tcp{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(DisplayFilter::parse(&deep).is_err());
    let nots = format!("{}tcp", "!".repeat(100_001));
    assert_eq!(count(&nots, &frames), count("!tcp", &frames));
    let chain = vec!["udp"; 50_000].join(" and ");
    assert_eq!(count(&chain, &frames), count("udp", &frames));
    let e = error(&"x".repeat(1_000_000));
    assert_eq!((e.at, e.len), (0, 1_000_000));
    assert!(e.message.len() < 200, "long tokens are echoed clipped");
}
