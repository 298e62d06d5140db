//! Capture import speed, as a benchmark (not a test):
//! `cargo bench -p wirewise-sim --features pcap --bench import_speed`.
//!
//! Builds a ~100 MB pcap in memory from the sender's capture of a long `congestion` run
//! (whole frames), repeated with shifted times, then imports it in 1 MB chunks as the browser
//! would and prints the import rate and the peak memory (VmHWM from /proc/self/status, reset
//! before the import where the kernel allows it), and the time of `trace_from` and of
//! `connections` on the result.

use std::time::Instant as Wall;
use wirewise_sim::import::{trace_from, Importer};
use wirewise_sim::presets;
use wirewise_sim::tcp_analysis::connections;
use wirewise_sim::time::{Duration, Instant};
use wirewise_sim::trace::FrameRecord;

const TARGET: usize = 100 * 1024 * 1024;

/// A line of /proc/self/status in MiB ("VmHWM", "VmRSS"), if the system has one.
fn status_mib(key: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let p = presets::find("congestion").expect("preset");
    let mut s = p.default_scenario().expect("scenario");
    s.snaplen = None;
    let t = wirewise_sim::run(&s).expect("run");
    let sender = t.node_named("client").or_else(|| t.node_named("sender")).unwrap_or(0);
    let frames = t.capture(sender);
    let one: usize = frames.iter().map(|(_, r)| 16 + r.bytes.len()).sum();
    let reps = TARGET.div_ceil(one.max(1)) as u64;
    let span = Duration(t.end.as_nanos() + 1_000_000);
    let mut file = Vec::with_capacity(TARGET + one);
    let shifted = (0..reps).flat_map(|k| frames.iter().map(move |(at, r)| (*at + span.mul(k), *r)));
    wirewise_sim::pcap::write_pcap(&mut file, t.snaplen, shifted).expect("write");
    let n_frames = frames.len() as u64 * reps;
    drop(frames);
    drop(t);
    let mb = file.len() as f64 / 1e6;
    println!(
        "capture: {mb:.1} MB, {n_frames} frames ({reps} copies of the sender's capture of a {} s run)",
        span.as_secs_f64().round()
    );

    // Reset the high-water mark so it measures the import (Linux ≥ 4.0: "5" to clear_refs).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_mib("VmRSS:").unwrap_or(0.0);
    let t0 = Wall::now();
    let mut imp = Importer::new();
    for chunk in file.chunks(1 << 20) {
        imp.push(chunk).expect("import");
    }
    let imported = imp.finish();
    let secs = t0.elapsed().as_secs_f64();
    let peak = status_mib("VmHWM:").unwrap_or(0.0);
    assert_eq!(imported.frames.len() as u64, n_frames);
    println!(
        "import: {:.2} s, {:.0} MB/s; memory {before:.0} MiB before (the file itself), peak {peak:.0} MiB{}",
        secs,
        mb / secs,
        if reset { "" } else { " (since start: clear_refs not allowed)" }
    );

    let t0 = Wall::now();
    let trace = trace_from(&imported);
    println!(
        "trace_from: {:.2} s ({} nodes, {} events)",
        t0.elapsed().as_secs_f64(),
        trace.nodes.len(),
        trace.events.len()
    );
    let refs: Vec<(Instant, &FrameRecord)> = imported.frames.iter().map(|(t, r)| (*t, r)).collect();
    let t0 = Wall::now();
    let conns = connections(&refs);
    let points: usize = conns.iter().flat_map(|c| &c.directions).map(|d| d.series.segments.len()).sum();
    println!("connections: {:.2} s ({} connections, {points} segment points)", t0.elapsed().as_secs_f64(), conns.len());
    println!("peak memory overall: {:.0} MiB", status_mib("VmHWM:").unwrap_or(0.0));
}
