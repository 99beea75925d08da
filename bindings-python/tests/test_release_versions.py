"""scripts/check-versions.sh: one version for the whole release, or a failure naming the file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

MANIFESTS = [
    "Cargo.toml",
    "core/Cargo.toml",
    "bindings-python/Cargo.toml",
    "bindings-python/pyproject.toml",
    "bindings-node/package.json",
    "bindings-node/npm/linux-x64-gnu/package.json",
    "bindings-kotlin/pom.xml",
    "scripts/check-versions.sh",
]


def copy_repo(tmp: Path) -> Path:
    for rel in MANIFESTS:
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, tmp / rel)
    return tmp


def run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(root / "scripts/check-versions.sh")],
        capture_output=True,
        text=True,
        check=False,
    )


def test_this_checkout_has_one_version() -> None:
    proc = run(REPO)
    assert proc.returncode == 0, proc.stderr
    assert "bindings-kotlin/pom.xml" in proc.stdout


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("bindings-node/npm/linux-x64-gnu/package.json", '"version": "', '"version": "9'),
        # The project's own <version> comes first in the pom, before any dependency's.
        ("bindings-kotlin/pom.xml", "<version>", "<version>9"),
        ("core/Cargo.toml", "version.workspace = true", 'version = "9.9.9"'),
        ("bindings-python/pyproject.toml", 'dynamic = ["version"]', 'version = "9.9.9"'),
    ],
)
def test_a_differing_manifest_is_named(tmp_path: Path, rel: str, old: str, new: str) -> None:
    root = copy_repo(tmp_path)
    text = (root / rel).read_text()
    assert old in text
    (root / rel).write_text(text.replace(old, new, 1))
    proc = run(root)
    assert proc.returncode == 1
    assert rel in proc.stderr, proc.stderr
    assert proc.stderr.count("\n  ") == 1, proc.stderr
