#!/usr/bin/env bash
# Runs every test: formatting, clippy (native and wasm32), unit and scenario tests, the sim's
# determinism test under wasm32, a release build of the site under a sub-path, and the browser
# tests. Every stage runs even if an earlier one failed (the browser tests need the build). Ends
# with one summary line "N passed, N failed" (stages plus browser tests); exits non-zero if
# anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

"$WW_ROOT/scripts/bootstrap.sh" --test

passed=0
failed=0
failures=()
timings=()

# stage <name> <command...>: runs the command, prints its output, records pass/fail and time.
stage() {
  local name="$1"; shift
  local start rc
  start=$(ww_now)
  echo
  echo "==> [$name] $*"
  set +e
  "$@"
  rc=$?
  set -e
  local took
  took=$(ww_elapsed "$start")
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "<== [$name] ok ($took)"
    timings+=("ok      $took  $name")
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "<== [$name] FAILED, exit $rc ($took)"
    timings+=("FAILED  $took  $name")
  fi
  return 0
}

total_start=$(ww_now)

stage "rustfmt" cargo fmt --all -- --check
stage "clippy (native)" cargo clippy --workspace --all-targets --all-features -- -D warnings
stage "clippy (wasm32 app)" cargo clippy -p wirewise --target wasm32-unknown-unknown -- -D warnings
stage "cargo test" cargo test --workspace --all-features

if [ -f sim/tests/determinism.rs ]; then
  # wasm-bindgen-test-runner runs the test under Node (no browser needed).
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    stage "sim determinism (wasm32)" \
    cargo test -p wirewise-sim --target wasm32-unknown-unknown --test determinism
else
  echo
  echo "==> [sim determinism (wasm32)] skipped: no sim/tests/determinism.rs"
  timings+=("skipped       sim determinism (wasm32)")
fi

build_ok=0
rm -rf dist-e2e
stage "trunk build (sub-path /wirewise/)" trunk build --release --public-url /wirewise/ --dist dist-e2e
[ -f dist-e2e/index.html ] && build_ok=1

# Browser tests: counted test by test, from Playwright's JSON report.
e2e_start=$(ww_now)
report="$WW_ROOT/e2e/report/results.json"
echo
if [ "$build_ok" -eq 1 ]; then
  echo "==> [e2e] npx playwright test --config e2e/playwright.config.mjs"
  rm -f "$report"
  set +e
  npx --no-install playwright test --config e2e/playwright.config.mjs
  e2e_rc=$?
  set -e
  counts=""
  if [ -f "$report" ]; then
    counts=$(node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats ?? {};
      const ok = (s.expected ?? 0) + (s.flaky ?? 0);
      const bad = (s.unexpected ?? 0) + ((s.expected ?? 0) + (s.unexpected ?? 0) + (s.flaky ?? 0) === 0 ? 1 : 0);
      console.log(ok, bad, s.skipped ?? 0);' "$report" 2>/dev/null || true)
  fi
  if [ -n "$counts" ]; then
    read -r e2e_passed e2e_failed e2e_skipped <<<"$counts"
  else
    # No report: the harness itself failed (server, browser or config).
    e2e_passed=0; e2e_failed=1; e2e_skipped=0
  fi
  if [ "$e2e_rc" -ne 0 ] && [ "$e2e_failed" -eq 0 ]; then e2e_failed=1; fi
  passed=$((passed + e2e_passed))
  failed=$((failed + e2e_failed))
  [ "$e2e_failed" -eq 0 ] || failures+=("e2e ($e2e_failed)")
  took=$(ww_elapsed "$e2e_start")
  echo "<== [e2e] $e2e_passed passed, $e2e_failed failed, $e2e_skipped skipped ($took)"
  timings+=("$([ "$e2e_failed" -eq 0 ] && echo 'ok    ' || echo 'FAILED') $took  e2e ($e2e_passed passed, $e2e_failed failed)")
else
  echo "==> [e2e] not run: the site did not build"
  failed=$((failed + 1))
  failures+=("e2e (not run)")
  timings+=("FAILED        e2e (not run: no build)")
fi

echo
echo "Stage times (total $(ww_elapsed "$total_start")):"
printf '  %s\n' "${timings[@]}"
[ "${#failures[@]}" -eq 0 ] || echo "Failed: $(IFS=,; echo "${failures[*]}" | sed 's/,/, /g')"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
