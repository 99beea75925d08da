"""The service as it is deployed (`uvicorn app:app --workers 2`), killed mid-burst.

A provider delivers CHAOS_PAYMENTS distinct signed payments to one invoice, CHAOS_PARALLEL
at a time; the whole server (supervisor and workers, one process group) is SIGKILLed after
KILL_AFTER answers; it is restarted on the same database; the provider re-sends every
delivery. Every re-send must be answered 2xx, every delivery answered 2xx before the kill
must come back as a duplicate, and `amount_paid` must be exactly the sum (Decimal).

Loopback only; every wait is bounded; the server's process group is killed by its pid in a
fixture finaliser, also when an assertion fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Optional

import httpx
import pytest

import paystate

EXAMPLE = Path(__file__).resolve().parents[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
CHAOS_PAYMENTS = int(os.environ.get("CHAOS_PAYMENTS", "300"))
CHAOS_PARALLEL = int(os.environ.get("CHAOS_PARALLEL", "24"))
CHAOS_WORKERS = int(os.environ.get("CHAOS_WORKERS", "2"))
KILL_AFTER = CHAOS_PAYMENTS // 3
REQUEST_TIMEOUT_S = float(os.environ.get("CHAOS_REQUEST_TIMEOUT_S", "20"))
PHASE_TIMEOUT_S = 180.0
START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`uvicorn app:app --workers N` in its own process group, configured by environment."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db = db
        self.log = log
        self.port = free_port()
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE": str(self.db),
            "WEBHOOK_SECRETS": SECRET,
            "PORT": str(self.port),
        }
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1"),
                    *("--port", env["PORT"], "--workers", str(CHAOS_WORKERS)),
                    *("--no-access-log", "--log-level", "warning"),
                ],
                cwd=EXAMPLE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers die with it
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-2000:]
            try:
                if httpx.get(f"{self.base}/invoices/_ready", timeout=1).status_code == 404:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready in {START_TIMEOUT_S}s")

    def kill(self) -> None:
        """SIGKILL to the whole process group (supervisor and every worker)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        # Workers are reaped by init once the supervisor is gone; wait for the group to empty.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "shop.sqlite3", tmp_path / "uvicorn.log")
    try:
        srv.start()
        yield srv
    finally:
        srv.kill()


class Provider:
    """Signs each delivery at send time (same id and body on every re-send)."""

    def __init__(self, base: str, parallel: int) -> None:
        self.signer = paystate.Signer("standard_webhooks", SECRET)
        self.base = base
        self.client = httpx.Client(
            timeout=REQUEST_TIMEOUT_S,
            limits=httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel),
        )

    def send(self, msg_id: str, body: bytes) -> tuple[int, Optional[dict[str, object]]]:
        """The HTTP status (0: no answer) and the JSON body of one delivery."""
        signed = self.signer.sign(body, id=msg_id, timestamp=datetime.now(timezone.utc))
        headers = {**signed.headers, "content-type": "application/json"}
        try:
            r = self.client.post(f"{self.base}/webhooks/payments", content=body, headers=headers)
        except httpx.TransportError:
            return 0, None
        return r.status_code, r.json()

    def close(self) -> None:
        self.client.close()


def burst(
    provider: Provider,
    deliveries: list[tuple[str, bytes]],
    parallel: int,
    on_answer: Optional[threading.Event] = None,
    answers_before_event: int = 0,
) -> dict[str, tuple[int, Optional[dict[str, object]]]]:
    """Sends every delivery, `parallel` at a time; sets `on_answer` after that many answers."""
    results: dict[str, tuple[int, Optional[dict[str, object]]]] = {}
    with ThreadPoolExecutor(parallel) as pool:
        futures: dict[Future[tuple[int, Optional[dict[str, object]]]], str] = {
            pool.submit(provider.send, msg_id, body): msg_id for msg_id, body in deliveries
        }
        pending = set(futures)
        deadline = time.monotonic() + PHASE_TIMEOUT_S
        while pending:
            left = deadline - time.monotonic()
            assert left > 0, f"{len(pending)} deliveries unanswered after {PHASE_TIMEOUT_S}s"
            done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
            for f in done:
                results[futures[f]] = f.result()
            if on_answer is not None and len(results) >= answers_before_event:
                on_answer.set()
    return results


def amounts(n: int) -> list[Decimal]:
    # Distinct six-decimal amounts (USDT_TRC20's scale), from 1.000001 up.
    return [
        Decimal(i) + Decimal((i * 7919) % 1_000_000 or 1) / Decimal(1_000_000)
        for i in range(1, n + 1)
    ]


def test_sigkill_mid_burst_then_full_resend(server: Server) -> None:
    pays = amounts(CHAOS_PAYMENTS)
    total = sum(pays, Decimal(0))
    r = httpx.post(
        f"{server.base}/invoices",
        json={"id": "chaos", "amount": str(total), "expires_in": 3600},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert r.status_code == 201, r.text
    deliveries = [
        (
            f"msg_{i:04d}",
            json.dumps(
                {
                    "invoice_id": "chaos",
                    "tx_id": f"0xtx{i:04d}",
                    "amount": str(amount),
                    "asset": "USDT_TRC20",
                    "confirmed": True,
                }
            ).encode(),
        )
        for i, amount in enumerate(pays)
    ]

    # Phase 1: the burst, killed after KILL_AFTER answers.
    provider = Provider(server.base, CHAOS_PARALLEL)
    kill_now = threading.Event()
    killer = threading.Thread(target=lambda: kill_now.wait(PHASE_TIMEOUT_S) and server.kill())
    killer.start()
    try:
        first = burst(provider, deliveries, CHAOS_PARALLEL, kill_now, KILL_AFTER)
    finally:
        kill_now.set()
        killer.join(timeout=30)
        provider.close()
    acked = {m for m, (status, _) in first.items() if 200 <= status < 300}
    unanswered = [m for m, (status, _) in first.items() if status == 0]
    non_2xx = {m: s for m, (s, _) in first.items() if s not in (0,) and not 200 <= s < 300}
    assert not non_2xx, non_2xx
    assert KILL_AFTER <= len(acked) < CHAOS_PAYMENTS, "the kill did not land mid-burst"
    assert unanswered, "the kill did not land mid-burst"

    # Phase 2: restart on the same database; the provider re-sends every delivery.
    server.start()
    provider = Provider(server.base, CHAOS_PARALLEL)
    try:
        second = burst(provider, deliveries, CHAOS_PARALLEL)
    finally:
        provider.close()
    statuses = sorted({status for status, _ in second.values()})
    assert statuses == [200], {m: s for m, (s, _) in second.items() if s != 200}
    for msg_id in acked:  # answered 2xx before the kill: recorded, so not applied again
        body = second[msg_id][1]
        assert body is not None, msg_id
        assert body["duplicate"] is True, msg_id
    applied_on_resend = sum(1 for _, body in second.values() if body and not body["duplicate"])

    view = httpx.get(f"{server.base}/invoices/chaos", timeout=REQUEST_TIMEOUT_S).json()
    assert Decimal(view["amount_paid"]) == total
    assert view["status"] == "paid"
    con = sqlite3.connect(server.db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        journal = con.execute("SELECT COUNT(*) FROM invoice_journal").fetchone()[0]
        keys = con.execute("SELECT COUNT(*) FROM replay_keys").fetchone()[0]
        received = con.execute(
            "SELECT COUNT(*) FROM outbox WHERE type = 'invoice.payment_received'"
        ).fetchone()[0]
    finally:
        con.close()
    assert journal == CHAOS_PAYMENTS + 1  # creation + one entry per payment, none twice
    assert keys == CHAOS_PAYMENTS
    assert received == CHAOS_PAYMENTS
    print(
        f"\nchaos: {CHAOS_PAYMENTS} payments, {CHAOS_PARALLEL} parallel, {CHAOS_WORKERS} workers;"
        f" before SIGKILL {len(acked)} answered 2xx, {len(unanswered)} unanswered;"
        f" re-send: {CHAOS_PAYMENTS} x 200 ({applied_on_resend} applied now,"
        f" {CHAOS_PAYMENTS - applied_on_resend} duplicates); amount_paid {view['amount_paid']}"
        f" = sum {total}"
    )


def test_concurrent_duplicates_over_workers_are_credited_once(server: Server) -> None:
    r = httpx.post(
        f"{server.base}/invoices", json={"id": "dups", "amount": "100"}, timeout=REQUEST_TIMEOUT_S
    )
    assert r.status_code == 201, r.text
    note = {"invoice_id": "dups", "tx_id": "0xdup", "amount": "40.5", "asset": "USDT_TRC20"}
    body = json.dumps({**note, "confirmed": True}).encode()
    # 20 copies of one delivery and 20 other deliveries of the same transfer, all at once.
    deliveries = [("same", body)] * 20 + [(f"other{i}", body) for i in range(20)]
    provider = Provider(server.base, 40)
    try:
        with ThreadPoolExecutor(40) as pool:
            results = list(
                pool.map(lambda d: provider.send(*d), deliveries, timeout=PHASE_TIMEOUT_S)
            )
    finally:
        provider.close()
    assert [status for status, _ in results] == [200] * 40
    assert sum(1 for _, b in results[:20] if b and b["duplicate"] is False) == 1
    view = httpx.get(f"{server.base}/invoices/dups", timeout=REQUEST_TIMEOUT_S).json()
    assert view["amount_paid"] == "40.5"
    con = sqlite3.connect(server.db)
    try:
        journal = con.execute(
            "SELECT COUNT(*) FROM invoice_journal WHERE invoice_id = 'dups'"
        ).fetchone()[0]
        keys = con.execute("SELECT COUNT(*) FROM replay_keys").fetchone()[0]
    finally:
        con.close()
    assert journal == 2  # the creation and one observation
    assert keys == 21
