#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests: Debian's PostgreSQL binaries, a temporary data
# directory, 127.0.0.1 on a free port, a random password, stopped by its pid.
#
#   scripts/postgres.sh run CMD [ARGS...]   start, run CMD with DATABASE_URL exported, stop
#                                           (also when CMD fails or the script is interrupted);
#                                           exits with CMD's status
#   env="$(scripts/postgres.sh start)" && eval "$env"
#                                           start; prints `export DATABASE_URL=...` and
#                                           `export PAYSTATE_PG_DIR=...` for the caller
#   scripts/postgres.sh stop                stops the cluster named by $PAYSTATE_PG_DIR (its
#                                           postmaster pid) and removes its directory
#
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` system user
# (created when missing); as any other user it runs as that user. When no `initdb` is found,
# Debian's `postgresql` package is installed with apt-get (root only). Nothing listens on
# anything but 127.0.0.1; the unix socket lives inside the temporary directory.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

ensure_installed() {
  find_bindir && return 0
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
  echo "postgres.sh: installing Debian's postgresql package" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
  find_bindir || die "postgresql installed but no initdb found"
}

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

start_cluster() {
  local bindir dir port password
  bindir="$(ensure_installed)"
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/paystate-pg.XXXXXX")"
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  as_owner sh -c "umask 077 && printf '%s\n' '$password' > '$dir/pwfile'"
  as_owner "$bindir/initdb" -D "$dir/data" -U paystate --pwfile="$dir/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
  rm -f "$dir/pwfile"
  # A free port can be taken between choosing and binding it: a few bounded attempts.
  local attempt
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off -c max_connections=100" \
      >/dev/null 2>&1; then
      echo "export DATABASE_URL='postgres://paystate:$password@127.0.0.1:$port/postgres'"
      echo "export PAYSTATE_PG_DIR='$dir'"
      return 0
    fi
  done
  cat "$dir/server.log" >&2 || true
  rm -rf "$dir"
  die "could not start PostgreSQL (5 attempts)"
}

stop_cluster() {
  local dir="${1:-${PAYSTATE_PG_DIR:-}}"
  [ -n "$dir" ] || die "stop: PAYSTATE_PG_DIR is not set"
  [ -d "$dir" ] || return 0
  local pid=""
  [ -f "$dir/data/postmaster.pid" ] && pid="$(head -n 1 "$dir/data/postmaster.pid")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true # fast shutdown
    local i
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    start_cluster
    ;;
  stop)
    stop_cluster
    ;;
  run)
    shift
    [ $# -gt 0 ] || die "run: give a command"
    exports="$(start_cluster)" # an assignment, so a failed start stops the script here
    eval "$exports"
    trap 'stop_cluster "$PAYSTATE_PG_DIR"' EXIT
    trap 'exit 130' INT TERM
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *)
    die "usage: $0 run CMD [ARGS...] | start | stop"
    ;;
esac
