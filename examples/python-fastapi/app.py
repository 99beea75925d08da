"""A shop's payment service on paystate: FastAPI + SQLite (stdlib sqlite3).

Endpoints:

* ``POST /invoices`` creates an invoice (amount as a decimal string).
* ``GET /invoices/{id}`` shows its status, amounts and deadline.
* ``POST /webhooks/payments`` receives a provider's transfer notification. The raw body
  is verified with paystate's pre-keyed verifier *before* it is parsed, checked against a
  replay guard, then applied to the invoice.
* ``POST /tasks/tick`` applies passed deadlines (run it from a scheduler).

Every invoice row carries the version paystate keeps; writes are
``UPDATE ... WHERE version = ?`` (optimistic concurrency), retried on conflict.
Emitted events go to an ``events`` table (an outbox for your webhook sender).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Optional

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

import paystate

SCHEMA = """
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,             -- paystate.Invoice.to_json()
    version INTEGER NOT NULL,        -- paystate's version: optimistic concurrency
    status TEXT NOT NULL,
    next_deadline_ms INTEGER         -- when to tick it next (NULL: never)
);
CREATE INDEX IF NOT EXISTS invoices_next_deadline ON invoices (next_deadline_ms);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,             -- "{invoice_id}:{seq}", stable across replays
    invoice_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

MAX_RETRIES = 5


class Conflict(Exception):
    """Another writer changed the invoice since it was read."""


def _to_ms(t: datetime) -> int:
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (t - epoch) // _ONE_MS


_ONE_MS = datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=timezone.utc) - datetime(
    1970, 1, 1, tzinfo=timezone.utc
)


class Store:
    """Invoice state and events in SQLite."""

    def __init__(self, path: str) -> None:
        """Opens (and creates) the database at ``path``."""
        self.path = path
        db = sqlite3.connect(path)
        try:
            db.executescript(SCHEMA)
        finally:
            db.close()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (committed on success)."""
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def load(self, invoice_id: str) -> Optional[paystate.Invoice]:
        """The invoice, or None."""
        db = sqlite3.connect(self.path)
        try:
            row = db.execute("SELECT state FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
        finally:
            db.close()
        return paystate.Invoice.from_json(row[0]) if row else None

    def insert(self, invoice: paystate.Invoice, events: list[paystate.Event]) -> None:
        """Stores a new invoice with its events."""
        with self.connect() as db:
            db.execute(
                "INSERT INTO invoices (id, state, version, status, next_deadline_ms)"
                " VALUES (?, ?, ?, ?, ?)",
                _row(invoice),
            )
            _insert_events(db, events)

    def save(
        self, invoice: paystate.Invoice, read_version: int, events: list[paystate.Event]
    ) -> None:
        """Writes the new state only if nobody else wrote since ``read_version``."""
        invoice_id, state, version, status, deadline = _row(invoice)
        with self.connect() as db:
            cur = db.execute(
                "UPDATE invoices SET state = ?, version = ?, status = ?, next_deadline_ms = ?"
                " WHERE id = ? AND version = ?",
                (state, version, status, deadline, invoice_id, read_version),
            )
            if cur.rowcount != 1:
                raise Conflict(invoice_id)
            _insert_events(db, events)

    def due_for_tick(self, now_ms: int) -> list[str]:
        """Ids of invoices whose next deadline has passed."""
        db = sqlite3.connect(self.path)
        try:
            rows = db.execute(
                "SELECT id FROM invoices WHERE next_deadline_ms <= ?", (now_ms,)
            ).fetchall()
        finally:
            db.close()
        return [r[0] for r in rows]

    def events(self, invoice_id: str) -> list[dict[str, Any]]:
        """The invoice's events, oldest first."""
        db = sqlite3.connect(self.path)
        try:
            rows = db.execute(
                "SELECT payload FROM events WHERE invoice_id = ? ORDER BY rowid", (invoice_id,)
            ).fetchall()
        finally:
            db.close()
        return [json.loads(r[0]) for r in rows]

    def update_guard(self, fn: Callable[[paystate.ReplayGuard], None]) -> None:
        """Loads the replay guard, applies ``fn`` and stores it, in one transaction."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM kv WHERE key = 'replay_guard'").fetchone()
            guard = paystate.ReplayGuard.from_json(row[0]) if row else paystate.ReplayGuard()
            fn(guard)
            db.execute(
                "INSERT INTO kv (key, value) VALUES ('replay_guard', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (guard.to_json(),),
            )


def _row(invoice: paystate.Invoice) -> tuple[str, str, int, str, Optional[int]]:
    deadline = invoice.next_deadline()
    return (
        invoice.id,
        invoice.to_json(),
        invoice.version,
        str(invoice.status),
        None if deadline is None else _to_ms(deadline),
    )


def _insert_events(db: sqlite3.Connection, events: list[paystate.Event]) -> None:
    db.executemany(
        "INSERT INTO events (id, invoice_id, type, payload) VALUES (?, ?, ?, ?)",
        [(e.id, e.invoice_id, str(e.type), e.to_json()) for e in events],
    )


def _view(invoice: paystate.Invoice) -> dict[str, Any]:
    snap = invoice.snapshot()
    deadline = invoice.next_deadline()
    return {
        "id": invoice.id,
        "status": str(snap.status),
        "exceptions": sorted(str(e) for e in snap.exceptions),
        "asset": str(invoice.asset),
        "due": str(invoice.due),
        "amount_paid": str(snap.amount_paid),
        "amount_pending": str(snap.amount_pending),
        "amount_held": str(snap.amount_held),
        "refundable": str(snap.refundable),
        "deadline": paystate.format_time(invoice.deadline),
        "next_deadline": None if deadline is None else paystate.format_time(deadline),
        "version": invoice.version,
    }


def _error(e: paystate.PaystateError, status: int) -> HTTPException:
    return HTTPException(status, {"code": e.code, "field": e.field, "message": e.message})


def create_app(
    db_path: str,
    webhook_secrets: list[str],
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> FastAPI:
    """Builds the service.

    ``webhook_secrets`` are the provider's Standard Webhooks secrets (several during a key
    rotation); ``clock`` is injectable for tests.
    """
    store = Store(db_path)
    verifier = paystate.Verifier(paystate.Scheme.STANDARD_WEBHOOKS, webhook_secrets)
    app = FastAPI(title="paystate shop example")

    def mutate(
        invoice_id: str, action: Callable[[paystate.Invoice], list[paystate.Event]]
    ) -> paystate.Invoice:
        """Load, apply, save with optimistic concurrency; retry when another writer won."""
        for _ in range(MAX_RETRIES):
            invoice = store.load(invoice_id)
            if invoice is None:
                raise HTTPException(404, {"code": "invalid_field", "field": "invoice_id"})
            read_version = invoice.version
            try:
                events = action(invoice)
            except paystate.IntegrityError as e:
                raise _error(e, 409) from None
            except paystate.PaystateError as e:
                raise _error(e, 422) from None
            if invoice.version == read_version:
                return invoice  # a no-op (e.g. a repeated notification)
            try:
                store.save(invoice, read_version, events)
            except Conflict:
                continue
            return invoice
        raise HTTPException(409, {"code": "concurrent_update", "field": None})

    @app.post("/invoices", status_code=201)
    async def create_invoice(request: Request) -> dict[str, Any]:
        body = json.loads(await request.body(), parse_float=Decimal)
        try:
            spec = paystate.InvoiceSpec(
                body.get("id"),
                asset=body.get("asset", "USDT_TRC20"),
                due=body.get("amount"),
                expires_in=body.get("expires_in", 1800),
                reference=body.get("reference"),
                metadata=body.get("metadata"),
            )
            invoice, events = paystate.Invoice.create(spec, clock())
        except paystate.PaystateError as e:
            raise _error(e, 422) from None
        except TypeError as e:
            raise HTTPException(422, {"code": "invalid_field", "message": str(e)}) from None
        try:
            store.insert(invoice, events)
        except sqlite3.IntegrityError:
            raise HTTPException(409, {"code": "invalid_field", "field": "id"}) from None
        return _view(invoice)

    @app.get("/invoices/{invoice_id}")
    def get_invoice(invoice_id: str) -> dict[str, Any]:
        invoice = store.load(invoice_id)
        if invoice is None:
            raise HTTPException(404, {"code": "invalid_field", "field": "invoice_id"})
        view = _view(invoice)
        view["status_now"] = str(invoice.status_at(clock()))
        return view

    @app.get("/invoices/{invoice_id}/events")
    def get_events(invoice_id: str) -> list[dict[str, Any]]:
        return store.events(invoice_id)

    @app.post("/webhooks/payments")
    async def payment_webhook(request: Request) -> JSONResponse:
        raw = await request.body()  # the raw bytes: never re-serialised JSON
        now = clock()
        try:
            verified = verifier.verify(request.headers, raw, now)
            store.update_guard(lambda g: g.record(verified, now=now))
        except paystate.SignatureError as e:
            raise _error(e, 401 if e.code != "replayed" else 409) from None
        note = json.loads(raw, parse_float=Decimal)
        invoice_id = str(note.get("invoice_id", ""))
        invoice = mutate(
            invoice_id,
            lambda inv: inv.observe_transfer(
                note.get("tx_id"),
                note.get("amount"),
                note.get("asset"),
                confirmed=bool(note.get("confirmed", False)),
                now=now,
            ),
        )
        return JSONResponse(_view(invoice))

    @app.post("/tasks/tick")
    def tick() -> dict[str, Any]:
        now = clock()
        ticked = store.due_for_tick(_to_ms(now))
        for invoice_id in ticked:
            mutate(invoice_id, lambda inv: inv.tick(now))
        return {"ticked": ticked}

    app.state.store = store
    app.state.mutate = mutate
    return app
