"""The Python conformance runner: ``python -m paystate.conformance PATH...``.

It reads scenario files (``shared/conformance/FORMAT.md``) and drives this package's
public API through them, with the same step semantics as the Rust reference runner.
It prints one line per failing scenario (file, step index, what differed) and ends with
``N passed, N failed``; the exit status is 0 only when nothing failed.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional, Union

import paystate
from paystate import (
    Command,
    DeliveryPlan,
    Invoice,
    InvoiceSpec,
    JournalEntry,
    Match,
    Matcher,
    PaystateError,
    ReplayGuard,
    Session,
    Signer,
    ValidationError,
    Verifier,
)

__all__ = ["Failure", "Report", "collect", "main", "run_paths", "run_scenario"]

_FIELDS: dict[str, tuple[str, ...]] = {
    "create_invoice": ("invoice",),
    "observe_transfer": ("invoice", "transfer"),
    "confirm_transfer": ("invoice", "tx_id"),
    "drop_transfer": ("invoice", "tx_id"),
    "tick": ("invoice",),
    "cancel": ("invoice",),
    "request_refund": ("invoice", "refund_id", "amount"),
    "settle_refund": ("invoice", "refund_id", "outcome"),
    "mark": ("invoice", "status"),
    "claim_txid": ("invoice", "tx_id"),
    "replay": ("invoice",),
    "allocate_amount": ("account", "invoice", "due", "step", "allowance"),
    "match_transfer": ("account", "amount"),
    "register_amount": ("account", "invoice", "payable", "allowance"),
    "release": ("invoice",),
    "open_session": ("session", "invoice", "ttl"),
    "use_session": ("session",),
    "verify_signature": (
        "scheme",
        "secrets",
        "headers",
        "body",
        "body_base64",
        "tolerance_seconds",
        "replay_guard",
    ),
    "sign": ("scheme", "secret", "body", "headers"),
    "plan_delivery": ("delivery", "policy"),
    "report_attempt": ("delivery", "http_status", "error", "duration_ms"),
}

_INVOICE_KEYS = (
    "status",
    "exceptions",
    "amount_paid",
    "amount_pending",
    "amount_held",
    "surplus",
    "amount_refunded",
    "refundable",
    "deadline",
    "events",
    "version",
)

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


_SCHEMES = frozenset(s.value for s in paystate.Scheme)


def _expect_keys(op: str) -> tuple[str, ...]:
    if op == "allocate_amount":
        return ("payable",)
    if op == "match_transfer":
        return ("match",)
    if op in ("register_amount", "release", "use_session"):
        return ()
    if op == "open_session":
        return ("expires_at",)
    if op == "verify_signature":
        return ("valid",)
    if op == "sign":
        return ("headers", "signature")
    if op in ("plan_delivery", "report_attempt"):
        return ("next",)
    return _INVOICE_KEYS


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


# ---- reading step fields (the Rust runner's `Obj` reader) -----------------------------


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, Decimal)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"


def _invalid(name: str, reason: str) -> ValidationError:
    return ValidationError("invalid_field", name, f"{name}: {reason}")


def _missing(name: str) -> ValidationError:
    return ValidationError("missing_field", name, f"{name}: required field is missing")


class _Fields:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, name: str) -> Any:
        return self.data.get(name)

    def opt_str(self, name: str) -> Optional[str]:
        v = self.data.get(name)
        if v is None and name not in self.data:
            return None
        if not isinstance(v, str):
            raise _invalid(name, f"expected a string, found {_kind(v)}")
        return v

    def text(self, name: str) -> str:
        v = self.opt_str(name)
        if v is None:
            raise _missing(name)
        return v

    def opt_bool(self, name: str) -> Optional[bool]:
        if name not in self.data:
            return None
        v = self.data[name]
        if not isinstance(v, bool):
            raise _invalid(name, f"expected true or false, found {_kind(v)}")
        return v

    def opt_u64(self, name: str) -> Optional[int]:
        if name not in self.data:
            return None
        v = self.data[name]
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            raise _invalid(name, f"expected a whole number, found {_kind(v)}")
        if isinstance(v, Decimal) or v < 0:
            raise _invalid(name, f"expected a non-negative whole number, found {v}")
        if v > 2**64 - 1:
            raise _invalid(name, f"{v} is out of range")
        return v

    def u64(self, name: str) -> int:
        v = self.opt_u64(name)
        if v is None:
            raise _missing(name)
        return v

    def opt_amount(self, name: str) -> Optional[str]:
        if name not in self.data:
            return None
        v = self.data[name]
        if not isinstance(v, str):
            raise ValidationError(
                "invalid_amount", name, f'{name}: amounts are decimal strings such as "10.50"'
            )
        paystate.parse_amount(v)
        return v

    def amount(self, name: str) -> str:
        v = self.opt_amount(name)
        if v is None:
            raise _missing(name)
        return v

    def opt_obj(self, name: str) -> Optional[dict[str, Any]]:
        if name not in self.data:
            return None
        v = self.data[name]
        if not isinstance(v, dict):
            raise _invalid(name, f"expected an object, found {_kind(v)}")
        return v

    def obj(self, name: str) -> dict[str, Any]:
        v = self.opt_obj(name)
        if v is None:
            raise _missing(name)
        return v


def _unknown_or_reused(name: str, what: str, ident: str) -> ValidationError:
    return _invalid(name, f"{ident!r} {what}")


def _pairs(headers: Optional[dict[str, Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, v in (headers or {}).items():
        if not isinstance(v, str):
            raise _invalid(f"headers.{k}", "header values are strings")
        out.append((k, v))
    return out


def _find(pairs: list[tuple[str, str]], names: tuple[str, ...]) -> Optional[str]:
    for n in names:
        for k, v in pairs:
            if k.lower() == n.lower():
                return v
    return None


# ---- the world --------------------------------------------------------------------------


@dataclass
class _Tracked:
    invoice: Invoice
    journal: list[JournalEntry]


@dataclass
class _Output:
    invoice: Optional[str] = None
    events: list[str] = field(default_factory=list)
    payable: Optional[Decimal] = None
    matched: Optional[Match] = None
    expires_at: Optional[Any] = None
    valid: Optional[bool] = None
    headers: Optional[dict[str, str]] = None
    signature: Optional[str] = None
    next: Any = None
    has_next: bool = False


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
            raise _unknown_or_reused("invoice", "is unknown", ident)
        return t

    def run_step(self, step: Any) -> None:
        if not isinstance(step, dict):
            raise Failure("a step must be a JSON object")
        op = step.get("op")
        if not isinstance(op, str):
            raise Failure("step has no op")
        fields = _FIELDS.get(op)
        if fields is None:
            raise Failure(f"unknown op {op!r}")
        for k in step:
            if k not in ("op", "at", "expect") and k not in fields:
                raise Failure(f"field {k!r} is not a field of {op}")
        at_text = step.get("at")
        if not isinstance(at_text, str):
            raise Failure('step has no "at" time')
        try:
            at = paystate.parse_time(at_text)
        except PaystateError as e:
            raise Failure(str(e)) from None
        expect = step.get("expect")
        if expect is not None and not isinstance(expect, dict):
            raise Failure("expect must be an object")
        if expect is not None:
            allowed = _expect_keys(op)
            for k in expect:
                if k != "error" and k not in allowed:
                    raise Failure(f"unknown expect key {k!r} for {op}")
            if "error" in expect and len(expect) > 1:
                raise Failure("expect has error and state keys at once")
        before = self.state()
        want_error = expect.get("error") if expect is not None else None
        try:
            out = self.execute(op, _Fields(step), at)
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

    def execute(self, op: str, f: _Fields, at: Any) -> _Output:
        if op == "create_invoice":
            spec = InvoiceSpec.from_dict(f.obj("invoice"))
            if spec.id in self.invoices:
                raise _unknown_or_reused("invoice.id", "already exists", spec.id)
            invoice, events = Invoice.create(spec, at)
            self.invoices[spec.id] = _Tracked(invoice, [JournalEntry(at, Command.create(spec))])
            return _Output(invoice=spec.id, events=[str(e.type) for e in events])
        if op in _COMMAND_OPS:
            ident = f.text("invoice")
            data = {k: v for k, v in f.data.items() if k not in ("invoice", "at", "expect")}
            data["op"] = op
            command = Command.from_dict(data)
            tracked = self.tracked(ident)
            events = tracked.invoice.apply(command, at)
            tracked.journal.append(JournalEntry(at, command))
            return _Output(invoice=ident, events=[str(e.type) for e in events])
        if op == "tick":
            named = f.opt_str("invoice")
            if named is not None:
                self.tracked(named)
            out = _Output(invoice=named)
            for ident, tracked in self.invoices.items():
                events = tracked.invoice.tick(at)
                tracked.journal.append(JournalEntry(at, Command.tick()))
                if ident == named:
                    out.events = [str(e.type) for e in events]
            for plan in self.deliveries.values():
                plan.tick(at)
            return out
        if op == "replay":
            ident = f.text("invoice")
            tracked = self.tracked(ident)
            rebuilt = Invoice.replay(tracked.journal)
            if rebuilt != tracked.invoice:
                raise paystate.IntegrityError(
                    "integrity_conflict",
                    "journal",
                    "replaying the journal did not rebuild the identical state",
                )
            tracked.invoice = rebuilt
            return _Output(invoice=ident)
        if op == "allocate_amount":
            ident = f.text("invoice")
            self.tracked(ident)
            account = f.text("account")
            due, step = f.amount("due"), f.amount("step")
            allowance = f.opt_amount("allowance") or "0"
            payable = self.matcher.allocate(account, ident, due, step, allowance)
            return _Output(payable=payable)
        if op == "register_amount":
            ident = f.text("invoice")
            self.tracked(ident)
            account = f.text("account")
            payable_text = f.amount("payable")
            allowance = f.opt_amount("allowance") or "0"
            self.matcher.register(account, ident, payable_text, allowance)
            return _Output()
        if op == "match_transfer":
            account = f.text("account")
            return _Output(matched=self.matcher.match_amount(account, f.amount("amount")))
        if op == "release":
            self.matcher.release(f.text("invoice"))
            return _Output()
        if op == "open_session":
            sid = f.text("session")
            if sid in self.sessions:
                raise _unknown_or_reused("session", "already exists", sid)
            invoice = self.tracked(f.text("invoice")).invoice
            ttl = f.u64("ttl")
            session = Session.open(sid, invoice, ttl, now=at)
            self.sessions[sid] = session
            return _Output(expires_at=session.expires_at)
        if op == "use_session":
            sid = f.text("session")
            found = self.sessions.get(sid)
            if found is None:
                raise _unknown_or_reused("session", "is unknown", sid)
            invoice = self.tracked(found.invoice_id).invoice
            found.use(invoice, now=at)
            return _Output()
        if op in ("verify_signature", "sign"):
            return self.signature(op, f, at)
        return self.delivery(op, f, at)

    def signature(self, op: str, f: _Fields, at: Any) -> _Output:
        scheme = f.text("scheme")
        if scheme not in _SCHEMES:
            raise _invalid("scheme", f"unknown signature scheme {scheme[:40]!r}")
        if op == "verify_signature":
            raw = f.get("secrets")
            if "secrets" not in f.data:
                raise _missing("secrets")
            if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
                raise _invalid("secrets", "expected an array of strings")
            headers = _pairs(f.opt_obj("headers"))
            body_text, body_b64 = f.opt_str("body"), f.opt_str("body_base64")
            body: bytes
            if body_text is not None and body_b64 is None:
                body = body_text.encode()
            elif body_text is None and body_b64 is not None:
                try:
                    body = base64.b64decode(body_b64, validate=True)
                except (binascii.Error, ValueError):
                    raise _invalid("body_base64", "not base64") from None
            elif body_text is None:
                raise _missing("body")
            else:
                raise _invalid("body_base64", "give body or body_base64, not both")
            tolerance = f.opt_u64("tolerance_seconds")
            verifier = (
                Verifier(scheme, raw)
                if tolerance is None
                else Verifier(scheme, raw, tolerance=tolerance)
            )
            verified = verifier.verify(headers, body, at)
            if f.opt_bool("replay_guard"):
                self.guard.record(verified, now=at)
            return _Output(valid=True)
        secret = f.text("secret")
        body_str = f.text("body")
        inputs = _pairs(f.opt_obj("headers"))
        ts_text = _find(inputs, ("webhook-timestamp", "X-GatePay-Timestamp", "timestamp", "t"))
        timestamp = at if ts_text is None else paystate.parse_scheme_timestamp(scheme, ts_text)
        signed = Signer(scheme, [secret]).sign(
            body_str.encode(),
            id=_find(inputs, ("webhook-id", "id")),
            nonce=_find(inputs, ("X-GatePay-Nonce", "nonce")),
            timestamp=timestamp,
        )
        return _Output(headers=signed.headers, signature=signed.signature)

    def delivery(self, op: str, f: _Fields, at: Any) -> _Output:
        ident = f.text("delivery")
        if op == "plan_delivery":
            if ident in self.deliveries:
                raise _unknown_or_reused("delivery", "already exists", ident)
            plan = DeliveryPlan(ident, f.text("policy"), now=at)
            self.deliveries[ident] = plan
            return _Output(next=plan.next.to_json(), has_next=True)
        status, error = f.opt_u64("http_status"), f.opt_str("error")
        outcome: Union[int, str]
        if status is not None and error is None:
            outcome = status if status <= 65535 else 0
        elif status is None and error is not None:
            outcome = "timeout" if error == "timeout" else "error"
        elif status is None:
            raise _missing("http_status")
        else:
            raise _invalid("error", "give http_status or error, not both")
        duration = f.opt_u64("duration_ms")
        found = self.deliveries.get(ident)
        if found is None:
            raise _unknown_or_reused("delivery", "is unknown", ident)
        nxt = found.report(outcome, now=at, duration=duration)
        return _Output(next=nxt.to_json(), has_next=True)

    # ---- expectations ------------------------------------------------------------------

    def check(self, expect: dict[str, Any], out: _Output) -> None:
        tracked = self.invoices.get(out.invoice) if out.invoice is not None else None
        for key, want in expect.items():
            if key == "events":
                want_list = (
                    [w for w in want if isinstance(w, str)] if isinstance(want, list) else []
                )
                if want_list != out.events:
                    raise Failure(f"events: expected {want_list}, got {out.events}")
            elif key == "payable":
                if not _amount_eq(want, out.payable):
                    raise Failure(f"payable: expected {want}, got {out.payable}")
            elif key == "match":
                got = out.matched.to_json() if out.matched is not None else None
                if got is None or got != want:
                    raise Failure(f"match: expected {want}, got {got}")
            elif key == "expires_at":
                if not _time_eq(want, out.expires_at):
                    raise Failure(f"expires_at: expected {want}, got {out.expires_at}")
            elif key == "valid":
                if out.valid is None or want is not out.valid:
                    raise Failure(f"valid: expected {want}, got {out.valid}")
            elif key == "next":
                if not out.has_next or not _next_eq(want, out.next):
                    raise Failure(f"next: expected {want}, got {out.next}")
            elif key == "signature":
                if out.signature is None or out.signature != want:
                    raise Failure(f"signature: expected {want}, got {out.signature}")
            elif key == "headers":
                if out.headers is None:
                    raise Failure("this step produced no headers")
                if not isinstance(want, dict):
                    raise Failure("expect.headers must be an object")
                for name, value in want.items():
                    found = next(
                        (v for k, v in out.headers.items() if k.lower() == name.lower()), None
                    )
                    if found is None or found != value:
                        raise Failure(f"header {name}: expected {value}, got {found or 'nothing'}")
            else:
                if tracked is None:
                    raise Failure(f"expect.{key} needs an invoice on the step")
                _check_invoice(key, want, tracked.invoice)


def _check_invoice(key: str, want: Any, inv: Invoice) -> None:
    snap = inv.snapshot()
    if key == "status":
        if str(snap.status) != want:
            raise Failure(f"status: expected {want}, got {snap.status}")
    elif key == "exceptions":
        want_list = sorted(w for w in want if isinstance(w, str)) if isinstance(want, list) else []
        got_list = sorted(str(e) for e in snap.exceptions)
        if want_list != got_list:
            raise Failure(f"exceptions: expected {want_list}, got {got_list}")
    elif key == "deadline":
        if not _time_eq(want, inv.deadline):
            raise Failure(f"deadline: expected {want}, got {paystate.format_time(inv.deadline)}")
    elif key in (
        "amount_paid",
        "amount_pending",
        "amount_held",
        "surplus",
        "amount_refunded",
        "refundable",
    ):
        got = getattr(snap, key)
        if not _amount_eq(want, got):
            raise Failure(f"{key}: expected {want}, got {got}")
    elif key == "version":
        # A JSON integer (never a bool), compared exactly.
        if type(want) is not int or inv.version != want:
            raise Failure(f"version: expected {want}, got {inv.version}")
    else:
        raise Failure(f"unknown expect key {key!r}")


def _strict_amount(text: Any) -> Optional[Decimal]:
    if not isinstance(text, str):
        return None
    try:
        return paystate.parse_amount(text)
    except PaystateError:
        return None


def _amount_eq(want: Any, got: Optional[Decimal]) -> bool:
    w = _strict_amount(want)
    return w is not None and got is not None and w == got


def _time_eq(want: Any, got: Any) -> bool:
    if not isinstance(want, str) or got is None:
        return False
    try:
        return bool(paystate.parse_time(want) == got)
    except PaystateError:
        return False


def _next_eq(want: Any, got: Any) -> bool:
    if isinstance(want, dict) and isinstance(got, dict):
        if "retry_at" in want and isinstance(got.get("retry_at"), str):
            try:
                got_t = paystate.parse_time(got["retry_at"])
            except PaystateError:
                return False
            return _time_eq(want["retry_at"], got_t) and len(want) == 1
        return False
    return bool(want == got)


# ---- running files ----------------------------------------------------------------------


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
