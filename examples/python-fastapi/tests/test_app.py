"""The example service against a real SQLite file, through FastAPI's TestClient."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app as app_module
import paystate
from app import Replay, Store, UnknownInvoice, create_app, create_app_from_env

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "shop.sqlite3")


@pytest.fixture
def client(db: str, clock: Clock) -> TestClient:
    return TestClient(create_app(db, [SECRET], clock))


def signed_post(client: TestClient, body: bytes, msg_id: str, at: datetime) -> Any:
    signed = paystate.sign("standard_webhooks", SECRET, body, id=msg_id, timestamp=at)
    return client.post(
        "/webhooks/payments",
        content=body,
        headers={**signed.headers, "content-type": "application/json"},
    )


def webhook(client: TestClient, note: dict[str, object], msg_id: str, at: datetime) -> Any:
    return signed_post(client, json.dumps(note).encode(), msg_id, at)


def rows(db: str, sql: str, *args: object) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_create_pay_and_read(client: TestClient, clock: Clock, db: str) -> None:
    r = client.post("/invoices", json={"id": "ord_1", "amount": "25.50", "expires_in": 900})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending"
    assert r.json()["due"] == "25.5"

    note = {"invoice_id": "ord_1", "tx_id": "0xabc", "amount": "25.5", "asset": "USDT_TRC20"}
    r = webhook(client, {**note, "confirmed": False}, "msg_1", clock.now)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "processing"
    clock.now += timedelta(minutes=2)
    r = webhook(client, {**note, "confirmed": True}, "msg_2", clock.now)
    assert r.json()["status"] == "paid"
    assert r.json()["amount_paid"] == "25.5"
    assert r.json()["duplicate"] is False

    view = client.get("/invoices/ord_1").json()
    assert view["status"] == "paid"
    assert view["version"] == 3
    types = [e["type"] for e in client.get("/invoices/ord_1/events").json()]
    assert types == [
        "invoice.created",
        "invoice.payment_received",
        "invoice.processing",
        "invoice.paid",
    ]
    assert rows(db, "SELECT version, status FROM invoices") == [(3, "paid")]
    journal = rows(db, "SELECT version, command FROM invoice_journal ORDER BY version")
    assert [v for v, _ in journal] == [1, 2, 3]
    # The journal rebuilds the stored snapshot exactly.
    rebuilt = paystate.Invoice.replay([json.loads(c) for _, c in journal])
    assert rebuilt == paystate.Invoice.from_json(rows(db, "SELECT state FROM invoices")[0][0])
    assert sorted(k for (k,) in rows(db, "SELECT key FROM replay_keys")) == [
        "standard_webhooks:msg_1",
        "standard_webhooks:msg_2",
    ]


def test_duplicate_delivery_is_acknowledged_once_applied(
    client: TestClient, clock: Clock, db: str
) -> None:
    client.post("/invoices", json={"id": "ord_2", "amount": "5"})
    note = {"invoice_id": "ord_2", "tx_id": "t", "amount": "5", "asset": "USDT_TRC20"}
    body = json.dumps({**note, "confirmed": True}).encode()
    signed = paystate.sign("standard_webhooks", SECRET, body, id="m1", timestamp=clock.now)
    r = client.post("/webhooks/payments", content=body + b" ", headers=signed.headers)
    assert r.status_code == 401
    assert r.json()["detail"]["code"] == "signature_mismatch"
    r = client.post("/webhooks/payments", content=body, headers={})
    assert r.json()["detail"]["code"] == "signature_missing"
    first = client.post("/webhooks/payments", content=body, headers=signed.headers)
    assert first.status_code == 200
    assert first.json()["duplicate"] is False
    # The same delivery again (a sender retries when it missed our answer): 2xx, not applied.
    again = client.post("/webhooks/payments", content=body, headers=signed.headers)
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True
    assert again.json()["amount_paid"] == "5"
    assert again.json()["version"] == first.json()["version"]
    # The same transfer under another delivery id: applied, a no-op in the core, no new row.
    other = webhook(client, {**note, "confirmed": True}, "m2", clock.now)
    assert other.status_code == 200
    assert other.json()["duplicate"] is False
    assert other.json()["events"] == []
    assert other.json()["amount_paid"] == "5"
    assert rows(db, "SELECT COUNT(*) FROM invoice_journal WHERE invoice_id = 'ord_2'") == [(2,)]
    assert rows(db, "SELECT version FROM invoices WHERE id = 'ord_2'") == [(2,)]
    clock.now += timedelta(minutes=10)
    r = client.post("/webhooks/payments", content=body, headers=signed.headers)
    assert r.status_code == 401
    assert r.json()["detail"]["code"] == "timestamp_out_of_tolerance"


@pytest.mark.parametrize("confirmed", ['"false"', '"true"', "1", "null", '{"v": true}'])
def test_confirmed_must_be_a_json_boolean(
    client: TestClient, clock: Clock, db: str, confirmed: str
) -> None:
    client.post("/invoices", json={"id": "ord_5", "amount": "5"})
    body = (
        '{"invoice_id": "ord_5", "tx_id": "t5", "amount": "5", "asset": "USDT_TRC20",'
        f' "confirmed": {confirmed}}}'
    ).encode()
    r = signed_post(client, body, "m5", clock.now)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["field"] == "confirmed"
    view = client.get("/invoices/ord_5").json()
    assert (view["status"], view["amount_paid"], view["amount_pending"]) == ("pending", "0", "0")
    assert rows(db, "SELECT COUNT(*) FROM replay_keys") == [(0,)]


def test_false_is_unconfirmed_and_true_pays(client: TestClient, clock: Clock) -> None:
    client.post("/invoices", json={"id": "ord_6", "amount": "5"})
    note = {"invoice_id": "ord_6", "tx_id": "t6", "amount": "5", "asset": "USDT_TRC20"}
    r = webhook(client, {**note, "confirmed": False}, "m6a", clock.now)
    assert (r.json()["status"], r.json()["amount_paid"]) == ("processing", "0")
    r = webhook(client, note, "m6b", clock.now)  # absent: unconfirmed
    assert (r.json()["status"], r.json()["amount_paid"]) == ("processing", "0")
    r = webhook(client, {**note, "confirmed": True}, "m6c", clock.now)
    assert (r.json()["status"], r.json()["amount_paid"]) == ("paid", "5")


def test_webhook_before_its_invoice_is_not_acknowledged(
    client: TestClient, clock: Clock, db: str
) -> None:
    note = {"invoice_id": "ord_7", "tx_id": "t7", "amount": "7", "asset": "USDT_TRC20"}
    body = json.dumps({**note, "confirmed": True}).encode()
    r = signed_post(client, body, "m7", clock.now)
    assert r.status_code == 404
    assert r.json()["detail"]["code"] == "unknown_invoice"
    assert rows(db, "SELECT COUNT(*) FROM replay_keys") == [(0,)]
    client.post("/invoices", json={"id": "ord_7", "amount": "7"})
    # The provider's retry of the same delivery now pays the invoice.
    clock.now += timedelta(seconds=30)
    r = signed_post(client, body, "m7", clock.now)
    assert r.status_code == 200, r.text
    assert (r.json()["duplicate"], r.json()["status"], r.json()["amount_paid"]) == (
        False,
        "paid",
        "7",
    )


def test_refused_command_records_no_key(client: TestClient, clock: Clock, db: str) -> None:
    client.post("/invoices", json={"id": "ord_8", "amount": "5"})
    note = {"invoice_id": "ord_8", "tx_id": "t8", "amount": "2", "asset": "USDT_TRC20"}
    assert webhook(client, {**note, "confirmed": True}, "m8a", clock.now).status_code == 200
    r = webhook(client, {**note, "amount": "3", "confirmed": True}, "m8b", clock.now)
    assert r.status_code == 409
    assert r.json()["detail"]["code"] == "integrity_conflict"
    r = webhook(client, {**note, "tx_id": "t8x", "asset": "USDT_ERC20"}, "m8c", clock.now)
    assert r.status_code == 422
    assert r.json()["detail"]["code"] == "asset_mismatch"
    keys = rows(db, "SELECT key FROM replay_keys")
    assert keys == [("standard_webhooks:m8a",)]


def test_a_crash_inside_the_transaction_leaves_nothing(
    client: TestClient, clock: Clock, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/invoices", json={"id": "ord_9", "amount": "5"})
    note = {"invoice_id": "ord_9", "tx_id": "t9", "amount": "5", "asset": "USDT_TRC20"}
    body = json.dumps({**note, "confirmed": True}).encode()

    def crash(*_: object) -> None:
        raise RuntimeError("power cut")

    # Fails after the invoice UPDATE and the journal insert, before the outbox and the key.
    monkeypatch.setattr(app_module, "_outbox", crash)
    with pytest.raises(RuntimeError):
        signed_post(client, body, "m9", clock.now)
    monkeypatch.undo()
    assert rows(db, "SELECT version FROM invoices WHERE id = 'ord_9'") == [(1,)]
    assert rows(db, "SELECT COUNT(*) FROM replay_keys") == [(0,)]
    assert rows(db, "SELECT COUNT(*) FROM invoice_journal WHERE invoice_id = 'ord_9'") == [(1,)]
    r = signed_post(client, body, "m9", clock.now)
    assert (r.status_code, r.json()["amount_paid"], r.json()["duplicate"]) == (200, "5", False)


def test_optimistic_conflict_reapplies_to_the_fresh_state(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, racer = Store(db), Store(db)
    invoice, events = paystate.Invoice.create(
        paystate.InvoiceSpec("ord_10", asset="USDT_TRC20", due="100", expires_in=600), T0
    )
    store.insert(invoice, events, T0)
    original = app_module._load_row
    races = {"n": 0, "racing": False}

    def racing_load(con: sqlite3.Connection, invoice_id: str) -> tuple[paystate.Invoice, int]:
        loaded = original(con, invoice_id)
        # An optimistic read by `store`: another worker (`racer`) writes right after it.
        if not con.in_transaction and not races["racing"]:
            races["racing"] = True
            races["n"] += 1
            cmd = paystate.Command.observe_transfer(
                f"other{races['n']}", "1", "USDT_TRC20", confirmed=True
            )
            racer.apply(invoice_id, cmd, T0, None)
            races["racing"] = False
        return loaded

    monkeypatch.setattr(app_module, "_load_row", racing_load)
    cmd = paystate.Command.observe_transfer("mine", "10", "USDT_TRC20", confirmed=True)
    applied = store.apply("ord_10", cmd, T0, Replay("k:mine", 10**15))
    # Every optimistic attempt lost; the last one, under the write lock, could not.
    assert races["n"] == app_module.OPTIMISTIC_ATTEMPTS
    assert applied.invoice.amount_paid == Decimal(10 + races["n"])
    monkeypatch.undo()
    stored = store.load("ord_10")
    assert stored is not None
    assert stored.amount_paid == Decimal(10 + races["n"])
    others = {f"other{i}" for i in range(1, races["n"] + 1)}
    assert {t.tx_id for t in stored.transfers} == {"mine"} | others
    assert rows(db, "SELECT version FROM invoice_journal ORDER BY version") == [
        (v,) for v in range(1, races["n"] + 3)
    ]


def test_concurrent_duplicates_are_credited_once(db: str) -> None:
    # Eight stores on one file behave like eight workers; 40 threads race.
    stores = [Store(db) for _ in range(8)]
    invoice, events = paystate.Invoice.create(
        paystate.InvoiceSpec("ord_11", asset="USDT_TRC20", due="50", expires_in=600), T0
    )
    stores[0].insert(invoice, events, T0)
    cmd = paystate.Command.observe_transfer("tx11", "12.5", "USDT_TRC20", confirmed=True)
    barrier = threading.Barrier(40, timeout=30)

    def deliver(i: int) -> bool:
        barrier.wait()
        # Half share one delivery id; the other half are distinct deliveries of the same tx.
        key = "k:same" if i % 2 == 0 else f"k:{i}"
        return stores[i % 8].apply("ord_11", cmd, T0, Replay(key, 10**15)).duplicate

    with ThreadPoolExecutor(40) as pool:
        duplicates = list(pool.map(deliver, range(40), timeout=60))
    stored = stores[0].load("ord_11")
    assert stored is not None
    assert stored.amount_paid == Decimal("12.5")
    assert len(stored.transfers) == 1
    assert rows(db, "SELECT COUNT(*) FROM invoice_journal") == [(2,)]
    # The shared id was recorded once; every other delivery of it was answered as duplicate.
    assert sum(duplicates[0::2]) == 19
    assert not any(duplicates[1::2])
    assert rows(db, "SELECT COUNT(*) FROM replay_keys") == [(21,)]


def test_replay_keys_are_rows_purged_by_time(client: TestClient, clock: Clock, db: str) -> None:
    client.post("/invoices", json={"id": "ord_12", "amount": "50", "expires_in": 3600})
    for i in range(3):
        note = {"invoice_id": "ord_12", "tx_id": f"t{i}", "amount": "1", "asset": "USDT_TRC20"}
        assert webhook(client, {**note, "confirmed": True}, f"p{i}", clock.now).status_code == 200
    keep = rows(db, "SELECT keep_until_ms FROM replay_keys")
    # Standard Webhooks: remembered until the signed time plus the 5-minute tolerance.
    assert keep == [(app_module._to_ms(T0 + timedelta(minutes=5)),)] * 3
    assert client.post("/tasks/tick").json()["replay_keys_purged"] == 0
    clock.now += timedelta(minutes=5)
    assert client.post("/tasks/tick").json()["replay_keys_purged"] == 3
    assert rows(db, "SELECT COUNT(*) FROM replay_keys") == [(0,)]


def test_validation_errors(client: TestClient, clock: Clock) -> None:
    r = client.post("/invoices", json={"id": "x", "amount": "1.0000001"})
    assert r.status_code == 422
    assert r.json()["detail"]["code"] == "too_many_decimals"
    r = client.post("/invoices", content=b'{"id": "x", "amount": 10.50}')
    assert r.status_code == 201  # a JSON number is read exactly (Decimal), never via float
    assert r.json()["due"] == "10.5"
    client.post("/invoices", json={"id": "dup", "amount": "1"})
    assert client.post("/invoices", json={"id": "dup", "amount": "1"}).status_code == 409
    assert client.get("/invoices/nope").status_code == 404
    assert client.post("/invoices", content=b"{").status_code == 400
    r = signed_post(client, b'{"invoice_id": "x", "tx_id": 5}', "bad", clock.now)
    assert (r.status_code, r.json()["detail"]["field"]) == (422, "tx_id")


def test_expiry_by_tick(client: TestClient, clock: Clock) -> None:
    client.post("/invoices", json={"id": "ord_3", "amount": "5", "expires_in": 60})
    assert client.post("/tasks/tick").json()["ticked"] == []
    clock.now += timedelta(seconds=60)
    assert client.get("/invoices/ord_3").json()["status_now"] == "expired"
    assert client.post("/tasks/tick").json()["ticked"] == ["ord_3"]
    assert client.get("/invoices/ord_3").json()["status"] == "expired"


def test_configuration_comes_from_the_environment(db: str) -> None:
    with pytest.raises(RuntimeError, match="DATABASE"):
        create_app_from_env({"WEBHOOK_SECRETS": SECRET})
    with pytest.raises(RuntimeError, match="WEBHOOK_SECRETS") as err:
        create_app_from_env({"DATABASE": db, "WEBHOOK_SECRETS": " , "})
    assert SECRET not in str(err.value)
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    built = create_app_from_env({"DATABASE": db, "WEBHOOK_SECRETS": f"{other}, {SECRET}"})
    client = TestClient(built)
    assert client.post("/invoices", json={"id": "env", "amount": "1"}).status_code == 201
    # Either secret verifies (key rotation).
    r = webhook(
        client,
        {
            "invoice_id": "env",
            "tx_id": "e",
            "amount": "1",
            "asset": "USDT_TRC20",
            "confirmed": True,
        },
        "env1",
        datetime.now(timezone.utc),
    )
    assert r.status_code == 200, r.text
    with pytest.raises(UnknownInvoice):
        Store(db).apply("missing", paystate.Command.tick(), T0, None)
