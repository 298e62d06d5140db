//! Head-of-line blocking: six requests on one HTTP/2-over-TCP connection against six QUIC
//! streams, with and without the same single loss (the 3rd packet of response data), at the
//! preset's defaults (RTT 50 ms, 2000-byte responses: all six fit in the first flight).

use wirewise_sim::apps::h2mux::{self, decode_headers, kind, Frame, END_HEADERS, END_STREAM};
use wirewise_sim::hol::{timelines, Carrier, HolTimeline};
use wirewise_sim::params::ParamSet;
use wirewise_sim::time::Instant;
use wirewise_sim::wire::{Frame as EthFrame, FramePayload, Transport};
use wirewise_sim::Trace;

const RTT: f64 = 50.0;

fn trace(transport: &str, lose: u32, response: u32) -> Trace {
    let p = wirewise_sim::presets::find("hol-blocking").unwrap();
    let (lose, response) = (lose.to_string(), response.to_string());
    let set = ParamSet::apply_strict(
        p.params,
        [("transport", transport), ("lose", lose.as_str()), ("response", response.as_str())],
    )
    .unwrap();
    wirewise_sim::run(&(p.build)(&set).unwrap()).unwrap()
}

fn run(transport: &str, lose: u32) -> HolTimeline {
    timelines(&trace(transport, lose, 2000))
}

fn ms(t: Option<Instant>) -> f64 {
    t.expect("stream completed").as_millis_f64()
}

fn completions(h: &HolTimeline) -> Vec<f64> {
    h.streams.iter().map(|s| ms(s.complete)).collect()
}

fn spread(v: &[f64]) -> f64 {
    v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
}

#[test]
fn without_loss_all_six_complete_close_together_on_both() {
    let (tcp, quic) = (run("tcp", 0), run("quic", 0));
    assert_eq!((tcp.carrier, quic.carrier), (Carrier::Tcp, Carrier::Quic));
    for h in [&tcp, &quic] {
        let c = completions(h);
        assert_eq!(c.len(), 6, "{:?}: six streams", h.carrier);
        assert!(spread(&c) < 5.0, "{:?}: {c:?}", h.carrier);
        assert!(h.losses.is_empty());
        // Handshake (1 RTT) + request/response (1 RTT) + serialisation at 20 Mbit/s.
        assert!(c.iter().all(|&t| (2.0 * RTT..2.0 * RTT + 10.0).contains(&t)), "{:?}: {c:?}", h.carrier);
        for s in &h.streams {
            assert!(s.blocked().is_empty(), "{:?} stream {} waited without loss", h.carrier, s.stream);
            assert_eq!(s.delivered.last().map(|d| d.1), Some(2000));
            assert_eq!(s.arrived.last().map(|d| d.1), Some(2000));
        }
    }
}

#[test]
fn one_lost_segment_on_tcp_stalls_every_stream_behind_it() {
    let (base, lossy) = (run("tcp", 0), run("tcp", 3));
    assert_eq!(lossy.losses.len(), 1);
    let hole = &lossy.losses[0];
    // The 3rd segment carried DATA of streams 2 and 3 (frames of 1200 bytes interleaved).
    assert_eq!(hole.streams, vec![2, 3]);
    let c = completions(&lossy);
    let b = completions(&base);
    for i in 0..6 {
        // Every stream's last bytes are behind the hole: all wait for the retransmission,
        // about one RTT (fast retransmit after duplicate ACKs, RFC 5681 §3.2 / RACK).
        assert!(c[i] - b[i] > 0.8 * RTT, "stream {i}: {} vs {}", c[i], b[i]);
    }
    assert!(spread(&c) < 1.0, "they are released together: {c:?}");
    // Streams not in the lost segment waited too: their bytes arrived but were held.
    for s in [0, 1, 4, 5] {
        let blocked = lossy.streams[s].blocked();
        assert!(!blocked.is_empty(), "stream {s} should wait behind the hole");
        let waited: f64 = blocked.iter().map(|(a, b)| (*b - *a).as_millis_f64()).sum();
        assert!(waited > 0.8 * RTT, "stream {s} waited {waited} ms");
    }
}

#[test]
fn one_lost_packet_on_quic_stalls_only_its_stream() {
    let (base, lossy) = (run("quic", 0), run("quic", 3));
    assert_eq!(lossy.losses.len(), 1);
    assert_eq!(lossy.losses[0].streams, vec![2], "the 3rd packet carried stream 2's data only");
    let c = completions(&lossy);
    let b = completions(&base);
    for i in 0..6 {
        if i == 2 {
            assert!(c[i] - b[i] > 0.8 * RTT, "stream 2 waits for the retransmission: {} vs {}", c[i], b[i]);
            assert!(!lossy.streams[i].blocked().is_empty());
        } else {
            assert!((c[i] - b[i]).abs() < 1.0, "stream {i} unaffected: {} vs {}", c[i], b[i]);
            assert!(lossy.streams[i].blocked().is_empty(), "stream {i} never waits");
        }
    }
    // Against TCP under the same loss: five streams finish about one RTT sooner.
    let tcp = completions(&run("tcp", 3));
    let sooner = (0..6).filter(|&i| tcp[i] - c[i] > 0.8 * RTT).count();
    assert_eq!(sooner, 5, "tcp {tcp:?} quic {c:?}");
}

fn data_payloads(t: &Trace, from_port: u16) -> Vec<(u32, Vec<u8>)> {
    let mut out = vec![];
    for rec in &t.frames {
        let Ok(f) = EthFrame::parse(&rec.bytes) else { continue };
        let FramePayload::Ipv4(p) = f.payload else { continue };
        if let Transport::Tcp(tcp) = p.transport {
            if tcp.src_port == from_port && !tcp.payload.is_empty() {
                out.push((tcp.seq, tcp.payload));
            }
        }
    }
    out
}

#[test]
fn frames_on_the_wire_parse_per_rfc_9113() {
    // §4.1 by hand: length 1 (24 bits), type HEADERS, flags END_STREAM|END_HEADERS, stream 3.
    let mut b = vec![];
    Frame { kind: kind::HEADERS, flags: END_STREAM | END_HEADERS, stream: 3, payload: vec![0x82] }.emit(&mut b);
    assert_eq!(b, [0, 0, 1, 0x1, 0x5, 0, 0, 0, 3, 0x82]);

    let t = trace("tcp", 0, 2000);
    // The client's first segment: preface, SETTINGS, WINDOW_UPDATE, six HEADERS.
    let client = data_payloads(&t, t_client_port(&t));
    let first = &client[0].1;
    assert!(first.starts_with(h2mux::PREFACE));
    let mut at = h2mux::PREFACE.len();
    let mut frames = vec![];
    while let Some((f, n)) = Frame::parse(&first[at..]) {
        frames.push(f);
        at += n;
    }
    assert_eq!(at, first.len(), "the segment is whole frames");
    assert_eq!(frames[0].kind, kind::SETTINGS);
    assert_eq!((frames[0].stream, frames[0].payload.len() % 6), (0, 0), "§6.5: stream 0, 6-byte settings");
    assert_eq!((frames[1].kind, frames[1].payload.len()), (kind::WINDOW_UPDATE, 4), "§6.9");
    let heads: Vec<_> = frames.iter().filter(|f| f.kind == kind::HEADERS).collect();
    assert_eq!(heads.iter().map(|f| f.stream).collect::<Vec<_>>(), [1, 3, 5, 7, 9, 11], "§5.1.1: odd ids");
    for (i, h) in heads.iter().enumerate() {
        assert_eq!(h.flags, END_STREAM | END_HEADERS);
        let fields = decode_headers(&h.payload).unwrap();
        assert_eq!(fields[0], (2, String::new()), "RFC 7541 static index 2 = :method GET");
        assert_eq!(fields[2], (4, format!("/api/item/{}", i + 1)));
    }
    // The server's byte stream, reassembled by sequence number, is whole frames: each
    // stream gets HEADERS then 2000 bytes of DATA ending with END_STREAM.
    let server = data_payloads(&t, 443);
    let base = server.iter().map(|(s, _)| *s).min().unwrap();
    let mut stream = vec![];
    for (seq, p) in &server {
        let o = seq.wrapping_sub(base) as usize;
        if stream.len() < o + p.len() {
            stream.resize(o + p.len(), 0);
        }
        stream[o..o + p.len()].copy_from_slice(p);
    }
    let mut at = 0;
    let mut data = [0usize; 6];
    let mut ended = [false; 6];
    while let Some((f, n)) = Frame::parse(&stream[at..]) {
        if f.kind == kind::DATA {
            let i = (f.stream as usize - 1) / 2;
            assert!(!ended[i], "no DATA after END_STREAM (§5.1)");
            data[i] += f.payload.len();
            ended[i] = f.flags & END_STREAM != 0;
        }
        at += n;
    }
    assert_eq!(at, stream.len());
    assert_eq!(data, [2000; 6]);
    assert_eq!(ended, [true; 6]);
}

fn t_client_port(t: &Trace) -> u16 {
    for rec in &t.frames {
        let Ok(f) = EthFrame::parse(&rec.bytes) else { continue };
        let FramePayload::Ipv4(p) = f.payload else { continue };
        if let Transport::Tcp(tcp) = p.transport {
            if tcp.dst_port == 443 {
                return tcp.src_port;
            }
        }
    }
    0
}

#[test]
fn numbers_for_the_record() {
    for resp in [2000, 10_000] {
        for tr in ["tcp", "quic"] {
            for lose in [0, 3] {
                let h = timelines(&trace(tr, lose, resp));
                let c: Vec<String> = completions(&h).iter().map(|x| format!("{x:.1}")).collect();
                eprintln!("response {resp} {tr} lose={lose}: [{}] losses {:?}", c.join(", "), h.losses);
            }
        }
    }
}
