#!/usr/bin/env bash
# Runs every test of the project: the one test command (README.md; .ci/run calls exactly this).
#
#   ./test.sh
#
# Steps, failing fast on the cheap ones: rustfmt, the extension build (./build.sh, which also
# installs the wasm target, node_modules and wasm-bindgen-cli when missing), clippy natively
# and for wasm32 (also each context's module alone), web-ext lint of dist/firefox, the local
# service endpoints' self-tests (tests/services), cargo test for the workspace with a throwaway
# PostgreSQL cluster (DATABASE_URL_PG), the wasm-bindgen browser tests in headless Chromium,
# then the end-to-end suites in Chromium (tests/e2e) and Firefox ESR (tests/firefox).
# Needs chromium, chromium-driver, firefox-esr, postgresql (Debian packages) and geckodriver;
# tests/install-deps.sh, its first step, installs whatever is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

PG_DIR=""
cleanup() {
  if [[ -n "$PG_DIR" ]]; then
    tests/pg.sh stop "$PG_DIR"
  fi
}
trap cleanup EXIT

SECONDS=0
step() {
  printf '\n=== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"
}

step "install missing test dependencies (tests/install-deps.sh)"
tests/install-deps.sh

step "rustfmt"
cargo fmt --all --check

step "build the extension (./build.sh)"
./build.sh

step "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm32, standin: both contexts, then each context's module as build.sh builds it)"
cargo clippy -p standin --target wasm32-unknown-unknown --all-targets -- -D warnings
for context in worker pages; do
  cargo clippy -p standin --target wasm32-unknown-unknown --lib --no-default-features \
    --features "$context" -- -D warnings
done

step "web-ext lint dist/firefox (errors fail; warnings are listed)"
node tests/web-ext-lint.mjs dist/firefox

step "local service endpoints (tests/services: GitHub, GitLab, Slack against their published contracts)"
node --test tests/services/

step "cargo test --workspace (PostgreSQL: throwaway cluster)"
PG_DIR="$(mktemp -d -t standin-pg.XXXXXX)"
DATABASE_URL_PG="$(tests/pg.sh start "$PG_DIR")"
export DATABASE_URL_PG
echo "DATABASE_URL_PG=$DATABASE_URL_PG"
cargo test --workspace
tests/pg.sh stop "$PG_DIR"
PG_DIR=""

step "wasm-bindgen tests (cargo test --target wasm32-unknown-unknown, headless Chromium)"
# The runner (wasm-bindgen-test-runner, installed with wasm-bindgen-cli) is set in
# .cargo/config.toml; Chromium's flags are in webdriver.json.
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  cargo test -p standin --target wasm32-unknown-unknown

step "end-to-end: Chromium (tests/e2e) and Firefox ESR (tests/firefox)"
# A test that hangs (a browser event that never comes) fails after 5 minutes instead of
# holding CI until its 90-minute limit.
node --test --test-timeout=300000 tests/e2e/ tests/firefox/

step "all tests passed"
