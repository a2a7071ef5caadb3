#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the server's tests, in a temporary directory.
#
#   dir=$(mktemp -d)
#   export DATABASE_URL_PG=$(tests/pg.sh start "$dir")   # prints postgres://standin@127.0.0.1:PORT/standin
#   ...
#   tests/pg.sh stop "$dir"                              # stops it and deletes the directory
#
# Trust authentication on 127.0.0.1 only, fsync off: test data, never anything kept. initdb
# refuses to run as root, so as root the cluster runs as the `postgres` user (Debian's package
# creates it). The superuser `standin` may create databases (a fresh one per test).
set -euo pipefail

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$bin" && -x "$bin/initdb" ]] || {
    echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 1
  }
  echo "$bin"
}

# Runs a command as the cluster's owner.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir="$1" bin port
  bin="$(pg_bin)"
  mkdir -p "$dir"
  [[ "$(id -u)" == 0 ]] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U standin --auth=trust --encoding=UTF8 --locale=C \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  port="$(free_port)"
  # Unix socket in the cluster's own directory (not /var/run/postgresql, which may not exist).
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  echo "$port" >"$dir/port"
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U standin standin
  echo "postgres://standin@127.0.0.1:$port/standin"
}

stop() {
  local dir="$1"
  if [[ -d "$dir/data" ]]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [[ $# == 2 ]] || usage; start "$2" ;;
  stop) [[ $# == 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
