#!/usr/bin/env bash
# Load figures of the sandbox over HTTP on loopback (run by hand; never part of CI):
# invoice creations/s, simulated payments/s and webhook deliveries/s, each with p50/p99.
#
#   bash sandbox/bench/load.sh [--database PATH|URL] [--duration 10s] [--connections 32]
#                              [--threads 2] [--no-build] [--bin PATH]
#
# Needs wrk (Debian: apt-get install -y wrk) and python3. Builds the sandbox in release,
# starts it on a free 127.0.0.1 port with a fresh database (a temp SQLite file unless
# --database names one; the harness passes it on as --database, so a postgres:// URL works
# once the sandbox accepts one), with --forward-to a local receiver (receiver.py):
#   0. clock:      wrk GETs /sandbox/clock (clock.lua): the same server and Bearer check with
#                  no SQL, the peer the other phases are compared with.
#   1. create:     wrk POSTs /api/v1/invoices, a unique reference each (create.lua), for
#                  --duration; the created ids are kept.
#   2. pay:        wrk POSTs /sandbox/invoices/:id/pay {} over those ids (pay.lua), for
#                  --duration. The receiver is not up yet: each payment's webhook is tried
#                  at once (connection refused, recorded) and scheduled a minute later.
#   3. deliveries: the receiver starts; POST /sandbox/clock/advance {"seconds": 60} makes
#                  every retry that fell due and returns when all are made: deliveries/s is
#                  the count the receiver got over the advance's wall time; p50/p99 are the
#                  sandbox's recorded attempt latencies (GET /sandbox/deliveries, latest 1000).
# Prints the machine's load average before and after (the machine may be shared).
# --bin runs another build of the sandbox (e.g. a saved baseline, for a ratio in one session).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/../.." && pwd)"

database="" duration=10s connections=32 threads=2 build=1 bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --database) database="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --bin) bin="$2"; build=0; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

if [ "$build" = 1 ]; then
  (cd "$ROOT" && cargo build --release -q -p paystate-sandbox --locked)
fi
BIN="${bin:-$ROOT/target/release/paystate-sandbox}"

WORK="$(mktemp -d)"
SPID="" RPID=""
cleanup() {
  [ -n "$RPID" ] && kill "$RPID" 2>/dev/null || true
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true
  [ -n "$RPID" ] && wait "$RPID" 2>/dev/null || true
  [ -n "$SPID" ] && wait "$SPID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
SPORT="$(free_port)"
RPORT="$(free_port)"
KEY="test_bench_$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
DB="${database:-$WORK/sandbox.sqlite3}"
API="http://127.0.0.1:$SPORT"
export KEY BENCH_DIR THREADS="$threads" IDS_FILE="$WORK/ids"

"$BIN" --port "$SPORT" --database "$DB" --api-key "$KEY" --webhook-secret "$SECRET" \
  --forward-to "http://127.0.0.1:$RPORT/hook" >"$WORK/sandbox.log" 2>&1 &
SPID=$!
for _ in $(seq 1 300); do
  curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "$API/sandbox/clock" && break
  kill -0 "$SPID" 2>/dev/null || { cat "$WORK/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
curl -sf -o /dev/null -H "Authorization: Bearer $KEY" "$API/sandbox/clock"

echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sandbox: $BIN, database ${database:-<temp SQLite file>}"
# CPU the sandbox process used (user + system, clock ticks): per request, a cost that the
# other programs on a shared machine do not inflate the way they inflate latencies.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))
wrk_run() {
  local before out requests
  before=$(cpu_ticks)
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s -s "$BENCH_DIR/$1" "$API")
  requests=$(sed -n 's/^RESULT .* requests=\([0-9]*\) .*/\1/p' <<<"$out")
  grep -E '^(RESULT|WRAPPED)' <<<"$out"
  if grep -qE '^WRAPPED [1-9]' <<<"$out"; then
    echo "NOT VALID: the payments outran the created invoices (some were paid twice);" \
      "run with a shorter --duration or more --connections for the creations"
  fi
  echo "sandbox CPU: $(( ($(cpu_ticks) - before) * TICK_US / (requests > 0 ? requests : 1) )) us per request"
}
echo "\$ wrk -t$threads -c$connections -d$duration -s clock.lua $API"
wrk_run clock.lua
echo "\$ wrk -t$threads -c$connections -d$duration -s create.lua $API"
RUN=1 wrk_run create.lua
echo "invoices created (ids kept): $(wc -l <"$IDS_FILE")"
echo "\$ wrk -t$threads -c$connections -d$duration -s pay.lua $API"
wrk_run pay.lua

python3 "$BENCH_DIR/receiver.py" "$RPORT" >"$WORK/receiver.log" 2>&1 &
RPID=$!
for _ in $(seq 1 100); do grep -q ready "$WORK/receiver.log" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$WORK/receiver.log"
before=$(cpu_ticks)
start=$(date +%s.%N)
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $KEY" -d '{"seconds": 60}' \
  "$API/sandbox/clock/advance"
end=$(date +%s.%N)
received="$(curl -sf "http://127.0.0.1:$RPORT/count")"
curl -sf -H "Authorization: Bearer $KEY" "$API/sandbox/deliveries?limit=1000" \
  | python3 -c '
import json, sys
received, start, end = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
lat = sorted(a["latencyMs"] for d in json.load(sys.stdin)["data"] for a in d["attempts"]
             if a["statusCode"] == 200 and a["latencyMs"] is not None)
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")
seconds = end - start
print(f"RESULT deliver requests={received} seconds={seconds:.2f} rps={received / seconds:.0f} "
      f"p50_ms={pct(50):.2f} p99_ms={pct(99):.2f} sampled={len(lat)}")
' "$received" "$start" "$end"
echo "sandbox CPU: $(( ($(cpu_ticks) - before) * TICK_US / (received > 0 ? received : 1) )) us per delivery"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
