//! What the capture cross-checks (tshark, tcpdump) share: a preset's run cut short enough to
//! check, and each host's capture written as a pcap file.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use wirewise_sim::time::Instant;
use wirewise_sim::trace::{FrameRecord, NodeKind, Trace};
use wirewise_sim::Scenario;

/// Cuts a long transfer (`bulk`, or any preset that keeps only headers with a snap length) to
/// a short stretch; returns true when it did.
pub fn shorten(preset: &str, s: &mut Scenario) -> bool {
    if preset == "bulk" || s.snaplen.is_some() {
        s.stop_ms = s.stop_ms.min(if preset == "bulk" { 300.0 } else { 600.0 });
        true
    } else {
        false
    }
}

/// For every host of the run: its capture, written to `dir/<stem>-<host>.pcap` with the
/// trace's snap length, handed to `check` with the host's name and the file.
pub fn each_host_capture(
    t: &Trace,
    dir: &Path,
    stem: &str,
    mut check: impl FnMut(&str, &Path, &[(Instant, &FrameRecord)]),
) {
    for (node, info) in t.nodes.iter().enumerate() {
        if info.kind != NodeKind::Host {
            continue;
        }
        let frames = t.capture(node as u16);
        let path: PathBuf = dir.join(format!("{stem}-{}.pcap", info.name));
        let f = std::fs::File::create(&path).unwrap();
        wirewise_sim::pcap::write_pcap(f, t.snaplen, frames.iter().copied()).unwrap();
        check(&info.name, &path, &frames);
    }
}
