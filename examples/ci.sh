#!/usr/bin/env bash
# The examples, from a fresh machine: the FastAPI example (ruff, pytest: regressions and the
# chaos run under `uvicorn app:app --workers 2`) and the Express example (tsc, node --test:
# regressions and the chaos run over 2 `node server.js` processes on one PostgreSQL).
#
# Installs what it needs: the Python venv and binding exactly as bindings-python/ci.sh does,
# the Node addon as bindings-node/ci.sh does, the examples' pinned packages, and PostgreSQL
# (Debian's package, through scripts/postgres.sh, which starts a throw-away cluster on a
# loopback port for the Express tests and stops it by its pid afterwards).
#
#   bash examples/ci.sh            # both
#   bash examples/ci.sh python     # or: node
#
# Both also run as the shop of `paystate sandbox` (tests/test_sandbox.py, test/sandbox.test.js):
# the sandbox binary is built once here (`cargo build -p paystate-sandbox --locked`) and
# passed as PAYSTATE_SANDBOX_BIN.
#
# Chaos sizes (defaults: 300 payments, 24 parallel): CHAOS_PAYMENTS, CHAOS_PARALLEL.
# PAYSTATE_PYTHON_BUILT=1 / PAYSTATE_NODE_BUILT=1 (set by scripts/test-all.sh when its python /
# node stage ran earlier in the same run) reuse those builds instead of building again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

sandbox_bin() {
  if [ -z "${PAYSTATE_SANDBOX_BIN:-}" ]; then
    cargo build -q -p paystate-sandbox --locked
    PAYSTATE_SANDBOX_BIN="$ROOT/target/debug/paystate-sandbox"
    export PAYSTATE_SANDBOX_BIN
  fi
}

run_python() {
  sandbox_bin
  local PY="${PYTHON:-python3}"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
  pip install -q --disable-pip-version-check 'maturin>=1.9,<2' ruff==0.17.6 \
    -r examples/python-fastapi/requirements.txt
  if [ "${PAYSTATE_PYTHON_BUILT:-0}" = 1 ] && python -c 'import paystate' 2>/dev/null; then
    echo "paystate (Python): as built by this run's python stage"
  else
    (cd bindings-python && maturin develop -q)
  fi
  mapfile -t pyfiles < <(find examples/python-fastapi -name '*.py' | grep -v '/\.')
  ruff format --check "${pyfiles[@]}"
  ruff check "${pyfiles[@]}"
  (cd examples/python-fastapi && python -m pytest -q -s -p no:cacheprovider)
}

run_node() {
  sandbox_bin
  if [ "${PAYSTATE_NODE_BUILT:-0}" = 1 ] && compgen -G 'bindings-node/*.node' >/dev/null; then
    echo "paystate (Node): as built by this run's node stage"
  else
    (cd bindings-node && npm ci --no-audit --no-fund && npm run build)
  fi
  cd examples/node-express
  npm ci --no-audit --no-fund
  npx tsc -p tsconfig.json
  bash "$ROOT/scripts/postgres.sh" run npm test
  cd "$ROOT"
}

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(python node)
for p in "${parts[@]}"; do
  case "$p" in
    python) run_python ;;
    node) run_node ;;
    *) echo "unknown part: $p (python node)" >&2; exit 2 ;;
  esac
done
