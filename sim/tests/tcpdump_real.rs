//! Every preset's capture, at every host, printed by [`wirewise_sim::tcpdump::lines`] equals
//! what the real `TZ=UTC tcpdump -n -r` and `tcpdump -n -S -r` print for the same pcap, line
//! for line. Needs `tcpdump` (Debian package `tcpdump`; the test bootstrap installs it).
#![cfg(feature = "pcap")]

use std::process::Command;
use wirewise_sim::presets;
use wirewise_sim::tcpdump::{lines, TcpdumpOptions};
use wirewise_sim::trace::NodeKind;

fn tcpdump(path: &std::path::Path, absolute: bool) -> Vec<String> {
    let mut cmd = Command::new("tcpdump");
    cmd.env("TZ", "UTC").arg("-n");
    if absolute {
        cmd.arg("-S");
    }
    cmd.arg("-r").arg(path);
    let out = cmd.output().unwrap_or_else(|e| panic!("tcpdump is required for this test (apt-get install tcpdump): {e}"));
    assert!(out.status.success(), "tcpdump failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn every_preset_capture_prints_as_tcpdump_prints_it() {
    let dir = std::env::temp_dir().join(format!("wirewise-tcpdump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut compared = 0;
    let mut snapped = 0;
    for p in presets::all() {
        let mut s = p.default_scenario().unwrap();
        if p.name == "bulk" || s.snaplen.is_some() {
            // Long transfers keep only headers (the snap length stays, so cut frames are
            // checked too); a short stretch of them is enough.
            s.stop_ms = s.stop_ms.min(if p.name == "bulk" { 300.0 } else { 600.0 });
        }
        let t = wirewise_sim::run(&s).unwrap();
        for (node, info) in t.nodes.iter().enumerate() {
            if info.kind != NodeKind::Host {
                continue;
            }
            let frames = t.capture(node as u16);
            let path = dir.join(format!("{}-{}.pcap", p.name, info.name));
            let f = std::fs::File::create(&path).unwrap();
            wirewise_sim::pcap::write_pcap(f, t.snaplen, frames.iter().copied()).unwrap();
            snapped += frames.iter().filter(|(_, r)| r.orig_len as usize > r.bytes.len().min(t.snaplen as usize)).count();
            for absolute in [false, true] {
                let want = tcpdump(&path, absolute);
                let got = lines(&frames, &TcpdumpOptions { absolute_seq: absolute });
                let ctx = format!("{} at {}{}", p.name, info.name, if absolute { " (-S)" } else { "" });
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(g, w, "{ctx}: line {} differs", i + 1);
                }
                assert_eq!(got.len(), want.len(), "{ctx}: line count");
                compared += got.len();
            }
        }
    }
    eprintln!("{compared} lines compared ({snapped} frames cut by the snap length)");
    assert!(compared > 10_000, "only {compared} lines compared");
    let _ = std::fs::remove_dir_all(&dir);
}
