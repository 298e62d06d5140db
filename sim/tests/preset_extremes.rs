//! Every slider of every preset, moved alone to each end of its range, and every preset with
//! all its sliders at one end: the run either refuses the values with a reason or finishes
//! within the run budget, without a panic and without looping in one instant. (A learner can
//! reach every one of these values with the mouse.)

mod params_common;

use std::sync::mpsc;
use std::time::Duration;
use wirewise_sim::presets;

/// Wall time one run may take in a debug build before it counts as a hang.
const HANG: Duration = Duration::from_secs(60);

/// Events a browser run may hold. The largest today is the bufferbloat lab at 100 Mbit/s
/// for 60 s: 5.1 M events, about 460 MB natively. The simulation's own hard stop
/// (`MAX_EVENTS`, 20 M) is far above this; the test catches a preset that grows past it.
const MAX_BROWSER_EVENTS: usize = 6_000_000;

/// How one run ended.
enum Outcome {
    Refused(String),
    Ran { truncated: bool, events: usize },
    Failed(String),
}

#[test]
fn every_slider_end_of_every_preset_finishes() {
    // Every slider alone at each end, and every preset with all sliders at one end.
    let cases = params_common::cases::extreme_settings();
    let mut wrong = Vec::new();
    for (preset, what, set) in cases {
        let (tx, rx) = mpsc::channel::<Outcome>();
        std::thread::spawn(move || {
            let p = presets::find(preset).unwrap();
            let out = match (p.build)(&set) {
                Err(e) => Outcome::Refused(e.to_string()),
                Ok(s) => match wirewise_sim::run(&s) {
                    Ok(t) => Outcome::Ran { truncated: t.truncated, events: t.events.len() },
                    Err(e) => Outcome::Failed(format!("{e:?}")),
                },
            };
            let _ = tx.send(out);
        });
        let what = format!("{preset} {what}");
        match rx.recv_timeout(HANG) {
            // A hung run would block every later case; stop here.
            Err(_) => panic!("{what}: no end after {HANG:?} (or a panic); earlier: {wrong:?}"),
            Ok(Outcome::Ran { truncated, events }) => {
                if truncated || events >= MAX_BROWSER_EVENTS {
                    wrong.push(format!("{what}: {events} events, truncated {truncated}"));
                }
            }
            // A preset may refuse values it cannot build, as long as it says why.
            Ok(Outcome::Refused(why)) if !why.is_empty() => {}
            Ok(Outcome::Refused(_)) => wrong.push(format!("{what}: refused without a reason")),
            Ok(Outcome::Failed(e)) => wrong.push(format!("{what}: the built scenario did not run: {e}")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
