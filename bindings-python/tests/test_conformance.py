"""The Python conformance runner over every scenario directory."""

from __future__ import annotations

import json
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


def test_packaged_grammar_is_the_repository_grammar() -> None:
    # The runner reads the grammar shipped inside the package (it must work from an
    # installed wheel); this copy must stay byte-for-byte the repository's file.
    from importlib import resources

    packaged = resources.files("paystate").joinpath("grammar.json").read_bytes()
    repo = (REPO / "conformance" / "grammar.json").read_bytes()
    assert packaged == repo, (
        "bindings-python/python/paystate/grammar.json differs from conformance/grammar.json:"
        " regenerate with python3 scripts/gen-vocabulary.py"
    )


def test_every_grammar_op_is_run_by_the_repository_scenarios() -> None:
    from paystate.conformance import GRAMMAR

    ops: set[str] = set()
    for file in (REPO / "tests" / "scenarios").rglob("*.json"):
        ops.update(step["op"] for step in json.loads(file.read_text())["steps"])
    assert ops == set(GRAMMAR["ops"])


CREATE = (
    '{"op": "create_invoice", "at": "2026-01-01T00:00:00Z",'
    ' "invoice": {"id": "i", "due": "1", "asset": "USDT_TRC20", "expires_in": 60}%s}'
)


def run_steps(tmp_path: Path, scenarios: dict[str, str]) -> tuple[list[str], str]:
    """Writes one scenario per name (its steps' JSON) and runs them all."""
    for name, steps in scenarios.items():
        (tmp_path / f"{name}.json").write_text(f'{{"name": "{name}", "steps": [{steps}]}}')
    proc = subprocess.run(
        [sys.executable, "-m", "paystate.conformance", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    return lines[:-1], lines[-1]


def failure_of(lines: list[str], name: str) -> str:
    found = [line for line in lines if f"/{name}.json:" in line]
    assert len(found) == 1, lines
    return found[0].split(".json: ", 1)[1]


def test_runner_rejects_unknown_op_field_and_expect_key(tmp_path: Path) -> None:
    observe = (
        ', {"op": "observe_transfer", "at": "2026-01-01T00:00:01Z", "invoice": "i",'
        ' "transfer": {"tx_id": "t", "amount": "1", "asset": "USDT_TRC20",'
        ' "confirmed": true%s}%s}'
    )
    lines, last = run_steps(
        tmp_path,
        {
            "op": '{"op": "observe", "at": "2026-01-01T00:00:00Z"}',
            "field": CREATE % ', "reference": "R"',
            # A step field is never unknown, even in a step that expects an error.
            "field_in_error_step": CREATE
            % ', "color": "red", "expect": {"error": "invalid_field"}',
            # A key of another op family.
            "expect_key": CREATE % ', "expect": {"payable": "1"}',
            "error_and_state": CREATE % ', "expect": {"error": "invalid_field", "status": "paid"}',
            # A nested member outside the grammar fails a step that must succeed ...
            "nested": CREATE % "" + observe % (', "color": "red"', ""),
            # ... and in a step that expects an error, the core answers it.
            "nested_to_core": CREATE % ""
            + observe % (', "color": "red"', ', "expect": {"error": "invalid_field"}'),
        },
    )
    assert last == "1 passed, 6 failed", lines
    assert failure_of(lines, "op") == "step 0 (observe): unknown op 'observe'"
    assert "field 'reference' is not a field of create_invoice" in failure_of(lines, "field")
    assert "field 'color' is not a field of" in failure_of(lines, "field_in_error_step")
    assert "unknown expect key 'payable'" in failure_of(lines, "expect_key")
    assert "error and state keys" in failure_of(lines, "error_and_state")
    assert "member 'color' is not a member of observe_transfer.transfer" in failure_of(
        lines, "nested"
    )


def test_runner_gives_no_error_code_of_its_own_to_malformed_values(tmp_path: Path) -> None:
    # An amount as a JSON number: through Command.from_dict the core answers
    # invalid_amount; matcher.allocate takes no JSON, so the runner cannot call it with
    # that value and fails the scenario instead of inventing the core's code.
    lines, last = run_steps(
        tmp_path,
        {
            "from_dict": CREATE
            % ""
            + ', {"op": "observe_transfer", "at": "2026-01-01T00:00:01Z", "invoice": "i",'
            ' "transfer": {"tx_id": "t", "amount": 1, "asset": "USDT_TRC20", "confirmed": true},'
            ' "expect": {"error": "invalid_amount"}}',
            "api": CREATE
            % ""
            + ', {"op": "allocate_amount", "at": "2026-01-01T00:00:01Z", "account": "a",'
            ' "invoice": "i", "due": 1, "step": "0.01", "expect": {"error": "invalid_amount"}}',
            "missing": CREATE
            % ""
            + ', {"op": "match_transfer", "at": "2026-01-01T00:00:01Z", "account": "a",'
            ' "expect": {"error": "missing_field"}}',
        },
    )
    assert last == "1 passed, 2 failed", lines
    assert "field 'due' must be a JSON string holding a decimal amount" in failure_of(lines, "api")
    assert "field 'amount' is missing" in failure_of(lines, "missing")


def test_expect_values_compare_by_kind(tmp_path: Path) -> None:
    # Amounts as decimals, times as instants, exceptions as a set; anything else exactly.
    pay = (
        ', {"op": "observe_transfer", "at": "2026-01-01T00:00:01Z", "invoice": "i",'
        ' "transfer": {"tx_id": "t", "amount": "1.5", "asset": "USDT_TRC20", "confirmed": true},'
        ' "expect": %s}'
    )
    lines, last = run_steps(
        tmp_path,
        {
            "equal": CREATE % ""
            + pay
            % (
                '{"status": "paid", "amount_paid": "1.500000", "exceptions": ["overpaid"],'
                ' "deadline": "2026-01-01T01:01:00+01:00", "events":'
                ' ["invoice.payment_received", "invoice.paid"], "version": 2}'
            ),
            "amount": CREATE % "" + pay % '{"amount_paid": "1.4"}',
            "amount_number": CREATE % "" + pay % '{"amount_paid": 1.5}',
            "time": CREATE % "" + pay % '{"deadline": "2026-01-01T00:01:01Z"}',
            "exceptions": CREATE % "" + pay % '{"exceptions": ["overpaid", "underpaid"]}',
            "events_order": CREATE % ""
            + pay % '{"events": ["invoice.paid", "invoice.payment_received"]}',
        },
    )
    assert last == "1 passed, 5 failed", lines
    assert "amount_paid: expected 1.4, got 1.5" in failure_of(lines, "amount")
    assert "amount_paid" in failure_of(lines, "amount_number")
    assert "deadline" in failure_of(lines, "time")
    assert "exceptions" in failure_of(lines, "exceptions")
    assert "events" in failure_of(lines, "events_order")


def test_runner_knows_the_json_shape_of_every_step_field_type() -> None:
    # The runner checks the JSON shape of the fields it hands to the API itself; a type
    # added to an op in the grammar must be known to it (nested members go to from_dict).
    from paystate.conformance import _WIRE_TYPES, GRAMMAR

    kinds = {
        kind.split(":")[0]
        for spec in GRAMMAR["ops"].values()
        for kind in (*spec["required"].values(), *spec["optional"].values())
    }
    assert kinds <= set(_WIRE_TYPES), kinds - set(_WIRE_TYPES)
