//! Display filters select the same frames as Wireshark's: for a set of presets and filters,
//! the frame numbers `filter::select` keeps at each host equal those `tshark -Y` prints for
//! the same capture written as pcap. Needs `tshark` (Debian package `tshark`).
#![cfg(feature = "pcap")]

mod capture_common;

use std::process::Command;
use wirewise_sim::filter::{select, DisplayFilter};
use wirewise_sim::presets;

const PRESETS: &[&str] = &[
    "handshake",
    "lost-syn",
    "closed-port",
    "http-request",
    "dns",
    "traceroute",
    "fragmentation",
    "pmtud",
    "flow-control",
    "congestion-loss",
    "simultaneous-close",
    "tls",
    "congestion",
    "nat",
    "ping",
    "simultaneous-open",
    "port-exhaustion",
    "queues-syn-flood",
    "cold-warm",
    "nagle",
];

const FILTERS: &[&str] = &[
    "tcp.port == 80",
    "ip.addr == 10.0.0.2",
    "ip.addr != 10.0.0.1",
    "ip.addr ~= 10.0.0.1 && ip.addr !== 10.0.0.2 && !(ip.src === 10.0.0.0/8)",
    "ip.addr == 10.0.0.0/24 && !(ip.dst == 10.0.0.1)",
    "tcp.flags.syn == 1 && tcp.flags.ack == 0",
    "tcp.flags.fin == 1 or tcp.flags.reset == 1",
    "tcp.analysis.retransmission",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window",
    "frame.len > 1000",
    "frame.number <= 5 || frame.time_relative >= 1.0",
    "dns",
    "dns.flags.response == 0 && dns.qry.name contains \"example\"",
    "udp",
    "!arp",
    "arp.opcode == 2",
    "icmp.type == 11 or icmp.type == 3",
    "ip.flags.mf == 1 || ip.frag_offset > 0",
    "ip.ttl < 64 and ip.proto == 6",
    "tcp.len > 0 and tcp.seq == 1",
    "tcp.ack == 1 and not tcp.flags.syn == 1",
    "tcp.window_size_value == 0 || tcp.seq_raw == 0",
    "(tcp.srcport == 80 or udp.srcport == 53) and ip.len >= 40",
    "eth.dst == ff:ff:ff:ff:ff:ff",
];

/// Taps one listener per filter on a single read of the file (tshark's Lua API, which
/// Debian's tshark has): each prints `index:frame,frame,…` when the file has been read.
const LISTENERS: &str = r#"
local args = {...}
local i = 0
for f in io.lines(args[1]) do
  i = i + 1
  local index, hits = i, {}
  local l = Listener.new(nil, f)
  function l.packet(pinfo) hits[#hits + 1] = pinfo.number end
  function l.draw() print(index .. ":" .. table.concat(hits, ",")) end
end
"#;

/// The frame numbers tshark keeps for each of `filters`, in one run over the file.
fn tshark(path: &std::path::Path, script: &std::path::Path, list: &std::path::Path) -> Vec<Vec<usize>> {
    let out = Command::new("tshark")
        .args(["-n", "-q", "-r"])
        .arg(path)
        .arg("-X")
        .arg(format!("lua_script:{}", script.display()))
        .arg("-X")
        .arg(format!("lua_script1:{}", list.display()))
        .output()
        .unwrap_or_else(|e| panic!("tshark is required for this test (apt-get install tshark): {e}"));
    assert!(out.status.success(), "tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut sets = vec![vec![]; FILTERS.len()];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((i, frames)) = line.split_once(':') else { continue };
        let i: usize = i.parse().unwrap();
        sets[i - 1] = frames.split(',').filter(|f| !f.is_empty()).map(|f| f.parse().unwrap()).collect();
    }
    sets
}

#[test]
fn filters_select_the_frames_tshark_selects() {
    let dir = std::env::temp_dir().join(format!("wirewise-filter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let filters: Vec<DisplayFilter> = FILTERS.iter().map(|f| DisplayFilter::parse(f).unwrap()).collect();
    let script = dir.join("listeners.lua");
    std::fs::write(&script, LISTENERS).unwrap();
    let list = dir.join("filters.txt");
    std::fs::write(&list, FILTERS.join("\n") + "\n").unwrap();
    let mut compared = 0;
    let mut selected = vec![0usize; FILTERS.len()];
    let mut failures = vec![];
    for name in PRESETS {
        let p = presets::find(name).unwrap_or_else(|| panic!("no preset {name}"));
        let mut s = p.default_scenario().unwrap();
        // Keep the pcaps small: the first few seconds of long runs.
        s.stop_ms = s.stop_ms.min(4_000.0);
        let t = wirewise_sim::run(&s).unwrap();
        capture_common::each_host_capture(&t, &dir, name, |host, path, frames| {
            if frames.is_empty() {
                return;
            }
            let all_theirs = tshark(path, &script, &list);
            for (i, ((text, filter), theirs)) in FILTERS.iter().zip(&filters).zip(all_theirs).enumerate() {
                let ours: Vec<usize> =
                    select(filter, frames).iter().enumerate().filter(|(_, &k)| k).map(|(n, _)| n + 1).collect();
                if ours != theirs {
                    failures.push(format!("{name} at {host}: {text:?}\n  ours:   {ours:?}\n  tshark: {theirs:?}"));
                }
                selected[i] += theirs.len();
                compared += 1;
            }
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} of {compared} disagree:\n{}", failures.len(), failures.join("\n"));
    // Every filter picked something somewhere, so each comparison meant something.
    for (text, n) in FILTERS.iter().zip(&selected) {
        assert!(*n > 0, "{text:?} selected no frame in any preset");
    }
}
