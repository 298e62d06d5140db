//! A capture printed line for line as `TZ=UTC tcpdump -n [-S] -r file.pcap` (tcpdump 4.99,
//! default verbosity) prints it: the course's terminal view of any run.
//!
//! Headers are read with the crate's parsers ([`crate::wire`]); what is printed, and in what
//! order, follows tcpdump's printers: `print-ether.c`, `print-arp.c`, `print-ip.c`,
//! `print-tcp.c` (relative sequence numbers by its per-connection `tcp_seq_hash`, options in
//! wire order), `print-udp.c`, `print-icmp.c`, and the application printers that speak at
//! default verbosity on the ports the presets use: HTTP on TCP 80 and 8080
//! (`print-http.c`, `txtproto_print`) and DNS on port 53 (`print-domain.c`). Other payloads
//! (TLS on 443, QUIC, bulk data) get tcpdump's plain `length N`. A frame cut by the snap
//! length ends as tcpdump ends it, with `[|proto]`.

use crate::time::Instant;
use crate::trace::FrameRecord;
use crate::wire::tcp::opt;
use crate::wire::{
    ethernet, icmp, udp, ArpOp, ArpRepr, EtherType, EthernetRepr, IcmpRepr, IpProtocol, Ipv4Repr, MacAddr, TcpFlags,
    TcpRepr, UdpRepr,
};
use std::collections::HashMap;
use std::fmt::Write;
use std::net::Ipv4Addr;

/// tcpdump's command-line switches that change what these lines say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpdumpOptions {
    /// `-S`: print absolute TCP sequence and acknowledgment numbers.
    pub absolute_seq: bool,
}

/// The lines `TZ=UTC tcpdump -n [-S] -r file.pcap` prints for these frames (timestamps are the
/// frames' virtual instants since 1970-01-01 UTC, microseconds, HH:MM:SS.ffffff).
pub fn lines(frames: &[(Instant, &FrameRecord)], opts: &TcpdumpOptions) -> Vec<String> {
    let mut p = Printer { opts: *opts, seqs: HashMap::new() };
    frames
        .iter()
        .map(|(at, rec)| {
            let mut out = timestamp(*at);
            out.push(' ');
            p.frame(&rec.bytes, rec.orig_len as usize, &mut out);
            out
        })
        .collect()
}

/// `HH:MM:SS.ffffff`: libpcap reads a nanosecond file at microsecond precision by dividing
/// (truncating), and tcpdump prints the time of day.
fn timestamp(at: Instant) -> String {
    let us = at.as_nanos() / 1_000;
    let secs = us / 1_000_000;
    format!("{:02}:{:02}:{:02}.{:06}", secs / 3600 % 24, secs / 60 % 60, secs % 60, us % 1_000_000)
}

/// tcpdump's `tcp_seq_hash` key: both addresses and ports in one collating order, so that the
/// two directions of a connection share an entry.
type SeqKey = (Ipv4Addr, Ipv4Addr, u32);

/// The initial sequence numbers tcpdump recorded for a connection (`th->seq`, `th->ack`).
#[derive(Clone, Copy)]
struct SeqBase {
    seq: u32,
    ack: u32,
}

struct Printer {
    opts: TcpdumpOptions,
    seqs: HashMap<SeqKey, SeqBase>,
}

/// `nd_print_trunc`: what tcpdump appends when a printer runs past the captured bytes.
fn trunc(out: &mut String, proto: &str) {
    let _ = write!(out, " [|{proto}]");
}

impl Printer {
    /// `ether_print` at default verbosity: no link-layer header, then the EtherType's printer.
    fn frame(&mut self, bytes: &[u8], orig_len: usize, out: &mut String) {
        let Ok((eth, rest)) = EthernetRepr::parse(bytes) else {
            out.push_str("[|ether]");
            return;
        };
        let length = orig_len.max(bytes.len()).saturating_sub(ethernet::HEADER_LEN);
        match eth.ethertype {
            EtherType::ARP => arp(rest, length, out),
            EtherType::IPV4 => self.ipv4(rest, length, out),
            EtherType(t) => {
                let _ = write!(out, "ethertype Unknown ({t:#06x}), length {}", length + ethernet::HEADER_LEN);
            }
        }
    }

    /// `ip_print`: the transport's printer for fragment zero, `ip-proto-N` for later fragments.
    fn ipv4(&mut self, bytes: &[u8], length: usize, out: &mut String) {
        out.push_str("IP ");
        let (ip, hlen, total) = match Ipv4Repr::parse_header(bytes) {
            Ok(h) => h,
            Err(_) => {
                trunc(out, "ip");
                return;
            }
        };
        if length < total {
            let _ = write!(out, "truncated-ip - {} bytes missing! ", total - length);
        }
        // The snap end is cut to the datagram's end (`nd_push_snaplen`).
        let captured = &bytes[hlen..bytes.len().min(total)];
        let len = total - hlen;
        if ip.frag_offset != 0 {
            let _ = write!(out, "{} > {}: ip-proto-{}", ip.src, ip.dst, ip.protocol.0);
            return;
        }
        let fragmented = ip.more_frags;
        match ip.protocol {
            IpProtocol::TCP => self.tcp(&ip, captured, len, out),
            IpProtocol::UDP => udp_print(&ip, captured, len, fragmented, out),
            IpProtocol::ICMP => {
                let _ = write!(out, "{} > {}: ", ip.src, ip.dst);
                icmp_print(captured, len, out);
            }
            IpProtocol(p) => {
                // Two spaces: `ip_print` ends with ": " and `ip_demux_print` starts with " ".
                let _ = write!(out, "{} > {}:  ip-proto-{p} {len}", ip.src, ip.dst);
            }
        }
    }

    /// `tcp_print`.
    fn tcp(&mut self, ip: &Ipv4Repr, bytes: &[u8], length: usize, out: &mut String) {
        let Ok((seg, hlen)) = TcpRepr::parse_header(bytes) else {
            if bytes.len() >= 4 {
                let (sp, dp) = (u16::from_be_bytes([bytes[0], bytes[1]]), u16::from_be_bytes([bytes[2], bytes[3]]));
                let _ = write!(out, "{}.{sp} > {}.{dp}: ", ip.src, ip.dst);
                if bytes.len() >= 13 && usize::from(bytes[12] >> 4) * 4 < 20 {
                    let hl = usize::from(bytes[12] >> 4) * 4;
                    let _ = write!(out, " tcp {} [bad hdr length {hl} - too short, < 20]", length.wrapping_sub(hl));
                    return;
                }
            } else {
                let _ = write!(out, "{} > {}:", ip.src, ip.dst);
            }
            trunc(out, "tcp");
            return;
        };
        let (sport, dport) = (seg.src_port, seg.dst_port);
        let _ = write!(out, "{}.{sport} > {}.{dport}: ", ip.src, ip.dst);
        let flags = seg.flags;
        let _ = write!(out, "Flags [{}]", flag_letters(flags));
        let (mut seq, mut ack) = (seg.seq, seg.ack);
        let (mut thseq, mut thack, mut rev) = (0u32, 0u32, false);
        if !self.opts.absolute_seq && flags.ack() {
            rev = sport > dport || (sport == dport && ip.src.octets() > ip.dst.octets());
            let key = if rev {
                (ip.dst, ip.src, u32::from(dport) << 16 | u32::from(sport))
            } else {
                (ip.src, ip.dst, u32::from(sport) << 16 | u32::from(dport))
            };
            let base = match self.seqs.get(&key).copied() {
                Some(th) if !flags.syn() => {
                    if rev {
                        seq = seq.wrapping_sub(th.ack);
                        ack = ack.wrapping_sub(th.seq);
                    } else {
                        seq = seq.wrapping_sub(th.seq);
                        ack = ack.wrapping_sub(th.ack);
                    }
                    th
                }
                _ => {
                    let th = if rev {
                        SeqBase { ack: seq, seq: ack.wrapping_sub(1) }
                    } else {
                        SeqBase { seq, ack: ack.wrapping_sub(1) }
                    };
                    self.seqs.insert(key, th);
                    th
                }
            };
            thseq = base.seq;
            thack = base.ack;
        }
        if hlen > length {
            let _ = write!(out, " [bad hdr length {hlen} - too long, > {length}]");
            return;
        }
        let length = length - hlen;
        if length > 0 || flags.syn() || flags.fin() || flags.rst() {
            let _ = write!(out, ", seq {seq}");
            if length > 0 {
                let _ = write!(out, ":{}", seq.wrapping_add(length as u32));
            }
        }
        if flags.ack() {
            let _ = write!(out, ", ack {ack}");
        }
        let _ = write!(out, ", win {}", seg.window);
        if flags.contains(TcpFlags::URG) {
            let _ = write!(out, ", urg {}", seg.urgent);
        }
        if hlen > crate::wire::tcp::HEADER_LEN {
            let sack_base = if rev { thseq } else { thack };
            if !tcp_options(&bytes[crate::wire::tcp::field::OPTIONS..hlen], sack_base, out) {
                return;
            }
        }
        let _ = write!(out, ", length {length}");
        if length == 0 {
            return;
        }
        let data = &bytes[hlen..];
        let is = |p: u16| sport == p || dport == p;
        if is(80) || is(8080) {
            out.push_str(": ");
            http_print(data, length, out);
        } else if is(53) {
            domain_print(data, length, true, out);
        }
    }
}

/// `bittok2str_nosep(tcp_flag_values, "none", flags)`: one letter per bit from the lowest,
/// F S R P . U E W.
fn flag_letters(flags: TcpFlags) -> String {
    const LETTERS: &[u8; 8] = b"FSRP.UEW";
    let s: String = (0..8).filter(|i| flags.0 >> i & 1 == 1).map(|i| char::from(LETTERS[i])).collect();
    if s.is_empty() {
        "none".into()
    } else {
        s
    }
}

/// The options part of `tcp_print`, in wire order (tcpdump prints every NOP). SACK edges are
/// relative to `sack_base` (zero with `-S`). Returns false when tcpdump stops the line at a
/// bad option.
fn tcp_options(mut b: &[u8], sack_base: u32, out: &mut String) -> bool {
    out.push_str(", options [");
    let mut first = true;
    while !b.is_empty() {
        if !first {
            out.push(',');
        }
        first = false;
        let kind = b[0];
        let len = if kind == opt::EOL || kind == opt::NOP {
            1
        } else {
            match b.get(1) {
                Some(&l) if l >= 2 && usize::from(l) <= b.len() => usize::from(l),
                Some(_) => {
                    out.push_str(&option_name(kind));
                    out.push_str("[bad opt]]");
                    return false;
                }
                None => {
                    out.push_str(&option_name(kind));
                    trunc(out, "tcp");
                    out.push('>');
                    return false;
                }
            }
        };
        let body = &b[len.min(2)..len];
        out.push_str(&option_name(kind));
        let be16 = |i: usize| u16::from_be_bytes([body[i], body[i + 1]]);
        let be32 = |i: usize| u32::from_be_bytes([body[i], body[i + 1], body[i + 2], body[i + 3]]);
        let fixed = |n: usize| body.len() >= n;
        // What tcpdump reads of the option: a fixed size for most kinds, all of it otherwise.
        let datalen = match kind {
            opt::EOL | opt::NOP | opt::SACK_PERM => 0,
            opt::MSS if fixed(2) => {
                let _ = write!(out, " {}", be16(0));
                2
            }
            opt::WS if fixed(1) => {
                let _ = write!(out, " {}", body[0]);
                1
            }
            opt::TIMESTAMP if fixed(8) => {
                let _ = write!(out, " val {} ecr {}", be32(0), be32(4));
                8
            }
            opt::MSS | opt::WS | opt::TIMESTAMP => {
                out.push_str("[bad opt]]");
                return false;
            }
            opt::SACK => {
                if !body.len().is_multiple_of(8) {
                    out.push_str(" invalid sack");
                } else {
                    let _ = write!(out, " {} ", body.len() / 8);
                    for i in (0..body.len()).step_by(8) {
                        let _ = write!(
                            out,
                            "{{{}:{}}}",
                            be32(i).wrapping_sub(sack_base),
                            be32(i + 4).wrapping_sub(sack_base)
                        );
                    }
                }
                body.len()
            }
            opt::FAST_OPEN => {
                out.push(' ');
                if body.is_empty() {
                    out.push_str(" cookiereq");
                } else if !body.len().is_multiple_of(2) || body.len() < 4 || body.len() > 16 {
                    out.push_str(" (invalid)");
                } else {
                    out.push_str(" cookie ");
                    for c in body {
                        let _ = write!(out, "{c:02x}");
                    }
                }
                body.len()
            }
            _ => {
                if !body.is_empty() {
                    out.push_str(" 0x");
                }
                for c in body {
                    let _ = write!(out, "{c:02x}");
                }
                body.len()
            }
        };
        let expected = datalen + if len == 1 { 1 } else { 2 };
        if expected != len {
            let _ = write!(out, "[len {len}]");
        }
        b = &b[len..];
        if kind == opt::EOL {
            break;
        }
    }
    out.push(']');
    true
}

/// `tcp_option_values`.
fn option_name(kind: u8) -> String {
    match kind {
        0 => "eol".into(),
        1 => "nop".into(),
        2 => "mss".into(),
        3 => "wscale".into(),
        4 => "sackOK".into(),
        5 => "sack".into(),
        6 => "echo".into(),
        7 => "echoreply".into(),
        8 => "TS".into(),
        11 => "cc".into(),
        12 => "ccnew".into(),
        13 => String::new(),
        19 => "md5".into(),
        20 => "scps".into(),
        27 => "uto".into(),
        29 => "tcp-ao".into(),
        30 => "mptcp".into(),
        34 => "tfo".into(),
        254 => "exp".into(),
        k => format!("unknown-{k}"),
    }
}

/// `arp_print` for Ethernet/IPv4 at default verbosity.
fn arp(bytes: &[u8], length: usize, out: &mut String) {
    out.push_str("ARP, ");
    let Ok(a) = ArpRepr::parse(bytes) else {
        trunc(out, "arp");
        return;
    };
    match a.op {
        ArpOp::Request => {
            let _ = write!(out, "Request who-has {}", a.target_ip);
            if a.target_mac != MacAddr::ZERO {
                let _ = write!(out, " ({})", a.target_mac);
            }
            let _ = write!(out, " tell {}", a.sender_ip);
        }
        ArpOp::Reply => {
            let _ = write!(out, "Reply {} is-at {}", a.sender_ip, a.sender_mac);
        }
    }
    let _ = write!(out, ", length {length}");
}

/// `udp_print`: DNS on port 53, otherwise `UDP, length N` from the header's length field.
fn udp_print(ip: &Ipv4Repr, bytes: &[u8], length: usize, fragmented: bool, out: &mut String) {
    let (hdr, ulen) = match UdpRepr::parse_header(bytes) {
        Ok(h) => h,
        Err(_) if bytes.len() >= 4 => {
            let (sp, dp) = (u16::from_be_bytes([bytes[0], bytes[1]]), u16::from_be_bytes([bytes[2], bytes[3]]));
            let _ = write!(out, "{}.{sp} > {}.{dp}: ", ip.src, ip.dst);
            if bytes.len() >= 6 {
                let _ = write!(out, "truncated-udplength {}", u16::from_be_bytes([bytes[4], bytes[5]]));
            } else {
                trunc(out, "udp");
            }
            return;
        }
        Err(_) => {
            let _ = write!(out, "{} > {}: ", ip.src, ip.dst);
            trunc(out, "udp");
            return;
        }
    };
    let _ = write!(out, "{}.{} > {}.{}: ", ip.src, hdr.src_port, ip.dst, hdr.dst_port);
    let ulen = ulen - udp::HEADER_LEN;
    let length = length.saturating_sub(udp::HEADER_LEN).min(ulen);
    if hdr.src_port == 53 || hdr.dst_port == 53 {
        domain_print(&bytes[udp::HEADER_LEN..], length, false, out);
    } else if ulen > length && !fragmented {
        let _ = write!(out, "UDP, bad length {ulen} > {length}");
    } else {
        let _ = write!(out, "UDP, length {ulen}");
    }
}

/// `icmp_print` at default verbosity: the message, and for errors what the quoted header says.
fn icmp_print(bytes: &[u8], plen: usize, out: &mut String) {
    let msg = match IcmpRepr::parse(bytes) {
        Ok(m) => m,
        Err(_) => {
            trunc(out, "icmp");
            return;
        }
    };
    // The quoted datagram's header: destination, protocol and the transport's ports.
    let quoted = |original: &[u8]| -> Option<(Ipv4Repr, Option<u16>)> {
        let (q, hlen, _) = Ipv4Repr::parse_header(original).ok()?;
        let port = original
            .get(hlen + udp::field::DST_PORT.start..hlen + udp::field::DST_PORT.end)
            .map(|p| u16::from_be_bytes([p[0], p[1]]));
        Some((q, port))
    };
    let s = match &msg {
        IcmpRepr::EchoRequest { ident, seq_no, .. } => format!("echo request, id {ident}, seq {seq_no}"),
        IcmpRepr::EchoReply { ident, seq_no, .. } => format!("echo reply, id {ident}, seq {seq_no}"),
        IcmpRepr::DestUnreachable { code, next_hop_mtu, original } => {
            let Some((q, port)) = quoted(original) else {
                trunc(out, "icmp");
                return;
            };
            let d = q.dst;
            match *code {
                icmp::code::NET_UNREACHABLE => format!("net {d} unreachable"),
                icmp::code::HOST_UNREACHABLE => format!("host {d} unreachable"),
                2 => format!("{d} protocol {} unreachable", q.protocol.0),
                icmp::code::PORT_UNREACHABLE => {
                    let Some(port) = port else {
                        trunc(out, "icmp");
                        return;
                    };
                    match q.protocol {
                        IpProtocol::TCP => format!("{d} tcp port {port} unreachable"),
                        IpProtocol::UDP => format!("{d} udp port {port} unreachable"),
                        p => format!("{d} protocol {} port {port} unreachable", p.0),
                    }
                }
                icmp::code::FRAG_NEEDED if *next_hop_mtu != 0 => {
                    format!("{d} unreachable - need to frag (mtu {next_hop_mtu})")
                }
                icmp::code::FRAG_NEEDED => format!("{d} unreachable - need to frag"),
                5 => format!("{d} unreachable - source route failed"),
                6 => format!("net {d} unreachable - unknown"),
                7 => format!("host {d} unreachable - unknown"),
                8 => format!("{d} unreachable - source host isolated"),
                9 => format!("net {d} unreachable - admin prohibited"),
                10 => format!("host {d} unreachable - admin prohibited"),
                11 => format!("net {d} unreachable - tos prohibited"),
                12 => format!("host {d} unreachable - tos prohibited"),
                13 => format!("host {d} unreachable - admin prohibited filter"),
                14 => format!("host {d} unreachable - host precedence violation"),
                15 => format!("host {d} unreachable - precedence cutoff"),
                c => format!("{d} unreachable - #{c}"),
            }
        }
        IcmpRepr::TimeExceeded { code, .. } => match code {
            0 => "time exceeded in-transit".into(),
            1 => "ip reassembly time exceeded".into(),
            c => format!("time exceeded-#{c}"),
        },
    };
    let _ = write!(out, "ICMP {s}, length {plen}");
}

/// `http_print`: `HTTP`, and the first line when the payload starts with a request method or
/// a status line (`txtproto_print` with `RESP_CODE_SECOND_TOKEN`). `data` is what was
/// captured of the `len` payload bytes.
fn http_print(data: &[u8], len: usize, out: &mut String) {
    const METHODS: [&str; 38] = [
        "GET",
        "PUT",
        "COPY",
        "HEAD",
        "LOCK",
        "MOVE",
        "POLL",
        "POST",
        "BCOPY",
        "BMOVE",
        "MKCOL",
        "TRACE",
        "LABEL",
        "MERGE",
        "DELETE",
        "SEARCH",
        "UNLOCK",
        "REPORT",
        "UPDATE",
        "NOTIFY",
        "BDELETE",
        "CONNECT",
        "OPTIONS",
        "CHECKIN",
        "PROPFIND",
        "CHECKOUT",
        "CCM_POST",
        "SUBSCRIBE",
        "PROPPATCH",
        "BPROPFIND",
        "BPROPPATCH",
        "UNCHECKOUT",
        "MKACTIVITY",
        "MKWORKSPACE",
        "UNSUBSCRIBE",
        "RPC_CONNECT",
        "VERSION-CONTROL",
        "BASELINE-CONTROL",
    ];
    let mut print_this = false;
    if let Some((token, idx)) = fetch_token(data, 0, len) {
        if METHODS.iter().any(|m| m.eq_ignore_ascii_case(&token)) {
            print_this = true;
        }
        if let Some((code, _)) = fetch_token(data, idx, len) {
            let b = code.as_bytes();
            if b.len() == 3 && b.iter().all(u8::is_ascii_digit) {
                print_this = true;
            }
        }
    }
    out.push_str("HTTP");
    if print_this {
        print_txt_line(data, len, out);
    }
}

/// `fetch_token`: the token starting at `idx` and where the next one starts, or None.
fn fetch_token(data: &[u8], mut idx: usize, len: usize) -> Option<(String, usize)> {
    let mut token = String::new();
    while idx < len {
        let c = *data.get(idx)?;
        if !c.is_ascii() {
            return None;
        }
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            break;
        }
        if !is_print(c) || token.len() + 2 > 129 {
            return None;
        }
        token.push(char::from(c));
        idx += 1;
    }
    if token.is_empty() {
        return None;
    }
    while idx < len {
        let Some(&c) = data.get(idx) else { break };
        if c == b'\r' || c == b'\n' || !is_print(c) || (c != b' ' && c != b'\t') {
            break;
        }
        idx += 1;
    }
    Some((token, idx))
}

/// `ND_ASCII_ISPRINT`.
fn is_print(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// `print_txt_line` with the prefix `": "` for the line at the start of `data`.
fn print_txt_line(data: &[u8], len: usize, out: &mut String) {
    let mut idx = 0;
    while idx < len {
        let Some(&c) = data.get(idx) else {
            trunc(out, "http");
            return;
        };
        if c == b'\n' {
            let _ = write!(out, ": {}", String::from_utf8_lossy(&data[..idx]));
            return;
        } else if c == b'\r' {
            if idx + 1 >= len {
                return;
            }
            let Some(&next) = data.get(idx + 1) else {
                trunc(out, "http");
                return;
            };
            if next == b'\n' {
                let _ = write!(out, ": {}", String::from_utf8_lossy(&data[..idx]));
            }
            return;
        } else if !is_print(c) && c != b'\t' {
            return;
        }
        idx += 1;
    }
    let _ = write!(out, ": {}", String::from_utf8_lossy(&data[..idx]));
    trunc(out, "http");
}

/// `domain_print` at default verbosity: header flags and counts, the question of a query, the
/// answers of a response, then the message length. `data` is what was captured of `len`.
fn domain_print(data: &[u8], len: usize, over_tcp: bool, out: &mut String) {
    let (data, len) = if over_tcp {
        if len < 2 {
            let _ = write!(out, " [DNS over TCP: length {len} < 2] (invalid)");
            return;
        }
        let Some(p) = data.get(..2) else {
            trunc(out, "domain");
            return;
        };
        let prefix = usize::from(u16::from_be_bytes([p[0], p[1]]));
        if prefix != len - 2 {
            let _ = write!(out, " [prefix length({prefix}) != length({})] (invalid)", len - 2);
            return;
        }
        out.push(' ');
        (&data[2..], len - 2)
    } else {
        (data, len)
    };
    if len < 12 {
        let _ = write!(out, "domain [length {len} < 12] (invalid)");
        return;
    }
    if data.len() < 12 {
        trunc(out, "domain");
        return;
    }
    let be16 = |i: usize| u16::from_be_bytes([data[i], data[i + 1]]);
    let (id, flags) = (be16(0), be16(2));
    let (qd, an, ns, ar) = (be16(4), be16(6), be16(8), be16(10));
    const OPS: [&str; 16] = [
        "",
        " inv_q",
        " stat",
        " op3",
        " notify",
        " update",
        " op6",
        " op7",
        " op8",
        " updateA",
        " updateD",
        " updateDA",
        " updateM",
        " updateMA",
        " zoneInit",
        " zoneRef",
    ];
    const RCODES: [&str; 24] = [
        "",
        " FormErr",
        " ServFail",
        " NXDomain",
        " NotImp",
        " Refused",
        " YXDomain",
        " YXRRSet",
        " NXRRSet",
        " NotAuth",
        " NotZone",
        " Resp11",
        " Resp12",
        " Resp13",
        " Resp14",
        " NoChange",
        " BadVers",
        "Resp17",
        " Resp18",
        " Resp19",
        " Resp20",
        "Resp21",
        " Resp22",
        " BadCookie",
    ];
    let op = OPS[usize::from((flags >> 11) & 0xf)];
    let bit = |m: u16| flags & m != 0;
    let mut cp = 12;
    if bit(0x8000) {
        let rcode = usize::from(flags & 0xf);
        let _ = write!(
            out,
            "{id}{op}{}{}{}{}{}",
            RCODES[rcode],
            if bit(0x0400) { "*" } else { "" },
            if bit(0x0080) { "" } else { "-" },
            if bit(0x0200) { "|" } else { "" },
            if bit(0x0020) { "$" } else { "" }
        );
        if qd != 1 {
            let _ = write!(out, " [{qd}q]");
        }
        for _ in 0..qd {
            let Some(end) = skip_name(data, cp) else {
                trunc(out, "domain");
                return;
            };
            cp = end + 4;
        }
        let _ = write!(out, " {an}/{ns}/{ar}");
        for i in 0..an {
            if i > 0 {
                if cp >= data.len() {
                    trunc(out, "domain");
                    return;
                }
                out.push(',');
            }
            match resource(data, cp, out) {
                Some(next) => cp = next,
                None => {
                    trunc(out, "domain");
                    return;
                }
            }
        }
    } else {
        let _ = write!(out, "{id}{op}{}{}", if bit(0x0100) { "+" } else { "" }, if bit(0x0010) { "%" } else { "" });
        if flags & 0x6cf != 0 {
            let _ = write!(out, " [b2&3={flags:#x}]");
        }
        if op == " inv_q" {
            if qd != 0 {
                let _ = write!(out, " [{qd}q]");
            }
            if an != 1 {
                let _ = write!(out, " [{an}a]");
            }
        } else {
            if an != 0 {
                let _ = write!(out, " [{an}a]");
            }
            if qd != 1 {
                let _ = write!(out, " [{qd}q]");
            }
        }
        if ns != 0 {
            let _ = write!(out, " [{ns}n]");
        }
        if ar != 0 {
            let _ = write!(out, " [{ar}au]");
        }
        for i in 0..qd {
            if i > 0 && cp >= data.len() {
                trunc(out, "domain");
                return;
            }
            let Some(end) = skip_name(data, cp).filter(|e| e + 4 <= data.len()) else {
                trunc(out, "domain");
                return;
            };
            let (qtype, qclass) = (be16(end), be16(end + 2));
            let _ = write!(out, " {}", type_name(qtype));
            if qclass != 1 {
                let _ = write!(out, " {}", class_name(qclass));
            }
            out.push_str("? ");
            if !print_name(data, cp, out) {
                trunc(out, "domain");
                return;
            }
            cp = end + 4;
        }
    }
    let _ = write!(out, " ({len})");
}

/// `ns_nskip`: the offset after the name at `cp` (a compression pointer ends it).
fn skip_name(data: &[u8], mut cp: usize) -> Option<usize> {
    loop {
        let l = *data.get(cp)?;
        match l & 0xc0 {
            0xc0 => return Some(cp + 2),
            0x00 if l == 0 => return Some(cp + 1),
            0x00 => cp += 1 + usize::from(l),
            _ => return None,
        }
    }
}

/// `fqdn_print` for plain labels and compression pointers: `a.b.c.`, or `.` for the root.
fn print_name(data: &[u8], mut cp: usize, out: &mut String) -> bool {
    let mut any = false;
    let mut jumps = 0;
    loop {
        let Some(&l) = data.get(cp) else { return false };
        if l & 0xc0 == 0xc0 {
            let Some(&lo) = data.get(cp + 1) else { return false };
            cp = usize::from(u16::from_be_bytes([l & 0x3f, lo]));
            jumps += 1;
            if jumps > 64 {
                return false;
            }
            continue;
        }
        if l == 0 {
            if !any {
                out.push('.');
            }
            return true;
        }
        let Some(label) = data.get(cp + 1..cp + 1 + usize::from(l)) else { return false };
        for &c in label {
            if c == b'.' || c == b'\\' {
                out.push('\\');
                out.push(char::from(c));
            } else if is_print(c) {
                out.push(char::from(c));
            } else {
                let _ = write!(out, "\\{c:03}");
            }
        }
        out.push('.');
        any = true;
        cp += 1 + usize::from(l);
    }
}

/// `ns_rprint` at default verbosity: the type, and the data of A, NS, CNAME, PTR and DNAME
/// records. Returns the offset after the record.
fn resource(data: &[u8], cp: usize, out: &mut String) -> Option<usize> {
    let cp = skip_name(data, cp)?;
    if cp + 10 > data.len() {
        return Some(data.len());
    }
    let be16 = |i: usize| u16::from_be_bytes([data[i], data[i + 1]]);
    let (typ, class) = (be16(cp), be16(cp + 2));
    if class != 1 && typ != 41 {
        let _ = write!(out, " {}", class_name(class));
    }
    let rdlen = usize::from(be16(cp + 8));
    let rd = cp + 10;
    let _ = write!(out, " {}", type_name(typ));
    if rd + rdlen > data.len() {
        return None;
    }
    match typ {
        1 => {
            let a = data.get(rd..rd + 4)?;
            let _ = write!(out, " {}", Ipv4Addr::new(a[0], a[1], a[2], a[3]));
        }
        2 | 5 | 12 | 39 => {
            out.push(' ');
            if !print_name(data, rd, out) {
                return None;
            }
        }
        _ => {}
    }
    Some(rd + rdlen)
}

/// `ns_type2str` for the common types.
fn type_name(t: u16) -> String {
    let name = match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        39 => "DNAME",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        _ => return format!("Type{t}"),
    };
    name.into()
}

/// `ns_class2str`.
fn class_name(c: u16) -> String {
    match c {
        1 => "IN".into(),
        3 => "CHAOS".into(),
        4 => "HS".into(),
        255 => "ANY".into(),
        _ => format!("(Class {c})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Frame, FramePayload, Ipv4Packet, TcpOptions, Transport};

    fn frame(transport: Transport, src: [u8; 4], dst: [u8; 4]) -> FrameRecord {
        let f = Frame {
            eth: EthernetRepr { dst: MacAddr::local(2), src: MacAddr::local(1), ethertype: EtherType::IPV4 },
            payload: FramePayload::Ipv4(Ipv4Packet {
                ip: Ipv4Repr {
                    src: src.into(),
                    dst: dst.into(),
                    protocol: IpProtocol(0),
                    ttl: 64,
                    ident: 1,
                    dont_frag: true,
                    more_frags: false,
                    frag_offset: 0,
                    dscp: 0,
                    ecn: 0,
                },
                transport,
            }),
        };
        let bytes = f.to_bytes();
        FrameRecord { orig_len: bytes.len() as u32, bytes }
    }

    fn seg(sport: u16, dport: u16, seq: u32, ack: u32, flags: TcpFlags, payload: &[u8]) -> TcpRepr {
        TcpRepr {
            src_port: sport,
            dst_port: dport,
            seq,
            ack,
            flags,
            window: 502,
            urgent: 0,
            options: TcpOptions { timestamps: Some((1, 2)), ..Default::default() },
            payload: payload.to_vec(),
        }
    }

    const A: [u8; 4] = [10, 0, 0, 1];
    const B: [u8; 4] = [10, 0, 0, 2];

    #[test]
    fn handshake_and_http_lines() {
        let mut syn = seg(36686, 80, 1943773250, 0, TcpFlags::SYN, b"");
        syn.window = 64240;
        syn.options = TcpOptions {
            mss: Some(1460),
            sack_permitted: true,
            timestamps: Some((1, 0)),
            window_scale: Some(7),
            ..Default::default()
        };
        let mut synack = seg(80, 36686, 1000, 1943773251, TcpFlags::SYN | TcpFlags::ACK | TcpFlags::ECE, b"");
        synack.options = TcpOptions::default();
        let get = seg(36686, 80, 1943773251, 1001, TcpFlags::PSH | TcpFlags::ACK, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut sack = seg(80, 36686, 1001, 1943773251 + 27, TcpFlags::ACK, b"");
        sack.options.sack_blocks = vec![(1943773251 + 100, 1943773251 + 200)];
        let recs = [
            frame(Transport::Tcp(syn), A, B),
            frame(Transport::Tcp(synack), B, A),
            frame(Transport::Tcp(get), A, B),
            frame(Transport::Tcp(sack), B, A),
        ];
        let frames: Vec<_> = recs.iter().enumerate().map(|(i, r)| (Instant(i as u64 * 1_500_000_999), r)).collect();
        let got = lines(&frames, &TcpdumpOptions::default());
        assert_eq!(got[0], "00:00:00.000000 IP 10.0.0.1.36686 > 10.0.0.2.80: Flags [S], seq 1943773250, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
        assert_eq!(
            got[1],
            "00:00:01.500000 IP 10.0.0.2.80 > 10.0.0.1.36686: Flags [S.E], seq 1000, ack 1943773251, win 502, length 0"
        );
        assert_eq!(got[2], "00:00:03.000001 IP 10.0.0.1.36686 > 10.0.0.2.80: Flags [P.], seq 1:28, ack 1, win 502, options [nop,nop,TS val 1 ecr 2], length 27: HTTP: GET / HTTP/1.1");
        // tcpdump counts SACK edges from the ack it recorded minus one (the ISN), so they read
        // one more than the relative acks do.
        assert_eq!(got[3], "00:00:04.500002 IP 10.0.0.2.80 > 10.0.0.1.36686: Flags [.], ack 28, win 502, options [nop,nop,TS val 1 ecr 2,nop,nop,sack 1 {101:201}], length 0");
        let abs = lines(&frames, &TcpdumpOptions { absolute_seq: true });
        assert!(abs[2].contains("seq 1943773251:1943773278, ack 1001,"), "{}", abs[2]);
        assert!(abs[3].contains("sack 1 {1943773351:1943773451}"), "{}", abs[3]);
    }

    #[test]
    fn dns_icmp_and_arp_lines() {
        let q = crate::apps::dns::query(12345, &crate::apps::dns::encode_name("example.com").unwrap());
        let rec = crate::apps::dns::Record { name: "example.com".into(), ip: Ipv4Addr::new(93, 184, 216, 34) };
        let r = crate::apps::dns::answer(&q, &[rec]).unwrap();
        let udp = |sp, dp, payload: Vec<u8>| Transport::Udp(UdpRepr { src_port: sp, dst_port: dp, payload });
        let echo = Transport::Icmp(IcmpRepr::EchoRequest { ident: 7, seq_no: 1, data: vec![0; 56] });
        let arp = {
            let f = Frame {
                eth: EthernetRepr { dst: MacAddr::BROADCAST, src: MacAddr::local(1), ethertype: EtherType::ARP },
                payload: FramePayload::Arp(ArpRepr {
                    op: ArpOp::Request,
                    sender_mac: MacAddr::local(1),
                    sender_ip: A.into(),
                    target_mac: MacAddr::ZERO,
                    target_ip: B.into(),
                }),
            };
            let bytes = f.to_bytes();
            FrameRecord { orig_len: bytes.len() as u32, bytes }
        };
        let recs = [frame(udp(40000, 53, q), A, B), frame(udp(53, 40000, r), B, A), frame(echo, A, B), arp];
        let frames: Vec<_> = recs.iter().map(|r| (Instant(0), r)).collect();
        let got = lines(&frames, &TcpdumpOptions::default());
        assert_eq!(got[0], "00:00:00.000000 IP 10.0.0.1.40000 > 10.0.0.2.53: 12345+ A? example.com. (29)");
        assert_eq!(got[1], "00:00:00.000000 IP 10.0.0.2.53 > 10.0.0.1.40000: 12345* 1/0/0 A 93.184.216.34 (45)");
        assert_eq!(got[2], "00:00:00.000000 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64");
        assert_eq!(got[3], "00:00:00.000000 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28");
    }
}
