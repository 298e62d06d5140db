#!/usr/bin/env bash
# Installs what building (and, with --test, testing) wirewise needs; skips what is already there.
# Idempotent: a second run with everything present takes seconds. Version mismatches are fixed,
# never ignored.
#
#   scripts/bootstrap.sh          build tools: wasm32 target, trunk, wasm-bindgen, wasm-opt, crates
#   scripts/bootstrap.sh --test   also Chromium, ChromeDriver, tshark, tcpdump (Debian) and the npm test deps
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

total_start=$(ww_now)
step_start=""
step_name=""
# One line per step: "[bootstrap] <step>  <status> (<seconds>)".
step() { step_start=$(ww_now); step_name="$1"; }
ok() { printf '[bootstrap] %-36s %s (%s)\n' "$step_name" "$1" "$(ww_elapsed "$step_start")"; }
die() { printf '[bootstrap] %-36s FAILED: %s\n' "$step_name" "$1" >&2; exit 1; }
installing() { printf '[bootstrap] %-36s installing %s...\n' "$step_name" "$1"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

for cmd in rustup cargo node npm; do
  command -v "$cmd" >/dev/null || { echo "[bootstrap] error: '$cmd' is not on PATH" >&2; exit 1; }
done

# 1. Rust target for the browser.
step "rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  ok "present"
else
  installing "wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
  ok "installed"
fi

# 2. Trunk, exactly the pinned version (Trunk.toml also enforces it).
step "trunk $WW_TRUNK_VERSION"
have="$(trunk --version 2>/dev/null || true)"
if [ "$have" = "trunk $WW_TRUNK_VERSION" ]; then
  ok "present"
else
  installing "trunk $WW_TRUNK_VERSION (found: ${have:-none}; ~10 min)"
  cargo install --locked trunk --version "$WW_TRUNK_VERSION" --force
  have="$(trunk --version 2>/dev/null || true)"
  [ "$have" = "trunk $WW_TRUNK_VERSION" ] || die "after install, trunk --version says '${have:-nothing}'"
  ok "installed"
fi

# 3. wasm-bindgen CLI, exactly Cargo.lock's wasm-bindgen. No --locked: its own lockfile pins a
#    crate version the registry no longer has.
wb_version="$(ww_lock_wasm_bindgen_version)"
[ -n "$wb_version" ] || { echo "[bootstrap] error: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
step "wasm-bindgen-cli $wb_version"
wb_ok() {
  [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $wb_version" ] &&
    [ "$(wasm-bindgen-test-runner --version 2>/dev/null || true)" = "wasm-bindgen-test-runner $wb_version" ]
}
if wb_ok; then
  ok "present"
else
  installing "wasm-bindgen-cli $wb_version (found: $(wasm-bindgen --version 2>/dev/null || echo none); ~3 min)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
  wb_ok || die "after install, wasm-bindgen --version says '$(wasm-bindgen --version 2>&1 || true)'"
  ok "installed"
fi

# 4. wasm-opt from npm binaryen, project-local in .tools/ (Debian's binaryen is too old to read
#    current Rust output).
step "wasm-opt $WW_WASM_OPT_TAG"
wo_ok() {
  [ "$(command -v wasm-opt || true)" = "$WW_ROOT/.tools/node_modules/.bin/wasm-opt" ] &&
    wasm-opt --version 2>/dev/null | grep -q "($WW_WASM_OPT_TAG)"
}
if wo_ok; then
  ok "present"
else
  installing "binaryen@$WW_BINARYEN_VERSION into .tools/"
  mkdir -p .tools
  [ -f .tools/package.json ] || echo '{ "private": true }' > .tools/package.json
  npm install --prefix .tools --no-audit --no-fund --save-exact "binaryen@$WW_BINARYEN_VERSION"
  wo_ok || die "after install, wasm-opt --version says '$(wasm-opt --version 2>&1 || true)'"
  ok "installed"
fi

# 5. Every crate, so the offline builds (Trunk passes --offline to cargo) find them.
step "crates (cargo fetch --locked)"
cargo fetch --locked --quiet
ok "done"

if [ "$with_test" -eq 1 ]; then
  # 6. Debian packages for the browser tests and pcap checks.
  step "apt ${WW_APT_TEST_PACKAGES[*]}"
  missing=()
  for pkg in "${WW_APT_TEST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ] && [ -x /usr/bin/chromium ]; then
    ok "present"
  else
    installing "${missing[*]:-chromium}"
    export DEBIAN_FRONTEND=noninteractive
    # tshark's postinst would otherwise ask whether non-root users may capture.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${WW_APT_TEST_PACKAGES[@]}"
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after apt-get install"
    ok "installed"
  fi

  # 7. npm test dependencies (never a browser download), re-installed when package-lock.json changes.
  step "npm ci (Playwright, axe-core)"
  stamp=node_modules/.wirewise-lock.sha256
  lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -d node_modules ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$lock_hash" ]; then
    ok "present"
  else
    installing "node_modules from package-lock.json"
    npm ci --no-audit --no-fund
    echo "$lock_hash" > "$stamp"
    ok "installed"
  fi
fi

echo "[bootstrap] ready in $(ww_elapsed "$total_start")"
