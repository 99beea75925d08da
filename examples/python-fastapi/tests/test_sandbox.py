"""The example as a seed-001 shop, end to end against `paystate sandbox` (the built binary).

Both run as processes on loopback ports: the sandbox with a temp SQLite file, a fixed key
and secret; the shop (`uvicorn app:app`) with `GATEWAY_URL` pointing at it and its
`/webhooks/usdt-gateway` as every invoice's `callbackUrl`. Orders are created through the
shop and paid through the sandbox's controls; the shop must mark them as the gateway's
signed webhooks and its status say. Every wait is bounded; every process is ended by pid.

The binary: `PAYSTATE_SANDBOX_BIN`, else `target/debug/paystate-sandbox` (examples/ci.sh
builds it with `cargo build -p paystate-sandbox --locked`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional

import httpx
import pytest

import paystate

EXAMPLE = Path(__file__).resolve().parents[1]
ROOT = EXAMPLE.parents[1]
SANDBOX_BIN = Path(
    os.environ.get("PAYSTATE_SANDBOX_BIN", str(ROOT / "target" / "debug" / "paystate-sandbox"))
)
API_KEY = "test_shop_e2e_key"
SECRET = "shop-e2e-webhook-secret"
START_TIMEOUT_S = 30.0
WAIT_S = 15.0
# Seed 001's first retry comes one minute after the failed attempt.
FIRST_RETRY_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout}s")


class Process:
    """One child process in its own process group, logging to a file, ended by its pid."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, cwd: Path) -> None:
        self.argv, self.env, self.log, self.cwd = argv, env, log, cwd
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self, ready: Callable[[], bool]) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-2000:]
            with contextlib.suppress(httpx.TransportError):
                if ready():
                    return
            time.sleep(0.1)
        raise AssertionError(f"{self.argv[0]} not ready in {START_TIMEOUT_S}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None


class Sandbox:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30
        )
        argv = [
            str(SANDBOX_BIN),
            *("--port", str(self.port), "--database", str(tmp / "sandbox.sqlite3")),
            *("--api-key", API_KEY, "--webhook-secret", SECRET),
        ]
        self.process = Process(argv, dict(os.environ), tmp / "sandbox.log", tmp)

    def start(self) -> None:
        self.process.start(lambda: self.http.get("/sandbox/clock").status_code == 200)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(path, content=json.dumps(body))
        assert r.status_code == 200, r.text
        return dict(r.json())

    def pay(self, invoice_id: str, amount: Optional[str] = None) -> dict[str, Any]:
        return self.post(
            f"/sandbox/invoices/{invoice_id}/pay", {} if amount is None else {"amount": amount}
        )

    def advance(self, seconds: int) -> None:
        self.post("/sandbox/clock/advance", {"seconds": seconds})

    def deliveries(self, invoice_id: str) -> list[dict[str, Any]]:
        r = self.http.get("/sandbox/deliveries", params={"invoiceId": invoice_id})
        assert r.status_code == 200, r.text
        return list(r.json()["data"])


class Shop:
    def __init__(self, tmp: Path, gateway: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = httpx.Client(base_url=self.base, timeout=30)
        env = {
            **os.environ,
            "DATABASE": str(tmp / "shop.sqlite3"),
            "GATEWAY_URL": gateway,
            "GATEWAY_API_KEY": API_KEY,
            "GATEWAY_WEBHOOK_SECRETS": SECRET,
            "CALLBACK_URL": f"{self.base}/webhooks/usdt-gateway",
        }
        argv = [
            *(sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1"),
            *("--port", str(self.port), "--no-access-log", "--log-level", "warning"),
        ]
        self.process = Process(argv, env, tmp / "shop.log", EXAMPLE)

    def start(self) -> None:
        self.process.start(lambda: self.http.get("/orders/_ready").status_code == 404)

    def order(self, amount: str, **extra: Any) -> dict[str, Any]:
        r = self.http.post("/orders", json={"amount": amount, **extra})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def get(self, reference: str) -> dict[str, Any]:
        r = self.http.get(f"/orders/{reference}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def sync(self, reference: str) -> dict[str, Any]:
        r = self.http.post(f"/orders/{reference}/sync")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def events(self, invoice_id: str) -> list[str]:
        r = self.http.get(f"/invoices/{invoice_id}/events")
        assert r.status_code == 200, r.text
        return [e["type"] for e in r.json()]


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Sandbox, Shop]]:
    if not SANDBOX_BIN.is_file():
        pytest.fail(f"{SANDBOX_BIN} missing: cargo build -p paystate-sandbox --locked")
    sandbox = Sandbox(tmp_path)
    shop = Shop(tmp_path, sandbox.base)
    try:
        sandbox.start()
        shop.start()
        yield sandbox, shop
    finally:
        shop.process.stop()
        sandbox.process.stop()


def delivered(sandbox: Sandbox, invoice_id: str) -> list[dict[str, Any]]:
    """The invoice's webhooks whose last attempt the shop answered 200."""
    return [
        d
        for d in sandbox.deliveries(invoice_id)
        if d["attempts"] and d["attempts"][-1]["statusCode"] == 200
    ]


def test_exact_payment_marks_the_order_paid(pair: tuple[Sandbox, Shop]) -> None:
    sandbox, shop = pair
    order = shop.order("25.5", reference="E2E-EXACT", metadata={"sku": "tea"})
    assert order["status"] == "pending"
    assert order["reference"] == "E2E-EXACT"
    assert order["due"] == "25.5"
    # The gateway holds the same invoice under the same id and reference.
    r = sandbox.http.get("/api/v1/invoices/reference/E2E-EXACT")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == order["id"]
    assert Decimal(r.json()["amountUsdtExact"]) == Decimal("25.5")
    # Creating the same reference again is the same order, not a second invoice.
    again = shop.http.post("/orders", json={"amount": "25.5", "reference": "E2E-EXACT"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == order["id"]
    other = shop.http.post("/orders", json={"amount": "25.6", "reference": "E2E-EXACT"})
    assert other.status_code == 409, other.text
    assert other.json()["detail"]["code"] == "reference_conflict"

    sandbox.pay(order["id"])
    wait_for("webhook applied", lambda: shop.get("E2E-EXACT")["status"] == "paid")
    paid = shop.get("E2E-EXACT")
    assert paid["amount_paid"] == "25.5"
    assert shop.events(order["id"]).count("invoice.paid") == 1
    [webhook] = delivered(sandbox, order["id"])
    assert len(webhook["attempts"]) == 1
    assert shop.sync("E2E-EXACT")["gateway_status"] == "confirmed"


def test_short_payment_stays_unpaid_until_the_rest(pair: tuple[Sandbox, Shop]) -> None:
    sandbox, shop = pair
    order = shop.order("10.5", reference="E2E-SHORT")
    sandbox.pay(order["id"], "4")
    # The gateway saw the short payment (its own core state) ...
    state = sandbox.http.get(f"/sandbox/invoices/{order['id']}").json()["state"]
    at_gateway = paystate.Invoice.from_json(json.dumps(state)).snapshot()
    assert at_gateway.amount_paid == Decimal("4")
    assert str(at_gateway.status) == "pending"
    # ... and seed 001 sends nothing for it: no webhook, still pending at the gateway, and
    # the shop does not mark the order paid.
    sandbox.advance(0)
    assert sandbox.deliveries(order["id"]) == []
    synced = shop.sync("E2E-SHORT")
    assert synced["gateway_status"] == "pending"
    assert synced["status"] == "pending"
    assert synced["amount_paid"] == "0"

    sandbox.pay(order["id"], "6.5")
    wait_for("webhook applied", lambda: shop.get("E2E-SHORT")["status"] == "paid")
    assert shop.get("E2E-SHORT")["amount_paid"] == "10.5"
    assert len(delivered(sandbox, order["id"])) == 1


def test_unpaid_order_expires_with_the_gateway_clock(pair: tuple[Sandbox, Shop]) -> None:
    sandbox, shop = pair
    order = shop.order("3", reference="E2E-EXPIRE", expires_in=300)
    sandbox.advance(299)
    assert shop.sync("E2E-EXPIRE")["status"] == "pending"
    sandbox.advance(1)
    synced = shop.sync("E2E-EXPIRE")
    assert synced["gateway_status"] == "expired"
    assert synced["status"] == "expired"
    assert "invoice.expired" in shop.events(order["id"])
    assert sandbox.deliveries(order["id"]) == []


def test_webhook_missed_while_down_is_retried_and_applied_once(
    pair: tuple[Sandbox, Shop],
) -> None:
    sandbox, shop = pair
    order = shop.order("7.25", reference="E2E-RETRY")
    shop.process.stop()  # down: the first attempt finds nobody listening
    sandbox.pay(order["id"])
    sandbox.advance(0)
    [webhook] = sandbox.deliveries(order["id"])
    assert len(webhook["attempts"]) == 1
    assert webhook["attempts"][0]["statusCode"] is None, webhook

    shop.start()  # same database, same port
    assert shop.get("E2E-RETRY")["status"] == "pending"
    sandbox.advance(FIRST_RETRY_S - 1)  # not due yet
    assert len(sandbox.deliveries(order["id"])[0]["attempts"]) == 1
    sandbox.advance(1)  # the seed's first retry: one minute later
    [webhook] = sandbox.deliveries(order["id"])
    assert [a["statusCode"] for a in webhook["attempts"]] == [None, 200]
    assert shop.get("E2E-RETRY")["status"] == "paid"
    sandbox.advance(24 * 3600)  # nothing more is sent once acknowledged
    assert len(sandbox.deliveries(order["id"])[0]["attempts"]) == 2

    # The same signed bytes again (a retry whose answer was lost): acknowledged, not applied.
    body = webhook["body"].encode()
    signed = paystate.Signer(paystate.Scheme.USDT_GATEWAY, SECRET).sign(body)
    r = shop.http.post(
        "/webhooks/usdt-gateway",
        content=body,
        headers={
            **signed.headers,
            "Content-Type": "application/json",
            "X-Invoice-Reference": "E2E-RETRY",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["duplicate"] is True
    assert shop.events(order["id"]).count("invoice.paid") == 1


def test_forged_webhook_is_refused(pair: tuple[Sandbox, Shop]) -> None:
    _, shop = pair
    shop.order("5", reference="E2E-FORGED")
    body = json.dumps({"invoice_reference": "E2E-FORGED", "status": "confirmed"}).encode()
    signed = paystate.Signer(paystate.Scheme.USDT_GATEWAY, "not-the-secret").sign(body)
    r = shop.http.post(
        "/webhooks/usdt-gateway",
        content=body,
        headers={**signed.headers, "X-Invoice-Reference": "E2E-FORGED"},
    )
    assert r.status_code == 401, r.text
    assert r.json()["detail"]["code"] == "signature_mismatch"
    assert shop.get("E2E-FORGED")["status"] == "pending"


def test_gateway_configuration_from_the_environment(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXAMPLE))
    from app import Gateway, create_app_from_env

    env = {
        "DATABASE": str(tmp_path / "shop.sqlite3"),
        "GATEWAY_URL": "http://127.0.0.1:1",
        "CALLBACK_URL": "http://127.0.0.1:2/webhooks/usdt-gateway",
    }
    with pytest.raises(RuntimeError, match="GATEWAY_API_KEY"):
        create_app_from_env({**env, "GATEWAY_WEBHOOK_SECRETS": SECRET})
    with pytest.raises(RuntimeError, match="GATEWAY_WEBHOOK_SECRETS") as err:
        create_app_from_env({**env, "GATEWAY_API_KEY": API_KEY})
    assert API_KEY not in str(err.value)
    # WEBHOOK_SECRETS is optional for a gateway's shop; its Standard Webhooks route is off.
    built = create_app_from_env(
        {**env, "GATEWAY_API_KEY": API_KEY, "GATEWAY_WEBHOOK_SECRETS": SECRET}
    )
    paths = {getattr(r, "path", None) for r in built.routes}
    assert {"/orders", "/orders/{reference}", "/webhooks/usdt-gateway"} <= paths
    gateway = Gateway("http://127.0.0.1:1", API_KEY, [SECRET])
    assert API_KEY not in repr(gateway)
    assert SECRET not in repr(gateway)
