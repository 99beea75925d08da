"""The Python conformance runner over every scenario directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def scenario_dirs() -> list[Path]:
    dirs = [REPO / "tests" / "scenarios", REPO.parent / "shared" / "conformance" / "examples"]
    extra = os.environ.get("PAYSTATE_SCENARIOS", "")
    dirs += [Path(p) for p in extra.split(":") if p]
    return [d for d in dirs if d.exists()]


def test_scenarios_pass() -> None:
    dirs = scenario_dirs()
    assert (REPO / "tests" / "scenarios").exists()
    proc = subprocess.run(
        [sys.executable, "-m", "paystate.conformance", *map(str, dirs)],
        capture_output=True,
        text=True,
        check=False,
    )
    last = proc.stdout.strip().splitlines()[-1]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert last.endswith(" passed, 0 failed"), last
    assert int(last.split()[0]) > 0


def test_runner_reports_failures(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"name": "x", "steps": [{"op": "create_invoice", "at": "2026-01-01T00:00:00Z",'
        ' "invoice": {"id": "i", "due": "1", "asset": "USDT_TRC20", "expires_in": 60},'
        ' "expect": {"status": "paid"}}, {"op": "nope", "at": "2026-01-01T00:00:00Z"}]}'
    )
    typo = tmp_path / "typo.json"
    typo.write_text(
        '{"name": "y", "steps": [{"op": "tick", "at": "2026-01-01T00:00:00Z", "x": 1}]}'
    )
    (tmp_path / "notjson.json").write_text("{")
    proc = subprocess.run(
        [sys.executable, "-m", "paystate.conformance", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    assert proc.returncode == 1
    assert lines[-1] == "0 passed, 3 failed"
    assert any("bad.json: step 0 (create_invoice): status" in line for line in lines)
    assert any("typo.json: step 0 (tick)" in line for line in lines)


def test_runner_without_paths_is_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "paystate.conformance"], capture_output=True, check=False
    )
    assert proc.returncode == 2


def test_version_expect_key(tmp_path: Path) -> None:
    # `version` is 1 after create and grows by one for each accepted command.
    steps = (
        '{"op": "create_invoice", "at": "2026-01-01T00:00:00Z",'
        ' "invoice": {"id": "i", "due": "1", "asset": "USDT_TRC20", "expires_in": 60},'
        ' "expect": {"version": %s}},'
        ' {"op": "observe_transfer", "at": "2026-01-01T00:00:01Z", "invoice": "i",'
        ' "transfer": {"tx_id": "t", "amount": "1", "asset": "USDT_TRC20", "confirmed": true},'
        ' "expect": {"version": %s}}'
    )
    (tmp_path / "good.json").write_text('{"name": "g", "steps": [%s]}' % (steps % (1, 2)))
    (tmp_path / "wrong.json").write_text('{"name": "w", "steps": [%s]}' % (steps % (1, 3)))
    (tmp_path / "text.json").write_text('{"name": "t", "steps": [%s]}' % (steps % ('"1"', 2)))
    proc = subprocess.run(
        [sys.executable, "-m", "paystate.conformance", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "1 passed, 2 failed", proc.stdout
    assert any("wrong.json: step 1 (observe_transfer): version" in line for line in lines)
    assert any("text.json: step 0 (create_invoice): version" in line for line in lines)
