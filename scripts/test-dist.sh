#!/usr/bin/env bash
# The artifacts in <repo>/dist/ (from scripts/dist.sh), installed and used as a user
# would, on a machine without a Rust toolchain:
#   - PATH is rebuilt without cargo, rustc and rustup (and the cargo/rustup environment is
#     cleared); the run fails unless `command -v cargo` then finds nothing;
#   - Python: in a fresh temporary directory, a new venv installs the wheel with
#     `--no-index --only-binary=:all:` (no sdist fallback, nothing from an index), then
#     runs the conformance runner over tests/scenarios and bindings-python/tests/dist_smoke.py;
#   - then bindings-node/scripts/test-dist.sh and bindings-kotlin/test-dist.sh, when
#     present, under the same PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dist"
export PAYSTATE_DIST="$DIST"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/paystate-dist.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# ---- hide the Rust toolchain ----------------------------------------------------------
# A PATH directory holding one of these is replaced by a directory of links to its other
# programs, so python3, node, java and mvn stay reachable.
hidden=(cargo rustc rustup rustdoc rustfmt cargo-clippy clippy-driver rust-gdb rust-lldb)
is_hidden() { local n; for n in "${hidden[@]}"; do [ "$1" = "$n" ] && return 0; done; return 1; }
new_path=()
i=0
IFS=':' read -r -a entries <<< "$PATH"
for dir in "${entries[@]}"; do
  [ -d "$dir" ] || continue
  has=0
  for n in "${hidden[@]}"; do [ -e "$dir/$n" ] && has=1; done
  if [ $has -eq 0 ]; then new_path+=("$dir"); continue; fi
  i=$((i + 1))
  shadow="$WORK/path$i"
  mkdir -p "$shadow"
  for f in "$dir"/*; do
    name="$(basename "$f")"
    if [ -x "$f" ] && ! is_hidden "$name"; then ln -s "$f" "$shadow/$name"; fi
  done
  new_path+=("$shadow")
done
PATH="$(IFS=':'; echo "${new_path[*]}")"
export PATH
unset CARGO CARGO_HOME CARGO_TARGET_DIR RUSTUP_HOME RUSTUP_TOOLCHAIN RUSTC RUSTC_WRAPPER
hash -r
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
  echo "test-dist: the Rust toolchain is still reachable: $(command -v cargo rustc)" >&2
  exit 1
fi
echo "test-dist: no cargo, no rustc on PATH"

# ---- Python ---------------------------------------------------------------------------
shopt -s nullglob
wheels=("$DIST"/paystate-*.whl)
if [ ${#wheels[@]} -ne 1 ]; then
  echo "test-dist: expected one paystate wheel in $DIST (run scripts/dist.sh), found ${#wheels[@]}" >&2
  exit 1
fi
PY="${PYTHON:-python3}"
cd "$WORK"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check --no-index --only-binary=:all: \
  "${wheels[0]}"
cp "$ROOT/bindings-python/tests/dist_smoke.py" "$WORK/"
echo "test-dist: python: conformance runner over tests/scenarios"
"$WORK/venv/bin/python" -m paystate.conformance "$ROOT/tests/scenarios"
echo "test-dist: python: smoke"
"$WORK/venv/bin/python" "$WORK/dist_smoke.py" "$ROOT"

# ---- the other languages --------------------------------------------------------------
cd "$ROOT"
for part in node:bindings-node/scripts/test-dist.sh kotlin:bindings-kotlin/test-dist.sh; do
  name="${part%%:*}" script="${part#*:}"
  if [ -f "$script" ]; then
    echo "test-dist: $name ($script)"
    bash "$script"
  else
    echo "test-dist: $name skipped: $script is not in this checkout"
  fi
done
echo "test-dist: every installed artifact passed"
