//! The `http-request` preset behind the encapsulation figure: TCP_MAXSEG (Linux
//! `tcp_sock_set_maxseg`, `tcp_connect_init`, `tcp_parse_options`), a DNS query over UDP
//! (RFC 768, RFC 1035 §4.2.1, EDNS(0) padding RFC 7830), IP fragmentation with DF clear
//! (RFC 791 §3.2) and the response sealed in a TLS 1.3 record (RFC 8446 §5.2).

use wirewise_sim::encap::{sent_data, Encapsulation};
use wirewise_sim::fetch::fetches;
use wirewise_sim::params::ParamSet;
use wirewise_sim::scenario::ScenarioError;
use wirewise_sim::trace::{AppCall, EventKind, Trace};
use wirewise_sim::wire::Layer;
use wirewise_sim::{presets, run};

fn request(pairs: &[(&str, &str)]) -> Trace {
    let p = presets::find("http-request").unwrap();
    let set = ParamSet::apply_strict(p.params, pairs.iter().copied()).unwrap();
    run(&(p.build)(&set).unwrap()).unwrap()
}

fn payloads(e: &Encapsulation) -> Vec<usize> {
    e.segments.iter().map(|s| s.payload).collect()
}

fn notes(t: &Trace) -> Vec<String> {
    t.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::App { call: AppCall::Note { text }, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn tcp_maxseg_caps_the_syn_mss_option_and_the_segment_size() {
    // Not set: MSS 1460 both ways, 1448 per segment with timestamps.
    let t = request(&[("pad", "3000")]);
    let e = sent_data(&t, 0);
    assert_eq!((e.own_mss, e.peer_mss), (Some(1460), Some(1460)));
    assert_eq!(payloads(&e), vec![1448, 1448, 104]);
    // TCP_MAXSEG 536: the client's SYN says 536 and its segments carry 536 − 12 bytes.
    let t = request(&[("pad", "3000"), ("mss", "536")]);
    let e = sent_data(&t, 0);
    assert_eq!((e.own_mss, e.peer_mss), (Some(536), Some(1460)));
    assert_eq!(payloads(&e), vec![524, 524, 524, 524, 524, 380]);
    assert!(e.segments.iter().all(|s| s.len <= 14 + 20 + 32 + 524));
    assert_eq!(fetches(&t).len(), 1, "the exchange completes");
    // The server's replies are cut at the clamp too: it learned 536 from the SYN.
    let server = sent_data(&t, 1);
    assert_eq!(server.peer_mss, Some(536));
    // A value above MTU − 40 changes nothing (tcp_mss_clamp keeps the smaller).
    let e = sent_data(&request(&[("pad", "3000"), ("mss", "1460"), ("mtu", "1000")]), 0);
    assert_eq!(e.own_mss, Some(960));
    assert_eq!(payloads(&e), vec![948, 948, 948, 156]);
    // Below TCP_MIN_MSS the preset asks for 88, the smallest Linux accepts.
    let e = sent_data(&request(&[("pad", "300"), ("mss", "20")]), 0);
    assert_eq!(e.own_mss, Some(88));
    assert!(e.segments.iter().all(|s| s.payload <= 76));
}

#[test]
fn tcp_maxseg_outside_88_to_32767_is_rejected() {
    let p = presets::find("http-request").unwrap();
    let set = ParamSet::apply_strict(p.params, [("mss", "536")]).unwrap();
    let mut s = (p.build)(&set).unwrap();
    for app in &mut s.apps {
        if let wirewise_sim::apps::AppSpec::RpcClient { max_seg, .. } = app {
            assert_eq!(*max_seg, Some(536));
            *max_seg = Some(87);
        }
    }
    assert!(
        matches!(s.validate(), Err(ScenarioError::InvalidValue { ref field, .. }) if field.ends_with("max_seg")),
        "{:?}",
        s.validate()
    );
}

#[test]
fn a_dns_query_is_8_bytes_of_udp_around_the_message() {
    let t = request(&[("mode", "dns"), ("name", "www.example.org"), ("pad", "0")]);
    let e = sent_data(&t, 0);
    assert_eq!(e.segments.len(), 1);
    let q = &e.segments[0];
    // 12-byte header, 17-byte name, QTYPE and QCLASS.
    let dns = 12 + 17 + 4;
    assert_eq!(q.layers, vec![(Layer::Ethernet, 14), (Layer::Ipv4, 20), (Layer::Udp, 8), (Layer::Payload, dns)]);
    assert_eq!(q.ip_len, 20 + 8 + dns);
    let bytes = &t.frames[q.frame as usize].bytes;
    assert_eq!(u16::from_be_bytes([bytes[38], bytes[39]]) as usize, 8 + dns, "UDP length");
    assert_eq!(u16::from_be_bytes([bytes[36], bytes[37]]), 53, "to port 53");
    assert!(q.frag.is_none());
    assert!(notes(&t).iter().any(|n| n.starts_with("www.example.org A 203.0.113.10")), "{:?}", notes(&t));
    // Padded with EDNS(0) to 1000 bytes: still one datagram at MTU 1500.
    let e = sent_data(&request(&[("mode", "dns"), ("pad", "1000")]), 0);
    assert_eq!(payloads(&e), vec![1000]);
    assert_eq!(e.segments[0].ip_len, 1028);
}

#[test]
fn a_large_query_with_df_clear_is_fragmented_and_reassembled() {
    let t = request(&[("mode", "dns"), ("pad", "3000"), ("df", "off")]);
    let e = sent_data(&t, 0);
    assert!(e.fragmented());
    let ident = e.segments[0].frag.unwrap().ident;
    let frags = e.fragments(ident);
    // (1500 − 20) rounded down to 8: 1480 bytes of datagram per fragment.
    let shape: Vec<(usize, bool, usize)> = frags.iter().map(|f| (f.offset, f.more, f.data)).collect();
    assert_eq!(shape, vec![(0, true, 1480), (1480, true, 1480), (2960, false, 48)]);
    assert!(frags.iter().all(|f| f.offset % 8 == 0));
    assert!(frags[..frags.len() - 1].iter().all(|f| f.more && f.data % 8 == 0));
    assert_eq!(e.reassembled_len(ident), Some(8 + 3000));
    assert!(e.segments.iter().all(|s| s.ip_len <= 1500));
    // Only the first fragment carries the UDP header; the data adds up to the DNS message.
    assert_eq!(e.segments[0].layers[2], (Layer::Udp, 8));
    assert_eq!(e.headers_of(Layer::Udp), 8);
    assert_eq!(e.payload(), 3000);
    // The server put it back together and answered.
    assert_eq!(fetches(&t).len(), 1);
    // A smaller MTU, more fragments, each still a multiple of 8.
    let e = sent_data(&request(&[("mode", "dns"), ("pad", "3000"), ("df", "off"), ("mtu", "576")]), 0);
    assert_eq!(e.segments.len(), 6);
    assert!(e.segments.iter().all(|s| s.frag.is_some_and(|f| f.offset % 8 == 0) && s.ip_len <= 576));
}

#[test]
fn a_large_query_with_df_set_is_refused_with_emsgsize() {
    let t = request(&[("mode", "dns"), ("pad", "3000"), ("df", "on")]);
    assert!(sent_data(&t, 0).segments.is_empty());
    assert!(notes(&t).iter().any(|n| n.contains("EMSGSIZE")));
    assert!(fetches(&t).is_empty());
}

#[test]
fn with_tls_the_response_is_sealed_in_a_record_too() {
    let t = request(&[("tls", "on"), ("pad", "0")]);
    let server = sent_data(&t, 1);
    let first = &server.segments[0];
    let bytes = &t.frames[first.frame as usize].bytes;
    let at = first.len - first.payload;
    // Type 23, legacy version 3.3, length 200 + 1 + 16.
    assert_eq!(&bytes[at..at + 5], &[23, 3, 3, 0, 217]);
    assert_eq!(server.payload(), 200 + 22);
    assert!(!bytes[at + 5..].starts_with(b"HTTP/1.1"), "the response is not plaintext");
    assert_eq!(fetches(&t).len(), 1, "the client opens it and reads the whole response");
    // Without TLS the response is the plain 200 bytes.
    let t = request(&[("tls", "off"), ("pad", "0")]);
    let server = sent_data(&t, 1);
    assert_eq!(server.payload(), 200);
    let first = &server.segments[0];
    assert!(t.frames[first.frame as usize].bytes[first.len - first.payload..].starts_with(b"HTTP/1.1 200 OK"));
}
