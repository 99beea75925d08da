"""A shop's payment service on paystate: FastAPI + SQLite (stdlib sqlite3, WAL).

Start it (the environment is the whole configuration)::

    export DATABASE=shop.sqlite3 WEBHOOK_SECRETS=whsec_... PORT=8000
    uvicorn app:app --host 127.0.0.1 --port "$PORT" --workers 4

Endpoints:

* ``POST /invoices`` creates an invoice (amount as a decimal string).
* ``GET /invoices/{id}`` shows its status, amounts and deadline.
* ``GET /invoices/{id}/events`` the outbox rows of that invoice.
* ``POST /webhooks/payments`` a provider's Standard-Webhooks-signed transfer notification
  ``{"invoice_id", "tx_id", "amount", "asset", "confirmed"}``.
* ``POST /tasks/tick`` applies passed deadlines and purges expired replay keys.

As the shop of a seed-001 gateway (``usdt_gateway``: set ``GATEWAY_URL``, ``GATEWAY_API_KEY``,
``GATEWAY_WEBHOOK_SECRETS`` and ``CALLBACK_URL``; ``paystate sandbox`` is one)::

* ``POST /orders`` ``{"amount", "asset"?, "reference"?, "expires_in"?, "metadata"?}``
  creates the invoice at the gateway (``POST /api/v1/invoices``) and keeps its own copy,
  keyed by the gateway's reference; the same ``reference`` again returns the same order.
* ``GET /orders/{reference}`` the order: the copy's status (``paid`` once the gateway's
  webhook arrived), amounts, deadline and the gateway's ``payment_url``.
* ``POST /orders/{reference}/sync`` asks the gateway (``GET /api/v1/invoices/:id``); an
  invoice it reports ``expired`` has passed its deadline on the gateway's clock, so the copy
  applies that deadline too.
* ``POST /webhooks/usdt-gateway`` the gateway's ``X-Webhook-Signature`` webhook, verified
  and parsed by paystate (``Scheme.USDT_GATEWAY``, ``UsdtGateway.parse_webhook``) and
  applied exactly like a transfer notification below.

How a webhook is applied (see ``Store.apply``; ``docs/architecture.md``, "Optimistic
concurrency"; replay keys: ``docs/spec.md §6``): the raw body is verified before it is
parsed; the invoice is read and the command applied in memory; then ONE transaction checks
the replay key, writes the invoice with ``UPDATE ... WHERE version = ?``, appends the
journal entry and the outbox rows, and records the replay key. A crash before COMMIT
leaves nothing behind, so the provider's retry applies the payment; a crash after leaves
the key, so the retry is acknowledged (2xx) without applying it twice. When another worker
wrote the invoice first the command is applied again to the fresh state; after
``OPTIMISTIC_ATTEMPTS`` lost attempts the last one reads the invoice inside the write
transaction, where it cannot lose.

Every database call is blocking and runs in the thread pool (``run_in_threadpool`` or a
plain ``def`` endpoint), never on the event loop.
"""

from __future__ import annotations

import json
import os
import secrets as _secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Optional
from urllib.parse import quote

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

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
CREATE TABLE IF NOT EXISTS invoice_journal (
    invoice_id TEXT NOT NULL,
    version INTEGER NOT NULL,        -- the invoice's version after this command
    at_ms INTEGER NOT NULL,
    command TEXT NOT NULL,           -- paystate.JournalEntry.to_dict(), as JSON
    PRIMARY KEY (invoice_id, version)
);
CREATE TABLE IF NOT EXISTS outbox (
    event_id TEXT PRIMARY KEY,       -- "{invoice_id}:{seq}", stable across replays
    invoice_id TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_invoice ON outbox (invoice_id);
-- Replay protection as rows (docs/spec.md §6): a key is kept until the time after which
-- the signature check refuses the delivery anyway, then purged.
CREATE TABLE IF NOT EXISTS replay_keys (
    key TEXT PRIMARY KEY,            -- paystate.Verified.replay_key
    keep_until_ms INTEGER NOT NULL   -- paystate.Verified.keep_until
);
CREATE INDEX IF NOT EXISTS replay_keys_keep_until ON replay_keys (keep_until_ms);
-- Orders created at a seed-001 gateway: its reference names the order, its id the invoice.
CREATE TABLE IF NOT EXISTS gateway_orders (
    reference TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL UNIQUE REFERENCES invoices (id),
    payment_url TEXT NOT NULL
);
"""

# Optimistic attempts before the last one, which reads under the write lock. Few: on a hot
# invoice every lost attempt is a wasted parse-apply-serialise of the whole document.
OPTIMISTIC_ATTEMPTS = 2
# How long a writer waits for SQLite's write lock before the request fails with 503.
BUSY_TIMEOUT_MS = 30_000
# Expired replay keys deleted per webhook, so the table stays small without a scheduler.
PURGE_PER_WEBHOOK = 64

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MS = timedelta(milliseconds=1)


def _to_ms(t: datetime) -> int:
    return (t - _EPOCH) // _ONE_MS


class _Retry(Exception):
    """The invoice changed since it was read: apply the command again."""


class _Exists(Exception):
    """An insert found its key taken (the transaction is rolled back)."""


class UnknownInvoice(Exception):
    """No invoice with that id (yet)."""


class BadNotification(Exception):
    """A signed notification whose fields are not the contract's."""

    def __init__(self, field: str, message: str) -> None:
        """``field`` names the offending key of the notification."""
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Replay:
    """A delivery's replay key and until when it must be remembered."""

    key: str
    keep_until_ms: int


@dataclass(frozen=True)
class Applied:
    """What ``Store.apply`` did: ``duplicate`` when the replay key was already recorded."""

    invoice: paystate.Invoice
    events: list[paystate.Event]
    duplicate: bool


class Store:
    """Invoices, their journal, the outbox and replay keys in one SQLite file."""

    def __init__(self, path: str) -> None:
        """Opens (and creates, idempotently) the database at ``path``."""
        self.path = path
        self._writer = threading.Lock()
        with self._connection() as db:
            # WAL: readers never block the writer; the setting is stored in the file.
            db.execute("PRAGMA journal_mode = WAL")
            with self._transaction(db):
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: transactions are exactly the BEGIN/COMMIT written here.
        db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self, db: sqlite3.Connection) -> Iterator[None]:
        """BEGIN IMMEDIATE (the write lock up front) ... COMMIT, or ROLLBACK on an exception.

        SQLite has one writer at a time, across every process. Threads of this process
        queue on ``_writer`` first, so only one per process polls SQLite's busy handler,
        which has no queue: with dozens of waiting threads, some would starve.
        """
        if not self._writer.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked (writer queue)")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            self._writer.release()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection in one write transaction."""
        with self._connection() as db, self._transaction(db):
            yield db

    def load(self, invoice_id: str) -> Optional[paystate.Invoice]:
        """The invoice, or None."""
        with self._connection() as db:
            row = _read(db, invoice_id)
        return paystate.Invoice.from_json(row[0]) if row else None

    def insert(
        self,
        invoice: paystate.Invoice,
        events: list[paystate.Event],
        now: datetime,
        order: Optional[tuple[str, str]] = None,
    ) -> bool:
        """Stores a new invoice with its journal entry and events; False if the id exists.

        ``order`` is a gateway order's ``(reference, payment_url)``, stored in the same
        transaction (False, nothing stored, when that reference exists).
        """
        entry = paystate.JournalEntry(now, paystate.Command.create(invoice.spec))
        try:
            with self._write() as db:
                try:
                    db.execute(
                        "INSERT INTO invoices (id, state, version, status, next_deadline_ms)"
                        " VALUES (?, ?, ?, ?, ?)",
                        _row(invoice),
                    )
                    if order is not None:
                        db.execute(
                            "INSERT INTO gateway_orders (reference, invoice_id, payment_url)"
                            " VALUES (?, ?, ?)",
                            (order[0], invoice.id, order[1]),
                        )
                except sqlite3.IntegrityError:
                    # Raised through the transaction: ROLLBACK, so no half of it stays.
                    raise _Exists() from None
                _journal(db, invoice, entry, now)
                _outbox(db, events)
        except _Exists:
            return False
        return True

    def order(self, reference: str) -> Optional[tuple[str, str]]:
        """A gateway order's ``(invoice_id, payment_url)``, or None."""
        with self._connection() as db:
            row = db.execute(
                "SELECT invoice_id, payment_url FROM gateway_orders WHERE reference = ?",
                (reference,),
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def apply(
        self,
        invoice_id: str,
        command: paystate.Command,
        now: datetime,
        replay: Optional[Replay] = None,
    ) -> Applied:
        """Applies ``command`` to the stored invoice and records ``replay``, atomically.

        Raises ``UnknownInvoice`` (nothing recorded), a ``paystate.PaystateError`` when the
        core refuses the command (nothing recorded), or ``sqlite3.OperationalError`` when
        the database stays locked past the busy timeout (nothing recorded).
        """
        now_ms = _to_ms(now)
        entry = paystate.JournalEntry(now, command)
        for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
            under_lock = attempt == OPTIMISTIC_ATTEMPTS
            with self._connection() as db:
                if not under_lock:
                    # Optimistic: read and apply without holding the write lock.
                    if replay is not None and _seen(db, replay, now_ms):
                        return self._duplicate(db, invoice_id)
                    invoice, read_version = _load_row(db, invoice_id)
                    events = invoice.apply(command, now)
                try:
                    with self._transaction(db):
                        if replay is not None and _seen(db, replay, now_ms):
                            return self._duplicate(db, invoice_id)
                        if under_lock:
                            invoice, read_version = _load_row(db, invoice_id)
                            events = invoice.apply(command, now)
                        elif _version(db, invoice_id) != read_version:
                            raise _Retry()
                        self._write_applied(db, invoice, read_version, events, entry, replay, now)
                except _Retry:
                    continue  # another writer won: re-apply to the fresh state
                return Applied(invoice, events, duplicate=False)
        raise AssertionError("unreachable: the last attempt runs under the write lock")

    def _write_applied(
        self,
        db: sqlite3.Connection,
        invoice: paystate.Invoice,
        read_version: int,
        events: list[paystate.Event],
        entry: paystate.JournalEntry,
        replay: Optional[Replay],
        now: datetime,
    ) -> None:
        # No events: a repeat that changes nothing (the core may still count it in
        # `version`); nothing to write but the replay key.
        if events:
            cur = db.execute(
                "UPDATE invoices SET state = ?, version = ?, status = ?, next_deadline_ms = ?"
                " WHERE id = ? AND version = ?",
                (*_row(invoice)[1:], invoice.id, read_version),
            )
            if cur.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE
                raise RuntimeError("invoice changed under the write lock")
            _journal(db, invoice, entry, now)
            _outbox(db, events)
        if replay is not None:
            db.execute(
                "INSERT INTO replay_keys (key, keep_until_ms) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET keep_until_ms = excluded.keep_until_ms",
                (replay.key, replay.keep_until_ms),
            )
            db.execute(
                "DELETE FROM replay_keys WHERE key IN (SELECT key FROM replay_keys"
                " WHERE keep_until_ms <= ? LIMIT ?)",
                (_to_ms(now), PURGE_PER_WEBHOOK),
            )

    def _duplicate(self, db: sqlite3.Connection, invoice_id: str) -> Applied:
        invoice, _ = _load_row(db, invoice_id)
        return Applied(invoice, [], duplicate=True)

    def due_for_tick(self, now: datetime) -> list[str]:
        """Ids of invoices whose next deadline has passed."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT id FROM invoices WHERE next_deadline_ms <= ? ORDER BY id", (_to_ms(now),)
            ).fetchall()
        return [r[0] for r in rows]

    def purge_replay_keys(self, now: datetime) -> int:
        """Deletes the replay keys whose time has passed; returns how many."""
        with self._write() as db:
            cur = db.execute("DELETE FROM replay_keys WHERE keep_until_ms <= ?", (_to_ms(now),))
            return cur.rowcount

    def events(self, invoice_id: str) -> list[dict[str, Any]]:
        """The invoice's outbox rows, oldest first."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT payload FROM outbox WHERE invoice_id = ? ORDER BY rowid", (invoice_id,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]


def _read(db: sqlite3.Connection, invoice_id: str) -> Optional[tuple[str, int]]:
    row = db.execute("SELECT state, version FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
    return None if row is None else (row[0], row[1])


def _load_row(db: sqlite3.Connection, invoice_id: str) -> tuple[paystate.Invoice, int]:
    row = _read(db, invoice_id)
    if row is None:
        raise UnknownInvoice(invoice_id)
    return paystate.Invoice.from_json(row[0]), row[1]


def _version(db: sqlite3.Connection, invoice_id: str) -> Optional[int]:
    row = db.execute("SELECT version FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
    return None if row is None else int(row[0])


def _seen(db: sqlite3.Connection, replay: Replay, now_ms: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM replay_keys WHERE key = ? AND keep_until_ms > ?", (replay.key, now_ms)
    ).fetchone()
    return row is not None


def _row(invoice: paystate.Invoice) -> tuple[str, str, int, str, Optional[int]]:
    deadline = invoice.next_deadline()
    return (
        invoice.id,
        invoice.to_json(),
        invoice.version,
        str(invoice.status),
        None if deadline is None else _to_ms(deadline),
    )


def _journal(
    db: sqlite3.Connection, invoice: paystate.Invoice, entry: paystate.JournalEntry, now: datetime
) -> None:
    db.execute(
        "INSERT INTO invoice_journal (invoice_id, version, at_ms, command) VALUES (?, ?, ?, ?)",
        (invoice.id, invoice.version, _to_ms(now), json.dumps(entry.to_dict())),
    )


def _outbox(db: sqlite3.Connection, events: list[paystate.Event]) -> None:
    db.executemany(
        "INSERT INTO outbox (event_id, invoice_id, type, payload) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (event_id) DO NOTHING",
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


def _error(status: int, code: str, field: Optional[str], message: str) -> HTTPException:
    return HTTPException(status, {"code": code, "field": field, "message": message})


def _core_error(e: paystate.PaystateError, status: int) -> HTTPException:
    return _error(status, e.code, e.field, e.message)


def parse_notification(raw: bytes) -> dict[str, Any]:
    """The notification's fields, checked: strings, and ``confirmed`` a JSON boolean.

    ``confirmed`` is true only for a JSON ``true``: ``"false"``, ``"true"``, ``1`` are refused
    rather than guessed (``bool("false")`` is True in Python). Absent means unconfirmed.
    """
    try:
        note = json.loads(raw, parse_float=Decimal)
    except ValueError:
        raise BadNotification("body", "the body is not JSON") from None
    if not isinstance(note, dict):
        raise BadNotification("body", "the body is not a JSON object")
    for field in ("invoice_id", "tx_id", "amount", "asset"):
        if not isinstance(note.get(field), str):
            raise BadNotification(field, f"{field} must be a string")
    confirmed = note.get("confirmed", False)
    if not isinstance(confirmed, bool):
        raise BadNotification("confirmed", "confirmed must be true or false")
    return note


# The seed's answer must come "within 30 seconds"; the shop waits less for its own calls.
GATEWAY_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Gateway:
    """A seed-001 gateway (``usdt_gateway``) the shop creates its invoices at.

    ``callback_url`` is where the gateway sends webhooks: this service's
    ``/webhooks/usdt-gateway`` as the gateway reaches it. The key and the secrets never
    appear in ``repr``.
    """

    base_url: str
    api_key: str = _field(repr=False)
    webhook_secrets: list[str] = _field(repr=False)
    callback_url: Optional[str] = None


class GatewayError(Exception):
    """The gateway refused a call or could not be reached; ``status`` is for our client."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """``message`` is the gateway's own (its error bodies carry no secret)."""
        super().__init__(message)
        self.status = status
        self.code = code


class GatewayClient:
    """The seed-001 calls the shop makes (``/api/v1/invoices``), over one httpx client."""

    def __init__(self, gateway: Gateway) -> None:
        """Keeps one connection pool for every call."""
        self._base = gateway.base_url.rstrip("/")
        self._http = httpx.Client(
            timeout=GATEWAY_TIMEOUT_S,
            headers={"Authorization": f"Bearer {gateway.api_key}"},
        )

    def _call(self, method: str, path: str, body: Optional[bytes] = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            return self._http.request(method, self._base + path, content=body, headers=headers)
        except httpx.HTTPError as e:
            # Nothing was recorded here; the client may retry with the same reference.
            raise GatewayError(502, "gateway_unreachable", type(e).__name__) from None

    def create_invoice(self, body: bytes) -> Optional[dict[str, Any]]:
        """``POST /api/v1/invoices``: the 201 document, or None on 409 (reference taken)."""
        r = self._call("POST", "/api/v1/invoices", body)
        if r.status_code == 409:
            return None
        return _gateway_document(r, 201)

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        """``GET /api/v1/invoices/:id``."""
        return _gateway_document(self._call("GET", f"/api/v1/invoices/{quote(invoice_id)}"), 200)

    def invoice_by_reference(self, reference: str) -> dict[str, Any]:
        """``GET /api/v1/invoices/reference/:ref``."""
        path = f"/api/v1/invoices/reference/{quote(reference, safe='')}"
        return _gateway_document(self._call("GET", path), 200)


def _gateway_document(r: httpx.Response, expected: int) -> dict[str, Any]:
    try:
        doc = json.loads(r.content, parse_float=Decimal)  # amounts never become floats
    except ValueError:
        doc = None
    if r.status_code != expected or not isinstance(doc, dict):
        message = doc.get("message") if isinstance(doc, dict) else None
        raise GatewayError(
            502, "gateway_refused", f"gateway answered {r.status_code}: {message or r.text[:200]}"
        )
    return doc


def _mirror(sent: bytes, doc: dict[str, Any]) -> tuple[paystate.Invoice, list[paystate.Event]]:
    """The shop's copy of the gateway's invoice.

    Our request, parsed by paystate's seed-001 dialect at the gateway's id and creation
    time, so its deadline is the gateway's.
    """
    try:
        request = paystate.UsdtGateway.parse_invoice(
            sent, id=str(doc.get("id")), now=paystate.parse_time(str(doc.get("createdAt")))
        )
        invoice, events = paystate.Invoice.create(request.spec, request.created_at)
        expires_at = paystate.parse_time(str(doc.get("expiresAt")))
        exact = doc.get("amountUsdtExact")
    except paystate.PaystateError as e:
        raise GatewayError(502, "gateway_mismatch", f"gateway document: {e.message}") from None
    # An adopted invoice (our earlier attempt's) must be the one we asked for.
    if (
        invoice.deadline != expires_at
        or not isinstance(exact, str)
        or Decimal(exact) != invoice.due
        or doc.get("assetCode") != str(invoice.asset)
    ):
        raise GatewayError(
            409, "reference_conflict", "the gateway holds a different invoice for this reference"
        )
    return invoice, events


def create_app(
    db_path: str,
    webhook_secrets: list[str],
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    gateway: Optional[Gateway] = None,
) -> FastAPI:
    """Builds the service.

    ``webhook_secrets`` are the provider's Standard Webhooks secrets (several during a key
    rotation; none disables ``/webhooks/payments``); ``gateway`` a seed-001 gateway to
    create orders at; ``clock`` is injectable for tests.
    """
    store = Store(db_path)
    verifier = (
        paystate.Verifier(paystate.Scheme.STANDARD_WEBHOOKS, webhook_secrets)
        if webhook_secrets
        else None
    )
    app = FastAPI(title="paystate shop example")

    def apply(
        invoice_id: str, command: paystate.Command, now: datetime, replay: Optional[Replay]
    ) -> Applied:
        try:
            return store.apply(invoice_id, command, now, replay)
        except UnknownInvoice:
            raise _error(404, "unknown_invoice", "invoice_id", "no such invoice") from None
        except paystate.IntegrityError as e:
            raise _core_error(e, 409) from None
        except paystate.PaystateError as e:
            raise _core_error(e, 422) from None
        except sqlite3.OperationalError:
            # Locked past the busy timeout: nothing was recorded, the sender retries.
            raise _error(503, "busy", None, "database busy, retry") from None

    def create_invoice(raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw, parse_float=Decimal)
        except ValueError:
            raise _error(400, "malformed_json", None, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise _error(400, "malformed_json", None, "the body is not a JSON object")
        now = clock()
        try:
            spec = paystate.InvoiceSpec(
                body.get("id"),
                asset=body.get("asset", "USDT_TRC20"),
                due=body.get("amount"),
                expires_in=body.get("expires_in", 1800),
                reference=body.get("reference"),
                metadata=body.get("metadata"),
            )
            invoice, events = paystate.Invoice.create(spec, now)
        except paystate.PaystateError as e:
            raise _core_error(e, 422) from None
        except TypeError as e:
            raise _error(422, "invalid_field", None, str(e)) from None
        if not store.insert(invoice, events, now):
            raise _error(409, "invoice_exists", "id", "an invoice with this id exists")
        return _view(invoice)

    def receive_payment(headers: Mapping[str, str], raw: bytes) -> dict[str, Any]:
        now = clock()
        if verifier is None:
            raise _error(404, "not_configured", None, "no WEBHOOK_SECRETS configured")
        try:
            verified = verifier.verify(headers, raw, now)
        except paystate.SignatureError as e:
            raise _core_error(e, 401) from None
        except paystate.PaystateError as e:
            raise _core_error(e, 400) from None
        # Only now, with the bytes authenticated, parse them.
        try:
            note = parse_notification(raw)
        except BadNotification as e:
            raise _error(422, "invalid_field", e.field, str(e)) from None
        try:
            command = paystate.Command.observe_transfer(
                note["tx_id"],
                note["amount"],
                note["asset"],
                confirmed=note.get("confirmed") is True,
            )
        except paystate.PaystateError as e:
            raise _core_error(e, 422) from None
        key, keep_until = verified.replay_key, verified.keep_until
        replay = None if key is None or keep_until is None else Replay(key, _to_ms(keep_until))
        applied = apply(note["invoice_id"], command, now, replay)
        return {
            **_view(applied.invoice),
            "duplicate": applied.duplicate,
            "events": [str(e.type) for e in applied.events],
        }

    @app.post("/invoices", status_code=201)
    async def post_invoice(request: Request) -> dict[str, Any]:
        return await run_in_threadpool(create_invoice, await request.body())

    @app.get("/invoices/{invoice_id}")
    def get_invoice(invoice_id: str) -> dict[str, Any]:
        invoice = store.load(invoice_id)
        if invoice is None:
            raise _error(404, "unknown_invoice", "invoice_id", "no such invoice")
        view = _view(invoice)
        view["status_now"] = str(invoice.status_at(clock()))
        return view

    @app.get("/invoices/{invoice_id}/events")
    def get_events(invoice_id: str) -> list[dict[str, Any]]:
        return store.events(invoice_id)

    @app.post("/webhooks/payments")
    async def post_payment(request: Request) -> JSONResponse:
        raw = await request.body()  # the raw bytes: never re-serialised JSON
        return JSONResponse(await run_in_threadpool(receive_payment, request.headers, raw))

    @app.post("/tasks/tick")
    def tick() -> dict[str, Any]:
        now = clock()
        ticked = store.due_for_tick(now)
        for invoice_id in ticked:
            apply(invoice_id, paystate.Command.tick(), now, None)
        return {"ticked": ticked, "replay_keys_purged": store.purge_replay_keys(now)}

    if gateway is not None:
        _gateway_routes(app, store, gateway, clock, apply)

    app.state.store = store
    return app


def _order_view(store: Store, reference: str, now: datetime) -> dict[str, Any]:
    found = store.order(reference)
    invoice = None if found is None else store.load(found[0])
    if found is None or invoice is None:
        raise _error(404, "unknown_order", "reference", "no such order")
    view = _view(invoice)
    view["status_now"] = str(invoice.status_at(now))
    return {"reference": reference, "payment_url": found[1], **view}


def _gateway_routes(
    app: FastAPI,
    store: Store,
    gateway: Gateway,
    clock: Callable[[], datetime],
    apply: Callable[[str, paystate.Command, datetime, Optional[Replay]], Applied],
) -> None:
    """The seed-001 shop: orders created at the gateway, its webhooks applied here."""
    client = GatewayClient(gateway)
    verifier = paystate.Verifier(paystate.Scheme.USDT_GATEWAY, gateway.webhook_secrets)

    def create_order(raw: bytes) -> JSONResponse:
        try:
            body = json.loads(raw, parse_float=Decimal)
        except ValueError:
            raise _error(400, "malformed_json", None, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise _error(400, "malformed_json", None, "the body is not a JSON object")
        if not isinstance(body.get("amount"), str):
            # Sent on as it came: a decimal string, never through a float.
            raise _error(422, "invalid_amount", "amount", "amount must be a decimal string")
        reference = body.get("reference") or f"ORDER-{_secrets.token_hex(8).upper()}"
        request: dict[str, Any] = {
            "amountUsdt": body["amount"],
            "assetCode": body.get("asset", "USDT_TRC20"),
            "reference": reference,
            "expirySeconds": body.get("expires_in", 1800),
        }
        if gateway.callback_url:
            request["callbackUrl"] = gateway.callback_url
        if body.get("metadata") is not None:
            request["metadata"] = body["metadata"]
        # Fractional numbers in `metadata` were read as Decimal (never a float) and go out as
        # strings.
        sent = json.dumps(request, default=str).encode()
        now = clock()
        try:
            # The gateway's own rules, checked before the call (a 400 there is a 422 here).
            paystate.UsdtGateway.parse_invoice(sent, id="check", now=now)
        except paystate.PaystateError as e:
            raise _core_error(e, 422) from None
        existing = store.order(reference)
        if existing is not None:
            # The same order asked for again: the same answer, unless it asks for another one.
            known = store.load(existing[0])
            if (
                known is None
                or Decimal(body["amount"]) != known.due
                or str(known.asset) != request["assetCode"]
            ):
                raise _error(409, "reference_conflict", "reference", "another order has it")
            return JSONResponse(_order_view(store, reference, now))
        try:
            doc = client.create_invoice(sent)
            if doc is None:
                # Taken: our earlier attempt created it and did not record it (a crash, a
                # lost answer). Adopt it if it is the invoice we asked for.
                doc = client.invoice_by_reference(reference)
            invoice, events = _mirror(sent, doc)
        except GatewayError as e:
            raise _error(e.status, e.code, None, str(e)) from None
        payment_url = str(doc.get("paymentUrl", ""))
        # Journaled at the gateway's creation time, so a replay rebuilds the same deadline.
        created_at = paystate.parse_time(str(doc["createdAt"]))
        created = store.insert(invoice, events, created_at, (reference, payment_url))
        return JSONResponse(_order_view(store, reference, now), status_code=201 if created else 200)

    def sync_order(reference: str) -> dict[str, Any]:
        now = clock()
        found = store.order(reference)
        invoice = None if found is None else store.load(found[0])
        if found is None or invoice is None:
            raise _error(404, "unknown_order", "reference", "no such order")
        try:
            doc = client.invoice(found[0])
        except GatewayError as e:
            raise _error(e.status, e.code, None, str(e)) from None
        if doc.get("status") == "expired":
            # The deadline passed on the gateway's clock (a sandbox's test clock runs ahead
            # of ours): apply it here too. The core expires only what is still unpaid.
            apply(found[0], paystate.Command.tick(), max(now, invoice.deadline), None)
        return {**_order_view(store, reference, now), "gateway_status": doc.get("status")}

    def receive_webhook(headers: Mapping[str, str], raw: bytes) -> dict[str, Any]:
        now = clock()
        try:
            verified = verifier.verify(headers, raw, now)
        except paystate.SignatureError as e:
            raise _core_error(e, 401) from None
        except paystate.PaystateError as e:
            raise _core_error(e, 400) from None
        # The unsigned header only finds the invoice; the signed body must then agree with
        # it (reference, asset, amount), which parse_webhook checks.
        reference = headers.get("x-invoice-reference", "")
        found = store.order(reference)
        invoice = None if found is None else store.load(found[0])
        if found is None or invoice is None:
            # Maybe not committed yet: a 404 makes the gateway retry.
            raise _error(404, "unknown_order", "reference", "no such order")
        try:
            result = paystate.UsdtGateway.parse_webhook(raw, invoice)
        except paystate.IntegrityError as e:
            raise _core_error(e, 409) from None
        except paystate.PaystateError as e:
            raise _core_error(e, 422) from None
        if result.command is None:
            # `pending`/`expired`: nothing the core does not derive itself.
            return {**_order_view(store, reference, now), "duplicate": False, "events": []}
        key, keep_until = verified.replay_key, verified.keep_until
        replay = None if key is None or keep_until is None else Replay(key, _to_ms(keep_until))
        applied = apply(found[0], result.command, now, replay)
        return {
            **_order_view(store, reference, now),
            "duplicate": applied.duplicate,
            "events": [str(e.type) for e in applied.events],
        }

    @app.post("/orders")
    async def post_order(request: Request) -> JSONResponse:
        return await run_in_threadpool(create_order, await request.body())

    @app.get("/orders/{reference}")
    def get_order(reference: str) -> dict[str, Any]:
        return _order_view(store, reference, clock())

    @app.post("/orders/{reference}/sync")
    def post_sync(reference: str) -> dict[str, Any]:
        return sync_order(reference)

    @app.post("/webhooks/usdt-gateway")
    async def post_gateway_webhook(request: Request) -> JSONResponse:
        raw = await request.body()  # the exact bytes the gateway signed
        return JSONResponse(await run_in_threadpool(receive_webhook, request.headers, raw))


def _list(environ: Mapping[str, str], name: str) -> list[str]:
    return [s.strip() for s in environ.get(name, "").split(",") if s.strip()]


def create_app_from_env(environ: Mapping[str, str] = os.environ) -> FastAPI:
    """The service configured by ``DATABASE`` and ``WEBHOOK_SECRETS`` (comma-separated).

    With ``GATEWAY_URL`` it is also a seed-001 gateway's shop: ``GATEWAY_API_KEY``,
    ``GATEWAY_WEBHOOK_SECRETS`` (comma-separated) and ``CALLBACK_URL`` (this service's
    ``/webhooks/usdt-gateway`` as the gateway reaches it); ``WEBHOOK_SECRETS`` is then
    optional.
    """
    path = environ.get("DATABASE", "").strip()
    secrets = _list(environ, "WEBHOOK_SECRETS")
    if not path:
        raise RuntimeError("set DATABASE to the SQLite file's path")
    gateway = None
    base_url = environ.get("GATEWAY_URL", "").strip()
    if base_url:
        key = environ.get("GATEWAY_API_KEY", "").strip()
        gateway_secrets = _list(environ, "GATEWAY_WEBHOOK_SECRETS")
        if not key:
            raise RuntimeError("set GATEWAY_API_KEY to the gateway's Bearer key")
        if not gateway_secrets:
            raise RuntimeError("set GATEWAY_WEBHOOK_SECRETS to the gateway's webhook secrets")
        callback = environ.get("CALLBACK_URL", "").strip() or None
        gateway = Gateway(base_url, key, gateway_secrets, callback)
    elif not secrets:
        raise RuntimeError(
            "set WEBHOOK_SECRETS to the provider's whsec_... secrets, comma-separated"
        )
    return create_app(path, secrets, gateway=gateway)


def __getattr__(name: str) -> Any:
    # `uvicorn app:app` reads the attribute: built on first access, so importing this module
    # (tests, create_app) needs no environment.
    if name == "app":
        built = create_app_from_env()
        globals()["app"] = built
        return built
    raise AttributeError(name)
