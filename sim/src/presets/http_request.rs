//! One HTTP request written out in full (method, path, a header, a JSON body), sent over a
//! new TCP connection, optionally sealed in a TLS 1.3 record first (modelled: real record
//! framing and sizes, stand-in cipher bytes; `apps::http::tls_record`). What the
//! encapsulation figure wraps and unwraps layer by layer.

use super::{http_server, two_hosts, SERVER};
use crate::apps::{dns::Record, http, AppSpec};
use crate::params::{choice, flag, number, text, ParamSet, ParamSpec};
use crate::scenario::ScenarioError;
use crate::wire::Ipv4Addr;
use std::net::SocketAddrV4;

const PARAMS: &[ParamSpec] = &[
    flag(
        "tls",
        "HTTPS (TLS 1.3 record)",
        false,
        "Seal the request in a TLS application-data record before TCP sees it",
    ),
    choice("method", "Method", &["POST", "GET", "PUT", "PATCH", "DELETE"], "POST", "The request method"),
    text("path", "Path", 200, "/api/orders", "The request target"),
    text("header", "Extra header", 200, "Accept: application/json", "One more header line, as Name: value"),
    text("body", "JSON body", 2000, "{\"item\":\"book\",\"qty\":2}", "The body (empty: none)"),
    number(
        "pad",
        "Pad the request to",
        0.0,
        20_000.0,
        1.0,
        "bytes",
        3000.0,
        "Append spaces to the body (allowed after JSON) until the request is this long; 0: as typed",
    ),
    number(
        "mtu",
        "Link MTU",
        576.0,
        9000.0,
        1.0,
        "bytes",
        1500.0,
        "Largest IP packet the link carries; the MSS follows it",
    ),
    choice(
        "mode",
        "Carry",
        &["http", "dns"],
        "http",
        "http: the HTTP request over TCP; dns: a DNS query for `name` over UDP, padded to `pad`",
    ),
    number(
        "mss",
        "TCP_MAXSEG",
        0.0,
        1460.0,
        1.0,
        "bytes",
        0.0,
        "setsockopt(TCP_MAXSEG) before connect(): caps the MSS the client advertises and sends with; 0: not set (below 88: 88)",
    ),
    flag(
        "df",
        "Don't fragment (DF)",
        true,
        "DNS mode: set DF on the query (IP_PMTUDISC_DO, too big: EMSGSIZE) or clear it (IP_PMTUDISC_DONT: IP fragments it)",
    ),
    text("name", "DNS name", 253, "api.example.com", "The name the DNS query asks for (type A)"),
];

/// The TCP_MAXSEG value the client sets, if any (`mss` 0 is "not set"; 1 to 87 become 88,
/// since `tcp_sock_set_maxseg` would refuse them).
pub fn max_seg(p: &ParamSet) -> Option<u16> {
    let v = p.num("mss").round();
    (v >= 1.0).then(|| (v as u16).clamp(crate::tcp::tcb::MIN_MSS, crate::tcp::tcb::MAX_USER_MSS))
}

/// The request's bytes as the application hands them to TCP (sealed when `tls` is on).
pub fn request_bytes(p: &ParamSet) -> Vec<u8> {
    let host = SERVER.to_string();
    let (method, path, header) = (p.choice("method"), p.text("path"), p.text("header"));
    let path = if path.trim().is_empty() { "/" } else { path.trim() };
    let mut body = p.text("body").to_string();
    let target = p.num("pad").round().max(0.0) as usize;
    let len = http::custom_request(method, path, &host, header, &body).len();
    if target > len && !body.is_empty() {
        // Content-Length grows by the digits the padding adds; settle it.
        let mut extra = target - len;
        for _ in 0..3 {
            let mut padded = body.clone();
            padded.extend(std::iter::repeat_n(' ', extra));
            let n = http::custom_request(method, path, &host, header, &padded).len();
            extra = (extra + target).saturating_sub(n);
        }
        body.extend(std::iter::repeat_n(' ', extra));
    }
    let plain = http::custom_request(method, path, &host, header, &body);
    if p.flag("tls") {
        http::tls_record::seal(&plain)
    } else {
        plain
    }
}

/// The preset.
pub const HTTP_REQUEST: super::Preset = super::Preset {
    name: "http-request",
    title: "One HTTP request, as written",
    about: "A client sends one HTTP request of your own, optionally inside a TLS record, over a new connection; the server answers 200.",
    params: PARAMS,
    build: |p| {
        let mut s = two_hosts("http-request", 10.0, 100.0);
        s.links[0].mtu = p.num("mtu").round() as u16;
        s.stop_ms = 10_000.0;
        if p.choice("mode") == "dns" {
            let name = p.text("name").trim().to_string();
            // RFC 1035 §2.3.1 / §3.1: say what is wrong with the name before anything runs.
            crate::apps::dns::encode_name(&name).map_err(|why| ScenarioError::InvalidValue {
                field: "DNS name".into(),
                value: name.clone(),
                why,
            })?;
            s.apps = vec![
                AppSpec::DnsServer {
                    host: "server".into(),
                    records: vec![Record { name: name.clone(), ip: Ipv4Addr::new(203, 0, 113, 10) }],
                    start_ms: 0.0,
                },
                AppSpec::DnsClient {
                    host: "client".into(),
                    server: SERVER,
                    name,
                    start_ms: 0.0,
                    timeout_ms: 5000.0,
                    attempts: 1,
                    pad_to: p.num("pad").round().clamp(0.0, 65_507.0) as u32,
                    dont_frag: p.flag("df"),
                },
            ];
            return Ok(s);
        }
        let request = request_bytes(p);
        s.apps = vec![
            http_server("server", 80, 200),
            AppSpec::RpcClient { fast_open: false,
                max_seg: max_seg(p),
                request_bytes: request.len() as u32,
                request_payload: Some(request),
                host: "client".into(),
                server: SocketAddrV4::new(SERVER, 80),
                start_ms: 0.0,
                requests: 1,
                reuse: false,
                nodelay: true,
                gap_ms: 0.0,
            },
        ];
        Ok(s)
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> ParamSet {
        ParamSet::apply_strict(PARAMS, pairs.iter().copied()).unwrap()
    }

    #[test]
    fn padding_reaches_the_asked_size_exactly_and_tls_adds_22_bytes() {
        for pad in ["3000", "1461", "20000"] {
            assert_eq!(request_bytes(&set(&[("pad", pad)])).len(), pad.parse::<usize>().unwrap());
        }
        let plain = request_bytes(&set(&[("pad", "0")]));
        assert!(plain.starts_with(b"POST /api/orders HTTP/1.1\r\nHost: 10.0.0.2\r\nAccept: application/json\r\n"));
        assert!(plain.ends_with(b"\r\n\r\n{\"item\":\"book\",\"qty\":2}"));
        assert_eq!(request_bytes(&set(&[("pad", "0"), ("tls", "on")])).len(), plain.len() + 22);
        let get = request_bytes(&set(&[("method", "GET"), ("body", ""), ("header", ""), ("path", " ")]));
        assert_eq!(get, b"GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n");
    }

    #[test]
    fn a_bad_dns_name_is_refused_with_the_reason() {
        let err = (HTTP_REQUEST.build)(&set(&[("mode", "dns"), ("name", "bad_name.example")])).unwrap_err();
        assert!(err.to_string().contains("letters, digits and hyphens"), "{err}");
        assert!((HTTP_REQUEST.build)(&set(&[("mode", "dns"), ("name", "ok-name.example.")])).is_ok());
    }

    #[test]
    fn the_server_answers_plain_and_sealed_requests() {
        for tls in ["off", "on"] {
            let s = (HTTP_REQUEST.build)(&set(&[("tls", tls), ("mtu", "576")])).unwrap();
            let t = crate::run(&s).unwrap();
            assert_eq!(crate::fetch::fetches(&t).len(), 1, "tls={tls}");
        }
    }
}
