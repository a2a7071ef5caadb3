#!/usr/bin/env bash
# Installs what the test suite needs and a fresh machine lacks (it has only the Rust toolchain,
# Node.js, npm and Python). Idempotent and quick on a machine that has them: every install is
# skipped when already present. ./test.sh runs it first, so the README's test command works on a
# fresh machine; it needs root (or sudo) only when something is missing.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# Browsers for the e2e suites and wasm-bindgen tests, PostgreSQL for the server's tests, wrk for
# the server benchmark, an emoji font so screenshots show emoji.
packages=(chromium chromium-driver firefox-esr postgresql wrk fonts-noto-color-emoji)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "apt: installing ${missing[*]}"
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends "${missing[@]}"
fi

# geckodriver drives Firefox in tests/firefox; 0.36+ has --allow-system-access. Not --locked:
# the registry mirror may lack a locked dependency version (as it does for wasm-bindgen-cli).
if ! command -v geckodriver >/dev/null; then
  cargo install geckodriver --version 0.37.1
fi
# schemathesis fuzzes the team server's API (tests/schemathesis.sh), pinned in
# tests/schemathesis-requirements.txt, in its own venv (Debian's Python needs python3-venv).
ST_VENV="$HOME/.cache/standin/schemathesis-venv"
ST_PIN="$(grep -o 'schemathesis==.*' "$(dirname "${BASH_SOURCE[0]}")/schemathesis-requirements.txt")"
if [[ "$("$ST_VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version ${ST_PIN#*==}" ]]; then
  python3 -m venv "$ST_VENV" 2>/dev/null || {
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends python3-venv
    python3 -m venv "$ST_VENV"
  }
  "$ST_VENV/bin/pip" install --quiet "$ST_PIN"
fi

# The wasm32 target, node_modules (npm ci) and wasm-bindgen-cli at Cargo.lock's version are
# installed by ./build.sh, which ./test.sh runs next.
