//! `handshake`: one TCP connection opened with the three-way handshake, a small exchange,
//! and closed, on the `handshake` preset. The ladder is the whole figure.

use super::runner::run_preset;
use super::Runs;
use wirewise_sim::params::ParamSet;

/// What the figure simplifies.
pub const FAITHFUL: &str = "Real TCP segments with Linux 6.x options (MSS, SACK, timestamps, window scale) and real \
     bytes; one client and one server on a single link, nothing else on the wire, no loss.";

/// Runs the `handshake` preset.
pub fn run(params: &ParamSet, seed: u64) -> Result<Runs, String> {
    let main = run_preset("handshake", &[("rtt", params.num("rtt").to_string())], seed)?;
    Ok(Runs { main, others: Vec::new() })
}
