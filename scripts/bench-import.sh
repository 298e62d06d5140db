#!/usr/bin/env bash
# Import speed of a ~100 MB capture: natively (MB/s and peak memory, cargo bench) and in the
# browser (the capture page in headless Chromium: time to open, MB/s, long tasks). Builds the
# site under /wirewise/ if dist-e2e/ is missing. Measures; asserts nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$WW_ROOT/scripts/bootstrap.sh" --test
cd "$WW_ROOT"
cargo bench -p wirewise-sim --features pcap --bench import_speed
work="$(mktemp -d)"
trap 'rm -rf "$work"; kill "${server:-0}" 2>/dev/null || true' EXIT
cargo run -q -p wirewise-sim --features cli -- scenario congestion > "$work/s.json"
node -e 'const f=process.argv[1];const s=JSON.parse(require("fs").readFileSync(f));s.snaplen=null;require("fs").writeFileSync(f,JSON.stringify(s))' "$work/s.json"
cargo run -q -p wirewise-sim --features cli -- run "$work/s.json" --pcap "$work/one.pcap" > /dev/null
node e2e/bench/make-big-pcap.mjs "$work/one.pcap" "$work/big.pcap" 100
[ -f dist-e2e/index.html ] || trunk build --release --public-url /wirewise/ --dist dist-e2e
WW_E2E_PORT=4179 node e2e/serve.mjs > /dev/null 2>&1 &
server=$!
sleep 1
node e2e/bench/import-browser.mjs "$work/big.pcap" "http://127.0.0.1:4179/wirewise/#/capture"
