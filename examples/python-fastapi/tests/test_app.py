"""The example service against a real SQLite file, through FastAPI's TestClient."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paystate
from app import create_app

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


def webhook(client: TestClient, note: dict[str, object], msg_id: str, at: datetime) -> object:
    body = json.dumps(note).encode()
    signed = paystate.sign("standard_webhooks", SECRET, body, id=msg_id, timestamp=at)
    return client.post(
        "/webhooks/payments",
        content=body,
        headers={**signed.headers, "content-type": "application/json"},
    )


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
    row = sqlite3.connect(db).execute("SELECT version, status FROM invoices").fetchone()
    assert row == (3, "paid")


def test_bad_signature_and_replay_are_refused(client: TestClient, clock: Clock) -> None:
    client.post("/invoices", json={"id": "ord_2", "amount": "5"})
    note = {"invoice_id": "ord_2", "tx_id": "t", "amount": "5", "asset": "USDT_TRC20"}
    body = json.dumps(note).encode()
    signed = paystate.sign("standard_webhooks", SECRET, body, id="m1", timestamp=clock.now)
    r = client.post("/webhooks/payments", content=body + b" ", headers=signed.headers)
    assert r.status_code == 401
    assert r.json()["detail"]["code"] == "signature_mismatch"
    r = client.post("/webhooks/payments", content=body, headers={})
    assert r.json()["detail"]["code"] == "signature_missing"
    assert (
        client.post("/webhooks/payments", content=body, headers=signed.headers).status_code == 200
    )
    r = client.post("/webhooks/payments", content=body, headers=signed.headers)
    assert r.status_code == 409
    assert r.json()["detail"]["code"] == "replayed"
    clock.now += timedelta(minutes=10)
    r = client.post("/webhooks/payments", content=body, headers=signed.headers)
    assert r.json()["detail"]["code"] == "timestamp_out_of_tolerance"


def test_validation_errors(client: TestClient) -> None:
    r = client.post("/invoices", json={"id": "x", "amount": "1.0000001"})
    assert r.status_code == 422
    assert r.json()["detail"]["code"] == "too_many_decimals"
    r = client.post("/invoices", content=b'{"id": "x", "amount": 10.50}')
    assert r.status_code == 201  # a JSON number is read exactly (Decimal), never via float
    assert r.json()["due"] == "10.5"
    client.post("/invoices", json={"id": "dup", "amount": "1"})
    assert client.post("/invoices", json={"id": "dup", "amount": "1"}).status_code == 409
    assert client.get("/invoices/nope").status_code == 404


def test_expiry_by_tick(client: TestClient, clock: Clock) -> None:
    client.post("/invoices", json={"id": "ord_3", "amount": "5", "expires_in": 60})
    assert client.post("/tasks/tick").json() == {"ticked": []}
    clock.now += timedelta(seconds=60)
    assert client.get("/invoices/ord_3").json()["status_now"] == "expired"
    assert client.post("/tasks/tick").json() == {"ticked": ["ord_3"]}
    assert client.get("/invoices/ord_3").json()["status"] == "expired"


def test_optimistic_concurrency_retries(client: TestClient, clock: Clock, db: str) -> None:
    client.post("/invoices", json={"id": "ord_4", "amount": "10"})
    store = client.app.state.store  # type: ignore[attr-defined]
    original_load = store.load
    raced = {"done": False}

    def racing_load(invoice_id: str) -> paystate.Invoice:
        inv = original_load(invoice_id)
        if not raced["done"]:
            raced["done"] = True
            other = inv.copy()
            events = other.observe_transfer(
                "other", "4", "USDT_TRC20", confirmed=True, now=clock.now
            )
            store.save(other, inv.version, events)
        return inv

    store.load = racing_load
    note = {"invoice_id": "ord_4", "tx_id": "mine", "amount": "6", "asset": "USDT_TRC20"}
    r = webhook(client, {**note, "confirmed": True}, "m9", clock.now)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "paid"
    assert body["amount_paid"] == "10"
    assert body["version"] == 3
    assert {t.tx_id for t in original_load("ord_4").transfers} == {"other", "mine"}
