//! # wirewise-sim
//!
//! The simulation core behind every wirewise figure: a deterministic discrete-event network
//! simulator whose frames are real bytes and whose TCP follows RFC 9293 with Linux 6.x
//! numbers. It has no web dependencies and no wall clock: the same scenario and seed give the
//! same [`trace::Trace`], natively and in wasm32.
//!
//! ```
//! let preset = wirewise_sim::presets::find("handshake").unwrap();
//! let scenario = preset.default_scenario().unwrap();
//! let trace = wirewise_sim::run(&scenario).unwrap();
//! assert!(!trace.frames.is_empty());
//! ```

#![forbid(unsafe_code)]

pub mod apps;
pub mod budget;
pub mod cwnd;
pub mod encap;
pub mod engine;
pub mod fetch;
pub mod filter;
pub mod hol;
pub mod hops;
#[cfg(feature = "pcap")]
pub mod import;
pub mod jiffies;
pub mod label;
pub mod net;
pub mod nstat;
pub mod packet_list;
pub mod params;
#[cfg(feature = "pcap")]
pub mod pcap;
pub mod presets;
pub mod rng;
pub mod scenario;
pub mod sliding;
pub mod socket_states;
pub mod ss;
pub mod stack;
pub mod subnet;
pub mod summary;
pub mod tcp;
pub mod tcp_analysis;
pub mod tcpdump;
pub mod text;
pub mod time;
pub mod trace;
pub mod transfer;
pub mod udp;
pub mod wire;

pub use scenario::{Scenario, ScenarioError};
pub use trace::Trace;

/// Run a scenario to its stop time and return everything that happened. The run keeps to
/// the standard [`budget::Budget`] except its wall time, which only a driver with a clock can
/// measure (see [`run_within`]); a run that reaches a limit returns its trace so far, with
/// [`Trace::limit`] saying which.
pub fn run(scenario: &Scenario) -> Result<Trace, ScenarioError> {
    Ok(net::Network::build(scenario)?.run())
}

/// Scheduler events between two looks at the wall clock in [`run_within`].
pub const CLOCK_SLICE: u64 = 20_000;

/// [`run`] with `budget`, including its wall time: `elapsed_ms` says how many wall-clock
/// milliseconds the run has taken so far (the core itself has no clock).
pub fn run_within(
    scenario: &Scenario,
    budget: budget::Budget,
    mut elapsed_ms: impl FnMut() -> u64,
) -> Result<Trace, ScenarioError> {
    let mut net = net::Network::build(scenario)?.with_budget(budget);
    while !net.advance(CLOCK_SLICE) {
        if elapsed_ms() > budget.wall_ms {
            net.exceed(budget::Limit::WallTime);
        }
    }
    Ok(net.into_trace())
}
