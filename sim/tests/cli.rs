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
    // The 1 s SYN timer fires a little late at HZ=250 (at most 36 ms: the tick and the timer
    // wheel's 32 ms bucket).
    assert!((1020.0..=1056.0).contains(&connect), "lost SYN at RTT 20: connect {connect} ms");
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

#[test]
fn every_error_is_one_line_with_exit_code_2_and_clipped_echoes() {
    let long = "A".repeat(100_000);
    let set_long = format!("rtt={long}");
    let key_long = format!("{long}=1");
    for args in [
        &["run", "nope"][..],
        &["run"],
        &[],
        &["frobnicate"],
        &["run", "rpc", "--bogus"],
        &["run", "rpc", "--set"],
        &["run", "rpc", "--set", "novalue"],
        &["run", "rpc", "--seed", "x"],
        &["run", "rpc", "extra"],
        &["run", "rpc", "--set", &set_long],
        &["run", "rpc", "--set", &key_long],
        &["run", &long],
        &["run", "rpc", "--set", "rtt=a\nb"],
    ] {
        let out = sim(args);
        let err = String::from_utf8_lossy(&out.stderr);
        let shown: String = err.chars().take(120).collect();
        assert_eq!(out.status.code(), Some(2), "{shown}");
        assert_eq!(err.lines().count(), 1, "{shown}");
        assert!(err.starts_with("wirewise-sim: ") && !err.contains("panicked"), "{shown}");
        assert!(err.len() < 1_000, "{} bytes: {shown}", err.len());
    }
    let out = sim(&["run", "rpc", "--set", &set_long]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("(100,000 characters)"));
    let help = sim(&["--help"]);
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).contains("wirewise-sim run"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    // The second prints far more than a pipe's buffer holds, so its writes do fail.
    for args in [&["presets"][..], &["run", "port-exhaustion", "--set", "seconds=60", "--set", "rate=20"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wirewise-sim"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then go away, as `| head -c 1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked") && err.is_empty(), "{args:?}: {err}");
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
    }
}
