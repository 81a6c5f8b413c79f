#!/usr/bin/env bash
# Builds the app and serves it at http://127.0.0.1:8080 (rebuilding on changes).
source "$(dirname "$0")/tools.sh"
ensure_build_tools
cd "$ROOT"
say "Glassbox will be at http://127.0.0.1:8080/"
# No autoreload: its injected inline script would break the strict CSP.
exec trunk serve --release --offline --no-autoreload
