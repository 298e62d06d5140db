//! Every field a scenario may hold is checked before a run: each case below sets one field
//! outside its range and expects an error that names the field's path; each case would run
//! (or fail later, and worse) without its check.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use wirewise_sim::{presets, Scenario, ScenarioError};

/// The RPC preset's default scenario as JSON: two hosts on one link, a server and a client.
fn base() -> Value {
    let s = presets::find("rpc").unwrap().default_scenario().unwrap();
    serde_json::to_value(&s).unwrap()
}

/// Parse and validate; the error, if any.
fn check(v: &Value) -> Result<Scenario, ScenarioError> {
    let s: Scenario = serde_json::from_value(v.clone()).map_err(|e| ScenarioError::Parse { what: e.to_string() })?;
    s.validate()?;
    Ok(s)
}

/// `v` must be refused with an `InvalidValue` for exactly `field`.
#[track_caller]
fn refused(v: &Value, field: &str) -> String {
    match check(v) {
        Ok(_) => panic!("{field}: accepted"),
        Err(e @ ScenarioError::InvalidValue { .. }) => {
            let ScenarioError::InvalidValue { field: f, .. } = &e else { unreachable!() };
            assert_eq!(f, field, "{e}");
            let text = e.to_string();
            assert!(text.starts_with(field) && text.len() < 300, "{text}");
            text
        }
        Err(e) => panic!("{field}: wrong error {e:?}"),
    }
}

/// Set a TCP field both scenario-wide and on host 1 only; both must be refused with the
/// matching path.
#[track_caller]
fn tcp_refused(key: &str, value: Value, field: &str) {
    let mut v = base();
    v["tcp"][key] = value.clone();
    refused(&v, &format!("tcp.{field}"));
    let mut v = base();
    let mut own = v["tcp"].clone();
    own[key] = value;
    v["hosts"][1]["tcp"] = own;
    refused(&v, &format!("hosts[1].tcp.{field}"));
}

#[test]
fn base_scenario_is_valid() {
    check(&base()).unwrap();
}

#[test]
fn rto_max_zero_is_refused_at_once() {
    for bad in [0u64, 1, 999_999_999, 120_000_000_001] {
        let mut v = base();
        v["tcp"]["rto_max"] = json!(bad);
        let t0 = Instant::now();
        let text = refused(&v, "tcp.rto_max");
        assert!(t0.elapsed() < Duration::from_secs(1));
        assert!(text.contains("1000000000") && text.contains("120000000000"), "{text}");
        // And running it says the same, instead of growing without bound.
        let s: Scenario = serde_json::from_value(v).unwrap();
        let t0 = Instant::now();
        assert!(wirewise_sim::run(&s).is_err());
        assert!(t0.elapsed() < Duration::from_secs(1));
    }
    // The ends of tcp_rto_max_ms are allowed.
    for ok in [1_000_000_000u64, 120_000_000_000] {
        let mut v = base();
        v["tcp"]["rto_max"] = json!(ok);
        check(&v).unwrap();
    }
}

#[test]
fn every_tcp_field_has_a_range() {
    let ms = |n: u64| json!(n * 1_000_000);
    tcp_refused("somaxconn", json!(1u64 << 31), "somaxconn");
    tcp_refused("syn_retries", json!(0), "syn_retries");
    tcp_refused("syn_retries", json!(128), "syn_retries");
    tcp_refused("syn_linear_timeouts", json!(128), "syn_linear_timeouts");
    tcp_refused("synack_retries", json!(256), "synack_retries");
    tcp_refused("syncookies", json!(3), "syncookies");
    tcp_refused("max_syn_backlog", json!(1u64 << 31), "max_syn_backlog");
    tcp_refused("rmem", json!([0, 0, 0]), "rmem[0]");
    tcp_refused("rmem", json!([4096, 0, 6291456]), "rmem[1]");
    tcp_refused("rmem", json!([4096, 131072, 0]), "rmem[2]");
    tcp_refused("rmem", json!([4096, 131072, 1u64 << 31]), "rmem[2]");
    tcp_refused("wmem", json!([4096, 0, 4194304]), "wmem[1]");
    tcp_refused("rto_min", json!(0), "rto_min");
    tcp_refused("rto_min", ms(120_001), "rto_min");
    tcp_refused("rto_init", json!(0), "rto_init");
    tcp_refused("rto_init", ms(120_001), "rto_init");
    tcp_refused("rto_fallback", json!(0), "rto_fallback");
    tcp_refused("retries2", json!(256), "retries2");
    tcp_refused("delack_min", json!(0), "delack_min");
    tcp_refused("delack_max", ms(1001), "delack_max");
    tcp_refused("max_quickacks", json!(256), "max_quickacks");
    tcp_refused("time_wait", ms(3_600_001), "time_wait");
    tcp_refused("fin_timeout", ms(3_600_001), "fin_timeout");
    tcp_refused("invalid_ratelimit", ms(3_600_001), "invalid_ratelimit");
    tcp_refused("cork_ceiling", json!(0), "cork_ceiling");
    tcp_refused("initial_cwnd", json!(0), "initial_cwnd");
    tcp_refused("initial_cwnd", json!(1001), "initial_cwnd");
    tcp_refused("ephemeral_ports", json!([0, 60999]), "ephemeral_ports[0]");
    tcp_refused("ephemeral_ports", json!([1023, 60999]), "ephemeral_ports[0]");
    tcp_refused("ephemeral_ports", json!([32768, 0]), "ephemeral_ports[1]");
    tcp_refused("ephemeral_ports", json!([60999, 32768]), "ephemeral_ports");
    tcp_refused("ecn", json!(3), "ecn");
}

#[test]
fn range_errors_say_the_range() {
    let mut v = base();
    v["tcp"]["initial_cwnd"] = json!(0);
    assert_eq!(refused(&v, "tcp.initial_cwnd"), "tcp.initial_cwnd = 0: must be between 1 and 1000");
    let mut v = base();
    v["hosts"][0]["tcp"] = v["tcp"].clone();
    v["hosts"][0]["tcp"]["ephemeral_ports"] = json!([40000, 30000]);
    let text = refused(&v, "hosts[0].tcp.ephemeral_ports");
    assert!(text.contains("[40000, 30000]"), "{text}");
}

/// Values at the ends of what the kernel accepts run, in bounded time and memory: the
/// simulator copes with every legal value rather than refusing it.
#[test]
fn kernel_extremes_run() {
    let ms = |n: u64| json!(n * 1_000_000);
    let cases: Vec<(&str, Value)> = vec![
        ("rmem", json!([1, 1, 1])),
        ("wmem", json!([1, 1, 1])),
        ("rmem", json!([4096, 131072, i32::MAX])),
        ("wmem", json!([4096, 16384, i32::MAX])),
        ("rmem", json!([i32::MAX, i32::MAX, 1])),
        ("rto_min", json!(1000)),
        ("rto_min", ms(120_000)),
        ("rto_max", ms(1000)),
        ("rto_init", ms(1)),
        ("rto_fallback", ms(1)),
        ("syn_retries", json!(127)),
        ("syn_linear_timeouts", json!(127)),
        ("synack_retries", json!(255)),
        ("retries2", json!(255)),
        ("retries2", json!(0)),
        ("somaxconn", json!(0)),
        ("max_syn_backlog", json!(0)),
        ("initial_cwnd", json!(1)),
        ("initial_cwnd", json!(1000)),
        ("max_quickacks", json!(0)),
        ("delack_min", ms(1)),
        ("delack_max", ms(1)),
        ("time_wait", json!(0)),
        ("fin_timeout", json!(0)),
        ("cork_ceiling", ms(1)),
        ("ephemeral_ports", json!([1024, 1024])),
        ("ephemeral_ports", json!([65535, 65535])),
        ("fastopen", json!(u32::MAX)),
    ];
    for (key, value) in cases {
        let mut v = base();
        v["tcp"][key] = value.clone();
        v["stop_ms"] = json!(5000.0);
        let s = check(&v).unwrap_or_else(|e| panic!("{key} = {value}: {e}"));
        let t0 = Instant::now();
        let t = wirewise_sim::run(&s).unwrap();
        let took = t0.elapsed();
        assert!(!t.truncated, "{key} = {value}: truncated at {} events", t.events.len());
        assert!(took < Duration::from_secs(20), "{key} = {value}: {took:?}");
    }
}

#[test]
fn duplicate_addresses_are_refused() {
    let mut v = base();
    v["hosts"][1]["ip"] = v["hosts"][0]["ip"].clone();
    let text = refused(&v, "hosts[1].ip");
    assert!(text.contains("hosts[0].ip"), "{text}");

    // Through a switch: three hosts on one segment, two with one address.
    let mut v = base();
    v["switches"] = json!([{ "name": "sw" }]);
    v["hosts"].as_array_mut().unwrap().push(json!({ "name": "third", "ip": "10.0.0.1/24" }));
    v["links"] = json!([
        { "a": "client", "b": "sw" },
        { "a": "server", "b": "sw" },
        { "a": "third", "b": "sw" },
    ]);
    refused(&v, "hosts[2].ip");
    v["hosts"][2]["ip"] = json!("10.0.0.3/24");
    check(&v).unwrap();
}

#[test]
fn router_interface_address_may_not_repeat_a_host() {
    let s = presets::find("nat").unwrap().default_scenario().unwrap();
    let mut v = serde_json::to_value(&s).unwrap();
    check(&v).unwrap();
    // The router's inside interface takes the laptop's address.
    v["links"][0]["b_ip"] = json!("192.168.1.10/24");
    refused(&v, "links[0].b_ip");
}

#[test]
fn the_same_private_address_behind_two_routers_is_fine() {
    let s = presets::find("nat").unwrap().default_scenario().unwrap();
    let mut v = serde_json::to_value(&s).unwrap();
    // The server's side reuses the laptop's private address: another network.
    v["links"][1]["a_ip"] = json!("192.168.1.1/24");
    v["hosts"][1]["ip"] = json!("192.168.1.10/24");
    v["routers"][0]["nat"]["outside"] = json!("192.168.1.1");
    check(&v).unwrap();
}

#[test]
fn nat_outside_address_is_the_routers_own() {
    let s = presets::find("nat").unwrap().default_scenario().unwrap();
    let mut v = serde_json::to_value(&s).unwrap();
    v["routers"][0]["nat"]["outside"] = json!("198.51.100.1");
    refused(&v, "routers[0].nat.outside");
    let mut v = serde_json::to_value(&s).unwrap();
    v["routers"][0]["nat"]["forwards"] = json!([{ "proto": "sctp", "port": 1, "to": "192.168.1.10:1" }]);
    refused(&v, "routers[0].nat.forwards[0].proto");
}

#[test]
fn gateway_must_be_on_the_subnet() {
    let mut v = base();
    v["hosts"][0]["gateway"] = json!("10.9.9.9");
    refused(&v, "hosts[0].gateway");
    let mut v = base();
    v["hosts"][0]["gateway"] = json!("10.0.0.1");
    refused(&v, "hosts[0].gateway");
    let mut v = base();
    v["hosts"][0]["gateway"] = json!("10.0.0.2");
    check(&v).unwrap();
}

#[test]
fn route_next_hop_must_be_connected() {
    let s = presets::find("nat").unwrap().default_scenario().unwrap();
    let mut v = serde_json::to_value(&s).unwrap();
    v["routers"][0]["routes"] = json!([{ "dest": "10.0.0.0/8", "via": "172.16.0.1" }]);
    refused(&v, "routers[0].routes[0].via");
    v["routers"][0]["routes"] = json!([{ "dest": "10.0.0.0/8", "via": "203.0.113.9" }]);
    check(&v).unwrap();
}

#[test]
fn app_bounds() {
    // apps[0] is the server, apps[1] the client.
    let mut v = base();
    v["apps"][0]["port"] = json!(0);
    refused(&v, "apps[0].port");
    let mut v = base();
    v["apps"][1]["request_payload"] = json!([]);
    refused(&v, "apps[1].request_payload.length");
    let mut v = base();
    v["apps"][1]["requests"] = json!(20_000);
    check(&v).unwrap();
    v["apps"][1]["requests"] = json!(20_001);
    refused(&v, "apps[1].requests");
    let mut v = base();
    let records: Vec<Value> = (0..300).map(|i| json!({ "name": format!("h{i}.example"), "ip": "10.0.0.9" })).collect();
    v["apps"][0] = json!({ "app": "dns-server", "host": "server", "records": records });
    refused(&v, "apps[0].records.length");
}

#[test]
fn fault_count_names_its_own_field() {
    let mut v = base();
    v["faults"] = json!([{ "action": { "do": "drop" }, "nth": 1, "count": 0 }]);
    refused(&v, "faults[0].count");
    v["faults"] = json!([{ "action": { "do": "drop" }, "nth": 0 }]);
    refused(&v, "faults[0].nth");
}

#[test]
fn long_values_are_clipped_in_messages() {
    let long = "A".repeat(102_400);
    let mut v = base();
    v["hosts"][0]["name"] = json!(long.clone());
    let e = refused(&v, "hosts[0].name");
    assert!(e.len() < 300 && e.contains("102,400 characters"), "{e}");
    let mut v = base();
    v["hosts"][0]["ip"] = json!(long.clone());
    let e = check(&v).unwrap_err().to_string();
    assert!(e.len() < 300 && e.contains("102,400 characters"), "{e}");
    let mut v = base();
    v[long.as_str()] = json!(1);
    let e = check(&v).unwrap_err().to_string();
    assert!(e.len() < 300 && e.contains("102,400 characters"), "{e}");
}
