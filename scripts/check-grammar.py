#!/usr/bin/env python3
"""Validates scenario files against conformance/grammar.json.

Every scenario in tests/scenarios (and the directories given as arguments, or the
shared examples when they exist) must use only the ops, step fields, nested object
members and expect keys the grammar lists (conformance/FORMAT.md, docs/spec.md §10).
The grammar's enums must also equal the core's vocabulary in conformance/contract.json.

    python3 scripts/check-grammar.py [DIR_OR_FILE ...]

Exit 0 when everything conforms, 1 otherwise (one line per problem).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED_EXAMPLES = ROOT.parent / "shared" / "conformance" / "examples"


def load(path: Path) -> Any:
    """Parses one JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def is_amount(v: Any) -> bool:
    """The amount grammar of docs/spec.md §2 (length limits are the core's business)."""
    if not isinstance(v, str) or not v:
        return False
    whole, dot, frac = v.partition(".")
    return whole.isascii() and whole.isdigit() and (not dot or (frac.isascii() and frac.isdigit()))


def is_count(v: Any) -> bool:
    """A non-negative JSON integer (bool is not one)."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


class Checker:
    """Collects every problem of every file."""

    def __init__(self, grammar: dict, contract: dict) -> None:
        """Keeps the grammar and the contract."""
        self.g = grammar
        self.contract = contract
        self.problems: list[str] = []

    def problem(self, where: str, text: str) -> None:
        """Records one problem."""
        self.problems.append(f"{where}: {text}")

    def type_ok(self, kind: str, v: Any) -> bool:
        """Whether `v` has the grammar type `kind`."""
        if kind.startswith("enum:"):
            return v in self.g["enums"][kind[5:]]
        if kind.startswith("object:"):
            return isinstance(v, dict)
        simple = {
            "string": lambda x: isinstance(x, str),
            "id": lambda x: isinstance(x, str),
            "amount": is_amount,
            "time": lambda x: isinstance(x, str),
            "seconds": is_count,
            "milliseconds": is_count,
            "integer": is_count,
            "boolean": lambda x: isinstance(x, bool),
            "object": lambda x: isinstance(x, dict),
            "strings": lambda x: isinstance(x, list) and all(isinstance(i, str) for i in x),
            "string_map": lambda x: (
                isinstance(x, dict) and all(isinstance(i, str) for i in x.values())
            ),
            "tolerance": lambda x: (
                x == "exact"
                or (
                    isinstance(x, dict)
                    and len(x) == 1
                    and any(k in x for k in ("absolute", "percent"))
                    and all(is_amount(i) for i in x.values())
                )
            ),
            "late_payment": lambda x: (
                x == "reject"
                or (
                    isinstance(x, dict)
                    and list(x) == ["accept_within"]
                    and is_count(x["accept_within"])
                )
            ),
        }
        if kind not in simple:
            raise SystemExit(f"grammar.json uses an undefined type {kind!r}")
        return simple[kind](v)

    def members(
        self, where: str, spec: dict, value: dict, strict: bool, unknown_fails: bool
    ) -> None:
        """Checks an object's members against `spec` (required, optional, one_of, only_with).

        `strict` (the step must succeed) binds required members, one_of groups and types;
        `unknown_fails` makes an unlisted member a problem even when the step expects an
        error (step fields always; nested members only for steps that must succeed, since
        a scenario may send one on purpose to see `invalid_field`).
        """
        known = {**spec["required"], **spec["optional"]}
        for k in value:
            if k not in known and (unknown_fails or strict):
                self.problem(where, f"unknown member {k!r}")
        if not strict:
            return
        for k in spec["required"]:
            if k not in value:
                self.problem(where, f"missing required member {k!r}")
        for group in spec.get("one_of", []):
            if sum(k in value for k in group) != 1:
                self.problem(where, f"exactly one of {group} must be given")
        for k, needs in spec.get("only_with", {}).items():
            if k in value and needs not in value:
                self.problem(where, f"{k!r} is only allowed with {needs!r}")
        for k, v in value.items():
            kind = known.get(k)
            if kind is None:
                continue
            if not self.type_ok(kind, v):
                self.problem(where, f"member {k!r} is not of type {kind}")
            elif kind.startswith("object:"):
                name = kind[7:]
                self.members(f"{where}.{k}", self.g["objects"][name], v, strict, False)

    def step(self, where: str, step: Any) -> None:
        """Checks one step."""
        if not isinstance(step, dict):
            self.problem(where, "a step must be an object")
            return
        op = step.get("op")
        spec = self.g["ops"].get(op)
        if spec is None:
            self.problem(where, f"unknown op {op!r}")
            return
        where = f"{where} ({op})"
        expect = step.get("expect")
        if expect is not None and not isinstance(expect, dict):
            self.problem(where, "expect must be an object")
            return
        expects_error = isinstance(expect, dict) and "error" in expect
        common = self.g["step"]
        if not isinstance(step.get("at"), str):
            self.problem(where, "every step needs an RFC 3339 `at`")
        fields = {
            k: v for k, v in step.items() if k not in {*common["required"], *common["optional"]}
        }
        self.members(where, spec, fields, strict=not expects_error, unknown_fails=True)
        if isinstance(expect, dict):
            allowed = set(self.g["expect"]["every_op"]) | set(
                self.g["expect"]["families"][spec["expect"]]
            )
            for k in expect:
                if k not in allowed:
                    self.problem(where, f"unknown expect key {k!r}")
            if expects_error:
                if len(expect) > 1:
                    self.problem(where, "expect has error and state keys at once")
                if expect["error"] not in self.contract["error_codes"]:
                    self.problem(where, f"expect.error {expect['error']!r} is not an error code")

    def scenario(self, path: Path) -> None:
        """Checks one scenario file."""
        where = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        try:
            doc = load(path)
        except (OSError, ValueError) as e:
            self.problem(where, f"not JSON: {e}")
            return
        if not isinstance(doc, dict):
            self.problem(where, "a scenario must be an object")
            return
        spec = self.g["scenario"]
        for k in doc:
            if k not in spec["required"] and k not in spec["optional"]:
                self.problem(where, f"unknown scenario member {k!r}")
        if not isinstance(doc.get("name"), str):
            self.problem(where, "scenario has no name")
        steps = doc.get("steps")
        if not isinstance(steps, list) or not steps:
            self.problem(where, "scenario has no steps")
            return
        for i, step in enumerate(steps):
            self.step(f"{where} step {i}", step)

    def grammar_matches_contract(self) -> None:
        """The grammar's enums and expect keys agree with the core's vocabulary."""
        c = self.contract
        e = self.g["enums"]
        pairs = [
            ("scheme", [s["name"] for s in c["schemes"]]),
            ("delivery_policy", [p["name"] for p in c["delivery_policies"]]),
            ("refund_outcome", c["refund_outcomes"]),
        ]
        for name, core in pairs:
            if e[name] != core:
                self.problem("conformance/grammar.json", f"enums.{name} {e[name]} != core {core}")
        if not set(e["mark_status"]) <= set(c["statuses"]):
            self.problem("conformance/grammar.json", "enums.mark_status names an unknown status")
        for op, spec in self.g["ops"].items():
            if spec["expect"] not in self.g["expect"]["families"]:
                self.problem("conformance/grammar.json", f"{op}: unknown expect family")


def scenario_files(args: list[str]) -> list[Path]:
    """Every *.json below the given paths (default: tests/scenarios and the shared examples)."""
    roots = [Path(a) for a in args] or [ROOT / "tests" / "scenarios"]
    if not args and SHARED_EXAMPLES.is_dir():
        roots.append(SHARED_EXAMPLES)
    files: list[Path] = []
    for r in roots:
        files.extend(sorted(r.rglob("*.json")) if r.is_dir() else [r])
    return files


def main() -> int:
    """Checks the grammar against the contract, then every scenario file."""
    checker = Checker(
        load(ROOT / "conformance" / "grammar.json"), load(ROOT / "conformance" / "contract.json")
    )
    checker.grammar_matches_contract()
    files = scenario_files(sys.argv[1:])
    for f in files:
        checker.scenario(f.resolve())
    for p in checker.problems:
        print(p)
    print(f"grammar: {len(files)} scenario files, {len(checker.problems)} problems")
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main())
