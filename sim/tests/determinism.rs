//! The same scenario and seed give the same trace, byte for byte, natively and in wasm32.
//!
//! Each preset's trace digest is pinned in `golden/digests.txt`. The native run and the wasm32
//! run (`cargo test -p wirewise-sim --target wasm32-unknown-unknown --test determinism`, under
//! node with wasm-bindgen-test-runner) both compare against that file, so they agree with each
//! other. After an intended behaviour change, regenerate it natively with
//! `WIREWISE_BLESS=1 cargo test -p wirewise-sim --test determinism`.

use wirewise_sim::presets;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const GOLDEN: &str = include_str!("golden/digests.txt");

/// Presets in the golden file, with seed 7 (bulk shortened to keep the wasm run quick).
fn digests() -> Vec<(String, String)> {
    presets::all()
        .iter()
        .map(|p| {
            let mut s = p.default_scenario().expect("preset builds");
            s.seed = 7;
            if p.name == "bulk" {
                s.stop_ms = 2000.0;
            }
            let t = wirewise_sim::run(&s).expect("preset runs");
            (p.name.to_string(), format!("{:016x} {} events", t.digest(), t.events.len()))
        })
        .collect()
}

#[test]
fn same_seed_same_trace_twice() {
    let p = presets::find("lost-synack").unwrap();
    let s = p.default_scenario().unwrap();
    let a = wirewise_sim::run(&s).unwrap();
    let b = wirewise_sim::run(&s).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.digest(), b.digest());
    let mut s2 = s.clone();
    s2.seed += 1;
    assert_ne!(wirewise_sim::run(&s2).unwrap().digest(), a.digest(), "the seed must matter (ISNs, ports)");
}

#[test]
fn digests_match_the_golden_file() {
    let got: Vec<String> = digests().into_iter().map(|(n, d)| format!("{n} {d}")).collect();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("WIREWISE_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/digests.txt");
        std::fs::write(path, got.join("\n") + "\n").unwrap();
        return;
    }
    let want: Vec<&str> = GOLDEN.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(got, want, "trace digests changed (see this file's doc comment)");
}
