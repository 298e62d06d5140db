//! Display filters: a subset of Wireshark's display filter language (wireshark-filter(4)),
//! applied to the frames one capture point saw.
//!
//! ```
//! use wirewise_sim::filter::{select, DisplayFilter};
//! let p = wirewise_sim::presets::find("handshake").unwrap();
//! let t = wirewise_sim::run(&p.default_scenario().unwrap()).unwrap();
//! let frames = t.capture(t.node_named("client").unwrap());
//! let f = DisplayFilter::parse("tcp.flags.syn == 1 && tcp.flags.ack == 0").unwrap();
//! assert_eq!(select(&f, &frames).iter().filter(|&&k| k).count(), 1);
//! ```
//!
//! Fields are read with the crate's typed parsers ([`EthernetRepr`], [`ArpRepr`],
//! [`Ipv4Repr::parse_captured`], [`Transport::parse`], [`TcpRepr::parse_captured`]…), so a
//! frame cut at the snap length still shows its headers. As in Wireshark:
//!
//! - IPv4 fragments are reassembled; the frame that completes a datagram carries its
//!   transport fields, the other fragments only their IP fields.
//! - The datagram an ICMP error quotes is dissected too: its IP addresses, and its TCP or UDP
//!   ports, are further occurrences of `ip.*`, `tcp.*` and `udp.*` fields in that frame.
//! - `a == b`, `<`, `<=`, `>`, `>=` and `contains` hold when *some* occurrence of the field
//!   does; `a != b` is `!(a == b)`, i.e. *every* occurrence differs (Wireshark 3.6 onwards;
//!   before 3.6 it meant "some occurrence differs", which is now `~=` / `any_ne`); `===` /
//!   `all_eq` needs every occurrence equal. A comparison with a field the frame lacks is
//!   false.
//! - `tcp.seq` and `tcp.ack` are relative to the first sequence number seen in each
//!   direction of a connection (the ISN when the SYN was captured, one before the first
//!   sequence number otherwise), and a SYN with a new ISN on the same four-tuple starts a
//!   new connection.
//! - `tcp.analysis.*` follow `tcp_analyze_sequence_number` (epan/dissectors/packet-tcp.c),
//!   computed in one pass: `retransmission` is a segment with data, SYN or FIN that does not
//!   advance the highest sequence number seen in its direction and is neither a keep-alive,
//!   a zero-window probe nor out of order (within the first RTT, or 3 ms, of the segment with
//!   the highest sequence number), or whose data the peer has already acknowledged (a
//!   spurious retransmission); fast retransmissions count too. `duplicate_ack`: no data, window
//!   non-zero and unchanged, the sequence number the next expected one, the same ACK as the
//!   previous segment in that direction, no SYN, FIN or RST. `zero_window`: window 0 without
//!   SYN, FIN or RST.
//!
//! Deviations from Wireshark, stated: `http` and `tls` are decided per segment (a TCP
//! payload starting with an HTTP method or `HTTP/`; on port 443, a payload starting with a
//! TLS record header) without TCP reassembly, so a message spread over several segments
//! matches on its first segment rather than its last; `dns` is UDP or TCP port 53 with a
//! payload and `dns.qry.name` is the first question's name; the quoted datagram of an ICMP
//! error gives IP addresses and TCP/UDP ports and raw numbers only (no analysis, no `dns`);
//! a field cannot be compared with another field, and sets (`in {…}`), slices, functions,
//! arithmetic and host names are not supported.

use crate::time::Instant;
use crate::trace::FrameRecord;
use crate::wire::{
    ArpRepr, EtherType, EthernetRepr, IcmpRepr, IpProtocol, Ipv4Packet, Ipv4Repr, Reassembler, TcpRepr, Transport,
    UdpRepr,
};
use std::collections::HashMap;
use std::fmt;

/// A parsed display filter. The empty filter keeps every frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplayFilter {
    expr: Option<Expr>,
}

/// Why a filter's text is not a filter: where (in characters from the start of the text)
/// and how long the offending token is, and a message in Wireshark's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// Offset of the offending token, in characters (not bytes) of the filter text.
    pub at: usize,
    /// Its length in characters (0 at the end of the text).
    pub len: usize,
    /// What is wrong, e.g. `"tcp.prot" is neither a field nor a protocol name.`
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

/// How deep parentheses may nest.
const MAX_DEPTH: usize = 100;

/// A token as a message echoes it: clipped when long, on one line.
fn echo(s: &str) -> String {
    crate::text::clip(s)
}

// ---------------------------------------------------------------------------------------
// Fields

/// The type of a field, which decides the literals it compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    /// A protocol: presence only.
    Proto,
    /// An unsigned integer with its largest value.
    Uint(u64),
    /// A flag: 1/0, true/false.
    Bool,
    /// An IPv4 address (compares with an address or a CIDR block).
    Ipv4,
    /// An Ethernet address.
    Mac,
    /// A character string.
    Str,
    /// A time in seconds.
    Time,
    /// An expert-analysis label: presence only.
    Label,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Proto => "Protocol",
            Ty::Uint(0xff) => "Unsigned integer (8 bits)",
            Ty::Uint(0xffff) => "Unsigned integer (16 bits)",
            Ty::Uint(_) => "Unsigned integer (32 bits)",
            Ty::Bool => "Boolean",
            Ty::Ipv4 => "IPv4 address",
            Ty::Mac => "Ethernet or other MAC address",
            Ty::Str => "Character string",
            Ty::Time => "Time offset",
            Ty::Label => "Label",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fid {
    Frame,
    FrameLen,
    FrameNumber,
    FrameTime,
    Eth,
    EthSrc,
    EthDst,
    EthAddr,
    EthType,
    Arp,
    ArpOpcode,
    ArpSrcIp,
    ArpDstIp,
    Ip,
    IpSrc,
    IpDst,
    IpAddr,
    IpTtl,
    IpId,
    IpDf,
    IpMf,
    IpFragOffset,
    IpProto,
    IpLen,
    Icmp,
    IcmpType,
    IcmpCode,
    Udp,
    UdpPort,
    UdpSrc,
    UdpDst,
    UdpLength,
    Tcp,
    TcpPort,
    TcpSrc,
    TcpDst,
    TcpSeq,
    TcpAck,
    TcpSeqRaw,
    TcpAckRaw,
    TcpLen,
    TcpWin,
    TcpSyn,
    TcpAckFlag,
    TcpFin,
    TcpRst,
    TcpPsh,
    TcpUrg,
    TcpEce,
    TcpCwr,
    Retransmission,
    DuplicateAck,
    ZeroWindow,
    Dns,
    DnsQryName,
    DnsResponse,
    Http,
    Tls,
}

const U8: Ty = Ty::Uint(0xff);
const U16: Ty = Ty::Uint(0xffff);
const U32: Ty = Ty::Uint(0xffff_ffff);

/// Every name the language knows, with its field and type.
const FIELDS: &[(&str, Fid, Ty)] = &[
    ("frame", Fid::Frame, Ty::Proto),
    ("frame.len", Fid::FrameLen, U32),
    ("frame.number", Fid::FrameNumber, U32),
    ("frame.time_relative", Fid::FrameTime, Ty::Time),
    ("eth", Fid::Eth, Ty::Proto),
    ("eth.src", Fid::EthSrc, Ty::Mac),
    ("eth.dst", Fid::EthDst, Ty::Mac),
    ("eth.addr", Fid::EthAddr, Ty::Mac),
    ("eth.type", Fid::EthType, U16),
    ("arp", Fid::Arp, Ty::Proto),
    ("arp.opcode", Fid::ArpOpcode, U16),
    ("arp.src.proto_ipv4", Fid::ArpSrcIp, Ty::Ipv4),
    ("arp.dst.proto_ipv4", Fid::ArpDstIp, Ty::Ipv4),
    ("ip", Fid::Ip, Ty::Proto),
    ("ip.src", Fid::IpSrc, Ty::Ipv4),
    ("ip.dst", Fid::IpDst, Ty::Ipv4),
    ("ip.addr", Fid::IpAddr, Ty::Ipv4),
    ("ip.ttl", Fid::IpTtl, U8),
    ("ip.id", Fid::IpId, U16),
    ("ip.flags.df", Fid::IpDf, Ty::Bool),
    ("ip.flags.mf", Fid::IpMf, Ty::Bool),
    ("ip.frag_offset", Fid::IpFragOffset, U16),
    ("ip.proto", Fid::IpProto, U8),
    ("ip.len", Fid::IpLen, U16),
    ("icmp", Fid::Icmp, Ty::Proto),
    ("icmp.type", Fid::IcmpType, U8),
    ("icmp.code", Fid::IcmpCode, U8),
    ("udp", Fid::Udp, Ty::Proto),
    ("udp.port", Fid::UdpPort, U16),
    ("udp.srcport", Fid::UdpSrc, U16),
    ("udp.dstport", Fid::UdpDst, U16),
    ("udp.length", Fid::UdpLength, U16),
    ("tcp", Fid::Tcp, Ty::Proto),
    ("tcp.port", Fid::TcpPort, U16),
    ("tcp.srcport", Fid::TcpSrc, U16),
    ("tcp.dstport", Fid::TcpDst, U16),
    ("tcp.seq", Fid::TcpSeq, U32),
    ("tcp.ack", Fid::TcpAck, U32),
    ("tcp.seq_raw", Fid::TcpSeqRaw, U32),
    ("tcp.ack_raw", Fid::TcpAckRaw, U32),
    ("tcp.len", Fid::TcpLen, U32),
    ("tcp.window_size_value", Fid::TcpWin, U16),
    ("tcp.flags.syn", Fid::TcpSyn, Ty::Bool),
    ("tcp.flags.ack", Fid::TcpAckFlag, Ty::Bool),
    ("tcp.flags.fin", Fid::TcpFin, Ty::Bool),
    ("tcp.flags.reset", Fid::TcpRst, Ty::Bool),
    ("tcp.flags.rst", Fid::TcpRst, Ty::Bool),
    ("tcp.flags.push", Fid::TcpPsh, Ty::Bool),
    ("tcp.flags.psh", Fid::TcpPsh, Ty::Bool),
    ("tcp.flags.urg", Fid::TcpUrg, Ty::Bool),
    ("tcp.flags.ece", Fid::TcpEce, Ty::Bool),
    ("tcp.flags.cwr", Fid::TcpCwr, Ty::Bool),
    ("tcp.analysis.retransmission", Fid::Retransmission, Ty::Label),
    ("tcp.analysis.duplicate_ack", Fid::DuplicateAck, Ty::Label),
    ("tcp.analysis.zero_window", Fid::ZeroWindow, Ty::Label),
    ("dns", Fid::Dns, Ty::Proto),
    ("dns.qry.name", Fid::DnsQryName, Ty::Str),
    ("dns.flags.response", Fid::DnsResponse, Ty::Bool),
    ("http", Fid::Http, Ty::Proto),
    ("tls", Fid::Tls, Ty::Proto),
];

/// The names a filter may use, for completion in a filter box.
pub fn field_names() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().map(|f| f.0)
}

// ---------------------------------------------------------------------------------------
// Syntax

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `==`, `eq`, `any_eq`: some occurrence equals.
    Eq,
    /// `!=`, `ne`, `all_ne`: every occurrence differs.
    Ne,
    /// `~=`, `any_ne`: some occurrence differs.
    AnyNe,
    /// `===`, `all_eq`: every occurrence equals.
    AllEq,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

/// A literal, already converted to the type of the field it is compared with.
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Uint(u64),
    /// An address and its prefix length (32 for a plain address).
    Ip(u32, u8),
    Mac([u8; 6]),
    Str(String),
    /// Nanoseconds (may be negative).
    Time(i128),
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Exists(Fid),
    Cmp(Fid, Op, Lit),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    And,
    Or,
    Not,
    Op(Op),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    at: usize,
    len: usize,
    text: String,
}

fn err<T>(at: usize, len: usize, message: String) -> Result<T, FilterError> {
    Err(FilterError { at, len, message })
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-')
}

fn lex(chars: &[char]) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let tok = if is_word_char(c) {
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            match w.as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                "eq" | "any_eq" => Tok::Op(Op::Eq),
                "ne" | "all_ne" => Tok::Op(Op::Ne),
                "any_ne" => Tok::Op(Op::AnyNe),
                "all_eq" => Tok::Op(Op::AllEq),
                "lt" => Tok::Op(Op::Lt),
                "le" => Tok::Op(Op::Le),
                "gt" => Tok::Op(Op::Gt),
                "ge" => Tok::Op(Op::Ge),
                "contains" => Tok::Op(Op::Contains),
                _ => Tok::Word(w),
            }
        } else if c == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&c) = chars.get(i) else {
                    return err(start, i - start, "The string has no closing quote.".into());
                };
                i += 1;
                match c {
                    '"' => break,
                    '\\' => {
                        let Some(&e) = chars.get(i) else {
                            return err(start, i - start, "The string has no closing quote.".into());
                        };
                        i += 1;
                        match e {
                            'n' => s.push('\n'),
                            't' => s.push('\t'),
                            'r' => s.push('\r'),
                            '0' => s.push('\0'),
                            'x' => {
                                let hex: String = chars[i..chars.len().min(i + 2)].iter().collect();
                                match u8::from_str_radix(&hex, 16) {
                                    Ok(b) if hex.len() == 2 => {
                                        s.push(char::from(b));
                                        i += 2;
                                    }
                                    _ => {
                                        return err(i - 2, 2, "\\x must be followed by two hex digits.".into());
                                    }
                                }
                            }
                            other => s.push(other),
                        }
                    }
                    other => s.push(other),
                }
            }
            Tok::Str(s)
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let three: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let (tok, n) = if three == "===" {
                (Tok::Op(Op::AllEq), 3)
            } else if three == "!==" {
                (Tok::Op(Op::AnyNe), 3)
            } else {
                match two.as_str() {
                    "==" => (Tok::Op(Op::Eq), 2),
                    "!=" => (Tok::Op(Op::Ne), 2),
                    "~=" => (Tok::Op(Op::AnyNe), 2),
                    "<=" => (Tok::Op(Op::Le), 2),
                    ">=" => (Tok::Op(Op::Ge), 2),
                    "&&" => (Tok::And, 2),
                    "||" => (Tok::Or, 2),
                    _ => match c {
                        '<' => (Tok::Op(Op::Lt), 1),
                        '>' => (Tok::Op(Op::Gt), 1),
                        '!' => (Tok::Not, 1),
                        '(' => (Tok::LParen, 1),
                        ')' => (Tok::RParen, 1),
                        '=' => return err(i, 1, "\"=\" was unexpected in this context (did you mean \"==\"?).".into()),
                        _ => return err(i, 1, format!("\"{c}\" was unexpected in this context.")),
                    },
                }
            };
            i += n;
            tok
        };
        out.push(Token { tok, at: start, len: i - start, text: chars[start..i].iter().collect() });
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// Length of the text in characters, where "end of filter" errors point.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn unexpected<T>(&self) -> Result<T, FilterError> {
        match self.peek() {
            Some(t) => err(t.at, t.len, format!("\"{}\" was unexpected in this context.", echo(&t.text))),
            None => err(self.end, 0, "Unexpected end of filter expression.".into()),
        }
    }

    fn or(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut items = vec![self.and(depth)?];
        while matches!(self.peek(), Some(Token { tok: Tok::Or, .. })) {
            self.pos += 1;
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap_or(Expr::All(vec![])) } else { Expr::Any(items) })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut items = vec![self.not(depth)?];
        while matches!(self.peek(), Some(Token { tok: Tok::And, .. })) {
            self.pos += 1;
            items.push(self.not(depth)?);
        }
        Ok(if items.len() == 1 { items.pop().unwrap_or(Expr::All(vec![])) } else { Expr::All(items) })
    }

    fn not(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut negate = false;
        while matches!(self.peek(), Some(Token { tok: Tok::Not, .. })) {
            self.pos += 1;
            negate = !negate;
        }
        let e = self.primary(depth)?;
        Ok(if negate { Expr::Not(Box::new(e)) } else { e })
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let Some(t) = self.peek().cloned() else { return self.unexpected() };
        match t.tok {
            Tok::LParen => {
                if depth >= MAX_DEPTH {
                    return err(t.at, t.len, format!("Parentheses nest more than {MAX_DEPTH} deep."));
                }
                self.pos += 1;
                let e = self.or(depth + 1)?;
                match self.peek() {
                    Some(Token { tok: Tok::RParen, .. }) => {
                        self.pos += 1;
                        Ok(e)
                    }
                    Some(_) => self.unexpected(),
                    None => err(t.at, 1, "The opening parenthesis has no closing one.".into()),
                }
            }
            Tok::Word(ref w) => {
                self.pos += 1;
                let Some(&(name, fid, ty)) = FIELDS.iter().find(|f| f.0 == w) else {
                    return err(t.at, t.len, format!("\"{}\" is neither a field nor a protocol name.", echo(w)));
                };
                let op = match self.peek() {
                    Some(Token { tok: Tok::Op(op), at, len, text }) => (*op, *at, *len, text.clone()),
                    _ => return Ok(Expr::Exists(fid)),
                };
                self.pos += 1;
                let (op, op_at, op_len, op_text) = op;
                if matches!(ty, Ty::Proto | Ty::Label) || (op == Op::Contains && ty != Ty::Str) {
                    return err(
                        op_at,
                        op_len,
                        format!("{name} (type={}) cannot participate in '{op_text}' comparison.", ty.name()),
                    );
                }
                let Some(v) = self.peek().cloned() else { return self.unexpected() };
                let text = match &v.tok {
                    Tok::Word(s) | Tok::Str(s) => s.clone(),
                    _ => return self.unexpected(),
                };
                self.pos += 1;
                let lit = literal(ty, &text).map_err(|message| FilterError { at: v.at, len: v.len, message })?;
                Ok(Expr::Cmp(fid, op, lit))
            }
            _ => self.unexpected(),
        }
    }
}

/// Reads an unsigned integer as Wireshark does: decimal, `0x` hex, or octal with a leading 0.
fn parse_uint(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

fn parse_ipv4(s: &str) -> Option<(u32, u8)> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok().filter(|p| *p <= 32)?),
        None => (s, 32),
    };
    let a: std::net::Ipv4Addr = addr.parse().ok()?;
    Some((u32::from(a), prefix))
}

fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    if parts.len() != 6 {
        return None;
    }
    let mut m = [0u8; 6];
    for (d, p) in m.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *d = u8::from_str_radix(p, 16).ok()?;
    }
    Some(m)
}

/// Seconds with up to nine decimals, as nanoseconds.
fn parse_time(s: &str) -> Option<i128> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if (whole.is_empty() && frac.is_empty())
        || frac.len() > 9
        || whole.len() > 20
        || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let f: i128 = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse().ok()? };
    let ns = w * 1_000_000_000 + f;
    Some(if neg { -ns } else { ns })
}

fn literal(ty: Ty, s: &str) -> Result<Lit, String> {
    let e = echo(s);
    match ty {
        Ty::Uint(max) => match parse_uint(s) {
            Some(v) if v <= max => Ok(Lit::Uint(v)),
            Some(_) => Err(format!("{e} is too large (maximum is {max}).")),
            None => Err(format!("\"{e}\" is not a valid number.")),
        },
        Ty::Bool => match s {
            "1" | "true" | "True" | "TRUE" => Ok(Lit::Uint(1)),
            "0" | "false" | "False" | "FALSE" => Ok(Lit::Uint(0)),
            _ => Err(format!("\"{e}\" is not a valid boolean.")),
        },
        Ty::Ipv4 => parse_ipv4(s)
            .map(|(a, p)| Lit::Ip(a, p))
            .ok_or_else(|| format!("\"{e}\" is not a valid hostname or IPv4 address.")),
        Ty::Mac => {
            parse_mac(s).map(Lit::Mac).ok_or_else(|| format!("\"{e}\" is not a valid hostname or Ethernet address."))
        }
        Ty::Str => Ok(Lit::Str(s.to_string())),
        Ty::Time => parse_time(s).map(Lit::Time).ok_or_else(|| format!("\"{e}\" is not a valid time in seconds.")),
        Ty::Proto | Ty::Label => Err(format!("\"{e}\" cannot be compared with a protocol.")),
    }
}

impl DisplayFilter {
    /// Parses `text`. Empty or whitespace-only text is the filter that keeps every frame.
    /// Field names are checked here: an unknown one is an error.
    pub fn parse(text: &str) -> Result<DisplayFilter, FilterError> {
        let chars: Vec<char> = text.chars().collect();
        let toks = lex(&chars)?;
        if toks.is_empty() {
            return Ok(DisplayFilter { expr: None });
        }
        let mut p = Parser { toks, pos: 0, end: chars.len() };
        let expr = p.or(0)?;
        if p.pos < p.toks.len() {
            return p.unexpected();
        }
        Ok(DisplayFilter { expr: Some(expr) })
    }

    /// True for the empty filter, which keeps every frame.
    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation

#[derive(Debug, Clone, PartialEq)]
enum Val {
    /// Presence only (protocols, labels).
    Unit,
    Uint(u64),
    Ip(u32),
    Mac([u8; 6]),
    Str(String),
    /// Nanoseconds.
    Time(u64),
}

/// The fields of one frame, in the order they were dissected.
type Fields = Vec<(Fid, Val)>;

fn compare(v: &Val, op: Op, lit: &Lit) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (v, lit) {
        (Val::Uint(a), Lit::Uint(b)) => Some(a.cmp(b)),
        (Val::Ip(a), Lit::Ip(b, p)) => {
            let mask = if *p == 0 { 0 } else { u32::MAX << (32 - u32::from(*p)) };
            Some(if a & mask == b & mask { Ordering::Equal } else { a.cmp(b) })
        }
        (Val::Mac(a), Lit::Mac(b)) => Some(a.cmp(b)),
        (Val::Str(a), Lit::Str(b)) => {
            if op == Op::Contains {
                return a.contains(b.as_str());
            }
            Some(a.as_str().cmp(b.as_str()))
        }
        (Val::Time(a), Lit::Time(b)) => Some(i128::from(*a).cmp(b)),
        _ => None,
    };
    let Some(ord) = ord else { return false };
    match op {
        Op::Eq | Op::AllEq => ord == Ordering::Equal,
        Op::Ne | Op::AnyNe => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        Op::Contains => false,
    }
}

fn eval(e: &Expr, fields: &Fields) -> bool {
    match e {
        Expr::All(v) => v.iter().all(|e| eval(e, fields)),
        Expr::Any(v) => v.iter().any(|e| eval(e, fields)),
        Expr::Not(e) => !eval(e, fields),
        Expr::Exists(f) => fields.iter().any(|(g, _)| g == f),
        Expr::Cmp(f, op, lit) => {
            let mut vals = fields.iter().filter(|(g, _)| g == f).map(|(_, v)| v).peekable();
            if vals.peek().is_none() {
                return false;
            }
            match op {
                Op::Ne | Op::AllEq => vals.all(|v| compare(v, *op, lit)),
                _ => vals.any(|v| compare(v, *op, lit)),
            }
        }
    }
}

/// Which of `frames` (in time order, as one capture point sees them) the filter keeps.
/// One pass over the frames: fragments are reassembled and TCP analysis is carried along
/// as it goes, so the cost is linear in the number of frames.
pub fn select(filter: &DisplayFilter, frames: &[(Instant, &FrameRecord)]) -> Vec<bool> {
    let Some(expr) = &filter.expr else { return vec![true; frames.len()] };
    let t0 = frames.first().map_or(Instant(0), |f| f.0);
    let mut d = Dissector::default();
    frames
        .iter()
        .enumerate()
        .map(|(i, (t, rec))| {
            let fields = d.frame(i as u64 + 1, t.0, t.0.saturating_sub(t0.0), rec);
            eval(expr, &fields)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Dissection

/// One direction of a TCP connection, as `tcp_analyze_sequence_number` tracks it.
#[derive(Debug, Clone, Copy, Default)]
struct Flow {
    base: Option<u32>,
    /// Highest sequence number seen plus its length (0: none yet, as Wireshark).
    nextseq: u32,
    nextseq_t: u64,
    lastack: u32,
    lastack_t: u64,
    window: Option<u16>,
    dupacks: u32,
    /// The previous segment was a keep-alive / a zero-window probe.
    last_keepalive: bool,
    last_zwp: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct Conv {
    /// Direction 0 goes from the lower (address, port) to the higher.
    flows: [Flow; 2],
    last_syn_t: Option<u64>,
    first_rtt: Option<u64>,
}

type ConvKey = ([u8; 6], [u8; 6]);

fn lt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}
fn gt_seq(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

#[derive(Default)]
struct Dissector {
    convs: HashMap<ConvKey, Conv>,
    reassembly: Reassembler,
}

fn endpoint(ip: std::net::Ipv4Addr, port: u16) -> [u8; 6] {
    let o = ip.octets();
    let p = port.to_be_bytes();
    [o[0], o[1], o[2], o[3], p[0], p[1]]
}

impl Dissector {
    fn frame(&mut self, number: u64, now: u64, rel: u64, rec: &FrameRecord) -> Fields {
        let mut out: Fields = vec![
            (Fid::Frame, Val::Unit),
            (Fid::FrameLen, Val::Uint(u64::from(rec.orig_len))),
            (Fid::FrameNumber, Val::Uint(number)),
            (Fid::FrameTime, Val::Time(rel)),
        ];
        let Ok((eth, rest)) = EthernetRepr::parse(&rec.bytes) else { return out };
        out.extend([
            (Fid::Eth, Val::Unit),
            (Fid::EthDst, Val::Mac(eth.dst.0)),
            (Fid::EthAddr, Val::Mac(eth.dst.0)),
            (Fid::EthSrc, Val::Mac(eth.src.0)),
            (Fid::EthAddr, Val::Mac(eth.src.0)),
            (Fid::EthType, Val::Uint(u64::from(eth.ethertype.0))),
        ]);
        match eth.ethertype {
            EtherType::ARP => {
                if let Ok(a) = ArpRepr::parse(rest) {
                    out.extend([
                        (Fid::Arp, Val::Unit),
                        (Fid::ArpOpcode, Val::Uint(u64::from(a.op.code()))),
                        (Fid::ArpSrcIp, Val::Ip(u32::from(a.sender_ip))),
                        (Fid::ArpDstIp, Val::Ip(u32::from(a.target_ip))),
                    ]);
                }
            }
            EtherType::IPV4 => self.ipv4(now, rest, &mut out),
            _ => {}
        }
        out
    }

    fn ipv4(&mut self, now: u64, bytes: &[u8], out: &mut Fields) {
        let Ok((ip, header_len, total_len)) = Ipv4Repr::parse_header(bytes) else { return };
        let (payload, wire_len) = (&bytes[header_len..total_len.min(bytes.len())], total_len - header_len);
        push_ip(&ip, total_len, out);
        let complete = payload.len() == wire_len;
        if ip.is_fragment() {
            if !complete {
                return;
            }
            let frag = Ipv4Packet { ip, transport: Transport::Fragment(payload.to_vec()) };
            if let Some(whole) = self.reassembly.add(now, frag) {
                let len = whole.transport.buffer_len();
                self.transport(now, &whole.ip, whole.transport, len, out);
            }
            return;
        }
        let payload_len = wire_len;
        let transport = if complete {
            Transport::parse(ip.protocol, payload, ip.src, ip.dst).ok()
        } else if ip.protocol == IpProtocol::TCP {
            TcpRepr::parse_captured(payload).ok().map(Transport::Tcp)
        } else if ip.protocol == IpProtocol::UDP {
            UdpRepr::parse_captured(payload).ok().map(Transport::Udp)
        } else {
            None
        };
        if let Some(t) = transport {
            self.transport(now, &ip, t, payload_len, out);
        }
    }

    /// The fields of a transport whose datagram was `len` bytes long after the IP header.
    fn transport(&mut self, now: u64, ip: &Ipv4Repr, t: Transport, len: usize, out: &mut Fields) {
        match t {
            Transport::Tcp(seg) => {
                let seglen = len.saturating_sub(seg.header_len()) as u32;
                push_tcp(&seg, out);
                self.analyse(now, ip, &seg, seglen, out);
                app_layer(seg.src_port, seg.dst_port, &seg.payload, true, out);
            }
            Transport::Udp(u) => {
                push_udp(&u, len as u64, out);
                app_layer(u.src_port, u.dst_port, &u.payload, false, out);
            }
            Transport::Icmp(i) => {
                let (ty, code) = i.type_code();
                out.extend([
                    (Fid::Icmp, Val::Unit),
                    (Fid::IcmpType, Val::Uint(u64::from(ty))),
                    (Fid::IcmpCode, Val::Uint(u64::from(code))),
                ]);
                if let IcmpRepr::DestUnreachable { original, .. } | IcmpRepr::TimeExceeded { original, .. } = &i {
                    quoted(original, out);
                }
            }
            Transport::Fragment(_) | Transport::Other(_) => {}
        }
    }

    /// `tcp_analyze_sequence_number` for one segment, and the relative numbers.
    fn analyse(&mut self, now: u64, ip: &Ipv4Repr, seg: &TcpRepr, seglen: u32, out: &mut Fields) {
        let a = endpoint(ip.src, seg.src_port);
        let b = endpoint(ip.dst, seg.dst_port);
        let (key, dir) = if a <= b { ((a, b), 0) } else { ((b, a), 1) };
        let conv = self.convs.entry(key).or_default();
        let f = seg.flags;
        let (syn, fin, rst, ack_flag) = (f.syn(), f.fin(), f.rst(), f.ack());
        // A SYN with a new initial sequence number on the same four-tuple: a new connection.
        if syn && !ack_flag && conv.flows[dir].base.is_some_and(|b| b != seg.seq) {
            *conv = Conv::default();
        }
        if syn {
            conv.last_syn_t = Some(now);
        } else if ack_flag && conv.first_rtt.is_none() {
            if let Some(s) = conv.last_syn_t {
                conv.first_rtt = Some(now.saturating_sub(s));
            }
        }
        let first_rtt = conv.first_rtt;
        let (fwd, rev) = {
            let [f0, f1] = &mut conv.flows;
            if dir == 0 {
                (f0, f1)
            } else {
                (f1, f0)
            }
        };
        if fwd.base.is_none() {
            fwd.base = Some(if syn { seg.seq } else { seg.seq.wrapping_sub(1) });
        }
        if rev.base.is_none() && ack_flag {
            rev.base = Some(seg.ack.wrapping_sub(1));
        }
        let (seq, ack, window) = (seg.seq, seg.ack, seg.window);
        let sfr = syn || fin || rst;
        let mut zwp = false;
        let mut keepalive = false;
        let mut zero_window = false;
        let mut dup_ack = false;
        let same_as_last =
            seglen == 0 && Some(window) == fwd.window && seq == fwd.nextseq && ack == fwd.lastack && !sfr;
        if seglen == 1 && seq == fwd.nextseq && rev.window == Some(0) {
            zwp = true;
        } else {
            zero_window = window == 0 && !sfr;
            keepalive = seglen <= 1 && seq == fwd.nextseq.wrapping_sub(1) && !sfr;
            let keepalive_ack = same_as_last && window != 0 && rev.last_keepalive;
            let zwp_ack = same_as_last && window == 0 && rev.last_zwp;
            if !keepalive_ack && !zwp_ack && same_as_last && window != 0 {
                fwd.dupacks += 1;
                dup_ack = true;
            }
        }
        if ack != fwd.lastack {
            fwd.dupacks = 0;
        }
        let mut retransmission = false;
        if (seglen > 0 || syn || fin) && !keepalive {
            let mut not_advanced = fwd.nextseq != 0 && lt_seq(seq, fwd.nextseq);
            if seglen > 1 && fwd.nextseq.wrapping_sub(1) == seq {
                not_advanced = false;
            }
            let spurious = seglen > 0 && rev.lastack != 0 && !gt_seq(seq.wrapping_add(seglen), rev.lastack);
            if spurious {
                // Wireshark marks a spurious retransmission as a retransmission too.
                retransmission = true;
            } else if not_advanced {
                let fast = rev.dupacks >= 2 && rev.lastack == seq && now.saturating_sub(rev.lastack_t) < 20_000_000;
                let ooo_thres = match first_rtt {
                    None | Some(0) => 3_000_000,
                    Some(r) => r,
                };
                let end = seq.wrapping_add(seglen).wrapping_add(u32::from(syn || fin));
                let out_of_order = now.saturating_sub(fwd.nextseq_t) < ooo_thres && fwd.nextseq != end;
                retransmission = fast || !out_of_order;
            }
        }
        let nextseq = seq.wrapping_add(seglen).wrapping_add(u32::from(syn || fin));
        if (gt_seq(nextseq, fwd.nextseq) || fwd.nextseq == 0) && !zwp {
            fwd.nextseq = nextseq;
            fwd.nextseq_t = now;
        }
        fwd.window = Some(window);
        fwd.lastack = ack;
        fwd.lastack_t = now;
        fwd.last_keepalive = keepalive;
        fwd.last_zwp = zwp;

        out.push((Fid::TcpSeq, Val::Uint(u64::from(seq.wrapping_sub(fwd.base.unwrap_or(0))))));
        if ack_flag {
            out.push((Fid::TcpAck, Val::Uint(u64::from(ack.wrapping_sub(rev.base.unwrap_or(0))))));
        }
        out.push((Fid::TcpLen, Val::Uint(u64::from(seglen))));
        for (on, fid) in
            [(retransmission, Fid::Retransmission), (dup_ack, Fid::DuplicateAck), (zero_window, Fid::ZeroWindow)]
        {
            if on {
                out.push((fid, Val::Unit));
            }
        }
    }
}

fn push_ip(ip: &Ipv4Repr, total_len: usize, out: &mut Fields) {
    out.extend([
        (Fid::Ip, Val::Unit),
        (Fid::IpLen, Val::Uint(total_len as u64)),
        (Fid::IpId, Val::Uint(u64::from(ip.ident))),
        (Fid::IpDf, Val::Uint(u64::from(ip.dont_frag))),
        (Fid::IpMf, Val::Uint(u64::from(ip.more_frags))),
        (Fid::IpFragOffset, Val::Uint(u64::from(ip.frag_offset))),
        (Fid::IpTtl, Val::Uint(u64::from(ip.ttl))),
        (Fid::IpProto, Val::Uint(u64::from(ip.protocol.0))),
        (Fid::IpSrc, Val::Ip(u32::from(ip.src))),
        (Fid::IpAddr, Val::Ip(u32::from(ip.src))),
        (Fid::IpDst, Val::Ip(u32::from(ip.dst))),
        (Fid::IpAddr, Val::Ip(u32::from(ip.dst))),
    ]);
}

/// The header fields of a segment (the analysis and relative numbers are separate).
fn push_tcp(seg: &TcpRepr, out: &mut Fields) {
    let f = seg.flags.0;
    out.extend([
        (Fid::Tcp, Val::Unit),
        (Fid::TcpSrc, Val::Uint(u64::from(seg.src_port))),
        (Fid::TcpDst, Val::Uint(u64::from(seg.dst_port))),
        (Fid::TcpPort, Val::Uint(u64::from(seg.src_port))),
        (Fid::TcpPort, Val::Uint(u64::from(seg.dst_port))),
        (Fid::TcpSeqRaw, Val::Uint(u64::from(seg.seq))),
    ]);
    if seg.flags.ack() {
        out.push((Fid::TcpAckRaw, Val::Uint(u64::from(seg.ack))));
    }
    for (bit, fid) in [
        (0x80, Fid::TcpCwr),
        (0x40, Fid::TcpEce),
        (0x20, Fid::TcpUrg),
        (0x10, Fid::TcpAckFlag),
        (0x08, Fid::TcpPsh),
        (0x04, Fid::TcpRst),
        (0x02, Fid::TcpSyn),
        (0x01, Fid::TcpFin),
    ] {
        out.push((fid, Val::Uint(u64::from(f & bit != 0))));
    }
    out.push((Fid::TcpWin, Val::Uint(u64::from(seg.window))));
}

fn push_udp(u: &UdpRepr, length: u64, out: &mut Fields) {
    out.extend([
        (Fid::Udp, Val::Unit),
        (Fid::UdpSrc, Val::Uint(u64::from(u.src_port))),
        (Fid::UdpDst, Val::Uint(u64::from(u.dst_port))),
        (Fid::UdpPort, Val::Uint(u64::from(u.src_port))),
        (Fid::UdpPort, Val::Uint(u64::from(u.dst_port))),
        (Fid::UdpLength, Val::Uint(length)),
    ]);
}

/// The datagram an ICMP error quotes: its IP header and TCP or UDP header.
fn quoted(original: &[u8], out: &mut Fields) {
    let Ok((ip, header_len, total_len)) = Ipv4Repr::parse_header(original) else { return };
    let payload = &original[header_len..total_len.min(original.len())];
    push_ip(&ip, total_len, out);
    if ip.frag_offset != 0 {
        return;
    }
    if ip.protocol == IpProtocol::TCP {
        if let Ok(seg) = TcpRepr::parse_captured(payload) {
            push_tcp(&seg, out);
        }
    } else if ip.protocol == IpProtocol::UDP {
        if let Ok((u, len)) = UdpRepr::parse_header(payload) {
            push_udp(&u, len as u64, out);
        }
    }
}

/// HTTP request methods (RFC 9110 §9, and PATCH from RFC 5789).
const HTTP_METHODS: [&[u8]; 9] =
    [b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"CONNECT ", b"TRACE "];

/// DNS, HTTP and TLS, recognised from the ports and the start of the payload.
fn app_layer(sport: u16, dport: u16, payload: &[u8], tcp: bool, out: &mut Fields) {
    if payload.is_empty() {
        return;
    }
    if sport == 53 || dport == 53 {
        // Over TCP a DNS message follows a two-byte length (RFC 1035 §4.2.2).
        let msg = if tcp { payload.get(2..).unwrap_or(&[]) } else { payload };
        out.push((Fid::Dns, Val::Unit));
        dns(msg, out);
        return;
    }
    if !tcp {
        return;
    }
    if payload.starts_with(b"HTTP/") || HTTP_METHODS.iter().any(|m| payload.starts_with(m)) {
        out.push((Fid::Http, Val::Unit));
    } else if (sport == 443 || dport == 443)
        // A TLS record header (RFC 8446 §5.1): content type 20..=24, legacy version 3.x.
        && payload.len() >= 5
        && (20..=24).contains(&payload[0])
        && payload[1] == 3
        && payload[2] <= 4
    {
        out.push((Fid::Tls, Val::Unit));
    }
}

/// The DNS header's QR bit and the first question's name (RFC 1035 §4.1.1-2).
fn dns(msg: &[u8], out: &mut Fields) {
    if msg.len() < 12 {
        return;
    }
    out.push((Fid::DnsResponse, Val::Uint(u64::from(msg[2] >> 7))));
    if u16::from_be_bytes([msg[4], msg[5]]) == 0 {
        return;
    }
    let mut labels: Vec<String> = vec![];
    let mut i = 12;
    loop {
        let Some(&n) = msg.get(i) else { return };
        if n == 0 {
            break;
        }
        if n & 0xc0 != 0 {
            return; // a compression pointer has no place in the question of a query we model
        }
        let Some(label) = msg.get(i + 1..i + 1 + usize::from(n)) else { return };
        labels.push(String::from_utf8_lossy(label).into_owned());
        i += 1 + usize::from(n);
    }
    let name = if labels.is_empty() { "<Root>".to_string() } else { labels.join(".") };
    out.push((Fid::DnsQryName, Val::Str(name)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_name_is_unique_and_parses() {
        for (i, (name, _, _)) in FIELDS.iter().enumerate() {
            assert!(FIELDS[..i].iter().all(|f| f.0 != *name), "{name} twice");
            assert!(DisplayFilter::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn seconds_parse_exactly() {
        assert_eq!(parse_time("1.5"), Some(1_500_000_000));
        assert_eq!(parse_time(".000000001"), Some(1));
        assert_eq!(parse_time("1.0000000001"), None);
        assert_eq!(parse_uint("0x10"), Some(16));
        assert_eq!(parse_uint("010"), Some(8));
        assert_eq!(parse_ipv4("10.0.0.0/24"), Some((0x0a00_0000, 24)));
        assert_eq!(parse_mac("02-00-00-00-00-01"), Some([2, 0, 0, 0, 0, 1]));
    }
}
