#!/usr/bin/env bash
# Python: fresh venv, build the extension, lint, stubtest, the binding's pytest suite
# (which runs the Python conformance runner over every scenario directory), the FastAPI
# example, and the runner on its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
pip install -q --disable-pip-version-check 'maturin>=1.9,<2' pytest==9.2.0 mypy==2.4.1 ruff==0.17.6 \
    -r examples/python-fastapi/requirements.txt
(cd bindings-python && maturin develop -q)
# Python sources only (ruff also formats code blocks in Markdown files).
mapfile -t pyfiles < <(find bindings-python examples/python-fastapi -name '*.py' -o -name '*.pyi' | grep -v '/\.')
ruff format --check "${pyfiles[@]}"
ruff check "${pyfiles[@]}"
(cd bindings-python && python -m mypy.stubtest paystate --allowlist stubtest-allowlist.txt)
python -m pytest -q bindings-python/tests
dirs=(tests/scenarios)
[ -d ../shared/conformance/examples ] && dirs+=(../shared/conformance/examples)
python -m paystate.conformance "${dirs[@]}"
