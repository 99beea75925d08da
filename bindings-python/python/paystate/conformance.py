"""The Python conformance runner: ``python -m paystate.conformance PATH...``.

It reads scenario files (``conformance/FORMAT.md``, docs/spec.md §10) and drives this
package's public API through them, with the same step semantics as the Rust reference
runner. It prints one line per failing scenario (file, step index, what differed) and
ends with ``N passed, N failed``; the exit status is 0 only when nothing failed.

What a step may contain (ops, their fields, the members of a nested ``invoice`` or
``transfer``, the expect keys of each op family) is read from the format's grammar,
``conformance/grammar.json``, shipped inside this package as ``grammar.json`` so that the
runner works from an installed wheel (tests/test_conformance.py keeps the copy equal to
the repository's file).

Every error code a step meets comes from the core: malformed input reaches it through
``InvoiceSpec.from_dict`` and ``Command.from_dict``, and the other ops hand the step's
values to the API as they are. A value the Python API cannot take at all (a missing
argument, a number where it takes text) fails the scenario instead of being given a code
here. The one code the runner itself raises is the world's: an invoice, session or
delivery id that is unknown, or created twice (:func:`_world_error`).
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Optional

import paystate
from paystate import (
    Command,
    DeliveryPlan,
    Invoice,
    InvoiceSpec,
    JournalEntry,
    Matcher,
    PaystateError,
    ReplayGuard,
    Session,
    Signer,
    ValidationError,
    Verifier,
)
from paystate._vocabulary import ErrorCode

__all__ = ["GRAMMAR", "Failure", "Report", "collect", "main", "run_paths", "run_scenario"]


def _load_grammar() -> dict[str, Any]:
    text = resources.files("paystate").joinpath("grammar.json").read_text(encoding="utf-8")
    grammar: dict[str, Any] = json.loads(text)
    return grammar


GRAMMAR: dict[str, Any] = _load_grammar()
"""The scenario grammar (a copy of the repository's ``conformance/grammar.json``)."""

# The step members every op has (`op`, `at`, `expect`), and the expect keys every op takes
# (`error`); the rest is per op.
_STEP_MEMBERS = frozenset(GRAMMAR["step"]["required"]) | frozenset(GRAMMAR["step"]["optional"])
_EVERY_OP_EXPECT = frozenset(GRAMMAR["expect"]["every_op"])
_ERROR_EXCLUDES_OTHERS: bool = GRAMMAR["expect"]["error_excludes_others"]

# The invoice ops that are one invoice command: their fields (all but the `invoice` id)
# go to the core through Command.from_dict.
_COMMAND_OPS = frozenset(
    {
        "observe_transfer",
        "confirm_transfer",
        "drop_transfer",
        "cancel",
        "request_refund",
        "settle_refund",
        "mark",
        "claim_txid",
    }
)

# The scenario's error for a world id that is unknown or reused (conformance/FORMAT.md,
# "world error"): the grammar names its code.
_WORLD_ERROR: ErrorCode = GRAMMAR["world_error"]["code"]


@dataclass
class Failure(Exception):
    """Why a scenario failed: the step index and op (when a step failed) and a message."""

    message: str
    step: Optional[int] = None
    op: Optional[str] = None

    def __str__(self) -> str:
        """``step i (op): message``."""
        if self.step is not None and self.op is not None:
            return f"step {self.step} ({self.op}): {self.message}"
        if self.step is not None:
            return f"step {self.step}: {self.message}"
        return self.message


@dataclass
class Report:
    """The result of a run: passed count and ``(file, failure)`` per failed scenario."""

    passed: int = 0
    failed: list[tuple[Path, Failure]] = field(default_factory=list)

    def summary(self) -> str:
        """The closing line ``N passed, N failed``."""
        return f"{self.passed} passed, {len(self.failed)} failed"


# ---- the grammar --------------------------------------------------------------------------


def _check_members(
    where: str, spec: dict[str, Any], value: dict[str, Any], strict: bool, nested: bool = False
) -> None:
    """Checks ``value``'s members against a grammar object ``spec`` (an op or an object).

    An unknown member always fails a step's fields and, inside a ``nested`` object, only a
    step that must succeed: a step expecting an error may send one on purpose to see the
    core's error. Required members, ``one_of`` and ``only_with`` bind steps that must
    succeed (``strict``).
    """
    known = {**spec["required"], **spec["optional"]}
    for k in value:
        if k not in known and (strict or not nested):
            what = "member" if nested else "field"
            raise Failure(f"{what} {k!r} is not a {what} of {where}")
    if not strict:
        return
    for k in spec["required"]:
        if k not in value:
            raise Failure(f"{where}: required {k!r} is missing")
    for group in spec.get("one_of", []):
        if sum(k in value for k in group) != 1:
            raise Failure(f"{where}: give exactly one of {group}")
    for k, needs in spec.get("only_with", {}).items():
        if k in value and needs not in value:
            raise Failure(f"{where}: {k!r} is only allowed with {needs!r}")
    for k, kind in known.items():
        member = value.get(k)
        if isinstance(kind, str) and kind.startswith("object:") and isinstance(member, dict):
            _check_members(f"{where}.{k}", GRAMMAR["objects"][kind[7:]], member, strict, True)


def _is_count(v: Any) -> bool:
    # The range (negative, too large) is the API's to judge; the wire type is a number.
    return isinstance(v, int) and not isinstance(v, bool)


# The JSON shape of each grammar type the runner reads itself. A value of another shape
# cannot be handed to the Python API, so it fails the scenario. The texts inside (an
# amount's digits, a scheme's name) are the core's to judge.
_WIRE_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "id": lambda v: isinstance(v, str),
    "amount": lambda v: isinstance(v, str),
    "time": lambda v: isinstance(v, str),
    "enum": lambda v: isinstance(v, str),
    "seconds": _is_count,
    "milliseconds": _is_count,
    "integer": _is_count,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "strings": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "string_map": lambda v: isinstance(v, dict) and all(isinstance(i, str) for i in v.values()),
}


class _Step:
    """The fields of one step, read as the grammar types them."""

    def __init__(self, op: str, fields: dict[str, Any]) -> None:
        spec = GRAMMAR["ops"][op]
        self.op = op
        self.fields = fields
        self.kinds: dict[str, str] = {**spec["required"], **spec["optional"]}

    def get(self, name: str) -> Any:
        """The field's value, or ``None`` when the step omits it."""
        if name not in self.fields:
            return None
        value = self.fields[name]
        kind = self.kinds[name]
        base = kind.split(":")[0]
        if not _WIRE_TYPES[base](value):
            described = GRAMMAR["types"].get(kind) or GRAMMAR["types"][f"{base}:<name>"]
            raise Failure(f"field {name!r} must be {described}, found {value!r}")
        return value

    def need(self, name: str) -> Any:
        """The field's value; a step without it cannot call the Python API."""
        value = self.get(name)
        if value is None:
            raise Failure(f"field {name!r} is missing, and {self.op} needs it")
        return value

    def kwargs(self, **names: str) -> dict[str, Any]:
        """``{argument: value}`` for each optional field the step gives."""
        return {arg: self.get(f) for arg, f in names.items() if f in self.fields}


def _world_error(name: str, what: str, ident: str) -> ValidationError:
    return ValidationError(_WORLD_ERROR, name, f"{name}: {ident!r} {what}")


# ---- the world ----------------------------------------------------------------------------


@dataclass
class _Tracked:
    invoice: Invoice
    journal: list[JournalEntry]


@dataclass
class _Output:
    """What a step observed: the invoice it concerns and the values its expect keys name."""

    invoice: Optional[str] = None
    observed: dict[str, Any] = field(default_factory=dict)


class _Produced(dict[str, str]):
    """Produced headers (names lower-cased): expected ones must be among them."""


class _World:
    def __init__(self) -> None:
        self.invoices: dict[str, _Tracked] = {}
        self.matcher = Matcher()
        self.sessions: dict[str, Session] = {}
        self.guard = ReplayGuard()
        self.deliveries: dict[str, DeliveryPlan] = {}

    def state(self) -> Any:
        """Everything a failed step must leave unchanged, as comparable text."""
        return (
            {
                k: (t.invoice.to_json(), [e.to_dict() for e in t.journal])
                for k, t in self.invoices.items()
            },
            self.matcher.to_json(),
            {k: s.to_json() for k, s in self.sessions.items()},
            self.guard.to_json(),
            {k: d.to_json() for k, d in self.deliveries.items()},
        )

    def tracked(self, ident: str) -> _Tracked:
        t = self.invoices.get(ident)
        if t is None:
            raise _world_error("invoice", "is unknown", ident)
        return t

    def run_step(self, step: Any) -> None:
        if not isinstance(step, dict):
            raise Failure("a step must be a JSON object")
        op = step.get("op")
        if not isinstance(op, str):
            raise Failure("step has no op")
        spec = GRAMMAR["ops"].get(op)
        if spec is None:
            raise Failure(f"unknown op {op!r}")
        expect = step.get("expect")
        if expect is not None and not isinstance(expect, dict):
            raise Failure("expect must be an object")
        want_error = expect.get("error") if expect is not None else None
        fields = {k: v for k, v in step.items() if k not in _STEP_MEMBERS}
        _check_members(op, spec, fields, strict=want_error is None)
        at_text = step.get("at")
        if not isinstance(at_text, str):
            raise Failure('step has no "at" time')
        try:
            at = paystate.parse_time(at_text)
        except PaystateError as e:
            raise Failure(str(e)) from None
        if expect is not None:
            allowed = _EVERY_OP_EXPECT | frozenset(GRAMMAR["expect"]["families"][spec["expect"]])
            for k in expect:
                if k not in allowed:
                    raise Failure(f"unknown expect key {k!r} for {op}")
            if _ERROR_EXCLUDES_OTHERS and want_error is not None and len(expect) > 1:
                raise Failure("expect has error and state keys at once")
        before = self.state()
        try:
            out = self.execute(_Step(op, fields), at)
        except PaystateError as err:
            if want_error is None:
                raise Failure(f"unexpected error {err.code}: {err}") from None
            if want_error != err.code:
                raise Failure(f"expected error {want_error}, got {err.code} ({err})") from None
            if self.state() != before:
                raise Failure(f"error {err.code} changed the state") from None
            return
        if want_error is not None:
            raise Failure(f"expected error {want_error}, but the step succeeded")
        if expect is not None:
            self.check(expect, out)

    def execute(self, s: _Step, at: datetime) -> _Output:
        if s.op == "create_invoice":
            spec = InvoiceSpec.from_dict(s.need("invoice"))
            if spec.id in self.invoices:
                raise _world_error("invoice.id", "already exists", spec.id)
            invoice, events = Invoice.create(spec, at)
            self.invoices[spec.id] = _Tracked(invoice, [JournalEntry(at, Command.create(spec))])
            return _events(spec.id, events)
        if s.op in _COMMAND_OPS:
            ident = s.need("invoice")
            command = Command.from_dict(
                {"op": s.op, **{k: v for k, v in s.fields.items() if k != "invoice"}}
            )
            tracked = self.tracked(ident)
            events = tracked.invoice.apply(command, at)
            tracked.journal.append(JournalEntry(at, command))
            return _events(ident, events)
        if s.op == "tick":
            return self.tick(s.get("invoice"), at)
        if s.op == "replay":
            ident = s.need("invoice")
            tracked = self.tracked(ident)
            rebuilt = Invoice.replay(tracked.journal)
            if rebuilt != tracked.invoice:
                raise Failure("replaying the journal did not rebuild the identical state")
            tracked.invoice = rebuilt
            return _Output(invoice=ident, observed={"events": []})
        if s.op in ("allocate_amount", "register_amount", "match_transfer", "release"):
            return self.matching(s)
        if s.op in ("open_session", "use_session"):
            return self.session(s, at)
        if s.op in ("verify_signature", "sign"):
            return self.signature(s, at)
        if s.op in ("plan_delivery", "report_attempt"):
            return self.delivery(s, at)
        raise Failure(f"op {s.op!r} is in the grammar but this runner cannot run it")

    def tick(self, named: Optional[str], at: datetime) -> _Output:
        if named is not None:
            self.tracked(named)
        out = _Output(invoice=named, observed={"events": []})
        for ident, tracked in self.invoices.items():
            events = tracked.invoice.tick(at)
            tracked.journal.append(JournalEntry(at, Command.tick()))
            if ident == named:
                out = _events(ident, events)
        for plan in self.deliveries.values():
            plan.tick(at)
        for session in self.sessions.values():
            session.tick(at)
        return out

    def matching(self, s: _Step) -> _Output:
        if s.op == "release":
            self.matcher.release(s.need("invoice"))
            return _Output()
        if s.op == "match_transfer":
            found = self.matcher.match_amount(s.need("account"), s.need("amount"))
            return _Output(observed={"match": found.to_json()})
        ident = s.need("invoice")
        self.tracked(ident)
        allowance = s.kwargs(allowance="allowance")
        if s.op == "register_amount":
            self.matcher.register(s.need("account"), ident, s.need("payable"), **allowance)
            return _Output()
        payable = self.matcher.allocate(
            s.need("account"), ident, s.need("due"), s.need("step"), **allowance
        )
        return _Output(observed={"payable": payable})

    def session(self, s: _Step, at: datetime) -> _Output:
        sid = s.need("session")
        if s.op == "open_session":
            if sid in self.sessions:
                raise _world_error("session", "already exists", sid)
            invoice = self.tracked(s.need("invoice")).invoice
            session = Session.open(sid, invoice, s.need("ttl"), now=at)
            self.sessions[sid] = session
            return _Output(observed={"expires_at": session.expires_at})
        found = self.sessions.get(sid)
        if found is None:
            raise _world_error("session", "is unknown", sid)
        found.use(self.tracked(found.invoice_id).invoice, now=at)
        return _Output()

    def signature(self, s: _Step, at: datetime) -> _Output:
        scheme = s.need("scheme")
        headers = list((s.get("headers") or {}).items())
        if s.op == "verify_signature":
            verifier = Verifier(
                scheme, s.need("secrets"), **s.kwargs(tolerance="tolerance_seconds")
            )
            verified = verifier.verify(headers, _body(s), at)
            if s.get("replay_guard"):
                self.guard.record(verified, now=at)
            return _Output(observed={"valid": True})
        # The scheme's signing inputs travel as the headers that carry them (core reads them).
        signed = Signer(scheme, [s.need("secret")]).sign_from_headers(
            s.need("body").encode(), headers, now=at
        )
        produced = _Produced({k.lower(): v for k, v in signed.headers.items()})
        return _Output(observed={"headers": produced, "signature": signed.signature})

    def delivery(self, s: _Step, at: datetime) -> _Output:
        ident = s.need("delivery")
        if s.op == "plan_delivery":
            if ident in self.deliveries:
                raise _world_error("delivery", "already exists", ident)
            plan = DeliveryPlan(ident, s.need("policy"), now=at)
            self.deliveries[ident] = plan
            return _Output(observed={"next": _next(plan.next)})
        # The core judges the report, both or neither included (docs/spec.md §7).
        outcome = paystate.report_outcome(s.get("http_status"), s.get("error"))
        found = self.deliveries.get(ident)
        if found is None:
            raise _world_error("delivery", "is unknown", ident)
        nxt = found.report(outcome, now=at, **s.kwargs(duration="duration_ms"))
        return _Output(observed={"next": _next(nxt)})

    # ---- expectations ------------------------------------------------------------------

    def check(self, expect: dict[str, Any], out: _Output) -> None:
        """Compares every expect key with what the step observed.

        A key the step itself did not observe is read from the invoice it concerns: its
        snapshot's field of that name, else the invoice's own (``deadline``, ``version``).
        """
        tracked = self.invoices.get(out.invoice) if out.invoice is not None else None
        snapshot = tracked.invoice.snapshot() if tracked is not None else None
        for key, want in expect.items():
            if key in out.observed:
                got = out.observed[key]
            elif tracked is not None and hasattr(snapshot, key):
                got = getattr(snapshot, key)
            elif tracked is not None and hasattr(tracked.invoice, key):
                got = getattr(tracked.invoice, key)
            else:
                raise Failure(f"expect.{key} needs an invoice on the step")
            got = _plain(got)
            if not _same(want, got):
                raise Failure(f"{key}: expected {_show(want)}, got {_show(got)}")


def _events(ident: str, events: list[paystate.Event]) -> _Output:
    return _Output(invoice=ident, observed={"events": [str(e.type) for e in events]})


def _body(s: _Step) -> bytes:
    text, b64 = s.get("body"), s.get("body_base64")
    if (text is None) == (b64 is None):
        raise Failure("give exactly one of body and body_base64")
    if text is not None:
        return bytes(text, "utf-8")
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise Failure("body_base64 is not base64") from None


def _next(nxt: paystate.NextAttempt) -> Any:
    """``{"retry_at": instant}``, ``"delivered"`` or ``"gave_up"``."""
    return nxt.kind if nxt.retry_at is None else {nxt.kind: nxt.retry_at}


def _plain(v: Any) -> Any:
    """The value with the API's enums as their contract strings."""
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (set, frozenset)):
        return frozenset(_plain(x) for x in v)
    return v


def _parsed(parse: Callable[[str], Any], text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return parse(text)
    except PaystateError:
        return None


def _same(want: Any, got: Any) -> bool:
    """Whether the scenario's JSON value ``want`` describes the observed ``got``.

    The observed value's type says how: amounts compare as decimals, times as instants,
    a set (``exceptions``) ignores order, produced headers need only contain the expected
    ones (names in any case); everything else compares exactly, JSON type included.
    """
    if isinstance(got, Decimal):
        return bool(_parsed(paystate.parse_amount, want) == got)
    if isinstance(got, datetime):
        return bool(_parsed(paystate.parse_time, want) == got)
    if isinstance(got, frozenset):
        return (
            isinstance(want, list)
            and all(isinstance(w, str) for w in want)
            and frozenset(want) == got
        )
    if isinstance(got, _Produced):
        return isinstance(want, dict) and all(got.get(k.lower()) == v for k, v in want.items())
    if isinstance(got, dict):
        return (
            isinstance(want, dict)
            and want.keys() == got.keys()
            and all(_same(want[k], got[k]) for k in got)
        )
    if isinstance(got, list):
        return (
            isinstance(want, list)
            and len(want) == len(got)
            and all(_same(w, g) for w, g in zip(want, got))
        )
    return type(want) is type(got) and bool(want == got)


def _show(v: Any) -> str:
    if isinstance(v, datetime):
        return paystate.format_time(v)
    if isinstance(v, frozenset):
        return str(sorted(v))
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_show(x)}" for k, x in v.items()) + "}"
    return str(v)


# ---- running files ------------------------------------------------------------------------


def run_scenario(doc: Any) -> None:
    """Runs one scenario document; raises :class:`Failure` when it fails."""
    steps = doc.get("steps") if isinstance(doc, dict) else None
    if not isinstance(steps, list):
        raise Failure("scenario has no steps array")
    if not isinstance(doc.get("name"), str):
        raise Failure("scenario has no name")
    world = _World()
    for i, step in enumerate(steps):
        try:
            world.run_step(step)
        except Failure as f:
            f.step = i
            f.op = (
                step.get("op")
                if isinstance(step, dict) and isinstance(step.get("op"), str)
                else None
            )
            raise
        except PaystateError as e:
            raise Failure(f"unexpected error {e.code}: {e}", i, None) from None
        except TypeError as e:
            raise Failure(f"wrong type in the scenario: {e}", i, None) from None


def collect(paths: list[Path]) -> list[Path]:
    """Every ``*.json`` file below each path (a file is taken as is), sorted, deduplicated."""
    out: set[Path] = set()
    for p in paths:
        if p.is_dir():
            out.update(q for q in p.rglob("*.json") if q.is_file())
        else:
            out.add(p)
    return sorted(out)


def run_paths(paths: list[Path]) -> Report:
    """Runs every scenario file below ``paths``."""
    report = Report()
    for file in collect(paths):
        try:
            raw = file.read_bytes()
        except OSError as e:
            report.failed.append((file, Failure(f"cannot read: {e}")))
            continue
        try:
            doc = json.loads(raw, parse_float=Decimal)
        except ValueError as e:
            report.failed.append((file, Failure(f"not JSON: {e}")))
            continue
        try:
            run_scenario(doc)
        except Failure as f:
            report.failed.append((file, f))
            continue
        report.passed += 1
    return report


def main(argv: Optional[list[str]] = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m paystate.conformance PATH...", file=sys.stderr)
        return 2
    report = run_paths([Path(a) for a in args])
    for file, failure in report.failed:
        print(f"FAIL {file}: {failure}")
    print(report.summary())
    return 0 if not report.failed else 1


if __name__ == "__main__":
    sys.exit(main())
