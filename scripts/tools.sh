# Installs what building and testing Glassbox need, only where it is missing.
# Sourced by scripts/run.sh and scripts/test.sh; every function is idempotent.
set -euo pipefail

TRUNK_VERSION=0.21.14
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} = 0 ] && return
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_build_tools() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    say "cargo install trunk $TRUNK_VERSION"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  local want
  want="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    # Not --locked: the registry lags for one of its dependencies.
    say "cargo install wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
  npm_ci "$ROOT"
  # The benchmark's TensorFlow.js packages (bench/run.mjs, and its CI smoke test).
  npm_ci "$ROOT/bench"
}

# `npm ci` in $1 when its node_modules is missing or older than its lock file.
npm_ci() {
  if [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    say "npm ci in ${1#"$ROOT"/}"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_test_tools() {
  ensure_build_tools
  apt_install chromium chromium-driver mesa-vulkan-drivers
  command -v wasm-pack >/dev/null || { say "cargo install wasm-pack"; cargo install wasm-pack; }
}
