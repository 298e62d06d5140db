#!/usr/bin/env bash
# The slowest preset settings, natively and under wasm32 (the browser's engine, run by Node):
# every slider alone at each end of its range and every preset with all sliders at one end,
# each run with the standard budget. Prints two tables. Measures; asserts nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$WW_ROOT/scripts/bootstrap.sh"
cd "$WW_ROOT"
cargo bench -p wirewise-sim --bench slowest_settings
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p wirewise-sim --release --target wasm32-unknown-unknown --test bench_slowest_wasm -- --include-ignored --nocapture
