#!/usr/bin/env bash
# Every test in every language, from a fresh machine: installs what it needs (pip, npm,
# Maven and cargo packages), then runs each stage. `make test` and `.ci/run` call this.
#
#   bash scripts/test-all.sh            # all stages
#   bash scripts/test-all.sh rust node  # only the named stages
#
# Extra scenario directories: PAYSTATE_SCENARIOS=dir1:dir2 (every runner reads them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SHARED_EXAMPLES="$ROOT/../shared/conformance/examples"
export CARGO_TERM_COLOR=never
export CARGO_INCREMENTAL=0

stage() { printf '\n===== %s =====\n' "$*"; }
elapsed() { printf '(%s: %ss)\n' "$1" "$(( $(date +%s) - $2 ))"; }

scenario_dirs() {
  local dirs=("$ROOT/tests/scenarios")
  [ -d "$SHARED_EXAMPLES" ] && dirs+=("$SHARED_EXAMPLES")
  if [ -n "${PAYSTATE_SCENARIOS:-}" ]; then
    IFS=':' read -r -a extra <<< "$PAYSTATE_SCENARIOS"
    for d in "${extra[@]}"; do [ -n "$d" ] && dirs+=("$d"); done
  fi
  printf '%s\n' "${dirs[@]}"
}

run_rust() {
  local t0; t0=$(date +%s)
  stage "rust: format, lint, build, test"
  local installed; installed="$(rustup component list --installed 2>/dev/null || true)"
  grep -q rustfmt <<< "$installed" || rustup component add rustfmt clippy
  cargo fmt --all -- --check
  cargo build --workspace --all-targets --locked
  cargo clippy --workspace --all-targets --locked -- -D warnings
  # Every intra-doc link resolves and every doc comment renders, for the users who read them.
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
  cargo test --workspace --locked
  stage "rust: conformance runner (CLI)"
  mapfile -t dirs < <(scenario_dirs)
  ./target/debug/paystate conformance "${dirs[@]}"
  stage "rust: generated vocabulary drift, scenario grammar"
  python3 scripts/gen-vocabulary.py --check
  python3 scripts/check-grammar.py "${dirs[@]}"
  elapsed rust "$t0"
}

run_python() {
  local t0; t0=$(date +%s)
  stage "python: build, lint, stubtest, pytest, conformance"
  bash bindings-python/ci.sh
  elapsed python "$t0"
}

run_node() {
  local t0; t0=$(date +%s)
  stage "node: build, d.ts drift, tsc, node --test, pack, express example"
  bash bindings-node/ci.sh
  elapsed node "$t0"
}

run_examples() {
  local t0; t0=$(date +%s)
  stage "examples: FastAPI (uvicorn --workers 2) and Express (2 processes on PostgreSQL), chaos runs; both as the shop of the sandbox binary"
  # The python and node stages earlier in this same run built the bindings from this tree
  # (and passed): the examples reuse them instead of building them a second time.
  local s py_built=0 node_built=0
  for s in "${stages[@]}"; do
    [ "$s" = examples ] && break
    [ "$s" = python ] && py_built=1
    [ "$s" = node ] && node_built=1
  done
  PAYSTATE_PYTHON_BUILT=$py_built PAYSTATE_NODE_BUILT=$node_built bash examples/ci.sh
  elapsed examples "$t0"
}

run_kotlin() {
  local t0; t0=$(date +%s)
  stage "kotlin: uniffi generation, Maven build and JVM tests"
  bash bindings-kotlin/ci.sh
  elapsed kotlin "$t0"
}

run_dist() {
  local t0; t0=$(date +%s)
  stage "dist: one version, release artifacts, installed without a Rust toolchain"
  bash scripts/check-versions.sh
  bash scripts/dist.sh
  bash scripts/test-dist.sh
  elapsed dist "$t0"
}

run_swift() {
  stage "swift: generated sources"
  bash bindings-swift/ci.sh
}

run_fuzz() {
  local t0; t0=$(date +%s)
  stage "fuzz: build every target and run each briefly"
  bash fuzz/run-smoke.sh
  elapsed fuzz "$t0"
}

run_sandbox() {
  local t0; t0=$(date +%s)
  stage "sandbox: seeds 000-004 flows, test clock, SIGKILL crash test, three processes on PostgreSQL (loopback only)"
  cargo build -p paystate-sandbox -p paystate-cli --locked
  # PAYSTATE_PG_TESTS=1: tests/postgres.rs starts a throw-away cluster with
  # scripts/postgres.sh (installing Debian's postgresql when missing) and fails if it cannot.
  PAYSTATE_PG_TESTS=1 cargo test -p paystate-sandbox --locked
  # The in-process suites again with every sandbox on a fresh PostgreSQL database: the same
  # behaviour on both stores.
  bash scripts/postgres.sh run bash -c 'PAYSTATE_SANDBOX_PG_URL="$DATABASE_URL" cargo test -p paystate-sandbox --locked --test seed001_flow --test test_clock --test shared_account --test seed000_gatenoc --test seed002_gatepay --test seed003_monetix --test seed004_keypair --test checkout_page --test checkout_seeds --test https_delivery'
  stage "sandbox: checkout page in headless chromium (selenium)"
  bash sandbox/browser-tests/ci.sh
  elapsed sandbox "$t0"
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(rust python node examples kotlin dist swift sandbox fuzz)
for s in "${stages[@]}"; do
  case "$s" in
    rust) run_rust ;;
    python) run_python ;;
    node) run_node ;;
    examples) run_examples ;;
    kotlin) run_kotlin ;;
    dist) run_dist ;;
    swift) run_swift ;;
    fuzz) run_fuzz ;;
    sandbox) run_sandbox ;;
    *) echo "unknown stage: $s (rust python node examples kotlin dist swift sandbox fuzz)" >&2; exit 2 ;;
  esac
done
stage "all requested stages passed: ${stages[*]}"
