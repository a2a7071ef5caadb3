#!/usr/bin/env bash
# Builds the extension (dist/chrome, dist/firefox), starts the team server on SQLite and, once
# it listens, prints where the database is, how to load the extension, and two join links.
#   ./run.sh                           # team "local" (created on a fresh database)
#   STANDIN_TEAM=Core ./run.sh         # another team name
#   ./run.sh --listen 127.0.0.1:9000   # arguments go to `standin-server serve`
#   STANDIN_SERVER_URL=https://standin.example.com ./run.sh --listen 0.0.0.0:8787
#                                      # the address teammates' browsers use, in the guide
#   ./run.sh --help                    # the server's own options
# STANDIN_DATABASE_URL picks the database (default sqlite://standin.db, in this directory).
# STANDIN_RUN_PROFILE=dev runs the debug build instead of the release one (the e2e tests do).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export PATH="$HOME/.cargo/bin:$PATH"
./build.sh
profile="${STANDIN_RUN_PROFILE:-release}"
cargo build --profile "$profile" -p standin-server
server="${CARGO_TARGET_DIR:-$PWD/target}/$([[ $profile == dev ]] && echo debug || echo "$profile")/standin-server"
[[ " $* " == *" --help "* || " $* " == *" -h "* ]] && exec "$server" serve "$@"

team="${STANDIN_TEAM:-local}"
export STANDIN_DATABASE_URL="${STANDIN_DATABASE_URL:-sqlite://standin.db}"
"$server" member list --team "$team" >/dev/null 2>&1 || "$server" team create "$team"

# What a new user needs, printed once the server answers at `$1`.
guide() {
  local url=$1 database=$STANDIN_DATABASE_URL errors codes links
  # A server URL may hold a password: only a SQLite file is named.
  if [[ $database == sqlite://* ]]; then
    database="$(realpath -m "${database#sqlite://}")"
  else
    database='$STANDIN_DATABASE_URL'
  fi
  errors=$(mktemp)
  codes=$("$server" invite --team "$team" --count 2 --server-url "$url" 2>"$errors")
  links=$(grep -o 'chrome-extension://[^ ]*' "$errors" | sed 's/^/    /')
  rm -f "$errors"
  cat <<GUIDE

StandIn's team server is up: team "$team" at $url
  Database: $database
  Chrome:   chrome://extensions, switch on Developer mode, Load unpacked: $PWD/dist/chrome
            then open a join link (each works once, in one browser profile):
$links
  Firefox:  about:debugging#/runtime/this-firefox, Load Temporary Add-on…: $PWD/dist/firefox/manifest.json
            then StandIn's Preferences (about:addons), Team: Server URL $url
            and an unused invite code: $(echo $codes)
  More invite codes and links: $server invite --team $team --server-url $url

GUIDE
}

# The address teammates' browsers use: STANDIN_SERVER_URL when set (a proxy's https address,
# say); otherwise where the server listens, except that a wildcard address (0.0.0.0, [::]),
# which no browser can be sent to, becomes this machine's name.
public_url() {
  local url=$1
  if [[ -n ${STANDIN_SERVER_URL:-} ]]; then
    printf '%s' "${STANDIN_SERVER_URL%/}"
  elif [[ $url =~ ^http://(0\.0\.0\.0|\[::\]):([0-9]+)$ ]]; then
    printf 'http://%s:%s' "$(hostname -f 2>/dev/null || hostname)" "${BASH_REMATCH[2]}"
  else
    printf '%s' "$url"
  fi
}

"$server" serve "$@" | while IFS= read -r line; do
  printf '%s\n' "$line"
  if [[ $line == "standin-server listening on http://"* ]]; then
    url=${line#standin-server listening on }
    guide "$(public_url "${url%% *}")"
  fi
done
