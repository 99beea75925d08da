"""Smoke test of an installed wheel, as a shop would use it (run by scripts/test-dist.sh).

Not collected by pytest: it runs in a fresh venv without a Rust toolchain, against the
installed ``paystate`` and never the source tree. Usage::

    python dist_smoke.py REPO_ROOT
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable

import paystate


def check(cond: bool, what: str) -> None:
    """Fails the smoke with a message naming what did not hold."""
    if not cond:
        raise SystemExit(f"dist smoke FAILED: {what}")


def expect_error(cls: type[paystate.PaystateError], code: str, fn: Callable[[], object]) -> None:
    """Runs ``fn`` and checks it raises ``cls`` with ``code``."""
    try:
        fn()
    except cls as e:
        check(e.code == code, f"expected {code}, got {e.code}")
        return
    raise SystemExit(f"dist smoke FAILED: expected {cls.__name__}({code})")


def main(repo: Path) -> None:
    """Verifies signed webhooks and pays an invoice through the installed package."""
    here = Path(paystate.__file__).resolve()
    check(repo.resolve() not in here.parents, f"paystate imported from the source tree: {here}")
    print(f"paystate {paystate.__version__} from {here.parent}")

    # Standard Webhooks: the specification's published vector, then a signature computed
    # here with the standard library (independently of paystate) for a fresh message.
    vectors = json.loads((repo / "tests/vectors/standard_webhooks.json").read_text())
    official = vectors["vectors"][0]
    v = paystate.Verifier("standard_webhooks", official["secrets"])
    ok = v.verify(
        official["headers"], official["body"].encode(), paystate.parse_time(official["at"])
    )
    check(ok.key_index == 0, "official Standard Webhooks vector")

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    now = datetime(2026, 3, 24, 12, 0, tzinfo=timezone.utc)
    body = json.dumps(
        {"invoice_id": "ord_1", "tx_id": "0xabc", "amount": "25.5", "asset": "USDT_TRC20"},
        separators=(",", ":"),
    ).encode()
    ts = str(int(now.timestamp()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    tag = hmac.new(key, b"msg_1." + ts.encode() + b"." + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": ts,
        "webhook-signature": "v1," + base64.b64encode(tag).decode(),
    }
    shop = paystate.Verifier("standard_webhooks", [secret])
    verified = shop.verify(headers, body, now)
    check(verified.key_index == 0, "stdlib-signed Standard Webhooks message")
    expect_error(
        paystate.SignatureError,
        "signature_mismatch",
        lambda: shop.verify(headers, body.replace(b"25.5", b"255"), now),
    )
    expect_error(
        paystate.SignatureError,
        "timestamp_out_of_tolerance",
        lambda: shop.verify(headers, body, now + timedelta(minutes=6)),
    )
    guard = paystate.ReplayGuard()
    guard.record(verified, now=now)
    expect_error(paystate.SignatureError, "replayed", lambda: guard.record(verified, now=now))
    back = paystate.ReplayGuard.from_json(guard.to_json())
    check(len(back) == 1, "replay guard round trip")
    expect_error(paystate.StateError, "malformed_json", lambda: paystate.ReplayGuard.from_json("{"))

    # usdt_gateway (seed 001): hex HMAC-SHA256 of the raw body.
    raw = b'{"status":"confirmed","invoice_reference":"ORDER-9"}'
    hex_tag = hmac.new(b"example_secret", raw, hashlib.sha256).hexdigest()
    gw = paystate.verify(
        "usdt_gateway", "example_secret", {"X-Webhook-Signature": hex_tag}, raw, now
    )
    check(gw.key_index == 0, "usdt_gateway signature")

    # Create an invoice, pay it in two transfers, store and load it.
    spec = paystate.InvoiceSpec(
        "ord_1",
        asset=paystate.Asset.USDT_TRC20,
        due=Decimal("25.50"),
        expires_in=1800,
        tolerance=paystate.Tolerance.absolute("0.5"),
    )
    invoice, events = paystate.Invoice.create(spec, now)
    check([str(e.type) for e in events] == ["invoice.created"], f"create events {events}")
    invoice.observe_transfer("0xa", "20", "USDT_TRC20", confirmed=True, now=now)
    check(invoice.status is paystate.Status.PENDING, f"partly paid is {invoice.status}")
    events = invoice.observe_transfer(
        "0xb", Decimal("5.1"), "USDT_TRC20", confirmed=False, now=now + timedelta(minutes=1)
    )
    check(invoice.status is paystate.Status.PROCESSING, f"unconfirmed is {invoice.status}")
    events = invoice.confirm_transfer("0xb", now=now + timedelta(minutes=2))
    check(invoice.status is paystate.Status.PAID, f"paid is {invoice.status}")
    check("invoice.paid" in [str(e.type) for e in events], f"paid events {events}")
    snap = invoice.snapshot()
    check(snap.amount_paid == Decimal("25.1"), f"amount_paid {snap.amount_paid}")
    again = paystate.Invoice.from_json(invoice.to_json())
    check(again == invoice, "invoice round trip")
    expect_error(
        paystate.TransitionError,
        "invalid_transition",
        lambda: again.cancel(now=now + timedelta(minutes=3)),
    )
    print("dist smoke: 2 signature schemes verified, invoice paid in 2 transfers, state reloaded")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python dist_smoke.py REPO_ROOT")
    main(Path(sys.argv[1]))
