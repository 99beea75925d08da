#!/usr/bin/env bash
# The checkout page in a real headless browser: Debian's chromium and chromedriver
# (installed with apt when missing; nothing downloads a browser), Selenium from a venv
# with pinned packages, the built sandbox binary. Called by `run_sandbox` in
# scripts/test-all.sh after the cargo tests.
#
#   bash sandbox/browser-tests/ci.sh     # screenshots land in target/browser-tests/
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chromium --version
chromedriver --version

VENV="$ROOT/target/browser-tests-venv"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" ruff==0.17.6
"$VENV/bin/ruff" format --check --config "$HERE/ruff.toml" "$HERE/test_checkout.py"
"$VENV/bin/ruff" check --config "$HERE/ruff.toml" "$HERE/test_checkout.py"

cargo build -p paystate-sandbox --bin paystate-sandbox --locked
# Selenium Manager must never fetch a driver or a browser: both paths are given.
export SE_OFFLINE=true
timeout 300 "$VENV/bin/python" "$HERE/test_checkout.py" \
  --bin "$ROOT/target/debug/paystate-sandbox" --shots "$ROOT/target/browser-tests"
