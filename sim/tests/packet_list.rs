//! The packet list names every frame whose headers were captured, as tshark does on the same
//! pcap: a frame cut by the snap length after its TCP, UDP or ICMP header still shows its
//! protocol and addresses, never "?".

use wirewise_sim::packet_list::packet_rows;
use wirewise_sim::presets;

#[test]
fn every_captured_frame_of_every_preset_shows_its_protocol_and_addresses() {
    let mut checked = 0;
    for p in presets::all() {
        let mut s = p.default_scenario().unwrap();
        // Long runs: the first two seconds hold every kind of frame they send.
        s.stop_ms = s.stop_ms.min(2000.0);
        let t = wirewise_sim::run(&s).unwrap();
        for r in packet_rows(&t) {
            assert_ne!(r.protocol, "?", "{}: frame {}", p.name, r.frame);
            if r.protocol != "ARP" {
                assert!(!r.src.is_empty() && !r.dst.is_empty(), "{}: frame {} has no addresses", p.name, r.frame);
            }
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} frames");
}
