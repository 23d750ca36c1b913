#!/usr/bin/env bash
# A private PostgreSQL server for tests, benchmarks and `make run DATABASE=postgres`, on loopback only.
#
#   deploy/local/postgres.sh start    install PostgreSQL from Debian's packages if absent, create the
#                                     cluster on first use, start it; prints the URL on stdout
#   deploy/local/postgres.sh stop | restart | status | url
#
# The cluster lives in var/postgres (PGDATA to move it) and listens on 127.0.0.1:55432 (PGPORT), apart
# from any system cluster, with `trust` for loopback: it holds test data only and never leaves the
# machine. As root, the server runs as the `postgres` user, which the package creates.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
data=${PGDATA:-$here/var/postgres}
port=${PGPORT:-55432}
url="postgresql://postgres@127.0.0.1:$port/postgres"

say() { printf 'postgres: %s\n' "$*" >&2; }

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s' "$dir"
}

install() {
  [ -n "$(bindir)" ] && return 0
  say "PostgreSQL is not installed; installing it from Debian's packages"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${sudo[@]}" apt-get install -y -q postgresql >&2 ||
      { "${sudo[@]}" apt-get update -q >&2 && "${sudo[@]}" apt-get install -y -q postgresql >&2; }; }; then
    say "could not install PostgreSQL (apt-get install -y postgresql needs root or passwordless sudo)"
    exit 1
  fi
}

# Runs a server binary as the owner of the cluster (initdb and postgres refuse to run as root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

create() {
  [ -f "$data/PG_VERSION" ] && return 0
  say "creating a cluster in $data"
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  chmod 700 "$data"
  as_owner "$(bindir)/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$data/postgresql.conf" <<CONF
# supportmatch: a private server on loopback
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 300
shared_buffers = 256MB
max_wal_size = 4GB
logging_collector = off
CONF
}

# Another checkout's server on the same port serves as well: every test database has a name of its own.
running() { "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; }

start() {
  install
  if ! running; then
    create
    as_owner "$(bindir)/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null ||
      { say "the server did not start; the end of $data/server.log:"; tail -n 20 "$data/server.log" >&2; exit 1; }
  fi
  printf '%s\n' "$url"
}

stop() {
  [ -n "$(bindir)" ] && [ -f "$data/postmaster.pid" ] || return 0
  as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if [ -n "$(bindir)" ] && running; then say "running at $url"; else say "not running"; exit 3; fi ;;
  url) printf '%s\n' "$url" ;;
  *) say "usage: $0 start|stop|restart|status|url"; exit 2 ;;
esac
