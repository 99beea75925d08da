#!/usr/bin/env bash
# Release artifacts for every language, into <repo>/dist/ (`make dist`):
#   - Python: the abi3 wheel (maturin, release) and the sdist. The wheel's
#     platform tag is the one maturin's audit chose for the glibc symbols it links; it is
#     checked again here with `auditwheel show`, and the run fails when the tag claims more
#     than the binary complies with.
#   - Node: bindings-node/scripts/dist.sh (the main and platform npm tarballs), when present.
#   - Kotlin/JVM: bindings-kotlin/dist.sh (`mvn install` of the jar with its native
#     library), when present.
# Every build uses the one cargo target directory (target/) in the plain release profile,
# so the core crate is compiled once and reused by each binding's release build. No
# `maturin --strip` (nor a CARGO_PROFILE_RELEASE_STRIP set here): either gives the Python
# build a profile of its own, and the next binding compiles the core again (measured).
# Stripping belongs in `[profile.release]` of the workspace, where every build sees it.
#
# The tools come from PyPI into the Python venv (.venv, or PAYSTATE_DIST_VENV).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="$ROOT/dist"
export PAYSTATE_DIST="$DIST"
export CARGO_TERM_COLOR=never

rm -rf "$DIST"
mkdir -p "$DIST"

# ---- Python ---------------------------------------------------------------------------
VENV="${PAYSTATE_DIST_VENV:-$ROOT/.venv}"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check 'maturin>=1.9,<2' 'auditwheel==6.8.2' \
  'twine==6.2.0'

echo "dist: python wheel (release, abi3) and sdist"
(cd bindings-python && "$VENV/bin/maturin" build --release --locked --out "$DIST")
(cd bindings-python && "$VENV/bin/maturin" sdist --out "$DIST")

shopt -s nullglob
wheels=("$DIST"/paystate-*.whl)
sdists=("$DIST"/paystate-*.tar.gz)
if [ ${#wheels[@]} -ne 1 ] || [ ${#sdists[@]} -ne 1 ]; then
  echo "dist: expected one wheel and one sdist, found: ${wheels[*]} ${sdists[*]}" >&2
  exit 1
fi
wheel="${wheels[0]}"

# The tag must not claim an older glibc (or a wider policy) than auditwheel finds.
glibc="$(ldd --version 2>/dev/null | head -n1 | grep -oE '[0-9]+\.[0-9]+$' || echo unknown)"
show="$("$VENV/bin/auditwheel" show "$wheel" 2>&1)" || {
  echo "$show" >&2
  echo "dist: auditwheel could not read $wheel" >&2
  exit 1
}
echo "$show" | sed 's/^/  auditwheel: /'
"$VENV/bin/python" - "$wheel" "$show" <<'PY'
import re
import sys
from pathlib import Path

wheel, show = Path(sys.argv[1]).name, " ".join(sys.argv[2].split())  # auditwheel wraps
platforms = wheel[: -len(".whl")].split("-")[-1].split(".")
found = re.search(r'consistent with the following platform tag: "([^"]+)"', show)
if not found:
    sys.exit(f"dist: auditwheel named no platform tag for {wheel}")
best = found.group(1)


def glibc(tag: str):
    m = re.fullmatch(r"manylinux_(\d+)_(\d+)_\w+", tag)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    return next((v for k, v in legacy.items() if tag.startswith(k + "_")), None)


need = glibc(best)
for tag in platforms:
    have = glibc(tag)
    if have is None:
        if not tag.startswith("linux_"):
            sys.exit(f"dist: unexpected platform tag {tag} in {wheel}")
        continue  # `linux_*` claims nothing beyond this machine
    if need is None or have < need:
        sys.exit(f"dist: {wheel} is tagged {tag} but auditwheel finds only {best}")
print(f"dist: wheel tag {'.'.join(platforms)} agrees with auditwheel ({best})")
PY
echo "dist: built against glibc $glibc (this machine)"

# Listing the sdist proves it carries the core it builds from (a path dependency).
"$VENV/bin/python" - "${sdists[0]}" <<'PY'
import sys
import tarfile

with tarfile.open(sys.argv[1]) as t:
    names = t.getnames()
for need in ("core/src/lib.rs", "Cargo.lock", "PKG-INFO", "README.md"):
    if not any(n.endswith("/" + need) for n in names):
        sys.exit(f"dist: the sdist lacks {need}")
print(f"dist: sdist carries {len(names)} files, the core crate and Cargo.lock included")
PY

# The metadata and the README as long description, as the package index will render them.
"$VENV/bin/twine" check --strict "$wheel" "${sdists[0]}"

# ---- the other languages --------------------------------------------------------------
run_part() {
  local name="$1" script="$2"
  if [ -f "$script" ]; then
    echo "dist: $name ($script)"
    bash "$script"
  else
    echo "dist: $name skipped: $script is not in this checkout"
  fi
}
run_part node bindings-node/scripts/dist.sh
run_part kotlin bindings-kotlin/dist.sh

echo "dist: artifacts in $DIST (bytes)"
find "$DIST" -type f -printf '%s\t%P\n' | sort -k2 | awk -F'\t' '{ printf "  %10d  %s\n", $1, $2 }'
