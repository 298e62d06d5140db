//! Hostile input, seeded and time-bounded: (a) every preset's default scenario as JSON with
//! random damage (numbers swapped for 0, -1, 1e308, "NaN", huge or negative ones, fields
//! deleted, array items repeated, strings and numbers swapped, unknown keys, 100 KB strings,
//! the text cut short), parsed, validated and, when valid, run for at most two virtual
//! seconds; (b) every preset's parameters given random text (in and out of range, huge,
//! negative, not numbers, empty, 100 KB, unicode, markup and shell-looking strings). Nothing
//! may panic, and every error must be a short, non-empty line. A failure names the seed and
//! the mutations, so `case(seed)` replays it.

use serde_json::{json, Map, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};
use wirewise_sim::params::{ParamKind, ParamSet};
use wirewise_sim::presets;
use wirewise_sim::rng::Rng;
use wirewise_sim::Scenario;

/// Longest error text allowed, whatever the input held.
const MAX_ERROR: usize = 300;
/// Virtual time a valid mutated scenario may run.
const MAX_RUN_MS: f64 = 2000.0;
/// Wall time after which no new case starts, per test.
const BUDGET_A: Duration = Duration::from_secs(25);
const BUDGET_B: Duration = Duration::from_secs(12);
/// Case caps, so a fast machine does not run forever either.
const MAX_CASES_A: u64 = 6000;
const MAX_CASES_B: u64 = 50_000;

fn huge() -> String {
    "A".repeat(102_400)
}

/// An error's text must be a non-empty line shorter than [`MAX_ERROR`].
fn short_error(what: &str, text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err(format!("{what}: empty error text"));
    }
    if text.len() >= MAX_ERROR {
        let head: String = text.chars().take(200).collect();
        return Err(format!("{what}: error text of {} bytes: {head}…", text.len()));
    }
    Ok(())
}

// ---------- (a) mutated scenario JSON ----------

/// JSON pointer escaping (RFC 6901).
fn esc(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every node's pointer, parents before children.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{at}/{}", esc(k)), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A random node matching `want`, by pointer.
fn pick(v: &Value, rng: &mut Rng, want: impl Fn(&Value) -> bool) -> Option<String> {
    let mut all = Vec::new();
    pointers(v, String::new(), &mut all);
    let fit: Vec<String> = all.into_iter().filter(|p| v.pointer(p).is_some_and(&want)).collect();
    if fit.is_empty() {
        return None;
    }
    Some(fit[rng.range_u64(0, fit.len() as u64 - 1) as usize].clone())
}

fn odd_number(rng: &mut Rng) -> Value {
    match rng.range_u64(0, 8) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(1e308),
        3 => json!("NaN"),
        4 => json!(u64::MAX),
        5 => serde_json::from_str("123456789012345678901234567890").unwrap(),
        6 => json!(-1e9),
        7 => json!(1),
        _ => json!(0.5),
    }
}

/// One structural mutation; its description.
fn mutate(v: &mut Value, rng: &mut Rng) -> String {
    match rng.range_u64(0, 7) {
        0 => match pick(v, rng, Value::is_number) {
            Some(p) => {
                let n = odd_number(rng);
                let d = format!("{p} = {n}");
                *v.pointer_mut(&p).unwrap() = n;
                d
            }
            None => "no number".into(),
        },
        1 => match pick(v, rng, |_| true).and_then(|p| p.rsplit_once('/').map(|(a, b)| (a.to_string(), b.to_string())))
        {
            Some((parent, key)) => {
                match v.pointer_mut(&parent) {
                    Some(Value::Object(m)) => {
                        m.remove(&key.replace("~1", "/").replace("~0", "~"));
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>() {
                            if i < a.len() {
                                a.remove(i);
                            }
                        }
                    }
                    _ => {}
                }
                format!("delete {parent}/{key}")
            }
            None => "no field".into(),
        },
        2 => match pick(v, rng, |x| x.as_array().is_some_and(|a| !a.is_empty())) {
            Some(p) => {
                let a = v.pointer_mut(&p).unwrap().as_array_mut().unwrap();
                let i = rng.range_u64(0, a.len() as u64 - 1) as usize;
                let item = a[i].clone();
                let times = rng.range_u64(1, 3);
                for _ in 0..times {
                    a.push(item.clone());
                }
                format!("repeat {p}/{i} x{times}")
            }
            None => "no array".into(),
        },
        3 => match pick(v, rng, |x| x.is_string() || x.is_number()) {
            Some(p) => {
                let x = v.pointer_mut(&p).unwrap();
                *x = if x.is_string() { json!(7) } else { json!(x.to_string()) };
                format!("swap type of {p}")
            }
            None => "no scalar".into(),
        },
        4 => match pick(v, rng, Value::is_object) {
            Some(p) => {
                let key = if rng.chance(0.2) { huge() } else { format!("unknown_{}", rng.next_u32()) };
                v.pointer_mut(&p).unwrap().as_object_mut().unwrap().insert(key, json!(1));
                format!("unknown key in {p}")
            }
            None => "no object".into(),
        },
        5 => match pick(v, rng, |x| x.is_string() || x.is_number()) {
            Some(p) => {
                *v.pointer_mut(&p).unwrap() = json!(huge());
                format!("{p} = 100 KB string")
            }
            None => "no scalar".into(),
        },
        6 => match pick(v, rng, Value::is_object) {
            Some(p) => {
                let m = v.pointer_mut(&p).unwrap().as_object_mut().unwrap();
                *m = Map::new();
                format!("empty {p}")
            }
            None => "no object".into(),
        },
        _ => match pick(v, rng, Value::is_boolean) {
            Some(p) => {
                *v.pointer_mut(&p).unwrap() = json!(null);
                format!("{p} = null")
            }
            None => "no flag".into(),
        },
    }
}

/// One case of (a): the preset, its mutated JSON text, and what was done.
fn case_text(seed: u64) -> (String, String, Vec<String>) {
    let mut rng = Rng::new(seed);
    let all = presets::all();
    let p = &all[rng.range_u64(0, all.len() as u64 - 1) as usize];
    let s = p.default_scenario().expect("preset default");
    let mut v = serde_json::to_value(&s).unwrap();
    let mut done = Vec::new();
    for _ in 0..rng.range_u64(1, 3) {
        done.push(mutate(&mut v, &mut rng));
    }
    let mut text = serde_json::to_string(&v).unwrap();
    if rng.chance(0.15) {
        let mut cut = rng.range_u64(0, text.len() as u64) as usize;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        done.push(format!("cut at byte {cut}"));
    }
    (p.name.to_string(), text, done)
}

/// Outcome of one case of (a).
enum Ran {
    Refused,
    Ran,
}

/// Parse, validate and (if valid) run one case; `Err` on a broken promise.
fn case(seed: u64) -> Result<Ran, String> {
    let (preset, text, done) = case_text(seed);
    let what = format!("seed {seed:#x} ({preset}: {})", done.join("; "));
    let out = catch_unwind(AssertUnwindSafe(|| -> Result<Ran, String> {
        let parsed: Result<Scenario, _> = serde_json::from_str(&text)
            .map_err(|e| wirewise_sim::ScenarioError::Parse { what: e.to_string() })
            .and_then(|s: Scenario| s.validate().map(|_| s));
        match parsed {
            Err(e) => short_error(&what, &e.to_string()).map(|_| Ran::Refused),
            Ok(mut s) => {
                s.stop_ms = s.stop_ms.min(MAX_RUN_MS);
                match wirewise_sim::run(&s) {
                    Ok(_) => Ok(Ran::Ran),
                    Err(e) => short_error(&what, &e.to_string()).map(|_| Ran::Refused),
                }
            }
        }
    }));
    match out {
        Ok(r) => r,
        Err(p) => {
            let msg = p.downcast_ref::<String>().cloned().or(p.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(format!("{what}: panic: {}", msg.unwrap_or_default()))
        }
    }
}

#[test]
fn mutated_scenarios_never_panic_and_errors_stay_short() {
    let t0 = Instant::now();
    let (mut refused, mut ran, mut n) = (0u64, 0u64, 0u64);
    let mut wrong = Vec::new();
    let mut seeds = Rng::new(0xf022_5eed);
    while n < MAX_CASES_A && t0.elapsed() < BUDGET_A {
        n += 1;
        match case(seeds.next_u64()) {
            Ok(Ran::Refused) => refused += 1,
            Ok(Ran::Ran) => ran += 1,
            Err(e) => wrong.push(e),
        }
    }
    println!("mutated scenarios: {n} cases ({refused} refused, {ran} ran) in {:.1?}", t0.elapsed());
    assert!(wrong.is_empty(), "{} of {n} cases failed:\n{}", wrong.len(), wrong.join("\n"));
}

// ---------- (b) random parameter text ----------

/// Random text for one parameter.
fn param_text(kind: &ParamKind, rng: &mut Rng) -> String {
    let (lo, hi) = match kind {
        ParamKind::Number { min, max, .. } => (*min, *max),
        _ => (0.0, 100.0),
    };
    match rng.range_u64(0, 16) {
        0 => format!("{}", lo + (hi - lo) * rng.next_f64()),
        1 => format!("{}", hi + 1.0 + rng.next_f64() * 1e6),
        2 => format!("{}", lo - 1.0 - rng.next_f64() * 1e6),
        3 => "1e308".into(),
        4 => "-1e308".into(),
        5 => "NaN".into(),
        6 => String::new(),
        7 => huge(),
        8 => "日本語 🦀 ñ".into(),
        9 => "<script>alert(1)</script>".into(),
        10 => "\"; rm -rf / #".into(),
        11 => "99999999999999999999999999".into(),
        12 => match kind {
            ParamKind::Choice { options } => options[rng.range_u64(0, options.len() as u64 - 1) as usize].into(),
            _ => "on".into(),
        },
        13 => "a\nb\u{0}c".into(),
        14 => format!("{}", hi),
        15 => " 0x10 ".into(),
        _ => format!("{}", lo),
    }
}

/// Parameter errors (`ParamError`) are counted when over-long rather than failed: their
/// clipping is `ParamError`'s own business. Built scenarios must validate; refusals must be
/// short.
#[test]
fn random_parameter_text_never_panics() {
    let t0 = Instant::now();
    let mut rng = Rng::new(0x9a7a_5eed);
    let (mut n, mut built, mut broken, mut long_param_errors) = (0u64, 0u64, 0u64, 0u64);
    let mut wrong = Vec::new();
    'outer: loop {
        for p in presets::all() {
            if n >= MAX_CASES_B || t0.elapsed() >= BUDGET_B {
                break 'outer;
            }
            n += 1;
            let mut pairs: Vec<(String, String)> = Vec::new();
            for spec in p.params {
                if rng.chance(0.7) {
                    pairs.push((spec.name.to_string(), param_text(&spec.kind, &mut rng)));
                }
            }
            if rng.chance(0.1) {
                pairs.push(("no-such-parameter".into(), "1".into()));
            }
            let what = format!(
                "{} {:?}",
                p.name,
                pairs.iter().map(|(k, v)| (k, wirewise_sim::text::clip(v))).collect::<Vec<_>>()
            );
            let out = catch_unwind(AssertUnwindSafe(|| -> Result<bool, String> {
                let (set, errors): (ParamSet, _) =
                    ParamSet::apply_lenient(p.params, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                let mut long = false;
                for e in &errors {
                    let t = e.to_string();
                    if t.is_empty() {
                        return Err(format!("{what}: empty parameter error"));
                    }
                    long |= t.len() >= MAX_ERROR;
                }
                match (p.build)(&set) {
                    Ok(s) => s.validate().map_err(|e| format!("{what}: built an invalid scenario: {e}"))?,
                    Err(e) => short_error(&what, &e.to_string())?,
                }
                Ok(long)
            }));
            match out {
                Ok(Ok(long)) => {
                    built += 1;
                    long_param_errors += u64::from(long);
                }
                Ok(Err(e)) => {
                    broken += 1;
                    wrong.push(e)
                }
                Err(_) => wrong.push(format!("{what}: panic")),
            }
        }
    }
    println!(
        "random parameters: {n} cases ({built} built or refused with a reason, {broken} broken) in {:.1?}; \
         {long_param_errors} had a parameter error of {MAX_ERROR}+ bytes",
        t0.elapsed()
    );
    assert!(wrong.is_empty(), "{} of {n} cases failed:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(long_param_errors, 0, "parameter errors must echo values clipped");
    assert_eq!(long_param_errors, 0, "parameter errors must echo values clipped");
}
