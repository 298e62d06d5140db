//! Hash routes, so the site works from any static host and sub-path:
//! `#/`, `#/lesson/<slug>`, `#/figure/<kind>?<query>`, `#/embed/<kind>?<query>`, `#/capture`,
//! `#/fidelity`.

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The course map.
    Home,
    /// One lesson.
    Lesson(String),
    /// One figure, full page, with its controls.
    Figure { kind: String, query: Vec<(String, String)> },
    /// One figure alone, for an iframe.
    Embed { kind: String, query: Vec<(String, String)> },
    /// Open a capture file (pcap or pcapng) in the course's views.
    Capture,
    /// How faithful is this? The simulation compared with a live Linux kernel.
    Fidelity,
    /// Anything else.
    NotFound,
}

impl Route {
    /// Reads a `location.hash` (with or without the leading `#`).
    pub fn parse(hash: &str) -> Route {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let (path, query) = match hash.split_once('?') {
            Some((p, q)) => (p, parse_query(q)),
            None => (hash, Vec::new()),
        };
        let path = path.trim_end_matches('/');
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        match (path, parts.as_slice()) {
            ("", _) => Route::Home,
            (_, ["lesson", slug]) if !slug.is_empty() => Route::Lesson(decode(slug)),
            (_, ["capture"]) => Route::Capture,
            (_, ["fidelity"]) => Route::Fidelity,
            (_, ["figure", kind]) if !kind.is_empty() => Route::Figure { kind: decode(kind), query },
            (_, ["embed", kind]) if !kind.is_empty() => Route::Embed { kind: decode(kind), query },
            _ => Route::NotFound,
        }
    }

    /// The hash for this route, starting with `#`.
    pub fn href(&self) -> String {
        match self {
            Route::Home | Route::NotFound => "#/".into(),
            Route::Lesson(slug) => format!("#/lesson/{}", encode(slug)),
            Route::Capture => "#/capture".into(),
            Route::Fidelity => "#/fidelity".into(),
            Route::Figure { kind, query } => with_query(format!("#/figure/{}", encode(kind)), query),
            Route::Embed { kind, query } => with_query(format!("#/embed/{}", encode(kind)), query),
        }
    }
}

fn with_query(mut s: String, query: &[(String, String)]) -> String {
    if !query.is_empty() {
        s.push('?');
        s.push_str(&format_query(query));
    }
    s
}

/// `a=1&b=on` into pairs, percent-decoded (`+` is a space).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Pairs into `a=1&b=on`, percent-encoded.
pub fn format_query(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes; malformed escapes are kept as they are, invalid UTF-8 is replaced.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn routes_parse() {
        assert_eq!(Route::parse(""), Route::Home);
        assert_eq!(Route::parse("#/"), Route::Home);
        assert_eq!(Route::parse("#/lesson/osi-model"), Route::Lesson("osi-model".into()));
        assert_eq!(
            Route::parse("#/figure/call-cost?rtt=80&reuse=on&t=0.05"),
            Route::Figure { kind: "call-cost".into(), query: q(&[("rtt", "80"), ("reuse", "on"), ("t", "0.05")]) }
        );
        assert_eq!(Route::parse("#/embed/handshake"), Route::Embed { kind: "handshake".into(), query: vec![] });
        assert_eq!(Route::parse("#/fidelity"), Route::Fidelity);
        assert_eq!(Route::parse(&Route::Fidelity.href()), Route::Fidelity);
        assert_eq!(Route::parse("#/nope"), Route::NotFound);
        assert_eq!(Route::parse("#/lesson/"), Route::NotFound);
        assert_eq!(Route::parse("#/lesson/a/b"), Route::NotFound);
    }

    #[test]
    fn hrefs_round_trip() {
        let r = Route::Figure { kind: "call-cost".into(), query: q(&[("caption", "a b&c"), ("rtt", "0.5")]) };
        assert_eq!(r.href(), "#/figure/call-cost?caption=a%20b%26c&rtt=0.5");
        assert_eq!(Route::parse(&r.href()), r);
    }

    #[test]
    fn decoding_never_panics() {
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("%4"), "%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }
}
