# Sourced by the other scripts: repository root, pinned tool versions, PATH, timers.
# shellcheck shell=bash
WW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$WW_ROOT"

WW_TRUNK_VERSION="0.21.14"
WW_BINARYEN_VERSION="132.0.0"
WW_WASM_OPT_TAG="version_132"
WW_APT_TEST_PACKAGES=(chromium chromium-driver tshark tcpdump)

# Project-local wasm-opt (npm binaryen) first, then cargo-installed tools.
export PATH="$WW_ROOT/.tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# Playwright must never download a browser: the tests use Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

ww_now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
ww_elapsed() { awk -v a="$1" -v b="$(ww_now)" 'BEGIN { printf "%.1fs", b - a }'; }

# The wasm-bindgen version recorded in Cargo.lock (Trunk requires exactly this CLI version).
ww_lock_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock
}
