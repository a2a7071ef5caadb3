#!/usr/bin/env bash
# Builds the extension (dist/chrome, dist/firefox) and starts the team server on SQLite.
#   ./run.sh                 # then load dist/chrome or dist/firefox in the browser (README.md)
#   ./run.sh --help          # the server's own options (after `serve`), e.g. where the db lives
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./build.sh
exec cargo run --release -p standin-server -- serve "$@"
