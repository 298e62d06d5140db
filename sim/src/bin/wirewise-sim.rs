//! The command-line runner: replays any preset or scenario file and writes what course
//! authors and tests need: a pcap capture, the full trace as JSON, and a JSON summary.
//!
//! ```text
//! wirewise-sim presets
//! wirewise-sim run <preset | scenario.json> [--set key=value]... [--seed N]
//!                  [--pcap out.pcap] [--capture NODE] [--trace out.json] [--summary]
//! wirewise-sim scenario <preset> [--set key=value]...   (print the scenario as JSON)
//! ```

use std::io::Write;
use std::process::ExitCode;
use wirewise_sim::budget::Budget;
use wirewise_sim::params::{ParamKind, ParamSet};
use wirewise_sim::presets;
use wirewise_sim::scenario::Scenario;
use wirewise_sim::text::clip;
use wirewise_sim::trace::Trace;

const USAGE: &str = "usage:
  wirewise-sim presets
  wirewise-sim run <preset | scenario.json> [--set key=value]... [--seed N]
                   [--pcap out.pcap] [--capture NODE] [--trace out.json] [--summary]
  wirewise-sim scenario <preset> [--set key=value]...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("-h" | "--help" | "help")) {
        let _ = writeln!(std::io::stdout(), "{USAGE}");
        return ExitCode::SUCCESS;
    }
    match real_main(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`| head`) is not an error: stop quietly, as cat does.
        Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(Failure::Message(e)) => {
            // One line, whatever the message held.
            let line = e.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(std::io::stderr(), "wirewise-sim: {line}");
            ExitCode::from(2)
        }
    }
}

/// Why the runner stopped early.
enum Failure {
    /// Standard output was closed by its reader.
    ClosedPipe,
    /// Anything else, said in words.
    Message(String),
}

impl From<String> for Failure {
    fn from(s: String) -> Failure {
        Failure::Message(s)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::ClosedPipe
        } else {
            Failure::Message(format!("writing the output: {e}"))
        }
    }
}

/// Print `text` and a newline to standard output, reporting a closed pipe instead of
/// panicking as `println!` does.
fn out(text: &str) -> Result<(), Failure> {
    let mut o = std::io::stdout().lock();
    writeln!(o, "{text}")?;
    o.flush()?;
    Ok(())
}

/// The hint every usage error ends with.
const SEE_HELP: &str = "(see wirewise-sim --help)";

#[derive(Default)]
struct Opts {
    target: Option<String>,
    sets: Vec<(String, String)>,
    seed: Option<u64>,
    pcap: Option<String>,
    capture: Option<String>,
    trace: Option<String>,
    summary: bool,
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value {SEE_HELP}"));
        match a.as_str() {
            "--set" => {
                let kv = value("--set")?;
                let (k, v) = kv.split_once('=').ok_or_else(|| format!("--set takes key=value, not '{}'", clip(&kv)))?;
                o.sets.push((k.to_string(), v.to_string()));
            }
            "--seed" => o.seed = Some(value("--seed")?.parse().map_err(|_| "--seed takes a whole number".to_string())?),
            "--pcap" => o.pcap = Some(value("--pcap")?),
            "--capture" => o.capture = Some(value("--capture")?),
            "--trace" => o.trace = Some(value("--trace")?),
            "--summary" => o.summary = true,
            s if s.starts_with("--") => return Err(format!("unknown option {} {SEE_HELP}", clip(s))),
            s if o.target.is_none() => o.target = Some(s.to_string()),
            s => return Err(format!("unexpected argument '{}' {SEE_HELP}", clip(s))),
        }
    }
    Ok(o)
}

fn scenario_for(o: &Opts) -> Result<(String, Scenario), String> {
    let target = o.target.as_deref().ok_or_else(|| format!("name a preset or a scenario file {SEE_HELP}"))?;
    let mut s = if let Some(p) = presets::find(target) {
        let set = ParamSet::apply_strict(p.params, o.sets.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| format!("{target}: {e}"))?;
        (p.build)(&set).map_err(|e| e.to_string())?
    } else if target.ends_with(".json") || std::path::Path::new(target).exists() {
        if !o.sets.is_empty() {
            return Err("--set applies to presets; edit the scenario file instead".into());
        }
        let text = std::fs::read_to_string(target).map_err(|e| format!("{}: {e}", clip(target)))?;
        Scenario::from_json(&text).map_err(|e| format!("{}: {e}", clip(target)))?
    } else {
        let names: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
        return Err(format!("no preset or file named '{}' (presets: {})", clip(target), names.join(", ")));
    };
    if let Some(seed) = o.seed {
        s.seed = seed;
    }
    Ok((target.to_string(), s))
}

fn real_main(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("presets") => {
            for p in presets::all() {
                out(&format!("{:<16} {}\n                 {}", p.name, p.title, p.about))?;
                for spec in p.params {
                    let range = match &spec.kind {
                        ParamKind::Number { min, max, unit, .. } => format!("{min}..{max} {unit}"),
                        ParamKind::Bool => "on|off".into(),
                        ParamKind::Choice { options } => options.join("|"),
                        ParamKind::Text { max_len } => format!("text, up to {max_len} characters"),
                    };
                    out(&format!(
                        "                 --set {}={:<10} {} [{}]",
                        spec.name,
                        spec.default.to_string(),
                        spec.label,
                        range.trim()
                    ))?;
                }
                out("")?;
            }
            Ok(())
        }
        Some("scenario") => {
            let o = parse_opts(&args[1..])?;
            let (_, s) = scenario_for(&o)?;
            out(&serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?)?;
            Ok(())
        }
        Some("run") => {
            let o = parse_opts(&args[1..])?;
            let (name, s) = scenario_for(&o)?;
            let started = std::time::Instant::now();
            let trace = wirewise_sim::run_within(&s, Budget::STANDARD, || started.elapsed().as_millis() as u64)
                .map_err(|e| e.to_string())?;
            if let Some(path) = &o.pcap {
                write_pcap(&trace, path, o.capture.as_deref())?;
            }
            if let Some(path) = &o.trace {
                let f = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
                serde_json::to_writer(std::io::BufWriter::new(f), &trace).map_err(|e| e.to_string())?;
            }
            if o.summary || (o.pcap.is_none() && o.trace.is_none()) {
                let sum = wirewise_sim::summary::summarize(&name, &trace);
                out(&serde_json::to_string_pretty(&sum).map_err(|e| e.to_string())?)?;
            }
            // What the run did is written; that it stopped early is still an error.
            match trace.limit {
                Some(limit) => Err(Failure::Message(limit.to_string())),
                None => Ok(()),
            }
        }
        Some(other) => Err(Failure::Message(format!("unknown command '{}' {SEE_HELP}", clip(other)))),
        None => Err(Failure::Message(format!("name a command {SEE_HELP}"))),
    }
}

/// Frames as seen on one node's interfaces, like tcpdump there: what it sent (at the first
/// bit) and what reached it (at the last bit). Default: the first host.
fn write_pcap(trace: &Trace, path: &str, capture: Option<&str>) -> Result<(), String> {
    let node = match capture {
        Some(name) => trace
            .nodes
            .iter()
            .position(|n| n.name == name)
            .ok_or_else(|| format!("--capture: no node named '{name}'"))?,
        None => 0,
    } as u16;
    let frames = trace.capture(node);
    let f = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
    wirewise_sim::pcap::write_pcap(std::io::BufWriter::new(f), trace.snaplen, frames)
        .map_err(|e| format!("{path}: {e}"))
}
