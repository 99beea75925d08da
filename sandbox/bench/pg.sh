#!/usr/bin/env bash
# Sandbox throughput on PostgreSQL with one and three processes, beside SQLite, in one run:
# invoice creations/s and simulated payments/s, with p50/p99, measured by wrk.
#
#   bash sandbox/bench/pg.sh            # DURATION=10s CONNS=24 by default; BIN=path
#
# Each configuration gets a fresh database (a temporary SQLite file; a fresh throw-away
# PostgreSQL cluster from scripts/postgres.sh). The same total number of connections (CONNS)
# is spread over the processes: one wrk (1 thread) per process, all at once; requests/s are
# summed, p50 is the median of the instances' p50s and p99 the largest p99. "pay" sends
# 0.0001 USDT partial payments with unique txIds to 300 invoices of 1,000,000 USDT (a
# payment is a read, a core command and a versioned write of one invoice). Every process
# and cluster started here is stopped by its pid. Loopback only. Needs wrk (apt-get
# install wrk) and PostgreSQL's binaries (scripts/postgres.sh installs them as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-24}"
KEY=test_bench_key
# BIN=path runs another build (e.g. a saved baseline, for a ratio in one session) unbuilt.
BIN="${BIN:-}"
LUA="$ROOT/sandbox/bench/pg.lua"

command -v wrk >/dev/null || { echo "pg.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
if [ -z "$BIN" ]; then
  cargo build --release -p paystate-sandbox --locked >&2
  BIN="$ROOT/target/release/paystate-sandbox"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/paystate-bench.XXXXXX")"
PIDS=()
PG_DIR=""
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
  if [ -n "$PG_DIR" ]; then PAYSTATE_PG_DIR="$PG_DIR" bash scripts/postgres.sh stop || true; PG_DIR=""; fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT

# start_sandbox DB N: starts N processes on DB; their base URLs go to $WORK/bases.
start_sandbox() {
  local db="$1" n="$2" i out
  : >"$WORK/bases"
  for i in $(seq 1 "$n"); do
    out="$WORK/sb$i.out"
    "$BIN" --port 0 --api-key "$KEY" --webhook-secret whsec_bench --database "$db" >"$out" 2>"$WORK/sb$i.err" &
    PIDS+=("$!")
    local t
    for t in $(seq 1 300); do
      grep -q "listening on" "$out" 2>/dev/null && break
      sleep 0.1
    done
    grep -q "listening on" "$out" || { cat "$WORK/sb$i.err" >&2; echo "pg.sh: sandbox did not start" >&2; exit 1; }
    head -n 1 "$out" | awk '{print $NF}' >>"$WORK/bases"
  done
}

# cpu_ticks PID...: user + system CPU ticks the processes used so far (0 for a gone one).
cpu_ticks() {
  local p total=0 t
  for p in "$@"; do
    t="$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)"
    total=$(( total + t ))
  done
  echo "$total"
}

# The cluster's processes: the postmaster and its children (backends, writers).
pg_pids() {
  [ -n "$PG_DIR" ] || return 0
  local pm
  pm="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
  echo "$pm"
  pgrep -P "$pm" || true
}

# run_wrk MODE: one wrk per process at once; prints "rps p50 p99 errors
# sandbox-cpu-ms-per-request postgres-cpu-ms-per-request".
run_wrk() {
  local mode="$1" n i base conns sb0 pg0 sb1 pg1
  n="$(wc -l <"$WORK/bases")"
  conns=$(( CONNS / n ))
  i=0
  local wpids=()
  # shellcheck disable=SC2046
  sb0="$(cpu_ticks "${PIDS[@]}")"; pg0="$(cpu_ticks $(pg_pids))"
  while read -r base; do
    i=$((i + 1))
    wrk -t1 -c"$conns" -d"$DURATION" --timeout 10s -s "$LUA" "$base" -- "$mode" "$RANDOM$i" "$KEY" "$WORK/ids" \
      >"$WORK/wrk$i.out" 2>&1 &
    wpids+=("$!")
  done <"$WORK/bases"
  for p in "${wpids[@]}"; do wait "$p"; done
  # shellcheck disable=SC2046
  sb1="$(cpu_ticks "${PIDS[@]}")"; pg1="$(cpu_ticks $(pg_pids))"
  # Per instance: "rps p50 p99 errors"; then the sum, the median p50, the largest p99.
  cat "$WORK"/wrk*.out | grep '^RESULT' | awk '
    { for (f = 2; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
      printf "%f %s %s %d\n", v["requests"] / v["seconds"], v["p50_ms"], v["p99_ms"], v["socket_errors"] + v["non2xx"] }' \
    >"$WORK/results"
  [ "$(wc -l <"$WORK/results")" -eq "$n" ] || { cat "$WORK"/wrk*.out >&2; echo "pg.sh: a wrk run failed" >&2; exit 1; }
  local rps p50 p99 err
  rps="$(awk '{ s += $1 } END { printf "%.0f", s }' "$WORK/results")"
  p50="$(sort -g -k2,2 "$WORK/results" | awk -v m=$(( (n + 1) / 2 )) 'NR == m { print $2 }')"
  p99="$(sort -g -k3,3 "$WORK/results" | tail -n 1 | awk '{ print $3 }')"
  err="$(awk '{ s += $4 } END { print s + 0 }' "$WORK/results")"
  local total hz
  total="$(awk '{ s += $1 } END { printf "%.0f", s * '"${DURATION%s}"' }' "$WORK/results")"
  hz="$(getconf CLK_TCK)"
  echo "$rps $p50 $p99 $err $(awk -v t=$(( sb1 - sb0 )) -v n="$total" -v hz="$hz" 'BEGIN { printf "%.2f", t * 1000 / hz / n }') $(awk -v t=$(( pg1 - pg0 )) -v n="$total" -v hz="$hz" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')"
  rm -f "$WORK"/wrk*.out
}

make_invoices() {
  local base
  base="$(head -n 1 "$WORK/bases")"
  : >"$WORK/ids"
  local i
  local answer
  for i in $(seq 1 300); do
    answer="$(curl -s -X POST "$base/api/v1/invoices" -H "Authorization: Bearer $KEY" \
      -d "{\"amountUsdt\": \"1000000\", \"assetCode\": \"USDT_TRC20\", \"reference\": \"PAYME-$RANDOM-$i\"}")"
    case "$answer" in
      *'"id":"'*) printf '%s\n' "$answer" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p' >>"$WORK/ids" ;;
      *) echo "pg.sh: could not create an invoice to pay: $answer" >&2; exit 1 ;;
    esac
  done
}

bench() {
  local label="$1" db="$2" n="$3" c p
  start_sandbox "$db" "$n"
  c="$(run_wrk create)"
  make_invoices
  p="$(run_wrk pay)"
  # shellcheck disable=SC2086
  set -- $c $p
  printf '| %s | %s | %s / %s | %s | %s / %s | %s | %s | %s |\n' "$label" "$1" "$2" "$3" "$7" "$8" "$9" \
    "$5 / ${11}" "$6 / ${12}" "$(( $4 + ${10} ))"
  cleanup
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "| configuration | creations/s | create p50 / p99 ms | payments/s | pay p50 / p99 ms | sandbox CPU ms per create / pay | PostgreSQL CPU ms per create / pay | errors |"
echo "|---|---|---|---|---|---|---|---|"
bench "SQLite, 1 process" "$WORK/bench.sqlite3" 1
for n in 1 3; do
  exports="$(bash scripts/postgres.sh start)"
  eval "$exports"
  PG_DIR="$PAYSTATE_PG_DIR"
  bench "PostgreSQL, $n process$([ "$n" -gt 1 ] && echo es)" "$DATABASE_URL" "$n"
done
echo
echo "wrk $(wrk --version 2>&1 | head -n 1 | awk '{print $2}'), DURATION=$DURATION CONNS=$CONNS, $(nproc) cores, load average before: $LOAD_BEFORE"
