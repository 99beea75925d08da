#!/usr/bin/env bash
# One version number for the whole release: the workspace version in Cargo.toml
# (`[workspace.package] version`) is the source, and every other manifest that names a
# version must say the same. Fails naming each file that differs.
#
#   bash scripts/check-versions.sh
#
# Checked: every Cargo.toml of the workspace (a crate's own `version` must be
# `version.workspace = true` or equal; path dependencies on `paystate` too),
# bindings-python/pyproject.toml (a literal version, or `dynamic = ["version"]` read by
# maturin from its crate), bindings-node/package.json (+ its optionalDependencies on the
# platform packages, package-lock.json, and every bindings-node/npm/*/package.json),
# bindings-kotlin/pom.xml (the project's own <version>).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec python3 - "$ROOT" <<'PY'
from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

root = Path(sys.argv[1])
problems: list[str] = []
checked: list[str] = []


def rel(p: Path) -> str:
    return str(p.relative_to(root))


def toml_section(text: str, name: str) -> str:
    """The body of `[name]` (up to the next table header), enough for flat keys."""
    m = re.search(r"^\[" + re.escape(name) + r"\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


def toml_key(body: str, key: str) -> str | None:
    m = re.search(r'^\s*' + re.escape(key) + r'\s*=\s*"([^"]*)"', body, re.M)
    return m.group(1) if m else None


cargo = root / "Cargo.toml"
version = toml_key(toml_section(cargo.read_text(), "workspace.package"), "version")
if not version:
    sys.exit(f"check-versions: {rel(cargo)} has no [workspace.package] version")


def expect(path: Path, what: str, got: object) -> None:
    checked.append(f"{rel(path)} ({what})")
    if got != version:
        problems.append(f"{rel(path)}: {what} is {got!r}, the workspace version is {version!r}")


# The workspace dependency on the core crate carries a version for publishing.
dep = re.search(r'^paystate\s*=\s*\{[^}]*version\s*=\s*"([^"]*)"', cargo.read_text(), re.M)
if dep:
    expect(cargo, "[workspace.dependencies] paystate", dep.group(1))

skip = {"target", "node_modules", "fuzz", ".venv"}
for manifest in sorted(root.rglob("Cargo.toml")):
    parts = set(manifest.relative_to(root).parts[:-1])
    if manifest == cargo or parts & skip or any(p.startswith(".") for p in parts):
        continue
    package = toml_section(manifest.read_text(), "package")
    if re.search(r"^\s*version\.workspace\s*=\s*true", package, re.M):
        checked.append(f"{rel(manifest)} (workspace)")
        continue
    own = toml_key(package, "version")
    if own is not None:
        expect(manifest, "[package] version", own)

pyproject = root / "bindings-python" / "pyproject.toml"
project = toml_section(pyproject.read_text(), "project")
literal = toml_key(project, "version")
if literal is not None:
    expect(pyproject, "[project] version", literal)
elif re.search(r'^\s*dynamic\s*=\s*\[[^\]]*"version"', project, re.M):
    # maturin takes the version of the crate, which must be the workspace's.
    crate = toml_section((root / "bindings-python" / "Cargo.toml").read_text(), "package")
    if not re.search(r"^\s*version\.workspace\s*=\s*true", crate, re.M):
        expect(root / "bindings-python" / "Cargo.toml", "[package] version", toml_key(crate, "version"))
    else:
        checked.append(f"{rel(pyproject)} (dynamic: workspace)")
else:
    problems.append(f"{rel(pyproject)}: no version and no dynamic = [\"version\"]")

node = root / "bindings-node"
pkg_path = node / "package.json"
if pkg_path.exists():
    pkg = json.loads(pkg_path.read_text())
    expect(pkg_path, "version", pkg.get("version"))
    platform_names = set()
    for plat in sorted((node / "npm").glob("*/package.json")):
        data = json.loads(plat.read_text())
        platform_names.add(data.get("name"))
        expect(plat, "version", data.get("version"))
    for name, spec in sorted((pkg.get("optionalDependencies") or {}).items()):
        if name in platform_names or name.startswith(f"{pkg.get('name')}-"):
            expect(pkg_path, f"optionalDependencies[{name}]", spec)
    lock_path = node / "package-lock.json"
    if lock_path.exists():
        lock = json.loads(lock_path.read_text())
        expect(lock_path, "version", lock.get("version"))
        expect(lock_path, 'packages[""].version', (lock.get("packages") or {}).get("", {}).get("version"))

pom = root / "bindings-kotlin" / "pom.xml"
if pom.exists():
    tree = ET.parse(pom).getroot()
    ns = {"m": tree.tag[1 : tree.tag.index("}")]} if tree.tag.startswith("{") else {}
    own = tree.find("m:version" if ns else "version", ns)
    expect(pom, "<version>", own.text.strip() if own is not None and own.text else None)

if problems:
    print(f"check-versions: FAILED ({len(problems)} differ from {version}):", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    sys.exit(1)
print(f"check-versions: every manifest is at {version} ({len(checked)} checked)")
for c in checked:
    print(f"  {c}")
PY
