#!/usr/bin/env bash
# Runs the whole test pyramid, or the layers named: native, browser, e2e.
#   native   cargo test (unit, gradient checks, codec, determinism, GPU parity, runner)
#   browser  wasm-pack test in headless Chromium, in the page and in a dedicated worker
#   e2e      Playwright against the trunk-built dist/
source "$(dirname "$0")/tools.sh"
ensure_test_tools
cd "$ROOT"
layers=("$@")
[ ${#layers[@]} = 0 ] && layers=(native browser e2e)

export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
# Mesa (lavapipe) complains on every adapter request when this is unset.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

for layer in "${layers[@]}"; do
  case "$layer" in
    native)
      say "native tests"
      cargo test --release --features native
      ;;
    browser)
      say "browser tests (page)"
      wasm-pack test --release --headless --chrome --chromedriver "$CHROMEDRIVER"
      say "browser tests (dedicated worker)"
      wasm-pack test --release --headless --chrome --chromedriver "$CHROMEDRIVER" --features test-in-worker
      ;;
    e2e)
      say "build dist/"
      trunk build --release --offline
      say "end-to-end tests"
      npm run --silent e2e
      ;;
    *) echo "unknown test layer: $layer (use native, browser, e2e)" >&2; exit 2 ;;
  esac
done
say "all requested test layers passed"
