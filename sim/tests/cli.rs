//! The command-line runner as course authors use it.
#![cfg(feature = "cli")]

use std::process::Command;

fn sim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wirewise-sim")).args(args).output().unwrap()
}

#[test]
fn presets_lists_every_preset_with_its_parameters() {
    let out = sim(&["presets"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for p in wirewise_sim::presets::all() {
        assert!(text.contains(p.name), "{} missing", p.name);
        for spec in p.params {
            assert!(text.contains(&format!("--set {}=", spec.name)), "{}.{} missing", p.name, spec.name);
        }
    }
}

#[test]
fn run_writes_a_summary_a_pcap_and_a_trace() {
    let dir = std::env::temp_dir().join(format!("wirewise-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("h.pcap");
    let trace = dir.join("h.json");
    let out = sim(&[
        "run",
        "lost-syn",
        "--set",
        "rtt=20",
        "--summary",
        "--pcap",
        pcap.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sum: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let client = sum["connections"].as_array().unwrap().iter().find(|c| c["host"] == "client").unwrap();
    let connect = client["connect_ms"].as_f64().unwrap();
    assert!((connect - 1020.0).abs() < 1.0, "lost SYN at RTT 20: connect {connect} ms");
    let bytes = std::fs::read(&pcap).unwrap();
    assert_eq!(&bytes[..4], &[0x4d, 0x3c, 0xb2, 0xa1], "nanosecond libpcap magic");
    let t: wirewise_sim::Trace = serde_json::from_slice(&std::fs::read(&trace).unwrap()).unwrap();
    assert!(!t.events.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    for args in [
        &["run", "nope"][..],
        &["run", "rpc", "--set", "rtt=9999"],
        &["run", "rpc", "--set", "bogus=1"],
        &["run"],
        &["frobnicate"],
    ] {
        let out = sim(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("wirewise-sim: ") && !err.contains("panicked"), "{args:?}: {err}");
    }
    let dir = std::env::temp_dir().join(format!("wirewise-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.json");
    std::fs::write(&f, r#"{"hosts": [], "links": []}"#).unwrap();
    let out = sim(&["run", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one host"));
    let _ = std::fs::remove_dir_all(&dir);
}
