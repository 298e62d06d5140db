#!/usr/bin/env bash
# Builds the course (release, offline) and serves it at http://127.0.0.1:8080 (Trunk.toml [serve]).
# Rebuilds on file changes. Extra arguments go to `trunk serve`, e.g. --port 9000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

"$WW_ROOT/scripts/bootstrap.sh"
echo "[serve] building and serving at http://127.0.0.1:8080/ (Ctrl-C stops)"
exec trunk serve --release "$@"
